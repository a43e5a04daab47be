package storagetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/opportunity"
)

// opportunityAreas are the groups of RunOpportunities.
func opportunityAreas() []area {
	return []area{
		{"Opportunities", testOpportunities},
		{"OpportunityList", testOpportunityList},
		{"OpportunityHistory", testOpportunityHistory},
		{"OpportunityRecords", func(t *testing.T, e *env) { runHarness(t, e, opportunityAggregate(e.os)) }},
	}
}

// RunOpportunities runs the cases of the opportunity port against the
// backends newBackend makes: every method of opportunity.Store, in
// transactions of the backend, through the generic harness (basics,
// tenancy, concurrency, isolation, paging, atomicity, contexts, invalid
// input, waits, the time range) and the opportunity's own cases: every
// filter of opportunity.Query against Query.Matches, the stage history and
// its paging, and what Guard refuses. The areas are Opportunities,
// OpportunityList, OpportunityHistory and OpportunityRecords; the rules of
// [RunCustomers] about newBackend hold here too. Opportunities of
// customers that do not exist are stored (the store does not check them,
// the Service does).
func RunOpportunities(t *testing.T, newBackend func(testing.TB) opportunity.Backend, f Features) {
	t.Helper()
	require.NotNil(t, newBackend, "storagetest.RunOpportunities: newBackend must not be nil")
	runAreas(t, opportunityAreas(), newBackend, func(t *testing.T, b opportunity.Backend) *env {
		requireBackend(t, b)
		require.NotNil(t, b.Opportunities(), "Opportunities returned nil")
		return &env{s: b, c: b.Customers(), os: b.Opportunities(), f: f}
	})
}

