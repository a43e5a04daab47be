package customer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/hook"
)

// Options configure a [Service]. A nil *Options, and every zero field, takes
// the default named beside the field.
type Options struct {
	// Clock tells the time of changes. Default: crm.SystemClock.
	Clock crm.Clock
	// IDs makes new IDs. Default: crm.UUIDv7.
	IDs crm.IDGenerator
	// Events receives domain events after the outermost transaction that
	// stored them commits, never for a rolled-back change. Delivery is in
	// process and best effort: a sink's error or panic is logged with Logger
	// and never returned, since the change is committed. Default:
	// crm.DiscardEvents.
	Events crm.EventSink
	// Outbox, when set, stores the events of every change in the same
	// transaction as the change (the service then runs each change in one
	// backend InTx), for the host to drain with at-least-once delivery.
	// Default: nil, no outbox.
	Outbox crm.EventLog
	// Logger logs what the service cannot return as an error: event sink
	// failures, and merge-chain shortcuts Resolve could not store. Default:
	// a logger that discards everything.
	Logger *slog.Logger
	// DuplicateRules tune FindDuplicates. Default: DefaultDuplicateRules().
	DuplicateRules *DuplicateRules
}

// Service runs the customer use cases against a [Backend]: creating and
// changing customers, their stages, owners and classification,
// interactions, visits, duplicates, merges and erasure. It is safe for
// concurrent use.
type Service struct {
	backend Backend
	store   Store
	clock   crm.Clock
	ids     crm.IDGenerator
	log     *slog.Logger
	pub     *hook.Publisher
	dups    DuplicateRules
}

