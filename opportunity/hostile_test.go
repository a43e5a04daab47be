package opportunity_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
)

// TestHostileInput feeds what a careless or hostile host might: huge
// strings, invalid UTF-8, forged lines and rule sets beyond the limits.
// Each is refused with crm.ErrInvalid and changes nothing.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("x", 1<<20)
	okLine, err := opportunity.NewLine(opportunity.LineInput{Code: "X", Quantity: dec("1"), UnitPrice: money("10.00 CNY")})
	require.NoError(t, err)
	tests := []struct {
		name string
		do   func(o *opportunity.Opportunity, p *opportunity.Pipeline) error
	}{
		{"huge lost reason", func(o *opportunity.Opportunity, p *opportunity.Pipeline) error {
			p.LostReasons = nil
			return o.CloseLost(p, opportunity.LostDetails{Reason: huge}, chAt(time.Hour, ""))
		}},
		{"invalid UTF-8 lost notes", func(o *opportunity.Opportunity, p *opportunity.Pipeline) error {
			return o.CloseLost(p, opportunity.LostDetails{Reason: "price", Notes: "\xff\xfe"}, chAt(time.Hour, ""))
		}},
		{"huge stage code", func(o *opportunity.Opportunity, p *opportunity.Pipeline) error {
			return o.MoveStage(p, huge, chAt(time.Hour, ""))
		}},
		{"huge competitor strengths", func(o *opportunity.Opportunity, _ *opportunity.Pipeline) error {
			return o.SetCompetitor(opportunity.Competitor{Name: "Gree", Strengths: huge, Status: opportunity.CompetitorActive}, chAt(time.Hour, ""))
		}},
		{"forged adjustment kind", func(o *opportunity.Opportunity, _ *opportunity.Pipeline) error {
			l := okLine
			l.Adjustments = []opportunity.Adjustment{{Kind: 99, Percent: dec("0")}}
			return o.SetLines([]opportunity.Line{l}, chAt(time.Hour, ""))
		}},
		{"forged surcharge beyond 1000%", func(o *opportunity.Opportunity, _ *opportunity.Pipeline) error {
			l := okLine
			l.Adjustments = []opportunity.Adjustment{{Kind: opportunity.AdjustSeason, Percent: dec("11")}}
			l.Discount = dec("-11")
			l.Total = money("120.00 CNY")
			return o.SetLines([]opportunity.Line{l}, chAt(time.Hour, ""))
		}},
		{"forged manual surcharge", func(o *opportunity.Opportunity, _ *opportunity.Pipeline) error {
			l := okLine
			l.Adjustments = []opportunity.Adjustment{{Kind: opportunity.AdjustManual, Percent: dec("0.5")}}
			l.Discount = dec("-0.5")
			l.Total = money("15.00 CNY")
			return o.SetLines([]opportunity.Line{l}, chAt(time.Hour, ""))
		}},
		{"too many adjustments", func(o *opportunity.Opportunity, _ *opportunity.Pipeline) error {
			l := okLine
			l.Adjustments = make([]opportunity.Adjustment, opportunity.MaxAdjustments+1)
			for i := range l.Adjustments {
				l.Adjustments[i] = opportunity.Adjustment{Kind: opportunity.AdjustSeason}
			}
			return o.SetLines([]opportunity.Line{l}, chAt(time.Hour, ""))
		}},
		{"huge line code", func(o *opportunity.Opportunity, _ *opportunity.Pipeline) error {
			_, err := opportunity.NewLine(opportunity.LineInput{Code: huge, Quantity: dec("1"), UnitPrice: money("10.00 CNY")})
			return err
		}},
		{"list price with 18 decimal places", func(o *opportunity.Opportunity, _ *opportunity.Pipeline) error {
			_, err := opportunity.NewLine(opportunity.LineInput{Code: "X", Quantity: dec("1"), UnitPrice: money("0.000000000000000001 CNY")})
			return err
		}},
		{"pipeline with a huge code", func(o *opportunity.Opportunity, p *opportunity.Pipeline) error {
			p.Code = huge
			return o.MoveStage(p, "needs", chAt(time.Hour, ""))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := testPipeline(t)
			o := newOpp(t, p)
			before := o.Record()
			err := tt.do(o, p)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Less(t, len(err.Error()), 4096, "errors quote inputs briefly")
			require.Equal(t, before, o.Record())
		})
	}
	t.Run("rule set beyond the limit", func(t *testing.T) {
		t.Parallel()
		r := testRules()
		r.Tiers = make([]opportunity.VolumeTier, opportunity.MaxPricingRules+1)
		err := r.Validate()
		require.ErrorIs(t, err, crm.ErrInvalid)
	})
}
