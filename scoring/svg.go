package scoring

import (
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/crmkit/crm"
)

// SVGOptions sizes and titles a picture. A nil *SVGOptions and the zero
// value give 720×440 pixels and the picture's standard title.
//
// Every picture is a self-contained SVG 1.1 document, rendered with the
// standard library only. Each data series is a <g> element with a
// data-series attribute ("actual", "model", "gini", ...), so pictures can
// be checked or restyled by machine.
type SVGOptions struct {
	// Width and Height are the size in pixels; zero means 720 and 440.
	// Each must lie in [200, 4000].
	Width, Height int
	// Title replaces the standard title when not empty.
	Title string
}

// svgResolve validates opts.
func svgResolve(op string, opts *SVGOptions, title string) (SVGOptions, error) {
	o := SVGOptions{Width: 720, Height: 440, Title: title}
	if opts != nil {
		if opts.Width != 0 {
			o.Width = opts.Width
		}
		if opts.Height != 0 {
			o.Height = opts.Height
		}
		if opts.Title != "" {
			o.Title = opts.Title
		}
	}
	var v crm.Validator
	v.Check(o.Width >= 200 && o.Width <= 4000, "opts.width", "must lie in [200, 4000]")
	v.Check(o.Height >= 200 && o.Height <= 4000, "opts.height", "must lie in [200, 4000]")
	v.Check(len(o.Title) <= 500, "opts.title", "must not exceed 500 bytes")
	return o, v.Err(op)
}

// Colours of the series: actual data, model, and the diagonal.
const (
	svgActual = "#1f77b4"
	svgModel  = "#ff7f0e"
	svgGrey   = "#888888"
)

// svgCanvas writes one chart with a plot area and linear axes.
type svgCanvas struct {
	b                        strings.Builder
	w, h                     float64
	left, right, top, bottom float64 // plot area
	x0, x1, y0, y1           float64 // data range
}

func newSVGCanvas(o SVGOptions) *svgCanvas {
	c := &svgCanvas{w: float64(o.Width), h: float64(o.Height)}
	c.left, c.right, c.top, c.bottom = 70, c.w-20, 45, c.h-55
	fmt.Fprintf(&c.b, `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`,
		o.Width, o.Height, o.Width, o.Height)
	c.b.WriteString("<title>")
	c.text(o.Title)
	c.b.WriteString("</title>")
	fmt.Fprintf(&c.b, `<rect width="%d" height="%d" fill="#ffffff"/>`, o.Width, o.Height)
	fmt.Fprintf(&c.b, `<text x="%s" y="24" text-anchor="middle" font-size="15">`, svgNum(c.w/2))
	c.text(o.Title)
	c.b.WriteString("</text>")
	return c
}

// text writes s escaped for XML.
func (c *svgCanvas) text(s string) {
	_ = xml.EscapeText(&c.b, []byte(s)) // a strings.Builder does not fail
}

// svgNum formats a coordinate with two decimals at most.
func svgNum(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

func (c *svgCanvas) px(x float64) float64 {
	return c.left + (x-c.x0)/(c.x1-c.x0)*(c.right-c.left)
}

func (c *svgCanvas) py(y float64) float64 {
	return c.bottom - (y-c.y0)/(c.y1-c.y0)*(c.bottom-c.top)
}

// axes sets the data range and draws the axes with ticks and labels.
func (c *svgCanvas) axes(x0, x1, y0, y1 float64, xlabel, ylabel string, xticks bool) {
	if !(x1 > x0) {
		x1 = x0 + 1
	}
	if !(y1 > y0) {
		y1 = y0 + 1
	}
	c.x0, c.x1, c.y0, c.y1 = x0, x1, y0, y1
	c.b.WriteString(`<g class="axes" stroke="#333333" fill="none">`)
	fmt.Fprintf(&c.b, `<path d="M%s %sV%sH%s"/>`, svgNum(c.left), svgNum(c.top), svgNum(c.bottom), svgNum(c.right))
	c.b.WriteString(`</g><g class="ticks" fill="#333333">`)
	for _, v := range svgTicks(y0, y1) {
		y := c.py(v)
		fmt.Fprintf(&c.b, `<path d="M%s %sH%s" stroke="#dddddd"/>`, svgNum(c.left), svgNum(y), svgNum(c.right))
		fmt.Fprintf(&c.b, `<text x="%s" y="%s" text-anchor="end">%s</text>`, svgNum(c.left-6), svgNum(y+4), svgLabel(v))
	}
	if xticks {
		for _, v := range svgTicks(x0, x1) {
			x := c.px(v)
			fmt.Fprintf(&c.b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, svgNum(x), svgNum(c.bottom+16), svgLabel(v))
		}
	}
	fmt.Fprintf(&c.b, `<text x="%s" y="%s" text-anchor="middle">`, svgNum((c.left+c.right)/2), svgNum(c.h-12))
	c.text(xlabel)
	fmt.Fprintf(&c.b, `</text><text transform="translate(16 %s) rotate(-90)" text-anchor="middle">`, svgNum((c.top+c.bottom)/2))
	c.text(ylabel)
	c.b.WriteString("</text></g>")
}

// svgTicks returns about five round tick values in [lo, hi].
func svgTicks(lo, hi float64) []float64 {
	span := hi - lo
	step := math.Pow(10, math.Floor(math.Log10(span/5)))
	for _, f := range []float64{1, 2, 5, 10} {
		if span/(step*f) <= 6 {
			step *= f
			break
		}
	}
	var out []float64
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, v)
	}
	return out
}

