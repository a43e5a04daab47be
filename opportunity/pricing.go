package opportunity

import (
	"cmp"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
)

// Limits on pricing rules.
const (
	MaxPricingRules = 100000 // price entries, tiers, terms and seasons together
	MaxPriceLines   = 1000   // lines in one PriceRequest
)

// PriceList holds unit list prices in one currency for one customer class
// (客户定价).
type PriceList struct {
	// ID names the list in explanations. Required.
	ID string
	// Class is the customer class the list is for; zero for every class.
	// A class's own list wins over the general list for the same code.
	Class customer.Class
	// Prices are the unit prices by product or service code, each code
	// once, in the rules' currency.
	Prices []ListPrice
}

// ListPrice is one product's or service's unit price on a [PriceList].
type ListPrice struct {
	Code  string
	Price crm.Money
}

// VolumeTier is a discount for ordering a quantity in [Min, Max) of one
// code on one line (销量定价).
type VolumeTier struct {
	// ID names the tier in explanations. Required.
	ID string
	// Code is the product or service the tier is for; "" for every code.
	// A code's own tiers win over the general tiers.
	Code string
	// Class limits the tier to one customer class; zero for every class.
	// A class's own tiers win over the tiers for every class.
	Class customer.Class
	// Min is the smallest quantity the tier covers; Max the first it no
	// longer covers (zero: no upper bound). Tiers of the same code and
	// class must not overlap.
	Min, Max decimal.Decimal
	// Discount is a fraction in [0, 1].
	Discount decimal.Decimal
}

// PaymentTerm adjusts the price by the days the customer takes to pay
// (回款周期定价): paying early earns a discount, paying late a surcharge.
type PaymentTerm struct {
	// ID names the rule in explanations. Required.
	ID string
	// FromDays and ToDays bound the payment term in days, both included.
	// Terms must not overlap.
	FromDays, ToDays int
	// Percent is the signed change: -0.02 is 2% off, 0.03 3% on.
	Percent decimal.Decimal
}

// Season is a seasonal promotion or surcharge (季节性促销定价) between two
// dates, both included.
type Season struct {
	// ID names the rule in explanations. Required.
	ID string
	// From and To are the first and last day. Required.
	From, To calendar.Date
	// Codes limits the season to some products; empty for every code.
	Codes []string
	// Percent is the signed change: -0.1 is 10% off.
	Percent decimal.Decimal
}

// PricingRules are a tenant's pricing rules as data. A [Pricer] built from
// them prices each line in this documented order:
//
//  1. the list price: the customer class's own price list if it lists the
//     code, else the general list; a code on no list is an error;
//  2. the volume tier covering the line's quantity: the code's own tiers
//     for the class, then the code's tiers for every class, then the
//     general tiers for the class, then the general tiers for every class
//     (the first group holding a covering tier decides);
//  3. the payment term covering the request's payment days;
//  4. the first season, in list order, covering the request's date and the
//     code;
//  5. the manual discount of the request line.
//
// Each step that applies multiplies the price by (1 + Percent) and is
// recorded on the line as an [Adjustment]. A line whose total discount
// exceeds ApprovalThreshold needs approval ([Line.NeedsApproval]).
type PricingRules struct {
	// Currency is the currency of every price. Required.
	Currency crm.Currency
	// PriceLists, Tiers, Terms and Seasons are the rules.
	PriceLists []PriceList
	Tiers      []VolumeTier
	Terms      []PaymentTerm
	Seasons    []Season
	// ApprovalThreshold is the largest total discount a salesperson may
	// give without approval, as a fraction; zero means no approval is ever
	// needed.
	ApprovalThreshold decimal.Decimal
}

// Validate returns a *crm.ValidationError listing every problem of r:
// unknown classes, prices in another currency, duplicate codes, bad
// fractions, overlapping tiers or payment terms, seasons that end before
// they start.
func (r *PricingRules) Validate() error {
	_, err := compile(r)
	return err
}

type priceKey struct {
	class customer.Class
	code  string
}

