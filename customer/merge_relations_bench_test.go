package customer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// BenchmarkServiceMergeRelations measures a merge whose loser gave n
// referrals, made n suggestions and holds n/10 memberships (half of them
// clashing with the survivor's), on the in-memory store. The set-up of
// each merge is not timed.
func BenchmarkServiceMergeRelations(b *testing.B) {
	for _, n := range []int{0, 10, 100} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			ctx := context.Background()
			svc, err := customer.NewService(memory.New(nil), nil)
			if err != nil {
				b.Fatal(err)
			}
			ch := customer.Change{Actor: "mgr"}
			mk := func(tenant crm.TenantID, name string) crm.ID {
				c, err := svc.Create(ctx, customer.NewInput{Tenant: tenant, Kind: customer.Organization, Name: name,
					Roles: []customer.Role{customer.Dealer}, Owner: "mgr"}, ch)
				if err != nil {
					b.Fatal(err)
				}
				return c.ID()
			}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				i++
				tenant := crm.TenantID(fmt.Sprintf("t%d", i))
				sv, ls := mk(tenant, "North Motors"), mk(tenant, "North Motors Ltd")
				for k := range n {
					target := crm.MustParseID("01890000-0000-7000-8000-00000000f000")
					target[14], target[15] = byte(k>>8), byte(k)
					if _, err := svc.Refer(ctx, customer.ReferralInput{Tenant: tenant, Referrer: ls, TargetKind: customer.TargetLead, Target: target}, ch); err != nil {
						b.Fatal(err)
					}
					if _, err := svc.Suggest(ctx, customer.SuggestionInput{Tenant: tenant, Author: ls, Subject: "idea", Category: "service"}, ch); err != nil {
						b.Fatal(err)
					}
					if k%10 == 0 {
						p := customer.Programme{Name: fmt.Sprintf("p%d", k), TermMonths: 12, Tiers: []customer.Tier{{Name: "silver"}}}
						if _, err := svc.Join(ctx, customer.MembershipInput{Tenant: tenant, Customer: ls, Programme: p}, ch); err != nil {
							b.Fatal(err)
						}
						if k%20 == 0 {
							if _, err := svc.Join(ctx, customer.MembershipInput{Tenant: tenant, Customer: sv, Programme: p}, ch); err != nil {
								b.Fatal(err)
							}
						}
					}
				}
				b.StartTimer()
				if _, err := svc.Merge(ctx, tenant, sv, ls, customer.Survivorship{}, ch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
