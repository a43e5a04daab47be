package complaint_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// The analytics fixture: six complaints received from Monday 2026-03-02
// 09:00 UTC, built from records so that every figure can be set by hand.
var (
	anBase  = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	anAt    = time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)
	anCustA = crm.MustParseID("01890000-0000-7000-8000-0000000000a1")
	anCustB = crm.MustParseID("01890000-0000-7000-8000-0000000000b1")
	anCustC = crm.MustParseID("01890000-0000-7000-8000-0000000000c1")
	anFacts = map[crm.ID]complaint.CustomerFacts{
		anCustA: {Class: "stable"},
		anCustB: {Class: "not_yet_stable"},
		// anCustC has no facts: class "".
	}
)

func anID(n int) crm.ID { return crm.MustParseID(fmt.Sprintf("01890000-0000-7000-8000-%012d", n)) }

func anHours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

// anRecord returns a received complaint's record with the given basics.
func anRecord(n int, cust crm.ID, recv time.Time) complaint.Record {
	return complaint.Record{
		ID: anID(n), Tenant: "acme", Customer: cust, Channel: customer.Web, Category: "leak",
		Severity: complaint.Medium, Priority: complaint.P3, Description: "d", Owner: "li",
		Status: complaint.Received, ReopenWindow: complaint.DefaultReopenWindow, ReceivedAt: recv,
	}
}

func anFromRecord(tb testing.TB, r complaint.Record) *complaint.Complaint {
	tb.Helper()
	c, err := complaint.FromRecord(r)
	require.NoError(tb, err)
	return c
}

func anResolution(rootCause string) *complaint.Resolution {
	return &complaint.Resolution{Remedy: complaint.Repair, Summary: "s", RootCause: complaint.RootCause{Category: rootCause}}
}

