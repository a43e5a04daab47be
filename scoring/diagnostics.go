package scoring

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/crmkit/crm"
)

// CountRow is one bucket of a frequency table: customers with N repeat
// purchases (N or more in the last bucket).
type CountRow struct {
	// N is the number of repeat purchases of the bucket.
	N int
	// OrMore marks the last bucket, which counts N or more.
	OrMore bool
	// Actual is the number of customers observed in the bucket.
	Actual float64
	// Expected is the number the model expects: Σ_i P(X(T_i) = N) over the
	// customers.
	Expected float64
}

// GoodnessOfFit compares a model's distribution of repeat purchases with
// the data it was fitted to: the "period transactions" diagnostic.
type GoodnessOfFit struct {
	// Rows holds the buckets 0..MaxN, the last one "MaxN or more".
	Rows []CountRow
	// ChiSquare is Pearson's statistic Σ (actual − expected)²/expected
	// over the buckets with a positive expectation.
	ChiSquare float64
	// DegreesOfFreedom is the number of such buckets minus one minus the
	// model's four parameters (at least one).
	DegreesOfFreedom int
	// PValue is P(χ² ≥ ChiSquare) for that many degrees of freedom; small
	// values say the model does not reproduce the frequencies.
	PValue float64
}

// PeriodTransactions compares the number of customers with 0, 1, ...,
// maxN or more repeat purchases in data with what model m expects for
// customers of the same ages, and tests the difference with Pearson's
// chi-square. maxN must lie in [1, 1000].
func PeriodTransactions(m CountModel, data []CustomerSummary, maxN int) (GoodnessOfFit, error) {
	const op = "scoring.PeriodTransactions"
	if m == nil {
		return GoodnessOfFit{}, crm.Invalid(op, "model", "must not be nil")
	}
	if maxN < 1 || maxN > 1000 {
		return GoodnessOfFit{}, crm.Invalid(op, "max_n", "must lie in [1, 1000]")
	}
	if err := validateSummaries(op, data); err != nil {
		return GoodnessOfFit{}, err
	}
	g := GoodnessOfFit{Rows: make([]CountRow, maxN+1)}
	for n := range g.Rows {
		g.Rows[n].N = n
	}
	g.Rows[maxN].OrMore = true
	// Customers of equal age share a distribution: count them, then
	// compute the distributions of distinct ages in bounded chunks.
	weight := make(map[float64]float64)
	var ts []float64
	for _, c := range data {
		g.Rows[min(c.X, maxN)].Actual++
		if weight[c.T] == 0 {
			ts = append(ts, c.T)
		}
		weight[c.T]++
	}
	chunk := max(1, 1_000_000/(maxN+1))
	for lo := 0; lo < len(ts); lo += chunk {
		part := ts[lo:min(len(ts), lo+chunk)]
		dist, err := PurchaseCountDistribution(m, part, maxN, nil)
		if err != nil {
			return GoodnessOfFit{}, fmt.Errorf("%s: %w", op, err)
		}
		for i, t := range part {
			w := weight[t]
			row := dist.Row(i)
			below := 0.0
			for n := range maxN {
				g.Rows[n].Expected += w * row[n]
				below += row[n]
			}
			g.Rows[maxN].Expected += w * math.Max(0, 1-below)
		}
	}
	buckets := 0
	for _, r := range g.Rows {
		if r.Expected > 0 {
			d := r.Actual - r.Expected
			g.ChiSquare += d * d / r.Expected
			buckets++
		}
	}
	g.DegreesOfFreedom = max(1, buckets-1-4)
	g.PValue = diagGammaQ(float64(g.DegreesOfFreedom)/2, g.ChiSquare/2)
	return g, nil
}

