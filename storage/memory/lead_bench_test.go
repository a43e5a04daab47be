package memory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/storage/memory"
)

// leadFixture is a store holding n customers and n open leads over
// benchTenants tenants, and a lead service over it.
type leadFixture struct {
	store *memory.Store
	svc   *lead.Service
	n     int
	leads []benchKey // random picks of stored leads
	custs []benchKey // random picks of stored customers
	clock *crm.ManualClock
}

func benchLeadPhone(n int) string { return fmt.Sprintf("+86137%08d", n%100_000_000) }

func newLeadFixture(b *testing.B, n int) *leadFixture {
	b.Helper()
	ctx := context.Background()
	f := &leadFixture{store: memory.New(nil), n: n, clock: crm.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))}
	owners := max(1, n/benchTenants/perOwner)
	// A host's call names its tenant with one string, hot in its cache
	// (read from the request), not with a copy kept in each record: the
	// keys share one copy per tenant, as BenchmarkStore's do.
	names := make(map[crm.TenantID]crm.TenantID)
	host := func(t crm.TenantID) crm.TenantID {
		if v, ok := names[t]; ok {
			return v
		}
		names[t] = t
		return t
	}
	custs := make([]benchKey, 0, n)
	for i := range n {
		c := benchCustomer(b, int64(i), owners, f.clock)
		require.NoError(b, f.store.Customers().Create(ctx, c))
		custs = append(custs, benchKey{tenant: host(c.Tenant()), id: c.ID()})
	}
	all := make([]benchKey, 0, n)
	for i := range n {
		id, err := crm.UUIDv7{}.NewID()
		require.NoError(b, err)
		l, err := lead.New(lead.NewInput{
			ID: id, Tenant: benchTenant(i), Name: "Lead " + strconv.Itoa(i),
			Emails: []string{"lead" + strconv.Itoa(i) + "@example.com"}, Phones: []string{benchLeadPhone(i)},
			Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm},
		}, lead.Change{Actor: "bench", At: f.clock.Now()})
		require.NoError(b, err)
		require.NoError(b, f.store.Leads().Create(ctx, l))
		all = append(all, benchKey{tenant: host(l.Tenant()), id: l.ID()})
	}
	rng := rand.New(rand.NewPCG(3, 4))
	f.leads = make([]benchKey, 1<<16)
	f.custs = make([]benchKey, 1<<16)
	for i := range f.leads {
		f.leads[i] = all[rng.IntN(n)]
		f.custs[i] = custs[rng.IntN(n)]
	}
	people := make([]lead.Person, 20)
	ids := make([]crm.UserID, len(people))
	for i := range people {
		ids[i] = crm.UserID("rep-" + strconv.Itoa(i))
		people[i] = lead.Person{ID: ids[i], Capacity: lead.MaxCapacity}
	}
	router, err := lead.NewRouter(lead.Rules{People: people, Rules: []lead.Rule{{Name: "all", People: ids}}}, nil)
	require.NoError(b, err)
	f.svc, err = lead.NewService(f.store, &lead.Options{Clock: f.clock, Router: router, Policy: lead.LinkToCustomer})
	require.NoError(b, err)
	runtime.GC()
	return f
}

// BenchmarkLeads measures the lead store and the capture use case on a
// store holding n customers and n open leads (the figure: capture
// with the duplicate check against 1M of each within 5 ms; Get within 1 µs).
//
//	go test -run '^$' -bench 'BenchmarkLeads/n=1000000/(Get|CustomerGet)$' -benchtime 300000x ./storage/memory/
func BenchmarkLeads(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			if n >= 1_000_000 && testing.Short() {
				b.Skip("1M customers and leads: skipped under -short")
			}
			f := newLeadFixture(b, n)
			b.Run("Get", f.benchGet)
			b.Run("CustomerGet", f.benchCustomerGet)
			b.Run("Update", f.benchUpdate)
			b.Run("Capture/duplicates=customer+lead", f.benchCapture)
		})
	}
}

