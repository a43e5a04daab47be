package customer

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// Limits of stored referrals, suggestions and memberships. Every store
// keeps them, because [GuardReferrals], [GuardSuggestions] and [GuardMemberships] check every record on its way in.
const (
	MaxRelationNotesLen   = 2000 // runes in a referral's notes or a step's note
	MaxSubjectLen         = 200  // runes in a suggestion's subject
	MaxSuggestionTextLen  = 4000 // runes in a suggestion's text
	MaxRelationKeyLen     = 64   // bytes in a channel, category, programme or tier name
	MaxRelationHistory    = 200  // steps kept in one record's history
	MaxTiers              = 20   // tiers in one membership programme
	MaxBenefits           = 20   // benefits named for one tier
	MaxBenefitLen         = 200  // runes in one benefit
	MaxTermMonths         = 120  // longest membership term, in months
	MaxRelationQueryItems = 10   // values of one list filter (outcomes, statuses, tiers)
)

// checkRelKey records a problem at path unless s is a relation key: 1 to
// MaxRelationKeyLen bytes of lower-case letters, digits, '_', '-' or '.'
// (channels, categories, programme and tier names). required false lets
// "" pass.
func checkRelKey(v *crm.Validator, path, s string, required bool) {
	if s == "" {
		v.Check(!required, path, "required")
		return
	}
	ok := len(s) <= MaxRelationKeyLen && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.')
	}) < 0
	v.Check(ok, path, fmt.Sprintf("must be 1 to %d bytes of a-z, 0-9, '_', '-' or '.'", MaxRelationKeyLen))
}

// checkLineText records a problem at path unless s is printable text of at
// most max runes with no control characters (newlines and tabs allowed when
// multiline), valid UTF-8 and no NUL.
func checkLineText(v *crm.Validator, path, s string, max int, required, multiline bool) {
	switch {
	case strings.TrimSpace(s) == "":
		v.Check(!required && s == "", path, "required")
	case !utf8.ValidString(s):
		v.Addf(path, "not valid UTF-8")
	case len(s) > max*utf8.UTFMax || utf8.RuneCountInString(s) > max:
		v.Addf(path, "longer than %d characters", max)
	case strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r'))
	}):
		v.Addf(path, "must not contain control characters")
	}
}

// checkRelTime records a problem at path unless t is set and in the stored
// range (or zero, when optional).
func checkRelTime(v *crm.Validator, path string, t time.Time, required bool) {
	if t.IsZero() {
		v.Check(!required, path, "required")
		return
	}
	v.Check(crm.ValidTime(t), path, "outside the supported time range")
}

// checkValue records a problem at path unless m is a valid, non-negative
// amount (the zero Money passes when optional).
func checkValue(v *crm.Validator, path string, m crm.Money, required bool) {
	if m == (crm.Money{}) {
		v.Check(!required, path, "required")
		return
	}
	if v.Check(m.Validate() == nil, path, "must be a valid amount with a currency") {
		v.Check(!m.IsNegative(), path, "must not be negative")
	}
}
