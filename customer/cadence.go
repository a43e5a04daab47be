package customer

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// Contact cadence (忌冷热不均: never hot and cold): every class of customer
// gets its own steady rhythm of contact. A CadencePolicy holds the rhythm as
// data, rules that each match some customers and give them an interval in
// business days; Overdue and Service.OverdueForContact find the customers
// whose last contact is older than their rule allows.

// Limits on cadence policies.
const (
	MaxCadenceRules = 100  // rules in one policy
	MaxCadenceDays  = 1000 // largest interval of a rule, in business days (about four years)
)

// CadenceRule gives the customers it matches an interval of contact. Zero
// fields match every customer; set fields must all match.
type CadenceRule struct {
	// Name identifies the rule in overdue entries, e.g. "key_accounts";
	// a key (1 to MaxKeyLen bytes, printable, no spaces),
	// unique in its policy.
	Name string `json:"name"`
	// Class, when set, matches customers of that class.
	Class Class `json:"class,omitempty"`
	// KeyAccount, when set, matches key accounts (true) or the others.
	KeyAccount *bool `json:"key_account,omitempty"`
	// Stage, when set, matches customers at that relationship stage.
	Stage Stage `json:"stage,omitempty"`
	// Role, when set, matches customers holding that role.
	Role Role `json:"role,omitempty"`
	// Tag, when set, matches customers carrying that tag (compared as
	// AddTag stores tags: trimmed, case-insensitive), e.g. the "abc:a" a
	// bank's ABC analysis puts on its top customers.
	Tag string `json:"tag,omitempty"`
	// Days is the interval: a customer is overdue once more than Days
	// business days have passed since its last contact. 1 to
	// MaxCadenceDays.
	Days int `json:"days"`
}

// Matches reports whether the rule's conditions all hold for c.
func (r *CadenceRule) Matches(c *Customer) bool {
	switch {
	case r.Class != 0 && c.class != r.Class,
		r.KeyAccount != nil && c.keyAccount != *r.KeyAccount,
		r.Stage != 0 && c.stage != r.Stage,
		r.Role != 0 && !c.HasRole(r.Role),
		r.Tag != "" && !c.HasTag(r.Tag):
		return false
	}
	return true
}

// covers reports whether every customer b matches is matched by r too: each
// condition r sets, b sets to the same value.
func (r *CadenceRule) covers(b *CadenceRule) bool {
	switch {
	case r.Class != 0 && b.Class != r.Class,
		r.KeyAccount != nil && (b.KeyAccount == nil || *b.KeyAccount != *r.KeyAccount),
		r.Stage != 0 && b.Stage != r.Stage,
		r.Role != 0 && b.Role != r.Role,
		r.Tag != "" && normTag(b.Tag) != normTag(r.Tag):
		return false
	}
	return true
}

// query is the store query of the customers the rule's conditions match.
func (r *CadenceRule) query() Query {
	return Query{Class: r.Class, KeyAccount: r.KeyAccount, Stage: r.Stage, Role: r.Role, Tag: r.Tag}
}

// CadencePolicy is a business's contact rhythm: rules in order, the first
// rule matching a customer giving its interval, counted in business days
// on Calendar.
//
// Order matters and overlaps are allowed: a key account of class stable
// matches both {key_account: true} and {class: stable}, and takes the
// interval of whichever comes first. A rule that can never apply, because
// an earlier rule matches every customer it matches (the same conditions,
// or fewer), is refused by Validate: it is a mistake in the data, not a
// choice. A customer no rule matches has no cadence and is never overdue.
//
// Tombstones and erased customers are never overdue. Neither are churned
// customers: a lost customer is won back by a campaign, not by the routine
// rhythm; moving it to won back puts it in the rhythm again.
//
// A CadencePolicy is not changed by its methods and may be shared between
// goroutines once built.
type CadencePolicy struct {
	// Rules are tried in order; the first matching one applies.
	Rules []CadenceRule
	// Calendar says which days are business days (a day with working
	// time) and the time zone days are counted in. nil counts every day
	// of the week, in UTC.
	Calendar *calendar.Calendar
}

