package complaint

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
)

// Options configure a [Service]. A nil *Options, and every zero field, takes
// the default named beside the field.
type Options struct {
	// Clock tells the time of changes whose Change.At is zero. Default:
	// crm.SystemClock.
	Clock crm.Clock
	// IDs makes new complaint, group and risk IDs. Default: crm.UUIDv7.
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
	// failures. Default: a logger that discards everything.
	Logger *slog.Logger
	// Categories is the host's category tree. When set, complaints must use
	// its codes and a list filtered by a category includes its
	// subcategories. Default: none (any well-formed code).
	Categories *CategoryTree
	// Policies are the service-level policies. Default: none; the SLA
	// calls then return an error wrapping crm.ErrUnsupported.
	Policies *PolicySet
	// Calendars are the business calendars the policies name.
	Calendars map[string]*calendar.Calendar
	// Ladder is the escalation ladder ApplyEscalations climbs. Default:
	// none; ApplyEscalations then returns an error wrapping
	// crm.ErrUnsupported.
	Ladder *Ladder
	// ReopenWindow is how long after closing a complaint may be reopened.
	// Default: DefaultReopenWindow.
	ReopenWindow time.Duration
	// Facts tells the customer facts (class, key account) that policies
	// and escalation triggers look at. Default: [DefaultFacts].
	Facts func(c *customer.Customer) CustomerFacts
}

// DefaultFacts returns the customer's classification (actual class name)
// and key-account flag as complaint facts.
func DefaultFacts(c *customer.Customer) CustomerFacts {
	f := CustomerFacts{KeyAccount: c.KeyAccount()}
	if cl := c.Class(); cl.Valid() {
		f.Class = cl.String()
	}
	return f
}

// Service runs the complaint use cases against a [Backend]: receiving,
// handling, escalating and closing complaints, group complaints, follow-ups,
// service levels, risks, the knowledge base and analytics. It is safe for
// concurrent use. Domain events get an ID when their change is stored, go
// to the outbox (when set) in the change's transaction, and to the event
// sink only after the outermost transaction commits.
type Service struct {
	backend  Backend
	store    Store          // guarded
	custs    customer.Store // guarded
	clock    crm.Clock
	ids      crm.IDGenerator
	pub      *hook.Publisher
	log      *slog.Logger
	cats     *CategoryTree
	policies *PolicySet
	cals     map[string]*calendar.Calendar
	ladder   *Ladder
	reopen   time.Duration
	facts    func(c *customer.Customer) CustomerFacts
}

