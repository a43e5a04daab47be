package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
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

// listOnly is a backend without the customer.Scanner capability (the
// store behind an interface that hides it): OverdueForContact takes the
// path of host stores, one paged List per rule.
type listOnly struct{ customer.Backend }

// statementCount counts the customer statements a pool runs and the rows
// they return, and keeps the statements, for EXPLAIN.
type statementCount struct {
	mu         sync.Mutex
	statements int
	rows       int64
	sql        []string
	args       [][]any
}

// countedKey marks the context of a statement statementCount counts.
type countedKey struct{}

func (c *statementCount) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if strings.Contains(d.SQL, ".customers WHERE") {
		c.mu.Lock()
		c.statements++
		c.sql, c.args = append(c.sql, d.SQL), append(c.args, d.Args)
		c.mu.Unlock()
		return context.WithValue(ctx, countedKey{}, true)
	}
	return ctx
}

func (c *statementCount) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	if ctx.Value(countedKey{}) != nil {
		c.mu.Lock()
		c.rows += d.CommandTag.RowsAffected()
		c.mu.Unlock()
	}
}

// reset forgets what c counted.
func (c *statementCount) reset() {
	c.mu.Lock()
	c.statements, c.rows, c.sql, c.args = 0, 0, nil, nil
	c.mu.Unlock()
}

// tracedStore returns a store on s's schema whose pool counts statements.
func tracedStore(t testing.TB, s *postgres.Store) (*postgres.Store, *statementCount) {
	t.Helper()
	count := &statementCount{}
	pool := pgtest.NewPool(t, func(c *pgxpool.Config) { c.ConnConfig.Tracer = count; c.MaxConns = 2 })
	traced, err := postgres.New(pool, &postgres.Options{Schema: s.Schema()})
	require.NoError(t, err)
	return traced, count
}

// explainAnalyze returns the plan of sql as run, with its timing and the
// rows of every node.
func explainAnalyze(t testing.TB, sql string, args []any) string {
	t.Helper()
	var plan []string
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, pgtest.Pool(t), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan = append(plan, line)
		}
		return rows.Err()
	})
	require.NoError(t, err)
	return strings.Join(plan, "\n")
}

// overdueLines flattens groups to comparable lines.
func overdueLines(groups []customer.OwnerOverdue) []string {
	var out []string
	for _, g := range groups {
		for _, e := range g.Contacts {
			out = append(out, fmt.Sprintf("%s %s %s %s %s %d", e.Owner, e.Customer.ID(), e.Rule,
				e.LastContact.Format(time.RFC3339Nano), e.DueAt.Format(time.RFC3339Nano), e.DaysOverdue))
		}
	}
	return out
}

