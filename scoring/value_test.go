package scoring

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

// ckInvalid requires err to be a refusal matching crm.ErrInvalid; when path
// is not empty it also requires a *crm.ValidationError naming that path.
func ckInvalid(tb testing.TB, err error, path string) {
	tb.Helper()
	require.Error(tb, err)
	require.ErrorIs(tb, err, crm.ErrInvalid)
	if path != "" {
		var ve *crm.ValidationError
		require.True(tb, errors.As(err, &ve), "want a *crm.ValidationError, got %T: %v", err, err)
		require.True(tb, ve.Has(path), "want a problem at %q, got %v", path, ve.Fields)
	}
}

// ckClose requires got to be within tol of want (absolute).
func ckClose(tb testing.TB, want, got, tol float64, msgAndArgs ...any) {
	tb.Helper()
	require.InDelta(tb, want, got, tol, msgAndArgs...)
}

func TestValueVectorMagnitudeAndDirection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		v         ValueVector
		magnitude float64
		dominant  ValueComponent
		negative  bool
	}{
		// 3² + 4² + 12² = 9 + 16 + 144 = 169 = 13².
		{name: "pythagorean quadruple", v: ValueVector{3, 4, 12}, magnitude: 13, dominant: Psychological},
		// 2² + 3² + 6² = 4 + 9 + 36 = 49 = 7².
		{name: "negative dominant", v: ValueVector{2, -6, 3}, magnitude: 7, dominant: Functional, negative: true},
		{name: "tie goes to the first component", v: ValueVector{2, -2, 1}, magnitude: 3, dominant: Economic},
		{name: "single axis", v: ValueVector{0, 0, -5}, magnitude: 5, dominant: Psychological, negative: true},
		// sqrt(2) × 1e308 is still finite (≈1.414e308 < 1.797e308).
		{name: "large without overflow", v: ValueVector{1e308, 1e308, 0}, magnitude: math.Sqrt2 * 1e308, dominant: Economic},
		{name: "smallest subnormal", v: ValueVector{5e-324, 0, 0}, magnitude: 5e-324, dominant: Economic},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := tc.v.Magnitude()
			require.NoError(t, err)
			require.InEpsilon(t, tc.magnitude, m, 1e-12)
			d, err := tc.v.Direction()
			require.NoError(t, err)
			require.Equal(t, tc.dominant, d.Dominant)
			require.Equal(t, tc.negative, d.Negative)
			um, err := d.Unit.Magnitude()
			require.NoError(t, err)
			ckClose(t, 1, um, 1e-12)
		})
	}
}

func TestValueVectorDirectionAngles(t *testing.T) {
	t.Parallel()
	// For (3, 4, 12) with length 13 the direction cosines are 3/13, 4/13
	// and 12/13.
	d, err := ValueVector{3, 4, 12}.Direction()
	require.NoError(t, err)
	ckClose(t, math.Acos(3.0/13), d.AngleEconomic, 1e-12)
	ckClose(t, math.Acos(4.0/13), d.AngleFunctional, 1e-12)
	ckClose(t, math.Acos(12.0/13), d.AnglePsychological, 1e-12)
	ckClose(t, 3.0/13, d.Unit.Economic, 1e-15)
	// Along the negative economic axis the angle to it is π and to the
	// others π/2.
	d, err = ValueVector{-2, 0, 0}.Direction()
	require.NoError(t, err)
	ckClose(t, math.Pi, d.AngleEconomic, 1e-15)
	ckClose(t, math.Pi/2, d.AngleFunctional, 1e-15)
	ckClose(t, math.Pi/2, d.AnglePsychological, 1e-15)
}

func TestValueVectorProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		scale := math.Pow(10, float64(rng.IntN(600)-300))
		v := ValueVector{rng.NormFloat64() * scale, rng.NormFloat64() * scale, rng.NormFloat64() * scale}
		m, err := v.Magnitude()
		require.NoError(t, err)
		require.GreaterOrEqual(t, m*(1+1e-15), math.Max(math.Abs(v.Economic), math.Max(math.Abs(v.Functional), math.Abs(v.Psychological))))
		d, err := v.Direction()
		require.NoError(t, err)
		// The squared direction cosines sum to 1.
		c1, c2, c3 := math.Cos(d.AngleEconomic), math.Cos(d.AngleFunctional), math.Cos(d.AnglePsychological)
		ckClose(t, 1, c1*c1+c2*c2+c3*c3, 1e-12)
		ckClose(t, d.Unit.Economic, c1, 1e-12)
		for _, a := range []float64{d.AngleEconomic, d.AngleFunctional, d.AnglePsychological} {
			require.True(t, a >= 0 && a <= math.Pi, "angle %v", a)
		}
		require.GreaterOrEqual(t, math.Abs(v.Component(d.Dominant)), math.Abs(v.Economic))
		require.GreaterOrEqual(t, math.Abs(v.Component(d.Dominant)), math.Abs(v.Functional))
		require.GreaterOrEqual(t, math.Abs(v.Component(d.Dominant)), math.Abs(v.Psychological))
	}
}

func TestNetValue(t *testing.T) {
	t.Parallel()
	// (10, 5, 8) received − (4, 1, 8) paid = (6, 4, 0).
	got, err := NetValue(ValueVector{10, 5, 8}, ValueVector{4, 1, 8})
	require.NoError(t, err)
	require.Equal(t, ValueVector{6, 4, 0}, got)
}

func TestCompareValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		a, b    ValueVector
		order   int
		angle   float64
		defined bool
		diff    ValueVector
	}{
		{name: "orthogonal", a: ValueVector{1, 0, 0}, b: ValueVector{0, 2, 0}, order: -1, angle: math.Pi / 2, defined: true, diff: ValueVector{-1, 2, 0}},
		{name: "opposite", a: ValueVector{1, 1, 0}, b: ValueVector{-2, -2, 0}, order: -1, angle: math.Pi, defined: true, diff: ValueVector{-3, -3, 0}},
		{name: "same direction, longer", a: ValueVector{2, 4, 4}, b: ValueVector{1, 2, 2}, order: 1, angle: 0, defined: true, diff: ValueVector{-1, -2, -2}},
		// (1,1,0)·(1,0,0) = 1 = sqrt(2)·1·cos θ, so θ = π/4.
		{name: "forty-five degrees", a: ValueVector{1, 1, 0}, b: ValueVector{1, 0, 0}, order: 1, angle: math.Pi / 4, defined: true, diff: ValueVector{0, -1, 0}},
		{name: "equal", a: ValueVector{3, 4, 12}, b: ValueVector{3, 4, 12}, order: 0, angle: 0, defined: true},
		{name: "zero vector has no angle", a: ValueVector{}, b: ValueVector{1, 0, 0}, order: -1, defined: false, diff: ValueVector{1, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := CompareValue(tc.a, tc.b)
			require.NoError(t, err)
			require.Equal(t, tc.order, c.Order)
			require.Equal(t, tc.defined, c.AngleDefined)
			ckClose(t, tc.angle, c.Angle, 1e-12)
			require.Equal(t, tc.diff, c.Difference)
		})
	}
}

func TestValueRefusals(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	huge := math.MaxFloat64
	tests := []struct {
		name string
		call func() error
		path string
	}{
		{name: "validate NaN", call: func() error { return ValueVector{nan, 0, 0}.Validate() }, path: "economic"},
		{name: "magnitude Inf", call: func() error { _, err := ValueVector{0, inf, 0}.Magnitude(); return err }, path: "functional"},
		{name: "magnitude overflow", call: func() error { _, err := ValueVector{huge, huge, huge}.Magnitude(); return err }},
		{name: "direction of zero", call: func() error { _, err := ValueVector{}.Direction(); return err }},
		{name: "direction NaN", call: func() error { _, err := ValueVector{0, 0, nan}.Direction(); return err }, path: "psychological"},
		{name: "net value NaN received", call: func() error { _, err := NetValue(ValueVector{nan, 0, 0}, ValueVector{}); return err }, path: "received.economic"},
		{name: "net value Inf paid", call: func() error { _, err := NetValue(ValueVector{}, ValueVector{0, -inf, 0}); return err }, path: "paid.functional"},
		{name: "net value overflow", call: func() error { _, err := NetValue(ValueVector{huge, 0, 0}, ValueVector{-huge, 0, 0}); return err }},
		{name: "compare NaN", call: func() error { _, err := CompareValue(ValueVector{nan, 0, 0}, ValueVector{}); return err }, path: "a.economic"},
		{name: "compare magnitude overflow", call: func() error {
			_, err := CompareValue(ValueVector{huge, huge, 0}, ValueVector{huge, huge, huge})
			return err
		}},
		{name: "compare difference overflow", call: func() error {
			_, err := CompareValue(ValueVector{-huge, 0, 0}, ValueVector{huge, 0, 0})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ckInvalid(t, tc.call(), tc.path)
		})
	}
}

func TestValueComponentEnum(t *testing.T) {
	t.Parallel()
	for _, c := range []ValueComponent{Economic, Functional, Psychological} {
		got, err := ParseValueComponent(" " + c.String() + " ")
		require.NoError(t, err)
		require.Equal(t, c, got)
		b, err := c.MarshalText()
		require.NoError(t, err)
		var back ValueComponent
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, c, back)
	}
	_, err := ParseValueComponent("emotional")
	ckInvalid(t, err, "")
	_, err = ValueComponent(0).MarshalText()
	ckInvalid(t, err, "")
	require.False(t, ValueComponent(4).Valid())
	require.Equal(t, 0.0, ValueVector{1, 2, 3}.Component(0))
}

// FuzzParseEnums checks every closed enumeration of the package: parsing
// never panics, and whatever parses prints back to a name that parses to
// the same value.
func FuzzParseEnums(f *testing.F) {
	for _, s := range []string{"economic", " Market ", "rank", "share_bin", "average", "end", "A", "high", "between", "", "x"} {
		f.Add(s)
	}
	roundTrip := func(t *testing.T, name string, parse func(string) (string, error), reparse func(string) (string, error)) {
		t.Helper()
		printed, err := parse(name)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		again, err := reparse(printed)
		require.NoError(t, err, "printed form %q does not parse", printed)
		require.Equal(t, printed, again)
	}
	wrap := func(p func(string) (fmt.Stringer, error)) func(string) (string, error) {
		return func(s string) (string, error) {
			v, err := p(s)
			if err != nil {
				return "", err
			}
			return v.String(), nil
		}
	}
	parsers := []func(string) (fmt.Stringer, error){
		func(s string) (fmt.Stringer, error) { return ParseValueComponent(s) },
		func(s string) (fmt.Stringer, error) { return ParseDimension(s) },
		func(s string) (fmt.Stringer, error) { return ParseNormalization(s) },
		func(s string) (fmt.Stringer, error) { return ParseTieRule(s) },
		func(s string) (fmt.Stringer, error) { return ParseMonetaryBasis(s) },
		func(s string) (fmt.Stringer, error) { return ParseMarginTiming(s) },
		func(s string) (fmt.Stringer, error) { return ParseABCClass(s) },
		func(s string) (fmt.Stringer, error) { return ParseRiskLevel(s) },
		func(s string) (fmt.Stringer, error) { return ParseRuleOp(s) },
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range parsers {
			roundTrip(t, s, wrap(p), wrap(p))
		}
	})
}
