package storagetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// ComplaintOptions describe a fixture complaint; zero fields take the
// defaults named beside them.
type ComplaintOptions struct {
	// ID defaults to a new UUIDv7; Customer to another one (the complaint
	// store does not check that the customer exists).
	ID       crm.ID
	Customer crm.ID
	// Owner defaults to "owner-1".
	Owner crm.UserID
	// Channel defaults to customer.PhoneCall; Category to "leak".
	Channel  customer.Channel
	Category string
	// Severity and Priority default as in complaint.New (Medium, P3).
	Severity complaint.Severity
	Priority complaint.Priority
	// Asset and Group default to none.
	Asset complaint.Asset
	Group crm.ID
	// Description defaults to "Complaint" followed by the last characters
	// of the ID.
	Description string
	// Attachments default to none.
	Attachments []string
	// Status is reached from Received through real transitions made one
	// hour apart after the receipt (Rejected directly, Reopened after
	// closing); default Received.
	Status complaint.Status
	// At is the receipt time; default 2025-01-02T03:04:05Z.
	At time.Time
}

// NewComplaint builds (but does not store) a complaint of tenant with
// complaint.New, then moves it to opts.Status with real transitions,
// failing tb when opts are invalid. A nil opts takes every default.
func NewComplaint(tb testing.TB, tenant crm.TenantID, opts *ComplaintOptions) *complaint.Complaint {
	tb.Helper()
	var o ComplaintOptions
	if opts != nil {
		o = *opts
	}
	if o.ID.IsZero() {
		o.ID = NewID(tb)
	}
	if o.Customer.IsZero() {
		o.Customer = NewID(tb)
	}
	if o.Owner == "" {
		o.Owner = "owner-1"
	}
	if o.Channel == 0 {
		o.Channel = customer.PhoneCall
	}
	if o.Category == "" {
		o.Category = "leak"
	}
	if o.Description == "" {
		s := o.ID.String()
		o.Description = "Complaint " + s[len(s)-6:]
	}
	if o.At.IsZero() {
		o.At = epoch
	}
	c, err := complaint.New(complaint.NewInput{
		ID: o.ID, Tenant: tenant, Customer: o.Customer, Channel: o.Channel, Category: o.Category,
		Severity: o.Severity, Priority: o.Priority, Asset: o.Asset, Description: o.Description,
		DesiredOutcome: "put it right", Attachments: o.Attachments, Group: o.Group, Owner: o.Owner,
	}, complaint.Change{Actor: "storagetest", At: o.At, Reason: "received"})
	require.NoError(tb, err)
	if o.Status != 0 {
		reach(tb, c, o.Status)
	}
	return c
}

// CreateComplaint builds a complaint like NewComplaint, stores it with
// s.Create and returns it (at version 1, nothing pending).
func CreateComplaint(tb testing.TB, s complaint.Store, tenant crm.TenantID, opts *ComplaintOptions) *complaint.Complaint {
	tb.Helper()
	c := NewComplaint(tb, tenant, opts)
	require.NoError(tb, s.Create(context.Background(), c))
	require.Equal(tb, int64(1), c.Version(), "Create must call Saved(1)")
	require.Empty(tb, c.PendingAudit(), "Create must call Saved, which clears pending audit entries")
	return c
}

// statusPaths lists the transitions that take a new complaint to each
// status.
var statusPaths = map[complaint.Status][]complaint.Status{
	complaint.Received:          nil,
	complaint.Acknowledged:      {complaint.Acknowledged},
	complaint.Assessed:          {complaint.Acknowledged, complaint.Assessed},
	complaint.Investigating:     {complaint.Acknowledged, complaint.Assessed, complaint.Investigating},
	complaint.ResponseProposed:  {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed},
	complaint.Resolved:          {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed, complaint.Resolved},
	complaint.Closed:            {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed, complaint.Resolved, complaint.Closed},
	complaint.Rejected:          {complaint.Rejected},
	complaint.WaitingOnCustomer: {complaint.Acknowledged, complaint.Assessed, complaint.WaitingOnCustomer},
	complaint.Reopened:          {complaint.Rejected, complaint.Reopened},
}

// fixtureResolution is the resolution fixtures record before resolving.
var fixtureResolution = complaint.Resolution{
	Remedy: complaint.Repair, Summary: "replaced the seal",
	RootCause:  complaint.RootCause{Category: "workmanship", Text: "seal fitted badly"},
	Corrective: "refit", Preventive: "check seals at handover",
}

