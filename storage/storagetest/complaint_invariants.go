package storagetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// testComplaintTenancy proves that another tenant's complaints and risks
// behave as if they did not exist, for every method.
func testComplaintTenancy(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("EveryMethod", func(t *testing.T) {
		t.Parallel()
		home, other := NewTenant(t), NewTenant(t)
		group := NewID(t)
		asset := complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}}
		a := CreateComplaint(t, e.cs, home, &ComplaintOptions{
			Owner: "owner-home", Category: "leak", Severity: complaint.Critical, Group: group,
			Asset: asset, Status: complaint.Investigating, At: at(1),
		})
		r := CreateRisk(t, e.cs, home, &RiskOptions{Owner: "risk-owner-home", Asset: asset})
		// The other tenant has data of its own, so it is not simply empty.
		CreateComplaint(t, e.cs, other, &ComplaintOptions{Owner: "owner-other"})
		CreateRisk(t, e.cs, other, &RiskOptions{Rule: "other-rule"})
		before := takeComplaintSnapshot(t, e.cs, home, a.ID())
		riskBefore := takeRiskSnapshot(t, e.cs, home, r.ID())

		_, err := e.cs.Get(ctx, other, a.ID())
		require.ErrorIs(t, err, crm.ErrNotFound, "Get")
		called := false
		_, err = e.cs.Update(ctx, other, a.ID(), func(*complaint.Complaint) error { called = true; return nil })
		require.ErrorIs(t, err, crm.ErrNotFound, "Update")
		require.False(t, called, "Update ran fn on another tenant's complaint")
		_, err = e.cs.Audit(ctx, other, a.ID(), crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrNotFound, "Audit")

		open, closed := true, false
		for name, q := range map[string]complaint.Query{
			"All":        {},
			"Customer":   {Customer: a.Customer()},
			"Owner":      {Owner: "owner-home"},
			"Statuses":   {Statuses: []complaint.Status{complaint.Investigating}},
			"Open":       {Open: &open},
			"Closed":     {Open: &closed},
			"Categories": {Categories: []string{"leak"}},
			"Channel":    {Channel: a.Channel()},
			"Severity":   {MinSeverity: complaint.Critical},
			"Group":      {Group: group},
			"Asset":      {Asset: asset[:1]},
			"Received":   {ReceivedFrom: at(0), ReceivedTo: at(2)},
		} {
			for _, c := range allComplaints(t, e.cs, other, q, crm.MaxPageLimit) {
				require.NotEqual(t, a.ID(), c.ID(), "List %s", name)
				require.Equal(t, other, c.Tenant(), "List %s", name)
			}
		}

		_, err = e.cs.GetRisk(ctx, other, r.ID())
		require.ErrorIs(t, err, crm.ErrNotFound, "GetRisk")
		called = false
		_, err = e.cs.UpdateRisk(ctx, other, r.ID(), func(*complaint.Risk) error { called = true; return nil })
		require.ErrorIs(t, err, crm.ErrNotFound, "UpdateRisk")
		require.False(t, called, "UpdateRisk ran fn on another tenant's risk")
		active := true
		for name, q := range map[string]complaint.RiskQuery{
			"All":      {},
			"Key":      {Key: r.Key()},
			"Owner":    {Owner: "risk-owner-home"},
			"Active":   {Active: &active},
			"Statuses": {Statuses: []complaint.MitigationStatus{complaint.RiskOpen}},
		} {
			for _, x := range allRisks(t, e.cs, other, q, crm.MaxPageLimit) {
				require.NotEqual(t, r.ID(), x.ID(), "ListRisks %s", name)
				require.Equal(t, other, x.Tenant(), "ListRisks %s", name)
			}
		}
		// The one-active-risk-per-key rule holds per tenant.
		same := CreateRisk(t, e.cs, other, &RiskOptions{Asset: asset})
		require.Equal(t, r.Key(), same.Key())

		requireComplaintUnchanged(t, e.cs, home, before)
		requireRiskUnchanged(t, e.cs, home, riskBefore)
	})

	t.Run("SameIDInTwoTenants", func(t *testing.T) {
		t.Parallel()
		t1, t2 := NewTenant(t), NewTenant(t)
		id, riskID := NewID(t), NewID(t)
		c1 := CreateComplaint(t, e.cs, t1, &ComplaintOptions{ID: id, Description: "In tenant one"})
		CreateComplaint(t, e.cs, t2, &ComplaintOptions{ID: id, Description: "In tenant two"})
		_, err := e.cs.Update(ctx, t2, id, func(x *complaint.Complaint) error {
			return x.Transition(complaint.Acknowledged, cchange(1))
		})
		require.NoError(t, err)
		RequireSameComplaint(t, c1, mustGetComplaint(t, e.cs, t1, id))
		require.Len(t, allAudit(t, e.cs, t1, id, 10), 1)
		require.Len(t, allAudit(t, e.cs, t2, id, 10), 2)
		require.Equal(t, "In tenant two", mustGetComplaint(t, e.cs, t2, id).Description())
		require.Equal(t, complaint.Acknowledged, mustGetComplaint(t, e.cs, t2, id).Status())

		r1 := CreateRisk(t, e.cs, t1, &RiskOptions{ID: riskID})
		CreateRisk(t, e.cs, t2, &RiskOptions{ID: riskID, Owner: "risk-owner-2"})
		_, err = e.cs.UpdateRisk(ctx, t2, riskID, func(x *complaint.Risk) error {
			return x.Move(complaint.RiskMitigating, "storagetest", "started", at(1))
		})
		require.NoError(t, err)
		RequireSameRisk(t, r1, mustGetRisk(t, e.cs, t1, riskID))
		require.Equal(t, complaint.RiskMitigating, mustGetRisk(t, e.cs, t2, riskID).Status())
	})
}

