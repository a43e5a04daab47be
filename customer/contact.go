package customer

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// Limits of the contact-point value types.
const (
	// MaxEmailLen is the longest e-mail address accepted, in bytes
	// (RFC 5321 section 4.5.3.1.3 with the RFC 3696 erratum).
	MaxEmailLen = 254
	// MaxEmailLocalLen is the longest local part (before the @), in bytes
	// (RFC 5321 section 4.5.3.1.1).
	MaxEmailLocalLen = 64
	// MaxEmailLabelLen is the longest label of an e-mail domain, in bytes
	// of its UTF-8 form (RFC 1035 section 2.3.4).
	MaxEmailLabelLen = 63

	// MinPhoneDigits is the fewest digits of an accepted E.164 number,
	// calling code included.
	MinPhoneDigits = 8
	// MaxPhoneDigits is the most digits of an E.164 number, calling code
	// included (the ITU-T E.164 maximum).
	MaxPhoneDigits = 15
	// MaxPhoneExtensionLen is the longest extension accepted, in digits.
	MaxPhoneExtensionLen = 10
	// MaxPhoneInputLen is the longest text ParsePhone reads, in bytes.
	MaxPhoneInputLen = 100

	// MaxAddressLines is the most street lines an [Address] may have.
	MaxAddressLines = 4
	// MaxAddressFieldLen is the longest street line, locality or
	// administrative area, in characters (runes).
	MaxAddressFieldLen = 200
	// MaxPostalCodeLen is the longest postal code, in characters.
	MaxPostalCodeLen = 20
	// MaxAddressLabelLen is the longest address label, in characters.
	MaxAddressLabelLen = 50
)

// ---------------------------------------------------------------------------
// Email

// Email is a validated e-mail address: an RFC 5322 addr-spec in dot-atom
// form, local@domain. Its zero value means "no address" ([Email.IsZero]).
// Emails are comparable with ==, which compares [Email.String] forms; use
// [Email.Normalized] to find duplicates.
//
// What [ParseEmail] accepts:
//   - surrounding white space is trimmed; nothing else is changed in the
//     local part, which is kept as entered for display;
//   - the domain is lower-cased; Unicode domains are accepted as they are,
//     lower-cased, without IDNA conversion;
//   - at most [MaxEmailLen] bytes in all, [MaxEmailLocalLen] in the local
//     part, labels of 1 to [MaxEmailLabelLen] bytes;
//   - local parts are dot-atoms: ASCII letters, digits and
//     !#$%&'*+-/=?^_`{|}~, or any printable non-ASCII character (RFC
//     6531), with single dots between atoms;
//   - domains have at least two labels of letters, digits and inner
//     hyphens, and a top-level label that is not all digits.
//
// Refused: display names ("Bob <bob@example.com>"), quoted local parts
// ("a b"@example.com), address literals (user@[192.0.2.1]), comments,
// spaces, control characters, consecutive, leading or trailing dots.
type Email struct {
	local  string
	domain string
}

// ParseEmail validates s and returns it as an [Email]. A refusal is a
// [*crm.ValidationError] (errors.Is(err, crm.ErrInvalid)) whose path is ""
// for the whole address, "local" or "domain" for one part.
func ParseEmail(s string) (Email, error) {
	const op = "customer.ParseEmail"
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Email{}, crm.Invalid(op, "", "must not be empty")
	case !utf8.ValidString(s):
		return Email{}, crm.Invalid(op, "", "not valid UTF-8")
	case strings.ContainsAny(s, "<>"):
		return Email{}, crm.Invalid(op, "", "display names are not accepted: give the bare address")
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		return Email{}, crm.Invalid(op, "", "must not contain spaces")
	case strings.IndexFunc(s, isControlOrFormat) >= 0:
		return Email{}, crm.Invalid(op, "", "must not contain control characters")
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return Email{}, crm.Invalid(op, "", "must contain @")
	}
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if strings.IndexByte(local, '@') >= 0 {
		return Email{}, crm.Invalid(op, "", "must contain exactly one @")
	}
	if problem := emailLocalProblem(local); problem != "" {
		return Email{}, crm.Invalid(op, "local", problem)
	}
	if problem := emailDomainProblem(domain); problem != "" {
		return Email{}, crm.Invalid(op, "domain", problem)
	}
	if n := len(local) + 1 + len(domain); n > MaxEmailLen {
		return Email{}, crm.Invalid(op, "", "longer than "+strconv.Itoa(MaxEmailLen)+" bytes")
	}
	return Email{local: local, domain: domain}, nil
}

