package customer

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// JSONVersion is the version of the JSON form of a [Customer] that this
// package writes (member "v"). A later form gets a new number; decoding
// refuses a version it does not know.
const JSONVersion = 1

// customerJSON is the wire form of a customer. Values read through text
// (enums, e-mails, phones, dates) are strings here, so that a refusal
// names the member it came from.
type customerJSON struct {
	V          int                `json:"v"`
	ID         crm.ID             `json:"id"`
	Tenant     crm.TenantID       `json:"tenant"`
	Version    int64              `json:"version"`
	Kind       string             `json:"kind"`
	Name       string             `json:"name"`
	Roles      []string           `json:"roles,omitempty"`
	Emails     []string           `json:"emails,omitempty"`
	Phones     []string           `json:"phones,omitempty"`
	Addresses  []Address          `json:"addresses,omitempty"`
	Dates      map[string]string  `json:"dates,omitempty"`
	TimeZone   string             `json:"time_zone,omitempty"`
	Prefs      map[string]string  `json:"preferences,omitempty"`
	Attrs      map[string]string  `json:"attributes,omitempty"`
	Tags       []string           `json:"tags,omitempty"`
	Consents   map[string]Consent `json:"consents,omitempty"`
	Notes      string             `json:"notes,omitempty"`
	Stage      string             `json:"stage"`
	Loyalty    string             `json:"loyalty"`
	Lifecycle  string             `json:"lifecycle"`
	Class      string             `json:"class"`
	KeyAccount bool               `json:"key_account"`
	Owner      crm.UserID         `json:"owner"`
	MergedInto crm.ID             `json:"merged_into,omitzero"`
	CreatedAt  time.Time          `json:"created_at,omitzero"`
	UpdatedAt  time.Time          `json:"updated_at,omitzero"`
	ErasedAt   time.Time          `json:"erased_at,omitzero"`
	HistorySeq int64              `json:"history_seq"`
	// LastContact is omitted for a customer never contacted.
	LastContact time.Time `json:"last_contact,omitzero"`
}

// MarshalJSON writes the customer's JSON form, documented in the package
// doc ("JSON"): every stored field (the record of [Customer.Record]) under
// a snake_case name, enums by name, times in RFC 3339 UTC, and "v" for the
// version of the form. Pending history and events are not part of it. A
// customer holding a value that has no text form (an invalid date or enum)
// is refused with an error wrapping crm.ErrInvalid.
func (c *Customer) MarshalJSON() ([]byte, error) {
	const op = "customer.Customer.MarshalJSON"
	if c == nil || c.state == nil {
		return nil, crm.Invalid(op, "customer", "must be built with New or FromRecord")
	}
	r := c.Record()
	var v crm.Validator
	w := customerJSON{
		V: JSONVersion, ID: r.ID, Tenant: r.Tenant, Version: r.Version,
		Kind: textOf(&v, "kind", r.Kind), Name: r.Name,
		Addresses: r.Addresses, TimeZone: r.TimeZone, Prefs: r.Prefs, Attrs: r.Attrs, Tags: r.Tags, Notes: r.Notes,
		Stage: textOf(&v, "stage", r.Stage), Loyalty: textOf(&v, "loyalty", r.Loyalty),
		Lifecycle: textOf(&v, "lifecycle", r.Lifecycle), Class: textOf(&v, "class", r.Class),
		KeyAccount: r.KeyAccount, Owner: r.Owner, MergedInto: r.MergedInto,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), ErasedAt: utc(r.ErasedAt),
		HistorySeq: r.HistorySeq, LastContact: utc(r.LastContact),
	}
	w.Roles = textsOf(&v, "roles", r.Roles)
	w.Emails = textsOf(&v, "emails", r.Emails)
	w.Phones = textsOf(&v, "phones", r.Phones)
	if len(r.Dates) > 0 {
		w.Dates = make(map[string]string, len(r.Dates))
		for k, d := range r.Dates {
			w.Dates[k] = textOf(&v, "dates."+k, d)
		}
	}
	if len(r.Consents) > 0 {
		w.Consents = make(map[string]Consent, len(r.Consents))
		for ch, k := range r.Consents {
			w.Consents[textOf(&v, "consents", ch)] = Consent{Granted: k.Granted, At: utc(k.At), Source: k.Source}
		}
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("customer: marshal json %s: %w", r.ID, err)
	}
	return b, nil
}

