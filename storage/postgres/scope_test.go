package postgres_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// TestCommitScopeInTx checks that functions registered with
// crm.AfterCommit inside InTx run once the outermost transaction
// committed, and never when it rolls back.
func TestCommitScopeInTx(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	boom := errors.New("boom")
	cases := []struct {
		name    string
		run     func(t *testing.T, ctx context.Context, c *customer.Customer, ran *atomic.Int32) error
		wantErr error
		panics  bool
		stored  bool
	}{
		{name: "commit", stored: true, run: func(t *testing.T, ctx context.Context, c *customer.Customer, ran *atomic.Int32) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				if err := s.Customers().Create(ctx, c); err != nil {
					return err
				}
				crm.AfterCommit(ctx, func(context.Context) { ran.Add(1) })
				require.Zero(t, ran.Load(), "ran before the commit")
				return nil
			})
		}},
		{name: "error", wantErr: boom, run: func(t *testing.T, ctx context.Context, c *customer.Customer, ran *atomic.Int32) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				if err := s.Customers().Create(ctx, c); err != nil {
					return err
				}
				crm.AfterCommit(ctx, func(context.Context) { ran.Add(1) })
				return boom
			})
		}},
		{name: "panic", panics: true, run: func(t *testing.T, ctx context.Context, c *customer.Customer, ran *atomic.Int32) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				if err := s.Customers().Create(ctx, c); err != nil {
					return err
				}
				crm.AfterCommit(ctx, func(context.Context) { ran.Add(1) })
				panic("boom")
			})
		}},
		{name: "nested, outer commits", stored: true, run: func(t *testing.T, ctx context.Context, c *customer.Customer, ran *atomic.Int32) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				err := s.InTx(ctx, func(ctx context.Context) error {
					crm.AfterCommit(ctx, func(context.Context) { ran.Add(1) })
					return s.Customers().Create(ctx, c)
				})
				require.Zero(t, ran.Load(), "ran when the inner InTx returned")
				return err
			})
		}},
		{name: "nested, outer fails after inner succeeded", wantErr: boom, run: func(t *testing.T, ctx context.Context, c *customer.Customer, ran *atomic.Int32) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				require.NoError(t, s.InTx(ctx, func(ctx context.Context) error {
					crm.AfterCommit(ctx, func(context.Context) { ran.Add(1) })
					return s.Customers().Create(ctx, c)
				}))
				return boom
			})
		}},
		{name: "commit fails", wantErr: crm.ErrDuplicate, run: func(t *testing.T, ctx context.Context, c *customer.Customer, ran *atomic.Int32) error {
			// A deferred unique check fails at COMMIT: the transaction
			// rolls back although fn succeeded.
			return s.InTx(ctx, func(ctx context.Context) error {
				tx, _ := postgres.TxFrom(ctx)
				if _, err := tx.Exec(ctx, "CREATE TEMP TABLE u (x int UNIQUE DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP; INSERT INTO u VALUES (1), (1)"); err != nil {
					return err
				}
				crm.AfterCommit(ctx, func(context.Context) { ran.Add(1) })
				return s.Customers().Create(ctx, c)
			})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ten := newTenant()
			c := newCustomer(t, ten, custOpts{})
			var ran atomic.Int32
			if tc.panics {
				require.PanicsWithValue(t, "boom", func() { _ = tc.run(t, ctx, c, &ran) })
			} else {
				err := tc.run(t, ctx, c, &ran)
				if tc.wantErr == nil {
					require.NoError(t, err)
				} else {
					require.ErrorIs(t, err, tc.wantErr)
				}
			}
			_, err := s.Customers().Get(ctx, ten, c.ID())
			if tc.stored {
				require.NoError(t, err)
				require.Equal(t, int32(1), ran.Load())
			} else {
				require.ErrorIs(t, err, crm.ErrNotFound)
				require.Zero(t, ran.Load())
			}
		})
	}
}

// TestCommitScopeHostTx checks the host's side: inside a transaction given
// with WithTx, after-commit functions wait for the host to report its
// COMMIT, also through a nested InTx, and are dropped on its rollback.
func TestCommitScopeHostTx(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	for _, commit := range []bool{true, false} {
		name := "rollback"
		if commit {
			name = "commit"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ten := newTenant()
			c := newCustomer(t, ten, custOpts{})
			tx, err := pgtest.Pool(t).Begin(ctx)
			require.NoError(t, err)
			hctx, scope := postgres.WithTx(ctx, tx)
			var ran atomic.Int32
			require.NoError(t, s.InTx(hctx, func(ctx context.Context) error {
				crm.AfterCommit(ctx, func(context.Context) { ran.Add(1) })
				return s.Customers().Create(ctx, c)
			}))
			crm.AfterCommit(hctx, func(context.Context) { ran.Add(1) })
			require.Zero(t, ran.Load(), "ran before the host committed")
			if commit {
				require.NoError(t, tx.Commit(ctx))
				require.Zero(t, ran.Load(), "ran before the host reported its commit")
				scope.Commit()
				require.Equal(t, int32(2), ran.Load())
				scope.Commit()
				require.Equal(t, int32(2), ran.Load(), "a second report runs nothing again")
			} else {
				require.NoError(t, tx.Rollback(ctx))
				scope.Rollback()
				scope.Commit()
				require.Zero(t, ran.Load())
			}
		})
	}
}

// TestAfterCommitUsesTheStore checks that a function run after the commit
// (an event sink writing a projection, say) can use the store with the
// context it receives: the finished transaction it still carries is not
// joined, the call runs on its own.
func TestAfterCommitUsesTheStore(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	after := func(t *testing.T, c, next *customer.Customer, errs chan<- error) func(context.Context) {
		return func(ctx context.Context) {
			_, ok := postgres.TxFrom(ctx)
			require.False(t, ok, "the transaction is over")
			if _, err := s.Customers().Get(ctx, ten, c.ID()); err != nil {
				errs <- err
				return
			}
			errs <- s.Customers().Create(ctx, next)
		}
	}
	t.Run("InTx", func(t *testing.T) {
		c, next := newCustomer(t, ten, custOpts{}), newCustomer(t, ten, custOpts{})
		errs := make(chan error, 1)
		require.NoError(t, s.InTx(ctx, func(ctx context.Context) error {
			crm.AfterCommit(ctx, after(t, c, next, errs))
			return s.Customers().Create(ctx, c)
		}))
		require.NoError(t, <-errs)
		_, err := s.Customers().Get(ctx, ten, next.ID())
		require.NoError(t, err)
	})
	t.Run("host transaction", func(t *testing.T) {
		c, next := newCustomer(t, ten, custOpts{}), newCustomer(t, ten, custOpts{})
		errs := make(chan error, 1)
		tx, err := pgtest.Pool(t).Begin(ctx)
		require.NoError(t, err)
		hctx, scope := postgres.WithTx(ctx, tx)
		require.NoError(t, s.Customers().Create(hctx, c))
		crm.AfterCommit(hctx, after(t, c, next, errs))
		require.NoError(t, tx.Commit(ctx))
		scope.Commit()
		require.NoError(t, <-errs)
		_, err = s.Customers().Get(ctx, ten, next.ID())
		require.NoError(t, err)
	})
}
