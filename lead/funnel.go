package lead

import (
	"cmp"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/internal/enum"
)

// Dimension is what a funnel report groups leads by.
type Dimension uint8

// Funnel dimensions. The stored form is the name.
const (
	ByPeriod   Dimension = iota + 1 // the period of capture (FunnelOptions.Period)
	BySource                        // the source kind
	ByCampaign                      // the capture's campaign (Source.Campaign)
	ByTeam                          // the team
	ByOwner                         // the current owner
)

var dimensions = enum.New[Dimension]("dimension", "period", "source", "campaign", "team", "owner")

// ParseDimension parses a dimension name such as "campaign".
func ParseDimension(s string) (Dimension, error) { return dimensions.Parse(s) }

// String returns the dimension's name.
func (d Dimension) String() string { return dimensions.String(d) }

// Valid reports whether d is a known dimension.
func (d Dimension) Valid() bool { return dimensions.Valid(d) }

// MarshalText implements encoding.TextMarshaler.
func (d Dimension) MarshalText() ([]byte, error) { return dimensions.Marshal(d) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Dimension) UnmarshalText(b []byte) (err error) {
	*d, err = dimensions.Parse(string(b))
	return err
}

// Period is the length of a reporting period.
type Period uint8

// Reporting periods. The stored form is the name.
const (
	Day   Period = iota + 1 // a calendar day
	Week                    // an ISO week, from Monday
	Month                   // a calendar month
)

var periods = enum.New[Period]("period", "day", "week", "month")

// ParsePeriod parses "day", "week" or "month".
func ParsePeriod(s string) (Period, error) { return periods.Parse(s) }

// String returns the period's name.
func (p Period) String() string { return periods.String(p) }

// Valid reports whether p is a known period.
func (p Period) Valid() bool { return periods.Valid(p) }

// MarshalText implements encoding.TextMarshaler.
func (p Period) MarshalText() ([]byte, error) { return periods.Marshal(p) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Period) UnmarshalText(b []byte) (err error) { *p, err = periods.Parse(string(b)); return err }

