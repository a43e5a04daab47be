package calendar

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// Horizon bounds every search for working time: [Calendar.Add] and
// [Calendar.AddExcluding] fail, and [Calendar.NextWorking] returns the zero
// Time, when the instant sought lies more than Horizon (3,653 days, about
// ten years) after the start.
const Horizon = 3653 * 24 * time.Hour

// ErrBeyondHorizon is returned (wrapped) by [Calendar.Add] and
// [Calendar.AddExcluding] when the calendar does not provide the working
// time asked for within [Horizon]. It wraps crm.ErrInvalid.
var ErrBeyondHorizon = fmt.Errorf("%w: not enough working time within the horizon", crm.ErrInvalid)

const (
	secondsPerDay  = 24 * 60 * 60
	nanosPerSecond = int64(time.Second)
	horizonSeconds = int64(Horizon / time.Second)
)

// The calendar covers instants from the start of year 1 up to the start of
// year 10000 (UTC); outside that range no time is working time.
var (
	minUnix = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	maxUnix = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// Calendar says when a business works, in one time zone. Build one with
// [New]. A Calendar is immutable and safe for concurrent use.
//
// An instant is working time when the calendar's local wall clock, read at
// that instant, shows a date and a time of day inside one of that date's
// spans. The package documentation explains what this means on the days
// the clocks change.
type Calendar struct {
	cfg  Config
	loc  *time.Location
	zone zoneTable

	week       [7]daySpans // by time.Weekday
	weekPrefix [8]int64    // weekPrefix[r]: working seconds of the r days starting on a Thursday
	weekTotal  int64       // working seconds of a regular week

	exDays  []int64    // dates of holidays and exceptions, as day numbers, ascending
	exSpans []daySpans // their spans
	exOrig  [][]Span   // their spans as configured
	exCum   []int64    // exCum[k]: sum over exDays[:k] of (their work − their weekday's work)
}

// daySpans is one day's spans in seconds since local midnight.
type daySpans struct {
	spans []secSpan
	total int64
}

type secSpan struct{ start, end int64 }

func newDaySpans(spans []Span) daySpans {
	d := daySpans{spans: make([]secSpan, len(spans))}
	for i, s := range spans {
		d.spans[i] = secSpan{start: int64(s.Start) * 60, end: int64(s.End) * 60}
		d.total += d.spans[i].end - d.spans[i].start
	}
	return d
}

// before returns the working seconds of the day before second s.
func (d *daySpans) before(s int64) int64 {
	var n int64
	for _, sp := range d.spans {
		if s <= sp.start {
			break
		}
		n += min(s, sp.end) - sp.start
	}
	return n
}

// contains reports whether second s of the day is working.
func (d *daySpans) contains(s int64) bool {
	for _, sp := range d.spans {
		if s < sp.start {
			return false
		}
		if s < sp.end {
			return true
		}
	}
	return false
}

// New validates cfg, reporting every problem at once in a
// *crm.ValidationError with paths such as "week.monday[1].end" or
// "exceptions[0].date", and builds the calendar. Loading the time zone
// reads the zone database of the machine (or the one a program embeds by
// importing time/tzdata).
func New(cfg Config) (*Calendar, error) {
	var v crm.Validator
	loc := cfg.validate(&v)
	if err := v.Err("calendar.New"); err != nil {
		return nil, err
	}
	c := &Calendar{cfg: cfg.clone(), loc: loc, zone: newZoneTable(loc)}
	for d := range c.week {
		c.week[d] = newDaySpans(cfg.Week[d])
	}
	for r := range 7 {
		c.weekPrefix[r+1] = c.weekPrefix[r] + c.week[(int(time.Thursday)+r)%7].total
	}
	c.weekTotal = c.weekPrefix[7]

	type override struct {
		day   int64
		spans []Span
	}
	ovs := make([]override, 0, len(cfg.Holidays)+len(cfg.Exceptions))
	for _, d := range cfg.Holidays {
		ovs = append(ovs, override{day: d.days()})
	}
	for _, e := range cfg.Exceptions {
		ovs = append(ovs, override{day: e.Date.days(), spans: e.Spans})
	}
	slices.SortFunc(ovs, func(a, b override) int { return cmp.Compare(a.day, b.day) })
	c.exDays = make([]int64, len(ovs))
	c.exSpans = make([]daySpans, len(ovs))
	c.exOrig = make([][]Span, len(ovs))
	c.exCum = make([]int64, len(ovs)+1)
	for i, o := range ovs {
		c.exDays[i] = o.day
		c.exSpans[i] = newDaySpans(o.spans)
		c.exOrig[i] = cloneSpans(o.spans)
		c.exCum[i+1] = c.exCum[i] + c.exSpans[i].total - c.week[weekdayOf(o.day)].total
	}
	return c, nil
}

// Name returns the calendar's name.
func (c *Calendar) Name() string { return c.cfg.Name }

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Config returns a copy of the configuration the calendar was built from.
func (c *Calendar) Config() Config { return c.cfg.clone() }

// SpansOn returns a copy of the working spans of date d on the local wall
// clock: its exception, nothing for a holiday, or its weekday's spans. An
// invalid date has none.
func (c *Calendar) SpansOn(d Date) []Span {
	if d.Validate() != nil {
		return nil
	}
	n := d.days()
	if k, found := slices.BinarySearch(c.exDays, n); found {
		return cloneSpans(c.exOrig[k])
	}
	return cloneSpans(c.cfg.Week[weekdayOf(n)])
}

// IsWorking reports whether t is working time.
func (c *Calendar) IsWorking(t time.Time) bool {
	a := instOf(t)
	if a.sec < minUnix || a.sec >= maxUnix {
		return false
	}
	off := c.zone.offset(a.sec)
	return c.working(a.sec + off)
}

// Between returns the working time in [from, to): 0 when to is not after
// from, and at most the largest time.Duration (about 292 years).
func (c *Calendar) Between(from, to time.Time) time.Duration {
	a, b := instOf(from).clamp(), instOf(to).clamp()
	if !a.before(b) {
		return 0
	}
	secs, nanos := c.between(a, b)
	return toDuration(secs, nanos)
}

// Add returns the earliest instant at which d of working time has elapsed
// since from, in from's location: from itself when d is 0, and when the
// working time runs out exactly at the end of a span, the end of that span
// (not the start of the next one). It returns an error wrapping
// crm.ErrInvalid when d is negative or from lies outside the years 1–9999,
// and one wrapping [ErrBeyondHorizon] when the instant would lie more than
// [Horizon] after from.
func (c *Calendar) Add(from time.Time, d time.Duration) (time.Time, error) {
	a, err := c.checkAdd("calendar.Add", from, d)
	if err != nil {
		return time.Time{}, err
	}
	if d == 0 {
		return from, nil
	}
	r, ok := c.add(a, int64(d), a.limit())
	if !ok {
		return time.Time{}, fmt.Errorf("calendar: add %s of working time to %s: %w", d, from.Format(time.RFC3339), ErrBeyondHorizon)
	}
	return r.in(from.Location()), nil
}

// checkAdd validates the input of Add and AddExcluding.
func (c *Calendar) checkAdd(op string, from time.Time, d time.Duration) (inst, error) {
	var v crm.Validator
	a := instOf(from)
	v.Check(d >= 0, "d", "must not be negative")
	v.Check(a.sec >= minUnix && a.sec < maxUnix, "from", "outside the years 1–9999")
	return a, v.Err(op)
}

// NextWorking returns t when t is working time, else the start of the next
// working span, in t's location; the zero Time when there is none within
// [Horizon] after t.
func (c *Calendar) NextWorking(t time.Time) time.Time {
	a := instOf(t)
	if a.sec >= maxUnix {
		return time.Time{}
	}
	if a.sec < minUnix {
		a = inst{sec: minUnix}
	}
	limit := a.limit()
	cur := a
	for cur.sec < limit {
		pe, off := c.zone.lookup(cur.sec)
		end := min(pe, limit)
		n1, n2 := cur.sec+off, end+off
		if c.working(n1) {
			if cur == instOf(t) {
				return t
			}
			return cur.in(t.Location())
		}
		n1++ // second n1 is not working
		if w1 := c.cum(n1); c.cum(n2) > w1 {
			return inst{sec: c.inverse(w1+1, n1, n2) - 1 - off}.in(t.Location())
		}
		cur = inst{sec: end}
	}
	return time.Time{}
}

// inst is an instant as Unix seconds and nanoseconds 0–999,999,999.
type inst struct{ sec, nsec int64 }

func instOf(t time.Time) inst { return inst{sec: t.Unix(), nsec: int64(t.Nanosecond())} }

func (a inst) before(b inst) bool { return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec) }

