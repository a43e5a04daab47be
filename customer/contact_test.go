package customer

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

// requireInvalid checks that err is a *crm.ValidationError matching
// crm.ErrInvalid with a problem at path whose text contains want.
func requireInvalid(t testing.TB, err error, path, want string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has(path), "no problem at path %q in %v", path, err)
	require.Contains(t, err.Error(), want)
}

// ---------------------------------------------------------------------------
// Email

func TestParseEmailAccepts(t *testing.T) {
	t.Parallel()
	local64 := strings.Repeat("a", MaxEmailLocalLen)
	label63 := strings.Repeat("b", MaxEmailLabelLen)
	// 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 bytes.
	longest := local64 + "@" + label63 + "." + label63 + "." + strings.Repeat("c", 61)
	tests := []struct {
		name, in                 string
		str, norm, local, domain string
	}{
		{"plain", "bob@example.com", "bob@example.com", "bob@example.com", "bob", "example.com"},
		{"trimmed, domain lower-cased", "  Bob.Smith@Example.COM \t", "Bob.Smith@example.com", "bob.smith@example.com", "Bob.Smith", "example.com"},
		{"plus tag and subdomains", "user+tag@mail.example.co.uk", "user+tag@mail.example.co.uk", "user+tag@mail.example.co.uk", "user+tag", "mail.example.co.uk"},
		{"atext specials", "o'brien!#$%&*+-/=?^_`{|}~@example.ie", "o'brien!#$%&*+-/=?^_`{|}~@example.ie", "o'brien!#$%&*+-/=?^_`{|}~@example.ie", "o'brien!#$%&*+-/=?^_`{|}~", "example.ie"},
		{"unicode local and domain", "用户@例子.广告", "用户@例子.广告", "用户@例子.广告", "用户", "例子.广告"},
		{"unicode domain lower-cased", "JÖRG@MÜLLER.DE", "JÖRG@müller.de", "jörg@müller.de", "JÖRG", "müller.de"},
		{"punycode domain", "a@xn--bcher-kva.example", "a@xn--bcher-kva.example", "a@xn--bcher-kva.example", "a", "xn--bcher-kva.example"},
		{"digit labels and hyphens", "x@1-2.3com", "x@1-2.3com", "x@1-2.3com", "x", "1-2.3com"},
		{"longest local part", local64 + "@example.com", local64 + "@example.com", local64 + "@example.com", local64, "example.com"},
		{"longest address", longest, longest, longest, local64, longest[65:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := ParseEmail(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.str, e.String())
			require.Equal(t, tc.norm, e.Normalized())
			require.Equal(t, tc.local, e.Local())
			require.Equal(t, tc.domain, e.Domain())
			require.False(t, e.IsZero())
			again, err := ParseEmail(e.String())
			require.NoError(t, err)
			require.Equal(t, e, again)
		})
	}
}

func TestParseEmailRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, path, want string
	}{
		{"empty", "", "", "must not be empty"},
		{"blank", " \t ", "", "must not be empty"},
		{"no at", "bob.example.com", "", "must contain @"},
		{"two ats", "a@b@example.com", "", "exactly one @"},
		{"no local", "@example.com", "local", "must not be empty"},
		{"no domain", "bob@", "domain", "must not be empty"},
		{"display name", "Bob <bob@example.com>", "", "display names"},
		{"angle brackets", "<bob@example.com>", "", "display names"},
		{"space", "bob smith@example.com", "", "spaces"},
		{"non-breaking space", "bob\u00a0smith@example.com", "", "spaces"},
		{"quoted local", `"bob"@example.com`, "local", "quoted"},
		{"comment", "bob(home)@example.com", "local", "must not contain '('"},
		{"comma", "bob,al@example.com", "local", "must not contain ','"},
		{"consecutive dots in local", "bob..smith@example.com", "local", "consecutive dots"},
		{"leading dot", ".bob@example.com", "local", "begin or end with a dot"},
		{"trailing dot in local", "bob.@example.com", "local", "begin or end with a dot"},
		{"consecutive dots in domain", "bob@example..com", "domain", "consecutive dots"},
		{"domain leading dot", "bob@.example.com", "domain", "begin or end with a dot"},
		{"domain trailing dot", "bob@example.com.", "domain", "begin or end with a dot"},
		{"single label", "bob@localhost", "domain", "two labels"},
		{"address literal", "bob@[192.0.2.1]", "domain", "address literals"},
		{"underscore in domain", "bob@exa_mple.com", "domain", "must not contain '_'"},
		{"leading hyphen label", "bob@-example.com", "domain", "hyphen"},
		{"trailing hyphen label", "bob@example-.com", "domain", "hyphen"},
		{"numeric top-level label", "bob@192.0.2.1", "domain", "all digits"},
		{"symbol in unicode domain", "bob@exa★mple.com", "domain", "must not contain"},
		{"local too long", strings.Repeat("a", MaxEmailLocalLen+1) + "@example.com", "local", "longer than 64"},
		{"label too long", "bob@" + strings.Repeat("b", MaxEmailLabelLen+1) + ".com", "domain", "longer than 63"},
		{"address too long", strings.Repeat("a", 64) + "@" + strings.Repeat("b.", 94) + "com", "", "longer than 254"},
		{"control character", "bob\x00@example.com", "", "control characters"},
		{"zero-width space", "bob\u200b@example.com", "", "control characters"},
		{"invalid UTF-8", "b\xffob@example.com", "", "UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := ParseEmail(tc.in)
			requireInvalid(t, err, tc.path, tc.want)
			require.True(t, e.IsZero())
		})
	}
}