// emailAtext lists the ASCII characters other than letters and digits that
// an atom may hold (RFC 5322 section 3.2.3).
const emailAtext = "!#$%&'*+-/=?^_`{|}~"

func emailLocalProblem(local string) string {
	switch {
	case local == "":
		return "must not be empty"
	case len(local) > MaxEmailLocalLen:
		return "longer than " + strconv.Itoa(MaxEmailLocalLen) + " bytes"
	case strings.HasPrefix(local, `"`):
		return "quoted local parts are not accepted"
	case local[0] == '.' || local[len(local)-1] == '.':
		return "must not begin or end with a dot"
	case strings.Contains(local, ".."):
		return "must not contain consecutive dots"
	}
	for _, r := range local {
		switch {
		case r == '.':
		case r < utf8.RuneSelf:
			if !isASCIIAlnum(byte(r)) && strings.IndexByte(emailAtext, byte(r)) < 0 {
				return "must not contain " + strconv.QuoteRune(r)
			}
		case !unicode.IsGraphic(r):
			return "must not contain " + strconv.QuoteRune(r)
		}
	}
	return ""
}

func emailDomainProblem(domain string) string {
	switch {
	case domain == "":
		return "must not be empty"
	case domain[0] == '[':
		return "address literals are not accepted"
	case domain[0] == '.' || domain[len(domain)-1] == '.':
		return "must not begin or end with a dot"
	case strings.Contains(domain, ".."):
		return "must not contain consecutive dots"
	}
	labels, last := 0, ""
	for label := range strings.SplitSeq(domain, ".") {
		labels++
		last = label
		if len(label) > MaxEmailLabelLen {
			return "label longer than " + strconv.Itoa(MaxEmailLabelLen) + " bytes"
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "label must not begin or end with a hyphen"
		}
		for _, r := range label {
			ok := r == '-' || r < utf8.RuneSelf && isASCIIAlnum(byte(r)) ||
				r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r))
			if !ok {
				return "must not contain " + strconv.QuoteRune(r)
			}
		}
	}
	if labels < 2 {
		return "must have at least two labels, as in example.com"
	}
	if strings.IndexFunc(last, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		return "top-level label must not be all digits"
	}
	return ""
}

// String returns the address as entered, with the domain lower-cased; ""
// for the zero Email.
func (e Email) String() string {
	if e.IsZero() {
		return ""
	}
	return e.local + "@" + e.domain
}

// Normalized returns the key used to find duplicate addresses: the whole
// address lower-cased. Provider-specific rules (dots or "+tags" that some
// providers ignore) are not applied, because they hold only for some
// domains. It returns "" for the zero Email.
func (e Email) Normalized() string {
	if e.IsZero() {
		return ""
	}
	return strings.ToLower(e.local) + "@" + e.domain
}

// Local returns the part before the @, as entered.
func (e Email) Local() string { return e.local }

// Domain returns the lower-cased part after the @.
func (e Email) Domain() string { return e.domain }

// IsZero reports whether e is the zero Email (no address).
func (e Email) IsZero() bool { return e.local == "" && e.domain == "" }

// MarshalText returns [Email.String]; the zero Email marshals to empty text.
func (e Email) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText parses text with [ParseEmail]; empty text gives the zero
// Email. On error e is left unchanged.
func (e *Email) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*e = Email{}
		return nil
	}
	v, err := ParseEmail(string(text))
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// ---------------------------------------------------------------------------
// Phone

// Phone is a validated telephone number in E.164 form (+, calling code,
// national significant number; [MinPhoneDigits] to [MaxPhoneDigits] digits
// in all), the ISO 3166-1 alpha-2 region it belongs to, and an optional
// extension kept apart. Its zero value means "no number" ([Phone.IsZero]).
// Phones are comparable with ==; use [Phone.Normalized] to find duplicates.
//
// The region is a best guess where a calling code is shared (+1, +7, +44,
// …): the library carries no per-area numbering plans, so "+1 416 …" parsed
// without a default region is placed in "US", not "CA". Numbers are checked
// for their length, not against numbering plans, except that +1 (the North
// American Numbering Plan) and +7 (Russia, Kazakhstan) need exactly 10
// national digits. Numbers of fewer than [MinPhoneDigits] digits, which a
// few small territories use, are refused. Non-geographic calling codes
// (+800, +882, …) are refused too: they belong to no region.
type Phone struct {
	number string // E.164, without extension
	region string
	code   int
	ext    string
}

