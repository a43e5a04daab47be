package customer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// MembershipStatus is where a membership stands at a given time.
//
//	active ──(term passes)──► lapsed ──(renew)──► active
//	   │                        │
//	   └────────(cancel)────────┴──► cancelled (final)
//
// Lapsed is computed, never stored: a membership whose term has ended
// without renewal is lapsed from that instant ([Membership.Status]).
type MembershipStatus uint8

// Membership statuses. The stored form is the name.
const (
	MembershipActive    MembershipStatus = iota + 1 // within its term
	MembershipLapsed                                // its term passed without renewal
	MembershipCancelled                             // cancelled; final
)

var membershipStatuses = enum.New[MembershipStatus]("membership status", "active", "lapsed", "cancelled")

// ParseMembershipStatus parses "active", "lapsed" or "cancelled".
func ParseMembershipStatus(s string) (MembershipStatus, error) { return membershipStatuses.Parse(s) }

// MembershipStatuses returns every status in order.
func MembershipStatuses() []MembershipStatus { return membershipStatuses.Values() }

// String returns the status's name.
func (s MembershipStatus) String() string { return membershipStatuses.String(s) }

// Valid reports whether s is a known status.
func (s MembershipStatus) Valid() bool { return membershipStatuses.Valid(s) }

// MarshalText implements encoding.TextMarshaler.
func (s MembershipStatus) MarshalText() ([]byte, error) { return membershipStatuses.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *MembershipStatus) UnmarshalText(b []byte) (err error) {
	*s, err = membershipStatuses.Parse(string(b))
	return err
}

// membershipMoves is the membership machine: renewal moves an active or
// lapsed membership to active, cancellation either to cancelled.
var membershipMoves = map[MembershipStatus][]MembershipStatus{
	MembershipActive: {MembershipActive, MembershipCancelled},
	MembershipLapsed: {MembershipActive, MembershipCancelled},
}

// MembershipMoveAllowed reports whether a membership may move from one
// status to another (active to active is a renewal within the term).
func MembershipMoveAllowed(from, to MembershipStatus) bool {
	return slices.Contains(membershipMoves[from], to)
}

// MembershipInput holds what is needed to enrol a customer in a programme.
type MembershipInput struct {
	ID     crm.ID
	Tenant crm.TenantID
	// Customer is the member. Required.
	Customer crm.ID
	// Programme is the programme joined; it must be valid.
	Programme Programme
	// Tier is the tier joined; "" means the programme's entry tier.
	Tier string
}

// Membership is a customer's membership of one programme: when it was
// joined, its current tier and term, renewals and tier moves (up or down,
// with a reason) kept in its history, and cancellation. A customer holds
// at most one membership per programme: every store refuses a second with
// crm.ErrDuplicate. Methods validate, leave the membership unchanged when
// they refuse, and record domain events. Not safe for concurrent use;
// build one with [NewMembership] or [MembershipFromRecord].
type Membership struct {
	base
	customer    crm.ID
	programme   string
	tier        string
	termEnd     time.Time
	cancelledAt time.Time
}

