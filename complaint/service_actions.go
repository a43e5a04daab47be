package complaint

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// Transition moves the complaint to status to; see [Complaint.Transition]
// for the table and the refusals (*crm.TransitionError, or a
// *crm.ValidationError for a bad ch). ch.At defaults to the service clock.
// A refusal changes nothing and publishes nothing.
func (s *Service) Transition(ctx context.Context, tenant crm.TenantID, id crm.ID, to Status, ch Change) (*Complaint, error) {
	return s.transition(ctx, tenant, id, "transition", to, ch)
}

func (s *Service) transition(ctx context.Context, tenant crm.TenantID, id crm.ID, op string, to Status, ch Change) (*Complaint, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, op, func(c *Complaint) error { return c.Transition(to, ch) })
}

// Acknowledge tells the customer the complaint is being handled: the ISO
// 10002 step "acknowledgement of the complaint". It moves a received
// complaint to Acknowledged.
func (s *Service) Acknowledge(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Complaint, error) {
	return s.transition(ctx, tenant, id, "acknowledge", Acknowledged, ch)
}

// Assess records that severity, priority and owner are settled: the ISO
// 10002 step "initial assessment of the complaint". It moves an
// acknowledged complaint to Assessed.
func (s *Service) Assess(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Complaint, error) {
	return s.transition(ctx, tenant, id, "assess", Assessed, ch)
}

// Investigate starts (or resumes) looking into the cause: the ISO 10002
// step "investigation of the complaint". It moves the complaint to
// Investigating from Assessed, ResponseProposed, Resolved or Reopened.
func (s *Service) Investigate(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Complaint, error) {
	return s.transition(ctx, tenant, id, "investigate", Investigating, ch)
}

// ProposeResponse records that a remedy was proposed to the customer: the
// ISO 10002 steps "response to the complaint" and "communicating the
// decision". It moves an investigated complaint to ResponseProposed; the
// first time also stops the first-response clock.
func (s *Service) ProposeResponse(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Complaint, error) {
	return s.transition(ctx, tenant, id, "propose response", ResponseProposed, ch)
}

// Resolve records that the remedy was carried out: the action part of the
// ISO 10002 step "response to the complaint". The complaint must be in
// ResponseProposed with a resolution set ([Service.SetResolution]).
func (s *Service) Resolve(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Complaint, error) {
	return s.transition(ctx, tenant, id, "resolve", Resolved, ch)
}

// Close ends the handling: the ISO 10002 step "closing the complaint". Only
// a resolved complaint may be closed; closing an unresolved one is a
// *crm.TransitionError.
func (s *Service) Close(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Complaint, error) {
	return s.transition(ctx, tenant, id, "close", Closed, ch)
}

// Reject refuses the complaint with the reason in ch.Reason (required): a
// decision the ISO 10002 step "communicating the decision" tells the
// customer. Allowed from Received up to Investigating.
func (s *Service) Reject(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Complaint, error) {
	return s.transition(ctx, tenant, id, "reject", Rejected, ch)
}

// Reopen takes a closed or rejected complaint up again when the customer
// is not satisfied, within the reopen window ([Options.ReopenWindow]): ISO
// 10002 lets a complainant who does not accept the decision pursue it
// further. Reopening after the window is a *crm.TransitionError.
func (s *Service) Reopen(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Complaint, error) {
	return s.transition(ctx, tenant, id, "reopen", Reopened, ch)
}

// WaitOnCustomer pauses the handling until the customer answers (more
// information, access to the premises): part of the ISO 10002 step
// "tracking of the complaint". The SLA clocks pause while waiting.
func (s *Service) WaitOnCustomer(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Complaint, error) {
	return s.transition(ctx, tenant, id, "wait on customer", WaitingOnCustomer, ch)
}

// ResumeFromCustomer ends a wait on the customer, returning the complaint
// to the status the wait began in ([Complaint.WaitingFrom]); the other half
// of [Service.WaitOnCustomer]. A complaint that is not waiting is a
// *crm.TransitionError.
func (s *Service) ResumeFromCustomer(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Complaint, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "resume from customer", func(c *Complaint) error {
		if c.status != WaitingOnCustomer {
			return &crm.TransitionError{Machine: machineName, From: c.status.String(), To: c.status.String(),
				Reason: "not waiting on the customer"}
		}
		return c.Transition(c.waitFrom, ch)
	})
}

// Escalate raises the complaint's escalation level by one; ch.Reason is
// required. See [Complaint.Escalate].
func (s *Service) Escalate(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Complaint, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "escalate", func(c *Complaint) error { return c.Escalate(ch) })
}

