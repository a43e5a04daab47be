package crm

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"strings"

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

// RoundingMode names how an amount is rounded. Rounding is always explicit:
// no operation rounds without being given a mode, except [Money.Allocate]
// and [Money.Split], which distribute exactly. The numeric values are
// persisted by host applications and are never renumbered.
type RoundingMode int

// Rounding modes. The examples round to whole units.
const (
	// RoundHalfEven rounds to the nearest, ties to the even neighbour
	// (banker's rounding): 2.5 -> 2, 3.5 -> 4, -2.5 -> -2.
	RoundHalfEven RoundingMode = iota + 1
	// RoundHalfUp rounds to the nearest, ties away from zero (commercial
	// rounding): 2.5 -> 3, -2.5 -> -3.
	RoundHalfUp
	// RoundHalfDown rounds to the nearest, ties toward zero: 2.5 -> 2,
	// -2.5 -> -2, 2.51 -> 3.
	RoundHalfDown
	// RoundDown rounds toward zero (truncates): 2.9 -> 2, -2.9 -> -2.
	RoundDown
	// RoundUp rounds away from zero: 2.1 -> 3, -2.1 -> -3.
	RoundUp
	// RoundFloor rounds toward negative infinity: 2.9 -> 2, -2.1 -> -3.
	RoundFloor
	// RoundCeiling rounds toward positive infinity: 2.1 -> 3, -2.9 -> -2.
	RoundCeiling
)

// String returns the mode's name as [ParseRoundingMode] accepts it, e.g.
// "half_even", or "RoundingMode(n)" for an unknown value.
func (r RoundingMode) String() string {
	switch r {
	case RoundHalfEven:
		return "half_even"
	case RoundHalfUp:
		return "half_up"
	case RoundHalfDown:
		return "half_down"
	case RoundDown:
		return "down"
	case RoundUp:
		return "up"
	case RoundFloor:
		return "floor"
	case RoundCeiling:
		return "ceiling"
	}
	return "RoundingMode(" + strconv.Itoa(int(r)) + ")"
}

// Valid reports whether r is one of the defined modes.
func (r RoundingMode) Valid() bool { return r >= RoundHalfEven && r <= RoundCeiling }

// ParseRoundingMode returns the mode named s ("half_even", "half_up",
// "half_down", "down", "up", "floor", "ceiling"; case and surrounding white
// space are ignored). Other input is refused with an error matching
// [ErrInvalid].
func ParseRoundingMode(s string) (RoundingMode, error) {
	const op = "crm.ParseRoundingMode"
	if len(s) > 32 {
		return 0, Invalid(op, "", "longer than 32 bytes")
	}
	t := strings.TrimSpace(s)
	for r := RoundHalfEven; r <= RoundCeiling; r++ {
		if strings.EqualFold(t, r.String()) {
			return r, nil
		}
	}
	if t == "" {
		return 0, Invalid(op, "", "must not be empty")
	}
	return 0, Invalid(op, "", "unknown rounding mode "+strconv.Quote(t))
}

