package opportunity_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
)

// testRules are small pricing rules whose results are worked out by hand
// in TestPricerWorkedByHand.
func testRules() opportunity.PricingRules {
	return opportunity.PricingRules{
		Currency: cny,
		PriceLists: []opportunity.PriceList{
			{ID: "list-2026", Prices: []opportunity.ListPrice{
				{Code: "AC-9000", Price: money("2500.00 CNY")},
				{Code: "INSTALL", Price: money("300.00 CNY")},
				{Code: "FILTER", Price: money("0.25 CNY")},
			}},
			{ID: "stable-2026", Class: customer.Stable, Prices: []opportunity.ListPrice{
				{Code: "AC-9000", Price: money("2400.00 CNY")},
			}},
		},
		Tiers: []opportunity.VolumeTier{
			{ID: "ac-50", Code: "AC-9000", Min: dec("50"), Max: dec("100"), Discount: dec("0.03")},
			{ID: "ac-100", Code: "AC-9000", Min: dec("100"), Max: dec("500"), Discount: dec("0.05")},
			{ID: "ac-500", Code: "AC-9000", Min: dec("500"), Discount: dec("0.08")},
			{ID: "ac-stable-100", Code: "AC-9000", Class: customer.Stable, Min: dec("100"), Discount: dec("0.07")},
		},
		Terms: []opportunity.PaymentTerm{
			{ID: "early", FromDays: 0, ToDays: 15, Percent: dec("-0.02")},
			{ID: "standard", FromDays: 16, ToDays: 60, Percent: decimal.Zero},
			{ID: "late", FromDays: 61, ToDays: 120, Percent: dec("0.03")},
		},
		Seasons: []opportunity.Season{
			{ID: "summer-2026", From: date(2026, 6, 1), To: date(2026, 8, 31), Codes: []string{"AC-9000"}, Percent: dec("-0.05")},
		},
		ApprovalThreshold: dec("0.15"),
	}
}