// NewService returns a service over b.
func NewService(b Backend, opts *Options) (*Service, error) {
	if b == nil || b.Customers() == nil {
		return nil, crm.Invalid("customer.NewService", "backend", "must not be nil")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	s := &Service{backend: b, store: Guard(b.Customers()), clock: o.Clock, ids: o.IDs, log: o.Logger}
	if s.clock == nil {
		s.clock = crm.SystemClock{}
	}
	if s.ids == nil {
		s.ids = crm.UUIDv7{}
	}
	if o.Events == nil {
		o.Events = crm.DiscardEvents
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.pub = &hook.Publisher{Pkg: "customer", Tx: b, IDs: s.ids, Outbox: o.Outbox, Sink: o.Events, Log: s.log}
	s.dups = DefaultDuplicateRules()
	if o.DuplicateRules != nil {
		if err := o.DuplicateRules.Validate(); err != nil {
			return nil, fmt.Errorf("customer: new service: %w", err)
		}
		s.dups = *o.DuplicateRules
	}
	return s, nil
}

// change fills in the time of ch from the service's clock when unset.
func (s *Service) change(ch Change) Change {
	if ch.At.IsZero() {
		ch.At = s.clock.Now()
	}
	return ch
}

// write runs one change through the service's publisher: fn makes the
// store calls and returns the events of what it stored; see
// hook.Publisher.Write. tx says the change needs a transaction of its own.
func (s *Service) write(ctx context.Context, tx bool, fn func(ctx context.Context) ([]crm.Event, error)) error {
	_, err := s.pub.Write(ctx, tx, fn)
	return err
}

// Create makes a new customer from in (a zero in.ID gets a generated one)
// and stores it. ch.At defaults to the service clock.
func (s *Service) Create(ctx context.Context, in NewInput, ch Change) (*Customer, error) {
	if in.ID.IsZero() {
		id, err := s.ids.NewID()
		if err != nil {
			return nil, fmt.Errorf("customer: create: %w", err)
		}
		in.ID = id
	}
	c, err := New(in, s.change(ch))
	if err != nil {
		return nil, err
	}
	var out *Customer
	err = s.write(ctx, false, func(ctx context.Context) ([]crm.Event, error) {
		d := c.Clone() // a retried transaction starts again from c
		events := d.events
		if err := s.store.Create(ctx, d); err != nil {
			return nil, err
		}
		out = d
		return versioned(events, d.version), nil
	})
	if err != nil {
		return nil, fmt.Errorf("customer: create %s: %w", in.ID, err)
	}
	return out, nil
}

// versioned sets the aggregate version of every event to v and returns
// events.
func versioned(events []crm.Event, v int64) []crm.Event {
	for i := range events {
		events[i].Version = v
	}
	return events
}

// Get returns a customer. A merged customer is returned as its tombstone;
// use Resolve to follow it to the survivor.
func (s *Service) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Customer, error) {
	c, err := s.store.Get(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("customer: get %s: %w", id, err)
	}
	return c, nil
}

// Resolve returns the customer with ID id, following tombstones to the
// customer it was merged into, however long the chain of merges. When it
// followed more than one tombstone, it re-points the tombstones it passed
// to the final survivor (each in its own update, best effort: a failure is
// logged, not returned), so the next Resolve takes one step.
//
// A missing id returns crm.ErrNotFound. A chain that loops, or ends at a
// missing customer, cannot be resolved by retrying: it returns an error
// wrapping crm.ErrCorrupt.
func (s *Service) Resolve(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Customer, error) {
	c, err := s.Get(ctx, tenant, id)
	if err != nil || !c.IsTombstone() {
		return c, err
	}
	seen := map[crm.ID]bool{id: true}
	var passed []crm.ID // tombstones followed, in order
	for c.IsTombstone() {
		next := c.mergedInto
		passed = append(passed, c.id)
		if seen[next] {
			return nil, fmt.Errorf("customer: resolve %s: merge chain loops at %s: %w", id, next, crm.ErrCorrupt)
		}
		seen[next] = true
		c, err = s.store.Get(ctx, tenant, next)
		if errors.Is(err, crm.ErrNotFound) {
			return nil, fmt.Errorf("customer: resolve %s: tombstone %s points to missing customer %s: %w",
				id, passed[len(passed)-1], next, crm.ErrCorrupt)
		}
		if err != nil {
			return nil, fmt.Errorf("customer: resolve %s: %w", id, err)
		}
	}
	if len(passed) > 1 {
		s.compress(ctx, tenant, passed[:len(passed)-1], c.id)
	}
	return c, nil
}

// compress re-points the tombstones ids to survivor.
func (s *Service) compress(ctx context.Context, tenant crm.TenantID, ids []crm.ID, survivor crm.ID) {
	for _, id := range ids {
		_, err := s.store.Update(ctx, tenant, id, func(c *Customer) error { return c.repoint(survivor) })
		if err != nil && !errors.Is(err, errNoChange) {
			s.log.WarnContext(ctx, "customer: resolve: could not shorten the merge chain",
				"tenant", string(tenant), "tombstone", id.String(), "survivor", survivor.String(), "error", err)
		}
	}
}

// errNoChange stops an update that has nothing to store.
var errNoChange = errors.New("customer: no change")

// repoint makes a tombstone point to survivor, the end of its merge chain:
// the same customer, reached in one step. It records no history and no
// event, since nothing a user sees changes.
func (c *Customer) repoint(survivor crm.ID) error {
	if !c.IsTombstone() || c.mergedInto == survivor || survivor == c.id || survivor.IsZero() {
		return errNoChange
	}
	c.own()
	c.mergedInto = survivor
	return nil
}

// Update runs fn on the latest state of the customer and stores the result;
// concurrent updates lose nothing. fn may run more than once when the store
// retries. Events recorded by fn are published after the commit.
func (s *Service) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Customer) error) (*Customer, error) {
	if fn == nil {
		return nil, crm.Invalid("customer.Service.Update", "fn", "must not be nil")
	}
	now := s.clock.Now()
	var out *Customer
	err := s.write(ctx, false, func(ctx context.Context) ([]crm.Event, error) {
		var events []crm.Event
		c, err := s.store.Update(ctx, tenant, id, func(c *Customer) error {
			c.events, events = nil, nil
			if err := fn(c); err != nil {
				return err
			}
			c.touch(now)
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
		return nil, fmt.Errorf("customer: update %s: %w", id, err)
	}
	return out, nil
}

// MoveStage moves the customer's relationship stage; see Customer.MoveStage.
func (s *Service) MoveStage(ctx context.Context, tenant crm.TenantID, id crm.ID, to Stage, contract string, ch Change) (*Customer, error) {
	ch = s.change(ch)
	return s.Update(ctx, tenant, id, func(c *Customer) error { return c.MoveStage(to, contract, ch) })
}

// MoveLoyalty moves the customer on the loyalty ladder.
func (s *Service) MoveLoyalty(ctx context.Context, tenant crm.TenantID, id crm.ID, to Loyalty, ch Change) (*Customer, error) {
	ch = s.change(ch)
	return s.Update(ctx, tenant, id, func(c *Customer) error { return c.MoveLoyalty(to, ch) })
}

// MoveLifecycle moves the customer's lifecycle status.
func (s *Service) MoveLifecycle(ctx context.Context, tenant crm.TenantID, id crm.ID, to Lifecycle, ch Change) (*Customer, error) {
	ch = s.change(ch)
	return s.Update(ctx, tenant, id, func(c *Customer) error { return c.MoveLifecycle(to, ch) })
}

// AssignOwner hands the customer to another account manager; ch.Reason is
// required.
func (s *Service) AssignOwner(ctx context.Context, tenant crm.TenantID, id crm.ID, to crm.UserID, ch Change) (*Customer, error) {
	ch = s.change(ch)
	return s.Update(ctx, tenant, id, func(c *Customer) error { return c.AssignOwner(to, ch) })
}

// Classify applies cl to the customer with the host's facts and stores the
// resulting class and key-account flag.
func (s *Service) Classify(ctx context.Context, tenant crm.TenantID, id crm.ID, cl Classifier, facts Facts, ch Change) (Classification, error) {
	if err := cl.Validate(); err != nil {
		return Classification{}, err
	}
	ch = s.change(ch)
	var res Classification
	_, err := s.Update(ctx, tenant, id, func(c *Customer) error {
		res = cl.Classify(c, facts)
		if err := c.SetClass(res.Class, ch); err != nil {
			return err
		}
		return c.SetKeyAccount(res.KeyAccount, ch)
	})
	if err != nil {
		return Classification{}, err
	}
	return res, nil
}

// List returns one page of the customers matching q, in ascending ID order.
func (s *Service) List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Customer], error) {
	if err := q.Validate(); err != nil {
		return crm.Page[*Customer]{}, err
	}
	p, err := s.store.List(ctx, tenant, q, page)
	if err != nil {
		return p, fmt.Errorf("customer: list: %w", err)
	}
	return p, nil
}

// History returns one page of the customer's history, oldest first.
func (s *Service) History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[HistoryEntry], error) {
	p, err := s.store.History(ctx, tenant, id, page)
	if err != nil {
		return p, fmt.Errorf("customer: history %s: %w", id, err)
	}
	return p, nil
}