// anFixture returns the six complaints; the comments give each one's
// clocks in wall time, waiting excluded.
func anFixture(tb testing.TB) []*complaint.Complaint {
	tb.Helper()
	yes, no := true, false
	var rs []complaint.Record

	// c1: closed; ack 1h, first response 4h−1h pause = 3h, resolve 10h−1h = 9h.
	r := anRecord(1, anCustA, anBase)
	r.Channel, r.Severity, r.Owner = customer.Web, complaint.High, "li"
	r.Asset = complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B1"}, {Kind: "unit", ID: "U1"}}
	r.Status, r.HandOvers, r.Accepted = complaint.Closed, 1, &yes
	r.Resolution, r.Survey = anResolution("installation"), &complaint.Survey{CSAT: 5}
	r.Pauses = []calendar.Interval{{Start: anBase.Add(2 * time.Hour), End: anBase.Add(3 * time.Hour)}}
	r.AcknowledgedAt, r.FirstResponseAt = anBase.Add(time.Hour), anBase.Add(4*time.Hour)
	r.ResolvedAt, r.ClosedAt = anBase.Add(10*time.Hour), anBase.Add(12*time.Hour)
	rs = append(rs, r)

	// c2: resolved again after a reopening; ack 2h, first response 6h, resolve 20h.
	recv := anBase.Add(24 * time.Hour)
	r = anRecord(2, anCustA, recv)
	r.Channel, r.Severity, r.Owner = customer.PhoneCall, complaint.Medium, "wang"
	r.Asset = complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B2"}}
	r.Status, r.HandOvers, r.EscalationLevel, r.Reopens, r.Accepted = complaint.Resolved, 2, 1, 1, &no
	r.Resolution = anResolution("installation")
	r.AcknowledgedAt, r.FirstResponseAt, r.ResolvedAt = recv.Add(2*time.Hour), recv.Add(6*time.Hour), recv.Add(20*time.Hour)
	rs = append(rs, r)

	// c3: rejected; ack 30m.
	recv = anBase.Add(48 * time.Hour)
	r = anRecord(3, anCustB, recv)
	r.Category, r.Channel, r.Severity, r.Owner = "billing", customer.Web, complaint.Low, "li"
	r.Status, r.Accepted = complaint.Rejected, &yes
	r.AcknowledgedAt, r.RejectedAt = recv.Add(30*time.Minute), recv.Add(time.Hour)
	rs = append(rs, r)

	// c4: waiting on the customer since 5h; ack 3h.
	recv = anBase.Add(72 * time.Hour)
	r = anRecord(4, anCustC, recv)
	r.Category, r.Channel, r.Severity, r.Owner = "billing", customer.EmailChannel, complaint.High, "zhao"
	r.Asset = complaint.Asset{{Kind: "project", ID: "P2"}}
	r.Status, r.WaitingFrom, r.EscalationLevel = complaint.WaitingOnCustomer, complaint.Investigating, 2
	r.Resolution = anResolution("billing_error")
	r.AcknowledgedAt = recv.Add(3 * time.Hour)
	r.Pauses = []calendar.Interval{{Start: recv.Add(5 * time.Hour)}}
	rs = append(rs, r)

	// c5: closed; ack 1h, first response 2h (the pause comes later),
	// resolve 4h−30m = 3h30m.
	recv = anBase.Add(96 * time.Hour)
	r = anRecord(5, anCustB, recv)
	r.Category, r.Channel, r.Severity, r.Owner = "leak", customer.CallCentre, complaint.Medium, "wang"
	r.Asset = complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B1"}, {Kind: "unit", ID: "U2"}}
	r.Status, r.Resolution, r.Survey = complaint.Closed, anResolution("design"), &complaint.Survey{CSAT: 3}
	r.Pauses = []calendar.Interval{{Start: recv.Add(3 * time.Hour), End: recv.Add(210 * time.Minute)}}
	r.AcknowledgedAt, r.FirstResponseAt = recv.Add(time.Hour), recv.Add(2*time.Hour)
	r.ResolvedAt, r.ClosedAt = recv.Add(4*time.Hour), recv.Add(5*time.Hour)
	rs = append(rs, r)

	// c6: reopened (open), received on 31 March 20:00 UTC, which is already
	// 1 April in Shanghai; ack 1h, first response 2h.
	recv = time.Date(2026, 3, 31, 20, 0, 0, 0, time.UTC)
	r = anRecord(6, anCustA, recv)
	r.Category, r.Channel, r.Severity, r.Owner = "noise", customer.PhoneCall, complaint.Critical, "li"
	r.Status, r.Reopens, r.Resolution = complaint.Reopened, 1, anResolution("design")
	r.AcknowledgedAt, r.FirstResponseAt = recv.Add(time.Hour), recv.Add(2*time.Hour)
	rs = append(rs, r)

	out := make([]*complaint.Complaint, len(rs))
	for i, r := range rs {
		out[i] = anFromRecord(tb, r)
	}
	return out
}

// anTotal is the hand-computed total of the fixture without policies.
func anTotal() complaint.Stats {
	return complaint.Stats{
		Count: 6, Open: 2, Resolved: 1, Closed: 2, Rejected: 1,
		// 30m 1h 1h 1h 2h 3h: median rank 3, p90 rank 6, mean 8.5h/6.
		Acknowledge: complaint.Durations{N: 6, Median: time.Hour, P90: 3 * time.Hour, Mean: 85 * time.Minute},
		// 2h 2h 3h 6h: median rank 2, p90 rank 4, mean 13h/4.
		FirstResponse: complaint.Durations{N: 4, Median: 2 * time.Hour, P90: 6 * time.Hour, Mean: anHours(3.25)},
		// 3h30m 9h 20h: median rank 2, p90 rank 3, mean 32.5h/3.
		Resolve:  complaint.Durations{N: 3, Median: 9 * time.Hour, P90: 20 * time.Hour, Mean: 650 * time.Minute},
		Reopened: 2, ReopenRate: 0.4, // c2, c6 over c1 c2 c3 c5 c6
		HandOvers: 3, HandOversPerComplaint: 0.5,
		Escalated: 2,
		CSAT:      complaint.CSAT{N: 2, Mean: 4, Scores: [5]int{0, 0, 1, 0, 1}, SatisfiedRate: 0.5},
		RootCauses: []complaint.RootCauseCount{
			{Category: "design", Count: 2}, {Category: "installation", Count: 2}, {Category: "billing_error", Count: 1},
		},
		RepeatComplainers: []complaint.RepeatComplainer{{Customer: anCustA, Count: 3}, {Customer: anCustB, Count: 2}},
		Accepted:          2, NotAccepted: 1,
	}
}

