package scoring

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// This file holds helpers shared by the model tests: an independent
// quadrature (tanh-sinh), the CDNOW loaders and a simulator for the BG/NBD
// and Pareto/NBD stories. None of it calls the code under test's formulas.

// mtQuad01 integrates f over (0, 1) with the tanh-sinh (double exponential)
// rule of step h. f receives t and 1−t, both computed without cancellation,
// so integrands with algebraic singularities at either end are handled.
func mtQuad01(h float64, f func(t, omt float64) float64) float64 {
	var sum float64
	for k := 0; ; k++ {
		u := float64(k) * h
		e := math.Pi * math.Sinh(u)
		if e > 1400 {
			break
		}
		w := math.Pi * math.Cosh(u)
		// t = logistic(±e); 1−t = logistic(∓e).
		lo := 1 / (1 + math.Exp(e)) // small end
		hi := 1 / (1 + math.Exp(-e))
		wt := w * lo * hi
		if k == 0 {
			sum += wt * f(0.5, 0.5)
			continue
		}
		// Nodes closer to an end than 1e-300 carry negligible weight for
		// any integrand used here (singularities no worse than t^-0.7).
		if lo > 1e-300 {
			sum += wt * (f(lo, hi) + f(hi, lo))
		}
	}
	return sum * h
}

// mtQuad0Inf integrates g over (0, ∞) by mapping x = scale·(t/(1−t))^k:
// scale should sit near the bulk of the integrand and k ≤ 1 narrows the
// map for sharply peaked integrands (a gamma-like peak of shape m has a
// relative width of about 1/sqrt(m); k = min(1, 2/sqrt(m)) spreads it over
// a good part of (0, 1)).
func mtQuad0Inf(h, scale, k float64, g func(x float64) float64) float64 {
	return mtQuad01(h, func(t, omt float64) float64 {
		lt := k * (math.Log(t) - math.Log(omt))
		x := scale * math.Exp(lt)
		if math.IsInf(x, 1) || x == 0 {
			return 0
		}
		v := g(x)
		if v == 0 {
			return 0
		}
		return v * x * k / t / omt
	})
}

// mtPeak returns the map exponent k of mtQuad0Inf for a peak of shape m.
func mtPeak(m float64) float64 { return math.Min(1, 2/math.Sqrt(m)) }

// mtGammaPDF returns the density of a gamma distribution with the given
// shape and rate, computed in log space.
func mtGammaPDF(shape, rate float64) func(x float64) float64 {
	lg, _ := math.Lgamma(shape)
	c := shape*math.Log(rate) - lg
	return func(x float64) float64 {
		if x <= 0 {
			return 0
		}
		return math.Exp(c + (shape-1)*math.Log(x) - rate*x)
	}
}

// mtBetaPDF returns the beta(a, b) density as a function of p and 1−p.
func mtBetaPDF(a, b float64) func(p, omp float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	c := lab - la - lb
	return func(p, omp float64) float64 {
		return math.Exp((a-1)*math.Log(p) + (b-1)*math.Log(omp) + c)
	}
}

// mtRelClose requires |got−want| ≤ tol·max(1, |want|).
func mtRelClose(t testing.TB, want, got, tol float64, msg string) {
	t.Helper()
	require.False(t, math.IsNaN(got) || math.IsInf(got, 0), "%s: got %v", msg, got)
	require.LessOrEqual(t, math.Abs(got-want), tol*math.Max(1, math.Abs(want)), "%s: want %.15g got %.15g", msg, want, got)
}

// mtCDNOWTransactions reads testdata/cdnow/CDNOW_sample.txt as
// transactions keyed by the sample id (the id the published summaries use).
func mtCDNOWTransactions(t testing.TB) []Transaction {
	t.Helper()
	f, err := os.Open("testdata/cdnow/CDNOW_sample.txt")
	require.NoError(t, err)
	defer f.Close()
	var txs []Transaction
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		require.Len(t, fields, 5, "line %q", sc.Text())
		day, err := time.Parse("20060102", fields[2])
		require.NoError(t, err)
		amount, err := strconv.ParseFloat(fields[4], 64)
		require.NoError(t, err)
		txs = append(txs, Transaction{CustomerID: fields[1], At: day, Amount: amount})
	}
	require.NoError(t, sc.Err())
	require.Len(t, txs, 6919)
	return txs
}

// mtCDNOWRow is one line of the published summary CSV.
type mtCDNOWRow struct {
	id          int
	x           int
	tx, T, zbar float64
}

