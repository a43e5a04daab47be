package opportunity_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage/memory"
)

// wonEvents keeps the opportunity.won events it hears of: they reach a
// sink only after the change committed.
type wonEvents struct{ won []opportunity.WonEvent }

func (w *wonEvents) Publish(_ context.Context, evs []crm.Event) error {
	for _, e := range evs {
		if d, ok := e.Data.(opportunity.WonEvent); ok {
			w.won = append(w.won, d)
		}
	}
	return nil
}

// A deal from opening to a signed contract on the in-memory store: priced
// by volume, a discount approved, moved through the pipeline, won; the won
// event then moves the customer's relationship stage to mature.
func ExampleService() {
	ctx := context.Background()
	store := memory.New(nil)
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	ids := crm.NewSequentialIDs(clock)
	cny := crm.MustCurrency("CNY")
	pipeline := &opportunity.Pipeline{
		Code: "enterprise",
		Stages: []opportunity.StageDef{
			{Code: "qualify", Probability: 0.1},
			{Code: "proposal", Probability: 0.5, Requires: []opportunity.Field{opportunity.FieldAmount}},
			{Code: "negotiation", Probability: 0.75, Requires: []opportunity.Field{opportunity.FieldApproval}},
		},
		WinFrom: "proposal",
	}
	sink := &wonEvents{}
	sales, err := opportunity.NewService(store, &opportunity.Options{
		Clock: clock, IDs: ids, Events: sink, Pipelines: []*opportunity.Pipeline{pipeline},
		Pricing: []opportunity.PricingRules{{
			Currency:          cny,
			PriceLists:        []opportunity.PriceList{{ID: "list-2026", Prices: []opportunity.ListPrice{{Code: "ac-unit", Price: crm.MustParseMoney("3000.00 CNY")}}}},
			Tiers:             []opportunity.VolumeTier{{ID: "100+", Code: "ac-unit", Min: decimal.NewFromInt(100), Discount: decimal.RequireFromString("0.08")}},
			ApprovalThreshold: decimal.RequireFromString("0.05"),
		}},
	})
	if err != nil {
		panic(err)
	}
	accounts, err := customer.NewService(store, &customer.Options{Clock: clock, IDs: ids})
	if err != nil {
		panic(err)
	}
	acme, err := accounts.Create(ctx, customer.NewInput{
		Tenant: "acme", Kind: customer.Organization, Name: "Pudong Retail Ltd", Roles: []customer.Role{customer.EndCustomer},
		Owner: "sales-wang", Stage: customer.Growth,
	}, customer.Change{Actor: "sales-wang"})
	if err != nil {
		panic(err)
	}

	by := func(actor crm.UserID) opportunity.Change {
		clock.Advance(time.Hour)
		return opportunity.Change{Actor: actor}
	}
	deal, err := sales.Open(ctx, opportunity.OpenInput{
		Tenant: "acme", Customer: acme.ID(), Pipeline: "enterprise", Owner: "sales-wang", Name: "200 air conditioners",
		Source: opportunity.Source{Kind: opportunity.FromExistingCustomer}, Currency: cny,
	}, by("sales-wang"))
	if err != nil {
		panic(err)
	}
	deal, err = sales.PriceLines(ctx, "acme", deal.ID(), opportunity.PriceRequest{Date: calendar.DateOf(deal.CreatedAt()),
		Lines: []opportunity.PriceLine{{Code: "ac-unit", Quantity: decimal.NewFromInt(200)}}}, by("sales-wang"))
	if err != nil {
		panic(err)
	}
	fmt.Println("amount:", deal.Amount(), "needs approval:", deal.Unapproved())
	if _, err := sales.MoveStage(ctx, "acme", deal.ID(), "proposal", by("sales-wang")); err != nil {
		panic(err)
	}
	_, err = sales.MoveStage(ctx, "acme", deal.ID(), "negotiation", by("sales-wang"))
	fmt.Println("negotiation before approval:", err != nil)
	if _, err := sales.ApproveDiscount(ctx, "acme", deal.ID(), "ac-unit", decimal.RequireFromString("0.08"), by("director-li")); err != nil {
		panic(err)
	}
	if _, err := sales.MoveStage(ctx, "acme", deal.ID(), "negotiation", by("sales-wang")); err != nil {
		panic(err)
	}
	deal, err = sales.CloseWon(ctx, "acme", deal.ID(), opportunity.WonDetails{ContractDate: calendar.Date{Year: 2026, Month: time.March, Day: 2}, Contract: "HT-2026-001"}, by("sales-wang"))
	if err != nil {
		panic(err)
	}
	fmt.Println("status:", deal.Status())

	// The host's handler of the won event: a signed contract marks a
	// mature relationship.
	for _, w := range sink.won {
		c, err := accounts.MoveStage(ctx, "acme", w.Customer, customer.Mature, w.Contract, customer.Change{Actor: "crm-bot"})
		if err != nil {
			panic(err)
		}
		fmt.Println("customer stage:", c.Stage())
	}
	h, err := sales.History(ctx, "acme", deal.ID(), crm.PageRequest{})
	if err != nil {
		panic(err)
	}
	for _, c := range h.Items {
		fmt.Printf("%q -> %s after %s\n", c.From, c.To, c.InStage)
	}
	// Output:
	// amount: 552000.00 CNY needs approval: [ac-unit]
	// negotiation before approval: true
	// status: won
	// customer stage: mature
	// "" -> qualify after 0s
	// "qualify" -> proposal after 2h0m0s
	// "proposal" -> negotiation after 3h0m0s
	// "negotiation" -> won after 1h0m0s
}