func TestAnalyzeTotals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*complaint.AnalyticsOptions)
		want   func(*complaint.Stats)
	}{
		{"defaults", func(*complaint.AnalyticsOptions) {}, func(*complaint.Stats) {}},
		{"top two root causes, every customer a repeat complainer", func(o *complaint.AnalyticsOptions) {
			o.TopRootCauses, o.RepeatMin = 2, 1
		}, func(s *complaint.Stats) {
			s.RootCauses = s.RootCauses[:2]
			s.RepeatComplainers = append(s.RepeatComplainers, complaint.RepeatComplainer{Customer: anCustC, Count: 1})
		}},
		{"repeat threshold three", func(o *complaint.AnalyticsOptions) { o.RepeatMin = 3 }, func(s *complaint.Stats) {
			s.RepeatComplainers = s.RepeatComplainers[:1]
		}},
		{"clocks stopping after At are running", func(o *complaint.AnalyticsOptions) {
			o.At = anBase.Add(24*time.Hour + time.Hour) // c2 received, not yet acknowledged
		}, func(s *complaint.Stats) {
			s.Acknowledge = complaint.Durations{N: 1, Median: time.Hour, P90: time.Hour, Mean: time.Hour}
			s.FirstResponse = complaint.Durations{N: 1, Median: 3 * time.Hour, P90: 3 * time.Hour, Mean: 3 * time.Hour}
			s.Resolve = complaint.Durations{N: 1, Median: 9 * time.Hour, P90: 9 * time.Hour, Mean: 9 * time.Hour}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := complaint.AnalyticsOptions{At: anAt, Facts: anFacts}
			tt.modify(&opts)
			got, err := complaint.Analyze(anFixture(t), opts)
			require.NoError(t, err)
			want := anTotal()
			tt.want(&want)
			require.Equal(t, want, got.Total)
			require.Nil(t, got.Slices)
			require.Equal(t, opts.At, got.At)
			require.Equal(t, complaint.ByNone, got.By)
			anRequireFinite(t, got)
		})
	}
}

func TestAnalyzeDimensions(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	tests := []struct {
		name   string
		by     complaint.Dimension
		level  int
		loc    *time.Location
		counts map[string]int
	}{
		{"category", complaint.ByCategory, 0, nil, map[string]int{"billing": 2, "leak": 3, "noise": 1}},
		{"asset full path", complaint.ByAsset, 0, nil, map[string]int{
			"": 2, "project:P1/building:B1/unit:U1": 1, "project:P1/building:B1/unit:U2": 1,
			"project:P1/building:B2": 1, "project:P2": 1,
		}},
		{"asset one level", complaint.ByAsset, 1, nil, map[string]int{"": 2, "project:P1": 3, "project:P2": 1}},
		{"asset two levels", complaint.ByAsset, 2, nil, map[string]int{
			"": 2, "project:P1/building:B1": 2, "project:P1/building:B2": 1, "project:P2": 1,
		}},
		{"owner", complaint.ByOwner, 0, nil, map[string]int{"li": 3, "wang": 2, "zhao": 1}},
		{"channel", complaint.ByChannel, 0, nil, map[string]int{"call_centre": 1, "email": 1, "phone": 2, "web": 2}},
		{"customer class", complaint.ByCustomerClass, 0, nil, map[string]int{"": 1, "not_yet_stable": 2, "stable": 3}},
		{"severity", complaint.BySeverity, 0, nil, map[string]int{"critical": 1, "high": 2, "low": 1, "medium": 2}},
		{"month in UTC", complaint.ByMonth, 0, nil, map[string]int{"2026-03": 6}},
		{"month in Shanghai", complaint.ByMonth, 0, shanghai, map[string]int{"2026-03": 5, "2026-04": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := complaint.Analyze(anFixture(t), complaint.AnalyticsOptions{
				At: anAt, By: tt.by, AssetLevel: tt.level, Location: tt.loc, Facts: anFacts,
			})
			require.NoError(t, err)
			require.Equal(t, tt.by, got.By)
			require.Equal(t, anTotal(), got.Total, "slicing does not change the total")
			counts := make(map[string]int)
			var keys []string
			for _, s := range got.Slices {
				counts[s.Key] = s.Stats.Count
				keys = append(keys, s.Key)
			}
			require.Equal(t, tt.counts, counts)
			require.True(t, slices.IsSorted(keys), "slices sorted by key: %q", keys)
			anRequireFinite(t, got)
		})
	}
}

