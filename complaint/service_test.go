package complaint_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// saAt is the start time of the service tests.
var saAt = time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)

// saSink records published events. check, when set, runs on every
// publication before the events are kept.
type saSink struct {
	mu     sync.Mutex
	events []crm.Event
	calls  int
	check  func(ctx context.Context, evs []crm.Event)
}

func (s *saSink) Publish(ctx context.Context, evs []crm.Event) error {
	if s.check != nil {
		s.check(ctx, evs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.events = append(s.events, evs...)
	return nil
}

func (s *saSink) all() []crm.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]crm.Event(nil), s.events...)
}

func (s *saSink) types() []string {
	var out []string
	for _, e := range s.all() {
		out = append(out, e.Type)
	}
	return out
}

func (s *saSink) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events, s.calls = nil, 0
}

// saEnv is a complaint service on a fresh memory store, with a customer
// service, a manual clock and a recording sink.
type saEnv struct {
	store *memory.Store
	svc   *complaint.Service
	cust  *customer.Service
	clock *crm.ManualClock
	sink  *saSink
}

const (
	saTenant crm.TenantID = "acme"
	saOther  crm.TenantID = "globex"
	saAgent  crm.UserID   = "agent-li"
)

func newSaEnv(tb testing.TB, tweak func(*complaint.Options)) *saEnv {
	tb.Helper()
	e := &saEnv{store: memory.New(nil), clock: crm.NewManualClock(saAt), sink: &saSink{}}
	ids := crm.NewSequentialIDs(e.clock)
	opts := &complaint.Options{Clock: e.clock, IDs: ids, Events: e.sink}
	if tweak != nil {
		tweak(opts)
	}
	svc, err := complaint.NewService(e.store, opts)
	require.NoError(tb, err)
	e.svc = svc
	cs, err := customer.NewService(e.store, &customer.Options{Clock: e.clock, IDs: ids})
	require.NoError(tb, err)
	e.cust = cs
	return e
}

// customer creates a customer of tenant named name.
func (e *saEnv) customer(tb testing.TB, tenant crm.TenantID, name string) crm.ID {
	tb.Helper()
	c, err := e.cust.Create(context.Background(), customer.NewInput{
		Tenant: tenant, Kind: customer.Person, Name: name, Roles: []customer.Role{customer.EndCustomer}, Owner: "mgr-zhao",
	}, customer.Change{Actor: "admin"})
	require.NoError(tb, err)
	return c.ID()
}

func saInput(tenant crm.TenantID, cust crm.ID) complaint.ReceiveInput {
	return complaint.ReceiveInput{
		Tenant: tenant, Customer: cust, Channel: customer.CallCentre, Category: "window",
		Severity: complaint.High, Description: "The bedroom window leaks when it rains.",
		Asset: complaint.Asset{{Kind: "building", ID: "B3"}, {Kind: "unit", ID: "1502"}}, Owner: saAgent,
	}
}

// receive records a complaint of a new customer of tenant.
func (e *saEnv) receive(tb testing.TB, tenant crm.TenantID) *complaint.Complaint {
	tb.Helper()
	c, err := e.svc.Receive(context.Background(), saInput(tenant, e.customer(tb, tenant, "Wang Fang")), complaint.Change{Actor: saAgent})
	require.NoError(tb, err)
	return c
}

// saCh is a change by the agent with a reason, at the service clock.
func saCh() complaint.Change { return complaint.Change{Actor: saAgent, Reason: "per procedure"} }

func saResolution() complaint.Resolution {
	return complaint.Resolution{Remedy: complaint.Repair, Summary: "Resealed the window frame",
		RootCause: complaint.RootCause{Category: "installation", Text: "sealant missing"}}
}

// saPath is the way from Received to each status, for advance.
var saPath = map[complaint.Status][]complaint.Status{
	complaint.Received:          nil,
	complaint.Acknowledged:      {complaint.Acknowledged},
	complaint.Assessed:          {complaint.Acknowledged, complaint.Assessed},
	complaint.Investigating:     {complaint.Acknowledged, complaint.Assessed, complaint.Investigating},
	complaint.ResponseProposed:  {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed},
	complaint.Resolved:          {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed, complaint.Resolved},
	complaint.Closed:            {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed, complaint.Resolved, complaint.Closed},
	complaint.Rejected:          {complaint.Rejected},
	complaint.WaitingOnCustomer: {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.WaitingOnCustomer},
}

// advance moves the complaint to status to through the service, a minute
// a step, setting the resolution before resolving.
func (e *saEnv) advance(tb testing.TB, tenant crm.TenantID, id crm.ID, to complaint.Status) *complaint.Complaint {
	tb.Helper()
	ctx := context.Background()
	steps, ok := saPath[to]
	require.True(tb, ok, "no path to %s", to)
	c, err := e.svc.Get(ctx, tenant, id)
	require.NoError(tb, err)
	for _, st := range steps {
		e.clock.Advance(time.Minute)
		if st == complaint.Resolved {
			_, err = e.svc.SetResolution(ctx, tenant, id, saResolution(), saCh())
			require.NoError(tb, err)
		}
		c, err = e.svc.Transition(ctx, tenant, id, st, saCh())
		require.NoError(tb, err, "to %s", st)
	}
	return c
}

