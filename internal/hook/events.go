package hook

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/crmkit/crm"
)

// None is the pending-entry type of an entity that records no history or
// audit entries.
type None struct{}

// Publisher writes the domain events of the changes a service stores, the
// same way in every domain package: every event gets an ID from IDs when its
// change is stored; with an Outbox the events are appended to it in the
// transaction that stores the change; the Sink hears of them only after the
// outermost transaction commits ([crm.AfterCommit]); a sink's error or panic
// is logged with Log and never returned, since the change is committed.
//
// Every field but Outbox must be set. A Publisher is safe for concurrent use
// when its fields are.
type Publisher struct {
	// Pkg names the domain package in log records, e.g. "customer".
	Pkg string
	// Tx runs the transactions of changes that need one.
	Tx crm.Transactor
	// IDs gives every event its ID.
	IDs crm.IDGenerator
	// Outbox stores the events in the change's transaction; nil for none.
	Outbox crm.EventLog
	// Sink hears of the events after the outermost transaction commits.
	Sink crm.EventSink
	// Log records what cannot be returned: a sink's error or panic.
	Log *slog.Logger
}

// Write runs one change. fn makes the change's store calls with the context
// it receives and returns the events of what it stored, their Version set.
// When tx is true (the change spans several store calls) or an outbox is
// set, fn runs in one Tx.InTx and the events are appended to the outbox in
// that transaction, so they are stored exactly when the change is; fn may
// then run more than once, when the backend retries. Write returns the
// events with their IDs, or fn's error (nothing is then published).
func (p *Publisher) Write(ctx context.Context, tx bool, fn func(ctx context.Context) ([]crm.Event, error)) ([]crm.Event, error) {
	var events []crm.Event
	if tx || p.Outbox != nil {
		err := p.Tx.InTx(ctx, func(ctx context.Context) error {
			evs, err := fn(ctx)
			if err != nil {
				return err
			}
			if err := p.identify(evs); err != nil {
				return err
			}
			if p.Outbox != nil && len(evs) > 0 {
				if err := p.Outbox.AppendEvents(ctx, evs); err != nil {
					return fmt.Errorf("append events to the outbox: %w", err)
				}
			}
			events = evs
			return nil
		})
		if err != nil {
			return nil, err
		}
	} else {
		evs, err := fn(ctx)
		if err != nil {
			return nil, err
		}
		// The change is stored: failing now would report an error for a
		// change that committed. The events go out without IDs instead.
		if err := p.identify(evs); err != nil {
			p.Log.ErrorContext(ctx, p.Pkg+": events published without IDs", "error", err, "events", len(evs))
		}
		events = evs
	}
	p.Publish(ctx, events)
	return events, nil
}

// identify gives every event without an ID a new one.
func (p *Publisher) identify(events []crm.Event) error {
	for i := range events {
		if !events[i].ID.IsZero() {
			continue
		}
		id, err := p.IDs.NewID()
		if err != nil {
			return fmt.Errorf("event ID: %w", err)
		}
		events[i].ID = id
	}
	return nil
}

// Publish arranges for events to reach the sink once the transaction ctx
// carries commits (at once when it carries none), in order, and never when
// it rolls back. The sink's error or panic is logged, not returned.
func (p *Publisher) Publish(ctx context.Context, events []crm.Event) {
	if len(events) == 0 {
		return
	}
	crm.AfterCommit(ctx, func(ctx context.Context) { p.deliver(ctx, events) })
}

func (p *Publisher) deliver(ctx context.Context, events []crm.Event) {
	defer func() {
		if r := recover(); r != nil {
			p.Log.ErrorContext(ctx, p.Pkg+": event sink panicked", "panic", fmt.Sprint(r),
				"events", len(events), "first_type", events[0].Type, "first_id", events[0].ID.String())
		}
	}()
	if err := p.Sink.Publish(ctx, events); err != nil {
		p.Log.ErrorContext(ctx, p.Pkg+": event sink failed", "error", err,
			"events", len(events), "first_type", events[0].Type, "first_id", events[0].ID.String())
	}
}
