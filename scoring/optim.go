package scoring

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"

	"github.com/crmkit/crm"
)

// ErrNoConvergence reports a maximum-likelihood fit that stopped before
// reaching a verified optimum: the iteration limit was hit, or the best point
// found is not a strict local maximum (typically because the data push a
// parameter towards zero or infinity). The fit functions return it wrapped,
// together with the best parameters found, so callers can inspect them.
var ErrNoConvergence = errors.New("scoring: fit did not converge")

// FitOptions tunes a maximum-likelihood fit. A nil *FitOptions and the zero
// value use the defaults.
//
// Every fit maximises the log-likelihood over the logarithms of the
// parameters (so they stay positive) with a quasi-Newton (BFGS) search,
// then polishes the result with Newton steps on a numerical Hessian. It
// reports convergence only when the last Newton step is below Tolerance in
// every log-parameter and the Hessian is positive definite, so fits started
// from different points agree to about Tolerance in relative terms.
type FitOptions struct {
	// Start is the starting point, in the order of the model's parameters
	// (for example R, Alpha, A, B for BG/NBD); every value must be positive
	// and finite. Nil means a default derived from the data.
	Start []float64
	// MaxIterations bounds the quasi-Newton iterations; zero means 500.
	MaxIterations int
	// Tolerance is the relative precision required of every parameter;
	// zero means 1e-8. It must lie in [1e-14, 1e-2].
	Tolerance float64
	// Workers is the number of goroutines that evaluate the likelihood of
	// large data sets (BG/NBD: more than 16,384 distinct records); zero
	// means runtime.GOMAXPROCS(0), 1 evaluates in the calling goroutine.
	// The result does not depend on it, to the last bit: the records are
	// summed in fixed chunks combined in a fixed order. Every goroutine has
	// returned when the fit returns. It must not be negative.
	Workers int
}

const (
	optDefaultMaxIterations = 500
	optDefaultTolerance     = 1e-8
	// optMaxStep bounds one step in log-parameter space (a factor e).
	optMaxStep = 1.0
	// optPolishSteps bounds the Newton polishing steps.
	optPolishSteps = 20
	// optBFGSGradient ends the quasi-Newton phase: from there a Newton
	// step or two reach the optimum.
	optBFGSGradient = 1e-8
	// optCentralBelow switches numerical gradients from forward to central
	// differences.
	optCentralBelow = 1e-6
	// optValueNoise bounds the rounding of the shifted objective (a mean
	// per customer) near the optimum.
	optValueNoise = 1e-13
)

// optSettings is a validated FitOptions.
type optSettings struct {
	start   []float64 // nil: use the model's default
	maxIter int
	tol     float64
	workers int
	// hess0, when set, is the Hessian of the objective near start (from a
	// fit to a sample): it seeds the quasi-Newton search and the first
	// Newton steps.
	hess0 []float64
}

// optResolve validates opts for a model with the named parameters.
func optResolve(op string, opts *FitOptions, names []string) (optSettings, error) {
	s := optSettings{maxIter: optDefaultMaxIterations, tol: optDefaultTolerance, workers: runtime.GOMAXPROCS(0)}
	if opts == nil {
		return s, nil
	}
	var v crm.Validator
	if opts.Start != nil {
		if v.Check(len(opts.Start) == len(names), "opts.start", "must hold "+strconv.Itoa(len(names))+" values") {
			for i, x := range opts.Start {
				v.Check(x > 0 && !math.IsInf(x, 1), "opts.start["+strconv.Itoa(i)+"]", names[i]+" must be positive and finite")
			}
		}
		s.start = append([]float64(nil), opts.Start...)
	}
	if v.Check(opts.MaxIterations >= 0, "opts.max_iterations", "must not be negative") && opts.MaxIterations > 0 {
		s.maxIter = opts.MaxIterations
	}
	if v.Check(opts.Workers >= 0, "opts.workers", "must not be negative") && opts.Workers > 0 {
		s.workers = opts.Workers
	}
	if opts.Tolerance != 0 {
		if v.Check(opts.Tolerance >= 1e-14 && opts.Tolerance <= 1e-2, "opts.tolerance", "must lie in [1e-14, 1e-2]") {
			s.tol = opts.Tolerance
		}
	}
	return s, v.Err(op)
}

// optObjective is a function to minimise over log-parameters. It returns
// the value at theta and, when grad is not nil, stores the gradient in
// grad. Outside the region where it is defined it returns +Inf or NaN.
type optObjective func(theta, grad []float64) float64

