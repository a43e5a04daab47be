package customer_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// planVisit returns a valid visit n of salesperson at the given instant.
func planVisit(n int, salesperson crm.UserID, kind customer.VisitKind, status customer.VisitStatus, at string, d time.Duration) customer.Visit {
	planned, err := time.Parse(time.RFC3339, at)
	if err != nil {
		panic(err) // test data only
	}
	v := customer.Visit{
		ID: careID(n), Tenant: "t1", CustomerID: careID(1000 + n), Salesperson: salesperson,
		Kind: kind, Purpose: "follow up", Method: customer.FaceToFace,
		PlannedAt: planned, Duration: d, Status: status,
	}
	switch status {
	case customer.VisitDone:
		v.Outcome, v.DoneAt = "order placed", planned.Add(d)
	case customer.VisitCancelled, customer.VisitMissed:
		v.Outcome = "customer away"
	}
	return v
}

func TestDayTargetValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		target customer.DayTarget
		path   string // "" when valid
	}{
		{"seven and three", customer.DayTarget{New: 7, Return: 3}, ""},
		{"new only", customer.DayTarget{New: 1}, ""},
		{"return only", customer.DayTarget{Return: 1}, ""},
		{"largest", customer.DayTarget{New: customer.MaxDayTarget, Return: customer.MaxDayTarget}, ""},
		{"both zero", customer.DayTarget{}, "new"},
		{"negative new", customer.DayTarget{New: -1, Return: 3}, "new"},
		{"negative return", customer.DayTarget{New: 7, Return: -3}, "return"},
		{"too many new", customer.DayTarget{New: customer.MaxDayTarget + 1}, "new"},
		{"too many return", customer.DayTarget{Return: customer.MaxDayTarget + 1}, "return"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.target.Validate()
			if tt.path == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), "want a problem at %s, got %v", tt.path, err)
		})
	}
}

func TestCheckDayPlan(t *testing.T) {
	t.Parallel()
	const bob, eve = crm.UserID("bob"), crm.UserID("eve")
	day := customer.Date{Year: 2025, Month: time.June, Day: 2}
	target := customer.DayTarget{New: 7, Return: 3}
	sh := careLoc(t, "Asia/Shanghai")
	// fullDay is bob's 7 new + 3 return visits of 2025-06-02 in UTC, one an
	// hour from 08:00, none overlapping.
	fullDay := func(status customer.VisitStatus) []customer.Visit {
		var vs []customer.Visit
		for i := range 10 {
			kind := customer.NewVisit
			if i >= 7 {
				kind = customer.ReturnVisit
			}
			vs = append(vs, planVisit(i+1, bob, kind, status, fmt.Sprintf("2025-06-02T%02d:00:00Z", 8+i), 45*time.Minute))
		}
		return vs
	}
	tests := []struct {
		name   string
		loc    *time.Location
		visits []customer.Visit
		want   customer.DayPlanCheck // Salesperson, Day and Target are filled in
	}{
		{"empty day", nil, nil, customer.DayPlanCheck{MissingNew: 7, MissingReturn: 3}},
		{"plan met, nothing done yet", time.UTC, fullDay(customer.VisitPlanned),
			customer.DayPlanCheck{PlannedNew: 7, PlannedReturn: 3, Met: true}},
		{"all done", time.UTC, fullDay(customer.VisitDone),
			customer.DayPlanCheck{PlannedNew: 7, PlannedReturn: 3, DoneNew: 7, DoneReturn: 3, Met: true, Achieved: true}},
		{"cancelled visits leave the plan", time.UTC, func() []customer.Visit {
			vs := fullDay(customer.VisitDone)
			vs[0] = planVisit(1, bob, customer.NewVisit, customer.VisitCancelled, "2025-06-02T08:00:00Z", time.Hour)
			vs[8] = planVisit(9, bob, customer.ReturnVisit, customer.VisitCancelled, "2025-06-02T16:00:00Z", time.Hour)
			return vs
		}(), customer.DayPlanCheck{PlannedNew: 6, PlannedReturn: 2, DoneNew: 6, DoneReturn: 2, Cancelled: 2, MissingNew: 1, MissingReturn: 1}},
		{"missed visits stay in the plan but are not done", time.UTC, func() []customer.Visit {
			vs := fullDay(customer.VisitDone)
			vs[9] = planVisit(10, bob, customer.ReturnVisit, customer.VisitMissed, "2025-06-02T17:00:00Z", time.Hour)
			return vs
		}(), customer.DayPlanCheck{PlannedNew: 7, PlannedReturn: 3, DoneNew: 7, DoneReturn: 2, Missed: 1, Met: true}},
		{"other salespeople and days ignored", time.UTC, append(fullDay(customer.VisitPlanned),
			planVisit(20, eve, customer.NewVisit, customer.VisitPlanned, "2025-06-02T08:00:00Z", time.Hour),
			planVisit(21, bob, customer.NewVisit, customer.VisitPlanned, "2025-06-01T23:59:59Z", time.Hour),
			planVisit(22, bob, customer.NewVisit, customer.VisitPlanned, "2025-06-03T00:00:00Z", time.Hour),
			customer.Visit{Salesperson: eve, PlannedAt: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)}, // invalid, but not bob's
		), customer.DayPlanCheck{PlannedNew: 7, PlannedReturn: 3, Met: true}},
		{"local day in Shanghai", sh, []customer.Visit{
			planVisit(1, bob, customer.NewVisit, customer.VisitPlanned, "2025-06-01T16:00:00Z", time.Hour),    // 00:00 on the 2nd
			planVisit(2, bob, customer.NewVisit, customer.VisitDone, "2025-06-02T15:59:00Z", time.Minute),     // 23:59 on the 2nd
			planVisit(3, bob, customer.ReturnVisit, customer.VisitPlanned, "2025-06-02T16:00:00Z", time.Hour), // the 3rd
			planVisit(4, bob, customer.ReturnVisit, customer.VisitPlanned, "2025-06-01T15:00:00Z", time.Hour), // the 1st
		}, customer.DayPlanCheck{PlannedNew: 2, DoneNew: 1, MissingNew: 5, MissingReturn: 3}},
		{"overlaps", time.UTC, []customer.Visit{
			planVisit(1, bob, customer.NewVisit, customer.VisitPlanned, "2025-06-02T09:00:00Z", time.Hour),
			planVisit(2, bob, customer.NewVisit, customer.VisitPlanned, "2025-06-02T09:30:00Z", time.Hour),        // overlaps 1
			planVisit(3, bob, customer.NewVisit, customer.VisitPlanned, "2025-06-02T10:30:00Z", time.Hour),        // starts as 2 ends: no overlap
			planVisit(4, bob, customer.NewVisit, customer.VisitDone, "2025-06-02T11:30:00Z", 0),                   // an instant as 3 ends: no overlap
			planVisit(5, bob, customer.ReturnVisit, customer.VisitPlanned, "2025-06-02T11:30:00Z", 0),             // same instant as 4
			planVisit(6, bob, customer.ReturnVisit, customer.VisitCancelled, "2025-06-02T09:00:00Z", 8*time.Hour), // cancelled: takes no time
			planVisit(7, bob, customer.ReturnVisit, customer.VisitMissed, "2025-06-02T09:00:00Z", 8*time.Hour),    // missed: takes no time
			planVisit(8, bob, customer.ReturnVisit, customer.VisitPlanned, "2025-06-02T07:00:00Z", 3*time.Hour),   // spans 1 and 2
		}, customer.DayPlanCheck{
			PlannedNew: 4, PlannedReturn: 3, DoneNew: 1, Cancelled: 1, Missed: 1, MissingNew: 3,
			Overlaps: [][2]crm.ID{
				{careID(8), careID(1)}, {careID(8), careID(2)},
				{careID(1), careID(2)}, {careID(4), careID(5)},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := customer.CheckDayPlan(bob, day, tt.loc, tt.visits, target)
			require.NoError(t, err)
			want := tt.want
			want.Salesperson, want.Day, want.Target = bob, day, target
			require.Equal(t, want, got)
		})
	}
}

