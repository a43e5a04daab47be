package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// ownStore returns a migrated store on a pool of its own (so that killing
// its connections disturbs no other test).
// Its connections carry the returned application_name.
func ownStore(t testing.TB) (*postgres.Store, string) {
	t.Helper()
	app := pgtest.SchemaName("app")
	pool := pgtest.NewPool(t, func(c *pgxpool.Config) {
		c.MaxConns = 4
		c.ConnConfig.RuntimeParams["application_name"] = app
	})
	s, err := postgres.New(pool, &postgres.Options{Schema: pgtest.Schema(t)})
	require.NoError(t, err)
	_, err = s.Migrate(context.Background())
	require.NoError(t, err)
	return s, app
}

// kill terminates the server process behind tx's connection.
func kill(t testing.TB, ctx context.Context, tx pgx.Tx) {
	t.Helper()
	var pid int
	require.NoError(t, tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid))
	var ok bool
	require.NoError(t, pgtest.Pool(t).QueryRow(context.Background(), "SELECT pg_terminate_backend($1, 5000)", pid).Scan(&ok))
	require.True(t, ok)
}

// TestKilledConnection kills the connection of a transaction in the middle
// of it (pg_terminate_backend): nothing of the transaction is committed,
// the caller gets an error, and the store goes on working.
func TestKilledConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, s *postgres.Store, app string, ten crm.TenantID) []crm.ID // IDs that must not exist
	}{
		{"InTx after a create", func(t *testing.T, s *postgres.Store, app string, ten crm.TenantID) []crm.ID {
			a, b := newCustomer(t, ten, custOpts{}), newCustomer(t, ten, custOpts{})
			err := s.InTx(ctx, func(ctx context.Context) error {
				if err := s.Customers().Create(ctx, a); err != nil {
					return err
				}
				tx, ok := postgres.TxFrom(ctx)
				require.True(t, ok)
				kill(t, ctx, tx)
				return s.Customers().Create(ctx, b)
			})
			require.ErrorIs(t, err, crm.ErrUnavailable)
			return []crm.ID{a.ID(), b.ID()}
		}},
		{"Update inside its closure", func(t *testing.T, s *postgres.Store, app string, ten crm.TenantID) []crm.ID {
			c := newCustomer(t, ten, custOpts{})
			require.NoError(t, s.Customers().Create(ctx, c))
			_, err := s.Customers().Update(ctx, ten, c.ID(), func(c *customer.Customer) error {
				// The closure cannot see the transaction; kill the
				// connection of this store's pool that holds the lock.
				var n int
				err := pgtest.Pool(t).QueryRow(ctx, `SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
 WHERE application_name = $1 AND state = 'idle in transaction' AND query LIKE '%FOR UPDATE'`, app).Scan(&n)
				require.NoError(t, err)
				require.Positive(t, n)
				return c.Rename("Renamed")
			})
			require.ErrorIs(t, err, crm.ErrUnavailable)
			got, err := s.Customers().Get(ctx, ten, c.ID())
			require.NoError(t, err)
			require.Equal(t, "Ada Lovelace", got.Name())
			require.Equal(t, int64(1), got.Version())
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, app := ownStore(t)
			ten := newTenant()
			for _, id := range tc.run(t, s, app, ten) {
				_, err := s.Customers().Get(ctx, ten, id)
				require.ErrorIs(t, err, crm.ErrNotFound)
			}
			// The store keeps working on the same pool.
			for range 6 {
				c := newCustomer(t, ten, custOpts{})
				require.NoError(t, s.Customers().Create(ctx, c))
				_, err := s.Customers().Update(ctx, ten, c.ID(), func(c *customer.Customer) error { return c.Rename("After") })
				require.NoError(t, err)
			}
		})
	}
}

// TestDeadlockIsConflict makes two transactions lock two customers in
// opposite orders: PostgreSQL aborts one with a deadlock, which the store
// reports as crm.ErrConflict (and does not retry inside the caller's
// transaction); the other commits.
func TestDeadlockIsConflict(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	a, b := newCustomer(t, ten, custOpts{}), newCustomer(t, ten, custOpts{})
	require.NoError(t, s.Customers().Create(ctx, a))
	require.NoError(t, s.Customers().Create(ctx, b))
	var (
		locked sync.WaitGroup
		wg     sync.WaitGroup
		errs   [2]error
	)
	locked.Add(2)
	order := [2][2]crm.ID{{a.ID(), b.ID()}, {b.ID(), a.ID()}}
	for i := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.InTx(ctx, func(ctx context.Context) error {
				first := true
				for _, id := range order[i] {
					_, err := s.Customers().Update(ctx, ten, id, func(c *customer.Customer) error {
						return c.SetNotes("by " + string(rune('A'+i)))
					})
					if first {
						locked.Done()
						locked.Wait()
						first = false
					}
					if err != nil {
						return err
					}
				}
				return nil
			})
		}()
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			require.ErrorIs(t, err, crm.ErrConflict)
			requireNoDriverError(t, err)
		}
	}
	require.Equal(t, 1, failed, "errors: %v", errs)
	ga, err := s.Customers().Get(ctx, ten, a.ID())
	require.NoError(t, err)
	gb, err := s.Customers().Get(ctx, ten, b.ID())
	require.NoError(t, err)
	require.Equal(t, ga.Notes(), gb.Notes(), "the winner wrote both")
	require.Equal(t, int64(2), ga.Version())
}

