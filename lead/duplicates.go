package lead

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/enum"
)

// MatchKind says what a duplicate match points at.
type MatchKind uint8

// Kinds of match. The stored form is the name.
const (
	MatchLead     MatchKind = iota + 1 // an open lead
	MatchCustomer                      // an existing customer
)

var matchKinds = enum.New[MatchKind]("match kind", "lead", "customer")

// ParseMatchKind parses "lead" or "customer".
func ParseMatchKind(s string) (MatchKind, error) { return matchKinds.Parse(s) }

// String returns the kind's name.
func (k MatchKind) String() string { return matchKinds.String(k) }

// Valid reports whether k is a known kind.
func (k MatchKind) Valid() bool { return matchKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k MatchKind) MarshalText() ([]byte, error) { return matchKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *MatchKind) UnmarshalText(b []byte) (err error) {
	*k, err = matchKinds.Parse(string(b))
	return err
}

// Match is an existing lead or customer that is likely the same prospect
// as a new lead, with the evidence.
type Match struct {
	// Kind says whether ID is a lead's or a customer's.
	Kind MatchKind
	// ID identifies the lead or customer.
	ID crm.ID
	// Score is the combined evidence, from 0 to 1, computed as
	// customer.DuplicateRules documents.
	Score float64
	// Reasons lists the evidence in the order email, phone, name, address
	// (customer.ReasonEmail …).
	Reasons []customer.MatchReason
}

// profile is a lead or customer prepared for comparison: its keys
// normalised once, exactly as the customer package normalises them.
type profile struct {
	person, org       string // NormalizeName and NormalizeOrgName forms ("" when none)
	personRaw, orgRaw string
	emails, phones    []string
	addrs             []string
	addrText          func(i int) string // the display form of addrs[i], built only for a match
}

func leadProfile(l *Lead) profile {
	if l != nil {
		l.ensure()
	}
	var p profile
	switch {
	case l.kind == customer.Organization && l.name != "":
		p.orgRaw = l.name
	case l.company != "":
		p.orgRaw = l.company
	}
	if l.kind == customer.Person && l.name != "" {
		p.personRaw = l.name
	}
	p.person, p.org = customer.NormalizeName(p.personRaw), customer.NormalizeOrgName(p.orgRaw)
	for _, c := range l.contacts {
		k := c.Normalized()
		switch {
		case k == "":
		case c.Kind == ContactEmail && !slices.Contains(p.emails, k):
			p.emails = append(p.emails, k)
		case c.Kind == ContactPhone && !slices.Contains(p.phones, k):
			p.phones = append(p.phones, k)
		}
	}
	if a := l.address; a != nil {
		p.addrs, p.addrText = []string{a.Normalized()}, func(int) string { return a.String() }
	}
	return p
}

func customerProfile(c *customer.Customer) profile {
	var p profile
	if c.Kind() == customer.Organization {
		p.orgRaw = c.Name()
		p.org = customer.NormalizeOrgName(p.orgRaw)
	} else {
		p.personRaw = c.Name()
		p.person = customer.NormalizeName(p.personRaw)
	}
	for _, e := range c.Emails() {
		if k := e.Normalized(); k != "" && !slices.Contains(p.emails, k) {
			p.emails = append(p.emails, k)
		}
	}
	for _, ph := range c.Phones() {
		if k := ph.Normalized(); k != "" && !slices.Contains(p.phones, k) {
			p.phones = append(p.phones, k)
		}
	}
	var shown []customer.Address
	for _, a := range c.Addresses() {
		if k := a.Normalized(); !slices.Contains(p.addrs, k) {
			p.addrs = append(p.addrs, k)
			shown = append(shown, a)
		}
	}
	p.addrText = func(i int) string { return shown[i].String() }
	return p
}

// scoreEpsilon absorbs rounding when a score is compared with MinScore, as
// in the customer package.
const scoreEpsilon = 1e-9

// score weighs the evidence between the new lead a and candidate b under
// the effective rules r.
func score(r customer.DuplicateRules, a, b *profile) (float64, []customer.MatchReason) {
	var reasons []customer.MatchReason
	keep := 1.0
	add := func(kind, detail string, w float64) {
		reasons = append(reasons, customer.MatchReason{Kind: kind, Detail: detail, Weight: w})
		keep *= 1 - w
	}
	if r.EmailWeight > 0 {
		if s := shared(a.emails, b.emails); s != "" {
			add(customer.ReasonEmail, s, r.EmailWeight)
		}
	}
	if r.PhoneWeight > 0 {
		if s := shared(a.phones, b.phones); s != "" {
			add(customer.ReasonPhone, s, r.PhoneWeight)
		}
	}
	if r.NameWeight > 0 {
		// Persons are compared with persons, organisations with
		// organisations; the closer pair counts.
		best, an, bn := 0.0, "", ""
		if a.person != "" && b.person != "" {
			best, an, bn = customer.NameSimilarity(a.person, b.person), a.personRaw, b.personRaw
		}
		if a.org != "" && b.org != "" {
			if s := customer.NameSimilarity(a.org, b.org); s > best {
				best, an, bn = s, a.orgRaw, b.orgRaw
			}
		}
		if best > 0 && best >= r.NameThreshold {
			add(customer.ReasonName, fmt.Sprintf("%q ~ %q: %.2f", an, bn, best), r.NameWeight*best)
		}
	}
	if r.AddressWeight > 0 {
		for i, x := range a.addrs {
			if slices.Contains(b.addrs, x) {
				add(customer.ReasonAddress, a.addrText(i), r.AddressWeight)
				break
			}
		}
	}
	return 1 - keep, reasons
}

