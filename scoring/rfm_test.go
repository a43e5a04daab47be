package scoring

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

var ckRef = time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)

func ckDay(d int) time.Time { return time.Date(2025, 1, d, 0, 0, 0, 0, time.UTC) }

func TestRFMAggregation(t *testing.T) {
	t.Parallel()
	txs := []Transaction{
		{CustomerID: "A", At: ckDay(1), Amount: 10},
		{CustomerID: "B", At: time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC), Amount: 5.5},
		{CustomerID: "A", At: ckDay(21), Amount: 30},
		{CustomerID: "C", At: ckRef, Amount: 100}, // at the reference date: allowed
		{CustomerID: "A", At: ckDay(11), Amount: 20},
	}
	for _, tc := range []struct {
		name string
		add  func(a *RFMAggregator) error
	}{
		{name: "Add", add: func(a *RFMAggregator) error {
			for _, tx := range txs {
				if err := a.Add(tx); err != nil {
					return err
				}
			}
			return nil
		}},
		{name: "AddSlice", add: func(a *RFMAggregator) error { return a.AddSlice(txs) }},
		{name: "AddAll", add: func(a *RFMAggregator) error { return a.AddAll(slices.Values(txs)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := NewRFMAggregator(ckRef, 0)
			require.NoError(t, err)
			require.NoError(t, tc.add(a))
			require.Equal(t, 3, a.Len())
			tab, err := a.Finish(nil)
			require.NoError(t, err)
			require.Equal(t, ckRef, tab.Ref)
			require.Equal(t, []RFMRecord{
				{CustomerID: "A", First: ckDay(1), Last: ckDay(21), Frequency: 3, Monetary: 60},
				{CustomerID: "B", First: time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC), Last: time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC), Frequency: 1, Monetary: 5.5},
				{CustomerID: "C", First: ckRef, Last: ckRef, Frequency: 1, Monetary: 100},
			}, tab.Records)
			// Recency: A 31 − 21 = 10 days; B from Dec 31 noon = 30.5 days; C 0.
			ckClose(t, 10, tab.Records[0].RecencyDays(ckRef), 1e-12)
			ckClose(t, 30.5, tab.Records[1].RecencyDays(ckRef), 1e-12)
			ckClose(t, 0, tab.Records[2].RecencyDays(ckRef), 1e-12)
			ckClose(t, 20, tab.Records[0].AverageAmount(), 1e-12)
			// Three customers, five bins, no ties: mid-rank percentiles
			// (i + 0.5)/3 = 1/6, 1/2, 5/6 → scores 1 + ⌊5p⌋ = 1, 3, 5.
			// R: B oldest, A, C latest. F: B and C tie at 1 (p = 1/3 → 2),
			// A (p = 5/6 → 5). M: B 5.5, A 60, C 100.
			require.Equal(t, []RFMScore{{R: 3, F: 5, M: 3}, {R: 1, F: 2, M: 1}, {R: 5, F: 2, M: 5}}, tab.Scores)
			// Finish reset the aggregator.
			require.Equal(t, 0, a.Len())
			_, err = a.Finish(nil)
			ckInvalid(t, err, "transactions")
		})
	}
}

// ckTenRecords are ten customers with hand-picked values: Last on days
// 1..10 (c01 oldest), frequencies 1,1,1,1,1,1,2,2,3,4 and totals 100, 90,
// …, 10 (c01 largest).
func ckTenRecords() []RFMRecord {
	freq := []int{1, 1, 1, 1, 1, 1, 2, 2, 3, 4}
	out := make([]RFMRecord, 10)
	for i := range out {
		out[i] = RFMRecord{
			CustomerID: fmt.Sprintf("c%02d", i+1),
			First:      ckDay(1),
			Last:       ckDay(i + 1),
			Frequency:  freq[i],
			Monetary:   float64(100 - 10*i),
		}
	}
	return out
}

