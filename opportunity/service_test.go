package opportunity_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/memory"
)

// svSink records published events.
type svSink struct {
	mu  sync.Mutex
	evs []crm.Event
}

func (s *svSink) Publish(_ context.Context, evs []crm.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evs = append(s.evs, evs...)
	return nil
}

func (s *svSink) all() []crm.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]crm.Event(nil), s.evs...)
}

func (s *svSink) types() []string {
	var out []string
	for _, e := range s.all() {
		out = append(out, e.Type)
	}
	return out
}

// svEnv is an opportunity service on a fresh memory store, with a customer
// service, a manual clock and a recording sink.
type svEnv struct {
	store *memory.Store
	svc   *opportunity.Service
	cust  *customer.Service
	clock *crm.ManualClock
	sink  *svSink
}

func newSvEnv(tb testing.TB, tweak func(*opportunity.Options)) *svEnv {
	tb.Helper()
	e := &svEnv{store: memory.New(nil), clock: crm.NewManualClock(t0), sink: &svSink{}}
	ids := crm.NewSequentialIDs(e.clock)
	opts := &opportunity.Options{Clock: e.clock, IDs: ids, Events: e.sink, Outbox: e.store, Pipelines: []*opportunity.Pipeline{testPipeline(tb)},
		Pricing: []opportunity.PricingRules{svRules()}}
	if tweak != nil {
		tweak(opts)
	}
	svc, err := opportunity.NewService(e.store, opts)
	require.NoError(tb, err)
	e.svc = svc
	cs, err := customer.NewService(e.store, &customer.Options{Clock: e.clock, IDs: ids})
	require.NoError(tb, err)
	e.cust = cs
	return e
}

// svRules price "ac-unit" at 3000.00 CNY, 10% off from 100 units;
// discounts beyond 5% need approval.
func svRules() opportunity.PricingRules {
	return opportunity.PricingRules{
		Currency:   cny,
		PriceLists: []opportunity.PriceList{{ID: "list-2026", Prices: []opportunity.ListPrice{{Code: "ac-unit", Price: money("3000.00 CNY")}}}},
		Tiers: []opportunity.VolumeTier{
			{ID: "t100", Code: "ac-unit", Min: dec("100"), Discount: dec("0.1")},
		},
		ApprovalThreshold: dec("0.05"),
	}
}

func (e *svEnv) customer(tb testing.TB, tenant crm.TenantID) crm.ID {
	tb.Helper()
	c, err := e.cust.Create(context.Background(), customer.NewInput{
		Tenant: tenant, Kind: customer.Organization, Name: "Pudong Retail Ltd", Roles: []customer.Role{customer.EndCustomer}, Owner: "sales-wang",
	}, customer.Change{Actor: "admin"})
	require.NoError(tb, err)
	return c.ID()
}

func svInput(tenant crm.TenantID, cust crm.ID) opportunity.OpenInput {
	return opportunity.OpenInput{
		Tenant: tenant, Customer: cust, Pipeline: "enterprise", Owner: "sales-wang",
		Name: "200 air conditioners", Source: opportunity.Source{Kind: opportunity.FromExistingCustomer}, Currency: cny,
	}
}

func (e *svEnv) open(tb testing.TB, tenant crm.TenantID) *opportunity.Opportunity {
	tb.Helper()
	o, err := e.svc.Open(context.Background(), svInput(tenant, e.customer(tb, tenant)), opportunity.Change{Actor: "sales-wang"})
	require.NoError(tb, err)
	return o
}

func svCh(reason string) opportunity.Change {
	return opportunity.Change{Actor: "sales-wang", Reason: reason}
}