func (a inst) in(loc *time.Location) time.Time { return time.Unix(a.sec, a.nsec).In(loc) }

// clamp moves a into the years 1–9999.
func (a inst) clamp() inst {
	switch {
	case a.sec < minUnix:
		return inst{sec: minUnix}
	case a.sec >= maxUnix:
		return inst{sec: maxUnix}
	}
	return a
}

// limit returns the end of the search horizon from a.
func (a inst) limit() int64 { return min(a.sec+horizonSeconds, maxUnix) }

// normalized carries a full second of nanoseconds into the seconds.
func (a inst) normalized() inst {
	if a.nsec >= nanosPerSecond {
		return inst{sec: a.sec + a.nsec/nanosPerSecond, nsec: a.nsec % nanosPerSecond}
	}
	return a
}

// toDuration returns secs seconds plus nanos nanoseconds, saturating at the
// largest Duration.
func toDuration(secs, nanos int64) time.Duration {
	const maxSecs = math.MaxInt64 / nanosPerSecond
	if secs >= maxSecs-1 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(secs*nanosPerSecond + nanos)
}

// The rest works on "local seconds": the local wall clock's reading as
// seconds since 1970-01-01 00:00 of that clock (an instant plus its UTC
// offset). Within one zone period an instant and its local second differ
// by a constant, so the working time of a stretch of instants is the
// working time of the stretch of local seconds it maps to. Span bounds are
// whole minutes and offsets whole seconds, so every second is either
// wholly working or wholly not.

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// weekdayOf returns the weekday of day number n (day 0, 1970-01-01, was a
// Thursday).
func weekdayOf(n int64) time.Weekday {
	m := (n + int64(time.Thursday)) % 7 // n is far from overflowing
	if m < 0 {
		m += 7
	}
	return time.Weekday(m)
}

