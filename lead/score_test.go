package lead_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/scoring"
)

func testScorer(t testing.TB) *scoring.LeadScorer {
	t.Helper()
	s, err := scoring.NewLeadScorer(scoring.LeadRules{
		Fit: []scoring.FitRule{
			{Name: "hospitality", Field: "industry", Op: scoring.OpEquals, Values: []string{"hospitality"}, Points: 20},
			{Name: "mid size", Field: "company_size", Op: scoring.OpBetween, Number: 100, Upper: 1000, Points: 15},
			{Name: "wants maintenance", Field: "topic.maintenance", Op: scoring.OpPresent, Points: 5},
		},
		Engagement: []scoring.EngagementRule{{Name: "visits", Activity: "web_visit", Points: 10}},
		HalfLife:   7 * 24 * time.Hour,
		Grades:     []scoring.Grade{{Name: "cold", Min: 0}, {Name: "hot", Min: 50}},
	})
	require.NoError(t, err)
	return s
}

func TestApplyScoreKeepsExplanation(t *testing.T) {
	t.Parallel()
	l := newLead(t)
	acts := []scoring.Activity{{Type: "web_visit", At: t0}, {Type: "web_visit", At: t0.Add(-7 * 24 * time.Hour)}}
	s, err := l.ApplyScore(testScorer(t), acts, chg(1))
	require.NoError(t, err)
	require.Equal(t, 40.0, s.Fit)
	require.InDelta(t, 15.0, s.Engagement, 0.01, "a week-old visit counts half")
	require.Equal(t, "hot", s.Grade)
	require.Len(t, s.Reasons, 4)
	require.Equal(t, "hospitality", s.Reasons[0].Rule)
	stored, ok := l.Score()
	require.True(t, ok)
	require.Equal(t, s, stored)
	h := l.PendingHistory()
	require.Equal(t, lead.HistoryScore, h[len(h)-1].Kind)
	require.Equal(t, lead.EventScored, l.Events()[len(l.Events())-1].Type)
	back, err := lead.FromRecord(l.Record())
	require.NoError(t, err)
	got, _ := back.Score()
	require.Equal(t, s, got)

	before := l.Record()
	_, err = l.ApplyScore(nil, nil, chg(2))
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = l.ApplyScore(testScorer(t), []scoring.Activity{{Type: ""}}, chg(2))
	require.ErrorIs(t, err, crm.ErrInvalid)
	require.Equal(t, before, l.Record())
}

func TestDecay(t *testing.T) {
	t.Parallel()
	s := lead.Score{Fit: 40, Engagement: 20, Total: 60, At: t0}
	week := 7 * 24 * time.Hour
	cases := []struct {
		name     string
		halfLife time.Duration
		now      time.Time
		want     float64
	}{
		{"no half-life", 0, t0.Add(week), 60},
		{"at scoring", week, t0, 60},
		{"before scoring", week, t0.Add(-week), 60},
		{"one half-life", week, t0.Add(week), 50},
		{"two half-lives", week, t0.Add(2 * week), 45},
		{"long ago keeps the fit", week, t0.Add(100 * week), 40},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.InDelta(t, tc.want, lead.Decay(s, tc.halfLife, tc.now), 1e-9)
		})
	}
	require.False(t, math.IsNaN(lead.Decay(lead.Score{}, week, t0)))
}

func TestScoringFacts(t *testing.T) {
	t.Parallel()
	f := newLead(t).ScoringFacts(nil)
	require.Equal(t, "Hospitality", f.Fields["industry"])
	require.Equal(t, "CN", f.Fields["country"])
	require.Equal(t, "200001", f.Fields["postcode"])
	require.Equal(t, "true", f.Fields["topic.maintenance"])
	require.Equal(t, "500k", f.Fields["attr.budget"])
	require.Equal(t, "web_form", f.Fields["source"])
	require.Equal(t, 250.0, f.Numbers["company_size"])
}

func TestApplyPredictionLearnsFromClosedLeads(t *testing.T) {
	t.Parallel()
	p := lead.DefaultProcess("")
	var outcomes, staged []scoring.LeadOutcome
	for i := range 40 {
		in := validInput()
		in.ID = nthID(i)
		in.Industry = []string{"Hospitality", "Retail"}[i%2]
		l, err := lead.New(in, chg(0))
		require.NoError(t, err)
		require.NoError(t, l.Move(&p, lead.StageContacted, chg(1)))
		if in.Industry == "Hospitality" && i%4 != 2 || i%10 == 1 {
			require.NoError(t, l.Move(&p, lead.StageQualified, chg(2)))
			require.NoError(t, l.MarkConverted(idCust, crm.NilID, chg(3)))
		} else {
			ch := chg(2)
			ch.Reason = "no_budget"
			require.NoError(t, l.Move(&p, lead.StageDisqualified, ch))
		}
		o, ok := l.Outcome(lead.PredictOptions{})
		require.True(t, ok)
		outcomes = append(outcomes, o)
		o, _ = l.Outcome(lead.PredictOptions{ByStage: true})
		staged = append(staged, o)
	}
	_, open := newLead(t).Outcome(lead.PredictOptions{})
	require.False(t, open, "an open lead is no training example")

	model, err := scoring.TrainLeadModel(slices.Values(outcomes), scoring.NaiveBayesOptions{Fields: []string{"industry"}})
	require.NoError(t, err)
	hotel := newLead(t) // Hospitality
	in := validInput()
	in.ID, in.Industry = nthID(100), "Retail"
	shop, err := lead.New(in, chg(0))
	require.NoError(t, err)
	sh, err := hotel.ApplyPrediction(model, lead.PredictOptions{}, chg(1))
	require.NoError(t, err)
	ss, err := shop.ApplyPrediction(model, lead.PredictOptions{}, chg(1))
	require.NoError(t, err)
	require.Equal(t, lead.ModelNaiveBayes, sh.Model)
	require.Greater(t, sh.Total, ss.Total, "hotels convert more often in the history")
	require.Len(t, sh.Reasons, 1)
	require.Equal(t, "industry=Hospitality", sh.Reasons[0].Rule)
	require.Greater(t, sh.Reasons[0].Points, 0.0)
	stored, _ := hotel.Score()
	require.Equal(t, sh, stored)
	_, err = lead.FromRecord(hotel.Record())
	require.NoError(t, err)

	byStage, err := scoring.TrainLeadModel(slices.Values(staged), scoring.NaiveBayesOptions{Fields: []string{"industry"}, Stages: lead.PredictionStages()})
	require.NoError(t, err)
	_, err = shop.ApplyPrediction(byStage, lead.PredictOptions{ByStage: true}, chg(2))
	require.NoError(t, err)
	_, err = shop.ApplyPrediction(byStage, lead.PredictOptions{}, chg(3))
	require.ErrorIs(t, err, crm.ErrInvalid, "a staged model needs the stage")
	closed, m := atStage(t, lead.StageDisqualified)
	_, err = closed.ApplyPrediction(model, lead.PredictOptions{}, chg(m+1))
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = shop.ApplyPrediction(nil, lead.PredictOptions{}, chg(4))
	require.ErrorIs(t, err, crm.ErrInvalid)
}
