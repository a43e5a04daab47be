package scoring

import (
	"errors"
	"math"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// mtPlainModel hides the fast path of a built-in model, so PredictCustomers
// and PredictCLV take their generic route.
type mtPlainModel struct{ m PurchaseModel }

func (p mtPlainModel) PAlive(c CustomerSummary) (float64, error) { return p.m.PAlive(c) }
func (p mtPlainModel) ConditionalExpectedPurchases(t float64, c CustomerSummary) (float64, error) {
	return p.m.ConditionalExpectedPurchases(t, c)
}
func (p mtPlainModel) PNoPurchase(tau float64, c CustomerSummary) (float64, error) {
	return p.m.PNoPurchase(tau, c)
}

var (
	mtBGCDNOW   = BGNBD{R: 0.2425945, Alpha: 4.4136019, A: 0.7929199, B: 2.4258881}
	mtPNBDCDNOW = ParetoNBD{R: 0.55315, Alpha: 10.57633, S: 0.60625, Beta: 11.67150}
	mtGGCDNOW   = GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
)

func TestPredictCLVDefinition(t *testing.T) {
	t.Parallel()
	c := CustomerSummary{X: 3, TX: 25, T: 38, MeanValue: 40}
	h := CLVHorizon{Periods: 12, PeriodLength: 52.0 / 12, DiscountRate: 0.01}
	for _, m := range []PurchaseModel{mtBGCDNOW, mtPNBDCDNOW} {
		// By definition: spend × Σ_i (E(iL) − E((i−1)L)) / (1+d)^i.
		var want, prev float64
		for i := 1; i <= h.Periods; i++ {
			e, err := m.ConditionalExpectedPurchases(float64(i)*h.PeriodLength, c)
			require.NoError(t, err)
			want += (e - prev) * 25 / math.Pow(1+h.DiscountRate, float64(i))
			prev = e
		}
		got, err := PredictCLV(m, c, 25, h)
		require.NoError(t, err)
		mtRelClose(t, want, got, 1e-12, "clv")
		generic, err := PredictCLV(mtPlainModel{m}, c, 25, h)
		require.NoError(t, err)
		mtRelClose(t, want, generic, 1e-12, "generic clv")

		// Undiscounted, one period: spend times the expected purchases.
		one, err := PredictCLV(m, c, 25, CLVHorizon{Periods: 1, PeriodLength: 52})
		require.NoError(t, err)
		e, err := m.ConditionalExpectedPurchases(52, c)
		require.NoError(t, err)
		mtRelClose(t, 25*e, one, 1e-12, "one period")

		// More periods add value; a higher discount rate removes some.
		longer, err := PredictCLV(m, c, 25, CLVHorizon{Periods: 24, PeriodLength: h.PeriodLength, DiscountRate: 0.01})
		require.NoError(t, err)
		require.Greater(t, longer, got)
		dearer, err := PredictCLV(m, c, 25, CLVHorizon{Periods: 12, PeriodLength: h.PeriodLength, DiscountRate: 0.05})
		require.NoError(t, err)
		require.Less(t, dearer, got)
	}
}

func TestPredictCustomersFastMatchesGeneric(t *testing.T) {
	t.Parallel()
	data := mtCDNOWSummary(t)
	opts := PredictOptions{Horizon: 39, CLV: CLVHorizon{Periods: 6, PeriodLength: 4, DiscountRate: 0.02}}
	for _, m := range []PurchaseModel{mtBGCDNOW, mtPNBDCDNOW} {
		for _, spend := range []*GammaGamma{nil, &mtGGCDNOW} {
			fast, err := PredictCustomers(m, spend, data, opts)
			require.NoError(t, err)
			slow, err := PredictCustomers(mtPlainModel{m}, spend, data, opts)
			require.NoError(t, err)
			require.Len(t, fast, len(data))
			for i := range fast {
				require.Equal(t, data[i].ID, fast[i].ID)
				require.Equal(t, slow[i].ID, fast[i].ID)
				mtRelClose(t, slow[i].PAlive, fast[i].PAlive, 1e-12, "palive")
				mtRelClose(t, slow[i].ExpectedPurchases, fast[i].ExpectedPurchases, 1e-12, "expected")
				mtRelClose(t, slow[i].PNoPurchase, fast[i].PNoPurchase, 1e-12, "none")
				mtRelClose(t, slow[i].ExpectedSpend, fast[i].ExpectedSpend, 1e-12, "spend")
				mtRelClose(t, slow[i].CLV, fast[i].CLV, 1e-10, "clv")
				if spend == nil {
					require.Equal(t, data[i].MeanValue, fast[i].ExpectedSpend)
				} else {
					s, err := spend.ConditionalExpectedSpend(data[i])
					require.NoError(t, err)
					require.Equal(t, s, fast[i].ExpectedSpend)
				}
			}
		}
	}
	// Without a CLV horizon the CLV stays zero.
	out, err := PredictCustomers(mtBGCDNOW, &mtGGCDNOW, data[:5], PredictOptions{Horizon: 10})
	require.NoError(t, err)
	for _, p := range out {
		require.Zero(t, p.CLV)
		require.Positive(t, p.ExpectedPurchases)
	}
}

func TestPredictRefusals(t *testing.T) {
	t.Parallel()
	c := CustomerSummary{X: 1, TX: 1, T: 2, MeanValue: 3}
	data := []CustomerSummary{c}
	cases := []struct {
		name string
		run  func() error
		path string
	}{
		{"nil model clv", func() error { _, err := PredictCLV(nil, c, 1, CLVHorizon{Periods: 1}); return err }, "model"},
		{"nan spend", func() error { _, err := PredictCLV(mtBGCDNOW, c, math.NaN(), CLVHorizon{Periods: 1}); return err }, "spend"},
		{"negative spend", func() error { _, err := PredictCLV(mtBGCDNOW, c, -1, CLVHorizon{Periods: 1}); return err }, "spend"},
		{"no periods", func() error { _, err := PredictCLV(mtBGCDNOW, c, 1, CLVHorizon{}); return err }, "horizon.periods"},
		{"too many periods", func() error { _, err := PredictCLV(mtBGCDNOW, c, 1, CLVHorizon{Periods: 10001}); return err }, "horizon.periods"},
		{"negative length", func() error {
			_, err := PredictCLV(mtBGCDNOW, c, 1, CLVHorizon{Periods: 1, PeriodLength: -1})
			return err
		}, "horizon.period_length"},
		{"negative rate", func() error {
			_, err := PredictCLV(mtBGCDNOW, c, 1, CLVHorizon{Periods: 1, DiscountRate: -0.1})
			return err
		}, "horizon.discount_rate"},
		{"invalid customer clv", func() error {
			_, err := PredictCLV(mtPNBDCDNOW, CustomerSummary{X: 1, T: 1}, 1, CLVHorizon{Periods: 1})
			return err
		}, "customer.tx"},
		{"invalid customer generic clv", func() error {
			_, err := PredictCLV(mtPlainModel{mtPNBDCDNOW}, CustomerSummary{X: 1, T: 1}, 1, CLVHorizon{Periods: 1})
			return err
		}, "customer.tx"},
		{"nil model", func() error { _, err := PredictCustomers(nil, nil, data, PredictOptions{}); return err }, "model"},
		{"negative horizon", func() error {
			_, err := PredictCustomers(mtBGCDNOW, nil, data, PredictOptions{Horizon: -1})
			return err
		}, "opts.horizon"},
		{"rate without periods", func() error {
			_, err := PredictCustomers(mtBGCDNOW, nil, data, PredictOptions{Horizon: 1, CLV: CLVHorizon{DiscountRate: 0.1}})
			return err
		}, "opts.clv.periods"},
		{"invalid spend model", func() error {
			_, err := PredictCustomers(mtBGCDNOW, &GammaGamma{P: 1, Q: -1, Gamma: 1}, data, PredictOptions{Horizon: 1})
			return err
		}, "q"},
		{"infinite spend", func() error {
			_, err := PredictCustomers(mtBGCDNOW, &GammaGamma{P: 0.1, Q: 0.5, Gamma: 1}, data, PredictOptions{Horizon: 1})
			return err
		}, "data[0].x"},
		{"empty data", func() error { _, err := PredictCustomers(mtBGCDNOW, nil, nil, PredictOptions{Horizon: 1}); return err }, "data"},
		{"invalid data generic", func() error {
			_, err := PredictCustomers(mtPlainModel{mtBGCDNOW}, nil, []CustomerSummary{{X: -1}}, PredictOptions{Horizon: 1})
			return err
		}, "data[0].x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.run()
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.True(t, errors.As(err, &ve))
			require.True(t, ve.Has(tc.path), "%v", err)
		})
	}
}
