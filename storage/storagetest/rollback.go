package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// entityState is what a caller sees of an entity it holds: its version,
// its stored state and what it recorded since it was built, loaded or last
// saved (history or audit entries, events).
type entityState struct {
	Version int64
	Record  any
	Pending any
}

func (h *harness[E]) state(tb testing.TB, x *E) entityState {
	tb.Helper()
	return entityState{Version: h.a.version(x), Record: h.a.record(tb, x), Pending: h.a.pending(x)}
}

// requireRestored checks that x, created in a transaction that rolled
// back, is exactly as it was before (want), that the store does not hold
// it, and that creating it again outside a transaction stores it whole.
func (h *harness[E]) requireRestored(t *testing.T, tenant crm.TenantID, x *E, want entityState) {
	t.Helper()
	a := h.a
	require.Equal(t, want, h.state(t, x), "the rolled-back transaction left the %s it created marked saved", a.name)
	h.requireAbsent(t, tenant, a.id(x), "a record created in the rolled-back transaction remains")
	require.NoError(t, a.create(context.Background(), x), "creating the %s again after the rollback", a.name)
	h.requireSaved(t, tenant, x)
}

// requireSaved checks that x was stored at version 1 and marked saved:
// the store holds what x holds, and x has nothing left pending.
func (h *harness[E]) requireSaved(t *testing.T, tenant crm.TenantID, x *E) {
	t.Helper()
	a := h.a
	require.Equal(t, int64(1), a.version(x), "a created %s is at version 1", a.name)
	got := h.mustGet(t, tenant, a.id(x))
	require.Equal(t, h.state(t, got), h.state(t, x), "the %s the caller holds differs from the stored one", a.name)
	h.consistent(t, tenant, a.id(x))
}

// requireAgrees checks the outcome of a transaction whose fate the
// Transactor contract leaves to the store: when the store holds x, x is
// marked saved at version 1; when it does not, x is as before (want).
func (h *harness[E]) requireAgrees(t *testing.T, tenant crm.TenantID, x *E, want entityState, txErr error) {
	t.Helper()
	_, err := h.a.get(context.Background(), tenant, h.a.id(x))
	if err == nil {
		require.NoError(t, txErr, "the transaction failed, yet the %s it created is stored", h.a.name)
		h.requireSaved(t, tenant, x)
		return
	}
	require.ErrorIs(t, err, crm.ErrNotFound)
	h.requireRestored(t, tenant, x, want)
}

