package scoring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func ckOutcomes(team, stage, source string, won bool, n int) []LeadOutcome {
	out := make([]LeadOutcome, n)
	for i := range out {
		out[i] = LeadOutcome{Team: team, Stage: stage, Fields: map[string]string{"source": source}, Won: won}
	}
	return out
}

func ckTrain(tb testing.TB, history []LeadOutcome, opts NaiveBayesOptions) *LeadModel {
	tb.Helper()
	m, err := TrainLeadModel(slices.Values(history), opts)
	require.NoError(tb, err)
	return m
}

func TestLeadModelHandComputed(t *testing.T) {
	t.Parallel()
	// web: 3 won, 1 lost; fair: 1 won, 3 lost. W = L = 4, α = 1, K = 2.
	history := slices.Concat(
		ckOutcomes("", "", "web", true, 3), ckOutcomes("", "", "web", false, 1),
		ckOutcomes("", "", "fair", true, 1), ckOutcomes("", "", "fair", false, 3),
	)
	m := ckTrain(t, history, NaiveBayesOptions{Fields: []string{"source"}})
	tests := []struct {
		name    string
		fields  map[string]string
		percent float64
		logOdds float64
		used    bool
	}{
		// P(web|won) = (3+1)/(4+2) = 2/3, P(web|lost) = (1+1)/(4+2) = 1/3:
		// evidence ln 2, prior ln(5/5) = 0 → odds 2 → 66.67%.
		{name: "web", fields: map[string]string{"source": "web"}, percent: 200.0 / 3, logOdds: math.Ln2, used: true},
		{name: "fair", fields: map[string]string{"source": "fair"}, percent: 100.0 / 3, logOdds: -math.Ln2, used: true},
		// Unseen values and missing fields add nothing: the prior, 50%.
		{name: "unseen value", fields: map[string]string{"source": "tv"}, percent: 50},
		{name: "missing field", fields: nil, percent: 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := m.Predict(LeadQuery{Fields: tc.fields})
			require.NoError(t, err)
			ckClose(t, tc.percent, p.Percent, 1e-9)
			require.Equal(t, 4, p.Won)
			require.Equal(t, 4, p.Lost)
			ckClose(t, 0, p.PriorLogOdds, 1e-15)
			require.Len(t, p.Evidence, 1)
			require.Equal(t, tc.used, p.Evidence[0].Used)
			ckClose(t, tc.logOdds, p.Evidence[0].LogOdds, 1e-12)
		})
	}
}

func TestLeadModelCumulativeByStage(t *testing.T) {
	t.Parallel()
	stages := []string{"new", "qualified", "proposal"}
	history := slices.Concat(
		ckOutcomes("", "new", "web", false, 2),
		ckOutcomes("", "qualified", "fair", false, 1),
		ckOutcomes("", "proposal", "web", true, 2),
	)
	m := ckTrain(t, history, NaiveBayesOptions{Fields: []string{"source"}, Stages: stages})
	tests := []struct {
		stage     string
		percent   float64
		won, lost int
	}{
		// new holds all 5: W = 2, L = 3; web won 2, lost 2; K = 2.
		// P(web|won) = 3/4, P(web|lost) = 3/5; prior odds 3/4.
		// Odds 0.75 · 1.25 = 0.9375 → 0.9375/1.9375 = 48.387%.
		{stage: "new", percent: 48.38709677419355, won: 2, lost: 3},
		// qualified holds the 3 that got that far: W = 2, L = 1; web won
		// 2, lost 0; fair won 0, lost 1; K = 2. P(web|won) = 3/4,
		// P(web|lost) = 1/3; prior odds 3/2. Odds 1.5 · 2.25 = 3.375 →
		// 3.375/4.375 = 77.143%.
		{stage: "qualified", percent: 77.14285714285714, won: 2, lost: 1},
		// proposal: W = 2, L = 0; web only (K = 1): evidence ln(3/3 ÷ 1/1)
		// = 0; prior odds 3/1 → 75%.
		{stage: "proposal", percent: 75, won: 2, lost: 0},
	}
	for _, tc := range tests {
		t.Run(tc.stage, func(t *testing.T) {
			t.Parallel()
			p, err := m.Predict(LeadQuery{Stage: tc.stage, Fields: map[string]string{"source": "web"}})
			require.NoError(t, err)
			ckClose(t, tc.percent, p.Percent, 1e-9)
			require.Equal(t, tc.won, p.Won)
			require.Equal(t, tc.lost, p.Lost)
		})
	}
}

func TestLeadModelPerTeam(t *testing.T) {
	t.Parallel()
	history := slices.Concat(
		ckOutcomes("north", "", "web", true, 2),
		ckOutcomes("south", "", "web", false, 2),
	)
	web := map[string]string{"source": "web"}
	tests := []struct {
		name    string
		minTeam int
		team    string
		percent float64
		pooled  bool
	}{
		// north: W = 2, L = 0, web says nothing (K = 1): prior 3/1 → 75%.
		{name: "own team", team: "north", percent: 75},
		// south: prior 1/3 → 25%.
		{name: "other team", team: "south", percent: 25},
		// All teams: W = L = 2 → 50%.
		{name: "unknown team uses all teams", team: "east", percent: 50, pooled: true},
		{name: "too little team history", minTeam: 3, team: "north", percent: 50, pooled: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := ckTrain(t, history, NaiveBayesOptions{Fields: []string{"source"}, MinTeamOutcomes: tc.minTeam})
			p, err := m.Predict(LeadQuery{Team: tc.team, Fields: web})
			require.NoError(t, err)
			ckClose(t, tc.percent, p.Percent, 1e-9)
			require.Equal(t, tc.pooled, p.Pooled)
			if !tc.pooled {
				require.Equal(t, tc.team, p.Team)
			}
		})
	}
}

