package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// customerStore implements customer.Store on a Store's tenants.
type customerStore struct{ s *Store }

var _ customer.Store = (*customerStore)(nil)

// missingTenant explains why a tenant has no shard: an invalid tenant is
// refused (shards exist only for valid tenants, so hot paths validate the
// tenant only when its shard is missing); a valid one simply has no records.
func missingTenant(op string, tenant crm.TenantID) error {
	var v crm.Validator
	v.Merge("", tenant.Validate())
	return v.Err(op)
}

func notFound(what string, id crm.ID) error {
	return fmt.Errorf("memory: %s %s: %w", what, id, crm.ErrNotFound)
}

// Create stores a new customer; see customer.Store.
func (cs *customerStore) Create(ctx context.Context, c *customer.Customer) error {
	const op = "memory.Customers.Create"
	if c == nil {
		return fmt.Errorf("memory: create customer: %w", crm.Invalid(op, "customer", "must not be nil"))
	}
	if err := customer.CheckRef(op, c.Tenant(), c.ID(), "id"); err != nil {
		return fmt.Errorf("memory: create customer: %w", err)
	}
	if c.Version() != 0 {
		return fmt.Errorf("memory: create customer %s: %w", c.ID(), crm.Invalid(op, "version", "must be 0 for a new customer"))
	}
	s := cs.s
	t, td, err := s.open(ctx, c.Tenant(), true)
	if err != nil {
		return fmt.Errorf("memory: create customer %s: %w", c.ID(), err)
	}
	defer s.close(t, td)
	clone := c.Clone()
	pending := clone.PendingHistory()
	clone.Saved(1)
	snap := newStored(clone)

	td.mu.Lock()
	if td.has(c.ID()) {
		td.mu.Unlock()
		return fmt.Errorf("memory: create customer %s: %w", c.ID(), crm.ErrDuplicate)
	}
	td.putCustomer(nil, &snap)
	if t != nil {
		t.record(func() { td.locked(func() { td.putCustomer(&snap, nil) }) })
	}
	td.appendHistory(t, c.ID(), pending)
	td.mu.Unlock()
	c.Saved(1)
	return nil
}

// locked runs f with the tenant's write lock held.
func (td *tenantData) locked(f func()) {
	td.mu.Lock()
	defer td.mu.Unlock()
	f()
}

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

// Get returns a copy of the customer; see customer.Store.
func (cs *customerStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*customer.Customer, error) {
	const op = "memory.Customers.Get"
	if id.IsZero() {
		return nil, fmt.Errorf("memory: get customer: %w", crm.Invalid(op, "id", "must not be zero"))
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return nil, fmt.Errorf("memory: get customer %s: %w", id, err)
	}
	defer s.close(t, td)
	if td == nil {
		if err := missingTenant(op, tenant); err != nil {
			return nil, fmt.Errorf("memory: get customer: %w", err)
		}
		return nil, notFound("customer", id)
	}
	td.mu.RLock()
	st, ok := td.customers[id]
	td.mu.RUnlock()
	if !ok {
		return nil, notFound("customer", id)
	}
	return st.h.Clone(), nil // snapshots are immutable: copy outside the lock
}

// Update runs fn on a copy of the latest state and stores the result; see
// customer.Store. Updates of one customer are serialised by its lock stripe;
// fn runs without the tenant's lock held, so it must not call the store.
func (cs *customerStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*customer.Customer) error) (*customer.Customer, error) {
	const op = "memory.Customers.Update"
	var v crm.Validator
	v.Check(!id.IsZero(), "id", "must not be zero")
	v.Check(fn != nil, "fn", "must not be nil")
	if err := v.Err(op); err != nil {
		return nil, fmt.Errorf("memory: update customer: %w", err)
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return nil, fmt.Errorf("memory: update customer %s: %w", id, err)
	}
	defer s.close(t, td)
	if td == nil {
		if err := missingTenant(op, tenant); err != nil {
			return nil, fmt.Errorf("memory: update customer: %w", err)
		}
		return nil, notFound("customer", id)
	}
	lock := s.stripeFor(id)
	if err := lock.lock(ctx); err != nil {
		return nil, fmt.Errorf("memory: update customer %s: %w", id, err)
	}
	defer lock.unlock()
	for {
		td.mu.RLock()
		cur, ok := td.customers[id]
		td.mu.RUnlock()
		if !ok {
			return nil, notFound("customer", id)
		}
		work := cur.c.Clone()
		if err := fn(work); err != nil {
			return nil, err
		}
		if work.ID() != id || work.Tenant() != tenant {
			return nil, fmt.Errorf("memory: update customer %s: %w", id, crm.Invalid(op, "id", "fn must not change the customer's ID or tenant"))
		}
		clone := work.Clone()
		pending := clone.PendingHistory()
		version := cur.c.Version() + 1
		clone.Saved(version)
		next := newStored(clone)

		td.mu.Lock()
		if now, ok := td.customers[id]; !ok || now.c != cur.c {
			// Changed by a writer that does not take the stripe (the undo
			// of a transaction): run fn again on the new state.
			td.mu.Unlock()
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("memory: update customer %s: %w", id, err)
			}
			continue
		}
		td.putCustomer(cur, &next)
		if t != nil {
			t.record(func() { td.locked(func() { td.putCustomer(&next, cur) }) })
		}
		td.appendHistory(t, id, pending)
		td.mu.Unlock()
		work.Saved(version)
		return work, nil
	}
}

