package scoring

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func ckChurnModel(tb testing.TB, o ChurnOptions) *ChurnModel {
	tb.Helper()
	m, err := NewChurnModel(o)
	require.NoError(tb, err)
	return m
}

func TestChurnRiskHandComputed(t *testing.T) {
	t.Parallel()
	m := ckChurnModel(t, ChurnOptions{})
	tests := []struct {
		name    string
		s       ChurnSignals
		score   float64
		level   RiskLevel
		main    string
		contrib []float64
	}{
		{
			// Factors: 1 − 0.3 = 0.7; 90/(90+90) = 0.5; 2/(2+2) = 0.5;
			// 1/(1+1) = 0.5; (5−2)/(5−1) = 0.75. Default weights 0.35, 0.15,
			// 0.15, 0.15, 0.2 → 0.245 + 0.075 + 0.075 + 0.075 + 0.15 = 0.62.
			name:  "all signals",
			s:     ChurnSignals{PAlive: 0.3, HasPAlive: true, RecencyDays: 90, HasRecency: true, Complaints: 2, OpenComplaints: 1, Satisfaction: 2, HasSatisfaction: true},
			score: 0.62, level: RiskMedium, main: FactorPAlive,
			contrib: []float64{0.245, 0.075, 0.075, 0.075, 0.15},
		},
		{
			// Only recency and complaints known: weights 0.15 each of 0.45
			// → 1/3 each. Recency 270/(270+90) = 0.75, complaints 0 → 0.25.
			name:  "missing signals share their weight",
			s:     ChurnSignals{RecencyDays: 270, HasRecency: true},
			score: 0.25, level: RiskLow, main: FactorRecency,
			contrib: []float64{0, 0.25, 0, 0, 0},
		},
		{
			// P(alive) 0 → 1; recency 810 → 810/900 = 0.9; complaints 6 →
			// 0.75; open 3 → 0.75; satisfaction 1 → 1.
			// 0.35 + 0.135 + 0.1125 + 0.1125 + 0.2 = 0.91.
			name:  "high risk",
			s:     ChurnSignals{PAlive: 0, HasPAlive: true, RecencyDays: 810, HasRecency: true, Complaints: 6, OpenComplaints: 3, Satisfaction: 1, HasSatisfaction: true},
			score: 0.91, level: RiskHigh, main: FactorPAlive,
			contrib: []float64{0.35, 0.135, 0.1125, 0.1125, 0.2},
		},
		{
			name:  "no risk at all",
			s:     ChurnSignals{PAlive: 1, HasPAlive: true, RecencyDays: 0, HasRecency: true, Satisfaction: 5, HasSatisfaction: true},
			score: 0, level: RiskLow, main: "",
			contrib: []float64{0, 0, 0, 0, 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := m.Risk(tc.s)
			require.NoError(t, err)
			ckClose(t, tc.score, r.Score, 1e-12)
			require.Equal(t, tc.level, r.Level)
			require.Equal(t, tc.main, r.Main)
			require.Len(t, r.Factors, 5)
			names := []string{FactorPAlive, FactorRecency, FactorComplaints, FactorOpenComplaints, FactorSatisfaction}
			for i, f := range r.Factors {
				require.Equal(t, names[i], f.Name)
				ckClose(t, tc.contrib[i], f.Contribution, 1e-12, "factor %s", f.Name)
			}
		})
	}
}

func TestChurnRiskCustomOptions(t *testing.T) {
	t.Parallel()
	m := ckChurnModel(t, ChurnOptions{
		Weights:         ChurnWeights{Recency: 0.5, Satisfaction: 0.5},
		RecencyHalfRisk: 30,
		SatisfactionMin: 0, SatisfactionMax: 10,
		MediumAt: 0.2, HighAt: 0.5,
	})
	// Recency 10 → 10/40 = 0.25; satisfaction 6 of 0..10 → 0.4.
	// 0.5·0.25 + 0.5·0.4 = 0.325 → medium (0.2 ≤ 0.325 < 0.5).
	r, err := m.Risk(ChurnSignals{RecencyDays: 10, HasRecency: true, Satisfaction: 6, HasSatisfaction: true, Complaints: 9})
	require.NoError(t, err)
	ckClose(t, 0.325, r.Score, 1e-12)
	require.Equal(t, RiskMedium, r.Level)
	require.Equal(t, FactorSatisfaction, r.Main)
	// Complaints have weight 0 here: they show but add nothing.
	require.Equal(t, 0.0, r.Factors[2].Contribution)
	ckClose(t, 9.0/11, r.Factors[2].Value, 1e-12)
}

