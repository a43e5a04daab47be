package complaint_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// expectedAllowed is written out from the documented diagram (doc.go), not
// derived from the package's table. WaitingOnCustomer here was entered from
// investigating, so it may only go back there.
var expectedAllowed = map[complaint.Status][]complaint.Status{
	complaint.Received:          {complaint.Acknowledged, complaint.Rejected},
	complaint.Acknowledged:      {complaint.Assessed, complaint.Rejected},
	complaint.Assessed:          {complaint.Investigating, complaint.WaitingOnCustomer, complaint.Rejected},
	complaint.Investigating:     {complaint.ResponseProposed, complaint.WaitingOnCustomer, complaint.Rejected},
	complaint.ResponseProposed:  {complaint.Resolved, complaint.Investigating, complaint.WaitingOnCustomer},
	complaint.Resolved:          {complaint.Closed, complaint.Investigating},
	complaint.Closed:            {complaint.Reopened},
	complaint.Rejected:          {complaint.Reopened},
	complaint.WaitingOnCustomer: {complaint.Investigating},
	complaint.Reopened:          {complaint.Investigating},
}

func TestTransitionCrossProduct(t *testing.T) {
	t.Parallel()
	for _, from := range complaint.Statuses() {
		for _, to := range complaint.Statuses() {
			t.Run(from.String()+"->"+to.String(), func(t *testing.T) {
				t.Parallel()
				c, m := at(t, from)
				if from.Open() && from != complaint.Resolved {
					// Resolving needs a resolution; record it up front so
					// only the table decides.
					require.NoError(t, c.SetResolution(validResolution(), chg(m)))
					complaint.ClearPendingForTest(c)
				}
				before := c.Record()
				err := c.Transition(to, chg(m+1))
				if slices.Contains(expectedAllowed[from], to) {
					require.NoError(t, err)
					require.Equal(t, to, c.Status())
					audit := c.PendingAudit()
					require.Len(t, audit, 1)
					require.Equal(t, complaint.AuditStatus, audit[0].Kind)
					require.Equal(t, from.String(), audit[0].From)
					require.Equal(t, to.String(), audit[0].To)
					require.Equal(t, crm.UserID("agent-li"), audit[0].Actor)
					ev := c.Events()
					require.Len(t, ev, 1)
					require.Equal(t, complaint.EventStatusChanged, ev[0].Type)
					require.Equal(t, complaint.StatusChanged{From: from, To: to}, ev[0].Data)
					return
				}
				require.ErrorIs(t, err, crm.ErrInvalidTransition)
				var te *crm.TransitionError
				require.ErrorAs(t, err, &te)
				require.Equal(t, from.String(), te.From)
				require.Equal(t, to.String(), te.To)
				require.Equal(t, before, c.Record())
				require.Empty(t, c.PendingAudit())
				require.Empty(t, c.Events())
			})
		}
	}
}

func TestWaitingReturnsToOrigin(t *testing.T) {
	t.Parallel()
	for _, origin := range []complaint.Status{complaint.Assessed, complaint.Investigating, complaint.ResponseProposed} {
		t.Run(origin.String(), func(t *testing.T) {
			t.Parallel()
			c, m := at(t, origin)
			require.NoError(t, c.Transition(complaint.WaitingOnCustomer, chg(m+1)))
			require.Equal(t, origin, c.WaitingFrom())
			for _, other := range complaint.WaitingOnCustomer.Next() {
				if other == origin {
					continue
				}
				err := c.Transition(other, chg(m+2))
				require.ErrorIs(t, err, crm.ErrInvalidTransition)
			}
			require.NoError(t, c.Transition(origin, chg(m+30)))
			require.Equal(t, complaint.Status(0), c.WaitingFrom())
			p := c.Pauses()
			require.Len(t, p, 1)
			require.Equal(t, 29*time.Minute, p[0].End.Sub(p[0].Start))
		})
	}
}

