package scoring

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"

	"github.com/crmkit/crm"
)

// UncertaintyOptions configures the Uncertainty methods. A nil
// *UncertaintyOptions and the zero value give 95% intervals from the
// Hessian and no bootstrap.
type UncertaintyOptions struct {
	// Level is the confidence level of the intervals, in (0, 1); zero
	// means 0.95.
	Level float64
	// Bootstrap is the number of parametric bootstrap replicates; zero
	// means none. It must lie in [0, 10000]. Each replicate simulates the
	// model's story for every customer (keeping the customer's T, or X for
	// Gamma-Gamma) and refits, so it costs one fit.
	Bootstrap int
	// Seed seeds the bootstrap's PCG generator: equal seeds give equal
	// results.
	Seed uint64
	// Fit tunes the refits of the bootstrap (nil means the defaults); its
	// Workers also sets the goroutines that evaluate a large BG/NBD
	// likelihood for the Hessian.
	Fit *FitOptions
}

// ParamEstimate is one fitted parameter with its uncertainty.
type ParamEstimate struct {
	// Name is the parameter's name ("r", "alpha", ...).
	Name string
	// Value is the estimate.
	Value float64
	// StdErr is the asymptotic standard error, from the inverse of the
	// observed information (the Hessian of the negative log-likelihood at
	// the estimate) by the delta method.
	StdErr float64
	// Lower and Upper bound the Wald interval at the requested level,
	// computed for the logarithm of the parameter and mapped back, so both
	// are positive: Value·exp(∓z·StdErr/Value).
	Lower, Upper float64
	// BootStdErr, BootLower and BootUpper are the standard deviation and
	// the percentile interval of the bootstrap estimates; zero without a
	// bootstrap.
	BootStdErr, BootLower, BootUpper float64
}

// FitReport describes the uncertainty of a fitted model on its data.
type FitReport struct {
	// Params holds the parameters in the model's order.
	Params []ParamEstimate
	// Customers is the number of customers the likelihood uses (for
	// Gamma-Gamma, those with X ≥ 1).
	Customers int
	// LogLikelihood is the log-likelihood of the data at the estimate.
	LogLikelihood float64
	// Level is the confidence level of the intervals.
	Level float64
	// Bootstrap is the number of bootstrap replicates that converged and
	// BootstrapFailed the number that did not (left out).
	Bootstrap, BootstrapFailed int
	// Covariance is the asymptotic covariance matrix of the parameters
	// (row major, in the order of Params).
	Covariance []float64
}

