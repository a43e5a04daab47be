package scoring

import (
	"fmt"
	"math"

	"github.com/crmkit/crm"
)

// BGNBD is a fitted beta-geometric/negative-binomial model of repeat
// purchasing in a non-contractual setting (Fader, Hardie and Lee 2005,
// "Counting Your Customers the Easy Way"). While alive, a customer buys as
// a Poisson process with rate λ; after every purchase the customer drops
// out for good with probability p. Across customers λ is gamma distributed
// (shape R, rate Alpha) and p is beta distributed (A, B).
//
// Time is in the unit of the summaries the model was fitted to (weeks for
// the published CDNOW figures). A BGNBD is a plain value, safe for
// concurrent use; every method validates the parameters and its arguments.
type BGNBD struct {
	// R and Alpha are the shape and rate of the gamma distribution of
	// purchase rates.
	R, Alpha float64
	// A and B are the parameters of the beta distribution of dropout
	// probabilities.
	A, B float64
	// LogLikelihood is the maximised log-likelihood of the fitted data;
	// zero for a model built by hand.
	LogLikelihood float64
	// Customers is the number of customers the fit used; zero for a
	// model built by hand.
	Customers int
}

var bgParamNames = []string{"r", "alpha", "a", "b"}

// FitBGNBD fits a BG/NBD model to customer summaries by maximum likelihood.
// Identical (X, TX, T) records are compressed to one weighted term first, so
// large data sets with day-resolution times fit quickly; when a sample of
// the data shows that nearly every record is distinct (times not rounded),
// the compression is skipped. Large data sets are evaluated on
// opts.Workers goroutines, with results identical to one worker. It returns an
// error wrapping crm.ErrInvalid for invalid data or options, and one
// wrapping ErrNoConvergence, with the best parameters found, when the
// optimum could not be verified.
func FitBGNBD(data []CustomerSummary, opts *FitOptions) (BGNBD, error) {
	const op = "scoring.FitBGNBD"
	s, err := optResolve(op, opts, bgParamNames)
	if err != nil {
		return BGNBD{}, err
	}
	if err := validateSummaries(op, data); err != nil {
		return BGNBD{}, err
	}
	d := calCompressAuto(data)
	start := s.start
	if start == nil {
		// Unit shapes; a mean purchase rate matching the data.
		start = []float64{1, math.Max(d.meanT, 1e-3) / math.Max(d.meanX, 0.1), 1, 1}
		if len(d.w) >= bgWarmMin {
			// Many distinct records: most of the search is done on an
			// evenly spread sample, and the full data only finish it.
			start, s.hess0 = bgWarmStart(data, start, s)
		}
	}
	theta := make([]float64, 4)
	for i, v := range start {
		theta[i] = math.Log(v)
	}
	obj := newBGObjective(d, s.workers)
	res, err := optFit(op, obj.eval, true, theta, s, obj)
	m := BGNBD{R: math.Exp(res.theta[0]), Alpha: math.Exp(res.theta[1]), A: math.Exp(res.theta[2]), B: math.Exp(res.theta[3])}
	m.LogLikelihood = -res.f * d.total
	m.Customers = int(d.total)
	return m, err
}

// bgWarmMin is the number of distinct records from which FitBGNBD starts
// from a fit to a sample of bgWarmSample of them.
const (
	bgWarmMin    = 1 << 17
	bgWarmSample = 1 << 16
)