// diagGammaQ is the regularised upper incomplete gamma function Q(a, x):
// a series for x < a+1, Lentz's continued fraction otherwise.
func diagGammaQ(a, x float64) float64 {
	if x <= 0 {
		return 1
	}
	lpre := a*math.Log(x) - x - spLgamma(a)
	if x < a+1 {
		sum, term := 1/a, 1/a
		for n := 1; n < 10000; n++ {
			term *= x / (a + float64(n))
			sum += term
			if term < sum*1e-16 {
				break
			}
		}
		return predClamp01(1 - sum*math.Exp(lpre))
	}
	const tiny = 1e-300
	b := x + 1 - a
	c, d := 1/tiny, 1/b
	h := d
	for i := 1; i < 10000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		delta := d * c
		h *= delta
		if math.Abs(delta-1) < 1e-16 {
			break
		}
	}
	return predClamp01(math.Exp(lpre) * h)
}

// HoldoutRow is one frequency bucket of a calibration-versus-holdout
// comparison.
type HoldoutRow struct {
	// X is the number of repeat purchases in the calibration period (X or
	// more in the last bucket).
	X int
	// OrMore marks the last bucket.
	OrMore bool
	// Customers is the number of customers in the bucket.
	Customers int
	// Actual is their mean number of purchases in the holdout period.
	Actual float64
	// Predicted is the mean the model predicts for them, conditional on
	// each customer's calibration history.
	Predicted float64
}

