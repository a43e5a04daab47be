package scoring

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

var ckNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func ckLeadRules() LeadRules {
	return LeadRules{
		Fit: []FitRule{
			{Name: "retail", Field: "industry", Op: OpEquals, Values: []string{"retail"}, Points: 20},
			{Name: "size", Field: "employees", Op: OpGreaterOrEqual, Number: 100, Points: 15},
			{Name: "region", Field: "country", Op: OpIn, Values: []string{"CN", "SG"}, Points: 10},
			{Name: "free mail", Field: "email", Op: OpContains, Values: []string{"gmail"}, Points: -10},
			{Name: "has title", Field: "title", Op: OpPresent, Points: 5},
			{Name: "budget", Field: "budget", Op: OpBetween, Number: 10_000, Upper: 50_000, Points: 10},
		},
		Engagement: []EngagementRule{
			{Name: "opens", Activity: "email_open", Points: 2, Cap: 10},
			{Name: "demo", Activity: "demo_request", Points: 30},
			{Name: "unsubscribed", Activity: "unsubscribe", Points: -20},
		},
		HalfLife: 30 * 24 * time.Hour,
		Grades:   []Grade{{Name: "C", Min: 0}, {Name: "A", Min: 60}, {Name: "D", Min: -100}, {Name: "B", Min: 30}},
	}
}

func ckLeadScorer(tb testing.TB) *LeadScorer {
	tb.Helper()
	s, err := NewLeadScorer(ckLeadRules())
	require.NoError(tb, err)
	return s
}

func ckActivities(typ string, n int, at time.Time) []Activity {
	out := make([]Activity, n)
	for i := range out {
		out[i] = Activity{Type: typ, At: at}
	}
	return out
}

func TestLeadScoreHandComputed(t *testing.T) {
	t.Parallel()
	s := ckLeadScorer(t)
	acts := append(ckActivities("email_open", 13, ckNow), Activity{Type: "demo_request", At: ckNow.Add(-30 * 24 * time.Hour)}, Activity{Type: "page_view", At: ckNow})
	got, err := s.Score(LeadFacts{
		Fields:     map[string]string{"industry": " Retail ", "country": "sg", "email": "X@GMAIL.com"},
		Numbers:    map[string]float64{"employees": 250, "budget": 20_000},
		Activities: acts,
	}, ckNow)
	require.NoError(t, err)
	// Fit: retail 20 + size 15 + region 10 + free mail −10 + budget 10 = 45
	// (no title). Engagement: 13 opens × 2 = 26, capped at 10; the demo is
	// one half-life old: 30 × 0.5 = 15; page views have no rule.
	// Total 45 + 25 = 70 → grade A (≥ 60).
	ckClose(t, 45, got.Fit, 1e-12)
	ckClose(t, 25, got.Engagement, 1e-12)
	ckClose(t, 70, got.Total, 1e-12)
	require.Equal(t, "A", got.Grade)
	require.Equal(t, []ScoreReason{
		{Rule: "retail", Count: 1, Points: 20},
		{Rule: "size", Count: 1, Points: 15},
		{Rule: "region", Count: 1, Points: 10},
		{Rule: "free mail", Count: 1, Points: -10},
		{Rule: "budget", Count: 1, Points: 10},
		{Rule: "opens", Engagement: true, Count: 13, Points: 10},
		{Rule: "demo", Engagement: true, Count: 1, Points: 15},
	}, got.Reasons)
}

