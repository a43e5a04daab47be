package scoring

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// TestCalibrationHoldoutCDNOW builds the calibration summary of the CDNOW
// sample with the literature's conventions and checks every customer
// against the published summary (x exactly; t_x, T and zbar to their
// 2-decimal rounding).
func TestCalibrationHoldoutCDNOW(t *testing.T) {
	t.Parallel()
	cal, hold, err := CalibrationHoldout(mtCDNOWTransactions(t), mtCDNOWCalEnd, mtCDNOWEnd, nil)
	require.NoError(t, err)
	rows := mtCDNOWPublished(t)
	require.Len(t, cal, len(rows))
	require.Len(t, hold, len(rows))
	byID := make(map[int]CustomerSummary, len(cal))
	for i, c := range cal {
		id, err := strconv.Atoi(c.ID)
		require.NoError(t, err)
		byID[id] = c
		require.Equal(t, c.ID, hold[i].ID)
		require.InDelta(t, 39.0, hold[i].Duration, 1e-12) // 273 days
	}
	const half = 0.005 + 1e-9
	repeaters := 0
	for _, r := range rows {
		c, ok := byID[r.id]
		require.True(t, ok, "customer %d", r.id)
		require.Equal(t, r.x, c.X, "x of %d", r.id)
		require.InDelta(t, r.tx, c.TX, half, "t_x of %d", r.id)
		require.InDelta(t, r.T, c.T, half, "T of %d", r.id)
		require.InDelta(t, r.zbar, c.MeanValue, half, "zbar of %d", r.id)
		if c.X > 0 {
			repeaters++
		}
	}
	require.Equal(t, 946, repeaters)
	// Customer 0001 bought on 1997-01-01, 01-18, 08-02 and 12-12.
	require.Equal(t, "0001", cal[0].ID)
	require.Equal(t, HoldoutSummary{ID: "0001", X: 1, Value: 26.48, Duration: 39}, hold[0])
}

func TestSummarizeTransactionsConventions(t *testing.T) {
	t.Parallel()
	day := func(d int, hour int) time.Time { return time.Date(2024, 3, d, hour, 0, 0, 0, time.UTC) }
	txs := []Transaction{
		{CustomerID: "b", At: day(1, 9), Amount: 10},
		{CustomerID: "b", At: day(1, 17), Amount: 5}, // same day: merged into the first
		{CustomerID: "b", At: day(4, 12), Amount: 7},
		{CustomerID: "b", At: day(4, 13), Amount: 3},  // merged: 10 on day 4
		{CustomerID: "b", At: day(8, 1), Amount: 20},  // day 8
		{CustomerID: "b", At: day(20, 1), Amount: 99}, // after end: ignored
		{CustomerID: "a", At: day(15, 23), Amount: 1}, // born on the last day
		{CustomerID: "c", At: day(16, 0), Amount: 1},  // born after end: left out
	}
	end := day(15, 0)
	got, err := SummarizeTransactions(txs, end, &CalibrationOptions{Unit: 24 * time.Hour})
	require.NoError(t, err)
	require.Equal(t, []CustomerSummary{
		{ID: "a", X: 0, TX: 0, T: 0},
		{ID: "b", X: 2, TX: 7, T: 14, MeanValue: 15},
	}, got)

	weeks, err := SummarizeTransactions(txs, end, nil)
	require.NoError(t, err)
	require.InDelta(t, 1.0, weeks[1].TX, 1e-15)
	require.InDelta(t, 2.0, weeks[1].T, 1e-15)

	// Day boundaries follow the calendar of opts.Location: in UTC+10 the
	// purchases at 17:00 UTC on day 1 and 09:00 UTC on day 2 are one day.
	tokyoish := time.FixedZone("UTC+10", 10*3600)
	zoned := []Transaction{
		{CustomerID: "z", At: day(1, 17), Amount: 1},
		{CustomerID: "z", At: day(2, 9), Amount: 2},
	}
	utc, err := SummarizeTransactions(zoned, day(3, 0), nil)
	require.NoError(t, err)
	require.Equal(t, 1, utc[0].X)
	local, err := SummarizeTransactions(zoned, day(3, 0), &CalibrationOptions{Location: tokyoish})
	require.NoError(t, err)
	require.Equal(t, 0, local[0].X)

	empty, err := SummarizeTransactions(nil, end, nil)
	require.NoError(t, err)
	require.Empty(t, empty)
}

