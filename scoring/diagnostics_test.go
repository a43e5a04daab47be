package scoring

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

func TestPeriodTransactionsCDNOW(t *testing.T) {
	t.Parallel()
	data := mtCDNOWSummary(t)
	g, err := PeriodTransactions(mtBGCDNOW, data, 7)
	require.NoError(t, err)
	require.Len(t, g.Rows, 8)
	require.True(t, g.Rows[7].OrMore)
	var actual, expected float64
	for _, r := range g.Rows {
		actual += r.Actual
		expected += r.Expected
	}
	require.Equal(t, 2357.0, actual)
	require.InDelta(t, 2357, expected, 1e-6)
	// CDNOW: 1,411 customers made no repeat purchase; the model is close.
	require.Equal(t, 1411.0, g.Rows[0].Actual)
	require.InDelta(t, 1411, g.Rows[0].Expected, 40)
	require.Equal(t, 3, g.DegreesOfFreedom) // 8 buckets − 1 − 4 parameters
	require.Greater(t, g.PValue, 0.0)
	require.Less(t, g.PValue, 1.0)
}

func TestDiagGammaQ(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		a, x, want float64
	}{
		// Q(1, x) = e^−x; Q(1/2, x) = erfc(√x); chi-square with 3 dof at 7.815 is 0.05.
		{"exponential small", 1, 0.3, math.Exp(-0.3)},
		{"exponential large", 1, 12, math.Exp(-12)},
		{"half small", 0.5, 0.2, math.Erfc(math.Sqrt(0.2))},
		{"half large", 0.5, 9, math.Erfc(3)},
		{"chi-square 3 dof", 1.5, 7.814727903 / 2, 0.05},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.InEpsilon(t, tc.want, diagGammaQ(tc.a, tc.x), 1e-9)
		})
	}
}

func TestCalibrationVsHoldoutCDNOW(t *testing.T) {
	t.Parallel()
	cal, hold, err := CalibrationHoldout(mtCDNOWTransactions(t), mtCDNOWCalEnd, mtCDNOWEnd, nil)
	require.NoError(t, err)
	rows, err := CalibrationVsHoldout(mtBGCDNOW, cal, hold, 7)
	require.NoError(t, err)
	require.Len(t, rows, 8)
	total := 0
	for _, r := range rows {
		total += r.Customers
	}
	require.Equal(t, 2357, total)
	// FHL (2005), figure 4: non-repeaters buy about 0.24 in the holdout,
	// and the model is close for them.
	require.InDelta(t, 0.24, rows[0].Actual, 0.03)
	require.InDelta(t, rows[0].Actual, rows[0].Predicted, 0.05)
	// Mean holdout purchases rise with calibration frequency.
	require.Greater(t, rows[7].Predicted, rows[1].Predicted)

	_, err = CalibrationVsHoldout(mtBGCDNOW, cal, hold[1:], 7)
	require.ErrorIs(t, err, crm.ErrInvalid)
	swapped := append([]HoldoutSummary(nil), hold...)
	swapped[0], swapped[1] = swapped[1], swapped[0]
	_, err = CalibrationVsHoldout(mtBGCDNOW, cal, swapped, 7)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestTrackRepeatPurchasesCDNOW(t *testing.T) {
	t.Parallel()
	txs := mtCDNOWTransactions(t)
	tr, err := TrackRepeatPurchases(mtBGCDNOW, txs, mtCDNOWCalEnd, mtCDNOWEnd, 1, nil)
	require.NoError(t, err)
	require.Equal(t, 2357, tr.Customers)
	require.Len(t, tr.Points, 78)
	require.InDelta(t, 39, tr.CalibrationEnd, 0.2)
	last := tr.Points[len(tr.Points)-1]
	require.Equal(t, time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC), last.At)
	// Repeat transactions of the cohort: merged by day, the sample has
	// 6,696 purchase days of which 2,357 are first purchases.
	cal, hold, err := CalibrationHoldout(txs, mtCDNOWCalEnd, mtCDNOWEnd, nil)
	require.NoError(t, err)
	repeats := 0
	for i := range cal {
		repeats += cal[i].X + hold[i].X
	}
	require.Equal(t, float64(repeats), last.CumulativeActual)
	// FHL (2005): the model tracks cumulative repeat purchases within a few
	// percent over the 78 weeks.
	require.InEpsilon(t, last.CumulativeActual, last.CumulativeExpected, 0.05)
	for k := 1; k < len(tr.Points); k++ {
		require.GreaterOrEqual(t, tr.Points[k].CumulativeExpected, tr.Points[k-1].CumulativeExpected)
	}

	_, err = TrackRepeatPurchases(mtBGCDNOW, txs, mtCDNOWEnd, mtCDNOWCalEnd, 1, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = TrackRepeatPurchases(mtBGCDNOW, txs, mtCDNOWCalEnd, mtCDNOWEnd, math.NaN(), nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = TrackRepeatPurchases(mtBGCDNOW, txs, mtCDNOWCalEnd, mtCDNOWEnd, 5e-324, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = TrackRepeatPurchases(nil, txs, mtCDNOWCalEnd, mtCDNOWEnd, 1, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestFrequencyRecency(t *testing.T) {
	t.Parallel()
	fr, err := FrequencyRecency(mtBGCDNOW, 39, 10, 20, 39)
	require.NoError(t, err)
	require.Len(t, fr.PAlive, 11)
	require.Len(t, fr.PAlive[3], 20)
	for j := range fr.Recencies {
		require.Equal(t, 1.0, fr.PAlive[0][j])
	}
	// P(alive) rises with recency for a repeat buyer.
	require.Greater(t, fr.PAlive[5][19], fr.PAlive[5][0])
	c := CustomerSummary{X: 5, TX: fr.Recencies[7], T: 39}
	pa, err := mtBGCDNOW.PAlive(c)
	require.NoError(t, err)
	require.Equal(t, pa, fr.PAlive[5][7])
	e, err := mtBGCDNOW.ConditionalExpectedPurchases(39, c)
	require.NoError(t, err)
	mtRelClose(t, e, fr.Expected[5][7], 1e-12, "expected")
	_, err = FrequencyRecency(mtBGCDNOW, 0, 10, 20, 39)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestPeriodTransactionsInChunks(t *testing.T) {
	t.Parallel()
	data := fsSimulateBGNBDContinuous(rand.New(rand.NewPCG(5, 6)), 3000, mtBGCDNOW)
	g, err := PeriodTransactions(mtBGCDNOW, data, 600) // two chunks of ages
	require.NoError(t, err)
	var total float64
	for _, r := range g.Rows {
		total += r.Expected
	}
	require.InDelta(t, 3000, total, 1e-6)
	var want0, want3 float64
	for _, c := range data {
		p, err := mtBGCDNOW.PurchaseCountProbabilities(c.T, 3)
		require.NoError(t, err)
		want0 += p[0]
		want3 += p[3]
	}
	require.InDelta(t, want0, g.Rows[0].Expected, 1e-9)
	require.InDelta(t, want3, g.Rows[3].Expected, 1e-9)
}
