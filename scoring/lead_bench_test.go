package scoring

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func BenchmarkLeadScorerScore(b *testing.B) {
	s := ckLeadScorer(b)
	facts := LeadFacts{
		Fields:  map[string]string{"industry": "Retail", "country": "SG", "email": "a@example.com", "title": "CTO"},
		Numbers: map[string]float64{"employees": 250, "budget": 20_000},
	}
	for i := range 20 {
		typ := []string{"email_open", "demo_request", "page_view", "unsubscribe"}[i%4]
		facts.Activities = append(facts.Activities, Activity{Type: typ, At: ckNow.Add(-time.Duration(i) * 24 * time.Hour)})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Score(facts, ckNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLeadModelPredict(b *testing.B) {
	rng := rand.New(rand.NewPCG(23, 24))
	stages := []string{"new", "qualified", "proposal", "negotiation"}
	fields := []string{"source", "industry", "country", "size", "campaign", "product"}
	history := make([]LeadOutcome, 20_000)
	for i := range history {
		o := LeadOutcome{Team: fmt.Sprint("team", rng.IntN(5)), Stage: stages[rng.IntN(len(stages))], Fields: map[string]string{}, Won: rng.IntN(3) == 0}
		for _, f := range fields {
			o.Fields[f] = fmt.Sprint(f, rng.IntN(20))
		}
		history[i] = o
	}
	m, err := TrainLeadModel(slices.Values(history), NaiveBayesOptions{Fields: fields, Stages: stages})
	if err != nil {
		b.Fatal(err)
	}
	q := LeadQuery{Team: "team2", Stage: "qualified", Fields: history[0].Fields}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Predict(q); err != nil {
			b.Fatal(err)
		}
	}
}
