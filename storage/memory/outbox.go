package memory

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/storage"
)

var _ storage.Outbox = (*Store)(nil)

// outbox is a tenant's transactional outbox: the events appended and not
// yet acknowledged. It is guarded by the tenant's mu.
//
// ids holds the events' IDs in ascending order, the claim order. An event
// acknowledged (or appended by a rolled-back transaction) leaves events at
// once and ids lazily: its ID stays in ids, dead, until dead IDs are more
// than half of ids, when ids is rebuilt. So acknowledging the oldest events,
// the usual case, costs no shifting of the list.
type outbox struct {
	events map[crm.ID]*outboxEntry
	ids    []crm.ID
	dead   int // IDs in ids without an entry in events
}

// outboxEntry is a stored event and the state of its claim.
type outboxEntry struct {
	ev    storage.OutboxEvent
	until time.Time // end of the last claim's lease; zero: never claimed
	by    *tx       // the transaction that appended it, until seen committed
}

// visible reports whether the event may be claimed: its transaction, if
// any, has committed.
func (e *outboxEntry) visible() bool { return e.by == nil || e.by.committed.Load() }

// compactOutbox rebuilds ids when dead IDs are most of it. The caller holds
// td.mu.
func (td *tenantData) compactOutbox() {
	ob := &td.outbox
	if ob.dead < 64 || ob.dead*2 < len(ob.ids) {
		return
	}
	live := make([]crm.ID, 0, len(ob.events))
	for _, id := range ob.ids {
		if _, ok := ob.events[id]; ok {
			live = append(live, id)
		}
	}
	ob.ids, ob.dead = live, 0
}

// removeOutbox removes the event id. The caller holds td.mu.
func (td *tenantData) removeOutbox(id crm.ID) {
	if _, ok := td.outbox.events[id]; !ok {
		return
	}
	delete(td.outbox.events, id)
	td.outbox.dead++
	td.compactOutbox()
}

// AppendEvents stores events in the outbox of their tenants, in the
// transaction carried by ctx or, when it carries none, in one of its own;
// see [crm.EventLog]. Events are checked and encoded by
// [storage.EncodeEvents]. An event whose ID is already in its tenant's
// outbox returns an error wrapping crm.ErrDuplicate and nothing is stored.
// Events appended in a transaction cannot be claimed before it commits, and
// are removed when it rolls back.
func (s *Store) AppendEvents(ctx context.Context, events []crm.Event) error {
	encoded, err := storage.EncodeEvents(events)
	if err != nil {
		return fmt.Errorf("memory: append events: %w", err)
	}
	if len(encoded) == 0 {
		return nil
	}
	// Group by tenant, keeping the given order within each.
	byTenant := make(map[crm.TenantID][]storage.OutboxEvent)
	var tenants []crm.TenantID
	for _, e := range encoded {
		if _, ok := byTenant[e.Tenant]; !ok {
			tenants = append(tenants, e.Tenant)
		}
		byTenant[e.Tenant] = append(byTenant[e.Tenant], e)
	}
	slices.Sort(tenants) // a fixed order of taking tenants
	return s.InTx(ctx, func(ctx context.Context) error {
		for _, tenant := range tenants {
			if err := s.appendTenantEvents(ctx, tenant, byTenant[tenant]); err != nil {
				return err
			}
		}
		return nil
	})
}

// appendTenantEvents stores one tenant's events, in the transaction ctx
// carries.
func (s *Store) appendTenantEvents(ctx context.Context, tenant crm.TenantID, events []storage.OutboxEvent) error {
	t, td, err := s.open(ctx, tenant, true)
	if err != nil {
		return fmt.Errorf("memory: append events: %w", err)
	}
	defer s.close(t, td)
	td.mu.Lock()
	defer td.mu.Unlock()
	ob := &td.outbox
	for _, e := range events {
		if _, dup := ob.events[e.ID]; dup {
			return fmt.Errorf("memory: append event %s: %w", e.ID, crm.ErrDuplicate)
		}
	}
	if ob.events == nil {
		ob.events = make(map[crm.ID]*outboxEntry)
	}
	for _, e := range events {
		ob.events[e.ID] = &outboxEntry{ev: e, by: t}
		i, found := slices.BinarySearchFunc(ob.ids, e.ID, crm.ID.Compare)
		if found { // the ID of an event removed earlier, still listed
			ob.dead--
		} else if i == len(ob.ids) {
			ob.ids = append(ob.ids, e.ID) // UUIDv7: the usual case
		} else {
			ob.ids = slices.Insert(ob.ids, i, e.ID)
		}
	}
	if t != nil {
		t.record(func() {
			td.locked(func() {
				for _, e := range events {
					td.removeOutbox(e.ID)
				}
			})
		})
	}
	return nil
}

