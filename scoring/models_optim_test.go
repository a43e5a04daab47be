package scoring

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// mtRosenbrock is the classic banana-shaped test function, minimum 0 at
// (1, 1), with its gradient.
func mtRosenbrock(x, g []float64) float64 {
	a, b := 1-x[0], x[1]-x[0]*x[0]
	if g != nil {
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
	}
	return a*a + 100*b*b
}

func TestOptimMinimizeRosenbrock(t *testing.T) {
	t.Parallel()
	for _, analytic := range []bool{true, false} {
		for _, start := range [][]float64{{-1.2, 1}, {2, 2}, {0, -1}} {
			res := optMinimize(mtRosenbrock, analytic, start, optSettings{maxIter: 500, tol: 1e-10}, nil)
			require.True(t, res.converged, "analytic=%v start=%v: %s", analytic, start, res.reason)
			require.InDelta(t, 1, res.theta[0], 1e-8)
			require.InDelta(t, 1, res.theta[1], 1e-8)
			require.Less(t, res.f, 1e-15)
		}
	}
}

func TestOptimMinimizeFailures(t *testing.T) {
	t.Parallel()
	// No curvature along the second coordinate: not a strict minimum.
	flat := func(x, g []float64) float64 {
		if g != nil {
			g[0], g[1] = 2*(x[0]-3), 0
		}
		return (x[0] - 3) * (x[0] - 3)
	}
	res := optMinimize(flat, true, []float64{0, 0}, optSettings{maxIter: 100, tol: 1e-8}, nil)
	require.False(t, res.converged)
	require.Contains(t, res.reason, "positive definite")
	require.InDelta(t, 3, res.theta[0], 1e-6)

	// Undefined at the start.
	nan := func(x, g []float64) float64 { return math.NaN() }
	res = optMinimize(nan, false, []float64{1}, optSettings{maxIter: 100, tol: 1e-8}, nil)
	require.False(t, res.converged)
	require.Contains(t, res.reason, "starting point")

	// Decreasing forever: the iteration limit stops it.
	slope := func(x, g []float64) float64 {
		if g != nil {
			g[0] = -1
		}
		return -x[0]
	}
	res = optMinimize(slope, true, []float64{0}, optSettings{maxIter: 20, tol: 1e-8}, nil)
	require.False(t, res.converged)
	require.Contains(t, res.reason, "iteration limit")
	require.Greater(t, res.theta[0], 0.0)
}

func TestOptimCholesky(t *testing.T) {
	t.Parallel()
	// [[4, 2], [2, 3]] s = [2, 5] → s = [−0.5, 2].
	s, ok := optCholeskySolve([]float64{4, 2, 2, 3}, []float64{2, 5}, 2)
	require.True(t, ok)
	require.InDelta(t, -0.5, s[0], 1e-15)
	require.InDelta(t, 2, s[1], 1e-15)
	_, ok = optCholeskySolve([]float64{1, 2, 2, 1}, []float64{1, 1}, 2)
	require.False(t, ok)
}