func TestTransitionRefusalReasons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		from   complaint.Status
		to     complaint.Status
		after  time.Duration
		reason string
	}{
		{"closing unresolved", complaint.Investigating, complaint.Closed, time.Minute, "closing an unresolved complaint"},
		{"closing from received", complaint.Received, complaint.Closed, time.Minute, "closing an unresolved complaint"},
		{"reopen after window", complaint.Closed, complaint.Reopened, complaint.DefaultReopenWindow + time.Minute, "reopen window"},
		{"reopen rejected after window", complaint.Rejected, complaint.Reopened, complaint.DefaultReopenWindow + time.Hour, "reopen window"},
		{"same status", complaint.Assessed, complaint.Assessed, time.Minute, "already in that state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, m := at(t, tt.from)
			before := c.Record()
			ch := chg(m)
			ch.At = ch.At.Add(tt.after)
			err := c.Transition(tt.to, ch)
			var te *crm.TransitionError
			require.ErrorAs(t, err, &te)
			require.Contains(t, te.Reason, tt.reason)
			require.Equal(t, before, c.Record())
			require.Empty(t, c.Events())
		})
	}
}

func TestReopenAtWindowEdge(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.Closed)
	ch := chg(m)
	ch.At = ch.At.Add(complaint.DefaultReopenWindow)
	require.NoError(t, c.Transition(complaint.Reopened, ch))
	require.True(t, c.ClosedAt().IsZero())
	require.True(t, c.ResolvedAt().IsZero())
}

func TestResolvedNeedsResolution(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.ResponseProposed)
	err := c.Transition(complaint.Resolved, chg(m+1))
	var te *crm.TransitionError
	require.ErrorAs(t, err, &te)
	require.Equal(t, "no resolution recorded", te.Reason)
}

func TestRejectNeedsReason(t *testing.T) {
	t.Parallel()
	c, m := at(t, complaint.Received)
	ch := chg(m + 1)
	ch.Reason = "  "
	err := c.Transition(complaint.Rejected, ch)
	require.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.True(t, errors.As(err, &ve) && ve.Has("change.reason"))
	require.Equal(t, complaint.Received, c.Status())
}

func TestStatusNextMatchesExpected(t *testing.T) {
	t.Parallel()
	for _, s := range complaint.Statuses() {
		if s == complaint.WaitingOnCustomer {
			require.ElementsMatch(t, []complaint.Status{complaint.Assessed, complaint.Investigating, complaint.ResponseProposed}, s.Next())
			continue
		}
		require.ElementsMatch(t, expectedAllowed[s], s.Next(), s.String())
	}
}

func TestTransitionTimeOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		from complaint.Status
		to   complaint.Status
	}{
		{"leave waiting before it began", complaint.WaitingOnCustomer, complaint.Investigating},
		{"reopen before closing", complaint.Closed, complaint.Reopened},
		{"acknowledge before receipt", complaint.Received, complaint.Acknowledged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, m := at(t, tt.from)
			before := c.Record()
			ch := chg(m)
			ch.At = ch.At.Add(-time.Second)
			require.ErrorIs(t, c.Transition(tt.to, ch), crm.ErrInvalid)
			require.Equal(t, before, c.Record())
			require.Empty(t, c.Events())
		})
	}
}

func TestCustomReopenWindow(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.ReopenWindow = time.Hour
	c, err := complaint.New(in, chg(0))
	require.NoError(t, err)
	m := 0
	move(t, c, &m, complaint.Acknowledged, complaint.Assessed, complaint.Investigating,
		complaint.ResponseProposed, complaint.Resolved, complaint.Closed)
	err = c.Transition(complaint.Reopened, chg(m+61))
	var te *crm.TransitionError
	require.ErrorAs(t, err, &te)
	require.Contains(t, te.Reason, "reopen window of 1h0m0s")
	require.NoError(t, c.Transition(complaint.Reopened, chg(m+60)))
	require.NoError(t, c.Transition(complaint.Investigating, chg(m+61)))
}