func TestPricerWorkedByHand(t *testing.T) {
	t.Parallel()
	pr, err := opportunity.NewPricer(testRules())
	require.NoError(t, err)
	type adj struct {
		Kind    opportunity.AdjustmentKind
		Rule    string
		Percent string
	}
	tests := []struct {
		name     string
		req      opportunity.PriceRequest
		list     string
		adjs     []adj
		discount string
		total    string
		approval bool
	}{
		{
			// 2500 × 0.95 × 0.98 × 0.95 = 2500 × 0.88445; × 120 = 265335.00
			name: "general class, tier, early payment, summer",
			req: opportunity.PriceRequest{PaymentDays: 10, Date: date(2026, 7, 10),
				Lines: []opportunity.PriceLine{{Code: "AC-9000", Quantity: dec("120")}}},
			list: "2500.00 CNY",
			adjs: []adj{{opportunity.AdjustVolume, "ac-100", "-0.05"}, {opportunity.AdjustPaymentTerm, "early", "-0.02"},
				{opportunity.AdjustSeason, "summer-2026", "-0.05"}},
			discount: "0.11555", total: "265335.00 CNY",
		},
		{
			// class list 2400; class tier 7%; late +3%; no season in March;
			// manual 10%: 0.93 × 1.03 × 0.9 = 0.86211; 288000 × 0.86211 = 248287.68
			name: "class list and tier, late payment, manual discount",
			req: opportunity.PriceRequest{Class: customer.Stable, PaymentDays: 90, Date: date(2026, 3, 10),
				Lines: []opportunity.PriceLine{{Code: "AC-9000", Quantity: dec("120"), Discount: dec("0.1")}}},
			list: "2400.00 CNY",
			adjs: []adj{{opportunity.AdjustVolume, "ac-stable-100", "-0.07"}, {opportunity.AdjustPaymentTerm, "late", "0.03"},
				{opportunity.AdjustManual, "", "-0.1"}},
			discount: "0.13789", total: "248287.68 CNY",
		},
		{
			// class Stable below its own tier: the general tiers of the code apply (3%)
			name: "class falls back to the general tier",
			req: opportunity.PriceRequest{Class: customer.Stable, PaymentDays: 30, Date: date(2026, 3, 10),
				Lines: []opportunity.PriceLine{{Code: "AC-9000", Quantity: dec("60")}}},
			list:     "2400.00 CNY",
			adjs:     []adj{{opportunity.AdjustVolume, "ac-50", "-0.03"}},
			discount: "0.03", total: "139680.00 CNY", // 60 × 2400 × 0.97
		},
		{
			// general list (the class list lacks INSTALL); early -2%; manual 15%:
			// 0.98 × 0.85 = 0.833; 900 × 0.833 = 749.70; 0.167 > 0.15 needs approval
			name: "installation beyond the approval threshold",
			req: opportunity.PriceRequest{Class: customer.Stable, PaymentDays: 10, Date: date(2026, 7, 10),
				Lines: []opportunity.PriceLine{{Code: "INSTALL", Quantity: dec("3"), Discount: dec("0.15")}}},
			list:     "300.00 CNY",
			adjs:     []adj{{opportunity.AdjustPaymentTerm, "early", "-0.02"}, {opportunity.AdjustManual, "", "-0.15"}},
			discount: "0.167", total: "749.70 CNY", approval: true,
		},
		{
			// 0.25 × 0.9 = 0.225: half up gives 0.23 (half even would give 0.22)
			name: "rounding half up to the minor unit",
			req: opportunity.PriceRequest{PaymentDays: 30, Date: date(2026, 3, 10),
				Lines: []opportunity.PriceLine{{Code: "FILTER", Quantity: dec("1"), Discount: dec("0.1")}}},
			list:     "0.25 CNY",
			adjs:     []adj{{opportunity.AdjustManual, "", "-0.1"}},
			discount: "0.1", total: "0.23 CNY",
		},
		{
			name: "no term covers 200 days, fractional quantity",
			req: opportunity.PriceRequest{PaymentDays: 200, Date: date(2026, 3, 10),
				Lines: []opportunity.PriceLine{{Code: "INSTALL", Quantity: dec("2.5")}}},
			list: "300.00 CNY", discount: "0", total: "750.00 CNY",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lines, err := pr.Price(tt.req)
			require.NoError(t, err)
			require.Len(t, lines, 1)
			l := lines[0]
			require.True(t, l.ListPrice.Equal(money(tt.list)), l.ListPrice.String())
			var got []adj
			for _, a := range l.Adjustments {
				got = append(got, adj{a.Kind, a.Rule, a.Percent.String()})
				require.NotEmpty(t, a.Note, "every applied rule is explained")
			}
			require.Equal(t, tt.adjs, got)
			require.True(t, l.Discount.Equal(dec(tt.discount)), l.Discount.String())
			require.Equal(t, money(tt.total).String(), l.Total.String())
			require.Equal(t, tt.approval, l.NeedsApproval)
			require.NoError(t, l.Validate())
		})
	}
}

func TestPricerRefuses(t *testing.T) {
	t.Parallel()
	pr, err := opportunity.NewPricer(testRules())
	require.NoError(t, err)
	ok := opportunity.PriceLine{Code: "AC-9000", Quantity: dec("1")}
	tests := []struct {
		name string
		req  opportunity.PriceRequest
		path string
	}{
		{"code on no list", opportunity.PriceRequest{Date: date(2026, 1, 1), Lines: []opportunity.PriceLine{ok, {Code: "TV", Quantity: dec("1")}}}, "lines[1].code"},
		{"negative quantity", opportunity.PriceRequest{Date: date(2026, 1, 1), Lines: []opportunity.PriceLine{{Code: "AC-9000", Quantity: dec("-1")}}}, "lines[0].quantity"},
		{"zero quantity", opportunity.PriceRequest{Date: date(2026, 1, 1), Lines: []opportunity.PriceLine{{Code: "AC-9000"}}}, "lines[0].quantity"},
		{"discount over 100%", opportunity.PriceRequest{Date: date(2026, 1, 1), Lines: []opportunity.PriceLine{{Code: "AC-9000", Quantity: dec("1"), Discount: dec("1.01")}}}, "lines[0].discount"},
		{"discount below 0", opportunity.PriceRequest{Date: date(2026, 1, 1), Lines: []opportunity.PriceLine{{Code: "AC-9000", Quantity: dec("1"), Discount: dec("-0.1")}}}, "lines[0].discount"},
		{"quantity with too many places", opportunity.PriceRequest{Date: date(2026, 1, 1), Lines: []opportunity.PriceLine{{Code: "AC-9000", Quantity: dec("0.0000001")}}}, "lines[0].quantity"},
		{"huge quantity", opportunity.PriceRequest{Date: date(2026, 1, 1), Lines: []opportunity.PriceLine{{Code: "AC-9000", Quantity: dec("1e40")}}}, "lines[0].quantity"},
		{"no date", opportunity.PriceRequest{Lines: []opportunity.PriceLine{ok}}, "date"},
		{"negative payment days", opportunity.PriceRequest{PaymentDays: -1, Date: date(2026, 1, 1)}, "payment_days"},
		{"unknown class", opportunity.PriceRequest{Class: 99, Date: date(2026, 1, 1)}, "class"},
		{"too many lines", opportunity.PriceRequest{Date: date(2026, 1, 1), Lines: make([]opportunity.PriceLine, opportunity.MaxPriceLines+1)}, "lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lines, err := pr.Price(tt.req)
			require.Nil(t, lines)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), err.Error())
		})
	}
}

func TestPricingRulesValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(r *opportunity.PricingRules)
		path string
	}{
		{"overlapping tiers", func(r *opportunity.PricingRules) {
			r.Tiers = append(r.Tiers, opportunity.VolumeTier{ID: "ac-90", Code: "AC-9000", Min: dec("90"), Max: dec("120"), Discount: dec("0.04")})
		}, "tiers"},
		{"tier overlapping an unbounded one", func(r *opportunity.PricingRules) {
			r.Tiers = append(r.Tiers, opportunity.VolumeTier{ID: "ac-600", Code: "AC-9000", Min: dec("600"), Max: dec("700"), Discount: dec("0.1")})
		}, "tiers"},
		{"tier ending before it starts", func(r *opportunity.PricingRules) { r.Tiers[0].Max = dec("10") }, "tiers[0].max"},
		{"tier discount over 100%", func(r *opportunity.PricingRules) { r.Tiers[0].Discount = dec("1.5") }, "tiers[0].discount"},
		{"tier discount below 0", func(r *opportunity.PricingRules) { r.Tiers[0].Discount = dec("-0.5") }, "tiers[0].discount"},
		{"price in another currency", func(r *opportunity.PricingRules) {
			r.PriceLists[0].Prices[0].Price = money("300.00 EUR")
		}, "price_lists[0].prices[0].price"},
		{"negative price", func(r *opportunity.PricingRules) {
			r.PriceLists[0].Prices[0].Price = money("-1.00 CNY")
		}, "price_lists[0].prices[0].price"},
		{"duplicate price", func(r *opportunity.PricingRules) {
			r.PriceLists[0].Prices[1].Code = "AC-9000"
		}, "price_lists[0].prices[1].code"},
		{"overlapping terms", func(r *opportunity.PricingRules) { r.Terms[1].FromDays = 15 }, "terms"},
		{"season ending before it starts", func(r *opportunity.PricingRules) { r.Seasons[0].To = date(2026, 5, 1) }, "seasons[0].to"},
		{"season percent below -100%", func(r *opportunity.PricingRules) { r.Seasons[0].Percent = dec("-1.5") }, "seasons[0].percent"},
		{"threshold above 1", func(r *opportunity.PricingRules) { r.ApprovalThreshold = dec("2") }, "approval_threshold"},
		{"no currency", func(r *opportunity.PricingRules) { r.Currency = crm.Currency{} }, "currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := testRules()
			tt.edit(&r)
			err := r.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), err.Error())
			_, err = opportunity.NewPricer(r)
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
	r := testRules()
	require.NoError(t, r.Validate(), "tiers that touch do not overlap")
}

// TestPricedLinesOnOpportunity carries priced lines onto an opportunity.
func TestPricedLinesOnOpportunity(t *testing.T) {
	t.Parallel()
	pr, err := opportunity.NewPricer(testRules())
	require.NoError(t, err)
	lines, err := pr.Price(opportunity.PriceRequest{PaymentDays: 10, Date: date(2026, 7, 10), Lines: []opportunity.PriceLine{
		{Code: "AC-9000", Quantity: dec("120")},
		{Code: "INSTALL", Quantity: dec("3"), Discount: dec("0.15")},
	}})
	require.NoError(t, err)
	o := newOpp(t, testPipeline(t))
	require.NoError(t, o.SetLines(lines, chAt(time.Hour, "")))
	require.Equal(t, "266084.70 CNY", o.Amount().String()) // 265335.00 + 749.70
	require.Equal(t, []string{"INSTALL"}, o.Unapproved())
}
