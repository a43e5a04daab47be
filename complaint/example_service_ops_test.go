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

// ExampleService_RaiseRisks finds three leak complaints in one building
// within a week and raises them as one risk (风险评估与预防) before they
// become a public incident; a second run raises nothing new.
func ExampleService_RaiseRisks() {
	ctx := context.Background()
	store := memory.New(nil)
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	ids := crm.NewSequentialIDs(clock)
	customers, err := customer.NewService(store, &customer.Options{Clock: clock, IDs: ids})
	if err != nil {
		fmt.Println(err)
		return
	}
	svc, err := complaint.NewService(store, &complaint.Options{Clock: clock, IDs: ids})
	if err != nil {
		fmt.Println(err)
		return
	}
	owner, err := customers.Create(ctx, customer.NewInput{
		Tenant: "acme", Kind: customer.Person, Name: "Wang Fang",
		Roles: []customer.Role{customer.EndCustomer}, Owner: "manager-zhang",
	}, customer.Change{Actor: "manager-zhang"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, unit := range []string{"1502", "1602", "0801"} {
		_, err := svc.Receive(ctx, complaint.ReceiveInput{
			Tenant: "acme", Customer: owner.ID(), Channel: customer.CallCentre, Category: "leak",
			Asset:       complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}, {Kind: "unit", ID: unit}},
			Description: "Water comes in through the window frame.", Owner: "agent-li",
		}, complaint.Change{Actor: "agent-li"})
		if err != nil {
			fmt.Println(err)
			return
		}
		clock.Advance(24 * time.Hour)
	}

	rules := complaint.HotspotRules{{
		Name: "leak-building", Kind: complaint.RuleCluster, Category: "leak", AssetLevel: 2,
		Min: 3, Window: 7 * 24 * time.Hour,
	}}
	risks, err := svc.RaiseRisks(ctx, "acme", rules, "risk-chen", time.Time{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range risks {
		h := r.Hotspot()
		fmt.Println("risk:", h.Rule, h.Asset, "complaints:", h.Count, "owner:", r.Owner(), "status:", r.Status())
	}
	again, err := svc.RaiseRisks(ctx, "acme", rules, "risk-chen", time.Time{})
	fmt.Println("raised again:", len(again), err)
	// Output:
	// risk: leak-building project:P1/building:B3 complaints: 3 owner: risk-chen status: open
	// raised again: 0 <nil>
}
