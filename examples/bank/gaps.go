package main

import (
	"cmp"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/scoring"
)

// The steps in this file are computed by the host from library data
// until the library offers them (issue 12); each is marked GAP with the
// package feature that will replace it.

// cadenceRule is how often a class of customers must be contacted: tag
// is the class's tag on the customer, every the most business days
// between two contacts.
type cadenceRule struct {
	tag, label string
	every      int
}

// overdueContact is one customer overdue for contact.
type overdueContact struct {
	name string
	rule cadenceRule
	last time.Time
	days int // business days since the last contact
}

// overdueForContact finds, per owner, the customers whose last contact is
// more than their class's cadence ago in business days of cal, and the
// share of each owner's customers under a rule that are not overdue.
// A customer follows the first rule whose tag it carries; one under no
// rule is not counted. A customer never contacted counts from its
// creation. A customer exactly at its cadence is not overdue.
//
// GAP(customer: contact cadence rules per class and the query of customers
// overdue for contact per owner, in business days): inputs are the
// cadence rules (class -> business days), the customers with their owner
// and class, each customer's last contact (kept by the library from its
// interactions), the business calendar and now; outputs are, per owner,
// the overdue customers with their last contact and business days since,
// and the share of the book within cadence.
func overdueForContact(cal *calendar.Calendar, rules []cadenceRule, cs []*customer.Customer, last map[crm.ID]time.Time, now time.Time) (map[crm.UserID][]overdueContact, map[crm.UserID]float64) {
	over := map[crm.UserID][]overdueContact{}
	ruled, ok := map[crm.UserID]int{}, map[crm.UserID]int{}
	for _, c := range cs {
		i := slices.IndexFunc(rules, func(r cadenceRule) bool { return c.HasTag(r.tag) })
		if i < 0 {
			continue
		}
		from, contacted := last[c.ID()]
		if !contacted {
			from = c.CreatedAt()
		}
		// The branch works 8 hours a day: whole business days are whole
		// 8-hour runs of working time (the library feature will count
		// working days of any calendar).
		days := int(cal.Between(from, now) / (8 * time.Hour))
		ruled[c.Owner()]++
		if days <= rules[i].every {
			ok[c.Owner()]++
			continue
		}
		over[c.Owner()] = append(over[c.Owner()], overdueContact{name: c.Name(), rule: rules[i], last: from, days: days})
	}
	kept := map[crm.UserID]float64{}
	for m, n := range ruled {
		kept[m] = float64(ok[m]) / float64(n)
	}
	for _, list := range over {
		slices.SortFunc(list, func(a, b overdueContact) int { return cmp.Or(cmp.Compare(b.days, a.days), cmp.Compare(a.name, b.name)) })
	}
	return over, kept
}

// scorecard is one manager's quarter.
type scorecard struct {
	manager                                        crm.UserID
	book, key, churned                             int
	value                                          float64 // annual contribution of the book, thousand CNY
	daysPlanned, daysAchieved, doneNew, doneReturn int
	cadenceKept                                    float64
	complaints, surveys                            int
	csat, satisfied                                float64 // mean score and share of 4 or 5
	pipeline, won                                  crm.Money
}

// scorecards builds every manager's scorecard at the end of the quarter,
// and returns the customers overdue for contact then.
//
// GAP(scoring: manager scorecards): inputs are each manager's book (the
// customers they own, with the value the host gives each, key accounts
// and lifecycle), the day-plan checks of the quarter (7+3), the cadence
// result, and the manager's open and won opportunities; outputs are, per
// manager, book size and value, key customers, visits done and days
// that achieved 7+3, cadence kept, open weighted pipeline, won revenue
// customers churned, complaints received and their CSAT.
func (b *branch) scorecards(now time.Time) ([]scorecard, map[crm.UserID][]overdueContact, error) {
	over, kept, err := b.overdue(now)
	if err != nil {
		return nil, nil, err
	}
	pipe, err := b.sales.Forecast(b.ctx, tenant, opportunity.Query{Statuses: []opportunity.Status{opportunity.Open}},
		opportunity.ForecastOptions{Currency: cny, By: opportunity.ByOwner})
	if err != nil {
		return nil, nil, err
	}
	won, err := b.sales.Forecast(b.ctx, tenant, opportunity.Query{Statuses: []opportunity.Status{opportunity.Won}},
		opportunity.ForecastOptions{Currency: cny, By: opportunity.ByOwner})
	if err != nil {
		return nil, nil, err
	}
	var cards []scorecard
	for _, m := range managers {
		if m == wu {
			continue // left the branch; his book is with the others
		}
		c := scorecard{manager: m, cadenceKept: kept[m], pipeline: crm.Zero(cny), won: crm.Zero(cny)}
		cs, err := b.list(customer.Query{Owner: m, Stage: customer.Mature})
		if err != nil {
			return nil, nil, err
		}
		for _, cu := range cs {
			if cu.Lifecycle() == customer.Churned {
				c.churned++
				continue
			}
			c.book++
			c.value += b.value[cu.ID()]
			if cu.KeyAccount() {
				c.key++
			}
		}
		for _, d := range b.dayPlans[m] {
			c.daysPlanned++
			c.doneNew += d.DoneNew
			c.doneReturn += d.DoneReturn
			if d.Achieved {
				c.daysAchieved++
			}
		}
		cps, err := b.complaints(m, now)
		if err != nil {
			return nil, nil, err
		}
		var answers []int
		for _, cp := range cps {
			c.complaints++
			if sv, ok := cp.Survey(); ok {
				answers = append(answers, sv.CSAT)
			}
		}
		if len(answers) > 0 {
			r, err := scoring.CSAT(answers, &scoring.CSATScale{Min: 1, Max: 5, SatisfiedFrom: 4})
			if err != nil {
				return nil, nil, err
			}
			c.surveys, c.csat, c.satisfied = r.Responses, r.Mean, r.Satisfied
		}
		for _, r := range pipe {
			if r.Key == string(m) {
				c.pipeline = r.Weighted
			}
		}
		for _, r := range won {
			if r.Key == string(m) {
				c.won = r.Amount
			}
		}
		cards = append(cards, c)
	}
	return cards, over, nil
}

// complaints returns the complaints a manager was accountable for in the
// quarter up to now.
func (b *branch) complaints(m crm.UserID, now time.Time) ([]*complaint.Complaint, error) {
	var out []*complaint.Complaint
	q := complaint.Query{Owner: m, ReceivedFrom: b.at(time.April, 1, 0, 0), ReceivedTo: now}
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
