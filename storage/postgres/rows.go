package postgres

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// searchSep separates the name and the e-mail addresses in search_text. It
// is a control character, which neither names nor e-mail addresses may
// hold, so a search text containing it matches nothing there.
const searchSep = "\x01"

// textChecker refuses text PostgreSQL cannot store (NUL) or that is not
// UTF-8, before it reaches the server.
type textChecker struct{ v *crm.Validator }

func (tc textChecker) check(path, s string) {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		tc.v.Addf(path, "must not contain NUL characters")
	case !utf8.ValidString(s):
		tc.v.Addf(path, "not valid UTF-8")
	}
}

// time refuses a time outside the range every store keeps
// (crm.ValidTime: years 1 to 9999 UTC); PostgreSQL would store some such
// times and wrap others around silently. The zero time means "not set"
// and passes.
func (tc textChecker) time(path string, t time.Time) {
	if !crm.ValidTime(t) {
		tc.v.Addf(path, "outside the stored time range (years 1 to 9999 UTC)")
	}
}

// uuidArg returns id as a pgx uuid value; the zero ID is NULL.
func uuidArg(id crm.ID) pgtype.UUID {
	return pgtype.UUID{Bytes: id, Valid: !id.IsZero()}
}

// timeArg returns t as a pgx timestamptz value; the zero time is NULL.
func timeArg(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}

