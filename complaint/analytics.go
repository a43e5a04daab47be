package complaint

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// Dimension names a slice of the analytics: the property complaints are
// grouped by in [Report.Slices].
type Dimension string

// Dimensions of the analytics. The zero Dimension gives totals only.
const (
	ByNone          Dimension = ""               // totals only
	ByCategory      Dimension = "category"       // the complaint's category code
	ByAsset         Dimension = "asset"          // the asset cut to AnalyticsOptions.AssetLevel levels
	ByOwner         Dimension = "owner"          // the current owner
	ByChannel       Dimension = "channel"        // the channel's name, e.g. "call_centre"
	ByCustomerClass Dimension = "customer_class" // from AnalyticsOptions.Facts
	BySeverity      Dimension = "severity"       // the severity's name, e.g. "high"
	ByMonth         Dimension = "month"          // receipt month "2026-03" in AnalyticsOptions.Location (UTC default)
)

// Valid reports whether d is a known dimension (ByNone included).
func (d Dimension) Valid() bool {
	switch d {
	case ByNone, ByCategory, ByAsset, ByOwner, ByChannel, ByCustomerClass, BySeverity, ByMonth:
		return true
	}
	return false
}

// Defaults of [AnalyticsOptions].
const (
	DefaultTopRootCauses = 10 // root causes listed when TopRootCauses is 0
	DefaultRepeatMin     = 2  // complaints that make a repeat complainer when RepeatMin is 0
)

// AnalyticsOptions say which complaints an [Analyzer] counts, at which
// instant, and how it slices them. The maps and the policy set are read,
// never changed, and must not change while the analyzer is in use.
type AnalyticsOptions struct {
	// From and To bound the period: complaints received in [From, To)
	// count, others are ignored. A zero bound is unbounded; when both are
	// set, From must be before To.
	From, To time.Time
	// At is the instant open clocks and SLA standings are measured at;
	// required. A clock that stops after At counts as still running.
	At time.Time
	// By is the dimension of the slices; ByNone gives totals only.
	By Dimension
	// AssetLevel is how many levels of the asset path ByAsset keeps; 0
	// means the full path. Must not be negative.
	AssetLevel int
	// Facts are the customer facts by customer ID: the class for
	// ByCustomerClass and the facts policies are chosen by. A missing
	// customer has zero facts.
	Facts map[crm.ID]CustomerFacts
	// Policies, when set, add SLA compliance and measure durations in
	// working time on the calendar of each complaint's policy; every
	// policy's calendar must be in Calendars. When nil, durations are wall
	// time and [Stats.SLA] is empty.
	Policies *PolicySet
	// Calendars are the business calendars by name, for Policies.
	Calendars map[string]*calendar.Calendar
	// TopRootCauses is how many root causes to list; 0 means
	// DefaultTopRootCauses. Must not be negative.
	TopRootCauses int
	// RepeatMin is how many complaints one customer must have in a slice
	// to be listed as a repeat complainer; 0 means DefaultRepeatMin. Must
	// not be negative.
	RepeatMin int
	// Location is the time zone of ByMonth; nil means UTC.
	Location *time.Location
}

// Report is the result of an analysis: the totals over the period and,
// unless By is ByNone, one [Slice] per key in ascending order of key.
type Report struct {
	// From, To, At and By repeat the options the report was made with.
	From, To, At time.Time
	By           Dimension
	// Total covers every complaint counted.
	Total Stats
	// Slices are the stats per key of By, in ascending byte order of Key;
	// nil with ByNone or when nothing was counted.
	Slices []Slice
}

// Slice is the statistics of the complaints sharing one key of a
// [Dimension].
type Slice struct {
	// Key is the dimension's value, e.g. the category code or "2026-03".
	// It is "" for complaints without one (no asset, no customer class).
	Key   string
	Stats Stats
}

