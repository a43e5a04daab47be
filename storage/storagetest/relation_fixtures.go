package storagetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
)

// The store-only operations of the relation records (see internal/hook).
var (
	referralHooks   = hook.For[*customer.Referral, customer.ReferralRecord, hook.None]()
	suggestionHooks = hook.For[*customer.Suggestion, customer.SuggestionRecord, hook.None]()
	membershipHooks = hook.For[*customer.Membership, customer.MembershipRecord, hook.None]()
)

// rchange is the change of a referral, suggestion or membership at epoch+h.
func rchange(h int, reason string) customer.Change {
	return customer.Change{Actor: "storagetest", At: at(h), Reason: reason}
}

// Programme is the membership programme the suite's memberships belong
// to: three tiers, a twelve-month term.
func Programme() customer.Programme {
	return customer.Programme{Name: "owners_club", TermMonths: 12, Tiers: []customer.Tier{
		{Name: "silver", Benefits: []string{"newsletter"}},
		{Name: "gold", MinPoints: 1000, MinSpend: crm.MustParseMoney("5000 EUR"), Benefits: []string{"priority service"}},
		{Name: "platinum", MinPoints: 5000, MinSpend: crm.MustParseMoney("20000 EUR"), Benefits: []string{"priority service", "loan car"}},
	}}
}

// NewReferral returns a valid pending referral of tenant, by a new
// referrer of a new lead, not stored.
func NewReferral(tb testing.TB, tenant crm.TenantID, id crm.ID) *customer.Referral {
	tb.Helper()
	if id.IsZero() {
		id = NewID(tb)
	}
	r, err := customer.NewReferral(customer.ReferralInput{ID: id, Tenant: tenant, Referrer: NewID(tb),
		TargetKind: customer.TargetLead, Target: NewID(tb), Channel: "word_of_mouth", Notes: "met at the club"}, rchange(0, ""))
	require.NoError(tb, err)
	return r
}

// NewSuggestion returns a valid submitted suggestion of tenant by a new
// author, not stored.
func NewSuggestion(tb testing.TB, tenant crm.TenantID, id crm.ID) *customer.Suggestion {
	tb.Helper()
	if id.IsZero() {
		id = NewID(tb)
	}
	s, err := customer.NewSuggestion(customer.SuggestionInput{ID: id, Tenant: tenant, Author: NewID(tb),
		Subject: "Open on Sundays", Text: "Many owners work on weekdays.", Category: "service"}, rchange(0, ""))
	require.NoError(tb, err)
	return s
}

// NewMembership returns a valid membership of tenant of a new customer in
// [Programme], not stored.
func NewMembership(tb testing.TB, tenant crm.TenantID, id crm.ID) *customer.Membership {
	tb.Helper()
	if id.IsZero() {
		id = NewID(tb)
	}
	m, err := customer.NewMembership(customer.MembershipInput{ID: id, Tenant: tenant, Customer: NewID(tb),
		Programme: Programme()}, rchange(0, ""))
	require.NoError(tb, err)
	return m
}

// stepMarks returns the marks writers left in a history: the reasons, or
// the targets of the kinds given, that are marks.
func stepMarks(h []customer.Step, kind customer.StepKind, byTarget bool) []string {
	var out []string
	for _, s := range h {
		if kind != 0 && s.Kind != kind {
			continue
		}
		m := s.Reason
		if byTarget {
			m = s.To
		}
		if strings.HasPrefix(m, "writer-") {
			out = append(out, m)
		}
	}
	return out
}

// normSteps normalises a history for require.Equal.
func normSteps(h []customer.Step) []customer.Step {
	h = nilIfEmpty(h)
	for i := range h {
		h[i].At = normTime(h[i].At)
	}
	return h
}

// withStepTimes sets every step's time to tm.
func withStepTimes(h []customer.Step, tm time.Time) []customer.Step {
	for i := range h {
		h[i].At = tm
	}
	return h
}

