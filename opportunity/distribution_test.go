package opportunity_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
)

// enumerate computes the revenue distribution of deals by brute force over
// all 2^n outcomes: revenue (minor units) → probability.
func enumerate(amounts []int64, probs []float64) (revenue []int64, prob []float64, counts []float64) {
	n := len(amounts)
	dist := map[int64]float64{}
	counts = make([]float64, n+1)
	for mask := 0; mask < 1<<n; mask++ {
		p, r, k := 1.0, int64(0), 0
		for i := range n {
			if mask&(1<<i) != 0 {
				p *= probs[i]
				r += amounts[i]
				k++
			} else {
				p *= 1 - probs[i]
			}
		}
		dist[r] += p
		counts[k] += p
	}
	for r := range dist {
		revenue = append(revenue, r)
	}
	slices.Sort(revenue)
	for _, r := range revenue {
		prob = append(prob, dist[r])
	}
	return revenue, prob, counts
}

// quantile is the smallest revenue whose cumulative probability reaches q.
func quantile(revenue []int64, prob []float64, q float64) int64 {
	var cum float64
	for i, r := range revenue {
		cum += prob[i]
		if cum >= q-1e-12 {
			return r
		}
	}
	return revenue[len(revenue)-1]
}

func atLeast(revenue []int64, prob []float64, quota int64) float64 {
	var p float64
	for i, r := range revenue {
		if r >= quota {
			p += prob[i]
		}
	}
	return p
}

func deals(amounts []int64, probs []float64) []opportunity.Deal {
	out := make([]opportunity.Deal, len(amounts))
	for i := range amounts {
		m, _ := crm.MoneyFromMinor(amounts[i], cny)
		out[i] = opportunity.Deal{Status: opportunity.Open, Amount: m, Probability: probs[i]}
	}
	return out
}

func minorOf(t *testing.T, m crm.Money) int64 {
	t.Helper()
	n, err := m.MinorUnits()
	require.NoError(t, err)
	return n
}

// TestDistributionAgainstEnumeration checks the exact method against a
// brute-force enumeration, and the sampled method against it within the
// sampling error.
func TestDistributionAgainstEnumeration(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 40 {
		n := 1 + rng.IntN(12)
		amounts := make([]int64, n)
		probs := make([]float64, n)
		for i := range n {
			amounts[i] = int64(1+rng.IntN(50)) * 100_00 // whole hundreds: exact is cheap
			if trial%2 == 1 {
				amounts[i] += int64(rng.IntN(100)) // odd cents: a large state space
			}
			probs[i] = []float64{0.1, 0.25, 0.5, 0.75, 0.9, rng.Float64(), 1}[rng.IntN(7)]
		}
		revenue, prob, counts := enumerate(amounts, probs)
		var total int64
		for _, a := range amounts {
			total += a
		}
		quota := total / 2
		qm, _ := crm.MoneyFromMinor(quota, cny)

		exact, err := opportunity.ForecastDistribution(slices.Values(deals(amounts, probs)),
			opportunity.DistributionOptions{Currency: cny, Quota: qm, MaxExactWork: 1 << 26})
		require.NoError(t, err)
		require.True(t, exact.Exact, "trial %d", trial)
		for _, q := range []struct {
			got crm.Money
			q   float64
		}{{exact.P10, 0.1}, {exact.P50, 0.5}, {exact.P90, 0.9}} {
			require.Equal(t, quantile(revenue, prob, q.q), minorOf(t, q.got), "trial %d q %v", trial, q.q)
		}
		require.InDelta(t, atLeast(revenue, prob, quota), exact.QuotaProbability, 1e-12)
		require.Len(t, exact.WinCounts, n+1)
		for k := range counts {
			require.InDelta(t, counts[k], exact.WinCounts[k], 1e-12, "count %d", k)
		}
		var mean float64
		for i, r := range revenue {
			mean += float64(r) * prob[i]
		}
		require.InDelta(t, mean, float64(minorOf(t, exact.Mean)), 1)

		// sampled: the empirical CDF at each true quantile lies within 1% of
		// the true CDF (200k draws: standard error below 0.0012)
		mc, err := opportunity.ForecastDistribution(slices.Values(deals(amounts, probs)),
			opportunity.DistributionOptions{Currency: cny, Quota: qm, MaxExactWork: -1, Draws: 200_000, Seed: uint64(trial)})
		require.NoError(t, err)
		require.False(t, mc.Exact)
		require.Equal(t, 200_000, mc.Draws)
		require.InDelta(t, atLeast(revenue, prob, quota), mc.QuotaProbability, 0.01, "trial %d", trial)
		cdf := func(x int64) float64 {
			i := sort.Search(len(revenue), func(i int) bool { return revenue[i] > x })
			var c float64
			for _, p := range prob[:i] {
				c += p
			}
			return c
		}
		for _, q := range []struct {
			got crm.Money
			q   float64
		}{{mc.P10, 0.1}, {mc.P50, 0.5}, {mc.P90, 0.9}} {
			x := minorOf(t, q.got)
			require.GreaterOrEqual(t, cdf(x), q.q-0.01, "trial %d q %v", trial, q.q)
			// just below x the CDF is under q
			i := sort.Search(len(revenue), func(i int) bool { return revenue[i] >= x })
			if i > 0 {
				require.Less(t, cdf(revenue[i-1]), q.q+0.01, "trial %d q %v", trial, q.q)
			}
		}
		require.Equal(t, exact.Mean, mc.Mean, "the mean is exact either way")
		require.Equal(t, exact.WinCounts, mc.WinCounts)
	}
}

