package storagetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// groupSize is how many complaints the group transaction cases change.
const groupSize = 6

// groupFixture is a tenant holding a group of complaints and a risk, and
// the writes a group transaction makes to all of them.
type groupFixture struct {
	tenant   crm.TenantID
	oldGroup crm.ID
	newGroup crm.ID
	members  []*complaint.Complaint
	before   []complaintSnapshot
	risk     *complaint.Risk
	riskWas  complaint.RiskRecord
	created  *complaint.Complaint // received inside the transaction
	raised   *complaint.Risk      // raised inside the transaction
}

func newGroupFixture(t *testing.T, e *env) *groupFixture {
	t.Helper()
	f := &groupFixture{tenant: NewTenant(t), oldGroup: NewID(t), newGroup: NewID(t)}
	for range groupSize {
		c := CreateComplaint(t, e.cs, f.tenant, &ComplaintOptions{Group: f.oldGroup, Status: complaint.Investigating})
		f.members = append(f.members, c)
		f.before = append(f.before, takeComplaintSnapshot(t, e.cs, f.tenant, c.ID()))
	}
	// A complaint outside the group that no transaction touches.
	CreateComplaint(t, e.cs, f.tenant, &ComplaintOptions{Status: complaint.Investigating})
	f.risk = CreateRisk(t, e.cs, f.tenant, &RiskOptions{Evidence: complaintIDs(f.members)})
	f.riskWas = takeRiskSnapshot(t, e.cs, f.tenant, f.risk.ID())
	f.created = NewComplaint(t, f.tenant, &ComplaintOptions{Group: f.newGroup})
	f.raised = NewRisk(t, f.tenant, &RiskOptions{Rule: "raised-in-tx"})
	return f
}

// write changes the whole group inside a transaction: every member moves
// to the new group, gets a resolution and a proposed response; a risk is
// raised, the group's risk moves on and a complaint is received. failAt,
// when in [0, groupSize), is the member before which fail is called and
// its result returned (fail may panic).
func (f *groupFixture) write(ctx context.Context, e *env, failAt int, fail func(ctx context.Context) error) error {
	if err := e.cs.Create(ctx, f.created); err != nil {
		return err
	}
	if err := e.cs.CreateRisk(ctx, f.raised); err != nil {
		return err
	}
	if _, err := e.cs.UpdateRisk(ctx, f.tenant, f.risk.ID(), func(r *complaint.Risk) error {
		return r.Move(complaint.RiskMitigating, "storagetest", "group handled together", at(20))
	}); err != nil {
		return err
	}
	for i, c := range f.members {
		if i == failAt {
			if err := fail(ctx); err != nil {
				return err
			}
		}
		if _, err := e.cs.Update(ctx, f.tenant, c.ID(), func(x *complaint.Complaint) error {
			if err := x.SetGroup(f.newGroup, cchange(20)); err != nil {
				return err
			}
			if err := x.SetResolution(fixtureResolution, cchange(20)); err != nil {
				return err
			}
			return x.Transition(complaint.ResponseProposed, cchange(21))
		}); err != nil {
			return err
		}
	}
	return nil
}

// requireNothingLeft fails t unless none of write's writes remain.
func (f *groupFixture) requireNothingLeft(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	for _, snap := range f.before {
		requireComplaintUnchanged(t, e.cs, f.tenant, snap)
	}
	_, err := e.cs.Get(ctx, f.tenant, f.created.ID())
	require.ErrorIs(t, err, crm.ErrNotFound, "a complaint received in the failed transaction remains")
	_, err = e.cs.Audit(ctx, f.tenant, f.created.ID(), crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrNotFound, "the audit trail of a complaint received in the failed transaction remains")
	_, err = e.cs.GetRisk(ctx, f.tenant, f.raised.ID())
	require.ErrorIs(t, err, crm.ErrNotFound, "a risk raised in the failed transaction remains")
	requireRiskUnchanged(t, e.cs, f.tenant, f.riskWas)
	p, err := e.cs.List(ctx, f.tenant, complaint.Query{Group: f.newGroup}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, p.Items, "an index still reflects the failed transaction")
	p, err = e.cs.List(ctx, f.tenant, complaint.Query{Statuses: []complaint.Status{complaint.ResponseProposed}}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, p.Items, "an index still reflects the failed transaction")
	require.ElementsMatch(t, complaintIDs(f.members),
		complaintIDs(allComplaints(t, e.cs, f.tenant, complaint.Query{Group: f.oldGroup}, crm.MaxPageLimit)))
	rs, err := e.cs.ListRisks(ctx, f.tenant, complaint.RiskQuery{Statuses: []complaint.MitigationStatus{complaint.RiskMitigating}}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, rs.Items, "a risk index still reflects the failed transaction")
	rs, err = e.cs.ListRisks(ctx, f.tenant, complaint.RiskQuery{Key: f.raised.Key()}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, rs.Items, "the active-key index still holds a risk of the failed transaction")
}