func TestLeadModelNeverCertain(t *testing.T) {
	t.Parallel()
	fields := []string{"a", "b", "c"}
	var history []LeadOutcome
	for i := range 10_000 {
		v := "x"
		if i%2 == 1 {
			v = "y"
		}
		history = append(history, LeadOutcome{Fields: map[string]string{"a": v, "b": v, "c": v}, Won: v == "x"})
	}
	m := ckTrain(t, history, NaiveBayesOptions{Fields: fields})
	// Each field's evidence is ln(5001/5002 ÷ 1/5002) = ln 5001, three of
	// them: odds 5001³ ≈ 1.25e11, which rounds to 100% without the bound.
	win, err := m.Predict(LeadQuery{Fields: map[string]string{"a": "x", "b": "x", "c": "x"}})
	require.NoError(t, err)
	require.Equal(t, MaxWinPercent, win.Percent)
	ckClose(t, 3*math.Log(5001), win.Evidence[0].LogOdds+win.Evidence[1].LogOdds+win.Evidence[2].LogOdds, 1e-9)
	lose, err := m.Predict(LeadQuery{Fields: map[string]string{"a": "y", "b": "y", "c": "y"}})
	require.NoError(t, err)
	require.Equal(t, MinWinPercent, lose.Percent)
}

func TestLeadModelProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(17, 18))
	stages := []string{"s1", "s2", "s3"}
	fields := []string{"f1", "f2", "f3", "f4"}
	var history []LeadOutcome
	for range 3000 {
		o := LeadOutcome{Team: fmt.Sprint("t", rng.IntN(3)), Stage: stages[rng.IntN(3)], Fields: map[string]string{}, Won: rng.IntN(3) == 0}
		for _, f := range fields {
			if rng.IntN(5) > 0 {
				o.Fields[f] = fmt.Sprint("v", rng.IntN(6))
			}
		}
		history = append(history, o)
	}
	m := ckTrain(t, history, NaiveBayesOptions{Fields: fields, Stages: stages, Smoothing: 0.5})
	for range 500 {
		q := LeadQuery{Team: fmt.Sprint("t", rng.IntN(4)), Stage: stages[rng.IntN(3)], Fields: map[string]string{}}
		for _, f := range fields {
			q.Fields[f] = fmt.Sprint("v", rng.IntN(8))
		}
		p, err := m.Predict(q)
		require.NoError(t, err)
		require.True(t, p.Percent >= MinWinPercent && p.Percent <= MaxWinPercent, "percent %v", p.Percent)
		// The explanation adds up: prior + evidence is the log-odds.
		lo := p.PriorLogOdds
		for _, e := range p.Evidence {
			if !e.Used {
				require.Equal(t, 0.0, e.LogOdds)
			}
			lo += e.LogOdds
		}
		ckClose(t, p.Percent, 100/(1+math.Exp(-lo)), 1e-9)
	}
}

func TestTrainLeadModelRefusals(t *testing.T) {
	t.Parallel()
	one := ckOutcomes("", "", "web", true, 1)
	tests := []struct {
		name    string
		history []LeadOutcome
		opts    NaiveBayesOptions
		path    string
	}{
		{name: "no fields", history: one, opts: NaiveBayesOptions{}, path: "fields"},
		{name: "empty field", history: one, opts: NaiveBayesOptions{Fields: []string{""}}, path: "fields[0]"},
		{name: "duplicate field", history: one, opts: NaiveBayesOptions{Fields: []string{"a", "a"}}, path: "fields[1]"},
		{name: "empty stage", history: one, opts: NaiveBayesOptions{Fields: []string{"a"}, Stages: []string{""}}, path: "stages[0]"},
		{name: "duplicate stage", history: one, opts: NaiveBayesOptions{Fields: []string{"a"}, Stages: []string{"s", "s"}}, path: "stages[1]"},
		{name: "negative smoothing", history: one, opts: NaiveBayesOptions{Fields: []string{"a"}, Smoothing: -1}, path: "smoothing"},
		{name: "NaN smoothing", history: one, opts: NaiveBayesOptions{Fields: []string{"a"}, Smoothing: math.NaN()}, path: "smoothing"},
		{name: "huge smoothing", history: one, opts: NaiveBayesOptions{Fields: []string{"a"}, Smoothing: MaxSmoothing * 2}, path: "smoothing"},
		{name: "negative min team outcomes", history: one, opts: NaiveBayesOptions{Fields: []string{"a"}, MinTeamOutcomes: -1}, path: "min_team_outcomes"},
		{name: "no history", opts: NaiveBayesOptions{Fields: []string{"a"}}, path: "history"},
		{name: "unknown stage", history: ckOutcomes("", "won", "web", true, 1), opts: NaiveBayesOptions{Fields: []string{"a"}, Stages: []string{"new"}}, path: "stage"},
		{name: "stage without stages", history: ckOutcomes("", "new", "web", true, 1), opts: NaiveBayesOptions{Fields: []string{"a"}}, path: "stage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := TrainLeadModel(slices.Values(tc.history), tc.opts)
			ckInvalid(t, err, tc.path)
			require.Nil(t, m)
		})
	}
	m := ckTrain(t, one, NaiveBayesOptions{Fields: []string{"source"}})
	_, err := m.Predict(LeadQuery{Stage: "new"})
	ckInvalid(t, err, "stage")
}