func TestScoreRFMHandComputed(t *testing.T) {
	t.Parallel()
	// n = 10, bins = 5. Without ties position i (0-based) gets
	// 1 + ⌊5(2i+1)/20⌋ = 1,1,2,2,3,3,4,4,5,5.
	distinct := []uint8{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}
	tests := []struct {
		name string
		opts *RFMOptions
		r    []uint8
		f    []uint8
		m    []uint8
	}{
		{
			// F ties share: frequency 1 holds positions 0–5 → 1+⌊5·(0+6/2)/10⌋
			// = 1+⌊1.5⌋ = 2; frequency 2 positions 6–7 → 1+⌊5·(6+1)/10⌋ = 4;
			// 3 → 1+⌊5·8.5/10⌋ = 5; 4 → 1+⌊5·9.5/10⌋ = 5.
			name: "ties share a bin", opts: nil,
			r: distinct, f: []uint8{2, 2, 2, 2, 2, 2, 4, 4, 5, 5},
			m: []uint8{5, 5, 4, 4, 3, 3, 2, 2, 1, 1},
		},
		{
			// Equal size: ties broken by customer ID, so c01..c10 in order.
			name: "equal size", opts: &RFMOptions{Ties: TiesEqualSize},
			r: distinct, f: distinct,
			m: []uint8{5, 5, 4, 4, 3, 3, 2, 2, 1, 1},
		},
		{
			// Three bins, ties share: R position i → 1+⌊3(2i+1)/20⌋ =
			// 1,1,1,2,2,2,2,3,3,3 (i=3: 21/20 → 2; i=7: 45/20 → 3).
			// F: 1 → 1+⌊3·3/10⌋ = 1; 2 → 1+⌊3·7/10⌋ = 3; 3 → 1+⌊3·8.5/10⌋ = 3;
			// 4 → 1+⌊3·9.5/10⌋ = 3.
			name: "tertiles", opts: &RFMOptions{Bins: 3},
			r: []uint8{1, 1, 1, 2, 2, 2, 2, 3, 3, 3}, f: []uint8{1, 1, 1, 1, 1, 1, 3, 3, 3, 3},
			m: []uint8{3, 3, 3, 2, 2, 2, 2, 1, 1, 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			scores, err := ScoreRFM(ckTenRecords(), tc.opts)
			require.NoError(t, err)
			for i, s := range scores {
				require.Equal(t, RFMScore{R: tc.r[i], F: tc.f[i], M: tc.m[i]}, s, "customer %d", i+1)
			}
		})
	}
}

func TestScoreRFMMonetaryAverage(t *testing.T) {
	t.Parallel()
	recs := []RFMRecord{
		{CustomerID: "x", Last: ckDay(1), Frequency: 2, Monetary: 100}, // average 50
		{CustomerID: "y", Last: ckDay(2), Frequency: 1, Monetary: 60},  // average 60
	}
	// Two customers, two bins: positions score 1+⌊2·1/4⌋ = 1 and 1+⌊2·3/4⌋ = 2.
	total, err := ScoreRFM(recs, &RFMOptions{Bins: 2})
	require.NoError(t, err)
	require.Equal(t, []uint8{2, 1}, []uint8{total[0].M, total[1].M})
	avg, err := ScoreRFM(recs, &RFMOptions{Bins: 2, Monetary: MonetaryAverage})
	require.NoError(t, err)
	require.Equal(t, []uint8{1, 2}, []uint8{avg[0].M, avg[1].M})
}

