package memory

import (
	"slices"
	"sync"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// tenantData holds one tenant's records and the indexes derived from them.
// Stored customers are private snapshots that are never changed in place:
// a change replaces the pointer, so a snapshot read under the lock may be
// copied after the lock is released.
//
// Every change goes through a put method, which keeps the indexes in step
// with the records; the inverse of put(old, new) is put(new, old), which is
// what the undo log of a transaction replays.
type tenantData struct {
	gate gate         // see lock.go
	mu   sync.RWMutex // guards the records and indexes; held only briefly

	customers map[crm.ID]*stored
	ids       []crm.ID                  // every customer, ascending
	byOwner   map[crm.UserID][]ownerRef // ascending by ID, per owner
	byEmail   map[string][]crm.ID       // Email.Normalized -> ascending IDs
	byPhone   map[string][]crm.ID       // Phone.Normalized -> ascending IDs

	history map[crm.ID][]customer.HistoryEntry // per customer, CompareHistory order

	interactions  map[crm.ID]customer.Interaction   // by interaction ID
	intByCustomer map[crm.ID][]customer.Interaction // per customer, CompareInteractions order

	visits          map[crm.ID]customer.Visit // by visit ID
	visitAll        []visitRef                // every visit, CompareVisits order
	visitBySales    map[crm.UserID][]visitRef
	visitByCustomer map[crm.ID][]visitRef

	complaints    map[crm.ID]*complaint.Complaint   // immutable snapshots, by ID
	cmpIDs        []crm.ID                          // every complaint, ascending
	cmpByCustomer map[crm.ID][]crm.ID               // ascending, per customer
	cmpByOwner    map[crm.UserID][]crm.ID           // ascending, per owner
	cmpByGroup    map[crm.ID][]crm.ID               // ascending, per group (none for the zero group)
	audit         map[crm.ID][]complaint.AuditEntry // per complaint, ascending Seq

	risks      map[crm.ID]storedRisk // by ID
	riskIDs    []crm.ID              // every risk, ascending
	activeRisk map[string]crm.ID     // hotspot key -> the active risk raised from it

	outbox outbox // see outbox.go
}

// visitRef is a visit's sort key.
type visitRef struct {
	at time.Time
	id crm.ID
}

func compareVisitRef(a, b visitRef) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return a.id.Compare(b.id)
}

func newTenantData() *tenantData {
	return &tenantData{
		gate:            newGate(),
		customers:       make(map[crm.ID]*stored),
		byOwner:         make(map[crm.UserID][]ownerRef),
		byEmail:         make(map[string][]crm.ID),
		byPhone:         make(map[string][]crm.ID),
		history:         make(map[crm.ID][]customer.HistoryEntry),
		interactions:    make(map[crm.ID]customer.Interaction),
		intByCustomer:   make(map[crm.ID][]customer.Interaction),
		visits:          make(map[crm.ID]customer.Visit),
		visitBySales:    make(map[crm.UserID][]visitRef),
		visitByCustomer: make(map[crm.ID][]visitRef),
		complaints:      make(map[crm.ID]*complaint.Complaint),
		cmpByCustomer:   make(map[crm.ID][]crm.ID),
		cmpByOwner:      make(map[crm.UserID][]crm.ID),
		cmpByGroup:      make(map[crm.ID][]crm.ID),
		audit:           make(map[crm.ID][]complaint.AuditEntry),
		risks:           make(map[crm.ID]storedRisk),
		activeRisk:      make(map[string]crm.ID),
	}
}

// ---------------------------------------------------------------------------
// Sorted ID sets.

func insertID(s []crm.ID, id crm.ID) []crm.ID {
	// IDs are UUIDv7, so new ones usually go at the end.
	if n := len(s); n == 0 || s[n-1].Compare(id) < 0 {
		return append(s, id)
	}
	i, found := slices.BinarySearchFunc(s, id, crm.ID.Compare)
	if found {
		return s
	}
	return slices.Insert(s, i, id)
}

func removeID(s []crm.ID, id crm.ID) []crm.ID {
	i, found := slices.BinarySearchFunc(s, id, crm.ID.Compare)
	if !found {
		return s
	}
	return slices.Delete(s, i, i+1)
}

func addKey[K comparable](m map[K][]crm.ID, k K, id crm.ID) { m[k] = insertID(m[k], id) }

func removeKey[K comparable](m map[K][]crm.ID, k K, id crm.ID) {
	s := removeID(m[k], id)
	if len(s) == 0 {
		delete(m, k)
		return
	}
	m[k] = s
}

// ---------------------------------------------------------------------------
// Customers.

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
}