// reach moves a new complaint to status to, one hour apart per step after
// its receipt.
func reach(tb testing.TB, c *complaint.Complaint, to complaint.Status) {
	tb.Helper()
	path, ok := statusPaths[to]
	require.True(tb, ok, "no path to status %v", to)
	for i, s := range path {
		ch := complaintChange(c.ReceivedAt().Add(time.Duration(i+1) * time.Hour))
		if s == complaint.Resolved {
			require.NoError(tb, c.SetResolution(fixtureResolution, ch))
		}
		require.NoError(tb, c.Transition(s, ch), "to %v", s)
	}
	require.Equal(tb, to, c.Status())
}

// complaintChange returns a Change by the suite at t.
func complaintChange(t time.Time) complaint.Change {
	return complaint.Change{Actor: "storagetest", At: t, Reason: "change at " + t.Format(time.RFC3339)}
}

// cchange returns a complaint Change by the suite at epoch plus h hours.
func cchange(h int) complaint.Change { return complaintChange(at(h)) }

// RequireSameComplaint fails tb unless got holds the same stored state as
// want: every field of their complaint.Record, with times compared as
// instants, money compared by value, and nil slices equal to empty ones.
func RequireSameComplaint(tb testing.TB, want, got *complaint.Complaint, msgAndArgs ...any) {
	tb.Helper()
	require.NotNil(tb, want, msgAndArgs...)
	require.NotNil(tb, got, msgAndArgs...)
	require.Equal(tb, normComplaint(tb, want.Record()), normComplaint(tb, got.Record()), msgAndArgs...)
}

// normComplaint puts a complaint record in a canonical form for comparison.
func normComplaint(tb testing.TB, r complaint.Record) complaint.Record {
	tb.Helper()
	r.ReceivedAt = normTime(r.ReceivedAt)
	r.AcknowledgedAt = normTime(r.AcknowledgedAt)
	r.FirstResponseAt = normTime(r.FirstResponseAt)
	r.ResolvedAt = normTime(r.ResolvedAt)
	r.ClosedAt = normTime(r.ClosedAt)
	r.RejectedAt = normTime(r.RejectedAt)
	r.FollowUpAt = normTime(r.FollowUpAt)
	r.Asset = nilIfEmpty(r.Asset)
	r.Attachments = nilIfEmpty(r.Attachments)
	if r.Resolution != nil {
		res := *r.Resolution
		if res.Compensation != (crm.Money{}) {
			m, err := crm.ParseMoney(res.Compensation.String())
			require.NoError(tb, err)
			res.Compensation = m
		}
		r.Resolution = &res
	}
	if r.FollowUp != nil {
		f := *r.FollowUp
		f.At = normTime(f.At)
		r.FollowUp = &f
	}
	if r.Survey != nil {
		s := *r.Survey
		s.At = normTime(s.At)
		r.Survey = &s
	}
	if len(r.Repair) == 0 {
		r.Repair = nil
	} else {
		es := make([]complaint.RepairEntry, len(r.Repair))
		for i, e := range r.Repair {
			e.At = normTime(e.At)
			es[i] = e
		}
		r.Repair = es
	}
	if len(r.Pauses) == 0 {
		r.Pauses = nil
	} else {
		ps := make([]calendar.Interval, len(r.Pauses))
		for i, p := range r.Pauses {
			ps[i] = calendar.Interval{Start: normTime(p.Start), End: normTime(p.End)}
		}
		r.Pauses = ps
	}
	return r
}

// normAudit puts audit entries in a canonical form for comparison.
func normAudit(es []complaint.AuditEntry) []complaint.AuditEntry {
	out := make([]complaint.AuditEntry, len(es))
	for i, e := range es {
		e.At = normTime(e.At)
		out[i] = e
	}
	return out
}

// RequireSameRisk fails tb unless got holds the same stored state as want:
// every field of their complaint.RiskRecord, with times compared as
// instants and nil slices equal to empty ones.
func RequireSameRisk(tb testing.TB, want, got *complaint.Risk, msgAndArgs ...any) {
	tb.Helper()
	require.NotNil(tb, want, msgAndArgs...)
	require.NotNil(tb, got, msgAndArgs...)
	require.Equal(tb, normRisk(want.Record()), normRisk(got.Record()), msgAndArgs...)
}

