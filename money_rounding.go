package crm

import (
	"cmp"
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
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
