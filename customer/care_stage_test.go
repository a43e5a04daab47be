package customer_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

func enteredPlan(types ...customer.CareType) customer.CarePlan {
	return customer.CarePlan{Types: types}
}

func TestDueMoveCare(t *testing.T) {
	t.Parallel()
	cal := weekdays(t, "UTC", "2024-05-09")
	t0 := time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC) // Monday
	c := cadenceCustomer{n: 1, created: t0.AddDate(0, -1, 0)}.build(t)
	other := careID(2)
	mv := func(origin crm.ID, seq int64, kind customer.HistoryKind, from, to string, at time.Time) customer.HistoryEntry {
		return customer.HistoryEntry{CustomerID: c.ID(), OriginID: origin, Seq: seq, Kind: kind, From: from, To: to, At: at, Actor: "a"}
	}
	hist := []customer.HistoryEntry{
		mv(c.ID(), 2, customer.HistoryStage, "unfamiliar", "established", t0),                   // Mon 6th
		mv(c.ID(), 3, customer.HistoryLifecycle, "active", "at_risk", t0.Add(26*time.Hour)),     // Tue 7th
		mv(c.ID(), 4, customer.HistoryStage, "established", "unfamiliar", t0.Add(50*time.Hour)), // Wed 8th
		mv(c.ID(), 5, customer.HistoryStage, "unfamiliar", "established", t0.Add(98*time.Hour)), // Fri 10th: entered again
		mv(other, 3, customer.HistoryStage, "unfamiliar", "established", t0.Add(2*time.Hour)),   // merged in: not c's
		mv(c.ID(), 6, customer.HistoryStage, "established", "evaluation", t0.AddDate(0, 0, 30)), // after the range
	}
	welcome := customer.CareType{Code: "first_visit", Trigger: customer.CareTrigger{Kind: customer.TriggerEntered, Stage: customer.Established, Offsets: []int{0, 2}}}
	retention := customer.CareType{Code: "retention_call", Trigger: customer.CareTrigger{Kind: customer.TriggerEntered, Lifecycle: customer.AtRisk, Offsets: []int{1}}}
	from, to := t0.Add(-10*time.Hour), t0.AddDate(0, 0, 14)
	tests := []struct {
		name string
		plan customer.CarePlan
		cal  bool
		want []string
	}{
		{"stage and lifecycle, business days skip the holiday and the weekend", enteredPlan(welcome, retention), true, []string{
			"2024-05-06 first_visit day of entering established (from unfamiliar) seq 2",
			"2024-05-08 first_visit 2 business days after entering established (from unfamiliar) seq 2",
			"2024-05-08 retention_call 1 business day after entering at_risk (from active) seq 3",
			"2024-05-10 first_visit day of entering established (from unfamiliar) seq 5",
			"2024-05-14 first_visit 2 business days after entering established (from unfamiliar) seq 5",
		}},
		{"plain days without a calendar", enteredPlan(welcome), false, []string{
			"2024-05-06 first_visit day of entering established (from unfamiliar) seq 2",
			"2024-05-08 first_visit 2 days after entering established (from unfamiliar) seq 2",
			"2024-05-10 first_visit day of entering established (from unfamiliar) seq 5",
			"2024-05-12 first_visit 2 days after entering established (from unfamiliar) seq 5",
		}},
		{"date triggers are not its business", enteredPlan(customer.CareType{Code: "b", Trigger: customer.CareTrigger{Kind: customer.TriggerAnnual, DateKey: "birthday"}}), true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var k = cal
			if !tt.cal {
				k = nil
			}
			got, err := customer.DueMoveCare(tt.plan, k, c, hist, from, to)
			require.NoError(t, err)
			var lines []string
			for _, a := range got {
				lines = append(lines, fmt.Sprintf("%s %s %s seq %d", a.Due, a.Type, a.Occasion, a.Move.Seq))
				require.Equal(t, c.Owner(), a.Owner)
			}
			require.Equal(t, tt.want, lines)

			// Never twice, never missed: day-long ranges tile the result.
			var tiled []customer.CareAction
			for d := from; d.Before(to); d = d.Add(24 * time.Hour) {
				end := d.Add(24 * time.Hour)
				if end.After(to) {
					end = to
				}
				part, err := customer.DueMoveCare(tt.plan, k, c, hist, d, end)
				require.NoError(t, err)
				tiled = append(tiled, part...)
			}
			customer.SortCareActions(tiled)
			require.Equal(t, got, tiled)
		})
	}

	// DueCare leaves entered triggers alone.
	due, err := customer.DueCare(enteredPlan(welcome), []*customer.Customer{c}, from, to)
	require.NoError(t, err)
	require.Empty(t, due)
	// Tombstones and erased customers get nothing.
	for _, cc := range []cadenceCustomer{{n: 1, merged: true}, {n: 1, erased: true}} {
		got, err := customer.DueMoveCare(enteredPlan(welcome), cal, cc.build(t), hist, from, to)
		require.NoError(t, err)
		require.Empty(t, got)
	}
	_, err = customer.DueMoveCare(enteredPlan(welcome), cal, nil, hist, from, to)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = customer.DueMoveCare(enteredPlan(welcome), cal, c, hist, to, from)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestEnteredTriggerValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tr   customer.CareTrigger
		path string
	}{
		{"stage", customer.CareTrigger{Kind: customer.TriggerEntered, Stage: customer.Mature, Offsets: []int{2}}, ""},
		{"lifecycle", customer.CareTrigger{Kind: customer.TriggerEntered, Lifecycle: customer.AtRisk, Offsets: []int{0, 1}}, ""},
		{"neither", customer.CareTrigger{Kind: customer.TriggerEntered, Offsets: []int{1}}, "types[0].trigger"},
		{"both", customer.CareTrigger{Kind: customer.TriggerEntered, Stage: customer.Mature, Lifecycle: customer.AtRisk, Offsets: []int{1}}, "types[0].trigger"},
		{"unknown stage", customer.CareTrigger{Kind: customer.TriggerEntered, Stage: 42, Offsets: []int{1}}, "types[0].trigger.stage"},
		{"no offsets", customer.CareTrigger{Kind: customer.TriggerEntered, Stage: customer.Mature}, "types[0].trigger.offsets"},
		{"date key", customer.CareTrigger{Kind: customer.TriggerEntered, Stage: customer.Mature, Offsets: []int{1}, DateKey: "x"}, "types[0].trigger.date_key"},
		{"stage on a date trigger", customer.CareTrigger{Kind: customer.TriggerAfter, DateKey: "x", Offsets: []int{1}, Stage: customer.Mature}, "types[0].trigger.stage"},
		{"leap", customer.CareTrigger{Kind: customer.TriggerEntered, Stage: customer.Mature, Offsets: []int{1}, Leap: customer.LeapMar1}, "types[0].trigger.leap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := enteredPlan(customer.CareType{Code: "x", Trigger: tt.tr}).Validate()
			if tt.path == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Contains(t, err.Error(), tt.path)
		})
	}
}
