package customer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// scopedBackend is the memory store with what every store's InTx does
// for the outermost transaction: an after-commit scope, and an outbox
// whose appends are kept only when the transaction commits.
type scopedBackend struct {
	*memory.Store
	outbox *txOutbox
}

type txKey struct{}

// txState holds what one transaction appended to the outbox.
type txState struct{ events []crm.Event }

func (b scopedBackend) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if ctx.Value(txKey{}) != nil {
		return b.Store.InTx(ctx, fn) // joins the outer transaction
	}
	ctx, sc := crm.NewCommitScope(ctx)
	tx := &txState{}
	ctx = context.WithValue(ctx, txKey{}, tx)
	defer func() {
		if r := recover(); r != nil {
			sc.Rollback()
			panic(r)
		}
	}()
	if err := b.Store.InTx(ctx, fn); err != nil {
		sc.Rollback()
		return err
	}
	b.outbox.commit(tx.events)
	sc.Commit()
	return nil
}

// txOutbox is a crm.EventLog that appends inside the caller's transaction.
type txOutbox struct {
	mu     sync.Mutex
	stored []crm.Event
}

func (o *txOutbox) AppendEvents(ctx context.Context, events []crm.Event) error {
	tx, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		return errors.New("AppendEvents outside the transaction of the change")
	}
	tx.events = append(tx.events, events...)
	return nil
}

func (o *txOutbox) commit(events []crm.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.stored = append(o.stored, events...)
}

func (o *txOutbox) all() []crm.Event {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]crm.Event(nil), o.stored...)
}

type eventsFixture struct {
	backend scopedBackend
	svc     *customer.Service
	sink    *recorder
	logs    *bytes.Buffer
}

func newEventsFixture(t testing.TB, withOutbox bool, sink crm.EventSink) *eventsFixture {
	t.Helper()
	f := &eventsFixture{backend: scopedBackend{Store: memory.New(nil), outbox: &txOutbox{}}, sink: &recorder{}, logs: &bytes.Buffer{}}
	if sink == nil {
		sink = f.sink
	}
	opts := &customer.Options{
		Clock: crm.NewManualClock(t0), IDs: crm.NewSequentialIDs(crm.NewManualClock(t0)), Events: sink,
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
	}
	if withOutbox {
		opts.Outbox = f.backend.outbox
	}
	svc, err := customer.NewService(f.backend, opts)
	require.NoError(t, err)
	f.svc = svc
	return f
}

func (f *eventsFixture) create(t testing.TB) *customer.Customer {
	t.Helper()
	c, err := f.svc.Create(context.Background(), customer.NewInput{Tenant: tenant, Kind: customer.Person, Name: "Li Na",
		Roles: []customer.Role{customer.EndCustomer}, Owner: "wang"}, customer.Change{Actor: "admin"})
	require.NoError(t, err)
	return c
}

func TestEventsRolledBackHostTransactionPublishesNothing(t *testing.T) {
	t.Parallel()
	for _, withOutbox := range []bool{false, true} {
		t.Run(fmt.Sprintf("outbox=%v", withOutbox), func(t *testing.T) {
			t.Parallel()
			f := newEventsFixture(t, withOutbox, nil)
			c := f.create(t)
			before := len(f.sink.events)
			outBefore := len(f.backend.outbox.all())
			err := f.backend.InTx(context.Background(), func(ctx context.Context) error {
				_, err := f.svc.AssignOwner(ctx, tenant, c.ID(), "zhao", customer.Change{Actor: "boss", Reason: "leave"})
				require.NoError(t, err)
				require.Len(t, f.sink.events, before, "nothing is published inside the transaction")
				return errors.New("no")
			})
			require.EqualError(t, err, "no")
			require.Len(t, f.sink.events, before, "a rolled-back change publishes nothing")
			require.Len(t, f.backend.outbox.all(), outBefore, "nor leaves anything in the outbox")
			got, err := f.svc.Get(context.Background(), tenant, c.ID())
			require.NoError(t, err)
			require.Equal(t, crm.UserID("wang"), got.Owner())
		})
	}
}

func TestEventsCommitPublishesOnceWithStoredVersionAndOutbox(t *testing.T) {
	t.Parallel()
	f := newEventsFixture(t, true, nil)
	c := f.create(t)
	err := f.backend.InTx(context.Background(), func(ctx context.Context) error {
		_, err := f.svc.AssignOwner(ctx, tenant, c.ID(), "zhao", customer.Change{Actor: "boss", Reason: "leave"})
		require.NoError(t, err)
		require.Len(t, f.sink.events, 1, "only the creation is published before the commit")
		return nil
	})
	require.NoError(t, err)

	got, err := f.svc.Get(context.Background(), tenant, c.ID())
	require.NoError(t, err)
	require.Equal(t, []string{customer.EventCreated, customer.EventOwnerChanged}, f.sink.types())
	owner := f.sink.events[1]
	require.Equal(t, got.Version(), owner.Version, "the event carries the stored version")
	require.Equal(t, int64(1), f.sink.events[0].Version)
	ids := map[crm.ID]bool{}
	for _, e := range f.sink.events {
		require.False(t, e.ID.IsZero(), "every event has an ID")
		require.False(t, ids[e.ID], "event IDs are unique")
		ids[e.ID] = true
	}
	require.Equal(t, f.sink.events, f.backend.outbox.all(), "the outbox has the same events, IDs included")
}