func testOpportunities(t *testing.T, e *env) {
	ctx := context.Background()
	p := OpportunityPipeline()

	t.Run("CreateGetUpdate", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		o := NewOpportunity(t, tenant, nil)
		want := normOpportunity(t, o.Record())
		want.Version = 1
		require.NoError(t, e.os.Create(ctx, o))
		require.Equal(t, int64(1), o.Version())
		require.Empty(t, o.PendingChanges(), "create must mark the opportunity saved")
		require.Empty(t, o.Events(), "create must mark the opportunity saved")
		got, err := e.os.Get(ctx, tenant, o.ID())
		require.NoError(t, err)
		require.Equal(t, want, normOpportunity(t, got.Record()))

		upd, err := e.os.Update(ctx, tenant, o.ID(), func(x *opportunity.Opportunity) error {
			if err := x.SetAmount(crm.MustParseMoney("2500.50 CNY"), ochange(2, "")); err != nil {
				return err
			}
			return x.MoveStage(p, "commit", ochange(3, ""))
		})
		require.NoError(t, err)
		require.Equal(t, int64(2), upd.Version())
		require.Empty(t, upd.PendingChanges())
		stored, err := e.os.Get(ctx, tenant, o.ID())
		require.NoError(t, err)
		require.Equal(t, normOpportunity(t, upd.Record()), normOpportunity(t, stored.Record()))
		require.Equal(t, "commit", stored.Stage())
		require.True(t, stored.Amount().Equal(crm.MustParseMoney("2500.50 CNY")))

		closed, err := e.os.Update(ctx, tenant, o.ID(), func(x *opportunity.Opportunity) error {
			return x.CloseWon(p, opportunity.WonDetails{ContractDate: calendar.Date{Year: 2025, Month: 1, Day: 2}, Contract: "C-1"}, ochange(4, ""))
		})
		require.NoError(t, err)
		require.Equal(t, opportunity.Won, closed.Status())
		h := allStageChanges(t, e.os, tenant, o.ID(), crm.MaxPageLimit)
		require.Len(t, h, 3, "created, commit, won")
		require.Equal(t, []string{"", "qualify", "commit"}, []string{h[0].From, h[1].From, h[2].From})
		require.Equal(t, []string{"qualify", "commit", opportunity.StageWon}, []string{h[0].To, h[1].To, h[2].To})
		require.Equal(t, time.Hour, h[2].InStage, "time in stage kept")
	})

	t.Run("EveryField", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		o := NewOpportunity(t, tenant, nil)
		ch := func(h int, reason string) opportunity.Change { return ochange(h, reason) }
		l1, err := opportunity.NewLine(opportunity.LineInput{Code: "ac-3hp", Description: "Split unit, 3 hp — 空调",
			Quantity: decimal.RequireFromString("12.5"), UnitPrice: crm.MustParseMoney("3199.99 CNY"),
			Discount: decimal.RequireFromString("0.125"), ApprovalThreshold: decimal.RequireFromString("0.1")})
		require.NoError(t, err)
		l2, err := opportunity.NewLine(opportunity.LineInput{Code: "install", Quantity: decimal.NewFromInt(1), UnitPrice: crm.MustParseMoney("800.00 CNY")})
		require.NoError(t, err)
		require.NoError(t, o.SetContacts([]opportunity.Contact{{Name: "Ms Zhao", Role: opportunity.DecisionMaker, Person: NewID(t)}}, ch(1, "")))
		require.NoError(t, o.SetLines([]opportunity.Line{l1, l2}, ch(1, "")))
		require.NoError(t, o.ApproveDiscount("ac-3hp", decimal.RequireFromString("0.125"), ch(1, "key account")))
		require.NoError(t, o.SetNextStep(opportunity.NextStep{Text: "site survey", Due: calendar.Date{Year: 2025, Month: 2, Day: 3}}, ch(1, "")))
		require.NoError(t, o.SetCompetitor(opportunity.Competitor{Name: "Gree", Offer: crm.MustParseMoney("39000.10 CNY"),
			Strengths: "price", Weaknesses: "service", Status: opportunity.CompetitorLeading}, ch(1, "")))
		require.NoError(t, o.SetCompetitor(opportunity.Competitor{Name: "Midea", Status: opportunity.CompetitorActive}, ch(1, "")))
		require.NoError(t, o.MoveStage(p, "propose", ch(2, "")))
		require.NoError(t, o.OverrideProbability(0.65, ch(2, "letter of intent")))
		require.NoError(t, o.SetForecastCategory(opportunity.CategoryCommit, ch(2, "")))
		require.NoError(t, e.os.Create(ctx, o))
		got, err := e.os.Get(ctx, tenant, o.ID())
		require.NoError(t, err)
		require.Equal(t, normOpportunity(t, o.Record()), normOpportunity(t, got.Record()), "every field comes back")

		lost, err := e.os.Update(ctx, tenant, o.ID(), func(x *opportunity.Opportunity) error {
			return x.CloseLost(p, opportunity.LostDetails{Reason: "price", Competitor: "Gree", Notes: "8% under us"}, ch(3, ""))
		})
		require.NoError(t, err)
		got, err = e.os.Get(ctx, tenant, o.ID())
		require.NoError(t, err)
		require.Equal(t, normOpportunity(t, lost.Record()), normOpportunity(t, got.Record()), "a lost opportunity comes back")
		for q, n := range map[*opportunity.Query]int{
			{Categories: []opportunity.ForecastCategory{opportunity.CategoryOmitted}}: 1,
			{Categories: []opportunity.ForecastCategory{opportunity.CategoryCommit}}:  0,
			{Statuses: []opportunity.Status{opportunity.Lost}}:                        1,
		} {
			require.Len(t, allOpportunities(t, e.os, tenant, *q, 10), n, "%+v", *q)
		}
	})

	t.Run("DuplicateID", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		o := CreateOpportunity(t, e.os, tenant, nil)
		again := NewOpportunity(t, tenant, &OpportunityOptions{ID: o.ID(), Owner: "other"})
		require.ErrorIs(t, e.os.Create(ctx, again), crm.ErrDuplicate)
		got, err := e.os.Get(ctx, tenant, o.ID())
		require.NoError(t, err)
		require.Equal(t, crm.UserID("owner-1"), got.Owner())
		require.Len(t, allStageChanges(t, e.os, tenant, o.ID(), crm.MaxPageLimit), 1, "the refused create added history")
	})

	t.Run("Refused", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		o := CreateOpportunity(t, e.os, tenant, nil)
		before := takeOpportunitySnapshot(t, e.os, tenant, o.ID())
		for name, fn := range map[string]func(x *opportunity.Opportunity) error{
			"AnotherOpportunity": func(x *opportunity.Opportunity) error {
				*x = *NewOpportunity(t, tenant, nil)
				return nil
			},
			"AnotherCustomer": func(x *opportunity.Opportunity) error {
				r := x.Record()
				r.Customer = NewID(t)
				y, err := opportunity.FromRecord(r)
				require.NoError(t, err)
				*x = *y
				return nil
			},
			"Version": func(x *opportunity.Opportunity) error {
				opportunityHooks.Saved(x, 7)
				return nil
			},
			"NULInName": func(x *opportunity.Opportunity) error {
				r := x.Record()
				r.Name = "bad\x00name"
				y, err := opportunity.FromRecord(r)
				require.NoError(t, err)
				*x = *y
				return nil
			},
			"HistoryDropped": func(x *opportunity.Opportunity) error {
				r := x.Record()
				r.Seq = 5
				y, err := opportunity.FromRecord(r)
				require.NoError(t, err)
				*x = *y
				return nil
			},
		} {
			_, err := e.os.Update(ctx, tenant, o.ID(), fn)
			require.ErrorIs(t, err, crm.ErrInvalid, name)
		}
		require.Equal(t, before, takeOpportunitySnapshot(t, e.os, tenant, o.ID()))

		bad := NewOpportunity(t, tenant, nil)
		r := bad.Record()
		r.Name = "bad\x00name"
		forged, err := opportunity.FromRecord(r)
		require.NoError(t, err)
		require.ErrorIs(t, e.os.Create(ctx, forged), crm.ErrInvalid, "NUL byte")
		_, err = e.os.Get(ctx, tenant, bad.ID())
		require.ErrorIs(t, err, crm.ErrNotFound)
		require.ErrorIs(t, e.os.Create(ctx, nil), crm.ErrInvalid, "nil opportunity")
		require.ErrorIs(t, e.os.Create(ctx, &opportunity.Opportunity{}), crm.ErrInvalid, "zero opportunity")
	})

	t.Run("FnErrorAsIs", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		o := CreateOpportunity(t, e.os, tenant, nil)
		before := takeOpportunitySnapshot(t, e.os, tenant, o.ID())
		var refusal error
		_, err := e.os.Update(ctx, tenant, o.ID(), func(x *opportunity.Opportunity) error {
			require.NoError(t, x.SetAmount(crm.MustParseMoney("5.00 CNY"), ochange(1, "")))
			refusal = x.MoveStage(p, "nowhere", ochange(2, ""))
			return refusal
		})
		require.Error(t, refusal)
		require.Equal(t, refusal, err, "an error from fn must be returned as is")
		require.Equal(t, before, takeOpportunitySnapshot(t, e.os, tenant, o.ID()))
	})
}

