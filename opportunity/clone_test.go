package opportunity_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/opportunity"
)

// cloneBase returns an open opportunity in stage needs holding something
// of everything a change can touch in place: contacts, two competitors, a
// line with an approval, a probability override and a next step.
func cloneBase(t *testing.T, p *opportunity.Pipeline) *opportunity.Opportunity {
	t.Helper()
	o := newOpp(t, p)
	h := time.Hour
	l, err := opportunity.NewLine(opportunity.LineInput{Code: "AC", Quantity: dec("2"), UnitPrice: money("10.00 CNY"),
		Discount: dec("0.5"), ApprovalThreshold: dec("0.1")})
	require.NoError(t, err)
	require.NoError(t, o.SetContacts([]opportunity.Contact{{Name: "Ms Zhao", Role: opportunity.DecisionMaker}}, chAt(h, "")))
	require.NoError(t, o.SetLines([]opportunity.Line{l}, chAt(h, "")))
	require.NoError(t, o.ApproveDiscount("AC", dec("0.5"), chAt(h, "")))
	require.NoError(t, o.SetCloseDate(date(2026, 6, 30), chAt(h, "")))
	require.NoError(t, o.SetCompetitor(opportunity.Competitor{Name: "Rival A", Status: opportunity.CompetitorActive}, chAt(h, "")))
	require.NoError(t, o.SetCompetitor(opportunity.Competitor{Name: "Rival B", Status: opportunity.CompetitorLeading}, chAt(h, "")))
	require.NoError(t, o.MoveStage(p, "needs", chAt(2*h, "")))
	require.NoError(t, o.OverrideProbability(0.4, chAt(2*h, "gut feeling")))
	require.NoError(t, o.SetNextStep(opportunity.NextStep{Text: "call", Due: date(2026, 3, 10)}, chAt(2*h, "")))
	opportunity.SavedForTest(o, 3)
	return o
}

