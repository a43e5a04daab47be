package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
)

// planFailer is the store with an account plan port whose updates fail:
// the last step of a merge.
type planFailer struct{ *postgres.Store }

func (b planFailer) AccountPlans() customer.AccountPlanStore {
	return failingPlans{b.Store.AccountPlans()}
}

type failingPlans struct{ customer.AccountPlanStore }

func (failingPlans) Update(context.Context, crm.TenantID, crm.ID, func(*customer.AccountPlan) error) (*customer.AccountPlan, error) {
	return nil, errors.New("disk on fire")
}

// TestMergeMovesRelationRecords runs Service.Merge on PostgreSQL: the
// loser's referrals, suggestions, memberships and account plans move to
// the survivor (their rows re-keyed under the unique keys and the plan
// rule), clashes follow the documented rules, and a failure at the last
// step leaves every row as it was.
func TestMergeMovesRelationRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, nil)
	ten := newTenant()
	svc, err := customer.NewService(s, nil)
	require.NoError(t, err)
	mk := func(name string) crm.ID {
		c := newCustomer(t, ten, custOpts{name: name, owner: "mgr"})
		require.NoError(t, s.Customers().Create(ctx, c))
		return c.ID()
	}
	sv, ls, x := mk("North Motors"), mk("North Motors Ltd"), mk("Li Wei")
	ch := customer.Change{Actor: "mgr"}
	club := customer.Programme{Name: "club", TermMonths: 12, Tiers: []customer.Tier{{Name: "silver"}, {Name: "gold", MinPoints: 100}}}
	owners := customer.Programme{Name: "owners", TermMonths: 12, Tiers: []customer.Tier{{Name: "basic"}}}
	join := func(c crm.ID, p customer.Programme, tier string) crm.ID {
		m, err := svc.Join(ctx, customer.MembershipInput{Tenant: ten, Customer: c, Programme: p, Tier: tier}, ch)
		require.NoError(t, err)
		return m.ID()
	}
	refer := func(from crm.ID, kind customer.TargetKind, to crm.ID) crm.ID {
		r, err := svc.Refer(ctx, customer.ReferralInput{Tenant: ten, Referrer: from, TargetKind: kind, Target: to}, ch)
		require.NoError(t, err)
		return r.ID()
	}
	start := time.Now().UTC().Truncate(24 * time.Hour)
	plan := func(c crm.ID, from time.Time) crm.ID {
		p, err := svc.CreateAccountPlan(ctx, customer.AccountPlanInput{
			Tenant: ten, Customer: c, Name: "plan", Start: from, End: from.AddDate(1, 0, 0),
			Team:  []customer.TeamMember{{User: "mgr", Role: customer.RoleAccountManager, Lead: true, Since: from}},
			Goals: []customer.Goal{{Name: "orders", Metric: customer.MetricCount, Target: decimal.NewFromInt(12), Due: from.AddDate(1, 0, 0)}},
		}, ch)
		require.NoError(t, err)
		_, err = svc.ActivateAccountPlan(ctx, ten, p.ID(), ch)
		require.NoError(t, err)
		return p.ID()
	}
	mSClub, mLClub, mLOwners := join(sv, club, "silver"), join(ls, club, "gold"), join(ls, owners, "")
	lead := crm.MustParseID("01890000-0000-7000-8000-00000000e101")
	rLX, rSLead, rLLead, rXL := refer(ls, customer.TargetCustomer, x), refer(sv, customer.TargetLead, lead), refer(ls, customer.TargetLead, lead), refer(x, customer.TargetCustomer, ls)
	sg, err := svc.Suggest(ctx, customer.SuggestionInput{Tenant: ten, Author: ls, Subject: "Open on Sundays", Category: "service"}, ch)
	require.NoError(t, err)
	pS, pL := plan(sv, start), plan(ls, start.AddDate(0, 6, 0))

	rules := customer.Survivorship{Programmes: []customer.Programme{club}}
	failing, err := customer.NewService(planFailer{s}, nil)
	require.NoError(t, err)
	_, err = failing.Merge(ctx, ten, sv, ls, rules, customer.Change{Actor: "admin"})
	require.ErrorContains(t, err, "disk on fire")
	for _, id := range []crm.ID{mLClub, mLOwners} {
		m, err := svc.GetMembership(ctx, ten, id)
		require.NoError(t, err)
		require.Equal(t, ls, m.Customer(), "rolled back")
		require.Equal(t, int64(1), m.Version())
	}
	r, err := svc.GetReferral(ctx, ten, rLX)
	require.NoError(t, err)
	require.Equal(t, ls, r.Referrer(), "rolled back")
	c, err := svc.Get(ctx, ten, ls)
	require.NoError(t, err)
	require.False(t, c.IsTombstone(), "rolled back")

	res, err := svc.Merge(ctx, ten, sv, ls, rules, customer.Change{Actor: "admin"})
	require.NoError(t, err)
	require.Len(t, res.Records, 7)
	m, err := svc.GetMembership(ctx, ten, mLOwners)
	require.NoError(t, err)
	require.Equal(t, sv, m.Customer())
	m, err = svc.GetMembership(ctx, ten, mSClub)
	require.NoError(t, err)
	require.Equal(t, "gold", m.Tier(), "the better placed standing survives")
	m, err = svc.GetMembership(ctx, ten, mLClub)
	require.NoError(t, err)
	require.Equal(t, customer.MembershipCancelled, m.Status(time.Now()))
	r, err = svc.GetReferral(ctx, ten, rLX)
	require.NoError(t, err)
	require.Equal(t, sv, r.Referrer())
	r, err = svc.GetReferral(ctx, ten, rLLead)
	require.NoError(t, err)
	require.Equal(t, customer.ReferralLost, r.Outcome(), "the survivor's referral %s is kept", rSLead)
	r, err = svc.GetReferral(ctx, ten, rXL)
	require.NoError(t, err)
	_, target := r.Target()
	require.Equal(t, sv, target)
	g, err := svc.GetSuggestion(ctx, ten, sg.ID())
	require.NoError(t, err)
	require.Equal(t, sv, g.Author())
	p, err := svc.AccountPlan(ctx, ten, pL)
	require.NoError(t, err)
	require.Equal(t, sv, p.Customer())
	require.Equal(t, customer.PlanClosed, p.Status())
	p, err = svc.AccountPlan(ctx, ten, pS)
	require.NoError(t, err)
	require.Equal(t, customer.PlanActive, p.Status())

	// The moved rows answer the lists by their new keys.
	refs, err := svc.Referrals(ctx, ten, customer.ReferralQuery{Referrer: sv}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, refs.Items, 2)
	plans, err := svc.AccountPlans(ctx, ten, customer.AccountPlanQuery{Customer: sv}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, plans.Items, 2)
	_, err = svc.Join(ctx, customer.MembershipInput{Tenant: ten, Customer: sv, Programme: owners}, ch)
	require.ErrorIs(t, err, crm.ErrDuplicate, "the moved membership holds the survivor's key")
	_, err = svc.Join(ctx, customer.MembershipInput{Tenant: ten, Customer: ls, Programme: club}, ch)
	require.ErrorIs(t, err, crm.ErrMerged)
}

