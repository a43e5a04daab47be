package lead_test

import (
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

var exampleTime = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // a Monday

// A web form captures a lead; one phone number does not parse and is kept
// for a person to read. The duplicate check finds the customer who already
// has the e-mail address, and the host's policy links the lead to them.
func Example_capture() {
	in := lead.NewInput{
		ID: crm.MustParseID("01890000-0000-7000-8000-000000000001"), Tenant: "acme",
		Name: "Wang Fang", Company: "Sunrise Hotels", Industry: "Hospitality", CompanySize: 250,
		Emails: []string{"Wang.Fang@sunrise.example"}, Phones: []string{"+86 138 0013 8000", "ask reception"},
		Consents: map[customer.Channel]customer.Consent{customer.EmailChannel: {Granted: true, Source: "web form checkbox"}},
		Payload:  `{"form":"quote","product":"chillers"}`,
		Channel:  customer.Web,
		Source:   lead.Source{Kind: lead.SourceWebForm, Detail: "quote request"},
	}
	l, err := lead.New(in, lead.Change{Actor: "web", At: exampleTime})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range l.Contacts() {
		fmt.Printf("%s %q parsed=%t\n", c.Kind, c.Raw, c.Parsed())
	}
	fmt.Println("needs review:", l.NeedsReview())

	email, _ := customer.ParseEmail("wang.fang@sunrise.example")
	known, _ := customer.New(customer.NewInput{
		ID: crm.MustParseID("01890000-0000-7000-8000-0000000000a1"), Tenant: "acme", Kind: customer.Person,
		Name: "Fang Wang", Roles: []customer.Role{customer.EndCustomer}, Owner: "li", Emails: []customer.Email{email},
	}, lead.Change{Actor: "import", At: exampleTime.Add(-24 * time.Hour)})
	matches, _ := lead.FindDuplicates(l, nil, []*customer.Customer{known}, customer.DuplicateRules{})
	for _, m := range matches {
		fmt.Printf("match %s %.2f:", m.Kind, m.Score)
		for _, r := range m.Reasons {
			fmt.Printf(" %s", r.Kind)
		}
		fmt.Println()
	}
	res, _ := lead.ResolveDuplicates(lead.LinkToCustomer, matches)
	fmt.Println("action:", res.Action)
	if res.Action == lead.ActionLinkCustomer {
		_ = l.LinkCustomer(res.Target, lead.Change{Actor: "web", At: exampleTime})
	}
	fmt.Println("linked:", l.Customer() == known.ID())
	// Output:
	// email "Wang.Fang@sunrise.example" parsed=true
	// phone "+86 138 0013 8000" parsed=true
	// phone "ask reception" parsed=false
	// needs review: true
	// match customer 0.93: email name
	// action: link_customer
	// linked: true
}

// Rules as data route a lead to the east-region team; a key prospect
// needs a senior manager; the round-robin is fair and every decision
// explains itself. The state is what a store keeps between decisions.
func Example_assignment() {
	office, _ := calendar.New(calendar.Config{TimeZone: "Asia/Shanghai", Week: calendar.Week{
		time.Monday: {{Start: calendar.At(9, 0), End: calendar.At(18, 0)}},
	}})
	router, err := lead.NewRouter(lead.Rules{
		People: []lead.Person{
			{ID: "zhao", Capacity: 20, Seniority: 5, Calendar: "shanghai"},
			{ID: "qian", Capacity: 20, Seniority: 1},
			{ID: "sun", Capacity: 0, Seniority: 3}, // on leave: takes no new leads
		},
		Rules: []lead.Rule{{
			Name:      "east",
			Territory: lead.Territory{Regions: []string{"Shanghai", "Zhejiang"}},
			People:    []crm.UserID{"zhao", "qian", "sun"},
		}},
		KeyProspectSeniority: 4,
	}, map[string]*calendar.Calendar{"shanghai": office})
	if err != nil {
		fmt.Println(err)
		return
	}
	st := lead.AssignmentState{}
	for i, key := range []bool{false, false, false, true} {
		in := lead.NewInput{
			ID: crm.MustParseID(fmt.Sprintf("01890000-0000-7000-8000-00000000000%d", i+1)), Tenant: "acme",
			Emails:      []string{fmt.Sprintf("buyer%d@example.com", i)},
			Address:     &customer.Address{Lines: []string{"1 Road"}, AdministrativeArea: "Shanghai", Country: "CN"},
			KeyProspect: key, Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm},
		}
		l, _ := lead.New(in, lead.Change{Actor: "web", At: exampleTime})
		dec, next, err := router.Assign(st, l, exampleTime) // 18:00 in Shanghai: zhao is off shift
		if err != nil {
			fmt.Println(err)
			return
		}
		st = next
		fmt.Println(dec.Assigned, dec.Owner, "|", dec.Why)
		for _, c := range dec.Tried[0].Candidates {
			if !c.Eligible {
				fmt.Println("  ", c.Person, "excluded:", c.Excluded)
			}
		}
	}
	fmt.Println("open leads of qian:", st.OpenLeads("qian"))
	// Output:
	// true qian | rule "east" covers the lead; 1 of 3 eligible; qian chosen by weighted round-robin (weight 1, credit 1, 0 of 20 open)
	//    zhao excluded: off_shift
	//    sun excluded: at_capacity
	// true qian | rule "east" covers the lead; 1 of 3 eligible; qian chosen by weighted round-robin (weight 1, credit 1, 1 of 20 open)
	//    zhao excluded: off_shift
	//    sun excluded: at_capacity
	// true qian | rule "east" covers the lead; 1 of 3 eligible; qian chosen by weighted round-robin (weight 1, credit 1, 2 of 20 open)
	//    zhao excluded: off_shift
	//    sun excluded: at_capacity
	// false  | nobody is eligible in the rules covering the lead ("east")
	//    zhao excluded: off_shift
	//    qian excluded: seniority
	//    sun excluded: at_capacity
	// open leads of qian: 3
}

