package scoring

import (
	"fmt"
	"math"
	"strconv"

	"github.com/crmkit/crm"
)

// SBG is a fitted shifted-beta-geometric model of retention in a
// contractual setting with discrete renewal periods (Fader and Hardie 2007,
// "How to Project Customer Retention"). At the end of every period an
// active customer cancels with a probability θ that is fixed for the
// customer and beta distributed (Alpha, Beta) across customers, so the
// cohort's retention rate rises over time as the likely cancellers leave.
//
// Periods are counted from the start of the contract: S(0) = 1, and
// S(t) is the share of the cohort still active after t periods. An SBG is a
// plain value, safe for concurrent use.
type SBG struct {
	// Alpha and Beta are the parameters of the beta distribution of
	// cancellation probabilities.
	Alpha, Beta float64
	// LogLikelihood is the maximised log-likelihood of the fitted counts;
	// zero for a model built by hand.
	LogLikelihood float64
}

var sbgParamNames = []string{"alpha", "beta"}

// FitSBG fits an sBG model by maximum likelihood to one cohort's survival
// curve: alive[0] is the cohort size at the start and alive[t] the number
// still active after t periods. Counts may also be shares (1, 0.869, …):
// the estimate does not change when every count is scaled, only the
// log-likelihood does. The curve must hold at least two points, start
// positive, never increase and lose someone. Errors are as for FitBGNBD.
func FitSBG(alive []float64, opts *FitOptions) (SBG, error) {
	const op = "scoring.FitSBG"
	s, err := optResolve(op, opts, sbgParamNames)
	if err != nil {
		return SBG{}, err
	}
	if err := sbgCheck(op, alive); err != nil {
		return SBG{}, err
	}
	start := s.start
	if start == nil {
		start = []float64{1, 1}
	}
	obj := &sbgObjective{alive: alive}
	res, err := optFit(op, obj.eval, true, []float64{math.Log(start[0]), math.Log(start[1])}, s, obj)
	m := SBG{Alpha: math.Exp(res.theta[0]), Beta: math.Exp(res.theta[1])}
	m.LogLikelihood = -res.f * alive[0]
	return m, err
}

// sbgCheck validates a survival curve.
func sbgCheck(op string, alive []float64) error {
	var v crm.Validator
	if v.Check(len(alive) >= 2, "alive", "must hold at least two periods") {
		for i, n := range alive {
			path := "alive[" + strconv.Itoa(i) + "]"
			if !v.Check(!math.IsNaN(n) && !math.IsInf(n, 0) && n >= 0, path, "must be finite and not negative") {
				continue
			}
			if i == 0 {
				v.Check(n > 0, path, "must be positive")
			} else if !math.IsNaN(alive[i-1]) {
				v.Check(n <= alive[i-1], path, "must not exceed the previous count")
			}
		}
		v.Check(alive[len(alive)-1] < alive[0], "alive", "must lose at least one customer")
	}
	return v.Err(op)
}

// sbgObjective is the mean negative log-likelihood of a survival curve:
// Σ_t lost(t) ln P(T=t) + alive(last) ln S(last), per initial customer.
type sbgObjective struct {
	alive []float64
	shift float64
}

// setShift implements optShifter.
func (o *sbgObjective) setShift(shift float64) { o.shift = shift }

// eval implements optObjective with
//
//	ln P(T=t) = ln B(α+1, β+t−1) − ln B(α, β)
//	ln S(t)   = ln B(α, β+t) − ln B(α, β).
func (o *sbgObjective) eval(theta, grad []float64) float64 {
	a, b := math.Exp(theta[0]), math.Exp(theta[1])
	if !bgValid(a, b, 1, 1) {
		return math.Inf(1)
	}
	n0 := o.alive[0]
	lb := spLogBeta(a, b)
	var psiA, psiB, psiAB float64
	if grad != nil {
		psiA, psiB, psiAB = spDigamma(a), spDigamma(b), spDigamma(a+b)
	}
	var ll spSum
	ll.add(o.shift * n0)
	var ga, gb float64
	last := len(o.alive) - 1
	for t := 1; t <= last; t++ {
		ft := float64(t)
		if lost := o.alive[t-1] - o.alive[t]; lost > 0 {
			ll.add(lost * (spLogBeta(a+1, b+ft-1) - lb))
			if grad != nil {
				ps := spDigamma(a + b + ft)
				ga += lost * (spDigamma(a+1) - ps - psiA + psiAB)
				gb += lost * (spDigamma(b+ft-1) - ps - psiB + psiAB)
			}
		}
	}
	if n := o.alive[last]; n > 0 {
		ft := float64(last)
		ll.add(n * (spLogBeta(a, b+ft) - lb))
		if grad != nil {
			ps := spDigamma(a + b + ft)
			ga += n * (psiAB - ps)
			gb += n * (spDigamma(b+ft) - ps - psiB + psiAB)
		}
	}
	if grad != nil {
		grad[0] = -a * ga / n0
		grad[1] = -b * gb / n0
	}
	v := -ll.value() / n0
	if !optFinite(v) {
		return math.Inf(1)
	}
	return v
}

// Validate reports whether both parameters are positive and finite.
func (m SBG) Validate() error {
	var v crm.Validator
	for i, p := range [...]float64{m.Alpha, m.Beta} {
		v.Check(p > 0 && !math.IsInf(p, 1), sbgParamNames[i], "must be positive and finite")
	}
	return v.Err("scoring.SBG")
}

