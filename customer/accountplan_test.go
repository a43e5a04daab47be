package customer_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

var (
	apStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	apEnd   = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	apCNY   = crm.MustCurrency("CNY")
)

func apDay(d int) time.Time { return apStart.AddDate(0, 0, d) }

func apChange(d int) customer.Change {
	return customer.Change{Actor: "li.wei", At: apDay(d)}
}

func apInput() customer.AccountPlanInput {
	return customer.AccountPlanInput{
		ID:       crm.MustParseID("01900000-0000-7000-8000-0000000000a1"),
		Tenant:   "acme",
		Customer: crm.MustParseID("01900000-0000-7000-8000-0000000000c1"),
		Name:     "2026 H1 growth plan",
		Start:    apStart, End: apEnd,
		Team: []customer.TeamMember{
			{User: "li.wei", Role: customer.RoleAccountManager, Lead: true, Since: apStart},
			{User: "zhao.min", Role: customer.RoleEngineer, Since: apStart},
		},
		Goals: []customer.Goal{
			{Name: "revenue", Metric: customer.MetricRevenue, Target: decimal.NewFromInt(1000), Currency: apCNY, Due: apDay(120)},
			{Name: "visits", Metric: customer.MetricCount, Target: decimal.NewFromInt(9), Due: apDay(90)},
			{Name: "share of wallet", Metric: customer.MetricPercentage, Target: decimal.NewFromInt(40), Due: apDay(90)},
		},
	}
}

func apPlan(tb testing.TB) *customer.AccountPlan {
	tb.Helper()
	p, err := customer.NewAccountPlan(apInput(), apChange(0))
	require.NoError(tb, err)
	return p
}

func apInvalid(tb testing.TB, err error, path string) {
	tb.Helper()
	require.ErrorIs(tb, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.True(tb, errors.As(err, &ve), "%T %v", err, err)
	if path != "" {
		require.True(tb, ve.Has(path), "want %q in %v", path, ve.Fields)
	}
}

func TestNewAccountPlan(t *testing.T) {
	t.Parallel()
	p := apPlan(t)
	require.Equal(t, customer.PlanDraft, p.Status())
	lead, ok := p.Lead()
	require.True(t, ok)
	require.Equal(t, crm.UserID("li.wei"), lead.User)
	require.True(t, p.LeadMatches("li.wei"))
	require.False(t, p.LeadMatches("zhao.min"))
	require.Len(t, p.History(), 1)
	require.Equal(t, customer.PlanCreated, p.History()[0].Kind)
	ev := p.Events()
	require.Len(t, ev, 1)
	require.Equal(t, customer.EventPlanCreated, ev[0].Type)
	target, ok := p.Goals()[0].TargetMoney()
	require.True(t, ok)
	require.Equal(t, "1000", target.Amount().String())
	_, ok = p.Goals()[1].TargetMoney()
	require.False(t, ok)
}

func TestNewAccountPlanRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*customer.AccountPlanInput)
		path string
	}{
		{"zero id", func(in *customer.AccountPlanInput) { in.ID = crm.NilID }, "id"},
		{"no customer", func(in *customer.AccountPlanInput) { in.Customer = crm.NilID }, "customer"},
		{"no name", func(in *customer.AccountPlanInput) { in.Name = "  " }, "name"},
		{"huge name", func(in *customer.AccountPlanInput) { in.Name = strings.Repeat("计", customer.MaxNameLen+1) }, "name"},
		{"end before start", func(in *customer.AccountPlanInput) { in.End = in.Start.Add(-time.Hour) }, "end"},
		{"no lead", func(in *customer.AccountPlanInput) { in.Team[0].Lead = false }, "team"},
		{"two leads", func(in *customer.AccountPlanInput) {
			in.Team[1].Lead, in.Team[1].Role = true, customer.RoleAccountManager
		}, "team"},
		{"lead not an account manager", func(in *customer.AccountPlanInput) { in.Team[0].Role = customer.RoleFinance }, "team[0].role"},
		{"member twice", func(in *customer.AccountPlanInput) { in.Team[1].User = "li.wei" }, "team[1].user"},
		{"unknown role", func(in *customer.AccountPlanInput) { in.Team[1].Role = 99 }, "team[1].role"},
		{"bad user", func(in *customer.AccountPlanInput) { in.Team[1].User = "" }, "team[1].user"},
		{"revenue without currency", func(in *customer.AccountPlanInput) { in.Goals[0].Currency = crm.Currency{} }, "goals[0].currency"},
		{"count with currency", func(in *customer.AccountPlanInput) { in.Goals[1].Currency = apCNY }, "goals[1].currency"},
		{"fractional count", func(in *customer.AccountPlanInput) { in.Goals[1].Target = decimal.RequireFromString("2.5") }, "goals[1].target"},
		{"percentage above 100", func(in *customer.AccountPlanInput) { in.Goals[2].Target = decimal.NewFromInt(101) }, "goals[2].target"},
		{"zero target", func(in *customer.AccountPlanInput) { in.Goals[0].Target = decimal.Zero }, "goals[0].target"},
		{"huge target", func(in *customer.AccountPlanInput) { in.Goals[0].Target = decimal.New(1, 15) }, "goals[0].target"},
		{"huge exponent", func(in *customer.AccountPlanInput) { in.Goals[0].Target = decimal.New(1, 1_000_000) }, "goals[0].target"},
		{"tiny exponent", func(in *customer.AccountPlanInput) { in.Goals[0].Target = decimal.New(1, -1_000_000) }, "goals[0].target"},
		{"due after the end", func(in *customer.AccountPlanInput) { in.Goals[0].Due = apEnd.Add(time.Second) }, "goals[0].due"},
		{"due at the start", func(in *customer.AccountPlanInput) { in.Goals[0].Due = apStart }, "goals[0].due"},
		{"repeated goal", func(in *customer.AccountPlanInput) { in.Goals[1].Name = " revenue " }, "goals[1].name"},
		{"goal name with NUL", func(in *customer.AccountPlanInput) { in.Goals[1].Name = "a\x00b" }, "goals[1].name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := apInput()
			tc.edit(&in)
			p, err := customer.NewAccountPlan(in, apChange(0))
			require.Nil(t, p)
			apInvalid(t, err, tc.path)
		})
	}
	t.Run("no change actor", func(t *testing.T) {
		t.Parallel()
		_, err := customer.NewAccountPlan(apInput(), customer.Change{At: apStart})
		apInvalid(t, err, "")
	})
}

