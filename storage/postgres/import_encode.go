package postgres

import (
	"fmt"
	"strings"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// encodeImport encodes a new customer for COPY: its customers row (in
// customerColumns order, at version 1) into row, and its pending history
// as historyColumns rows appended to hist. It writes what encodeCustomer
// writes (a test holds them equal) but does not rebuild the customer with
// customer.FromRecord: every customer reaches an import through
// customer.Guard, which checked it as FromRecord would, and rebuilding
// was a third of the import's client CPU. The checks that are the store's
// own (text PostgreSQL cannot hold, times out of range, history entries
// that do not belong to the customer) still run.
func encodeImport(op string, c *customer.Customer, row []any, hist [][]any) ([][]any, error) {
	r := c.Record()
	var v crm.Validator
	tc := textChecker{&v}
	if !storable(r.Name) || !storable(r.TimeZone) || !storable(r.Notes) || !storable(string(r.Owner)) {
		tc.check("name", r.Name)
		tc.check("time_zone", r.TimeZone)
		tc.check("notes", r.Notes)
		tc.check("owner", string(r.Owner))
	}
	tc.time("created_at", r.CreatedAt)
	tc.time("updated_at", r.UpdatedAt)
	tc.time("erased_at", r.ErasedAt)
	emails := make([]string, 0, len(r.Emails))
	phones := make([]string, 0, len(r.Phones))
	keys := make([]string, 0, len(r.Emails)+len(r.Phones))
	var text, digits strings.Builder
	n := len(r.Name)
	for _, e := range r.Emails {
		n += 1 + len(e.Normalized())
	}
	text.Grow(n)
	text.WriteString(strings.ToLower(r.Name))
	for i, e := range r.Emails {
		b, err := e.MarshalText()
		if err != nil {
			v.Addf(fmt.Sprintf("emails[%d]", i), "cannot be stored")
			continue
		}
		stored := string(b)
		if !storable(stored) {
			tc.check(fmt.Sprintf("emails[%d]", i), stored)
		}
		emails = append(emails, stored)
		n := e.Normalized()
		keys = append(keys, "e:"+n)
		text.WriteString(searchSep)
		text.WriteString(n)
	}
	for i, p := range r.Phones {
		b, err := p.MarshalText()
		if err != nil {
			v.Addf(fmt.Sprintf("phones[%d]", i), "cannot be stored")
			continue
		}
		stored := string(b)
		if !storable(stored) {
			tc.check(fmt.Sprintf("phones[%d]", i), stored)
		}
		phones = append(phones, stored)
		n := p.Normalized()
		keys = append(keys, "p:"+n)
		if digits.Len() > 0 {
			digits.WriteByte(' ')
		}
		digits.WriteString(n)
	}
	var addresses []byte
	if len(r.Addresses) > 0 {
		list := make([]storedAddress, len(r.Addresses))
		for i, a := range r.Addresses {
			p := fmt.Sprintf("addresses[%d]", i)
			tc.check(p+".label", a.Label)
			for j, l := range a.Lines {
				tc.check(fmt.Sprintf("%s.lines[%d]", p, j), l)
			}
			tc.check(p+".locality", a.Locality)
			tc.check(p+".administrative_area", a.AdministrativeArea)
			tc.check(p+".postal_code", a.PostalCode)
			tc.check(p+".country", a.Country)
			list[i] = storedAddress{Label: a.Label, Lines: a.Lines, Locality: a.Locality, Area: a.AdministrativeArea, Postal: a.PostalCode, Country: a.Country}
		}
		addresses = mustJSON(list)
	}
	var dates []byte
	if len(r.Dates) > 0 {
		m := make(map[string]string, len(r.Dates))
		for k, d := range r.Dates {
			tc.check("dates", k)
			if err := d.Validate(); err != nil {
				v.Merge("dates."+k, err)
			}
			m[k] = d.String()
		}
		dates = mustJSON(m)
	}
	prefs := stringMap(tc, "preferences", r.Prefs)
	attrs := stringMap(tc, "attributes", r.Attrs)
	for i, t := range r.Tags {
		if !storable(t) {
			tc.check(fmt.Sprintf("tags[%d]", i), t)
		}
	}
	var consents []byte
	if len(r.Consents) > 0 {
		m := make(map[string]storedConsent, len(r.Consents))
		for ch, k := range r.Consents {
			if !storable(k.Source) {
				tc.check("consents."+ch.String()+".source", k.Source)
			}
			tc.time("consents."+ch.String()+".at", k.At)
			m[ch.String()] = storedConsent{Granted: k.Granted, At: k.At, Source: k.Source}
		}
		consents = mustJSON(m)
	}
	roles := make([]string, len(r.Roles))
	for i, role := range r.Roles {
		roles[i] = role.String()
	}
	tenant := string(r.Tenant)
	start := len(hist)
	for i, e := range customerHooks.Pending(c) {
		if e.CustomerID != r.ID || e.OriginID != r.ID || e.Seq <= 0 || !e.Kind.Valid() || e.At.IsZero() || !crm.ValidTime(e.At) ||
			!storable(e.From) || !storable(e.To) || !storable(string(e.Actor)) || !storable(e.Reason) {
			p := fmt.Sprintf("history[%d]", i)
			v.Check(e.CustomerID == r.ID && e.OriginID == r.ID, p, "does not belong to the customer")
			v.Check(e.Seq > 0, p+".seq", "must be positive")
			v.Check(e.Kind.Valid(), p+".kind", "unknown history kind")
			v.Check(!e.At.IsZero(), p+".at", "must be set")
			tc.time(p+".at", e.At)
			tc.check(p+".from", e.From)
			tc.check(p+".to", e.To)
			tc.check(p+".actor", string(e.Actor))
			tc.check(p+".reason", e.Reason)
		}
		hist = append(hist, []any{tenant, uuidArg(e.CustomerID), uuidArg(e.OriginID), e.Seq, e.Kind.String(),
			e.From, e.To, e.At, string(e.Actor), e.Reason})
	}
	if err := v.Err(op); err != nil {
		return hist[:start], err
	}
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	_ = append(row[:0],
		tenant, uuidArg(r.ID), int64(1), r.CreatedAt, r.UpdatedAt, r.Kind.String(), r.Name,
		roles, emails, phones, addresses, dates, r.TimeZone, prefs, attrs, tags, consents, r.Notes,
		r.Stage.String(), r.Loyalty.String(), r.Lifecycle.String(), r.Class.String(), r.KeyAccount,
		string(r.Owner), uuidArg(r.MergedInto), timeArg(r.ErasedAt), r.HistorySeq,
		text.String(), digits.String(), keys,
	)
	return hist, nil
}
