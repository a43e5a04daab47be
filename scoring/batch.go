package scoring

import (
	"fmt"
	"math"
	"strconv"

	"github.com/crmkit/crm"
)

// Quantity is a set of the quantities PredictBatch computes, combined with
// |. Unknown bits are refused.
type Quantity uint8

// The quantities PredictBatch can compute.
const (
	// QuantityPAlive is the probability that a customer is still active at
	// the end of the calibration period.
	QuantityPAlive Quantity = 1 << iota
	// QuantityExpectedPurchases is the expected number of purchases in each
	// horizon after the calibration period.
	QuantityExpectedPurchases
	// QuantityPNoPurchase is the probability of no purchase in each
	// horizon after the calibration period.
	QuantityPNoPurchase

	quantityAll = QuantityPAlive | QuantityExpectedPurchases | QuantityPNoPurchase
)

// BatchOptions configures PredictBatch.
type BatchOptions struct {
	// Horizons are the windows, in the model's time unit, of
	// ExpectedPurchases and PNoPurchase; each must be finite and not
	// negative. They may be empty when only P(alive) is wanted, and hold at
	// most 1000. The results of a batch (customers × (2·horizons + 1))
	// must not exceed 2^27 values.
	Horizons []float64
	// Want selects what is computed; zero means every quantity. A quantity
	// not asked for is not computed and its field in the result is nil.
	Want Quantity
}

// BatchPrediction holds the columns PredictBatch computed, customers in
// the order of the input.
type BatchPrediction struct {
	// Horizons is a copy of BatchOptions.Horizons.
	Horizons []float64
	// PAlive[i] is customer i's probability of being active; nil unless
	// asked for.
	PAlive []float64
	// ExpectedPurchases[h][i] is customer i's expected number of
	// purchases in Horizons[h]; nil unless asked for.
	ExpectedPurchases [][]float64
	// PNoPurchase[h][i] is customer i's probability of no purchase in
	// Horizons[h]; nil unless asked for.
	PNoPurchase [][]float64
}

// PredictBatch computes, for every customer of data, the quantities opts
// asks for over several horizons at once, as columns. Only what is asked is
// computed: P(alive) alone costs one logarithm and one exponential per
// BG/NBD customer, and the horizon-dependent part of a prediction is
// computed once per distinct (X, T) and horizon. Models other than BGNBD
// and ParetoNBD are called one customer at a time. Any invalid input
// returns an error and no predictions.
func PredictBatch(m PurchaseModel, data []CustomerSummary, opts BatchOptions) (BatchPrediction, error) {
	const op = "scoring.PredictBatch"
	var v crm.Validator
	v.Check(m != nil, "model", "must not be nil")
	v.Check(opts.Want&^quantityAll == 0, "opts.want", "holds unknown quantities")
	if v.Check(len(opts.Horizons) <= batchMaxHorizons, "opts.horizons", "must not hold more than 1000 horizons") {
		for i, h := range opts.Horizons {
			v.Check(optFinite(h) && h >= 0, "opts.horizons["+strconv.Itoa(i)+"]", "must be finite and not negative")
		}
	}
	v.Check(len(data) <= batchMaxValues/max(1, 2*len(opts.Horizons)+1), "data", "with the horizons, must not need more than 2^27 results (1 GiB)")
	if err := v.Err(op); err != nil {
		return BatchPrediction{}, err
	}
	want := opts.Want
	if want == 0 {
		want = quantityAll
	}
	if err := batchValidate(op, data); err != nil {
		return BatchPrediction{}, err
	}
	nh := len(opts.Horizons)
	out := BatchPrediction{Horizons: append([]float64(nil), opts.Horizons...)}
	n := len(data)
	pa := make([]float64, n)
	if want&QuantityPAlive != 0 {
		out.PAlive = pa
	}
	if want&QuantityExpectedPurchases != 0 {
		out.ExpectedPurchases = batchColumns(nh, n)
	}
	if want&QuantityPNoPurchase != 0 {
		out.PNoPurchase = batchColumns(nh, n)
	}
	fast, ok := m.(predAliveModel)
	if !ok {
		if err := batchGeneric(m, data, out, pa); err != nil {
			return BatchPrediction{}, fmt.Errorf("%s: %w", op, err)
		}
		return out, nil
	}
	if err := fast.Validate(); err != nil {
		return BatchPrediction{}, fmt.Errorf("%s: %w", op, err)
	}
	longest := 0.0
	for _, h := range opts.Horizons {
		longest = math.Max(longest, h)
	}
	horizonWork := out.ExpectedPurchases != nil || out.PNoPurchase != nil
	// Per distinct (x, T): its index into the shared terms.
	type key struct {
		x int
		t float64
	}
	idx := make(map[key]int32)
	var terms []predTerm
	var expected, none []float64 // [group*nh + h]
	costly := fast.txTermCostly()
	txCache := make(map[key]float64)
	for i := range data {
		c := &data[i]
		k := key{c.X, c.T}
		g, ok := idx[k]
		if !ok {
			if horizonWork {
				if err := fast.checkHorizon(op, "opts.horizons", c.X, c.T, longest); err != nil {
					return BatchPrediction{}, err
				}
			}
			g = int32(len(terms))
			idx[k] = g
			terms = append(terms, fast.tTerm(c.X, c.T))
			for _, h := range opts.Horizons {
				if out.ExpectedPurchases != nil {
					expected = append(expected, fast.aliveExpected(c.X, c.T, h))
				}
				if out.PNoPurchase != nil {
					none = append(none, fast.aliveNoPurchase(c.X, c.T, h))
				}
			}
		}
		var txt float64
		if costly {
			kx := key{c.X, c.TX}
			var ok bool
			if txt, ok = txCache[kx]; !ok {
				txt = fast.txTerm(c.X, c.TX)
				txCache[kx] = txt
			}
		} else if c.X > 0 {
			txt = fast.txTerm(c.X, c.TX)
		}
		p := fast.pAliveFrom(c.X, c.TX, c.T, terms[g], txt)
		pa[i] = p
		base := int(g) * nh
		for h := range nh {
			if out.ExpectedPurchases != nil {
				out.ExpectedPurchases[h][i] = p * expected[base+h]
			}
			if out.PNoPurchase != nil {
				out.PNoPurchase[h][i] = predClamp01(1 - p + p*none[base+h])
			}
		}
	}
	return out, nil
}