func TestDistributionSeeded(t *testing.T) {
	t.Parallel()
	amounts := []int64{123456, 98765, 55501, 77777, 31415}
	probs := []float64{0.2, 0.5, 0.7, 0.33, 0.9}
	opts := opportunity.DistributionOptions{Currency: cny, MaxExactWork: -1, Seed: 42}
	a, err := opportunity.ForecastDistribution(slices.Values(deals(amounts, probs)), opts)
	require.NoError(t, err)
	b, err := opportunity.ForecastDistribution(slices.Values(deals(amounts, probs)), opts)
	require.NoError(t, err)
	require.Equal(t, a, b, "same seed, same result")
	require.Equal(t, opportunity.DefaultDraws, a.Draws)
	opts.Seed = 43
	c, err := opportunity.ForecastDistribution(slices.Values(deals(amounts, probs)), opts)
	require.NoError(t, err)
	require.Equal(t, a.Mean, c.Mean)
}

func TestDistributionEdges(t *testing.T) {
	t.Parallel()
	t.Run("nothing to win", func(t *testing.T) {
		t.Parallel()
		d, err := opportunity.ForecastDistribution(slices.Values([]opportunity.Deal{
			{Status: opportunity.Lost, Amount: money("100.00 CNY")},
			{Status: opportunity.Open, Amount: money("100.00 CNY"), Probability: 0},
		}), opportunity.DistributionOptions{Currency: cny, Quota: money("1.00 CNY")})
		require.NoError(t, err)
		require.Equal(t, 0, d.Deals)
		require.True(t, d.P90.IsZero())
		require.Equal(t, 0.0, d.QuotaProbability)
		require.Equal(t, []float64{1}, d.WinCounts)
	})
	t.Run("won deals are certain", func(t *testing.T) {
		t.Parallel()
		d, err := opportunity.ForecastDistribution(slices.Values([]opportunity.Deal{
			{Status: opportunity.Won, Amount: money("500.00 CNY")}, // a won deal counts whatever its probability says
			{Status: opportunity.Open, Amount: money("100.00 CNY"), Probability: 0.5},
		}), opportunity.DistributionOptions{Currency: cny, Quota: money("550.00 CNY")})
		require.NoError(t, err)
		require.Equal(t, "500.00 CNY", d.P10.String())
		require.Equal(t, "500.00 CNY", d.P50.String())
		require.Equal(t, "600.00 CNY", d.P90.String())
		require.Equal(t, 0.5, d.QuotaProbability)
		require.Equal(t, "550.00 CNY", d.Mean.String())
		require.Equal(t, "50.00 CNY", d.StdDev.String())
	})
	bad := []struct {
		name string
		d    opportunity.Deal
		opts opportunity.DistributionOptions
		is   error
	}{
		{"mixed currencies", opportunity.Deal{Amount: money("1.00 EUR"), Probability: 0.5}, opportunity.DistributionOptions{Currency: cny}, crm.ErrCurrencyMismatch},
		{"probability above 1", opportunity.Deal{Amount: money("1.00 CNY"), Probability: 1.5}, opportunity.DistributionOptions{Currency: cny}, crm.ErrInvalid},
		{"probability NaN", opportunity.Deal{Amount: money("1.00 CNY"), Probability: math.NaN()}, opportunity.DistributionOptions{Currency: cny}, crm.ErrInvalid},
		{"negative amount", opportunity.Deal{Amount: money("-1.00 CNY"), Probability: 0.5}, opportunity.DistributionOptions{Currency: cny}, crm.ErrInvalid},
		{"no currency", opportunity.Deal{Amount: money("1.00 CNY"), Probability: 0.5}, opportunity.DistributionOptions{}, crm.ErrInvalid},
		{"quota in another currency", opportunity.Deal{Amount: money("1.00 CNY"), Probability: 0.5}, opportunity.DistributionOptions{Currency: cny, Quota: money("1.00 EUR")}, crm.ErrCurrencyMismatch},
		{"too many draws", opportunity.Deal{Amount: money("1.00 CNY"), Probability: 0.5}, opportunity.DistributionOptions{Currency: cny, Draws: opportunity.MaxDraws + 1}, crm.ErrInvalid},
		{"negative draws", opportunity.Deal{Amount: money("1.00 CNY"), Probability: 0.5}, opportunity.DistributionOptions{Currency: cny, Draws: -1}, crm.ErrInvalid},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := opportunity.ForecastDistribution(slices.Values([]opportunity.Deal{tt.d}), tt.opts)
			require.ErrorIs(t, err, tt.is)
		})
	}
}

