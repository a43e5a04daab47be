package memory

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/storagetest"
)

// holdTenant starts a transaction that touches tenant (reading id) and
// keeps it open until release is closed. It returns once the transaction
// holds the tenant, and a channel with InTx's result.
func holdTenant(t *testing.T, s *Store, tenant crm.TenantID, id crm.ID, release <-chan struct{}) <-chan error {
	t.Helper()
	held := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.InTx(context.Background(), func(ctx context.Context) error {
			if _, err := s.Customers().Get(ctx, tenant, id); err != nil {
				close(held)
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	return done
}

// TestWaitsHonourContext proves that a call behind a transaction on the
// same tenant gives up when its context ends, with ctx.Err(), and that a
// call on another tenant does not wait at all.
func TestWaitsHonourContext(t *testing.T) {
	t.Parallel()
	s := New(nil)
	cs := s.Customers()
	tenant, other := storagetest.NewTenant(t), storagetest.NewTenant(t)
	c := storagetest.CreateCustomer(t, cs, tenant, nil)
	o := storagetest.CreateCustomer(t, cs, other, nil)
	release := make(chan struct{})
	done := holdTenant(t, s, tenant, c.ID(), release)

	calls := map[string]func(ctx context.Context) error{
		"Get": func(ctx context.Context) error { _, err := cs.Get(ctx, tenant, c.ID()); return err },
		"Update": func(ctx context.Context) error {
			_, err := cs.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error { return x.Rename("x") })
			return err
		},
		"List": func(ctx context.Context) error {
			_, err := cs.List(ctx, tenant, customer.Query{}, crm.PageRequest{})
			return err
		},
		"Complaints": func(ctx context.Context) error {
			_, err := s.Complaints().Get(ctx, tenant, storagetest.NewID(t))
			return err
		},
		"OtherTx": func(ctx context.Context) error {
			return s.InTx(ctx, func(ctx context.Context) error { _, err := cs.Get(ctx, tenant, c.ID()); return err })
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now() // before the deadline is set: a preempted test must not see less than 100 ms
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			err := call(ctx)
			took := time.Since(start)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.GreaterOrEqual(t, took, 90*time.Millisecond)
			require.Less(t, took, 2*time.Second)
		})
	}
	t.Run("OtherTenant", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		got, err := cs.Get(ctx, other, o.ID())
		require.NoError(t, err)
		require.Equal(t, o.ID(), got.ID())
		require.NoError(t, s.InTx(ctx, func(ctx context.Context) error {
			_, err := cs.Update(ctx, other, o.ID(), func(x *customer.Customer) error { return x.Rename("Other") })
			return err
		}))
	})
	t.Cleanup(func() {
		close(release)
		require.NoError(t, <-done)
		// Released: the tenant serves calls again.
		_, err := cs.Get(context.Background(), tenant, c.ID())
		require.NoError(t, err)
	})
}

// TestOutsideCallWaitsForTransaction proves that a call outside a
// transaction on a tenant it holds completes after the transaction ends,
// and sees its committed result.
func TestOutsideCallWaitsForTransaction(t *testing.T) {
	t.Parallel()
	s := New(nil)
	cs := s.Customers()
	tenant := storagetest.NewTenant(t)
	c := storagetest.CreateCustomer(t, cs, tenant, nil)
	inTx, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.InTx(context.Background(), func(ctx context.Context) error {
			_, err := cs.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error { return x.Rename("In tx") })
			close(inTx)
			<-release
			return err
		})
	}()
	<-inTx
	got := make(chan *customer.Customer, 1)
	go func() {
		x, err := cs.Get(context.Background(), tenant, c.ID())
		if err != nil {
			got <- nil
			return
		}
		got <- x
	}()
	select {
	case <-got:
		t.Fatal("a call outside the transaction did not wait for it")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-done)
	x := <-got
	require.NotNil(t, x)
	require.Equal(t, "In tx", x.Name())
}