// DefaultCadencePolicy returns an example rhythm: key accounts every 14
// business days, stable customers 30, push-hard prospects 7, not-yet-stable
// customers 21, strengthen-contact prospects 30 and general-contact
// prospects (class C) 90, on cal (nil: every day counts).
func DefaultCadencePolicy(cal *calendar.Calendar) *CadencePolicy {
	yes := true
	return &CadencePolicy{Calendar: cal, Rules: []CadenceRule{
		{Name: "key_accounts", KeyAccount: &yes, Days: 14},
		{Name: "push_hard", Class: PushHard, Days: 7},
		{Name: "not_yet_stable", Class: NotYetStable, Days: 21},
		{Name: "stable", Class: Stable, Days: 30},
		{Name: "strengthen_contact", Class: StrengthenContact, Days: 30},
		{Name: "general_contact", Class: GeneralContact, Days: 90},
	}}
}

// Validate returns a *crm.ValidationError listing every problem of p: 1 to
// MaxCadenceRules rules with unique names, known enum values, intervals of
// 1 to MaxCadenceDays business days, and no rule an earlier one shadows.
func (p *CadencePolicy) Validate() error {
	var v crm.Validator
	if p == nil {
		v.Addf("rules", "a policy is required")
		return v.Err("customer.CadencePolicy")
	}
	switch {
	case len(p.Rules) == 0:
		v.Addf("rules", "at least one rule is required")
	case len(p.Rules) > MaxCadenceRules:
		v.Addf("rules", "at most %d rules", MaxCadenceRules)
		return v.Err("customer.CadencePolicy")
	}
	names := make(map[string]bool, len(p.Rules))
	for i := range p.Rules {
		r := &p.Rules[i]
		path := fmt.Sprintf("rules[%d]", i)
		if checkKey(&v, path+".name", r.Name) {
			v.Check(!names[r.Name], path+".name", "duplicate name")
			names[r.Name] = true
		}
		v.Check(r.Class == 0 || r.Class.Valid(), path+".class", "unknown class")
		v.Check(r.Stage == 0 || r.Stage.Valid(), path+".stage", "unknown stage")
		v.Check(r.Role == 0 || r.Role.Valid(), path+".role", "unknown role")
		if r.Tag != "" {
			v.Check(utf8.ValidString(r.Tag), path+".tag", "not valid UTF-8")
			checkKey(&v, path+".tag", normTag(r.Tag))
		}
		v.Check(r.Days >= 1 && r.Days <= MaxCadenceDays, path+".days", fmt.Sprintf("must be between 1 and %d business days", MaxCadenceDays))
		for j := range i {
			if p.Rules[j].covers(r) {
				v.Addf(path, "never applies: rule %d (%.64q) matches every customer it matches", j, p.Rules[j].Name)
				break
			}
		}
	}
	return v.Err("customer.CadencePolicy")
}

// Rule returns the index of the first rule matching c, or -1 when none
// does.
func (p *CadencePolicy) Rule(c *Customer) int {
	for i := range p.Rules {
		if p.Rules[i].Matches(c) {
			return i
		}
	}
	return -1
}

// cadenceEligible reports whether c can be overdue for contact at all.
func cadenceEligible(c *Customer) bool {
	return !c.IsTombstone() && !c.IsErased() && c.lifecycle != Churned
}

// OverdueContact is one customer overdue for contact.
type OverdueContact struct {
	// Customer is the customer as given to Overdue (or as listed by the
	// store, for Service.OverdueForContact).
	Customer *Customer
	// Owner is the customer's account manager, who owes the contact.
	Owner crm.UserID
	// Rule is the name of the cadence rule that applies.
	Rule string
	// LastContact is the customer's last contact; zero when it never was
	// contacted, in which case the interval counts from its creation.
	LastContact time.Time
	// DueAt is the start of the day (in the calendar's time zone) by whose
	// end the next contact was due: the rule's Days-th business day after
	// the day of the last contact (or of the creation).
	DueAt time.Time
	// DaysOverdue counts the business days after the due day, up to and
	// including the day of now: at least 1.
	DaysOverdue int
}

// CompareOverdue orders entries by owner, then most overdue first, then
// earliest due, then customer ID: the order Overdue returns.
func CompareOverdue(a, b OverdueContact) int {
	if c := strings.Compare(string(a.Owner), string(b.Owner)); c != 0 {
		return c
	}
	if c := cmp.Compare(b.DaysOverdue, a.DaysOverdue); c != 0 {
		return c
	}
	if c := a.DueAt.Compare(b.DueAt); c != 0 {
		return c
	}
	return a.Customer.ID().Compare(b.Customer.ID())
}