func TestCalibrationRefusals(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := Transaction{CustomerID: "a", At: at, Amount: 1}
	cases := []struct {
		name    string
		txs     []Transaction
		calEnd  time.Time
		holdEnd time.Time
		opts    *CalibrationOptions
		path    string
	}{
		{"empty id", []Transaction{ok, {At: at, Amount: 1}}, at, at.AddDate(0, 1, 0), nil, "txs[1].customer_id"},
		{"zero time", []Transaction{{CustomerID: "a", Amount: 1}}, at, at.AddDate(0, 1, 0), nil, "txs[0].at"},
		{"nan amount", []Transaction{{CustomerID: "a", At: at, Amount: math.NaN()}}, at, at.AddDate(0, 1, 0), nil, "txs[0].amount"},
		{"inf amount", []Transaction{{CustomerID: "a", At: at, Amount: math.Inf(1)}}, at, at.AddDate(0, 1, 0), nil, "txs[0].amount"},
		{"negative amount", []Transaction{{CustomerID: "a", At: at, Amount: -2}}, at, at.AddDate(0, 1, 0), nil, "txs[0].amount"},
		{"negative unit", []Transaction{ok}, at, at.AddDate(0, 1, 0), &CalibrationOptions{Unit: -time.Hour}, "opts.unit"},
		{"zero cal end", []Transaction{ok}, time.Time{}, at, nil, "cal_end"},
		{"zero holdout end", []Transaction{ok}, at, time.Time{}, nil, "holdout_end"},
		{"holdout same day", []Transaction{ok}, at, at.Add(time.Hour), nil, "holdout_end"},
		{"holdout before", []Transaction{ok}, at, at.AddDate(0, 0, -1), nil, "holdout_end"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cal, hold, err := CalibrationHoldout(tc.txs, tc.calEnd, tc.holdEnd, tc.opts)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.True(t, errors.As(err, &ve))
			require.True(t, ve.Has(tc.path), "%v", err)
			require.Nil(t, cal)
			require.Nil(t, hold)
		})
	}
	_, err := SummarizeTransactions([]Transaction{ok}, time.Time{}, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = SummarizeTransactions([]Transaction{{CustomerID: "a", At: at, Amount: -1}}, at, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestCustomerSummaryRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		c    CustomerSummary
		path string
	}{
		{"negative x", CustomerSummary{X: -1, T: 3}, "x"},
		{"tx above T", CustomerSummary{X: 2, TX: 4, T: 3}, "tx"},
		{"x without tx", CustomerSummary{X: 2, TX: 0, T: 3}, "tx"},
		{"tx without x", CustomerSummary{X: 0, TX: 1, T: 3}, "tx"},
		{"negative T", CustomerSummary{X: 0, T: -1}, "t"},
		{"negative tx", CustomerSummary{X: 1, TX: -1, T: 3}, "tx"},
		{"nan T", CustomerSummary{X: 0, T: math.NaN()}, "t"},
		{"inf T", CustomerSummary{X: 0, T: math.Inf(1)}, "t"},
		{"nan tx", CustomerSummary{X: 1, TX: math.NaN(), T: 3}, "tx"},
		{"negative mean", CustomerSummary{X: 1, TX: 1, T: 3, MeanValue: -1}, "mean_value"},
		{"nan mean", CustomerSummary{X: 1, TX: 1, T: 3, MeanValue: math.NaN()}, "mean_value"},
	}
	bg := BGNBD{R: 0.24, Alpha: 4.4, A: 0.79, B: 2.4}
	pn := ParetoNBD{R: 0.55, Alpha: 10.6, S: 0.61, Beta: 11.7}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			check := func(err error) {
				t.Helper()
				require.ErrorIs(t, err, crm.ErrInvalid)
				var ve *crm.ValidationError
				require.True(t, errors.As(err, &ve))
				require.True(t, ve.Has("customer."+tc.path) || ve.Has("data[0]."+tc.path), "%v", err)
			}
			for _, m := range []PurchaseModel{bg, pn} {
				_, err := m.PAlive(tc.c)
				check(err)
				_, err = m.ConditionalExpectedPurchases(1, tc.c)
				check(err)
				_, err = m.PNoPurchase(1, tc.c)
				check(err)
			}
			_, err := FitBGNBD([]CustomerSummary{tc.c}, nil)
			check(err)
			_, err = FitParetoNBD([]CustomerSummary{tc.c}, nil)
			check(err)
			_, err = FitGammaGamma([]CustomerSummary{tc.c}, nil)
			check(err)
			_, err = PredictCustomers(bg, nil, []CustomerSummary{tc.c}, PredictOptions{Horizon: 1})
			check(err)
		})
	}
}

// TestSummarizePermutationInvariant: the summary does not depend on the
// order of the log.
func TestSummarizePermutationInvariant(t *testing.T) {
	t.Parallel()
	txs := mtCDNOWTransactions(t)
	want, err := SummarizeTransactions(txs, mtCDNOWCalEnd, nil)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	shuffled := append([]Transaction(nil), txs...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	got, err := SummarizeTransactions(shuffled, mtCDNOWCalEnd, nil)
	require.NoError(t, err)
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, want[i].ID, got[i].ID)
		require.Equal(t, want[i].X, got[i].X)
		require.Equal(t, want[i].TX, got[i].TX)
		require.Equal(t, want[i].T, got[i].T)
		require.InDelta(t, want[i].MeanValue, got[i].MeanValue, 1e-9)
	}
}