// normRisk puts a risk record in a canonical form for comparison.
func normRisk(r complaint.RiskRecord) complaint.RiskRecord {
	r.CreatedAt = normTime(r.CreatedAt)
	r.UpdatedAt = normTime(r.UpdatedAt)
	r.Hotspot.From = normTime(r.Hotspot.From)
	r.Hotspot.To = normTime(r.Hotspot.To)
	r.Hotspot.Asset = nilIfEmpty(r.Hotspot.Asset)
	r.Hotspot.Evidence = nilIfEmpty(r.Hotspot.Evidence)
	if len(r.Notes) == 0 {
		r.Notes = nil
	} else {
		ns := make([]complaint.RiskNote, len(r.Notes))
		for i, n := range r.Notes {
			n.At = normTime(n.At)
			ns[i] = n
		}
		r.Notes = ns
	}
	return r
}

// RiskOptions describe a fixture risk; zero fields take the defaults named
// beside them.
type RiskOptions struct {
	// ID defaults to a new UUIDv7.
	ID crm.ID
	// Rule defaults to "leak-cluster"; the hotspot's key is made of it,
	// Category and Asset.
	Rule string
	// Category defaults to "leak".
	Category string
	// Asset defaults to project P1, building B3.
	Asset complaint.Asset
	// Evidence defaults to three new IDs.
	Evidence []crm.ID
	// Owner defaults to "risk-owner-1".
	Owner crm.UserID
	// At is when the risk is raised; default 2025-01-02T03:04:05Z.
	At time.Time
}

// NewRisk builds (but does not store) a risk of tenant with
// complaint.NewRisk from a cluster hotspot, failing tb when opts are
// invalid. A nil opts takes every default.
func NewRisk(tb testing.TB, tenant crm.TenantID, opts *RiskOptions) *complaint.Risk {
	tb.Helper()
	var o RiskOptions
	if opts != nil {
		o = *opts
	}
	if o.ID.IsZero() {
		o.ID = NewID(tb)
	}
	if o.Rule == "" {
		o.Rule = "leak-cluster"
	}
	if o.Category == "" {
		o.Category = "leak"
	}
	if o.Asset == nil {
		o.Asset = complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}}
	}
	if len(o.Evidence) == 0 {
		o.Evidence = []crm.ID{NewID(tb), NewID(tb), NewID(tb)}
	}
	if o.Owner == "" {
		o.Owner = "risk-owner-1"
	}
	if o.At.IsZero() {
		o.At = epoch
	}
	h := complaint.Hotspot{
		Rule: o.Rule, Kind: complaint.RuleCluster, Asset: o.Asset, Category: o.Category,
		Count: len(o.Evidence), From: o.At.Add(-7 * 24 * time.Hour), To: o.At, Evidence: o.Evidence,
	}
	r, err := complaint.NewRisk(h, o.Owner, o.ID, tenant, o.At)
	require.NoError(tb, err)
	return r
}

// CreateRisk builds a risk like NewRisk, stores it with s.CreateRisk and
// returns it (at version 1).
func CreateRisk(tb testing.TB, s complaint.Store, tenant crm.TenantID, opts *RiskOptions) *complaint.Risk {
	tb.Helper()
	r := NewRisk(tb, tenant, opts)
	require.NoError(tb, s.CreateRisk(context.Background(), r))
	require.Equal(tb, int64(1), r.Version(), "CreateRisk must call Saved(1)")
	return r
}

// mustGetComplaint returns the stored complaint.
func mustGetComplaint(tb testing.TB, s complaint.Store, tenant crm.TenantID, id crm.ID) *complaint.Complaint {
	tb.Helper()
	c, err := s.Get(context.Background(), tenant, id)
	require.NoError(tb, err)
	return c
}

// mustGetRisk returns the stored risk.
func mustGetRisk(tb testing.TB, s complaint.Store, tenant crm.TenantID, id crm.ID) *complaint.Risk {
	tb.Helper()
	r, err := s.GetRisk(context.Background(), tenant, id)
	require.NoError(tb, err)
	return r
}

