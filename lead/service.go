package lead

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
	"github.com/crmkit/crm/scoring"
)

// Options configure a [Service]. A nil *Options, and every zero field, takes
// the default named beside the field.
type Options struct {
	// Clock tells the time of changes. Default: crm.SystemClock.
	Clock crm.Clock
	// IDs makes new IDs (leads, customers made by conversion, events).
	// Default: crm.UUIDv7.
	IDs crm.IDGenerator
	// Events receives domain events after the outermost transaction that
	// stored them commits, never for a rolled-back change; a sink's error
	// or panic is logged with Logger, never returned. Default:
	// crm.DiscardEvents.
	Events crm.EventSink
	// Outbox, when set, stores the events of every change in the
	// transaction of the change, for the host to drain at least once.
	// Default: nil, no outbox.
	Outbox crm.EventLog
	// Logger logs what the service cannot return: event sink failures.
	// Default: a logger that discards everything.
	Logger *slog.Logger
	// DuplicateRules tune the duplicate check at capture and conversion.
	// Default: customer.DefaultDuplicateRules().
	DuplicateRules *customer.DuplicateRules
	// Policy decides what a capture with duplicates does. Default:
	// AttachToLead.
	Policy DuplicatePolicy
	// Router assigns captured leads through the persisted assignment
	// state. Default: nil, leads are captured unassigned (Service.Assign
	// needs a router).
	Router *Router
	// Processes are the stage machines per team; a team without one
	// follows DefaultProcess. Each is validated by NewService.
	Processes []Process
	// FirstContact is the first-contact service level checked by
	// Service.CheckFirstContact. Default: nil, no check.
	FirstContact *FirstContactSLA
}

// Service runs the lead use cases against a [Backend]: capture with the
// duplicate check and assignment, stage moves, first contact and its
// service level, scoring, campaigns and conversion into a customer. Every
// change runs in one transaction of the backend; its events get IDs, go to
// the outbox in that transaction when one is set, and reach the sink after
// the commit. It is safe for concurrent use.
type Service struct {
	backend   Backend
	store     Store
	customers customer.Store
	clock     crm.Clock
	ids       crm.IDGenerator
	pub       *hook.Publisher
	dups      customer.DuplicateRules
	policy    DuplicatePolicy
	router    *Router
	processes map[string]Process
	sla       *FirstContactSLA
}

