package opportunity_test

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
)

var exampleStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday

// examplePipeline is the appliance maker's key-account pipeline.
func examplePipeline() *opportunity.Pipeline {
	day := []calendar.Span{{Start: calendar.At(9, 0), End: calendar.At(18, 0)}}
	cal, err := calendar.New(calendar.Config{TimeZone: "Asia/Shanghai", Week: calendar.Week{
		time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day}})
	if err != nil {
		panic(err)
	}
	return &opportunity.Pipeline{
		Code: "key-accounts", Team: "east-china",
		Stages: []opportunity.StageDef{
			{Code: "qualify", Probability: 0.1, StaleAfter: 14 * 24 * time.Hour},
			{Code: "needs_analysis", Probability: 0.3, Requires: []opportunity.Field{opportunity.FieldDecisionMaker}},
			{Code: "proposal", Probability: 0.6, Category: opportunity.CategoryBestCase,
				Requires: []opportunity.Field{opportunity.FieldAmount, opportunity.FieldCloseDate}},
			{Code: "negotiation", Probability: 0.8, Category: opportunity.CategoryCommit,
				Requires: []opportunity.Field{opportunity.FieldApproval}},
		},
		MaxSkip: 0, AllowBack: true, WinFrom: "proposal",
		LostReasons: []string{"price", "timing", "competitor", "no_budget"},
		Calendar:    cal,
	}
}

// A pipeline is data: its moves are derived from a few rules, and a move
// it forbids says why.
func ExamplePipeline() {
	p := examplePipeline()
	if err := p.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range []string{"qualify", "proposal", "won"} {
		fmt.Printf("%-8s -> %v\n", s, p.Moves(s))
	}
	fmt.Println("proposal needs:", p.Requirements("proposal"))
	_, err := p.Check("qualify", "proposal")
	fmt.Println(err)
	_, err = p.Check("qualify", "demo")
	fmt.Println(err)
	// Output:
	// qualify  -> [needs_analysis lost]
	// proposal -> [qualify needs_analysis negotiation won lost]
	// won      -> [qualify needs_analysis proposal negotiation]
	// proposal needs: [amount close_date decision_maker]
	// opportunity stage: transition qualify -> proposal not allowed: skips 1 stages, the pipeline allows 0
	// opportunity.Pipeline.Check: invalid input: to: stage "demo" is not in pipeline "key-accounts"
}

