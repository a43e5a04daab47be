package opportunity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// JSONVersion is the version of the JSON form of an [Opportunity] that
// this package writes (member "v"). A later form gets a new number;
// decoding refuses a version it does not know.
const JSONVersion = 1

// opportunityJSON is the wire form of an opportunity. The top-level enums
// are strings here, so that a refusal names the member it came from; the
// nested values are written by their field tags.
type opportunityJSON struct {
	V                   int                  `json:"v"`
	ID                  crm.ID               `json:"id"`
	Tenant              crm.TenantID         `json:"tenant"`
	Version             int64                `json:"version"`
	Customer            crm.ID               `json:"customer"`
	Owner               crm.UserID           `json:"owner"`
	Team                string               `json:"team,omitempty"`
	Pipeline            string               `json:"pipeline"`
	Name                string               `json:"name"`
	Source              Source               `json:"source"`
	Segment             string               `json:"segment,omitempty"`
	Contacts            []Contact            `json:"contacts,omitempty"`
	Currency            string               `json:"currency"`
	Amount              crm.Money            `json:"amount"`
	Lines               []Line               `json:"lines,omitempty"`
	Approvals           []Approval           `json:"approvals,omitempty"`
	Status              string               `json:"status"`
	Stage               string               `json:"stage"`
	ClosedFrom          string               `json:"closed_from,omitempty"`
	StageSince          time.Time            `json:"stage_since"`
	StageProbability    float64              `json:"stage_probability"`
	StageCategory       string               `json:"stage_category"`
	ProbabilityOverride *ProbabilityOverride `json:"probability_override,omitempty"`
	Category            string               `json:"category,omitempty"`
	CloseDate           string               `json:"close_date,omitempty"`
	NextStep            NextStep             `json:"next_step,omitzero"`
	Competitors         []Competitor         `json:"competitors,omitempty"`
	Won                 *WonDetails          `json:"won,omitempty"`
	Lost                *LostDetails         `json:"lost,omitempty"`
	ClosedAt            time.Time            `json:"closed_at,omitzero"`
	Reopens             int                  `json:"reopens"`
	CreatedAt           time.Time            `json:"created_at"`
	UpdatedAt           time.Time            `json:"updated_at"`
	Seq                 int64                `json:"seq"`
}

// opportunityInJSON is the wire form as decoded: the nested values are
// kept raw and decoded one by one, so that a refusal inside one names it
// ("contacts[1]: ...", "next_step: ..."); crm.DecodeJSON alone cannot say
// where a nested text value was refused.
type opportunityInJSON struct {
	opportunityJSON
	Source              json.RawMessage   `json:"source"`
	Contacts            []json.RawMessage `json:"contacts,omitempty"`
	Lines               []json.RawMessage `json:"lines,omitempty"`
	Approvals           []json.RawMessage `json:"approvals,omitempty"`
	ProbabilityOverride json.RawMessage   `json:"probability_override,omitempty"`
	NextStep            json.RawMessage   `json:"next_step,omitempty"`
	Competitors         []json.RawMessage `json:"competitors,omitempty"`
	Won                 json.RawMessage   `json:"won,omitempty"`
	Lost                json.RawMessage   `json:"lost,omitempty"`
}

// decodeAt decodes one nested value strictly, recording a refusal under
// path; JSON null or nothing leaves the zero T.
func decodeAt[T any](v *crm.Validator, op, path string, raw json.RawMessage) T {
	var t T
	if len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return t
	}
	if err := crm.DecodeJSON(raw, &t, op); err != nil {
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
		out[i] = decodeAt[T](v, op, fmt.Sprintf("%s[%d]", path, i), raw)
	}
	return out
}