// rollback proves that a Create inside a transaction that rolls back
// leaves the caller's entity as it was before the call, so that the caller
// can create it again, whichever way the transaction ends.
func (h *harness[E]) rollback(t *testing.T) {
	ctx := context.Background()
	a := h.a
	fails := []struct {
		name string
		// end ends the transaction's function after it created x; kept is
		// a record stored before, dup a new record with kept's ID (made
		// beforehand: making a record may store what it needs).
		end  func(ctx context.Context, tenant crm.TenantID, x, kept, dup *E) error
		want error
	}{
		{"Error", func(context.Context, crm.TenantID, *E, *E, *E) error { return errInjected }, errInjected},
		{"Panic", func(context.Context, crm.TenantID, *E, *E, *E) error { panic("storagetest: boom") }, nil},
		{"StoreError", func(ctx context.Context, _ crm.TenantID, _, _, dup *E) error { return a.create(ctx, dup) }, crm.ErrDuplicate},
		{"Cancelled", func(ctx context.Context, tenant crm.TenantID, _, kept, _ *E) error {
			// The caller's context ends before the transaction commits:
			// the next call fails, and fn returns its error.
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			_, err := a.get(ctx, tenant, a.id(kept))
			return err
		}, context.Canceled},
		{"UpdatedThenError", func(ctx context.Context, tenant crm.TenantID, x, _, _ *E) error {
			// The record created is updated in the same transaction, and
			// the caller changes its own copy too.
			if _, err := a.update(ctx, tenant, a.id(x), func(y *E) error { return a.mark(y, 1) }); err != nil {
				return err
			}
			if err := a.mark(x, 2); err != nil {
				return err
			}
			return errInjected
		}, errInjected},
	}
	for _, f := range fails {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			kept := h.store(t, tenant)
			dup := a.newRecord(t, tenant, a.id(kept))
			x := a.newRecord(t, tenant, crm.ID{})
			want := h.state(t, x)
			body := func(ctx context.Context) error {
				if err := a.create(ctx, x); err != nil {
					return err
				}
				if a.version(x) != 1 {
					return errNotSaved
				}
				return f.end(ctx, tenant, x, kept, dup)
			}
			if f.want == nil {
				require.PanicsWithValue(t, "storagetest: boom", func() { _ = h.e.s.InTx(ctx, body) })
			} else {
				require.ErrorIs(t, h.e.s.InTx(ctx, body), f.want)
			}
			h.requireRestored(t, tenant, x, want)
		})
	}

	t.Run("FailedCreateUntouched", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		kept := h.store(t, tenant)
		x := a.newRecord(t, tenant, crm.ID{})
		dup := a.newRecord(t, tenant, a.id(kept))
		want := h.state(t, x)
		var dupAfter entityState
		err := h.e.s.InTx(ctx, func(ctx context.Context) error {
			if err := a.create(ctx, x); err != nil {
				return err
			}
			if err := wantErr(a.create(ctx, dup), crm.ErrDuplicate, "create of a duplicate"); err != nil {
				return err
			}
			// A Create that failed marked nothing: what the caller does
			// with dup afterwards is the caller's, and stays.
			if err := a.mark(dup, 3); err != nil {
				return err
			}
			dupAfter = h.state(t, dup)
			return errInjected
		})
		require.ErrorIs(t, err, errInjected)
		require.Equal(t, int64(0), a.version(dup))
		require.Equal(t, dupAfter, h.state(t, dup), "the rollback changed the %s whose Create had failed", a.name)
		h.requireRestored(t, tenant, x, want)
	})

	t.Run("PanicAfterRollback", func(t *testing.T) {
		t.Parallel()
		// Functions a host registers with crm.AfterRollback panic, one
		// before the Create and one after (it runs first, newest first):
		// the store's rollback and the restore of the entity still happen,
		// and the first panic comes out of InTx.
		tenant := NewTenant(t)
		x := a.newRecord(t, tenant, crm.ID{})
		want := h.state(t, x)
		require.PanicsWithValue(t, "storagetest: newest", func() {
			_ = h.e.s.InTx(ctx, func(ctx context.Context) error {
				crm.AfterRollback(ctx, func(context.Context) { panic("storagetest: oldest") })
				if err := a.create(ctx, x); err != nil {
					return err
				}
				crm.AfterRollback(ctx, func(context.Context) { panic("storagetest: newest") })
				return errInjected
			})
		})
		h.requireRestored(t, tenant, x, want)
	})

	t.Run("Several", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		xs := []*E{a.newRecord(t, tenant, crm.ID{}), a.newRecord(t, tenant, crm.ID{}), a.newRecord(t, tenant, crm.ID{})}
		wants := make([]entityState, len(xs))
		for i, x := range xs {
			wants[i] = h.state(t, x)
		}
		require.ErrorIs(t, h.e.s.InTx(ctx, func(ctx context.Context) error {
			for _, x := range xs {
				if err := a.create(ctx, x); err != nil {
					return err
				}
			}
			return errInjected
		}), errInjected)
		for i, x := range xs {
			h.requireRestored(t, tenant, x, wants[i])
		}
	})

	t.Run("NestedOuterFails", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		x := a.newRecord(t, tenant, crm.ID{})
		want := h.state(t, x)
		require.ErrorIs(t, h.e.s.InTx(ctx, func(ctx context.Context) error {
			if err := h.e.s.InTx(ctx, func(ctx context.Context) error { return a.create(ctx, x) }); err != nil {
				return err
			}
			return errInjected
		}), errInjected)
		h.requireRestored(t, tenant, x, want)
	})

	t.Run("NestedInnerFails", func(t *testing.T) {
		t.Parallel()
		// The outer function carries on after the inner one failed. A
		// store that joins the outer transaction commits the Create with
		// it; one that rolls the inner part back does not: either way the
		// entity must agree with the store.
		tenant := NewTenant(t)
		x := a.newRecord(t, tenant, crm.ID{})
		want := h.state(t, x)
		err := h.e.s.InTx(ctx, func(ctx context.Context) error {
			err := h.e.s.InTx(ctx, func(ctx context.Context) error {
				if err := a.create(ctx, x); err != nil {
					return err
				}
				return errInjected
			})
			return wantErr(err, errInjected, "the inner transaction")
		})
		h.requireAgrees(t, tenant, x, want, err)
	})

	t.Run("CancelledThenCommit", func(t *testing.T) {
		t.Parallel()
		// fn succeeds after the caller's context ended: a store commits
		// (the change is whole) or reports an error and rolls back, and
		// the entity agrees with what it did.
		tenant := NewTenant(t)
		x := a.newRecord(t, tenant, crm.ID{})
		want := h.state(t, x)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		err := h.e.s.InTx(cctx, func(ctx context.Context) error {
			if err := a.create(ctx, x); err != nil {
				return err
			}
			cancel()
			return nil
		})
		h.requireAgrees(t, tenant, x, want, err)
	})

	t.Run("StoreErrorThenCommit", func(t *testing.T) {
		t.Parallel()
		// fn ignores a failed call and returns nil: a store whose failed
		// statement spoils the transaction (PostgreSQL) cannot commit it,
		// another commits what succeeded. The entity agrees either way.
		tenant := NewTenant(t)
		kept := h.store(t, tenant)
		x := a.newRecord(t, tenant, crm.ID{})
		dup := a.newRecord(t, tenant, a.id(kept))
		want := h.state(t, x)
		err := h.e.s.InTx(ctx, func(ctx context.Context) error {
			if err := a.create(ctx, x); err != nil {
				return err
			}
			if err := wantErr(a.create(ctx, dup), crm.ErrDuplicate, "create of a duplicate"); err != nil {
				return err
			}
			return nil
		})
		h.requireAgrees(t, tenant, x, want, err)
	})

	t.Run("Commit", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		x := a.newRecord(t, tenant, crm.ID{})
		require.NoError(t, h.e.s.InTx(ctx, func(ctx context.Context) error {
			return h.e.s.InTx(ctx, func(ctx context.Context) error { return a.create(ctx, x) })
		}))
		h.requireSaved(t, tenant, x)
	})

	if a.createMany != nil {
		t.Run("Import", func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			xs := []*E{a.newRecord(t, tenant, crm.ID{}), a.newRecord(t, tenant, crm.ID{})}
			wants := []entityState{h.state(t, xs[0]), h.state(t, xs[1])}
			require.ErrorIs(t, h.e.s.InTx(ctx, func(ctx context.Context) error {
				if err := a.createMany(ctx, xs); err != nil {
					return err
				}
				return errInjected
			}), errInjected)
			for i, x := range xs {
				require.Equal(t, wants[i], h.state(t, x), "the rolled-back import left a %s marked saved", a.name)
				h.requireAbsent(t, tenant, a.id(x), "a record imported in the rolled-back transaction remains")
			}
			require.NoError(t, a.createMany(ctx, xs), "importing again after the rollback")
			for _, x := range xs {
				h.requireSaved(t, tenant, x)
			}
		})
	}
}

