package memory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// benchTenants is how many tenants the benchmark data is spread over.
const benchTenants = 100

// perOwner is how many customers each account manager owns, so that a
// larger store has more owners, not longer lists per owner: a store that
// scanned instead of using its owner index would slow down as it grows.
const perOwner = 100

type benchKey struct {
	tenant crm.TenantID
	id     crm.ID
	owner  crm.UserID
}

type benchFixture struct {
	store *memory.Store
	keys  []benchKey // random picks of stored customers
	seq   atomic.Int64
	clock *crm.ManualClock
}

func benchTenant(i int) crm.TenantID { return crm.TenantID(fmt.Sprintf("tenant-%03d", i%benchTenants)) }

// benchCustomer builds the minimal realistic customer the benchmarks store:
// a name, one e-mail address and one phone number.
func benchCustomer(tb testing.TB, n int64, owners int, clock crm.Clock) *customer.Customer {
	id, err := crm.UUIDv7{}.NewID()
	require.NoError(tb, err)
	email, err := customer.ParseEmail("customer" + strconv.FormatInt(n, 10) + "@example.com")
	require.NoError(tb, err)
	phone, err := customer.ParsePhone(fmt.Sprintf("+86139%08d", n%100_000_000), "")
	require.NoError(tb, err)
	i := int(n)
	c, err := customer.New(customer.NewInput{
		ID: id, Tenant: benchTenant(i), Kind: customer.Person, Name: "Customer " + strconv.FormatInt(n, 10),
		Roles: []customer.Role{customer.EndCustomer}, Owner: benchOwner(i / benchTenants % owners),
		Emails: []customer.Email{email}, Phones: []customer.Phone{phone},
	}, customer.Change{Actor: "bench", At: clock.Now()})
	require.NoError(tb, err)
	return c
}

func benchOwner(i int) crm.UserID { return crm.UserID("manager-" + strconv.Itoa(i)) }

// newBenchFixture stores n customers over benchTenants tenants.
func newBenchFixture(b *testing.B, n int) *benchFixture {
	b.Helper()
	ctx := context.Background()
	f := &benchFixture{store: memory.New(nil), clock: crm.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))}
	owners := max(1, n/benchTenants/perOwner)
	all := make([]benchKey, 0, n)
	// The keys hold one copy of each tenant and owner name, as a host's
	// request would: strings taken from the stored customers would point
	// into their memory, and every call would pay a cache miss to hash a
	// caller's argument, which is not the store's cost.
	names := make(map[string]string)
	intern := func(s string) string {
		if v, ok := names[s]; ok {
			return v
		}
		names[s] = s
		return s
	}
	for i := range n {
		c := benchCustomer(b, int64(i), owners, f.clock)
		require.NoError(b, f.store.Customers().Create(ctx, c))
		all = append(all, benchKey{crm.TenantID(intern(string(c.Tenant()))), c.ID(), crm.UserID(intern(string(c.Owner())))})
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

func BenchmarkStore(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run("customers="+strconv.Itoa(n), func(b *testing.B) {
			if n >= 1_000_000 && testing.Short() {
				b.Skip("1M customers: skipped under -short")
			}
			f := newBenchFixture(b, n)
			b.Run("Get", f.benchGet)
			b.Run("ListByOwner", f.benchListByOwner)
			b.Run("Update/writers=1", f.benchUpdate)
			b.Run("Update/writers=8", f.benchUpdateParallel)
			b.Run("Create", f.benchCreate)
		})
	}
}

// reportCPU adds the process CPU time per operation since start as the
// cpu-ns/op metric; it includes the garbage collector's work.
func reportCPU(b *testing.B, start time.Duration) {
	if end, ok := cpuTime(); ok && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

func (f *benchFixture) benchGet(b *testing.B) {
	ctx := context.Background()
	cs := f.store.Customers()
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.keys[i&(len(f.keys)-1)]
		i++
		if _, err := cs.Get(ctx, k.tenant, k.id); err != nil {
			b.Fatal(err)
		}
	}
}

// touch is the change the update benchmarks make: a new note, which keeps
// the customer minimal (no map is added that later copies would pay for).
func touch(x *customer.Customer) error { return x.SetNotes("called back") }

func (f *benchFixture) benchUpdate(b *testing.B) {
	ctx := context.Background()
	cs := f.store.Customers()
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.keys[i&(len(f.keys)-1)]
		i++
		if _, err := cs.Update(ctx, k.tenant, k.id, touch); err != nil {
			b.Fatal(err)
		}
	}
}