// testOpportunityList stores opportunities that differ in every filtered
// field and checks every filter, alone and combined, against Query.Matches.
func testOpportunityList(t *testing.T, e *env) {
	ctx := context.Background()
	tenant := NewTenant(t)
	custA, custB := NewID(t), NewID(t)
	var all []*opportunity.Opportunity
	for i := range 24 {
		opts := &OpportunityOptions{
			Customer:  []crm.ID{custA, custB}[i%2],
			Owner:     []crm.UserID{"owner-1", "owner-2", "owner-3"}[i%3],
			Team:      []string{"", "west"}[i/12],
			Stage:     []string{"qualify", "propose", "commit", opportunity.StageWon, opportunity.StageLost, "propose"}[i%6],
			CloseDate: calendar.Date{Year: 2025, Month: time.Month(1 + i%4), Day: 15},
			At:        at(i),
		}
		all = append(all, CreateOpportunity(t, e.os, tenant, opts))
	}
	// One in another tenant that matches everything.
	CreateOpportunity(t, e.os, NewTenant(t), &OpportunityOptions{Customer: custA})
	queries := map[string]opportunity.Query{
		"All":            {},
		"Customer":       {Customer: custA},
		"OneOwner":       {Owners: []crm.UserID{"owner-2"}},
		"TwoOwners":      {Owners: []crm.UserID{"owner-1", "owner-3"}},
		"UnknownOwner":   {Owners: []crm.UserID{"nobody"}},
		"Team":           {Team: "west"},
		"DefaultTeam":    {Team: "east"},
		"Pipeline":       {Pipeline: "sales"},
		"OtherPipeline":  {Pipeline: "other"},
		"Stage":          {Stages: []string{"propose"}},
		"Stages":         {Stages: []string{"qualify", opportunity.StageWon}},
		"Open":           {Statuses: []opportunity.Status{opportunity.Open}},
		"Closed":         {Statuses: []opportunity.Status{opportunity.Won, opportunity.Lost}},
		"Commit":         {Categories: []opportunity.ForecastCategory{opportunity.CategoryCommit}},
		"BestCaseOrPipe": {Categories: []opportunity.ForecastCategory{opportunity.CategoryBestCase, opportunity.CategoryPipeline}},
		"CloseFrom":      {CloseFrom: calendar.Date{Year: 2025, Month: 3, Day: 1}},
		"CloseTo":        {CloseTo: calendar.Date{Year: 2025, Month: 2, Day: 15}},
		"CloseRange":     {CloseFrom: calendar.Date{Year: 2025, Month: 2, Day: 15}, CloseTo: calendar.Date{Year: 2025, Month: 3, Day: 15}},
		"StageBefore":    {StageBefore: at(10), Statuses: []opportunity.Status{opportunity.Open}},
		"Combined": {Customer: custB, Owners: []crm.UserID{"owner-2", "owner-3"}, Team: "east",
			Statuses: []opportunity.Status{opportunity.Open}},
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var want []crm.ID
			for _, o := range all {
				if q.Matches(o) {
					want = append(want, o.ID())
				}
			}
			for _, limit := range []int{1, 5, crm.MaxPageLimit} {
				got := allOpportunities(t, e.os, tenant, q, limit)
				ids := make([]crm.ID, len(got))
				for i, o := range got {
					ids[i] = o.ID()
					require.True(t, q.Matches(o), "%s returned an opportunity the query does not match", name)
				}
				if want == nil {
					require.Empty(t, ids)
					continue
				}
				require.Equal(t, want, ids, "limit %d", limit)
			}
		})
	}
	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		for name, q := range map[string]opportunity.Query{
			"BadStatus":    {Statuses: []opportunity.Status{99}},
			"TooManyOwner": {Owners: slices.Repeat([]crm.UserID{"o"}, opportunity.MaxQueryOwners+1)},
			"BadRange":     {CloseFrom: calendar.Date{Year: 2025, Month: 3, Day: 1}, CloseTo: calendar.Date{Year: 2025, Month: 2, Day: 1}},
			"BadStage":     {Stages: []string{" padded "}},
		} {
			_, err := e.os.List(ctx, tenant, q, crm.PageRequest{})
			require.ErrorIs(t, err, crm.ErrInvalid, name)
		}
	})
	t.Run("FollowsUpdates", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		o := CreateOpportunity(t, e.os, tenant, nil)
		p := OpportunityPipeline()
		_, err := e.os.Update(ctx, tenant, o.ID(), func(x *opportunity.Opportunity) error {
			if err := x.SetOwner("owner-9", ochange(1, "hand-over")); err != nil {
				return err
			}
			return x.MoveStage(p, "propose", ochange(1, ""))
		})
		require.NoError(t, err)
		for q, n := range map[*opportunity.Query]int{
			{Owners: []crm.UserID{"owner-1"}}: 0,
			{Owners: []crm.UserID{"owner-9"}}: 1,
			{Stages: []string{"qualify"}}:     0,
			{Stages: []string{"propose"}}:     1,
		} {
			got := allOpportunities(t, e.os, tenant, *q, 10)
			require.Len(t, got, n, "%+v", *q)
		}
	})
}

