package customer_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/scoring"
	"github.com/crmkit/crm/storage/memory"
)

// Example_relationValues records what three dealers referred and suggested
// over a year, aggregates it with RelationValues (through the Service) and
// feeds the figures to the weighted value model: ranked by volume alone,
// then with the referral and suggestion dimensions computed from records.
func Example_relationValues() {
	ctx := context.Background()
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := crm.NewManualClock(year.AddDate(0, 1, 0))
	svc, err := customer.NewService(memory.New(nil), &customer.Options{Clock: clock, IDs: crm.NewSequentialIDs(clock)})
	if err != nil {
		fmt.Println(err)
		return
	}
	ch := customer.Change{Actor: "mgr.zhang"}
	dealer := func(name string) *customer.Customer {
		c, err := svc.Create(ctx, customer.NewInput{Tenant: "acme", Kind: customer.Organization, Name: name,
			Roles: []customer.Role{customer.Dealer}, Owner: "mgr.zhang"}, ch)
		if err != nil {
			panic(err)
		}
		return c
	}
	north, east, west := dealer("North Motors"), dealer("East Auto"), dealer("West Cars")
	volume := map[crm.ID]float64{north.ID(): 900_000, east.ID(): 600_000, west.ID(): 400_000}

	// East refers three prospects (two buy), West one; East's suggestion
	// is adopted, worth 8000 CNY of savings a year.
	refer := func(by *customer.Customer, won string) {
		r, err := svc.Refer(ctx, customer.ReferralInput{Tenant: "acme", Referrer: by.ID(),
			TargetKind: customer.TargetLead, Target: crm.MustParseID(fmt.Sprintf("01900000-0000-7000-8000-%012d", clock.Now().UnixMilli()%1e12))}, ch)
		if err != nil {
			panic(err)
		}
		clock.Advance(24 * time.Hour)
		if won != "" {
			if _, err := svc.ConvertReferral(ctx, "acme", r.ID(), crm.MustParseMoney(won), ch); err != nil {
				panic(err)
			}
		}
	}
	refer(east, "180000 CNY")
	refer(east, "220000 CNY")
	refer(east, "")
	refer(west, "150000 CNY")
	s, err := svc.Suggest(ctx, customer.SuggestionInput{Tenant: "acme", Author: east.ID(),
		Subject: "Share one parts depot", Category: "process"}, ch)
	if err != nil {
		panic(err)
	}
	if _, err := svc.ReviewSuggestion(ctx, "acme", s.ID(), ch); err != nil {
		panic(err)
	}
	if _, err := svc.AdoptSuggestion(ctx, "acme", s.ID(), crm.MustParseMoney("8000 CNY"), ch); err != nil {
		panic(err)
	}

	figures, err := svc.RelationFigures(ctx, "acme", year, year.AddDate(1, 0, 0), crm.MustCurrency("CNY"))
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := scoring.NewWeightedModel(scoring.DimensionWeights{Financial: 0.5, Market: 0.3, Management: 0.2}, []scoring.Indicator{
		{Name: "revenue", Dimension: scoring.Financial, Weight: 1, Normalization: scoring.NormalizeRank},
		{Name: "referral", Dimension: scoring.Market, Weight: 1, Normalization: scoring.NormalizeRank},
		{Name: "suggestion", Dimension: scoring.Management, Weight: 1, Normalization: scoring.NormalizeRank},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	dealers := []*customer.Customer{north, east, west}
	rows := make([][]float64, len(dealers))
	for i, d := range dealers {
		f, ok := figures[d.ID()]
		if !ok { // no referral or suggestion on record
			f.ReferredRevenue, f.AdoptedValue = crm.Zero(crm.MustCurrency("CNY")), crm.Zero(crm.MustCurrency("CNY"))
		}
		rows[i] = []float64{volume[d.ID()], f.ReferralValue(), f.SuggestionValue()}
		fmt.Printf("%-12s referred %d, converted %d for %s; suggestions adopted %d worth %s\n",
			d.Name(), f.Referrals, f.Converted, f.ReferredRevenue, f.Adopted, f.AdoptedValue)
	}
	scores, err := model.ScoreAll(rows)
	if err != nil {
		fmt.Println(err)
		return
	}
	order := []int{0, 1, 2}
	slices.SortStableFunc(order, func(a, b int) int { return int(volume[dealers[b].ID()] - volume[dealers[a].ID()]) })
	fmt.Print("by volume:")
	for _, i := range order {
		fmt.Print(" ", dealers[i].Name())
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case scores[a].Total > scores[b].Total:
			return -1
		case scores[a].Total < scores[b].Total:
			return 1
		}
		return 0
	})
	fmt.Print("\nby value: ")
	for _, i := range order {
		fmt.Printf(" %s (%.0f)", dealers[i].Name(), scores[i].Total)
	}
	fmt.Println()
	// Output:
	// North Motors referred 0, converted 0 for 0.00 CNY; suggestions adopted 0 worth 0.00 CNY
	// East Auto    referred 3, converted 2 for 400000.00 CNY; suggestions adopted 1 worth 8000.00 CNY
	// West Cars    referred 1, converted 1 for 150000.00 CNY; suggestions adopted 0 worth 0.00 CNY
	// by volume: North Motors East Auto West Cars
	// by value:  East Auto (75) North Motors (55) West Cars (20)
}