// ParsePhone reads a telephone number as people write it and returns it in
// E.164 form.
//
// International numbers start with "+", with "00", or with the default
// region's own international prefix ("011" in North America, "0011" in
// Australia, "010" in Japan, "810" in Russia, …). Their region is the
// default region when it shares the calling code, otherwise the code's main
// region ([RegionForCallingCode]). A trunk "0" written after a calling code
// that is dialled with one ("+44 (0)20 …") is dropped.
//
// Any other number is national and needs defaultRegion: its national trunk
// prefix is stripped when present ("0" in most of Europe and Asia, e.g.
// "(020) 7946 0958" in "GB" is +442079460958; "1" in North America; "8" in
// Russia; none in Italy, where the leading 0 is part of the number).
//
// Digits may be grouped with spaces, dots, hyphens, slashes and
// parentheses; full-width digits are read as digits. An extension may
// follow as "x123", "ext. 123", "ext 123", "extension 123" or ";ext=123"
// (the form [Phone.String] writes).
//
// defaultRegion is an ISO 3166-1 alpha-2 code of the region table, in any
// case, or "" when only international numbers are expected. Unknown regions
// and calling codes, letters, and numbers too short or too long are refused
// with a [*crm.ValidationError] (errors.Is(err, crm.ErrInvalid)) whose path
// is "" for the number, "region" or "extension".
func ParsePhone(s string, defaultRegion string) (Phone, error) {
	const op = "customer.ParsePhone"
	var home callingRegion
	if defaultRegion != "" {
		r, ok := lookupRegion(strings.ToUpper(strings.TrimSpace(defaultRegion)))
		if !ok {
			return Phone{}, crm.Invalid(op, "region", "unknown region "+strconv.Quote(defaultRegion))
		}
		home = r
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Phone{}, crm.Invalid(op, "", "must not be empty")
	case len(s) > MaxPhoneInputLen:
		return Phone{}, crm.Invalid(op, "", "longer than "+strconv.Itoa(MaxPhoneInputLen)+" bytes")
	case !utf8.ValidString(s):
		return Phone{}, crm.Invalid(op, "", "not valid UTF-8")
	}

	// Read the number part: digits, separators and a leading plus.
	var buf [MaxPhoneInputLen]byte
	digits := buf[:0]
	plus := false
	end := len(s)
scan:
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r >= '０' && r <= '９':
			digits = append(digits, byte('0'+(r-'０')))
		case r == '+' || r == '＋':
			if plus || len(digits) > 0 {
				return Phone{}, crm.Invalid(op, "", "a plus sign may only begin the number")
			}
			plus = true
		case isPhoneSeparator(r):
		default:
			end = i
			break scan
		}
	}
	ext, path, problem := phoneExtension(s[end:])
	if problem != "" {
		return Phone{}, crm.Invalid(op, path, problem)
	}
	if len(digits) == 0 {
		return Phone{}, crm.Invalid(op, "", "must contain digits")
	}

	var nsn []byte
	var row callingRegion
	international := plus
	switch {
	case plus:
	case home.idd != "" && strings.HasPrefix(string(digits), home.idd):
		digits, international = digits[len(home.idd):], true
	case len(digits) >= 2 && digits[0] == '0' && digits[1] == '0':
		digits, international = digits[2:], true
	}
	if international {
		code, n := 0, 0
		for n = 1; n <= 3 && n <= len(digits) && digits[0] != '0'; n++ {
			c, _ := strconv.Atoi(string(digits[:n]))
			if r, ok := primaryForCode(c); ok {
				code, row = c, r
				break
			}
		}
		if code == 0 {
			return Phone{}, crm.Invalid(op, "", "unknown country calling code")
		}
		if home.code == code {
			row = home
		}
		nsn = digits[n:]
		if row.trunk == "0" && len(nsn) > 0 && nsn[0] == '0' {
			nsn = nsn[1:]
		}
	} else {
		if home.region == "" {
			return Phone{}, crm.Invalid(op, "region", "a national number needs a default region; or write it with + and the calling code")
		}
		row, nsn = home, digits
		// Where the length is fixed, a leading "1" or "8" is a trunk prefix
		// only when it makes the number one digit too long: Russian numbers
		// may start with 8 themselves (freephone 800 555 35 35 is dialled
		// 8 800 555 35 35).
		fixed := phoneFixedNSNLen(row.code)
		if t := row.trunk; t != "" && strings.HasPrefix(string(nsn), t) && (fixed == 0 || len(nsn) == len(t)+fixed) {
			nsn = nsn[len(t):]
		}
	}
	// Where the trunk prefix is 0, no national significant number starts
	// with 0: one written after the calling code ("+44 (0)20 …") was
	// dropped above, and a second one means a malformed number. Refusing it
	// keeps parsing idempotent: the E.164 form parses back to itself.
	if row.trunk == "0" && len(nsn) > 0 && nsn[0] == '0' {
		return Phone{}, crm.Invalid(op, "", "the number after the calling code +"+strconv.Itoa(row.code)+" must not start with 0")
	}
	if want := phoneFixedNSNLen(row.code); want != 0 && len(nsn) != want {
		return Phone{}, crm.Invalid(op, "", "numbers with calling code +"+strconv.Itoa(row.code)+" have "+strconv.Itoa(want)+" digits after it")
	}
	codeText := strconv.Itoa(row.code)
	total := len(codeText) + len(nsn)
	switch {
	case len(nsn) == 0 || total < MinPhoneDigits:
		return Phone{}, crm.Invalid(op, "", "too short: E.164 numbers have at least "+strconv.Itoa(MinPhoneDigits)+" digits")
	case total > MaxPhoneDigits:
		return Phone{}, crm.Invalid(op, "", "too long: E.164 numbers have at most "+strconv.Itoa(MaxPhoneDigits)+" digits")
	}
	return Phone{number: "+" + codeText + string(nsn), region: row.region, code: row.code, ext: ext}, nil
}

