package customer_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/memory"
)

type relFixture struct {
	svc    *customer.Service
	store  *memory.Store
	events *recorder
	clock  *crm.ManualClock
	dealer *customer.Customer
	owner  *customer.Customer
}

func newRelFixture(t *testing.T, outbox bool) *relFixture {
	t.Helper()
	f := &relFixture{store: memory.New(nil), events: &recorder{}, clock: crm.NewManualClock(relAt)}
	opts := &customer.Options{Clock: f.clock, IDs: crm.NewSequentialIDs(f.clock), Events: f.events}
	if outbox {
		opts.Outbox = f.store
	}
	svc, err := customer.NewService(f.store, opts)
	require.NoError(t, err)
	f.svc = svc
	mk := func(name string, role customer.Role) *customer.Customer {
		c, err := svc.Create(context.Background(), customer.NewInput{Tenant: "acme", Kind: customer.Organization, Name: name,
			Roles: []customer.Role{role}, Owner: "mgr"}, customer.Change{Actor: "mgr"})
		require.NoError(t, err)
		return c
	}
	f.dealer, f.owner = mk("North Motors", customer.Dealer), mk("Li Wei", customer.EndCustomer)
	f.events.events = nil
	return f
}

func TestServiceReferrals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newRelFixture(t, true)
	in := customer.ReferralInput{Tenant: "acme", Referrer: f.dealer.ID(), TargetKind: customer.TargetCustomer, Target: f.owner.ID()}
	r, err := f.svc.Refer(ctx, in, customer.Change{Actor: "mgr"})
	require.NoError(t, err)
	require.Equal(t, int64(1), r.Version())
	require.Equal(t, relAt, r.ReferredAt(), "the service clock")

	_, err = f.svc.Refer(ctx, in, customer.Change{Actor: "mgr"})
	require.ErrorIs(t, err, crm.ErrDuplicate, "the same referrer and target twice")

	for _, tc := range []struct {
		name string
		edit func(*customer.ReferralInput)
	}{
		{"missing referrer", func(in *customer.ReferralInput) { in.Referrer = relID(99) }},
		{"missing customer target", func(in *customer.ReferralInput) { in.Target = relID(98) }},
		{"another tenant's referrer", func(in *customer.ReferralInput) { in.Tenant = "other" }},
	} {
		in := in
		tc.edit(&in)
		_, err := f.svc.Refer(ctx, in, customer.Change{Actor: "mgr"})
		require.ErrorIs(t, err, crm.ErrNotFound, tc.name)
	}

	got, err := f.svc.ConvertReferral(ctx, "acme", r.ID(), crm.MustParseMoney("25000 CNY"), customer.Change{Actor: "mgr"})
	require.NoError(t, err)
	require.Equal(t, customer.ReferralConverted, got.Outcome())
	require.Equal(t, int64(2), got.Version())
	_, err = f.svc.LoseReferral(ctx, "acme", r.ID(), customer.Change{Actor: "mgr", Reason: "x"})
	require.ErrorIs(t, err, crm.ErrInvalidTransition)
	_, err = f.svc.ConvertReferral(ctx, "other", r.ID(), crm.MustParseMoney("1 CNY"), customer.Change{Actor: "mgr"})
	require.ErrorIs(t, err, crm.ErrNotFound, "another tenant's referral does not exist")

	require.Equal(t, []string{customer.EventReferralMade, customer.EventReferralOutcome}, f.events.types())
	for _, e := range f.events.events {
		require.False(t, e.ID.IsZero(), "every event gets an ID")
	}
	require.Equal(t, int64(2), f.events.events[1].Version)
	claimed, err := f.store.ClaimEvents(ctx, storage.ClaimRequest{Limit: 10, Lease: time.Minute, Tenant: "acme"})
	require.NoError(t, err)
	require.Len(t, claimed, 4, "the two customers' creations and the referral's two changes")
	require.Equal(t, f.events.events[0].ID, claimed[2].Event.ID, "the outbox holds the events the sink heard")
	require.Equal(t, f.events.events[1].ID, claimed[3].Event.ID)
}

