package storagetest

import (
	"context"
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
