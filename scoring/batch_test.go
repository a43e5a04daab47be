package scoring

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// btGeneric hides the fast path of a built-in model.
type btGeneric struct{ PurchaseModel }

func TestPredictBatchMatchesPerCustomer(t *testing.T) {
	t.Parallel()
	data := mtCDNOWSummary(t)
	horizons := []float64{0, 13, 39, 52}
	for name, m := range map[string]PurchaseModel{"bgnbd": mtBGCDNOW, "paretonbd": mtPNBDCDNOW, "generic": btGeneric{mtBGCDNOW}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := PredictBatch(m, data, BatchOptions{Horizons: horizons})
			require.NoError(t, err)
			require.Equal(t, horizons, got.Horizons)
			require.Len(t, got.PAlive, len(data))
			require.Len(t, got.ExpectedPurchases, len(horizons))
			require.Len(t, got.PNoPurchase, len(horizons))
			for i, c := range data {
				pa, err := m.PAlive(c)
				require.NoError(t, err)
				mtRelClose(t, pa, got.PAlive[i], 1e-12, "p(alive)")
				for h, tt := range horizons {
					e, err := m.ConditionalExpectedPurchases(tt, c)
					require.NoError(t, err)
					mtRelClose(t, e, got.ExpectedPurchases[h][i], 1e-12, "expected")
					q, err := m.PNoPurchase(tt, c)
					require.NoError(t, err)
					require.InDelta(t, q, got.PNoPurchase[h][i], 1e-12, "p(no purchase) of %d at %g", i, tt)
				}
			}
		})
	}
}

func TestPredictBatchComputesOnlyWhatIsAsked(t *testing.T) {
	t.Parallel()
	data := mtCDNOWSummary(t)[:50]
	cases := []struct {
		name              string
		want              Quantity
		alive, exp, nopur bool
	}{
		{"all by default", 0, true, true, true},
		{"p(alive) only", QuantityPAlive, true, false, false},
		{"expected only", QuantityExpectedPurchases, false, true, false},
		{"no purchase and p(alive)", QuantityPNoPurchase | QuantityPAlive, true, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := PredictBatch(mtBGCDNOW, data, BatchOptions{Horizons: []float64{39, 52}, Want: tc.want})
			require.NoError(t, err)
			require.Equal(t, tc.alive, got.PAlive != nil)
			require.Equal(t, tc.exp, got.ExpectedPurchases != nil)
			require.Equal(t, tc.nopur, got.PNoPurchase != nil)
		})
	}
}

