package customer_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
	"github.com/stretchr/testify/require"
)

const tenant crm.TenantID = "acme"

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// recorder is an event sink that keeps what it is given.
type recorder struct {
	mu     sync.Mutex
	events []crm.Event
	fail   error
}

func (r *recorder) Publish(_ context.Context, evs []crm.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, evs...)
	return r.fail
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Type)
	}
	return out
}

type fixture struct {
	store *memory.Store
	svc   *customer.Service
	clock *crm.ManualClock
	sink  *recorder
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{store: memory.New(nil), clock: crm.NewManualClock(t0), sink: &recorder{}}
	svc, err := customer.NewService(f.store, &customer.Options{Clock: f.clock, IDs: crm.NewSequentialIDs(f.clock), Events: f.sink})
	require.NoError(t, err)
	f.svc = svc
	return f
}

func (f *fixture) create(t testing.TB, name, owner, email, phone string) *customer.Customer {
	t.Helper()
	in := customer.NewInput{Tenant: tenant, Kind: customer.Person, Name: name, Roles: []customer.Role{customer.EndCustomer}, Owner: crm.UserID(owner)}
	if email != "" {
		e, err := customer.ParseEmail(email)
		require.NoError(t, err)
		in.Emails = []customer.Email{e}
	}
	if phone != "" {
		p, err := customer.ParsePhone(phone, "CN")
		require.NoError(t, err)
		in.Phones = []customer.Phone{p}
	}
	c, err := f.svc.Create(context.Background(), in, customer.Change{Actor: "admin"})
	require.NoError(t, err)
	return c
}

func TestNewServiceRefusesNilBackend(t *testing.T) {
	t.Parallel()
	_, err := customer.NewService(nil, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = customer.NewService(memory.New(nil), &customer.Options{DuplicateRules: &customer.DuplicateRules{MinScore: 2, EmailWeight: 1}})
	require.ErrorIs(t, err, crm.ErrInvalid)
	svc, err := customer.NewService(memory.New(nil), nil)
	require.NoError(t, err, "nil options take the defaults")
	require.NotNil(t, svc)
}

func TestServiceCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.create(t, "Li Na", "wang", "li.na@example.cn", "13800138000")
	require.False(t, c.ID().IsZero(), "an ID is generated")
	require.Equal(t, int64(1), c.Version())
	require.Equal(t, t0, c.CreatedAt(), "the change time comes from the service clock")
	require.Equal(t, []string{customer.EventCreated}, f.sink.types())
	require.Equal(t, int64(1), f.sink.events[0].Version)

	got, err := f.svc.Get(ctx, tenant, c.ID())
	require.NoError(t, err)
	require.Equal(t, c.Record(), got.Record())

	_, err = f.svc.Get(ctx, "other", c.ID())
	require.ErrorIs(t, err, crm.ErrNotFound, "another tenant's customer does not exist")

	_, err = f.svc.Create(ctx, customer.NewInput{Tenant: tenant, Name: ""}, customer.Change{Actor: "admin"})
	require.ErrorIs(t, err, crm.ErrInvalid)
	p, err := f.svc.List(ctx, tenant, customer.Query{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Items, 1, "a refused create stores nothing")
	require.Len(t, f.sink.events, 1, "and publishes nothing")
}

func TestServiceUpdate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.create(t, "Li Na", "wang", "", "")

	_, err := f.svc.Update(ctx, tenant, c.ID(), nil)
	require.ErrorIs(t, err, crm.ErrInvalid)

	boom := errors.New("boom")
	_, err = f.svc.Update(ctx, tenant, c.ID(), func(c *customer.Customer) error {
		require.NoError(t, c.AddTag("vip"))
		return boom
	})
	require.ErrorIs(t, err, boom)
	got, err := f.svc.Get(ctx, tenant, c.ID())
	require.NoError(t, err)
	require.False(t, got.HasTag("vip"), "a failed closure stores nothing")
	require.Equal(t, int64(1), got.Version())

	f.clock.Advance(time.Hour)
	up, err := f.svc.Update(ctx, tenant, c.ID(), func(c *customer.Customer) error { return c.AddTag("vip") })
	require.NoError(t, err)
	require.True(t, up.HasTag("vip"))
	require.Equal(t, int64(2), up.Version())
	require.Equal(t, t0.Add(time.Hour), up.UpdatedAt())

	_, err = f.svc.Update(ctx, tenant, crm.MustParseID("01936d3c-7d8e-7a2b-9c4d-0123456789ab"), func(*customer.Customer) error { return nil })
	require.ErrorIs(t, err, crm.ErrNotFound)
}

func TestServiceConcurrentUpdatesLoseNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.create(t, "Li Na", "wang", "", "")
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Update(context.Background(), tenant, c.ID(), func(c *customer.Customer) error {
				return c.AddTag(fmt.Sprintf("t%02d", i))
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got, err := f.svc.Get(context.Background(), tenant, c.ID())
	require.NoError(t, err)
	require.Len(t, got.Tags(), 32)
	require.Equal(t, int64(33), got.Version())
}

func TestServiceStagesOwnerAndHistory(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.create(t, "Li Na", "wang", "", "")
	id := c.ID()

	_, err := f.svc.MoveStage(ctx, tenant, id, customer.Evaluation, "", customer.Change{Actor: "wang"})
	var te *crm.TransitionError
	require.ErrorAs(t, err, &te, "skipping a stage is refused")
	require.Equal(t, "unfamiliar", te.From)

	for _, st := range []customer.Stage{customer.Established, customer.Evaluation, customer.Growth} {
		f.clock.Advance(24 * time.Hour)
		_, err := f.svc.MoveStage(ctx, tenant, id, st, "", customer.Change{Actor: "wang"})
		require.NoError(t, err)
	}
	_, err = f.svc.MoveStage(ctx, tenant, id, customer.Mature, "", customer.Change{Actor: "wang"})
	require.ErrorIs(t, err, crm.ErrInvalidTransition, "maturity needs a signed contract")
	_, err = f.svc.MoveStage(ctx, tenant, id, customer.Mature, "C-2026-001", customer.Change{Actor: "wang"})
	require.NoError(t, err)

	_, err = f.svc.AssignOwner(ctx, tenant, id, "zhao", customer.Change{Actor: "lead"})
	require.ErrorIs(t, err, crm.ErrInvalid, "a reassignment needs a reason")
	_, err = f.svc.AssignOwner(ctx, tenant, id, "zhao", customer.Change{Actor: "lead", Reason: "territory split"})
	require.NoError(t, err)
	_, err = f.svc.MoveLoyalty(ctx, tenant, id, customer.Trust, customer.Change{Actor: "zhao"})
	require.NoError(t, err)
	_, err = f.svc.MoveLifecycle(ctx, tenant, id, customer.WonBack, customer.Change{Actor: "zhao"})
	require.ErrorIs(t, err, crm.ErrInvalidTransition)

	h, err := f.svc.History(ctx, tenant, id, crm.PageRequest{})
	require.NoError(t, err)
	var got []string
	for _, e := range h.Items {
		got = append(got, fmt.Sprintf("%s %s->%s by %s", e.Kind, e.From, e.To, e.Actor))
	}
	require.Equal(t, []string{
		"created ->unfamiliar by admin",
		"stage unfamiliar->established by wang",
		"stage established->evaluation by wang",
		"stage evaluation->growth by wang",
		"stage growth->mature by wang",
		"owner wang->zhao by lead",
		"loyalty awareness->trust by zhao",
	}, got)
	require.Equal(t, "territory split", h.Items[5].Reason)
	require.Equal(t, []string{
		customer.EventCreated, customer.EventStageChanged, customer.EventStageChanged, customer.EventStageChanged,
		customer.EventStageChanged, customer.EventOwnerChanged, customer.EventLoyaltyChanged,
	}, f.sink.types(), "refused changes publish nothing")

	mine, err := f.svc.List(ctx, tenant, customer.Query{Owner: "zhao"}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, mine.Items, 1)
	theirs, err := f.svc.List(ctx, tenant, customer.Query{Owner: "wang"}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, theirs.Items)
}

func TestServiceClassify(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.create(t, "Li Na", "wang", "", "")
	cl := customer.Classifier{
		Rules: []customer.ClassRule{
			{Class: customer.Stable, When: customer.Segment{Conditions: []customer.Condition{{Field: "fact.orders_12m", Op: customer.OpGte, Value: "3"}}}},
			{Class: customer.NotYetStable, When: customer.Segment{Conditions: []customer.Condition{{Field: "fact.orders_12m", Op: customer.OpGte, Value: "1"}}}},
		},
		Default:    customer.GeneralContact,
		KeyAccount: &customer.Segment{Conditions: []customer.Condition{{Field: "fact.revenue_share", Op: customer.OpGte, Value: "0.05"}}},
	}
	res, err := f.svc.Classify(ctx, tenant, c.ID(), cl, customer.Facts{"orders_12m": "4", "revenue_share": "0.08"}, customer.Change{Actor: "system"})
	require.NoError(t, err)
	require.Equal(t, customer.Classification{Class: customer.Stable, KeyAccount: true, Rule: 0}, res)
	got, err := f.svc.Get(ctx, tenant, c.ID())
	require.NoError(t, err)
	require.Equal(t, customer.Stable, got.Class())
	require.True(t, got.KeyAccount())

	res, err = f.svc.Classify(ctx, tenant, c.ID(), cl, customer.Facts{"orders_12m": "0"}, customer.Change{Actor: "system"})
	require.NoError(t, err)
	require.Equal(t, customer.GeneralContact, res.Class)
	require.False(t, res.KeyAccount)

	bad := customer.Classifier{Rules: []customer.ClassRule{{Class: 99}}}
	_, err = f.svc.Classify(ctx, tenant, c.ID(), bad, nil, customer.Change{Actor: "system"})
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestServiceInteractions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.create(t, "Li Na", "wang", "", "")
	for i, ch := range []customer.Channel{customer.PhoneCall, customer.FaceToFace, customer.EmailChannel} {
		_, err := f.svc.LogInteraction(ctx, tenant, c.ID(), customer.InteractionInput{
			Channel: ch, Direction: customer.Outbound, Actor: "wang", At: t0.Add(time.Duration(i) * time.Hour),
			Summary: "contact " + ch.String(),
		})
		require.NoError(t, err)
	}
	p, err := f.svc.Interactions(ctx, tenant, c.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Items, 3)
	require.Equal(t, customer.EmailChannel, p.Items[0].Channel, "newest first")
	require.Equal(t, customer.PhoneCall, p.Items[2].Channel)

	tests := []struct {
		name   string
		tenant crm.TenantID
		id     crm.ID
		in     customer.InteractionInput
		want   error
	}{
		{"unknown channel", tenant, c.ID(), customer.InteractionInput{Channel: 42, Direction: customer.Inbound, Actor: "wang", Summary: "x"}, crm.ErrInvalid},
		{"no summary", tenant, c.ID(), customer.InteractionInput{Channel: customer.Web, Direction: customer.Inbound, Actor: "wang"}, crm.ErrInvalid},
		{"no actor", tenant, c.ID(), customer.InteractionInput{Channel: customer.Web, Direction: customer.Inbound, Summary: "x"}, crm.ErrInvalid},
		{"zero customer", tenant, crm.NilID, customer.InteractionInput{Channel: customer.Web, Direction: customer.Inbound, Actor: "wang", Summary: "x"}, crm.ErrInvalid},
		{"other tenant", "other", c.ID(), customer.InteractionInput{Channel: customer.Web, Direction: customer.Inbound, Actor: "wang", Summary: "x"}, crm.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.LogInteraction(ctx, tt.tenant, tt.id, tt.in)
			require.ErrorIs(t, err, tt.want)
		})
	}
	p, err = f.svc.Interactions(ctx, tenant, c.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Items, 3, "refused interactions are not stored")
}

