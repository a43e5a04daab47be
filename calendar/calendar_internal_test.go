package calendar

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDayReaching checks the guess-gallop-bisect search against a linear
// scan, on calendars whose holidays and exceptions make the guess wrong in
// both directions.
func TestDayReaching(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 40 {
		cfg := Config{TimeZone: "UTC"}
		for d := range cfg.Week {
			if r.IntN(3) > 0 {
				cfg.Week[d] = []Span{{Start: ClockTime(60 * r.IntN(10)), End: ClockTime(60 * (12 + r.IntN(12)))}}
			}
		}
		cfg.Week[r.IntN(7)] = []Span{{Start: 0, End: EndOfDay}}
		base := Date{Year: 2025, Month: time.January, Day: 1}.days()
		seen := map[int64]bool{}
		for range r.IntN(60) {
			n := base + int64(r.IntN(200))
			if seen[n] {
				continue
			}
			seen[n] = true
			if r.IntN(2) == 0 {
				cfg.Holidays = append(cfg.Holidays, dateOfDays(n))
			} else {
				cfg.Exceptions = append(cfg.Exceptions, DayOverride{Date: dateOfDays(n), Spans: []Span{{Start: ClockTime(r.IntN(600)), End: ClockTime(600 + r.IntN(840))}}})
			}
		}
		c, err := New(cfg)
		require.NoError(t, err)
		for range 50 {
			dlo := base - 10 + int64(r.IntN(100))
			dhi := dlo + int64(r.IntN(200))
			lo, hi := c.dayPrefix(dlo), c.dayPrefix(dhi+1)
			if hi <= lo {
				continue
			}
			w := lo + 1 + r.Int64N(hi-lo)
			want := dlo
			for c.dayPrefix(want+1) < w {
				want++
			}
			require.Equal(t, want, c.dayReaching(w, dlo, dhi), "case %d", i)
		}
	}
}

func TestFloorDivAndWeekday(t *testing.T) {
	t.Parallel()
	tests := []struct{ a, b, want int64 }{
		{7, 2, 3}, {-7, 2, -4}, {-8, 2, -4}, {0, 5, 0}, {-1, 86400, -1}, {86399, 86400, 0},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, floorDiv(tt.a, tt.b), "%d/%d", tt.a, tt.b)
	}
	for n := int64(-800); n < 800; n += 13 {
		require.Equal(t, time.Unix(n*secondsPerDay, 0).UTC().Weekday(), weekdayOf(n), "day %d", n)
		require.Equal(t, n, dateOfDays(n).days())
	}
}

// dateOfDays is the inverse of Date.days.
func dateOfDays(n int64) Date {
	return DateOf(time.Unix(n*secondsPerDay, 0).UTC())
}