// Won revenue is attributed to the campaigns that touched each deal; ROI
// and cost per won deal follow. The host chooses the model.
func Example_campaignROI() {
	at := exampleTime
	fair, _ := lead.NewCampaign(lead.CampaignInput{
		ID: crm.MustParseID("01890000-0000-7000-8000-0000000000c1"), Tenant: "acme", Name: "Canton Fair",
		Channel: lead.CampaignTradeShow, Start: at, Budget: crm.MustParseMoney("20000 CNY"), Cost: crm.MustParseMoney("18000 CNY"),
	}, lead.Change{Actor: "mkt", At: at})
	mail, _ := lead.NewCampaign(lead.CampaignInput{
		ID: crm.MustParseID("01890000-0000-7000-8000-0000000000c2"), Tenant: "acme", Name: "Spring mailing",
		Channel: lead.CampaignEmail, Start: at, Budget: crm.MustParseMoney("2000 CNY"), Cost: crm.MustParseMoney("1500 CNY"),
	}, lead.Change{Actor: "mkt", At: at})
	won := []lead.WonOpportunity{
		{ID: crm.MustParseID("01890000-0000-7000-8000-0000000000d1"), Amount: crm.MustParseMoney("30000 CNY"), WonAt: at.Add(60 * 24 * time.Hour),
			Touches: []lead.CampaignTouch{{Campaign: fair.ID(), At: at}, {Campaign: mail.ID(), At: at.Add(24 * time.Hour)}}},
		{ID: crm.MustParseID("01890000-0000-7000-8000-0000000000d2"), Amount: crm.MustParseMoney("9000 CNY"), WonAt: at.Add(30 * 24 * time.Hour),
			Touches: []lead.CampaignTouch{{Campaign: mail.ID(), At: at}}},
	}
	for _, model := range []lead.Attribution{lead.FirstTouch, lead.LastTouch, lead.Linear} {
		rep, err := lead.CampaignReports([]*lead.Campaign{fair, mail}, nil, slices.Values(won), model)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(model)
		for _, c := range rep.Campaigns {
			perWon := "none won" // the zero Money: no deal credited
			if !c.CostPerWon.Currency().IsZero() {
				perWon = c.CostPerWon.String()
			}
			fmt.Printf("  %-14s revenue %s ROI %s cost/won %s\n", c.Name, c.Revenue, c.ROI, perWon)
		}
	}
	_, err := lead.CampaignReports([]*lead.Campaign{fair}, nil,
		slices.Values([]lead.WonOpportunity{{Amount: crm.MustParseMoney("5 USD"), WonAt: at}}), lead.Linear)
	fmt.Println(err != nil)
	// Output:
	// first_touch
	//   Canton Fair    revenue 30000.00 CNY ROI 0.666667 cost/won 18000.00 CNY
	//   Spring mailing revenue 9000.00 CNY ROI 5 cost/won 1500.00 CNY
	// last_touch
	//   Canton Fair    revenue 0.00 CNY ROI -1 cost/won none won
	//   Spring mailing revenue 39000.00 CNY ROI 25 cost/won 750.00 CNY
	// linear
	//   Canton Fair    revenue 15000.00 CNY ROI -0.166667 cost/won 18000.00 CNY
	//   Spring mailing revenue 24000.00 CNY ROI 15 cost/won 750.00 CNY
	// true
}