func TestEventsMergeInOneTransactionWithOutbox(t *testing.T) {
	t.Parallel()
	f := newEventsFixture(t, true, nil)
	a, b := f.create(t), f.create(t)
	_, err := f.svc.Merge(context.Background(), tenant, a.ID(), b.ID(), customer.Survivorship{}, customer.Change{Actor: "admin"})
	require.NoError(t, err)
	require.Equal(t, f.sink.events, f.backend.outbox.all())
	require.Equal(t, customer.EventMerged, f.sink.events[len(f.sink.events)-1].Type)
}

// failingOutbox refuses every append.
type failingOutbox struct{}

func (failingOutbox) AppendEvents(context.Context, []crm.Event) error {
	return errors.New("outbox full")
}

func TestEventsOutboxFailureStoresNothing(t *testing.T) {
	t.Parallel()
	f := newEventsFixture(t, false, nil)
	c := f.create(t)
	sink := &recorder{}
	svc, err := customer.NewService(f.backend, &customer.Options{Outbox: failingOutbox{}, Events: sink})
	require.NoError(t, err)
	_, err = svc.AssignOwner(context.Background(), tenant, c.ID(), "zhao", customer.Change{Actor: "boss", Reason: "leave"})
	require.ErrorContains(t, err, "outbox full")
	got, err := svc.Get(context.Background(), tenant, c.ID())
	require.NoError(t, err)
	require.Equal(t, crm.UserID("wang"), got.Owner(), "the change is not stored without its events")
	require.Empty(t, sink.events)
}

func TestEventsSinkFailureOrPanicIsLoggedNotReturned(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		sink crm.EventSink
		log  string
	}{
		{"error", crm.EventSinkFunc(func(context.Context, []crm.Event) error { return errors.New("queue down") }), "queue down"},
		{"panic", crm.EventSinkFunc(func(context.Context, []crm.Event) error { panic("sink exploded") }), "sink exploded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newEventsFixture(t, false, tc.sink)
			c := f.create(t)
			got, err := f.svc.MoveStage(context.Background(), tenant, c.ID(), customer.Established, "", customer.Change{Actor: "wang"})
			require.NoError(t, err, "the change is committed: the sink's trouble is not the caller's")
			require.Equal(t, customer.Established, got.Stage())
			require.Contains(t, f.logs.String(), tc.log)
			stored, err := f.svc.Get(context.Background(), tenant, c.ID())
			require.NoError(t, err)
			require.Equal(t, customer.Established, stored.Stage())
		})
	}
}

// retryingBackend runs every outermost transaction twice, as a backend
// retrying a serialization failure does: the first attempt is rolled back.
type retryingBackend struct{ scopedBackend }

var errRetry = errors.New("serialization failure")

func (b retryingBackend) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if ctx.Value(txKey{}) != nil {
		return b.scopedBackend.InTx(ctx, fn)
	}
	err := b.scopedBackend.InTx(ctx, func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		return errRetry
	})
	if !errors.Is(err, errRetry) {
		return err
	}
	return b.scopedBackend.InTx(ctx, fn)
}

func TestEventsRetriedTransactionStoresAndPublishesOnce(t *testing.T) {
	t.Parallel()
	b := retryingBackend{scopedBackend{Store: memory.New(nil), outbox: &txOutbox{}}}
	sink := &recorder{}
	svc, err := customer.NewService(b, &customer.Options{Events: sink, Outbox: b.outbox})
	require.NoError(t, err)
	ctx := context.Background()
	c, err := svc.Create(ctx, customer.NewInput{Tenant: tenant, Kind: customer.Person, Name: "Li Na",
		Roles: []customer.Role{customer.EndCustomer}, Owner: "wang"}, customer.Change{Actor: "admin"})
	require.NoError(t, err, "the second attempt starts again from the unsaved customer")
	require.Equal(t, int64(1), c.Version())
	_, err = svc.AssignOwner(ctx, tenant, c.ID(), "zhao", customer.Change{Actor: "boss", Reason: "leave"})
	require.NoError(t, err)

	require.Equal(t, []string{customer.EventCreated, customer.EventOwnerChanged}, sink.types(), "published once each")
	require.Equal(t, sink.events, b.outbox.all(), "the outbox keeps only the committed attempt")
	got, err := svc.Get(ctx, tenant, c.ID())
	require.NoError(t, err)
	require.Equal(t, int64(2), got.Version())
}
