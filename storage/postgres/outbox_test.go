package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// outboxData is the Data of the test events.
type outboxData struct {
	Name  string            `json:"name"`
	N     int               `json:"n"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

// newEvents returns n valid events of tenant, in ID order.
func newEvents(t testing.TB, tenant crm.TenantID, n int) []crm.Event {
	t.Helper()
	out := make([]crm.Event, n)
	for i := range out {
		out[i] = crm.Event{ID: newID(t), Type: "customer.tagged", Tenant: tenant, AggregateID: newID(t),
			Version: int64(i + 1), At: t0.Add(time.Duration(i) * time.Second), Actor: "tester",
			Data: outboxData{Name: "ünïcode \"quoted\"", N: i, Attrs: map[string]string{"z": "1", "a": "2"}}}
	}
	return out
}

func idsOf(events []crm.Event) []crm.ID {
	ids := make([]crm.ID, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}

func claimedIDs(events []storage.OutboxEvent) []crm.ID {
	ids := make([]crm.ID, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}

// outboxCount counts the tenant's rows in the outbox table.
func outboxCount(t testing.TB, s *postgres.Store, tenant crm.TenantID) int {
	t.Helper()
	var n int
	require.NoError(t, pgtest.Pool(t).QueryRow(context.Background(),
		"SELECT count(*) FROM "+pgx.Identifier{s.Schema(), "outbox"}.Sanitize()+" WHERE tenant_id = $1", string(tenant)).Scan(&n))
	return n
}

func TestOutboxAppendClaimAck(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	events := newEvents(t, ten, 5)
	require.NoError(t, s.AppendEvents(ctx, events))
	require.Equal(t, 5, outboxCount(t, s, ten))

	first, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: ten, Limit: 3, Lease: time.Minute})
	require.NoError(t, err)
	require.Equal(t, idsOf(events[:3]), claimedIDs(first))
	for i, e := range first {
		require.Equal(t, 1, e.Attempts)
		require.False(t, e.Claim.IsZero())
		require.Equal(t, first[0].Claim, e.Claim, "one claim, one token")
		want := events[i]
		require.Equal(t, want.Type, e.Type)
		require.Equal(t, want.Tenant, e.Tenant)
		require.Equal(t, want.AggregateID, e.AggregateID)
		require.Equal(t, want.Version, e.Version)
		require.True(t, want.At.Equal(e.At))
		require.Equal(t, time.UTC, e.At.Location())
		require.Equal(t, want.Actor, e.Actor)
		raw, ok := e.Data.(json.RawMessage)
		require.True(t, ok, "Data is json.RawMessage, got %T", e.Data)
		var got outboxData
		require.NoError(t, json.Unmarshal(raw, &got))
		require.Equal(t, want.Data, got)
	}

	// The leased events are not handed out again; the rest are.
	second, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: ten, Lease: time.Minute})
	require.NoError(t, err)
	require.Equal(t, idsOf(events[3:]), claimedIDs(second))
	require.NotEqual(t, first[0].Claim, second[0].Claim)
	none, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: ten})
	require.NoError(t, err)
	require.NotNil(t, none)
	require.Empty(t, none)

	require.NoError(t, s.AckEvents(ctx, first))
	require.Equal(t, 2, outboxCount(t, s, ten))
	require.NoError(t, s.AckEvents(ctx, first), "acking twice is harmless")
	// A forged claim acknowledges nothing.
	forged := append([]storage.OutboxEvent(nil), second...)
	for i := range forged {
		forged[i].Claim = newID(t)
	}
	require.NoError(t, s.AckEvents(ctx, forged))
	require.Equal(t, 2, outboxCount(t, s, ten))
	require.NoError(t, s.AckEvents(ctx, second))
	require.Zero(t, outboxCount(t, s, ten))
	require.NoError(t, s.AckEvents(ctx, nil))
	require.NoError(t, s.AppendEvents(ctx, nil))
}

func TestOutboxLeaseExpiry(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	events := newEvents(t, ten, 2)
	require.NoError(t, s.AppendEvents(ctx, events))
	first, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: ten, Lease: time.Hour})
	require.NoError(t, err)
	require.Len(t, first, 2)
	// The drainer crashed: its lease runs out (moved into the past behind
	// the store's back rather than waited for).
	_, err = pgtest.Pool(t).Exec(ctx, "UPDATE "+pgx.Identifier{s.Schema(), "outbox"}.Sanitize()+
		" SET claimed_until = clock_timestamp() - interval '1 second' WHERE tenant_id = $1 AND id = $2", string(ten), [16]byte(events[0].ID))
	require.NoError(t, err)
	again, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: ten, Lease: time.Hour})
	require.NoError(t, err)
	require.Equal(t, idsOf(events[:1]), claimedIDs(again))
	require.Equal(t, 2, again[0].Attempts)
	require.NotEqual(t, first[0].Claim, again[0].Claim)
	// The first drainer's late ack leaves the event to the second.
	require.NoError(t, s.AckEvents(ctx, first[:1]))
	require.Equal(t, 2, outboxCount(t, s, ten))
	require.NoError(t, s.AckEvents(ctx, again))
	require.Equal(t, 1, outboxCount(t, s, ten))

	// A real, short lease lapses by the server's clock.
	short, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: ten, Lease: storage.MinLease})
	require.NoError(t, err)
	require.Len(t, short, 0, "event 1 is still under its hour-long lease")
	require.NoError(t, s.AckEvents(ctx, first[1:]))
	require.NoError(t, s.AppendEvents(ctx, newEvents(t, ten, 1)))
	short, err = s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: ten, Lease: storage.MinLease})
	require.NoError(t, err)
	require.Len(t, short, 1)
	require.Eventually(t, func() bool {
		got, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: ten, Lease: time.Hour})
		return err == nil && len(got) == 1 && got[0].Attempts == 2
	}, 5*time.Second, 5*time.Millisecond)
}

func TestOutboxRollbackLeavesNothing(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	c := newCustomer(t, ten, custOpts{})
	boom := errors.New("boom")
	err := s.InTx(ctx, func(ctx context.Context) error {
		require.NoError(t, s.Customers().Create(ctx, c))
		require.NoError(t, s.AppendEvents(ctx, newEvents(t, ten, 3)))
		return boom
	})
	require.ErrorIs(t, err, boom)
	require.Zero(t, outboxCount(t, s, ten))
	_, err = s.Customers().Get(ctx, ten, c.ID())
	require.ErrorIs(t, err, crm.ErrNotFound)

	// Committed: the change and its events together.
	c = newCustomer(t, ten, custOpts{})
	require.NoError(t, s.InTx(ctx, func(ctx context.Context) error {
		if err := s.Customers().Create(ctx, c); err != nil {
			return err
		}
		return s.AppendEvents(ctx, newEvents(t, ten, 3))
	}))
	require.Equal(t, 3, outboxCount(t, s, ten))
}

func TestOutboxDuplicate(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	a, b := newTenant(), newTenant()
	stored := newEvents(t, a, 1)
	require.NoError(t, s.AppendEvents(ctx, stored))
	// The same ID in another tenant is another event.
	other := stored[0]
	other.Tenant = b
	require.NoError(t, s.AppendEvents(ctx, []crm.Event{other}))
	// One tenant, no transaction (one statement of its own): nothing of
	// the call is stored.
	require.ErrorIs(t, s.AppendEvents(ctx, append(newEvents(t, a, 2), stored[0])), crm.ErrDuplicate)
	require.Equal(t, 1, outboxCount(t, s, a))
	// A call holding a stored ID stores nothing, and a caller's
	// transaction stays usable.
	batch := append(newEvents(t, b, 2), append(newEvents(t, a, 2), stored[0])...)
	require.ErrorIs(t, s.AppendEvents(ctx, batch), crm.ErrDuplicate)
	require.Equal(t, 1, outboxCount(t, s, a))
	require.Equal(t, 1, outboxCount(t, s, b))
	require.NoError(t, s.InTx(ctx, func(ctx context.Context) error {
		require.ErrorIs(t, s.AppendEvents(ctx, batch), crm.ErrDuplicate)
		return s.AppendEvents(ctx, newEvents(t, a, 1))
	}))
	require.Equal(t, 2, outboxCount(t, s, a))
	require.Equal(t, 1, outboxCount(t, s, b))
}

func TestOutboxTenantFilter(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	a, b := newTenant(), newTenant()
	ea, eb := newEvents(t, a, 3), newEvents(t, b, 2)
	require.NoError(t, s.AppendEvents(ctx, append(append([]crm.Event(nil), ea...), eb...)))
	got, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: b})
	require.NoError(t, err)
	require.Equal(t, idsOf(eb), claimedIDs(got))
	for _, e := range got {
		require.Equal(t, b, e.Tenant)
	}
	// Acknowledging under another tenant's name removes nothing.
	wrong := append([]storage.OutboxEvent(nil), got...)
	for i := range wrong {
		wrong[i].Tenant = a
	}
	require.NoError(t, s.AckEvents(ctx, wrong))
	require.Equal(t, 2, outboxCount(t, s, b))
	// Across tenants: what is left, in ID order.
	all, err := s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Equal(t, idsOf(ea), claimedIDs(all))
}

func TestOutboxInvalid(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	valid := func() crm.Event { return newEvents(t, ten, 1)[0] }
	appends := []struct {
		name string
		edit func(e *crm.Event)
	}{
		{"zero id", func(e *crm.Event) { e.ID = crm.NilID }},
		{"bad tenant", func(e *crm.Event) { e.Tenant = "" }},
		{"no type", func(e *crm.Event) { e.Type = "" }},
		{"no aggregate", func(e *crm.Event) { e.AggregateID = crm.NilID }},
		{"negative version", func(e *crm.Event) { e.Version = -1 }},
		{"zero time", func(e *crm.Event) { e.At = time.Time{} }},
		{"time beyond the stored range", func(e *crm.Event) { e.At = crm.MaxTime.Add(time.Hour) }},
		{"data not JSON", func(e *crm.Event) { e.Data = func() {} }},
	}
	for _, tc := range appends {
		t.Run("append "+tc.name, func(t *testing.T) {
			e := valid()
			tc.edit(&e)
			require.ErrorIs(t, s.AppendEvents(ctx, []crm.Event{e}), crm.ErrInvalid)
		})
	}
	require.Zero(t, outboxCount(t, s, ten))
	t.Run("append NUL in data", func(t *testing.T) {
		// encoding/json writes it as \u0000, which jsonb refuses.
		e := valid()
		e.Data = outboxData{Name: "a\x00b"}
		err := s.AppendEvents(ctx, []crm.Event{e})
		require.ErrorIs(t, err, crm.ErrInvalid)
	})
	require.Zero(t, outboxCount(t, s, ten))
	claims := []struct {
		name string
		req  storage.ClaimRequest
	}{
		{"negative limit", storage.ClaimRequest{Limit: -1}},
		{"limit too large", storage.ClaimRequest{Limit: storage.MaxClaimLimit + 1}},
		{"lease too short", storage.ClaimRequest{Lease: time.Microsecond}},
		{"lease too long", storage.ClaimRequest{Lease: storage.MaxLease + 1}},
		{"bad tenant", storage.ClaimRequest{Tenant: "a\x00b"}},
	}
	for _, tc := range claims {
		t.Run("claim "+tc.name, func(t *testing.T) {
			_, err := s.ClaimEvents(ctx, tc.req)
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
	t.Run("ack bad tenant", func(t *testing.T) {
		require.ErrorIs(t, s.AckEvents(ctx, []storage.OutboxEvent{{Event: crm.Event{ID: newID(t), Tenant: ""}, Claim: newID(t)}}), crm.ErrInvalid)
	})
	t.Run("too many at once", func(t *testing.T) {
		many := newEvents(t, ten, storage.MaxAppendEvents+1)
		require.ErrorIs(t, s.AppendEvents(ctx, many), crm.ErrInvalid)
		acks := make([]storage.OutboxEvent, storage.MaxAppendEvents+1)
		for i, e := range many {
			acks[i] = storage.OutboxEvent{Event: e, Claim: newID(t)}
		}
		require.ErrorIs(t, s.AckEvents(ctx, acks), crm.ErrInvalid)
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		require.ErrorIs(t, s.AppendEvents(cctx, []crm.Event{valid()}), context.Canceled)
		_, err := s.ClaimEvents(cctx, storage.ClaimRequest{})
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, s.AckEvents(cctx, []storage.OutboxEvent{{Event: valid(), Claim: newID(t)}}), context.Canceled)
		require.Zero(t, outboxCount(t, s, ten))
	})
}

// TestOutboxConcurrentDrainers runs four drainers over one outbox: no
// event is held by two drainers at once, and together they deliver every
// event.
func TestOutboxConcurrentDrainers(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	const total = 600
	tenants := []crm.TenantID{newTenant(), newTenant()}
	var want []crm.ID
	for i := 0; i < total; i += 100 {
		batch := newEvents(t, tenants[(i/100)%2], 100)
		require.NoError(t, s.AppendEvents(ctx, batch))
		want = append(want, idsOf(batch)...)
	}
	var (
		mu        sync.Mutex
		held      = map[crm.ID]bool{}
		delivered = map[crm.ID]int{}
		overlap   []crm.ID
	)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				batch, err := s.ClaimEvents(ctx, storage.ClaimRequest{Limit: 7 + w, Lease: time.Minute})
				if err != nil {
					errs <- err
					return
				}
				if len(batch) == 0 {
					return
				}
				mu.Lock()
				for _, e := range batch {
					if held[e.ID] {
						overlap = append(overlap, e.ID)
					}
					held[e.ID] = true
					delivered[e.ID]++
				}
				mu.Unlock()
				// Deliver, then acknowledge: the events stay held until
				// the ack removed them.
				if err := s.AckEvents(ctx, batch); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for _, e := range batch {
					delete(held, e.ID)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Empty(t, overlap)
	require.Len(t, delivered, total)
	for _, id := range want {
		require.Equal(t, 1, delivered[id], "event %s", id)
	}
	for _, ten := range tenants {
		require.Zero(t, outboxCount(t, s, ten))
	}
}

// TestOutboxRowLevelSecurity drains through a role the policies bind: per
// tenant it works, across tenants it is refused.
func TestOutboxRowLevelSecurity(t *testing.T) {
	t.Parallel()
	role, pool := appRole(t)
	_, app := rlsStore(t, role, pool)
	ctx := context.Background()
	a, b := newTenant(), newTenant()
	ea, eb := newEvents(t, a, 2), newEvents(t, b, 2)
	require.NoError(t, app.AppendEvents(ctx, append(append([]crm.Event(nil), ea...), eb...)))
	_, err := app.ClaimEvents(ctx, storage.ClaimRequest{})
	require.ErrorIs(t, err, crm.ErrUnsupported)
	got, err := app.ClaimEvents(ctx, storage.ClaimRequest{Tenant: a})
	require.NoError(t, err)
	require.Equal(t, idsOf(ea), claimedIDs(got))
	require.NoError(t, app.AckEvents(ctx, got))
	got, err = app.ClaimEvents(ctx, storage.ClaimRequest{Tenant: b})
	require.NoError(t, err)
	require.Equal(t, idsOf(eb), claimedIDs(got))
	require.NoError(t, app.AckEvents(ctx, got))
	got, err = app.ClaimEvents(ctx, storage.ClaimRequest{Tenant: a})
	require.NoError(t, err)
	require.Empty(t, got)
}

// TestOutboxLargeBatches appends the most events one call may hold and
// drains them with the largest claims.
func TestOutboxLargeBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("appends 10,000 events")
	}
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	events := newEvents(t, ten, storage.MaxAppendEvents)
	require.NoError(t, s.AppendEvents(ctx, events))
	var got []crm.ID
	for {
		batch, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: ten, Limit: storage.MaxClaimLimit})
		require.NoError(t, err)
		if len(batch) == 0 {
			break
		}
		require.LessOrEqual(t, len(batch), storage.MaxClaimLimit)
		got = append(got, claimedIDs(batch)...)
		require.NoError(t, s.AckEvents(ctx, batch))
	}
	require.Equal(t, idsOf(events), got)
	require.Zero(t, outboxCount(t, s, ten))
}

// BenchmarkOutboxAppend appends the events of one change (three events)
// in a transaction of its own.
func BenchmarkOutboxAppend(b *testing.B) {
	s := newStore(b, nil)
	ctx := context.Background()
	ten := newTenant()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		events := newEvents(b, ten, 3)
		b.StartTimer()
		if err := s.AppendEvents(ctx, events); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOutboxDrain claims and acknowledges batches of 100 events.
func BenchmarkOutboxDrain(b *testing.B) {
	s := newStore(b, nil)
	ctx := context.Background()
	ten := newTenant()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if err := s.AppendEvents(ctx, newEvents(b, ten, 100)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		batch, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: ten, Limit: 100})
		if err != nil || len(batch) != 100 {
			b.Fatal(len(batch), err)
		}
		if err := s.AckEvents(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}