// phoneFixedNSNLen returns the fixed length of national significant numbers
// for the shared calling codes whose plans fix it (NANP: 10; Russia and
// Kazakhstan: 10), or 0.
func phoneFixedNSNLen(code int) int {
	switch code {
	case 1, 7:
		return 10
	}
	return 0
}

// isPhoneSeparator reports whether r may group the digits of a number.
func isPhoneSeparator(r rune) bool {
	switch r {
	case '.', '(', ')', '/', '（', '）', '．', '／', '－':
		return true
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Pd, r)
}

// phoneExtension reads the text after the digits of a number: nothing, or
// an extension. It returns the extension digits, or the path and text of a
// problem.
func phoneExtension(rest string) (ext, path, problem string) {
	if rest == "" {
		return "", "", ""
	}
	t := strings.TrimLeft(rest, " ,")
	marker := ""
	// The words that may introduce an extension, longest first, matched
	// without regard to ASCII case.
	for _, m := range [...]string{";ext=", "extension", "ext.", "ext", "x"} {
		if len(t) >= len(m) && asciiEqualFold(t[:len(m)], m) {
			marker = m
			break
		}
	}
	if marker == "" {
		return "", "", "must contain only digits, spaces and + ( ) . - /"
	}
	t = strings.TrimLeft(t[len(marker):], " :.=")
	switch {
	case t == "":
		return "", "extension", "must not be empty"
	case len(t) > MaxPhoneExtensionLen:
		return "", "extension", "longer than " + strconv.Itoa(MaxPhoneExtensionLen) + " digits"
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return "", "extension", "must contain only digits"
		}
	}
	return t, "", ""
}

// E164 returns the number in E.164 form, e.g. "+442079460958", without
// the extension; "" for the zero Phone.
func (p Phone) E164() string { return p.number }

// Region returns the ISO 3166-1 alpha-2 region of the number.
func (p Phone) Region() string { return p.region }

// CountryCode returns the international calling code, e.g. 44.
func (p Phone) CountryCode() int { return p.code }

// Extension returns the extension digits, or "".
func (p Phone) Extension() string { return p.ext }

// String returns the E.164 number followed by ";ext=" and the extension
// when there is one (the RFC 3966 parameter); [ParsePhone] reads it back.
// It returns "" for the zero Phone.
func (p Phone) String() string {
	if p.ext == "" {
		return p.number
	}
	return p.number + ";ext=" + p.ext
}

// Normalized returns the key used to find duplicate numbers: the E.164
// number without extension. Numbers that differ only in extension reach
// the same line.
func (p Phone) Normalized() string { return p.number }

