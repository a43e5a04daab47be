package scoring

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// fsSimulateBGNBDContinuous simulates n BG/NBD customers with exact
// (unrounded) times: every record is a distinct case.
func fsSimulateBGNBDContinuous(rng *rand.Rand, n int, m BGNBD) []CustomerSummary {
	out := make([]CustomerSummary, n)
	for i := range out {
		T := 39 + 12*rng.Float64()
		lambda := mtGamma(rng, m.R, m.Alpha)
		p := mtBeta(rng, m.A, m.B)
		x, last, now := 0, 0.0, 0.0
		for {
			now += rng.ExpFloat64() / lambda
			if now > T {
				break
			}
			x++
			last = now
			if rng.Float64() < p {
				break
			}
		}
		out[i] = CustomerSummary{X: x, TX: last, T: T}
	}
	return out
}

var fsDistinct struct {
	once sync.Once
	data []CustomerSummary
}

// fsDistinctData returns 1,000,000 distinct BG/NBD customers, simulated
// once from the CDNOW estimates.
func fsDistinctData(tb testing.TB) []CustomerSummary {
	tb.Helper()
	fsDistinct.once.Do(func() {
		fsDistinct.data = fsSimulateBGNBDContinuous(rand.New(rand.NewPCG(1, 1_000_000)), 1_000_000, mtBGCDNOW)
	})
	return fsDistinct.data
}

func TestFitBGNBDWorkersGiveIdenticalResults(t *testing.T) {
	if testing.Short() {
		t.Skip("fits 200,000 customers three times")
	}
	data := fsSimulateBGNBDContinuous(rand.New(rand.NewPCG(7, 8)), 200_000, mtBGCDNOW)
	before := runtime.NumGoroutine()
	var first BGNBD
	for i, workers := range []int{1, 2, 5} {
		m, err := FitBGNBD(data, &FitOptions{Workers: workers})
		require.NoError(t, err)
		if i == 0 {
			first = m
			continue
		}
		require.Equal(t, first, m, "workers=%d", workers)
	}
	// A worker may still be exiting just after the fit returned: give the
	// scheduler a moment before counting.
	for i := 0; i < 1000 && runtime.NumGoroutine() > before; i++ {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left behind")
	// The warm start from a sample lands on the optimum a cold start finds.
	cold, err := FitBGNBD(data, &FitOptions{Start: []float64{1, 10, 1, 1}})
	require.NoError(t, err)
	for i, p := range [][2]float64{{cold.R, first.R}, {cold.Alpha, first.Alpha}, {cold.A, first.A}, {cold.B, first.B}} {
		require.InEpsilon(t, p[0], p[1], 1e-6, bgParamNames[i])
	}
	// The simulation's parameters are recovered.
	require.InDelta(t, mtBGCDNOW.R, first.R, 0.02)
	require.InDelta(t, mtBGCDNOW.A, first.A, 0.1)
}

func TestCalCompressAutoSkipsDistinctData(t *testing.T) {
	t.Parallel()
	distinct := fsSimulateBGNBDContinuous(rand.New(rand.NewPCG(3, 4)), 5*calSample, mtBGCDNOW)
	d := calCompressAuto(distinct)
	require.True(t, d.perTuple)
	require.Len(t, d.w, len(distinct))
	// Rounded data is compressed.
	rounded := mtSimulateBGNBD(rand.New(rand.NewPCG(3, 4)), 5*calSample, mtBGCDNOW, 84, 357)
	d = calCompressAuto(rounded)
	require.False(t, d.perTuple)
	require.Less(t, len(d.w), len(rounded)/2)
	// Both forms give the same likelihood.
	theta := []float64{math.Log(0.3), math.Log(4), math.Log(0.8), math.Log(2.5)}
	a := newBGObjective(calCompress(distinct), 1).eval(theta, nil)
	b := newBGObjective(calIdentity(distinct), 2).eval(theta, nil)
	require.InDelta(t, a, b, 1e-12*math.Abs(a))
}

func TestCalParallelReraisesPanics(t *testing.T) {
	t.Parallel()
	seen := make([]int, 100)
	calParallel(len(seen), 3, func(i int) { seen[i]++ })
	for i, v := range seen {
		require.Equal(t, 1, v, "index %d", i)
	}
	require.PanicsWithValue(t, "boom", func() {
		calParallel(10, 3, func(i int) {
			if i == 7 {
				panic("boom")
			}
		})
	})
}

func TestFitOptionsRefuseNegativeWorkers(t *testing.T) {
	t.Parallel()
	_, err := FitBGNBD([]CustomerSummary{{X: 1, TX: 1, T: 2}}, &FitOptions{Workers: -1})
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func BenchmarkFitBGNBD1MDistinct(b *testing.B) {
	data := fsDistinctData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitBGNBD(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}