type listEntry struct {
	list  string
	price crm.Money
}

// Pricer prices lines with a compiled set of [PricingRules]. It is
// immutable and safe for concurrent use.
type Pricer struct {
	rules  PricingRules
	prices map[priceKey]listEntry
	tiers  map[priceKey][]VolumeTier // sorted by Min
	terms  []PaymentTerm             // sorted by FromDays
	notes  map[string]string         // explanation of each tier, term and season by kind and ID
}

// NewPricer validates rules and returns a pricer for them.
func NewPricer(rules PricingRules) (*Pricer, error) { return compile(&rules) }

func compile(r *PricingRules) (*Pricer, error) {
	const op = "opportunity.PricingRules"
	if r == nil {
		return nil, crm.Invalid(op, "", "must not be nil")
	}
	var v crm.Validator
	v.Check(!r.Currency.IsZero(), "currency", "must be set")
	n := len(r.Tiers) + len(r.Terms) + len(r.Seasons)
	for _, l := range r.PriceLists {
		n += len(l.Prices)
	}
	if n > MaxPricingRules {
		v.Addf("", "more than %d rules", MaxPricingRules)
		return nil, v.Err(op)
	}
	p := &Pricer{prices: make(map[priceKey]listEntry), tiers: make(map[priceKey][]VolumeTier)}
	for i, l := range r.PriceLists {
		path := fmt.Sprintf("price_lists[%d]", i)
		checkCode(&v, path+".id", l.ID, true)
		v.Check(l.Class == 0 || l.Class.Valid(), path+".class", "unknown customer class")
		for j, e := range l.Prices {
			ep := fmt.Sprintf("%s.prices[%d]", path, j)
			checkCode(&v, ep+".code", e.Code, true)
			if err := e.Price.Validate(); err != nil {
				v.Merge(ep+".price", err)
			} else {
				v.Check(e.Price.Currency() == r.Currency, ep+".price", "not in the rules' currency")
				v.Check(!e.Price.IsNegative(), ep+".price", "must not be negative")
			}
			k := priceKey{l.Class, e.Code}
			if _, dup := p.prices[k]; dup {
				v.Addf(ep+".code", "code %s already has a price for this class", quote(e.Code))
			}
			p.prices[k] = listEntry{list: l.ID, price: e.Price}
		}
	}
	for i, t := range r.Tiers {
		path := fmt.Sprintf("tiers[%d]", i)
		checkCode(&v, path+".id", t.ID, true)
		checkCode(&v, path+".code", t.Code, false)
		v.Check(t.Class == 0 || t.Class.Valid(), path+".class", "unknown customer class")
		v.Check(t.Min.Sign() >= 0, path+".min", "must not be negative")
		v.Check(t.Max.IsZero() || t.Max.GreaterThan(t.Min), path+".max", "must be above min (or zero for no bound)")
		checkDiscount(&v, path+".discount", t.Discount)
		k := priceKey{t.Class, t.Code}
		p.tiers[k] = append(p.tiers[k], t)
	}
	for k, ts := range p.tiers {
		slices.SortStableFunc(ts, func(a, b VolumeTier) int { return a.Min.Cmp(b.Min) })
		for i := 1; i < len(ts); i++ {
			prev := ts[i-1]
			if prev.Max.IsZero() || prev.Max.GreaterThan(ts[i].Min) {
				v.Addf("tiers", "tier %s overlaps tier %s (code %s, class %s)", quote(prev.ID), quote(ts[i].ID), quote(k.code), classText(k.class))
			}
		}
	}
	p.terms = slices.Clone(r.Terms)
	for i, t := range r.Terms {
		path := fmt.Sprintf("terms[%d]", i)
		checkCode(&v, path+".id", t.ID, true)
		v.Check(t.FromDays >= 0 && t.ToDays >= t.FromDays, path+".to_days", "want 0 <= from_days <= to_days")
		checkPercent(&v, path+".percent", t.Percent)
	}
	slices.SortStableFunc(p.terms, func(a, b PaymentTerm) int { return cmp.Compare(a.FromDays, b.FromDays) })
	for i := 1; i < len(p.terms); i++ {
		if p.terms[i].FromDays <= p.terms[i-1].ToDays {
			v.Addf("terms", "term %s overlaps term %s", quote(p.terms[i-1].ID), quote(p.terms[i].ID))
		}
	}
	for i, s := range r.Seasons {
		path := fmt.Sprintf("seasons[%d]", i)
		checkCode(&v, path+".id", s.ID, true)
		v.Merge(path+".from", s.From.Validate())
		v.Merge(path+".to", s.To.Validate())
		v.Check(!dateBefore(s.To, s.From), path+".to", "before from")
		for j, c := range s.Codes {
			checkCode(&v, fmt.Sprintf("%s.codes[%d]", path, j), c, true)
		}
		checkPercent(&v, path+".percent", s.Percent)
	}
	v.Check(r.ApprovalThreshold.Sign() >= 0 && r.ApprovalThreshold.LessThanOrEqual(one), "approval_threshold", "must be in [0, 1]")
	if err := v.Err(op); err != nil {
		return nil, err
	}
	p.rules = *r
	p.rules.Seasons = slices.Clone(r.Seasons)
	p.notes = make(map[string]string, len(r.Tiers)+len(r.Terms)+len(r.Seasons))
	for _, t := range r.Tiers {
		p.notes["t"+t.ID] = tierNote(t)
	}
	for _, t := range r.Terms {
		p.notes["p"+t.ID] = fmt.Sprintf("payment in %d-%d days", t.FromDays, t.ToDays)
	}
	for _, s := range r.Seasons {
		p.notes["s"+s.ID] = fmt.Sprintf("season %s to %s", s.From, s.To)
	}
	return p, nil
}