// NewMembership validates in and returns a membership joined at ch.At,
// whose term runs in.Programme.TermMonths from then.
func NewMembership(in MembershipInput, ch Change) (*Membership, error) {
	var v crm.Validator
	v.Check(!in.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", in.Tenant.Validate())
	v.Check(!in.Customer.IsZero(), "customer", "required")
	tier := in.Tier
	if perr := in.Programme.Validate(); perr != nil {
		v.Merge("programme", perr)
	} else {
		if tier == "" {
			tier = in.Programme.Tiers[0].Name
		}
		_, _, ok := in.Programme.Tier(tier)
		v.Check(ok, "tier", "not a tier of the programme")
	}
	validateChange(&v, ch)
	if err := v.Err("customer.NewMembership"); err == nil {
		v.Check(crm.ValidTime(termEnd(ch.At, in.Programme.TermMonths)), "change.at", "the term would end outside the supported time range")
	}
	if err := v.Err("customer.NewMembership"); err != nil {
		return nil, err
	}
	m := &Membership{customer: in.Customer, programme: in.Programme.Name, tier: tier,
		termEnd: termEnd(ch.At, in.Programme.TermMonths)}
	m.start(in.ID, in.Tenant, tier, crm.Money{}, ch, EventMemberJoined,
		MemberJoined{Customer: m.customer, Programme: m.programme, Tier: tier, TermEnd: m.termEnd})
	return m, nil
}

// Customer returns the member's customer ID.
func (m *Membership) Customer() crm.ID { return m.customer }

// Programme returns the name of the programme.
func (m *Membership) Programme() string { return m.programme }

// Tier returns the current tier's name.
func (m *Membership) Tier() string { return m.tier }

// JoinedAt returns when the customer joined.
func (m *Membership) JoinedAt() time.Time { return m.createdAt }

// TermEnd returns when the current term ends (exclusive): from then on the
// membership is lapsed unless renewed.
func (m *Membership) TermEnd() time.Time { return m.termEnd }

// CancelledAt returns when the membership was cancelled (zero if not).
func (m *Membership) CancelledAt() time.Time { return m.cancelledAt }

// Status returns where the membership stands at at: cancelled once
// cancelled, otherwise lapsed from the end of its term, active before.
func (m *Membership) Status(at time.Time) MembershipStatus {
	switch {
	case !m.cancelledAt.IsZero():
		return MembershipCancelled
	case !at.Before(m.termEnd):
		return MembershipLapsed
	}
	return MembershipActive
}

// Benefits returns the benefits of the current tier in p, the membership's
// programme (none when p is another programme or no longer has the tier).
func (m *Membership) Benefits(p Programme) []string {
	if p.Name != m.programme {
		return nil
	}
	t, _, _ := p.Tier(m.tier)
	return t.Benefits
}

// sameProgramme checks that p is valid and is the membership's programme.
func (m *Membership) sameProgramme(v *crm.Validator, p Programme) bool {
	if err := p.Validate(); err != nil {
		v.Merge("programme", err)
		return false
	}
	return v.Check(p.Name == m.programme, "programme.name", "not the membership's programme")
}

// Renew extends the term by p.TermMonths: from the current end while the
// membership is active (renewing early loses nothing), from ch.At once it
// has lapsed. A cancelled membership is refused with a *crm.TransitionError;
// p must be the membership's programme.
func (m *Membership) Renew(p Programme, ch Change) error {
	if err := transition("membership status", membershipMoves, m.Status(ch.At), MembershipActive); err != nil {
		return err
	}
	v := m.guard(ch)
	m.sameProgramme(v, p)
	if err := v.Err("customer.Membership.Renew"); err != nil {
		return err
	}
	from := m.termEnd
	if !ch.At.Before(from) {
		from = ch.At
	}
	end := termEnd(from, p.TermMonths)
	if !crm.ValidTime(end) {
		return crm.Invalid("customer.Membership.Renew", "change.at", "the term would end outside the supported time range")
	}
	old := m.termEnd
	m.termEnd = end
	m.step(Step{Kind: StepRenewed, From: old.Format(time.RFC3339Nano), To: end.Format(time.RFC3339Nano)}, ch,
		EventMemberRenewed, MemberRenewed{From: old, To: end})
	return nil
}

// MoveTier moves the member to tier of p, up or down; ch.Reason says why
// and is required. Only an active membership moves (a lapsed one is
// renewed first, a cancelled one never moves: *crm.TransitionError); an
// unknown tier or the current one is refused with a *crm.ValidationError.
func (m *Membership) MoveTier(p Programme, tier string, ch Change) error {
	if st := m.Status(ch.At); st != MembershipActive {
		return &crm.TransitionError{Machine: "membership tier", From: m.tier, To: tier, Reason: "the membership is " + st.String()}
	}
	v := m.guard(ch)
	v.Check(strings.TrimSpace(ch.Reason) != "", "change.reason", "required")
	up := false
	if m.sameProgramme(v, p) {
		_, to, ok := p.Tier(tier)
		if v.Check(ok, "tier", "not a tier of the programme") {
			v.Check(tier != m.tier, "tier", "already the member's tier")
			_, from, _ := p.Tier(m.tier)
			up = to > from
		}
	}
	if err := v.Err("customer.Membership.MoveTier"); err != nil {
		return err
	}
	from := m.tier
	m.tier = tier
	m.step(Step{Kind: StepTier, From: from, To: tier}, ch, EventMemberTier, MemberTierMoved{From: from, To: tier, Up: up})
	return nil
}

// Cancel cancels the membership, active or lapsed; a cancelled one is
// refused with a *crm.TransitionError.
func (m *Membership) Cancel(ch Change) error {
	if err := transition("membership status", membershipMoves, m.Status(ch.At), MembershipCancelled); err != nil {
		return err
	}
	v := m.guard(ch)
	if err := v.Err("customer.Membership.Cancel"); err != nil {
		return err
	}
	from := m.Status(ch.At)
	m.cancelledAt = ch.At.UTC()
	m.step(Step{Kind: StepStatus, From: from.String(), To: MembershipCancelled.String()}, ch,
		EventMemberCancelled, MemberCancelled{From: from})
	return nil
}

// Clone returns a deep copy of m.
func (m *Membership) Clone() *Membership {
	d := *m
	d.base = m.base.clone()
	return &d
}

// MembershipRecord is the persisted form of a [Membership].
type MembershipRecord struct {
	ID          crm.ID       `json:"id"`
	Tenant      crm.TenantID `json:"tenant"`
	Version     int64        `json:"version"`
	Customer    crm.ID       `json:"customer"`
	Programme   string       `json:"programme"`
	Tier        string       `json:"tier"`
	TermEnd     time.Time    `json:"term_end"`
	CancelledAt time.Time    `json:"cancelled_at,omitzero"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	History     []Step       `json:"history"`
}

// Record returns the membership's persisted form, sharing nothing with m.
func (m *Membership) Record() MembershipRecord {
	rec := m.view()
	rec.History = slices.Clone(rec.History)
	return rec
}

func (m *Membership) view() MembershipRecord {
	return MembershipRecord{ID: m.id, Tenant: m.tenant, Version: m.version, Customer: m.customer,
		Programme: m.programme, Tier: m.tier, TermEnd: m.termEnd, CancelledAt: m.cancelledAt,
		CreatedAt: m.createdAt, UpdatedAt: m.updatedAt, History: m.history}
}

// MembershipFromRecord rebuilds a membership from its persisted form,
// checking the invariants every stored membership keeps.
func MembershipFromRecord(rec MembershipRecord) (*Membership, error) {
	rec.History = slices.Clone(rec.History)
	return adoptMembership(rec)
}

func adoptMembership(rec MembershipRecord) (*Membership, error) {
	if err := checkMembershipRecord("customer.MembershipFromRecord", rec); err != nil {
		return nil, err
	}
	return &Membership{base: base{id: rec.ID, tenant: rec.Tenant, version: rec.Version, createdAt: rec.CreatedAt,
		updatedAt: rec.UpdatedAt, history: rec.History}, customer: rec.Customer, programme: rec.Programme,
		tier: rec.Tier, termEnd: rec.TermEnd, cancelledAt: rec.CancelledAt}, nil
}

// checkMembershipRecord is the one check of a stored membership.
func checkMembershipRecord(op string, r MembershipRecord) error {
	var v crm.Validator
	checkBase(&v, r.ID, r.Tenant, r.Version, r.CreatedAt, r.UpdatedAt, r.History)
	v.Check(!r.Customer.IsZero(), "customer", "required")
	checkRelKey(&v, "programme", r.Programme, true)
	checkRelKey(&v, "tier", r.Tier, true)
	checkRelTime(&v, "term_end", r.TermEnd, true)
	v.Check(r.TermEnd.After(r.CreatedAt), "term_end", "must be after created_at")
	checkRelTime(&v, "cancelled_at", r.CancelledAt, false)
	v.Check(r.CancelledAt.IsZero() || !r.CancelledAt.Before(r.CreatedAt), "cancelled_at", "before created_at")
	if n := len(r.History); n > 0 && n <= MaxRelationHistory {
		v.Check(r.CancelledAt.IsZero() || r.CancelledAt.Equal(r.History[n-1].At), "cancelled_at", "must be the last step")
		v.Check((r.History[n-1].Kind == StepStatus) == !r.CancelledAt.IsZero(), "cancelled_at", "set exactly when the history ends in a cancellation")
		last := ""
		for i, s := range r.History {
			switch s.Kind {
			case StepCreated, StepTier:
				last = s.To
			case StepStatus:
				v.Check(s.To == MembershipCancelled.String() && i == n-1, fmt.Sprintf("history[%d]", i), "only a cancellation, last")
			case StepRenewed:
			default:
				v.Addf(fmt.Sprintf("history[%d].kind", i), "not a step of a membership")
			}
		}
		v.Check(last == r.Tier, "tier", "must be the tier the history ends on")
	}
	return v.Err(op)
}
