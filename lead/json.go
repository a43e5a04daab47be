package lead

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// JSONVersion is the version of the JSON forms of a [Lead] and a
// [Campaign] that this package writes (member "v"). A later form gets a
// new number; decoding refuses a version it does not know.
const JSONVersion = 1

// leadJSON is the wire form of a lead. Its top-level enums, the keys of
// its consents and reached times are strings here, so that a refusal
// names the member it came from.
type leadJSON struct {
	V                int                         `json:"v"`
	ID               crm.ID                      `json:"id"`
	Tenant           crm.TenantID                `json:"tenant"`
	Version          int64                       `json:"version"`
	Team             string                      `json:"team,omitempty"`
	Kind             string                      `json:"kind"`
	Name             string                      `json:"name,omitempty"`
	Title            string                      `json:"title,omitempty"`
	Company          string                      `json:"company,omitempty"`
	Industry         string                      `json:"industry,omitempty"`
	CompanySize      int                         `json:"company_size,omitempty"`
	Language         string                      `json:"language,omitempty"`
	Topics           []string                    `json:"topics,omitempty"`
	Address          *customer.Address           `json:"address,omitempty"`
	Contacts         []ContactPoint              `json:"contacts,omitempty"`
	Consents         map[string]customer.Consent `json:"consents,omitempty"`
	Attributes       map[string]string           `json:"attributes,omitempty"`
	Payload          string                      `json:"payload,omitempty"`
	KeyProspect      bool                        `json:"key_prospect"`
	Channel          string                      `json:"channel"`
	Source           Source                      `json:"source"`
	Touches          []Touch                     `json:"touches,omitempty"`
	Stage            string                      `json:"stage"`
	DisqualifyReason string                      `json:"disqualify_reason,omitempty"`
	Owner            crm.UserID                  `json:"owner,omitempty"`
	AssignedAt       time.Time                   `json:"assigned_at,omitzero"`
	Customer         crm.ID                      `json:"customer,omitzero"`
	Opportunity      crm.ID                      `json:"opportunity,omitzero"`
	Score            *Score                      `json:"score,omitempty"`
	CapturedAt       time.Time                   `json:"captured_at"`
	FirstContactAt   time.Time                   `json:"first_contact_at,omitzero"`
	ClosedAt         time.Time                   `json:"closed_at,omitzero"`
	Reached          map[string]time.Time        `json:"reached,omitempty"`
	UpdatedAt        time.Time                   `json:"updated_at"`
	HistorySeq       int64                       `json:"history_seq"`
}

// leadInJSON is the wire form as decoded: the nested values are kept raw
// and decoded one by one, so that a refusal inside one names it
// ("contacts[1]: ...", "source: ..."); crm.DecodeJSON alone cannot say
// where a nested text value was refused.
type leadInJSON struct {
	leadJSON
	Address  json.RawMessage   `json:"address,omitempty"`
	Contacts []json.RawMessage `json:"contacts,omitempty"`
	Source   json.RawMessage   `json:"source"`
	Touches  []json.RawMessage `json:"touches,omitempty"`
	Score    json.RawMessage   `json:"score,omitempty"`
}

// decodeAt decodes one nested value strictly, recording a refusal under
// path; nil for JSON null or nothing.
func decodeAt[T any](v *crm.Validator, op, path string, raw json.RawMessage) *T {
	if len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	t := new(T)
	if err := crm.DecodeJSON(raw, t, op); err != nil {
		v.Merge(path, err)
	}
	return t
}

// decodeAllAt decodes a list of nested values, recording refusals under
// path[i]; an empty list is none.
func decodeAllAt[T any](v *crm.Validator, op, path string, raws []json.RawMessage) []T {
	if len(raws) == 0 {
		return nil
	}
	out := make([]T, len(raws))
	for i, raw := range raws {
		if t := decodeAt[T](v, op, fmt.Sprintf("%s[%d]", path, i), raw); t != nil {
			out[i] = *t
		}
	}
	return out
}

