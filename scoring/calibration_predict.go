package scoring

import (
	"fmt"
	"math"
	"strconv"

	"github.com/crmkit/crm"
)

// PurchaseModel is a fitted model of repeat purchasing in a non-contractual
// setting, such as BGNBD and ParetoNBD. Times are in the unit of the
// summaries the model was fitted to.
type PurchaseModel interface {
	// PAlive returns the probability that the customer is still active at
	// the end of the calibration period.
	PAlive(c CustomerSummary) (float64, error)
	// ConditionalExpectedPurchases returns the expected number of
	// purchases in the t time units after the calibration period.
	ConditionalExpectedPurchases(t float64, c CustomerSummary) (float64, error)
	// PNoPurchase returns the probability of no purchase in the tau time
	// units after the calibration period.
	PNoPurchase(tau float64, c CustomerSummary) (float64, error)
}

// predAliveModel is the fast path of the built-in models: every prediction
// factors into P(alive) times a quantity that depends on the history only
// through (x, T), so it is computed once per distinct (x, T).
type predAliveModel interface {
	Validate() error
	checkHorizon(op, name string, x int, T, t float64) error
	pAlive(x int, tx, T float64) float64
	// P(alive) splits into a part that depends on (x, T), one that depends
	// on (x, tx), and a cheap combination.
	tTerm(x int, T float64) predTerm
	txTerm(x int, tx float64) float64
	pAliveFrom(x int, tx, T float64, tt predTerm, txt float64) float64
	// txTermCostly reports whether txTerm is worth caching per (x, tx).
	txTermCostly() bool
	aliveExpected(x int, T, t float64) float64
	aliveNoPurchase(x int, T, tau float64) float64
}

// predTerm holds the (x, T) part of P(alive); its meaning is the model's.
type predTerm struct{ a, b, c float64 }

var (
	_ predAliveModel = BGNBD{}
	_ predAliveModel = ParetoNBD{}
	_ PurchaseModel  = BGNBD{}
	_ PurchaseModel  = ParetoNBD{}
)

// CLVHorizon sets how PredictCLV and PredictCustomers value future
// purchases: Periods periods of PeriodLength time units each, the purchases
// expected in period i discounted by (1+DiscountRate)^i (end of period).
type CLVHorizon struct {
	// Periods is the number of future periods; it must lie in [1, 10000].
	Periods int
	// PeriodLength is the length of one period in the model's time unit
	// (for a model in weeks, 52.0/12 for months); zero means 1.
	PeriodLength float64
	// DiscountRate is the discount rate per period; it must be finite and
	// not negative.
	DiscountRate float64
}

// resolve validates h and applies defaults.
func (h CLVHorizon) resolve(op, path string) (CLVHorizon, error) {
	var v crm.Validator
	v.Check(h.Periods >= 1 && h.Periods <= 10000, path+"periods", "must lie in [1, 10000]")
	if v.Check(optFinite(h.PeriodLength) && h.PeriodLength >= 0, path+"period_length", "must be finite and not negative") && h.PeriodLength == 0 {
		h.PeriodLength = 1
	}
	v.Check(optFinite(h.DiscountRate) && h.DiscountRate >= 0, path+"discount_rate", "must be finite and not negative")
	return h, v.Err(op)
}

// predDiscounted returns Σ_{i=1..P} [E(iL) − E((i−1)L)]/(1+d)^i for a
// cumulative expectation E.
func predDiscounted(h CLVHorizon, expected func(t float64) (float64, error)) (float64, error) {
	var sum, prev float64
	disc := 1.0
	for i := 1; i <= h.Periods; i++ {
		e, err := expected(float64(i) * h.PeriodLength)
		if err != nil {
			return 0, err
		}
		disc /= 1 + h.DiscountRate
		sum += (e - prev) * disc
		prev = e
	}
	return sum, nil
}

// PredictCLV returns the discounted value of customer c's purchases over
// the horizon: spend per purchase times Σ_i ΔE_i/(1+d)^i, where ΔE_i is the
// number of purchases the model expects in period i. spend is typically
// GammaGamma.ConditionalExpectedSpend, possibly times a margin; it must be
// finite and not negative.
func PredictCLV(m PurchaseModel, c CustomerSummary, spend float64, h CLVHorizon) (float64, error) {
	const op = "scoring.PredictCLV"
	var v crm.Validator
	v.Check(m != nil, "model", "must not be nil")
	v.Check(optFinite(spend) && spend >= 0, "spend", "must be finite and not negative")
	if err := v.Err(op); err != nil {
		return 0, err
	}
	h, err := h.resolve(op, "horizon.")
	if err != nil {
		return 0, err
	}
	if fast, ok := m.(predAliveModel); ok {
		if err := fast.Validate(); err != nil {
			return 0, fmt.Errorf("%s: %w", op, err)
		}
		if err := calCheckSummary(op, c); err != nil {
			return 0, err
		}
		if err := fast.checkHorizon(op, "horizon", c.X, c.T, float64(h.Periods)*h.PeriodLength); err != nil {
			return 0, err
		}
		sum, _ := predDiscounted(h, func(t float64) (float64, error) { return fast.aliveExpected(c.X, c.T, t), nil })
		return spend * fast.pAlive(c.X, c.TX, c.T) * sum, nil
	}
	sum, err := predDiscounted(h, func(t float64) (float64, error) { return m.ConditionalExpectedPurchases(t, c) })
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	return spend * sum, nil
}

// PredictOptions configures PredictCustomers.
type PredictOptions struct {
	// Horizon is the window, in the model's time unit, of
	// ExpectedPurchases and PNoPurchase; it must be finite and not
	// negative.
	Horizon float64
	// CLV values the customers when CLV.Periods > 0; the zero value leaves
	// CustomerPrediction.CLV at zero.
	CLV CLVHorizon
}

