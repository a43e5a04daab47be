package lead

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// Limits on assignment rules.
const (
	MaxPeople    = 10000   // people in a roster
	MaxRules     = 1000    // rules in a rule set
	MaxRuleItems = 1000    // values in one list of a rule or person
	MaxWeight    = 1000    // a person's weight
	MaxCapacity  = 1000000 // a person's capacity
	MaxSeniority = 9       // a person's seniority level
)

// Person is one member of the sales roster, as assignment sees them.
type Person struct {
	// ID identifies the person; required and unique in the roster.
	ID crm.UserID `json:"id"`
	// Weight is the person's share in round-robin: a person of weight 2
	// gets twice the leads of a person of weight 1 from the same rule. 0
	// means 1.
	Weight int `json:"weight,omitempty"`
	// Capacity is the most open leads the person may hold. 0 means the
	// person takes no new leads (on leave, leaving): set it to a positive
	// number for everyone who should get leads.
	Capacity int `json:"capacity"`
	// Seniority is the person's level, 0 (junior) to MaxSeniority; key
	// prospects and some rules need a minimum (对等配置).
	Seniority int `json:"seniority,omitempty"`
	// Skills are the topics the person can handle, compared
	// case-insensitively with the lead's topics.
	Skills []string `json:"skills,omitempty"`
	// Languages are the language tags the person speaks; "zh" covers
	// "zh-cn" and the other way round.
	Languages []string `json:"languages,omitempty"`
	// Calendar names the person's working calendar in the map given to
	// [NewRouter]; the person gets leads only while it says they work.
	// "" means always on shift.
	Calendar string `json:"calendar,omitempty"`
	// Inactive takes the person out of assignment without removing them.
	Inactive bool `json:"inactive,omitempty"`
}

// Territory says which leads a rule covers. Every non-empty criterion must
// hold; an empty Territory covers every lead (a catch-all rule).
type Territory struct {
	// Countries match the lead address's country (ISO 3166-1 alpha-2).
	Countries []string `json:"countries,omitempty"`
	// Regions match the lead address's administrative area (state,
	// province), case-insensitively.
	Regions []string `json:"regions,omitempty"`
	// PostcodePrefixes match the start of the lead address's postal code,
	// ignoring case and spaces.
	PostcodePrefixes []string `json:"postcode_prefixes,omitempty"`
	// Industries match the lead's industry, case-insensitively.
	Industries []string `json:"industries,omitempty"`
	// MinSize and MaxSize bound the lead's company size (employees); 0
	// leaves a bound open. A lead of unknown size (0) matches a MinSize
	// of 0 only.
	MinSize int `json:"min_size,omitempty"`
	MaxSize int `json:"max_size,omitempty"`
}

// Rule is one assignment rule: the leads it covers and the people who
// share them.
type Rule struct {
	// Name identifies the rule in decisions and in the assignment state;
	// required and unique. Renaming a rule starts its round-robin afresh.
	Name string `json:"name"`
	// Territory says which leads the rule covers.
	Territory Territory `json:"territory,omitzero"`
	// People share the rule's leads, in turn order; each must be in the
	// roster.
	People []crm.UserID `json:"people"`
	// MinSeniority is the least seniority of a person who gets the rule's
	// leads.
	MinSeniority int `json:"min_seniority,omitempty"`
	// MatchSkills, when set, gives a lead only to people whose skills
	// cover every topic of the lead.
	MatchSkills bool `json:"match_skills,omitempty"`
	// MatchLanguage, when set, gives a lead with a language only to people
	// who speak it.
	MatchLanguage bool `json:"match_language,omitempty"`
}

// Rules are assignment rules as data: the roster, the rules tried in
// order, and the seniority a key prospect needs. A host keeps them as JSON
// (the field tags) and builds a [Router] with [NewRouter].
type Rules struct {
	People []Person `json:"people"`
	Rules  []Rule   `json:"rules"`
	// KeyProspectSeniority is the least seniority of a person who gets a
	// key prospect ([Lead.KeyProspect]), whatever the rule; 0 means no
	// such rule.
	KeyProspectSeniority int `json:"key_prospect_seniority,omitempty"`
}

// Router decides who gets a lead under one set of [Rules]. Build one with
// [NewRouter]; it is immutable and safe for concurrent use. The
// round-robin counters live outside it, in an [AssignmentState].
type Router struct {
	people []person
	byID   map[crm.UserID]int
	rules  []rule
	keySen int
}

