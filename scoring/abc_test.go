package scoring

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClassifyABCHandComputed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		values  []float64
		opts    *ABCOptions
		classes []ABCClass
		count   [3]int
		share   [3]float64
	}{
		{
			// Total 100, ranked 50, 30, 10, 5, 3, 2. Share above each:
			// 0, .50, .80, .90, .95, .98. Below .80 → A (50, 30);
			// below .95 → B (10, 5); the rest C (3, 2).
			name:    "textbook",
			values:  []float64{5, 50, 2, 30, 10, 3},
			classes: []ABCClass{ClassB, ClassA, ClassC, ClassA, ClassB, ClassC},
			count:   [3]int{2, 2, 2}, share: [3]float64{0.8, 0.15, 0.05},
		},
		{
			// The customer that crosses 80% is in A; the next is not: 80
			// has 0 above it, 20 has exactly .80 above it → B.
			name:    "threshold reached exactly",
			values:  []float64{80, 20},
			classes: []ABCClass{ClassA, ClassB},
			count:   [3]int{1, 1, 0}, share: [3]float64{0.8, 0.2, 0},
		},
		{
			// Ties straddling the cut share the better class: the three
			// 30s all have 0 above the group → A (90%); 10 has .90 → B.
			name:    "ties share a class",
			values:  []float64{30, 10, 30, 30},
			classes: []ABCClass{ClassA, ClassB, ClassA, ClassA},
			count:   [3]int{3, 1, 0}, share: [3]float64{0.9, 0.1, 0},
		},
		{
			// Custom thresholds 50% / 70%: 50 (0 above) → A; 30 (.50) → B;
			// 10 (.80), 5, 3, 2 → C.
			name:    "custom thresholds",
			values:  []float64{50, 30, 10, 5, 3, 2},
			opts:    &ABCOptions{A: 0.5, B: 0.7},
			classes: []ABCClass{ClassA, ClassB, ClassC, ClassC, ClassC, ClassC},
			count:   [3]int{1, 1, 4}, share: [3]float64{0.5, 0.3, 0.2},
		},
		{
			name:    "zeros are C",
			values:  []float64{0, 7, 0},
			classes: []ABCClass{ClassC, ClassA, ClassC},
			count:   [3]int{1, 0, 2}, share: [3]float64{1, 0, 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := ClassifyABC(tc.values, tc.opts)
			require.NoError(t, err)
			require.Equal(t, tc.classes, r.Classes)
			require.Equal(t, tc.count, r.Count)
			for i := range tc.share {
				ckClose(t, tc.share[i], r.Share[i], 1e-12)
			}
		})
	}
}

func TestLorenzAndGiniHandComputed(t *testing.T) {
	t.Parallel()
	// Values 4, 1, 3, 2 sorted 1, 2, 3, 4, total 10: cumulative shares
	// 0.1, 0.3, 0.6, 1.
	pts, err := LorenzCurve([]float64{4, 1, 3, 2})
	require.NoError(t, err)
	want := []LorenzPoint{{0, 0}, {0.25, 0.1}, {0.5, 0.3}, {0.75, 0.6}, {1, 1}}
	require.Len(t, pts, len(want))
	for i := range want {
		ckClose(t, want[i].Population, pts[i].Population, 1e-15)
		ckClose(t, want[i].Share, pts[i].Share, 1e-15)
	}
	tests := []struct {
		name   string
		values []float64
		gini   float64
	}{
		// Σ(2i−n−1)x_i = −3·1 − 1·2 + 1·3 + 3·4 = 10; n·Σx = 40 → 0.25.
		// Cross-checks: mean absolute difference Σ_i Σ_j |x_i − x_j| =
		// 2·(1+2+3+1+2+1) = 20 over 2n²μ = 2·16·2.5 = 80 → 0.25; and from
		// the Lorenz points 1 − Σ ΔX (Y_k + Y_{k−1}) =
		// 1 − 0.25·(0.1 + 0.4 + 0.9 + 1.6) = 0.25.
		{name: "1 2 3 4", values: []float64{4, 1, 3, 2}, gini: 0.25},
		{name: "equal", values: []float64{5, 5, 5, 5}, gini: 0},
		// One customer has everything: (n−1)/n = 3/4.
		{name: "one has all", values: []float64{0, 0, 9, 0}, gini: 0.75},
		{name: "single", values: []float64{3}, gini: 0},
		// 1, 1, 1, 7 (total 10): Σ(2i−5)x = −3 − 1 + 1 + 21 = 18; /40 = 0.45.
		{name: "one large", values: []float64{1, 7, 1, 1}, gini: 0.45},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, err := Gini(tc.values)
			require.NoError(t, err)
			ckClose(t, tc.gini, g, 1e-12)
		})
	}
}