// svgLabel formats a tick value.
func svgLabel(v float64) string {
	if math.Abs(v) < 1e-12 {
		return "0"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// polyline draws one series as a line.
func (c *svgCanvas) polyline(series, colour string, dashed bool, xs, ys []float64) {
	fmt.Fprintf(&c.b, `<g data-series="%s"><polyline fill="none" stroke="%s" stroke-width="2"`, series, colour)
	if dashed {
		c.b.WriteString(` stroke-dasharray="6 4"`)
	}
	c.b.WriteString(` points="`)
	for i := range xs {
		if i > 0 {
			c.b.WriteByte(' ')
		}
		c.b.WriteString(svgNum(c.px(xs[i])))
		c.b.WriteByte(',')
		c.b.WriteString(svgNum(c.py(ys[i])))
	}
	c.b.WriteString(`"/></g>`)
}

// legend draws the named colours in the top right corner.
func (c *svgCanvas) legend(names, colours []string) {
	c.b.WriteString(`<g class="legend">`)
	for i, n := range names {
		y := c.top + 8 + float64(i)*18
		fmt.Fprintf(&c.b, `<rect x="%s" y="%s" width="14" height="10" fill="%s"/><text x="%s" y="%s">`,
			svgNum(c.right-150), svgNum(y-9), colours[i], svgNum(c.right-130), svgNum(y))
		c.text(n)
		c.b.WriteString("</text>")
	}
	c.b.WriteString("</g>")
}

func (c *svgCanvas) bytes() []byte {
	c.b.WriteString("</svg>\n")
	return []byte(c.b.String())
}

// PeriodTransactionsSVG draws the period transactions diagnostic of g:
// for every number of repeat purchases, the customers observed (bars of
// series "actual") and expected by the model (series "model").
func PeriodTransactionsSVG(g GoodnessOfFit, opts *SVGOptions) ([]byte, error) {
	const op = "scoring.PeriodTransactionsSVG"
	o, err := svgResolve(op, opts, "Frequency of repeat transactions: actual vs model")
	if err != nil {
		return nil, err
	}
	if len(g.Rows) == 0 {
		return nil, crm.Invalid(op, "g.rows", "must not be empty")
	}
	top := 0.0
	for i, r := range g.Rows {
		if !optFinite(r.Actual) || !optFinite(r.Expected) || r.Actual < 0 || r.Expected < 0 {
			return nil, crm.Invalid(op, "g.rows["+strconv.Itoa(i)+"]", "counts must be finite and not negative")
		}
		top = max(top, r.Actual, r.Expected)
	}
	c := newSVGCanvas(o)
	n := float64(len(g.Rows))
	c.axes(0, n, 0, top*1.05, "Number of repeat transactions", "Customers", false)
	slot := (c.right - c.left) / n
	for k, series := range []string{"actual", "model"} {
		colour := []string{svgActual, svgModel}[k]
		fmt.Fprintf(&c.b, `<g data-series="%s" fill="%s">`, series, colour)
		for i, r := range g.Rows {
			v := r.Actual
			if k == 1 {
				v = r.Expected
			}
			x := c.left + float64(i)*slot + slot*0.1 + float64(k)*slot*0.4
			y := c.py(v)
			fmt.Fprintf(&c.b, `<rect x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
				svgNum(x), svgNum(y), svgNum(slot*0.4), svgNum(c.bottom-y), svgNum(v))
		}
		c.b.WriteString("</g>")
	}
	c.b.WriteString(`<g class="categories">`)
	for i, r := range g.Rows {
		label := strconv.Itoa(r.N)
		if r.OrMore {
			label += "+"
		}
		fmt.Fprintf(&c.b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, svgNum(c.left+(float64(i)+0.5)*slot), svgNum(c.bottom+16), label)
	}
	c.b.WriteString("</g>")
	c.legend([]string{"Actual", fmt.Sprintf("Model (χ² p=%.3g)", g.PValue)}, []string{svgActual, svgModel})
	return c.bytes(), nil
}

// CalibrationVsHoldoutSVG draws the mean holdout purchases per calibration
// frequency, actual (series "actual") against the model's conditional
// expectation (series "model").
func CalibrationVsHoldoutSVG(rows []HoldoutRow, opts *SVGOptions) ([]byte, error) {
	const op = "scoring.CalibrationVsHoldoutSVG"
	o, err := svgResolve(op, opts, "Calibration vs holdout purchases")
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, crm.Invalid(op, "rows", "must not be empty")
	}
	xs := make([]float64, len(rows))
	act := make([]float64, len(rows))
	pred := make([]float64, len(rows))
	top := 0.0
	for i, r := range rows {
		if !optFinite(r.Actual) || !optFinite(r.Predicted) || r.Actual < 0 || r.Predicted < 0 {
			return nil, crm.Invalid(op, "rows["+strconv.Itoa(i)+"]", "means must be finite and not negative")
		}
		xs[i], act[i], pred[i] = float64(r.X), r.Actual, r.Predicted
		top = max(top, r.Actual, r.Predicted)
	}
	c := newSVGCanvas(o)
	c.axes(xs[0], xs[len(xs)-1], 0, top*1.05, "Purchases in calibration period", "Mean purchases in holdout period", true)
	c.polyline("actual", svgActual, false, xs, act)
	c.polyline("model", svgModel, true, xs, pred)
	c.legend([]string{"Actual", "Model"}, []string{svgActual, svgModel})
	return c.bytes(), nil
}

// TrackingSVG draws cumulative repeat purchases over time, actual (series
// "actual") and expected (series "model"), with a vertical line (series
// "calibration-end") at the end of the calibration period.
func TrackingSVG(tr Tracking, opts *SVGOptions) ([]byte, error) {
	const op = "scoring.TrackingSVG"
	o, err := svgResolve(op, opts, "Tracking cumulative repeat transactions")
	if err != nil {
		return nil, err
	}
	if len(tr.Points) == 0 {
		return nil, crm.Invalid(op, "tr.points", "must not be empty")
	}
	xs := make([]float64, len(tr.Points)+1)
	act := make([]float64, len(xs))
	exp := make([]float64, len(xs))
	top := 0.0
	for i, p := range tr.Points {
		if !optFinite(p.Time) || !optFinite(p.CumulativeActual) || !optFinite(p.CumulativeExpected) {
			return nil, crm.Invalid(op, "tr.points["+strconv.Itoa(i)+"]", "must be finite")
		}
		xs[i+1], act[i+1], exp[i+1] = p.Time, p.CumulativeActual, p.CumulativeExpected
		top = max(top, p.CumulativeActual, p.CumulativeExpected)
	}
	if !optFinite(tr.CalibrationEnd) || tr.CalibrationEnd < 0 {
		return nil, crm.Invalid(op, "tr.calibration_end", "must be finite and not negative")
	}
	c := newSVGCanvas(o)
	c.axes(0, xs[len(xs)-1], 0, top*1.05, "Time since the first purchase in the data", "Cumulative repeat transactions", true)
	c.polyline("actual", svgActual, false, xs, act)
	c.polyline("model", svgModel, true, xs, exp)
	x := c.px(tr.CalibrationEnd)
	fmt.Fprintf(&c.b, `<g data-series="calibration-end"><path d="M%s %sV%s" stroke="%s" stroke-dasharray="2 3"/></g>`,
		svgNum(x), svgNum(c.top), svgNum(c.bottom), svgGrey)
	c.legend([]string{"Actual", "Model", "End of calibration"}, []string{svgActual, svgModel, svgGrey})
	return c.bytes(), nil
}

// PAliveMatrixSVG draws fr.PAlive as a heat map over frequency (rows, top
// = most purchases) and recency (columns), series "p-alive". The matrix
// must have at most 40,000 cells.
func PAliveMatrixSVG(fr FrequencyRecencyMatrix, opts *SVGOptions) ([]byte, error) {
	return svgHeatMap("scoring.PAliveMatrixSVG", "p-alive", fr, fr.PAlive, 1, opts,
		"Probability of being alive, by frequency and recency")
}

// ExpectedMatrixSVG draws fr.Expected as a heat map over frequency and
// recency, series "expected".
func ExpectedMatrixSVG(fr FrequencyRecencyMatrix, opts *SVGOptions) ([]byte, error) {
	top := 0.0
	for _, row := range fr.Expected {
		for _, v := range row {
			if optFinite(v) {
				top = max(top, v)
			}
		}
	}
	return svgHeatMap("scoring.ExpectedMatrixSVG", "expected", fr, fr.Expected, top, opts,
		fmt.Sprintf("Expected purchases in the next %s time units, by frequency and recency", svgLabel(fr.Horizon)))
}

// svgHeatMap draws cells[x][j] over the grid of fr, shaded from white (0)
// to dark blue (top).
func svgHeatMap(op, series string, fr FrequencyRecencyMatrix, cells [][]float64, top float64, opts *SVGOptions, title string) ([]byte, error) {
	o, err := svgResolve(op, opts, title)
	if err != nil {
		return nil, err
	}
	if len(cells) == 0 || len(cells) != len(fr.Frequencies) || len(fr.Recencies) == 0 || !(fr.T > 0) || math.IsInf(fr.T, 1) {
		return nil, crm.Invalid(op, "fr", "must be a matrix made by FrequencyRecency")
	}
	if len(cells)*len(fr.Recencies) > svgMaxCells {
		return nil, crm.Invalid(op, "fr", "must not have more than 40,000 cells to draw")
	}
	for i, row := range cells {
		if len(row) != len(fr.Recencies) {
			return nil, crm.Invalid(op, "fr", "row "+strconv.Itoa(i)+" has the wrong length")
		}
		for _, v := range row {
			if !optFinite(v) || v < 0 {
				return nil, crm.Invalid(op, "fr", "values must be finite and not negative")
			}
		}
	}
	if !(top > 0) {
		top = 1
	}
	c := newSVGCanvas(o)
	c.right -= 70 // room for the colour scale
	nx, nr := len(cells), len(fr.Recencies)
	c.axes(0, fr.T, 0, float64(nx), "Recency (time of the last purchase)", "Frequency (repeat purchases)", true)
	cw, ch := (c.right-c.left)/float64(nr), (c.bottom-c.top)/float64(nx)
	fmt.Fprintf(&c.b, `<g data-series="%s">`, series)
	for x, row := range cells {
		y := c.bottom - float64(x+1)*ch
		for j, v := range row {
			fmt.Fprintf(&c.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
				svgNum(c.left+float64(j)*cw), svgNum(y), svgNum(cw+0.5), svgNum(ch+0.5), svgShade(v/top))
		}
	}
	c.b.WriteString("</g>")
	// Colour scale.
	c.b.WriteString(`<g class="scale">`)
	for k := range 10 {
		f := float64(k) / 9
		y := c.bottom - (f+0.1)*(c.bottom-c.top)/1.1
		fmt.Fprintf(&c.b, `<rect x="%s" y="%s" width="14" height="%s" fill="%s"/><text x="%s" y="%s">%s</text>`,
			svgNum(c.right+15), svgNum(y), svgNum((c.bottom-c.top)/11), svgShade(f), svgNum(c.right+34), svgNum(y+10), svgLabel(f*top))
	}
	c.b.WriteString("</g>")
	return c.bytes(), nil
}

// svgMaxCells bounds the cells of a heat map (about 3 MB of SVG).
const svgMaxCells = 40_000

// svgShade maps f in [0, 1] onto white to dark blue.
func svgShade(f float64) string {
	f = min(1, max(0, f))
	r := 255 - f*(255-8)
	g := 255 - f*(255-48)
	b := 255 - f*(255-107)
	return fmt.Sprintf("#%02x%02x%02x", int(r+0.5), int(g+0.5), int(b+0.5))
}

// LorenzSVG draws the Lorenz curve of values (series "lorenz") with the
// line of equality (series "equality") and states the Gini coefficient
// (series "gini"). At most 1,000 points of the curve are drawn. Values are
// validated as by LorenzCurve.
func LorenzSVG(values []float64, opts *SVGOptions) ([]byte, error) {
	const op = "scoring.LorenzSVG"
	o, err := svgResolve(op, opts, "Lorenz curve of customer value")
	if err != nil {
		return nil, err
	}
	curve, err := LorenzCurve(values)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	gini, err := Gini(values)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	step := max(1, len(curve)/1000)
	var xs, ys []float64
	for i := 0; i < len(curve); i += step {
		xs = append(xs, curve[i].Population)
		ys = append(ys, curve[i].Share)
	}
	if xs[len(xs)-1] != 1 {
		xs, ys = append(xs, 1), append(ys, 1)
	}
	c := newSVGCanvas(o)
	c.axes(0, 1, 0, 1, "Share of customers (smallest value first)", "Share of value", true)
	c.polyline("equality", svgGrey, true, []float64{0, 1}, []float64{0, 1})
	c.polyline("lorenz", svgActual, false, xs, ys)
	fmt.Fprintf(&c.b, `<g data-series="gini"><text x="%s" y="%s" font-size="14">Gini = %.3f</text></g>`,
		svgNum(c.left+20), svgNum(c.top+20), gini)
	return c.bytes(), nil
}

// RFMGridSVG draws the customers of scores on a grid of recency score
// (columns) by frequency score (rows): each cell is shaded by its number of
// customers and labelled with it and the cell's mean monetary score (series
// "rfm"). bins is the number of score bins (5 for quintiles), in [2, 20];
// every score must lie in [1, bins].
func RFMGridSVG(scores []RFMScore, bins int, opts *SVGOptions) ([]byte, error) {
	const op = "scoring.RFMGridSVG"
	o, err := svgResolve(op, opts, "Customers by recency and frequency score")
	if err != nil {
		return nil, err
	}
	if bins < 2 || bins > 20 {
		return nil, crm.Invalid(op, "bins", "must lie in [2, 20]")
	}
	if len(scores) == 0 {
		return nil, crm.Invalid(op, "scores", "must not be empty")
	}
	count := make([]int, bins*bins)
	msum := make([]float64, bins*bins)
	for i, s := range scores {
		if s.R < 1 || int(s.R) > bins || s.F < 1 || int(s.F) > bins || s.M < 1 || int(s.M) > bins {
			return nil, crm.Invalid(op, "scores["+strconv.Itoa(i)+"]", "every score must lie in [1, bins]")
		}
		k := int(s.F-1)*bins + int(s.R-1)
		count[k]++
		msum[k] += float64(s.M)
	}
	top := 0
	for _, n := range count {
		top = max(top, n)
	}
	c := newSVGCanvas(o)
	c.axes(0.5, float64(bins)+0.5, 0.5, float64(bins)+0.5, "Recency score (higher = more recent)", "Frequency score", true)
	cw, ch := (c.right-c.left)/float64(bins), (c.bottom-c.top)/float64(bins)
	c.b.WriteString(`<g data-series="rfm">`)
	for f := range bins {
		for r := range bins {
			k := f*bins + r
			x, y := c.left+float64(r)*cw, c.bottom-float64(f+1)*ch
			share := float64(count[k]) / float64(top)
			fmt.Fprintf(&c.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#ffffff"/>`,
				svgNum(x), svgNum(y), svgNum(cw), svgNum(ch), svgShade(share))
			colour := "#000000"
			if share > 0.55 {
				colour = "#ffffff"
			}
			label := strconv.Itoa(count[k])
			if count[k] > 0 {
				label += fmt.Sprintf(" · M %.1f", msum[k]/float64(count[k]))
			}
			fmt.Fprintf(&c.b, `<text x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>`,
				svgNum(x+cw/2), svgNum(y+ch/2+4), colour, label)
		}
	}
	c.b.WriteString("</g>")
	return c.bytes(), nil
}
