package storagetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// writers is how many goroutines the concurrency cases run at once.
const writers = 32

// maxRetries bounds the retries of a compare-and-swap loop.
const maxRetries = 10000

// testConcurrency proves optimistic concurrency: concurrent updates lose
// nothing.
func testConcurrency(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("UpdateHistoryOneCustomer", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		errs := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error {
					yield()
					to := customer.Established
					if x.Stage() == customer.Established {
						to = customer.Unfamiliar
					}
					return x.MoveStage(to, "", change(1))
				})
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "writer %d", i)
		}
		h := allHistory(t, e.c, tenant, c.ID(), crm.MaxPageLimit)
		require.Len(t, h, 1+writers, "history entries lost")
		seqs := make([]int64, len(h))
		for i, x := range h {
			seqs[i] = x.Seq
		}
		slices.Sort(seqs)
		for i, s := range seqs {
			require.Equal(t, int64(i+1), s, "history sequence numbers must be unique and dense")
		}
	})

	t.Run("SaveCompareAndSwap", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = retryConflicts(func() error {
					x, err := e.c.Get(ctx, tenant, c.ID())
					if err != nil {
						return err
					}
					yield()
					if err := x.AddTag(fmt.Sprintf("saver-%02d", i)); err != nil {
						return err
					}
					return e.c.Save(ctx, x)
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "saver %d", i)
		}
		final := mustGet(t, e.c, tenant, c.ID())
		require.Equal(t, int64(1+writers), final.Version())
		require.Len(t, final.Tags(), writers, "a save was lost")
	})

	t.Run("TransactionsReadModifySave", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		const n = 8
		ins := make([]customer.Interaction, n)
		for i := range ins {
			ins[i] = newInteraction(t, tenant, c.ID(), i)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = retryConflicts(func() error {
					return e.s.InTx(ctx, func(ctx context.Context) error {
						x, err := e.c.Get(ctx, tenant, c.ID())
						if err != nil {
							return err
						}
						if err := x.AddTag(fmt.Sprintf("tx-%02d", i)); err != nil {
							return err
						}
						if err := e.c.Save(ctx, x); err != nil {
							return err
						}
						return e.c.AddInteraction(ctx, ins[i])
					})
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "transaction %d", i)
		}
		final := mustGet(t, e.c, tenant, c.ID())
		require.Equal(t, int64(1+n), final.Version())
		require.Len(t, final.Tags(), n, "a transaction's save was lost")
		require.Len(t, allInteractions(t, e.c, tenant, c.ID(), crm.MaxPageLimit), n,
			"interactions of failed attempts remained, or of committed ones were lost")
	})

	t.Run("UpdateManyCustomers", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		const customers, rounds = 8, 10
		cs := make([]*customer.Customer, customers)
		for i := range cs {
			cs[i] = CreateCustomer(t, e.c, tenant, nil)
		}
		errs := make([]error, customers*2)
		var wg sync.WaitGroup
		for i := range customers * 2 { // two writers per customer
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := cs[i%customers]
				for r := range rounds {
					_, err := e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error {
						yield()
						return x.SetAttribute(fmt.Sprintf("w%d-r%d", i, r), "x")
					})
					if err != nil {
						errs[i] = err
						return
					}
				}
			}()
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "writer %d", i)
		}
		for _, c := range cs {
			got := mustGet(t, e.c, tenant, c.ID())
			require.Equal(t, int64(1+2*rounds), got.Version())
			require.Len(t, got.Attributes(), 2*rounds)
		}
	})
}

// yield gives other goroutines a chance to run, widening the window in
// which a store that does not serialise updates would lose one.
func yield() {
	for range 3 {
		runtime.Gosched()
	}
}

// retryConflicts runs f until it returns anything but crm.ErrConflict.
func retryConflicts(f func() error) error {
	for range maxRetries {
		err := f()
		if !errors.Is(err, crm.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("storagetest: still conflicting after %d attempts: %w", maxRetries, crm.ErrConflict)
}
