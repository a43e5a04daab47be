package customer_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// Merging two records of one dealer moves its referrals and memberships
// to the survivor; two memberships of one programme keep the better
// placed standing on the survivor's record and cancel the other.
func ExampleService_Merge_relations() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, _ := customer.NewService(memory.New(nil), &customer.Options{Clock: clock, IDs: crm.NewSequentialIDs(clock)})
	mk := func(name string) crm.ID {
		c, _ := svc.Create(ctx, customer.NewInput{Tenant: "t1", Kind: customer.Organization, Name: name,
			Roles: []customer.Role{customer.Dealer}, Owner: "wang"}, customer.Change{Actor: "wang"})
		return c.ID()
	}
	survivor, loser, friend := mk("North Motors"), mk("North Motors Ltd"), mk("Li Wei")
	ch := customer.Change{Actor: "wang"}
	club := customer.Programme{Name: "dealer_club", TermMonths: 12, Tiers: []customer.Tier{{Name: "silver"}, {Name: "gold", MinPoints: 100}}}
	_, _ = svc.Join(ctx, customer.MembershipInput{Tenant: "t1", Customer: survivor, Programme: club}, ch)
	_, _ = svc.Join(ctx, customer.MembershipInput{Tenant: "t1", Customer: loser, Programme: club, Tier: "gold"}, ch)
	_, _ = svc.Refer(ctx, customer.ReferralInput{Tenant: "t1", Referrer: loser, TargetKind: customer.TargetCustomer, Target: friend}, ch)

	res, err := svc.Merge(ctx, "t1", survivor, loser, customer.Survivorship{Programmes: []customer.Programme{club}},
		customer.Change{Actor: "admin", Reason: "same dealer"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Records {
		fmt.Printf("%s %s (clash: %q)\n", r.Kind, r.Action, r.Clash)
	}
	ms, _ := svc.Memberships(ctx, "t1", customer.MembershipQuery{Customer: survivor}, crm.PageRequest{})
	fmt.Println("survivor's tier:", ms.Items[0].Tier())
	refs, _ := svc.Referrals(ctx, "t1", customer.ReferralQuery{Referrer: survivor}, crm.PageRequest{})
	fmt.Println("survivor's referrals:", len(refs.Items))
	// Output:
	// membership cancelled (clash: "same_programme")
	// referral moved (clash: "")
	// survivor's tier: gold
	// survivor's referrals: 1
}
