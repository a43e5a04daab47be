package scoring

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// mtHyp1Euler computes 2F1(1, p; c; z) from its Euler integral
//
//	Γ(c)/(Γ(p)Γ(c−p)) ∫₀¹ t^(p−1) (1−t)^(c−p−1) (1−zt)^(−1) dt
//
// by tanh-sinh quadrature; an independent check of spHyp1.
func mtHyp1Euler(p, c, z float64) float64 {
	lc, _ := math.Lgamma(c)
	lp, _ := math.Lgamma(p)
	lcp, _ := math.Lgamma(c - p)
	norm := lc - lp - lcp
	return mtQuad01(1.0/64, func(t, omt float64) float64 {
		return math.Exp(norm+(p-1)*math.Log(t)+(c-p-1)*math.Log(omt)) / (1 - z*t)
	})
}

func TestSpecialHyp1AgainstEulerIntegral(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		p, c, z float64
	}{
		{"small z", 1.5, 3.2, 0.05},
		{"series edge", 0.6, 1.9, 0.85},
		{"fraction start", 0.6, 1.9, 0.86},
		{"middle", 2.5, 4.0, 0.5},
		{"p below one", 0.3, 0.9, 0.7},
		{"c minus p below one", 2.2, 2.5, 0.8},
		{"large parameters", 40.3, 41.2, 0.6},
		{"near one", 1.3, 2.9, 0.99},
		{"very near one", 0.8, 2.4, 0.9999},
		{"pnbd alpha<beta shape", 1.606, 1.159 + 1.606, 0.094},
		{"pnbd alpha>=beta shape", 0.553, 2.159, 0.9},
		{"del shape", 3.806, 4.474, 1 / 1.1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := mtHyp1Euler(tc.p, tc.c, tc.z)
			mtRelClose(t, want, spHyp1(tc.p, tc.c, tc.z), 1e-11, "spHyp1")
			// Both evaluation methods agree wherever both converge quickly.
			if tc.z < 0.95 {
				mtRelClose(t, spHyp1Series(tc.p, tc.c, tc.z), spHyp1Fraction(tc.p, tc.c, tc.z), 1e-13, "series vs fraction")
			}
		})
	}
}

func TestSpecialHyp1Closed(t *testing.T) {
	t.Parallel()
	// 2F1(1, 1; 2; z) = −ln(1−z)/z and 2F1(1, p; p; z) = 1/(1−z).
	for _, z := range []float64{0.01, 0.2, 0.3, 0.6, 0.95, 0.999999} {
		mtRelClose(t, -math.Log1p(-z)/z, spHyp1(1, 2, z), 1e-12, "ln")
		mtRelClose(t, 1/(1-z), spHyp1(2.5, 2.5+1e-15, z), 1e-9, "geometric")
	}
}

func TestSpecialDigamma(t *testing.T) {
	t.Parallel()
	const euler = 0.57721566490153286061
	mtRelClose(t, -euler, spDigamma(1), 1e-14, "psi(1)")
	mtRelClose(t, -euler-2*math.Ln2, spDigamma(0.5), 1e-14, "psi(1/2)")
	mtRelClose(t, 1-euler, spDigamma(2), 1e-14, "psi(2)")
	// Against a central difference of math.Lgamma.
	for _, x := range []float64{1e-3, 0.07, 0.9, 3.3, 9.99, 10, 57.5, 1e4} {
		h := 1e-5 * math.Max(x, 1e-2)
		lp, _ := math.Lgamma(x + h)
		lm, _ := math.Lgamma(x - h)
		mtRelClose(t, (lp-lm)/(2*h), spDigamma(x), 1e-7, "fd")
	}
	// Recurrence ψ(x+1) = ψ(x) + 1/x, across the switch at 10.
	for _, x := range []float64{0.25, 8.5, 9.5, 12.25} {
		mtRelClose(t, spDigamma(x)+1/x, spDigamma(x+1), 1e-14, "recurrence")
	}
}

func TestSpecialLogHelpers(t *testing.T) {
	t.Parallel()
	require.Equal(t, 3.0, spLogAddExp(3, math.Inf(-1)))
	require.Equal(t, 3.0, spLogAddExp(math.Inf(-1), 3))
	mtRelClose(t, math.Log(math.Exp(1.5)+math.Exp(-2)), spLogAddExp(1.5, -2), 1e-15, "lae")
	mtRelClose(t, 1000+math.Log(2), spLogAddExp(1000, 1000), 1e-15, "lae big")
	require.True(t, math.IsInf(spLog1mExp(0), -1))
	mtRelClose(t, math.Log(1e-12), spLog1mExp(-1e-12), 1e-6, "l1me tiny")
	mtRelClose(t, math.Log(1-math.Exp(-3)), spLog1mExp(-3), 1e-15, "l1me")
	var s spSum
	for range 1000 {
		s.add(0.1)
	}
	s.add(1e20)
	s.add(-1e20)
	mtRelClose(t, 100, s.value(), 1e-15, "neumaier")
}
