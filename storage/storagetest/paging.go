package storagetest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testPaging proves deterministic order and cursor paging that neither
// skips nor repeats records while other goroutines insert.
func testPaging(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("CustomersWhileInserting", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		const initial, pageSize = 40, 7
		want := make([]crm.ID, initial)
		for i := range want {
			want[i] = CreateCustomer(t, e.c, tenant, nil).ID()
		}
		// IDs made now but stored only during paging: they sort before
		// records stored later, possibly before the cursor.
		early := make([]*customer.Customer, 10)
		for i := range early {
			early[i] = NewCustomer(t, tenant, nil)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		insertErrs := make([]error, 3)
		inserters := make([][]*customer.Customer, 3)
		for g := range inserters {
			for range 15 {
				inserters[g] = append(inserters[g], NewCustomer(t, tenant, nil))
			}
		}
		for g := range inserters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, c := range inserters[g] {
					select {
					case <-stop:
						return
					default:
					}
					if err := e.c.Create(ctx, c); err != nil {
						insertErrs[g] = err
						return
					}
				}
			}()
		}

		var seen []crm.ID
		page := crm.PageRequest{Limit: pageSize}
		for n := 0; ; n++ {
			require.Less(t, n, 1000, "paging did not finish")
			if n < len(early) {
				require.NoError(t, e.c.Create(ctx, early[n]))
			}
			p, err := e.c.List(ctx, tenant, customer.Query{}, page)
			require.NoError(t, err)
			seen = append(seen, ids(p.Items)...)
			if p.Next == "" {
				break
			}
			page.Cursor = p.Next
		}
		close(stop)
		wg.Wait()
		for _, err := range insertErrs {
			require.NoError(t, err)
		}
		require.True(t, slices.IsSortedFunc(seen, crm.ID.Compare), "pages out of order")
		require.Len(t, slices.Compact(slices.Clone(seen)), len(seen), "a record was repeated")
		for _, id := range want {
			require.Contains(t, seen, id, "a record present before paging began was skipped")
		}
		for _, id := range seen {
			mustGet(t, e.c, tenant, id)
		}
	})

	t.Run("CustomersDeterministic", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		var want []crm.ID
		for range 12 {
			want = append(want, CreateCustomer(t, e.c, tenant, nil).ID())
		}
		slices.SortFunc(want, crm.ID.Compare)
		for _, limit := range []int{1, 5, 12, 13} {
			require.Equal(t, want, ids(allCustomers(t, e.c, tenant, customer.Query{}, limit)), "limit %d", limit)
		}
	})

	t.Run("DefaultLimit", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		for range crm.DefaultPageLimit + 1 {
			CreateCustomer(t, e.c, tenant, nil)
		}
		p, err := e.c.List(ctx, tenant, customer.Query{}, crm.PageRequest{})
		require.NoError(t, err)
		require.Len(t, p.Items, crm.DefaultPageLimit)
		require.NotEmpty(t, p.Next)
		p, err = e.c.List(ctx, tenant, customer.Query{}, crm.PageRequest{Cursor: p.Next})
		require.NoError(t, err)
		require.Len(t, p.Items, 1)
		require.Empty(t, p.Next)
	})

	t.Run("EmptyTenant", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		p, err := e.c.List(ctx, tenant, customer.Query{}, crm.PageRequest{})
		require.NoError(t, err)
		require.Empty(t, p.Items)
		require.Empty(t, p.Next)
		v, err := e.c.ListVisits(ctx, tenant, customer.VisitQuery{}, crm.PageRequest{})
		require.NoError(t, err)
		require.Empty(t, v.Items)
		require.Empty(t, v.Next)
	})

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
