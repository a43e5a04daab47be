package scoring

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// RuleOp is the comparison a [FitRule] makes.
type RuleOp uint8

// Rule operators. The stored form is the name. Text comparisons ignore case
// and surrounding spaces; numeric comparisons read LeadFacts.Numbers.
const (
	OpEquals         RuleOp = iota + 1 // "eq": text field equals Values[0]
	OpNotEquals                        // "ne": text field present and not equal to Values[0]
	OpIn                               // "in": text field equals one of Values
	OpNotIn                            // "not_in": text field present and equal to none of Values
	OpContains                         // "contains": text field contains Values[0]
	OpPresent                          // "present": the field is set (text or number)
	OpAbsent                           // "absent": the field is not set
	OpGreater                          // "gt": number > Number
	OpGreaterOrEqual                   // "gte": number ≥ Number
	OpLess                             // "lt": number < Number
	OpLessOrEqual                      // "lte": number ≤ Number
	OpBetween                          // "between": Number ≤ number ≤ Upper
)

var ruleOps = enum.New[RuleOp]("rule operator", "eq", "ne", "in", "not_in", "contains", "present", "absent", "gt", "gte", "lt", "lte", "between")

// ParseRuleOp parses an operator name such as "eq" or "between".
func ParseRuleOp(s string) (RuleOp, error) { return ruleOps.Parse(s) }

// String returns the operator's name.
func (o RuleOp) String() string { return ruleOps.String(o) }

// Valid reports whether o is a known operator.
func (o RuleOp) Valid() bool { return ruleOps.Valid(o) }

// MarshalText implements encoding.TextMarshaler.
func (o RuleOp) MarshalText() ([]byte, error) { return ruleOps.Marshal(o) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *RuleOp) UnmarshalText(b []byte) (err error) {
	*o, err = ruleOps.Parse(string(b))
	return err
}

// FitRule awards points when a lead's profile matches: how well the lead
// fits the ideal customer (industry, size, region, title…).
type FitRule struct {
	// Name identifies the rule in explanations; names are unique across
	// fit and engagement rules.
	Name string `json:"name"`
	// Field is the profile field the rule reads.
	Field string `json:"field"`
	// Op is the comparison.
	Op RuleOp `json:"op"`
	// Values are the text operands: one for eq, ne and contains, at least
	// one for in and not_in, none otherwise.
	Values []string `json:"values,omitempty"`
	// Number is the numeric operand of gt, gte, lt, lte and the lower
	// bound of between; Upper is the upper bound of between.
	Number float64 `json:"number,omitempty"`
	Upper  float64 `json:"upper,omitempty"`
	// Points are added when the rule matches; negative points penalise.
	Points float64 `json:"points"`
}

// EngagementRule awards points for each activity of a type (e-mail opened,
// web visit, demo requested…), decayed by age.
type EngagementRule struct {
	// Name identifies the rule in explanations.
	Name string `json:"name"`
	// Activity is the activity type the rule counts.
	Activity string `json:"activity"`
	// Points per activity at age 0; negative points penalise
	// (unsubscribed, bounced).
	Points float64 `json:"points"`
	// Cap bounds the absolute total the rule can contribute after decay;
	// 0 means no bound.
	Cap float64 `json:"cap,omitempty"`
}

// Grade names a band of total scores: a lead gets the grade with the
// highest Min not above its total. The grade with the lowest Min also
// catches every lower total.
type Grade struct {
	Name string  `json:"name"`
	Min  float64 `json:"min"`
}

// LeadRules are a rule-based lead scoring model as data. A host may keep
// them as JSON (the field tags) and build a scorer with [NewLeadScorer].
type LeadRules struct {
	Fit        []FitRule        `json:"fit,omitempty"`
	Engagement []EngagementRule `json:"engagement,omitempty"`
	// HalfLife is the time after which an activity's points have halved:
	// an activity of age a is worth Points × 2^(−a/HalfLife). 0 means no
	// decay.
	HalfLife time.Duration `json:"half_life,omitempty"`
	// Grades band the total score; may be empty (no grade).
	Grades []Grade `json:"grades,omitempty"`
}

// LeadFacts are what a rule-based scorer knows about a lead: its profile
// (text and numeric fields) and its activities.
type LeadFacts struct {
	Fields     map[string]string
	Numbers    map[string]float64
	Activities []Activity
}

// Activity is one engagement event of a lead.
type Activity struct {
	Type string
	At   time.Time
}

// LeadScorer scores leads with [LeadRules]. Build one with
// [NewLeadScorer]; it is immutable and safe for concurrent use.
type LeadScorer struct {
	fit        []FitRule
	engagement []EngagementRule
	byActivity map[string][]int // activity type → engagement rule indexes
	halfLife   time.Duration
	grades     []Grade // sorted by Min, highest first
}