// NewService returns a service over b, or a *crm.ValidationError for
// invalid options.
func NewService(b Backend, opts *Options) (*Service, error) {
	const op = "lead.NewService"
	if b == nil || b.Leads() == nil || b.Customers() == nil {
		return nil, crm.Invalid(op, "backend", "must not be nil and must have leads and customers")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	s := &Service{
		backend: b, store: Guard(b.Leads()), customers: customer.Guard(b.Customers()),
		clock: o.Clock, ids: o.IDs, policy: o.Policy, router: o.Router, processes: map[string]Process{},
	}
	if s.clock == nil {
		s.clock = crm.SystemClock{}
	}
	if s.ids == nil {
		s.ids = crm.UUIDv7{}
	}
	if o.Events == nil {
		o.Events = crm.DiscardEvents
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if s.policy == 0 {
		s.policy = AttachToLead
	}
	var v crm.Validator
	v.Check(s.policy.Valid(), "policy", "unknown duplicate policy")
	s.dups = customer.DefaultDuplicateRules()
	if o.DuplicateRules != nil {
		v.Merge("duplicate_rules", o.DuplicateRules.Validate())
		s.dups = *o.DuplicateRules
	}
	for i, p := range o.Processes {
		path := fmt.Sprintf("processes[%d]", i)
		v.Merge(path, p.Validate())
		_, dup := s.processes[p.Team]
		v.Check(!dup, path, "a second process for the team")
		s.processes[p.Team] = p
	}
	if o.FirstContact != nil {
		v.Merge("first_contact", o.FirstContact.Validate())
		sla := *o.FirstContact
		s.sla = &sla
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	s.pub = &hook.Publisher{Pkg: "lead", Tx: b, IDs: s.ids, Outbox: o.Outbox, Sink: o.Events, Log: o.Logger}
	return s, nil
}

// process returns the stage machine of team.
func (s *Service) process(team string) Process {
	if p, ok := s.processes[team]; ok {
		return p
	}
	return DefaultProcess(team)
}

// change fills in the time of ch from the service's clock when unset.
func (s *Service) change(ch Change) Change {
	if ch.At.IsZero() {
		ch.At = s.clock.Now()
	}
	return ch
}

// versioned sets the aggregate version of every event to v.
func versioned(events []crm.Event, v int64) []crm.Event {
	for i := range events {
		events[i].Version = v
	}
	return events
}

// update runs fn on the latest state of a lead inside the transaction ctx
// carries and returns the stored lead and the events fn recorded.
func (s *Service) update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Lead) error) (*Lead, []crm.Event, error) {
	var events []crm.Event
	l, err := s.store.Update(ctx, tenant, id, func(l *Lead) error {
		l.events = nil
		if err := fn(l); err != nil {
			return err
		}
		events = slices.Clone(l.events)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return l, versioned(events, l.version), nil
}

// CaptureResult is the outcome of [Service.Capture].
type CaptureResult struct {
	// Lead is the stored lead: the new one, or the existing lead the
	// capture was attached to (Resolution.Action ActionAttach).
	Lead *Lead
	// Resolution is the duplicate check under the service's policy, with
	// every match and its reasons.
	Resolution Resolution
	// Decision is the assignment of a new lead (zero when the service has
	// no router or the capture was attached); when Decision.Assigned is
	// false the lead stays unassigned and Decision.Why says why.
	Decision Decision
	// Campaign is what the capture did to the campaign its source names
	// (zero when it names none).
	Campaign CampaignOutcome
}

// CampaignOutcome says what a capture naming a campaign
// ([Source.Campaign]) did to it: the captured person is made a member of
// the campaign and their response recorded, once. The person is the lead
// the capture was attached to, else the customer it was linked to, else
// the new lead; a person who is already a member (under any lead or
// customer the duplicate check matched) is not added again, and one who
// already responded is not counted twice.
type CampaignOutcome struct {
	// Campaign is the campaign the source names.
	Campaign crm.ID
	// Kind and Party identify the member the capture counts for.
	Kind  MatchKind
	Party crm.ID
	// Added is true when the capture made Party a member; Responded when
	// it recorded Party's response.
	Added, Responded bool
	// Skipped says why nothing was recorded when the campaign is not
	// stored or is full ("" otherwise): the capture is kept all the same.
	Skipped string
}

// captureResponse is the campaign's name for a response by capture.
func captureResponse(src Source, ch customer.Channel) string {
	return "captured: " + src.Kind.String() + " via " + ch.String()
}

// recordCampaign makes the captured person a member and responder of the
// campaign src names, in the transaction ctx carries, and returns the
// campaign's events.
func (s *Service) recordCampaign(ctx context.Context, l *Lead, res *CaptureResult, channel customer.Channel, src Source, ch Change) ([]crm.Event, error) {
	out := CampaignOutcome{Campaign: src.Campaign, Kind: MatchLead, Party: l.ID()}
	switch res.Resolution.Action {
	case ActionAttach:
		out.Party = res.Resolution.Target
	case ActionLinkCustomer:
		out.Kind, out.Party = MatchCustomer, res.Resolution.Target
	}
	defer func() { res.Campaign = out }()
	cs := s.store.Campaigns()
	c, err := cs.Get(ctx, l.tenant, src.Campaign)
	switch {
	case errors.Is(err, crm.ErrNotFound):
		out.Skipped = "campaign not stored"
		return nil, nil
	case err != nil:
		return nil, err
	}
	// The person may be a member already under another of their records.
	known := []crm.ID{out.Party}
	for _, m := range res.Resolution.Matches {
		known = append(known, m.ID)
	}
	member, found := Member{}, false
	for _, id := range known {
		if member, found = c.Member(id); found {
			out.Kind, out.Party = member.Kind, member.Party
			break
		}
	}
	switch {
	case found && !member.RespondedAt.IsZero():
		return nil, nil // counted already
	case !found && len(c.members) >= MaxCampaignMembers:
		out.Skipped = "campaign full"
		return nil, nil
	}
	var events []crm.Event
	got, err := cs.Update(ctx, l.tenant, src.Campaign, func(c *Campaign) error {
		c.events = nil
		if _, ok := c.Member(out.Party); !ok {
			if err := c.AddMember(out.Kind, out.Party, ch); err != nil {
				return err
			}
		}
		if err := c.RecordResponse(out.Party, captureResponse(src, channel), ch); err != nil {
			return err
		}
		events = slices.Clone(c.events)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Added, out.Responded = !found, true
	return versioned(events, got.version), nil
}

// Capture validates in (a zero in.ID gets a generated one), checks it for
// duplicates against the tenant's open leads and customers
// (Store.FindByContact, customer.Store.FindByContact, [FindDuplicates])
// and applies the service's policy ([ResolveDuplicates]): it attaches the
// capture to the matching lead, or stores a new lead (linked to the
// matching customer under ActionLinkCustomer) assigned through the
// persisted assignment state when the service has a router. All of it
// runs in one transaction: nothing is half-stored.
func (s *Service) Capture(ctx context.Context, in NewInput, ch Change) (CaptureResult, error) {
	if in.ID.IsZero() {
		id, err := s.ids.NewID()
		if err != nil {
			return CaptureResult{}, fmt.Errorf("lead: capture: %w", err)
		}
		in.ID = id
	}
	ch = s.change(ch)
	l, err := New(in, ch)
	if err != nil {
		return CaptureResult{}, err
	}
	var res CaptureResult
	_, err = s.pub.Write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		res = CaptureResult{}
		d := l.Clone() // a retried transaction starts again from l
		matches, err := s.duplicates(ctx, d)
		if err != nil {
			return nil, err
		}
		res.Resolution, err = ResolveDuplicates(s.policy, matches)
		if err != nil {
			return nil, err
		}
		var campEvents []crm.Event
		campaign := func() error {
			if in.Source.Campaign.IsZero() {
				return nil
			}
			var err error
			campEvents, err = s.recordCampaign(ctx, d, &res, in.Channel, in.Source, ch)
			return err
		}
		switch res.Resolution.Action {
		case ActionAttach:
			got, events, err := s.update(ctx, d.tenant, res.Resolution.Target, func(x *Lead) error { return x.Attach(d, ch) })
			if err != nil {
				return nil, err
			}
			res.Lead = got
			if err := campaign(); err != nil {
				return nil, err
			}
			return append(events, campEvents...), nil
		case ActionLinkCustomer:
			if err := d.LinkCustomer(res.Resolution.Target, ch); err != nil {
				return nil, err
			}
		}
		if s.router != nil {
			if res.Decision, err = s.assign(ctx, d, ch); err != nil {
				return nil, err
			}
		}
		events := slices.Clone(d.events)
		if err := s.store.Create(ctx, d); err != nil {
			return nil, err
		}
		res.Lead = d
		if err := campaign(); err != nil {
			return nil, err
		}
		return append(versioned(events, d.version), campEvents...), nil
	})
	if err != nil {
		return CaptureResult{}, fmt.Errorf("lead: capture %s: %w", in.ID, err)
	}
	return res, nil
}

// duplicates returns the matches of l among the tenant's open leads and
// customers sharing one of its contact points.
func (s *Service) duplicates(ctx context.Context, l *Lead) ([]Match, error) {
	if l != nil {
		l.ensure()
	}
	var emails, phones []string
	for _, c := range l.contacts {
		switch n := c.Normalized(); {
		case n == "":
		case c.Kind == ContactEmail:
			emails = append(emails, n)
		default:
			phones = append(phones, n)
		}
	}
	if len(emails)+len(phones) == 0 {
		return nil, nil
	}
	leads, err := s.store.FindByContact(ctx, l.tenant, emails, phones, crm.MaxPageLimit)
	if err != nil {
		return nil, err
	}
	custs, err := s.customers.FindByContact(ctx, l.tenant, emails, phones, crm.MaxPageLimit)
	if err != nil {
		return nil, err
	}
	return FindDuplicates(l, leads, custs, s.dups)
}

// assign decides l's owner with the service's router under the team's
// persisted assignment state, stores the new state in the transaction ctx
// carries and applies the decision to l.
func (s *Service) assign(ctx context.Context, l *Lead, ch Change) (Decision, error) {
	if l != nil {
		l.ensure()
	}
	var dec Decision
	_, err := s.store.UpdateAssignment(ctx, l.tenant, l.team, func(st *AssignmentState) error {
		d, next, err := s.router.Assign(*st, l, ch.At)
		if err != nil {
			return err
		}
		dec, *st = d, next
		return nil
	})
	if err != nil {
		return Decision{}, err
	}
	if dec.Assigned {
		ach := ch
		if ach.Reason == "" || l.owner != "" {
			ach.Reason = dec.Why
			if len(ach.Reason) > crm.MaxReasonLen {
				ach.Reason = fmt.Sprintf("rule %q", dec.Rule)
			}
		}
		if err := l.Assign(dec.Owner, ach); err != nil {
			return Decision{}, err
		}
	}
	return dec, nil
}

// rebalance keeps the open-lead counts of team's assignment state in step
// with a change of one lead, in the transaction ctx carries: the slot of
// the lead's previous owner (when it was open) is given back, and its new
// owner (when it is still open) takes one. Nothing is written when
// neither changed.
func (s *Service) rebalance(ctx context.Context, tenant crm.TenantID, team string, wasOpen bool, from crm.UserID, isOpen bool, to crm.UserID) error {
	if !wasOpen {
		from = ""
	}
	if !isOpen {
		to = ""
	}
	if from == to {
		return nil
	}
	_, err := s.store.UpdateAssignment(ctx, tenant, team, func(st *AssignmentState) error {
		if from != "" {
			*st = st.Release(from)
		}
		if to != "" {
			*st = st.SetOpen(to, st.OpenLeads(to)+1)
		}
		return nil
	})
	return err
}

// Get returns a lead.
func (s *Service) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Lead, error) {
	l, err := s.store.Get(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("lead: get %s: %w", id, err)
	}
	return l, nil
}

// List returns a page of the leads matching q; see Store.List.
func (s *Service) List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Lead], error) {
	p, err := s.store.List(ctx, tenant, q, page)
	if err != nil {
		return p, fmt.Errorf("lead: list: %w", err)
	}
	return p, nil
}

