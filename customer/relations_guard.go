package customer

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/guard"
)

// rel returns the shared part of a referral, suggestion or membership.
func (b *base) rel() *base { return b }

// relEntity is a stored relation record: *Referral, *Suggestion or
// *Membership.
type relEntity interface {
	comparable
	rel() *base
}

// relStore is the shape every relation port has.
type relStore[T relEntity, Q any] interface {
	Create(ctx context.Context, x T) error
	Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (T, error)
	Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(T) error) (T, error)
	List(ctx context.Context, tenant crm.TenantID, q Q, page crm.PageRequest) (crm.Page[T], error)
}

// relKind describes one relation record to the one guard they share.
type relKind[T relEntity, Q any] struct {
	port  string // "customer.ReferralStore"
	what  string // "referral"
	check func(op string, x T) error
	key   func(x T) [2]string // what fn may not change besides identity
	query func(q Q) error
	// keep readies the restore of x should the transaction of its Create
	// roll back (guard.Keep with the kind's Clone).
	keep func(ctx context.Context, x T) guard.Undo
}

// guardedRel is a relation port behind the checks of GuardReferrals,
// GuardSuggestions or GuardMemberships.
type guardedRel[T relEntity, Q any] struct {
	s relStore[T, Q]
	k *relKind[T, Q]
}

func (g *guardedRel[T, Q]) same(op string, x T, tenant crm.TenantID, id crm.ID) error {
	var zero T
	if x == zero || x.rel().tenant != tenant || (!id.IsZero() && x.rel().id != id) {
		return guard.Corrupt(op, tenant, id)
	}
	return nil
}

func (g *guardedRel[T, Q]) stored(op string, x T) error {
	var zero T
	if x == zero {
		return crm.Invalid(op, g.k.what, "must not be nil")
	}
	return g.k.check(op, x)
}

// Create checks x and stores it; see ReferralStore.Create.
func (g *guardedRel[T, Q]) Create(ctx context.Context, x T) error {
	op := g.k.port + ".Create"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := g.stored(op, x); err != nil {
		return err
	}
	if x.rel().version != 0 {
		return crm.Invalid(op, "version", "must be 0 for a new "+g.k.what)
	}
	undo := g.k.keep(ctx, x)
	if err := g.s.Create(ctx, x); err != nil {
		return err
	}
	x.rel().saved(1)
	undo.AfterRollback(ctx)
	return nil
}

// Get checks the call and the result; see ReferralStore.Get.
func (g *guardedRel[T, Q]) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (T, error) {
	op := g.k.port + ".Get"
	var zero T
	if err := ref(ctx, op, tenant, id, "id"); err != nil {
		return zero, err
	}
	x, err := g.s.Get(ctx, tenant, id)
	if err != nil {
		return zero, err
	}
	if err := g.same(op, x, tenant, id); err != nil {
		return zero, err
	}
	return x, nil
}

// rekeyKey is the context key of a permission to change what identifies
// one record (see withRekey).
type rekeyKey struct{}

// withRekey returns ctx carrying the permission for an Update of the
// record id to change the customers that identify it (referrer, target,
// author, member, plan customer), which no caller of a port may do
// otherwise: Service.Merge uses it to move a loser's records to the
// survivor. The key is unexported, so only this package grants it, and it
// reaches every guard between the service and the store, however the
// ports are wrapped. Stores keep their indexes and uniqueness rules on the
// new key.
func withRekey(ctx context.Context, id crm.ID) context.Context {
	return context.WithValue(ctx, rekeyKey{}, id)
}

// rekeyAllowed reports whether ctx grants the change of the key of id.
func rekeyAllowed(ctx context.Context, id crm.ID) bool {
	v, ok := ctx.Value(rekeyKey{}).(crm.ID)
	return ok && !id.IsZero() && v == id
}

// Update checks the call and what fn leaves; see ReferralStore.Update.
func (g *guardedRel[T, Q]) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(T) error) (T, error) {
	op := g.k.port + ".Update"
	var zero T
	if err := ref(ctx, op, tenant, id, "id"); err != nil {
		return zero, err
	}
	if fn == nil {
		return zero, crm.Invalid(op, "fn", "must not be nil")
	}
	x, err := g.s.Update(ctx, tenant, id, func(x T) error {
		if err := g.same(op, x, tenant, id); err != nil {
			return err
		}
		b := x.rel()
		version, created, key := b.version, b.createdAt, g.k.key(x)
		rekey := rekeyAllowed(ctx, id)
		if err := fn(x); err != nil {
			return err
		}
		var v crm.Validator
		v.Check(b.id == id && b.tenant == tenant, "id", "fn must not change the "+g.k.what+"'s ID or tenant")
		v.Check(b.version == version, "version", "fn must not change the "+g.k.what+"'s version")
		v.Check(b.createdAt.Equal(created), "created_at", "fn must not change the creation time")
		v.Check(rekey || g.k.key(x) == key, g.k.what, "fn must not change what identifies the "+g.k.what)
		if err := v.Err(op); err != nil {
			return err
		}
		return g.stored(op, x)
	})
	if err != nil {
		return zero, err
	}
	if err := g.same(op, x, tenant, id); err != nil {
		return zero, err
	}
	return x, nil
}