// InteractionInput describes a contact to record.
type InteractionInput struct {
	Channel   Channel
	Direction Direction
	Actor     crm.UserID
	// At defaults to the service clock.
	At          time.Time
	Summary     string
	Outcome     string
	NextStep    string
	NextStepDue time.Time
}

// LogInteraction records a contact with the customer.
func (s *Service) LogInteraction(ctx context.Context, tenant crm.TenantID, customerID crm.ID, in InteractionInput) (Interaction, error) {
	id, err := s.ids.NewID()
	if err != nil {
		return Interaction{}, fmt.Errorf("customer: log interaction: %w", err)
	}
	if in.At.IsZero() {
		in.At = s.clock.Now()
	}
	it := Interaction{
		ID: id, Tenant: tenant, CustomerID: customerID, Channel: in.Channel, Direction: in.Direction,
		Actor: in.Actor, At: in.At.UTC(), Summary: in.Summary, Outcome: in.Outcome,
		NextStep: in.NextStep, NextStepDue: in.NextStepDue,
	}
	if err := it.Validate(); err != nil {
		return Interaction{}, err
	}
	err = s.write(ctx, false, func(ctx context.Context) ([]crm.Event, error) {
		if err := s.store.AddInteraction(ctx, it); err != nil {
			return nil, err
		}
		return []crm.Event{{Type: EventInteraction, Tenant: tenant, AggregateID: customerID, At: it.At, Actor: string(it.Actor), Data: it}}, nil
	})
	if err != nil {
		return Interaction{}, fmt.Errorf("customer: log interaction for %s: %w", customerID, err)
	}
	return it, nil
}

