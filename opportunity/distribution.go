package opportunity

import (
	"fmt"
	"iter"
	"math"
	"math/bits"
	"slices"

	"github.com/crmkit/crm"
)

// Limits and defaults of [ForecastDistribution].
const (
	// DefaultDraws is the number of Monte Carlo draws when Draws is 0.
	DefaultDraws = 10000
	// MaxDraws bounds DistributionOptions.Draws.
	MaxDraws = 1 << 22
	// DefaultMaxExactWork bounds the exact computation when MaxExactWork
	// is 0: deals × revenue states.
	DefaultMaxExactWork = 1 << 25
	// MaxExactStates bounds the revenue states of the exact computation
	// (its memory is 8 bytes a state).
	MaxExactStates = 1 << 22
	// MaxDistributionDeals bounds the number of deals of one distribution
	// that can be won, so that a call's work stays bounded.
	MaxDistributionDeals = 100_000
)

// DistributionOptions configure [ForecastDistribution]. The zero value
// (with a Currency) works: exact when cheap, else 10,000 seeded draws.
type DistributionOptions struct {
	// Currency of every deal. Required.
	Currency crm.Currency
	// Quota, when set, is the target whose probability of being reached
	// is reported.
	Quota crm.Money
	// Draws is the number of Monte Carlo draws; 0 means DefaultDraws.
	Draws int
	// Seed seeds the Monte Carlo generator: the same deals, options and
	// seed give the same result on every platform.
	Seed uint64
	// MaxExactWork bounds the exact computation, in deals × revenue
	// states (revenues are counted in steps of the greatest common divisor
	// of the amounts, at most MaxExactStates of them): within it the
	// distribution is exact, beyond it it is sampled. 0 means DefaultMaxExactWork; a negative value always
	// samples.
	MaxExactWork int
}

// Distribution is the distribution of the revenue won from a set of
// deals, each won independently with its probability.
type Distribution struct {
	// Deals is the number of deals that can be won (probability above 0).
	Deals int
	// Exact is true when the distribution was computed exactly; otherwise
	// it was sampled with Draws draws.
	Exact bool
	Draws int
	// Mean is the expected revenue Σ amount × probability and StdDev its
	// standard deviation, both exact whatever the method, rounded to the
	// minor unit.
	Mean, StdDev crm.Money
	// P10, P50 and P90 are quantiles of the revenue: the smallest revenue
	// r with P(revenue ≤ r) ≥ 0.1, 0.5, 0.9. There is a 90% chance of at
	// least P10.
	P10, P50, P90 crm.Money
	// QuotaProbability is P(revenue ≥ Quota); 0 when no quota was given.
	QuotaProbability float64
	// WinCounts[k] is the probability that exactly k deals are won (the
	// Poisson-binomial distribution), computed exactly whatever the method
	// (terms below 1e-20 are dropped as they arise, so each entry is exact
	// to about 1e-15).
	WinCounts []float64
}