func TestScoreRFMAllTied(t *testing.T) {
	t.Parallel()
	recs := make([]RFMRecord, 4)
	for i := range recs {
		recs[i] = RFMRecord{CustomerID: fmt.Sprint(i), Last: ckDay(5), Frequency: 1, Monetary: 7}
	}
	// Everyone ties: 1 + ⌊5·(0 + 4/2)/4⌋ = 3, the middle bin.
	s, err := ScoreRFM(recs, nil)
	require.NoError(t, err)
	for _, x := range s {
		require.Equal(t, RFMScore{3, 3, 3}, x)
	}
	// Equal size splits them by customer ID: 1 + ⌊5i/4⌋ = 1, 2, 3, 4.
	s, err = ScoreRFM(recs, &RFMOptions{Ties: TiesEqualSize})
	require.NoError(t, err)
	require.Equal(t, []RFMScore{{1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {4, 4, 4}}, s)
}

func TestScoreRFMNanosecondRecency(t *testing.T) {
	t.Parallel()
	// Two purchases one nanosecond apart, in different years' worth of
	// seconds from the epoch, are told apart.
	recs := []RFMRecord{
		{CustomerID: "late", Last: time.Date(1900, 1, 1, 0, 0, 0, 1, time.UTC), Frequency: 1},
		{CustomerID: "early", Last: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), Frequency: 1},
	}
	s, err := ScoreRFM(recs, &RFMOptions{Bins: 2})
	require.NoError(t, err)
	require.Equal(t, uint8(2), s[0].R)
	require.Equal(t, uint8(1), s[1].R)
}

// ckRFMReference aggregates naively with a map, independently of the
// aggregator's hash table and batching.
func ckRFMReference(txs []Transaction) map[string]RFMRecord {
	out := map[string]RFMRecord{}
	for _, t := range txs {
		r, ok := out[t.CustomerID]
		if !ok {
			r = RFMRecord{CustomerID: t.CustomerID, First: t.At, Last: t.At}
		}
		r.Frequency++
		r.Monetary += t.Amount
		if t.At.Before(r.First) {
			r.First = t.At
		}
		if t.At.After(r.Last) {
			r.Last = t.At
		}
		out[t.CustomerID] = r
	}
	return out
}

func ckRandomTransactions(rng *rand.Rand, customers, n int, grouped bool) []Transaction {
	txs := make([]Transaction, n)
	for i := range txs {
		c := rng.IntN(customers)
		if grouped {
			c = i * customers / n
		}
		txs[i] = Transaction{
			CustomerID: fmt.Sprintf("cust-%d", c),
			// Whole days only, so that many customers tie on recency.
			At:     ckRef.AddDate(0, 0, -rng.IntN(60)),
			Amount: float64(rng.IntN(50)) * 2.5,
		}
	}
	return txs
}

func TestRFMAggregatorMatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name      string
		customers int
		n         int
		grouped   bool
		hint      int
	}{
		{name: "random order, table grows", customers: 3000, n: 20000},
		{name: "grouped by customer", customers: 500, n: 5000, grouped: true},
		{name: "with size hint", customers: 2000, n: 9000, hint: 2000},
		{name: "one customer", customers: 1, n: 100},
	} {
		txs := ckRandomTransactions(rng, tc.customers, tc.n, tc.grouped)
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := NewRFMAggregator(ckRef, tc.hint)
			require.NoError(t, err)
			require.NoError(t, a.AddSlice(txs))
			tab, err := a.Finish(nil)
			require.NoError(t, err)
			want := ckRFMReference(txs)
			require.Len(t, tab.Records, len(want))
			for _, r := range tab.Records {
				require.Equal(t, want[r.CustomerID], r)
			}
		})
	}
}

func TestRFMScoresProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for round := range 30 {
		n := 1 + rng.IntN(400)
		bins := 2 + rng.IntN(12)
		txs := ckRandomTransactions(rng, n, 3*n, false)
		for _, ties := range []TieRule{TiesShareBin, TiesEqualSize} {
			opts := &RFMOptions{Bins: bins, Ties: ties}
			tab, err := ComputeRFM(ckRef, slices.Values(txs), opts)
			require.NoError(t, err)
			recs := tab.Records
			key := func(i int, dim int) float64 {
				switch dim {
				case 0:
					return float64(recs[i].Last.UnixNano())
				case 1:
					return float64(recs[i].Frequency)
				}
				return recs[i].Monetary
			}
			score := func(i, dim int) uint8 {
				return [3]uint8{tab.Scores[i].R, tab.Scores[i].F, tab.Scores[i].M}[dim]
			}
			for dim := range 3 {
				count := make([]int, bins+1)
				for i := range recs {
					s := score(i, dim)
					require.True(t, s >= 1 && int(s) <= bins, "round %d: score %d out of 1..%d", round, s, bins)
					count[s]++
				}
				// Walk the customers in value order: a better value never
				// gets a lower score, and with TiesShareBin equal values
				// get equal scores.
				order := make([]int, len(recs))
				for i := range order {
					order[i] = i
				}
				slices.SortFunc(order, func(a, b int) int {
					if c := cmp.Compare(key(a, dim), key(b, dim)); c != 0 {
						return c
					}
					return cmp.Compare(score(a, dim), score(b, dim))
				})
				for k := 1; k < len(order); k++ {
					prev, cur := order[k-1], order[k]
					if key(cur, dim) > key(prev, dim) && score(cur, dim) < score(prev, dim) {
						t.Fatalf("round %d dim %d: better value got lower score", round, dim)
					}
					if ties == TiesShareBin && key(cur, dim) == key(prev, dim) && score(cur, dim) != score(prev, dim) {
						t.Fatalf("round %d dim %d: tied values in different bins", round, dim)
					}
				}
				if ties == TiesEqualSize {
					m := len(recs)
					for b := 1; b <= bins; b++ {
						require.True(t, count[b] == m/bins || count[b] == (m+bins-1)/bins,
							"bin %d holds %d of %d customers", b, count[b], m)
					}
				}
			}
		}
	}
}

func TestRFMOrderIndependent(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 10))
	txs := ckRandomTransactions(rng, 300, 2000, false)
	for _, ties := range []TieRule{TiesShareBin, TiesEqualSize} {
		byCustomer := func(txs []Transaction) map[string]RFMScore {
			tab, err := ComputeRFM(ckRef, slices.Values(txs), &RFMOptions{Ties: ties})
			require.NoError(t, err)
			out := map[string]RFMScore{}
			for i, r := range tab.Records {
				out[r.CustomerID] = tab.Scores[i]
			}
			return out
		}
		first := byCustomer(txs)
		shuffled := slices.Clone(txs)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		require.Equal(t, first, byCustomer(shuffled), "tie rule %s", ties)
	}
}

func TestRFMAggregatorRefusals(t *testing.T) {
	t.Parallel()
	ok := Transaction{CustomerID: "a", At: ckDay(3), Amount: 1}
	tests := []struct {
		name string
		tx   Transaction
		path string
	}{
		{name: "empty customer", tx: Transaction{At: ckDay(3), Amount: 1}, path: "customer_id"},
		{name: "zero time", tx: Transaction{CustomerID: "a", Amount: 1}, path: "at"},
		{name: "after reference", tx: Transaction{CustomerID: "a", At: ckRef.Add(time.Nanosecond), Amount: 1}, path: "at"},
		{name: "negative amount", tx: Transaction{CustomerID: "a", At: ckDay(3), Amount: -0.01}, path: "amount"},
		{name: "NaN amount", tx: Transaction{CustomerID: "a", At: ckDay(3), Amount: math.NaN()}, path: "amount"},
		{name: "Inf amount", tx: Transaction{CustomerID: "a", At: ckDay(3), Amount: math.Inf(1)}, path: "amount"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := NewRFMAggregator(ckRef, 0)
			require.NoError(t, err)
			require.NoError(t, a.Add(ok))
			ckInvalid(t, a.Add(tc.tx), tc.path)
			// The refused transaction left no trace.
			tab, err := a.Finish(nil)
			require.NoError(t, err)
			require.Equal(t, []RFMRecord{{CustomerID: "a", First: ckDay(3), Last: ckDay(3), Frequency: 1, Monetary: 1}}, tab.Records)
			// Batched paths refuse it too, naming its position.
			err = a.AddSlice([]Transaction{ok, ok, tc.tx, ok})
			ckInvalid(t, err, tc.path)
			require.Contains(t, err.Error(), "transaction 2")
		})
	}
}

