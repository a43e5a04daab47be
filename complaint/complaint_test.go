package complaint_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
)

func TestNewValid(t *testing.T) {
	t.Parallel()
	c := newComplaint(t)
	require.Equal(t, complaint.Received, c.Status())
	require.Equal(t, idC, c.ID())
	require.Equal(t, tenantA, c.Tenant())
	require.Equal(t, idCust, c.Customer())
	require.Equal(t, "window", c.Category())
	require.Equal(t, complaint.High, c.Severity())
	require.Equal(t, complaint.P2, c.Priority())
	require.Equal(t, "project:P1/building:B3/unit:1502", c.Asset().String())
	require.Equal(t, crm.UserID("agent-li"), c.Owner())
	require.Equal(t, t0, c.ReceivedAt())
	require.Equal(t, complaint.DefaultReopenWindow, c.ReopenWindow())
	audit := c.PendingAudit()
	require.Len(t, audit, 1)
	require.Equal(t, complaint.AuditCreated, audit[0].Kind)
	require.Equal(t, int64(1), audit[0].Seq)
	ev := c.Events()
	require.Len(t, ev, 1)
	require.Equal(t, complaint.EventCreated, ev[0].Type)
	require.Equal(t, tenantA, ev[0].Tenant)
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.Severity, in.Priority, in.Categories, in.Category = 0, 0, nil, "anything"
	c, err := complaint.New(in, chg(0))
	require.NoError(t, err)
	require.Equal(t, complaint.Medium, c.Severity())
	require.Equal(t, complaint.P3, c.Priority())
}

func TestNewRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*complaint.NewInput, *complaint.Change)
		path string
	}{
		{"zero id", func(in *complaint.NewInput, _ *complaint.Change) { in.ID = crm.NilID }, "id"},
		{"bad tenant", func(in *complaint.NewInput, _ *complaint.Change) { in.Tenant = "" }, "tenant"},
		{"zero customer", func(in *complaint.NewInput, _ *complaint.Change) { in.Customer = crm.NilID }, "customer"},
		{"no channel", func(in *complaint.NewInput, _ *complaint.Change) { in.Channel = 0 }, "channel"},
		{"unknown category", func(in *complaint.NewInput, _ *complaint.Change) { in.Category = "roof" }, "category"},
		{"empty category without tree", func(in *complaint.NewInput, _ *complaint.Change) { in.Categories, in.Category = nil, "" }, "category"},
		{"bad severity", func(in *complaint.NewInput, _ *complaint.Change) { in.Severity = 9 }, "severity"},
		{"bad priority", func(in *complaint.NewInput, _ *complaint.Change) { in.Priority = 9 }, "priority"},
		{"empty asset id", func(in *complaint.NewInput, _ *complaint.Change) { in.Asset = complaint.Asset{{Kind: "unit"}} }, "asset[0].id"},
		{"empty description", func(in *complaint.NewInput, _ *complaint.Change) { in.Description = " \t" }, "description"},
		{"long description", func(in *complaint.NewInput, _ *complaint.Change) {
			in.Description = strings.Repeat("x", complaint.MaxDescriptionLen+1)
		}, "description"},
		{"bad utf8 outcome", func(in *complaint.NewInput, _ *complaint.Change) { in.DesiredOutcome = "\xff" }, "desired_outcome"},
		{"empty attachment", func(in *complaint.NewInput, _ *complaint.Change) { in.Attachments = []string{""} }, "attachments[0]"},
		{"no owner", func(in *complaint.NewInput, _ *complaint.Change) { in.Owner = "" }, "owner"},
		{"negative window", func(in *complaint.NewInput, _ *complaint.Change) { in.ReopenWindow = -time.Hour }, "reopen_window"},
		{"empty actor", func(_ *complaint.NewInput, ch *complaint.Change) { ch.Actor = "" }, "change.actor"},
		{"zero time", func(_ *complaint.NewInput, ch *complaint.Change) { ch.At = time.Time{} }, "change.at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, ch := validInput(), chg(0)
			tt.edit(&in, &ch)
			c, err := complaint.New(in, ch)
			require.Nil(t, c)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), "want %s in %v", tt.path, err)
		})
	}
}

// refusedUnchanged runs op on c and requires err to match want with c unchanged.
func refusedUnchanged(t testing.TB, c *complaint.Complaint, want error, op func() error) {
	t.Helper()
	before := c.Record()
	nAudit, nEv := len(c.PendingAudit()), len(c.Events())
	require.ErrorIs(t, op(), want)
	require.Equal(t, before, c.Record())
	require.Len(t, c.PendingAudit(), nAudit)
	require.Len(t, c.Events(), nEv)
}

