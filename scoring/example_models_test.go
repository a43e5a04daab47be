package scoring_test

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/crmkit/crm/scoring"
)

// exmCDNOWTransactions reads the CDNOW sample shipped in testdata.
func exmCDNOWTransactions() []scoring.Transaction {
	f, err := os.Open("testdata/cdnow/CDNOW_sample.txt")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	var txs []scoring.Transaction
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// master id, sample id, date, number of CDs, dollar value
		fields := strings.Fields(sc.Text())
		if len(fields) != 5 {
			continue
		}
		day, _ := time.Parse("20060102", fields[2])
		amount, _ := strconv.ParseFloat(fields[4], 64)
		txs = append(txs, scoring.Transaction{CustomerID: fields[1], At: day, Amount: amount})
	}
	return txs
}

// The literature's 39-week calibration period of CDNOW and the end of the
// data.
var (
	exmCalEnd     = time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)
	exmHoldoutEnd = time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC)
)

// exmCDNOW summarises the CDNOW sample with the literature's 39-week
// calibration period.
func exmCDNOW() []scoring.CustomerSummary {
	cal, _, err := scoring.CalibrationHoldout(exmCDNOWTransactions(), exmCalEnd, exmHoldoutEnd, nil)
	if err != nil {
		panic(err)
	}
	return cal
}

func ExampleFitBGNBD() {
	data := exmCDNOW()
	m, err := scoring.FitBGNBD(data, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("r=%.3f alpha=%.3f a=%.3f b=%.3f LL=%.1f\n", m.R, m.Alpha, m.A, m.B, m.LogLikelihood)

	// A customer with 2 repeat purchases, the last in week 30.43 of 38.86.
	c := scoring.CustomerSummary{X: 2, TX: 30.43, T: 38.86}
	pa, _ := m.PAlive(c)
	next, _ := m.ConditionalExpectedPurchases(39, c)
	fmt.Printf("P(alive)=%.3f expected purchases in the next 39 weeks=%.3f\n", pa, next)
	// Output:
	// r=0.243 alpha=4.414 a=0.793 b=2.426 LL=-9582.4
	// P(alive)=0.727 expected purchases in the next 39 weeks=1.226
}

func ExampleFitParetoNBD() {
	m, err := scoring.FitParetoNBD(exmCDNOW(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("r=%.3f alpha=%.3f s=%.3f beta=%.3f LL=%.2f\n", m.R, m.Alpha, m.S, m.Beta, m.LogLikelihood)
	c := scoring.CustomerSummary{X: 2, TX: 30.43, T: 38.86}
	pa, _ := m.PAlive(c)
	none, _ := m.PNoPurchase(26, c)
	fmt.Printf("P(alive)=%.3f P(no purchase in 26 weeks)=%.3f\n", pa, none)
	// Output:
	// r=0.553 alpha=10.578 s=0.606 beta=11.669 LL=-9594.98
	// P(alive)=0.869 P(no purchase in 26 weeks)=0.481
}

func ExampleFitGammaGamma() {
	m, err := scoring.FitGammaGamma(exmCDNOW(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("p=%.2f q=%.2f gamma=%.2f\n", m.P, m.Q, m.Gamma)
	mean, _ := m.MeanSpend()
	// Two repeat purchases averaging $22.35: shrunk towards the mean.
	spend, _ := m.ConditionalExpectedSpend(scoring.CustomerSummary{X: 2, TX: 30.43, T: 38.86, MeanValue: 22.35})
	fmt.Printf("mean spend=%.2f customer's expected spend=%.2f\n", mean, spend)
	// Output:
	// p=6.25 q=3.74 gamma=15.44
	// mean spend=35.17 customer's expected spend=24.66
}

func ExampleFitSBG() {
	// The "high end" cohort of Fader and Hardie (2007): customers still
	// active after 0..7 years.
	alive := []float64{1000, 869, 743, 653, 593, 551, 517, 491}
	m, err := scoring.FitSBG(alive, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("alpha=%.3f beta=%.3f\n", m.Alpha, m.Beta)
	for _, year := range []int{1, 8, 12} {
		r, _ := m.RetentionRate(year)
		fmt.Printf("retention in year %d: %.3f\n", year, r)
	}
	survivors, _ := m.ProjectSurvivors(1000, 12)
	fmt.Printf("active after 12 years: %.0f of 1000\n", survivors[12])
	derl, _ := m.DERL(0.10, 7)
	fmt.Printf("DERL at 10%% after 7 renewals: %.2f payments\n", derl)
	// Output:
	// alpha=0.668 beta=3.806
	// retention in year 1: 0.851
	// retention in year 8: 0.942
	// retention in year 12: 0.957
	// active after 12 years: 378 of 1000
	// DERL at 10% after 7 renewals: 7.53 payments
}

func ExampleCalibrationHoldout() {
	day := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 10, 0, 0, 0, time.UTC) }
	txs := []scoring.Transaction{
		{CustomerID: "ann", At: day(1, 3), Amount: 30},
		{CustomerID: "ann", At: day(1, 3), Amount: 5}, // same day: merged
		{CustomerID: "ann", At: day(1, 17), Amount: 40},
		{CustomerID: "ann", At: day(2, 14), Amount: 20},
		{CustomerID: "ann", At: day(3, 20), Amount: 25}, // holdout
		{CustomerID: "bob", At: day(2, 1), Amount: 15},
		{CustomerID: "cat", At: day(3, 5), Amount: 60}, // first seen in the holdout: left out
	}
	cal, hold, err := scoring.CalibrationHoldout(txs, day(2, 28), day(3, 31), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, c := range cal {
		fmt.Printf("%s: x=%d tx=%.2f T=%.2f mean=%.2f | holdout x=%d value=%.2f over %.2f weeks\n",
			c.ID, c.X, c.TX, c.T, c.MeanValue, hold[i].X, hold[i].Value, hold[i].Duration)
	}
	// Output:
	// ann: x=2 tx=6.00 T=8.00 mean=30.00 | holdout x=1 value=25.00 over 4.57 weeks
	// bob: x=0 tx=0.00 T=3.86 mean=0.00 | holdout x=0 value=0.00 over 4.57 weeks
}

func ExamplePredictCustomers() {
	// Parameters as fitted to CDNOW (weeks).
	bg := scoring.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	spend := scoring.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
	customers := []scoring.CustomerSummary{
		{ID: "loyal", X: 12, TX: 37, T: 38, MeanValue: 45},
		{ID: "lapsed", X: 12, TX: 10, T: 38, MeanValue: 45},
		{ID: "one-off", X: 0, T: 38},
	}
	preds, err := scoring.PredictCustomers(bg, &spend, customers, scoring.PredictOptions{
		Horizon: 52,
		CLV:     scoring.CLVHorizon{Periods: 12, PeriodLength: 52.0 / 12, DiscountRate: 0.01},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range preds {
		fmt.Printf("%-7s P(alive)=%.2f purchases/year=%.2f spend=%.2f CLV=%.2f\n",
			p.ID, p.PAlive, p.ExpectedPurchases, p.ExpectedSpend, p.CLV)
	}
	// Output:
	// loyal   P(alive)=0.93 purchases/year=10.22 spend=44.66 CLV=430.54
	// lapsed  P(alive)=0.00 purchases/year=0.00 spend=44.66 CLV=0.01
	// one-off P(alive)=1.00 purchases/year=0.26 spend=35.22 CLV=8.50
}
