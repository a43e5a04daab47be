package memory_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/memory"
	"github.com/crmkit/crm/storage/storagetest"
)

var outboxEpoch = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func newOutboxStore() (*memory.Store, *crm.ManualClock) {
	clock := crm.NewManualClock(outboxEpoch)
	return memory.New(&memory.Options{Clock: clock}), clock
}

// testEvents returns n valid events of tenant with fresh, ascending IDs.
func testEvents(tb testing.TB, tenant crm.TenantID, n int) []crm.Event {
	tb.Helper()
	out := make([]crm.Event, n)
	for i := range out {
		out[i] = crm.Event{
			ID: storagetest.NewID(tb), Type: "test.happened", Tenant: tenant, AggregateID: storagetest.NewID(tb),
			Version: int64(i + 1), At: outboxEpoch, Actor: "tester", Data: map[string]int{"n": i},
		}
	}
	return out
}

func ids(events []storage.OutboxEvent) []crm.ID {
	out := make([]crm.ID, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

func idsOf(events []crm.Event) []crm.ID {
	out := make([]crm.ID, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

func TestOutboxClaimAck(t *testing.T) {
	t.Parallel()
	s, _ := newOutboxStore()
	ctx := context.Background()
	tenant := storagetest.NewTenant(t)
	events := testEvents(t, tenant, 5)
	require.NoError(t, s.AppendEvents(ctx, events))

	batch, err := s.ClaimEvents(ctx, storage.ClaimRequest{Limit: 3})
	require.NoError(t, err)
	require.Equal(t, idsOf(events[:3]), ids(batch))
	for i, e := range batch {
		require.Equal(t, 1, e.Attempts)
		require.False(t, e.Claim.IsZero())
		require.Equal(t, tenant, e.Tenant)
		require.JSONEq(t, `{"n":`+string(rune('0'+i))+`}`, string(e.Data.(json.RawMessage)))
	}
	rest, err := s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Equal(t, idsOf(events[3:]), ids(rest), "claimed events are not handed out again while leased")
	require.NoError(t, s.AckEvents(ctx, batch))
	require.NoError(t, s.AckEvents(ctx, batch), "acknowledging twice is harmless")
	require.NoError(t, s.AckEvents(ctx, rest))
	none, err := s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Empty(t, none)

	// An acknowledged event's ID may be appended again.
	require.NoError(t, s.AppendEvents(ctx, events[:1]))
	again, err := s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Equal(t, idsOf(events[:1]), ids(again))
	require.JSONEq(t, `{"n":0}`, string(again[0].Data.(json.RawMessage)))
}

func TestOutboxLeaseExpiry(t *testing.T) {
	t.Parallel()
	s, clock := newOutboxStore()
	ctx := context.Background()
	tenant := storagetest.NewTenant(t)
	events := testEvents(t, tenant, 2)
	require.NoError(t, s.AppendEvents(ctx, events))
	first, err := s.ClaimEvents(ctx, storage.ClaimRequest{Lease: time.Minute})
	require.NoError(t, err)
	require.Len(t, first, 2)
	first[0].Data.(json.RawMessage)[1] = 'X' // changes nothing stored

	clock.Advance(time.Minute - time.Millisecond)
	none, err := s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Empty(t, none, "redelivered before the lease ran out")

	clock.Advance(time.Millisecond)
	second, err := s.ClaimEvents(ctx, storage.ClaimRequest{Lease: time.Minute})
	require.NoError(t, err)
	require.Equal(t, ids(first), ids(second))
	require.JSONEq(t, `{"n":0}`, string(second[0].Data.(json.RawMessage)))
	for _, e := range second {
		require.Equal(t, 2, e.Attempts)
		require.NotEqual(t, first[0].Claim, e.Claim)
	}
	// The first worker's late ack does not remove what the second holds.
	require.NoError(t, s.AckEvents(ctx, first))
	clock.Advance(time.Minute)
	third, err := s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Equal(t, ids(first), ids(third))
	require.Equal(t, 3, third[0].Attempts)
	require.NoError(t, s.AckEvents(ctx, third))
	clock.Advance(time.Hour)
	none, err = s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Empty(t, none)
}

func TestOutboxTransactions(t *testing.T) {
	t.Parallel()
	s, _ := newOutboxStore()
	ctx := context.Background()
	tenant := storagetest.NewTenant(t)
	errFail := errors.New("fail")

	rolledBack := testEvents(t, tenant, 3)
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.AppendEvents(ctx, rolledBack); err != nil {
			return err
		}
		return errFail
	})
	require.ErrorIs(t, err, errFail)
	none, err := s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Empty(t, none, "a rolled-back transaction left events")

	// Uncommitted events are not claimable, even by a drainer of all
	// tenants that does not wait for the transaction.
	committed := testEvents(t, tenant, 2)
	err = s.InTx(ctx, func(txCtx context.Context) error {
		if err := s.AppendEvents(txCtx, committed); err != nil {
			return err
		}
		got, err := s.ClaimEvents(ctx, storage.ClaimRequest{})
		if err != nil {
			return err
		}
		if len(got) != 0 {
			return errors.New("claimed an uncommitted event")
		}
		return nil
	})
	require.NoError(t, err)
	got, err := s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Equal(t, idsOf(committed), ids(got))

	// A duplicate ID fails the whole call and stores nothing.
	fresh := testEvents(t, tenant, 1)
	err = s.AppendEvents(ctx, append(fresh, committed[0]))
	require.ErrorIs(t, err, crm.ErrDuplicate)
	require.NoError(t, s.AckEvents(ctx, got))
	none, err = s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Empty(t, none)
}

func TestOutboxTenants(t *testing.T) {
	t.Parallel()
	s, _ := newOutboxStore()
	ctx := context.Background()
	a, b := storagetest.NewTenant(t), storagetest.NewTenant(t)
	// Interleaved IDs across two tenants, appended in one call.
	var all []crm.Event
	for range 4 {
		all = append(all, testEvents(t, a, 1)...)
		all = append(all, testEvents(t, b, 1)...)
	}
	require.NoError(t, s.AppendEvents(ctx, all))

	onlyB, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: b, Limit: 3})
	require.NoError(t, err)
	require.Len(t, onlyB, 3)
	for _, e := range onlyB {
		require.Equal(t, b, e.Tenant)
	}
	rest, err := s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Len(t, rest, 5)
	require.True(t, slices.IsSortedFunc(ids(rest), crm.ID.Compare), "claims across tenants come in ascending ID order")
	var want []crm.ID
	for _, e := range all {
		if !slices.Contains(ids(onlyB), e.ID) {
			want = append(want, e.ID)
		}
	}
	require.Equal(t, want, ids(rest))

	none, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: storagetest.NewTenant(t)})
	require.NoError(t, err)
	require.Empty(t, none)
}