// Interactions returns one page of the customer's interactions, newest first.
func (s *Service) Interactions(ctx context.Context, tenant crm.TenantID, customerID crm.ID, page crm.PageRequest) (crm.Page[Interaction], error) {
	p, err := s.store.Interactions(ctx, tenant, customerID, page)
	if err != nil {
		return p, fmt.Errorf("customer: interactions of %s: %w", customerID, err)
	}
	return p, nil
}

// PlanVisit stores a planned visit (a zero v.ID gets a generated one; the
// status is set to planned).
func (s *Service) PlanVisit(ctx context.Context, v Visit) (Visit, error) {
	if v.ID.IsZero() {
		id, err := s.ids.NewID()
		if err != nil {
			return Visit{}, fmt.Errorf("customer: plan visit: %w", err)
		}
		v.ID = id
	}
	v.Status, v.Outcome, v.DoneAt, v.Version = VisitPlanned, "", time.Time{}, 0
	v.PlannedAt = v.PlannedAt.UTC()
	if err := v.Validate(); err != nil {
		return Visit{}, err
	}
	if err := s.store.CreateVisit(ctx, v); err != nil {
		return Visit{}, fmt.Errorf("customer: plan visit: %w", err)
	}
	v.Version = 1
	return v, nil
}

// CompleteVisit records the outcome of a planned visit, done now.
func (s *Service) CompleteVisit(ctx context.Context, tenant crm.TenantID, id crm.ID, outcome string) (Visit, error) {
	now := s.clock.Now()
	v, err := s.store.UpdateVisit(ctx, tenant, id, func(v *Visit) error { return v.Complete(outcome, now) })
	if err != nil {
		return Visit{}, fmt.Errorf("customer: complete visit %s: %w", id, err)
	}
	return v, nil
}

// CancelVisit cancels a planned visit.
func (s *Service) CancelVisit(ctx context.Context, tenant crm.TenantID, id crm.ID, reason string) (Visit, error) {
	v, err := s.store.UpdateVisit(ctx, tenant, id, func(v *Visit) error { return v.Cancel(reason) })
	if err != nil {
		return Visit{}, fmt.Errorf("customer: cancel visit %s: %w", id, err)
	}
	return v, nil
}

// Visits returns one page of visits matching q, by planned time.
func (s *Service) Visits(ctx context.Context, tenant crm.TenantID, q VisitQuery, page crm.PageRequest) (crm.Page[Visit], error) {
	if err := q.Validate(); err != nil {
		return crm.Page[Visit]{}, err
	}
	p, err := s.store.ListVisits(ctx, tenant, q, page)
	if err != nil {
		return p, fmt.Errorf("customer: visits: %w", err)
	}
	return p, nil
}

// maxDayVisits bounds how many visits of one day CheckDay reads.
const maxDayVisits = crm.MaxPageLimit