func TestOperationRefusals(t *testing.T) {
	t.Parallel()
	money := func(s string) crm.Money { return crm.MustParseMoney(s) }
	tests := []struct {
		name   string
		status complaint.Status
		op     func(c *complaint.Complaint, m int) error
		want   error
	}{
		{"hand-over to same owner", complaint.Investigating, func(c *complaint.Complaint, m int) error { return c.HandOver("agent-li", chg(m)) }, crm.ErrInvalid},
		{"hand-over without reason", complaint.Investigating, func(c *complaint.Complaint, m int) error {
			ch := chg(m)
			ch.Reason = ""
			return c.HandOver("agent-wang", ch)
		}, crm.ErrInvalid},
		{"hand-over to empty owner", complaint.Investigating, func(c *complaint.Complaint, m int) error { return c.HandOver("", chg(m)) }, crm.ErrInvalid},
		{"hand-over bad change", complaint.Investigating, func(c *complaint.Complaint, m int) error {
			return c.HandOver("agent-wang", complaint.Change{Actor: "x", Reason: "r"})
		}, crm.ErrInvalid},
		{"negative compensation", complaint.Investigating, func(c *complaint.Complaint, m int) error {
			r := validResolution()
			r.Remedy, r.Compensation = complaint.Compensation, money("-100 CNY")
			return c.SetResolution(r, chg(m))
		}, crm.ErrInvalid},
		{"compensation missing", complaint.Investigating, func(c *complaint.Complaint, m int) error {
			r := validResolution()
			r.Remedy = complaint.Refund
			return c.SetResolution(r, chg(m))
		}, crm.ErrInvalid},
		{"resolution without remedy", complaint.Investigating, func(c *complaint.Complaint, m int) error {
			r := validResolution()
			r.Remedy = 0
			return c.SetResolution(r, chg(m))
		}, crm.ErrInvalid},
		{"resolution without summary", complaint.Investigating, func(c *complaint.Complaint, m int) error {
			r := validResolution()
			r.Summary = ""
			return c.SetResolution(r, chg(m))
		}, crm.ErrInvalid},
		{"resolution after closing", complaint.Closed, func(c *complaint.Complaint, m int) error { return c.SetResolution(validResolution(), chg(m)) }, crm.ErrInvalidTransition},
		{"csat 0", complaint.Closed, func(c *complaint.Complaint, m int) error { return c.RecordSurvey(complaint.Survey{CSAT: 0}, chg(m)) }, crm.ErrInvalid},
		{"csat 6", complaint.Closed, func(c *complaint.Complaint, m int) error { return c.RecordSurvey(complaint.Survey{CSAT: 6}, chg(m)) }, crm.ErrInvalid},
		{"survey before closing", complaint.Resolved, func(c *complaint.Complaint, m int) error { return c.RecordSurvey(complaint.Survey{CSAT: 4}, chg(m)) }, crm.ErrInvalidTransition},
		{"follow-up before closing", complaint.Resolved, func(c *complaint.Complaint, m int) error { return c.ScheduleFollowUp(t0.Add(48*time.Hour), chg(m)) }, crm.ErrInvalidTransition},
		{"follow-up before closed time", complaint.Closed, func(c *complaint.Complaint, m int) error { return c.ScheduleFollowUp(t0, chg(m)) }, crm.ErrInvalid},
		{"follow-up zero time", complaint.Closed, func(c *complaint.Complaint, m int) error { return c.ScheduleFollowUp(time.Time{}, chg(m)) }, crm.ErrInvalid},
		{"acceptance while investigating", complaint.Investigating, func(c *complaint.Complaint, m int) error { return c.RecordAcceptance(true, chg(m)) }, crm.ErrInvalidTransition},
		{"acceptance bad change", complaint.Resolved, func(c *complaint.Complaint, _ int) error { return c.RecordAcceptance(true, complaint.Change{}) }, crm.ErrInvalid},
		{"escalate closed", complaint.Closed, func(c *complaint.Complaint, m int) error { return c.Escalate(chg(m)) }, crm.ErrInvalidTransition},
		{"escalate without reason", complaint.Investigating, func(c *complaint.Complaint, m int) error {
			ch := chg(m)
			ch.Reason = ""
			return c.Escalate(ch)
		}, crm.ErrInvalid},
		{"repair step unknown", complaint.Investigating, func(c *complaint.Complaint, m int) error { return c.AddRepairStep(0, "", true, chg(m)) }, crm.ErrInvalid},
		{"repair step on closed", complaint.Closed, func(c *complaint.Complaint, m int) error {
			return c.AddRepairStep(complaint.StepScheduled, "", true, chg(m))
		}, crm.ErrInvalidTransition},
		{"zero group", complaint.Investigating, func(c *complaint.Complaint, m int) error { return c.SetGroup(crm.NilID, chg(m)) }, crm.ErrInvalid},
		{"transition bad change", complaint.Received, func(c *complaint.Complaint, _ int) error {
			return c.Transition(complaint.Acknowledged, complaint.Change{At: t0})
		}, crm.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, m := at(t, tt.status)
			refusedUnchanged(t, c, tt.want, func() error { return tt.op(c, m+1) })
		})
	}
}