// bgWarmStart fits an evenly spread sample of data from start, to a coarse
// tolerance, and returns its estimate and the Hessian of the sample's mean
// objective there (an estimate of the full data's); start and nil when that
// fit fails.
func bgWarmStart(data []CustomerSummary, start []float64, s optSettings) ([]float64, []float64) {
	step := len(data) / bgWarmSample
	if step < 2 {
		return start, nil
	}
	sample := make([]CustomerSummary, 0, len(data)/step+1)
	for i := 0; i < len(data); i += step {
		sample = append(sample, data[i])
	}
	d := calCompressAuto(sample)
	theta := make([]float64, 4)
	for i, v := range start {
		theta[i] = math.Log(v)
	}
	obj := newBGObjective(d, s.workers)
	coarse := s
	coarse.tol = 1e-4
	res := optMinimize(obj.eval, true, theta, coarse, obj)
	if !res.converged {
		return start, nil
	}
	out := make([]float64, 4)
	for i, v := range res.theta {
		out[i] = math.Exp(v)
	}
	hs := (&optMinimizer{f: obj.eval, analytic: true, n: 4}).hessian(res.theta, res.f)
	if _, ok := optInverse(hs, 4); !ok {
		return out, nil
	}
	return out, hs
}

// bgObjective evaluates the mean negative log-likelihood of compressed data
// and its gradient with respect to the log-parameters.
//
// The tuples are summed in fixed chunks of calChunk tuples, each with its
// own compensated sum and gradient partials, and the chunks are combined in
// order; the chunks are spread over the workers. The result does not depend
// on the number of workers, to the last bit.
type bgObjective struct {
	d                     *calTuples
	c1, c4, dr0, da0, db0 []float64 // per distinct x
	lt, it, ltx, itx      []float64 // per distinct T and tx (nil when computed per tuple)
	chunks                []bgChunk
	workers               int
	shift                 float64 // see optShifter
}

// bgChunk holds the partial sums of one chunk of tuples.
type bgChunk struct {
	ll        spSum
	gr, galph float64
	w4x       []float64 // per distinct x
}

func newBGObjective(d *calTuples, workers int) *bgObjective {
	nx := len(d.xs)
	o := &bgObjective{
		d: d, c1: make([]float64, nx), c4: make([]float64, nx),
		dr0: make([]float64, nx), da0: make([]float64, nx), db0: make([]float64, nx),
		workers: max(1, workers),
	}
	if !d.perTuple {
		o.lt, o.it = make([]float64, len(d.ts)), make([]float64, len(d.ts))
		o.ltx, o.itx = make([]float64, len(d.txs)), make([]float64, len(d.txs))
	}
	o.chunks = make([]bgChunk, calChunks(len(d.w)))
	for i := range o.chunks {
		o.chunks[i].w4x = make([]float64, nx)
	}
	return o
}

// setShift implements optShifter.
func (o *bgObjective) setShift(shift float64) { o.shift = shift }

// eval implements optObjective. The log-likelihood of one customer is
//
//	ln[B(a,b+x)/B(a,b)] + ln[Γ(r+x)α^r/Γ(r)] + ln( (α+T)^−(r+x)
//	    + [x>0] a/(b+x−1) (α+tx)^−(r+x) ),
//
// evaluated with log-sum-exp.
func (o *bgObjective) eval(theta, grad []float64) float64 {
	r, alpha, a, b := math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2]), math.Exp(theta[3])
	if !bgValid(r, alpha, a, b) {
		return math.Inf(1)
	}
	d := o.d
	lnAlpha := math.Log(alpha)
	lgR, lgB, lgAB := spLgamma(r), spLgamma(b), spLgamma(a+b)
	lnA := math.Log(a)
	var psiR, psiB, psiAB float64
	if grad != nil {
		psiR, psiB, psiAB = spDigamma(r), spDigamma(b), spDigamma(a+b)
	}
	for i, x := range d.xs {
		o.c1[i] = spLgamma(r+x) - lgR + r*lnAlpha + lgAB + spLgamma(b+x) - lgB - spLgamma(a+b+x)
		if x > 0 {
			o.c4[i] = lnA - math.Log(b+x-1)
		}
		if grad != nil {
			o.dr0[i] = spDigamma(r+x) - psiR + lnAlpha
			o.da0[i] = psiAB - spDigamma(a+b+x)
			o.db0[i] = psiAB + spDigamma(b+x) - psiB - spDigamma(a+b+x)
		}
	}
	if !d.perTuple {
		for i, t := range d.ts {
			o.lt[i] = math.Log(alpha + t)
			o.it[i] = 1 / (alpha + t)
		}
		for i, t := range d.txs {
			o.ltx[i] = math.Log(alpha + t)
			o.itx[i] = 1 / (alpha + t)
		}
	}
	calParallel(len(o.chunks), o.workers, func(c int) {
		o.evalChunk(c, r, alpha, grad != nil)
	})
	var ll spSum
	ll.add(o.shift * d.total)
	var gr, gAlpha float64
	for c := range o.chunks {
		ch := &o.chunks[c]
		ll.add(ch.ll.sum)
		ll.add(ch.ll.comp)
		gr += ch.gr
		gAlpha += ch.galph
	}
	if grad != nil {
		gAlpha += d.total * r / alpha
		var ga, gb float64
		for i, x := range d.xs {
			gr += d.xw[i] * o.dr0[i]
			ga += d.xw[i] * o.da0[i]
			gb += d.xw[i] * o.db0[i]
			if x > 0 {
				var w4 float64
				for c := range o.chunks {
					w4 += o.chunks[c].w4x[i]
				}
				ga += w4 / a
				gb -= w4 / (b + x - 1)
			}
		}
		// Chain rule to log-parameters; minimise the mean negative value.
		grad[0] = -r * gr / d.total
		grad[1] = -alpha * gAlpha / d.total
		grad[2] = -a * ga / d.total
		grad[3] = -b * gb / d.total
	}
	v := -ll.value() / d.total
	if !optFinite(v) {
		return math.Inf(1)
	}
	return v
}