func checkPercent(v *crm.Validator, path string, d decimal.Decimal) {
	v.Check(d.GreaterThanOrEqual(one.Neg()) && d.LessThanOrEqual(maxPerc), path, "must be in [-1, 10]")
	v.Check(-d.Exponent() <= MaxDecimalPlaces, path, fmt.Sprintf("more than %d decimal places", MaxDecimalPlaces))
}

func classText(c customer.Class) string {
	if c == 0 {
		return "any"
	}
	return c.String()
}

func dateBefore(a, b calendar.Date) bool {
	return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month), cmp.Compare(a.Day, b.Day)) < 0
}

// PriceRequest asks a [Pricer] to price lines for one customer.
type PriceRequest struct {
	// Class is the customer's class; zero uses the general rules only.
	Class customer.Class
	// PaymentDays is the agreed payment term in days.
	PaymentDays int
	// Date is the day the price applies (for seasons). Required.
	Date calendar.Date
	// Lines are what to price.
	Lines []PriceLine
}

// PriceLine is one line to price.
type PriceLine struct {
	Code        string
	Description string
	Quantity    decimal.Decimal
	// Discount is a manual discount on top of the rules, a fraction in [0, 1].
	Discount decimal.Decimal
}

// Price prices every line of req, in order. A code on no price list, a bad
// quantity or discount, or too many lines is a *crm.ValidationError naming
// the line; nothing is priced then.
func (p *Pricer) Price(req PriceRequest) ([]Line, error) {
	const op = "opportunity.Pricer.Price"
	var v crm.Validator
	v.Check(req.Class == 0 || req.Class.Valid(), "class", "unknown customer class")
	v.Check(req.PaymentDays >= 0, "payment_days", "must not be negative")
	v.Merge("date", req.Date.Validate())
	v.Check(len(req.Lines) <= MaxPriceLines, "lines", fmt.Sprintf("more than %d lines", MaxPriceLines))
	if err := v.Err(op); err != nil {
		return nil, err
	}
	var term *PaymentTerm
	if i, ok := slices.BinarySearchFunc(p.terms, req.PaymentDays, func(t PaymentTerm, d int) int {
		if t.ToDays < d {
			return -1
		}
		if t.FromDays > d {
			return 1
		}
		return 0
	}); ok {
		term = &p.terms[i]
	}
	out := make([]Line, 0, len(req.Lines))
	for i, in := range req.Lines {
		path := func(field string) string { return fmt.Sprintf("lines[%d].%s", i, field) }
		var lv crm.Validator
		checkDiscount(&lv, "discount", in.Discount)
		checkQuantity(&lv, "quantity", in.Quantity)
		if len(in.Description) > MaxNameLen || !utf8.ValidString(in.Description) {
			checkText(&lv, "description", in.Description, MaxNameLen)
		}
		e, ok := p.prices[priceKey{req.Class, in.Code}]
		if !ok {
			e, ok = p.prices[priceKey{0, in.Code}]
		}
		if !ok {
			lv.Addf("code", "%s is on no price list for class %s", quote(in.Code), classText(req.Class))
		}
		if err := lv.Err(op); err != nil {
			v.Merge(fmt.Sprintf("lines[%d]", i), err)
			continue
		}
		l := Line{Code: in.Code, Description: in.Description, Quantity: in.Quantity, ListPrice: e.price,
			Adjustments: make([]Adjustment, 0, 4)}
		if t, ok := p.tier(req.Class, in.Code, in.Quantity); ok && !t.Discount.IsZero() {
			l.Adjustments = append(l.Adjustments, Adjustment{Kind: AdjustVolume, Rule: t.ID, Percent: t.Discount.Neg(), Note: p.notes["t"+t.ID]})
		}
		if term != nil && !term.Percent.IsZero() {
			l.Adjustments = append(l.Adjustments, Adjustment{Kind: AdjustPaymentTerm, Rule: term.ID, Percent: term.Percent, Note: p.notes["p"+term.ID]})
		}
		if s, ok := p.season(req.Date, in.Code); ok && !s.Percent.IsZero() {
			l.Adjustments = append(l.Adjustments, Adjustment{Kind: AdjustSeason, Rule: s.ID, Percent: s.Percent, Note: p.notes["s"+s.ID]})
		}
		if !in.Discount.IsZero() {
			l.Adjustments = append(l.Adjustments, Adjustment{Kind: AdjustManual, Percent: in.Discount.Neg(), Note: "manual discount"})
		}
		if err := l.compute(); err != nil {
			v.Addf(path("total"), "outside the bounds of an amount")
			continue
		}
		l.NeedsApproval = p.rules.ApprovalThreshold.IsPositive() && l.Discount.GreaterThan(p.rules.ApprovalThreshold)
		out = append(out, l)
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	return out, nil
}

// tier returns the volume tier covering qty, by the precedence of step 2.
func (p *Pricer) tier(class customer.Class, code string, qty decimal.Decimal) (VolumeTier, bool) {
	keys := [4]priceKey{{class, code}, {0, code}, {class, ""}, {0, ""}}
	for i, k := range keys {
		if (i == 0 || i == 2) && class == 0 {
			continue
		}
		ts := p.tiers[k]
		if len(ts) == 0 {
			continue
		}
		// the last tier whose Min <= qty
		j, _ := slices.BinarySearchFunc(ts, qty, func(t VolumeTier, q decimal.Decimal) int {
			if t.Min.GreaterThan(q) {
				return 1
			}
			return -1
		})
		if j > 0 {
			t := ts[j-1]
			if t.Max.IsZero() || qty.LessThan(t.Max) {
				return t, true
			}
		}
	}
	return VolumeTier{}, false
}

// season returns the first season covering d and code.
func (p *Pricer) season(d calendar.Date, code string) (Season, bool) {
	for _, s := range p.rules.Seasons {
		if dateBefore(d, s.From) || dateBefore(s.To, d) {
			continue
		}
		if len(s.Codes) == 0 || slices.Contains(s.Codes, code) {
			return s, true
		}
	}
	return Season{}, false
}

func tierNote(t VolumeTier) string {
	if t.Max.IsZero() {
		return fmt.Sprintf("volume %s or more", t.Min)
	}
	return fmt.Sprintf("volume %s to under %s", t.Min, t.Max)
}
