package customer

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
)

// plans returns the account plan store of the service's backend, guarded,
// or an error wrapping crm.ErrUnsupported when the backend has none.
func (s *Service) plans(op string) (AccountPlanStore, error) {
	b, ok := s.backend.(AccountPlanBackend)
	if !ok || b.AccountPlans() == nil {
		return nil, fmt.Errorf("customer: %s: the backend keeps no account plans: %w", op, crm.ErrUnsupported)
	}
	return GuardAccountPlans(b.AccountPlans()), nil
}

// checkLeadOwner refuses a plan whose lead manager is not the owner of its
// customer, read in the transaction ctx carries.
func (s *Service) checkLeadOwner(ctx context.Context, op string, p *AccountPlan) error {
	c, err := s.store.Get(ctx, p.tenant, p.customer)
	if err != nil {
		return err
	}
	if c.IsTombstone() {
		return crm.Invalid(op, "customer", fmt.Sprintf("customer %s was merged into %s", c.id, c.mergedInto))
	}
	if lead, _ := p.Lead(); lead.User != c.owner {
		return crm.Invalid(op, "lead", fmt.Sprintf("the lead manager %q is not the customer's owner %q", lead.User, c.owner))
	}
	return nil
}

// CreateAccountPlan draws up a draft plan for a key account from in (a
// zero in.ID gets a generated one) and stores it, in one transaction that
// also reads the customer: it must exist and its owner must be the team's
// lead manager (crm.ErrInvalid at "lead" otherwise); a merged customer's
// tombstone is refused with a *MergedError (crm.ErrMerged), read under the
// customer's row lock so that a merge running meanwhile moves the new plan
// or is seen. ch.At defaults to the service clock. A backend without
// account plans returns an error wrapping crm.ErrUnsupported.
func (s *Service) CreateAccountPlan(ctx context.Context, in AccountPlanInput, ch Change) (*AccountPlan, error) {
	const op = "customer.Service.CreateAccountPlan"
	store, err := s.plans("create account plan")
	if err != nil {
		return nil, err
	}
	if in.ID.IsZero() {
		if in.ID, err = s.ids.NewID(); err != nil {
			return nil, fmt.Errorf("customer: create account plan: %w", err)
		}
	}
	p, err := NewAccountPlan(in, s.change(ch))
	if err != nil {
		return nil, err
	}
	var out *AccountPlan
	err = s.write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		d := p.Clone() // a retried transaction starts again from p
		events := d.events
		// Lock the customer first (a merge running meanwhile then moves
		// the plan or is seen); a tombstone is a *MergedError.
		if err := s.requireCustomers(ctx, d.tenant, d.customer); err != nil {
			return nil, err
		}
		if err := s.checkLeadOwner(ctx, op, d); err != nil {
			return nil, err
		}
		if err := store.Create(ctx, d); err != nil {
			return nil, err
		}
		out = d
		return versioned(events, d.version), nil
	})
	if err != nil {
		return nil, fmt.Errorf("customer: create account plan %s: %w", in.ID, err)
	}
	return out, nil
}

// UpdateAccountPlan runs fn on the latest plan (team, goal and progress
// changes through the plan's methods) and stores the result in one
// transaction, publishing the events the changes recorded. fn may run more
// than once; its error is returned as is. A closure that makes another
// member the lead manager is checked against the customer's owner like
// [Service.SetAccountPlanLead].
func (s *Service) UpdateAccountPlan(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*AccountPlan) error) (*AccountPlan, error) {
	const op = "customer.Service.UpdateAccountPlan"
	store, err := s.plans("update account plan")
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, crm.Invalid(op, "fn", "must not be nil")
	}
	var out *AccountPlan
	err = s.write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		var events []crm.Event
		var leadMoved bool
		p, err := store.Update(ctx, tenant, id, func(p *AccountPlan) error {
			before, _ := p.Lead()
			n := len(p.events)
			if err := fn(p); err != nil {
				return err
			}
			after, _ := p.Lead()
			leadMoved = before.User != after.User
			events = append([]crm.Event(nil), p.events[n:]...)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if leadMoved && p.status != PlanClosed {
			if err := s.checkLeadOwner(ctx, op, p); err != nil {
				return nil, err // rolls the update back
			}
		}
		out = p
		return versioned(events, p.version), nil
	})
	if err != nil {
		return nil, fmt.Errorf("customer: update account plan %s: %w", id, err)
	}
	return out, nil
}

// ActivateAccountPlan puts a draft plan in force, in one transaction that
// checks its lead manager is still the customer's owner. Another active
// plan of the account whose period overlaps returns crm.ErrDuplicate.
func (s *Service) ActivateAccountPlan(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*AccountPlan, error) {
	const op = "customer.Service.ActivateAccountPlan"
	store, err := s.plans("activate account plan")
	if err != nil {
		return nil, err
	}
	ch = s.change(ch)
	var out *AccountPlan
	err = s.write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		var events []crm.Event
		p, err := store.Update(ctx, tenant, id, func(p *AccountPlan) error {
			if err := s.checkLeadOwner(ctx, op, p); err != nil {
				return err
			}
			n := len(p.events)
			if err := p.SetStatus(PlanActive, ch); err != nil {
				return err
			}
			events = append([]crm.Event(nil), p.events[n:]...)
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = p
		return versioned(events, p.version), nil
	})
	if err != nil {
		return nil, fmt.Errorf("customer: activate account plan %s: %w", id, err)
	}
	return out, nil
}

// CloseAccountPlan closes a draft or active plan.
func (s *Service) CloseAccountPlan(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*AccountPlan, error) {
	ch = s.change(ch)
	return s.UpdateAccountPlan(ctx, tenant, id, func(p *AccountPlan) error { return p.SetStatus(PlanClosed, ch) })
}

// SetAccountPlanLead makes user, a member who is an account manager, the
// plan's lead manager; user must be the customer's owner (move the
// customer first with the owner change, then the plan).
func (s *Service) SetAccountPlanLead(ctx context.Context, tenant crm.TenantID, id crm.ID, user crm.UserID, ch Change) (*AccountPlan, error) {
	ch = s.change(ch)
	return s.UpdateAccountPlan(ctx, tenant, id, func(p *AccountPlan) error { return p.SetLead(user, ch) })
}

// RecordPlanProgress records e against its goal of an active plan.
func (s *Service) RecordPlanProgress(ctx context.Context, tenant crm.TenantID, id crm.ID, e Progress, ch Change) (*AccountPlan, error) {
	ch = s.change(ch)
	return s.UpdateAccountPlan(ctx, tenant, id, func(p *AccountPlan) error { return p.RecordProgress(e, ch) })
}

// AccountPlan returns a plan.
func (s *Service) AccountPlan(ctx context.Context, tenant crm.TenantID, id crm.ID) (*AccountPlan, error) {
	store, err := s.plans("get account plan")
	if err != nil {
		return nil, err
	}
	p, err := store.Get(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("customer: get account plan %s: %w", id, err)
	}
	return p, nil
}

// AccountPlans lists the plans matching q in ascending ID order.
func (s *Service) AccountPlans(ctx context.Context, tenant crm.TenantID, q AccountPlanQuery, page crm.PageRequest) (crm.Page[*AccountPlan], error) {
	store, err := s.plans("list account plans")
	if err != nil {
		return crm.Page[*AccountPlan]{}, err
	}
	out, err := store.List(ctx, tenant, q, page)
	if err != nil {
		return out, fmt.Errorf("customer: list account plans: %w", err)
	}
	return out, nil
}
