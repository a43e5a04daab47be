package scoring

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// ckWeightedFixture is a model with fixed bounds: financial 0.5, market 0.3,
// management 0.2, growth 0.
func ckWeightedFixture(tb testing.TB) *WeightedModel {
	tb.Helper()
	m, err := NewWeightedModel(
		DimensionWeights{Financial: 0.5, Market: 0.3, Management: 0.2},
		[]Indicator{
			{Name: "profit", Dimension: Financial, Weight: 1, Normalization: NormalizeFixed, Min: 0, Max: 1000},
			{Name: "loyalty_years", Dimension: Market, Weight: 0.5, Normalization: NormalizeFixed, Min: 0, Max: 10},
			{Name: "referrals", Dimension: Market, Weight: 0.5, Normalization: NormalizeFixed, Min: 0, Max: 20},
			{Name: "suggestions", Dimension: Management, Weight: 1, Normalization: NormalizeFixed, Min: 0, Max: 5},
		})
	require.NoError(tb, err)
	return m
}

func TestWeightedScoreHandComputed(t *testing.T) {
	t.Parallel()
	m := ckWeightedFixture(t)
	tests := []struct {
		name          string
		values        []float64
		total         float64
		contributions []float64
		dims          DimensionScores
	}{
		{
			// profit 600/1000 = 0.6 → 100·0.5·1·0.6 = 30
			// loyalty 5/10 = 0.5   → 100·0.3·0.5·0.5 = 7.5
			// referrals 4/20 = 0.2 → 100·0.3·0.5·0.2 = 3
			// suggestions 5/5 = 1  → 100·0.2·1·1 = 20
			// total 30 + 7.5 + 3 + 20 = 60.5; market 100·(0.25+0.1) = 35.
			name: "in range", values: []float64{600, 5, 4, 5}, total: 60.5,
			contributions: []float64{30, 7.5, 3, 20},
			dims:          DimensionScores{Financial: 60, Market: 35, Management: 100},
		},
		{
			// Out-of-range values clamp: profit 2000 → 1, loyalty −3 → 0.
			name: "clamped", values: []float64{2000, -3, 20, 0}, total: 50 + 0 + 15 + 0,
			contributions: []float64{50, 0, 15, 0},
			dims:          DimensionScores{Financial: 100, Market: 50},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := m.Score(tc.values)
			require.NoError(t, err)
			ckClose(t, tc.total, s.Total, 1e-9)
			require.Len(t, s.Contributions, len(tc.contributions))
			for i, c := range tc.contributions {
				ckClose(t, c, s.Contributions[i], 1e-9, "contribution %d", i)
			}
			ckClose(t, tc.dims.Financial, s.Dimensions.Financial, 1e-9)
			ckClose(t, tc.dims.Market, s.Dimensions.Market, 1e-9)
			ckClose(t, tc.dims.Management, s.Dimensions.Of(Management), 1e-9)
			ckClose(t, tc.dims.Growth, s.Dimensions.Growth, 1e-9)
		})
	}
}

func TestWeightedLowerIsBetter(t *testing.T) {
	t.Parallel()
	m, err := NewWeightedModel(DimensionWeights{Management: 1}, []Indicator{
		{Name: "cost_to_serve", Dimension: Management, Weight: 1, Normalization: NormalizeFixed, Min: 0, Max: 200, LowerIsBetter: true},
	})
	require.NoError(t, err)
	// Cost 50 of 0..200 is 0.25 of the way up: reversed, 0.75 → 75 points.
	s, err := m.Score([]float64{50})
	require.NoError(t, err)
	ckClose(t, 75, s.Total, 1e-12)
}

