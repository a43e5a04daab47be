package complaint_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// opsT0 is a Monday; the ops tests run on a 24/7 UTC calendar so that
// working time equals wall time.
var opsT0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

const opsTenant = crm.TenantID("acme")

// opsSink records the published events.
type opsSink struct {
	mu     sync.Mutex
	events []crm.Event
}

func (s *opsSink) Publish(_ context.Context, evs []crm.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, evs...)
	return nil
}

func (s *opsSink) ofType(typ string) []crm.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []crm.Event
	for _, e := range s.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

type opsEnv struct {
	ctx   context.Context
	clock *crm.ManualClock
	store *memory.Store
	cust  *customer.Service
	svc   *complaint.Service
	sink  *opsSink
}

// opsAlways is a 24/7 calendar in UTC.
func opsAlways(tb testing.TB) map[string]*calendar.Calendar {
	tb.Helper()
	day := `["00:00-24:00"]`
	cfg := `{"name": "always", "time_zone": "UTC", "week": {"monday": ` + day + `, "tuesday": ` + day +
		`, "wednesday": ` + day + `, "thursday": ` + day + `, "friday": ` + day + `, "saturday": ` + day +
		`, "sunday": ` + day + `}}`
	var c calendar.Config
	require.NoError(tb, json.Unmarshal([]byte(cfg), &c))
	cal, err := calendar.New(c)
	require.NoError(tb, err)
	return map[string]*calendar.Calendar{"always": cal}
}

// newOpsEnv returns a service on a fresh memory store; opts' clock, IDs,
// events and (when policies are set without calendars) calendars are
// filled in.
func newOpsEnv(tb testing.TB, opts complaint.Options) *opsEnv {
	tb.Helper()
	e := &opsEnv{ctx: context.Background(), clock: crm.NewManualClock(opsT0), store: memory.New(nil), sink: &opsSink{}}
	ids := crm.NewSequentialIDs(e.clock)
	var err error
	e.cust, err = customer.NewService(e.store, &customer.Options{Clock: e.clock, IDs: ids})
	require.NoError(tb, err)
	opts.Clock, opts.IDs, opts.Events = e.clock, ids, e.sink
	if opts.Policies != nil && opts.Calendars == nil {
		opts.Calendars = opsAlways(tb)
	}
	e.svc, err = complaint.NewService(e.store, &opts)
	require.NoError(tb, err)
	return e
}

func (e *opsEnv) customer(tb testing.TB, name string) crm.ID {
	tb.Helper()
	c, err := e.cust.Create(e.ctx, customer.NewInput{
		Tenant: opsTenant, Kind: customer.Person, Name: name,
		Roles: []customer.Role{customer.EndCustomer}, Owner: "manager-zhang",
	}, customer.Change{Actor: "manager-zhang"})
	require.NoError(tb, err)
	return c.ID()
}

// opsIn is a complaint input; unit "" means no asset.
type opsIn struct {
	cust     crm.ID
	category string
	severity complaint.Severity
	unit     string
	desc     string
}

// receive records a complaint at the clock's time, then moves the clock on
// by a minute so that IDs and receipt times keep increasing.
func (e *opsEnv) receive(tb testing.TB, in opsIn) *complaint.Complaint {
	tb.Helper()
	if in.desc == "" {
		in.desc = "Water leaks through the bedroom window when it rains."
	}
	var asset complaint.Asset
	if in.unit != "" {
		asset = complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}, {Kind: "unit", ID: in.unit}}
	}
	c, err := e.svc.Receive(e.ctx, complaint.ReceiveInput{
		Tenant: opsTenant, Customer: in.cust, Channel: customer.CallCentre, Category: in.category,
		Severity: in.severity, Asset: asset, Description: in.desc, Owner: "agent-li",
	}, complaint.Change{Actor: "agent-li"})
	require.NoError(tb, err)
	e.clock.Advance(time.Minute)
	return c
}

// move moves the complaint through statuses at the given instants.
func (e *opsEnv) move(tb testing.TB, id crm.ID, at time.Time, to ...complaint.Status) {
	tb.Helper()
	for i, s := range to {
		_, err := e.svc.Update(e.ctx, opsTenant, id, func(c *complaint.Complaint) error {
			ch := complaint.Change{Actor: "agent-li", At: at.Add(time.Duration(i) * time.Second), Reason: "work"}
			if s == complaint.Resolved {
				if _, ok := c.Resolution(); !ok {
					if err := c.SetResolution(validResolution(), ch); err != nil {
						return err
					}
				}
			}
			return c.Transition(s, ch)
		})
		require.NoError(tb, err, "to %s", s)
	}
}

var opsToResolved = []complaint.Status{
	complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed, complaint.Resolved,
}

