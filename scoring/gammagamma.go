package scoring

import (
	"fmt"
	"math"
	"strconv"

	"github.com/crmkit/crm"
)

// GammaGamma is a fitted Gamma-Gamma model of spend per purchase (Fader,
// Hardie and Lee 2005, "RFM and CLV"; Fader and Hardie 2013, "The
// Gamma-Gamma Model of Monetary Value"). The value of each purchase of a
// customer is gamma distributed with shape P and a rate ν that varies across
// customers as a gamma distribution with shape Q and rate Gamma; spend is
// assumed independent of the purchase and dropout processes.
//
// A GammaGamma is a plain value, safe for concurrent use.
type GammaGamma struct {
	// P is the shape of the spend of one purchase.
	P float64
	// Q and Gamma are the shape and rate of the gamma distribution of ν
	// across customers.
	Q, Gamma float64
	// LogLikelihood is the maximised log-likelihood of the fitted data;
	// zero for a model built by hand.
	LogLikelihood float64
	// Customers is the number of customers the fit used (those with X ≥ 1); zero for a
	// model built by hand.
	Customers int
}

var ggParamNames = []string{"p", "q", "gamma"}

// ggData is the spend data of repeat customers, grouped by distinct x.
type ggData struct {
	xs    []float64 // distinct x values
	xi    []int32   // per customer: index into xs
	mean  []float64 // per customer: mean spend
	lnMX  []float64 // per customer: ln(mean) and ln(x), summed as needed
	lnM   []float64
	total float64
	avg   float64 // average of the means, for the default start
}

// ggCollect validates data and keeps the customers with at least one
// repeat purchase; their MeanValue must be positive.
func ggCollect(op string, data []CustomerSummary) (*ggData, error) {
	if err := validateSummaries(op, data); err != nil {
		return nil, err
	}
	var v crm.Validator
	d := &ggData{}
	idx := make(map[int]int32)
	var sum spSum
	for i, c := range data {
		if c.X == 0 {
			continue
		}
		if !(c.MeanValue > 0) {
			v.Addf("data["+strconv.Itoa(i)+"].mean_value", "must be positive when x > 0")
			continue
		}
		k, ok := idx[c.X]
		if !ok {
			k = int32(len(d.xs))
			idx[c.X] = k
			d.xs = append(d.xs, float64(c.X))
		}
		d.xi = append(d.xi, k)
		d.mean = append(d.mean, c.MeanValue)
		d.lnM = append(d.lnM, math.Log(c.MeanValue))
		d.lnMX = append(d.lnMX, math.Log(c.MeanValue)+math.Log(float64(c.X)))
		sum.add(c.MeanValue)
	}
	if len(d.mean) == 0 {
		v.Addf("data", "must hold a customer with x > 0")
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	d.total = float64(len(d.mean))
	d.avg = sum.value() / d.total
	return d, nil
}

// FitGammaGamma fits a Gamma-Gamma spend model by maximum likelihood to
// the customers of data with at least one repeat purchase (X ≥ 1), using
// X and MeanValue; customers with X = 0 carry no spend information and are
// skipped. Errors are as for FitBGNBD.
func FitGammaGamma(data []CustomerSummary, opts *FitOptions) (GammaGamma, error) {
	const op = "scoring.FitGammaGamma"
	s, err := optResolve(op, opts, ggParamNames)
	if err != nil {
		return GammaGamma{}, err
	}
	d, err := ggCollect(op, data)
	if err != nil {
		return GammaGamma{}, err
	}
	start := s.start
	if start == nil {
		// Shapes 1 and 2; a population mean spend pγ/(q−1) equal to the
		// average observed mean.
		start = []float64{1, 2, d.avg}
	}
	theta := make([]float64, 3)
	for i, v := range start {
		theta[i] = math.Log(v)
	}
	obj := &ggObjective{d: d, c: make([]float64, len(d.xs)), dp: make([]float64, len(d.xs)), dq: make([]float64, len(d.xs))}
	res, err := optFit(op, obj.eval, true, theta, s, obj)
	m := GammaGamma{P: math.Exp(res.theta[0]), Q: math.Exp(res.theta[1]), Gamma: math.Exp(res.theta[2])}
	m.LogLikelihood = -res.f * d.total
	m.Customers = int(d.total)
	return m, err
}

// ggObjective evaluates the mean negative log-likelihood of the spend data
// and its gradient with respect to the log-parameters.
type ggObjective struct {
	d         *ggData
	c, dp, dq []float64 // per distinct x
	shift     float64   // see optShifter
}

// setShift implements optShifter.
func (o *ggObjective) setShift(shift float64) { o.shift = shift }

// eval implements optObjective. The density of the mean m of x purchases is
//
//	Γ(px+q)/(Γ(px)Γ(q)) γ^q m^(px−1) x^(px) / (γ+mx)^(px+q).
func (o *ggObjective) eval(theta, grad []float64) float64 {
	p, q, g := math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2])
	if !bgValid(p, q, g, 1) {
		return math.Inf(1)
	}
	d := o.d
	lnG := math.Log(g)
	lgQ := spLgamma(q)
	var psiQ float64
	if grad != nil {
		psiQ = spDigamma(q)
	}
	for i, x := range d.xs {
		px := p * x
		o.c[i] = spLgamma(px+q) - spLgamma(px) - lgQ + q*lnG
		if grad != nil {
			ps := spDigamma(px + q)
			o.dp[i] = x * (ps - spDigamma(px))
			o.dq[i] = ps - psiQ + lnG
		}
	}
	var ll spSum
	ll.add(o.shift * d.total)
	var gp, gq, gg float64
	for k, xi := range d.xi {
		x := d.xs[xi]
		px := p * x
		m := d.mean[k]
		lden := math.Log(g + m*x)
		ll.add(o.c[xi] + px*d.lnMX[k] - d.lnM[k] - (px+q)*lden)
		if grad != nil {
			gp += o.dp[xi] + x*(d.lnMX[k]-lden)
			gq += o.dq[xi] - lden
			gg += q/g - (px+q)/(g+m*x)
		}
	}
	if grad != nil {
		grad[0] = -p * gp / d.total
		grad[1] = -q * gq / d.total
		grad[2] = -g * gg / d.total
	}
	v := -ll.value() / d.total
	if !optFinite(v) {
		return math.Inf(1)
	}
	return v
}

