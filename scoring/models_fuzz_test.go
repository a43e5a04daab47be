package scoring

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// mtFuzzTransactions decodes bytes into a small transaction log: each
// group of four bytes is a customer (one of eight), a day offset, an hour
// and an amount; a few amount bytes map to invalid values.
func mtFuzzTransactions(raw []byte) []Transaction {
	base := time.Date(2023, 12, 25, 0, 0, 0, 0, time.UTC)
	var txs []Transaction
	for i := 0; i+4 <= len(raw); i += 4 {
		amount := float64(raw[i+3]) * 1.25
		switch raw[i+3] {
		case 255:
			amount = math.NaN()
		case 254:
			amount = -1
		}
		id := string(rune('a' + raw[i]%8))
		if raw[i] == 255 {
			id = ""
		}
		at := base.AddDate(0, 0, int(raw[i+1]%90)).Add(time.Duration(raw[i+2]%24) * time.Hour)
		txs = append(txs, Transaction{CustomerID: id, At: at, Amount: amount})
	}
	return txs
}

// FuzzCalibrationHoldout: any log either is refused with crm.ErrInvalid or
// gives valid, order-independent summaries whose purchase counts add up.
func FuzzCalibrationHoldout(f *testing.F) {
	f.Add([]byte{0, 1, 2, 10, 0, 5, 3, 20, 1, 40, 0, 7, 0, 70, 1, 9})
	f.Add([]byte{2, 0, 0, 0, 2, 0, 23, 1, 2, 59, 0, 255})
	f.Add([]byte{255, 3, 3, 3})
	f.Add([]byte{})
	calEnd := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	holdEnd := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw []byte) {
		txs := mtFuzzTransactions(raw)
		cal, hold, err := CalibrationHoldout(txs, calEnd, holdEnd, nil)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		require.Len(t, hold, len(cal))
		days := make(map[string]map[int64]bool)
		for _, tx := range txs {
			if tx.At.After(holdEnd.Add(24*time.Hour - 1)) {
				continue // after the holdout period: ignored
			}
			if days[tx.CustomerID] == nil {
				days[tx.CustomerID] = make(map[int64]bool)
			}
			days[tx.CustomerID][tx.At.Unix()/86400] = true
		}
		for i, c := range cal {
			require.NoError(t, c.validate())
			require.Equal(t, c.ID, hold[i].ID)
			require.GreaterOrEqual(t, hold[i].X, 0)
			// Calibration purchases, the first one and the holdout ones
			// account for every distinct day of the customer.
			require.Equal(t, len(days[c.ID]), c.X+1+hold[i].X)
		}
		// The order of the log does not matter.
		rev := slices.Clone(txs)
		slices.Reverse(rev)
		cal2, hold2, err := CalibrationHoldout(rev, calEnd, holdEnd, nil)
		require.NoError(t, err)
		require.Len(t, cal2, len(cal))
		for i := range cal {
			require.Equal(t, cal[i].X, cal2[i].X)
			require.Equal(t, cal[i].TX, cal2[i].TX)
			require.Equal(t, cal[i].T, cal2[i].T)
			require.InDelta(t, cal[i].MeanValue, cal2[i].MeanValue, 1e-9)
			require.Equal(t, hold[i].X, hold2[i].X)
		}
	})
}

// mtFuzzParam maps an arbitrary float to a parameter in [e^-6, e^6], or
// passes a non-positive or non-finite value through to test refusals.
func mtFuzzParam(v float64) float64 {
	if !(v > 0) || math.IsInf(v, 0) {
		return v
	}
	return math.Exp(math.Mod(math.Log(v), 6))
}

// FuzzPurchaseModels: for any parameters and history the models either
// refuse with crm.ErrInvalid or return finite values, probabilities in
// [0, 1].
func FuzzPurchaseModels(f *testing.F) {
	f.Add(0.24, 4.4, 0.79, 2.4, uint16(2), 0.78, 38.86, 39.0)
	f.Add(0.55, 10.6, 0.61, 11.7, uint16(0), 0.0, 10.0, 5.0)
	f.Add(1.0, 1000.0, 1.0, 0.001, uint16(500), 1.0, 0.5, 1000.0)
	f.Add(-1.0, math.NaN(), 0.0, math.Inf(1), uint16(3), 2.0, -1.0, -3.0)
	f.Fuzz(func(t *testing.T, p1, p2, p3, p4 float64, x uint16, frac, T, h float64) {
		p1, p2, p3, p4 = mtFuzzParam(p1), mtFuzzParam(p2), mtFuzzParam(p3), mtFuzzParam(p4)
		if optFinite(T) {
			T = math.Mod(T, 2000)
		}
		if optFinite(h) {
			h = math.Mod(h, 2000)
		}
		c := CustomerSummary{X: int(x % 1000), T: T}
		if c.X > 0 {
			c.TX = frac * T
		}
		models := []PurchaseModel{BGNBD{R: p1, Alpha: p2, A: p3, B: p4}, ParetoNBD{R: p1, Alpha: p2, S: p3, Beta: p4}}
		for _, m := range models {
			pa, err := m.PAlive(c)
			if err != nil {
				require.ErrorIs(t, err, crm.ErrInvalid)
				continue
			}
			require.True(t, pa >= 0 && pa <= 1, "%+v %+v: %v", m, c, pa)
			e, err := m.ConditionalExpectedPurchases(h, c)
			if err != nil {
				require.ErrorIs(t, err, crm.ErrInvalid)
				continue
			}
			require.True(t, optFinite(e) && e >= 0, "%+v %+v h=%v: %v", m, c, h, e)
			n, err := m.PNoPurchase(h, c)
			require.NoError(t, err)
			require.True(t, n >= 0 && n <= 1, "%+v %+v h=%v: %v", m, c, h, n)
		}
	})
}

// FuzzHyp1: 2F1(1, p; c; z) stays within its bounds [1, 1/(1−z)].
func FuzzHyp1(f *testing.F) {
	f.Add(0.5, 1.5, 0.3)
	f.Add(30.0, 30.5, 0.999)
	f.Add(1e-3, 1e3, 0.9)
	f.Fuzz(func(t *testing.T, p, gap, z float64) {
		if !(p > 0) || !(gap > 0) || !optFinite(p+gap) || !(z >= 0 && z < 1) {
			return
		}
		p = mtFuzzParam(p)
		c := p + mtFuzzParam(gap)
		z = math.Min(z, 1-1e-9)
		v := spHyp1(p, c, z)
		require.True(t, v >= 1 && v <= 1/(1-z)*(1+1e-12), "2F1(1,%v;%v;%v) = %v", p, c, z, v)
	})
}