// Overdue returns the customers of the sequence overdue for contact at now,
// sorted by [CompareOverdue]. A customer is overdue when more business days
// than its rule's Days have passed between the day of its last contact (of
// its creation, when never contacted) and the day of now, both days taken
// in the calendar's time zone; the business days counted are those after
// the contact's day, up to and including now's. So with Days 1 on a Monday
// to Friday calendar, a customer contacted on Friday is due on Monday and
// overdue from Tuesday.
//
// An invalid policy, a zero now, a now outside the stored time range or a
// nil customer returns an error wrapping crm.ErrInvalid. Overdue reads the
// customers once and keeps only the overdue ones; it never changes them.
func (p *CadencePolicy) Overdue(customers iter.Seq[*Customer], now time.Time) ([]OverdueContact, error) {
	const op = "customer.CadencePolicy.Overdue"
	if err := p.checkRun(op, now); err != nil {
		return nil, err
	}
	ev := p.evaluator(now)
	var col overdueCollector
	i := 0
	for c := range customers {
		if c == nil || c.state == nil {
			return nil, crm.Invalid(op, fmt.Sprintf("customers[%d]", i), "must not be nil")
		}
		i++
		col.add(ev, c, p.Rule(c), false)
	}
	return col.sorted(ev), nil
}

// overdueKey is an overdue customer as the collector keeps it: compact and
// free of pointers, so that a million of them cost the garbage collector
// nothing to scan and sort without reading the customers (each a cache
// miss).
type overdueKey struct {
	owner int32 // the owner's number in the collector, then its rank
	rule  int32
	days  int32
	i     int32 // index of the customer in the collector
	lcNs  int32 // nanoseconds of the last contact
	due   int64 // day number of the due day
	lcSec int64 // Unix seconds of the last contact; 0 with lcNs -1: never
	id    crm.ID
}

// overdueCollector gathers the overdue customers of one evaluation.
type overdueCollector struct {
	keys      []overdueKey
	customers []*Customer
	owners    map[crm.UserID]int32
	names     []crm.UserID
}

// duplicate returns the ID of a customer collected twice (zero when none
// was). The cost follows the overdue customers, not the customers read.
func (col *overdueCollector) duplicate() crm.ID {
	seen := make(map[crm.ID]struct{}, len(col.keys))
	for _, k := range col.keys {
		if _, ok := seen[k.id]; ok {
			return k.id
		}
		seen[k.id] = struct{}{}
	}
	return crm.ID{}
}

// add keeps c when it is overdue under rule i (-1: none). With lent set, c
// is a customer a Scanner lends for the call: the collector keeps a copy
// of it (see lentCopy), taken only when c is overdue.
func (col *overdueCollector) add(ev *cadenceEval, c *Customer, i int, lent bool) {
	due, days, ok := ev.overdue(c, i)
	if !ok {
		return
	}
	if lent {
		c = lentCopy(c)
	}
	if col.owners == nil {
		col.owners = map[crm.UserID]int32{}
	}
	o, known := col.owners[c.owner]
	if !known {
		o = int32(len(col.names))
		col.owners[c.owner] = o
		col.names = append(col.names, c.owner)
	}
	k := overdueKey{owner: o, rule: int32(i), days: int32(days), i: int32(len(col.customers)), due: due, id: c.id, lcNs: -1}
	if !c.lastContact.IsZero() {
		k.lcSec, k.lcNs = c.lastContact.Unix(), int32(c.lastContact.Nanosecond())
	}
	col.keys = append(col.keys, k)
	col.customers = append(col.customers, c)
}

