package scoring

import (
	"fmt"
	"math"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// ABCClass is a key-account class from a Pareto (ABC) analysis.
type ABCClass uint8

// ABC classes, best first. The stored form is the name.
const (
	ClassA ABCClass = iota + 1 // key accounts: the few that bring most of the value
	ClassB                     // the middle
	ClassC                     // the many that bring little
)

var abcClasses = enum.New[ABCClass]("ABC class", "A", "B", "C")

// ParseABCClass parses "A", "B" or "C" (case-insensitive).
func ParseABCClass(s string) (ABCClass, error) { return abcClasses.Parse(s) }

// String returns "A", "B" or "C".
func (c ABCClass) String() string { return abcClasses.String(c) }

// Valid reports whether c is a known class.
func (c ABCClass) Valid() bool { return abcClasses.Valid(c) }

// MarshalText implements encoding.TextMarshaler.
func (c ABCClass) MarshalText() ([]byte, error) { return abcClasses.Marshal(c) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *ABCClass) UnmarshalText(b []byte) (err error) {
	*c, err = abcClasses.Parse(string(b))
	return err
}

// Default ABC thresholds: class A brings 80% of the value (Pareto's 80/20),
// A and B together 95%.
const (
	DefaultABCThresholdA = 0.80
	DefaultABCThresholdB = 0.95
)

// ABCOptions configure [ClassifyABC]. A nil *ABCOptions, or zero fields,
// mean the defaults.
type ABCOptions struct {
	// A is the cumulative value share class A reaches; 0 means
	// DefaultABCThresholdA.
	A float64
	// B is the cumulative value share classes A and B reach together; 0
	// means DefaultABCThresholdB. 0 < A < B ≤ 1.
	B float64
	// Ties decides the class of customers with equal values at a cut;
	// zero means ABCTiesShareClass.
	Ties ABCTieRule
}

// ABCTieRule decides how ClassifyABC treats customers with equal values.
type ABCTieRule uint8

// ABC tie rules. The stored form is the name.
const (
	// ABCTiesShareClass gives equal values the same class, that of the
	// first of them in the ranking: the classes are monotone in value, and
	// a group of ties at a cut may make class A larger than the smallest
	// group reaching the threshold.
	ABCTiesShareClass ABCTieRule = iota + 1
	// ABCTiesSmallestGroup is the literature's definition: class A is the
	// smallest group of top customers whose share reaches the threshold,
	// even when that splits equal values; equal values are ranked by their
	// position in the input, earlier first.
	ABCTiesSmallestGroup
)

var abcTieRules = enum.New[ABCTieRule]("ABC tie rule", "share_class", "smallest_group")

// ParseABCTieRule parses "share_class" or "smallest_group".
func ParseABCTieRule(s string) (ABCTieRule, error) { return abcTieRules.Parse(s) }

// String returns the rule's name.
func (r ABCTieRule) String() string { return abcTieRules.String(r) }

// Valid reports whether r is a known rule.
func (r ABCTieRule) Valid() bool { return abcTieRules.Valid(r) }

// MarshalText implements encoding.TextMarshaler.
func (r ABCTieRule) MarshalText() ([]byte, error) { return abcTieRules.Marshal(r) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *ABCTieRule) UnmarshalText(b []byte) (err error) {
	*r, err = abcTieRules.Parse(string(b))
	return err
}

// ABCResult is the outcome of [ClassifyABC].
type ABCResult struct {
	// Classes[i] is the class of values[i].
	Classes []ABCClass
	// Count holds the number of customers in class A, B and C (index 0, 1
	// and 2).
	Count [3]int
	// Share holds the share of the total value of class A, B and C; the
	// three sum to 1.
	Share [3]float64
}

// ClassifyABC sorts customers by value, largest first, and cuts the ranking
// by cumulative share of the total: class A is the smallest group of top
// customers whose share reaches opts.A (the customer that crosses the
// threshold is in A), B continues up to opts.B, and C holds the rest.
// Precisely, a customer is A when the share of the customers ranked above it
// is below A, else B when that share is below B, else C. By default
// (ABCTiesShareClass) customers with equal values get the same class (that
// of the first of them), so the classes are monotone: a larger value never
// gets a worse class; ABCTiesSmallestGroup ranks ties by input position
// and cuts exactly. Values are what each
// customer brings (revenue, profit, CLV): finite and not negative, with a
// positive total.
func ClassifyABC(values []float64, opts *ABCOptions) (ABCResult, error) {
	const op = "scoring.ClassifyABC"
	var o ABCOptions
	if opts != nil {
		o = *opts
	}
	if o.A == 0 {
		o.A = DefaultABCThresholdA
	}
	if o.B == 0 {
		o.B = DefaultABCThresholdB
	}
	var v crm.Validator
	v.Check(finiteVal(o.A) && o.A > 0 && o.A < 1, "a", "must be between 0 and 1, exclusive")
	v.Check(finiteVal(o.B) && o.B > o.A && o.B <= 1, "b", "must be greater than a and at most 1")
	v.Check(o.Ties == 0 || o.Ties.Valid(), "ties", "must be a known tie rule")
	if err := v.Err(op); err != nil {
		return ABCResult{}, err
	}
	order, hi, err := rankShares(op, values)
	if err != nil {
		return ABCResult{}, err
	}
	res := ABCResult{Classes: make([]ABCClass, len(values))}
	// Shares are computed on values divided by the largest value, which
	// cannot overflow; the total is then at most len(values).
	total := 0.0
	for _, it := range order {
		total += it.k / hi
	}
	above := 0.0 // sum of the values ranked above the current group
	n := len(order)
	for s := n - 1; s >= 0; { // order is ascending: walk from the top
		e := s - 1
		for e >= 0 && order[e].k == order[s].k {
			e--
		}
		// The group of equal values order[e+1 : s+1] is in ascending input
		// position (the sort is stable).
		classOf := func() ABCClass {
			share := above / total
			switch {
			case share < o.A:
				return ClassA
			case share < o.B:
				return ClassB
			}
			return ClassC
		}
		class := classOf()
		for _, it := range order[e+1 : s+1] {
			if o.Ties == ABCTiesSmallestGroup {
				class = classOf()
			}
			res.Classes[it.idx] = class
			res.Count[class-1]++
			x := it.k / hi
			res.Share[class-1] += x
			above += x
		}
		s = e
	}
	for i := range res.Share {
		res.Share[i] /= total
	}
	return res, nil
}

// rankedValue is a value and its position in the input.
type rankedValue struct {
	k   float64
	idx uint32
}

// rankShares validates values (finite, not negative, positive total) and
// returns them sorted ascending with their positions, and max(values):
// dividing by it keeps every sum of n values at most n, so none overflows.
func rankShares(op string, values []float64) ([]rankedValue, float64, error) {
	if len(values) == 0 {
		return nil, 0, crm.Invalid(op, "values", "must not be empty")
	}
	if len(values) > math.MaxInt32 {
		return nil, 0, crm.Invalid(op, "values", "too many values")
	}
	hi := 0.0
	for i, x := range values {
		if !(x >= 0) || math.IsInf(x, 1) {
			p := fmt.Sprintf("values[%d]", i)
			if !finiteVal(x) {
				return nil, 0, crm.Invalid(op, p, "must be a finite number")
			}
			return nil, 0, crm.Invalid(op, p, "must not be negative")
		}
		hi = max(hi, x)
	}
	if hi == 0 {
		return nil, 0, crm.Invalid(op, "values", "total must be positive (shares of a zero total are undefined)")
	}
	items := make([]sortItem, len(values))
	for i, x := range values {
		items[i] = sortItem{key: floatKey(x), idx: uint32(i)}
	}
	sorted := radixSort(items, make([]sortItem, len(values)))
	order := make([]rankedValue, len(values))
	for i, it := range sorted {
		order[i] = rankedValue{k: values[it.idx], idx: it.idx}
	}
	return order, hi, nil
}

// LorenzPoint is a point of a Lorenz curve: the poorest Population share of
// customers bring Share of the total value.
type LorenzPoint struct {
	Population, Share float64
}

// LorenzCurve returns the Lorenz curve of values: n+1 points from (0, 0) to
// (1, 1), customers ranked from the smallest value up; point k is
// (k/n, share of the k smallest values). Values must be finite and not
// negative, with a positive total.
func LorenzCurve(values []float64) ([]LorenzPoint, error) {
	order, hi, err := rankShares("scoring.LorenzCurve", values)
	if err != nil {
		return nil, err
	}
	n := len(order)
	cum := make([]float64, n+1)
	for k, it := range order {
		cum[k+1] = cum[k] + it.k/hi
	}
	out := make([]LorenzPoint, n+1)
	for k := range out {
		out[k] = LorenzPoint{Population: float64(k) / float64(n), Share: cum[k] / cum[n]}
	}
	out[n].Share = 1
	return out, nil
}

// Gini returns the Gini coefficient of values, in [0, 1]: 0 when every
// customer brings the same, approaching 1 when one customer brings
// everything (the largest possible value for n customers is (n−1)/n). With
// x sorted ascending and i counted from 1,
//
//	G = Σ_i (2i − n − 1) x_i / (n Σ_i x_i)
//
// which is twice the area between the Lorenz curve and the diagonal. Values
// must be finite and not negative, with a positive total.
func Gini(values []float64) (float64, error) {
	order, hi, err := rankShares("scoring.Gini", values)
	if err != nil {
		return 0, err
	}
	n := float64(len(order))
	var num, total float64
	for i, it := range order {
		x := it.k / hi
		num += (2*float64(i+1) - n - 1) * x
		total += x
	}
	return min(1, max(0, num/(n*total))), nil
}

// TopShare returns the share of the total value brought by the top
// fraction of customers (fraction in (0, 1]; 0.2 gives the share of the top
// 20%, the Pareto check). When fraction × n is not a whole number the
// Lorenz curve is interpolated linearly, so the top 20% of 7 customers
// counts the best customer and 40% of the second best. Values must be
// finite and not negative, with a positive total.
func TopShare(values []float64, fraction float64) (float64, error) {
	const op = "scoring.TopShare"
	if !finiteVal(fraction) || fraction <= 0 || fraction > 1 {
		return 0, crm.Invalid(op, "fraction", "must be greater than 0 and at most 1")
	}
	order, hi, err := rankShares(op, values)
	if err != nil {
		return 0, err
	}
	n := len(order)
	want := fraction * float64(n) // customers counted from the top
	var top, total float64
	for i := n - 1; i >= 0; i-- {
		x := order[i].k / hi
		total += x
		if r := float64(n - 1 - i); r < want { // r customers already counted
			top += x * min(1, want-r)
		}
	}
	return min(1, max(0, top/total)), nil
}

// ParetoRow is one line of a Pareto table: the top CustomerShare of the
// customers (Customers of them, whole) bring ValueShare of the value.
type ParetoRow struct {
	// ValueShare is the share of the total value asked for, in (0, 1].
	ValueShare float64
	// CustomerShare is the smallest share of customers, best first, that
	// brings ValueShare, interpolated within the last customer counted
	// (the inverse of TopShare).
	CustomerShare float64
	// Customers is the smallest whole number of top customers whose value
	// reaches ValueShare.
	Customers int
}

// DefaultParetoShares are the value shares ParetoTable reports when none
// are given.
var DefaultParetoShares = []float64{0.5, 0.8, 0.9, 0.95, 0.99}

// ParetoTable answers "what share of the customers makes X% of the value"
// for every share in shares (nil means DefaultParetoShares; each in
// (0, 1]): customers ranked by value, largest first. Values must be finite and not negative, with a positive total.
func ParetoTable(values []float64, shares []float64) ([]ParetoRow, error) {
	const op = "scoring.ParetoTable"
	if shares == nil {
		shares = DefaultParetoShares
	}
	for i, s := range shares {
		if !finiteVal(s) || s <= 0 || s > 1 {
			return nil, crm.Invalid(op, fmt.Sprintf("shares[%d]", i), "must be greater than 0 and at most 1")
		}
	}
	order, hi, err := rankShares(op, values)
	if err != nil {
		return nil, err
	}
	n := len(order)
	// Cumulative value from the top: cum[k] is the value of the k best.
	cum := make([]float64, n+1)
	for k := range n {
		cum[k+1] = cum[k] + order[n-1-k].k/hi
	}
	total := cum[n]
	out := make([]ParetoRow, len(shares))
	for i, s := range shares {
		target := s * total
		// First k with cum[k] ≥ target, forgiving the rounding of the sums.
		k, _ := slices.BinarySearch(cum, target*(1-1e-12))
		k = max(1, min(k, n))
		x := cum[k] - cum[k-1]
		frac := 1.0
		if x > 0 {
			frac = min(1, max(0, (target-cum[k-1])/x))
		}
		out[i] = ParetoRow{ValueShare: s, CustomerShare: (float64(k-1) + frac) / float64(n), Customers: k}
	}
	return out, nil
}
