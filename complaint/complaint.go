package complaint

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
)

// Limits on complaint fields.
const (
	MaxDescriptionLen  = 10000 // runes in a description, desired outcome or text field
	MaxAttachments     = 50    // attachment references on one complaint
	MaxAttachmentLen   = 1000  // bytes in one attachment reference
	MaxEscalationLevel = 9     // highest escalation level
	MaxRepairEntries   = 500   // entries in a repair timeline
	MaxPauses          = 1000  // pauses of the service-level clocks (waits and reopenings)
	// DefaultReopenWindow is the reopen window used when NewInput leaves it zero.
	DefaultReopenWindow = 30 * 24 * time.Hour
)

// Complaint is one customer's complaint and everything done about it.
// Fields are private; methods validate their input, leave the complaint
// unchanged when they refuse, and record an audit entry and a domain event
// for every change.
//
// A Complaint is not safe for concurrent use; use [Complaint.Clone] to hand
// out copies. Build one with [New] or [FromRecord]: the zero Complaint is not
// usable.
type Complaint struct {
	id        crm.ID
	tenant    crm.TenantID
	version   int64
	customer  crm.ID
	channel   customer.Channel
	category  string
	severity  Severity
	priority  Priority
	asset     Asset
	desc      string
	desired   string
	attach    []string
	group     crm.ID
	owner     crm.UserID
	handOvers int

	status       Status
	waitFrom     Status // the status WaitingOnCustomer returns to
	escalation   int
	reopens      int
	reopenWindow time.Duration

	resolution *Resolution
	accepted   *bool
	followUpAt time.Time
	followUp   *FollowUp
	survey     *Survey
	repair     []RepairEntry
	pauses     []calendar.Interval

	receivedAt, acknowledgedAt, firstResponseAt, resolvedAt, closedAt, rejectedAt time.Time

	auditSeq int64
	pending  []AuditEntry
	events   []crm.Event
}

// NewInput holds what is needed to receive a complaint.
type NewInput struct {
	ID       crm.ID
	Tenant   crm.TenantID
	Customer crm.ID
	// Channel is how the complaint was received. Required.
	Channel customer.Channel
	// Category is a code of Categories when Categories is set; otherwise
	// any non-empty code. Required.
	Category string
	// Categories, when not nil, is the host's category tree; an unknown
	// Category is refused.
	Categories *CategoryTree
	// Severity and Priority default to Medium and P3.
	Severity Severity
	Priority Priority
	Asset    Asset
	// Description is the customer's account of the matter. Required.
	Description string
	// DesiredOutcome is what the customer asks for, optional.
	DesiredOutcome string
	// Attachments are references (URLs, storage keys) to photos and files.
	Attachments []string
	// Group links the complaint to a group of complaints about one
	// underlying issue; zero when none.
	Group crm.ID
	// Owner is the one person accountable for the complaint. Required.
	Owner crm.UserID
	// ReopenWindow is how long after closing or rejection the complaint may
	// be reopened; zero means DefaultReopenWindow.
	ReopenWindow time.Duration
}

