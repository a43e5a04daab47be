package storagetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// testComplaints covers Create, Get, Update and Audit of complaint.Store.
func testComplaints(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("CreateGet", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := NewComplaint(t, tenant, &ComplaintOptions{
			Asset:       complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "unit", ID: "1502"}},
			Attachments: []string{"photo-1.jpg"}, Group: NewID(t), Status: complaint.Investigating,
			Severity: complaint.High, Priority: complaint.P1,
		})
		pending := c.PendingAudit()
		require.Len(t, pending, 4, "created, acknowledged, assessed, investigating")
		require.NoError(t, e.cs.Create(ctx, c))
		require.Equal(t, int64(1), c.Version())
		require.Empty(t, c.PendingAudit(), "Create must call Saved, which clears pending audit entries")
		require.Empty(t, c.Events(), "Create must call Saved, which clears pending events")
		got := mustGetComplaint(t, e.cs, tenant, c.ID())
		RequireSameComplaint(t, c, got)
		require.Equal(t, int64(1), got.Version())
		require.Empty(t, got.PendingAudit())
		require.Empty(t, got.Events())
		audit := allAudit(t, e.cs, tenant, c.ID(), crm.MaxPageLimit)
		require.Equal(t, normAudit(pending), normAudit(audit), "Create must store the pending audit entries")
		requireAuditWellFormed(t, c.ID(), audit)
		require.Equal(t, int64(4), got.Record().AuditSeq)
	})

	t.Run("CreateEveryStatus", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		for _, s := range complaint.Statuses() {
			c := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{Status: s})
			got := mustGetComplaint(t, e.cs, tenant, c.ID())
			RequireSameComplaint(t, c, got, "status %v", s)
			requireAuditWellFormed(t, c.ID(), allAudit(t, e.cs, tenant, c.ID(), crm.MaxPageLimit))
		}
	})

	t.Run("CreateStoredVersion", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := NewComplaint(t, tenant, nil)
		complaintHooks.Saved(c, 3)
		require.ErrorIs(t, e.cs.Create(ctx, c), crm.ErrInvalid)
		require.Equal(t, int64(3), c.Version())
		_, err := e.cs.Get(ctx, tenant, c.ID())
		require.ErrorIs(t, err, crm.ErrNotFound)
		_, err = e.cs.Audit(ctx, tenant, c.ID(), crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrNotFound)
	})

	t.Run("CreateDuplicate", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		first := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{Description: "First"})
		before := takeComplaintSnapshot(t, e.cs, tenant, first.ID())
		second := NewComplaint(t, tenant, &ComplaintOptions{ID: first.ID(), Description: "Second", Status: complaint.Acknowledged})
		require.ErrorIs(t, e.cs.Create(ctx, second), crm.ErrDuplicate)
		require.Equal(t, int64(0), second.Version(), "a refused Create must not call Saved")
		require.Len(t, second.PendingAudit(), 2, "a refused Create must leave pending audit entries")
		requireComplaintUnchanged(t, e.cs, tenant, before)
	})

	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateComplaint(t, e.cs, tenant, nil)
		calls := 0
		got, err := e.cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error {
			calls++
			require.Equal(t, int64(1), x.Version(), "fn must see the latest stored state")
			require.Empty(t, x.PendingAudit())
			if err := x.Transition(complaint.Acknowledged, cchange(1)); err != nil {
				return err
			}
			return x.HandOver("owner-2", cchange(2))
		})
		require.NoError(t, err)
		require.GreaterOrEqual(t, calls, 1)
		require.Equal(t, int64(2), got.Version())
		require.Equal(t, complaint.Acknowledged, got.Status())
		require.Equal(t, crm.UserID("owner-2"), got.Owner())
		require.Empty(t, got.PendingAudit(), "the returned copy must have been Saved")
		require.Empty(t, got.Events(), "the returned copy must have been Saved")
		RequireSameComplaint(t, got, mustGetComplaint(t, e.cs, tenant, c.ID()))

		got, err = e.cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error {
			require.Equal(t, int64(2), x.Version())
			require.Equal(t, complaint.Acknowledged, x.Status(), "fn must see the previous update")
			if err := x.Escalate(cchange(3)); err != nil {
				return err
			}
			return x.AddRepairStep(complaint.StepScheduled, "visit booked", true, cchange(3))
		})
		require.NoError(t, err)
		require.Equal(t, int64(3), got.Version())
		stored := mustGetComplaint(t, e.cs, tenant, c.ID())
		RequireSameComplaint(t, got, stored)
		require.Equal(t, 1, stored.EscalationLevel())
		require.Len(t, stored.RepairTimeline(), 1)

		audit := allAudit(t, e.cs, tenant, c.ID(), crm.MaxPageLimit)
		requireAuditWellFormed(t, c.ID(), audit)
		kinds := make([]complaint.AuditKind, len(audit))
		for i, a := range audit {
			kinds[i] = a.Kind
		}
		require.Equal(t, []complaint.AuditKind{
			complaint.AuditCreated, complaint.AuditStatus, complaint.AuditHandOver,
			complaint.AuditEscalated, complaint.AuditRepair,
		}, kinds)
		h := audit[2]
		require.Equal(t, "owner-1", h.From)
		require.Equal(t, "owner-2", h.To)
		require.True(t, h.At.Equal(at(2)), "audit time %v", h.At)
		require.Equal(t, crm.UserID("storagetest"), h.Actor)
		require.Equal(t, cchange(2).Reason, h.Reason)
		require.Equal(t, int64(5), stored.Record().AuditSeq)
	})

	t.Run("UpdateNoChange", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{Status: complaint.Assessed})
		got, err := e.cs.Update(ctx, tenant, c.ID(), func(*complaint.Complaint) error { return nil })
		require.NoError(t, err)
		require.Equal(t, int64(2), got.Version(), "an update that changes nothing is still stored at the next version")
		complaintHooks.Saved(c, 2)
		RequireSameComplaint(t, c, got)
		RequireSameComplaint(t, c, mustGetComplaint(t, e.cs, tenant, c.ID()))
		require.Len(t, allAudit(t, e.cs, tenant, c.ID(), crm.MaxPageLimit), 3, "no audit entry may be added")
	})

	t.Run("UpdateRefusedChange", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{Status: complaint.Acknowledged})
		before := takeComplaintSnapshot(t, e.cs, tenant, c.ID())
		var refusal error
		_, err := e.cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error {
			require.NoError(t, x.Escalate(cchange(1)))
			refusal = x.Transition(complaint.Closed, cchange(2)) // not resolved: refused
			return refusal
		})
		require.ErrorIs(t, refusal, crm.ErrInvalidTransition)
		require.Equal(t, refusal, err, "an error from fn must be returned as is")
		requireComplaintUnchanged(t, e.cs, tenant, before)
	})

	t.Run("UpdateChangesIdentity", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateComplaint(t, e.cs, tenant, nil)
		before := takeComplaintSnapshot(t, e.cs, tenant, c.ID())
		for _, tc := range []struct {
			name  string
			other *complaint.Complaint
		}{
			{"ID", NewComplaint(t, tenant, nil)},
			{"Tenant", NewComplaint(t, NewTenant(t), &ComplaintOptions{ID: c.ID()})},
			{"ReceivedAt", NewComplaint(t, tenant, &ComplaintOptions{ID: c.ID(), At: at(-5)})},
		} {
			_, err := e.cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error {
				*x = *tc.other.Clone()
				complaintHooks.Saved(x, x.Version())
				return nil
			})
			require.ErrorIs(t, err, crm.ErrInvalid, tc.name)
			requireComplaintUnchanged(t, e.cs, tenant, before)
			if tc.other.Tenant() != tenant || tc.other.ID() != c.ID() {
				_, err = e.cs.Get(ctx, tc.other.Tenant(), tc.other.ID())
				require.ErrorIs(t, err, crm.ErrNotFound, "%s: the changed complaint was stored", tc.name)
			}
		}
	})

	t.Run("AuditPaging", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{Status: complaint.Investigating})
		for i := range 12 {
			_, err := e.cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error {
				return x.AddRepairStep(complaint.StepOnSite, repairNote(i), i%2 == 0, cchange(10+i))
			})
			require.NoError(t, err)
		}
		want := allAudit(t, e.cs, tenant, c.ID(), crm.MaxPageLimit)
		require.Len(t, want, 4+12)
		requireAuditWellFormed(t, c.ID(), want)
		for _, limit := range []int{1, 2, 3, 5, 15, 16, 17} {
			require.Equal(t, normAudit(want), normAudit(allAudit(t, e.cs, tenant, c.ID(), limit)), "limit %d", limit)
		}
		p, err := e.cs.Audit(ctx, tenant, c.ID(), crm.PageRequest{Limit: 16})
		require.NoError(t, err)
		require.Len(t, p.Items, 16)
		if p.Next != "" {
			p, err = e.cs.Audit(ctx, tenant, c.ID(), crm.PageRequest{Limit: 16, Cursor: p.Next})
			require.NoError(t, err)
			require.Empty(t, p.Items)
			require.Empty(t, p.Next)
		}
	})

	t.Run("AuditWhileAppending", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{Status: complaint.Investigating})
		want := normAudit(allAudit(t, e.cs, tenant, c.ID(), crm.MaxPageLimit))
		var seen []complaint.AuditEntry
		page := crm.PageRequest{Limit: 2}
		for n := 0; ; n++ {
			require.Less(t, n, 1000, "paging did not finish")
			if n < 10 {
				_, err := e.cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error {
					return x.AddRepairStep(complaint.StepOnSite, repairNote(n), true, cchange(10+n))
				})
				require.NoError(t, err)
			}
			p, err := e.cs.Audit(ctx, tenant, c.ID(), page)
			require.NoError(t, err)
			seen = append(seen, p.Items...)
			if p.Next == "" {
				break
			}
			page.Cursor = p.Next
		}
		requireAuditWellFormed(t, c.ID(), seen) // Seq 1, 2, …: nothing skipped or repeated
		require.GreaterOrEqual(t, len(seen), len(want))
		require.Equal(t, want, normAudit(seen[:len(want)]))
	})

	t.Run("AuditMissing", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		CreateComplaint(t, e.cs, tenant, nil)
		_, err := e.cs.Audit(ctx, tenant, NewID(t), crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrNotFound)
	})

	t.Run("AuditBadCursor", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateComplaint(t, e.cs, tenant, nil)
		other := CreateComplaint(t, e.cs, tenant, nil)
		for _, cur := range []string{"not a cursor!", "-1", "1.5", "\x00", "%%%"} {
			_, err := e.cs.Audit(ctx, tenant, c.ID(), crm.PageRequest{Cursor: cur})
			require.ErrorIs(t, err, crm.ErrInvalid, "cursor %q", cur)
		}
		// A cursor of List is not one of Audit.
		p, err := e.cs.List(ctx, tenant, complaint.Query{}, crm.PageRequest{Limit: 1})
		require.NoError(t, err)
		require.NotEmpty(t, p.Next)
		_, err = e.cs.Audit(ctx, tenant, other.ID(), crm.PageRequest{Cursor: p.Next})
		require.ErrorIs(t, err, crm.ErrInvalid, "a List cursor was accepted by Audit")
	})
}
