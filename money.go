package crm

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/shopspring/decimal"
)

// Bounds of a valid [Money]. They keep every amount cheap to store, format
// and compute with: a short input such as "1e999999999" cannot make the
// library allocate gigabytes.
const (
	// MaxMoneyScale is the largest number of digits after the decimal
	// point a valid amount may carry (its representation, trailing zeros
	// included: "0.10" has 2).
	MaxMoneyScale = 18
	// MaxMoneyIntegerDigits bounds the magnitude: a valid amount is
	// strictly less than 10^30 in absolute value.
	MaxMoneyIntegerDigits = 30
	// MaxMoneyTextLen is the longest input, in bytes, that [ParseMoney] and
	// [Money.UnmarshalText] look at.
	MaxMoneyTextLen = 80
	// MaxAllocationParts is the largest number of parts [Money.Allocate]
	// and [Money.Split] produce.
	MaxAllocationParts = 1 << 16
)

const (
	maxAmountLen    = 64   // longest amount string
	maxExpDigits    = 4    // digits of an exponent in an amount string
	maxMoneyJSONLen = 512  // longest JSON object UnmarshalJSON looks at
	maxDivisorExp   = 1000 // exponent range of a divisor in Div
	maxRoundPlaces  = 1 << 30
	plainFormatMax  = 100 // String uses e-notation beyond this exponent
	minorNotAligned = "has more decimal places than the currency's minor unit; round it first"
	problemScale    = "has more than 18 decimal places"
	problemMagn     = "must be less than 10^30 in magnitude"
	problemSyntax   = `malformed: want digits with an optional "-" sign, "." fraction and "e" exponent`
)

// Money is an exact decimal amount in one ISO 4217 [Currency]. Money is an
// immutable value: every operation returns a new Money. It is safe for
// concurrent use. Compare with [Money.Equal] or [Money.Cmp], never with ==.
//
// # Validity
//
// A valid Money has a currency and an amount within the bounds
// [MaxMoneyScale] (at most 18 decimal places) and [MaxMoneyIntegerDigits]
// (|amount| < 10^30); see [Money.Validate]. Constructors and parsers only
// return valid values. [Money.Mul] is exact and may leave the bounds (for
// example 0.125 × 0.0000000000000001); round such a product with
// [Money.Round] before adding, dividing, allocating or marshalling it.
//
// The zero Money has no currency and amount 0. It is not valid: arithmetic
// refuses it, it formats as "0", marshals to JSON null and to empty text,
// and both decode back to the zero Money.
//
// # Representation
//
// The amount keeps the digits it was given: "1.500 EUR" stays 1.500 (3
// places) until rounded. [Money.String] writes at least the currency's
// minor digits ("5 EUR" -> "5.00 EUR") and never drops digits, so
// ParseMoney(m.String()) equals m.
type Money struct {
	amount   decimal.Decimal
	currency Currency
}

// NewMoney returns amount in currency c. The zero Currency and amounts
// outside the bounds (see [Money.Validate]) are refused with an error
// matching [ErrInvalid].
func NewMoney(amount decimal.Decimal, c Currency) (Money, error) {
	m := Money{amount: amount, currency: c}
	if err := m.Validate(); err != nil {
		return Money{}, err
	}
	return m, nil
}

// MoneyFromMinor returns minor minor units of c: 12345 EUR -> 123.45 EUR,
// 12345 JPY -> 12345 JPY. The zero Currency is refused.
func MoneyFromMinor(minor int64, c Currency) (Money, error) {
	if c.IsZero() {
		return Money{}, Invalid("crm.MoneyFromMinor", "currency", "must be set")
	}
	return Money{amount: decimal.New(minor, -c.MinorUnits()), currency: c}, nil
}

// MoneyFromString parses amount ("123.45", "-0.5", "1e3") in currency c.
// The grammar is that of [ParseMoney]'s amount.
func MoneyFromString(amount string, c Currency) (Money, error) {
	d, problem := parseAmount(amount)
	if problem != "" || c.IsZero() {
		var v Validator
		v.Check(!c.IsZero(), "currency", "must be set")
		v.Check(problem == "", "amount", problem)
		return Money{}, v.Err("crm.MoneyFromString")
	}
	return Money{amount: d, currency: c}, nil
}