// History returns a page of the lead's history, oldest first.
func (s *Service) History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[HistoryEntry], error) {
	p, err := s.store.History(ctx, tenant, id, page)
	if err != nil {
		return p, fmt.Errorf("lead: history %s: %w", id, err)
	}
	return p, nil
}

// Update runs fn on the latest state of the lead in one transaction and
// stores the result; fn may run more than once when the store retries.
// Events recorded by fn are published after the commit. When fn closes the
// lead or gives it to another owner, the open-lead counts of the team's
// assignment state follow in the same transaction.
func (s *Service) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Lead) error) (*Lead, error) {
	if fn == nil {
		return nil, crm.Invalid("lead.Service.Update", "fn", "must not be nil")
	}
	var out *Lead
	_, err := s.pub.Write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		l, events, err := s.updateCounted(ctx, tenant, id, fn)
		out = l
		return events, err
	})
	if err != nil {
		return nil, fmt.Errorf("lead: update %s: %w", id, err)
	}
	return out, nil
}

// updateCounted is update, with the assignment counts kept in step
// (rebalance), in the transaction ctx carries.
func (s *Service) updateCounted(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Lead) error) (*Lead, []crm.Event, error) {
	var wasOpen bool
	var from crm.UserID
	l, events, err := s.update(ctx, tenant, id, func(l *Lead) error {
		wasOpen, from = l.stage.Open(), l.owner
		return fn(l)
	})
	if err != nil {
		return nil, nil, err
	}
	if err := s.rebalance(ctx, tenant, l.team, wasOpen, from, l.stage.Open(), l.owner); err != nil {
		return nil, nil, err
	}
	return l, events, nil
}

