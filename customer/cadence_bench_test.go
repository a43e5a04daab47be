package customer_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

var cadenceBenchNow = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)

// cadenceBenchCustomers returns n customers of tenant t1 owned by 200
// managers, of classes in turn (a key account in every 50), last contacted
// over the spread days before cadenceBenchNow, one in a hundred never.
func cadenceBenchCustomers(tb testing.TB, n, spread int) []*customer.Customer {
	tb.Helper()
	classes := []customer.Class{customer.Stable, customer.PushHard, customer.GeneralContact, customer.NotYetStable, customer.StrengthenContact}
	owners := make([]crm.UserID, 200)
	for i := range owners {
		owners[i] = crm.UserID("manager-" + strconv.Itoa(i))
	}
	ids := crm.UUIDv7{}
	created := cadenceBenchNow.AddDate(-1, 0, 0)
	out := make([]*customer.Customer, n)
	for i := range out {
		id, err := ids.NewID()
		require.NoError(tb, err)
		r := customer.Record{
			ID: id, Tenant: "t1", Version: 1, CreatedAt: created, UpdatedAt: created,
			Kind: customer.Organization, Name: "Customer " + strconv.Itoa(i), Roles: []customer.Role{customer.EndCustomer},
			Stage: customer.Growth, Loyalty: customer.Trust, Lifecycle: customer.Active,
			Class: classes[i%len(classes)], KeyAccount: i%50 == 0, Owner: owners[(i/len(classes))%len(owners)],
		}
		if i%100 != 7 {
			r.LastContact = cadenceBenchNow.Add(-time.Duration((i*104729)%(spread*24*60)) * time.Minute)
		}
		c, err := customer.FromRecord(r)
		require.NoError(tb, err)
		out[i] = c
	}
	return out
}

// BenchmarkCadenceOverdue is the pure cadence query of the default policy
// over 1M customers on a Monday to Friday calendar: contacts spread over
// the last 30 days (about 15% overdue) and over the last 180 days (about
// 73% overdue).
func BenchmarkCadenceOverdue(b *testing.B) {
	policy := customer.DefaultCadencePolicy(weekdays(b, "Asia/Shanghai"))
	for _, spread := range []int{30, 180} {
		b.Run("customers=1M/spread="+strconv.Itoa(spread)+"d", func(b *testing.B) {
			cs := cadenceBenchCustomers(b, 1_000_000, spread)
			var n int
			b.ReportAllocs()
			b.ResetTimer()
			start, _ := cadenceCPUTime()
			defer reportCadenceCPU(b, start)
			for b.Loop() {
				got, err := policy.Overdue(slices.Values(cs), cadenceBenchNow)
				if err != nil {
					b.Fatal(err)
				}
				n = len(got)
			}
			b.ReportMetric(float64(n), "overdue")
		})
	}
}

// BenchmarkOverdueForContactMemory is Service.OverdueForContact over 1M
// customers in the in-memory store (contacts over the last 30 days, about
// 15% overdue): every owner, and one owner's book.
func BenchmarkOverdueForContactMemory(b *testing.B) {
	ctx := context.Background()
	store := memory.New(nil)
	for _, c := range cadenceBenchCustomers(b, 1_000_000, 30) {
		r := c.Record()
		r.Version = 0
		c, err := customer.FromRecord(r)
		require.NoError(b, err)
		require.NoError(b, store.Customers().Create(ctx, c))
	}
	svc, err := customer.NewService(store, nil)
	require.NoError(b, err)
	policy := customer.DefaultCadencePolicy(weekdays(b, "Asia/Shanghai"))
	for _, q := range []struct {
		name string
		q    customer.OverdueQuery
	}{{"all", customer.OverdueQuery{}}, {"owner", customer.OverdueQuery{Owner: "manager-42"}}} {
		b.Run(q.name, func(b *testing.B) {
			var n int
			b.ReportAllocs()
			start, _ := cadenceCPUTime()
			defer reportCadenceCPU(b, start)
			for b.Loop() {
				groups, err := svc.OverdueForContact(ctx, "t1", policy, cadenceBenchNow, q.q)
				if err != nil {
					b.Fatal(err)
				}
				n = 0
				for _, g := range groups {
					n += len(g.Contacts)
				}
			}
			b.ReportMetric(float64(n), "overdue")
		})
	}
}

// reportCadenceCPU adds the process CPU time per operation since start as
// the cpu-ns/op metric (garbage collection included): on a shared machine
// the wall time of ns/op also counts the time other processes ran.
func reportCadenceCPU(b *testing.B, start time.Duration) {
	if end, ok := cadenceCPUTime(); ok && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}
