package customer

import (
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// noNUL adds a problem at path when s holds a NUL byte, which not every
// store can keep (PostgreSQL text cannot). Entities may hold one; no store
// is asked to keep it.
func noNUL(v *crm.Validator, path, s string) {
	v.Check(strings.IndexByte(s, 0) < 0, path, "must not contain a NUL byte")
}

// storable reports whether every store can keep s as text: valid UTF-8
// without a NUL byte.
func storable(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// checkTime adds a problem at path when t lies outside the stored range.
func checkTime(v *crm.Validator, path string, t time.Time) {
	v.Check(crm.ValidTime(t), path, "outside the supported time range")
}

// checkStored checks a customer on its way into a store against every rule
// a stored customer keeps: the invariants of [FromRecord] and the limits
// documented in the package (see "Limits" in doc.go). It is the one
// function that says what may be stored; [Guard] runs it on every customer
// a store is asked to write, however the customer was built.
//
// zones caches the time zone names known to load (nil for none).
func checkStored(op string, c *Customer, zones *sync.Map) error {
	if c == nil || c.state == nil {
		return crm.Invalid(op, "customer", "must be built with New or FromRecord")
	}
	if err := checkRecord(Record{
		ID: c.id, Tenant: c.tenant, Version: c.version, Kind: c.kind, Roles: c.roles, Consents: c.consents,
		Stage: c.stage, Loyalty: c.loyalty, Lifecycle: c.lifecycle, Class: c.class, Owner: c.owner,
		MergedInto: c.mergedInto, ErasedAt: c.erasedAt, HistorySeq: c.historySeq,
	}); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var v crm.Validator
	v.Check(c.mergedInto != c.id, "merged_into", "must not be the customer itself")
	checkTime(&v, "created_at", c.createdAt)
	checkTime(&v, "updated_at", c.updatedAt)
	checkTime(&v, "erased_at", c.erasedAt)
	checkTime(&v, "last_contact", c.lastContact)
	checkName(&v, "name", c.name)
	checkContacts(&v, c.emails, c.phones, c.addresses)
	if v.Check(len(c.dates) <= MaxMapEntries, "dates", "too many entries") {
		for k, d := range c.dates {
			if checkKey(&v, "dates", k) {
				v.Merge("dates."+k, d.Validate())
			}
		}
	}
	checkZone(&v, c.timeZone, zones)
	noNUL(&v, "time_zone", c.timeZone)
	checkMap(&v, "preferences", c.prefs)
	checkMap(&v, "attributes", c.attrs)
	if v.Check(len(c.tags) <= MaxTags, "tags", "too many tags") {
		for _, t := range c.tags {
			if checkKey(&v, "tags", t) {
				v.Check(t == normTag(t), "tags", "must be lower-case and trimmed")
			}
		}
	}
	for ch, k := range c.consents {
		path := "consents." + ch.String()
		checkText(&v, path+".source", k.Source, MaxSourceLen, false)
		noNUL(&v, path+".source", k.Source)
		checkTime(&v, path+".at", k.At)
	}
	checkText(&v, "notes", c.notes, MaxNotesLen, false)
	noNUL(&v, "notes", c.notes)
	for i, h := range c.pending {
		if storable(h.From) && storable(h.To) && storable(h.Reason) {
			continue // the common case: no path to build
		}
		p := fmt.Sprintf("history[%d]", i)
		noNUL(&v, p+".from", h.From)
		noNUL(&v, p+".to", h.To)
		noNUL(&v, p+".reason", h.Reason)
		v.Check(utf8.ValidString(h.From) && utf8.ValidString(h.To) && utf8.ValidString(h.Reason), p, "not valid UTF-8")
	}
	return v.Err(op)
}

// checkMap checks a preference or attribute map.
func checkMap(v *crm.Validator, path string, m map[string]string) {
	if !v.Check(len(m) <= MaxMapEntries, path, "too many entries") {
		return
	}
	for k, val := range m {
		if !checkKey(v, path, k) {
			continue
		}
		var w crm.Validator // the entry's path is built only for a problem
		checkText(&w, "", val, MaxValueLen, true)
		noNUL(&w, "", val)
		if err := w.Err(""); err != nil {
			v.Merge(path+"."+k, err)
		}
	}
}

// checkStoredInteraction checks an interaction on its way into a store:
// [Interaction.Validate] and text every store can keep.
func checkStoredInteraction(op string, in Interaction) error {
	var v crm.Validator
	v.Merge("", in.Validate())
	noNUL(&v, "summary", in.Summary)
	noNUL(&v, "outcome", in.Outcome)
	noNUL(&v, "next_step", in.NextStep)
	return v.Err(op)
}

// checkStoredVisit checks a visit on its way into a store: [Visit.Validate]
// and text every store can keep.
func checkStoredVisit(op string, vi Visit) error {
	var v crm.Validator
	v.Merge("", vi.Validate())
	noNUL(&v, "purpose", vi.Purpose)
	noNUL(&v, "outcome", vi.Outcome)
	return v.Err(op)
}