// Save stores c if its version is the stored one; see customer.Store.
func (cs *customerStore) Save(ctx context.Context, c *customer.Customer) error {
	const op = "memory.Customers.Save"
	if c == nil {
		return fmt.Errorf("memory: save customer: %w", crm.Invalid(op, "customer", "must not be nil"))
	}
	id := c.ID()
	if err := customer.CheckRef(op, c.Tenant(), id, "id"); err != nil {
		return fmt.Errorf("memory: save customer: %w", err)
	}
	s := cs.s
	t, td, err := s.open(ctx, c.Tenant(), false)
	if err != nil {
		return fmt.Errorf("memory: save customer %s: %w", id, err)
	}
	defer s.close(t, td)
	if td == nil {
		return notFound("customer", id)
	}
	clone := c.Clone()
	pending := clone.PendingHistory()
	clone.Saved(c.Version() + 1) // the only version it can be stored at
	next := newStored(clone)

	lock := s.stripeFor(id)
	if err := lock.lock(ctx); err != nil {
		return fmt.Errorf("memory: save customer %s: %w", id, err)
	}
	defer lock.unlock()
	td.mu.Lock()
	cur, ok := td.customers[id]
	if !ok {
		td.mu.Unlock()
		return notFound("customer", id)
	}
	if cur.c.Version() != c.Version() {
		td.mu.Unlock()
		return fmt.Errorf("memory: save customer %s: version %d is stale (stored %d): %w", id, c.Version(), cur.c.Version(), crm.ErrConflict)
	}
	version := cur.c.Version() + 1
	td.putCustomer(cur, &next)
	if t != nil {
		t.record(func() { td.locked(func() { td.putCustomer(&next, cur) }) })
	}
	td.appendHistory(t, id, pending)
	td.mu.Unlock()
	c.Saved(version)
	return nil
}

// List returns a page of customers matching q in ascending ID order; see
// customer.Store. With q.Owner set it walks that owner's index only.
func (cs *customerStore) List(ctx context.Context, tenant crm.TenantID, q customer.Query, page crm.PageRequest) (crm.Page[*customer.Customer], error) {
	const op = "memory.Customers.List"
	var out crm.Page[*customer.Customer]
	s := cs.s
	var v crm.Validator
	if s.tenant(tenant, false) == nil { // a shard exists only for a valid tenant
		v.Merge("", tenant.Validate())
	}
	v.Merge("query", q.Validate())
	page, perr := page.Normalize()
	v.Merge("page", perr)
	cur, after, cerr := decodeCursor(op, kindCustomers, page.Cursor)
	v.Merge("page", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("memory: list customers: %w", err)
	}
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return out, fmt.Errorf("memory: list customers: %w", err)
	}
	defer s.close(t, td)
	if td == nil {
		return out, nil
	}
	// With no filter but the owner, the index answers every filter but the
	// tombstone one, which the entry caches: the customer is not read.
	plain := q == customer.Query{Owner: q.Owner}
	found := make([]*customer.Customer, 0, min(page.Limit+1, 64))
	td.mu.RLock()
	if q.Owner != "" {
		found = listOwner(td.byOwner[q.Owner], q, plain, cur.id, after, page.Limit, found)
	} else {
		found = td.listAll(q, plain, cur.id, after, page.Limit, found)
	}
	td.mu.RUnlock()
	if len(found) > page.Limit {
		found = found[:page.Limit]
		out.Next = cursor{kind: kindCustomers, id: found[len(found)-1].ID()}.encode()
	}
	out.Items = found
	return out, nil
}

// listOwner appends to found the customers of an owner's index matching
// q, from the one after cursor (when after is set), up to limit+1 of them.
// The caller holds the tenant's read lock.
func listOwner(refs []ownerRef, q customer.Query, plain bool, cursor crm.ID, after bool, limit int, found []*customer.Customer) []*customer.Customer {
	start := 0
	if after {
		i, ok := slices.BinarySearchFunc(refs, cursor, compareOwnerRef)
		if ok {
			i++
		}
		start = i
	}
	for i := start; i < len(refs); i++ {
		r := &refs[i]
		if plain && r.tombstone || !plain && !q.Matches(&r.h) {
			continue
		}
		found = append(found, r.h.Clone()) // writes nothing shared
		if len(found) > limit {
			break
		}
	}
	return found
}

