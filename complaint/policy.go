package complaint

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
)

// Event types emitted by [CheckSLAs]. The Data of each is an [SLAAlert].
const (
	EventSLAWarning  = "complaint.sla_warning"  // SLAAlert
	EventSLABreached = "complaint.sla_breached" // SLAAlert
)

// SLATarget names one service-level target of a complaint.
type SLATarget string

// The service-level targets, in the order they are reported.
const (
	TargetAcknowledge   SLATarget = "acknowledge"    // receipt until acknowledgement
	TargetFirstResponse SLATarget = "first_response" // receipt until a response is first proposed
	TargetNextUpdate    SLATarget = "next_update"    // last customer-visible update until the next one
	TargetResolution    SLATarget = "resolution"     // receipt until resolved
)

// slaTargets lists the targets in report order.
var slaTargets = [...]SLATarget{TargetAcknowledge, TargetFirstResponse, TargetNextUpdate, TargetResolution}

// Valid reports whether t is a known target.
func (t SLATarget) Valid() bool { return slices.Contains(slaTargets[:], t) }

// CustomerFacts are what the host knows about the complaining customer
// that policies may match on.
type CustomerFacts struct {
	// Class is the customer's class in the host's own terms, e.g. "stable".
	Class string `json:"class,omitempty"`
	// KeyAccount reports whether the customer is a key account (大客户).
	KeyAccount bool `json:"key_account,omitempty"`
}

// PolicyMatch says which complaints a [Policy] covers. Every non-empty
// criterion must hold; an empty one matches everything.
type PolicyMatch struct {
	// Categories match when one of them is the complaint's category or an
	// ancestor of it in [PolicySet.Categories] (a prefix of its path).
	Categories []string `json:"categories,omitempty"`
	// Severities match the complaint's severity.
	Severities []Severity `json:"severities,omitempty"`
	// Channels match the channel the complaint came in by.
	Channels []customer.Channel `json:"channels,omitempty"`
	// CustomerClasses match [CustomerFacts.Class].
	CustomerClasses []string `json:"customer_classes,omitempty"`
	// KeyAccount, when set, must equal [CustomerFacts.KeyAccount].
	KeyAccount *bool `json:"key_account,omitempty"`
}

// IsZero reports whether m has no criterion (so matches everything); an
// empty list counts as none.
func (m PolicyMatch) IsZero() bool {
	return len(m.Categories) == 0 && len(m.Severities) == 0 && len(m.Channels) == 0 &&
		len(m.CustomerClasses) == 0 && m.KeyAccount == nil
}

// Targets are the service levels of a policy. A zero [calendar.Thresholds]
// (Target 0) means the target is not tracked.
type Targets struct {
	// Acknowledge runs on [Complaint.AckTimer].
	Acknowledge calendar.Thresholds `json:"acknowledge,omitzero"`
	// FirstResponse runs on [Complaint.FirstResponseTimer].
	FirstResponse calendar.Thresholds `json:"first_response,omitzero"`
	// NextUpdate runs from the latest customer-visible update (see [SLAStatus]).
	NextUpdate calendar.Thresholds `json:"next_update,omitzero"`
	// Resolution runs on [Complaint.ResolutionTimer].
	Resolution calendar.Thresholds `json:"resolution,omitzero"`
}

// Get returns the thresholds of target t (zero for an unknown target).
func (ts Targets) Get(t SLATarget) calendar.Thresholds {
	switch t {
	case TargetAcknowledge:
		return ts.Acknowledge
	case TargetFirstResponse:
		return ts.FirstResponse
	case TargetNextUpdate:
		return ts.NextUpdate
	case TargetResolution:
		return ts.Resolution
	}
	return calendar.Thresholds{}
}

