package storagetest

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// relationAreas are the groups of RunRelations.
func relationAreas() []area {
	return []area{
		{"ReferralRecords", func(t *testing.T, e *env) { runHarness(t, e, referralAggregate(e.rb.Referrals())) }},
		{"SuggestionRecords", func(t *testing.T, e *env) { runHarness(t, e, suggestionAggregate(e.rb.Suggestions())) }},
		{"MembershipRecords", func(t *testing.T, e *env) { runHarness(t, e, membershipAggregate(e.rb.Memberships())) }},
		{"ReferralList", testReferralList},
		{"SuggestionList", testSuggestionList},
		{"MembershipList", testMembershipList},
		{"RelationUnique", testRelationUnique},
		{"RelationMerge", testRelationMerge},
	}
}

// RunRelations runs the cases of the referral, suggestion and membership
// ports against the backends newBackend makes: every method of
// customer.ReferralStore, customer.SuggestionStore and
// customer.MembershipStore, in transactions of the backend. The areas are
// ReferralRecords, SuggestionRecords and MembershipRecords (the invariant
// harness every aggregate shares: tenancy, concurrency, isolation, paging,
// atomicity, contexts, invalid input, time range), ReferralList,
// SuggestionList and MembershipList (every filter against the queries'
// Matches, paged one by one), RelationMerge (the keys a merge moves
// through Update are the ones listed and kept unique) and RelationUnique
// (one referral per referrer
// and target, one membership per customer and programme, under concurrent
// creates and across rolled-back transactions); the rules of
// [RunCustomers] about newBackend hold here too. Only RelationMerge uses
// the customer store (its merge runs through customer.Service): the ports
// do not check that the customers they name exist (the Service does).
func RunRelations(t *testing.T, newBackend func(testing.TB) customer.RelationsBackend, f Features) {
	t.Helper()
	require.NotNil(t, newBackend, "storagetest.RunRelations: newBackend must not be nil")
	runAreas(t, relationAreas(), newBackend, func(t *testing.T, b customer.RelationsBackend) *env {
		require.NotNil(t, b, "newBackend returned nil")
		require.NotNil(t, b.Referrals(), "Referrals returned nil")
		require.NotNil(t, b.Suggestions(), "Suggestions returned nil")
		require.NotNil(t, b.Memberships(), "Memberships returned nil")
		return &env{s: b, c: b.Customers(), rb: b, f: f}
	})
}

// listIDs pages through list one item at a time and returns the IDs.
func listIDs[T interface{ ID() crm.ID }](tb testing.TB, list func(crm.PageRequest) (crm.Page[T], error)) []crm.ID {
	tb.Helper()
	out := []crm.ID{}
	for _, x := range pageAll(tb, 1, list) {
		out = append(out, x.ID())
	}
	return out
}

// expect returns the IDs of xs that match, in order (xs are in ID order).
func expect[T interface{ ID() crm.ID }](xs []T, match func(T) bool) []crm.ID {
	out := []crm.ID{}
	for _, x := range xs {
		if match(x) {
			out = append(out, x.ID())
		}
	}
	return out
}

