package storagetest

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testPaging proves deterministic order and cursor paging that neither
// skips nor repeats records while other goroutines insert.
func testPaging(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("InteractionsWhileInserting", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		var want []customer.Interaction
		for i := range 20 {
			in := newInteraction(t, tenant, c.ID(), i%7) // equal times: ties broken by ID
			require.NoError(t, e.c.AddInteraction(ctx, in))
			want = append(want, in)
		}
		slices.SortFunc(want, customer.CompareInteractions)
		var seen []customer.Interaction
		page := crm.PageRequest{Limit: 3}
		for n := 0; ; n++ {
			require.Less(t, n, 1000, "paging did not finish")
			// Newer and older interactions arrive while paging.
			require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), 100+n)))
			require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), -100-n)))
			p, err := e.c.Interactions(ctx, tenant, c.ID(), page)
			require.NoError(t, err)
			seen = append(seen, p.Items...)
			if p.Next == "" {
				break
			}
			page.Cursor = p.Next
		}
		require.True(t, slices.IsSortedFunc(seen, customer.CompareInteractions), "pages out of order")
		for i := 1; i < len(seen); i++ {
			require.NotEqual(t, seen[i-1].ID, seen[i].ID, "an interaction was repeated")
		}
		seenIDs := make(map[crm.ID]bool, len(seen))
		for _, in := range seen {
			seenIDs[in.ID] = true
		}
		for _, in := range want {
			require.True(t, seenIDs[in.ID], "an interaction present before paging began was skipped")
		}
		all := allInteractions(t, e.c, tenant, c.ID(), crm.MaxPageLimit)
		require.True(t, slices.IsSortedFunc(all, customer.CompareInteractions))
	})

	t.Run("HistoryWhileAppending", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		stage := func(x *customer.Customer, h int) error {
			to := customer.Established
			if x.Stage() == customer.Established {
				to = customer.Unfamiliar
			}
			return x.MoveStage(to, "", change(h))
		}
		for i := range 10 {
			_, err := e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error { return stage(x, i%4) })
			require.NoError(t, err)
		}
		want := normHistory(allHistory(t, e.c, tenant, c.ID(), crm.MaxPageLimit))
		require.Len(t, want, 11)
		var seen []customer.HistoryEntry
		page := crm.PageRequest{Limit: 4}
		for n := 0; ; n++ {
			require.Less(t, n, 1000, "paging did not finish")
			_, err := e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error { return stage(x, 1000+n) })
			require.NoError(t, err)
			p, err := e.c.History(ctx, tenant, c.ID(), page)
			require.NoError(t, err)
			seen = append(seen, p.Items...)
			if p.Next == "" {
				break
			}
			page.Cursor = p.Next
		}
		seen = normHistory(seen)
		require.True(t, slices.IsSortedFunc(seen, customer.CompareHistory), "pages out of order")
		require.Equal(t, want, seen[:len(want)], "entries present before paging began were skipped or repeated")
		for i := 1; i < len(seen); i++ {
			require.NotEqual(t, 0, customer.CompareHistory(seen[i-1], seen[i]), "an entry was repeated")
		}
	})
}
