package opportunity_test

import (
	"encoding"
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
)

type textEnum interface {
	encoding.TextMarshaler
	String() string
	Valid() bool
}

// fuzzEnum checks parse: no panic; a parsed value is valid, marshals to its
// String form and parses back to itself; a refusal matches crm.ErrInvalid.
func fuzzEnum[T textEnum](t *testing.T, s string, parse func(string) (T, error)) {
	v, err := parse(s)
	if err != nil {
		require.ErrorIs(t, err, crm.ErrInvalid)
		return
	}
	require.True(t, v.Valid())
	b, err := v.MarshalText()
	require.NoError(t, err)
	require.Equal(t, v.String(), string(b))
	again, err := parse(string(b))
	require.NoError(t, err)
	require.Equal(t, v, again)
}

func seeds(f *testing.F, names ...string) {
	for _, n := range append(names, "", " Open ", "nope", "won\x00", "\xff") {
		f.Add(n)
	}
}

func FuzzParseStatus(f *testing.F) {
	seeds(f, "open", "won", "lost")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, opportunity.ParseStatus) })
}

func FuzzParseForecastCategory(f *testing.F) {
	seeds(f, "pipeline", "best_case", "COMMIT", "closed", "omitted")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, opportunity.ParseForecastCategory) })
}

func FuzzParseContactRole(f *testing.F) {
	seeds(f, "decision_maker", "influencer", "user", "other")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, opportunity.ParseContactRole) })
}

func FuzzParseSourceKind(f *testing.F) {
	seeds(f, "lead", "campaign", "customer_referral", "dealer_referral", "channel")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, opportunity.ParseSourceKind) })
}

func FuzzParseCompetitorStatus(f *testing.F) {
	seeds(f, "active", "leading", "won")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, opportunity.ParseCompetitorStatus) })
}

func FuzzParseField(f *testing.F) {
	seeds(f, "amount", "close_date", "approval")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, opportunity.ParseField) })
}

func FuzzParseAdjustmentKind(f *testing.F) {
	seeds(f, "price_list", "volume", "payment_term", "season", "manual")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, opportunity.ParseAdjustmentKind) })
}

func FuzzParsePeriod(f *testing.F) {
	seeds(f, "month", "quarter", "year")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, opportunity.ParsePeriod) })
}

func FuzzParseDimension(f *testing.F) {
	seeds(f, "period", "owner", "segment")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, opportunity.ParseDimension) })
}

// FuzzLine builds lines from text a host might read from a form or a file:
// no panic; a line NewLine accepts validates, has a total rounded to
// the currency's minor unit, and survives a JSON round trip unchanged.
func FuzzLine(f *testing.F) {
	f.Add("AC-9000", "200", "2500.00", "0.2")
	f.Add("X", "0.000001", "0.01", "1")
	f.Add("X", "-1", "1", "0")
	f.Add("X", "1e11", "99999999", "0.5")
	f.Add("", "1", "1", "0")
	f.Add("X", "1", "1e-20", "0")
	f.Fuzz(func(t *testing.T, code, qty, price, disc string) {
		q, err1 := decimal.NewFromString(qty)
		d, err2 := decimal.NewFromString(disc)
		p, err3 := crm.MoneyFromString(price, cny)
		if err1 != nil || err2 != nil || err3 != nil || len(qty) > 40 || len(disc) > 40 {
			return
		}
		l, err := opportunity.NewLine(opportunity.LineInput{Code: code, Quantity: q, UnitPrice: p, Discount: d})
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		require.NoError(t, l.Validate())
		require.LessOrEqual(t, -l.Total.Amount().Exponent(), cny.MinorUnits(), "rounded to the minor unit")
		require.False(t, l.Total.IsNegative())
		b, err := json.Marshal(l)
		require.NoError(t, err)
		var back opportunity.Line
		require.NoError(t, json.Unmarshal(b, &back))
		require.NoError(t, back.Validate())
		require.True(t, back.Total.Equal(l.Total))
	})
}
