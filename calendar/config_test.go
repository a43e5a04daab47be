package calendar_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

func TestNewRefusals(t *testing.T) {
	t.Parallel()
	base := func() calendar.Config {
		return calendar.Config{TimeZone: "Europe/Berlin", Week: weekdays(t, "09:00-12:00", "13:00-18:00")}
	}
	tests := []struct {
		name   string
		change func(c *calendar.Config)
		paths  []string
	}{
		{"no zone", func(c *calendar.Config) { c.TimeZone = "" }, []string{"time_zone"}},
		{"local zone", func(c *calendar.Config) { c.TimeZone = "Local" }, []string{"time_zone"}},
		{"unknown zone", func(c *calendar.Config) { c.TimeZone = "Mars/Olympus_Mons" }, []string{"time_zone"}},
		{"path as zone", func(c *calendar.Config) { c.TimeZone = "../../etc/passwd" }, []string{"time_zone"}},
		{"long zone", func(c *calendar.Config) { c.TimeZone = strings.Repeat("A", 65) }, []string{"time_zone"}},
		{"long name", func(c *calendar.Config) { c.Name = strings.Repeat("n", calendar.MaxNameLen+1) }, []string{"name"}},
		{"bad utf-8 name", func(c *calendar.Config) { c.Name = "desk \xff" }, []string{"name"}},
		{"end before start", func(c *calendar.Config) { c.Week[time.Monday][1].End = calendar.At(12, 30) }, []string{"week.monday[1].end"}},
		{"empty span", func(c *calendar.Config) { c.Week[time.Friday][0].End = calendar.At(9, 0) }, []string{"week.friday[0].end"}},
		{"negative start", func(c *calendar.Config) { c.Week[time.Monday][0].Start = -1 }, []string{"week.monday[0].start"}},
		{"end after 24:00", func(c *calendar.Config) { c.Week[time.Tuesday][1].End = calendar.At(24, 1) }, []string{"week.tuesday[1].end"}},
		{"overlap", func(c *calendar.Config) { c.Week[time.Wednesday][1].Start = calendar.At(11, 0) }, []string{"week.wednesday[1].start"}},
		{"out of order", func(c *calendar.Config) {
			c.Week[time.Thursday] = spans(t, "13:00-18:00", "09:00-12:00")
		}, []string{"week.thursday[1].start"}},
		{"too many spans", func(c *calendar.Config) {
			c.Week[time.Saturday] = make([]calendar.Span, calendar.MaxSpansPerDay+1)
		}, []string{"week.saturday"}},
		{"bad holiday", func(c *calendar.Config) { c.Holidays = []calendar.Date{{Year: 2025, Month: 2, Day: 29}} }, []string{"holidays[0]"}},
		{"zero holiday", func(c *calendar.Config) { c.Holidays = []calendar.Date{{}} }, []string{"holidays[0]"}},
		{"duplicate holiday", func(c *calendar.Config) { c.Holidays = dates(t, "2025-12-25", "2025-12-26", "2025-12-25") }, []string{"holidays[2]"}},
		{"exception on a holiday", func(c *calendar.Config) {
			c.Holidays = dates(t, "2025-12-25")
			c.Exceptions = []calendar.DayOverride{{Date: date(t, "2025-12-25"), Spans: spans(t, "09:00-12:00")}}
		}, []string{"exceptions[0].date"}},
		{"duplicate exception", func(c *calendar.Config) {
			c.Exceptions = []calendar.DayOverride{{Date: date(t, "2025-12-24")}, {Date: date(t, "2025-12-24")}}
		}, []string{"exceptions[1].date"}},
		{"bad exception date", func(c *calendar.Config) {
			c.Exceptions = []calendar.DayOverride{{Date: calendar.Date{Year: 10000, Month: 1, Day: 1}}}
		}, []string{"exceptions[0].date"}},
		{"bad exception span", func(c *calendar.Config) {
			c.Exceptions = []calendar.DayOverride{{Date: date(t, "2025-12-24"), Spans: spans(t, "12:00-09:00")}}
		}, []string{"exceptions[0].spans[0].end"}},
		{"no working time", func(c *calendar.Config) {
			c.Week = calendar.Week{}
			c.Exceptions = []calendar.DayOverride{{Date: date(t, "2025-12-24")}}
		}, []string{"week"}},
		{"everything at once", func(c *calendar.Config) {
			c.TimeZone = "Nowhere/Land"
			c.Week[time.Monday][1].End = calendar.At(12, 30)
			c.Week[time.Sunday] = spans(t, "10:00-11:00", "10:30-12:00")
			c.Holidays = []calendar.Date{{Year: 2025, Month: 13, Day: 1}}
			c.Exceptions = []calendar.DayOverride{{Date: date(t, "2025-12-24"), Spans: []calendar.Span{{Start: 0, End: 2000}}}}
		}, []string{"time_zone", "week.monday[1].end", "week.sunday[1].start", "holidays[0]", "exceptions[0].spans[0].end"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := base()
			tt.change(&cfg)
			c, err := calendar.New(cfg)
			require.Nil(t, c)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, "calendar.New", ve.Op)
			for _, p := range tt.paths {
				require.True(t, ve.Has(p), "want %s in %v", p, ve)
			}
			require.Len(t, ve.Fields, len(tt.paths), "%v", ve)
		})
	}
}

func TestNewAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  calendar.Config
	}{
		{"utc", calendar.Config{TimeZone: "UTC", Week: weekdays(t, "09:00-17:00")}},
		{"touching spans", calendar.Config{TimeZone: "UTC", Week: weekdays(t, "09:00-12:00", "12:00-13:00")}},
		{"whole day", calendar.Config{TimeZone: "Asia/Tokyo", Week: everyDay(t, "00:00-24:00")}},
		{"exceptions only", calendar.Config{TimeZone: "UTC", Exceptions: []calendar.DayOverride{{Date: date(t, "2025-12-24"), Spans: spans(t, "09:00-12:00")}}}},
		{"many spans", calendar.Config{TimeZone: "UTC", Week: calendar.Week{time.Monday: func() []calendar.Span {
			s := make([]calendar.Span, calendar.MaxSpansPerDay)
			for i := range s {
				s[i] = calendar.Span{Start: calendar.ClockTime(i * 30), End: calendar.ClockTime(i*30 + 15)}
			}
			return s
		}()}}},
		{"extreme dates", calendar.Config{TimeZone: "UTC", Week: weekdays(t, "09:00-17:00"), Holidays: dates(t, "0001-01-01", "9999-12-31")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := calendar.New(tt.cfg)
			require.NoError(t, err)
		})
	}
}

// officeJSON is officeConfig as JSON, written out by hand.
const officeJSON = `{
  "name": "Shanghai service desk",
  "time_zone": "Asia/Shanghai",
  "week": {
    "monday": ["09:00-12:00", "13:00-18:00"],
    "tuesday": ["09:00-12:00", "13:00-18:00"],
    "wednesday": ["09:00-12:00", "13:00-18:00"],
    "thursday": ["09:00-12:00", "13:00-18:00"],
    "friday": ["09:00-12:00", "13:00-18:00"],
    "saturday": [],
    "sunday": []
  },
  "holidays": ["2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05",
               "2025-10-06", "2025-10-07", "2025-10-08", "2026-01-01"],
  "exceptions": [
    {"date": "2025-09-28", "spans": ["09:00-12:00", "13:00-18:00"]},
    {"date": "2025-10-11", "spans": ["09:00-12:00", "13:00-18:00"]},
    {"date": "2025-12-31", "spans": ["09:00-12:00"]}
  ]
}`

func TestConfigJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(officeConfig(t))
	require.NoError(t, err)
	require.JSONEq(t, officeJSON, string(b))
	// Days come Monday first.
	require.Less(t, strings.Index(string(b), "monday"), strings.Index(string(b), "sunday"))

	var cfg calendar.Config
	require.NoError(t, json.Unmarshal([]byte(officeJSON), &cfg))
	c := mustNew(t, cfg)
	require.Equal(t, 26*time.Hour, c.Between(sh(t, "2025-09-26 17:00"), sh(t, "2025-10-09 10:00")))

	// A missing day is closed; null week and lists are empty.
	require.NoError(t, json.Unmarshal([]byte(`{"time_zone":"UTC","week":{"monday":["09:00-10:00"]}}`), &cfg))
	require.Equal(t, calendar.Config{TimeZone: "UTC", Week: calendar.Week{time.Monday: spans(t, "09:00-10:00")}}, cfg)
	var empty calendar.Config
	require.NoError(t, json.Unmarshal([]byte(`{"time_zone":"UTC","week":null,"holidays":null}`), &empty))
	require.Equal(t, calendar.Config{TimeZone: "UTC"}, empty)

	// A closed exception keeps its empty list.
	b, err = json.Marshal(calendar.DayOverride{Date: date(t, "2025-08-04"), Spans: []calendar.Span{}})
	require.NoError(t, err)
	require.JSONEq(t, `{"date":"2025-08-04","spans":[]}`, string(b))
}

func TestConfigJSONRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
	}{
		{"unknown field", `{"timezone":"Europe/Berlin"}`},
		{"unknown day", `{"time_zone":"UTC","week":{"mon":["09:00-10:00"]}}`},
		{"capitalised day", `{"time_zone":"UTC","week":{"Monday":["09:00-10:00"]}}`},
		{"week as array", `{"time_zone":"UTC","week":[["09:00-10:00"]]}`},
		{"span as object", `{"time_zone":"UTC","week":{"monday":[{"start":"09:00","end":"10:00"}]}}`},
		{"bad span", `{"time_zone":"UTC","week":{"monday":["9:00-10:00"]}}`},
		{"bad date", `{"time_zone":"UTC","holidays":["2025-02-30"]}`},
		{"bad exception field", `{"time_zone":"UTC","exceptions":[{"day":"2025-02-03"}]}`},
		{"not an object", `["UTC"]`},
		{"trailing garbage", `{"time_zone":"UTC"} x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cfg calendar.Config
			err := json.Unmarshal([]byte(tt.json), &cfg)
			require.Error(t, err)
			if tt.name != "trailing garbage" { // refused by encoding/json before our code runs
				require.ErrorIs(t, err, crm.ErrInvalid)
			}
		})
	}
	// Values that cannot be written out.
	for _, cfg := range []calendar.Config{
		{TimeZone: "UTC", Week: calendar.Week{time.Monday: {{Start: -5, End: 60}}}},
		{TimeZone: "UTC", Holidays: []calendar.Date{{Year: 2025, Month: 2, Day: 29}}},
	} {
		_, err := json.Marshal(cfg)
		require.Error(t, err)
	}
}