// TestMergeRacesRefer: referrals made by the loser while merges run are
// either moved by the merge or refused after it; none is left naming a
// tombstone (the service locks the customers it checks).
func TestMergeRacesRefer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, nil)
	ten := newTenant()
	svc, err := customer.NewService(s, nil)
	require.NoError(t, err)
	ch := customer.Change{Actor: "mgr"}
	for round := range 8 {
		sv := newCustomer(t, ten, custOpts{name: "North Motors", owner: "mgr"})
		ls := newCustomer(t, ten, custOpts{name: "North Motors Ltd", owner: "mgr"})
		require.NoError(t, s.Customers().Create(ctx, sv))
		require.NoError(t, s.Customers().Create(ctx, ls))
		done := make(chan error, 4)
		for g := range 4 {
			go func() {
				for i := range 50 {
					target := crm.MustParseID("01890000-0000-7000-8000-00000000f000")
					target[13], target[14], target[15] = byte(round), byte(g), byte(i)
					_, err := svc.Refer(ctx, customer.ReferralInput{Tenant: ten, Referrer: ls.ID(), TargetKind: customer.TargetLead, Target: target}, ch)
					if errors.Is(err, crm.ErrMerged) {
						break
					}
					if err != nil && !errors.Is(err, crm.ErrConflict) && !errors.Is(err, crm.ErrUnavailable) {
						done <- err
						return
					}
				}
				done <- nil
			}()
		}
		var merged bool
		for !merged {
			_, err := svc.Merge(ctx, ten, sv.ID(), ls.ID(), customer.Survivorship{}, customer.Change{Actor: "admin"})
			if err == nil {
				merged = true
			} else {
				require.ErrorIs(t, err, crm.ErrConflict)
			}
		}
		for range 4 {
			require.NoError(t, <-done)
		}
		left, err := svc.Referrals(ctx, ten, customer.ReferralQuery{Referrer: ls.ID()}, crm.PageRequest{})
		require.NoError(t, err)
		require.Empty(t, left.Items, "round %d: a referral names the tombstone", round)
	}
}
