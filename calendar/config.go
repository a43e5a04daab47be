package calendar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// Limits on a [Config], so that a calendar read from untrusted input stays
// small.
const (
	MaxNameLen     = 200    // bytes of Config.Name
	MaxSpansPerDay = 48     // spans in one weekday or exception
	MaxDates       = 20_000 // holidays, and separately exceptions
)

// Config describes a business calendar: when the business works, in one
// IANA time zone. It is plain data with JSON tags, for hosts to store; [New]
// validates it and builds a [Calendar].
//
// A date's working spans are those of its entry in Exceptions, none when it
// is one of the Holidays, else those of its weekday in Week. A date may be
// listed once, in Holidays or in Exceptions.
type Config struct {
	// Name labels the calendar, e.g. "Shanghai service desk"; optional.
	Name string `json:"name,omitempty"`
	// TimeZone is an IANA zone name such as "Europe/Berlin" or "UTC";
	// required. "Local" is refused: a calendar must not depend on the
	// machine it runs on.
	TimeZone string `json:"time_zone"`
	// Week holds the working spans of each day of the week, indexed by
	// time.Weekday. A day without spans is closed.
	Week Week `json:"week"`
	// Holidays are whole days off.
	Holidays []Date `json:"holidays,omitempty"`
	// Exceptions give single dates their own spans: a half day, a special
	// working Saturday, or a closed day (no spans), e.g. each day of a
	// summer shutdown.
	Exceptions []DayOverride `json:"exceptions,omitempty"`
}

// DayOverride gives one date its own working spans, replacing its
// weekday's. No spans means the business is closed that day.
type DayOverride struct {
	Date  Date   `json:"date"`
	Spans []Span `json:"spans"`
}

// Week holds the working spans of each day of the week, indexed by
// time.Weekday (Sunday is 0). In each day, spans must be in order and must
// not overlap; they may touch. Its JSON form is an object keyed by the
// lower-case English day names, Monday first; a missing day is closed.
type Week [7][]Span

// dayNames are the JSON keys of a Week, in time.Weekday order.
var dayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// MarshalJSON writes every day, Monday to Sunday, closed days as [].
func (w Week) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := range 7 {
		day := (i + 1) % 7 // Monday first
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + dayNames[day] + `":`)
		spans := w[day]
		if spans == nil {
			spans = []Span{}
		}
		enc, err := json.Marshal(spans)
		if err != nil {
			return nil, fmt.Errorf("calendar: marshal week.%s: %w", dayNames[day], err)
		}
		b.Write(enc)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the object form; an unknown day name is an error
// wrapping crm.ErrInvalid. JSON null leaves w unchanged.
func (w *Week) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	var m map[string][]Span
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("calendar: decode week: %w: %w", crm.ErrInvalid, err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // report the same unknown day every time
	var out Week
	for _, k := range keys {
		spans := m[k]
		day := -1
		for i, n := range dayNames {
			if k == n {
				day = i
			}
		}
		if day < 0 {
			if len(k) > 32 {
				k = k[:32] + "…"
			}
			return crm.Invalid("calendar.Week", "week", fmt.Sprintf("unknown day %q (want monday … sunday)", k))
		}
		out[day] = spans
	}
	*w = out
	return nil
}

// UnmarshalJSON decodes a Config, refusing fields it does not know (a
// misspelt "timezone" must not silently become UTC). Errors wrap
// crm.ErrInvalid. The result is not validated; [New] does that.
func (c *Config) UnmarshalJSON(b []byte) error {
	type plain Config // without this method
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p plain
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("calendar: decode config: %w: %w", crm.ErrInvalid, err)
	}
	*c = Config(p)
	return nil
}

