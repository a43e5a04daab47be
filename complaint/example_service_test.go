package complaint_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// exampleSetup returns a complaint service and a customer service on one
// in-memory store, with a manual clock and deterministic IDs.
func exampleSetup(sink crm.EventSink) (*complaint.Service, *customer.Service, *crm.ManualClock) {
	store := memory.New(nil)
	clock := crm.NewManualClock(time.Date(2026, 5, 11, 9, 0, 0, 0, time.UTC))
	ids := crm.NewSequentialIDs(clock)
	svc, err := complaint.NewService(store, &complaint.Options{Clock: clock, IDs: ids, Events: sink})
	if err != nil {
		panic(err)
	}
	cust, err := customer.NewService(store, &customer.Options{Clock: clock, IDs: ids})
	if err != nil {
		panic(err)
	}
	return svc, cust, clock
}

// exampleOwner creates a property owner.
func exampleOwner(cust *customer.Service, name string) crm.ID {
	c, err := cust.Create(context.Background(), customer.NewInput{
		Tenant: "riverside", Kind: customer.Person, Name: name,
		Roles: []customer.Role{customer.EndCustomer}, Owner: "mgr-zhao",
	}, customer.Change{Actor: "front-desk"})
	if err != nil {
		panic(err)
	}
	return c.ID()
}

// ExampleService follows one complaint from receipt to the satisfaction
// survey: acknowledge, assess, investigate with a transparent repair,
// propose, resolve, close, follow up (回访) and survey.
func ExampleService() {
	ctx := context.Background()
	var published []string
	sink := crm.EventSinkFunc(func(_ context.Context, evs []crm.Event) error {
		for _, e := range evs {
			published = append(published, e.Type)
		}
		return nil
	})
	svc, cust, clock := exampleSetup(sink)
	owner := exampleOwner(cust, "Wang Fang")
	ch := complaint.Change{Actor: "agent-li"} // At defaults to the clock

	c, err := svc.Receive(ctx, complaint.ReceiveInput{
		Tenant: "riverside", Customer: owner, Channel: customer.CallCentre, Category: "leak",
		Asset:       complaint.Asset{{Kind: "building", ID: "B3"}, {Kind: "unit", ID: "1502"}},
		Description: "Water comes through the bedroom window when it rains.", Owner: "agent-li",
	}, ch)
	if err != nil {
		panic(err)
	}
	id := c.ID()
	step := func(f func() (*complaint.Complaint, error)) {
		clock.Advance(time.Hour)
		c, err = f()
		if err != nil {
			panic(err)
		}
	}
	step(func() (*complaint.Complaint, error) { return svc.Acknowledge(ctx, "riverside", id, ch) })
	step(func() (*complaint.Complaint, error) { return svc.Assess(ctx, "riverside", id, ch) })
	step(func() (*complaint.Complaint, error) { return svc.Investigate(ctx, "riverside", id, ch) })
	step(func() (*complaint.Complaint, error) {
		return svc.AddRepairStep(ctx, "riverside", id, complaint.StepOnSite, "technician on site", true, ch)
	})
	step(func() (*complaint.Complaint, error) {
		return svc.AddRepairStep(ctx, "riverside", id, complaint.StepPartsOrdered, "sealant from stock B", false, ch)
	})
	step(func() (*complaint.Complaint, error) {
		return svc.AddRepairStep(ctx, "riverside", id, complaint.StepFixed, "window frame resealed", true, ch)
	})
	step(func() (*complaint.Complaint, error) { return svc.ProposeResponse(ctx, "riverside", id, ch) })
	step(func() (*complaint.Complaint, error) {
		return svc.SetResolution(ctx, "riverside", id, complaint.Resolution{
			Remedy: complaint.Repair, Summary: "Resealed the window frame",
		}, ch)
	})
	step(func() (*complaint.Complaint, error) { return svc.Resolve(ctx, "riverside", id, ch) })
	step(func() (*complaint.Complaint, error) { return svc.Close(ctx, "riverside", id, ch) })
	step(func() (*complaint.Complaint, error) {
		return svc.ScheduleFollowUp(ctx, "riverside", id, clock.Now().Add(7*24*time.Hour), ch)
	})

	view, err := svc.PublicRepairView(ctx, "riverside", id)
	if err != nil {
		panic(err)
	}
	for _, e := range view {
		fmt.Println("customer sees:", e.Step, "-", e.Note)
	}

	clock.Advance(7 * 24 * time.Hour)
	due, err := svc.FollowUpsDue(ctx, "riverside", clock.Now().Add(-24*time.Hour), clock.Now().Add(24*time.Hour))
	if err != nil {
		panic(err)
	}
	fmt.Println("follow-ups due:", len(due))
	step(func() (*complaint.Complaint, error) {
		return svc.RecordFollowUp(ctx, "riverside", id, complaint.FollowUp{Reached: true, Note: "dry after the storm"}, ch)
	})
	step(func() (*complaint.Complaint, error) {
		return svc.RecordSurvey(ctx, "riverside", id, complaint.Survey{CSAT: 5}, ch)
	})
	s, _ := c.Survey()
	fmt.Println("status:", c.Status(), "CSAT:", s.CSAT, "version:", c.Version())
	fmt.Println("resolved after:", c.ResolvedAt().Sub(c.ReceivedAt()))
	fmt.Println("events:", len(published), "first:", published[0], "last:", published[len(published)-1])
	// Output:
	// customer sees: on_site - technician on site
	// customer sees: fixed - window frame resealed
	// follow-ups due: 1
	// status: closed CSAT: 5 version: 14
	// resolved after: 9h0m0s
	// events: 14 first: complaint.created last: complaint.survey_recorded
}

