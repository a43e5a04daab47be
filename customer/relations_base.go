package customer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// StepKind says what a step in the history of a referral, suggestion or
// membership records.
type StepKind uint8

// Kinds of step. The stored form is the name.
const (
	StepCreated  StepKind = iota + 1 // the record was made (referral given, suggestion made, member joined)
	StepStatus                       // the outcome or status moved (From -> To)
	StepTier                         // a membership moved tier (From -> To)
	StepRenewed                      // a membership was renewed (From, To: the old and new end of term, RFC 3339)
	StepCategory                     // a suggestion was moved to another category (From -> To)
)

var stepKinds = enum.New[StepKind]("step kind", "created", "status", "tier", "renewed", "category")

// ParseStepKind parses "created", "status", "tier", "renewed" or "category".
func ParseStepKind(s string) (StepKind, error) { return stepKinds.Parse(s) }

// String returns the kind's name.
func (k StepKind) String() string { return stepKinds.String(k) }

// Valid reports whether k is a known kind.
func (k StepKind) Valid() bool { return stepKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k StepKind) MarshalText() ([]byte, error) { return stepKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *StepKind) UnmarshalText(b []byte) (err error) {
	*k, err = stepKinds.Parse(string(b))
	return err
}

// Step is one entry in the history of a referral, suggestion or
// membership: what moved from what to what, with the change that moved it.
// Steps are appended, never changed, and kept with the record (at most
// MaxRelationHistory of them).
type Step struct {
	Kind StepKind `json:"kind"`
	// From and To are the String forms of the states (outcomes, statuses,
	// tiers) or, for StepRenewed, the old and new end of the term.
	From string `json:"from,omitempty"`
	To   string `json:"to"`
	// Value is the amount the step records (a referral's won value, an
	// adopted suggestion's value), when it records one.
	Value  crm.Money  `json:"value,omitzero"`
	At     time.Time  `json:"at"`
	Actor  crm.UserID `json:"actor"`
	Reason string     `json:"reason,omitempty"`
}

// checkSteps records the problems of a stored history at path "history".
func checkSteps(v *crm.Validator, steps []Step, created time.Time) {
	if !v.Check(len(steps) >= 1 && len(steps) <= MaxRelationHistory, "history", fmt.Sprintf("must hold 1 to %d steps", MaxRelationHistory)) {
		return
	}
	v.Check(steps[0].Kind == StepCreated, "history[0].kind", "must be created")
	for i, s := range steps {
		p := fmt.Sprintf("history[%d]", i)
		v.Check(s.Kind.Valid(), p+".kind", "unknown step kind")
		v.Check(i == 0 || s.Kind != StepCreated, p+".kind", "created only first")
		checkLineText(v, p+".from", s.From, MaxRelationKeyLen, false, false)
		checkLineText(v, p+".to", s.To, MaxRelationKeyLen, true, false)
		checkValue(v, p+".value", s.Value, false)
		checkRelTime(v, p+".at", s.At, true)
		v.Check(i > 0 || s.At.Equal(created), p+".at", "must be the creation time")
		v.Check(i == 0 || !s.At.Before(steps[i-1].At), p+".at", "before the previous step")
		v.Merge(p+".actor", s.Actor.Validate())
		checkLineText(v, p+".reason", s.Reason, MaxReasonLen, false, true)
	}
}

// base holds what referrals, suggestions and memberships share: identity,
// version, times, history and the events recorded since the last save.
type base struct {
	id        crm.ID
	tenant    crm.TenantID
	version   int64
	createdAt time.Time
	updatedAt time.Time
	history   []Step
	events    []crm.Event
}

// ID returns the record's ID.
func (b *base) ID() crm.ID { return b.id }

// Tenant returns the tenant that owns the record.
func (b *base) Tenant() crm.TenantID { return b.tenant }

// Version returns the stored version: 0 before the first save.
func (b *base) Version() int64 { return b.version }

// CreatedAt returns when the record was made.
func (b *base) CreatedAt() time.Time { return b.createdAt }

// UpdatedAt returns when the record last changed.
func (b *base) UpdatedAt() time.Time { return b.updatedAt }

// History returns the record's steps, oldest first.
func (b *base) History() []Step { return slices.Clone(b.history) }

// Events returns the domain events recorded since the record was built or
// loaded, with Version set to the record's version.
func (b *base) Events() []crm.Event {
	out := slices.Clone(b.events)
	for i := range out {
		out[i].Version = b.version
	}
	return out
}

// saved tells the record it was stored at version and drops its events.
func (b *base) saved(version int64) {
	b.version = version
	b.events = nil
}

// clone returns a copy of b sharing nothing mutable with it.
func (b base) clone() base {
	b.history = slices.Clone(b.history)
	b.events = slices.Clone(b.events)
	return b
}

// guard starts the check of a change: a valid Change, not before the last
// change, and room in the history.
func (b *base) guard(ch Change) *crm.Validator {
	v := &crm.Validator{}
	v.Check(!b.id.IsZero(), "id", "the record must be built with its constructor or FromRecord")
	validateChange(v, ch)
	if !ch.At.IsZero() {
		v.Check(!ch.At.Before(b.updatedAt), "change.at", "before the record's last change")
	}
	v.Check(len(b.history) < MaxRelationHistory, "history", fmt.Sprintf("full (%d steps)", MaxRelationHistory))
	return v
}

// step appends a step made by ch and records the event typ with data.
func (b *base) step(s Step, ch Change, typ string, data any) {
	at := ch.At.UTC()
	s.At, s.Actor, s.Reason = at, ch.Actor, strings.TrimSpace(ch.Reason)
	b.history = append(slices.Clip(b.history), s)
	b.updatedAt = at
	b.events = append(b.events, crm.Event{
		Type: typ, Tenant: b.tenant, AggregateID: b.id, At: at, Actor: string(ch.Actor), Data: data,
	})
}

// start initialises a new record made by ch, with its first step.
func (b *base) start(id crm.ID, tenant crm.TenantID, to string, value crm.Money, ch Change, typ string, data any) {
	at := ch.At.UTC()
	b.id, b.tenant, b.createdAt = id, tenant, at
	b.step(Step{Kind: StepCreated, To: to, Value: value}, ch, typ, data)
}

// checkBase records the problems of the shared stored fields.
func checkBase(v *crm.Validator, id crm.ID, tenant crm.TenantID, version int64, created, updated time.Time, steps []Step) {
	v.Check(!id.IsZero(), "id", "must not be zero")
	v.Merge("tenant", tenant.Validate())
	v.Check(version >= 0, "version", "must not be negative")
	checkRelTime(v, "created_at", created, true)
	checkRelTime(v, "updated_at", updated, true)
	v.Check(updated.IsZero() || !updated.Before(created), "updated_at", "before created_at")
	checkSteps(v, steps, created)
	if len(steps) > 0 {
		v.Check(steps[len(steps)-1].At.Equal(updated), "updated_at", "must be the time of the last step")
	}
}

// transition checks a move of the state machine machine from -> to against
// moves, returning a *crm.TransitionError when it is not allowed.
func transition[S interface {
	comparable
	String() string
}](machine string, moves map[S][]S, from, to S) error {
	if slices.Contains(moves[from], to) {
		return nil
	}
	return &crm.TransitionError{Machine: machine, From: from.String(), To: to.String()}
}