// NewLeadScorer validates rules and returns a scorer. It refuses rules with
// empty or duplicate names, empty fields or activity types, unknown
// operators, operands that do not suit the operator, non-finite numbers,
// a negative cap or half-life, and grades with empty or duplicate names or
// equal minimums.
func NewLeadScorer(rules LeadRules) (*LeadScorer, error) {
	var v crm.Validator
	v.Check(len(rules.Fit)+len(rules.Engagement) > 0, "", "at least one fit or engagement rule is needed")
	names := make(map[string]bool)
	name := func(p, n string) {
		if v.Check(n != "", p+".name", "must not be empty") {
			v.Check(!names[n], p+".name", "duplicate rule name "+strconv.Quote(n))
			names[n] = true
		}
	}
	for i, r := range rules.Fit {
		p := fmt.Sprintf("fit[%d]", i)
		name(p, r.Name)
		v.Check(r.Field != "", p+".field", "must not be empty")
		v.Check(finiteVal(r.Points), p+".points", "must be a finite number")
		if !v.Check(r.Op.Valid(), p+".op", "unknown operator") {
			continue
		}
		switch r.Op {
		case OpEquals, OpNotEquals, OpContains:
			v.Check(len(r.Values) == 1, p+".values", "needs exactly one value for "+r.Op.String())
		case OpIn, OpNotIn:
			v.Check(len(r.Values) > 0, p+".values", "needs at least one value for "+r.Op.String())
		default:
			v.Check(len(r.Values) == 0, p+".values", "must be empty for "+r.Op.String())
		}
		switch r.Op {
		case OpGreater, OpGreaterOrEqual, OpLess, OpLessOrEqual:
			v.Check(finiteVal(r.Number), p+".number", "must be a finite number")
		case OpBetween:
			if v.Check(finiteVal(r.Number) && finiteVal(r.Upper), p+".upper", "bounds must be finite numbers") {
				v.Check(r.Number <= r.Upper, p+".upper", "must not be below number")
			}
		}
	}
	for i, r := range rules.Engagement {
		p := fmt.Sprintf("engagement[%d]", i)
		name(p, r.Name)
		v.Check(r.Activity != "", p+".activity", "must not be empty")
		v.Check(finiteVal(r.Points), p+".points", "must be a finite number")
		v.Check(finiteVal(r.Cap) && r.Cap >= 0, p+".cap", "must be a finite number, at least 0")
	}
	v.Check(rules.HalfLife >= 0, "half_life", "must not be negative")
	gnames := make(map[string]bool)
	mins := make(map[float64]bool)
	for i, g := range rules.Grades {
		p := fmt.Sprintf("grades[%d]", i)
		if v.Check(g.Name != "", p+".name", "must not be empty") {
			v.Check(!gnames[g.Name], p+".name", "duplicate grade "+strconv.Quote(g.Name))
			gnames[g.Name] = true
		}
		if v.Check(finiteVal(g.Min), p+".min", "must be a finite number") {
			v.Check(!mins[g.Min], p+".min", "two grades share this minimum")
			mins[g.Min] = true
		}
	}
	if err := v.Err("scoring.NewLeadScorer"); err != nil {
		return nil, err
	}
	s := &LeadScorer{
		fit:        slices.Clone(rules.Fit),
		engagement: slices.Clone(rules.Engagement),
		byActivity: make(map[string][]int),
		halfLife:   rules.HalfLife,
		grades:     slices.Clone(rules.Grades),
	}
	for i := range s.fit {
		s.fit[i].Values = slices.Clone(s.fit[i].Values)
	}
	for i, r := range s.engagement {
		s.byActivity[r.Activity] = append(s.byActivity[r.Activity], i)
	}
	slices.SortFunc(s.grades, func(a, b Grade) int { return cmp.Compare(b.Min, a.Min) })
	return s, nil
}

// ScoreReason explains one rule's part in a lead score.
type ScoreReason struct {
	// Rule is the rule's name.
	Rule string
	// Engagement is true for an engagement rule, false for a fit rule.
	Engagement bool
	// Count is the number of activities the rule counted (1 for a fit
	// rule).
	Count int
	// Points is what the rule added, after decay and cap.
	Points float64
}

// LeadScore is a rule-based lead score, explained.
type LeadScore struct {
	// Fit is the sum of the matching fit rules' points.
	Fit float64
	// Engagement is the sum of the decayed engagement points.
	Engagement float64
	// Total is Fit + Engagement.
	Total float64
	// Grade is the name of the total's grade, or "" without grades.
	Grade string
	// Reasons lists every rule that added points, in rule order (fit rules
	// first).
	Reasons []ScoreReason
}