// Validate reports whether every parameter is positive and finite.
func (m GammaGamma) Validate() error {
	var v crm.Validator
	for i, p := range [...]float64{m.P, m.Q, m.Gamma} {
		v.Check(p > 0 && !math.IsInf(p, 1), ggParamNames[i], "must be positive and finite")
	}
	return v.Err("scoring.GammaGamma")
}

// LogLikelihoodOf returns the log-likelihood of the spend of the customers
// of data with X ≥ 1.
func (m GammaGamma) LogLikelihoodOf(data []CustomerSummary) (float64, error) {
	const op = "scoring.GammaGamma.LogLikelihoodOf"
	if err := m.Validate(); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	d, err := ggCollect(op, data)
	if err != nil {
		return 0, err
	}
	obj := &ggObjective{d: d, c: make([]float64, len(d.xs))}
	return -obj.eval([]float64{math.Log(m.P), math.Log(m.Q), math.Log(m.Gamma)}, nil) * d.total, nil
}

// MeanSpend returns the mean spend per purchase across customers,
// pγ/(q−1); it is infinite, and an error, when Q ≤ 1.
func (m GammaGamma) MeanSpend() (float64, error) {
	const op = "scoring.GammaGamma.MeanSpend"
	if err := m.Validate(); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	if !(m.Q > 1) {
		return 0, crm.Invalid(op, "q", "must exceed 1 for a finite mean spend")
	}
	return m.P * m.Gamma / (m.Q - 1), nil
}

// conditionalSpend is E[spend | x, mean] for validated input, or false
// when it is infinite (px+q ≤ 1).
func (m GammaGamma) conditionalSpend(x int, mean float64) (float64, bool) {
	fx := float64(x)
	den := m.P*fx + m.Q - 1
	if !(den > 0) {
		return 0, false
	}
	return m.P * (m.Gamma + mean*fx) / den, true
}

// ConditionalExpectedSpend returns the expected spend per purchase of
// customer c given X purchases with mean MeanValue:
// p(γ + m x)/(p x + q − 1), a weighted average of the population mean and
// the customer's own mean. For X = 0 it is the population mean. It is an
// error when the expectation is infinite (p·X + q ≤ 1).
func (m GammaGamma) ConditionalExpectedSpend(c CustomerSummary) (float64, error) {
	const op = "scoring.GammaGamma.ConditionalExpectedSpend"
	if err := m.Validate(); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	if err := calCheckSummary(op, c); err != nil {
		return 0, err
	}
	v, ok := m.conditionalSpend(c.X, c.MeanValue)
	if !ok {
		return 0, crm.Invalid(op, "customer.x", "p·x + q must exceed 1 for a finite expected spend")
	}
	return v, nil
}
