package customer_test

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

// listOnly is a backend without the Scanner capability (the memory store
// behind an interface that hides it): OverdueForContact takes the path of
// host stores, one paged List per rule.
type listOnly struct{ customer.Backend }

// overdueLine is an entry of an overdue list, compared field by field (the
// customer by its ID).
func overdueLine(e customer.OverdueContact) string {
	return fmt.Sprintf("%s %d %s %s %s %d", e.Owner, careNum(e.Customer.ID()), e.Rule,
		e.LastContact.Format(time.RFC3339Nano), e.DueAt.Format(time.RFC3339Nano), e.DaysOverdue)
}

// cadenceEdges returns the customers of the edge cases of the overdue query
// at now under policy: at each rule's cutoff and a nanosecond on either
// side, contacted or (by creation) never contacted; tombstones, erased and
// churned customers long overdue; customers no rule matches; and 2,400
// customers of three owners with contacts over 200 days, so that the List
// path pages across owners within a rule.
func cadenceEdges(t *testing.T, policy *customer.CadencePolicy, now time.Time) []cadenceCustomer {
	t.Helper()
	owners := []crm.UserID{"alice", "bob", "carol"}
	var out []cadenceCustomer
	n := 0
	add := func(cc cadenceCustomer) {
		n++
		cc.n = n
		if cc.owner == "" {
			cc.owner = owners[n%len(owners)]
		}
		out = append(out, cc)
	}
	old := now.AddDate(-1, 0, 0)
	for i, r := range policy.Rules {
		cut, err := policy.Cutoff(i, now)
		require.NoError(t, err)
		key := r.KeyAccount != nil && *r.KeyAccount
		for _, d := range []time.Duration{-time.Nanosecond, 0, time.Nanosecond, -24 * time.Hour} {
			add(cadenceCustomer{class: r.Class, key: key, contact: cut.Add(d), created: old})
			add(cadenceCustomer{class: r.Class, key: key, created: cut.Add(d)}) // never contacted
		}
		for _, lc := range []customer.Lifecycle{customer.Churned, customer.Active} {
			add(cadenceCustomer{class: r.Class, key: key, contact: old, created: old, lifecycle: lc, merged: lc == customer.Active})
		}
		add(cadenceCustomer{class: r.Class, key: key, contact: old, created: old, erased: true})
		add(cadenceCustomer{class: r.Class, key: key, contact: old, created: old, lifecycle: customer.WonBack})
	}
	add(cadenceCustomer{class: customer.Unclassified, contact: old, created: old}) // no rule
	add(cadenceCustomer{class: customer.Unclassified, created: old})
	classes := []customer.Class{customer.Stable, customer.PushHard, customer.GeneralContact, customer.NotYetStable, customer.StrengthenContact, customer.Unclassified}
	for i := range 2400 {
		add(cadenceCustomer{
			class: classes[i%len(classes)], key: i%17 == 0, owner: owners[(i/7)%len(owners)], created: old,
			contact: now.Add(-time.Duration(i*7919%(200*24*60)) * time.Minute),
		})
	}
	return out
}

