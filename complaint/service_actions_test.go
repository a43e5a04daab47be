package complaint_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// TestServiceLifecycle walks one complaint through the whole handling with
// the convenience methods and checks statuses, timers, audit and events.
func TestServiceLifecycle(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	c := e.receive(t, saTenant)
	id := c.ID()

	steps := []struct {
		name string
		op   func() (*complaint.Complaint, error)
		want complaint.Status
	}{
		{"acknowledge", func() (*complaint.Complaint, error) { return e.svc.Acknowledge(ctx, saTenant, id, saCh()) }, complaint.Acknowledged},
		{"assess", func() (*complaint.Complaint, error) { return e.svc.Assess(ctx, saTenant, id, saCh()) }, complaint.Assessed},
		{"investigate", func() (*complaint.Complaint, error) { return e.svc.Investigate(ctx, saTenant, id, saCh()) }, complaint.Investigating},
		{"wait on customer", func() (*complaint.Complaint, error) { return e.svc.WaitOnCustomer(ctx, saTenant, id, saCh()) }, complaint.WaitingOnCustomer},
		{"resume", func() (*complaint.Complaint, error) { return e.svc.ResumeFromCustomer(ctx, saTenant, id, saCh()) }, complaint.Investigating},
		{"repair step", func() (*complaint.Complaint, error) {
			return e.svc.AddRepairStep(ctx, saTenant, id, complaint.StepOnSite, "technician on site", true, saCh())
		}, complaint.Investigating},
		{"escalate", func() (*complaint.Complaint, error) { return e.svc.Escalate(ctx, saTenant, id, saCh()) }, complaint.Investigating},
		{"hand over", func() (*complaint.Complaint, error) { return e.svc.HandOver(ctx, saTenant, id, "lead-sun", saCh()) }, complaint.Investigating},
		{"propose response", func() (*complaint.Complaint, error) { return e.svc.ProposeResponse(ctx, saTenant, id, saCh()) }, complaint.ResponseProposed},
		{"set resolution", func() (*complaint.Complaint, error) {
			return e.svc.SetResolution(ctx, saTenant, id, saResolution(), saCh())
		}, complaint.ResponseProposed},
		{"resolve", func() (*complaint.Complaint, error) { return e.svc.Resolve(ctx, saTenant, id, saCh()) }, complaint.Resolved},
		{"accept", func() (*complaint.Complaint, error) { return e.svc.RecordAcceptance(ctx, saTenant, id, true, saCh()) }, complaint.Resolved},
		{"close", func() (*complaint.Complaint, error) { return e.svc.Close(ctx, saTenant, id, saCh()) }, complaint.Closed},
		{"schedule follow-up", func() (*complaint.Complaint, error) {
			return e.svc.ScheduleFollowUp(ctx, saTenant, id, e.clock.Now().Add(72*time.Hour), saCh())
		}, complaint.Closed},
		{"record follow-up", func() (*complaint.Complaint, error) {
			return e.svc.RecordFollowUp(ctx, saTenant, id, complaint.FollowUp{Reached: true, Note: "dry"}, saCh())
		}, complaint.Closed},
		{"survey", func() (*complaint.Complaint, error) {
			return e.svc.RecordSurvey(ctx, saTenant, id, complaint.Survey{CSAT: 5, Comment: "fast"}, saCh())
		}, complaint.Closed},
	}
	version := c.Version()
	for _, st := range steps {
		e.clock.Advance(time.Hour)
		got, err := st.op()
		require.NoError(t, err, st.name)
		require.Equal(t, st.want, got.Status(), st.name)
		require.Equal(t, version+1, got.Version(), st.name)
		version = got.Version()
		stored, err := e.svc.Get(ctx, saTenant, id)
		require.NoError(t, err)
		require.Equal(t, got.Record(), stored.Record(), st.name)
	}

	c, err := e.svc.Get(ctx, saTenant, id)
	require.NoError(t, err)
	require.Equal(t, complaint.Closed, c.Status())
	require.Equal(t, crm.UserID("lead-sun"), c.Owner())
	require.Equal(t, 1, c.HandOvers())
	require.Equal(t, 1, c.EscalationLevel())
	require.Equal(t, saAt.Add(time.Hour), c.AcknowledgedAt())
	require.Equal(t, saAt.Add(9*time.Hour), c.FirstResponseAt())
	require.Equal(t, saAt.Add(13*time.Hour), c.ClosedAt())
	require.Len(t, c.Pauses(), 1)
	require.Equal(t, saAt.Add(4*time.Hour), c.Pauses()[0].Start)
	require.Equal(t, saAt.Add(5*time.Hour), c.Pauses()[0].End)
	acc, known := c.Acceptance()
	require.True(t, known)
	require.True(t, acc)
	f, ok := c.FollowUp()
	require.True(t, ok)
	require.Equal(t, complaint.FollowUp{Reached: true, Note: "dry", At: saAt.Add(15 * time.Hour)}, f)
	s, ok := c.Survey()
	require.True(t, ok)
	require.Equal(t, 5, s.CSAT)

	audit, err := e.svc.Audit(ctx, saTenant, id, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, audit.Items, len(steps)+1)
	evs := e.sink.all()
	require.Len(t, evs, len(steps)+1, "one event per change")
	for i, ev := range evs {
		require.Equal(t, int64(i+1), ev.Version, "events in order, each with its version")
		require.Equal(t, id, ev.AggregateID)
		require.Equal(t, saTenant, ev.Tenant)
	}
}