func (m SBG) check(op string) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// logSurvival is ln S(t) = ln B(α, β+t) − ln B(α, β).
func (m SBG) logSurvival(t int) float64 {
	ft := float64(t)
	return spLgamma(m.Beta+ft) - spLgamma(m.Alpha+m.Beta+ft) - spLgamma(m.Beta) + spLgamma(m.Alpha+m.Beta)
}

// Survival returns S(t), the probability that a customer is still active
// after t ≥ 0 periods.
func (m SBG) Survival(t int) (float64, error) {
	const op = "scoring.SBG.Survival"
	if err := m.check(op); err != nil {
		return 0, err
	}
	if t < 0 {
		return 0, crm.Invalid(op, "t", "must not be negative")
	}
	return math.Exp(m.logSurvival(t)), nil
}

// ChurnProbability returns P(T = t), the probability that a customer
// cancels at the end of period t ≥ 1: S(t−1)·α/(α+β+t−1).
func (m SBG) ChurnProbability(t int) (float64, error) {
	const op = "scoring.SBG.ChurnProbability"
	if err := m.check(op); err != nil {
		return 0, err
	}
	if t < 1 {
		return 0, crm.Invalid(op, "t", "must be at least 1")
	}
	return math.Exp(m.logSurvival(t-1)) * m.Alpha / (m.Alpha + m.Beta + float64(t) - 1), nil
}

// RetentionRate returns r(t) = S(t)/S(t−1) = (β+t−1)/(α+β+t−1), the share
// of customers active after period t−1 who renew for period t (t ≥ 1). It
// rises with t.
func (m SBG) RetentionRate(t int) (float64, error) {
	const op = "scoring.SBG.RetentionRate"
	if err := m.check(op); err != nil {
		return 0, err
	}
	if t < 1 {
		return 0, crm.Invalid(op, "t", "must be at least 1")
	}
	ft := float64(t)
	return (m.Beta + ft - 1) / (m.Alpha + m.Beta + ft - 1), nil
}

// ProjectSurvivors returns n0·S(t) for t = 0..periods: the expected number
// of customers of a cohort of n0 still active after each period.
func (m SBG) ProjectSurvivors(n0 float64, periods int) ([]float64, error) {
	const op = "scoring.SBG.ProjectSurvivors"
	if err := m.check(op); err != nil {
		return nil, err
	}
	var v crm.Validator
	v.Check(n0 >= 0 && !math.IsInf(n0, 1), "n0", "must be finite and not negative")
	v.Check(periods >= 0 && periods <= 1_000_000, "periods", "must lie in [0, 1000000]")
	if err := v.Err(op); err != nil {
		return nil, err
	}
	out := make([]float64, periods+1)
	s := 1.0
	for t := range out {
		if t > 0 {
			ft := float64(t)
			s *= (m.Beta + ft - 1) / (m.Alpha + m.Beta + ft - 1)
		}
		out[t] = n0 * s
	}
	return out, nil
}

// ExpectedLifetime returns the expected number of periods a new customer
// stays, Σ_{t≥0} S(t) = (α+β−1)/(α−1). It is infinite, and an error, when
// Alpha ≤ 1: the long-staying customers then dominate the mean.
func (m SBG) ExpectedLifetime() (float64, error) {
	const op = "scoring.SBG.ExpectedLifetime"
	if err := m.check(op); err != nil {
		return 0, err
	}
	if !(m.Alpha > 1) {
		return 0, crm.Invalid(op, "alpha", "must exceed 1 for a finite expected lifetime")
	}
	return (m.Alpha + m.Beta - 1) / (m.Alpha - 1), nil
}

func sbgCheckRate(op string, d float64) error {
	if !(d > 0) || math.IsInf(d, 1) {
		return crm.Invalid(op, "d", "discount rate must be positive and finite")
	}
	return nil
}

// DEL returns the discounted expected lifetime of a new customer, in
// payments: Σ_{t≥0} S(t)/(1+d)^t = 2F1(1, β; α+β; 1/(1+d)), with one payment
// at the start of every period the customer is active and discount rate
// d > 0 per period (Fader and Hardie 2010, "Customer-Base Valuation in a
// Contractual Setting"). Multiply by the value of one payment for the
// customer's expected lifetime value.
func (m SBG) DEL(d float64) (float64, error) {
	const op = "scoring.SBG.DEL"
	if err := m.check(op); err != nil {
		return 0, err
	}
	if err := sbgCheckRate(op, d); err != nil {
		return 0, err
	}
	return spHyp1(m.Beta, m.Alpha+m.Beta, 1/(1+d)), nil
}

// DERL returns the discounted expected residual lifetime, in payments, of
// a customer who has made the given number of renewals (renewals ≥ 0: a
// customer in period n = renewals+1), valued just before the next renewal
// decision (Fader and Hardie 2010, eq. 6):
//
//	Σ_{t≥n} S(t)/S(n−1) / (1+d)^(t−n)
//	  = (β+n−1)/(α+β+n−1) · 2F1(1, β+n; α+β+n; 1/(1+d)).
func (m SBG) DERL(d float64, renewals int) (float64, error) {
	const op = "scoring.SBG.DERL"
	if err := m.check(op); err != nil {
		return 0, err
	}
	if err := sbgCheckRate(op, d); err != nil {
		return 0, err
	}
	if renewals < 0 {
		return 0, crm.Invalid(op, "renewals", "must not be negative")
	}
	n := float64(renewals) + 1
	return (m.Beta + n - 1) / (m.Alpha + m.Beta + n - 1) * spHyp1(m.Beta+n, m.Alpha+m.Beta+n, 1/(1+d)), nil
}
