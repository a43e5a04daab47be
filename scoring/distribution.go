package scoring

import (
	"fmt"
	"math"
	"runtime"
	"strconv"

	"github.com/crmkit/crm"
)

// MaxCountN bounds the largest purchase count of a distribution: the
// distributions are computed by recursions in n, so their cost grows with
// it.
const MaxCountN = 10_000

// CountModel is a purchase model that gives the whole distribution of the
// number of repeat purchases of a customer just acquired, not only its
// mean. BGNBD and ParetoNBD implement it; its unexported method keeps
// other implementations out, since PurchaseCountDistribution relies on the
// built-in calculations being pure and safe for concurrent use.
type CountModel interface {
	PurchaseModel
	// PurchaseCountProbabilities returns P(X(t) = n) for n = 0..maxN.
	PurchaseCountProbabilities(t float64, maxN int) ([]float64, error)
	countProbs(t float64, out, q []float64)
	countShape() float64
	Validate() error
}

var (
	_ CountModel = BGNBD{}
	_ CountModel = ParetoNBD{}
)

// countCheck validates the arguments of a distribution.
func countCheck(op string, t float64, maxN int) error {
	if err := calCheckHorizon(op, "t", t); err != nil {
		return err
	}
	if maxN < 0 || maxN > MaxCountN {
		return crm.Invalid(op, "max_n", "must lie in [0, "+strconv.Itoa(MaxCountN)+"]")
	}
	return nil
}

// PurchaseCountProbabilities returns P(X(t) = n), n = 0..maxN, the
// probability that a customer just acquired makes exactly n repeat
// purchases in (0, t] (FHL 2005, eq. 8):
//
//	P(X(t)=n) = B(a,b+n)/B(a,b) NB(n) + [n>0] B(a+1,b+n−1)/B(a,b) (1 − Σ_{j<n} NB(j)),
//
// where NB is the negative binomial distribution of the purchases of a
// customer who never drops out, with shape r and success probability
// t/(α+t). maxN must lie in [0, MaxCountN].
func (m BGNBD) PurchaseCountProbabilities(t float64, maxN int) ([]float64, error) {
	const op = "scoring.BGNBD.PurchaseCountProbabilities"
	if err := m.check(op, nil); err != nil {
		return nil, err
	}
	if err := countCheck(op, t, maxN); err != nil {
		return nil, err
	}
	out := make([]float64, maxN+1)
	m.countProbs(t, out, nil)
	return out, nil
}

// countShape returns r, the shape of the ratios q of countProbs.
func (m BGNBD) countShape() float64 { return m.R }

// countProbs fills out[n] = P(X(t) = n) for validated input; q holds
// countRatios(r, len(out)) or is nil.
func (m BGNBD) countProbs(t float64, out, q []float64) {
	if t == 0 {
		clear(out)
		out[0] = 1
		return
	}
	r, a, b := m.R, m.A, m.B
	z := t / (m.Alpha + t)
	if q == nil {
		q = countRatios(r, len(out))
	}
	nb := countNB{q: q, z: z}
	nb.start(-r * math.Log1p(t/m.Alpha)) // ln NB(0)
	cdf := 0.0
	// beta1 = B(a,b+n)/B(a,b), beta2 = B(a+1,b+n−1)/B(a,b).
	beta1, beta2 := 1.0, a/(a+b)
	for n := range out {
		fn := float64(n)
		if n > 0 {
			beta1 *= (b + fn - 1) / (a + b + fn - 1)
			if n > 1 {
				beta2 *= (b + fn - 2) / (a + b + fn - 1)
			}
		}
		v := nb.value()
		p := beta1 * v
		if n > 0 {
			p += beta2 * math.Max(0, 1-cdf)
		}
		out[n] = predClamp01(p)
		cdf += v
		nb.next(n)
	}
}

