package customer

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// ReferralStore is the storage port of referrals. It is implemented by
// storage/memory and storage/postgres; hosts may implement it and prove
// their implementation with storagetest.RunRelations.
//
// It keeps the rules of [Store] (tenancy, context, isolation of values,
// errors, limits): every call is scoped by a tenant and another tenant's
// referral behaves as if it did not exist; a cancelled context fails the
// call and changes nothing; values in and out are copies; [GuardReferrals]
// checks every referral on its way in, and stores return their port
// guarded. Implementations must be safe for concurrent use.
type ReferralStore interface {
	// Create stores a new referral at version 1; r is then marked saved at
	// version 1 ([GuardReferrals] does it for every store, and when ctx
	// carries a transaction that then rolls back, puts r back as it was
	// before the call, so that the same r can be created again). A referral
	// whose version is not 0 returns crm.ErrInvalid; an existing ID, or a
	// referral of the same referrer, target kind and target as one already
	// stored in the tenant, returns crm.ErrDuplicate and stores nothing.
	Create(ctx context.Context, r *Referral) error

	// Get returns the referral; a missing one crm.ErrNotFound.
	Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Referral, error)

	// Update loads the latest state of the referral, runs fn on it inside
	// the store's transaction while holding whatever lock keeps concurrent
	// updates of it apart, and stores the result at the next version. fn
	// may run more than once; an error from fn is returned as is and
	// nothing is stored. fn must not change the referral's ID, tenant,
	// version, creation time, referrer or target (crm.ErrInvalid), with
	// one exception the guard grants only to [Service.Merge]: moving a
	// merged customer's records to the survivor changes the referrer,
	// target, author or member in an Update. A store must therefore store
	// every field fn leaves and keep its indexes and uniqueness rules
	// (crm.ErrDuplicate) on the new values; memory and postgres do.
	Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Referral) error) (*Referral, error)

	// List returns the referrals matching q ([ReferralQuery.Matches] is the
	// reference) in ascending ID order. The cursor stands for the last ID
	// of the previous page, so paging neither skips nor repeats referrals
	// while others write; a cursor the store did not make returns
	// crm.ErrInvalid.
	List(ctx context.Context, tenant crm.TenantID, q ReferralQuery, page crm.PageRequest) (crm.Page[*Referral], error)
}

// SuggestionStore is the storage port of suggestions, under the rules of
// [ReferralStore] (without the uniqueness of a target).
type SuggestionStore interface {
	// Create stores a new suggestion at version 1; an existing ID returns
	// crm.ErrDuplicate.
	Create(ctx context.Context, s *Suggestion) error
	// Get returns the suggestion.
	Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Suggestion, error)
	// Update runs fn on the latest suggestion and stores the result at the
	// next version; fn must not change its ID, tenant, version, creation
	// time or author.
	Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Suggestion) error) (*Suggestion, error)
	// List returns the suggestions matching q in ascending ID order.
	List(ctx context.Context, tenant crm.TenantID, q SuggestionQuery, page crm.PageRequest) (crm.Page[*Suggestion], error)
}

// MembershipStore is the storage port of memberships, under the rules of
// [ReferralStore]: one membership per customer per programme, a second
// refused by Create with crm.ErrDuplicate.
type MembershipStore interface {
	// Create stores a new membership at version 1; an existing ID, or a
	// membership of the same customer and programme, returns
	// crm.ErrDuplicate.
	Create(ctx context.Context, m *Membership) error
	// Get returns the membership.
	Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Membership, error)
	// Update runs fn on the latest membership and stores the result at the
	// next version; fn must not change its ID, tenant, version, creation
	// time, customer or programme.
	Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Membership) error) (*Membership, error)
	// List returns the memberships matching q in ascending ID order.
	List(ctx context.Context, tenant crm.TenantID, q MembershipQuery, page crm.PageRequest) (crm.Page[*Membership], error)
}

// RelationsBackend is what the Service's referral, suggestion and
// membership methods need: the customer backend and the three stores, in
// its transactions. storage.Store satisfies it.
type RelationsBackend interface {
	Backend
	Referrals() ReferralStore
	Suggestions() SuggestionStore
	Memberships() MembershipStore
}

// checkPeriodQuery records the problems of a [from, to) filter.
func checkPeriodQuery(v *crm.Validator, path string, from, to time.Time) {
	v.Check(crm.ValidTime(from) && crm.ValidTime(to), path+"_from", "outside the supported time range")
	v.Check(from.IsZero() || to.IsZero() || from.Before(to), path+"_to", "must be after "+path+"_from")
}