func (f *leadFixture) benchGet(b *testing.B) {
	ctx := context.Background()
	ls := f.store.Leads()
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.leads[i&(len(f.leads)-1)]
		i++
		if _, err := ls.Get(ctx, k.tenant, k.id); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCustomerGet reads random customers of the same store: the
// reference a lead Get is compared with in the same run (the same cache
// pressure, the same machine load).
func (f *leadFixture) benchCustomerGet(b *testing.B) {
	ctx := context.Background()
	cs := f.store.Customers()
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.custs[i&(len(f.custs)-1)]
		i++
		if _, err := cs.Get(ctx, k.tenant, k.id); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCapture captures leads whose e-mail address is a stored customer's
// and whose phone number is a stored open lead's, in the same tenant: both
// look-ups find a candidate, the policy links the new lead to the
// customer, and the router assigns it through the stored state.
func (f *leadFixture) benchCapture(b *testing.B) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 6))
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	for b.Loop() {
		k := rng.IntN(f.n/benchTenants) * benchTenants // customer k and lead k share tenant k%100
		k += rng.IntN(benchTenants)
		res, err := f.svc.Capture(ctx, lead.NewInput{
			Tenant: benchTenant(k), Name: "Customer " + strconv.Itoa(k),
			Emails: []string{"customer" + strconv.Itoa(k) + "@example.com"}, Phones: []string{benchLeadPhone(k)},
			Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm},
		}, lead.Change{Actor: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if res.Resolution.Action != lead.ActionLinkCustomer || len(res.Resolution.Matches) < 2 {
			b.Fatalf("capture %d: %s with %d matches", k, res.Resolution.Action, len(res.Resolution.Matches))
		}
	}
}

// benchUpdate toggles the key-prospect mark of random stored leads: the
// closure update with its history entry, on the lead's lock stripe.
func (f *leadFixture) benchUpdate(b *testing.B) {
	ctx := context.Background()
	ls := f.store.Leads()
	b.ReportAllocs()
	start, _ := cpuTime()
	defer reportCPU(b, start)
	i := 0
	for b.Loop() {
		k := f.leads[i&(len(f.leads)-1)]
		i++
		f.clock.Advance(time.Millisecond)
		_, err := ls.Update(ctx, k.tenant, k.id, func(l *lead.Lead) error {
			return l.SetKeyProspect(!l.KeyProspect(), lead.Change{Actor: "bench", At: f.clock.Now()})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLeadCheckFirstContact measures the first-contact check of one
// tenant holding a backlog of uncontacted leads that are not due yet and
// a few that are: the check reads the due leads through the store's
// clock-start index ("indexed"), where a scan of every uncontacted lead
// ("scan", what the check did before) costs the backlog.
//
//	go test -run '^$' -bench 'BenchmarkLeadCheckFirstContact' -benchtime 20x ./storage/memory/
func BenchmarkLeadCheckFirstContact(b *testing.B) {
	const due = 100
	for _, backlog := range []int{10_000, 100_000} {
		b.Run("backlog="+strconv.Itoa(backlog), func(b *testing.B) {
			ctx := context.Background()
			now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
			store := memory.New(nil)
			tenant := crm.TenantID("sla")
			var always calendar.Week
			for d := range always {
				always[d] = []calendar.Span{{Start: calendar.Midnight, End: calendar.EndOfDay}}
			}
			cal, err := calendar.New(calendar.Config{TimeZone: "UTC", Week: always})
			require.NoError(b, err)
			sla := lead.FirstContactSLA{Calendar: cal, Thresholds: calendar.Thresholds{Target: 4 * time.Hour, WarnAt: 0.5}}
			for i := range backlog + due {
				at := now.Add(-time.Hour + time.Duration(i)*time.Millisecond) // not due: captured within the last hour
				if i < due {
					at = now.Add(-3 * time.Hour) // warned an hour ago
				}
				id, err := crm.UUIDv7{}.NewID()
				require.NoError(b, err)
				l, err := lead.New(lead.NewInput{
					ID: id, Tenant: tenant, Emails: []string{"lead" + strconv.Itoa(i) + "@example.com"},
					Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm},
				}, lead.Change{Actor: "bench", At: at})
				require.NoError(b, err)
				require.NoError(b, store.Leads().Create(ctx, l))
			}
			clock := crm.NewManualClock(now)
			svc, err := lead.NewService(store, &lead.Options{Clock: clock, FirstContact: &sla})
			require.NoError(b, err)
			since := now.Add(-2 * time.Hour)
			b.Run("indexed", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					alerts, _, err := svc.CheckFirstContact(ctx, tenant, since, now, "sla-bot")
					if err != nil || len(alerts) != due {
						b.Fatalf("%d alerts, %v", len(alerts), err)
					}
				}
			})
			b.Run("scan", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var all []*lead.Lead
					page := crm.PageRequest{Limit: crm.MaxPageLimit}
					for {
						p, err := store.Leads().List(ctx, tenant, lead.Query{Uncontacted: true}, page)
						if err != nil {
							b.Fatal(err)
						}
						all = append(all, p.Items...)
						if p.Next == "" {
							break
						}
						page.Cursor = p.Next
					}
					alerts, err := lead.CheckFirstContact(all, sla, since, now)
					if err != nil || len(alerts) != due {
						b.Fatalf("%d alerts, %v", len(alerts), err)
					}
				}
			})
		})
	}
}
