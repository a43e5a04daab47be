package scoring

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// Published Gamma-Gamma estimates on the 946 CDNOW sample customers with
// repeat purchases: p = 6.25, q = 3.74, γ = 15.44 (Fader and Hardie 2013,
// "The Gamma-Gamma Model of Monetary Value", and Fader, Hardie and Lee 2005,
// "RFM and CLV"); CLVTools' tests/testthat/test_correctness_gg.R checks the
// same figures with LL = −4055.9177.
func TestFitGammaGammaCDNOWPublished(t *testing.T) {
	t.Parallel()
	data := mtCDNOWSummary(t)
	var fits []GammaGamma
	for _, start := range [][]float64{nil, {1, 1, 1}, {0.5, 15, 2}} {
		m, err := FitGammaGamma(data, &FitOptions{Start: start})
		require.NoError(t, err)
		fits = append(fits, m)
	}
	m := fits[0]
	require.InDelta(t, 6.25, m.P, 0.005)
	require.InDelta(t, 3.74, m.Q, 0.005)
	require.InDelta(t, 15.44, m.Gamma, 0.005)
	require.InDelta(t, -4055.9177, m.LogLikelihood, 0.0001)
	for _, f := range fits[1:] {
		require.InDelta(t, m.P, f.P, 1e-6)
		require.InDelta(t, m.Q, f.Q, 1e-6)
		require.InDelta(t, m.Gamma, f.Gamma, 1e-6)
	}
	ll, err := m.LogLikelihoodOf(data)
	require.NoError(t, err)
	require.InDelta(t, m.LogLikelihood, ll, 1e-8)
	mean, err := m.MeanSpend()
	require.NoError(t, err)
	require.InDelta(t, m.P*m.Gamma/(m.Q-1), mean, 1e-12)
}

func TestGammaGammaAgainstIntegration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		m    GammaGamma
		c    CustomerSummary
	}{
		{"cdnow typical", GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}, CustomerSummary{X: 2, TX: 30, T: 38, MeanValue: 22.35}},
		{"cdnow big spender", GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}, CustomerSummary{X: 12, TX: 30, T: 38, MeanValue: 180}},
		{"small shapes", GammaGamma{P: 0.4, Q: 1.3, Gamma: 2}, CustomerSummary{X: 1, TX: 3, T: 5, MeanValue: 0.7}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, c := tc.m, tc.c
			x := float64(c.X)
			px := m.P * x
			lg, _ := math.Lgamma(px)
			// The mean of x purchases of a customer with rate ν is
			// gamma(px, xν); ν is gamma(q, γ) across customers.
			meanGivenNu := func(nu float64) float64 {
				return math.Exp(px*math.Log(x*nu) + (px-1)*math.Log(c.MeanValue) - x*nu*c.MeanValue - lg)
			}
			g := mtGammaPDF(m.Q, m.Gamma)
			scale := (m.Q + px) / (m.Gamma + x*c.MeanValue)
			lik := mtQuad0Inf(1.0/32, scale, mtPeak(m.Q+px), func(nu float64) float64 { return meanGivenNu(nu) * g(nu) })
			spend := mtQuad0Inf(1.0/32, scale, mtPeak(m.Q+px), func(nu float64) float64 { return m.P / nu * meanGivenNu(nu) * g(nu) })
			ll, err := m.LogLikelihoodOf([]CustomerSummary{c})
			require.NoError(t, err)
			mtRelClose(t, math.Log(lik), ll, 1e-10, "log-likelihood")
			e, err := m.ConditionalExpectedSpend(c)
			require.NoError(t, err)
			mtRelClose(t, spend/lik, e, 1e-10, "conditional spend")
		})
	}
}

func TestGammaGammaGradient(t *testing.T) {
	t.Parallel()
	d, err := ggCollect("test", mtCDNOWSummary(t))
	require.NoError(t, err)
	o := &ggObjective{d: d, c: make([]float64, len(d.xs)), dp: make([]float64, len(d.xs)), dq: make([]float64, len(d.xs))}
	rng := rand.New(rand.NewPCG(21, 22))
	for range 5 {
		theta := []float64{rng.Float64()*4 - 1, rng.Float64()*4 - 1, rng.Float64()*4 - 1}
		g := make([]float64, 3)
		o.eval(theta, g)
		for i := range theta {
			const h = 1e-5
			tp := append([]float64(nil), theta...)
			tp[i] += h
			fp := o.eval(tp, nil)
			tp[i] -= 2 * h
			fm := o.eval(tp, nil)
			require.InDelta(t, (fp-fm)/(2*h), g[i], 1e-6*math.Max(1, math.Abs(g[i])), "theta %v component %d", theta, i)
		}
	}
}

func TestGammaGammaRefusals(t *testing.T) {
	t.Parallel()
	good := GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
	c := CustomerSummary{X: 2, TX: 1, T: 3, MeanValue: 10}
	cases := []struct {
		name string
		run  func() error
		path string
	}{
		{"zero mean with repeats", func() error {
			_, err := FitGammaGamma([]CustomerSummary{{X: 1, TX: 1, T: 2}}, nil)
			return err
		}, "data[0].mean_value"},
		{"no repeat customer", func() error {
			_, err := FitGammaGamma([]CustomerSummary{{X: 0, T: 2}}, nil)
			return err
		}, "data"},
		{"empty", func() error { _, err := FitGammaGamma(nil, nil); return err }, "data"},
		{"bad start", func() error {
			_, err := FitGammaGamma([]CustomerSummary{c}, &FitOptions{Start: []float64{1, 1, 1, 1}})
			return err
		}, "opts.start"},
		{"invalid p", func() error { _, err := GammaGamma{Q: 2, Gamma: 1}.ConditionalExpectedSpend(c); return err }, "p"},
		{"invalid gamma", func() error { _, err := GammaGamma{P: 1, Q: 2, Gamma: math.NaN()}.MeanSpend(); return err }, "gamma"},
		{"infinite mean", func() error { _, err := GammaGamma{P: 1, Q: 0.9, Gamma: 1}.MeanSpend(); return err }, "q"},
		{"infinite conditional", func() error {
			_, err := GammaGamma{P: 0.01, Q: 0.5, Gamma: 1}.ConditionalExpectedSpend(CustomerSummary{X: 1, TX: 1, T: 1, MeanValue: 1})
			return err
		}, "customer.x"},
		{"invalid customer", func() error {
			_, err := good.ConditionalExpectedSpend(CustomerSummary{X: 1, T: 1})
			return err
		}, "customer.tx"},
		{"invalid model in likelihood", func() error {
			_, err := GammaGamma{P: -1, Q: 1, Gamma: 1}.LogLikelihoodOf([]CustomerSummary{c})
			return err
		}, "p"},
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
	// X = 0 customers get the population mean.
	pop, err := good.ConditionalExpectedSpend(CustomerSummary{X: 0, T: 3})
	require.NoError(t, err)
	mean, err := good.MeanSpend()
	require.NoError(t, err)
	require.InDelta(t, mean, pop, 1e-12)
}