// evalChunk sums the tuples of chunk c.
func (o *bgObjective) evalChunk(c int, r, alpha float64, withGrad bool) {
	d := o.d
	ch := &o.chunks[c]
	ch.ll = spSum{}
	ch.gr, ch.galph = 0, 0
	if withGrad {
		clear(ch.w4x)
	}
	lo, hi := c*calChunk, min(len(d.w), (c+1)*calChunk)
	var gr, gAlpha float64
	for k := lo; k < hi; k++ {
		w := d.w[k]
		xi, ti, txi := d.xi[k], d.ti[k], d.txi[k]
		var lt, it float64
		if d.perTuple {
			u := alpha + d.ts[ti]
			lt, it = math.Log(u), 1/u
		} else {
			lt, it = o.lt[ti], o.it[ti]
		}
		x := d.xs[xi]
		m := r + x
		a3 := -m * lt
		if x == 0 {
			ch.ll.add(w * (o.c1[xi] + a3))
			if withGrad {
				gr -= w * lt
				gAlpha -= w * m * it
			}
			continue
		}
		var ltx, itx float64
		if d.perTuple {
			u := alpha + d.txs[txi]
			ltx, itx = math.Log(u), 1/u
		} else {
			ltx, itx = o.ltx[txi], o.itx[txi]
		}
		a4 := o.c4[xi] - m*ltx
		var v, w3 float64
		if a4 <= a3 {
			// e ∈ (0, 1]: ln(1+e) is accurate to an ulp of 1+e here,
			// which is all the sum can hold, and cheaper than Log1p.
			e := math.Exp(a4 - a3)
			v = a3 + math.Log(1+e)
			w3 = 1 / (1 + e)
		} else {
			e := math.Exp(a3 - a4)
			v = a4 + math.Log(1+e)
			w3 = e / (1 + e)
		}
		ch.ll.add(w * (o.c1[xi] + v))
		if withGrad {
			w4 := 1 - w3
			gr -= w * (w3*lt + w4*ltx)
			gAlpha -= w * m * (w3*it + w4*itx)
			ch.w4x[xi] += w * w4
		}
	}
	ch.gr, ch.galph = gr, gAlpha
}

func bgValid(r, alpha, a, b float64) bool {
	for _, v := range [...]float64{r, alpha, a, b} {
		if !(v > 0) || math.IsInf(v, 1) {
			return false
		}
	}
	return true
}