func opsAlerts(evs []crm.Event) []string {
	var out []string
	for _, e := range evs {
		a := e.Data.(complaint.SLAAlert)
		out = append(out, e.Type+" "+string(a.Target)+" "+e.At.UTC().Format("15:04"))
	}
	return out
}

func TestServiceCheckSLAsOnce(t *testing.T) {
	t.Parallel()
	set := &complaint.PolicySet{Default: complaint.Policy{Name: "std", Calendar: "always", Targets: complaint.Targets{
		Acknowledge: calendar.Thresholds{Target: 2 * time.Hour, WarnAt: 0.5},
	}}}
	e := newOpsEnv(t, complaint.Options{Policies: set})
	cust := e.customer(t, "Wang Fang")
	c := e.receive(t, opsIn{cust: cust, category: "leak"}) // received 08:00
	acked := e.receive(t, opsIn{cust: cust, category: "leak"})
	e.move(t, acked.ID(), opsT0.Add(10*time.Minute), complaint.Acknowledged)

	h := func(hh, mm int) time.Time {
		return opsT0.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
	}
	steps := []struct {
		name      string
		since, at time.Time
		want      []string
	}{
		{"nothing yet", h(0, 0), h(0, 30), nil},
		{"warning", h(0, 30), h(1, 30), []string{"complaint.sla_warning acknowledge 09:00"}},
		{"breach", h(1, 30), h(3, 0), []string{"complaint.sla_breached acknowledge 10:00"}},
		{"nothing more", h(3, 0), h(9, 0), nil},
	}
	var all []crm.Event
	for _, st := range steps {
		evs, err := e.svc.CheckSLAs(e.ctx, opsTenant, st.since, st.at)
		require.NoError(t, err, st.name)
		require.Equal(t, st.want, opsAlerts(evs), st.name)
		for _, ev := range evs {
			require.Equal(t, c.ID(), ev.AggregateID, st.name)
			require.Equal(t, opsTenant, ev.Tenant, st.name)
		}
		all = append(all, evs...)
	}
	published := append(e.sink.ofType(complaint.EventSLAWarning), e.sink.ofType(complaint.EventSLABreached)...)
	require.ElementsMatch(t, all, published, "what is returned is what is published")

	// One call spanning both crossings reports each once too.
	evs, err := e.svc.CheckSLAs(e.ctx, opsTenant, h(0, 0), h(3, 0))
	require.NoError(t, err)
	require.Equal(t, []string{"complaint.sla_warning acknowledge 09:00", "complaint.sla_breached acknowledge 10:00"}, opsAlerts(evs))

	// Closing a complaint does not report its crossings again: the next
	// call starts where the last one ended.
	e.move(t, c.ID(), h(3, 0), opsToResolved...)
	e.move(t, c.ID(), h(3, 1), complaint.Closed)
	evs, err = e.svc.CheckSLAs(e.ctx, opsTenant, h(3, 0), h(9, 0))
	require.NoError(t, err)
	require.Empty(t, evs)

	// A complaint that warns, breaches and is closed between two calls is
	// still reported, once.
	e.clock.Set(h(9, 0))
	late := e.receive(t, opsIn{cust: cust, category: "leak"}) // received at 17:00
	start := late.ReceivedAt()
	e.move(t, late.ID(), start.Add(3*time.Hour), opsToResolved...)
	e.move(t, late.ID(), start.Add(3*time.Hour+time.Minute), complaint.Closed)
	before := start.Add(-time.Minute)
	evs, err = e.svc.CheckSLAs(e.ctx, opsTenant, before, start.Add(4*time.Hour))
	require.NoError(t, err)
	require.Len(t, evs, 2, "the warning and the breach of the closed complaint")
	for _, ev := range evs {
		require.Equal(t, late.ID(), ev.AggregateID)
	}
	evs, err = e.svc.CheckSLAs(e.ctx, opsTenant, start.Add(4*time.Hour), start.Add(8*time.Hour))
	require.NoError(t, err)
	require.Empty(t, evs, "reported once")
}