func TestWeightedScoreAllPopulation(t *testing.T) {
	t.Parallel()
	m, err := NewWeightedModel(DimensionWeights{Financial: 0.5, Market: 0.5}, []Indicator{
		{Name: "revenue", Dimension: Financial, Weight: 1, Normalization: NormalizeRank},
		{Name: "referral", Dimension: Market, Weight: 1, Normalization: NormalizeMinMax},
	})
	require.NoError(t, err)
	// Revenue 10, 20, 20, 40 → mid-ranks (below + (equal−1)/2)/(n−1):
	// 10: 0/3 = 0; 20: (1 + 0.5)/3 = 0.5; 40: 3/3 = 1.
	// Referral 10, 20, 20, 40 → min–max: 0, 1/3, 1/3, 1.
	rows := [][]float64{{10, 10}, {20, 20}, {20, 20}, {40, 40}}
	got, err := m.ScoreAll(rows)
	require.NoError(t, err)
	want := []float64{
		50*0 + 50*0,
		50*0.5 + 50.0/3,
		50*0.5 + 50.0/3,
		50*1 + 50*1,
	}
	for i, w := range want {
		ckClose(t, w, got[i].Total, 1e-9, "row %d", i)
	}
	// One customer, or all equal: every population normalisation gives 0.5.
	one, err := m.ScoreAll([][]float64{{7, 7}})
	require.NoError(t, err)
	ckClose(t, 50, one[0].Total, 1e-12)
	same, err := m.ScoreAll([][]float64{{3, 3}, {3, 3}, {3, 3}})
	require.NoError(t, err)
	for _, s := range same {
		ckClose(t, 50, s.Total, 1e-12)
	}
	// Min–max on the extremes of float64 does not overflow.
	ext, err := m.ScoreAll([][]float64{{0, -math.MaxFloat64}, {0, math.MaxFloat64}, {0, 0}})
	require.NoError(t, err)
	ckClose(t, 25, ext[0].Total, 1e-9)
	ckClose(t, 75, ext[1].Total, 1e-9)
	ckClose(t, 50, ext[2].Total, 1e-9)
}

func TestWeightedScoreAllMatchesScoreForFixed(t *testing.T) {
	t.Parallel()
	m := ckWeightedFixture(t)
	rows := [][]float64{{600, 5, 4, 5}, {100, 9, 0, 1}}
	all, err := m.ScoreAll(rows)
	require.NoError(t, err)
	for i, r := range rows {
		one, err := m.Score(r)
		require.NoError(t, err)
		require.Equal(t, one, all[i])
	}
}

func TestWeightedProperties(t *testing.T) {
	t.Parallel()
	m, err := NewWeightedModel(EqualDimensionWeights(), StandardIndicators())
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 4))
	rows := make([][]float64, 500)
	for i := range rows {
		rows[i] = make([]float64, len(m.Indicators()))
		for j := range rows[i] {
			rows[i][j] = math.Round(rng.NormFloat64()*1e3) / 10
		}
	}
	got, err := m.ScoreAll(rows)
	require.NoError(t, err)
	for _, s := range got {
		require.True(t, s.Total >= 0 && s.Total <= 100, "total %v", s.Total)
		sum := 0.0
		for _, c := range s.Contributions {
			sum += c
		}
		ckClose(t, s.Total, sum, 1e-9)
		for _, d := range Dimensions() {
			require.True(t, s.Dimensions.Of(d) >= 0 && s.Dimensions.Of(d) <= 100+1e-9)
		}
	}
}

func TestStandardIndicatorsLookBeyondVolume(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, ind := range StandardIndicators() {
		names[ind.Name] = true
	}
	for _, n := range []string{"loyalty", "referral", "suggestion"} {
		require.True(t, names[n], "standard indicators lack %q", n)
	}
}

