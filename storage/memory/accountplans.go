package memory

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
)

// kindPlans is the cursor kind of account plan lists.
const kindPlans byte = 'a'

var planHooks = hook.For[*customer.AccountPlan, customer.AccountPlanRecord, hook.None]()

// planData is the account plans of one tenant with their indexes, each an
// ascending ID list: the list filters and the overlap check.
type planData struct {
	table      table[*customer.AccountPlan]
	byCustomer map[crm.ID][]crm.ID
	byMember   map[crm.UserID][]crm.ID
	byStatus   map[customer.PlanStatus][]crm.ID
}

func newPlanData() planData {
	return planData{
		table:      newTable[*customer.AccountPlan](),
		byCustomer: make(map[crm.ID][]crm.ID),
		byMember:   make(map[crm.UserID][]crm.ID),
		byStatus:   make(map[customer.PlanStatus][]crm.ID),
	}
}

// planStore implements customer.AccountPlanStore on a Store's tenants.
type planStore struct{ s *Store }

var _ customer.AccountPlanStore = (*planStore)(nil)

// AccountPlans returns the store's account plan store, behind
// customer.GuardAccountPlans.
func (s *Store) AccountPlans() customer.AccountPlanStore {
	return customer.GuardAccountPlans(&planStore{s: s})
}

// plans is the fixture of the plan table: immutable snapshots, indexed by
// customer, member and status, admitted under the one-active-plan rule.
var plans = &aggregate[*customer.AccountPlan, *customer.AccountPlan, struct{}]{
	what:  "account plan",
	table: func(td *tenantData) *table[*customer.AccountPlan] { return &td.plans.table },
	id:    (*customer.AccountPlan).ID,
	index: indexPlan,
	admit: admitPlan,
	edit:  (*customer.AccountPlan).Clone,
	next: func(op string, cur, work *customer.AccountPlan) (*customer.AccountPlan, struct{}, error) {
		next := work.Clone()
		planHooks.Saved(next, cur.Version()+1)
		return next, struct{}{}, nil
	},
	saved: func(work, next *customer.AccountPlan) { planHooks.Saved(work, next.Version()) },
}

// indexPlan moves the plan's IDs in the indexes from old to new (either
// nil). The caller holds td.mu.
func indexPlan(td *tenantData, old, new *customer.AccountPlan) {
	pd := &td.plans
	if old != nil {
		id := old.ID()
		pd.byCustomer[old.Customer()] = dropID(pd.byCustomer, old.Customer(), id)
		pd.byStatus[old.Status()] = dropID(pd.byStatus, old.Status(), id)
		for _, m := range old.Team() {
			pd.byMember[m.User] = dropID(pd.byMember, m.User, id)
		}
		clean(pd.byCustomer, old.Customer())
		clean(pd.byStatus, old.Status())
		for _, m := range old.Team() {
			clean(pd.byMember, m.User)
		}
	}
	if new != nil {
		id := new.ID()
		pd.byCustomer[new.Customer()] = insertID(pd.byCustomer[new.Customer()], id)
		pd.byStatus[new.Status()] = insertID(pd.byStatus[new.Status()], id)
		for _, m := range new.Team() {
			pd.byMember[m.User] = insertID(pd.byMember[m.User], id)
		}
	}
}

// dropID returns m[k] without id.
func dropID[K comparable](m map[K][]crm.ID, k K, id crm.ID) []crm.ID {
	return removeID(m[k], id)
}

// clean deletes m[k] when it is empty, so that indexes do not grow with
// keys that no longer list anything.
func clean[K comparable](m map[K][]crm.ID, k K) {
	if len(m[k]) == 0 {
		delete(m, k)
	}
}

// admitPlan refuses an active plan whose period overlaps another active
// plan of the same customer. The caller holds td.mu.
func admitPlan(td *tenantData, _, new *customer.AccountPlan) error {
	if new.Status() != customer.PlanActive {
		return nil
	}
	for _, id := range td.plans.byCustomer[new.Customer()] {
		if other := td.plans.table.rows[id]; other != nil && customer.ActivePlansClash(new, other) {
			return fmt.Errorf("plan %s of customer %s overlaps active plan %s: %w", new.ID(), new.Customer(), id, crm.ErrDuplicate)
		}
	}
	return nil
}

// Create stores a new plan at version 1; see customer.AccountPlanStore.
func (ps *planStore) Create(ctx context.Context, p *customer.AccountPlan) error {
	const op = "memory.AccountPlans.Create"
	if err := checkCtx(ctx, "create account plan"); err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("memory: create account plan: %w", crm.Invalid(op, "plan", "must not be nil"))
	}
	if p.Version() != 0 {
		return fmt.Errorf("memory: create account plan %s: %w", p.ID(), crm.Invalid(op, "version", "must be 0 for a new plan"))
	}
	snap := p.Clone()
	planHooks.Saved(snap, 1)
	if err := plans.create(ps.s, ctx, p.Tenant(), snap, true, nil, struct{}{}); err != nil {
		return err
	}
	planHooks.Saved(p, 1)
	return nil
}

// Get returns a copy of the plan; see customer.AccountPlanStore.
func (ps *planStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*customer.AccountPlan, error) {
	p, err := plans.get(ps.s, ctx, "memory.AccountPlans.Get", tenant, id)
	if err != nil {
		return nil, err
	}
	return p.Clone(), nil
}

// Update runs fn on a copy of the latest plan and stores the result; see
// customer.AccountPlanStore.
func (ps *planStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*customer.AccountPlan) error) (*customer.AccountPlan, error) {
	return plans.update(ps.s, ctx, "memory.AccountPlans.Update", tenant, id, fn)
}

// List returns a page of the plans matching q, ascending by ID, walking the
// narrowest index q selects; see customer.AccountPlanStore. InForceAt has
// no index of its own: it is two time comparisons per plan walked (a
// tenant's plans, or those of the index another filter selects).
func (ps *planStore) List(ctx context.Context, tenant crm.TenantID, q customer.AccountPlanQuery, page crm.PageRequest) (crm.Page[*customer.AccountPlan], error) {
	return list(plans, ps.s, ctx, "memory.AccountPlans.List", tenant, q.Validate(), page, kindPlans,
		func(td *tenantData) []crm.ID {
			switch {
			case !q.Customer.IsZero():
				return td.plans.byCustomer[q.Customer]
			case q.Member != "":
				return td.plans.byMember[q.Member]
			case q.Status != 0:
				return td.plans.byStatus[q.Status]
			}
			return td.plans.table.ids
		},
		func(p *customer.AccountPlan) (*customer.AccountPlan, bool) { return p, q.Matches(p) },
		(*customer.AccountPlan).Clone)
}
