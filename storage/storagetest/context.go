package storagetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testContext proves that a cancelled context fails every method with an
// error wrapping context.Canceled, and changes nothing.
func testContext(t *testing.T, e *env) {
	bg := context.Background()
	cancelled, cancel := context.WithCancel(bg)
	cancel()

	// setup stores a customer with an interaction and a visit.
	setup := func(t *testing.T) (crm.TenantID, *customer.Customer, customer.Visit, *customer.Customer) {
		t.Helper()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"ctx@example.com"}})
		require.NoError(t, e.c.AddInteraction(bg, newInteraction(t, tenant, c.ID(), 1)))
		v := newVisit(t, tenant, c.ID(), "sales-1", 2)
		require.NoError(t, e.c.CreateVisit(bg, v))
		v.Version = 1
		other := CreateCustomer(t, e.c, tenant, nil)
		return tenant, c, v, other
	}

	cases := []struct {
		name string
		call func(t *testing.T, tenant crm.TenantID, c *customer.Customer, v customer.Visit, other *customer.Customer) error
		// check proves the call changed nothing beyond what the snapshots
		// cover.
		check func(t *testing.T, tenant crm.TenantID)
	}{
		{name: "Save", call: func(t *testing.T, tenant crm.TenantID, c *customer.Customer, _ customer.Visit, _ *customer.Customer) error {
			x := mustGet(t, e.c, tenant, c.ID())
			require.NoError(t, x.Rename("Changed"))
			err := e.c.Save(cancelled, x)
			require.Equal(t, int64(1), x.Version())
			return err
		}},
		{name: "FindByContact", call: func(_ *testing.T, tenant crm.TenantID, _ *customer.Customer, _ customer.Visit, _ *customer.Customer) error {
			_, err := e.c.FindByContact(cancelled, tenant, []string{"ctx@example.com"}, nil, 10)
			return err
		}},
		{name: "History", call: func(_ *testing.T, tenant crm.TenantID, c *customer.Customer, _ customer.Visit, _ *customer.Customer) error {
			_, err := e.c.History(cancelled, tenant, c.ID(), crm.PageRequest{})
			return err
		}},
		{name: "AddInteraction", call: func(t *testing.T, tenant crm.TenantID, c *customer.Customer, _ customer.Visit, _ *customer.Customer) error {
			return e.c.AddInteraction(cancelled, newInteraction(t, tenant, c.ID(), 3))
		}},
		{name: "Interactions", call: func(_ *testing.T, tenant crm.TenantID, c *customer.Customer, _ customer.Visit, _ *customer.Customer) error {
			_, err := e.c.Interactions(cancelled, tenant, c.ID(), crm.PageRequest{})
			return err
		}},
		{name: "MoveRelated", call: func(_ *testing.T, tenant crm.TenantID, c *customer.Customer, _ customer.Visit, other *customer.Customer) error {
			return e.c.MoveRelated(cancelled, tenant, c.ID(), other.ID())
		}},
		{name: "EraseInteractions", call: func(_ *testing.T, tenant crm.TenantID, c *customer.Customer, _ customer.Visit, _ *customer.Customer) error {
			_, err := e.c.EraseInteractions(cancelled, tenant, c.ID())
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant, c, v, other := setup(t)
			before, otherBefore := takeSnapshot(t, e.c, tenant, c.ID()), takeSnapshot(t, e.c, tenant, other.ID())
			err := tc.call(t, tenant, c, v, other)
			require.ErrorIs(t, err, context.Canceled)
			requireUnchanged(t, e.c, tenant, before)
			requireUnchanged(t, e.c, tenant, otherBefore)
			if tc.check != nil {
				tc.check(t, tenant)
			}
		})
	}

	t.Run("CancelledInsideTx", func(t *testing.T) {
		t.Parallel()
		tenant, c, _, _ := setup(t)
		before := takeSnapshot(t, e.c, tenant, c.ID())
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		n := NewCustomer(t, tenant, nil)
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			if err := e.c.Create(ctx, n); err != nil {
				return err
			}
			if _, err := e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error { return x.Rename("Changed") }); err != nil {
				return err
			}
			cancel()
			return e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), 9))
		})
		require.ErrorIs(t, err, context.Canceled)
		requireUnchanged(t, e.c, tenant, before)
		_, err = e.c.Get(bg, tenant, n.ID())
		require.ErrorIs(t, err, crm.ErrNotFound)
	})
}
