package memory

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
)

// Referrals, suggestions and memberships: three aggregates stored by one
// generic port (relPort) on the generic table of table.go, each described
// by its fixture below.

// Kinds of the cursors of the relation lists.
const (
	kindReferrals   byte = 'R'
	kindSuggestions byte = 'S'
	kindMemberships byte = 'M'
)

var (
	referralHooks   = hook.For[*customer.Referral, customer.ReferralRecord, hook.None]()
	suggestionHooks = hook.For[*customer.Suggestion, customer.SuggestionRecord, hook.None]()
	membershipHooks = hook.For[*customer.Membership, customer.MembershipRecord, hook.None]()
)

// referralKey is what makes a referral unique in a tenant.
type referralKey struct {
	referrer crm.ID
	kind     customer.TargetKind
	target   crm.ID
}

// membershipKey is what makes a membership unique in a tenant.
type membershipKey struct {
	customer  crm.ID
	programme string
}

// relationData is one tenant's referrals, suggestions and memberships and
// their indexes (ascending ID lists per key), kept in step by the
// fixtures' index functions.
type relationData struct {
	referrals table[*customer.Referral]
	refBy     map[crm.ID][]crm.ID // referrer -> referrals
	refTo     map[crm.ID][]crm.ID // target -> referrals
	refKeys   map[referralKey]crm.ID
	refIn     map[customer.ReferralOutcome][]crm.ID // outcome -> referrals
	sugs      table[*customer.Suggestion]
	sugBy     map[crm.ID][]crm.ID // author -> suggestions
	sugIn     map[customer.SuggestionStatus][]crm.ID
	members   table[*customer.Membership]
	memBy     map[crm.ID][]crm.ID // customer -> memberships
	memIn     map[string][]crm.ID // programme -> memberships
	memKeys   map[membershipKey]crm.ID
}

func newRelationData() relationData {
	return relationData{
		referrals: newTable[*customer.Referral](),
		refBy:     make(map[crm.ID][]crm.ID),
		refTo:     make(map[crm.ID][]crm.ID),
		refKeys:   make(map[referralKey]crm.ID),
		refIn:     make(map[customer.ReferralOutcome][]crm.ID),
		sugs:      newTable[*customer.Suggestion](),
		sugBy:     make(map[crm.ID][]crm.ID),
		sugIn:     make(map[customer.SuggestionStatus][]crm.ID),
		members:   newTable[*customer.Membership](),
		memBy:     make(map[crm.ID][]crm.ID),
		memIn:     make(map[string][]crm.ID),
		memKeys:   make(map[membershipKey]crm.ID),
	}
}

// reindex keeps the index m in step when the record id moves from key old
// (absent when hadOld is false) to key new (absent when hasNew is false).
func reindex[K comparable](m map[K][]crm.ID, id crm.ID, old K, hadOld bool, new K, hasNew bool) {
	if hadOld && (!hasNew || old != new) {
		if ids := removeID(m[old], id); len(ids) == 0 {
			delete(m, old)
		} else {
			m[old] = ids
		}
	}
	if hasNew && (!hadOld || old != new) {
		m[new] = insertID(m[new], id)
	}
}

// rekeyUnique keeps a unique-key map in step.
func rekeyUnique[K comparable](m map[K]crm.ID, id crm.ID, old K, hadOld bool, new K, hasNew bool) {
	if hadOld && m[old] == id {
		delete(m, old)
	}
	if hasNew {
		m[new] = id
	}
}

func refKeyOf(r *customer.Referral) referralKey {
	kind, target := r.Target()
	return referralKey{referrer: r.Referrer(), kind: kind, target: target}
}

func memKeyOf(m *customer.Membership) membershipKey {
	return membershipKey{customer: m.Customer(), programme: m.Programme()}
}

// relFixture builds the table fixture of a relation aggregate whose
// snapshots are immutable values of T.
func relFixture[T interface {
	comparable
	ID() crm.ID
	Version() int64
}](what string, tb func(*tenantData) *table[T], clone func(T) T, h hook.Entity[T, any, hook.None]) *aggregate[T, T, struct{}] {
	return &aggregate[T, T, struct{}]{
		what:  what,
		table: tb,
		id:    T.ID,
		edit:  clone,
		next: func(_ string, cur, work T) (T, struct{}, error) {
			next := clone(work)
			h.Saved(next, cur.Version()+1)
			return next, struct{}{}, nil
		},
		saved: func(work, next T) { h.Saved(work, next.Version()) },
	}
}

// savedOnly adapts a typed hook to the fixture, which needs only Saved.
func savedOnly[T, R any](h hook.Entity[T, R, hook.None]) hook.Entity[T, any, hook.None] {
	return hook.Entity[T, any, hook.None]{Saved: h.Saved}
}