// shared returns the values of a also in b, in a's order, joined by ", ".
func shared(a, b []string) string {
	var out string
	for _, x := range a {
		if slices.Contains(b, x) {
			if out != "" {
				out += ", "
			}
			out += x
		}
	}
	return out
}

// FindDuplicates matches the new lead l against candidate open leads and
// existing customers with the customer package's duplicate rules (the zero
// rules mean customer.DefaultDuplicateRules): shared normalised e-mail
// addresses, E.164 phone numbers and postal addresses, and similar names
// (a person's name against persons, a company against organisations), each
// weighted and combined as customer.DuplicateRules documents. Contact
// points that did not parse take no part.
//
// It returns the candidates scoring at least rules.MinScore, highest score
// first, then leads before customers, then by ID. Candidates of another
// tenant, closed leads, l itself, nil entries, merged and erased customers
// are skipped; a candidate given twice is scored once. Invalid rules give
// a *crm.ValidationError. The store's part is to fetch the candidates
// (Store.FindByContact and the customer store's own look-up).
func FindDuplicates(l *Lead, leads []*Lead, customers []*customer.Customer, rules customer.DuplicateRules) ([]Match, error) {
	if l != nil {
		l.ensure()
	}
	if rules == (customer.DuplicateRules{}) {
		rules = customer.DefaultDuplicateRules()
	}
	if err := rules.Validate(); err != nil {
		return nil, fmt.Errorf("lead: find duplicates: %w", err)
	}
	if l == nil {
		return nil, crm.Invalid("lead.FindDuplicates", "lead", "must not be nil")
	}
	pl := leadProfile(l)
	seen := map[crm.ID]bool{}
	var out []Match
	consider := func(kind MatchKind, id crm.ID, p profile) {
		if s, reasons := score(rules, &pl, &p); len(reasons) > 0 && s+scoreEpsilon >= rules.MinScore {
			out = append(out, Match{Kind: kind, ID: id, Score: s, Reasons: reasons})
		}
	}
	for _, c := range leads {
		if c == nil || c.tenant != l.tenant || c.id == l.id || !c.stage.Open() || seen[c.id] {
			continue
		}
		seen[c.id] = true
		consider(MatchLead, c.id, leadProfile(c))
	}
	clear(seen)
	for _, c := range customers {
		if c == nil || c.Tenant() != l.tenant || c.IsTombstone() || c.IsErased() || seen[c.ID()] {
			continue
		}
		seen[c.ID()] = true
		consider(MatchCustomer, c.ID(), customerProfile(c))
	}
	slices.SortFunc(out, func(a, b Match) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return a.ID.Compare(b.ID)
	})
	return out, nil
}

// Action is what to do with a new capture after the duplicate check.
type Action uint8

// Actions. The stored form is the name.
const (
	ActionCreate       Action = iota + 1 // store the new lead as it is
	ActionAttach                         // attach it to an existing lead (Lead.Attach) and store nothing new
	ActionLinkCustomer                   // store the new lead linked to an existing customer (Lead.LinkCustomer)
)

var actions = enum.New[Action]("action", "create", "attach", "link_customer")

// ParseAction parses "create", "attach" or "link_customer".
func ParseAction(s string) (Action, error) { return actions.Parse(s) }

// String returns the action's name.
func (a Action) String() string { return actions.String(a) }

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return actions.Valid(a) }

// MarshalText implements encoding.TextMarshaler.
func (a Action) MarshalText() ([]byte, error) { return actions.Marshal(a) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Action) UnmarshalText(b []byte) (err error) { *a, err = actions.Parse(string(b)); return err }

// Resolution is the outcome of the duplicate check under a policy.
type Resolution struct {
	// Action is what to do.
	Action Action
	// Target is the lead to attach to or the customer to link to; zero
	// for ActionCreate.
	Target crm.ID
	// Why says in words why this action was chosen.
	Why string
	// Matches are every match found, as given.
	Matches []Match
}

// ResolveDuplicates applies the host's policy to the matches of
// [FindDuplicates] (best first): AttachToLead attaches to the best lead
// match, else links to the best customer match, else creates;
// LinkToCustomer links to the best customer match, else creates;
// CreateAnyway creates. An unknown policy is a *crm.ValidationError.
func ResolveDuplicates(policy DuplicatePolicy, matches []Match) (Resolution, error) {
	if !policy.Valid() {
		return Resolution{}, crm.Invalid("lead.ResolveDuplicates", "policy", "unknown duplicate policy")
	}
	res := Resolution{Action: ActionCreate, Matches: slices.Clone(matches), Why: "no match"}
	best := func(k MatchKind) (Match, bool) {
		i := slices.IndexFunc(matches, func(m Match) bool { return m.Kind == k })
		if i < 0 {
			return Match{}, false
		}
		return matches[i], true
	}
	if policy == CreateAnyway {
		if len(matches) > 0 {
			res.Why = fmt.Sprintf("policy create_anyway; %d match(es) reported", len(matches))
		}
		return res, nil
	}
	if policy == AttachToLead {
		if m, ok := best(MatchLead); ok {
			res.Action, res.Target = ActionAttach, m.ID
			res.Why = fmt.Sprintf("policy attach_to_lead: open lead %s matches with score %.2f", m.ID, m.Score)
			return res, nil
		}
	}
	if m, ok := best(MatchCustomer); ok {
		res.Action, res.Target = ActionLinkCustomer, m.ID
		res.Why = fmt.Sprintf("policy %s: customer %s matches with score %.2f", policy, m.ID, m.Score)
		return res, nil
	}
	if len(matches) > 0 {
		res.Why = fmt.Sprintf("policy %s: no match of the kind it acts on", policy)
	}
	return res, nil
}
