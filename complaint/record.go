package complaint

import (
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
)

// Record is the persisted form of a [Complaint]: every stored field,
// exported, for store implementations. Pending audit entries and events
// are not part of it. Build one with [Complaint.Record] and rebuild the
// complaint with [FromRecord].
type Record struct {
	ID              crm.ID
	Tenant          crm.TenantID
	Version         int64
	Customer        crm.ID
	Channel         customer.Channel
	Category        string
	Severity        Severity
	Priority        Priority
	Asset           Asset
	Description     string
	DesiredOutcome  string
	Attachments     []string
	Group           crm.ID
	Owner           crm.UserID
	HandOvers       int
	Status          Status
	WaitingFrom     Status // zero unless Status is WaitingOnCustomer
	EscalationLevel int
	Reopens         int
	ReopenWindow    time.Duration
	Resolution      *Resolution
	Accepted        *bool
	FollowUpAt      time.Time
	FollowUp        *FollowUp
	Survey          *Survey
	Repair          []RepairEntry
	Pauses          []calendar.Interval
	ReceivedAt      time.Time
	AcknowledgedAt  time.Time
	FirstResponseAt time.Time
	ResolvedAt      time.Time
	ClosedAt        time.Time
	RejectedAt      time.Time
	// AuditSeq is the sequence number of the last audit entry.
	AuditSeq int64
}

// Record returns the complaint's persisted form, sharing nothing with c.
func (c *Complaint) Record() Record { return c.Clone().view() }

// view returns c's persisted form sharing c's lists and pointers: for
// reading only, as the checks do.
func (c *Complaint) view() Record {
	d := c
	return Record{
		ID: d.id, Tenant: d.tenant, Version: d.version, Customer: d.customer, Channel: d.channel,
		Category: d.category, Severity: d.severity, Priority: d.priority, Asset: d.asset,
		Description: d.desc, DesiredOutcome: d.desired, Attachments: d.attach, Group: d.group,
		Owner: d.owner, HandOvers: d.handOvers, Status: d.status, WaitingFrom: d.waitFrom,
		EscalationLevel: d.escalation, Reopens: d.reopens, ReopenWindow: d.reopenWindow, Resolution: d.resolution,
		Accepted: d.accepted, FollowUpAt: d.followUpAt, FollowUp: d.followUp, Survey: d.survey, Repair: d.repair,
		Pauses: d.pauses, ReceivedAt: d.receivedAt, AcknowledgedAt: d.acknowledgedAt,
		FirstResponseAt: d.firstResponseAt, ResolvedAt: d.resolvedAt, ClosedAt: d.closedAt,
		RejectedAt: d.rejectedAt, AuditSeq: d.auditSeq,
	}
}

// FromRecord rebuilds a complaint from its persisted form. It checks the
// invariants every stored complaint keeps (identity, known enum values, one
// owner, a consistent waiting state) but not creation-only rules such as
// the category tree. The complaint shares nothing with r and has nothing
// pending.
func FromRecord(r Record) (*Complaint, error) {
	c, err := adoptRecord(r)
	if err != nil {
		return nil, err
	}
	return c.Clone(), nil
}

// adoptRecord is the Adopt hook: FromRecord without the copies, for a
// record a store has just decoded and hands over.
func adoptRecord(r Record) (*Complaint, error) {
	if err := checkRecord(r); err != nil {
		return nil, err
	}
	return &Complaint{
		id: r.ID, tenant: r.Tenant, version: r.Version, customer: r.Customer, channel: r.Channel,
		category: r.Category, severity: r.Severity, priority: r.Priority, asset: r.Asset,
		desc: r.Description, desired: r.DesiredOutcome, attach: r.Attachments, group: r.Group,
		owner: r.Owner, handOvers: r.HandOvers, status: r.Status, waitFrom: r.WaitingFrom,
		escalation: r.EscalationLevel, reopens: r.Reopens, reopenWindow: r.ReopenWindow, resolution: r.Resolution,
		accepted: r.Accepted, followUpAt: r.FollowUpAt, followUp: r.FollowUp, survey: r.Survey, repair: r.Repair,
		pauses: r.Pauses, receivedAt: r.ReceivedAt, acknowledgedAt: r.AcknowledgedAt,
		firstResponseAt: r.FirstResponseAt, resolvedAt: r.ResolvedAt, closedAt: r.ClosedAt,
		rejectedAt: r.RejectedAt, auditSeq: r.AuditSeq,
	}, nil
}