// CalibrationVsHoldout groups the customers of cal by their calibration
// frequency (0..maxX, the last bucket "maxX or more") and compares their
// mean holdout purchases hold[i].X with the model's conditional
// expectation over the holdout duration, the standard validation of the
// literature. cal and hold are as CalibrationHoldout returns them: the
// same customers in the same order. maxX must lie in [1, 1000].
func CalibrationVsHoldout(m PurchaseModel, cal []CustomerSummary, hold []HoldoutSummary, maxX int) ([]HoldoutRow, error) {
	const op = "scoring.CalibrationVsHoldout"
	var v crm.Validator
	v.Check(m != nil, "model", "must not be nil")
	v.Check(maxX >= 1 && maxX <= 1000, "max_x", "must lie in [1, 1000]")
	v.Check(len(hold) == len(cal), "hold", "must hold one record per calibration customer")
	if err := v.Err(op); err != nil {
		return nil, err
	}
	if err := validateSummaries(op, cal); err != nil {
		return nil, err
	}
	duration := hold[0].Duration
	for i, h := range hold {
		p := "hold[" + strconv.Itoa(i) + "]"
		v.Check(h.ID == cal[i].ID, p+".id", "must match cal["+strconv.Itoa(i)+"].id")
		v.Check(h.X >= 0, p+".x", "must not be negative")
		v.Check(h.Duration == duration && optFinite(duration) && duration >= 0, p+".duration", "must be the same finite, non-negative duration for every customer")
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	pred, err := PredictBatch(m, cal, BatchOptions{Horizons: []float64{duration}, Want: QuantityExpectedPurchases})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows := make([]HoldoutRow, maxX+1)
	for x := range rows {
		rows[x].X = x
	}
	rows[maxX].OrMore = true
	for i, c := range cal {
		r := &rows[min(c.X, maxX)]
		r.Customers++
		r.Actual += float64(hold[i].X)
		r.Predicted += pred.ExpectedPurchases[0][i]
	}
	for i := range rows {
		if n := rows[i].Customers; n > 0 {
			rows[i].Actual /= float64(n)
			rows[i].Predicted /= float64(n)
		}
	}
	return rows, nil
}

// TrackingPoint is one period of a cumulative tracking comparison.
type TrackingPoint struct {
	// Time is the end of the period, in the summary's unit since the first
	// day of the data.
	Time float64
	// At is the last calendar day of the period.
	At time.Time
	// Actual and Expected are the repeat purchases in the period.
	Actual, Expected float64
	// CumulativeActual and CumulativeExpected are the repeat purchases up
	// to and including the period.
	CumulativeActual, CumulativeExpected float64
}

// Tracking is the repeat purchases of a cohort over time, actual against
// the model: the literature's cumulative tracking plot.
type Tracking struct {
	// Points holds one point per period, from the first day of the data to
	// end.
	Points []TrackingPoint
	// CalibrationEnd is the end of the calibration period, in the same
	// unit as TrackingPoint.Time.
	CalibrationEnd float64
	// Customers is the size of the cohort: customers whose first purchase
	// is on or before calEnd's day.
	Customers int
}

// ExpectingModel is a purchase model that gives E[X(t)], the expected
// number of repeat purchases in (0, t] of a customer just acquired.
// BGNBD and ParetoNBD implement it.
type ExpectingModel interface {
	ExpectedPurchases(t float64) (float64, error)
}

// TrackRepeatPurchases compares, period by period from the first day of
// txs to end's day, the repeat purchases of the customers acquired on or
// before calEnd's day with Σ_i E[X(t − birth_i)] under model m. Purchases
// are merged by day and time counted in days converted to opts.Unit, as in
// CalibrationHoldout; period is the length of a period in that unit
// (zero means 1). end's day must not be before calEnd's.
func TrackRepeatPurchases(m ExpectingModel, txs []Transaction, calEnd, end time.Time, period float64, opts *CalibrationOptions) (Tracking, error) {
	const op = "scoring.TrackRepeatPurchases"
	unitDays, loc, err := calResolve(op, opts)
	if err != nil {
		return Tracking{}, err
	}
	if period == 0 {
		period = 1
	}
	var v crm.Validator
	v.Check(m != nil, "model", "must not be nil")
	v.Check(!calEnd.IsZero(), "cal_end", "must be set")
	v.Check(!end.IsZero(), "end", "must be set")
	v.Check(optFinite(period) && period > 0, "period", "must be finite and positive")
	if err := v.Err(op); err != nil {
		return Tracking{}, err
	}
	calDayEnd, endDay := calDay(calEnd, loc), calDay(end, loc)
	if endDay < calDayEnd {
		return Tracking{}, crm.Invalid(op, "end", "must not be before cal_end")
	}
	customers, err := calGroup(op, txs, endDay, loc, opts)
	if err != nil {
		return Tracking{}, err
	}
	// Births and repeat days of the cohort.
	births := make(map[int64]int) // birth day -> customers
	var repeats []int64
	first := int64(math.MaxInt64)
	for _, c := range customers {
		birth := int64(math.MaxInt64)
		for d := range c.days {
			birth = min(birth, d)
		}
		if birth > calDayEnd {
			continue
		}
		births[birth]++
		first = min(first, birth)
		for d := range c.days {
			if d != birth {
				repeats = append(repeats, d)
			}
		}
	}
	if len(births) == 0 {
		return Tracking{}, crm.Invalid(op, "txs", "must hold a customer acquired on or before cal_end")
	}
	periodDays := period * unitDays
	periods := math.Ceil(float64(endDay-first+1) / periodDays)
	if !(periods <= 100_000) {
		return Tracking{}, crm.Invalid(op, "period", "gives more than 100,000 periods")
	}
	nPeriods := int(periods)
	tr := Tracking{Points: make([]TrackingPoint, nPeriods), CalibrationEnd: float64(calDayEnd-first+1) / unitDays}
	for _, n := range births {
		tr.Customers += n
	}
	for _, d := range repeats {
		k := min(nPeriods-1, int(float64(d-first)/periodDays))
		tr.Points[k].Actual++
	}
	// Birth days in order, so the sums are reproducible.
	days := slices.Sorted(maps.Keys(births))
	// Ages repeat across periods and birth days: each is computed once.
	cache := make(map[float64]float64)
	for k := range tr.Points {
		p := &tr.Points[k]
		// The period ends after day first + (k+1)·periodDays − 1, the last
		// whole day in it (the last period ends on end's day).
		span := min(float64(endDay-first+1), float64(k+1)*periodDays)
		p.Time = span / unitDays
		p.At = time.Unix((first+int64(math.Ceil(span))-1)*86400, 0).UTC()
		for _, birth := range days {
			n := births[birth]
			// Time since birth at the end of the period's last day.
			age := (span - float64(birth-first+1)) / unitDays
			if age <= 0 {
				continue
			}
			e, ok := cache[age]
			if !ok {
				var err error
				if e, err = m.ExpectedPurchases(age); err != nil {
					return Tracking{}, fmt.Errorf("%s: %w", op, err)
				}
				cache[age] = e
			}
			p.CumulativeExpected += float64(n) * e
		}
	}
	var cum, prev float64
	for k := range tr.Points {
		p := &tr.Points[k]
		cum += p.Actual
		p.CumulativeActual = cum
		p.Expected = p.CumulativeExpected - prev
		prev = p.CumulativeExpected
	}
	return tr, nil
}

// FrequencyRecencyMatrix holds a model's predictions over a grid of
// customer histories of one age T: rows are frequencies 0..MaxX, columns
// recency cells.
type FrequencyRecencyMatrix struct {
	// T is the customers' age and Horizon the window of Expected.
	T, Horizon float64
	// Frequencies are the rows' repeat purchase counts, 0..MaxX.
	Frequencies []int
	// Recencies are the columns' recency values: the centres of equal
	// cells of (0, T].
	Recencies []float64
	// PAlive[x][j] is P(alive) of a customer with x repeat purchases, the
	// last at Recencies[j] (for x = 0, recency is 0 and the row constant).
	PAlive [][]float64
	// Expected[x][j] is the expected number of purchases in Horizon.
	Expected [][]float64
}

// FrequencyRecency computes P(alive) and the expected purchases in horizon
// for every frequency 0..maxX and cells recency cells of (0, T]: the
// matrices the literature plots as heat maps. maxX must lie in [1, 1000],
// cells in [1, 1000].
func FrequencyRecency(m PurchaseModel, T float64, maxX, cells int, horizon float64) (FrequencyRecencyMatrix, error) {
	const op = "scoring.FrequencyRecency"
	var v crm.Validator
	v.Check(m != nil, "model", "must not be nil")
	v.Check(optFinite(T) && T > 0, "t", "must be finite and positive")
	v.Check(maxX >= 1 && maxX <= 1000, "max_x", "must lie in [1, 1000]")
	v.Check(cells >= 1 && cells <= 1000, "cells", "must lie in [1, 1000]")
	if err := v.Err(op); err != nil {
		return FrequencyRecencyMatrix{}, err
	}
	fr := FrequencyRecencyMatrix{T: T, Horizon: horizon, Recencies: make([]float64, cells)}
	for j := range fr.Recencies {
		fr.Recencies[j] = (float64(j) + 0.5) * T / float64(cells)
	}
	grid := make([]CustomerSummary, 0, (maxX+1)*cells)
	for x := 0; x <= maxX; x++ {
		fr.Frequencies = append(fr.Frequencies, x)
		for _, r := range fr.Recencies {
			c := CustomerSummary{X: x, TX: r, T: T}
			if x == 0 {
				c.TX = 0
			}
			grid = append(grid, c)
		}
	}
	pred, err := PredictBatch(m, grid, BatchOptions{Horizons: []float64{horizon}, Want: QuantityPAlive | QuantityExpectedPurchases})
	if err != nil {
		return FrequencyRecencyMatrix{}, fmt.Errorf("%s: %w", op, err)
	}
	for x := 0; x <= maxX; x++ {
		lo, hi := x*cells, (x+1)*cells
		fr.PAlive = append(fr.PAlive, pred.PAlive[lo:hi:hi])
		fr.Expected = append(fr.Expected, pred.ExpectedPurchases[0][lo:hi:hi])
	}
	return fr, nil
}
