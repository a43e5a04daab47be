package complaint_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// ExampleCheckSLAs chooses a service-level policy for a complaint, reads
// its standing on a business calendar, runs the host's periodic check and
// escalates it by the ladder.
func ExampleCheckSLAs() {
	var cfg calendar.Config
	if err := json.Unmarshal([]byte(`{"name": "desk", "time_zone": "Asia/Shanghai", "week": {
	  "monday": ["09:00-18:00"], "tuesday": ["09:00-18:00"], "wednesday": ["09:00-18:00"],
	  "thursday": ["09:00-18:00"], "friday": ["09:00-18:00"]}}`), &cfg); err != nil {
		fmt.Println(err)
		return
	}
	cal, err := calendar.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	cals := map[string]*calendar.Calendar{"desk": cal}
	shanghai := cal.Location()

	yes := true
	set := &complaint.PolicySet{
		Policies: []complaint.Policy{{
			Name: "key accounts", Match: complaint.PolicyMatch{KeyAccount: &yes}, Calendar: "desk",
			Targets: complaint.Targets{
				Acknowledge: calendar.Thresholds{Target: time.Hour, WarnAt: 0.5},
				Resolution:  calendar.Thresholds{Target: 8 * time.Hour, WarnAt: 0.75},
			},
		}},
		Default: complaint.Policy{Name: "standard", Calendar: "desk", Targets: complaint.Targets{
			Resolution: calendar.Thresholds{Target: 24 * time.Hour},
		}},
	}
	if err := set.Validate(); err != nil {
		fmt.Println(err)
		return
	}

	// A key account's complaint arrives on Friday at 17:00.
	received := time.Date(2026, 3, 6, 17, 0, 0, 0, shanghai)
	cust := crm.MustParseID("01890000-0000-7000-8000-0000000000c1")
	c, err := complaint.New(complaint.NewInput{
		ID: crm.MustParseID("01890000-0000-7000-8000-0000000000a1"), Tenant: "acme", Customer: cust,
		Channel: customer.Web, Category: "leak", Severity: complaint.High,
		Description: "The bedroom window leaks.", Owner: "agent-li",
	}, complaint.Change{Actor: "agent-li", At: received})
	if err != nil {
		fmt.Println(err)
		return
	}
	facts := map[crm.ID]complaint.CustomerFacts{cust: {KeyAccount: true}}

	now := time.Date(2026, 3, 9, 11, 0, 0, 0, shanghai) // Monday 11:00
	sla, err := complaint.SLAStatus(c, set, cals, facts[cust], now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("policy:", sla.Policy)
	fmt.Println("acknowledge:", sla.Acknowledge.State, "deadline", sla.Acknowledge.Deadline.Format("Mon 15:04"))
	fmt.Println("resolution:", sla.Resolution.State, "elapsed", sla.Resolution.Elapsed,
		"deadline", sla.Resolution.Deadline.Format("Mon 15:04"))

	// The host's scheduler ran last on Friday at 17:00; this run reports
	// what happened since, once.
	events, err := complaint.CheckSLAs([]*complaint.Complaint{c}, set, cals, facts, received, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range events {
		a := e.Data.(complaint.SLAAlert)
		fmt.Println(e.At.In(shanghai).Format("Mon 15:04"), e.Type, a.Target, a.Policy)
	}

	ladder := complaint.Ladder{
		Steps: []complaint.Step{
			{Level: 1, Role: "owner", Notify: []string{"agent-li"}},
			{Level: 2, Role: "team_lead", Notify: []string{"lead-wang"}},
			{Level: 3, Role: "department_head", Notify: []string{"head-zhao"}},
		},
		Triggers: []complaint.Trigger{{On: complaint.OnBreach, Target: complaint.TargetAcknowledge, ToLevel: 2}},
	}
	level, notify, err := complaint.ApplyEscalation(c, ladder, sla, complaint.EscalationFacts{},
		complaint.Change{Actor: "sla-job", At: now})
	fmt.Println("escalated to", level, "notify", notify, err)
	// Output:
	// policy: key accounts
	// acknowledge: breached deadline Fri 18:00
	// resolution: ok elapsed 3h0m0s deadline Mon 16:00
	// Fri 17:30 complaint.sla_warning acknowledge key accounts
	// Fri 18:00 complaint.sla_breached acknowledge key accounts
	// escalated to 2 notify [agent-li lead-wang] <nil>
}
