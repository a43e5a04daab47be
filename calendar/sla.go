package calendar

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// Timer is the clock of one service-level target, e.g. "resolve within 16
// working hours": it starts when the complaint arrives, stops while waiting
// on the customer, and stops for good when the target is achieved. It is
// plain data for the host to store; [Calendar.Evaluate] reads it at any
// instant, so nothing has to tick.
type Timer struct {
	// Start is when the clock started; required.
	Start time.Time `json:"start"`
	// Pauses are the stretches when the clock stood still (waiting on the
	// customer), in order and not overlapping; only the last may be open.
	// They must lie between Start and Stop.
	Pauses []Interval `json:"pauses,omitempty"`
	// Stop is when the target was achieved (the complaint answered or
	// resolved); zero while the clock runs.
	Stop time.Time `json:"stop,omitzero"`
}

// Validate returns a *crm.ValidationError listing every problem with t.
func (t Timer) Validate() error {
	var v crm.Validator
	t.validate(&v, "")
	return v.Err("calendar.Timer")
}

// validate records t's problems in v. It builds no strings unless there is
// a problem, because Evaluate runs it for every timer.
func (t Timer) validate(v *crm.Validator, prefix string) {
	if t.Start.IsZero() {
		v.Addf(prefix+"start", "must not be zero")
	} else if s := t.Start.Unix(); s < minUnix || s >= maxUnix {
		v.Addf(prefix+"start", "outside the years 1–9999")
	}
	stopped := !t.Stop.IsZero()
	if stopped && t.Stop.Before(t.Start) {
		v.Addf(prefix+"stop", "before start")
	}
	for i, p := range t.Pauses {
		if p.Start.Before(t.Start) {
			v.Addf(fmt.Sprintf("%spauses[%d].start", prefix, i), "before the timer's start")
		}
		if stopped && p.Start.After(t.Stop) {
			v.Addf(fmt.Sprintf("%spauses[%d].start", prefix, i), "after the timer's stop")
		}
		if i > 0 {
			if prev := t.Pauses[i-1]; prev.Open() {
				v.Addf(fmt.Sprintf("%spauses[%d].start", prefix, i), "after an open pause: only the last pause may be open")
			} else if p.Start.Before(prev.End) {
				v.Addf(fmt.Sprintf("%spauses[%d].start", prefix, i), "before the end of the previous pause: pauses must be in order and not overlap")
			}
		}
		if !p.Open() && p.End.Before(p.Start) {
			v.Addf(fmt.Sprintf("%spauses[%d].end", prefix, i), "before its start")
		}
	}
}

// Thresholds are a service-level target and when to warn before it is
// breached.
type Thresholds struct {
	// Target is the working time allowed, e.g. 16h; must be positive.
	Target time.Duration `json:"target"`
	// WarnAt is the fraction of Target after which the clock is in
	// warning, e.g. 0.8; 0 means no warning. Must be within 0–1.
	WarnAt float64 `json:"warn_at,omitempty"`
}

// Validate returns a *crm.ValidationError listing every problem with th.
func (th Thresholds) Validate() error {
	var v crm.Validator
	th.validate(&v, "")
	return v.Err("calendar.Thresholds")
}

func (th Thresholds) validate(v *crm.Validator, prefix string) {
	if th.Target <= 0 {
		v.Addf(prefix+"target", "must be positive")
	}
	if !(th.WarnAt >= 0 && th.WarnAt <= 1) { // true for NaN
		v.Addf(prefix+"warn_at", "must be a fraction within 0–1")
	}
}

// Warning returns the working time after which the clock is in warning:
// Target × WarnAt rounded to the nearest nanosecond (at least 1ns), or 0
// when WarnAt is 0.
func (th Thresholds) Warning() time.Duration {
	if th.WarnAt <= 0 || th.Target <= 0 || th.WarnAt > 1 {
		return 0
	}
	return max(1, time.Duration(math.Round(float64(th.Target)*th.WarnAt)))
}

// State is where a service-level clock stands.
type State uint8

// States of a service-level clock. The stored form is the name.
const (
	StateOK       State = iota + 1 // running, before the warning threshold
	StateWarning                   // running, past the warning threshold, before the target
	StateBreached                  // running, target reached or passed
	StateMet                       // stopped before the target was reached
	StateMissed                    // stopped when or after the target was reached
)

var states = enum.New[State]("sla state", "ok", "warning", "breached", "met", "missed")

// ParseState parses a state name such as "breached".
func ParseState(s string) (State, error) { return states.Parse(s) }

// States returns every state in order.
func States() []State { return states.Values() }

// String returns the state's name.
func (s State) String() string { return states.String(s) }

// Valid reports whether s is a known state.
func (s State) Valid() bool { return states.Valid(s) }

// Stopped reports whether s is a final state (met or missed).
func (s State) Stopped() bool { return s == StateMet || s == StateMissed }

// MarshalText implements encoding.TextMarshaler.
func (s State) MarshalText() ([]byte, error) { return states.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *State) UnmarshalText(b []byte) (err error) { *s, err = states.Parse(string(b)); return err }

