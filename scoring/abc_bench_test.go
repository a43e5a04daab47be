package scoring

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ckSkewedValues returns n log-normal values (a long tail, like revenue per
// customer) from a fixed seed.
func ckSkewedValues(n int) []float64 {
	rng := rand.New(rand.NewPCG(21, 22))
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Round(math.Exp(5+1.5*rng.NormFloat64())*100) / 100
	}
	return v
}

func BenchmarkClassifyABC(b *testing.B) {
	values := ckSkewedValues(1_000_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ClassifyABC(values, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGini(b *testing.B) {
	values := ckSkewedValues(1_000_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Gini(values); err != nil {
			b.Fatal(err)
		}
	}
}
