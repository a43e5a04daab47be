package scoring

import (
	"math"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

func TestBGNBDUncertaintyCDNOW(t *testing.T) {
	t.Parallel()
	data := mtCDNOWSummary(t)
	m, err := FitBGNBD(data, nil)
	require.NoError(t, err)
	require.Equal(t, 2357, m.Customers)
	rep, err := m.Uncertainty(data, nil)
	require.NoError(t, err)
	require.Equal(t, 2357, rep.Customers)
	require.Equal(t, 0.95, rep.Level)
	require.InDelta(t, m.LogLikelihood, rep.LogLikelihood, 1e-6)
	// The standard errors lifetimes prints for this fit (two decimals).
	for i, want := range []float64{0.01, 0.38, 0.19, 0.71} {
		p := rep.Params[i]
		require.Equal(t, bgParamNames[i], p.Name)
		require.InDelta(t, want, p.StdErr, 0.006, p.Name)
		require.Less(t, p.Lower, p.Value)
		require.Greater(t, p.Upper, p.Value)
		require.Greater(t, p.Lower, 0.0)
		require.InDelta(t, p.StdErr*p.StdErr, rep.Covariance[i*4+i], 1e-12)
	}
}

func TestUncertaintyBootstrapIsReproducibleAndAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("refits 60 data sets")
	}
	t.Parallel()
	data := mtCDNOWSummary(t)
	m, err := FitBGNBD(data, nil)
	require.NoError(t, err)
	opts := &UncertaintyOptions{Bootstrap: 60, Seed: 3, Level: 0.9}
	a, err := m.Uncertainty(data, opts)
	require.NoError(t, err)
	b, err := m.Uncertainty(data, opts)
	require.NoError(t, err)
	require.Equal(t, a, b)
	require.Equal(t, 60, a.Bootstrap+a.BootstrapFailed)
	require.GreaterOrEqual(t, a.Bootstrap, 50)
	for _, p := range a.Params {
		// The bootstrap spread agrees with the Hessian's within a factor 1.6.
		require.InEpsilon(t, p.StdErr, p.BootStdErr, 0.6, p.Name)
		require.Less(t, p.BootLower, p.BootUpper)
	}
}

func TestParetoNBDAndGammaGammaUncertainty(t *testing.T) {
	t.Parallel()
	data := mtCDNOWSummary(t)
	p, err := FitParetoNBD(data, nil)
	require.NoError(t, err)
	rep, err := p.Uncertainty(data, nil)
	require.NoError(t, err)
	for _, e := range rep.Params {
		require.True(t, e.StdErr > 0 && e.StdErr < e.Value, "%s: %v", e.Name, e.StdErr)
	}
	g, err := FitGammaGamma(data, nil)
	require.NoError(t, err)
	repeaters := 0
	for _, c := range data {
		if c.X > 0 {
			repeaters++
		}
	}
	require.Equal(t, repeaters, g.Customers)
	grep, err := g.Uncertainty(data, &UncertaintyOptions{Bootstrap: 20, Seed: 1})
	require.NoError(t, err)
	require.Equal(t, repeaters, grep.Customers)
	require.Len(t, grep.Params, 3)
	require.Positive(t, grep.Params[0].BootStdErr)
}

func TestUncertaintyRefusesBadInput(t *testing.T) {
	t.Parallel()
	data := mtCDNOWSummary(t)
	cases := []struct {
		name string
		call func() error
	}{
		{"level 1", func() error { _, err := mtBGCDNOW.Uncertainty(data, &UncertaintyOptions{Level: 1}); return err }},
		{"level NaN", func() error {
			_, err := mtBGCDNOW.Uncertainty(data, &UncertaintyOptions{Level: math.NaN()})
			return err
		}},
		{"negative bootstrap", func() error { _, err := mtBGCDNOW.Uncertainty(data, &UncertaintyOptions{Bootstrap: -1}); return err }},
		{"empty data", func() error { _, err := mtPNBDCDNOW.Uncertainty(nil, nil); return err }},
		{"invalid model", func() error { _, err := (GammaGamma{P: 1, Q: -1, Gamma: 1}).Uncertainty(data, nil); return err }},
		{"not a maximum", func() error {
			_, err := (BGNBD{R: 50, Alpha: 0.01, A: 50, B: 0.01}).Uncertainty(data, nil)
			return err
		}},
		{"bad refit start", func() error {
			_, err := mtBGCDNOW.Uncertainty(data, &UncertaintyOptions{Bootstrap: 1, Fit: &FitOptions{Start: []float64{1}}})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.call(), crm.ErrInvalid)
		})
	}
}

func TestSBGUncertainty(t *testing.T) {
	t.Parallel()
	m, err := FitSBG(mtHighEnd, nil)
	require.NoError(t, err)
	rep, err := m.Uncertainty(mtHighEnd, &UncertaintyOptions{Bootstrap: 200, Seed: 9})
	require.NoError(t, err)
	require.Equal(t, int(mtHighEnd[0]), rep.Customers)
	require.Len(t, rep.Params, 2)
	for _, p := range rep.Params {
		require.True(t, p.StdErr > 0 && p.StdErr < p.Value, "%s: %v", p.Name, p.StdErr)
		// Eight points of a curve: the estimates are skewed to the right,
		// so the bootstrap spread exceeds the Hessian's somewhat.
		require.InEpsilon(t, p.StdErr, p.BootStdErr, 0.5, p.Name)
		require.Less(t, p.BootLower, p.Value)
		require.Greater(t, p.BootUpper, p.Value)
	}
	// A cohort that is not a whole number of customers: no bootstrap.
	shares := make([]float64, len(mtHighEnd))
	for i, n := range mtHighEnd {
		shares[i] = 0.87 * n / mtHighEnd[0]
	}
	_, err = m.Uncertainty(shares, &UncertaintyOptions{Bootstrap: 1})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = (SBG{Alpha: -1, Beta: 1}).Uncertainty(mtHighEnd, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
}