func TestServiceTransitions(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, func(o *complaint.Options) { o.ReopenWindow = 48 * time.Hour })
	ctx := context.Background()
	tests := []struct {
		name string
		from complaint.Status
		op   func(id crm.ID) (*complaint.Complaint, error)
		want complaint.Status
	}{
		{"acknowledge", complaint.Received, func(id crm.ID) (*complaint.Complaint, error) {
			return e.svc.Acknowledge(ctx, saTenant, id, saCh())
		}, complaint.Acknowledged},
		{"generic transition", complaint.Acknowledged, func(id crm.ID) (*complaint.Complaint, error) {
			return e.svc.Transition(ctx, saTenant, id, complaint.Assessed, saCh())
		}, complaint.Assessed},
		{"reject on receipt", complaint.Received, func(id crm.ID) (*complaint.Complaint, error) {
			return e.svc.Reject(ctx, saTenant, id, complaint.Change{Actor: saAgent, Reason: "not our product"})
		}, complaint.Rejected},
		{"reject while investigating", complaint.Investigating, func(id crm.ID) (*complaint.Complaint, error) {
			return e.svc.Reject(ctx, saTenant, id, complaint.Change{Actor: saAgent, Reason: "damage by the owner"})
		}, complaint.Rejected},
		{"wait from assessed", complaint.Assessed, func(id crm.ID) (*complaint.Complaint, error) {
			return e.svc.WaitOnCustomer(ctx, saTenant, id, saCh())
		}, complaint.WaitingOnCustomer},
		{"resume to investigating", complaint.WaitingOnCustomer, func(id crm.ID) (*complaint.Complaint, error) {
			return e.svc.ResumeFromCustomer(ctx, saTenant, id, saCh())
		}, complaint.Investigating},
		{"back to investigating after resolving", complaint.Resolved, func(id crm.ID) (*complaint.Complaint, error) {
			return e.svc.Investigate(ctx, saTenant, id, saCh())
		}, complaint.Investigating},
		{"reopen closed within the window", complaint.Closed, func(id crm.ID) (*complaint.Complaint, error) {
			return e.svc.Reopen(ctx, saTenant, id, saCh())
		}, complaint.Reopened},
		{"reopen rejected at the window's end", complaint.Rejected, func(id crm.ID) (*complaint.Complaint, error) {
			c, err := e.svc.Get(ctx, saTenant, id)
			require.NoError(t, err)
			ch := saCh()
			ch.At = c.RejectedAt().Add(48 * time.Hour)
			return e.svc.Reopen(ctx, saTenant, id, ch)
		}, complaint.Reopened},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.receive(t, saTenant)
			c = e.advance(t, saTenant, c.ID(), tc.from)
			e.clock.Advance(time.Minute)
			got, err := tc.op(c.ID())
			require.NoError(t, err)
			require.Equal(t, tc.want, got.Status())
			require.Equal(t, c.Version()+1, got.Version())
			audit, err := e.svc.Audit(ctx, saTenant, c.ID(), crm.PageRequest{Limit: crm.MaxPageLimit})
			require.NoError(t, err)
			last := audit.Items[len(audit.Items)-1]
			require.Equal(t, complaint.AuditStatus, last.Kind)
			require.Equal(t, tc.from.String(), last.From)
			require.Equal(t, tc.want.String(), last.To)
		})
	}
}