// listAll is listOwner over every customer of the tenant. The caller holds
// the tenant's read lock.
func (td *tenantData) listAll(q customer.Query, plain bool, cursor crm.ID, after bool, limit int, found []*customer.Customer) []*customer.Customer {
	idx := td.ids
	start := 0
	if after {
		i, ok := slices.BinarySearchFunc(idx, cursor, crm.ID.Compare)
		if ok {
			i++
		}
		start = i
	}
	for _, id := range idx[start:] {
		st := td.customers[id]
		if plain && st.tombstone || !plain && !q.Matches(&st.h) {
			continue
		}
		found = append(found, st.h.Clone()) // writes nothing shared
		if len(found) > limit {
			break
		}
	}
	return found
}

// FindByContact returns the customers having any of the normalised e-mail
// addresses or phone numbers, in ascending ID order; see customer.Store.
// limit 0 means crm.DefaultPageLimit; limits above crm.MaxPageLimit are
// reduced to it; a negative limit is invalid. At most MaxContactKeys keys
// (emails and phones together) are accepted, as in every store; repeated
// keys count once. The cost grows with the distinct keys and the customers
// examined, not with the repetitions: the keys' ID lists (each ascending)
// are merged, and the merge stops at limit customers.
func (cs *customerStore) FindByContact(ctx context.Context, tenant crm.TenantID, emails, phones []string, limit int) ([]*customer.Customer, error) {
	const op = "memory.Customers.FindByContact"
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(limit >= 0, "limit", "must not be negative")
	v.Check(len(emails)+len(phones) <= MaxContactKeys, "emails", "too many keys")
	if err := v.Err(op); err != nil {
		return nil, fmt.Errorf("memory: find by contact: %w", err)
	}
	switch {
	case limit == 0:
		limit = crm.DefaultPageLimit
	case limit > crm.MaxPageLimit:
		limit = crm.MaxPageLimit
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return nil, fmt.Errorf("memory: find by contact: %w", err)
	}
	defer s.close(t, td)
	if td == nil {
		return []*customer.Customer{}, nil
	}
	td.mu.RLock()
	lists := make(idLists, 0, min(len(emails)+len(phones), 64))
	lists = td.contactLists(lists, td.byEmail, emails)
	lists = td.contactLists(lists, td.byPhone, phones)
	found := make([]*customer.Customer, 0, min(limit, 64))
	lists.merge(func(id crm.ID) bool {
		if st, ok := td.customers[id]; ok && !st.tombstone {
			found = append(found, st.c)
		}
		return len(found) < limit
	})
	td.mu.RUnlock()
	for i, c := range found {
		found[i] = c.Clone()
	}
	return found, nil
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

// CreateVisit stores a planned visit at version 1; see customer.Store.
func (cs *customerStore) CreateVisit(ctx context.Context, v customer.Visit) error {
	if err := v.Validate(); err != nil {
		return fmt.Errorf("memory: create visit: %w", err)
	}
	v.Version = 1
	s := cs.s
	t, td, err := s.open(ctx, v.Tenant, false)
	if err != nil {
		return fmt.Errorf("memory: create visit %s: %w", v.ID, err)
	}
	defer s.close(t, td)
	if td == nil {
		return notFound("customer", v.CustomerID)
	}
	td.mu.Lock()
	defer td.mu.Unlock()
	if !td.has(v.CustomerID) {
		return notFound("customer", v.CustomerID)
	}
	if _, dup := td.visits[v.ID]; dup {
		return fmt.Errorf("memory: create visit %s: %w", v.ID, crm.ErrDuplicate)
	}
	td.putVisit(nil, &v)
	if t != nil {
		t.record(func() { td.locked(func() { td.putVisit(&v, nil) }) })
	}
	return nil
}

// GetVisit returns a visit; see customer.Store.
func (cs *customerStore) GetVisit(ctx context.Context, tenant crm.TenantID, id crm.ID) (customer.Visit, error) {
	if err := customer.CheckRef("memory.Customers.GetVisit", tenant, id, "id"); err != nil {
		return customer.Visit{}, fmt.Errorf("memory: get visit: %w", err)
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return customer.Visit{}, fmt.Errorf("memory: get visit %s: %w", id, err)
	}
	defer s.close(t, td)
	if td == nil {
		return customer.Visit{}, notFound("visit", id)
	}
	td.mu.RLock()
	v, ok := td.visits[id]
	td.mu.RUnlock()
	if !ok {
		return customer.Visit{}, notFound("visit", id)
	}
	return v, nil
}

// UpdateVisit runs fn on the latest state of a visit and stores the result
// at the next version; see customer.Store. The result must still be a valid
// visit with the same ID, tenant and customer.
func (cs *customerStore) UpdateVisit(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*customer.Visit) error) (customer.Visit, error) {
	const op = "memory.Customers.UpdateVisit"
	if err := customer.CheckRef(op, tenant, id, "id"); err != nil {
		return customer.Visit{}, fmt.Errorf("memory: update visit: %w", err)
	}
	if fn == nil {
		return customer.Visit{}, fmt.Errorf("memory: update visit %s: %w", id, crm.Invalid(op, "fn", "must not be nil"))
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return customer.Visit{}, fmt.Errorf("memory: update visit %s: %w", id, err)
	}
	defer s.close(t, td)
	if td == nil {
		return customer.Visit{}, notFound("visit", id)
	}
	lock := s.stripeFor(id)
	if err := lock.lock(ctx); err != nil {
		return customer.Visit{}, fmt.Errorf("memory: update visit %s: %w", id, err)
	}
	defer lock.unlock()
	for {
		td.mu.RLock()
		cur, ok := td.visits[id]
		td.mu.RUnlock()
		if !ok {
			return customer.Visit{}, notFound("visit", id)
		}
		work := cur
		if err := fn(&work); err != nil {
			return customer.Visit{}, err
		}
		if err := customer.CheckVisitUpdate(op, cur, work); err != nil {
			return customer.Visit{}, fmt.Errorf("memory: update visit %s: %w", id, err)
		}
		work.Version = cur.Version + 1

		td.mu.Lock()
		if now, ok := td.visits[id]; !ok || now != cur {
			td.mu.Unlock()
			if err := ctx.Err(); err != nil {
				return customer.Visit{}, fmt.Errorf("memory: update visit %s: %w", id, err)
			}
			continue
		}
		next := work
		td.putVisit(&cur, &next)
		if t != nil {
			t.record(func() { td.locked(func() { td.putVisit(&next, &cur) }) })
		}
		td.mu.Unlock()
		return work, nil
	}
}