// Policy is one service-level policy: which complaints it covers, the
// business calendar its clocks run on and its targets.
type Policy struct {
	// Name identifies the policy; required and unique in its set.
	Name string `json:"name"`
	// Match says which complaints the policy covers; ignored for the
	// default policy.
	Match PolicyMatch `json:"match,omitzero"`
	// Calendar names a calendar the host registers (the key of the map
	// given to [SLAStatus]); required.
	Calendar string `json:"calendar"`
	// Targets are the service levels; at least one must be tracked.
	Targets Targets `json:"targets"`
}

// Validate returns a *crm.ValidationError listing every problem with p.
func (p Policy) Validate() error {
	var v crm.Validator
	p.validate(&v, "")
	return v.Err("complaint.Policy")
}

func (p Policy) validate(v *crm.Validator, prefix string) {
	v.Check(strings.TrimSpace(p.Name) != "", prefix+"name", "required")
	v.Check(strings.TrimSpace(p.Calendar) != "", prefix+"calendar", "required")
	tracked := false
	for _, t := range slaTargets {
		th := p.Targets.Get(t)
		if th == (calendar.Thresholds{}) {
			continue
		}
		tracked = true
		v.Merge(prefix+"targets."+string(t), th.Validate()) // paths "…targets.<target>.target"
	}
	v.Check(tracked, prefix+"targets", "at least one target must be set")
	m := p.Match
	for i, c := range m.Categories {
		checkCode(v, fmt.Sprintf("%smatch.categories[%d]", prefix, i), c)
	}
	for i, s := range m.Severities {
		v.Check(s.Valid(), fmt.Sprintf("%smatch.severities[%d]", prefix, i), "unknown severity")
	}
	for i, c := range m.Channels {
		v.Check(c.Valid(), fmt.Sprintf("%smatch.channels[%d]", prefix, i), "unknown channel")
	}
	for i, c := range m.CustomerClasses {
		v.Check(strings.TrimSpace(c) != "", fmt.Sprintf("%smatch.customer_classes[%d]", prefix, i), "must not be empty")
	}
}

// matches reports whether p's criteria hold for c, whose category path is
// path.
func (p *Policy) matches(c *Complaint, path []string, facts CustomerFacts) bool {
	m := &p.Match
	if len(m.Categories) > 0 && !slices.ContainsFunc(m.Categories, func(cat string) bool { return slices.Contains(path, cat) }) {
		return false
	}
	if len(m.Severities) > 0 && !slices.Contains(m.Severities, c.severity) {
		return false
	}
	if len(m.Channels) > 0 && !slices.Contains(m.Channels, c.channel) {
		return false
	}
	if len(m.CustomerClasses) > 0 && !slices.Contains(m.CustomerClasses, facts.Class) {
		return false
	}
	return m.KeyAccount == nil || *m.KeyAccount == facts.KeyAccount
}

// PolicySet is an ordered list of policies and a default. The first
// policy whose match holds is chosen; when none does, the default.
// It is plain data, safe for concurrent use while nobody changes it.
type PolicySet struct {
	// Policies are tried in order.
	Policies []Policy `json:"policies,omitempty"`
	// Default covers complaints no policy matches; its Match is ignored.
	Default Policy `json:"default"`
	// Categories, when set, resolve a complaint's category to its path so
	// that a policy naming a parent category covers its descendants. When
	// nil, a category matches only itself. Not serialised: the host keeps
	// its category tree elsewhere.
	Categories *CategoryTree `json:"-"`
}

// Validate returns a *crm.ValidationError listing every problem with s:
// paths "policies[i].…" and "default.…"; policy names must be unique.
func (s PolicySet) Validate() error {
	var v crm.Validator
	seen := make(map[string]bool, len(s.Policies)+1)
	for i, p := range s.Policies {
		prefix := fmt.Sprintf("policies[%d].", i)
		p.validate(&v, prefix)
		if seen[p.Name] && p.Name != "" {
			v.Addf(prefix+"name", "duplicate name %.64q", p.Name)
		}
		seen[p.Name] = true
	}
	s.Default.validate(&v, "default.")
	if seen[s.Default.Name] && s.Default.Name != "" {
		v.Addf("default.name", "duplicate name %.64q", s.Default.Name)
	}
	return v.Err("complaint.PolicySet")
}