func TestNewWeightedModelRefusals(t *testing.T) {
	t.Parallel()
	ok := []Indicator{{Name: "p", Dimension: Financial, Weight: 1, Normalization: NormalizeRank}}
	fin := DimensionWeights{Financial: 1}
	tests := []struct {
		name    string
		weights DimensionWeights
		inds    []Indicator
		path    string
	}{
		{name: "weights sum below 1", weights: DimensionWeights{Financial: 0.9}, inds: ok, path: "weights"},
		{name: "negative weight", weights: DimensionWeights{Financial: 1.5, Market: -0.5}, inds: append(ok, Indicator{Name: "m", Dimension: Market, Weight: 1, Normalization: NormalizeRank}), path: "weights.market"},
		{name: "NaN weight", weights: DimensionWeights{Financial: math.NaN()}, inds: ok, path: "weights.financial"},
		{name: "no indicators", weights: fin, inds: nil, path: "indicators"},
		{name: "weighted dimension without indicator", weights: DimensionWeights{Financial: 0.5, Growth: 0.5}, inds: ok, path: "indicators"},
		{name: "indicator weights not summing to 1", weights: fin, inds: []Indicator{
			{Name: "a", Dimension: Financial, Weight: 0.5, Normalization: NormalizeRank},
			{Name: "b", Dimension: Financial, Weight: 0.4, Normalization: NormalizeRank},
		}, path: "indicators"},
		{name: "empty name", weights: fin, inds: []Indicator{{Dimension: Financial, Weight: 1, Normalization: NormalizeRank}}, path: "indicators[0].name"},
		{name: "duplicate name", weights: fin, inds: []Indicator{
			{Name: "a", Dimension: Financial, Weight: 0.5, Normalization: NormalizeRank},
			{Name: "a", Dimension: Financial, Weight: 0.5, Normalization: NormalizeRank},
		}, path: "indicators[1].name"},
		{name: "unknown dimension", weights: fin, inds: append(ok, Indicator{Name: "x", Dimension: 9, Weight: 1, Normalization: NormalizeRank}), path: "indicators[1].dimension"},
		{name: "negative indicator weight", weights: fin, inds: []Indicator{{Name: "a", Dimension: Financial, Weight: -1, Normalization: NormalizeRank}}, path: "indicators[0].weight"},
		{name: "Inf indicator weight", weights: fin, inds: []Indicator{{Name: "a", Dimension: Financial, Weight: math.Inf(1), Normalization: NormalizeRank}}, path: "indicators[0].weight"},
		{name: "unknown normalization", weights: fin, inds: []Indicator{{Name: "a", Dimension: Financial, Weight: 1}}, path: "indicators[0].normalization"},
		{name: "fixed with min = max", weights: fin, inds: []Indicator{{Name: "a", Dimension: Financial, Weight: 1, Normalization: NormalizeFixed, Min: 3, Max: 3}}, path: "indicators[0].max"},
		{name: "fixed with NaN min", weights: fin, inds: []Indicator{{Name: "a", Dimension: Financial, Weight: 1, Normalization: NormalizeFixed, Min: math.NaN(), Max: 3}}, path: "indicators[0].min"},
		{name: "fixed with overflowing range", weights: fin, inds: []Indicator{{Name: "a", Dimension: Financial, Weight: 1, Normalization: NormalizeFixed, Min: -math.MaxFloat64, Max: math.MaxFloat64}}, path: "indicators[0].max"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := NewWeightedModel(tc.weights, tc.inds)
			ckInvalid(t, err, tc.path)
			require.Nil(t, m)
		})
	}
}

func TestWeightedScoreRefusals(t *testing.T) {
	t.Parallel()
	fixed := ckWeightedFixture(t)
	pop, err := NewWeightedModel(EqualDimensionWeights(), StandardIndicators())
	require.NoError(t, err)
	tests := []struct {
		name string
		call func() error
		path string
	}{
		{name: "population model with Score", call: func() error { _, err := pop.Score(make([]float64, 9)); return err }},
		{name: "short row", call: func() error { _, err := fixed.Score([]float64{1, 2, 3}); return err }, path: "values"},
		{name: "NaN value", call: func() error { _, err := fixed.Score([]float64{1, math.NaN(), 3, 4}); return err }, path: "values[1]"},
		{name: "no rows", call: func() error { _, err := pop.ScoreAll(nil); return err }, path: "rows"},
		{name: "ragged rows", call: func() error { _, err := fixed.ScoreAll([][]float64{{1, 2, 3, 4}, {1}}); return err }, path: "rows[1]"},
		{name: "Inf in a row", call: func() error { _, err := fixed.ScoreAll([][]float64{{1, 2, 3, math.Inf(-1)}}); return err }, path: "rows[0][3]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ckInvalid(t, tc.call(), tc.path)
		})
	}
}

func TestWeightedModelIsolatedFromCaller(t *testing.T) {
	t.Parallel()
	inds := []Indicator{{Name: "p", Dimension: Financial, Weight: 1, Normalization: NormalizeFixed, Min: 0, Max: 10}}
	m, err := NewWeightedModel(DimensionWeights{Financial: 1}, inds)
	require.NoError(t, err)
	inds[0].Max = 1000 // must not reach the model
	got := m.Indicators()
	got[0].Min = -5 // nor this
	s, err := m.Score([]float64{5})
	require.NoError(t, err)
	ckClose(t, 50, s.Total, 1e-12)
}

func TestIndicatorJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := StandardIndicators()
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.Contains(t, string(b), `"dimension":"financial"`)
	require.Contains(t, string(b), `"normalization":"rank"`)
	var back []Indicator
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, in, back)
	require.Error(t, json.Unmarshal([]byte(`[{"name":"x","dimension":"social"}]`), &back))
}
