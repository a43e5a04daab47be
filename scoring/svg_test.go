package scoring

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

var svgWrite = flag.Bool("svg.write", false, "write the CDNOW tracking picture to ../docs/img/cdnow-tracking.svg")

// svgSeries parses doc as XML (failing the test on any error) and returns
// the number of child elements of each data-series group, and the root.
func svgSeries(t testing.TB, doc []byte) (map[string]int, xml.StartElement) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	series := make(map[string]int)
	var root xml.StartElement
	var stack []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		switch el := tok.(type) {
		case xml.StartElement:
			if root.Name.Local == "" {
				root = el
			}
			if len(stack) > 0 && stack[len(stack)-1] != "" && el.Name.Local != "title" {
				series[stack[len(stack)-1]]++
			}
			name := ""
			for _, a := range el.Attr {
				if a.Name.Local == "data-series" {
					name = a.Value
					series[name] += 0
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	require.Empty(t, stack)
	require.Equal(t, "svg", root.Name.Local)
	require.Equal(t, "http://www.w3.org/2000/svg", root.Name.Space)
	return series, root
}

// svgCDNOW holds everything the pictures of CDNOW need.
type svgCDNOW struct {
	cal    []CustomerSummary
	hold   []HoldoutSummary
	txs    []Transaction
	values []float64
	scores []RFMScore
}

func svgLoad(t testing.TB) svgCDNOW {
	t.Helper()
	txs := mtCDNOWTransactions(t)
	cal, hold, err := CalibrationHoldout(txs, mtCDNOWCalEnd, mtCDNOWEnd, &CalibrationOptions{Order: OrderNumericID})
	require.NoError(t, err)
	d := svgCDNOW{cal: cal, hold: hold, txs: txs}
	totals := make(map[string]float64)
	for _, tx := range txs {
		totals[tx.CustomerID] += tx.Amount
	}
	for _, c := range cal {
		d.values = append(d.values, totals[c.ID])
	}
	seq := func(yield func(Transaction) bool) {
		for _, tx := range txs {
			if !yield(tx) {
				return
			}
		}
	}
	table, err := ComputeRFM(mtCDNOWEnd.AddDate(0, 0, 1), seq, nil)
	require.NoError(t, err)
	d.scores = table.Scores
	return d
}

// svgRender returns every picture of CDNOW by name, with the series it
// must hold.
func svgRender(t testing.TB, d svgCDNOW) map[string]struct {
	doc    []byte
	series []string
} {
	t.Helper()
	type pic = struct {
		doc    []byte
		series []string
	}
	out := make(map[string]pic)
	add := func(name string, doc []byte, err error, series ...string) {
		require.NoError(t, err, name)
		out[name] = pic{doc, series}
	}
	g, err := PeriodTransactions(mtBGCDNOW, d.cal, 7)
	require.NoError(t, err)
	doc, err := PeriodTransactionsSVG(g, nil)
	add("period-transactions", doc, err, "actual", "model")
	rows, err := CalibrationVsHoldout(mtBGCDNOW, d.cal, d.hold, 7)
	require.NoError(t, err)
	doc, err = CalibrationVsHoldoutSVG(rows, nil)
	add("calibration-holdout", doc, err, "actual", "model")
	tr, err := TrackRepeatPurchases(mtBGCDNOW, d.txs, mtCDNOWCalEnd, mtCDNOWEnd, 1, nil)
	require.NoError(t, err)
	doc, err = TrackingSVG(tr, nil)
	add("tracking", doc, err, "actual", "model", "calibration-end")
	fr, err := FrequencyRecency(mtBGCDNOW, 39, 30, 39, 39)
	require.NoError(t, err)
	doc, err = PAliveMatrixSVG(fr, nil)
	add("p-alive-matrix", doc, err, "p-alive")
	doc, err = ExpectedMatrixSVG(fr, nil)
	add("expected-matrix", doc, err, "expected")
	doc, err = LorenzSVG(d.values, nil)
	add("lorenz", doc, err, "lorenz", "equality", "gini")
	doc, err = RFMGridSVG(d.scores, 5, nil)
	add("rfm-grid", doc, err, "rfm")
	return out
}

func TestSVGPicturesOfCDNOW(t *testing.T) {
	t.Parallel()
	d := svgLoad(t)
	pics := svgRender(t, d)
	require.Len(t, pics, 7)
	for name, p := range pics {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			series, _ := svgSeries(t, p.doc)
			for _, s := range p.series {
				require.Contains(t, series, s)
				require.Positive(t, series[s], "series %s is empty", s)
			}
			if *svgWrite && name == "tracking" {
				require.NoError(t, os.WriteFile("../docs/img/cdnow-"+name+".svg", p.doc, 0o644))
			}
		})
	}
	// The bars of the period transactions: one per bucket and series.
	series, _ := svgSeries(t, pics["period-transactions"].doc)
	require.Equal(t, 8, series["actual"])
	require.Equal(t, 8, series["model"])
	// The heat maps: one cell per frequency and recency.
	series, _ = svgSeries(t, pics["p-alive-matrix"].doc)
	require.Equal(t, 31*39, series["p-alive"])
	series, _ = svgSeries(t, pics["rfm-grid"].doc)
	require.Equal(t, 2*25, series["rfm"])
}

