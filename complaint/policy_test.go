package complaint_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// slaShanghai is Mon–Fri 09:00–18:00 in Asia/Shanghai, no holidays.
func slaShanghai(tb testing.TB) *calendar.Calendar {
	tb.Helper()
	const cfg = `{"name": "desk", "time_zone": "Asia/Shanghai", "week": {
	  "monday": ["09:00-18:00"], "tuesday": ["09:00-18:00"], "wednesday": ["09:00-18:00"],
	  "thursday": ["09:00-18:00"], "friday": ["09:00-18:00"]}}`
	var c calendar.Config
	require.NoError(tb, json.Unmarshal([]byte(cfg), &c))
	cal, err := calendar.New(c)
	require.NoError(tb, err)
	return cal
}

var slaLoc = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// cst returns day d of March 2026 at h:m in Shanghai (2026-03-06 is a Friday).
func cst(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, slaLoc) }

func slaPolicy(name string) complaint.Policy {
	return complaint.Policy{Name: name, Calendar: "desk", Targets: complaint.Targets{
		Acknowledge:   calendar.Thresholds{Target: 2 * time.Hour, WarnAt: 0.5},
		FirstResponse: calendar.Thresholds{Target: 8 * time.Hour, WarnAt: 0.75},
		NextUpdate:    calendar.Thresholds{Target: 4 * time.Hour, WarnAt: 0.25},
		Resolution:    calendar.Thresholds{Target: 16 * time.Hour, WarnAt: 0.75},
	}}
}

func slaSet() *complaint.PolicySet {
	return &complaint.PolicySet{Default: slaPolicy("standard")}
}

// slaStory builds the complaint of the hand-computed scenario: received
// Friday 16:00, acknowledged 16:30, investigating 16:50, waiting on the
// customer from Monday 10:00 to Tuesday 10:00 (over the weekend pause
// nothing counts anyway), a response proposed Tuesday 16:00.
func slaStory(tb testing.TB) *complaint.Complaint {
	tb.Helper()
	ch := func(t time.Time) complaint.Change { return complaint.Change{Actor: "agent-li", At: t, Reason: "r"} }
	c, err := complaint.New(validInput(), ch(cst(6, 16, 0)))
	require.NoError(tb, err)
	for _, s := range []struct {
		to complaint.Status
		at time.Time
	}{
		{complaint.Acknowledged, cst(6, 16, 30)},
		{complaint.Assessed, cst(6, 16, 40)},
		{complaint.Investigating, cst(6, 16, 50)},
		{complaint.WaitingOnCustomer, cst(9, 10, 0)},
		{complaint.Investigating, cst(10, 10, 0)},
		{complaint.ResponseProposed, cst(10, 16, 0)},
	} {
		require.NoError(tb, c.Transition(s.to, ch(s.at)), "to %s", s.to)
	}
	complaint.ClearPendingForTest(c)
	return c
}

func slaCals(tb testing.TB) map[string]*calendar.Calendar {
	tb.Helper()
	return map[string]*calendar.Calendar{"desk": slaShanghai(tb)}
}

type wantTarget struct {
	tracked  bool
	state    calendar.State
	elapsed  time.Duration
	deadline time.Time // zero: unknown
	warnAt   time.Time
	paused   bool
}

func requireTarget(tb testing.TB, name string, want wantTarget, got complaint.TargetStatus) {
	tb.Helper()
	require.Equal(tb, want.tracked, got.Tracked, name)
	if !want.tracked {
		return
	}
	require.Equal(tb, want.state, got.State, name)
	require.Equal(tb, want.elapsed, got.Elapsed, name)
	require.Equal(tb, want.deadline.UTC(), got.Deadline.UTC(), name+" deadline")
	require.Equal(tb, want.warnAt.UTC(), got.WarnAt.UTC(), name+" warn at")
	require.Equal(tb, want.paused, got.Paused, name+" paused")
}