func TestChurnRiskProperties(t *testing.T) {
	t.Parallel()
	m := ckChurnModel(t, ChurnOptions{})
	rng := rand.New(rand.NewPCG(15, 16))
	for range 2000 {
		c := rng.IntN(20)
		s := ChurnSignals{
			PAlive: rng.Float64(), HasPAlive: rng.IntN(2) == 0,
			RecencyDays: rng.ExpFloat64() * 100, HasRecency: rng.IntN(2) == 0,
			Complaints: c, OpenComplaints: rng.IntN(c + 1),
			Satisfaction: 1 + 4*rng.Float64(), HasSatisfaction: rng.IntN(2) == 0,
		}
		r, err := m.Risk(s)
		require.NoError(t, err)
		require.True(t, r.Score >= 0 && r.Score <= 1, "score %v", r.Score)
		sumC, sumW := 0.0, 0.0
		for _, f := range r.Factors {
			require.True(t, f.Value >= 0 && f.Value <= 1)
			sumC += f.Contribution
			sumW += f.Weight
			if !f.Known {
				require.Equal(t, 0.0, f.Weight)
			}
		}
		ckClose(t, r.Score, sumC, 1e-12)
		ckClose(t, 1, sumW, 1e-12)
		// One more complaint never lowers the risk.
		s.Complaints++
		r2, err := m.Risk(s)
		require.NoError(t, err)
		require.GreaterOrEqual(t, r2.Score, r.Score)
	}
}

func TestChurnRiskRefusals(t *testing.T) {
	t.Parallel()
	m := ckChurnModel(t, ChurnOptions{})
	tests := []struct {
		name string
		s    ChurnSignals
		path string
	}{
		{name: "P(alive) above 1", s: ChurnSignals{PAlive: 1.2, HasPAlive: true}, path: "p_alive"},
		{name: "P(alive) NaN", s: ChurnSignals{PAlive: math.NaN(), HasPAlive: true}, path: "p_alive"},
		{name: "negative recency", s: ChurnSignals{RecencyDays: -1, HasRecency: true}, path: "recency_days"},
		{name: "Inf recency", s: ChurnSignals{RecencyDays: math.Inf(1), HasRecency: true}, path: "recency_days"},
		{name: "negative complaints", s: ChurnSignals{Complaints: -1}, path: "complaints"},
		{name: "negative open complaints", s: ChurnSignals{Complaints: 1, OpenComplaints: -1}, path: "open_complaints"},
		{name: "more open than complaints", s: ChurnSignals{Complaints: 1, OpenComplaints: 2}, path: "open_complaints"},
		{name: "satisfaction off scale", s: ChurnSignals{Satisfaction: 6, HasSatisfaction: true}, path: "satisfaction"},
		{name: "satisfaction NaN", s: ChurnSignals{Satisfaction: math.NaN(), HasSatisfaction: true}, path: "satisfaction"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := m.Risk(tc.s)
			ckInvalid(t, err, tc.path)
		})
	}
	// A model that only weighs P(alive), asked without it.
	only := ckChurnModel(t, ChurnOptions{Weights: ChurnWeights{PAlive: 1}})
	_, err := only.Risk(ChurnSignals{Complaints: 3})
	ckInvalid(t, err, "")
}

func TestNewChurnModelRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    ChurnOptions
		path string
	}{
		{name: "weights below 1", o: ChurnOptions{Weights: ChurnWeights{PAlive: 0.5}}, path: "weights"},
		{name: "negative weight", o: ChurnOptions{Weights: ChurnWeights{PAlive: 1.5, Recency: -0.5}}, path: "weights.recency"},
		{name: "NaN weight", o: ChurnOptions{Weights: ChurnWeights{Satisfaction: math.NaN()}}, path: "weights.satisfaction"},
		{name: "negative half risk", o: ChurnOptions{RecencyHalfRisk: -1}, path: "recency_half_risk"},
		{name: "Inf complaints half risk", o: ChurnOptions{ComplaintsHalfRisk: math.Inf(1)}, path: "complaints_half_risk"},
		{name: "negative open half risk", o: ChurnOptions{OpenHalfRisk: -2}, path: "open_half_risk"},
		{name: "reversed scale", o: ChurnOptions{SatisfactionMin: 5, SatisfactionMax: 1}, path: "satisfaction_max"},
		{name: "NaN scale", o: ChurnOptions{SatisfactionMin: math.NaN(), SatisfactionMax: 1}, path: "satisfaction_max"},
		{name: "medium above high", o: ChurnOptions{MediumAt: 0.8, HighAt: 0.5}, path: "high_at"},
		{name: "medium of 1", o: ChurnOptions{MediumAt: 1}, path: "medium_at"},
		{name: "high above 1", o: ChurnOptions{HighAt: 1.5}, path: "high_at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := NewChurnModel(tc.o)
			ckInvalid(t, err, tc.path)
			require.Nil(t, m)
		})
	}
}

func TestRiskLevelEnum(t *testing.T) {
	t.Parallel()
	for _, l := range []RiskLevel{RiskLow, RiskMedium, RiskHigh} {
		got, err := ParseRiskLevel(l.String())
		require.NoError(t, err)
		require.Equal(t, l, got)
		b, err := l.MarshalText()
		require.NoError(t, err)
		var back RiskLevel
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, l, back)
	}
	_, err := ParseRiskLevel("extreme")
	ckInvalid(t, err, "")
}