func TestEscalationMax(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.Investigating)
	for i := 1; i <= complaint.MaxEscalationLevel; i++ {
		require.NoError(t, c.Escalate(chg(m+i)))
		require.Equal(t, i, c.EscalationLevel())
	}
	require.Equal(t, complaint.Investigating, c.Status(), "escalation does not change the status")
	require.Len(t, c.PendingAudit(), complaint.MaxEscalationLevel)
	refusedUnchanged(t, c, crm.ErrInvalid, func() error { return c.Escalate(chg(m + 100)) })
}

func TestHandOverCounts(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.Assessed)
	require.NoError(t, c.HandOver("agent-wang", chg(m+1)))
	require.NoError(t, c.HandOver("agent-li", chg(m+2)))
	require.Equal(t, 2, c.HandOvers())
	require.Equal(t, crm.UserID("agent-li"), c.Owner())
	audit := c.PendingAudit()
	require.Len(t, audit, 2)
	require.Equal(t, complaint.AuditHandOver, audit[0].Kind)
	require.Equal(t, "agent-li", audit[0].From)
	require.Equal(t, "agent-wang", audit[0].To)
	require.Equal(t, "because", audit[0].Reason)
}

func TestCompensationAccepted(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.ResponseProposed)
	r := validResolution()
	r.Remedy, r.Compensation = complaint.Compensation, crm.MustParseMoney("500.00 CNY")
	require.NoError(t, c.SetResolution(r, chg(m+1)))
	got, ok := c.Resolution()
	require.True(t, ok)
	require.True(t, got.Compensation.Equal(crm.MustParseMoney("500 CNY")))
}

func TestFollowUpSurveyAcceptance(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.Closed)
	require.NoError(t, c.RecordAcceptance(true, chg(m+1)))
	require.NoError(t, c.ScheduleFollowUp(t0.Add(72*time.Hour), chg(m+2)))
	require.NoError(t, c.RecordSurvey(complaint.Survey{CSAT: 5, Comment: "quick fix"}, chg(m+3)))
	acc, known := c.Acceptance()
	require.True(t, acc && known)
	require.Equal(t, t0.Add(72*time.Hour), c.FollowUpAt())
	s, ok := c.Survey()
	require.True(t, ok)
	require.Equal(t, 5, s.CSAT)
	require.Equal(t, chg(m+3).At, s.At)
}

func TestTimers(t *testing.T) {
	t.Parallel()
	c := newComplaint(t)
	step := func(min int, s complaint.Status) {
		t.Helper()
		require.NoError(t, c.Transition(s, chg(min)))
	}
	step(10, complaint.Acknowledged)
	step(20, complaint.Assessed)
	step(30, complaint.Investigating)
	step(40, complaint.WaitingOnCustomer)
	step(100, complaint.Investigating)
	step(110, complaint.ResponseProposed)
	require.NoError(t, c.SetResolution(validResolution(), chg(115)))
	step(120, complaint.Resolved)

	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	require.Equal(t, calendar.Timer{Start: t0, Stop: at(10)}, c.AckTimer())
	want := calendar.Timer{Start: t0, Pauses: []calendar.Interval{{Start: at(40), End: at(100)}}, Stop: at(120)}
	require.Equal(t, want, c.ResolutionTimer())
	require.NoError(t, c.ResolutionTimer().Validate())
	require.Equal(t, at(110), c.FirstResponseTimer().Stop)
	require.Equal(t, at(110), c.FirstResponseAt())
	require.Equal(t, at(10), c.AcknowledgedAt())
}

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.Closed)
	require.NoError(t, c.RecordAcceptance(false, chg(m+1)))
	require.NoError(t, c.RecordSurvey(complaint.Survey{CSAT: 2}, chg(m+2)))
	require.NoError(t, c.SetGroup(idGroup, chg(m+3)))
	w, wm := at(t, complaint.WaitingOnCustomer)
	require.NoError(t, w.AddRepairStep(complaint.StepScheduled, "visit Tuesday", true, chg(wm+1)))
	for _, orig := range []*complaint.Complaint{c, w} {
		r := orig.Record()
		got, err := complaint.FromRecord(r)
		require.NoError(t, err)
		require.Equal(t, r, got.Record())
		require.Empty(t, got.PendingAudit())
		require.Empty(t, got.Events())
	}
}

func TestFromRecordRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*complaint.Record)
		path string
	}{
		{"zero id", func(r *complaint.Record) { r.ID = crm.NilID }, "id"},
		{"bad status", func(r *complaint.Record) { r.Status = 0 }, "status"},
		{"no owner", func(r *complaint.Record) { r.Owner = "" }, "owner"},
		{"waiting without origin", func(r *complaint.Record) { r.Status = complaint.WaitingOnCustomer }, "waiting_from"},
		{"origin when not waiting", func(r *complaint.Record) { r.WaitingFrom = complaint.Assessed }, "waiting_from"},
		{"bad escalation", func(r *complaint.Record) { r.EscalationLevel = -1 }, "escalation_level"},
		{"bad csat", func(r *complaint.Record) { r.Survey = &complaint.Survey{CSAT: 9} }, "survey.csat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newComplaint(t).Record()
			tt.edit(&r)
			_, err := complaint.FromRecord(r)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), "want %s in %v", tt.path, err)
		})
	}
}

func TestCloneIsolation(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.Investigating)
	require.NoError(t, c.AddRepairStep(complaint.StepScheduled, "a", true, chg(m+1)))
	d := c.Clone()
	before := c.Record()
	require.NoError(t, d.AddRepairStep(complaint.StepOnSite, "b", false, chg(m+2)))
	require.NoError(t, d.HandOver("agent-wang", chg(m+3)))
	require.NoError(t, d.SetResolution(validResolution(), chg(m+4)))
	require.NoError(t, d.Transition(complaint.WaitingOnCustomer, chg(m+5)))
	require.Equal(t, before, c.Record())
	require.Len(t, c.PendingAudit(), 1)

	// Records share nothing with the complaint either.
	r := c.Record()
	r.Asset[0].ID = "changed"
	r.Repair[0].Note = "changed"
	require.Equal(t, before, c.Record())
	a := c.Asset()
	a[0].ID = "x"
	require.Equal(t, "P1", c.Asset()[0].ID)
}

func TestPublicRepairView(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.Investigating)
	require.NoError(t, c.AddRepairStep(complaint.StepScheduled, "Tuesday 10:00", true, chg(m+1)))
	require.NoError(t, c.AddRepairStep(complaint.StepPartsOrdered, "supplier slow, chase", false, chg(m+2)))
	require.NoError(t, c.AddRepairStep(complaint.StepFixed, "sealed", true, chg(m+3)))
	refusedUnchanged(t, c, crm.ErrInvalid, func() error {
		return c.AddRepairStep(complaint.StepVerified, "", true, chg(m))
	})
	pub := c.PublicRepairView()
	require.Len(t, pub, 2)
	require.Equal(t, complaint.StepScheduled, pub[0].Step)
	require.Equal(t, complaint.StepFixed, pub[1].Step)
	for _, e := range pub {
		require.Empty(t, e.Actor, "the customer does not see staff accounts")
	}
	require.Len(t, c.RepairTimeline(), 3)
	require.Equal(t, crm.UserID("agent-li"), c.RepairTimeline()[0].Actor, "staff still see who did it")
}

func TestUnansweredInGroup(t *testing.T) {
	t.Parallel()
	mk := func(n byte, group crm.ID, to ...complaint.Status) *complaint.Complaint {
		in := validInput()
		in.ID[15], in.Customer[15], in.Group = n, n+100, group
		c, err := complaint.New(in, chg(0))
		require.NoError(t, err)
		m := 0
		move(t, c, &m, to...)
		return c
	}
	other := crm.MustParseID("01890000-0000-7000-8000-0000000000ff")
	a := mk(1, idGroup, complaint.Acknowledged)
	b := mk(2, idGroup, complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed)
	cRej := mk(3, idGroup, complaint.Rejected)
	d := mk(4, other)
	e := mk(5, idGroup)
	got := complaint.UnansweredInGroup(idGroup, []*complaint.Complaint{a, b, nil, cRej, d, e})
	require.Equal(t, []complaint.Unanswered{
		{Complaint: a.ID(), Customer: a.Customer()},
		{Complaint: e.ID(), Customer: e.Customer()},
	}, got)
	require.Nil(t, complaint.UnansweredInGroup(crm.NilID, []*complaint.Complaint{a}))
}

func TestSetGroup(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.Assessed)
	require.NoError(t, c.SetGroup(idGroup, chg(m+1)))
	require.Equal(t, idGroup, c.Group())
	refusedUnchanged(t, c, crm.ErrInvalid, func() error { return c.SetGroup(idGroup, chg(m+2)) })
}
