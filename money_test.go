package crm_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

var (
	eur = crm.MustCurrency("EUR")
	usd = crm.MustCurrency("USD")
	jpy = crm.MustCurrency("JPY")
	bhd = crm.MustCurrency("BHD")
)

var allModes = []crm.RoundingMode{
	crm.RoundHalfEven, crm.RoundHalfUp, crm.RoundHalfDown, crm.RoundDown,
	crm.RoundUp, crm.RoundFloor, crm.RoundCeiling,
}

func dec(t testing.TB, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	require.NoError(t, err)
	return d
}

func money(t testing.TB, s string) crm.Money {
	t.Helper()
	m, err := crm.ParseMoney(s)
	require.NoError(t, err, s)
	return m
}

func moneyStrings(ms []crm.Money) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	return out
}

// refRound rounds the exact rational x to an integer with mode. It is a
// reference written independently of the library: floor plus the
// fractional part, decided per mode.
func refRound(x *big.Rat, mode crm.RoundingMode) *big.Int {
	fl := new(big.Int).Div(x.Num(), x.Denom()) // Euclidean: floor for a positive denominator
	frac := new(big.Rat).Sub(x, new(big.Rat).SetInt(fl))
	if frac.Sign() == 0 {
		return fl
	}
	ceil := new(big.Int).Add(fl, big.NewInt(1))
	half := frac.Cmp(big.NewRat(1, 2))
	towardZero, awayFromZero := fl, ceil
	if x.Sign() < 0 {
		towardZero, awayFromZero = ceil, fl
	}
	switch mode {
	case crm.RoundFloor:
		return fl
	case crm.RoundCeiling:
		return ceil
	case crm.RoundDown:
		return towardZero
	case crm.RoundUp:
		return awayFromZero
	}
	if half < 0 {
		return fl
	}
	if half > 0 {
		return ceil
	}
	switch mode {
	case crm.RoundHalfUp:
		return awayFromZero
	case crm.RoundHalfDown:
		return towardZero
	default:
		if fl.Bit(0) == 0 {
			return fl
		}
		return ceil
	}
}

// refRoundTo rounds d to places with refRound and returns the result as a
// rational.
func refRoundTo(d decimal.Decimal, places int32, mode crm.RoundingMode) *big.Rat {
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs32(places))), nil))
	x := d.Rat()
	if places >= 0 {
		x.Mul(x, scale)
	} else {
		x.Quo(x, scale)
	}
	n := new(big.Rat).SetInt(refRound(x, mode))
	if places >= 0 {
		return n.Quo(n, scale)
	}
	return n.Mul(n, scale)
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// randomDecimal returns a decimal with up to maxDigits significant digits
// and an exponent in [minExp, maxExp].
func randomDecimal(r *rand.Rand, maxDigits int, minExp, maxExp int32) decimal.Decimal {
	n := 1 + r.IntN(maxDigits)
	var b strings.Builder
	if r.IntN(2) == 0 {
		b.WriteByte('-')
	}
	for i := range n {
		d := r.IntN(10)
		// favour digits that make halves and ties
		if i == n-1 && r.IntN(3) == 0 {
			d = 5
		}
		b.WriteByte(byte('0' + d))
	}
	c, _ := new(big.Int).SetString(b.String(), 10)
	return decimal.NewFromBigInt(c, minExp+int32(r.IntN(int(maxExp-minExp+1))))
}

func TestParseMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"amount first", "123.45 EUR", "123.45 EUR"},
		{"currency first", "EUR 123.45", "123.45 EUR"},
		{"negative", "-0.5 USD", "-0.50 USD"},
		{"lower-case code and outer spaces", "  5 eur\t", "5.00 EUR"},
		{"more digits than minor kept", "0.125 EUR", "0.125 EUR"},
		{"trailing zeros kept", "1.500 EUR", "1.500 EUR"},
		{"no minor unit", "5 JPY", "5 JPY"},
		{"fraction of yen kept", "5.5 JPY", "5.5 JPY"},
		{"three decimals", "1 BHD", "1.000 BHD"},
		{"four decimals", "1.2345 CLF", "1.2345 CLF"},
		{"gold", "12.345 XAU", "12.345 XAU"},
		{"exponent", "1e3 EUR", "1000.00 EUR"},
		{"exponent with plus", "1E+2 EUR", "100.00 EUR"},
		{"negative exponent", "1.5e-2 EUR", "0.015 EUR"},
		{"negative zero", "-0 EUR", "0.00 EUR"},
		{"zero with places", "0.000 EUR", "0.000 EUR"},
		{"leading zeros", "007.10 EUR", "7.10 EUR"},
		{"largest", "999999999999999999999999999999.999999999999999999 EUR", "999999999999999999999999999999.999999999999999999 EUR"},
		{"smallest step", "0.000000000000000001 EUR", "0.000000000000000001 EUR"},
		{"beyond int64", "12345678901234567890 USD", "12345678901234567890.00 USD"},
		{"beyond int64 negative", "-12345678901234567890.123 USD", "-12345678901234567890.123 USD"},
		{"leading zeros beyond int64", "-000012345678901234567890.5 USD", "-12345678901234567890.50 USD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := crm.ParseMoney(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, m.String())
			require.NoError(t, m.Validate())
			again, err := crm.ParseMoney(m.String())
			require.NoError(t, err)
			require.True(t, again.Equal(m))
			require.Equal(t, tc.want, again.String())
		})
	}
}

func TestParseMoneyRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		path string // field the *ValidationError must name; "" for the whole input
	}{
		{"empty", "", ""},
		{"only spaces", "   ", ""},
		{"currency only", "EUR", ""},
		{"amount only", "123.45", ""},
		{"two spaces", "123.45  EUR", ""},
		{"three parts", "12 EUR EUR", ""},
		{"tab separator", "123.45\tEUR", ""},
		{"no separator", "123.45EUR", ""},
		{"overlong", strings.Repeat("1", 100) + " EUR", ""},
		{"huge overlong", strings.Repeat("9", 1<<20) + " EUR", ""},
		{"amount overlong", strings.Repeat("0", 66) + "1 EUR", "amount"},
		{"thousands comma", "1,000.00 EUR", "amount"},
		{"thousands space", "1 000 EUR", ""},
		{"decimal comma", "1000,50 EUR", "amount"},
		{"plus sign", "+1 EUR", "amount"},
		{"bare leading point", ".5 EUR", "amount"},
		{"bare trailing point", "5. EUR", "amount"},
		{"two points", "1..2 EUR", "amount"},
		{"double minus", "--1 EUR", "amount"},
		{"minus only", "- EUR", "amount"},
		{"empty exponent", "1e EUR", "amount"},
		{"signed empty exponent", "1e+ EUR", "amount"},
		{"exponent 5 digits", "1e10000 EUR", "amount"},
		{"huge exponent", "1e999999999 EUR", "amount"},
		{"huge negative exponent", "1e-999999999 EUR", "amount"},
		{"exponent beyond int64", "1e99999999999999999999999 EUR", "amount"},
		{"NaN", "NaN EUR", "amount"},
		{"Inf", "Inf EUR", "amount"},
		{"negative infinity", "-Infinity EUR", "amount"},
		{"hex", "0x10 EUR", "amount"},
		{"underscore", "1_000 EUR", "amount"},
		{"fullwidth digits", "１２ EUR", "amount"},
		{"currency symbol", "€12", ""},
		{"symbol as code", "12 €", "currency"},
		{"short code", "12 EU", "currency"},
		{"long code", "12 EURO", "currency"},
		{"unknown code", "12 XYZ", "currency"},
		{"unknown code first", "XYZ 12", "currency"},
		{"historic code", "12 ANG", "currency"},
		{"two codes", "EUR EUR", "amount"},
		{"two numbers", "12 12", "currency"},
		{"magnitude 10^30", "1000000000000000000000000000000 EUR", "amount"},
		{"magnitude by exponent", "1e30 EUR", "amount"},
		{"19 decimal places", "0.0000000000000000001 EUR", "amount"},
		{"19 decimal places of zero", "0.0000000000000000000 EUR", "amount"},
		{"scale by exponent", "1e-19 EUR", "amount"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := crm.ParseMoney(tc.in)
			ve := requireInvalid(t, err)
			require.True(t, m.Currency().IsZero(), "a refusal returns the zero Money")
			if tc.path != "" {
				require.True(t, ve.Has(tc.path), "want a problem at %q in %q", tc.path, err)
			}
			// the same input through UnmarshalText (which maps empty
			// text to the zero Money by design)
			if tc.in != "" {
				u := crm.Zero(usd)
				requireInvalid(t, u.UnmarshalText([]byte(tc.in)))
				require.Equal(t, usd, u.Currency(), "a refused input leaves the value unchanged")
			}
		})
	}
}

func TestParseMoneyHugeExponentIsCheap(t *testing.T) {
	// not parallel: testing.AllocsPerRun refuses parallel tests
	for _, in := range []string{"1e999999999 EUR", "1e9999 EUR", "1e-9999 EUR", "0e9999 EUR", "9e30 EUR"} {
		allocs := testing.AllocsPerRun(20, func() {
			_, err := crm.ParseMoney(in)
			require.Error(t, err)
		})
		// the error value itself allocates; no big numbers do
		require.LessOrEqual(t, allocs, 8.0, in)
	}
}

func TestMustParseMoney(t *testing.T) {
	t.Parallel()
	require.Panics(t, func() { crm.MustParseMoney("12") })
	require.Equal(t, "12.00 EUR", crm.MustParseMoney("12 EUR").String())
}

func TestNewMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		amount decimal.Decimal
		cur    crm.Currency
		want   string
		path   string // non-empty: refused with a problem at path
	}{
		{"plain", decimal.New(12345, -2), eur, "123.45 EUR", ""},
		{"integer", decimal.NewFromInt(5), eur, "5.00 EUR", ""},
		{"nil decimal is zero", decimal.Decimal{}, usd, "0.00 USD", ""},
		{"positive exponent", decimal.New(5, 3), jpy, "5000 JPY", ""},
		{"18 places", decimal.New(1, -18), eur, "0.000000000000000001 EUR", ""},
		{"no currency", decimal.NewFromInt(1), crm.Currency{}, "", "currency"},
		{"19 places", decimal.New(1, -19), eur, "", "amount"},
		{"too large", decimal.New(1, 30), eur, "", "amount"},
		{"huge exponent", decimal.New(1, 999999999), eur, "", "amount"},
		{"tiny exponent", decimal.New(1, -999999999), eur, "", "amount"},
		{"zero with huge exponent", decimal.New(0, 999999999), eur, "", "amount"},
		{"31 digits", decimal.RequireFromString("1234567890123456789012345678901"), eur, "", "amount"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := crm.NewMoney(tc.amount, tc.cur)
			if tc.path != "" {
				ve := requireInvalid(t, err)
				require.True(t, ve.Has(tc.path), "%q", err)
				require.True(t, m.Currency().IsZero())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, m.String())
			require.True(t, m.Amount().Equal(tc.amount))
			require.Equal(t, tc.cur, m.Currency())
		})
	}
}

func TestMoneyFromMinor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		minor int64
		cur   crm.Currency
		want  string
	}{
		{"cents", 12345, eur, "123.45 EUR"},
		{"negative cents", -5, eur, "-0.05 EUR"},
		{"yen", 12345, jpy, "12345 JPY"},
		{"fils", 12345, bhd, "12.345 BHD"},
		{"zero", 0, usd, "0.00 USD"},
		{"max int64", math.MaxInt64, eur, "92233720368547758.07 EUR"},
		{"min int64", math.MinInt64, eur, "-92233720368547758.08 EUR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := crm.MoneyFromMinor(tc.minor, tc.cur)
			require.NoError(t, err)
			require.Equal(t, tc.want, m.String())
			back, err := m.MinorUnits()
			require.NoError(t, err)
			require.Equal(t, tc.minor, back)
		})
	}
	_, err := crm.MoneyFromMinor(1, crm.Currency{})
	requireInvalid(t, err)
}

func TestMoneyFromString(t *testing.T) {
	t.Parallel()
	m, err := crm.MoneyFromString("123.45", eur)
	require.NoError(t, err)
	require.Equal(t, "123.45 EUR", m.String())

	tests := []struct {
		name   string
		amount string
		cur    crm.Currency
		paths  []string
	}{
		{"empty", "", eur, []string{"amount"}},
		{"garbage", "abc", eur, []string{"amount"}},
		{"with currency", "1 EUR", eur, []string{"amount"}},
		{"huge exponent", "1e999999999", eur, []string{"amount"}},
		{"no currency", "1", crm.Currency{}, []string{"currency"}},
		{"both wrong", "x", crm.Currency{}, []string{"currency", "amount"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := crm.MoneyFromString(tc.amount, tc.cur)
			ve := requireInvalid(t, err)
			for _, p := range tc.paths {
				require.True(t, ve.Has(p), "want %q in %q", p, err)
			}
		})
	}
}

func TestMoneyAccessors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		in             string
		sign           int
		zero, neg, pos bool
		negated, abs   string
	}{
		{"positive", "1.50 EUR", 1, false, false, true, "-1.50 EUR", "1.50 EUR"},
		{"negative", "-2 USD", -1, false, true, false, "2.00 USD", "2.00 USD"},
		{"zero", "0 JPY", 0, true, false, false, "0 JPY", "0 JPY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := money(t, tc.in)
			before := m.String()
			require.Equal(t, tc.sign, m.Sign())
			require.Equal(t, tc.zero, m.IsZero())
			require.Equal(t, tc.neg, m.IsNegative())
			require.Equal(t, tc.pos, m.IsPositive())
			require.Equal(t, tc.negated, m.Neg().String())
			require.Equal(t, tc.abs, m.Abs().String())
			require.Equal(t, before, m.String(), "Neg and Abs leave the receiver unchanged")
			require.True(t, m.Equal(money(t, tc.in)))
		})
	}
	z := crm.Zero(bhd)
	require.True(t, z.IsZero())
	require.Equal(t, bhd, z.Currency())
	require.Equal(t, "0.000 BHD", z.String())
	require.NoError(t, z.Validate())
}