// checkRecord checks the invariants every stored complaint keeps.
func checkRecord(r Record) error {
	var v crm.Validator
	v.Check(!r.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", r.Tenant.Validate())
	v.Check(r.Version >= 0, "version", "must not be negative")
	v.Check(!r.Customer.IsZero(), "customer", "must not be zero")
	v.Check(r.Channel.Valid(), "channel", "unknown channel")
	v.Check(r.Severity.Valid(), "severity", "unknown severity")
	v.Check(r.Priority.Valid(), "priority", "unknown priority")
	v.Check(r.Status.Valid(), "status", "unknown status")
	v.Merge("owner", r.Owner.Validate())
	v.Check(r.HandOvers >= 0, "hand_overs", "must not be negative")
	v.Check(r.Reopens >= 0, "reopens", "must not be negative")
	v.Check(r.EscalationLevel >= 0 && r.EscalationLevel <= MaxEscalationLevel, "escalation_level", "out of range")
	v.Check(r.ReopenWindow > 0, "reopen_window", "must be positive")
	v.Check(r.AuditSeq >= 0, "audit_seq", "must not be negative")
	v.Check(!r.ReceivedAt.IsZero(), "received_at", "must be set")
	r.Asset.validate(&v, "asset")
	if r.Status == WaitingOnCustomer {
		v.Check(WaitingOnCustomer.CanMoveTo(r.WaitingFrom), "waiting_from", "must be a status waiting can return to")
		v.Check(len(r.Pauses) > 0 && r.Pauses[len(r.Pauses)-1].Open(), "pauses", "the last pause must be open while waiting")
	} else {
		v.Check(r.WaitingFrom == 0, "waiting_from", "must be zero unless waiting")
		v.Check(len(r.Pauses) == 0 || !r.Pauses[len(r.Pauses)-1].Open(), "pauses", "no pause may be open unless waiting")
	}
	if r.Resolution != nil {
		r.Resolution.validate(&v, "resolution")
	}
	if r.FollowUp != nil {
		checkText(&v, "follow_up.note", r.FollowUp.Note, false)
		v.Check(!r.FollowUpAt.IsZero(), "follow_up_at", "must be set when a follow-up is recorded")
	}
	if r.Survey != nil {
		v.Check(r.Survey.CSAT >= 1 && r.Survey.CSAT <= 5, "survey.csat", "must be 1 to 5")
	}
	for i, e := range r.Repair {
		v.Check(e.Step.Valid(), fmt.Sprintf("repair[%d].step", i), "unknown repair step")
	}
	return v.Err("complaint.FromRecord")
}

// RiskRecord is the persisted form of a [Risk], for store
// implementations. Build one with [Risk.Record]; rebuild the risk with
// [RiskFromRecord].
type RiskRecord struct {
	ID        crm.ID
	Tenant    crm.TenantID
	Version   int64
	Hotspot   Hotspot
	Owner     crm.UserID
	Status    MitigationStatus
	Notes     []RiskNote
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Record returns the risk's persisted form, sharing nothing with r.
func (r *Risk) Record() RiskRecord {
	return RiskRecord{
		ID: r.id, Tenant: r.tenant, Version: r.version, Hotspot: r.Hotspot(), Owner: r.owner,
		Status: r.status, Notes: slices.Clone(r.notes), CreatedAt: r.createdAt, UpdatedAt: r.updatedAt,
	}
}

// Clone returns a deep copy of r.
func (r *Risk) Clone() *Risk {
	d := *r
	d.hotspot = r.Hotspot()
	d.notes = slices.Clone(r.notes)
	return &d
}

// RiskFromRecord rebuilds a risk from its persisted form, checking the
// invariants every stored risk keeps. The risk shares nothing with rec.
func RiskFromRecord(rec RiskRecord) (*Risk, error) {
	r, err := adoptRiskRecord(rec)
	if err != nil {
		return nil, err
	}
	return r.Clone(), nil
}

// adoptRiskRecord is the Adopt hook of risks: RiskFromRecord without the
// copies.
func adoptRiskRecord(rec RiskRecord) (*Risk, error) {
	var v crm.Validator
	v.Check(!rec.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", rec.Tenant.Validate())
	v.Check(rec.Version >= 0, "version", "must not be negative")
	v.Merge("owner", rec.Owner.Validate())
	v.Check(rec.Status.Valid(), "status", "unknown mitigation status")
	v.Check(rec.Hotspot.Rule != "", "hotspot.rule", "required")
	v.Check(rec.Hotspot.Kind.Valid(), "hotspot.kind", "unknown rule kind")
	v.Check(len(rec.Hotspot.Evidence) > 0, "hotspot.evidence", "required")
	rec.Hotspot.Asset.validate(&v, "hotspot.asset")
	v.Check(!rec.CreatedAt.IsZero(), "created_at", "must be set")
	v.Check(!rec.UpdatedAt.Before(rec.CreatedAt), "updated_at", "before created_at")
	for i, n := range rec.Notes {
		v.Merge(fmt.Sprintf("notes[%d].actor", i), n.Actor.Validate())
	}
	if err := v.Err("complaint.RiskFromRecord"); err != nil {
		return nil, err
	}
	return &Risk{
		id: rec.ID, tenant: rec.Tenant, version: rec.Version, hotspot: rec.Hotspot, owner: rec.Owner,
		status: rec.Status, notes: rec.Notes, createdAt: rec.CreatedAt, updatedAt: rec.UpdatedAt,
	}, nil
}
