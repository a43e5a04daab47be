package customer

import (
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// Figures are what one customer's referrals and suggestions are worth over
// a period: the inputs of the referral (推荐价值) and suggestion (建议价值)
// indicators of the weighted value model (package scoring).
type Figures struct {
	// Referrals counts the referrals the customer made in the period.
	Referrals int
	// Converted counts the customer's referrals converted in the period
	// (whenever they were made), and ReferredRevenue sums their won value.
	Converted       int
	ReferredRevenue crm.Money
	// Suggestions counts the suggestions the customer made in the period.
	Suggestions int
	// Adopted counts the customer's suggestions adopted in the period
	// (whenever they were made), and AdoptedValue sums their value.
	Adopted      int
	AdoptedValue crm.Money
}

// ReferralValue returns ReferredRevenue as a float64, the raw value of a
// referral indicator (statistics are float64; the sums stay exact).
func (f Figures) ReferralValue() float64 { return f.ReferredRevenue.Amount().InexactFloat64() }

// SuggestionValue returns AdoptedValue as a float64, the raw value of a
// suggestion indicator.
func (f Figures) SuggestionValue() float64 { return f.AdoptedValue.Amount().InexactFloat64() }

// RelationValues aggregates referrals and suggestions, per referrer and
// per author, over the period [from, to) (either bound may be zero:
// unbounded), so that a customer's referral and suggestion value come from
// records rather than typed-in figures. A referral counts as made when it
// was referred in the period and as converted when its conversion fell in
// the period; likewise a suggestion as made and as adopted. Money sums are
// exact, in currency: every customer that appears gets zero amounts in it,
// and a value in another currency is refused. A nil record, records of
// more than one tenant, or a bad period or currency are refused with a
// *crm.ValidationError; pure, no I/O.
func RelationValues(referrals []*Referral, suggestions []*Suggestion, from, to time.Time, currency crm.Currency) (map[crm.ID]Figures, error) {
	const op = "customer.RelationValues"
	var v crm.Validator
	v.Check(!currency.IsZero(), "currency", "required")
	checkPeriodQuery(&v, "period", from, to)
	if err := v.Err(op); err != nil {
		return nil, err
	}
	out := make(map[crm.ID]Figures)
	var tenant crm.TenantID
	sameTenant := func(path string, t crm.TenantID) bool {
		if tenant == "" {
			tenant = t
		}
		return v.Check(t == tenant, path, "of another tenant")
	}
	get := func(id crm.ID) Figures {
		f, ok := out[id]
		if !ok {
			f.ReferredRevenue, f.AdoptedValue = crm.Zero(currency), crm.Zero(currency)
		}
		return f
	}
	for i, r := range referrals {
		path := fmt.Sprintf("referrals[%d]", i)
		if !v.Check(r != nil && !r.id.IsZero(), path, "must be built with NewReferral or ReferralFromRecord") ||
			!sameTenant(path+".tenant", r.tenant) {
			continue
		}
		f := get(r.referrer)
		if inPeriod(r.createdAt, from, to) {
			f.Referrals++
		}
		if r.outcome == ReferralConverted && inPeriod(r.decidedAt, from, to) {
			sum, err := f.ReferredRevenue.Add(r.value)
			if !v.Check(err == nil, path+".value", "must be in "+currency.Code()) {
				continue
			}
			f.Converted++
			f.ReferredRevenue = sum
		}
		out[r.referrer] = f
	}
	for i, s := range suggestions {
		path := fmt.Sprintf("suggestions[%d]", i)
		if !v.Check(s != nil && !s.id.IsZero(), path, "must be built with NewSuggestion or SuggestionFromRecord") ||
			!sameTenant(path+".tenant", s.tenant) {
			continue
		}
		f := get(s.author)
		if inPeriod(s.createdAt, from, to) {
			f.Suggestions++
		}
		if s.status == SuggestionAdopted && inPeriod(s.decidedAt, from, to) {
			sum, err := f.AdoptedValue.Add(s.value)
			if !v.Check(err == nil, path+".value", "must be in "+currency.Code()) {
				continue
			}
			f.Adopted++
			f.AdoptedValue = sum
		}
		out[s.author] = f
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	return out, nil
}
