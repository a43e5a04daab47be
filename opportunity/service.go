package opportunity

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
)

// MaxAnalyticsDeals bounds the opportunities one analytics call of the
// [Service] reads from the store.
const MaxAnalyticsDeals = 1_000_000

// Options configure a [Service]. A nil *Options, and every zero field,
// takes the default named beside the field.
type Options struct {
	// Clock tells the time of changes whose Change.At is zero. Default:
	// crm.SystemClock.
	Clock crm.Clock
	// IDs makes new opportunity and event IDs. Default: crm.UUIDv7.
	IDs crm.IDGenerator
	// Events receives domain events after the outermost transaction that
	// stored them commits, never for a rolled-back change. Delivery is in
	// process and best effort: a sink's error or panic is logged with
	// Logger and never returned, since the change is committed. Default:
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
	// Pipelines are the tenant's sales processes, each validated. An
	// opportunity's pipeline must be one of them. The service keeps them:
	// do not change them afterwards. Required: at least one.
	Pipelines []*Pipeline
	// Pricing are the pricing rules [Service.PriceLines] applies, one set
	// per currency. Default: none; PriceLines then returns an error
	// wrapping crm.ErrUnsupported.
	Pricing []PricingRules
}

// Service runs the opportunity use cases against a [Backend]: opening an
// opportunity for an existing customer, working it through its pipeline
// (stages, amount, priced lines, discount approvals, probability, forecast
// category, close date, next step, contacts, competitors, owner), closing
// it as won or lost, reopening it, and lists, history, forecasts and
// analytics over the store. Every use case runs in one transaction. It is
// safe for concurrent use. Domain events get an ID when their change is
// stored, go to the outbox (when set) in the change's transaction, and to
// the event sink only after the outermost transaction commits.
type Service struct {
	store     Store          // guarded
	custs     customer.Store // guarded
	clock     crm.Clock
	ids       crm.IDGenerator
	pub       *hook.Publisher
	pipelines map[string]*Pipeline
	plist     []*Pipeline // in the order of Options.Pipelines
	pricers   map[crm.Currency]*Pricer
}