// Validate reports whether every parameter is positive and finite.
func (m BGNBD) Validate() error {
	var v crm.Validator
	for i, p := range [...]float64{m.R, m.Alpha, m.A, m.B} {
		v.Check(p > 0 && !math.IsInf(p, 1), bgParamNames[i], "must be positive and finite")
	}
	return v.Err("scoring.BGNBD")
}

// check validates the model and a customer for the method op.
func (m BGNBD) check(op string, c *CustomerSummary) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if c != nil {
		return calCheckSummary(op, *c)
	}
	return nil
}

// LogLikelihoodOf returns the log-likelihood of data under the model.
func (m BGNBD) LogLikelihoodOf(data []CustomerSummary) (float64, error) {
	const op = "scoring.BGNBD.LogLikelihoodOf"
	if err := m.check(op, nil); err != nil {
		return 0, err
	}
	if err := validateSummaries(op, data); err != nil {
		return 0, err
	}
	d := calCompress(data)
	theta := []float64{math.Log(m.R), math.Log(m.Alpha), math.Log(m.A), math.Log(m.B)}
	return -newBGObjective(d, 1).eval(theta, nil) * d.total, nil
}

// pAlive is P(alive at T | x, tx, T) for validated input.
func (m BGNBD) pAlive(x int, tx, T float64) float64 {
	return m.pAliveFrom(x, tx, T, m.tTerm(x, T), m.txTerm(x, tx))
}

// tTerm is the part of P(alive) that depends on (x, T): (r+x) ln(α+T).
func (m BGNBD) tTerm(x int, T float64) predTerm {
	return predTerm{a: (m.R + float64(x)) * math.Log(m.Alpha+T)}
}

// txTerm is the part of P(alive) that depends on (x, tx): (r+x) ln(α+tx).
func (m BGNBD) txTerm(x int, tx float64) float64 {
	return (m.R + float64(x)) * math.Log(m.Alpha+tx)
}

// txTermCostly implements predAliveModel: one logarithm is cheaper than a
// cache lookup.
func (m BGNBD) txTermCostly() bool { return false }

// pAliveFrom combines tTerm and txTerm into P(alive).
func (m BGNBD) pAliveFrom(x int, _, _ float64, tt predTerm, txt float64) float64 {
	if x == 0 {
		return 1
	}
	// Odds of "dropped out after the last purchase" against "alive".
	lodds := math.Log(m.A) - math.Log(m.B+float64(x)-1) + tt.a - txt
	return 1 / (1 + math.Exp(lodds))
}

// aliveExpected is E[purchases in (T, T+t] | alive at T, x]: it depends on
// the history only through x and T.
func (m BGNBD) aliveExpected(x int, T, t float64) float64 {
	fx := float64(x)
	return bgAliveExpected(m.R+fx, m.Alpha+T, m.A, m.B+fx, t)
}

// aliveNoPurchase is P(no purchase in (T, T+tau] | alive at T, x).
func (m BGNBD) aliveNoPurchase(x int, T, tau float64) float64 {
	return math.Exp(-(m.R + float64(x)) * math.Log1p(tau/(m.Alpha+T)))
}