// testComplaintConcurrency proves that concurrent complaint and risk
// updates lose nothing.
func testComplaintConcurrency(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("UpdateOneComplaint", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{Status: complaint.Investigating})
		versions := make([]int64, writers)
		errs := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got, err := e.cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error {
					yield()
					return x.AddRepairStep(complaint.StepOnSite, repairNote(i), true, cchange(10))
				})
				errs[i] = err
				if err == nil {
					versions[i] = got.Version()
				}
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "writer %d", i)
		}
		final := mustGetComplaint(t, e.cs, tenant, c.ID())
		require.Equal(t, int64(1+writers), final.Version())
		steps := final.RepairTimeline()
		require.Len(t, steps, writers, "an update was lost")
		notes := make([]string, len(steps))
		for i, s := range steps {
			notes[i] = s.Note
		}
		for i := range writers {
			require.Contains(t, notes, repairNote(i), "writer %d lost", i)
		}
		slices.Sort(versions)
		for i, v := range versions {
			require.Equal(t, int64(i+2), v, "each update must produce its own version")
		}
		audit := allAudit(t, e.cs, tenant, c.ID(), crm.MaxPageLimit)
		require.Len(t, audit, 4+writers, "audit entries lost or repeated")
		requireAuditWellFormed(t, c.ID(), audit)
		require.Equal(t, int64(4+writers), final.Record().AuditSeq)
	})

	t.Run("UpdateOneRisk", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		r := CreateRisk(t, e.cs, tenant, nil)
		versions := make([]int64, writers)
		errs := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got, err := e.cs.UpdateRisk(ctx, tenant, r.ID(), func(x *complaint.Risk) error {
					yield()
					return x.AddNote("storagetest", repairNote(i), at(1))
				})
				errs[i] = err
				if err == nil {
					versions[i] = got.Version()
				}
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "writer %d", i)
		}
		final := mustGetRisk(t, e.cs, tenant, r.ID())
		require.Equal(t, int64(1+writers), final.Version())
		notes := final.Notes()
		require.Len(t, notes, writers, "an update was lost")
		texts := make([]string, len(notes))
		for i, n := range notes {
			texts[i] = n.Text
		}
		for i := range writers {
			require.Contains(t, texts, repairNote(i), "writer %d lost", i)
		}
		slices.Sort(versions)
		for i, v := range versions {
			require.Equal(t, int64(i+2), v, "each update must produce its own version")
		}
	})

	t.Run("CreateSameID", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		id := NewID(t)
		errs := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			c := NewComplaint(t, tenant, &ComplaintOptions{ID: id, Description: repairNote(i)})
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = e.cs.Create(ctx, c)
			}()
		}
		close(start)
		wg.Wait()
		requireOneWinner(t, errs)
		require.Len(t, allAudit(t, e.cs, tenant, id, crm.MaxPageLimit), 1, "a refused Create stored audit entries")
	})

	t.Run("CreateRiskSameKey", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		errs := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			r := NewRisk(t, tenant, &RiskOptions{Owner: crm.UserID(repairNote(i))})
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = e.cs.CreateRisk(ctx, r)
			}()
		}
		close(start)
		wg.Wait()
		requireOneWinner(t, errs)
		require.Len(t, allRisks(t, e.cs, tenant, complaint.RiskQuery{}, crm.MaxPageLimit), 1,
			"more than one active risk per hotspot key")
	})
}

