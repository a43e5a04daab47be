package complaint

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// JSONVersion is the version of the JSON forms of a [Complaint] and a
// [Risk] that this package writes (member "v"). A later form gets a new
// number; decoding refuses a version it does not know.
const JSONVersion = 1

// complaintJSON is the wire form of a complaint. Enums are strings here,
// so that a refusal names the member it came from.
type complaintJSON struct {
	V               int                 `json:"v"`
	ID              crm.ID              `json:"id"`
	Tenant          crm.TenantID        `json:"tenant"`
	Version         int64               `json:"version"`
	Customer        crm.ID              `json:"customer"`
	Channel         string              `json:"channel"`
	Category        string              `json:"category"`
	Severity        string              `json:"severity"`
	Priority        string              `json:"priority"`
	Asset           Asset               `json:"asset,omitempty"`
	Description     string              `json:"description"`
	DesiredOutcome  string              `json:"desired_outcome,omitempty"`
	Attachments     []string            `json:"attachments,omitempty"`
	Group           crm.ID              `json:"group,omitzero"`
	Owner           crm.UserID          `json:"owner"`
	HandOvers       int                 `json:"hand_overs"`
	Status          string              `json:"status"`
	WaitingFrom     string              `json:"waiting_from,omitempty"`
	EscalationLevel int                 `json:"escalation_level"`
	Reopens         int                 `json:"reopens"`
	ReopenWindow    string              `json:"reopen_window"`
	Resolution      *resolutionJSON     `json:"resolution,omitempty"`
	Accepted        *bool               `json:"accepted,omitempty"`
	FollowUpAt      time.Time           `json:"follow_up_at,omitzero"`
	FollowUp        *FollowUp           `json:"follow_up,omitempty"`
	Survey          *Survey             `json:"survey,omitempty"`
	Repair          []repairJSON        `json:"repair,omitempty"`
	Pauses          []calendar.Interval `json:"pauses,omitempty"`
	ReceivedAt      time.Time           `json:"received_at"`
	AcknowledgedAt  time.Time           `json:"acknowledged_at,omitzero"`
	FirstResponseAt time.Time           `json:"first_response_at,omitzero"`
	ResolvedAt      time.Time           `json:"resolved_at,omitzero"`
	ClosedAt        time.Time           `json:"closed_at,omitzero"`
	RejectedAt      time.Time           `json:"rejected_at,omitzero"`
	AuditSeq        int64               `json:"audit_seq"`
}

// resolutionJSON is the wire form of a [Resolution] inside a complaint;
// the compensation is left out when there is none.
type resolutionJSON struct {
	Remedy       string     `json:"remedy"`
	Compensation *crm.Money `json:"compensation,omitempty"`
	Summary      string     `json:"summary"`
	RootCause    RootCause  `json:"root_cause,omitzero"`
	Corrective   string     `json:"corrective,omitempty"`
	Preventive   string     `json:"preventive,omitempty"`
}

// repairJSON is the wire form of a [RepairEntry] inside a complaint.
type repairJSON struct {
	Step   string     `json:"step"`
	Note   string     `json:"note,omitempty"`
	Public bool       `json:"public"`
	At     time.Time  `json:"at"`
	Actor  crm.UserID `json:"actor"`
}

