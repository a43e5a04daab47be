package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// What a customer has besides its record: history and interactions.

// appendHistory stores entries as history of customer id, recording their
// removal in t's undo log. The caller holds td.mu.
func (td *tenantData) appendHistory(t *tx, id crm.ID, entries []customer.HistoryEntry) {
	for i := range entries {
		e := entries[i]
		e.CustomerID = id
		td.putHistory(nil, &e)
		if t != nil {
			t.record(func() { td.locked(func() { td.putHistory(&e, nil) }) })
		}
	}
}

// History.

// putHistory replaces the history entry old (nil: none) by new (nil:
// remove); the two may belong to different customers.
func (td *tenantData) putHistory(old, new *customer.HistoryEntry) {
	if old != nil {
		h := td.history[old.CustomerID]
		i, _ := slices.BinarySearchFunc(h, *old, customer.CompareHistory)
		for ; i < len(h) && customer.CompareHistory(h[i], *old) == 0; i++ {
			if h[i] == *old {
				h = slices.Delete(h, i, i+1)
				break
			}
		}
		if len(h) == 0 {
			delete(td.history, old.CustomerID)
		} else {
			td.history[old.CustomerID] = h
		}
	}
	if new != nil {
		h := td.history[new.CustomerID]
		// After the last entry that sorts before or with new: appends in
		// order stay appends.
		i := len(h)
		for i > 0 && customer.CompareHistory(h[i-1], *new) > 0 {
			i--
		}
		td.history[new.CustomerID] = slices.Insert(h, i, *new)
	}
}

// Interactions.

// putInteraction replaces the interaction old (nil: none) by new (nil:
// remove); both must have the same ID.
func (td *tenantData) putInteraction(old, new *customer.Interaction) {
	if old != nil {
		s := td.intByCustomer[old.CustomerID]
		if i, found := slices.BinarySearchFunc(s, *old, customer.CompareInteractions); found {
			if new != nil && new.CustomerID == old.CustomerID && customer.CompareInteractions(*old, *new) == 0 {
				s[i] = *new // same place in the order: replace in place
				td.interactions[new.ID] = *new
				return
			}
			s = slices.Delete(s, i, i+1)
		}
		if len(s) == 0 {
			delete(td.intByCustomer, old.CustomerID)
		} else {
			td.intByCustomer[old.CustomerID] = s
		}
		delete(td.interactions, old.ID)
	}
	if new != nil {
		s := td.intByCustomer[new.CustomerID]
		i, _ := slices.BinarySearchFunc(s, *new, customer.CompareInteractions)
		td.intByCustomer[new.CustomerID] = slices.Insert(s, i, *new)
		td.interactions[new.ID] = *new
	}
}

// History returns a page of the customer's history, oldest first; see
// customer.Store. A missing customer returns crm.ErrNotFound.
func (cs *customerStore) History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[customer.HistoryEntry], error) {
	const op = "memory.Customers.History"
	var out crm.Page[customer.HistoryEntry]
	page, cur, after, err := checkPage(op, tenant, id, "id", page, kindHistory)
	if err != nil {
		return out, fmt.Errorf("memory: history: %w", err)
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return out, fmt.Errorf("memory: history of %s: %w", id, err)
	}
	defer s.close(t, td)
	if td == nil {
		return out, notFound("customer", id)
	}
	td.mu.RLock()
	defer td.mu.RUnlock()
	if !td.has(id) {
		return out, notFound("customer", id)
	}
	h := td.history[id]
	start := 0
	if after {
		key := customer.HistoryEntry{At: cur.at, OriginID: cur.id, Seq: cur.seq}
		start, _ = slices.BinarySearchFunc(h, key, customer.CompareHistory)
		for start < len(h) && customer.CompareHistory(h[start], key) <= 0 {
			start++
		}
	}
	h = h[start:]
	if len(h) > page.Limit {
		h = h[:page.Limit]
		last := h[len(h)-1]
		out.Next = cursor{kind: kindHistory, at: last.At, id: last.OriginID, seq: last.Seq}.encode()
	}
	out.Items = slices.Clone(h)
	if out.Items == nil {
		out.Items = []customer.HistoryEntry{}
	}
	return out, nil
}

// checkPage validates a tenant, a record ID and a page request, and decodes
// the page's cursor.
func checkPage(op string, tenant crm.TenantID, id crm.ID, idPath string, page crm.PageRequest, kind byte) (crm.PageRequest, cursor, bool, error) {
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(!id.IsZero(), idPath, "must not be zero")
	page, perr := page.Normalize()
	v.Merge("page", perr)
	cur, after, cerr := decodeCursor(op, kind, page.Cursor)
	v.Merge("page", cerr)
	return page, cur, after, v.Err(op)
}

