package lead

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// FirstContactTimer returns the first-contact clock: it runs from the
// current assignment (from the capture while the lead is unassigned) until
// the first contact, or until the lead is closed. A reassignment restarts
// it for the new owner, so each owner gets the full service level.
func (l *Lead) FirstContactTimer() calendar.Timer {
	l.ensure()
	start := l.clockStart()
	t := calendar.Timer{Start: start, Stop: l.firstContactAt}
	if t.Stop.IsZero() || (!l.closedAt.IsZero() && l.closedAt.Before(t.Stop)) {
		t.Stop = l.closedAt
	}
	if !t.Stop.IsZero() && t.Stop.Before(start) {
		t.Stop = start // contacted before this assignment: nothing runs
	}
	return t
}

// clockStart returns when the first-contact clock started: the current
// assignment, or the capture while the lead is unassigned.
func (l *Lead) clockStart() time.Time {
	if !l.assignedAt.IsZero() && l.assignedAt.After(l.capturedAt) {
		return l.assignedAt
	}
	return l.capturedAt
}

// ClockStart returns when the lead's first-contact clock started (see
// [Lead.FirstContactTimer]): what [Query.ClockStartTo] filters and stores
// index.
func (l *Lead) ClockStart() time.Time {
	l.ensure()
	return l.clockStart()
}

// FirstContactSLA is the first-contact service level: the business
// calendar the clock runs on and the target, e.g. "call back within 4
// working hours, warn at 75%".
type FirstContactSLA struct {
	// Calendar is the business calendar; required.
	Calendar *calendar.Calendar
	// Thresholds are the target and the warning fraction.
	Thresholds calendar.Thresholds
}

// DueBefore returns the instant before which a lead's first-contact clock
// must have started for a warning or a breach of s to happen by at: a
// clock on a business calendar runs no faster than wall time, so a
// threshold d is crossed no earlier than d after the clock started. It is
// the [Query.ClockStartTo] of a check at at.
func (s FirstContactSLA) DueBefore(at time.Time) time.Time {
	d := s.Thresholds.Target
	if w := s.Thresholds.Warning(); w > 0 && w < d {
		d = w
	}
	return at.Add(-d).Add(time.Nanosecond)
}

// Validate returns a *crm.ValidationError when the calendar is missing or
// the thresholds are not valid.
func (s FirstContactSLA) Validate() error {
	var v crm.Validator
	v.Check(s.Calendar != nil, "calendar", "required")
	v.Merge("thresholds", s.Thresholds.Validate())
	return v.Err("lead.FirstContactSLA")
}

// FirstContactStatus evaluates l's first-contact clock at instant at.
func FirstContactStatus(l *Lead, sla FirstContactSLA, at time.Time) (calendar.Evaluation, error) {
	if l != nil {
		l.ensure()
	}
	if err := sla.Validate(); err != nil {
		return calendar.Evaluation{}, err
	}
	ev, err := sla.Calendar.Evaluate(l.FirstContactTimer(), sla.Thresholds, at)
	if err != nil {
		return calendar.Evaluation{}, fmt.Errorf("lead: first contact status %s: %w", l.id, err)
	}
	return ev, nil
}

// CheckFirstContact returns an event for every warning and breach of the
// leads' first-contact clocks that happened in (since, at], as known at
// at: a host that calls it on its schedule, each time with since set to
// the previous call's at, hears of each warning and breach once per
// assignment (a reassignment restarts the clock). Each event's At is the
// instant the threshold was crossed; events come in order of that
// instant, then of the leads' order. A breach is the cue to reassign
// ([Router.Assign] on the breached lead, then [Lead.Assign] with a
// reason).
//
// A lead whose clock cannot be evaluated is skipped and its error joined
// into the returned error; the events of the others are returned all the
// same. since not before at gives no events.
func CheckFirstContact(leads []*Lead, sla FirstContactSLA, since, at time.Time) ([]crm.Event, error) {
	if err := sla.Validate(); err != nil {
		return nil, err
	}
	var events []crm.Event
	var errs []error
	within := func(t time.Time) bool { return !t.IsZero() && t.After(since) && !t.After(at) }
	for i, l := range leads {
		if l == nil {
			errs = append(errs, crm.Invalid("lead.CheckFirstContact", fmt.Sprintf("leads[%d]", i), "nil lead"))
			continue
		}
		ev, err := sla.Calendar.Evaluate(l.FirstContactTimer(), sla.Thresholds, at)
		if err != nil {
			errs = append(errs, fmt.Errorf("lead: check first contact %s: %w", l.id, err))
			continue
		}
		alert := FirstContactAlert{Owner: l.owner, Deadline: utcOrZero(ev.Deadline), WarnAt: utcOrZero(ev.WarnAt), State: ev.State}
		if w := sla.Thresholds.Warning(); w > 0 && ev.Elapsed >= w && within(ev.WarnAt) {
			events = append(events, l.alert(EventFirstContactWarning, alert.WarnAt, alert))
		}
		if ev.Elapsed >= sla.Thresholds.Target && within(ev.Deadline) {
			events = append(events, l.alert(EventFirstContactBreached, alert.Deadline, alert))
		}
	}
	slices.SortStableFunc(events, func(a, b crm.Event) int { return a.At.Compare(b.At) })
	return events, errors.Join(errs...)
}

func (l *Lead) alert(typ string, at time.Time, a FirstContactAlert) crm.Event {
	l.ensure()
	return crm.Event{Type: typ, Tenant: l.tenant, AggregateID: l.id, At: at, Data: a}
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// ReassignBreached reassigns l when its first-contact clock has breached
// sla at now: it asks r for another owner (the current one is excluded),
// and when one is found assigns the lead to them as actor with a reason
// naming the breach, which the lead's history records. It returns the
// decision, the state to store, and whether the lead was reassigned. A
// lead whose clock has not breached, or for whom nobody else is eligible,
// is left as it is (the decision says why) and st is returned unchanged.
// Run it in the transaction that updates the assignment state and the
// lead ([Store.UpdateAssignment], [Store.Update]).
func ReassignBreached(r *Router, st AssignmentState, l *Lead, sla FirstContactSLA, now time.Time, actor crm.UserID) (Decision, AssignmentState, bool, error) {
	if l != nil {
		l.ensure()
	}
	if r == nil || l == nil {
		return Decision{}, st, false, crm.Invalid("lead.ReassignBreached", "", "router and lead are required")
	}
	ev, err := FirstContactStatus(l, sla, now)
	if err != nil {
		return Decision{}, st, false, err
	}
	if ev.State != calendar.StateBreached {
		return Decision{Previous: l.owner, Why: "first-contact clock is " + ev.State.String()}, st, false, nil
	}
	dec, next, err := r.Assign(st, l, now)
	if err != nil || !dec.Assigned {
		return dec, st, false, err
	}
	reason := fmt.Sprintf("first-contact SLA breached at %s; %s", ev.Deadline.UTC().Format(time.RFC3339), dec.Why)
	if len(reason) > crm.MaxReasonLen {
		reason = fmt.Sprintf("first-contact SLA breached at %s; rule %q", ev.Deadline.UTC().Format(time.RFC3339), dec.Rule)
	}
	if err := l.Assign(dec.Owner, Change{Actor: actor, At: now, Reason: reason}); err != nil {
		return dec, st, false, err
	}
	return dec, next, true, nil
}