// MarshalJSON writes the complaint's JSON form, documented in the package
// doc ("JSON"): every stored field (the record of [Complaint.Record])
// under a snake_case name, enums by name, times in RFC 3339 UTC, money as
// crm.Money writes it, the reopen window as Go duration text ("720h0m0s"),
// and "v" for the version of the form. Pending audit entries and events
// are not part of it. A complaint holding a value that has no text form
// (an invalid enum or money) is refused with an error wrapping
// crm.ErrInvalid.
func (c *Complaint) MarshalJSON() ([]byte, error) {
	const op = "complaint.Complaint.MarshalJSON"
	if c == nil || c.id.IsZero() && c.tenant == "" {
		return nil, crm.Invalid(op, "complaint", "must be built with New or FromRecord")
	}
	r := c.Record()
	var v crm.Validator
	w := complaintJSON{
		V: JSONVersion, ID: r.ID, Tenant: r.Tenant, Version: r.Version, Customer: r.Customer,
		Channel: textOf(&v, "channel", r.Channel), Category: r.Category,
		Severity: textOf(&v, "severity", r.Severity), Priority: textOf(&v, "priority", r.Priority),
		Asset: r.Asset, Description: r.Description, DesiredOutcome: r.DesiredOutcome, Attachments: r.Attachments,
		Group: r.Group, Owner: r.Owner, HandOvers: r.HandOvers, Status: textOf(&v, "status", r.Status),
		EscalationLevel: r.EscalationLevel, Reopens: r.Reopens, ReopenWindow: r.ReopenWindow.String(),
		Accepted: r.Accepted, FollowUpAt: utc(r.FollowUpAt), FollowUp: r.FollowUp, Survey: r.Survey,
		ReceivedAt: utc(r.ReceivedAt), AcknowledgedAt: utc(r.AcknowledgedAt), FirstResponseAt: utc(r.FirstResponseAt),
		ResolvedAt: utc(r.ResolvedAt), ClosedAt: utc(r.ClosedAt), RejectedAt: utc(r.RejectedAt), AuditSeq: r.AuditSeq,
	}
	if r.WaitingFrom != 0 {
		w.WaitingFrom = textOf(&v, "waiting_from", r.WaitingFrom)
	}
	if res := r.Resolution; res != nil {
		w.Resolution = &resolutionJSON{
			Remedy: textOf(&v, "resolution.remedy", res.Remedy), Summary: res.Summary, RootCause: res.RootCause,
			Corrective: res.Corrective, Preventive: res.Preventive,
		}
		if m := res.Compensation; !m.IsZero() || !m.Currency().IsZero() {
			w.Resolution.Compensation = &m
		}
	}
	if f := r.FollowUp; f != nil {
		w.FollowUp = &FollowUp{Reached: f.Reached, Note: f.Note, At: utc(f.At)}
	}
	if s := r.Survey; s != nil {
		w.Survey = &Survey{CSAT: s.CSAT, Comment: s.Comment, At: utc(s.At)}
	}
	if len(r.Repair) > 0 {
		w.Repair = make([]repairJSON, len(r.Repair))
		for i, e := range r.Repair {
			w.Repair[i] = repairJSON{
				Step: textOf(&v, fmt.Sprintf("repair[%d].step", i), e.Step), Note: e.Note, Public: e.Public,
				At: utc(e.At), Actor: e.Actor,
			}
		}
	}
	if len(r.Pauses) > 0 {
		w.Pauses = make([]calendar.Interval, len(r.Pauses))
		for i, p := range r.Pauses {
			w.Pauses[i] = calendar.Interval{Start: utc(p.Start), End: utc(p.End)}
		}
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("complaint: marshal json %s: %w", r.ID, err)
	}
	return b, nil
}