func TestAccountPlanStatus(t *testing.T) {
	t.Parallel()
	p := apPlan(t)
	require.NoError(t, p.SetStatus(customer.PlanActive, apChange(1)))
	var te *crm.TransitionError
	err := p.SetStatus(customer.PlanDraft, apChange(2))
	require.ErrorAs(t, err, &te)
	require.ErrorIs(t, err, crm.ErrInvalidTransition)
	require.Equal(t, customer.PlanActive, p.Status())
	require.NoError(t, p.SetStatus(customer.PlanClosed, apChange(3)))
	// A closed plan is read only.
	apInvalid(t, p.AddMember(customer.TeamMember{User: "wu", Role: customer.RoleService}, apChange(4)), "status")
	apInvalid(t, p.AddGoal(customer.Goal{Name: "x", Metric: customer.MetricCount, Target: decimal.NewFromInt(1), Due: apDay(10)}, apChange(4)), "status")

	empty := apInput()
	empty.Goals = nil
	d, err := customer.NewAccountPlan(empty, apChange(0))
	require.NoError(t, err)
	apInvalid(t, d.SetStatus(customer.PlanActive, apChange(1)), "goals")
	require.Equal(t, customer.PlanDraft, d.Status())
	kinds := []customer.PlanHistoryKind{}
	for _, h := range p.History() {
		kinds = append(kinds, h.Kind)
	}
	require.Equal(t, []customer.PlanHistoryKind{customer.PlanCreated, customer.PlanStatusChanged, customer.PlanStatusChanged}, kinds)
}

func TestAccountPlanTeam(t *testing.T) {
	t.Parallel()
	p := apPlan(t)
	require.NoError(t, p.AddMember(customer.TeamMember{User: "chen", Role: customer.RoleAccountManager}, apChange(5)))
	require.Equal(t, apDay(5), p.Team()[2].Since, "since defaults to the change")
	apInvalid(t, p.AddMember(customer.TeamMember{User: "chen", Role: customer.RoleService}, apChange(5)), "user")
	apInvalid(t, p.RemoveMember("li.wei", apChange(6)), "user")
	apInvalid(t, p.SetLead("zhao.min", apChange(6)), "team[1].role")
	require.NoError(t, p.SetLead("chen", apChange(6)))
	lead, _ := p.Lead()
	require.Equal(t, crm.UserID("chen"), lead.User)
	require.NoError(t, p.RemoveMember("li.wei", apChange(7)))
	require.NoError(t, p.SetRole("zhao.min", customer.RoleExecutiveSponsor, apChange(8)))
	apInvalid(t, p.SetRole("chen", customer.RoleFinance, apChange(9)), "team[1].role")
	apInvalid(t, p.SetRole("nobody", customer.RoleFinance, apChange(9)), "user")
	apInvalid(t, p.AddMember(customer.TeamMember{User: "wu", Role: customer.RoleService}, apChange(1)), "change.at")

	h := p.History()
	require.Len(t, h, 5)
	require.Equal(t, customer.PlanHistoryEntry{Kind: customer.PlanLeadChanged, From: "li.wei", To: "chen", At: apDay(6), Actor: "li.wei"}, h[2])
	require.Equal(t, customer.PlanHistoryEntry{Kind: customer.PlanMemberRole, Subject: "zhao.min", From: "engineer", To: "executive_sponsor", At: apDay(8), Actor: "li.wei"}, h[4])
	require.Equal(t, apDay(8), p.UpdatedAt())
	// One event per change; created + four team changes.
	require.Len(t, p.Events(), 5)
}

