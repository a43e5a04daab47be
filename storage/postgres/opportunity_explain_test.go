package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
	"github.com/crmkit/crm/storage/storagetest"
)

// populateOpportunities stores n opportunities of tenant spread over
// owners owners and n/4 customers; one in forty is of team "west", one in
// a hundred in stage "commit", one in seven won; close dates spread over
// 400 days and stage entries over n minutes. Then it vacuums and analyses
// the table.
func populateOpportunities(t testing.TB, s *postgres.Store, tenant crm.TenantID, n, owners int) {
	t.Helper()
	customers := make([]crm.ID, max(n/4, 1))
	for i := range customers {
		customers[i] = newID(t)
	}
	ctx := context.Background()
	day0 := time.Date(2025, time.April, 1, 0, 0, 0, 0, time.UTC)
	for start := 0; start < n; start += 1000 {
		err := s.InTx(ctx, func(ctx context.Context) error {
			for i := start; i < min(start+1000, n); i++ {
				o := &storagetest.OpportunityOptions{
					Customer:  customers[(i*7919)%len(customers)],
					Owner:     crm.UserID(fmt.Sprintf("owner-%03d", i%owners)),
					CloseDate: calendar.DateOf(day0.AddDate(0, 0, i%400)),
					At:        t0.Add(time.Duration(i) * time.Minute),
				}
				switch {
				case i%100 == 1:
					o.Stage = "commit"
				case i%7 == 0:
					o.Stage = opportunity.StageWon
				case i%3 == 0:
					o.Stage = "propose"
				}
				if i%40 == 5 {
					o.Team = "west"
				}
				if err := s.Opportunities().Create(ctx, storagetest.NewOpportunity(t, tenant, o)); err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(t, err)
	}
	_, err := pgtest.Pool(t).Exec(ctx, "VACUUM ANALYZE "+pgx.Identifier{s.Schema(), "opportunities"}.Sanitize())
	require.NoError(t, err)
}

// oppListCapture is a pgx tracer that keeps the last opportunity list
// statement a connection ran, with its arguments.
type oppListCapture struct {
	mu   sync.Mutex
	sql  string
	args []any
}

func (c *oppListCapture) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if strings.Contains(d.SQL, ".opportunities WHERE") && strings.HasPrefix(d.SQL, "SELECT doc") {
		c.mu.Lock()
		c.sql, c.args = d.SQL, d.Args
		c.mu.Unlock()
	}
	return ctx
}

func (c *oppListCapture) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// explainOpportunities runs List for q's first page through a store whose
// pool records the statement, then returns that statement's plan.
func explainOpportunities(t *testing.T, s *postgres.Store, tenant crm.TenantID, q opportunity.Query) string {
	t.Helper()
	capture := &oppListCapture{}
	pool := pgtest.NewPool(t, func(c *pgxpool.Config) { c.ConnConfig.Tracer = capture; c.MaxConns = 2 })
	traced, err := postgres.New(pool, &postgres.Options{Schema: s.Schema()})
	require.NoError(t, err)
	_, err = traced.Opportunities().List(context.Background(), tenant, q, crm.PageRequest{})
	require.NoError(t, err)
	capture.mu.Lock()
	sql, args := capture.sql, capture.args
	capture.mu.Unlock()
	require.NotEmpty(t, sql, "List ran no opportunity statement")
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

// TestOpportunityListUsesIndex proves with EXPLAIN, on the statement List
// really runs, that the selective opportunity list filters are served by
// their indexes and never by a sequential scan.
func TestOpportunityListUsesIndex(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ten := newTenant()
	populateOpportunities(t, s, ten, 5000, 100)
	populateOpportunities(t, s, newTenant(), 1000, 10)
	cases := []struct {
		name string
		q    opportunity.Query
		want string
	}{
		{"owner", opportunity.Query{Owners: []crm.UserID{"owner-042"}}, "opportunities_owner_idx"},
		{"owners", opportunity.Query{Owners: []crm.UserID{"owner-042", "owner-043"}}, "opportunities_owner_idx"},
		{"customer", opportunity.Query{Customer: newID(t)}, "opportunities_customer_idx"},
		{"rare team", opportunity.Query{Team: "west"}, "opportunities_team_idx"},
		{"rare stage", opportunity.Query{Stages: []string{"commit"}}, "opportunities_stage_idx"},
		{"rare category", opportunity.Query{Categories: []opportunity.ForecastCategory{opportunity.CategoryCommit}}, "opportunities_category_idx"},
		{"close week", opportunity.Query{CloseFrom: calendar.Date{Year: 2025, Month: 6, Day: 1}, CloseTo: calendar.Date{Year: 2025, Month: 6, Day: 7}}, "opportunities_close_idx"},
		{"stale", opportunity.Query{Statuses: []opportunity.Status{opportunity.Open}, StageBefore: t0.Add(30 * time.Minute)}, "opportunities_stale_idx"},
		{"all", opportunity.Query{}, "opportunities_pkey"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := explainOpportunities(t, s, ten, tc.q)
			require.Contains(t, plan, tc.want, "plan:\n%s", plan)
			require.NotContains(t, plan, "Seq Scan", "plan:\n%s", plan)
		})
	}
}
