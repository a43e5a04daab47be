package scoring_test

import (
	"bytes"
	"encoding/xml"
	"fmt"

	"github.com/crmkit/crm/scoring"
)

func ExamplePredictBatch() {
	m := scoring.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	customers := []scoring.CustomerSummary{
		{ID: "ann", X: 2, TX: 30.43, T: 38.86},
		{ID: "bob", X: 0, TX: 0, T: 38.86},
	}
	// Three horizons at once; P(no purchase) is not asked, so not computed.
	p, err := scoring.PredictBatch(m, customers, scoring.BatchOptions{
		Horizons: []float64{13, 26, 52},
		Want:     scoring.QuantityPAlive | scoring.QuantityExpectedPurchases,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, c := range customers {
		fmt.Printf("%s: P(alive)=%.3f expected 13w=%.3f 26w=%.3f 52w=%.3f\n", c.ID, p.PAlive[i],
			p.ExpectedPurchases[0][i], p.ExpectedPurchases[1][i], p.ExpectedPurchases[2][i])
	}
	fmt.Println("P(no purchase) computed:", p.PNoPurchase != nil)
	// Output:
	// ann: P(alive)=0.727 expected 13w=0.457 26w=0.862 52w=1.559
	// bob: P(alive)=1.000 expected 13w=0.070 26w=0.135 52w=0.252
	// P(no purchase) computed: false
}

func ExampleBGNBD_PurchaseCountProbabilities() {
	m := scoring.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	p, err := m.PurchaseCountProbabilities(39, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	for n, v := range p {
		fmt.Printf("P(X(39)=%d) = %.4f\n", n, v)
	}
	// Output:
	// P(X(39)=0) = 0.5738
	// P(X(39)=1) = 0.1994
	// P(X(39)=2) = 0.0854
	// P(X(39)=3) = 0.0459
	// P(X(39)=4) = 0.0277
}

func ExampleBGNBD_Uncertainty() {
	data := exmCDNOW()
	m, err := scoring.FitBGNBD(data, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := m.Uncertainty(data, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d customers, LL=%.1f\n", rep.Customers, rep.LogLikelihood)
	for _, p := range rep.Params {
		fmt.Printf("%-5s %.3f se %.3f 95%% [%.3f, %.3f]\n", p.Name, p.Value, p.StdErr, p.Lower, p.Upper)
	}
	// Output:
	// 2357 customers, LL=-9582.4
	// r     0.243 se 0.013 95% [0.219, 0.268]
	// alpha 4.414 se 0.378 95% [3.731, 5.221]
	// a     0.793 se 0.186 95% [0.501, 1.255]
	// b     2.426 se 0.705 95% [1.372, 4.289]
}

func ExamplePeriodTransactions() {
	data := exmCDNOW()
	m := scoring.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	g, err := scoring.PeriodTransactions(m, data, 5)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range g.Rows {
		plus := ""
		if r.OrMore {
			plus = "+"
		}
		fmt.Printf("%d%s: actual %4.0f model %6.1f\n", r.N, plus, r.Actual, r.Expected)
	}
	fmt.Printf("chi-square %.1f on %d degrees of freedom\n", g.ChiSquare, g.DegreesOfFreedom)
	// Output:
	// 0: actual 1411 model 1406.5
	// 1: actual  439 model  460.8
	// 2: actual  214 model  192.7
	// 3: actual  100 model  101.3
	// 4: actual   62 model   59.9
	// 5+: actual  131 model  135.7
	// chi-square 3.7 on 1 degrees of freedom
}

func ExampleParetoTable() {
	revenue := []float64{500, 120, 90, 60, 40, 30, 20, 10, 5, 5}
	rows, err := scoring.ParetoTable(revenue, []float64{0.5, 0.8})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Printf("%.0f%% of revenue: top %.1f%% of customers (%d)\n", 100*r.ValueShare, 100*r.CustomerShare, r.Customers)
	}
	// Output:
	// 50% of revenue: top 8.8% of customers (1)
	// 80% of revenue: top 29.3% of customers (3)
}

func ExampleLorenzSVG() {
	doc, err := scoring.LorenzSVG([]float64{500, 120, 90, 60, 40, 30, 20, 10, 5, 5}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	// A well-formed SVG document whose series are marked with data-series.
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if el, ok := tok.(xml.StartElement); ok {
			for _, a := range el.Attr {
				if a.Name.Local == "data-series" {
					fmt.Println("series", a.Value)
				}
			}
		}
	}
	// Output:
	// series equality
	// series lorenz
	// series gini
}

func ExampleCalibrationVsHoldout() {
	txs := exmCDNOWTransactions()
	// Numeric IDs in numeric order ("2" before "10"; CDNOW's are
	// zero-padded, so text order agrees).
	cal, hold, err := scoring.CalibrationHoldout(txs, exmCalEnd, exmHoldoutEnd,
		&scoring.CalibrationOptions{Order: scoring.OrderNumericID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("first IDs:", cal[0].ID, cal[1].ID, cal[9].ID, cal[10].ID)
	m := scoring.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	rows, err := scoring.CalibrationVsHoldout(m, cal, hold, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Printf("x=%d customers=%4d holdout actual %.2f model %.2f\n", r.X, r.Customers, r.Actual, r.Predicted)
	}
	// Output:
	// first IDs: 0001 0002 0010 0011
	// x=0 customers=1411 holdout actual 0.24 model 0.23
	// x=1 customers= 439 holdout actual 0.70 model 0.52
	// x=2 customers= 214 holdout actual 1.39 model 1.04
	// x=3 customers= 100 holdout actual 1.56 model 1.52
	// x=4 customers= 193 holdout actual 4.08 model 3.79
}

func ExampleTrackRepeatPurchases() {
	m := scoring.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	tr, err := scoring.TrackRepeatPurchases(m, exmCDNOWTransactions(), exmCalEnd, exmHoldoutEnd, 13, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("cohort %d, calibration ends at week %.1f\n", tr.Customers, tr.CalibrationEnd)
	for _, p := range tr.Points {
		fmt.Printf("week %4.1f (%s): actual %4.0f model %6.1f\n", p.Time, p.At.Format("2006-01-02"), p.CumulativeActual, p.CumulativeExpected)
	}
	// Output:
	// cohort 2357, calibration ends at week 39.0
	// week 13.0 (1997-04-01): actual  828 model  710.0
	// week 26.0 (1997-07-01): actual 1746 model 1729.5
	// week 39.0 (1997-09-30): actual 2457 model 2497.6
	// week 52.0 (1997-12-30): actual 3183 model 3132.1
	// week 65.0 (1998-03-31): actual 3844 model 3680.2
	// week 78.0 (1998-06-30): actual 4339 model 4166.4
}

func ExampleFrequencyRecency() {
	m := scoring.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	fr, err := scoring.FrequencyRecency(m, 39, 3, 3, 39)
	if err != nil {
		fmt.Println(err)
		return
	}
	for x, row := range fr.PAlive {
		fmt.Printf("x=%d P(alive) at recency %.1f/%.1f/%.1f: %.2f %.2f %.2f\n", x,
			fr.Recencies[0], fr.Recencies[1], fr.Recencies[2], row[0], row[1], row[2])
	}
	// Output:
	// x=0 P(alive) at recency 6.5/19.5/32.5: 1.00 1.00 1.00
	// x=1 P(alive) at recency 6.5/19.5/32.5: 0.35 0.59 0.71
	// x=2 P(alive) at recency 6.5/19.5/32.5: 0.16 0.53 0.75
	// x=3 P(alive) at recency 6.5/19.5/32.5: 0.06 0.45 0.77
}

func ExampleClassifyABC_ties() {
	values := []float64{10, 10, 10, 10, 10}
	for _, ties := range []scoring.ABCTieRule{scoring.ABCTiesShareClass, scoring.ABCTiesSmallestGroup} {
		res, err := scoring.ClassifyABC(values, &scoring.ABCOptions{Ties: ties})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ties, res.Classes, res.Count)
	}
	// Output:
	// share_class [A A A A A] [5 0 0]
	// smallest_group [A A A A B] [4 1 0]
}
