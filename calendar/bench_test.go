package calendar_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/calendar"
)

// berlinConfig is a Berlin office with German national holidays for 2025
// and 2026 and half days on Christmas and New Year's Eve, so that the
// benchmarks cross holidays and changes of UTC offset.
func berlinConfig(tb testing.TB) calendar.Config {
	tb.Helper()
	return calendar.Config{
		TimeZone: "Europe/Berlin",
		Week:     weekdays(tb, "08:00-12:00", "12:30-17:00"),
		Holidays: dates(tb, "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-01", "2025-05-29", "2025-06-09",
			"2025-10-03", "2025-12-25", "2025-12-26", "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01",
			"2026-05-14", "2026-05-25", "2026-10-03", "2026-12-25", "2026-12-26"),
		Exceptions: []calendar.DayOverride{
			{Date: date(tb, "2025-12-24"), Spans: spans(tb, "08:00-12:00")},
			{Date: date(tb, "2025-12-31"), Spans: spans(tb, "08:00-12:00")},
		},
	}
}

// openTimers makes n timers started at random in the 60 days before at:
// a quarter with a closed pause, a tenth paused now, a tenth stopped.
func openTimers(n int, at time.Time) []calendar.Timer {
	r := rand.New(rand.NewPCG(1, 2))
	timers := make([]calendar.Timer, n)
	for i := range timers {
		start := at.Add(-time.Duration(r.Int64N(int64(60 * 24 * time.Hour))))
		tm := calendar.Timer{Start: start}
		switch k := r.IntN(20); {
		case k < 5:
			ps := start.Add(time.Duration(r.Int64N(int64(at.Sub(start)))))
			pe := ps.Add(time.Duration(r.Int64N(int64(at.Sub(ps)) + 1)))
			tm.Pauses = []calendar.Interval{{Start: ps, End: pe}}
		case k < 7:
			tm.Pauses = []calendar.Interval{{Start: start.Add(time.Duration(r.Int64N(int64(at.Sub(start)))))}}
		case k < 9:
			tm.Stop = start.Add(time.Duration(r.Int64N(int64(at.Sub(start)))))
		}
		timers[i] = tm
	}
	return timers
}

// BenchmarkEvaluate100k evaluates 100,000 open complaints at one instant;
// one op is all 100,000.
func BenchmarkEvaluate100k(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  calendar.Config
		at   time.Time
	}{
		{"shanghai", officeConfig(b), time.Date(2025, 10, 20, 3, 0, 0, 0, time.UTC)},
		{"berlin", berlinConfig(b), time.Date(2025, 11, 10, 9, 0, 0, 0, time.UTC)}, // window holds the October change
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := mustNew(b, bc.cfg)
			timers := openTimers(100_000, bc.at)
			ths := []calendar.Thresholds{
				{Target: 4 * time.Hour, WarnAt: 0.8},
				{Target: 16 * time.Hour, WarnAt: 0.75},
				{Target: 80 * time.Hour, WarnAt: 0.9},
				{Target: 400 * time.Hour},
			}
			states := map[calendar.State]int{}
			for i, tm := range timers {
				ev, err := c.Evaluate(tm, ths[i%len(ths)], bc.at)
				require.NoError(b, err)
				states[ev.State]++
			}
			b.Logf("states: %v", states)
			b.ReportAllocs()
			for b.Loop() {
				for i, tm := range timers {
					if _, err := c.Evaluate(tm, ths[i&3], bc.at); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(timers)), "ns/timer")
		})
	}
}

// BenchmarkBetween30Days measures the working time of 30 calendar days.
func BenchmarkBetween30Days(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  calendar.Config
		from time.Time
	}{
		{"shanghai", officeConfig(b), time.Date(2025, 9, 20, 1, 2, 3, 4, time.UTC)},
		{"berlin", berlinConfig(b), time.Date(2025, 10, 10, 1, 2, 3, 4, time.UTC)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := mustNew(b, bc.cfg)
			to := bc.from.AddDate(0, 0, 30)
			b.ReportAllocs()
			for b.Loop() {
				if c.Between(bc.from, to) <= 0 {
					b.Fatal("no working time")
				}
			}
		})
	}
}

// BenchmarkAdd30Days finds the instant 30 calendar days' worth of working
// time after from.
func BenchmarkAdd30Days(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  calendar.Config
		from time.Time
	}{
		{"shanghai", officeConfig(b), time.Date(2025, 9, 20, 1, 2, 3, 4, time.UTC)},
		{"berlin", berlinConfig(b), time.Date(2025, 10, 10, 1, 2, 3, 4, time.UTC)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := mustNew(b, bc.cfg)
			d := c.Between(bc.from, bc.from.AddDate(0, 0, 30)) - time.Minute
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Add(bc.from, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNew builds a calendar from its configuration, zone table
// included.
func BenchmarkNew(b *testing.B) {
	cfg := berlinConfig(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := calendar.New(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