// requireOneWinner fails t unless exactly one of errs is nil and every
// other matches crm.ErrDuplicate.
func requireOneWinner(t *testing.T, errs []error) {
	t.Helper()
	won := 0
	for i, err := range errs {
		if err == nil {
			won++
			continue
		}
		require.ErrorIs(t, err, crm.ErrDuplicate, "writer %d", i)
	}
	require.Equal(t, 1, won, "exactly one concurrent create must succeed")
}

// testComplaintIsolation proves that nothing a caller holds aliases stored
// complaints or risks.
func testComplaintIsolation(t *testing.T, e *env) {
	ctx := context.Background()

	// mutate changes c in every way a caller could; c is open.
	mutate := func(t *testing.T, c *complaint.Complaint) {
		t.Helper()
		require.NoError(t, c.AddRepairStep(complaint.StepFixed, "mutated by the caller", true, cchange(100)))
		if c.Owner() != "mutator" { // Update may hand out fn's complaint itself
			require.NoError(t, c.HandOver("mutator", cchange(100)))
		}
		require.NoError(t, c.Escalate(cchange(100)))
		require.NoError(t, c.SetGroup(NewID(t), cchange(100)))
		require.NoError(t, c.SetResolution(complaint.Resolution{Remedy: complaint.Apology, Summary: "mutated"}, cchange(100)))
		c.Saved(99)
	}
	mutateRisk := func(t *testing.T, r *complaint.Risk) {
		t.Helper()
		require.NoError(t, r.AddNote("mutator", "mutated by the caller", at(100)))
		require.NoError(t, r.Reassign("mutator", at(100)))
		if r.Status().CanMoveTo(complaint.RiskAccepted) {
			require.NoError(t, r.Move(complaint.RiskAccepted, "mutator", "mutated", at(100)))
		}
		r.Saved(99)
	}

	cases := []struct {
		name string
		// run does something with the store and returns complaints the
		// caller still holds afterwards.
		run func(t *testing.T, tenant crm.TenantID, c *complaint.Complaint) []*complaint.Complaint
	}{
		{"Get", func(t *testing.T, tenant crm.TenantID, c *complaint.Complaint) []*complaint.Complaint {
			return []*complaint.Complaint{mustGetComplaint(t, e.cs, tenant, c.ID())}
		}},
		{"List", func(t *testing.T, tenant crm.TenantID, _ *complaint.Complaint) []*complaint.Complaint {
			p, err := e.cs.List(ctx, tenant, complaint.Query{}, crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, p.Items, 1)
			return p.Items
		}},
		{"Update", func(t *testing.T, tenant crm.TenantID, c *complaint.Complaint) []*complaint.Complaint {
			var seen *complaint.Complaint
			got, err := e.cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error {
				seen = x
				return x.AddRepairStep(complaint.StepScheduled, "booked", true, cchange(50))
			})
			require.NoError(t, err)
			return []*complaint.Complaint{seen, got}
		}},
		{"UpdateFnError", func(t *testing.T, tenant crm.TenantID, c *complaint.Complaint) []*complaint.Complaint {
			var seen *complaint.Complaint
			_, err := e.cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error {
				seen = x
				require.NoError(t, x.AddRepairStep(complaint.StepScheduled, "never stored", true, cchange(50)))
				return errInjected
			})
			require.ErrorIs(t, err, errInjected)
			return []*complaint.Complaint{seen}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			c := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{
				Status: complaint.Investigating, Asset: complaint.Asset{{Kind: "unit", ID: "1502"}},
				Attachments: []string{"a.jpg"},
			})
			// A repair step gives the stored timeline a backing array
			// that appending could share.
			_, err := e.cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error {
				return x.AddRepairStep(complaint.StepScheduled, "first", true, cchange(5))
			})
			require.NoError(t, err)
			held := tc.run(t, tenant, c)
			before := takeComplaintSnapshot(t, e.cs, tenant, c.ID())
			for _, h := range held {
				mutate(t, h)
			}
			requireComplaintUnchanged(t, e.cs, tenant, before)
			p, err := e.cs.List(ctx, tenant, complaint.Query{Owner: "mutator"}, crm.PageRequest{})
			require.NoError(t, err)
			require.Empty(t, p.Items, "the mutated owner reached the store's index")
		})
	}

	t.Run("Create", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{
			Status: complaint.Investigating, Asset: complaint.Asset{{Kind: "unit", ID: "1502"}},
		})
		before := takeComplaintSnapshot(t, e.cs, tenant, c.ID())
		mutate(t, c)
		requireComplaintUnchanged(t, e.cs, tenant, before)
	})

	riskCases := []struct {
		name string
		run  func(t *testing.T, tenant crm.TenantID, r *complaint.Risk) []*complaint.Risk
	}{
		{"Get", func(t *testing.T, tenant crm.TenantID, r *complaint.Risk) []*complaint.Risk {
			return []*complaint.Risk{mustGetRisk(t, e.cs, tenant, r.ID())}
		}},
		{"List", func(t *testing.T, tenant crm.TenantID, _ *complaint.Risk) []*complaint.Risk {
			p, err := e.cs.ListRisks(ctx, tenant, complaint.RiskQuery{}, crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, p.Items, 1)
			return p.Items
		}},
		{"Update", func(t *testing.T, tenant crm.TenantID, r *complaint.Risk) []*complaint.Risk {
			var seen *complaint.Risk
			got, err := e.cs.UpdateRisk(ctx, tenant, r.ID(), func(x *complaint.Risk) error {
				seen = x
				return x.AddNote("storagetest", "looked at it", at(50))
			})
			require.NoError(t, err)
			return []*complaint.Risk{seen, got}
		}},
		{"UpdateFnError", func(t *testing.T, tenant crm.TenantID, r *complaint.Risk) []*complaint.Risk {
			var seen *complaint.Risk
			_, err := e.cs.UpdateRisk(ctx, tenant, r.ID(), func(x *complaint.Risk) error {
				seen = x
				require.NoError(t, x.AddNote("storagetest", "never stored", at(50)))
				return errInjected
			})
			require.ErrorIs(t, err, errInjected)
			return []*complaint.Risk{seen}
		}},
	}
	for _, tc := range riskCases {
		t.Run("Risk"+tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			r := CreateRisk(t, e.cs, tenant, nil)
			_, err := e.cs.UpdateRisk(ctx, tenant, r.ID(), func(x *complaint.Risk) error {
				return x.AddNote("storagetest", "first", at(5))
			})
			require.NoError(t, err)
			held := tc.run(t, tenant, r)
			before := takeRiskSnapshot(t, e.cs, tenant, r.ID())
			for _, h := range held {
				mutateRisk(t, h)
			}
			requireRiskUnchanged(t, e.cs, tenant, before)
			p, err := e.cs.ListRisks(ctx, tenant, complaint.RiskQuery{Owner: "mutator"}, crm.PageRequest{})
			require.NoError(t, err)
			require.Empty(t, p.Items, "the mutated owner reached the store's index")
		})
	}

	t.Run("RiskCreate", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		r := CreateRisk(t, e.cs, tenant, nil)
		before := takeRiskSnapshot(t, e.cs, tenant, r.ID())
		mutateRisk(t, r)
		requireRiskUnchanged(t, e.cs, tenant, before)
	})

	t.Run("Query", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{Asset: complaint.Asset{{Kind: "unit", ID: "1"}}})
		q := complaint.Query{
			Statuses: []complaint.Status{complaint.Received}, Categories: []string{"leak"},
			Asset: complaint.Asset{{Kind: "unit", ID: "1"}},
		}
		p, err := e.cs.List(ctx, tenant, q, crm.PageRequest{})
		require.NoError(t, err)
		require.Equal(t, []crm.ID{c.ID()}, complaintIDs(p.Items))
		require.Equal(t, complaint.Query{
			Statuses: []complaint.Status{complaint.Received}, Categories: []string{"leak"},
			Asset: complaint.Asset{{Kind: "unit", ID: "1"}},
		}, q, "List changed the caller's query")
		rq := complaint.RiskQuery{Statuses: []complaint.MitigationStatus{complaint.RiskOpen}}
		_, err = e.cs.ListRisks(ctx, tenant, rq, crm.PageRequest{})
		require.NoError(t, err)
		require.Equal(t, []complaint.MitigationStatus{complaint.RiskOpen}, rq.Statuses, "ListRisks changed the caller's query")
	})
}