// NewService returns a service over b. Every pipeline and pricing rule set
// is validated; two pipelines with one code, or two rule sets for one
// currency, are refused.
func NewService(b Backend, opts *Options) (*Service, error) {
	const op = "opportunity.NewService"
	if b == nil || b.Opportunities() == nil || b.Customers() == nil {
		return nil, crm.Invalid(op, "backend", "must not be nil")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	s := &Service{
		store: Guard(b.Opportunities()), custs: customer.Guard(b.Customers()), clock: o.Clock, ids: o.IDs,
		pipelines: make(map[string]*Pipeline, len(o.Pipelines)), pricers: make(map[crm.Currency]*Pricer, len(o.Pricing)),
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
	s.pub = &hook.Publisher{Pkg: "opportunity", Tx: b, IDs: s.ids, Outbox: o.Outbox, Sink: o.Events, Log: o.Logger}
	var v crm.Validator
	v.Check(len(o.Pipelines) > 0, "pipelines", "at least one pipeline is required")
	for i, p := range o.Pipelines {
		path := fmt.Sprintf("pipelines[%d]", i)
		if err := p.Validate(); err != nil {
			v.Merge(path, err)
			continue
		}
		if v.Check(s.pipelines[p.Code] == nil, path, "pipeline "+quote(p.Code)+" given twice") {
			s.pipelines[p.Code] = p
			s.plist = append(s.plist, p)
		}
	}
	for i, r := range o.Pricing {
		path := fmt.Sprintf("pricing[%d]", i)
		pr, err := NewPricer(r)
		if err != nil {
			v.Merge(path, err)
			continue
		}
		if v.Check(s.pricers[r.Currency] == nil, path, "rules for "+r.Currency.Code()+" given twice") {
			s.pricers[r.Currency] = pr
		}
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	return s, nil
}

// Pipeline returns the pipeline with the given code, or an error wrapping
// crm.ErrInvalid when the service has none.
func (s *Service) Pipeline(code string) (*Pipeline, error) {
	p := s.pipelines[code]
	if p == nil {
		return nil, crm.Invalid("opportunity.Service", "pipeline", "unknown pipeline "+quote(code))
	}
	return p, nil
}

// change fills in the time of ch from the service's clock when unset.
func (s *Service) change(ch Change) Change {
	if ch.At.IsZero() {
		ch.At = s.clock.Now()
	}
	return ch
}

// versioned sets the aggregate version of every event to v and returns
// events.
func versioned(events []crm.Event, v int64) []crm.Event {
	for i := range events {
		events[i].Version = v
	}
	return events
}

// checkCustomer returns the customer when it exists and is neither merged
// nor erased.
func (s *Service) checkCustomer(ctx context.Context, tenant crm.TenantID, id crm.ID) (*customer.Customer, error) {
	cu, err := s.custs.Get(ctx, tenant, id)
	switch {
	case err != nil:
		return nil, fmt.Errorf("customer %s: %w", id, err)
	case cu.IsTombstone():
		return nil, fmt.Errorf("customer %s merged into %s: %w", id, cu.MergedInto(), crm.ErrMerged)
	case cu.IsErased():
		return nil, fmt.Errorf("customer %s: %w", id, crm.ErrErased)
	}
	return cu, nil
}

// OpenInput is a new opportunity; [Service.Open] gives it its ID.
type OpenInput struct {
	Tenant   crm.TenantID
	Customer crm.ID
	// Pipeline is the code of one of the service's pipelines. Required.
	Pipeline string
	// The other fields are those of [NewInput].
	Owner     crm.UserID
	Team      string
	Name      string
	Source    Source
	Segment   string
	Currency  crm.Currency
	Amount    crm.Money
	CloseDate calendar.Date
	Stage     string
	Contacts  []Contact
}

// Open stores a new opportunity of an existing customer. A missing
// customer returns an error wrapping crm.ErrNotFound, a merged one
// crm.ErrMerged, an erased one crm.ErrErased; bad input crm.ErrInvalid.
// ch.At defaults to the service clock.
func (s *Service) Open(ctx context.Context, in OpenInput, ch Change) (*Opportunity, error) {
	p, err := s.Pipeline(in.Pipeline)
	if err != nil {
		return nil, fmt.Errorf("opportunity: open: %w", err)
	}
	id, err := s.ids.NewID()
	if err != nil {
		return nil, fmt.Errorf("opportunity: open: %w", err)
	}
	o, err := New(NewInput{
		ID: id, Tenant: in.Tenant, Customer: in.Customer, Owner: in.Owner, Team: in.Team, Name: in.Name,
		Source: in.Source, Segment: in.Segment, Currency: in.Currency, Amount: in.Amount, CloseDate: in.CloseDate,
		Stage: in.Stage, Contacts: in.Contacts,
	}, p, s.change(ch))
	if err != nil {
		return nil, fmt.Errorf("opportunity: open: %w", err)
	}
	var out *Opportunity
	_, err = s.pub.Write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		if _, err := s.checkCustomer(ctx, in.Tenant, in.Customer); err != nil {
			return nil, err
		}
		d := o.Clone() // a retried transaction starts again from o
		events := d.Events()
		if err := s.store.Create(ctx, d); err != nil { // Create marks d saved
			return nil, err
		}
		out = d
		return versioned(events, d.version), nil
	})
	if err != nil {
		return nil, fmt.Errorf("opportunity: open: %w", err)
	}
	return out, nil
}

// Get returns an opportunity.
func (s *Service) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Opportunity, error) {
	o, err := s.store.Get(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("opportunity: get %s: %w", id, err)
	}
	return o, nil
}

// Update runs fn on the latest state of the opportunity and its pipeline
// in the store's transaction and stores the result; the events fn's
// changes recorded are published after the commit. It is the general form
// of the service's single-opportunity actions.
//
// An error of fn is returned wrapped, so errors.Is and errors.As see it;
// nothing is stored and nothing published.
func (s *Service) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(o *Opportunity, p *Pipeline) error) (*Opportunity, error) {
	return s.update(ctx, tenant, id, "update", false, fn)
}