// CustomerPrediction is what PredictCustomers forecasts for one customer.
type CustomerPrediction struct {
	// ID is the customer's ID from the summary.
	ID string
	// PAlive is the probability that the customer is still active.
	PAlive float64
	// ExpectedPurchases is the expected number of purchases in the
	// horizon.
	ExpectedPurchases float64
	// PNoPurchase is the probability of no purchase in the horizon.
	PNoPurchase float64
	// ExpectedSpend is the expected spend per purchase.
	ExpectedSpend float64
	// CLV is the discounted value of the expected purchases over the CLV
	// horizon, at ExpectedSpend each.
	CLV float64
}

// PredictCustomers forecasts every customer of data with model m, in the
// order of data. Expected spend comes from spend when it is not nil (its
// conditional expectation), otherwise from the customer's own MeanValue.
// For the built-in models the work that depends on the history only through
// (X, T) is shared between customers, so scoring large bases is fast. Any
// invalid input returns an error and no predictions. [PredictBatch] scores
// several horizons at once and computes only the quantities asked for.
func PredictCustomers(m PurchaseModel, spend *GammaGamma, data []CustomerSummary, opts PredictOptions) ([]CustomerPrediction, error) {
	const op = "scoring.PredictCustomers"
	var v crm.Validator
	v.Check(m != nil, "model", "must not be nil")
	v.Check(optFinite(opts.Horizon) && opts.Horizon >= 0, "opts.horizon", "must be finite and not negative")
	if err := v.Err(op); err != nil {
		return nil, err
	}
	withCLV := opts.CLV != (CLVHorizon{})
	h := opts.CLV
	if withCLV {
		var err error
		if h, err = h.resolve(op, "opts.clv."); err != nil {
			return nil, err
		}
	}
	if spend != nil {
		if err := spend.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := validateSummaries(op, data); err != nil {
		return nil, err
	}
	out := make([]CustomerPrediction, len(data))
	for i, c := range data {
		out[i].ID = c.ID
		out[i].ExpectedSpend = c.MeanValue
		if spend != nil {
			s, ok := spend.conditionalSpend(c.X, c.MeanValue)
			if !ok {
				return nil, crm.Invalid(op, "data["+strconv.Itoa(i)+"].x", "p·x + q must exceed 1 for a finite expected spend")
			}
			out[i].ExpectedSpend = s
		}
	}
	fast, ok := m.(predAliveModel)
	if !ok {
		if err := predGeneric(m, data, opts.Horizon, withCLV, h, out); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		return out, nil
	}
	if err := fast.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	type key struct {
		x int
		t float64
	}
	type shared struct {
		expected, none, clv float64
		term                predTerm
	}
	txCache := make(map[key]float64)
	costly := fast.txTermCostly()
	longest := opts.Horizon
	if withCLV {
		longest = math.Max(longest, float64(h.Periods)*h.PeriodLength)
	}
	cache := make(map[key]shared)
	for i, c := range data {
		k := key{c.X, c.T}
		sh, ok := cache[k]
		if !ok {
			if err := fast.checkHorizon(op, "opts.horizon", c.X, c.T, longest); err != nil {
				return nil, err
			}
			sh.term = fast.tTerm(c.X, c.T)
			sh.expected = fast.aliveExpected(c.X, c.T, opts.Horizon)
			sh.none = fast.aliveNoPurchase(c.X, c.T, opts.Horizon)
			if withCLV {
				sh.clv, _ = predDiscounted(h, func(t float64) (float64, error) { return fast.aliveExpected(c.X, c.T, t), nil })
			}
			cache[k] = sh
		}
		var txt float64
		if costly {
			kx := key{c.X, c.TX}
			var ok bool
			if txt, ok = txCache[kx]; !ok {
				txt = fast.txTerm(c.X, c.TX)
				txCache[kx] = txt
			}
		} else {
			txt = fast.txTerm(c.X, c.TX)
		}
		pa := fast.pAliveFrom(c.X, c.TX, c.T, sh.term, txt)
		p := &out[i]
		p.PAlive = pa
		p.ExpectedPurchases = pa * sh.expected
		p.PNoPurchase = predClamp01(1 - pa + pa*sh.none)
		p.CLV = p.ExpectedSpend * pa * sh.clv
	}
	return out, nil
}

// predGeneric fills out through the PurchaseModel methods, one customer at
// a time.
func predGeneric(m PurchaseModel, data []CustomerSummary, horizon float64, withCLV bool, h CLVHorizon, out []CustomerPrediction) error {
	for i, c := range data {
		p := &out[i]
		var err error
		if p.PAlive, err = m.PAlive(c); err != nil {
			return err
		}
		if p.ExpectedPurchases, err = m.ConditionalExpectedPurchases(horizon, c); err != nil {
			return err
		}
		if p.PNoPurchase, err = m.PNoPurchase(horizon, c); err != nil {
			return err
		}
		if withCLV {
			sum, err := predDiscounted(h, func(t float64) (float64, error) { return m.ConditionalExpectedPurchases(t, c) })
			if err != nil {
				return err
			}
			p.CLV = p.ExpectedSpend * sum
		}
		if !optFinite(p.PAlive + p.ExpectedPurchases + p.PNoPurchase + p.CLV) {
			return fmt.Errorf("customer %d: the model returned a non-finite value: %w", i, crm.ErrInvalid)
		}
	}
	return nil
}

// predClamp01 keeps rounding from pushing a probability outside [0, 1].
func predClamp01(p float64) float64 { return math.Min(1, math.Max(0, p)) }