type person struct {
	Person
	weight    int64
	skills    []string
	languages []string
	cal       *calendar.Calendar
}

type rule struct {
	Rule
	countries, regions, postcodes, industries []string
	pool                                      []int // indexes into people, in turn order
}

// NewRouter validates rules and returns a router. calendars holds the
// working calendars the roster names ([Person.Calendar]). It refuses empty
// or repeated names, people a rule names but the roster lacks, a calendar
// the map lacks, out-of-range weights, capacities and seniorities, and
// lists beyond the limits, listing every problem in a *crm.ValidationError.
func NewRouter(rules Rules, calendars map[string]*calendar.Calendar) (*Router, error) {
	var v crm.Validator
	v.Check(len(rules.People) <= MaxPeople, "people", "too many")
	v.Check(len(rules.Rules) <= MaxRules, "rules", "too many")
	v.Check(rules.KeyProspectSeniority >= 0 && rules.KeyProspectSeniority <= MaxSeniority, "key_prospect_seniority", "out of range")
	r := &Router{byID: make(map[crm.UserID]int, len(rules.People)), keySen: rules.KeyProspectSeniority}
	for i, p := range rules.People {
		path := fmt.Sprintf("people[%d]", i)
		v.Merge(path+".id", p.ID.Validate())
		if _, dup := r.byID[p.ID]; dup {
			v.Addf(path+".id", "duplicate person %.64q", p.ID)
		}
		r.byID[p.ID] = i
		v.Check(p.Weight >= 0 && p.Weight <= MaxWeight, path+".weight", "out of range")
		v.Check(p.Capacity >= 0 && p.Capacity <= MaxCapacity, path+".capacity", "out of range")
		v.Check(p.Seniority >= 0 && p.Seniority <= MaxSeniority, path+".seniority", "out of range")
		q := person{Person: p, weight: int64(max(p.Weight, 1)),
			skills: lowerList(&v, path+".skills", p.Skills), languages: lowerList(&v, path+".languages", p.Languages)}
		if p.Calendar != "" {
			q.cal = calendars[p.Calendar]
			v.Check(q.cal != nil, path+".calendar", fmt.Sprintf("no calendar %.64q", p.Calendar))
		}
		r.people = append(r.people, q)
	}
	names := map[string]bool{}
	for i, ru := range rules.Rules {
		path := fmt.Sprintf("rules[%d]", i)
		if v.Check(ru.Name != "" && len(ru.Name) <= 200 && utf8.ValidString(ru.Name) && !strings.ContainsRune(ru.Name, 0), path+".name", "must be 1 to 200 bytes of UTF-8") {
			v.Check(!names[ru.Name], path+".name", fmt.Sprintf("duplicate rule %.64q", ru.Name))
			names[ru.Name] = true
		}
		v.Check(ru.MinSeniority >= 0 && ru.MinSeniority <= MaxSeniority, path+".min_seniority", "out of range")
		t := ru.Territory
		v.Check(t.MinSize >= 0 && t.MaxSize >= 0 && (t.MaxSize == 0 || t.MinSize <= t.MaxSize), path+".territory", "size bounds out of order")
		c := rule{Rule: ru,
			countries:  lowerList(&v, path+".territory.countries", t.Countries),
			regions:    lowerList(&v, path+".territory.regions", t.Regions),
			industries: lowerList(&v, path+".territory.industries", t.Industries),
		}
		for _, p := range lowerList(&v, path+".territory.postcode_prefixes", t.PostcodePrefixes) {
			c.postcodes = append(c.postcodes, postcodeKey(p))
		}
		v.Check(len(ru.People) <= MaxRuleItems, path+".people", "too many")
		seen := map[crm.UserID]bool{}
		for j, id := range ru.People {
			k, ok := r.byID[id]
			if !v.Check(ok, fmt.Sprintf("%s.people[%d]", path, j), fmt.Sprintf("%.64q is not in the roster", id)) {
				continue
			}
			if !v.Check(!seen[id], fmt.Sprintf("%s.people[%d]", path, j), "listed twice") {
				continue
			}
			seen[id] = true
			c.pool = append(c.pool, k)
		}
		r.rules = append(r.rules, c)
	}
	if err := v.Err("lead.NewRouter"); err != nil {
		return nil, err
	}
	return r, nil
}