func TestServiceWaitReturnsWhereItCameFrom(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	for _, from := range []complaint.Status{complaint.Assessed, complaint.Investigating, complaint.ResponseProposed} {
		t.Run(from.String(), func(t *testing.T) {
			c := e.receive(t, saTenant)
			e.advance(t, saTenant, c.ID(), from)
			got, err := e.svc.WaitOnCustomer(ctx, saTenant, c.ID(), saCh())
			require.NoError(t, err)
			require.Equal(t, from, got.WaitingFrom())
			e.clock.Advance(time.Hour)
			got, err = e.svc.ResumeFromCustomer(ctx, saTenant, c.ID(), saCh())
			require.NoError(t, err)
			require.Equal(t, from, got.Status())
			require.Len(t, got.Pauses(), 1)
			require.Equal(t, time.Hour, got.Pauses()[0].End.Sub(got.Pauses()[0].Start))
		})
	}
}

func TestServiceActionRefusals(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, func(o *complaint.Options) { o.ReopenWindow = 48 * time.Hour })
	ctx := context.Background()
	negative := saResolution()
	negative.Remedy = complaint.Compensation
	negative.Compensation = crm.MustParseMoney("-100 CNY")
	noMoney := saResolution()
	noMoney.Remedy = complaint.Refund

	type op func(c *complaint.Complaint) error
	tests := []struct {
		name       string
		from       complaint.Status
		opName     string
		op         op
		want       error
		transition bool // the refusal is a *crm.TransitionError
	}{
		{"closing an unresolved complaint", complaint.Investigating, "close", func(c *complaint.Complaint) error {
			_, err := e.svc.Close(ctx, saTenant, c.ID(), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"closing a proposed response", complaint.ResponseProposed, "close", func(c *complaint.Complaint) error {
			_, err := e.svc.Close(ctx, saTenant, c.ID(), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"resolving without a resolution", complaint.ResponseProposed, "resolve", func(c *complaint.Complaint) error {
			_, err := e.svc.Resolve(ctx, saTenant, c.ID(), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"acknowledging twice", complaint.Acknowledged, "acknowledge", func(c *complaint.Complaint) error {
			_, err := e.svc.Acknowledge(ctx, saTenant, c.ID(), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"skipping the assessment", complaint.Acknowledged, "investigate", func(c *complaint.Complaint) error {
			_, err := e.svc.Investigate(ctx, saTenant, c.ID(), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"unknown status", complaint.Received, "transition", func(c *complaint.Complaint) error {
			_, err := e.svc.Transition(ctx, saTenant, c.ID(), complaint.Status(99), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"reopening after the window (explicit time)", complaint.Closed, "reopen", func(c *complaint.Complaint) error {
			ch := saCh()
			ch.At = c.ClosedAt().Add(48*time.Hour + time.Second)
			_, err := e.svc.Reopen(ctx, saTenant, c.ID(), ch)
			return err
		}, crm.ErrInvalidTransition, true},
		{"reopening after the window (clock)", complaint.Rejected, "reopen", func(c *complaint.Complaint) error {
			e.clock.Set(c.RejectedAt().Add(49 * time.Hour))
			_, err := e.svc.Reopen(ctx, saTenant, c.ID(), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"rejecting without a reason", complaint.Received, "reject", func(c *complaint.Complaint) error {
			_, err := e.svc.Reject(ctx, saTenant, c.ID(), complaint.Change{Actor: saAgent})
			return err
		}, crm.ErrInvalid, false},
		{"rejecting after a response", complaint.ResponseProposed, "reject", func(c *complaint.Complaint) error {
			_, err := e.svc.Reject(ctx, saTenant, c.ID(), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"resuming when not waiting", complaint.Investigating, "resume from customer", func(c *complaint.Complaint) error {
			_, err := e.svc.ResumeFromCustomer(ctx, saTenant, c.ID(), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"waiting before the assessment", complaint.Acknowledged, "wait on customer", func(c *complaint.Complaint) error {
			_, err := e.svc.WaitOnCustomer(ctx, saTenant, c.ID(), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"hand-over to the same owner", complaint.Assessed, "hand over", func(c *complaint.Complaint) error {
			_, err := e.svc.HandOver(ctx, saTenant, c.ID(), saAgent, saCh())
			return err
		}, crm.ErrInvalid, false},
		{"hand-over without a reason", complaint.Assessed, "hand over", func(c *complaint.Complaint) error {
			_, err := e.svc.HandOver(ctx, saTenant, c.ID(), "lead-sun", complaint.Change{Actor: saAgent})
			return err
		}, crm.ErrInvalid, false},
		{"escalating without a reason", complaint.Assessed, "escalate", func(c *complaint.Complaint) error {
			_, err := e.svc.Escalate(ctx, saTenant, c.ID(), complaint.Change{Actor: saAgent})
			return err
		}, crm.ErrInvalid, false},
		{"escalating a closed complaint", complaint.Closed, "escalate", func(c *complaint.Complaint) error {
			_, err := e.svc.Escalate(ctx, saTenant, c.ID(), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"negative compensation", complaint.ResponseProposed, "set resolution", func(c *complaint.Complaint) error {
			_, err := e.svc.SetResolution(ctx, saTenant, c.ID(), negative, saCh())
			return err
		}, crm.ErrInvalid, false},
		{"refund without an amount", complaint.ResponseProposed, "set resolution", func(c *complaint.Complaint) error {
			_, err := e.svc.SetResolution(ctx, saTenant, c.ID(), noMoney, saCh())
			return err
		}, crm.ErrInvalid, false},
		{"resolution after resolving", complaint.Resolved, "set resolution", func(c *complaint.Complaint) error {
			_, err := e.svc.SetResolution(ctx, saTenant, c.ID(), saResolution(), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"unknown repair step", complaint.Investigating, "add repair step", func(c *complaint.Complaint) error {
			_, err := e.svc.AddRepairStep(ctx, saTenant, c.ID(), complaint.RepairStep(0), "", true, saCh())
			return err
		}, crm.ErrInvalid, false},
		{"repair step on a closed complaint", complaint.Closed, "add repair step", func(c *complaint.Complaint) error {
			_, err := e.svc.AddRepairStep(ctx, saTenant, c.ID(), complaint.StepVerified, "", true, saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"acceptance before a decision", complaint.Investigating, "record acceptance", func(c *complaint.Complaint) error {
			_, err := e.svc.RecordAcceptance(ctx, saTenant, c.ID(), true, saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"follow-up of an open complaint", complaint.Resolved, "schedule follow-up", func(c *complaint.Complaint) error {
			_, err := e.svc.ScheduleFollowUp(ctx, saTenant, c.ID(), e.clock.Now().Add(time.Hour), saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"follow-up before closing", complaint.Closed, "schedule follow-up", func(c *complaint.Complaint) error {
			_, err := e.svc.ScheduleFollowUp(ctx, saTenant, c.ID(), c.ClosedAt().Add(-time.Hour), saCh())
			return err
		}, crm.ErrInvalid, false},
		{"follow-up recorded without a schedule", complaint.Closed, "record follow-up", func(c *complaint.Complaint) error {
			_, err := e.svc.RecordFollowUp(ctx, saTenant, c.ID(), complaint.FollowUp{Reached: true}, saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"survey score out of range", complaint.Closed, "record survey", func(c *complaint.Complaint) error {
			_, err := e.svc.RecordSurvey(ctx, saTenant, c.ID(), complaint.Survey{CSAT: 6}, saCh())
			return err
		}, crm.ErrInvalid, false},
		{"survey of an open complaint", complaint.Resolved, "record survey", func(c *complaint.Complaint) error {
			_, err := e.svc.RecordSurvey(ctx, saTenant, c.ID(), complaint.Survey{CSAT: 4}, saCh())
			return err
		}, crm.ErrInvalidTransition, true},
		{"change without an actor", complaint.Received, "acknowledge", func(c *complaint.Complaint) error {
			_, err := e.svc.Acknowledge(ctx, saTenant, c.ID(), complaint.Change{})
			return err
		}, crm.ErrInvalid, false},
		{"change back in time", complaint.Acknowledged, "assess", func(c *complaint.Complaint) error {
			_, err := e.svc.Assess(ctx, saTenant, c.ID(), complaint.Change{Actor: saAgent, At: c.ReceivedAt().Add(-time.Minute)})
			return err
		}, crm.ErrInvalid, false},
		{"other tenant's complaint", complaint.Received, "acknowledge", func(c *complaint.Complaint) error {
			_, err := e.svc.Acknowledge(ctx, saOther, c.ID(), saCh())
			return err
		}, crm.ErrNotFound, false},
		{"other tenant's repair view", complaint.Investigating, "public repair view", func(c *complaint.Complaint) error {
			_, err := e.svc.PublicRepairView(ctx, saOther, c.ID())
			return err
		}, crm.ErrNotFound, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.receive(t, saTenant)
			c = e.advance(t, saTenant, c.ID(), tc.from)
			e.clock.Advance(time.Minute)
			err := e.refused(t, saTenant, c.ID(), tc.want, func() error { return tc.op(c) })
			var te *crm.TransitionError
			require.Equal(t, tc.transition, errors.As(err, &te), "transition error: %v", err)
			prefix := "complaint: " + tc.opName + " " + c.ID().String() + ": "
			require.True(t, strings.HasPrefix(err.Error(), prefix), "%q does not start with %q", err, prefix)
		})
	}
}

func TestServiceMissingComplaint(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	missing := crm.MustParseID("01890000-0000-7000-8000-0000000000ee")
	ops := map[string]func() error{
		"acknowledge": func() error { _, err := e.svc.Acknowledge(ctx, saTenant, missing, saCh()); return err },
		"escalate":    func() error { _, err := e.svc.Escalate(ctx, saTenant, missing, saCh()); return err },
		"hand over":   func() error { _, err := e.svc.HandOver(ctx, saTenant, missing, "x", saCh()); return err },
		"repair view": func() error { _, err := e.svc.PublicRepairView(ctx, saTenant, missing); return err },
		"get":         func() error { _, err := e.svc.Get(ctx, saTenant, missing); return err },
	}
	for name, op := range ops {
		require.ErrorIs(t, op(), crm.ErrNotFound, name)
	}
	require.Empty(t, e.sink.all())
}

func TestServicePublicRepairView(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	c := e.receive(t, saTenant)
	e.advance(t, saTenant, c.ID(), complaint.Investigating)
	steps := []struct {
		step   complaint.RepairStep
		note   string
		public bool
	}{
		{complaint.StepScheduled, "visit booked for Tuesday", true},
		{complaint.StepTechnicianAssigned, "Liu, 8 years on windows; customer was rude on the phone", false},
		{complaint.StepOnSite, "technician on site", true},
		{complaint.StepPartsOrdered, "supplier margin 12%", false},
		{complaint.StepFixed, "frame resealed", true},
	}
	for _, st := range steps {
		e.clock.Advance(time.Hour)
		_, err := e.svc.AddRepairStep(ctx, saTenant, c.ID(), st.step, st.note, st.public, saCh())
		require.NoError(t, err)
	}
	view, err := e.svc.PublicRepairView(ctx, saTenant, c.ID())
	require.NoError(t, err)
	require.Len(t, view, 3)
	for i, want := range []int{0, 2, 4} {
		require.Equal(t, steps[want].step, view[i].Step)
		require.Equal(t, steps[want].note, view[i].Note)
		require.True(t, view[i].Public)
		require.Empty(t, view[i].Actor, "staff accounts are not shown to the customer")
	}
	full, err := e.svc.Get(ctx, saTenant, c.ID())
	require.NoError(t, err)
	require.Len(t, full.RepairTimeline(), 5, "internal entries are kept, only not shown")
	view[0].Note = "changed by the caller"
	again, err := e.svc.PublicRepairView(ctx, saTenant, c.ID())
	require.NoError(t, err)
	require.Equal(t, steps[0].note, again[0].Note, "the view is a copy")
}

func TestServiceChangeDefaultsToClock(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	c := e.receive(t, saTenant)
	now := e.clock.Advance(90 * time.Minute)
	got, err := e.svc.Acknowledge(ctx, saTenant, c.ID(), complaint.Change{Actor: saAgent})
	require.NoError(t, err)
	require.Equal(t, now, got.AcknowledgedAt())
	explicit := now.Add(10 * time.Minute)
	got, err = e.svc.Assess(ctx, saTenant, c.ID(), complaint.Change{Actor: saAgent, At: explicit})
	require.NoError(t, err)
	audit, err := e.svc.Audit(ctx, saTenant, got.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.Equal(t, explicit, audit.Items[len(audit.Items)-1].At, "an explicit At wins over the clock")
}

func TestServiceFollowUpsDue(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	day := 24 * time.Hour
	closed := func(followUp time.Duration, record bool) crm.ID {
		c := e.receive(t, saTenant)
		c = e.advance(t, saTenant, c.ID(), complaint.Closed)
		if followUp > 0 {
			_, err := e.svc.ScheduleFollowUp(ctx, saTenant, c.ID(), saAt.Add(followUp), saCh())
			require.NoError(t, err)
		}
		if record {
			_, err := e.svc.RecordFollowUp(ctx, saTenant, c.ID(), complaint.FollowUp{Reached: true}, saCh())
			require.NoError(t, err)
		}
		return c.ID()
	}
	late := closed(5*day, false)
	early := closed(3*day, false)
	sameA := closed(4*day, false)
	sameB := closed(4*day, false)
	_ = closed(4*day, true)       // already followed up
	_ = closed(9*day, false)      // outside the range
	_ = closed(0, false)          // never scheduled
	edge := closed(10*day, false) // at the end of the range: excluded
	open := e.receive(t, saTenant)
	e.advance(t, saTenant, open.ID(), complaint.Investigating)
	_ = e.receive(t, saOther)

	got, err := e.svc.FollowUpsDue(ctx, saTenant, saAt.Add(3*day), saAt.Add(6*day))
	require.NoError(t, err)
	var ids []crm.ID
	for _, c := range got {
		ids = append(ids, c.ID())
	}
	require.Equal(t, []crm.ID{early, sameA, sameB, late}, ids, "by follow-up time, then ID; the start is included")

	got, err = e.svc.FollowUpsDue(ctx, saTenant, saAt.Add(9*day), saAt.Add(10*day))
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.NotEqual(t, edge, got[0].ID())

	got, err = e.svc.FollowUpsDue(ctx, saOther, saAt, saAt.Add(30*day))
	require.NoError(t, err)
	require.Empty(t, got, "another tenant's follow-ups are not listed")

	for name, r := range map[string][2]time.Time{
		"empty range":    {saAt, saAt},
		"reversed range": {saAt.Add(day), saAt},
		"zero from":      {{}, saAt},
	} {
		_, err := e.svc.FollowUpsDue(ctx, saTenant, r[0], r[1])
		require.ErrorIs(t, err, crm.ErrInvalid, name)
	}
}

// TestServiceEventsAfterCommit checks that the sink hears of a change only
// once it is stored, in order, and never of a refused one.
func TestServiceEventsAfterCommit(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	var seen []string
	e.sink.check = func(_ context.Context, evs []crm.Event) {
		for _, ev := range evs {
			stored, err := e.store.Complaints().Get(context.Background(), ev.Tenant, ev.AggregateID)
			require.NoError(t, err)
			require.Equal(t, ev.Version, stored.Version(), "published before the change was stored")
			seen = append(seen, ev.Type)
		}
	}
	c := e.receive(t, saTenant)
	_, err := e.svc.Acknowledge(ctx, saTenant, c.ID(), saCh())
	require.NoError(t, err)
	_, err = e.svc.Close(ctx, saTenant, c.ID(), saCh())
	require.ErrorIs(t, err, crm.ErrInvalidTransition)
	_, err = e.svc.Update(ctx, saTenant, c.ID(), func(c *complaint.Complaint) error {
		ch := complaint.Change{Actor: saAgent, At: e.clock.Now(), Reason: "vip"}
		if err := c.Escalate(ch); err != nil {
			return err
		}
		return c.HandOver("lead-sun", ch)
	})
	require.NoError(t, err)
	want := []string{complaint.EventCreated, complaint.EventStatusChanged, complaint.EventEscalated, complaint.EventHandedOver}
	require.Equal(t, want, seen)
	require.Equal(t, want, e.sink.types())
	evs := e.sink.all()
	require.Equal(t, []int64{1, 2, 3, 3}, []int64{evs[0].Version, evs[1].Version, evs[2].Version, evs[3].Version})
	require.Equal(t, complaint.StatusChanged{From: complaint.Received, To: complaint.Acknowledged}, evs[1].Data)
}

func BenchmarkServiceHandOver(b *testing.B) {
	e := newSaEnv(b, nil)
	ctx := context.Background()
	c := e.receive(b, saTenant)
	e.advance(b, saTenant, c.ID(), complaint.Investigating)
	ch := saCh()
	b.ReportAllocs()
	for b.Loop() {
		// Two stored changes, each with an audit entry and an event; hand
		// overs have no limit, unlike escalation levels.
		if _, err := e.svc.HandOver(ctx, saTenant, c.ID(), "lead-sun", ch); err != nil {
			b.Fatal(err)
		}
		if _, err := e.svc.HandOver(ctx, saTenant, c.ID(), saAgent, ch); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServiceFollowUpsDue(b *testing.B) {
	e := newSaEnv(b, nil)
	ctx := context.Background()
	base := saAt.Add(1000 * time.Hour) // after every closing below
	for i := range 200 {
		c := e.receive(b, saTenant)
		e.advance(b, saTenant, c.ID(), complaint.Closed)
		_, err := e.svc.ScheduleFollowUp(ctx, saTenant, c.ID(), base.Add(time.Duration(i)*time.Hour), saCh())
		require.NoError(b, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		got, err := e.svc.FollowUpsDue(ctx, saTenant, base, base.Add(100*time.Hour))
		if err != nil || len(got) != 100 {
			b.Fatal(len(got), err)
		}
	}
}
