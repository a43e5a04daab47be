package customer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// SuggestionStatus is where a suggestion stands.
//
//	submitted ──► reviewing ──► adopted (final, with value and adopter)
//	     │             │
//	     └─────────────┴──────► declined (final, with a reason)
type SuggestionStatus uint8

// Suggestion statuses. The stored form is the name.
const (
	SuggestionSubmitted SuggestionStatus = iota + 1 // made, not looked at yet
	SuggestionReviewing                             // under review
	SuggestionAdopted                               // adopted, with its value
	SuggestionDeclined                              // declined, with a reason
)

var suggestionStatuses = enum.New[SuggestionStatus]("suggestion status", "submitted", "reviewing", "adopted", "declined")

// ParseSuggestionStatus parses "submitted", "reviewing", "adopted" or "declined".
func ParseSuggestionStatus(s string) (SuggestionStatus, error) { return suggestionStatuses.Parse(s) }

// SuggestionStatuses returns every status in order.
func SuggestionStatuses() []SuggestionStatus { return suggestionStatuses.Values() }

// String returns the status's name.
func (s SuggestionStatus) String() string { return suggestionStatuses.String(s) }

// Valid reports whether s is a known status.
func (s SuggestionStatus) Valid() bool { return suggestionStatuses.Valid(s) }

// MarshalText implements encoding.TextMarshaler.
func (s SuggestionStatus) MarshalText() ([]byte, error) { return suggestionStatuses.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *SuggestionStatus) UnmarshalText(b []byte) (err error) {
	*s, err = suggestionStatuses.Parse(string(b))
	return err
}

// suggestionMoves is the suggestion machine: the moves it allows.
var suggestionMoves = map[SuggestionStatus][]SuggestionStatus{
	SuggestionSubmitted: {SuggestionReviewing, SuggestionDeclined},
	SuggestionReviewing: {SuggestionAdopted, SuggestionDeclined},
}

// SuggestionMoveAllowed reports whether a suggestion may move from one
// status to another: the machine drawn on [SuggestionStatus].
func SuggestionMoveAllowed(from, to SuggestionStatus) bool {
	return slices.Contains(suggestionMoves[from], to)
}

// SuggestionInput holds what is needed to record a suggestion.
type SuggestionInput struct {
	ID     crm.ID
	Tenant crm.TenantID
	// Author is the customer (an end customer, a dealer) who made the
	// suggestion. Required.
	Author crm.ID
	// Subject is a one-line title; required.
	Subject string
	// Text is the suggestion itself; optional, may span lines.
	Text string
	// Category is a key such as "product", "service", "process"; required.
	Category string
}

// Suggestion records a suggestion a customer or dealer made (建议) and what
// came of it: submitted, reviewed, then adopted with the value it brings
// and who adopted it, or declined with a reason; every move is kept in its
// history. Methods validate, leave the suggestion unchanged when they
// refuse, and record domain events. Not safe for concurrent use; build one
// with [NewSuggestion] or [SuggestionFromRecord].
type Suggestion struct {
	base
	author    crm.ID
	subject   string
	text      string
	category  string
	status    SuggestionStatus
	value     crm.Money
	adoptedBy crm.UserID
	decidedAt time.Time
}