// TestTransactionWaitsForOutsideCalls proves that a transaction taking a
// tenant waits for the calls already inside it (here an Update whose
// closure blocks), and that this wait honours the transaction's context.
func TestTransactionWaitsForOutsideCalls(t *testing.T) {
	t.Parallel()
	s := New(nil)
	cs := s.Customers()
	tenant := storagetest.NewTenant(t)
	c := storagetest.CreateCustomer(t, cs, tenant, nil)
	inFn, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := cs.Update(context.Background(), tenant, c.ID(), func(x *customer.Customer) error {
			close(inFn)
			<-release
			return x.Rename("Outside")
		})
		done <- err
	}()
	<-inFn
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := s.InTx(ctx, func(ctx context.Context) error {
		_, err := cs.Get(ctx, tenant, c.ID())
		return err
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// Given up, the transaction left the tenant open to others.
	got, err := cs.Get(context.Background(), tenant, storagetest.NewID(t))
	require.Nil(t, got)
	require.ErrorIs(t, err, crm.ErrNotFound)

	txDone := make(chan error, 1)
	go func() {
		txDone <- s.InTx(context.Background(), func(ctx context.Context) error {
			x, err := cs.Get(ctx, tenant, c.ID())
			if err == nil && x.Name() != "Outside" {
				err = errors.New("the transaction did not wait for the update in progress: read " + x.Name())
			}
			return err
		})
	}()
	select {
	case err := <-txDone:
		t.Fatalf("the transaction did not wait for the update in progress: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-done)
	require.NoError(t, <-txDone)
}

// TestStripeWaitHonoursContext proves that an Update waiting for another
// Update of the same record gives up when its context ends.
func TestStripeWaitHonoursContext(t *testing.T) {
	t.Parallel()
	s := New(nil)
	cs := s.Customers()
	tenant := storagetest.NewTenant(t)
	c := storagetest.CreateCustomer(t, cs, tenant, nil)
	inFn, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := cs.Update(context.Background(), tenant, c.ID(), func(x *customer.Customer) error {
			close(inFn)
			<-release
			return x.Rename("First")
		})
		done <- err
	}()
	<-inFn
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := cs.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error { return x.Rename("Second") })
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)
	err = cs.Save(ctx, c)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
	require.NoError(t, <-done)
}

// TestDeadlockRefused runs two transactions that take two tenants in
// opposite orders: one of them is refused with crm.ErrConflict instead of
// both waiting for ever, and the other commits.
func TestDeadlockRefused(t *testing.T) {
	t.Parallel()
	s := New(nil)
	cs := s.Customers()
	a, b := storagetest.NewTenant(t), storagetest.NewTenant(t)
	ca := storagetest.CreateCustomer(t, cs, a, nil)
	cb := storagetest.CreateCustomer(t, cs, b, nil)
	var firstTaken sync.WaitGroup
	firstTaken.Add(2)
	run := func(first, second crm.TenantID, id1, id2 crm.ID, name string) error {
		return s.InTx(context.Background(), func(ctx context.Context) error {
			_, err := cs.Update(ctx, first, id1, func(x *customer.Customer) error { return x.Rename(name) })
			firstTaken.Done()
			if err != nil {
				return err
			}
			firstTaken.Wait() // both hold their first tenant
			_, err = cs.Update(ctx, second, id2, func(x *customer.Customer) error { return x.Rename(name) })
			return err
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- run(a, b, ca.ID(), cb.ID(), "AB") }()
	go func() { errs <- run(b, a, cb.ID(), ca.ID(), "BA") }()
	var results []error
	for range 2 {
		select {
		case err := <-errs:
			results = append(results, err)
		case <-time.After(10 * time.Second):
			t.Fatal("two transactions taking tenants in opposite orders hung")
		}
	}
	var ok, conflict int
	for _, err := range results {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, crm.ErrConflict):
			conflict++
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	require.Equal(t, 1, ok)
	require.Equal(t, 1, conflict)
	// The winner's changes are whole, the loser's are undone.
	ga, err := cs.Get(context.Background(), a, ca.ID())
	require.NoError(t, err)
	gb, err := cs.Get(context.Background(), b, cb.ID())
	require.NoError(t, err)
	require.Equal(t, ga.Name(), gb.Name())
	require.Contains(t, []string{"AB", "BA"}, ga.Name())
	require.Equal(t, int64(2), ga.Version())
	require.Equal(t, int64(2), gb.Version())
}

// TestDeadlockOfThree closes a cycle of three transactions over three
// tenants: exactly one is refused, and the others commit.
func TestDeadlockOfThree(t *testing.T) {
	t.Parallel()
	s := New(nil)
	cs := s.Customers()
	tenants := []crm.TenantID{storagetest.NewTenant(t), storagetest.NewTenant(t), storagetest.NewTenant(t)}
	ids := make([]crm.ID, 3)
	for i, tn := range tenants {
		ids[i] = storagetest.CreateCustomer(t, cs, tn, nil).ID()
	}
	var taken sync.WaitGroup
	taken.Add(3)
	errs := make(chan error, 3)
	for i := range 3 {
		j := (i + 1) % 3
		go func() {
			errs <- s.InTx(context.Background(), func(ctx context.Context) error {
				_, err := cs.Get(ctx, tenants[i], ids[i])
				taken.Done()
				if err != nil {
					return err
				}
				taken.Wait()
				_, err = cs.Get(ctx, tenants[j], ids[j])
				return err
			})
		}()
	}
	conflicts := 0
	for range 3 {
		select {
		case err := <-errs:
			if err != nil {
				require.ErrorIs(t, err, crm.ErrConflict)
				conflicts++
			}
		case <-time.After(10 * time.Second):
			t.Fatal("three transactions in a cycle hung")
		}
	}
	require.Equal(t, 1, conflicts)
}
