package memory

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// complaintStore implements complaint.Store on a Store's tenants.
type complaintStore struct{ s *Store }

var _ complaint.Store = (*complaintStore)(nil)

// complaints is the fixture of the complaint table: immutable snapshots,
// indexed by customer, owner and group. A complaint's audit entries are
// stored with each change.
var complaints = &aggregate[*complaint.Complaint, *complaint.Complaint, []complaint.AuditEntry]{
	what:  "complaint",
	table: func(td *tenantData) *table[*complaint.Complaint] { return &td.complaints },
	id:    (*complaint.Complaint).ID,
	index: (*tenantData).indexComplaint,
	edit:  (*complaint.Complaint).Clone,
	next: func(op string, cur, work *complaint.Complaint) (*complaint.Complaint, []complaint.AuditEntry, error) {
		next := work.Clone()
		pending := complaintHooks.Pending(next)
		complaintHooks.Saved(next, cur.Version()+1)
		return next, pending, nil
	},
	extra: func(td *tenantData, t *tx, id crm.ID, e []complaint.AuditEntry) {
		appendEntries(td, t, td.audit, id, e)
	},
	saved: func(work, next *complaint.Complaint) { complaintHooks.Saved(work, next.Version()) },
}

// Kinds of the ID cursors of complaint and risk lists: the kind byte and
// the last ID, encoded like the customer cursors (see cursor.go), so that a
// cursor of one list is refused by every other.
const (
	kindComplaints byte = 'p'
	kindRisks      byte = 'r'
)

// encodeIDCursor returns the cursor of a list of the given kind whose last
// returned item has ID id.
func encodeIDCursor(kind byte, id crm.ID) string {
	b := make([]byte, 0, 1+len(id))
	b = append(b, kind)
	b = append(b, id[:]...)
	return cursorEncoding.EncodeToString(b)
}

// decodeIDCursor parses s as a cursor of a list of the given kind. The
// empty string is the first page (ok false); anything else that is not such
// a cursor is refused with a *crm.ValidationError.
func decodeIDCursor(op string, kind byte, s string) (id crm.ID, ok bool, err error) {
	if s == "" {
		return crm.ID{}, false, nil
	}
	bad := func(problem string) (crm.ID, bool, error) {
		return crm.ID{}, false, crm.Invalid(op, "cursor", problem)
	}
	if len(s) > crm.MaxCursorLen {
		return bad("too long")
	}
	b, derr := cursorEncoding.DecodeString(s)
	if derr != nil || cursorEncoding.EncodeToString(b) != s {
		return bad("malformed")
	}
	if len(b) != 1+len(id) || b[0] != kind {
		return bad("not a cursor of this list")
	}
	copy(id[:], b[1:])
	if id.IsZero() {
		return bad("malformed")
	}
	return id, true, nil
}

// decodeSeqCursor parses an audit cursor: the last Seq returned, in
// canonical decimal (no sign, no leading zeros), at least 1. The empty
// string is the first page (ok false).
func decodeSeqCursor(op, s string) (seq int64, ok bool, err error) {
	if s == "" {
		return 0, false, nil
	}
	if len(s) > crm.MaxCursorLen {
		return 0, false, crm.Invalid(op, "cursor", "too long")
	}
	n, perr := strconv.ParseInt(s, 10, 64)
	if perr != nil || strconv.FormatInt(n, 10) != s {
		return 0, false, crm.Invalid(op, "cursor", "not a decimal audit sequence number")
	}
	if n < 1 {
		return 0, false, crm.Invalid(op, "cursor", "audit sequence numbers start at 1")
	}
	return n, true, nil
}

// checkCtx fails a call whose context is already done before anything else
// is looked at.
func checkCtx(ctx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: %s: %w", what, err)
	}
	return nil
}

// Create stores a new complaint at version 1 with its pending audit
// entries; see complaint.Store. A complaint that does not pass the checks
// of complaint.FromRecord is refused with crm.ErrInvalid.
func (cs *complaintStore) Create(ctx context.Context, c *complaint.Complaint) error {
	const op = "memory.Complaints.Create"
	if err := checkCtx(ctx, "create complaint"); err != nil {
		return err
	}
	if c == nil {
		return fmt.Errorf("memory: create complaint: %w", crm.Invalid(op, "complaint", "must not be nil"))
	}
	id := c.ID()
	if c.Version() != 0 {
		return fmt.Errorf("memory: create complaint %s: %w", id, crm.Invalid(op, "version", "must be 0 for a new complaint"))
	}
	if _, err := complaint.FromRecord(c.Record()); err != nil {
		return fmt.Errorf("memory: create complaint %s: %w", id, err)
	}
	snap := c.Clone()
	pending := complaintHooks.Pending(snap)
	complaintHooks.Saved(snap, 1)
	if err := complaints.create(cs.s, ctx, c.Tenant(), snap, true, nil, pending); err != nil {
		return err
	}
	complaintHooks.Saved(c, 1)
	return nil
}

