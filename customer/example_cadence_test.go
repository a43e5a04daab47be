package customer_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// A bank branch keeps a steady rhythm of contact (忌冷热不均): key accounts
// every 14 business days, push-hard prospects every 7, and so on. Each
// manager asks which of their customers are overdue.
func ExampleService_OverdueForContact() {
	ctx := context.Background()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Date(2025, 3, 3, 9, 0, 0, 0, shanghai) // a Monday
	clock := crm.NewManualClock(start)
	svc, _ := customer.NewService(memory.New(nil), &customer.Options{Clock: clock, IDs: crm.NewSequentialIDs(clock)})

	// Business days: Monday to Friday, 9:00 to 17:30 in Shanghai.
	day := []calendar.Span{{Start: calendar.At(9, 0), End: calendar.At(17, 30)}}
	cal, _ := calendar.New(calendar.Config{TimeZone: "Asia/Shanghai", Week: calendar.Week{
		time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day,
	}})
	policy := customer.DefaultCadencePolicy(cal)

	add := func(name string, owner crm.UserID, class customer.Class, key bool, contactDays int) {
		c, _ := svc.Create(ctx, customer.NewInput{Tenant: "bank", Kind: customer.Organization, Name: name,
			Roles: []customer.Role{customer.EndCustomer}, Owner: owner}, customer.Change{Actor: owner})
		_, _ = svc.Update(ctx, "bank", c.ID(), func(c *customer.Customer) error {
			if err := c.SetClass(class, customer.Change{Actor: owner, At: start}); err != nil {
				return err
			}
			return c.SetKeyAccount(key, customer.Change{Actor: owner, At: start})
		})
		_, _ = svc.LogInteraction(ctx, "bank", c.ID(), customer.InteractionInput{Channel: customer.PhoneCall,
			Direction: customer.Outbound, Actor: owner, At: start.AddDate(0, 0, contactDays), Summary: "call"})
	}
	add("Jade River Trading", "wang.li", customer.Stable, true, 0) // key account, called on day 0
	add("Harbour Logistics", "wang.li", customer.PushHard, false, 7)
	add("East Gate Foods", "wang.li", customer.GeneralContact, false, 0)
	add("Summit Textiles", "zhao.min", customer.Stable, false, 1)
	add("Lotus Pharmacy", "zhao.min", customer.PushHard, false, 14)

	now := time.Date(2025, 4, 2, 10, 0, 0, 0, shanghai) // a Wednesday, 30 days on
	groups, _ := svc.OverdueForContact(ctx, "bank", policy, now, customer.OverdueQuery{})
	for _, g := range groups {
		fmt.Println(g.Owner)
		for _, e := range g.Contacts {
			fmt.Printf("  %-20s %-13s last %-6s  due %-6s  %2d business days overdue\n", e.Customer.Name(), e.Rule,
				e.LastContact.In(shanghai).Format("Jan 2"), e.DueAt.In(shanghai).Format("Jan 2"), e.DaysOverdue)
		}
	}
	// Output:
	// wang.li
	//   Harbour Logistics    push_hard     last Mar 10  due Mar 19  10 business days overdue
	//   Jade River Trading   key_accounts  last Mar 3   due Mar 21   8 business days overdue
	// zhao.min
	//   Lotus Pharmacy       push_hard     last Mar 17  due Mar 26   5 business days overdue
}