func TestServiceVisitsAndDayPlan(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.create(t, "Li Na", "wang", "", "")
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	day := time.Date(2026, 11, 24, 9, 0, 0, 0, loc)
	var ids []crm.ID
	for i := range 3 {
		kind := customer.NewVisit
		if i == 2 {
			kind = customer.ReturnVisit
		}
		v, err := f.svc.PlanVisit(ctx, customer.Visit{
			Tenant: tenant, CustomerID: c.ID(), Salesperson: "wang", Kind: kind, Purpose: "introduce the product",
			Method: customer.FaceToFace, PlannedAt: day.Add(time.Duration(i) * 2 * time.Hour), Duration: time.Hour,
		})
		require.NoError(t, err)
		require.Equal(t, customer.VisitPlanned, v.Status)
		ids = append(ids, v.ID)
	}
	done, err := f.svc.CompleteVisit(ctx, tenant, ids[0], "interested; send a quote")
	require.NoError(t, err)
	require.Equal(t, customer.VisitDone, done.Status)
	_, err = f.svc.CompleteVisit(ctx, tenant, ids[0], "again")
	require.ErrorIs(t, err, crm.ErrInvalidTransition)
	_, err = f.svc.CancelVisit(ctx, tenant, ids[1], "customer travelling")
	require.NoError(t, err)

	check, err := f.svc.CheckDay(ctx, tenant, "wang", customer.Date{Year: 2026, Month: 11, Day: 24}, loc, customer.DayTarget{New: 7, Return: 3})
	require.NoError(t, err)
	require.Equal(t, 1, check.PlannedNew)
	require.Equal(t, 1, check.PlannedReturn)
	require.Equal(t, 1, check.DoneNew)
	require.Equal(t, 1, check.Cancelled)
	require.Equal(t, 6, check.MissingNew)
	require.Equal(t, 2, check.MissingReturn)
	require.False(t, check.Met)

	_, err = f.svc.CheckDay(ctx, tenant, "wang", customer.Date{Month: 11, Day: 24}, loc, customer.DayTarget{New: 7})
	require.ErrorIs(t, err, crm.ErrInvalid, "a day without a year is refused")
	_, err = f.svc.PlanVisit(ctx, customer.Visit{Tenant: tenant, CustomerID: c.ID(), Salesperson: "wang"})
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestServiceDuplicatesAndMerge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	a := f.create(t, "Zhang Wei", "wang", "zhang.wei@example.cn", "13800138000")
	b := f.create(t, "Zhang Wei", "zhao", "ZHANG.WEI@example.cn", "")
	other := f.create(t, "Chen Jie", "wang", "chen@example.cn", "")
	_, err := f.svc.LogInteraction(ctx, tenant, b.ID(), customer.InteractionInput{Channel: customer.Web, Direction: customer.Inbound, Actor: "zhao", Summary: "asked for a brochure"})
	require.NoError(t, err)

	dups, err := f.svc.FindDuplicates(ctx, tenant, a.ID())
	require.NoError(t, err)
	require.Len(t, dups, 1)
	require.Equal(t, b.ID(), dups[0].B)
	require.Greater(t, dups[0].Score, 0.85)
	require.Equal(t, customer.ReasonEmail, dups[0].Reasons[0].Kind)

	res, err := f.svc.Merge(ctx, tenant, a.ID(), b.ID(), customer.Survivorship{}, customer.Change{Actor: "admin", Reason: "same person"})
	require.NoError(t, err)
	require.Equal(t, a.ID(), res.Survivor)

	loser, err := f.svc.Get(ctx, tenant, b.ID())
	require.NoError(t, err)
	require.True(t, loser.IsTombstone())
	require.Equal(t, a.ID(), loser.MergedInto())
	resolved, err := f.svc.Resolve(ctx, tenant, b.ID())
	require.NoError(t, err)
	require.Equal(t, a.ID(), resolved.ID())
	require.Equal(t, crm.UserID("wang"), resolved.Owner(), "the survivor's owner is kept by default")

	moved, err := f.svc.Interactions(ctx, tenant, a.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, moved.Items, 1, "the loser's interactions move to the survivor")
	h, err := f.svc.History(ctx, tenant, a.ID(), crm.PageRequest{})
	require.NoError(t, err)
	origins := map[crm.ID]bool{}
	for _, e := range h.Items {
		origins[e.OriginID] = true
	}
	require.True(t, origins[b.ID()], "the loser's history moves to the survivor")

	_, err = f.svc.Update(ctx, tenant, b.ID(), func(c *customer.Customer) error { return c.Rename("x") })
	var me *customer.MergedError
	require.ErrorAs(t, err, &me, "a tombstone refuses changes")
	require.ErrorIs(t, err, crm.ErrMerged)

	_, err = f.svc.Merge(ctx, tenant, a.ID(), b.ID(), customer.Survivorship{}, customer.Change{Actor: "admin"})
	require.ErrorIs(t, err, crm.ErrMerged, "a tombstone cannot be merged again")
	_, err = f.svc.Merge(ctx, tenant, a.ID(), a.ID(), customer.Survivorship{}, customer.Change{Actor: "admin"})
	require.ErrorIs(t, err, crm.ErrInvalid)

	list, err := f.svc.List(ctx, tenant, customer.Query{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, list.Items, 2, "tombstones are left out of lists")
	_ = other
}

// failingBackend wraps a backend so that MoveRelated fails: a merge must
// then leave nothing behind.
type failingBackend struct {
	customer.Backend
}

type failingStore struct {
	customer.Store
}

func (b failingBackend) Customers() customer.Store { return failingStore{b.Backend.Customers()} }

func (failingStore) MoveRelated(context.Context, crm.TenantID, crm.ID, crm.ID) error {
	return errors.New("disk on fire")
}

func TestServiceMergeIsAtomic(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	a := f.create(t, "Zhang Wei", "wang", "zhang.wei@example.cn", "")
	b := f.create(t, "Zhang Wei", "zhao", "zw@example.cn", "")
	sink := &recorder{}
	svc, err := customer.NewService(failingBackend{f.store}, &customer.Options{Clock: f.clock, Events: sink})
	require.NoError(t, err)

	_, err = svc.Merge(ctx, tenant, a.ID(), b.ID(), customer.Survivorship{}, customer.Change{Actor: "admin"})
	require.ErrorContains(t, err, "disk on fire")
	for _, c := range []*customer.Customer{a, b} {
		got, err := f.svc.Get(ctx, tenant, c.ID())
		require.NoError(t, err)
		require.Equal(t, c.Record(), got.Record(), "a failed merge leaves both customers as they were")
	}
	require.Empty(t, sink.events, "a rolled-back merge publishes nothing")
}

func TestServiceErase(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.create(t, "Li Na", "wang", "li.na@example.cn", "13800138000")
	_, err := f.svc.LogInteraction(ctx, tenant, c.ID(), customer.InteractionInput{Channel: customer.PhoneCall, Direction: customer.Inbound, Actor: "wang", Summary: "Li Na called about her flat", Outcome: "visit booked"})
	require.NoError(t, err)

	rep, err := f.svc.Erase(ctx, tenant, c.ID(), customer.Change{Actor: "dpo", Reason: "erasure request #17"})
	require.NoError(t, err)
	require.Equal(t, []string{"name", "emails", "phones"}, rep.Fields)
	require.Equal(t, 1, rep.Interactions)

	got, err := f.svc.Get(ctx, tenant, c.ID())
	require.NoError(t, err)
	require.True(t, got.IsErased())
	require.Empty(t, got.Emails())
	require.NotEqual(t, "Li Na", got.Name())
	require.Equal(t, crm.UserID("wang"), got.Owner(), "aggregates stay")
	p, err := f.svc.Interactions(ctx, tenant, c.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Items, 1, "interactions stay as records")
	require.Empty(t, p.Items[0].Summary, "but their texts are gone")
	require.Empty(t, p.Items[0].Outcome)

	found, err := f.svc.List(ctx, tenant, customer.Query{Text: "li.na"}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, found.Items, "erased data can no longer be searched")

	_, err = f.svc.Erase(ctx, tenant, c.ID(), customer.Change{Actor: "dpo"})
	require.ErrorIs(t, err, crm.ErrErased)
}

func TestServiceDueCare(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.create(t, "Li Na", "wang", "", "")
	_, err := f.svc.Update(ctx, tenant, c.ID(), func(c *customer.Customer) error {
		if err := c.SetTimeZone("Asia/Shanghai"); err != nil {
			return err
		}
		return c.SetDate("birthday", customer.Date{Year: 1986, Month: time.November, Day: 26})
	})
	require.NoError(t, err)
	f.create(t, "No Birthday", "wang", "", "")
	plan := customer.CarePlan{Types: []customer.CareType{{Code: "birthday", Trigger: customer.CareTrigger{Kind: customer.TriggerAnnual, DateKey: "birthday"}}}}

	due, err := f.svc.DueCare(ctx, tenant, plan, customer.Query{}, t0, t0.AddDate(0, 0, 7))
	require.NoError(t, err)
	require.Len(t, due, 1)
	require.Equal(t, c.ID(), due[0].CustomerID)
	require.Equal(t, customer.Date{Year: 2026, Month: time.November, Day: 26}, due[0].Due)
	require.Equal(t, 40, due[0].Years)
	require.Equal(t, crm.UserID("wang"), due[0].Owner)

	_, err = f.svc.DueCare(ctx, tenant, customer.CarePlan{}, customer.Query{}, t0, t0.AddDate(0, 0, 7))
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestServiceCancelledContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.create(t, "Li Na", "wang", "", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.svc.Update(ctx, tenant, c.ID(), func(c *customer.Customer) error { return c.AddTag("x") })
	require.ErrorIs(t, err, context.Canceled)
	_, err = f.svc.Create(ctx, customer.NewInput{Tenant: tenant, Kind: customer.Person, Name: "X", Roles: []customer.Role{customer.Visitor}, Owner: "wang"}, customer.Change{Actor: "a"})
	require.ErrorIs(t, err, context.Canceled)
	got, err := f.svc.Get(context.Background(), tenant, c.ID())
	require.NoError(t, err)
	require.False(t, got.HasTag("x"))
}

func TestServiceEventSinkErrorAfterCommit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.create(t, "Li Na", "wang", "", "")
	f.sink.fail = errors.New("queue down")
	_, err := f.svc.MoveStage(context.Background(), tenant, c.ID(), customer.Established, "", customer.Change{Actor: "wang"})
	require.NoError(t, err, "a sink's failure after the commit is logged, not returned")
	got, err := f.svc.Get(context.Background(), tenant, c.ID())
	require.NoError(t, err)
	require.Equal(t, customer.Established, got.Stage(), "the change was committed before the sink failed")
}