// MarshalText implements encoding.TextMarshaler with the mode's name. An
// unknown mode is an error matching [ErrInvalid].
func (r RoundingMode) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, Invalid("crm.RoundingMode", "", "unknown rounding mode "+r.String())
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler like [ParseRoundingMode].
func (r *RoundingMode) UnmarshalText(b []byte) error {
	if len(b) > 32 {
		return Invalid("crm.RoundingMode", "", "longer than 32 bytes")
	}
	v, err := ParseRoundingMode(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

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

// ParseMoney parses "<amount> <currency>" or "<currency> <amount>" with
// exactly one space between the parts, e.g. "123.45 EUR", "EUR 123.45",
// "-0.5 usd". Surrounding white space is ignored.
//
// The amount is strict: an optional "-", digits, an optional "." followed
// by digits, and an optional exponent ("e" or "E", optional sign, at most 4
// digits). There are no thousands separators, no "+" sign, no bare "." and
// no NaN or infinities. Inputs longer than [MaxMoneyTextLen] bytes,
// unknown currencies and amounts outside the bounds are refused. Every
// refusal matches [ErrInvalid]; a [*ValidationError] names "amount" and/or
// "currency".
func ParseMoney(s string) (Money, error) {
	const op = "crm.ParseMoney"
	if len(s) > MaxMoneyTextLen {
		return Money{}, Invalid(op, "", "longer than "+strconv.Itoa(MaxMoneyTextLen)+" bytes")
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return Money{}, Invalid(op, "", "must not be empty")
	}
	sp := strings.IndexByte(t, ' ')
	if sp < 0 || strings.IndexByte(t[sp+1:], ' ') >= 0 {
		return Money{}, Invalid(op, "", `want "<amount> <currency>" or "<currency> <amount>" separated by one space`)
	}
	amt, code := t[:sp], t[sp+1:]
	c, ok := lookupCurrency(code)
	if !ok && isAlpha3(amt) {
		// "<currency> <amount>", or a misspelt code in either place: a
		// known code decides, then the part that looks like a code.
		if c2, ok2 := lookupCurrency(amt); ok2 || !isAlpha3(code) {
			amt, code, c, ok = code, amt, c2, ok2
		}
	}
	d, problem := parseAmount(amt)
	if !ok || problem != "" {
		var v Validator
		if !ok {
			v.Check(false, "currency", currencyProblem(code))
		}
		v.Check(problem == "", "amount", problem)
		return Money{}, v.Err(op)
	}
	return Money{amount: d, currency: c}, nil
}

// MustParseMoney is like [ParseMoney] but panics on error. Use it only for
// constants in tests and examples.
func MustParseMoney(s string) Money {
	m, err := ParseMoney(s)
	if err != nil {
		panic(err)
	}
	return m
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

// Round returns m rounded to the currency's minor units with mode (see
// [Money.RoundTo]).
func (m Money) Round(mode RoundingMode) Money {
	return m.RoundTo(m.currency.MinorUnits(), mode)
}

// RoundTo returns m rounded to places decimal places with mode; negative
// places round to tens, hundreds and so on. The result carries exactly
// places decimal places when places is between 0 and [MaxMoneyScale] and m
// is within the bounds (1.5 EUR rounded to 2 places is 1.50); an amount
// already coarser than places is otherwise returned unchanged. places is
// clamped to ±2^30. An unknown mode rounds like [RoundHalfEven]; check
// [RoundingMode.Valid] at your boundary.
func (m Money) RoundTo(places int32, mode RoundingMode) Money {
	return Money{amount: roundDecimal(m.amount, places, mode), currency: m.currency}
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

// Allocate splits m into len(ratios) parts proportional to ratios that sum
// exactly to m: 100.00 EUR allocated 1:1:1 is 33.34, 33.33, 33.33. Each
// part first gets its share rounded toward zero to the minor unit; the
// minor units left over then go one at a time to the parts with the largest
// remainders, ties to the earlier part (the largest-remainder method). A
// part with ratio 0 gets 0. Negative amounts are allocated like their
// absolute value, with every part negated.
//
// m must be valid and representable in whole minor units (round it
// first). Empty ratios, more than [MaxAllocationParts] ratios and negative
// ratios are refused with [ErrInvalid]; ratios that are all zero with
// [ErrDivisionByZero].
func (m Money) Allocate(ratios ...int64) ([]Money, error) {
	const op = "crm.Money.Allocate"
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("crm: money allocate: %w", err)
	}
	if len(ratios) == 0 {
		return nil, Invalid(op, "ratios", "must not be empty")
	}
	if len(ratios) > MaxAllocationParts {
		return nil, Invalid(op, "ratios", "more than "+strconv.Itoa(MaxAllocationParts)+" parts")
	}
	var total uint64
	overflow := false
	for i, r := range ratios {
		if r < 0 {
			return nil, Invalid(op, "ratios["+strconv.Itoa(i)+"]", "must not be negative")
		}
		var carry uint64
		total, carry = bits.Add64(total, uint64(r), 0)
		overflow = overflow || carry != 0
	}
	if total == 0 && !overflow {
		return nil, fmt.Errorf("crm: money allocate: ratios sum to zero: %w", ErrDivisionByZero)
	}
	minor := m.currency.MinorUnits()
	if t, exact, ok := minorInt64(m.amount, minor); ok && !overflow {
		if !exact {
			return nil, Invalid(op, "amount", minorNotAligned)
		}
		return allocateSmall(t, ratios, total, minor, m.currency), nil
	}
	t, exact := minorBig(m.amount, minor)
	if !exact {
		return nil, Invalid(op, "amount", minorNotAligned)
	}
	return allocateBig(t, ratios, minor, m.currency), nil
}

// Split allocates m into n equal parts (see [Money.Allocate]): 100.00 EUR
// split 3 ways is 33.34, 33.33, 33.33. n must be between 1 and
// [MaxAllocationParts].
func (m Money) Split(n int) ([]Money, error) {
	const op = "crm.Money.Split"
	if n <= 0 {
		return nil, Invalid(op, "n", "must be positive")
	}
	if n > MaxAllocationParts {
		return nil, Invalid(op, "n", "more than "+strconv.Itoa(MaxAllocationParts)+" parts")
	}
	ratios := make([]int64, n)
	for i := range ratios {
		ratios[i] = 1
	}
	return m.Allocate(ratios...)
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

// String formats m as "<amount> <code>", e.g. "123.45 EUR", "-0.50 USD",
// "5 JPY". The amount has at least the currency's minor digits ("5.00
// EUR") and keeps any further digits it carries ("0.125 EUR"). The zero
// Money formats as "0". An amount far outside the bounds (only a product
// from [Money.Mul]) is written in e-notation rather than expanded.
func (m Money) String() string {
	var buf [64]byte
	return string(appendMoney(buf[:0], m))
}

// MarshalText implements encoding.TextMarshaler with the [Money.String]
// form. The zero Money gives empty text; an otherwise invalid Money is an
// error matching [ErrInvalid].
func (m Money) MarshalText() ([]byte, error) {
	if m.currency.IsZero() && m.amount.IsZero() {
		return []byte{}, nil
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("crm: money marshal text: %w", err)
	}
	return appendMoney(make([]byte, 0, 64), m), nil
}

// UnmarshalText implements encoding.TextUnmarshaler like [ParseMoney].
// Empty text gives the zero Money so that optional fields round-trip; use
// ParseMoney to refuse it.
func (m *Money) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = Money{}
		return nil
	}
	if len(b) > MaxMoneyTextLen {
		return Invalid("crm.ParseMoney", "", "longer than "+strconv.Itoa(MaxMoneyTextLen)+" bytes")
	}
	v, err := ParseMoney(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MarshalJSON implements json.Marshaler as {"amount":"123.45","currency":"EUR"}.
// The amount is a string, formatted as in [Money.String], so no digit is
// lost to floating point. The zero Money marshals to null; an otherwise
// invalid Money is an error matching [ErrInvalid].
func (m Money) MarshalJSON() ([]byte, error) {
	if m.currency.IsZero() && m.amount.IsZero() {
		return []byte("null"), nil
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("crm: money marshal json: %w", err)
	}
	buf := make([]byte, 0, 64)
	buf = append(buf, `{"amount":"`...)
	buf = appendAmount(buf, m.amount, m.currency.MinorUnits())
	buf = append(buf, `","currency":"`...)
	buf = append(buf, m.currency.Code()...)
	buf = append(buf, `"}`...)
	return buf, nil
}

// UnmarshalJSON implements json.Unmarshaler. It accepts exactly an object
// with the members "amount" (a string in [ParseMoney]'s amount grammar, or
// a JSON number) and "currency" (a known ISO 4217 code), both required,
// each once, and nothing else. JSON null leaves m unchanged, as the
// encoding/json convention asks. Input longer than 512 bytes is refused.
// Every refusal matches [ErrInvalid].
func (m *Money) UnmarshalJSON(b []byte) error {
	const op = "crm.Money.UnmarshalJSON"
	if len(b) > maxMoneyJSONLen {
		return Invalid(op, "", "longer than "+strconv.Itoa(maxMoneyJSONLen)+" bytes")
	}
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return Invalid(op, "", "want a JSON object")
	}
	var amount, code string
	var haveAmount, haveCode bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Invalid(op, "", "malformed JSON object")
		}
		key, _ := tok.(string)
		val, err := dec.Token()
		if err != nil {
			return Invalid(op, "", "malformed JSON object")
		}
		switch key {
		case "amount":
			if haveAmount {
				return Invalid(op, "amount", "given twice")
			}
			haveAmount = true
			switch v := val.(type) {
			case string:
				amount = v
			case json.Number:
				amount = string(v)
			default:
				return Invalid(op, "amount", "must be a string or a number")
			}
		case "currency":
			if haveCode {
				return Invalid(op, "currency", "given twice")
			}
			haveCode = true
			s, ok := val.(string)
			if !ok {
				return Invalid(op, "currency", "must be a string")
			}
			code = s
		default:
			return Invalid(op, "", "unknown member "+strconv.Quote(key))
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return Invalid(op, "", "malformed JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Invalid(op, "", "unexpected data after the object")
	}
	var v Validator
	v.Check(haveAmount, "amount", "is required")
	v.Check(haveCode, "currency", "is required")
	if err := v.Err(op); err != nil {
		return err
	}
	c, cerr := ParseCurrency(code)
	d, problem := parseAmount(amount)
	if cerr != nil || problem != "" {
		v.Merge("currency", cerr)
		v.Check(problem == "", "amount", problem)
		return v.Err(op)
	}
	*m = Money{amount: d, currency: c}
	return nil
}

// ---- internals ----

// currencyProblem says why code is not a known currency.
func currencyProblem(code string) string {
	if !isAlpha3(code) {
		if len(code) > maxCurrencyIn {
			return "malformed currency code: want 3 letters"
		}
		return "malformed currency code " + strconv.Quote(code) + ": want 3 letters"
	}
	return "unknown ISO 4217 currency code " + strconv.Quote(code)
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

// parseAmount parses the amount grammar of ParseMoney. It returns a
// problem instead of an error so that callers choose the field path.
func parseAmount(s string) (decimal.Decimal, string) {
	if s == "" {
		return decimal.Decimal{}, "must not be empty"
	}
	if len(s) > maxAmountLen {
		return decimal.Decimal{}, "longer than " + strconv.Itoa(maxAmountLen) + " bytes"
	}
	i := 0
	neg := s[0] == '-'
	if neg {
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intEnd := i
	if intEnd == intStart {
		return decimal.Decimal{}, problemSyntax
	}
	fracStart, fracEnd := i, i
	if i < len(s) && s[i] == '.' {
		i++
		fracStart = i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracEnd = i
		if fracEnd == fracStart {
			return decimal.Decimal{}, problemSyntax
		}
	}
	var e int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			if i-start == maxExpDigits {
				return decimal.Decimal{}, "exponent out of range"
			}
			e = e*10 + int64(s[i]-'0')
			i++
		}
		if i == start {
			return decimal.Decimal{}, problemSyntax
		}
		if eneg {
			e = -e
		}
	}
	if i != len(s) {
		return decimal.Decimal{}, problemSyntax
	}
	exp := e - int64(fracEnd-fracStart)
	// Significant digits, ignoring leading zeros; the first 18 are
	// accumulated for the common small case.
	nd := 0
	var u uint64
	for _, part := range [2]string{s[intStart:intEnd], s[fracStart:fracEnd]} {
		for j := 0; j < len(part); j++ {
			dg := part[j] - '0'
			if nd == 0 && dg == 0 {
				continue
			}
			nd++
			if nd <= 18 {
				u = u*10 + uint64(dg)
			}
		}
	}
	if exp < -MaxMoneyScale {
		return decimal.Decimal{}, problemScale
	}
	if exp > MaxMoneyIntegerDigits || int64(nd)+exp > MaxMoneyIntegerDigits {
		return decimal.Decimal{}, problemMagn
	}
	if nd <= 18 {
		v := int64(u)
		if neg {
			v = -v
		}
		return decimal.New(v, int32(exp)), ""
	}
	digits := make([]byte, 0, nd+1)
	if neg {
		digits = append(digits, '-')
	}
	for _, part := range [2]string{s[intStart:intEnd], s[fracStart:fracEnd]} {
		for j := 0; j < len(part); j++ {
			if len(digits) == 0 || (neg && len(digits) == 1) {
				if part[j] == '0' {
					continue
				}
			}
			digits = append(digits, part[j])
		}
	}
	bi, ok := new(big.Int).SetString(string(digits), 10)
	if !ok { // unreachable: digits are validated above
		return decimal.Decimal{}, problemSyntax
	}
	return decimal.NewFromBigInt(bi, int32(exp)), ""
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// appendMoney appends the String form of m.
func appendMoney(buf []byte, m Money) []byte {
	buf = appendAmount(buf, m.amount, m.currency.MinorUnits())
	if !m.currency.IsZero() {
		buf = append(buf, ' ')
		buf = append(buf, m.currency.Code()...)
	}
	return buf
}

// appendAmount appends d in plain notation with at least minDigits
// fractional digits, keeping every digit d carries. Exponents beyond
// ±plainFormatMax are written in e-notation so output stays small.
func appendAmount(buf []byte, d decimal.Decimal, minDigits int32) []byte {
	exp := d.Exponent()
	if d.IsZero() {
		scale := int32(0)
		if exp < 0 && exp >= -plainFormatMax {
			scale = -exp
		}
		buf = append(buf, '0')
		return appendFraction(buf, nil, max(scale, minDigits))
	}
	if d.Sign() < 0 {
		buf = append(buf, '-')
	}
	var tmp [24]byte
	var digits []byte
	if d.NumDigits() <= 18 {
		c := d.CoefficientInt64()
		if c < 0 {
			c = -c
		}
		digits = strconv.AppendInt(tmp[:0], c, 10)
	} else {
		c := d.Coefficient()
		digits = c.Abs(c).Append(tmp[:0], 10)
	}
	if exp > plainFormatMax || exp < -plainFormatMax {
		buf = append(buf, digits...)
		buf = append(buf, 'e')
		return strconv.AppendInt(buf, int64(exp), 10)
	}
	if exp >= 0 {
		buf = append(buf, digits...)
		for range exp {
			buf = append(buf, '0')
		}
		return appendFraction(buf, nil, minDigits)
	}
	scale := int(-exp)
	if len(digits) > scale {
		buf = append(buf, digits[:len(digits)-scale]...)
		return appendFraction(buf, digits[len(digits)-scale:], minDigits)
	}
	buf = append(buf, '0', '.')
	for range scale - len(digits) {
		buf = append(buf, '0')
	}
	buf = append(buf, digits...)
	for k := scale; k < int(minDigits); k++ {
		buf = append(buf, '0')
	}
	return buf
}

// appendFraction appends "." + frac padded with zeros to minDigits, or
// nothing when both are empty.
func appendFraction(buf, frac []byte, minDigits int32) []byte {
	if len(frac) == 0 && minDigits <= 0 {
		return buf
	}
	buf = append(buf, '.')
	buf = append(buf, frac...)
	for k := len(frac); k < int(minDigits); k++ {
		buf = append(buf, '0')
	}
	return buf
}

// roundAway reports whether a magnitude truncated toward zero must grow by
// one unit. inexact says a non-zero remainder was dropped; half compares
// the remainder with half a unit (-1 below, 0 exactly, +1 above); qOdd says
// the truncated magnitude is odd. Unknown modes round half to even.
func roundAway(mode RoundingMode, neg, inexact bool, half int, qOdd bool) bool {
	if !inexact {
		return false
	}
	switch mode {
	case RoundDown:
		return false
	case RoundUp:
		return true
	case RoundFloor:
		return neg
	case RoundCeiling:
		return !neg
	case RoundHalfUp:
		return half >= 0
	case RoundHalfDown:
		return half > 0
	default:
		return half > 0 || (half == 0 && qOdd)
	}
}

// roundDecimal rounds d to places decimal places. Its cost is bounded by
// the size of d's coefficient, never by its exponent or by places.
func roundDecimal(d decimal.Decimal, places int32, mode RoundingMode) decimal.Decimal {
	places = min(max(places, -maxRoundPlaces), maxRoundPlaces)
	exp := int64(d.Exponent())
	target := -int64(places)
	if exp >= target {
		// Already at least as coarse: nothing to round. Give it exactly
		// places decimals when that stays within the bounds.
		if exp > target && target >= -MaxMoneyScale && exp <= MaxMoneyIntegerDigits {
			if d.IsZero() {
				return decimal.New(0, int32(target))
			}
			c := d.Coefficient()
			return decimal.NewFromBigInt(c.Mul(c, pow10Big(exp-target)), int32(target))
		}
		return d
	}
	shift := target - exp // > 0 digits to drop
	if d.IsZero() {
		return decimal.New(0, int32(target))
	}
	neg := d.Sign() < 0
	nd := int64(d.NumDigits())
	if nd <= 18 && shift <= 18 {
		c := d.CoefficientInt64()
		a := uint64(c)
		if neg {
			a = uint64(-c)
		}
		p := pow10u(int(shift))
		q, r := a/p, a%p
		if roundAway(mode, neg, r != 0, cmp.Compare(2*r, p), q&1 == 1) {
			q++
		}
		v := int64(q)
		if neg {
			v = -v
		}
		return decimal.New(v, int32(target))
	}
	if shift > nd {
		// |d| is below a tenth of the unit: the truncated value is 0 and
		// the remainder is non-zero and below half.
		var v int64
		if roundAway(mode, neg, true, -1, false) {
			v = 1
		}
		if neg {
			v = -v
		}
		return decimal.New(v, int32(target))
	}
	a := d.Coefficient()
	a.Abs(a)
	p := pow10Big(shift)
	q, r := new(big.Int).QuoRem(a, p, new(big.Int))
	inexact := r.Sign() != 0
	if roundAway(mode, neg, inexact, r.Lsh(r, 1).Cmp(p), q.Bit(0) == 1) {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return decimal.NewFromBigInt(q, int32(target))
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

// allocateSmall allocates t minor units over ratios summing to total, all
// in 64-bit arithmetic.
func allocateSmall(t int64, ratios []int64, total uint64, minor int32, c Currency) []Money {
	neg := t < 0
	a := uint64(t)
	if neg {
		a = -a
	}
	shares := make([]uint64, len(ratios))
	rems := make([]uint64, len(ratios))
	var given uint64
	for i, r := range ratios {
		// a·r < 2^64·total because a <= 2^63 and r <= total, so the
		// quotient fits and Div64 cannot panic.
		hi, lo := bits.Mul64(a, uint64(r))
		shares[i], rems[i] = bits.Div64(hi, lo, total)
		given += shares[i]
	}
	if left := a - given; left > 0 {
		order := make([]int, len(ratios))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(rems[y], rems[x]) })
		for _, i := range order[:left] {
			shares[i]++
		}
	}
	out := make([]Money, len(ratios))
	for i, s := range shares {
		v := int64(s)
		if neg {
			v = -v
		}
		out[i] = Money{amount: decimal.New(v, -minor), currency: c}
	}
	return out
}

// allocateBig is allocateSmall in arbitrary precision.
func allocateBig(t *big.Int, ratios []int64, minor int32, c Currency) []Money {
	neg := t.Sign() < 0
	a := new(big.Int).Abs(t)
	total := new(big.Int)
	for _, r := range ratios {
		total.Add(total, big.NewInt(r))
	}
	shares := make([]*big.Int, len(ratios))
	rems := make([]*big.Int, len(ratios))
	given := new(big.Int)
	for i, r := range ratios {
		p := new(big.Int).Mul(a, big.NewInt(r))
		shares[i], rems[i] = p.QuoRem(p, total, new(big.Int))
		given.Add(given, shares[i])
	}
	left := new(big.Int).Sub(a, given).Int64() // < len(ratios)
	if left > 0 {
		order := make([]int, len(ratios))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(x, y int) int { return rems[y].Cmp(rems[x]) })
		one := big.NewInt(1)
		for _, i := range order[:left] {
			shares[i].Add(shares[i], one)
		}
	}
	out := make([]Money, len(ratios))
	for i, s := range shares {
		if neg {
			s.Neg(s)
		}
		out[i] = Money{amount: decimal.NewFromBigInt(s, -minor), currency: c}
	}
	return out
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
