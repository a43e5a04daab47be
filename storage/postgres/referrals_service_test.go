package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage"
)

// TestRelationServiceOutbox runs the customer service's referral,
// suggestion and membership methods on PostgreSQL with the outbox: each
// change is stored with its events in one transaction, a refused change
// stores neither, and the figures come back from the stored records.
func TestRelationServiceOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, nil)
	ten := newTenant()
	svc, err := customer.NewService(s, &customer.Options{Outbox: s})
	require.NoError(t, err)
	dealer := newCustomer(t, ten, custOpts{name: "North Motors"})
	owner := newCustomer(t, ten, custOpts{name: "Li Wei"})
	require.NoError(t, s.Customers().Create(ctx, dealer))
	require.NoError(t, s.Customers().Create(ctx, owner))
	ch := customer.Change{Actor: "mgr"}

	r, err := svc.Refer(ctx, customer.ReferralInput{Tenant: ten, Referrer: dealer.ID(), TargetKind: customer.TargetCustomer, Target: owner.ID()}, ch)
	require.NoError(t, err)
	_, err = svc.Refer(ctx, customer.ReferralInput{Tenant: ten, Referrer: dealer.ID(), TargetKind: customer.TargetCustomer, Target: owner.ID()}, ch)
	require.ErrorIs(t, err, crm.ErrDuplicate)
	_, err = svc.ConvertReferral(ctx, ten, r.ID(), crm.MustParseMoney("30000.5 CNY"), ch)
	require.NoError(t, err)
	sg, err := svc.Suggest(ctx, customer.SuggestionInput{Tenant: ten, Author: dealer.ID(), Subject: "Share a depot", Category: "process"}, ch)
	require.NoError(t, err)
	_, err = svc.ReviewSuggestion(ctx, ten, sg.ID(), ch)
	require.NoError(t, err)
	_, err = svc.AdoptSuggestion(ctx, ten, sg.ID(), crm.MustParseMoney("800 CNY"), ch)
	require.NoError(t, err)
	club := customer.Programme{Name: "owners_club", TermMonths: 12, Tiers: []customer.Tier{{Name: "silver"}, {Name: "gold", MinPoints: 100}}}
	m, err := svc.Join(ctx, customer.MembershipInput{Tenant: ten, Customer: owner.ID(), Programme: club}, ch)
	require.NoError(t, err)
	_, err = svc.Join(ctx, customer.MembershipInput{Tenant: ten, Customer: owner.ID(), Programme: club}, ch)
	require.ErrorIs(t, err, crm.ErrDuplicate)
	_, err = svc.MoveTier(ctx, ten, m.ID(), club, "gold", customer.Change{Actor: "mgr", Reason: "150 points"})
	require.NoError(t, err)

	evs, err := s.ClaimEvents(ctx, storage.ClaimRequest{Tenant: ten, Limit: 100, Lease: time.Minute})
	require.NoError(t, err)
	var types []string
	for _, e := range evs {
		types = append(types, e.Event.Type)
	}
	require.Equal(t, []string{customer.EventReferralMade, customer.EventReferralOutcome, customer.EventSuggestionMade,
		customer.EventSuggestionStatus, customer.EventSuggestionStatus, customer.EventMemberJoined, customer.EventMemberTier}, types,
		"one event per change, none for the refused duplicates")

	year := time.Now().UTC().AddDate(-1, 0, 0)
	figs, err := svc.RelationFigures(ctx, ten, year, time.Time{}, crm.MustCurrency("CNY"))
	require.NoError(t, err)
	require.Equal(t, "30000.50 CNY", figs[dealer.ID()].ReferredRevenue.String())
	require.Equal(t, "800.00 CNY", figs[dealer.ID()].AdoptedValue.String())
}
