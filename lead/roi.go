package lead

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
)

// WonOpportunity is a won deal as attribution needs it: plain input, so
// that this package needs nothing from the opportunity package.
type WonOpportunity struct {
	ID crm.ID
	// Amount is the won revenue; it must not be negative and must be in
	// whole minor units of its currency.
	Amount crm.Money
	// WonAt is when the deal was won; touches after it are ignored.
	WonAt time.Time
	// Touches are the campaign touches of the deal's lead and contacts.
	Touches []CampaignTouch
}

// CampaignTouch is one contact of a campaign with a deal's buyer.
type CampaignTouch struct {
	Campaign crm.ID
	At       time.Time
}

// CampaignReport is one campaign's cost and return.
type CampaignReport struct {
	Campaign crm.ID
	Name     string
	// Cost is the campaign's actual cost.
	Cost crm.Money
	// Revenue is the won revenue attributed to the campaign.
	Revenue crm.Money
	// ROI = (Revenue − Cost) ÷ Cost, rounded half away from zero to 6 decimal
	// places; HasROI is false (and ROI zero) when Cost is zero.
	ROI    decimal.Decimal
	HasROI bool
	// Leads counts the leads the campaign touched (any touch names it);
	// Qualified those of them that ever reached qualified.
	Leads     int
	Qualified int
	// Members and Responses count the campaign's members and those of
	// them who responded (a capture naming the campaign adds both, once
	// per person: see [CampaignOutcome]).
	Members, Responses int
	// Won counts the won opportunities the model credited to the campaign
	// (under Linear, every deal it touched).
	Won int
	// CostPerLead, CostPerQualified and CostPerWon are Cost divided by the
	// counts, rounded half-even to minor units; the zero Money (no
	// currency) when the count is 0.
	CostPerLead, CostPerQualified, CostPerWon crm.Money
}

// ROIReport is the outcome of [CampaignReports].
type ROIReport struct {
	Model     Attribution
	Campaigns []CampaignReport
	// Unattributed is the won revenue no given campaign touched.
	Unattributed crm.Money
}

// campaignAcc accumulates one campaign's figures.
type campaignAcc struct {
	rev      int64           // minor units
	revBig   decimal.Decimal // minor units that overflowed rev
	won      int
	leads    int
	qual     int
	lastLead int // index+1 of the last lead counted, to count a lead once
}

