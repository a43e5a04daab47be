package customer

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// Record is the persisted form of a [Customer]: every stored field, exported,
// for store implementations that map a customer to rows or documents.
// Pending history and events are not part of it. Build one with
// [Customer.Record] and rebuild the customer with [FromRecord].
type Record struct {
	ID         crm.ID
	Tenant     crm.TenantID
	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Kind       Kind
	Name       string
	Roles      []Role
	Emails     []Email
	Phones     []Phone
	Addresses  []Address
	Dates      map[string]Date
	TimeZone   string
	Prefs      map[string]string
	Attrs      map[string]string
	Tags       []string
	Consents   map[Channel]Consent
	Notes      string
	Stage      Stage
	Loyalty    Loyalty
	Lifecycle  Lifecycle
	Class      Class
	KeyAccount bool
	Owner      crm.UserID
	MergedInto crm.ID
	ErasedAt   time.Time
	// HistorySeq is the sequence number of the customer's last history entry.
	HistorySeq int64
	// LastContact is when the customer was last contacted (zero: never);
	// see [Customer.LastContact].
	LastContact time.Time
}

// Record returns the customer's persisted form, sharing nothing with c.
func (c *Customer) Record() Record {
	return Record{
		ID: c.id, Tenant: c.tenant, Version: c.version, CreatedAt: c.createdAt, UpdatedAt: c.updatedAt,
		Kind: c.kind, Name: c.name, Roles: slices.Clone(c.roles),
		Emails: slices.Clone(c.emails), Phones: slices.Clone(c.phones), Addresses: cloneAddresses(c.addresses),
		Dates: maps.Clone(c.dates), TimeZone: c.timeZone, Prefs: maps.Clone(c.prefs), Attrs: maps.Clone(c.attrs),
		Tags: slices.Clone(c.tags), Consents: maps.Clone(c.consents), Notes: c.notes,
		Stage: c.stage, Loyalty: c.loyalty, Lifecycle: c.lifecycle, Class: c.class,
		KeyAccount: c.keyAccount, Owner: c.owner, MergedInto: c.mergedInto, ErasedAt: c.erasedAt,
		HistorySeq: c.historySeq, LastContact: c.lastContact,
	}
}

// FromRecord rebuilds a customer from its persisted form. It checks the
// invariants every stored customer keeps (identity, known enum values, one
// owner) but not creation-only rules, so records written by older versions
// still load. The customer shares nothing with r.
func FromRecord(r Record) (*Customer, error) {
	if err := checkRecord(r); err != nil {
		return nil, err
	}
	r.Roles, r.Emails, r.Phones = slices.Clone(r.Roles), slices.Clone(r.Emails), slices.Clone(r.Phones)
	r.Addresses, r.Tags = cloneAddresses(r.Addresses), slices.Clone(r.Tags)
	r.Dates, r.Prefs, r.Attrs, r.Consents = maps.Clone(r.Dates), maps.Clone(r.Prefs), maps.Clone(r.Attrs), maps.Clone(r.Consents)
	return adopt(r), nil
}

// adoptRecord is the Adopt hook: FromRecord without the copies, for records
// a store has just decoded.
func adoptRecord(r Record) (*Customer, error) {
	if err := checkRecord(r); err != nil {
		return nil, err
	}
	return adopt(r), nil
}

// checkRecord checks the invariants of a stored customer.
func checkRecord(r Record) error {
	var v crm.Validator
	v.Check(!r.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", r.Tenant.Validate())
	v.Check(r.Version >= 0, "version", "must not be negative")
	v.Check(r.Kind.Valid(), "kind", "unknown kind")
	v.Check(r.Stage.Valid(), "stage", "unknown stage")
	v.Check(r.Loyalty.Valid(), "loyalty", "unknown loyalty rung")
	v.Check(r.Lifecycle.Valid(), "lifecycle", "unknown lifecycle status")
	v.Check(r.Class.Valid(), "class", "unknown class")
	v.Merge("owner", r.Owner.Validate())
	v.Check(len(r.Roles) > 0 || r.IsErasedOrMerged(), "roles", "at least one role is required")
	for i, role := range r.Roles {
		if !role.Valid() { // the path is built only for a bad role
			v.Addf(fmt.Sprintf("roles[%d]", i), "unknown role")
		}
	}
	for ch := range r.Consents {
		v.Check(ch.Valid(), "consents", "unknown channel")
	}
	v.Check(r.HistorySeq >= 0, "history_seq", "must not be negative")
	v.Check(r.LastContact.IsZero() || crm.ValidTime(r.LastContact), "last_contact", "outside the stored time range")
	return v.Err("customer.FromRecord")
}

// adopt builds the customer of a checked record, taking its lists and maps.
func adopt(r Record) *Customer {
	slices.Sort(r.Roles)
	slices.Sort(r.Tags)
	return &Customer{id: r.ID, tenant: r.Tenant, version: r.Version, state: &state{
		createdAt: r.CreatedAt, updatedAt: r.UpdatedAt,
		kind: r.Kind, name: r.Name, roles: slices.Compact(r.Roles),
		emails: r.Emails, phones: r.Phones, addresses: r.Addresses,
		dates: r.Dates, timeZone: r.TimeZone, prefs: r.Prefs, attrs: r.Attrs,
		tags: slices.Compact(r.Tags), consents: r.Consents, notes: r.Notes,
		stage: r.Stage, loyalty: r.Loyalty, lifecycle: r.Lifecycle, class: r.Class,
		keyAccount: r.KeyAccount, owner: r.Owner, mergedInto: r.MergedInto, erasedAt: r.ErasedAt,
		historySeq: r.HistorySeq, lastContact: r.LastContact.UTC(),
	}}
}

// IsErasedOrMerged reports whether the record is a tombstone or erased.
func (r Record) IsErasedOrMerged() bool { return !r.MergedInto.IsZero() || !r.ErasedAt.IsZero() }