// CheckDay checks a salesperson's visits on day (in loc) against target.
func (s *Service) CheckDay(ctx context.Context, tenant crm.TenantID, salesperson crm.UserID, day Date, loc *time.Location, target DayTarget) (DayPlanCheck, error) {
	if err := day.Validate(); err != nil || day.Year == 0 {
		return DayPlanCheck{}, crm.Invalid("customer.Service.CheckDay", "day", "must be a full date")
	}
	if loc == nil {
		loc = time.UTC
	}
	from := time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, loc)
	p, err := s.Visits(ctx, tenant, VisitQuery{Salesperson: salesperson, From: from, To: from.AddDate(0, 0, 1)}, crm.PageRequest{Limit: maxDayVisits})
	if err != nil {
		return DayPlanCheck{}, err
	}
	return CheckDayPlan(salesperson, day, loc, p.Items, target)
}

// maxNameCandidates bounds the customers FindDuplicates reads by name.
const maxNameCandidates = 200

// FindDuplicates returns the likely duplicates of the customer, best first:
// customers sharing a normalised e-mail or phone, and customers whose name
// contains the customer's name, scored by the service's DuplicateRules.
func (s *Service) FindDuplicates(ctx context.Context, tenant crm.TenantID, id crm.ID) ([]DuplicateCandidate, error) {
	c, err := s.Get(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	if c.IsTombstone() {
		return nil, &MergedError{ID: c.id, Into: c.mergedInto}
	}
	var emails, phones []string
	for _, e := range c.emails {
		emails = append(emails, e.Normalized())
	}
	for _, p := range c.phones {
		phones = append(phones, p.Normalized())
	}
	byContact, err := s.store.FindByContact(ctx, tenant, emails, phones, maxNameCandidates)
	if err != nil {
		return nil, fmt.Errorf("customer: find duplicates of %s: %w", id, err)
	}
	cands := byContact
	if !c.IsErased() {
		q := Query{Text: truncateRunes(c.name, MaxQueryTextLen/4)}
		byName, err := s.store.List(ctx, tenant, q, crm.PageRequest{Limit: maxNameCandidates})
		if err != nil {
			return nil, fmt.Errorf("customer: find duplicates of %s: %w", id, err)
		}
		cands = append(cands, byName.Items...)
	}
	return FindDuplicates(c, cands, s.dups), nil
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// Merge folds the loser into the survivor in one transaction: the survivor
// takes the surviving values (see Survivorship), the loser's interactions,
// history and visits move to the survivor, and the loser stays as a
// tombstone pointing to it. It happens whole or not at all; a concurrent
// change to either customer makes it fail with crm.ErrConflict.
//
// # Relation records and account plans
//
// On a backend with relation stores ([RelationsBackend]) and account plans
// ([AccountPlanBackend]), the records naming the loser move to the
// survivor in the same transaction, keeping their IDs and histories:
// referrals it gave or received (as a customer target), suggestions it
// made, its memberships and its account plans. A backend without them
// merges as before. [MergeResult.Records] reports each record and what
// became of it. Plain moves record no event on the record (the merge's
// events tell it); the changes the clash rules make record the record's
// usual events, published with the merge's. Where a move would clash:
//
//   - Both are members of one programme: the survivor's membership stays
//     the programme's record (one per customer and programme). The better
//     placed of the two is the active one over a lapsed one over a
//     cancelled one, then the higher tier (in the order of
//     rules.Programmes; equal when the programme is not listed), then the
//     later term end; a tie goes to the survivor's. When the loser's is
//     better placed, the survivor's takes its tier and later term end
//     (tier and renewal steps, with a reason naming the merge). The
//     loser's is then cancelled with that reason, its history kept, and
//     stays with the tombstone (ClashSameProgramme, MergeCancelled, or
//     MergeLeft when already cancelled). When the survivor's is cancelled
//     (final) and the loser's is not, neither can be moved: the loser's
//     stays with the tombstone unchanged, reported MergeLeft with Kept
//     its own ID.
//   - The same target referred by both customers, or one referrer who
//     referred both: the referral already naming the survivor is kept;
//     the loser's stays with the tombstone, marked lost with a reason
//     naming the merge when pending, unchanged when decided
//     (ClashSameTarget).
//   - A referral between the two customers (its referrer and target
//     become one): it stays with the tombstone, marked lost when pending,
//     unchanged when decided (ClashSelfReferral).
//   - An active account plan of the loser overlapping an active plan of
//     the survivor: the survivor's stays active; the loser's is closed
//     with a reason naming the merge and then moved (ClashOverlappingPlan,
//     MergeClosedMoved). Moved plans keep their lead manager even when it
//     is not the survivor's owner; the owner check applies when the plan
//     next changes its lead.
//
// Cost: the merge lists every relation record and plan of both customers
// in its transaction, and makes one update per record of the loser (and
// one look-up per referral).
func (s *Service) Merge(ctx context.Context, tenant crm.TenantID, survivorID, loserID crm.ID, rules Survivorship, ch Change) (MergeResult, error) {
	ch = s.change(ch)
	var res MergeResult
	err := s.write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		sv, err := s.store.Get(ctx, tenant, survivorID)
		if err != nil {
			return nil, fmt.Errorf("survivor %s: %w", survivorID, err)
		}
		ls, err := s.store.Get(ctx, tenant, loserID)
		if err != nil {
			return nil, fmt.Errorf("loser %s: %w", loserID, err)
		}
		if res, err = Merge(sv, ls, rules, ch); err != nil {
			return nil, err
		}
		sv.touch(ch.At)
		ls.touch(ch.At)
		svEvents, lsEvents := slices.Clone(sv.events), slices.Clone(ls.events)
		if err := s.store.Save(ctx, sv); err != nil {
			return nil, fmt.Errorf("save survivor: %w", err)
		}
		if err := s.store.Save(ctx, ls); err != nil {
			return nil, fmt.Errorf("save loser: %w", err)
		}
		if err := s.store.MoveRelated(ctx, tenant, loserID, survivorID); err != nil {
			return nil, fmt.Errorf("move related records: %w", err)
		}
		rel := s.newMergeRel(tenant, survivorID, loserID, rules, ch)
		if err := rel.run(ctx); err != nil {
			return nil, err
		}
		res.Records = rel.records
		events := append(versioned(svEvents, sv.version), versioned(lsEvents, ls.version)...)
		return append(events, rel.events...), nil
	})
	if err != nil {
		return MergeResult{}, fmt.Errorf("customer: merge %s into %s: %w", loserID, survivorID, err)
	}
	return res, nil
}

