package opportunity

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/guard"
)

// Guard returns s behind the layer that checks every argument of every call
// and every opportunity on its way into s, so that the same rules and
// limits hold on every path into every store: an opportunity built with
// FromRecord or replaced wholesale inside an Update closure is checked
// exactly like one built with New (text valid UTF-8 within its limits and
// without NUL bytes, times within crm.ValidTime, the invariants of
// FromRecord, a stage history that continues). A refused call wraps
// crm.ErrInvalid (a *crm.ValidationError says which field) and never
// reaches s; a cancelled context fails before s is called. A record of
// another tenant or ID handed back by s is an error wrapping
// crm.ErrCorrupt. After a successful Create the guard marks the
// opportunity saved at version 1 (forgetting its pending stage changes and
// events), whether or not s did.
//
// Services guard the store they get; stores return their Opportunities()
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

// same checks that a store handed back the record it was asked for.
func same(op string, o *Opportunity, tenant crm.TenantID, id crm.ID) error {
	if o == nil || o.tenant != tenant || (!id.IsZero() && o.id != id) {
		return fmt.Errorf("%s: the store returned another record than %s of tenant %q: %w", op, id, tenant, crm.ErrCorrupt)
	}
	return nil
}

func (g *guarded) Create(ctx context.Context, o *Opportunity) error {
	const op = "opportunity.Store.Create"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStored(op, o); err != nil {
		return err
	}
	if o.version != 0 {
		return crm.Invalid(op, "version", "must be 0 for a new opportunity")
	}
	if int64(len(o.pending)) != o.seq {
		return crm.Invalid(op, "history", "a new opportunity is stored with its whole stage history, creation included")
	}
	undo := guard.Keep(ctx, o, (*Opportunity).Clone)
	if err := g.s.Create(ctx, o); err != nil {
		return err
	}
	o.saved(1) // whether or not the store did
	undo.AfterRollback(ctx)
	return nil
}

func (g *guarded) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Opportunity, error) {
	const op = "opportunity.Store.Get"
	if err := ref(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	o, err := g.s.Get(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return o, same(op, o, tenant, id)
}

func (g *guarded) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Opportunity) error) (*Opportunity, error) {
	const op = "opportunity.Store.Update"
	if err := ref(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, crm.Invalid(op, "fn", "must not be nil")
	}
	o, err := g.s.Update(ctx, tenant, id, func(o *Opportunity) error {
		if err := same(op, o, tenant, id); err != nil {
			return err
		}
		// A copy-on-write snapshot: fn changing o copies o's state first,
		// so before keeps what the store handed in.
		before := o.Clone()
		if err := fn(o); err != nil {
			return err
		}
		if err := checkUpdate(op, before, o); err != nil {
			return err
		}
		return checkStored(op, o)
	})
	if err != nil {
		return nil, err
	}
	return o, same(op, o, tenant, id)
}

func (g *guarded) List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Opportunity], error) {
	const op = "opportunity.Store.List"
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[*Opportunity]{}, err
	}
	if err := q.Validate(); err != nil {
		return crm.Page[*Opportunity]{}, fmt.Errorf("%s: %w", op, err)
	}
	out, err := g.s.List(ctx, tenant, q, p)
	if err != nil {
		return out, err
	}
	for _, o := range out.Items {
		if err := same(op, o, tenant, crm.NilID); err != nil {
			return crm.Page[*Opportunity]{}, err
		}
	}
	return out, nil
}

func (g *guarded) History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[StageChange], error) {
	const op = "opportunity.Store.History"
	if err := ref(ctx, op, tenant, id); err != nil {
		return crm.Page[StageChange]{}, err
	}
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[StageChange]{}, err
	}
	out, err := g.s.History(ctx, tenant, id, p)
	if err != nil {
		return out, err
	}
	for _, c := range out.Items {
		if c.Opportunity != id {
			return crm.Page[StageChange]{}, fmt.Errorf("%s: the store returned a stage change of %s for %s: %w", op, c.Opportunity, id, crm.ErrCorrupt)
		}
	}
	return out, nil
}
