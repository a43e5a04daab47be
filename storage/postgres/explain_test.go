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
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// words make varied, searchable names.
var words = []string{"amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "indigo", "juniper",
	"kestrel", "linden", "maple", "nectar", "orchid", "pepper", "quartz", "raven", "sierra", "tundra"}

// populate imports n customers of tenant with varied names, e-mails,
// phones and owners, then vacuums and analyses the table, as autovacuum
// would soon after a bulk import (VACUUM also moves the GIN indexes'
// pending lists into the indexes proper).
func populate(t testing.TB, s *postgres.Store, tenant crm.TenantID, n, owners int) []*customer.Customer {
	t.Helper()
	batch := make([]*customer.Customer, n)
	for i := range batch {
		w1, w2 := words[i%len(words)], words[(i/len(words))%len(words)]
		batch[i] = newCustomer(t, tenant, custOpts{
			name:   fmt.Sprintf("%s %s %d", strings.ToUpper(w1[:1])+w1[1:], w2, i),
			owner:  crm.UserID(fmt.Sprintf("owner-%03d", i%owners)),
			emails: []string{fmt.Sprintf("%s.%s.%d@example.com", w2, w1, i)},
			phones: []string{fmt.Sprintf("+86 138 %04d %04d", i%10000, (i*7919)%10000)},
		})
	}
	imp := s.Customers().(postgres.CustomerImporter)
	for start := 0; start < n; start += 10000 {
		require.NoError(t, imp.ImportCustomers(context.Background(), batch[start:min(start+10000, n)]))
	}
	_, err := pgtest.Pool(t).Exec(context.Background(), "VACUUM ANALYZE "+pgx.Identifier{s.Schema(), "customers"}.Sanitize())
	require.NoError(t, err)
	return batch
}