// TestAnalyzeSliceStats checks every statistic of one slice: the leak
// category (c1, c2, c5).
func TestAnalyzeSliceStats(t *testing.T) {
	t.Parallel()
	got, err := complaint.Analyze(anFixture(t), complaint.AnalyticsOptions{At: anAt, By: complaint.ByCategory})
	require.NoError(t, err)
	require.Len(t, got.Slices, 3)
	leak := got.Slices[1]
	require.Equal(t, "leak", leak.Key)
	require.Equal(t, complaint.Stats{
		Count: 3, Resolved: 1, Closed: 2,
		// 1h 1h 2h / 2h 3h 6h / 3h30m 9h 20h.
		Acknowledge:   complaint.Durations{N: 3, Median: time.Hour, P90: 2 * time.Hour, Mean: 80 * time.Minute},
		FirstResponse: complaint.Durations{N: 3, Median: 3 * time.Hour, P90: 6 * time.Hour, Mean: 220 * time.Minute},
		Resolve:       complaint.Durations{N: 3, Median: 9 * time.Hour, P90: 20 * time.Hour, Mean: 650 * time.Minute},
		Reopened:      1, ReopenRate: 1.0 / 3,
		HandOvers: 3, HandOversPerComplaint: 1,
		Escalated: 1,
		CSAT:      complaint.CSAT{N: 2, Mean: 4, Scores: [5]int{0, 0, 1, 0, 1}, SatisfiedRate: 0.5},
		RootCauses: []complaint.RootCauseCount{
			{Category: "installation", Count: 2}, {Category: "design", Count: 1},
		},
		RepeatComplainers: []complaint.RepeatComplainer{{Customer: anCustA, Count: 2}},
		Accepted:          1, NotAccepted: 1,
	}, leak.Stats)

	billing := got.Slices[0]
	require.Equal(t, "billing", billing.Key)
	require.Equal(t, complaint.Stats{
		Count: 2, Open: 1, Rejected: 1,
		Acknowledge: complaint.Durations{N: 2, Median: 30 * time.Minute, P90: 3 * time.Hour, Mean: 105 * time.Minute},
		Escalated:   1,
		RootCauses:  []complaint.RootCauseCount{{Category: "billing_error", Count: 1}},
		Accepted:    1,
	}, billing.Stats)
}

func TestAnalyzePeriod(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		name     string
		from, to time.Time
		ids      []int // complaints counted
	}{
		{"unbounded", time.Time{}, time.Time{}, []int{1, 2, 3, 4, 5, 6}},
		{"from is inclusive, to exclusive", anBase.Add(day), anBase.Add(4 * day), []int{2, 3, 4}},
		{"from only", anBase.Add(day + time.Nanosecond), time.Time{}, []int{3, 4, 5, 6}},
		{"to only", time.Time{}, anBase.Add(day), []int{1}},
		{"nothing in the period", anBase.Add(-day), anBase, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := complaint.Analyze(anFixture(t), complaint.AnalyticsOptions{
				From: tt.from, To: tt.to, At: anAt, By: complaint.ByOwner, RepeatMin: 1,
			})
			require.NoError(t, err)
			require.Equal(t, tt.from, got.From)
			require.Equal(t, tt.to, got.To)
			require.Equal(t, len(tt.ids), got.Total.Count)
			var n int
			for _, s := range got.Slices {
				n += s.Stats.Count
			}
			require.Equal(t, len(tt.ids), n)
			// The repeat complainers with RepeatMin 1 list every customer
			// counted, so they tell which complaints were.
			want := make(map[crm.ID]int)
			for _, id := range tt.ids {
				want[map[int]crm.ID{1: anCustA, 2: anCustA, 3: anCustB, 4: anCustC, 5: anCustB, 6: anCustA}[id]]++
			}
			gotCust := make(map[crm.ID]int)
			for _, r := range got.Total.RepeatComplainers {
				gotCust[r.Customer] = r.Count
			}
			require.Equal(t, want, gotCust)
		})
	}
}

