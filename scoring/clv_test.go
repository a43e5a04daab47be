package scoring

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSimpleCLVHandComputed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       CLVInput
		gross    float64
		value    float64
		expected float64
	}{
		{
			// 100/1.1 + 100·0.8/1.1² + 100·0.8²/1.1³
			// = 90.90909 + 66.11570 + 48.08415 = 205.10894; − 50 = 155.10894.
			// Expected periods 1 + 0.8 + 0.64 = 2.44.
			name:  "three periods, margin at end",
			in:    CLVInput{Margin: 100, Retention: 0.8, Discount: 0.1, AcquisitionCost: 50, Periods: 3},
			gross: 205.10894064613075, value: 155.10894064613075, expected: 2.44,
		},
		{
			// 100 + 100·0.8/1.1 + 100·0.64/1.21 = 100 + 72.72727 + 52.89256.
			name:  "three periods, margin at start",
			in:    CLVInput{Margin: 100, Retention: 0.8, Discount: 0.1, Periods: 3, Timing: MarginAtStart},
			gross: 225.6198347107438, value: 225.6198347107438, expected: 2.44,
		},
		{
			// m/(1+d−r) = 100/0.3; expected lifetime 1/(1−r) = 5.
			name:  "no horizon, margin at end",
			in:    CLVInput{Margin: 100, Retention: 0.8, Discount: 0.1},
			gross: 100 / 0.3, value: 100 / 0.3, expected: 5,
		},
		{
			// m(1+d)/(1+d−r) = 110/0.3.
			name:  "no horizon, margin at start",
			in:    CLVInput{Margin: 100, Retention: 0.8, Discount: 0.1, Timing: MarginAtStart},
			gross: 110 / 0.3, value: 110 / 0.3, expected: 5,
		},
		{
			// Gupta & Lehmann's margin multiple r/(1+i−r) counts the first
			// margin only after a retention; ours (end timing) does not, so
			// ours × r is theirs: for r = 0.8, i = 0.12, 0.8/0.32 = 2.5.
			name:  "Gupta-Lehmann multiple",
			in:    CLVInput{Margin: 0.8, Retention: 0.8, Discount: 0.12},
			gross: 2.5, value: 2.5, expected: 5,
		},
		{
			// 100/1.1 + 100·1.05·0.9/1.21 = 90.90909 + 78.09917 = 169.00826.
			name:  "growing margin",
			in:    CLVInput{Margin: 100, MarginGrowth: 0.05, Retention: 0.9, Discount: 0.1, Periods: 2},
			gross: 169.0082644628099, value: 169.0082644628099, expected: 1.9,
		},
		{
			// r = 1, d = 0: four undiscounted margins.
			name:  "certain retention, no discount",
			in:    CLVInput{Margin: 25, Retention: 1, Periods: 4, AcquisitionCost: 30},
			gross: 100, value: 70, expected: 4,
		},
		{
			// r = 0: only the first period.
			name:  "no retention",
			in:    CLVInput{Margin: 110, Discount: 0.1, Periods: 10},
			gross: 100, value: 100, expected: 1,
		},
		{
			name:  "loss-making customer",
			in:    CLVInput{Margin: -10, Retention: 0.5, Periods: 2, AcquisitionCost: 5},
			gross: -15, value: -20, expected: 1.5,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := SimpleCLV(tc.in)
			require.NoError(t, err)
			ckClose(t, tc.gross, got.Gross, 1e-9)
			ckClose(t, tc.value, got.Value, 1e-9)
			ckClose(t, tc.expected, got.ExpectedPeriods, 1e-12)
		})
	}
}

func TestSimpleCLVProperties(t *testing.T) {
	t.Parallel()
	base := CLVInput{Margin: 100, Retention: 0.7, Discount: 0.08, Periods: 10}
	at := func(in CLVInput) float64 {
		t.Helper()
		r, err := SimpleCLV(in)
		require.NoError(t, err)
		return r.Value
	}
	prev := math.Inf(-1)
	for r := 0.0; r <= 1; r += 0.05 {
		in := base
		in.Retention = r
		v := at(in)
		require.Greater(t, v, prev, "value rises with retention")
		prev = v
	}
	prev = math.Inf(1)
	for d := 0.0; d <= 1; d += 0.05 {
		in := base
		in.Discount = d
		v := at(in)
		require.Less(t, v, prev, "value falls with the discount rate")
		prev = v
	}
	// A long horizon approaches the sum without one.
	inf := base
	inf.Periods = 0
	long := base
	long.Periods = 500
	ckClose(t, at(inf), at(long), 1e-9)
	// A loop over the periods agrees with the closed form, also when the
	// ratio is close to 1.
	in := CLVInput{Margin: 3, MarginGrowth: 0.02, Retention: 0.999, Discount: 0.02, Periods: 1000}
	sum := 0.0
	for p := 1; p <= in.Periods; p++ {
		sum += in.Margin * math.Pow(1+in.MarginGrowth, float64(p-1)) * math.Pow(in.Retention, float64(p-1)) / math.Pow(1+in.Discount, float64(p))
	}
	require.InEpsilon(t, sum, at(in), 1e-9)
}

