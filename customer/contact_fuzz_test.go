package customer

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

func FuzzParseEmail(f *testing.F) {
	for _, s := range []string{
		"bob@example.com", "  Bob.Smith@Example.COM ", "用户@例子.广告", "JÖRG@MÜLLER.DE", "a@ȺȺ.com",
		"Bob <bob@example.com>", `"q"@example.com`, "a..b@example.com", "a@b", "a@[1.2.3.4]", "@", "",
		"a@K.com", "a@\u0130.com", "x@1-2.3com", "\xff@example.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEmail(s)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.True(t, e.IsZero())
			return
		}
		require.False(t, e.IsZero())
		require.LessOrEqual(t, len(e.String()), MaxEmailLen)
		require.True(t, utf8.ValidString(e.String()))

		// Round trip through String and through text.
		again, err := ParseEmail(e.String())
		require.NoError(t, err)
		require.Equal(t, e, again)
		text, err := e.MarshalText()
		require.NoError(t, err)
		var back Email
		require.NoError(t, back.UnmarshalText(text))
		require.Equal(t, e, back)

		// The duplicate key is stable: parsing it gives the same key.
		norm := e.Normalized()
		require.Equal(t, strings.ToLower(norm), norm)
		if n, err := ParseEmail(norm); err == nil {
			require.Equal(t, norm, n.Normalized())
		}
	})
}

func FuzzParsePhone(f *testing.F) {
	for _, c := range [][2]string{
		{"+86 138 0013 8000", ""}, {"(020) 7946 0958", "GB"}, {"00 49 30 1234567", ""},
		{"+44 (0)20 7946 0958 ext. 12", ""}, {"1-212-555-0100", "US"}, {"+1 416 555 0100", "CA"},
		{"8 (495) 123-45-67", "RU"}, {"06 6982 1234", "IT"}, {"011 44 20 7946 0958", "us"},
		{"0011 61 2 9876 5432", "AU"}, {"＋８６ １３８ ００１３ ８０００", ""}, {"+442079460958;ext=45", ""},
		{"x123", "GB"}, {"+", ""}, {"00", "FR"}, {"1-800-FLOWERS", "US"}, {"+999 1", ""}, {"12345678", "ZZ"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		p, err := ParsePhone(s, region)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.True(t, p.IsZero())
			return
		}
		require.False(t, p.IsZero())
		e := p.E164()
		require.True(t, strings.HasPrefix(e, "+"))
		require.GreaterOrEqual(t, len(e)-1, MinPhoneDigits)
		require.LessOrEqual(t, len(e)-1, MaxPhoneDigits)
		require.Equal(t, strings.Trim(e[1:], "0123456789"), "", "E.164 holds only digits after the plus")
		code, ok := CallingCodeForRegion(p.Region())
		require.True(t, ok)
		require.Equal(t, code, p.CountryCode())

		// Round trips: String with the region, and text without it.
		again, err := ParsePhone(p.String(), p.Region())
		require.NoError(t, err)
		require.Equal(t, p, again)
		text, err := p.MarshalText()
		require.NoError(t, err)
		var back Phone
		require.NoError(t, back.UnmarshalText(text))
		require.Equal(t, p, back)

		// The duplicate key is stable.
		n, err := ParsePhone(p.Normalized(), "")
		require.NoError(t, err)
		require.Equal(t, p.Normalized(), n.Normalized())
	})
}

func FuzzNewAddress(f *testing.F) {
	f.Add("home", "10 Downing Street", "", "London", "", "sw1a 2aa", "gb")
	f.Add("", "Königstraße 5", "Hinterhaus", "München", "Bayern", "80331", "DE")
	f.Add("billing", "北京市朝阳区建国路88号", "", "北京", "北京市", "100022", "CN")
	f.Add("", " ", "\x00", "", "", "!", "ZZ")
	f.Fuzz(func(t *testing.T, label, line1, line2, locality, area, postal, country string) {
		in := Address{Label: label, Lines: []string{line1, line2}, Locality: locality,
			AdministrativeArea: area, PostalCode: postal, Country: country}
		a, err := NewAddress(in)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		require.NoError(t, a.Validate())
		again, err := NewAddress(a)
		require.NoError(t, err)
		require.True(t, a.Equal(again), "tidying is idempotent")
		require.Equal(t, a.Normalized(), again.Normalized())
		require.Equal(t, a.Normalized(), in.Normalized(), "tidying does not change the key")
	})
}
