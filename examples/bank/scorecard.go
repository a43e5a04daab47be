package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/scoring"
)

// rankingWeights and rankingIndicators are how the branch ranks its
// managers, kept as data: sales (financial) 40% on won revenue, open
// pipeline and book value; service (market) 30% on CSAT, churn and
// complaints, fewer being better; contact (management) 30% on the cadence
// kept. Only the junior managers ran 7+3 day plans this quarter, so visits
// are shown on the scorecards but not ranked.
var (
	rankingWeights    = scoring.DimensionWeights{Financial: 0.4, Market: 0.3, Management: 0.3}
	rankingIndicators = []scoring.Indicator{
		{Name: "won_revenue", Dimension: scoring.Financial, Weight: 0.5, Normalization: scoring.NormalizeRank},
		{Name: "pipeline", Dimension: scoring.Financial, Weight: 0.25, Normalization: scoring.NormalizeRank},
		{Name: "book_value", Dimension: scoring.Financial, Weight: 0.25, Normalization: scoring.NormalizeRank},
		{Name: "csat", Dimension: scoring.Market, Weight: 0.4, Normalization: scoring.NormalizeRank},
		{Name: "churn_rate", Dimension: scoring.Market, Weight: 0.4, Normalization: scoring.NormalizeRank, LowerIsBetter: true},
		{Name: "complaints", Dimension: scoring.Market, Weight: 0.2, Normalization: scoring.NormalizeRank, LowerIsBetter: true},
		{Name: "cadence_kept", Dimension: scoring.Management, Weight: 1, Normalization: scoring.NormalizeRank},
	}
)

// rankingText describes the ranking model, one line per dimension.
func rankingText(m *scoring.WeightedModel) []string {
	var lines []string
	for _, d := range []struct {
		name   string
		dim    scoring.Dimension
		weight float64
	}{{"sales", scoring.Financial, rankingWeights.Financial}, {"service", scoring.Market, rankingWeights.Market},
		{"contact", scoring.Management, rankingWeights.Management}} {
		var inds []string
		for _, ind := range m.Indicators() {
			if ind.Dimension == d.dim {
				w := fmt.Sprintf("%s %.0f%%", ind.Name, 100*ind.Weight)
				if ind.LowerIsBetter {
					w += " (lower is better)"
				}
				inds = append(inds, w)
			}
		}
		lines = append(lines, fmt.Sprintf("%-8s %3.0f%%: %s", d.name, 100*d.weight, strings.Join(inds, ", ")))
	}
	return lines
}

// scorecards feeds the quarter's records into the managers' scorecards at
// now: every customer of the books (value, key account, churn, cadence
// state), the day plans, every cross-sell deal and every complaint of the
// quarter. It returns the cards, best first, and the customers overdue for
// contact at now.
func (b *branch) scorecards(now time.Time) ([]scoring.ManagerCard, []customer.OwnerOverdue, error) {
	model, err := scoring.NewWeightedModel(rankingWeights, rankingIndicators)
	if err != nil {
		return nil, nil, err
	}
	b.printf("   ranking of the managers:\n")
	for _, l := range rankingText(model) {
		b.printf("     %s\n", l)
	}
	// The visit target counts the days the branch ran day plans.
	planned := map[customer.Date]bool{}
	for _, days := range b.dayPlans {
		for _, d := range days {
			planned[d.Day] = true
		}
	}
	sc, err := scoring.NewManagerScorecard(scoring.ManagerScorecardOptions{Currency: cny,
		WorkingDays: len(planned), VisitTarget: scoring.VisitTarget{New: 7, Return: 3}, Ranking: model})
	if err != nil {
		return nil, nil, err
	}
	over, err := b.people.OverdueForContact(b.ctx, tenant, b.cadence, now, customer.OverdueQuery{})
	if err != nil {
		return nil, nil, err
	}
	overdue := map[crm.ID]bool{}
	for _, o := range over {
		for _, c := range o.Contacts {
			overdue[c.Customer.ID()] = true
		}
	}
	cs, err := b.list(customer.Query{Stage: customer.Mature})
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cs {
		m := scoring.BookMember{Manager: c.Owner(), Value: decimal.NewFromFloat(b.value[c.ID()]).Shift(3), Key: c.KeyAccount(),
			Churned: c.Lifecycle() == customer.Churned}
		switch {
		case b.cadence.Rule(c) < 0:
		case overdue[c.ID()]:
			m.Cadence = scoring.CadenceOverdue
		default:
			m.Cadence = scoring.CadenceKept
		}
		if err := sc.AddMember(m); err != nil {
			return nil, nil, err
		}
	}
	for m, days := range b.dayPlans {
		for _, d := range days {
			if err := sc.AddVisits(scoring.VisitDay{Manager: m, Day: time.Date(d.Day.Year, d.Day.Month, d.Day.Day, 0, 0, 0, 0, b.loc),
				PlannedNew: d.PlannedNew, PlannedReturn: d.PlannedReturn, DoneNew: d.DoneNew, DoneReturn: d.DoneReturn}); err != nil {
				return nil, nil, err
			}
		}
	}
	deals, err := b.sales.Deals(b.ctx, tenant, opportunity.Query{})
	if err != nil {
		return nil, nil, err
	}
	outcomes := map[opportunity.Status]scoring.DealOutcome{opportunity.Open: scoring.DealOpen, opportunity.Won: scoring.DealWon, opportunity.Lost: scoring.DealLost}
	for _, d := range deals {
		if err := sc.AddDeal(scoring.Deal{Manager: d.Owner, Outcome: outcomes[d.Status], Amount: d.Amount.Amount(), Probability: d.Probability}); err != nil {
			return nil, nil, err
		}
	}
	cps, err := b.complaints(b.at(time.April, 1, 0, 0), now)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cps {
		f := scoring.ComplaintFact{Manager: c.Owner()}
		if sv, ok := c.Survey(); ok {
			f.CSAT = sv.CSAT
		}
		if err := sc.AddComplaint(f); err != nil {
			return nil, nil, err
		}
	}
	cards, err := sc.Cards()
	return cards, over, err
}

// complaints returns the complaints received in [from, to).
func (b *branch) complaints(from, to time.Time) ([]*complaint.Complaint, error) {
	var out []*complaint.Complaint
	q := complaint.Query{ReceivedFrom: from, ReceivedTo: to}
	page := crm.PageRequest{}
	for {
		p, err := b.desk.List(b.ctx, tenant, q, page)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out, nil
		}
		page.Cursor = p.Next
	}
}
