package calendar_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

func FuzzParseClockTime(f *testing.F) {
	for _, s := range []string{"00:00", "09:30", "23:59", "24:00", "24:01", "9:30", "", "ab:cd", "99:99", "-1:00", "０９:００"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ct, err := calendar.ParseClockTime(s)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		require.True(t, ct.Valid())
		require.Equal(t, s, ct.String(), "the accepted form is the canonical one")
		b, err := ct.MarshalText()
		require.NoError(t, err)
		var back calendar.ClockTime
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, ct, back)
	})
}

func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"09:00-12:00", "00:00-24:00", "12:00-09:00", "09:00", "09:00--10:00", "-", "24:00-24:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := calendar.ParseSpan(s)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		require.Equal(t, s, sp.String())
		b, err := sp.MarshalText()
		require.NoError(t, err)
		var back calendar.Span
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, sp, back)
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-12-24", "2024-02-29", "2025-02-29", "0001-01-01", "9999-12-31", "0000-01-01", "2025-1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := calendar.ParseDate(s)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		require.NoError(t, d.Validate())
		require.Equal(t, s, d.String())
		require.Equal(t, d, calendar.DateOf(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)))
	})
}

// FuzzConfigJSON decodes arbitrary JSON as a Config. Whatever decodes must
// encode (unless New refuses it), decode again and encode to the same
// bytes; whatever New accepts must survive Config() and New again
// unchanged, and the calendar must answer.
func FuzzConfigJSON(f *testing.F) {
	f.Add(officeJSON)
	f.Add(`{"time_zone":"UTC","week":{"monday":["00:00-24:00"]}}`)
	f.Add(`{"time_zone":"America/New_York","week":{"sunday":["01:00-03:00"]},"exceptions":[{"date":"2025-11-02","spans":null}]}`)
	f.Add(`{"time_zone":"Europe/Berlin","week":{"monday":["12:00-09:00"]},"holidays":["2025-12-25","2025-12-25"]}`)
	f.Add(`{"name":"x","time_zone":"Local","week":null}`)
	f.Add(`{"timezone":"UTC"}`)
	f.Fuzz(func(t *testing.T, s string) {
		var cfg calendar.Config
		if err := json.Unmarshal([]byte(s), &cfg); err != nil {
			return
		}
		c, errNew := calendar.New(cfg)
		if errNew != nil {
			require.ErrorIs(t, errNew, crm.ErrInvalid)
		}
		b1, err := json.Marshal(cfg)
		if err != nil {
			// Only a config New refuses (a missing date) may fail to encode.
			require.Error(t, errNew)
			return
		}
		var again calendar.Config
		require.NoError(t, json.Unmarshal(b1, &again))
		b2, err := json.Marshal(again)
		require.NoError(t, err)
		require.Equal(t, string(b1), string(b2))
		if errNew != nil {
			return
		}
		c2, err := calendar.New(c.Config())
		require.NoError(t, err)
		require.Equal(t, c.Config(), c2.Config())
		// The calendar answers without panicking.
		from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		d := c.Between(from, from.AddDate(0, 1, 0))
		if d > 0 {
			got, err := c.Add(from, d)
			require.NoError(t, err)
			require.Equal(t, d, c.Between(from, got))
		}
	})
}

// FuzzAddBetween checks Add against Between on fuzzed calendars and
// instants: Between(from, Add(from, d)) == d, and nothing earlier reaches d.
func FuzzAddBetween(f *testing.F) {
	f.Add(int64(1748851200), uint32(0), int64(8*time.Hour), uint8(0), uint16(540), uint16(1080), uint8(0x3e))
	f.Add(int64(1741478400), uint32(500), int64(time.Hour), uint8(1), uint16(60), uint16(180), uint8(0x01))
	f.Add(int64(1761955200), uint32(999999999), int64(90*time.Minute), uint8(1), uint16(60), uint16(90), uint8(0x7f))
	f.Add(int64(-62135596800), uint32(1), int64(time.Nanosecond), uint8(3), uint16(0), uint16(1440), uint8(0x7f))
	f.Add(int64(253402300000), uint32(0), int64(time.Hour), uint8(2), uint16(0), uint16(1440), uint8(0x7f))
	zones := []string{"UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Havana"}
	f.Fuzz(func(t *testing.T, sec int64, nsec uint32, d int64, zone uint8, start, end uint16, days uint8) {
		if start >= end || end > 1440 || days&0x7f == 0 {
			return
		}
		cfg := calendar.Config{TimeZone: zones[int(zone)%len(zones)]}
		for w := range cfg.Week {
			if days&(1<<w) != 0 {
				cfg.Week[w] = []calendar.Span{{Start: calendar.ClockTime(start), End: calendar.ClockTime(end)}}
			}
		}
		c, err := calendar.New(cfg)
		require.NoError(t, err)
		// Any instant of the years 1 to 9999.
		const first, years = -62135596800, 315537897600
		from := time.Unix(first+(sec%years+years)%years, int64(nsec%1_000_000_000)).UTC()
		if d < 0 {
			_, err := c.Add(from, time.Duration(d))
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		dd := time.Duration(d % int64(2000*time.Hour))
		got, err := c.Add(from, dd)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		require.Equal(t, dd, c.Between(from, got))
		if dd > 0 {
			require.True(t, c.IsWorking(got.Add(-time.Nanosecond)))
			require.Equal(t, dd-time.Nanosecond, c.Between(from, got.Add(-time.Nanosecond)))
		}
	})
}
