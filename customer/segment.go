package customer

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// Op is a comparison in a segment condition.
type Op uint8

// Comparison operators. Ordered comparisons (gt, gte, lt, lte) compare
// numbers numerically, times (RFC 3339) chronologically, stages, loyalty
// rungs and lifecycle statuses by their order, anything else as text. NaN
// is not comparable: an ordered comparison with it never holds.
const (
	OpEq        Op = iota + 1 // equal (for roles and tags: holds the value)
	OpNe                      // not equal (for roles and tags: does not hold it)
	OpIn                      // equal to one of Values
	OpNotIn                   // equal to none of Values
	OpContains                // contains Value, case-insensitively
	OpPrefix                  // starts with Value, case-insensitively
	OpGt                      // greater than
	OpGte                     // greater than or equal
	OpLt                      // less than
	OpLte                     // less than or equal
	OpExists                  // the field has a value
	OpNotExists               // the field has no value
)

var ops = enum.New[Op]("operator", "eq", "ne", "in", "not_in", "contains", "prefix", "gt", "gte", "lt", "lte", "exists", "not_exists")

// ParseOp parses an operator name such as "gte".
func ParseOp(s string) (Op, error) { return ops.Parse(s) }

// String returns the operator's name.
func (o Op) String() string { return ops.String(o) }

// Valid reports whether o is a known operator.
func (o Op) Valid() bool { return ops.Valid(o) }

// MarshalText implements encoding.TextMarshaler.
func (o Op) MarshalText() ([]byte, error) { return ops.Marshal(o) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *Op) UnmarshalText(b []byte) (err error) { *o, err = ops.Parse(string(b)); return err }

// Match says how a segment combines its conditions.
type Match uint8

// Ways to combine conditions. The zero value means All.
const (
	All Match = iota + 1 // every condition must hold
	Any                  // at least one condition must hold
)

var matches = enum.New[Match]("match", "all", "any")

// ParseMatch parses "all" or "any".
func ParseMatch(s string) (Match, error) { return matches.Parse(s) }

// String returns the name.
func (m Match) String() string { return matches.String(m) }

// MarshalText implements encoding.TextMarshaler.
func (m Match) MarshalText() ([]byte, error) { return matches.Marshal(m) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Match) UnmarshalText(b []byte) (err error) { *m, err = matches.Parse(string(b)); return err }

// Condition is one test of a customer field. Fields:
//
//	kind name role stage loyalty lifecycle class key_account owner tag
//	time_zone country email_domain created_at
//	attr.<key>   a free attribute        pref.<key>  a preference
//	date.<key>   an important date (YYYY-MM-DD or --MM-DD)
//	consent.<channel>  "true" when marketing on the channel is allowed
//	fact.<key>   a fact the host supplies at evaluation time (e.g. purchases)
//
// role and tag hold several values: eq and in hold when any value matches,
// ne and not_in when none does.
type Condition struct {
	Field  string   `json:"field"`
	Op     Op       `json:"op"`
	Value  string   `json:"value,omitempty"`
	Values []string `json:"values,omitempty"`
}

// Segment is a named cut of the customer base, its rules kept as data so
// that each company defines its own segments without code.
type Segment struct {
	Name       string      `json:"name"`
	Match      Match       `json:"match,omitempty"`
	Conditions []Condition `json:"conditions"`
}

// Facts are values the host computes outside the customer record (order
// count, revenue, open complaints, …) for conditions on fact.<key> fields.
type Facts map[string]string

// Limits on segments.
const (
	MaxConditions = 50
	MaxValues     = 100
)

var simpleFields = []string{"kind", "name", "role", "stage", "loyalty", "lifecycle", "class", "key_account", "owner", "tag", "time_zone", "country", "email_domain", "created_at"}

// Validate returns a *crm.ValidationError listing every problem of s.
func (s Segment) Validate() error {
	var v crm.Validator
	v.Check(utf8.RuneCountInString(s.Name) <= MaxNameLen && utf8.ValidString(s.Name), "name", "too long or not valid UTF-8")
	v.Check(s.Match == 0 || matches.Valid(s.Match), "match", "unknown match")
	v.Check(len(s.Conditions) <= MaxConditions, "conditions", "too many")
	for i, c := range s.Conditions {
		p := fmt.Sprintf("conditions[%d]", i)
		if !validField(c.Field) {
			v.Addf(p+".field", "unknown field %.40q", c.Field)
		}
		if !c.Op.Valid() {
			v.Addf(p+".op", "unknown operator")
		}
		if c.Op == OpIn || c.Op == OpNotIn {
			v.Check(len(c.Values) > 0 && len(c.Values) <= MaxValues, p+".values", "needs 1 to 100 values")
		}
		for _, x := range append([]string{c.Value}, c.Values...) {
			if len(x) > MaxValueLen || !utf8.ValidString(x) {
				v.Addf(p+".value", "too long or not valid UTF-8")
				break
			}
		}
	}
	return v.Err("customer.Segment")
}