// ForecastDistribution returns the distribution of won revenue for deals:
// every deal that is not lost counts with its amount and probability (won
// deals have probability 1 and count for certain). Deals must be in
// opts.Currency (crm.ErrCurrencyMismatch otherwise) with amounts not
// negative and probabilities in [0, 1] (crm.ErrInvalid otherwise).
//
// The revenue distribution is exact when deals × revenue states stay within
// MaxExactWork, for example whole-thousand amounts; otherwise it is a seeded
// Monte Carlo estimate whose quantiles are those of the draws (probabilities
// are compared at 2^-16 resolution).
func ForecastDistribution(deals iter.Seq[Deal], opts DistributionOptions) (Distribution, error) {
	const op = "opportunity.ForecastDistribution"
	if opts.Draws == 0 {
		opts.Draws = DefaultDraws
	}
	if opts.MaxExactWork == 0 {
		opts.MaxExactWork = DefaultMaxExactWork
	}
	var v crm.Validator
	v.Check(!opts.Currency.IsZero(), "currency", "must be set")
	v.Check(opts.Draws > 0 && opts.Draws <= MaxDraws, "draws", fmt.Sprintf("must be 1 to %d", MaxDraws))
	if err := v.Err(op); err != nil {
		return Distribution{}, err
	}
	var quota int64
	hasQuota := !opts.Quota.Currency().IsZero() || !opts.Quota.IsZero()
	if hasQuota {
		if opts.Quota.Currency() != opts.Currency {
			return Distribution{}, fmt.Errorf("opportunity: forecast distribution: quota in %s, want %s: %w",
				opts.Quota.Currency(), opts.Currency, crm.ErrCurrencyMismatch)
		}
		q, err := opts.Quota.MinorUnits()
		if err != nil {
			return Distribution{}, fmt.Errorf("opportunity: forecast distribution: quota: %w", err)
		}
		quota = q
	}
	var amounts []int64
	var probs []float64
	var total int64
	var mean, variance float64
	i := -1
	for d := range deals {
		i++
		p := d.Probability
		if d.Status == Won {
			p = 1
		}
		if !validProbability(p) {
			return Distribution{}, crm.Invalid(op, fmt.Sprintf("deals[%d].probability", i), "must be in [0, 1]")
		}
		if d.Status == Lost || p == 0 {
			continue
		}
		a, err := minor("forecast distribution", i, d.Amount, opts.Currency)
		if err != nil {
			return Distribution{}, err
		}
		if a < 0 {
			return Distribution{}, crm.Invalid(op, fmt.Sprintf("deals[%d].amount", i), "must not be negative")
		}
		var ok bool
		if total, ok = addMinor(total, a); !ok {
			return Distribution{}, crm.Invalid(op, "", "sum of amounts overflows")
		}
		if len(amounts) == MaxDistributionDeals {
			return Distribution{}, crm.Invalid(op, "deals", fmt.Sprintf("more than %d deals", MaxDistributionDeals))
		}
		amounts = append(amounts, a)
		probs = append(probs, p)
		fa := float64(a)
		mean += p * fa
		variance += p * (1 - p) * fa * fa
	}
	money := func(x float64) crm.Money {
		m, _ := crm.MoneyFromMinor(int64(math.Round(x)), opts.Currency)
		return m
	}
	out := Distribution{Deals: len(amounts), Mean: money(mean), StdDev: money(math.Sqrt(variance)), WinCounts: winCounts(probs)}
	if len(amounts) == 0 {
		out.Exact = true
		out.P10, out.P50, out.P90 = money(0), money(0), money(0)
		if hasQuota && quota <= 0 {
			out.QuotaProbability = 1
		}
		return out, nil
	}
	if pmf, step, ok := exactRevenue(amounts, probs, opts.MaxExactWork); ok {
		out.Exact = true
		qs := pmfQuantiles(pmf, 0.1, 0.5, 0.9)
		out.P10, out.P50, out.P90 = money(float64(qs[0]*step)), money(float64(qs[1]*step)), money(float64(qs[2]*step))
		if hasQuota {
			out.QuotaProbability = pmfAtLeast(pmf, step, quota)
		}
		return out, nil
	}
	draws := sampleRevenue(amounts, probs, opts.Draws, opts.Seed)
	slices.Sort(draws)
	out.Draws = opts.Draws
	out.P10, out.P50, out.P90 = money(float64(rank(draws, 0.1))), money(float64(rank(draws, 0.5))), money(float64(rank(draws, 0.9)))
	if hasQuota {
		first, _ := slices.BinarySearch(draws, quota)
		out.QuotaProbability = float64(len(draws)-first) / float64(len(draws))
	}
	return out, nil
}