// Pricing by customer class, volume, payment term and season, each rule
// explained on the line; a discount beyond the threshold needs approval.
func ExamplePricer() {
	d := decimal.RequireFromString
	pr, err := opportunity.NewPricer(opportunity.PricingRules{
		Currency: crm.MustCurrency("CNY"),
		PriceLists: []opportunity.PriceList{
			{ID: "list-2026", Prices: []opportunity.ListPrice{{Code: "AC-9000", Price: crm.MustParseMoney("2500 CNY")}}},
			{ID: "stable-2026", Class: customer.Stable, Prices: []opportunity.ListPrice{{Code: "AC-9000", Price: crm.MustParseMoney("2400 CNY")}}},
		},
		Tiers: []opportunity.VolumeTier{
			{ID: "ac-100", Code: "AC-9000", Min: d("100"), Max: d("500"), Discount: d("0.05")},
			{ID: "ac-500", Code: "AC-9000", Min: d("500"), Discount: d("0.08")},
		},
		Terms:             []opportunity.PaymentTerm{{ID: "early", FromDays: 0, ToDays: 15, Percent: d("-0.02")}},
		Seasons:           []opportunity.Season{{ID: "summer", From: calendar.Date{Year: 2026, Month: 6, Day: 1}, To: calendar.Date{Year: 2026, Month: 8, Day: 31}, Percent: d("-0.05")}},
		ApprovalThreshold: d("0.15"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	lines, err := pr.Price(opportunity.PriceRequest{
		Class: customer.Stable, PaymentDays: 10, Date: calendar.Date{Year: 2026, Month: 7, Day: 1},
		Lines: []opportunity.PriceLine{{Code: "AC-9000", Quantity: d("200"), Discount: d("0.03")}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	l := lines[0]
	fmt.Println("list price:", l.ListPrice)
	for _, a := range l.Adjustments {
		fmt.Printf("  %-12s %-6s %6s%%  %s\n", a.Kind, a.Rule, a.Percent.Shift(2), a.Note)
	}
	fmt.Println("discount:", l.Discount.Shift(2).StringFixed(2)+"%", "needs approval:", l.NeedsApproval)
	fmt.Println("unit price:", l.UnitPrice(), "total:", l.Total)
	// Output:
	// list price: 2400.00 CNY
	//   volume       ac-100     -5%  volume 100 to under 500
	//   payment_term early      -2%  payment in 0-15 days
	//   season       summer     -5%  season 2026-06-01 to 2026-08-31
	//   manual                  -3%  manual discount
	// discount: 14.21% needs approval: false
	// unit price: 2059.00 CNY total: 411799.92 CNY
}

// A won deal: the opportunity.won event carries the signed contract, the
// only mark of a mature customer relationship, and the host moves the
// customer there.
func ExampleOpportunity_CloseWon() {
	p := examplePipeline()
	step := 0
	ch := func(reason string) opportunity.Change {
		step++
		return opportunity.Change{Actor: "sales-wang", At: exampleStart.Add(time.Duration(step) * 26 * time.Hour), Reason: reason}
	}
	cust, err := customer.New(customer.NewInput{
		ID: crm.MustParseID("01890000-0000-7000-8000-0000000000c1"), Tenant: "coolair", Kind: customer.Organization,
		Name: "Huadong Retail Group", Roles: []customer.Role{customer.EndCustomer}, Owner: "sales-wang", Stage: customer.Growth,
	}, customer.Change{Actor: "sales-wang", At: exampleStart})
	if err != nil {
		fmt.Println(err)
		return
	}
	o, err := opportunity.New(opportunity.NewInput{
		ID: crm.MustParseID("01890000-0000-7000-8000-0000000000a1"), Tenant: "coolair", Customer: cust.ID(),
		Owner: "sales-wang", Name: "200 air conditioners for the Pudong store",
		Source:   opportunity.Source{Kind: opportunity.FromDealerReferral, Referrer: crm.MustParseID("01890000-0000-7000-8000-0000000000d1")},
		Currency: crm.MustCurrency("CNY"),
	}, p, opportunity.Change{Actor: "sales-wang", At: exampleStart})
	if err != nil {
		fmt.Println(err)
		return
	}
	must := func(err error) {
		if err != nil {
			fmt.Println(err)
		}
	}
	err = o.MoveStage(p, "needs_analysis", ch(""))
	fmt.Println(err)
	must(o.SetContacts([]opportunity.Contact{{Name: "Ms Zhao", Role: opportunity.DecisionMaker}}, ch("")))
	must(o.MoveStage(p, "needs_analysis", ch("")))
	must(o.SetAmount(crm.MustParseMoney("480000 CNY"), ch("")))
	must(o.SetCloseDate(calendar.Date{Year: 2026, Month: 4, Day: 30}, ch("")))
	must(o.MoveStage(p, "proposal", ch("")))
	must(o.SetCompetitor(opportunity.Competitor{Name: "Gree", Offer: crm.MustParseMoney("455000 CNY"), Status: opportunity.CompetitorTrailing}, ch("")))
	must(o.CloseWon(p, opportunity.WonDetails{ContractDate: calendar.Date{Year: 2026, Month: 3, Day: 10}, Contract: "HT-2026-031"}, ch("")))

	for _, c := range o.PendingChanges() {
		fmt.Printf("%-15s -> %-15s %6s in stage, %5s business\n", c.From, c.To, c.InStage, c.InStageBusiness)
	}
	for _, e := range o.Events() {
		if w, ok := e.Data.(opportunity.WonEvent); ok {
			must(cust.MoveStage(customer.Mature, w.Contract, customer.Change{Actor: "crm-bot", At: e.At}))
		}
	}
	fmt.Println("opportunity:", o.Status(), o.Amount(), "customer stage:", cust.Stage())
	// Output:
	// opportunity: move stage 01890000-0000-7000-8000-0000000000a1: opportunity stage: transition qualify -> needs_analysis not allowed: missing decision_maker
	//                 -> qualify             0s in stage,    0s business
	// qualify         -> needs_analysis  78h0m0s in stage, 28h0m0s business
	// needs_analysis  -> proposal        78h0m0s in stage, 9h0m0s business
	// proposal        -> won             52h0m0s in stage, 18h0m0s business
	// opportunity: won 480000.00 CNY customer stage: mature
}

// The quarter's forecast as a distribution of won revenue rather than one
// weighted number, with the chance of reaching the quota.
func ExampleForecastDistribution() {
	cny := crm.MustCurrency("CNY")
	deal := func(amount string, p float64) opportunity.Deal {
		return opportunity.Deal{Status: opportunity.Open, Category: opportunity.CategoryPipeline,
			Amount: crm.MustParseMoney(amount + " CNY"), Probability: p}
	}
	deals := []opportunity.Deal{
		{Status: opportunity.Won, Category: opportunity.CategoryClosed, Amount: crm.MustParseMoney("300000 CNY"), Probability: 1},
		deal("480000", 0.8), deal("250000", 0.6), deal("120000", 0.3), deal("90000", 0.1),
	}
	rows, err := opportunity.WeightedForecast(slices.Values(deals), opportunity.ForecastOptions{Currency: cny})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Printf("%-9s %d deals, weighted %s\n", r.Key, r.Count, r.Weighted)
	}
	d, err := opportunity.ForecastDistribution(slices.Values(deals), opportunity.DistributionOptions{
		Currency: cny, Quota: crm.MustParseMoney("900000 CNY")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("exact:", d.Exact, "mean:", d.Mean)
	fmt.Println("P10:", d.P10, "P50:", d.P50, "P90:", d.P90)
	fmt.Printf("P(reaching the 900000 quota) = %.3f\n", d.QuotaProbability)
	fmt.Printf("P(exactly 3 of 5 deals won) = %.4f\n", d.WinCounts[3])
	// Output:
	// pipeline  4 deals, weighted 579000.00 CNY
	// closed    1 deals, weighted 300000.00 CNY
	// exact: true mean: 879000.00 CNY
	// P10: 550000.00 CNY P50: 900000.00 CNY P90: 1150000.00 CNY
	// P(reaching the 900000 quota) = 0.576
	// P(exactly 3 of 5 deals won) = 0.4544
}
