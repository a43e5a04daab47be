package complaint

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// RepeatWindow is how far back [Service.ApplyEscalations] counts a
// customer's complaints for [EscalationFacts.RepeatCount]: the complaints
// received in [at-RepeatWindow, at], the escalated one included when it
// lies in the window.
const RepeatWindow = 90 * 24 * time.Hour

// errNoChange aborts an Update whose complaint needs no change, so that
// nothing is stored.
var errNoChange = errors.New("complaint: no change")

// now returns at, or the service clock's time when at is zero.
func (s *Service) now(at time.Time) time.Time {
	if at.IsZero() {
		return s.clock.Now()
	}
	return at
}

// factsCache looks up each customer's facts once.
type factsCache struct {
	s     *Service
	facts map[crm.ID]CustomerFacts
}

func (s *Service) newFactsCache() *factsCache {
	return &factsCache{s: s, facts: make(map[crm.ID]CustomerFacts)}
}

// get returns the facts of customer id. A customer the store does not
// know counts as zero facts (the same rule as [CheckSLAs]); any other
// error is returned.
func (fc *factsCache) get(ctx context.Context, tenant crm.TenantID, id crm.ID) (CustomerFacts, error) {
	if f, ok := fc.facts[id]; ok {
		return f, nil
	}
	var f CustomerFacts
	cu, err := fc.s.custs.Get(ctx, tenant, id)
	switch {
	case errors.Is(err, crm.ErrNotFound):
	case err != nil:
		return f, fmt.Errorf("customer %s: %w", id, err)
	default:
		f = fc.s.facts(cu)
	}
	fc.facts[id] = f
	return f, nil
}

// SLA returns the standing of the complaint's service-level targets at at
// (the service clock's time when zero), under the policy the service's
// [PolicySet] chooses for it with the customer's facts ([Options.Facts]),
// on the service's calendars; see [SLAStatus]. A service without
// policies returns an error wrapping crm.ErrUnsupported; a missing
// complaint crm.ErrNotFound.
func (s *Service) SLA(ctx context.Context, tenant crm.TenantID, id crm.ID, at time.Time) (SLA, error) {
	if s.policies == nil {
		return SLA{}, fmt.Errorf("complaint: sla %s: no service-level policies: %w", id, crm.ErrUnsupported)
	}
	at = s.now(at)
	c, err := s.store.Get(ctx, tenant, id)
	if err != nil {
		return SLA{}, fmt.Errorf("complaint: sla %s: %w", id, err)
	}
	f, err := s.newFactsCache().get(ctx, tenant, c.customer)
	if err != nil {
		return SLA{}, fmt.Errorf("complaint: sla %s: %w", id, err)
	}
	sla, err := SLAStatus(c, s.policies, s.cals, f, at)
	if err != nil {
		return SLA{}, err
	}
	return sla, nil
}

// CheckSLAs checks the service levels of every open complaint of the
// tenant, and of every complaint closed or rejected since since (see
// [CheckSLAs]), and returns the complaint.sla_warning and
// complaint.sla_breached events of the thresholds crossed in (since, at],
// with their IDs; they go to the outbox (when set) and to the event sink
// like the events of a stored change. at zero means the service clock's
// time.
//
// The host calls it on its own schedule, each time with since set to the
// previous call's at, so that every warning and breach is reported once,
// including those of a complaint that breached and was closed between two
// calls; the first call may pass a zero since to hear of everything so far
// (it then reads every closed complaint too).
//
// Each customer's facts are loaded once per call. A complaint whose
// standing cannot be evaluated is skipped and its error joined into the
// returned error, beside the events of the others (which are published).
// A service without policies returns an error wrapping
// crm.ErrUnsupported.
func (s *Service) CheckSLAs(ctx context.Context, tenant crm.TenantID, since, at time.Time) ([]crm.Event, error) {
	if s.policies == nil {
		return nil, fmt.Errorf("complaint: check slas: no service-level policies: %w", crm.ErrUnsupported)
	}
	at = s.now(at)
	fc := s.newFactsCache()
	var (
		events []crm.Event
		errs   []error
		batch  []*Complaint
	)
	flush := func() {
		evs, err := CheckSLAs(batch, s.policies, s.cals, fc.facts, since, at)
		events = append(events, evs...)
		if err != nil {
			errs = append(errs, err)
		}
		batch = batch[:0]
	}
	add := func(c *Complaint) error {
		if _, err := fc.get(ctx, tenant, c.customer); err != nil {
			return err
		}
		batch = append(batch, c)
		if len(batch) == crm.MaxPageLimit {
			flush()
		}
		return nil
	}
	open, settled := true, Query{SettledFrom: since}
	if since.IsZero() {
		closed := false
		settled = Query{Open: &closed}
	}
	// Open and settled complaints are disjoint: none is checked twice.
	for _, q := range []Query{{Open: &open}, settled} {
		if err := s.each(ctx, tenant, q, add); err != nil {
			return nil, fmt.Errorf("complaint: check slas: %w", err)
		}
	}
	flush()
	// Each batch is in order; merging keeps complaints' order among equal
	// instants because batches follow the complaints' order.
	slices.SortStableFunc(events, func(a, b crm.Event) int { return a.At.Compare(b.At) })
	// The events report facts found, not changes stored: they get their
	// IDs and go to the outbox and the sink like the others.
	events, err := s.write(ctx, false, func(context.Context) ([]crm.Event, error) { return events, nil })
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return events, fmt.Errorf("complaint: check slas: %w", err)
	}
	return events, nil
}