// Evaluation is the standing of a [Timer] against [Thresholds] at one
// instant.
type Evaluation struct {
	// State is where the clock stands.
	State State
	// Elapsed is the working time counted, outside pauses, from Start to
	// the instant evaluated (or to Stop, when earlier).
	Elapsed time.Duration
	// Remaining is Target − Elapsed: negative once the target is passed,
	// by how much working time.
	Remaining time.Duration
	// Deadline is the instant the target is (or was) reached, given the
	// pauses known at the instant evaluated; zero when the clock is paused
	// with the target not reached before the pause, so that it is unknown.
	Deadline time.Time
	// WarnAt is the instant the warning threshold is (or was) reached,
	// known or unknown like Deadline; zero also when there is no warning.
	WarnAt time.Time
	// Paused reports whether the clock stood still at the instant
	// evaluated (never for a stopped clock).
	Paused bool
}

// Evaluate reports the standing of t against th at instant at, as it was
// known at that instant: pauses starting after at are ignored, a pause
// running at at counts as open, and a Stop after at has not happened yet.
// The result therefore depends only on the timer's history up to at, so
// any instant can be evaluated, past or future, without timers.
//
// The target is breached from the instant the elapsed working time reaches
// it (Elapsed >= Target), so a clock stopped at exactly that instant has
// missed it; the warning threshold likewise. Returned instants are in at's
// location. A timer or thresholds that are not valid give a
// *crm.ValidationError with paths "timer.…" and "thresholds.…"; a target
// the calendar cannot reach within [Horizon] gives an error wrapping
// [ErrBeyondHorizon].
func (c *Calendar) Evaluate(t Timer, th Thresholds, at time.Time) (Evaluation, error) {
	var v crm.Validator
	t.validate(&v, "timer.")
	th.validate(&v, "thresholds.")
	if at.IsZero() {
		v.Addf("at", "must not be zero")
	}
	if err := v.Err("calendar.Evaluate"); err != nil {
		return Evaluation{}, err
	}

	start, asOf := instOf(t.Start), instOf(at).clamp()
	stopped := !t.Stop.IsZero() && !at.Before(t.Stop)
	if stopped {
		asOf = instOf(t.Stop)
	}
	var ev Evaluation
	if start.before(asOf) {
		ev.Elapsed = toDuration(c.betweenEx(start, asOf, t.Pauses))
	}
	ev.Remaining = th.Target - ev.Elapsed
	ev.Paused = !stopped && pausedAt(t.Pauses, asOf)

	// The warning instant, then the deadline from it: the working time
	// between them is Target − warning.
	r := reacher{c: c, ps: t.Pauses, asOf: asOf, now: asOf, elapsed: ev.Elapsed,
		running: !stopped && !ev.Paused, limit: start.limit(), anchor: start}
	if asOf.before(start) {
		r.now = start // evaluated before the start: nothing has elapsed yet
	}
	warn := th.Warning()
	if warn > 0 {
		w, known, err := r.reach(warn)
		if err != nil {
			return Evaluation{}, fmt.Errorf("calendar: evaluate: warning: %w", err)
		}
		if known {
			ev.WarnAt = w.in(at.Location())
			r.anchor, r.anchorElapsed = w, warn
		}
	}
	d, known, err := r.reach(th.Target)
	if err != nil {
		return Evaluation{}, fmt.Errorf("calendar: evaluate: deadline: %w", err)
	}
	if known {
		ev.Deadline = d.in(at.Location())
	}

	switch {
	case stopped && ev.Elapsed < th.Target:
		ev.State = StateMet
	case stopped:
		ev.State = StateMissed
	case ev.Elapsed >= th.Target:
		ev.State = StateBreached
	case warn > 0 && ev.Elapsed >= warn:
		ev.State = StateWarning
	default:
		ev.State = StateOK
	}
	return ev, nil
}

// reacher finds the instants at which a timer's elapsed working time
// reaches given amounts, as known at asOf.
type reacher struct {
	c       *Calendar
	ps      []Interval // valid, so normal
	asOf    inst
	now     inst          // the later of asOf and the start
	elapsed time.Duration // at now
	running bool          // neither stopped nor paused at asOf
	limit   int64         // the horizon from the timer's start

	// anchor is an instant known to have anchorElapsed elapsed (the start,
	// then the warning instant); searches into the past begin there.
	anchor        inst
	anchorElapsed time.Duration
}

// reach returns the instant x is reached; known is false when a pause open
// at asOf hides it.
func (r *reacher) reach(x time.Duration) (at inst, known bool, err error) {
	if r.running && x > r.elapsed {
		// Ahead of now: no pause after asOf is known.
		if a, ok := r.c.add(r.now, int64(x-r.elapsed), r.limit); ok {
			return a, true, nil
		}
		return inst{}, false, ErrBeyondHorizon
	}
	need := x - r.anchorElapsed
	if need <= 0 {
		return r.anchor, true, nil
	}
	a, err := r.c.addEx(r.anchor, int64(need), r.ps, r.asOf, true, r.limit)
	switch {
	case errors.Is(err, ErrPaused):
		return inst{}, false, nil
	case err != nil:
		return inst{}, false, err
	}
	return a, true, nil
}

// pausedAt reports whether one of the normal pauses ps holds instant a.
func pausedAt(ps []Interval, a inst) bool {
	for _, p := range ps {
		if a.before(instOf(p.Start)) {
			return false
		}
		if p.Open() || a.before(instOf(p.End)) {
			return true
		}
	}
	return false
}
