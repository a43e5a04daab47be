package calendar_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/calendar"
)

// sundays returns a config working the given spans on Sundays only.
func sundays(tb testing.TB, zone string, s ...string) calendar.Config {
	tb.Helper()
	cfg := calendar.Config{TimeZone: zone}
	cfg.Week[time.Sunday] = spans(tb, s...)
	return cfg
}

func TestDaylightSaving(t *testing.T) {
	t.Parallel()
	// America/New_York: 2025-03-09 02:00 EST -> 03:00 EDT (02:00-03:00 never
	// shows); 2025-11-02 02:00 EDT -> 01:00 EST (01:00-02:00 shows twice).
	// Europe/Berlin: 2025-03-30 02:00 CET -> 03:00 CEST; 2025-10-26 03:00
	// CEST -> 02:00 CET. Asia/Shanghai: UTC+8 all year.
	// Australia/Sydney: 2025-04-06 03:00 AEDT -> 02:00 AEST; 2025-10-05 02:00
	// AEST -> 03:00 AEDT. Australia/Lord_Howe moves by 30 minutes:
	// 2025-04-06 02:00 -> 01:30, 2025-10-05 02:00 -> 02:30.
	tests := []struct {
		name     string
		cfg      calendar.Config
		from, to string // instants
		want     time.Duration
	}{
		// 01:00 EST to 03:00 EDT is 06:00Z to 07:00Z.
		{"new york spring 01-03", sundays(t, "America/New_York", "01:00-03:00"),
			"2025-03-09 00:00 -0500", "2025-03-10 00:00 -0400", time.Hour},
		// 01:00 EDT to 03:00 EST is 05:00Z to 08:00Z.
		{"new york fall 01-03", sundays(t, "America/New_York", "01:00-03:00"),
			"2025-11-02 00:00 -0400", "2025-11-03 00:00 -0500", 3 * time.Hour},
		// 01:00-01:30 shows twice: 05:00Z-05:30Z and 06:00Z-06:30Z.
		{"new york fall repeated half hour", sundays(t, "America/New_York", "01:00-01:30"),
			"2025-11-02 00:00 -0400", "2025-11-03 00:00 -0500", time.Hour},
		// 02:00-03:00 never shows on the spring day.
		{"new york spring skipped span", sundays(t, "America/New_York", "02:00-03:00"),
			"2025-03-09 00:00 -0500", "2025-03-10 00:00 -0400", 0},
		// 02:30-04:00: only 03:00-04:00 EDT shows.
		{"new york spring span starting in gap", sundays(t, "America/New_York", "02:30-04:00"),
			"2025-03-09 00:00 -0500", "2025-03-10 00:00 -0400", time.Hour},
		{"new york ordinary sunday", sundays(t, "America/New_York", "01:00-03:00"),
			"2025-03-16 00:00 -0400", "2025-03-17 00:00 -0400", 2 * time.Hour},
		// Part of the repeated hour: 01:15 EDT (05:15Z) to 01:15 EST (06:15Z):
		// 01:15-02:00 EDT 45m, then 01:00-01:15 EST 15m.
		{"new york inside repeated hour", sundays(t, "America/New_York", "01:00-03:00"),
			"2025-11-02 01:15 -0400", "2025-11-02 01:15 -0500", time.Hour},
		{"berlin spring 02-04", sundays(t, "Europe/Berlin", "02:00-04:00"),
			"2025-03-30 00:00 +0100", "2025-03-31 00:00 +0200", time.Hour},
		{"berlin fall 02-04", sundays(t, "Europe/Berlin", "02:00-04:00"),
			"2025-10-26 00:00 +0200", "2025-10-27 00:00 +0100", 3 * time.Hour},
		{"shanghai any sunday", sundays(t, "Asia/Shanghai", "01:00-03:00"),
			"2025-03-09 00:00 +0800", "2025-03-10 00:00 +0800", 2 * time.Hour},
		{"shanghai november sunday", sundays(t, "Asia/Shanghai", "01:00-03:00"),
			"2025-11-02 00:00 +0800", "2025-11-03 00:00 +0800", 2 * time.Hour},
		// Sydney ends DST in April: 02:00-03:00 shows twice.
		{"sydney april", sundays(t, "Australia/Sydney", "01:00-04:00"),
			"2025-04-06 00:00 +1100", "2025-04-07 00:00 +1000", 4 * time.Hour},
		{"sydney october", sundays(t, "Australia/Sydney", "01:00-04:00"),
			"2025-10-05 00:00 +1000", "2025-10-06 00:00 +1100", 2 * time.Hour},
		// Lord Howe: 01:30-02:00 shows twice in April, 02:00-02:30 never in October.
		{"lord howe april", sundays(t, "Australia/Lord_Howe", "01:00-03:00"),
			"2025-04-06 00:00 +1100", "2025-04-07 00:00 +1030", 2*time.Hour + 30*time.Minute},
		{"lord howe october", sundays(t, "Australia/Lord_Howe", "01:00-03:00"),
			"2025-10-05 00:00 +1030", "2025-10-06 00:00 +1100", time.Hour + 30*time.Minute},
		// A night shift 22:00-06:00 over the fall-back night works all 9 real
		// hours (02:00Z-11:00Z): 2h on Saturday, 7h on Sunday morning.
		{"night shift fall", calendar.Config{TimeZone: "America/New_York", Week: everyDay(t, "00:00-06:00", "22:00-24:00")},
			"2025-11-01 22:00 -0400", "2025-11-02 06:00 -0500", 9 * time.Hour},
		// And 7 real hours (03:00Z-10:00Z) over the spring-forward night.
		{"night shift spring", calendar.Config{TimeZone: "America/New_York", Week: everyDay(t, "00:00-06:00", "22:00-24:00")},
			"2025-03-08 22:00 -0500", "2025-03-09 06:00 -0400", 7 * time.Hour},
		// Office hours never see the change: Fri 17-18 and Mon 09-10, though the
		// weekend is an hour shorter (Berlin, 2025-03-28 to 03-31).
		{"office weekend spring", calendar.Config{TimeZone: "Europe/Berlin", Week: weekdays(t, "09:00-18:00")},
			"2025-03-28 17:00 +0100", "2025-03-31 10:00 +0200", 2 * time.Hour},
		{"office weekend fall", calendar.Config{TimeZone: "Europe/Berlin", Week: weekdays(t, "09:00-18:00")},
			"2025-10-24 17:00 +0200", "2025-10-27 10:00 +0100", 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustNew(t, tt.cfg)
			from, to := instant(t, tt.from), instant(t, tt.to)
			require.Equal(t, tt.want, c.Between(from, to))
			require.Equal(t, tt.want, oracleBetween(t, tt.cfg, from, to, time.Minute))
			if tt.want > 0 {
				got, err := c.Add(from, tt.want)
				require.NoError(t, err)
				require.Equal(t, tt.want, c.Between(from, got))
				require.False(t, got.After(to))
			}
		})
	}
}