// anCalendar returns a calendar of 09:00–18:00 on the given weekdays in
// Asia/Shanghai.
func anCalendar(tb testing.TB, name string, days ...string) *calendar.Calendar {
	tb.Helper()
	week := make(map[string][]string)
	for _, d := range days {
		week[d] = []string{"09:00-18:00"}
	}
	b, err := json.Marshal(map[string]any{"name": name, "time_zone": "Asia/Shanghai", "week": week})
	require.NoError(tb, err)
	var cfg calendar.Config
	require.NoError(tb, json.Unmarshal(b, &cfg))
	cal, err := calendar.New(cfg)
	require.NoError(tb, err)
	return cal
}

func anCalendars(tb testing.TB) map[string]*calendar.Calendar {
	tb.Helper()
	return map[string]*calendar.Calendar{
		"weekdays": anCalendar(tb, "weekdays", "monday", "tuesday", "wednesday", "thursday", "friday"),
		"everyday": anCalendar(tb, "everyday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
	}
}

func anPolicy(name, cal string) complaint.Policy {
	return complaint.Policy{Name: name, Calendar: cal, Targets: complaint.Targets{
		Acknowledge:   calendar.Thresholds{Target: 2 * time.Hour},
		FirstResponse: calendar.Thresholds{Target: 8 * time.Hour},
		NextUpdate:    calendar.Thresholds{Target: 4 * time.Hour},
		Resolution:    calendar.Thresholds{Target: 16 * time.Hour},
	}}
}

// anPolicies covers key accounts on the every-day calendar and the rest on
// the weekday calendar.
func anPolicies() *complaint.PolicySet {
	yes := true
	key := anPolicy("key", "everyday")
	key.Match.KeyAccount = &yes
	return &complaint.PolicySet{Policies: []complaint.Policy{key}, Default: anPolicy("standard", "weekdays")}
}

func anCST(tb testing.TB, day, hour int) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(tb, err)
	return time.Date(2026, 3, day, hour, 0, 0, 0, loc) // 2026-03-06 is a Friday
}

// anStory is a complaint built through its methods: received Friday 16:00
// (Shanghai), acknowledged 16:30, waiting on the customer from Monday
// 10:00 to Tuesday 10:00, a response proposed Tuesday 16:00. The weekend
// lies between receipt and response.
func anStory(tb testing.TB, id int, cust crm.ID) *complaint.Complaint {
	tb.Helper()
	ch := func(t time.Time) complaint.Change { return complaint.Change{Actor: "li", At: t, Reason: "r"} }
	in := validInput()
	in.ID, in.Customer = anID(id), cust
	c, err := complaint.New(in, ch(anCST(tb, 6, 16)))
	require.NoError(tb, err)
	for _, s := range []struct {
		to complaint.Status
		at time.Time
	}{
		{complaint.Acknowledged, anCST(tb, 6, 16).Add(30 * time.Minute)},
		{complaint.Assessed, anCST(tb, 6, 17)},
		{complaint.Investigating, anCST(tb, 6, 17)},
		{complaint.WaitingOnCustomer, anCST(tb, 9, 10)},
		{complaint.Investigating, anCST(tb, 10, 10)},
		{complaint.ResponseProposed, anCST(tb, 10, 16)},
	} {
		require.NoError(tb, c.Transition(s.to, ch(s.at)), "to %s", s.to)
	}
	return c
}

