package storagetest

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testCustomers covers Create, Get, Update and Save.
func testCustomers(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("CreateGet", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := NewCustomer(t, tenant, &CustomerOptions{Emails: []string{"Wang.Fang@Example.com"}, Phones: []string{"+8613800138000"}})
		require.Len(t, c.PendingHistory(), 1)
		require.NoError(t, e.c.Create(ctx, c))
		require.Equal(t, int64(1), c.Version())
		require.Empty(t, c.PendingHistory(), "Create must call Saved, which forgets pending history")
		got := mustGet(t, e.c, tenant, c.ID())
		RequireSameCustomer(t, c, got)
		require.Equal(t, int64(1), got.Version())
		require.Empty(t, got.PendingHistory())
	})

	t.Run("CreateStoredVersion", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := NewCustomer(t, tenant, nil)
		customerHooks.Saved(c, 3)
		require.ErrorIs(t, e.c.Create(ctx, c), crm.ErrInvalid)
		_, err := e.c.Get(ctx, tenant, c.ID())
		require.ErrorIs(t, err, crm.ErrNotFound)
	})

	t.Run("GetTombstoneAndErased", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		survivor := CreateCustomer(t, e.c, tenant, &CustomerOptions{Name: "Survivor"})
		loser := CreateCustomer(t, e.c, tenant, &CustomerOptions{Name: "Loser"})
		_, err := customer.Merge(survivor, loser, customer.Survivorship{}, change(1))
		require.NoError(t, err)
		require.NoError(t, e.c.Save(ctx, survivor))
		require.NoError(t, e.c.Save(ctx, loser))
		got := mustGet(t, e.c, tenant, loser.ID())
		require.True(t, got.IsTombstone())
		require.Equal(t, survivor.ID(), got.MergedInto())
		RequireSameCustomer(t, loser, got)

		erased := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"gone@example.com"}})
		_, err = erased.Erase(change(2))
		require.NoError(t, err)
		require.NoError(t, e.c.Save(ctx, erased))
		got = mustGet(t, e.c, tenant, erased.ID())
		require.True(t, got.IsErased())
		require.Empty(t, got.Emails())
		RequireSameCustomer(t, erased, got)
	})

	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		calls := 0
		got, err := e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error {
			calls++
			require.Equal(t, int64(1), x.Version(), "fn must see the latest stored state")
			require.Empty(t, x.PendingHistory())
			return x.MoveStage(customer.Established, "", change(1))
		})
		require.NoError(t, err)
		require.GreaterOrEqual(t, calls, 1)
		require.Equal(t, int64(2), got.Version())
		require.Equal(t, customer.Established, got.Stage())
		require.Empty(t, got.PendingHistory(), "the returned copy must have been Saved")
		RequireSameCustomer(t, got, mustGet(t, e.c, tenant, c.ID()))

		got, err = e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error {
			require.Equal(t, int64(2), x.Version())
			require.Equal(t, customer.Established, x.Stage(), "fn must see the previous update")
			return x.Rename("Renamed")
		})
		require.NoError(t, err)
		require.Equal(t, int64(3), got.Version())
		stored := mustGet(t, e.c, tenant, c.ID())
		require.Equal(t, "Renamed", stored.Name())
		require.Equal(t, customer.Established, stored.Stage())
	})

	t.Run("UpdateChangesIdentity", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		before := takeSnapshot(t, e.c, tenant, c.ID())
		for _, tc := range []struct {
			name  string
			other *customer.Customer
		}{
			{"ID", NewCustomer(t, tenant, nil)},
			{"Tenant", NewCustomer(t, NewTenant(t), &CustomerOptions{ID: c.ID()})},
		} {
			_, err := e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error {
				*x = *tc.other.Clone()
				return nil
			})
			require.ErrorIs(t, err, crm.ErrInvalid, tc.name)
			requireUnchanged(t, e.c, tenant, before)
			_, err = e.c.Get(ctx, tc.other.Tenant(), tc.other.ID())
			require.ErrorIs(t, err, crm.ErrNotFound, "%s: the changed customer was stored", tc.name)
		}
	})

	t.Run("Save", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		got := mustGet(t, e.c, tenant, c.ID())
		require.NoError(t, got.Rename("Saved Name"))
		require.NoError(t, got.AddTag("vip"))
		require.NoError(t, e.c.Save(ctx, got))
		require.Equal(t, int64(2), got.Version(), "Save must call Saved(version+1)")
		require.Empty(t, got.PendingHistory())
		stored := mustGet(t, e.c, tenant, c.ID())
		RequireSameCustomer(t, got, stored)
		require.NoError(t, stored.SetNotes("again"))
		require.NoError(t, e.c.Save(ctx, stored))
		require.Equal(t, int64(3), mustGet(t, e.c, tenant, c.ID()).Version())
	})

	t.Run("SaveStale", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		a := mustGet(t, e.c, tenant, c.ID())
		b := mustGet(t, e.c, tenant, c.ID())
		require.NoError(t, a.Rename("Winner"))
		require.NoError(t, e.c.Save(ctx, a))
		before := takeSnapshot(t, e.c, tenant, c.ID())
		require.NoError(t, b.Rename("Loser"))
		require.NoError(t, b.MoveStage(customer.Established, "", change(1)))
		require.ErrorIs(t, e.c.Save(ctx, b), crm.ErrConflict)
		require.Equal(t, int64(1), b.Version(), "a refused Save must not call Saved")
		require.Len(t, b.PendingHistory(), 1, "a refused Save must leave pending history")
		requireUnchanged(t, e.c, tenant, before)
		require.Equal(t, "Winner", before.rec.Name)
	})

	t.Run("SaveMissing", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		CreateCustomer(t, e.c, tenant, nil)
		c := NewCustomer(t, tenant, nil)
		require.ErrorIs(t, e.c.Save(ctx, c), crm.ErrNotFound)
		customerHooks.Saved(c, 1)
		require.ErrorIs(t, e.c.Save(ctx, c), crm.ErrNotFound)
		_, err := e.c.Get(ctx, tenant, c.ID())
		require.ErrorIs(t, err, crm.ErrNotFound)
	})
}