// refused runs op, which must fail with want (errors.Is), and checks that
// the complaint and the published events did not change.
func (e *saEnv) refused(tb testing.TB, tenant crm.TenantID, id crm.ID, want error, op func() error) error {
	tb.Helper()
	ctx := context.Background()
	before, err := e.svc.Get(ctx, tenant, id)
	require.NoError(tb, err)
	events := len(e.sink.all())
	err = op()
	require.Error(tb, err)
	require.ErrorIs(tb, err, want)
	after, gerr := e.svc.Get(ctx, tenant, id)
	require.NoError(tb, gerr)
	require.Equal(tb, before.Version(), after.Version())
	require.Equal(tb, before.Record(), after.Record())
	require.Len(tb, e.sink.all(), events, "a refusal published events")
	return err
}

func TestNewService(t *testing.T) {
	t.Parallel()
	st := memory.New(nil)
	svc, err := complaint.NewService(st, nil)
	require.NoError(t, err)
	require.NotNil(t, svc)

	tests := []struct {
		name string
		b    complaint.Backend
		opts *complaint.Options
	}{
		{"nil backend", nil, nil},
		{"negative reopen window", st, &complaint.Options{ReopenWindow: -time.Hour}},
		{"invalid ladder", st, &complaint.Options{Ladder: &complaint.Ladder{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := complaint.NewService(tc.b, tc.opts)
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
}

func TestServiceReceive(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, func(o *complaint.Options) { o.Categories = leakTree; o.ReopenWindow = 48 * time.Hour })
	ctx := context.Background()
	cust := e.customer(t, saTenant, "Wang Fang")
	c, err := e.svc.Receive(ctx, saInput(saTenant, cust), complaint.Change{Actor: saAgent})
	require.NoError(t, err)
	require.Equal(t, int64(1), c.Version())
	require.Equal(t, complaint.Received, c.Status())
	require.Equal(t, saAt, c.ReceivedAt(), "a zero Change.At takes the clock")
	require.Equal(t, 48*time.Hour, c.ReopenWindow())
	require.Empty(t, c.Events(), "the returned complaint has nothing pending")

	got, err := e.svc.Get(ctx, saTenant, c.ID())
	require.NoError(t, err)
	require.Equal(t, c.Record(), got.Record())

	evs := e.sink.all()
	require.Len(t, evs, 1)
	require.Equal(t, complaint.EventCreated, evs[0].Type)
	require.Equal(t, c.ID(), evs[0].AggregateID)
	require.Equal(t, int64(1), evs[0].Version)
	require.Equal(t, complaint.Created{Customer: cust, Category: "window", Owner: saAgent}, evs[0].Data)

	audit, err := e.svc.Audit(ctx, saTenant, c.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, audit.Items, 1)
	require.Equal(t, complaint.AuditCreated, audit.Items[0].Kind)
}

func TestServiceReceiveRefusals(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, func(o *complaint.Options) { o.Categories = leakTree })
	ctx := context.Background()
	ok := e.customer(t, saTenant, "Wang Fang")
	other := e.customer(t, saOther, "Li Lei")
	survivor := e.customer(t, saTenant, "Zhang Wei")
	merged := e.customer(t, saTenant, "Zhang Wei")
	_, err := e.cust.Merge(ctx, saTenant, survivor, merged, customer.Survivorship{}, customer.Change{Actor: "admin", Reason: "same person"})
	require.NoError(t, err)
	erased := e.customer(t, saTenant, "Chen Jing")
	_, err = e.cust.Erase(ctx, saTenant, erased, customer.Change{Actor: "admin", Reason: "asked to be forgotten"})
	require.NoError(t, err)

	tests := []struct {
		name string
		in   func() complaint.ReceiveInput
		ch   complaint.Change
		want error
	}{
		{"unknown category", func() complaint.ReceiveInput {
			in := saInput(saTenant, ok)
			in.Category = "plumbing"
			return in
		}, complaint.Change{Actor: saAgent}, crm.ErrInvalid},
		{"missing customer", func() complaint.ReceiveInput {
			return saInput(saTenant, crm.MustParseID("01890000-0000-7000-8000-0000000000ff"))
		}, complaint.Change{Actor: saAgent}, crm.ErrNotFound},
		{"other tenant's customer", func() complaint.ReceiveInput { return saInput(saTenant, other) }, complaint.Change{Actor: saAgent}, crm.ErrNotFound},
		{"merged customer", func() complaint.ReceiveInput { return saInput(saTenant, merged) }, complaint.Change{Actor: saAgent}, crm.ErrMerged},
		{"erased customer", func() complaint.ReceiveInput { return saInput(saTenant, erased) }, complaint.Change{Actor: saAgent}, crm.ErrErased},
		{"no description", func() complaint.ReceiveInput {
			in := saInput(saTenant, ok)
			in.Description = " "
			return in
		}, complaint.Change{Actor: saAgent}, crm.ErrInvalid},
		{"no owner", func() complaint.ReceiveInput {
			in := saInput(saTenant, ok)
			in.Owner = ""
			return in
		}, complaint.Change{Actor: saAgent}, crm.ErrInvalid},
		{"bad tenant", func() complaint.ReceiveInput { return saInput("", ok) }, complaint.Change{Actor: saAgent}, crm.ErrInvalid},
		{"no actor", func() complaint.ReceiveInput { return saInput(saTenant, ok) }, complaint.Change{}, crm.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Receive(ctx, tc.in(), tc.ch)
			require.ErrorIs(t, err, tc.want)
		})
	}
	all, err := e.svc.List(ctx, saTenant, complaint.Query{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, all.Items, "a refused receipt stored nothing")
	require.Empty(t, e.sink.all(), "a refused receipt published nothing")
}

func TestServiceGetOtherTenant(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	c := e.receive(t, saTenant)
	_, err := e.svc.Get(ctx, saOther, c.ID())
	require.ErrorIs(t, err, crm.ErrNotFound)
	_, err = e.svc.Audit(ctx, saOther, c.ID(), crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrNotFound)
	p, err := e.svc.List(ctx, saOther, complaint.Query{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, p.Items)
}

func TestServiceList(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, func(o *complaint.Options) { o.Categories = leakTree })
	ctx := context.Background()
	cust := e.customer(t, saTenant, "Wang Fang")
	var ids []crm.ID
	for _, cat := range []string{"window", "leak", "billing", "delivery"} {
		in := saInput(saTenant, cust)
		in.Category = cat
		c, err := e.svc.Receive(ctx, in, complaint.Change{Actor: saAgent})
		require.NoError(t, err)
		ids = append(ids, c.ID())
	}
	tests := []struct {
		name string
		q    complaint.Query
		want []crm.ID
	}{
		{"all in receipt order", complaint.Query{}, ids},
		{"a parent includes its subcategories", complaint.Query{Categories: []string{"product_quality"}}, ids[:2]},
		{"a leaf", complaint.Query{Categories: []string{"window"}}, ids[:1]},
		{"two roots", complaint.Query{Categories: []string{"billing", "delivery"}}, ids[2:]},
		{"customer", complaint.Query{Customer: cust}, ids},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := e.svc.List(ctx, saTenant, tc.q, crm.PageRequest{})
			require.NoError(t, err)
			var got []crm.ID
			for _, c := range p.Items {
				got = append(got, c.ID())
			}
			require.Equal(t, tc.want, got)
		})
	}
	_, err := e.svc.List(ctx, saTenant, complaint.Query{Categories: []string{"plumbing"}}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = e.svc.List(ctx, saTenant, complaint.Query{Statuses: []complaint.Status{99}}, crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid)

	p, err := e.svc.List(ctx, saTenant, complaint.Query{}, crm.PageRequest{Limit: 3})
	require.NoError(t, err)
	require.Len(t, p.Items, 3)
	require.NotEmpty(t, p.Next)
	p, err = e.svc.List(ctx, saTenant, complaint.Query{}, crm.PageRequest{Limit: 3, Cursor: p.Next})
	require.NoError(t, err)
	require.Len(t, p.Items, 1)
	require.Equal(t, ids[3], p.Items[0].ID())
}

func TestServiceUpdate(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	c := e.receive(t, saTenant)
	e.sink.reset()

	_ = e.refused(t, saTenant, c.ID(), crm.ErrInvalid, func() error {
		_, err := e.svc.Update(ctx, saTenant, c.ID(), nil)
		return err
	})
	boom := errors.New("boom")
	err := e.refused(t, saTenant, c.ID(), boom, func() error {
		_, err := e.svc.Update(ctx, saTenant, c.ID(), func(c *complaint.Complaint) error {
			require.NoError(t, c.Escalate(complaint.Change{Actor: saAgent, At: saAt, Reason: "vip"}))
			return boom
		})
		return err
	})
	require.Contains(t, err.Error(), "complaint: update "+c.ID().String())

	got, err := e.svc.Update(ctx, saTenant, c.ID(), func(c *complaint.Complaint) error {
		return c.Escalate(complaint.Change{Actor: saAgent, At: saAt, Reason: "vip"})
	})
	require.NoError(t, err)
	require.Equal(t, int64(2), got.Version())
	require.Equal(t, 1, got.EscalationLevel())
	evs := e.sink.all()
	require.Len(t, evs, 1)
	require.Equal(t, complaint.EventEscalated, evs[0].Type)
	require.Equal(t, int64(2), evs[0].Version, "events carry the stored version")
}