// allComplaints pages through List with the given page size.
func allComplaints(tb testing.TB, s complaint.Store, tenant crm.TenantID, q complaint.Query, limit int) []*complaint.Complaint {
	tb.Helper()
	return pageAll(tb, limit, func(p crm.PageRequest) (crm.Page[*complaint.Complaint], error) {
		return s.List(context.Background(), tenant, q, p)
	})
}

// allAudit pages through Audit with the given page size.
func allAudit(tb testing.TB, s complaint.Store, tenant crm.TenantID, id crm.ID, limit int) []complaint.AuditEntry {
	tb.Helper()
	return pageAll(tb, limit, func(p crm.PageRequest) (crm.Page[complaint.AuditEntry], error) {
		return s.Audit(context.Background(), tenant, id, p)
	})
}

// allRisks pages through ListRisks with the given page size.
func allRisks(tb testing.TB, s complaint.Store, tenant crm.TenantID, q complaint.RiskQuery, limit int) []*complaint.Risk {
	tb.Helper()
	return pageAll(tb, limit, func(p crm.PageRequest) (crm.Page[*complaint.Risk], error) {
		return s.ListRisks(context.Background(), tenant, q, p)
	})
}

// complaintIDs returns the IDs of complaints in order (nil for none).
func complaintIDs(cs []*complaint.Complaint) []crm.ID {
	if len(cs) == 0 {
		return nil
	}
	out := make([]crm.ID, len(cs))
	for i, c := range cs {
		out[i] = c.ID()
	}
	return out
}

// riskIDs returns the IDs of risks in order (nil for none).
func riskIDs(rs []*complaint.Risk) []crm.ID {
	if len(rs) == 0 {
		return nil
	}
	out := make([]crm.ID, len(rs))
	for i, r := range rs {
		out[i] = r.ID()
	}
	return out
}

// complaintSnapshot is the stored state of one complaint and its audit
// trail, for checking that a failed call changed nothing. It holds values
// only, so that a store handing out aliases cannot change it.
type complaintSnapshot struct {
	id    crm.ID
	rec   complaint.Record
	audit []complaint.AuditEntry
}

func takeComplaintSnapshot(tb testing.TB, s complaint.Store, tenant crm.TenantID, id crm.ID) complaintSnapshot {
	tb.Helper()
	return complaintSnapshot{
		id:    id,
		rec:   normComplaint(tb, mustGetComplaint(tb, s, tenant, id).Record()),
		audit: normAudit(allAudit(tb, s, tenant, id, crm.MaxPageLimit)),
	}
}

// requireComplaintUnchanged fails tb unless the complaint and its audit
// trail are as in snap.
func requireComplaintUnchanged(tb testing.TB, s complaint.Store, tenant crm.TenantID, snap complaintSnapshot) {
	tb.Helper()
	now := takeComplaintSnapshot(tb, s, tenant, snap.id)
	require.Equal(tb, snap.rec, now.rec, "complaint changed")
	require.Equal(tb, snap.audit, now.audit, "audit trail changed")
}

// takeRiskSnapshot returns the stored state of a risk, as a value.
func takeRiskSnapshot(tb testing.TB, s complaint.Store, tenant crm.TenantID, id crm.ID) complaint.RiskRecord {
	tb.Helper()
	return normRisk(mustGetRisk(tb, s, tenant, id).Record())
}

// requireRiskUnchanged fails tb unless the stored risk is as before.
func requireRiskUnchanged(tb testing.TB, s complaint.Store, tenant crm.TenantID, before complaint.RiskRecord) {
	tb.Helper()
	require.Equal(tb, before, takeRiskSnapshot(tb, s, tenant, before.ID), "risk changed")
}

// requireAuditWellFormed fails tb unless es is a complaint's whole trail:
// Seq 1, 2, … in order, the created entry first, every entry of the
// complaint.
func requireAuditWellFormed(tb testing.TB, id crm.ID, es []complaint.AuditEntry) {
	tb.Helper()
	require.NotEmpty(tb, es, "the audit trail must hold the created entry")
	require.Equal(tb, complaint.AuditCreated, es[0].Kind, "the created entry must come first")
	for i, e := range es {
		require.Equal(tb, int64(i+1), e.Seq, "entry %d: sequence numbers must be 1, 2, … in order", i)
		require.Equal(tb, id, e.ComplaintID, "entry %d", i)
	}
}

// repairNote is the note writer i adds in the concurrency cases.
func repairNote(i int) string { return fmt.Sprintf("writer-%02d", i) }
