package lead_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/lead"
)

func TestFirstContactBreachReportedOnce(t *testing.T) {
	t.Parallel()
	sla := lead.FirstContactSLA{Calendar: officeCalendar(t), Thresholds: calendar.Thresholds{Target: 4 * time.Hour, WarnAt: 0.5}}
	// Captured Friday 15:00: 2 working hours Friday, the rest Monday.
	fri := time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)
	in := validInput()
	l, err := lead.New(in, lead.Change{Actor: "web", At: fri})
	require.NoError(t, err)

	ev, err := lead.FirstContactStatus(l, sla, fri.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, calendar.StateOK, ev.State)
	require.Equal(t, time.Date(2026, 3, 9, 11, 0, 0, 0, time.UTC), ev.Deadline, "the deadline skips the weekend")

	var all []crm.Event
	since := fri
	for _, at := range []time.Time{fri.Add(30 * time.Minute), fri.Add(3 * time.Hour), fri.Add(48 * time.Hour),
		time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)} {
		evs, err := lead.CheckFirstContact([]*lead.Lead{l}, sla, since, at)
		require.NoError(t, err)
		all = append(all, evs...)
		since = at
	}
	require.Len(t, all, 2, "one warning and one breach, each once")
	require.Equal(t, lead.EventFirstContactWarning, all[0].Type)
	require.Equal(t, fri.Add(2*time.Hour), all[0].At)
	require.Equal(t, lead.EventFirstContactBreached, all[1].Type)
	require.Equal(t, time.Date(2026, 3, 9, 11, 0, 0, 0, time.UTC), all[1].At)
	require.Equal(t, l.ID(), all[1].AggregateID)

	// Reassigned after the breach: the new owner's clock starts afresh and
	// is reported once more if it runs out too.
	monday := time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC)
	require.NoError(t, l.Assign("bob", lead.Change{Actor: "router", At: monday, Reason: "first-contact SLA breached"}))
	evs, err := lead.CheckFirstContact([]*lead.Lead{l}, sla, monday, time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, lead.EventFirstContactWarning, evs[0].Type)
	require.Equal(t, crm.UserID("bob"), evs[0].Data.(lead.FirstContactAlert).Owner)

	// A contact in time stops the clock: nothing more is reported.
	p := lead.DefaultProcess("")
	require.NoError(t, l.Move(&p, lead.StageContacted, lead.Change{Actor: "bob", At: time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)}))
	evs, err = lead.CheckFirstContact([]*lead.Lead{l}, sla, time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC), time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Empty(t, evs)
	ev, err = lead.FirstContactStatus(l, sla, time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, calendar.StateMet, ev.State)
}

func TestCheckFirstContactBadInput(t *testing.T) {
	t.Parallel()
	_, err := lead.CheckFirstContact(nil, lead.FirstContactSLA{}, t0, t0.Add(time.Hour))
	require.ErrorIs(t, err, crm.ErrInvalid)
	sla := lead.FirstContactSLA{Calendar: officeCalendar(t), Thresholds: calendar.Thresholds{Target: time.Hour}}
	evs, err := lead.CheckFirstContact([]*lead.Lead{nil, newLead(t)}, sla, t0, t0.Add(3*time.Hour))
	require.ErrorIs(t, err, crm.ErrInvalid, "a nil lead is reported")
	require.Len(t, evs, 1, "the other leads are still checked")
	evs, err = lead.CheckFirstContact([]*lead.Lead{newLead(t)}, sla, t0.Add(3*time.Hour), t0)
	require.NoError(t, err)
	require.Empty(t, evs, "since after at gives nothing")
}

func TestDisqualifiedWithoutContactStopsClock(t *testing.T) {
	t.Parallel()
	l, m := atStage(t, lead.StageDisqualified)
	timer := l.FirstContactTimer()
	require.Equal(t, t0.Add(time.Duration(m)*time.Minute), timer.Stop)
}

func TestReassignBreached(t *testing.T) {
	t.Parallel()
	sla := lead.FirstContactSLA{Calendar: officeCalendar(t), Thresholds: calendar.Thresholds{Target: 2 * time.Hour}}
	router := mustRouter(t, lead.Rules{
		People: []lead.Person{{ID: "ann", Capacity: 5}, {ID: "ben", Capacity: 5}},
		Rules:  []lead.Rule{{Name: "all", People: []crm.UserID{"ann", "ben"}}},
	}, nil)
	l := newLead(t) // captured Monday 09:00
	dec, st, err := router.Assign(lead.AssignmentState{}, l, t0)
	require.NoError(t, err)
	require.NoError(t, l.Assign(dec.Owner, lead.Change{Actor: "router", At: t0}))
	require.Equal(t, crm.UserID("ann"), l.Owner())

	_, same, moved, err := lead.ReassignBreached(router, st, l, sla, t0.Add(time.Hour), "sla-job")
	require.NoError(t, err)
	require.False(t, moved, "not breached yet")
	require.Equal(t, st, same)

	dec, st, moved, err = lead.ReassignBreached(router, st, l, sla, t0.Add(3*time.Hour), "sla-job")
	require.NoError(t, err)
	require.True(t, moved)
	require.Equal(t, crm.UserID("ben"), l.Owner())
	require.Equal(t, crm.UserID("ann"), dec.Previous)
	require.Equal(t, 0, st.OpenLeads("ann"))
	require.Equal(t, 1, st.OpenLeads("ben"))
	h := l.PendingHistory()
	last := h[len(h)-1]
	require.Equal(t, lead.HistoryOwner, last.Kind)
	require.Equal(t, "ann", last.From)
	require.Equal(t, "ben", last.To)
	require.Contains(t, last.Reason, "first-contact SLA breached at 2026-03-02T11:00:00Z")
	require.Equal(t, crm.UserID("sla-job"), last.Actor)

	// Ben's clock starts at the reassignment; ann is the only other person
	// and is eligible again, so a second breach moves it back.
	_, _, moved, err = lead.ReassignBreached(router, st, l, sla, t0.Add(4*time.Hour), "sla-job")
	require.NoError(t, err)
	require.False(t, moved, "the new owner's clock has just started")
	_, _, _, err = lead.ReassignBreached(nil, st, l, sla, t0, "x")
	require.ErrorIs(t, err, crm.ErrInvalid)
}