// update is Update with the operation's name in its errors:
// "opportunity: <op> <id>: ...". Events carry the stored version. tx makes
// the change run in a transaction of its own (it makes other store calls
// inside fn's transaction: none do yet).
func (s *Service) update(ctx context.Context, tenant crm.TenantID, id crm.ID, op string, tx bool, fn func(o *Opportunity, p *Pipeline) error) (*Opportunity, error) {
	if fn == nil {
		return nil, fmt.Errorf("opportunity: %s %s: %w", op, id, crm.Invalid("opportunity.Service.Update", "fn", "must not be nil"))
	}
	var out *Opportunity
	_, err := s.pub.Write(ctx, tx, func(ctx context.Context) ([]crm.Event, error) {
		var events []crm.Event
		o, err := s.store.Update(ctx, tenant, id, func(o *Opportunity) error {
			events = nil
			p, err := s.Pipeline(o.pipeline)
			if err != nil {
				return err
			}
			if err := fn(o, p); err != nil {
				return err
			}
			events = o.Events()
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = o
		return versioned(events, o.version), nil
	})
	if err != nil {
		return nil, fmt.Errorf("opportunity: %s %s: %w", op, id, err)
	}
	return out, nil
}

// MoveStage moves the opportunity to an open stage of its pipeline; see
// [Opportunity.MoveStage].
func (s *Service) MoveStage(ctx context.Context, tenant crm.TenantID, id crm.ID, to string, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "move stage", false, func(o *Opportunity, p *Pipeline) error { return o.MoveStage(p, to, ch) })
}

// ChangePipeline moves the opportunity to another of the service's
// pipelines, at one of its open stages; see [Opportunity.ChangePipeline].
func (s *Service) ChangePipeline(ctx context.Context, tenant crm.TenantID, id crm.ID, pipeline, stage string, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "change pipeline", false, func(o *Opportunity, _ *Pipeline) error {
		p, err := s.Pipeline(pipeline)
		if err != nil {
			return err
		}
		return o.ChangePipeline(p, stage, ch)
	})
}

// SetAmount sets an entered amount; see [Opportunity.SetAmount].
func (s *Service) SetAmount(ctx context.Context, tenant crm.TenantID, id crm.ID, m crm.Money, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "set amount", false, func(o *Opportunity, _ *Pipeline) error { return o.SetAmount(m, ch) })
}

// SetLines replaces the opportunity's lines; the amount becomes their sum.
// See [Opportunity.SetLines].
func (s *Service) SetLines(ctx context.Context, tenant crm.TenantID, id crm.ID, lines []Line, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "set lines", false, func(o *Opportunity, _ *Pipeline) error { return o.SetLines(lines, ch) })
}

// PriceLines prices req with the service's rules for the opportunity's
// currency and sets the result as its lines, in one transaction. A zero
// req.Class takes the customer's class (customer.Class) as stored. Without
// rules for the currency the error wraps crm.ErrUnsupported.
func (s *Service) PriceLines(ctx context.Context, tenant crm.TenantID, id crm.ID, req PriceRequest, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	var out *Opportunity
	_, err := s.pub.Write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		cur, err := s.store.Get(ctx, tenant, id)
		if err != nil {
			return nil, err
		}
		pr := s.pricers[cur.currency]
		if pr == nil {
			return nil, fmt.Errorf("no pricing rules for %s: %w", cur.currency.Code(), crm.ErrUnsupported)
		}
		r := req
		if r.Class == 0 {
			cu, err := s.checkCustomer(ctx, tenant, cur.customer)
			if err != nil {
				return nil, err
			}
			r.Class = cu.Class()
		}
		lines, err := pr.Price(r)
		if err != nil {
			return nil, err
		}
		var events []crm.Event
		o, err := s.store.Update(ctx, tenant, id, func(o *Opportunity) error {
			if err := o.SetLines(lines, ch); err != nil {
				return err
			}
			events = o.Events()
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = o
		return versioned(events, o.version), nil
	})
	if err != nil {
		return nil, fmt.Errorf("opportunity: price lines %s: %w", id, err)
	}
	return out, nil
}

// ApproveDiscount records ch.Actor's approval of discounts up to upTo on
// the line with the given code; see [Opportunity.ApproveDiscount].
func (s *Service) ApproveDiscount(ctx context.Context, tenant crm.TenantID, id crm.ID, line string, upTo decimal.Decimal, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "approve discount", false, func(o *Opportunity, _ *Pipeline) error {
		return o.ApproveDiscount(line, upTo, ch)
	})
}