// Move moves the lead to stage to under its team's process (see
// [Lead.Move]; ch.Reason is the disqualification reason code when to is
// StageDisqualified). A move that closes an owned lead gives back the
// owner's open-lead slot in the same transaction.
func (s *Service) Move(ctx context.Context, tenant crm.TenantID, id crm.ID, to Stage, ch Change) (*Lead, error) {
	ch = s.change(ch)
	var out *Lead
	_, err := s.pub.Write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		l, events, err := s.updateCounted(ctx, tenant, id, func(l *Lead) error {
			p := s.process(l.team)
			return l.Move(&p, to, ch)
		})
		out = l
		return events, err
	})
	if err != nil {
		return nil, fmt.Errorf("lead: move %s to %s: %w", id, to, err)
	}
	return out, nil
}

// RecordContact records the first contact with the prospect; see
// [Lead.RecordContact].
func (s *Service) RecordContact(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Lead, error) {
	ch = s.change(ch)
	return s.Update(ctx, tenant, id, func(l *Lead) error { return l.RecordContact(ch) })
}

// Assign assigns a stored open lead through the service's router and the
// team's persisted assignment state, in one transaction: an unassigned
// lead gets an owner; an owned lead is reassigned to someone else (ch.Reason
// is then required) and the previous owner's slot is given back. When
// nobody is eligible the lead is unchanged and the decision says why.
func (s *Service) Assign(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (Decision, *Lead, error) {
	if s.router == nil {
		return Decision{}, nil, crm.Invalid("lead.Service.Assign", "router", "the service has no router")
	}
	ch = s.change(ch)
	var dec Decision
	var out *Lead
	_, err := s.pub.Write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		cur, err := s.store.Get(ctx, tenant, id)
		if err != nil {
			return nil, err
		}
		if cur.owner != "" && ch.Reason == "" {
			return nil, crm.Invalid("lead.Service.Assign", "change.reason", "required for a reassignment")
		}
		if dec, err = s.assign(ctx, cur, ch); err != nil || !dec.Assigned {
			out = cur
			return nil, err
		}
		l, events, err := s.update(ctx, tenant, id, func(l *Lead) error {
			if l.owner != dec.Previous {
				return fmt.Errorf("the lead's owner changed meanwhile: %w", crm.ErrConflict)
			}
			return l.Assign(dec.Owner, Change{Actor: ch.Actor, At: ch.At, Reason: reasonOf(ch, dec)})
		})
		out = l
		return events, err
	})
	if err != nil {
		return Decision{}, nil, fmt.Errorf("lead: assign %s: %w", id, err)
	}
	return dec, out, nil
}