// testComplaintPaging proves ascending ID order and cursor paging of
// complaints and risks that neither skips nor repeats while other
// goroutines insert.
func testComplaintPaging(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("ComplaintsWhileInserting", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		const initial, pageSize = 40, 7
		want := make([]crm.ID, initial)
		for i := range want {
			want[i] = CreateComplaint(t, e.cs, tenant, nil).ID()
		}
		// IDs made now but stored only during paging: they sort before
		// records stored later, possibly before the cursor.
		early := make([]*complaint.Complaint, 10)
		for i := range early {
			early[i] = NewComplaint(t, tenant, nil)
		}
		inserters := make([][]*complaint.Complaint, 3)
		for g := range inserters {
			for range 15 {
				inserters[g] = append(inserters[g], NewComplaint(t, tenant, nil))
			}
		}
		stop := make(chan struct{})
		insertErrs := make([]error, len(inserters))
		var wg sync.WaitGroup
		for g := range inserters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, c := range inserters[g] {
					select {
					case <-stop:
						return
					default:
					}
					if err := e.cs.Create(ctx, c); err != nil {
						insertErrs[g] = err
						return
					}
				}
			}()
		}

		var seen []crm.ID
		page := crm.PageRequest{Limit: pageSize}
		for n := 0; ; n++ {
			require.Less(t, n, 1000, "paging did not finish")
			if n < len(early) {
				require.NoError(t, e.cs.Create(ctx, early[n]))
			}
			p, err := e.cs.List(ctx, tenant, complaint.Query{}, page)
			require.NoError(t, err)
			require.LessOrEqual(t, len(p.Items), pageSize)
			seen = append(seen, complaintIDs(p.Items)...)
			if p.Next == "" {
				break
			}
			page.Cursor = p.Next
		}
		close(stop)
		wg.Wait()
		for _, err := range insertErrs {
			require.NoError(t, err)
		}
		require.True(t, slices.IsSortedFunc(seen, crm.ID.Compare), "pages out of order")
		require.Len(t, slices.Compact(slices.Clone(seen)), len(seen), "a complaint was repeated")
		for _, id := range want {
			require.Contains(t, seen, id, "a complaint present before paging began was skipped")
		}
		for _, id := range seen {
			mustGetComplaint(t, e.cs, tenant, id)
		}
	})

	t.Run("ComplaintsDeterministic", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		var want []crm.ID
		for range 12 {
			want = append(want, CreateComplaint(t, e.cs, tenant, nil).ID())
		}
		slices.SortFunc(want, crm.ID.Compare)
		for _, limit := range []int{1, 5, 12, 13} {
			require.Equal(t, want, complaintIDs(allComplaints(t, e.cs, tenant, complaint.Query{}, limit)), "limit %d", limit)
		}
	})

	t.Run("ComplaintsDefaultLimit", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		for range crm.DefaultPageLimit + 1 {
			CreateComplaint(t, e.cs, tenant, nil)
		}
		p, err := e.cs.List(ctx, tenant, complaint.Query{}, crm.PageRequest{})
		require.NoError(t, err)
		require.Len(t, p.Items, crm.DefaultPageLimit)
		require.NotEmpty(t, p.Next)
		p, err = e.cs.List(ctx, tenant, complaint.Query{}, crm.PageRequest{Cursor: p.Next})
		require.NoError(t, err)
		require.Len(t, p.Items, 1)
		require.Empty(t, p.Next)
	})

	t.Run("RisksWhileInserting", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		var want []crm.ID
		for i := range 20 {
			want = append(want, CreateRisk(t, e.cs, tenant, &RiskOptions{Rule: fmt.Sprintf("rule-%02d", i)}).ID())
		}
		var seen []crm.ID
		page := crm.PageRequest{Limit: 3}
		for n := 0; ; n++ {
			require.Less(t, n, 1000, "paging did not finish")
			CreateRisk(t, e.cs, tenant, &RiskOptions{Rule: fmt.Sprintf("later-%02d", n)})
			p, err := e.cs.ListRisks(ctx, tenant, complaint.RiskQuery{}, page)
			require.NoError(t, err)
			seen = append(seen, riskIDs(p.Items)...)
			if p.Next == "" {
				break
			}
			page.Cursor = p.Next
		}
		require.True(t, slices.IsSortedFunc(seen, crm.ID.Compare), "pages out of order")
		require.Len(t, slices.Compact(slices.Clone(seen)), len(seen), "a risk was repeated")
		for _, id := range want {
			require.Contains(t, seen, id, "a risk present before paging began was skipped")
		}
	})

	t.Run("EmptyTenant", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		p, err := e.cs.List(ctx, tenant, complaint.Query{}, crm.PageRequest{})
		require.NoError(t, err)
		require.Empty(t, p.Items)
		require.Empty(t, p.Next)
		r, err := e.cs.ListRisks(ctx, tenant, complaint.RiskQuery{}, crm.PageRequest{})
		require.NoError(t, err)
		require.Empty(t, r.Items)
		require.Empty(t, r.Next)
	})
}