// Zero returns an amount of 0 in c.
func Zero(c Currency) Money { return Money{currency: c} }

// Amount returns the exact amount.
func (m Money) Amount() decimal.Decimal { return m.amount }

// Currency returns the currency; the zero Currency for the zero Money.
func (m Money) Currency() Currency { return m.currency }

// IsZero reports whether the amount is zero (whatever the currency).
func (m Money) IsZero() bool { return m.amount.IsZero() }

// Sign returns -1, 0 or +1 for a negative, zero or positive amount.
func (m Money) Sign() int { return m.amount.Sign() }

// IsNegative reports whether the amount is below zero.
func (m Money) IsNegative() bool { return m.amount.Sign() < 0 }

// IsPositive reports whether the amount is above zero.
func (m Money) IsPositive() bool { return m.amount.Sign() > 0 }

// Validate reports whether m is a valid Money: the currency is set, the
// amount has at most [MaxMoneyScale] decimal places and its magnitude is
// below 10^[MaxMoneyIntegerDigits]. The error is a [*ValidationError]
// naming "currency" and/or "amount".
func (m Money) Validate() error {
	problem := boundsProblem(m.amount)
	if problem == "" && !m.currency.IsZero() {
		return nil
	}
	var v Validator
	v.Check(!m.currency.IsZero(), "currency", "must be set")
	v.Check(problem == "", "amount", problem)
	return v.Err("crm.Money")
}

// Add returns m + o. Both must be valid and in the same currency, otherwise
// the error matches [ErrCurrencyMismatch] or [ErrInvalid]; a sum outside
// the bounds is refused with [ErrInvalid].
func (m Money) Add(o Money) (Money, error) { return m.addSub(o, false) }

// Sub returns m - o, under the rules of [Money.Add].
func (m Money) Sub(o Money) (Money, error) { return m.addSub(o, true) }

func (m Money) addSub(o Money, sub bool) (Money, error) {
	op := "add"
	if sub {
		op = "sub"
	}
	if err := m.pair(o); err != nil {
		return Money{}, fmt.Errorf("crm: money %s: %w", op, err)
	}
	var r decimal.Decimal
	if sub {
		r = m.amount.Sub(o.amount)
	} else {
		r = m.amount.Add(o.amount)
	}
	if p := boundsProblem(r); p != "" {
		return Money{}, fmt.Errorf("crm: money %s: %w", op, Invalid("crm.Money", "amount", "result "+p))
	}
	return Money{amount: r, currency: m.currency}, nil
}

// pair checks that m and o are valid and share a currency.
func (m Money) pair(o Money) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("operand: %w", err)
	}
	if m.currency != o.currency {
		return fmt.Errorf("%s and %s: %w", m.currency.Code(), o.currency.Code(), ErrCurrencyMismatch)
	}
	return nil
}

// Mul returns m × f, exactly and unrounded (the result has the decimal
// places of both factors). The product may leave the bounds of a valid
// Money; round it with [Money.Round] or [Money.RoundTo]. If the exponent of
// the product would not fit in 32 bits (only for factors like 1e2000000000)
// Mul returns the zero Money, which every later operation refuses.
func (m Money) Mul(f decimal.Decimal) Money {
	e := int64(m.amount.Exponent()) + int64(f.Exponent())
	if e > math.MaxInt32 || e < math.MinInt32 {
		return Money{}
	}
	return Money{amount: m.amount.Mul(f), currency: m.currency}
}

