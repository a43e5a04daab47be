package calendar_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zone database

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/calendar"
)

// mustNew builds a calendar or fails the test.
func mustNew(tb testing.TB, cfg calendar.Config) *calendar.Calendar {
	tb.Helper()
	c, err := calendar.New(cfg)
	require.NoError(tb, err)
	return c
}

// spans parses "HH:MM-HH:MM" strings.
func spans(tb testing.TB, s ...string) []calendar.Span {
	tb.Helper()
	out := make([]calendar.Span, len(s))
	for i, x := range s {
		sp, err := calendar.ParseSpan(x)
		require.NoError(tb, err)
		out[i] = sp
	}
	return out
}

// weekdays returns a week working the given spans Monday to Friday.
func weekdays(tb testing.TB, s ...string) calendar.Week {
	tb.Helper()
	var w calendar.Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = spans(tb, s...)
	}
	return w
}

// everyDay returns a week working the given spans every day.
func everyDay(tb testing.TB, s ...string) calendar.Week {
	tb.Helper()
	var w calendar.Week
	for d := range w {
		w[d] = spans(tb, s...)
	}
	return w
}

// date parses "YYYY-MM-DD".
func date(tb testing.TB, s string) calendar.Date {
	tb.Helper()
	d, err := calendar.ParseDate(s)
	require.NoError(tb, err)
	return d
}

// dates parses several dates.
func dates(tb testing.TB, s ...string) []calendar.Date {
	tb.Helper()
	out := make([]calendar.Date, len(s))
	for i, x := range s {
		out[i] = date(tb, x)
	}
	return out
}

// loc loads a zone.
func loc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	l, err := time.LoadLocation(name)
	require.NoError(tb, err)
	return l
}

// local parses "2006-01-02 15:04[:05[.999999999]]" as wall time in zone.
// Use it only away from repeated wall times; use instant for those.
func local(tb testing.TB, zone, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", s, loc(tb, zone))
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02 15:04", s, loc(tb, zone))
	}
	require.NoError(tb, err)
	return t
}

// instant parses "2006-01-02 15:04 -0700": an unambiguous instant.
func instant(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse("2006-01-02 15:04 -0700", s)
	require.NoError(tb, err)
	return t
}

// officeConfig is the Shanghai service desk used by many tests: Monday to
// Friday 09:00-12:00 and 13:00-18:00 (8 working hours a day, 40 a week);
// National Day holidays 2025-10-01 to 10-08 with make-up working days on
// Sunday 2025-09-28 and Saturday 2025-10-11; a half day (09:00-12:00) on
// Wednesday 2025-12-31; New Year's Day 2026-01-01 off.
func officeConfig(tb testing.TB) calendar.Config {
	tb.Helper()
	return calendar.Config{
		Name:     "Shanghai service desk",
		TimeZone: "Asia/Shanghai",
		Week:     weekdays(tb, "09:00-12:00", "13:00-18:00"),
		Holidays: dates(tb, "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04",
			"2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08", "2026-01-01"),
		Exceptions: []calendar.DayOverride{
			{Date: date(tb, "2025-09-28"), Spans: spans(tb, "09:00-12:00", "13:00-18:00")},
			{Date: date(tb, "2025-10-11"), Spans: spans(tb, "09:00-12:00", "13:00-18:00")},
			{Date: date(tb, "2025-12-31"), Spans: spans(tb, "09:00-12:00")},
		},
	}
}

// sh parses a Shanghai wall time.
func sh(tb testing.TB, s string) time.Time {
	tb.Helper()
	return local(tb, "Asia/Shanghai", s)
}