// clone returns a deep copy of c.
func (c Config) clone() Config {
	out := c
	for i := range out.Week {
		out.Week[i] = cloneSpans(c.Week[i])
	}
	if c.Holidays != nil {
		out.Holidays = append([]Date{}, c.Holidays...)
	}
	if c.Exceptions != nil {
		out.Exceptions = make([]DayOverride, len(c.Exceptions))
		for i, e := range c.Exceptions {
			out.Exceptions[i] = DayOverride{Date: e.Date, Spans: cloneSpans(e.Spans)}
		}
	}
	return out
}

func cloneSpans(s []Span) []Span {
	if s == nil {
		return nil
	}
	return append([]Span{}, s...)
}

// validate checks c, recording every problem in v, and returns the loaded
// location (nil when the zone is unusable).
func (c *Config) validate(v *crm.Validator) *time.Location {
	v.Check(len(c.Name) <= MaxNameLen, "name", fmt.Sprintf("longer than %d bytes", MaxNameLen))
	v.Check(utf8.ValidString(c.Name), "name", "not valid UTF-8")

	var loc *time.Location
	switch {
	case c.TimeZone == "":
		v.Addf("time_zone", "must not be empty (an IANA name such as \"Europe/Berlin\" or \"UTC\")")
	case strings.EqualFold(c.TimeZone, "Local"):
		v.Addf("time_zone", "\"Local\" depends on the machine; name the zone")
	case len(c.TimeZone) > 64:
		v.Addf("time_zone", "longer than 64 bytes")
	default:
		l, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			v.Addf("time_zone", "unknown time zone %q", c.TimeZone)
		} else {
			loc = l
		}
	}

	for day, spans := range c.Week {
		validateSpans(v, "week."+dayNames[day], spans)
	}

	v.Check(len(c.Holidays) <= MaxDates, "holidays", fmt.Sprintf("more than %d dates", MaxDates))
	v.Check(len(c.Exceptions) <= MaxDates, "exceptions", fmt.Sprintf("more than %d dates", MaxDates))
	seen := make(map[Date]string, len(c.Holidays)+len(c.Exceptions))
	for i, d := range c.Holidays {
		p := fmt.Sprintf("holidays[%d]", i)
		if d.Validate() != nil {
			v.Addf(p, "not a valid date: %s", d)
			continue
		}
		if prev, dup := seen[d]; dup {
			v.Addf(p, "%s is already listed at %s", d, prev)
			continue
		}
		seen[d] = p
	}
	for i, e := range c.Exceptions {
		p := fmt.Sprintf("exceptions[%d]", i)
		if e.Date.Validate() != nil {
			v.Addf(p+".date", "not a valid date: %s", e.Date)
		} else if prev, dup := seen[e.Date]; dup {
			v.Addf(p+".date", "%s is already listed at %s", e.Date, prev)
		} else {
			seen[e.Date] = p
		}
		validateSpans(v, p+".spans", e.Spans)
	}

	works := false
	for _, spans := range c.Week {
		works = works || len(spans) > 0
	}
	for _, e := range c.Exceptions {
		works = works || len(e.Spans) > 0
	}
	v.Check(works, "week", "no working time on any weekday or exception")
	return loc
}

// validateSpans checks one day's spans.
func validateSpans(v *crm.Validator, path string, spans []Span) {
	if len(spans) > MaxSpansPerDay {
		v.Addf(path, "more than %d spans", MaxSpansPerDay)
		return
	}
	for i, s := range spans {
		p := fmt.Sprintf("%s[%d]", path, i)
		okStart := v.Check(s.Start.Valid(), p+".start", "must be within 00:00–24:00")
		okEnd := v.Check(s.End.Valid(), p+".end", "must be within 00:00–24:00")
		if okStart && okEnd {
			v.Check(s.End > s.Start, p+".end", fmt.Sprintf("%s is not after start %s", s.End, s.Start))
		}
		if i > 0 && okStart && spans[i-1].End.Valid() {
			v.Check(s.Start >= spans[i-1].End, p+".start",
				fmt.Sprintf("%s is before the end of the previous span (%s): spans must be in order and not overlap", s.Start, spans[i-1].End))
		}
	}
}
