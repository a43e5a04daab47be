package memory

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
)

// leadStore implements lead.Store on a Store's tenants.
type leadStore struct{ s *Store }

var _ lead.Store = (*leadStore)(nil)

// storedLead is a lead snapshot with the keys it is indexed under,
// computed before the tenant's lock is taken. Stored values are never
// changed. The snapshot's handle is held by value (its state is shared
// copy-on-write), so that a Get reaches it with one load less.
type storedLead struct {
	l      lead.Lead
	emails []string // normalised, of parsed e-mail contact points
	phones []string // E.164, of parsed phone contact points
}

func newStoredLead(l *lead.Lead) *storedLead {
	st := &storedLead{l: *l.Clone()}
	for _, c := range l.Contacts() {
		n := c.Normalized()
		switch {
		case n == "":
		case c.Kind == lead.ContactEmail:
			st.emails = append(st.emails, n)
		default:
			st.phones = append(st.phones, n)
		}
	}
	return st
}

// leads is the fixture of the lead table: immutable snapshots indexed by
// stage, owner, team, campaign, customer and (open leads only) contact
// keys. A lead's history entries are stored with each change.
var leads = &aggregate[*storedLead, *lead.Lead, []lead.HistoryEntry]{
	what:  "lead",
	table: func(td *tenantData) *table[*storedLead] { return &td.leads },
	id:    func(st *storedLead) crm.ID { return st.l.ID() },
	index: (*tenantData).indexLead,
	edit:  func(st *storedLead) *lead.Lead { return st.l.Clone() },
	next: func(op string, cur *storedLead, work *lead.Lead) (*storedLead, []lead.HistoryEntry, error) {
		next := work.Clone()
		pending := leadHooks.Pending(next)
		leadHooks.Saved(next, cur.l.Version()+1)
		return newStoredLead(next), pending, nil
	},
	extra: (*tenantData).appendLeadHistory,
	saved: func(work *lead.Lead, next *storedLead) { leadHooks.Saved(work, next.l.Version()) },
	share: func(st *storedLead, tenant crm.TenantID) { leadHooks.ShareTenant(&st.l, tenant) },
}

// Kinds of the cursors of lead and campaign lists and of lead histories.
const (
	kindLeads       byte = 'l'
	kindCampaigns   byte = 'm'
	kindLeadHistory byte = 'h'
)

// Create stores a new lead at version 1 with its pending history; see
// lead.Store.
func (ls *leadStore) Create(ctx context.Context, l *lead.Lead) error {
	const op = "memory.Leads.Create"
	if err := checkCtx(ctx, "create lead"); err != nil {
		return err
	}
	if l == nil {
		return fmt.Errorf("memory: create lead: %w", crm.Invalid(op, "lead", "must not be nil"))
	}
	if l.Version() != 0 {
		return fmt.Errorf("memory: create lead %s: %w", l.ID(), crm.Invalid(op, "version", "must be 0 for a new lead"))
	}
	snap := l.Clone()
	pending := leadHooks.Pending(snap)
	leadHooks.Saved(snap, 1)
	if err := leads.create(ls.s, ctx, l.Tenant(), newStoredLead(snap), true, nil, pending); err != nil {
		return err
	}
	leadHooks.Saved(l, 1)
	return nil
}

// Get returns a copy of the lead; see lead.Store.
func (ls *leadStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*lead.Lead, error) {
	st, err := leads.get(ls.s, ctx, "memory.Leads.Get", tenant, id)
	if err != nil {
		return nil, err
	}
	return st.l.Clone(), nil
}

// Update runs fn on a copy of the latest state and stores the result with
// its pending history; see lead.Store. Updates of one lead are serialised
// by its lock stripe; fn must not call the store.
func (ls *leadStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*lead.Lead) error) (*lead.Lead, error) {
	return leads.update(ls.s, ctx, "memory.Leads.Update", tenant, id, fn)
}

// List returns a page of the leads matching q in ascending ID order; see
// lead.Store. It walks the smallest of the indexes q selects and keeps
// what q.Matches.
func (ls *leadStore) List(ctx context.Context, tenant crm.TenantID, q lead.Query, page crm.PageRequest) (crm.Page[*lead.Lead], error) {
	return list(leads, ls.s, ctx, "memory.Leads.List", tenant, q.Validate(), page, kindLeads,
		func(td *tenantData) []crm.ID { return td.leadIndex(q) },
		func(st *storedLead) (*lead.Lead, bool) { return &st.l, q.Matches(&st.l) }, (*lead.Lead).Clone)
}