// uncResolve validates opts.
func uncResolve(op string, opts *UncertaintyOptions) (UncertaintyOptions, error) {
	var o UncertaintyOptions
	if opts != nil {
		o = *opts
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	var v crm.Validator
	v.Check(o.Level > 0 && o.Level < 1, "opts.level", "must lie in (0, 1)")
	v.Check(o.Bootstrap >= 0 && o.Bootstrap <= 10000, "opts.bootstrap", "must lie in [0, 10000]")
	if err := v.Err(op); err != nil {
		return o, err
	}
	return o, nil
}

// uncReport builds the Hessian part of a report: obj is the mean negative
// log-likelihood over log-parameters, total the number of customers.
func uncReport(op string, obj optObjective, analytic bool, values []float64, names []string, total float64, level float64) (FitReport, error) {
	n := len(values)
	theta := make([]float64, n)
	for i, v := range values {
		theta[i] = math.Log(v)
	}
	fx := obj(theta, nil)
	if !optFinite(fx) {
		return FitReport{}, crm.Invalid(op, "data", "the log-likelihood is not finite at the model's parameters")
	}
	hs := (&optMinimizer{f: obj, analytic: analytic, n: n}).hessian(theta, fx)
	for i := range hs {
		hs[i] *= total
	}
	covLog, ok := optInverse(hs, n)
	if !ok {
		return FitReport{}, fmt.Errorf("%s: the observed information is not positive definite at the model's parameters (not a maximum of this data's likelihood): %w", op, crm.ErrInvalid)
	}
	z := math.Sqrt2 * math.Erfinv(level)
	rep := FitReport{Customers: int(total), LogLikelihood: -fx * total, Level: level, Covariance: make([]float64, n*n)}
	for i := range n {
		for j := range n {
			rep.Covariance[i*n+j] = covLog[i*n+j] * values[i] * values[j]
		}
		seLog := math.Sqrt(covLog[i*n+i])
		rep.Params = append(rep.Params, ParamEstimate{
			Name: names[i], Value: values[i], StdErr: values[i] * seLog,
			Lower: values[i] * math.Exp(-z*seLog), Upper: values[i] * math.Exp(z*seLog),
		})
	}
	return rep, nil
}

// uncBootstrap refits B simulated data sets and fills the bootstrap fields
// of rep.
func uncBootstrap(rep *FitReport, o UncertaintyOptions, refit func(rng *rand.Rand) ([]float64, error)) error {
	if o.Bootstrap == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	n := len(rep.Params)
	est := make([][]float64, n)
	for range o.Bootstrap {
		vals, err := refit(rng)
		if err != nil {
			if errors.Is(err, ErrNoConvergence) {
				rep.BootstrapFailed++
				continue
			}
			return err
		}
		for i, v := range vals {
			est[i] = append(est[i], v)
		}
		rep.Bootstrap++
	}
	if rep.Bootstrap == 0 {
		return nil
	}
	alpha := (1 - o.Level) / 2
	for i := range n {
		e := est[i]
		slices.Sort(e)
		var mean, ss float64
		for _, v := range e {
			mean += v
		}
		mean /= float64(len(e))
		for _, v := range e {
			ss += (v - mean) * (v - mean)
		}
		p := &rep.Params[i]
		if len(e) > 1 {
			p.BootStdErr = math.Sqrt(ss / float64(len(e)-1))
		}
		p.BootLower = uncQuantile(e, alpha)
		p.BootUpper = uncQuantile(e, 1-alpha)
	}
	return nil
}

// uncQuantile returns the q-quantile of sorted values, interpolating
// linearly between order statistics.
func uncQuantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i]*(1-f) + sorted[i+1]*f
}

// uncFitOptions returns the refit options: the caller's, started at the
// estimate unless they set a start.
func uncFitOptions(o UncertaintyOptions, start []float64) *FitOptions {
	var f FitOptions
	if o.Fit != nil {
		f = *o.Fit
	}
	if f.Start == nil {
		f.Start = start
	}
	return &f
}

// Uncertainty returns standard errors and confidence intervals of the
// model's parameters on data (the data it was fitted to), from the
// Hessian of the log-likelihood at the parameters and, when
// opts.Bootstrap > 0, from a parametric bootstrap: each replicate simulates
// every customer's purchases over its own T from the model (exact times)
// and refits. The model must be a maximum of data's likelihood.
func (m BGNBD) Uncertainty(data []CustomerSummary, opts *UncertaintyOptions) (FitReport, error) {
	const op = "scoring.BGNBD.Uncertainty"
	if err := m.check(op, nil); err != nil {
		return FitReport{}, err
	}
	o, err := uncResolve(op, opts)
	if err != nil {
		return FitReport{}, err
	}
	if err := validateSummaries(op, data); err != nil {
		return FitReport{}, err
	}
	d := calCompressAuto(data)
	workers := runtime.GOMAXPROCS(0)
	if o.Fit != nil && o.Fit.Workers > 0 {
		workers = o.Fit.Workers
	}
	obj := newBGObjective(d, workers)
	values := []float64{m.R, m.Alpha, m.A, m.B}
	rep, err := uncReport(op, obj.eval, true, values, bgParamNames, d.total, o.Level)
	if err != nil {
		return FitReport{}, err
	}
	sim := make([]CustomerSummary, len(data))
	err = uncBootstrap(&rep, o, func(rng *rand.Rand) ([]float64, error) {
		for i, c := range data {
			sim[i] = m.simulate(rng, c.T)
		}
		f, err := FitBGNBD(sim, uncFitOptions(o, values))
		return []float64{f.R, f.Alpha, f.A, f.B}, err
	})
	return rep, err
}

