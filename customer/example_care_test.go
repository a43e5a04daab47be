package customer_test

import (
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// careExampleCustomer creates a customer for the examples, ignoring errors the
// fixed input cannot cause.
func careExampleCustomer(id, name, zone, email string) *customer.Customer {
	in := customer.NewInput{
		ID: crm.MustParseID(id), Tenant: "acme", Kind: customer.Person, Name: name,
		Roles: []customer.Role{customer.EndCustomer}, Owner: "li.ming", TimeZone: zone,
	}
	if email != "" {
		e, _ := customer.ParseEmail(email)
		in.Emails = []customer.Email{e}
	}
	c, err := customer.New(in, customer.Change{Actor: "import", At: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		panic(err) // example data only
	}
	return c
}

func ExampleDueCare() {
	plan := customer.CarePlan{Types: []customer.CareType{
		{Code: "birthday", Name: "Birthday greeting", LeadDays: 2,
			Trigger: customer.CareTrigger{Kind: customer.TriggerAnnual, DateKey: "birthday"}},
		{Code: "spring_festival", Name: "Spring Festival greeting",
			Trigger: customer.CareTrigger{Kind: customer.TriggerFixed, Dates: []customer.Date{
				{Year: 2026, Month: time.February, Day: 17}, {Year: 2027, Month: time.February, Day: 6},
			}}},
		{Code: "after_sale", Name: "Visit after the sale", Channel: customer.FaceToFace,
			Trigger: customer.CareTrigger{Kind: customer.TriggerAfter, DateKey: "purchase", Offsets: []int{1, 7, 30}}},
	}}

	wang := careExampleCustomer("01936f2a-0000-7000-8000-000000000001", "Wang Fang", "Asia/Shanghai", "")
	_ = wang.SetDate("birthday", customer.Date{Year: 1988, Month: time.February, Day: 29})
	_ = wang.SetDate("purchase", customer.Date{Year: 2026, Month: time.February, Day: 9})
	rosa := careExampleCustomer("01936f2a-0000-7000-8000-000000000002", "Rosa Díaz", "America/Los_Angeles", "")
	_ = rosa.SetDate("birthday", customer.Date{Month: time.February, Day: 20}) // year unknown

	// Two weeks of instants; each customer's days are counted in their zone.
	from := time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC)
	actions, err := customer.DueCare(plan, []*customer.Customer{wang, rosa}, from, from.AddDate(0, 0, 14))
	if err != nil {
		fmt.Println(err)
		return
	}
	names := map[crm.ID]string{wang.ID(): wang.Name(), rosa.ID(): rosa.Name()}
	for _, a := range actions {
		fmt.Printf("%s %-9s %-15s %-24s starts %s, remind %s\n", a.Due, names[a.CustomerID], a.Type, a.Occasion,
			a.DueAt.UTC().Format("Jan 2 15:04Z"), a.RemindAt.Format("Jan 2"))
	}
	// Output:
	// 2026-02-16 Wang Fang after_sale      7 days after purchase    starts Feb 15 16:00Z, remind Feb 16
	// 2026-02-17 Wang Fang spring_festival Spring Festival greeting starts Feb 16 16:00Z, remind Feb 17
	// 2026-02-17 Rosa Díaz spring_festival Spring Festival greeting starts Feb 17 08:00Z, remind Feb 17
	// 2026-02-20 Rosa Díaz birthday        birthday                 starts Feb 20 08:00Z, remind Feb 18
	// 2026-02-28 Wang Fang birthday        38th birthday            starts Feb 27 16:00Z, remind Feb 26
}

func ExampleCheckDayPlan() {
	day := customer.Date{Year: 2025, Month: time.June, Day: 2}
	var visits []customer.Visit
	for i, kind := range []customer.VisitKind{customer.NewVisit, customer.NewVisit, customer.ReturnVisit, customer.NewVisit} {
		v := customer.Visit{
			ID:          crm.MustParseID(fmt.Sprintf("01936f2a-0000-7000-8000-00000000010%d", i)),
			Tenant:      "acme",
			CustomerID:  crm.MustParseID(fmt.Sprintf("01936f2a-0000-7000-8000-00000000000%d", i+1)),
			Salesperson: "li.ming", Kind: kind, Purpose: "product demo", Method: customer.FaceToFace,
			PlannedAt: time.Date(2025, 6, 2, 9+2*i, 0, 0, 0, time.UTC), Duration: 90 * time.Minute,
			Status: customer.VisitPlanned,
		}
		if i == 3 {
			v.PlannedAt = v.PlannedAt.Add(-time.Hour) // clashes with the visit before
		}
		visits = append(visits, v)
	}
	_ = visits[0].Complete("order for 20 units", visits[0].PlannedAt.Add(time.Hour))

	check, err := customer.CheckDayPlan("li.ming", day, time.UTC, visits, customer.DayTarget{New: 7, Return: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("planned %d new + %d return, missing %d new + %d return, met: %t\n",
		check.PlannedNew, check.PlannedReturn, check.MissingNew, check.MissingReturn, check.Met)
	fmt.Printf("done %d new + %d return, achieved: %t\n", check.DoneNew, check.DoneReturn, check.Achieved)
	fmt.Println("overlapping visits:", len(check.Overlaps))
	// Output:
	// planned 3 new + 1 return, missing 4 new + 2 return, met: false
	// done 1 new + 0 return, achieved: false
	// overlapping visits: 1
}

func ExampleFindDuplicatesIn() {
	batch := []*customer.Customer{
		careExampleCustomer("01936f2a-0000-7000-8000-000000000001", "José Müller", "", "jose.muller@example.com"),
		careExampleCustomer("01936f2a-0000-7000-8000-000000000002", "MULLER, Jose", "", "Jose.Muller@Example.com"),
		careExampleCustomer("01936f2a-0000-7000-8000-000000000003", "Anna Schmidt", "", "anna@example.com"),
	}
	for _, c := range customer.FindDuplicatesIn(batch, customer.DefaultDuplicateRules()) {
		fmt.Printf("%s ~ %s: %.3f\n", c.A.String()[34:], c.B.String()[34:], c.Score)
		for _, r := range c.Reasons {
			fmt.Printf("  %s (%.2f): %s\n", r.Kind, r.Weight, r.Detail)
		}
	}
	// Output:
	// 01 ~ 02: 0.925
	//   email (0.85): jose.muller@example.com
	//   name (0.50): "José Müller" ~ "MULLER, Jose": 1.00
}

func ExampleScorePair() {
	a := careExampleCustomer("01936f2a-0000-7000-8000-000000000001", "Wang Wei", "", "")
	b := careExampleCustomer("01936f2a-0000-7000-8000-000000000002", "Wei Wang", "", "")
	c, ok := customer.ScorePair(a, b, customer.DefaultDuplicateRules())
	// A similar name alone is evidence, but not enough for a candidate.
	fmt.Printf("score %.2f, candidate: %t, reasons: %d\n", c.Score, ok, len(c.Reasons))
	// Output:
	// score 0.50, candidate: false, reasons: 1
}