// The funnel of a month's leads by source: conversion from new to
// contacted and from contacted to qualified, and time to first contact in
// business hours.
func Example_funnel() {
	office, _ := calendar.New(calendar.Config{TimeZone: "UTC", Week: calendar.Week{
		time.Monday: {{Start: calendar.At(9, 0), End: calendar.At(17, 0)}}, time.Tuesday: {{Start: calendar.At(9, 0), End: calendar.At(17, 0)}},
	}})
	p := lead.DefaultProcess("")
	var leads []*lead.Lead
	for i, src := range []lead.SourceKind{lead.SourceWebForm, lead.SourceWebForm, lead.SourceWebForm, lead.SourcePhone} {
		l, _ := lead.New(lead.NewInput{
			ID: crm.MustParseID(fmt.Sprintf("01890000-0000-7000-8000-00000000000%d", i+1)), Tenant: "acme",
			Emails: []string{fmt.Sprintf("p%d@example.com", i)}, Channel: customer.Web, Source: lead.Source{Kind: src},
		}, lead.Change{Actor: "web", At: exampleTime})
		if i < 3 {
			_ = l.Move(&p, lead.StageContacted, lead.Change{Actor: "ann", At: exampleTime.Add(time.Duration(i+1) * 3 * time.Hour)})
		}
		if i == 0 {
			_ = l.Move(&p, lead.StageQualified, lead.Change{Actor: "ann", At: exampleTime.Add(24 * time.Hour)})
		}
		leads = append(leads, l)
	}
	groups, _ := lead.Funnel(slices.Values(leads), lead.FunnelOptions{GroupBy: lead.BySource, Calendar: office})
	for _, g := range groups {
		var toContact, toQualified lead.StageRate
		for _, r := range g.Rates {
			switch {
			case r.From == lead.StageNew && r.To == lead.StageContacted:
				toContact = r
			case r.From == lead.StageContacted && r.To == lead.StageQualified:
				toQualified = r
			}
		}
		fmt.Printf("%s: %d leads, new→contacted %.0f%%, contacted→qualified %.0f%%, median first contact %s\n",
			g.Key, g.Leads, 100*toContact.Rate, 100*toQualified.Rate, g.MedianFirstContact)
	}
	// Output:
	// phone: 1 leads, new→contacted 0%, contacted→qualified 0%, median first contact 0s
	// web_form: 3 leads, new→contacted 100%, contacted→qualified 33%, median first contact 6h0m0s
}