// benchUpdateParallel runs 8 writers, each on customers of its own.
func (f *benchFixture) benchUpdateParallel(b *testing.B) {
	const writers = 8
	ctx := context.Background()
	cs := f.store.Customers()
	// Each writer takes the keys whose index is its number modulo 8; keys
	// repeat, so two writers may rarely hit one customer, as in real use.
	b.SetParallelism((writers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	var next atomic.Int64
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	b.RunParallel(func(pb *testing.PB) {
		w := int(next.Add(1) - 1)
		i := w
		for pb.Next() {
			k := f.keys[i&(len(f.keys)-1)]
			i += writers
			if _, err := cs.Update(ctx, k.tenant, k.id, touch); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func (f *benchFixture) benchListByOwner(b *testing.B) {
	ctx := context.Background()
	cs := f.store.Customers()
	page := crm.PageRequest{Limit: 50}
	k := f.keys[0]
	p, err := cs.List(ctx, k.tenant, customer.Query{Owner: k.owner}, page)
	require.NoError(b, err)
	require.Len(b, p.Items, 50)
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.keys[i&(len(f.keys)-1)]
		i++
		if _, err := cs.List(ctx, k.tenant, customer.Query{Owner: k.owner}, page); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCreate stores new customers, built ahead in batches off the clock.
func (f *benchFixture) benchCreate(b *testing.B) {
	ctx := context.Background()
	cs := f.store.Customers()
	var batch []*customer.Customer
	b.ReportAllocs()
	for b.Loop() {
		if len(batch) == 0 {
			b.StopTimer()
			for range 4096 {
				batch = append(batch, benchCustomer(b, f.seq.Add(1), 1, f.clock))
			}
			b.StartTimer()
		}
		c := batch[len(batch)-1]
		batch = batch[:len(batch)-1]
		if err := cs.Create(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

// complaintsPerOwner is how many complaints each owner holds in the
// complaint benchmarks, so the owner list is not the whole tenant.
const complaintsPerOwner = 100

type complaintFixture struct {
	store  *memory.Store
	tenant crm.TenantID
	keys   []benchKey // random picks of stored complaints
}

// newComplaintFixture stores n complaints in one tenant, spread over
// n/complaintsPerOwner owners and n/10 customers.
func newComplaintFixture(b *testing.B, n int) *complaintFixture {
	b.Helper()
	ctx := context.Background()
	f := &complaintFixture{store: memory.New(nil), tenant: "bench-complaints"}
	owners := max(1, n/complaintsPerOwner)
	customers := make([]crm.ID, max(1, n/10))
	for i := range customers {
		customers[i] = benchID(b)
	}
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	all := make([]benchKey, 0, n)
	cs := f.store.Complaints()
	for i := range n {
		c, err := complaint.New(complaint.NewInput{
			ID: benchID(b), Tenant: f.tenant, Customer: customers[i%len(customers)], Channel: customer.CallCentre,
			Category: "leak", Description: "water through the ceiling", Owner: benchOwner(i % owners),
			Asset: complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B" + strconv.Itoa(i%40)}},
		}, complaint.Change{Actor: "desk", At: at})
		require.NoError(b, err)
		require.NoError(b, cs.Create(ctx, c))
		all = append(all, benchKey{f.tenant, c.ID(), c.Owner()})
	}
	rng := rand.New(rand.NewPCG(3, 4))
	f.keys = make([]benchKey, 1<<16)
	for i := range f.keys {
		f.keys[i] = all[rng.IntN(n)]
	}
	runtime.GC()
	return f
}

func benchID(tb testing.TB) crm.ID {
	id, err := crm.UUIDv7{}.NewID()
	require.NoError(tb, err)
	return id
}

func BenchmarkComplaints(b *testing.B) {
	const n = 100_000
	b.Run("complaints="+strconv.Itoa(n), func(b *testing.B) {
		f := newComplaintFixture(b, n)
		b.Run("Get", f.benchGet)
		b.Run("ListByOwner", f.benchListByOwner)
		b.Run("Update", f.benchUpdate)
	})
}

func (f *complaintFixture) benchGet(b *testing.B) {
	ctx := context.Background()
	cs := f.store.Complaints()
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.keys[i&(len(f.keys)-1)]
		i++
		if _, err := cs.Get(ctx, k.tenant, k.id); err != nil {
			b.Fatal(err)
		}
	}
}

func (f *complaintFixture) benchListByOwner(b *testing.B) {
	ctx := context.Background()
	cs := f.store.Complaints()
	page := crm.PageRequest{Limit: 50}
	k := f.keys[0]
	p, err := cs.List(ctx, k.tenant, complaint.Query{Owner: k.owner}, page)
	require.NoError(b, err)
	require.Len(b, p.Items, 50)
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.keys[i&(len(f.keys)-1)]
		i++
		if _, err := cs.List(ctx, k.tenant, complaint.Query{Owner: k.owner}, page); err != nil {
			b.Fatal(err)
		}
	}
}

// benchUpdate replaces the resolution: one audit entry per update, and a
// complaint that does not grow from one update to the next.
func (f *complaintFixture) benchUpdate(b *testing.B) {
	ctx := context.Background()
	cs := f.store.Complaints()
	ch := complaint.Change{Actor: "agent", At: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)}
	res := complaint.Resolution{Remedy: complaint.Repair, Summary: "replace the pipe"}
	fn := func(c *complaint.Complaint) error { return c.SetResolution(res, ch) }
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.keys[i&(len(f.keys)-1)]
		i++
		if _, err := cs.Update(ctx, k.tenant, k.id, fn); err != nil {
			b.Fatal(err)
		}
	}
}
