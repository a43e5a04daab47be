package scoring

import (
	"math/rand/v2"
	"testing"
)

// Batch benchmarks: run with
//
//	go test ./scoring/ -run '^$' -bench 'PredictBatch|CountDistribution' -benchmem -cpu 2

func BenchmarkPredictBatchBGNBD1M3Horizons(b *testing.B) {
	data, _ := mtBenchData(b)
	opts := BatchOptions{Horizons: []float64{13, 26, 52}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PredictBatch(mtBGCDNOW, data, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredictBatchParetoNBD1M3Horizons(b *testing.B) {
	_, data := mtBenchData(b)
	opts := BatchOptions{Horizons: []float64{13, 26, 52}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PredictBatch(mtPNBDCDNOW, data, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// btAges returns n distinct customer ages (weeks, not rounded).
func btAges(n int) []float64 {
	rng := rand.New(rand.NewPCG(14, 20))
	ts := make([]float64, n)
	for i := range ts {
		ts[i] = 39 + 12*rng.Float64()
	}
	return ts
}

func BenchmarkCountDistributionBGNBD100k(b *testing.B) {
	ts := btAges(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PurchaseCountDistribution(mtBGCDNOW, ts, 20, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCountDistributionParetoNBD100k(b *testing.B) {
	ts := btAges(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PurchaseCountDistribution(mtPNBDCDNOW, ts, 20, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredictBatchCDNOW scores the 2,357 CDNOW customers: P(alive)
// and expected purchases over 39 weeks.
func BenchmarkPredictBatchCDNOW(b *testing.B) {
	data := mtCDNOWSummary(b)
	opts := BatchOptions{Horizons: []float64{39}, Want: QuantityPAlive | QuantityExpectedPurchases}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PredictBatch(mtBGCDNOW, data, opts); err != nil {
			b.Fatal(err)
		}
	}
}
