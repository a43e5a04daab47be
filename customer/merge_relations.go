package customer

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// MergeAction says what [Service.Merge] did with one record that named the
// loser.
type MergeAction uint8

// Merge actions.
const (
	// MergeMoved: the record now names the survivor, unchanged otherwise.
	MergeMoved MergeAction = iota + 1
	// MergeClosedMoved: an account plan was closed (it overlapped an active
	// plan of the survivor) and then moved to the survivor.
	MergeClosedMoved
	// MergeCancelled: a membership was cancelled, its history kept, and
	// stays with the tombstone (the survivor holds the programme's
	// membership; one per customer and programme).
	MergeCancelled
	// MergeLost: a pending referral was marked lost and stays with the
	// tombstone.
	MergeLost
	// MergeLeft: the record stays with the tombstone unchanged (already
	// decided, or already cancelled).
	MergeLeft
)

var mergeActions = []string{"moved", "closed_moved", "cancelled", "lost", "left"}

// String returns the action's name, e.g. "moved".
func (a MergeAction) String() string {
	if a == 0 || int(a) > len(mergeActions) {
		return fmt.Sprintf("MergeAction(%d)", uint8(a))
	}
	return mergeActions[a-1]
}

// Clashes [Service.Merge] resolves; see [MergedRecord.Clash].
const (
	ClashSameProgramme   = "same_programme"   // both customers are members of one programme
	ClashSameTarget      = "same_target"      // both referred the same target, or one referrer referred both
	ClashSelfReferral    = "self_referral"    // the referral's referrer and target become one customer
	ClashOverlappingPlan = "overlapping_plan" // active account plans of both overlap in time
)

// MergedRecord reports what a merge did with one referral, suggestion,
// membership or account plan that named the loser.
type MergedRecord struct {
	// Kind is "referral", "suggestion", "membership" or "account_plan".
	Kind string
	// ID is the record's ID (moving keeps it).
	ID crm.ID
	// Action says what happened to the record.
	Action MergeAction
	// Clash names the rule that applied ("" for a plain move): one of
	// ClashSameProgramme, ClashSameTarget, ClashSelfReferral,
	// ClashOverlappingPlan.
	Clash string
	// Kept is, on a clash, the record that stays in force for the survivor
	// (zero for a self-referral).
	Kept crm.ID
}

// mergeReason is the reason recorded on the records a merge cancels,
// loses or closes.
func mergeReason(ch Change, loser, survivor crm.ID, why string) Change {
	ch.Reason = fmt.Sprintf("merge of %s into %s: %s", loser, survivor, why)
	return ch
}

// mergeRel carries one merge's relation moves.
type mergeRel struct {
	s                *Service
	tenant           crm.TenantID
	survivor, loser  crm.ID
	ch               Change
	rules            Survivorship
	events           []crm.Event
	records          []MergedRecord
	referrals        ReferralStore
	suggestions      SuggestionStore
	memberships      MembershipStore
	plans            AccountPlanStore
	hasRel, hasPlans bool
}

// newMergeRel returns the relation mover of one merge; the stores a
// backend lacks are skipped.
func (s *Service) newMergeRel(tenant crm.TenantID, survivor, loser crm.ID, rules Survivorship, ch Change) *mergeRel {
	m := &mergeRel{s: s, tenant: tenant, survivor: survivor, loser: loser, rules: rules, ch: ch}
	if rb, err := s.relations("merge"); err == nil {
		m.referrals, m.suggestions, m.memberships = GuardReferrals(rb.Referrals()), GuardSuggestions(rb.Suggestions()), GuardMemberships(rb.Memberships())
		m.hasRel = true
	}
	if ps, err := s.plans("merge"); err == nil {
		m.plans, m.hasPlans = ps, true
	}
	return m
}

func (m *mergeRel) note(kind string, id crm.ID, a MergeAction, clash string, kept crm.ID) {
	m.records = append(m.records, MergedRecord{Kind: kind, ID: id, Action: a, Clash: clash, Kept: kept})
}

// run moves every record of the loser, in the transaction ctx carries.
func (m *mergeRel) run(ctx context.Context) error {
	if m.hasRel {
		if err := m.moveMemberships(ctx); err != nil {
			return fmt.Errorf("move memberships: %w", err)
		}
		if err := m.moveReferrals(ctx); err != nil {
			return fmt.Errorf("move referrals: %w", err)
		}
		if err := m.moveSuggestions(ctx); err != nil {
			return fmt.Errorf("move suggestions: %w", err)
		}
	}
	if m.hasPlans {
		if err := m.movePlans(ctx); err != nil {
			return fmt.Errorf("move account plans: %w", err)
		}
	}
	return nil
}