func TestRFMBatchedPathsKeepPrefix(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	txs := ckRandomTransactions(rng, 40, 150, false)
	bad := 97 // beyond the first batches
	txs[bad].Amount = -1
	for _, tc := range []struct {
		name string
		add  func(a *RFMAggregator) error
	}{
		{name: "AddSlice", add: func(a *RFMAggregator) error { return a.AddSlice(txs) }},
		{name: "AddAll", add: func(a *RFMAggregator) error { return a.AddAll(slices.Values(txs)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := NewRFMAggregator(ckRef, 0)
			require.NoError(t, err)
			err = tc.add(a)
			ckInvalid(t, err, "amount")
			require.Contains(t, err.Error(), fmt.Sprintf("transaction %d:", bad))
			tab, err := a.Finish(nil)
			require.NoError(t, err)
			want := ckRFMReference(txs[:bad])
			require.Len(t, tab.Records, len(want))
			for _, r := range tab.Records {
				require.Equal(t, want[r.CustomerID], r)
			}
		})
	}
}

func TestRFMOtherRefusals(t *testing.T) {
	t.Parallel()
	good := ckTenRecords()
	tests := []struct {
		name string
		call func() error
		path string
	}{
		{name: "zero reference date", call: func() error { _, err := NewRFMAggregator(time.Time{}, 0); return err }, path: "ref"},
		{name: "negative size hint", call: func() error { _, err := NewRFMAggregator(ckRef, -1); return err }, path: "size_hint"},
		{name: "one bin", call: func() error { _, err := ScoreRFM(good, &RFMOptions{Bins: 1}); return err }, path: "bins"},
		{name: "too many bins", call: func() error { _, err := ScoreRFM(good, &RFMOptions{Bins: MaxRFMBins + 1}); return err }, path: "bins"},
		{name: "negative bins", call: func() error { _, err := ScoreRFM(good, &RFMOptions{Bins: -5}); return err }, path: "bins"},
		{name: "unknown tie rule", call: func() error { _, err := ScoreRFM(good, &RFMOptions{Ties: 9}); return err }, path: "ties"},
		{name: "unknown monetary basis", call: func() error { _, err := ScoreRFM(good, &RFMOptions{Monetary: 9}); return err }, path: "monetary"},
		{name: "no records", call: func() error { _, err := ScoreRFM(nil, nil); return err }, path: "records"},
		{name: "frequency 0", call: func() error {
			r := ckTenRecords()
			r[3].Frequency = 0
			_, err := ScoreRFM(r, nil)
			return err
		}, path: "records[3].frequency"},
		{name: "zero last", call: func() error {
			r := ckTenRecords()
			r[0].Last = time.Time{}
			_, err := ScoreRFM(r, nil)
			return err
		}, path: "records[0].last"},
		{name: "negative monetary", call: func() error {
			r := ckTenRecords()
			r[9].Monetary = -1
			_, err := ScoreRFM(r, nil)
			return err
		}, path: "records[9].monetary"},
		{name: "NaN monetary", call: func() error {
			r := ckTenRecords()
			r[9].Monetary = math.NaN()
			_, err := ScoreRFM(r, nil)
			return err
		}, path: "records[9].monetary"},
		{name: "bad options before data", call: func() error {
			_, err := ComputeRFM(ckRef, slices.Values([]Transaction{{CustomerID: "a", At: ckDay(1)}}), &RFMOptions{Bins: 1})
			return err
		}, path: "bins"},
		{name: "no transactions", call: func() error { _, err := ComputeRFM(ckRef, slices.Values([]Transaction(nil)), nil); return err }, path: "transactions"},
		{name: "bad transaction", call: func() error {
			_, err := ComputeRFM(ckRef, slices.Values([]Transaction{{CustomerID: "a"}}), nil)
			return err
		}, path: "at"},
		{name: "customer total overflows", call: func() error {
			big := Transaction{CustomerID: "a", At: ckDay(1), Amount: math.MaxFloat64}
			_, err := ComputeRFM(ckRef, slices.Values([]Transaction{big, big}), nil)
			return err
		}, path: "transactions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ckInvalid(t, tc.call(), tc.path)
		})
	}
}