func TestTopShareHandComputed(t *testing.T) {
	t.Parallel()
	values := []float64{5, 50, 2, 30, 10, 3} // total 100
	tests := []struct {
		name     string
		fraction float64
		want     float64
	}{
		// 20% of 6 customers = 1.2: the best (50) and 0.2 of the second
		// (0.2·30 = 6) → 56%.
		{name: "top 20 percent", fraction: 0.2, want: 0.56},
		// 50% = 3 customers: 50 + 30 + 10 = 90%.
		{name: "top half", fraction: 0.5, want: 0.9},
		{name: "everyone", fraction: 1, want: 1},
		// 1/6 = one customer exactly: 50%.
		{name: "one of six", fraction: 1.0 / 6, want: 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := TopShare(values, tc.fraction)
			require.NoError(t, err)
			ckClose(t, tc.want, got, 1e-12)
		})
	}
}

func TestKeyAccountProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(13, 14))
	for round := range 200 {
		n := 1 + rng.IntN(300)
		values := make([]float64, n)
		for i := range values {
			switch rng.IntN(4) {
			case 0:
				values[i] = 0
			case 1:
				values[i] = float64(rng.IntN(5)) // many ties
			default:
				values[i] = math.Exp(3 * rng.NormFloat64())
			}
		}
		values[rng.IntN(n)] = 1 // positive total
		r, err := ClassifyABC(values, nil)
		require.NoError(t, err)
		require.Equal(t, n, r.Count[0]+r.Count[1]+r.Count[2])
		ckClose(t, 1, r.Share[0]+r.Share[1]+r.Share[2], 1e-9)
		require.GreaterOrEqual(t, r.Share[0], DefaultABCThresholdA-1e-12, "class A reaches its threshold")
		require.GreaterOrEqual(t, r.Share[0]+r.Share[1], DefaultABCThresholdB-1e-12, "A and B reach theirs")
		// Monotone: sort by value; classes must not get better as values
		// fall.
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			if values[a] != values[b] {
				if values[a] > values[b] {
					return -1
				}
				return 1
			}
			return int(r.Classes[a]) - int(r.Classes[b])
		})
		for k := 1; k < n; k++ {
			a, b := idx[k-1], idx[k]
			require.LessOrEqual(t, r.Classes[a], r.Classes[b], "round %d: larger value got worse class", round)
			if values[a] == values[b] {
				require.Equal(t, r.Classes[a], r.Classes[b], "round %d: tie split", round)
			}
		}
		g, err := Gini(values)
		require.NoError(t, err)
		require.True(t, g >= 0 && g <= 1, "gini %v", g)
		require.LessOrEqual(t, g, float64(n-1)/float64(n)+1e-12)
		pts, err := LorenzCurve(values)
		require.NoError(t, err)
		require.Equal(t, LorenzPoint{0, 0}, pts[0])
		require.Equal(t, 1.0, pts[n].Share)
		for k := 1; k <= n; k++ {
			require.GreaterOrEqual(t, pts[k].Share, pts[k-1].Share)
			require.LessOrEqual(t, pts[k].Share, pts[k].Population+1e-12, "below the diagonal")
		}
		top, err := TopShare(values, 0.2)
		require.NoError(t, err)
		require.GreaterOrEqual(t, top, 0.2-1e-12, "the top 20% hold at least 20%")
		require.LessOrEqual(t, top, 1.0)
	}
}

