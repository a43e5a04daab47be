package customer

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// Pick says which side's value survives a merge for one field.
type Pick uint8

// Survivorship choices. Every zero field of a [Survivorship] takes the
// default documented there.
const (
	KeepSurvivor     Pick = iota + 1 // the survivor's value; the loser's when the survivor has none
	KeepLoser                        // the loser's value; the survivor's when the loser has none
	KeepNewest                       // the value of the record changed most recently (UpdatedAt)
	KeepMostAdvanced                 // the later stage or higher loyalty rung (Stage and Loyalty only)
)

var picks = enum.New[Pick]("pick", "survivor", "loser", "newest", "most_advanced")

// ParsePick parses a pick name such as "newest".
func ParsePick(s string) (Pick, error) { return picks.Parse(s) }

// String returns the pick's name.
func (p Pick) String() string { return picks.String(p) }

// Survivorship states which values survive when two customers are merged.
// Lists (roles, e-mails, phones, addresses, tags) are always united, the
// survivor's entries first, duplicates by normalised form dropped. Maps
// (dates, preferences, attributes) are united; on a key both hold, MapPick
// decides. For each consent channel the most recent decision wins. The key
// account flag survives if either side has it.
type Survivorship struct {
	Name      Pick // default KeepSurvivor
	Notes     Pick // default KeepSurvivor
	TimeZone  Pick // default KeepSurvivor
	Owner     Pick // default KeepSurvivor
	Lifecycle Pick // default KeepSurvivor
	Class     Pick // default KeepSurvivor
	Stage     Pick // default KeepMostAdvanced
	Loyalty   Pick // default KeepMostAdvanced
	MapPick   Pick // default KeepSurvivor
	// Programmes give the tier order [Service.Merge] uses when both
	// customers are members of one programme (see [Service.Merge]); a
	// programme not listed ranks its tiers as equal. Default: none.
	Programmes []Programme
}

func (s Survivorship) withDefaults() Survivorship {
	for _, p := range []*Pick{&s.Name, &s.Notes, &s.TimeZone, &s.Owner, &s.Lifecycle, &s.Class, &s.MapPick} {
		if *p == 0 {
			*p = KeepSurvivor
		}
	}
	for _, p := range []*Pick{&s.Stage, &s.Loyalty} {
		if *p == 0 {
			*p = KeepMostAdvanced
		}
	}
	return s
}

// Validate returns a *crm.ValidationError listing every problem of s.
func (s Survivorship) Validate() error {
	var v crm.Validator
	check := func(name string, p Pick, advanced bool) {
		v.Check(p == 0 || picks.Valid(p), name, "unknown pick")
		v.Check(advanced || p != KeepMostAdvanced, name, "most_advanced applies to stage and loyalty only")
	}
	check("name", s.Name, false)
	check("notes", s.Notes, false)
	check("time_zone", s.TimeZone, false)
	check("owner", s.Owner, false)
	check("lifecycle", s.Lifecycle, false)
	check("class", s.Class, false)
	check("stage", s.Stage, true)
	check("loyalty", s.Loyalty, true)
	check("map_pick", s.MapPick, false)
	if v.Check(len(s.Programmes) <= maxMergeProgrammes, "programmes", "too many") {
		seen := make(map[string]bool, len(s.Programmes))
		for i, p := range s.Programmes {
			path := fmt.Sprintf("programmes[%d]", i)
			v.Merge(path, p.Validate())
			v.Check(!seen[p.Name], path+".name", "duplicate")
			seen[p.Name] = true
		}
	}
	return v.Err("customer.Survivorship")
}

// maxMergeProgrammes bounds Survivorship.Programmes.
const maxMergeProgrammes = 100

// MergeDecision says which value of one field survived a merge.
type MergeDecision struct {
	// Field names the field, e.g. "name", "emails".
	Field string
	// From is "survivor", "loser" or "both".
	From string
	// Value is the surviving value in text form.
	Value string
}