// Get returns a copy of the complaint; see complaint.Store.
func (cs *complaintStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*complaint.Complaint, error) {
	snap, err := complaints.get(cs.s, ctx, "memory.Complaints.Get", tenant, id)
	if err != nil {
		return nil, err
	}
	return snap.Clone(), nil // snapshots are immutable: copy outside the lock
}

// Update runs fn on a copy of the latest state and stores the result with
// its pending audit entries; see complaint.Store. Updates of one complaint
// are serialised by its lock stripe; fn runs without the tenant's lock
// held, and must not call the store.
func (cs *complaintStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*complaint.Complaint) error) (*complaint.Complaint, error) {
	return complaints.update(cs.s, ctx, "memory.Complaints.Update", tenant, id, fn)
}

// List returns a page of the complaints matching q in ascending ID order;
// see complaint.Store. It walks the smallest of the indexes q selects (the
// customer's, the owner's or the group's complaints; all of the tenant's
// when q sets none of them) and keeps what q.Matches.
func (cs *complaintStore) List(ctx context.Context, tenant crm.TenantID, q complaint.Query, page crm.PageRequest) (crm.Page[*complaint.Complaint], error) {
	return list(complaints, cs.s, ctx, "memory.Complaints.List", tenant, q.Validate(), page, kindComplaints,
		func(td *tenantData) []crm.ID { return td.complaintIndex(q) },
		func(c *complaint.Complaint) (*complaint.Complaint, bool) { return c, q.Matches(c) }, (*complaint.Complaint).Clone)
}

// complaintIndex returns the smallest ascending ID list that holds every
// complaint q can match. The caller holds td.mu.
func (td *tenantData) complaintIndex(q complaint.Query) []crm.ID {
	idx := td.complaints.ids
	pick := func(ids []crm.ID) {
		if len(ids) < len(idx) {
			idx = ids
		}
	}
	narrowed := false
	if !q.Customer.IsZero() {
		idx, narrowed = td.cmpByCustomer[q.Customer], true
	}
	if q.Owner != "" {
		if ids := td.cmpByOwner[q.Owner]; narrowed {
			pick(ids)
		} else {
			idx, narrowed = ids, true
		}
	}
	if !q.Group.IsZero() {
		if ids := td.cmpByGroup[q.Group]; narrowed {
			pick(ids)
		} else {
			idx = ids
		}
	}
	return idx
}

// Audit returns a page of the complaint's audit trail, ascending Seq; see
// complaint.Store. The cursor is the last Seq returned, in decimal.
func (cs *complaintStore) Audit(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[complaint.AuditEntry], error) {
	const op = "memory.Complaints.Audit"
	var out crm.Page[complaint.AuditEntry]
	if err := checkCtx(ctx, "audit"); err != nil {
		return out, err
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	page, perr := page.Normalize()
	v.Merge("page", perr)
	after, hasAfter, cerr := decodeSeqCursor(op, page.Cursor)
	v.Merge("page", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("memory: audit: %w", err)
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return out, fmt.Errorf("memory: audit of %s: %w", id, err)
	}
	defer s.close(t, td)
	if td == nil {
		return out, notFound("complaint", id)
	}
	td.mu.RLock()
	defer td.mu.RUnlock()
	if _, ok := td.complaints.rows[id]; !ok {
		return out, notFound("complaint", id)
	}
	trail := td.audit[id]
	if hasAfter {
		i, ok := slices.BinarySearchFunc(trail, after, func(e complaint.AuditEntry, seq int64) int {
			switch {
			case e.Seq < seq:
				return -1
			case e.Seq > seq:
				return 1
			}
			return 0
		})
		if ok {
			i++
		}
		trail = trail[i:]
	}
	if len(trail) > page.Limit {
		trail = trail[:page.Limit]
		out.Next = strconv.FormatInt(trail[len(trail)-1].Seq, 10)
	}
	out.Items = slices.Clone(trail)
	if out.Items == nil {
		out.Items = []complaint.AuditEntry{}
	}
	return out, nil
}

// indexComplaint keeps the complaint indexes in step when old (nil: none)
// is replaced by new (nil: removed). Both must have the same ID.
func (td *tenantData) indexComplaint(old, new *complaint.Complaint) {
	var id crm.ID
	switch {
	case new != nil:
		id = new.ID()
	case old != nil:
		id = old.ID()
	default:
		return
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
