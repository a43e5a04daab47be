package calendar_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	c := mustNew(t, officeConfig(t))
	const mon, tue = "2025-06-02 ", "2025-06-03 "
	// Started Monday 10:00; target 8 working hours, warning at 75% (6h).
	// Without pauses: Mon 10-12 and 13-18 give 7h, so the deadline is Tue
	// 10:00; the warning comes after 2h + 4h, at Mon 17:00.
	th := calendar.Thresholds{Target: 8 * time.Hour, WarnAt: 0.75}
	start := sh(t, mon+"10:00")
	tests := []struct {
		name      string
		timer     calendar.Timer
		th        calendar.Thresholds
		at        string
		state     calendar.State
		elapsed   time.Duration
		deadline  string // "" when unknown
		warnAt    string // "" when unknown or none
		paused    bool
		remaining *time.Duration // nil: Target − elapsed
	}{
		{name: "before start", timer: calendar.Timer{Start: start}, th: th, at: mon + "09:00",
			state: calendar.StateOK, deadline: tue + "10:00", warnAt: mon + "17:00"},
		{name: "ok", timer: calendar.Timer{Start: start}, th: th, at: mon + "11:00",
			state: calendar.StateOK, elapsed: time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00"},
		// 2h + 4h30m = 6h30m.
		{name: "warning", timer: calendar.Timer{Start: start}, th: th, at: mon + "17:30",
			state: calendar.StateWarning, elapsed: 6*time.Hour + 30*time.Minute, deadline: tue + "10:00", warnAt: mon + "17:00"},
		{name: "warning from its instant", timer: calendar.Timer{Start: start}, th: th, at: mon + "17:00",
			state: calendar.StateWarning, elapsed: 6 * time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00"},
		{name: "overnight", timer: calendar.Timer{Start: start}, th: th, at: mon + "23:00",
			state: calendar.StateWarning, elapsed: 7 * time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00"},
		{name: "breached at deadline", timer: calendar.Timer{Start: start}, th: th, at: tue + "10:00",
			state: calendar.StateBreached, elapsed: 8 * time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00"},
		{name: "just before deadline", timer: calendar.Timer{Start: start}, th: th, at: tue + "09:59:59.999999999",
			state: calendar.StateWarning, elapsed: 8*time.Hour - time.Nanosecond, deadline: tue + "10:00", warnAt: mon + "17:00"},
		// 7h + Tue 09-12 3h = 10h: 2h overdue.
		{name: "breached", timer: calendar.Timer{Start: start}, th: th, at: tue + "12:30",
			state: calendar.StateBreached, elapsed: 10 * time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00"},
		{name: "no warning", timer: calendar.Timer{Start: start}, th: calendar.Thresholds{Target: 8 * time.Hour}, at: mon + "17:30",
			state: calendar.StateOK, elapsed: 6*time.Hour + 30*time.Minute, deadline: tue + "10:00"},
		// Stopped Mon 16:00 after 2h + 3h.
		{name: "met", timer: calendar.Timer{Start: start, Stop: sh(t, mon+"16:00")}, th: th, at: tue + "12:00",
			state: calendar.StateMet, elapsed: 5 * time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00"},
		{name: "met at stop", timer: calendar.Timer{Start: start, Stop: sh(t, mon+"16:00")}, th: th, at: mon + "16:00",
			state: calendar.StateMet, elapsed: 5 * time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00"},
		{name: "running before stop", timer: calendar.Timer{Start: start, Stop: sh(t, mon+"16:00")}, th: th, at: mon + "15:00",
			state: calendar.StateOK, elapsed: 4 * time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00"},
		{name: "missed at deadline", timer: calendar.Timer{Start: start, Stop: sh(t, tue+"10:00")}, th: th, at: tue + "15:00",
			state: calendar.StateMissed, elapsed: 8 * time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00"},
		{name: "missed", timer: calendar.Timer{Start: start, Stop: sh(t, tue+"11:00")}, th: th, at: "2025-07-01 00:00",
			state: calendar.StateMissed, elapsed: 9 * time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00"},
		{name: "stopped at start", timer: calendar.Timer{Start: start, Stop: start}, th: th, at: mon + "12:00",
			state: calendar.StateMet, deadline: tue + "10:00", warnAt: mon + "17:00"},
		// Waiting on the customer Mon 11:00-14:00: 10-11 1h, 14-18 4h; the
		// deadline needs 3h more: Tue 09-12; the warning 1h more: Tue 10:00.
		{name: "closed pause", timer: calendar.Timer{Start: start, Pauses: []calendar.Interval{pause(t, mon+"11:00", mon+"14:00")}},
			th: th, at: mon + "18:00", state: calendar.StateOK, elapsed: 5 * time.Hour, deadline: tue + "12:00", warnAt: tue + "10:00"},
		// Paused since 15:00 with no end: 2h + 2h elapsed, deadline unknown.
		{name: "open pause", timer: calendar.Timer{Start: start, Pauses: []calendar.Interval{pause(t, mon+"15:00", "")}},
			th: th, at: mon + "17:00", state: calendar.StateOK, elapsed: 4 * time.Hour, paused: true},
		// A pause that has ended since, seen from inside it, is still open.
		{name: "pause seen from inside", timer: calendar.Timer{Start: start, Pauses: []calendar.Interval{pause(t, mon+"15:00", tue+"09:30")}},
			th: th, at: mon + "17:00", state: calendar.StateOK, elapsed: 4 * time.Hour, paused: true},
		// Seen after it: 4h by Mon 15:00, then Tue 09:30-12:00 2h30m = 6h30m.
		// Deadline: 4h more from Tue 09:30: 2h30m to 12:00, 13:00 + 1h30m.
		// Warning: 2h more from Tue 09:30.
		{name: "pause seen after", timer: calendar.Timer{Start: start, Pauses: []calendar.Interval{pause(t, mon+"15:00", tue+"09:30")}},
			th: th, at: tue + "12:00", state: calendar.StateWarning, elapsed: 6*time.Hour + 30*time.Minute, deadline: tue + "14:30", warnAt: tue + "11:30"},
		// A pause that starts after the instant evaluated is not known yet.
		{name: "future pause ignored", timer: calendar.Timer{Start: start, Pauses: []calendar.Interval{pause(t, tue+"09:00", tue+"17:00")}},
			th: th, at: mon + "12:00", state: calendar.StateOK, elapsed: 2 * time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00"},
		// Breached before the open pause began: the deadline is known.
		{name: "paused after breach", timer: calendar.Timer{Start: start, Pauses: []calendar.Interval{pause(t, tue+"11:00", "")}},
			th: th, at: tue + "15:00", state: calendar.StateBreached, elapsed: 9 * time.Hour, deadline: tue + "10:00", warnAt: mon + "17:00", paused: true},
		// Stopped while paused: met, not paused, deadline unknown.
		{name: "stopped while paused", timer: calendar.Timer{Start: start, Stop: sh(t, mon+"16:00"), Pauses: []calendar.Interval{pause(t, mon+"15:00", "")}},
			th: th, at: tue + "15:00", state: calendar.StateMet, elapsed: 4 * time.Hour},
		// Started on a holiday (2025-10-03), Target 1h: counted from Oct 9 09:00.
		{name: "holiday start", timer: calendar.Timer{Start: sh(t, "2025-10-03 10:00")}, th: calendar.Thresholds{Target: time.Hour, WarnAt: 0.5},
			at: "2025-10-08 23:00", state: calendar.StateOK, deadline: "2025-10-09 10:00", warnAt: "2025-10-09 09:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := c.Evaluate(tt.timer, tt.th, sh(t, tt.at))
			require.NoError(t, err)
			require.Equal(t, tt.state, ev.State)
			require.Equal(t, tt.elapsed, ev.Elapsed)
			require.Equal(t, tt.th.Target-tt.elapsed, ev.Remaining)
			require.Equal(t, tt.paused, ev.Paused)
			if tt.deadline == "" {
				require.True(t, ev.Deadline.IsZero(), "deadline %s", ev.Deadline)
			} else {
				require.True(t, sh(t, tt.deadline).Equal(ev.Deadline), "deadline %s", ev.Deadline)
			}
			if tt.warnAt == "" {
				require.True(t, ev.WarnAt.IsZero(), "warn at %s", ev.WarnAt)
			} else {
				require.True(t, sh(t, tt.warnAt).Equal(ev.WarnAt), "warn at %s", ev.WarnAt)
			}
		})
	}
}

func TestEvaluateRefusals(t *testing.T) {
	t.Parallel()
	c := mustNew(t, officeConfig(t))
	start := sh(t, "2025-06-02 10:00")
	at := sh(t, "2025-06-02 12:00")
	ok := calendar.Thresholds{Target: time.Hour, WarnAt: 0.5}
	tests := []struct {
		name  string
		timer calendar.Timer
		th    calendar.Thresholds
		at    time.Time
		paths []string
	}{
		{"zero start", calendar.Timer{}, ok, at, []string{"timer.start"}},
		{"start after 9999", calendar.Timer{Start: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, ok, at, []string{"timer.start"}},
		{"stop before start", calendar.Timer{Start: start, Stop: start.Add(-time.Second)}, ok, at, []string{"timer.stop"}},
		{"pause before start", calendar.Timer{Start: start, Pauses: []calendar.Interval{{Start: start.Add(-time.Hour), End: start}}}, ok, at, []string{"timer.pauses[0].start"}},
		{"pause inverted", calendar.Timer{Start: start, Pauses: []calendar.Interval{{Start: start.Add(time.Hour), End: start}}}, ok, at, []string{"timer.pauses[0].end"}},
		{"pauses overlap", calendar.Timer{Start: start, Pauses: []calendar.Interval{
			{Start: start, End: start.Add(time.Hour)}, {Start: start.Add(30 * time.Minute), End: start.Add(2 * time.Hour)}}}, ok, at, []string{"timer.pauses[1].start"}},
		{"open pause not last", calendar.Timer{Start: start, Pauses: []calendar.Interval{
			{Start: start}, {Start: start.Add(30 * time.Minute), End: start.Add(2 * time.Hour)}}}, ok, at, []string{"timer.pauses[1].start"}},
		{"pause after stop", calendar.Timer{Start: start, Stop: start.Add(time.Hour), Pauses: []calendar.Interval{{Start: start.Add(2 * time.Hour)}}}, ok, at, []string{"timer.pauses[0].start"}},
		{"zero target", calendar.Timer{Start: start}, calendar.Thresholds{}, at, []string{"thresholds.target"}},
		{"negative target", calendar.Timer{Start: start}, calendar.Thresholds{Target: -time.Hour}, at, []string{"thresholds.target"}},
		{"warn above 1", calendar.Timer{Start: start}, calendar.Thresholds{Target: time.Hour, WarnAt: 1.5}, at, []string{"thresholds.warn_at"}},
		{"warn negative", calendar.Timer{Start: start}, calendar.Thresholds{Target: time.Hour, WarnAt: -0.1}, at, []string{"thresholds.warn_at"}},
		{"warn NaN", calendar.Timer{Start: start}, calendar.Thresholds{Target: time.Hour, WarnAt: math.NaN()}, at, []string{"thresholds.warn_at"}},
		{"warn infinite", calendar.Timer{Start: start}, calendar.Thresholds{Target: time.Hour, WarnAt: math.Inf(1)}, at, []string{"thresholds.warn_at"}},
		{"zero at", calendar.Timer{Start: start}, ok, time.Time{}, []string{"at"}},
		{"everything", calendar.Timer{Stop: start}, calendar.Thresholds{WarnAt: 2}, time.Time{},
			[]string{"timer.start", "thresholds.target", "thresholds.warn_at", "at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := c.Evaluate(tt.timer, tt.th, tt.at)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Equal(t, calendar.Evaluation{}, ev)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			for _, p := range tt.paths {
				require.True(t, ve.Has(p), "%v", ve)
			}
			require.Len(t, ve.Fields, len(tt.paths), "%v", ve)
		})
	}
	// The standalone validators agree.
	require.ErrorIs(t, calendar.Timer{}.Validate(), crm.ErrInvalid)
	require.NoError(t, calendar.Timer{Start: start}.Validate())
	require.ErrorIs(t, calendar.Thresholds{Target: time.Hour, WarnAt: 2}.Validate(), crm.ErrInvalid)
	require.NoError(t, ok.Validate())

	// A target the calendar cannot reach within the horizon.
	_, err := c.Evaluate(calendar.Timer{Start: start}, calendar.Thresholds{Target: 30000 * time.Hour}, at)
	require.ErrorIs(t, err, calendar.ErrBeyondHorizon)
}

func TestThresholdsWarning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		th   calendar.Thresholds
		want time.Duration
	}{
		{"three quarters", calendar.Thresholds{Target: 8 * time.Hour, WarnAt: 0.75}, 6 * time.Hour},
		{"eighty percent", calendar.Thresholds{Target: 8 * time.Hour, WarnAt: 0.8}, 6*time.Hour + 24*time.Minute},
		{"seventy percent", calendar.Thresholds{Target: 3 * time.Hour, WarnAt: 0.7}, 2*time.Hour + 6*time.Minute},
		{"none", calendar.Thresholds{Target: 8 * time.Hour}, 0},
		{"whole", calendar.Thresholds{Target: 10 * time.Second, WarnAt: 1}, 10 * time.Second},
		{"rounds up to 1ns", calendar.Thresholds{Target: 1, WarnAt: 0.3}, 1},
		{"invalid", calendar.Thresholds{Target: time.Hour, WarnAt: 2}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.th.Warning())
		})
	}
}

func TestState(t *testing.T) {
	t.Parallel()
	names := []string{"ok", "warning", "breached", "met", "missed"}
	require.Len(t, calendar.States(), len(names))
	for i, s := range calendar.States() {
		require.Equal(t, names[i], s.String())
		require.True(t, s.Valid())
		require.Equal(t, s == calendar.StateMet || s == calendar.StateMissed, s.Stopped())
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back calendar.State
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, s, back)
		p, err := calendar.ParseState(" " + names[i] + " ")
		require.NoError(t, err)
		require.Equal(t, s, p)
	}
	for _, bad := range []string{"", "late", "OKAY", "0"} {
		_, err := calendar.ParseState(bad)
		require.ErrorIs(t, err, crm.ErrInvalid, bad)
	}
	var zero calendar.State
	require.False(t, zero.Valid())
	_, err := zero.MarshalText()
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = json.Marshal(calendar.State(9))
	require.Error(t, err)
}

func TestTimerJSON(t *testing.T) {
	t.Parallel()
	in := calendar.Timer{
		Start:  time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC),
		Pauses: []calendar.Interval{{Start: time.Date(2025, 6, 2, 3, 0, 0, 0, time.UTC), End: time.Date(2025, 6, 2, 5, 0, 0, 0, time.UTC)}, {Start: time.Date(2025, 6, 2, 7, 0, 0, 0, time.UTC)}},
	}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"start":"2025-06-02T02:00:00Z","pauses":[{"start":"2025-06-02T03:00:00Z","end":"2025-06-02T05:00:00Z"},{"start":"2025-06-02T07:00:00Z"}]}`, string(b))
	var out calendar.Timer
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in, out)
	require.True(t, out.Pauses[1].Open())
	require.False(t, out.Pauses[0].Open())
}
