package memory

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// risks is the fixture of the risk table: snapshots with their hotspot
// key, and the one active risk of each key, which admit enforces.
var risks = &aggregate[storedRisk, *complaint.Risk, struct{}]{
	what:  "risk",
	table: func(td *tenantData) *table[storedRisk] { return &td.risks },
	id:    func(st storedRisk) crm.ID { return st.r.ID() },
	index: (*tenantData).indexRisk,
	admit: func(td *tenantData, _, st storedRisk) error {
		if td.activeConflict(st) {
			return fmt.Errorf("hotspot %q already has an active risk: %w", st.key, crm.ErrDuplicate)
		}
		return nil
	},
	edit: func(cur storedRisk) *complaint.Risk { return cur.r.Clone() },
	next: func(op string, cur storedRisk, work *complaint.Risk) (storedRisk, struct{}, error) {
		clone := work.Clone()
		riskHooks.Saved(clone, cur.r.Version()+1)
		return storedRisk{r: clone, key: cur.key}, struct{}{}, nil // the hotspot is unchanged
	},
	saved: func(work *complaint.Risk, next storedRisk) { riskHooks.Saved(work, next.r.Version()) },
}

// storedRisk is an immutable risk snapshot with its hotspot key, computed
// before the tenant's lock is taken.
type storedRisk struct {
	r   *complaint.Risk
	key string
}

func newStoredRisk(r *complaint.Risk) storedRisk { return storedRisk{r: r, key: r.Key()} }

// indexRisk keeps the active-key index in step when old (zero: none) is
// replaced by new (zero: removed). Both must have the same ID. The fixture's
// admit checks the one-active-risk-per-key rule first.
func (td *tenantData) indexRisk(old, new storedRisk) {
	var id crm.ID
	switch {
	case new.r != nil:
		id = new.r.ID()
	case old.r != nil:
		id = old.r.ID()
	default:
		return
	}
	if old.r != nil && old.r.Active() && td.activeRisk[old.key] == id {
		delete(td.activeRisk, old.key)
	}
	if new.r != nil && new.r.Active() {
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

// CreateRisk stores a new risk at version 1; see complaint.Store. A risk
// that does not pass the checks of complaint.RiskFromRecord is refused with
// crm.ErrInvalid, one that would give its hotspot key a second active risk
// with crm.ErrDuplicate.
func (cs *complaintStore) CreateRisk(ctx context.Context, r *complaint.Risk) error {
	const op = "memory.Complaints.CreateRisk"
	if err := checkCtx(ctx, "create risk"); err != nil {
		return err
	}
	if r == nil {
		return fmt.Errorf("memory: create risk: %w", crm.Invalid(op, "risk", "must not be nil"))
	}
	id := r.ID()
	if r.Version() != 0 {
		return fmt.Errorf("memory: create risk %s: %w", id, crm.Invalid(op, "version", "must be 0 for a new risk"))
	}
	clone := r.Clone()
	riskHooks.Saved(clone, 1)
	if err := risks.create(cs.s, ctx, r.Tenant(), newStoredRisk(clone), true, nil, struct{}{}); err != nil {
		return err
	}
	riskHooks.Saved(r, 1)
	return nil
}

// GetRisk returns a copy of the risk; see complaint.Store.
func (cs *complaintStore) GetRisk(ctx context.Context, tenant crm.TenantID, id crm.ID) (*complaint.Risk, error) {
	st, err := risks.get(cs.s, ctx, "memory.Complaints.GetRisk", tenant, id)
	if err != nil {
		return nil, err
	}
	return st.r.Clone(), nil
}

// UpdateRisk runs fn on a copy of the latest state of the risk and stores
// the result at the next version; see complaint.Store. A result that would
// give its hotspot key a second active risk returns crm.ErrDuplicate.
func (cs *complaintStore) UpdateRisk(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*complaint.Risk) error) (*complaint.Risk, error) {
	return risks.update(cs.s, ctx, "memory.Complaints.UpdateRisk", tenant, id, fn)
}

// ListRisks returns a page of the risks matching q in ascending ID order;
// see complaint.Store. A tenant has few risks: the list walks them all.
func (cs *complaintStore) ListRisks(ctx context.Context, tenant crm.TenantID, q complaint.RiskQuery, page crm.PageRequest) (crm.Page[*complaint.Risk], error) {
	return list(risks, cs.s, ctx, "memory.Complaints.ListRisks", tenant, q.Validate(), page, kindRisks,
		func(td *tenantData) []crm.ID { return td.risks.ids },
		func(st storedRisk) (*complaint.Risk, bool) {
			return st.r, (q.Key == "" || st.key == q.Key) && q.Matches(st.r)
		},
		(*complaint.Risk).Clone)
}
