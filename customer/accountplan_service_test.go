package customer_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

func svcPlanInput(cust crm.ID, lead crm.UserID) customer.AccountPlanInput {
	start := t0.Truncate(24 * time.Hour)
	return customer.AccountPlanInput{
		Tenant: tenant, Customer: cust, Name: "FY27 plan", Start: start, End: start.AddDate(1, 0, 0),
		Team:  []customer.TeamMember{{User: lead, Role: customer.RoleAccountManager, Lead: true, Since: start}},
		Goals: []customer.Goal{{Name: "orders", Metric: customer.MetricCount, Target: decimal.NewFromInt(12), Due: start.AddDate(1, 0, 0)}},
	}
}

func TestServiceAccountPlans(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.create(t, "Acme Steel", "wang", "", "")
	ch := customer.Change{Actor: "wang"}

	// The lead manager must be the customer's owner, and the customer must exist.
	_, err := f.svc.CreateAccountPlan(ctx, svcPlanInput(c.ID(), "zhou"), ch)
	apInvalid(t, err, "lead")
	_, err = f.svc.CreateAccountPlan(ctx, svcPlanInput(crm.MustParseID("01900000-0000-7000-8000-0000000000ff"), "wang"), ch)
	require.ErrorIs(t, err, crm.ErrNotFound)
	page, err := f.svc.AccountPlans(ctx, tenant, customer.AccountPlanQuery{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, page.Items, "a refused create stores nothing")

	p, err := f.svc.CreateAccountPlan(ctx, svcPlanInput(c.ID(), "wang"), ch)
	require.NoError(t, err)
	require.False(t, p.ID().IsZero())
	require.Equal(t, int64(1), p.Version())

	// The customer moves to another manager: the plan keeps its lead, so
	// activating it is refused until the lead follows the owner.
	_, err = f.svc.AssignOwner(ctx, tenant, c.ID(), "zhou", customer.Change{Actor: "boss", Reason: "wang moved to another branch"})
	require.NoError(t, err)
	_, err = f.svc.ActivateAccountPlan(ctx, tenant, p.ID(), ch)
	apInvalid(t, err, "lead")
	_, err = f.svc.UpdateAccountPlan(ctx, tenant, p.ID(), func(p *customer.AccountPlan) error {
		return p.AddMember(customer.TeamMember{User: "zhou", Role: customer.RoleAccountManager}, customer.Change{Actor: "boss", At: f.clock.Now()})
	})
	require.NoError(t, err)
	_, err = f.svc.SetAccountPlanLead(ctx, tenant, p.ID(), "zhou", customer.Change{Actor: "boss"})
	require.NoError(t, err)
	p, err = f.svc.ActivateAccountPlan(ctx, tenant, p.ID(), ch)
	require.NoError(t, err)
	require.Equal(t, customer.PlanActive, p.Status())

	// A second overlapping plan cannot become active.
	q, err := f.svc.CreateAccountPlan(ctx, svcPlanInput(c.ID(), "zhou"), ch)
	require.NoError(t, err)
	_, err = f.svc.ActivateAccountPlan(ctx, tenant, q.ID(), ch)
	require.ErrorIs(t, err, crm.ErrDuplicate)

	f.clock.Advance(48 * time.Hour)
	p, err = f.svc.RecordPlanProgress(ctx, tenant, p.ID(), customer.Progress{Goal: "orders", Value: decimal.NewFromInt(2), Note: "first orders"}, ch)
	require.NoError(t, err)
	require.Equal(t, "2", p.ProgressAt(f.clock.Now())[0].Achieved.String())

	// A refused closure stores nothing and publishes nothing.
	before := len(f.sink.types())
	_, err = f.svc.RecordPlanProgress(ctx, tenant, p.ID(), customer.Progress{Goal: "nope", Value: decimal.NewFromInt(1)}, ch)
	require.ErrorIs(t, err, crm.ErrInvalid)
	require.Len(t, f.sink.types(), before)

	p, err = f.svc.CloseAccountPlan(ctx, tenant, p.ID(), ch)
	require.NoError(t, err)
	require.Equal(t, customer.PlanClosed, p.Status())

	var planEvents []string
	for _, typ := range f.sink.types() {
		switch typ {
		case customer.EventPlanCreated, customer.EventPlanStatus, customer.EventPlanTeam, customer.EventPlanGoal, customer.EventPlanProgress:
			planEvents = append(planEvents, typ)
		}
	}
	require.Equal(t, []string{
		customer.EventPlanCreated, customer.EventPlanTeam, customer.EventPlanTeam, customer.EventPlanStatus,
		customer.EventPlanCreated, customer.EventPlanProgress, customer.EventPlanStatus,
	}, planEvents)

	mine, err := f.svc.AccountPlans(ctx, tenant, customer.AccountPlanQuery{Member: "zhou"}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, mine.Items, 2)
	other, err := f.svc.AccountPlan(ctx, "other", p.ID())
	require.ErrorIs(t, err, crm.ErrNotFound)
	require.Nil(t, other)
}

// plainBackend is a customer backend without account plans.
type plainBackend struct{ s *memory.Store }

func (b plainBackend) InTx(ctx context.Context, fn func(context.Context) error) error {
	return b.s.InTx(ctx, fn)
}
func (b plainBackend) Customers() customer.Store { return b.s.Customers() }

func TestServiceAccountPlansUnsupported(t *testing.T) {
	t.Parallel()
	svc, err := customer.NewService(plainBackend{memory.New(nil)}, nil)
	require.NoError(t, err)
	_, err = svc.AccountPlans(context.Background(), tenant, customer.AccountPlanQuery{}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrUnsupported)
}
