package calendar_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

func TestBetweenOffice(t *testing.T) {
	t.Parallel()
	c := mustNew(t, officeConfig(t))
	tests := []struct {
		name     string
		from, to string // Shanghai wall times
		want     time.Duration
	}{
		// 09:00-12:00 (3h) + 13:00-18:00 (5h) = 8h.
		{"whole day", "2025-06-02 09:00", "2025-06-02 18:00", 8 * time.Hour},
		{"midnight to midnight", "2025-06-02 00:00", "2025-06-03 00:00", 8 * time.Hour},
		// 10:30-12:00 = 1h30m; 13:00-14:15 = 1h15m.
		{"across lunch", "2025-06-02 10:30", "2025-06-02 14:15", 2*time.Hour + 45*time.Minute},
		{"inside lunch", "2025-06-02 12:10", "2025-06-02 12:50", 0},
		{"empty", "2025-06-02 10:00", "2025-06-02 10:00", 0},
		{"reversed", "2025-06-02 11:00", "2025-06-02 10:00", 0},
		// Fri 17:00-18:00 = 1h; Mon 09:00-10:00 = 1h.
		{"weekend", "2025-06-06 17:00", "2025-06-09 10:00", 2 * time.Hour},
		// One week: 5 × 8h.
		{"week", "2025-06-02 00:00", "2025-06-09 00:00", 40 * time.Hour},
		// Ten weeks, no holidays between 2025-06-02 and 2025-08-11: 10 × 40h.
		{"ten weeks", "2025-06-02 00:00", "2025-08-11 00:00", 400 * time.Hour},
		// Fri 09-26 17-18 = 1h; Sun 09-28 make-up day 8h; Mon 29, Tue 30: 16h;
		// Oct 1-8 holidays 0; Thu Oct 9 09-10 = 1h. 1+8+16+1 = 26h.
		{"national day", "2025-09-26 17:00", "2025-10-09 10:00", 26 * time.Hour},
		// Sat 10-11 is a make-up working day: 09-12 (3h) + 13-15 (2h).
		{"working saturday", "2025-10-11 00:00", "2025-10-11 15:00", 5 * time.Hour},
		// Dec 31 half day 3h; Jan 1 holiday; Fri Jan 2 8h; Mon Jan 5 09:00-09:30.
		{"year end", "2025-12-31 08:00", "2026-01-05 09:30", 11*time.Hour + 30*time.Minute},
		// Seconds and nanoseconds: 11:59:58.25 to 13:00:00.5 = 1.75s + 0.5s.
		{"fractions", "2025-06-02 11:59:58.25", "2025-06-02 13:00:00.5", 2250 * time.Millisecond},
		{"fraction in lunch", "2025-06-02 12:00:00.7", "2025-06-02 12:59:59.1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, c.Between(sh(t, tt.from), sh(t, tt.to)))
		})
	}
}

