package calendar

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// ErrPaused is returned (wrapped) when a deadline cannot be known because
// the clock is paused with no end in sight: an open pause (zero End) starts
// before the working time asked for has elapsed. It is a state, not bad
// input, so it does not wrap crm.ErrInvalid.
var ErrPaused = errors.New("calendar: deadline unknown while paused")

// Interval is a stretch of time from Start up to but not including End.
// A zero End means it has not ended yet (an open interval).
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
}

// Open reports whether the interval has not ended.
func (i Interval) Open() bool { return i.End.IsZero() }

// normalPauses reports whether ps is already in the form the calculations
// need: in order of Start, not overlapping (touching is fine), no End before
// its Start, and only the last one open.
func normalPauses(ps []Interval) bool {
	for i, p := range ps {
		if p.Open() {
			if i != len(ps)-1 {
				return false
			}
		} else if p.End.Before(p.Start) {
			return false
		}
		if i > 0 && p.Start.Before(ps[i-1].End) {
			return false
		}
	}
	return true
}

// normalizePauses returns ps in normal form: intervals whose End is before
// their Start are dropped, the rest are sorted and merged where they
// overlap, and an open interval swallows every one after its start. It
// returns ps itself, not a copy, when ps is already normal.
func normalizePauses(ps []Interval) []Interval {
	if normalPauses(ps) {
		return ps
	}
	out := make([]Interval, 0, len(ps))
	for _, p := range ps {
		if p.Open() || !p.End.Before(p.Start) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	merged := out[:0]
	for _, p := range out {
		n := len(merged)
		if n == 0 || (!merged[n-1].Open() && merged[n-1].End.Before(p.Start)) {
			merged = append(merged, p)
			continue
		}
		last := &merged[n-1]
		switch {
		case last.Open():
		case p.Open():
			last.End = time.Time{}
		default:
			last.End = maxTime(last.End, p.End)
		}
	}
	return merged
}

func maxTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

// BetweenExcluding returns the working time in [from, to) outside the
// pauses: the time a clock that stops during each pause shows. Pauses may
// overlap and come in any order; an open pause lasts until to; a pause
// whose End is before its Start is ignored (Evaluate refuses one).
func (c *Calendar) BetweenExcluding(from, to time.Time, pauses []Interval) time.Duration {
	a, b := instOf(from).clamp(), instOf(to).clamp()
	if !a.before(b) {
		return 0
	}
	secs, nanos := c.betweenEx(a, b, normalizePauses(pauses))
	return toDuration(secs, nanos)
}

// betweenEx is BetweenExcluding for normal pauses and a before b.
func (c *Calendar) betweenEx(a, b inst, ps []Interval) (secs, nanos int64) {
	cur := a
	for _, p := range ps {
		if !cur.before(b) {
			break
		}
		if pa := instOf(p.Start).clamp(); cur.before(pa) {
			end := pa
			if b.before(pa) {
				end = b
			}
			s, n := c.between(cur, end)
			secs, nanos = secs+s, nanos+n
		}
		if p.Open() {
			return secs, nanos
		}
		if pb := instOf(p.End).clamp(); cur.before(pb) {
			cur = pb
		}
	}
	if cur.before(b) {
		s, n := c.between(cur, b)
		secs, nanos = secs+s, nanos+n
	}
	return secs, nanos
}

// AddExcluding returns the earliest instant at which d of working time has
// elapsed since from outside the pauses: a deadline pushed out by the time
// spent waiting. Pauses may overlap and come in any order. When an open
// pause starts before d has elapsed, the deadline is unknown and the error
// wraps [ErrPaused]; the other errors are those of [Calendar.Add], plus a
// *crm.ValidationError for a pause whose End is before its Start.
func (c *Calendar) AddExcluding(from time.Time, d time.Duration, pauses []Interval) (time.Time, error) {
	a, err := c.checkAdd("calendar.AddExcluding", from, d)
	if !normalPauses(pauses) {
		var v crm.Validator
		v.Merge("", err)
		for i, p := range pauses {
			v.Check(p.Open() || !p.End.Before(p.Start), fmt.Sprintf("pauses[%d].end", i), "before its start")
		}
		err = v.Err("calendar.AddExcluding")
		pauses = normalizePauses(pauses)
	}
	if err != nil {
		return time.Time{}, err
	}
	if d == 0 {
		return from, nil
	}
	r, err := c.addEx(a, int64(d), pauses, inst{}, false, a.limit())
	if err != nil {
		return time.Time{}, fmt.Errorf("calendar: add %s of working time to %s: %w", d, from.Format(time.RFC3339), err)
	}
	return r.in(from.Location()), nil
}

// addEx adds need (> 0) nanoseconds of working time to a outside the
// normal pauses ps, searching up to the Unix second limit. When capped,
// only what was known at asOf counts: pauses starting after asOf are
// ignored and one still running at asOf is open. It returns ErrPaused or
// ErrBeyondHorizon when it cannot answer.
func (c *Calendar) addEx(a inst, need int64, ps []Interval, asOf inst, capped bool, limit int64) (inst, error) {
	cur := a
	for _, p := range ps {
		pa := instOf(p.Start)
		if capped && asOf.before(pa) {
			break
		}
		if cur.before(pa) {
			end := pa.clamp()
			if end.sec >= limit {
				break // the horizon ends before this pause starts
			}
			s, n := c.between(cur, end)
			avail := int64(toDuration(s, n))
			if need <= avail {
				break // reached before this pause starts
			}
			need -= avail
		}
		if p.Open() || (capped && asOf.before(instOf(p.End))) {
			return inst{}, ErrPaused
		}
		if pb := instOf(p.End); cur.before(pb) {
			cur = pb
		}
		if cur.sec >= limit {
			return inst{}, ErrBeyondHorizon
		}
	}
	r, ok := c.add(cur, need, limit)
	if !ok {
		return inst{}, ErrBeyondHorizon
	}
	return r, nil
}