// lowerList trims and lower-cases a list, checking its limits.
func lowerList(v *crm.Validator, path string, in []string) []string {
	v.Check(len(in) <= MaxRuleItems, path, "too many")
	out := make([]string, 0, len(in))
	for i, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" || len(s) > 200 || !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			v.Addf(fmt.Sprintf("%s[%d]", path, i), "must be 1 to 200 bytes of UTF-8")
			continue
		}
		out = append(out, s)
	}
	return out
}

// postcodeKey upper-cases a postal code and drops spaces.
func postcodeKey(s string) string {
	return strings.ToUpper(strings.ReplaceAll(s, " ", ""))
}

// leadKeys are the lead's fields territories compare, normalised once per
// decision.
type leadKeys struct {
	hasAddress                          bool
	country, region, postcode, industry string
}

func keysOf(l *Lead) leadKeys {
	if l != nil {
		l.ensure()
	}
	k := leadKeys{industry: strings.ToLower(strings.TrimSpace(l.industry))}
	if a := l.address; a != nil {
		k.hasAddress = true
		k.country = strings.ToLower(strings.TrimSpace(a.Country))
		k.region = strings.ToLower(strings.TrimSpace(a.AdministrativeArea))
		k.postcode = postcodeKey(a.PostalCode)
	}
	return k
}

// covers reports whether the rule's territory holds for a lead with keys k
// and company size size.
func (ru *rule) covers(k *leadKeys, size int) bool {
	if len(ru.countries)+len(ru.regions)+len(ru.postcodes) > 0 {
		if !k.hasAddress {
			return false
		}
		if len(ru.countries) > 0 && (k.country == "" || !slices.Contains(ru.countries, k.country)) {
			return false
		}
		if len(ru.regions) > 0 && (k.region == "" || !slices.Contains(ru.regions, k.region)) {
			return false
		}
		if len(ru.postcodes) > 0 {
			if k.postcode == "" || !slices.ContainsFunc(ru.postcodes, func(p string) bool { return strings.HasPrefix(k.postcode, p) }) {
				return false
			}
		}
	}
	if len(ru.industries) > 0 && (k.industry == "" || !slices.Contains(ru.industries, k.industry)) {
		return false
	}
	t := ru.Territory
	if t.MinSize > 0 && size < t.MinSize {
		return false
	}
	return t.MaxSize == 0 || size <= t.MaxSize
}

// speaks reports whether a person speaking langs can serve language lang
// (lower case): equal tags, or equal primary subtags.
func speaks(langs []string, lang string) bool {
	primary := func(s string) string {
		if i := strings.IndexAny(s, "-_"); i >= 0 {
			return s[:i]
		}
		return s
	}
	lp := primary(lang)
	return slices.ContainsFunc(langs, func(x string) bool { return x == lang || primary(x) == lp })
}

// AssignmentState holds the round-robin counters and the open-lead counts
// that assignment decisions read and advance. It is a plain value a store
// persists (one per tenant, or per tenant and team) and updates under a
// lock: load it, call [Router.Assign], store the returned state in the same
// transaction as the assignment, so concurrent captures neither exceed a
// capacity nor skip a turn, and a restart does not reset fairness.
//
// The zero value is the empty state. [Router.Assign] never modifies the
// state it is given; the state it returns may share unchanged lists with
// it, so treat states as values to replace, and use [AssignmentState.Clone]
// before editing one by hand.
type AssignmentState struct {
	// Open counts each person's open leads, sorted by person.
	Open []Load `json:"open,omitempty"`
	// Pools hold each rule's round-robin counters, sorted by rule name.
	Pools []Pool `json:"pools,omitempty"`
}

// Load is one person's count of open leads.
type Load struct {
	Person crm.UserID `json:"person"`
	Open   int        `json:"open"`
}

// Pool is the round-robin state of one rule.
type Pool struct {
	// Rule is the rule's name.
	Rule string `json:"rule"`
	// Turns hold each person's counters, sorted by person.
	Turns []Turn `json:"turns"`
}

// Turn is one person's round-robin counters in one rule.
type Turn struct {
	Person crm.UserID `json:"person"`
	// Credit is the smooth weighted round-robin credit: raised by the
	// person's weight at every decision they are eligible for, lowered by
	// the eligible people's total weight when they are chosen.
	Credit int64 `json:"credit"`
	// Assigned counts the leads the rule gave the person.
	Assigned int64 `json:"assigned"`
}

// Clone returns a deep copy of s.
func (s AssignmentState) Clone() AssignmentState {
	out := AssignmentState{Open: slices.Clone(s.Open), Pools: slices.Clone(s.Pools)}
	for i := range out.Pools {
		out.Pools[i].Turns = slices.Clone(out.Pools[i].Turns)
	}
	return out
}