func TestLeadScoreDecayAndGrades(t *testing.T) {
	t.Parallel()
	s := ckLeadScorer(t)
	day := 24 * time.Hour
	tests := []struct {
		name  string
		acts  []Activity
		total float64
		grade string
	}{
		// Two half-lives: −20 × 0.25 = −5 → below C (0), within D (−100).
		{name: "old unsubscribe", acts: ckActivities("unsubscribe", 1, ckNow.Add(-60*day)), total: -5, grade: "D"},
		// −200 is below every grade: the lowest catches it.
		{name: "far below the lowest grade", acts: ckActivities("unsubscribe", 10, ckNow), total: -200, grade: "D"},
		// A future activity counts as age 0.
		{name: "future activity", acts: ckActivities("demo_request", 1, ckNow.Add(time.Hour)), total: 30, grade: "B"},
		// 45 days = 1.5 half-lives: 30 × 2^−1.5 = 10.6066.
		{name: "one and a half half-lives", acts: ckActivities("demo_request", 1, ckNow.Add(-45*day)), total: 30 * math.Pow(2, -1.5), grade: "C"},
		{name: "nothing", total: 0, grade: "C"},
		// Grade minimums are inclusive: exactly 30 is B.
		{name: "on the boundary", acts: ckActivities("demo_request", 1, ckNow), total: 30, grade: "B"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Score(LeadFacts{Activities: tc.acts}, ckNow)
			require.NoError(t, err)
			ckClose(t, tc.total, got.Total, 1e-9)
			require.Equal(t, tc.grade, got.Grade)
		})
	}
	// Without a half-life nothing decays; without grades there is no grade.
	flat, err := NewLeadScorer(LeadRules{Engagement: []EngagementRule{{Name: "demo", Activity: "demo_request", Points: 30}}})
	require.NoError(t, err)
	got, err := flat.Score(LeadFacts{Activities: ckActivities("demo_request", 2, ckNow.AddDate(-5, 0, 0))}, ckNow)
	require.NoError(t, err)
	ckClose(t, 60, got.Total, 1e-12)
	require.Equal(t, "", got.Grade)
}

func TestFitRuleOperators(t *testing.T) {
	t.Parallel()
	facts := LeadFacts{
		Fields:  map[string]string{"industry": "Retail", "region": "EU"},
		Numbers: map[string]float64{"employees": 100},
	}
	tests := []struct {
		name string
		rule FitRule
		want bool
	}{
		{name: "eq ignores case", rule: FitRule{Field: "industry", Op: OpEquals, Values: []string{"RETAIL"}}, want: true},
		{name: "eq other", rule: FitRule{Field: "industry", Op: OpEquals, Values: []string{"bank"}}, want: false},
		{name: "eq missing field", rule: FitRule{Field: "title", Op: OpEquals, Values: []string{"x"}}, want: false},
		{name: "ne", rule: FitRule{Field: "industry", Op: OpNotEquals, Values: []string{"bank"}}, want: true},
		{name: "ne same", rule: FitRule{Field: "industry", Op: OpNotEquals, Values: []string{"retail"}}, want: false},
		{name: "ne missing field", rule: FitRule{Field: "title", Op: OpNotEquals, Values: []string{"x"}}, want: false},
		{name: "in", rule: FitRule{Field: "region", Op: OpIn, Values: []string{"US", "eu"}}, want: true},
		{name: "not in", rule: FitRule{Field: "region", Op: OpNotIn, Values: []string{"US", "APAC"}}, want: true},
		{name: "not in, listed", rule: FitRule{Field: "region", Op: OpNotIn, Values: []string{"EU"}}, want: false},
		{name: "not in, missing", rule: FitRule{Field: "title", Op: OpNotIn, Values: []string{"EU"}}, want: false},
		{name: "contains", rule: FitRule{Field: "industry", Op: OpContains, Values: []string{"TAI"}}, want: true},
		{name: "present text", rule: FitRule{Field: "region", Op: OpPresent}, want: true},
		{name: "present number", rule: FitRule{Field: "employees", Op: OpPresent}, want: true},
		{name: "absent", rule: FitRule{Field: "title", Op: OpAbsent}, want: true},
		{name: "absent but present", rule: FitRule{Field: "employees", Op: OpAbsent}, want: false},
		{name: "gt at the bound", rule: FitRule{Field: "employees", Op: OpGreater, Number: 100}, want: false},
		{name: "gte at the bound", rule: FitRule{Field: "employees", Op: OpGreaterOrEqual, Number: 100}, want: true},
		{name: "lt at the bound", rule: FitRule{Field: "employees", Op: OpLess, Number: 100}, want: false},
		{name: "lte at the bound", rule: FitRule{Field: "employees", Op: OpLessOrEqual, Number: 100}, want: true},
		{name: "between inclusive", rule: FitRule{Field: "employees", Op: OpBetween, Number: 50, Upper: 100}, want: true},
		{name: "between outside", rule: FitRule{Field: "employees", Op: OpBetween, Number: 101, Upper: 200}, want: false},
		{name: "number rule on a text field", rule: FitRule{Field: "industry", Op: OpGreater, Number: 0}, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tc.rule
			r.Name, r.Points = "r", 7
			s, err := NewLeadScorer(LeadRules{Fit: []FitRule{r}})
			require.NoError(t, err)
			got, err := s.Score(facts, ckNow)
			require.NoError(t, err)
			want := 0.0
			if tc.want {
				want = 7
			}
			require.Equal(t, want, got.Total)
		})
	}
}