// leadIndex returns the smallest ascending ID list that holds every lead q
// can match. The caller holds td.mu.
func (td *tenantData) leadIndex(q lead.Query) []crm.ID {
	idx := td.leads.ids
	pick := func(ids []crm.ID) {
		if len(ids) < len(idx) {
			idx = ids
		}
	}
	if len(q.Stages) == 1 {
		pick(td.leadByStage[q.Stages[0]])
	}
	if q.Owner != "" || q.Unassigned {
		pick(td.leadByOwner[q.Owner])
	}
	if q.Team != nil {
		pick(td.leadByTeam[*q.Team])
	}
	if !q.Campaign.IsZero() {
		pick(td.leadByCampaign[q.Campaign])
	}
	if !q.Customer.IsZero() {
		pick(td.leadByCustomer[q.Customer])
	}
	if q.Uncontacted && !q.ClockStartTo.IsZero() {
		if ids, ok := td.leadDue.before(q.ClockStartTo, len(idx)); ok {
			idx = ids
		}
	}
	return idx
}

// leadDueIndex holds the open, uncontacted leads ordered by the start of
// their first-contact clock, then by ID: a first-contact check reads the
// prefix of leads whose clock started before its due instant instead of
// every uncontacted lead. The zero value is empty and usable.
type leadDueIndex struct{ keys []dueKey }

type dueKey struct {
	start time.Time
	id    crm.ID
}

func (k dueKey) compare(o dueKey) int {
	if c := k.start.Compare(o.start); c != 0 {
		return c
	}
	return k.id.Compare(o.id)
}

func (x *leadDueIndex) add(k dueKey) {
	i, found := slices.BinarySearchFunc(x.keys, k, dueKey.compare)
	if !found {
		x.keys = slices.Insert(x.keys, i, k)
	}
}

func (x *leadDueIndex) remove(k dueKey) {
	if i, found := slices.BinarySearchFunc(x.keys, k, dueKey.compare); found {
		x.keys = slices.Delete(x.keys, i, i+1)
	}
}

// before returns, in ascending ID order, the IDs of the leads whose clock
// started before t, and true; or false when there are at least limit of
// them (another index is then as small). The caller holds td.mu.
func (x *leadDueIndex) before(t time.Time, limit int) ([]crm.ID, bool) {
	n, _ := slices.BinarySearchFunc(x.keys, t, func(k dueKey, t time.Time) int {
		if k.start.Before(t) {
			return -1
		}
		return 1
	})
	if n >= limit {
		return nil, false
	}
	ids := make([]crm.ID, n)
	for i, k := range x.keys[:n] {
		ids[i] = k.id
	}
	slices.SortFunc(ids, crm.ID.Compare)
	return ids, true
}

// dueKeyOf returns the due-index key of a stored lead and whether the lead
// belongs in the index (open and uncontacted).
func dueKeyOf(st *storedLead) (dueKey, bool) {
	if st == nil || !st.l.Stage().Open() || !st.l.FirstContactAt().IsZero() {
		return dueKey{}, false
	}
	return dueKey{start: st.l.ClockStart(), id: st.l.ID()}, true
}

// FindByContact returns the open leads having any of the keys, ascending
// by ID; see lead.Store.
func (ls *leadStore) FindByContact(ctx context.Context, tenant crm.TenantID, emails, phones []string, limit int) ([]*lead.Lead, error) {
	const op = "memory.Leads.FindByContact"
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(limit >= 0, "limit", "must not be negative")
	v.Check(len(emails)+len(phones) <= MaxContactKeys, "emails", "too many keys")
	if err := v.Err(op); err != nil {
		return nil, fmt.Errorf("memory: find leads by contact: %w", err)
	}
	switch {
	case limit == 0:
		limit = crm.DefaultPageLimit
	case limit > crm.MaxPageLimit:
		limit = crm.MaxPageLimit
	}
	s := ls.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return nil, fmt.Errorf("memory: find leads by contact: %w", err)
	}
	defer s.close(t, td)
	if td == nil {
		return []*lead.Lead{}, nil
	}
	td.mu.RLock()
	lists := make(idLists, 0, min(len(emails)+len(phones), 64))
	lists = td.contactLists(lists, td.leadByEmail, emails)
	lists = td.contactLists(lists, td.leadByPhone, phones)
	found := make([]*lead.Lead, 0, min(limit, 64))
	lists.merge(func(id crm.ID) bool {
		if st, ok := td.leads.rows[id]; ok && st.l.Stage().Open() {
			found = append(found, &st.l)
		}
		return len(found) < limit
	})
	td.mu.RUnlock()
	for i, l := range found {
		found[i] = l.Clone()
	}
	return found, nil
}

