package opportunity_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/opportunity"
)

func TestQueryMatches(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	readyForNegotiation(t, o) // close date 2026-06-30
	require.NoError(t, o.MoveStage(p, "needs", chAt(2*time.Hour, "")))
	tests := []struct {
		name string
		q    opportunity.Query
		want bool
	}{
		{"empty query", opportunity.Query{}, true},
		{"customer", opportunity.Query{Customer: idCust}, true},
		{"other customer", opportunity.Query{Customer: idLead}, false},
		{"owner among owners", opportunity.Query{Owners: []crm.UserID{"x", "sales-wang"}}, true},
		{"other owner", opportunity.Query{Owners: []crm.UserID{"x"}}, false},
		{"team", opportunity.Query{Team: "east"}, true},
		{"other team", opportunity.Query{Team: "west"}, false},
		{"pipeline", opportunity.Query{Pipeline: "enterprise"}, true},
		{"other pipeline", opportunity.Query{Pipeline: "smb"}, false},
		{"stage", opportunity.Query{Stages: []string{"qualify", "needs"}}, true},
		{"other stage", opportunity.Query{Stages: []string{"proposal"}}, false},
		{"status", opportunity.Query{Statuses: []opportunity.Status{opportunity.Open}}, true},
		{"closed statuses", opportunity.Query{Statuses: []opportunity.Status{opportunity.Won, opportunity.Lost}}, false},
		{"category", opportunity.Query{Categories: []opportunity.ForecastCategory{opportunity.CategoryPipeline}}, true},
		{"other category", opportunity.Query{Categories: []opportunity.ForecastCategory{opportunity.CategoryCommit}}, false},
		{"close range holding the date", opportunity.Query{CloseFrom: date(2026, 6, 1), CloseTo: date(2026, 6, 30)}, true},
		{"close range ending the day before", opportunity.Query{CloseTo: date(2026, 6, 29)}, false},
		{"close range starting the day after", opportunity.Query{CloseFrom: date(2026, 7, 1)}, false},
		{"in stage since before", opportunity.Query{StageBefore: t0.Add(3 * time.Hour)}, true},
		{"in stage since exactly then", opportunity.Query{StageBefore: t0.Add(2 * time.Hour)}, false},
		{"every filter at once", opportunity.Query{Customer: idCust, Owners: []crm.UserID{"sales-wang"}, Team: "east",
			Pipeline: "enterprise", Stages: []string{"needs"}, Statuses: []opportunity.Status{opportunity.Open},
			Categories: []opportunity.ForecastCategory{opportunity.CategoryPipeline}, CloseFrom: date(2026, 1, 1),
			CloseTo: date(2026, 12, 31), StageBefore: t0.Add(24 * time.Hour)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tt.q.Validate())
			require.Equal(t, tt.want, tt.q.Matches(o))
		})
	}
	t.Run("no close date never matches a bounded range", func(t *testing.T) {
		t.Parallel()
		bare := newOpp(t, p)
		require.False(t, opportunity.Query{CloseFrom: date(2000, 1, 1)}.Matches(bare))
		require.True(t, opportunity.Query{}.Matches(bare))
	})
}

func TestQueryValidate(t *testing.T) {
	t.Parallel()
	many := make([]string, opportunity.MaxQueryStages+1)
	for i := range many {
		many[i] = "s"
	}
	tests := []struct {
		name string
		q    opportunity.Query
		path string
	}{
		{"bad owner", opportunity.Query{Owners: []crm.UserID{""}}, "owners"},
		{"too many stages", opportunity.Query{Stages: many}, "stages"},
		{"blank stage", opportunity.Query{Stages: []string{""}}, "stages"},
		{"unknown status", opportunity.Query{Statuses: []opportunity.Status{7}}, "statuses"},
		{"unknown category", opportunity.Query{Categories: []opportunity.ForecastCategory{0}}, "categories"},
		{"reversed range", opportunity.Query{CloseFrom: date(2026, 2, 1), CloseTo: date(2026, 1, 1)}, "close_to"},
		{"impossible date", opportunity.Query{CloseFrom: calendar.Date{Year: 2026, Month: 2, Day: 31}}, "close_from"},
		{"huge team", opportunity.Query{Team: strings.Repeat("t", 1000)}, "team"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.q.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), err.Error())
		})
	}
}

func TestCheckRef(t *testing.T) {
	t.Parallel()
	require.NoError(t, opportunity.CheckRefForTest("op", tenantA, idOpp))
	require.ErrorIs(t, opportunity.CheckRefForTest("op", "", idOpp), crm.ErrInvalid)
	require.ErrorIs(t, opportunity.CheckRefForTest("op", tenantA, crm.NilID), crm.ErrInvalid)
}

// TestLimits feeds lists beyond every limit: each is refused with a clear
// error and changes nothing.
func TestLimits(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	contacts := make([]opportunity.Contact, opportunity.MaxContacts+1)
	for i := range contacts {
		contacts[i] = opportunity.Contact{Name: "n", Role: opportunity.User}
	}
	before := o.Record()
	require.ErrorIs(t, o.SetContacts(contacts, chAt(time.Hour, "")), crm.ErrInvalid)
	for i := range opportunity.MaxCompetitors {
		require.NoError(t, o.SetCompetitor(opportunity.Competitor{Name: strings.Repeat("c", i+1), Status: opportunity.CompetitorActive}, chAt(time.Hour, "")))
	}
	mid := o.Record()
	require.NotEqual(t, before, mid)
	require.ErrorIs(t, o.SetCompetitor(opportunity.Competitor{Name: "one too many", Status: opportunity.CompetitorActive}, chAt(time.Hour, "")), crm.ErrInvalid)
	require.NoError(t, o.SetCompetitor(opportunity.Competitor{Name: "c", Status: opportunity.CompetitorLeading}, chAt(time.Hour, "")), "replacing one is fine")
	require.ErrorIs(t, o.SetCompetitor(opportunity.Competitor{Name: " c", Status: opportunity.CompetitorLeading}, chAt(time.Hour, "")), crm.ErrInvalid)
	require.ErrorIs(t, o.SetNextStep(opportunity.NextStep{Text: strings.Repeat("x", opportunity.MaxTextLen+1), Due: date(2026, 4, 1)}, chAt(time.Hour, "")), crm.ErrInvalid)
	require.ErrorIs(t, o.OverrideProbability(0.5, chAt(time.Hour, strings.Repeat("why", crm.MaxReasonLen))), crm.ErrInvalid)
}
