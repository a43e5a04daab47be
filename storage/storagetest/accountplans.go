package storagetest

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
)

var planHooks = hook.For[*customer.AccountPlan, customer.AccountPlanRecord, hook.None]()

// pchange returns a plan change h hours after the suite's epoch.
func pchange(h int) customer.Change {
	return customer.Change{Actor: "storagetest", At: at(h)}
}

// PlanOptions tune [NewAccountPlan]; every zero field takes the default
// named beside it.
type PlanOptions struct {
	// Customer is the account; default: a new ID (the store does not check
	// that the customer exists).
	Customer crm.ID
	// Start and End bound the period; default: the suite's epoch and 90
	// days later.
	Start, End time.Time
	// Active activates the plan (at epoch + 1 hour).
	Active bool
	// Lead is the lead manager; default "am-lead".
	Lead crm.UserID
}

// NewAccountPlan returns a valid account plan of tenant with the given ID
// (a new one when zero): a lead manager and an engineer, a revenue goal
// and a count goal, drawn up at the suite's epoch.
func NewAccountPlan(tb testing.TB, tenant crm.TenantID, id crm.ID, o PlanOptions) *customer.AccountPlan {
	tb.Helper()
	if id.IsZero() {
		id = NewID(tb)
	}
	if o.Customer.IsZero() {
		o.Customer = NewID(tb)
	}
	if o.Start.IsZero() {
		o.Start = epoch
	}
	if o.End.IsZero() {
		o.End = o.Start.AddDate(0, 0, 90)
	}
	if o.Lead == "" {
		o.Lead = "am-lead"
	}
	p, err := customer.NewAccountPlan(customer.AccountPlanInput{
		ID: id, Tenant: tenant, Customer: o.Customer, Name: "Key account plan",
		Start: o.Start, End: o.End,
		Team: []customer.TeamMember{
			{User: o.Lead, Role: customer.RoleAccountManager, Lead: true, Since: o.Start},
			{User: "engineer-1", Role: customer.RoleEngineer, Since: o.Start},
		},
		Goals: []customer.Goal{
			{Name: "revenue", Metric: customer.MetricRevenue, Target: decimal.RequireFromString("250000.50"), Currency: crm.MustCurrency("EUR"), Due: o.End},
			{Name: "workshops", Metric: customer.MetricCount, Target: decimal.NewFromInt(4), Due: o.End},
		},
	}, customer.Change{Actor: "storagetest", At: o.Start})
	require.NoError(tb, err)
	if o.Active {
		require.NoError(tb, p.SetStatus(customer.PlanActive, customer.Change{Actor: "storagetest", At: o.Start.Add(time.Hour)}))
	}
	return p
}