// day returns the index of the first override on or after day n and the
// spans in effect on day n.
func (c *Calendar) day(n int64) (int, *daySpans) {
	k, found := slices.BinarySearch(c.exDays, n)
	if found {
		return k, &c.exSpans[k]
	}
	return k, &c.week[weekdayOf(n)]
}

// prefix returns the working seconds of the days before day n, counted from
// day 0 (negative for earlier days), where k overrides lie before day n.
func (c *Calendar) prefix(n int64, k int) int64 {
	q := floorDiv(n, 7)
	return q*c.weekTotal + c.weekPrefix[n-7*q] + c.exCum[k]
}

// dayPrefix is prefix without a known k.
func (c *Calendar) dayPrefix(n int64) int64 {
	k, _ := slices.BinarySearch(c.exDays, n)
	return c.prefix(n, k)
}

// cum returns the working seconds before local second n, counted from local
// second 0: a non-decreasing function whose differences are working time.
func (c *Calendar) cum(n int64) int64 {
	d := floorDiv(n, secondsPerDay)
	k, ds := c.day(d)
	return c.prefix(d, k) + ds.before(n-d*secondsPerDay)
}

// cumAt returns cum(n) and whether local second n is working.
func (c *Calendar) cumAt(n int64) (int64, bool) {
	d := floorDiv(n, secondsPerDay)
	k, ds := c.day(d)
	s := n - d*secondsPerDay
	return c.prefix(d, k) + ds.before(s), ds.contains(s)
}

// working reports whether local second n is working.
func (c *Calendar) working(n int64) bool {
	d := floorDiv(n, secondsPerDay)
	_, ds := c.day(d)
	return ds.contains(n - d*secondsPerDay)
}

