package memory

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/opportunity"
)

// opportunityStore implements opportunity.Store on a Store's tenants. It is
// reached only through opportunity.Guard, which checks every argument and
// every opportunity on its way in.
type opportunityStore struct{ s *Store }

var _ opportunity.Store = (*opportunityStore)(nil)

// kindOpportunities is the kind byte of opportunity list cursors.
const kindOpportunities byte = 'o'

// opportunities is the fixture of the opportunity table: immutable
// snapshots, indexed by customer, owner, team, stage and status; each
// change stores its stage changes in the opportunity's history.
var opportunities = &aggregate[*opportunity.Opportunity, *opportunity.Opportunity, []opportunity.StageChange]{
	what:  "opportunity",
	table: func(td *tenantData) *table[*opportunity.Opportunity] { return &td.opps },
	id:    (*opportunity.Opportunity).ID,
	index: (*tenantData).indexOpportunity,
	edit:  (*opportunity.Opportunity).Clone,
	next: func(_ string, cur, work *opportunity.Opportunity) (*opportunity.Opportunity, []opportunity.StageChange, error) {
		next := work.Clone()
		pending := opportunityHooks.Pending(next)
		opportunityHooks.Saved(next, cur.Version()+1)
		return next, pending, nil
	},
	extra: func(td *tenantData, t *tx, id crm.ID, e []opportunity.StageChange) {
		appendEntries(td, t, td.oppHistory, id, e)
	},
	saved: func(work, next *opportunity.Opportunity) { opportunityHooks.Saved(work, next.Version()) },
	share: opportunityHooks.ShareTenant,
}

// Create stores a new opportunity at version 1 with its pending stage
// changes; see opportunity.Store.
func (os *opportunityStore) Create(ctx context.Context, o *opportunity.Opportunity) error {
	snap := o.Clone()
	pending := opportunityHooks.Pending(snap)
	opportunityHooks.Saved(snap, 1)
	if err := opportunities.create(os.s, ctx, o.Tenant(), snap, true, nil, pending); err != nil {
		return err
	}
	opportunityHooks.Saved(o, 1)
	return nil
}

// Get returns a copy of the opportunity; see opportunity.Store.
func (os *opportunityStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*opportunity.Opportunity, error) {
	snap, err := opportunities.get(os.s, ctx, "memory.Opportunities.Get", tenant, id)
	if err != nil {
		return nil, err
	}
	return snap.Clone(), nil
}

// Update runs fn on a copy of the latest state and stores the result with
// its pending stage changes; see opportunity.Store.
func (os *opportunityStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*opportunity.Opportunity) error) (*opportunity.Opportunity, error) {
	return opportunities.update(os.s, ctx, "memory.Opportunities.Update", tenant, id, fn)
}

// List returns a page of the opportunities matching q in ascending ID
// order; see opportunity.Store. It walks the smallest index q selects and
// keeps what q.Matches. When that index is one owner's, it reads that
// index alone: its entries carry the snapshots.
func (os *opportunityStore) List(ctx context.Context, tenant crm.TenantID, q opportunity.Query, page crm.PageRequest) (crm.Page[*opportunity.Opportunity], error) {
	const op = "memory.Opportunities.List"
	if len(q.Owners) == 1 {
		if p, ok, err := os.listOwner(ctx, op, tenant, q, page); ok {
			return p, err
		}
	}
	return list(opportunities, os.s, ctx, op, tenant, q.Validate(), page, kindOpportunities,
		func(td *tenantData) []crm.ID { return td.opportunityIndex(q) },
		func(o *opportunity.Opportunity) (*opportunity.Opportunity, bool) { return o, q.Matches(o) }, (*opportunity.Opportunity).Clone)
}

