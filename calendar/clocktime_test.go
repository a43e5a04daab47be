package calendar_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

func TestParseClockTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    calendar.ClockTime
		wantErr bool
	}{
		{in: "00:00", want: 0},
		{in: "09:30", want: 570},
		{in: "12:05", want: 725},
		{in: "23:59", want: 1439},
		{in: "24:00", want: calendar.EndOfDay},
		{in: "", wantErr: true},
		{in: "9:30", wantErr: true},
		{in: "09:3", wantErr: true},
		{in: "0930", wantErr: true},
		{in: "09-30", wantErr: true},
		{in: "09:30 ", wantErr: true},
		{in: " 9:30", wantErr: true},
		{in: "+9:30", wantErr: true},
		{in: "09:60", wantErr: true},
		{in: "24:01", wantErr: true},
		{in: "25:00", wantErr: true},
		{in: "99:99", wantErr: true},
		{in: "ab:cd", wantErr: true},
		{in: "０９:３０", wantErr: true},
		{in: "09:30:00", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := calendar.ParseClockTime(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, crm.ErrInvalid)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.in, got.String())
			b, err := got.MarshalText()
			require.NoError(t, err)
			require.Equal(t, tt.in, string(b))
			var back calendar.ClockTime
			require.NoError(t, back.UnmarshalText(b))
			require.Equal(t, got, back)
		})
	}
}

func TestClockTime(t *testing.T) {
	t.Parallel()
	ct := calendar.At(13, 45)
	require.Equal(t, 13, ct.Hour())
	require.Equal(t, 45, ct.Minute())
	require.Equal(t, 13*time.Hour+45*time.Minute, ct.Duration())
	require.True(t, calendar.EndOfDay.Valid())
	require.False(t, calendar.At(24, 1).Valid())
	require.False(t, calendar.ClockTime(-1).Valid())
	require.Equal(t, "ClockTime(-1)", calendar.ClockTime(-1).String())
	_, err := calendar.ClockTime(1441).MarshalText()
	require.ErrorIs(t, err, crm.ErrInvalid)
	var x calendar.ClockTime = 5
	require.Error(t, x.UnmarshalText([]byte("7")))
	require.Equal(t, calendar.ClockTime(5), x, "unchanged on error")
}

func TestParseSpan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    calendar.Span
		wantErr bool
	}{
		{in: "09:00-12:30", want: calendar.Span{Start: calendar.At(9, 0), End: calendar.At(12, 30)}},
		{in: "00:00-24:00", want: calendar.Span{Start: 0, End: calendar.EndOfDay}},
		// Parsed as written; New refuses the order.
		{in: "12:00-09:00", want: calendar.Span{Start: calendar.At(12, 0), End: calendar.At(9, 0)}},
		{in: "", wantErr: true},
		{in: "09:00", wantErr: true},
		{in: "09:00-", wantErr: true},
		{in: "-09:00", wantErr: true},
		{in: "09:00-12:00-13:00", wantErr: true},
		{in: "09:00–12:00", wantErr: true}, // en dash
		{in: "9:00-12:00", wantErr: true},
		{in: "09:00 - 12:00", wantErr: true},
		{in: "09:00-25:00", wantErr: true},
		{in: strings.Repeat("9", 100), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := calendar.ParseSpan(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, crm.ErrInvalid)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			b, err := got.MarshalText()
			require.NoError(t, err)
			require.Equal(t, tt.in, string(b))
		})
	}
	require.Equal(t, 3*time.Hour+30*time.Minute, calendar.Span{Start: calendar.At(9, 0), End: calendar.At(12, 30)}.Duration())
	_, err := calendar.Span{Start: 0, End: 5000}.MarshalText()
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    calendar.Date
		weekday time.Weekday
		wantErr bool
	}{
		{in: "2025-12-24", want: calendar.Date{Year: 2025, Month: time.December, Day: 24}, weekday: time.Wednesday},
		{in: "2024-02-29", want: calendar.Date{Year: 2024, Month: time.February, Day: 29}, weekday: time.Thursday},
		{in: "1970-01-01", want: calendar.Date{Year: 1970, Month: time.January, Day: 1}, weekday: time.Thursday},
		{in: "1969-12-31", want: calendar.Date{Year: 1969, Month: time.December, Day: 31}, weekday: time.Wednesday},
		{in: "0001-01-01", want: calendar.Date{Year: 1, Month: time.January, Day: 1}, weekday: time.Monday},
		{in: "9999-12-31", want: calendar.Date{Year: 9999, Month: time.December, Day: 31}, weekday: time.Friday},
		{in: "2025-02-29", wantErr: true},
		{in: "1900-02-29", wantErr: true},
		{in: "0000-01-01", wantErr: true},
		{in: "2025-13-01", wantErr: true},
		{in: "2025-00-10", wantErr: true},
		{in: "2025-01-32", wantErr: true},
		{in: "2025-01-00", wantErr: true},
		{in: "2025-1-01", wantErr: true},
		{in: "2025/01/01", wantErr: true},
		{in: "+025-01-01", wantErr: true},
		{in: "20250101", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := calendar.ParseDate(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, crm.ErrInvalid)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.weekday, got.Weekday())
			require.Equal(t, tt.in, got.String())
			var back calendar.Date
			require.NoError(t, back.UnmarshalText([]byte(tt.in)))
			require.Equal(t, got, back)
		})
	}
	require.Equal(t, calendar.Date{Year: 2025, Month: time.March, Day: 9},
		calendar.DateOf(time.Date(2025, 3, 9, 23, 59, 0, 0, loc(t, "America/New_York"))))
	_, err := calendar.Date{Year: 2025, Month: 2, Day: 30}.MarshalText()
	require.ErrorIs(t, err, crm.ErrInvalid)
}
