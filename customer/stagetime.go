package customer

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// Time in relationship stage (客户关系发展的五个过程): how long a customer
// spent in each stage, read from its history, so that a manager sees the
// accounts stuck in evaluation and the time a relationship takes to mature.

// StageSpan is one stay of a customer in a relationship stage.
type StageSpan struct {
	Stage Stage
	// From is when the customer entered the stage (its creation for the
	// first span); To when it left it, or now for the current span.
	From, To time.Time
	// Duration is To - From.
	Duration time.Duration
	// Business is the working time between From and To on the calendar
	// given (zero without one).
	Business time.Duration
	// Current is set on the last span: the stage the customer is in.
	Current bool
}

// StageTimeline is a customer's stays in its relationship stages, oldest
// first. A stage left and entered again (a back-move) has a span for each
// stay.
type StageTimeline struct {
	Spans []StageSpan
}

// Current returns the span of the stage the customer is in now (the zero
// StageSpan for an empty timeline).
func (t StageTimeline) Current() StageSpan {
	if len(t.Spans) == 0 {
		return StageSpan{}
	}
	return t.Spans[len(t.Spans)-1]
}

// Total returns the time spent in stage s over every stay, and the
// business time of those stays.
func (t StageTimeline) Total(s Stage) (total, business time.Duration) {
	for _, sp := range t.Spans {
		if sp.Stage == s {
			total += sp.Duration
			business += sp.Business
		}
	}
	return total, business
}

// StageTimes computes the timeline of customer c from its history (in
// CompareHistory order, as History lists it) up to now, measuring business
// time on cal (nil: none).
//
// Only entries recorded on c itself count (OriginID == c.ID()): a merge
// moves the other customer's history to the survivor, but that history
// tells the other customer's stages; a stage the survivor took from the
// other customer in the merge is recorded on the survivor, as a move at the
// merge. The first span starts at c's creation in the stage its "created"
// entry names (else the first move's From, else c's stage); each "stage"
// entry closes a span and opens one for its To. Entries after now are not
// counted yet.
//
// A nil or zero customer, a zero now or a now before the customer's
// creation returns an error wrapping crm.ErrInvalid, as does an entry whose
// To is not a stage.
func StageTimes(c *Customer, history []HistoryEntry, now time.Time, cal *calendar.Calendar) (StageTimeline, error) {
	const op = "customer.StageTimes"
	var v crm.Validator
	if c == nil || c.state == nil {
		v.Addf("customer", "must be built with New or FromRecord")
		return StageTimeline{}, v.Err(op)
	}
	v.Check(!now.IsZero() && crm.ValidTime(now), "now", "must be set, within the stored time range")
	v.Check(!now.Before(c.createdAt), "now", "must not be before the customer's creation")
	if err := v.Err(op); err != nil {
		return StageTimeline{}, err
	}
	start, startSet := c.stage, false
	type move struct {
		at time.Time
		to Stage
	}
	var moves []move
	for i, e := range history {
		if e.OriginID != c.id || e.At.After(now) {
			continue
		}
		switch e.Kind {
		case HistoryCreated:
			if s, err := ParseStage(e.To); err == nil {
				start, startSet = s, true
			}
		case HistoryStage:
			to, err := ParseStage(e.To)
			if err != nil {
				return StageTimeline{}, crm.Invalid(op, fmt.Sprintf("history[%d].to", i), "not a stage")
			}
			if !startSet && len(moves) == 0 {
				if from, err := ParseStage(e.From); err == nil {
					start = from
				}
			}
			moves = append(moves, move{at: e.At, to: to})
		}
	}
	var t StageTimeline
	from, stage := c.createdAt, start
	add := func(to time.Time, current bool) {
		if to.Before(from) {
			to = from // an entry stamped before the creation: an empty stay
		}
		sp := StageSpan{Stage: stage, From: from, To: to, Duration: to.Sub(from), Current: current}
		if cal != nil {
			sp.Business = cal.Between(from, to)
		}
		t.Spans = append(t.Spans, sp)
	}
	for _, m := range moves {
		add(m.at, false)
		from, stage = m.at, m.to
		if from.Before(c.createdAt) {
			from = c.createdAt
		}
	}
	add(now, true)
	return t, nil
}

// StageTimes returns the timeline of the customer's relationship stages up
// to now (see the function [StageTimes]), reading every page of its
// history. cal (nil: none) measures business time.
func (s *Service) StageTimes(ctx context.Context, tenant crm.TenantID, id crm.ID, now time.Time, cal *calendar.Calendar) (StageTimeline, error) {
	c, err := s.store.Get(ctx, tenant, id)
	if err != nil {
		return StageTimeline{}, fmt.Errorf("customer: stage times %s: %w", id, err)
	}
	hist, err := s.allHistory(ctx, tenant, id)
	if err != nil {
		return StageTimeline{}, fmt.Errorf("customer: stage times %s: %w", id, err)
	}
	t, err := StageTimes(c, hist, now, cal)
	if err != nil {
		return StageTimeline{}, fmt.Errorf("customer: stage times %s: %w", id, err)
	}
	return t, nil
}

// allHistory reads every page of a customer's history.
func (s *Service) allHistory(ctx context.Context, tenant crm.TenantID, id crm.ID) ([]HistoryEntry, error) {
	var out []HistoryEntry
	page := crm.PageRequest{Limit: crm.MaxPageLimit}
	for {
		p, err := s.store.History(ctx, tenant, id, page)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out, nil
		}
		page.Cursor = p.Next
	}
}