// sorted returns the entries in CompareOverdue order.
func (col *overdueCollector) sorted(ev *cadenceEval) []OverdueContact {
	if len(col.keys) == 0 {
		return nil
	}
	order := make([]int32, len(col.names))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(string(col.names[a]), string(col.names[b])) })
	rank := make([]int32, len(col.names))
	for r, o := range order {
		rank[o] = int32(r)
	}
	// Group by owner rank (a counting sort), then sort each owner's
	// entries: fewer comparisons than one sort, on memory that stays in
	// cache.
	start := make([]int, len(rank)+1)
	for _, k := range col.keys {
		start[rank[k.owner]+1]++
	}
	for r := 1; r < len(start); r++ {
		start[r] += start[r-1]
	}
	grouped := make([]overdueKey, len(col.keys))
	next := slices.Clone(start[:len(rank)])
	for _, k := range col.keys {
		r := rank[k.owner]
		k.owner = r
		grouped[next[r]] = k
		next[r]++
	}
	col.keys = grouped
	for r := range rank {
		slices.SortFunc(col.keys[start[r]:start[r+1]], func(a, b overdueKey) int {
			if c := cmp.Compare(b.days, a.days); c != 0 {
				return c
			}
			if c := cmp.Compare(a.due, b.due); c != 0 {
				return c
			}
			return a.id.Compare(b.id)
		})
	}
	// Built from the keys alone (the customers are not read again), with
	// the start of each due day computed once.
	starts := map[int64]time.Time{}
	out := make([]OverdueContact, len(col.keys))
	for i, k := range col.keys {
		dueAt, ok := starts[k.due]
		if !ok {
			dueAt = startOfDay(k.due, ev.loc)
			starts[k.due] = dueAt
		}
		var lc time.Time
		if k.lcNs >= 0 {
			lc = time.Unix(k.lcSec, int64(k.lcNs)).UTC()
		}
		out[i] = OverdueContact{
			Customer: col.customers[k.i], Owner: col.names[order[k.owner]], Rule: ev.p.Rules[k.rule].Name,
			LastContact: lc, DueAt: dueAt, DaysOverdue: int(k.days),
		}
	}
	return out
}

func (p *CadencePolicy) checkRun(op string, now time.Time) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var v crm.Validator
	v.Check(!now.IsZero(), "now", "must be set")
	v.Check(crm.ValidTime(now), "now", "outside the stored time range")
	return v.Err(op)
}

// Cutoff returns, for rule i, the instant before which a last contact makes
// a customer overdue at now: a customer the rule applies to and last
// contacted at t is overdue exactly when t < Cutoff(i, now). It is the
// start of a day in the calendar's time zone. An invalid policy or now, or
// an i that is not a rule's index, returns an error wrapping
// crm.ErrInvalid.
func (p *CadencePolicy) Cutoff(i int, now time.Time) (time.Time, error) {
	const op = "customer.CadencePolicy.Cutoff"
	if err := p.checkRun(op, now); err != nil {
		return time.Time{}, err
	}
	if i < 0 || i >= len(p.Rules) {
		return time.Time{}, crm.Invalid(op, "i", "not a rule's index")
	}
	return p.evaluator(now).cutoff(p.Rules[i].Days), nil
}

// cadenceEval counts business days back from the day of now.
type cadenceEval struct {
	p     *CadencePolicy
	loc   *time.Location
	today int64 // day number of now, in loc
	// back[k] counts the business days among the k days ending with today
	// (today-k, today]; grown on demand.
	back []int32
}

func (p *CadencePolicy) evaluator(now time.Time) *cadenceEval {
	loc := time.UTC
	if p.Calendar != nil {
		loc = p.Calendar.Location()
	}
	return &cadenceEval{p: p, loc: loc, today: localDayNumber(now, loc), back: []int32{0}}
}

// minDay is the day number of January 1 of year 1, the first stored day.
var minDay = dayNumber(1, time.January, 1)

// business reports whether day number n is a business day.
func (e *cadenceEval) business(n int64) bool {
	if e.p.Calendar == nil {
		return true
	}
	y, m, d := civilDate(n)
	return len(e.p.Calendar.SpansOn(calendar.Date{Year: y, Month: m, Day: d})) > 0
}

// count returns back[k], growing back up to k (k is at most the days from
// year 1 to today).
func (e *cadenceEval) count(k int64) int32 {
	for int64(len(e.back)) <= k {
		n := int64(len(e.back)) // the day added is today-(n-1)
		c := e.back[n-1]
		if e.business(e.today - (n - 1)) {
			c++
		}
		e.back = append(e.back, c)
	}
	return e.back[k]
}

// cutoff returns the start of the first day a contact on which is not yet
// overdue for an interval of days.
func (e *cadenceEval) cutoff(days int) time.Time {
	// Smallest k with more than days business days in (today-k, today]:
	// a contact on day today-k or before is overdue.
	for k := int64(0); e.today-k >= minDay; k++ {
		if e.count(k) > int32(days) {
			return startOfDay(e.today-k+1, e.loc)
		}
	}
	return crm.MinTime // not enough business days since year 1: nobody is overdue but by creation
}