// List checks the call and every result; see ReferralStore.List.
func (g *guardedRel[T, Q]) List(ctx context.Context, tenant crm.TenantID, q Q, page crm.PageRequest) (crm.Page[T], error) {
	op := g.k.port + ".List"
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[T]{}, err
	}
	if err := g.k.query(q); err != nil {
		return crm.Page[T]{}, fmt.Errorf("%s: %w", op, err)
	}
	out, err := g.s.List(ctx, tenant, q, p)
	if err != nil {
		return out, err
	}
	for _, x := range out.Items {
		if err := g.same(op, x, tenant, crm.NilID); err != nil {
			return crm.Page[T]{}, err
		}
	}
	return out, nil
}

var referralKind = &relKind[*Referral, ReferralQuery]{
	port: "customer.ReferralStore", what: "referral",
	check: func(op string, r *Referral) error { return checkReferralRecord(op, r.view()) },
	key: func(r *Referral) [2]string {
		return [2]string{r.referrer.String(), r.targetKind.String() + "/" + r.target.String()}
	},
	query: ReferralQuery.Validate,
	keep:  func(ctx context.Context, r *Referral) guard.Undo { return guard.Keep(ctx, r, (*Referral).Clone) },
}

var suggestionKind = &relKind[*Suggestion, SuggestionQuery]{
	port: "customer.SuggestionStore", what: "suggestion",
	check: func(op string, s *Suggestion) error { return checkSuggestionRecord(op, s.view()) },
	key:   func(s *Suggestion) [2]string { return [2]string{s.author.String()} },
	query: SuggestionQuery.Validate,
	keep:  func(ctx context.Context, s *Suggestion) guard.Undo { return guard.Keep(ctx, s, (*Suggestion).Clone) },
}

var membershipKind = &relKind[*Membership, MembershipQuery]{
	port: "customer.MembershipStore", what: "membership",
	check: func(op string, m *Membership) error { return checkMembershipRecord(op, m.view()) },
	key:   func(m *Membership) [2]string { return [2]string{m.customer.String(), m.programme} },
	query: MembershipQuery.Validate,
	keep:  func(ctx context.Context, m *Membership) guard.Undo { return guard.Keep(ctx, m, (*Membership).Clone) },
}

// guardedReferrals, guardedSuggestions and guardedMemberships are the
// guarded ports; named types so that guarding twice is a no-op.
type (
	guardedReferrals struct {
		guardedRel[*Referral, ReferralQuery]
	}
	guardedSuggestions struct {
		guardedRel[*Suggestion, SuggestionQuery]
	}
	guardedMemberships struct {
		guardedRel[*Membership, MembershipQuery]
	}
)

// GuardReferrals returns s behind the layer that checks every argument of
// every call and every referral on its way into s (the one stored-record
// check, that of [ReferralFromRecord]), so that the same rules and limits
// hold on every path into every store; results of another tenant or ID are
// errors wrapping crm.ErrCorrupt. After a successful Create the guard marks
// the referral saved at version 1; when the Create ran in a transaction
// that then rolls back, the guard puts the referral back as it was before
// (see crm.AfterRollback), so that the caller can create it again.
// Guarding a guarded store returns it unchanged; GuardReferrals(nil)
// returns nil.
func GuardReferrals(s ReferralStore) ReferralStore {
	switch g := s.(type) {
	case nil:
		return nil
	case *guardedReferrals:
		return g
	}
	return &guardedReferrals{guardedRel[*Referral, ReferralQuery]{s: s, k: referralKind}}
}

// GuardSuggestions is [GuardReferrals] for suggestions.
func GuardSuggestions(s SuggestionStore) SuggestionStore {
	switch g := s.(type) {
	case nil:
		return nil
	case *guardedSuggestions:
		return g
	}
	return &guardedSuggestions{guardedRel[*Suggestion, SuggestionQuery]{s: s, k: suggestionKind}}
}

// GuardMemberships is [GuardReferrals] for memberships.
func GuardMemberships(s MembershipStore) MembershipStore {
	switch g := s.(type) {
	case nil:
		return nil
	case *guardedMemberships:
		return g
	}
	return &guardedMemberships{guardedRel[*Membership, MembershipQuery]{s: s, k: membershipKind}}
}