func TestEmailZeroAndText(t *testing.T) {
	t.Parallel()
	var zero Email
	require.True(t, zero.IsZero())
	require.Empty(t, zero.String())
	require.Empty(t, zero.Normalized())

	type doc struct {
		Primary Email `json:"primary"`
		Other   Email `json:"other"`
	}
	in := doc{Primary: mustEmail(t, "Ann.Lee@Example.org")}
	raw, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"primary":"Ann.Lee@example.org","other":""}`, string(raw))
	var out doc
	require.NoError(t, json.Unmarshal(raw, &out))
	require.Equal(t, in, out)

	e := mustEmail(t, "keep@example.com")
	err = json.Unmarshal([]byte(`"not an address"`), &e)
	require.ErrorIs(t, err, crm.ErrInvalid)
	require.Equal(t, "keep@example.com", e.String(), "a refused UnmarshalText leaves the value unchanged")
}

func mustEmail(t testing.TB, s string) Email {
	t.Helper()
	e, err := ParseEmail(s)
	require.NoError(t, err)
	return e
}

// ---------------------------------------------------------------------------
// Phone

func TestParsePhoneAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, region string
		e164, wantRegion string
		code             int
		ext              string
	}{
		{"china mobile, international", "+86 138 0013 8000", "", "+8613800138000", "CN", 86, ""},
		{"china mobile, national", "138 0013 8000", "CN", "+8613800138000", "CN", 86, ""},
		{"region in lower case", "138-0013-8000", "cn", "+8613800138000", "CN", 86, ""},
		{"london, national with trunk 0", "(020) 7946 0958", "GB", "+442079460958", "GB", 44, ""},
		{"london, (0) after calling code", "+44 (0)20 7946 0958", "", "+442079460958", "GB", 44, ""},
		{"london, 0 after calling code", "+44 020 7946 0958", "", "+442079460958", "GB", 44, ""},
		{"berlin, 00 international prefix", "00 49 30 1234567", "", "+49301234567", "DE", 49, ""},
		{"berlin, national", "030/1234567", "DE", "+49301234567", "DE", 49, ""},
		{"berlin, 00 with another default region", "0049 30 1234567", "FR", "+49301234567", "DE", 49, ""},
		{"paris, national", "01 23 45 67 89", "FR", "+33123456789", "FR", 33, ""},
		{"tokyo, national", "03-1234-5678", "JP", "+81312345678", "JP", 81, ""},
		{"tokyo, japanese international prefix 010", "010 81 3 1234 5678", "JP", "+81312345678", "JP", 81, ""},
		{"rome keeps its leading 0", "06 6982 1234", "IT", "+390669821234", "IT", 39, ""},
		{"rome, international", "+39 06 6982 1234", "", "+390669821234", "IT", 39, ""},
		{"vatican shares +39", "+39 06 6982 1234", "VA", "+390669821234", "VA", 39, ""},
		{"new york, national", "(212) 555-0100", "US", "+12125550100", "US", 1, ""},
		{"new york, trunk 1", "1-212-555-0100", "US", "+12125550100", "US", 1, ""},
		{"new york, dots", "212.555.0100", "US", "+12125550100", "US", 1, ""},
		{"toronto with default CA", "+1 416 555 0100", "CA", "+14165550100", "CA", 1, ""},
		{"toronto without default region", "+1 416 555 0100", "", "+14165550100", "US", 1, ""},
		{"north american international prefix 011", "011 44 20 7946 0958", "US", "+442079460958", "GB", 44, ""},
		{"australian international prefix 0011", "0011 44 20 7946 0958", "AU", "+442079460958", "GB", 44, ""},
		{"sydney, national", "(02) 9876 5432", "AU", "+61298765432", "AU", 61, ""},
		{"moscow, trunk 8", "8 (495) 123-45-67", "RU", "+74951234567", "RU", 7, ""},
		{"moscow, no trunk", "495 123 45 67", "RU", "+74951234567", "RU", 7, ""},
		{"russian freephone keeps its 8", "800 555 35 35", "RU", "+78005553535", "RU", 7, ""},
		{"kazakhstan with default KZ", "+7 701 123 4567", "KZ", "+77011234567", "KZ", 7, ""},
		{"kazakhstan without default region", "+7 701 123 4567", "", "+77011234567", "RU", 7, ""},
		{"guernsey shares +44", "+44 1481 123456", "GG", "+441481123456", "GG", 44, ""},
		{"budapest, trunk 06", "06 1 234 5678", "HU", "+3612345678", "HU", 36, ""},
		{"amsterdam, (0)", "+31 (0)20 123 4567", "", "+31201234567", "NL", 31, ""},
		{"full-width digits", "＋８６ １３８ ００１３ ８０００", "", "+8613800138000", "CN", 86, ""},
		{"en dash and non-breaking space", "020\u00a07946–0958", "GB", "+442079460958", "GB", 44, ""},
		{"fifteen digits", "+49 1234 5678 9012 3", "", "+491234567890123", "DE", 49, ""},
		{"eight digits", "+372 51234", "", "+37251234", "EE", 372, ""},
		{"extension x", "+44 20 7946 0958 x123", "", "+442079460958", "GB", 44, "123"},
		{"extension X without space", "+44 20 7946 0958X123", "", "+442079460958", "GB", 44, "123"},
		{"extension ext.", "(020) 7946 0958 ext. 45", "GB", "+442079460958", "GB", 44, "45"},
		{"extension Ext", "020 7946 0958 Ext 45", "GB", "+442079460958", "GB", 44, "45"},
		{"extension word", "020 7946 0958, extension: 45", "GB", "+442079460958", "GB", 44, "45"},
		{"extension rfc 3966", "+442079460958;ext=45", "", "+442079460958", "GB", 44, "45"},
		{"longest extension", "+442079460958 x1234567890", "", "+442079460958", "GB", 44, "1234567890"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePhone(tc.in, tc.region)
			require.NoError(t, err)
			require.Equal(t, tc.e164, p.E164())
			require.Equal(t, tc.e164, p.Normalized())
			require.Equal(t, tc.wantRegion, p.Region())
			require.Equal(t, tc.code, p.CountryCode())
			require.Equal(t, tc.ext, p.Extension())
			require.False(t, p.IsZero())
			want := tc.e164
			if tc.ext != "" {
				want += ";ext=" + tc.ext
			}
			require.Equal(t, want, p.String())

			again, err := ParsePhone(p.String(), p.Region())
			require.NoError(t, err)
			require.Equal(t, p, again)

			text, err := p.MarshalText()
			require.NoError(t, err)
			var back Phone
			require.NoError(t, back.UnmarshalText(text))
			require.Equal(t, p, back)
		})
	}
}

func TestParsePhoneRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, region, path, want string
	}{
		{"empty", "", "GB", "", "must not be empty"},
		{"blank", "   ", "GB", "", "must not be empty"},
		{"letters", "1-800-FLOWERS", "US", "", "only digits"},
		{"letters only", "call me", "GB", "", "only digits"},
		{"national without region", "020 7946 0958", "", "region", "needs a default region"},
		{"unknown region", "020 7946 0958", "ZZ", "region", "unknown region"},
		{"alpha-3 region", "020 7946 0958", "GBR", "region", "unknown region"},
		{"unknown region with international number", "+44 20 7946 0958", "XX", "region", "unknown region"},
		{"unknown calling code", "+999 1234 5678", "", "", "unknown country calling code"},
		{"calling code starting with 0", "+0 20 7946 0958", "", "", "unknown country calling code"},
		{"second trunk 0 after the calling code", "+81 0 0000000", "", "", "must not start with 0"},
		{"only an international prefix", "00", "", "", "unknown country calling code"},
		{"plus alone", "+", "", "", "must contain digits"},
		{"extension alone", "x123", "GB", "", "must contain digits"},
		{"plus inside", "+44 20+7946 0958", "", "", "plus sign"},
		{"two pluses", "++44 20 7946 0958", "", "", "plus sign"},
		{"too short", "+44 12345", "", "", "too short"},
		{"calling code alone", "+44", "", "", "too short"},
		{"too long", "+44 1234 5678 9012 34", "", "", "too long"},
		{"north american number too short", "+1 212 555 010", "", "", "10 digits"},
		{"north american number too long", "+1 212 555 01000", "", "", "10 digits"},
		{"russian number too short", "8 495 123 45", "RU", "", "10 digits"},
		{"empty extension", "+44 20 7946 0958 x", "", "extension", "must not be empty"},
		{"extension too long", "+44 20 7946 0958 x12345678901", "", "extension", "longer than 10"},
		{"extension with letters", "+44 20 7946 0958 ext 12a", "", "extension", "only digits"},
		{"input too long", "+44 " + strings.Repeat(" ", 100) + "20 7946 0958", "", "", "longer than 100"},
		{"invalid UTF-8", "+44 20 \xff7946 0958", "", "", "UTF-8"},
		{"region parameter is not phone syntax", "+14165550100;region=CA", "", "", "only digits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePhone(tc.in, tc.region)
			requireInvalid(t, err, tc.path, tc.want)
			require.True(t, p.IsZero())
		})
	}
}

func TestPhoneText(t *testing.T) {
	t.Parallel()
	var zero Phone
	require.True(t, zero.IsZero())
	require.Empty(t, zero.String())
	text, err := zero.MarshalText()
	require.NoError(t, err)
	require.Empty(t, text)

	tests := []struct {
		name, in, region, text string
	}{
		{"main region needs no parameter", "+44 20 7946 0958", "", "+442079460958"},
		{"other region is kept", "+1 416 555 0100", "CA", "+14165550100;region=CA"},
		{"extension and region", "+1 416 555 0100 x7", "CA", "+14165550100;ext=7;region=CA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePhone(tc.in, tc.region)
			require.NoError(t, err)
			text, err := p.MarshalText()
			require.NoError(t, err)
			require.Equal(t, tc.text, string(text))
			raw, err := json.Marshal(map[string]Phone{"p": p})
			require.NoError(t, err)
			var back map[string]Phone
			require.NoError(t, json.Unmarshal(raw, &back))
			require.Equal(t, p, back["p"])
		})
	}

	refusals := []struct {
		name, text, path string
	}{
		{"unknown region parameter", "+14165550100;region=ZZ", "region"},
		{"region of another calling code", "+442079460958;region=CA", "region"},
		{"not a number", "hello", ""},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePhone("+44 20 7946 0958", "")
			require.NoError(t, err)
			keep := p
			err = p.UnmarshalText([]byte(tc.text))
			requireInvalid(t, err, tc.path, "")
			require.Equal(t, keep, p, "a refused UnmarshalText leaves the value unchanged")
		})
	}

	var p Phone
	require.NoError(t, p.UnmarshalText(nil))
	require.True(t, p.IsZero())
}

// ---------------------------------------------------------------------------
// Region table

func TestRegionTable(t *testing.T) {
	t.Parallel()
	regions := KnownRegions()
	// 249 officially assigned ISO 3166-1 alpha-2 codes, plus AC, TA and XK.
	require.Len(t, regions, 252)
	require.True(t, slices.IsSorted(regions), "the table must stay sorted for binary search")
	require.Len(t, slices.Compact(slices.Clone(regions)), len(regions), "no region twice")

	primaries := map[int]string{}
	for _, r := range callingRegions {
		require.Len(t, r.region, 2, r.region)
		require.Equal(t, strings.ToUpper(r.region), r.region)
		require.Positive(t, r.code, r.region)
		require.LessOrEqual(t, r.code, 999, r.region)
		for _, s := range []string{r.trunk, r.idd} {
			_, err := strconv.Atoi("1" + s) // digits only ("" allowed)
			require.NoError(t, err, r.region)
		}
		if r.primary {
			prev, dup := primaries[r.code]
			require.False(t, dup, "calling code %d has two main regions: %s and %s", r.code, prev, r.region)
			primaries[r.code] = r.region
		}
	}
	codes := make([]string, 0, len(primaries))
	for _, r := range callingRegions {
		_, ok := primaries[r.code]
		require.True(t, ok, "calling code %d of %s has no main region", r.code, r.region)
		codes = append(codes, strconv.Itoa(r.code))
	}
	// Calling codes form a prefix code, which makes reading them unambiguous.
	for _, a := range codes {
		for _, b := range codes {
			if a != b {
				require.False(t, strings.HasPrefix(b, a), "calling code %s is a prefix of %s", a, b)
			}
		}
	}
}

func TestRegionLookups(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		region string
		code   int
		ok     bool
	}{
		{"GB", 44, true}, {"CN", 86, true}, {"US", 1, true}, {"CA", 1, true}, {"IT", 39, true},
		{"AQ", 672, true}, {"UM", 1, true}, {"XK", 383, true}, {"EH", 212, true},
		{"gb", 0, false}, {"ZZ", 0, false}, {"", 0, false}, {"GBR", 0, false},
	} {
		t.Run("code of "+tc.region, func(t *testing.T) {
			t.Parallel()
			code, ok := CallingCodeForRegion(tc.region)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.code, code)
			require.Equal(t, tc.ok, IsKnownRegion(tc.region))
		})
	}
	for _, tc := range []struct {
		code   int
		region string
		ok     bool
	}{
		{1, "US", true}, {7, "RU", true}, {44, "GB", true}, {39, "IT", true}, {47, "NO", true},
		{61, "AU", true}, {262, "RE", true}, {590, "GP", true}, {599, "CW", true}, {86, "CN", true},
		{800, "", false}, {0, "", false}, {-1, "", false}, {999, "", false},
	} {
		t.Run("region of "+strconv.Itoa(tc.code), func(t *testing.T) {
			t.Parallel()
			region, ok := RegionForCallingCode(tc.code)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.region, region)
		})
	}
	require.Equal(t, []string{"RU", "KZ"}, RegionsForCallingCode(7))
	require.Equal(t, []string{"GB", "GG", "IM", "JE"}, RegionsForCallingCode(44))
	nanp := RegionsForCallingCode(1)
	require.Len(t, nanp, 26)
	require.Equal(t, "US", nanp[0])
	require.Contains(t, nanp, "CA")
	require.Nil(t, RegionsForCallingCode(800))

	// The returned slices belong to the caller.
	all := KnownRegions()
	all[0] = "changed"
	require.Equal(t, "AC", KnownRegions()[0])
}

// ---------------------------------------------------------------------------
// Address

func TestNewAddressTidies(t *testing.T) {
	t.Parallel()
	lines := []string{"  10 Downing Street ", "", "   "}
	a, err := NewAddress(Address{
		Label:              " home ",
		Lines:              lines,
		Locality:           " London ",
		AdministrativeArea: "  ",
		PostalCode:         " sw1a 2aa ",
		Country:            "gb",
	})
	require.NoError(t, err)
	require.Equal(t, Address{
		Label: "home", Lines: []string{"10 Downing Street"}, Locality: "London",
		PostalCode: "SW1A 2AA", Country: "GB",
	}, a)
	require.NoError(t, a.Validate())
	require.Equal(t, "10 Downing Street, London, SW1A 2AA, GB", a.String())

	lines[0] = "changed"
	require.Equal(t, "10 Downing Street", a.Lines[0], "NewAddress must not share the caller's slice")

	again, err := NewAddress(a)
	require.NoError(t, err)
	require.True(t, a.Equal(again), "tidying twice changes nothing")
}

func TestAddressValidateRefuses(t *testing.T) {
	t.Parallel()
	valid := func() Address {
		return Address{Lines: []string{"1 Main Street"}, Locality: "Springfield", AdministrativeArea: "IL", PostalCode: "62701", Country: "US"}
	}
	long := strings.Repeat("é", MaxAddressFieldLen+1)
	tests := []struct {
		name   string
		change func(*Address)
		path   string
		want   string
	}{
		{"no lines", func(a *Address) { a.Lines = nil }, "lines", "at least one line"},
		{"too many lines", func(a *Address) { a.Lines = []string{"a", "b", "c", "d", "e"} }, "lines", "at most 4"},
		{"blank line", func(a *Address) { a.Lines = []string{"1 Main Street", "  "} }, "lines[1]", "blank"},
		{"line too long", func(a *Address) { a.Lines = []string{long} }, "lines[0]", "longer than 200"},
		{"line with newline", func(a *Address) { a.Lines = []string{"1 Main\nStreet"} }, "lines[0]", "control"},
		{"line not UTF-8", func(a *Address) { a.Lines = []string{"1 Main \xff"} }, "lines[0]", "UTF-8"},
		{"locality too long", func(a *Address) { a.Locality = long }, "locality", "longer than 200"},
		{"area with control", func(a *Address) { a.AdministrativeArea = "I\x07L" }, "administrative_area", "control"},
		{"label too long", func(a *Address) { a.Label = strings.Repeat("x", MaxAddressLabelLen+1) }, "label", "longer than 50"},
		{"postal code too long", func(a *Address) { a.PostalCode = strings.Repeat("1", MaxPostalCodeLen+1) }, "postal_code", "longer than 20"},
		{"postal code punctuation", func(a *Address) { a.PostalCode = "627/01" }, "postal_code", "only letters"},
		{"postal code non-ASCII", func(a *Address) { a.PostalCode = "６２７０１" }, "postal_code", "only letters"},
		{"no country", func(a *Address) { a.Country = "" }, "country", "must not be empty"},
		{"unknown country", func(a *Address) { a.Country = "ZZ" }, "country", "unknown country"},
		{"lower-case country", func(a *Address) { a.Country = "us" }, "country", "upper-case"},
		{"alpha-3 country", func(a *Address) { a.Country = "USA" }, "country", "unknown country"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := valid()
			require.NoError(t, a.Validate())
			tc.change(&a)
			requireInvalid(t, a.Validate(), tc.path, tc.want)
		})
	}
	t.Run("NewAddress refuses too", func(t *testing.T) {
		t.Parallel()
		_, err := NewAddress(Address{Lines: []string{" "}, Country: "ZZ"})
		requireInvalid(t, err, "lines", "at least one line")
		requireInvalid(t, err, "country", "unknown country")
		var ve *crm.ValidationError
		require.True(t, errors.As(err, &ve))
		require.Equal(t, "customer.NewAddress", ve.Op)
	})
	t.Run("every problem at once", func(t *testing.T) {
		t.Parallel()
		err := Address{Locality: long, PostalCode: "!", Country: "xx"}.Validate()
		var ve *crm.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Len(t, ve.Fields, 4)
	})
	t.Run("limits are inclusive", func(t *testing.T) {
		t.Parallel()
		a := valid()
		a.Lines = []string{strings.Repeat("é", MaxAddressFieldLen), "b", "c", "d"}
		a.Label = strings.Repeat("x", MaxAddressLabelLen)
		a.PostalCode = strings.Repeat("A", MaxPostalCodeLen)
		require.NoError(t, a.Validate())
	})
}

func TestAddressNormalized(t *testing.T) {
	t.Parallel()
	base := Address{Label: "home", Lines: []string{"10 Downing Street"}, Locality: "London", PostalCode: "SW1A 2AA", Country: "GB"}
	require.Equal(t, "10 downing street|london||sw1a2aa|gb", base.Normalized())
	tests := []struct {
		name string
		addr Address
		same bool
	}{
		{"case, punctuation, spacing, label", Address{Label: "billing", Lines: []string{" 10,  DOWNING  street. "}, Locality: "LONDON", PostalCode: "sw1a2aa", Country: "gb"}, true},
		{"hyphenated postal code", Address{Lines: []string{"10 Downing Street"}, Locality: "London", PostalCode: "SW1A-2AA", Country: "GB"}, true},
		{"other house", Address{Lines: []string{"11 Downing Street"}, Locality: "London", PostalCode: "SW1A 2AB", Country: "GB"}, false},
		{"lines split differently give the same key", Address{Lines: []string{"10", "Downing Street"}, Locality: "London", PostalCode: "SW1A 2AA", Country: "GB"}, true},
		{"abbreviation is not expanded", Address{Lines: []string{"10 Downing St"}, Locality: "London", PostalCode: "SW1A 2AA", Country: "GB"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.same, tc.addr.Normalized() == base.Normalized(), "%q vs %q", tc.addr.Normalized(), base.Normalized())
		})
	}
	a := Address{Lines: []string{"Königstraße 5"}, Locality: "München", Country: "DE"}
	b := Address{Lines: []string{"Konigstrasse 5"}, Locality: "Munchen", Country: "DE"}
	require.Equal(t, a.Normalized(), b.Normalized())
}

func TestAddressCloneEqualZero(t *testing.T) {
	t.Parallel()
	var zero Address
	require.True(t, zero.IsZero())
	require.Empty(t, zero.String())
	requireInvalid(t, zero.Validate(), "lines", "at least one line")

	a := Address{Label: "home", Lines: []string{"1 Main Street", "Apt 2"}, Country: "US"}
	require.False(t, a.IsZero())
	c := a.Clone()
	require.True(t, a.Equal(c))
	c.Lines[0] = "2 Main Street"
	require.Equal(t, "1 Main Street", a.Lines[0])
	require.False(t, a.Equal(c))
	for _, other := range []Address{
		{Label: "work", Lines: a.Lines, Country: "US"},
		{Label: "home", Lines: a.Lines[:1], Country: "US"},
		{Label: "home", Lines: a.Lines, Country: "CA"},
	} {
		require.False(t, a.Equal(other))
	}
	require.Nil(t, zero.Clone().Lines)
}

// ---------------------------------------------------------------------------
// Benchmarks of the parsers

func BenchmarkParsePhone(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePhone("(020) 7946 0958 ext. 45", "GB"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseEmail(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEmail("  Bob.Smith+crm@Mail.Example.COM "); err != nil {
			b.Fatal(err)
		}
	}
}