// Choose returns the policy covering c: the first whose match holds, or
// the default. It does not validate s (call [PolicySet.Validate] once when
// loading it).
func (s *PolicySet) Choose(c *Complaint, facts CustomerFacts) *Policy {
	var path []string
	for i := range s.Policies {
		p := &s.Policies[i]
		if len(p.Match.Categories) > 0 && path == nil {
			path = s.categoryPath(c.category)
		}
		if p.matches(c, path, facts) {
			return p
		}
	}
	return &s.Default
}

func (s *PolicySet) categoryPath(code string) []string {
	if s.Categories != nil {
		if p, err := s.Categories.Path(code); err == nil {
			return p
		}
	}
	return []string{code}
}

// TargetStatus is the standing of one target at an instant.
type TargetStatus struct {
	// Tracked is false when the policy sets no such target or the target's
	// clock has not started (next update before any customer-visible
	// update); the evaluation is then zero.
	Tracked bool
	// Evaluation is the clock's standing, from [calendar.Calendar.Evaluate].
	calendar.Evaluation
}

// SLA is the standing of a complaint's service-level targets at one
// instant, under the policy chosen for it.
type SLA struct {
	// Policy and Calendar name the policy chosen and its calendar.
	Policy, Calendar string
	// Acknowledge, FirstResponse, NextUpdate and Resolution are the
	// standings of the targets of those names in [Targets].
	Acknowledge, FirstResponse, NextUpdate, Resolution TargetStatus
}

// Get returns the standing of target t (zero for an unknown target).
func (s *SLA) Get(t SLATarget) TargetStatus {
	switch t {
	case TargetAcknowledge:
		return s.Acknowledge
	case TargetFirstResponse:
		return s.FirstResponse
	case TargetNextUpdate:
		return s.NextUpdate
	case TargetResolution:
		return s.Resolution
	}
	return TargetStatus{}
}

func (s *SLA) ptr(t SLATarget) *TargetStatus {
	switch t {
	case TargetAcknowledge:
		return &s.Acknowledge
	case TargetFirstResponse:
		return &s.FirstResponse
	case TargetNextUpdate:
		return &s.NextUpdate
	default:
		return &s.Resolution
	}
}

// SLAStatus evaluates c's service-level targets at instant at, under the
// policy set chooses for it and on that policy's calendar from calendars.
// Like [calendar.Calendar.Evaluate], it depends only on the complaint's
// history up to at, so any instant can be evaluated; nothing ticks.
//
// The clocks are the complaint's [Complaint.AckTimer],
// [Complaint.FirstResponseTimer] and [Complaint.ResolutionTimer]. The
// next-update clock starts at the latest customer-visible update at or
// before at: the acknowledgement, the first response, or a public repair
// entry (the complaint keeps no other record of updates given to the
// customer); it is paused while waiting on the customer and stops when the
// complaint is resolved. A running clock of a rejected complaint stops at
// the rejection.
//
// A policy calendar missing from calendars, or a policy or complaint
// history the calendar refuses, is an error wrapping crm.ErrInvalid.
func SLAStatus(c *Complaint, set *PolicySet, calendars map[string]*calendar.Calendar, facts CustomerFacts, at time.Time) (SLA, error) {
	p := set.Choose(c, facts)
	cal := calendars[p.Calendar]
	if cal == nil {
		return SLA{}, fmt.Errorf("complaint: sla status %s: %w", c.id,
			crm.Invalid("complaint.SLAStatus", "calendars", fmt.Sprintf("no calendar %.64q for policy %.64q", p.Calendar, p.Name)))
	}
	out := SLA{Policy: p.Name, Calendar: p.Calendar}
	for _, t := range slaTargets {
		th := p.Targets.Get(t)
		if th.Target == 0 {
			continue
		}
		timer, ok := c.slaTimer(t, at)
		if !ok {
			continue
		}
		ev, err := cal.Evaluate(timer, th, at)
		if err != nil {
			return SLA{}, fmt.Errorf("complaint: sla status %s: %s: %w", c.id, t, err)
		}
		*out.ptr(t) = TargetStatus{Tracked: true, Evaluation: ev}
	}
	return out, nil
}

