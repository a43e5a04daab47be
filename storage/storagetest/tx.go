package storagetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// txFixture is a tenant holding customers with related records, and the
// writes a transaction makes to all of them.
type txFixture struct {
	tenant    crm.TenantID
	b, c      *customer.Customer
	visit     customer.Visit
	bBefore   snapshot
	cBefore   snapshot
	created   *customer.Customer   // created inside the transaction
	createdIn customer.Interaction // added inside the transaction
	createdV  customer.Visit       // planned inside the transaction
}

func newTxFixture(t *testing.T, e *env) *txFixture {
	t.Helper()
	ctx := context.Background()
	f := &txFixture{tenant: NewTenant(t)}
	f.b = CreateCustomer(t, e.c, f.tenant, &CustomerOptions{Name: "Bee", Emails: []string{"bee@example.com"}})
	f.c = CreateCustomer(t, e.c, f.tenant, &CustomerOptions{Name: "Cee", Phones: []string{"+8613600136000"}})
	require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, f.tenant, f.b.ID(), 1)))
	require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, f.tenant, f.c.ID(), 2)))
	f.visit = newVisit(t, f.tenant, f.b.ID(), "sales-1", 3)
	require.NoError(t, e.c.CreateVisit(ctx, f.visit))
	require.NoError(t, e.c.CreateVisit(ctx, newVisit(t, f.tenant, f.c.ID(), "sales-1", 4)))
	f.bBefore = takeSnapshot(t, e.c, f.tenant, f.b.ID())
	f.cBefore = takeSnapshot(t, e.c, f.tenant, f.c.ID())
	f.created = NewCustomer(t, f.tenant, &CustomerOptions{Name: "Created in tx", Emails: []string{"tx@example.com"}})
	f.createdIn = newInteraction(t, f.tenant, f.b.ID(), 5)
	f.createdV = newVisit(t, f.tenant, f.created.ID(), "sales-2", 6)
	return f
}

// writeAll makes every kind of write inside a transaction, checking that
// the transaction reads its own writes.
func (f *txFixture) writeAll(ctx context.Context, e *env) error {
	if err := e.c.Create(ctx, f.created); err != nil {
		return err
	}
	if _, err := e.c.Update(ctx, f.tenant, f.b.ID(), func(x *customer.Customer) error {
		if err := x.MoveStage(customer.Established, "", change(10)); err != nil {
			return err
		}
		return x.AssignOwner("owner-tx", change(10))
	}); err != nil {
		return err
	}
	c, err := e.c.Get(ctx, f.tenant, f.c.ID())
	if err != nil {
		return err
	}
	if err := c.SetKeyAccount(true, change(11)); err != nil {
		return err
	}
	if err := c.Rename("Cee renamed"); err != nil {
		return err
	}
	if err := e.c.Save(ctx, c); err != nil {
		return err
	}
	if err := e.c.AddInteraction(ctx, f.createdIn); err != nil {
		return err
	}
	if err := e.c.CreateVisit(ctx, f.createdV); err != nil {
		return err
	}
	if _, err := e.c.UpdateVisit(ctx, f.tenant, f.visit.ID, func(v *customer.Visit) error {
		return v.Complete("done in tx", at(12))
	}); err != nil {
		return err
	}
	if err := e.c.MoveRelated(ctx, f.tenant, f.c.ID(), f.b.ID()); err != nil {
		return err
	}
	if _, err := e.c.EraseInteractions(ctx, f.tenant, f.b.ID()); err != nil {
		return err
	}
	return nil
}

// requireNothingLeft fails t unless none of writeAll's writes remain.
func (f *txFixture) requireNothingLeft(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	_, err := e.c.Get(ctx, f.tenant, f.created.ID())
	require.ErrorIs(t, err, crm.ErrNotFound, "a customer created in the failed transaction remains")
	_, err = e.c.GetVisit(ctx, f.tenant, f.createdV.ID)
	require.ErrorIs(t, err, crm.ErrNotFound, "a visit created in the failed transaction remains")
	requireUnchanged(t, e.c, f.tenant, f.bBefore)
	requireUnchanged(t, e.c, f.tenant, f.cBefore)
	key := true
	for _, q := range []customer.Query{{Owner: "owner-tx"}, {KeyAccount: &key}, {Text: "renamed"}} {
		p, err := e.c.List(ctx, f.tenant, q, crm.PageRequest{})
		require.NoError(t, err)
		require.Empty(t, p.Items, "an index still reflects the failed transaction")
	}
	found, err := e.c.FindByContact(ctx, f.tenant, []string{"tx@example.com"}, nil, 10)
	require.NoError(t, err)
	require.Empty(t, found, "the contact index still holds a customer of the failed transaction")
	found, err = e.c.FindByContact(ctx, f.tenant, []string{"bee@example.com"}, []string{"+8613600136000"}, 10)
	require.NoError(t, err)
	require.Equal(t, []crm.ID{f.b.ID(), f.c.ID()}, sortedIDs(found))
	v, err := e.c.ListVisits(ctx, f.tenant, customer.VisitQuery{Salesperson: "sales-2"}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, v.Items)
}

