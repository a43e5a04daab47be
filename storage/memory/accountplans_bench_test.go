package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
	"github.com/crmkit/crm/storage/storagetest"
)

// BenchmarkAccountPlanListInForceAt lists the plans in force at a moment
// in a tenant holding five quarterly plans for each of 2,000 accounts
// (10,000 plans, 2,000 in force), by account and across the tenant.
func BenchmarkAccountPlanListInForceAt(b *testing.B) {
	ctx := context.Background()
	s := memory.New(nil)
	const tenant crm.TenantID = "bench"
	q0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	customers := make([]crm.ID, 2000)
	for i := range customers {
		customers[i] = storagetest.NewID(b)
		for k := range 5 {
			from := q0.AddDate(0, 3*k, 0)
			p := storagetest.NewAccountPlan(b, tenant, crm.ID{}, storagetest.PlanOptions{Customer: customers[i], Start: from, End: from.AddDate(0, 3, 0)})
			require.NoError(b, s.AccountPlans().Create(ctx, p))
		}
	}
	now := time.Date(2026, 2, 15, 9, 0, 0, 0, time.UTC)
	for _, bc := range []struct {
		name string
		q    customer.AccountPlanQuery
		want int
	}{
		{"account", customer.AccountPlanQuery{Customer: customers[1234], InForceAt: now}, 1},
		{"tenant_page", customer.AccountPlanQuery{InForceAt: now}, crm.DefaultPageLimit},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := s.AccountPlans().List(ctx, tenant, bc.q, crm.PageRequest{})
				if err != nil || len(p.Items) != bc.want {
					b.Fatalf("got %d plans, %v", len(p.Items), err)
				}
			}
		})
	}
}
