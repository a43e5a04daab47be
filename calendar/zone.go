package calendar

import (
	"math"
	"slices"
	"time"
)

// The zone table covers these years; instants outside it ask the time
// package directly, which is slower but gives the same answers.
var (
	tableFrom = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	tableTo   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// maxTableEntries bounds the walk over a zone's offset changes when
// building the table; real zones have fewer than 1,000 in the covered years.
const maxTableEntries = 4096

// zoneTable holds the UTC offsets of one location between the instants
// they change, so that looking one up is a binary search over int64s. A
// period runs from starts[i] up to starts[i+1] (the last one up to end)
// with offset offs[i]; neighbouring periods have different offsets.
type zoneTable struct {
	loc    *time.Location
	starts []int64 // Unix seconds, starts[0] == tableFrom
	offs   []int64 // seconds east of UTC
	end    int64   // end of the last period; math.MaxInt64 when it never ends
}

// newZoneTable walks loc's offset changes from tableFrom to tableTo.
func newZoneTable(loc *time.Location) zoneTable {
	z := zoneTable{loc: loc, end: tableFrom}
	sec, off := tableFrom, offsetAt(loc, tableFrom)
	for range maxTableEntries {
		z.starts = append(z.starts, sec)
		z.offs = append(z.offs, off)
		next := nextChange(loc, sec, off)
		if next >= tableTo {
			z.end = next
			return z
		}
		sec, off = next, offsetAt(loc, next)
	}
	z.end = sec // the last period's end is unknown: leave it to the fallback
	return z
}

// lookup returns the end of the period of constant offset holding the
// instant sec (math.MaxInt64 when the offset never changes again), and the
// offset.
func (z *zoneTable) lookup(sec int64) (end, off int64) {
	if sec < tableFrom || sec >= z.end {
		off = offsetAt(z.loc, sec)
		return nextChange(z.loc, sec, off), off
	}
	i, found := slices.BinarySearch(z.starts, sec)
	if !found {
		i--
	}
	end = z.end
	if i+1 < len(z.starts) {
		end = z.starts[i+1]
	}
	return end, z.offs[i]
}

// offsetAt returns loc's UTC offset at the instant sec, in seconds.
func offsetAt(loc *time.Location, sec int64) int64 {
	_, off := time.Unix(sec, 0).In(loc).Zone()
	return int64(off)
}

// nextChange returns the first instant after sec at which loc's offset is
// no longer off (the offset at sec), or math.MaxInt64 when there is none.
//
// It takes the ends that Time.ZoneBounds reports as hints and checks each
// against the offsets, because ZoneBounds can report an end at or before
// the instant asked about (late on the last day of a leap year in years a
// zone's TZ rule string serves; golang/go#81583) or a change of
// abbreviation alone. When the hint is unusable it steps forward an hour at
// a time until the offset changes or the hints make sense again.
func nextChange(loc *time.Location, sec, off int64) int64 {
	probe := sec
	for range 10_000 { // each round moves probe forward; bounded for safety
		_, e := time.Unix(probe, 0).In(loc).ZoneBounds()
		if e.IsZero() {
			return math.MaxInt64
		}
		if end := e.Unix(); end > probe {
			if offsetAt(loc, end) != off {
				return end
			}
			probe = end // same offset on both sides: not a change for us
			continue
		}
		step := probe + 3600
		if offsetAt(loc, step) != off {
			return firstChange(loc, probe, step, off)
		}
		probe = step
	}
	return probe + 1 // give up in small steps rather than claim too much
}

// firstChange returns the first second in (lo, hi] whose offset is not
// off, given that the offset at lo is off and at hi is not.
func firstChange(loc *time.Location, lo, hi, off int64) int64 {
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if offsetAt(loc, mid) == off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// offset returns the offset at the instant sec.
func (z *zoneTable) offset(sec int64) int64 {
	if sec < tableFrom || sec >= z.end {
		return offsetAt(z.loc, sec)
	}
	i, found := slices.BinarySearch(z.starts, sec)
	if !found {
		i--
	}
	return z.offs[i]
}
