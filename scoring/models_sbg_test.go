package scoring

import (
	"errors"
	"math"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// The two cohorts of Fader and Hardie (2007), "How to Project Customer
// Retention", Journal of Interactive Marketing 21(1): customers still
// active after 0..7 years. Their published maximum-likelihood estimates:
// high end α = 0.668, β = 3.806; regular α = 0.704, β = 1.182.
var (
	mtHighEnd = []float64{1000, 869, 743, 653, 593, 551, 517, 491}
	mtRegular = []float64{1000, 631, 468, 382, 326, 289, 262, 241}
)

func TestFitSBGPublished(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		alive       []float64
		alpha, beta float64
	}{
		{"high end", mtHighEnd, 0.668, 3.806},
		{"regular", mtRegular, 0.704, 1.182},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := FitSBG(tc.alive, nil)
			require.NoError(t, err)
			require.InDelta(t, tc.alpha, m.Alpha, 0.0005)
			require.InDelta(t, tc.beta, m.Beta, 0.0005)
			for _, start := range [][]float64{{0.1, 0.1}, {5, 20}} {
				f, err := FitSBG(tc.alive, &FitOptions{Start: start})
				require.NoError(t, err)
				require.InDelta(t, m.Alpha, f.Alpha, 1e-6)
				require.InDelta(t, m.Beta, f.Beta, 1e-6)
			}
			// Shares instead of counts: same estimate, log-likelihood
			// scaled by 1/1000.
			shares := make([]float64, len(tc.alive))
			for i, n := range tc.alive {
				shares[i] = n / 1000
			}
			s, err := FitSBG(shares, nil)
			require.NoError(t, err)
			require.InDelta(t, m.Alpha, s.Alpha, 1e-6)
			require.InDelta(t, m.Beta, s.Beta, 1e-6)
			require.InDelta(t, m.LogLikelihood/1000, s.LogLikelihood, 1e-9)
		})
	}
}

// TestSBGAgainstIntegration: S(t) = E[(1−θ)^t] and P(T=t) = E[θ(1−θ)^(t−1)]
// over θ ~ beta(α, β), by quadrature.
func TestSBGAgainstIntegration(t *testing.T) {
	t.Parallel()
	for _, m := range []SBG{{Alpha: 0.668, Beta: 3.806}, {Alpha: 0.704, Beta: 1.182}, {Alpha: 3.5, Beta: 0.4}} {
		beta := mtBetaPDF(m.Alpha, m.Beta)
		for _, period := range []int{0, 1, 2, 7, 30} {
			ft := float64(period)
			want := mtQuad01(1.0/32, func(th, omth float64) float64 { return beta(th, omth) * math.Exp(ft*math.Log(omth)) })
			got, err := m.Survival(period)
			require.NoError(t, err)
			mtRelClose(t, want, got, 1e-10, "survival")
			if period == 0 {
				continue
			}
			churn := mtQuad01(1.0/32, func(th, omth float64) float64 {
				return beta(th, omth) * th * math.Exp((ft-1)*math.Log(omth))
			})
			gotChurn, err := m.ChurnProbability(period)
			require.NoError(t, err)
			mtRelClose(t, churn, gotChurn, 1e-10, "churn")
			prev, err := m.Survival(period - 1)
			require.NoError(t, err)
			rate, err := m.RetentionRate(period)
			require.NoError(t, err)
			mtRelClose(t, want/prev, rate, 1e-10, "retention")
		}
	}
}

// mtSBGSum sums Σ_{t≥from} S(t)/S(from−1) / (1+d)^(t−from) directly, with
// S built from the retention rates.
func mtSBGSum(m SBG, d float64, from int) float64 {
	s := 1.0 // S(from−1)/S(from−1)
	disc := 1.0
	var sum float64
	for t := from; t < 100000; t++ {
		ft := float64(t)
		s *= (m.Beta + ft - 1) / (m.Alpha + m.Beta + ft - 1)
		sum += s * disc
		disc /= 1 + d
		if s*disc < 1e-18 {
			break
		}
	}
	return sum
}