func TestAddOffice(t *testing.T) {
	t.Parallel()
	c := mustNew(t, officeConfig(t))
	tests := []struct {
		name string
		from string
		d    time.Duration
		want string
	}{
		{"zero", "2025-06-02 12:30", 0, "2025-06-02 12:30"},
		{"within span", "2025-06-02 09:00", 2 * time.Hour, "2025-06-02 11:00"},
		// Ends exactly at the end of a span: the end, not the next start.
		{"to end of span", "2025-06-02 09:00", 3 * time.Hour, "2025-06-02 12:00"},
		{"across lunch", "2025-06-02 11:00", 2 * time.Hour, "2025-06-02 14:00"},
		{"from lunch", "2025-06-02 12:30", time.Nanosecond, "2025-06-02 13:00:00.000000001"},
		{"to end of day", "2025-06-02 09:00", 8 * time.Hour, "2025-06-02 18:00"},
		// Fri 17-18 1h, then Mon 09:00 + 1h.
		{"over weekend", "2025-06-06 17:00", 2 * time.Hour, "2025-06-09 10:00"},
		// 50 working days from Mon 2025-06-02: the 50th is Fri 2025-08-08.
		{"fifty days", "2025-06-02 09:00", 400 * time.Hour, "2025-08-08 18:00"},
		// Tue 09-30 17-18 1h; Oct 1-8 off; Thu Oct 9 09:00 + 1h.
		{"over holidays", "2025-09-30 17:00", 2 * time.Hour, "2025-10-09 10:00"},
		// Fri 09-26 17-18 1h, Sat off, Sun 09-28 is worked: 09:00 + 1h.
		{"onto make-up sunday", "2025-09-26 17:00", 2 * time.Hour, "2025-09-28 10:00"},
		// Tue 12-30 16-18 2h; Wed half day 3h; Thu holiday; Fri 09-12 3h = 8h.
		{"over year end", "2025-12-30 16:00", 8 * time.Hour, "2026-01-02 12:00"},
		{"over year end plus", "2025-12-30 16:00", 8*time.Hour + time.Minute, "2026-01-02 13:01"},
		// 0.5s left before lunch, the other 0.5s after.
		{"fraction over lunch", "2025-06-02 11:59:59.5", time.Second, "2025-06-02 13:00:00.5"},
		{"fraction to lunch", "2025-06-02 11:59:59.5", 500 * time.Millisecond, "2025-06-02 12:00"},
		{"whole seconds and fraction", "2025-06-02 11:59:58", 2*time.Second + 1, "2025-06-02 13:00:00.000000001"},
		{"start on weekend", "2025-06-07 10:00", 30 * time.Minute, "2025-06-09 09:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			from := sh(t, tt.from)
			got, err := c.Add(from, tt.d)
			require.NoError(t, err)
			require.True(t, sh(t, tt.want).Equal(got), "got %s", got)
			require.Equal(t, tt.d, c.Between(from, got))
			require.Equal(t, from.Location(), got.Location())
		})
	}
}

func TestAddRefusals(t *testing.T) {
	t.Parallel()
	office := mustNew(t, officeConfig(t))
	// Works only on one exception day in 2025.
	once := mustNew(t, calendar.Config{TimeZone: "UTC", Exceptions: []calendar.DayOverride{
		{Date: date(t, "2025-03-03"), Spans: spans(t, "09:00-10:00")},
	}})
	tests := []struct {
		name    string
		cal     *calendar.Calendar
		from    time.Time
		d       time.Duration
		path    string // "" for ErrBeyondHorizon
		horizon bool
	}{
		{"negative", office, sh(t, "2025-06-02 09:00"), -time.Nanosecond, "d", false},
		{"before year 1", office, time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC), time.Hour, "from", false},
		{"after year 9999", office, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Hour, "from", false},
		{"no more work", once, time.Date(2025, 3, 3, 9, 30, 0, 0, time.UTC), time.Hour, "", true},
		{"never works after", once, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Nanosecond, "", true},
		// 10 years hold about 2,600 working days of 8h: 30,000h do not fit.
		{"beyond horizon", office, sh(t, "2025-06-02 09:00"), 30000 * time.Hour, "", true},
		{"near year 9999", office, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), 100 * time.Hour, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.cal.Add(tt.from, tt.d)
			require.ErrorIs(t, err, crm.ErrInvalid)
			if tt.horizon {
				require.ErrorIs(t, err, calendar.ErrBeyondHorizon)
				return
			}
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), "%v", ve)
			require.False(t, errors.Is(err, calendar.ErrBeyondHorizon))
		})
	}
}

