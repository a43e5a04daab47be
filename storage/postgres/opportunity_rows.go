package postgres

import (
	"encoding/binary"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
)

// oppDoc is the stored form of an opportunity in the doc column: its
// Record with every value that may be zero (and has no JSON form when it
// is) behind a pointer, so that the record comes back exactly.
type oppDoc struct {
	ID          crm.ID                           `json:"id"`
	Tenant      string                           `json:"tenant"`
	Version     int64                            `json:"version"`
	Customer    crm.ID                           `json:"customer"`
	Owner       string                           `json:"owner"`
	Team        string                           `json:"team"`
	Pipeline    string                           `json:"pipeline"`
	Name        string                           `json:"name"`
	Source      sourceDoc                        `json:"source"`
	Segment     string                           `json:"segment"`
	Contacts    []opportunity.Contact            `json:"contacts,omitempty"`
	Currency    crm.Currency                     `json:"currency"`
	Amount      *crm.Money                       `json:"amount,omitempty"`
	Lines       []opportunity.Line               `json:"lines,omitempty"`
	Approvals   []opportunity.Approval           `json:"approvals,omitempty"`
	Status      opportunity.Status               `json:"status"`
	Stage       string                           `json:"stage"`
	ClosedFrom  string                           `json:"closed_from,omitempty"`
	StageSince  time.Time                        `json:"stage_since"`
	StageProb   float64                          `json:"stage_probability"`
	StageCat    opportunity.ForecastCategory     `json:"stage_category"`
	Override    *opportunity.ProbabilityOverride `json:"probability_override,omitempty"`
	Category    *opportunity.ForecastCategory    `json:"category,omitempty"`
	CloseDate   *calendar.Date                   `json:"close_date,omitempty"`
	NextStep    string                           `json:"next_step,omitempty"`
	NextDue     *calendar.Date                   `json:"next_step_due,omitempty"`
	Competitors []competitorDoc                  `json:"competitors,omitempty"`
	Won         *opportunity.WonDetails          `json:"won,omitempty"`
	Lost        *opportunity.LostDetails         `json:"lost,omitempty"`
	ClosedAt    *time.Time                       `json:"closed_at,omitempty"`
	Reopens     int                              `json:"reopens"`
	CreatedAt   time.Time                        `json:"created_at"`
	UpdatedAt   time.Time                        `json:"updated_at"`
	Seq         int64                            `json:"seq"`
}

type sourceDoc struct {
	Kind     opportunity.SourceKind `json:"kind"`
	Lead     crm.ID                 `json:"lead"`
	Campaign string                 `json:"campaign,omitempty"`
	Referrer crm.ID                 `json:"referrer"`
	Channel  *customer.Channel      `json:"channel,omitempty"`
}

type competitorDoc struct {
	Name       string                       `json:"name"`
	Offer      *crm.Money                   `json:"offer,omitempty"`
	Strengths  string                       `json:"strengths,omitempty"`
	Weaknesses string                       `json:"weaknesses,omitempty"`
	Status     opportunity.CompetitorStatus `json:"status"`
}

// ptr returns a pointer to v, or nil when v is its zero value.
func ptr[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// val returns *p, or the zero T for nil.
func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// encodeOpportunity returns the doc column of r.
func encodeOpportunity(r opportunity.Record) ([]byte, error) {
	d := oppDoc{
		ID: r.ID, Tenant: string(r.Tenant), Version: r.Version, Customer: r.Customer, Owner: string(r.Owner),
		Team: r.Team, Pipeline: r.Pipeline, Name: r.Name, Segment: r.Segment, Contacts: r.Contacts,
		Source: sourceDoc{Kind: r.Source.Kind, Lead: r.Source.Lead, Campaign: r.Source.Campaign,
			Referrer: r.Source.Referrer, Channel: ptr(r.Source.Channel)},
		Currency: r.Currency, Amount: ptr(r.Amount), Lines: r.Lines, Approvals: r.Approvals,
		Status: r.Status, Stage: r.Stage, ClosedFrom: r.ClosedFrom, StageSince: r.StageSince,
		StageProb: r.StageProbability, StageCat: r.StageCategory, Override: r.ProbabilityOverride,
		Category: ptr(r.Category), CloseDate: ptr(r.CloseDate), NextStep: r.NextStep.Text, NextDue: ptr(r.NextStep.Due),
		Won: r.Won, Lost: r.Lost, ClosedAt: ptr(r.ClosedAt), Reopens: r.Reopens,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Seq: r.Seq,
	}
	for _, c := range r.Competitors {
		d.Competitors = append(d.Competitors, competitorDoc{Name: c.Name, Offer: ptr(c.Offer),
			Strengths: c.Strengths, Weaknesses: c.Weaknesses, Status: c.Status})
	}
	return appendOppDoc(make([]byte, 0, 1024), &d)
}

// decodeOpportunity rebuilds the opportunity stored as b.
func decodeOpportunity(b []byte) (*opportunity.Opportunity, error) {
	var d oppDoc
	if err := unmarshalOppDoc(b, &d); err != nil {
		return nil, &corruptError{what: "opportunity", problems: []string{err.Error()}}
	}
	r := opportunity.Record{
		ID: d.ID, Tenant: crm.TenantID(d.Tenant), Version: d.Version, Customer: d.Customer, Owner: crm.UserID(d.Owner),
		Team: d.Team, Pipeline: d.Pipeline, Name: d.Name, Segment: d.Segment, Contacts: d.Contacts,
		Source: opportunity.Source{Kind: d.Source.Kind, Lead: d.Source.Lead, Campaign: d.Source.Campaign,
			Referrer: d.Source.Referrer, Channel: val(d.Source.Channel)},
		Currency: d.Currency, Amount: val(d.Amount), Lines: d.Lines, Approvals: d.Approvals,
		Status: d.Status, Stage: d.Stage, ClosedFrom: d.ClosedFrom, StageSince: d.StageSince,
		StageProbability: d.StageProb, StageCategory: d.StageCat, ProbabilityOverride: d.Override,
		Category: val(d.Category), CloseDate: val(d.CloseDate),
		NextStep: opportunity.NextStep{Text: d.NextStep, Due: val(d.NextDue)},
		Won:      d.Won, Lost: d.Lost, ClosedAt: val(d.ClosedAt), Reopens: d.Reopens,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Seq: d.Seq,
	}
	for _, c := range d.Competitors {
		r.Competitors = append(r.Competitors, opportunity.Competitor{Name: c.Name, Offer: val(c.Offer),
			Strengths: c.Strengths, Weaknesses: c.Weaknesses, Status: c.Status})
	}
	o, err := opportunityHooks.Adopt(r)
	if err != nil {
		return nil, &corruptError{what: "opportunity " + d.ID.String(), problems: []string{err.Error()}}
	}
	return o, nil
}

// taggedSeqString returns the cursor of a history list of tag whose last
// entry has sequence number seq.
func taggedSeqString(tag byte, seq int64) string {
	return cursorB64.EncodeToString(binary.BigEndian.AppendUint64([]byte{tag, cursorVersion}, uint64(seq)))
}

// parseTaggedSeq returns the sequence number of a history cursor of tag;
// 0 for "".
func parseTaggedSeq(op string, tag byte, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	b, err := decodeTagged(op, tag, 8, s)
	if err != nil {
		return 0, err
	}
	seq := int64(binary.BigEndian.Uint64(b))
	if seq <= 0 {
		return 0, crm.Invalid(op, "page.cursor", "malformed")
	}
	return seq, nil
}

// durationNS is a stored duration in nanoseconds.
func durationNS(ns int64) time.Duration { return time.Duration(ns) }