func TestSimpleCLVRefusals(t *testing.T) {
	t.Parallel()
	ok := CLVInput{Margin: 100, Retention: 0.8, Discount: 0.1, Periods: 3}
	with := func(f func(*CLVInput)) CLVInput {
		in := ok
		f(&in)
		return in
	}
	tests := []struct {
		name string
		in   CLVInput
		path string
	}{
		{name: "NaN margin", in: with(func(c *CLVInput) { c.Margin = math.NaN() }), path: "margin"},
		{name: "growth -1", in: with(func(c *CLVInput) { c.MarginGrowth = -1 }), path: "margin_growth"},
		{name: "Inf growth", in: with(func(c *CLVInput) { c.MarginGrowth = math.Inf(1) }), path: "margin_growth"},
		{name: "negative retention", in: with(func(c *CLVInput) { c.Retention = -0.1 }), path: "retention"},
		{name: "retention above 1", in: with(func(c *CLVInput) { c.Retention = 1.01 }), path: "retention"},
		{name: "negative discount", in: with(func(c *CLVInput) { c.Discount = -0.01 }), path: "discount"},
		{name: "negative acquisition cost", in: with(func(c *CLVInput) { c.AcquisitionCost = -1 }), path: "acquisition_cost"},
		{name: "negative periods", in: with(func(c *CLVInput) { c.Periods = -1 }), path: "periods"},
		{name: "too many periods", in: with(func(c *CLVInput) { c.Periods = MaxCLVPeriods + 1 }), path: "periods"},
		{name: "unknown timing", in: with(func(c *CLVInput) { c.Timing = 7 }), path: "timing"},
		{name: "no horizon, certain retention", in: with(func(c *CLVInput) { c.Periods, c.Retention = 0, 1 }), path: "periods"},
		// 0.9 · 1.3 / 1.1 ≈ 1.06 ≥ 1: the infinite sum diverges.
		{name: "no horizon, diverging", in: with(func(c *CLVInput) { c.Periods, c.Retention, c.MarginGrowth = 0, 0.9, 0.3 }), path: "periods"},
		{name: "overflow", in: CLVInput{Margin: 1e308, Retention: 1, Periods: 10}, path: "margin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := SimpleCLV(tc.in)
			ckInvalid(t, err, tc.path)
		})
	}
	// A zero margin with a sum that would overflow is simply 0.
	r, err := SimpleCLV(CLVInput{Margin: 0, MarginGrowth: 10, Retention: 1, Periods: MaxCLVPeriods, AcquisitionCost: 5})
	require.NoError(t, err)
	require.Equal(t, -5.0, r.Value)
}

func TestProfitComponents(t *testing.T) {
	t.Parallel()
	m, err := ProfitComponents{Base: 40, Growth: 15, CostSavings: 10, Referrals: 20, PricePremium: 5}.Margin()
	require.NoError(t, err)
	require.Equal(t, 90.0, m)
	_, err = ProfitComponents{Referrals: math.NaN()}.Margin()
	ckInvalid(t, err, "referrals")
	_, err = ProfitComponents{Base: math.MaxFloat64, Growth: math.MaxFloat64}.Margin()
	ckInvalid(t, err, "")
}

func TestCompanyValue(t *testing.T) {
	t.Parallel()
	// 1000 × 155.1 + 200 × 500 = 155100 + 100000.
	v, err := CompanyValue(CustomerBase{1000, 155.1}, CustomerBase{200, 500})
	require.NoError(t, err)
	ckClose(t, 255100, v, 1e-6)
	tests := []struct {
		name string
		segs []CustomerBase
		path string
	}{
		{name: "none", path: "segments"},
		{name: "negative count", segs: []CustomerBase{{-1, 5}}, path: "segments[0].customers"},
		{name: "NaN value", segs: []CustomerBase{{1, 5}, {1, math.NaN()}}, path: "segments[1].value_per_customer"},
		{name: "overflow", segs: []CustomerBase{{math.MaxInt, math.MaxFloat64}}, path: "segments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := CompanyValue(tc.segs...)
			ckInvalid(t, err, tc.path)
		})
	}
}