func reasonOf(ch Change, dec Decision) string {
	if ch.Reason != "" {
		return ch.Reason
	}
	if len(dec.Why) <= crm.MaxReasonLen {
		return dec.Why
	}
	return fmt.Sprintf("rule %q", dec.Rule)
}

// Reassigned is one lead [Service.CheckFirstContact] reassigned.
type Reassigned struct {
	Lead     crm.ID
	Decision Decision
}

// CheckFirstContact checks the first-contact clocks of the tenant's open,
// uncontacted leads at instant at (the service's FirstContact level): it
// publishes each warning and breach that happened in (since, at] once
// ([CheckFirstContact]) and, when the service has a router, reassigns each
// breached lead in a transaction of its own ([ReassignBreached]), its
// history saying why. It returns the alerts and the reassignments; a lead
// that failed is reported in the joined error, the others are done.
func (s *Service) CheckFirstContact(ctx context.Context, tenant crm.TenantID, since, at time.Time, actor crm.UserID) ([]crm.Event, []Reassigned, error) {
	const op = "lead.Service.CheckFirstContact"
	if s.sla == nil {
		return nil, nil, crm.Invalid(op, "first_contact", "the service has no first-contact service level")
	}
	var leads []*Lead
	// Only the leads whose clock started early enough to be due by at.
	due := s.sla.DueBefore(at)
	if !crm.ValidTime(due) {
		due = crm.MinTime
	}
	page := crm.PageRequest{Limit: crm.MaxPageLimit}
	for {
		p, err := s.store.List(ctx, tenant, Query{Uncontacted: true, ClockStartTo: due}, page)
		if err != nil {
			return nil, nil, fmt.Errorf("lead: check first contact: %w", err)
		}
		leads = append(leads, p.Items...)
		if p.Next == "" {
			break
		}
		page.Cursor = p.Next
	}
	alerts, errs := CheckFirstContact(leads, *s.sla, since, at)
	var joined []error
	if errs != nil {
		joined = append(joined, errs)
	}
	alerts, err := s.pub.Write(ctx, false, func(context.Context) ([]crm.Event, error) { return alerts, nil })
	if err != nil {
		return nil, nil, fmt.Errorf("lead: check first contact: %w", err)
	}
	var done []Reassigned
	if s.router == nil {
		return alerts, nil, errors.Join(joined...)
	}
	for _, l := range leads {
		if l.owner == "" {
			continue
		}
		var dec Decision
		var moved bool
		_, err := s.pub.Write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
			var events []crm.Event
			cur, err := s.store.Get(ctx, tenant, l.id)
			if err != nil {
				return nil, err
			}
			if !cur.stage.Open() || !cur.firstContactAt.IsZero() {
				moved = false
				return nil, nil
			}
			_, err = s.store.UpdateAssignment(ctx, tenant, l.team, func(st *AssignmentState) error {
				var next AssignmentState
				var err error
				dec, next, moved, err = ReassignBreached(s.router, *st, cur.Clone(), *s.sla, at, actor)
				if err != nil || !moved {
					return err
				}
				*st = next
				return nil
			})
			if err != nil || !moved {
				return nil, err
			}
			_, events, err = s.update(ctx, tenant, l.id, func(x *Lead) error {
				if x.owner != dec.Previous {
					return fmt.Errorf("the lead's owner changed meanwhile: %w", crm.ErrConflict)
				}
				return x.Assign(dec.Owner, Change{Actor: actor, At: at, Reason: reasonOf(Change{}, dec)})
			})
			return events, err
		})
		if err != nil {
			joined = append(joined, fmt.Errorf("lead: reassign %s: %w", l.id, err))
			continue
		}
		if moved {
			done = append(done, Reassigned{Lead: l.id, Decision: dec})
		}
	}
	return alerts, done, errors.Join(joined...)
}