// UnmarshalJSON reads the form [Customer.MarshalJSON] writes, strictly
// (through crm.DecodeJSON: unknown members, wrong types and trailing data
// are refused), then rebuilds the customer with [FromRecord] and checks it
// against every rule a store keeps (see "Limits"), so that a decoded
// customer can be stored as it is. A refusal is a *crm.ValidationError
// (errors.Is(err, crm.ErrInvalid)) whose paths name the offending members,
// e.g. "emails[1].domain" or "consents.email.source"; on error c is left
// unchanged. Nothing is pending on the decoded customer. JSON null leaves
// c unchanged, as the encoding/json convention asks.
func (c *Customer) UnmarshalJSON(data []byte) error {
	const op = "customer.Customer.UnmarshalJSON"
	if string(bytes.TrimSpace(data)) == "null" {
		return nil // the encoding/json convention: null leaves c unchanged
	}
	var w customerJSON
	if err := crm.DecodeJSON(data, &w, op); err != nil {
		return err
	}
	if w.V != JSONVersion {
		return crm.Invalid(op, "v", fmt.Sprintf("unknown version %d (want %d)", w.V, JSONVersion))
	}
	var v crm.Validator
	r := Record{
		ID: w.ID, Tenant: w.Tenant, Version: w.Version, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
		Kind: parseText[Kind](&v, "kind", w.Kind), Name: w.Name,
		Roles:     parseTexts[Role](&v, "roles", w.Roles),
		Emails:    parseTexts[Email](&v, "emails", w.Emails),
		Phones:    parseTexts[Phone](&v, "phones", w.Phones),
		Addresses: w.Addresses, TimeZone: w.TimeZone, Prefs: w.Prefs, Attrs: w.Attrs, Tags: w.Tags, Notes: w.Notes,
		Stage:      parseText[Stage](&v, "stage", w.Stage),
		Loyalty:    parseText[Loyalty](&v, "loyalty", w.Loyalty),
		Lifecycle:  parseText[Lifecycle](&v, "lifecycle", w.Lifecycle),
		Class:      parseText[Class](&v, "class", w.Class),
		KeyAccount: w.KeyAccount, Owner: w.Owner, MergedInto: w.MergedInto, ErasedAt: w.ErasedAt,
		HistorySeq: w.HistorySeq, LastContact: w.LastContact,
	}
	// An empty list or map is held as none, as FromRecord and the stores
	// hold it, so that it decodes to what it encodes from.
	r.Roles, r.Emails, r.Phones = noneIfEmpty(r.Roles), noneIfEmpty(r.Emails), noneIfEmpty(r.Phones)
	r.Addresses, r.Tags = noneIfEmpty(r.Addresses), noneIfEmpty(r.Tags)
	if len(r.Prefs) == 0 {
		r.Prefs = nil
	}
	if len(r.Attrs) == 0 {
		r.Attrs = nil
	}
	for i, s := range w.Emails { // text that parses to the zero Email
		v.Check(s != "", fmt.Sprintf("emails[%d]", i), "must not be empty")
	}
	for i, s := range w.Phones {
		v.Check(s != "", fmt.Sprintf("phones[%d]", i), "must not be empty")
	}
	if len(w.Dates) > 0 { // in key order, so that problems come in one order
		r.Dates = make(map[string]Date, len(w.Dates))
		for _, k := range slices.Sorted(maps.Keys(w.Dates)) {
			r.Dates[k] = parseText[Date](&v, "dates."+pathKey(k), w.Dates[k])
		}
	}
	if len(w.Consents) > 0 {
		r.Consents = make(map[Channel]Consent, len(w.Consents))
		for _, k := range slices.Sorted(maps.Keys(w.Consents)) {
			var ch Channel
			if err := ch.UnmarshalText([]byte(k)); err != nil {
				v.Merge("consents."+pathKey(k), err)
				continue
			}
			// Names are read case-insensitively; two spellings of one
			// channel would silently lose a decision.
			v.Check(ch.String() == k, "consents."+pathKey(k), "must be written "+strconv.Quote(ch.String()))
			r.Consents[ch] = w.Consents[k]
		}
	}
	if err := v.Err(op); err != nil {
		return err
	}
	got, err := FromRecord(r)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStored(op, got, nil); err != nil {
		return err
	}
	*c = *got
	return nil
}

// pathKey returns a map key as a path element, cut to 64 bytes (at a rune
// boundary) so that a hostile key cannot make the error message huge.
func pathKey(k string) string {
	if len(k) <= 64 {
		return k
	}
	n := 64
	for n > 0 && !utf8.RuneStart(k[n]) {
		n--
	}
	return k[:n] + "…"
}

// utc returns t in UTC; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// textOf returns the text form of t, recording a problem at path when it
// has none.
func textOf(v *crm.Validator, path string, t encoding.TextMarshaler) string {
	b, err := t.MarshalText()
	if err != nil {
		v.Merge(path, err)
		return ""
	}
	return string(b)
}