func TestDaylightSavingAdd(t *testing.T) {
	t.Parallel()
	ny := "America/New_York"
	tests := []struct {
		name string
		cfg  calendar.Config
		from string
		d    time.Duration
		want string
	}{
		// 01:30 EST + 30m reaches 02:00 EST, which is 03:00 EDT, the span end.
		{"spring to span end", sundays(t, ny, "01:00-03:00"), "2025-03-09 01:30 -0500", 30 * time.Minute, "2025-03-09 03:00 -0400"},
		// 01:00-01:30 EDT gives 30m; the rest from the second 01:00, in EST.
		{"fall second pass", sundays(t, ny, "01:00-01:30"), "2025-11-02 01:00 -0400", 45 * time.Minute, "2025-11-02 01:15 -0500"},
		{"fall first pass", sundays(t, ny, "01:00-01:30"), "2025-11-02 01:00 -0400", 30 * time.Minute, "2025-11-02 01:30 -0400"},
		// 01:00 EDT + 2h30m over a 01:00-03:00 span: 05:00Z + 2h30m = 07:30Z = 02:30 EST.
		{"fall long span", sundays(t, ny, "01:00-03:00"), "2025-11-02 01:00 -0400", 150 * time.Minute, "2025-11-02 02:30 -0500"},
		// 24 working hours of a 24/7 calendar from midnight EST: 01:00 EDT next day.
		{"24/7 spring", calendar.Config{TimeZone: ny, Week: everyDay(t, "00:00-24:00")}, "2025-03-09 00:00 -0500", 24 * time.Hour, "2025-03-10 01:00 -0400"},
		{"24/7 fall", calendar.Config{TimeZone: ny, Week: everyDay(t, "00:00-24:00")}, "2025-11-02 00:00 -0400", 24 * time.Hour, "2025-11-02 23:00 -0500"},
		// Berlin office: Fri 2025-03-28 17:00 CET + 2h = Mon 10:00 CEST.
		{"berlin office spring", calendar.Config{TimeZone: "Europe/Berlin", Week: weekdays(t, "09:00-18:00")}, "2025-03-28 17:00 +0100", 2 * time.Hour, "2025-03-31 10:00 +0200"},
		// Sydney office over the April change: Fri 2025-04-04 17:00 AEDT + 2h.
		{"sydney office april", calendar.Config{TimeZone: "Australia/Sydney", Week: weekdays(t, "09:00-18:00")}, "2025-04-04 17:00 +1100", 2 * time.Hour, "2025-04-07 10:00 +1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustNew(t, tt.cfg)
			from := instant(t, tt.from)
			got, err := c.Add(from, tt.d)
			require.NoError(t, err)
			require.True(t, instant(t, tt.want).Equal(got), "got %s", got.In(c.Location()))
			require.Equal(t, tt.d, c.Between(from, got))
		})
	}
}

