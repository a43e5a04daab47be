package scoring

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKPIsHandComputed(t *testing.T) {
	t.Parallel()
	must := func(x float64, err error) float64 {
		t.Helper()
		require.NoError(t, err)
		return x
	}
	// 200 customers at the start, 190 at the end of whom 30 are new: 160
	// of the 200 stayed → 0.8.
	ckClose(t, 0.8, must(RetentionRate(200, 190, 30)), 1e-15)
	ckClose(t, 1, must(RetentionRate(5, 5, 0)), 1e-15)
	ckClose(t, 0, must(RetentionRate(5, 3, 3)), 1e-15)
	// 30 won of 200 targeted.
	ckClose(t, 0.15, must(AcquisitionRate(30, 200)), 1e-15)
	ckClose(t, 2.5, must(AcquisitionRate(50, 20)), 1e-15)
	// 1.2M after 1.0M: +20%; 0.9M: −10%.
	ckClose(t, 0.2, must(SalesGrowth(1_000_000, 1_200_000)), 1e-12)
	ckClose(t, -0.1, must(SalesGrowth(1_000_000, 900_000)), 1e-12)
	// 47 of 50 orders on time.
	ckClose(t, 0.94, must(OnTimeRate(47, 50)), 1e-15)
	// Net credit sales 1,200,000 over average receivables
	// (100,000 + 140,000)/2 = 120,000 → 10 turns → 365/10 = 36.5 days.
	turn := must(ReceivablesTurnover(1_200_000, 120_000))
	ckClose(t, 10, turn, 1e-12)
	ckClose(t, 36.5, must(CollectionDays(turn, 365)), 1e-12)
	ckClose(t, 0.125, must(ProfitMargin(25, 200)), 1e-15)
	ckClose(t, -0.05, must(ProfitMargin(-10, 200)), 1e-15)
	ckClose(t, 0.25, must(MarketShare(30, 120)), 1e-15)
}

func TestForecastAccuracy(t *testing.T) {
	t.Parallel()
	// Actual 100, 200, 0, 50; forecast 110, 180, 5, 50. Errors F−A: 10,
	// −20, 5, 0. APE (without the 0 actual): 0.1, 0.1, 0 → MAPE 0.2/3.
	// WAPE (10+20+5+0)/(100+200+0+50) = 35/350 = 0.1. Bias (10−20+5)/4 =
	// −1.25; bias ratio −5/350.
	r, err := ForecastAccuracy([]float64{100, 200, 0, 50}, []float64{110, 180, 5, 50})
	require.NoError(t, err)
	ckClose(t, 0.2/3, r.MAPE, 1e-15)
	require.Equal(t, 3, r.MAPEPeriods)
	ckClose(t, 0.1, r.WAPE, 1e-15)
	ckClose(t, -1.25, r.Bias, 1e-15)
	ckClose(t, -5.0/350, r.BiasRatio, 1e-15)
	// A perfect forecast.
	r, err = ForecastAccuracy([]float64{3, -4}, []float64{3, -4})
	require.NoError(t, err)
	require.Equal(t, ForecastErrors{MAPEPeriods: 2}, r)
}

