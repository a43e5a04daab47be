package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/crmkit/crm"
)

// How an aggregate is stored, written once.
//
// Every aggregate (customers, visits, complaints, risks) keeps its records
// in a table of each tenant's shard and is described by one aggregate
// value, its fixture: where its table is, how to find a record's ID, which
// secondary indexes follow its records, and how an update closure's result
// becomes the next stored snapshot. The functions below do the rest, the
// same way for every aggregate: create (duplicate check, undo), get, the
// closure-update loop (load, copy, run fn, check, swap, undo, retry when an
// undo changed the record meanwhile) and paging over a sorted ID index.

// table is one aggregate's records in one tenant. Stored snapshots are
// never changed in place: a change replaces the value, so a snapshot read
// under the tenant's lock may be copied after the lock is released.
type table[R comparable] struct {
	rows map[crm.ID]R
	ids  []crm.ID // every record's ID, ascending (when the fixture keeps it)
}

func newTable[R comparable]() table[R] { return table[R]{rows: make(map[crm.ID]R)} }

// aggregate is the fixture of one aggregate: R is its stored snapshot, W
// the working copy an update closure receives, E what else a change stores
// with the record (history, audit entries; struct{} for nothing).
type aggregate[R comparable, W any, E any] struct {
	// what names the aggregate in errors ("customer").
	what string
	// table returns the aggregate's table in a shard.
	table func(td *tenantData) *table[R]
	// id returns a snapshot's ID.
	id func(R) crm.ID
	// noIDs leaves table.ids empty, for an aggregate that lists by
	// another order only.
	noIDs bool
	// index keeps the secondary indexes in step when old (the zero R:
	// none) is replaced by new (the zero R: removed); nil when there are
	// none.
	index func(td *tenantData, old, new R)
	// admit checks, under the tenant's lock, that new may be stored in
	// place of old (the zero R when created): a uniqueness rule, a parent
	// that must exist. nil admits everything.
	admit func(td *tenantData, old, new R) error

	// edit returns a working copy of the stored state for an update
	// closure.
	edit func(cur R) W
	// next checks the closure's result against cur and returns the next
	// snapshot (at cur's version + 1) and what else the change stores.
	next func(op string, cur R, work W) (R, E, error)
	// extra stores e, what goes with a change of the record id, recording
	// its undo in t; called under the tenant's lock; nil when E is empty.
	extra func(td *tenantData, t *tx, id crm.ID, e E)
	// saved marks the working copy stored as next (its version).
	saved func(work W, next R)
	// share, when set, makes a new snapshot, not yet published, point to
	// the shard's copy of the tenant's name (tenantData.name), so that a
	// Get's check of the tenant reads no memory of the record's own.
	share func(snap R, tenant crm.TenantID)
}

// put replaces old (the zero R: none) by new (the zero R: delete) in the
// table and its indexes. Both must have the same ID. The caller holds
// td.mu. (Records travel by value, not by pointer, so that nothing escapes
// to the heap on the way through the fixture's functions.)
func (a *aggregate[R, W, E]) put(td *tenantData, old, new R) {
	var zero R
	tb := a.table(td)
	var id crm.ID
	switch {
	case new != zero:
		id = a.id(new)
		tb.rows[id] = new
	case old != zero:
		id = a.id(old)
		delete(tb.rows, id)
	default:
		return
	}
	if !a.noIDs {
		switch {
		case old == zero:
			tb.ids = insertID(tb.ids, id)
		case new == zero:
			tb.ids = removeID(tb.ids, id)
		}
	}
	if a.index != nil {
		a.index(td, old, new)
	}
}

// swap is put, with its inverse recorded in t's undo log; new, unless it
// is the zero R, is a snapshot nobody has seen yet, which share may
// still change. The caller holds td.mu.
func (a *aggregate[R, W, E]) swap(td *tenantData, t *tx, old, new R) {
	var zero R
	if a.share != nil && new != zero {
		a.share(new, td.name)
	}
	a.put(td, old, new)
	if t != nil {
		t.record(func() { td.locked(func() { a.put(td, new, old) }) })
	}
}