// referralAggregate is the harness fixture of referrals.
func referralAggregate(s customer.ReferralStore) aggregate[customer.Referral] {
	norm := func(r customer.ReferralRecord) customer.ReferralRecord {
		r.DecidedAt, r.CreatedAt, r.UpdatedAt = normTime(r.DecidedAt), normTime(r.CreatedAt), normTime(r.UpdatedAt)
		r.History = normSteps(r.History)
		return r
	}
	return aggregate[customer.Referral]{
		name: "referral",
		newRecord: func(tb testing.TB, tenant crm.TenantID, id crm.ID) *customer.Referral {
			return NewReferral(tb, tenant, id)
		},
		create: s.Create, get: s.Get, update: s.Update,
		list: func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*customer.Referral], error) {
			return s.List(ctx, tenant, customer.ReferralQuery{}, page)
		},
		compare: func(a, b *customer.Referral) int { return a.ID().Compare(b.ID()) },
		id:      (*customer.Referral).ID,
		version: (*customer.Referral).Version,
		mark: func(x *customer.Referral, i int) error {
			// A lost referral reopened, and lost again: every move a step.
			ch := rchange(1+i, markText(i))
			if ch.At.Before(x.UpdatedAt()) {
				ch.At = x.UpdatedAt()
			}
			if x.Outcome() == customer.ReferralLost {
				return x.Reopen(ch)
			}
			return x.Lose(ch)
		},
		marks: func(x *customer.Referral) []string { return stepMarks(x.History(), 0, false) },
		snapshot: func(tb testing.TB, tenant crm.TenantID, id crm.ID) any {
			tb.Helper()
			r, err := s.Get(context.Background(), tenant, id)
			require.NoError(tb, err)
			return norm(r.Record())
		},
		record:  func(_ testing.TB, x *customer.Referral) any { return norm(x.Record()) },
		pending: func(x *customer.Referral) any { return x.Events() },
		clean: func(tb testing.TB, tenant crm.TenantID) {
			tb.Helper()
			p, err := s.List(context.Background(), tenant, customer.ReferralQuery{Outcomes: []customer.ReferralOutcome{customer.ReferralConverted}}, crm.PageRequest{Limit: crm.MaxPageLimit})
			require.NoError(tb, err)
			require.Empty(tb, p.Items, "the mutated conversion reached the store")
		},
		mutate: func(tb testing.TB, x *customer.Referral) {
			tb.Helper()
			if x.Outcome() == customer.ReferralPending {
				require.NoError(tb, x.Convert(crm.MustParseMoney("777 EUR"), rchange(100, "")))
			}
			referralHooks.Saved(x, 99)
		},
		withTime: func(x *customer.Referral, tm time.Time) (*customer.Referral, error) {
			r := x.Record()
			r.CreatedAt, r.UpdatedAt, r.History = tm, tm, withStepTimes(r.History, tm)
			if !r.DecidedAt.IsZero() {
				r.DecidedAt = tm
			}
			return customer.ReferralFromRecord(r)
		},
	}
}

// suggestionAggregate is the harness fixture of suggestions.
func suggestionAggregate(s customer.SuggestionStore) aggregate[customer.Suggestion] {
	norm := func(r customer.SuggestionRecord) customer.SuggestionRecord {
		r.DecidedAt, r.CreatedAt, r.UpdatedAt = normTime(r.DecidedAt), normTime(r.CreatedAt), normTime(r.UpdatedAt)
		r.History = normSteps(r.History)
		return r
	}
	return aggregate[customer.Suggestion]{
		name: "suggestion",
		newRecord: func(tb testing.TB, tenant crm.TenantID, id crm.ID) *customer.Suggestion {
			return NewSuggestion(tb, tenant, id)
		},
		create: s.Create, get: s.Get, update: s.Update,
		list: func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*customer.Suggestion], error) {
			return s.List(ctx, tenant, customer.SuggestionQuery{}, page)
		},
		compare: func(a, b *customer.Suggestion) int { return a.ID().Compare(b.ID()) },
		id:      (*customer.Suggestion).ID,
		version: (*customer.Suggestion).Version,
		mark: func(x *customer.Suggestion, i int) error {
			ch := rchange(1+i, "triage")
			if ch.At.Before(x.UpdatedAt()) {
				ch.At = x.UpdatedAt()
			}
			return x.Recategorise(markText(i), ch)
		},
		marks: func(x *customer.Suggestion) []string { return stepMarks(x.History(), customer.StepCategory, true) },
		snapshot: func(tb testing.TB, tenant crm.TenantID, id crm.ID) any {
			tb.Helper()
			x, err := s.Get(context.Background(), tenant, id)
			require.NoError(tb, err)
			return norm(x.Record())
		},
		record:  func(_ testing.TB, x *customer.Suggestion) any { return norm(x.Record()) },
		pending: func(x *customer.Suggestion) any { return x.Events() },
		clean: func(tb testing.TB, tenant crm.TenantID) {
			tb.Helper()
			p, err := s.List(context.Background(), tenant, customer.SuggestionQuery{Category: "mutated"}, crm.PageRequest{Limit: crm.MaxPageLimit})
			require.NoError(tb, err)
			require.Empty(tb, p.Items, "the mutated category reached the store")
		},
		mutate: func(tb testing.TB, x *customer.Suggestion) {
			tb.Helper()
			if x.Category() != "mutated" && x.Status() != customer.SuggestionAdopted && x.Status() != customer.SuggestionDeclined {
				require.NoError(tb, x.Recategorise("mutated", rchange(100, "")))
			}
			suggestionHooks.Saved(x, 99)
		},
		withTime: func(x *customer.Suggestion, tm time.Time) (*customer.Suggestion, error) {
			r := x.Record()
			r.CreatedAt, r.UpdatedAt, r.History = tm, tm, withStepTimes(r.History, tm)
			if !r.DecidedAt.IsZero() {
				r.DecidedAt = tm
			}
			return customer.SuggestionFromRecord(r)
		},
	}
}

