package scoring

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// Transaction is one purchase by one customer: the raw input of the
// recency-frequency-monetary summaries and of the probabilistic models.
type Transaction struct {
	// CustomerID identifies the customer; it must not be empty.
	CustomerID string
	// At is when the purchase happened.
	At time.Time
	// Amount is the value of the purchase; it must be finite and not
	// negative.
	Amount float64
}

// CustomerSummary is the customer-by-sufficient-statistic record the
// probabilistic models work on, in the conventions of the literature: time
// is measured from the customer's first purchase, in a fixed unit (weeks
// for the published CDNOW figures), and only repeat purchases count.
type CustomerSummary struct {
	// ID identifies the customer; the models ignore it.
	ID string
	// X is the number of repeat purchases in the calibration period: all
	// purchases after the first, same-day purchases counted once.
	X int
	// TX (recency) is the time of the last repeat purchase, measured from
	// the first purchase; zero when X is zero.
	TX float64
	// T is the time from the first purchase to the end of the calibration
	// period.
	T float64
	// MeanValue is the mean value of the repeat purchases (zero when X is
	// zero); the Gamma-Gamma spend model uses it.
	MeanValue float64
}

// HoldoutSummary is what one calibration customer did in the holdout
// period that follows the calibration period.
type HoldoutSummary struct {
	// ID identifies the customer, as in the matching CustomerSummary.
	ID string
	// X is the number of purchases in the holdout period, same-day
	// purchases counted once.
	X int
	// Value is the total amount bought in the holdout period.
	Value float64
	// Duration is the length of the holdout period in the summary's unit;
	// it is the same for every customer.
	Duration float64
}

// CalibrationOptions configures SummarizeTransactions and
// CalibrationHoldout. A nil *CalibrationOptions and the zero value use the
// literature's conventions: weeks, days in UTC.
type CalibrationOptions struct {
	// Unit is the time unit of TX, T and Duration; zero means one week
	// (7×24h), the unit of the published CDNOW figures. Time is counted in
	// whole calendar days, converted with days×24h/Unit.
	Unit time.Duration
	// Location sets the calendar whose days merge purchases and count
	// time; nil means UTC.
	Location *time.Location
	// Order is the order of the summaries; zero means OrderByID, IDs
	// compared as text ("1" < "10" < "2").
	Order CustomerOrder
}

// CustomerOrder is the order in which SummarizeTransactions and
// CalibrationHoldout return customers.
type CustomerOrder uint8

// Customer orders. The stored form is the name.
const (
	// OrderByID sorts by ID as text (byte-wise): "1", "10", "100", "2".
	OrderByID CustomerOrder = iota + 1
	// OrderFirstSeen keeps the host's order: customers in the order of
	// their first transaction in the input slice (whatever its date).
	OrderFirstSeen
	// OrderNumericID sorts IDs that are decimal integers (an optional
	// sign, then digits) by their numeric value, "2" before "10", then
	// every other ID as text.
	OrderNumericID
)

var customerOrders = enum.New[CustomerOrder]("customer order", "by_id", "first_seen", "numeric_id")

// ParseCustomerOrder parses "by_id", "first_seen" or "numeric_id".
func ParseCustomerOrder(s string) (CustomerOrder, error) { return customerOrders.Parse(s) }

// String returns the order's name.
func (o CustomerOrder) String() string { return customerOrders.String(o) }

// Valid reports whether o is a known order.
func (o CustomerOrder) Valid() bool { return customerOrders.Valid(o) }

// MarshalText implements encoding.TextMarshaler.
func (o CustomerOrder) MarshalText() ([]byte, error) { return customerOrders.Marshal(o) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *CustomerOrder) UnmarshalText(b []byte) (err error) {
	*o, err = customerOrders.Parse(string(b))
	return err
}

// calNumeric parses a decimal integer ID of any length into its sign and
// its digits without leading zeros.
func calNumeric(id string) (neg bool, digits string, ok bool) {
	s := id
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" {
		return false, "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false, "", false
		}
	}
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	if s == "0" {
		neg = false
	}
	return neg, s, true
}

// calCompareNumeric orders IDs for OrderNumericID.
func calCompareNumeric(a, b string) int {
	an, ad, aok := calNumeric(a)
	bn, bd, bok := calNumeric(b)
	switch {
	case aok && !bok:
		return -1
	case !aok && bok:
		return 1
	case !aok && !bok:
		return strings.Compare(a, b)
	}
	if an != bn {
		if an {
			return -1
		}
		return 1
	}
	c := cmp.Compare(len(ad), len(bd))
	if c == 0 {
		c = strings.Compare(ad, bd)
	}
	if an {
		c = -c
	}
	if c == 0 {
		c = strings.Compare(a, b) // "007" and "7": a fixed order
	}
	return c
}