var referralTable = func() *aggregate[*customer.Referral, *customer.Referral, struct{}] {
	a := relFixture("referral", func(td *tenantData) *table[*customer.Referral] { return &td.rel.referrals },
		(*customer.Referral).Clone, savedOnly(referralHooks))
	a.index = func(td *tenantData, old, new *customer.Referral) {
		var ok, nk referralKey
		var oo, no customer.ReferralOutcome
		if old != nil {
			ok, oo = refKeyOf(old), old.Outcome()
		}
		if new != nil {
			nk, no = refKeyOf(new), new.Outcome()
		}
		id := pick(old, new).ID()
		reindex(td.rel.refIn, id, oo, old != nil, no, new != nil)
		reindex(td.rel.refBy, id, ok.referrer, old != nil, nk.referrer, new != nil)
		reindex(td.rel.refTo, id, ok.target, old != nil, nk.target, new != nil)
		rekeyUnique(td.rel.refKeys, id, ok, old != nil, nk, new != nil)
	}
	a.admit = func(td *tenantData, old, new *customer.Referral) error {
		if other, dup := td.rel.refKeys[refKeyOf(new)]; dup && other != new.ID() {
			return fmt.Errorf("the referrer already referred this target (referral %s): %w", other, crm.ErrDuplicate)
		}
		return nil
	}
	return a
}()

var suggestionTable = func() *aggregate[*customer.Suggestion, *customer.Suggestion, struct{}] {
	a := relFixture("suggestion", func(td *tenantData) *table[*customer.Suggestion] { return &td.rel.sugs },
		(*customer.Suggestion).Clone, savedOnly(suggestionHooks))
	a.index = func(td *tenantData, old, new *customer.Suggestion) {
		var oa, na crm.ID
		var os, ns customer.SuggestionStatus
		if old != nil {
			oa, os = old.Author(), old.Status()
		}
		if new != nil {
			na, ns = new.Author(), new.Status()
		}
		id := pick(old, new).ID()
		reindex(td.rel.sugBy, id, oa, old != nil, na, new != nil)
		reindex(td.rel.sugIn, id, os, old != nil, ns, new != nil)
	}
	return a
}()

var membershipTable = func() *aggregate[*customer.Membership, *customer.Membership, struct{}] {
	a := relFixture("membership", func(td *tenantData) *table[*customer.Membership] { return &td.rel.members },
		(*customer.Membership).Clone, savedOnly(membershipHooks))
	a.index = func(td *tenantData, old, new *customer.Membership) {
		var ok, nk membershipKey
		if old != nil {
			ok = memKeyOf(old)
		}
		if new != nil {
			nk = memKeyOf(new)
		}
		id := pick(old, new).ID()
		reindex(td.rel.memBy, id, ok.customer, old != nil, nk.customer, new != nil)
		reindex(td.rel.memIn, id, ok.programme, old != nil, nk.programme, new != nil)
		rekeyUnique(td.rel.memKeys, id, ok, old != nil, nk, new != nil)
	}
	a.admit = func(td *tenantData, old, new *customer.Membership) error {
		if other, dup := td.rel.memKeys[memKeyOf(new)]; dup && other != new.ID() {
			return fmt.Errorf("the customer is already a member of the programme (membership %s): %w", other, crm.ErrDuplicate)
		}
		return nil
	}
	return a
}()

// pick returns new, or old when new is nil.
func pick[T comparable](old, new T) T {
	var zero T
	if new != zero {
		return new
	}
	return old
}

// relPort is the one implementation of the three relation ports on a
// Store's tenants; each port is a relPort with its fixture.
type relPort[T interface {
	comparable
	ID() crm.ID
	Tenant() crm.TenantID
	Version() int64
}, Q any] struct {
	s     *Store
	a     *aggregate[T, T, struct{}]
	name  string // "Referrals", for ops
	kind  byte
	clone func(T) T
	saved func(T, int64)
	check func(Q) error
	match func(Q, T) bool
	index func(td *tenantData, q Q) []crm.ID
}

// Create stores a new record at version 1.
func (p *relPort[T, Q]) Create(ctx context.Context, x T) error {
	op := "memory." + p.name + ".Create"
	if err := checkCtx(ctx, "create "+p.a.what); err != nil {
		return err
	}
	var zero T
	if x == zero {
		return fmt.Errorf("memory: create %s: %w", p.a.what, crm.Invalid(op, p.a.what, "must not be nil"))
	}
	if x.Version() != 0 {
		return fmt.Errorf("memory: create %s %s: %w", p.a.what, x.ID(), crm.Invalid(op, "version", "must be 0 for a new "+p.a.what))
	}
	snap := p.clone(x)
	p.saved(snap, 1)
	if err := p.a.create(p.s, ctx, x.Tenant(), snap, true, nil, struct{}{}); err != nil {
		return err
	}
	p.saved(x, 1)
	return nil
}

// Get returns a copy of the record.
func (p *relPort[T, Q]) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (T, error) {
	x, err := p.a.get(p.s, ctx, "memory."+p.name+".Get", tenant, id)
	if err != nil {
		var zero T
		return zero, err
	}
	return p.clone(x), nil
}