func TestAccountPlanTeamLimit(t *testing.T) {
	t.Parallel()
	p := apPlan(t)
	for i := len(p.Team()); i < customer.MaxPlanMembers; i++ {
		require.NoError(t, p.AddMember(customer.TeamMember{User: crm.UserID("u" + strings.Repeat("x", i)), Role: customer.RoleOther}, apChange(1)))
	}
	apInvalid(t, p.AddMember(customer.TeamMember{User: "one.more", Role: customer.RoleOther}, apChange(1)), "team")
	require.Len(t, p.Team(), customer.MaxPlanMembers)
}

func TestAccountPlanGoals(t *testing.T) {
	t.Parallel()
	p := apPlan(t)
	require.NoError(t, p.ChangeGoal("visits", decimal.NewFromInt(12), apDay(100), apChange(2)))
	apInvalid(t, p.ChangeGoal("visits", decimal.NewFromInt(12), apDay(100), apChange(2)), "target")
	apInvalid(t, p.ChangeGoal("nope", decimal.NewFromInt(1), apDay(100), apChange(2)), "name")
	apInvalid(t, p.ChangeGoal("visits", decimal.RequireFromString("1.5"), apDay(100), apChange(2)), "goals[1].target")
	require.Equal(t, "12", p.Goals()[1].Target.String(), "a refused change leaves the goal")
	require.NoError(t, p.RemoveGoal("share of wallet", apChange(3)))
	require.NoError(t, p.SetStatus(customer.PlanActive, apChange(4)))
	require.NoError(t, p.RemoveGoal("visits", apChange(5)))
	apInvalid(t, p.RemoveGoal("revenue", apChange(6)), "name")
	h := p.History()
	require.Equal(t, customer.PlanGoalChanged, h[1].Kind)
	require.Equal(t, "count 9 by 2026-04-01", h[1].From)
	require.Equal(t, "count 12 by 2026-04-11", h[1].To)
}

