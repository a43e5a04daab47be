package scoring

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// weightTolerance is how far a set of weights may stray from summing to 1.
const weightTolerance = 1e-9

// Dimension is one of the four dimensions a customer's worth is rated on.
type Dimension uint8

// The dimensions of the weighted value model. The stored form is the name.
const (
	Financial  Dimension = iota + 1 // profit, revenue, payment behaviour
	Market                          // loyalty, referrals, share of wallet, reputation
	Management                      // suggestions, cost to serve, cooperation
	Growth                          // growth and learning: potential, development
)

var dimensions = enum.New[Dimension]("value dimension", "financial", "market", "management", "growth")

// ParseDimension parses "financial", "market", "management" or "growth".
func ParseDimension(s string) (Dimension, error) { return dimensions.Parse(s) }

// Dimensions returns every dimension in order.
func Dimensions() []Dimension { return dimensions.Values() }

// String returns the dimension's name.
func (d Dimension) String() string { return dimensions.String(d) }

// Valid reports whether d is a known dimension.
func (d Dimension) Valid() bool { return dimensions.Valid(d) }

// MarshalText implements encoding.TextMarshaler.
func (d Dimension) MarshalText() ([]byte, error) { return dimensions.Marshal(d) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Dimension) UnmarshalText(b []byte) (err error) {
	*d, err = dimensions.Parse(string(b))
	return err
}

// Normalization says how an indicator's raw value is mapped onto [0, 1]
// before weighting.
type Normalization uint8

// Normalisations. The stored form is the name.
const (
	// NormalizeFixed maps [Min, Max] of the indicator linearly onto
	// [0, 1] and clamps values outside the range. It needs no population,
	// so it works with both [WeightedModel.Score] and
	// [WeightedModel.ScoreAll].
	NormalizeFixed Normalization = iota + 1
	// NormalizeMinMax maps the smallest value of the scored population to
	// 0 and the largest to 1, linearly. When every value is equal each
	// gets 0.5. Only [WeightedModel.ScoreAll] can use it.
	NormalizeMinMax
	// NormalizeRank maps each value to its mid-rank in the population:
	// (below + (equal−1)/2) / (n−1), where below counts the customers with
	// a smaller value and equal those with the same value (itself
	// included). The worst gets 0, the best 1, ties share, a single
	// customer gets 0.5. It ignores outliers' size. Only
	// [WeightedModel.ScoreAll] can use it.
	NormalizeRank
)

var normalizations = enum.New[Normalization]("normalization", "fixed", "minmax", "rank")

// ParseNormalization parses "fixed", "minmax" or "rank".
func ParseNormalization(s string) (Normalization, error) { return normalizations.Parse(s) }

// String returns the normalisation's name.
func (n Normalization) String() string { return normalizations.String(n) }

// Valid reports whether n is a known normalisation.
func (n Normalization) Valid() bool { return normalizations.Valid(n) }