// insert stores snap, a new record, in td: refused with crm.ErrDuplicate
// when its ID is taken, or by admit; e is what goes with it. The caller
// has opened td.
func (a *aggregate[R, W, E]) insert(td *tenantData, t *tx, snap R, e E) error {
	id := a.id(snap)
	var none R // no previous record
	td.mu.Lock()
	defer td.mu.Unlock()
	if _, dup := a.table(td).rows[id]; dup {
		return fmt.Errorf("memory: create %s %s: %w", a.what, id, crm.ErrDuplicate)
	}
	if a.admit != nil {
		if err := a.admit(td, none, snap); err != nil {
			return fmt.Errorf("memory: create %s %s: %w", a.what, id, err)
		}
	}
	a.swap(td, t, none, snap)
	if a.extra != nil {
		a.extra(td, t, id, e)
	}
	return nil
}

// create opens tenant (making its shard when shard is set; otherwise a
// missing shard means parent, a record snap needs, is missing) and inserts
// snap.
func (a *aggregate[R, W, E]) create(s *Store, ctx context.Context, tenant crm.TenantID, snap R, shard bool, parent func() error, e E) error {
	t, td, err := s.open(ctx, tenant, shard)
	if err != nil {
		return fmt.Errorf("memory: create %s %s: %w", a.what, a.id(snap), err)
	}
	defer s.close(t, td)
	if td == nil {
		return parent()
	}
	return a.insert(td, t, snap, e)
}

// get returns the stored snapshot of id, or an error wrapping
// crm.ErrNotFound; an invalid tenant (which has no shard) is refused with a
// *crm.ValidationError for op. The snapshot is immutable: callers copy it.
func (a *aggregate[R, W, E]) get(s *Store, ctx context.Context, op string, tenant crm.TenantID, id crm.ID) (R, error) {
	var zero R
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("memory: get %s: %w", a.what, err)
	}
	if id.IsZero() {
		return zero, fmt.Errorf("memory: get %s: %w", a.what, crm.Invalid(op, "id", "must not be zero"))
	}
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return zero, fmt.Errorf("memory: get %s %s: %w", a.what, id, err)
	}
	defer s.close(t, td)
	if td == nil {
		if err := missingTenant(op, tenant); err != nil {
			return zero, fmt.Errorf("memory: get %s: %w", a.what, err)
		}
		return zero, notFound(a.what, id)
	}
	td.mu.RLock()
	snap, ok := a.table(td).rows[id]
	td.mu.RUnlock()
	if !ok {
		return zero, notFound(a.what, id)
	}
	return snap, nil
}

// update runs fn on a working copy of the latest state of id and stores
// the result at the next version: the closure update of every aggregate.
// Updates of one record are serialised by its lock stripe; fn runs without
// the tenant's lock held, so it must not call the store. When the record
// changed meanwhile (the undo of a transaction does not take the stripe),
// fn runs again on the new state.
func (a *aggregate[R, W, E]) update(s *Store, ctx context.Context, op string, tenant crm.TenantID, id crm.ID, fn func(W) error) (W, error) {
	var zero W
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("memory: update %s: %w", a.what, err)
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(!id.IsZero(), "id", "must not be zero")
	v.Check(fn != nil, "fn", "must not be nil")
	if err := v.Err(op); err != nil {
		return zero, fmt.Errorf("memory: update %s: %w", a.what, err)
	}
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return zero, fmt.Errorf("memory: update %s %s: %w", a.what, id, err)
	}
	defer s.close(t, td)
	if td == nil {
		return zero, notFound(a.what, id)
	}
	lock := s.stripeFor(id)
	if err := lock.lock(ctx); err != nil {
		return zero, fmt.Errorf("memory: update %s %s: %w", a.what, id, err)
	}
	defer lock.unlock()
	tb := a.table(td)
	for {
		td.mu.RLock()
		cur, ok := tb.rows[id]
		td.mu.RUnlock()
		if !ok {
			return zero, notFound(a.what, id)
		}
		work := a.edit(cur)
		if err := fn(work); err != nil {
			return zero, err
		}
		next, extra, err := a.next(op, cur, work)
		if err != nil {
			return zero, fmt.Errorf("memory: update %s %s: %w", a.what, id, err)
		}
		td.mu.Lock()
		if now, ok := tb.rows[id]; !ok || now != cur {
			td.mu.Unlock()
			if err := ctx.Err(); err != nil {
				return zero, fmt.Errorf("memory: update %s %s: %w", a.what, id, err)
			}
			continue
		}
		if a.admit != nil {
			if err := a.admit(td, cur, next); err != nil {
				td.mu.Unlock()
				return zero, fmt.Errorf("memory: update %s %s: %w", a.what, id, err)
			}
		}
		a.swap(td, t, cur, next)
		if a.extra != nil {
			a.extra(td, t, id, extra)
		}
		td.mu.Unlock()
		a.saved(work, next)
		return work, nil
	}
}