// Validate returns a *crm.ValidationError when s is not sorted, repeats a
// person or rule, or holds a negative count: what a store must refuse to
// persist.
func (s AssignmentState) Validate() error {
	var v crm.Validator
	s.validateShape(&v)
	for i := range s.Pools {
		s.validatePool(&v, i)
	}
	return v.Err("lead.AssignmentState")
}

// validateShape checks the open counts and the order of the pools, not
// the pools' turns. Paths are built only for problems: assignment checks
// the state on every decision.
func (s AssignmentState) validateShape(v *crm.Validator) {
	for i, l := range s.Open {
		if l.Open < 0 {
			v.Addf(fmt.Sprintf("open[%d].open", i), "must not be negative")
		}
		if i > 0 && s.Open[i-1].Person >= l.Person {
			v.Addf(fmt.Sprintf("open[%d].person", i), "must be sorted without repeats")
		}
	}
	for i := 1; i < len(s.Pools); i++ {
		if s.Pools[i-1].Rule >= s.Pools[i].Rule {
			v.Addf(fmt.Sprintf("pools[%d].rule", i), "must be sorted without repeats")
		}
	}
}

// validatePool checks the turns of pool i.
func (s AssignmentState) validatePool(v *crm.Validator, i int) {
	turns := s.Pools[i].Turns
	for j, t := range turns {
		if t.Assigned < 0 {
			v.Addf(fmt.Sprintf("pools[%d].turns[%d].assigned", i, j), "must not be negative")
		}
		if j > 0 && turns[j-1].Person >= t.Person {
			v.Addf(fmt.Sprintf("pools[%d].turns[%d].person", i, j), "must be sorted without repeats")
		}
	}
}

// OpenLeads returns person's count of open leads.
func (s AssignmentState) OpenLeads(p crm.UserID) int {
	if i, ok := slices.BinarySearchFunc(s.Open, p, func(l Load, p crm.UserID) int { return cmp.Compare(l.Person, p) }); ok {
		return s.Open[i].Open
	}
	return 0
}

// withOpen returns s with person's open count changed by delta (never
// below 0), copying the Open list.
func (s AssignmentState) withOpen(p crm.UserID, delta int) AssignmentState {
	i, ok := slices.BinarySearchFunc(s.Open, p, func(l Load, p crm.UserID) int { return cmp.Compare(l.Person, p) })
	open := make([]Load, len(s.Open), len(s.Open)+1)
	copy(open, s.Open)
	if !ok {
		open = slices.Insert(open, i, Load{Person: p})
	}
	open[i].Open = max(0, open[i].Open+delta)
	s.Open = open
	return s
}

// moveOpen returns a copy of open with one more open lead for to and, when
// from is not "", one fewer for from (never below 0).
func moveOpen(open []Load, to, from crm.UserID) []Load {
	out := make([]Load, len(open), len(open)+1)
	copy(out, open)
	find := func(p crm.UserID) (int, bool) {
		return slices.BinarySearchFunc(out, p, func(l Load, p crm.UserID) int { return cmp.Compare(l.Person, p) })
	}
	i, ok := find(to)
	if !ok {
		out = slices.Insert(out, i, Load{Person: to})
	}
	out[i].Open++
	if from != "" {
		if j, ok := find(from); ok && out[j].Open > 0 {
			out[j].Open--
		}
	}
	return out
}

// Release returns s with one open lead of person released: call it when a
// lead of theirs is converted or disqualified, in the same transaction.
// The count never goes below 0.
func (s AssignmentState) Release(p crm.UserID) AssignmentState {
	if s.OpenLeads(p) == 0 {
		return s
	}
	return s.withOpen(p, -1)
}

// SetOpen returns s with person's open count set to n (at least 0): for a
// store reconciling the counts with its leads.
func (s AssignmentState) SetOpen(p crm.UserID, n int) AssignmentState {
	return s.withOpen(p, max(n, 0)-s.OpenLeads(p))
}

// Candidate is one person of a rule's pool in an assignment decision.
type Candidate struct {
	Person crm.UserID
	// Eligible reports whether the person could take the lead; Excluded
	// says why not.
	Eligible bool
	Excluded Exclusion
	// Weight, Open and Capacity are the person's figures at the decision.
	Weight   int
	Open     int
	Capacity int
	// Credit is the person's round-robin credit after the eligible people
	// were credited and before the chosen one was charged; the highest
	// credit wins.
	Credit int64
}