// TestCloneSharesNothingVisible changes one side of a clone with every
// changing method and checks the other side keeps its record, its pending
// stage changes and its events, whichever side changes.
func TestCloneSharesNothingVisible(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	other := *p
	other.Code, other.Team = "smb", "west"
	require.NoError(t, other.Validate())
	h := 3 * time.Hour
	won := opportunity.WonDetails{ContractDate: date(2026, 3, 2), Contract: "C-1"}
	tests := []struct {
		name   string
		closed bool // start from the base closed as lost to Rival A
		change func(o *opportunity.Opportunity) error
	}{
		{"MoveStage", false, func(o *opportunity.Opportunity) error { return o.MoveStage(p, "proposal", chAt(h, "")) }},
		{"ChangePipeline", false, func(o *opportunity.Opportunity) error {
			return o.ChangePipeline(&other, "needs", chAt(h, "new team"))
		}},
		{"CloseWon", false, func(o *opportunity.Opportunity) error {
			if err := o.MoveStage(p, "proposal", chAt(h, "")); err != nil {
				return err
			}
			return o.CloseWon(p, won, chAt(h, ""))
		}},
		{"CloseLost", false, func(o *opportunity.Opportunity) error {
			return o.CloseLost(p, opportunity.LostDetails{Reason: "price", Competitor: "Rival B"}, chAt(h, ""))
		}},
		{"Reopen", true, func(o *opportunity.Opportunity) error { return o.Reopen(p, "", chAt(2*h, "they called back")) }},
		{"SetAmount", false, func(o *opportunity.Opportunity) error {
			if err := o.SetLines(nil, chAt(h, "")); err != nil {
				return err
			}
			return o.SetAmount(money("7.00 CNY"), chAt(h, ""))
		}},
		{"SetLines", false, func(o *opportunity.Opportunity) error { return o.SetLines(nil, chAt(h, "")) }},
		{"ApproveDiscount", false, func(o *opportunity.Opportunity) error {
			return o.ApproveDiscount("AC", dec("0.6"), chAt(h, ""))
		}},
		{"OverrideProbability", false, func(o *opportunity.Opportunity) error {
			return o.OverrideProbability(0.9, chAt(h, "signed soon"))
		}},
		{"ClearProbabilityOverride", false, func(o *opportunity.Opportunity) error {
			return o.ClearProbabilityOverride(chAt(h, ""))
		}},
		{"SetForecastCategory", false, func(o *opportunity.Opportunity) error {
			return o.SetForecastCategory(opportunity.CategoryCommit, chAt(h, ""))
		}},
		{"SetCloseDate", false, func(o *opportunity.Opportunity) error { return o.SetCloseDate(date(2026, 7, 1), chAt(h, "")) }},
		{"SetNextStep", false, func(o *opportunity.Opportunity) error {
			return o.SetNextStep(opportunity.NextStep{Text: "visit", Due: date(2026, 3, 20)}, chAt(h, ""))
		}},
		{"SetContacts", false, func(o *opportunity.Opportunity) error {
			return o.SetContacts([]opportunity.Contact{{Name: "Mr Qian", Role: opportunity.User}}, chAt(h, ""))
		}},
		{"SetCompetitor/replace", false, func(o *opportunity.Opportunity) error {
			return o.SetCompetitor(opportunity.Competitor{Name: "Rival A", Status: opportunity.CompetitorTrailing}, chAt(h, ""))
		}},
		{"SetCompetitor/add", false, func(o *opportunity.Opportunity) error {
			return o.SetCompetitor(opportunity.Competitor{Name: "Rival C", Status: opportunity.CompetitorActive}, chAt(h, ""))
		}},
		{"RemoveCompetitor", false, func(o *opportunity.Opportunity) error { return o.RemoveCompetitor("Rival A", chAt(h, "")) }},
		{"SetOwner", false, func(o *opportunity.Opportunity) error { return o.SetOwner("sales-li", chAt(h, "hand-over")) }},
	}
	for _, tt := range tests {
		for _, side := range []string{"clone", "original"} {
			t.Run(tt.name+"/"+side, func(t *testing.T) {
				t.Parallel()
				base := cloneBase(t, p)
				if tt.closed {
					require.NoError(t, base.CloseLost(p, opportunity.LostDetails{Reason: "price", Competitor: "Rival A"}, chAt(time.Hour+2*time.Hour, "")))
					opportunity.SavedForTest(base, 4)
				}
				c := base.Clone()
				changed, kept := c, base
				if side == "original" {
					changed, kept = base, c
				}
				want, wantPending, wantEvents := kept.Record(), kept.PendingChanges(), kept.Events()
				before := changed.Record()
				require.NoError(t, tt.change(changed))
				require.NotEqual(t, before, changed.Record(), "the change changed nothing")
				require.Equal(t, want, kept.Record())
				require.Equal(t, wantPending, kept.PendingChanges())
				require.Equal(t, wantEvents, kept.Events())
				// The kept side can still change on its own, and that does
				// not show in the changed side either.
				after := changed.Record()
				require.NoError(t, kept.SetOwner("sales-zhou", chAt(4*time.Hour, "cover")))
				require.Equal(t, after, changed.Record())
			})
		}
	}
}

// TestClonesChangeConcurrently changes many clones of one opportunity at
// once, each in its own goroutine, while others read the original: the
// race detector must see no shared write.
func TestClonesChangeConcurrently(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	base := cloneBase(t, p)
	want := base.Record()
	clones := make([]*opportunity.Opportunity, 8)
	for i := range clones {
		clones[i] = base.Clone()
	}
	var wg sync.WaitGroup
	errs := make([]error, len(clones))
	for i, c := range clones {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := c.SetCompetitor(opportunity.Competitor{Name: "Rival A", Status: opportunity.CompetitorEliminated}, chAt(3*time.Hour, "")); err != nil {
				errs[i] = err
				return
			}
			errs[i] = c.ApproveDiscount("AC", dec("0.7"), chAt(3*time.Hour, ""))
		}()
		go func() {
			defer wg.Done()
			_ = base.Competitors()
			_ = base.Approvals()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, want, base.Record())
	for _, c := range clones {
		require.Equal(t, opportunity.CompetitorEliminated, c.Competitors()[0].Status)
		require.Len(t, c.Approvals(), 2)
	}
}
