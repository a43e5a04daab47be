package crm_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
)

// Package-level sinks keep the compiler from discarding benchmark results.
var (
	benchMoney  crm.Money
	benchParts  []crm.Money
	benchString string
	benchBytes  []byte
	benchCur    crm.Currency
)

func BenchmarkParseCurrency(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := crm.ParseCurrency("eur")
		if err != nil {
			b.Fatal(err)
		}
		benchCur = c
	}
}

func BenchmarkParseMoney(b *testing.B) {
	cases := []struct{ name, in string }{
		{"small", "1234.56 EUR"},
		{"currency_first", "EUR -0.5"},
		{"beyond_int64", "123456789012345678901234.56 USD"},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m, err := crm.ParseMoney(bc.in)
				if err != nil {
					b.Fatal(err)
				}
				benchMoney = m
			}
		})
	}
}

func BenchmarkParseMoneyRefusesHugeExponent(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := crm.ParseMoney("1e999999999 EUR"); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkMoneyString(b *testing.B) {
	m := crm.MustParseMoney("1234.5 EUR")
	b.ReportAllocs()
	for b.Loop() {
		benchString = m.String()
	}
}

func BenchmarkMoneyAdd(b *testing.B) {
	x := crm.MustParseMoney("1234.56 EUR")
	y := crm.MustParseMoney("0.125 EUR")
	b.ReportAllocs()
	for b.Loop() {
		s, err := x.Add(y)
		if err != nil {
			b.Fatal(err)
		}
		benchMoney = s
	}
}

func BenchmarkMoneyMulRound(b *testing.B) {
	m := crm.MustParseMoney("19.99 EUR")
	rate := decimal.RequireFromString("0.19")
	b.ReportAllocs()
	for b.Loop() {
		benchMoney = m.Mul(rate).Round(crm.RoundHalfEven)
	}
}

func BenchmarkMoneyDiv(b *testing.B) {
	m := crm.MustParseMoney("100.00 EUR")
	three := decimal.NewFromInt(3)
	b.ReportAllocs()
	for b.Loop() {
		q, err := m.Div(three, crm.RoundHalfEven)
		if err != nil {
			b.Fatal(err)
		}
		benchMoney = q
	}
}

func BenchmarkMoneyAllocate(b *testing.B) {
	m := crm.MustParseMoney("100.00 EUR")
	b.ReportAllocs()
	for b.Loop() {
		parts, err := m.Allocate(1, 1, 1)
		if err != nil {
			b.Fatal(err)
		}
		benchParts = parts
	}
}

func BenchmarkMoneyMarshalJSON(b *testing.B) {
	m := crm.MustParseMoney("1234.56 EUR")
	b.ReportAllocs()
	for b.Loop() {
		out, err := m.MarshalJSON()
		if err != nil {
			b.Fatal(err)
		}
		benchBytes = out
	}
}

func BenchmarkMoneyUnmarshalJSON(b *testing.B) {
	in := []byte(`{"amount":"1234.56","currency":"EUR"}`)
	b.ReportAllocs()
	for b.Loop() {
		var m crm.Money
		if err := m.UnmarshalJSON(in); err != nil {
			b.Fatal(err)
		}
		benchMoney = m
	}
}