// Score scores a lead at time now. Activities of types no rule counts are
// ignored; an activity dated after now counts as age 0 (clocks of
// different systems disagree), so it is worth its full points. It refuses
// non-finite numbers, activities with an empty type or a zero time, and
// totals beyond the float64 range.
func (s *LeadScorer) Score(facts LeadFacts, now time.Time) (LeadScore, error) {
	const op = "scoring.LeadScorer.Score"
	var v crm.Validator
	v.Check(!now.IsZero(), "now", "must not be the zero time")
	for k, x := range facts.Numbers {
		if !finiteVal(x) {
			v.Addf("numbers."+k, "must be a finite number")
		}
	}
	for i, a := range facts.Activities {
		if a.Type == "" {
			v.Addf(fmt.Sprintf("activities[%d].type", i), "must not be empty")
		}
		if a.At.IsZero() {
			v.Addf(fmt.Sprintf("activities[%d].at", i), "must not be the zero time")
		}
	}
	if err := v.Err(op); err != nil {
		return LeadScore{}, err
	}
	var out LeadScore
	for _, r := range s.fit {
		if r.matches(facts) {
			out.Fit += r.Points
			out.Reasons = append(out.Reasons, ScoreReason{Rule: r.Name, Count: 1, Points: r.Points})
		}
	}
	if len(s.engagement) > 0 && len(facts.Activities) > 0 {
		sums := make([]float64, len(s.engagement))
		counts := make([]int, len(s.engagement))
		for _, a := range facts.Activities {
			idx := s.byActivity[a.Type]
			if len(idx) == 0 {
				continue
			}
			w := s.decay(now.Sub(a.At))
			for _, i := range idx {
				sums[i] += s.engagement[i].Points * w
				counts[i]++
			}
		}
		for i, r := range s.engagement {
			if counts[i] == 0 {
				continue
			}
			p := sums[i]
			if r.Cap > 0 {
				p = max(-r.Cap, min(r.Cap, p))
			}
			out.Engagement += p
			out.Reasons = append(out.Reasons, ScoreReason{Rule: r.Name, Engagement: true, Count: counts[i], Points: p})
		}
	}
	out.Total = out.Fit + out.Engagement
	if !finiteVal(out.Total) {
		return LeadScore{}, crm.Invalid(op, "", "score overflows float64")
	}
	out.Grade = s.grade(out.Total)
	return out, nil
}

// decay returns 2^(−age/halfLife), 1 for age ≤ 0 or no half-life.
func (s *LeadScorer) decay(age time.Duration) float64 {
	if s.halfLife == 0 || age <= 0 {
		return 1
	}
	return math.Exp2(-float64(age) / float64(s.halfLife))
}

func (s *LeadScorer) grade(total float64) string {
	if len(s.grades) == 0 {
		return ""
	}
	for _, g := range s.grades {
		if total >= g.Min {
			return g.Name
		}
	}
	return s.grades[len(s.grades)-1].Name
}

// matches reports whether the rule holds for facts.
func (r FitRule) matches(facts LeadFacts) bool {
	switch r.Op {
	case OpPresent, OpAbsent:
		_, okT := facts.Fields[r.Field]
		_, okN := facts.Numbers[r.Field]
		return (okT || okN) == (r.Op == OpPresent)
	case OpGreater, OpGreaterOrEqual, OpLess, OpLessOrEqual, OpBetween:
		x, ok := facts.Numbers[r.Field]
		if !ok {
			return false
		}
		switch r.Op {
		case OpGreater:
			return x > r.Number
		case OpGreaterOrEqual:
			return x >= r.Number
		case OpLess:
			return x < r.Number
		case OpLessOrEqual:
			return x <= r.Number
		default:
			return x >= r.Number && x <= r.Upper
		}
	}
	t, ok := facts.Fields[r.Field]
	if !ok {
		return false
	}
	t = strings.TrimSpace(t)
	switch r.Op {
	case OpEquals:
		return strings.EqualFold(t, strings.TrimSpace(r.Values[0]))
	case OpNotEquals:
		return !strings.EqualFold(t, strings.TrimSpace(r.Values[0]))
	case OpContains:
		return strings.Contains(strings.ToLower(t), strings.ToLower(strings.TrimSpace(r.Values[0])))
	}
	in := slices.ContainsFunc(r.Values, func(v string) bool { return strings.EqualFold(t, strings.TrimSpace(v)) })
	return in == (r.Op == OpIn)
}
