package storagetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

// testEvents proves that events never lie: functions registered with
// crm.AfterCommit inside InTx run exactly once after the outermost
// transaction commits, and never after an error or a panic.
func testEvents(t *testing.T, e *env) {
	ctx := context.Background()

	// register stores a new customer of tenant in the transaction of ctx
	// and registers a function counting into n that checks the customer
	// is stored, and visible outside the transaction, when it runs.
	register := func(ctx context.Context, t *testing.T, tenant crm.TenantID, n *atomic.Int32) (crm.ID, error) {
		c := NewCustomer(t, tenant, nil)
		if err := e.c.Create(ctx, c); err != nil {
			return c.ID(), err
		}
		crm.AfterCommit(ctx, func(context.Context) {
			n.Add(1)
			// A store that runs the function while its transaction still
			// holds its locks would make this read wait for ever: wait a
			// bounded time, and let the read finish in the background.
			done := make(chan error, 1)
			go func() {
				_, err := e.c.Get(context.Background(), tenant, c.ID())
				done <- err
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("an after-commit function ran before its change was visible: %v", err)
				}
			case <-time.After(waitLimit):
				t.Errorf("an after-commit function ran while its transaction still held the store")
			}
		})
		if got := n.Load(); got != 0 {
			t.Errorf("an after-commit function ran inside the transaction (%d times)", got)
		}
		return c.ID(), nil
	}

	t.Run("CommitRunsOnce", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		var n atomic.Int32
		var id crm.ID
		require.NoError(t, e.s.InTx(ctx, func(ctx context.Context) error {
			var err error
			id, err = register(ctx, t, tenant, &n)
			return err
		}))
		require.Equal(t, int32(1), n.Load())
		mustGet(t, e.c, tenant, id)
	})

	for _, tc := range []struct {
		name string
		// end ends the transaction after the registration.
		end  func(ctx context.Context, t *testing.T, tenant crm.TenantID, id crm.ID) error
		want error
	}{
		{"ErrorNeverRuns", func(context.Context, *testing.T, crm.TenantID, crm.ID) error { return errInjected }, errInjected},
		{"StoreErrorNeverRuns", func(ctx context.Context, t *testing.T, tenant crm.TenantID, id crm.ID) error {
			return e.c.Create(ctx, NewCustomer(t, tenant, &CustomerOptions{ID: id}))
		}, crm.ErrDuplicate},
		{"PanicNeverRuns", func(context.Context, *testing.T, crm.TenantID, crm.ID) error { panic("storagetest: boom") }, nil},
		{"CancelledNeverRuns", nil, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			var n atomic.Int32
			var id crm.ID
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			body := func(ctx context.Context) error {
				var err error
				if id, err = register(ctx, t, tenant, &n); err != nil {
					return err
				}
				if tc.end == nil {
					cancel()
					// The next call sees the cancellation; the commit must not happen.
					_, err := e.c.Get(ctx, tenant, id)
					return err
				}
				return tc.end(ctx, t, tenant, id)
			}
			if tc.want == nil {
				require.PanicsWithValue(t, "storagetest: boom", func() { _ = e.s.InTx(ctx, body) })
			} else {
				require.ErrorIs(t, e.s.InTx(ctx, body), tc.want)
			}
			require.Equal(t, int32(0), n.Load(), "an after-commit function ran for a rolled-back transaction")
			_, err := e.c.Get(context.Background(), tenant, id)
			require.ErrorIs(t, err, crm.ErrNotFound, "the rolled-back transaction left its customer")
		})
	}

	t.Run("NestedRunsAtOuterCommit", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		var n atomic.Int32
		require.NoError(t, e.s.InTx(ctx, func(ctx context.Context) error {
			if err := e.s.InTx(ctx, func(ctx context.Context) error {
				_, err := register(ctx, t, tenant, &n)
				return err
			}); err != nil {
				return err
			}
			require.Equal(t, int32(0), n.Load(), "an after-commit function ran when the inner InTx returned")
			_, err := register(ctx, t, tenant, &n)
			return err
		}))
		require.Equal(t, int32(2), n.Load())
	})

	t.Run("NestedRolledBackByOuter", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		var n atomic.Int32
		var id crm.ID
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			if err := e.s.InTx(ctx, func(ctx context.Context) error {
				var err error
				id, err = register(ctx, t, tenant, &n)
				return err
			}); err != nil {
				return err
			}
			return errInjected
		})
		require.ErrorIs(t, err, errInjected)
		require.Equal(t, int32(0), n.Load(), "the inner InTx's function ran although the outer one rolled back")
		_, err = e.c.Get(ctx, tenant, id)
		require.ErrorIs(t, err, crm.ErrNotFound)
	})

	t.Run("ConcurrentTransactions", func(t *testing.T) {
		t.Parallel()
		const n = 16
		counts := make([]atomic.Int32, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				tenant := NewTenant(t)
				errs[i] = e.s.InTx(ctx, func(ctx context.Context) error {
					_, err := register(ctx, t, tenant, &counts[i])
					if err == nil && i%2 == 1 {
						return errInjected
					}
					return err
				})
			})
		}
		wg.Wait()
		for i := range n {
			if i%2 == 1 {
				require.ErrorIs(t, errs[i], errInjected)
				require.Equal(t, int32(0), counts[i].Load(), "transaction %d", i)
				continue
			}
			require.NoError(t, errs[i])
			require.Equal(t, int32(1), counts[i].Load(), "transaction %d", i)
		}
	})
}
