package postgres_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
)

// TestCancelledCommitIsHonest cancels the caller's context at random
// moments of many writes: whatever the moment, the error returned must
// agree with what is stored. nil means stored; an error means not stored,
// unless it wraps crm.ErrOutcomeUnknown (which this test, with a healthy
// connection, must not meet either).
func TestCancelledCommitIsHonest(t *testing.T) {
	t.Parallel()
	s, _ := ownStore(t)
	ctx := context.Background()
	ten := newTenant()
	a, b := newCustomer(t, ten, custOpts{}), newCustomer(t, ten, custOpts{})
	require.NoError(t, s.Customers().Create(ctx, a))
	require.NoError(t, s.Customers().Create(ctx, b))

	ops := []struct {
		name string
		// run renames the customers it writes to name.
		run     func(ctx context.Context, name string) error
		touches []crm.ID
	}{
		{"Update", func(ctx context.Context, name string) error {
			_, err := s.Customers().Update(ctx, ten, a.ID(), func(c *customer.Customer) error { return c.Rename(name) })
			return err
		}, []crm.ID{a.ID()}},
		{"InTx with two updates (as Merge)", func(ctx context.Context, name string) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				for _, id := range []crm.ID{a.ID(), b.ID()} {
					if _, err := s.Customers().Update(ctx, ten, id, func(c *customer.Customer) error { return c.Rename(name) }); err != nil {
						return err
					}
				}
				return nil
			})
		}, nil},
		{"Save", func(ctx context.Context, name string) error {
			c, err := s.Customers().Get(context.Background(), ten, b.ID())
			if err != nil {
				return err
			}
			if err := c.Rename(name); err != nil {
				return err
			}
			return s.Customers().Save(ctx, c)
		}, []crm.ID{b.ID()}},
	}
	ops[1].touches = []crm.ID{a.ID(), b.ID()}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			// How long one call takes, to spread the cancellations over it.
			var span time.Duration
			for range 3 {
				start := time.Now()
				require.NoError(t, op.run(ctx, "Warm Up"))
				span = max(span, time.Since(start)*3/2, 200*time.Microsecond)
			}
			stored, cancelled := 0, 0
			for i := range 150 {
				name := "Name " + strconv.Itoa(i)
				cctx, cancel := context.WithCancel(ctx)
				timer := time.AfterFunc(rand.N(span), cancel)
				err := op.run(cctx, name)
				timer.Stop()
				cancel()
				for _, id := range op.touches {
					got, gerr := s.Customers().Get(ctx, ten, id)
					require.NoError(t, gerr)
					switch {
					case err == nil:
						require.Equal(t, name, got.Name(), "try %d: nil error but the change is not stored", i)
					case errors.Is(err, crm.ErrOutcomeUnknown):
						// Only a lost connection may leave the outcome
						// unknown; a cancellation must not.
						require.Fail(t, "outcome unknown on a healthy connection", "try %d: %v", i, err)
					default:
						require.NotEqual(t, name, got.Name(), "try %d: error %v but the change is stored", i, err)
					}
				}
				switch {
				case err == nil:
					stored++
				case errors.Is(err, context.Canceled):
					cancelled++
				}
			}
			t.Logf("%s: %d stored, %d cancelled", op.name, stored, cancelled)
		})
	}
}

// TestKilledDuringCommit kills the connection while COMMIT is in flight
// (the server process is stopped before it answers): the caller learns
// that the outcome is unknown, never "nothing happened" nor success.
func TestKilledDuringCommit(t *testing.T) {
	t.Parallel()
	s, _ := ownStore(t)
	ctx := context.Background()
	ten := newTenant()
	c := newCustomer(t, ten, custOpts{})
	require.NoError(t, s.Customers().Create(ctx, c))
	err := s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.Customers().Update(ctx, ten, c.ID(), func(c *customer.Customer) error { return c.Rename("Renamed") }); err != nil {
			return err
		}
		tx, _ := postgres.TxFrom(ctx)
		// A deferred trigger that runs at COMMIT and kills its own
		// backend: the COMMIT is sent, its answer never comes.
		_, err := tx.Exec(ctx, `CREATE FUNCTION pg_temp.die() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
CREATE TEMP TABLE dying (x int);
CREATE CONSTRAINT TRIGGER die AFTER INSERT ON dying DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pg_temp.die();
INSERT INTO dying VALUES (1)`)
		return err
	})
	require.ErrorIs(t, err, crm.ErrOutcomeUnknown)
	require.NotErrorIs(t, err, crm.ErrConflict)
	// Here the server died before committing: the change is not stored.
	got, err := s.Customers().Get(ctx, ten, c.ID())
	require.NoError(t, err)
	require.Equal(t, "Ada Lovelace", got.Name())
}

