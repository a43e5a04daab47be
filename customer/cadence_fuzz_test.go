package customer_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/customer"
)

// FuzzCadencePolicyJSON checks that decoding a policy never panics, that a
// policy that decodes is valid and round-trips to the same JSON, and that
// a decoded policy evaluates without error, its cutoffs agreeing with
// Overdue.
func FuzzCadencePolicyJSON(f *testing.F) {
	b, _ := json.Marshal(customer.DefaultCadencePolicy(nil))
	f.Add(b)
	b, _ = json.Marshal(customer.DefaultCadencePolicy(weekdays(f, "Asia/Shanghai", "2025-10-01")))
	f.Add(b)
	f.Add([]byte(`{"rules":[{"name":"a","class":"stable","key_account":false,"stage":"growth","role":"dealer","days":3},{"name":"b","days":1}]}`))
	f.Add([]byte(`{"rules":[{"name":"a","days":1}],"calendar":{"time_zone":"Europe/Berlin","week":{"saturday":["10:00-12:00"]}}}`))
	f.Add([]byte(`{"rules":[{"name":"a","days":1},{"name":"a","days":2}]}`))
	f.Add([]byte(`null`))
	now := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		var p customer.CadencePolicy
		if json.Unmarshal(data, &p) != nil || p.Rules == nil {
			return
		}
		require.NoError(t, p.Validate())
		out, err := json.Marshal(&p)
		require.NoError(t, err)
		var back customer.CadencePolicy
		require.NoError(t, json.Unmarshal(out, &back))
		again, err := json.Marshal(&back)
		require.NoError(t, err)
		require.Equal(t, string(out), string(again))

		cs := cadenceCustomers{
			{n: 1, class: customer.Stable, contact: now.AddDate(0, 0, -40)},
			{n: 2, class: customer.PushHard, key: true, stage: customer.Growth},
			{n: 3, class: customer.GeneralContact, contact: now.AddDate(0, -5, 0)},
			{n: 4, contact: now.AddDate(-2, 0, 0)},
		}.buildAll(t)
		got, err := back.Overdue(slices.Values(cs), now)
		require.NoError(t, err)
		for _, e := range got {
			cut, err := back.Cutoff(back.Rule(e.Customer), now)
			require.NoError(t, err)
			require.True(t, e.LastContact.IsZero() || e.LastContact.Before(cut))
			require.GreaterOrEqual(t, e.DaysOverdue, 1)
		}
	})
}

// FuzzEnteredCarePlanJSON is FuzzCarePlanJSON for plans with entered
// triggers: a plan that decodes and validates round-trips, and
// DueMoveCare evaluates it without error.
func FuzzEnteredCarePlanJSON(f *testing.F) {
	f.Add([]byte(`{"types":[{"code":"welcome","trigger":{"kind":"entered","stage":"mature","offsets":[0,2]}}]}`))
	f.Add([]byte(`{"types":[{"code":"retain","trigger":{"kind":"entered","lifecycle":"at_risk","offsets":[1]},"lead_days":1}]}`))
	f.Add([]byte(`{"types":[{"code":"x","trigger":{"kind":"entered","stage":"mature","lifecycle":"churned","offsets":[1]}}]}`))
	t0 := time.Date(2025, 5, 5, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		var p customer.CarePlan
		if json.Unmarshal(data, &p) != nil || p.Validate() != nil {
			return
		}
		out, err := json.Marshal(p)
		require.NoError(t, err)
		var back customer.CarePlan
		require.NoError(t, json.Unmarshal(out, &back))
		require.NoError(t, back.Validate())
		c := cadenceCustomer{n: 1, created: t0.AddDate(0, -1, 0)}.build(t)
		hist := []customer.HistoryEntry{
			{CustomerID: c.ID(), OriginID: c.ID(), Seq: 2, Kind: customer.HistoryStage, From: "growth", To: "mature", At: t0, Actor: "a"},
			{CustomerID: c.ID(), OriginID: c.ID(), Seq: 3, Kind: customer.HistoryLifecycle, From: "active", To: "at_risk", At: t0.Add(time.Hour), Actor: "a"},
		}
		_, err = customer.DueMoveCare(back, weekdays(t, "UTC"), c, hist, t0.AddDate(0, 0, -1), t0.AddDate(0, 1, 0))
		require.NoError(t, err)
	})
}