// inverse returns the least local second n in [lo, hi] with cum(n) >= w,
// given cum(lo) < w <= cum(hi).
func (c *Calendar) inverse(w, lo, hi int64) int64 {
	d := c.dayReaching(w, floorDiv(lo, secondsPerDay), floorDiv(hi, secondsPerDay))
	k, ds := c.day(d)
	acc := c.prefix(d, k)
	for _, sp := range ds.spans {
		l := sp.end - sp.start
		if acc+l >= w {
			return d*secondsPerDay + sp.start + (w - acc)
		}
		acc += l
	}
	return hi // not reached when the precondition holds
}

// dayReaching returns the least day d in [dlo, dhi] whose end reaches w
// (dayPrefix(d+1) >= w), given dayPrefix(dlo) < w <= dayPrefix(dhi+1). It
// first guesses the day from the regular week, which is exact when no
// holiday or exception lies between; otherwise it gallops from the guess
// and bisects.
func (c *Calendar) dayReaching(w, dlo, dhi int64) int64 {
	reaches := func(d int64) bool { return c.dayPrefix(d+1) >= w }
	if c.weekTotal > 0 && dlo < dhi {
		need := w - c.dayPrefix(dlo)
		weeks := (need - 1) / c.weekTotal
		guess := dlo + 7*weeks
		for left := need - weeks*c.weekTotal; ; guess++ {
			if left -= c.week[weekdayOf(guess)].total; left <= 0 {
				break
			}
		}
		guess = min(max(guess, dlo), dhi)
		if reaches(guess) {
			if guess == dlo || !reaches(guess-1) {
				return guess
			}
			dhi = guess - 1
			for step := int64(1); dlo < dhi; step *= 2 { // gallop down
				probe := guess - 1 - step
				if probe <= dlo {
					break
				}
				if !reaches(probe) {
					dlo = probe + 1
					break
				}
				dhi = probe
			}
		} else {
			dlo = guess + 1
			for step := int64(1); dlo < dhi; step *= 2 { // gallop up
				probe := guess + step
				if probe >= dhi {
					break
				}
				if reaches(probe) {
					dhi = probe
					break
				}
				dlo = probe + 1
			}
		}
	}
	for dlo < dhi {
		mid := dlo + (dhi-dlo)/2
		if reaches(mid) {
			dhi = mid
		} else {
			dlo = mid + 1
		}
	}
	return dlo
}

// between returns the working time in [a, b), a before b, as seconds and
// nanoseconds, walking the zone periods the range crosses.
func (c *Calendar) between(a, b inst) (secs, nanos int64) {
	for cur := a; cur.before(b); {
		pe, off := c.zone.lookup(cur.sec)
		end := b
		if pe < b.sec || (pe == b.sec && b.nsec > 0) {
			end = inst{sec: pe}
		}
		w1, working1 := c.cumAt(cur.sec + off)
		w2, working2 := c.cumAt(end.sec + off)
		secs += w2 - w1
		if working2 {
			nanos += end.nsec
		}
		if working1 {
			nanos -= cur.nsec
		}
		cur = end
	}
	return secs, nanos
}

// add returns the earliest instant at which need (> 0) nanoseconds of
// working time have elapsed since a, searching up to the Unix second
// limit; false when there is not enough working time before it.
func (c *Calendar) add(a inst, need, limit int64) (inst, bool) {
	for cur := a; cur.sec < limit; {
		pe, off := c.zone.lookup(cur.sec)
		end := min(pe, limit)
		n1, n2 := cur.sec+off, end+off
		if cur.nsec > 0 { // the rest of a started second
			if c.working(n1) {
				rest := nanosPerSecond - cur.nsec
				if need <= rest {
					return inst{sec: cur.sec, nsec: cur.nsec + need}.normalized(), true
				}
				need -= rest
			}
			n1++
		}
		w1 := c.cum(n1)
		avail := c.cum(n2) - w1
		q, r := need/nanosPerSecond, need%nanosPerSecond
		if q < avail || (q == avail && r == 0) {
			n, wn := n1, w1
			if q > 0 {
				n, wn = c.inverse(w1+q, n1, n2), w1+q
			}
			if r == 0 {
				return inst{sec: n - off}, true
			}
			// The partial second lies in the next working second.
			m := c.inverse(wn+1, n, n2) - 1
			return inst{sec: m - off, nsec: r}, true
		}
		need -= avail * nanosPerSecond
		cur = inst{sec: end}
	}
	return inst{}, false
}
