package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
	"github.com/crmkit/crm/storage/storagetest"
)

// appRole creates a login role that neither owns the tables nor bypasses
// row-level security (as a host's application role would be), and returns
// a pool connected as it. Both go when t ends.
func appRole(t testing.TB) (string, *pgxpool.Pool) {
	t.Helper()
	admin := pgtest.Pool(t)
	ctx := context.Background()
	role := pgtest.SchemaName("role")
	q := pgx.Identifier{role}.Sanitize()
	if _, err := admin.Exec(ctx, "CREATE ROLE "+q+" LOGIN NOSUPERUSER NOBYPASSRLS"); err != nil {
		t.Skipf("cannot create a role on this server (needs CREATEROLE): %v", err)
	}
	t.Cleanup(func() {
		_, err := admin.Exec(ctx, "DROP OWNED BY "+q)
		require.NoError(t, err)
		_, err = admin.Exec(ctx, "DROP ROLE "+q)
		require.NoError(t, err)
	})
	pool := pgtest.NewPool(t, func(c *pgxpool.Config) {
		c.ConnConfig.User = role
		c.ConnConfig.Password = ""
		c.MaxConns = 16
	})
	return role, pool
}

// grant gives role what a host's application role needs on the store's
// tables (not their ownership).
func grant(t testing.TB, schema, role string) {
	t.Helper()
	s, r := pgx.Identifier{schema}.Sanitize(), pgx.Identifier{role}.Sanitize()
	_, err := pgtest.Pool(t).Exec(context.Background(),
		"GRANT USAGE ON SCHEMA "+s+" TO "+r+"; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA "+s+" TO "+r+"; GRANT DELETE ON "+s+".outbox TO "+r)
	require.NoError(t, err)
}

// rlsStore migrates a store as the owner and returns it as seen through
// role's pool with row-level security on.
func rlsStore(t testing.TB, role string, pool *pgxpool.Pool) (owner, app *postgres.Store) {
	t.Helper()
	owner = newStore(t, nil)
	grant(t, owner.Schema(), role)
	app, err := postgres.New(pool, &postgres.Options{Schema: owner.Schema(), RowLevelSecurity: true})
	require.NoError(t, err)
	return owner, app
}

// TestRowLevelSecurity proves the second wall: through a role the policies
// bind, a statement without the tenant sees no row at all, a statement
// naming one tenant sees only that tenant's rows, and rows of another
// tenant cannot be written.
func TestRowLevelSecurity(t *testing.T) {
	t.Parallel()
	role, pool := appRole(t)
	owner, app := rlsStore(t, role, pool)
	ctx := context.Background()
	a, b := newTenant(), newTenant()
	for _, ten := range []crm.TenantID{a, a, b} {
		require.NoError(t, owner.Customers().Create(ctx, newCustomer(t, ten, custOpts{})))
	}
	table := pgx.Identifier{owner.Schema(), "customers"}.Sanitize()
	count := func(t *testing.T, tenant string, where string) int {
		t.Helper()
		var n int
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if tenant != "" {
				if _, err := tx.Exec(ctx, "SELECT set_config('crm.tenant', $1, true)", tenant); err != nil {
					return err
				}
			}
			return tx.QueryRow(ctx, "SELECT count(*) FROM "+table+" "+where).Scan(&n)
		})
		require.NoError(t, err)
		return n
	}
	cases := []struct {
		name   string
		tenant string
		where  string
		want   int
	}{
		{"no tenant, no filter", "", "", 0},
		{"no tenant, filter on tenant", "", "WHERE tenant_id = '" + string(a) + "'", 0},
		{"tenant a", string(a), "", 2},
		{"tenant a asking for b", string(a), "WHERE tenant_id = '" + string(b) + "'", 0},
		{"tenant b", string(b), "", 1},
		{"unknown tenant", "nobody", "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, count(t, tc.tenant, tc.where))
		})
	}
	t.Run("write into another tenant", func(t *testing.T) {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT set_config('crm.tenant', $1, true)", string(a)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "UPDATE "+table+" SET tenant_id = $1", string(b))
			return err
		})
		require.Error(t, err, "WITH CHECK must refuse moving rows to another tenant")
	})
	t.Run("store sees its tenant", func(t *testing.T) {
		p, err := app.Customers().List(ctx, a, customer.Query{}, crm.PageRequest{})
		require.NoError(t, err)
		require.Len(t, p.Items, 2)
	})
	t.Run("store without the option sees nothing", func(t *testing.T) {
		blind, err := postgres.New(pool, &postgres.Options{Schema: owner.Schema()})
		require.NoError(t, err)
		p, err := blind.Customers().List(ctx, a, customer.Query{}, crm.PageRequest{})
		require.NoError(t, err)
		require.Empty(t, p.Items)
	})
	t.Run("forced for the owner", func(t *testing.T) {
		// A superuser bypasses RLS even when forced, so only check that
		// forcing and unforcing work and leave the store usable.
		require.NoError(t, owner.ForceRowLevelSecurity(ctx, true))
		require.NoError(t, owner.ForceRowLevelSecurity(ctx, false))
		_, err := owner.Customers().List(ctx, a, customer.Query{}, crm.PageRequest{})
		require.NoError(t, err)
	})
}