// PurchaseCountProbabilities returns P(X(t) = n), n = 0..maxN, for a
// customer just acquired. A customer with purchase rate λ and dropout rate
// μ either survives (0, t] and makes Poisson(λt) purchases, or dies at
// τ < t after Poisson(λτ) purchases; mixing over the gamma distributions of
// λ and μ gives
//
//	P(X(t)=n) = NB_t(n) (β/(β+t))^s + ∫_0^t NB_τ(n) s β^s (β+τ)^−(s+1) dτ,
//
// with NB_τ the negative binomial (shape r, success probability τ/(α+τ)).
// The integral is evaluated, for all n at once, by Gauss–Legendre
// quadrature in z = τ/(α+τ) on two panels of 16 nodes (three when
// t/(α+t) > 0.9), each halved until it integrates the death density to
// its exact value within 1e-11 relative; the sum of the
// probabilities over all n and their mean agree with 1 and
// ExpectedPurchases to about 1e-9. maxN must lie in [0, MaxCountN].
func (m ParetoNBD) PurchaseCountProbabilities(t float64, maxN int) ([]float64, error) {
	const op = "scoring.ParetoNBD.PurchaseCountProbabilities"
	if err := m.check(op, nil); err != nil {
		return nil, err
	}
	if err := countCheck(op, t, maxN); err != nil {
		return nil, err
	}
	out := make([]float64, maxN+1)
	m.countProbs(t, out, nil)
	return out, nil
}

// countShape returns r, the shape of the ratios q of countProbs.
func (m ParetoNBD) countShape() float64 { return m.R }

// countProbs fills out[n] = P(X(t) = n) for validated input; q holds
// countRatios(r, len(out)) or is nil.
func (m ParetoNBD) countProbs(t float64, out, q []float64) {
	clear(out)
	if t == 0 {
		out[0] = 1
		return
	}
	r, alpha, s, beta := m.R, m.Alpha, m.S, m.Beta
	// Survivors of (0, t].
	zt := t / (alpha + t)
	surv := -s * math.Log1p(t/beta)
	if q == nil {
		q = countRatios(r, len(out))
	}
	countAddNB(out, q, zt, -r*math.Log1p(t/alpha)+surv)
	// Deaths at τ: with z = τ/(α+τ), dτ = α dz/(1−z)², β+τ = (β(1−z)+αz)/(1−z):
	// the integrand is NB_z(n) · s β^s α (1−z)^(s−1) (β(1−z)+αz)^−(s+1).
	nodes := &glX16
	lnc := math.Log(s) + s*math.Log(beta) + math.Log(alpha)
	// Panels narrow towards z = 1, where (1−z)^(r+s−1) may be singular;
	// two suffice while the range stays away from it. A panel is accepted
	// when its quadrature of the death density alone matches the exact
	// probability of dying in it, S(τ_lo) − S(τ_hi) with S(τ) = (β/(β+τ))^s,
	// and halved otherwise (large s concentrates the deaths in a narrow
	// peak), within a budget of countMaxPanels panels.
	edges := countEdges[:]
	if zt <= 0.9 {
		edges = countEdgesNear[:]
	}
	survival := func(z float64) float64 { // S(τ) at τ = αz/(1−z)
		return math.Exp(-s * math.Log1p(alpha*z/((1-z)*beta)))
	}
	type panel struct {
		lo, hi float64
		depth  int
	}
	var stackBuf [64]panel
	stack := stackBuf[:0]
	for p := len(edges) - 2; p >= 0; p-- {
		stack = append(stack, panel{zt * edges[p], zt * edges[p+1], 0})
	}
	var zBuf, pwBuf [3 * 16]float64
	zs, pw := zBuf[:0], pwBuf[:0]
	fast := true
	for panels := 0; len(stack) > 0; panels++ {
		pn := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		half := (pn.hi - pn.lo) / 2
		lh := math.Log(half)
		var lz, lw [16]float64
		var density float64
		for j, u := range nodes {
			z := pn.lo + half*(1+u)
			omz := 1 - z
			if !(omz > 0) {
				// Beyond float64's resolution at z = 1 (t/(α+t) rounds to 1).
				lz[j], lw[j] = z, math.Inf(-1)
				continue
			}
			lomz := math.Log(omz)
			l := glLogW16[j] + lh + lnc + (s-1)*lomz - (s+1)*math.Log(beta*omz+alpha*z)
			density += math.Exp(l)
			// NB_z(0) = (1−z)^r.
			lz[j], lw[j] = z, l+r*lomz
		}
		exact := survival(pn.lo) - survival(pn.hi)
		if panels < countMaxPanels && pn.depth < countMaxDepth && math.Abs(density-exact) > 1e-14+1e-11*exact {
			mid := pn.lo + half
			stack = append(stack, panel{mid, pn.hi, pn.depth + 1}, panel{pn.lo, mid, pn.depth + 1})
			continue
		}
		for j := range lz {
			if math.IsInf(lw[j], -1) {
				continue
			}
			zs = append(zs, lz[j])
			pw = append(pw, lw[j])
			fast = fast && lw[j] > -600
		}
	}
	k := len(zs)
	if !fast {
		// Some first terms are below float64's range: follow each node's
		// terms in logs where needed.
		for i := range k {
			countAddNB(out, q, zs[i], pw[i])
		}
	} else {
		// Every node's terms start representable and are unimodal in n,
		// so they can be walked together, the nodes as independent chains.
		for i := range k {
			pw[i] = math.Exp(pw[i])
		}
		zk, pk := zs, pw
		for n := range out {
			var sum float64
			qn := q[n]
			for i := range pk {
				sum += pk[i]
				pk[i] *= qn * zk[i]
			}
			out[n] += sum
		}
	}
	for n := range out {
		out[n] = predClamp01(out[n])
	}
}

