package lead

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// ContactPoint is one e-mail address or phone number as captured. When it
// parses (customer.ParseEmail, customer.ParsePhone), Email or Phone holds
// the parsed value; when it does not, Problem says why and Raw keeps the
// text so that a person can read it: a contact point is never lost.
type ContactPoint struct {
	// Kind says whether it is an e-mail address or a phone number.
	Kind ContactKind `json:"kind"`
	// Raw is the text as captured, trimmed.
	Raw string `json:"raw"`
	// Email is the parsed address when Kind is ContactEmail and it parsed.
	Email customer.Email `json:"email,omitzero"`
	// Phone is the parsed number when Kind is ContactPhone and it parsed.
	Phone customer.Phone `json:"phone,omitzero"`
	// Problem is why the text did not parse; "" when it did.
	Problem string `json:"problem,omitempty"`
}

// Parsed reports whether the contact point parsed.
func (c ContactPoint) Parsed() bool { return c.Problem == "" }

// Normalized returns the key duplicates are found by: the normalised
// e-mail address or the E.164 number; "" when the point did not parse.
func (c ContactPoint) Normalized() string {
	switch {
	case !c.Parsed():
		return ""
	case c.Kind == ContactEmail:
		return c.Email.Normalized()
	default:
		return c.Phone.Normalized()
	}
}

// key identifies the point for de-duplication within one lead.
func (c ContactPoint) key() string {
	if n := c.Normalized(); n != "" {
		return c.Kind.String() + ":" + n
	}
	return c.Kind.String() + "?" + c.Raw
}

// ParseContact reads one captured contact point of kind k; phone numbers
// without a country code are read in defaultRegion. Text that does not
// parse is returned flagged (Problem set), not as an error. The error is
// for text that cannot be kept at all: empty, longer than MaxContactLen
// bytes, not valid UTF-8 or holding NUL; and for an unknown kind.
func ParseContact(k ContactKind, raw, defaultRegion string) (ContactPoint, error) {
	const op = "lead.ParseContact"
	raw = strings.TrimSpace(raw)
	switch {
	case !k.Valid():
		return ContactPoint{}, crm.Invalid(op, "kind", "unknown contact kind")
	case raw == "":
		return ContactPoint{}, crm.Invalid(op, "", "must not be empty")
	case len(raw) > MaxContactLen:
		return ContactPoint{}, crm.Invalid(op, "", fmt.Sprintf("longer than %d bytes", MaxContactLen))
	case !utf8.ValidString(raw) || strings.ContainsRune(raw, 0):
		return ContactPoint{}, crm.Invalid(op, "", "must be UTF-8 without NUL")
	}
	cp := ContactPoint{Kind: k, Raw: raw}
	var err error
	if k == ContactEmail {
		cp.Email, err = customer.ParseEmail(raw)
	} else {
		cp.Phone, err = customer.ParsePhone(raw, defaultRegion)
	}
	if err != nil {
		cp.Problem = tidyProblem(problemOf(err))
	}
	return cp, nil
}

// MaxProblemLen bounds a contact point's Problem, in runes.
const MaxProblemLen = 500

// tidyProblem makes a parser's message storable: control characters
// become U+FFFD, the text is cut to MaxProblemLen runes, and it is never
// empty.
func tidyProblem(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, string(utf8.RuneError)))
	if utf8.RuneCountInString(s) > MaxProblemLen {
		s = string([]rune(s)[:MaxProblemLen-1]) + "…"
	}
	if strings.TrimSpace(s) == "" {
		s = "does not parse"
	}
	return s
}

// problemOf returns the field problems of a validation error as one line.
func problemOf(err error) string {
	var ve *crm.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	parts := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		parts[i] = f.String()
	}
	return strings.Join(parts, "; ")
}

// parseContacts reads every captured point, keeping one of each; paths of
// problems are "emails[i]" and "phones[i]".
func parseContacts(emails, phones []string, region string) ([]ContactPoint, error) {
	var v crm.Validator
	var out []ContactPoint
	seen := map[string]bool{}
	add := func(k ContactKind, path string, raw string) {
		cp, err := ParseContact(k, raw, region)
		if err != nil {
			v.Merge(path, err)
			return
		}
		if key := cp.key(); !seen[key] {
			seen[key] = true
			out = append(out, cp)
		}
	}
	for i, e := range emails {
		add(ContactEmail, fmt.Sprintf("emails[%d]", i), e)
	}
	for i, p := range phones {
		add(ContactPhone, fmt.Sprintf("phones[%d]", i), p)
	}
	return out, v.Err("lead.New")
}

// validate checks a stored contact point: a parsed one must round-trip to
// its value, a flagged one must keep its raw text.
func (c ContactPoint) validate(v *crm.Validator, path string) {
	if !v.Check(c.Kind.Valid(), path+".kind", "unknown contact kind") {
		return
	}
	v.Check(c.Raw != "" && len(c.Raw) <= MaxContactLen && utf8.ValidString(c.Raw) && !strings.ContainsRune(c.Raw, 0),
		path+".raw", "must be 1 to 320 bytes of UTF-8 without NUL")
	checkLine(v, path+".problem", c.Problem, MaxProblemLen)
	if c.Parsed() {
		switch c.Kind {
		case ContactEmail:
			v.Check(!c.Email.IsZero(), path+".email", "must be set when the point parsed")
		case ContactPhone:
			v.Check(!c.Phone.IsZero(), path+".phone", "must be set when the point parsed")
		}
	}
}