// TestWinCountsLarge checks the pruned Poisson-binomial recursion on many
// deals: it sums to 1 and has the right mean and variance.
func TestWinCountsLarge(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	n := 3000
	ds := make([]opportunity.Deal, n)
	var mu, v float64
	for i := range ds {
		p := rng.Float64()
		ds[i] = opportunity.Deal{Status: opportunity.Open, Amount: money("1000.00 CNY"), Probability: p}
		mu += p
		v += p * (1 - p)
	}
	d, err := opportunity.ForecastDistribution(slices.Values(ds), opportunity.DistributionOptions{Currency: cny})
	require.NoError(t, err)
	require.True(t, d.Exact, "equal amounts make the exact method cheap")
	var sum, m, m2 float64
	for k, p := range d.WinCounts {
		sum += p
		m += float64(k) * p
		m2 += float64(k) * float64(k) * p
	}
	require.InDelta(t, 1, sum, 1e-12)
	require.InDelta(t, mu, m, 1e-9)
	require.InDelta(t, v, m2-m*m, 1e-6)
}

func TestDistributionBounds(t *testing.T) {
	t.Parallel()
	d := opportunity.Deal{Status: opportunity.Open, Amount: money("1.00 CNY"), Probability: 0.5}
	many := func(yield func(opportunity.Deal) bool) {
		for range opportunity.MaxDistributionDeals + 1 {
			if !yield(d) {
				return
			}
		}
	}
	_, err := opportunity.ForecastDistribution(many, opportunity.DistributionOptions{Currency: cny})
	require.ErrorIs(t, err, crm.ErrInvalid)

	// one huge deal: more revenue states than MaxExactStates, so it is sampled
	huge := opportunity.Deal{Status: opportunity.Open, Amount: money("99999.99 CNY"), Probability: 0.5}
	small := opportunity.Deal{Status: opportunity.Open, Amount: money("0.01 CNY"), Probability: 0.5}
	got, err := opportunity.ForecastDistribution(slices.Values([]opportunity.Deal{huge, small}),
		opportunity.DistributionOptions{Currency: cny, MaxExactWork: math.MaxInt})
	require.NoError(t, err)
	require.False(t, got.Exact)
	require.Equal(t, []float64{0.25, 0.5, 0.25}, got.WinCounts)
}