// Erase removes the customer's personal data on request, and the texts of
// its interactions, in one transaction; see Customer.Erase for what stays.
func (s *Service) Erase(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (ErasureReport, error) {
	ch = s.change(ch)
	var rep ErasureReport
	err := s.write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		c, err := s.store.Get(ctx, tenant, id)
		if err != nil {
			return nil, err
		}
		if rep, err = c.Erase(ch); err != nil {
			return nil, err
		}
		c.touch(ch.At)
		events := slices.Clone(c.events)
		if err := s.store.Save(ctx, c); err != nil {
			return nil, err
		}
		n, err := s.store.EraseInteractions(ctx, tenant, id)
		if err != nil {
			return nil, err
		}
		rep.Interactions = n
		return versioned(events, c.version), nil
	})
	if err != nil {
		return ErasureReport{}, fmt.Errorf("customer: erase %s: %w", id, err)
	}
	return rep, nil
}

// DueCare lists the customers matching q page by page and returns the care
// actions of plan due in [from, to), in each customer's time zone.
func (s *Service) DueCare(ctx context.Context, tenant crm.TenantID, plan CarePlan, q Query, from, to time.Time) ([]CareAction, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	var out []CareAction
	page := crm.PageRequest{Limit: crm.MaxPageLimit}
	for {
		p, err := s.List(ctx, tenant, q, page)
		if err != nil {
			return nil, err
		}
		due, err := DueCare(plan, p.Items, from, to)
		if err != nil {
			return nil, err
		}
		out = append(out, due...)
		if p.Next == "" {
			break
		}
		page.Cursor = p.Next
	}
	SortCareActions(out)
	return out, nil
}