// OverrideProbability sets the win probability by hand, with a reason;
// see [Opportunity.OverrideProbability].
func (s *Service) OverrideProbability(ctx context.Context, tenant crm.TenantID, id crm.ID, p float64, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "override probability", false, func(o *Opportunity, _ *Pipeline) error {
		return o.OverrideProbability(p, ch)
	})
}

// ClearProbabilityOverride returns to the stage's probability.
func (s *Service) ClearProbabilityOverride(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "clear probability override", false, func(o *Opportunity, _ *Pipeline) error {
		return o.ClearProbabilityOverride(ch)
	})
}

// SetForecastCategory sets the forecast category by hand; see
// [Opportunity.SetForecastCategory].
func (s *Service) SetForecastCategory(ctx context.Context, tenant crm.TenantID, id crm.ID, c ForecastCategory, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "set forecast category", false, func(o *Opportunity, _ *Pipeline) error {
		return o.SetForecastCategory(c, ch)
	})
}

// SetCloseDate sets the expected close date; see [Opportunity.SetCloseDate].
func (s *Service) SetCloseDate(ctx context.Context, tenant crm.TenantID, id crm.ID, d calendar.Date, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "set close date", false, func(o *Opportunity, _ *Pipeline) error { return o.SetCloseDate(d, ch) })
}

// SetNextStep sets the next step and its due date; see
// [Opportunity.SetNextStep].
func (s *Service) SetNextStep(ctx context.Context, tenant crm.TenantID, id crm.ID, step NextStep, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "set next step", false, func(o *Opportunity, _ *Pipeline) error { return o.SetNextStep(step, ch) })
}

// SetContacts replaces the opportunity's contacts; see
// [Opportunity.SetContacts].
func (s *Service) SetContacts(ctx context.Context, tenant crm.TenantID, id crm.ID, cs []Contact, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "set contacts", false, func(o *Opportunity, _ *Pipeline) error { return o.SetContacts(cs, ch) })
}

// SetOwner hands the opportunity over, with a reason; see
// [Opportunity.SetOwner].
func (s *Service) SetOwner(ctx context.Context, tenant crm.TenantID, id crm.ID, to crm.UserID, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "set owner", false, func(o *Opportunity, _ *Pipeline) error { return o.SetOwner(to, ch) })
}

// SetCompetitor adds a competitor or replaces the one with the same name;
// see [Opportunity.SetCompetitor].
func (s *Service) SetCompetitor(ctx context.Context, tenant crm.TenantID, id crm.ID, c Competitor, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "set competitor", false, func(o *Opportunity, _ *Pipeline) error { return o.SetCompetitor(c, ch) })
}

// RemoveCompetitor removes a competitor; see [Opportunity.RemoveCompetitor].
func (s *Service) RemoveCompetitor(ctx context.Context, tenant crm.TenantID, id crm.ID, name string, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "remove competitor", false, func(o *Opportunity, _ *Pipeline) error {
		return o.RemoveCompetitor(name, ch)
	})
}

// CloseWon closes the opportunity as won; its [EventWon] event (data
// [WonEvent]) is what a host listens to in order to move the customer's
// relationship stage on (a signed contract marks maturity). See
// [Opportunity.CloseWon].
func (s *Service) CloseWon(ctx context.Context, tenant crm.TenantID, id crm.ID, w WonDetails, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "close won", false, func(o *Opportunity, p *Pipeline) error { return o.CloseWon(p, w, ch) })
}

// CloseLost closes the opportunity as lost; see [Opportunity.CloseLost].
func (s *Service) CloseLost(ctx context.Context, tenant crm.TenantID, id crm.ID, l LostDetails, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "close lost", false, func(o *Opportunity, p *Pipeline) error { return o.CloseLost(p, l, ch) })
}

// Reopen reopens a closed opportunity at an open stage, with a reason; see
// [Opportunity.Reopen].
func (s *Service) Reopen(ctx context.Context, tenant crm.TenantID, id crm.ID, to string, ch Change) (*Opportunity, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "reopen", false, func(o *Opportunity, p *Pipeline) error { return o.Reopen(p, to, ch) })
}

// List returns the opportunities matching q in creation (ID) order.
func (s *Service) List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Opportunity], error) {
	p, err := s.store.List(ctx, tenant, q, page)
	if err != nil {
		return p, fmt.Errorf("opportunity: list: %w", err)
	}
	return p, nil
}