func TestNewLeadScorerRefusals(t *testing.T) {
	t.Parallel()
	fit := func(r FitRule) LeadRules {
		if r.Name == "" {
			r.Name = "r"
		}
		return LeadRules{Fit: []FitRule{r}}
	}
	tests := []struct {
		name  string
		rules LeadRules
		path  string
	}{
		{name: "no rules", rules: LeadRules{}, path: ""},
		{name: "empty name", rules: LeadRules{Fit: []FitRule{{Field: "f", Op: OpPresent}}}, path: "fit[0].name"},
		{name: "duplicate name across kinds", rules: LeadRules{
			Fit:        []FitRule{{Name: "x", Field: "f", Op: OpPresent}},
			Engagement: []EngagementRule{{Name: "x", Activity: "a", Points: 1}},
		}, path: "engagement[0].name"},
		{name: "empty field", rules: fit(FitRule{Op: OpPresent}), path: "fit[0].field"},
		{name: "unknown operator", rules: fit(FitRule{Field: "f", Op: 99}), path: "fit[0].op"},
		{name: "eq without value", rules: fit(FitRule{Field: "f", Op: OpEquals}), path: "fit[0].values"},
		{name: "eq with two values", rules: fit(FitRule{Field: "f", Op: OpEquals, Values: []string{"a", "b"}}), path: "fit[0].values"},
		{name: "in without values", rules: fit(FitRule{Field: "f", Op: OpIn}), path: "fit[0].values"},
		{name: "gt with values", rules: fit(FitRule{Field: "f", Op: OpGreater, Values: []string{"1"}}), path: "fit[0].values"},
		{name: "gt with NaN", rules: fit(FitRule{Field: "f", Op: OpGreater, Number: math.NaN()}), path: "fit[0].number"},
		{name: "between reversed", rules: fit(FitRule{Field: "f", Op: OpBetween, Number: 5, Upper: 1}), path: "fit[0].upper"},
		{name: "between Inf", rules: fit(FitRule{Field: "f", Op: OpBetween, Number: 5, Upper: math.Inf(1)}), path: "fit[0].upper"},
		{name: "NaN points", rules: fit(FitRule{Field: "f", Op: OpPresent, Points: math.NaN()}), path: "fit[0].points"},
		{name: "empty activity", rules: LeadRules{Engagement: []EngagementRule{{Name: "e", Points: 1}}}, path: "engagement[0].activity"},
		{name: "Inf engagement points", rules: LeadRules{Engagement: []EngagementRule{{Name: "e", Activity: "a", Points: math.Inf(-1)}}}, path: "engagement[0].points"},
		{name: "negative cap", rules: LeadRules{Engagement: []EngagementRule{{Name: "e", Activity: "a", Cap: -1}}}, path: "engagement[0].cap"},
		{name: "negative half-life", rules: LeadRules{Engagement: []EngagementRule{{Name: "e", Activity: "a"}}, HalfLife: -time.Hour}, path: "half_life"},
		{name: "grade without name", rules: LeadRules{Fit: []FitRule{{Name: "r", Field: "f", Op: OpPresent}}, Grades: []Grade{{Min: 1}}}, path: "grades[0].name"},
		{name: "duplicate grade", rules: LeadRules{Fit: []FitRule{{Name: "r", Field: "f", Op: OpPresent}}, Grades: []Grade{{Name: "A", Min: 1}, {Name: "A", Min: 2}}}, path: "grades[1].name"},
		{name: "grades with equal minimum", rules: LeadRules{Fit: []FitRule{{Name: "r", Field: "f", Op: OpPresent}}, Grades: []Grade{{Name: "A", Min: 1}, {Name: "B", Min: 1}}}, path: "grades[1].min"},
		{name: "grade NaN minimum", rules: LeadRules{Fit: []FitRule{{Name: "r", Field: "f", Op: OpPresent}}, Grades: []Grade{{Name: "A", Min: math.NaN()}}}, path: "grades[0].min"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewLeadScorer(tc.rules)
			ckInvalid(t, err, tc.path)
			require.Nil(t, s)
		})
	}
}