func TestSLAStatusHandComputed(t *testing.T) {
	t.Parallel()
	c := slaStory(t)
	cals := slaCals(t)
	// Working time: Fri 16:00–18:00 (2h), then Mon from 09:00. The wait
	// Mon 10:00–Tue 10:00 takes out Mon 10–18 and Tue 9–10.
	tests := []struct {
		name                     string
		at                       time.Time
		ack, first, next, resolv wantTarget
	}{
		{
			name: "Friday 16:20, nothing done yet as known then",
			at:   cst(6, 16, 20),
			ack:  wantTarget{true, calendar.StateOK, 20 * time.Minute, cst(6, 18, 0), cst(6, 17, 0), false},
			// 8h: Fri 2h + Mon 6h -> Mon 15:00 (the pause is not known yet).
			first: wantTarget{true, calendar.StateOK, 20 * time.Minute, cst(9, 15, 0), cst(9, 13, 0), false},
			next:  wantTarget{tracked: false},
			// 16h: Fri 2h + Mon 9h + Tue 5h -> Tue 14:00; 12h warning Tue 10:00.
			resolv: wantTarget{true, calendar.StateOK, 20 * time.Minute, cst(10, 14, 0), cst(10, 10, 0), false},
		},
		{
			name: "Monday 09:30, after the weekend",
			at:   cst(9, 9, 30),
			ack:  wantTarget{true, calendar.StateMet, 30 * time.Minute, cst(6, 18, 0), cst(6, 17, 0), false},
			// Fri 2h + Mon 0.5h.
			first: wantTarget{true, calendar.StateOK, 150 * time.Minute, cst(9, 15, 0), cst(9, 13, 0), false},
			// From the acknowledgement Fri 16:30: 1.5h + 0.5h; 1h warning at Fri 17:30.
			next:   wantTarget{true, calendar.StateWarning, 2 * time.Hour, cst(9, 11, 30), cst(6, 17, 30), false},
			resolv: wantTarget{true, calendar.StateOK, 150 * time.Minute, cst(10, 14, 0), cst(10, 10, 0), false},
		},
		{
			name: "Monday 15:00, waiting on the customer: deadlines unknown",
			at:   cst(9, 15, 0),
			ack:  wantTarget{true, calendar.StateMet, 30 * time.Minute, cst(6, 18, 0), cst(6, 17, 0), false},
			// 3h elapsed before the pause; the 6h warning is hidden too.
			first:  wantTarget{true, calendar.StateOK, 3 * time.Hour, time.Time{}, time.Time{}, true},
			next:   wantTarget{true, calendar.StateWarning, 150 * time.Minute, time.Time{}, cst(6, 17, 30), true},
			resolv: wantTarget{true, calendar.StateOK, 3 * time.Hour, time.Time{}, time.Time{}, true},
		},
		{
			name: "Tuesday 11:00, after the wait",
			at:   cst(10, 11, 0),
			ack:  wantTarget{true, calendar.StateMet, 30 * time.Minute, cst(6, 18, 0), cst(6, 17, 0), false},
			// 3h + 1h; remaining 4h from Tue 11:00 -> 15:00; warning 6h at 13:00.
			first: wantTarget{true, calendar.StateOK, 4 * time.Hour, cst(10, 15, 0), cst(10, 13, 0), false},
			// 2.5h + 1h; deadline Tue 11:30.
			next: wantTarget{true, calendar.StateWarning, 210 * time.Minute, cst(10, 11, 30), cst(6, 17, 30), false},
			// 4h; 12h warning: Tue 10–18 8h -> 11h, Wed 10:00; 16h Wed 14:00.
			resolv: wantTarget{true, calendar.StateOK, 4 * time.Hour, cst(11, 14, 0), cst(11, 10, 0), false},
		},
		{
			name: "Wednesday 12:00",
			at:   cst(11, 12, 0),
			ack:  wantTarget{true, calendar.StateMet, 30 * time.Minute, cst(6, 18, 0), cst(6, 17, 0), false},
			// Stopped Tue 16:00 after 3h + 6h.
			first: wantTarget{true, calendar.StateMissed, 9 * time.Hour, cst(10, 15, 0), cst(10, 13, 0), false},
			// Restarted at the response Tue 16:00: 2h + 3h.
			next:   wantTarget{true, calendar.StateBreached, 5 * time.Hour, cst(11, 11, 0), cst(10, 17, 0), false},
			resolv: wantTarget{true, calendar.StateWarning, 14 * time.Hour, cst(11, 14, 0), cst(11, 10, 0), false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := complaint.SLAStatus(c, slaSet(), cals, complaint.CustomerFacts{}, tt.at)
			require.NoError(t, err)
			require.Equal(t, "standard", s.Policy)
			require.Equal(t, "desk", s.Calendar)
			requireTarget(t, "ack", tt.ack, s.Acknowledge)
			requireTarget(t, "first", tt.first, s.FirstResponse)
			requireTarget(t, "next", tt.next, s.NextUpdate)
			requireTarget(t, "resolution", tt.resolv, s.Resolution)
			require.Equal(t, s.Resolution, s.Get(complaint.TargetResolution))
			require.Equal(t, complaint.TargetStatus{}, s.Get("bogus"))
		})
	}
}