// planAggregate is the harness fixture of account plans.
func planAggregate(s customer.AccountPlanStore) aggregate[customer.AccountPlan] {
	return aggregate[customer.AccountPlan]{
		name: "account plan",
		newRecord: func(tb testing.TB, tenant crm.TenantID, id crm.ID) *customer.AccountPlan {
			return NewAccountPlan(tb, tenant, id, PlanOptions{})
		},
		create: s.Create,
		get:    s.Get,
		update: s.Update,
		list: func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*customer.AccountPlan], error) {
			return s.List(ctx, tenant, customer.AccountPlanQuery{}, page)
		},
		compare: func(a, b *customer.AccountPlan) int { return a.ID().Compare(b.ID()) },
		id:      (*customer.AccountPlan).ID,
		version: (*customer.AccountPlan).Version,
		mark: func(x *customer.AccountPlan, i int) error {
			return x.AddMember(customer.TeamMember{User: crm.UserID(markText(i)), Role: customer.RoleService}, pchange(1))
		},
		marks: func(x *customer.AccountPlan) []string {
			var out []string
			for _, m := range x.Team() {
				out = append(out, string(m.User))
			}
			return out
		},
		snapshot: func(tb testing.TB, tenant crm.TenantID, id crm.ID) any {
			tb.Helper()
			p, err := s.Get(context.Background(), tenant, id)
			require.NoError(tb, err)
			return normPlan(p.Record())
		},
		record:  func(_ testing.TB, x *customer.AccountPlan) any { return normPlan(x.Record()) },
		pending: func(x *customer.AccountPlan) any { return x.Events() },
		clean: func(tb testing.TB, tenant crm.TenantID) {
			tb.Helper()
			p, err := s.List(context.Background(), tenant, customer.AccountPlanQuery{Member: "mutant"}, crm.PageRequest{Limit: crm.MaxPageLimit})
			require.NoError(tb, err)
			require.Empty(tb, p.Items, "the mutated team reached the store's member index")
			p, err = s.List(context.Background(), tenant, customer.AccountPlanQuery{}, crm.PageRequest{Limit: crm.MaxPageLimit})
			require.NoError(tb, err)
			for _, x := range p.Items {
				require.False(tb, x.HasMember("mutant"), "the mutated team reached the store")
			}
		},
		mutate: func(tb testing.TB, x *customer.AccountPlan) {
			tb.Helper()
			if !x.HasMember("mutant") {
				require.NoError(tb, x.AddMember(customer.TeamMember{User: "mutant", Role: customer.RoleFinance}, pchange(100)))
			}
			g := x.Goals()[1]
			require.NoError(tb, x.ChangeGoal(g.Name, g.Target.Add(decimal.NewFromInt(40)), g.Due, pchange(100)))
			planHooks.Saved(x, 99)
		},
		withTime: func(x *customer.AccountPlan, tm time.Time) (*customer.AccountPlan, error) {
			r := x.Record()
			r.Start, r.CreatedAt, r.UpdatedAt = tm, tm, tm
			return customer.AccountPlanFromRecord(r)
		},
	}
}

// normPlan is a plan's stored state, normalised for require.Equal.
func normPlan(r customer.AccountPlanRecord) customer.AccountPlanRecord {
	r.Start, r.End = normTime(r.Start), normTime(r.End)
	r.CreatedAt, r.UpdatedAt = normTime(r.CreatedAt), normTime(r.UpdatedAt)
	r.Team, r.Goals = nilIfEmpty(r.Team), nilIfEmpty(r.Goals)
	r.Progress, r.History = nilIfEmpty(r.Progress), nilIfEmpty(r.History)
	return r
}

// accountPlanAreas are the groups of RunAccountPlans.
func accountPlanAreas() []area {
	return []area{
		{"AccountPlanRecords", func(t *testing.T, e *env) { runHarness(t, e, planAggregate(e.ap)) }},
		{"AccountPlanRules", testPlanRules},
	}
}

// RunAccountPlans runs the cases of the account plan port against the
// backends newBackend makes: the shared record cases (AccountPlanRecords)
// and the plan's own rules (AccountPlanRules: one active plan per account
// and overlapping period, the list filters by customer, member and status
// as the team and status change). The rules of [RunCustomers] about
// newBackend hold here too. Plans are stored for customers that do not
// exist (the store does not check them, the Service does).
func RunAccountPlans(t *testing.T, newBackend func(testing.TB) customer.AccountPlanBackend, f Features) {
	t.Helper()
	require.NotNil(t, newBackend, "storagetest.RunAccountPlans: newBackend must not be nil")
	runAreas(t, accountPlanAreas(), newBackend, func(t *testing.T, b customer.AccountPlanBackend) *env {
		requireBackend(t, b)
		require.NotNil(t, b.AccountPlans(), "AccountPlans returned nil")
		return &env{s: b, c: b.Customers(), ap: b.AccountPlans(), f: f}
	})
}

