package crm_test

import (
	"encoding/binary"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
)

var moneySeeds = []string{
	"123.45 EUR", "EUR 123.45", "-0.5 USD", "5 JPY", "0.125 eur", "1.500 EUR",
	"1 BHD", "1.2345 CLF", "12.345 XAU", "1e3 EUR", "1.5E-2 EUR", "-0 EUR",
	"999999999999999999999999999999.999999999999999999 EUR", "0.000000000000000001 EUR",
	"12345678901234567890 USD", "", " ", "EUR", "1,000.00 EUR", "1e999999999 EUR",
	"NaN EUR", "Inf EUR", "+1 EUR", ".5 EUR", "12 XYZ", "12  EUR", "１２ EUR",
}

// checkMoneyRoundTrip verifies that a valid Money survives String/ParseMoney,
// MarshalText/UnmarshalText and MarshalJSON/UnmarshalJSON unchanged, and
// that formatting is stable after one round.
func checkMoneyRoundTrip(t *testing.T, m crm.Money) {
	t.Helper()
	if err := m.Validate(); err != nil {
		t.Fatalf("parsed value %q is invalid: %v", m.String(), err)
	}
	s := m.String()
	back, err := crm.ParseMoney(s)
	if err != nil {
		t.Fatalf("ParseMoney(%q) of String output: %v", s, err)
	}
	if !back.Equal(m) || back.String() != s {
		t.Fatalf("String round trip: %q -> %q", s, back.String())
	}

	txt, err := m.MarshalText()
	if err != nil {
		t.Fatalf("MarshalText(%q): %v", s, err)
	}
	var fromText crm.Money
	if err := fromText.UnmarshalText(txt); err != nil {
		t.Fatalf("UnmarshalText(%q): %v", txt, err)
	}
	if !fromText.Equal(m) || fromText.String() != s {
		t.Fatalf("text round trip: %q -> %q", s, fromText.String())
	}

	js, err := m.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON(%q): %v", s, err)
	}
	var fromJSON crm.Money
	if err := fromJSON.UnmarshalJSON(js); err != nil {
		t.Fatalf("UnmarshalJSON(%s): %v", js, err)
	}
	if !fromJSON.Equal(m) || fromJSON.String() != s {
		t.Fatalf("JSON round trip: %q -> %s -> %q", s, js, fromJSON.String())
	}
	js2, err := fromJSON.MarshalJSON()
	if err != nil || string(js2) != string(js) {
		t.Fatalf("JSON not stable: %s then %s (%v)", js, js2, err)
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range moneySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := crm.ParseMoney(s)
		if err != nil {
			if !errors.Is(err, crm.ErrInvalid) {
				t.Fatalf("ParseMoney(%q): error %v does not match ErrInvalid", s, err)
			}
			if !m.Currency().IsZero() || !m.IsZero() {
				t.Fatalf("ParseMoney(%q): refusal returned %q", s, m.String())
			}
			return
		}
		checkMoneyRoundTrip(t, m)
		// The amount alone parses the same way.
		fields := strings.Fields(s)
		amount := fields[0]
		if _, err := crm.ParseCurrency(amount); err == nil {
			amount = fields[1]
		}
		again, err := crm.MoneyFromString(amount, m.Currency())
		if err != nil || !again.Equal(m) {
			t.Fatalf("MoneyFromString(%q) = %q, %v; want %q", amount, again.String(), err, m.String())
		}
	})
}

func FuzzParseCurrency(f *testing.F) {
	for _, s := range []string{"EUR", "eur", " EUR ", "JPY", "XAU", "ZWG", "", "EU", "EURO", "XYZ", "ANG", "€", "E\x00R"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := crm.ParseCurrency(s)
		if err != nil {
			if !errors.Is(err, crm.ErrInvalid) || !c.IsZero() {
				t.Fatalf("ParseCurrency(%q) = %v, %v", s, c, err)
			}
			return
		}
		code := c.Code()
		if len(code) != 3 || code != strings.ToUpper(strings.TrimSpace(s)) {
			t.Fatalf("ParseCurrency(%q).Code() = %q", s, code)
		}
		again, err := crm.ParseCurrency(code)
		if err != nil || again != c {
			t.Fatalf("ParseCurrency(%q) round trip: %v, %v", code, again, err)
		}
		txt, _ := c.MarshalText()
		var back crm.Currency
		if err := back.UnmarshalText(txt); err != nil || back != c {
			t.Fatalf("text round trip of %q: %v, %v", code, back, err)
		}
		if m := c.MinorUnits(); m < 0 || m > 4 {
			t.Fatalf("%s minor units %d", code, m)
		}
	})
}

func FuzzMoneyJSON(f *testing.F) {
	for _, s := range []string{
		`{"amount":"123.45","currency":"EUR"}`, `{"amount":123.45,"currency":"EUR"}`,
		`{"currency":"jpy","amount":-7}`, `{"amount":1.5e2,"currency":"USD"}`, `null`, `{}`,
		`{"amount":"1","amount":"2","currency":"EUR"}`, `{"amount":"1","currency":"EUR"} x`,
		`{"amount":1e999999999,"currency":"EUR"}`, `{"amount":"1","currency":"\u0045UR"}`, `[`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m crm.Money
		if err := m.UnmarshalJSON(b); err != nil {
			if !errors.Is(err, crm.ErrInvalid) {
				t.Fatalf("UnmarshalJSON(%q): error %v does not match ErrInvalid", b, err)
			}
			if !m.Currency().IsZero() {
				t.Fatalf("UnmarshalJSON(%q): refusal changed the value to %q", b, m.String())
			}
			return
		}
		if m.Currency().IsZero() { // null
			return
		}
		checkMoneyRoundTrip(t, m)
	})
}

