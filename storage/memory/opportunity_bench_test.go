package memory_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage/memory"
)

// benchPipeline is the pipeline of benchmark opportunities.
var benchPipeline = &opportunity.Pipeline{Code: "sales", Stages: []opportunity.StageDef{
	{Code: "qualify", Probability: 0.1}, {Code: "propose", Probability: 0.5}, {Code: "commit", Probability: 0.8},
}, MaxSkip: 2, AllowBack: true}

// benchOpportunity builds a realistic open opportunity: an amount, a close
// date, one contact.
func benchOpportunity(tb testing.TB, n int64, owners int, clock crm.Clock) *opportunity.Opportunity {
	id, err := crm.UUIDv7{}.NewID()
	require.NoError(tb, err)
	i := int(n)
	o, err := opportunity.New(opportunity.NewInput{
		ID: id, Tenant: benchTenant(i), Customer: id, Owner: benchOwner(i / benchTenants % owners),
		Name: "Deal " + strconv.FormatInt(n, 10), Source: opportunity.Source{Kind: opportunity.FromExistingCustomer},
		Currency: crm.MustCurrency("CNY"), Amount: crm.MustParseMoney("125000.00 CNY"),
		Contacts: []opportunity.Contact{{Name: "Ms Zhao", Role: opportunity.DecisionMaker}},
	}, benchPipeline, opportunity.Change{Actor: "bench", At: clock.Now()})
	require.NoError(tb, err)
	return o
}

type oppBenchFixture struct {
	store *memory.Store
	keys  []benchKey
	seq   atomic.Int64
	clock *crm.ManualClock
}

// newOppBenchFixture stores n opportunities over benchTenants tenants,
// perOwner of them per owner.
func newOppBenchFixture(b *testing.B, n int) *oppBenchFixture {
	b.Helper()
	ctx := context.Background()
	f := &oppBenchFixture{store: memory.New(nil), clock: crm.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))}
	owners := max(1, n/benchTenants/perOwner)
	names := make(map[string]string)
	intern := func(s string) string {
		if v, ok := names[s]; ok {
			return v
		}
		names[s] = s
		return s
	}
	all := make([]benchKey, 0, n)
	for i := range n {
		o := benchOpportunity(b, int64(i), owners, f.clock)
		require.NoError(b, f.store.Opportunities().Create(ctx, o))
		all = append(all, benchKey{crm.TenantID(intern(string(o.Tenant()))), o.ID(), crm.UserID(intern(string(o.Owner())))})
	}
	f.seq.Store(int64(n))
	rng := rand.New(rand.NewPCG(1, 2))
	f.keys = make([]benchKey, 1<<16)
	for i := range f.keys {
		f.keys[i] = all[rng.IntN(n)]
	}
	runtime.GC()
	return f
}

// BenchmarkOpportunities measures the opportunity store at 10k, 100k and
// 1M opportunities (1M skipped under -short): Get, the first page of 50 of
// one owner's opportunities, a closure Update that records a stage change,
// and Create.
func BenchmarkOpportunities(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run("opportunities="+strconv.Itoa(n), func(b *testing.B) {
			if n >= 1_000_000 && testing.Short() {
				b.Skip("1M opportunities: skipped under -short")
			}
			f := newOppBenchFixture(b, n)
			b.Run("Get", f.benchGet)
			b.Run("ListByOwner", f.benchListByOwner)
			b.Run("Update", f.benchUpdate)
			b.Run("Create", f.benchCreate)
		})
	}
}

func (f *oppBenchFixture) benchGet(b *testing.B) {
	ctx := context.Background()
	os := f.store.Opportunities()
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.keys[i&(len(f.keys)-1)]
		i++
		if _, err := os.Get(ctx, k.tenant, k.id); err != nil {
			b.Fatal(err)
		}
	}
}

func (f *oppBenchFixture) benchListByOwner(b *testing.B) {
	ctx := context.Background()
	os := f.store.Opportunities()
	page := crm.PageRequest{Limit: 50}
	k := f.keys[0]
	p, err := os.List(ctx, k.tenant, opportunity.Query{Owners: []crm.UserID{k.owner}}, page)
	require.NoError(b, err)
	require.Len(b, p.Items, 50)
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.keys[i&(len(f.keys)-1)]
		i++
		if _, err := os.List(ctx, k.tenant, opportunity.Query{Owners: []crm.UserID{k.owner}}, page); err != nil {
			b.Fatal(err)
		}
	}
}

func (f *oppBenchFixture) benchUpdate(b *testing.B) {
	ctx := context.Background()
	os := f.store.Opportunities()
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.keys[i&(len(f.keys)-1)]
		i++
		f.clock.Advance(time.Second)
		ch := opportunity.Change{Actor: "bench", At: f.clock.Now(), Reason: "bench"}
		_, err := os.Update(ctx, k.tenant, k.id, func(o *opportunity.Opportunity) error {
			to := "propose"
			if o.Stage() == to {
				to = "qualify"
			}
			return o.MoveStage(benchPipeline, to, ch)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func (f *oppBenchFixture) benchCreate(b *testing.B) {
	ctx := context.Background()
	os := f.store.Opportunities()
	owners := max(1, int(f.seq.Load())/benchTenants/perOwner)
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	for b.Loop() {
		b.StopTimer()
		o := benchOpportunity(b, f.seq.Add(1), owners, f.clock)
		b.StartTimer()
		if err := os.Create(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
}
