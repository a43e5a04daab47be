package lead_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/storage/memory"
)

// exampleService returns a lead service on an in-memory store whose
// router shares every lead between ann and ben, with a fixed clock.
func exampleService(opts lead.Options) (*lead.Service, *memory.Store, *crm.ManualClock) {
	store := memory.New(nil)
	clock := crm.NewManualClock(exampleTime)
	router, err := lead.NewRouter(lead.Rules{
		People: []lead.Person{{ID: "ann", Capacity: 2}, {ID: "ben", Capacity: 2}},
		Rules:  []lead.Rule{{Name: "everyone", People: []crm.UserID{"ann", "ben"}}},
	}, nil)
	if err != nil {
		panic(err)
	}
	opts.Clock, opts.IDs, opts.Router = clock, crm.NewSequentialIDs(clock), router
	svc, err := lead.NewService(store, &opts)
	if err != nil {
		panic(err)
	}
	return svc, store, clock
}

func webLead(email string) lead.NewInput {
	return lead.NewInput{Tenant: "acme", Name: "Wang Fang", Emails: []string{email},
		Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm, Detail: "contact form"}}
}

// Capture checks each new lead for duplicates and assigns it by weighted
// round-robin through the assignment state the store keeps: counters
// survive a restart, capacities hold under concurrent captures, and a
// lead nobody can take stays unassigned with the reason.
func ExampleService_Capture() {
	svc, _, _ := exampleService(lead.Options{})
	ctx := context.Background()
	for _, email := range []string{"a@example.com", "b@example.com", "a@example.com", "c@example.com", "d@example.com", "e@example.com"} {
		res, err := svc.Capture(ctx, webLead(email), lead.Change{Actor: "web"})
		if err != nil {
			fmt.Println(err)
			continue
		}
		switch {
		case res.Resolution.Action == lead.ActionAttach:
			fmt.Printf("%s: attached to the open lead of %s\n", email, res.Lead.Owner())
		case res.Decision.Assigned:
			fmt.Printf("%s: new lead for %s\n", email, res.Lead.Owner())
		default:
			fmt.Printf("%s: unassigned (%s)\n", email, res.Decision.Why)
		}
	}
	// Output:
	// a@example.com: new lead for ann
	// b@example.com: new lead for ben
	// a@example.com: attached to the open lead of ann
	// c@example.com: new lead for ann
	// d@example.com: new lead for ben
	// e@example.com: unassigned (nobody is eligible in the rules covering the lead ("everyone"))
}

// Convert turns a qualified lead into a customer in one transaction,
// carrying over its contact points, consents, source and campaign. An
// opportunity, when wanted, is made by the caller's function inside the
// same transaction; converting again returns the first result.
func ExampleService_Convert() {
	svc, store, clock := exampleService(lead.Options{})
	ctx := context.Background()
	in := webLead("wang.fang@example.com")
	in.Phones = []string{"+86 138 0013 8000"}
	in.Consents = map[customer.Channel]customer.Consent{customer.EmailChannel: {Granted: true, Source: "newsletter box"}}
	res, _ := svc.Capture(ctx, in, lead.Change{Actor: "web"})
	id := res.Lead.ID()
	clock.Advance(time.Hour)
	_, _ = svc.Move(ctx, "acme", id, lead.StageContacted, lead.Change{Actor: "ann"})
	_, _ = svc.Move(ctx, "acme", id, lead.StageQualified, lead.Change{Actor: "ann"})

	opportunity := crm.MustParseID("01890000-0000-7000-8000-0000000000f1")
	conv, err := svc.Convert(ctx, lead.ConvertInput{
		Tenant: "acme", Lead: id,
		// In a real host this calls the opportunity service with ctx.
		CreateOpportunity: func(ctx context.Context, customerID crm.ID) (crm.ID, error) { return opportunity, nil },
	}, lead.Change{Actor: "ann"})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := conv.Customer
	fmt.Println("customer:", c.Name(), "owned by", c.Owner(), "new:", conv.CreatedCustomer)
	fmt.Println("contacts:", len(c.Emails()), "e-mail,", len(c.Phones()), "phone; may e-mail:", c.MayContact(customer.EmailChannel))
	fmt.Println("lead:", conv.Lead.Stage(), "linked:", conv.Lead.Customer() == c.ID(), conv.Lead.Opportunity() == opportunity)
	fmt.Println("customer names the lead:", c.Attributes()["lead"] == id.String())

	again, _ := svc.Convert(ctx, lead.ConvertInput{Tenant: "acme", Lead: id}, lead.Change{Actor: "bob"})
	all, _ := store.Customers().List(ctx, "acme", customer.Query{}, crm.PageRequest{})
	fmt.Println("again:", again.Again, "same customer:", again.Customer.ID() == c.ID(), "customers:", len(all.Items))
	// Output:
	// customer: Wang Fang owned by ann new: true
	// contacts: 1 e-mail, 1 phone; may e-mail: true
	// lead: converted linked: true true
	// customer names the lead: true
	// again: true same customer: true customers: 1
}

// CheckFirstContact reports each first-contact breach once and hands the
// breached lead to someone else, the history saying why.
func ExampleService_CheckFirstContact() {
	office, _ := calendar.New(calendar.Config{TimeZone: "UTC", Week: calendar.Week{
		time.Monday: {{Start: calendar.At(9, 0), End: calendar.At(17, 0)}},
	}})
	svc, _, _ := exampleService(lead.Options{FirstContact: &lead.FirstContactSLA{
		Calendar: office, Thresholds: calendar.Thresholds{Target: 2 * time.Hour},
	}})
	ctx := context.Background()
	res, _ := svc.Capture(ctx, webLead("slow@example.com"), lead.Change{Actor: "web"}) // Monday 10:00
	alerts, moved, _ := svc.CheckFirstContact(ctx, "acme", exampleTime, exampleTime.Add(3*time.Hour), "sla-bot")
	for _, a := range alerts {
		fmt.Println(a.Type, a.At.Format("15:04"))
	}
	for _, m := range moved {
		fmt.Println("reassigned from", m.Decision.Previous, "to", m.Decision.Owner)
	}
	h, _ := svc.History(ctx, "acme", res.Lead.ID(), crm.PageRequest{})
	last := h.Items[len(h.Items)-1]
	fmt.Println(last.Kind, last.From, "→", last.To, "by", last.Actor)
	// Output:
	// lead.first_contact_breached 12:00
	// reassigned from ann to ben
	// owner ann → ben by sla-bot
}