func TestCohortRetention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		cohorts   [][]int
		retention []float64
		survival  []float64
	}{
		{
			// Period 0→1 pools the two cohorts seen twice:
			// (800 + 450)/(1000 + 500) = 1250/1500 = 0.8333; then only the
			// oldest: 640/800 = 0.8 and 512/640 = 0.8. Survival is the
			// running product: 1, 0.8333, 0.6667, 0.5333.
			name:      "pooled cohorts of different ages",
			cohorts:   [][]int{{1000, 800, 640, 512}, {500, 450}, {200}},
			retention: []float64{1250.0 / 1500, 0.8, 0.8},
			survival:  []float64{1, 1250.0 / 1500, 1250.0 / 1500 * 0.8, 1250.0 / 1500 * 0.64},
		},
		{
			// 5/10 = 0.5, 0/5 = 0, then 0/0: the curve stops.
			name:      "cohort dies out",
			cohorts:   [][]int{{10, 5, 0, 0}},
			retention: []float64{0.5, 0},
			survival:  []float64{1, 0.5, 0},
		},
		{
			name:     "single period",
			cohorts:  [][]int{{42}},
			survival: []float64{1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := CohortRetention(tc.cohorts)
			require.NoError(t, err)
			require.Len(t, c.Retention, len(tc.retention))
			require.Len(t, c.Survival, len(tc.survival))
			for i := range tc.retention {
				ckClose(t, tc.retention[i], c.Retention[i], 1e-12)
			}
			for i := range tc.survival {
				ckClose(t, tc.survival[i], c.Survival[i], 1e-12)
			}
		})
	}
}

func TestCohortRetentionRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cohorts [][]int
		path    string
	}{
		{name: "no cohorts", path: "cohorts"},
		{name: "empty cohort", cohorts: [][]int{{5, 4}, {}}, path: "cohorts[1]"},
		{name: "size 0", cohorts: [][]int{{0}}, path: "cohorts[0][0]"},
		{name: "negative count", cohorts: [][]int{{10, -1}}, path: "cohorts[0][1]"},
		{name: "rising count", cohorts: [][]int{{10, 8, 9}}, path: "cohorts[0][2]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := CohortRetention(tc.cohorts)
			ckInvalid(t, err, tc.path)
		})
	}
}

func TestCurveCLV(t *testing.T) {
	t.Parallel()
	// A survival curve of constant retention 0.8 must agree with the
	// closed form: 100·(1/1.1 + 0.8/1.21 + 0.64/1.331) − 50 = 155.10894.
	v, err := CurveCLV([]float64{1, 0.8, 0.64}, 100, 0.1, 50)
	require.NoError(t, err)
	ckClose(t, 155.10894064613075, v, 1e-9)
	closed, err := SimpleCLV(CLVInput{Margin: 100, Retention: 0.8, Discount: 0.1, AcquisitionCost: 50, Periods: 3})
	require.NoError(t, err)
	ckClose(t, closed.Value, v, 1e-9)
	// From cohorts to value in two steps.
	c, err := CohortRetention([][]int{{100, 80, 64}})
	require.NoError(t, err)
	v2, err := CurveCLV(c.Survival, 100, 0.1, 50)
	require.NoError(t, err)
	ckClose(t, v, v2, 1e-9)

	tests := []struct {
		name     string
		survival []float64
		margin   float64
		discount float64
		acq      float64
		path     string
	}{
		{name: "empty curve", path: "survival"},
		{name: "survival above 1", survival: []float64{1, 1.2}, path: "survival[1]"},
		{name: "NaN survival", survival: []float64{math.NaN()}, path: "survival[0]"},
		{name: "Inf margin", survival: []float64{1}, margin: math.Inf(1), path: "margin"},
		{name: "negative discount", survival: []float64{1}, discount: -0.1, path: "discount"},
		{name: "negative acquisition cost", survival: []float64{1}, acq: -1, path: "acquisition_cost"},
		{name: "overflow", survival: []float64{1, 1, 1}, margin: math.MaxFloat64, path: "margin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := CurveCLV(tc.survival, tc.margin, tc.discount, tc.acq)
			ckInvalid(t, err, tc.path)
		})
	}
}

func TestMarginTimingEnum(t *testing.T) {
	t.Parallel()
	for _, m := range []MarginTiming{MarginAtEnd, MarginAtStart} {
		got, err := ParseMarginTiming(m.String())
		require.NoError(t, err)
		require.Equal(t, m, got)
		b, err := m.MarshalText()
		require.NoError(t, err)
		var back MarginTiming
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, m, back)
	}
	_, err := ParseMarginTiming("middle")
	ckInvalid(t, err, "")
	require.False(t, MarginTiming(0).Valid())
}