// MarshalJSON writes the lead's JSON form, documented in the package doc
// ("JSON"): every stored field (the record of [Lead.Record]) under a
// snake_case name, enums by name, times in RFC 3339 UTC, and "v" for the
// version of the form. Pending history and events are not part of it. A
// lead holding a value that has no text form (an unknown enum) is refused
// with an error wrapping crm.ErrInvalid.
func (l *Lead) MarshalJSON() ([]byte, error) {
	l.ensure()
	const op = "lead.Lead.MarshalJSON"
	if l == nil || l.id.IsZero() && l.tenant == "" {
		return nil, crm.Invalid(op, "lead", "must be built with New or FromRecord")
	}
	r := l.Record()
	var v crm.Validator
	w := leadJSON{
		V: JSONVersion, ID: r.ID, Tenant: r.Tenant, Version: r.Version, Team: r.Team,
		Kind: textOf(&v, "kind", r.Kind), Name: r.Name, Title: r.Title, Company: r.Company,
		Industry: r.Industry, CompanySize: r.CompanySize, Language: r.Language, Topics: r.Topics,
		Address: r.Address, Contacts: r.Contacts, Attributes: r.Attributes, Payload: r.Payload,
		KeyProspect: r.KeyProspect, Source: r.Source, Touches: r.Touches,
		Stage: textOf(&v, "stage", r.Stage), DisqualifyReason: r.DisqualifyReason, Owner: r.Owner,
		AssignedAt: utc(r.AssignedAt), Customer: r.Customer, Opportunity: r.Opportunity, Score: r.Score,
		CapturedAt: utc(r.CapturedAt), FirstContactAt: utc(r.FirstContactAt), ClosedAt: utc(r.ClosedAt),
		UpdatedAt: utc(r.UpdatedAt), HistorySeq: r.HistorySeq,
	}
	w.Channel = textOf(&v, "channel", r.Channel)
	for i := range w.Touches { // r is l's copy: ours to change
		w.Touches[i].At = utc(w.Touches[i].At)
	}
	if w.Score != nil {
		w.Score.At = utc(w.Score.At)
	}
	if len(r.Consents) > 0 {
		w.Consents = make(map[string]customer.Consent, len(r.Consents))
		for ch, k := range r.Consents {
			k.At = utc(k.At)
			w.Consents[textOf(&v, "consents", ch)] = k
		}
	}
	for i, at := range r.Reached {
		if at.IsZero() {
			continue
		}
		if w.Reached == nil {
			w.Reached = make(map[string]time.Time, len(r.Reached))
		}
		w.Reached[Stage(i+1).String()] = utc(at)
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("lead: marshal json %s: %w", r.ID, err)
	}
	return b, nil
}

