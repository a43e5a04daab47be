package scoring

import (
	"fmt"
	"math"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// ValueComponent names one axis of a [ValueVector].
type ValueComponent uint8

// The three components of customer value. The stored form is the name.
const (
	Economic      ValueComponent = iota + 1 // money: price, savings, profit
	Functional                              // use: quality, service, convenience
	Psychological                           // feeling: trust, status, relationship
)

var valueComponents = enum.New[ValueComponent]("value component", "economic", "functional", "psychological")

// ParseValueComponent parses "economic", "functional" or "psychological".
func ParseValueComponent(s string) (ValueComponent, error) { return valueComponents.Parse(s) }

// String returns the component's name.
func (c ValueComponent) String() string { return valueComponents.String(c) }

// Valid reports whether c is a known component.
func (c ValueComponent) Valid() bool { return valueComponents.Valid(c) }

// MarshalText implements encoding.TextMarshaler.
func (c ValueComponent) MarshalText() ([]byte, error) { return valueComponents.Marshal(c) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *ValueComponent) UnmarshalText(b []byte) (err error) {
	*c, err = valueComponents.Parse(string(b))
	return err
}

// ValueVector is customer value as a vector CV = (economic, functional,
// psychological). Each component is a value in the host's own unit; a
// component may be negative when the customer pays more than it receives in
// that respect. Use [NetValue] to build one from what the customer receives
// and what it pays. The zero value is the zero vector.
type ValueVector struct {
	Economic      float64
	Functional    float64
	Psychological float64
}

// Component returns the value of component c, or 0 for an unknown c.
func (v ValueVector) Component(c ValueComponent) float64 {
	switch c {
	case Economic:
		return v.Economic
	case Functional:
		return v.Functional
	case Psychological:
		return v.Psychological
	}
	return 0
}

// Validate returns an error wrapping [crm.ErrInvalid] when a component is
// NaN or infinite.
func (v ValueVector) Validate() error {
	var val crm.Validator
	v.check(&val, "")
	return val.Err("scoring.ValueVector")
}

func (v ValueVector) check(val *crm.Validator, prefix string) {
	val.Check(finiteVal(v.Economic), prefix+"economic", "must be a finite number")
	val.Check(finiteVal(v.Functional), prefix+"functional", "must be a finite number")
	val.Check(finiteVal(v.Psychological), prefix+"psychological", "must be a finite number")
}

// IsZero reports whether every component is zero.
func (v ValueVector) IsZero() bool {
	return v.Economic == 0 && v.Functional == 0 && v.Psychological == 0
}

// NetValue returns the customer's value, received − paid, component by
// component: what the customer gets in each respect minus what it costs the
// customer in that respect. It refuses non-finite input and a difference that
// overflows float64.
func NetValue(received, paid ValueVector) (ValueVector, error) {
	const op = "scoring.NetValue"
	var val crm.Validator
	received.check(&val, "received.")
	paid.check(&val, "paid.")
	if err := val.Err(op); err != nil {
		return ValueVector{}, err
	}
	out := ValueVector{
		Economic:      received.Economic - paid.Economic,
		Functional:    received.Functional - paid.Functional,
		Psychological: received.Psychological - paid.Psychological,
	}
	if err := out.Validate(); err != nil {
		return ValueVector{}, crm.Invalid(op, "", "difference overflows float64")
	}
	return out, nil
}

// Magnitude returns the length of v, sqrt(x² + y² + z²), computed without
// intermediate overflow. It refuses a non-finite vector and a length beyond
// the float64 range.
func (v ValueVector) Magnitude() (float64, error) {
	const op = "scoring.ValueVector.Magnitude"
	if err := v.Validate(); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	m := math.Hypot(math.Hypot(v.Economic, v.Functional), v.Psychological)
	if !finiteVal(m) {
		return 0, crm.Invalid(op, "", "magnitude overflows float64")
	}
	return m, nil
}

// Direction tells which kind of value dominates a [ValueVector].
type Direction struct {
	// Unit is the vector scaled to length 1.
	Unit ValueVector
	// Dominant is the component with the largest absolute value; on a tie
	// the first in the order economic, functional, psychological wins.
	Dominant ValueComponent
	// Negative reports that the dominant component is below zero: the
	// customer loses most in that respect.
	Negative bool
	// AngleEconomic, AngleFunctional and AnglePsychological are the
	// direction angles in radians, in [0, π], between the vector and the
	// positive axis of each component (their cosines are Unit's components).
	AngleEconomic, AngleFunctional, AnglePsychological float64
}

// Direction returns the direction of v. The zero vector has no direction
// and is refused with an error wrapping [crm.ErrInvalid].
func (v ValueVector) Direction() (Direction, error) {
	const op = "scoring.ValueVector.Direction"
	if err := v.Validate(); err != nil {
		return Direction{}, fmt.Errorf("%s: %w", op, err)
	}
	if v.IsZero() {
		return Direction{}, crm.Invalid(op, "", "the zero vector has no direction")
	}
	u := v.unit()
	d := Direction{Unit: u, Dominant: Economic}
	best := math.Abs(v.Economic)
	if a := math.Abs(v.Functional); a > best {
		best, d.Dominant = a, Functional
	}
	if a := math.Abs(v.Psychological); a > best {
		d.Dominant = Psychological
	}
	d.Negative = v.Component(d.Dominant) < 0
	// atan2(|perpendicular part|, parallel part) is accurate near 0 and π,
	// where acos of the cosine is not.
	d.AngleEconomic = math.Atan2(math.Hypot(u.Functional, u.Psychological), u.Economic)
	d.AngleFunctional = math.Atan2(math.Hypot(u.Economic, u.Psychological), u.Functional)
	d.AnglePsychological = math.Atan2(math.Hypot(u.Economic, u.Functional), u.Psychological)
	return d, nil
}

// unit scales a finite, non-zero v to length 1. Dividing by the largest
// absolute component first keeps the length computation in range.
func (v ValueVector) unit() ValueVector {
	s := math.Max(math.Abs(v.Economic), math.Max(math.Abs(v.Functional), math.Abs(v.Psychological)))
	x, y, z := v.Economic/s, v.Functional/s, v.Psychological/s
	m := math.Hypot(math.Hypot(x, y), z)
	return ValueVector{Economic: x / m, Functional: y / m, Psychological: z / m}
}

// ValueComparison compares two value vectors A and B.
type ValueComparison struct {
	// MagnitudeA and MagnitudeB are the lengths of A and B.
	MagnitudeA, MagnitudeB float64
	// Order is -1 when A is shorter than B, +1 when longer, 0 when equal.
	Order int
	// Angle is the angle between A and B in radians, in [0, π]: 0 means
	// the same mix of value, π the opposite mix. It is 0 when AngleDefined
	// is false.
	Angle float64
	// AngleDefined is false when A or B is the zero vector.
	AngleDefined bool
	// Difference is B − A, component by component.
	Difference ValueVector
}

// CompareValue compares the magnitude and direction of a and b. It refuses
// non-finite input and results beyond the float64 range.
func CompareValue(a, b ValueVector) (ValueComparison, error) {
	const op = "scoring.CompareValue"
	var val crm.Validator
	a.check(&val, "a.")
	b.check(&val, "b.")
	if err := val.Err(op); err != nil {
		return ValueComparison{}, err
	}
	ma, err := a.Magnitude()
	if err != nil {
		return ValueComparison{}, fmt.Errorf("%s: a: %w", op, err)
	}
	mb, err := b.Magnitude()
	if err != nil {
		return ValueComparison{}, fmt.Errorf("%s: b: %w", op, err)
	}
	diff, err := NetValue(b, a)
	if err != nil {
		return ValueComparison{}, fmt.Errorf("%s: %w", op, err)
	}
	c := ValueComparison{MagnitudeA: ma, MagnitudeB: mb, Difference: diff}
	switch {
	case ma < mb:
		c.Order = -1
	case ma > mb:
		c.Order = 1
	}
	if !a.IsZero() && !b.IsZero() {
		ua, ub := a.unit(), b.unit()
		dot := ua.Economic*ub.Economic + ua.Functional*ub.Functional + ua.Psychological*ub.Psychological
		cx := ua.Functional*ub.Psychological - ua.Psychological*ub.Functional
		cy := ua.Psychological*ub.Economic - ua.Economic*ub.Psychological
		cz := ua.Economic*ub.Functional - ua.Functional*ub.Economic
		c.Angle = math.Atan2(math.Hypot(math.Hypot(cx, cy), cz), dot)
		c.AngleDefined = true
	}
	return c, nil
}

// finiteVal reports whether x is neither NaN nor infinite.
func finiteVal(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