// testOpportunityHistory checks the stage history: order, paging, cursors,
// missing opportunities and other tenants.
func testOpportunityHistory(t *testing.T, e *env) {
	ctx := context.Background()
	p := OpportunityPipeline()
	tenant := NewTenant(t)
	o := CreateOpportunity(t, e.os, tenant, nil)
	stages := []string{"propose", "commit", "propose", "qualify", "propose", "commit"}
	for i, s := range stages {
		_, err := e.os.Update(ctx, tenant, o.ID(), func(x *opportunity.Opportunity) error {
			return x.MoveStage(p, s, ochange(i+1, fmt.Sprintf("move %d", i)))
		})
		require.NoError(t, err)
	}
	want := allStageChanges(t, e.os, tenant, o.ID(), crm.MaxPageLimit)
	require.Len(t, want, 1+len(stages))
	for i, c := range want {
		require.Equal(t, int64(i+1), c.Seq)
		require.Equal(t, o.ID(), c.Opportunity)
		if i > 0 {
			require.Equal(t, stages[i-1], c.To)
			require.Equal(t, want[i-1].To, c.From)
			require.Equal(t, time.Hour, c.InStage, "time in stage")
			require.True(t, c.At.Equal(at(i)), "change time")
			require.Equal(t, fmt.Sprintf("move %d", i-1), c.Reason)
			require.Equal(t, crm.UserID("storagetest"), c.Actor)
		}
	}
	for _, limit := range []int{1, 2, 3} {
		require.Equal(t, normStageChanges(want), normStageChanges(allStageChanges(t, e.os, tenant, o.ID(), limit)), "limit %d", limit)
	}
	_, err := e.os.History(ctx, tenant, NewID(t), crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrNotFound, "missing opportunity")
	_, err = e.os.History(ctx, NewTenant(t), o.ID(), crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrNotFound, "another tenant's opportunity")
	for _, c := range []string{"garbage!", "-1", "0", "01", "' OR 1=1 --"} {
		_, err = e.os.History(ctx, tenant, o.ID(), crm.PageRequest{Cursor: c})
		require.ErrorIs(t, err, crm.ErrInvalid, "cursor %q", c)
	}
	page, err := e.os.History(ctx, tenant, o.ID(), crm.PageRequest{Limit: 2})
	require.NoError(t, err)
	other := CreateOpportunity(t, e.os, tenant, nil)
	rest, err := e.os.History(ctx, tenant, other.ID(), crm.PageRequest{Cursor: page.Next})
	require.NoError(t, err, "a history cursor is a sequence number, valid for any opportunity")
	require.Empty(t, rest.Items, "the other opportunity has one stage change")
}