// MarshalJSON writes the opportunity's JSON form, documented in the
// package doc ("JSON"): every stored field (the record of
// [Opportunity.Record]) under a snake_case name, enums by name, times in
// RFC 3339 UTC, amounts as the kernel writes Money, and "v" for the
// version of the form. Pending stage changes and events are not part of
// it. An opportunity holding a value that has no text form (an unknown
// enum) is refused with an error wrapping crm.ErrInvalid.
func (o *Opportunity) MarshalJSON() ([]byte, error) {
	const op = "opportunity.Opportunity.MarshalJSON"
	if o == nil || o.state == nil || o.id.IsZero() && o.tenant == "" {
		return nil, crm.Invalid(op, "opportunity", "must be built with New or FromRecord")
	}
	r := o.Record()
	var v crm.Validator
	w := opportunityJSON{
		V: JSONVersion, ID: r.ID, Tenant: r.Tenant, Version: r.Version, Customer: r.Customer,
		Owner: r.Owner, Team: r.Team, Pipeline: r.Pipeline, Name: r.Name, Source: r.Source,
		Segment: r.Segment, Contacts: r.Contacts, Currency: r.Currency.Code(), Amount: r.Amount,
		Lines: r.Lines, Approvals: r.Approvals, Stage: r.Stage, ClosedFrom: r.ClosedFrom,
		StageSince: utc(r.StageSince), StageProbability: r.StageProbability,
		ProbabilityOverride: r.ProbabilityOverride, NextStep: r.NextStep,
		Competitors: r.Competitors, Won: r.Won, Lost: r.Lost, ClosedAt: utc(r.ClosedAt),
		Reopens: r.Reopens, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Seq: r.Seq,
	}
	w.Status = textOf(&v, "status", r.Status)
	w.StageCategory = textOf(&v, "stage_category", r.StageCategory)
	if r.Category != 0 {
		w.Category = textOf(&v, "category", r.Category)
	}
	if r.CloseDate != (calendar.Date{}) {
		w.CloseDate = textOf(&v, "close_date", r.CloseDate)
	}
	for i := range w.Approvals { // r is o's copy: ours to change
		w.Approvals[i].At = utc(w.Approvals[i].At)
	}
	if w.ProbabilityOverride != nil {
		w.ProbabilityOverride.At = utc(w.ProbabilityOverride.At)
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("opportunity: marshal json %s: %w", r.ID, err)
	}
	return b, nil
}

// UnmarshalJSON reads the form [Opportunity.MarshalJSON] writes, strictly
// (through crm.DecodeJSON: unknown members, wrong types and trailing data
// are refused), then rebuilds the opportunity with [FromRecord] and checks
// it against every rule a store keeps (the check [Guard] runs), so that a
// decoded opportunity can be stored as it is. A refusal is a
// *crm.ValidationError (errors.Is(err, crm.ErrInvalid)) whose paths name
// the offending members, e.g. "status" or "lines[0]" (a nested value is
// named down to its element); on error o is left
// unchanged. Nothing is pending on the decoded opportunity. JSON null
// leaves o unchanged, as the encoding/json convention asks.
func (o *Opportunity) UnmarshalJSON(data []byte) error {
	const op = "opportunity.Opportunity.UnmarshalJSON"
	if string(bytes.TrimSpace(data)) == "null" {
		return nil // the encoding/json convention: null leaves o unchanged
	}
	var in opportunityInJSON
	if err := crm.DecodeJSON(data, &in, op); err != nil {
		return err
	}
	w := &in.opportunityJSON
	if w.V != JSONVersion {
		return crm.Invalid(op, "v", fmt.Sprintf("unknown version %d (want %d)", w.V, JSONVersion))
	}
	var v crm.Validator
	r := Record{
		ID: w.ID, Tenant: w.Tenant, Version: w.Version, Customer: w.Customer, Owner: w.Owner,
		Team: w.Team, Pipeline: w.Pipeline, Name: w.Name, Segment: w.Segment,
		Amount: w.Amount, Stage: w.Stage, ClosedFrom: w.ClosedFrom,
		StageSince: w.StageSince, StageProbability: w.StageProbability,
		ClosedAt: w.ClosedAt, Reopens: w.Reopens, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, Seq: w.Seq,
	}
	r.Source = decodeAt[Source](&v, op, "source", in.Source)
	r.Contacts = decodeAllAt[Contact](&v, op, "contacts", in.Contacts)
	r.Lines = decodeAllAt[Line](&v, op, "lines", in.Lines)
	r.Approvals = decodeAllAt[Approval](&v, op, "approvals", in.Approvals)
	r.NextStep = decodeAt[NextStep](&v, op, "next_step", in.NextStep)
	r.Competitors = decodeAllAt[Competitor](&v, op, "competitors", in.Competitors)
	if len(in.ProbabilityOverride) > 0 && string(in.ProbabilityOverride) != "null" {
		po := decodeAt[ProbabilityOverride](&v, op, "probability_override", in.ProbabilityOverride)
		r.ProbabilityOverride = &po
	}
	if len(in.Won) > 0 && string(in.Won) != "null" {
		won := decodeAt[WonDetails](&v, op, "won", in.Won)
		r.Won = &won
	}
	if len(in.Lost) > 0 && string(in.Lost) != "null" {
		lost := decodeAt[LostDetails](&v, op, "lost", in.Lost)
		r.Lost = &lost
	}
	r.Currency = parseText[crm.Currency](&v, "currency", w.Currency)
	r.Status = parseText[Status](&v, "status", w.Status)
	r.StageCategory = parseText[ForecastCategory](&v, "stage_category", w.StageCategory)
	if w.Category != "" {
		r.Category = parseText[ForecastCategory](&v, "category", w.Category)
	}
	if w.CloseDate != "" {
		r.CloseDate = parseText[calendar.Date](&v, "close_date", w.CloseDate)
	}
	for i := range r.Lines {
		r.Lines[i].Adjustments = noneIfEmpty(r.Lines[i].Adjustments)
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
	*o = *got
	return nil
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
