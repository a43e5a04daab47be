package opportunity_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/opportunity"
)

var (
	// t0 is a Monday, 09:00 UTC.
	t0      = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	idOpp   = crm.MustParseID("01890000-0000-7000-8000-000000000001")
	idCust  = crm.MustParseID("01890000-0000-7000-8000-000000000002")
	idLead  = crm.MustParseID("01890000-0000-7000-8000-000000000003")
	tenantA = crm.TenantID("acme")
	cny     = crm.MustCurrency("CNY")
)

// officeHours is Monday to Friday, 09:00-17:00 UTC.
func officeHours(tb testing.TB) *calendar.Calendar {
	tb.Helper()
	day := []calendar.Span{{Start: calendar.At(9, 0), End: calendar.At(17, 0)}}
	cal, err := calendar.New(calendar.Config{TimeZone: "UTC", Week: calendar.Week{
		time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day,
	}})
	require.NoError(tb, err)
	return cal
}

// testPipeline: qualify → needs → proposal → negotiation, one stage may be
// skipped, going back is allowed, won from proposal on.
func testPipeline(tb testing.TB) *opportunity.Pipeline {
	tb.Helper()
	p := &opportunity.Pipeline{
		Code: "enterprise", Team: "east",
		Stages: []opportunity.StageDef{
			{Code: "qualify", Probability: 0.1, StaleAfter: 7 * 24 * time.Hour},
			{Code: "needs", Probability: 0.25, Requires: []opportunity.Field{opportunity.FieldContact}},
			{Code: "proposal", Probability: 0.5, Category: opportunity.CategoryBestCase,
				Requires: []opportunity.Field{opportunity.FieldAmount, opportunity.FieldCloseDate}},
			{Code: "negotiation", Probability: 0.75, Category: opportunity.CategoryCommit, StaleAfter: 14 * 24 * time.Hour,
				Requires: []opportunity.Field{opportunity.FieldDecisionMaker, opportunity.FieldApproval}},
		},
		MaxSkip: 1, AllowBack: true, WinFrom: "proposal",
		LostReasons: []string{"price", "timing", "competitor", "no_budget"},
		Calendar:    officeHours(tb),
	}
	require.NoError(tb, p.Validate())
	return p
}

// chAt returns a change by "sales-wang" at t0 + d with a reason.
func chAt(d time.Duration, reason string) opportunity.Change {
	return opportunity.Change{Actor: "sales-wang", At: t0.Add(d), Reason: reason}
}

func newInput() opportunity.NewInput {
	return opportunity.NewInput{
		ID: idOpp, Tenant: tenantA, Customer: idCust, Owner: "sales-wang",
		Name:     "200 air conditioners for the Pudong store",
		Source:   opportunity.Source{Kind: opportunity.FromLead, Lead: idLead},
		Segment:  "retail_chain",
		Currency: cny,
	}
}

func newOpp(tb testing.TB, p *opportunity.Pipeline) *opportunity.Opportunity {
	tb.Helper()
	o, err := opportunity.New(newInput(), p, chAt(0, ""))
	require.NoError(tb, err)
	return o
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func money(s string) crm.Money { return crm.MustParseMoney(s) }

func date(y int, m time.Month, d int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: d} }

// readyForNegotiation gives o a contact, a decision maker, an amount and a
// close date.
func readyForNegotiation(tb testing.TB, o *opportunity.Opportunity) {
	tb.Helper()
	require.NoError(tb, o.SetContacts([]opportunity.Contact{
		{Name: "Ms Zhao", Role: opportunity.DecisionMaker},
		{Name: "Mr Qian", Role: opportunity.User},
	}, chAt(time.Hour, "")))
	require.NoError(tb, o.SetAmount(money("500000.00 CNY"), chAt(time.Hour, "")))
	require.NoError(tb, o.SetCloseDate(date(2026, 6, 30), chAt(time.Hour, "")))
}

// checkUpdateAndStored runs the checks Guard runs on the result of an
// Update closure.
func checkUpdateAndStored(before, after *opportunity.Opportunity) error {
	if err := opportunity.CheckUpdateForTest("test", before, after); err != nil {
		return err
	}
	return opportunity.CheckStoredForTest("test", after)
}