func TestKeyAccountRefusals(t *testing.T) {
	t.Parallel()
	ok := []float64{1, 2}
	tests := []struct {
		name string
		call func() error
		path string
	}{
		{name: "ABC empty", call: func() error { _, err := ClassifyABC(nil, nil); return err }, path: "values"},
		{name: "ABC negative", call: func() error { _, err := ClassifyABC([]float64{1, -1}, nil); return err }, path: "values[1]"},
		{name: "ABC NaN", call: func() error { _, err := ClassifyABC([]float64{math.NaN()}, nil); return err }, path: "values[0]"},
		{name: "ABC Inf", call: func() error { _, err := ClassifyABC([]float64{math.Inf(1)}, nil); return err }, path: "values[0]"},
		{name: "ABC all zero", call: func() error { _, err := ClassifyABC([]float64{0, 0}, nil); return err }, path: "values"},
		{name: "ABC A above B", call: func() error { _, err := ClassifyABC(ok, &ABCOptions{A: 0.9, B: 0.8}); return err }, path: "b"},
		{name: "ABC A of 1", call: func() error { _, err := ClassifyABC(ok, &ABCOptions{A: 1, B: 1}); return err }, path: "a"},
		{name: "ABC negative A", call: func() error { _, err := ClassifyABC(ok, &ABCOptions{A: -0.1}); return err }, path: "a"},
		{name: "ABC B above 1", call: func() error { _, err := ClassifyABC(ok, &ABCOptions{B: 1.1}); return err }, path: "b"},
		{name: "ABC NaN B", call: func() error { _, err := ClassifyABC(ok, &ABCOptions{B: math.NaN()}); return err }, path: "b"},
		{name: "Lorenz empty", call: func() error { _, err := LorenzCurve(nil); return err }, path: "values"},
		{name: "Lorenz zero total", call: func() error { _, err := LorenzCurve([]float64{0}); return err }, path: "values"},
		{name: "Gini negative", call: func() error { _, err := Gini([]float64{-3}); return err }, path: "values[0]"},
		{name: "Gini empty", call: func() error { _, err := Gini(nil); return err }, path: "values"},
		{name: "TopShare fraction 0", call: func() error { _, err := TopShare(ok, 0); return err }, path: "fraction"},
		{name: "TopShare fraction above 1", call: func() error { _, err := TopShare(ok, 1.5); return err }, path: "fraction"},
		{name: "TopShare NaN fraction", call: func() error { _, err := TopShare(ok, math.NaN()); return err }, path: "fraction"},
		{name: "TopShare NaN value", call: func() error { _, err := TopShare([]float64{math.NaN()}, 0.2); return err }, path: "values[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ckInvalid(t, tc.call(), tc.path)
		})
	}
}

func TestKeyAccountExtremeValues(t *testing.T) {
	t.Parallel()
	// Sums of the largest floats would overflow; shares must not.
	big := []float64{math.MaxFloat64, math.MaxFloat64, math.MaxFloat64, 0}
	r, err := ClassifyABC(big, nil)
	require.NoError(t, err)
	require.Equal(t, []ABCClass{ClassA, ClassA, ClassA, ClassC}, r.Classes)
	g, err := Gini(big)
	require.NoError(t, err)
	ckClose(t, 0.25, g, 1e-12) // Σ(2i−5)x = (−3)·0 + (−1 + 1 + 3)·M = 3M; /(4·3M)
	top, err := TopShare(big, 0.25)
	require.NoError(t, err)
	ckClose(t, 1.0/3, top, 1e-12)
	// The smallest positive float as the largest value.
	tiny := []float64{5e-324, 0}
	r, err = ClassifyABC(tiny, nil)
	require.NoError(t, err)
	require.Equal(t, []ABCClass{ClassA, ClassC}, r.Classes)
	g, err = Gini(tiny)
	require.NoError(t, err)
	ckClose(t, 0.5, g, 1e-12)
}

func TestABCClassEnum(t *testing.T) {
	t.Parallel()
	for _, c := range []ABCClass{ClassA, ClassB, ClassC} {
		got, err := ParseABCClass(c.String())
		require.NoError(t, err)
		require.Equal(t, c, got)
		b, err := c.MarshalText()
		require.NoError(t, err)
		var back ABCClass
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, c, back)
	}
	got, err := ParseABCClass("a")
	require.NoError(t, err)
	require.Equal(t, ClassA, got)
	_, err = ParseABCClass("D")
	ckInvalid(t, err, "")
}