func TestAccountPlanProgressHandWorked(t *testing.T) {
	t.Parallel()
	p := apPlan(t)
	apInvalid(t, p.RecordProgress(customer.Progress{Goal: "revenue", Value: decimal.NewFromInt(1)}, apChange(1)), "status")
	require.NoError(t, p.SetStatus(customer.PlanActive, apChange(1)))
	rec := func(goal string, v int64, day int) {
		t.Helper()
		require.NoError(t, p.RecordProgress(customer.Progress{Goal: goal, Value: decimal.NewFromInt(v), At: apDay(day)}, apChange(70)))
	}
	rec("revenue", 200, 14)
	rec("share of wallet", 20, 9)
	rec("visits", 4, 20)
	rec("share of wallet", 30, 31)
	rec("revenue", 250, 50)
	rec("visits", 3, 55)
	rec("share of wallet", 25, 45)
	rec("revenue", 100, 68)        // after the moment below
	rec("share of wallet", 35, 40) // recorded last, but older than day 45's

	apInvalid(t, p.RecordProgress(customer.Progress{Goal: "nope", Value: decimal.NewFromInt(1)}, apChange(70)), "goal")
	apInvalid(t, p.RecordProgress(customer.Progress{Goal: "visits", Value: decimal.RequireFromString("0.5")}, apChange(70)), "progress[9].value")
	apInvalid(t, p.RecordProgress(customer.Progress{Goal: "revenue", Value: decimal.NewFromInt(-1)}, apChange(70)), "progress[9].value")
	apInvalid(t, p.RecordProgress(customer.Progress{Goal: "revenue", Value: decimal.NewFromInt(1), At: apDay(71)}, apChange(70)), "at")
	apInvalid(t, p.RecordProgress(customer.Progress{Goal: "revenue", Value: decimal.NewFromInt(1), At: apStart.Add(-time.Hour)}, apChange(70)), "progress[9].at")
	require.Len(t, p.Progress(), 9)
	require.Equal(t, crm.UserID("li.wei"), p.Progress()[0].By, "by defaults to the actor")

	// At day 60:
	//   revenue: 200 + 250 = 450 of 1000 (45%); the line from day 0 to the
	//     due day 120 expects 1000 × 60/120 = 500 → behind.
	//   visits: 4 + 3 = 7 of 9 (77.8%); expected 9 × 60/90 = 6 → on track.
	//   share of wallet: the latest reading in time is 25 (day 45), not
	//     35 (day 40, recorded last), expected
	//     40 × 60/90 = 26.67 → behind.
	got := p.ProgressAt(apDay(60))
	require.Len(t, got, 3)
	require.Equal(t, "450", got[0].Achieved.String())
	require.Equal(t, "500", got[0].Expected.String())
	require.InDelta(t, 45, got[0].Percent, 1e-9)
	require.False(t, got[0].OnTrack)
	require.Equal(t, 2, got[0].Entries)
	require.Equal(t, "7", got[1].Achieved.String())
	require.Equal(t, "6", got[1].Expected.String())
	require.InDelta(t, 700.0/9, got[1].Percent, 1e-9)
	require.True(t, got[1].OnTrack)
	require.False(t, got[1].Met)
	require.Equal(t, "25", got[2].Achieved.String())
	require.InDelta(t, 80.0/3, got[2].Expected.InexactFloat64(), 1e-9)
	require.False(t, got[2].OnTrack)

	// Before the start nothing is expected; after the due date the target.
	before := p.ProgressAt(apStart.Add(-time.Hour))
	require.True(t, before[0].Expected.IsZero())
	require.True(t, before[0].OnTrack)
	require.Zero(t, before[0].Entries)
	after := p.ProgressAt(apDay(150))
	require.Equal(t, "1000", after[0].Expected.String())
	require.Equal(t, "550", after[0].Achieved.String())
}

func TestAccountPlanJSONRoundTrip(t *testing.T) {
	t.Parallel()
	p := apPlan(t)
	require.NoError(t, p.SetStatus(customer.PlanActive, apChange(1)))
	require.NoError(t, p.RecordProgress(customer.Progress{Goal: "revenue", Value: decimal.RequireFromString("12.50"), Note: "PO 17"}, apChange(2)))
	b, err := json.Marshal(p)
	require.NoError(t, err)
	var q customer.AccountPlan
	require.NoError(t, json.Unmarshal(b, &q))
	require.Equal(t, p.Record(), q.Record())
	b2, err := json.Marshal(&q)
	require.NoError(t, err)
	require.JSONEq(t, string(b), string(b2))
	require.Empty(t, q.Events())

	tests := []struct {
		name, json, path string
	}{
		{"unknown member", strings.Replace(string(b), `"name":`, `"nam":1,"name":`, 1), "nam"},
		{"wrong version", strings.Replace(string(b), `"v":1`, `"v":2`, 1), "v"},
		{"unknown status", strings.Replace(string(b), `"status":"active"`, `"status":"open"`, 1), ""},
		{"two leads", strings.Replace(string(b), `"role":"engineer","since"`, `"role":"account_manager","lead":true,"since"`, 1), "team"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			before := q.Record()
			err := json.Unmarshal([]byte(tc.json), &q)
			apInvalid(t, err, tc.path)
			require.Equal(t, before, q.Record(), "a refused decode leaves the plan")
		})
	}
	_, err = json.Marshal(&customer.AccountPlan{})
	require.Error(t, err)
}

func FuzzAccountPlanJSON(f *testing.F) {
	p := apPlan(f)
	require.NoError(f, p.SetStatus(customer.PlanActive, apChange(1)))
	require.NoError(f, p.RecordProgress(customer.Progress{Goal: "visits", Value: decimal.NewFromInt(2)}, apChange(2)))
	b, err := json.Marshal(p)
	require.NoError(f, err)
	f.Add(b)
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(strings.Replace(string(b), `"target":"9"`, `"target":"9e999999999"`, 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var q customer.AccountPlan
		if err := json.Unmarshal(data, &q); err != nil {
			return
		}
		if q.ID().IsZero() { // JSON null
			return
		}
		out, err := json.Marshal(&q)
		require.NoError(t, err)
		var r customer.AccountPlan
		require.NoError(t, json.Unmarshal(out, &r))
		require.Equal(t, q.Record(), r.Record())
		again, err := json.Marshal(&r)
		require.NoError(t, err)
		require.Equal(t, string(out), string(again))
	})
}

