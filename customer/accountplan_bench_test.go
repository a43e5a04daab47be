package customer_test

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// apFullPlan returns an active plan at its limits: MaxPlanGoals goals and
// MaxPlanProgress entries spread over them.
func apFullPlan(tb testing.TB) *customer.AccountPlan {
	tb.Helper()
	in := apInput()
	in.Goals = nil
	for i := range customer.MaxPlanGoals {
		in.Goals = append(in.Goals, customer.Goal{Name: fmt.Sprintf("goal-%03d", i), Metric: customer.MetricRevenue,
			Target: decimal.NewFromInt(1_000_000), Currency: apCNY, Due: apDay(150)})
	}
	p, err := customer.NewAccountPlan(in, apChange(0))
	require.NoError(tb, err)
	require.NoError(tb, p.SetStatus(customer.PlanActive, apChange(1)))
	for i := range customer.MaxPlanProgress {
		require.NoError(tb, p.RecordProgress(customer.Progress{Goal: fmt.Sprintf("goal-%03d", i%customer.MaxPlanGoals),
			Value: decimal.New(int64(1000+i), -2), At: apDay(1 + i%100)}, apChange(120)))
	}
	return p
}

func BenchmarkAccountPlanProgressAt(b *testing.B) {
	p := apFullPlan(b)
	at := apDay(60)
	b.ReportAllocs()
	for b.Loop() {
		if len(p.ProgressAt(at)) != customer.MaxPlanGoals {
			b.Fatal("goals lost")
		}
	}
}

// BenchmarkAccountPlanRecordProgress is one progress entry on a plan at
// its limits: the copy, the whole-plan check and the adoption each change
// costs.
func BenchmarkAccountPlanRecordProgress(b *testing.B) {
	full := apFullPlan(b)
	rec := full.Record()
	rec.Progress = rec.Progress[:customer.MaxPlanProgress-1]
	p, err := customer.AccountPlanFromRecord(rec)
	require.NoError(b, err)
	e := customer.Progress{Goal: "goal-007", Value: decimal.NewFromInt(5), At: apDay(100)}
	b.ReportAllocs()
	for b.Loop() {
		q := p.Clone()
		if err := q.RecordProgress(e, customer.Change{Actor: crm.UserID("li.wei"), At: apDay(120)}); err != nil {
			b.Fatal(err)
		}
	}
}