// New validates in and returns a complaint in status Received at ch.At,
// recording its receipt.
func New(in NewInput, ch Change) (*Complaint, error) {
	var v crm.Validator
	v.Check(!in.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", in.Tenant.Validate())
	v.Check(!in.Customer.IsZero(), "customer", "must not be zero")
	v.Check(in.Channel.Valid(), "channel", "unknown channel")
	if in.Categories != nil {
		v.Check(in.Categories.Has(in.Category), "category", "unknown category")
	} else {
		checkCode(&v, "category", in.Category)
	}
	if in.Severity == 0 {
		in.Severity = Medium
	}
	if in.Priority == 0 {
		in.Priority = P3
	}
	v.Check(in.Severity.Valid(), "severity", "unknown severity")
	v.Check(in.Priority.Valid(), "priority", "unknown priority")
	in.Asset.validate(&v, "asset")
	checkText(&v, "description", in.Description, true)
	checkText(&v, "desired_outcome", in.DesiredOutcome, false)
	checkAttachments(&v, in.Attachments)
	v.Merge("owner", in.Owner.Validate())
	if in.ReopenWindow == 0 {
		in.ReopenWindow = DefaultReopenWindow
	}
	v.Check(in.ReopenWindow > 0, "reopen_window", "must not be negative")
	validateChange(&v, ch)
	if err := v.Err("complaint.New"); err != nil {
		return nil, err
	}
	at := ch.At.UTC()
	c := &Complaint{
		id: in.ID, tenant: in.Tenant, customer: in.Customer, channel: in.Channel,
		category: in.Category, severity: in.Severity, priority: in.Priority,
		asset: slices.Clone(in.Asset), desc: strings.TrimSpace(in.Description),
		desired: strings.TrimSpace(in.DesiredOutcome), attach: slices.Clone(in.Attachments),
		group: in.Group, owner: in.Owner, status: Received, reopenWindow: in.ReopenWindow,
		receivedAt: at,
	}
	c.audit(AuditCreated, "", Received.String(), ch)
	c.emit(EventCreated, ch, Created{Customer: c.customer, Category: c.category, Owner: c.owner})
	return c, nil
}

func checkText(v *crm.Validator, path, s string, required bool) {
	if required && strings.TrimSpace(s) == "" {
		v.Addf(path, "must not be empty")
		return
	}
	switch {
	case !utf8.ValidString(s):
		v.Addf(path, "not valid UTF-8")
	case len(s) > MaxDescriptionLen*utf8.UTFMax || utf8.RuneCountInString(s) > MaxDescriptionLen:
		v.Addf(path, "too long")
	}
}

func checkAttachments(v *crm.Validator, refs []string) {
	if !v.Check(len(refs) <= MaxAttachments, "attachments", "too many") {
		return
	}
	for i, r := range refs {
		v.Check(strings.TrimSpace(r) != "" && len(r) <= MaxAttachmentLen && utf8.ValidString(r),
			fmt.Sprintf("attachments[%d]", i), "must be 1 to 1000 bytes of UTF-8")
	}
}

// ID returns the complaint's ID.
func (c *Complaint) ID() crm.ID { return c.id }

// Tenant returns the tenant that owns the complaint.
func (c *Complaint) Tenant() crm.TenantID { return c.tenant }

// Version returns the stored version: 0 before the first save.
func (c *Complaint) Version() int64 { return c.version }

// Customer returns the complaining customer's ID.
func (c *Complaint) Customer() crm.ID { return c.customer }

// Channel returns how the complaint was received.
func (c *Complaint) Channel() customer.Channel { return c.channel }

// Category returns the category code.
func (c *Complaint) Category() string { return c.category }

// Severity returns the severity.
func (c *Complaint) Severity() Severity { return c.severity }

// Priority returns the priority.
func (c *Complaint) Priority() Priority { return c.priority }

// Asset returns the asset concerned (nil when none).
func (c *Complaint) Asset() Asset { return slices.Clone(c.asset) }

// Description returns the customer's account of the matter.
func (c *Complaint) Description() string { return c.desc }

// DesiredOutcome returns what the customer asked for.
func (c *Complaint) DesiredOutcome() string { return c.desired }

// Attachments returns the attachment references.
func (c *Complaint) Attachments() []string { return slices.Clone(c.attach) }

// Group returns the group the complaint belongs to (zero when none).
func (c *Complaint) Group() crm.ID { return c.group }

// Owner returns the one person accountable for the complaint now.
func (c *Complaint) Owner() crm.UserID { return c.owner }

// HandOvers returns how many times the complaint changed owner.
func (c *Complaint) HandOvers() int { return c.handOvers }

// Status returns the current status.
func (c *Complaint) Status() Status { return c.status }

// WaitingFrom returns the status the complaint returns to when the
// customer answers; zero unless the status is WaitingOnCustomer.
func (c *Complaint) WaitingFrom() Status { return c.waitFrom }

// EscalationLevel returns the escalation level, 0 when never escalated.
func (c *Complaint) EscalationLevel() int { return c.escalation }

// Reopens returns how many times the complaint was reopened.
func (c *Complaint) Reopens() int { return c.reopens }

// ReopenWindow returns how long after closing the complaint may be reopened.
func (c *Complaint) ReopenWindow() time.Duration { return c.reopenWindow }

// Resolution returns the recorded resolution, if any.
func (c *Complaint) Resolution() (Resolution, bool) {
	if c.resolution == nil {
		return Resolution{}, false
	}
	return *c.resolution, true
}

// Acceptance returns whether the customer accepted the decision, and
// whether they have said so at all.
func (c *Complaint) Acceptance() (accepted, known bool) {
	if c.accepted == nil {
		return false, false
	}
	return *c.accepted, true
}

// FollowUpAt returns when the follow-up call (回访) is scheduled (zero when not).
func (c *Complaint) FollowUpAt() time.Time { return c.followUpAt }

// FollowUp returns the outcome of the follow-up call, if it was made.
func (c *Complaint) FollowUp() (FollowUp, bool) {
	if c.followUp == nil {
		return FollowUp{}, false
	}
	return *c.followUp, true
}

// Survey returns the satisfaction survey result, if recorded.
func (c *Complaint) Survey() (Survey, bool) {
	if c.survey == nil {
		return Survey{}, false
	}
	return *c.survey, true
}

// ReceivedAt returns when the complaint was received.
func (c *Complaint) ReceivedAt() time.Time { return c.receivedAt }

// AcknowledgedAt returns when the complaint was first acknowledged (zero when not yet).
func (c *Complaint) AcknowledgedAt() time.Time { return c.acknowledgedAt }

// FirstResponseAt returns when a response was first proposed (zero when not yet).
func (c *Complaint) FirstResponseAt() time.Time { return c.firstResponseAt }

// ResolvedAt returns when the complaint was last resolved; reopening clears it.
func (c *Complaint) ResolvedAt() time.Time { return c.resolvedAt }

// ClosedAt returns when the complaint was last closed; reopening clears it.
func (c *Complaint) ClosedAt() time.Time { return c.closedAt }

// RejectedAt returns when the complaint was rejected; reopening clears it.
func (c *Complaint) RejectedAt() time.Time { return c.rejectedAt }

// Pauses returns the stretches the service-level clocks stood still, in
// order: each wait on the customer (the last is open while the complaint
// waits) and each stretch between closing or rejection and reopening.
func (c *Complaint) Pauses() []calendar.Interval { return slices.Clone(c.pauses) }

// AckTimer returns the acknowledgement clock: from receipt until first
// acknowledgement. It never pauses (a complaint cannot wait on the customer
// before it is assessed).
func (c *Complaint) AckTimer() calendar.Timer {
	return calendar.Timer{Start: c.receivedAt, Stop: c.acknowledgedAt}
}

// FirstResponseTimer returns the first-response clock: from receipt until a
// response is first proposed, paused while waiting on the customer.
func (c *Complaint) FirstResponseTimer() calendar.Timer { return c.timer(c.firstResponseAt) }

// ResolutionTimer returns the resolution clock: from receipt until resolved,
// paused while waiting on the customer.
func (c *Complaint) ResolutionTimer() calendar.Timer { return c.timer(c.resolvedAt) }

func (c *Complaint) timer(stop time.Time) calendar.Timer {
	t := calendar.Timer{Start: c.receivedAt, Stop: stop}
	for _, p := range c.pauses {
		if !stop.IsZero() && p.Start.After(stop) {
			break
		}
		t.Pauses = append(t.Pauses, p)
	}
	return t
}

// Transition moves the complaint to status to, as the status table allows,
// recording it in the audit trail. The refusals are *crm.TransitionError
// (matching crm.ErrInvalidTransition) and leave the complaint unchanged:
//   - a move the table does not list;
//   - leaving WaitingOnCustomer for another status than it was entered from;
//   - Resolved without a recorded resolution ([Complaint.SetResolution]);
//   - Closed from anything but Resolved ("closing an unresolved complaint");
//   - Reopened after the reopen window.
//
// A bad ch, a ch.At before the latest milestone or the start of waiting,
// or Rejected without a reason, is a *crm.ValidationError.
func (c *Complaint) Transition(to Status, ch Change) error {
	var v crm.Validator
	validateChange(&v, ch)
	if to == Rejected {
		requireReason(&v, ch, "a rejection")
	}
	if to == WaitingOnCustomer || to == Reopened {
		v.Check(len(c.pauses) < MaxPauses, "pauses", "too many pauses")
	}
	if n := len(c.pauses); n > 0 && c.status == WaitingOnCustomer && !ch.At.IsZero() {
		v.Check(!ch.At.Before(c.pauses[n-1].Start), "change.at", "before the complaint started waiting")
	}
	if last := c.lastMilestone(); !ch.At.IsZero() {
		v.Check(!ch.At.Before(last), "change.at", "before the complaint's latest milestone")
	}
	if err := v.Err("complaint.Transition"); err != nil {
		return err
	}
	from := c.status
	if err := c.checkTransition(from, to, ch.At); err != nil {
		return fmt.Errorf("complaint: transition %s: %w", c.id, err)
	}
	at := ch.At.UTC()
	switch to {
	case WaitingOnCustomer:
		c.waitFrom = from
		c.pauses = append(c.pauses, calendar.Interval{Start: at})
	case Acknowledged:
		if c.acknowledgedAt.IsZero() {
			c.acknowledgedAt = at
		}
	case ResponseProposed:
		if c.firstResponseAt.IsZero() {
			c.firstResponseAt = at
		}
	case Resolved:
		c.resolvedAt = at
	case Closed:
		c.closedAt = at
	case Rejected:
		c.rejectedAt = at
	case Reopened:
		// The time the complaint stood closed or rejected does not count
		// against its service levels: it becomes a pause of the clocks.
		since := c.closedAt
		if from == Rejected {
			since = c.rejectedAt
		}
		if at.After(since) {
			c.pauses = append(c.pauses, calendar.Interval{Start: since, End: at})
		}
		c.resolvedAt, c.closedAt, c.rejectedAt = time.Time{}, time.Time{}, time.Time{}
		c.accepted, c.followUpAt, c.followUp = nil, time.Time{}, nil
		c.reopens++
	}
	if from == WaitingOnCustomer {
		c.waitFrom = 0
		c.pauses[len(c.pauses)-1].End = at
	}
	c.status = to
	c.audit(AuditStatus, from.String(), to.String(), ch)
	c.emit(EventStatusChanged, ch, StatusChanged{From: from, To: to})
	return nil
}

// lastMilestone returns the latest recorded milestone, so that status
// changes cannot go back in time.
func (c *Complaint) lastMilestone() time.Time {
	last := c.receivedAt
	for _, t := range []time.Time{c.acknowledgedAt, c.firstResponseAt, c.resolvedAt, c.closedAt, c.rejectedAt} {
		if t.After(last) {
			last = t
		}
	}
	return last
}

func (c *Complaint) checkTransition(from, to Status, at time.Time) error {
	switch {
	case to == Closed && from != Closed && from != Resolved:
		return refuse(from, to, "closing an unresolved complaint")
	case !from.CanMoveTo(to):
		reason := ""
		if from == to {
			reason = "already in that state"
		}
		return refuse(from, to, reason)
	case from == WaitingOnCustomer && to != c.waitFrom:
		return refuse(from, to, "waiting was entered from "+c.waitFrom.String())
	case to == Resolved && c.resolution == nil:
		return refuse(from, to, "no resolution recorded")
	case to == Reopened:
		since := c.closedAt
		if from == Rejected {
			since = c.rejectedAt
		}
		if at.Sub(since) > c.reopenWindow {
			return refuse(from, to, fmt.Sprintf("reopen window of %s after %s has passed", windowText(c.reopenWindow), from))
		}
	}
	return nil
}

// Escalate raises the escalation level by one. Escalation is a counter,
// not a status: it does not stop the flow. It is allowed while the
// complaint is open, up to MaxEscalationLevel; a reason is required.
func (c *Complaint) Escalate(ch Change) error {
	var v crm.Validator
	validateChange(&v, ch)
	requireReason(&v, ch, "an escalation")
	v.Check(c.escalation < MaxEscalationLevel, "escalation", "already at the highest level")
	if err := v.Err("complaint.Escalate"); err != nil {
		return err
	}
	if !c.status.Open() {
		return fmt.Errorf("complaint: escalate %s: %w", c.id,
			&crm.TransitionError{Machine: machineName, From: c.status.String(), To: c.status.String(), Reason: "cannot escalate a complaint that is not open"})
	}
	from := c.escalation
	c.escalation++
	c.audit(AuditEscalated, fmt.Sprint(from), fmt.Sprint(c.escalation), ch)
	c.emit(EventEscalated, ch, Escalated{From: from, To: c.escalation})
	return nil
}

// HandOver makes to the accountable owner. A reason is required and handing
// over to the current owner is refused, so that nobody passes a complaint on
// unnoticed; every hand-over is counted.
func (c *Complaint) HandOver(to crm.UserID, ch Change) error {
	var v crm.Validator
	v.Merge("owner", to.Validate())
	validateChange(&v, ch)
	requireReason(&v, ch, "a hand-over")
	v.Check(to != c.owner, "owner", "already the owner")
	if err := v.Err("complaint.HandOver"); err != nil {
		return err
	}
	from := c.owner
	c.owner = to
	c.handOvers++
	c.audit(AuditHandOver, string(from), string(to), ch)
	c.emit(EventHandedOver, ch, HandedOver{From: from, To: to})
	return nil
}

// SetResolution records (or replaces) the resolution while the complaint
// is open and not yet resolved.
func (c *Complaint) SetResolution(r Resolution, ch Change) error {
	var v crm.Validator
	r.validate(&v, "resolution")
	r.checkAmount(&v, "resolution")
	validateChange(&v, ch)
	if err := v.Err("complaint.SetResolution"); err != nil {
		return err
	}
	if !c.status.Open() || c.status == Resolved {
		return fmt.Errorf("complaint: set resolution %s: %w", c.id,
			&crm.TransitionError{Machine: machineName, From: c.status.String(), To: c.status.String(), Reason: "resolution can only be set before resolving"})
	}
	r = r.clone()
	c.resolution = &r
	c.audit(AuditResolution, "", r.Remedy.String(), ch)
	c.emit(EventResolutionSet, ch, ResolutionSet{Remedy: r.Remedy})
	return nil
}

// RecordAcceptance records whether the customer accepted the decision;
// allowed when resolved, closed or rejected.
func (c *Complaint) RecordAcceptance(accepted bool, ch Change) error {
	var v crm.Validator
	validateChange(&v, ch)
	if err := v.Err("complaint.RecordAcceptance"); err != nil {
		return err
	}
	if c.status != Resolved && c.status != Closed && c.status != Rejected {
		return fmt.Errorf("complaint: record acceptance %s: %w", c.id,
			&crm.TransitionError{Machine: machineName, From: c.status.String(), To: c.status.String(), Reason: "no decision to accept yet"})
	}
	c.accepted = &accepted
	c.audit(AuditAcceptance, "", fmt.Sprint(accepted), ch)
	c.emit(EventAcceptance, ch, AcceptanceRecorded{Accepted: accepted})
	return nil
}

// ScheduleFollowUp schedules the follow-up call (回访) at at, which must
// not be before closing; allowed only when closed.
func (c *Complaint) ScheduleFollowUp(at time.Time, ch Change) error {
	var v crm.Validator
	validateChange(&v, ch)
	v.Check(!at.IsZero(), "follow_up_at", "must be set")
	if c.status == Closed {
		v.Check(!at.Before(c.closedAt), "follow_up_at", "before closing")
	}
	if err := v.Err("complaint.ScheduleFollowUp"); err != nil {
		return err
	}
	if c.status != Closed {
		return fmt.Errorf("complaint: schedule follow-up %s: %w", c.id,
			&crm.TransitionError{Machine: machineName, From: c.status.String(), To: c.status.String(), Reason: "follow-up only after closing"})
	}
	c.followUpAt = at.UTC()
	c.audit(AuditFollowUp, "", c.followUpAt.Format(time.RFC3339), ch)
	c.emit(EventFollowUpScheduled, ch, FollowUpScheduled{At: c.followUpAt})
	return nil
}

// RecordFollowUp records the outcome of the follow-up call (回访): whether
// the customer was reached and a note. Allowed only when closed with a
// follow-up scheduled, once; the call's time is ch.At, which must not be
// before closing.
func (c *Complaint) RecordFollowUp(f FollowUp, ch Change) error {
	var v crm.Validator
	validateChange(&v, ch)
	checkText(&v, "follow_up.note", f.Note, false)
	if c.status == Closed {
		v.Check(!ch.At.Before(c.closedAt), "change.at", "before closing")
	}
	if err := v.Err("complaint.RecordFollowUp"); err != nil {
		return err
	}
	if c.status != Closed || c.followUpAt.IsZero() || c.followUp != nil {
		return fmt.Errorf("complaint: record follow-up %s: %w", c.id,
			&crm.TransitionError{Machine: machineName, From: c.status.String(), To: c.status.String(),
				Reason: "a follow-up is recorded once, after closing, when one was scheduled"})
	}
	f.At = ch.At.UTC()
	c.followUp = &f
	c.audit(AuditFollowUpDone, "", fmt.Sprint(f.Reached), ch)
	c.emit(EventFollowUpDone, ch, FollowUpDone{Reached: f.Reached})
	return nil
}

// RecordSurvey records the satisfaction survey (CSAT 1–5 and free text);
// allowed only when closed.
func (c *Complaint) RecordSurvey(s Survey, ch Change) error {
	var v crm.Validator
	validateChange(&v, ch)
	v.Check(s.CSAT >= 1 && s.CSAT <= 5, "survey.csat", "must be 1 to 5")
	checkText(&v, "survey.comment", s.Comment, false)
	if err := v.Err("complaint.RecordSurvey"); err != nil {
		return err
	}
	if c.status != Closed {
		return fmt.Errorf("complaint: record survey %s: %w", c.id,
			&crm.TransitionError{Machine: machineName, From: c.status.String(), To: c.status.String(), Reason: "survey only after closing"})
	}
	s.At = ch.At.UTC()
	c.survey = &s
	c.audit(AuditSurvey, "", fmt.Sprint(s.CSAT), ch)
	c.emit(EventSurveyRecorded, ch, SurveyRecorded{CSAT: s.CSAT})
	return nil
}

// SetGroup links the complaint to group (a non-zero ID).
func (c *Complaint) SetGroup(group crm.ID, ch Change) error {
	var v crm.Validator
	validateChange(&v, ch)
	v.Check(!group.IsZero(), "group", "must not be zero")
	v.Check(group != c.group, "group", "already in that group")
	if err := v.Err("complaint.SetGroup"); err != nil {
		return err
	}
	from := ""
	if !c.group.IsZero() {
		from = c.group.String()
	}
	c.group = group
	c.audit(AuditGroup, from, group.String(), ch)
	c.emit(EventGrouped, ch, Grouped{Group: group})
	return nil
}

// audit appends a pending audit entry.
func (c *Complaint) audit(kind AuditKind, from, to string, ch Change) {
	c.auditSeq++
	c.pending = append(c.pending, AuditEntry{
		ComplaintID: c.id, Seq: c.auditSeq, Kind: kind, From: from, To: to,
		At: ch.At.UTC(), Actor: ch.Actor, Reason: ch.Reason,
	})
}

// emit appends a pending domain event.
func (c *Complaint) emit(typ string, ch Change, data any) {
	c.events = append(c.events, crm.Event{
		Type: typ, Tenant: c.tenant, AggregateID: c.id, At: ch.At.UTC(), Actor: string(ch.Actor), Data: data,
	})
}

// PendingAudit returns the audit entries recorded since the complaint was
// built, loaded or last saved. It is for store implementations: a store
// appends them to the complaint's audit trail in the same transaction as
// the complaint (the stores of this module use internal hooks instead).
func (c *Complaint) PendingAudit() []AuditEntry { return slices.Clone(c.pending) }

// Events returns the domain events recorded since the complaint was built,
// loaded or last saved, in order. Services take them when they store the
// change and publish them after the commit.
func (c *Complaint) Events() []crm.Event { return slices.Clone(c.events) }

// saved is the Saved hook: the complaint and its pending changes are
// stored at version.
func (c *Complaint) saved(version int64) {
	c.version = version
	c.pending, c.events = nil, nil
}

// Clone returns a deep copy of c, sharing nothing with it: its stored state
// and its pending changes (audit entries and events) alike, as every
// entity's Clone does.
func (c *Complaint) Clone() *Complaint {
	d := *c
	d.asset = slices.Clone(c.asset)
	d.attach = slices.Clone(c.attach)
	d.repair = cloneRepair(c.repair)
	d.pauses = slices.Clone(c.pauses)
	d.pending = slices.Clone(c.pending)
	d.events = slices.Clone(c.events)
	if c.resolution != nil {
		r := c.resolution.clone()
		d.resolution = &r
	}
	if c.accepted != nil {
		a := *c.accepted
		d.accepted = &a
	}
	if c.survey != nil {
		s := *c.survey
		d.survey = &s
	}
	if c.followUp != nil {
		f := *c.followUp
		d.followUp = &f
	}
	return &d
}

// windowText writes a reopen window for people: "14 days" rather than
// "336h0m0s" when it is a whole number of days.
func windowText(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d == day:
		return "1 day"
	case d > 0 && d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	}
	return d.String()
}
