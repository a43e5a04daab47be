package complaint_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// scopedBackend is the memory store with what every store's InTx does for
// the outermost transaction: an after-commit scope, and an outbox whose
// appends are kept only when the transaction commits.
type scopedBackend struct {
	*memory.Store
	outbox *txOutbox
}

type txKey struct{}

type txState struct{ events []crm.Event }

func (b scopedBackend) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if ctx.Value(txKey{}) != nil {
		return b.Store.InTx(ctx, fn)
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
	b.outbox.mu.Lock()
	b.outbox.stored = append(b.outbox.stored, tx.events...)
	b.outbox.mu.Unlock()
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

func (o *txOutbox) all() []crm.Event {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]crm.Event(nil), o.stored...)
}

// newScopedEnv is newSaEnv on a scopedBackend with an outbox.
func newScopedEnv(tb testing.TB, sink crm.EventSink, logs *bytes.Buffer) (*saEnv, scopedBackend) {
	tb.Helper()
	b := scopedBackend{Store: memory.New(nil), outbox: &txOutbox{}}
	e := newSaEnv(tb, nil)
	opts := &complaint.Options{Clock: e.clock, IDs: crm.NewSequentialIDs(e.clock), Events: e.sink, Outbox: b.outbox}
	if sink != nil {
		opts.Events = sink
	}
	if logs != nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	svc, err := complaint.NewService(b, opts)
	require.NoError(tb, err)
	e.store, e.svc = b.Store, svc
	cust, err := newCustomerService(b.Store, e.clock)
	require.NoError(tb, err)
	e.cust = cust
	return e, b
}

func TestComplaintEventsRollbackCommitAndOutbox(t *testing.T) {
	t.Parallel()
	e, b := newScopedEnv(t, nil, nil)
	ctx := context.Background()
	c := e.receive(t, saTenant)
	require.Equal(t, []string{complaint.EventCreated}, e.sink.types())
	require.Equal(t, e.sink.all(), b.outbox.all())

	err := b.InTx(ctx, func(ctx context.Context) error {
		_, err := e.svc.Acknowledge(ctx, saTenant, c.ID(), saCh())
		require.NoError(t, err)
		require.Len(t, e.sink.all(), 1, "nothing is published inside the transaction")
		return errors.New("no")
	})
	require.EqualError(t, err, "no")
	require.Len(t, e.sink.all(), 1, "a rolled-back change publishes nothing")
	require.Len(t, b.outbox.all(), 1, "and leaves nothing in the outbox")

	require.NoError(t, b.InTx(ctx, func(ctx context.Context) error {
		_, err := e.svc.Acknowledge(ctx, saTenant, c.ID(), saCh())
		return err
	}))
	got, err := e.svc.Get(ctx, saTenant, c.ID())
	require.NoError(t, err)
	events := e.sink.all()
	require.Len(t, events, 2, "a committed change is published once")
	require.Equal(t, got.Version(), events[1].Version, "with the stored version")
	require.False(t, events[1].ID.IsZero())
	require.NotEqual(t, events[0].ID, events[1].ID)
	require.Equal(t, events, b.outbox.all(), "the outbox holds the same events, IDs included")
}

func TestComplaintSinkFailureIsLoggedNotReturned(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	sink := crm.EventSinkFunc(func(context.Context, []crm.Event) error { panic("sink exploded") })
	e, _ := newScopedEnv(t, sink, &logs)
	c, err := e.svc.Receive(context.Background(), saInput(saTenant, e.customer(t, saTenant, "Wang Fang")), complaint.Change{Actor: saAgent})
	require.NoError(t, err, "the complaint is stored: the sink's panic is not the caller's")
	require.Contains(t, logs.String(), "sink exploded")
	_, err = e.svc.Get(context.Background(), saTenant, c.ID())
	require.NoError(t, err)
}

func newCustomerService(b *memory.Store, clock *crm.ManualClock) (*customer.Service, error) {
	return customer.NewService(b, &customer.Options{Clock: clock, IDs: crm.NewSequentialIDs(clock)})
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

// TestComplaintRetriedTransactionStoresAndPublishesOnce: Receive and
// RaiseRisks start a retried attempt from the unsaved entity, and the
// events of the rolled-back attempt reach neither the sink nor the outbox.
func TestComplaintRetriedTransactionStoresAndPublishesOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := retryingBackend{scopedBackend{Store: memory.New(nil), outbox: &txOutbox{}}}
	clock := crm.NewManualClock(saAt)
	ids := crm.NewSequentialIDs(clock)
	sink := &saSink{}
	svc, err := complaint.NewService(b, &complaint.Options{Clock: clock, IDs: ids, Events: sink, Outbox: b.outbox})
	require.NoError(t, err)
	cust, err := newCustomerService(b.Store, clock)
	require.NoError(t, err)
	owner, err := cust.Create(ctx, customer.NewInput{Tenant: saTenant, Kind: customer.Person, Name: "Wang Fang",
		Roles: []customer.Role{customer.EndCustomer}, Owner: "mgr"}, customer.Change{Actor: "mgr"})
	require.NoError(t, err)
	for _, unit := range []string{"1502", "1602", "0801"} {
		in := saInput(saTenant, owner.ID())
		in.Category = "leak"
		in.Asset = complaint.Asset{{Kind: "building", ID: "B3"}, {Kind: "unit", ID: unit}}
		c, err := svc.Receive(ctx, in, complaint.Change{Actor: saAgent})
		require.NoError(t, err)
		require.Equal(t, int64(1), c.Version())
		clock.Advance(time.Hour)
	}
	rules := complaint.HotspotRules{{Name: "leak-building", Kind: complaint.RuleCluster, Category: "leak",
		AssetLevel: 1, Min: 3, Window: 7 * 24 * time.Hour}}
	risks, err := svc.RaiseRisks(ctx, saTenant, rules, "risk-chen", time.Time{})
	require.NoError(t, err)
	require.Len(t, risks, 1)
	require.Equal(t, int64(1), risks[0].Version())

	require.Equal(t, []string{complaint.EventCreated, complaint.EventCreated, complaint.EventCreated, complaint.EventRiskRaised},
		sink.types(), "published once each")
	require.Equal(t, sink.all(), b.outbox.all(), "the outbox keeps only the committed attempts")
}