func TestAddNearHorizon(t *testing.T) {
	t.Parallel()
	// Works one hour on 2035-01-01 only, 9.6 years after from: within the
	// horizon. A further hour is not there.
	c := mustNew(t, calendar.Config{TimeZone: "UTC", Exceptions: []calendar.DayOverride{
		{Date: date(t, "2035-01-01"), Spans: spans(t, "09:00-10:00")},
	}})
	from := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	got, err := c.Add(from, time.Hour)
	require.NoError(t, err)
	require.Equal(t, time.Date(2035, 1, 1, 10, 0, 0, 0, time.UTC), got)
	require.Equal(t, time.Date(2035, 1, 1, 9, 0, 0, 0, time.UTC), c.NextWorking(from))
	// From 2024-12-01 the same hour lies beyond the horizon (3,653 days).
	early := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)
	_, err = c.Add(early, time.Hour)
	require.ErrorIs(t, err, calendar.ErrBeyondHorizon)
	require.True(t, c.NextWorking(early).IsZero())
	// Between still counts it: it does not search.
	require.Equal(t, time.Hour, c.Between(early, time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)))
}

func TestNextWorkingAndIsWorking(t *testing.T) {
	t.Parallel()
	c := mustNew(t, officeConfig(t))
	tests := []struct {
		name    string
		at      string
		working bool
		next    string
	}{
		{"in span", "2025-06-02 10:00", true, "2025-06-02 10:00"},
		{"span start", "2025-06-02 09:00", true, "2025-06-02 09:00"},
		{"last second", "2025-06-02 11:59:59.999999999", true, "2025-06-02 11:59:59.999999999"},
		{"span end", "2025-06-02 12:00", false, "2025-06-02 13:00"},
		{"lunch", "2025-06-02 12:30:00.5", false, "2025-06-02 13:00"},
		{"before work", "2025-06-02 06:00", false, "2025-06-02 09:00"},
		{"evening", "2025-06-06 18:00", false, "2025-06-09 09:00"},
		{"holiday", "2025-10-03 10:00", false, "2025-10-09 09:00"},
		{"make-up saturday", "2025-10-11 10:00", true, "2025-10-11 10:00"},
		{"half day afternoon", "2025-12-31 13:30", false, "2026-01-02 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			at := sh(t, tt.at)
			require.Equal(t, tt.working, c.IsWorking(at))
			next := c.NextWorking(at)
			require.True(t, sh(t, tt.next).Equal(next), "got %s", next)
			require.True(t, c.IsWorking(next))
		})
	}
	require.False(t, c.IsWorking(time.Date(-5, 1, 1, 10, 0, 0, 0, time.UTC)))
	require.False(t, c.IsWorking(time.Date(10001, 1, 1, 10, 0, 0, 0, time.UTC)))
	require.True(t, c.NextWorking(time.Date(10001, 1, 1, 10, 0, 0, 0, time.UTC)).IsZero())
	// Before year 1 the search starts at year 1: 0001-01-01 was a Monday,
	// and Shanghai kept local mean time, UTC+08:05:43, so 09:00 was 00:54:17Z.
	require.Equal(t, time.Date(1, 1, 1, 0, 54, 17, 0, time.UTC),
		c.NextWorking(time.Date(-5, 1, 1, 10, 0, 0, 0, time.UTC)).UTC())
}

func TestGaps(t *testing.T) {
	t.Parallel()
	// A four-day week (Mon-Thu 08:00-18:00, 10h a day) in Berlin, closed for a
	// summer shutdown 2025-08-04 to 2025-08-15.
	cfg := calendar.Config{TimeZone: "Europe/Berlin"}
	for d := time.Monday; d <= time.Thursday; d++ {
		cfg.Week[d] = spans(t, "08:00-18:00")
	}
	for day := 4; day <= 15; day++ {
		cfg.Exceptions = append(cfg.Exceptions, calendar.DayOverride{Date: calendar.Date{Year: 2025, Month: time.August, Day: day}})
	}
	c := mustNew(t, cfg)
	be := func(s string) time.Time { return local(t, "Europe/Berlin", s) }

	// Thu 07-31 17-18 1h; Fri-Sun closed; Aug 4-15 shut; Mon Aug 18 08:00 + 1h.
	got, err := c.Add(be("2025-07-31 17:00"), 2*time.Hour)
	require.NoError(t, err)
	require.True(t, be("2025-08-18 09:00").Equal(got), "got %s", got)
	// Week of Jul 28: 4 × 10h; Aug 4-15: 0; week of Aug 18: 40h.
	require.Equal(t, 80*time.Hour, c.Between(be("2025-07-28 00:00"), be("2025-08-22 00:00")))
	require.Equal(t, be("2025-08-18 08:00"), c.NextWorking(be("2025-08-01 12:00")))
	require.Equal(t, []calendar.Span(nil), c.SpansOn(date(t, "2025-08-05")))
	require.Equal(t, spans(t, "08:00-18:00"), c.SpansOn(date(t, "2025-08-18")))
	require.Nil(t, c.SpansOn(date(t, "2025-08-22")))
	require.Nil(t, c.SpansOn(calendar.Date{Year: 2025, Month: 2, Day: 30}))
}