func TestSLAStatusStopsAndUntracked(t *testing.T) {
	t.Parallel()
	cals := slaCals(t)
	t.Run("rejected stops the running clocks", func(t *testing.T) {
		t.Parallel()
		c, err := complaint.New(validInput(), complaint.Change{Actor: "a", At: cst(6, 16, 0)})
		require.NoError(t, err)
		require.NoError(t, c.Transition(complaint.Rejected, complaint.Change{Actor: "a", At: cst(6, 17, 0), Reason: "duplicate"}))
		s, err := complaint.SLAStatus(c, slaSet(), cals, complaint.CustomerFacts{}, cst(20, 9, 0))
		require.NoError(t, err)
		require.Equal(t, calendar.StateMet, s.Acknowledge.State)
		require.Equal(t, time.Hour, s.Resolution.Elapsed)
		require.Equal(t, calendar.StateMet, s.Resolution.State)
		require.False(t, s.NextUpdate.Tracked)
	})
	t.Run("a public repair entry restarts the next-update clock", func(t *testing.T) {
		t.Parallel()
		c := slaStory(t)
		require.NoError(t, c.AddRepairStep(complaint.StepScheduled, "visit booked", true, complaint.Change{Actor: "a", At: cst(11, 9, 0)}))
		require.NoError(t, c.AddRepairStep(complaint.StepOnSite, "internal note", false, complaint.Change{Actor: "a", At: cst(11, 10, 0)}))
		s, err := complaint.SLAStatus(c, slaSet(), cals, complaint.CustomerFacts{}, cst(11, 12, 0))
		require.NoError(t, err)
		require.Equal(t, 3*time.Hour, s.NextUpdate.Elapsed)
		require.Equal(t, cst(11, 13, 0).UTC(), s.NextUpdate.Deadline.UTC())
	})
	t.Run("untracked target", func(t *testing.T) {
		t.Parallel()
		set := slaSet()
		set.Default.Targets.NextUpdate = calendar.Thresholds{}
		s, err := complaint.SLAStatus(slaStory(t), set, cals, complaint.CustomerFacts{}, cst(11, 12, 0))
		require.NoError(t, err)
		require.False(t, s.NextUpdate.Tracked)
		require.True(t, s.Resolution.Tracked)
	})
}