func sortedIDs(cs []*customer.Customer) []crm.ID {
	out := ids(cs)
	slices.SortFunc(out, crm.ID.Compare)
	return out
}

// testAtomicity covers crm.Transactor: commit, rollback on error and
// panic, nested transactions, and reads of a transaction's own writes.
func testAtomicity(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("Commit", func(t *testing.T) {
		t.Parallel()
		f := newTxFixture(t, e)
		require.NoError(t, e.s.InTx(ctx, func(ctx context.Context) error { return f.writeAll(ctx, e) }))
		RequireSameCustomer(t, f.created, mustGet(t, e.c, f.tenant, f.created.ID()))
		b := mustGet(t, e.c, f.tenant, f.b.ID())
		require.Equal(t, customer.Established, b.Stage())
		require.Equal(t, crm.UserID("owner-tx"), b.Owner())
		require.Equal(t, "Cee renamed", mustGet(t, e.c, f.tenant, f.c.ID()).Name())
		ins := allInteractions(t, e.c, f.tenant, f.b.ID(), 10)
		require.Len(t, ins, 3, "own, added and moved interactions")
		for _, in := range ins {
			require.Empty(t, in.Summary, "erased in the transaction")
		}
		v, err := e.c.GetVisit(ctx, f.tenant, f.visit.ID)
		require.NoError(t, err)
		require.Equal(t, customer.VisitDone, v.Status)
		_, err = e.c.GetVisit(ctx, f.tenant, f.createdV.ID)
		require.NoError(t, err)
		require.Len(t, allVisits(t, e.c, f.tenant, customer.VisitQuery{CustomerID: f.b.ID()}, 10), 2)
		p, err := e.c.List(ctx, f.tenant, customer.Query{Owner: "owner-tx"}, crm.PageRequest{})
		require.NoError(t, err)
		require.Equal(t, []crm.ID{f.b.ID()}, ids(p.Items))
	})

	t.Run("ErrorRollsBack", func(t *testing.T) {
		t.Parallel()
		f := newTxFixture(t, e)
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			if err := f.writeAll(ctx, e); err != nil {
				return err
			}
			return errInjected
		})
		require.ErrorIs(t, err, errInjected)
		f.requireNothingLeft(t, e)
	})

	t.Run("StoreErrorRollsBack", func(t *testing.T) {
		t.Parallel()
		f := newTxFixture(t, e)
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			if err := f.writeAll(ctx, e); err != nil {
				return err
			}
			// Fails mid-transaction: the customer exists (in this transaction).
			return e.c.Create(ctx, NewCustomer(t, f.tenant, &CustomerOptions{ID: f.created.ID()}))
		})
		require.ErrorIs(t, err, crm.ErrDuplicate)
		f.requireNothingLeft(t, e)
	})

	t.Run("PanicRollsBack", func(t *testing.T) {
		t.Parallel()
		f := newTxFixture(t, e)
		require.PanicsWithValue(t, "storagetest: boom", func() {
			_ = e.s.InTx(ctx, func(ctx context.Context) error {
				if err := f.writeAll(ctx, e); err != nil {
					return err
				}
				panic("storagetest: boom")
			})
		})
		f.requireNothingLeft(t, e)
		// The store still works, in and out of transactions.
		again := NewCustomer(t, f.tenant, &CustomerOptions{ID: f.created.ID()})
		require.NoError(t, e.s.InTx(ctx, func(ctx context.Context) error { return e.c.Create(ctx, again) }))
		RequireSameCustomer(t, again, mustGet(t, e.c, f.tenant, f.created.ID()))
	})

	t.Run("NestedJoins", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		outer := NewCustomer(t, tenant, nil)
		inner := NewCustomer(t, tenant, nil)
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			if err := e.c.Create(ctx, outer); err != nil {
				return err
			}
			if err := e.s.InTx(ctx, func(ctx context.Context) error {
				if _, err := e.c.Get(ctx, tenant, outer.ID()); err != nil {
					return err // the inner transaction must see the outer's writes
				}
				return e.c.Create(ctx, inner)
			}); err != nil {
				return err
			}
			return errInjected
		})
		require.ErrorIs(t, err, errInjected)
		for _, c := range []*customer.Customer{outer, inner} {
			_, err := e.c.Get(ctx, tenant, c.ID())
			require.ErrorIs(t, err, crm.ErrNotFound, "the inner transaction committed on its own")
		}

		outer, inner = NewCustomer(t, tenant, nil), NewCustomer(t, tenant, nil)
		require.NoError(t, e.s.InTx(ctx, func(ctx context.Context) error {
			if err := e.c.Create(ctx, outer); err != nil {
				return err
			}
			return e.s.InTx(ctx, func(ctx context.Context) error { return e.c.Create(ctx, inner) })
		}))
		mustGet(t, e.c, tenant, outer.ID())
		mustGet(t, e.c, tenant, inner.ID())
	})

	t.Run("ReadsOwnWrites", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := NewCustomer(t, tenant, &CustomerOptions{Owner: "owner-own", Emails: []string{"own@example.com"}})
		in := newInteraction(t, tenant, c.ID(), 1)
		v := newVisit(t, tenant, c.ID(), "sales-own", 2)
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			require.NoError(t, e.c.Create(ctx, c))
			got, err := e.c.Get(ctx, tenant, c.ID())
			require.NoError(t, err)
			RequireSameCustomer(t, c, got)
			p, err := e.c.List(ctx, tenant, customer.Query{Owner: "owner-own"}, crm.PageRequest{})
			require.NoError(t, err)
			require.Equal(t, []crm.ID{c.ID()}, ids(p.Items))
			found, err := e.c.FindByContact(ctx, tenant, []string{"own@example.com"}, nil, 10)
			require.NoError(t, err)
			require.Equal(t, []crm.ID{c.ID()}, ids(found))
			_, err = e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error {
				return x.MoveStage(customer.Established, "", change(3))
			})
			require.NoError(t, err)
			h, err := e.c.History(ctx, tenant, c.ID(), crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, h.Items, 2)
			require.NoError(t, e.c.AddInteraction(ctx, in))
			ins, err := e.c.Interactions(ctx, tenant, c.ID(), crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, ins.Items, 1)
			require.NoError(t, e.c.CreateVisit(ctx, v))
			gv, err := e.c.GetVisit(ctx, tenant, v.ID)
			require.NoError(t, err)
			require.Equal(t, int64(1), gv.Version)
			vs, err := e.c.ListVisits(ctx, tenant, customer.VisitQuery{Salesperson: "sales-own"}, crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, vs.Items, 1)
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, int64(2), mustGet(t, e.c, tenant, c.ID()).Version())
	})

	t.Run("UncommittedInvisible", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := NewCustomer(t, tenant, nil)
		result := make(chan error, 1)
		err := e.s.InTx(ctx, func(txCtx context.Context) error {
			if err := e.c.Create(txCtx, c); err != nil {
				return err
			}
			go func() {
				_, err := e.c.Get(ctx, tenant, c.ID()) // outside the transaction
				result <- err
			}()
			// Without Features.TxBlocksTenant the read completes while the
			// transaction is open; with it, the read waits for the end.
			wait := 5 * time.Second
			if e.f.TxBlocksTenant {
				wait = 200 * time.Millisecond
			}
			select {
			case err := <-result:
				result <- err
				if e.f.TxBlocksTenant {
					return errors.New("a read of a tenant the transaction wrote did not wait for it (Features.TxBlocksTenant)")
				}
			case <-time.After(wait):
				if !e.f.TxBlocksTenant {
					return errors.New("a read outside the transaction waited for it (see Features.TxBlocksTenant)")
				}
			}
			return errInjected
		})
		require.ErrorIs(t, err, errInjected)
		require.ErrorIs(t, <-result, crm.ErrNotFound, "a read outside the transaction saw its uncommitted write")
	})

	// A call on a tenant the transaction has not touched never waits,
	// whatever Features says.
	t.Run("OutsideCallsProceed", func(t *testing.T) {
		t.Parallel()
		tenant, otherTenant := NewTenant(t), NewTenant(t)
		c := NewCustomer(t, tenant, nil)
		other := NewCustomer(t, otherTenant, nil)
		require.NoError(t, e.s.InTx(ctx, func(txCtx context.Context) error {
			if err := e.c.Create(txCtx, c); err != nil {
				return err
			}
			done := make(chan error, 1)
			go func() { done <- e.c.Create(ctx, other) }()
			select {
			case err := <-done:
				return err
			case <-time.After(5 * time.Second):
				return errors.New("a call on another tenant did not complete while a transaction was open")
			}
		}))
		mustGet(t, e.c, otherTenant, other.ID())
	})

	t.Run("NilFn", func(t *testing.T) {
		t.Parallel()
		require.ErrorIs(t, e.s.InTx(ctx, nil), crm.ErrInvalid)
	})
}