// TestOverdueForContactScan proves that OverdueForContact on PostgreSQL
// returns, through ScanCustomers and through the paged List per rule
// alike, exactly what the pure Overdue returns over every customer of the
// tenant, for every owner and one owner; and that the Scanner path runs
// one statement.
func TestOverdueForContactScan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, nil)
	ten := newTenant()
	populateContacts(t, s, ten, 3000, 7, 120)
	populateContacts(t, s, newTenant(), 500, 7, 365)
	// Edges the import does not make: churned, erased and merged
	// customers long overdue, and customers contacted at the push-hard
	// rule's cutoff and a nanosecond before.
	policy := customer.DefaultCadencePolicy(nil)
	cut, err := policy.Cutoff(1, t0)
	require.NoError(t, err)
	edge := func(edit func(r *customer.Record)) {
		r := newCustomer(t, ten, custOpts{owner: "owner-001"}).Record()
		r.Class = customer.PushHard
		r.LastContact = cut
		edit(&r)
		c, err := customer.FromRecord(r)
		require.NoError(t, err)
		require.NoError(t, s.Customers().(postgres.CustomerImporter).ImportCustomers(ctx, []*customer.Customer{c}))
	}
	edge(func(r *customer.Record) {})
	edge(func(r *customer.Record) { r.LastContact = cut.Add(-time.Microsecond) })
	edge(func(r *customer.Record) { r.LastContact, r.Lifecycle = cut.AddDate(-1, 0, 0), customer.Churned })
	edge(func(r *customer.Record) { r.LastContact, r.Lifecycle = cut.AddDate(-1, 0, 0), customer.WonBack })
	var all []*customer.Customer
	page := crm.PageRequest{Limit: crm.MaxPageLimit}
	for {
		p, err := s.Customers().List(ctx, ten, customer.Query{IncludeTombstones: true}, page)
		require.NoError(t, err)
		all = append(all, p.Items...)
		if p.Next == "" {
			break
		}
		page.Cursor = p.Next
	}
	for _, owner := range []crm.UserID{"", "owner-003"} {
		want, err := policy.Overdue(slices.Values(all), t0)
		require.NoError(t, err)
		var wantGroups []customer.OwnerOverdue
		for _, e := range want {
			if owner != "" && e.Owner != owner {
				continue
			}
			if n := len(wantGroups); n == 0 || wantGroups[n-1].Owner != e.Owner {
				wantGroups = append(wantGroups, customer.OwnerOverdue{Owner: e.Owner})
			}
			wantGroups[len(wantGroups)-1].Contacts = append(wantGroups[len(wantGroups)-1].Contacts, e)
		}
		require.NotEmpty(t, wantGroups)
		traced, count := tracedStore(t, s)
		for _, b := range []customer.Backend{traced, listOnly{traced}} {
			svc, err := customer.NewService(b, nil)
			require.NoError(t, err)
			count.reset()
			got, err := svc.OverdueForContact(ctx, ten, policy, t0, customer.OverdueQuery{Owner: owner})
			require.NoError(t, err)
			require.Equal(t, overdueLines(wantGroups), overdueLines(got), "owner %q, %T", owner, b)
			if _, ok := b.(customer.Scanner); ok {
				require.Equal(t, 1, count.statements, "one statement")
			} else {
				require.GreaterOrEqual(t, count.statements, len(policy.Rules), "a List per rule")
			}
		}
	}
}

// TestScanCustomers checks ScanCustomers against List: the same customers
// for each query, none of another tenant, the transaction's own writes
// seen, a stop when yield says so, and bad input and a done context
// refused.
func TestScanCustomers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, nil)
	ten := newTenant()
	populateContacts(t, s, ten, 1500, 5, 60)
	populateContacts(t, s, newTenant(), 300, 5, 60)
	yes := true
	for _, qs := range [][]customer.Query{
		{{}},
		{{ContactedBefore: t0.AddDate(0, 0, -20)}},
		{{ContactedBefore: t0.AddDate(0, 0, -20), Owner: "owner-002"}},
		{{ContactedBefore: t0.AddDate(0, 0, -5), Class: customer.PushHard, KeyAccount: &yes}},
		{{Owner: "nobody"}},
		{{Text: "C 1"}},
		{ // overlapping queries: each customer once
			{ContactedBefore: t0.AddDate(0, 0, -5), Class: customer.PushHard},
			{ContactedBefore: t0.AddDate(0, 0, -20), KeyAccount: &yes},
			{ContactedBefore: t0.AddDate(0, 0, -40), Owner: "owner-003"},
			{ContactedBefore: t0.AddDate(0, 0, -10), Class: customer.PushHard, Owner: "owner-003"},
		},
		{{Text: "\x00"}, {Owner: "owner-001", Class: customer.Stable}}, // a query matching nothing
		{{Text: "\x00"}},
		{},
	} {
		var want []crm.ID
		for _, q := range qs {
			page := crm.PageRequest{Limit: crm.MaxPageLimit}
			for {
				p, err := s.Customers().List(ctx, ten, q, page)
				require.NoError(t, err)
				for _, c := range p.Items {
					want = append(want, c.ID())
				}
				if p.Next == "" {
					break
				}
				page.Cursor = p.Next
			}
		}
		slices.SortFunc(want, crm.ID.Compare)
		want = slices.Compact(want)
		var got []crm.ID
		require.NoError(t, s.ScanCustomers(ctx, ten, qs, func(c *customer.Customer) bool {
			require.Equal(t, ten, c.Tenant())
			got = append(got, c.ID())
			return true
		}))
		slices.SortFunc(got, crm.ID.Compare)
		require.Equal(t, want, got, "queries %+v", qs)
	}

	n := 0
	require.NoError(t, s.ScanCustomers(ctx, ten, []customer.Query{{}}, func(*customer.Customer) bool { n++; return n < 3 }))
	require.Equal(t, 3, n, "stops when yield returns false")

	rollback := errors.New("roll back")
	require.ErrorIs(t, s.InTx(ctx, func(ctx context.Context) error {
		c := newCustomer(t, ten, custOpts{owner: "owner-in-tx"})
		require.NoError(t, s.Customers().Create(ctx, c))
		var seen []crm.ID
		require.NoError(t, s.ScanCustomers(ctx, ten, []customer.Query{{Owner: "owner-in-tx"}}, func(c *customer.Customer) bool {
			seen = append(seen, c.ID())
			return true
		}))
		require.Equal(t, []crm.ID{c.ID()}, seen)
		return rollback
	}), rollback)

	never := func(*customer.Customer) bool { t.Error("yield called"); return false }
	require.ErrorIs(t, s.ScanCustomers(ctx, "", []customer.Query{{}}, never), crm.ErrInvalid)
	require.ErrorIs(t, s.ScanCustomers(ctx, ten, []customer.Query{{}, {Class: 99}}, never), crm.ErrInvalid)
	require.ErrorIs(t, s.ScanCustomers(ctx, ten, []customer.Query{{}}, nil), crm.ErrInvalid)
	require.ErrorIs(t, s.ScanCustomers(ctx, ten, make([]customer.Query, customer.MaxScanQueries+1), never), crm.ErrInvalid)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, s.ScanCustomers(cancelled, ten, []customer.Query{{}}, never), context.Canceled)
	require.NoError(t, s.ScanCustomers(ctx, newTenant(), []customer.Query{{}}, never), "an empty tenant")
}