// TestOverdueForContactPaths proves that both paths of OverdueForContact,
// the one pass of a Scanner and the paged List per rule, return exactly
// what the pure Overdue returns over the same customers, at the edges of
// every rule, for every owner and for each owner alone.
func TestOverdueForContactPaths(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	policy := customer.DefaultCadencePolicy(weekdays(t, "Asia/Shanghai"))
	now := time.Date(2024, 6, 4, 1, 30, 0, 0, time.UTC) // Tuesday morning in Shanghai
	ccs := cadenceEdges(t, policy, now)
	store := memory.New(nil)
	var all []*customer.Customer
	for _, cc := range ccs {
		c := cc.build(t)
		all = append(all, c)
		r := c.Record()
		r.Version = 0
		fresh, err := customer.FromRecord(r)
		require.NoError(t, err)
		require.NoError(t, store.Customers().Create(ctx, fresh))
		r.Tenant = "t2" // the same customers in another tenant, never listed for t1
		other, err := customer.FromRecord(r)
		require.NoError(t, err)
		require.NoError(t, store.Customers().Create(ctx, other))
	}
	want, err := policy.Overdue(slices.Values(all), now)
	require.NoError(t, err)
	var wantLines []string
	for _, e := range want {
		wantLines = append(wantLines, overdueLine(e))
	}
	// The edges: a nanosecond before a cutoff is overdue, the cutoff is
	// not; tombstones, erased and churned customers never are.
	overdue := map[int]bool{}
	for _, e := range want {
		overdue[careNum(e.Customer.ID())] = true
	}
	for _, cc := range ccs[:len(ccs)-2400] {
		if cc.merged || cc.erased || cc.lifecycle == customer.Churned {
			require.False(t, overdue[cc.n], "customer %d", cc.n)
		}
	}
	for i := range policy.Rules {
		cut, err := policy.Cutoff(i, now)
		require.NoError(t, err)
		for _, cc := range ccs {
			if cc.contact.Equal(cut.Add(-time.Nanosecond)) && policy.Rule(cc.build(t)) == i {
				require.True(t, overdue[cc.n], "rule %d: contacted just before the cutoff", i)
			}
			if cc.contact.Equal(cut) {
				require.False(t, overdue[cc.n], "rule %d: contacted at the cutoff", i)
			}
		}
	}
	require.Greater(t, len(want), 1000, "enough to page")

	for _, tt := range []struct {
		name    string
		backend customer.Backend
	}{
		{"scanner", store},
		{"list", listOnly{store}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, isScanner := tt.backend.(customer.Scanner)
			require.Equal(t, tt.name == "scanner", isScanner)
			svc, err := customer.NewService(tt.backend, nil)
			require.NoError(t, err)
			for _, owner := range []crm.UserID{"", "alice", "bob", "carol", "nobody"} {
				groups, err := svc.OverdueForContact(ctx, "t1", policy, now, customer.OverdueQuery{Owner: owner})
				require.NoError(t, err)
				var got, wantOwner []string
				for _, g := range groups {
					require.NotEmpty(t, g.Contacts)
					for _, e := range g.Contacts {
						require.Equal(t, g.Owner, e.Owner)
						require.Equal(t, crm.TenantID("t1"), e.Customer.Tenant())
						got = append(got, overdueLine(e))
					}
				}
				for i, e := range want {
					if owner == "" || e.Owner == owner {
						wantOwner = append(wantOwner, wantLines[i])
					}
				}
				require.Equal(t, wantOwner, got, "owner %q", owner)
			}
		})
	}
}

// TestOverdueForContactScanCopies proves that the customers the Scanner
// path returns are the caller's: changing them changes neither the store
// nor the next result.
func TestOverdueForContactScanCopies(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	policy := customer.DefaultCadencePolicy(nil)
	now := time.Date(2024, 6, 4, 9, 0, 0, 0, time.UTC)
	store := memory.New(nil)
	c := cadenceCustomer{n: 1, class: customer.Stable, contact: now.AddDate(0, -3, 0)}.build(t)
	r := c.Record()
	r.Version = 0
	fresh, err := customer.FromRecord(r)
	require.NoError(t, err)
	require.NoError(t, store.Customers().Create(ctx, fresh))
	svc, err := customer.NewService(store, nil)
	require.NoError(t, err)

	first, err := svc.OverdueForContact(ctx, "t1", policy, now, customer.OverdueQuery{})
	require.NoError(t, err)
	require.Len(t, first, 1)
	got := first[0].Contacts[0].Customer
	require.NoError(t, got.SetClass(customer.PushHard, customer.Change{Actor: "a", At: now}))
	require.True(t, got.NoteContact(now))
	stored, err := store.Customers().Get(ctx, "t1", c.ID())
	require.NoError(t, err)
	require.Equal(t, customer.Stable, stored.Class())
	require.Equal(t, c.LastContact(), stored.LastContact())
	again, err := svc.OverdueForContact(ctx, "t1", policy, now, customer.OverdueQuery{})
	require.NoError(t, err)
	require.Len(t, again, 1)
	require.Equal(t, "stable", again[0].Contacts[0].Rule)
	require.Equal(t, customer.Stable, again[0].Contacts[0].Customer.Class())
}

