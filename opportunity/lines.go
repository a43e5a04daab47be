package opportunity

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
)

// Limits on lines and approvals.
const (
	MaxLines         = 1000 // lines on one opportunity
	MaxAdjustments   = 16   // adjustments on one line
	MaxApprovals     = 1000 // discount approvals on one opportunity
	MaxDecimalPlaces = 6    // decimal places of a quantity, discount or percentage
)

// LineRounding is how a line total is rounded to the currency's minor
// unit: half away from zero, the commercial rule.
const LineRounding = crm.RoundHalfUp

var (
	one      = decimal.NewFromInt(1)
	minusOne = decimal.NewFromInt(-1)
	maxQty   = decimal.New(1, 12)     // a quantity is below 10^12
	maxPerc  = decimal.NewFromInt(10) // a surcharge is at most +1000%
)

// Adjustment is one pricing rule applied to a line, explained: which rule,
// what kind, and by how much it changed the price.
type Adjustment struct {
	// Kind says what kind of rule applied.
	Kind AdjustmentKind `json:"kind"`
	// Rule is the ID of the rule in the host's pricing rules ("" for a
	// manual discount).
	Rule string `json:"rule,omitempty"`
	// Percent is the signed change as a fraction of the price before it:
	// -0.05 is a 5% discount, 0.02 a 2% surcharge. It lies in [-1, 10] and
	// has at most MaxDecimalPlaces places.
	Percent decimal.Decimal `json:"percent"`
	// Note explains the rule in words, e.g. "tier 100-499 units".
	Note string `json:"note,omitempty"`
}

// Line is one product or service on an opportunity. Its total is derived:
// Quantity × ListPrice × Π(1 + Percent) over the adjustments, rounded to
// the currency's minor unit with [LineRounding]. Build lines with
// [NewLine] or a [Pricer]; [Line.Validate] recomputes the derived fields
// and refuses a line whose Discount or Total does not match.
type Line struct {
	// Code is the product or service code. Required.
	Code string `json:"code"`
	// Description is free text, optional.
	Description string `json:"description,omitempty"`
	// Quantity is positive, below 10^12, with at most MaxDecimalPlaces
	// decimal places (a quantity may be fractional: 2.5 days, 12.75 m²).
	Quantity decimal.Decimal `json:"quantity"`
	// ListPrice is the unit price before any adjustment (from the price
	// list, or entered), not negative.
	ListPrice crm.Money `json:"list_price"`
	// Adjustments are the rules applied, in the order applied.
	Adjustments []Adjustment `json:"adjustments,omitempty"`
	// Discount is the total discount as a fraction of the list price:
	// 1 − Π(1 + Percent). Negative when surcharges outweigh discounts; at
	// most 1 (a free line).
	Discount decimal.Decimal `json:"discount"`
	// Total is the line's amount, rounded to the currency's minor unit.
	Total crm.Money `json:"total"`
	// NeedsApproval is set when the discount is beyond the approval
	// threshold in force when the line was priced; an opportunity cannot
	// enter a stage requiring [FieldApproval] until an approval covers it.
	NeedsApproval bool `json:"needs_approval"`
}

// LineInput is a line entered by hand.
type LineInput struct {
	Code        string
	Description string
	Quantity    decimal.Decimal
	// UnitPrice is the unit list price.
	UnitPrice crm.Money
	// Discount is a manual discount as a fraction in [0, 1]: 0.1 is 10%.
	Discount decimal.Decimal
	// ApprovalThreshold, when positive, marks the line as needing approval
	// when Discount exceeds it. Zero marks no line.
	ApprovalThreshold decimal.Decimal
}

// NewLine returns a line entered by hand: the quantity at the unit price
// less the manual discount (recorded as a manual adjustment).
func NewLine(in LineInput) (Line, error) {
	var v crm.Validator
	checkDiscount(&v, "discount", in.Discount)
	v.Check(in.ApprovalThreshold.Sign() >= 0, "approval_threshold", "must not be negative")
	if err := v.Err("opportunity.NewLine"); err != nil {
		return Line{}, err
	}
	l := Line{Code: in.Code, Description: in.Description, Quantity: in.Quantity, ListPrice: in.UnitPrice}
	if !in.Discount.IsZero() {
		l.Adjustments = []Adjustment{{Kind: AdjustManual, Percent: in.Discount.Neg(), Note: "manual discount"}}
	}
	if err := l.derive("opportunity.NewLine"); err != nil {
		return Line{}, err
	}
	l.NeedsApproval = in.ApprovalThreshold.IsPositive() && l.Discount.GreaterThan(in.ApprovalThreshold)
	return l, nil
}

// checkDiscount records a problem unless d is a fraction in [0, 1] with at
// most MaxDecimalPlaces places.
func checkDiscount(v *crm.Validator, path string, d decimal.Decimal) {
	switch {
	case d.Sign() < 0:
		v.Addf(path, "must not be below 0")
	case d.GreaterThan(one):
		v.Addf(path, "must not be over 1 (100%%)")
	case -d.Exponent() > MaxDecimalPlaces:
		v.Addf(path, "more than %d decimal places", MaxDecimalPlaces)
	}
}