// list returns a page of a's records in ascending ID order, with cursors
// of kind: from the ID index the query selects (index, called under the
// tenant's lock), the records view accepts, as the (immutable) values view
// returns, each handed out as a copy made by clone. qerr is the query's
// own validation error. It checks ctx before anything else.
func list[R comparable, W, E any, T interface{ ID() crm.ID }](a *aggregate[R, W, E], s *Store, ctx context.Context, op string, tenant crm.TenantID, qerr error, page crm.PageRequest, kind byte,
	index func(td *tenantData) []crm.ID, view func(R) (T, bool), clone func(T) T) (crm.Page[T], error) {
	var p crm.Page[T]
	if err := ctx.Err(); err != nil {
		return p, fmt.Errorf("memory: list %ss: %w", a.what, err)
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", qerr)
	page, perr := page.Normalize()
	v.Merge("page", perr)
	after, hasAfter, cerr := decodeIDCursor(op, kind, page.Cursor)
	v.Merge("page", cerr)
	if err := v.Err(op); err != nil {
		return p, fmt.Errorf("memory: list %ss: %w", a.what, err)
	}
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return p, fmt.Errorf("memory: list %ss: %w", a.what, err)
	}
	defer s.close(t, td)
	if td == nil {
		p.Items = []T{}
		return p, nil
	}
	tb := a.table(td)
	td.mu.RLock()
	found := walkAfter(index(td), after, hasAfter, page.Limit, func(id crm.ID) (T, bool) { return view(tb.rows[id]) })
	td.mu.RUnlock()
	if len(found) > page.Limit {
		found = found[:page.Limit]
		p.Next = encodeIDCursor(kind, found[len(found)-1].ID())
	}
	for i, x := range found { // snapshots are immutable: copied outside the lock
		found[i] = clone(x)
	}
	p.Items = found
	return p, nil
}

// walkAfter walks the ascending IDs of idx that follow after (all of them
// when hasAfter is false) and returns the items keep accepts, stopping at
// limit+1 of them so the caller knows whether a next page exists. The
// caller holds the tenant's lock.
func walkAfter[T any](idx []crm.ID, after crm.ID, hasAfter bool, limit int, keep func(crm.ID) (T, bool)) []T {
	if hasAfter {
		i, ok := slices.BinarySearchFunc(idx, after, crm.ID.Compare)
		if ok {
			i++
		}
		idx = idx[i:]
	}
	found := make([]T, 0, min(limit+1, 64))
	for _, id := range idx {
		if x, ok := keep(id); ok {
			found = append(found, x)
			if len(found) > limit {
				break
			}
		}
	}
	return found
}

// missingTenant explains why a tenant has no shard: an invalid tenant is
// refused (shards exist only for valid tenants, so hot paths validate the
// tenant only when its shard is missing); a valid one simply has no records.
func missingTenant(op string, tenant crm.TenantID) error {
	var v crm.Validator
	v.Merge("", tenant.Validate())
	return v.Err(op)
}

// notFound is the error of a missing record.
func notFound(what string, id crm.ID) error {
	return fmt.Errorf("memory: %s %s: %w", what, id, crm.ErrNotFound)
}

// appendEntries appends entries (history or audit entries) to the list of
// record id in m, recording their removal in t's undo log: the extra of
// every aggregate that keeps such a list. The caller holds td.mu.
func appendEntries[E any](td *tenantData, t *tx, m map[crm.ID][]E, id crm.ID, entries []E) {
	if len(entries) == 0 {
		return
	}
	n := len(m[id])
	m[id] = append(m[id], entries...)
	if t != nil {
		t.record(func() {
			td.locked(func() {
				if n == 0 {
					delete(m, id)
					return
				}
				if n < len(m[id]) {
					clear(m[id][n:]) // drop references held by the removed entries
					m[id] = m[id][:n]
				}
			})
		})
	}
}
