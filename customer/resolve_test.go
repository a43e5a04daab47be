package customer_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// TestResolveLongMergeChain merges 100 times in a row, each survivor then
// merged into the next customer: the first customer resolves to the last,
// and the chain is shortened so that every tombstone passed points to it.
func TestResolveLongMergeChain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const merges = 100
	chain := make([]*customer.Customer, merges+1)
	for i := range chain {
		chain[i] = f.create(t, "Zhang Wei", "wang", "", "")
	}
	for i := range merges {
		_, err := f.svc.Merge(ctx, tenant, chain[i+1].ID(), chain[i].ID(), customer.Survivorship{}, customer.Change{Actor: "admin"})
		require.NoError(t, err, "merge %d", i)
	}
	last := chain[merges].ID()
	histBefore, err := f.svc.History(ctx, tenant, last, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	published := len(f.sink.events)

	got, err := f.svc.Resolve(ctx, tenant, chain[0].ID())
	require.NoError(t, err)
	require.Equal(t, last, got.ID())
	require.False(t, got.IsTombstone())

	for i := range merges {
		tomb, err := f.svc.Get(ctx, tenant, chain[i].ID())
		require.NoError(t, err)
		require.Equal(t, last, tomb.MergedInto(), "tombstone %d points to the final survivor", i)
	}
	got, err = f.svc.Resolve(ctx, tenant, chain[50].ID())
	require.NoError(t, err)
	require.Equal(t, last, got.ID())

	hist, err := f.svc.History(ctx, tenant, last, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	require.Equal(t, histBefore, hist, "shortening the chain records no history")
	require.Len(t, f.sink.events, published, "and publishes nothing")
}

// TestResolveUnresolvable: a forged merge cycle and a tombstone pointing to
// a missing customer are errors that do not invite a retry.
func TestResolveUnresolvable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	tomb := func(id, into crm.ID) {
		r := guardRecord(t, 0)
		r.ID, r.Tenant, r.MergedInto = id, tenant, into
		require.NoError(t, f.store.Customers().Create(ctx, guardBuild(t, r)))
	}
	tomb(entID(1), entID(2))
	tomb(entID(2), entID(3))
	tomb(entID(3), entID(1))
	tomb(entID(4), entID(99))

	for _, tc := range []struct {
		name string
		id   crm.ID
	}{
		{"cycle", entID(1)},
		{"cycle entered midway", entID(3)},
		{"dangling tombstone", entID(4)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Resolve(ctx, tenant, tc.id)
			require.ErrorIs(t, err, crm.ErrCorrupt)
			require.NotErrorIs(t, err, crm.ErrConflict, "no invitation to retry")
			require.NotErrorIs(t, err, crm.ErrNotFound)
		})
	}
	_, err := f.svc.Resolve(ctx, tenant, entID(50))
	require.ErrorIs(t, err, crm.ErrNotFound, "a missing customer is just missing")
}
