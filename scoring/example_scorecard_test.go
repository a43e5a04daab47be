package scoring_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/scoring"
)

func ExampleManagerScorecard() {
	s, err := scoring.NewManagerScorecard(scoring.ManagerScorecardOptions{
		Currency:    crm.MustCurrency("CNY"),
		WorkingDays: 1, // target 7 new + 3 return
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	add := func(err error) {
		if err != nil {
			fmt.Println(err)
		}
	}
	add(s.AddMember(scoring.BookMember{Manager: "li", Value: decimal.NewFromInt(900), Key: true, Cadence: scoring.CadenceKept}))
	add(s.AddMember(scoring.BookMember{Manager: "li", Value: decimal.NewFromInt(100), Cadence: scoring.CadenceOverdue}))
	add(s.AddMember(scoring.BookMember{Manager: "wang", Value: decimal.NewFromInt(400), Cadence: scoring.CadenceKept}))
	add(s.AddMember(scoring.BookMember{Manager: "wang", Churned: true}))
	add(s.AddVisits(scoring.VisitDay{Manager: "li", Day: day, PlannedNew: 7, PlannedReturn: 3, DoneNew: 6, DoneReturn: 3}))
	add(s.AddVisits(scoring.VisitDay{Manager: "wang", Day: day, PlannedNew: 8, PlannedReturn: 3, DoneNew: 8, DoneReturn: 3}))
	add(s.AddDeal(scoring.Deal{Manager: "li", Outcome: scoring.DealOpen, Amount: decimal.NewFromInt(5000), Probability: 0.4}))
	add(s.AddDeal(scoring.Deal{Manager: "wang", Outcome: scoring.DealWon, Amount: decimal.NewFromInt(3000)}))
	add(s.AddComplaint(scoring.ComplaintFact{Manager: "li", CSAT: 4}))
	cards, err := s.Cards()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range cards {
		fmt.Printf("#%d %s score %.1f: book %d (%s, %d key), visits %.0f%%, cadence kept %.0f%%, pipeline %s, won %s, churn %.0f%%\n",
			c.Rank, c.Manager, c.Score.Total, c.BookSize, c.BookValue.Amount(), c.KeyAccounts,
			100*c.Attainment, 100*c.CadenceKeptRate, c.Pipeline.Amount(), c.Won.Amount(), 100*c.ChurnRate)
	}
	// Output:
	// #1 wang score 62.0: book 1 (400, 0 key), visits 110%, cadence kept 100%, pipeline 0, won 3000, churn 50%
	// #2 li score 38.0: book 2 (1000, 1 key), visits 90%, cadence kept 50%, pipeline 2000, won 0, churn 0%
}

func ExampleRankDealers() {
	id := func(n int) crm.ID { return crm.MustParseID(fmt.Sprintf("00000000-0000-7000-8000-%012d", n)) }
	ranks, err := scoring.RankDealers([]scoring.DealerFigures{
		{Dealer: id(1), Name: "North", Volume: 1200, Loyalty: 2, Referrals: 0, Suggestions: 1},
		{Dealer: id(2), Name: "East", Volume: 900, Loyalty: 9, Referrals: 40000, Suggestions: 6},
		{Dealer: id(3), Name: "South", Volume: 1000, Loyalty: 4, Referrals: 5000, Suggestions: 0},
		{Dealer: id(4), Name: "West", Volume: 400, Loyalty: 1, Referrals: 0, Suggestions: 0},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range ranks {
		fmt.Printf("%d. %-5s score %5.1f  by volume %d  change %+d\n", r.Rank, r.Name, r.Score.Total, r.VolumeRank, r.Change)
	}
	// Output:
	// 1. North score  70.8  by volume 1  change +0
	// 2. East  score  66.7  by volume 3  change +1
	// 3. South score  56.7  by volume 2  change -1
	// 4. West  score   5.8  by volume 4  change +0
}