// start returns the start of the period holding t, in loc.
func (p Period) start(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	switch p {
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	case Week:
		wd := (int(t.Weekday()) + 6) % 7 // Monday 0
		return time.Date(y, m, d-wd, 0, 0, 0, 0, loc)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// FunnelOptions tune [Funnel]. The zero value groups by month of capture in
// UTC over every lead, measuring time to first contact in wall-clock time.
type FunnelOptions struct {
	// GroupBy is the dimension; zero means ByPeriod.
	GroupBy Dimension
	// Period is the period length for ByPeriod and for velocity; zero
	// means Month.
	Period Period
	// Location is the time zone periods are cut in; nil means UTC.
	Location *time.Location
	// From and To keep leads captured in [From, To); either may be zero.
	From, To time.Time
	// Calendar, when set, measures time to first contact in its working
	// time (business time); nil measures wall-clock time.
	Calendar *calendar.Calendar
}

// StageRate is the conversion rate from one stage to a later one.
type StageRate struct {
	From, To Stage
	// Reached counts the leads that reached From; Converted those of them
	// that also reached To.
	Reached, Converted int
	// Rate is Converted ÷ Reached, 0 when Reached is 0.
	Rate float64
}

// FunnelGroup is the funnel of one group of leads.
type FunnelGroup struct {
	// Key names the group: the period's start (RFC 3339 date), the source
	// kind, the campaign ID, the team or the owner ("" for leads without
	// one).
	Key string
	// Leads counts the group's leads.
	Leads int
	// Reached counts the leads that ever reached each stage, indexed by
	// Stage-1.
	Reached [6]int
	// Rates holds the conversion rate between every pair of stages in
	// stage order (new→contacted, new→nurturing, … converted→disqualified
	// is left out: a converted lead is final), 14 pairs.
	Rates []StageRate
	// Contacted counts the leads with a first contact; MeanFirstContact
	// and MedianFirstContact are their time from capture to first contact
	// (business time when FunnelOptions.Calendar is set).
	Contacted          int
	MeanFirstContact   time.Duration
	MedianFirstContact time.Duration
	// Velocity is the number of leads reaching qualified per period
	// (FunnelOptions.Period) over the report's span: From to To when both
	// are set, else from the first capture to the last qualification seen.
	Velocity float64
	// Growth, for ByPeriod groups after the first, is the lead velocity
	// rate: (qualified in this period − in the previous) ÷ previous;
	// HasGrowth is false when the previous period had no lead or
	// qualified none.
	Growth    float64
	HasGrowth bool
}

type funnelAcc struct {
	key       string
	sortKey   int64
	masks     [64]int
	leads     int
	qualified int
	durations []time.Duration
}

type funnelKey struct {
	s  string
	id crm.ID
	n  int64
}

// Funnel reports the lead funnel of leads grouped by opts.GroupBy: for
// each group the leads that reached each stage, the conversion rate
// between every pair of stages, time to first contact and lead velocity.
// Groups come sorted by key (periods chronologically). Leads are read
// once; nil leads are skipped. Invalid options give a *crm.ValidationError.
func Funnel(leads iter.Seq[*Lead], opts FunnelOptions) ([]FunnelGroup, error) {
	var v crm.Validator
	if opts.GroupBy == 0 {
		opts.GroupBy = ByPeriod
	}
	if opts.Period == 0 {
		opts.Period = Month
	}
	v.Check(opts.GroupBy.Valid(), "group_by", "unknown dimension")
	v.Check(opts.Period.Valid(), "period", "unknown period")
	v.Check(opts.From.IsZero() || opts.To.IsZero() || opts.From.Before(opts.To), "to", "must be after from")
	if err := v.Err("lead.Funnel"); err != nil {
		return nil, err
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	groups := map[funnelKey]*funnelAcc{}
	var first, last time.Time
	var lastPeriod, lastNext time.Time
	var lastPeriodKey int64
	for l := range leads {
		if l == nil {
			continue
		}
		if (!opts.From.IsZero() && l.capturedAt.Before(opts.From)) || (!opts.To.IsZero() && !l.capturedAt.Before(opts.To)) {
			continue
		}
		var k funnelKey
		switch opts.GroupBy {
		case ByPeriod:
			// Consecutive leads mostly share a period: reuse the last cut.
			if !lastPeriod.IsZero() && !l.capturedAt.Before(lastPeriod) && l.capturedAt.Before(lastNext) {
				k.n = lastPeriodKey
			} else {
				lastPeriod = opts.Period.start(l.capturedAt, loc)
				lastNext = nextPeriod(opts.Period, lastPeriod)
				lastPeriodKey = lastPeriod.Unix()
				k.n = lastPeriodKey
			}
		case BySource:
			k.n = int64(l.source.Kind)
		case ByCampaign:
			k.id = l.source.Campaign
		case ByTeam:
			k.s = l.team
		case ByOwner:
			k.s = string(l.owner)
		}
		g := groups[k]
		if g == nil {
			g = &funnelAcc{}
			switch opts.GroupBy {
			case ByPeriod:
				g.key, g.sortKey = time.Unix(k.n, 0).In(loc).Format(time.DateOnly), k.n
			case BySource:
				g.key = l.source.Kind.String()
			case ByCampaign:
				if !k.id.IsZero() {
					g.key = k.id.String()
				}
			default:
				g.key = k.s
			}
			groups[k] = g
		}
		g.leads++
		mask := 0
		for s := range l.reached {
			if !l.reached[s].IsZero() {
				mask |= 1 << s
			}
		}
		g.masks[mask]++
		if q := l.reached[StageQualified-1]; !q.IsZero() {
			g.qualified++
			if q.After(last) {
				last = q
			}
		}
		if first.IsZero() || l.capturedAt.Before(first) {
			first = l.capturedAt
		}
		if !l.firstContactAt.IsZero() {
			var d time.Duration
			if opts.Calendar != nil {
				d = opts.Calendar.Between(l.capturedAt, l.firstContactAt)
			} else {
				d = l.firstContactAt.Sub(l.capturedAt)
			}
			g.durations = append(g.durations, d)
		}
	}
	span := time.Duration(0)
	switch {
	case !opts.From.IsZero() && !opts.To.IsZero():
		span = opts.To.Sub(opts.From)
	case !first.IsZero() && last.After(first):
		span = last.Sub(first)
	}
	periodLen := map[Period]time.Duration{Day: 24 * time.Hour, Week: 7 * 24 * time.Hour, Month: 30 * 24 * time.Hour}[opts.Period]
	accs := make([]*funnelAcc, 0, len(groups))
	for _, g := range groups {
		accs = append(accs, g)
	}
	slices.SortFunc(accs, func(a, b *funnelAcc) int {
		if c := cmp.Compare(a.sortKey, b.sortKey); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
	out := make([]FunnelGroup, len(accs))
	for i, g := range accs {
		fg := FunnelGroup{Key: g.key, Leads: g.leads, Contacted: len(g.durations)}
		for mask, n := range g.masks {
			for s := range 6 {
				if mask&(1<<s) != 0 {
					fg.Reached[s] += n
				}
			}
		}
		for a := StageNew; a <= StageDisqualified; a++ {
			for b := a + 1; b <= StageDisqualified; b++ {
				if a == StageConverted {
					continue
				}
				r := StageRate{From: a, To: b}
				for mask, n := range g.masks {
					if mask&(1<<(a-1)) != 0 {
						r.Reached += n
						if mask&(1<<(b-1)) != 0 {
							r.Converted += n
						}
					}
				}
				if r.Reached > 0 {
					r.Rate = float64(r.Converted) / float64(r.Reached)
				}
				fg.Rates = append(fg.Rates, r)
			}
		}
		if len(g.durations) > 0 {
			var sum float64
			for _, d := range g.durations {
				sum += float64(d)
			}
			fg.MeanFirstContact = time.Duration(math.Round(sum / float64(len(g.durations))))
			slices.Sort(g.durations)
			fg.MedianFirstContact = g.durations[(len(g.durations)-1)/2]
		}
		if span > 0 {
			fg.Velocity = float64(g.qualified) / (float64(span) / float64(periodLen))
		}
		if opts.GroupBy == ByPeriod && i > 0 && accs[i-1].qualified > 0 &&
			nextPeriod(opts.Period, time.Unix(accs[i-1].sortKey, 0).In(loc)).Unix() == g.sortKey {
			prev := float64(accs[i-1].qualified)
			fg.Growth, fg.HasGrowth = (float64(g.qualified)-prev)/prev, true
		}
		out[i] = fg
	}
	return out, nil
}

// nextPeriod returns the start of the period after the one starting at s.
func nextPeriod(p Period, s time.Time) time.Time {
	switch p {
	case Month:
		return s.AddDate(0, 1, 0)
	case Week:
		return s.AddDate(0, 0, 7)
	}
	return s.AddDate(0, 0, 1)
}