func validField(f string) bool {
	if slices.Contains(simpleFields, f) {
		return true
	}
	prefix, key, ok := strings.Cut(f, ".")
	if !ok || key == "" || len(key) > MaxKeyLen {
		return false
	}
	switch prefix {
	case "attr", "pref", "date", "fact":
		return true
	case "consent":
		_, err := ParseChannel(key)
		return err == nil
	}
	return false
}

// Matches reports whether the segment's rules match c. An empty segment
// matches every customer; an invalid condition never matches.
func (s Segment) Matches(c *Customer) bool { return s.MatchFacts(c, nil) }

// MatchFacts is Match with host-supplied facts for fact.<key> conditions.
func (s Segment) MatchFacts(c *Customer, facts Facts) bool {
	if len(s.Conditions) == 0 {
		return true
	}
	any := s.Match == Any
	for _, cond := range s.Conditions {
		ok := cond.eval(c, facts)
		if any && ok {
			return true
		}
		if !any && !ok {
			return false
		}
	}
	return !any
}

// values returns the field's values on c and an ordinal function for
// enum-valued fields.
func fieldValues(c *Customer, field string, facts Facts) (vals []string, ord func(string) (int, bool)) {
	one := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	switch field {
	case "kind":
		return one(c.kind.String()), nil
	case "name":
		return one(c.name), nil
	case "role":
		for _, r := range c.roles {
			vals = append(vals, r.String())
		}
		return vals, nil
	case "stage":
		return one(c.stage.String()), enumOrd(ParseStage)
	case "loyalty":
		return one(c.loyalty.String()), enumOrd(ParseLoyalty)
	case "lifecycle":
		return one(c.lifecycle.String()), enumOrd(ParseLifecycle)
	case "class":
		return one(c.class.String()), nil
	case "key_account":
		return one(strconv.FormatBool(c.keyAccount)), nil
	case "owner":
		return one(string(c.owner)), nil
	case "tag":
		return c.tags, nil
	case "time_zone":
		return one(c.timeZone), nil
	case "country":
		if len(c.addresses) > 0 {
			return one(c.addresses[0].Country), nil
		}
		return nil, nil
	case "email_domain":
		if len(c.emails) > 0 {
			return one(c.emails[0].Domain()), nil
		}
		return nil, nil
	case "created_at":
		return one(c.createdAt.Format(time.RFC3339Nano)), nil
	}
	prefix, key, _ := strings.Cut(field, ".")
	switch prefix {
	case "attr":
		return one(c.attrs[key]), nil
	case "pref":
		return one(c.prefs[key]), nil
	case "date":
		if d, ok := c.dates[key]; ok {
			return []string{d.String()}, nil
		}
	case "fact":
		return one(facts[key]), nil
	case "consent":
		if ch, err := ParseChannel(key); err == nil {
			return []string{strconv.FormatBool(c.MayContact(ch))}, nil
		}
	}
	return nil, nil
}

func enumOrd[T ~uint8](parse func(string) (T, error)) func(string) (int, bool) {
	return func(s string) (int, bool) {
		v, err := parse(s)
		return int(v), err == nil
	}
}

func (cond Condition) eval(c *Customer, facts Facts) bool {
	if !cond.valid() {
		return false
	}
	vals, ord := fieldValues(c, cond.Field, facts)
	switch cond.Op {
	case OpExists:
		return len(vals) > 0
	case OpNotExists:
		return len(vals) == 0
	case OpNe:
		return !slices.ContainsFunc(vals, func(v string) bool { return strings.EqualFold(v, cond.Value) })
	case OpNotIn:
		return !slices.ContainsFunc(vals, func(v string) bool { return inFold(cond.Values, v) })
	}
	for _, v := range vals {
		if cond.holds(v, ord) {
			return true
		}
	}
	return false
}

