package complaint_test

import (
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// A leaking window, from receipt to closing, follow-up call and survey.
func Example() {
	tree, err := complaint.NewCategoryTree([]complaint.Category{
		{Code: "product_quality"},
		{Code: "leak", Parent: "product_quality"},
		{Code: "window", Parent: "leak"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	step := 0
	ch := func(reason string) complaint.Change {
		step++
		return complaint.Change{Actor: "agent-li", At: start.Add(time.Duration(step) * time.Hour), Reason: reason}
	}
	c, err := complaint.New(complaint.NewInput{
		ID:       crm.MustParseID("01890000-0000-7000-8000-0000000000a1"),
		Tenant:   "sunrise-homes",
		Customer: crm.MustParseID("01890000-0000-7000-8000-0000000000b1"),
		Channel:  customer.CallCentre, Category: "window", Categories: tree,
		Severity: complaint.High, Priority: complaint.P2,
		Asset:       complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}, {Kind: "unit", ID: "1502"}},
		Description: "Rain comes in through the bedroom window.", Owner: "agent-li",
	}, complaint.Change{Actor: "call-centre", At: start})
	if err != nil {
		fmt.Println(err)
		return
	}
	path, _ := tree.Path(c.Category())
	fmt.Println("category:", path)

	must := func(err error) {
		if err != nil {
			fmt.Println(err)
		}
	}
	must(c.Transition(complaint.Acknowledged, ch("called the owner back")))
	must(c.Transition(complaint.Assessed, ch("")))
	must(c.HandOver("engineer-wu", ch("needs a window specialist")))
	must(c.Transition(complaint.Investigating, ch("")))
	must(c.Transition(complaint.ResponseProposed, ch("reseal the frame")))
	must(c.SetResolution(complaint.Resolution{
		Remedy: complaint.Repair, Summary: "Frame resealed",
		RootCause: complaint.RootCause{Category: "installation", Text: "sealant missing"},
	}, ch("")))
	must(c.Transition(complaint.Resolved, ch("")))
	err = c.Transition(complaint.Closed, ch(""))
	must(err)
	must(c.RecordAcceptance(true, ch("owner satisfied")))
	must(c.ScheduleFollowUp(c.ClosedAt().Add(7*24*time.Hour), ch("")))
	must(c.RecordSurvey(complaint.Survey{CSAT: 5, Comment: "fast and clean"}, ch("")))

	s, _ := c.Survey()
	fmt.Println("status:", c.Status(), "owner:", c.Owner(), "hand-overs:", c.HandOvers())
	fmt.Println("follow-up:", c.FollowUpAt().Format(time.DateOnly), "CSAT:", s.CSAT)
	fmt.Println("resolution time:", c.ResolutionTimer().Stop.Sub(c.ResolutionTimer().Start))
	for _, a := range c.PendingAudit() {
		if a.Kind == complaint.AuditStatus {
			fmt.Printf("%s -> %s\n", a.From, a.To)
		}
	}
	// Output:
	// category: [product_quality leak window]
	// status: closed owner: engineer-wu hand-overs: 1
	// follow-up: 2026-06-08 CSAT: 5
	// resolution time: 7h0m0s
	// received -> acknowledged
	// acknowledged -> assessed
	// assessed -> investigating
	// investigating -> response_proposed
	// response_proposed -> resolved
	// resolved -> closed
}

// The customer sees the public entries of the repair timeline only.
func ExampleComplaint_PublicRepairView() {
	c, err := complaint.New(complaint.NewInput{
		ID:       crm.MustParseID("01890000-0000-7000-8000-0000000000a2"),
		Tenant:   "sunrise-homes",
		Customer: crm.MustParseID("01890000-0000-7000-8000-0000000000b2"),
		Channel:  customer.Web, Category: "leak",
		Description: "Roof leaks.", Owner: "agent-li",
	}, complaint.Change{Actor: "web", At: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	at := time.Date(2026, 6, 2, 8, 0, 0, 0, time.UTC)
	add := func(s complaint.RepairStep, note string, public bool) {
		at = at.Add(time.Hour)
		if err := c.AddRepairStep(s, note, public, complaint.Change{Actor: "dispatch", At: at}); err != nil {
			fmt.Println(err)
		}
	}
	add(complaint.StepScheduled, "Visit on Tuesday 10:00", true)
	add(complaint.StepTechnicianAssigned, "Zhang, roofing team", true)
	add(complaint.StepPartsOrdered, "membrane back-ordered; supplier late again", false)
	add(complaint.StepFixed, "Membrane replaced", true)
	for _, e := range c.PublicRepairView() {
		fmt.Println(e.At.Format("01-02 15:04"), e.Step, "-", e.Note)
	}
	// Output:
	// 06-02 09:00 scheduled - Visit on Tuesday 10:00
	// 06-02 10:00 technician_assigned - Zhang, roofing team
	// 06-02 12:00 fixed - Membrane replaced
}