// optResult is the outcome of optMinimize.
type optResult struct {
	theta      []float64
	f          float64
	grad       []float64
	iterations int
	converged  bool
	reason     string // why it did not converge
}

// optMinimizer holds the state of one minimisation.
type optMinimizer struct {
	f        optObjective
	analytic bool // f fills gradients
	n        int
}

// optShifter is implemented by objectives that can subtract a constant
// inside their compensated sum. Near the optimum the minimiser shifts the
// objective to about zero, so that its rounding (one ulp of the value) no
// longer limits numerical derivatives: only the far smaller rounding of
// the individual terms remains.
type optShifter interface {
	setShift(shift float64)
}

// value evaluates the objective without a gradient.
func (m *optMinimizer) value(x []float64) float64 { return m.f(x, nil) }

// Finite-difference schemes for objectives without an analytic gradient.
const (
	optForward  = iota // n extra evaluations, error O(h)
	optCentral         // 2n, error O(h²)
	optCentral5        // 4n, error O(h⁴): allows a step large enough to
	// average out the rounding of the individual terms of the sum
)

// gradient evaluates the objective and its gradient into g; without an
// analytic gradient by finite differences of the given scheme, reusing fx,
// the value at x, when it is finite.
func (m *optMinimizer) gradient(x, g []float64, fx float64, scheme int) float64 {
	if m.analytic {
		return m.f(x, g)
	}
	if !optFinite(fx) {
		fx = m.f(x, nil)
	}
	xp := append([]float64(nil), x...)
	for i := range x {
		scale := math.Max(1, math.Abs(x[i]))
		switch scheme {
		case optForward:
			h := 1e-7 * scale
			xp[i] = x[i] + h
			g[i] = (m.f(xp, nil) - fx) / h
		case optCentral:
			h := 6e-6 * scale
			xp[i] = x[i] + h
			fp := m.f(xp, nil)
			xp[i] = x[i] - h
			g[i] = (fp - m.f(xp, nil)) / (2 * h)
		default:
			h := 1e-3 * scale
			var f [4]float64
			for j, k := range [4]float64{-2, -1, 1, 2} {
				xp[i] = x[i] + k*h
				f[j] = m.f(xp, nil)
			}
			g[i] = (f[0] - 8*f[1] + 8*f[2] - f[3]) / (12 * h)
		}
		xp[i] = x[i]
	}
	return fx
}

// hessian returns a symmetric numerical Hessian at x: central differences
// of the analytic gradient, or second differences of the value.
func (m *optMinimizer) hessian(x []float64, fx float64) []float64 {
	n := m.n
	hs := make([]float64, n*n)
	xp := append([]float64(nil), x...)
	if m.analytic {
		gp, gm := make([]float64, n), make([]float64, n)
		for i := range n {
			h := 1e-5 * math.Max(1, math.Abs(x[i]))
			xp[i] = x[i] + h
			m.f(xp, gp)
			xp[i] = x[i] - h
			m.f(xp, gm)
			xp[i] = x[i]
			for j := range n {
				hs[i*n+j] = (gp[j] - gm[j]) / (2 * h)
			}
		}
	} else {
		h := make([]float64, n)
		for i := range n {
			h[i] = 1e-4 * math.Max(1, math.Abs(x[i]))
		}
		eval := func(i int, si float64, j int, sj float64) float64 {
			xp[i] += si * h[i]
			xp[j] += sj * h[j]
			v := m.f(xp, nil)
			copy(xp, x)
			return v
		}
		for i := range n {
			fp, fm := eval(i, 1, i, 0), eval(i, -1, i, 0)
			hs[i*n+i] = (fp - 2*fx + fm) / (h[i] * h[i])
			for j := i + 1; j < n; j++ {
				v := (eval(i, 1, j, 1) - eval(i, 1, j, -1) - eval(i, -1, j, 1) + eval(i, -1, j, -1)) / (4 * h[i] * h[j])
				hs[i*n+j], hs[j*n+i] = v, v
			}
		}
		return hs
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			v := 0.5 * (hs[i*n+j] + hs[j*n+i])
			hs[i*n+j], hs[j*n+i] = v, v
		}
	}
	return hs
}