// HandOver makes to the accountable owner; ch.Reason is required and
// handing over to the current owner is refused. See [Complaint.HandOver].
func (s *Service) HandOver(ctx context.Context, tenant crm.TenantID, id crm.ID, to crm.UserID, ch Change) (*Complaint, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "hand over", func(c *Complaint) error { return c.HandOver(to, ch) })
}

// SetResolution records (or replaces) the resolution of an open complaint
// that is not yet resolved. See [Complaint.SetResolution].
func (s *Service) SetResolution(ctx context.Context, tenant crm.TenantID, id crm.ID, r Resolution, ch Change) (*Complaint, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "set resolution", func(c *Complaint) error { return c.SetResolution(r, ch) })
}

// AddRepairStep appends an entry to the repair timeline of an open
// complaint; public entries are shown to the customer (透明化维修). See
// [Complaint.AddRepairStep].
func (s *Service) AddRepairStep(ctx context.Context, tenant crm.TenantID, id crm.ID, step RepairStep, note string, public bool, ch Change) (*Complaint, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "add repair step", func(c *Complaint) error {
		return c.AddRepairStep(step, note, public, ch)
	})
}

// PublicRepairView returns what the customer may see of the repair: the
// public entries of the timeline, in order. Internal entries never leave
// through it.
func (s *Service) PublicRepairView(ctx context.Context, tenant crm.TenantID, id crm.ID) ([]RepairEntry, error) {
	c, err := s.store.Get(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("complaint: public repair view %s: %w", id, err)
	}
	return c.PublicRepairView(), nil
}

// RecordAcceptance records whether the customer accepted the decision
// (resolved, closed or rejected complaints). See
// [Complaint.RecordAcceptance].
func (s *Service) RecordAcceptance(ctx context.Context, tenant crm.TenantID, id crm.ID, accepted bool, ch Change) (*Complaint, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "record acceptance", func(c *Complaint) error {
		return c.RecordAcceptance(accepted, ch)
	})
}

// ScheduleFollowUp schedules the follow-up call (回访) of a closed
// complaint at at, not before closing. See [Complaint.ScheduleFollowUp].
func (s *Service) ScheduleFollowUp(ctx context.Context, tenant crm.TenantID, id crm.ID, at time.Time, ch Change) (*Complaint, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "schedule follow-up", func(c *Complaint) error {
		return c.ScheduleFollowUp(at, ch)
	})
}

// RecordFollowUp records the outcome of the scheduled follow-up call,
// once; the call's time is ch.At. See [Complaint.RecordFollowUp].
func (s *Service) RecordFollowUp(ctx context.Context, tenant crm.TenantID, id crm.ID, f FollowUp, ch Change) (*Complaint, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "record follow-up", func(c *Complaint) error {
		return c.RecordFollowUp(f, ch)
	})
}

// RecordSurvey records the satisfaction survey of a closed complaint. See
// [Complaint.RecordSurvey].
func (s *Service) RecordSurvey(ctx context.Context, tenant crm.TenantID, id crm.ID, sv Survey, ch Change) (*Complaint, error) {
	ch = s.change(ch)
	return s.update(ctx, tenant, id, "record survey", func(c *Complaint) error {
		return c.RecordSurvey(sv, ch)
	})
}

// FollowUpsDue returns the closed complaints whose follow-up call is
// scheduled in [from, to) and not yet recorded, ordered by
// [Complaint.FollowUpAt], then ID. from must be before to.
func (s *Service) FollowUpsDue(ctx context.Context, tenant crm.TenantID, from, to time.Time) ([]*Complaint, error) {
	var v crm.Validator
	v.Check(!from.IsZero(), "from", "must be set")
	v.Check(!to.IsZero(), "to", "must be set")
	v.Check(from.Before(to), "to", "must be after from")
	if err := v.Err("complaint.FollowUpsDue"); err != nil {
		return nil, fmt.Errorf("complaint: follow-ups due: %w", err)
	}
	closed := false
	var out []*Complaint
	err := s.each(ctx, tenant, Query{Open: &closed, Statuses: []Status{Closed}}, func(c *Complaint) error {
		if c.status == Closed && c.followUp == nil && !c.followUpAt.IsZero() &&
			!c.followUpAt.Before(from) && c.followUpAt.Before(to) {
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("complaint: follow-ups due: %w", err)
	}
	slices.SortStableFunc(out, func(a, b *Complaint) int {
		return cmp.Or(a.followUpAt.Compare(b.followUpAt), a.id.Compare(b.id))
	})
	return out, nil
}
