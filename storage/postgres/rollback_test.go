package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// TestRollbackRestoresCreated covers the ways only PostgreSQL has for a
// transaction to end without storing a Create that succeeded inside it: a
// COMMIT the server refuses, a COMMIT whose outcome is unknown, and a host
// transaction (WithTx) the host rolls back. Each time the customer the
// caller handed to Create must be back as it was (version 0, its pending
// history and events), so that creating it again stores it whole; a host
// transaction that commits leaves it saved.
func TestRollbackRestoresCreated(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	cases := []struct {
		name string
		// own gives the case a store of its own (it kills a connection).
		own bool
		// run creates c and ends the transaction; it returns InTx's error.
		run     func(t *testing.T, s *postgres.Store, c *customer.Customer) error
		wantErr error
		stored  bool
	}{
		{name: "commit refused", wantErr: crm.ErrDuplicate, run: func(t *testing.T, s *postgres.Store, c *customer.Customer) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				if err := s.Customers().Create(ctx, c); err != nil {
					return err
				}
				// A deferred unique check fails at COMMIT: the server
				// rolls the transaction back although fn succeeded.
				tx, _ := postgres.TxFrom(ctx)
				_, err := tx.Exec(ctx, "CREATE TEMP TABLE u (x int UNIQUE DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP; INSERT INTO u VALUES (1), (1)")
				return err
			})
		}},
		{name: "outcome unknown", own: true, wantErr: crm.ErrOutcomeUnknown, run: func(t *testing.T, s *postgres.Store, c *customer.Customer) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				if err := s.Customers().Create(ctx, c); err != nil {
					return err
				}
				// A deferred trigger kills its own backend at COMMIT: the
				// COMMIT is sent, its answer never comes.
				tx, _ := postgres.TxFrom(ctx)
				_, err := tx.Exec(ctx, `CREATE FUNCTION pg_temp.die() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
CREATE TEMP TABLE dying (x int);
CREATE CONSTRAINT TRIGGER die AFTER INSERT ON dying DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pg_temp.die();
INSERT INTO dying VALUES (1)`)
				return err
			})
		}},
		{name: "host rolls back", run: func(t *testing.T, s *postgres.Store, c *customer.Customer) error {
			tx, err := pgtest.Pool(t).Begin(ctx)
			require.NoError(t, err)
			hctx, scope := postgres.WithTx(ctx, tx)
			require.NoError(t, s.InTx(hctx, func(ctx context.Context) error { return s.Customers().Create(ctx, c) }))
			require.Equal(t, int64(1), c.Version())
			require.NoError(t, tx.Rollback(ctx))
			require.Equal(t, int64(1), c.Version(), "restored before the host reported its rollback")
			scope.Rollback()
			return nil
		}},
		{name: "host commits", stored: true, run: func(t *testing.T, s *postgres.Store, c *customer.Customer) error {
			tx, err := pgtest.Pool(t).Begin(ctx)
			require.NoError(t, err)
			hctx, scope := postgres.WithTx(ctx, tx)
			require.NoError(t, s.Customers().Create(hctx, c))
			require.NoError(t, tx.Commit(ctx))
			scope.Commit()
			scope.Rollback() // too late: does nothing
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := s
			if tc.own {
				s, _ = ownStore(t)
			}
			ten := newTenant()
			c := newCustomer(t, ten, custOpts{})
			history, events := c.PendingHistory(), c.Events()
			require.NotEmpty(t, history)
			err := tc.run(t, s, c)
			if tc.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.wantErr)
			}
			_, gerr := s.Customers().Get(ctx, ten, c.ID())
			if tc.stored {
				require.NoError(t, gerr)
				require.Equal(t, int64(1), c.Version())
				require.Empty(t, c.PendingHistory())
				require.Empty(t, c.Events())
				return
			}
			require.ErrorIs(t, gerr, crm.ErrNotFound)
			require.Equal(t, int64(0), c.Version(), "the customer of the rolled-back Create is still marked saved")
			require.Equal(t, history, c.PendingHistory())
			require.Equal(t, events, c.Events())
			require.NoError(t, s.Customers().Create(ctx, c), "creating it again")
			require.Equal(t, int64(1), c.Version())
			got, err := s.Customers().History(ctx, ten, c.ID(), crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, got.Items, len(history), "the history the first attempt recorded is stored")
		})
	}
}