// UnmarshalJSON reads the form [Complaint.MarshalJSON] writes, strictly
// (through crm.DecodeJSON: unknown members, wrong types and trailing data
// are refused), then rebuilds the complaint with [FromRecord] and checks
// it against every rule a store keeps (see "Limits"), so that a decoded
// complaint can be stored as it is. A resolution is held to the rules of
// a stored one, not to those it met when it was set. A refusal is a
// *crm.ValidationError (errors.Is(err, crm.ErrInvalid)) whose paths name
// the offending members, e.g. "repair[2].step"; on error c is left
// unchanged. Nothing is pending on the decoded complaint. JSON null leaves
// c unchanged, as the encoding/json convention asks.
func (c *Complaint) UnmarshalJSON(data []byte) error {
	const op = "complaint.Complaint.UnmarshalJSON"
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var w complaintJSON
	if err := crm.DecodeJSON(data, &w, op); err != nil {
		return err
	}
	if w.V != JSONVersion {
		return crm.Invalid(op, "v", fmt.Sprintf("unknown version %d (want %d)", w.V, JSONVersion))
	}
	var v crm.Validator
	r := Record{
		ID: w.ID, Tenant: w.Tenant, Version: w.Version, Customer: w.Customer,
		Category: w.Category, Asset: w.Asset, Description: w.Description, DesiredOutcome: w.DesiredOutcome,
		Attachments: w.Attachments, Group: w.Group, Owner: w.Owner, HandOvers: w.HandOvers,
		EscalationLevel: w.EscalationLevel, Reopens: w.Reopens, Accepted: w.Accepted,
		FollowUpAt: w.FollowUpAt, FollowUp: w.FollowUp, Survey: w.Survey, Pauses: w.Pauses,
		ReceivedAt: w.ReceivedAt, AcknowledgedAt: w.AcknowledgedAt, FirstResponseAt: w.FirstResponseAt,
		ResolvedAt: w.ResolvedAt, ClosedAt: w.ClosedAt, RejectedAt: w.RejectedAt, AuditSeq: w.AuditSeq,
	}
	parseText(&v, "channel", w.Channel, &r.Channel)
	parseText(&v, "severity", w.Severity, &r.Severity)
	parseText(&v, "priority", w.Priority, &r.Priority)
	parseText(&v, "status", w.Status, &r.Status)
	if w.WaitingFrom != "" {
		parseText(&v, "waiting_from", w.WaitingFrom, &r.WaitingFrom)
	}
	if d, err := time.ParseDuration(w.ReopenWindow); err != nil {
		v.Addf("reopen_window", "not a duration such as \"720h\"")
	} else {
		r.ReopenWindow = d
	}
	if res := w.Resolution; res != nil {
		r.Resolution = &Resolution{
			Summary: res.Summary, RootCause: res.RootCause, Corrective: res.Corrective, Preventive: res.Preventive,
		}
		parseText(&v, "resolution.remedy", res.Remedy, &r.Resolution.Remedy)
		if m := res.Compensation; m != nil {
			r.Resolution.Compensation = canonicalMoney(*m)
		}
	}
	if len(w.Repair) > 0 {
		r.Repair = make([]RepairEntry, len(w.Repair))
		for i, e := range w.Repair {
			r.Repair[i] = RepairEntry{Note: e.Note, Public: e.Public, At: e.At, Actor: e.Actor}
			parseText(&v, fmt.Sprintf("repair[%d].step", i), e.Step, &r.Repair[i].Step)
		}
	}
	// An empty list is held as none, as the stores hold it, so that it
	// decodes to what it encodes from.
	r.Asset, r.Attachments, r.Pauses = noneIfEmpty(r.Asset), noneIfEmpty(r.Attachments), noneIfEmpty(r.Pauses)
	if err := v.Err(op); err != nil {
		return err
	}
	got, err := FromRecord(r)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStored(op, got, got.resolution); err != nil {
		return err
	}
	*c = *got
	return nil
}

