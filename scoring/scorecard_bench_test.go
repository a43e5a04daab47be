package scoring

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
)

// ckScorecardFacts builds a quarter of facts for managers over customers:
// one book member each, 60 working days of visits per manager, an
// opportunity for every third customer and a complaint for every twentieth,
// from a fixed seed.
func ckScorecardFacts(managers, customers int) ([]BookMember, []VisitDay, []Deal, []ComplaintFact) {
	rng := rand.New(rand.NewPCG(12, 34))
	ids := make([]crm.UserID, managers)
	for i := range ids {
		ids[i] = crm.UserID(fmt.Sprintf("manager-%03d", i))
	}
	members := make([]BookMember, customers)
	for i := range members {
		members[i] = BookMember{
			Manager: ids[rng.IntN(managers)],
			Value:   decimal.New(int64(rng.IntN(5_000_000)), -2),
			Key:     rng.IntN(20) == 0,
			Churned: rng.IntN(25) == 0,
			Cadence: Cadence(rng.IntN(3)),
		}
	}
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	var visits []VisitDay
	for _, m := range ids {
		for d := range 60 {
			pn, pr := 6+rng.IntN(3), 2+rng.IntN(3)
			visits = append(visits, VisitDay{Manager: m, Day: start.AddDate(0, 0, d), PlannedNew: pn, PlannedReturn: pr,
				DoneNew: pn - rng.IntN(2), DoneReturn: pr - rng.IntN(2)})
		}
	}
	deals := make([]Deal, customers/3)
	for i := range deals {
		deals[i] = Deal{Manager: ids[rng.IntN(managers)], Outcome: DealOutcome(1 + rng.IntN(3)),
			Amount: decimal.New(int64(rng.IntN(10_000_000)), -2), Probability: float64(rng.IntN(10)) / 10}
	}
	complaints := make([]ComplaintFact, customers/20)
	for i := range complaints {
		complaints[i] = ComplaintFact{Manager: ids[rng.IntN(managers)], CSAT: rng.IntN(6)}
	}
	return members, visits, deals, complaints
}

// BenchmarkManagerScorecard feeds 1M customers of 200 managers with their
// visits, 333k opportunities and 50k complaints, and ranks the cards.
func BenchmarkManagerScorecard(b *testing.B) {
	members, visits, deals, complaints := ckScorecardFacts(200, 1_000_000)
	b.ReportAllocs()
	for b.Loop() {
		s, err := NewManagerScorecard(ManagerScorecardOptions{Currency: crm.MustCurrency("CNY"), WorkingDays: 60})
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range members {
			if err := s.AddMember(m); err != nil {
				b.Fatal(err)
			}
		}
		for _, v := range visits {
			if err := s.AddVisits(v); err != nil {
				b.Fatal(err)
			}
		}
		for _, d := range deals {
			if err := s.AddDeal(d); err != nil {
				b.Fatal(err)
			}
		}
		for _, c := range complaints {
			if err := s.AddComplaint(c); err != nil {
				b.Fatal(err)
			}
		}
		cards, err := s.Cards()
		if err != nil {
			b.Fatal(err)
		}
		if len(cards) != 200 {
			b.Fatalf("%d cards", len(cards))
		}
	}
}
