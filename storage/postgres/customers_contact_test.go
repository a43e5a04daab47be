package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// populateContacts imports n customers of tenant with classes in turn
// (stable, push hard, general contact, key accounts among them) and last
// contacts spread over the spread days before t0, one in every hundred
// never contacted, then analyses the table.
func populateContacts(t testing.TB, s *postgres.Store, tenant crm.TenantID, n, owners, spread int) {
	t.Helper()
	classes := []customer.Class{customer.Stable, customer.PushHard, customer.GeneralContact, customer.NotYetStable}
	batch := make([]*customer.Customer, 0, min(n, 10000))
	imp := s.Customers().(postgres.CustomerImporter)
	flush := func() {
		require.NoError(t, imp.ImportCustomers(context.Background(), batch))
		batch = batch[:0]
	}
	for i := range n {
		r := newCustomer(t, tenant, custOpts{name: fmt.Sprintf("C %d", i), owner: crm.UserID(fmt.Sprintf("owner-%03d", (i/len(classes))%owners))}).Record()
		r.Class = classes[i%len(classes)]
		r.KeyAccount = i%50 == 0
		if i%100 != 7 {
			r.LastContact = t0.Add(-time.Duration((i*104729)%(spread*24*60)) * time.Minute)
		}
		c, err := customer.FromRecord(r)
		require.NoError(t, err)
		batch = append(batch, c)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	_, err := pgtest.Pool(t).Exec(context.Background(), "VACUUM ANALYZE "+pgx.Identifier{s.Schema(), "customers"}.Sanitize())
	require.NoError(t, err)
}

// TestContactedBeforeUsesIndex proves with EXPLAIN that the overdue filter
// is served by customers_contact_idx when it is selective.
func TestContactedBeforeUsesIndex(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ten := newTenant()
	populateContacts(t, s, ten, 5000, 50, 365)
	for _, q := range []customer.Query{
		{ContactedBefore: t0.AddDate(0, 0, -360)},
		{ContactedBefore: t0.AddDate(0, 0, -360), Class: customer.Stable},
	} {
		plan := explain(t, s, ten, q, "")
		require.Contains(t, plan, "customers_contact_idx", "plan:\n%s", plan)
		require.NotContains(t, plan, "Seq Scan", "plan:\n%s", plan)
	}
}

// BenchmarkOverdueForContact measures the cadence query of the default
// policy over a tenant of 100,000 customers in PostgreSQL, last contacted
// over the 30 days before t0 (about 15% overdue, as in the memory
// benchmark of package customer): every owner, and one owner's book.
func BenchmarkOverdueForContact(b *testing.B) {
	s := newStore(b, nil)
	ten := newTenant()
	const n = 100_000
	populateContacts(b, s, ten, n, 200, 30)
	svc, err := customer.NewService(s, nil)
	require.NoError(b, err)
	policy := customer.DefaultCadencePolicy(nil)
	ctx := context.Background()
	for _, q := range []struct {
		name string
		q    customer.OverdueQuery
	}{{"all", customer.OverdueQuery{}}, {"owner", customer.OverdueQuery{Owner: "owner-042"}}} {
		b.Run(q.name, func(b *testing.B) {
			var overdue int
			b.ReportAllocs()
			for b.Loop() {
				groups, err := svc.OverdueForContact(ctx, ten, policy, t0, q.q)
				if err != nil {
					b.Fatal(err)
				}
				overdue = 0
				for _, g := range groups {
					overdue += len(g.Contacts)
				}
			}
			b.ReportMetric(float64(overdue), "overdue")
		})
	}
}
