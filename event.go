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
	// Type names what happened, "<package>.<fact>", e.g. "customer.stage_changed".
	Type string
	// Tenant owns the aggregate.
	Tenant TenantID
	// AggregateID identifies the aggregate the event belongs to.
	AggregateID ID
	// Version is the aggregate's version after the change (0 when unknown
	// at the time the event was recorded; services fill it in).
	Version int64
	// At is when it happened.
	At time.Time
	// Actor is who caused it (a user or system name), when known.
	Actor string
	// Data holds the event's details: a value type of the recording
	// package, e.g. customer.StageChanged. Sinks must not modify it.
	Data any
}

// EventSink receives committed domain events, in the order they happened.
// A sink's error is returned to the service's caller, but the change it
// reports has already been committed. Implementations must be safe for
// concurrent use.
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