func FuzzMoneyText(f *testing.F) {
	for _, s := range moneySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m crm.Money
		if err := m.UnmarshalText(b); err != nil {
			if !errors.Is(err, crm.ErrInvalid) {
				t.Fatalf("UnmarshalText(%q): error %v does not match ErrInvalid", b, err)
			}
			return
		}
		if len(b) == 0 {
			if !m.Currency().IsZero() {
				t.Fatalf("empty text gave %q", m.String())
			}
			return
		}
		checkMoneyRoundTrip(t, m)
	})
}

// FuzzMoneyArithmetic checks the invariants of the operations on parsed
// amounts: no panic, allocation sums exactly, rounding is idempotent and
// within one unit, (a+b)-b == a, and division agrees with rounding the
// exact quotient.
func FuzzMoneyArithmetic(f *testing.F) {
	f.Add("100.00", "3", int8(2), uint8(0), []byte{1, 1, 1})
	f.Add("-0.11", "-0.5", int8(-1), uint8(3), []byte{1, 2, 6})
	f.Add("999999999999999999999999999999", "0.001", int8(18), uint8(6), []byte{0, 255})
	f.Add("0.125", "0", int8(0), uint8(1), []byte{})
	f.Fuzz(func(t *testing.T, amount, factor string, places int8, modeByte uint8, ratioBytes []byte) {
		m, err := crm.MoneyFromString(amount, eur)
		if err != nil {
			return
		}
		mode := allModes[int(modeByte)%len(allModes)]
		fac, err := crm.MoneyFromString(factor, eur) // reuse the strict grammar and bounds
		if err != nil {
			return
		}
		d := fac.Amount()

		// Add/Sub are inverse.
		if s, err := m.Add(fac); err == nil {
			back, err := s.Sub(fac)
			if err != nil || !back.Equal(m) {
				t.Fatalf("(%s + %s) - %s = %s, %v", m, fac, fac, back, err)
			}
		} else if !errors.Is(err, crm.ErrInvalid) {
			t.Fatalf("Add: %v", err)
		}

		// Rounding: idempotent and within one unit of the original.
		r := m.RoundTo(int32(places), mode)
		if rr := r.RoundTo(int32(places), mode); !rr.Equal(r) {
			t.Fatalf("RoundTo not idempotent: %s -> %s -> %s", m, r, rr)
		}
		diff := r.Amount().Sub(m.Amount()).Abs()
		if diff.Cmp(decimal.New(1, -int32(places))) >= 0 {
			t.Fatalf("RoundTo(%d, %s) of %s = %s: off by %s", places, mode, m, r, diff)
		}

		// Mul then Round equals the reference rounding of the exact product.
		p := m.Mul(d).Round(mode)
		want := refRoundTo(m.Amount().Mul(d), 2, mode)
		if p.Amount().Rat().Cmp(want) != 0 {
			t.Fatalf("%s × %s rounded %s = %s, want %s", m, d, mode, p, want.FloatString(2))
		}

		// Div: zero divisor refused, otherwise it matches the reference.
		q, err := m.Div(d, mode)
		switch {
		case d.IsZero():
			if !errors.Is(err, crm.ErrDivisionByZero) {
				t.Fatalf("%s / 0: %v", m, err)
			}
		case err == nil:
			exact := m.Amount().Rat()
			exact.Quo(exact, d.Rat())
			exact.Mul(exact, big.NewRat(100, 1))
			want := new(big.Rat).SetFrac(refRound(exact, mode), big.NewInt(100))
			if q.Amount().Rat().Cmp(want) != 0 {
				t.Fatalf("%s / %s %s = %s, want %s", m, d, mode, q, want.FloatString(2))
			}
		case !errors.Is(err, crm.ErrInvalid):
			t.Fatalf("Div: %v", err)
		}

		// Allocate: exact sum, one part per ratio.
		ratios := make([]int64, 0, len(ratioBytes)/2)
		for i := 0; i+1 < len(ratioBytes) && len(ratios) < 64; i += 2 {
			ratios = append(ratios, int64(binary.LittleEndian.Uint16(ratioBytes[i:])))
		}
		parts, err := m.Round(mode).Allocate(ratios...)
		if err != nil {
			if !errors.Is(err, crm.ErrInvalid) {
				t.Fatalf("Allocate: %v", err)
			}
			return
		}
		if len(parts) != len(ratios) {
			t.Fatalf("Allocate(%v) gave %d parts", ratios, len(parts))
		}
		sum, err := crm.Sum(eur, parts...)
		if err != nil || !sum.Equal(m.Round(mode)) {
			t.Fatalf("Allocate(%v) of %s sums to %s, %v", ratios, m.Round(mode), sum, err)
		}
	})
}
