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
		HistorySeq: c.historySeq,
	}
}

// FromRecord rebuilds a customer from its persisted form. It checks the
// invariants every stored customer keeps (identity, known enum values, one
// owner) but not creation-only rules, so records written by older versions
// still load. The customer shares nothing with r.
func FromRecord(r Record) (*Customer, error) {
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
		v.Check(role.Valid(), fmt.Sprintf("roles[%d]", i), "unknown role")
	}
	for ch := range r.Consents {
		v.Check(ch.Valid(), "consents", "unknown channel")
	}
	v.Check(r.HistorySeq >= 0, "history_seq", "must not be negative")
	if err := v.Err("customer.FromRecord"); err != nil {
		return nil, err
	}
	return &Customer{version: r.Version, state: &state{
		id: r.ID, tenant: r.Tenant, createdAt: r.CreatedAt, updatedAt: r.UpdatedAt,
		kind: r.Kind, name: r.Name, roles: normRoles(r.Roles),
		emails: slices.Clone(r.Emails), phones: slices.Clone(r.Phones), addresses: cloneAddresses(r.Addresses),
		dates: maps.Clone(r.Dates), timeZone: r.TimeZone, prefs: maps.Clone(r.Prefs), attrs: maps.Clone(r.Attrs),
		tags: slices.Compact(slices.Sorted(slices.Values(r.Tags))), consents: maps.Clone(r.Consents), notes: r.Notes,
		stage: r.Stage, loyalty: r.Loyalty, lifecycle: r.Lifecycle, class: r.Class,
		keyAccount: r.KeyAccount, owner: r.Owner, mergedInto: r.MergedInto, erasedAt: r.ErasedAt,
		historySeq: r.HistorySeq,
	}}, nil
}

// IsErasedOrMerged reports whether the record is a tombstone or erased.
func (r Record) IsErasedOrMerged() bool { return !r.MergedInto.IsZero() || !r.ErasedAt.IsZero() }