func TestServiceSLAPauseDelaysBreach(t *testing.T) {
	t.Parallel()
	set := &complaint.PolicySet{Default: complaint.Policy{Name: "std", Calendar: "always", Targets: complaint.Targets{
		Resolution: calendar.Thresholds{Target: 4 * time.Hour},
	}}}
	e := newOpsEnv(t, complaint.Options{Policies: set})
	cust := e.customer(t, "Wang Fang")
	e.clock.Set(opsT0)
	waiting := e.receive(t, opsIn{cust: cust, category: "leak"}) // 08:00
	e.clock.Set(opsT0)
	plain := e.receive(t, opsIn{cust: cust, category: "leak"}) // 08:00 too
	for _, id := range []crm.ID{waiting.ID(), plain.ID()} {
		e.move(t, id, opsT0.Add(10*time.Minute), complaint.Acknowledged, complaint.Assessed, complaint.Investigating)
	}
	// Waiting on the customer from 09:00 to 11:00: two hours off the clock.
	e.move(t, waiting.ID(), opsT0.Add(time.Hour), complaint.WaitingOnCustomer)
	e.move(t, waiting.ID(), opsT0.Add(3*time.Hour), complaint.Investigating)

	evs, err := e.svc.CheckSLAs(e.ctx, opsTenant, opsT0, opsT0.Add(5*time.Hour))
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, plain.ID(), evs[0].AggregateID)
	require.Equal(t, opsT0.Add(4*time.Hour), evs[0].At)

	evs, err = e.svc.CheckSLAs(e.ctx, opsTenant, opsT0.Add(5*time.Hour), opsT0.Add(7*time.Hour))
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, waiting.ID(), evs[0].AggregateID)
	require.Equal(t, opsT0.Add(6*time.Hour), evs[0].At, "the breach comes two hours later")

	for _, tc := range []struct {
		name  string
		at    time.Time
		state calendar.State
	}{
		{"before the delayed deadline", opsT0.Add(5 * time.Hour), calendar.StateOK},
		{"after it", opsT0.Add(7 * time.Hour), calendar.StateBreached},
	} {
		sla, err := e.svc.SLA(e.ctx, opsTenant, waiting.ID(), tc.at)
		require.NoError(t, err, tc.name)
		require.Equal(t, "std", sla.Policy, tc.name)
		require.True(t, sla.Resolution.Tracked, tc.name)
		require.Equal(t, tc.state, sla.Resolution.State, tc.name)
		require.Equal(t, opsT0.Add(6*time.Hour), sla.Resolution.Deadline.UTC(), tc.name)
	}
}

func TestServiceOpsUnsupportedAndRefusals(t *testing.T) {
	t.Parallel()
	e := newOpsEnv(t, complaint.Options{})
	cust := e.customer(t, "Wang Fang")
	c := e.receive(t, opsIn{cust: cust, category: "leak"})
	withLadder := newOpsEnv(t, complaint.Options{Ladder: &complaint.Ladder{Steps: []complaint.Step{{Level: 1, Role: "owner"}}}})
	withPolicies := newOpsEnv(t, complaint.Options{Policies: &complaint.PolicySet{Default: complaint.Policy{
		Name: "std", Calendar: "always", Targets: complaint.Targets{Resolution: calendar.Thresholds{Target: time.Hour}},
	}}})
	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"sla without policies", func() error { _, err := e.svc.SLA(e.ctx, opsTenant, c.ID(), opsT0); return err }, crm.ErrUnsupported},
		{"check slas without policies", func() error {
			_, err := e.svc.CheckSLAs(e.ctx, opsTenant, opsT0, opsT0.Add(time.Hour))
			return err
		}, crm.ErrUnsupported},
		{"escalations without a ladder", func() error {
			_, err := e.svc.ApplyEscalations(e.ctx, opsTenant, opsT0, "sla-job")
			return err
		}, crm.ErrUnsupported},
		{"escalations by a bad actor", func() error {
			_, err := withLadder.svc.ApplyEscalations(e.ctx, opsTenant, opsT0, "")
			return err
		}, crm.ErrInvalid},
		{"sla of a missing complaint", func() error {
			_, err := withPolicies.svc.SLA(e.ctx, opsTenant, c.ID(), opsT0)
			return err
		}, crm.ErrNotFound},
		{"invalid hotspot rules", func() error {
			_, err := e.svc.Hotspots(e.ctx, opsTenant, complaint.HotspotRules{{Name: "x", Kind: complaint.RuleCluster}}, opsT0)
			return err
		}, crm.ErrInvalid},
		{"raise risks with a bad owner", func() error {
			_, err := e.svc.RaiseRisks(e.ctx, opsTenant, opsBuildingRules(), "", opsT0)
			return err
		}, crm.ErrInvalid},
		{"suggest without an index", func() error {
			_, err := e.svc.SuggestFor(e.ctx, opsTenant, nil, c.ID(), 3)
			return err
		}, crm.ErrInvalid},
		{"analyze by an unknown dimension", func() error {
			_, err := e.svc.Analyze(e.ctx, opsTenant, complaint.AnalyticsOptions{By: "colour"})
			return err
		}, crm.ErrInvalid},
		{"analyze with from after to", func() error {
			_, err := e.svc.Analyze(e.ctx, opsTenant, complaint.AnalyticsOptions{From: opsT0, To: opsT0.Add(-time.Hour)})
			return err
		}, crm.ErrInvalid},
		{"risk of another tenant", func() error { _, err := e.svc.GetRisk(e.ctx, "other", c.ID()); return err }, crm.ErrNotFound},
	}
	for _, tc := range cases {
		err := tc.call()
		require.ErrorIs(t, err, tc.want, tc.name)
	}
}