// listOwner is List for a query of one owner, when that owner's index is
// the smallest the query selects; ok is false (and nothing is done past
// the checks list repeats) when another index is smaller.
func (os *opportunityStore) listOwner(ctx context.Context, op string, tenant crm.TenantID, q opportunity.Query, page crm.PageRequest) (p crm.Page[*opportunity.Opportunity], ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return p, true, fmt.Errorf("memory: list opportunities: %w", err)
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", q.Validate())
	page, perr := page.Normalize()
	v.Merge("page", perr)
	after, hasAfter, cerr := decodeIDCursor(op, kindOpportunities, page.Cursor)
	v.Merge("page", cerr)
	if err := v.Err(op); err != nil {
		return p, true, fmt.Errorf("memory: list opportunities: %w", err)
	}
	t, td, err := os.s.open(ctx, tenant, false)
	if err != nil {
		return p, true, fmt.Errorf("memory: list opportunities: %w", err)
	}
	defer os.s.close(t, td)
	if td == nil {
		p.Items = []*opportunity.Opportunity{}
		return p, true, nil
	}
	plain := ownerOnly(q)
	td.mu.RLock()
	refs := td.oppByOwner[q.Owners[0]]
	others := q
	others.Owners = nil
	if !plain && len(td.opportunityIndex(others)) < len(refs) {
		td.mu.RUnlock()
		return p, false, nil
	}
	if hasAfter {
		i, found := slices.BinarySearchFunc(refs, after, compareOppRef)
		if found {
			i++
		}
		refs = refs[i:]
	}
	items := make([]*opportunity.Opportunity, 0, min(page.Limit+1, 64))
	for i := range refs {
		if o := refs[i].o; plain || q.Matches(o) {
			items = append(items, o)
			if len(items) > page.Limit {
				break
			}
		}
	}
	td.mu.RUnlock()
	if len(items) > page.Limit {
		items = items[:page.Limit]
		p.Next = encodeIDCursor(kindOpportunities, items[len(items)-1].ID())
	}
	for i, o := range items { // snapshots are immutable: copied outside the lock
		items[i] = o.Clone()
	}
	p.Items = items
	return p, true, nil
}

// ownerOnly reports whether q filters on its owners and nothing else, so
// that an owner's index answers it without reading the opportunities.
func ownerOnly(q opportunity.Query) bool {
	return q.Customer.IsZero() && q.Team == "" && q.Pipeline == "" && len(q.Stages) == 0 && len(q.Statuses) == 0 &&
		len(q.Categories) == 0 && q.CloseFrom == (calendar.Date{}) && q.CloseTo == (calendar.Date{}) && q.StageBefore.IsZero()
}

// oppRef is an entry of an owner's index: the opportunity's ID and its
// stored snapshot (immutable, as every snapshot), so that listing an
// owner's opportunities reads the index alone.
type oppRef struct {
	id crm.ID
	o  *opportunity.Opportunity
}

func compareOppRef(r oppRef, id crm.ID) int { return r.id.Compare(id) }

// putOppRef inserts r into owner's index, or replaces the entry of r.id.
func (td *tenantData) putOppRef(owner crm.UserID, r oppRef) {
	refs := td.oppByOwner[owner]
	if n := len(refs); n == 0 || refs[n-1].id.Compare(r.id) < 0 {
		td.oppByOwner[owner] = append(refs, r) // UUIDv7: new IDs usually go last
		return
	}
	i, found := slices.BinarySearchFunc(refs, r.id, compareOppRef)
	if found {
		refs[i] = r
		return
	}
	td.oppByOwner[owner] = slices.Insert(refs, i, r)
}

// removeOppRef removes the entry of id from owner's index.
func (td *tenantData) removeOppRef(owner crm.UserID, id crm.ID) {
	refs := td.oppByOwner[owner]
	i, found := slices.BinarySearchFunc(refs, id, compareOppRef)
	if !found {
		return
	}
	refs = slices.Delete(refs, i, i+1)
	if len(refs) == 0 {
		delete(td.oppByOwner, owner)
		return
	}
	td.oppByOwner[owner] = refs
}

// oppKey names one list of an opportunity index: kind 'c' customer, 't'
// team, 's' stage, 'S' status, and the key's value.
type oppKey struct {
	kind byte
	key  string
}

