package scoring

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// Published BG/NBD estimates on the CDNOW sample (2,357 customers, 39-week
// calibration): Fader, Hardie and Lee (2005), "Counting Your Customers the
// Easy Way", Marketing Science 24(2), 275–284: r = 0.243, α = 4.414,
// a = 0.793, b = 2.426, LL = −9582.4. CLVTools reports the same optimum to
// more digits in tests/testthat/test_correctness_bgnbd.R: r = 0.2425945,
// α = 4.4136019, a = 0.7929199, b = 2.4258881, LL = −9582.429.
func TestFitBGNBDCDNOWPublished(t *testing.T) {
	t.Parallel()
	data := mtCDNOWSummary(t)
	starts := [][]float64{nil, {1, 1, 1, 1}, {0.1, 30, 3, 10}}
	var fits []BGNBD
	for _, start := range starts {
		m, err := FitBGNBD(data, &FitOptions{Start: start})
		require.NoError(t, err)
		fits = append(fits, m)
	}
	m := fits[0]
	require.InDelta(t, 0.243, m.R, 0.0005)
	require.InDelta(t, 4.414, m.Alpha, 0.0005)
	require.InDelta(t, 0.793, m.A, 0.0005)
	require.InDelta(t, 2.426, m.B, 0.0005)
	require.InDelta(t, -9582.4, m.LogLikelihood, 0.05)
	require.InDelta(t, -9582.429, m.LogLikelihood, 0.0005)
	for i, want := range []float64{0.2425945, 4.4136019, 0.7929199, 2.4258881} {
		got := []float64{m.R, m.Alpha, m.A, m.B}[i]
		require.InDelta(t, want, got, 2e-5*want, "param %d", i)
	}
	// Three starting points agree to 1e-6.
	for _, f := range fits[1:] {
		require.InDelta(t, m.R, f.R, 1e-6)
		require.InDelta(t, m.Alpha, f.Alpha, 1e-6)
		require.InDelta(t, m.A, f.A, 1e-6)
		require.InDelta(t, m.B, f.B, 1e-6)
		require.InDelta(t, m.LogLikelihood, f.LogLikelihood, 1e-8)
	}
	ll, err := m.LogLikelihoodOf(data)
	require.NoError(t, err)
	require.InDelta(t, m.LogLikelihood, ll, 1e-8)
}

// TestFitBGNBDRecoversSimulation fits data simulated from known parameters
// (an independent check of the likelihood: a wrong one would not recover
// them).
func TestFitBGNBDRecoversSimulation(t *testing.T) {
	t.Parallel()
	truth := BGNBD{R: 0.5, Alpha: 6, A: 0.8, B: 3}
	data := mtSimulateBGNBD(rand.New(rand.NewPCG(7, 11)), 30000, truth, 84, 546)
	m, err := FitBGNBD(data, nil)
	require.NoError(t, err)
	require.InDelta(t, truth.R, m.R, 0.08*truth.R)
	require.InDelta(t, truth.Alpha, m.Alpha, 0.12*truth.Alpha)
	require.InDelta(t, truth.A, m.A, 0.15*truth.A)
	require.InDelta(t, truth.B, m.B, 0.2*truth.B)
}

// mtBGIntegrate returns ∫∫ f(λ, p) g(λ) h(p) dλ dp over the BG/NBD mixing
// distribution (λ ~ gamma(r, α), p ~ beta(a, b)) by nested tanh-sinh
// quadrature, the λ axis mapped around scale for a peak of the given shape.
func mtBGIntegrate(m BGNBD, scale, shape float64, f func(lambda, p, omp float64) float64) float64 {
	const h = 1.0 / 32
	k := mtPeak(shape)
	beta, gamma := mtBetaPDF(m.A, m.B), mtGammaPDF(m.R, m.Alpha)
	return mtQuad01(h, func(p, omp float64) float64 {
		return beta(p, omp) * mtQuad0Inf(h, scale, k, func(lambda float64) float64 {
			return f(lambda, p, omp) * gamma(lambda)
		})
	})
}

// mtBGStory holds the individual-level BG/NBD quantities for one history,
// integrated over the mixing distribution: the likelihood, its "alive at T"
// part, and alive-weighted integrals of the purchases expected in t and of
// no purchase in tau.
type mtBGStory struct {
	lik, alive, expected, none float64
}