func TestNewServiceRefuses(t *testing.T) {
	t.Parallel()
	s := memory.New(nil)
	bad := testPipeline(t)
	bad.Stages = nil
	overlap := svRules()
	overlap.Tiers = append(overlap.Tiers, opportunity.VolumeTier{ID: "t50", Code: "ac-unit", Min: dec("50"), Max: dec("150"), Discount: dec("0.05")})
	for name, tc := range map[string]struct {
		b    opportunity.Backend
		opts *opportunity.Options
	}{
		"NilBackend":       {nil, &opportunity.Options{Pipelines: []*opportunity.Pipeline{testPipeline(t)}}},
		"NoPipeline":       {s, nil},
		"BadPipeline":      {s, &opportunity.Options{Pipelines: []*opportunity.Pipeline{bad}}},
		"TwicePipeline":    {s, &opportunity.Options{Pipelines: []*opportunity.Pipeline{testPipeline(t), testPipeline(t)}}},
		"OverlappingTiers": {s, &opportunity.Options{Pipelines: []*opportunity.Pipeline{testPipeline(t)}, Pricing: []opportunity.PricingRules{overlap}}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := opportunity.NewService(tc.b, tc.opts)
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
}

func TestServiceOpen(t *testing.T) {
	t.Parallel()
	e := newSvEnv(t, nil)
	ctx := context.Background()
	o := e.open(t, tenantA)
	require.Equal(t, int64(1), o.Version())
	require.Equal(t, "qualify", o.Stage())
	require.True(t, o.CreatedAt().Equal(t0), "the service clock dates the change")
	got, err := e.svc.Get(ctx, tenantA, o.ID())
	require.NoError(t, err)
	require.Equal(t, o.Record(), got.Record())
	evs := e.sink.all()
	require.Len(t, evs, 1)
	require.Equal(t, opportunity.EventCreated, evs[0].Type)
	require.False(t, evs[0].ID.IsZero(), "events get IDs")
	require.Equal(t, int64(1), evs[0].Version)

	for name, in := range map[string]opportunity.OpenInput{
		"MissingCustomer": svInput(tenantA, idCust),
		"OtherTenant":     svInput("globex", o.Customer()),
	} {
		_, err := e.svc.Open(ctx, in, svCh(""))
		require.ErrorIs(t, err, crm.ErrNotFound, name)
	}
	in := svInput(tenantA, o.Customer())
	in.Pipeline = "nowhere"
	_, err = e.svc.Open(ctx, in, svCh(""))
	require.ErrorIs(t, err, crm.ErrInvalid, "unknown pipeline")
	in = svInput(tenantA, o.Customer())
	in.Stage = "negotiation" // requires a decision maker and approval
	_, err = e.svc.Open(ctx, in, svCh(""))
	require.ErrorIs(t, err, crm.ErrInvalidTransition)
	require.Len(t, e.sink.all(), 1, "refusals publish nothing")
	p, err := e.svc.List(ctx, tenantA, opportunity.Query{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Items, 1, "refusals store nothing")
}

// TestServiceFlow works one deal through every use case: contacts, priced
// lines, approval, stages, probability, category, close date, next step,
// competitors, hand-over, won, reopen, lost; then history and analytics.
func TestServiceFlow(t *testing.T) {
	t.Parallel()
	e := newSvEnv(t, nil)
	ctx := context.Background()
	o := e.open(t, tenantA)
	id := o.ID()
	step := func(name string, f func() (*opportunity.Opportunity, error)) *opportunity.Opportunity {
		t.Helper()
		e.clock.Advance(time.Hour)
		x, err := f()
		require.NoError(t, err, name)
		return x
	}
	step("contacts", func() (*opportunity.Opportunity, error) {
		return e.svc.SetContacts(ctx, tenantA, id, []opportunity.Contact{{Name: "Ms Zhao", Role: opportunity.DecisionMaker}}, svCh(""))
	})
	step("needs", func() (*opportunity.Opportunity, error) { return e.svc.MoveStage(ctx, tenantA, id, "needs", svCh("")) })
	x := step("price", func() (*opportunity.Opportunity, error) {
		return e.svc.PriceLines(ctx, tenantA, id, opportunity.PriceRequest{Date: date(2026, 3, 2),
			Lines: []opportunity.PriceLine{{Code: "ac-unit", Quantity: dec("200")}}}, svCh(""))
	})
	// 200 × 3000.00 less 10% = 540000.00, worked by hand.
	require.True(t, x.Amount().Equal(money("540000.00 CNY")), "amount %s", x.Amount())
	require.Equal(t, []string{"ac-unit"}, x.Unapproved(), "10% is beyond the 5% threshold")
	step("close date", func() (*opportunity.Opportunity, error) {
		return e.svc.SetCloseDate(ctx, tenantA, id, date(2026, 6, 30), svCh(""))
	})
	step("proposal", func() (*opportunity.Opportunity, error) {
		return e.svc.MoveStage(ctx, tenantA, id, "proposal", svCh(""))
	})
	e.clock.Advance(time.Hour)
	_, err := e.svc.MoveStage(ctx, tenantA, id, "negotiation", svCh(""))
	var req *opportunity.RequirementError
	require.ErrorAs(t, err, &req, "negotiation needs the approval")
	require.True(t, req.Has(opportunity.FieldApproval))
	step("approve", func() (*opportunity.Opportunity, error) {
		return e.svc.ApproveDiscount(ctx, tenantA, id, "ac-unit", dec("0.1"), opportunity.Change{Actor: "director-li", Reason: "key account"})
	})
	step("negotiation", func() (*opportunity.Opportunity, error) {
		return e.svc.MoveStage(ctx, tenantA, id, "negotiation", svCh(""))
	})
	x = step("override", func() (*opportunity.Opportunity, error) {
		return e.svc.OverrideProbability(ctx, tenantA, id, 0.9, svCh("signed letter of intent"))
	})
	require.InDelta(t, 0.9, x.Probability(), 1e-12)
	x = step("clear", func() (*opportunity.Opportunity, error) {
		return e.svc.ClearProbabilityOverride(ctx, tenantA, id, svCh("back to stage"))
	})
	require.InDelta(t, 0.75, x.Probability(), 1e-12)
	step("category", func() (*opportunity.Opportunity, error) {
		return e.svc.SetForecastCategory(ctx, tenantA, id, opportunity.CategoryBestCase, svCh(""))
	})
	step("next step", func() (*opportunity.Opportunity, error) {
		return e.svc.SetNextStep(ctx, tenantA, id, opportunity.NextStep{Text: "send contract", Due: date(2026, 3, 20)}, svCh(""))
	})
	step("competitor", func() (*opportunity.Opportunity, error) {
		return e.svc.SetCompetitor(ctx, tenantA, id, opportunity.Competitor{Name: "Gree", Offer: money("520000.00 CNY"), Status: opportunity.CompetitorActive}, svCh(""))
	})
	step("competitor 2", func() (*opportunity.Opportunity, error) {
		return e.svc.SetCompetitor(ctx, tenantA, id, opportunity.Competitor{Name: "Midea", Status: opportunity.CompetitorTrailing}, svCh(""))
	})
	x = step("remove", func() (*opportunity.Opportunity, error) {
		return e.svc.RemoveCompetitor(ctx, tenantA, id, "Midea", svCh(""))
	})
	require.Len(t, x.Competitors(), 1)
	step("owner", func() (*opportunity.Opportunity, error) {
		return e.svc.SetOwner(ctx, tenantA, id, "sales-zhou", svCh("territory"))
	})
	x = step("won", func() (*opportunity.Opportunity, error) {
		return e.svc.CloseWon(ctx, tenantA, id, opportunity.WonDetails{ContractDate: date(2026, 3, 2), Contract: "HT-2026-001"}, svCh(""))
	})
	require.Equal(t, opportunity.Won, x.Status())
	step("reopen", func() (*opportunity.Opportunity, error) {
		return e.svc.Reopen(ctx, tenantA, id, "negotiation", svCh("contract withdrawn"))
	})
	x = step("lost", func() (*opportunity.Opportunity, error) {
		return e.svc.CloseLost(ctx, tenantA, id, opportunity.LostDetails{Reason: "price", Competitor: "Gree"}, svCh(""))
	})
	require.Equal(t, opportunity.Lost, x.Status())
	require.Equal(t, []string{
		opportunity.EventCreated, opportunity.EventContactsSet, opportunity.EventStageChanged, opportunity.EventLinesSet,
		opportunity.EventCloseDateSet, opportunity.EventStageChanged, opportunity.EventDiscountApproved, opportunity.EventStageChanged,
		opportunity.EventProbabilitySet, opportunity.EventProbabilitySet, opportunity.EventCategorySet, opportunity.EventNextStepSet,
		opportunity.EventCompetitorSet, opportunity.EventCompetitorSet, opportunity.EventCompetitorRemoved, opportunity.EventOwnerChanged,
		opportunity.EventWon, opportunity.EventReopened, opportunity.EventLost,
	}, e.sink.types())
	seen := map[crm.ID]bool{}
	for _, ev := range e.sink.all() {
		require.False(t, ev.ID.IsZero() || seen[ev.ID], "every event has an ID of its own")
		seen[ev.ID] = true
	}

	h, err := e.svc.History(ctx, tenantA, id, crm.PageRequest{})
	require.NoError(t, err)
	var moves []string
	for _, c := range h.Items {
		moves = append(moves, c.From+">"+c.To)
	}
	require.Equal(t, []string{">qualify", "qualify>needs", "needs>proposal", "proposal>negotiation",
		"negotiation>won", "won>negotiation", "negotiation>lost"}, moves)

	wl, err := e.svc.WinLoss(ctx, tenantA, opportunity.Query{}, opportunity.ByOwner, cny)
	require.NoError(t, err)
	require.Len(t, wl, 1)
	require.Equal(t, 1, wl[0].Lost)
}

// TestServiceRefusalsStoreNothing checks that a refused change stores and
// publishes nothing, and that the error is one a caller can branch on.
func TestServiceRefusalsStoreNothing(t *testing.T) {
	t.Parallel()
	e := newSvEnv(t, nil)
	ctx := context.Background()
	o := e.open(t, tenantA)
	id := o.ID()
	for name, tc := range map[string]struct {
		call func() error
		want error
	}{
		"UnknownStage": {func() error { _, err := e.svc.MoveStage(ctx, tenantA, id, "nowhere", svCh("")); return err }, crm.ErrInvalid},
		"ForbiddenMove": {func() error {
			_, err := e.svc.MoveStage(ctx, tenantA, id, "negotiation", svCh(""))
			return err
		}, crm.ErrInvalidTransition},
		"MixedCurrency": {func() error { _, err := e.svc.SetAmount(ctx, tenantA, id, money("5.00 USD"), svCh("")); return err }, crm.ErrCurrencyMismatch},
		"Probability":   {func() error { _, err := e.svc.OverrideProbability(ctx, tenantA, id, 1.5, svCh("why")); return err }, crm.ErrInvalid},
		"CloseBeforeCreated": {func() error {
			_, err := e.svc.SetCloseDate(ctx, tenantA, id, date(2020, 1, 1), svCh(""))
			return err
		}, crm.ErrInvalid},
		"NegativeQuantity": {func() error {
			_, err := e.svc.PriceLines(ctx, tenantA, id, opportunity.PriceRequest{Date: date(2026, 3, 2),
				Lines: []opportunity.PriceLine{{Code: "ac-unit", Quantity: dec("-1")}}}, svCh(""))
			return err
		}, crm.ErrInvalid},
		"Discount": {func() error {
			_, err := e.svc.PriceLines(ctx, tenantA, id, opportunity.PriceRequest{Date: date(2026, 3, 2),
				Lines: []opportunity.PriceLine{{Code: "ac-unit", Quantity: dec("1"), Discount: dec("1.5")}}}, svCh(""))
			return err
		}, crm.ErrInvalid},
		"OtherTenant": {func() error { _, err := e.svc.MoveStage(ctx, "globex", id, "needs", svCh("")); return err }, crm.ErrNotFound},
		"NilFn":       {func() error { _, err := e.svc.Update(ctx, tenantA, id, nil); return err }, crm.ErrInvalid},
		"Cancelled": {func() error {
			c, cancel := context.WithCancel(ctx)
			cancel()
			_, err := e.svc.SetAmount(c, tenantA, id, money("5.00 CNY"), svCh(""))
			return err
		}, context.Canceled},
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, tc.call(), tc.want)
		})
	}
	got, err := e.svc.Get(ctx, tenantA, id)
	require.NoError(t, err)
	require.Equal(t, o.Record(), got.Record(), "refusals stored nothing")
	require.Len(t, e.sink.all(), 1, "refusals published nothing")
}