func TestOutboxConcurrentDrainers(t *testing.T) {
	t.Parallel()
	s, _ := newOutboxStore()
	ctx := context.Background()
	const n = 2_000
	var all []crm.Event
	for range 4 {
		all = append(all, testEvents(t, storagetest.NewTenant(t), n/4)...)
	}
	require.NoError(t, s.AppendEvents(ctx, all))
	var mu sync.Mutex
	seen := map[crm.ID]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				batch, err := s.ClaimEvents(ctx, storage.ClaimRequest{Limit: 7})
				if err != nil {
					t.Error(err)
					return
				}
				if len(batch) == 0 {
					return
				}
				mu.Lock()
				for _, e := range batch {
					seen[e.ID]++
				}
				mu.Unlock()
				if err := s.AckEvents(ctx, batch); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	require.Len(t, seen, n)
	for id, times := range seen {
		require.Equal(t, 1, times, "event %s handed to two drainers", id)
	}
}

func TestOutboxInvalid(t *testing.T) {
	t.Parallel()
	s, _ := newOutboxStore()
	ctx := context.Background()
	tenant := storagetest.NewTenant(t)
	good := testEvents(t, tenant, 1)[0]
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"AppendZeroID", func() error { e := good; e.ID = crm.ID{}; return s.AppendEvents(ctx, []crm.Event{e}) }, crm.ErrInvalid},
		{"AppendBadTenant", func() error { e := good; e.Tenant = "bad tenant!"; return s.AppendEvents(ctx, []crm.Event{e}) }, crm.ErrInvalid},
		{"AppendBadData", func() error { e := good; e.Data = func() {}; return s.AppendEvents(ctx, []crm.Event{e}) }, crm.ErrInvalid},
		{"AppendCancelled", func() error { return s.AppendEvents(cancelled, []crm.Event{good}) }, context.Canceled},
		{"ClaimNegativeLimit", func() error { _, err := s.ClaimEvents(ctx, storage.ClaimRequest{Limit: -1}); return err }, crm.ErrInvalid},
		{"ClaimHugeLimit", func() error {
			_, err := s.ClaimEvents(ctx, storage.ClaimRequest{Limit: storage.MaxClaimLimit + 1})
			return err
		}, crm.ErrInvalid},
		{"ClaimShortLease", func() error { _, err := s.ClaimEvents(ctx, storage.ClaimRequest{Lease: time.Microsecond}); return err }, crm.ErrInvalid},
		{"ClaimBadTenant", func() error { _, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: "bad tenant!"}); return err }, crm.ErrInvalid},
		{"ClaimCancelled", func() error { _, err := s.ClaimEvents(cancelled, storage.ClaimRequest{}); return err }, context.Canceled},
		{"AckZeroClaim", func() error {
			return s.AckEvents(ctx, []storage.OutboxEvent{{Event: good}})
		}, crm.ErrInvalid},
		{"AckCancelled", func() error {
			return s.AckEvents(cancelled, []storage.OutboxEvent{{Event: good, Claim: storagetest.NewID(t)}})
		}, context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.call(), tc.want)
		})
	}
	// Nothing above stored an event.
	none, err := s.ClaimEvents(ctx, storage.ClaimRequest{})
	require.NoError(t, err)
	require.Empty(t, none)
	// Unknown events are ignored.
	require.NoError(t, s.AckEvents(ctx, []storage.OutboxEvent{{Event: good, Claim: storagetest.NewID(t)}}))
}