// Stats are the statistics of a set of complaints. Every rate is 0, never
// NaN, when its denominator is 0.
//
// Status counts are of the complaint's current status: Open counts those
// neither resolved, closed nor rejected, so that Open + Resolved + Closed
// + Rejected = Count.
type Stats struct {
	Count, Open, Resolved, Closed, Rejected int
	// Acknowledge, FirstResponse and Resolve are the durations of the
	// complaints' acknowledgement, first-response and resolution clocks
	// ([Complaint.AckTimer] and the others) that stopped at or before At.
	// Waiting on the customer is not counted; with Policies they are
	// working time on the calendar of the complaint's policy, otherwise
	// wall time.
	Acknowledge, FirstResponse, Resolve Durations
	// SLA is the compliance per target at At, for the targets some policy
	// of AnalyticsOptions.Policies tracks; nil without Policies.
	SLA map[SLATarget]Compliance
	// Reopened counts complaints reopened at least once; ReopenRate is
	// Reopened over the complaints ever resolved, closed or rejected
	// (reopened ones included).
	Reopened   int
	ReopenRate float64
	// HandOvers is the total of owner changes; HandOversPerComplaint is
	// HandOvers / Count.
	HandOvers             int
	HandOversPerComplaint float64
	// Escalated counts complaints with an escalation level above 0.
	Escalated int
	// CSAT summarises the satisfaction surveys recorded.
	CSAT CSAT
	// RootCauses are the most frequent root-cause categories of the
	// recorded resolutions: the top TopRootCauses by count, ties in
	// ascending order of category.
	RootCauses []RootCauseCount
	// RepeatComplainers are the customers with at least RepeatMin
	// complaints in this set, by count descending then ID ascending.
	RepeatComplainers []RepeatComplainer
	// Accepted and NotAccepted count the customers' recorded acceptance
	// of the decision.
	Accepted, NotAccepted int
}

// Durations summarises a set of durations. Percentiles use the
// nearest-rank method: the p-th percentile of N sorted values is the value
// of rank ceil(p/100 × N), so Median is the lower middle value when N is
// even and every figure is an observed duration. Mean is rounded down to
// the nanosecond. All are zero when N is 0.
type Durations struct {
	N                 int
	Median, P90, Mean time.Duration
}

// Compliance counts complaints against one service-level target at an
// instant: Met stopped before the deadline, Breached stopped late or still
// running past it, Pending still running and not yet due (paused ones
// included). Rate is Met / (Met + Breached), 0 when both are 0.
type Compliance struct {
	Met, Breached, Pending int
	Rate                   float64
}

// CSAT summarises satisfaction surveys: N surveys, their Mean score, how
// many gave each score (Scores[0] counts score 1) and the share that gave
// 4 or 5 (SatisfiedRate). Mean and SatisfiedRate are 0 when N is 0.
type CSAT struct {
	N             int
	Mean          float64
	Scores        [5]int
	SatisfiedRate float64
}

// RootCauseCount is how many complaints' resolutions named a root-cause
// category.
type RootCauseCount struct {
	Category string
	Count    int
}

// RepeatComplainer is a customer who complained Count times.
type RepeatComplainer struct {
	Customer crm.ID
	Count    int
}

// Analyzer accumulates statistics over complaints one at a time, keeping
// only counters and the durations percentiles need, so that a host can
// stream a whole table through it. Build one with [NewAnalyzer]. An
// Analyzer is not safe for concurrent use.
type Analyzer struct {
	opts    AnalyticsOptions
	tracked [len(slaTargets)]bool // targets some policy tracks
	total   *tally
	slices  map[string]*tally
}

// tally is the running state of one set of complaints.
type tally struct {
	count, open, resolved, closed, rejected int
	durs                                    [3][]int64 // acknowledge, first response, resolve
	sla                                     [len(slaTargets)]Compliance
	reopened, decided, handOvers, escalated int
	csatSum                                 int
	csat                                    CSAT
	roots                                   map[string]int
	customers                               map[crm.ID]int
	accepted, notAccepted                   int
}