// opportunityIndex returns the smallest ascending ID list that holds every
// opportunity q can match: of the filters q sets that an index follows,
// the one with the fewest opportunities (for a filter of several values,
// the union of their lists). The caller holds td.mu.
func (td *tenantData) opportunityIndex(q opportunity.Query) []crm.ID {
	best, bestN := [][]crm.ID{td.opps.ids}, len(td.opps.ids)
	sorted := true  // best is one ascending list
	owners := false // best is the owners' lists, gathered at the end
	consider := func(kind byte, keys ...string) {
		lists, n := make([][]crm.ID, 0, len(keys)), 0
		for _, k := range keys {
			l := td.oppBy[oppKey{kind, k}]
			lists, n = append(lists, l), n+len(l)
		}
		if len(keys) > 0 && n < bestN {
			best, bestN, sorted, owners = lists, n, len(lists) == 1, false
		}
	}
	if !q.Customer.IsZero() {
		consider('c', q.Customer.String())
	}
	if q.Team != "" {
		consider('t', q.Team)
	}
	if len(q.Owners) > 0 {
		n := 0
		for _, u := range q.Owners {
			n += len(td.oppByOwner[u])
		}
		if n < bestN {
			best, bestN, sorted, owners = nil, n, len(q.Owners) == 1, true
		}
	}
	consider('s', q.Stages...)
	consider('S', mapStrings(q.Statuses, opportunity.Status.String)...)
	if owners {
		ids := make([]crm.ID, 0, bestN)
		for _, u := range q.Owners {
			for _, r := range td.oppByOwner[u] {
				ids = append(ids, r.id)
			}
		}
		best = [][]crm.ID{ids}
	}
	if sorted {
		return best[0]
	}
	out := slices.Concat(best...) // an opportunity is in one list of each filter
	slices.SortFunc(out, crm.ID.Compare)
	return slices.Compact(out)
}

func mapStrings[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// oppKeys returns the index lists o belongs to, but its owner's.
func oppKeys(o *opportunity.Opportunity) [4]oppKey {
	return [4]oppKey{{'c', o.Customer().String()}, {'t', o.Team()}, {'s', o.Stage()}, {'S', o.Status().String()}}
}

// indexOpportunity keeps the opportunity indexes in step when old (nil:
// none) is replaced by new (nil: removed). Both have the same ID. The
// caller holds td.mu.
func (td *tenantData) indexOpportunity(old, new *opportunity.Opportunity) {
	if old != nil && (new == nil || old.Owner() != new.Owner()) {
		td.removeOppRef(old.Owner(), old.ID())
	}
	if new != nil {
		td.putOppRef(new.Owner(), oppRef{id: new.ID(), o: new}) // the new snapshot, even for the same owner
	}
	var before, after [4]oppKey
	if old != nil {
		before = oppKeys(old)
	}
	if new != nil {
		after = oppKeys(new)
	}
	for i := range before {
		if old != nil && new != nil && before[i] == after[i] {
			continue
		}
		if old != nil {
			removeKey(td.oppBy, before[i], old.ID())
		}
		if new != nil {
			addKey(td.oppBy, after[i], new.ID())
		}
	}
}

// History returns a page of the opportunity's stage changes, ascending
// Seq; see opportunity.Store. The cursor is the last Seq returned.
func (os *opportunityStore) History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[opportunity.StageChange], error) {
	var out crm.Page[opportunity.StageChange]
	after, _, err := decodeSeqCursor("memory.Opportunities.History", page.Cursor)
	if err != nil {
		return out, fmt.Errorf("memory: history of opportunity %s: %w", id, err)
	}
	t, td, err := os.s.open(ctx, tenant, false)
	if err != nil {
		return out, fmt.Errorf("memory: history of opportunity %s: %w", id, err)
	}
	defer os.s.close(t, td)
	if td == nil {
		return out, notFound("opportunity", id)
	}
	td.mu.RLock()
	defer td.mu.RUnlock()
	if _, ok := td.opps.rows[id]; !ok {
		return out, notFound("opportunity", id)
	}
	h := td.oppHistory[id]
	h = h[min(int(max(after, 0)), len(h)):] // Seq n is at index n-1
	if len(h) > page.Limit {
		h = h[:page.Limit]
		out.Next = strconv.FormatInt(h[len(h)-1].Seq, 10)
	}
	out.Items = append([]opportunity.StageChange{}, h...)
	return out, nil
}