// explain returns the plan of the statement List runs for q's first page.
func explain(t testing.TB, s *postgres.Store, tenant crm.TenantID, q customer.Query, settings string) string {
	t.Helper()
	sql, args, none := postgres.ListSQL(s, tenant, q, crm.DefaultPageLimit+1)
	require.False(t, none)
	var plan []string
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, pgtest.Pool(t), func(tx pgx.Tx) error {
		if settings != "" {
			if _, err := tx.Exec(ctx, settings); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, "EXPLAIN "+sql, args...)
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

// TestSearchUsesIndex proves with EXPLAIN that text search and the list
// filters are served by the schema's indexes, not by a sequential scan: a
// selective search text is looked up in the trigram indexes (which lead
// with tenant_id) by the planner's own choice.
func TestSearchUsesIndex(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ten := newTenant()
	populate(t, s, ten, 5000, 100)
	populate(t, s, newTenant(), 1000, 10)

	const off = "SET LOCAL enable_seqscan = off"
	cases := []struct {
		name     string
		q        customer.Query
		settings string
		want     []string
	}{
		{"name substring, planner's choice", customer.Query{Text: "Kestrel Sierra"}, "", []string{"customers_text_idx"}},
		{"e-mail substring, planner's choice", customer.Query{Text: "quartz.amber."}, "", []string{"customers_text_idx"}},
		{"phone digits, planner's choice", customer.Query{Text: "138 1234 5"}, "", []string{"customers_phones_idx"}},
		{"hostile text, planner's choice", customer.Query{Text: `100%_pure\o'brien`}, "", []string{"customers_text_idx"}},
		// A common word matches so many rows that walking the tenant's
		// primary key in page order and stopping at a full page is cheaper.
		{"common word", customer.Query{Text: "kestrel"}, "", []string{"customers_pkey"}},
		{"text and common digits", customer.Query{Text: "raven 12"}, "", []string{"customers_pkey"}},
		{"rare text and digits, seqscan off", customer.Query{Text: "zz 9876543"}, off, []string{"customers_text_idx", "customers_phones_idx"}},
		{"owner", customer.Query{Owner: "owner-042"}, "", []string{"customers_owner_idx"}},
		{"tag, seqscan off", customer.Query{Tag: "vip"}, "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off", []string{"customers_facets_idx"}},
		{"role, seqscan off", customer.Query{Role: customer.Dealer}, "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off", []string{"customers_facets_idx"}},
		{"stage, seqscan off", customer.Query{Stage: customer.Growth}, "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off", []string{"customers_facets_idx"}},
		{"class and lifecycle, seqscan off", customer.Query{Class: customer.Stable, Lifecycle: customer.AtRisk}, "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off", []string{"customers_facets_idx"}},
		{"all", customer.Query{}, "", []string{"customers_pkey"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := explain(t, s, ten, tc.q, tc.settings)
			for _, idx := range tc.want {
				require.Contains(t, plan, idx, "plan:\n%s", plan)
			}
			require.NotContains(t, plan, "Seq Scan", "plan:\n%s", plan)
		})
	}
}

// populateComplaints stores n complaints of tenant spread over owners
// owners, n/4 customers, 20 groups and 50 buildings of 5 projects, then
// vacuums and analyses the table.
func populateComplaints(t testing.TB, s *postgres.Store, tenant crm.TenantID, n, owners int) {
	t.Helper()
	customers := make([]crm.ID, max(n/4, 1))
	for i := range customers {
		customers[i] = newID(t)
	}
	groups := make([]crm.ID, 20)
	for i := range groups {
		groups[i] = newID(t)
	}
	ctx := context.Background()
	for start := 0; start < n; start += 1000 {
		err := s.InTx(ctx, func(ctx context.Context) error {
			for i := start; i < min(start+1000, n); i++ {
				o := complaintOpts{
					customer: customers[(i*7919)%len(customers)],
					owner:    crm.UserID(fmt.Sprintf("owner-%03d", i%owners)),
					category: words[i%len(words)],
					asset: complaint.Asset{{Kind: "project", ID: fmt.Sprintf("P%d", i%5)},
						{Kind: "building", ID: fmt.Sprintf("B%d", i%50)}, {Kind: "unit", ID: fmt.Sprintf("%d", i)}},
					at: t0.Add(time.Duration(i) * time.Minute),
				}
				if i%10 == 0 {
					o.group = groups[(i/10)%len(groups)]
				}
				if err := s.Complaints().Create(ctx, newComplaint(t, tenant, o)); err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(t, err)
	}
	_, err := pgtest.Pool(t).Exec(ctx, "VACUUM ANALYZE "+pgx.Identifier{s.Schema(), "complaints"}.Sanitize())
	require.NoError(t, err)
}

// listCapture is a pgx tracer that keeps the last complaint list
// statement a connection ran, with its arguments.
type listCapture struct {
	mu   sync.Mutex
	sql  string
	args []any
}

func (c *listCapture) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if strings.Contains(d.SQL, ".complaints WHERE") {
		c.mu.Lock()
		c.sql, c.args = d.SQL, d.Args
		c.mu.Unlock()
	}
	return ctx
}

func (c *listCapture) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// explainComplaints runs List for q's first page through a store whose
// pool records the statement, then returns that statement's plan.
func explainComplaints(t *testing.T, s *postgres.Store, tenant crm.TenantID, q complaint.Query, settings string) string {
	t.Helper()
	capture := &listCapture{}
	pool := pgtest.NewPool(t, func(c *pgxpool.Config) { c.ConnConfig.Tracer = capture; c.MaxConns = 2 })
	traced, err := postgres.New(pool, &postgres.Options{Schema: s.Schema()})
	require.NoError(t, err)
	_, err = traced.Complaints().List(context.Background(), tenant, q, crm.PageRequest{})
	require.NoError(t, err)
	capture.mu.Lock()
	sql, args := capture.sql, capture.args
	capture.mu.Unlock()
	require.NotEmpty(t, sql, "List ran no complaint statement")
	var plan []string
	ctx := context.Background()
	err = pgx.BeginFunc(ctx, pgtest.Pool(t), func(tx pgx.Tx) error {
		if settings != "" {
			if _, err := tx.Exec(ctx, settings); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, "EXPLAIN "+sql, args...)
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

// TestComplaintListUsesIndex proves with EXPLAIN, on the statement List
// really runs, that the complaint list filters are served by their
// indexes and never by a sequential scan.
func TestComplaintListUsesIndex(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ten := newTenant()
	populateComplaints(t, s, ten, 5000, 100)
	populateComplaints(t, s, newTenant(), 1000, 10)
	building := complaint.Asset{{Kind: "project", ID: "P3"}, {Kind: "building", ID: "B13"}}
	hostileAsset := complaint.Asset{{Kind: `pro'ject%`, ID: `_B\1`}}
	cases := []struct {
		name string
		q    complaint.Query
		want string
	}{
		{"owner", complaint.Query{Owner: "owner-042"}, "complaints_owner_idx"},
		{"customer", complaint.Query{Customer: newID(t)}, "complaints_customer_idx"},
		{"group", complaint.Query{Group: newID(t)}, "complaints_group_idx"},
		{"asset prefix", complaint.Query{Asset: building}, "complaints_asset_idx"},
		{"hostile asset prefix", complaint.Query{Asset: hostileAsset}, "complaints_asset_idx"},
		{"unit", complaint.Query{Asset: append(building, complaint.AssetLevel{Kind: "unit", ID: "13"})}, "complaints_asset_idx"},
		{"rare category", complaint.Query{Categories: []string{"rare", "rarer"}}, "complaints_category_idx"},
		// A category held by one complaint in twenty: walking the tenant's
		// primary key in page order and stopping at a full page is cheaper.
		{"common category", complaint.Query{Categories: []string{"kestrel"}}, "complaints_pkey"},
		{"received range", complaint.Query{ReceivedFrom: t0.Add(100 * time.Minute), ReceivedTo: t0.Add(130 * time.Minute)}, "complaints_received_idx"},
		{"all", complaint.Query{}, "complaints_pkey"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := explainComplaints(t, s, ten, tc.q, "")
			require.Contains(t, plan, tc.want, "plan:\n%s", plan)
			require.NotContains(t, plan, "Seq Scan", "plan:\n%s", plan)
		})
	}
}
