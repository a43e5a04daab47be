package complaint_test

import (
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// ExampleAnalyze reports a month of complaints by category: how many,
// how fast they were handled (waiting on the customer excluded), how
// satisfied the customers were and who keeps complaining.
func ExampleAnalyze() {
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	owner := complaint.Change{Actor: "agent-li", Reason: "handling"}
	at := func(day, hour int) complaint.Change {
		ch := owner
		ch.At = time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC)
		return ch
	}
	alice := crm.MustParseID("01890000-0000-7000-8000-0000000000c1")
	bob := crm.MustParseID("01890000-0000-7000-8000-0000000000c2")

	var complaints []*complaint.Complaint
	receive := func(n int, cust crm.ID, category string, day int) *complaint.Complaint {
		c, err := complaint.New(complaint.NewInput{
			ID:     crm.MustParseID(fmt.Sprintf("01890000-0000-7000-8000-%012d", n)),
			Tenant: "acme", Customer: cust, Channel: customer.Web, Category: category,
			Description: "The bedroom window leaks.", Owner: "agent-li",
		}, at(day, 9))
		if err != nil {
			panic(err)
		}
		complaints = append(complaints, c)
		return c
	}
	// resolve acknowledges c at 10:00, waits on the customer from 11:00 to
	// 13:00 and resolves it at resolvedHour, all on day.
	resolve := func(c *complaint.Complaint, day, resolvedHour, csat int) {
		steps := []struct {
			to   complaint.Status
			hour int
		}{
			{complaint.Acknowledged, 10}, {complaint.Assessed, 10}, {complaint.Investigating, 10},
			{complaint.WaitingOnCustomer, 11}, {complaint.Investigating, 13},
			{complaint.ResponseProposed, 14}, {complaint.Resolved, resolvedHour}, {complaint.Closed, resolvedHour},
		}
		for _, s := range steps {
			if s.to == complaint.Resolved {
				res := complaint.Resolution{Remedy: complaint.Repair, Summary: "Resealed the frame",
					RootCause: complaint.RootCause{Category: "installation"}}
				if err := c.SetResolution(res, at(day, s.hour)); err != nil {
					panic(err)
				}
			}
			if err := c.Transition(s.to, at(day, s.hour)); err != nil {
				panic(err)
			}
		}
		if err := c.RecordSurvey(complaint.Survey{CSAT: csat}, at(day, resolvedHour)); err != nil {
			panic(err)
		}
	}

	resolve(receive(1, alice, "leak", 2), 2, 15, 5)
	resolve(receive(2, alice, "leak", 9), 9, 17, 3)
	receive(3, bob, "billing", 10)
	receive(4, bob, "leak", 20)
	receive(5, bob, "leak", 31) // received after the period below

	report, err := complaint.Analyze(complaints, complaint.AnalyticsOptions{
		From: march, To: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC),
		At: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), By: complaint.ByCategory,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	t := report.Total
	fmt.Printf("total: %d complaints, %d open, %d closed\n", t.Count, t.Open, t.Closed)
	for _, s := range report.Slices {
		st := s.Stats
		fmt.Printf("%s: %d complaints, resolved in median %s (p90 %s), CSAT %.1f, satisfied %.0f%%\n",
			s.Key, st.Count, st.Resolve.Median, st.Resolve.P90, st.CSAT.Mean, 100*st.CSAT.SatisfiedRate)
		for _, r := range st.RootCauses {
			fmt.Printf("  root cause %s: %d\n", r.Category, r.Count)
		}
		for _, r := range st.RepeatComplainers {
			fmt.Printf("  repeat complainer %s: %d\n", r.Customer, r.Count)
		}
	}
	// Output:
	// total: 4 complaints, 2 open, 2 closed
	// billing: 1 complaints, resolved in median 0s (p90 0s), CSAT 0.0, satisfied 0%
	// leak: 3 complaints, resolved in median 4h0m0s (p90 6h0m0s), CSAT 4.0, satisfied 50%
	//   root cause installation: 2
	//   repeat complainer 01890000-0000-7000-8000-0000000000c1: 2
}