// How long an account spent in each relationship stage, and in business
// time, from its history.
func ExampleStageTimes() {
	ctx := context.Background()
	start := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC) // a Monday
	clock := crm.NewManualClock(start)
	svc, _ := customer.NewService(memory.New(nil), &customer.Options{Clock: clock, IDs: crm.NewSequentialIDs(clock)})
	c, _ := svc.Create(ctx, customer.NewInput{Tenant: "t1", Kind: customer.Organization, Name: "Jade River Trading",
		Roles: []customer.Role{customer.EndCustomer}, Owner: "wang.li"}, customer.Change{Actor: "wang.li"})
	move := func(days int, to customer.Stage, contract string) {
		clock.Set(start.AddDate(0, 0, days))
		_, _ = svc.MoveStage(ctx, "t1", c.ID(), to, contract, customer.Change{Actor: "wang.li"})
	}
	move(3, customer.Established, "")
	move(10, customer.Evaluation, "")
	move(17, customer.Established, "") // the evaluation stalled: back a stage
	move(24, customer.Evaluation, "")
	move(38, customer.Growth, "")

	day := []calendar.Span{{Start: calendar.At(9, 0), End: calendar.At(17, 0)}}
	cal, _ := calendar.New(calendar.Config{TimeZone: "UTC", Week: calendar.Week{
		time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day,
	}})
	tl, _ := svc.StageTimes(ctx, "t1", c.ID(), start.AddDate(0, 0, 45), cal)
	for _, sp := range tl.Spans {
		mark := ""
		if sp.Current {
			mark = " (now)"
		}
		fmt.Printf("%-12s %2.0f days, %3.0f working hours%s\n", sp.Stage, sp.Duration.Hours()/24, sp.Business.Hours(), mark)
	}
	total, _ := tl.Total(customer.Evaluation)
	fmt.Printf("evaluation in all: %.0f days\n", total.Hours()/24)
	// Output:
	// unfamiliar    3 days,  24 working hours
	// established   7 days,  40 working hours
	// evaluation    7 days,  40 working hours
	// established   7 days,  40 working hours
	// evaluation   14 days,  80 working hours
	// growth        7 days,  40 working hours (now)
	// evaluation in all: 21 days
}

// Care triggered by moves, not dates: a first visit two business days
// after a customer becomes established, and a retention call the next
// business day after it turns at risk.
func ExampleDueMoveCare() {
	ctx := context.Background()
	start := time.Date(2025, 3, 6, 15, 0, 0, 0, time.UTC) // a Thursday
	clock := crm.NewManualClock(start)
	svc, _ := customer.NewService(memory.New(nil), &customer.Options{Clock: clock, IDs: crm.NewSequentialIDs(clock)})
	c, _ := svc.Create(ctx, customer.NewInput{Tenant: "t1", Kind: customer.Person, Name: "Li Na",
		Roles: []customer.Role{customer.EndCustomer}, Owner: "wang.li"}, customer.Change{Actor: "wang.li"})
	_, _ = svc.MoveStage(ctx, "t1", c.ID(), customer.Established, "", customer.Change{Actor: "wang.li"})
	clock.Advance(24 * time.Hour) // Friday
	c, _ = svc.Update(ctx, "t1", c.ID(), func(c *customer.Customer) error {
		return c.MoveLifecycle(customer.AtRisk, customer.Change{Actor: "wang.li", At: clock.Now(), Reason: "complaint unresolved"})
	})

	plan := customer.CarePlan{Types: []customer.CareType{
		{Code: "first_visit", Trigger: customer.CareTrigger{Kind: customer.TriggerEntered, Stage: customer.Established, Offsets: []int{2}}},
		{Code: "retention_call", Trigger: customer.CareTrigger{Kind: customer.TriggerEntered, Lifecycle: customer.AtRisk, Offsets: []int{1}}},
	}}
	day := []calendar.Span{{Start: calendar.At(9, 0), End: calendar.At(17, 0)}}
	cal, _ := calendar.New(calendar.Config{TimeZone: "UTC", Week: calendar.Week{
		time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day,
	}})
	hist, _ := svc.History(ctx, "t1", c.ID(), crm.PageRequest{})
	actions, _ := customer.DueMoveCare(plan, cal, c, hist.Items, start, start.AddDate(0, 0, 14))
	for _, a := range actions {
		fmt.Printf("%s %s %-14s %s\n", a.Due, a.DueAt.Weekday().String()[:3], a.Type, a.Occasion)
	}
	// Output:
	// 2025-03-10 Mon first_visit    2 business days after entering established (from unfamiliar)
	// 2025-03-10 Mon retention_call 1 business day after entering at_risk (from active)
}