// TestHostTx runs store calls inside the host's own pgx.Tx: the CRM's
// writes and the host's commit or roll back together, InTx joins instead
// of committing, and a refused call leaves the host's transaction usable.
func TestHostTx(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	pool := pgtest.Pool(t)
	ctx := context.Background()
	orders := pgx.Identifier{s.Schema(), "host_orders"}.Sanitize()
	_, err := pool.Exec(ctx, "CREATE TABLE "+orders+" (customer_id uuid PRIMARY KEY)")
	require.NoError(t, err)
	ten := newTenant()
	existing := newCustomer(t, ten, custOpts{})
	require.NoError(t, s.Customers().Create(ctx, existing))

	for _, commit := range []bool{false, true} {
		name := "rollback"
		if commit {
			name = "commit"
		}
		t.Run(name, func(t *testing.T) {
			c := newCustomer(t, ten, custOpts{})
			tx, err := pool.Begin(ctx)
			require.NoError(t, err)
			hctx, _ := postgres.WithTx(ctx, tx)
			require.NoError(t, s.Customers().Create(hctx, c))
			_, err = tx.Exec(ctx, "INSERT INTO "+orders+" VALUES ($1)", [16]byte(c.ID()))
			require.NoError(t, err)
			require.NoError(t, s.InTx(hctx, func(ctx context.Context) error {
				_, err := s.Customers().Update(ctx, ten, c.ID(), func(c *customer.Customer) error { return c.AddTag("vip") })
				return err
			}))
			// Refusals inside the host's transaction leave it usable.
			require.ErrorIs(t, s.Customers().Create(hctx, clone(t, existing)), crm.ErrDuplicate)
			_, err = s.Customers().Get(hctx, ten, newID(t))
			require.ErrorIs(t, err, crm.ErrNotFound)
			require.ErrorIs(t, s.Customers().AddInteraction(hctx, customer.Interaction{
				ID: newID(t), Tenant: ten, CustomerID: newID(t), Channel: customer.Web, Direction: customer.Inbound,
				Actor: "rep", At: t0, Summary: "x",
			}), crm.ErrNotFound)
			// Not visible outside before the host commits.
			_, err = s.Customers().Get(ctx, ten, c.ID())
			require.ErrorIs(t, err, crm.ErrNotFound)
			if commit {
				require.NoError(t, tx.Commit(ctx))
			} else {
				require.NoError(t, tx.Rollback(ctx))
			}
			got, err := s.Customers().Get(ctx, ten, c.ID())
			var n int
			require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM "+orders+" WHERE customer_id = $1", [16]byte(c.ID())).Scan(&n))
			if commit {
				require.NoError(t, err)
				require.True(t, got.HasTag("vip"))
				require.Equal(t, 1, n)
			} else {
				require.ErrorIs(t, err, crm.ErrNotFound)
				require.Zero(t, n)
			}
		})
	}
}

// TestCorruptRow checks that a row the store cannot decode (written behind
// its back) is reported as an error, not a panic or an invalid customer.
func TestCorruptRow(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	c := newCustomer(t, ten, custOpts{})
	require.NoError(t, s.Customers().Create(ctx, c))
	cols := []string{"stage = 'bogus'", "roles = '{}'", "emails = '{not-an-email}'", "dates = '{\"birthday\": \"1999-02-30\"}'", "consents = '[1]'"}
	for _, set := range cols {
		t.Run(set, func(t *testing.T) {
			tx, err := pgtest.Pool(t).Begin(ctx)
			require.NoError(t, err)
			defer func() { require.NoError(t, tx.Rollback(ctx)) }()
			_, err = tx.Exec(ctx, "UPDATE "+pgx.Identifier{s.Schema(), "customers"}.Sanitize()+" SET "+set+" WHERE id = $1", [16]byte(c.ID()))
			require.NoError(t, err)
			hctx, _ := postgres.WithTx(ctx, tx)
			_, err = s.Customers().Get(hctx, ten, c.ID())
			require.Error(t, err)
			require.Contains(t, err.Error(), "corrupt")
			require.False(t, errors.Is(err, crm.ErrNotFound))
		})
	}
}

// TestNewOptions checks New's validation of its options.
func TestNewOptions(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	bad := []struct {
		name string
		pool *pgxpool.Pool
		opts postgres.Options
	}{
		{"nil pool", nil, postgres.Options{}},
		{"upper case schema", pool, postgres.Options{Schema: "Crm"}},
		{"schema starting with a digit", pool, postgres.Options{Schema: "1crm"}},
		{"schema with a hyphen", pool, postgres.Options{Schema: "crm-x"}},
		{"schema with a quote", pool, postgres.Options{Schema: `crm"; drop`}},
		{"system schema", pool, postgres.Options{Schema: "pg_catalog"}},
		{"schema too long", pool, postgres.Options{Schema: "a123456789012345678901234567890123456789012345678901234567890123"}},
		{"bad extension schema", pool, postgres.Options{ExtensionSchema: "Public"}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := postgres.New(tc.pool, &tc.opts)
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
	s, err := postgres.New(pool, nil)
	require.NoError(t, err)
	require.Equal(t, postgres.DefaultSchema, s.Schema())
	s, err = postgres.New(pool, &postgres.Options{Schema: "crm_2", MaxRetries: -1})
	require.NoError(t, err)
	require.Equal(t, "crm_2", s.Schema())
}
