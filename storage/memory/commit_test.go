package memory

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/storagetest"
)

// TestCommitScope proves that functions registered with crm.AfterCommit in
// a transaction run once after it commits, with its tenants already
// released, and never when it fails or panics.
func TestCommitScope(t *testing.T) {
	t.Parallel()
	errFail := errors.New("fail")
	cases := []struct {
		name  string
		run   func(s *Store, ctx context.Context, body func(context.Context) error) error
		fail  error // the error InTx returns
		ret   error // the error the body returns
		panic bool
		want  int
	}{
		{name: "Commit", want: 1, run: func(s *Store, ctx context.Context, body func(context.Context) error) error {
			return s.InTx(ctx, body)
		}},
		{name: "Error", fail: errFail, ret: errFail, run: func(s *Store, ctx context.Context, body func(context.Context) error) error {
			return s.InTx(ctx, body)
		}},
		{name: "Panic", panic: true, run: func(s *Store, ctx context.Context, body func(context.Context) error) error {
			return s.InTx(ctx, body)
		}},
		{name: "NestedCommit", want: 1, run: func(s *Store, ctx context.Context, body func(context.Context) error) error {
			return s.InTx(ctx, func(ctx context.Context) error { return s.InTx(ctx, body) })
		}},
		{name: "NestedOuterFails", fail: errFail, run: func(s *Store, ctx context.Context, body func(context.Context) error) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				if err := s.InTx(ctx, body); err != nil {
					return err
				}
				return errFail
			})
		}},
		{name: "InnerErrorOuterCommits", want: 1, run: func(s *Store, ctx context.Context, body func(context.Context) error) error {
			// The inner call joins the outer transaction: its changes stay
			// when the outer one commits, and so do its functions.
			return s.InTx(ctx, func(ctx context.Context) error {
				_ = s.InTx(ctx, func(ctx context.Context) error {
					if err := body(ctx); err != nil {
						return err
					}
					return errFail
				})
				return nil
			})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := New(nil)
			cs := s.Customers()
			tenant := storagetest.NewTenant(t)
			c := storagetest.CreateCustomer(t, cs, tenant, nil)
			ran := 0
			var seen *customer.Customer
			var seenErr error
			body := func(ctx context.Context) error {
				if _, err := cs.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error { return x.Rename("Changed") }); err != nil {
					return err
				}
				crm.AfterCommit(ctx, func(context.Context) {
					ran++
					// The tenant is released: a call outside the transaction
					// does not wait, and sees the committed change.
					// (ctx still names the finished transaction, whose
					// context the store refuses: use a fresh one.)
					short, cancel := context.WithTimeout(context.Background(), time.Second)
					defer cancel()
					seen, seenErr = cs.Get(short, tenant, c.ID())
				})
				if tc.panic {
					panic("boom")
				}
				return tc.ret
			}
			var err error
			if tc.panic {
				require.PanicsWithValue(t, "boom", func() { _ = tc.run(s, context.Background(), body) })
			} else {
				err = tc.run(s, context.Background(), body)
			}
			if tc.fail != nil {
				require.ErrorIs(t, err, tc.fail)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, ran)
			got, gerr := cs.Get(context.Background(), tenant, c.ID())
			require.NoError(t, gerr)
			if tc.want == 0 {
				require.Equal(t, c.Name(), got.Name(), "the failed transaction was undone")
				return
			}
			require.NoError(t, seenErr)
			require.Equal(t, "Changed", seen.Name())
			require.Equal(t, "Changed", got.Name())
		})
	}
}

// TestCommitScopeOfOuterTransaction proves that a memory transaction inside
// another store's scope hands its functions to that scope: they run only
// when the outer scope commits.
func TestCommitScopeOfOuterTransaction(t *testing.T) {
	t.Parallel()
	s := New(nil)
	ctx, outer := crm.NewCommitScope(context.Background())
	ran := 0
	require.NoError(t, s.InTx(ctx, func(ctx context.Context) error {
		crm.AfterCommit(ctx, func(context.Context) { ran++ })
		return nil
	}))
	require.Equal(t, 0, ran, "ran before the outer transaction committed")
	outer.Commit()
	require.Equal(t, 1, ran)
}