func TestAnalyzeBusinessTime(t *testing.T) {
	t.Parallel()
	cals := anCalendars(t)
	tests := []struct {
		name     string
		policies *complaint.PolicySet
		facts    map[crm.ID]complaint.CustomerFacts
		ack, fr  time.Duration
	}{
		// Fri 16:00 to Tue 16:00 is 96h, less the 24h wait.
		{"wall time without policies", nil, nil, 30 * time.Minute, 72 * time.Hour},
		// Fri 16–18 (2h), Mon 9–10 (1h), Tue 10–16 (6h): the weekend and the
		// wait do not count.
		{"weekday calendar", anPolicies(), nil, 30 * time.Minute, 9 * time.Hour},
		{"customer without facts gets the default", anPolicies(),
			map[crm.ID]complaint.CustomerFacts{anCustB: {KeyAccount: true}}, 30 * time.Minute, 9 * time.Hour},
		// Key account: Fri 2h, Sat 9h, Sun 9h, Mon 1h, Tue 6h.
		{"key account on the every-day calendar", anPolicies(),
			map[crm.ID]complaint.CustomerFacts{anCustA: {KeyAccount: true}}, 30 * time.Minute, 27 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := complaint.Analyze([]*complaint.Complaint{anStory(t, 1, anCustA)}, complaint.AnalyticsOptions{
				At: anCST(t, 10, 16), Policies: tt.policies, Calendars: cals, Facts: tt.facts,
			})
			require.NoError(t, err)
			require.Equal(t, complaint.Durations{N: 1, Median: tt.ack, P90: tt.ack, Mean: tt.ack}, got.Total.Acknowledge)
			require.Equal(t, complaint.Durations{N: 1, Median: tt.fr, P90: tt.fr, Mean: tt.fr}, got.Total.FirstResponse)
			require.Equal(t, complaint.Durations{}, got.Total.Resolve)
			if tt.policies == nil {
				require.Nil(t, got.Total.SLA)
			}
		})
	}
}

func TestAnalyzeSLA(t *testing.T) {
	t.Parallel()
	cals := anCalendars(t)
	ch := func(t time.Time) complaint.Change { return complaint.Change{Actor: "li", At: t, Reason: "r"} }
	story := anStory(t, 1, anCustA)
	// Received Monday 09:00, never acknowledged: by Tuesday 16:00 16h of
	// working time have passed.
	in := validInput()
	in.ID, in.Customer, in.Category = anID(2), anCustB, "billing"
	late, err := complaint.New(in, ch(anCST(t, 9, 9)))
	require.NoError(t, err)

	only := func(target complaint.SLATarget) *complaint.PolicySet {
		p := anPolicy("standard", "weekdays")
		p.Targets = complaint.Targets{}
		switch target {
		case complaint.TargetAcknowledge:
			p.Targets.Acknowledge = calendar.Thresholds{Target: time.Hour}
		case complaint.TargetResolution:
			p.Targets.Resolution = calendar.Thresholds{Target: time.Hour}
		}
		return &complaint.PolicySet{Default: p}
	}
	tests := []struct {
		name     string
		policies *complaint.PolicySet
		want     map[complaint.SLATarget]complaint.Compliance
		byCat    map[string]map[complaint.SLATarget]complaint.Compliance
	}{
		{"every target", anPolicies(), map[complaint.SLATarget]complaint.Compliance{
			// story acknowledged after 30m (met); late running at 16h (breached).
			complaint.TargetAcknowledge: {Met: 1, Breached: 1, Rate: 0.5},
			// story answered after 9h (missed); late running at 16h.
			complaint.TargetFirstResponse: {Breached: 2},
			// story's update clock just started; late has no update: untracked.
			complaint.TargetNextUpdate: {Pending: 1},
			// story at 9h of 16h; late reached 16h exactly: breached.
			complaint.TargetResolution: {Breached: 1, Pending: 1},
		}, map[string]map[complaint.SLATarget]complaint.Compliance{
			"billing": {
				complaint.TargetAcknowledge: {Breached: 1}, complaint.TargetFirstResponse: {Breached: 1},
				complaint.TargetNextUpdate: {}, complaint.TargetResolution: {Breached: 1},
			},
			"window": {
				complaint.TargetAcknowledge: {Met: 1, Rate: 1}, complaint.TargetFirstResponse: {Breached: 1},
				complaint.TargetNextUpdate: {Pending: 1}, complaint.TargetResolution: {Pending: 1},
			},
		}},
		{"only the targets the policies track", only(complaint.TargetAcknowledge), map[complaint.SLATarget]complaint.Compliance{
			complaint.TargetAcknowledge: {Met: 1, Breached: 1, Rate: 0.5},
		}, nil},
		{"resolution only", only(complaint.TargetResolution), map[complaint.SLATarget]complaint.Compliance{
			complaint.TargetResolution: {Breached: 2},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := complaint.Analyze([]*complaint.Complaint{story, late}, complaint.AnalyticsOptions{
				At: anCST(t, 10, 16), Policies: tt.policies, Calendars: cals, By: complaint.ByCategory,
			})
			require.NoError(t, err)
			require.Equal(t, tt.want, got.Total.SLA)
			for _, s := range got.Slices {
				if tt.byCat != nil {
					require.Equal(t, tt.byCat[s.Key], s.Stats.SLA, s.Key)
				}
				require.Len(t, s.Stats.SLA, len(tt.want), "every slice lists the tracked targets")
			}
		})
	}
}

