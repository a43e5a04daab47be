package scoring

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// Benchmarks: run with
//
//	go test ./scoring/ -run '^$' -bench 'Fit|Predict|Calibration' -benchmem -cpu 1
//
// The 1,000,000-customer data sets are simulated once, with fixed PCG
// seeds, from the CDNOW estimates: customers acquired over 12 weeks and
// observed for 39 weeks, purchase days rounded to whole days as in real
// logs (so (x, t_x, T) tuples repeat).

const mtBenchCustomers = 1_000_000

var mtBench struct {
	once       sync.Once
	bg, pareto []CustomerSummary
}

func mtBenchData(b testing.TB) ([]CustomerSummary, []CustomerSummary) {
	b.Helper()
	mtBench.once.Do(func() {
		rng := rand.New(rand.NewPCG(2005, 42))
		mtBench.bg = mtSimulateBGNBD(rng, mtBenchCustomers, mtBGCDNOW, 84, 357)
		mtBench.pareto = mtSimulateParetoNBD(rng, mtBenchCustomers, mtPNBDCDNOW, 84, 357)
		// Spend per purchase from the Gamma-Gamma story: the mean of x
		// purchases of a customer with rate ν is gamma(px, xν).
		for _, data := range [][]CustomerSummary{mtBench.bg, mtBench.pareto} {
			for i := range data {
				if x := float64(data[i].X); x > 0 {
					nu := mtGamma(rng, mtGGCDNOW.Q, mtGGCDNOW.Gamma)
					data[i].MeanValue = mtGamma(rng, mtGGCDNOW.P*x, x*nu)
				}
			}
		}
	})
	return mtBench.bg, mtBench.pareto
}

func BenchmarkFitBGNBDCDNOW(b *testing.B) {
	data := mtCDNOWSummary(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitBGNBD(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitParetoNBDCDNOW(b *testing.B) {
	data := mtCDNOWSummary(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitParetoNBD(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitGammaGammaCDNOW(b *testing.B) {
	data := mtCDNOWSummary(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitGammaGamma(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitSBG(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitSBG(mtHighEnd, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCalibrationHoldoutCDNOW(b *testing.B) {
	txs := mtCDNOWTransactions(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := CalibrationHoldout(txs, mtCDNOWCalEnd, mtCDNOWEnd, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitBGNBD1M(b *testing.B) {
	data, _ := mtBenchData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitBGNBD(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitParetoNBD1M(b *testing.B) {
	_, data := mtBenchData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitParetoNBD(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitGammaGamma1M(b *testing.B) {
	data, _ := mtBenchData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitGammaGamma(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// mtBenchPredict scores 1,000,000 customers: P(alive), expected purchases
// and P(no purchase) over 52 weeks, Gamma-Gamma spend, and a 12-month CLV
// at 1% a month.
func mtBenchPredict(b *testing.B, m PurchaseModel, data []CustomerSummary) {
	opts := PredictOptions{Horizon: 52, CLV: CLVHorizon{Periods: 12, PeriodLength: 52.0 / 12, DiscountRate: 0.01}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PredictCustomers(m, &mtGGCDNOW, data, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredictCustomersBGNBD1M(b *testing.B) {
	data, _ := mtBenchData(b)
	mtBenchPredict(b, mtBGCDNOW, data)
}

func BenchmarkPredictCustomersParetoNBD1M(b *testing.B) {
	_, data := mtBenchData(b)
	mtBenchPredict(b, mtPNBDCDNOW, data)
}
