package customer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/guard"
	"github.com/crmkit/crm/internal/hook"
)

// The store-only operations on account plans, reached by stores through
// internal/hook and by nobody else.
func init() {
	hook.Register(hook.Entity[*AccountPlan, AccountPlanRecord, hook.None]{
		Saved:   (*AccountPlan).saved,
		Adopt:   adoptPlanRecord,
		Pending: func(*AccountPlan) []hook.None { return nil }, // history lives in the plan
	})
}

// AccountPlanStore is the storage port of account plans, under the rules
// of [Store] (tenancy, context, isolation, errors, limits). Stores return
// it behind [GuardAccountPlans]. Implementations must be safe for
// concurrent use.
//
// # One active plan per account and period
//
// At most one active plan of a customer may cover any moment: storing an
// active plan (Create, or Update to active or with a new period) whose
// period [start, end) overlaps that of another active plan of the same
// customer returns crm.ErrDuplicate and stores nothing. Drafts and closed
// plans may overlap anything. The check and the write are one atomic step
// (under the tenant's lock, or a row lock on the customer).
type AccountPlanStore interface {
	// Create stores a new plan at version 1; p is then marked saved at
	// version 1 ([GuardAccountPlans] does it for every store, and when ctx
	// carries a transaction that then rolls back, puts p back as it was
	// before the call, so that the same p can be created again). A version
	// other than 0 returns crm.ErrInvalid; an existing
	// ID crm.ErrDuplicate; an overlapping active plan crm.ErrDuplicate. The
	// store does not check that the customer exists (as for leads, no
	// store keeps a foreign key to customers): [Service.CreateAccountPlan]
	// does.
	Create(ctx context.Context, p *AccountPlan) error

	// Get returns the plan.
	Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*AccountPlan, error)

	// Update runs fn on the latest plan under a lock and stores the result
	// at the next version, like Store.Update: fn may run more than once; its
	// error is returned as is; fn must not change the plan's ID, tenant,
	// customer, version or creation time. Only [Service.Merge] may change
	// the customer (moving a merged customer's plans to the survivor): a
	// store stores it and applies the one-active-plan rule to the new
	// customer.
	Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*AccountPlan) error) (*AccountPlan, error)

	// List returns the plans matching q ([AccountPlanQuery.Matches] is the
	// reference) in ascending ID order, with the cursor rules of
	// Store.List.
	List(ctx context.Context, tenant crm.TenantID, q AccountPlanQuery, page crm.PageRequest) (crm.Page[*AccountPlan], error)
}

// AccountPlanBackend is what the account plan methods of a [Service] need
// besides its Backend. storage.Store satisfies it.
type AccountPlanBackend interface {
	Backend
	AccountPlans() AccountPlanStore
}

// AccountPlanQuery filters a plan list. Zero fields do not filter; set
// fields must all match.
type AccountPlanQuery struct {
	// Customer keeps one account's plans.
	Customer crm.ID `json:"customer,omitzero"`
	// Member keeps the plans whose team includes the user.
	Member crm.UserID `json:"member,omitempty"`
	// Status keeps plans in that status.
	Status PlanStatus `json:"status,omitzero"`
	// InForceAt keeps the plans whose period [start, end) contains the
	// instant: start ≤ InForceAt < end, compared to the nanosecond, in
	// any status (add Status: PlanActive for the plan that governs an
	// account at that moment). A plan of the calendar year 2026 (start
	// 2026-01-01T00:00Z, end 2027-01-01T00:00Z) is in force from its first
	// instant to 2026-12-31T23:59:59.999999999Z and not at 2027-01-01T00:00Z.
	// It must lie in the supported time range (crm.ValidTime).
	InForceAt time.Time `json:"in_force_at,omitzero"`
}

// Validate returns a *crm.ValidationError when q holds an unknown value.
func (q AccountPlanQuery) Validate() error {
	var v crm.Validator
	if q.Member != "" {
		v.Merge("member", q.Member.Validate())
	}
	v.Check(q.Status == 0 || q.Status.Valid(), "status", "unknown status")
	v.Check(q.InForceAt.IsZero() || crm.ValidTime(q.InForceAt), "in_force_at", "outside the supported time range")
	return v.Err("customer.AccountPlanQuery")
}

// Matches reports whether p passes every filter of q.
func (q AccountPlanQuery) Matches(p *AccountPlan) bool {
	switch {
	case !q.Customer.IsZero() && p.customer != q.Customer,
		q.Member != "" && !p.HasMember(q.Member),
		q.Status != 0 && p.status != q.Status,
		!q.InForceAt.IsZero() && !p.InForceAt(q.InForceAt):
		return false
	}
	return true
}

// ActivePlansClash reports whether a and b may not both be stored: two
// distinct active plans of the same customer and tenant whose periods
// overlap. Stores use it for the rule of [AccountPlanStore].
func ActivePlansClash(a, b *AccountPlan) bool {
	return a.id != b.id && a.tenant == b.tenant && a.customer == b.customer &&
		a.status == PlanActive && b.status == PlanActive && a.Overlaps(b)
}

// GuardAccountPlans returns s behind the layer that checks every argument
// and every plan on its way into s (the check of [AccountPlanFromRecord]),
// and every plan handed back (another tenant's or ID's is an error
// wrapping crm.ErrCorrupt). It marks a created plan saved at version 1,
// and puts it back as it was before the Create when the Create ran in a
// transaction that then rolls back (see crm.AfterRollback), so that the
// caller can create it again. Guarding a guarded store returns it; nil
// gives nil.
func GuardAccountPlans(s AccountPlanStore) AccountPlanStore {
	switch g := s.(type) {
	case nil:
		return nil
	case *guardedPlans:
		return g
	}
	return &guardedPlans{s: s}
}