// History returns a page of the lead's history, ascending Seq; see
// lead.Store. The cursor holds the last Seq returned.
func (ls *leadStore) History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[lead.HistoryEntry], error) {
	const op = "memory.Leads.History"
	var out crm.Page[lead.HistoryEntry]
	if err := checkCtx(ctx, "lead history"); err != nil {
		return out, err
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(!id.IsZero(), "id", "must not be zero")
	page, perr := page.Normalize()
	v.Merge("page", perr)
	after, cerr := decodeSeqIDCursor(op, kindLeadHistory, page.Cursor)
	v.Merge("page", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("memory: lead history: %w", err)
	}
	s := ls.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return out, fmt.Errorf("memory: history of lead %s: %w", id, err)
	}
	defer s.close(t, td)
	if td == nil {
		return out, notFound("lead", id)
	}
	td.mu.RLock()
	defer td.mu.RUnlock()
	if _, ok := td.leads.rows[id]; !ok {
		return out, notFound("lead", id)
	}
	h := td.leadHistory[id]
	i, found := slices.BinarySearchFunc(h, after, func(e lead.HistoryEntry, seq int64) int {
		return cmpInt64(e.Seq, seq)
	})
	if found {
		i++
	}
	h = h[i:]
	if len(h) > page.Limit {
		h = h[:page.Limit]
		out.Next = encodeSeqIDCursor(kindLeadHistory, h[len(h)-1].Seq)
	}
	out.Items = slices.Clone(h)
	if out.Items == nil {
		out.Items = []lead.HistoryEntry{}
	}
	return out, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// encodeSeqIDCursor returns the cursor of a list of the given kind whose
// last returned item has sequence number seq.
func encodeSeqIDCursor(kind byte, seq int64) string {
	b := make([]byte, 0, 9)
	b = append(b, kind)
	b = binary.BigEndian.AppendUint64(b, uint64(seq))
	return cursorEncoding.EncodeToString(b)
}

// decodeSeqIDCursor parses s as a cursor of the given kind: the last Seq
// returned (0 for the empty string, the first page).
func decodeSeqIDCursor(op string, kind byte, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if len(s) > crm.MaxCursorLen {
		return 0, crm.Invalid(op, "cursor", "too long")
	}
	b, err := cursorEncoding.DecodeString(s)
	if err != nil || cursorEncoding.EncodeToString(b) != s {
		return 0, crm.Invalid(op, "cursor", "malformed")
	}
	if len(b) != 9 || b[0] != kind {
		return 0, crm.Invalid(op, "cursor", "not a cursor of this list")
	}
	seq := int64(binary.BigEndian.Uint64(b[1:]))
	if seq < 1 {
		return 0, crm.Invalid(op, "cursor", "malformed")
	}
	return seq, nil
}

// indexLead keeps the lead indexes in step when old (nil: none) is
// replaced by new (nil: removed). Both must have the same ID. Only the
// indexes whose key changed are touched: the lists are sorted slices, and
// an update of a lead must not move the memory of a list of a million
// leads it stays in. The caller holds td.mu.
func (td *tenantData) indexLead(old, new *storedLead) {
	var id crm.ID
	switch {
	case new != nil:
		id = new.l.ID()
	case old != nil:
		id = old.l.ID()
	default:
		return
	}
	both := old != nil && new != nil
	ok, oin := dueKeyOf(old)
	nk, nin := dueKeyOf(new)
	if oin != nin || ok.compare(nk) != 0 {
		if oin {
			td.leadDue.remove(ok)
		}
		if nin {
			td.leadDue.add(nk)
		}
	}
	rekey := func(m map[crm.ID][]crm.ID, o, n func(*lead.Lead) crm.ID) {
		var ok, nk crm.ID
		if old != nil {
			ok = o(&old.l)
		}
		if new != nil {
			nk = n(&new.l)
		}
		if both && ok == nk {
			return
		}
		if !ok.IsZero() {
			removeKey(m, ok, id)
		}
		if !nk.IsZero() {
			addKey(m, nk, id)
		}
	}
	campaign := func(l *lead.Lead) crm.ID { return l.Source().Campaign }
	rekey(td.leadByCampaign, campaign, campaign)
	rekey(td.leadByCustomer, (*lead.Lead).Customer, (*lead.Lead).Customer)
	if !both || old.l.Stage() != new.l.Stage() {
		if old != nil {
			removeKey(td.leadByStage, old.l.Stage(), id)
		}
		if new != nil {
			addKey(td.leadByStage, new.l.Stage(), id)
		}
	}
	if !both || old.l.Owner() != new.l.Owner() {
		if old != nil {
			removeKey(td.leadByOwner, old.l.Owner(), id)
		}
		if new != nil {
			addKey(td.leadByOwner, new.l.Owner(), id)
		}
	}
	if !both || old.l.Team() != new.l.Team() {
		if old != nil {
			removeKey(td.leadByTeam, old.l.Team(), id)
		}
		if new != nil {
			addKey(td.leadByTeam, new.l.Team(), id)
		}
	}
	// Contact keys: of open leads only. A key list holds few leads, so
	// they are rewritten whenever the lead's keys or openness may have
	// changed.
	oldOpen := old != nil && old.l.Stage().Open()
	newOpen := new != nil && new.l.Stage().Open()
	if both && oldOpen == newOpen && slices.Equal(old.emails, new.emails) && slices.Equal(old.phones, new.phones) {
		return
	}
	if oldOpen {
		for _, k := range old.emails {
			removeKey(td.leadByEmail, k, id)
		}
		for _, k := range old.phones {
			removeKey(td.leadByPhone, k, id)
		}
	}
	if newOpen {
		for _, k := range new.emails {
			addKey(td.leadByEmail, k, id)
		}
		for _, k := range new.phones {
			addKey(td.leadByPhone, k, id)
		}
	}
}

// appendLeadHistory appends entries to the history of lead id, recording
// their removal in t's undo log. The caller holds td.mu.
func (td *tenantData) appendLeadHistory(t *tx, id crm.ID, entries []lead.HistoryEntry) {
	if len(entries) == 0 {
		return
	}
	n := len(td.leadHistory[id])
	td.leadHistory[id] = append(td.leadHistory[id], entries...)
	if t != nil {
		t.record(func() {
			td.locked(func() {
				h := td.leadHistory[id]
				if n >= len(h) {
					return
				}
				if n == 0 {
					delete(td.leadHistory, id)
					return
				}
				clear(h[n:])
				td.leadHistory[id] = h[:n]
			})
		})
	}
}

// Assignment returns the team's assignment state; see lead.Store.
func (ls *leadStore) Assignment(ctx context.Context, tenant crm.TenantID, team string) (lead.AssignmentState, error) {
	const op = "memory.Leads.Assignment"
	if err := checkCtx(ctx, "assignment"); err != nil {
		return lead.AssignmentState{}, err
	}
	s := ls.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return lead.AssignmentState{}, fmt.Errorf("memory: assignment: %w", err)
	}
	defer s.close(t, td)
	if td == nil {
		if err := missingTenant(op, tenant); err != nil {
			return lead.AssignmentState{}, fmt.Errorf("memory: assignment: %w", err)
		}
		return lead.AssignmentState{}, nil
	}
	td.mu.RLock()
	st := td.assignment[team]
	td.mu.RUnlock()
	return st.Clone(), nil
}