// NewAnalyzer validates opts and returns an empty analyzer. The refusals
// are a *crm.ValidationError (matching crm.ErrInvalid): an unknown
// dimension, a zero At, From not before To, a negative AssetLevel,
// TopRootCauses or RepeatMin, an invalid policy set, or a policy whose
// calendar is missing from Calendars.
func NewAnalyzer(opts AnalyticsOptions) (*Analyzer, error) {
	var v crm.Validator
	v.Check(opts.By.Valid(), "by", "unknown dimension")
	v.Check(!opts.At.IsZero(), "at", "must be set")
	if !opts.From.IsZero() && !opts.To.IsZero() {
		v.Check(opts.From.Before(opts.To), "from", "must be before to")
	}
	v.Check(opts.AssetLevel >= 0, "asset_level", "must not be negative")
	v.Check(opts.TopRootCauses >= 0, "top_root_causes", "must not be negative")
	v.Check(opts.RepeatMin >= 0, "repeat_min", "must not be negative")
	a := &Analyzer{opts: opts, total: newTally()}
	if set := opts.Policies; set != nil {
		v.Merge("policies", set.Validate())
		for i, p := range set.Policies {
			a.checkPolicy(&v, fmt.Sprintf("policies.policies[%d].calendar", i), p)
		}
		a.checkPolicy(&v, "policies.default.calendar", set.Default)
	}
	if err := v.Err("complaint.NewAnalyzer"); err != nil {
		return nil, err
	}
	if a.opts.TopRootCauses == 0 {
		a.opts.TopRootCauses = DefaultTopRootCauses
	}
	if a.opts.RepeatMin == 0 {
		a.opts.RepeatMin = DefaultRepeatMin
	}
	if a.opts.Location == nil {
		a.opts.Location = time.UTC
	}
	if a.opts.By != ByNone {
		a.slices = make(map[string]*tally)
	}
	return a, nil
}

// checkPolicy records a missing calendar of p and which targets p tracks.
func (a *Analyzer) checkPolicy(v *crm.Validator, path string, p Policy) {
	if p.Calendar != "" {
		v.Check(a.opts.Calendars[p.Calendar] != nil, path, "no such calendar in calendars")
	}
	for i, t := range slaTargets {
		if p.Targets.Get(t).Target != 0 {
			a.tracked[i] = true
		}
	}
}

func newTally() *tally {
	return &tally{roots: make(map[string]int), customers: make(map[crm.ID]int)}
}

// observation is what one complaint contributes to a tally.
type observation struct {
	c     *Complaint
	durs  [3]int64
	has   [3]bool
	sla   [len(slaTargets)]int8 // 0 untracked, 1 met, 2 breached, 3 pending
	facts CustomerFacts
}

const (
	slaUntracked int8 = iota
	slaMet
	slaBreached
	slaPending
)

// Add counts c when it was received in the period and ignores it
// otherwise. With Policies, an SLA standing or working time that cannot be
// computed (see [SLAStatus]) is an error and c is not counted; a nil c
// is refused with an error wrapping crm.ErrInvalid.
func (a *Analyzer) Add(c *Complaint) error {
	if c == nil {
		return crm.Invalid("complaint.Analyzer.Add", "complaint", "nil complaint")
	}
	recv := c.receivedAt
	if (!a.opts.From.IsZero() && recv.Before(a.opts.From)) || (!a.opts.To.IsZero() && !recv.Before(a.opts.To)) {
		return nil
	}
	o := observation{c: c, facts: a.opts.Facts[c.customer]}
	var cal *calendar.Calendar
	if set := a.opts.Policies; set != nil {
		s, err := SLAStatus(c, set, a.opts.Calendars, o.facts, a.opts.At)
		if err != nil {
			return fmt.Errorf("complaint: analyze %s: %w", c.id, err)
		}
		cal = a.opts.Calendars[s.Calendar]
		for i, t := range slaTargets {
			ts := s.Get(t)
			switch {
			case !ts.Tracked:
			case ts.State == calendar.StateMet:
				o.sla[i] = slaMet
			case ts.State == calendar.StateMissed || ts.State == calendar.StateBreached:
				o.sla[i] = slaBreached
			default:
				o.sla[i] = slaPending
			}
		}
	}
	for i, t := range [3]calendar.Timer{c.AckTimer(), c.FirstResponseTimer(), c.ResolutionTimer()} {
		if t.Stop.IsZero() || t.Stop.After(a.opts.At) {
			continue
		}
		o.has[i] = true
		if cal != nil {
			o.durs[i] = int64(cal.BetweenExcluding(t.Start, t.Stop, t.Pauses))
		} else {
			o.durs[i] = int64(wallExcluding(t.Start, t.Stop, t.Pauses))
		}
	}
	a.total.add(&o)
	if a.slices != nil {
		k := a.key(&o)
		s := a.slices[k]
		if s == nil {
			s = newTally()
			a.slices[k] = s
		}
		s.add(&o)
	}
	return nil
}

