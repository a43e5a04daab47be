package customer

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// Limits on customer fields.
const (
	MaxNameLen        = 200   // runes in a name
	MaxNotesLen       = 10000 // runes in the notes
	MaxContacts       = 20    // e-mails, phones or addresses, each
	MaxMapEntries     = 100   // preferences, attributes or dates, each
	MaxKeyLen         = 64    // bytes in a preference, attribute, date or tag key
	MaxValueLen       = 4096  // runes in a preference or attribute value
	MaxTags           = 100   // tags on one customer
	MaxSourceLen      = 200   // runes in a consent's source
	erasedPlaceholder = "[erased]"
)

// Customer is a person or organisation the business serves: the one record
// per real customer that the whole library shares. Fields are private;
// methods validate their input, leave the customer unchanged when they
// refuse, record history for changes that matter and domain events for the
// service to publish after commit.
//
// A Customer is not safe for concurrent use; stores hand out copies. Build
// one with [New] or [FromRecord]: the zero Customer is not usable.
type Customer struct {
	// state holds the stored fields. It is shared copy-on-write with
	// clones while shared is set: every method that changes it calls own
	// first.
	*state

	// id and tenant never change: kept beside the state, a store's Get
	// and the guard's checks of it do not reach into the state.
	id     crm.ID
	tenant crm.TenantID

	version int64
	pending []HistoryEntry
	events  []crm.Event

	// shared is set when state may be shared with another Customer: Clone
	// sets it on both sides.
	shared bool
}

// state is a customer's stored state but its version. A state reachable
// from a Customer whose shared flag is set is never written: own copies it
// (with its lists and maps) before any change.
type state struct {
	createdAt time.Time
	updatedAt time.Time

	kind      Kind
	name      string
	roles     []Role // sorted, no duplicates, never empty
	emails    []Email
	phones    []Phone
	addresses []Address
	dates     map[string]Date
	timeZone  string // IANA name; "" means UTC
	prefs     map[string]string
	attrs     map[string]string
	tags      []string // sorted, lower-case, no duplicates
	consents  map[Channel]Consent
	notes     string

	stage      Stage
	loyalty    Loyalty
	lifecycle  Lifecycle
	class      Class
	keyAccount bool
	owner      crm.UserID

	mergedInto crm.ID
	erasedAt   time.Time

	historySeq  int64
	lastContact time.Time // UTC; zero: never contacted
}

// NewInput holds what is needed to create a customer.
type NewInput struct {
	ID     crm.ID
	Tenant crm.TenantID
	Kind   Kind
	Name   string
	// Roles must hold at least one role.
	Roles []Role
	// Owner is the account manager responsible for the customer. Required:
	// every customer has exactly one owner at all times.
	Owner     crm.UserID
	Emails    []Email
	Phones    []Phone
	Addresses []Address
	// TimeZone is an IANA zone name such as "Asia/Shanghai"; "" means UTC.
	TimeZone string
	// Stage, Loyalty and Lifecycle default to Unfamiliar, Awareness and Active.
	Stage     Stage
	Loyalty   Loyalty
	Lifecycle Lifecycle
}