// membershipAggregate is the harness fixture of memberships.
func membershipAggregate(s customer.MembershipStore) aggregate[customer.Membership] {
	norm := func(r customer.MembershipRecord) customer.MembershipRecord {
		r.TermEnd, r.CancelledAt = normTime(r.TermEnd), normTime(r.CancelledAt)
		r.CreatedAt, r.UpdatedAt = normTime(r.CreatedAt), normTime(r.UpdatedAt)
		r.History = normSteps(r.History)
		return r
	}
	return aggregate[customer.Membership]{
		name: "membership",
		newRecord: func(tb testing.TB, tenant crm.TenantID, id crm.ID) *customer.Membership {
			return NewMembership(tb, tenant, id)
		},
		create: s.Create, get: s.Get, update: s.Update,
		list: func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*customer.Membership], error) {
			return s.List(ctx, tenant, customer.MembershipQuery{}, page)
		},
		compare: func(a, b *customer.Membership) int { return a.ID().Compare(b.ID()) },
		id:      (*customer.Membership).ID,
		version: (*customer.Membership).Version,
		mark: func(x *customer.Membership, i int) error {
			ch := rchange(1+i, markText(i))
			if ch.At.Before(x.UpdatedAt()) {
				ch.At = x.UpdatedAt()
			}
			return x.Renew(Programme(), ch)
		},
		marks: func(x *customer.Membership) []string {
			return stepMarks(x.History(), customer.StepRenewed, false)
		},
		snapshot: func(tb testing.TB, tenant crm.TenantID, id crm.ID) any {
			tb.Helper()
			m, err := s.Get(context.Background(), tenant, id)
			require.NoError(tb, err)
			return norm(m.Record())
		},
		record:  func(_ testing.TB, x *customer.Membership) any { return norm(x.Record()) },
		pending: func(x *customer.Membership) any { return x.Events() },
		clean: func(tb testing.TB, tenant crm.TenantID) {
			tb.Helper()
			p, err := s.List(context.Background(), tenant, customer.MembershipQuery{Tiers: []string{"platinum"}}, crm.PageRequest{Limit: crm.MaxPageLimit})
			require.NoError(tb, err)
			require.Empty(tb, p.Items, "the mutated tier reached the store")
		},
		mutate: func(tb testing.TB, x *customer.Membership) {
			tb.Helper()
			if x.Tier() != "platinum" && x.Status(at(100)) == customer.MembershipActive {
				require.NoError(tb, x.MoveTier(Programme(), "platinum", rchange(100, "mutated")))
			}
			membershipHooks.Saved(x, 99)
		},
		withTime: func(x *customer.Membership, tm time.Time) (*customer.Membership, error) {
			r := x.Record()
			r.CreatedAt, r.UpdatedAt, r.History = tm, tm, withStepTimes(r.History, tm)
			r.TermEnd = tm.AddDate(1, 0, 0)
			if !r.CancelledAt.IsZero() {
				r.CancelledAt = tm
			}
			return customer.MembershipFromRecord(r)
		},
	}
}