// Div returns m ÷ d rounded to the currency's minor units with mode: 100.00
// EUR ÷ 3 with RoundHalfEven is 33.33 EUR. The quotient is computed
// exactly before it is rounded once. A zero d returns an error matching
// [ErrDivisionByZero] (and [ErrInvalid]); an invalid m, an unknown mode, a
// d whose exponent lies outside ±1000 or a quotient outside the bounds
// returns an error matching [ErrInvalid].
func (m Money) Div(d decimal.Decimal, mode RoundingMode) (Money, error) {
	const op = "crm.Money.Div"
	if err := m.Validate(); err != nil {
		return Money{}, fmt.Errorf("crm: money div: %w", err)
	}
	if !mode.Valid() {
		return Money{}, Invalid(op, "mode", "unknown rounding mode "+mode.String())
	}
	if d.IsZero() {
		return Money{}, fmt.Errorf("crm: money div: %w", ErrDivisionByZero)
	}
	if e := d.Exponent(); e < -maxDivisorExp || e > maxDivisorExp {
		return Money{}, Invalid(op, "divisor", "exponent outside ±"+strconv.Itoa(maxDivisorExp))
	}
	places := m.currency.MinorUnits()
	if m.amount.IsZero() {
		return Money{amount: decimal.New(0, -places), currency: m.currency}, nil
	}
	// m/d = (a·10^ea)/(b·10^eb); scaled to the minor unit that is
	// a·10^k / b with k = ea - eb + places.
	k := int64(m.amount.Exponent()) - int64(d.Exponent()) + int64(places)
	num := m.amount.Coefficient()
	num.Abs(num)
	den := d.Coefficient()
	den.Abs(den)
	if k >= 0 {
		num.Mul(num, pow10Big(k))
	} else {
		den.Mul(den, pow10Big(-k))
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	neg := (m.amount.Sign() < 0) != (d.Sign() < 0)
	inexact := r.Sign() != 0
	half := r.Lsh(r, 1).Cmp(den)
	if roundAway(mode, neg, inexact, half, q.Bit(0) == 1) {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	res := decimal.NewFromBigInt(q, -places)
	if p := boundsProblem(res); p != "" {
		return Money{}, Invalid(op, "amount", "result "+p)
	}
	return Money{amount: res, currency: m.currency}, nil
}

// Neg returns -m.
func (m Money) Neg() Money { return Money{amount: m.amount.Neg(), currency: m.currency} }

// Abs returns |m|.
func (m Money) Abs() Money { return Money{amount: m.amount.Abs(), currency: m.currency} }

// Cmp compares m with o: -1 if m < o, 0 if equal, +1 if m > o. Different
// currencies return an error matching [ErrCurrencyMismatch]; the zero
// Currency an error matching [ErrInvalid]. Cmp works on any amount,
// including products outside the bounds.
func (m Money) Cmp(o Money) (int, error) {
	if m.currency.IsZero() || o.currency.IsZero() {
		return 0, fmt.Errorf("crm: money cmp: %w", Invalid("crm.Money", "currency", "must be set"))
	}
	if m.currency != o.currency {
		return 0, fmt.Errorf("crm: money cmp: %s and %s: %w", m.currency.Code(), o.currency.Code(), ErrCurrencyMismatch)
	}
	return cmpDecimal(m.amount, o.amount), nil
}

// Equal reports whether m and o have the same currency and numerically
// equal amounts: 1.5 EUR equals 1.50 EUR; 0 EUR does not equal 0 USD.
func (m Money) Equal(o Money) bool {
	return m.currency == o.currency && cmpDecimal(m.amount, o.amount) == 0
}

// MinorUnits returns the amount as a count of minor units: 123.45 EUR ->
// 12345, 5 JPY -> 5. m must be valid and its amount representable in whole
// minor units (0.125 EUR is not: round it first) and the count must fit in
// an int64; otherwise the error matches [ErrInvalid].
func (m Money) MinorUnits() (int64, error) {
	const op = "crm.Money.MinorUnits"
	if err := m.Validate(); err != nil {
		return 0, fmt.Errorf("crm: money minor units: %w", err)
	}
	minor := m.currency.MinorUnits()
	if v, exact, ok := minorInt64(m.amount, minor); ok {
		if !exact {
			return 0, Invalid(op, "amount", minorNotAligned)
		}
		return v, nil
	}
	b, exact := minorBig(m.amount, minor)
	if !exact {
		return 0, Invalid(op, "amount", minorNotAligned)
	}
	if !b.IsInt64() {
		return 0, Invalid(op, "amount", "does not fit in an int64 count of minor units")
	}
	return b.Int64(), nil
}

// Sum returns the sum of ms in currency c; 0 in c when ms is empty. c must
// be set and every item valid and in c (see [Money.Add]).
func Sum(c Currency, ms ...Money) (Money, error) {
	if c.IsZero() {
		return Money{}, Invalid("crm.Sum", "currency", "must be set")
	}
	acc := Zero(c)
	for i, m := range ms {
		next, err := acc.Add(m)
		if err != nil {
			return Money{}, fmt.Errorf("crm: money sum: item %d: %w", i, err)
		}
		acc = next
	}
	return acc, nil
}

// boundsProblem says why d is outside the bounds of a valid Money, or "".
// Its cost does not grow with the exponent.
func boundsProblem(d decimal.Decimal) string {
	exp := d.Exponent()
	if exp < -MaxMoneyScale {
		return problemScale
	}
	if exp > MaxMoneyIntegerDigits {
		return problemMagn
	}
	if d.IsZero() {
		return ""
	}
	if int64(d.NumDigits())+int64(exp) > MaxMoneyIntegerDigits {
		return problemMagn
	}
	return ""
}

// cmpDecimal compares a and b. Unlike decimal.Cmp its cost is bounded by
// the size of the coefficients, not by the distance between exponents.
func cmpDecimal(a, b decimal.Decimal) int {
	sa, sb := a.Sign(), b.Sign()
	if sa != sb {
		return cmp.Compare(sa, sb)
	}
	if sa == 0 {
		return 0
	}
	ea, eb := int64(a.Exponent()), int64(b.Exponent())
	if ea-eb > 64 || eb-ea > 64 {
		// Compare the positions of the leading digits first; when they
		// are equal the exponents differ by less than the digit counts.
		la := int64(a.NumDigits()) + ea
		lb := int64(b.NumDigits()) + eb
		if la != lb {
			if la > lb {
				return sa
			}
			return -sa
		}
	}
	return a.Cmp(b)
}

// minorInt64 returns d as a count of minor units when that is cheap:
// ok is false when the coefficient or the result needs more than 64 bits.
// exact is false when d has non-zero digits below the minor unit.
func minorInt64(d decimal.Decimal, minor int32) (v int64, exact, ok bool) {
	if d.NumDigits() > 18 {
		return 0, false, false
	}
	c := d.CoefficientInt64()
	shift := -int64(minor) - int64(d.Exponent())
	switch {
	case c == 0:
		return 0, true, true
	case shift == 0:
		return c, true, true
	case shift > 0:
		if shift > 18 {
			return 0, false, true // |c| < 10^18 <= 10^shift
		}
		p := int64(pow10u(int(shift)))
		if c%p != 0 {
			return 0, false, true
		}
		return c / p, true, true
	}
	n := -shift
	if n > 18 {
		return 0, false, false
	}
	a := uint64(c)
	if c < 0 {
		a = uint64(-c)
	}
	hi, lo := bits.Mul64(a, pow10u(int(n)))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false, false
	}
	if c < 0 {
		return -int64(lo), true, true
	}
	return int64(lo), true, true
}

// minorBig returns d as a count of minor units, for a d within the bounds.
func minorBig(d decimal.Decimal, minor int32) (*big.Int, bool) {
	c := d.Coefficient()
	shift := -int64(minor) - int64(d.Exponent())
	if shift <= 0 {
		return c.Mul(c, pow10Big(-shift)), true
	}
	q, r := new(big.Int).QuoRem(c, pow10Big(shift), new(big.Int))
	return q, r.Sign() == 0
}

// pow10u returns 10^n for 0 <= n <= 19.
func pow10u(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

// pow10Big returns a new 10^n for n >= 0.
func pow10Big(n int64) *big.Int {
	if n <= 19 {
		return new(big.Int).SetUint64(pow10u(int(n)))
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil)
}
