package customer

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
)

// Tier is one level of a membership programme, with what qualifies a
// member for it and what it gives.
type Tier struct {
	// Name identifies the tier within its programme ("silver", "gold").
	Name string `json:"name"`
	// MinPoints is the least number of points that qualifies (0: none needed).
	MinPoints int64 `json:"min_points,omitempty"`
	// MinSpend is the least spend over a term that qualifies; the zero
	// Money means no spend is needed. All tiers of a programme that set it
	// use one currency.
	MinSpend crm.Money `json:"min_spend,omitzero"`
	// Benefits name what the tier gives ("free parking", "priority service").
	Benefits []string `json:"benefits,omitempty"`
}

// Programme is a membership programme (会员俱乐部, an owners' club, a
// venue's members) as data: its tiers from lowest to highest, what
// qualifies for each, the benefits named per tier, and the term a joining
// or renewal buys. A Programme is plain data held by the host; memberships
// name it by Name, and the methods that need its rules take it.
type Programme struct {
	// Name identifies the programme in a tenant (a relation key).
	Name string `json:"name"`
	// Tiers are ordered from the lowest (index 0, the entry tier) to the
	// highest; their thresholds never fall from one tier to the next.
	Tiers []Tier `json:"tiers"`
	// TermMonths is how long a joining or renewal lasts, 1 to MaxTermMonths.
	TermMonths int `json:"term_months"`
}

// Validate returns a *crm.ValidationError when p breaks a rule: a bad
// name, no tiers or more than MaxTiers, a repeated tier name, thresholds
// that fall or mix currencies, too many or overlong benefits, or a term
// outside 1..MaxTermMonths.
func (p Programme) Validate() error {
	var v crm.Validator
	checkRelKey(&v, "name", p.Name, true)
	v.Check(p.TermMonths >= 1 && p.TermMonths <= MaxTermMonths, "term_months", fmt.Sprintf("must be 1 to %d", MaxTermMonths))
	if !v.Check(len(p.Tiers) >= 1 && len(p.Tiers) <= MaxTiers, "tiers", fmt.Sprintf("must hold 1 to %d tiers", MaxTiers)) {
		return v.Err("customer.Programme")
	}
	seen := make(map[string]bool, len(p.Tiers))
	var cur crm.Currency
	for i, t := range p.Tiers {
		path := fmt.Sprintf("tiers[%d]", i)
		checkRelKey(&v, path+".name", t.Name, true)
		v.Check(!seen[t.Name], path+".name", "repeated")
		seen[t.Name] = true
		v.Check(t.MinPoints >= 0, path+".min_points", "must not be negative")
		checkValue(&v, path+".min_spend", t.MinSpend, false)
		if t.MinSpend != (crm.Money{}) && t.MinSpend.Validate() == nil {
			if cur.IsZero() {
				cur = t.MinSpend.Currency()
			}
			v.Check(t.MinSpend.Currency() == cur, path+".min_spend", "must be in the programme's one currency")
		}
		if i > 0 {
			prev := p.Tiers[i-1]
			v.Check(t.MinPoints >= prev.MinPoints, path+".min_points", "must not be below the tier beneath")
			v.Check(spendOf(t).GreaterThanOrEqual(spendOf(prev)), path+".min_spend", "must not be below the tier beneath")
		}
		if v.Check(len(t.Benefits) <= MaxBenefits, path+".benefits", fmt.Sprintf("at most %d", MaxBenefits)) {
			for j, b := range t.Benefits {
				checkLineText(&v, fmt.Sprintf("%s.benefits[%d]", path, j), b, MaxBenefitLen, true, false)
			}
		}
	}
	return v.Err("customer.Programme")
}

// Tier returns the tier named name and its index (0 the lowest), or false.
func (p Programme) Tier(name string) (Tier, int, bool) {
	i := slices.IndexFunc(p.Tiers, func(t Tier) bool { return t.Name == name })
	if i < 0 {
		return Tier{}, -1, false
	}
	t := p.Tiers[i]
	t.Benefits = slices.Clone(t.Benefits)
	return t, i, true
}

// Qualify returns the highest tier whose thresholds points and spend both
// meet (spend in the programme's currency; the zero Money for none). A
// spend in another currency is an error matching crm.ErrInvalid, as is an
// invalid programme. Every programme has an entry tier: a programme whose
// lowest tier sets thresholds the figures miss returns ok false.
func (p Programme) Qualify(points int64, spend crm.Money) (tier Tier, ok bool, err error) {
	if err := p.Validate(); err != nil {
		return Tier{}, false, err
	}
	for i := len(p.Tiers) - 1; i >= 0; i-- {
		t := p.Tiers[i]
		if points < t.MinPoints {
			continue
		}
		if t.MinSpend != (crm.Money{}) && !t.MinSpend.IsZero() {
			if spend == (crm.Money{}) {
				continue
			}
			if spend.Currency() != t.MinSpend.Currency() {
				return Tier{}, false, crm.Invalid("customer.Programme.Qualify", "spend", "must be in the programme's currency "+t.MinSpend.Currency().Code())
			}
			if spend.Amount().LessThan(t.MinSpend.Amount()) {
				continue
			}
		}
		t.Benefits = slices.Clone(t.Benefits)
		return t, true, nil
	}
	return Tier{}, false, nil
}

// spendOf returns t's spend threshold as a decimal (0 when unset).
func spendOf(t Tier) decimal.Decimal {
	if t.MinSpend == (crm.Money{}) {
		return decimal.Decimal{}
	}
	return t.MinSpend.Amount()
}

// termEnd returns the end of a term of months starting at from: the same
// day and time months later, in UTC (AddDate normalises 31 Jan + 1 month).
func termEnd(from time.Time, months int) time.Time {
	return from.UTC().AddDate(0, months, 0)
}