func TestCSATAndNPS(t *testing.T) {
	t.Parallel()
	// Answers 5,4,3,2,5,1,4,4: satisfied (≥ 4) 5 of 8 = 0.625; mean 28/8.
	c, err := CSAT([]int{5, 4, 3, 2, 5, 1, 4, 4}, nil)
	require.NoError(t, err)
	require.Equal(t, CSATResult{Satisfied: 0.625, Mean: 3.5, Responses: 8}, c)
	// On a 0–10 scale with satisfied from 7: 7 and 10 of 3.
	c, err = CSAT([]int{7, 10, 6}, &CSATScale{Min: 0, Max: 10, SatisfiedFrom: 7})
	require.NoError(t, err)
	ckClose(t, 2.0/3, c.Satisfied, 1e-15)

	tests := []struct {
		name    string
		answers []int
		want    NPSResult
	}{
		// 10,9,9,10 promoters; 8,7 passives; 6,0,5,3 detractors: (4−4)/10.
		{name: "balanced", answers: []int{10, 9, 9, 8, 7, 6, 0, 10, 5, 3}, want: NPSResult{Score: 0, Promoters: 4, Passives: 2, Detractors: 4}},
		// 4 promoters, 1 passive, 1 detractor of 6: 100·(4−1)/6 = 50.
		{name: "positive", answers: []int{10, 10, 10, 9, 8, 2}, want: NPSResult{Score: 50, Promoters: 4, Passives: 1, Detractors: 1}},
		{name: "all detractors", answers: []int{0, 6}, want: NPSResult{Score: -100, Detractors: 2}},
		{name: "all promoters", answers: []int{9}, want: NPSResult{Score: 100, Promoters: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := NPS(tc.answers)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestKPIRefusals(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	call := func(_ float64, err error) error { return err }
	tests := []struct {
		name string
		err  error
		path string
	}{
		{name: "retention start 0", err: call(RetentionRate(0, 0, 0)), path: "at_start"},
		{name: "retention negative end", err: call(RetentionRate(10, -1, 0)), path: "at_end"},
		{name: "retention negative acquired", err: call(RetentionRate(10, 5, -1)), path: "acquired"},
		{name: "retention acquired above end", err: call(RetentionRate(10, 5, 6)), path: "acquired"},
		{name: "retention more retained than started", err: call(RetentionRate(10, 15, 2)), path: "at_end"},
		{name: "acquisition negative", err: call(AcquisitionRate(-1, 10)), path: "acquired"},
		{name: "acquisition base 0", err: call(AcquisitionRate(1, 0)), path: "base"},
		{name: "growth from 0", err: call(SalesGrowth(0, 10)), path: "previous"},
		{name: "growth NaN", err: call(SalesGrowth(10, nan)), path: "current"},
		{name: "growth overflow", err: call(SalesGrowth(1e-300, 1e300)), path: ""},
		{name: "on time above total", err: call(OnTimeRate(51, 50)), path: "on_time"},
		{name: "on time negative", err: call(OnTimeRate(-1, 50)), path: "on_time"},
		{name: "on time total 0", err: call(OnTimeRate(0, 0)), path: "total"},
		{name: "turnover negative sales", err: call(ReceivablesTurnover(-1, 10)), path: "net_credit_sales"},
		{name: "turnover zero receivables", err: call(ReceivablesTurnover(10, 0)), path: "average_receivables"},
		{name: "turnover overflow", err: call(ReceivablesTurnover(1e300, 1e-300)), path: ""},
		{name: "days zero turnover", err: call(CollectionDays(0, 365)), path: "turnover"},
		{name: "days NaN period", err: call(CollectionDays(10, nan)), path: "period_days"},
		{name: "days overflow", err: call(CollectionDays(1e-300, 1e300)), path: ""},
		{name: "margin zero revenue", err: call(ProfitMargin(1, 0)), path: "revenue"},
		{name: "margin Inf profit", err: call(ProfitMargin(math.Inf(1), 1)), path: "profit"},
		{name: "margin overflow", err: call(ProfitMargin(1e300, 1e-300)), path: ""},
		{name: "share above market", err: call(MarketShare(11, 10)), path: "own"},
		{name: "share negative", err: call(MarketShare(-1, 10)), path: "own"},
		{name: "share zero market", err: call(MarketShare(0, 0)), path: "market"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ckInvalid(t, tc.err, tc.path)
		})
	}
}

func TestSurveyAndForecastRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func() error
		path string
	}{
		{name: "forecast empty", call: func() error { _, err := ForecastAccuracy(nil, nil); return err }, path: "actual"},
		{name: "forecast unequal", call: func() error { _, err := ForecastAccuracy([]float64{1, 2}, []float64{1}); return err }, path: "forecast"},
		{name: "forecast NaN actual", call: func() error { _, err := ForecastAccuracy([]float64{math.NaN()}, []float64{1}); return err }, path: "actual[0]"},
		{name: "forecast Inf forecast", call: func() error { _, err := ForecastAccuracy([]float64{1}, []float64{math.Inf(1)}); return err }, path: "forecast[0]"},
		{name: "forecast all actuals 0", call: func() error { _, err := ForecastAccuracy([]float64{0, 0}, []float64{1, 2}); return err }, path: "actual"},
		{name: "forecast overflow", call: func() error {
			_, err := ForecastAccuracy([]float64{-math.MaxFloat64}, []float64{math.MaxFloat64})
			return err
		}, path: ""},
		{name: "CSAT empty", call: func() error { _, err := CSAT(nil, nil); return err }, path: "answers"},
		{name: "CSAT off scale", call: func() error { _, err := CSAT([]int{3, 6}, nil); return err }, path: "answers[1]"},
		{name: "CSAT reversed scale", call: func() error { _, err := CSAT([]int{3}, &CSATScale{Min: 5, Max: 1, SatisfiedFrom: 3}); return err }, path: "scale.max"},
		{name: "CSAT satisfied off scale", call: func() error { _, err := CSAT([]int{3}, &CSATScale{Min: 1, Max: 5, SatisfiedFrom: 6}); return err }, path: "scale.satisfied_from"},
		{name: "NPS empty", call: func() error { _, err := NPS(nil); return err }, path: "answers"},
		{name: "NPS 11", call: func() error { _, err := NPS([]int{10, 11}); return err }, path: "answers[1]"},
		{name: "NPS negative", call: func() error { _, err := NPS([]int{-1}); return err }, path: "answers[0]"},
		{name: "NPS counts negative", call: func() error { _, err := NPSFromCounts(1, -1, 0); return err }, path: "passives"},
		{name: "NPS counts zero", call: func() error { _, err := NPSFromCounts(0, 0, 0); return err }, path: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ckInvalid(t, tc.call(), tc.path)
		})
	}
}
