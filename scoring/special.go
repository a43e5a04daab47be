package scoring

import "math"

// This file holds the special functions the probabilistic models need:
// the digamma function, log-space helpers, compensated summation and the
// Gauss hypergeometric function 2F1(1, p; c; z). They assume validated
// arguments; the exported model code checks its input before calling them.

// spDigamma returns ψ(x), the derivative of ln Γ(x), for x > 0. Small
// arguments are moved up with ψ(x) = ψ(x+1) − 1/x, then the asymptotic
// (Stirling) series is used; the truncation error is below 1e-15 for x ≥ 10.
func spDigamma(x float64) float64 {
	var shift float64
	for x < 10 {
		shift -= 1 / x
		x++
	}
	inv := 1 / x
	inv2 := inv * inv
	// Bernoulli terms B2k/(2k x^2k) for k = 1..6.
	series := inv2 * (1.0/12 - inv2*(1.0/120-inv2*(1.0/252-inv2*(1.0/240-inv2*(1.0/132-inv2*(691.0/32760))))))
	return shift + math.Log(x) - 0.5*inv - series
}

// spLogBeta returns ln B(a, b) for a, b > 0.
func spLogBeta(a, b float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	return la + lb - lab
}

// spLgamma returns ln Γ(x) for x > 0.
func spLgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// spLogAddExp returns ln(e^a + e^b) without overflow; either argument may
// be -Inf.
func spLogAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(b, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// spLog1mExp returns ln(1 − e^d) for d ≤ 0, accurately for d near 0 and for
// very negative d. It returns -Inf for d = 0.
func spLog1mExp(d float64) float64 {
	if d > -math.Ln2 {
		return math.Log(-math.Expm1(d))
	}
	return math.Log1p(-math.Exp(d))
}

// spSum is a Neumaier (improved Kahan) accumulator. Long sums of
// log-likelihood terms stay accurate to a few ulps, which keeps numerical
// derivatives of the sum smooth.
type spSum struct {
	sum, comp float64
}

// add adds v to the sum.
func (s *spSum) add(v float64) {
	t := s.sum + v
	if math.Abs(s.sum) >= math.Abs(v) {
		s.comp += (s.sum - t) + v
	} else {
		s.comp += (v - t) + s.sum
	}
	s.sum = t
}

// value returns the compensated sum.
func (s *spSum) value() float64 { return s.sum + s.comp }

// spHypSeriesMax is the z up to which spHyp1 sums the power series; above
// it the continued fraction is faster (measured on amd64).
const spHypSeriesMax = 0.85

// spHypMaxTerms bounds the work of spHyp1. The continued fraction needs about
// 2/sqrt(1−z) steps, so the bound is reached only for 1−z below 1e-11, where
// the result is already accurate to about 1e-11 relative.
const spHypMaxTerms = 1_000_000

// spHyp1 returns the Gauss hypergeometric function 2F1(1, p; c; z) for
// 0 < p < c and 0 ≤ z < 1. All terms of its power series are positive and
// decrease at least like z^n, so the result lies in [1, 1/(1−z)]. For small z
// the series is summed; otherwise Gauss's continued fraction, built from the
// contiguous relations
//
//	F(a,b;c) − F(a+1,b;c+1) = −b(c−a)/(c(c+1)) z F(a+1,b+1;c+2)
//	F(a,b;c) − F(a,b+1;c+1) = −a(c−b)/(c(c+1)) z F(a+1,b+1;c+2)
//
// starting from F(0, p; c−1; z) = 1, is evaluated with the modified Lentz
// method. Its partial numerators are all negative with magnitude tending to
// z/4, so it converges for every z < 1, in about 2/sqrt(1−z) steps.
func spHyp1(p, c, z float64) float64 {
	if z == 0 {
		return 1
	}
	if z <= spHypSeriesMax {
		return spHyp1Series(p, c, z)
	}
	return spHyp1Fraction(p, c, z)
}

// spHyp1Series sums the power series of 2F1(1, p; c; z): the n-th term is
// (p)_n/(c)_n z^n.
func spHyp1Series(p, c, z float64) float64 {
	sum, term := 1.0, 1.0
	for n := 0; n < spHypMaxTerms; n++ {
		fn := float64(n)
		term *= (p + fn) / (c + fn) * z
		sum += term
		// The remaining terms shrink at least by the factor z each, so the
		// tail is below term·z/(1−z).
		if term*z < 1e-17*(1-z)*sum {
			break
		}
	}
	return sum
}

// spHyp1Fraction evaluates 2F1(1, p; c; z) as 1/(1 − j1 z/(1 − j2 z/(1 − …)))
// with, writing b = p and d = c − 1,
//
//	j(2k+1) = (b+k)(d+k)/((d+2k)(d+2k+1))      k ≥ 0
//	j(2k)   = k(d+k−b)/((d+2k−1)(d+2k))        k ≥ 1.
//
// The modified Lentz method finds how many levels are needed; when that is
// more than a few dozen (z near 1), the fraction is evaluated again from the
// bottom up, which does not accumulate the rounding of thousands of Lentz
// products. The bottom is closed with the fixed point of the tail,
// v = 1 − (z/4)/v, since j(n) → 1/4.
func spHyp1Fraction(p, c, z float64) float64 {
	const tiny = 1e-300
	f := 1.0 // b0 = 1
	cl, dl := f, 0.0
	n := 1
	for ; n <= spHypMaxTerms; n++ {
		an := -spHypJ(p, c, n) * z
		dl = 1 + an*dl
		if math.Abs(dl) < tiny {
			dl = tiny
		}
		cl = 1 + an/cl
		if math.Abs(cl) < tiny {
			cl = tiny
		}
		dl = 1 / dl
		delta := cl * dl
		f *= delta
		if math.Abs(delta-1) < 1e-16 {
			break
		}
	}
	if n <= 64 {
		return 1 / f
	}
	v := (1 + math.Sqrt(1-z)) / 2
	for k := min(n, spHypMaxTerms) + 8; k >= 1; k-- {
		v = 1 - spHypJ(p, c, k)*z/v
	}
	return 1 / v
}

// spHypJ returns the coefficient j(n) of spHyp1Fraction.
func spHypJ(p, c float64, n int) float64 {
	b, d := p, c-1
	switch {
	case n == 1:
		return p / c
	case n%2 == 1:
		k := float64((n - 1) / 2)
		return (b + k) * (d + k) / ((d + 2*k) * (d + 2*k + 1))
	default:
		k := float64(n / 2)
		return k * (d + k - b) / ((d + 2*k - 1) * (d + 2*k))
	}
}
