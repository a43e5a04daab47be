package opportunity_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
)

// TestEveryChangeHasAnEvent makes every kind of change once and checks the
// event types recorded, in order, with the change's actor and time.
func TestEveryChangeHasAnEvent(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	h := time.Hour
	l, err := opportunity.NewLine(opportunity.LineInput{Code: "AC", Quantity: dec("1"), UnitPrice: money("10.00 CNY"),
		Discount: dec("0.5"), ApprovalThreshold: dec("0.1")})
	require.NoError(t, err)
	steps := []func() error{
		func() error { return o.SetAmount(money("5.00 CNY"), chAt(1*h, "")) },
		func() error { return o.SetLines([]opportunity.Line{l}, chAt(2*h, "")) },
		func() error { return o.ApproveDiscount("AC", dec("0.5"), chAt(3*h, "")) },
		func() error { return o.OverrideProbability(0.2, chAt(4*h, "why")) },
		func() error { return o.ClearProbabilityOverride(chAt(5*h, "")) },
		func() error { return o.SetForecastCategory(opportunity.CategoryBestCase, chAt(6*h, "")) },
		func() error { return o.SetCloseDate(date(2026, 5, 1), chAt(7*h, "")) },
		func() error {
			return o.SetNextStep(opportunity.NextStep{Text: "demo", Due: date(2026, 3, 9)}, chAt(8*h, ""))
		},
		func() error {
			return o.SetContacts([]opportunity.Contact{{Name: "Ms Zhao", Role: opportunity.DecisionMaker}}, chAt(9*h, ""))
		},
		func() error {
			return o.SetCompetitor(opportunity.Competitor{Name: "Gree", Status: opportunity.CompetitorActive}, chAt(10*h, ""))
		},
		func() error { return o.RemoveCompetitor("Gree", chAt(11*h, "")) },
		func() error { return o.SetOwner("sales-li", chAt(12*h, "holiday cover")) },
		func() error { return o.MoveStage(p, "needs", chAt(13*h, "")) },
		func() error { return o.CloseLost(p, opportunity.LostDetails{Reason: "timing"}, chAt(14*h, "")) },
		func() error { return o.Reopen(p, "", chAt(15*h, "budget is back")) },
		func() error { return o.MoveStage(p, "proposal", chAt(16*h, "")) },
		func() error {
			return o.CloseWon(p, opportunity.WonDetails{ContractDate: date(2026, 3, 3), Contract: "HT"}, chAt(17*h, ""))
		},
	}
	for i, step := range steps {
		require.NoError(t, step(), "step %d", i)
	}
	var types []string
	for i, e := range o.Events() {
		types = append(types, e.Type)
		require.Equal(t, tenantA, e.Tenant)
		require.Equal(t, idOpp, e.AggregateID)
		require.Equal(t, t0.Add(time.Duration(i)*h), e.At, e.Type)
		require.NotNil(t, e.Data)
	}
	require.Equal(t, []string{
		opportunity.EventCreated, opportunity.EventAmountChanged, opportunity.EventLinesSet, opportunity.EventDiscountApproved,
		opportunity.EventProbabilitySet, opportunity.EventProbabilitySet, opportunity.EventCategorySet,
		opportunity.EventCloseDateSet, opportunity.EventNextStepSet, opportunity.EventContactsSet,
		opportunity.EventCompetitorSet, opportunity.EventCompetitorRemoved, opportunity.EventOwnerChanged,
		opportunity.EventStageChanged, opportunity.EventLost, opportunity.EventReopened, opportunity.EventStageChanged,
		opportunity.EventWon,
	}, types)
	require.Len(t, o.PendingChanges(), 6, "created, needs, lost, reopened, proposal, won")
	opportunity.SavedForTest(o, 7)
	require.Empty(t, o.Events())
	require.Empty(t, o.PendingChanges())
	require.Equal(t, int64(7), o.Version())
}

// TestPricerConcurrentUse prices from many goroutines at once (run with
// -race): a Pricer is immutable.
func TestPricerConcurrentUse(t *testing.T) {
	t.Parallel()
	pr, err := opportunity.NewPricer(testRules())
	require.NoError(t, err)
	req := opportunity.PriceRequest{PaymentDays: 10, Date: date(2026, 7, 10),
		Lines: []opportunity.PriceLine{{Code: "AC-9000", Quantity: dec("120")}}}
	want, err := pr.Price(req)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				got, err := pr.Price(req)
				if err != nil || !got[0].Total.Equal(want[0].Total) {
					errs <- crm.ErrInvalid
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	require.NoError(t, <-errs)
}