// anRequireFinite fails when any float64 in v is NaN or infinite.
func anRequireFinite(tb testing.TB, v any) {
	tb.Helper()
	var walk func(path string, x reflect.Value)
	walk = func(path string, x reflect.Value) {
		switch x.Kind() {
		case reflect.Float64:
			f := x.Float()
			require.False(tb, math.IsNaN(f) || math.IsInf(f, 0), "%s is %v", path, f)
		case reflect.Struct:
			for i := range x.NumField() {
				if x.Type().Field(i).IsExported() {
					walk(path+"."+x.Type().Field(i).Name, x.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range x.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), x.Index(i))
			}
		case reflect.Map:
			for _, k := range x.MapKeys() {
				walk(fmt.Sprintf("%s[%v]", path, k), x.MapIndex(k))
			}
		}
	}
	walk("report", reflect.ValueOf(v))
}

func TestAnalyzeEmpty(t *testing.T) {
	t.Parallel()
	cals := anCalendars(t)
	tests := []struct {
		name string
		opts complaint.AnalyticsOptions
		sla  map[complaint.SLATarget]complaint.Compliance
	}{
		{"totals only", complaint.AnalyticsOptions{At: anAt}, nil},
		{"by month with policies", complaint.AnalyticsOptions{At: anAt, By: complaint.ByMonth, Policies: anPolicies(), Calendars: cals},
			map[complaint.SLATarget]complaint.Compliance{
				complaint.TargetAcknowledge: {}, complaint.TargetFirstResponse: {},
				complaint.TargetNextUpdate: {}, complaint.TargetResolution: {},
			}},
		{"all outside the period", complaint.AnalyticsOptions{At: anAt, By: complaint.ByCategory, To: anBase}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var input []*complaint.Complaint
			if !tt.opts.To.IsZero() {
				input = anFixture(t)
			}
			got, err := complaint.Analyze(input, tt.opts)
			require.NoError(t, err)
			require.Equal(t, complaint.Report{
				From: tt.opts.From, To: tt.opts.To, At: anAt, By: tt.opts.By, Total: complaint.Stats{SLA: tt.sla},
			}, got)
			anRequireFinite(t, got)
		})
	}
}

func TestAnalyzerReportIsDeterministic(t *testing.T) {
	t.Parallel()
	cs := anFixture(t)
	opts := complaint.AnalyticsOptions{At: anAt, By: complaint.ByChannel, Facts: anFacts, RepeatMin: 1}
	a, err := complaint.NewAnalyzer(opts)
	require.NoError(t, err)
	for _, c := range cs {
		require.NoError(t, a.Add(c))
	}
	first := a.Report()
	require.Equal(t, first, a.Report(), "a second report is the same")

	reversed := slices.Clone(cs)
	slices.Reverse(reversed)
	got, err := complaint.Analyze(reversed, opts)
	require.NoError(t, err)
	require.Equal(t, first, got, "the order of the input does not matter")

	// Reports go on as more complaints are added.
	extra := anRecord(7, anCustC, anBase)
	require.NoError(t, a.Add(anFromRecord(t, extra)))
	require.Equal(t, 7, a.Report().Total.Count)
}