// overdue reports whether c is overdue under rule i (-1: none), with the
// day number of its due day and the business days it is overdue.
func (e *cadenceEval) overdue(c *Customer, i int) (due int64, days int, ok bool) {
	if i < 0 || !cadenceEligible(c) {
		return 0, 0, false
	}
	r := &e.p.Rules[i]
	ref := c.lastContact
	if ref.IsZero() {
		ref = c.createdAt
	}
	k := e.today - localDayNumber(ref, e.loc) // business days counted: (ref day, today]
	if k <= 0 || k < int64(r.Days) || ref.Before(crm.MinTime) {
		return 0, 0, false
	}
	w := e.count(k)
	if w <= int32(r.Days) {
		return 0, 0, false
	}
	// The due day is the Days-th business day after the ref day: the
	// largest j < k with back[k]-back[j] >= Days, i.e. back[j] <= w-Days.
	j, _ := slices.BinarySearch(e.back[:k+1], w-int32(r.Days)+1)
	return e.today - int64(j-1), int(w) - r.Days, true
}

// cadenceJSON is the JSON form of a CadencePolicy.
type cadenceJSON struct {
	Rules    []CadenceRule    `json:"rules"`
	Calendar *calendar.Config `json:"calendar,omitempty"`
}

// MarshalJSON writes the policy's JSON form: {"rules": [...], "calendar":
// {...}}, each rule with its conditions by name and its days, and the
// calendar's configuration (left out when Calendar is nil).
func (p *CadencePolicy) MarshalJSON() ([]byte, error) {
	w := cadenceJSON{Rules: p.Rules}
	if w.Rules == nil {
		w.Rules = []CadenceRule{}
	}
	if p.Calendar != nil {
		cfg := p.Calendar.Config()
		w.Calendar = &cfg
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("customer: marshal cadence policy: %w", err)
	}
	return b, nil
}

