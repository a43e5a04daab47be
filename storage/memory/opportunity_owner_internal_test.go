package memory

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/opportunity"
)

// TestOwnerOnly checks that ownerOnly knows every filter of
// opportunity.Query: a query of owners alone is answered by the owner's
// index without reading the opportunities, so a filter ownerOnly missed
// would be ignored. A new Query field fails the count until it is added
// here and to ownerOnly.
func TestOwnerOnly(t *testing.T) {
	t.Parallel()
	require.Equal(t, 10, reflect.TypeFor[opportunity.Query]().NumField(), "opportunity.Query changed: update ownerOnly")
	owners := []crm.UserID{"wang"}
	d := calendar.Date{Year: 2026, Month: 1, Day: 1}
	tests := []struct {
		name string
		q    opportunity.Query
		want bool
	}{
		{"owners", opportunity.Query{Owners: owners}, true},
		{"customer", opportunity.Query{Owners: owners, Customer: crm.MustParseID("01890000-0000-7000-8000-000000000001")}, false},
		{"team", opportunity.Query{Owners: owners, Team: "east"}, false},
		{"pipeline", opportunity.Query{Owners: owners, Pipeline: "sales"}, false},
		{"stages", opportunity.Query{Owners: owners, Stages: []string{"qualify"}}, false},
		{"statuses", opportunity.Query{Owners: owners, Statuses: []opportunity.Status{opportunity.Open}}, false},
		{"categories", opportunity.Query{Owners: owners, Categories: []opportunity.ForecastCategory{opportunity.CategoryCommit}}, false},
		{"close from", opportunity.Query{Owners: owners, CloseFrom: d}, false},
		{"close to", opportunity.Query{Owners: owners, CloseTo: d}, false},
		{"stage before", opportunity.Query{Owners: owners, StageBefore: time.Unix(1, 0)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, ownerOnly(tt.q))
		})
	}
}