// RuleTrace records one rule whose territory covered the lead.
type RuleTrace struct {
	Rule       string
	Candidates []Candidate
	// Eligible counts the eligible candidates.
	Eligible int
}

// Decision is the outcome of an assignment, explained.
type Decision struct {
	// Assigned reports whether someone was chosen. When false the lead
	// stays unassigned and Why says why (no rule covers it, or nobody in
	// the covering rules is eligible).
	Assigned bool
	// Owner is the person chosen.
	Owner crm.UserID
	// Rule is the rule that decided.
	Rule string
	// Why says in words which rule matched, who was eligible and why this
	// person.
	Why string
	// Tried lists every rule whose territory covered the lead, in rule
	// order, up to the one that decided.
	Tried []RuleTrace
	// Previous is the lead's owner before the decision, on reassignment.
	Previous crm.UserID
}

// Assign decides who gets lead l at instant now, and returns the decision
// and the state after it. It is a pure function of (st, l, the rules, now):
// the same sequence of leads and states gives the same owners.
//
// Rules are tried in order; the first rule whose territory covers l and
// whose pool has an eligible person decides. A person is eligible when
// active, on shift by their calendar at now, below capacity, senior enough
// (the rule's MinSeniority, and KeyProspectSeniority for a key prospect),
// holding every topic of l when the rule matches skills, and speaking l's
// language when the rule matches languages. Among the eligible, smooth
// weighted round-robin chooses: each eligible person's credit rises by
// their weight, the highest credit wins (ties to the earlier in the rule's
// turn order) and pays back the eligible people's total weight. Over any
// run of leads with the same eligible people, each gets leads in
// proportion to their weight, and people of equal weight differ by at most
// one lead; a person who was ineligible for a while neither gains nor
// loses credit meanwhile.
//
// When l has an owner, this is a reassignment: the owner is not eligible
// (ExcludedCurrent) and, when someone else is chosen, their open count is
// released. When nobody is chosen the returned state is st and the lead
// stays as it is. The caller applies the decision with [Lead.Assign].
//
// A nil lead, a closed lead, a zero now, or a state whose open counts or
// read pools are malformed ([AssignmentState.Validate]) give an error and
// no decision.
func (r *Router) Assign(st AssignmentState, l *Lead, now time.Time) (Decision, AssignmentState, error) {
	if l != nil {
		l.ensure()
	}
	const op = "lead.Router.Assign"
	var v crm.Validator
	if !v.Check(l != nil, "lead", "must not be nil") {
		return Decision{}, st, v.Err(op)
	}
	v.Check(l.stage.Open(), "lead", "the lead is closed")
	v.Check(!now.IsZero() && crm.ValidTime(now), "now", "must be set and in range")
	// The whole state is checked by the store before it persists it
	// (Validate); a decision checks what it reads: the open counts, the
	// pools' order, and the turns of every pool it looks at.
	st.validateShape(&v)
	if err := v.Err(op); err != nil {
		return Decision{}, st, err
	}
	dec := Decision{Previous: l.owner}
	keys := keysOf(l)
	for ri := range r.rules {
		ru := &r.rules[ri]
		if !ru.covers(&keys, l.companySize) {
			continue
		}
		if i, ok := poolIndex(st, ru.Name); ok {
			st.validatePool(&v, i)
			if err := v.Err(op); err != nil {
				return Decision{}, st, err
			}
		}
		trace, pick := r.evaluate(ru, st, l, now)
		dec.Tried = append(dec.Tried, trace)
		if pick < 0 {
			continue
		}
		chosen := trace.Candidates[pick]
		dec.Assigned, dec.Owner, dec.Rule = true, chosen.Person, ru.Name
		dec.Why = fmt.Sprintf("rule %q covers the lead; %d of %d eligible; %s chosen by weighted round-robin (weight %d, credit %d, %d of %d open)",
			ru.Name, trace.Eligible, len(trace.Candidates), chosen.Person, chosen.Weight, chosen.Credit, chosen.Open, chosen.Capacity)
		next := r.advance(st, ru, trace, pick)
		next.Open = moveOpen(next.Open, chosen.Person, l.owner)
		return dec, next, nil
	}
	if len(dec.Tried) == 0 {
		dec.Why = "no rule covers the lead"
	} else {
		names := make([]string, len(dec.Tried))
		for i, t := range dec.Tried {
			names[i] = fmt.Sprintf("%q", t.Rule)
		}
		dec.Why = "nobody is eligible in the rules covering the lead (" + strings.Join(names, ", ") + ")"
	}
	return dec, st, nil
}

