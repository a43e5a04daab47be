package scoring

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

func TestClassifyABCTieRules(t *testing.T) {
	t.Parallel()
	// Twenty customers of equal value: A must reach 80%, A and B 95%.
	values := make([]float64, 20)
	for i := range values {
		values[i] = 5
	}
	cases := []struct {
		name  string
		ties  ABCTieRule
		count [3]int
	}{
		{"default shares the class", 0, [3]int{20, 0, 0}},
		{"share class", ABCTiesShareClass, [3]int{20, 0, 0}},
		{"smallest group", ABCTiesSmallestGroup, [3]int{16, 3, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := ClassifyABC(values, &ABCOptions{Ties: tc.ties})
			require.NoError(t, err)
			require.Equal(t, tc.count, res.Count)
			if tc.ties == ABCTiesSmallestGroup {
				// Ties ranked by input position, earlier first.
				require.Equal(t, ClassA, res.Classes[15])
				require.Equal(t, ClassB, res.Classes[16])
				require.Equal(t, ClassC, res.Classes[19])
			}
		})
	}
	_, err := ClassifyABC(values, &ABCOptions{Ties: 9})
	require.ErrorIs(t, err, crm.ErrInvalid)
	r, err := ParseABCTieRule("smallest_group")
	require.NoError(t, err)
	require.Equal(t, ABCTiesSmallestGroup, r)
}

func TestParetoTable(t *testing.T) {
	t.Parallel()
	// 10 customers: one brings 50, nine bring 50/9 each.
	values := []float64{50}
	for range 9 {
		values = append(values, 50.0/9)
	}
	rows, err := ParetoTable(values, []float64{0.5, 0.6, 1})
	require.NoError(t, err)
	require.Equal(t, 1, rows[0].Customers)
	require.InDelta(t, 0.1, rows[0].CustomerShare, 1e-12)
	// 60% needs the best customer, the next and 0.8 of the third.
	require.Equal(t, 3, rows[1].Customers)
	require.InDelta(t, 0.28, rows[1].CustomerShare, 1e-12)
	require.Equal(t, 10, rows[2].Customers)
	require.InDelta(t, 1, rows[2].CustomerShare, 1e-12)
	// The inverse of TopShare.
	top, err := TopShare(values, rows[1].CustomerShare)
	require.NoError(t, err)
	require.InDelta(t, 0.6, top, 1e-12)
	def, err := ParetoTable(values, nil)
	require.NoError(t, err)
	require.Len(t, def, len(DefaultParetoShares))
	_, err = ParetoTable(values, []float64{0})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = ParetoTable(nil, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestCustomerOrder(t *testing.T) {
	t.Parallel()
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := []string{"10", "x", "2", "-3", "007", "1", "7", "99999999999999999999", "-"}
	var txs []Transaction
	for i, id := range ids {
		txs = append(txs, Transaction{CustomerID: id, At: day.AddDate(0, 0, i), Amount: 1})
	}
	cases := []struct {
		name  string
		order CustomerOrder
		want  []string
	}{
		{"default text", 0, []string{"-", "-3", "007", "1", "10", "2", "7", "99999999999999999999", "x"}},
		{"by id", OrderByID, []string{"-", "-3", "007", "1", "10", "2", "7", "99999999999999999999", "x"}},
		{"first seen", OrderFirstSeen, ids},
		{"numeric", OrderNumericID, []string{"-3", "1", "2", "007", "7", "10", "99999999999999999999", "-", "x"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sums, err := SummarizeTransactions(txs, day.AddDate(0, 1, 0), &CalibrationOptions{Order: tc.order})
			require.NoError(t, err)
			var got []string
			for _, s := range sums {
				got = append(got, s.ID)
			}
			require.Equal(t, tc.want, got)
			cal, hold, err := CalibrationHoldout(txs, day.AddDate(0, 1, 0), day.AddDate(0, 2, 0), &CalibrationOptions{Order: tc.order})
			require.NoError(t, err)
			for i := range cal {
				require.Equal(t, got[i], cal[i].ID)
				require.Equal(t, got[i], hold[i].ID)
			}
		})
	}
	_, err := SummarizeTransactions(txs, day, &CalibrationOptions{Order: 7})
	require.ErrorIs(t, err, crm.ErrInvalid)
	o, err := ParseCustomerOrder("numeric_id")
	require.NoError(t, err)
	require.Equal(t, OrderNumericID, o)
}

func FuzzParseCustomerOrder(f *testing.F) {
	for _, s := range []string{"by_id", "first_seen", "numeric_id", "NUMERIC_ID", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseCustomerOrder(s)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		b, err := o.MarshalText()
		require.NoError(t, err)
		var back CustomerOrder
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, o, back)
	})
}

func FuzzParseABCTieRule(f *testing.F) {
	for _, s := range []string{"share_class", "smallest_group", "Smallest_Group", "", "?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseABCTieRule(s)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		b, err := r.MarshalText()
		require.NoError(t, err)
		var back ABCTieRule
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, r, back)
	})
}

func FuzzCalCompareNumeric(f *testing.F) {
	f.Add("10", "2")
	f.Add("-0", "+0")
	f.Add("007", "7")
	f.Fuzz(func(t *testing.T, a, b string) {
		// A total order: antisymmetric, and equal only for equal IDs.
		ab, ba := calCompareNumeric(a, b), calCompareNumeric(b, a)
		require.Equal(t, ab, -ba)
		require.Equal(t, a == b, ab == 0)
	})
}
