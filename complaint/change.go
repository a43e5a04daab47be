package complaint

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// MaxReasonLen bounds the length of a change's reason, in runes.
const MaxReasonLen = 1000

// Change says who makes a change, when and why. Every change kept in a
// complaint's audit trail carries one.
type Change struct {
	// Actor is the user or system account making the change. Required.
	Actor crm.UserID
	// At is when the change happens. Required; stored in UTC.
	At time.Time
	// Reason says why, in free text (at most MaxReasonLen runes).
	Reason string
}

// validate records the change's problems in v.
func (ch Change) validate(v *crm.Validator) {
	v.Merge("change.actor", ch.Actor.Validate())
	v.Check(!ch.At.IsZero(), "change.at", "must be set")
	v.Check(utf8.ValidString(ch.Reason), "change.reason", "not valid UTF-8")
	v.Check(utf8.RuneCountInString(ch.Reason) <= MaxReasonLen, "change.reason", "too long")
}

// requireReason records a problem when the change carries no reason.
func (ch Change) requireReason(v *crm.Validator, what string) {
	v.Check(strings.TrimSpace(ch.Reason) != "", "change.reason", "required for "+what)
}

// AuditEntry is one recorded change of a complaint: what, from, to, when,
// who and why. The audit trail is append-only.
type AuditEntry struct {
	// ComplaintID is the complaint the entry belongs to.
	ComplaintID crm.ID
	// Seq numbers the complaint's entries from 1.
	Seq int64
	// Kind says what changed.
	Kind AuditKind
	// From and To are the old and new values in text form ("" when none).
	From, To string
	// At, Actor and Reason come from the Change.
	At     time.Time
	Actor  crm.UserID
	Reason string
}
