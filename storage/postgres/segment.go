package postgres

import (
	"strconv"
	"strings"

	"github.com/crmkit/crm/customer"
)

// Segments in SQL. A segment's rules are evaluated in Go, by
// customer.Segment.Matches itself, on every row a list reads; what can be
// said of them in SQL exactly narrows the rows read. segmentSQL returns a
// condition every customer the segment matches fulfils (a necessary
// condition), built only from conditions whose Go semantics SQL can repeat
// exactly: the enumerated fields (kind, stage, loyalty, lifecycle, class,
// role, key_account) compared with eq, ne, in and not_in. Their stored
// values are a closed set of names, so the names a condition accepts under
// Go's case folding (strings.EqualFold) are worked out in Go and the
// statement compares with them plainly. Conditions on free text (name,
// owner, tags, attributes, …), order comparisons and facts stay in Go.

// enumNames returns the names of every valid value of an enumeration
// whose values are small ordinals.
func enumNames[T ~uint8](valid func(T) bool, name func(T) string) []string {
	var out []string
	for i := 1; i < 256; i++ {
		if v := T(i); valid(v) {
			out = append(out, name(v))
		}
	}
	return out
}

// segmentColumns are the enumerated fields a segment condition may name,
// with their column and every stored name.
var segmentColumns = map[string]struct {
	col   string
	multi bool // an array column (roles)
	names []string
}{
	"kind":        {"kind", false, enumNames(customer.Kind.Valid, customer.Kind.String)},
	"stage":       {"stage", false, enumNames(customer.Stage.Valid, customer.Stage.String)},
	"loyalty":     {"loyalty", false, enumNames(customer.Loyalty.Valid, customer.Loyalty.String)},
	"lifecycle":   {"lifecycle", false, enumNames(customer.Lifecycle.Valid, customer.Lifecycle.String)},
	"class":       {"class", false, enumNames(customer.Class.Valid, customer.Class.String)},
	"role":        {"roles", true, enumNames(customer.Role.Valid, customer.Role.String)},
	"key_account": {"key_account::text", false, []string{"true", "false"}},
}

// segmentSQL returns a necessary condition of seg in SQL and its
// arguments, numbered from $first; ok is false when nothing useful can be
// said in SQL (every row must be read).
func segmentSQL(seg customer.Segment, first int) (cond string, args []any, ok bool) {
	if len(seg.Conditions) == 0 {
		return "", nil, false
	}
	add := func(arg any) string {
		args = append(args, arg)
		return "$" + strconv.Itoa(first+len(args)-1)
	}
	var parts []string
	for _, c := range seg.Conditions {
		p, known := conditionSQL(c, add)
		switch {
		case known:
			parts = append(parts, p)
		case seg.Match == customer.Any:
			// One condition SQL cannot judge may hold for any row.
			return "", nil, false
		}
	}
	if len(parts) == 0 {
		return "", nil, false
	}
	if seg.Match == customer.Any {
		return "(" + strings.Join(parts, " OR ") + ")", args, true
	}
	return "(" + strings.Join(parts, " AND ") + ")", args, true
}

// conditionSQL returns the SQL form of one condition, exact for what it
// covers; known is false for a condition left to Go.
func conditionSQL(c customer.Condition, add func(arg any) string) (cond string, known bool) {
	col, found := segmentColumns[c.Field]
	if !found {
		return "", false
	}
	var wanted []string
	switch c.Op {
	case customer.OpEq, customer.OpNe:
		if !validValue(c.Value) {
			return "", false
		}
		wanted = folded(col.names, c.Value)
	case customer.OpIn, customer.OpNotIn:
		if len(c.Values) == 0 || len(c.Values) > customer.MaxValues {
			return "", false
		}
		for _, v := range c.Values {
			if !validValue(v) {
				return "", false
			}
			wanted = append(wanted, folded(col.names, v)...)
		}
	default:
		return "", false
	}
	var holds string
	switch {
	case len(wanted) == 0:
		holds = "false"
	case col.multi:
		holds = col.col + " && " + add(wanted) + "::text[]"
	default:
		holds = col.col + " = ANY(" + add(wanted) + "::text[])"
	}
	if c.Op == customer.OpNe || c.Op == customer.OpNotIn {
		return "NOT (" + holds + ")", true
	}
	return holds, true
}

// validValue repeats the bound on a value of customer.Segment.Validate:
// an invalid condition never matches, which Go decides.
func validValue(v string) bool { return len(v) <= customer.MaxValueLen && storable(v) }

// folded returns the names equal to v under strings.EqualFold.
func folded(names []string, v string) []string {
	var out []string
	for _, n := range names {
		if strings.EqualFold(n, v) {
			out = append(out, n)
		}
	}
	return out
}