func testPlanRules(t *testing.T, e *env) {
	ctx := context.Background()
	s := e.ap
	t.Run("OneActivePlanPerPeriod", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		cust := NewID(t)
		first := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Customer: cust, Active: true})
		require.NoError(t, s.Create(ctx, first))

		// An active plan overlapping by one day is refused, whole.
		clash := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Customer: cust, Active: true, Start: epoch.AddDate(0, 0, 89)})
		require.ErrorIs(t, s.Create(ctx, clash), crm.ErrDuplicate)
		_, err := s.Get(ctx, tenant, clash.ID())
		require.ErrorIs(t, err, crm.ErrNotFound)

		// The next period, another customer, another tenant and a draft
		// are all fine.
		next := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Customer: cust, Active: true, Start: epoch.AddDate(0, 0, 90)})
		require.NoError(t, s.Create(ctx, next))
		require.NoError(t, s.Create(ctx, NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Active: true})))
		require.NoError(t, s.Create(ctx, NewAccountPlan(t, NewTenant(t), crm.ID{}, PlanOptions{Customer: cust, Active: true})))
		draft := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Customer: cust})
		require.NoError(t, s.Create(ctx, draft))

		// Activating the overlapping draft is refused and stores nothing.
		_, err = s.Update(ctx, tenant, draft.ID(), func(p *customer.AccountPlan) error {
			return p.SetStatus(customer.PlanActive, pchange(2))
		})
		require.ErrorIs(t, err, crm.ErrDuplicate)
		got, err := s.Get(ctx, tenant, draft.ID())
		require.NoError(t, err)
		require.Equal(t, customer.PlanDraft, got.Status())
		require.Equal(t, int64(1), got.Version())

		// Once the first plan is closed, the draft may be activated.
		_, err = s.Update(ctx, tenant, first.ID(), func(p *customer.AccountPlan) error {
			return p.SetStatus(customer.PlanClosed, pchange(3))
		})
		require.NoError(t, err)
		_, err = s.Update(ctx, tenant, draft.ID(), func(p *customer.AccountPlan) error {
			return p.SetStatus(customer.PlanActive, pchange(4))
		})
		require.NoError(t, err)
	})
	t.Run("ConcurrentActivations", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		cust := NewID(t)
		const n = 8
		ids := make([]crm.ID, n)
		for i := range ids {
			p := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Customer: cust})
			require.NoError(t, s.Create(ctx, p))
			ids[i] = p.ID()
		}
		errs := make(chan error, n)
		start := make(chan struct{})
		for _, id := range ids {
			go func() {
				<-start
				_, err := s.Update(ctx, tenant, id, func(p *customer.AccountPlan) error {
					return p.SetStatus(customer.PlanActive, pchange(2))
				})
				errs <- err
			}()
		}
		close(start)
		ok := 0
		for range n {
			if err := <-errs; err == nil {
				ok++
			} else {
				require.ErrorIs(t, err, crm.ErrDuplicate)
			}
		}
		require.Equal(t, 1, ok, "exactly one overlapping plan may become active")
		page, err := s.List(ctx, tenant, customer.AccountPlanQuery{Customer: cust, Status: customer.PlanActive}, crm.PageRequest{})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
	})
	t.Run("ListFilters", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		cust := NewID(t)
		a := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Customer: cust, Lead: "am-wang"})
		b := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Customer: cust, Active: true})
		c := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Lead: "am-wang", Active: true})
		for _, p := range []*customer.AccountPlan{a, b, c} {
			require.NoError(t, s.Create(ctx, p))
		}
		require.NoError(t, s.Create(ctx, NewAccountPlan(t, NewTenant(t), crm.ID{}, PlanOptions{Customer: cust, Lead: "am-wang"})))
		ids := func(q customer.AccountPlanQuery) []crm.ID {
			t.Helper()
			var out []crm.ID
			for _, p := range pageAll(t, 1, func(pr crm.PageRequest) (crm.Page[*customer.AccountPlan], error) {
				return s.List(ctx, tenant, q, pr)
			}) {
				out = append(out, p.ID())
			}
			return out
		}
		sorted := func(xs ...crm.ID) []crm.ID {
			out := append([]crm.ID(nil), xs...)
			for i := range out {
				for j := i + 1; j < len(out); j++ {
					if out[j].Compare(out[i]) < 0 {
						out[i], out[j] = out[j], out[i]
					}
				}
			}
			return out
		}
		require.Equal(t, sorted(a.ID(), b.ID()), ids(customer.AccountPlanQuery{Customer: cust}))
		require.Equal(t, sorted(a.ID(), c.ID()), ids(customer.AccountPlanQuery{Member: "am-wang"}))
		require.Equal(t, sorted(b.ID(), c.ID()), ids(customer.AccountPlanQuery{Status: customer.PlanActive}))
		require.Equal(t, []crm.ID{b.ID()}, ids(customer.AccountPlanQuery{Customer: cust, Status: customer.PlanActive}))
		require.Equal(t, sorted(a.ID(), b.ID(), c.ID()), ids(customer.AccountPlanQuery{Member: "engineer-1"}))

		// The indexes follow the team and the status.
		_, err := s.Update(ctx, tenant, a.ID(), func(p *customer.AccountPlan) error {
			if err := p.AddMember(customer.TeamMember{User: "am-li", Role: customer.RoleAccountManager}, pchange(2)); err != nil {
				return err
			}
			if err := p.SetLead("am-li", pchange(2)); err != nil {
				return err
			}
			return p.RemoveMember("am-wang", pchange(2))
		})
		require.NoError(t, err)
		_, err = s.Update(ctx, tenant, c.ID(), func(p *customer.AccountPlan) error {
			return p.SetStatus(customer.PlanClosed, pchange(2))
		})
		require.NoError(t, err)
		require.Equal(t, []crm.ID{c.ID()}, ids(customer.AccountPlanQuery{Member: "am-wang"}))
		require.Equal(t, []crm.ID{a.ID()}, ids(customer.AccountPlanQuery{Member: "am-li"}))
		require.Equal(t, []crm.ID{b.ID()}, ids(customer.AccountPlanQuery{Status: customer.PlanActive}))
		require.Equal(t, []crm.ID{c.ID()}, ids(customer.AccountPlanQuery{Status: customer.PlanClosed}))

		_, err = s.List(ctx, tenant, customer.AccountPlanQuery{Status: 9}, crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrInvalid)
		_, err = s.List(ctx, tenant, customer.AccountPlanQuery{}, crm.PageRequest{Cursor: "forged"})
		require.ErrorIs(t, err, crm.ErrInvalid)
	})
	t.Run("ListInForceAt", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		cust := NewID(t)
		day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
		// q1 and q2 are adjacent quarters of one account (both active: they
		// do not overlap); draft spans their edge; odd has bounds half a
		// microsecond past whole microseconds (below PostgreSQL's precision).
		q1 := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Customer: cust, Start: day(1, 1), End: day(4, 1), Active: true})
		q2 := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Customer: cust, Start: day(4, 1), End: day(7, 1), Active: true})
		draft := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Start: day(3, 15), End: day(5, 1)})
		oddStart, oddEnd := day(2, 1).Add(500*time.Nanosecond), day(2, 2).Add(500*time.Nanosecond)
		odd := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Start: oddStart, End: oddEnd})
		for _, p := range []*customer.AccountPlan{q1, q2, draft, odd} {
			require.NoError(t, s.Create(ctx, p))
		}
		// Another tenant's plan in force at every moment below.
		require.NoError(t, s.Create(ctx, NewAccountPlan(t, NewTenant(t), crm.ID{}, PlanOptions{Customer: cust, Start: day(1, 1), End: day(12, 31), Active: true})))
		list := func(q customer.AccountPlanQuery, limit int) []crm.ID {
			t.Helper()
			out := []crm.ID{}
			for _, p := range pageAll(t, limit, func(pr crm.PageRequest) (crm.Page[*customer.AccountPlan], error) {
				return s.List(ctx, tenant, q, pr)
			}) {
				require.True(t, q.Matches(p), "plan %s is outside the query", p.ID())
				out = append(out, p.ID())
			}
			return out
		}
		want := func(ps ...*customer.AccountPlan) []crm.ID {
			out := []crm.ID{}
			for _, p := range ps {
				out = append(out, p.ID())
			}
			slices.SortFunc(out, crm.ID.Compare)
			return out
		}
		shanghai := time.FixedZone("CST", 8*3600)
		tests := []struct {
			name string
			at   time.Time
			want []*customer.AccountPlan
		}{
			{"before the first instant", day(1, 1).Add(-time.Nanosecond), nil},
			{"first instant", day(1, 1), []*customer.AccountPlan{q1}},
			{"first instant in Shanghai time", day(1, 1).In(shanghai), []*customer.AccountPlan{q1}},
			{"last instant of the first quarter", day(4, 1).Add(-time.Nanosecond), []*customer.AccountPlan{q1, draft}},
			{"first instant of the second quarter", day(4, 1), []*customer.AccountPlan{q2, draft}},
			{"last instant of the draft", day(5, 1).Add(-time.Nanosecond), []*customer.AccountPlan{q2, draft}},
			{"end of the draft", day(5, 1), []*customer.AccountPlan{q2}},
			{"end of the second quarter", day(7, 1), nil},
			{"a nanosecond before a sub-microsecond start", oddStart.Add(-time.Nanosecond), []*customer.AccountPlan{q1}},
			{"a sub-microsecond start", oddStart, []*customer.AccountPlan{q1, odd}},
			{"a nanosecond before a sub-microsecond end", oddEnd.Add(-time.Nanosecond), []*customer.AccountPlan{q1, odd}},
			{"a sub-microsecond end", oddEnd, []*customer.AccountPlan{q1}},
		}
		for _, tc := range tests {
			for _, limit := range []int{1, crm.MaxPageLimit} {
				require.Equal(t, want(tc.want...), list(customer.AccountPlanQuery{InForceAt: tc.at}, limit), "%s, pages of %d", tc.name, limit)
			}
		}
		// With the other filters: the plan that governs the account.
		require.Equal(t, want(q2), list(customer.AccountPlanQuery{Customer: cust, Status: customer.PlanActive, InForceAt: day(4, 1)}, 1))
		require.Equal(t, want(q1), list(customer.AccountPlanQuery{Customer: cust, InForceAt: day(3, 20)}, 1))
		require.Equal(t, want(draft), list(customer.AccountPlanQuery{Status: customer.PlanDraft, InForceAt: day(3, 20)}, 1))
		require.Equal(t, want(draft), list(customer.AccountPlanQuery{Member: "engineer-1", Status: customer.PlanDraft, InForceAt: day(4, 30)}, 1))
		require.Empty(t, list(customer.AccountPlanQuery{Member: "nobody", InForceAt: day(3, 20)}, 1))

		// Plans that a microsecond-precise bound lets through and the
		// exact rule refuses never make a page short: three plans ending half
		// a microsecond after t come before (by ID) the one in force at t.
		edge := NewTenant(t)
		at := day(9, 1).Add(500 * time.Nanosecond)
		for range 3 {
			require.NoError(t, s.Create(ctx, NewAccountPlan(t, edge, crm.ID{}, PlanOptions{Start: day(8, 1), End: at})))
		}
		in := NewAccountPlan(t, edge, crm.ID{}, PlanOptions{Start: day(8, 1), End: at.Add(time.Nanosecond)})
		require.NoError(t, s.Create(ctx, in))
		page, err := s.List(ctx, edge, customer.AccountPlanQuery{InForceAt: at}, crm.PageRequest{Limit: 1})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		require.Equal(t, in.ID(), page.Items[0].ID())
		require.Empty(t, page.Next)

		// The ends of the supported time range.
		far := NewTenant(t)
		early := NewAccountPlan(t, far, crm.ID{}, PlanOptions{Start: crm.MinTime.Add(time.Nanosecond), End: crm.MinTime.AddDate(0, 0, 1)})
		late := NewAccountPlan(t, far, crm.ID{}, PlanOptions{Start: crm.MaxTime.AddDate(0, 0, -1), End: crm.MaxTime})
		require.NoError(t, s.Create(ctx, early))
		require.NoError(t, s.Create(ctx, late))
		for _, tc := range []struct {
			at   time.Time
			want []*customer.AccountPlan
		}{
			{crm.MinTime.Add(time.Nanosecond), []*customer.AccountPlan{early}},
			{crm.MinTime.Add(12 * time.Hour), []*customer.AccountPlan{early}},
			{crm.MinTime.AddDate(0, 0, 1), nil},
			{crm.MaxTime.AddDate(0, 0, -1), []*customer.AccountPlan{late}},
			{crm.MaxTime.Add(-time.Nanosecond), []*customer.AccountPlan{late}},
			{crm.MaxTime, nil},
		} {
			got := []crm.ID{}
			for _, p := range pageAll(t, 1, func(pr crm.PageRequest) (crm.Page[*customer.AccountPlan], error) {
				return s.List(ctx, far, customer.AccountPlanQuery{InForceAt: tc.at}, pr)
			}) {
				got = append(got, p.ID())
			}
			require.Equal(t, want(tc.want...), got, "in force at %s", tc.at.Format(time.RFC3339Nano))
		}

		// Periods and moments packed within a few microseconds, to the
		// nanosecond: the store's answer is Matches's, page by page.
		dense := NewTenant(t)
		rng := rand.New(rand.NewPCG(7, 11))
		base := day(10, 1)
		ns := func() time.Time { return base.Add(time.Duration(rng.IntN(5000))) }
		var all []*customer.AccountPlan
		for range 40 {
			a, b := ns(), ns()
			if b.Before(a) {
				a, b = b, a
			}
			if !b.After(a) {
				b = a.Add(time.Nanosecond)
			}
			p := NewAccountPlan(t, dense, crm.ID{}, PlanOptions{Start: a, End: b})
			require.NoError(t, s.Create(ctx, p))
			all = append(all, p)
		}
		for range 60 {
			q := customer.AccountPlanQuery{InForceAt: ns()}
			var exp []*customer.AccountPlan
			for _, p := range all {
				if q.Matches(p) {
					exp = append(exp, p)
				}
			}
			got := []crm.ID{}
			for _, p := range pageAll(t, 3, func(pr crm.PageRequest) (crm.Page[*customer.AccountPlan], error) {
				return s.List(ctx, dense, q, pr)
			}) {
				got = append(got, p.ID())
			}
			require.Equal(t, want(exp...), got, "in force at %s", q.InForceAt.Format(time.RFC3339Nano))
		}

		_, err = s.List(ctx, tenant, customer.AccountPlanQuery{InForceAt: crm.MaxTime.Add(time.Second)}, crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrInvalid)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = s.List(cancelled, tenant, customer.AccountPlanQuery{InForceAt: day(3, 20)}, crm.PageRequest{})
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("ProgressRoundTrip", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		p := NewAccountPlan(t, tenant, crm.ID{}, PlanOptions{Active: true})
		require.NoError(t, s.Create(ctx, p))
		got, err := s.Update(ctx, tenant, p.ID(), func(p *customer.AccountPlan) error {
			return p.RecordProgress(customer.Progress{Goal: "revenue", Value: decimal.RequireFromString("1234.560"), At: at(5).Add(123 * time.Nanosecond), Note: "订单 17"}, pchange(6))
		})
		require.NoError(t, err)
		read, err := s.Get(ctx, tenant, p.ID())
		require.NoError(t, err)
		require.Equal(t, normPlan(got.Record()), normPlan(read.Record()))
		require.Equal(t, "1234.56", read.Progress()[0].Value.String())
		require.Equal(t, at(5).Add(123*time.Nanosecond), read.Progress()[0].At)
	})
}