func opsLadder() *complaint.Ladder {
	return &complaint.Ladder{
		Steps: []complaint.Step{
			{Level: 1, Role: "owner", Notify: []string{"agent-li"}},
			{Level: 2, Role: "team_lead", Notify: []string{"lead-wang"}},
			{Level: 3, Role: "department_head", Notify: []string{"head-zhao"}},
			{Level: 4, Role: "executive", Notify: []string{"ceo"}},
		},
		Triggers: []complaint.Trigger{
			{On: complaint.OnBreach, Target: complaint.TargetAcknowledge, ToLevel: 2},
			{On: complaint.OnSeverity, Severity: complaint.Critical, ToLevel: 3},
			{On: complaint.OnRepeat, MinRepeat: 3, ToLevel: 1},
			{On: complaint.OnCustomerClass, Class: "stable", ToLevel: 4},
		},
	}
}

func TestServiceApplyEscalations(t *testing.T) {
	t.Parallel()
	yes := true
	set := &complaint.PolicySet{
		Policies: []complaint.Policy{{Name: "key", Calendar: "always", Match: complaint.PolicyMatch{KeyAccount: &yes},
			Targets: complaint.Targets{Acknowledge: calendar.Thresholds{Target: 30 * time.Minute}}}},
		Default: complaint.Policy{Name: "std", Calendar: "always", Targets: complaint.Targets{
			Acknowledge: calendar.Thresholds{Target: 2 * time.Hour},
		}},
	}
	type want struct {
		from, to int
		notify   []string
	}
	cases := []struct {
		name string
		// setup receives complaints and returns the one under test.
		setup func(t *testing.T, e *opsEnv) crm.ID
		after time.Duration // from opsT0
		want  *want         // nil: nothing escalated
		count int           // complaints escalated, when want is set
	}{
		{"nothing due", func(t *testing.T, e *opsEnv) crm.ID {
			return e.receive(t, opsIn{cust: e.customer(t, "A"), category: "leak"}).ID()
		}, time.Hour, nil, 0},
		{"breach", func(t *testing.T, e *opsEnv) crm.ID {
			return e.receive(t, opsIn{cust: e.customer(t, "A"), category: "leak"}).ID()
		}, 3 * time.Hour, &want{0, 2, []string{"agent-li", "lead-wang"}}, 1},
		{"severity", func(t *testing.T, e *opsEnv) crm.ID {
			return e.receive(t, opsIn{cust: e.customer(t, "A"), category: "leak", severity: complaint.Critical}).ID()
		}, time.Hour, &want{0, 3, []string{"agent-li", "lead-wang", "head-zhao"}}, 1},
		{"repeat complaints", func(t *testing.T, e *opsEnv) crm.ID {
			cust := e.customer(t, "A")
			var last crm.ID
			for range 3 {
				c := e.receive(t, opsIn{cust: cust, category: "leak"})
				e.move(t, c.ID(), e.clock.Now(), complaint.Acknowledged)
				last = c.ID()
			}
			return last
		}, time.Hour, &want{0, 1, []string{"agent-li"}}, 3},
		{"a complaint before the repeat window does not count", func(t *testing.T, e *opsEnv) crm.ID {
			cust := e.customer(t, "A")
			old := e.receive(t, opsIn{cust: cust, category: "leak"})
			e.move(t, old.ID(), opsT0.Add(2*time.Minute), complaint.Acknowledged)
			e.clock.Advance(complaint.RepeatWindow + time.Hour)
			var last crm.ID
			for range 2 {
				c := e.receive(t, opsIn{cust: cust, category: "leak"})
				e.move(t, c.ID(), e.clock.Now(), complaint.Acknowledged)
				last = c.ID()
			}
			return last
		}, complaint.RepeatWindow + 2*time.Hour, nil, 0},
		{"customer class", func(t *testing.T, e *opsEnv) crm.ID {
			cust := e.customer(t, "A")
			_, err := e.cust.Update(e.ctx, opsTenant, cust, func(c *customer.Customer) error {
				return c.SetClass(customer.Stable, customer.Change{Actor: "manager-zhang", At: e.clock.Now()})
			})
			require.NoError(t, err)
			return e.receive(t, opsIn{cust: cust, category: "leak"}).ID()
		}, time.Hour, &want{0, 4, []string{"agent-li", "lead-wang", "head-zhao", "ceo"}}, 1},
		{"key account breaches sooner", func(t *testing.T, e *opsEnv) crm.ID {
			key := e.customer(t, "Key")
			_, err := e.cust.Update(e.ctx, opsTenant, key, func(c *customer.Customer) error {
				return c.SetKeyAccount(true, customer.Change{Actor: "manager-zhang", At: e.clock.Now()})
			})
			require.NoError(t, err)
			e.receive(t, opsIn{cust: e.customer(t, "Plain"), category: "leak"})
			return e.receive(t, opsIn{cust: key, category: "leak"}).ID()
		}, time.Hour, &want{0, 2, []string{"agent-li", "lead-wang"}}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newOpsEnv(t, complaint.Options{Policies: set, Ladder: opsLadder()})
			id := tc.setup(t, e)
			before, err := e.svc.Get(e.ctx, opsTenant, id)
			require.NoError(t, err)
			at := opsT0.Add(tc.after)
			got, err := e.svc.ApplyEscalations(e.ctx, opsTenant, at, "sla-job")
			require.NoError(t, err)
			after, err := e.svc.Get(e.ctx, opsTenant, id)
			require.NoError(t, err)
			if tc.want == nil {
				require.Empty(t, got)
				require.Equal(t, before.Version(), after.Version(), "nothing due stores nothing")
				require.Empty(t, e.sink.ofType(complaint.EventEscalated))
				return
			}
			require.Len(t, got, tc.count)
			var mine *complaint.Escalation
			for i := range got {
				if got[i].Complaint == id {
					mine = &got[i]
				}
			}
			require.NotNil(t, mine)
			require.Equal(t, complaint.Escalation{Complaint: id, From: tc.want.from, To: tc.want.to, Notify: tc.want.notify}, *mine)
			require.Equal(t, tc.want.to, after.EscalationLevel())
			require.Len(t, e.sink.ofType(complaint.EventEscalated), tc.count*(tc.want.to-tc.want.from),
				"one event per level climbed, published after commit")

			again, err := e.svc.ApplyEscalations(e.ctx, opsTenant, at, "sla-job")
			require.NoError(t, err)
			require.Empty(t, again, "a second run escalates nothing more")
		})
	}
}

