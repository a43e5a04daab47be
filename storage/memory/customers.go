package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// customerStore implements customer.Store on a Store's tenants.
type customerStore struct{ s *Store }

var _ customer.Store = (*customerStore)(nil)

// customers is the fixture of the customer table: snapshots with their
// index keys, indexed by owner, e-mail address and phone number. A
// customer's history is stored with each change.
var customers = &aggregate[*stored, *customer.Customer, []customer.HistoryEntry]{
	what:  "customer",
	table: func(td *tenantData) *table[*stored] { return &td.customers },
	id:    func(st *stored) crm.ID { return st.c.ID() },
	index: (*tenantData).indexCustomer,
	edit:  func(cur *stored) *customer.Customer { return cur.c.Clone() },
	next: func(op string, cur *stored, work *customer.Customer) (*stored, []customer.HistoryEntry, error) {
		if work.ID() != cur.c.ID() || work.Tenant() != cur.c.Tenant() {
			return nil, nil, crm.Invalid(op, "id", "fn must not change the customer's ID or tenant")
		}
		keepLastContact(work, cur)
		clone := work.Clone()
		pending := customerHooks.Pending(clone)
		customerHooks.Saved(clone, cur.c.Version()+1)
		next := newStored(clone)
		return &next, pending, nil
	},
	extra: (*tenantData).appendHistory,
	saved: func(work *customer.Customer, next *stored) { customerHooks.Saved(work, next.c.Version()) },
	share: func(st *stored, tenant crm.TenantID) {
		customerHooks.ShareTenant(st.c, tenant)
		customerHooks.ShareTenant(&st.h, tenant)
	},
}

// Create stores a new customer; see customer.Store.
func (cs *customerStore) Create(ctx context.Context, c *customer.Customer) error {
	const op = "memory.Customers.Create"
	if c == nil {
		return fmt.Errorf("memory: create customer: %w", crm.Invalid(op, "customer", "must not be nil"))
	}
	if c.Version() != 0 {
		return fmt.Errorf("memory: create customer %s: %w", c.ID(), crm.Invalid(op, "version", "must be 0 for a new customer"))
	}
	clone := c.Clone()
	pending := customerHooks.Pending(clone)
	customerHooks.Saved(clone, 1)
	snap := newStored(clone)
	if err := customers.create(cs.s, ctx, c.Tenant(), &snap, true, nil, pending); err != nil {
		return err
	}
	customerHooks.Saved(c, 1)
	return nil
}

// Get returns a copy of the customer; see customer.Store.
func (cs *customerStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*customer.Customer, error) {
	st, err := customers.get(cs.s, ctx, "memory.Customers.Get", tenant, id)
	if err != nil {
		return nil, err
	}
	return st.h.Clone(), nil // snapshots are immutable: copy outside the lock
}

// Update runs fn on a copy of the latest state and stores the result; see
// customer.Store. Updates of one customer are serialised by its lock stripe;
// fn runs without the tenant's lock held, so it must not call the store.
func (cs *customerStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*customer.Customer) error) (*customer.Customer, error) {
	return customers.update(cs.s, ctx, "memory.Customers.Update", tenant, id, fn)
}

