package customer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// TargetKind says what a referral's target is: a lead (a prospect not yet
// a customer) or a customer.
type TargetKind uint8

// Target kinds. The stored form is the name.
const (
	TargetLead     TargetKind = iota + 1 // a lead of package lead
	TargetCustomer                       // a customer
)

var targetKinds = enum.New[TargetKind]("referral target kind", "lead", "customer")

// ParseTargetKind parses "lead" or "customer".
func ParseTargetKind(s string) (TargetKind, error) { return targetKinds.Parse(s) }

// String returns the kind's name.
func (k TargetKind) String() string { return targetKinds.String(k) }

// Valid reports whether k is a known kind.
func (k TargetKind) Valid() bool { return targetKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k TargetKind) MarshalText() ([]byte, error) { return targetKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *TargetKind) UnmarshalText(b []byte) (err error) {
	*k, err = targetKinds.Parse(string(b))
	return err
}

// ReferralOutcome is where a referral stands.
//
//	pending ──► converted (final, with the won value)
//	   │ ▲
//	   ▼ │
//	  lost
type ReferralOutcome uint8

// Referral outcomes. The stored form is the name.
const (
	ReferralPending   ReferralOutcome = iota + 1 // referred, not decided yet
	ReferralConverted                            // the referred party bought; the won value is recorded
	ReferralLost                                 // the referred party did not buy (may be reopened)
)

var referralOutcomes = enum.New[ReferralOutcome]("referral outcome", "pending", "converted", "lost")

// ParseReferralOutcome parses "pending", "converted" or "lost".
func ParseReferralOutcome(s string) (ReferralOutcome, error) { return referralOutcomes.Parse(s) }

// ReferralOutcomes returns every outcome in order.
func ReferralOutcomes() []ReferralOutcome { return referralOutcomes.Values() }

// String returns the outcome's name.
func (o ReferralOutcome) String() string { return referralOutcomes.String(o) }

// Valid reports whether o is a known outcome.
func (o ReferralOutcome) Valid() bool { return referralOutcomes.Valid(o) }

// MarshalText implements encoding.TextMarshaler.
func (o ReferralOutcome) MarshalText() ([]byte, error) { return referralOutcomes.Marshal(o) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *ReferralOutcome) UnmarshalText(b []byte) (err error) {
	*o, err = referralOutcomes.Parse(string(b))
	return err
}

// referralMoves is the referral outcome machine: the moves it allows.
var referralMoves = map[ReferralOutcome][]ReferralOutcome{
	ReferralPending: {ReferralConverted, ReferralLost},
	ReferralLost:    {ReferralPending},
}

// ReferralMoveAllowed reports whether a referral may move from one outcome
// to another: the machine drawn on [ReferralOutcome].
func ReferralMoveAllowed(from, to ReferralOutcome) bool {
	return slices.Contains(referralMoves[from], to)
}

// ReferralInput holds what is needed to record a referral.
type ReferralInput struct {
	ID     crm.ID
	Tenant crm.TenantID
	// Referrer is the customer (of any role: an end customer, a dealer)
	// who referred the target. Required.
	Referrer crm.ID
	// TargetKind and Target name the referred party: a lead's or a
	// customer's ID. Required; the target must not be the referrer.
	TargetKind TargetKind
	Target     crm.ID
	// Channel says how the referral came (a key such as "word_of_mouth",
	// "dealer_event"); optional.
	Channel string
	// Notes are free text; optional.
	Notes string
}

// Referral records that a customer referred a lead or another customer,
// and what came of it: pending, then converted (with the won value) or
// lost, every move kept in its history. The referred party is unique per
// referrer: a second referral of the same target by the same referrer is
// refused by every store with crm.ErrDuplicate. Two different referrers
// may name the same target; both referrals are kept, each with its own
// outcome, and [RelationValues] credits each referrer with what its own
// referral records (a host that wants one referrer credited converts one
// referral and marks the other lost).
//
// Methods validate, leave the referral unchanged when they refuse, and
// record domain events. Not safe for concurrent use; build one with
// [NewReferral] or [ReferralFromRecord].
type Referral struct {
	base
	referrer   crm.ID
	targetKind TargetKind
	target     crm.ID
	channel    string
	notes      string
	outcome    ReferralOutcome
	value      crm.Money
	decidedAt  time.Time
}

