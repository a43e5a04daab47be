package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// Limits of the outbox, the same in every store.
const (
	// MaxEventTypeLen bounds an event's Type, in bytes.
	MaxEventTypeLen = 100
	// MaxEventDataLen bounds the JSON form of an event's Data, in bytes.
	MaxEventDataLen = 1 << 20
	// MaxAppendEvents bounds how many events one AppendEvents call stores.
	MaxAppendEvents = 10_000
	// DefaultClaimLimit is how many events a claim with Limit 0 takes.
	DefaultClaimLimit = 100
	// MaxClaimLimit is the most events one claim takes.
	MaxClaimLimit = 1000
	// DefaultLease is how long a claim with Lease 0 holds its events.
	DefaultLease = 30 * time.Second
	// MinLease and MaxLease bound a claim's lease.
	MinLease = time.Millisecond
	MaxLease = 24 * time.Hour
)

// Outbox is the transactional outbox of a store: the durable way to deliver
// domain events. Services whose backend implements [crm.EventLog] write the
// events of each change in the same transaction as the change; the host
// drains them, in one or more workers, with ClaimEvents and AckEvents:
//
//	for {
//		batch, err := outbox.ClaimEvents(ctx, storage.ClaimRequest{Limit: 100, Lease: time.Minute})
//		// handle err; wait a little when batch is empty
//		for _, e := range batch {
//			deliver(e) // idempotently: an event may come again after a crash
//		}
//		err = outbox.AckEvents(ctx, batch)
//	}
//
// Delivery is at least once: an event claimed but not acknowledged before
// its lease ends (the worker crashed or was too slow) is claimed again. Two
// workers never hold a claim on the same event at the same time. Events come
// in ascending ID order (IDs are UUIDv7: about creation order) among those
// free to claim.
type Outbox interface {
	crm.EventLog

	// ClaimEvents leases up to req.Limit events that are not acknowledged
	// and not under a running lease, of req.Tenant (every tenant when it
	// is zero), in ascending ID order, for req.Lease. Each returned event
	// carries the claim's token and how many times it has been claimed.
	// An invalid request returns crm.ErrInvalid; none free returns an
	// empty slice.
	ClaimEvents(ctx context.Context, req ClaimRequest) ([]OutboxEvent, error)

	// AckEvents marks claimed events delivered: each event whose claim is
	// still the one it carries is removed from the outbox. An event whose
	// lease ran out and that another worker claimed since is left to that
	// worker; an event acknowledged before, or unknown, is ignored. Acking
	// is therefore idempotent.
	AckEvents(ctx context.Context, events []OutboxEvent) error
}

// ClaimRequest asks for a batch of outbox events.
type ClaimRequest struct {
	// Tenant limits the claim to one tenant; zero claims across tenants.
	Tenant crm.TenantID
	// Limit is the most events to claim: 0 means DefaultClaimLimit; at most
	// MaxClaimLimit.
	Limit int
	// Lease is how long the claim holds the events: 0 means DefaultLease;
	// otherwise between MinLease and MaxLease.
	Lease time.Duration
}

// Normalize validates r and returns it with its defaults applied.
func (r ClaimRequest) Normalize() (ClaimRequest, error) {
	var v crm.Validator
	if r.Tenant != "" {
		v.Merge("tenant", r.Tenant.Validate())
	}
	v.Check(r.Limit >= 0 && r.Limit <= MaxClaimLimit, "limit", fmt.Sprintf("must be between 0 and %d", MaxClaimLimit))
	v.Check(r.Lease == 0 || (r.Lease >= MinLease && r.Lease <= MaxLease), "lease", fmt.Sprintf("must be 0 or between %s and %s", MinLease, MaxLease))
	if err := v.Err("storage.ClaimRequest"); err != nil {
		return r, err
	}
	if r.Limit == 0 {
		r.Limit = DefaultClaimLimit
	}
	if r.Lease == 0 {
		r.Lease = DefaultLease
	}
	return r, nil
}

// OutboxEvent is an event as the outbox stores and hands it out.
type OutboxEvent struct {
	// Event is the stored event. Its Data is the json.RawMessage that
	// encoding/json made of the Data the service recorded, the same in
	// every store; decode it by the event's Type.
	crm.Event
	// Attempts counts the claims of this event, this one included.
	Attempts int
	// Claim identifies the claim that handed the event out; AckEvents
	// needs it. Zero in the form AppendEvents stores.
	Claim crm.ID
}

// EncodeEvents validates events for the outbox and returns them in their
// stored form, with Data as JSON. Every store calls it on the way in, so
// that every store refuses and stores alike: an event needs a non-zero ID,
// a valid tenant, an aggregate ID, a Type of at most MaxEventTypeLen bytes
// of valid UTF-8, a time in the stored range, a valid actor when one is
// named, a version that is not negative and Data that encoding/json can
// encode in at most MaxEventDataLen bytes. IDs must be unique within the
// call; Data's JSON may not hold a NUL character (\u0000). A problem
// returns a *crm.ValidationError naming the event's index.
func EncodeEvents(events []crm.Event) ([]OutboxEvent, error) {
	var v crm.Validator
	if !v.Check(len(events) <= MaxAppendEvents, "events", fmt.Sprintf("more than %d", MaxAppendEvents)) {
		return nil, v.Err("storage.EncodeEvents")
	}
	out := make([]OutboxEvent, len(events))
	seen := make(map[crm.ID]struct{}, len(events))
	for i, e := range events {
		p := fmt.Sprintf("events[%d]", i)
		v.Check(!e.ID.IsZero(), p+".id", "must not be zero")
		if _, dup := seen[e.ID]; dup && !e.ID.IsZero() {
			v.Addf(p+".id", "repeats an earlier event's ID")
		}
		seen[e.ID] = struct{}{}
		v.Merge(p+".tenant", e.Tenant.Validate())
		v.Check(!e.AggregateID.IsZero(), p+".aggregate_id", "must not be zero")
		v.Check(e.Type != "" && len(e.Type) <= MaxEventTypeLen && utf8.ValidString(e.Type) && !strings.ContainsRune(e.Type, 0), p+".type",
			fmt.Sprintf("must be 1 to %d bytes of UTF-8", MaxEventTypeLen))
		v.Check(e.Version >= 0, p+".version", "must not be negative")
		v.Check(!e.At.IsZero() && crm.ValidTime(e.At), p+".at", "must be set and in the stored time range")
		if e.Actor != "" {
			v.Merge(p+".actor", crm.UserID(e.Actor).Validate())
		}
		data, err := json.Marshal(e.Data)
		switch {
		case err != nil:
			v.Addf(p+".data", "cannot be encoded as JSON: %s", err.Error())
		case len(data) > MaxEventDataLen:
			v.Addf(p+".data", "JSON form longer than %d bytes", MaxEventDataLen)
		case bytes.Contains(data, []byte(`\u0000`)):
			// PostgreSQL's jsonb cannot hold it; every store refuses it alike.
			v.Addf(p+".data", "holds a NUL character, which no store keeps")
		}
		e.At = e.At.UTC().Truncate(time.Microsecond)
		e.Data = json.RawMessage(data)
		out[i] = OutboxEvent{Event: e}
	}
	if err := v.Err("storage.EncodeEvents"); err != nil {
		return nil, err
	}
	return out, nil
}