func TestSVGRendersFast(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	d := svgLoad(t)
	start := time.Now()
	const rounds = 5
	for range rounds {
		svgRender(t, d)
	}
	// All seven pictures, including the diagnostics they draw, well within
	// 50 ms each on average even on a loaded machine.
	require.Less(t, time.Since(start)/rounds, 7*50*time.Millisecond)
}

func TestSVGEscapesAndRefuses(t *testing.T) {
	t.Parallel()
	doc, err := LorenzSVG([]float64{1, 2, 3}, &SVGOptions{Title: `<b>&"x"</b>`})
	require.NoError(t, err)
	svgSeries(t, doc)
	require.Contains(t, string(doc), "&lt;b&gt;&amp;")
	cases := []struct {
		name string
		call func() error
	}{
		{"tiny width", func() error { _, err := LorenzSVG([]float64{1}, &SVGOptions{Width: 10}); return err }},
		{"empty values", func() error { _, err := LorenzSVG(nil, nil); return err }},
		{"empty rows", func() error { _, err := CalibrationVsHoldoutSVG(nil, nil); return err }},
		{"NaN count", func() error {
			_, err := PeriodTransactionsSVG(GoodnessOfFit{Rows: []CountRow{{Actual: -1}}}, nil)
			return err
		}},
		{"forged matrix", func() error {
			_, err := PAliveMatrixSVG(FrequencyRecencyMatrix{T: 1, Frequencies: []int{0}, Recencies: []float64{1}, PAlive: [][]float64{{1, 2}}}, nil)
			return err
		}},
		{"score out of range", func() error { _, err := RFMGridSVG([]RFMScore{{R: 6, F: 1, M: 1}}, 5, nil); return err }},
		{"empty tracking", func() error { _, err := TrackingSVG(Tracking{}, nil); return err }},
		{"too many cells", func() error {
			fr, err := FrequencyRecency(mtBGCDNOW, 39, 400, 200, 39)
			if err != nil {
				return err
			}
			_, err = ExpectedMatrixSVG(fr, nil)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.call(), crm.ErrInvalid)
		})
	}
}

func BenchmarkSVGCDNOW(b *testing.B) {
	d := svgLoad(b)
	g, _ := PeriodTransactions(mtBGCDNOW, d.cal, 7)
	rows, _ := CalibrationVsHoldout(mtBGCDNOW, d.cal, d.hold, 7)
	tr, _ := TrackRepeatPurchases(mtBGCDNOW, d.txs, mtCDNOWCalEnd, mtCDNOWEnd, 1, nil)
	fr, _ := FrequencyRecency(mtBGCDNOW, 39, 30, 39, 39)
	cases := map[string]func() ([]byte, error){
		"PeriodTransactions": func() ([]byte, error) { return PeriodTransactionsSVG(g, nil) },
		"CalibrationHoldout": func() ([]byte, error) { return CalibrationVsHoldoutSVG(rows, nil) },
		"Tracking":           func() ([]byte, error) { return TrackingSVG(tr, nil) },
		"PAliveMatrix":       func() ([]byte, error) { return PAliveMatrixSVG(fr, nil) },
		"ExpectedMatrix":     func() ([]byte, error) { return ExpectedMatrixSVG(fr, nil) },
		"Lorenz":             func() ([]byte, error) { return LorenzSVG(d.values, nil) },
		"RFMGrid":            func() ([]byte, error) { return RFMGridSVG(d.scores, 5, nil) },
		"WithDataTracking": func() ([]byte, error) {
			t, _ := TrackRepeatPurchases(mtBGCDNOW, d.txs, mtCDNOWCalEnd, mtCDNOWEnd, 1, nil)
			return TrackingSVG(t, nil)
		},
		"WithDataPeriod": func() ([]byte, error) {
			g, _ := PeriodTransactions(mtBGCDNOW, d.cal, 7)
			return PeriodTransactionsSVG(g, nil)
		},
		"WithDataHoldout": func() ([]byte, error) {
			r, _ := CalibrationVsHoldout(mtBGCDNOW, d.cal, d.hold, 7)
			return CalibrationVsHoldoutSVG(r, nil)
		},
		"WithDataMatrix": func() ([]byte, error) {
			f, _ := FrequencyRecency(mtBGCDNOW, 39, 30, 39, 39)
			return PAliveMatrixSVG(f, nil)
		},
	}
	for name, render := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := render(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