func TestRFMFinishBadOptionsKeepsRecords(t *testing.T) {
	t.Parallel()
	a, err := NewRFMAggregator(ckRef, 0)
	require.NoError(t, err)
	require.NoError(t, a.Add(Transaction{CustomerID: "a", At: ckDay(1), Amount: 1}))
	_, err = a.Finish(&RFMOptions{Bins: 1})
	ckInvalid(t, err, "bins")
	require.Equal(t, 1, a.Len())
	tab, err := a.Finish(nil)
	require.NoError(t, err)
	require.Len(t, tab.Records, 1)
}

func TestRFMScoreString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "545", RFMScore{5, 4, 5}.String())
	require.Equal(t, "10.3.7", RFMScore{10, 3, 7}.String())
	require.Equal(t, 14, RFMScore{5, 4, 5}.Sum())
}

func TestParseRFMPattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		want      RFMPattern
		canonical string
	}{
		{in: "555", want: RFMPattern{ScoreRange{5, 5}, ScoreRange{5, 5}, ScoreRange{5, 5}}, canonical: "555"},
		{in: "5**", want: RFMPattern{R: ScoreRange{5, 5}}, canonical: "5**"},
		{in: "***", want: RFMPattern{}, canonical: "***"},
		{in: "[4-5][4-5]*", want: RFMPattern{ScoreRange{4, 5}, ScoreRange{4, 5}, ScoreRange{}}, canonical: "[4-5][4-5]*"},
		{in: "[5]**", want: RFMPattern{R: ScoreRange{5, 5}}, canonical: "5**"},
		{in: "[3-3]12", want: RFMPattern{ScoreRange{3, 3}, ScoreRange{1, 1}, ScoreRange{2, 2}}, canonical: "312"},
		{in: "[10]*[1-100]", want: RFMPattern{R: ScoreRange{10, 10}, M: ScoreRange{1, 100}}, canonical: "[10]*[1-100]"},
		{in: "[007]**", want: RFMPattern{R: ScoreRange{7, 7}}, canonical: "7**"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			p, err := ParseRFMPattern(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, p)
			require.Equal(t, tc.canonical, p.String())
			b, err := p.MarshalText()
			require.NoError(t, err)
			var back RFMPattern
			require.NoError(t, back.UnmarshalText(b))
			require.Equal(t, p, back)
		})
	}
	for _, bad := range []string{"", "55", "5555", "0**", "[0-3]**", "[5-3]**", "[101]**", "[a]**", "[1-]**", "[-1]**", "[1**", "5 5 5", "[]**", "[1234]**", strings.Repeat("*", 65)} {
		t.Run("bad "+bad, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRFMPattern(bad)
			ckInvalid(t, err, "")
		})
	}
	_, err := RFMPattern{R: ScoreRange{3, 2}}.MarshalText()
	ckInvalid(t, err, "")
	_, err = RFMPattern{R: ScoreRange{0, 2}}.MarshalText()
	ckInvalid(t, err, "")
}

func FuzzParseRFMPattern(f *testing.F) {
	for _, s := range []string{"555", "5**", "[4-5][4-5]*", "[10]**", "[1-100]*1", "[", "[0]**", "***x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseRFMPattern(s)
		if err != nil {
			return
		}
		canon := p.String()
		q, err := ParseRFMPattern(canon)
		require.NoError(t, err, "canonical form %q of %q does not parse", canon, s)
		require.Equal(t, p, q)
		require.Equal(t, canon, q.String())
	})
}

