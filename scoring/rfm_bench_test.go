package scoring

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchRef is the reference date of the RFM benchmarks.
var benchRef = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// syntheticTransactions returns n transactions of customers customer IDs in
// random customer order (like a time-ordered log), from a fixed seed: times
// within two years before benchRef, amounts log-normal around 50. With
// ownStrings each transaction carries its own copy of the customer ID, laid
// out in transaction order, as rows decoded from a file or a database
// cursor are; otherwise all transactions of a customer share one interned
// string.
func syntheticTransactions(tb testing.TB, customers, n int, ownStrings bool) []Transaction {
	tb.Helper()
	rng := rand.New(rand.NewPCG(42, 7))
	ids := make([]string, customers)
	for i := range ids {
		ids[i] = "C" + strconv.Itoa(1_000_000_000+i)
	}
	const span = 2 * 365 * 24 * time.Hour
	txs := make([]Transaction, n)
	for i := range txs {
		c := i % customers // every customer buys at least once
		if i >= customers {
			c = rng.IntN(customers)
		}
		txs[i] = Transaction{
			CustomerID: ids[c],
			At:         benchRef.Add(-time.Duration(rng.Int64N(int64(span)))),
			Amount:     math.Round(math.Exp(3.9+0.8*rng.NormFloat64())*100) / 100,
		}
	}
	rng.Shuffle(len(txs), func(i, j int) { txs[i], txs[j] = txs[j], txs[i] })
	if ownStrings {
		for i := range txs {
			txs[i].CustomerID = strings.Clone(txs[i].CustomerID)
		}
	}
	return txs
}

func benchmarkRFM(b *testing.B, customers int, txs []Transaction) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		agg, err := NewRFMAggregator(benchRef, customers)
		if err != nil {
			b.Fatal(err)
		}
		if err := agg.AddSlice(txs); err != nil {
			b.Fatal(err)
		}
		tab, err := agg.Finish(nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(tab.Scores) != customers {
			b.Fatalf("got %d customers, want %d", len(tab.Scores), customers)
		}
	}
}

// BenchmarkRFM is the performance target: RFM for 1,000,000
// customers from 10,000,000 transactions in at most 2 s, aggregation and
// scoring included (generating the transactions is not timed).
func BenchmarkRFM(b *testing.B) {
	const customers, n = 1_000_000, 10_000_000
	b.Run("1M_customers/10M_tx/random_order", func(b *testing.B) {
		benchmarkRFM(b, customers, syntheticTransactions(b, customers, n, true))
	})
	b.Run("1M_customers/10M_tx/grouped_by_customer", func(b *testing.B) {
		txs := syntheticTransactions(b, customers, n, false)
		sortTxsByCustomer(txs)
		benchmarkRFM(b, customers, txs)
	})
	b.Run("1M_customers/10M_tx/random_order_interned_ids", func(b *testing.B) {
		benchmarkRFM(b, customers, syntheticTransactions(b, customers, n, false))
	})
}

func BenchmarkScoreRFM(b *testing.B) {
	agg, err := NewRFMAggregator(benchRef, 1_000_000)
	if err != nil {
		b.Fatal(err)
	}
	if err := agg.AddSlice(syntheticTransactions(b, 1_000_000, 3_000_000, true)); err != nil {
		b.Fatal(err)
	}
	tab, err := agg.Finish(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ScoreRFM(tab.Records, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// sortTxsByCustomer groups txs by customer, as a query ordered by customer
// returns them, with fresh ID strings laid out in the new order.
func sortTxsByCustomer(txs []Transaction) {
	slices.SortStableFunc(txs, func(a, b Transaction) int { return strings.Compare(a.CustomerID, b.CustomerID) })
	for i := range txs {
		txs[i].CustomerID = strings.Clone(txs[i].CustomerID)
	}
}