// slaTimer returns the clock of target t as known at at; ok is false when
// it has not started.
func (c *Complaint) slaTimer(t SLATarget, at time.Time) (calendar.Timer, bool) {
	var timer calendar.Timer
	switch t {
	case TargetAcknowledge:
		timer = c.AckTimer()
	case TargetFirstResponse:
		timer = c.FirstResponseTimer()
	case TargetResolution:
		timer = c.ResolutionTimer()
	default:
		return c.nextUpdateTimer(at)
	}
	if timer.Stop.IsZero() && !c.rejectedAt.IsZero() && !c.rejectedAt.Before(timer.Start) {
		timer.Stop = c.rejectedAt
		timer.Pauses = clipPauses(timer.Pauses, timer.Start, timer.Stop)
	}
	return timer, true
}

// nextUpdateTimer returns the next-update clock as known at at.
func (c *Complaint) nextUpdateTimer(at time.Time) (calendar.Timer, bool) {
	var start time.Time
	c.eachUpdate(at, func(t time.Time) {
		if t.After(start) {
			start = t
		}
	})
	if start.IsZero() {
		return calendar.Timer{}, false
	}
	return c.updateTimer(start, time.Time{}), true
}

// eachUpdate calls f with every customer-visible update at or before at:
// the acknowledgement, the first response and the public repair entries,
// in no particular order.
func (c *Complaint) eachUpdate(at time.Time, f func(time.Time)) {
	for _, t := range [...]time.Time{c.acknowledgedAt, c.firstResponseAt} {
		if !t.IsZero() && !t.After(at) {
			f(t)
		}
	}
	for _, e := range c.repair {
		if e.Public && !e.At.After(at) {
			f(e.At)
		}
	}
}

// updateTimer returns the next-update clock started at start and stopped
// at next (zero: not yet), or earlier when the complaint was resolved or
// rejected.
func (c *Complaint) updateTimer(start, next time.Time) calendar.Timer {
	stop := c.resolvedAt
	if stop.IsZero() {
		stop = c.rejectedAt
	}
	if !next.IsZero() && (stop.IsZero() || next.Before(stop)) {
		stop = next
	}
	if !stop.IsZero() && stop.Before(start) {
		stop = start
	}
	return calendar.Timer{Start: start, Stop: stop, Pauses: clipPauses(c.pauses, start, stop)}
}

// clipPauses returns the parts of ps within [start, stop] (stop zero:
// unbounded), as a new slice when anything changes.
func clipPauses(ps []calendar.Interval, start, stop time.Time) []calendar.Interval {
	var out []calendar.Interval
	for _, p := range ps {
		if !p.Open() && !p.End.After(start) {
			continue
		}
		if !stop.IsZero() && p.Start.After(stop) {
			break
		}
		if p.Start.Before(start) {
			p.Start = start
		}
		out = append(out, p)
	}
	return out
}

// SLAAlert is the data of complaint.sla_warning and complaint.sla_breached
// events.
type SLAAlert struct {
	// Target is the target warned about or breached.
	Target SLATarget
	// Policy is the policy whose target it is.
	Policy string
	// Deadline is when the target is (or was) reached; zero when a pause
	// hides it.
	Deadline time.Time
	// WarnAt is when the warning threshold was reached (zero without one).
	WarnAt time.Time
}