// valid reports whether Segment.Validate finds no problem with cond.
func (cond Condition) valid() bool {
	if !validField(cond.Field) || !cond.Op.Valid() {
		return false
	}
	if (cond.Op == OpIn || cond.Op == OpNotIn) && (len(cond.Values) == 0 || len(cond.Values) > MaxValues) {
		return false
	}
	if len(cond.Value) > MaxValueLen || !utf8.ValidString(cond.Value) {
		return false
	}
	for _, x := range cond.Values {
		if len(x) > MaxValueLen || !utf8.ValidString(x) {
			return false
		}
	}
	return true
}

func inFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, v) })
}

func (cond Condition) holds(v string, ord func(string) (int, bool)) bool {
	switch cond.Op {
	case OpEq:
		return strings.EqualFold(v, cond.Value)
	case OpIn:
		return inFold(cond.Values, v)
	case OpContains:
		return strings.Contains(strings.ToLower(v), strings.ToLower(cond.Value))
	case OpPrefix:
		return strings.HasPrefix(strings.ToLower(v), strings.ToLower(cond.Value))
	case OpGt, OpGte, OpLt, OpLte:
		cmp, ok := compareValues(v, cond.Value, ord)
		if !ok {
			return false
		}
		switch cond.Op {
		case OpGt:
			return cmp > 0
		case OpGte:
			return cmp >= 0
		case OpLt:
			return cmp < 0
		default:
			return cmp <= 0
		}
	}
	return false
}

// compareValues compares a and b as enum ordinals, numbers, times or text,
// in that order of preference; ok is false when they are not comparable.
func compareValues(a, b string, ord func(string) (int, bool)) (int, bool) {
	if ord != nil {
		x, ok1 := ord(a)
		y, ok2 := ord(b)
		if !ok1 || !ok2 {
			return 0, false
		}
		return x - y, true
	}
	if x, err1 := strconv.ParseFloat(a, 64); err1 == nil {
		if y, err2 := strconv.ParseFloat(b, 64); err2 == nil {
			if math.IsNaN(x) || math.IsNaN(y) {
				return 0, false
			}
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			}
			return 0, true
		}
	}
	if x, err1 := time.Parse(time.RFC3339Nano, a); err1 == nil {
		if y, err2 := time.Parse(time.RFC3339Nano, b); err2 == nil {
			return x.Compare(y), true
		}
	}
	return strings.Compare(a, b), true
}

// ClassRule assigns Class to the customers its conditions match.
type ClassRule struct {
	Class Class   `json:"class"`
	When  Segment `json:"when"`
}

// Classifier holds a host's classification rules as data (客户分类): the first
// rule that matches decides the class; Default applies when none does.
// KeyAccount, when set, flags the customers it matches as key accounts.
type Classifier struct {
	Rules      []ClassRule `json:"rules"`
	Default    Class       `json:"default,omitempty"`
	KeyAccount *Segment    `json:"key_account,omitempty"`
}

// Validate returns a *crm.ValidationError listing every problem of cl.
func (cl Classifier) Validate() error {
	var v crm.Validator
	v.Check(len(cl.Rules) <= MaxConditions, "rules", "too many")
	for i, r := range cl.Rules {
		p := fmt.Sprintf("rules[%d]", i)
		v.Check(r.Class.Valid() && r.Class != Unclassified, p+".class", "must be a known class other than unclassified")
		v.Merge(p+".when", r.When.Validate())
	}
	v.Check(cl.Default == 0 || cl.Default.Valid(), "default", "unknown class")
	if cl.KeyAccount != nil {
		v.Merge("key_account", cl.KeyAccount.Validate())
	}
	return v.Err("customer.Classifier")
}

// Classification is the result of applying a Classifier to one customer.
type Classification struct {
	Class      Class
	KeyAccount bool
	// Rule is the index of the rule that matched, -1 when Default applied.
	Rule int
}

// Classify applies the rules to c with the host's facts. It does not change
// c; see Service.Classify to store the result.
func (cl Classifier) Classify(c *Customer, facts Facts) Classification {
	out := Classification{Class: cl.Default, Rule: -1}
	if out.Class == 0 {
		out.Class = Unclassified
	}
	for i, r := range cl.Rules {
		if r.When.MatchFacts(c, facts) {
			out.Class, out.Rule = r.Class, i
			break
		}
	}
	if cl.KeyAccount != nil {
		out.KeyAccount = cl.KeyAccount.MatchFacts(c, facts)
	} else {
		out.KeyAccount = c.keyAccount
	}
	return out
}