func mtBGIntegrals(m BGNBD, c CustomerSummary, t, tau float64) mtBGStory {
	x := float64(c.X)
	scale := (m.R + x) / (m.Alpha + c.T)
	// Individual level: alive at T with probability (1−p)^x, the purchase
	// times having density λ^x e^(−λT); or dropped out right after the
	// purchase at tx, with density p(1−p)^(x−1) λ^x e^(−λ tx).
	alive := func(lambda, omp float64) float64 {
		return math.Exp(x*math.Log(omp) + x*math.Log(lambda) - lambda*c.T)
	}
	var s mtBGStory
	s.lik = mtBGIntegrate(m, scale, m.R+x, func(lambda, p, omp float64) float64 {
		v := alive(lambda, omp)
		if c.X > 0 {
			v += math.Exp(math.Log(p) + (x-1)*math.Log(omp) + x*math.Log(lambda) - lambda*c.TX)
		}
		return v
	})
	s.alive = mtBGIntegrate(m, scale, m.R+x, func(lambda, p, omp float64) float64 { return alive(lambda, omp) })
	s.expected = mtBGIntegrate(m, scale, m.R+x, func(lambda, p, omp float64) float64 {
		// An alive customer buys (1 − e^(−λpt))/p times in t on average.
		return alive(lambda, omp) * -math.Expm1(-lambda*p*t) / p
	})
	s.none = mtBGIntegrate(m, scale, m.R+x, func(lambda, p, omp float64) float64 {
		return alive(lambda, omp) * math.Exp(-lambda*tau)
	})
	return s
}

func TestBGNBDAgainstIntegration(t *testing.T) {
	t.Parallel()
	cdnow := BGNBD{R: 0.2425945, Alpha: 4.4136019, A: 0.7929199, B: 2.4258881}
	cases := []struct {
		name string
		m    BGNBD
		c    CustomerSummary
	}{
		{"cdnow one-off", cdnow, CustomerSummary{X: 0, T: 38.86}},
		{"cdnow repeat", cdnow, CustomerSummary{X: 2, TX: 30.43, T: 38.86}},
		{"cdnow lapsed", cdnow, CustomerSummary{X: 7, TX: 5, T: 38}},
		{"cdnow large x", cdnow, CustomerSummary{X: 40, TX: 36, T: 38}},
		{"tx equals T", cdnow, CustomerSummary{X: 3, TX: 20, T: 20}},
		{"a exactly one", BGNBD{R: 0.8, Alpha: 3, A: 1, B: 2.5}, CustomerSummary{X: 4, TX: 10, T: 30}},
		{"a near one", BGNBD{R: 0.8, Alpha: 3, A: 1 + 1e-9, B: 2.5}, CustomerSummary{X: 4, TX: 10, T: 30}},
		{"a plus b below one", BGNBD{R: 1.3, Alpha: 2, A: 0.3, B: 0.4}, CustomerSummary{X: 0, T: 12}},
		{"a plus b below one repeat", BGNBD{R: 1.3, Alpha: 2, A: 0.3, B: 0.4}, CustomerSummary{X: 1, TX: 2, T: 12}},
		{"large r", BGNBD{R: 25, Alpha: 30, A: 2, B: 5}, CustomerSummary{X: 6, TX: 8, T: 9}},
	}
	const horizon, tau = 39.0, 13.0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := mtBGIntegrals(tc.m, tc.c, horizon, tau)
			ll, err := tc.m.LogLikelihoodOf([]CustomerSummary{tc.c})
			require.NoError(t, err)
			mtRelClose(t, math.Log(s.lik), ll, 1e-9, "log-likelihood")
			pa, err := tc.m.PAlive(tc.c)
			require.NoError(t, err)
			mtRelClose(t, s.alive/s.lik, pa, 1e-9, "P(alive)")
			e, err := tc.m.ConditionalExpectedPurchases(horizon, tc.c)
			require.NoError(t, err)
			mtRelClose(t, s.expected/s.lik, e, 1e-9, "conditional expectation")
			none, err := tc.m.PNoPurchase(tau, tc.c)
			require.NoError(t, err)
			mtRelClose(t, 1-s.alive/s.lik+s.none/s.lik, none, 1e-9, "P(no purchase)")
		})
	}
}

func TestBGNBDExpectedPurchasesAgainstIntegration(t *testing.T) {
	t.Parallel()
	for _, m := range []BGNBD{
		{R: 0.2425945, Alpha: 4.4136019, A: 0.7929199, B: 2.4258881},
		{R: 0.8, Alpha: 3, A: 1, B: 2.5},
		{R: 1.3, Alpha: 2, A: 0.3, B: 0.4},
	} {
		for _, horizon := range []float64{0.5, 39, 500} {
			want := mtBGIntegrate(m, m.R/m.Alpha, m.R, func(lambda, p, omp float64) float64 {
				return -math.Expm1(-lambda*p*horizon) / p
			})
			got, err := m.ExpectedPurchases(horizon)
			require.NoError(t, err)
			mtRelClose(t, want, got, 1e-9, "E[X(t)]")
		}
	}
}

