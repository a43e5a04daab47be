package customer

import (
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// Date is a calendar date without a time or zone: a birthday, a wedding
// anniversary, the day a contract was signed. Year 0 means the year is not
// known ("--03-14"), which is common for birthdays.
type Date struct {
	Year  int // 0 when unknown, else 1..9999
	Month time.Month
	Day   int
}

// ParseDate parses "2006-01-02" or, with the year unknown, "--01-02".
func ParseDate(s string) (Date, error) {
	var d Date
	ok := false
	switch {
	case len(s) == 7 && s[:2] == "--" && s[4] == '-':
		m, ok1 := digits(s[2:4])
		day, ok2 := digits(s[5:7])
		d, ok = Date{Month: time.Month(m), Day: day}, ok1 && ok2
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		y, ok1 := digits(s[0:4])
		m, ok2 := digits(s[5:7])
		day, ok3 := digits(s[8:10])
		d, ok = Date{Year: y, Month: time.Month(m), Day: day}, ok1 && ok2 && ok3 && y > 0
	}
	if !ok {
		return Date{}, crm.Invalid("customer.ParseDate", "", fmt.Sprintf("malformed date %.20q (want YYYY-MM-DD or --MM-DD)", s))
	}
	if err := d.Validate(); err != nil {
		return Date{}, err
	}
	return d, nil
}

// digits parses a string of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, len(s) > 0
}

// Validate reports an error wrapping crm.ErrInvalid when d is not a real
// date. February 29 is valid with an unknown year or in a leap year.
func (d Date) Validate() error {
	if d.Year < 0 || d.Year > 9999 || d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return crm.Invalid("customer.Date", "", "out of range")
	}
	y := d.Year
	if y == 0 {
		y = 2000 // a leap year: --02-29 is a valid birthday
	}
	if d.Day > daysIn(y, d.Month) {
		return crm.Invalid("customer.Date", "", "day out of range for month")
	}
	return nil
}

// daysIn returns the number of days of month m in year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String returns "2006-01-02", or "--01-02" when the year is unknown.
func (d Date) String() string {
	if d.Year == 0 {
		return fmt.Sprintf("--%02d-%02d", int(d.Month), d.Day)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