func TestPredictBatchRefusesBadInput(t *testing.T) {
	t.Parallel()
	good := []CustomerSummary{{X: 1, TX: 2, T: 5}}
	cases := []struct {
		name string
		m    PurchaseModel
		data []CustomerSummary
		opts BatchOptions
	}{
		{"nil model", nil, good, BatchOptions{}},
		{"negative horizon", mtBGCDNOW, good, BatchOptions{Horizons: []float64{-1}}},
		{"NaN horizon", mtBGCDNOW, good, BatchOptions{Horizons: []float64{math.NaN()}}},
		{"unknown quantity", mtBGCDNOW, good, BatchOptions{Want: 1 << 6}},
		{"empty data", mtBGCDNOW, nil, BatchOptions{}},
		{"tx after T", mtBGCDNOW, []CustomerSummary{{X: 1, TX: 6, T: 5}}, BatchOptions{}},
		{"NaN mean value", mtBGCDNOW, []CustomerSummary{{X: 1, TX: 2, T: 5, MeanValue: math.NaN()}}, BatchOptions{}},
		{"invalid model", BGNBD{R: -1, Alpha: 1, A: 1, B: 1}, good, BatchOptions{}},
		{"horizon beyond the model's scale", mtBGCDNOW, good, BatchOptions{Horizons: []float64{1e12}}},
		{"too many horizons", mtBGCDNOW, good, BatchOptions{Horizons: make([]float64, 1001)}},
		{"too many results", mtBGCDNOW, make([]CustomerSummary, 1<<20), BatchOptions{Horizons: make([]float64, 100)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := PredictBatch(tc.m, tc.data, tc.opts)
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
}

func TestPurchaseCountProbabilities(t *testing.T) {
	t.Parallel()
	models := map[string]CountModel{
		"bgnbd": mtBGCDNOW, "paretonbd": mtPNBDCDNOW,
		// First terms below float64's range at the far nodes.
		"paretonbd large r": ParetoNBD{R: 600, Alpha: 20, S: 0.8, Beta: 30},
		"bgnbd large r":     BGNBD{R: 600, Alpha: 20, A: 0.8, B: 30},
	}
	for name, m := range models {
		for _, horizon := range []float64{0, 0.5, 39, 78, 1000} {
			if horizon > 100 && strings.HasSuffix(name, "large r") {
				continue // the counts of a large r run past MaxCountN
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				p, err := m.PurchaseCountProbabilities(horizon, 4000)
				require.NoError(t, err)
				var sum, mean float64
				for n, v := range p {
					require.True(t, v >= 0 && v <= 1, "P(X=%d)=%v", n, v)
					sum += v
					mean += float64(n) * v
				}
				var want float64
				switch mm := m.(type) {
				case BGNBD:
					want, err = mm.ExpectedPurchases(horizon)
				case ParetoNBD:
					want, err = mm.ExpectedPurchases(horizon)
				}
				require.NoError(t, err)
				require.InDelta(t, 1, sum, 1e-9, "t=%g", horizon)
				require.InDelta(t, want, mean, 1e-8*math.Max(1, want), "t=%g", horizon)
			})
		}
	}
}

func TestParetoNBDCountAgainstQuadrature(t *testing.T) {
	t.Parallel()
	cases := []struct {
		m       ParetoNBD
		horizon float64
	}{
		{mtPNBDCDNOW, 2}, {mtPNBDCDNOW, 39}, {mtPNBDCDNOW, 300},
		// Small shapes near the switch to three panels (t/(α+t) = 0.9).
		{ParetoNBD{R: 0.1, Alpha: 1, S: 0.1, Beta: 1}, 8.99},
		{ParetoNBD{R: 0.1, Alpha: 1, S: 0.1, Beta: 1}, 9.01},
		{ParetoNBD{R: 3, Alpha: 2, S: 2.5, Beta: 40}, 17},
	}
	for _, tc := range cases {
		m, horizon := tc.m, tc.horizon
		p, err := m.PurchaseCountProbabilities(horizon, 8)
		require.NoError(t, err)
		for n := range p {
			nb := func(tau float64) float64 { // NB_τ(n)
				lg, _ := math.Lgamma(m.R + float64(n))
				lr, _ := math.Lgamma(m.R)
				lf, _ := math.Lgamma(float64(n) + 1)
				z := tau / (m.Alpha + tau)
				return math.Exp(lg - lr - lf + m.R*math.Log1p(-z) + float64(n)*math.Log(z))
			}
			// Independent check: tanh-sinh over τ = t·u.
			dead := mtQuad01(0.02, func(u, _ float64) float64 {
				tau := horizon * u
				return horizon * nb(tau) * m.S * math.Pow(m.Beta, m.S) * math.Pow(m.Beta+tau, -(m.S+1))
			})
			want := nb(horizon)*math.Pow(m.Beta/(m.Beta+horizon), m.S) + dead
			require.InDelta(t, want, p[n], 1e-10, "t=%g n=%d", horizon, n)
		}
	}
}

func TestBGNBDCountClosedForms(t *testing.T) {
	t.Parallel()
	m := mtBGCDNOW
	p, err := m.PurchaseCountProbabilities(39, 1)
	require.NoError(t, err)
	// No purchase: the customer cannot drop out before a purchase.
	require.InDelta(t, math.Pow(m.Alpha/(m.Alpha+39), m.R), p[0], 1e-15)
	_, err = m.PurchaseCountProbabilities(39, -1)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = m.PurchaseCountProbabilities(math.Inf(1), 3)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = mtPNBDCDNOW.PurchaseCountProbabilities(1, MaxCountN+1)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestPurchaseCountDistribution(t *testing.T) {
	t.Parallel()
	ts := []float64{39, 10, 39, 0}
	d, err := PurchaseCountDistribution(mtPNBDCDNOW, ts, 5, &CountOptions{Workers: 1})
	require.NoError(t, err)
	require.Len(t, d.P, 4*6)
	for i, tt := range ts {
		want, err := mtPNBDCDNOW.PurchaseCountProbabilities(tt, 5)
		require.NoError(t, err)
		require.Equal(t, want, d.Row(i))
	}
	_, err = PurchaseCountDistribution(nil, ts, 5, nil)
	require.True(t, errors.Is(err, crm.ErrInvalid))
	_, err = PurchaseCountDistribution(mtBGCDNOW, []float64{-1}, 5, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = PurchaseCountDistribution(mtBGCDNOW, ts, 5, &CountOptions{Workers: -1})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = PurchaseCountDistribution(mtBGCDNOW, make([]float64, 10_000_000), 20, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	// Many distinct ages over several workers: identical to one worker.
	many := btAges(5000)
	one, err := PurchaseCountDistribution(mtPNBDCDNOW, many, 12, &CountOptions{Workers: 1})
	require.NoError(t, err)
	three, err := PurchaseCountDistribution(mtPNBDCDNOW, many, 12, &CountOptions{Workers: 3})
	require.NoError(t, err)
	require.Equal(t, one, three)
}

func TestPurchaseCountProbabilitiesExtremeHorizons(t *testing.T) {
	t.Parallel()
	models := map[string]CountModel{
		"bgnbd": mtBGCDNOW, "paretonbd": mtPNBDCDNOW,
		"paretonbd small shapes": ParetoNBD{R: 0.05, Alpha: 1e-3, S: 0.05, Beta: 1e3},
		"bgnbd small shapes":     BGNBD{R: 0.05, Alpha: 1e-3, A: 0.05, B: 1e3},
	}
	for name, m := range models {
		for _, horizon := range []float64{1e-300, 1e-9, 1e6, 1e12, 1e300, math.MaxFloat64} {
			p, err := m.PurchaseCountProbabilities(horizon, 50)
			require.NoError(t, err, name)
			var sum float64
			for n, v := range p {
				require.False(t, math.IsNaN(v), "%s t=%g n=%d", name, horizon, n)
				require.True(t, v >= 0 && v <= 1, "%s t=%g n=%d: %v", name, horizon, n, v)
				sum += v
			}
			require.LessOrEqual(t, sum, 1+1e-9, "%s t=%g", name, horizon)
		}
	}
}

func FuzzPurchaseCountProbabilities(f *testing.F) {
	f.Add(0.24, 4.4, 0.79, 2.4, 39.0, uint8(20))
	f.Add(1e-3, 1e-3, 1e3, 1e-3, 1e9, uint8(200))
	f.Add(500.0, 0.1, 0.5, 0.5, 3.0, uint8(255))
	f.Fuzz(func(t *testing.T, r, alpha, a, b, horizon float64, maxN uint8) {
		for _, v := range []float64{r, alpha, a, b} {
			if !(v >= 1e-6 && v <= 1e6) {
				return
			}
		}
		for _, m := range []CountModel{BGNBD{R: r, Alpha: alpha, A: a, B: b}, ParetoNBD{R: r, Alpha: alpha, S: a, Beta: b}} {
			p, err := m.PurchaseCountProbabilities(horizon, int(maxN))
			if err != nil {
				require.ErrorIs(t, err, crm.ErrInvalid)
				continue
			}
			var sum float64
			for n, v := range p {
				require.True(t, v >= 0 && v <= 1, "%T n=%d: %v", m, n, v)
				sum += v
			}
			require.LessOrEqual(t, sum, 1+1e-6, "%T", m)
		}
	})
}

// btCounting counts the calls a generic model receives.
type btCounting struct {
	PurchaseModel
	alive, expected, none int
}

func (c *btCounting) PAlive(s CustomerSummary) (float64, error) {
	c.alive++
	return c.PurchaseModel.PAlive(s)
}

func (c *btCounting) ConditionalExpectedPurchases(t float64, s CustomerSummary) (float64, error) {
	c.expected++
	return c.PurchaseModel.ConditionalExpectedPurchases(t, s)
}

func (c *btCounting) PNoPurchase(t float64, s CustomerSummary) (float64, error) {
	c.none++
	return c.PurchaseModel.PNoPurchase(t, s)
}

func TestPredictBatchGenericCallsOnlyWhatIsAsked(t *testing.T) {
	t.Parallel()
	data := mtCDNOWSummary(t)[:10]
	m := &btCounting{PurchaseModel: mtBGCDNOW}
	_, err := PredictBatch(m, data, BatchOptions{Horizons: []float64{1, 2}, Want: QuantityExpectedPurchases})
	require.NoError(t, err)
	require.Equal(t, 0, m.alive)
	require.Equal(t, 20, m.expected)
	require.Equal(t, 0, m.none)
}
