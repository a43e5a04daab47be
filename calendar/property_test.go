package calendar_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/calendar"
)

// propertyZones have daylight saving of every kind, or none: whole-hour and
// half-hour changes, changes at midnight (Havana, Santiago), southern
// hemisphere, and odd offsets (Kathmandu +05:45).
var propertyZones = []string{
	"UTC", "America/New_York", "Europe/Berlin", "Asia/Shanghai", "Australia/Sydney",
	"Australia/Lord_Howe", "America/Havana", "America/Santiago", "Asia/Kathmandu",
	"Asia/Tehran", "Africa/Casablanca", "Pacific/Apia", "Europe/London",
}

// randomConfig makes a calendar around the window [from, from+days): each
// weekday closed or with up to three spans on 15-minute boundaries (some
// 00:00-24:00), and a few holidays and exceptions inside the window.
func randomConfig(tb testing.TB, r *rand.Rand, zone string, from time.Time, days int) calendar.Config {
	tb.Helper()
	randSpans := func() []calendar.Span {
		switch r.IntN(8) {
		case 0:
			return nil
		case 1:
			return []calendar.Span{{Start: 0, End: calendar.EndOfDay}}
		}
		var out []calendar.Span
		at := calendar.ClockTime(0)
		for range 1 + r.IntN(3) {
			start := at + calendar.ClockTime(15*r.IntN(32))
			end := start + calendar.ClockTime(15*(1+r.IntN(40)))
			if end > calendar.EndOfDay {
				break
			}
			out = append(out, calendar.Span{Start: start, End: end})
			at = end
		}
		return out
	}
	cfg := calendar.Config{TimeZone: zone}
	for d := range cfg.Week {
		cfg.Week[d] = randSpans()
	}
	cfg.Week[r.IntN(7)] = []calendar.Span{{Start: calendar.At(1, 0), End: calendar.At(3, 0)}} // something on a DST hour
	used := map[calendar.Date]bool{}
	for range r.IntN(4) {
		d := calendar.DateOf(from.In(loc(tb, zone)).AddDate(0, 0, r.IntN(days+1)))
		if used[d] {
			continue
		}
		used[d] = true
		if r.IntN(2) == 0 {
			cfg.Holidays = append(cfg.Holidays, d)
		} else {
			cfg.Exceptions = append(cfg.Exceptions, calendar.DayOverride{Date: d, Spans: randSpans()})
		}
	}
	return cfg
}

// nearTransition returns a whole-minute instant within two days before a
// change of UTC offset of zone in 2020-2030, or a random one when the zone
// has none.
func nearTransition(tb testing.TB, r *rand.Rand, zone string) time.Time {
	tb.Helper()
	l := loc(tb, zone)
	t := time.Date(2020+r.IntN(10), time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC).In(l)
	if _, end := t.ZoneBounds(); !end.IsZero() && r.IntN(4) > 0 {
		t = end
	}
	return t.Add(-time.Duration(r.IntN(48*60)) * time.Minute).Truncate(time.Minute)
}