// Escalation is one complaint [Service.ApplyEscalations] raised.
type Escalation struct {
	// Complaint is the complaint's ID.
	Complaint crm.ID
	// From and To are its escalation levels before and after.
	From, To int
	// Notify lists who the steps climbed notify (see [Ladder.Due]).
	Notify []string
}

// ApplyEscalations raises every open complaint of the tenant to the level
// the service's [Ladder] says is due at at (the service clock's time when
// zero), by actor: see [ApplyEscalation]. The facts the triggers look at
// are the complaint's service levels under the service's policies (none
// tracked without policies, so breach triggers never fire), the
// customer's class from [Options.Facts], and as RepeatCount the number of
// the customer's complaints received within [RepeatWindow] up to at (so
// every open complaint of a repeat complainer is escalated).
//
// Each complaint is escalated in its own [Service.Update]: the level due
// is computed again on the latest state inside the store's transaction,
// and the complaint.escalated events are published after its commit. It
// returns the complaints escalated, in receipt order. A complaint whose
// standing cannot be evaluated or whose update fails is skipped and its
// error joined into the returned error, beside the escalations made. A cancelled context stops the run. A
// service without a ladder returns an error wrapping crm.ErrUnsupported;
// an invalid actor crm.ErrInvalid.
func (s *Service) ApplyEscalations(ctx context.Context, tenant crm.TenantID, at time.Time, actor crm.UserID) ([]Escalation, error) {
	if s.ladder == nil {
		return nil, fmt.Errorf("complaint: apply escalations: no escalation ladder: %w", crm.ErrUnsupported)
	}
	if err := actor.Validate(); err != nil {
		return nil, fmt.Errorf("complaint: apply escalations: %w", err)
	}
	at = s.now(at)
	fc := s.newFactsCache()
	repeats := make(map[crm.ID]int)
	var ids []crm.ID
	open := true
	err := s.each(ctx, tenant, Query{Open: &open}, func(c *Complaint) error {
		ids = append(ids, c.id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("complaint: apply escalations: %w", err)
	}
	var (
		out  []Escalation
		errs []error
	)
	for _, id := range ids {
		e, ok, err := s.escalate(ctx, tenant, id, at, actor, fc, repeats)
		switch {
		case ctx.Err() != nil:
			return out, fmt.Errorf("complaint: apply escalations: %w", ctx.Err())
		case err != nil:
			errs = append(errs, err)
		case ok:
			out = append(out, e)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return out, fmt.Errorf("complaint: apply escalations: %w", err)
	}
	return out, nil
}

// escalate applies the ladder to one complaint; ok is false when nothing
// was due.
func (s *Service) escalate(ctx context.Context, tenant crm.TenantID, id crm.ID, at time.Time, actor crm.UserID,
	fc *factsCache, repeats map[crm.ID]int) (e Escalation, ok bool, err error) {
	// A first look outside any transaction loads the customer's facts
	// (they do not depend on the complaint's state) and spares the
	// complaints with nothing due a write.
	c, err := s.store.Get(ctx, tenant, id)
	if errors.Is(err, crm.ErrNotFound) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("complaint %s: %w", id, err)
	}
	if !c.status.Open() {
		return e, false, nil
	}
	f, err := fc.get(ctx, tenant, c.customer)
	if err != nil {
		return e, false, fmt.Errorf("complaint %s: %w", id, err)
	}
	n, seen := repeats[c.customer]
	if !seen {
		q := Query{Customer: c.customer, ReceivedFrom: at.Add(-RepeatWindow), ReceivedTo: at.Add(time.Nanosecond)}
		if err := s.each(ctx, tenant, q, func(*Complaint) error { n++; return nil }); err != nil {
			return e, false, fmt.Errorf("complaint %s: count repeats of customer %s: %w", id, c.customer, err)
		}
		repeats[c.customer] = n
	}
	facts := EscalationFacts{RepeatCount: n, Class: f.Class}
	sla := func(c *Complaint) (SLA, error) {
		if s.policies == nil {
			return SLA{}, nil
		}
		return SLAStatus(c, s.policies, s.cals, f, at)
	}
	st, err := sla(c)
	if err != nil {
		return e, false, err
	}
	if due, _, _ := s.ladder.Due(c, st, facts); due <= c.escalation {
		return e, false, nil
	}
	// The level due is computed again on the latest state, inside the
	// store's transaction; the closure touches nothing but the complaint.
	_, err = s.Update(ctx, tenant, id, func(c *Complaint) error {
		e = Escalation{}
		if !c.status.Open() {
			return errNoChange
		}
		st, err := sla(c)
		if err != nil {
			return err
		}
		from := c.escalation
		to, notify, err := ApplyEscalation(c, *s.ladder, st, facts, Change{Actor: actor, At: at})
		if err != nil {
			return err
		}
		if to == from {
			return errNoChange
		}
		e = Escalation{Complaint: c.id, From: from, To: to, Notify: notify}
		return nil
	})
	if errors.Is(err, errNoChange) {
		return Escalation{}, false, nil
	}
	if err != nil {
		return Escalation{}, false, err
	}
	return e, true, nil
}

// lookBack returns the longest span any rule looks back over: Window, or
// Window*(Periods+1) for a trend rule. The rules must be valid.
func lookBack(rules HotspotRules) time.Duration {
	var d time.Duration
	for _, r := range rules {
		span := r.Window
		if r.Kind == RuleTrend {
			span = r.Window * time.Duration(r.Periods+1)
		}
		d = max(d, span)
	}
	return d
}

// Hotspots detects the hotspots of the tenant's complaints at at (the
// service clock's time when zero) by rules: see [Detect]. Only the
// complaints received within the longest span a rule looks back over are
// loaded; with a category tree set, their facts carry their category
// paths, so a rule naming a parent category counts its subtree. Invalid
// rules return an error wrapping crm.ErrInvalid.
func (s *Service) Hotspots(ctx context.Context, tenant crm.TenantID, rules HotspotRules, at time.Time) ([]Hotspot, error) {
	if err := rules.Validate(); err != nil {
		return nil, fmt.Errorf("complaint: hotspots: %w", err)
	}
	if len(rules) == 0 {
		return nil, nil
	}
	at = s.now(at)
	q := Query{ReceivedFrom: at.Add(-lookBack(rules)), ReceivedTo: at.Add(time.Nanosecond)}
	paths := make(map[string][]string)
	var facts []Fact
	err := s.each(ctx, tenant, q, func(c *Complaint) error {
		f := FactOf(c)
		if s.cats != nil {
			p, ok := paths[f.Category]
			if !ok {
				p, _ = s.cats.Path(f.Category) // an unknown code keeps no path
				paths[f.Category] = p
			}
			f.CategoryPath = p
		}
		facts = append(facts, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("complaint: hotspots: %w", err)
	}
	return Detect(facts, rules, at), nil
}

// RaiseRisks detects hotspots by rules at at (see [Service.Hotspots]) and
// raises a risk, owned by owner, for each hotspot whose key has no active
// (open or mitigating) risk yet; it returns only the risks it raised, in
// hotspot order. A hotspot whose risk was mitigated or accepted raises a
// new risk when it is found again. When a concurrent call raises the same
// hotspot first, the store refuses the second risk with crm.ErrDuplicate
// and RaiseRisks skips it silently: the hotspot is raised once either way.
// Each risk raised is announced by a complaint.risk_raised event
// ([RiskRaised]) once it is stored, so the host can alert its owner. An
// invalid owner or rules return an error wrapping crm.ErrInvalid.
func (s *Service) RaiseRisks(ctx context.Context, tenant crm.TenantID, rules HotspotRules, owner crm.UserID, at time.Time) ([]*Risk, error) {
	if err := owner.Validate(); err != nil {
		return nil, fmt.Errorf("complaint: raise risks: %w", err)
	}
	at = s.now(at)
	hs, err := s.Hotspots(ctx, tenant, rules, at)
	if err != nil {
		return nil, err
	}
	var out []*Risk
	active := true
	for _, h := range hs {
		key := h.Key()
		if len(key) <= MaxRiskKeyLen {
			p, err := s.store.ListRisks(ctx, tenant, RiskQuery{Key: key, Active: &active}, crm.PageRequest{Limit: 1})
			if err != nil {
				return out, fmt.Errorf("complaint: raise risks: %w", err)
			}
			if len(p.Items) > 0 {
				continue
			}
		}
		id, err := s.ids.NewID()
		if err != nil {
			return out, fmt.Errorf("complaint: raise risks: %w", err)
		}
		r, err := NewRisk(h, owner, id, tenant, at)
		if err != nil {
			return out, fmt.Errorf("complaint: raise risks: %w", err)
		}
		var stored *Risk
		_, err = s.write(ctx, false, func(ctx context.Context) ([]crm.Event, error) {
			d := r.Clone() // a retried transaction starts again from r
			if err := s.store.CreateRisk(ctx, d); err != nil {
				return nil, err
			}
			stored = d
			return []crm.Event{{
				Type: EventRiskRaised, Tenant: tenant, AggregateID: d.id, Version: d.version, At: d.createdAt,
				Actor: string(owner), Data: RiskRaised{Key: key, Rule: h.Rule, Count: h.Count, Owner: owner, Evidence: d.Evidence()},
			}}, nil
		})
		if errors.Is(err, crm.ErrDuplicate) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("complaint: raise risks: %w", err)
		}
		out = append(out, stored)
	}
	return out, nil
}

// GetRisk returns a risk.
func (s *Service) GetRisk(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Risk, error) {
	r, err := s.store.GetRisk(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("complaint: get risk %s: %w", id, err)
	}
	return r, nil
}

// ListRisks returns the risks matching q in ascending ID order.
func (s *Service) ListRisks(ctx context.Context, tenant crm.TenantID, q RiskQuery, page crm.PageRequest) (crm.Page[*Risk], error) {
	p, err := s.store.ListRisks(ctx, tenant, q, page)
	if err != nil {
		return p, fmt.Errorf("complaint: list risks: %w", err)
	}
	return p, nil
}

// updateRisk runs fn on the latest state of the risk in the store's
// transaction.
func (s *Service) updateRisk(ctx context.Context, op string, tenant crm.TenantID, id crm.ID, fn func(*Risk) error) (*Risk, error) {
	r, err := s.store.UpdateRisk(ctx, tenant, id, fn)
	if err != nil {
		return nil, fmt.Errorf("complaint: %s %s: %w", op, id, err)
	}
	return r, nil
}

// MoveRisk moves the risk to mitigation status to, by actor, with an
// optional note, at the service clock's time: see [Risk.Move]. A settled
// risk (mitigated or accepted) lets its hotspot raise a new risk. A move
// stored is announced by a complaint.risk_moved event ([RiskMoved]).
func (s *Service) MoveRisk(ctx context.Context, tenant crm.TenantID, id crm.ID, to MitigationStatus, actor crm.UserID, note string) (*Risk, error) {
	now := s.clock.Now()
	var out *Risk
	_, err := s.write(ctx, false, func(ctx context.Context) ([]crm.Event, error) {
		var from MitigationStatus
		r, err := s.store.UpdateRisk(ctx, tenant, id, func(r *Risk) error {
			from = r.Status()
			return r.Move(to, actor, note, now)
		})
		if err != nil {
			return nil, err
		}
		out = r
		return []crm.Event{{
			Type: EventRiskMoved, Tenant: tenant, AggregateID: id, Version: r.version, At: now.UTC(),
			Actor: string(actor), Data: RiskMoved{From: from, To: to},
		}}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("complaint: move risk %s: %w", id, err)
	}
	return out, nil
}

// NoteRisk records a note by actor on the risk at the service clock's
// time: see [Risk.AddNote].
func (s *Service) NoteRisk(ctx context.Context, tenant crm.TenantID, id crm.ID, actor crm.UserID, text string) (*Risk, error) {
	now := s.clock.Now()
	return s.updateRisk(ctx, "note risk", tenant, id, func(r *Risk) error { return r.AddNote(actor, text, now) })
}

// ReassignRisk gives the risk to a new owner at the service clock's time:
// see [Risk.Reassign].
func (s *Service) ReassignRisk(ctx context.Context, tenant crm.TenantID, id crm.ID, owner crm.UserID) (*Risk, error) {
	now := s.clock.Now()
	return s.updateRisk(ctx, "reassign risk", tenant, id, func(r *Risk) error { return r.Reassign(owner, now) })
}

// SolutionIndex builds the tenant's knowledge base: an [Index] over the
// solution ([SolutionOf]) of every resolved or closed complaint holding a
// resolution, with category paths from the category tree when one is set.
// The index is a snapshot; build a new one to take in later solutions.
func (s *Service) SolutionIndex(ctx context.Context, tenant crm.TenantID) (*Index, error) {
	var sols []Solution
	q := Query{Statuses: []Status{Resolved, Closed}}
	err := s.each(ctx, tenant, q, func(c *Complaint) error {
		if _, ok := c.Resolution(); !ok {
			return nil // no resolution: nothing to reuse
		}
		sol, err := SolutionOf(c)
		if err != nil {
			return err
		}
		sol.CategoryPath = s.categoryPath(sol.Category)
		sols = append(sols, sol)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("complaint: solution index: %w", err)
	}
	ix, err := NewIndex(sols)
	if err != nil {
		return nil, fmt.Errorf("complaint: solution index: %w", err)
	}
	return ix, nil
}

// categoryPath returns the path of code in the category tree, or nil
// without a tree or for an unknown code.
func (s *Service) categoryPath(code string) []string {
	if s.cats == nil {
		return nil
	}
	p, err := s.cats.Path(code)
	if err != nil {
		return nil
	}
	return p
}

// SuggestFor returns up to k past solutions from ix most like the stored
// complaint id, best first (see [Index.Suggest]): same category (and
// category path, with a category tree) and similar description. The
// complaint's own solution is left out, so with k = MaxSuggestions one
// fewer may come back. k must be 1 to MaxSuggestions and ix not nil,
// otherwise the error wraps crm.ErrInvalid; a missing complaint returns
// crm.ErrNotFound.
func (s *Service) SuggestFor(ctx context.Context, tenant crm.TenantID, ix *Index, id crm.ID, k int) ([]Suggestion, error) {
	var v crm.Validator
	v.Check(ix != nil, "index", "required")
	v.Check(k >= 1 && k <= MaxSuggestions, "k", "must be 1 to 100")
	if err := v.Err("complaint.Service.SuggestFor"); err != nil {
		return nil, fmt.Errorf("complaint: suggest for %s: %w", id, err)
	}
	c, err := s.store.Get(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("complaint: suggest for %s: %w", id, err)
	}
	q := SolutionQuery{Category: c.category, CategoryPath: s.categoryPath(c.category), Text: c.desc}
	sugs, err := ix.Suggest(q, min(k+1, MaxSuggestions))
	if err != nil {
		return nil, fmt.Errorf("complaint: suggest for %s: %w", id, err)
	}
	sugs = slices.DeleteFunc(sugs, func(sg Suggestion) bool { return sg.Solution.ComplaintID == id })
	if len(sugs) > k {
		sugs = sugs[:k]
	}
	return sugs, nil
}

// Analyze reports on the tenant's complaints received in [opts.From,
// opts.To): see [NewAnalyzer] and [Report]. Options it leaves unset are
// taken from the service: Policies and Calendars (each when nil), At (the
// service clock's time when zero), and Facts, which, when nil, are loaded
// once per distinct customer with [Options.Facts] as the complaints are
// read, in the same single pass. Invalid options return an error wrapping
// crm.ErrInvalid.
func (s *Service) Analyze(ctx context.Context, tenant crm.TenantID, opts AnalyticsOptions) (Report, error) {
	if opts.Policies == nil {
		opts.Policies = s.policies
	}
	if opts.Calendars == nil {
		opts.Calendars = s.cals
	}
	opts.At = s.now(opts.At)
	var fc *factsCache
	if opts.Facts == nil {
		fc = s.newFactsCache()
		opts.Facts = fc.facts // filled before each complaint is added
	}
	a, err := NewAnalyzer(opts)
	if err != nil {
		return Report{}, fmt.Errorf("complaint: analyze: %w", err)
	}
	err = s.each(ctx, tenant, Query{ReceivedFrom: opts.From, ReceivedTo: opts.To}, func(c *Complaint) error {
		if fc != nil {
			if _, err := fc.get(ctx, tenant, c.customer); err != nil {
				return err
			}
		}
		return a.Add(c)
	})
	if err != nil {
		return Report{}, fmt.Errorf("complaint: analyze: %w", err)
	}
	return a.Report(), nil
}
