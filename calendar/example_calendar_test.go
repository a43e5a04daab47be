package calendar_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm/calendar"
)

// exampleCalendar is a Shanghai service desk: Monday to Friday 09:00-12:00
// and 13:00-18:00, closed for the National Day holidays of 2025 (October 1
// to 8) and working the make-up Sunday before them.
func exampleCalendar() *calendar.Calendar {
	const cfg = `{
	  "name": "Shanghai service desk",
	  "time_zone": "Asia/Shanghai",
	  "week": {
	    "monday": ["09:00-12:00", "13:00-18:00"], "tuesday": ["09:00-12:00", "13:00-18:00"],
	    "wednesday": ["09:00-12:00", "13:00-18:00"], "thursday": ["09:00-12:00", "13:00-18:00"],
	    "friday": ["09:00-12:00", "13:00-18:00"]
	  },
	  "holidays": ["2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04",
	               "2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08"],
	  "exceptions": [{"date": "2025-09-28", "spans": ["09:00-12:00", "13:00-18:00"]}]
	}`
	var c calendar.Config
	if err := json.Unmarshal([]byte(cfg), &c); err != nil {
		panic(err) // example data only
	}
	cal, err := calendar.New(c)
	if err != nil {
		panic(err)
	}
	return cal
}

func ExampleNew() {
	_, err := calendar.New(calendar.Config{
		TimeZone: "Asia/Shangai", // misspelt
		Week: calendar.Week{
			time.Monday: {
				{Start: calendar.At(9, 0), End: calendar.At(12, 0)},
				{Start: calendar.At(11, 0), End: calendar.At(18, 0)}, // overlaps
			},
		},
		Holidays: []calendar.Date{{Year: 2025, Month: time.February, Day: 29}},
	})
	fmt.Println(err)
	// Output:
	// calendar.New: invalid input: time_zone: unknown time zone "Asia/Shangai"; week.monday[1].start: 11:00 is before the end of the previous span (12:00): spans must be in order and not overlap; holidays[0]: not a valid date: 2025-02-29
}

func ExampleCalendar_Add() {
	cal := exampleCalendar()
	shanghai := cal.Location()

	// A complaint arrives on Tuesday 2025-09-30 at 16:30, to be resolved
	// within 8 working hours: 1h30m on Tuesday, nothing during the
	// holidays, the rest from Thursday October 9.
	arrived := time.Date(2025, 9, 30, 16, 30, 0, 0, shanghai)
	due, err := cal.Add(arrived, 8*time.Hour)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(due.Format("Mon 2006-01-02 15:04"))
	fmt.Println(cal.Between(arrived, due))
	fmt.Println(due.Sub(arrived))
	// Output:
	// Thu 2025-10-09 16:30
	// 8h0m0s
	// 216h0m0s
}

func ExampleCalendar_Between() {
	cal := exampleCalendar()
	shanghai := cal.Location()
	from := time.Date(2025, 9, 26, 17, 0, 0, 0, shanghai) // Friday
	to := time.Date(2025, 10, 9, 10, 0, 0, 0, shanghai)   // Thursday after the holidays
	// Friday 1h, make-up Sunday 8h, Monday and Tuesday 16h, Thursday 1h.
	fmt.Println(cal.Between(from, to))
	fmt.Println(cal.IsWorking(time.Date(2025, 10, 3, 10, 0, 0, 0, shanghai)))
	fmt.Println(cal.NextWorking(time.Date(2025, 10, 3, 10, 0, 0, 0, shanghai)).Format("Mon 2006-01-02 15:04"))
	// Output:
	// 26h0m0s
	// false
	// Thu 2025-10-09 09:00
}

// On the days the clocks change, a span gives the working time its wall
// clock shows: in New York the span 01:00-03:00 lasts one hour on
// 2025-03-09 and three hours on 2025-11-02.
func ExampleCalendar_Between_daylightSaving() {
	cal, err := calendar.New(calendar.Config{
		TimeZone: "America/New_York",
		Week:     calendar.Week{time.Sunday: {{Start: calendar.At(1, 0), End: calendar.At(3, 0)}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ny := cal.Location()
	for _, day := range []time.Time{
		time.Date(2025, 3, 2, 0, 0, 0, 0, ny),
		time.Date(2025, 3, 9, 0, 0, 0, 0, ny),
		time.Date(2025, 11, 2, 0, 0, 0, 0, ny),
	} {
		fmt.Println(day.Format("2006-01-02"), cal.Between(day, day.AddDate(0, 0, 1)))
	}
	// Output:
	// 2025-03-02 2h0m0s
	// 2025-03-09 1h0m0s
	// 2025-11-02 3h0m0s
}

func ExampleCalendar_AddExcluding() {
	cal := exampleCalendar()
	shanghai := cal.Location()
	arrived := time.Date(2025, 9, 22, 10, 0, 0, 0, shanghai) // Monday
	// Waiting on the customer from Monday 11:00 to Tuesday 14:00.
	pauses := []calendar.Interval{{
		Start: time.Date(2025, 9, 22, 11, 0, 0, 0, shanghai),
		End:   time.Date(2025, 9, 23, 14, 0, 0, 0, shanghai),
	}}
	// 4 working hours: 1h on Monday before the pause, 3h from Tuesday 14:00.
	due, err := cal.AddExcluding(arrived, 4*time.Hour, pauses)
	fmt.Println(due.Format("Mon 15:04"), err)

	// While the pause is open, the deadline is not known.
	pauses[0].End = time.Time{}
	_, err = cal.AddExcluding(arrived, 4*time.Hour, pauses)
	fmt.Println(errors.Is(err, calendar.ErrPaused))
	// Output:
	// Tue 17:00 <nil>
	// true
}