// exactRevenue returns the exact distribution of Σ won amounts in steps of
// the amounts' greatest common divisor, when the work fits maxWork.
func exactRevenue(amounts []int64, probs []float64, maxWork int) (pmf []float64, step int64, ok bool) {
	if maxWork < 0 {
		return nil, 0, false
	}
	for _, a := range amounts {
		step = gcd(step, a)
	}
	if step == 0 { // every amount is 0
		return []float64{1}, 1, true
	}
	var states int64
	for _, a := range amounts {
		states += a / step
	}
	if states+1 > MaxExactStates || float64(states+1)*float64(len(amounts)) > float64(maxWork) {
		return nil, 0, false
	}
	pmf = make([]float64, states+1)
	pmf[0] = 1
	var top int64 // highest reachable state so far
	for i, a := range amounts {
		u, p := a/step, probs[i]
		if u == 0 {
			continue
		}
		q := 1 - p
		for s := top; s >= 0; s-- {
			x := pmf[s]
			if x == 0 {
				continue
			}
			pmf[s+u] += x * p
			pmf[s] = x * q
		}
		top += u
	}
	return pmf, step, true
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// pmfQuantiles returns, for each q, the smallest state whose cumulative
// probability reaches q (with a tolerance of 1e-12 for rounding).
func pmfQuantiles(pmf []float64, qs ...float64) []int64 {
	out := make([]int64, len(qs))
	var cum float64
	j := 0
	for s, x := range pmf {
		cum += x
		for j < len(qs) && cum >= qs[j]-1e-12 {
			out[j] = int64(s)
			j++
		}
	}
	for ; j < len(qs); j++ {
		out[j] = int64(len(pmf) - 1)
	}
	return out
}

// pmfAtLeast returns P(state × step ≥ quota).
func pmfAtLeast(pmf []float64, step, quota int64) float64 {
	if quota <= 0 {
		return 1
	}
	first := (quota + step - 1) / step
	var p float64
	for s := first; s < int64(len(pmf)); s++ {
		p += pmf[s]
	}
	return min(p, 1)
}

// sampleRevenue draws the won revenue n times. Each deal is won in a draw
// with its probability rounded to a multiple of 2^-16 (and at least 2^-16
// when it is above 0). The wins of one deal in 64 draws at once are a bit
// mask built from random words, one per bit of the rounded probability: a
// word's bits are compared as 64 independent 16-bit uniforms, lowest bit
// first (x < t is decided by the highest bit where x and t differ). The
// generator is wyrand, seeded with seed.
func sampleRevenue(amounts []int64, probs []float64, n int, seed uint64) []int64 {
	acc := make([]int64, n)
	state := seed
	next := func() uint64 {
		state += 0xa0761d6478bd642f
		hi, lo := bits.Mul64(state, state^0xe7037ed1a0b428db)
		return hi ^ lo
	}
	var base int64
	for i, a := range amounts {
		t := uint64(math.Round(probs[i] * (1 << 16)))
		switch {
		case a == 0:
			continue
		case t >= 1<<16:
			base += a
			continue
		case t == 0:
			t = 1
		}
		low := bits.TrailingZeros64(t)
		// A likely deal counts as won in every draw and is taken off where
		// it is lost, so the inner loop visits the rarer outcome.
		add, flip := a, uint64(0)
		if t > 1<<15 {
			base += a
			add, flip = -a, ^uint64(0)
		}
		for block := 0; block < n; block += 64 {
			var m uint64
			for j := low; j < 16; j++ {
				if t>>j&1 == 1 {
					m |= next()
				} else {
					m &= next()
				}
			}
			m ^= flip
			if rest := n - block; rest < 64 {
				m &= 1<<rest - 1
			}
			w := acc[block:min(block+64, n)]
			for m != 0 {
				w[bits.TrailingZeros64(m)] += add
				m &= m - 1
			}
		}
	}
	if base != 0 {
		for d := range acc {
			acc[d] += base
		}
	}
	return acc
}

// winCounts returns the Poisson-binomial distribution of the number of
// successes, dropping terms below 1e-20 at the edges as they arise.
func winCounts(probs []float64) []float64 {
	const tiny = 1e-20
	pmf := make([]float64, len(probs)+1)
	pmf[0] = 1
	lo, hi := 0, 0 // support kept: pmf[lo..hi]
	for _, p := range probs {
		q := 1 - p
		pmf[hi+1] = pmf[hi] * p
		for k := hi; k > lo; k-- {
			pmf[k] = pmf[k]*q + pmf[k-1]*p
		}
		pmf[lo] *= q
		hi++
		for lo < hi && pmf[lo] < tiny {
			pmf[lo] = 0
			lo++
		}
		for hi > lo && pmf[hi] < tiny {
			pmf[hi] = 0
			hi--
		}
	}
	return pmf
}