func TestMoneyZeroValue(t *testing.T) {
	t.Parallel()
	var m crm.Money
	require.True(t, m.IsZero())
	require.True(t, m.Currency().IsZero())
	require.Equal(t, "0", m.String())
	ve := requireInvalid(t, m.Validate())
	require.True(t, ve.Has("currency"))
	_, err := m.Add(money(t, "1 EUR"))
	requireInvalid(t, err)
	_, err = m.MinorUnits()
	requireInvalid(t, err)
	_, err = m.Allocate(1)
	requireInvalid(t, err)
	_, err = m.Div(decimal.NewFromInt(2), crm.RoundHalfEven)
	requireInvalid(t, err)
	_, err = m.Cmp(crm.Money{})
	requireInvalid(t, err)
	require.True(t, m.Equal(crm.Money{}))
	require.False(t, m.Equal(crm.Zero(eur)))
}

func TestMoneyAddSub(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		a, b     string
		sum, dif string
	}{
		{"same scale", "1.25 EUR", "2.50 EUR", "3.75 EUR", "-1.25 EUR"},
		{"mixed scales", "0.1 EUR", "0.125 EUR", "0.225 EUR", "-0.025 EUR"},
		{"negative", "-5 USD", "3 USD", "-2.00 USD", "-8.00 USD"},
		{"yen", "100 JPY", "1 JPY", "101 JPY", "99 JPY"},
		{"beyond int64", "99999999999999999999 EUR", "0.01 EUR", "99999999999999999999.01 EUR", "99999999999999999998.99 EUR"},
		{"largest minus one step", "999999999999999999999999999999 EUR", "1 EUR", "", "999999999999999999999999999998.00 EUR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := money(t, tc.a), money(t, tc.b)
			s, err := a.Add(b)
			if tc.sum == "" {
				ve := requireInvalid(t, err)
				require.True(t, ve.Has("amount"))
			} else {
				require.NoError(t, err)
				require.Equal(t, tc.sum, s.String())
				back, err := s.Sub(b)
				require.NoError(t, err)
				require.True(t, back.Equal(a), "(a+b)-b == a")
			}
			d, err := a.Sub(b)
			require.NoError(t, err)
			require.Equal(t, tc.dif, d.String())
		})
	}
}

func TestMoneyAddSubRefuses(t *testing.T) {
	t.Parallel()
	outOfBounds := money(t, "1 EUR").Mul(decimal.New(1, -20))
	tests := []struct {
		name     string
		a, b     crm.Money
		mismatch bool
	}{
		{"currency mismatch", money(t, "1 EUR"), money(t, "1 USD"), true},
		{"zero money left", crm.Money{}, money(t, "1 EUR"), false},
		{"zero money right", money(t, "1 EUR"), crm.Money{}, false},
		{"operand beyond scale", money(t, "1 EUR"), outOfBounds, false},
		{"receiver beyond scale", outOfBounds, money(t, "1 EUR"), false},
		{"overflow", money(t, "999999999999999999999999999999 EUR"), money(t, "1 EUR"), false},
		{"negative overflow", money(t, "-999999999999999999999999999999 EUR"), money(t, "-1 EUR"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, errAdd := tc.a.Add(tc.b)
			require.ErrorIs(t, errAdd, crm.ErrInvalid)
			require.Equal(t, tc.mismatch, errorIsMismatch(errAdd), "%q", errAdd)
			_, errSub := tc.a.Sub(tc.b.Neg())
			require.ErrorIs(t, errSub, crm.ErrInvalid)
			require.Equal(t, tc.mismatch, errorIsMismatch(errSub), "%q", errSub)
		})
	}
}

func errorIsMismatch(err error) bool { return errors.Is(err, crm.ErrCurrencyMismatch) }

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func TestMoneyMul(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		m      string
		factor string
		want   string
	}{
		{"quantity", "19.99 EUR", "3", "59.97 EUR"},
		{"tax rate is exact", "19.99 EUR", "0.19", "3.7981 EUR"},
		{"negative", "2.50 USD", "-1", "-2.50 USD"},
		{"zero", "2.50 USD", "0", "0.00 USD"},
		{"yen fraction", "100 JPY", "0.333", "33.300 JPY"},
		{"many digits", "123456789012345678.9 EUR", "1000000000.5", "123456789074074073406172839.45 EUR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := money(t, tc.m)
			got := m.Mul(dec(t, tc.factor))
			require.Equal(t, tc.want, got.String())
			require.Equal(t, m.Currency(), got.Currency())
			require.True(t, got.Amount().Equal(m.Amount().Mul(dec(t, tc.factor))))
		})
	}
}

func TestMoneyMulLeavesBoundsSafely(t *testing.T) {
	t.Parallel()
	tiny := money(t, "0.125 EUR").Mul(dec(t, "0.0000000000000001"))
	require.Equal(t, "0.0000000000000000125 EUR", tiny.String())
	requireInvalid(t, tiny.Validate())
	_, err := tiny.MarshalJSON()
	requireInvalid(t, err)
	_, err = tiny.MarshalText()
	requireInvalid(t, err)
	require.Equal(t, "0.00 EUR", tiny.Round(crm.RoundHalfEven).String())
	require.Equal(t, "0.01 EUR", tiny.Round(crm.RoundUp).String())

	// Extreme exponents: every operation stays cheap and never panics.
	huge := money(t, "1 EUR").Mul(decimal.New(1, 999_999_999))
	require.Equal(t, "1e999999999 EUR", huge.String())
	require.Equal(t, huge.String(), huge.Round(crm.RoundHalfEven).String(), "an integer needs no rounding")
	c, err := huge.Cmp(money(t, "2 EUR"))
	require.NoError(t, err)
	require.Equal(t, 1, c)
	require.False(t, huge.Equal(money(t, "1 EUR")))
	_, err = huge.Add(money(t, "1 EUR"))
	requireInvalid(t, err)

	small := money(t, "-1 EUR").Mul(decimal.New(1, -999_999_999))
	require.Equal(t, "-1e-999999999 EUR", small.String())
	require.Equal(t, "0.00 EUR", small.Round(crm.RoundHalfUp).String())
	require.Equal(t, "-0.01 EUR", small.Round(crm.RoundFloor).String())
	c, err = small.Cmp(crm.Zero(eur))
	require.NoError(t, err)
	require.Equal(t, -1, c)

	// An exponent overflowing 32 bits gives the zero Money, not a panic.
	var over crm.Money
	require.NotPanics(t, func() { over = huge.Mul(decimal.New(1, math.MaxInt32)) })
	require.True(t, over.Currency().IsZero())
	requireInvalid(t, over.Validate())
	require.NotPanics(t, func() { over = small.Mul(decimal.New(1, math.MinInt32)) })
	require.True(t, over.Currency().IsZero())
}

