package crm

import (
	"unicode"
	"unicode/utf8"
)

// MaxUserIDLen is the longest user ID accepted, in bytes.
const MaxUserIDLen = 128

// UserID names a person or system account of the host application: an
// account manager who owns a customer, the actor of a change. The host
// chooses the values (1 to 128 bytes of printable UTF-8).
type UserID string

// Validate returns an error wrapping [ErrInvalid] when u is not a valid
// user ID.
func (u UserID) Validate() error {
	switch {
	case u == "":
		return Invalid("crm.UserID", "", "must not be empty")
	case len(u) > MaxUserIDLen:
		return Invalid("crm.UserID", "", "longer than 128 bytes")
	case !utf8.ValidString(string(u)):
		return Invalid("crm.UserID", "", "not valid UTF-8")
	}
	for _, r := range string(u) {
		if !unicode.IsPrint(r) {
			return Invalid("crm.UserID", "", "must be printable")
		}
	}
	return nil
}

// String returns u as a string.
func (u UserID) String() string { return string(u) }