// Score applies scorer to the lead with the given activities and stores
// the score with its explanation; see [Lead.ApplyScore].
func (s *Service) Score(ctx context.Context, tenant crm.TenantID, id crm.ID, scorer *scoring.LeadScorer, activities []scoring.Activity, ch Change) (Score, error) {
	ch = s.change(ch)
	var sc Score
	_, err := s.Update(ctx, tenant, id, func(l *Lead) error {
		var err error
		sc, err = l.ApplyScore(scorer, activities, ch)
		return err
	})
	return sc, err
}

// CreateCampaign makes a campaign from in (a zero in.ID gets a generated
// one) and stores it.
func (s *Service) CreateCampaign(ctx context.Context, in CampaignInput, ch Change) (*Campaign, error) {
	if in.ID.IsZero() {
		id, err := s.ids.NewID()
		if err != nil {
			return nil, fmt.Errorf("lead: create campaign: %w", err)
		}
		in.ID = id
	}
	c, err := NewCampaign(in, s.change(ch))
	if err != nil {
		return nil, err
	}
	var out *Campaign
	_, err = s.pub.Write(ctx, false, func(ctx context.Context) ([]crm.Event, error) {
		d := c.Clone()
		events := slices.Clone(d.events)
		if err := s.store.Campaigns().Create(ctx, d); err != nil {
			return nil, err
		}
		out = d
		return versioned(events, d.version), nil
	})
	if err != nil {
		return nil, fmt.Errorf("lead: create campaign %s: %w", in.ID, err)
	}
	return out, nil
}

// UpdateCampaign runs fn on the latest state of the campaign in one
// transaction (adding members, recording responses, setting the cost) and
// stores the result.
func (s *Service) UpdateCampaign(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Campaign) error) (*Campaign, error) {
	if fn == nil {
		return nil, crm.Invalid("lead.Service.UpdateCampaign", "fn", "must not be nil")
	}
	var out *Campaign
	_, err := s.pub.Write(ctx, false, func(ctx context.Context) ([]crm.Event, error) {
		var events []crm.Event
		c, err := s.store.Campaigns().Update(ctx, tenant, id, func(c *Campaign) error {
			c.events = nil
			if err := fn(c); err != nil {
				return err
			}
			events = slices.Clone(c.events)
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = c
		return versioned(events, c.version), nil
	})
	if err != nil {
		return nil, fmt.Errorf("lead: update campaign %s: %w", id, err)
	}
	return out, nil
}