func TestAccountPlanQueryInForceAt(t *testing.T) {
	t.Parallel()
	p := apPlan(t) // [2026-01-01T00:00Z, 2026-07-01T00:00Z)
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"first instant", apStart, true},
		{"first instant in another zone", apStart.In(shanghai), true},
		{"a nanosecond before the start", apStart.Add(-time.Nanosecond), false},
		{"midway", apDay(90), true},
		{"last instant", apEnd.Add(-time.Nanosecond), true},
		{"the end itself", apEnd, false},
		{"the end as a Shanghai date", time.Date(2026, 7, 1, 8, 0, 0, 0, shanghai), false},
		{"far after", apDay(400), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, p.InForceAt(tc.at))
			q := customer.AccountPlanQuery{InForceAt: tc.at}
			require.NoError(t, q.Validate())
			require.Equal(t, tc.want, q.Matches(p))
			q.Status = customer.PlanDraft
			require.Equal(t, tc.want, q.Matches(p), "with a status that matches")
			q.Status = customer.PlanActive
			require.False(t, q.Matches(p), "with a status that does not")
		})
	}
	require.True(t, customer.AccountPlanQuery{}.Matches(p), "the zero time does not filter")
	apInvalid(t, customer.AccountPlanQuery{InForceAt: crm.MaxTime.Add(time.Nanosecond)}.Validate(), "in_force_at")
	apInvalid(t, customer.AccountPlanQuery{InForceAt: time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)}.Validate(), "in_force_at")
	require.NoError(t, customer.AccountPlanQuery{InForceAt: crm.MaxTime}.Validate())
}

func TestAccountPlanCountGoalExpectsWholeCounts(t *testing.T) {
	t.Parallel()
	in := apInput()
	// 4 contracts in 360 days: the line reaches 1 on day 90, 2 on day 180.
	in.Goals = []customer.Goal{
		{Name: "contracts", Metric: customer.MetricCount, Target: decimal.NewFromInt(4), Due: apDay(360)},
		{Name: "revenue", Metric: customer.MetricRevenue, Target: decimal.NewFromInt(3600), Currency: apCNY, Due: apDay(360)},
	}
	in.End = apDay(365)
	p, err := customer.NewAccountPlan(in, apChange(0))
	require.NoError(t, err)
	require.NoError(t, p.SetStatus(customer.PlanActive, apChange(0)))
	tests := []struct {
		name      string
		at        time.Time
		expected  string
		onTrack   bool
		revExpect string
	}{
		{"day one", apDay(1), "0", true, "10"},
		{"an hour in", apStart.Add(time.Hour), "0", true, "0.4166666666666667"},
		{"a second before the first is due", apDay(90).Add(-time.Second), "0", true, "899.9998842592592593"},
		{"the first is due", apDay(90), "1", false, "900"},
		{"day 200", apDay(200), "2", false, "2000"},
		{"due date", apDay(360), "4", false, "3600"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := p.ProgressAt(tc.at)
			require.Equal(t, tc.expected, got[0].Expected.String())
			require.Equal(t, tc.onTrack, got[0].OnTrack)
			require.Equal(t, tc.revExpect, got[1].Expected.String(), "money goals keep the exact line")
			require.Equal(t, tc.revExpect == "0", got[1].OnTrack)
		})
	}
	require.NoError(t, p.RecordProgress(customer.Progress{Goal: "contracts", Value: decimal.NewFromInt(1), At: apDay(95)}, apChange(95)))
	got := p.ProgressAt(apDay(100))
	require.Equal(t, "1", got[0].Expected.String())
	require.True(t, got[0].OnTrack, "one contract by day 100 keeps pace")
}

func TestAccountPlanQueryJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 31, 23, 59, 59, 999999999, time.FixedZone("CST", 8*3600))
	q := customer.AccountPlanQuery{Status: customer.PlanActive, InForceAt: at}
	b, err := json.Marshal(q)
	require.NoError(t, err)
	require.JSONEq(t, `{"status":"active","in_force_at":"2026-03-31T23:59:59.999999999+08:00"}`, string(b))
	var back customer.AccountPlanQuery
	require.NoError(t, json.Unmarshal(b, &back))
	require.True(t, back.InForceAt.Equal(at))
	b, err = json.Marshal(customer.AccountPlanQuery{})
	require.NoError(t, err)
	require.JSONEq(t, `{}`, string(b), "the zero time is left out")
}