func TestServiceSuggestionsAndMemberships(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newRelFixture(t, false)
	ch := customer.Change{Actor: "mgr"}
	s, err := f.svc.Suggest(ctx, customer.SuggestionInput{Tenant: "acme", Author: f.owner.ID(), Subject: "Longer hours", Category: "service"}, ch)
	require.NoError(t, err)
	_, err = f.svc.AdoptSuggestion(ctx, "acme", s.ID(), crm.MustParseMoney("10 CNY"), ch)
	require.ErrorIs(t, err, crm.ErrInvalidTransition, "review first")
	_, err = f.svc.ReviewSuggestion(ctx, "acme", s.ID(), ch)
	require.NoError(t, err)
	s, err = f.svc.AdoptSuggestion(ctx, "acme", s.ID(), crm.MustParseMoney("10 CNY"), ch)
	require.NoError(t, err)
	require.Equal(t, crm.UserID("mgr"), s.AdoptedBy())
	_, err = f.svc.Suggest(ctx, customer.SuggestionInput{Tenant: "acme", Author: relID(77), Subject: "x", Category: "service"}, ch)
	require.ErrorIs(t, err, crm.ErrNotFound)

	p := testProgramme()
	m, err := f.svc.Join(ctx, customer.MembershipInput{Tenant: "acme", Customer: f.owner.ID(), Programme: p}, ch)
	require.NoError(t, err)
	_, err = f.svc.Join(ctx, customer.MembershipInput{Tenant: "acme", Customer: f.owner.ID(), Programme: p, Tier: "gold"}, ch)
	require.ErrorIs(t, err, crm.ErrDuplicate, "one membership per customer per programme")
	f.clock.Advance(24 * time.Hour)
	m, err = f.svc.MoveTier(ctx, "acme", m.ID(), p, "gold", customer.Change{Actor: "mgr", Reason: "spend reached 5000 EUR"})
	require.NoError(t, err)
	require.Equal(t, "gold", m.Tier())
	m, err = f.svc.RenewMembership(ctx, "acme", m.ID(), p, ch)
	require.NoError(t, err)
	require.Equal(t, relAt.AddDate(2, 0, 0), m.TermEnd())
	m, err = f.svc.CancelMembership(ctx, "acme", m.ID(), ch)
	require.NoError(t, err)
	require.Equal(t, customer.MembershipCancelled, m.Status(f.clock.Now()))
	got, err := f.svc.GetMembership(ctx, "acme", m.ID())
	require.NoError(t, err)
	require.Equal(t, m.Record(), got.Record())
	require.Equal(t, []string{customer.EventSuggestionMade, customer.EventSuggestionStatus, customer.EventSuggestionStatus,
		customer.EventMemberJoined, customer.EventMemberTier, customer.EventMemberRenewed, customer.EventMemberCancelled}, f.events.types())
}

// TestServiceRelationsRollBack: a closure that fails, or panics, stores and
// publishes nothing.
func TestServiceRelationsRollBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newRelFixture(t, true)
	r, err := f.svc.Refer(ctx, customer.ReferralInput{Tenant: "acme", Referrer: f.dealer.ID(), TargetKind: customer.TargetLead, Target: relLead}, customer.Change{Actor: "mgr"})
	require.NoError(t, err)
	n := len(f.events.types())
	_, err = f.svc.UpdateReferral(ctx, "acme", r.ID(), func(r *customer.Referral) error {
		require.NoError(t, r.Lose(customer.Change{Actor: "mgr", At: relAt, Reason: "x"}))
		return errInjectedRel
	})
	require.ErrorIs(t, err, errInjectedRel)
	require.Panics(t, func() {
		_, _ = f.svc.UpdateReferral(ctx, "acme", r.ID(), func(r *customer.Referral) error {
			_ = r.Lose(customer.Change{Actor: "mgr", At: relAt, Reason: "x"})
			panic("boom")
		})
	})
	got, err := f.svc.GetReferral(ctx, "acme", r.ID())
	require.NoError(t, err)
	require.Equal(t, customer.ReferralPending, got.Outcome())
	require.Equal(t, int64(1), got.Version())
	require.Len(t, f.events.types(), n)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = f.svc.LoseReferral(cctx, "acme", r.ID(), customer.Change{Actor: "mgr", Reason: "x"})
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.svc.UpdateReferral(ctx, "acme", r.ID(), nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

var errInjectedRel = errorString("injected")

type errorString string

func (e errorString) Error() string { return string(e) }

// customersOnly is a backend without relation stores.
type customersOnly struct{ customer.Backend }

func TestServiceRelationsUnsupported(t *testing.T) {
	t.Parallel()
	svc, err := customer.NewService(customersOnly{memory.New(nil)}, nil)
	require.NoError(t, err)
	_, err = svc.Refer(context.Background(), customer.ReferralInput{}, customer.Change{})
	require.ErrorIs(t, err, crm.ErrUnsupported)
	_, err = svc.RelationFigures(context.Background(), "acme", time.Time{}, time.Time{}, crm.MustCurrency("EUR"))
	require.ErrorIs(t, err, crm.ErrUnsupported)
}
