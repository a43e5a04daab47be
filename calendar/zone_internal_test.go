package calendar

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// ruleOnlyZone returns a location like America/New_York whose offsets after
// 2000 all come from its TZ rule string, as in the "slim" zone files of
// time/tzdata and many systems: the kind of zone for which Time.ZoneBounds
// can report an end before the instant asked about.
func ruleOnlyZone(tb testing.TB) *time.Location {
	tb.Helper()
	var b []byte
	be32 := func(v uint32) { b = binary.BigEndian.AppendUint32(b, v) }
	header := func() {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		for _, n := range []uint32{0, 0, 0, 1, 1, 4} { // isut, isstd, leap, time, type, char counts
			be32(n)
		}
	}
	rest := func() {
		b = append(b, 0) // transition to type 0
		utoff := int32(-18000)
		be32(uint32(utoff))
		b = append(b, 0, 0) // not DST, abbreviation at 0
		b = append(b, "EST\x00"...)
	}
	header()
	be32(946684800) // 2000-01-01T00:00:00Z
	rest()
	header()
	b = binary.BigEndian.AppendUint64(b, 946684800)
	rest()
	b = append(b, "\nEST5EDT,M3.2.0,M11.1.0\n"...)
	l, err := time.LoadLocationFromTZData("Test/RuleOnly", b)
	require.NoError(tb, err)
	return l
}

func TestZoneTableAgainstOffsets(t *testing.T) {
	t.Parallel()
	rule := ruleOnlyZone(t)
	if _, end := time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC).In(rule).ZoneBounds(); !end.After(time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC)) {
		t.Logf("time.ZoneBounds reports end %s for 2024-12-31T12:00Z (golang/go#81583)", end.UTC())
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	for _, l := range []*time.Location{rule, berlin, time.UTC} {
		z := newZoneTable(l)
		require.Equal(t, tableFrom, z.starts[0])
		for i := 1; i < len(z.starts); i++ {
			require.Less(t, z.starts[i-1], z.starts[i])
			require.NotEqual(t, z.offs[i-1], z.offs[i])
		}
		check := func(sec int64) {
			end, off := z.lookup(sec)
			require.Equal(t, offsetAt(l, sec), off, "%s at %s", l, time.Unix(sec, 0).UTC())
			require.Equal(t, off, z.offset(sec))
			require.Greater(t, end, sec)
			if end == math.MaxInt64 {
				return
			}
			require.Equal(t, off, offsetAt(l, end-1), "%s: offset changes before the end %s", l, time.Unix(end, 0).UTC())
			require.NotEqual(t, off, offsetAt(l, end), "%s: no change at %s", l, time.Unix(end, 0).UTC())
		}
		// Every 17 hours through 2020-2030 (table) and 2236-2237 (fallback).
		for _, r := range [][2]int{{2020, 2031}, {2236, 2238}} {
			from := time.Date(r[0], 1, 1, 0, 0, 0, 0, time.UTC).Unix()
			to := time.Date(r[1], 1, 1, 0, 0, 0, 0, time.UTC).Unix()
			for sec := from; sec < to; sec += 17 * 3600 {
				check(sec)
			}
		}
		// Every 10 minutes around the ends of leap years.
		for _, y := range []int{2024, 2040, 2236, 2240} {
			from := time.Date(y, 12, 30, 0, 0, 0, 0, time.UTC).Unix()
			for sec := from; sec < from+3*86400; sec += 600 {
				check(sec)
			}
		}
	}
}

// TestWorkingTimeOnRuleOnlyZone measures working time across the end of
// leap years in a zone served by its rule string.
func TestWorkingTimeOnRuleOnlyZone(t *testing.T) {
	t.Parallel()
	var week Week
	for d := range week {
		week[d] = []Span{{Start: 0, End: EndOfDay}}
	}
	week[time.Wednesday] = []Span{{Start: 9 * 60, End: 17 * 60}}
	c, err := New(Config{TimeZone: "UTC", Week: week})
	require.NoError(t, err)
	rule := ruleOnlyZone(t)
	c.loc, c.zone = rule, newZoneTable(rule)
	for _, y := range []int{2024, 2240} {
		// Dec 30 to Jan 2 local. 2024-12-31 and 2240-12-31 are a Tuesday and a
		// Saturday: the Wednesdays among the three days give 8h, the rest 24h.
		from := time.Date(y, 12, 30, 0, 0, 0, 0, rule)
		to := time.Date(y+1, 1, 2, 0, 0, 0, 0, rule)
		var want time.Duration
		for x := from; x.Before(to); x = x.Add(time.Minute) {
			lt := x.In(rule)
			m := lt.Hour()*60 + lt.Minute()
			if lt.Weekday() != time.Wednesday || (m >= 9*60 && m < 17*60) {
				want += time.Minute
			}
		}
		require.Equal(t, want, c.Between(from, to), "year %d", y)
		got, err := c.Add(from, want)
		require.NoError(t, err)
		require.Equal(t, want, c.Between(from, got))
	}
}