// TestCancelledWriteWaitingForLock checks that a write run on its own
// (one statement, no transaction) still honours the caller's deadline
// while it waits for a row lock, and reports truly that nothing was
// stored.
func TestCancelledWriteWaitingForLock(t *testing.T) {
	t.Parallel()
	s, _ := ownStore(t)
	ctx := context.Background()
	ten := newTenant()
	c := newCustomer(t, ten, custOpts{})
	require.NoError(t, s.Customers().Create(ctx, c))
	c, err := s.Customers().Get(ctx, ten, c.ID())
	require.NoError(t, err)
	require.NoError(t, c.Rename("Waiting"))

	locked := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.InTx(ctx, func(ctx context.Context) error {
			if _, err := s.Customers().Update(ctx, ten, c.ID(), func(*customer.Customer) error { return nil }); err != nil {
				return err
			}
			close(locked)
			<-release
			return errors.New("roll back")
		})
	}()
	<-locked
	dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Customers().Save(dctx, c)
	elapsed := time.Since(start)
	close(release)
	require.Error(t, <-done)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotErrorIs(t, err, crm.ErrOutcomeUnknown)
	require.Less(t, elapsed, 3*time.Second)
	got, err := s.Customers().Get(ctx, ten, c.ID())
	require.NoError(t, err)
	require.Equal(t, "Ada Lovelace", got.Name())
	// The store goes on working.
	require.NoError(t, s.Customers().Save(ctx, got))
}

// TestCancelledMergeIsHonest runs customer.Service.Merge (one transaction
// over both customers and what moves between them) with the caller's
// context cancelled at random moments: nil means the loser is a
// tombstone of the survivor, an error means both are as they were.
func TestCancelledMergeIsHonest(t *testing.T) {
	t.Parallel()
	s, _ := ownStore(t)
	ctx := context.Background()
	ten := newTenant()
	svc, err := customer.NewService(s, nil)
	require.NoError(t, err)
	pair := func(t *testing.T) (survivor, loser *customer.Customer) {
		survivor, loser = newCustomer(t, ten, custOpts{}), newCustomer(t, ten, custOpts{name: "Ada King"})
		require.NoError(t, s.Customers().Create(ctx, survivor))
		require.NoError(t, s.Customers().Create(ctx, loser))
		return survivor, loser
	}
	var span time.Duration
	for range 3 {
		a, b := pair(t)
		start := time.Now()
		_, err := svc.Merge(ctx, ten, a.ID(), b.ID(), customer.Survivorship{}, change("warm up"))
		require.NoError(t, err)
		span = max(span, time.Since(start)*3/2)
	}
	merged, failed := 0, 0
	for i := range 150 {
		a, b := pair(t)
		cctx, cancel := context.WithCancel(ctx)
		timer := time.AfterFunc(rand.N(span), cancel)
		_, err := svc.Merge(cctx, ten, a.ID(), b.ID(), customer.Survivorship{}, change("merge"))
		timer.Stop()
		cancel()
		require.NotErrorIs(t, err, crm.ErrOutcomeUnknown, "try %d", i)
		loser, gerr := s.Customers().Get(ctx, ten, b.ID())
		require.NoError(t, gerr)
		if err == nil {
			merged++
			require.Equal(t, a.ID(), loser.MergedInto(), "try %d: nil error but the merge is not stored", i)
		} else {
			failed++
			require.True(t, loser.MergedInto().IsZero(), "try %d: error %v but the merge is stored", i, err)
		}
	}
	t.Logf("%d merged, %d failed", merged, failed)
}