func TestMoneyDiv(t *testing.T) {
	t.Parallel()
	type want map[crm.RoundingMode]string
	tests := []struct {
		name    string
		m       string
		divisor string
		want    want
	}{
		{"thirds", "100.00 EUR", "3", want{crm.RoundHalfEven: "33.33 EUR", crm.RoundUp: "33.34 EUR", crm.RoundDown: "33.33 EUR"}},
		{"two thirds", "2 EUR", "3", want{crm.RoundHalfUp: "0.67 EUR", crm.RoundDown: "0.66 EUR", crm.RoundFloor: "0.66 EUR"}},
		{"eighth is a tie", "1 EUR", "8", want{
			crm.RoundHalfEven: "0.12 EUR", crm.RoundHalfUp: "0.13 EUR", crm.RoundHalfDown: "0.12 EUR",
			crm.RoundDown: "0.12 EUR", crm.RoundUp: "0.13 EUR", crm.RoundFloor: "0.12 EUR", crm.RoundCeiling: "0.13 EUR",
		}},
		{"negative tie", "-1 EUR", "8", want{
			crm.RoundHalfEven: "-0.12 EUR", crm.RoundHalfUp: "-0.13 EUR", crm.RoundHalfDown: "-0.12 EUR",
			crm.RoundDown: "-0.12 EUR", crm.RoundUp: "-0.13 EUR", crm.RoundFloor: "-0.13 EUR", crm.RoundCeiling: "-0.12 EUR",
		}},
		{"odd tie goes even upward", "3 EUR", "8", want{crm.RoundHalfEven: "0.38 EUR", crm.RoundHalfDown: "0.37 EUR"}},
		{"negative divisor", "10 EUR", "-4", want{crm.RoundHalfEven: "-2.50 EUR"}},
		{"both negative", "-10 EUR", "-4", want{crm.RoundHalfEven: "2.50 EUR"}},
		{"fractional divisor", "10 EUR", "0.5", want{crm.RoundHalfEven: "20.00 EUR"}},
		{"tiny divisor", "1 EUR", "0.001", want{crm.RoundHalfEven: "1000.00 EUR"}},
		{"divisor with exponent", "1 EUR", "1e3", want{crm.RoundHalfEven: "0.00 EUR", crm.RoundCeiling: "0.01 EUR"}},
		{"yen", "100 JPY", "3", want{crm.RoundHalfEven: "33 JPY", crm.RoundCeiling: "34 JPY"}},
		{"fils", "1 BHD", "3", want{crm.RoundHalfEven: "0.333 BHD", crm.RoundUp: "0.334 BHD"}},
		{"zero dividend", "0 EUR", "7", want{crm.RoundUp: "0.00 EUR"}},
		{"amount beyond int64", "99999999999999999999.99 EUR", "7", want{crm.RoundHalfEven: "14285714285714285714.28 EUR"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := money(t, tc.m)
			for mode, w := range tc.want {
				got, err := m.Div(dec(t, tc.divisor), mode)
				require.NoError(t, err, mode.String())
				require.Equal(t, w, got.String(), mode.String())
				require.Equal(t, -m.Currency().MinorUnits(), got.Amount().Exponent(), "result is at minor-unit scale")
			}
		})
	}
}

func TestMoneyDivRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		m       crm.Money
		divisor decimal.Decimal
		mode    crm.RoundingMode
		byZero  bool
	}{
		{"zero", money(t, "1 EUR"), decimal.Zero, crm.RoundHalfEven, true},
		{"zero with exponent", money(t, "1 EUR"), decimal.New(0, 5), crm.RoundHalfEven, true},
		{"zero amount by zero", money(t, "0 EUR"), decimal.Zero, crm.RoundHalfEven, true},
		{"unset mode", money(t, "1 EUR"), decimal.NewFromInt(2), 0, false},
		{"unknown mode", money(t, "1 EUR"), decimal.NewFromInt(2), 99, false},
		{"no currency", crm.Money{}, decimal.NewFromInt(2), crm.RoundHalfEven, false},
		{"receiver beyond bounds", money(t, "1 EUR").Mul(decimal.New(1, -30)), decimal.NewFromInt(2), crm.RoundHalfEven, false},
		{"divisor exponent too large", money(t, "1 EUR"), decimal.New(1, 2000), crm.RoundHalfEven, false},
		{"divisor exponent too small", money(t, "1 EUR"), decimal.New(1, -2000), crm.RoundHalfEven, false},
		{"quotient too large", money(t, "999999999999999999999999999999 EUR"), dec(t, "0.1"), crm.RoundHalfEven, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.m.Div(tc.divisor, tc.mode)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Equal(t, tc.byZero, errorsIs(err, crm.ErrDivisionByZero), "%q", err)
			require.True(t, got.Currency().IsZero())
		})
	}
}

// TestMoneyDivMatchesReference checks Div against exact rational
// arithmetic for many random operands and every mode.
func TestMoneyDivMatchesReference(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	curs := []crm.Currency{eur, jpy, bhd, crm.MustCurrency("CLF")}
	for i := range 3000 {
		c := curs[i%len(curs)]
		a := randomDecimal(r, 25, -6, 2)
		d := randomDecimal(r, 12, -8, 4)
		if d.IsZero() {
			continue
		}
		m, err := crm.NewMoney(a, c)
		require.NoError(t, err)
		mode := allModes[r.IntN(len(allModes))]
		got, err := m.Div(d, mode)
		q := new(big.Rat).Quo(a.Rat(), d.Rat())
		scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.MinorUnits())), nil))
		want := new(big.Rat).SetInt(refRound(q.Mul(q, scale), mode))
		want.Quo(want, scale)
		if err != nil {
			requireInvalid(t, err)
			abs := new(big.Rat).Abs(want)
			require.GreaterOrEqual(t, abs.Cmp(new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(30), nil))), 0,
				"only quotients of 10^30 or more are refused: %s / %s", m, d)
			continue
		}
		require.Zero(t, got.Amount().Rat().Cmp(want), "%s / %s %s = %s, want %s", m, d, mode, got, want.FloatString(6))
	}
}

func TestMoneyRound(t *testing.T) {
	t.Parallel()
	// Columns: HalfEven HalfUp HalfDown Down Up Floor Ceiling, to whole yen.
	tests := []struct {
		in   string
		want [7]string
	}{
		{"2.5", [7]string{"2", "3", "2", "2", "3", "2", "3"}},
		{"3.5", [7]string{"4", "4", "3", "3", "4", "3", "4"}},
		{"-2.5", [7]string{"-2", "-3", "-2", "-2", "-3", "-3", "-2"}},
		{"2.51", [7]string{"3", "3", "3", "2", "3", "2", "3"}},
		{"2.49", [7]string{"2", "2", "2", "2", "3", "2", "3"}},
		{"-2.51", [7]string{"-3", "-3", "-3", "-2", "-3", "-3", "-2"}},
		{"-0.4", [7]string{"0", "0", "0", "0", "-1", "-1", "0"}},
		{"7", [7]string{"7", "7", "7", "7", "7", "7", "7"}},
		{"0.000000000000000001", [7]string{"0", "0", "0", "0", "1", "0", "1"}},
		{"12345678901234567890.5", [7]string{
			"12345678901234567890", "12345678901234567891", "12345678901234567890", "12345678901234567890",
			"12345678901234567891", "12345678901234567890", "12345678901234567891",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			m := money(t, tc.in+" JPY")
			for i, mode := range allModes {
				got := m.Round(mode)
				require.Equal(t, tc.want[i]+" JPY", got.String(), mode.String())
				require.Equal(t, int32(0), got.Amount().Exponent(), mode.String())
				require.Equal(t, got.String(), got.Round(mode).String(), "rounding is idempotent")
			}
		})
	}
}