// calDay numbers calendar days in loc: days since 1970-01-01.
func calDay(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// calResolve validates opts and applies defaults.
func calResolve(op string, opts *CalibrationOptions) (unitDays float64, loc *time.Location, err error) {
	unit := 7 * 24 * time.Hour
	loc = time.UTC
	if opts != nil {
		if opts.Order != 0 && !opts.Order.Valid() {
			return 0, nil, crm.Invalid(op, "opts.order", "must be a known order")
		}
		if opts.Unit < 0 {
			return 0, nil, crm.Invalid(op, "opts.unit", "must not be negative")
		}
		if opts.Unit > 0 {
			unit = opts.Unit
		}
		if opts.Location != nil {
			loc = opts.Location
		}
	}
	return float64(unit) / float64(24*time.Hour), loc, nil
}

// calCustomer accumulates one customer's purchases per day.
type calCustomer struct {
	id   string
	days map[int64]float64
}

// calGroup validates txs and merges each customer's purchases by calendar
// day, ignoring purchases after lastDay.
func calGroup(op string, txs []Transaction, lastDay int64, loc *time.Location, opts *CalibrationOptions) ([]*calCustomer, error) {
	var v crm.Validator
	byID := make(map[string]*calCustomer)
	var order []*calCustomer
	for i, tx := range txs {
		finite := !math.IsNaN(tx.Amount) && !math.IsInf(tx.Amount, 0)
		if tx.CustomerID == "" || tx.At.IsZero() || !finite || tx.Amount < 0 {
			path := "txs[" + strconv.Itoa(i) + "]"
			v.Check(tx.CustomerID != "", path+".customer_id", "must not be empty")
			v.Check(!tx.At.IsZero(), path+".at", "must be set")
			v.Check(finite, path+".amount", "must be finite")
			v.Check(!(tx.Amount < 0), path+".amount", "must not be negative")
			continue
		}
		day := calDay(tx.At, loc)
		if day > lastDay {
			continue
		}
		c := byID[tx.CustomerID]
		if c == nil {
			c = &calCustomer{id: tx.CustomerID, days: make(map[int64]float64)}
			byID[tx.CustomerID] = c
			order = append(order, c)
		}
		c.days[day] += tx.Amount
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	sortBy := OrderByID
	if opts != nil && opts.Order != 0 {
		sortBy = opts.Order
	}
	switch sortBy {
	case OrderFirstSeen:
	case OrderNumericID:
		slices.SortFunc(order, func(a, b *calCustomer) int { return calCompareNumeric(a.id, b.id) })
	default:
		slices.SortFunc(order, func(a, b *calCustomer) int { return strings.Compare(a.id, b.id) })
	}
	return order, nil
}

// SummarizeTransactions builds one CustomerSummary per customer whose first
// purchase is on or before end's calendar day, in the literature's
// conventions: purchases of one customer on one calendar day are merged
// (amounts summed) first; the first day is the customer's birth and counts
// neither in X nor in MeanValue; TX and T are measured from that first day
// in whole days, converted to opts.Unit; a purchase belongs to the period
// when its day is on or before end's day. The result is in opts.Order (by
// default sorted by customer ID as text). Empty input gives an empty
// result; any invalid transaction gives a *crm.ValidationError listing
// every problem.
func SummarizeTransactions(txs []Transaction, end time.Time, opts *CalibrationOptions) ([]CustomerSummary, error) {
	const op = "scoring.SummarizeTransactions"
	unitDays, loc, err := calResolve(op, opts)
	if err != nil {
		return nil, err
	}
	if end.IsZero() {
		return nil, crm.Invalid(op, "end", "must be set")
	}
	endDay := calDay(end, loc)
	customers, err := calGroup(op, txs, endDay, loc, opts)
	if err != nil {
		return nil, err
	}
	out := make([]CustomerSummary, len(customers))
	for i, c := range customers {
		out[i] = calSummarize(c, endDay, unitDays)
	}
	return out, nil
}

// calSummarize computes the summary of one customer's purchases on or
// before endDay.
func calSummarize(c *calCustomer, endDay int64, unitDays float64) CustomerSummary {
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	n := 0
	var total float64
	for d, amount := range c.days {
		if d > endDay {
			continue
		}
		n++
		total += amount
		first = min(first, d)
		last = max(last, d)
	}
	s := CustomerSummary{ID: c.id, X: n - 1, T: float64(endDay-first) / unitDays}
	if s.X > 0 {
		s.TX = float64(last-first) / unitDays
		s.MeanValue = (total - c.days[first]) / float64(s.X)
	}
	return s
}

// CalibrationHoldout splits a transaction log at calEnd for model
// validation, the way the literature does with CDNOW (calibration ends
// 1997-09-30, holdout to 1998-06-30): it summarises the calibration period
// like SummarizeTransactions (customers whose first purchase is after
// calEnd's day are left out) and, for every calibration customer in the
// same order, counts the purchases (same-day purchases merged) on the days
// after calEnd up to and including holdoutEnd's day. Purchases after
// holdoutEnd are ignored. holdoutEnd's day must be after calEnd's day.
func CalibrationHoldout(txs []Transaction, calEnd, holdoutEnd time.Time, opts *CalibrationOptions) ([]CustomerSummary, []HoldoutSummary, error) {
	const op = "scoring.CalibrationHoldout"
	unitDays, loc, err := calResolve(op, opts)
	if err != nil {
		return nil, nil, err
	}
	var v crm.Validator
	v.Check(!calEnd.IsZero(), "cal_end", "must be set")
	v.Check(!holdoutEnd.IsZero(), "holdout_end", "must be set")
	if err := v.Err(op); err != nil {
		return nil, nil, err
	}
	calDayEnd, holdDayEnd := calDay(calEnd, loc), calDay(holdoutEnd, loc)
	if holdDayEnd <= calDayEnd {
		return nil, nil, crm.Invalid(op, "holdout_end", "must be on a later day than cal_end")
	}
	customers, err := calGroup(op, txs, holdDayEnd, loc, opts)
	if err != nil {
		return nil, nil, err
	}
	duration := float64(holdDayEnd-calDayEnd) / unitDays
	cal := make([]CustomerSummary, 0, len(customers))
	hold := make([]HoldoutSummary, 0, len(customers))
	for _, c := range customers {
		born := false
		for d := range c.days {
			if d <= calDayEnd {
				born = true
				break
			}
		}
		if !born {
			continue
		}
		cal = append(cal, calSummarize(c, calDayEnd, unitDays))
		h := HoldoutSummary{ID: c.id, Duration: duration}
		for d, amount := range c.days {
			if d > calDayEnd {
				h.X++
				h.Value += amount
			}
		}
		hold = append(hold, h)
	}
	return cal, hold, nil
}

// validateSummaries checks the records a model is fitted to or scores,
// listing every problem under data[i].
func validateSummaries(op string, data []CustomerSummary) error {
	var v crm.Validator
	if len(data) == 0 {
		v.Addf("data", "must not be empty")
	}
	for i, c := range data {
		if err := c.validate(); err != nil {
			v.Merge("data["+strconv.Itoa(i)+"]", err)
		}
	}
	return v.Err(op)
}

// validate checks one summary: X ≥ 0; TX and T finite and not negative;
// TX ≤ T; TX > 0 exactly when X > 0; MeanValue finite and not negative.
func (c CustomerSummary) validate() error {
	var v crm.Validator
	v.Check(c.X >= 0, "x", "must not be negative")
	finite := func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
	tOK := v.Check(finite(c.T), "t", "must be finite") && v.Check(c.T >= 0, "t", "must not be negative")
	txOK := v.Check(finite(c.TX), "tx", "must be finite") && v.Check(c.TX >= 0, "tx", "must not be negative")
	if tOK && txOK {
		v.Check(c.TX <= c.T, "tx", "must not exceed t")
	}
	if txOK && c.X > 0 {
		v.Check(c.TX > 0, "tx", "must be positive when x > 0")
	}
	if txOK && c.X == 0 {
		v.Check(c.TX == 0, "tx", "must be zero when x = 0")
	}
	if v.Check(finite(c.MeanValue), "mean_value", "must be finite") {
		v.Check(c.MeanValue >= 0, "mean_value", "must not be negative")
	}
	return v.Err("")
}

// calCheckSummary validates one summary passed to a model method.
func calCheckSummary(op string, c CustomerSummary) error {
	if err := c.validate(); err != nil {
		var v crm.Validator
		v.Merge("customer", err)
		return v.Err(op)
	}
	return nil
}

// calCheckHorizon validates a forecast horizon argument.
func calCheckHorizon(op, name string, t float64) error {
	if math.IsNaN(t) || math.IsInf(t, 0) || t < 0 {
		return crm.Invalid(op, name, fmt.Sprintf("must be finite and not negative, got %g", t))
	}
	return nil
}

// calTuples is a data set of customer summaries compressed to distinct
// (x, tx, T) tuples with weights (customer counts). Likelihoods are sums
// over customers, so identical tuples are evaluated once; distinct x, T
// and tx values are indexed so that terms depending on only one of them are
// computed once per evaluation.
type calTuples struct {
	xs  []float64 // distinct x values
	ts  []float64 // distinct T values
	txs []float64 // distinct tx values
	xw  []float64 // total weight per distinct x
	// Per tuple: indices into xs, ts, txs, and the weight.
	xi, ti, txi []int32
	w           []float64
	total       float64 // number of customers
	// perTuple is set when nearly every T and tx is distinct, so terms
	// that depend on them are computed per tuple rather than cached.
	perTuple bool
	meanX    float64 // weighted means, for default starting points
	meanT    float64
}

// calCompress compresses validated summaries; tuples appear in the order
// of their first occurrence, so sums over them are reproducible.
func calCompress(data []CustomerSummary) *calTuples {
	type key struct {
		x     int
		tx, t float64
	}
	d := &calTuples{}
	tuple := make(map[key]int32)
	xIdx := make(map[int]int32)
	tIdx := make(map[float64]int32)
	txIdx := make(map[float64]int32)
	index := func(m map[float64]int32, vals *[]float64, v float64) int32 {
		i, ok := m[v]
		if !ok {
			i = int32(len(*vals))
			m[v] = i
			*vals = append(*vals, v)
		}
		return i
	}
	var sumX, sumT spSum
	for _, c := range data {
		k := key{c.X, c.TX, c.T}
		sumX.add(float64(c.X))
		sumT.add(c.T)
		if i, ok := tuple[k]; ok {
			d.w[i]++
			d.xw[d.xi[i]]++
			continue
		}
		xi, ok := xIdx[c.X]
		if !ok {
			xi = int32(len(d.xs))
			xIdx[c.X] = xi
			d.xs = append(d.xs, float64(c.X))
			d.xw = append(d.xw, 0)
		}
		d.xw[xi]++
		tuple[k] = int32(len(d.w))
		d.xi = append(d.xi, xi)
		d.ti = append(d.ti, index(tIdx, &d.ts, c.T))
		d.txi = append(d.txi, index(txIdx, &d.txs, c.TX))
		d.w = append(d.w, 1)
	}
	d.total = float64(len(data))
	d.meanX = sumX.value() / d.total
	d.meanT = sumT.value() / d.total
	return d
}

// calSample is the number of records calCompressAuto looks at to decide
// whether compression pays, and calDistinct the share of distinct tuples in
// that sample above which it does not.
const (
	calSample   = 8192
	calDistinct = 0.9
)

// calCompressAuto compresses data like calCompress unless an evenly spread
// sample of calSample records shows more than calDistinct of them distinct:
// then merging would save little and cost a hash lookup per record, so
// every record becomes its own tuple (in input order).
func calCompressAuto(data []CustomerSummary) *calTuples {
	if len(data) < 4*calSample {
		return calCompress(data)
	}
	type key struct {
		x     int
		tx, t float64
	}
	seen := make(map[key]struct{}, calSample)
	step := len(data) / calSample
	for i := range calSample {
		c := &data[i*step]
		seen[key{c.X, c.TX, c.T}] = struct{}{}
	}
	if float64(len(seen)) <= calDistinct*calSample {
		return calCompress(data)
	}
	return calIdentity(data)
}

// calIdentity makes every record its own tuple; only x values are indexed.
func calIdentity(data []CustomerSummary) *calTuples {
	n := len(data)
	d := &calTuples{
		ts: make([]float64, n), txs: make([]float64, n),
		xi: make([]int32, n), ti: make([]int32, n), txi: make([]int32, n),
		w: make([]float64, n), perTuple: true,
	}
	xIdx := make(map[int]int32)
	var sumX, sumT spSum
	for k := range data {
		c := &data[k]
		xi, ok := xIdx[c.X]
		if !ok {
			xi = int32(len(d.xs))
			xIdx[c.X] = xi
			d.xs = append(d.xs, float64(c.X))
			d.xw = append(d.xw, 0)
		}
		d.xw[xi]++
		d.xi[k], d.ti[k], d.txi[k] = xi, int32(k), int32(k)
		d.ts[k], d.txs[k], d.w[k] = c.T, c.TX, 1
		sumX.add(float64(c.X))
		sumT.add(c.T)
	}
	d.total = float64(n)
	d.meanX = sumX.value() / d.total
	d.meanT = sumT.value() / d.total
	return d
}

// calChunk is the number of tuples summed as one unit of work. It is fixed,
// not derived from the number of workers, so sums are the same whatever
// the number of workers.
const calChunk = 16384

// calChunks returns the number of chunks of n tuples (at least one).
func calChunks(n int) int { return max(1, (n+calChunk-1)/calChunk) }

// calParallel runs fn(0..n−1) on up to workers goroutines and returns when
// every call has returned. Each index is handled by exactly one call, so fn
// may write to per-index state without locks. A panic in fn is re-raised in
// the caller after every goroutine has stopped.
func calParallel(n, workers int, fn func(i int)) {
	if workers <= 1 || n <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	workers = min(workers, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicked atomic.Value
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					panicked.CompareAndSwap(nil, calPanic{p})
				}
			}()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
	if p := panicked.Load(); p != nil {
		panic(p.(calPanic).v)
	}
}

// calPanic boxes a recovered panic value for atomic.Value.
type calPanic struct{ v any }