// TestBGNBDGradient checks the analytic gradient of the fit objective
// against central differences of its value.
func TestBGNBDGradient(t *testing.T) {
	t.Parallel()
	d := calCompress(mtCDNOWSummary(t))
	o := newBGObjective(d, 1)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5 {
		theta := []float64{rng.Float64()*3 - 2, rng.Float64()*3 - 1, rng.Float64()*3 - 1.5, rng.Float64()*3 - 1}
		g := make([]float64, 4)
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

// TestBGNBDProperties sweeps random parameters and histories: results are
// finite, probabilities lie in [0, 1], expectations grow with the horizon
// and P(no purchase) falls with it.
func TestBGNBDProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for range 120 {
		m := BGNBD{
			R: math.Exp(rng.Float64()*8 - 4), Alpha: math.Exp(rng.Float64()*10 - 4),
			A: math.Exp(rng.Float64()*8 - 4), B: math.Exp(rng.Float64()*8 - 4),
		}
		T := math.Exp(rng.Float64()*10 - 3)
		c := CustomerSummary{T: T}
		if rng.IntN(4) > 0 {
			c.X = 1 + rng.IntN(200)
			c.TX = T * (0.001 + 0.999*rng.Float64())
		}
		pa, err := m.PAlive(c)
		require.NoError(t, err)
		require.True(t, pa >= 0 && pa <= 1, "P(alive) %v for %+v %+v", pa, m, c)
		prevE, prevN := 0.0, 1.0
		for _, h := range []float64{0, 0.1, 1, 10, 100, 1000} {
			e, err := m.ConditionalExpectedPurchases(h, c)
			require.NoError(t, err)
			n, err := m.PNoPurchase(h, c)
			require.NoError(t, err)
			u, err := m.ExpectedPurchases(h)
			require.NoError(t, err)
			require.False(t, math.IsNaN(e+n+u) || math.IsInf(e+n+u, 0), "%+v %+v h=%v", m, c, h)
			// Monotone up to the rounding of very long sums (horizons of
			// thousands of mean inter-purchase times).
			require.GreaterOrEqual(t, e, prevE*(1-1e-10), "%+v %+v h=%v", m, c, h)
			require.LessOrEqual(t, n, prevN*(1+1e-10))
			require.True(t, n >= 0 && n <= 1)
			prevE, prevN = e, n
		}
	}
}

func TestBGNBDRefusals(t *testing.T) {
	t.Parallel()
	good := BGNBD{R: 0.24, Alpha: 4.4, A: 0.79, B: 2.4}
	c := CustomerSummary{X: 1, TX: 2, T: 3}
	badModels := []struct {
		name string
		m    BGNBD
		path string
	}{
		{"zero r", BGNBD{Alpha: 1, A: 1, B: 1}, "r"},
		{"negative alpha", BGNBD{R: 1, Alpha: -1, A: 1, B: 1}, "alpha"},
		{"nan a", BGNBD{R: 1, Alpha: 1, A: math.NaN(), B: 1}, "a"},
		{"inf b", BGNBD{R: 1, Alpha: 1, A: 1, B: math.Inf(1)}, "b"},
	}
	for _, tc := range badModels {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			errs := []error{}
			_, err := tc.m.PAlive(c)
			errs = append(errs, err)
			_, err = tc.m.ConditionalExpectedPurchases(1, c)
			errs = append(errs, err)
			_, err = tc.m.PNoPurchase(1, c)
			errs = append(errs, err)
			_, err = tc.m.ExpectedPurchases(1)
			errs = append(errs, err)
			_, err = tc.m.LogLikelihoodOf([]CustomerSummary{c})
			errs = append(errs, err)
			_, err = PredictCustomers(tc.m, nil, []CustomerSummary{c}, PredictOptions{Horizon: 1})
			errs = append(errs, err)
			for _, err := range errs {
				require.ErrorIs(t, err, crm.ErrInvalid)
				var ve *crm.ValidationError
				require.True(t, errors.As(err, &ve))
				require.True(t, ve.Has(tc.path), "%v", err)
			}
		})
	}
	for _, h := range []float64{-1, math.NaN(), math.Inf(1)} {
		_, err := good.ConditionalExpectedPurchases(h, c)
		require.ErrorIs(t, err, crm.ErrInvalid)
		_, err = good.PNoPurchase(h, c)
		require.ErrorIs(t, err, crm.ErrInvalid)
		_, err = good.ExpectedPurchases(h)
		require.ErrorIs(t, err, crm.ErrInvalid)
	}
	// A horizon of 10^8 weeks is refused rather than summed for seconds.
	_, err := good.ExpectedPurchases(1e8)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = good.ConditionalExpectedPurchases(1e9, c)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = PredictCustomers(good, nil, []CustomerSummary{c}, PredictOptions{Horizon: 1e9})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = PredictCLV(good, c, 1, CLVHorizon{Periods: 10, PeriodLength: 1e8})
	require.ErrorIs(t, err, crm.ErrInvalid)

	_, err = FitBGNBD(nil, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = good.LogLikelihoodOf(nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestFitOptionsRefusals(t *testing.T) {
	t.Parallel()
	data := []CustomerSummary{{X: 1, TX: 1, T: 2, MeanValue: 3}, {X: 0, T: 2}}
	cases := []struct {
		name string
		opts FitOptions
		path string
	}{
		{"start too short", FitOptions{Start: []float64{1, 1}}, "opts.start"},
		{"start zero", FitOptions{Start: []float64{1, 0, 1, 1}}, "opts.start[1]"},
		{"start negative", FitOptions{Start: []float64{1, 1, -1, 1}}, "opts.start[2]"},
		{"start nan", FitOptions{Start: []float64{math.NaN(), 1, 1, 1}}, "opts.start[0]"},
		{"start inf", FitOptions{Start: []float64{1, 1, 1, math.Inf(1)}}, "opts.start[3]"},
		{"negative iterations", FitOptions{MaxIterations: -1}, "opts.max_iterations"},
		{"tolerance too small", FitOptions{Tolerance: 1e-20}, "opts.tolerance"},
		{"tolerance too large", FitOptions{Tolerance: 0.5}, "opts.tolerance"},
		{"tolerance nan", FitOptions{Tolerance: math.NaN()}, "opts.tolerance"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := FitBGNBD(data, &tc.opts)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.True(t, errors.As(err, &ve))
			require.True(t, ve.Has(tc.path), "%v", err)
			_, err = FitParetoNBD(data, &tc.opts)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.False(t, errors.Is(err, ErrNoConvergence))
		})
	}
}

// TestFitBGNBDNoConvergence: a fit cut short, or one whose optimum lies at
// the boundary, reports ErrNoConvergence with finite best parameters.
func TestFitBGNBDNoConvergence(t *testing.T) {
	t.Parallel()
	data := mtCDNOWSummary(t)
	m, err := FitBGNBD(data, &FitOptions{MaxIterations: 2})
	require.ErrorIs(t, err, ErrNoConvergence)
	require.False(t, errors.Is(err, crm.ErrInvalid))
	require.NoError(t, m.Validate())
	require.Less(t, m.LogLikelihood, 0.0)

	// Nobody ever buys again: the likelihood keeps rising as purchase
	// rates go to zero, so there is no interior optimum.
	none := []CustomerSummary{{X: 0, T: 10}, {X: 0, T: 20}, {X: 0, T: 30}}
	m, err = FitBGNBD(none, nil)
	require.ErrorIs(t, err, ErrNoConvergence)
	for _, p := range []float64{m.R, m.Alpha, m.A, m.B} {
		require.False(t, math.IsNaN(p) || math.IsInf(p, 0))
	}
}

// TestBGNBDAliveExpectedForms: the two evaluations of the expected
// purchases of an alive customer agree where both are practical.
func TestBGNBDAliveExpectedForms(t *testing.T) {
	t.Parallel()
	cases := []struct{ m, beta0, a, bx, t float64 }{
		{2.2, 40, 1.5, 3, 400},
		{5.5, 10, 3, 0.5, 900},
		{0.7, 2, 8, 2, 3000},
		{30, 50, 2.5, 12, 200},
	}
	for _, c := range cases {
		z := c.t / (c.beta0 + c.t)
		lp := -c.m * math.Log1p(c.t/c.beta0)
		mode := math.Max(0, math.Floor((c.m-1)*z/(1-z)))
		a := bgAliveExpectedByCount(c.m, c.a, c.bx, z, lp, mode)
		b := bgAliveExpectedBySurvival(c.m, c.a, c.bx, z, lp, c.m*c.t/c.beta0)
		mtRelClose(t, a, b, 1e-12, "forms")
	}
}