func TestAnalyzerAddRefusals(t *testing.T) {
	t.Parallel()
	cals := anCalendars(t)
	// A record whose acknowledgement precedes its receipt: the calendar
	// refuses its clock.
	bad := anRecord(1, anCustA, anBase)
	bad.AcknowledgedAt = anBase.Add(-time.Hour)
	tests := []struct {
		name string
		c    func(testing.TB) *complaint.Complaint
		opts complaint.AnalyticsOptions
	}{
		{"nil complaint", func(testing.TB) *complaint.Complaint { return nil }, complaint.AnalyticsOptions{At: anAt}},
		{"clock the calendar refuses", func(tb testing.TB) *complaint.Complaint { return anFromRecord(tb, bad) },
			complaint.AnalyticsOptions{At: anAt, Policies: anPolicies(), Calendars: cals, By: complaint.ByCategory}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := complaint.NewAnalyzer(tt.opts)
			require.NoError(t, err)
			err = a.Add(tt.c(t))
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Equal(t, 0, a.Report().Total.Count, "a refused complaint is not counted")
			require.Nil(t, a.Report().Slices)

			_, err = complaint.Analyze([]*complaint.Complaint{tt.c(t)}, tt.opts)
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
}

func TestNewAnalyzerRefusals(t *testing.T) {
	t.Parallel()
	cals := anCalendars(t)
	tests := []struct {
		name   string
		modify func(*complaint.AnalyticsOptions)
		path   string
	}{
		{"unknown dimension", func(o *complaint.AnalyticsOptions) { o.By = "colour" }, "by"},
		{"zero At", func(o *complaint.AnalyticsOptions) { o.At = time.Time{} }, "at"},
		{"From equals To", func(o *complaint.AnalyticsOptions) { o.From, o.To = anBase, anBase }, "from"},
		{"From after To", func(o *complaint.AnalyticsOptions) { o.From, o.To = anAt, anBase }, "from"},
		{"negative asset level", func(o *complaint.AnalyticsOptions) { o.AssetLevel = -1 }, "asset_level"},
		{"negative top root causes", func(o *complaint.AnalyticsOptions) { o.TopRootCauses = -1 }, "top_root_causes"},
		{"negative repeat minimum", func(o *complaint.AnalyticsOptions) { o.RepeatMin = -2 }, "repeat_min"},
		{"policies without calendars", func(o *complaint.AnalyticsOptions) {
			o.Policies, o.Calendars = anPolicies(), nil
		}, "policies.default.calendar"},
		{"a policy's calendar missing", func(o *complaint.AnalyticsOptions) {
			o.Policies, o.Calendars = anPolicies(), map[string]*calendar.Calendar{"weekdays": cals["weekdays"]}
		}, "policies.policies[0].calendar"},
		{"a nil calendar", func(o *complaint.AnalyticsOptions) {
			o.Policies, o.Calendars = anPolicies(), map[string]*calendar.Calendar{"weekdays": cals["weekdays"], "everyday": nil}
		}, "policies.policies[0].calendar"},
		{"invalid policy set", func(o *complaint.AnalyticsOptions) {
			o.Policies, o.Calendars = &complaint.PolicySet{Default: complaint.Policy{Name: "x", Calendar: "weekdays"}}, cals
		}, "policies.default.targets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := complaint.AnalyticsOptions{At: anAt}
			tt.modify(&opts)
			a, err := complaint.NewAnalyzer(opts)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Nil(t, a)
			var ve *crm.ValidationError
			require.True(t, errors.As(err, &ve))
			require.True(t, ve.Has(tt.path), "path %q in %v", tt.path, err)

			_, err = complaint.Analyze(nil, opts)
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
}