// UnmarshalJSON reads the form [Lead.MarshalJSON] writes, strictly
// (through crm.DecodeJSON: unknown members, wrong types and trailing data
// are refused), then rebuilds the lead with [FromRecord] and checks it
// against every rule a store keeps (the check [Guard] runs), so that a
// decoded lead can be stored as it is. A refusal is a *crm.ValidationError
// (errors.Is(err, crm.ErrInvalid)) whose paths name the offending members,
// e.g. "stage", "reached.won" or "contacts[1]" (a nested value is named
// down to its element); on error l is left unchanged. Nothing is
// pending on the decoded lead. JSON null leaves l unchanged, as the
// encoding/json convention asks.
func (l *Lead) UnmarshalJSON(data []byte) error {
	l.ensure()
	const op = "lead.Lead.UnmarshalJSON"
	if string(bytes.TrimSpace(data)) == "null" {
		return nil // the encoding/json convention: null leaves l unchanged
	}
	var in leadInJSON
	if err := crm.DecodeJSON(data, &in, op); err != nil {
		return err
	}
	w := &in.leadJSON
	if w.V != JSONVersion {
		return crm.Invalid(op, "v", fmt.Sprintf("unknown version %d (want %d)", w.V, JSONVersion))
	}
	var v crm.Validator
	r := Record{
		ID: w.ID, Tenant: w.Tenant, Version: w.Version, Team: w.Team,
		Kind: parseText[customer.Kind](&v, "kind", w.Kind), Name: w.Name, Title: w.Title,
		Company: w.Company, Industry: w.Industry, CompanySize: w.CompanySize, Language: w.Language,
		Topics: noneIfEmpty(w.Topics), Payload: w.Payload, KeyProspect: w.KeyProspect,
		Stage: parseText[Stage](&v, "stage", w.Stage), DisqualifyReason: w.DisqualifyReason,
		Owner: w.Owner, AssignedAt: w.AssignedAt, Customer: w.Customer, Opportunity: w.Opportunity,
		CapturedAt: w.CapturedAt, FirstContactAt: w.FirstContactAt, ClosedAt: w.ClosedAt,
		UpdatedAt: w.UpdatedAt, HistorySeq: w.HistorySeq,
	}
	if len(w.Attributes) > 0 {
		r.Attributes = w.Attributes
	}
	r.Address = decodeAt[customer.Address](&v, op, "address", in.Address)
	r.Contacts = decodeAllAt[ContactPoint](&v, op, "contacts", in.Contacts)
	if s := decodeAt[Source](&v, op, "source", in.Source); s != nil {
		r.Source = *s
	}
	r.Touches = decodeAllAt[Touch](&v, op, "touches", in.Touches)
	if r.Score = decodeAt[Score](&v, op, "score", in.Score); r.Score != nil {
		r.Score.Reasons = noneIfEmpty(r.Score.Reasons)
	}
	r.Channel = parseText[customer.Channel](&v, "channel", w.Channel)
	// Map members in key order, so that problems come in one order.
	if len(w.Consents) > 0 {
		r.Consents = make(map[customer.Channel]customer.Consent, len(w.Consents))
		for _, k := range slices.Sorted(maps.Keys(w.Consents)) {
			ch := parseText[customer.Channel](&v, "consents."+pathKey(k), k)
			if ch == 0 {
				continue
			}
			// Names are read case-insensitively; two spellings of one
			// channel would silently lose a decision.
			v.Check(ch.String() == k, "consents."+pathKey(k), "must be written "+strconv.Quote(ch.String()))
			r.Consents[ch] = w.Consents[k]
		}
	}
	for _, k := range slices.Sorted(maps.Keys(w.Reached)) {
		s := parseText[Stage](&v, "reached."+pathKey(k), k)
		if s == 0 {
			continue
		}
		v.Check(s.String() == k, "reached."+pathKey(k), "must be written "+strconv.Quote(s.String()))
		v.Check(!w.Reached[k].IsZero(), "reached."+pathKey(k), "must not be the zero time")
		r.Reached[s-1] = w.Reached[k]
	}
	if err := v.Err(op); err != nil {
		return err
	}
	got, err := FromRecord(r)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStored(op, got); err != nil {
		return err
	}
	*l = *got
	return nil
}