// History returns the opportunity's stage changes, oldest first.
func (s *Service) History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[StageChange], error) {
	p, err := s.store.History(ctx, tenant, id, page)
	if err != nil {
		return p, fmt.Errorf("opportunity: history of %s: %w", id, err)
	}
	return p, nil
}

// Deals returns the analytics rows of every opportunity matching q, read
// page by page in one transaction (so the rows are a consistent picture).
// More than MaxAnalyticsDeals opportunities return crm.ErrInvalid.
func (s *Service) Deals(ctx context.Context, tenant crm.TenantID, q Query) ([]Deal, error) {
	var out []Deal
	err := s.pub.Tx.InTx(ctx, func(ctx context.Context) error {
		out = out[:0]
		page := crm.PageRequest{Limit: crm.MaxPageLimit}
		for {
			p, err := s.store.List(ctx, tenant, q, page)
			if err != nil {
				return err
			}
			for _, o := range p.Items {
				out = append(out, o.Deal())
			}
			if len(out) > MaxAnalyticsDeals {
				return crm.Invalid("opportunity.Service.Deals", "query", fmt.Sprintf("matches more than %d opportunities", MaxAnalyticsDeals))
			}
			if p.Next == "" {
				return nil
			}
			page.Cursor = p.Next
		}
	})
	if err != nil {
		return nil, fmt.Errorf("opportunity: deals: %w", err)
	}
	return out, nil
}

// Forecast is the weighted forecast ([WeightedForecast]) of the
// opportunities matching q.
func (s *Service) Forecast(ctx context.Context, tenant crm.TenantID, q Query, opts ForecastOptions) ([]ForecastRow, error) {
	deals, err := s.Deals(ctx, tenant, q)
	if err != nil {
		return nil, err
	}
	rows, err := WeightedForecast(slices.Values(deals), opts)
	if err != nil {
		return nil, fmt.Errorf("opportunity: forecast: %w", err)
	}
	return rows, nil
}

// Distribution is the distribution of won revenue
// ([ForecastDistribution]) of the open opportunities matching q (q's
// statuses are replaced by open).
func (s *Service) Distribution(ctx context.Context, tenant crm.TenantID, q Query, opts DistributionOptions) (Distribution, error) {
	q.Statuses = []Status{Open}
	deals, err := s.Deals(ctx, tenant, q)
	if err != nil {
		return Distribution{}, err
	}
	d, err := ForecastDistribution(slices.Values(deals), opts)
	if err != nil {
		return Distribution{}, fmt.Errorf("opportunity: distribution: %w", err)
	}
	return d, nil
}

// WinLoss is the win/loss analysis ([WinLoss]) of the closed
// opportunities matching q, by one dimension.
func (s *Service) WinLoss(ctx context.Context, tenant crm.TenantID, q Query, by Dimension, currency crm.Currency) ([]WinLossRow, error) {
	deals, err := s.Deals(ctx, tenant, q)
	if err != nil {
		return nil, err
	}
	rows, err := WinLoss(slices.Values(deals), by, currency)
	if err != nil {
		return nil, fmt.Errorf("opportunity: win/loss: %w", err)
	}
	return rows, nil
}

// Velocity is the sales velocity ([SalesVelocity]) of the opportunities
// matching q.
func (s *Service) Velocity(ctx context.Context, tenant crm.TenantID, q Query, currency crm.Currency) (Velocity, error) {
	deals, err := s.Deals(ctx, tenant, q)
	if err != nil {
		return Velocity{}, err
	}
	v, err := SalesVelocity(slices.Values(deals), currency)
	if err != nil {
		return Velocity{}, fmt.Errorf("opportunity: velocity: %w", err)
	}
	return v, nil
}

// Stale returns the open opportunities matching q that have stayed in
// their stage past its staleness threshold at now ([Stale]).
func (s *Service) Stale(ctx context.Context, tenant crm.TenantID, q Query, now time.Time) ([]Deal, error) {
	q.Statuses = []Status{Open}
	deals, err := s.Deals(ctx, tenant, q)
	if err != nil {
		return nil, err
	}
	return Stale(slices.Values(deals), s.plist, now), nil
}