// timeOf returns a scanned timestamptz in UTC, the zero time for NULL.
func timeOf(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// storedAddress is the JSON form of a customer.Address.
type storedAddress struct {
	Label    string   `json:"label,omitempty"`
	Lines    []string `json:"lines,omitempty"`
	Locality string   `json:"locality,omitempty"`
	Area     string   `json:"area,omitempty"`
	Postal   string   `json:"postal,omitempty"`
	Country  string   `json:"country,omitempty"`
}

// storedConsent is the JSON form of a customer.Consent.
type storedConsent struct {
	Granted bool      `json:"granted"`
	At      time.Time `json:"at"`
	Source  string    `json:"source,omitempty"`
}

// customerValues are a customer's column values, in customerCols order,
// with its pending history as parallel arrays.
type customerValues struct {
	args []any
	hist historyArrays
}

// historyArrays are history entries as the parallel arrays historyInsert
// unnests.
type historyArrays struct {
	customerID, originID []pgtype.UUID
	seq                  []int64
	kind, from, to       []string
	at                   []time.Time
	actor, reason        []string
}

func (h *historyArrays) add(e customer.HistoryEntry) {
	h.customerID = append(h.customerID, uuidArg(e.CustomerID))
	h.originID = append(h.originID, uuidArg(e.OriginID))
	h.seq = append(h.seq, e.Seq)
	h.kind = append(h.kind, e.Kind.String())
	h.from = append(h.from, e.From)
	h.to = append(h.to, e.To)
	h.at = append(h.at, e.At)
	h.actor = append(h.actor, string(e.Actor))
	h.reason = append(h.reason, e.Reason)
}

func (h *historyArrays) args() []any {
	return []any{h.customerID, h.originID, h.seq, h.kind, h.from, h.to, h.at, h.actor, h.reason}
}

// createArgs returns the statement that creates a customer with the
// entries of h (createCustomerOne for one entry, createCustomer for any
// other number) and its arguments: row, then h's.
func (h *historyArrays) createArgs(sql *statements, row []any) (string, []any) {
	if len(h.seq) == 1 {
		return sql.createCustomerOne, append(row, h.customerID[0], h.originID[0], h.seq[0], h.kind[0], h.from[0], h.to[0],
			h.at[0], h.actor[0], h.reason[0])
	}
	return sql.createCustomer, append(row, h.args()...)
}

// encodeCustomer validates c for storage and returns its column values and
// pending history. It refuses (crm.ErrInvalid) a customer that breaks a
// stored invariant, text PostgreSQL cannot store, and history entries that
// do not belong to c.
func encodeCustomer(op string, c *customer.Customer) (customerValues, error) {
	r := c.Record()
	if _, err := customer.FromRecord(r); err != nil {
		return customerValues{}, err
	}
	var v crm.Validator
	tc := textChecker{&v}
	row := encodeFields(tc, r, r.Version, make([]any, 0, len(customerColumns)))
	var h historyArrays
	for i, e := range customerHooks.Pending(c) {
		checkHistoryEntry(tc, r.ID, i, e)
		h.add(e)
	}
	if err := v.Err(op); err != nil {
		return customerValues{}, err
	}
	return customerValues{args: row, hist: h}, nil
}

// encodeFields checks the fields of r that PostgreSQL must be able to
// hold (text, times, contact points, dates), recording problems through tc,
// and appends r's customers row in customerColumns order, at version, to
// row. encodeCustomer uses it; the import writes the same row in COPY's
// binary format (encodeImport), with the same checks in the same order.
func encodeFields(tc textChecker, r customer.Record, version int64, row []any) []any {
	v := tc.v
	checkScalars(tc, r)
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
	addresses := addressesJSON(tc, r.Addresses)
	dates := datesJSON(tc, r.Dates)
	prefs := stringMap(tc, "preferences", r.Prefs)
	attrs := stringMap(tc, "attributes", r.Attrs)
	checkTags(tc, r.Tags)
	consents := consentsJSON(tc, r.Consents)
	roles := make([]string, len(r.Roles))
	for i, role := range r.Roles {
		roles[i] = role.String()
	}
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	return append(row,
		string(r.Tenant), uuidArg(r.ID), version, r.CreatedAt, r.UpdatedAt, r.Kind.String(), r.Name,
		roles, emails, phones, addresses, dates, r.TimeZone, prefs, attrs, tags, consents, r.Notes,
		r.Stage.String(), r.Loyalty.String(), r.Lifecycle.String(), r.Class.String(), r.KeyAccount,
		string(r.Owner), uuidArg(r.MergedInto), timeArg(r.ErasedAt), r.HistorySeq,
		text.String(), digits.String(), keys, timeArg(r.LastContact),
	)
}

// checkScalars records the problems of r's text and time fields: the
// checks encodeFields runs first.
func checkScalars(tc textChecker, r customer.Record) {
	if !storable(r.Name) || !storable(r.TimeZone) || !storable(r.Notes) || !storable(string(r.Owner)) {
		tc.check("name", r.Name)
		tc.check("time_zone", r.TimeZone)
		tc.check("notes", r.Notes)
		tc.check("owner", string(r.Owner))
	}
	tc.time("created_at", r.CreatedAt)
	tc.time("updated_at", r.UpdatedAt)
	tc.time("erased_at", r.ErasedAt)
	tc.time("last_contact", r.LastContact)
}

// addressesJSON checks and encodes the addresses column; none is NULL.
func addressesJSON(tc textChecker, addrs []customer.Address) []byte {
	if len(addrs) == 0 {
		return nil
	}
	list := make([]storedAddress, len(addrs))
	for i, a := range addrs {
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
	return mustJSON(list)
}

// datesJSON checks and encodes the dates column; none is NULL.
func datesJSON(tc textChecker, dates map[string]customer.Date) []byte {
	if len(dates) == 0 {
		return nil
	}
	m := make(map[string]string, len(dates))
	for k, d := range dates {
		tc.check("dates", k)
		if err := d.Validate(); err != nil {
			tc.v.Merge("dates."+k, err)
		}
		m[k] = d.String()
	}
	return mustJSON(m)
}

// checkTags records the problems of the tags column.
func checkTags(tc textChecker, tags []string) {
	for i, t := range tags {
		if !storable(t) {
			tc.check(fmt.Sprintf("tags[%d]", i), t)
		}
	}
}

// consentsJSON checks and encodes the consents column; none is NULL.
func consentsJSON(tc textChecker, consents map[customer.Channel]customer.Consent) []byte {
	if len(consents) == 0 {
		return nil
	}
	m := make(map[string]storedConsent, len(consents))
	for ch, k := range consents {
		if !storable(k.Source) {
			tc.check("consents."+ch.String()+".source", k.Source)
		}
		tc.time("consents."+ch.String()+".at", k.At)
		m[ch.String()] = storedConsent{Granted: k.Granted, At: k.At, Source: k.Source}
	}
	return mustJSON(m)
}

// checkHistoryEntry records the problems of pending entry i of customer id;
// the paths are built only for an entry with a problem (an import checks
// hundreds of thousands of them).
func checkHistoryEntry(tc textChecker, id crm.ID, i int, e customer.HistoryEntry) {
	if e.CustomerID == id && e.OriginID == id && e.Seq > 0 && e.Kind.Valid() && !e.At.IsZero() && crm.ValidTime(e.At) &&
		storable(e.From) && storable(e.To) && storable(string(e.Actor)) && storable(e.Reason) {
		return
	}
	p := fmt.Sprintf("history[%d]", i)
	tc.v.Check(e.CustomerID == id && e.OriginID == id, p, "does not belong to the customer")
	tc.v.Check(e.Seq > 0, p+".seq", "must be positive")
	tc.v.Check(e.Kind.Valid(), p+".kind", "unknown history kind")
	tc.v.Check(!e.At.IsZero(), p+".at", "must be set")
	tc.time(p+".at", e.At)
	tc.check(p+".from", e.From)
	tc.check(p+".to", e.To)
	tc.check(p+".actor", string(e.Actor))
	tc.check(p+".reason", e.Reason)
}

// stringMap checks and encodes a string map as JSON; empty maps are NULL.
func stringMap(tc textChecker, path string, m map[string]string) []byte {
	if len(m) == 0 {
		return nil
	}
	for k, val := range m {
		tc.check(path, k)
		if !storable(val) {
			tc.check(path+"."+k, val)
		}
	}
	return mustJSON(m)
}

// mustJSON encodes values whose types cannot fail to encode (strings,
// slices and maps of them, times within range).
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Unreachable for the types used here; an empty object keeps the
		// row valid and FromRecord's checks still run on reading.
		return []byte("null")
	}
	return b
}