// better reports whether membership a is better placed than b at the
// merge's time: by status (active, lapsed, cancelled), then tier (in the
// order of the programme in rules.Programmes; equal when it is not listed
// or lacks a tier), then the later term end. A tie is not better.
func (m *mergeRel) better(a, b *Membership) bool {
	at := m.ch.At
	rank := func(x *Membership) int {
		switch x.Status(at) {
		case MembershipActive:
			return 2
		case MembershipLapsed:
			return 1
		}
		return 0
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra > rb
	}
	for _, p := range m.rules.Programmes {
		if p.Name != a.programme {
			continue
		}
		_, ia, oka := p.Tier(a.tier)
		_, ib, okb := p.Tier(b.tier)
		if oka && okb && ia != ib {
			return ia > ib
		}
		break
	}
	return a.termEnd.After(b.termEnd)
}

// tierUp reports whether moving from tier to tier of the programme is up
// (false when rules.Programmes does not list it).
func (m *mergeRel) tierUp(programme, from, to string) bool {
	for _, p := range m.rules.Programmes {
		if p.Name == programme {
			_, i, ok1 := p.Tier(from)
			_, j, ok2 := p.Tier(to)
			return ok1 && ok2 && j > i
		}
	}
	return false
}

func (m *mergeRel) moveMemberships(ctx context.Context) error {
	list := func(c crm.ID) ([]*Membership, error) {
		return collect(ctx, func(ctx context.Context, p crm.PageRequest) (crm.Page[*Membership], error) {
			return m.memberships.List(ctx, m.tenant, MembershipQuery{Customer: c}, p)
		})
	}
	theirs, err := list(m.loser)
	if err != nil {
		return err
	}
	ours, err := list(m.survivor)
	if err != nil {
		return err
	}
	byProg := make(map[string]*Membership, len(ours))
	for _, x := range ours {
		byProg[x.programme] = x
	}
	for _, x := range theirs {
		kept := byProg[x.programme]
		if kept == nil {
			if _, err := m.memberships.Update(withRekey(ctx, x.id), m.tenant, x.id, func(y *Membership) error {
				y.customer = m.survivor
				return nil
			}); err != nil {
				return err
			}
			m.note("membership", x.id, MergeMoved, "", crm.NilID)
			continue
		}
		// One membership per customer and programme: the survivor's record
		// stays the programme's record. When the loser's stands better, the
		// survivor's takes its tier and later term (unless cancelled, which
		// is final: then the loser's stays with the tombstone as it is).
		if m.better(x, kept) && kept.cancelledAt.IsZero() {
			ch := mergeReason(m.ch, m.loser, m.survivor, "standing of membership "+x.id.String()+" taken over")
			if err := m.updateMembership(ctx, kept.id, func(y *Membership) error {
				if y.tier != x.tier {
					from := y.tier
					y.tier = x.tier
					y.step(Step{Kind: StepTier, From: from, To: x.tier}, ch, EventMemberTier,
						MemberTierMoved{From: from, To: x.tier, Up: m.tierUp(y.programme, from, x.tier)})
				}
				if x.termEnd.After(y.termEnd) {
					old := y.termEnd
					y.termEnd = x.termEnd
					y.step(Step{Kind: StepRenewed, From: old.Format(time.RFC3339Nano), To: x.termEnd.Format(time.RFC3339Nano)}, ch,
						EventMemberRenewed, MemberRenewed{From: old, To: x.termEnd})
				}
				return nil
			}); err != nil {
				return err
			}
		} else if m.better(x, kept) {
			m.note("membership", x.id, MergeLeft, ClashSameProgramme, x.id)
			continue
		}
		if !x.cancelledAt.IsZero() {
			m.note("membership", x.id, MergeLeft, ClashSameProgramme, kept.id)
			continue
		}
		ch := mergeReason(m.ch, m.loser, m.survivor, "the survivor's membership "+kept.id.String()+" is kept")
		if err := m.updateMembership(ctx, x.id, func(y *Membership) error { return y.Cancel(ch) }); err != nil {
			return err
		}
		m.note("membership", x.id, MergeCancelled, ClashSameProgramme, kept.id)
	}
	return nil
}

// updateMembership runs fn through the port and keeps the events fn
// recorded.
func (m *mergeRel) updateMembership(ctx context.Context, id crm.ID, fn func(*Membership) error) error {
	var events []crm.Event
	y, err := m.memberships.Update(ctx, m.tenant, id, func(y *Membership) error {
		y.events = nil
		if err := fn(y); err != nil {
			return err
		}
		events = append([]crm.Event(nil), y.events...)
		return nil
	})
	if err != nil {
		return err
	}
	m.events = append(m.events, versioned(events, y.version)...)
	return nil
}

// loseReferral marks a pending referral lost with why; a decided one is
// left as it is. It reports the action taken.
func (m *mergeRel) loseReferral(ctx context.Context, r *Referral, why string) (MergeAction, error) {
	if r.outcome != ReferralPending {
		return MergeLeft, nil
	}
	ch := mergeReason(m.ch, m.loser, m.survivor, why)
	var events []crm.Event
	y, err := m.referrals.Update(ctx, m.tenant, r.id, func(y *Referral) error {
		y.events = nil
		if err := y.Lose(ch); err != nil {
			return err
		}
		events = append([]crm.Event(nil), y.events...)
		return nil
	})
	if err != nil {
		return 0, err
	}
	m.events = append(m.events, versioned(events, y.version)...)
	return MergeLost, nil
}

