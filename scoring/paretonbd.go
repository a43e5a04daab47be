package scoring

import (
	"fmt"
	"math"

	"github.com/crmkit/crm"
)

// ParetoNBD is a fitted Pareto/NBD model of repeat purchasing in a
// non-contractual setting (Schmittlein, Morrison and Colombo 1987; the
// likelihood as derived in Fader and Hardie 2005, "A Note on Deriving the
// Pareto/NBD Model and Related Expressions"). While alive, a customer buys
// as a Poisson process with rate λ and has an exponentially distributed
// lifetime with rate μ; across customers λ is gamma distributed (shape R,
// rate Alpha) and μ is gamma distributed (shape S, rate Beta),
// independently.
//
// Time is in the unit of the summaries the model was fitted to. A
// ParetoNBD is a plain value, safe for concurrent use; every method
// validates the parameters and its arguments.
type ParetoNBD struct {
	// R and Alpha are the shape and rate of the gamma distribution of
	// purchase rates.
	R, Alpha float64
	// S and Beta are the shape and rate of the gamma distribution of
	// dropout rates.
	S, Beta float64
	// LogLikelihood is the maximised log-likelihood of the fitted data;
	// zero for a model built by hand.
	LogLikelihood float64
	// Customers is the number of customers the fit used; zero for a
	// model built by hand.
	Customers int
}

var pnbdParamNames = []string{"r", "alpha", "s", "beta"}

// FitParetoNBD fits a Pareto/NBD model to customer summaries by maximum
// likelihood, with the same compression, options and errors as FitBGNBD.
// The gradient is numerical (finite differences), so a fit costs several
// times a BG/NBD fit.
func FitParetoNBD(data []CustomerSummary, opts *FitOptions) (ParetoNBD, error) {
	const op = "scoring.FitParetoNBD"
	s, err := optResolve(op, opts, pnbdParamNames)
	if err != nil {
		return ParetoNBD{}, err
	}
	if err := validateSummaries(op, data); err != nil {
		return ParetoNBD{}, err
	}
	d := calCompress(data)
	start := s.start
	if start == nil {
		rate := math.Max(d.meanT, 1e-3) / math.Max(d.meanX, 0.1)
		start = []float64{1, rate, 1, math.Max(d.meanT, 1e-3)}
	}
	theta := make([]float64, 4)
	for i, v := range start {
		theta[i] = math.Log(v)
	}
	obj := newPNBDObjective(d)
	res, err := optFit(op, obj.eval, false, theta, s, obj)
	m := ParetoNBD{R: math.Exp(res.theta[0]), Alpha: math.Exp(res.theta[1]), S: math.Exp(res.theta[2]), Beta: math.Exp(res.theta[3])}
	m.LogLikelihood = -res.f * d.total
	m.Customers = int(d.total)
	return m, err
}

// pnbdLogG returns ln G(t) for the second term of the Pareto/NBD
// likelihood, where
//
//	G(t) = (r+s+x) ∫_t^∞ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ
//	     = 2F1(r+s+x, b; r+s+x+1; z) / (M+t)^(r+s+x),
//
// with M = max(α, β), z = |α−β|/(M+t) ∈ [0, 1), and b = s+1 when α ≥ β,
// b = r+x otherwise (the standard switch that keeps |z| < 1). By Euler's
// transformation 2F1(a', b; a'+1; z) = (1−z)^(1−b) 2F1(1, a'+1−b; a'+1; z),
// whose series has positive terms; ln(1−z) = ln(m+t) − ln(M+t) is formed
// without cancellation, with m = min(α, β). lat and lbt are ln(α+t) and
// ln(β+t).
func pnbdLogG(r, alpha, s, beta, x, t, lat, lbt float64) float64 {
	ap := r + s + x
	big, b, p, lBig, lSmall := alpha, s+1, r+x, lat, lbt
	if alpha < beta {
		big, b, p, lBig, lSmall = beta, r+x, s+1, lbt, lat
	}
	z := math.Abs(alpha-beta) / (big + t)
	return (1-b)*(lSmall-lBig) + math.Log(spHyp1(p, ap+1, z)) - ap*lBig
}

// pnbdLogLik combines the two terms of one customer's likelihood:
// ln( e^first + e^lcoef (e^lgTx − e^lgT) ), where first is the "alive
// throughout" term, lcoef = ln[s/(r+s+x)] and lgTx ≥ lgT are ln G(tx) and
// ln G(T). It needs three transcendental calls.
func pnbdLogLik(first, lcoef, lgTx, lgT float64) float64 {
	d := lgT - lgTx
	if !(d < 0) {
		return first
	}
	second := lcoef + lgTx
	diff := -math.Expm1(d) // 1 − e^d ∈ (0, 1]
	if first >= second {
		return first + math.Log1p(diff*math.Exp(second-first))
	}
	return second + math.Log(math.Exp(first-second)+diff)
}

