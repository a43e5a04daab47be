package calendar_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// pause returns a Shanghai pause; an empty end leaves it open.
func pause(tb testing.TB, start, end string) calendar.Interval {
	tb.Helper()
	p := calendar.Interval{Start: sh(tb, start)}
	if end != "" {
		p.End = sh(tb, end)
	}
	return p
}

func TestBetweenExcluding(t *testing.T) {
	t.Parallel()
	c := mustNew(t, officeConfig(t))
	const day = "2025-06-02 " // a Monday: 09-12, 13-18
	tests := []struct {
		name   string
		from   string
		to     string
		pauses []calendar.Interval
		want   time.Duration
	}{
		{"no pauses", day + "09:00", day + "18:00", nil, 8 * time.Hour},
		{"one hour", day + "09:00", day + "18:00", []calendar.Interval{pause(t, day+"10:00", day+"11:00")}, 7 * time.Hour},
		// 11:00-14:00 holds 11-12 and 13-14: 2 working hours.
		{"over lunch", day + "09:00", day + "18:00", []calendar.Interval{pause(t, day+"11:00", day+"14:00")}, 6 * time.Hour},
		// Union 09:30-11:00: 1h30m.
		{"overlapping unsorted", day + "09:00", day + "18:00", []calendar.Interval{
			pause(t, day+"10:00", day+"11:00"), pause(t, day+"09:30", day+"10:30")}, 6*time.Hour + 30*time.Minute},
		{"touching", day + "09:00", day + "18:00", []calendar.Interval{
			pause(t, day+"10:00", day+"11:00"), pause(t, day+"11:00", day+"12:00")}, 6 * time.Hour},
		{"nested", day + "09:00", day + "18:00", []calendar.Interval{
			pause(t, day+"09:00", day+"12:00"), pause(t, day+"10:00", day+"11:00")}, 5 * time.Hour},
		// An open pause lasts until to: 15-18 excluded.
		{"open", day + "09:00", day + "18:00", []calendar.Interval{pause(t, day+"15:00", "")}, 5 * time.Hour},
		// An open pause swallows the pauses after its start.
		{"open then closed", day + "09:00", day + "18:00", []calendar.Interval{
			pause(t, day+"15:00", ""), pause(t, day+"16:00", day+"17:00")}, 5 * time.Hour},
		{"open from before", day + "10:00", day + "18:00", []calendar.Interval{pause(t, day+"08:00", "")}, 0},
		// Only the part inside [from, to) counts: 17-18.
		{"past to", day + "09:00", day + "18:00", []calendar.Interval{pause(t, day+"17:00", "2025-06-03 10:00")}, 7 * time.Hour},
		{"before from", day + "09:00", day + "18:00", []calendar.Interval{pause(t, day+"08:00", day+"09:30")}, 7*time.Hour + 30*time.Minute},
		{"outside", day + "09:00", day + "18:00", []calendar.Interval{pause(t, "2025-06-01 08:00", "2025-06-01 09:30")}, 8 * time.Hour},
		{"inverted ignored", day + "09:00", day + "18:00", []calendar.Interval{pause(t, day+"11:00", day+"10:00")}, 8 * time.Hour},
		{"empty ignored", day + "09:00", day + "18:00", []calendar.Interval{pause(t, day+"11:00", day+"11:00")}, 8 * time.Hour},
		{"reversed range", day + "18:00", day + "09:00", []calendar.Interval{pause(t, day+"10:00", day+"11:00")}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			from, to := sh(t, tt.from), sh(t, tt.to)
			in := append([]calendar.Interval(nil), tt.pauses...)
			require.Equal(t, tt.want, c.BetweenExcluding(from, to, tt.pauses))
			require.Equal(t, in, tt.pauses, "the caller's pauses must not change")
		})
	}
}