func TestSLAStatusRefusals(t *testing.T) {
	t.Parallel()
	c := slaStory(t)
	tests := []struct {
		name string
		set  *complaint.PolicySet
		cals map[string]*calendar.Calendar
		at   time.Time
	}{
		{"missing calendar", slaSet(), map[string]*calendar.Calendar{}, cst(11, 12, 0)},
		{"nil calendars", slaSet(), nil, cst(11, 12, 0)},
		{"zero instant", slaSet(), slaCals(t), time.Time{}},
		{"bad thresholds", func() *complaint.PolicySet {
			s := slaSet()
			s.Default.Targets.Resolution.WarnAt = 2
			return s
		}(), slaCals(t), cst(11, 12, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := complaint.SLAStatus(c, tt.set, tt.cals, complaint.CustomerFacts{}, tt.at)
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
}

func TestPolicySetChoose(t *testing.T) {
	t.Parallel()
	yes := true
	mk := func(name string, m complaint.PolicyMatch) complaint.Policy {
		p := slaPolicy(name)
		p.Match = m
		return p
	}
	set := &complaint.PolicySet{
		Policies: []complaint.Policy{
			mk("key-critical", complaint.PolicyMatch{Severities: []complaint.Severity{complaint.Critical}, KeyAccount: &yes}),
			mk("leaks", complaint.PolicyMatch{Categories: []string{"leak"}}),
			mk("web", complaint.PolicyMatch{Channels: []customer.Channel{customer.Web}}),
			mk("stable", complaint.PolicyMatch{CustomerClasses: []string{"stable"}}),
			mk("critical", complaint.PolicyMatch{Severities: []complaint.Severity{complaint.Critical}}),
		},
		Default:    slaPolicy("standard"),
		Categories: leakTree,
	}
	require.NoError(t, set.Validate())
	mkC := func(category string, sev complaint.Severity, ch customer.Channel) *complaint.Complaint {
		in := validInput()
		in.Category, in.Severity, in.Channel = category, sev, ch
		c, err := complaint.New(in, chg(0))
		require.NoError(t, err)
		return c
	}
	tests := []struct {
		name  string
		c     *complaint.Complaint
		facts complaint.CustomerFacts
		want  string
	}{
		{"key account critical leak: first match wins", mkC("window", complaint.Critical, customer.Web), complaint.CustomerFacts{KeyAccount: true}, "key-critical"},
		{"category prefix: window is under leak", mkC("window", complaint.Critical, customer.Web), complaint.CustomerFacts{}, "leaks"},
		{"category itself", mkC("leak", complaint.Low, customer.Web), complaint.CustomerFacts{}, "leaks"},
		{"parent category does not match child policy", mkC("product_quality", complaint.Low, customer.Web), complaint.CustomerFacts{}, "web"},
		{"class", mkC("billing", complaint.Low, customer.CallCentre), complaint.CustomerFacts{Class: "stable"}, "stable"},
		{"severity", mkC("billing", complaint.Critical, customer.CallCentre), complaint.CustomerFacts{Class: "x"}, "critical"},
		{"default", mkC("billing", complaint.High, customer.CallCentre), complaint.CustomerFacts{}, "standard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, set.Choose(tt.c, tt.facts).Name)
		})
	}
	t.Run("without a tree only the code matches", func(t *testing.T) {
		t.Parallel()
		noTree := *set
		noTree.Categories = nil
		require.Equal(t, "web", noTree.Choose(mkC("window", complaint.Low, customer.Web), complaint.CustomerFacts{}).Name)
	})
}

func TestPolicySetValidate(t *testing.T) {
	t.Parallel()
	bad := complaint.Severity(99)
	tests := []struct {
		name  string
		edit  func(s *complaint.PolicySet)
		paths []string
	}{
		{"default name", func(s *complaint.PolicySet) { s.Default.Name = " " }, []string{"default.name"}},
		{"default calendar", func(s *complaint.PolicySet) { s.Default.Calendar = "" }, []string{"default.calendar"}},
		{"no targets", func(s *complaint.PolicySet) { s.Default.Targets = complaint.Targets{} }, []string{"default.targets"}},
		{"negative target", func(s *complaint.PolicySet) { s.Default.Targets.Acknowledge.Target = -time.Hour },
			[]string{"default.targets.acknowledge.target"}},
		{"warn only", func(s *complaint.PolicySet) { s.Default.Targets.Resolution = calendar.Thresholds{WarnAt: 0.5} },
			[]string{"default.targets.resolution.target"}},
		{"warn above 1", func(s *complaint.PolicySet) { s.Default.Targets.NextUpdate.WarnAt = 1.5 },
			[]string{"default.targets.next_update.warn_at"}},
		{"duplicate name", func(s *complaint.PolicySet) { s.Policies = append(s.Policies, slaPolicy("standard")) },
			[]string{"default.name"}},
		{"duplicate policy names", func(s *complaint.PolicySet) { s.Policies = append(s.Policies, slaPolicy("a"), slaPolicy("a")) },
			[]string{"policies[1].name"}},
		{"bad match", func(s *complaint.PolicySet) {
			p := slaPolicy("p")
			p.Match = complaint.PolicyMatch{Categories: []string{""}, Severities: []complaint.Severity{bad},
				Channels: []customer.Channel{0}, CustomerClasses: []string{" "}}
			s.Policies = append(s.Policies, p)
		}, []string{"policies[0].match.categories[0]", "policies[0].match.severities[0]", "policies[0].match.channels[0]",
			"policies[0].match.customer_classes[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := slaSet()
			tt.edit(s)
			err := s.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.True(t, errors.As(err, &ve))
			for _, p := range tt.paths {
				require.True(t, ve.Has(p), "want %s in %v", p, err)
			}
		})
	}
	require.NoError(t, slaSet().Validate())
	require.ErrorIs(t, complaint.Policy{}.Validate(), crm.ErrInvalid)
	require.NoError(t, slaPolicy("x").Validate())
}

func TestPolicySetJSON(t *testing.T) {
	t.Parallel()
	yes := true
	s := slaSet()
	p := slaPolicy("vip")
	p.Match = complaint.PolicyMatch{Categories: []string{"leak"}, Severities: []complaint.Severity{complaint.High},
		Channels: []customer.Channel{customer.Web}, CustomerClasses: []string{"stable"}, KeyAccount: &yes}
	s.Policies = []complaint.Policy{p}
	b, err := json.Marshal(s)
	require.NoError(t, err)
	require.Contains(t, string(b), `"severities":["high"]`)
	require.Contains(t, string(b), `"channels":["web"]`)
	var back complaint.PolicySet
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, *s, back)
	require.NoError(t, back.Validate())
}

// slaEventKey is what a test compares of an SLA event.
type slaEventKey struct {
	typ    string
	target complaint.SLATarget
	at     time.Time
}

func TestCheckSLAsOncePerCrossing(t *testing.T) {
	t.Parallel()
	c := slaStory(t)
	cals := slaCals(t)
	want := []slaEventKey{
		{complaint.EventSLAWarning, complaint.TargetNextUpdate, cst(6, 17, 30)},
		{complaint.EventSLABreached, complaint.TargetNextUpdate, cst(10, 11, 30)},
		{complaint.EventSLAWarning, complaint.TargetFirstResponse, cst(10, 13, 0)},
		{complaint.EventSLABreached, complaint.TargetFirstResponse, cst(10, 15, 0)},
		{complaint.EventSLAWarning, complaint.TargetNextUpdate, cst(10, 17, 0)},
		{complaint.EventSLAWarning, complaint.TargetResolution, cst(11, 10, 0)},
		{complaint.EventSLABreached, complaint.TargetNextUpdate, cst(11, 11, 0)},
		{complaint.EventSLABreached, complaint.TargetResolution, cst(11, 14, 0)},
	}
	for i := range want {
		want[i].at = want[i].at.UTC()
	}
	for _, step := range []time.Duration{7 * time.Minute, 37 * time.Minute, 5 * time.Hour, 200 * time.Hour} {
		t.Run(step.String(), func(t *testing.T) {
			t.Parallel()
			var got []slaEventKey
			for since := cst(6, 15, 0); since.Before(cst(12, 0, 0)); since = since.Add(step) {
				evs, err := complaint.CheckSLAs([]*complaint.Complaint{c}, slaSet(), cals, nil, since, since.Add(step))
				require.NoError(t, err)
				for _, e := range evs {
					a, ok := e.Data.(complaint.SLAAlert)
					require.True(t, ok)
					require.Equal(t, "standard", a.Policy)
					require.Equal(t, c.ID(), e.AggregateID)
					require.Equal(t, c.Tenant(), e.Tenant)
					if e.Type == complaint.EventSLABreached {
						require.Equal(t, a.Deadline, e.At)
					} else {
						require.Equal(t, a.WarnAt, e.At)
					}
					got = append(got, slaEventKey{e.Type, a.Target, e.At})
				}
			}
			require.Equal(t, want, got)
		})
	}
}

func TestCheckSLAsOrderAndErrors(t *testing.T) {
	t.Parallel()
	cals := slaCals(t)
	a, b := slaStory(t), slaStory(t)
	evs, err := complaint.CheckSLAs([]*complaint.Complaint{a, b}, slaSet(), cals, nil, cst(10, 12, 0), cst(10, 16, 0))
	require.NoError(t, err)
	require.Len(t, evs, 4)
	for i, e := range evs {
		require.Equal(t, []*complaint.Complaint{a, b}[i%2].ID(), e.AggregateID)
	}
	require.True(t, evs[0].At.Before(evs[2].At))

	evs, err = complaint.CheckSLAs([]*complaint.Complaint{a, nil}, slaSet(), map[string]*calendar.Calendar{}, nil, cst(10, 12, 0), cst(10, 16, 0))
	require.ErrorIs(t, err, crm.ErrInvalid)
	require.Empty(t, evs)

	evs, err = complaint.CheckSLAs([]*complaint.Complaint{a}, slaSet(), cals, nil, cst(10, 16, 0), cst(10, 12, 0))
	require.NoError(t, err)
	require.Empty(t, evs, "since after at")
}

// FuzzRulesJSON decodes arbitrary policy sets and ladders: no panic, and
// once decoded and encoded, the encoding is stable.
func FuzzRulesJSON(f *testing.F) {
	set, err := json.Marshal(slaSet())
	require.NoError(f, err)
	ladder, err := json.Marshal(testLadder())
	require.NoError(f, err)
	f.Add(set)
	f.Add(ladder)
	f.Add([]byte(`{"policies":[{"name":"a","match":{"severities":["high"],"key_account":false},"calendar":"c","targets":{"resolution":{"target":1,"warn_at":0.5}}}]}`))
	f.Add([]byte(`{"steps":[{"level":1,"role":"r"}],"triggers":[{"on":"repeat","min_repeat":2,"to_level":1}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := slaStory(t)
		var s complaint.PolicySet
		if json.Unmarshal(b, &s) == nil {
			roundTrip(t, &s, new(complaint.PolicySet))
			if s.Validate() == nil {
				_ = s.Choose(c, complaint.CustomerFacts{Class: "x"})
			}
		}
		var l complaint.Ladder
		if json.Unmarshal(b, &l) == nil {
			roundTrip(t, &l, new(complaint.Ladder))
			if l.Validate() == nil {
				level, _, _ := l.Due(c, complaint.SLA{}, complaint.EscalationFacts{RepeatCount: 2, Class: "x"})
				require.LessOrEqual(t, level, len(l.Steps))
			}
		}
	})
}

// roundTrip checks that v encodes, decodes into fresh and encodes again to
// the same bytes.
func roundTrip[T any](tb testing.TB, v, fresh *T) {
	tb.Helper()
	first, err := json.Marshal(v)
	require.NoError(tb, err)
	require.NoError(tb, json.Unmarshal(first, fresh))
	second, err := json.Marshal(fresh)
	require.NoError(tb, err)
	require.Equal(tb, string(first), string(second))
}