// existingReferral returns the referral of target by referrer, if any.
func (m *mergeRel) existingReferral(ctx context.Context, referrer crm.ID, kind TargetKind, target crm.ID) (*Referral, error) {
	p, err := m.referrals.List(ctx, m.tenant, ReferralQuery{Referrer: referrer, TargetKind: kind, Target: target}, crm.PageRequest{Limit: 1})
	if err != nil || len(p.Items) == 0 {
		return nil, err
	}
	return p.Items[0], nil
}

func (m *mergeRel) moveReferrals(ctx context.Context) error {
	list := func(q ReferralQuery) ([]*Referral, error) {
		return collect(ctx, func(ctx context.Context, p crm.PageRequest) (crm.Page[*Referral], error) {
			return m.referrals.List(ctx, m.tenant, q, p)
		})
	}
	given, err := list(ReferralQuery{Referrer: m.loser})
	if err != nil {
		return err
	}
	for _, r := range given {
		if err := m.moveReferral(ctx, r, m.survivor, r.target); err != nil {
			return err
		}
	}
	received, err := list(ReferralQuery{Target: m.loser, TargetKind: TargetCustomer})
	if err != nil {
		return err
	}
	for _, r := range received {
		if err := m.moveReferral(ctx, r, r.referrer, m.survivor); err != nil {
			return err
		}
	}
	return nil
}

// moveReferral moves r to referrer and target, or applies the clash rules.
func (m *mergeRel) moveReferral(ctx context.Context, r *Referral, referrer, target crm.ID) error {
	if r.targetKind == TargetCustomer && referrer == target {
		a, err := m.loseReferral(ctx, r, "referrer and target are now one customer")
		if err != nil {
			return err
		}
		m.note("referral", r.id, a, ClashSelfReferral, crm.NilID)
		return nil
	}
	other, err := m.existingReferral(ctx, referrer, r.targetKind, target)
	if err != nil {
		return err
	}
	if other != nil {
		a, err := m.loseReferral(ctx, r, "referral "+other.id.String()+" of the same target is kept")
		if err != nil {
			return err
		}
		m.note("referral", r.id, a, ClashSameTarget, other.id)
		return nil
	}
	if _, err := m.referrals.Update(withRekey(ctx, r.id), m.tenant, r.id, func(y *Referral) error {
		y.referrer, y.target = referrer, target
		return nil
	}); err != nil {
		return err
	}
	m.note("referral", r.id, MergeMoved, "", crm.NilID)
	return nil
}

func (m *mergeRel) moveSuggestions(ctx context.Context) error {
	sugs, err := collect(ctx, func(ctx context.Context, p crm.PageRequest) (crm.Page[*Suggestion], error) {
		return m.suggestions.List(ctx, m.tenant, SuggestionQuery{Author: m.loser}, p)
	})
	if err != nil {
		return err
	}
	for _, x := range sugs {
		if _, err := m.suggestions.Update(withRekey(ctx, x.id), m.tenant, x.id, func(y *Suggestion) error {
			y.author = m.survivor
			return nil
		}); err != nil {
			return err
		}
		m.note("suggestion", x.id, MergeMoved, "", crm.NilID)
	}
	return nil
}

func (m *mergeRel) movePlans(ctx context.Context) error {
	list := func(q AccountPlanQuery) ([]*AccountPlan, error) {
		return collect(ctx, func(ctx context.Context, p crm.PageRequest) (crm.Page[*AccountPlan], error) {
			return m.plans.List(ctx, m.tenant, q, p)
		})
	}
	theirs, err := list(AccountPlanQuery{Customer: m.loser})
	if err != nil {
		return err
	}
	active, err := list(AccountPlanQuery{Customer: m.survivor, Status: PlanActive})
	if err != nil {
		return err
	}
	for _, p := range theirs {
		var kept *AccountPlan
		if p.status == PlanActive {
			for _, o := range active {
				if o.Overlaps(p) {
					kept = o
					break
				}
			}
		}
		var events []crm.Event
		ch := m.ch
		if kept != nil {
			ch = mergeReason(m.ch, m.loser, m.survivor, "the survivor's active plan "+kept.id.String()+" overlaps")
		}
		y, err := m.plans.Update(withRekey(ctx, p.id), m.tenant, p.id, func(y *AccountPlan) error {
			y.events = nil
			if kept != nil {
				if err := y.SetStatus(PlanClosed, ch); err != nil {
					return err
				}
			}
			y.customer = m.survivor
			events = append([]crm.Event(nil), y.events...)
			return nil
		})
		if err != nil {
			return err
		}
		m.events = append(m.events, versioned(events, y.version)...)
		if kept != nil {
			m.note("account_plan", p.id, MergeClosedMoved, ClashOverlappingPlan, kept.id)
		} else {
			m.note("account_plan", p.id, MergeMoved, "", crm.NilID)
		}
	}
	return nil
}