// optCholeskySolve solves H s = g for symmetric positive definite H (n×n,
// row major). It reports false when H is not positive definite.
func optCholeskySolve(hs, g []float64, n int) ([]float64, bool) {
	l := make([]float64, n*n)
	for i := range n {
		for j := 0; j <= i; j++ {
			sum := hs[i*n+j]
			for k := range j {
				sum -= l[i*n+k] * l[j*n+k]
			}
			if i == j {
				if !(sum > 0) || math.IsInf(sum, 0) {
					return nil, false
				}
				l[i*n+i] = math.Sqrt(sum)
			} else {
				l[i*n+j] = sum / l[j*n+j]
			}
		}
	}
	y := make([]float64, n)
	for i := range n {
		sum := g[i]
		for k := range i {
			sum -= l[i*n+k] * y[k]
		}
		y[i] = sum / l[i*n+i]
	}
	s := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		sum := y[i]
		for k := i + 1; k < n; k++ {
			sum -= l[k*n+i] * s[k]
		}
		s[i] = sum / l[i*n+i]
	}
	return s, true
}

// optInverse inverts a symmetric positive definite n×n matrix.
func optInverse(hs []float64, n int) ([]float64, bool) {
	inv := make([]float64, n*n)
	e := make([]float64, n)
	for j := range n {
		clear(e)
		e[j] = 1
		col, ok := optCholeskySolve(hs, e, n)
		if !ok {
			return nil, false
		}
		for i := range n {
			inv[i*n+j] = col[i]
		}
	}
	return inv, true
}

func optMaxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func optFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// optMinimize minimises f from start (log-parameters) with BFGS and an
// Armijo backtracking line search, then polishes with Newton steps on a
// numerical Hessian. It never panics and always returns the best point it
// evaluated.
func optMinimize(f optObjective, analytic bool, start []float64, s optSettings, shifter optShifter) (res optResult) {
	n := len(start)
	m := &optMinimizer{f: f, analytic: analytic, n: n}
	x := append([]float64(nil), start...)
	g := make([]float64, n)
	fx := m.gradient(x, g, math.NaN(), optForward)
	res = optResult{theta: x, f: fx, grad: g}
	if !optFinite(fx) || !optFinite(optMaxAbs(g)) {
		res.reason = "the log-likelihood is not finite at the starting point"
		return res
	}

	// Inverse Hessian approximation, row major.
	hinv := make([]float64, n*n)
	setIdentity := func(scale float64) {
		clear(hinv)
		for i := range n {
			hinv[i*n+i] = scale
		}
	}
	setIdentity(1)
	scaled := false
	if s.hess0 != nil {
		if inv, ok := optInverse(s.hess0, n); ok {
			copy(hinv, inv)
			scaled = true
		}
	}
	d := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	sv := make([]float64, n)
	yv := make([]float64, n)
	// The quasi-Newton phase only needs to get close: the Newton polish
	// below converges quadratically from there.
	gtol := optBFGSGradient
	scheme := optForward
	it := 0
	for ; it < s.maxIter; it++ {
		if optMaxAbs(g) <= gtol {
			break
		}
		var slope float64
		for i := range n {
			var v float64
			for j := range n {
				v -= hinv[i*n+j] * g[j]
			}
			d[i] = v
			slope += v * g[i]
		}
		if !(slope < 0) {
			setIdentity(1)
			slope = 0
			for i := range n {
				d[i] = -g[i]
				slope -= g[i] * g[i]
			}
		}
		if big := optMaxAbs(d); big > optMaxStep {
			for i := range d {
				d[i] *= optMaxStep / big
			}
			slope *= optMaxStep / big
		}
		step, fnew, ok := 1.0, 0.0, false
		for range 60 {
			for i := range n {
				xn[i] = x[i] + step*d[i]
			}
			fnew = m.value(xn)
			if optFinite(fnew) && fnew <= fx+1e-4*step*slope {
				ok = true
				break
			}
			// Quadratic interpolation of the step, kept in [0.1, 0.5]×step.
			next := 0.5 * step
			if optFinite(fnew) {
				q := -slope * step * step / (2 * (fnew - fx - slope*step))
				if q > 0.1*step && q < 0.5*step {
					next = q
				}
			}
			step = next
		}
		if !ok {
			if scheme == optForward && !m.analytic {
				// The forward-difference gradient may be too coarse to
				// give a descent direction: refine it and start afresh.
				scheme = optCentral
				m.gradient(x, g, fx, scheme)
				setIdentity(1)
				scaled = false
				continue
			}
			break // no descent possible at this precision: polish below
		}
		fnew = m.gradient(xn, gn, fnew, scheme)
		if !optFinite(fnew) || !optFinite(optMaxAbs(gn)) {
			break
		}
		if scheme == optForward && optMaxAbs(gn) < optCentralBelow {
			scheme = optCentral
			m.gradient(xn, gn, fnew, scheme)
		}
		var sy, yy float64
		for i := range n {
			sv[i] = xn[i] - x[i]
			yv[i] = gn[i] - g[i]
			sy += sv[i] * yv[i]
			yy += yv[i] * yv[i]
		}
		if sy > 1e-12*math.Sqrt(yy)*optMaxAbs(sv) {
			if !scaled {
				setIdentity(sy / yy)
				scaled = true
			}
			optBFGSUpdate(hinv, sv, yv, sy, n)
		}
		copy(x, xn)
		copy(g, gn)
		done := optMaxAbs(sv) < 1e-15 || fx-fnew <= 1e-16*math.Abs(fx)
		fx = fnew
		if done && scheme == optForward && !m.analytic {
			scheme = optCentral
			m.gradient(x, g, fx, scheme)
			continue
		}
		if done {
			break // stalled: the Newton polish decides
		}
	}
	res.iterations = it
	res.f = fx
	if it >= s.maxIter {
		res.reason = fmt.Sprintf("reached the iteration limit of %d", s.maxIter)
		return res
	}

	// Newton polish with central differences. The numerical Hessian is
	// reused while the steps shrink fast (near the optimum it hardly
	// changes) and recomputed otherwise.
	var shift float64
	if shifter != nil {
		shift = fx
		shifter.setShift(shift)
		defer shifter.setShift(0)
		fx = m.value(x)
	}
	if !m.analytic {
		fx = m.gradient(x, g, fx, optCentral5)
	}
	res.f = fx
	defer func() { res.f += shift }()
	var hs []float64
	if s.hess0 != nil {
		hs = s.hess0
	}
	lastBig := math.Inf(1)
	for range optPolishSteps {
		if hs == nil {
			hs = m.hessian(x, fx)
		}
		step, ok := optCholeskySolve(hs, g, n)
		if !ok {
			res.reason = "the Hessian is not positive definite at the best point (a parameter may tend to zero or infinity)"
			return res
		}
		big := optMaxAbs(step)
		if !optFinite(big) {
			res.reason = "the Newton step is not finite"
			return res
		}
		if big <= s.tol {
			res.converged = true
			return res
		}
		if big > 0.1*lastBig {
			hs = nil // slow progress: recompute the Hessian next time
		}
		lastBig = big
		scale := 1.0
		if big > optMaxStep {
			scale = optMaxStep / big
		}
		accepted := false
		for range 30 {
			for i := range n {
				xn[i] = x[i] - scale*step[i]
			}
			fnew := m.value(xn)
			// Accept a decrease. Along flat directions a short step may
			// change the value by less than its rounding; accept it then
			// when it shrinks the gradient.
			better := optFinite(fnew) && fnew <= fx
			haveGrad := false
			if !better && optFinite(fnew) && fnew <= fx+optValueNoise {
				fnew = m.gradient(xn, gn, fnew, optCentral5)
				haveGrad = true
				better = optMaxAbs(gn) < optMaxAbs(g)
			}
			if better {
				copy(x, xn)
				if haveGrad {
					copy(g, gn)
					fx = fnew
				} else {
					fx = m.gradient(x, g, fnew, optCentral5)
				}
				accepted = true
				break
			}
			scale *= 0.5
			hs = nil
		}
		res.f = fx
		if !accepted {
			res.reason = fmt.Sprintf("no Newton step improves the log-likelihood (last step %.3g)", big)
			return res
		}
	}
	res.reason = "the Newton polish did not settle"
	return res
}

// optBFGSUpdate applies the BFGS update to the inverse Hessian hinv:
// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1/(yᵀs).
func optBFGSUpdate(hinv, s, y []float64, sy float64, n int) {
	rho := 1 / sy
	hy := make([]float64, n)
	var yhy float64
	for i := range n {
		var v float64
		for j := range n {
			v += hinv[i*n+j] * y[j]
		}
		hy[i] = v
		yhy += y[i] * v
	}
	for i := range n {
		for j := range n {
			hinv[i*n+j] += -rho*(hy[i]*s[j]+s[i]*hy[j]) + (rho*rho*yhy+rho)*s[i]*s[j]
		}
	}
}

// optFit runs optMinimize for a model fit and turns the outcome into the
// error a fit function returns: nil when converged, ErrNoConvergence
// (wrapped with the reason) otherwise.
func optFit(op string, f optObjective, analytic bool, start []float64, s optSettings, shifter optShifter) (optResult, error) {
	res := optMinimize(f, analytic, start, s, shifter)
	if !res.converged {
		return res, fmt.Errorf("%s: %s: %w", op, res.reason, ErrNoConvergence)
	}
	return res, nil
}