// NewReferral validates in and returns a pending referral made at ch.At.
func NewReferral(in ReferralInput, ch Change) (*Referral, error) {
	var v crm.Validator
	v.Check(!in.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", in.Tenant.Validate())
	v.Check(!in.Referrer.IsZero(), "referrer", "required")
	v.Check(in.TargetKind.Valid(), "target_kind", "unknown target kind")
	v.Check(!in.Target.IsZero(), "target", "required")
	v.Check(in.Target.IsZero() || in.Target != in.Referrer, "target", "must not be the referrer")
	checkRelKey(&v, "channel", in.Channel, false)
	checkLineText(&v, "notes", in.Notes, MaxRelationNotesLen, false, true)
	validateChange(&v, ch)
	if err := v.Err("customer.NewReferral"); err != nil {
		return nil, err
	}
	r := &Referral{referrer: in.Referrer, targetKind: in.TargetKind, target: in.Target, channel: in.Channel,
		notes: strings.TrimSpace(in.Notes), outcome: ReferralPending}
	r.start(in.ID, in.Tenant, ReferralPending.String(), crm.Money{}, ch, EventReferralMade,
		ReferralMade{Referrer: r.referrer, TargetKind: r.targetKind, Target: r.target})
	return r, nil
}

// Referrer returns the ID of the customer who referred.
func (r *Referral) Referrer() crm.ID { return r.referrer }

// Target returns what was referred: a lead or a customer, and its ID.
func (r *Referral) Target() (TargetKind, crm.ID) { return r.targetKind, r.target }

// Channel returns how the referral came ("" when not recorded).
func (r *Referral) Channel() string { return r.channel }

// Notes returns the referral's notes.
func (r *Referral) Notes() string { return r.notes }

// Outcome returns where the referral stands.
func (r *Referral) Outcome() ReferralOutcome { return r.outcome }

// Value returns the won value of a converted referral (the zero Money
// otherwise).
func (r *Referral) Value() crm.Money { return r.value }

// ReferredAt returns when the referral was made.
func (r *Referral) ReferredAt() time.Time { return r.createdAt }

// DecidedAt returns when the referral was last converted or lost (zero
// while pending).
func (r *Referral) DecidedAt() time.Time { return r.decidedAt }

// Convert records that the referred party bought, for value (the won
// value, positive). Only a pending referral converts; any other outcome is
// refused with a *crm.TransitionError, a bad value or change with a
// *crm.ValidationError.
func (r *Referral) Convert(value crm.Money, ch Change) error {
	if err := transition("referral outcome", referralMoves, r.outcome, ReferralConverted); err != nil {
		return err
	}
	v := r.guard(ch)
	if checkValue(v, "value", value, true); value.Validate() == nil {
		v.Check(!value.IsZero(), "value", "must be positive")
	}
	if err := v.Err("customer.Referral.Convert"); err != nil {
		return err
	}
	r.move(ReferralConverted, value, ch)
	return nil
}

// Lose records that the referred party did not buy; ch.Reason says why
// and is required. Only a pending referral is lost.
func (r *Referral) Lose(ch Change) error {
	if err := transition("referral outcome", referralMoves, r.outcome, ReferralLost); err != nil {
		return err
	}
	v := r.guard(ch)
	v.Check(strings.TrimSpace(ch.Reason) != "", "change.reason", "required")
	if err := v.Err("customer.Referral.Lose"); err != nil {
		return err
	}
	r.move(ReferralLost, crm.Money{}, ch)
	return nil
}

// Reopen moves a lost referral back to pending (the party came back).
func (r *Referral) Reopen(ch Change) error {
	if err := transition("referral outcome", referralMoves, r.outcome, ReferralPending); err != nil {
		return err
	}
	v := r.guard(ch)
	if err := v.Err("customer.Referral.Reopen"); err != nil {
		return err
	}
	r.move(ReferralPending, crm.Money{}, ch)
	return nil
}

func (r *Referral) move(to ReferralOutcome, value crm.Money, ch Change) {
	from := r.outcome
	r.outcome, r.value = to, value
	r.decidedAt = time.Time{}
	if to != ReferralPending {
		r.decidedAt = ch.At.UTC()
	}
	r.step(Step{Kind: StepStatus, From: from.String(), To: to.String(), Value: value}, ch, EventReferralOutcome,
		ReferralOutcomeChanged{From: from, To: to, Value: value})
}

// Clone returns a deep copy of r.
func (r *Referral) Clone() *Referral {
	d := *r
	d.base = r.base.clone()
	return &d
}

// ReferralRecord is the persisted form of a [Referral].
type ReferralRecord struct {
	ID         crm.ID          `json:"id"`
	Tenant     crm.TenantID    `json:"tenant"`
	Version    int64           `json:"version"`
	Referrer   crm.ID          `json:"referrer"`
	TargetKind TargetKind      `json:"target_kind"`
	Target     crm.ID          `json:"target"`
	Channel    string          `json:"channel,omitempty"`
	Notes      string          `json:"notes,omitempty"`
	Outcome    ReferralOutcome `json:"outcome"`
	Value      crm.Money       `json:"value,omitzero"`
	DecidedAt  time.Time       `json:"decided_at,omitzero"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	History    []Step          `json:"history"`
}

// Record returns the referral's persisted form, sharing nothing with r.
func (r *Referral) Record() ReferralRecord {
	rec := r.view()
	rec.History = slices.Clone(rec.History)
	return rec
}

// view is the persisted form sharing r's history: for checks that read.
func (r *Referral) view() ReferralRecord {
	return ReferralRecord{ID: r.id, Tenant: r.tenant, Version: r.version, Referrer: r.referrer,
		TargetKind: r.targetKind, Target: r.target, Channel: r.channel, Notes: r.notes, Outcome: r.outcome,
		Value: r.value, DecidedAt: r.decidedAt, CreatedAt: r.createdAt, UpdatedAt: r.updatedAt, History: r.history}
}

// ReferralFromRecord rebuilds a referral from its persisted form, checking
// the invariants every stored referral keeps.
func ReferralFromRecord(rec ReferralRecord) (*Referral, error) {
	rec.History = slices.Clone(rec.History)
	return adoptReferral(rec)
}

// adoptReferral is ReferralFromRecord without the copy (the Adopt hook).
func adoptReferral(rec ReferralRecord) (*Referral, error) {
	if err := checkReferralRecord("customer.ReferralFromRecord", rec); err != nil {
		return nil, err
	}
	return &Referral{base: base{id: rec.ID, tenant: rec.Tenant, version: rec.Version, createdAt: rec.CreatedAt,
		updatedAt: rec.UpdatedAt, history: rec.History}, referrer: rec.Referrer, targetKind: rec.TargetKind,
		target: rec.Target, channel: rec.Channel, notes: rec.Notes, outcome: rec.Outcome, value: rec.Value,
		decidedAt: rec.DecidedAt}, nil
}

// checkReferralRecord is the one check of a stored referral.
func checkReferralRecord(op string, r ReferralRecord) error {
	var v crm.Validator
	checkBase(&v, r.ID, r.Tenant, r.Version, r.CreatedAt, r.UpdatedAt, r.History)
	v.Check(!r.Referrer.IsZero(), "referrer", "required")
	v.Check(r.TargetKind.Valid(), "target_kind", "unknown target kind")
	v.Check(!r.Target.IsZero() && r.Target != r.Referrer, "target", "required and not the referrer")
	checkRelKey(&v, "channel", r.Channel, false)
	checkLineText(&v, "notes", r.Notes, MaxRelationNotesLen, false, true)
	if v.Check(r.Outcome.Valid(), "outcome", "unknown outcome") {
		if r.Outcome == ReferralConverted {
			if checkValue(&v, "value", r.Value, true); r.Value.Validate() == nil {
				v.Check(!r.Value.IsZero(), "value", "must be positive")
			}
		} else {
			v.Check(r.Value == (crm.Money{}), "value", "set only on a converted referral")
		}
		checkRelTime(&v, "decided_at", r.DecidedAt, r.Outcome != ReferralPending)
		v.Check(r.Outcome != ReferralPending || r.DecidedAt.IsZero(), "decided_at", "set only once decided")
		if n := len(r.History); n > 0 && n <= MaxRelationHistory {
			v.Check(r.History[n-1].To == r.Outcome.String(), "outcome", "must be where the history ends")
			for i, st := range r.History {
				v.Check(st.Kind == StepCreated || st.Kind == StepStatus, fmt.Sprintf("history[%d].kind", i), "not a step of a referral")
			}
		}
	}
	return v.Err(op)
}
