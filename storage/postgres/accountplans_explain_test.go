package postgres_test

import (
	"context"
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
	"github.com/crmkit/crm/storage/storagetest"
)

// populatePlans stores, for each of accounts customers of tenant, one
// plan a quarter for five quarters from 2025-01-01: the past ones closed,
// the current one (2026-01-01 to 2026-04-01) active, one account in fifty
// with a draft for the next quarter instead. Then it vacuums and analyses
// the table. It returns the customers.
func populatePlans(t testing.TB, s *postgres.Store, tenant crm.TenantID, accounts int) []crm.ID {
	t.Helper()
	ctx := context.Background()
	q0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	customers := make([]crm.ID, accounts)
	for i := range customers {
		customers[i] = newID(t)
	}
	for start := 0; start < accounts; start += 200 {
		err := s.InTx(ctx, func(ctx context.Context) error {
			for _, cust := range customers[start:min(start+200, accounts)] {
				for k := range 5 {
					from := q0.AddDate(0, 3*k, 0)
					p := storagetest.NewAccountPlan(t, tenant, crm.ID{}, storagetest.PlanOptions{Customer: cust, Start: from, End: from.AddDate(0, 3, 0), Active: k == 4})
					if k < 4 {
						require.NoError(t, p.SetStatus(customer.PlanActive, customer.Change{Actor: "t", At: from.Add(time.Hour)}))
						require.NoError(t, p.SetStatus(customer.PlanClosed, customer.Change{Actor: "t", At: from.AddDate(0, 3, 0)}))
					}
					if err := s.AccountPlans().Create(ctx, p); err != nil {
						return err
					}
				}
			}
			return nil
		})
		require.NoError(t, err)
	}
	for i := 0; i < accounts; i += 50 {
		from := q0.AddDate(0, 15, 0)
		require.NoError(t, s.AccountPlans().Create(ctx, storagetest.NewAccountPlan(t, tenant, crm.ID{}, storagetest.PlanOptions{Customer: customers[i], Start: from, End: from.AddDate(0, 3, 0)})))
	}
	_, err := pgtest.Pool(t).Exec(ctx, "VACUUM ANALYZE "+pgx.Identifier{s.Schema(), "account_plans"}.Sanitize())
	require.NoError(t, err)
	return customers
}

// planListCapture is a pgx tracer that keeps the last account plan list
// statement a connection ran, with its arguments.
type planListCapture struct {
	mu   sync.Mutex
	sql  string
	args []any
}

func (c *planListCapture) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if strings.HasPrefix(d.SQL, "SELECT version, doc, id FROM") && strings.Contains(d.SQL, ".account_plans WHERE") {
		c.mu.Lock()
		c.sql, c.args = d.SQL, d.Args
		c.mu.Unlock()
	}
	return ctx
}

func (c *planListCapture) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// explainPlans runs List for q's first page through a store whose pool
// records the statement, then returns that statement's plan.
func explainPlans(t *testing.T, s *postgres.Store, tenant crm.TenantID, q customer.AccountPlanQuery) string {
	t.Helper()
	capture := &planListCapture{}
	pool := pgtest.NewPool(t, func(c *pgxpool.Config) { c.ConnConfig.Tracer = capture; c.MaxConns = 2 })
	traced, err := postgres.New(pool, &postgres.Options{Schema: s.Schema()})
	require.NoError(t, err)
	_, err = traced.AccountPlans().List(context.Background(), tenant, q, crm.PageRequest{})
	require.NoError(t, err)
	capture.mu.Lock()
	sql, args := capture.sql, capture.args
	capture.mu.Unlock()
	require.NotEmpty(t, sql, "List ran no account plan statement")
	var plan []string
	rows, err := pgtest.Pool(t).Query(context.Background(), "EXPLAIN "+sql, args...)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		plan = append(plan, line)
	}
	require.NoError(t, rows.Err())
	return strings.Join(plan, "\n")
}

// TestAccountPlanListInForceAtUsesIndex proves with EXPLAIN, on the
// statement List really runs, that a list of the plans in force at a
// moment is served by the index of the filter beside it (customer,
// status), or by the primary key in ID order, never by a sequential scan.
func TestAccountPlanListInForceAtUsesIndex(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ten := newTenant()
	customers := populatePlans(t, s, ten, 600)
	populatePlans(t, s, newTenant(), 200)
	now := time.Date(2026, 2, 15, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		q    customer.AccountPlanQuery
		want string
	}{
		{"account's plan in force", customer.AccountPlanQuery{Customer: customers[7], InForceAt: now}, "account_plans_customer_idx"},
		{"account's active plan in force", customer.AccountPlanQuery{Customer: customers[7], Status: customer.PlanActive, InForceAt: now}, "account_plans_customer_idx"},
		{"drafts in force later", customer.AccountPlanQuery{Status: customer.PlanDraft, InForceAt: now.AddDate(0, 3, 0)}, "account_plans_status_idx"},
		{"all in force", customer.AccountPlanQuery{InForceAt: now}, "account_plans_pkey"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := explainPlans(t, s, ten, tc.q)
			require.Contains(t, plan, tc.want, "plan:\n%s", plan)
			require.NotContains(t, plan, "Seq Scan", "plan:\n%s", plan)
		})
	}
	page, err := s.AccountPlans().List(context.Background(), ten, customer.AccountPlanQuery{Customer: customers[7], InForceAt: now}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	start, end := page.Items[0].Period()
	require.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), start)
	require.Equal(t, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), end)
}
