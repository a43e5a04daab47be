package customer

import (
	"strings"
	"testing"
)

// nameBenchPairs are typical inputs of duplicate detection.
var nameBenchPairs = []struct {
	name, a, b string
}{
	{"latin", "Jonathan Smith", "Jonathon Smyth"},
	{"diacritics", "José Núñez García", "Jose Nunez Garcia"},
	{"reordered", "Wang Wei Ming", "Ming Wei Wang"},
	{"cjk", "欧阳娜娜", "欧阳娜"},
	{"organisation", "Acme Holdings Co., Ltd.", "ACME Holdings Company Limited"},
	{"long", strings.Repeat("Maximilian ", 12), strings.Repeat("Maximillian ", 12)},
}

func BenchmarkNameSimilarity(b *testing.B) {
	for _, p := range nameBenchPairs {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if s := NameSimilarity(p.a, p.b); s <= 0 || s > 1 {
					b.Fatalf("score %v out of range", s)
				}
			}
		})
	}
}

func BenchmarkNormalizeName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if NormalizeName("  Jürgen  Müller-Lüdenscheidt, Dr. ") == "" {
			b.Fatal("empty")
		}
	}
}

func BenchmarkNormalizeOrgName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if NormalizeOrgName("Müller Maschinenbau GmbH & Co. KG") == "" {
			b.Fatal("empty")
		}
	}
}