// New validates in and returns a new customer, recording its creation in
// the history as made by ch.Actor at ch.At.
func New(in NewInput, ch Change) (*Customer, error) {
	var v crm.Validator
	v.Check(!in.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", in.Tenant.Validate())
	v.Check(in.Kind.Valid(), "kind", "unknown kind")
	checkName(&v, "name", in.Name)
	checkRoles(&v, in.Roles)
	v.Merge("owner", in.Owner.Validate())
	checkContacts(&v, in.Emails, in.Phones, in.Addresses)
	checkTimeZone(&v, in.TimeZone)
	if in.Stage == 0 {
		in.Stage = Unfamiliar
	}
	if in.Loyalty == 0 {
		in.Loyalty = Awareness
	}
	if in.Lifecycle == 0 {
		in.Lifecycle = Active
	}
	v.Check(in.Stage.Valid(), "stage", "unknown stage")
	v.Check(in.Loyalty.Valid(), "loyalty", "unknown loyalty rung")
	v.Check(in.Lifecycle.Valid(), "lifecycle", "unknown lifecycle status")
	validateChange(&v, ch)
	if err := v.Err("customer.New"); err != nil {
		return nil, err
	}
	at := ch.At.UTC()
	c := &Customer{id: in.ID, tenant: in.Tenant, state: &state{
		createdAt: at, updatedAt: at,
		kind: in.Kind, name: strings.TrimSpace(in.Name), roles: normRoles(in.Roles),
		emails: slices.Clone(in.Emails), phones: slices.Clone(in.Phones),
		addresses: cloneAddresses(in.Addresses), timeZone: in.TimeZone,
		stage: in.Stage, loyalty: in.Loyalty, lifecycle: in.Lifecycle,
		class: Unclassified, owner: in.Owner,
	}}
	c.record(HistoryCreated, "", c.stage.String(), ch)
	c.emit(EventCreated, ch, Created{Name: c.name, Owner: c.owner})
	return c, nil
}

// ID returns the customer's ID (the zero ID for the zero Customer, so that
// stores refuse one instead of failing on it).
func (c *Customer) ID() crm.ID { return c.id }

// Tenant returns the tenant that owns the customer ("" for the zero
// Customer, so that stores refuse one instead of failing on it).
func (c *Customer) Tenant() crm.TenantID { return c.tenant }

// Version returns the stored version: 0 before the first save, then
// incremented by every save. Stores use it for optimistic concurrency.
func (c *Customer) Version() int64 { return c.version }

// CreatedAt returns when the customer was created.
func (c *Customer) CreatedAt() time.Time { return c.createdAt }

// UpdatedAt returns when the customer was last changed through a service.
func (c *Customer) UpdatedAt() time.Time { return c.updatedAt }

// Kind returns whether the customer is a person or an organisation.
func (c *Customer) Kind() Kind { return c.kind }

// Name returns the display name.
func (c *Customer) Name() string { return c.name }

// Roles returns the customer's roles in order.
func (c *Customer) Roles() []Role { return slices.Clone(c.roles) }

// HasRole reports whether the customer holds role r.
func (c *Customer) HasRole(r Role) bool {
	_, ok := slices.BinarySearch(c.roles, r)
	return ok
}

// Emails returns the e-mail addresses, the primary one first.
func (c *Customer) Emails() []Email { return slices.Clone(c.emails) }

// Phones returns the phone numbers, the primary one first.
func (c *Customer) Phones() []Phone { return slices.Clone(c.phones) }

// Addresses returns the postal addresses, the primary one first.
func (c *Customer) Addresses() []Address { return cloneAddresses(c.addresses) }

// Dates returns the customer's important dates by key ("birthday",
// "anniversary", "contract_signed", … as the host names them).
func (c *Customer) Dates() map[string]Date { return maps.Clone(c.dates) }

// Date returns the date stored under key.
func (c *Customer) Date(key string) (Date, bool) {
	d, ok := c.dates[key]
	return d, ok
}

// TimeZone returns the customer's IANA time zone name ("" means UTC).
func (c *Customer) TimeZone() string { return c.timeZone }

// Location returns the customer's time zone, UTC when none is set or the
// zone database does not know it.
func (c *Customer) Location() *time.Location {
	if c.timeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(c.timeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Preferences returns the customer's preferences (kept to serve them).
func (c *Customer) Preferences() map[string]string { return maps.Clone(c.prefs) }

// Attributes returns the host's free attributes of the customer.
func (c *Customer) Attributes() map[string]string { return maps.Clone(c.attrs) }

// Attribute returns the attribute stored under key.
func (c *Customer) Attribute(key string) (string, bool) {
	v, ok := c.attrs[key]
	return v, ok
}

// Tags returns the tags in sorted order.
func (c *Customer) Tags() []string { return slices.Clone(c.tags) }

// HasTag reports whether the customer carries tag (compared case-insensitively).
func (c *Customer) HasTag(tag string) bool {
	_, ok := slices.BinarySearch(c.tags, normTag(tag))
	return ok
}

// Notes returns the free-text notes on the customer (personality, habits).
func (c *Customer) Notes() string { return c.notes }

// Stage returns the relationship stage.
func (c *Customer) Stage() Stage { return c.stage }

// Loyalty returns the rung on the loyalty ladder.
func (c *Customer) Loyalty() Loyalty { return c.loyalty }

// Lifecycle returns the status after the sale.
func (c *Customer) Lifecycle() Lifecycle { return c.lifecycle }

// Class returns the classification.
func (c *Customer) Class() Class { return c.class }

// KeyAccount reports whether the customer is a key account (大客户).
func (c *Customer) KeyAccount() bool { return c.keyAccount }

// Owner returns the account manager responsible for the customer.
func (c *Customer) Owner() crm.UserID { return c.owner }

// LastContact returns when the customer was last contacted: the latest At
// of its stored interactions (UTC), or the zero Time when it never was.
// Stores keep it: AddInteraction moves it forward, never backwards, and a
// merge keeps the later of the two customers' last contacts.
func (c *Customer) LastContact() time.Time { return c.lastContact }

// NoteContact moves the customer's last contact forward to at when at is
// later, reporting whether it moved. It records no history and no event and
// does not count as a change of the customer: it is what a store calls in
// AddInteraction, in the interaction's transaction, to keep LastContact.
// An at outside the stored time range (crm.ValidTime) is ignored.
func (c *Customer) NoteContact(at time.Time) bool {
	if c.state == nil || !crm.ValidTime(at) || !at.After(c.lastContact) {
		return false
	}
	c.own()
	c.lastContact = at.UTC()
	return true
}

// MergedInto returns the survivor's ID when the customer was merged into
// another and remains only as a tombstone; otherwise the zero ID.
func (c *Customer) MergedInto() crm.ID { return c.mergedInto }

// IsTombstone reports whether the customer was merged into another.
func (c *Customer) IsTombstone() bool { return !c.mergedInto.IsZero() }

// ErasedAt returns when the customer's personal data was erased, or the
// zero time.
func (c *Customer) ErasedAt() time.Time { return c.erasedAt }

// IsErased reports whether the customer's personal data was erased.
func (c *Customer) IsErased() bool { return !c.erasedAt.IsZero() }

// guard refuses changes to tombstones, and to personal data once erased.
func (c *Customer) guard(op string, personal bool) error {
	if c.IsTombstone() {
		return &MergedError{ID: c.id, Into: c.mergedInto}
	}
	if personal && c.IsErased() {
		return fmt.Errorf("customer: %s %s: %w", op, c.id, crm.ErrErased)
	}
	return nil
}

// Rename sets the display name.
func (c *Customer) Rename(name string) error {
	if err := c.guard("rename", true); err != nil {
		return err
	}
	var v crm.Validator
	checkName(&v, "name", name)
	if err := v.Err("customer.Rename"); err != nil {
		return err
	}
	c.own()
	c.name = strings.TrimSpace(name)
	return nil
}

// SetKind changes whether the customer is a person or an organisation.
func (c *Customer) SetKind(k Kind) error {
	if err := c.guard("set kind", false); err != nil {
		return err
	}
	if !k.Valid() {
		return crm.Invalid("customer.SetKind", "kind", "unknown kind")
	}
	c.own()
	c.kind = k
	return nil
}

// SetRoles replaces the roles; at least one is required.
func (c *Customer) SetRoles(roles ...Role) error {
	if err := c.guard("set roles", false); err != nil {
		return err
	}
	var v crm.Validator
	checkRoles(&v, roles)
	if err := v.Err("customer.SetRoles"); err != nil {
		return err
	}
	c.own()
	c.roles = normRoles(roles)
	return nil
}

// AddRole adds a role; adding a role already held does nothing.
func (c *Customer) AddRole(r Role) error {
	if !r.Valid() {
		return crm.Invalid("customer.AddRole", "role", "unknown role")
	}
	return c.SetRoles(append(c.Roles(), r)...)
}

// RemoveRole removes a role; the last role cannot be removed.
func (c *Customer) RemoveRole(r Role) error {
	if !c.HasRole(r) {
		return crm.Invalid("customer.RemoveRole", "role", "not held: "+r.String())
	}
	return c.SetRoles(slices.DeleteFunc(c.Roles(), func(x Role) bool { return x == r })...)
}

// SetContacts replaces the e-mail addresses, phone numbers and postal
// addresses; the first of each is the primary one. Duplicates (by
// normalised form) are refused.
func (c *Customer) SetContacts(emails []Email, phones []Phone, addresses []Address) error {
	if err := c.guard("set contacts", true); err != nil {
		return err
	}
	var v crm.Validator
	checkContacts(&v, emails, phones, addresses)
	if err := v.Err("customer.SetContacts"); err != nil {
		return err
	}
	c.own()
	c.emails, c.phones, c.addresses = slices.Clone(emails), slices.Clone(phones), cloneAddresses(addresses)
	return nil
}

// AddEmail appends an e-mail address unless an equal one is already there.
func (c *Customer) AddEmail(e Email) error {
	if slices.ContainsFunc(c.emails, func(x Email) bool { return x.Normalized() == e.Normalized() }) {
		return nil
	}
	return c.SetContacts(append(c.Emails(), e), c.phones, c.addresses)
}

// AddPhone appends a phone number unless an equal one is already there.
func (c *Customer) AddPhone(p Phone) error {
	if slices.ContainsFunc(c.phones, func(x Phone) bool { return x.Normalized() == p.Normalized() }) {
		return nil
	}
	return c.SetContacts(c.emails, append(c.Phones(), p), c.addresses)
}

// SetDate stores an important date under key (e.g. "birthday").
func (c *Customer) SetDate(key string, d Date) error {
	if err := c.guard("set date", true); err != nil {
		return err
	}
	var v crm.Validator
	checkKey(&v, "dates", key)
	v.Merge("dates."+key, d.Validate())
	v.Check(len(c.dates) < MaxMapEntries || hasKey(c.dates, key), "dates", "too many entries")
	if err := v.Err("customer.SetDate"); err != nil {
		return err
	}
	c.own()
	if c.dates == nil {
		c.dates = map[string]Date{}
	}
	c.dates[key] = d
	return nil
}

// RemoveDate removes the date stored under key, if any.
func (c *Customer) RemoveDate(key string) error {
	if err := c.guard("remove date", true); err != nil {
		return err
	}
	if _, ok := c.dates[key]; ok {
		c.own()
		delete(c.dates, key)
	}
	return nil
}

// SetTimeZone sets the customer's IANA time zone ("" for UTC).
func (c *Customer) SetTimeZone(name string) error {
	if err := c.guard("set time zone", true); err != nil {
		return err
	}
	var v crm.Validator
	checkTimeZone(&v, name)
	if err := v.Err("customer.SetTimeZone"); err != nil {
		return err
	}
	c.own()
	c.timeZone = name
	return nil
}

// SetPreference stores a preference; an empty value removes it.
func (c *Customer) SetPreference(key, value string) error {
	if err := c.guard("set preference", true); err != nil {
		return err
	}
	if err := checkEntry("customer.SetPreference", "preferences", c.prefs, key, value); err != nil {
		return err
	}
	c.own()
	c.prefs = putEntry(c.prefs, key, value)
	return nil
}

// SetAttribute stores a free attribute; an empty value removes it.
func (c *Customer) SetAttribute(key, value string) error {
	if err := c.guard("set attribute", true); err != nil {
		return err
	}
	if err := checkEntry("customer.SetAttribute", "attributes", c.attrs, key, value); err != nil {
		return err
	}
	c.own()
	c.attrs = putEntry(c.attrs, key, value)
	return nil
}

// AddTag adds a tag (stored lower-cased); adding a present tag does nothing.
func (c *Customer) AddTag(tag string) error {
	if err := c.guard("add tag", true); err != nil {
		return err
	}
	var v crm.Validator
	t := normTag(tag)
	v.Check(utf8.ValidString(tag), "tags", "not valid UTF-8")
	checkKey(&v, "tags", t)
	if err := v.Err("customer.AddTag"); err != nil {
		return err
	}
	i, found := slices.BinarySearch(c.tags, t)
	if found {
		return nil
	}
	if len(c.tags) >= MaxTags {
		return crm.Invalid("customer.AddTag", "tags", "too many tags")
	}
	c.own()
	c.tags = slices.Insert(c.tags, i, t)
	return nil
}

// RemoveTag removes a tag, if present.
func (c *Customer) RemoveTag(tag string) error {
	if err := c.guard("remove tag", false); err != nil {
		return err
	}
	if i, found := slices.BinarySearch(c.tags, normTag(tag)); found {
		c.own()
		c.tags = slices.Delete(c.tags, i, i+1)
	}
	return nil
}

// SetNotes replaces the free-text notes.
func (c *Customer) SetNotes(notes string) error {
	if err := c.guard("set notes", true); err != nil {
		return err
	}
	var v crm.Validator
	checkText(&v, "notes", notes, MaxNotesLen, false)
	if err := v.Err("customer.SetNotes"); err != nil {
		return err
	}
	c.own()
	c.notes = notes
	return nil
}

// MoveStage moves the relationship to stage to. Reaching Mature requires
// contract, a reference to the signed contract (the only mark of maturity)
// of at most MaxNameLen runes.
// A move the stage machine does not allow returns a *crm.TransitionError
// and changes nothing.
func (c *Customer) MoveStage(to Stage, contract string, ch Change) error {
	if err := c.guard("move stage", false); err != nil {
		return err
	}
	var v crm.Validator
	v.Check(to.Valid(), "stage", "unknown stage")
	v.Check(utf8.ValidString(contract) && utf8.RuneCountInString(contract) <= MaxNameLen, "contract", "too long or not valid UTF-8")
	validateChange(&v, ch)
	if err := v.Err("customer.MoveStage"); err != nil {
		return err
	}
	if err := stageMachine.check(c.stage, to); err != nil {
		return err
	}
	if to == Mature && strings.TrimSpace(contract) == "" {
		return &crm.TransitionError{Machine: stageMachine.name, From: c.stage.String(), To: to.String(), Reason: "a signed contract is required"}
	}
	if to == Mature && ch.Reason == "" {
		ch.Reason = "contract " + contract
	}
	c.own()
	from := c.stage
	c.stage = to
	c.record(HistoryStage, from.String(), to.String(), ch)
	c.emit(EventStageChanged, ch, StageChanged{From: from, To: to})
	return nil
}

// MoveLoyalty moves the customer to rung to on the loyalty ladder.
func (c *Customer) MoveLoyalty(to Loyalty, ch Change) error {
	if err := c.guard("move loyalty", false); err != nil {
		return err
	}
	var v crm.Validator
	v.Check(to.Valid(), "loyalty", "unknown loyalty rung")
	validateChange(&v, ch)
	if err := v.Err("customer.MoveLoyalty"); err != nil {
		return err
	}
	if err := loyaltyMachine.check(c.loyalty, to); err != nil {
		return err
	}
	c.own()
	from := c.loyalty
	c.loyalty = to
	c.record(HistoryLoyalty, from.String(), to.String(), ch)
	c.emit(EventLoyaltyChanged, ch, LoyaltyChanged{From: from, To: to})
	return nil
}

// MoveLifecycle moves the customer to lifecycle status to.
func (c *Customer) MoveLifecycle(to Lifecycle, ch Change) error {
	if err := c.guard("move lifecycle", false); err != nil {
		return err
	}
	var v crm.Validator
	v.Check(to.Valid(), "lifecycle", "unknown lifecycle status")
	validateChange(&v, ch)
	if err := v.Err("customer.MoveLifecycle"); err != nil {
		return err
	}
	if err := lifecycleMachine.check(c.lifecycle, to); err != nil {
		return err
	}
	c.own()
	from := c.lifecycle
	c.lifecycle = to
	c.record(HistoryLifecycle, from.String(), to.String(), ch)
	c.emit(EventLifecycleChanged, ch, LifecycleChanged{From: from, To: to})
	return nil
}

// AssignOwner hands the customer to another account manager. The
// reassignment is kept in the history; a reason is required so that nobody
// passes a customer on unnoticed. Assigning the current owner is refused.
func (c *Customer) AssignOwner(to crm.UserID, ch Change) error {
	if err := c.guard("assign owner", false); err != nil {
		return err
	}
	var v crm.Validator
	v.Merge("owner", to.Validate())
	validateChange(&v, ch)
	v.Check(strings.TrimSpace(ch.Reason) != "", "change.reason", "required for a reassignment")
	v.Check(to != c.owner, "owner", "already the owner")
	if err := v.Err("customer.AssignOwner"); err != nil {
		return err
	}
	c.own()
	from := c.owner
	c.owner = to
	c.record(HistoryOwner, string(from), string(to), ch)
	c.emit(EventOwnerChanged, ch, OwnerChanged{From: from, To: to})
	return nil
}

// SetClass sets the classification; setting the current class does nothing.
func (c *Customer) SetClass(to Class, ch Change) error {
	if err := c.guard("set class", false); err != nil {
		return err
	}
	var v crm.Validator
	v.Check(to.Valid(), "class", "unknown class")
	validateChange(&v, ch)
	if err := v.Err("customer.SetClass"); err != nil {
		return err
	}
	if to == c.class {
		return nil
	}
	c.own()
	from := c.class
	c.class = to
	c.record(HistoryClass, from.String(), to.String(), ch)
	c.emit(EventClassChanged, ch, ClassChanged{From: from, To: to})
	return nil
}

// SetKeyAccount flags or unflags the customer as a key account.
func (c *Customer) SetKeyAccount(key bool, ch Change) error {
	if err := c.guard("set key account", false); err != nil {
		return err
	}
	var v crm.Validator
	validateChange(&v, ch)
	if err := v.Err("customer.SetKeyAccount"); err != nil {
		return err
	}
	if key == c.keyAccount {
		return nil
	}
	c.own()
	c.keyAccount = key
	c.record(HistoryKeyAccount, fmt.Sprint(!key), fmt.Sprint(key), ch)
	return nil
}

// record appends a history entry for a change.
func (c *Customer) record(kind HistoryKind, from, to string, ch Change) {
	c.own()
	c.historySeq++
	c.pending = append(c.pending, HistoryEntry{
		CustomerID: c.id, OriginID: c.id, Seq: c.historySeq, Kind: kind,
		From: from, To: to, At: ch.At.UTC(), Actor: ch.Actor, Reason: ch.Reason,
	})
}

// emit records a domain event.
func (c *Customer) emit(typ string, ch Change, data any) {
	c.events = append(c.events, crm.Event{
		Type: typ, Tenant: c.tenant, AggregateID: c.id, At: ch.At.UTC(), Actor: string(ch.Actor), Data: data,
	})
}

// PendingHistory returns the history entries recorded since the customer
// was built, loaded or last saved. It is for store implementations: a store
// appends them to the customer's history in the same transaction as the
// customer (the stores of this module use internal hooks instead).
func (c *Customer) PendingHistory() []HistoryEntry { return slices.Clone(c.pending) }

// Events returns the domain events recorded since the customer was built,
// loaded or last saved, in order, with Version set to the customer's
// version. Services take them when they store the change and publish them
// after the commit.
func (c *Customer) Events() []crm.Event {
	out := slices.Clone(c.events)
	for i := range out {
		out[i].Version = c.version
	}
	return out
}

// saved is the Saved hook: the customer and its pending changes are stored.
func (c *Customer) saved(version int64) {
	c.version = version
	c.pending = nil
	c.events = nil
}

func (c *Customer) touch(at time.Time) {
	if at.After(c.updatedAt) {
		c.own()
		c.updatedAt = at.UTC()
	}
}

// Clone returns an independent copy of the customer: its stored state and
// its pending changes (history entries and events) alike, as every
// entity's Clone does. A change to either customer never shows in the
// other.
//
// The copy of the stored state is made on write: the two customers share
// it until one of them changes, which first copies it. Clone therefore
// marks c too, the first time c is cloned after it was created, loaded or
// changed; cloning a customer that was itself made by Clone (as every copy
// a store holds is) writes nothing to it, so such a customer can be cloned
// by many goroutines at once.
func (c *Customer) Clone() *Customer {
	if !c.shared {
		c.shared = true
	}
	d := *c
	d.pending = slices.Clone(c.pending)
	d.events = slices.Clone(c.events)
	return &d
}

// own gives c its own copy of its state, lists and maps included, so that
// it can change it. It does nothing when c shares nothing.
func (c *Customer) own() {
	if !c.shared {
		return
	}
	st := *c.state
	st.roles = slices.Clone(st.roles)
	st.emails = slices.Clone(st.emails)
	st.phones = slices.Clone(st.phones)
	st.addresses = cloneAddresses(st.addresses)
	st.dates = maps.Clone(st.dates)
	st.prefs = maps.Clone(st.prefs)
	st.attrs = maps.Clone(st.attrs)
	st.tags = slices.Clone(st.tags)
	st.consents = maps.Clone(st.consents)
	c.state = &st
	c.shared = false
}

func cloneAddresses(in []Address) []Address {
	if in == nil {
		return nil
	}
	out := make([]Address, len(in))
	for i, a := range in {
		a.Lines = slices.Clone(a.Lines)
		out[i] = a
	}
	return out
}

func normRoles(in []Role) []Role {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

func normTag(t string) string { return strings.ToLower(strings.TrimSpace(t)) }

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

func checkName(v *crm.Validator, path, name string) {
	n := strings.TrimSpace(name)
	switch {
	case n == "":
		v.Addf(path, "must not be empty")
	case !utf8.ValidString(n):
		v.Addf(path, "not valid UTF-8")
	case utf8.RuneCountInString(n) > MaxNameLen:
		v.Addf(path, "longer than %d characters", MaxNameLen)
	case strings.ContainsFunc(n, unicode.IsControl):
		v.Addf(path, "must not contain control characters")
	}
}

func checkRoles(v *crm.Validator, roles []Role) {
	if len(roles) == 0 {
		v.Addf("roles", "at least one role is required")
	}
	for i, r := range roles {
		if !r.Valid() {
			v.Addf(fmt.Sprintf("roles[%d]", i), "unknown role")
		}
	}
}

func checkContacts(v *crm.Validator, emails []Email, phones []Phone, addresses []Address) {
	few := v.Check(len(emails) <= MaxContacts, "emails", "too many")
	few = v.Check(len(phones) <= MaxContacts, "phones", "too many") && few
	few = v.Check(len(addresses) <= MaxContacts, "addresses", "too many") && few
	if !few { // the entries of an oversized list are not looked at
		return
	}
	// Most customers have one address of each kind: the duplicate checks
	// allocate nothing then (Email.Normalized does, Phone.Normalized not).
	var seen map[string]bool
	for i, e := range emails {
		switch {
		case e.IsZero():
			v.Addf(fmt.Sprintf("emails[%d]", i), "must not be empty")
		case len(emails) == 1:
		default:
			if seen == nil {
				seen = make(map[string]bool, len(emails))
			}
			if k := e.Normalized(); seen[k] {
				v.Addf(fmt.Sprintf("emails[%d]", i), "duplicate")
			} else {
				seen[k] = true
			}
		}
	}
	for i, ph := range phones {
		if ph.IsZero() {
			v.Addf(fmt.Sprintf("phones[%d]", i), "must not be empty")
			continue
		}
		for _, earlier := range phones[:i] {
			if earlier.Normalized() == ph.Normalized() {
				v.Addf(fmt.Sprintf("phones[%d]", i), "duplicate")
				break
			}
		}
	}
	for i, a := range addresses {
		v.Merge(fmt.Sprintf("addresses[%d]", i), a.Validate())
	}
}

func checkTimeZone(v *crm.Validator, name string) { checkZone(v, name, nil) }

// checkZone is checkTimeZone with a cache of the names known to load (nil
// for none): loading a zone reads the zone database, which costs more than
// every other check of a customer together.
func checkZone(v *crm.Validator, name string, known *sync.Map) {
	if name == "" {
		return
	}
	if len(name) > 64 || strings.ContainsAny(name, " \\") || strings.Contains(name, "..") {
		v.Addf("time_zone", "malformed zone name")
		return
	}
	if known != nil {
		if _, ok := known.Load(name); ok {
			return
		}
	}
	if _, err := time.LoadLocation(name); err != nil || name == "Local" {
		v.Addf("time_zone", "unknown zone %.64q", name)
		return
	}
	if known != nil {
		known.Store(name, struct{}{}) // bounded: only names the zone database has
	}
}

// checkKey checks a map key or tag, reporting whether it is good.
func checkKey(v *crm.Validator, path, key string) bool {
	switch {
	case key == "":
		v.Addf(path, "key must not be empty")
	case len(key) > MaxKeyLen:
		v.Addf(path, "key longer than %d bytes", MaxKeyLen)
	case !utf8.ValidString(key) || strings.ContainsFunc(key, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }):
		v.Addf(path, "key must be printable with no spaces")
	default:
		return true
	}
	return false
}

// checkEntry validates setting key to value in m.
func checkEntry(op, path string, m map[string]string, key, value string) error {
	var v crm.Validator
	if checkKey(&v, path, key) {
		checkText(&v, path+"."+key, value, MaxValueLen, false)
	}
	v.Check(len(m) < MaxMapEntries || hasKey(m, key) || value == "", path, "too many entries")
	return v.Err(op)
}

// putEntry sets key to value in m (an empty value deletes it), writing m
// in place; it returns m, allocated when nil.
func putEntry(m map[string]string, key, value string) map[string]string {
	if value == "" {
		delete(m, key)
		return m
	}
	if m == nil {
		m = map[string]string{}
	}
	m[key] = value
	return m
}

// MergedError reports that a customer was merged into another and remains
// only as a tombstone. It unwraps to [crm.ErrMerged].
type MergedError struct {
	ID, Into crm.ID
}

// Error says which customer the record was merged into.
func (e *MergedError) Error() string {
	return fmt.Sprintf("customer %s was merged into %s", e.ID, e.Into)
}

// Unwrap returns crm.ErrMerged.
func (e *MergedError) Unwrap() error { return crm.ErrMerged }
