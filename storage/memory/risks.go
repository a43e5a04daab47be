package memory

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// CreateRisk stores a new risk at version 1; see complaint.Store. A risk
// that does not pass the checks of complaint.RiskFromRecord is refused with
// crm.ErrInvalid.
func (cs *complaintStore) CreateRisk(ctx context.Context, r *complaint.Risk) error {
	const op = "memory.Complaints.CreateRisk"
	if err := checkCtx(ctx, "create risk"); err != nil {
		return err
	}
	if r == nil {
		return fmt.Errorf("memory: create risk: %w", crm.Invalid(op, "risk", "must not be nil"))
	}
	id := r.ID()
	if err := complaint.CheckRef(op, r.Tenant(), id); err != nil {
		return fmt.Errorf("memory: create risk: %w", err)
	}
	if r.Version() != 0 {
		return fmt.Errorf("memory: create risk %s: %w", id, crm.Invalid(op, "version", "must be 0 for a new risk"))
	}
	if _, err := complaint.RiskFromRecord(r.Record()); err != nil {
		return fmt.Errorf("memory: create risk %s: %w", id, err)
	}
	s := cs.s
	t, td, err := s.open(ctx, r.Tenant(), true)
	if err != nil {
		return fmt.Errorf("memory: create risk %s: %w", id, err)
	}
	defer s.close(t, td)
	clone := r.Clone()
	clone.Saved(1)
	snap := newStoredRisk(clone)

	td.mu.Lock()
	defer td.mu.Unlock()
	if _, dup := td.risks[id]; dup {
		return fmt.Errorf("memory: create risk %s: %w", id, crm.ErrDuplicate)
	}
	if td.activeConflict(snap) {
		return fmt.Errorf("memory: create risk %s: hotspot %q already has an active risk: %w", id, snap.key, crm.ErrDuplicate)
	}
	td.putRisk(nil, &snap)
	if t != nil {
		t.record(func() { td.locked(func() { td.putRisk(&snap, nil) }) })
	}
	r.Saved(1)
	return nil
}

// GetRisk returns a copy of the risk; see complaint.Store.
func (cs *complaintStore) GetRisk(ctx context.Context, tenant crm.TenantID, id crm.ID) (*complaint.Risk, error) {
	const op = "memory.Complaints.GetRisk"
	if err := checkCtx(ctx, "get risk"); err != nil {
		return nil, err
	}
	if err := complaint.CheckRef(op, tenant, id); err != nil {
		return nil, fmt.Errorf("memory: get risk: %w", err)
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return nil, fmt.Errorf("memory: get risk %s: %w", id, err)
	}
	defer s.close(t, td)
	if td == nil {
		return nil, notFound("risk", id)
	}
	td.mu.RLock()
	st, ok := td.risks[id]
	td.mu.RUnlock()
	if !ok {
		return nil, notFound("risk", id)
	}
	return st.r.Clone(), nil
}

// UpdateRisk runs fn on a copy of the latest state of the risk and stores
// the result at the next version; see complaint.Store. A result that would
// give its hotspot key a second active risk returns crm.ErrDuplicate.
func (cs *complaintStore) UpdateRisk(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*complaint.Risk) error) (*complaint.Risk, error) {
	const op = "memory.Complaints.UpdateRisk"
	if err := checkCtx(ctx, "update risk"); err != nil {
		return nil, err
	}
	if err := complaint.CheckRef(op, tenant, id); err != nil {
		return nil, fmt.Errorf("memory: update risk: %w", err)
	}
	if fn == nil {
		return nil, fmt.Errorf("memory: update risk %s: %w", id, crm.Invalid(op, "fn", "must not be nil"))
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return nil, fmt.Errorf("memory: update risk %s: %w", id, err)
	}
	defer s.close(t, td)
	if td == nil {
		return nil, notFound("risk", id)
	}
	lock := s.stripeFor(id)
	if err := lock.lock(ctx); err != nil {
		return nil, fmt.Errorf("memory: update risk %s: %w", id, err)
	}
	defer lock.unlock()
	for {
		td.mu.RLock()
		cur, ok := td.risks[id]
		td.mu.RUnlock()
		if !ok {
			return nil, notFound("risk", id)
		}
		work := cur.r.Clone()
		if err := fn(work); err != nil {
			return nil, err
		}
		if err := complaint.CheckRiskUpdate(op, cur.r, work); err != nil {
			return nil, fmt.Errorf("memory: update risk %s: %w", id, err)
		}
		if _, err := complaint.RiskFromRecord(work.Record()); err != nil {
			return nil, fmt.Errorf("memory: update risk %s: %w", id, err)
		}
		clone := work.Clone()
		version := cur.r.Version() + 1
		clone.Saved(version)
		next := storedRisk{r: clone, key: cur.key} // the hotspot is unchanged

		td.mu.Lock()
		if now, ok := td.risks[id]; !ok || now.r != cur.r {
			td.mu.Unlock()
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("memory: update risk %s: %w", id, err)
			}
			continue
		}
		if td.activeConflict(next) {
			td.mu.Unlock()
			return nil, fmt.Errorf("memory: update risk %s: hotspot %q already has an active risk: %w", id, next.key, crm.ErrDuplicate)
		}
		td.putRisk(&cur, &next)
		if t != nil {
			t.record(func() { td.locked(func() { td.putRisk(&next, &cur) }) })
		}
		td.mu.Unlock()
		work.Saved(version)
		return work, nil
	}
}

// ListRisks returns a page of the risks matching q in ascending ID order;
// see complaint.Store. A tenant has few risks: the list walks them all.
func (cs *complaintStore) ListRisks(ctx context.Context, tenant crm.TenantID, q complaint.RiskQuery, page crm.PageRequest) (crm.Page[*complaint.Risk], error) {
	const op = "memory.Complaints.ListRisks"
	var out crm.Page[*complaint.Risk]
	if err := checkCtx(ctx, "list risks"); err != nil {
		return out, err
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", q.Validate())
	page, perr := page.Normalize()
	v.Merge("page", perr)
	after, hasAfter, cerr := decodeIDCursor(op, kindRisks, page.Cursor)
	v.Merge("page", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("memory: list risks: %w", err)
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return out, fmt.Errorf("memory: list risks: %w", err)
	}
	defer s.close(t, td)
	out.Items = []*complaint.Risk{}
	if td == nil {
		return out, nil
	}
	td.mu.RLock()
	found := walkAfter(td.riskIDs, after, hasAfter, page.Limit, func(id crm.ID) (*complaint.Risk, bool) {
		st := td.risks[id]
		return st.r, (q.Key == "" || st.key == q.Key) && q.Matches(st.r)
	})
	td.mu.RUnlock()
	return finishPage(found, page.Limit, kindRisks, (*complaint.Risk).Clone), nil
}