// TestConformanceRowLevelSecurity runs the whole conformance suite through
// a role bound by the row-level security policies, with the store naming
// the tenant of every statement.
func TestConformanceRowLevelSecurity(t *testing.T) {
	t.Parallel()
	role, pool := appRole(t)
	storagetest.Run(t, func(t testing.TB) storage.Store {
		_, app := rlsStore(t, role, pool)
		return app
	}, storagetest.Features{OutboxClaimsNameTenant: true})
}

// TestImportRowLevelSecurity checks the import path used when COPY is not
// allowed (row-level security binds the role): several tenants in one
// batch, all or nothing.
func TestImportRowLevelSecurity(t *testing.T) {
	t.Parallel()
	role, pool := appRole(t)
	owner, app := rlsStore(t, role, pool)
	ctx := context.Background()
	a, b := newTenant(), newTenant()
	imp := app.Customers().(postgres.CustomerImporter)
	batch := []*customer.Customer{newCustomer(t, a, custOpts{}), newCustomer(t, b, custOpts{}), newCustomer(t, a, custOpts{})}
	require.NoError(t, imp.ImportCustomers(ctx, batch))
	for _, c := range batch {
		require.Equal(t, int64(1), c.Version())
		got, err := owner.Customers().Get(ctx, c.Tenant(), c.ID())
		require.NoError(t, err)
		require.Equal(t, c.Record(), got.Record())
	}
	again := []*customer.Customer{newCustomer(t, b, custOpts{}), clone(t, batch[1])}
	err := imp.ImportCustomers(ctx, again)
	require.ErrorIs(t, err, crm.ErrDuplicate)
	_, err = owner.Customers().Get(ctx, b, again[0].ID())
	require.ErrorIs(t, err, crm.ErrNotFound)
}

// clone returns a new, unsaved customer with c's ID and tenant.
func clone(t testing.TB, c *customer.Customer) *customer.Customer {
	t.Helper()
	in := customer.NewInput{ID: c.ID(), Tenant: c.Tenant(), Kind: customer.Person, Name: "Clone", Roles: []customer.Role{customer.Dealer}, Owner: "owner-2"}
	d, err := customer.New(in, change(""))
	require.NoError(t, err)
	return d
}

// newRisk builds a valid new risk of tenant raised from a cluster hotspot
// on building.
func newRisk(t testing.TB, tenant crm.TenantID, building string) *complaint.Risk {
	t.Helper()
	h := complaint.Hotspot{
		Rule: "leak-cluster", Kind: complaint.RuleCluster, Category: "leak",
		Asset: complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: building}},
		Count: 3, From: t0.Add(-time.Hour), To: t0, Evidence: []crm.ID{newID(t), newID(t), newID(t)},
	}
	r, err := complaint.NewRisk(h, "risk-owner", newID(t), tenant, t0)
	require.NoError(t, err)
	return r
}