func TestMoneyRoundTo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		places int32
		mode   crm.RoundingMode
		want   string
		exp    int32
	}{
		{"coarser input gets the places", "1.5 EUR", 2, crm.RoundHalfEven, "1.50 EUR", -2},
		{"integer input gets the places", "7 EUR", 4, crm.RoundHalfEven, "7.0000 EUR", -4},
		{"to tens", "1250 JPY", -1, crm.RoundHalfEven, "1250 JPY", 1},
		{"to hundreds half even", "1250 JPY", -2, crm.RoundHalfEven, "1200 JPY", 2},
		{"to hundreds half up", "1250 JPY", -2, crm.RoundHalfUp, "1300 JPY", 2},
		{"to thousands", "-1500.75 EUR", -3, crm.RoundFloor, "-2000.00 EUR", 3},
		{"more places than minor", "0.12345 EUR", 3, crm.RoundHalfUp, "0.123 EUR", -3},
		{"gold to grams-ish", "1.23456 XAU", 3, crm.RoundHalfEven, "1.235 XAU", -3},
		{"places beyond bounds leave it", "1.5 EUR", 40, crm.RoundHalfEven, "1.50 EUR", -1},
		{"extreme negative places", "1.5 EUR", math.MinInt32, crm.RoundHalfEven, "0.00 EUR", 1 << 30},
		{"extreme positive places", "1.5 EUR", math.MaxInt32, crm.RoundHalfEven, "1.50 EUR", -1},
		{"extreme negative places up", "1.5 EUR", math.MinInt32, crm.RoundUp, "1e1073741824 EUR", 1 << 30},
		{"unknown mode rounds half even", "2.5 JPY", 0, crm.RoundingMode(42), "2 JPY", 0},
		{"zero", "0.000 EUR", 1, crm.RoundUp, "0.00 EUR", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := money(t, tc.in)
			got := m.RoundTo(tc.places, tc.mode)
			require.Equal(t, tc.want, got.String())
			require.Equal(t, tc.exp, got.Amount().Exponent())
			require.Equal(t, money(t, tc.in).String(), m.String(), "receiver unchanged")
		})
	}
}

// TestRoundMatchesReferences compares RoundTo with the rational reference
// and, where shopspring has the same mode, with shopspring's rounding.
func TestRoundMatchesReferences(t *testing.T) {
	t.Parallel()
	shop := map[crm.RoundingMode]func(decimal.Decimal, int32) decimal.Decimal{
		crm.RoundHalfEven: decimal.Decimal.RoundBank,
		crm.RoundHalfUp:   decimal.Decimal.Round,
		crm.RoundDown:     decimal.Decimal.RoundDown,
		crm.RoundUp:       decimal.Decimal.RoundUp,
		crm.RoundFloor:    decimal.Decimal.RoundFloor,
		crm.RoundCeiling:  decimal.Decimal.RoundCeil,
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 2500 {
		// up to 45 digits and exponents around the rounding point, so both
		// the 64-bit and the big-number paths run
		d := randomDecimal(r, 45, -40, 3)
		m, err := crm.NewMoney(d, eur)
		if err != nil {
			m = money(t, "1 EUR").Mul(d) // beyond the bounds: RoundTo still works
		}
		places := int32(r.IntN(45) - 5)
		for _, mode := range allModes {
			got := m.RoundTo(places, mode).Amount()
			want := refRoundTo(d, places, mode)
			require.Zero(t, got.Rat().Cmp(want), "%s RoundTo(%d, %s) = %s, want %s", d, places, mode, got, want.FloatString(int(max(places, 0))))
			if f, ok := shop[mode]; ok {
				require.True(t, got.Equal(f(d, places)), "%s RoundTo(%d, %s) = %s, shopspring %s", d, places, mode, got, f(d, places))
			}
		}
	}
}

func TestMoneyCmpEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		a, b  string
		cmp   int
		equal bool
	}{
		{"trailing zeros are equal", "1.5 EUR", "1.50 EUR", 0, true},
		{"less", "1 EUR", "2 EUR", -1, false},
		{"greater", "2.001 EUR", "2 EUR", 1, false},
		{"negative below zero", "-1 EUR", "0 EUR", -1, false},
		{"negatives", "-1 EUR", "-2 EUR", 1, false},
		{"zeros of different scale", "0 EUR", "0.000 EUR", 0, true},
		{"big", "12345678901234567890.1 USD", "12345678901234567890.10 USD", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := money(t, tc.a), money(t, tc.b)
			c, err := a.Cmp(b)
			require.NoError(t, err)
			require.Equal(t, tc.cmp, c)
			c, err = b.Cmp(a)
			require.NoError(t, err)
			require.Equal(t, -tc.cmp, c, "antisymmetric")
			require.Equal(t, tc.equal, a.Equal(b))
			require.Equal(t, tc.equal, b.Equal(a))
		})
	}
	_, err := money(t, "1 EUR").Cmp(money(t, "1 USD"))
	require.ErrorIs(t, err, crm.ErrCurrencyMismatch)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = money(t, "1 EUR").Cmp(crm.Money{})
	requireInvalid(t, err)
	require.False(t, crm.Zero(eur).Equal(crm.Zero(usd)), "same amount, different currency")
}

func TestMoneyMinorUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want int64
		ok   bool
	}{
		{"cents", "123.45 EUR", 12345, true},
		{"coarser", "5 EUR", 500, true},
		{"trailing zeros", "1.500 EUR", 150, true},
		{"yen", "5 JPY", 5, true},
		{"fils", "1 BHD", 1000, true},
		{"negative", "-0.01 USD", -1, true},
		{"zero with many places", "0.000000 EUR", 0, true},
		{"max", "92233720368547758.07 EUR", math.MaxInt64, true},
		{"min", "-92233720368547758.08 EUR", math.MinInt64, true},
		{"max with extra zeros", "92233720368547758.070 EUR", math.MaxInt64, true},
		{"fraction of a cent", "0.125 EUR", 0, false},
		{"fraction of a yen", "0.5 JPY", 0, false},
		{"overflow", "92233720368547758.08 EUR", 0, false},
		{"negative overflow", "-92233720368547758.09 EUR", 0, false},
		{"far overflow", "1e25 EUR", 0, false},
		{"big and fractional", "12345678901234567890.001 EUR", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := money(t, tc.in).MinorUnits()
			if !tc.ok {
				ve := requireInvalid(t, err)
				require.True(t, ve.Has("amount"))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestMoneyAllocate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		m      string
		ratios []int64
		want   []string
	}{
		{"thirds", "100.00 EUR", []int64{1, 1, 1}, []string{"33.34 EUR", "33.33 EUR", "33.33 EUR"}},
		{"negative thirds", "-100 EUR", []int64{1, 1, 1}, []string{"-33.34 EUR", "-33.33 EUR", "-33.33 EUR"}},
		{"tie goes to the earlier part", "0.05 EUR", []int64{3, 7}, []string{"0.02 EUR", "0.03 EUR"}},
		{"largest remainder wins", "0.11 EUR", []int64{1, 2, 6}, []string{"0.01 EUR", "0.03 EUR", "0.07 EUR"}},
		{"zero ratio gets nothing", "0.03 EUR", []int64{1, 0, 1}, []string{"0.02 EUR", "0.00 EUR", "0.01 EUR"}},
		{"leading zero ratio", "10 EUR", []int64{0, 1}, []string{"0.00 EUR", "10.00 EUR"}},
		{"single part", "7.77 USD", []int64{5}, []string{"7.77 USD"}},
		{"exact", "1.00 EUR", []int64{1, 2, 3, 4}, []string{"0.10 EUR", "0.20 EUR", "0.30 EUR", "0.40 EUR"}},
		{"yen", "100 JPY", []int64{1, 1, 1}, []string{"34 JPY", "33 JPY", "33 JPY"}},
		{"fils", "1 BHD", []int64{1, 1, 1}, []string{"0.334 BHD", "0.333 BHD", "0.333 BHD"}},
		{"gold in whole units", "10 XAU", []int64{1, 1, 1}, []string{"4 XAU", "3 XAU", "3 XAU"}},
		{"trailing zeros accepted", "1.000 EUR", []int64{1, 1}, []string{"0.50 EUR", "0.50 EUR"}},
		{"zero", "0 EUR", []int64{1, 2}, []string{"0.00 EUR", "0.00 EUR"}},
		{"huge ratios", "1 EUR", []int64{math.MaxInt64, math.MaxInt64, 1}, []string{"0.50 EUR", "0.50 EUR", "0.00 EUR"}},
		{"ratio sum beyond 64 bits", "1 EUR", []int64{math.MaxInt64, math.MaxInt64, math.MaxInt64}, []string{"0.34 EUR", "0.33 EUR", "0.33 EUR"}},
		{"min int64 cents", "-92233720368547758.08 EUR", []int64{1}, []string{"-92233720368547758.08 EUR"}},
		{"amount beyond int64", "999999999999999999999999999999.99 EUR", []int64{1, 1, 1}, []string{
			"333333333333333333333333333333.33 EUR", "333333333333333333333333333333.33 EUR", "333333333333333333333333333333.33 EUR",
		}},
		{"amount beyond int64 with remainder", "-100000000000000000000 EUR", []int64{1, 1, 1}, []string{
			"-33333333333333333333.34 EUR", "-33333333333333333333.33 EUR", "-33333333333333333333.33 EUR",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := money(t, tc.m)
			parts, err := m.Allocate(tc.ratios...)
			require.NoError(t, err)
			require.Equal(t, tc.want, moneyStrings(parts))
			sum, err := crm.Sum(m.Currency(), parts...)
			require.NoError(t, err)
			require.True(t, sum.Equal(m), "parts sum to %s, want %s", sum, m)
		})
	}
}

func TestMoneyAllocateRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		m      crm.Money
		ratios []int64
		path   string
		byZero bool
	}{
		{"not at minor scale", money(t, "0.125 EUR"), []int64{1, 1}, "amount", false},
		{"fraction of yen", money(t, "1.5 JPY"), []int64{1}, "amount", false},
		{"big and not at minor scale", money(t, "12345678901234567890.001 EUR"), []int64{1}, "amount", false},
		{"no ratios", money(t, "1 EUR"), nil, "ratios", false},
		{"negative ratio", money(t, "1 EUR"), []int64{1, -1, 2}, "ratios[1]", false},
		{"all zero", money(t, "1 EUR"), []int64{0, 0}, "", true},
		{"too many", money(t, "1 EUR"), make([]int64, crm.MaxAllocationParts+1), "ratios", false},
		{"zero money", crm.Money{}, []int64{1}, "currency", false},
		{"beyond bounds", money(t, "1 EUR").Mul(decimal.New(1, -20)), []int64{1}, "amount", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parts, err := tc.m.Allocate(tc.ratios...)
			require.Nil(t, parts)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Equal(t, tc.byZero, errorsIs(err, crm.ErrDivisionByZero))
			if tc.path != "" {
				ve := requireInvalid(t, err)
				require.True(t, ve.Has(tc.path), "want %q in %q", tc.path, err)
			}
		})
	}
}

// TestMoneyAllocateProperties checks, on random input, that parts sum
// exactly, stay within one minor unit of the exact share, and that the
// extra units went to the largest remainders (ties to earlier parts).
func TestMoneyAllocateProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 2000 {
		var total *big.Int
		if i%4 == 0 {
			total = randomDecimal(r, 30, 0, 0).Coefficient() // beyond int64 too
		} else {
			total = big.NewInt(r.Int64N(2_000_001) - 1_000_000)
		}
		n := 1 + r.IntN(12)
		ratios := make([]int64, n)
		for j := range ratios {
			switch r.IntN(5) {
			case 0:
				ratios[j] = 0
			case 1:
				ratios[j] = r.Int64() // huge: sum may pass 64 bits
			default:
				ratios[j] = r.Int64N(1000)
			}
		}
		ratios[r.IntN(n)]++ // never all zero
		m, err := crm.NewMoney(decimal.NewFromBigInt(total, -2), eur)
		require.NoError(t, err)
		parts, err := m.Allocate(ratios...)
		require.NoError(t, err)
		require.Len(t, parts, n)

		sumR := new(big.Int)
		for _, x := range ratios {
			sumR.Add(sumR, big.NewInt(x))
		}
		abs := new(big.Int).Abs(total)
		got := new(big.Int)
		type share struct{ extra, rem *big.Int }
		shares := make([]share, n)
		for j, p := range parts {
			require.Equal(t, int32(-2), p.Amount().Exponent())
			units := p.Amount().Coefficient()
			got.Add(got, units)
			require.True(t, units.Sign() == 0 || units.Sign() == total.Sign(), "part has the amount's sign")
			exact := new(big.Int).Mul(abs, big.NewInt(ratios[j]))
			fl, rem := new(big.Int).QuoRem(exact, sumR, new(big.Int))
			extra := new(big.Int).Sub(new(big.Int).Abs(units), fl)
			require.True(t, extra.Sign() >= 0 && extra.Cmp(big.NewInt(1)) <= 0, "part %d within one unit of its share", j)
			if ratios[j] == 0 {
				require.Zero(t, units.Sign())
			}
			shares[j] = share{extra, rem}
		}
		require.Zero(t, got.Cmp(total), "parts sum exactly")
		for a := range shares {
			for b := range shares {
				if shares[a].extra.Sign() > 0 && shares[b].extra.Sign() == 0 {
					c := shares[a].rem.Cmp(shares[b].rem)
					require.True(t, c > 0 || (c == 0 && a < b), "largest remainder: %v %v", ratios, moneyStrings(parts))
				}
			}
		}
	}
}

func TestMoneySplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    string
		n    int
		want []string
	}{
		{"thirds", "100.00 EUR", 3, []string{"33.34 EUR", "33.33 EUR", "33.33 EUR"}},
		{"one cent", "0.01 EUR", 3, []string{"0.01 EUR", "0.00 EUR", "0.00 EUR"}},
		{"negative", "-0.05 USD", 2, []string{"-0.03 USD", "-0.02 USD"}},
		{"one", "5 JPY", 1, []string{"5 JPY"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parts, err := money(t, tc.m).Split(tc.n)
			require.NoError(t, err)
			require.Equal(t, tc.want, moneyStrings(parts))
		})
	}
	for _, n := range []int{0, -1, math.MinInt, crm.MaxAllocationParts + 1, math.MaxInt} {
		_, err := money(t, "1 EUR").Split(n)
		ve := requireInvalid(t, err)
		require.True(t, ve.Has("n"), "n=%d", n)
	}
	parts, err := money(t, "1 EUR").Split(crm.MaxAllocationParts)
	require.NoError(t, err)
	require.Len(t, parts, crm.MaxAllocationParts)
}

func TestSum(t *testing.T) {
	t.Parallel()
	s, err := crm.Sum(eur)
	require.NoError(t, err)
	require.Equal(t, "0.00 EUR", s.String())

	s, err = crm.Sum(eur, money(t, "1.10 EUR"), money(t, "2.205 EUR"), money(t, "-0.305 EUR"))
	require.NoError(t, err)
	require.Equal(t, "3.000 EUR", s.String())

	tests := []struct {
		name     string
		cur      crm.Currency
		items    []crm.Money
		mismatch bool
		item     string
	}{
		{"no currency", crm.Currency{}, nil, false, ""},
		{"mismatch", eur, []crm.Money{money(t, "1 EUR"), money(t, "1 USD")}, true, "item 1"},
		{"all in other currency", eur, []crm.Money{money(t, "1 USD")}, true, "item 0"},
		{"zero money item", eur, []crm.Money{{}}, false, "item 0"},
		{"overflow", eur, []crm.Money{money(t, "999999999999999999999999999999 EUR"), money(t, "1 EUR")}, false, "item 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := crm.Sum(tc.cur, tc.items...)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Equal(t, tc.mismatch, errorsIs(err, crm.ErrCurrencyMismatch))
			require.Contains(t, err.Error(), tc.item)
		})
	}
}

func TestMoneyString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    crm.Money
		want string
	}{
		{"padded to minor digits", mustNew(t, decimal.New(5, 0), eur), "5.00 EUR"},
		{"extra digits kept", mustNew(t, decimal.New(-5, -3), eur), "-0.005 EUR"},
		{"zero", crm.Zero(eur), "0.00 EUR"},
		{"zero with places", mustNew(t, decimal.New(0, -4), eur), "0.0000 EUR"},
		{"yen fraction", mustNew(t, decimal.New(15, -1), jpy), "1.5 JPY"},
		{"positive exponent", mustNew(t, decimal.New(12, 3), usd), "12000.00 USD"},
		{"zero money", crm.Money{}, "0"},
		{"far beyond bounds uses e-notation", money(t, "1 EUR").Mul(decimal.New(1, 200)), "1e200 EUR"},
		{"tiny beyond bounds uses e-notation", money(t, "-3 EUR").Mul(decimal.New(1, -150)), "-3e-150 EUR"},
		{"zero far beyond bounds", money(t, "0 EUR").Mul(decimal.New(1, -150)), "0.00 EUR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.m.String())
		})
	}
}

func mustNew(t testing.TB, d decimal.Decimal, c crm.Currency) crm.Money {
	t.Helper()
	m, err := crm.NewMoney(d, c)
	require.NoError(t, err)
	return m
}

func TestMoneyValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, money(t, "1 EUR").Validate())
	ve := requireInvalid(t, money(t, "1 EUR").Mul(decimal.New(1, -20)).Validate())
	require.True(t, ve.Has("amount"))
	require.False(t, ve.Has("currency"))
	ve = requireInvalid(t, money(t, "1 EUR").Mul(decimal.New(1, 30)).Validate())
	require.True(t, ve.Has("amount"))
	ve = requireInvalid(t, crm.Money{}.Validate())
	require.True(t, ve.Has("currency"))
}

func TestMoneyText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    crm.Money
		want string
	}{
		{"amount", money(t, "123.45 EUR"), "123.45 EUR"},
		{"negative yen", money(t, "-3 JPY"), "-3 JPY"},
		{"zero money is empty", crm.Money{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := tc.m.MarshalText()
			require.NoError(t, err)
			require.Equal(t, tc.want, string(b))
			var back crm.Money
			require.NoError(t, back.UnmarshalText(b))
			require.True(t, back.Equal(tc.m))
			require.Equal(t, tc.m.String(), back.String())
		})
	}
	m := money(t, "1 EUR")
	requireInvalid(t, m.UnmarshalText([]byte("1 XYZ")))
	require.Equal(t, "1.00 EUR", m.String(), "a refused input leaves the value unchanged")
}

func TestMoneyJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    crm.Money
		want string
	}{
		{"euro", money(t, "123.45 EUR"), `{"amount":"123.45","currency":"EUR"}`},
		{"padded", money(t, "5 EUR"), `{"amount":"5.00","currency":"EUR"}`},
		{"extra digits", money(t, "-0.125 USD"), `{"amount":"-0.125","currency":"USD"}`},
		{"yen", money(t, "100 JPY"), `{"amount":"100","currency":"JPY"}`},
		{"beyond float64 precision", money(t, "12345678901234567890.12 EUR"), `{"amount":"12345678901234567890.12","currency":"EUR"}`},
		{"zero money is null", crm.Money{}, `null`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tc.m)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(b))
			var back crm.Money
			require.NoError(t, json.Unmarshal(b, &back))
			require.True(t, back.Equal(tc.m))
			again, err := json.Marshal(back)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(again))
		})
	}
}

func TestMoneyUnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"string amount", `{"amount":"123.45","currency":"EUR"}`, "123.45 EUR"},
		{"number amount", `{"amount":123.45,"currency":"EUR"}`, "123.45 EUR"},
		{"number with exponent", `{"amount":1.5e2,"currency":"USD"}`, "150.00 USD"},
		{"integer number", `{"amount":-7,"currency":"JPY"}`, "-7 JPY"},
		{"members reversed", `{"currency":"EUR","amount":"1"}`, "1.00 EUR"},
		{"white space", " {\n \"amount\" : \"2.5\" ,\t\"currency\":\"eur\" } ", "2.50 EUR"},
		{"escaped code", `{"amount":"1","currency":"\u0045UR"}`, "1.00 EUR"},
		{"many digits", `{"amount":"12345678901234567890.123456789","currency":"EUR"}`, "12345678901234567890.123456789 EUR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var m crm.Money
			require.NoError(t, json.Unmarshal([]byte(tc.in), &m))
			require.Equal(t, tc.want, m.String())
			var direct crm.Money
			require.NoError(t, direct.UnmarshalJSON([]byte(tc.in)))
			require.True(t, direct.Equal(m))
		})
	}
}

func TestMoneyUnmarshalJSONRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		path string
	}{
		{"empty input", ``, ""},
		{"empty object", `{}`, "amount"},
		{"amount missing", `{"currency":"EUR"}`, "amount"},
		{"currency missing", `{"amount":"1"}`, "currency"},
		{"unknown currency", `{"amount":1.5,"currency":"XYZ"}`, "currency"},
		{"empty currency", `{"amount":1.5,"currency":""}`, "currency"},
		{"currency number", `{"amount":1.5,"currency":978}`, "currency"},
		{"currency null", `{"amount":1.5,"currency":null}`, "currency"},
		{"extra member", `{"amount":"1.5","currency":"EUR","note":1}`, ""},
		{"extra object member", `{"amount":"1.5","currency":"EUR","note":{"a":1}}`, ""},
		{"keys are case sensitive", `{"Amount":"1","Currency":"EUR"}`, ""},
		{"amount twice", `{"amount":"1","amount":"2","currency":"EUR"}`, "amount"},
		{"currency twice", `{"amount":"1","currency":"EUR","currency":"USD"}`, "currency"},
		{"amount bool", `{"amount":true,"currency":"EUR"}`, "amount"},
		{"amount null", `{"amount":null,"currency":"EUR"}`, "amount"},
		{"amount object", `{"amount":{"v":1},"currency":"EUR"}`, "amount"},
		{"amount array", `{"amount":[1],"currency":"EUR"}`, "amount"},
		{"thousands separator", `{"amount":"1,000.00","currency":"EUR"}`, "amount"},
		{"amount with currency", `{"amount":"1 EUR","currency":"EUR"}`, "amount"},
		{"NaN", `{"amount":"NaN","currency":"EUR"}`, "amount"},
		{"huge exponent number", `{"amount":1e999999999,"currency":"EUR"}`, "amount"},
		{"huge exponent string", `{"amount":"1e999999999","currency":"EUR"}`, "amount"},
		{"too many places", `{"amount":"0.0000000000000000001","currency":"EUR"}`, "amount"},
		{"both wrong", `{"amount":"x","currency":"x"}`, "currency"},
		{"array", `[]`, ""},
		{"string", `"1.00 EUR"`, ""},
		{"number", `1`, ""},
		{"trailing data", `{"amount":"1","currency":"EUR"} x`, ""},
		{"second object", `{"amount":"1","currency":"EUR"}{}`, ""},
		{"truncated", `{"amount":"1","currency":"EUR"`, ""},
		{"missing value", `{"amount":,"currency":"EUR"}`, ""},
		{"overlong", `{"amount":"1","currency":"EUR","x":"` + strings.Repeat("a", 600) + `"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := money(t, "9.99 USD")
			ve := requireInvalid(t, m.UnmarshalJSON([]byte(tc.in)))
			if tc.path != "" {
				require.True(t, ve.Has(tc.path), "want %q in %q", tc.path, ve)
			}
			require.Equal(t, "9.99 USD", m.String(), "a refused input leaves the value unchanged")
		})
	}
}

func TestMoneyJSONNullAndFields(t *testing.T) {
	t.Parallel()
	m := money(t, "1 EUR")
	require.NoError(t, m.UnmarshalJSON([]byte(" null ")))
	require.Equal(t, "1.00 EUR", m.String(), "null leaves the value unchanged")

	type invoice struct {
		Total    crm.Money  `json:"total"`
		Discount crm.Money  `json:"discount"`
		Tip      *crm.Money `json:"tip"`
	}
	in := invoice{Total: money(t, "100.50 EUR")}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"total":{"amount":"100.50","currency":"EUR"},"discount":null,"tip":null}`, string(b))
	var out invoice
	require.NoError(t, json.Unmarshal(b, &out))
	require.True(t, out.Total.Equal(in.Total))
	require.True(t, out.Discount.Equal(crm.Money{}))
	require.Nil(t, out.Tip)

	// An invalid Money cannot be marshalled; the error keeps its sentinel
	// through encoding/json.
	_, err = json.Marshal(invoice{Total: money(t, "1 EUR").Mul(decimal.New(1, -20))})
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestRoundingMode(t *testing.T) {
	t.Parallel()
	// Persisted numeric values: never renumber.
	want := map[crm.RoundingMode]struct {
		n    int
		name string
	}{
		crm.RoundHalfEven: {1, "half_even"},
		crm.RoundHalfUp:   {2, "half_up"},
		crm.RoundHalfDown: {3, "half_down"},
		crm.RoundDown:     {4, "down"},
		crm.RoundUp:       {5, "up"},
		crm.RoundFloor:    {6, "floor"},
		crm.RoundCeiling:  {7, "ceiling"},
	}
	for mode, w := range want {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, w.n, int(mode))
			require.True(t, mode.Valid())
			require.Equal(t, w.name, mode.String())
			got, err := crm.ParseRoundingMode(" " + strings.ToUpper(w.name) + " ")
			require.NoError(t, err)
			require.Equal(t, mode, got)
			b, err := mode.MarshalText()
			require.NoError(t, err)
			var back crm.RoundingMode
			require.NoError(t, back.UnmarshalText(b))
			require.Equal(t, mode, back)
		})
	}
	require.Len(t, allModes, len(want))
}

func TestRoundingModeRefuses(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", " ", "half-even", "banker", "HALF_EVEN_", "1", strings.Repeat("x", 100)} {
		_, err := crm.ParseRoundingMode(in)
		requireInvalid(t, err)
		r := crm.RoundUp
		requireInvalid(t, r.UnmarshalText([]byte(in)))
		require.Equal(t, crm.RoundUp, r)
	}
	for _, r := range []crm.RoundingMode{0, -1, 8, 99} {
		require.False(t, r.Valid())
		require.Equal(t, fmt.Sprintf("RoundingMode(%d)", int(r)), r.String())
		_, err := r.MarshalText()
		requireInvalid(t, err)
	}
}

// TestMoneyConcurrentUse reads one Money from many goroutines; run with
// -race it shows that Money values are safe to share.
func TestMoneyConcurrentUse(t *testing.T) {
	t.Parallel()
	m := money(t, "100.00 EUR")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				_ = m.String()
				_, _ = m.Add(m)
				_ = m.Round(crm.RoundHalfEven)
				_, _ = m.Allocate(1, 2)
				_, _ = m.MarshalJSON()
			}
		}()
	}
	wg.Wait()
	require.Equal(t, "100.00 EUR", m.String())
}
