package crm

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxTenantIDLen is the longest tenant ID accepted, in bytes.
const MaxTenantIDLen = 64

// TenantID names the tenant that owns a record. Every stored record belongs
// to exactly one tenant and every store call is scoped by one; a record of
// another tenant behaves as if it did not exist. Hosts choose the values
// (an account slug, a UUID string, …): 1 to 64 bytes of printable UTF-8
// with no spaces.
type TenantID string

// ParseTenantID validates s and returns it as a TenantID.
func ParseTenantID(s string) (TenantID, error) {
	t := TenantID(s)
	if err := t.Validate(); err != nil {
		return "", err
	}
	return t, nil
}

// Validate returns an error wrapping [ErrInvalid] when t is not a valid
// tenant ID.
func (t TenantID) Validate() error {
	switch {
	case t == "":
		return Invalid("crm.TenantID", "", "must not be empty")
	case len(t) > MaxTenantIDLen:
		return Invalid("crm.TenantID", "", fmt.Sprintf("longer than %d bytes", MaxTenantIDLen))
	case !utf8.ValidString(string(t)):
		return Invalid("crm.TenantID", "", "not valid UTF-8")
	}
	for _, r := range string(t) {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return Invalid("crm.TenantID", "", "must be printable with no spaces")
		}
	}
	return nil
}

// String returns t as a string.
func (t TenantID) String() string { return string(t) }
