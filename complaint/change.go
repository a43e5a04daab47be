package complaint

import (
	"strings"
	"time"

	"github.com/crmkit/crm"
)

// MaxReasonLen bounds the length of a change's reason, in runes.
const MaxReasonLen = crm.MaxReasonLen

// Change says who makes a change, when and why: the kernel's [crm.Change].
// Every change kept in a complaint's audit trail carries one.
type Change = crm.Change

// validateChange records the change's problems in v under "change".
func validateChange(v *crm.Validator, ch Change) { v.Merge("change", ch.Validate()) }

// requireReason records a problem when the change carries no reason.
func requireReason(v *crm.Validator, ch Change, what string) {
	v.Check(strings.TrimSpace(ch.Reason) != "", "change.reason", "required for "+what)
}

// AuditEntry is one recorded change of a complaint: what, from, to, when,
// who and why. The audit trail is append-only.
type AuditEntry struct {
	// ComplaintID is the complaint the entry belongs to.
	ComplaintID crm.ID `json:"complaint_id"`
	// Seq numbers the complaint's entries from 1.
	Seq int64 `json:"seq"`
	// Kind says what changed.
	Kind AuditKind `json:"kind"`
	// From and To are the old and new values in text form ("" when none).
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// At, Actor and Reason come from the Change.
	At     time.Time  `json:"at"`
	Actor  crm.UserID `json:"actor"`
	Reason string     `json:"reason,omitempty"`
}
