package calendar

import (
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// Date is a civil date, a day on the calendar without a time or zone: a
// public holiday, a half day. Its text form is "2006-01-02"; valid years
// are 1 to 9999.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, crm.Invalid("calendar.ParseDate", "", fmt.Sprintf("malformed date %.20q (want YYYY-MM-DD)", s))
	}
	y1, ok1 := twoDigits(s[0:2])
	y2, ok2 := twoDigits(s[2:4])
	m, ok3 := twoDigits(s[5:7])
	d, ok4 := twoDigits(s[8:10])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return Date{}, crm.Invalid("calendar.ParseDate", "", fmt.Sprintf("malformed date %q (want YYYY-MM-DD)", s))
	}
	date := Date{Year: y1*100 + y2, Month: time.Month(m), Day: d}
	if err := date.Validate(); err != nil {
		return Date{}, err
	}
	return date, nil
}

// DateOf returns the date of t on its own location's wall clock; use
// t.In(loc) first to read it in another zone.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Validate returns an error wrapping crm.ErrInvalid unless d is a real date
// in the years 1 to 9999.
func (d Date) Validate() error {
	if d.Year < 1 || d.Year > 9999 || d.Month < time.January || d.Month > time.December || d.Day < 1 ||
		d.Day > time.Date(d.Year, d.Month+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return crm.Invalid("calendar.Date", "", fmt.Sprintf("not a date: %s", d))
	}
	return nil
}

// Weekday returns the day of the week of a valid date.
func (d Date) Weekday() time.Weekday { return weekdayOf(d.days()) }

// days returns the number of days from 1970-01-01 to d (negative before).
func (d Date) days() int64 {
	return floorDiv(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay)
}

// String returns "2006-01-02" (with the fields as they are when d is not
// valid).
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText implements encoding.TextMarshaler; an invalid date is an
// error wrapping crm.ErrInvalid.
func (d Date) MarshalText() ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with [ParseDate].
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