// ListVisits returns a page of visits matching q ordered by PlannedAt, then
// ID; see customer.Store. It walks the index of q.CustomerID or
// q.Salesperson when set, starting at q.From.
func (cs *customerStore) ListVisits(ctx context.Context, tenant crm.TenantID, q customer.VisitQuery, page crm.PageRequest) (crm.Page[customer.Visit], error) {
	const op = "memory.Customers.ListVisits"
	var out crm.Page[customer.Visit]
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", q.Validate())
	page, perr := page.Normalize()
	v.Merge("page", perr)
	cur, after, cerr := decodeCursor(op, kindVisits, page.Cursor)
	v.Merge("page", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("memory: list visits: %w", err)
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return out, fmt.Errorf("memory: list visits: %w", err)
	}
	defer s.close(t, td)
	out.Items = []customer.Visit{}
	if td == nil {
		return out, nil
	}
	td.mu.RLock()
	defer td.mu.RUnlock()
	idx := td.visitAll
	switch {
	case !q.CustomerID.IsZero():
		idx = td.visitByCustomer[q.CustomerID]
	case q.Salesperson != "":
		idx = td.visitBySales[q.Salesperson]
	}
	start := 0
	if !q.From.IsZero() {
		start, _ = slices.BinarySearchFunc(idx, visitRef{at: q.From}, compareVisitRef)
	}
	if after {
		i, found := slices.BinarySearchFunc(idx, visitRef{at: cur.at, id: cur.id}, compareVisitRef)
		if found {
			i++
		}
		start = max(start, i)
	}
	for _, r := range idx[start:] {
		if !q.To.IsZero() && !r.at.Before(q.To) {
			break
		}
		if vi := td.visits[r.id]; q.Matches(vi) {
			if len(out.Items) == page.Limit {
				last := out.Items[len(out.Items)-1]
				out.Next = cursor{kind: kindVisits, at: last.PlannedAt, id: last.ID}.encode()
				break
			}
			out.Items = append(out.Items, vi)
		}
	}
	return out, nil
}

// MoveRelated re-points the interactions, history entries and visits of
// customer from to customer to; see customer.Store. Moved visits get a new
// version. from and to must differ.
func (cs *customerStore) MoveRelated(ctx context.Context, tenant crm.TenantID, from, to crm.ID) error {
	const op = "memory.Customers.MoveRelated"
	if err := customer.CheckMove(op, tenant, from, to); err != nil {
		return fmt.Errorf("memory: move related: %w", err)
	}
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
	if err := customer.CheckRef("memory.Customers.EraseInteractions", tenant, customerID, "customer_id"); err != nil {
		return 0, fmt.Errorf("memory: erase interactions: %w", err)
	}
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