// Save stores c if its version is the stored one; see customer.Store.
func (cs *customerStore) Save(ctx context.Context, c *customer.Customer) error {
	const op = "memory.Customers.Save"
	if c == nil {
		return fmt.Errorf("memory: save customer: %w", crm.Invalid(op, "customer", "must not be nil"))
	}
	id := c.ID()
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
	pending := customerHooks.Pending(clone)
	customerHooks.Saved(clone, c.Version()+1) // the only version it can be stored at
	next := newStored(clone)

	lock := s.stripeFor(id)
	if err := lock.lock(ctx); err != nil {
		return fmt.Errorf("memory: save customer %s: %w", id, err)
	}
	defer lock.unlock()
	td.mu.Lock()
	cur, ok := td.customers.rows[id]
	if !ok {
		td.mu.Unlock()
		return notFound("customer", id)
	}
	if cur.c.Version() != c.Version() {
		td.mu.Unlock()
		return fmt.Errorf("memory: save customer %s: version %d is stale (stored %d): %w", id, c.Version(), cur.c.Version(), crm.ErrConflict)
	}
	if cur.c.LastContact().After(next.c.LastContact()) {
		// An interaction added since c was read: keep its last contact.
		work := next.c.Clone()
		keepLastContact(work, cur)
		next = newStored(work.Clone())
	}
	version := cur.c.Version() + 1
	customers.swap(td, t, cur, &next)
	td.appendHistory(t, id, pending)
	td.mu.Unlock()
	customerHooks.Saved(c, version)
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

var _ customer.Scanner = (*Store)(nil)

// ScanCustomers calls yield with every customer of tenant matching any of
// qs; see customer.Scanner, the capability
// customer.Service.OverdueForContact looks for.
func (s *Store) ScanCustomers(ctx context.Context, tenant crm.TenantID, qs []customer.Query, yield func(*customer.Customer) bool) error {
	return (&customerStore{s: s}).ScanCustomers(ctx, tenant, qs, yield)
}

// ScanCustomers is Store.ScanCustomers. It walks the owners' indexes (only
// the owners the queries name, when each names one), whose entries carry
// the customers' handles in contiguous memory, so that no customer is
// looked up in the map nor cloned. yield gets a copy of the snapshot's
// handle, one handle reused for the whole scan (one allocation), which
// shares the snapshot's state copy-on-write: a yield that breaks the
// contract and changes it changes its copy, never the store. It runs with
// the tenant's read lock held (writers of the tenant wait until the scan
// ends; yield must not call the store). The context is checked every
// scanCheckEvery customers.
func (cs *customerStore) ScanCustomers(ctx context.Context, tenant crm.TenantID, qs []customer.Query, yield func(*customer.Customer) bool) error {
	const op = "memory.Customers.ScanCustomers"
	s := cs.s
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(len(qs) <= customer.MaxScanQueries, "queries", fmt.Sprintf("at most %d queries", customer.MaxScanQueries))
	v.Check(yield != nil, "yield", "must not be nil")
	if len(qs) <= customer.MaxScanQueries {
		for i := range qs {
			v.Merge(fmt.Sprintf("queries[%d]", i), qs[i].Validate())
		}
	}
	if err := v.Err(op); err != nil {
		return fmt.Errorf("memory: scan customers: %w", err)
	}
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return fmt.Errorf("memory: scan customers: %w", err)
	}
	defer s.close(t, td)
	if td == nil || len(qs) == 0 {
		return nil
	}
	tombstones := false // whether any query lists tombstones
	every := false      // whether any query names no owner
	var owners []crm.UserID
	for i := range qs {
		tombstones = tombstones || qs[i].IncludeTombstones
		switch {
		case qs[i].Owner == "":
			every = true
		case !slices.Contains(owners, qs[i].Owner):
			owners = append(owners, qs[i].Owner)
		}
	}
	lent := new(customer.Customer)
	td.mu.RLock()
	defer td.mu.RUnlock()
	n := 0
	scan := func(refs []ownerRef) error {
	next:
		for i := range refs {
			if n++; n%scanCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("memory: scan customers: %w", err)
				}
			}
			r := &refs[i]
			if r.tombstone && !tombstones {
				continue
			}
			for j := range qs {
				if qs[j].Matches(&r.h) {
					*lent = r.h // shares the state, which stays the snapshot's
					if !yield(lent) {
						return errStopScan
					}
					continue next
				}
			}
		}
		return nil
	}
	if !every {
		for _, o := range owners {
			if err = scan(td.byOwner[o]); err != nil {
				break
			}
		}
	} else {
		for _, refs := range td.byOwner {
			if err = scan(refs); err != nil {
				break
			}
		}
	}
	if errors.Is(err, errStopScan) {
		return nil
	}
	return err
}

// scanCheckEvery is how many customers ScanCustomers examines between two
// checks of its context.
const scanCheckEvery = 1 << 14