// bgAliveExpected returns the expected number of purchases in a window of
// length t of a customer who is alive at its start, with purchase rate
// λ ~ gamma(shape m, rate beta0) and dropout probability p ~ beta(a, bx).
//
// With K the number of purchase opportunities in the window (negative
// binomial: gamma-mixed Poisson, P(K=k) = Γ(m+k)/(Γ(m)k!) (1−z)^m z^k with
// z = t/(beta0+t)) and the k-th opportunity used only if the customer
// survived the k−1 before it (probability E[(1−p)^(k−1)] = (bx)_(k−1)/(a+bx)_(k−1)),
//
//	E = Σ_k P(K=k) D_k,   D_k = Σ_{j<k} (bx)_j/(a+bx)_j.
//
// Every term is positive, so the sum is accurate for a near 1, for
// a+b < 1 and for large x, where the textbook closed form with
// (a+b+x−1)/(a−1) and 2F1 cancels or breaks down.
func bgAliveExpected(m, beta0, a, bx, t float64) float64 {
	if t == 0 {
		return 0
	}
	z := t / (beta0 + t)
	lp := -m * math.Log1p(t/beta0) // ln P(K=0)
	// P(K=k) rises up to the mode and then falls geometrically.
	mode := 0.0
	if m > 1 {
		mode = math.Floor((m - 1) * z / (1 - z))
	}
	if a > 1 && mode > 1000 {
		// The sum below needs about mode + 10 sd terms; the equivalent
		// E = Σ_j q_j P(K > j), with q_j = (bx)_j/(a+bx)_j falling like
		// j^−a, can need far fewer when the mode is distant.
		ek := m * t / beta0
		sd := math.Sqrt(m*z) / (1 - z)
		if math.Pow(ek*1e16, 1/a) < mode+10*sd {
			return bgAliveExpectedBySurvival(m, a, bx, z, lp, ek)
		}
	}
	return bgAliveExpectedByCount(m, a, bx, z, lp, mode)
}

// bgAliveExpectedByCount evaluates bgAliveExpected as Σ_k P(K=k) D_k; lp is
// ln P(K=0) and mode the mode of K.
func bgAliveExpectedByCount(m, a, bx, z, lp, mode float64) float64 {
	var sum, dk, q float64
	q = 1 // (bx)_j/(a+bx)_j for j = k−1
	pk := math.Exp(lp)
	// While P(K=k) is below e^-700 (far left of a distant mode) its terms do
	// not matter; it is tracked as e^lp·acc, acc folded into lp when large,
	// until it rises above e^-700.
	linear := lp > -700
	acc, thr := 1.0, math.Exp(-700-lp)
	const maxTerms = 100_000_000
	for k := 1; k < maxTerms; k++ {
		fk := float64(k)
		dk += q
		q *= (bx + fk - 1) / (a + bx + fk - 1)
		ratio := (m + fk - 1) * z / fk // P(K=k)/P(K=k−1)
		if linear {
			pk *= ratio
		} else {
			acc *= ratio
			if acc > 1e200 {
				lp += math.Log(acc)
				acc, thr = 1, math.Exp(-700-lp)
			}
			if acc <= thr {
				continue
			}
			pk = math.Exp(lp + math.Log(acc))
			linear = true
		}
		term := pk * dk
		sum += term
		if fk > mode {
			// Past the mode P(K=k) falls by the ratio (m+k)z/(k+1) each
			// step, which decreases towards z for m ≥ 1 and increases
			// towards z for m < 1; D grows by at most q ≤ 1 per step. So
			// with ρ the largest ratio ahead the rest is at most
			// term/(1−ρ) · (1 + 1/(D_k (1−ρ))).
			rho := (m + fk) * z / (fk + 1)
			if m < 1 {
				rho = z
			}
			if rho < 1 {
				tail := term / (1 - rho) * (1 + 1/(dk*(1-rho)))
				if tail <= 1e-16*sum {
					break
				}
			}
		}
	}
	return sum
}

// bgAliveExpectedBySurvival evaluates bgAliveExpected as
// Σ_{j≥0} q_j P(K > j), q_j = (bx)_j/(a+bx)_j, stopping when the bound
// q_(J+1) Σ_{j>J} P(K > j) = q_(J+1) (E[K] − Σ_{j≤J} P(K > j)) on the rest is
// negligible. lp is ln P(K=0) and ek = E[K].
func bgAliveExpectedBySurvival(m, a, bx, z, lp, ek float64) float64 {
	pk := math.Exp(lp)
	cdf := pk
	survival := -math.Expm1(lp) // P(K > 0), accurate when P(K=0) is near 1
	var sum, sSum float64
	q := 1.0
	const maxTerms = 100_000_000
	for j := 0; j < maxTerms; j++ {
		fj := float64(j)
		sum += q * survival
		sSum += survival
		q *= (bx + fj) / (a + bx + fj)
		if q*(ek-sSum) <= 1e-16*sum {
			break
		}
		pk *= (m + fj) * z / (fj + 1)
		cdf += pk
		survival = math.Max(0, 1-cdf)
	}
	return sum
}