// TestProperties checks, on random calendars and windows around changes of
// UTC offset: Between against a minute-by-minute reading of the wall clock;
// Add as the inverse of Between, and the earliest such instant; additivity
// over a split; monotony; IsWorking and NextWorking against the same
// reading.
func TestProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(2025, 11))
	for i := range 160 {
		zone := propertyZones[i%len(propertyZones)]
		from := nearTransition(t, r, zone)
		days := 1 + r.IntN(4)
		cfg := randomConfig(t, r, zone, from, days)
		to := from.Add(time.Duration(days) * 24 * time.Hour)
		t.Run(fmt.Sprintf("%d_%s", i, zone), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			c := mustNew(t, cfg)
			total := c.Between(from, to)
			require.Equal(t, oracleBetween(t, cfg, from, to, time.Minute), total)

			// A split anywhere, to the nanosecond, adds up.
			mid := from.Add(time.Duration(r.Int64N(int64(to.Sub(from)))))
			require.Equal(t, total, c.Between(from, mid)+c.Between(mid, to))
			// Monotone in both ends.
			require.LessOrEqual(t, c.Between(mid, to), total)
			require.LessOrEqual(t, c.Between(from, mid), total)

			// Add inverts Between and finds the earliest instant.
			for _, d := range []time.Duration{0, time.Nanosecond, time.Duration(r.Int64N(int64(total) + 1)), total} {
				if d > total {
					continue
				}
				got, err := c.Add(from, d)
				require.NoError(t, err)
				require.Equal(t, d, c.Between(from, got), "d=%s got=%s", d, got)
				require.False(t, got.After(to))
				if d == 0 {
					require.True(t, got.Equal(from))
					continue
				}
				require.True(t, c.IsWorking(got.Add(-time.Nanosecond)), "the instant before the answer must be working")
				require.Equal(t, d-time.Nanosecond, c.Between(from, got.Add(-time.Nanosecond)))
				// From the split point: the same deadline when it lies after mid.
				if dm := c.Between(from, mid); dm <= d {
					got2, err := c.Add(mid, d-dm)
					require.NoError(t, err)
					if d > dm {
						require.True(t, got.Equal(got2), "%s vs %s", got, got2)
					}
				}
			}
			d1 := time.Duration(r.Int64N(int64(total) + 1))
			d2 := time.Duration(r.Int64N(int64(total) + 1))
			a1, err1 := c.Add(from, min(d1, d2))
			a2, err2 := c.Add(from, max(d1, d2))
			require.NoError(t, err1)
			require.NoError(t, err2)
			require.False(t, a2.Before(a1))

			// IsWorking and NextWorking at random instants of the window.
			l := loc(t, zone)
			for range 20 {
				x := from.Add(time.Duration(r.Int64N(int64(to.Sub(from)))))
				require.Equal(t, oracleWorking(cfg, x.In(l)), c.IsWorking(x), "at %s", x.In(l))
				next := c.NextWorking(x)
				if next.IsZero() {
					continue
				}
				require.False(t, next.Before(x))
				require.True(t, c.IsWorking(next))
				require.Equal(t, time.Duration(0), c.Between(x, next))
				require.True(t, next.Equal(x) || !c.IsWorking(x))
			}
		})
	}
}

// TestPauseProperties checks BetweenExcluding against a minute-by-minute
// count and AddExcluding as its inverse, on random pauses.
func TestPauseProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 2025))
	for i := range 60 {
		zone := propertyZones[i%len(propertyZones)]
		from := nearTransition(t, r, zone)
		days := 1 + r.IntN(3)
		cfg := randomConfig(t, r, zone, from, days)
		to := from.Add(time.Duration(days) * 24 * time.Hour)
		var pauses []calendar.Interval
		for range r.IntN(5) {
			s := from.Add(time.Duration(r.IntN(days*24*60)) * time.Minute)
			p := calendar.Interval{Start: s, End: s.Add(time.Duration(r.IntN(12*60)) * time.Minute)}
			pauses = append(pauses, p)
		}
		t.Run(fmt.Sprintf("%d_%s", i, zone), func(t *testing.T) {
			t.Parallel()
			c := mustNew(t, cfg)
			l := loc(t, zone)
			var want time.Duration
			for x := from; x.Before(to); x = x.Add(time.Minute) {
				paused := false
				for _, p := range pauses {
					paused = paused || (!x.Before(p.Start) && x.Before(p.End))
				}
				if !paused && oracleWorking(cfg, x.In(l)) {
					want += time.Minute
				}
			}
			require.Equal(t, want, c.BetweenExcluding(from, to, pauses))
			for _, d := range []time.Duration{want / 3, want} {
				got, err := c.AddExcluding(from, d, pauses)
				require.NoError(t, err)
				require.Equal(t, d, c.BetweenExcluding(from, got, pauses))
				require.False(t, got.After(to))
			}
		})
	}
}