// textsOf returns the text forms of ts (nil for none), recording a problem
// at path[i] for each that has none.
func textsOf[T encoding.TextMarshaler](v *crm.Validator, path string, ts []T) []string {
	if len(ts) == 0 {
		return nil
	}
	out := make([]string, len(ts))
	for i, t := range ts {
		b, err := t.MarshalText()
		if err != nil {
			v.Merge(fmt.Sprintf("%s[%d]", path, i), err)
			continue
		}
		out[i] = string(b)
	}
	return out
}

// parseText reads s into a T through its UnmarshalText, recording a
// refusal under path.
func parseText[T any, P interface {
	*T
	encoding.TextUnmarshaler
}](v *crm.Validator, path, s string) T {
	var t T
	if err := P(&t).UnmarshalText([]byte(s)); err != nil {
		v.Merge(path, err)
	}
	return t
}

// parseTexts reads every string of ss into a T (nil for nil), recording
// refusals under path[i].
func parseTexts[T any, P interface {
	*T
	encoding.TextUnmarshaler
}](v *crm.Validator, path string, ss []string) []T {
	if ss == nil {
		return nil
	}
	out := make([]T, len(ss))
	for i, s := range ss {
		if err := P(&out[i]).UnmarshalText([]byte(s)); err != nil {
			v.Merge(fmt.Sprintf("%s[%d]", path, i), err)
		}
	}
	return out
}

// visitFields is a [Visit] without its methods, for its JSON form.
type visitFields Visit

// visitJSON is the wire form of a visit: its fields, times in UTC, and
// the duration as text.
type visitJSON struct {
	visitFields
	// The enums are read as text here, so that a refusal names them.
	Kind     string `json:"kind"`
	Method   string `json:"method"`
	Status   string `json:"status"`
	Duration string `json:"duration,omitempty"`
}

// MarshalJSON writes the visit's JSON form: its fields under their
// snake_case names, enums by name, times in RFC 3339 UTC, and the planned
// duration as Go duration text ("1h30m0s"; left out when zero). A visit
// whose kind, method or status is not a known value has no form: it is
// refused with an error wrapping crm.ErrInvalid.
func (vi Visit) MarshalJSON() ([]byte, error) {
	f := visitFields(vi)
	f.PlannedAt, f.DoneAt = utc(f.PlannedAt), utc(f.DoneAt)
	var v crm.Validator
	w := visitJSON{
		visitFields: f, Kind: textOf(&v, "kind", vi.Kind), Method: textOf(&v, "method", vi.Method),
		Status: textOf(&v, "status", vi.Status),
	}
	if err := v.Err("customer.Visit.MarshalJSON"); err != nil {
		return nil, err
	}
	if vi.Duration != 0 {
		w.Duration = vi.Duration.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the form [Visit.MarshalJSON] writes, strictly
// (through crm.DecodeJSON); the kind, method and status must be known
// names. It checks the form, not the visit: a visit a client sends may
// lack what the store adds (its ID); [Visit.Validate]
// and the store's guard check the rest. On error, and for JSON null, vi
// is left unchanged.
func (vi *Visit) UnmarshalJSON(data []byte) error {
	const op = "customer.Visit.UnmarshalJSON"
	if string(bytes.TrimSpace(data)) == "null" {
		return nil // the encoding/json convention: null leaves vi unchanged
	}
	var w visitJSON
	if err := crm.DecodeJSON(data, &w, op); err != nil {
		return err
	}
	var v crm.Validator
	out := Visit(w.visitFields)
	out.Kind = parseText[VisitKind](&v, "kind", w.Kind)
	out.Method = parseText[Channel](&v, "method", w.Method)
	out.Status = parseText[VisitStatus](&v, "status", w.Status)
	if w.Duration != "" {
		d, err := time.ParseDuration(w.Duration)
		v.Check(err == nil, "duration", "not a duration such as \"1h30m\"")
		out.Duration = d
	}
	if err := v.Err(op); err != nil {
		return err
	}
	*vi = out
	return nil
}

// noneIfEmpty returns nil for an empty s, else s.
func noneIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

// interactionFields is an [Interaction] without its methods.
type interactionFields Interaction

// MarshalJSON writes the interaction by its field tags, with its times in
// UTC, so that the form is the same whatever zone the host recorded in.
func (in Interaction) MarshalJSON() ([]byte, error) {
	f := interactionFields(in)
	f.At, f.NextStepDue = utc(f.At), utc(f.NextStepDue)
	return json.Marshal(f)
}

// historyFields is a [HistoryEntry] without its methods.
type historyFields HistoryEntry

// MarshalJSON writes the entry by its field tags, with its time in UTC.
func (h HistoryEntry) MarshalJSON() ([]byte, error) {
	f := historyFields(h)
	f.At = utc(f.At)
	return json.Marshal(f)
}