// AddInteraction stores an interaction of an existing customer; see
// customer.Store.
func (cs *customerStore) AddInteraction(ctx context.Context, in customer.Interaction) error {
	if err := in.Validate(); err != nil {
		return fmt.Errorf("memory: add interaction: %w", err)
	}
	s := cs.s
	t, td, err := s.open(ctx, in.Tenant, false)
	if err != nil {
		return fmt.Errorf("memory: add interaction %s: %w", in.ID, err)
	}
	defer s.close(t, td)
	if td == nil {
		return notFound("customer", in.CustomerID)
	}
	td.mu.Lock()
	defer td.mu.Unlock()
	if !td.has(in.CustomerID) {
		return notFound("customer", in.CustomerID)
	}
	if _, dup := td.interactions[in.ID]; dup {
		return fmt.Errorf("memory: add interaction %s: %w", in.ID, crm.ErrDuplicate)
	}
	td.putInteraction(nil, &in)
	if t != nil {
		t.record(func() { td.locked(func() { td.putInteraction(&in, nil) }) })
	}
	td.noteContact(t, in.CustomerID, in.At)
	return nil
}

// Interactions returns a page of the customer's interactions, newest
// first; see customer.Store. A missing customer returns crm.ErrNotFound.
func (cs *customerStore) Interactions(ctx context.Context, tenant crm.TenantID, customerID crm.ID, page crm.PageRequest) (crm.Page[customer.Interaction], error) {
	const op = "memory.Customers.Interactions"
	var out crm.Page[customer.Interaction]
	page, cur, after, err := checkPage(op, tenant, customerID, "customer_id", page, kindInteractions)
	if err != nil {
		return out, fmt.Errorf("memory: interactions: %w", err)
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return out, fmt.Errorf("memory: interactions of %s: %w", customerID, err)
	}
	defer s.close(t, td)
	if td == nil {
		return out, notFound("customer", customerID)
	}
	td.mu.RLock()
	defer td.mu.RUnlock()
	if !td.has(customerID) {
		return out, notFound("customer", customerID)
	}
	list := td.intByCustomer[customerID]
	if after {
		key := customer.Interaction{At: cur.at, ID: cur.id}
		i, found := slices.BinarySearchFunc(list, key, customer.CompareInteractions)
		if found {
			i++
		}
		list = list[i:]
	}
	if len(list) > page.Limit {
		list = list[:page.Limit]
		last := list[len(list)-1]
		out.Next = cursor{kind: kindInteractions, at: last.At, id: last.ID}.encode()
	}
	out.Items = slices.Clone(list)
	if out.Items == nil {
		out.Items = []customer.Interaction{}
	}
	return out, nil
}

// MoveRelated re-points the interactions, history entries and visits of
// customer from to customer to; see customer.Store. Moved visits get a new
// version. from and to must differ.
func (cs *customerStore) MoveRelated(ctx context.Context, tenant crm.TenantID, from, to crm.ID) error {
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return fmt.Errorf("memory: move related %s to %s: %w", from, to, err)
	}
	defer s.close(t, td)
	if td == nil {
		return notFound("customer", from)
	}
	td.mu.Lock()
	defer td.mu.Unlock()
	switch {
	case !td.has(from):
		return notFound("customer", from)
	case !td.has(to):
		return notFound("customer", to)
	}
	td.moveRelated(t, from, to)
	return nil
}

// EraseInteractions blanks the texts of the customer's interactions; see
// customer.Store. It returns how many interactions had text to blank. A
// missing customer returns crm.ErrNotFound.
func (cs *customerStore) EraseInteractions(ctx context.Context, tenant crm.TenantID, customerID crm.ID) (int, error) {
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return 0, fmt.Errorf("memory: erase interactions of %s: %w", customerID, err)
	}
	defer s.close(t, td)
	if td == nil {
		return 0, notFound("customer", customerID)
	}
	td.mu.Lock()
	defer td.mu.Unlock()
	if !td.has(customerID) {
		return 0, notFound("customer", customerID)
	}
	n := 0
	for _, old := range slices.Clone(td.intByCustomer[customerID]) {
		if old.Summary == "" && old.Outcome == "" && old.NextStep == "" {
			continue
		}
		next := old
		next.Summary, next.Outcome, next.NextStep = "", "", ""
		td.putInteraction(&old, &next)
		if t != nil {
			t.record(func() { td.locked(func() { td.putInteraction(&next, &old) }) })
		}
		n++
	}
	return n, nil
}