// NewService returns a service over b. Policies and a ladder, when given,
// are validated, and every calendar a policy names must be in Calendars.
func NewService(b Backend, opts *Options) (*Service, error) {
	if b == nil || b.Complaints() == nil || b.Customers() == nil {
		return nil, crm.Invalid("complaint.NewService", "backend", "must not be nil")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	s := &Service{
		backend: b, store: Guard(b.Complaints()), custs: customer.Guard(b.Customers()), clock: o.Clock, ids: o.IDs, log: o.Logger,
		cats: o.Categories, policies: o.Policies, cals: o.Calendars, ladder: o.Ladder,
		reopen: o.ReopenWindow, facts: o.Facts,
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
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.pub = &hook.Publisher{Pkg: "complaint", Tx: b, IDs: s.ids, Outbox: o.Outbox, Sink: o.Events, Log: s.log}
	if s.facts == nil {
		s.facts = DefaultFacts
	}
	if s.reopen == 0 {
		s.reopen = DefaultReopenWindow
	}
	var v crm.Validator
	v.Check(s.reopen > 0, "reopen_window", "must not be negative")
	if s.policies != nil {
		set := *s.policies
		if set.Categories == nil {
			set.Categories = s.cats
		}
		s.policies = &set
		v.Merge("policies", set.Validate())
		for _, p := range append([]Policy{set.Default}, set.Policies...) {
			v.Check(s.cals[p.Calendar] != nil, "calendars", fmt.Sprintf("no calendar %.64q for policy %.64q", p.Calendar, p.Name))
		}
	}
	if s.ladder != nil {
		v.Merge("ladder", s.ladder.Validate())
	}
	if err := v.Err("complaint.NewService"); err != nil {
		return nil, err
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
func (s *Service) write(ctx context.Context, tx bool, fn func(ctx context.Context) ([]crm.Event, error)) ([]crm.Event, error) {
	return s.pub.Write(ctx, tx, fn)
}

// ReceiveInput is a complaint as it arrives; [Service.Receive] fills in
// its ID, the category tree and the reopen window.
type ReceiveInput struct {
	Tenant   crm.TenantID
	Customer crm.ID
	Channel  customer.Channel
	Category string
	Severity Severity
	Priority Priority
	Asset    Asset
	// Description is the customer's account of the matter. Required.
	Description    string
	DesiredOutcome string
	Attachments    []string
	// Owner is the one person accountable from the start. Required.
	Owner crm.UserID
}

// Receive records a new complaint of an existing customer (ISO 10002
// receipt). A missing customer returns an error wrapping crm.ErrNotFound,
// a merged one crm.ErrMerged, an erased one crm.ErrErased; bad input
// crm.ErrInvalid. ch.At defaults to the service clock.
func (s *Service) Receive(ctx context.Context, in ReceiveInput, ch Change) (*Complaint, error) {
	id, err := s.ids.NewID()
	if err != nil {
		return nil, fmt.Errorf("complaint: receive: %w", err)
	}
	c, err := New(NewInput{
		ID: id, Tenant: in.Tenant, Customer: in.Customer, Channel: in.Channel, Category: in.Category,
		Categories: s.cats, Severity: in.Severity, Priority: in.Priority, Asset: in.Asset,
		Description: in.Description, DesiredOutcome: in.DesiredOutcome, Attachments: in.Attachments,
		Owner: in.Owner, ReopenWindow: s.reopen,
	}, s.change(ch))
	if err != nil {
		return nil, fmt.Errorf("complaint: receive: %w", err)
	}
	var out *Complaint
	_, err = s.write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		if err := s.checkCustomer(ctx, in.Tenant, in.Customer); err != nil {
			return nil, err
		}
		d := c.Clone() // a retried transaction starts again from c
		events := d.Events()
		if err := s.store.Create(ctx, d); err != nil { // Create marks d saved
			return nil, err
		}
		out = d
		return versioned(events, d.version), nil
	})
	if err != nil {
		return nil, fmt.Errorf("complaint: receive: %w", err)
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

// checkCustomer returns nil when the customer exists and is neither merged
// nor erased.
func (s *Service) checkCustomer(ctx context.Context, tenant crm.TenantID, id crm.ID) error {
	cu, err := s.custs.Get(ctx, tenant, id)
	switch {
	case err != nil:
		return fmt.Errorf("customer %s: %w", id, err)
	case cu.IsTombstone():
		return fmt.Errorf("customer %s merged into %s: %w", id, cu.MergedInto(), crm.ErrMerged)
	case cu.IsErased():
		return fmt.Errorf("customer %s: %w", id, crm.ErrErased)
	}
	return nil
}

// Get returns a complaint.
func (s *Service) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Complaint, error) {
	c, err := s.store.Get(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("complaint: get %s: %w", id, err)
	}
	return c, nil
}

// Update runs fn on the latest state of the complaint in the store's
// transaction and stores the result; the events fn's changes recorded are
// published after the commit. It is the general form of the service's
// single-complaint actions.
//
// An error of fn is returned wrapped, so errors.Is and errors.As see it;
// nothing is stored and nothing published.
func (s *Service) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Complaint) error) (*Complaint, error) {
	return s.update(ctx, tenant, id, "update", fn)
}

// update is Update with the operation's name in its errors:
// "complaint: <op> <id>: ...". Events carry the stored version.
func (s *Service) update(ctx context.Context, tenant crm.TenantID, id crm.ID, op string, fn func(*Complaint) error) (*Complaint, error) {
	if fn == nil {
		return nil, fmt.Errorf("complaint: %s %s: %w", op, id, crm.Invalid("complaint.Service.Update", "fn", "must not be nil"))
	}
	var out *Complaint
	_, err := s.write(ctx, false, func(ctx context.Context) ([]crm.Event, error) {
		var events []crm.Event
		c, err := s.store.Update(ctx, tenant, id, func(c *Complaint) error {
			events = nil
			if err := fn(c); err != nil {
				return err
			}
			events = c.Events()
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = c
		return versioned(events, c.version), nil
	})
	if err != nil {
		return nil, fmt.Errorf("complaint: %s %s: %w", op, id, err)
	}
	return out, nil
}

// List returns complaints matching q in receipt (ID) order. With a
// category tree set, each code of q.Categories also matches its
// subcategories; an unknown code returns crm.ErrInvalid.
func (s *Service) List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Complaint], error) {
	q, err := s.expand(q)
	if err != nil {
		return crm.Page[*Complaint]{}, err
	}
	p, err := s.store.List(ctx, tenant, q, page)
	if err != nil {
		return p, fmt.Errorf("complaint: list: %w", err)
	}
	return p, nil
}

// expand replaces each category of q by its subtree.
func (s *Service) expand(q Query) (Query, error) {
	if s.cats == nil || len(q.Categories) == 0 {
		return q, nil
	}
	var out []string
	for _, code := range q.Categories {
		if !s.cats.Has(code) {
			return q, crm.Invalid("complaint.List", "categories", fmt.Sprintf("unknown category %.64q", code))
		}
		for _, c := range s.cats.Categories() {
			if path, err := s.cats.Path(c.Code); err == nil && slices.Contains(path, code) {
				out = append(out, c.Code)
			}
		}
	}
	if len(out) > MaxQueryCategories {
		return q, crm.Invalid("complaint.List", "categories", "the subtrees hold too many categories")
	}
	q.Categories = out
	return q, nil
}

// Audit returns the complaint's audit trail, oldest first.
func (s *Service) Audit(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[AuditEntry], error) {
	p, err := s.store.Audit(ctx, tenant, id, page)
	if err != nil {
		return p, fmt.Errorf("complaint: audit %s: %w", id, err)
	}
	return p, nil
}

// each calls fn for every complaint matching q, page by page, stopping at
// the first error.
func (s *Service) each(ctx context.Context, tenant crm.TenantID, q Query, fn func(*Complaint) error) error {
	page := crm.PageRequest{Limit: crm.MaxPageLimit}
	for {
		p, err := s.store.List(ctx, tenant, q, page)
		if err != nil {
			return err
		}
		for _, c := range p.Items {
			if err := fn(c); err != nil {
				return err
			}
		}
		if p.Next == "" {
			return nil
		}
		page.Cursor = p.Next
	}
}
