package customer_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// lyingReferrals hands back another tenant's referral: what a broken or
// hostile store might do.
type lyingReferrals struct {
	customer.ReferralStore
	r *customer.Referral
}

func (l lyingReferrals) Get(context.Context, crm.TenantID, crm.ID) (*customer.Referral, error) {
	return l.r.Clone(), nil
}

func (l lyingReferrals) List(context.Context, crm.TenantID, customer.ReferralQuery, crm.PageRequest) (crm.Page[*customer.Referral], error) {
	return crm.Page[*customer.Referral]{Items: []*customer.Referral{l.r.Clone()}}, nil
}

func TestGuardRelations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New(nil)
	refs := s.Referrals()
	require.Same(t, refs, customer.GuardReferrals(refs), "guarding twice is a no-op")
	require.Nil(t, customer.GuardReferrals(nil))
	require.Nil(t, customer.GuardSuggestions(nil))
	require.Nil(t, customer.GuardMemberships(nil))

	r := newTestReferral(t)
	require.NoError(t, refs.Create(ctx, r))
	require.Equal(t, int64(1), r.Version())
	require.Empty(t, r.Events(), "saved: the events are gone")
	require.ErrorIs(t, refs.Create(ctx, r), crm.ErrInvalid, "version 1 is not new")
	require.ErrorIs(t, refs.Create(ctx, nil), crm.ErrInvalid)
	require.ErrorIs(t, refs.Create(ctx, &customer.Referral{}), crm.ErrInvalid, "a referral built around the constructor")

	other, err := customer.NewReferral(customer.ReferralInput{ID: relID(9), Tenant: "acme", Referrer: relID(10),
		TargetKind: customer.TargetLead, Target: relID(11)}, relCh(0, ""))
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		fn   func(*customer.Referral) error
	}{
		{"another referral wholesale", func(x *customer.Referral) error { *x = *other.Clone(); return nil }},
		{"another target", func(x *customer.Referral) error {
			rec := x.Record()
			rec.Target = relID(12)
			y, err := customer.ReferralFromRecord(rec)
			if err != nil {
				return err
			}
			*x = *y
			return nil
		}},
		{"a zero referral", func(x *customer.Referral) error { *x = customer.Referral{}; return nil }},
		{"a forged version", func(x *customer.Referral) error {
			rec := x.Record()
			rec.Version = 7
			y, err := customer.ReferralFromRecord(rec)
			if err != nil {
				return err
			}
			*x = *y
			return nil
		}},
	} {
		_, err := refs.Update(ctx, "acme", r.ID(), tc.fn)
		require.ErrorIs(t, err, crm.ErrInvalid, tc.name)
	}
	_, err = refs.Update(ctx, "acme", r.ID(), nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	got, err := refs.Get(ctx, "acme", r.ID())
	require.NoError(t, err)
	require.Equal(t, int64(1), got.Version(), "nothing refused was stored")

	_, err = refs.Get(ctx, "acme", crm.NilID)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = refs.Get(ctx, "other", r.ID())
	require.ErrorIs(t, err, crm.ErrNotFound, "another tenant's referral")
	_, err = refs.List(ctx, "acme", customer.ReferralQuery{TargetKind: 9}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = refs.List(ctx, "", customer.ReferralQuery{}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = refs.Get(cctx, "acme", r.ID())
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, refs.Create(cctx, other.Clone()), context.Canceled)

	liar := customer.GuardReferrals(lyingReferrals{r: other})
	_, err = liar.Get(ctx, "acme", r.ID())
	require.ErrorIs(t, err, crm.ErrCorrupt, "another ID than asked")
	_, err = liar.Get(ctx, "beta", other.ID())
	require.ErrorIs(t, err, crm.ErrCorrupt, "another tenant than asked")
	_, err = liar.List(ctx, "beta", customer.ReferralQuery{}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrCorrupt)

	m := newTestMembership(t)
	require.NoError(t, s.Memberships().Create(ctx, m))
	_, err = s.Memberships().Update(ctx, "acme", m.ID(), func(x *customer.Membership) error {
		y, err := customer.NewMembership(customer.MembershipInput{ID: x.ID(), Tenant: "acme", Customer: x.Customer(),
			Programme: customer.Programme{Name: "venue", TermMonths: 1, Tiers: []customer.Tier{{Name: "member"}}}}, relCh(0, ""))
		if err != nil {
			return err
		}
		*x = *y
		return nil
	})
	require.ErrorIs(t, err, crm.ErrInvalid, "fn must not move the membership to another programme")
}

// TestRelationZeroValues: every method of a record built around its
// constructor refuses with an error, never panics.
func TestRelationZeroValues(t *testing.T) {
	t.Parallel()
	p := testProgramme()
	ch := relCh(1, "why")
	var r customer.Referral
	require.Error(t, r.Convert(crm.MustParseMoney("1 EUR"), ch))
	require.Error(t, r.Lose(ch))
	require.Error(t, r.Reopen(ch))
	var s customer.Suggestion
	require.Error(t, s.Review(ch))
	require.Error(t, s.Adopt(crm.MustParseMoney("1 EUR"), ch))
	require.Error(t, s.Decline(ch))
	var m customer.Membership
	require.Error(t, m.Renew(p, ch))
	require.Error(t, m.MoveTier(p, "gold", ch))
	requireField(t, m.Cancel(ch), "id")
	require.Zero(t, m.CancelledAt(), "refused: unchanged")
	_, err := customer.ReferralFromRecord(r.Record())
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = customer.SuggestionFromRecord(s.Record())
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = customer.MembershipFromRecord(m.Record())
	require.ErrorIs(t, err, crm.ErrInvalid)
}
