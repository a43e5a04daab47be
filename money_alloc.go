package crm

import (
	"cmp"
	"fmt"
	"math/big"
	"math/bits"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"
)

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