// inPeriod reports whether t lies in [from, to), a zero bound unbounded.
func inPeriod(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

// checkValues records the problems of a list of enum values.
func checkValues[E interface{ Valid() bool }](v *crm.Validator, path string, xs []E) {
	if !v.Check(len(xs) <= MaxRelationQueryItems, path, "too many") {
		return
	}
	for i, x := range xs {
		v.Check(x.Valid(), fmt.Sprintf("%s[%d]", path, i), "unknown value")
	}
}

// ReferralQuery filters a referral list. Zero fields do not filter; set
// fields must all match.
type ReferralQuery struct {
	// Referrer keeps one referrer's referrals.
	Referrer crm.ID `json:"referrer,omitzero"`
	// Target keeps the referrals of one lead or customer (of any kind
	// unless TargetKind is set).
	Target     crm.ID     `json:"target,omitzero"`
	TargetKind TargetKind `json:"target_kind,omitzero"`
	// Outcomes keeps referrals in any of these outcomes.
	Outcomes []ReferralOutcome `json:"outcomes,omitempty"`
	// ReferredFrom and ReferredTo keep referrals made in [From, To).
	ReferredFrom time.Time `json:"referred_from,omitzero"`
	ReferredTo   time.Time `json:"referred_to,omitzero"`
}

// Validate returns a *crm.ValidationError when q holds an unknown value or
// a bad period.
func (q ReferralQuery) Validate() error {
	var v crm.Validator
	v.Check(q.TargetKind == 0 || q.TargetKind.Valid(), "target_kind", "unknown target kind")
	checkValues(&v, "outcomes", q.Outcomes)
	checkPeriodQuery(&v, "referred", q.ReferredFrom, q.ReferredTo)
	return v.Err("customer.ReferralQuery")
}

// Matches reports whether r passes every filter of q: the reference for
// what a store's indexes and SQL return.
func (q ReferralQuery) Matches(r *Referral) bool {
	switch {
	case !q.Referrer.IsZero() && r.referrer != q.Referrer,
		!q.Target.IsZero() && r.target != q.Target,
		q.TargetKind != 0 && r.targetKind != q.TargetKind,
		len(q.Outcomes) > 0 && !slices.Contains(q.Outcomes, r.outcome),
		!inPeriod(r.createdAt, q.ReferredFrom, q.ReferredTo):
		return false
	}
	return true
}

// SuggestionQuery filters a suggestion list. Zero fields do not filter;
// set fields must all match.
type SuggestionQuery struct {
	// Author keeps one customer's suggestions.
	Author crm.ID `json:"author,omitzero"`
	// Category keeps one category.
	Category string `json:"category,omitempty"`
	// Statuses keeps suggestions in any of these statuses.
	Statuses []SuggestionStatus `json:"statuses,omitempty"`
	// MadeFrom and MadeTo keep suggestions made in [From, To).
	MadeFrom time.Time `json:"made_from,omitzero"`
	MadeTo   time.Time `json:"made_to,omitzero"`
}

// Validate returns a *crm.ValidationError when q holds an unknown value or
// a bad period.
func (q SuggestionQuery) Validate() error {
	var v crm.Validator
	checkRelKey(&v, "category", q.Category, false)
	checkValues(&v, "statuses", q.Statuses)
	checkPeriodQuery(&v, "made", q.MadeFrom, q.MadeTo)
	return v.Err("customer.SuggestionQuery")
}

// Matches reports whether s passes every filter of q.
func (q SuggestionQuery) Matches(s *Suggestion) bool {
	switch {
	case !q.Author.IsZero() && s.author != q.Author,
		q.Category != "" && s.category != q.Category,
		len(q.Statuses) > 0 && !slices.Contains(q.Statuses, s.status),
		!inPeriod(s.createdAt, q.MadeFrom, q.MadeTo):
		return false
	}
	return true
}

// MembershipQuery filters a membership list. Zero fields do not filter;
// set fields must all match.
type MembershipQuery struct {
	// Customer keeps one customer's memberships.
	Customer crm.ID `json:"customer,omitzero"`
	// Programme keeps one programme's memberships.
	Programme string `json:"programme,omitempty"`
	// Tiers keeps memberships in any of these tiers.
	Tiers []string `json:"tiers,omitempty"`
	// Statuses keeps memberships in any of these statuses at At, which is
	// then required (lapsed is a matter of time).
	Statuses []MembershipStatus `json:"statuses,omitempty"`
	At       time.Time          `json:"at,omitzero"`
	// TermEndsBefore keeps memberships whose term ends before it: the
	// renewals due.
	TermEndsBefore time.Time `json:"term_ends_before,omitzero"`
}

// Validate returns a *crm.ValidationError when q holds an unknown value, a
// status filter without At, or too many values.
func (q MembershipQuery) Validate() error {
	var v crm.Validator
	checkRelKey(&v, "programme", q.Programme, false)
	if v.Check(len(q.Tiers) <= MaxRelationQueryItems, "tiers", "too many") {
		for i, t := range q.Tiers {
			checkRelKey(&v, fmt.Sprintf("tiers[%d]", i), t, true)
		}
	}
	checkValues(&v, "statuses", q.Statuses)
	v.Check(len(q.Statuses) == 0 || !q.At.IsZero(), "at", "required with statuses")
	v.Check(crm.ValidTime(q.At), "at", "outside the supported time range")
	v.Check(crm.ValidTime(q.TermEndsBefore), "term_ends_before", "outside the supported time range")
	return v.Err("customer.MembershipQuery")
}

// Matches reports whether m passes every filter of q.
func (q MembershipQuery) Matches(m *Membership) bool {
	switch {
	case !q.Customer.IsZero() && m.customer != q.Customer,
		q.Programme != "" && m.programme != q.Programme,
		len(q.Tiers) > 0 && !slices.Contains(q.Tiers, m.tier),
		len(q.Statuses) > 0 && !slices.Contains(q.Statuses, m.Status(q.At)),
		!q.TermEndsBefore.IsZero() && !m.termEnd.Before(q.TermEndsBefore):
		return false
	}
	return true
}