// countAddNB adds e^ln0 · NB(n)/NB(0) to out[n] for n = 0..len(out)−1,
// where NB(n)/NB(0) = Γ(r+n)/(Γ(r) n!) z^n; ln0 is the log of the n = 0
// term.
func countAddNB(out, q []float64, z, ln0 float64) {
	nb := countNB{q: q, z: z}
	nb.start(ln0)
	for n := range out {
		out[n] += nb.v
		if nb.inLog {
			nb.next(n)
			continue
		}
		nb.v *= q[n] * z
		if nb.v < countTiny {
			nb.inLog, nb.lv = true, math.Log(nb.v)
		}
	}
}

// countNB walks the negative binomial terms c·Γ(r+n)/(Γ(r) n!) z^n by their
// ratio. Terms too small for float64 are followed in logs, since they may
// rise again towards the mode.
type countNB struct {
	q     []float64 // q[n] = (r+n)/(n+1)
	z, lz float64
	lv, v float64
	inLog bool
}

// countRatios returns q[n] = (r+n)/(n+1) for n < size.
func countRatios(r float64, size int) []float64 {
	q := make([]float64, size)
	for n := range q {
		q[n] = (r + float64(n)) / float64(n+1)
	}
	return q
}

const countTiny = 1e-290

// start sets the n = 0 term to e^ln0.
func (c *countNB) start(ln0 float64) {
	c.lv, c.v = ln0, math.Exp(ln0)
	c.inLog = c.v < countTiny
}

// value returns the current term.
func (c *countNB) value() float64 { return c.v }

// next moves from term n to term n+1.
func (c *countNB) next(n int) {
	if c.inLog {
		if c.lz == 0 {
			c.lz = math.Log(c.z)
		}
		c.lv += math.Log(c.q[n]) + c.lz
		c.v = math.Exp(c.lv)
		if c.lv > -600 {
			c.inLog = false
		}
		return
	}
	c.v *= c.q[n] * c.z
	if c.v < countTiny {
		c.inLog, c.lv = true, math.Log(c.v)
	}
}

// glX16 and glW16 are the Gauss–Legendre nodes and weights, computed once
// and never changed.
var glX16, glW16 = glNodes16()

// glLogW16 holds the logarithms of glW16.
var glLogW16 = func() (l [16]float64) {
	for i, w := range glW16 {
		l[i] = math.Log(w)
	}
	return l
}()

// countEdges are the panels of the Pareto/NBD integral, as fractions of
// its range in z.
var (
	countEdges     = [...]float64{0, 0.7, 0.95, 1}
	countEdgesNear = [...]float64{0, 0.6, 1}
)

// countMaxPanels bounds the panels of one Pareto/NBD integral, and
// countMaxDepth the halvings of one panel (an integrable singularity of
// the density at z = 1, for s < 1 and t/(α+t) rounding to 1, never meets
// the test).
const (
	countMaxPanels = 200
	countMaxDepth  = 12
)