// ClaimEvents leases up to req.Limit free events, in ascending ID order
// across the tenants req selects; see [storage.Outbox]. A lease runs for
// req.Lease by the store's clock ([Options.Clock]). Claims are not part of
// transactions: a claim made with a transaction's context takes effect at
// once and is not undone by a rollback. Events appended by a transaction
// that has not committed are not free.
func (s *Store) ClaimEvents(ctx context.Context, req storage.ClaimRequest) ([]storage.OutboxEvent, error) {
	req, err := req.Normalize()
	if err != nil {
		return nil, fmt.Errorf("memory: claim events: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory: claim events: %w", err)
	}
	claim, err := crm.UUIDv7{}.NewID()
	if err != nil {
		return nil, fmt.Errorf("memory: claim events: %w", err)
	}
	var shards []*tenantData
	if req.Tenant != "" {
		if td := s.tenant(req.Tenant, false); td != nil {
			shards = append(shards, td)
		}
	} else {
		s.mu.RLock()
		shards = make([]*tenantData, 0, len(s.tenants))
		for _, td := range s.tenants {
			shards = append(shards, td)
		}
		s.mu.RUnlock()
	}
	// One claim at a time: what is free is decided and taken as one step.
	if err := s.claimLock.lock(ctx); err != nil {
		return nil, fmt.Errorf("memory: claim events: %w", err)
	}
	defer s.claimLock.unlock()
	now := s.clock.Now()
	type pick struct {
		td *tenantData
		e  *outboxEntry
	}
	var picks []pick
	for _, td := range shards {
		td.mu.RLock()
		n := 0
		for _, id := range td.outbox.ids {
			e, ok := td.outbox.events[id]
			if !ok || !e.visible() || (!e.until.IsZero() && now.Before(e.until)) {
				continue
			}
			picks = append(picks, pick{td, e})
			if n++; n == req.Limit {
				break
			}
		}
		td.mu.RUnlock()
	}
	slices.SortFunc(picks, func(a, b pick) int { return a.e.ev.ID.Compare(b.e.ev.ID) })
	picks = picks[:min(len(picks), req.Limit)]
	// Sorted by tenant, each tenant's picks are taken under one lock.
	slices.SortStableFunc(picks, func(a, b pick) int { return cmp.Compare(a.e.ev.Tenant, b.e.ev.Tenant) })
	out := make([]storage.OutboxEvent, 0, len(picks))
	until := now.Add(req.Lease)
	for i := 0; i < len(picks); {
		td := picks[i].td
		td.mu.Lock()
		for ; i < len(picks) && picks[i].td == td; i++ {
			e := picks[i].e
			e.by = nil // seen committed: drop the reference to the transaction
			e.ev.Attempts++
			e.ev.Claim = claim
			e.until = until
			out = append(out, copyEvent(e.ev))
		}
		td.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b storage.OutboxEvent) int { return a.ID.Compare(b.ID) })
	return out, nil
}

// copyEvent returns ev with its own copy of its JSON data, so that no
// caller can change the stored event.
func copyEvent(ev storage.OutboxEvent) storage.OutboxEvent {
	if raw, ok := ev.Data.(json.RawMessage); ok {
		ev.Data = slices.Clone(raw)
	}
	return ev
}

// AckEvents removes each of events whose claim is still the one it
// carries; see [storage.Outbox]. Unknown events, events acknowledged
// before and events claimed again since are ignored. Each event needs a
// valid tenant, an ID and a claim; at most storage.MaxAppendEvents events
// per call.
func (s *Store) AckEvents(ctx context.Context, events []storage.OutboxEvent) error {
	const op = "memory.AckEvents"
	var v crm.Validator
	if v.Check(len(events) <= storage.MaxAppendEvents, "events", fmt.Sprintf("more than %d", storage.MaxAppendEvents)) {
		for i, e := range events {
			p := fmt.Sprintf("events[%d]", i)
			v.Merge(p+".tenant", e.Tenant.Validate())
			v.Check(!e.ID.IsZero(), p+".id", "must not be zero")
			v.Check(!e.Claim.IsZero(), p+".claim", "must not be zero: acknowledge events as ClaimEvents returns them")
		}
	}
	if err := v.Err(op); err != nil {
		return fmt.Errorf("memory: ack events: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: ack events: %w", err)
	}
	if err := s.claimLock.lock(ctx); err != nil {
		return fmt.Errorf("memory: ack events: %w", err)
	}
	defer s.claimLock.unlock()
	for _, e := range events {
		td := s.tenant(e.Tenant, false)
		if td == nil {
			continue
		}
		td.mu.Lock()
		if cur, ok := td.outbox.events[e.ID]; ok && cur.ev.Claim == e.Claim {
			td.removeOutbox(e.ID)
		}
		td.mu.Unlock()
	}
	return nil
}