func TestDaylightSavingNextWorking(t *testing.T) {
	t.Parallel()
	c := mustNew(t, sundays(t, "America/New_York", "02:30-04:00"))
	// 02:30 never shows on 2025-03-09: the first working instant is 03:00 EDT.
	require.True(t, instant(t, "2025-03-09 03:00 -0400").Equal(c.NextWorking(instant(t, "2025-03-09 00:00 -0500"))))
	require.False(t, c.IsWorking(instant(t, "2025-03-09 01:59 -0500")))
	require.True(t, c.IsWorking(instant(t, "2025-03-09 03:00 -0400")))

	fall := mustNew(t, sundays(t, "America/New_York", "01:00-01:30"))
	require.True(t, fall.IsWorking(instant(t, "2025-11-02 01:15 -0400")))
	require.False(t, fall.IsWorking(instant(t, "2025-11-02 01:45 -0400")))
	require.True(t, fall.IsWorking(instant(t, "2025-11-02 01:15 -0500")))
	require.True(t, instant(t, "2025-11-02 01:00 -0500").Equal(fall.NextWorking(instant(t, "2025-11-02 01:30 -0400"))))
}

// TestDayThatNeverWas checks a whole skipped date: Pacific/Apia went from
// 2011-12-29 24:00 (UTC-10) straight to 2011-12-31 00:00 (UTC+14).
func TestDayThatNeverWas(t *testing.T) {
	t.Parallel()
	cfg := calendar.Config{TimeZone: "Pacific/Apia", Week: everyDay(t, "09:00-17:00")}
	c := mustNew(t, cfg)
	from, to := instant(t, "2011-12-29 00:00 -1000"), instant(t, "2012-01-01 00:00 +1400")
	// Dec 29 8h, Dec 30 never shown, Dec 31 8h.
	require.Equal(t, 16*time.Hour, c.Between(from, to))
	require.Equal(t, 16*time.Hour, oracleBetween(t, cfg, from, to, time.Minute))
	got, err := c.Add(instant(t, "2011-12-29 16:00 -1000"), 2*time.Hour)
	require.NoError(t, err)
	require.True(t, instant(t, "2011-12-31 10:00 +1400").Equal(got))
}

