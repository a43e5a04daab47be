package customer_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

func ExampleService_CreateAccountPlan() {
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := crm.NewManualClock(start)
	svc, err := customer.NewService(memory.New(nil), &customer.Options{Clock: clock, IDs: crm.NewSequentialIDs(clock)})
	if err != nil {
		fmt.Println(err)
		return
	}
	acme, err := svc.Create(ctx, customer.NewInput{Tenant: "bank", Kind: customer.Organization, Name: "Acme Steel",
		Roles: []customer.Role{customer.EndCustomer}, Owner: "li.wei"}, customer.Change{Actor: "li.wei"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ch := customer.Change{Actor: "li.wei"}
	plan, err := svc.CreateAccountPlan(ctx, customer.AccountPlanInput{
		Tenant: "bank", Customer: acme.ID(), Name: "2026 plan",
		Start: start, End: start.AddDate(1, 0, 0),
		Team: []customer.TeamMember{
			{User: "li.wei", Role: customer.RoleAccountManager, Lead: true, Since: start},
			{User: "zhao.min", Role: customer.RoleEngineer, Since: start},
			{User: "chen.jie", Role: customer.RoleExecutiveSponsor, Since: start},
		},
		Goals: []customer.Goal{
			{Name: "deposits", Metric: customer.MetricRevenue, Target: decimal.NewFromInt(1_200_000), Currency: crm.MustCurrency("CNY"), Due: start.AddDate(0, 12, 0)},
			{Name: "products held", Metric: customer.MetricCount, Target: decimal.NewFromInt(4), Due: start.AddDate(0, 6, 0)},
		},
	}, ch)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := svc.ActivateAccountPlan(ctx, "bank", plan.ID(), ch); err != nil {
		fmt.Println(err)
		return
	}
	record := func(goal string, v int64, days int) {
		clock.Set(start.AddDate(0, 0, days))
		if _, err := svc.RecordPlanProgress(ctx, "bank", plan.ID(), customer.Progress{Goal: goal, Value: decimal.NewFromInt(v)}, ch); err != nil {
			fmt.Println(err)
		}
	}
	record("deposits", 300_000, 40)
	record("products held", 2, 60)
	record("deposits", 150_000, 85)

	plan, err = svc.AccountPlan(ctx, "bank", plan.ID())
	if err != nil {
		fmt.Println(err)
		return
	}
	lead, _ := plan.Lead()
	fmt.Println(plan.Name(), plan.Status(), "lead", lead.User, "team", len(plan.Team()))
	for _, g := range plan.ProgressAt(start.AddDate(0, 3, 0)) { // 1 April
		state := "behind"
		if g.OnTrack {
			state = "on track"
		}
		fmt.Printf("%-13s %s of %s (%.0f%%), expected %s: %s\n", g.Goal.Name, g.Achieved, g.Goal.Target,
			g.Percent, g.Expected.Round(0), state)
	}
	// Output:
	// 2026 plan active lead li.wei team 3
	// deposits      450000 of 1200000 (38%), expected 295890: on track
	// products held 2 of 4 (50%), expected 1: on track
}