// wallExcluding returns the wall time in [from, to) outside the pauses,
// which are in order of start (as a complaint keeps them); an open pause
// lasts until to.
func wallExcluding(from, to time.Time, pauses []calendar.Interval) time.Duration {
	if !from.Before(to) {
		return 0
	}
	var d time.Duration
	cur := from
	for _, p := range pauses {
		if !cur.Before(to) {
			break
		}
		if cur.Before(p.Start) {
			end := p.Start
			if to.Before(end) {
				end = to
			}
			d += end.Sub(cur)
		}
		if p.Open() {
			return d
		}
		if cur.Before(p.End) {
			cur = p.End
		}
	}
	if cur.Before(to) {
		d += to.Sub(cur)
	}
	return d
}

// key returns the slice key of o under the analyzer's dimension.
func (a *Analyzer) key(o *observation) string {
	c := o.c
	switch a.opts.By {
	case ByCategory:
		return c.category
	case ByAsset:
		as := c.asset
		if n := a.opts.AssetLevel; n > 0 && len(as) > n {
			as = as[:n]
		}
		return as.String()
	case ByOwner:
		return string(c.owner)
	case ByChannel:
		return c.channel.String()
	case ByCustomerClass:
		return o.facts.Class
	case BySeverity:
		return c.severity.String()
	default: // ByMonth
		y, m, _ := c.receivedAt.In(a.opts.Location).Date()
		return monthKey(y, m)
	}
}