// evaluate checks every person of ru's pool for l and returns the trace
// and the index of the chosen candidate (-1 when none is eligible).
func (r *Router) evaluate(ru *rule, st AssignmentState, l *Lead, now time.Time) (RuleTrace, int) {
	if l != nil {
		l.ensure()
	}
	trace := RuleTrace{Rule: ru.Name, Candidates: make([]Candidate, len(ru.pool))}
	turns := poolOf(st, ru.Name).Turns
	minSen := ru.MinSeniority
	if l.keyProspect {
		minSen = max(minSen, r.keySen)
	}
	var total int64
	for i, pi := range ru.pool {
		p := &r.people[pi]
		c := Candidate{Person: p.ID, Weight: int(p.weight), Open: st.OpenLeads(p.ID), Capacity: p.Capacity}
		if t, ok := turnOf(turns, p.ID); ok {
			c.Credit = t.Credit
		}
		switch {
		case p.ID == l.owner:
			c.Excluded = ExcludedCurrent
		case p.Inactive:
			c.Excluded = ExcludedInactive
		case c.Open >= p.Capacity:
			c.Excluded = ExcludedAtCapacity
		case p.Seniority < minSen:
			c.Excluded = ExcludedSeniority
		case ru.MatchLanguage && l.language != "" && !speaks(p.languages, l.language):
			c.Excluded = ExcludedLanguage
		case ru.MatchSkills && !coversTopics(p.skills, l.topics):
			c.Excluded = ExcludedSkill
		case p.cal != nil && !p.cal.IsWorking(now):
			c.Excluded = ExcludedOffShift
		default:
			c.Eligible = true
			c.Credit += p.weight
			total += p.weight
			trace.Eligible++
		}
		trace.Candidates[i] = c
	}
	pick := -1
	for i, c := range trace.Candidates {
		if c.Eligible && (pick < 0 || c.Credit > trace.Candidates[pick].Credit) {
			pick = i
		}
	}
	return trace, pick
}

// coversTopics reports whether skills hold every topic.
func coversTopics(skills, topics []string) bool {
	for _, t := range topics {
		if !slices.Contains(skills, t) {
			return false
		}
	}
	return true
}

// advance returns st with ru's pool counters moved on by a decision that
// chose trace.Candidates[pick].
func (r *Router) advance(st AssignmentState, ru *rule, trace RuleTrace, pick int) AssignmentState {
	var total int64
	for _, c := range trace.Candidates {
		if c.Eligible {
			total += int64(c.Weight)
		}
	}
	pi, found := slices.BinarySearchFunc(st.Pools, ru.Name, func(p Pool, name string) int { return cmp.Compare(p.Rule, name) })
	var turns []Turn
	if found {
		turns = slices.Clone(st.Pools[pi].Turns)
	}
	for i, c := range trace.Candidates {
		if !c.Eligible {
			continue
		}
		j, ok := slices.BinarySearchFunc(turns, c.Person, func(t Turn, p crm.UserID) int { return cmp.Compare(t.Person, p) })
		if !ok {
			turns = slices.Insert(turns, j, Turn{Person: c.Person})
		}
		turns[j].Credit = c.Credit
		if i == pick {
			turns[j].Credit -= total
			turns[j].Assigned++
		}
	}
	pools := make([]Pool, len(st.Pools), len(st.Pools)+1)
	copy(pools, st.Pools)
	if found {
		pools[pi] = Pool{Rule: ru.Name, Turns: turns}
	} else {
		pools = slices.Insert(pools, pi, Pool{Rule: ru.Name, Turns: turns})
	}
	st.Pools = pools
	return st
}

func poolIndex(st AssignmentState, name string) (int, bool) {
	return slices.BinarySearchFunc(st.Pools, name, func(p Pool, name string) int { return cmp.Compare(p.Rule, name) })
}

func poolOf(st AssignmentState, name string) Pool {
	if i, ok := poolIndex(st, name); ok {
		return st.Pools[i]
	}
	return Pool{}
}

func turnOf(turns []Turn, p crm.UserID) (Turn, bool) {
	if i, ok := slices.BinarySearchFunc(turns, p, func(t Turn, p crm.UserID) int { return cmp.Compare(t.Person, p) }); ok {
		return turns[i], true
	}
	return Turn{}, false
}
