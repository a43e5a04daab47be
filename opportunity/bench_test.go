package opportunity_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
)

// cpuPerOp reports the process CPU time per operation as "cpu-ns/op"
// when b's loop ends: call it right before the loop, defer the result.
func cpuPerOp(b *testing.B) func() {
	start, ok := processCPU()
	return func() {
		if end, ok2 := processCPU(); ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// benchDeals returns n open deals with amounts in cents between 1,000 and
// 1,000,000 CNY, probabilities from 5 stage defaults or free overrides,
// 50 owners, 5 teams and close dates over two years.
func benchDeals(n int) []opportunity.Deal {
	rng := rand.New(rand.NewPCG(7, 8))
	stages := []string{"qualify", "needs", "proposal", "negotiation", "commit"}
	probs := []float64{0.1, 0.25, 0.5, 0.75, 0.9}
	out := make([]opportunity.Deal, n)
	for i := range out {
		s := rng.IntN(len(stages))
		p := probs[s]
		if rng.IntN(4) == 0 {
			p = rng.Float64()
		}
		m, _ := crm.MoneyFromMinor(100_000+rng.Int64N(99_900_000), cny)
		out[i] = opportunity.Deal{
			Owner: crm.UserID(fmt.Sprint("owner-", rng.IntN(50))), Team: fmt.Sprint("team-", rng.IntN(5)),
			Stage: stages[s], Status: opportunity.Open, Category: opportunity.ForecastCategory(1 + rng.IntN(3)),
			Amount: m, Probability: p, CloseDate: date(2026+rng.IntN(2), time.Month(1+rng.IntN(12)), 1+rng.IntN(28)),
		}
	}
	return out
}

func BenchmarkWeightedForecast1M(b *testing.B) {
	ds := benchDeals(1_000_000)
	for _, by := range []opportunity.Dimension{opportunity.ByPeriod, opportunity.ByOwner, opportunity.ByCategory} {
		b.Run(by.String(), func(b *testing.B) {
			b.ReportAllocs()
			defer cpuPerOp(b)()
			for b.Loop() {
				if _, err := opportunity.WeightedForecast(slices.Values(ds), opportunity.ForecastOptions{Currency: cny, By: by}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkForecastDistribution10k(b *testing.B) {
	ds := benchDeals(10_000)
	quota, _ := crm.MoneyFromMinor(130_000_000_00, cny)
	b.Run("monte_carlo_10k_draws", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuPerOp(b)()
		for b.Loop() {
			d, err := opportunity.ForecastDistribution(slices.Values(ds), opportunity.DistributionOptions{Currency: cny, Quota: quota, Seed: 1})
			if err != nil || d.Exact {
				b.Fatal(err, d.Exact)
			}
		}
	})
}

// benchChanges returns the stage history of opportunities until it holds
// n changes: each walks forward through the stages (sometimes back) and
// is won, lost or left open.
func benchChanges(n int) []opportunity.StageChange {
	rng := rand.New(rand.NewPCG(9, 10))
	stages := []string{"qualify", "needs", "proposal", "negotiation"}
	out := make([]opportunity.StageChange, 0, n)
	ids := crm.NewSequentialIDs(crm.ClockFunc(func() time.Time { return t0 }))
	for len(out) < n {
		id, _ := ids.NewID()
		team := fmt.Sprint("team-", rng.IntN(5))
		seq := int64(0)
		add := func(from, to string) {
			seq++
			out = append(out, opportunity.StageChange{Opportunity: id, Seq: seq, Team: team, Pipeline: "p", From: from, To: to,
				InStage: time.Duration(rng.IntN(1000)) * time.Hour})
		}
		add("", "qualify")
		cur := 0
		for len(out) < n {
			r := rng.IntN(10)
			switch {
			case r < 5 && cur < len(stages)-1:
				add(stages[cur], stages[cur+1])
				cur++
			case r < 6 && cur > 0:
				add(stages[cur], stages[cur-1])
				cur--
			case r < 8:
				add(stages[cur], opportunity.StageWon)
				cur = -1
			case r < 9:
				add(stages[cur], opportunity.StageLost)
				cur = -1
			default:
				cur = -1
			}
			if cur < 0 {
				break
			}
		}
	}
	return out
}

func BenchmarkEmpiricalStageProbabilities1M(b *testing.B) {
	cs := benchChanges(1_000_000)
	b.ReportAllocs()
	defer cpuPerOp(b)()
	for b.Loop() {
		if len(opportunity.EmpiricalStageProbabilities(slices.Values(cs))) == 0 {
			b.Fatal("no rows")
		}
	}
}

// benchRules returns 1,000 rules: 700 list prices in two lists, 200 volume
// tiers (4 per code for 50 codes), 20 payment terms and 80 seasons.
func benchRules() opportunity.PricingRules {
	r := opportunity.PricingRules{Currency: cny, ApprovalThreshold: decimal.RequireFromString("0.2")}
	general := opportunity.PriceList{ID: "general"}
	stable := opportunity.PriceList{ID: "stable", Class: customer.Stable}
	for i := range 500 {
		m, _ := crm.MoneyFromMinor(int64(1000+i*37), cny)
		general.Prices = append(general.Prices, opportunity.ListPrice{Code: fmt.Sprint("P", i), Price: m})
	}
	for i := range 200 {
		m, _ := crm.MoneyFromMinor(int64(900+i*37), cny)
		stable.Prices = append(stable.Prices, opportunity.ListPrice{Code: fmt.Sprint("P", i), Price: m})
	}
	r.PriceLists = []opportunity.PriceList{general, stable}
	for c := range 50 {
		for k, lo := range []int64{10, 50, 100, 500} {
			t := opportunity.VolumeTier{ID: fmt.Sprint("T", c, "-", k), Code: fmt.Sprint("P", c), Min: decimal.NewFromInt(lo),
				Discount: decimal.New(int64(2+k), -2)}
			if k < 3 {
				t.Max = decimal.NewFromInt([]int64{50, 100, 500}[k])
			}
			r.Tiers = append(r.Tiers, t)
		}
	}
	for i := range 20 {
		r.Terms = append(r.Terms, opportunity.PaymentTerm{ID: fmt.Sprint("term", i), FromDays: i * 10, ToDays: i*10 + 9,
			Percent: decimal.New(int64(i-5), -3)})
	}
	for i := range 80 {
		m := time.Month(1 + i%12)
		r.Seasons = append(r.Seasons, opportunity.Season{ID: fmt.Sprint("season", i), From: date(2026, m, 1), To: date(2026, m, 28),
			Codes: []string{fmt.Sprint("P", i)}, Percent: decimal.New(-5, -2)})
	}
	return r
}

func BenchmarkPricing100LinesAgainst1000Rules(b *testing.B) {
	pr, err := opportunity.NewPricer(benchRules())
	if err != nil {
		b.Fatal(err)
	}
	req := opportunity.PriceRequest{Class: customer.Stable, PaymentDays: 45, Date: date(2026, 3, 10)}
	for i := range 100 {
		req.Lines = append(req.Lines, opportunity.PriceLine{Code: fmt.Sprint("P", i*5), Quantity: decimal.NewFromInt(int64(1 + i*7)),
			Discount: decimal.New(int64(i%20), -2)})
	}
	b.ReportAllocs()
	defer cpuPerOp(b)()
	for b.Loop() {
		if _, err := pr.Price(req); err != nil {
			b.Fatal(err)
		}
	}
}