// riskJSON is the wire form of a risk.
type riskJSON struct {
	V         int          `json:"v"`
	ID        crm.ID       `json:"id"`
	Tenant    crm.TenantID `json:"tenant"`
	Version   int64        `json:"version"`
	Hotspot   hotspotJSON  `json:"hotspot"`
	Owner     crm.UserID   `json:"owner"`
	Status    string       `json:"status"`
	Notes     []RiskNote   `json:"notes,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// hotspotJSON is the wire form of a [Hotspot] inside a risk: the form of
// its json tags with the kind as a string, so that a refusal names it.
type hotspotJSON struct {
	Rule     string    `json:"rule"`
	Kind     string    `json:"kind"`
	Asset    Asset     `json:"asset,omitempty"`
	Category string    `json:"category,omitempty"`
	Customer crm.ID    `json:"customer,omitzero"`
	Count    int       `json:"count"`
	Baseline float64   `json:"baseline,omitempty"`
	From     time.Time `json:"from,omitzero"`
	To       time.Time `json:"to,omitzero"`
	Evidence []crm.ID  `json:"evidence"`
}

// MarshalJSON writes the risk's JSON form, documented in the package doc
// ("JSON"): every stored field (the record of [Risk.Record]) under a
// snake_case name, enums by name, times in RFC 3339 UTC, and "v" for the
// version of the form. A risk holding a value that has no JSON form (an
// invalid enum, a baseline that is not a finite number) is refused.
func (r *Risk) MarshalJSON() ([]byte, error) {
	const op = "complaint.Risk.MarshalJSON"
	if r == nil || r.id.IsZero() && r.tenant == "" {
		return nil, crm.Invalid(op, "risk", "must be built with NewRisk or RiskFromRecord")
	}
	rec := r.Record()
	h := rec.Hotspot
	var v crm.Validator
	w := riskJSON{
		V: JSONVersion, ID: rec.ID, Tenant: rec.Tenant, Version: rec.Version, Owner: rec.Owner,
		Status: textOf(&v, "status", rec.Status), CreatedAt: utc(rec.CreatedAt), UpdatedAt: utc(rec.UpdatedAt),
		Hotspot: hotspotJSON{
			Rule: h.Rule, Kind: textOf(&v, "hotspot.kind", h.Kind), Asset: h.Asset, Category: h.Category,
			Customer: h.Customer, Count: h.Count, Baseline: h.Baseline, From: utc(h.From), To: utc(h.To),
			Evidence: h.Evidence,
		},
	}
	if len(rec.Notes) > 0 {
		w.Notes = slices.Clone(rec.Notes)
		for i := range w.Notes {
			w.Notes[i].At = utc(w.Notes[i].At)
		}
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("complaint: marshal json risk %s: %w", rec.ID, crm.Invalid(op, "hotspot", err.Error()))
	}
	return b, nil
}

// UnmarshalJSON reads the form [Risk.MarshalJSON] writes, strictly
// (through crm.DecodeJSON), then rebuilds the risk with [RiskFromRecord]
// and checks it against every rule a store keeps. A refusal is a
// *crm.ValidationError (errors.Is(err, crm.ErrInvalid)) whose paths name
// the offending members, e.g. "hotspot.kind"; on error r is left
// unchanged. JSON null leaves r unchanged.
func (r *Risk) UnmarshalJSON(data []byte) error {
	const op = "complaint.Risk.UnmarshalJSON"
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var w riskJSON
	if err := crm.DecodeJSON(data, &w, op); err != nil {
		return err
	}
	if w.V != JSONVersion {
		return crm.Invalid(op, "v", fmt.Sprintf("unknown version %d (want %d)", w.V, JSONVersion))
	}
	var v crm.Validator
	h := w.Hotspot
	rec := RiskRecord{
		ID: w.ID, Tenant: w.Tenant, Version: w.Version, Owner: w.Owner, Notes: w.Notes,
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
		Hotspot: Hotspot{
			Rule: h.Rule, Asset: h.Asset, Category: h.Category, Customer: h.Customer, Count: h.Count,
			Baseline: h.Baseline, From: h.From, To: h.To, Evidence: h.Evidence,
		},
	}
	parseText(&v, "status", w.Status, &rec.Status)
	parseText(&v, "hotspot.kind", h.Kind, &rec.Hotspot.Kind)
	rec.Notes, rec.Hotspot.Asset, rec.Hotspot.Evidence = noneIfEmpty(rec.Notes), noneIfEmpty(rec.Hotspot.Asset), noneIfEmpty(rec.Hotspot.Evidence)
	if err := v.Err(op); err != nil {
		return err
	}
	got, err := RiskFromRecord(rec)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStoredRisk(op, got); err != nil {
		return err
	}
	*r = *got
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
func textOf(v *crm.Validator, path string, t encoding.TextMarshaler) string {
	b, err := t.MarshalText()
	if err != nil {
		v.Merge(path, err)
		return ""
	}
	return string(b)
}

// parseText reads s into dst through its UnmarshalText, recording a
// refusal under path.
func parseText(v *crm.Validator, path, s string, dst encoding.TextUnmarshaler) {
	if err := dst.UnmarshalText([]byte(s)); err != nil {
		v.Merge(path, err)
	}
}

// canonicalMoney returns m as its JSON form reads back: "5" and "5.00" EUR
// are equal amounts held differently, and a decoded complaint holds the
// one it encodes to, so that decoding what it encodes gives it again.
func canonicalMoney(m crm.Money) crm.Money {
	b, err := m.MarshalJSON()
	if err != nil {
		return m // the record's checks refuse it
	}
	var out crm.Money
	if err := out.UnmarshalJSON(b); err != nil {
		return m
	}
	return out
}

// noneIfEmpty returns nil for an empty s, else s.
func noneIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

// auditFields is an [AuditEntry] without its methods.
type auditFields AuditEntry

// MarshalJSON writes the entry by its field tags, with its time in UTC.
func (a AuditEntry) MarshalJSON() ([]byte, error) {
	f := auditFields(a)
	f.At = utc(f.At)
	return json.Marshal(f)
}
