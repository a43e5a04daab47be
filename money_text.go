package crm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

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
