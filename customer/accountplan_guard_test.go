package customer_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// lyingPlans hands back a plan of another tenant whatever it is asked.
type lyingPlans struct {
	customer.AccountPlanStore
	other *customer.AccountPlan
}

func (l lyingPlans) Get(context.Context, crm.TenantID, crm.ID) (*customer.AccountPlan, error) {
	return l.other.Clone(), nil
}

func (l lyingPlans) List(context.Context, crm.TenantID, customer.AccountPlanQuery, crm.PageRequest) (crm.Page[*customer.AccountPlan], error) {
	return crm.Page[*customer.AccountPlan]{Items: []*customer.AccountPlan{l.other.Clone()}}, nil
}

func TestGuardAccountPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner := memory.New(nil).AccountPlans()
	g := customer.GuardAccountPlans(inner)
	require.Same(t, g, customer.GuardAccountPlans(g), "guarding a guarded store returns it")
	require.Nil(t, customer.GuardAccountPlans(nil))

	other := apPlan(t) // tenant "acme"
	lying := customer.GuardAccountPlans(lyingPlans{AccountPlanStore: inner, other: other})
	_, err := lying.Get(ctx, "globex", other.ID())
	require.ErrorIs(t, err, crm.ErrCorrupt)
	_, err = lying.List(ctx, "globex", customer.AccountPlanQuery{}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrCorrupt)
	_, err = lying.List(ctx, "acme", customer.AccountPlanQuery{Status: customer.PlanClosed}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrCorrupt, "a plan outside the query")
	_, err = lying.List(ctx, "acme", customer.AccountPlanQuery{InForceAt: apEnd}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrCorrupt, "a plan not in force at the moment asked")
	page, err := lying.List(ctx, "acme", customer.AccountPlanQuery{InForceAt: apEnd.Add(-time.Nanosecond)}, crm.PageRequest{})
	require.NoError(t, err, "a plan in force at its last instant")
	require.Len(t, page.Items, 1)
	_, err = g.List(ctx, "acme", customer.AccountPlanQuery{InForceAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, g.Create(cancelled, apPlan(t)), context.Canceled)
	_, err = g.Get(cancelled, "acme", other.ID())
	require.ErrorIs(t, err, context.Canceled)
	_, err = g.List(cancelled, "acme", customer.AccountPlanQuery{}, crm.PageRequest{})
	require.ErrorIs(t, err, context.Canceled)

	require.ErrorIs(t, g.Create(ctx, nil), crm.ErrInvalid)
	require.ErrorIs(t, g.Create(ctx, &customer.AccountPlan{}), crm.ErrInvalid, "a plan built around the constructors")
	_, err = g.List(ctx, "acme", customer.AccountPlanQuery{Member: "bad user\x00"}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid)

	p := apPlan(t)
	require.NoError(t, g.Create(ctx, p))
	require.Equal(t, int64(1), p.Version())
	require.Empty(t, p.Events(), "a stored plan has nothing pending")
	tests := []struct {
		name string
		fn   func(*customer.AccountPlan) error
	}{
		{"replaced by another tenant's", func(x *customer.AccountPlan) error {
			in := apInput()
			in.Tenant = "globex"
			in.ID = x.ID()
			y, err := customer.NewAccountPlan(in, apChange(0))
			*x = *y
			return err
		}},
		{"replaced by another customer's", func(x *customer.AccountPlan) error {
			in := apInput()
			in.Customer = crm.MustParseID("01900000-0000-7000-8000-0000000000c9")
			y, err := customer.NewAccountPlan(in, apChange(0))
			*x = *y
			return err
		}},
		{"zeroed", func(x *customer.AccountPlan) error { *x = customer.AccountPlan{}; return nil }},
	}
	for _, tc := range tests {
		_, err := g.Update(ctx, "acme", p.ID(), tc.fn)
		require.ErrorIs(t, err, crm.ErrInvalid, tc.name)
	}
	got, err := g.Get(ctx, "acme", p.ID())
	require.NoError(t, err)
	require.Equal(t, int64(1), got.Version(), "refused updates store nothing")

	require.Panics(t, func() {
		_, _ = g.Update(ctx, "acme", p.ID(), func(*customer.AccountPlan) error { panic("boom") })
	})
	_, err = g.Update(ctx, "acme", p.ID(), func(x *customer.AccountPlan) error {
		return x.AddMember(customer.TeamMember{User: "after.panic", Role: customer.RoleService}, apChange(1))
	})
	require.NoError(t, err, "a panicking closure leaves the plan usable")
}
