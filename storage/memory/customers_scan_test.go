package memory_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// scanFixture stores n customers of tenant t1 (and n/10 of t2): four
// owners, classes in turn, a key account in every seven, last contacts
// over 60 days before scanNow (one in eleven never contacted), one in
// thirteen a tombstone.
func scanFixture(t *testing.T, n int) *memory.Store {
	t.Helper()
	ctx := context.Background()
	s := memory.New(nil)
	classes := []customer.Class{customer.Stable, customer.PushHard, customer.GeneralContact, customer.Unclassified}
	ids := crm.UUIDv7{}
	for ten, count := range map[crm.TenantID]int{"t1": n, "t2": n / 10} {
		for i := range count {
			id, err := ids.NewID()
			require.NoError(t, err)
			created := scanNow.AddDate(-1, 0, 0)
			r := customer.Record{
				ID: id, Tenant: ten, CreatedAt: created, UpdatedAt: created,
				Kind: customer.Person, Name: fmt.Sprintf("C%d", i), Roles: []customer.Role{customer.EndCustomer},
				Stage: customer.Growth, Loyalty: customer.Trust, Lifecycle: customer.Active,
				Class: classes[i%len(classes)], KeyAccount: i%7 == 0, Owner: crm.UserID(fmt.Sprintf("owner-%d", i%4)),
			}
			if i%11 != 0 {
				r.LastContact = scanNow.Add(-time.Duration(i*7919%(60*24*60)) * time.Minute)
			}
			if i%13 == 5 {
				r.MergedInto = id // any ID makes a tombstone
				r.MergedInto[15] ^= 1
			}
			c, err := customer.FromRecord(r)
			require.NoError(t, err)
			require.NoError(t, s.Customers().Create(ctx, c))
		}
	}
	return s
}

var scanNow = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)

// listIDs returns the IDs of the customers any of qs lists, ascending,
// each once.
func listIDs(t *testing.T, s *memory.Store, tenant crm.TenantID, qs []customer.Query) []crm.ID {
	t.Helper()
	var out []crm.ID
	for _, q := range qs {
		page := crm.PageRequest{Limit: 97} // pages of an odd size
		for {
			p, err := s.Customers().List(context.Background(), tenant, q, page)
			require.NoError(t, err)
			for _, c := range p.Items {
				out = append(out, c.ID())
			}
			if p.Next == "" {
				break
			}
			page.Cursor = p.Next
		}
	}
	slices.SortFunc(out, crm.ID.Compare)
	return slices.Compact(out)
}