// customerScan holds the destinations of one scanned customer row.
type customerScan struct {
	tenant                             string
	id, mergedInto                     pgtype.UUID
	version, historySeq                int64
	createdAt, updatedAt               time.Time
	erasedAt, lastContact              pgtype.Timestamptz
	kind, name, timeZone, notes        string
	stage, loyalty, lifecycle, class   string
	owner                              string
	roles, emails, phones, tags        []string
	addresses, dates, prefs, attrs, cs []byte
	keyAccount                         bool
}

func (s *customerScan) dest() []any {
	return []any{
		&s.tenant, &s.id, &s.version, &s.createdAt, &s.updatedAt, &s.kind, &s.name, &s.roles, &s.emails, &s.phones,
		&s.addresses, &s.dates, &s.timeZone, &s.prefs, &s.attrs, &s.tags, &s.cs, &s.notes, &s.stage, &s.loyalty,
		&s.lifecycle, &s.class, &s.keyAccount, &s.owner, &s.mergedInto, &s.erasedAt, &s.historySeq,
		&s.lastContact,
	}
}

// scanCustomer reads one customer row (customerReadCols).
func scanCustomer(row pgx.Row, dc *decodeCache) (*customer.Customer, error) {
	var s customerScan
	if err := row.Scan(s.dest()...); err != nil {
		return nil, err
	}
	return s.customer(dc)
}

