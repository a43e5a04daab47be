package customer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// TestServiceCreateInRolledBackTx proves that what a service creates in a
// host's transaction that then rolls back is handed back unsaved: version
// 0 with its events still pending, nothing published, nothing stored, and
// the host can store the very value afterwards.
func TestServiceCreateInRolledBackTx(t *testing.T) {
	t.Parallel()
	errHost := errors.New("host failure")
	type made struct {
		version func() int64
		events  func() []crm.Event
		id      crm.ID
		get     func(ctx context.Context) error
		store   func(ctx context.Context) error
	}
	cases := []struct {
		name string
		// make calls the service in the transaction ctx carries; owner
		// is a customer stored beforehand.
		make func(t *testing.T, ctx context.Context, f *fixture, owner crm.ID) made
	}{
		{"Create", func(t *testing.T, ctx context.Context, f *fixture, _ crm.ID) made {
			in := customer.NewInput{Tenant: tenant, Kind: customer.Person, Name: "Ada", Roles: []customer.Role{customer.EndCustomer}, Owner: "zhou"}
			c, err := f.svc.Create(ctx, in, customer.Change{Actor: "admin"})
			require.NoError(t, err)
			return made{c.Version, c.Events, c.ID(),
				func(ctx context.Context) error { _, err := f.store.Customers().Get(ctx, tenant, c.ID()); return err },
				func(ctx context.Context) error { return f.store.Customers().Create(ctx, c) }}
		}},
		{"CreateAccountPlan", func(t *testing.T, ctx context.Context, f *fixture, owner crm.ID) made {
			p, err := f.svc.CreateAccountPlan(ctx, svcPlanInput(owner, "zhou"), customer.Change{Actor: "admin"})
			require.NoError(t, err)
			return made{p.Version, p.Events, p.ID(),
				func(ctx context.Context) error { _, err := f.store.AccountPlans().Get(ctx, tenant, p.ID()); return err },
				func(ctx context.Context) error { return f.store.AccountPlans().Create(ctx, p) }}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := context.Background()
			owner := f.create(t, "Owner", "zhou", "", "").ID()
			heard := len(f.sink.types())
			var m made
			err := f.store.InTx(ctx, func(ctx context.Context) error {
				m = tc.make(t, ctx, f, owner)
				require.Equal(t, int64(1), m.version(), "saved inside the transaction")
				return errHost
			})
			require.ErrorIs(t, err, errHost)
			require.Equal(t, int64(0), m.version(), "the service's result of a rolled-back transaction is marked saved")
			require.NotEmpty(t, m.events(), "its events are pending again")
			require.Len(t, f.sink.types(), heard, "a rolled-back change was published")
			require.ErrorIs(t, m.get(ctx), crm.ErrNotFound)
			require.NoError(t, m.store(ctx), "the host stores the value it got")
			require.Equal(t, int64(1), m.version())
			require.NoError(t, m.get(ctx))
		})
	}
}

// A Create inside a transaction that rolls back leaves the customer as it
// was, so the same value can be created again.
func ExampleStore_Create_rollback() {
	ctx := context.Background()
	store := memory.New(nil)
	c, err := customer.New(customer.NewInput{
		ID: crm.MustParseID("01900000-0000-7000-8000-000000000001"), Tenant: "acme", Kind: customer.Person,
		Name: "Ada Lovelace", Roles: []customer.Role{customer.EndCustomer}, Owner: "zhou",
	}, customer.Change{Actor: "admin", At: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		panic(err)
	}
	err = store.InTx(ctx, func(ctx context.Context) error {
		if err := store.Customers().Create(ctx, c); err != nil {
			return err
		}
		fmt.Println("in the transaction: version", c.Version())
		return errors.New("something else failed")
	})
	fmt.Println("rolled back:", err != nil, "version", c.Version(), "pending events", len(c.Events()))
	fmt.Println("created again:", store.Customers().Create(ctx, c) == nil, "version", c.Version())
	// Output:
	// in the transaction: version 1
	// rolled back: true version 0 pending events 1
	// created again: true version 1
}