func TestTwentyFourSeven(t *testing.T) {
	t.Parallel()
	c := mustNew(t, calendar.Config{TimeZone: "America/New_York", Week: everyDay(t, "00:00-24:00")})
	tests := []struct {
		name     string
		from, to string
		want     time.Duration
	}{
		{"plain day", "2025-06-02 00:00 -0400", "2025-06-03 00:00 -0400", 24 * time.Hour},
		// The spring-forward day has 23 hours; the fall-back day 25.
		{"spring forward day", "2025-03-09 00:00 -0500", "2025-03-10 00:00 -0400", 23 * time.Hour},
		{"fall back day", "2025-11-02 00:00 -0400", "2025-11-03 00:00 -0500", 25 * time.Hour},
		{"noon to noon over spring forward", "2025-03-08 12:00 -0500", "2025-03-09 12:00 -0400", 23 * time.Hour},
		{"year", "2025-01-01 00:00 -0500", "2026-01-01 00:00 -0500", 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			from, to := instant(t, tt.from), instant(t, tt.to)
			require.Equal(t, tt.want, c.Between(from, to))
			require.Equal(t, to.Sub(from), c.Between(from, to))
			got, err := c.Add(from, tt.want)
			require.NoError(t, err)
			require.True(t, to.Equal(got))
		})
	}
	// 24 working hours after midnight on the spring-forward day is 01:00 local.
	got, err := c.Add(instant(t, "2025-03-09 00:00 -0500"), 24*time.Hour)
	require.NoError(t, err)
	require.Equal(t, "2025-03-10 01:00 -0400", got.In(loc(t, "America/New_York")).Format("2006-01-02 15:04 -0700"))
}

func TestCalendarAccessors(t *testing.T) {
	t.Parallel()
	cfg := officeConfig(t)
	c := mustNew(t, cfg)
	require.Equal(t, "Shanghai service desk", c.Name())
	require.Equal(t, "Asia/Shanghai", c.Location().String())
	require.Equal(t, cfg, c.Config())

	// The calendar keeps its own copy: changing the input or the output of
	// Config changes nothing.
	cfg.Week[time.Monday][0].End = calendar.At(11, 0)
	cfg.Holidays[0] = date(t, "2025-06-02")
	got := c.Config()
	got.Week[time.Tuesday][0].Start = calendar.At(5, 0)
	got.Exceptions[0].Spans[0].Start = calendar.At(5, 0)
	require.Equal(t, officeConfig(t), c.Config())
	require.Equal(t, 8*time.Hour, c.Between(sh(t, "2025-06-02 00:00"), sh(t, "2025-06-03 00:00")))

	require.Equal(t, spans(t, "09:00-12:00"), c.SpansOn(date(t, "2025-12-31")))
	require.Nil(t, c.SpansOn(date(t, "2025-10-01")))
	require.Equal(t, spans(t, "09:00-12:00", "13:00-18:00"), c.SpansOn(date(t, "2025-10-11")))
	s := c.SpansOn(date(t, "2025-06-02"))
	s[0].Start = 0
	require.Equal(t, spans(t, "09:00-12:00", "13:00-18:00"), c.SpansOn(date(t, "2025-06-02")))
}