// simulate draws one customer of age T from the BG/NBD story.
func (m BGNBD) simulate(rng *rand.Rand, T float64) CustomerSummary {
	lambda := uncGamma(rng, m.R, m.Alpha)
	p := uncBeta(rng, m.A, m.B)
	c := CustomerSummary{T: T}
	now := 0.0
	for {
		now += rng.ExpFloat64() / lambda
		if !(now <= T) || now == 0 {
			break
		}
		c.X++
		c.TX = now
		if rng.Float64() < p {
			break
		}
	}
	return c
}

// Uncertainty returns standard errors and confidence intervals of the
// model's parameters on data, as BGNBD.Uncertainty does; the Hessian is
// numerical (second differences of the likelihood).
func (m ParetoNBD) Uncertainty(data []CustomerSummary, opts *UncertaintyOptions) (FitReport, error) {
	const op = "scoring.ParetoNBD.Uncertainty"
	if err := m.check(op, nil); err != nil {
		return FitReport{}, err
	}
	o, err := uncResolve(op, opts)
	if err != nil {
		return FitReport{}, err
	}
	if err := validateSummaries(op, data); err != nil {
		return FitReport{}, err
	}
	d := calCompress(data)
	obj := newPNBDObjective(d)
	values := []float64{m.R, m.Alpha, m.S, m.Beta}
	rep, err := uncReport(op, obj.eval, false, values, pnbdParamNames, d.total, o.Level)
	if err != nil {
		return FitReport{}, err
	}
	sim := make([]CustomerSummary, len(data))
	err = uncBootstrap(&rep, o, func(rng *rand.Rand) ([]float64, error) {
		for i, c := range data {
			sim[i] = m.simulate(rng, c.T)
		}
		f, err := FitParetoNBD(sim, uncFitOptions(o, values))
		return []float64{f.R, f.Alpha, f.S, f.Beta}, err
	})
	return rep, err
}

// simulate draws one customer of age T from the Pareto/NBD story.
func (m ParetoNBD) simulate(rng *rand.Rand, T float64) CustomerSummary {
	lambda := uncGamma(rng, m.R, m.Alpha)
	mu := uncGamma(rng, m.S, m.Beta)
	end := math.Min(T, rng.ExpFloat64()/mu)
	c := CustomerSummary{T: T}
	now := 0.0
	for {
		now += rng.ExpFloat64() / lambda
		if !(now <= end) || now == 0 {
			break
		}
		c.X++
		c.TX = now
	}
	return c
}

// Uncertainty returns standard errors and confidence intervals of the
// model's parameters on the customers of data with X ≥ 1 (the ones the fit
// uses; FitReport.Customers counts them). The bootstrap keeps every
// customer's X and draws a new mean spend from the model.
func (m GammaGamma) Uncertainty(data []CustomerSummary, opts *UncertaintyOptions) (FitReport, error) {
	const op = "scoring.GammaGamma.Uncertainty"
	if err := m.Validate(); err != nil {
		return FitReport{}, fmt.Errorf("%s: %w", op, err)
	}
	o, err := uncResolve(op, opts)
	if err != nil {
		return FitReport{}, err
	}
	d, err := ggCollect(op, data)
	if err != nil {
		return FitReport{}, err
	}
	obj := &ggObjective{d: d, c: make([]float64, len(d.xs)), dp: make([]float64, len(d.xs)), dq: make([]float64, len(d.xs))}
	values := []float64{m.P, m.Q, m.Gamma}
	rep, err := uncReport(op, obj.eval, true, values, ggParamNames, d.total, o.Level)
	if err != nil {
		return FitReport{}, err
	}
	var sim []CustomerSummary
	for _, c := range data {
		if c.X > 0 {
			sim = append(sim, CustomerSummary{X: c.X, TX: 1, T: 1})
		}
	}
	err = uncBootstrap(&rep, o, func(rng *rand.Rand) ([]float64, error) {
		for i := range sim {
			x := float64(sim[i].X)
			nu := uncGamma(rng, m.Q, m.Gamma)
			sim[i].MeanValue = math.Max(uncGamma(rng, m.P*x, x*nu), math.SmallestNonzeroFloat64)
		}
		f, err := FitGammaGamma(sim, uncFitOptions(o, values))
		return []float64{f.P, f.Q, f.Gamma}, err
	})
	return rep, err
}