// pnbdObjective evaluates the mean negative log-likelihood of compressed
// data. Terms are cached per distinct x, per distinct time and per distinct
// (x, t) pair entering G.
type pnbdObjective struct {
	d           *calTuples
	times       []float64 // distinct times t of G(t) (every T and every tx < T)
	pairX       []int32   // per pair: index into d.xs
	pairTime    []int32   // per pair: index into times
	tupTx, tupT []int32   // per tuple: pair of G(tx) (−1 when tx = T) and of G(T)
	k, lcoef    []float64 // per distinct x
	lat, lbt    []float64 // per distinct time: ln(α+t), ln(β+t)
	lg          []float64 // per pair: ln[c G(t)], c = s/(r+s+x)
	alive, rest []float64 // per pair: A(t) and ln(e^A(t) − c G(t))
	elg, erest  []float64 // per pair: e^lg and e^rest scaled by e^-off
	off         []float64 // per distinct x: the scale
	shift       float64   // see optShifter
}

func newPNBDObjective(d *calTuples) *pnbdObjective {
	o := &pnbdObjective{d: d, tupTx: make([]int32, len(d.w)), tupT: make([]int32, len(d.w))}
	type key struct {
		xi int32
		t  float64
	}
	idx := make(map[key]int32)
	timeIdx := make(map[float64]int32)
	pair := func(xi int32, t float64) int32 {
		k := key{xi, t}
		i, ok := idx[k]
		if !ok {
			ti, ok := timeIdx[t]
			if !ok {
				ti = int32(len(o.times))
				timeIdx[t] = ti
				o.times = append(o.times, t)
			}
			i = int32(len(o.pairX))
			idx[k] = i
			o.pairX = append(o.pairX, xi)
			o.pairTime = append(o.pairTime, ti)
		}
		return i
	}
	for k := range d.w {
		xi := d.xi[k]
		tx, T := d.txs[d.txi[k]], d.ts[d.ti[k]]
		o.tupT[k] = pair(xi, T)
		o.tupTx[k] = -1
		if tx < T {
			o.tupTx[k] = pair(xi, tx)
		}
	}
	o.k = make([]float64, len(d.xs))
	o.lcoef = make([]float64, len(d.xs))
	o.lat = make([]float64, len(o.times))
	o.lbt = make([]float64, len(o.times))
	o.lg = make([]float64, len(o.pairX))
	o.alive = make([]float64, len(o.pairX))
	o.rest = make([]float64, len(o.pairX))
	o.elg = make([]float64, len(o.pairX))
	o.erest = make([]float64, len(o.pairX))
	o.off = make([]float64, len(d.xs))
	return o
}

// setShift implements optShifter.
func (o *pnbdObjective) setShift(shift float64) { o.shift = shift }

// eval implements optObjective (value only). The log-likelihood of one
// customer is
//
//	ln[Γ(r+x)α^r β^s/Γ(r)] + ln( (α+T)^−(r+x) (β+T)^−s + s/(r+s+x) (G(tx) − G(T)) ).
func (o *pnbdObjective) eval(theta, grad []float64) float64 {
	r, alpha, s, beta := math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2]), math.Exp(theta[3])
	if !bgValid(r, alpha, s, beta) {
		return math.Inf(1)
	}
	d := o.d
	base := -spLgamma(r) + r*math.Log(alpha) + s*math.Log(beta)
	lnS := math.Log(s)
	for i, x := range d.xs {
		o.k[i] = spLgamma(r+x) + base
		o.lcoef[i] = lnS - math.Log(r+s+x)
	}
	for i, t := range o.times {
		o.lat[i] = math.Log(alpha + t)
		o.lbt[i] = math.Log(beta + t)
	}
	// Per pair (x, t): ln G(t), the alive term A(t) = −(r+x) ln(α+t) − s
	// ln(β+t), and ln(e^A − c G(t)) with c = s/(r+s+x), which is the
	// likelihood of a customer last seen at t = T without ln G(tx). Since
	// c G(T) ≤ e^A (the integrand of G is at most (α+T)^−(r+x) (β+τ)^−(s+1)),
	// the difference is not negative, and adding c G(tx) ≥ c G(T) to it loses
	// nothing; each customer then costs one log-sum-exp.
	//
	// The per-customer log-sum-exp is then done in linear space, scaled per
	// distinct x by the largest term of its pairs, so a customer costs one
	// logarithm; a sum that underflows falls back to the log-space form.
	for i := range o.off {
		o.off[i] = math.Inf(-1)
	}
	for i, ti := range o.pairTime {
		xi := o.pairX[i]
		lg := pnbdLogG(r, alpha, s, beta, d.xs[xi], o.times[ti], o.lat[ti], o.lbt[ti])
		a := -(r+d.xs[xi])*o.lat[ti] - s*o.lbt[ti]
		o.lg[i] = o.lcoef[xi] + lg
		o.alive[i] = a
		o.rest[i] = math.Inf(-1)
		if diff := o.lg[i] - a; diff < 0 {
			o.rest[i] = a + spLog1mExp(diff)
		}
		o.off[xi] = max(o.off[xi], o.lg[i], o.rest[i])
	}
	for i, xi := range o.pairX {
		o.elg[i] = math.Exp(o.lg[i] - o.off[xi])
		o.erest[i] = math.Exp(o.rest[i] - o.off[xi])
	}
	var ll spSum
	ll.add(o.shift * d.total)
	for i, w := range d.xw {
		ll.add(w * o.k[i])
	}
	for k, w := range d.w {
		pT := o.tupT[k]
		j := o.tupTx[k]
		if j < 0 {
			ll.add(w * o.alive[pT])
			continue
		}
		var v float64
		if sum := o.erest[pT] + o.elg[j]; sum > 1e-280 {
			v = o.off[d.xi[k]] + math.Log(sum)
		} else {
			v = spLogAddExp(o.rest[pT], o.lg[j])
		}
		ll.add(w * v)
	}
	v := -ll.value() / d.total
	if !optFinite(v) {
		return math.Inf(1)
	}
	return v
}