// CheckSLAs returns an event for every warning and breach of the
// complaints' targets that happened in (since, at], as known at at: a host
// that calls it on its schedule, each time with since set to the previous
// call's at, hears of each warning and breach once. Each event's At is the
// instant the threshold was crossed; events come in order of that instant,
// then of the complaints' order in the slice, then of target. facts holds
// the facts of each customer by ID (a missing one counts as zero facts).
//
// A complaint whose standing cannot be evaluated (see [SLAStatus]) is
// skipped and its error joined into the returned error; the events of the
// others are returned all the same. since not before at gives no events.
func CheckSLAs(complaints []*Complaint, set *PolicySet, calendars map[string]*calendar.Calendar, facts map[crm.ID]CustomerFacts, since, at time.Time) ([]crm.Event, error) {
	var events []crm.Event
	var errs []error
	within := func(t time.Time) bool { return !t.IsZero() && t.After(since) && !t.After(at) }
	for _, c := range complaints {
		if c == nil {
			errs = append(errs, crm.Invalid("complaint.CheckSLAs", "complaints", "nil complaint"))
			continue
		}
		s, err := SLAStatus(c, set, calendars, facts[c.customer], at)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p := set.Choose(c, facts[c.customer])
		if th := p.Targets.NextUpdate; th.Target != 0 {
			cal := calendars[p.Calendar] // present: SLAStatus found it
			evs, err := c.supersededUpdates(cal, th, p.Name, since, at)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			events = append(events, evs...)
		}
		for _, t := range slaTargets {
			ts := s.Get(t)
			if !ts.Tracked {
				continue
			}
			th := p.Targets.Get(t)
			alert := SLAAlert{Target: t, Policy: s.Policy, Deadline: utcOrZero(ts.Deadline), WarnAt: utcOrZero(ts.WarnAt)}
			if w := th.Warning(); w > 0 && ts.Elapsed >= w && within(ts.WarnAt) {
				events = append(events, c.slaEvent(EventSLAWarning, alert.WarnAt, alert))
			}
			if ts.Elapsed >= th.Target && within(ts.Deadline) {
				events = append(events, c.slaEvent(EventSLABreached, alert.Deadline, alert))
			}
		}
	}
	slices.SortStableFunc(events, func(a, b crm.Event) int { return a.At.Compare(b.At) })
	return events, errors.Join(errs...)
}

// supersededUpdates returns the events of the next-update clocks that
// another update stopped in (since, at]: SLAStatus sees only the latest
// clock, so a call spanning an update would otherwise miss them.
func (c *Complaint) supersededUpdates(cal *calendar.Calendar, th calendar.Thresholds, policy string, since, at time.Time) ([]crm.Event, error) {
	var ups []time.Time
	c.eachUpdate(at, func(t time.Time) { ups = append(ups, t) })
	if len(ups) < 2 {
		return nil, nil
	}
	slices.SortFunc(ups, time.Time.Compare)
	ups = slices.CompactFunc(ups, time.Time.Equal)
	var events []crm.Event
	for i := 0; i+1 < len(ups); i++ {
		next := ups[i+1]
		if !next.After(since) {
			continue
		}
		ev, err := cal.Evaluate(c.updateTimer(ups[i], next), th, next)
		if err != nil {
			return nil, fmt.Errorf("complaint: check slas %s: %s: %w", c.id, TargetNextUpdate, err)
		}
		within := func(t time.Time) bool { return !t.IsZero() && t.After(since) && !t.After(next) }
		alert := SLAAlert{Target: TargetNextUpdate, Policy: policy, Deadline: utcOrZero(ev.Deadline), WarnAt: utcOrZero(ev.WarnAt)}
		if w := th.Warning(); w > 0 && ev.Elapsed >= w && within(ev.WarnAt) {
			events = append(events, c.slaEvent(EventSLAWarning, alert.WarnAt, alert))
		}
		if ev.Elapsed >= th.Target && within(ev.Deadline) {
			events = append(events, c.slaEvent(EventSLABreached, alert.Deadline, alert))
		}
	}
	return events, nil
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func (c *Complaint) slaEvent(typ string, at time.Time, a SLAAlert) crm.Event {
	return crm.Event{Type: typ, Tenant: c.tenant, AggregateID: c.id, At: at, Data: a}
}