// CampaignReports attributes the won revenue of opps to campaigns under
// model and reports, per campaign (in the order given), the attributed
// revenue, ROI, and cost per lead, per qualified lead and per won
// opportunity. leads may be nil (lead counts are then 0). Every campaign
// must belong to one tenant; leads of another tenant are not counted.
//
// Attribution looks at an opportunity's touches of the given campaigns on
// or before its WonAt (touches of other campaigns, and later ones, are
// ignored): FirstTouch credits the whole amount to the earliest touch,
// LastTouch to the latest (ties to the earlier in the list), Linear splits
// it equally among the distinct campaigns touched, the minor units left
// over going one each to the earliest-touching campaigns, so the parts
// sum exactly to the amount. An opportunity with no such touch adds to
// Unattributed.
//
// Every cost and amount must be in one currency: a campaign cost or an
// amount in another returns an error matching crm.ErrCurrencyMismatch. An
// unknown model, an empty or repeated campaign, a negative amount or one
// not in whole minor units return errors matching crm.ErrInvalid.
func CampaignReports(campaigns []*Campaign, leads iter.Seq[*Lead], opps iter.Seq[WonOpportunity], model Attribution) (ROIReport, error) {
	const op = "lead.CampaignReports"
	if !model.Valid() {
		return ROIReport{}, crm.Invalid(op, "model", "unknown attribution model")
	}
	if len(campaigns) == 0 {
		return ROIReport{}, crm.Invalid(op, "campaigns", "must not be empty")
	}
	idx := make(map[crm.ID]int, len(campaigns))
	cur := campaigns[0].cost.Currency()
	for i, c := range campaigns {
		if c == nil {
			return ROIReport{}, crm.Invalid(op, fmt.Sprintf("campaigns[%d]", i), "nil campaign")
		}
		if c.tenant != campaigns[0].tenant {
			return ROIReport{}, crm.Invalid(op, fmt.Sprintf("campaigns[%d]", i), "of another tenant than campaigns[0]")
		}
		if _, dup := idx[c.id]; dup {
			return ROIReport{}, crm.Invalid(op, fmt.Sprintf("campaigns[%d]", i), "repeated campaign")
		}
		if c.cost.Currency() != cur {
			return ROIReport{}, fmt.Errorf("lead: campaign reports: campaign %s costs %s, campaign %s %s: %w",
				c.id, c.cost.Currency(), campaigns[0].id, cur, crm.ErrCurrencyMismatch)
		}
		idx[c.id] = i
	}
	acc := make([]campaignAcc, len(campaigns))
	var unattr int64
	unattrBig := decimal.Zero
	addTo := func(sum *int64, big *decimal.Decimal, x int64) {
		s, carry := bits.Add64(uint64(*sum), uint64(x), 0)
		if carry != 0 || s > math.MaxInt64 {
			*big = big.Add(decimal.NewFromInt(*sum))
			*sum = x
			return
		}
		*sum = int64(s)
	}
	var touched []int      // campaign indexes of one opportunity, in touch order
	var scratch []touchRef // Linear's work list, reused
	var errs []error
	if opps != nil {
		for o := range opps {
			if o.Amount.Currency() != cur {
				errs = append(errs, fmt.Errorf("lead: campaign reports: opportunity %s is in %s, costs in %s: %w",
					o.ID, o.Amount.Currency(), cur, crm.ErrCurrencyMismatch))
				break
			}
			minor, err := o.Amount.MinorUnits()
			if err == nil && minor < 0 {
				err = crm.Invalid(op, "amount", "must not be negative")
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("lead: campaign reports: opportunity %s: %w", o.ID, err))
				break
			}
			touched, scratch = attributed(touched[:0], scratch[:0], o, idx, model)
			if len(touched) == 0 {
				addTo(&unattr, &unattrBig, minor)
				continue
			}
			share, rest := minor/int64(len(touched)), minor%int64(len(touched))
			for k, ci := range touched {
				part := share
				if int64(k) < rest {
					part++
				}
				addTo(&acc[ci].rev, &acc[ci].revBig, part)
				acc[ci].won++
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return ROIReport{}, err
	}
	if leads != nil {
		li := 0
		for l := range leads {
			li++
			if l == nil || l.tenant != campaigns[0].tenant {
				continue
			}
			qualified := !l.reached[StageQualified-1].IsZero()
			for _, t := range l.touches {
				ci, ok := idx[t.Source.Campaign]
				if !ok || t.Source.Campaign.IsZero() || acc[ci].lastLead == li {
					continue
				}
				acc[ci].lastLead = li
				acc[ci].leads++
				if qualified {
					acc[ci].qual++
				}
			}
		}
	}
	rep := ROIReport{Model: model, Campaigns: make([]CampaignReport, len(campaigns))}
	minorExp := -cur.MinorUnits()
	toMoney := func(sum int64, big decimal.Decimal) (crm.Money, error) {
		return crm.NewMoney(big.Add(decimal.NewFromInt(sum)).Shift(minorExp), cur)
	}
	var err error
	if rep.Unattributed, err = toMoney(unattr, unattrBig); err != nil {
		return ROIReport{}, fmt.Errorf("lead: campaign reports: unattributed revenue: %w", err)
	}
	for i, c := range campaigns {
		a := &acc[i]
		r := CampaignReport{Campaign: c.id, Name: c.name, Cost: c.cost, Leads: a.leads, Qualified: a.qual, Won: a.won,
			Members: len(c.members), Responses: c.Responses()}
		if r.Revenue, err = toMoney(a.rev, a.revBig); err != nil {
			return ROIReport{}, fmt.Errorf("lead: campaign reports: campaign %s revenue: %w", c.id, err)
		}
		if c.cost.IsPositive() {
			r.ROI = r.Revenue.Amount().Sub(c.cost.Amount()).DivRound(c.cost.Amount(), 6)
			r.HasROI = true
		}
		per := func(n int) crm.Money {
			if n == 0 {
				return crm.Money{}
			}
			m, err := c.cost.Div(decimal.NewFromInt(int64(n)), crm.RoundHalfEven)
			if err != nil {
				return crm.Money{}
			}
			return m
		}
		r.CostPerLead, r.CostPerQualified, r.CostPerWon = per(a.leads), per(a.qual), per(a.won)
		rep.Campaigns[i] = r
	}
	return rep, nil
}

// touchRef is a touch of a known campaign, by the campaign's index.
type touchRef struct {
	ci int
	at time.Time
}

// attributed appends to dst the indexes of the campaigns o's amount is
// credited to under model, in touch order; order is scratch space, returned
// for reuse.
func attributed(dst []int, order []touchRef, o WonOpportunity, idx map[crm.ID]int, model Attribution) ([]int, []touchRef) {
	best := -1
	var bestAt time.Time
	for _, t := range o.Touches {
		if !o.WonAt.IsZero() && t.At.After(o.WonAt) {
			continue
		}
		ci, ok := idx[t.Campaign]
		if !ok {
			continue
		}
		switch model {
		case FirstTouch:
			if best < 0 || t.At.Before(bestAt) {
				best, bestAt = ci, t.At
			}
		case LastTouch:
			if best < 0 || t.At.After(bestAt) {
				best, bestAt = ci, t.At
			}
		default:
			order = append(order, touchRef{ci, t.At})
		}
	}
	if model != Linear {
		if best >= 0 {
			dst = append(dst, best)
		}
		return dst, order
	}
	// Distinct campaigns, ordered by their earliest touch: sort the
	// touches' campaigns by time once, keeping the first of each.
	slices.SortStableFunc(order, func(a, b touchRef) int { return a.at.Compare(b.at) })
	for _, x := range order {
		if !slices.Contains(dst, x.ci) {
			dst = append(dst, x.ci)
		}
	}
	return dst, order
}