func TestCheckDayPlanAchievedWithoutMet(t *testing.T) {
	t.Parallel()
	// A target of new visits only: return visits do not make up for them.
	day := customer.Date{Year: 2025, Month: time.June, Day: 2}
	visits := []customer.Visit{
		planVisit(1, "bob", customer.NewVisit, customer.VisitDone, "2025-06-02T09:00:00Z", time.Hour),
		planVisit(2, "bob", customer.ReturnVisit, customer.VisitDone, "2025-06-02T11:00:00Z", time.Hour),
	}
	got, err := customer.CheckDayPlan("bob", day, time.UTC, visits, customer.DayTarget{New: 2})
	require.NoError(t, err)
	require.False(t, got.Met)
	require.False(t, got.Achieved)
	require.Equal(t, 1, got.MissingNew)
	got, err = customer.CheckDayPlan("bob", day, time.UTC, visits, customer.DayTarget{New: 1})
	require.NoError(t, err)
	require.True(t, got.Met)
	require.True(t, got.Achieved)
}

func TestCheckDayPlanRefusals(t *testing.T) {
	t.Parallel()
	day := customer.Date{Year: 2025, Month: time.June, Day: 2}
	ok := planVisit(1, "bob", customer.NewVisit, customer.VisitPlanned, "2025-06-02T09:00:00Z", time.Hour)
	badKind := ok
	badKind.ID, badKind.Kind = careID(2), 0
	doneWithoutOutcome := ok
	doneWithoutOutcome.ID, doneWithoutOutcome.Status = careID(3), customer.VisitDone
	tests := []struct {
		name        string
		salesperson crm.UserID
		day         customer.Date
		visits      []customer.Visit
		target      customer.DayTarget
		path        string
	}{
		{"no salesperson", "", day, nil, customer.DayTarget{New: 7}, "salesperson"},
		{"zero day", "bob", customer.Date{}, nil, customer.DayTarget{New: 7}, "day"},
		{"day without year", "bob", customer.Date{Month: time.June, Day: 2}, nil, customer.DayTarget{New: 7}, "day"},
		{"impossible day", "bob", customer.Date{Year: 2025, Month: time.June, Day: 31}, nil, customer.DayTarget{New: 7}, "day"},
		{"empty target", "bob", day, nil, customer.DayTarget{}, "target.new"},
		{"negative target", "bob", day, nil, customer.DayTarget{New: 7, Return: -1}, "target.return"},
		{"invalid visit kind", "bob", day, []customer.Visit{ok, badKind}, customer.DayTarget{New: 7}, "visits[1].kind"},
		{"done without outcome", "bob", day, []customer.Visit{doneWithoutOutcome}, customer.DayTarget{New: 7}, "visits[0].outcome"},
		{"duplicate visit", "bob", day, []customer.Visit{ok, ok}, customer.DayTarget{New: 7}, "visits[1].id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := customer.CheckDayPlan(tt.salesperson, tt.day, time.UTC, tt.visits, tt.target)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Zero(t, got)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), "want a problem at %s, got %v", tt.path, err)
		})
	}
}
