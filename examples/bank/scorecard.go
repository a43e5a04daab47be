package main

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/scoring"
)

// ranking is how the branch ranks its managers, kept as data: sales 40%
// (won revenue, open pipeline and book value), service 30% (CSAT, churn and
// complaints, fewer being better) and contact 30%, the cadence kept. Only
// the junior managers ran 7+3 day plans this quarter, so visits are shown
// on the scorecards but not ranked.
func ranking() (*scoring.WeightedModel, error) {
	return scoring.NewWeightedModel(scoring.DimensionWeights{Financial: 0.4, Market: 0.3, Management: 0.3}, []scoring.Indicator{
		{Name: "won_revenue", Dimension: scoring.Financial, Weight: 0.5, Normalization: scoring.NormalizeRank},
		{Name: "pipeline", Dimension: scoring.Financial, Weight: 0.25, Normalization: scoring.NormalizeRank},
		{Name: "book_value", Dimension: scoring.Financial, Weight: 0.25, Normalization: scoring.NormalizeRank},
		{Name: "csat", Dimension: scoring.Market, Weight: 0.4, Normalization: scoring.NormalizeRank},
		{Name: "churn_rate", Dimension: scoring.Market, Weight: 0.4, Normalization: scoring.NormalizeRank, LowerIsBetter: true},
		{Name: "complaints", Dimension: scoring.Market, Weight: 0.2, Normalization: scoring.NormalizeRank, LowerIsBetter: true},
		{Name: "cadence_kept", Dimension: scoring.Management, Weight: 1, Normalization: scoring.NormalizeRank},
	})
}

// scorecards feeds the quarter's records into the managers' scorecards at
// now: every customer of the books (value, key account, churn, cadence
// state), the day plans, every cross-sell deal and every complaint of the
// quarter. It returns the cards, best first, and the customers overdue for
// contact at now.
func (b *branch) scorecards(now time.Time) ([]scoring.ManagerCard, []customer.OwnerOverdue, error) {
	model, err := ranking()
	if err != nil {
		return nil, nil, err
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