// Update runs fn on a copy of the latest record and stores the result.
func (p *relPort[T, Q]) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(T) error) (T, error) {
	return p.a.update(p.s, ctx, "memory."+p.name+".Update", tenant, id, fn)
}

// List returns a page of the records matching q, ascending by ID: it walks
// the smallest index q selects and keeps what q matches.
func (p *relPort[T, Q]) List(ctx context.Context, tenant crm.TenantID, q Q, page crm.PageRequest) (crm.Page[T], error) {
	return list(p.a, p.s, ctx, "memory."+p.name+".List", tenant, p.check(q), page, p.kind,
		func(td *tenantData) []crm.ID { return p.index(td, q) },
		func(x T) (T, bool) { return x, p.match(q, x) }, p.clone)
}

// smallest returns the shortest of idx and the lists of the selected keys.
func smallest(idx []crm.ID, lists ...[]crm.ID) []crm.ID {
	for _, l := range lists {
		if len(l) < len(idx) {
			idx = l
		}
	}
	return idx
}

// The three ports: named types so that the Store's methods return them.
type (
	referralStore struct {
		relPort[*customer.Referral, customer.ReferralQuery]
	}
	suggestionStore struct {
		relPort[*customer.Suggestion, customer.SuggestionQuery]
	}
	membershipStore struct {
		relPort[*customer.Membership, customer.MembershipQuery]
	}
)

var (
	_ customer.ReferralStore   = (*referralStore)(nil)
	_ customer.SuggestionStore = (*suggestionStore)(nil)
	_ customer.MembershipStore = (*membershipStore)(nil)
)

// relationStores are a Store's relation ports, raw and guarded.
type relationStores struct {
	refs  referralStore
	sugs  suggestionStore
	mems  membershipStore
	gRefs customer.ReferralStore
	gSugs customer.SuggestionStore
	gMems customer.MembershipStore
}

// init wires the ports of s.
func (r *relationStores) init(s *Store) {
	r.refs = referralStore{relPort[*customer.Referral, customer.ReferralQuery]{
		s: s, a: referralTable, name: "Referrals", kind: kindReferrals,
		clone: (*customer.Referral).Clone, saved: referralHooks.Saved,
		check: customer.ReferralQuery.Validate, match: customer.ReferralQuery.Matches,
		index: func(td *tenantData, q customer.ReferralQuery) []crm.ID {
			var lists [][]crm.ID
			if !q.Referrer.IsZero() {
				lists = append(lists, td.rel.refBy[q.Referrer])
			}
			if !q.Target.IsZero() {
				lists = append(lists, td.rel.refTo[q.Target])
			}
			if len(q.Outcomes) == 1 {
				lists = append(lists, td.rel.refIn[q.Outcomes[0]])
			}
			return smallest(td.rel.referrals.ids, lists...)
		},
	}}
	r.sugs = suggestionStore{relPort[*customer.Suggestion, customer.SuggestionQuery]{
		s: s, a: suggestionTable, name: "Suggestions", kind: kindSuggestions,
		clone: (*customer.Suggestion).Clone, saved: suggestionHooks.Saved,
		check: customer.SuggestionQuery.Validate, match: customer.SuggestionQuery.Matches,
		index: func(td *tenantData, q customer.SuggestionQuery) []crm.ID {
			var lists [][]crm.ID
			if !q.Author.IsZero() {
				lists = append(lists, td.rel.sugBy[q.Author])
			}
			if len(q.Statuses) == 1 {
				lists = append(lists, td.rel.sugIn[q.Statuses[0]])
			}
			return smallest(td.rel.sugs.ids, lists...)
		},
	}}
	r.mems = membershipStore{relPort[*customer.Membership, customer.MembershipQuery]{
		s: s, a: membershipTable, name: "Memberships", kind: kindMemberships,
		clone: (*customer.Membership).Clone, saved: membershipHooks.Saved,
		check: customer.MembershipQuery.Validate, match: customer.MembershipQuery.Matches,
		index: func(td *tenantData, q customer.MembershipQuery) []crm.ID {
			var lists [][]crm.ID
			if !q.Customer.IsZero() {
				lists = append(lists, td.rel.memBy[q.Customer])
			}
			if q.Programme != "" {
				lists = append(lists, td.rel.memIn[q.Programme])
			}
			return smallest(td.rel.members.ids, lists...)
		},
	}}
	r.gRefs = customer.GuardReferrals(&r.refs)
	r.gSugs = customer.GuardSuggestions(&r.sugs)
	r.gMems = customer.GuardMemberships(&r.mems)
}

// Referrals returns the store's referral store, behind
// customer.GuardReferrals.
func (s *Store) Referrals() customer.ReferralStore { return s.rel.gRefs }

// Suggestions returns the store's suggestion store, behind
// customer.GuardSuggestions.
func (s *Store) Suggestions() customer.SuggestionStore { return s.rel.gSugs }

// Memberships returns the store's membership store, behind
// customer.GuardMemberships.
func (s *Store) Memberships() customer.MembershipStore { return s.rel.gMems }