// UnmarshalJSON reads the form MarshalJSON writes, strictly (unknown
// members, wrong types and trailing data are refused), builds the calendar
// with calendar.New and validates the policy; on error p is left unchanged.
// JSON null leaves p unchanged.
func (p *CadencePolicy) UnmarshalJSON(data []byte) error {
	const op = "customer.CadencePolicy.UnmarshalJSON"
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var w cadenceJSON
	if err := crm.DecodeJSON(data, &w, op); err != nil {
		return err
	}
	np := CadencePolicy{Rules: w.Rules}
	if w.Calendar != nil {
		cal, err := calendar.New(*w.Calendar)
		if err != nil {
			return fmt.Errorf("%s: calendar: %w", op, err)
		}
		np.Calendar = cal
	}
	if err := np.Validate(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	*p = np
	return nil
}

// OverdueQuery narrows Service.OverdueForContact. The zero value asks for
// every owner.
type OverdueQuery struct {
	// Owner, when set, limits the result to that account manager's
	// customers.
	Owner crm.UserID
}

// OwnerOverdue is one account manager's customers overdue for contact, in
// CompareOverdue order.
type OwnerOverdue struct {
	Owner    crm.UserID
	Contacts []OverdueContact
}

// MaxScanQueries bounds the queries of one Scanner.ScanCustomers call.
const MaxScanQueries = MaxCadenceRules

// Scanner is an optional capability of a [Backend], found by type assertion
// on the backend given to [NewService]: one pass over the customers
// matching any of several queries, in no particular order and without
// paging. [Service.OverdueForContact] uses it, when the backend has it, to
// read the tenant's customers once, with one query per rule (the rule's
// conditions and cutoff), instead of paging through one List per rule; a
// backend without it keeps working through its Store's List. Both stores
// of this module implement it.
type Scanner interface {
	// ScanCustomers calls yield once with every customer of tenant that at
	// least one of qs matches (as Query.Matches says, every filter of the
	// query applied), in no particular order, until yield returns false; a
	// customer changed meanwhile is seen at most once, in one of its
	// versions. The customers are lent for the call of yield: yield must
	// not change them, keep them after it returns, or call the store
	// (which may hold a lock or a connection while it yields). An invalid
	// tenant or query, or more than MaxScanQueries queries, returns an
	// error wrapping crm.ErrInvalid; no query yields nothing; a done
	// context returns its error.
	ScanCustomers(ctx context.Context, tenant crm.TenantID, qs []Query, yield func(*Customer) bool) error
}

// lentCopy returns a copy of c, a customer a Scanner lends, that the caller
// owns, without writing c (Clone would mark c as shared): a c that shares
// its state already is copied shallowly, the state staying copy-on-write;
// any other c is copied deeply.
func lentCopy(c *Customer) *Customer {
	d := *c
	d.pending = slices.Clone(c.pending)
	d.events = slices.Clone(c.events)
	if !c.shared {
		d.shared = true
		d.own()
	}
	return &d
}

// OverdueForContact returns the customers of tenant overdue for contact at
// now under policy, grouped per owner (owners in ascending order), each
// group most overdue first; the result equals [CadencePolicy.Overdue] over
// every customer of the tenant.
//
// When the backend is a [Scanner], it reads in one pass the customers that
// any rule's conditions match and whose last contact is before that
// rule's [CadencePolicy.Cutoff] (never-contacted ones included), and
// evaluates each in Go; the cost grows linearly with the customers of the
// tenant (of the owner, with q.Owner). Otherwise it asks the store's List,
// per rule, for the customers the rule's conditions match and whose last
// contact is before the rule's cutoff (Query.ContactedBefore), pages
// through them, and keeps those the rule is the first match for.
func (s *Service) OverdueForContact(ctx context.Context, tenant crm.TenantID, policy *CadencePolicy, now time.Time, q OverdueQuery) ([]OwnerOverdue, error) {
	const op = "customer.Service.OverdueForContact"
	if err := policy.checkRun(op, now); err != nil {
		return nil, err
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	if q.Owner != "" {
		v.Merge("owner", q.Owner.Validate())
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	ev := policy.evaluator(now)
	var col overdueCollector
	var err error
	if sc, ok := s.backend.(Scanner); ok {
		err = overdueScan(ctx, sc, tenant, ev, q, &col)
	} else {
		err = s.overdueByRule(ctx, tenant, ev, q, &col)
	}
	if err != nil {
		return nil, fmt.Errorf("customer: overdue for contact: %w", err)
	}
	if dup := col.duplicate(); !dup.IsZero() {
		// A Scanner yields each customer once; one that did not would
		// list a customer twice.
		return nil, fmt.Errorf("customer: overdue for contact: the store yielded customer %s twice: %w", dup, crm.ErrCorrupt)
	}
	all := col.sorted(ev)
	var out []OwnerOverdue
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].Owner == all[i].Owner {
			j++
		}
		out = append(out, OwnerOverdue{Owner: all[i].Owner, Contacts: all[i:j:j]})
		i = j
	}
	return out, nil
}

// overdueScan collects the overdue customers of one pass of sc over the
// customers of any rule contacted before that rule's cutoff.
func overdueScan(ctx context.Context, sc Scanner, tenant crm.TenantID, ev *cadenceEval, q OverdueQuery, col *overdueCollector) error {
	const op = "customer.Scanner.ScanCustomers"
	if err := ctx.Err(); err != nil {
		return err
	}
	policy := ev.p
	// A customer overdue under its first matching rule matches that
	// rule's query: the pass reads a superset of the overdue customers,
	// and the evaluation below keeps exactly them.
	qs := make([]Query, len(policy.Rules))
	for i := range policy.Rules {
		r := &policy.Rules[i]
		qs[i] = r.query()
		qs[i].Owner = q.Owner
		qs[i].ContactedBefore = ev.cutoff(r.Days)
	}
	var bad error
	err := sc.ScanCustomers(ctx, tenant, qs, func(c *Customer) bool {
		if c == nil || c.state == nil || c.tenant != tenant || !slices.ContainsFunc(qs, func(q Query) bool { return q.Matches(c) }) {
			bad = fmt.Errorf("%s: the store yielded a customer of another tenant than %q or outside the queries: %w", op, tenant, crm.ErrCorrupt)
			return false
		}
		col.add(ev, c, policy.Rule(c), true)
		return true
	})
	if err != nil {
		return err
	}
	return bad
}

// overdueByRule collects the overdue customers rule by rule, paging
// through the store's List of each rule's customers contacted before its
// cutoff.
func (s *Service) overdueByRule(ctx context.Context, tenant crm.TenantID, ev *cadenceEval, q OverdueQuery, col *overdueCollector) error {
	policy := ev.p
	for i := range policy.Rules {
		r := &policy.Rules[i]
		sq := r.query()
		sq.Owner = q.Owner
		sq.ContactedBefore = ev.cutoff(r.Days)
		page := crm.PageRequest{Limit: crm.MaxPageLimit}
		for {
			p, err := s.store.List(ctx, tenant, sq, page)
			if err != nil {
				return err
			}
			for _, c := range p.Items {
				if policy.Rule(c) != i {
					continue // an earlier rule applies to it
				}
				col.add(ev, c, i, false)
			}
			if p.Next == "" {
				break
			}
			page.Cursor = p.Next
		}
	}
	return nil
}