// testHistory covers history kept by Create, Update and Save.
func testHistory(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("AppendedInOrder", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		_, err := e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error {
			return x.MoveStage(customer.Established, "", change(1))
		})
		require.NoError(t, err)
		got := mustGet(t, e.c, tenant, c.ID())
		require.NoError(t, got.AssignOwner("owner-2", change(2)))
		require.NoError(t, got.SetClass(customer.PushHard, change(2)))
		require.NoError(t, e.c.Save(ctx, got))
		_, err = e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error {
			if err := x.MoveLoyalty(customer.Trust, change(3)); err != nil {
				return err
			}
			return x.MoveLifecycle(customer.AtRisk, change(4))
		})
		require.NoError(t, err)

		h := allHistory(t, e.c, tenant, c.ID(), crm.MaxPageLimit)
		kinds := make([]customer.HistoryKind, len(h))
		for i, x := range h {
			kinds[i] = x.Kind
			require.Equal(t, int64(i+1), x.Seq, "entry %d", i)
			require.Equal(t, c.ID(), x.CustomerID)
			require.Equal(t, c.ID(), x.OriginID)
		}
		require.Equal(t, []customer.HistoryKind{
			customer.HistoryCreated, customer.HistoryStage, customer.HistoryOwner,
			customer.HistoryClass, customer.HistoryLoyalty, customer.HistoryLifecycle,
		}, kinds)
		require.Equal(t, "owner-1", h[2].From)
		require.Equal(t, "owner-2", h[2].To)
		require.True(t, h[2].At.Equal(at(2)))
		require.Equal(t, crm.UserID("storagetest"), h[2].Actor)
		require.Equal(t, change(2).Reason, h[2].Reason)
		require.True(t, slices.IsSortedFunc(h, customer.CompareHistory))

		// Paging through small pages gives the same entries.
		require.Equal(t, normHistory(h), normHistory(allHistory(t, e.c, tenant, c.ID(), 2)))
		require.Equal(t, int64(6), mustGet(t, e.c, tenant, c.ID()).Record().HistorySeq)
	})

	t.Run("OrderedByTime", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, &CustomerOptions{At: at(10)})
		// A change dated before the creation sorts first.
		_, err := e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error {
			return x.MoveStage(customer.Established, "", change(5))
		})
		require.NoError(t, err)
		h := allHistory(t, e.c, tenant, c.ID(), 1)
		require.Len(t, h, 2)
		require.Equal(t, customer.HistoryStage, h[0].Kind)
		require.Equal(t, customer.HistoryCreated, h[1].Kind)
	})

	t.Run("MissingCustomer", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		CreateCustomer(t, e.c, tenant, nil)
		_, err := e.c.History(ctx, tenant, NewID(t), crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrNotFound)
	})
}