// mtCDNOWPublished reads testdata/cdnow/cdnow_customers_summary_with_transactions.csv.
func mtCDNOWPublished(t testing.TB) []mtCDNOWRow {
	t.Helper()
	raw, err := os.ReadFile("testdata/cdnow/cdnow_customers_summary_with_transactions.csv")
	require.NoError(t, err)
	lines := strings.Split(strings.ReplaceAll(string(raw), "\r", ""), "\n")
	require.Equal(t, "ID,x,t_x,T,zbar", lines[0])
	var rows []mtCDNOWRow
	for _, line := range lines[1:] {
		if line == "" {
			continue
		}
		p := strings.Split(line, ",")
		require.Len(t, p, 5)
		var r mtCDNOWRow
		r.id, err = strconv.Atoi(p[0])
		require.NoError(t, err)
		r.x, err = strconv.Atoi(p[1])
		require.NoError(t, err)
		r.tx, err = strconv.ParseFloat(p[2], 64)
		require.NoError(t, err)
		r.T, err = strconv.ParseFloat(p[3], 64)
		require.NoError(t, err)
		r.zbar, err = strconv.ParseFloat(p[4], 64)
		require.NoError(t, err)
		rows = append(rows, r)
	}
	require.Len(t, rows, 2357)
	return rows
}

// mtCDNOWCalEnd is the last day of the literature's 39-week calibration
// period, and mtCDNOWEnd the last day of the data.
var (
	mtCDNOWCalEnd = time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)
	mtCDNOWEnd    = time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC)
)

// mtCDNOWSummary builds the calibration summary of the CDNOW sample with
// CalibrationHoldout.
func mtCDNOWSummary(t testing.TB) []CustomerSummary {
	t.Helper()
	cal, _, err := CalibrationHoldout(mtCDNOWTransactions(t), mtCDNOWCalEnd, mtCDNOWEnd, nil)
	require.NoError(t, err)
	require.Len(t, cal, 2357)
	return cal
}

// mtGamma draws from a gamma distribution with the given shape and rate
// (Marsaglia and Tsang's method, with the boost for shape < 1).
func mtGamma(rng *rand.Rand, shape, rate float64) float64 {
	if shape < 1 {
		u := rng.Float64()
		return mtGamma(rng, shape+1, rate) * math.Pow(u, 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v / rate
		}
	}
}

// mtBeta draws from a beta(a, b) distribution.
func mtBeta(rng *rand.Rand, a, b float64) float64 {
	x := mtGamma(rng, a, 1)
	y := mtGamma(rng, b, 1)
	return x / (x + y)
}

// mtSimulateBGNBD simulates n customers of the BG/NBD story. Customers are
// acquired on a uniformly drawn day of the first acquisitionDays days and
// observed until day endDay; purchase times are rounded down to whole days
// and reported in weeks (days/7), so tuples repeat as in real data.
func mtSimulateBGNBD(rng *rand.Rand, n int, m BGNBD, acquisitionDays, endDay int) []CustomerSummary {
	out := make([]CustomerSummary, n)
	for i := range out {
		start := rng.IntN(acquisitionDays)
		T := float64(endDay-start) / 7
		lambda := mtGamma(rng, m.R, m.Alpha)
		p := mtBeta(rng, m.A, m.B)
		x, lastDay := 0, 0
		var now float64
		for {
			now += rng.ExpFloat64() / lambda
			if now > T {
				break
			}
			day := int(now * 7)
			if day > lastDay || x == 0 {
				if day == 0 {
					day = 1 // a repeat purchase on the first day would merge
				}
				x++
				lastDay = day
			}
			if rng.Float64() < p {
				break
			}
		}
		out[i] = CustomerSummary{X: x, T: T}
		if x > 0 {
			out[i].TX = float64(lastDay) / 7
		}
	}
	return out
}

// mtSimulateParetoNBD simulates n customers of the Pareto/NBD story with the
// same calendar conventions as mtSimulateBGNBD.
func mtSimulateParetoNBD(rng *rand.Rand, n int, m ParetoNBD, acquisitionDays, endDay int) []CustomerSummary {
	out := make([]CustomerSummary, n)
	for i := range out {
		start := rng.IntN(acquisitionDays)
		T := float64(endDay-start) / 7
		lambda := mtGamma(rng, m.R, m.Alpha)
		mu := mtGamma(rng, m.S, m.Beta)
		life := rng.ExpFloat64() / mu
		end := math.Min(T, life)
		x, lastDay := 0, 0
		var now float64
		for {
			now += rng.ExpFloat64() / lambda
			if now > end {
				break
			}
			day := int(now * 7)
			if day == 0 {
				day = 1
			}
			if day > lastDay {
				x++
				lastDay = day
			}
		}
		if float64(lastDay)/7 > T {
			lastDay = int(T * 7)
		}
		out[i] = CustomerSummary{X: x, T: T}
		if x > 0 {
			out[i].TX = float64(lastDay) / 7
		}
	}
	return out
}