// Validate reports whether every parameter is positive and finite.
func (m ParetoNBD) Validate() error {
	var v crm.Validator
	for i, p := range [...]float64{m.R, m.Alpha, m.S, m.Beta} {
		v.Check(p > 0 && !math.IsInf(p, 1), pnbdParamNames[i], "must be positive and finite")
	}
	return v.Err("scoring.ParetoNBD")
}

// checkHorizon validates a forecast horizon; the Pareto/NBD expressions
// are closed forms, so any finite horizon is fine.
func (m ParetoNBD) checkHorizon(op, name string, _ int, _, t float64) error {
	return calCheckHorizon(op, name, t)
}

func (m ParetoNBD) check(op string, c *CustomerSummary) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if c != nil {
		return calCheckSummary(op, *c)
	}
	return nil
}

// LogLikelihoodOf returns the log-likelihood of data under the model.
func (m ParetoNBD) LogLikelihoodOf(data []CustomerSummary) (float64, error) {
	const op = "scoring.ParetoNBD.LogLikelihoodOf"
	if err := m.check(op, nil); err != nil {
		return 0, err
	}
	if err := validateSummaries(op, data); err != nil {
		return 0, err
	}
	d := calCompress(data)
	theta := []float64{math.Log(m.R), math.Log(m.Alpha), math.Log(m.S), math.Log(m.Beta)}
	return -newPNBDObjective(d).eval(theta, nil) * d.total, nil
}

// logLik returns one customer's log-likelihood without the constant
// ln[Γ(r+x)α^r β^s/Γ(r)], and the "alive throughout (0, T]" term of it.
func (m ParetoNBD) logLik(x int, tx, T float64) (ll, alive float64) {
	fx := float64(x)
	lat, lbt := math.Log(m.Alpha+T), math.Log(m.Beta+T)
	alive = -(m.R+fx)*lat - m.S*lbt
	if !(tx < T) {
		return alive, alive
	}
	lcoef := math.Log(m.S) - math.Log(m.R+m.S+fx)
	lgTx := pnbdLogG(m.R, m.Alpha, m.S, m.Beta, fx, tx, math.Log(m.Alpha+tx), math.Log(m.Beta+tx))
	lgT := pnbdLogG(m.R, m.Alpha, m.S, m.Beta, fx, T, lat, lbt)
	return pnbdLogLik(alive, lcoef, lgTx, lgT), alive
}

// pAlive is P(alive at T | x, tx, T): the share of the alive term in the
// likelihood.
func (m ParetoNBD) pAlive(x int, tx, T float64) float64 {
	if !(tx < T) {
		return 1
	}
	return m.pAliveFrom(x, tx, T, m.tTerm(x, T), m.txTerm(x, tx))
}

// tTerm is the part of P(alive) that depends on (x, T): the alive term,
// ln G(T) and ln[s/(r+s+x)].
func (m ParetoNBD) tTerm(x int, T float64) predTerm {
	fx := float64(x)
	lat, lbt := math.Log(m.Alpha+T), math.Log(m.Beta+T)
	return predTerm{
		a: -(m.R+fx)*lat - m.S*lbt,
		b: pnbdLogG(m.R, m.Alpha, m.S, m.Beta, fx, T, lat, lbt),
		c: math.Log(m.S) - math.Log(m.R+m.S+fx),
	}
}