func TestSBGLifetimeValues(t *testing.T) {
	t.Parallel()
	high, err := FitSBG(mtHighEnd, nil)
	require.NoError(t, err)
	// jdmaturen/shifted_beta_geometric_py (README) fits the high-end shares
	// and reports DERL = 7.530 at d = 0.10 for the survivors after seven
	// renewals.
	derl, err := high.DERL(0.10, 7)
	require.NoError(t, err)
	require.InDelta(t, 7.530, derl, 0.0005)
	for _, m := range []SBG{high, {Alpha: 0.704, Beta: 1.182}, {Alpha: 3, Beta: 8}} {
		for _, d := range []float64{0.01, 0.1, 0.5} {
			del, err := m.DEL(d)
			require.NoError(t, err)
			mtRelClose(t, 1+mtSBGSum(m, d, 1)/(1+d), del, 1e-11, "DEL")
			for _, renewals := range []int{0, 1, 6, 40} {
				got, err := m.DERL(d, renewals)
				require.NoError(t, err)
				mtRelClose(t, mtSBGSum(m, d, renewals+1), got, 1e-11, "DERL")
			}
		}
		survivors, err := m.ProjectSurvivors(500, 12)
		require.NoError(t, err)
		require.Len(t, survivors, 13)
		for period, n := range survivors {
			s, err := m.Survival(period)
			require.NoError(t, err)
			mtRelClose(t, 500*s, n, 1e-12, "projection")
		}
	}
	life, err := SBG{Alpha: 3, Beta: 8}.ExpectedLifetime()
	require.NoError(t, err)
	mtRelClose(t, 1+mtSBGSum(SBG{Alpha: 3, Beta: 8}, 0, 1), life, 1e-8, "lifetime")
}

func TestSBGRefusals(t *testing.T) {
	t.Parallel()
	good := SBG{Alpha: 0.7, Beta: 1.2}
	cases := []struct {
		name string
		run  func() error
		path string
	}{
		{"one point", func() error { _, err := FitSBG([]float64{10}, nil); return err }, "alive"},
		{"increasing", func() error { _, err := FitSBG([]float64{10, 8, 9}, nil); return err }, "alive[2]"},
		{"negative", func() error { _, err := FitSBG([]float64{10, -1}, nil); return err }, "alive[1]"},
		{"nan", func() error { _, err := FitSBG([]float64{10, math.NaN(), 3}, nil); return err }, "alive[1]"},
		{"zero start", func() error { _, err := FitSBG([]float64{0, 0}, nil); return err }, "alive[0]"},
		{"no loss", func() error { _, err := FitSBG([]float64{10, 10, 10}, nil); return err }, "alive"},
		{"bad options", func() error { _, err := FitSBG(mtHighEnd, &FitOptions{Start: []float64{1}}); return err }, "opts.start"},
		{"negative period", func() error { _, err := good.Survival(-1); return err }, "t"},
		{"churn at zero", func() error { _, err := good.ChurnProbability(0); return err }, "t"},
		{"retention at zero", func() error { _, err := good.RetentionRate(0); return err }, "t"},
		{"zero discount", func() error { _, err := good.DEL(0); return err }, "d"},
		{"nan discount", func() error { _, err := good.DERL(math.NaN(), 1); return err }, "d"},
		{"negative renewals", func() error { _, err := good.DERL(0.1, -1); return err }, "renewals"},
		{"infinite lifetime", func() error { _, err := good.ExpectedLifetime(); return err }, "alpha"},
		{"negative cohort", func() error { _, err := good.ProjectSurvivors(-1, 3); return err }, "n0"},
		{"negative periods", func() error { _, err := good.ProjectSurvivors(1, -3); return err }, "periods"},
		{"invalid model", func() error { _, err := SBG{Alpha: 1}.Survival(1); return err }, "beta"},
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
	// Everyone lost in the first period: the optimum lies at β → 0.
	_, err := FitSBG([]float64{10, 0}, nil)
	require.ErrorIs(t, err, ErrNoConvergence)
}