// uncGamma draws from a gamma distribution with the given shape and rate
// (Marsaglia and Tsang, with the boost for shape < 1).
func uncGamma(rng *rand.Rand, shape, rate float64) float64 {
	boost := 1.0
	if shape < 1 {
		boost = math.Pow(rng.Float64(), 1/shape)
		shape++
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return boost * d * v / rate
		}
	}
}

// uncBeta draws from a beta(a, b) distribution.
func uncBeta(rng *rand.Rand, a, b float64) float64 {
	x := uncGamma(rng, a, 1)
	y := uncGamma(rng, b, 1)
	return x / (x + y)
}

// Uncertainty returns standard errors and confidence intervals of the
// model's parameters on alive (the survival curve it was fitted to, as
// counts of customers: shares give meaningless errors), from the Hessian
// and, when opts.Bootstrap > 0, from a parametric bootstrap that simulates
// a cohort of alive[0] customers (which must then be a whole number, at
// most 10^7) over as many periods and refits.
func (m SBG) Uncertainty(alive []float64, opts *UncertaintyOptions) (FitReport, error) {
	const op = "scoring.SBG.Uncertainty"
	var v crm.Validator
	v.Check(m.Alpha > 0 && !math.IsInf(m.Alpha, 1), "alpha", "must be positive and finite")
	v.Check(m.Beta > 0 && !math.IsInf(m.Beta, 1), "beta", "must be positive and finite")
	if err := v.Err(op); err != nil {
		return FitReport{}, err
	}
	o, err := uncResolve(op, opts)
	if err != nil {
		return FitReport{}, err
	}
	if err := sbgCheck(op, alive); err != nil {
		return FitReport{}, err
	}
	if o.Bootstrap > 0 && (alive[0] != math.Trunc(alive[0]) || alive[0] > 1e7) {
		return FitReport{}, crm.Invalid(op, "alive[0]", "must be a whole number of customers, at most 10^7, for a bootstrap")
	}
	obj := &sbgObjective{alive: alive}
	values := []float64{m.Alpha, m.Beta}
	rep, err := uncReport(op, obj.eval, true, values, sbgParamNames, alive[0], o.Level)
	if err != nil {
		return FitReport{}, err
	}
	sim := make([]float64, len(alive))
	err = uncBootstrap(&rep, o, func(rng *rand.Rand) ([]float64, error) {
		clear(sim)
		last := len(alive) - 1
		for range int(alive[0]) {
			theta := uncBeta(rng, m.Alpha, m.Beta)
			// Periods survived: the first cancellation comes at a
			// geometric time.
			t := 0
			for t < last && !(rng.Float64() < theta) {
				t++
			}
			for k := 0; k <= t; k++ {
				sim[k]++
			}
		}
		if sim[last] == sim[0] {
			return nil, fmt.Errorf("no customer lost: %w", ErrNoConvergence)
		}
		f, err := FitSBG(sim, uncFitOptions(o, values))
		return []float64{f.Alpha, f.Beta}, err
	})
	return rep, err
}