// TestScanCustomers checks ScanCustomers against List: for single and
// overlapping queries, with and without owners and tombstones, it yields
// exactly the customers List lists, each once, of the tenant only.
func TestScanCustomers(t *testing.T) {
	t.Parallel()
	s := scanFixture(t, 3000)
	yes, no := true, false
	cut := scanNow.AddDate(0, 0, -20)
	for _, tt := range []struct {
		name string
		qs   []customer.Query
	}{
		{"none", nil},
		{"every customer", []customer.Query{{}}},
		{"tombstones too", []customer.Query{{IncludeTombstones: true}}},
		{"contacted before", []customer.Query{{ContactedBefore: cut}}},
		{"one owner", []customer.Query{{ContactedBefore: cut, Owner: "owner-2"}}},
		{"unknown owner", []customer.Query{{Owner: "nobody"}}},
		{"two owners", []customer.Query{{Owner: "owner-1", Class: customer.Stable}, {Owner: "owner-3", ContactedBefore: cut}}},
		{"owner and every owner", []customer.Query{{Owner: "owner-1"}, {KeyAccount: &yes, ContactedBefore: cut}}},
		{"overlapping", []customer.Query{
			{Class: customer.PushHard, ContactedBefore: scanNow.AddDate(0, 0, -5)},
			{KeyAccount: &yes, ContactedBefore: scanNow.AddDate(0, 0, -10)},
			{Class: customer.PushHard, KeyAccount: &no},
		}},
		{"tombstones in one query", []customer.Query{{Class: customer.Stable, IncludeTombstones: true}, {Class: customer.PushHard}}},
		{"nothing matches", []customer.Query{{Text: "\x00"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []crm.ID
			require.NoError(t, s.ScanCustomers(t.Context(), "t1", tt.qs, func(c *customer.Customer) bool {
				require.Equal(t, crm.TenantID("t1"), c.Tenant())
				got = append(got, c.ID())
				return true
			}))
			slices.SortFunc(got, crm.ID.Compare)
			want := listIDs(t, s, "t1", tt.qs)
			require.Equal(t, want, got)
			if tt.name == "every customer" {
				require.Len(t, got, 3000-231, "the tombstones left out")
			}
		})
	}
}

// TestScanCustomersEdges covers the scan's stop, its context, bad input,
// an unknown tenant and a transaction's own writes.
func TestScanCustomersEdges(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := scanFixture(t, 40000) // more than one context check
	n := 0
	require.NoError(t, s.ScanCustomers(ctx, "t1", []customer.Query{{}}, func(*customer.Customer) bool { n++; return n < 3 }))
	require.Equal(t, 3, n, "stops when yield returns false")

	never := func(*customer.Customer) bool { t.Error("yield called"); return false }
	require.ErrorIs(t, s.ScanCustomers(ctx, "", []customer.Query{{}}, never), crm.ErrInvalid)
	require.ErrorIs(t, s.ScanCustomers(ctx, "t1", []customer.Query{{}, {Class: 99}}, never), crm.ErrInvalid)
	require.ErrorIs(t, s.ScanCustomers(ctx, "t1", []customer.Query{{}}, nil), crm.ErrInvalid)
	require.ErrorIs(t, s.ScanCustomers(ctx, "t1", make([]customer.Query, customer.MaxScanQueries+1), never), crm.ErrInvalid)
	require.NoError(t, s.ScanCustomers(ctx, "t3", []customer.Query{{}}, never), "an unknown tenant")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, s.ScanCustomers(cancelled, "t1", []customer.Query{{}}, never), context.Canceled)
	// Cancelled during the scan: it stops at the next check.
	during, stop := context.WithCancel(ctx)
	defer stop()
	n = 0
	err := s.ScanCustomers(during, "t1", []customer.Query{{}}, func(*customer.Customer) bool { n++; stop(); return true })
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, n, 40000)

	// A yield that breaks the contract and changes what it is lent
	// changes its copy, not the store.
	require.NoError(t, s.ScanCustomers(ctx, "t1", []customer.Query{{Owner: "owner-1"}}, func(c *customer.Customer) bool {
		require.NoError(t, c.SetNotes("changed by a scan"))
		require.NoError(t, c.SetClass(customer.Stable, customer.Change{Actor: "a", At: scanNow}))
		return true
	}))
	var p crm.Page[*customer.Customer]
	p, err = s.Customers().List(ctx, "t1", customer.Query{Owner: "owner-1"}, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	require.NotEmpty(t, p.Items)
	for _, c := range p.Items {
		require.Empty(t, c.Notes())
		require.Equal(t, customer.PushHard, c.Class(), "owner-1's customers are all push-hard")
	}
	require.NoError(t, s.ScanCustomers(ctx, "t1", []customer.Query{{Owner: "owner-1"}}, func(c *customer.Customer) bool {
		require.Empty(t, c.Notes())
		return true
	}))

	rollback := errors.New("roll back")
	id, err := crm.UUIDv7{}.NewID()
	require.NoError(t, err)
	require.ErrorIs(t, s.InTx(ctx, func(ctx context.Context) error {
		c, err := customer.FromRecord(customer.Record{
			ID: id, Tenant: "t1", CreatedAt: scanNow, UpdatedAt: scanNow, Kind: customer.Person, Name: "In tx",
			Roles: []customer.Role{customer.EndCustomer}, Stage: customer.Growth, Loyalty: customer.Trust,
			Lifecycle: customer.Active, Class: customer.Unclassified, Owner: "owner-in-tx",
		})
		require.NoError(t, err)
		require.NoError(t, s.Customers().Create(ctx, c))
		var seen []crm.ID
		require.NoError(t, s.ScanCustomers(ctx, "t1", []customer.Query{{Owner: "owner-in-tx"}}, func(c *customer.Customer) bool {
			seen = append(seen, c.ID())
			return true
		}))
		require.Equal(t, []crm.ID{id}, seen)
		return rollback
	}), rollback)
	require.NoError(t, s.ScanCustomers(ctx, "t1", []customer.Query{{Owner: "owner-in-tx"}}, never), "rolled back")
}
