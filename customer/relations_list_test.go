package customer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

func TestServiceRelationLists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMergeWorld(t)
	w.populate(t)

	// Referrals: a filter, and paging that neither skips nor repeats.
	for _, tc := range []struct {
		name string
		q    customer.ReferralQuery
		want []string
	}{
		{"by referrer", customer.ReferralQuery{Referrer: w.x.ID()}, []string{"r_x_s", "r_x_l"}},
		{"by target", customer.ReferralQuery{Target: lead1}, []string{"r_s_lead1", "r_l_lead1"}},
		{"by outcome", customer.ReferralQuery{Outcomes: []customer.ReferralOutcome{customer.ReferralConverted}}, []string{"r_l_lead2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []crm.ID
			page := crm.PageRequest{Limit: 1}
			for {
				p, err := w.svc.Referrals(ctx, "acme", tc.q, page)
				require.NoError(t, err)
				require.LessOrEqual(t, len(p.Items), 1)
				for _, r := range p.Items {
					got = append(got, r.ID())
				}
				if p.Next == "" {
					break
				}
				page.Cursor = p.Next
			}
			var want []crm.ID
			for _, n := range tc.want {
				want = append(want, w.ids[n])
			}
			require.Equal(t, want, got)
		})
	}
	sugs, err := w.svc.Suggestions(ctx, "acme", customer.SuggestionQuery{Author: w.l.ID()}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, sugs.Items, 1)
	require.Equal(t, w.ids["sg_l"], sugs.Items[0].ID())
	mems, err := w.svc.Memberships(ctx, "acme", customer.MembershipQuery{Programme: "club"}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, mems.Items, 2)

	// Another tenant sees nothing; bad queries and forged cursors are refused.
	other, err := w.svc.Referrals(ctx, "other", customer.ReferralQuery{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, other.Items)
	for name, err := range map[string]error{
		"referral query": func() error {
			_, err := w.svc.Referrals(ctx, "acme", customer.ReferralQuery{TargetKind: 9}, crm.PageRequest{})
			return err
		}(),
		"suggestion query": func() error {
			_, err := w.svc.Suggestions(ctx, "acme", customer.SuggestionQuery{Statuses: []customer.SuggestionStatus{9}}, crm.PageRequest{})
			return err
		}(),
		"membership cursor": func() error {
			_, err := w.svc.Memberships(ctx, "acme", customer.MembershipQuery{}, crm.PageRequest{Cursor: "forged"})
			return err
		}(),
		"bad tenant": func() error {
			_, err := w.svc.Memberships(ctx, "", customer.MembershipQuery{}, crm.PageRequest{})
			return err
		}(),
	} {
		require.ErrorIs(t, err, crm.ErrInvalid, name)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = w.svc.Suggestions(cctx, "acme", customer.SuggestionQuery{}, crm.PageRequest{})
	require.ErrorIs(t, err, context.Canceled)

	svc, err := customer.NewService(customersOnly{memory.New(nil)}, nil)
	require.NoError(t, err)
	_, err = svc.Referrals(ctx, "acme", customer.ReferralQuery{}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrUnsupported)
	_, err = svc.Suggestions(ctx, "acme", customer.SuggestionQuery{}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrUnsupported)
	_, err = svc.Memberships(ctx, "acme", customer.MembershipQuery{}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrUnsupported)
}

func TestServiceRelationsRefuseTombstones(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMergeWorld(t)
	_, err := w.svc.Merge(ctx, "acme", w.s.ID(), w.l.ID(), customer.Survivorship{}, customer.Change{Actor: "admin"})
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"tombstone referrer", func() error {
			_, err := w.svc.Refer(ctx, customer.ReferralInput{Tenant: "acme", Referrer: w.l.ID(), TargetKind: customer.TargetLead, Target: lead1}, mch)
			return err
		}},
		{"tombstone target", func() error {
			_, err := w.svc.Refer(ctx, customer.ReferralInput{Tenant: "acme", Referrer: w.x.ID(), TargetKind: customer.TargetCustomer, Target: w.l.ID()}, mch)
			return err
		}},
		{"tombstone author", func() error {
			_, err := w.svc.Suggest(ctx, customer.SuggestionInput{Tenant: "acme", Author: w.l.ID(), Subject: "s", Text: "t", Category: "service"}, mch)
			return err
		}},
		{"tombstone member", func() error {
			_, err := w.svc.Join(ctx, customer.MembershipInput{Tenant: "acme", Customer: w.l.ID(), Programme: testProgramme()}, mch)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, crm.ErrMerged)
			var me *customer.MergedError
			require.True(t, errors.As(err, &me))
			require.Equal(t, w.l.ID(), me.ID)
			require.Equal(t, w.s.ID(), me.Into, "the error names the survivor")
		})
	}
	for _, q := range []customer.ReferralQuery{{Referrer: w.l.ID()}, {Target: w.l.ID()}} {
		p, err := w.svc.Referrals(ctx, "acme", q, crm.PageRequest{})
		require.NoError(t, err)
		require.Empty(t, p.Items, "a refused relation stores nothing")
	}
	m, err := w.svc.Join(ctx, customer.MembershipInput{Tenant: "acme", Customer: w.s.ID(), Programme: testProgramme()}, mch)
	require.NoError(t, err, "the survivor joins")
	require.Equal(t, w.s.ID(), m.Customer())
}

func TestServiceCreateAccountPlanRefusesTombstone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMergeWorld(t)
	_, err := w.svc.Merge(ctx, "acme", w.s.ID(), w.l.ID(), customer.Survivorship{}, customer.Change{Actor: "admin"})
	require.NoError(t, err)
	in := customer.AccountPlanInput{Tenant: "acme", Customer: w.l.ID(), Name: "plan", Start: relAt, End: relAt.AddDate(1, 0, 0),
		Team: []customer.TeamMember{{User: "mgr", Role: customer.RoleAccountManager, Lead: true, Since: relAt}}}
	_, err = w.svc.CreateAccountPlan(ctx, in, mch)
	var me *customer.MergedError
	require.ErrorAs(t, err, &me)
	require.Equal(t, w.s.ID(), me.Into)
	in.Customer = w.s.ID()
	_, err = w.svc.CreateAccountPlan(ctx, in, mch)
	require.NoError(t, err, "the survivor takes plans")
}