// The expectations are sums over purchase opportunities K, negative
// binomial with mean (r+x)·t/(α+T) and a spread of order t/(α+T) when r+x
// is small, so their cost grows with both. Horizons beyond these bounds,
// far past any business horizon, are refused rather than summed for
// seconds: t/(α+T) ≤ 10^6 and (r+x)·t/(α+T) ≤ 10^7.
const (
	bgMaxSpan   = 1e6
	bgMaxEvents = 1e7
)

// checkHorizon validates a forecast horizon t for a customer with x
// repeat purchases and age T.
func (m BGNBD) checkHorizon(op, name string, x int, T, t float64) error {
	if err := calCheckHorizon(op, name, t); err != nil {
		return err
	}
	span := t / (m.Alpha + T)
	if span > bgMaxSpan || (m.R+float64(x))*span > bgMaxEvents {
		return crm.Invalid(op, name, "horizon too long for the model's time scale: t/(alpha+T) must not exceed 1e6 nor (r+x)·t/(alpha+T) 1e7")
	}
	return nil
}

// ExpectedPurchases returns E[X(t)], the expected number of repeat
// purchases in (0, t] of a customer just acquired (FHL 2005, eq. 7).
// Horizons with t/α > 10^6 or r·t/α > 10^7 are refused.
func (m BGNBD) ExpectedPurchases(t float64) (float64, error) {
	const op = "scoring.BGNBD.ExpectedPurchases"
	if err := m.check(op, nil); err != nil {
		return 0, err
	}
	if err := m.checkHorizon(op, "t", 0, 0, t); err != nil {
		return 0, err
	}
	return bgAliveExpected(m.R, m.Alpha, m.A, m.B, t), nil
}

// PAlive returns the probability that customer c is still alive at the end
// of the calibration period, given their history (FHL 2005 note on
// P(alive)): 1 for a customer without repeat purchases.
func (m BGNBD) PAlive(c CustomerSummary) (float64, error) {
	if err := m.check("scoring.BGNBD.PAlive", &c); err != nil {
		return 0, err
	}
	return m.pAlive(c.X, c.TX, c.T), nil
}

// ConditionalExpectedPurchases returns E[Y(t) | x, tx, T], the expected
// number of purchases of customer c in the t time units after the end of
// the calibration period (FHL 2005, eq. 10). Horizons far beyond the
// model's time scale (t/(α+T) > 10^6 or (r+x)·t/(α+T) > 10^7) are refused.
func (m BGNBD) ConditionalExpectedPurchases(t float64, c CustomerSummary) (float64, error) {
	const op = "scoring.BGNBD.ConditionalExpectedPurchases"
	if err := m.check(op, &c); err != nil {
		return 0, err
	}
	if err := m.checkHorizon(op, "t", c.X, c.T, t); err != nil {
		return 0, err
	}
	return m.pAlive(c.X, c.TX, c.T) * m.aliveExpected(c.X, c.T, t), nil
}

// PNoPurchase returns the probability that customer c makes no purchase in
// the tau time units after the end of the calibration period: either the
// customer has dropped out, or is alive and the next purchase comes later.
func (m BGNBD) PNoPurchase(tau float64, c CustomerSummary) (float64, error) {
	const op = "scoring.BGNBD.PNoPurchase"
	if err := m.check(op, &c); err != nil {
		return 0, err
	}
	if err := calCheckHorizon(op, "tau", tau); err != nil {
		return 0, err
	}
	pa := m.pAlive(c.X, c.TX, c.T)
	return 1 + pa*math.Expm1(-(m.R+float64(c.X))*math.Log1p(tau/(m.Alpha+c.T))), nil
}