// ExampleService_ResolveGroup handles one leaking roof that three owners
// complained about: the complaints are grouped, moved together, answered
// once, and every owner gets the answer.
func ExampleService_ResolveGroup() {
	ctx := context.Background()
	svc, cust, clock := exampleSetup(nil)
	ch := complaint.Change{Actor: "agent-li"}

	var ids []crm.ID
	for _, name := range []string{"Wang Fang", "Li Lei", "Zhang Wei"} {
		c, err := svc.Receive(ctx, complaint.ReceiveInput{
			Tenant: "riverside", Customer: exampleOwner(cust, name), Channel: customer.PhoneCall, Category: "leak",
			Asset:       complaint.Asset{{Kind: "building", ID: "B3"}},
			Description: "Water drips from the ceiling of the top floor.", Owner: "agent-li",
		}, ch)
		if err != nil {
			panic(err)
		}
		ids = append(ids, c.ID())
	}
	group, err := svc.Group(ctx, "riverside", ids, complaint.Change{Actor: "agent-li", Reason: "one roof"})
	if err != nil {
		panic(err)
	}
	for _, to := range []complaint.Status{complaint.Acknowledged, complaint.Assessed, complaint.Investigating} {
		clock.Advance(time.Hour)
		if _, err := svc.TransitionGroup(ctx, "riverside", group, to, ch); err != nil {
			panic(err)
		}
	}

	// The first owner is answered early; the others are still waiting.
	clock.Advance(time.Hour)
	if _, err := svc.ProposeResponse(ctx, "riverside", ids[0], ch); err != nil {
		panic(err)
	}
	waiting, err := svc.Unanswered(ctx, "riverside", group)
	if err != nil {
		panic(err)
	}
	fmt.Println("owners still waiting:", len(waiting))

	// Closing now is refused for the whole group, and nothing changes.
	_, err = svc.TransitionGroup(ctx, "riverside", group, complaint.Closed, ch)
	fmt.Println("close early refused:", err != nil)

	clock.Advance(time.Hour)
	if _, err := svc.TransitionGroup(ctx, "riverside", group, complaint.ResponseProposed, ch); err != nil {
		panic(err)
	}
	clock.Advance(24 * time.Hour)
	resolved, err := svc.ResolveGroup(ctx, "riverside", group, complaint.Resolution{
		Remedy: complaint.Repair, Summary: "Roof membrane replaced over building B3",
		RootCause: complaint.RootCause{Category: "workmanship", Text: "membrane seam not welded"},
	}, ch)
	if err != nil {
		panic(err)
	}
	fmt.Println("resolved at once:", len(resolved))
	members, err := svc.Members(ctx, "riverside", group)
	if err != nil {
		panic(err)
	}
	for _, m := range members {
		r, _ := m.Resolution()
		fmt.Println(m.Status(), "-", r.Summary)
	}
	waiting, err = svc.Unanswered(ctx, "riverside", group)
	if err != nil {
		panic(err)
	}
	fmt.Println("owners still waiting:", len(waiting))
	// Output:
	// owners still waiting: 2
	// close early refused: true
	// resolved at once: 3
	// resolved - Roof membrane replaced over building B3
	// resolved - Roof membrane replaced over building B3
	// resolved - Roof membrane replaced over building B3
	// owners still waiting: 0
}
