package storagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/storage"
)

// outboxData is the Data of the suite's events.
type outboxData struct {
	N    int      `json:"n"`
	Text string   `json:"text"`
	Tags []string `json:"tags"`
}

// newEvents returns n valid events of tenant, not stored.
func newEvents(tb testing.TB, tenant crm.TenantID, n int) []crm.Event {
	tb.Helper()
	agg := NewID(tb)
	out := make([]crm.Event, n)
	for i := range out {
		out[i] = crm.Event{
			ID: NewID(tb), Type: "storagetest.happened", Tenant: tenant, AggregateID: agg,
			Version: int64(i + 1), At: at(i), Actor: "storagetest",
			Data: outboxData{N: i, Text: fmt.Sprintf("event %d: \"quoted\" \\ ünïcode", i), Tags: []string{"a", "b"}},
		}
	}
	return out
}

// claimAll claims the tenant's free events until none is left, without
// acknowledging them.
func claimAll(tb testing.TB, ob storage.Outbox, tenant crm.TenantID, lease time.Duration) []storage.OutboxEvent {
	tb.Helper()
	var out []storage.OutboxEvent
	for range 1000 {
		batch, err := ob.ClaimEvents(context.Background(), storage.ClaimRequest{Tenant: tenant, Limit: storage.MaxClaimLimit, Lease: lease})
		require.NoError(tb, err)
		if len(batch) == 0 {
			return out
		}
		out = append(out, batch...)
	}
	tb.Fatal("claiming did not end")
	return nil
}

// pollClaim claims the tenant's events until some are free (their lease
// has run out on the store's clock), for at most 10 s.
func pollClaim(tb testing.TB, ob storage.Outbox, tenant crm.TenantID, lease time.Duration) []storage.OutboxEvent {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := ob.ClaimEvents(context.Background(), storage.ClaimRequest{Tenant: tenant, Lease: lease})
		require.NoError(tb, err)
		if len(got) > 0 {
			return got
		}
		require.True(tb, time.Now().Before(deadline), "an expired lease was never claimed again")
		time.Sleep(10 * time.Millisecond)
	}
}

