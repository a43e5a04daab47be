package customer

import (
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// MaxReasonLen bounds the length of a change's reason, in runes.
const MaxReasonLen = crm.MaxReasonLen

// Change says who makes a change, when and why: the kernel's [crm.Change].
// Every change kept in a customer's history carries one.
type Change = crm.Change

// validateChange records the change's problems in v under "change".
func validateChange(v *crm.Validator, ch Change) { v.Merge("change", ch.Validate()) }

// HistoryKind says what a history entry records.
type HistoryKind uint8

// Kinds of history entry. The stored form is the name.
const (
	HistoryCreated    HistoryKind = iota + 1 // the customer was created
	HistoryStage                             // relationship stage changed
	HistoryLoyalty                           // loyalty rung changed
	HistoryLifecycle                         // lifecycle status changed
	HistoryOwner                             // account manager reassigned
	HistoryClass                             // classification changed
	HistoryKeyAccount                        // key-account flag changed
	HistoryMerged                            // another customer was merged into this one, or this one into another
	HistoryErased                            // personal data erased
	HistoryConsent                           // marketing consent given or withdrawn
)

var historyKinds = enum.New[HistoryKind]("history kind", "created", "stage", "loyalty", "lifecycle", "owner", "class", "key_account", "merged", "erased", "consent")

// ParseHistoryKind parses a history kind name such as "owner".
func ParseHistoryKind(s string) (HistoryKind, error) { return historyKinds.Parse(s) }

// String returns the kind's name.
func (k HistoryKind) String() string { return historyKinds.String(k) }

// Valid reports whether k is a known kind.
func (k HistoryKind) Valid() bool { return historyKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k HistoryKind) MarshalText() ([]byte, error) { return historyKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *HistoryKind) UnmarshalText(b []byte) (err error) {
	*k, err = historyKinds.Parse(string(b))
	return err
}

// HistoryEntry is one recorded change of a customer: from, to, when, who, why.
// History is append-only; entries move with their customer on a merge.
type HistoryEntry struct {
	// CustomerID is the customer the entry belongs to now.
	CustomerID crm.ID `json:"customer_id"`
	// OriginID is the customer the entry was recorded on; it differs from
	// CustomerID after a merge moved the entry to the survivor.
	OriginID crm.ID `json:"origin_id"`
	// Seq numbers the entries of OriginID from 1; (OriginID, Seq) is unique.
	Seq int64 `json:"seq"`
	// Kind says what changed.
	Kind HistoryKind `json:"kind"`
	// From and To are the old and new values in text form ("" when none).
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// At, Actor and Reason come from the Change.
	At     time.Time  `json:"at"`
	Actor  crm.UserID `json:"actor"`
	Reason string     `json:"reason,omitempty"`
}

// CompareHistory orders entries by time, then origin, then sequence: the
// order in which stores list a customer's history.
func CompareHistory(a, b HistoryEntry) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	if c := a.OriginID.Compare(b.OriginID); c != 0 {
		return c
	}
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}