// campaignJSON is the wire form of a campaign.
type campaignJSON struct {
	V         int              `json:"v"`
	ID        crm.ID           `json:"id"`
	Tenant    crm.TenantID     `json:"tenant"`
	Version   int64            `json:"version"`
	Name      string           `json:"name"`
	Channel   string           `json:"channel"`
	Start     time.Time        `json:"start"`
	End       time.Time        `json:"end"`
	Budget    crm.Money        `json:"budget"`
	Cost      crm.Money        `json:"cost"`
	Segment   customer.Segment `json:"segment,omitzero"`
	Members   []Member         `json:"members,omitempty"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// campaignInJSON is the wire form of a campaign as decoded, its members
// and segment kept raw so that a refusal inside one names it.
type campaignInJSON struct {
	campaignJSON
	Segment json.RawMessage   `json:"segment,omitempty"`
	Members []json.RawMessage `json:"members,omitempty"`
}

// MarshalJSON writes the campaign's JSON form, documented in the package
// doc ("JSON"): every stored field (the record of [Campaign.Record]) under
// a snake_case name, its channel by name, times in RFC 3339 UTC, amounts
// as the kernel writes Money, and "v" for the version of the form.
// Pending events are not part of it.
func (c *Campaign) MarshalJSON() ([]byte, error) {
	const op = "lead.Campaign.MarshalJSON"
	if c == nil || c.id.IsZero() && c.tenant == "" {
		return nil, crm.Invalid(op, "campaign", "must be built with NewCampaign or CampaignFromRecord")
	}
	r := c.Record()
	var v crm.Validator
	w := campaignJSON{
		V: JSONVersion, ID: r.ID, Tenant: r.Tenant, Version: r.Version, Name: r.Name,
		Channel: textOf(&v, "channel", r.Channel), Start: utc(r.Start), End: utc(r.End),
		Budget: r.Budget, Cost: r.Cost, Segment: r.Segment, Members: r.Members,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt),
	}
	for i := range w.Members { // r is c's copy: ours to change
		w.Members[i].AddedAt, w.Members[i].RespondedAt = utc(w.Members[i].AddedAt), utc(w.Members[i].RespondedAt)
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("lead: marshal json %s: %w", r.ID, err)
	}
	return b, nil
}

// UnmarshalJSON reads the form [Campaign.MarshalJSON] writes, strictly
// (through crm.DecodeJSON), then rebuilds the campaign with
// [CampaignFromRecord] and checks it against every rule a store keeps (the
// check the campaign store of [Guard] runs). A refusal is a *crm.ValidationError whose
// paths name the offending members; on error, and for JSON null, c is
// left unchanged.
func (c *Campaign) UnmarshalJSON(data []byte) error {
	const op = "lead.Campaign.UnmarshalJSON"
	if string(bytes.TrimSpace(data)) == "null" {
		return nil // the encoding/json convention: null leaves c unchanged
	}
	var in campaignInJSON
	if err := crm.DecodeJSON(data, &in, op); err != nil {
		return err
	}
	w := &in.campaignJSON
	if w.V != JSONVersion {
		return crm.Invalid(op, "v", fmt.Sprintf("unknown version %d (want %d)", w.V, JSONVersion))
	}
	var v crm.Validator
	r := CampaignRecord{
		ID: w.ID, Tenant: w.Tenant, Version: w.Version, Name: w.Name,
		Channel: parseText[CampaignChannel](&v, "channel", w.Channel), Start: w.Start, End: w.End,
		Budget: w.Budget, Cost: w.Cost, Members: decodeAllAt[Member](&v, op, "members", in.Members),
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
	}
	if sg := decodeAt[customer.Segment](&v, op, "segment", in.Segment); sg != nil {
		r.Segment = *sg
	}
	if err := v.Err(op); err != nil {
		return err
	}
	got, err := CampaignFromRecord(r)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStoredCampaign(op, got); err != nil {
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
func textOf(v *crm.Validator, path string, t interface{ MarshalText() ([]byte, error) }) string {
	b, err := t.MarshalText()
	if err != nil {
		v.Merge(path, err)
		return ""
	}
	return string(b)
}

// parseText reads s into a T through its UnmarshalText, recording a
// refusal under path.
func parseText[T any, P interface {
	*T
	UnmarshalText([]byte) error
}](v *crm.Validator, path, s string) T {
	var t T
	if err := P(&t).UnmarshalText([]byte(s)); err != nil {
		v.Merge(path, err)
	}
	return t
}

// noneIfEmpty returns nil for an empty s, else s.
func noneIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}