func outboxIDs(es []storage.OutboxEvent) []crm.ID {
	out := make([]crm.ID, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func appendedIDs(es []crm.Event) []crm.ID {
	out := make([]crm.ID, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// testOutbox proves the transactional outbox.
func testOutbox(t *testing.T, e *env) {
	ctx := context.Background()
	ob := e.ob
	const long = time.Hour // a lease no case outlives

	t.Run("ClaimAck", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		events := newEvents(t, tenant, 5)
		require.NoError(t, ob.AppendEvents(ctx, events))
		got := claimAll(t, ob, tenant, long)
		require.Equal(t, appendedIDs(events), outboxIDs(got), "every event once, in ascending ID order")
		for _, g := range got {
			require.Equal(t, 1, g.Attempts)
			require.False(t, g.Claim.IsZero(), "a claimed event must carry its claim")
		}
		require.Empty(t, claimAll(t, ob, tenant, long), "events under a running lease were claimed again")
		require.NoError(t, ob.AckEvents(ctx, got))
		require.NoError(t, ob.AckEvents(ctx, got), "acknowledging twice")
		require.NoError(t, ob.AckEvents(ctx, nil), "acknowledging nothing")
	})

	t.Run("DataRoundTrip", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		events := newEvents(t, tenant, 3)
		events[1].Data = map[string]any{"nested": map[string]any{"list": []int{1, 2, 3}}, "null": nil}
		events[2].Data = nil
		require.NoError(t, ob.AppendEvents(ctx, events))
		got := claimAll(t, ob, tenant, long)
		require.Len(t, got, len(events))
		for i, g := range got {
			want, err := json.Marshal(events[i].Data)
			require.NoError(t, err)
			raw, ok := g.Data.(json.RawMessage)
			require.True(t, ok, "Data must come back as json.RawMessage, got %T", g.Data)
			require.JSONEq(t, string(want), string(raw), "event %d", i)
			require.Equal(t, events[i].Type, g.Type)
			require.Equal(t, events[i].Tenant, g.Tenant)
			require.Equal(t, events[i].AggregateID, g.AggregateID)
			require.Equal(t, events[i].Version, g.Version)
			require.Equal(t, events[i].Actor, g.Actor)
			require.True(t, events[i].At.Equal(g.At), "event %d: At %s, want %s", i, g.At, events[i].At)
		}
		require.NoError(t, ob.AckEvents(ctx, got))
	})

	t.Run("RolledBackLeavesNothing", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		events := newEvents(t, tenant, 4)
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			if err := ob.AppendEvents(ctx, events[:2]); err != nil {
				return err
			}
			if err := ob.AppendEvents(ctx, events[2:]); err != nil {
				return err
			}
			return errInjected
		})
		require.ErrorIs(t, err, errInjected)
		require.PanicsWithValue(t, "storagetest: boom", func() {
			_ = e.s.InTx(ctx, func(ctx context.Context) error {
				if err := ob.AppendEvents(ctx, events); err != nil {
					return err
				}
				panic("storagetest: boom")
			})
		})
		require.Empty(t, claimAll(t, ob, tenant, long), "events of a rolled-back transaction were stored")
		// The IDs are free: nothing of them was kept.
		require.NoError(t, e.s.InTx(ctx, func(ctx context.Context) error { return ob.AppendEvents(ctx, events) }))
		require.Equal(t, appendedIDs(events), outboxIDs(claimAll(t, ob, tenant, long)))
	})

	t.Run("DuplicateID", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		events := newEvents(t, tenant, 2)
		require.NoError(t, ob.AppendEvents(ctx, events[:1]))
		fresh := newEvents(t, tenant, 1)[0]
		err := ob.AppendEvents(ctx, []crm.Event{fresh, events[0]})
		require.ErrorIs(t, err, crm.ErrDuplicate)
		got := claimAll(t, ob, tenant, long)
		require.Equal(t, []crm.ID{events[0].ID}, outboxIDs(got), "a refused append stored some of its events")
		// Another tenant may use the same event ID.
		other := events[0]
		other.Tenant = NewTenant(t)
		require.NoError(t, ob.AppendEvents(ctx, []crm.Event{other}))
		require.Len(t, claimAll(t, ob, other.Tenant, long), 1)
	})

	t.Run("InvalidEvents", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		for name, spoil := range map[string]func(*crm.Event){
			"ZeroID":       func(e *crm.Event) { e.ID = crm.ID{} },
			"NoTenant":     func(e *crm.Event) { e.Tenant = "" },
			"NoType":       func(e *crm.Event) { e.Type = "" },
			"Year10000":    func(e *crm.Event) { e.At = badYears[0].at },
			"Unencodable":  func(e *crm.Event) { e.Data = func() {} },
			"InvalidUTF8":  func(e *crm.Event) { e.Type = "bad\xff" },
			"NegativeVers": func(e *crm.Event) { e.Version = -1 },
		} {
			events := newEvents(t, tenant, 2)
			spoil(&events[1])
			require.ErrorIs(t, ob.AppendEvents(ctx, events), crm.ErrInvalid, name)
		}
		require.Empty(t, claimAll(t, ob, tenant, long), "a refused append stored some of its events")
	})

	t.Run("InvalidClaim", func(t *testing.T) {
		t.Parallel()
		for name, req := range map[string]storage.ClaimRequest{
			"NegativeLimit": {Limit: -1},
			"LimitTooLarge": {Limit: storage.MaxClaimLimit + 1},
			"NegativeLease": {Lease: -time.Second},
			"LeaseTooShort": {Lease: storage.MinLease / 2},
			"LeaseTooLong":  {Lease: storage.MaxLease + time.Second},
			"BadTenant":     {Tenant: "a tenant"},
		} {
			if req.Tenant == "" {
				req.Tenant = NewTenant(t)
			}
			got, err := ob.ClaimEvents(ctx, req)
			require.ErrorIs(t, err, crm.ErrInvalid, name)
			require.Empty(t, got, name)
		}
	})

	t.Run("TenantFilter", func(t *testing.T) {
		t.Parallel()
		t1, t2 := NewTenant(t), NewTenant(t)
		e1, e2 := newEvents(t, t1, 3), newEvents(t, t2, 3)
		require.NoError(t, ob.AppendEvents(ctx, append(append([]crm.Event{}, e1...), e2...)))
		require.Equal(t, appendedIDs(e1), outboxIDs(claimAll(t, ob, t1, long)))
		require.Equal(t, appendedIDs(e2), outboxIDs(claimAll(t, ob, t2, long)))
	})

	t.Run("LeaseExpiryRedelivers", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		events := newEvents(t, tenant, 2)
		require.NoError(t, ob.AppendEvents(ctx, events))
		const lease = 50 * time.Millisecond
		first, err := ob.ClaimEvents(ctx, storage.ClaimRequest{Tenant: tenant, Lease: lease})
		require.NoError(t, err)
		require.Len(t, first, 2)
		// The lease runs on the store's clock: poll until it has run out.
		again := pollClaim(t, ob, tenant, lease)
		require.Equal(t, outboxIDs(first), outboxIDs(again))
		for i, g := range again {
			require.Equal(t, 2, g.Attempts, "event %d", i)
			require.NotEqual(t, first[i].Claim, g.Claim, "a new claim must carry a new token")
		}
		// The first worker's late acknowledgement is ignored: the events
		// come back once the second claim runs out too.
		require.NoError(t, ob.AckEvents(ctx, first))
		third := pollClaim(t, ob, tenant, long)
		require.Equal(t, outboxIDs(first), outboxIDs(third), "a stale acknowledgement removed events")
		for i, g := range third {
			require.Equal(t, 3, g.Attempts, "event %d", i)
		}
		require.NoError(t, ob.AckEvents(ctx, third))
		time.Sleep(4 * lease)
		require.Empty(t, claimAll(t, ob, tenant, long), "an acknowledged event came back")
	})

	t.Run("AckedNeverReturns", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		events := newEvents(t, tenant, 3)
		require.NoError(t, ob.AppendEvents(ctx, events))
		const lease = 50 * time.Millisecond
		got, err := ob.ClaimEvents(ctx, storage.ClaimRequest{Tenant: tenant, Lease: lease})
		require.NoError(t, err)
		require.Len(t, got, 3)
		require.NoError(t, ob.AckEvents(ctx, got))
		time.Sleep(4 * lease)
		require.Empty(t, claimAll(t, ob, tenant, long))
	})

	t.Run("ConcurrentDrainers", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		const total, drainers = 300, 4
		events := newEvents(t, tenant, total)
		for i := 0; i < total; i += 50 {
			require.NoError(t, ob.AppendEvents(ctx, events[i:i+50]))
		}
		var mu sync.Mutex
		held := map[crm.ID]int{}      // event -> drainer holding it
		delivered := map[crm.ID]int{} // event -> deliveries
		errs := make([]error, drainers)
		var wg sync.WaitGroup
		for d := range drainers {
			wg.Go(func() {
				for range 10000 {
					batch, err := ob.ClaimEvents(ctx, storage.ClaimRequest{Tenant: tenant, Limit: 7, Lease: long})
					if err != nil {
						errs[d] = err
						return
					}
					if len(batch) == 0 {
						return
					}
					mu.Lock()
					for _, ev := range batch {
						if other, ok := held[ev.ID]; ok {
							errs[d] = fmt.Errorf("event %s claimed by drainers %d and %d at once", ev.ID, other, d)
						}
						held[ev.ID] = d
						delivered[ev.ID]++
					}
					mu.Unlock()
					// Deliver: hold the batch a while, so that a store
					// that hands held events to others is caught.
					time.Sleep(time.Millisecond)
					mu.Lock()
					for _, ev := range batch {
						delete(held, ev.ID)
					}
					mu.Unlock()
					if err := ob.AckEvents(ctx, batch); err != nil {
						errs[d] = err
						return
					}
				}
			})
		}
		wg.Wait()
		for d, err := range errs {
			require.NoError(t, err, "drainer %d", d)
		}
		require.Len(t, delivered, total, "events were never delivered")
		for id, n := range delivered {
			require.Equal(t, 1, n, "event %s delivered %d times", id, n)
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		events := newEvents(t, tenant, 2)
		require.ErrorIs(t, ob.AppendEvents(cancelled, events), context.Canceled)
		require.Empty(t, claimAll(t, ob, tenant, long))
		require.NoError(t, ob.AppendEvents(ctx, events))
		_, err := ob.ClaimEvents(cancelled, storage.ClaimRequest{Tenant: tenant})
		require.ErrorIs(t, err, context.Canceled)
		got := claimAll(t, ob, tenant, long)
		require.Len(t, got, 2, "a cancelled claim took events")
		require.ErrorIs(t, ob.AckEvents(cancelled, got), context.Canceled)
		require.NoError(t, ob.AckEvents(ctx, got))
	})
}