// MarshalText implements encoding.TextMarshaler.
func (n Normalization) MarshalText() ([]byte, error) { return normalizations.Marshal(n) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (n *Normalization) UnmarshalText(b []byte) (err error) {
	*n, err = normalizations.Parse(string(b))
	return err
}

// Indicator is one host-defined measure of a customer's worth, such as
// profit, loyalty (years as a customer), referral value (revenue from
// customers it referred) or suggestion value (accepted improvement
// suggestions). Indicators are data: a host builds its own list.
type Indicator struct {
	// Name identifies the indicator; names are unique within a model.
	Name string `json:"name"`
	// Dimension is the dimension the indicator rates.
	Dimension Dimension `json:"dimension"`
	// Weight is the indicator's weight within its dimension; the weights
	// of a dimension's indicators sum to 1.
	Weight float64 `json:"weight"`
	// Normalization maps the raw value onto [0, 1].
	Normalization Normalization `json:"normalization"`
	// Min and Max bound the raw value for NormalizeFixed (Min < Max);
	// other normalisations ignore them.
	Min float64 `json:"min,omitempty"`
	Max float64 `json:"max,omitempty"`
	// LowerIsBetter reverses the scale: the smallest raw value scores best
	// (cost to serve, days sales outstanding, complaints).
	LowerIsBetter bool `json:"lower_is_better,omitempty"`
}

// DimensionWeights are the weights of the four dimensions; they are
// non-negative and sum to 1.
type DimensionWeights struct {
	Financial  float64 `json:"financial"`
	Market     float64 `json:"market"`
	Management float64 `json:"management"`
	Growth     float64 `json:"growth"`
}

// Of returns the weight of d, or 0 for an unknown d.
func (w DimensionWeights) Of(d Dimension) float64 {
	switch d {
	case Financial:
		return w.Financial
	case Market:
		return w.Market
	case Management:
		return w.Management
	case Growth:
		return w.Growth
	}
	return 0
}

// EqualDimensionWeights gives each of the four dimensions weight 0.25.
func EqualDimensionWeights() DimensionWeights {
	return DimensionWeights{Financial: 0.25, Market: 0.25, Management: 0.25, Growth: 0.25}
}

// StandardIndicators returns a starting set of indicators that rates a
// customer on more than purchase volume: profit and revenue (financial);
// loyalty, referral value and share of wallet (market); suggestion value and
// cost to serve (management); growth rate and potential (growth). All use
// [NormalizeRank], so raw values may be in any unit. Hosts adapt the list
// and the weights to their business; the weights here are a neutral
// default, not figures from a study.
func StandardIndicators() []Indicator {
	return []Indicator{
		{Name: "profit", Dimension: Financial, Weight: 0.6, Normalization: NormalizeRank},
		{Name: "revenue", Dimension: Financial, Weight: 0.4, Normalization: NormalizeRank},
		{Name: "loyalty", Dimension: Market, Weight: 0.4, Normalization: NormalizeRank},
		{Name: "referral", Dimension: Market, Weight: 0.3, Normalization: NormalizeRank},
		{Name: "share_of_wallet", Dimension: Market, Weight: 0.3, Normalization: NormalizeRank},
		{Name: "suggestion", Dimension: Management, Weight: 0.5, Normalization: NormalizeRank},
		{Name: "cost_to_serve", Dimension: Management, Weight: 0.5, Normalization: NormalizeRank, LowerIsBetter: true},
		{Name: "growth_rate", Dimension: Growth, Weight: 0.5, Normalization: NormalizeRank},
		{Name: "potential", Dimension: Growth, Weight: 0.5, Normalization: NormalizeRank},
	}
}

// WeightedModel rates customers on weighted indicators grouped in the four
// dimensions. Build one with [NewWeightedModel]; it is immutable and safe
// for concurrent use.
type WeightedModel struct {
	weights    DimensionWeights
	indicators []Indicator
	// factor[i] is the weight of indicator i in the total, in points:
	// 100 × dimension weight × indicator weight.
	factor     []float64
	population bool // some indicator needs a population
}

// NewWeightedModel validates the weights and indicators and returns a
// model. The dimension weights must be finite, non-negative and sum to 1
// (within 1e-9); every dimension with a positive weight needs at least one
// indicator; the weights of each dimension's indicators must be finite,
// non-negative and sum to 1; names must be unique and non-empty; a fixed
// normalisation needs finite Min < Max.
func NewWeightedModel(weights DimensionWeights, indicators []Indicator) (*WeightedModel, error) {
	var v crm.Validator
	sum := 0.0
	for _, d := range Dimensions() {
		w := weights.Of(d)
		path := "weights." + d.String()
		if v.Check(finiteVal(w), path, "must be a finite number") {
			v.Check(w >= 0, path, "must not be negative")
			sum += w
		}
	}
	if finiteVal(sum) && math.Abs(sum-1) > weightTolerance {
		v.Addf("weights", "must sum to 1, not %s", strconv.FormatFloat(sum, 'g', -1, 64))
	}
	v.Check(len(indicators) > 0, "indicators", "must not be empty")
	var dimSum [5]float64
	var dimCount [5]int
	seen := make(map[string]bool, len(indicators))
	for i, ind := range indicators {
		p := fmt.Sprintf("indicators[%d]", i)
		if v.Check(ind.Name != "", p+".name", "must not be empty") {
			v.Check(!seen[ind.Name], p+".name", "duplicate name "+strconv.Quote(ind.Name))
			seen[ind.Name] = true
		}
		v.Check(ind.Dimension.Valid(), p+".dimension", "unknown dimension")
		if v.Check(finiteVal(ind.Weight), p+".weight", "must be a finite number") &&
			v.Check(ind.Weight >= 0, p+".weight", "must not be negative") && ind.Dimension.Valid() {
			dimSum[ind.Dimension] += ind.Weight
			dimCount[ind.Dimension]++
		}
		if v.Check(ind.Normalization.Valid(), p+".normalization", "unknown normalization") && ind.Normalization == NormalizeFixed {
			okMin := v.Check(finiteVal(ind.Min), p+".min", "must be a finite number")
			okMax := v.Check(finiteVal(ind.Max), p+".max", "must be a finite number")
			if okMin && okMax {
				v.Check(ind.Min < ind.Max, p+".max", "must be greater than min")
				v.Check(finiteVal(ind.Max-ind.Min), p+".max", "range max − min overflows float64")
			}
		}
	}
	for _, d := range Dimensions() {
		switch {
		case dimCount[d] == 0 && weights.Of(d) > 0:
			v.Addf("indicators", "dimension %s has weight %g but no indicator", d, weights.Of(d))
		case dimCount[d] > 0 && math.Abs(dimSum[d]-1) > weightTolerance:
			v.Addf("indicators", "weights of dimension %s must sum to 1, not %s", d, strconv.FormatFloat(dimSum[d], 'g', -1, 64))
		}
	}
	if err := v.Err("scoring.NewWeightedModel"); err != nil {
		return nil, err
	}
	m := &WeightedModel{
		weights:    weights,
		indicators: slices.Clone(indicators),
		factor:     make([]float64, len(indicators)),
	}
	for i, ind := range m.indicators {
		m.factor[i] = 100 * weights.Of(ind.Dimension) * ind.Weight
		if ind.Normalization != NormalizeFixed {
			m.population = true
		}
	}
	return m, nil
}

// Indicators returns a copy of the model's indicators, in the order that
// value rows follow.
func (m *WeightedModel) Indicators() []Indicator { return slices.Clone(m.indicators) }

// WeightedScore is one customer's weighted value, explained.
type WeightedScore struct {
	// Total is the weighted value on a 0–100 scale.
	Total float64
	// Dimensions holds each dimension's own score on a 0–100 scale, before
	// the dimension weights: the weighted mean of its indicators.
	Dimensions DimensionScores
	// Contributions[i] is what indicator i added to Total, in points; the
	// contributions sum to Total.
	Contributions []float64
}

// DimensionScores holds a 0–100 score for each dimension.
type DimensionScores struct {
	Financial, Market, Management, Growth float64
}

// Of returns the score of d, or 0 for an unknown d.
func (s DimensionScores) Of(d Dimension) float64 {
	return DimensionWeights(s).Of(d)
}

func (s *DimensionScores) add(d Dimension, x float64) {
	switch d {
	case Financial:
		s.Financial += x
	case Market:
		s.Market += x
	case Management:
		s.Management += x
	case Growth:
		s.Growth += x
	}
}

// Score rates one customer. values[i] is the raw value of indicator i (in
// the order of [WeightedModel.Indicators]). Every indicator must use
// [NormalizeFixed]; population normalisations need [WeightedModel.ScoreAll].
func (m *WeightedModel) Score(values []float64) (WeightedScore, error) {
	const op = "scoring.WeightedModel.Score"
	if m.population {
		return WeightedScore{}, crm.Invalid(op, "", "the model has population normalisations; use ScoreAll")
	}
	if err := m.checkRow(op, "values", -1, values); err != nil {
		return WeightedScore{}, err
	}
	norm := make([]float64, len(values))
	for i, x := range values {
		norm[i] = m.fixed(i, x)
	}
	return m.combine(norm), nil
}

// ScoreAll rates a population of customers. rows[c][i] is customer c's raw
// value of indicator i. Population normalisations ([NormalizeMinMax],
// [NormalizeRank]) are computed over rows; the result has one score per row,
// in the same order.
func (m *WeightedModel) ScoreAll(rows [][]float64) ([]WeightedScore, error) {
	const op = "scoring.WeightedModel.ScoreAll"
	if len(rows) == 0 {
		return nil, crm.Invalid(op, "rows", "must not be empty")
	}
	for c, row := range rows {
		if err := m.checkRow(op, "rows", c, row); err != nil {
			return nil, err
		}
	}
	n := len(rows)
	norm := make([]float64, n*len(m.indicators)) // customer-major
	col := make([]float64, n)
	order := make([]int, n)
	for i, ind := range m.indicators {
		for c := range rows {
			col[c] = rows[c][i]
		}
		switch ind.Normalization {
		case NormalizeFixed:
			for c, x := range col {
				norm[c*len(m.indicators)+i] = m.fixed(i, x)
			}
		case NormalizeMinMax:
			lo, hi := slices.Min(col), slices.Max(col)
			for c, x := range col {
				y := 0.5
				if hi > lo {
					// Dividing each term first keeps hi − lo from overflowing.
					y = (x/2 - lo/2) / (hi/2 - lo/2)
				}
				norm[c*len(m.indicators)+i] = orient(ind, clamp01(y))
			}
		case NormalizeRank:
			for c := range order {
				order[c] = c
			}
			slices.SortFunc(order, func(a, b int) int { return cmp.Compare(col[a], col[b]) })
			for s := 0; s < n; {
				e := s + 1
				for e < n && col[order[e]] == col[order[s]] {
					e++
				}
				y := 0.5
				if n > 1 {
					y = (float64(s) + float64(e-s-1)/2) / float64(n-1)
				}
				for _, c := range order[s:e] {
					norm[c*len(m.indicators)+i] = orient(ind, y)
				}
				s = e
			}
		}
	}
	out := make([]WeightedScore, n)
	for c := range out {
		out[c] = m.combine(norm[c*len(m.indicators) : (c+1)*len(m.indicators)])
	}
	return out, nil
}

// checkRow validates one row of raw values; path and index (−1 for none)
// name it in errors, which are formatted only on failure.
func (m *WeightedModel) checkRow(op, path string, index int, row []float64) error {
	name := func() string {
		if index < 0 {
			return path
		}
		return fmt.Sprintf("%s[%d]", path, index)
	}
	if len(row) != len(m.indicators) {
		return crm.Invalid(op, name(), fmt.Sprintf("has %d values, want %d (one per indicator)", len(row), len(m.indicators)))
	}
	var v crm.Validator
	for i, x := range row {
		if !finiteVal(x) {
			v.Addf(fmt.Sprintf("%s[%d]", name(), i), "must be a finite number")
		}
	}
	return v.Err(op)
}

// fixed normalises x with indicator i's fixed bounds.
func (m *WeightedModel) fixed(i int, x float64) float64 {
	ind := m.indicators[i]
	return orient(ind, clamp01((x-ind.Min)/(ind.Max-ind.Min)))
}

// combine turns normalised values into a score. The result stays within
// [0, 100] because normalised values are in [0, 1] and weights sum to 1.
func (m *WeightedModel) combine(norm []float64) WeightedScore {
	s := WeightedScore{Contributions: make([]float64, len(norm))}
	for i, y := range norm {
		ind := m.indicators[i]
		c := m.factor[i] * y
		s.Contributions[i] = c
		s.Total += c
		s.Dimensions.add(ind.Dimension, 100*ind.Weight*y)
	}
	s.Total = math.Min(100, math.Max(0, s.Total))
	return s
}

func orient(ind Indicator, y float64) float64 {
	if ind.LowerIsBetter {
		return 1 - y
	}
	return y
}

func clamp01(x float64) float64 { return math.Min(1, math.Max(0, x)) }