// UpdateAssignment runs fn on a copy of the team's latest assignment state
// while holding the tenant's assignment lock, then stores the result (in
// the transaction ctx carries, undone with it); see lead.Store. fn must not
// call the store.
func (ls *leadStore) UpdateAssignment(ctx context.Context, tenant crm.TenantID, team string, fn func(*lead.AssignmentState) error) (lead.AssignmentState, error) {
	const op = "memory.Leads.UpdateAssignment"
	if err := checkCtx(ctx, "update assignment"); err != nil {
		return lead.AssignmentState{}, err
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(fn != nil, "fn", "must not be nil")
	if err := v.Err(op); err != nil {
		return lead.AssignmentState{}, fmt.Errorf("memory: update assignment: %w", err)
	}
	s := ls.s
	t, td, err := s.open(ctx, tenant, true)
	if err != nil {
		return lead.AssignmentState{}, fmt.Errorf("memory: update assignment: %w", err)
	}
	defer s.close(t, td)
	if err := td.assignLock.lock(ctx); err != nil {
		return lead.AssignmentState{}, fmt.Errorf("memory: update assignment: %w", err)
	}
	defer td.assignLock.unlock()
	td.mu.RLock()
	cur, had := td.assignment[team]
	td.mu.RUnlock()
	work := cur.Clone()
	if err := fn(&work); err != nil {
		return lead.AssignmentState{}, err
	}
	if err := work.Validate(); err != nil {
		return lead.AssignmentState{}, fmt.Errorf("memory: update assignment: %w", err)
	}
	next := work.Clone()
	td.mu.Lock()
	td.assignment[team] = next
	td.mu.Unlock()
	if t != nil {
		t.record(func() {
			td.locked(func() {
				if had {
					td.assignment[team] = cur
				} else {
					delete(td.assignment, team)
				}
			})
		})
	}
	return work, nil
}

// Campaigns returns the campaign store, behind lead.Guard's checks.
func (ls *leadStore) Campaigns() lead.CampaignStore { return &campaignStore{s: ls.s} }

// campaignStore implements lead.CampaignStore on a Store's tenants.
type campaignStore struct{ s *Store }

var _ lead.CampaignStore = (*campaignStore)(nil)

// campaigns is the fixture of the campaign table: immutable snapshots, no
// secondary index.
var campaigns = &aggregate[*lead.Campaign, *lead.Campaign, struct{}]{
	what:  "campaign",
	table: func(td *tenantData) *table[*lead.Campaign] { return &td.campaigns },
	id:    (*lead.Campaign).ID,
	edit:  (*lead.Campaign).Clone,
	next: func(op string, cur, work *lead.Campaign) (*lead.Campaign, struct{}, error) {
		next := work.Clone()
		campaignHooks.Saved(next, cur.Version()+1)
		return next, struct{}{}, nil
	},
	saved: func(work, next *lead.Campaign) { campaignHooks.Saved(work, next.Version()) },
}

// Create stores a new campaign at version 1; see lead.CampaignStore.
func (cs *campaignStore) Create(ctx context.Context, c *lead.Campaign) error {
	const op = "memory.Campaigns.Create"
	if err := checkCtx(ctx, "create campaign"); err != nil {
		return err
	}
	if c == nil {
		return fmt.Errorf("memory: create campaign: %w", crm.Invalid(op, "campaign", "must not be nil"))
	}
	if c.Version() != 0 {
		return fmt.Errorf("memory: create campaign %s: %w", c.ID(), crm.Invalid(op, "version", "must be 0 for a new campaign"))
	}
	snap := c.Clone()
	campaignHooks.Saved(snap, 1)
	if err := campaigns.create(cs.s, ctx, c.Tenant(), snap, true, nil, struct{}{}); err != nil {
		return err
	}
	campaignHooks.Saved(c, 1)
	return nil
}

// Get returns a copy of the campaign; see lead.CampaignStore.
func (cs *campaignStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*lead.Campaign, error) {
	c, err := campaigns.get(cs.s, ctx, "memory.Campaigns.Get", tenant, id)
	if err != nil {
		return nil, err
	}
	return c.Clone(), nil
}

// Update runs fn on a copy of the latest campaign and stores the result;
// see lead.CampaignStore.
func (cs *campaignStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*lead.Campaign) error) (*lead.Campaign, error) {
	return campaigns.update(cs.s, ctx, "memory.Campaigns.Update", tenant, id, fn)
}

// List returns a page of the campaigns whose period overlaps [from, to),
// ascending by ID; see lead.CampaignStore.
func (cs *campaignStore) List(ctx context.Context, tenant crm.TenantID, from, to time.Time, page crm.PageRequest) (crm.Page[*lead.Campaign], error) {
	return list(campaigns, cs.s, ctx, "memory.Campaigns.List", tenant, nil, page, kindCampaigns,
		func(td *tenantData) []crm.ID { return td.campaigns.ids },
		func(c *lead.Campaign) (*lead.Campaign, bool) { return c, overlaps(c, from, to) }, (*lead.Campaign).Clone)
}

// overlaps reports whether c's period [start, end) overlaps [from, to),
// a zero bound being unbounded.
func overlaps(c *lead.Campaign, from, to time.Time) bool {
	start, end := c.Period()
	return (to.IsZero() || start.Before(to)) && (end.IsZero() || from.IsZero() || end.After(from))
}