// TestFarYears checks instants outside the zone table (1900-2199), where
// offsets come from the time package directly: local mean time before
// standard time, and the zone's rule far in the future.
func TestFarYears(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, zone string
		from, to   time.Time
		step       time.Duration
	}{
		// New York kept local mean time (UTC-4:56:02) until noon on
		// 1883-11-18 (17:00Z): local minutes began 2 seconds past UTC ones,
		// so a 2-second step reads every local minute before and after.
		{"new york 1883", "America/New_York", time.Date(1883, 11, 18, 8, 0, 0, 0, time.UTC), time.Date(1883, 11, 19, 8, 0, 0, 0, time.UTC), 2 * time.Second},
		// Shanghai local mean time, UTC+8:05:43: local minutes begin at :17 UTC.
		{"shanghai 1890", "Asia/Shanghai", time.Date(1890, 3, 1, 0, 0, 17, 0, time.UTC), time.Date(1890, 3, 3, 0, 0, 17, 0, time.UTC), time.Minute},
		{"new york 2300 spring", "America/New_York", time.Date(2300, 3, 8, 0, 0, 0, 0, time.UTC), time.Date(2300, 3, 13, 0, 0, 0, 0, time.UTC), time.Minute},
		{"berlin 2250 fall", "Europe/Berlin", time.Date(2250, 10, 23, 0, 0, 0, 0, time.UTC), time.Date(2250, 10, 28, 0, 0, 0, 0, time.UTC), time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := calendar.Config{TimeZone: tt.zone, Week: everyDay(t, "01:00-02:30", "09:00-17:00")}
			c := mustNew(t, cfg)
			want := oracleBetween(t, cfg, tt.from, tt.to, tt.step)
			require.Equal(t, want, c.Between(tt.from, tt.to))
			got, err := c.Add(tt.from, want)
			require.NoError(t, err)
			require.Equal(t, want, c.Between(tt.from, got))
			require.True(t, c.IsWorking(got.Add(-time.Nanosecond)))
		})
	}
}

// oracleBetween counts working time the slow way: it reads the local wall
// clock at every step from from to to and looks the reading up in cfg.
// from, to and every span bound must fall on step boundaries of the local
// clock.
func oracleBetween(tb testing.TB, cfg calendar.Config, from, to time.Time, step time.Duration) time.Duration {
	tb.Helper()
	l := loc(tb, cfg.TimeZone)
	var n time.Duration
	for t := from; t.Before(to); t = t.Add(step) {
		if oracleWorking(cfg, t.In(l)) {
			n += step
		}
	}
	return n
}

// oracleWorking reports whether the wall-clock reading lt is inside one of
// its date's spans in cfg.
func oracleWorking(cfg calendar.Config, lt time.Time) bool {
	d := calendar.DateOf(lt)
	day := cfg.Week[lt.Weekday()]
	for _, h := range cfg.Holidays {
		if h == d {
			day = nil
		}
	}
	for _, e := range cfg.Exceptions {
		if e.Date == d {
			day = e.Spans
		}
	}
	m := calendar.ClockTime(lt.Hour()*60 + lt.Minute())
	for _, s := range day {
		if s.Start <= m && m < s.End {
			return true
		}
	}
	return false
}

// TestFractionsAtTheChange checks instants with fractions of a second on
// either side of a change of UTC offset.
func TestFractionsAtTheChange(t *testing.T) {
	t.Parallel()
	// 2025-03-09 07:00:00Z is 03:00 EDT, the first instant after the gap.
	spring := mustNew(t, sundays(t, "America/New_York", "03:00-04:00"))
	from := time.Date(2025, 3, 9, 5, 0, 0, 0, time.UTC)
	to := time.Date(2025, 3, 9, 7, 0, 0, 500_000_000, time.UTC)
	require.Equal(t, 500*time.Millisecond, spring.Between(from, to))
	got, err := spring.Add(from, 500*time.Millisecond)
	require.NoError(t, err)
	require.True(t, to.Equal(got), "got %s", got.UTC())

	// 2025-11-02 06:00:00Z is 01:00 EST, just after 01:59:59.999 EDT: a span
	// 01:00-02:00 works on both sides. 0.5s before, 0.25s after.
	fall := mustNew(t, sundays(t, "America/New_York", "01:00-02:00"))
	a := time.Date(2025, 11, 2, 5, 59, 59, 500_000_000, time.UTC)
	b := time.Date(2025, 11, 2, 6, 0, 0, 250_000_000, time.UTC)
	require.Equal(t, 750*time.Millisecond, fall.Between(a, b))
	got, err = fall.Add(a, 750*time.Millisecond)
	require.NoError(t, err)
	require.True(t, b.Equal(got), "got %s", got.UTC())
}
