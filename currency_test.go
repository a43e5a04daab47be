package crm_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

// problems gives tests access to the field problems of a refusal.
type problems struct{ ve *crm.ValidationError }

// Has reports whether a problem was recorded for path.
func (p problems) Has(path string) bool { return p.ve.Has(path) }

// String returns the error text.
func (p problems) String() string { return p.ve.Error() }

// requireInvalid checks that err is a refusal matching crm.ErrInvalid and
// carried by a *crm.ValidationError somewhere in its chain.
func requireInvalid(t testing.TB, err error) problems {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.True(t, errors.As(err, &ve), "want a *crm.ValidationError in %q", err)
	return problems{ve}
}

func TestParseCurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		code  string
		minor int32
	}{
		{"upper", "EUR", "EUR", 2},
		{"lower", "eur", "EUR", 2},
		{"mixed case", "uSd", "USD", 2},
		{"surrounding spaces", " EUR ", "EUR", 2},
		{"tabs and newline", "\tjpy\n", "JPY", 0},
		{"first in table", "AED", "AED", 2},
		{"last in table", "ZWG", "ZWG", 2},
		{"three decimals", "BHD", "BHD", 3},
		{"four decimals", "CLF", "CLF", 4},
		{"unidad previsional", "UYW", "UYW", 4},
		{"caribbean guilder", "XCG", "XCG", 2},
		{"arab accounting dinar", "XAD", "XAD", 2},
		{"digital bolivar", "VED", "VED", 2},
		{"gold has no minor unit", "XAU", "XAU", 0},
		{"no currency code", "XXX", "XXX", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := crm.ParseCurrency(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.code, c.Code())
			require.Equal(t, tc.code, c.String())
			require.Equal(t, tc.minor, c.MinorUnits())
			require.False(t, c.IsZero())
			require.Equal(t, crm.MustCurrency(tc.code), c)
		})
	}
}

func TestParseCurrencyRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"only spaces", "   "},
		{"too short", "EU"},
		{"too long", "EURO"},
		{"overlong input", strings.Repeat("E", 10_000)},
		{"digit", "E1R"},
		{"numeric code", "978"},
		{"symbol", "€"},
		{"non-ASCII letter", "ÉUR"},
		{"inner space", "E UR"},
		{"NUL byte", "EU\x00"},
		{"unknown", "XYZ"},
		{"historic kuna", "HRK"},
		{"historic antillean guilder", "ANG"},
		{"historic convertible peso", "CUC"},
		{"historic old leone", "SLL"},
		{"historic zimbabwe dollar", "ZWL"},
		{"historic bulgarian lev", "BGN"},
		{"historic mark", "DEM"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := crm.ParseCurrency(tc.in)
			requireInvalid(t, err)
			require.True(t, c.IsZero())
		})
	}
}

func TestMustCurrencyPanics(t *testing.T) {
	t.Parallel()
	require.Panics(t, func() { crm.MustCurrency("XYZ") })
	require.NotPanics(t, func() { crm.MustCurrency("EUR") })
}

func TestCurrencyZeroValue(t *testing.T) {
	t.Parallel()
	var c crm.Currency
	require.True(t, c.IsZero())
	require.Empty(t, c.Code())
	require.Empty(t, c.String())
	require.Zero(t, c.MinorUnits())
	require.False(t, c.NoMinorUnits())
	b, err := c.MarshalText()
	require.NoError(t, err)
	require.Empty(t, b)
}

func TestCurrencyNoMinorUnits(t *testing.T) {
	t.Parallel()
	want := []string{"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}
	var got []string
	for _, c := range crm.Currencies() {
		if c.NoMinorUnits() {
			got = append(got, c.Code())
			require.Zero(t, c.MinorUnits(), c.Code())
		}
	}
	require.Equal(t, want, got)
	require.False(t, crm.MustCurrency("EUR").NoMinorUnits())
	require.False(t, crm.MustCurrency("JPY").NoMinorUnits(), "0 minor units is not N.A.")
}

func TestCurrenciesTable(t *testing.T) {
	t.Parallel()
	all := crm.Currencies()
	// ISO 4217 list one, edition of 1 January 2026.
	require.Len(t, all, 178)
	codes := make([]string, len(all))
	minors := map[int32]int{}
	for i, c := range all {
		code := c.Code()
		require.Len(t, code, 3)
		require.Equal(t, strings.ToUpper(code), code)
		got, err := crm.ParseCurrency(strings.ToLower(code))
		require.NoError(t, err, code)
		require.Equal(t, c, got, code)
		minors[c.MinorUnits()]++
		codes[i] = code
	}
	require.True(t, slices.IsSorted(codes), "table must be sorted for the binary search")
	require.Len(t, slices.Compact(slices.Clone(codes)), len(codes), "codes must be unique")
	// 3 decimals: BHD IQD JOD KWD LYD OMR TND; 4: CLF UYW.
	require.Equal(t, 7, minors[3])
	require.Equal(t, 2, minors[4])
	// Currencies returns a fresh slice each time.
	all[0] = crm.Currency{}
	require.False(t, crm.Currencies()[0].IsZero())
}

func TestCurrencyIsComparableMapKey(t *testing.T) {
	t.Parallel()
	totals := map[crm.Currency]int{}
	totals[crm.MustCurrency("eur")]++
	totals[crm.MustCurrency(" EUR")]++
	totals[crm.MustCurrency("USD")]++
	require.Equal(t, 2, totals[crm.MustCurrency("EUR")])
	require.Len(t, totals, 2)
	require.NotEqual(t, crm.MustCurrency("EUR"), crm.Currency{})
}

func TestCurrencyText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"code", "EUR", "EUR"},
		{"lower case", "jpy", "JPY"},
		{"empty is the zero currency", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c crm.Currency
			require.NoError(t, c.UnmarshalText([]byte(tc.in)))
			out, err := c.MarshalText()
			require.NoError(t, err)
			require.Equal(t, tc.want, string(out))
		})
	}
}

func TestCurrencyUnmarshalTextRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"unknown", "XYZ"},
		{"malformed", "E1"},
		{"overlong", strings.Repeat("A", 1<<16)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := crm.MustCurrency("EUR")
			requireInvalid(t, c.UnmarshalText([]byte(tc.in)))
			require.Equal(t, crm.MustCurrency("EUR"), c, "a refused input leaves the value unchanged")
		})
	}
}

func TestCurrencyJSON(t *testing.T) {
	t.Parallel()
	type row struct {
		Cur  crm.Currency  `json:"cur"`
		Opt  crm.Currency  `json:"opt"`
		Ptr  *crm.Currency `json:"ptr"`
		Keyd map[crm.Currency]int
	}
	in := row{Cur: crm.MustCurrency("CHF"), Keyd: map[crm.Currency]int{crm.MustCurrency("EUR"): 3}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"cur":"CHF","opt":"","ptr":null,"Keyd":{"EUR":3}}`, string(b))
	var out row
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in, out)

	err = json.Unmarshal([]byte(`{"cur":"XYZ"}`), &out)
	requireInvalid(t, err)
}