// TestComplaintRowLevelSecurity is TestRowLevelSecurity for the complaint
// tables: through a role the policies bind, rows are seen and written only
// for the tenant named in crm.tenant, and the store with the option works.
func TestComplaintRowLevelSecurity(t *testing.T) {
	t.Parallel()
	role, pool := appRole(t)
	owner, app := rlsStore(t, role, pool)
	ctx := context.Background()
	a, b := newTenant(), newTenant()
	var first *complaint.Complaint
	for _, ten := range []crm.TenantID{a, a, b} {
		c := newComplaint(t, ten, complaintOpts{})
		require.NoError(t, owner.Complaints().Create(ctx, c))
		require.NoError(t, owner.Complaints().CreateRisk(ctx, newRisk(t, ten, c.ID().String())))
		if first == nil {
			first = c
		}
	}
	count := func(t *testing.T, table, tenant, where string) int {
		t.Helper()
		var n int
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if tenant != "" {
				if _, err := tx.Exec(ctx, "SELECT set_config('crm.tenant', $1, true)", tenant); err != nil {
					return err
				}
			}
			return tx.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{owner.Schema(), table}.Sanitize()+" "+where).Scan(&n)
		})
		require.NoError(t, err)
		return n
	}
	for _, table := range []string{"complaints", "complaint_audit", "complaint_risks"} {
		cases := []struct {
			name   string
			tenant string
			where  string
			want   int
		}{
			{"no tenant, no filter", "", "", 0},
			{"no tenant, filter on tenant", "", "WHERE tenant_id = '" + string(a) + "'", 0},
			{"tenant a", string(a), "", 2},
			{"tenant a asking for b", string(a), "WHERE tenant_id = '" + string(b) + "'", 0},
			{"tenant b", string(b), "", 1},
			{"unknown tenant", "nobody", "", 0},
		}
		for _, tc := range cases {
			t.Run(table+"/"+tc.name, func(t *testing.T) {
				require.Equal(t, tc.want, count(t, table, tc.tenant, tc.where))
			})
		}
		t.Run(table+"/write into another tenant", func(t *testing.T) {
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, "SELECT set_config('crm.tenant', $1, true)", string(a)); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "UPDATE "+pgx.Identifier{owner.Schema(), table}.Sanitize()+" SET tenant_id = $1", string(b))
				return err
			})
			require.Error(t, err, "WITH CHECK (or the append-only trigger) must refuse moving rows to another tenant")
		})
	}
	t.Run("store sees its tenant", func(t *testing.T) {
		p, err := app.Complaints().List(ctx, a, complaint.Query{}, crm.PageRequest{})
		require.NoError(t, err)
		require.Len(t, p.Items, 2)
		au, err := app.Complaints().Audit(ctx, a, first.ID(), crm.PageRequest{})
		require.NoError(t, err)
		require.Len(t, au.Items, 1)
		rs, err := app.Complaints().ListRisks(ctx, a, complaint.RiskQuery{}, crm.PageRequest{})
		require.NoError(t, err)
		require.Len(t, rs.Items, 2)
		up, err := app.Complaints().Update(ctx, a, first.ID(), func(c *complaint.Complaint) error {
			return c.Transition(complaint.Acknowledged, complaint.Change{Actor: "agent", At: t0})
		})
		require.NoError(t, err)
		require.Equal(t, int64(2), up.Version())
	})
	t.Run("store sees nothing of another tenant", func(t *testing.T) {
		_, err := app.Complaints().Get(ctx, b, first.ID())
		require.ErrorIs(t, err, crm.ErrNotFound)
	})
	t.Run("store without the option sees nothing", func(t *testing.T) {
		blind, err := postgres.New(pool, &postgres.Options{Schema: owner.Schema()})
		require.NoError(t, err)
		p, err := blind.Complaints().List(ctx, a, complaint.Query{}, crm.PageRequest{})
		require.NoError(t, err)
		require.Empty(t, p.Items)
		_, err = blind.Complaints().Get(ctx, a, first.ID())
		require.ErrorIs(t, err, crm.ErrNotFound)
	})
}

// TestRowLevelSecuritySavepoint repeats what a host did: inside its own
// transaction (WithTx) it rolled back to a savepoint taken before a store
// call, which undoes the store's crm.tenant setting too. The store's next
// calls must still see and write the tenant's rows.
func TestRowLevelSecuritySavepoint(t *testing.T) {
	t.Parallel()
	role, pool := appRole(t)
	owner, app := rlsStore(t, role, pool)
	ctx := context.Background()
	ten := newTenant()
	existing := newCustomer(t, ten, custOpts{})
	require.NoError(t, owner.Customers().Create(ctx, existing))

	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	hctx, scope := postgres.WithTx(ctx, tx)
	defer scope.Rollback()
	_, err = tx.Exec(ctx, "SAVEPOINT before_store")
	require.NoError(t, err)
	_, err = app.Customers().Get(hctx, ten, existing.ID())
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "ROLLBACK TO SAVEPOINT before_store")
	require.NoError(t, err)

	got, err := app.Customers().Get(hctx, ten, existing.ID())
	require.NoError(t, err, "the tenant setting went with the savepoint")
	require.Equal(t, existing.ID(), got.ID())
	fresh := newCustomer(t, ten, custOpts{})
	require.NoError(t, app.Customers().Create(hctx, fresh))
	_, err = app.Customers().Update(hctx, ten, existing.ID(), func(c *customer.Customer) error { return c.Rename("Renamed") })
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	scope.Commit()
	got, err = app.Customers().Get(ctx, ten, fresh.ID())
	require.NoError(t, err)
	require.Equal(t, fresh.ID(), got.ID())
}

// TestRowLevelSecurityRefusalIsUnavailable checks that a write the
// policies refuse (SQLSTATE 42501: here a store that does not set
// crm.tenant, connected as a role the policies bind) is reported as
// crm.ErrUnavailable, not as an unclassified server error.
func TestRowLevelSecurityRefusalIsUnavailable(t *testing.T) {
	t.Parallel()
	role, pool := appRole(t)
	owner, _ := rlsStore(t, role, pool)
	ctx := context.Background()
	blind, err := postgres.New(pool, &postgres.Options{Schema: owner.Schema()})
	require.NoError(t, err)
	ten := newTenant()
	err = blind.Customers().Create(ctx, newCustomer(t, ten, custOpts{}))
	require.ErrorIs(t, err, crm.ErrUnavailable)
	require.Contains(t, err.Error(), "42501")
	require.NotErrorIs(t, err, crm.ErrOutcomeUnknown, "the server answered: nothing was stored")
	// The outbox too: the role lacks nothing, the policy refuses.
	err = blind.AppendEvents(ctx, newEvents(t, ten, 1))
	require.ErrorIs(t, err, crm.ErrUnavailable)
}