// newStored wraps a snapshot the store owns. c must come from Clone (which
// marks it as sharing its state), so that h, its copy, shares the state
// copy-on-write and cloning h writes nothing.
func newStored(c *customer.Customer) stored {
	st := stored{c: c, h: *c, tombstone: c.IsTombstone()}
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

// has reports whether the customer exists.
func (td *tenantData) has(id crm.ID) bool {
	_, ok := td.customers[id]
	return ok
}

// putCustomer replaces the stored snapshot old (nil: none) by new (nil:
// delete), keeping the indexes in step. Both must have the same ID.
func (td *tenantData) putCustomer(old, new *stored) {
	var id crm.ID
	switch {
	case new != nil:
		id = new.c.ID()
		td.customers[id] = new
	case old != nil:
		id = old.c.ID()
		delete(td.customers, id)
	default:
		return
	}
	switch {
	case old == nil:
		td.ids = insertID(td.ids, id)
	case new == nil:
		td.ids = removeID(td.ids, id)
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

// ---------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------
// Visits.

func insertRef(s []visitRef, r visitRef) []visitRef {
	i, found := slices.BinarySearchFunc(s, r, compareVisitRef)
	if found {
		return s
	}
	return slices.Insert(s, i, r)
}

func removeRef(s []visitRef, r visitRef) []visitRef {
	i, found := slices.BinarySearchFunc(s, r, compareVisitRef)
	if !found {
		return s
	}
	return slices.Delete(s, i, i+1)
}

func addRef[K comparable](m map[K][]visitRef, k K, r visitRef) { m[k] = insertRef(m[k], r) }

func removeRefKey[K comparable](m map[K][]visitRef, k K, r visitRef) {
	s := removeRef(m[k], r)
	if len(s) == 0 {
		delete(m, k)
		return
	}
	m[k] = s
}

// putVisit replaces the visit old (nil: none) by new (nil: remove); both
// must have the same ID.
func (td *tenantData) putVisit(old, new *customer.Visit) {
	if old != nil {
		r := visitRef{old.PlannedAt, old.ID}
		td.visitAll = removeRef(td.visitAll, r)
		removeRefKey(td.visitBySales, old.Salesperson, r)
		removeRefKey(td.visitByCustomer, old.CustomerID, r)
		delete(td.visits, old.ID)
	}
	if new != nil {
		r := visitRef{new.PlannedAt, new.ID}
		td.visitAll = insertRef(td.visitAll, r)
		addRef(td.visitBySales, new.Salesperson, r)
		addRef(td.visitByCustomer, new.CustomerID, r)
		td.visits[new.ID] = *new
	}
}

// ---------------------------------------------------------------------------
// Complaints.

// putComplaint replaces the stored snapshot old (nil: none) by new (nil:
// delete), keeping the complaint indexes in step. Both must have the same
// ID. Snapshots are never changed once stored.
func (td *tenantData) putComplaint(old, new *complaint.Complaint) {
	var id crm.ID
	switch {
	case new != nil:
		id = new.ID()
		td.complaints[id] = new
	case old != nil:
		id = old.ID()
		delete(td.complaints, id)
	default:
		return
	}
	switch {
	case old == nil:
		td.cmpIDs = insertID(td.cmpIDs, id)
	case new == nil:
		td.cmpIDs = removeID(td.cmpIDs, id)
	}
	both := old != nil && new != nil
	if !both || old.Customer() != new.Customer() {
		if old != nil {
			removeKey(td.cmpByCustomer, old.Customer(), id)
		}
		if new != nil {
			addKey(td.cmpByCustomer, new.Customer(), id)
		}
	}
	if !both || old.Owner() != new.Owner() {
		if old != nil {
			removeKey(td.cmpByOwner, old.Owner(), id)
		}
		if new != nil {
			addKey(td.cmpByOwner, new.Owner(), id)
		}
	}
	if !both || old.Group() != new.Group() {
		if old != nil && !old.Group().IsZero() {
			removeKey(td.cmpByGroup, old.Group(), id)
		}
		if new != nil && !new.Group().IsZero() {
			addKey(td.cmpByGroup, new.Group(), id)
		}
	}
}

// appendAudit appends entries to the audit trail of complaint id,
// recording their removal in t's undo log. The caller holds td.mu.
func (td *tenantData) appendAudit(t *tx, id crm.ID, entries []complaint.AuditEntry) {
	if len(entries) == 0 {
		return
	}
	n := len(td.audit[id])
	td.audit[id] = append(td.audit[id], entries...)
	if t != nil {
		t.record(func() { td.locked(func() { td.truncateAudit(id, n) }) })
	}
}

// truncateAudit cuts the audit trail of complaint id back to its first n
// entries, the inverse of appendAudit. The caller holds td.mu.
func (td *tenantData) truncateAudit(id crm.ID, n int) {
	a := td.audit[id]
	if n >= len(a) {
		return
	}
	if n == 0 {
		delete(td.audit, id)
		return
	}
	clear(a[n:]) // drop references held by the removed entries
	td.audit[id] = a[:n]
}

// ---------------------------------------------------------------------------
// Risks.

// storedRisk is an immutable risk snapshot with its hotspot key, computed
// before the tenant's lock is taken.
type storedRisk struct {
	r   *complaint.Risk
	key string
}

func newStoredRisk(r *complaint.Risk) storedRisk { return storedRisk{r: r, key: r.Key()} }

// putRisk replaces the stored risk old (nil: none) by new (nil: delete),
// keeping the ID list and the active-key index in step. Both must have the
// same ID. The caller checks the one-active-risk-per-key rule first.
func (td *tenantData) putRisk(old, new *storedRisk) {
	var id crm.ID
	switch {
	case new != nil:
		id = new.r.ID()
		td.risks[id] = *new
	case old != nil:
		id = old.r.ID()
		delete(td.risks, id)
	default:
		return
	}
	switch {
	case old == nil:
		td.riskIDs = insertID(td.riskIDs, id)
	case new == nil:
		td.riskIDs = removeID(td.riskIDs, id)
	}
	if old != nil && old.r.Active() && td.activeRisk[old.key] == id {
		delete(td.activeRisk, old.key)
	}
	if new != nil && new.r.Active() {
		td.activeRisk[new.key] = id
	}
}

// activeConflict reports whether storing r would give its hotspot key a
// second active risk. The caller holds td.mu.
func (td *tenantData) activeConflict(r storedRisk) bool {
	if !r.r.Active() {
		return false
	}
	other, ok := td.activeRisk[r.key]
	return ok && other != r.r.ID()
}
