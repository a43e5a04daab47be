package complaint

import (
	"context"
	"fmt"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/guard"
)

// Guard returns s behind the layer that checks every argument of every call
// and every complaint and risk on its way into s, so that the same rules
// and limits hold on every path into every store (see "Limits" in the
// package documentation): a complaint built with FromRecord or replaced
// wholesale inside an Update closure is checked exactly like one built
// with New. A refused call wraps crm.ErrInvalid (a *crm.ValidationError
// says which field) and never reaches s; a cancelled context fails before
// s is called. A record of another tenant or ID handed back by s is an
// error wrapping crm.ErrCorrupt. After a successful Create or CreateRisk
// the guard marks the complaint or risk saved at version 1 (forgetting
// pending audit entries and events), whether or not s did; when the call
// ran in a transaction that then rolls back, the guard puts the complaint
// or risk back as it was before the call (see crm.AfterRollback), so that
// the caller can create it again.
//
// Services guard the store they get; stores return their Complaints()
// guarded, so a host that calls a store directly is checked the same way.
// Guard of a guarded store returns it unchanged; Guard(nil) returns nil.
func Guard(s Store) Store {
	switch g := s.(type) {
	case nil:
		return nil
	case *guarded:
		return g
	}
	return &guarded{s: s}
}

// guarded is a Store behind the checks of Guard.
type guarded struct{ s Store }

// ref checks the context, tenant and ID of a call.
func ref(ctx context.Context, op string, tenant crm.TenantID, id crm.ID) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return checkRef(op, tenant, id)
}

func sameComplaint(op string, c *Complaint, tenant crm.TenantID, id crm.ID) error {
	if c == nil || c.tenant != tenant || (!id.IsZero() && c.id != id) {
		return guard.Corrupt(op, tenant, id)
	}
	return nil
}

func sameRisk(op string, r *Risk, tenant crm.TenantID, id crm.ID) error {
	if r == nil || r.tenant != tenant || (!id.IsZero() && r.id != id) {
		return guard.Corrupt(op, tenant, id)
	}
	return nil
}

func (g *guarded) Create(ctx context.Context, c *Complaint) error {
	const op = "complaint.Store.Create"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStored(op, c, nil); err != nil {
		return err
	}
	if c.version != 0 {
		return crm.Invalid(op, "version", "must be 0 for a new complaint")
	}
	undo := guard.Keep(ctx, c, (*Complaint).Clone)
	if err := g.s.Create(ctx, c); err != nil {
		return err
	}
	c.saved(1) // whether or not the store did
	undo.AfterRollback(ctx)
	return nil
}

func (g *guarded) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Complaint, error) {
	const op = "complaint.Store.Get"
	if err := ref(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	c, err := g.s.Get(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return c, sameComplaint(op, c, tenant, id)
}

func (g *guarded) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Complaint) error) (*Complaint, error) {
	const op = "complaint.Store.Update"
	if err := ref(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, crm.Invalid(op, "fn", "must not be nil")
	}
	c, err := g.s.Update(ctx, tenant, id, func(c *Complaint) error {
		if err := sameComplaint(op, c, tenant, id); err != nil {
			return err
		}
		version, received, resolution := c.version, c.receivedAt, c.resolution
		if err := fn(c); err != nil {
			return err
		}
		var v crm.Validator
		v.Check(c != nil && c.id == id && c.tenant == tenant, "id", "fn must not change the complaint's ID or tenant")
		if err := v.Err(op); err != nil {
			return err
		}
		v.Check(c.version == version, "version", "fn must not change the complaint's version")
		v.Check(c.receivedAt.Equal(received), "received_at", "fn must not change the receipt time")
		if err := v.Err(op); err != nil {
			return err
		}
		return checkStored(op, c, resolution)
	})
	if err != nil {
		return nil, err
	}
	return c, sameComplaint(op, c, tenant, id)
}

func (g *guarded) List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Complaint], error) {
	const op = "complaint.Store.List"
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[*Complaint]{}, err
	}
	if err := q.Validate(); err != nil {
		return crm.Page[*Complaint]{}, fmt.Errorf("%s: %w", op, err)
	}
	out, err := g.s.List(ctx, tenant, q, p)
	if err != nil {
		return out, err
	}
	for _, c := range out.Items {
		if err := sameComplaint(op, c, tenant, crm.NilID); err != nil {
			return crm.Page[*Complaint]{}, err
		}
	}
	return out, nil
}

func (g *guarded) Audit(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[AuditEntry], error) {
	const op = "complaint.Store.Audit"
	if err := ref(ctx, op, tenant, id); err != nil {
		return crm.Page[AuditEntry]{}, err
	}
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[AuditEntry]{}, err
	}
	return g.s.Audit(ctx, tenant, id, p)
}

func (g *guarded) CreateRisk(ctx context.Context, r *Risk) error {
	const op = "complaint.Store.CreateRisk"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStoredRisk(op, r); err != nil {
		return err
	}
	if r.version != 0 {
		return crm.Invalid(op, "version", "must be 0 for a new risk")
	}
	undo := guard.Keep(ctx, r, (*Risk).Clone)
	if err := g.s.CreateRisk(ctx, r); err != nil {
		return err
	}
	r.version = 1 // whether or not the store did
	undo.AfterRollback(ctx)
	return nil
}

func (g *guarded) GetRisk(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Risk, error) {
	const op = "complaint.Store.GetRisk"
	if err := ref(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	r, err := g.s.GetRisk(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return r, sameRisk(op, r, tenant, id)
}

func (g *guarded) UpdateRisk(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Risk) error) (*Risk, error) {
	const op = "complaint.Store.UpdateRisk"
	if err := ref(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, crm.Invalid(op, "fn", "must not be nil")
	}
	r, err := g.s.UpdateRisk(ctx, tenant, id, func(r *Risk) error {
		if err := sameRisk(op, r, tenant, id); err != nil {
			return err
		}
		version, key, evidence := r.version, r.Key(), slices.Clone(r.hotspot.Evidence)
		if err := fn(r); err != nil {
			return err
		}
		var v crm.Validator
		v.Check(r != nil && r.id == id && r.tenant == tenant, "id", "fn must not change the risk's ID or tenant")
		if err := v.Err(op); err != nil {
			return err
		}
		v.Check(r.version == version, "version", "fn must not change the risk's version")
		v.Check(r.Key() == key && slices.Equal(r.hotspot.Evidence, evidence), "hotspot", "fn must not change the risk's hotspot")
		if err := v.Err(op); err != nil {
			return err
		}
		return checkStoredRisk(op, r)
	})
	if err != nil {
		return nil, err
	}
	return r, sameRisk(op, r, tenant, id)
}

func (g *guarded) ListRisks(ctx context.Context, tenant crm.TenantID, q RiskQuery, page crm.PageRequest) (crm.Page[*Risk], error) {
	const op = "complaint.Store.ListRisks"
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[*Risk]{}, err
	}
	if err := q.Validate(); err != nil {
		return crm.Page[*Risk]{}, fmt.Errorf("%s: %w", op, err)
	}
	out, err := g.s.ListRisks(ctx, tenant, q, p)
	if err != nil {
		return out, err
	}
	for _, r := range out.Items {
		if err := sameRisk(op, r, tenant, crm.NilID); err != nil {
			return crm.Page[*Risk]{}, err
		}
	}
	return out, nil
}