// IsZero reports whether p is the zero Phone (no number).
func (p Phone) IsZero() bool { return p.number == "" }

// phoneRegionParam is the suffix MarshalText adds when the region is not
// the main region of the calling code.
const phoneRegionParam = ";region="

// MarshalText returns [Phone.String], followed by ";region=XX" when the
// region is not the one [RegionForCallingCode] would pick, so that text
// round trips keep it ("+14165550100;region=CA"). The zero Phone marshals
// to empty text.
func (p Phone) MarshalText() ([]byte, error) {
	s := p.String()
	if main, ok := RegionForCallingCode(p.code); ok && p.region != "" && p.region != main {
		s += phoneRegionParam + p.region
	}
	return []byte(s), nil
}

// UnmarshalText reads the form [Phone.MarshalText] writes; empty text gives
// the zero Phone. A ";region=XX" suffix names the region, which must use
// the number's calling code. On error p is left unchanged.
func (p *Phone) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*p = Phone{}
		return nil
	}
	s, region := string(text), ""
	if i := strings.LastIndex(s, phoneRegionParam); i >= 0 {
		s, region = s[:i], s[i+len(phoneRegionParam):]
		if !IsKnownRegion(region) {
			return crm.Invalid("customer.Phone.UnmarshalText", "region", "unknown region "+strconv.Quote(region))
		}
	}
	v, err := ParsePhone(s, region)
	if err != nil {
		return err
	}
	if region != "" && v.region != region {
		return crm.Invalid("customer.Phone.UnmarshalText", "region", "region "+region+" does not use calling code +"+strconv.Itoa(v.code))
	}
	*p = v
	return nil
}

// ---------------------------------------------------------------------------
// Address

// Address is a postal address. It is a plain value with exported fields;
// build one with [NewAddress], which tidies and validates, or fill the
// fields and call [Address.Validate]. Copies share the Lines slice: use
// [Address.Clone] for an independent copy.
type Address struct {
	// Label says what the address is for, e.g. "home" or "billing";
	// optional, at most [MaxAddressLabelLen] characters.
	Label string `json:"label,omitempty"`
	// Lines holds the street part: 1 to [MaxAddressLines] non-blank lines of
	// at most [MaxAddressFieldLen] characters.
	Lines []string `json:"lines"`
	// Locality is the city or town; optional.
	Locality string `json:"locality,omitempty"`
	// AdministrativeArea is the state, province, prefecture or county;
	// optional.
	AdministrativeArea string `json:"administrative_area,omitempty"`
	// PostalCode is the postal or ZIP code; optional, at most
	// [MaxPostalCodeLen] ASCII letters, digits, spaces and hyphens.
	PostalCode string `json:"postal_code,omitempty"`
	// Country is the upper-case ISO 3166-1 alpha-2 code (see
	// [IsKnownRegion]); required.
	Country string `json:"country"`
}

// NewAddress tidies a (trims every field, drops blank street lines,
// upper-cases the country and postal code), validates the result with
// [Address.Validate] and returns it. The returned Lines slice is new; a is
// not changed.
func NewAddress(a Address) (Address, error) {
	out := Address{
		Label:              strings.TrimSpace(a.Label),
		Locality:           strings.TrimSpace(a.Locality),
		AdministrativeArea: strings.TrimSpace(a.AdministrativeArea),
		PostalCode:         strings.ToUpper(strings.TrimSpace(a.PostalCode)),
		Country:            strings.ToUpper(strings.TrimSpace(a.Country)),
	}
	for _, l := range a.Lines {
		if l = strings.TrimSpace(l); l != "" {
			out.Lines = append(out.Lines, l)
		}
	}
	if err := out.validate("customer.NewAddress"); err != nil {
		return Address{}, err
	}
	return out, nil
}

// Validate reports every problem of a in one [*crm.ValidationError], with
// paths "lines", "lines[i]", "locality", "administrative_area",
// "postal_code", "country" and "label". It does not tidy: the country must
// already be an upper-case code of the region table, and no line may be
// blank. Text fields must be valid UTF-8 without control characters.
func (a Address) Validate() error { return a.validate("customer.Address.Validate") }