type guardedPlans struct{ s AccountPlanStore }

func samePlan(op string, p *AccountPlan, tenant crm.TenantID, id crm.ID) error {
	if p == nil || p.tenant != tenant || (!id.IsZero() && p.id != id) {
		return guard.Corrupt(op, tenant, id)
	}
	return nil
}

func checkStoredPlan(op string, p *AccountPlan) error {
	if p == nil {
		return crm.Invalid(op, "plan", "must not be nil")
	}
	return checkPlanRecord(op, p.view())
}

func planRef(ctx context.Context, op string, tenant crm.TenantID, id crm.ID) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var v crm.Validator
	v.Merge("tenant", tenant.Validate())
	v.Check(!id.IsZero(), "id", "must not be zero")
	return v.Err(op)
}

func (g *guardedPlans) Create(ctx context.Context, p *AccountPlan) error {
	const op = "customer.AccountPlanStore.Create"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStoredPlan(op, p); err != nil {
		return err
	}
	if p.version != 0 {
		return crm.Invalid(op, "version", "must be 0 for a new plan")
	}
	undo := guard.Keep(ctx, p, (*AccountPlan).Clone)
	if err := g.s.Create(ctx, p); err != nil {
		return err
	}
	p.saved(1)
	undo.AfterRollback(ctx)
	return nil
}

func (g *guardedPlans) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*AccountPlan, error) {
	const op = "customer.AccountPlanStore.Get"
	if err := planRef(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	p, err := g.s.Get(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return p, samePlan(op, p, tenant, id)
}

func (g *guardedPlans) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*AccountPlan) error) (*AccountPlan, error) {
	const op = "customer.AccountPlanStore.Update"
	if err := planRef(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, crm.Invalid(op, "fn", "must not be nil")
	}
	p, err := g.s.Update(ctx, tenant, id, func(p *AccountPlan) error {
		if err := samePlan(op, p, tenant, id); err != nil {
			return err
		}
		version, created, cust := p.version, p.createdAt, p.customer
		rekey := rekeyAllowed(ctx, id)
		if err := fn(p); err != nil {
			return err
		}
		var v crm.Validator
		v.Check(p.id == id && p.tenant == tenant, "id", "fn must not change the plan's ID or tenant")
		v.Check(rekey || p.customer == cust, "customer", "fn must not change the plan's customer")
		v.Check(p.version == version, "version", "fn must not change the plan's version")
		v.Check(p.createdAt.Equal(created), "created_at", "fn must not change the creation time")
		if err := v.Err(op); err != nil {
			return err
		}
		return checkStoredPlan(op, p)
	})
	if err != nil {
		return nil, err
	}
	return p, samePlan(op, p, tenant, id)
}

func (g *guardedPlans) List(ctx context.Context, tenant crm.TenantID, q AccountPlanQuery, page crm.PageRequest) (crm.Page[*AccountPlan], error) {
	const op = "customer.AccountPlanStore.List"
	pr, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[*AccountPlan]{}, err
	}
	if err := q.Validate(); err != nil {
		return crm.Page[*AccountPlan]{}, fmt.Errorf("%s: %w", op, err)
	}
	out, err := g.s.List(ctx, tenant, q, pr)
	if err != nil {
		return out, err
	}
	for _, p := range out.Items {
		if err := samePlan(op, p, tenant, crm.NilID); err != nil {
			return crm.Page[*AccountPlan]{}, err
		}
		if !q.Matches(p) {
			return crm.Page[*AccountPlan]{}, fmt.Errorf("%s: the store returned plan %s outside the query: %w", op, p.id, crm.ErrCorrupt)
		}
	}
	return out, nil
}

// planJSON is the JSON form of a plan: the record and a format version.
type planJSON struct {
	V int `json:"v"`
	AccountPlanRecord
}

// MarshalJSON writes the plan's record with "v": [JSONVersion]; pending
// events are not part of it.
func (p *AccountPlan) MarshalJSON() ([]byte, error) {
	if p == nil || p.id.IsZero() {
		return nil, crm.Invalid("customer.AccountPlan.MarshalJSON", "", "a zero plan has no JSON form")
	}
	return json.Marshal(planJSON{V: JSONVersion, AccountPlanRecord: p.view()})
}

// UnmarshalJSON reads the form MarshalJSON writes, strictly (through
// crm.DecodeJSON), and rebuilds the plan with [AccountPlanFromRecord]. A
// refusal is a *crm.ValidationError; on error p is unchanged. JSON null
// leaves p unchanged.
func (p *AccountPlan) UnmarshalJSON(data []byte) error {
	const op = "customer.AccountPlan.UnmarshalJSON"
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var w planJSON
	if err := crm.DecodeJSON(data, &w, op); err != nil {
		return err
	}
	if w.V != JSONVersion {
		return crm.Invalid(op, "v", fmt.Sprintf("unknown version %d (want %d)", w.V, JSONVersion))
	}
	if err := checkPlanRecord(op, w.AccountPlanRecord); err != nil {
		return err
	}
	d := adoptPlan(w.AccountPlanRecord)
	d.canon()
	*p = *d
	return nil
}