// Bounds on the size of a batch.
const (
	batchMaxHorizons = 1000
	batchMaxValues   = 1 << 27
)

// batchColumns allocates nh columns of n values in one block.
func batchColumns(nh, n int) [][]float64 {
	block := make([]float64, nh*n)
	cols := make([][]float64, nh)
	for h := range cols {
		cols[h] = block[h*n : (h+1)*n : (h+1)*n]
	}
	return cols
}

// batchValidate checks data with a fast test per record, falling back to
// validateSummaries (which lists every problem) when one fails.
func batchValidate(op string, data []CustomerSummary) error {
	if len(data) == 0 {
		return validateSummaries(op, data)
	}
	for i := range data {
		c := &data[i]
		ok := c.X >= 0 && c.T >= 0 && c.TX >= 0 && c.TX <= c.T && !math.IsInf(c.T, 1) &&
			(c.X > 0) == (c.TX > 0) && c.MeanValue >= 0 && !math.IsInf(c.MeanValue, 1)
		if !ok {
			return validateSummaries(op, data)
		}
	}
	return nil
}

// batchGeneric fills out through the PurchaseModel methods, one customer
// and horizon at a time.
func batchGeneric(m PurchaseModel, data []CustomerSummary, out BatchPrediction, pa []float64) error {
	for i, c := range data {
		if out.PAlive != nil {
			p, err := m.PAlive(c)
			if err != nil {
				return err
			}
			if !optFinite(p) {
				return fmt.Errorf("customer %d: the model returned a non-finite P(alive): %w", i, crm.ErrInvalid)
			}
			pa[i] = p
		}
		for h, t := range out.Horizons {
			if out.ExpectedPurchases != nil {
				e, err := m.ConditionalExpectedPurchases(t, c)
				if err != nil {
					return err
				}
				if !optFinite(e) {
					return fmt.Errorf("customer %d: the model returned a non-finite expectation: %w", i, crm.ErrInvalid)
				}
				out.ExpectedPurchases[h][i] = e
			}
			if out.PNoPurchase != nil {
				q, err := m.PNoPurchase(t, c)
				if err != nil {
					return err
				}
				if !optFinite(q) {
					return fmt.Errorf("customer %d: the model returned a non-finite probability: %w", i, crm.ErrInvalid)
				}
				out.PNoPurchase[h][i] = q
			}
		}
	}
	return nil
}