// MergeResult reports a merge: who survived and, field by field, which
// value did.
type MergeResult struct {
	Survivor, Loser crm.ID
	Decisions       []MergeDecision
	// Records reports, for [Service.Merge] on a backend with relation or
	// account plan stores, what became of each referral, suggestion,
	// membership and account plan that named the loser: moved to the
	// survivor, or kept back by a clash rule. Merge (the function) leaves
	// it empty.
	Records []MergedRecord
}

// Merge folds loser into survivor following rules: the survivor takes the
// surviving values, the loser becomes a tombstone pointing to the survivor,
// and both record the merge in their history. Moving the loser's
// interactions, history and visits is the store's part (Service.Merge does
// all of it in one transaction). On error neither customer changes.
func Merge(survivor, loser *Customer, rules Survivorship, ch Change) (MergeResult, error) {
	var v crm.Validator
	v.Check(survivor != nil && loser != nil, "customers", "must not be nil")
	validateChange(&v, ch)
	v.Merge("rules", rules.Validate())
	if err := v.Err("customer.Merge"); err != nil {
		return MergeResult{}, err
	}
	switch {
	case survivor.tenant != loser.tenant:
		return MergeResult{}, fmt.Errorf("customer: merge: loser %s: %w", loser.id, crm.ErrNotFound)
	case survivor.id == loser.id:
		return MergeResult{}, crm.Invalid("customer.Merge", "loser", "cannot merge a customer into itself")
	}
	for _, c := range []*Customer{survivor, loser} {
		if err := c.guard("merge", true); err != nil {
			return MergeResult{}, err
		}
	}
	rules = rules.withDefaults()
	s := survivor.Clone()
	s.own() // the merge below changes s's state
	res := MergeResult{Survivor: s.id, Loser: loser.id}
	decide := func(field, from, value string) {
		res.Decisions = append(res.Decisions, MergeDecision{Field: field, From: from, Value: value})
	}
	loserNewer := loser.updatedAt.After(survivor.updatedAt)
	takeLoser := func(p Pick, survivorEmpty, loserEmpty bool) bool {
		switch p {
		case KeepLoser:
			return !loserEmpty
		case KeepNewest:
			return (loserNewer && !loserEmpty) || survivorEmpty
		}
		return survivorEmpty && !loserEmpty
	}
	side := func(loserWins bool) string {
		if loserWins {
			return "loser"
		}
		return "survivor"
	}

	if takeLoser(rules.Name, s.name == "", loser.name == "") {
		s.name = loser.name
		decide("name", "loser", s.name)
	} else {
		decide("name", "survivor", s.name)
	}
	if lw := takeLoser(rules.Notes, s.notes == "", loser.notes == ""); lw {
		s.notes = loser.notes
		decide("notes", "loser", "")
	}
	if lw := takeLoser(rules.TimeZone, s.timeZone == "", loser.timeZone == ""); lw {
		s.timeZone = loser.timeZone
		decide("time_zone", "loser", s.timeZone)
	}
	// Fields with a state machine or an owner change through the same
	// history and events as any other change of them.
	ownerFromLoser := takeLoser(rules.Owner, false, false) && s.owner != loser.owner
	if ownerFromLoser {
		s.record(HistoryOwner, string(s.owner), string(loser.owner), ch)
		s.emit(EventOwnerChanged, ch, OwnerChanged{From: s.owner, To: loser.owner})
		s.owner = loser.owner
	}
	decide("owner", side(ownerFromLoser), string(s.owner))
	lifecycleFromLoser := takeLoser(rules.Lifecycle, false, false) && s.lifecycle != loser.lifecycle
	if lifecycleFromLoser {
		s.record(HistoryLifecycle, s.lifecycle.String(), loser.lifecycle.String(), ch)
		s.emit(EventLifecycleChanged, ch, LifecycleChanged{From: s.lifecycle, To: loser.lifecycle})
		s.lifecycle = loser.lifecycle
	}
	decide("lifecycle", side(lifecycleFromLoser), s.lifecycle.String())
	classFromLoser := takeLoser(rules.Class, s.class == Unclassified, loser.class == Unclassified) && s.class != loser.class
	if classFromLoser {
		s.record(HistoryClass, s.class.String(), loser.class.String(), ch)
		s.emit(EventClassChanged, ch, ClassChanged{From: s.class, To: loser.class})
		s.class = loser.class
	}
	decide("class", side(classFromLoser), s.class.String())
	stageFromLoser := pickAdvanced(rules.Stage, takeLoser, int(s.stage), int(loser.stage)) && s.stage != loser.stage
	if stageFromLoser {
		s.record(HistoryStage, s.stage.String(), loser.stage.String(), ch)
		s.emit(EventStageChanged, ch, StageChanged{From: s.stage, To: loser.stage})
		s.stage = loser.stage
	}
	decide("stage", side(stageFromLoser), s.stage.String())
	loyaltyFromLoser := pickAdvanced(rules.Loyalty, takeLoser, int(s.loyalty), int(loser.loyalty)) && s.loyalty != loser.loyalty
	if loyaltyFromLoser {
		s.record(HistoryLoyalty, s.loyalty.String(), loser.loyalty.String(), ch)
		s.emit(EventLoyaltyChanged, ch, LoyaltyChanged{From: s.loyalty, To: loser.loyalty})
		s.loyalty = loser.loyalty
	}
	decide("loyalty", side(loyaltyFromLoser), s.loyalty.String())
	if loser.keyAccount && !s.keyAccount {
		s.keyAccount = true
		decide("key_account", "loser", "true")
	}
	// The united customer was last contacted when either of the two was.
	if loser.lastContact.After(s.lastContact) {
		s.lastContact = loser.lastContact
		decide("last_contact", "loser", s.lastContact.Format(time.RFC3339Nano))
	}

	s.roles = normRoles(append(s.roles, loser.roles...))
	s.emails = unite(s.emails, loser.emails, Email.Normalized)
	s.phones = unite(s.phones, loser.phones, Phone.Normalized)
	s.addresses = unite(s.addresses, cloneAddresses(loser.addresses), Address.Normalized)
	s.tags = slices.Compact(slices.Sorted(slices.Values(append(s.tags, loser.tags...))))
	decide("emails", "both", fmt.Sprint(len(s.emails)))
	decide("phones", "both", fmt.Sprint(len(s.phones)))
	decide("addresses", "both", fmt.Sprint(len(s.addresses)))
	var lim crm.Validator
	lim.Check(len(s.emails) <= MaxContacts, "emails", "too many after merge")
	lim.Check(len(s.phones) <= MaxContacts, "phones", "too many after merge")
	lim.Check(len(s.addresses) <= MaxContacts, "addresses", "too many after merge")
	lim.Check(len(s.tags) <= MaxTags, "tags", "too many after merge")

	preferLoser := rules.MapPick == KeepLoser || (rules.MapPick == KeepNewest && loserNewer)
	s.dates = uniteMaps(s.dates, loser.dates, preferLoser)
	s.prefs = uniteMaps(s.prefs, loser.prefs, preferLoser)
	s.attrs = uniteMaps(s.attrs, loser.attrs, preferLoser)
	lim.Check(len(s.dates) <= MaxMapEntries, "dates", "too many after merge")
	lim.Check(len(s.prefs) <= MaxMapEntries, "preferences", "too many after merge")
	lim.Check(len(s.attrs) <= MaxMapEntries, "attributes", "too many after merge")
	if err := lim.Err("customer.Merge"); err != nil {
		return MergeResult{}, err
	}
	for _, chn := range slices.Sorted(maps.Keys(loser.consents)) {
		lc := loser.consents[chn]
		if sc, ok := s.consents[chn]; !ok || lc.At.After(sc.At) {
			if s.consents == nil {
				s.consents = map[Channel]Consent{}
			}
			s.consents[chn] = lc
			decide("consent."+chn.String(), "loser", fmt.Sprint(lc.Granted))
		}
	}

	s.record(HistoryMerged, loser.id.String(), s.id.String(), ch)
	s.emit(EventMerged, ch, Merged{Survivor: s.id, Loser: loser.id})
	l := loser.Clone()
	l.own()
	l.mergedInto = s.id
	l.record(HistoryMerged, l.id.String(), s.id.String(), ch)
	// The united customer must still be storable: two customers within
	// the limits may not be once united (101 attributes, 21 e-mails).
	if err := checkStored("customer.Merge", s, nil); err != nil {
		return MergeResult{}, err
	}
	*survivor, *loser = *s, *l
	return res, nil
}

