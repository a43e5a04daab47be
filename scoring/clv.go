package scoring

import (
	"fmt"
	"math"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// MaxCLVPeriods bounds CLVInput.Periods.
const MaxCLVPeriods = 1_000_000

// MarginTiming says when in each period the margin arrives.
type MarginTiming uint8

// Margin timings. The stored form is the name.
const (
	// MarginAtEnd: the margin of period t arrives at the end of period t
	// and is discounted by (1+d)^t. The customer is certainly active in
	// period 1.
	MarginAtEnd MarginTiming = iota + 1
	// MarginAtStart: the margin of period t arrives at its start, so the
	// first margin is received at acquisition, undiscounted.
	MarginAtStart
)

var marginTimings = enum.New[MarginTiming]("margin timing", "end", "start")

// ParseMarginTiming parses "end" or "start".
func ParseMarginTiming(s string) (MarginTiming, error) { return marginTimings.Parse(s) }

// String returns the timing's name.
func (m MarginTiming) String() string { return marginTimings.String(m) }

// Valid reports whether m is a known timing.
func (m MarginTiming) Valid() bool { return marginTimings.Valid(m) }

// MarshalText implements encoding.TextMarshaler.
func (m MarginTiming) MarshalText() ([]byte, error) { return marginTimings.Marshal(m) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *MarginTiming) UnmarshalText(b []byte) (err error) {
	*m, err = marginTimings.Parse(string(b))
	return err
}

// ProfitComponents breaks a customer's profit per period into the sources
// the loyalty literature names: base profit, profit from growth in
// purchases, cost savings of serving a known customer, profit from
// referrals, and the price premium a loyal customer pays. Their sum is the
// margin of [CLVInput].
type ProfitComponents struct {
	Base, Growth, CostSavings, Referrals, PricePremium float64
}

// Margin returns the sum of the components, refusing non-finite values and
// a sum beyond the float64 range.
func (p ProfitComponents) Margin() (float64, error) {
	var v crm.Validator
	for _, f := range []struct {
		path string
		x    float64
	}{{"base", p.Base}, {"growth", p.Growth}, {"cost_savings", p.CostSavings}, {"referrals", p.Referrals}, {"price_premium", p.PricePremium}} {
		v.Check(finiteVal(f.x), f.path, "must be a finite number")
	}
	if err := v.Err("scoring.ProfitComponents.Margin"); err != nil {
		return 0, err
	}
	m := p.Base + p.Growth + p.CostSavings + p.Referrals + p.PricePremium
	if !finiteVal(m) {
		return 0, crm.Invalid("scoring.ProfitComponents.Margin", "", "sum overflows float64")
	}
	return m, nil
}

// CLVInput describes a customer (or an average customer of a segment) for
// the simple customer lifetime value model: a margin per period that may
// grow, a constant retention rate, a discount rate and an acquisition cost.
type CLVInput struct {
	// Margin is the profit per period from an active customer in the
	// first period (finite; may be negative).
	Margin float64
	// MarginGrowth is the growth of the margin per period: the margin of
	// period t is Margin × (1+MarginGrowth)^(t−1). Greater than −1; 0
	// means a constant margin.
	MarginGrowth float64
	// Retention is the probability that a customer active in one period is
	// active in the next, in [0, 1].
	Retention float64
	// Discount is the discount rate per period, at least 0.
	Discount float64
	// AcquisitionCost is what winning the customer cost, at least 0; it is
	// paid at time 0 and subtracted from the value.
	AcquisitionCost float64
	// Periods is the horizon in periods, 1 to MaxCLVPeriods; 0 means no
	// horizon (the sum to infinity), which needs Retention < 1 and
	// Retention × (1+MarginGrowth) < 1+Discount to converge.
	Periods int
	// Timing says when margins arrive; 0 means MarginAtEnd.
	Timing MarginTiming
}

// CLVResult is the outcome of [SimpleCLV].
type CLVResult struct {
	// Value is the customer lifetime value: Gross − AcquisitionCost.
	Value float64
	// Gross is the present value of the expected margins.
	Gross float64
	// ExpectedPeriods is the expected number of active periods within the
	// horizon, undiscounted: Σ r^(t−1); 1/(1−r) without a horizon.
	ExpectedPeriods float64
}

// SimpleCLV computes customer lifetime value in closed form. With margin m,
// growth g, retention r, discount d and horizon T, the customer is active
// in period t with probability r^(t−1) and
//
//	MarginAtEnd:   Gross = Σ_{t=1..T} m (1+g)^(t−1) r^(t−1) / (1+d)^t
//	MarginAtStart: Gross = Σ_{t=1..T} m (1+g)^(t−1) r^(t−1) / (1+d)^(t−1)
//
// and Value = Gross − AcquisitionCost. Without a horizon and with g = 0,
// MarginAtEnd gives m / (1+d−r) and MarginAtStart m (1+d) / (1+d−r).
func SimpleCLV(in CLVInput) (CLVResult, error) {
	const op = "scoring.SimpleCLV"
	var v crm.Validator
	v.Check(finiteVal(in.Margin), "margin", "must be a finite number")
	if v.Check(finiteVal(in.MarginGrowth), "margin_growth", "must be a finite number") {
		v.Check(in.MarginGrowth > -1, "margin_growth", "must be greater than -1")
	}
	if v.Check(finiteVal(in.Retention), "retention", "must be a finite number") {
		v.Check(in.Retention >= 0 && in.Retention <= 1, "retention", "must be between 0 and 1")
	}
	if v.Check(finiteVal(in.Discount), "discount", "must be a finite number") {
		v.Check(in.Discount >= 0, "discount", "must not be negative")
	}
	if v.Check(finiteVal(in.AcquisitionCost), "acquisition_cost", "must be a finite number") {
		v.Check(in.AcquisitionCost >= 0, "acquisition_cost", "must not be negative")
	}
	v.Check(in.Periods >= 0 && in.Periods <= MaxCLVPeriods, "periods", "must be between 0 (no horizon) and MaxCLVPeriods")
	timing := in.Timing
	if timing == 0 {
		timing = MarginAtEnd
	}
	v.Check(timing.Valid(), "timing", "unknown margin timing")
	if err := v.Err(op); err != nil {
		return CLVResult{}, err
	}
	// q is the ratio of consecutive terms of the discounted sum.
	q := in.Retention * (1 + in.MarginGrowth) / (1 + in.Discount)
	var sum float64 // Σ_{t=1..T} q^(t−1)
	if in.Periods == 0 {
		if in.Retention == 1 {
			return CLVResult{}, crm.Invalid(op, "periods", "no horizon needs retention below 1, or the customer never leaves")
		}
		if q >= 1 {
			return CLVResult{}, crm.Invalid(op, "periods", "no horizon needs retention × (1+margin_growth) < 1+discount, or the sum is infinite")
		}
		sum = 1 / (1 - q)
	} else {
		sum = geometricSum(q, in.Periods)
	}
	first := in.Margin // value of the first period's margin at time 0
	if timing == MarginAtEnd {
		first /= 1 + in.Discount
	}
	res := CLVResult{}
	if first != 0 { // 0 × an overflowing sum is still 0
		res.Gross = first * sum
	}
	res.Value = res.Gross - in.AcquisitionCost
	if in.Periods == 0 {
		res.ExpectedPeriods = 1 / (1 - in.Retention)
	} else {
		res.ExpectedPeriods = geometricSum(in.Retention, in.Periods)
	}
	if !finiteVal(res.Gross) || !finiteVal(res.Value) {
		return CLVResult{}, crm.Invalid(op, "margin", "lifetime value overflows float64")
	}
	return res, nil
}

// geometricSum returns Σ_{t=0..n−1} q^t for q ≥ 0 and n ≥ 1.
func geometricSum(q float64, n int) float64 {
	if q == 1 {
		return float64(n)
	}
	// 1 − q^n computed as −expm1(n log q) keeps precision when q is close
	// to 1.
	if q == 0 {
		return 1
	}
	return -math.Expm1(float64(n)*math.Log(q)) / (1 - q)
}

// CompanyValue returns the value of a customer base: customer count ×
// value per customer, summed over the segments given (a segment being a
// count and a per-customer value such as a [CLVResult.Value]). It refuses
// negative counts, non-finite values and a sum beyond the float64 range.
func CompanyValue(segments ...CustomerBase) (float64, error) {
	const op = "scoring.CompanyValue"
	if len(segments) == 0 {
		return 0, crm.Invalid(op, "segments", "must not be empty")
	}
	var v crm.Validator
	total := 0.0
	for i, s := range segments {
		p := fmt.Sprintf("segments[%d]", i)
		okC := v.Check(s.Customers >= 0, p+".customers", "must not be negative")
		okV := v.Check(finiteVal(s.ValuePerCustomer), p+".value_per_customer", "must be a finite number")
		if okC && okV {
			total += float64(s.Customers) * s.ValuePerCustomer
		}
	}
	if err := v.Err(op); err != nil {
		return 0, err
	}
	if !finiteVal(total) {
		return 0, crm.Invalid(op, "segments", "company value overflows float64")
	}
	return total, nil
}

// CustomerBase is a number of customers of the same value.
type CustomerBase struct {
	Customers        int
	ValuePerCustomer float64
}

// CohortCurve is an empirical retention curve of one or more acquisition
// cohorts, from the number of their customers still active in each period.
type CohortCurve struct {
	// Survival[t] is the share of the cohort still active in period t;
	// Survival[0] is 1.
	Survival []float64
	// Retention[t] is the share of those active in period t who are still
	// active in period t+1: Survival[t+1] / Survival[t]. It has one entry
	// fewer than Survival.
	Retention []float64
}

// CohortRetention builds retention and survival curves from cohorts.
// cohorts[c][t] is the number of customers of cohort c active in period t
// after acquisition; cohorts[c][0] is the cohort's size. Cohorts may have
// different lengths (a younger cohort has been observed for fewer periods):
// the retention from t to t+1 pools every cohort observed in both periods,
//
//	Retention[t] = Σ_c cohorts[c][t+1] / Σ_c cohorts[c][t]   (cohorts with len > t+1)
//
// and Survival is the running product of Retention. The curve stops at the
// last period some cohort was observed in, or earlier when no customer of
// the cohorts observed is left (retention beyond that is undefined). It
// refuses no cohorts, an empty cohort, negative counts, a first period of
// 0 customers, and counts that rise over time.
func CohortRetention(cohorts [][]int) (CohortCurve, error) {
	const op = "scoring.CohortRetention"
	var v crm.Validator
	v.Check(len(cohorts) > 0, "cohorts", "must not be empty")
	longest := 0
	for c, counts := range cohorts {
		p := fmt.Sprintf("cohorts[%d]", c)
		if !v.Check(len(counts) > 0, p, "must not be empty") {
			continue
		}
		longest = max(longest, len(counts))
		v.Check(counts[0] > 0, p+"[0]", "cohort size must be positive")
		for t, n := range counts {
			if n < 0 {
				v.Addf(fmt.Sprintf("%s[%d]", p, t), "must not be negative")
				break
			}
			if t > 0 && n > counts[t-1] {
				v.Addf(fmt.Sprintf("%s[%d]", p, t), "must not exceed the count of the period before")
				break
			}
		}
	}
	if err := v.Err(op); err != nil {
		return CohortCurve{}, err
	}
	curve := CohortCurve{Survival: []float64{1}}
	s := 1.0
	for t := 0; t+1 < longest; t++ {
		var num, den float64
		for _, counts := range cohorts {
			if len(counts) > t+1 {
				num += float64(counts[t+1])
				den += float64(counts[t])
			}
		}
		if den == 0 {
			break
		}
		r := num / den
		s *= r
		curve.Retention = append(curve.Retention, r)
		curve.Survival = append(curve.Survival, s)
	}
	return curve, nil
}

// CurveCLV returns the lifetime value of a customer with an empirical
// survival curve (such as [CohortCurve].Survival, where survival[0] = 1):
//
//	Σ_t margin × survival[t] / (1+discount)^(t+1) − acquisitionCost
//
// with the margin of period t arriving at the end of the period. It refuses
// an empty curve, survival values outside [0, 1], a non-finite margin, a
// negative discount or acquisition cost, and results beyond float64.
func CurveCLV(survival []float64, margin, discount, acquisitionCost float64) (float64, error) {
	const op = "scoring.CurveCLV"
	var v crm.Validator
	v.Check(len(survival) > 0, "survival", "must not be empty")
	for t, s := range survival {
		if !finiteVal(s) || s < 0 || s > 1 {
			v.Addf(fmt.Sprintf("survival[%d]", t), "must be between 0 and 1")
			break
		}
	}
	v.Check(finiteVal(margin), "margin", "must be a finite number")
	if v.Check(finiteVal(discount), "discount", "must be a finite number") {
		v.Check(discount >= 0, "discount", "must not be negative")
	}
	if v.Check(finiteVal(acquisitionCost), "acquisition_cost", "must be a finite number") {
		v.Check(acquisitionCost >= 0, "acquisition_cost", "must not be negative")
	}
	if err := v.Err(op); err != nil {
		return 0, err
	}
	sum, f := 0.0, 1.0
	for _, s := range survival {
		f /= 1 + discount
		sum += s * f
	}
	out := margin*sum - acquisitionCost
	if !finiteVal(out) {
		return 0, crm.Invalid(op, "margin", "lifetime value overflows float64")
	}
	return out, nil
}