// BenchmarkOverdueForContact measures the cadence query of the default
// policy over tenants of 100,000 and 300,000 customers in PostgreSQL, last
// contacted over the 30 days before t0 (about 15% overdue, as in the
// memory benchmark of package customer): through ScanCustomers (the
// store's own path) for every owner and one owner's book, and through the
// paged List per rule (the path of a host store without the capability)
// for every owner. It reports the statements and the rows PostgreSQL
// returned per query; run with -v to see the EXPLAIN ANALYZE of the
// ScanCustomers statement and of the List path's costliest page. With
// CRM_BENCH_1M set it measures a tenant of 1,000,000 customers too.
func BenchmarkOverdueForContact(b *testing.B) {
	sizes := []int{100_000, 300_000}
	if os.Getenv("CRM_BENCH_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("customers=%dk", n/1000), func(b *testing.B) {
			s := newStore(b, nil)
			ten := newTenant()
			populateContacts(b, s, ten, n, 200, 30)
			traced, count := tracedStore(b, s)
			policy := customer.DefaultCadencePolicy(nil)
			ctx := context.Background()
			for _, tt := range []struct {
				name    string
				backend customer.Backend
				q       customer.OverdueQuery
			}{
				{"scan/all", traced, customer.OverdueQuery{}},
				{"scan/owner", traced, customer.OverdueQuery{Owner: "owner-042"}},
				{"list/all", listOnly{traced}, customer.OverdueQuery{}},
			} {
				b.Run(tt.name, func(b *testing.B) {
					svc, err := customer.NewService(tt.backend, nil)
					require.NoError(b, err)
					var overdue int
					b.ReportAllocs()
					count.reset()
					for b.Loop() {
						groups, err := svc.OverdueForContact(ctx, ten, policy, t0, tt.q)
						if err != nil {
							b.Fatal(err)
						}
						overdue = 0
						for _, g := range groups {
							overdue += len(g.Contacts)
						}
					}
					b.StopTimer()
					b.ReportMetric(float64(overdue), "overdue")
					count.mu.Lock()
					statements, rows, sqls, args := count.statements, count.rows, count.sql, count.args
					count.mu.Unlock()
					b.ReportMetric(float64(statements)/float64(b.N), "statements/op")
					b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
					if tt.q.Owner == "" && len(sqls) > 0 {
						// The costliest statement of one query.
						per := len(sqls) / b.N
						worst, worstTime := "", time.Duration(0)
						for i := range per {
							start := time.Now()
							plan := explainAnalyze(b, sqls[i], args[i])
							if d := time.Since(start); d > worstTime {
								worst, worstTime = plan, d
							}
						}
						b.Logf("%s, %d statements per query; the costliest:\n%s", tt.name, per, worst)
					}
				})
			}
		})
	}
}