// TestEvaluateProperties checks that the state agrees with the deadline and
// the elapsed time with BetweenExcluding, at random instants.
func TestEvaluateProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(99, 1))
	c := mustNew(t, officeConfig(t))
	start := sh(t, "2025-09-24 10:00")
	for i := range 600 {
		th := calendar.Thresholds{Target: time.Duration(1+r.IntN(40)) * time.Hour, WarnAt: float64(r.IntN(5)) / 5}
		timer := calendar.Timer{Start: start}
		cur := start
		for range r.IntN(4) {
			s := cur.Add(time.Duration(r.IntN(3*24*60)) * time.Minute)
			p := calendar.Interval{Start: s}
			if r.IntN(4) > 0 {
				p.End = s.Add(time.Duration(r.IntN(2*24*60)) * time.Minute)
				cur = p.End
			}
			timer.Pauses = append(timer.Pauses, p)
			if p.Open() {
				break
			}
		}
		if r.IntN(3) == 0 {
			timer.Stop = start.Add(time.Duration(r.IntN(20*24*60)) * time.Minute)
			for len(timer.Pauses) > 0 && timer.Pauses[len(timer.Pauses)-1].Start.After(timer.Stop) {
				timer.Pauses = timer.Pauses[:len(timer.Pauses)-1]
			}
		}
		at := start.Add(time.Duration(r.IntN(25*24*60)-24*60) * time.Minute)
		ev, err := c.Evaluate(timer, th, at)
		require.NoError(t, err, "case %d", i)
		end := at
		stopped := !timer.Stop.IsZero() && !at.Before(timer.Stop)
		if stopped {
			end = timer.Stop
		}
		// Pauses not yet started at end do not matter to the elapsed time.
		require.Equal(t, c.BetweenExcluding(start, end, timer.Pauses), ev.Elapsed, "case %d", i)
		require.Equal(t, th.Target-ev.Elapsed, ev.Remaining)
		reached := ev.Elapsed >= th.Target
		if !ev.Deadline.IsZero() {
			require.Equal(t, reached, !end.Before(ev.Deadline), "case %d: state %s deadline %s at %s", i, ev.State, ev.Deadline, end)
		}
		switch {
		case stopped && reached:
			require.Equal(t, calendar.StateMissed, ev.State)
		case stopped:
			require.Equal(t, calendar.StateMet, ev.State)
		case reached:
			require.Equal(t, calendar.StateBreached, ev.State)
		case th.WarnAt > 0 && ev.Elapsed >= th.Warning():
			require.Equal(t, calendar.StateWarning, ev.State)
			require.False(t, ev.WarnAt.IsZero() && !ev.Paused)
		default:
			require.Equal(t, calendar.StateOK, ev.State)
		}
		if !ev.WarnAt.IsZero() && !ev.Deadline.IsZero() {
			require.False(t, ev.Deadline.Before(ev.WarnAt))
		}
		if !ev.WarnAt.IsZero() {
			require.Equal(t, ev.Elapsed >= th.Warning(), !end.Before(ev.WarnAt), "case %d", i)
		}
		// The deadline and warning instants are AddExcluding over the pauses
		// as known at the end: later ones dropped, a running one open.
		var known []calendar.Interval
		for _, p := range timer.Pauses {
			if p.Start.After(end) {
				break
			}
			if !p.Open() && p.End.After(end) {
				p.End = time.Time{}
			}
			known = append(known, p)
		}
		for _, x := range []struct {
			d   time.Duration
			got time.Time
		}{{th.Target, ev.Deadline}, {th.Warning(), ev.WarnAt}} {
			if x.d == 0 {
				require.True(t, x.got.IsZero())
				continue
			}
			want, err := c.AddExcluding(start, x.d, known)
			if errors.Is(err, calendar.ErrPaused) {
				require.True(t, x.got.IsZero(), "case %d: %s", i, x.got)
				continue
			}
			require.NoError(t, err)
			require.True(t, want.Equal(x.got), "case %d: want %s got %s", i, want, x.got)
		}
	}
}