// testComplaintAtomicity proves that a group of complaint changes made in
// one transaction happens whole or not at all.
func testComplaintAtomicity(t *testing.T, e *env) {
	ctx := context.Background()
	half := groupSize / 2

	t.Run("Commit", func(t *testing.T) {
		t.Parallel()
		f := newGroupFixture(t, e)
		require.NoError(t, e.s.InTx(ctx, func(ctx context.Context) error { return f.write(ctx, e, -1, nil) }))
		for i, c := range f.members {
			got := mustGetComplaint(t, e.cs, f.tenant, c.ID())
			require.Equal(t, int64(2), got.Version(), "member %d", i)
			require.Equal(t, f.newGroup, got.Group())
			require.Equal(t, complaint.ResponseProposed, got.Status())
			audit := allAudit(t, e.cs, f.tenant, c.ID(), crm.MaxPageLimit)
			require.Len(t, audit, len(f.before[i].audit)+3, "member %d", i)
			requireAuditWellFormed(t, c.ID(), audit)
		}
		require.Empty(t, allComplaints(t, e.cs, f.tenant, complaint.Query{Group: f.oldGroup}, crm.MaxPageLimit))
		require.Len(t, allComplaints(t, e.cs, f.tenant, complaint.Query{Group: f.newGroup}, crm.MaxPageLimit), groupSize+1)
		RequireSameComplaint(t, f.created, mustGetComplaint(t, e.cs, f.tenant, f.created.ID()))
		RequireSameRisk(t, f.raised, mustGetRisk(t, e.cs, f.tenant, f.raised.ID()))
		r := mustGetRisk(t, e.cs, f.tenant, f.risk.ID())
		require.Equal(t, complaint.RiskMitigating, r.Status())
		require.Equal(t, int64(2), r.Version())
	})

	t.Run("ErrorAfterHalf", func(t *testing.T) {
		t.Parallel()
		f := newGroupFixture(t, e)
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			return f.write(ctx, e, half, func(context.Context) error { return errInjected })
		})
		require.ErrorIs(t, err, errInjected)
		f.requireNothingLeft(t, e)
	})

	t.Run("FnErrorAfterHalf", func(t *testing.T) {
		t.Parallel()
		f := newGroupFixture(t, e)
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			return f.write(ctx, e, half, func(ctx context.Context) error {
				_, err := e.cs.Update(ctx, f.tenant, f.members[half].ID(), func(x *complaint.Complaint) error {
					if err := x.Escalate(cchange(20)); err != nil {
						return err
					}
					return errInjected
				})
				return err
			})
		})
		require.ErrorIs(t, err, errInjected)
		f.requireNothingLeft(t, e)
	})

	t.Run("StoreErrorAfterHalf", func(t *testing.T) {
		t.Parallel()
		f := newGroupFixture(t, e)
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			return f.write(ctx, e, half, func(ctx context.Context) error {
				// Fails mid-transaction: the risk's hotspot is active (in
				// this transaction).
				return e.cs.CreateRisk(ctx, NewRisk(t, f.tenant, &RiskOptions{Rule: "raised-in-tx"}))
			})
		})
		require.ErrorIs(t, err, crm.ErrDuplicate)
		f.requireNothingLeft(t, e)
	})

	t.Run("PanicAfterHalf", func(t *testing.T) {
		t.Parallel()
		f := newGroupFixture(t, e)
		require.PanicsWithValue(t, "storagetest: boom", func() {
			_ = e.s.InTx(ctx, func(ctx context.Context) error {
				return f.write(ctx, e, half, func(context.Context) error { panic("storagetest: boom") })
			})
		})
		f.requireNothingLeft(t, e)
		// The store still works, in and out of transactions. The failed
		// Create and CreateRisk called Saved: build them anew.
		f.created = NewComplaint(t, f.tenant, &ComplaintOptions{ID: f.created.ID(), Group: f.newGroup})
		f.raised = NewRisk(t, f.tenant, &RiskOptions{ID: f.raised.ID(), Rule: "raised-in-tx"})
		require.NoError(t, e.s.InTx(ctx, func(ctx context.Context) error { return f.write(ctx, e, -1, nil) }))
		require.Len(t, allComplaints(t, e.cs, f.tenant, complaint.Query{Group: f.newGroup}, crm.MaxPageLimit), groupSize+1)
	})

	t.Run("NestedJoins", func(t *testing.T) {
		t.Parallel()
		f := newGroupFixture(t, e)
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			if err := e.s.InTx(ctx, func(ctx context.Context) error { return f.write(ctx, e, -1, nil) }); err != nil {
				return err
			}
			return errInjected
		})
		require.ErrorIs(t, err, errInjected)
		f.requireNothingLeft(t, e)
	})

	t.Run("ReadsOwnWrites", func(t *testing.T) {
		t.Parallel()
		f := newGroupFixture(t, e)
		require.NoError(t, e.s.InTx(ctx, func(ctx context.Context) error {
			if err := f.write(ctx, e, -1, nil); err != nil {
				return err
			}
			got, err := e.cs.Get(ctx, f.tenant, f.members[0].ID())
			require.NoError(t, err)
			require.Equal(t, complaint.ResponseProposed, got.Status())
			p, err := e.cs.List(ctx, f.tenant, complaint.Query{Group: f.newGroup}, crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, p.Items, groupSize+1)
			a, err := e.cs.Audit(ctx, f.tenant, f.members[0].ID(), crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, a.Items, len(f.before[0].audit)+3)
			a, err = e.cs.Audit(ctx, f.tenant, f.created.ID(), crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, a.Items, 1)
			r, err := e.cs.GetRisk(ctx, f.tenant, f.raised.ID())
			require.NoError(t, err)
			require.Equal(t, int64(1), r.Version())
			rs, err := e.cs.ListRisks(ctx, f.tenant, complaint.RiskQuery{Statuses: []complaint.MitigationStatus{complaint.RiskMitigating}}, crm.PageRequest{})
			require.NoError(t, err)
			require.Equal(t, []crm.ID{f.risk.ID()}, riskIDs(rs.Items))
			return nil
		}))
	})
}