// txTerm is the part of P(alive) that depends on (x, tx): ln G(tx).
func (m ParetoNBD) txTerm(x int, tx float64) float64 {
	return pnbdLogG(m.R, m.Alpha, m.S, m.Beta, float64(x), tx, math.Log(m.Alpha+tx), math.Log(m.Beta+tx))
}

// txTermCostly implements predAliveModel: txTerm evaluates 2F1.
func (m ParetoNBD) txTermCostly() bool { return true }

// pAliveFrom combines tTerm and txTerm into P(alive).
func (m ParetoNBD) pAliveFrom(_ int, tx, T float64, tt predTerm, lgTx float64) float64 {
	if !(tx < T) {
		return 1
	}
	ll := pnbdLogLik(tt.a, tt.c, lgTx, tt.b)
	return math.Min(1, math.Exp(tt.a-ll))
}

// aliveExpected is E[purchases in (T, T+t] | alive at T, x]:
// (r+x)(β+T)/((α+T)(s−1)) [1 − ((β+T)/(β+T+t))^(s−1)], with the s = 1 limit
// (r+x)(β+T)/(α+T) ln((β+T+t)/(β+T)) and no cancellation for s near 1.
func (m ParetoNBD) aliveExpected(x int, T, t float64) float64 {
	l := -math.Log1p(t / (m.Beta + T)) // ln((β+T)/(β+T+t)) ≤ 0
	eps := m.S - 1
	f := -l
	if eps != 0 {
		f = -math.Expm1(eps*l) / eps
	}
	return (m.R + float64(x)) * (m.Beta + T) / (m.Alpha + T) * f
}

// aliveNoPurchase is P(no purchase in (T, T+tau] | alive at T, x): the
// likelihood of the history (x, T, T+tau) over that of (x, T, T).
func (m ParetoNBD) aliveNoPurchase(x int, T, tau float64) float64 {
	if tau == 0 {
		return 1
	}
	later, _ := m.logLik(x, T, T+tau)
	now, _ := m.logLik(x, T, T)
	return math.Min(1, math.Exp(later-now))
}

// ExpectedPurchases returns E[X(t)], the expected number of repeat
// purchases in (0, t] of a customer just acquired:
// rβ/(α(s−1)) [1 − (β/(β+t))^(s−1)].
func (m ParetoNBD) ExpectedPurchases(t float64) (float64, error) {
	const op = "scoring.ParetoNBD.ExpectedPurchases"
	if err := m.check(op, nil); err != nil {
		return 0, err
	}
	if err := calCheckHorizon(op, "t", t); err != nil {
		return 0, err
	}
	return m.aliveExpected(0, 0, t), nil
}

// PAlive returns the probability that customer c is still alive at the end
// of the calibration period, given their history.
func (m ParetoNBD) PAlive(c CustomerSummary) (float64, error) {
	if err := m.check("scoring.ParetoNBD.PAlive", &c); err != nil {
		return 0, err
	}
	return m.pAlive(c.X, c.TX, c.T), nil
}

// ConditionalExpectedPurchases returns E[Y(t) | x, tx, T], the expected
// number of purchases of customer c in the t time units after the end of
// the calibration period: P(alive) times the expectation given alive.
func (m ParetoNBD) ConditionalExpectedPurchases(t float64, c CustomerSummary) (float64, error) {
	const op = "scoring.ParetoNBD.ConditionalExpectedPurchases"
	if err := m.check(op, &c); err != nil {
		return 0, err
	}
	if err := calCheckHorizon(op, "t", t); err != nil {
		return 0, err
	}
	return m.pAlive(c.X, c.TX, c.T) * m.aliveExpected(c.X, c.T, t), nil
}

// PNoPurchase returns the probability that customer c makes no purchase in
// the tau time units after the end of the calibration period. A history
// (x, tx, T) followed by no purchase in (T, T+tau] is the history
// (x, tx, T+tau), so the probability is the ratio of their likelihoods.
func (m ParetoNBD) PNoPurchase(tau float64, c CustomerSummary) (float64, error) {
	const op = "scoring.ParetoNBD.PNoPurchase"
	if err := m.check(op, &c); err != nil {
		return 0, err
	}
	if err := calCheckHorizon(op, "tau", tau); err != nil {
		return 0, err
	}
	if tau == 0 {
		return 1, nil
	}
	now, _ := m.logLik(c.X, c.TX, c.T)
	later, _ := m.logLik(c.X, c.TX, c.T+tau)
	return math.Min(1, math.Exp(later-now)), nil
}
