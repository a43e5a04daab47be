package complaint_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

func TestRecordFollowUp(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.Closed)
	require.NoError(t, c.ScheduleFollowUp(chg(m+60).At, chg(m+1)))
	complaint.ClearPendingForTest(c)
	require.NoError(t, c.RecordFollowUp(complaint.FollowUp{Reached: true, Note: "window dry after rain"}, chg(m+61)))
	f, ok := c.FollowUp()
	require.True(t, ok)
	require.Equal(t, complaint.FollowUp{Reached: true, Note: "window dry after rain", At: chg(m + 61).At}, f)
	audit := c.PendingAudit()
	require.Len(t, audit, 1)
	require.Equal(t, complaint.AuditFollowUpDone, audit[0].Kind)
	require.Equal(t, "true", audit[0].To)
	ev := c.Events()
	require.Len(t, ev, 1)
	require.Equal(t, complaint.EventFollowUpDone, ev[0].Type)
	require.Equal(t, complaint.FollowUpDone{Reached: true}, ev[0].Data)

	// The outcome survives the persisted form.
	got, err := complaint.FromRecord(c.Record())
	require.NoError(t, err)
	f2, ok := got.FollowUp()
	require.True(t, ok)
	require.Equal(t, f, f2)
}

func TestRecordFollowUpRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(t *testing.T) (*complaint.Complaint, int)
		f          complaint.FollowUp
		minute     int // relative to the setup's last minute
		transition bool
		path       string
	}{
		{"still open", func(t *testing.T) (*complaint.Complaint, int) { return at(t, complaint.Investigating) }, complaint.FollowUp{}, 1, true, ""},
		{"rejected", func(t *testing.T) (*complaint.Complaint, int) { return at(t, complaint.Rejected) }, complaint.FollowUp{}, 1, true, ""},
		{"nothing scheduled", func(t *testing.T) (*complaint.Complaint, int) { return at(t, complaint.Closed) }, complaint.FollowUp{}, 1, true, ""},
		{"recorded twice", func(t *testing.T) (*complaint.Complaint, int) {
			c, m := at(t, complaint.Closed)
			require.NoError(t, c.ScheduleFollowUp(chg(m+1).At, chg(m+1)))
			require.NoError(t, c.RecordFollowUp(complaint.FollowUp{Reached: false}, chg(m+2)))
			return c, m + 2
		}, complaint.FollowUp{Reached: true}, 1, true, ""},
		{"before closing", func(t *testing.T) (*complaint.Complaint, int) {
			c, m := at(t, complaint.Closed)
			require.NoError(t, c.ScheduleFollowUp(chg(m+1).At, chg(m+1)))
			return c, m
		}, complaint.FollowUp{}, -5, false, "change.at"},
		{"note not UTF-8", func(t *testing.T) (*complaint.Complaint, int) {
			c, m := at(t, complaint.Closed)
			require.NoError(t, c.ScheduleFollowUp(chg(m+1).At, chg(m+1)))
			return c, m + 1
		}, complaint.FollowUp{Note: "\xff"}, 1, false, "follow_up.note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, m := tt.setup(t)
			before := c.Record()
			err := c.RecordFollowUp(tt.f, chg(m+tt.minute))
			require.Error(t, err)
			if tt.transition {
				var te *crm.TransitionError
				require.ErrorAs(t, err, &te)
				require.ErrorIs(t, err, crm.ErrInvalidTransition)
			} else {
				var ve *crm.ValidationError
				require.ErrorAs(t, err, &ve)
				require.True(t, ve.Has(tt.path), "want %s in %v", tt.path, err)
				require.True(t, errors.Is(err, crm.ErrInvalid))
			}
			require.Equal(t, before, c.Record(), "a refused follow-up changes nothing")
		})
	}
}

func TestReopenCountsAndClearsFollowUp(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.Closed)
	require.Zero(t, c.Reopens())
	require.NoError(t, c.ScheduleFollowUp(chg(m+1).At, chg(m+1)))
	require.NoError(t, c.RecordFollowUp(complaint.FollowUp{Reached: true}, chg(m+2)))
	require.NoError(t, c.Transition(complaint.Reopened, chg(m+3)))
	require.Equal(t, 1, c.Reopens())
	require.True(t, c.FollowUpAt().IsZero(), "a reopened complaint needs a new follow-up")
	_, ok := c.FollowUp()
	require.False(t, ok)

	// Second round: resolve, close, reopen again.
	m += 3
	move(t, c, &m, complaint.Investigating, complaint.ResponseProposed, complaint.Resolved, complaint.Closed, complaint.Reopened)
	require.Equal(t, 2, c.Reopens())
	got, err := complaint.FromRecord(c.Record())
	require.NoError(t, err)
	require.Equal(t, 2, got.Reopens())
}

func TestFromRecordFollowUpAndReopens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*complaint.Record)
		path string
	}{
		{"negative reopens", func(r *complaint.Record) { r.Reopens = -1 }, "reopens"},
		{"follow-up without schedule", func(r *complaint.Record) { r.FollowUp = &complaint.FollowUp{Reached: true} }, "follow_up_at"},
		{"follow-up note not UTF-8", func(r *complaint.Record) {
			r.FollowUpAt = t0
			r.FollowUp = &complaint.FollowUp{Note: "\xfe"}
		}, "follow_up.note"},
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

func TestSavedClearsPending(t *testing.T) {
	t.Parallel()
	c := newComplaint(t)
	require.NotEmpty(t, c.PendingAudit())
	complaint.SavedForTest(c, 4)
	require.Equal(t, int64(4), c.Version())
	require.Empty(t, c.PendingAudit())
	require.Empty(t, c.Events())
}

func TestReopenPausesTheClocks(t *testing.T) {
	t.Parallel()
	for _, from := range []complaint.Status{complaint.Closed, complaint.Rejected} {
		t.Run(from.String(), func(t *testing.T) {
			t.Parallel()
			c, m := at(t, from)
			stoppedAt := c.ClosedAt()
			if from == complaint.Rejected {
				stoppedAt = c.RejectedAt()
			}
			before := len(c.Pauses())
			require.NoError(t, c.Transition(complaint.Reopened, chg(m+600)))
			ps := c.Pauses()
			require.Len(t, ps, before+1)
			require.Equal(t, stoppedAt, ps[len(ps)-1].Start)
			require.Equal(t, chg(m+600).At, ps[len(ps)-1].End)

			// Resolved again 31 minutes after reopening: the 600 minutes it
			// stood closed do not count.
			m += 600
			move(t, c, &m, complaint.Investigating, complaint.ResponseProposed)
			m += 28
			require.NoError(t, c.SetResolution(validResolution(), chg(m)))
			move(t, c, &m, complaint.Resolved)
			rt := c.ResolutionTimer()
			require.NoError(t, rt.Validate())
			var paused time.Duration
			for _, p := range rt.Pauses {
				paused += p.End.Sub(p.Start)
			}
			require.Equal(t, rt.Stop.Sub(rt.Start)-paused, stoppedAt.Sub(t0)+31*time.Minute)

			got, err := complaint.FromRecord(c.Record())
			require.NoError(t, err)
			require.Equal(t, c.Pauses(), got.Pauses())
		})
	}
}
