package calendar

import (
	"fmt"
	"strings"
	"time"

	"github.com/crmkit/crm"
)

// ClockTime is a time of day on the local wall clock, in minutes since
// midnight: 0 is 00:00 and 1440 is 24:00, the end of the day. Its text form
// is "HH:MM".
type ClockTime int

// Bounds of a ClockTime.
const (
	Midnight ClockTime = 0       // 00:00, the start of the day
	EndOfDay ClockTime = 24 * 60 // 24:00, the end of the day
)

// At returns the ClockTime hour:minute. It does not validate; [New] refuses
// a calendar holding a time outside 00:00–24:00.
func At(hour, minute int) ClockTime { return ClockTime(hour*60 + minute) }

// ParseClockTime parses "HH:MM" with two-digit hours 00–24 and minutes
// 00–59; "24:00" is the end of the day and the only time with hour 24.
func ParseClockTime(s string) (ClockTime, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, crm.Invalid("calendar.ParseClockTime", "", fmt.Sprintf("malformed time %.16q (want HH:MM)", s))
	}
	h, ok1 := twoDigits(s[0:2])
	m, ok2 := twoDigits(s[3:5])
	if !ok1 || !ok2 {
		return 0, crm.Invalid("calendar.ParseClockTime", "", fmt.Sprintf("malformed time %q (want HH:MM)", s))
	}
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, crm.Invalid("calendar.ParseClockTime", "", fmt.Sprintf("time %q out of range 00:00–24:00", s))
	}
	return At(h, m), nil
}

// twoDigits parses exactly two ASCII digits.
func twoDigits(s string) (int, bool) {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// Valid reports whether t lies within 00:00–24:00.
func (t ClockTime) Valid() bool { return t >= Midnight && t <= EndOfDay }

// Hour returns the hour, 0–24.
func (t ClockTime) Hour() int { return int(t) / 60 }

// Minute returns the minute within the hour, 0–59.
func (t ClockTime) Minute() int { return int(t) % 60 }

// Duration returns the time elapsed on the wall clock since midnight.
func (t ClockTime) Duration() time.Duration { return time.Duration(t) * time.Minute }

// String returns "HH:MM", or "ClockTime(n)" when t is not valid.
func (t ClockTime) String() string {
	if !t.Valid() {
		return fmt.Sprintf("ClockTime(%d)", int(t))
	}
	return fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute())
}

// MarshalText implements encoding.TextMarshaler; an invalid time is an
// error wrapping crm.ErrInvalid.
func (t ClockTime) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, crm.Invalid("calendar.ClockTime", "", fmt.Sprintf("out of range: %d minutes", int(t)))
	}
	return []byte(t.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with [ParseClockTime].
func (t *ClockTime) UnmarshalText(b []byte) error {
	v, err := ParseClockTime(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Span is a stretch of working time within one day, from Start up to but
// not including End, on the local wall clock. A valid span has
// 00:00 <= Start < End <= 24:00. Its text form is "HH:MM-HH:MM".
type Span struct {
	Start ClockTime
	End   ClockTime
}

// ParseSpan parses "HH:MM-HH:MM", e.g. "09:00-12:30". It checks the form of
// both times; whether End follows Start is checked by [New], which reports
// the problem with its place in the configuration.
func ParseSpan(s string) (Span, error) {
	i := strings.IndexByte(s, '-')
	if i < 0 || len(s) > 11 {
		return Span{}, crm.Invalid("calendar.ParseSpan", "", fmt.Sprintf("malformed span %.24q (want HH:MM-HH:MM)", s))
	}
	start, err1 := ParseClockTime(s[:i])
	end, err2 := ParseClockTime(s[i+1:])
	if err1 != nil || err2 != nil {
		return Span{}, crm.Invalid("calendar.ParseSpan", "", fmt.Sprintf("malformed span %q (want HH:MM-HH:MM within 00:00–24:00)", s))
	}
	return Span{Start: start, End: end}, nil
}

// Duration returns the span's length on the wall clock (End − Start). On a
// day when the clocks change, the working time it gives can differ; see
// the package documentation.
func (s Span) Duration() time.Duration { return (s.End - s.Start).Duration() }

// String returns "HH:MM-HH:MM".
func (s Span) String() string { return s.Start.String() + "-" + s.End.String() }

// MarshalText implements encoding.TextMarshaler. A time outside
// 00:00–24:00 is an error wrapping crm.ErrInvalid; the order of Start and
// End is not checked here.
func (s Span) MarshalText() ([]byte, error) {
	if !s.Start.Valid() || !s.End.Valid() {
		return nil, crm.Invalid("calendar.Span", "", fmt.Sprintf("time out of range in %s", s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with [ParseSpan].
func (s *Span) UnmarshalText(b []byte) error {
	v, err := ParseSpan(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