func opsBuildingRules() complaint.HotspotRules {
	return complaint.HotspotRules{{
		Name: "leak-building", Kind: complaint.RuleCluster, Category: "leak", AssetLevel: 2,
		Min: 3, Window: 7 * 24 * time.Hour,
	}}
}

func TestServiceHotspotsAndRisks(t *testing.T) {
	t.Parallel()
	e := newOpsEnv(t, complaint.Options{Categories: leakTree})
	cust := e.customer(t, "Wang Fang")
	var first []crm.ID
	// "window" lies under "leak" in the tree: the rule counts it.
	for _, unit := range []string{"1502", "1602", "0801"} {
		first = append(first, e.receive(t, opsIn{cust: cust, category: "window", unit: unit}).ID())
	}
	e.receive(t, opsIn{cust: cust, category: "billing", unit: "0802"}) // another category
	e.receive(t, opsIn{cust: cust, category: "window"})                // no asset

	hs, err := e.svc.Hotspots(e.ctx, opsTenant, opsBuildingRules(), time.Time{})
	require.NoError(t, err)
	require.Len(t, hs, 1)
	require.Equal(t, 3, hs[0].Count)
	require.Equal(t, "project:P1/building:B3", hs[0].Asset.String())
	require.Equal(t, first, hs[0].Evidence)

	risks, err := e.svc.RaiseRisks(e.ctx, opsTenant, opsBuildingRules(), "risk-chen", time.Time{})
	require.NoError(t, err)
	require.Len(t, risks, 1)
	r := risks[0]
	require.Equal(t, complaint.RiskOpen, r.Status())
	require.Equal(t, first, r.Evidence())
	require.Equal(t, crm.UserID("risk-chen"), r.Owner())
	require.Equal(t, e.clock.Now(), r.CreatedAt())

	raised := e.sink.ofType(complaint.EventRiskRaised)
	require.Len(t, raised, 1, "the risk is announced")
	require.Equal(t, r.ID(), raised[0].AggregateID)
	require.Equal(t, int64(1), raised[0].Version)
	require.Equal(t, complaint.RiskRaised{Key: r.Key(), Rule: hs[0].Rule, Count: 3, Owner: "risk-chen", Evidence: first}, raised[0].Data)

	again, err := e.svc.RaiseRisks(e.ctx, opsTenant, opsBuildingRules(), "risk-chen", time.Time{})
	require.NoError(t, err)
	require.Empty(t, again, "an active risk is not raised twice")
	require.Len(t, e.sink.ofType(complaint.EventRiskRaised), 1, "nor announced twice")

	// Work the risk: note, reassign, mitigate.
	_, err = e.svc.NoteRisk(e.ctx, opsTenant, r.ID(), "risk-chen", "inspect the façade sealant")
	require.NoError(t, err)
	_, err = e.svc.ReassignRisk(e.ctx, opsTenant, r.ID(), "risk-zhou")
	require.NoError(t, err)
	_, err = e.svc.MoveRisk(e.ctx, opsTenant, r.ID(), complaint.RiskMitigating, "risk-zhou", "resealing")
	require.NoError(t, err)
	got, err := e.svc.MoveRisk(e.ctx, opsTenant, r.ID(), complaint.RiskMitigated, "risk-zhou", "")
	require.NoError(t, err)
	require.Equal(t, complaint.RiskMitigated, got.Status())
	require.Equal(t, crm.UserID("risk-zhou"), got.Owner())
	require.Len(t, got.Notes(), 2)
	moved := e.sink.ofType(complaint.EventRiskMoved)
	require.Len(t, moved, 2)
	require.Equal(t, complaint.RiskMoved{From: complaint.RiskOpen, To: complaint.RiskMitigating}, moved[0].Data)
	require.Equal(t, complaint.RiskMoved{From: complaint.RiskMitigating, To: complaint.RiskMitigated}, moved[1].Data)
	require.Equal(t, got.Version(), moved[1].Version)
	_, err = e.svc.MoveRisk(e.ctx, opsTenant, r.ID(), complaint.RiskOpen, "risk-zhou", "")
	require.ErrorIs(t, err, crm.ErrInvalidTransition)
	require.Len(t, e.sink.ofType(complaint.EventRiskMoved), 2, "a refused move announces nothing")
	_, err = e.svc.NoteRisk(e.ctx, opsTenant, r.ID(), "risk-zhou", " ")
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = e.svc.ReassignRisk(e.ctx, opsTenant, r.ID(), "")
	require.ErrorIs(t, err, crm.ErrInvalid)
	stored, err := e.svc.GetRisk(e.ctx, opsTenant, r.ID())
	require.NoError(t, err)
	require.Equal(t, got.Version(), stored.Version(), "refused changes store nothing")

	// A week later the old cluster has left the window; a new one raises
	// a new risk for the same building.
	e.clock.Advance(8 * 24 * time.Hour)
	none, err := e.svc.RaiseRisks(e.ctx, opsTenant, opsBuildingRules(), "risk-chen", time.Time{})
	require.NoError(t, err)
	require.Empty(t, none)
	var second []crm.ID
	for _, unit := range []string{"0101", "0202", "0303"} {
		second = append(second, e.receive(t, opsIn{cust: cust, category: "leak", unit: unit}).ID())
	}
	risks, err = e.svc.RaiseRisks(e.ctx, opsTenant, opsBuildingRules(), "risk-chen", time.Time{})
	require.NoError(t, err)
	require.Len(t, risks, 1)
	require.Equal(t, second, risks[0].Evidence())
	require.Equal(t, r.Key(), risks[0].Key())

	active := true
	page, err := e.svc.ListRisks(e.ctx, opsTenant, complaint.RiskQuery{Active: &active}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.Equal(t, risks[0].ID(), page.Items[0].ID())
	page, err = e.svc.ListRisks(e.ctx, opsTenant, complaint.RiskQuery{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
}

func TestServiceRaiseRisksConcurrent(t *testing.T) {
	t.Parallel()
	e := newOpsEnv(t, complaint.Options{})
	cust := e.customer(t, "Wang Fang")
	for _, unit := range []string{"1502", "1602", "0801"} {
		e.receive(t, opsIn{cust: cust, category: "leak", unit: unit})
	}
	at := e.clock.Now()
	const n = 8
	var wg sync.WaitGroup
	raised := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs, err := e.svc.RaiseRisks(e.ctx, opsTenant, opsBuildingRules(), "risk-chen", at)
			raised[i], errs[i] = len(rs), err
		}()
	}
	wg.Wait()
	total := 0
	for i := range n {
		require.NoError(t, errs[i])
		total += raised[i]
	}
	require.Equal(t, 1, total, "one hotspot, one risk, however many raise it")
	require.Len(t, e.sink.ofType(complaint.EventRiskRaised), 1, "and one announcement")
	page, err := e.svc.ListRisks(e.ctx, opsTenant, complaint.RiskQuery{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
}

func TestServiceSuggestFor(t *testing.T) {
	t.Parallel()
	e := newOpsEnv(t, complaint.Options{Categories: leakTree})
	cust := e.customer(t, "Wang Fang")
	leak := e.receive(t, opsIn{cust: cust, category: "window", desc: "Water leaks through the bedroom window when it rains."})
	other := e.receive(t, opsIn{cust: cust, category: "leak", desc: "Damp patch on the ceiling after rain."})
	bill := e.receive(t, opsIn{cust: cust, category: "billing", desc: "The invoice charged the parking fee twice."})
	open := e.receive(t, opsIn{cust: cust, category: "window", desc: "Rain water leaks in at the living room window."})
	for _, id := range []crm.ID{leak.ID(), other.ID(), bill.ID()} {
		e.move(t, id, e.clock.Now(), opsToResolved...)
	}
	e.move(t, bill.ID(), e.clock.Now().Add(time.Minute), complaint.Closed)

	ix, err := e.svc.SolutionIndex(e.ctx, opsTenant)
	require.NoError(t, err)
	require.Equal(t, 3, ix.Len(), "resolved and closed complaints only")

	got, err := e.svc.SuggestFor(e.ctx, opsTenant, ix, open.ID(), 3)
	require.NoError(t, err)
	require.NotEmpty(t, got)
	require.Equal(t, leak.ID(), got[0].Solution.ComplaintID, "same category and similar text rank first")
	require.Equal(t, 3, got[0].Reasons.CategoryDepth)
	require.Contains(t, got[0].Reasons.Terms, "window")

	got, err = e.svc.SuggestFor(e.ctx, opsTenant, ix, leak.ID(), 1)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.NotEqual(t, leak.ID(), got[0].Solution.ComplaintID, "a complaint is not its own suggestion")
	require.Equal(t, other.ID(), got[0].Solution.ComplaintID)

	for _, tc := range []struct {
		name string
		id   crm.ID
		k    int
		want error
	}{
		{"k zero", open.ID(), 0, crm.ErrInvalid},
		{"k too large", open.ID(), complaint.MaxSuggestions + 1, crm.ErrInvalid},
		{"missing complaint", idC, 3, crm.ErrNotFound},
	} {
		_, err := e.svc.SuggestFor(e.ctx, opsTenant, ix, tc.id, tc.k)
		require.ErrorIs(t, err, tc.want, tc.name)
	}
}

func TestServiceAnalyze(t *testing.T) {
	t.Parallel()
	e := newOpsEnv(t, complaint.Options{})
	stable := e.customer(t, "Wang Fang")
	_, err := e.cust.Update(e.ctx, opsTenant, stable, func(c *customer.Customer) error {
		return c.SetClass(customer.Stable, customer.Change{Actor: "manager-zhang", At: e.clock.Now()})
	})
	require.NoError(t, err)
	plain := e.customer(t, "Li Wei")

	e.receive(t, opsIn{cust: plain, category: "leak"}) // before the period
	from := e.clock.Now()
	var resolved, closed, rejected, open []crm.ID
	for i := range 7 {
		cust := plain
		if i%2 == 0 {
			cust = stable
		}
		cat := "leak"
		if i >= 5 {
			cat = "billing"
		}
		c := e.receive(t, opsIn{cust: cust, category: cat})
		switch i % 4 {
		case 0:
			open = append(open, c.ID())
		case 1:
			e.move(t, c.ID(), e.clock.Now(), opsToResolved...)
			resolved = append(resolved, c.ID())
		case 2:
			e.move(t, c.ID(), e.clock.Now(), opsToResolved...)
			e.move(t, c.ID(), e.clock.Now().Add(time.Minute), complaint.Closed)
			closed = append(closed, c.ID())
		case 3:
			_, err := e.svc.Update(e.ctx, opsTenant, c.ID(), func(c *complaint.Complaint) error {
				return c.Transition(complaint.Rejected, complaint.Change{Actor: "agent-li", At: e.clock.Now(), Reason: "not ours"})
			})
			require.NoError(t, err)
			rejected = append(rejected, c.ID())
		}
	}
	e.clock.Advance(time.Hour)
	to := e.clock.Now()
	e.receive(t, opsIn{cust: stable, category: "leak"}) // after the period

	rep, err := e.svc.Analyze(e.ctx, opsTenant, complaint.AnalyticsOptions{From: from, To: to, By: complaint.ByCustomerClass})
	require.NoError(t, err)
	require.Equal(t, 7, rep.Total.Count)
	require.Equal(t, len(open), rep.Total.Open)
	require.Equal(t, len(resolved), rep.Total.Resolved)
	require.Equal(t, len(closed), rep.Total.Closed)
	require.Equal(t, len(rejected), rep.Total.Rejected)
	require.Equal(t, to, rep.To)
	keys := map[string]int{}
	for _, s := range rep.Slices {
		keys[s.Key] = s.Stats.Count
	}
	require.Equal(t, map[string]int{"stable": 4, "unclassified": 3}, keys, "classes loaded once per customer")

	rep, err = e.svc.Analyze(e.ctx, opsTenant, complaint.AnalyticsOptions{By: complaint.ByCategory})
	require.NoError(t, err)
	require.Equal(t, 9, rep.Total.Count, "unbounded: every complaint")
	keys = map[string]int{}
	for _, s := range rep.Slices {
		keys[s.Key] = s.Stats.Count
	}
	require.Equal(t, map[string]int{"leak": 7, "billing": 2}, keys)

	rep, err = e.svc.Analyze(e.ctx, opsTenant, complaint.AnalyticsOptions{To: opsT0})
	require.NoError(t, err)
	require.Zero(t, rep.Total.Count)
}

func TestServiceOpsCancelledContext(t *testing.T) {
	t.Parallel()
	set := &complaint.PolicySet{Default: complaint.Policy{Name: "std", Calendar: "always", Targets: complaint.Targets{
		Acknowledge: calendar.Thresholds{Target: time.Hour},
	}}}
	e := newOpsEnv(t, complaint.Options{Policies: set, Ladder: opsLadder()})
	e.receive(t, opsIn{cust: e.customer(t, "A"), category: "leak", unit: "0101"})
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	calls := map[string]func() error{
		"check slas": func() error { _, err := e.svc.CheckSLAs(ctx, opsTenant, opsT0, opsT0.Add(time.Hour)); return err },
		"apply escalations": func() error {
			_, err := e.svc.ApplyEscalations(ctx, opsTenant, opsT0.Add(2*time.Hour), "sla-job")
			return err
		},
		"hotspots":       func() error { _, err := e.svc.Hotspots(ctx, opsTenant, opsBuildingRules(), opsT0); return err },
		"solution index": func() error { _, err := e.svc.SolutionIndex(ctx, opsTenant); return err },
		"analyze":        func() error { _, err := e.svc.Analyze(ctx, opsTenant, complaint.AnalyticsOptions{}); return err },
	}
	for name, call := range calls {
		require.ErrorIs(t, call(), context.Canceled, name)
	}
	require.Empty(t, e.sink.ofType(complaint.EventSLABreached), "nothing published")
	require.Empty(t, e.sink.ofType(complaint.EventEscalated), "nothing published")
}

func TestServiceOpsTenancyAndLadderOnly(t *testing.T) {
	t.Parallel()
	e := newOpsEnv(t, complaint.Options{Ladder: opsLadder()})
	c := e.receive(t, opsIn{cust: e.customer(t, "A"), category: "leak", severity: complaint.Critical})

	got, err := e.svc.ApplyEscalations(e.ctx, "other", opsT0.Add(time.Hour), "sla-job")
	require.NoError(t, err)
	require.Empty(t, got, "another tenant's complaints are not touched")

	// Without policies no target is tracked, but the severity trigger fires.
	got, err = e.svc.ApplyEscalations(e.ctx, opsTenant, opsT0.Add(time.Hour), "sla-job")
	require.NoError(t, err)
	require.Equal(t, []complaint.Escalation{{Complaint: c.ID(), From: 0, To: 3,
		Notify: []string{"agent-li", "lead-wang", "head-zhao"}}}, got)
}

func BenchmarkServiceCheckSLAs1k(b *testing.B) {
	set := &complaint.PolicySet{Default: complaint.Policy{Name: "std", Calendar: "always", Targets: complaint.Targets{
		Acknowledge: calendar.Thresholds{Target: 2 * time.Hour, WarnAt: 0.5},
		Resolution:  calendar.Thresholds{Target: 48 * time.Hour, WarnAt: 0.75},
	}}}
	e := newOpsEnv(b, complaint.Options{Policies: set})
	custs := []crm.ID{e.customer(b, "A"), e.customer(b, "B"), e.customer(b, "C")}
	for i := range 1000 {
		e.receive(b, opsIn{cust: custs[i%3], category: "leak", unit: "0101"})
	}
	at := e.clock.Now().Add(3 * time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.svc.CheckSLAs(e.ctx, opsTenant, at.Add(-time.Hour), at); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServiceHotspots1k(b *testing.B) {
	e := newOpsEnv(b, complaint.Options{Categories: leakTree})
	cust := e.customer(b, "A")
	units := []string{"0101", "0202", "0303", "0404"}
	for i := range 1000 {
		e.receive(b, opsIn{cust: cust, category: "window", unit: units[i%4]})
	}
	at := e.clock.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.svc.Hotspots(e.ctx, opsTenant, opsBuildingRules(), at); err != nil {
			b.Fatal(err)
		}
	}
}

func TestServiceAnalyzeUsesServicePolicies(t *testing.T) {
	t.Parallel()
	set := &complaint.PolicySet{Default: complaint.Policy{Name: "std", Calendar: "always", Targets: complaint.Targets{
		Acknowledge: calendar.Thresholds{Target: time.Hour},
	}}}
	e := newOpsEnv(t, complaint.Options{Policies: set})
	cust := e.customer(t, "A")
	met := e.receive(t, opsIn{cust: cust, category: "leak"})
	e.move(t, met.ID(), e.clock.Now(), complaint.Acknowledged)
	e.receive(t, opsIn{cust: cust, category: "leak"}) // never acknowledged
	e.clock.Advance(2 * time.Hour)

	rep, err := e.svc.Analyze(e.ctx, opsTenant, complaint.AnalyticsOptions{})
	require.NoError(t, err)
	require.Equal(t, e.clock.Now(), rep.At, "At defaults to the service clock")
	require.Equal(t, complaint.Compliance{Met: 1, Breached: 1, Rate: 0.5}, rep.Total.SLA[complaint.TargetAcknowledge])
}
