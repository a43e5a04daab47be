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

// moveFixture is a tenant with two customers, the first with n
// interactions and n/10 visits.
type moveFixture struct {
	s        *memory.Store
	tenant   crm.TenantID
	from, to crm.ID
}

func newMoveFixture(tb testing.TB, n int) *moveFixture {
	tb.Helper()
	ctx := context.Background()
	s := memory.New(nil)
	tenant := storagetest.NewTenant(tb)
	from := storagetest.CreateCustomer(tb, s.Customers(), tenant, nil)
	to := storagetest.CreateCustomer(tb, s.Customers(), tenant, nil)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		// Newest first is the stored order: adding older ones appends.
		require.NoError(tb, s.Customers().AddInteraction(ctx, customer.Interaction{
			ID: storagetest.NewID(tb), Tenant: tenant, CustomerID: from.ID(), Channel: customer.Web,
			Direction: customer.Inbound, Actor: "a", At: base.Add(-time.Duration(i) * time.Minute), Summary: "s",
		}))
		if i%10 == 0 {
			require.NoError(tb, s.Customers().CreateVisit(ctx, customer.Visit{
				ID: storagetest.NewID(tb), Tenant: tenant, CustomerID: from.ID(), Salesperson: "s",
				Kind: customer.ReturnVisit, Purpose: "p", Method: customer.FaceToFace,
				PlannedAt: base.Add(time.Duration(i) * time.Minute), Status: customer.VisitPlanned,
			}))
		}
	}
	return &moveFixture{s: s, tenant: tenant, from: from.ID(), to: to.ID()}
}

// TestMoveRelatedIsLinear moves 20,000 interactions (and 2,000 visits)
// and back, in a transaction that rolls back and outside one: each move
// takes well under a second even under -race (the quadratic one took 1.4 s
// without -race), and leaves every entry on the right customer, in order.
func TestMoveRelatedIsLinear(t *testing.T) {
	t.Parallel()
	const n = 20_000
	f := newMoveFixture(t, n)
	ctx := context.Background()
	cs := f.s.Customers()
	count := func(id crm.ID) int {
		total := 0
		page := crm.PageRequest{Limit: crm.MaxPageLimit}
		for {
			p, err := cs.Interactions(ctx, f.tenant, id, page)
			require.NoError(t, err)
			for _, in := range p.Items {
				require.Equal(t, id, in.CustomerID)
			}
			total += len(p.Items)
			if p.Next == "" {
				return total
			}
			page.Cursor = p.Next
		}
	}
	start := time.Now()
	require.NoError(t, cs.MoveRelated(ctx, f.tenant, f.from, f.to))
	require.Less(t, time.Since(start), 2*time.Second)
	require.Equal(t, 0, count(f.from))
	require.Equal(t, n, count(f.to))
	vs, err := cs.ListVisits(ctx, f.tenant, customer.VisitQuery{CustomerID: f.to}, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	require.Len(t, vs.Items, crm.MaxPageLimit)
	require.Equal(t, int64(2), vs.Items[0].Version)

	errBack := context.Canceled
	start = time.Now()
	err = f.s.InTx(ctx, func(ctx context.Context) error {
		if err := cs.MoveRelated(ctx, f.tenant, f.to, f.from); err != nil {
			return err
		}
		return errBack
	})
	require.ErrorIs(t, err, errBack)
	require.Less(t, time.Since(start), 2*time.Second)
	require.Equal(t, 0, count(f.from), "the rolled-back move was undone")
	require.Equal(t, n, count(f.to))
}

// BenchmarkMoveRelated moves a customer's 20,000 interactions, their
// history and 2,000 visits to another customer and back, alternately.
func BenchmarkMoveRelated(b *testing.B) {
	f := newMoveFixture(b, 20_000)
	ctx := context.Background()
	cs := f.s.Customers()
	from, to := f.from, f.to
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	for b.Loop() {
		if err := cs.MoveRelated(ctx, f.tenant, from, to); err != nil {
			b.Fatal(err)
		}
		from, to = to, from
	}
}