// errNotSaved fails a transaction whose store call left the record unmarked.
var errNotSaved = errors.New("storagetest: the store call did not mark the record saved")

// wantErr returns nil when err wraps target, and else an error saying what
// call of the transaction's function went otherwise.
func wantErr(err, target error, call string) error {
	switch {
	case errors.Is(err, target):
		return nil
	case err == nil:
		return fmt.Errorf("storagetest: %s succeeded, want an error wrapping %q", call, target.Error())
	}
	return fmt.Errorf("storagetest: %s: want an error wrapping %q, got %w", call, target.Error(), err)
}

// testCustomerSaveRollback proves that a Save inside a transaction that
// rolls back leaves the caller's customer as it was before the Save.
func testCustomerSaveRollback(t *testing.T, e *env) {
	ctx := context.Background()
	for _, fail := range []string{"Error", "Panic"} {
		t.Run(fail, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			c := CreateCustomer(t, e.c, tenant, nil)
			require.NoError(t, c.Rename("Renamed before the save"))
			before := customerState(c)
			stored := takeSnapshot(t, e.c, tenant, c.ID())
			body := func(ctx context.Context) error {
				if err := e.c.Save(ctx, c); err != nil {
					return err
				}
				if c.Version() != 2 {
					return errNotSaved
				}
				if fail == "Panic" {
					panic("storagetest: boom")
				}
				return errInjected
			}
			if fail == "Panic" {
				require.PanicsWithValue(t, "storagetest: boom", func() { _ = e.s.InTx(ctx, body) })
			} else {
				require.ErrorIs(t, e.s.InTx(ctx, body), errInjected)
			}
			require.Equal(t, before, customerState(c), "the rolled-back transaction left the saved customer marked saved")
			require.Equal(t, stored, takeSnapshot(t, e.c, tenant, c.ID()))
			require.NoError(t, e.c.Save(ctx, c), "saving again after the rollback")
			require.Equal(t, int64(2), c.Version())
			got := mustGet(t, e.c, tenant, c.ID())
			require.Equal(t, "Renamed before the save", got.Name())
			require.Equal(t, customerState(got), customerState(c))
			h := allHistory(t, e.c, tenant, c.ID(), crm.MaxPageLimit)
			require.Len(t, h, int(got.Record().HistorySeq), "history entries lost or repeated")
		})
	}
}

// testCustomerCreateSaveRollback proves that a customer created, changed
// and saved in one transaction that rolls back is back as it was before
// the Create: the restores run newest first.
func testCustomerCreateSaveRollback(t *testing.T, e *env) {
	ctx := context.Background()
	tenant := NewTenant(t)
	c := NewCustomer(t, tenant, &CustomerOptions{Name: "Before the create"})
	before := customerState(c)
	require.ErrorIs(t, e.s.InTx(ctx, func(ctx context.Context) error {
		if err := e.c.Create(ctx, c); err != nil {
			return err
		}
		if err := c.Rename("Renamed in the transaction"); err != nil {
			return err
		}
		if err := e.c.Save(ctx, c); err != nil {
			return err
		}
		if c.Version() != 2 {
			return errNotSaved
		}
		return errInjected
	}), errInjected)
	require.Equal(t, before, customerState(c), "the customer is not back as it was before the Create")
	_, err := e.c.Get(ctx, tenant, c.ID())
	require.ErrorIs(t, err, crm.ErrNotFound)
	require.NoError(t, e.c.Create(ctx, c), "creating it again")
	got := mustGet(t, e.c, tenant, c.ID())
	require.Equal(t, "Before the create", got.Name())
	require.Equal(t, customerState(got), customerState(c))
}

// customerState is what a caller sees of a customer it holds.
func customerState(c *customer.Customer) entityState {
	return entityState{Version: c.Version(), Record: normRecord(c.Record()), Pending: [2]any{c.PendingHistory(), c.Events()}}
}