// fakeScanner is a backend whose Scanner yields what a test says.
type fakeScanner struct {
	customer.Backend
	yield func(yield func(*customer.Customer) bool) error
	qs    []customer.Query
}

func (f *fakeScanner) ScanCustomers(_ context.Context, _ crm.TenantID, qs []customer.Query, yield func(*customer.Customer) bool) error {
	f.qs = qs
	return f.yield(yield)
}

// TestOverdueForContactScanner checks the Scanner path against a store
// that lies or fails: customers of another tenant or outside the query are
// reported as corrupt data, errors are passed on, the query asks for the
// loosest cutoff and the owner, and a customer lent without shared state
// is copied deeply (a change of the copy leaves the lent one alone).
func TestOverdueForContactScanner(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	policy := customer.DefaultCadencePolicy(nil) // every day counts: cutoffs are days back
	now := time.Date(2024, 6, 4, 9, 0, 0, 0, time.UTC)
	overdue := cadenceCustomer{n: 1, class: customer.PushHard, contact: now.AddDate(0, 0, -9)}.build(t)
	recent := cadenceCustomer{n: 2, class: customer.PushHard, contact: now.AddDate(0, 0, -1)}.build(t)
	r := overdue.Record()
	r.Tenant = "t2"
	foreign, err := customer.FromRecord(r)
	require.NoError(t, err)
	boom := errors.New("boom")
	for _, tt := range []struct {
		name  string
		yield func(yield func(*customer.Customer) bool) error
		err   error
		n     int
	}{
		{"overdue", func(y func(*customer.Customer) bool) error { y(overdue); return nil }, nil, 1},
		{"nothing", func(func(*customer.Customer) bool) error { return nil }, nil, 0},
		{"another tenant", func(y func(*customer.Customer) bool) error { y(foreign); return nil }, crm.ErrCorrupt, 0},
		{"outside the queries", func(y func(*customer.Customer) bool) error { y(recent); return nil }, crm.ErrCorrupt, 0},
		{"nil", func(y func(*customer.Customer) bool) error { y(nil); return nil }, crm.ErrCorrupt, 0},
		{"zero customer", func(y func(*customer.Customer) bool) error { y(&customer.Customer{}); return nil }, crm.ErrCorrupt, 0},
		{"store error", func(y func(*customer.Customer) bool) error { y(overdue); return boom }, boom, 0},
		{"the same customer twice", func(y func(*customer.Customer) bool) error { y(overdue); y(overdue); return nil }, crm.ErrCorrupt, 0},
		{"stops after a lie", func(y func(*customer.Customer) bool) error {
			if y(foreign) {
				return errors.New("yield must return false after a lie")
			}
			return nil
		}, crm.ErrCorrupt, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := &fakeScanner{Backend: memory.New(nil), yield: tt.yield}
			svc, err := customer.NewService(fake, nil)
			require.NoError(t, err)
			groups, err := svc.OverdueForContact(ctx, "t1", policy, now, customer.OverdueQuery{Owner: "alice"})
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				require.Nil(t, groups)
				return
			}
			require.NoError(t, err)
			require.Len(t, fake.qs, len(policy.Rules))
			for i, r := range policy.Rules {
				cut, err := policy.Cutoff(i, now)
				require.NoError(t, err)
				require.Equal(t, customer.Query{Owner: "alice", ContactedBefore: cut, Class: r.Class, KeyAccount: r.KeyAccount}, fake.qs[i])
			}
			total := 0
			for _, g := range groups {
				total += len(g.Contacts)
			}
			require.Equal(t, tt.n, total)
			if tt.n == 1 {
				got := groups[0].Contacts[0].Customer
				require.NotSame(t, overdue, got)
				require.NoError(t, got.SetNotes("changed"))
				require.Empty(t, overdue.Notes(), "the lent customer is unchanged")
			}
		})
	}
}