func TestAddExcluding(t *testing.T) {
	t.Parallel()
	c := mustNew(t, officeConfig(t))
	const day = "2025-06-02 "
	tests := []struct {
		name   string
		from   string
		d      time.Duration
		pauses []calendar.Interval
		want   string // "" when ErrPaused
	}{
		{"no pauses", day + "09:00", 4 * time.Hour, nil, day + "14:00"},
		// 09-10 1h, pause, 11-12 1h, 13-15 2h.
		{"one pause", day + "09:00", 4 * time.Hour, []calendar.Interval{pause(t, day+"10:00", day+"11:00")}, day + "15:00"},
		{"zero", day + "09:00", 0, []calendar.Interval{pause(t, day+"08:00", "")}, day + "09:00"},
		// Reached before the open pause starts, or exactly at its start.
		{"before open pause", day + "09:00", 30 * time.Minute, []calendar.Interval{pause(t, day+"10:00", "")}, day + "09:30"},
		{"at open pause", day + "09:00", time.Hour, []calendar.Interval{pause(t, day+"10:00", "")}, day + "10:00"},
		{"into open pause", day + "09:00", time.Hour + time.Nanosecond, []calendar.Interval{pause(t, day+"10:00", "")}, ""},
		{"open from before", day + "09:00", time.Nanosecond, []calendar.Interval{pause(t, day+"08:00", "")}, ""},
		// Started inside a pause: counting starts at its end, 11:00.
		{"from inside pause", day + "10:00", time.Hour, []calendar.Interval{pause(t, day+"09:00", day+"11:00")}, day + "12:00"},
		// Fri 17:00-17:30 0.5h; paused to Mon 09:30; Mon 09:30 + 1.5h.
		{"over weekend", "2025-06-06 17:00", 2 * time.Hour, []calendar.Interval{pause(t, "2025-06-06 17:30", "2025-06-09 09:30")}, "2025-06-09 11:00"},
		// Union 09:30-11:00 then 11:30-13:30: 09-09:30, 11-11:30, 13:30-16:30.
		{"unsorted overlapping", day + "09:00", 4 * time.Hour, []calendar.Interval{
			pause(t, day+"11:30", day+"13:30"), pause(t, day+"10:00", day+"11:00"), pause(t, day+"09:30", day+"10:30")}, day + "16:30"},
		// The pause ends during lunch: nothing changes.
		{"pause in lunch", day + "11:00", 2 * time.Hour, []calendar.Interval{pause(t, day+"12:00", day+"13:00")}, day + "14:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			from := sh(t, tt.from)
			got, err := c.AddExcluding(from, tt.d, tt.pauses)
			if tt.want == "" {
				require.ErrorIs(t, err, calendar.ErrPaused)
				require.NotErrorIs(t, err, crm.ErrInvalid)
				return
			}
			require.NoError(t, err)
			require.True(t, sh(t, tt.want).Equal(got), "got %s", got)
			require.Equal(t, tt.d, c.BetweenExcluding(from, got, tt.pauses))
		})
	}
}

func TestAddExcludingRefusals(t *testing.T) {
	t.Parallel()
	c := mustNew(t, officeConfig(t))
	from := sh(t, "2025-06-02 09:00")
	tests := []struct {
		name   string
		d      time.Duration
		pauses []calendar.Interval
		paths  []string
	}{
		{"negative", -time.Second, nil, []string{"d"}},
		{"inverted pause", time.Hour, []calendar.Interval{pause(t, "2025-06-02 08:00", "2025-06-02 09:00"),
			pause(t, "2025-06-02 11:00", "2025-06-02 10:00")}, []string{"pauses[1].end"}},
		{"both", -time.Second, []calendar.Interval{pause(t, "2025-06-02 11:00", "2025-06-02 10:00")}, []string{"d", "pauses[0].end"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.AddExcluding(from, tt.d, tt.pauses)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Len(t, ve.Fields, len(tt.paths))
			for _, p := range tt.paths {
				require.True(t, ve.Has(p), "%v", ve)
			}
		})
	}
	// A pause longer than the horizon leaves no working time.
	_, err := c.AddExcluding(from, time.Hour, []calendar.Interval{pause(t, "2025-06-01 00:00", "2040-01-01 00:00")})
	require.ErrorIs(t, err, calendar.ErrBeyondHorizon)
	_, err = c.AddExcluding(from, 30000*time.Hour, []calendar.Interval{pause(t, "2025-06-03 00:00", "2025-06-04 00:00")})
	require.ErrorIs(t, err, calendar.ErrBeyondHorizon)
	_, err = c.AddExcluding(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Hour, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
}