func TestLeadScoreRefusals(t *testing.T) {
	t.Parallel()
	s := ckLeadScorer(t)
	tests := []struct {
		name  string
		facts LeadFacts
		now   time.Time
		path  string
	}{
		{name: "zero now", now: time.Time{}, path: "now"},
		{name: "NaN number", facts: LeadFacts{Numbers: map[string]float64{"employees": math.NaN()}}, now: ckNow, path: "numbers.employees"},
		{name: "activity without type", facts: LeadFacts{Activities: []Activity{{At: ckNow}}}, now: ckNow, path: "activities[0].type"},
		{name: "activity without time", facts: LeadFacts{Activities: []Activity{{Type: "x"}}}, now: ckNow, path: "activities[0].at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.Score(tc.facts, tc.now)
			ckInvalid(t, err, tc.path)
		})
	}
	huge, err := NewLeadScorer(LeadRules{Fit: []FitRule{
		{Name: "a", Field: "f", Op: OpPresent, Points: math.MaxFloat64},
		{Name: "b", Field: "f", Op: OpPresent, Points: math.MaxFloat64},
	}})
	require.NoError(t, err)
	_, err = huge.Score(LeadFacts{Fields: map[string]string{"f": "x"}}, ckNow)
	ckInvalid(t, err, "")
}

func TestLeadScorerIsolatedFromCaller(t *testing.T) {
	t.Parallel()
	rules := ckLeadRules()
	s, err := NewLeadScorer(rules)
	require.NoError(t, err)
	rules.Fit[0].Values[0] = "bank"
	rules.Fit[1].Points = 1000
	rules.Grades[0].Name = "Z"
	got, err := s.Score(LeadFacts{Fields: map[string]string{"industry": "retail"}}, ckNow)
	require.NoError(t, err)
	require.Equal(t, 20.0, got.Total)
	require.Equal(t, "C", got.Grade)
}

func TestLeadRulesJSONRoundTrip(t *testing.T) {
	t.Parallel()
	rules := ckLeadRules()
	b, err := json.Marshal(rules)
	require.NoError(t, err)
	require.Contains(t, string(b), `"op":"gte"`)
	var back LeadRules
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, rules, back)
	require.Error(t, json.Unmarshal([]byte(`{"fit":[{"name":"x","field":"f","op":"approximately"}]}`), &back))
}

func FuzzLeadRulesJSON(f *testing.F) {
	seed, err := json.Marshal(ckLeadRules())
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"fit":[{"name":"x","field":"f","op":"between","number":1,"upper":0}]}`))
	f.Add([]byte(`{"engagement":[{"name":"e","activity":"a","points":1e308,"cap":0}],"half_life":1}`))
	f.Add([]byte(`{"grades":[{"name":"A","min":-1e308}]}`))
	facts := LeadFacts{
		Fields:     map[string]string{"industry": "retail", "f": "x", "country": "SG"},
		Numbers:    map[string]float64{"f": 3, "employees": 120},
		Activities: []Activity{{Type: "a", At: ckNow.Add(-time.Hour)}, {Type: "email_open", At: ckNow}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var rules LeadRules
		if json.Unmarshal(data, &rules) != nil {
			return
		}
		// Round trip: what marshals back must unmarshal to the same rules.
		b, err := json.Marshal(rules)
		if err != nil {
			return // e.g. an operator value outside the enum
		}
		var again LeadRules
		require.NoError(t, json.Unmarshal(b, &again))
		b2, err := json.Marshal(again)
		require.NoError(t, err)
		require.JSONEq(t, string(b), string(b2))
		s, err := NewLeadScorer(rules)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		got, err := s.Score(facts, ckNow)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		require.False(t, math.IsNaN(got.Total) || math.IsInf(got.Total, 0))
	})
}

func TestRuleOpEnum(t *testing.T) {
	t.Parallel()
	for op := OpEquals; op <= OpBetween; op++ {
		got, err := ParseRuleOp(op.String())
		require.NoError(t, err)
		require.Equal(t, op, got)
		b, err := op.MarshalText()
		require.NoError(t, err)
		var back RuleOp
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, op, back)
	}
	_, err := ParseRuleOp("like")
	ckInvalid(t, err, "")
	require.False(t, RuleOp(0).Valid())
}