// testOutboxAllTenants proves claims across tenants; it has the store to
// itself.
func testOutboxAllTenants(t *testing.T, e *env) {
	ctx := context.Background()
	ob := e.ob
	t1, t2 := NewTenant(t), NewTenant(t)
	e1, e2 := newEvents(t, t1, 3), newEvents(t, t2, 3)
	require.NoError(t, ob.AppendEvents(ctx, e1))
	require.NoError(t, ob.AppendEvents(ctx, e2))
	if e.f.OutboxClaimsNameTenant {
		_, err := ob.ClaimEvents(ctx, storage.ClaimRequest{})
		require.ErrorIs(t, err, crm.ErrUnsupported, "a claim across tenants is refused, never partial")
		got, err := ob.ClaimEvents(ctx, storage.ClaimRequest{Tenant: t1})
		require.NoError(t, err)
		require.Len(t, got, len(e1), "a claim naming the tenant works")
		return
	}
	want := map[crm.ID]crm.TenantID{}
	for _, ev := range append(append([]crm.Event{}, e1...), e2...) {
		want[ev.ID] = ev.Tenant
	}
	got := claimAll(t, ob, "", time.Hour)
	require.Len(t, got, len(want))
	for i, g := range got {
		require.Equal(t, want[g.ID], g.Tenant, "event %s", g.ID)
		if i > 0 {
			require.Negative(t, got[i-1].ID.Compare(g.ID), "events must come in ascending ID order")
		}
	}
	require.NoError(t, ob.AckEvents(ctx, got))
	require.Empty(t, claimAll(t, ob, "", time.Hour))
}