// NewSuggestion validates in and returns a submitted suggestion made at
// ch.At.
func NewSuggestion(in SuggestionInput, ch Change) (*Suggestion, error) {
	var v crm.Validator
	v.Check(!in.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", in.Tenant.Validate())
	v.Check(!in.Author.IsZero(), "author", "required")
	checkLineText(&v, "subject", in.Subject, MaxSubjectLen, true, false)
	checkLineText(&v, "text", in.Text, MaxSuggestionTextLen, false, true)
	checkRelKey(&v, "category", in.Category, true)
	validateChange(&v, ch)
	if err := v.Err("customer.NewSuggestion"); err != nil {
		return nil, err
	}
	s := &Suggestion{author: in.Author, subject: strings.TrimSpace(in.Subject), text: strings.TrimSpace(in.Text),
		category: in.Category, status: SuggestionSubmitted}
	s.start(in.ID, in.Tenant, SuggestionSubmitted.String(), crm.Money{}, ch, EventSuggestionMade,
		SuggestionMade{Author: s.author, Category: s.category, Subject: s.subject})
	return s, nil
}

// Author returns the ID of the customer who made the suggestion.
func (s *Suggestion) Author() crm.ID { return s.author }

// Subject returns the suggestion's title.
func (s *Suggestion) Subject() string { return s.subject }

// Text returns the suggestion's text.
func (s *Suggestion) Text() string { return s.text }

// Category returns the suggestion's category.
func (s *Suggestion) Category() string { return s.category }

// Status returns where the suggestion stands.
func (s *Suggestion) Status() SuggestionStatus { return s.status }

// Value returns the value of an adopted suggestion (the zero Money
// otherwise).
func (s *Suggestion) Value() crm.Money { return s.value }

// AdoptedBy returns who adopted the suggestion ("" unless adopted).
func (s *Suggestion) AdoptedBy() crm.UserID { return s.adoptedBy }

// MadeAt returns when the suggestion was made.
func (s *Suggestion) MadeAt() time.Time { return s.createdAt }

// DecidedAt returns when the suggestion was adopted or declined (zero
// before).
func (s *Suggestion) DecidedAt() time.Time { return s.decidedAt }

// Review moves a submitted suggestion under review.
func (s *Suggestion) Review(ch Change) error {
	return s.move("customer.Suggestion.Review", SuggestionReviewing, crm.Money{}, ch)
}

// Adopt records that the suggestion under review was adopted, bringing
// value (zero or more; the zero Money is refused, as the value fixes the
// currency); ch.Actor is recorded as the adopter.
func (s *Suggestion) Adopt(value crm.Money, ch Change) error {
	return s.move("customer.Suggestion.Adopt", SuggestionAdopted, value, ch)
}

// Decline records that the suggestion was declined; ch.Reason says why
// and is required.
func (s *Suggestion) Decline(ch Change) error {
	return s.move("customer.Suggestion.Decline", SuggestionDeclined, crm.Money{}, ch)
}

func (s *Suggestion) move(op string, to SuggestionStatus, value crm.Money, ch Change) error {
	if err := transition("suggestion status", suggestionMoves, s.status, to); err != nil {
		return err
	}
	v := s.guard(ch)
	if to == SuggestionAdopted {
		checkValue(v, "value", value, true)
	}
	if to == SuggestionDeclined {
		v.Check(strings.TrimSpace(ch.Reason) != "", "change.reason", "required")
	}
	if err := v.Err(op); err != nil {
		return err
	}
	from := s.status
	s.status, s.value = to, value
	if to == SuggestionAdopted {
		s.adoptedBy = ch.Actor
	}
	if to == SuggestionAdopted || to == SuggestionDeclined {
		s.decidedAt = ch.At.UTC()
	}
	s.step(Step{Kind: StepStatus, From: from.String(), To: to.String(), Value: value}, ch, EventSuggestionStatus,
		SuggestionStatusChanged{From: from, To: to, Value: value})
	return nil
}

// Recategorise moves an undecided suggestion to another category (a
// reviewer's triage). A decided suggestion is refused with a
// *crm.TransitionError; a bad or unchanged category with a
// *crm.ValidationError.
func (s *Suggestion) Recategorise(category string, ch Change) error {
	if s.status == SuggestionAdopted || s.status == SuggestionDeclined {
		return &crm.TransitionError{Machine: "suggestion category", From: s.category, To: category, Reason: "the suggestion is " + s.status.String()}
	}
	v := s.guard(ch)
	checkRelKey(v, "category", category, true)
	v.Check(category != s.category, "category", "already the suggestion's category")
	if err := v.Err("customer.Suggestion.Recategorise"); err != nil {
		return err
	}
	from := s.category
	s.category = category
	s.step(Step{Kind: StepCategory, From: from, To: category}, ch, EventSuggestionCategory,
		SuggestionRecategorised{From: from, To: category})
	return nil
}

// Clone returns a deep copy of s.
func (s *Suggestion) Clone() *Suggestion {
	d := *s
	d.base = s.base.clone()
	return &d
}

// SuggestionRecord is the persisted form of a [Suggestion].
type SuggestionRecord struct {
	ID        crm.ID           `json:"id"`
	Tenant    crm.TenantID     `json:"tenant"`
	Version   int64            `json:"version"`
	Author    crm.ID           `json:"author"`
	Subject   string           `json:"subject"`
	Text      string           `json:"text,omitempty"`
	Category  string           `json:"category"`
	Status    SuggestionStatus `json:"status"`
	Value     crm.Money        `json:"value,omitzero"`
	AdoptedBy crm.UserID       `json:"adopted_by,omitempty"`
	DecidedAt time.Time        `json:"decided_at,omitzero"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
	History   []Step           `json:"history"`
}

// Record returns the suggestion's persisted form, sharing nothing with s.
func (s *Suggestion) Record() SuggestionRecord {
	rec := s.view()
	rec.History = slices.Clone(rec.History)
	return rec
}

func (s *Suggestion) view() SuggestionRecord {
	return SuggestionRecord{ID: s.id, Tenant: s.tenant, Version: s.version, Author: s.author, Subject: s.subject,
		Text: s.text, Category: s.category, Status: s.status, Value: s.value, AdoptedBy: s.adoptedBy,
		DecidedAt: s.decidedAt, CreatedAt: s.createdAt, UpdatedAt: s.updatedAt, History: s.history}
}

// SuggestionFromRecord rebuilds a suggestion from its persisted form,
// checking the invariants every stored suggestion keeps.
func SuggestionFromRecord(rec SuggestionRecord) (*Suggestion, error) {
	rec.History = slices.Clone(rec.History)
	return adoptSuggestion(rec)
}

func adoptSuggestion(rec SuggestionRecord) (*Suggestion, error) {
	if err := checkSuggestionRecord("customer.SuggestionFromRecord", rec); err != nil {
		return nil, err
	}
	return &Suggestion{base: base{id: rec.ID, tenant: rec.Tenant, version: rec.Version, createdAt: rec.CreatedAt,
		updatedAt: rec.UpdatedAt, history: rec.History}, author: rec.Author, subject: rec.Subject, text: rec.Text,
		category: rec.Category, status: rec.Status, value: rec.Value, adoptedBy: rec.AdoptedBy,
		decidedAt: rec.DecidedAt}, nil
}

// checkSuggestionRecord is the one check of a stored suggestion.
func checkSuggestionRecord(op string, r SuggestionRecord) error {
	var v crm.Validator
	checkBase(&v, r.ID, r.Tenant, r.Version, r.CreatedAt, r.UpdatedAt, r.History)
	v.Check(!r.Author.IsZero(), "author", "required")
	checkLineText(&v, "subject", r.Subject, MaxSubjectLen, true, false)
	checkLineText(&v, "text", r.Text, MaxSuggestionTextLen, false, true)
	checkRelKey(&v, "category", r.Category, true)
	if v.Check(r.Status.Valid(), "status", "unknown status") {
		adopted := r.Status == SuggestionAdopted
		checkValue(&v, "value", r.Value, adopted)
		v.Check(adopted || r.Value == (crm.Money{}), "value", "set only on an adopted suggestion")
		if adopted {
			v.Merge("adopted_by", r.AdoptedBy.Validate())
		} else {
			v.Check(r.AdoptedBy == "", "adopted_by", "set only on an adopted suggestion")
		}
		decided := adopted || r.Status == SuggestionDeclined
		checkRelTime(&v, "decided_at", r.DecidedAt, decided)
		v.Check(decided || r.DecidedAt.IsZero(), "decided_at", "set only once decided")
		if n := len(r.History); n > 0 && n <= MaxRelationHistory {
			status, category := "", ""
			for i, st := range r.History {
				switch st.Kind {
				case StepCreated, StepStatus:
					status = st.To
				case StepCategory:
					category = st.To
				default:
					v.Addf(fmt.Sprintf("history[%d].kind", i), "not a step of a suggestion")
				}
			}
			v.Check(status == r.Status.String(), "status", "must be where the history ends")
			v.Check(category == "" || category == r.Category, "category", "must be where the history ends")
		}
	}
	return v.Err(op)
}