// monthKey returns "YYYY-MM" for years 0–9999 (wider years keep their sign
// and digits).
func monthKey(y int, m time.Month) string {
	var b [16]byte
	out := b[:0]
	if y >= 0 && y < 10000 {
		out = append(out, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	} else {
		out = strconv.AppendInt(out, int64(y), 10)
	}
	return string(append(out, '-', byte('0'+m/10), byte('0'+m%10)))
}

// add counts o in t.
func (t *tally) add(o *observation) {
	c := o.c
	t.count++
	switch c.status {
	case Resolved:
		t.resolved++
	case Closed:
		t.closed++
	case Rejected:
		t.rejected++
	default:
		t.open++
	}
	for i := range o.durs {
		if o.has[i] {
			t.durs[i] = append(t.durs[i], o.durs[i])
		}
	}
	for i, s := range o.sla {
		switch s {
		case slaMet:
			t.sla[i].Met++
		case slaBreached:
			t.sla[i].Breached++
		case slaPending:
			t.sla[i].Pending++
		}
	}
	if c.reopens > 0 {
		t.reopened++
	}
	if c.reopens > 0 || !c.resolvedAt.IsZero() || c.status == Resolved || c.status == Closed || c.status == Rejected {
		t.decided++
	}
	t.handOvers += c.handOvers
	if c.escalation > 0 {
		t.escalated++
	}
	if s := c.survey; s != nil && s.CSAT >= 1 && s.CSAT <= 5 {
		t.csat.N++
		t.csat.Scores[s.CSAT-1]++
		t.csatSum += s.CSAT
	}
	if r := c.resolution; r != nil && r.RootCause.Category != "" {
		t.roots[r.RootCause.Category]++
	}
	t.customers[c.customer]++
	if c.accepted != nil {
		if *c.accepted {
			t.accepted++
		} else {
			t.notAccepted++
		}
	}
}

// Report returns the statistics of the complaints added so far, sharing
// nothing with the analyzer. It may be called again, also after more
// complaints are added; it only sorts the durations kept.
func (a *Analyzer) Report() Report {
	r := Report{From: a.opts.From, To: a.opts.To, At: a.opts.At, By: a.opts.By, Total: a.stats(a.total)}
	if len(a.slices) > 0 {
		keys := make([]string, 0, len(a.slices))
		for k := range a.slices {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		r.Slices = make([]Slice, len(keys))
		for i, k := range keys {
			r.Slices[i] = Slice{Key: k, Stats: a.stats(a.slices[k])}
		}
	}
	return r
}

// stats turns a tally into Stats.
func (a *Analyzer) stats(t *tally) Stats {
	s := Stats{
		Count: t.count, Open: t.open, Resolved: t.resolved, Closed: t.closed, Rejected: t.rejected,
		Acknowledge: summarise(t.durs[0]), FirstResponse: summarise(t.durs[1]), Resolve: summarise(t.durs[2]),
		Reopened: t.reopened, ReopenRate: ratio(t.reopened, t.decided),
		HandOvers: t.handOvers, HandOversPerComplaint: ratio(t.handOvers, t.count),
		Escalated: t.escalated, CSAT: t.csat,
		Accepted: t.accepted, NotAccepted: t.notAccepted,
	}
	if s.CSAT.N > 0 {
		s.CSAT.Mean = ratio(t.csatSum, s.CSAT.N)
		s.CSAT.SatisfiedRate = ratio(s.CSAT.Scores[3]+s.CSAT.Scores[4], s.CSAT.N)
	}
	if a.opts.Policies != nil {
		s.SLA = make(map[SLATarget]Compliance)
		for i, tg := range slaTargets {
			if !a.tracked[i] {
				continue
			}
			cp := t.sla[i]
			cp.Rate = ratio(cp.Met, cp.Met+cp.Breached)
			s.SLA[tg] = cp
		}
	}
	s.RootCauses = topRootCauses(t.roots, a.opts.TopRootCauses)
	for id, n := range t.customers {
		if n >= a.opts.RepeatMin {
			s.RepeatComplainers = append(s.RepeatComplainers, RepeatComplainer{Customer: id, Count: n})
		}
	}
	slices.SortFunc(s.RepeatComplainers, func(x, y RepeatComplainer) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return x.Customer.Compare(y.Customer)
	})
	return s
}

// topRootCauses returns the n most frequent categories, ties by category.
func topRootCauses(m map[string]int, n int) []RootCauseCount {
	if len(m) == 0 {
		return nil
	}
	out := make([]RootCauseCount, 0, len(m))
	for k, c := range m {
		out = append(out, RootCauseCount{Category: k, Count: c})
	}
	slices.SortFunc(out, func(x, y RootCauseCount) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return cmp.Compare(x.Category, y.Category)
	})
	if len(out) > n {
		out = out[:n:n]
	}
	return out
}

// ratio returns num/den, or 0 when den is 0.
func ratio(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// summarise sorts ds in place and returns their nearest-rank median and
// 90th percentile and their mean, rounded down.
func summarise(ds []int64) Durations {
	n := len(ds)
	if n == 0 {
		return Durations{}
	}
	slices.Sort(ds)
	// The sum of n values below 2^63 fits in 128 bits with hi < n, so
	// Div64 cannot overflow.
	var hi, lo uint64
	for _, d := range ds {
		var carry uint64
		lo, carry = bits.Add64(lo, uint64(max(d, 0)), 0)
		hi += carry
	}
	mean, _ := bits.Div64(hi, lo, uint64(n))
	return Durations{
		N:      n,
		Median: time.Duration(ds[nearestRank(50, n)]),
		P90:    time.Duration(ds[nearestRank(90, n)]),
		Mean:   time.Duration(mean),
	}
}

// nearestRank returns the index in n sorted values of the p-th percentile
// by the nearest-rank method: rank ceil(p×n/100), at least 1.
func nearestRank(p, n int) int {
	r := (p*n + 99) / 100
	return max(r, 1) - 1
}

// Analyze is [NewAnalyzer], [Analyzer.Add] for each complaint and
// [Analyzer.Report] in one call. It stops at the first error.
func Analyze(complaints []*Complaint, opts AnalyticsOptions) (Report, error) {
	a, err := NewAnalyzer(opts)
	if err != nil {
		return Report{}, err
	}
	for _, c := range complaints {
		if err := a.Add(c); err != nil {
			return Report{}, err
		}
	}
	return a.Report(), nil
}