func testReferralList(t *testing.T, e *env) {
	ctx := context.Background()
	s := e.rb.Referrals()
	tenant := NewTenant(t)
	dealer, owner, lead1, cust := NewID(t), NewID(t), NewID(t), NewID(t)
	mk := func(h int, referrer crm.ID, kind customer.TargetKind, target crm.ID) *customer.Referral {
		r, err := customer.NewReferral(customer.ReferralInput{ID: NewID(t), Tenant: tenant, Referrer: referrer,
			TargetKind: kind, Target: target}, rchange(h, ""))
		require.NoError(t, err)
		require.NoError(t, s.Create(ctx, r))
		return r
	}
	all := []*customer.Referral{
		mk(0, dealer, customer.TargetLead, lead1),
		mk(1, dealer, customer.TargetCustomer, cust),
		mk(2, owner, customer.TargetLead, lead1), // two referrers may name one target
		mk(3, owner, customer.TargetLead, NewID(t)),
	}
	conv, err := s.Update(ctx, tenant, all[1].ID(), func(r *customer.Referral) error {
		return r.Convert(crm.MustParseMoney("1200.50 EUR"), rchange(10, ""))
	})
	require.NoError(t, err)
	all[1] = conv
	lost, err := s.Update(ctx, tenant, all[3].ID(), func(r *customer.Referral) error { return r.Lose(rchange(11, "bought elsewhere")) })
	require.NoError(t, err)
	all[3] = lost
	NewTenantReferral := NewReferral(t, NewTenant(t), crm.ID{}) // another tenant's records never show
	require.NoError(t, s.Create(ctx, NewTenantReferral))

	for _, q := range []struct {
		name string
		q    customer.ReferralQuery
	}{
		{"All", customer.ReferralQuery{}},
		{"Referrer", customer.ReferralQuery{Referrer: dealer}},
		{"Target", customer.ReferralQuery{Target: lead1}},
		{"TargetKind", customer.ReferralQuery{TargetKind: customer.TargetCustomer}},
		{"Converted", customer.ReferralQuery{Outcomes: []customer.ReferralOutcome{customer.ReferralConverted}}},
		{"Decided", customer.ReferralQuery{Outcomes: []customer.ReferralOutcome{customer.ReferralConverted, customer.ReferralLost}}},
		{"ReferredHalfOpen", customer.ReferralQuery{ReferredFrom: at(1), ReferredTo: at(3)}},
		{"ReferredNanos", customer.ReferralQuery{ReferredFrom: at(1).Add(1), ReferredTo: at(2).Add(1)}},
		{"Combined", customer.ReferralQuery{Referrer: owner, Target: lead1, Outcomes: []customer.ReferralOutcome{customer.ReferralPending}}},
		{"Nothing", customer.ReferralQuery{Referrer: NewTenantReferral.Referrer()}},
	} {
		got := listIDs(t, func(p crm.PageRequest) (crm.Page[*customer.Referral], error) { return s.List(ctx, tenant, q.q, p) })
		require.Equal(t, expect(all, q.q.Matches), got, q.name)
	}
	require.Len(t, expect(all, customer.ReferralQuery{Target: lead1}.Matches), 2, "the case proves two referrers of one target")
	got, err := s.Get(ctx, tenant, all[1].ID())
	require.NoError(t, err)
	require.Equal(t, "1200.50 EUR", got.Value().String(), "the won value kept digit for digit")

	_, err = s.List(ctx, tenant, customer.ReferralQuery{ReferredFrom: at(5), ReferredTo: at(1)}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = s.List(ctx, tenant, customer.ReferralQuery{Outcomes: []customer.ReferralOutcome{9}}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = s.List(ctx, tenant, customer.ReferralQuery{}, crm.PageRequest{Cursor: "forged"})
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func testSuggestionList(t *testing.T, e *env) {
	ctx := context.Background()
	s := e.rb.Suggestions()
	tenant := NewTenant(t)
	a, b := NewID(t), NewID(t)
	mk := func(h int, author crm.ID, category string) *customer.Suggestion {
		x, err := customer.NewSuggestion(customer.SuggestionInput{ID: NewID(t), Tenant: tenant, Author: author,
			Subject: "s", Category: category}, rchange(h, ""))
		require.NoError(t, err)
		require.NoError(t, s.Create(ctx, x))
		return x
	}
	all := []*customer.Suggestion{mk(0, a, "product"), mk(1, a, "service"), mk(2, b, "product"), mk(3, b, "process")}
	adopt := func(i int) {
		x, err := s.Update(ctx, tenant, all[i].ID(), func(x *customer.Suggestion) error {
			if err := x.Review(rchange(10, "")); err != nil {
				return err
			}
			return x.Adopt(crm.MustParseMoney("300 EUR"), rchange(11, ""))
		})
		require.NoError(t, err)
		all[i] = x
	}
	adopt(0)
	adopt(2)
	x, err := s.Update(ctx, tenant, all[3].ID(), func(x *customer.Suggestion) error { return x.Decline(rchange(12, "out of scope")) })
	require.NoError(t, err)
	all[3] = x
	for _, q := range []struct {
		name string
		q    customer.SuggestionQuery
	}{
		{"All", customer.SuggestionQuery{}},
		{"Author", customer.SuggestionQuery{Author: a}},
		{"Category", customer.SuggestionQuery{Category: "product"}},
		{"Adopted", customer.SuggestionQuery{Statuses: []customer.SuggestionStatus{customer.SuggestionAdopted}}},
		{"Open", customer.SuggestionQuery{Statuses: []customer.SuggestionStatus{customer.SuggestionSubmitted, customer.SuggestionReviewing}}},
		{"Made", customer.SuggestionQuery{MadeFrom: at(1), MadeTo: at(3)}},
		{"Combined", customer.SuggestionQuery{Author: b, Category: "product", Statuses: []customer.SuggestionStatus{customer.SuggestionAdopted}}},
		{"Nothing", customer.SuggestionQuery{Category: "none"}},
	} {
		got := listIDs(t, func(p crm.PageRequest) (crm.Page[*customer.Suggestion], error) { return s.List(ctx, tenant, q.q, p) })
		require.Equal(t, expect(all, q.q.Matches), got, q.name)
	}
	_, err = s.List(ctx, tenant, customer.SuggestionQuery{Category: "Not A Key"}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func testMembershipList(t *testing.T, e *env) {
	ctx := context.Background()
	s := e.rb.Memberships()
	tenant := NewTenant(t)
	club := Programme()
	venue := customer.Programme{Name: "venue", TermMonths: 1, Tiers: []customer.Tier{{Name: "member"}}}
	c1, c2, c3 := NewID(t), NewID(t), NewID(t)
	mk := func(h int, cust crm.ID, p customer.Programme, tier string) *customer.Membership {
		m, err := customer.NewMembership(customer.MembershipInput{ID: NewID(t), Tenant: tenant, Customer: cust,
			Programme: p, Tier: tier}, rchange(h, ""))
		require.NoError(t, err)
		require.NoError(t, s.Create(ctx, m))
		return m
	}
	all := []*customer.Membership{mk(0, c1, club, ""), mk(1, c1, venue, ""), mk(2, c2, club, "gold"), mk(3, c3, club, "")}
	x, err := s.Update(ctx, tenant, all[3].ID(), func(m *customer.Membership) error { return m.Cancel(rchange(5, "moved away")) })
	require.NoError(t, err)
	all[3] = x
	month := 24 * 40 // hours: past the venue's one-month term, within the club's year
	for _, q := range []struct {
		name string
		q    customer.MembershipQuery
	}{
		{"All", customer.MembershipQuery{}},
		{"Customer", customer.MembershipQuery{Customer: c1}},
		{"Programme", customer.MembershipQuery{Programme: "owners_club"}},
		{"Tier", customer.MembershipQuery{Programme: "owners_club", Tiers: []string{"gold", "platinum"}}},
		{"ActiveNow", customer.MembershipQuery{Statuses: []customer.MembershipStatus{customer.MembershipActive}, At: at(6)}},
		{"LapsedLater", customer.MembershipQuery{Statuses: []customer.MembershipStatus{customer.MembershipLapsed}, At: at(month)}},
		{"LapsedAtTermEnd", customer.MembershipQuery{Statuses: []customer.MembershipStatus{customer.MembershipLapsed}, At: all[1].TermEnd()}},
		{"ActiveJustBefore", customer.MembershipQuery{Statuses: []customer.MembershipStatus{customer.MembershipActive}, At: all[1].TermEnd().Add(-1)}},
		{"Cancelled", customer.MembershipQuery{Statuses: []customer.MembershipStatus{customer.MembershipCancelled}, At: at(6)}},
		{"CancelledOrLapsed", customer.MembershipQuery{Statuses: []customer.MembershipStatus{customer.MembershipCancelled, customer.MembershipLapsed}, At: at(month)}},
		{"RenewalsDue", customer.MembershipQuery{TermEndsBefore: all[1].TermEnd().Add(1)}},
		{"RenewalsDueExclusive", customer.MembershipQuery{TermEndsBefore: all[1].TermEnd()}},
	} {
		got := listIDs(t, func(p crm.PageRequest) (crm.Page[*customer.Membership], error) { return s.List(ctx, tenant, q.q, p) })
		require.Equal(t, expect(all, q.q.Matches), got, q.name)
	}
	_, err = s.List(ctx, tenant, customer.MembershipQuery{Statuses: []customer.MembershipStatus{customer.MembershipActive}}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid, "a status needs a time")
}

func testRelationUnique(t *testing.T, e *env) {
	ctx := context.Background()
	t.Run("ReferralOncePerReferrerAndTarget", func(t *testing.T) {
		t.Parallel()
		s := e.rb.Referrals()
		tenant := NewTenant(t)
		referrer, target := NewID(t), NewID(t)
		mk := func(kind customer.TargetKind) *customer.Referral {
			r, err := customer.NewReferral(customer.ReferralInput{ID: NewID(t), Tenant: tenant, Referrer: referrer,
				TargetKind: kind, Target: target}, rchange(0, ""))
			require.NoError(t, err)
			return r
		}
		errs := make([]error, writers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range writers {
			r := mk(customer.TargetLead)
			wg.Go(func() { <-start; errs[i] = s.Create(ctx, r) })
		}
		close(start)
		wg.Wait()
		requireOneWinner(t, errs)
		require.NoError(t, s.Create(ctx, mk(customer.TargetCustomer)), "the same ID as a customer is another target")
		other, err := customer.NewReferral(customer.ReferralInput{ID: NewID(t), Tenant: NewTenant(t), Referrer: referrer,
			TargetKind: customer.TargetLead, Target: target}, rchange(0, ""))
		require.NoError(t, err)
		require.NoError(t, s.Create(ctx, other), "another tenant's key is its own")

		// A rolled-back create frees the key.
		tenant2 := NewTenant(t)
		r2, err := customer.NewReferral(customer.ReferralInput{ID: NewID(t), Tenant: tenant2, Referrer: referrer,
			TargetKind: customer.TargetLead, Target: target}, rchange(0, ""))
		require.NoError(t, err)
		err = e.s.InTx(ctx, func(ctx context.Context) error {
			require.NoError(t, s.Create(ctx, r2.Clone()))
			return errInjected
		})
		require.ErrorIs(t, err, errInjected)
		require.NoError(t, s.Create(ctx, r2))
	})
	t.Run("MembershipOncePerCustomerAndProgramme", func(t *testing.T) {
		t.Parallel()
		s := e.rb.Memberships()
		tenant := NewTenant(t)
		cust := NewID(t)
		mk := func(p customer.Programme) *customer.Membership {
			m, err := customer.NewMembership(customer.MembershipInput{ID: NewID(t), Tenant: tenant, Customer: cust, Programme: p}, rchange(0, ""))
			require.NoError(t, err)
			return m
		}
		errs := make([]error, writers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range writers {
			m := mk(Programme())
			wg.Go(func() { <-start; errs[i] = s.Create(ctx, m) })
		}
		close(start)
		wg.Wait()
		requireOneWinner(t, errs)
		require.NoError(t, s.Create(ctx, mk(customer.Programme{Name: "venue", TermMonths: 1, Tiers: []customer.Tier{{Name: "member"}}})))
		p, err := s.List(ctx, tenant, customer.MembershipQuery{Customer: cust}, crm.PageRequest{})
		require.NoError(t, err)
		require.Len(t, p.Items, 2)
		// Cancelled, still the customer's one membership of the programme.
		first := p.Items[0]
		if first.Programme() != Programme().Name {
			first = p.Items[1]
		}
		_, err = s.Update(ctx, tenant, first.ID(), func(m *customer.Membership) error { return m.Cancel(rchange(1, "")) })
		require.NoError(t, err)
		require.ErrorIs(t, s.Create(ctx, mk(Programme())), crm.ErrDuplicate)
	})
}
