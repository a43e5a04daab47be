package storagetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testScan covers customer.Scanner on a backend that offers it (skipped
// otherwise): ScanCustomers yields, once each and only them, the customers
// of the tenant that match any of the queries (the union of what List
// returns for each), stops when yield returns false, refuses bad input,
// and honours the context.
func testScan(t *testing.T, e *env) {
	sc, ok := e.s.(customer.Scanner)
	if !ok {
		t.Skip("the backend does not implement customer.Scanner")
	}
	ctx := context.Background()
	tenant, other := NewTenant(t), NewTenant(t)
	classes := []customer.Class{customer.Stable, customer.PushHard, customer.GeneralContact}
	for i := range 30 {
		for _, ten := range []crm.TenantID{tenant, other} {
			c := CreateCustomer(t, e.c, ten, &CustomerOptions{Owner: crm.UserID(fmt.Sprintf("owner-%d", i%3))})
			_, err := e.c.Update(ctx, ten, c.ID(), func(c *customer.Customer) error {
				if i%5 == 0 {
					if err := c.AddTag("vip"); err != nil {
						return err
					}
				}
				return c.SetClass(classes[i%len(classes)], change(1))
			})
			require.NoError(t, err)
			if i%4 != 0 { // every fourth customer is never contacted
				require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, ten, c.ID(), 10*i)))
			}
		}
	}
	scan := func(qs []customer.Query) []crm.ID {
		var ids []crm.ID
		require.NoError(t, sc.ScanCustomers(ctx, tenant, qs, func(c *customer.Customer) bool {
			require.Equal(t, tenant, c.Tenant())
			ids = append(ids, c.ID())
			return true
		}))
		slices.SortFunc(ids, crm.ID.Compare)
		return ids
	}
	union := func(qs []customer.Query) []crm.ID {
		var ids []crm.ID
		for _, q := range qs {
			for _, c := range allCustomers(t, e.c, tenant, q, 7) {
				if !slices.Contains(ids, c.ID()) {
					ids = append(ids, c.ID())
				}
			}
		}
		slices.SortFunc(ids, crm.ID.Compare)
		return ids
	}
	cases := map[string][]customer.Query{
		"no queries":          nil,
		"everything":          {{}},
		"one class":           {{Class: customer.Stable}},
		"contacted before":    {{ContactedBefore: at(150)}},
		"overlapping":         {{Class: customer.PushHard}, {ContactedBefore: at(150)}, {Owner: "owner-1"}},
		"owner and cutoff":    {{Owner: "owner-2", ContactedBefore: at(200)}, {Owner: "owner-2", Class: customer.Stable}},
		"matching nothing":    {{Owner: "nobody"}},
		"the same one twice":  {{Class: customer.Stable}, {Class: customer.Stable}},
		"a tag, another case": {{Tag: "VIP"}, {Tag: "vip", ContactedBefore: at(100)}},
	}
	for name, qs := range cases {
		want := union(qs)
		got := scan(qs)
		require.Equal(t, len(want), len(got), "%s: each customer yielded once", name)
		require.Equal(t, want, got, name)
	}

	t.Run("StopsWhenYieldReturnsFalse", func(t *testing.T) {
		n := 0
		require.NoError(t, sc.ScanCustomers(ctx, tenant, []customer.Query{{}}, func(*customer.Customer) bool {
			n++
			return n < 3
		}))
		require.Equal(t, 3, n)
	})
	t.Run("BadInput", func(t *testing.T) {
		yield := func(*customer.Customer) bool { return true }
		require.ErrorIs(t, sc.ScanCustomers(ctx, "", []customer.Query{{}}, yield), crm.ErrInvalid, "no tenant")
		require.ErrorIs(t, sc.ScanCustomers(ctx, tenant, []customer.Query{{Class: customer.Class(99)}}, yield), crm.ErrInvalid, "a bad query")
		many := make([]customer.Query, customer.MaxScanQueries+1)
		require.ErrorIs(t, sc.ScanCustomers(ctx, tenant, many, yield), crm.ErrInvalid, "too many queries")
	})
	t.Run("CancelledContext", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := sc.ScanCustomers(cctx, tenant, []customer.Query{{}}, func(*customer.Customer) bool { return true })
		require.ErrorIs(t, err, context.Canceled)
	})
}