func TestRFMSegmenter(t *testing.T) {
	t.Parallel()
	pat := func(s string) RFMPattern {
		p, err := ParseRFMPattern(s)
		require.NoError(t, err)
		return p
	}
	g, err := NewRFMSegmenter(5, []RFMSegment{
		{Name: "Champions", Pattern: pat("[4-5][4-5][4-5]")},
		{Name: "Loyal", Pattern: pat("*[4-5]*")},
		{Name: "At risk", Pattern: pat("[1-2][3-5]*")},
		{Name: "New", Pattern: pat("51*")},
	}, "Others")
	require.NoError(t, err)
	tests := []struct {
		score RFMScore
		want  string
	}{
		{RFMScore{5, 5, 5}, "Champions"}, // also Loyal: the first match wins
		{RFMScore{4, 4, 4}, "Champions"}, // the lower edges of the ranges
		{RFMScore{5, 5, 1}, "Loyal"},     // M 1 breaks Champions; F 5 is Loyal
		{RFMScore{3, 4, 1}, "Loyal"},     // F 4
		{RFMScore{1, 5, 1}, "Loyal"},     // Loyal is listed before At risk
		{RFMScore{2, 3, 5}, "At risk"},   // R 2, F 3
		{RFMScore{2, 3, 1}, "At risk"},   // the lower edge of F
		{RFMScore{5, 1, 3}, "New"},       // R 5, F 1; M is free
		{RFMScore{4, 1, 1}, "Others"},    // New needs R 5
		{RFMScore{4, 3, 5}, "Others"},    // F 3 is not Champions, R 4 not At risk
		{RFMScore{1, 2, 1}, "Others"},    // At risk needs F ≥ 3
		{RFMScore{5, 2, 5}, "Others"},    // New needs F = 1
		{RFMScore{3, 3, 3}, "Others"},    // nothing matches
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, g.Segment(tc.score), "score %s", tc.score)
	}
	require.Equal(t, map[string]int{"Champions": 1, "Others": 2}, g.Count([]RFMScore{{5, 5, 5}, {3, 3, 3}, {1, 1, 1}}))
}

func TestNewRFMSegmenterRefusals(t *testing.T) {
	t.Parallel()
	seg := []RFMSegment{{Name: "Top", Pattern: RFMPattern{R: ScoreRange{5, 5}}}}
	tests := []struct {
		name     string
		bins     int
		segs     []RFMSegment
		fallback string
		path     string
	}{
		{name: "one bin", bins: 1, segs: seg, fallback: "x", path: "bins"},
		{name: "no segments", bins: 5, fallback: "x", path: "segments"},
		{name: "no fallback", bins: 5, segs: seg, path: "fallback"},
		{name: "empty name", bins: 5, segs: []RFMSegment{{Pattern: RFMPattern{}}}, fallback: "x", path: "segments[0].name"},
		{name: "range beyond bins", bins: 3, segs: seg, fallback: "x", path: "segments[0].pattern.r"},
		{name: "reversed range", bins: 5, segs: []RFMSegment{{Name: "a", Pattern: RFMPattern{F: ScoreRange{4, 2}}}}, fallback: "x", path: "segments[0].pattern.f"},
		{name: "half-open range", bins: 5, segs: []RFMSegment{{Name: "a", Pattern: RFMPattern{M: ScoreRange{0, 2}}}}, fallback: "x", path: "segments[0].pattern.m"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, err := NewRFMSegmenter(tc.bins, tc.segs, tc.fallback)
			ckInvalid(t, err, tc.path)
			require.Nil(t, g)
		})
	}
}

func TestRFMEnums(t *testing.T) {
	t.Parallel()
	for _, r := range []TieRule{TiesShareBin, TiesEqualSize} {
		got, err := ParseTieRule(r.String())
		require.NoError(t, err)
		require.Equal(t, r, got)
		b, err := r.MarshalText()
		require.NoError(t, err)
		var back TieRule
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, r, back)
	}
	for _, m := range []MonetaryBasis{MonetaryTotal, MonetaryAverage} {
		got, err := ParseMonetaryBasis(m.String())
		require.NoError(t, err)
		require.Equal(t, m, got)
		b, err := m.MarshalText()
		require.NoError(t, err)
		var back MonetaryBasis
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, m, back)
	}
	_, err := ParseTieRule("random")
	ckInvalid(t, err, "")
	_, err = ParseMonetaryBasis("median")
	ckInvalid(t, err, "")
	require.False(t, TieRule(0).Valid())
	require.False(t, MonetaryBasis(3).Valid())
}