// customer rebuilds the customer; a row that does not decode is reported
// as corrupt (not as bad input, which it is not).
func (s *customerScan) customer(dc *decodeCache) (*customer.Customer, error) {
	r := customer.Record{
		ID: s.id.Bytes, Tenant: crm.TenantID(s.tenant), Version: s.version,
		CreatedAt: s.createdAt.UTC(), UpdatedAt: s.updatedAt.UTC(),
		Name: s.name, TimeZone: s.timeZone, Notes: s.notes, KeyAccount: s.keyAccount,
		Owner: crm.UserID(s.owner), HistorySeq: s.historySeq, ErasedAt: timeOf(s.erasedAt),
		LastContact: timeOf(s.lastContact),
	}
	if s.mergedInto.Valid {
		r.MergedInto = s.mergedInto.Bytes
	}
	var problems []string
	bad := func(what string, err error) {
		problems = append(problems, what+": "+err.Error())
	}
	var err error
	if r.Kind, err = customer.ParseKind(s.kind); err != nil {
		bad("kind", err)
	}
	if r.Stage, err = customer.ParseStage(s.stage); err != nil {
		bad("stage", err)
	}
	if r.Loyalty, err = customer.ParseLoyalty(s.loyalty); err != nil {
		bad("loyalty", err)
	}
	if r.Lifecycle, err = customer.ParseLifecycle(s.lifecycle); err != nil {
		bad("lifecycle", err)
	}
	if r.Class, err = customer.ParseClass(s.class); err != nil {
		bad("class", err)
	}
	if len(s.roles) > 0 {
		r.Roles = make([]customer.Role, len(s.roles))
		for i, name := range s.roles {
			if r.Roles[i], err = customer.ParseRole(name); err != nil {
				bad("roles", err)
			}
		}
	}
	if len(s.emails) > 0 {
		r.Emails = make([]customer.Email, len(s.emails))
		for i, t := range s.emails {
			if r.Emails[i], err = dc.email(t); err != nil {
				bad("emails", err)
			}
		}
	}
	if len(s.phones) > 0 {
		r.Phones = make([]customer.Phone, len(s.phones))
		for i, t := range s.phones {
			if r.Phones[i], err = dc.phone(t); err != nil {
				bad("phones", err)
			}
		}
	}
	if len(s.tags) > 0 {
		r.Tags = s.tags
	}
	if !emptyJSON(s.addresses) {
		var list []storedAddress
		if err := json.Unmarshal(s.addresses, &list); err != nil {
			bad("addresses", err)
		}
		if len(list) > 0 {
			r.Addresses = make([]customer.Address, len(list))
			for i, a := range list {
				r.Addresses[i] = customer.Address{Label: a.Label, Lines: a.Lines, Locality: a.Locality, AdministrativeArea: a.Area, PostalCode: a.Postal, Country: a.Country}
			}
		}
	}
	if !emptyJSON(s.dates) {
		var m map[string]string
		if err := json.Unmarshal(s.dates, &m); err != nil {
			bad("dates", err)
		}
		if len(m) > 0 {
			r.Dates = make(map[string]customer.Date, len(m))
			for k, t := range m {
				d, err := customer.ParseDate(t)
				if err != nil {
					bad("dates", err)
				}
				r.Dates[k] = d
			}
		}
	}
	if !emptyJSON(s.prefs) {
		if err := json.Unmarshal(s.prefs, &r.Prefs); err != nil {
			bad("preferences", err)
		}
	}
	if !emptyJSON(s.attrs) {
		if err := json.Unmarshal(s.attrs, &r.Attrs); err != nil {
			bad("attributes", err)
		}
	}
	if !emptyJSON(s.cs) {
		var m map[string]storedConsent
		if err := json.Unmarshal(s.cs, &m); err != nil {
			bad("consents", err)
		}
		if len(m) > 0 {
			r.Consents = make(map[customer.Channel]customer.Consent, len(m))
			for name, k := range m {
				ch, err := customer.ParseChannel(name)
				if err != nil {
					bad("consents", err)
					continue
				}
				r.Consents[ch] = customer.Consent{Granted: k.Granted, At: k.At.UTC(), Source: k.Source}
			}
		}
	}
	if len(problems) == 0 {
		c, err := customerHooks.Adopt(r) // r was decoded just now and is not used again
		if err == nil {
			return c, nil
		}
		problems = append(problems, err.Error())
	}
	return nil, &corruptError{what: "customer " + r.ID.String(), problems: problems}
}

// emptyJSON reports whether b is SQL NULL or an empty JSON object or
// array, which decode to nothing: most customers have no addresses, dates,
// preferences, attributes or consents, and skipping the decoder for them
// saves a reflection-driven json.Unmarshal per column per row.
func emptyJSON(b []byte) bool {
	switch string(b) {
	case "", "null", "{}", "[]":
		return true
	}
	return false
}

// corruptError reports a stored row the store cannot decode: a sign of
// rows written by something else than the store, or of a newer schema.
type corruptError struct {
	what     string
	problems []string
}

func (e *corruptError) Error() string {
	return "postgres: stored " + e.what + " is corrupt: " + strings.Join(e.problems, "; ")
}