func pickAdvanced(p Pick, takeLoser func(Pick, bool, bool) bool, s, l int) bool {
	if p == KeepMostAdvanced {
		return l > s
	}
	return takeLoser(p, false, false)
}

func unite[T any](a, b []T, key func(T) string) []T {
	out := slices.Clone(a)
	seen := make(map[string]bool, len(a)+len(b))
	for _, x := range a {
		seen[key(x)] = true
	}
	for _, x := range b {
		if k := key(x); !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}

func uniteMaps[V any](a, b map[string]V, preferB bool) map[string]V {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := maps.Clone(a)
	if out == nil {
		out = map[string]V{}
	}
	for k, v := range b {
		if _, ok := out[k]; !ok || preferB {
			out[k] = v
		}
	}
	return out
}

// ErasureReport says what an erasure removed: the names of the fields, never
// their values.
type ErasureReport struct {
	CustomerID crm.ID
	ErasedAt   time.Time
	// Fields lists the erased fields that held data, e.g. "name", "emails".
	Fields []string
	// Interactions counts the interactions whose texts were blanked (set
	// by Service.Erase).
	Interactions int
}

// Erase removes the customer's personal data on request: name (replaced by
// "[erased]"), contact points, dates, time zone, preferences, attributes,
// tags, notes and consents. The ID, tenant, kind, roles, stages, class,
// owner and history stay, so aggregates and reports still add up. Erasing
// twice is refused with crm.ErrErased.
func (c *Customer) Erase(ch Change) (ErasureReport, error) {
	if err := c.guard("erase", true); err != nil {
		return ErasureReport{}, err
	}
	var v crm.Validator
	validateChange(&v, ch)
	if err := v.Err("customer.Erase"); err != nil {
		return ErasureReport{}, err
	}
	r := ErasureReport{CustomerID: c.id, ErasedAt: ch.At.UTC()}
	note := func(field string, had bool) {
		if had {
			r.Fields = append(r.Fields, field)
		}
	}
	note("name", c.name != "")
	note("emails", len(c.emails) > 0)
	note("phones", len(c.phones) > 0)
	note("addresses", len(c.addresses) > 0)
	note("dates", len(c.dates) > 0)
	note("time_zone", c.timeZone != "")
	note("preferences", len(c.prefs) > 0)
	note("attributes", len(c.attrs) > 0)
	note("tags", len(c.tags) > 0)
	note("notes", c.notes != "")
	note("consents", len(c.consents) > 0)
	c.own()
	c.name = erasedPlaceholder
	c.emails, c.phones, c.addresses = nil, nil, nil
	c.dates, c.prefs, c.attrs, c.consents = nil, nil, nil, nil
	c.timeZone, c.notes, c.tags = "", "", nil
	c.erasedAt = r.ErasedAt
	c.record(HistoryErased, "", "erased", ch)
	c.emit(EventErased, ch, Erased{Fields: slices.Clone(r.Fields)})
	return r, nil
}
