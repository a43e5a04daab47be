package storagetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testTenancy proves that another tenant's records behave as if they did
// not exist, for every method.
func testTenancy(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("EveryMethod", func(t *testing.T) {
		t.Parallel()
		home, other := NewTenant(t), NewTenant(t)
		a := CreateCustomer(t, e.c, home, &CustomerOptions{Name: "Home A", Emails: []string{"a@home.example"}, Phones: []string{"+441632960001"}})
		b := CreateCustomer(t, e.c, home, &CustomerOptions{Name: "Home B"})
		in := newInteraction(t, home, a.ID(), 1)
		require.NoError(t, e.c.AddInteraction(ctx, in))
		v := newVisit(t, home, a.ID(), "sales-1", 2)
		require.NoError(t, e.c.CreateVisit(ctx, v))
		// The other tenant has data of its own, so it is not simply empty.
		CreateCustomer(t, e.c, other, &CustomerOptions{Name: "Other"})
		beforeA := takeSnapshot(t, e.c, home, a.ID())
		beforeB := takeSnapshot(t, e.c, home, b.ID())

		_, err := e.c.Get(ctx, other, a.ID())
		require.ErrorIs(t, err, crm.ErrNotFound, "Get")

		called := false
		_, err = e.c.Update(ctx, other, a.ID(), func(*customer.Customer) error { called = true; return nil })
		require.ErrorIs(t, err, crm.ErrNotFound, "Update")
		require.False(t, called, "Update ran fn on another tenant's customer")

		ghost := NewCustomer(t, other, &CustomerOptions{ID: a.ID(), Name: "Ghost"})
		customerHooks.Saved(ghost, a.Version())
		require.ErrorIs(t, e.c.Save(ctx, ghost), crm.ErrNotFound, "Save")

		page, err := e.c.List(ctx, other, customer.Query{IncludeTombstones: true}, crm.PageRequest{Limit: crm.MaxPageLimit})
		require.NoError(t, err, "List")
		require.NotContains(t, ids(page.Items), a.ID())
		require.NotContains(t, ids(page.Items), b.ID())
		page, err = e.c.List(ctx, other, customer.Query{Text: "Home"}, crm.PageRequest{})
		require.NoError(t, err, "List by text")
		require.Empty(t, page.Items)
		page, err = e.c.List(ctx, other, customer.Query{Owner: a.Owner()}, crm.PageRequest{})
		require.NoError(t, err, "List by owner")
		require.NotContains(t, ids(page.Items), a.ID())

		found, err := e.c.FindByContact(ctx, other, []string{"a@home.example"}, []string{"+441632960001"}, 10)
		require.NoError(t, err, "FindByContact")
		require.Empty(t, found)

		_, err = e.c.History(ctx, other, a.ID(), crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrNotFound, "History")

		require.ErrorIs(t, e.c.AddInteraction(ctx, newInteraction(t, other, a.ID(), 3)), crm.ErrNotFound, "AddInteraction")
		_, err = e.c.Interactions(ctx, other, a.ID(), crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrNotFound, "Interactions")

		require.ErrorIs(t, e.c.CreateVisit(ctx, newVisit(t, other, a.ID(), "sales-1", 4)), crm.ErrNotFound, "CreateVisit")
		_, err = e.c.GetVisit(ctx, other, v.ID)
		require.ErrorIs(t, err, crm.ErrNotFound, "GetVisit")
		called = false
		_, err = e.c.UpdateVisit(ctx, other, v.ID, func(*customer.Visit) error { called = true; return nil })
		require.ErrorIs(t, err, crm.ErrNotFound, "UpdateVisit")
		require.False(t, called, "UpdateVisit ran fn on another tenant's visit")
		visits, err := e.c.ListVisits(ctx, other, customer.VisitQuery{}, crm.PageRequest{})
		require.NoError(t, err, "ListVisits")
		require.Empty(t, visits.Items)
		visits, err = e.c.ListVisits(ctx, other, customer.VisitQuery{CustomerID: a.ID()}, crm.PageRequest{})
		require.NoError(t, err, "ListVisits by customer")
		require.Empty(t, visits.Items)

		require.ErrorIs(t, e.c.MoveRelated(ctx, other, a.ID(), b.ID()), crm.ErrNotFound, "MoveRelated")
		_, err = e.c.EraseInteractions(ctx, other, a.ID())
		require.ErrorIs(t, err, crm.ErrNotFound, "EraseInteractions")

		requireUnchanged(t, e.c, home, beforeA)
		requireUnchanged(t, e.c, home, beforeB)
	})

	t.Run("SameIDInTwoTenants", func(t *testing.T) {
		t.Parallel()
		t1, t2 := NewTenant(t), NewTenant(t)
		id := NewID(t)
		c1 := CreateCustomer(t, e.c, t1, &CustomerOptions{ID: id, Name: "In tenant one", Emails: []string{"same@example.com"}})
		c2 := CreateCustomer(t, e.c, t2, &CustomerOptions{ID: id, Name: "In tenant two", Emails: []string{"same@example.com"}})
		_, err := e.c.Update(ctx, t2, id, func(x *customer.Customer) error { return x.Rename("Changed in two") })
		require.NoError(t, err)
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, t2, id, 1)))

		RequireSameCustomer(t, c1, mustGet(t, e.c, t1, id))
		require.Equal(t, "Changed in two", mustGet(t, e.c, t2, id).Name())
		require.Equal(t, c2.ID(), mustGet(t, e.c, t2, id).ID())
		require.Empty(t, allInteractions(t, e.c, t1, id, 10))
		require.Len(t, allInteractions(t, e.c, t2, id, 10), 1)
		require.Len(t, allHistory(t, e.c, t1, id, 10), 1)
		found, err := e.c.FindByContact(ctx, t1, []string{"same@example.com"}, nil, 10)
		require.NoError(t, err)
		require.Len(t, found, 1)
		require.Equal(t, t1, found[0].Tenant())
	})
}