// derive checks l's inputs and computes Discount and Total.
func (l *Line) derive(op string) error {
	var v crm.Validator
	l.check(&v)
	if err := v.Err(op); err != nil {
		return err
	}
	if err := l.compute(); err != nil {
		return crm.Invalid(op, "total", "outside the bounds of an amount")
	}
	return nil
}

// compute sets Discount and Total from checked inputs.
func (l *Line) compute() error {
	factor := one
	for _, a := range l.Adjustments {
		factor = factor.Mul(one.Add(a.Percent))
	}
	l.Discount = one.Sub(factor)
	l.Total = l.ListPrice.Mul(l.Quantity.Mul(factor)).Round(LineRounding)
	return l.Total.Validate()
}

// check records the problems of l's inputs (not the derived fields).
func (l *Line) check(v *crm.Validator) {
	checkCode(v, "code", l.Code, true)
	checkText(v, "description", l.Description, MaxNameLen)
	checkQuantity(v, "quantity", l.Quantity)
	if err := l.ListPrice.Validate(); err != nil {
		v.Merge("list_price", err)
	} else {
		v.Check(!l.ListPrice.IsNegative(), "list_price", "must not be negative")
		v.Check(-l.ListPrice.Amount().Exponent() <= l.ListPrice.Currency().MinorUnits()+MaxDecimalPlaces,
			"list_price", "too many decimal places")
	}
	v.Check(len(l.Adjustments) <= MaxAdjustments, "adjustments", "too many")
	for i, a := range l.Adjustments {
		path := func(field string) string { return fmt.Sprintf("adjustments[%d].%s", i, field) }
		if !a.Kind.Valid() {
			v.Addf(path("kind"), "unknown adjustment kind")
		}
		if len(a.Rule) > MaxCodeLen || !utf8.ValidString(a.Rule) || strings.TrimSpace(a.Rule) != a.Rule {
			checkCode(v, path("rule"), a.Rule, false)
		}
		if len(a.Note) > MaxNameLen || !utf8.ValidString(a.Note) {
			checkText(v, path("note"), a.Note, MaxNameLen)
		}
		if a.Percent.LessThan(minusOne) || a.Percent.GreaterThan(maxPerc) || -a.Percent.Exponent() > MaxDecimalPlaces {
			checkPercent(v, path("percent"), a.Percent)
		}
		if a.Kind == AdjustManual && a.Percent.Sign() > 0 {
			v.Addf(path("percent"), "a manual discount must not be below 0")
		}
	}
}

// checkQuantity records a problem unless q is a quantity: positive, below
// 10^12, with at most MaxDecimalPlaces places.
func checkQuantity(v *crm.Validator, path string, q decimal.Decimal) {
	switch {
	case q.Sign() < 0:
		v.Addf(path, "must not be negative")
	case q.Sign() == 0:
		v.Addf(path, "must be positive")
	case !q.LessThan(maxQty):
		v.Addf(path, "must be below 10^12")
	case -q.Exponent() > MaxDecimalPlaces:
		v.Addf(path, "more than %d decimal places", MaxDecimalPlaces)
	}
}

// Validate recomputes the line from its inputs and returns a
// *crm.ValidationError when an input is bad or Discount or Total does not
// match what the inputs give.
func (l Line) Validate() error {
	d := l.clone()
	if err := d.derive("opportunity.Line"); err != nil {
		return err
	}
	var v crm.Validator
	v.Check(d.Discount.Equal(l.Discount), "discount", "does not match the adjustments")
	v.Check(d.Total.Equal(l.Total), "total", "does not match quantity, list price and adjustments")
	return v.Err("opportunity.Line")
}

// UnitPrice returns the net unit price, ListPrice × (1 − Discount),
// rounded to the currency's minor unit: for display only, Total is
// computed from the exact figures.
func (l Line) UnitPrice() crm.Money {
	return l.ListPrice.Mul(one.Sub(l.Discount)).Round(LineRounding)
}

func (l Line) clone() Line {
	l.Adjustments = append([]Adjustment(nil), l.Adjustments...)
	return l
}

func cloneLines(ls []Line) []Line {
	if ls == nil {
		return nil
	}
	out := make([]Line, len(ls))
	for i, l := range ls {
		out[i] = l.clone()
	}
	return out
}

// Approval records that someone approved a discount on one line code up
// to a limit.
type Approval struct {
	// Line is the code of the approved line.
	Line string `json:"line"`
	// UpTo is the largest discount approved, as a fraction.
	UpTo decimal.Decimal `json:"up_to"`
	// Approver, At and Reason come from the Change that approved.
	Approver crm.UserID `json:"approver"`
	At       time.Time  `json:"at"`
	Reason   string     `json:"reason,omitempty"`
}

// checkText records a problem unless s is valid UTF-8 of at most max runes.
func checkText(v *crm.Validator, path, s string, max int) {
	switch {
	case !utf8.ValidString(s):
		v.Addf(path, "not valid UTF-8")
	case len(s) > max && utf8.RuneCountInString(s) > max:
		v.Addf(path, "longer than %d characters", max)
	}
}

// requireText records a problem when s is blank, then checks it.
func requireText(v *crm.Validator, path, s string, max int) {
	if strings.TrimSpace(s) == "" {
		v.Addf(path, "must not be empty")
		return
	}
	checkText(v, path, s, max)
}