// glNodes16 returns the nodes and weights of 16-point Gauss–Legendre
// quadrature on [−1, 1], by Newton's method on the Legendre polynomial.
func glNodes16() ([16]float64, [16]float64) {
	const n = 16
	var x, w [n]float64
	for i := range n / 2 {
		z := math.Cos(math.Pi * (float64(i) + 0.75) / (n + 0.5))
		var dp float64
		for range 100 {
			p0, p1 := 1.0, 0.0
			for j := 1; j <= n; j++ {
				p0, p1 = ((2*float64(j)-1)*z*p0-(float64(j)-1)*p1)/float64(j), p0
			}
			dp = n * (z*p0 - p1) / (z*z - 1)
			dz := p0 / dp
			z -= dz
			if math.Abs(dz) < 1e-15 {
				break
			}
		}
		x[i], x[n-1-i] = -z, z
		wt := 2 / ((1 - z*z) * dp * dp)
		w[i], w[n-1-i] = wt, wt
	}
	return x, w
}

// countMaxCells bounds the size of a CountDistribution (800 MB).
const countMaxCells = 100_000_000

// CountDistribution is the distribution of the number of repeat purchases
// for a list of customers, as computed by PurchaseCountDistribution.
type CountDistribution struct {
	// MaxN is the largest count; each row holds P(X=0..MaxN).
	MaxN int
	// P holds the rows one after the other: P[i*(MaxN+1)+n] is the
	// probability that customer i makes n repeat purchases.
	P []float64
}

// Row returns the probabilities of customer i (a view, not a copy).
func (d CountDistribution) Row(i int) []float64 {
	w := d.MaxN + 1
	return d.P[i*w : (i+1)*w : (i+1)*w]
}

// CountOptions configures PurchaseCountDistribution. A nil *CountOptions
// and the zero value use the defaults.
type CountOptions struct {
	// Workers is the number of goroutines that compute the distributions
	// of distinct ages; zero means runtime.GOMAXPROCS(0), 1 computes in the
	// calling goroutine. Every row is computed by one goroutine alone, so
	// the result does not depend on it. It must not be negative.
	Workers int
}

// PurchaseCountDistribution returns, for every age in ts (typically each
// customer's T), P(X(t) = n) for n = 0..maxN under model m. Equal ages are
// computed once; len(ts)·(maxN+1) must not exceed 10^8. Summed over
// customers it gives the expected number of customers with n repeat
// purchases, the model side of the period transactions diagnostic
// ([PeriodTransactions]).
func PurchaseCountDistribution(m CountModel, ts []float64, maxN int, opts *CountOptions) (CountDistribution, error) {
	const op = "scoring.PurchaseCountDistribution"
	if m == nil {
		return CountDistribution{}, crm.Invalid(op, "model", "must not be nil")
	}
	if err := m.Validate(); err != nil {
		return CountDistribution{}, fmt.Errorf("%s: %w", op, err)
	}
	workers := runtime.GOMAXPROCS(0)
	if opts != nil {
		if opts.Workers < 0 {
			return CountDistribution{}, crm.Invalid(op, "opts.workers", "must not be negative")
		}
		if opts.Workers > 0 {
			workers = opts.Workers
		}
	}
	if maxN < 0 || maxN > MaxCountN {
		return CountDistribution{}, crm.Invalid(op, "max_n", "must lie in [0, "+strconv.Itoa(MaxCountN)+"]")
	}
	for i, t := range ts {
		if !(t >= 0) || math.IsInf(t, 1) {
			return CountDistribution{}, calCheckHorizon(op, "ts["+strconv.Itoa(i)+"]", t)
		}
	}
	w := maxN + 1
	if len(ts) > countMaxCells/w {
		return CountDistribution{}, crm.Invalid(op, "ts", "len(ts)·(max_n+1) must not exceed 100,000,000 probabilities")
	}
	d := CountDistribution{MaxN: maxN, P: make([]float64, len(ts)*w)}
	// The first row of each distinct age is computed, the others copied.
	first := make([]int, len(ts))
	var todo []int
	seen := make(map[float64]int, min(len(ts), 1<<16))
	q := countRatios(m.countShape(), w) // read only, shared by the workers
	for i, t := range ts {
		j, ok := seen[t]
		if !ok {
			j = i
			seen[t] = i
			todo = append(todo, i)
		}
		first[i] = j
	}
	const chunk = 512
	calParallel((len(todo)+chunk-1)/chunk, workers, func(c int) {
		for _, i := range todo[c*chunk : min(len(todo), (c+1)*chunk)] {
			m.countProbs(ts[i], d.P[i*w:(i+1)*w], q)
		}
	})
	for i, j := range first {
		if j != i {
			copy(d.P[i*w:(i+1)*w], d.P[j*w:(j+1)*w])
		}
	}
	return d, nil
}