func (a Address) validate(op string) error {
	var v crm.Validator
	switch {
	case len(a.Lines) == 0:
		v.Addf("lines", "at least one line is required")
	case len(a.Lines) > MaxAddressLines:
		v.Addf("lines", "at most %d lines", MaxAddressLines)
	}
	for i, l := range a.Lines {
		path := "lines[" + strconv.Itoa(i) + "]"
		if strings.TrimSpace(l) == "" {
			v.Addf(path, "must not be blank")
			continue
		}
		addressText(&v, path, l, MaxAddressFieldLen)
	}
	addressText(&v, "locality", a.Locality, MaxAddressFieldLen)
	addressText(&v, "administrative_area", a.AdministrativeArea, MaxAddressFieldLen)
	addressText(&v, "label", a.Label, MaxAddressLabelLen)
	if utf8.RuneCountInString(a.PostalCode) > MaxPostalCodeLen {
		v.Addf("postal_code", "longer than %d characters", MaxPostalCodeLen)
	} else if strings.IndexFunc(a.PostalCode, func(r rune) bool {
		return !(r < utf8.RuneSelf && isASCIIAlnum(byte(r)) || r == ' ' || r == '-')
	}) >= 0 {
		v.Addf("postal_code", "must contain only letters, digits, spaces and hyphens")
	}
	switch {
	case a.Country == "":
		v.Addf("country", "must not be empty")
	case !IsKnownRegion(a.Country):
		v.Addf("country", "unknown country %q: want an upper-case ISO 3166-1 alpha-2 code", a.Country)
	}
	return v.Err(op)
}

// addressText checks one free-text field of an address.
func addressText(v *crm.Validator, path, s string, maxRunes int) {
	switch {
	case !utf8.ValidString(s):
		v.Addf(path, "not valid UTF-8")
	case utf8.RuneCountInString(s) > maxRunes:
		v.Addf(path, "longer than %d characters", maxRunes)
	case strings.IndexFunc(s, isControlOrFormat) >= 0:
		v.Addf(path, "must not contain control characters")
	}
}

// Normalized returns a key for comparing addresses: the street lines,
// locality, administrative area, postal code and country, each lower-cased
// with Latin diacritics folded, punctuation dropped and white space
// collapsed as [NormalizeName] does, the postal code without spaces or
// hyphens, joined by "|". The label is left out, so one place used for
// "home" and "billing" gives one key. Abbreviations are not expanded:
// "Street" and "St" differ.
func (a Address) Normalized() string {
	var b strings.Builder
	for _, l := range a.Lines {
		if n := NormalizeName(l); n != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(n)
		}
	}
	b.WriteByte('|')
	b.WriteString(NormalizeName(a.Locality))
	b.WriteByte('|')
	b.WriteString(NormalizeName(a.AdministrativeArea))
	b.WriteByte('|')
	for _, r := range a.PostalCode {
		if r < utf8.RuneSelf && isASCIIAlnum(byte(r)) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	b.WriteByte('|')
	b.WriteString(strings.ToLower(strings.TrimSpace(a.Country)))
	return b.String()
}

// IsZero reports whether every field of a is empty.
func (a Address) IsZero() bool {
	return a.Label == "" && len(a.Lines) == 0 && a.Locality == "" &&
		a.AdministrativeArea == "" && a.PostalCode == "" && a.Country == ""
}

// Clone returns a copy of a that shares no memory with it.
func (a Address) Clone() Address {
	if a.Lines != nil {
		a.Lines = append([]string(nil), a.Lines...)
	}
	return a
}

// Equal reports whether a and b hold the same fields, label included.
func (a Address) Equal(b Address) bool {
	if a.Label != b.Label || a.Locality != b.Locality || a.AdministrativeArea != b.AdministrativeArea ||
		a.PostalCode != b.PostalCode || a.Country != b.Country || len(a.Lines) != len(b.Lines) {
		return false
	}
	for i := range a.Lines {
		if a.Lines[i] != b.Lines[i] {
			return false
		}
	}
	return true
}

// String returns the address on one line, fields separated by ", ", with
// the postal code after the administrative area, e.g. "10 Downing Street,
// London, SW1A 2AA, GB". The label is left out.
func (a Address) String() string {
	parts := make([]string, 0, len(a.Lines)+3)
	parts = append(parts, a.Lines...)
	for _, s := range []string{a.Locality, strings.TrimSpace(a.AdministrativeArea + " " + a.PostalCode), a.Country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// ---------------------------------------------------------------------------
// Shared helpers

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isControlOrFormat reports control characters and invisible format
// characters (zero-width spaces, bidirectional overrides, …).
func isControlOrFormat(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// asciiEqualFold compares two strings ignoring ASCII case only.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