// errStopScan ends a scan whose yield returned false.
var errStopScan = errors.New("memory: scan stopped")

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
	idx := td.customers.ids
	start := 0
	if after {
		i, ok := slices.BinarySearchFunc(idx, cursor, crm.ID.Compare)
		if ok {
			i++
		}
		start = i
	}
	cutoff := q.ContactedBefore
	for _, id := range idx[start:] {
		st := td.customers.rows[id]
		if plain && st.tombstone || !cutoff.IsZero() && !st.lastContact.Before(cutoff) || !plain && !q.Matches(&st.h) {
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
		if st, ok := td.customers.rows[id]; ok && !st.tombstone {
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

// stored is a customer snapshot with the keys it is indexed under, computed
// before the tenant's lock is taken so that nothing is allocated under it.
//
// The customers map holds pointers to stored values, which are never
// changed once stored, so that a map slot is small (a lookup touches less
// memory on a large store). h is a copy of the snapshot's handle kept
// beside the keys, so that reads clone it without following c (one cache
// miss less). It shares the snapshot's state copy-on-write.
type stored struct {
	c         *customer.Customer // the snapshot; its identity marks this version
	h         customer.Customer  // a copy of *c, cloned by readers
	emails    []string           // Email.Normalized of each address
	phones    []string           // Phone.Normalized of each number
	tombstone bool               // c.IsTombstone()
	// lastContact is c.LastContact(), read by the ContactedBefore filter
	// without reaching into the customer's state.
	lastContact time.Time
}

// newStored wraps a snapshot the store owns. c must come from Clone (which
// marks it as sharing its state), so that h, its copy, shares the state
// copy-on-write and cloning h writes nothing.
func newStored(c *customer.Customer) stored {
	st := stored{c: c, h: *c, tombstone: c.IsTombstone(), lastContact: c.LastContact()}
	for _, e := range c.Emails() {
		if k := e.Normalized(); k != "" {
			st.emails = append(st.emails, k)
		}
	}
	for _, p := range c.Phones() {
		if k := p.Normalized(); k != "" {
			st.phones = append(st.phones, k)
		}
	}
	return st
}

// indexCustomer keeps the customer indexes in step when old (nil: none)
// is replaced by new (nil: removed). Both must have the same ID.
func (td *tenantData) indexCustomer(old, new *stored) {
	var id crm.ID
	switch {
	case new != nil:
		id = new.c.ID()
	case old != nil:
		id = old.c.ID()
	default:
		return
	}
	if old != nil && (new == nil || old.c.Owner() != new.c.Owner()) {
		td.removeOwnerRef(old.c.Owner(), id)
	}
	if new != nil {
		td.putOwnerRef(new.c.Owner(), ownerRef{id: id, tombstone: new.tombstone, h: new.h})
	}
	var oldEmails, oldPhones, newEmails, newPhones []string
	if old != nil {
		oldEmails, oldPhones = old.emails, old.phones
	}
	if new != nil {
		newEmails, newPhones = new.emails, new.phones
	}
	if !slices.Equal(oldEmails, newEmails) {
		for _, k := range oldEmails {
			removeKey(td.byEmail, k, id)
		}
		for _, k := range newEmails {
			addKey(td.byEmail, k, id)
		}
	}
	if !slices.Equal(oldPhones, newPhones) {
		for _, k := range oldPhones {
			removeKey(td.byPhone, k, id)
		}
		for _, k := range newPhones {
			addKey(td.byPhone, k, id)
		}
	}
}

// ownerRef is an entry of an owner's index: the customer's ID and a copy
// of its snapshot's handle, so that listing an owner's customers reads the
// index alone, in order, instead of looking each customer up in the map
// (a cache miss per customer on a large store).
type ownerRef struct {
	id        crm.ID
	tombstone bool
	h         customer.Customer // shares the snapshot's state copy-on-write
}

func compareOwnerRef(r ownerRef, id crm.ID) int { return r.id.Compare(id) }

// putOwnerRef inserts r into owner's index, or replaces the entry of r.id.
func (td *tenantData) putOwnerRef(owner crm.UserID, r ownerRef) {
	refs := td.byOwner[owner]
	if n := len(refs); n == 0 || refs[n-1].id.Compare(r.id) < 0 {
		td.byOwner[owner] = append(refs, r) // UUIDv7: new IDs usually go last
		return
	}
	i, found := slices.BinarySearchFunc(refs, r.id, compareOwnerRef)
	if found {
		refs[i] = r
		return
	}
	td.byOwner[owner] = slices.Insert(refs, i, r)
}

// removeOwnerRef removes the entry of id from owner's index.
func (td *tenantData) removeOwnerRef(owner crm.UserID, id crm.ID) {
	refs := td.byOwner[owner]
	i, found := slices.BinarySearchFunc(refs, id, compareOwnerRef)
	if !found {
		return
	}
	refs = slices.Delete(refs, i, i+1)
	if len(refs) == 0 {
		delete(td.byOwner, owner)
		return
	}
	td.byOwner[owner] = refs
}

// keepLastContact moves work's last contact forward to the stored one of
// cur: Save and Update never move LastContact backwards (customer.Store).
func keepLastContact(work *customer.Customer, cur *stored) {
	work.NoteContact(cur.c.LastContact())
}

// noteContact moves the stored last contact of customer id forward to at,
// keeping its version, and records the undo in t. The caller holds td.mu
// for writing and has checked that the customer exists.
func (td *tenantData) noteContact(t *tx, id crm.ID, at time.Time) {
	cur := td.customers.rows[id]
	if !at.After(cur.c.LastContact()) {
		return
	}
	work := cur.c.Clone()
	work.NoteContact(at)
	next := newStored(work.Clone())
	customers.swap(td, t, cur, &next)
}
