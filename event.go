package crm

import (
	"context"
	"time"
)

// Event is a domain event: a fact that happened to one aggregate. Entities
// record events as their methods change them; services hand them to an
// [EventSink] only after the transaction that stored the change has
// committed, so a sink never hears of a change that was rolled back.
type Event struct {
	// ID identifies the event itself: services give every event an ID from
	// their generator when the change is stored, and the same event keeps
	// it in the outbox and in every delivery, so a consumer can drop a
	// redelivered event by its ID.
	ID ID `json:"id"`
	// Type names what happened, "<package>.<fact>", e.g. "customer.stage_changed".
	Type string `json:"type"`
	// Tenant owns the aggregate.
	Tenant TenantID `json:"tenant"`
	// AggregateID identifies the aggregate the event belongs to.
	AggregateID ID `json:"aggregate_id"`
	// Version is the aggregate's version after the change (0 when unknown
	// at the time the event was recorded; services fill it in).
	Version int64 `json:"version"`
	// At is when it happened.
	At time.Time `json:"at"`
	// Actor is who caused it (a user or system name), when known.
	Actor string `json:"actor,omitempty"`
	// Data holds the event's details: a value type of the recording
	// package, e.g. customer.StageChanged. Sinks must not modify it.
	Data any `json:"data,omitempty"`
}

// EventSink receives committed domain events, in the order they happened,
// after the outermost transaction that stored them has committed (see
// [AfterCommit]); it never hears of a rolled-back change.
//
// Delivery to a sink is in-process and best effort: the change is already
// committed when Publish runs, so a sink's error (or panic) is logged by the
// service and never returned to its caller, and events are lost if the
// process stops between the commit and the call. Hosts that need every event
// delivered use a backend with a transactional outbox ([EventLog]) and drain
// it. Implementations must be safe for concurrent use.
type EventSink interface {
	Publish(ctx context.Context, events []Event) error
}

// EventSinkFunc adapts a function to [EventSink].
type EventSinkFunc func(ctx context.Context, events []Event) error

// Publish calls f.
func (f EventSinkFunc) Publish(ctx context.Context, events []Event) error { return f(ctx, events) }

// DiscardEvents is an [EventSink] that drops every event; it is the default
// sink of every service.
var DiscardEvents EventSink = EventSinkFunc(func(context.Context, []Event) error { return nil })

// EventLog is the optional capability of a backend that keeps a
// transactional outbox. A service whose backend implements it writes the
// events of every change with AppendEvents in the same transaction as the
// change, so an event is stored exactly when its change is; the host drains
// the outbox (storage.Outbox) and delivers each event at least once.
type EventLog interface {
	// AppendEvents stores events in the transaction carried by ctx (or on
	// their own when it carries none). Every event has a non-zero ID, a
	// valid tenant and a Type; an event whose ID is already stored for its
	// tenant returns an error wrapping ErrDuplicate and stores nothing.
	AppendEvents(ctx context.Context, events []Event) error
}