// TestServiceOutboxAndRollback checks that events go to the outbox in the
// change's transaction, and that a rolled-back transaction publishes and
// keeps nothing.
func TestServiceOutboxAndRollback(t *testing.T) {
	t.Parallel()
	e := newSvEnv(t, nil)
	svc := e.svc
	ctx := context.Background()
	cust := e.customer(t, tenantA)
	o, err := svc.Open(ctx, svInput(tenantA, cust), svCh(""))
	require.Equal(t, []string{opportunity.EventCreated}, e.sink.types())
	require.NoError(t, err)
	_, err = svc.SetCloseDate(ctx, tenantA, o.ID(), date(2026, 6, 30), svCh(""))
	require.NoError(t, err)
	boom := errors.New("boom")
	err = e.store.InTx(ctx, func(ctx context.Context) error {
		if _, err := svc.SetAmount(ctx, tenantA, o.ID(), money("9.00 CNY"), svCh("")); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	claimed, err := e.store.ClaimEvents(ctx, storage.ClaimRequest{Tenant: tenantA, Limit: 100})
	require.NoError(t, err)
	var types []string
	for _, ev := range claimed {
		types = append(types, ev.Type)
	}
	require.Equal(t, []string{opportunity.EventCreated, opportunity.EventCloseDateSet}, types, "the outbox holds committed changes only")
	require.Equal(t, []string{opportunity.EventCreated, opportunity.EventCloseDateSet}, e.sink.types(), "the sink heard of committed changes only")
	got, err := svc.Get(ctx, tenantA, o.ID())
	require.NoError(t, err)
	require.True(t, got.Amount().IsZero() || got.Amount() == (crm.Money{}), "the rolled-back amount was not kept")
}

// TestServiceAnalytics checks the analytics read from the store against
// the pure functions on the same deals.
func TestServiceAnalytics(t *testing.T) {
	t.Parallel()
	e := newSvEnv(t, nil)
	ctx := context.Background()
	for i, amt := range []string{"100.00 CNY", "200.00 CNY", "300.00 CNY"} {
		o := e.open(t, tenantA)
		_, err := e.svc.SetAmount(ctx, tenantA, o.ID(), money(amt), svCh(""))
		require.NoError(t, err)
		_, err = e.svc.OverrideProbability(ctx, tenantA, o.ID(), []float64{0.5, 0.5, 1}[i], svCh("known"))
		require.NoError(t, err)
	}
	rows, err := e.svc.Forecast(ctx, tenantA, opportunity.Query{}, opportunity.ForecastOptions{Currency: cny})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Equal(t, 3, rows[0].Count)
	require.True(t, rows[0].Amount.Equal(money("600.00 CNY")))
	d, err := e.svc.Distribution(ctx, tenantA, opportunity.Query{}, opportunity.DistributionOptions{Currency: cny, Quota: money("500.00 CNY")})
	require.NoError(t, err)
	require.True(t, d.Exact)
	// Won revenue: 300 for sure, plus 100 and 200 each at one half: 300,
	// 400, 500, 600 each with probability 1/4. Reaching 500: 1/2.
	require.InDelta(t, 0.5, d.QuotaProbability, 1e-9)
	_, err = e.svc.Velocity(ctx, tenantA, opportunity.Query{}, cny)
	require.NoError(t, err)
	stale, err := e.svc.Stale(ctx, tenantA, opportunity.Query{}, t0.Add(30*24*time.Hour))
	require.NoError(t, err)
	require.Len(t, stale, 3, "qualify goes stale after 7 days")
	_, err = e.svc.Forecast(ctx, tenantA, opportunity.Query{Statuses: []opportunity.Status{99}}, opportunity.ForecastOptions{Currency: cny})
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestServiceChangePipelineAndUpdate(t *testing.T) {
	t.Parallel()
	smb := &opportunity.Pipeline{Code: "smb", Team: "west", Stages: []opportunity.StageDef{
		{Code: "lead", Probability: 0.2}, {Code: "deal", Probability: 0.6},
	}}
	e := newSvEnv(t, func(o *opportunity.Options) { o.Pipelines = append(o.Pipelines, smb) })
	ctx := context.Background()
	o := e.open(t, tenantA)
	e.clock.Advance(time.Hour)
	_, err := e.svc.ChangePipeline(ctx, tenantA, o.ID(), "nowhere", "lead", svCh("smaller deal"))
	require.ErrorIs(t, err, crm.ErrInvalid)
	x, err := e.svc.ChangePipeline(ctx, tenantA, o.ID(), "smb", "deal", svCh("smaller deal"))
	require.NoError(t, err)
	require.Equal(t, "smb", x.Pipeline())
	require.Equal(t, "west", x.Team())
	// Later changes follow the opportunity's new pipeline, which allows
	// no move back.
	e.clock.Advance(time.Hour)
	_, err = e.svc.MoveStage(ctx, tenantA, o.ID(), "lead", svCh("back to qualification"))
	require.ErrorIs(t, err, crm.ErrInvalidTransition)
	p, err := e.svc.List(ctx, tenantA, opportunity.Query{Team: "west", Pipeline: "smb"}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Items, 1)

	var seen *opportunity.Pipeline
	x, err = e.svc.Update(ctx, tenantA, o.ID(), func(o *opportunity.Opportunity, p *opportunity.Pipeline) error {
		seen = p
		return o.SetCloseDate(date(2026, 5, 1), opportunity.Change{Actor: "sales-wang", At: e.clock.Now()})
	})
	require.NoError(t, err)
	require.Same(t, smb, seen, "Update hands fn the opportunity's pipeline")
	require.Equal(t, int64(3), x.Version())
	require.Equal(t, opportunity.EventCloseDateSet, e.sink.types()[len(e.sink.types())-1])
}
