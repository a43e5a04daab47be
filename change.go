package crm

import (
	"time"
	"unicode/utf8"
)

// MaxReasonLen bounds the length of a change's reason, in runes.
const MaxReasonLen = 1000

// Change says who makes a change to an aggregate, when and why. Every change
// kept in an aggregate's history or audit trail carries one, in every domain
// package (customer.Change and complaint.Change are this type).
type Change struct {
	// Actor is the user or system account making the change. Required.
	Actor UserID `json:"actor"`
	// At is when the change happens, stored in UTC. Entity methods require
	// it; services fill a zero At from their clock, so callers of a service
	// usually leave it unset.
	At time.Time `json:"at"`
	// Reason says why, in free text (valid UTF-8, at most MaxReasonLen
	// runes). Some changes require one; they say so.
	Reason string `json:"reason,omitempty"`
}

// Validate returns a *ValidationError listing every problem of ch, with the
// paths "actor", "at" and "reason". A zero At is a problem: fill it before
// validating when it defaults to a clock.
func (ch Change) Validate() error {
	var v Validator
	v.Merge("actor", ch.Actor.Validate())
	v.Check(!ch.At.IsZero(), "at", "must be set")
	v.Check(ch.At.IsZero() || ValidTime(ch.At), "at", "outside the supported time range")
	v.Check(utf8.ValidString(ch.Reason), "reason", "not valid UTF-8")
	v.Check(utf8.RuneCountInString(ch.Reason) <= MaxReasonLen, "reason", "too long")
	return v.Err("crm.Change")
}

// The range of instants the library stores: years 1 to 9999 in UTC, the
// range RFC 3339 can write and every supported store can keep. Stores
// refuse times outside it with an error wrapping [ErrInvalid] rather than
// storing something else.
var (
	// MinTime is the earliest instant a store keeps.
	MinTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	// MaxTime is the latest instant a store keeps.
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// ValidTime reports whether t lies within [MinTime, MaxTime]. The zero
// time.Time (MinTime itself) is inside: stores use it for "not set".
func ValidTime(t time.Time) bool {
	return !t.Before(MinTime) && !t.After(MaxTime)
}