func TestRadixSortMatchesStableSort(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(31, 32))
	for _, n := range []int{0, 1, 2, 7, 1000, 20000} {
		items := make([]sortItem, n)
		for i := range items {
			var k uint64
			switch rng.IntN(3) {
			case 0:
				k = uint64(rng.IntN(10)) // many duplicates
			case 1:
				k = rng.Uint64()
			default:
				k = uint64(rng.IntN(1000)) << 40
			}
			items[i] = sortItem{key: k, idx: uint32(i)}
		}
		want := slices.Clone(items)
		slices.SortStableFunc(want, func(a, b sortItem) int { return cmp.Compare(a.key, b.key) })
		got := radixSort(items, make([]sortItem, n))
		require.Equal(t, want, got, "n=%d", n)
	}
}

func TestFloatKeyPreservesOrder(t *testing.T) {
	t.Parallel()
	xs := []float64{0, math.Copysign(0, -1), 5e-324, 1e-300, 0.5, 1, 1.0000000000000002, 3, 1e300, math.MaxFloat64}
	for i := range xs {
		for j := range xs {
			require.Equal(t, cmp.Compare(xs[i], xs[j]), cmp.Compare(floatKey(xs[i]), floatKey(xs[j])), "%v vs %v", xs[i], xs[j])
		}
	}
}

func TestScoreRFMRecencyOverCenturies(t *testing.T) {
	t.Parallel()
	// Purchases 8,000 years apart do not fit nanosecond keys; the ranking
	// falls back to comparing times and must give the same scores as the
	// same order over days.
	wide := []RFMRecord{
		{CustomerID: "a", Last: time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC), Frequency: 1},
		{CustomerID: "b", Last: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), Frequency: 1},
		{CustomerID: "c", Last: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Frequency: 1},
		{CustomerID: "d", Last: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Frequency: 1},
		{CustomerID: "e", Last: time.Date(2000, 1, 1, 0, 0, 0, 1, time.UTC), Frequency: 1},
	}
	narrow := slices.Clone(wide)
	for i, d := range []int{5, 1, 2, 2, 3} {
		narrow[i].Last = ckDay(d)
	}
	for _, ties := range []TieRule{TiesShareBin, TiesEqualSize} {
		w, err := ScoreRFM(wide, &RFMOptions{Ties: ties})
		require.NoError(t, err)
		n, err := ScoreRFM(narrow, &RFMOptions{Ties: ties})
		require.NoError(t, err)
		require.Equal(t, n, w, "tie rule %s", ties)
	}
	// Share mode, n = 5: b alone (1+⌊5·0.5/5⌋ = 1), c and d tied
	// (1+⌊5·2/5⌋ = 3), e (1+⌊5·3.5/5⌋ = 4), a (1+⌊5·4.5/5⌋ = 5).
	w, err := ScoreRFM(wide, nil)
	require.NoError(t, err)
	require.Equal(t, []uint8{5, 1, 3, 3, 4}, []uint8{w[0].R, w[1].R, w[2].R, w[3].R, w[4].R})
}

// FuzzComputeRFM feeds arbitrary transactions: no panic, refusals match
// crm.ErrInvalid, and every score is within 1..bins.
func FuzzComputeRFM(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(5), false)
	f.Add([]byte{0, 0, 0, 255, 255, 255}, uint8(2), true)
	f.Fuzz(func(t *testing.T, data []byte, bins uint8, equalSize bool) {
		var txs []Transaction
		for i := 0; i+2 < len(data); i += 3 {
			txs = append(txs, Transaction{
				CustomerID: string(rune('a' + data[i]%7)),
				At:         ckRef.Add(-time.Duration(data[i+1]) * time.Hour * 13),
				Amount:     float64(data[i+2]) - 3, // sometimes negative: refused
			})
		}
		opts := &RFMOptions{Bins: int(bins % 12), Ties: TiesShareBin}
		if equalSize {
			opts.Ties = TiesEqualSize
		}
		tab, err := ComputeRFM(ckRef, slices.Values(txs), opts)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		b := opts.Bins
		if b == 0 {
			b = DefaultRFMBins
		}
		for _, s := range tab.Scores {
			for _, x := range []uint8{s.R, s.F, s.M} {
				require.True(t, x >= 1 && int(x) <= b, "score %d of %d bins", x, b)
			}
		}
	})
}
