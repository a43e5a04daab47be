package customer

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/guard"
)

// MaxContactKeys bounds the e-mail addresses and phone numbers, together
// and after removing repeats, of one Store.FindByContact call.
const MaxContactKeys = 10000

// Guard returns s behind the layer that checks every argument of every call
// and every customer, interaction and visit on its way into s, so that the
// same rules and limits hold on every path into every store (see "Limits"
// in the package documentation): a customer built with FromRecord or
// replaced wholesale inside an Update closure is checked exactly like one
// built with New. A refused call wraps crm.ErrInvalid (a
// *crm.ValidationError says which field) and never reaches s; a cancelled
// context fails before s is called. Results are checked too: a record of
// another tenant or ID handed back by s is an error wrapping crm.ErrCorrupt.
// After a successful Create, Save or ImportCustomers the guard marks the
// customer saved at its new version (forgetting its pending history and
// events), whether or not s did; when the call ran in a transaction that
// then rolls back, the guard puts the customer back as it was before the
// call (see crm.AfterRollback), so that the caller can retry with it.
//
// Services guard the store they get; stores return their Customers()
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
type guarded struct {
	s     Store
	zones sync.Map // time zone names known to load
}

// ref checks the context, tenant and ID of a call.
func ref(ctx context.Context, op string, tenant crm.TenantID, id crm.ID, idPath string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return checkRef(op, tenant, id, idPath)
}

// same checks that a store handed back the record it was asked for.
func same(op string, c *Customer, tenant crm.TenantID, id crm.ID) error {
	if c == nil || c.state == nil || c.tenant != tenant || (!id.IsZero() && c.id != id) {
		return fmt.Errorf("%s: the store returned another record than %s of tenant %q: %w", op, id, tenant, crm.ErrCorrupt)
	}
	return nil
}

func (g *guarded) Create(ctx context.Context, c *Customer) error {
	const op = "customer.Store.Create"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStored(op, c, &g.zones); err != nil {
		return err
	}
	if c.version != 0 {
		return crm.Invalid(op, "version", "must be 0 for a new customer")
	}
	return g.create(ctx, c)
}

// create hands a checked new customer to the store and marks it saved at
// version 1, whether or not the store did; if the transaction ctx carries
// rolls back, c gets back the state it had before.
func (g *guarded) create(ctx context.Context, c *Customer) error {
	undo := guard.Keep(ctx, c, (*Customer).Clone)
	if err := g.s.Create(ctx, c); err != nil {
		return err
	}
	c.saved(1)
	undo.AfterRollback(ctx)
	return nil
}

func (g *guarded) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Customer, error) {
	const op = "customer.Store.Get"
	if err := ref(ctx, op, tenant, id, "id"); err != nil {
		return nil, err
	}
	c, err := g.s.Get(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return c, same(op, c, tenant, id)
}

func (g *guarded) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Customer) error) (*Customer, error) {
	const op = "customer.Store.Update"
	if err := ref(ctx, op, tenant, id, "id"); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, crm.Invalid(op, "fn", "must not be nil")
	}
	c, err := g.s.Update(ctx, tenant, id, func(c *Customer) error {
		if err := same(op, c, tenant, id); err != nil {
			return err
		}
		version := c.version
		if err := fn(c); err != nil {
			return err
		}
		return checkChanged(op, c, tenant, id, version, &g.zones)
	})
	if err != nil {
		return nil, err
	}
	return c, same(op, c, tenant, id)
}

// checkChanged checks the result of an Update closure: the same customer,
// at the same version, within every stored rule.
func checkChanged(op string, c *Customer, tenant crm.TenantID, id crm.ID, version int64, zones *sync.Map) error {
	if c == nil || c.state == nil || c.id != id || c.tenant != tenant {
		return crm.Invalid(op, "id", "fn must not change the customer's ID or tenant")
	}
	if c.version != version {
		return crm.Invalid(op, "version", "fn must not change the customer's version")
	}
	return checkStored(op, c, zones)
}

func (g *guarded) Save(ctx context.Context, c *Customer) error {
	const op = "customer.Store.Save"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStored(op, c, &g.zones); err != nil {
		return err
	}
	next := c.version + 1
	undo := guard.Keep(ctx, c, (*Customer).Clone)
	if err := g.s.Save(ctx, c); err != nil {
		return err
	}
	c.saved(next) // whether or not the store did
	undo.AfterRollback(ctx)
	return nil
}

func (g *guarded) List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Customer], error) {
	const op = "customer.Store.List"
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[*Customer]{}, err
	}
	if err := q.Validate(); err != nil {
		return crm.Page[*Customer]{}, fmt.Errorf("%s: %w", op, err)
	}
	out, err := g.s.List(ctx, tenant, q, p)
	if err != nil {
		return out, err
	}
	for _, c := range out.Items {
		if err := same(op, c, tenant, crm.NilID); err != nil {
			return crm.Page[*Customer]{}, err
		}
	}
	return out, nil
}

func (g *guarded) FindByContact(ctx context.Context, tenant crm.TenantID, emails, phones []string, limit int) ([]*Customer, error) {
	const op = "customer.Store.FindByContact"
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(limit >= 0, "limit", "must not be negative")
	emails, phones = distinct(emails, MaxEmailLen), distinct(phones, MaxPhoneInputLen)
	v.Check(len(emails)+len(phones) <= MaxContactKeys, "keys", fmt.Sprintf("more than %d distinct e-mail addresses and phone numbers", MaxContactKeys))
	if err := v.Err(op); err != nil {
		return nil, err
	}
	switch { // as a page limit: 0 means the default, the maximum bounds it
	case limit == 0:
		limit = crm.DefaultPageLimit
	case limit > crm.MaxPageLimit:
		limit = crm.MaxPageLimit
	}
	out, err := g.s.FindByContact(ctx, tenant, emails, phones, limit)
	if err != nil {
		return nil, err
	}
	for _, c := range out {
		if err := same(op, c, tenant, crm.NilID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// distinct returns the keys that can match a stored contact, without
// repeats, in first-seen order. A key no stored contact can have (empty,
// longer than maxLen bytes, not valid UTF-8, holding a NUL byte) matches
// nothing and is left out.
func distinct(keys []string, maxLen int) []string {
	seen := make(map[string]struct{}, min(len(keys), MaxContactKeys+1))
	out := keys[:0:0]
	for _, k := range keys {
		if _, dup := seen[k]; dup || k == "" || len(k) > maxLen || !utf8.ValidString(k) || strings.IndexByte(k, 0) >= 0 {
			continue
		}
		seen[k] = struct{}{}
		out = append(out, k)
		if len(out) > MaxContactKeys {
			break // already too many: the caller refuses, and memory stays bounded
		}
	}
	return out
}

func (g *guarded) History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[HistoryEntry], error) {
	const op = "customer.Store.History"
	if err := ref(ctx, op, tenant, id, "id"); err != nil {
		return crm.Page[HistoryEntry]{}, err
	}
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[HistoryEntry]{}, err
	}
	return g.s.History(ctx, tenant, id, p)
}

func (g *guarded) AddInteraction(ctx context.Context, in Interaction) error {
	const op = "customer.Store.AddInteraction"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStoredInteraction(op, in); err != nil {
		return err
	}
	return g.s.AddInteraction(ctx, in)
}

func (g *guarded) Interactions(ctx context.Context, tenant crm.TenantID, customerID crm.ID, page crm.PageRequest) (crm.Page[Interaction], error) {
	const op = "customer.Store.Interactions"
	if err := ref(ctx, op, tenant, customerID, "customer_id"); err != nil {
		return crm.Page[Interaction]{}, err
	}
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[Interaction]{}, err
	}
	return g.s.Interactions(ctx, tenant, customerID, p)
}

func (g *guarded) CreateVisit(ctx context.Context, vi Visit) error {
	const op = "customer.Store.CreateVisit"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStoredVisit(op, vi); err != nil {
		return err
	}
	return g.s.CreateVisit(ctx, vi)
}

func (g *guarded) GetVisit(ctx context.Context, tenant crm.TenantID, id crm.ID) (Visit, error) {
	const op = "customer.Store.GetVisit"
	if err := ref(ctx, op, tenant, id, "id"); err != nil {
		return Visit{}, err
	}
	return g.s.GetVisit(ctx, tenant, id)
}

func (g *guarded) UpdateVisit(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Visit) error) (Visit, error) {
	const op = "customer.Store.UpdateVisit"
	if err := ref(ctx, op, tenant, id, "id"); err != nil {
		return Visit{}, err
	}
	if fn == nil {
		return Visit{}, crm.Invalid(op, "fn", "must not be nil")
	}
	return g.s.UpdateVisit(ctx, tenant, id, func(vi *Visit) error {
		before := *vi
		if err := fn(vi); err != nil {
			return err
		}
		if err := checkVisitUpdate(op, before, *vi); err != nil {
			return err
		}
		return checkStoredVisit(op, *vi)
	})
}

func (g *guarded) ListVisits(ctx context.Context, tenant crm.TenantID, q VisitQuery, page crm.PageRequest) (crm.Page[Visit], error) {
	const op = "customer.Store.ListVisits"
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[Visit]{}, err
	}
	if err := q.Validate(); err != nil {
		return crm.Page[Visit]{}, fmt.Errorf("%s: %w", op, err)
	}
	return g.s.ListVisits(ctx, tenant, q, p)
}

func (g *guarded) MoveRelated(ctx context.Context, tenant crm.TenantID, from, to crm.ID) error {
	const op = "customer.Store.MoveRelated"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkMove(op, tenant, from, to); err != nil {
		return err
	}
	return g.s.MoveRelated(ctx, tenant, from, to)
}

func (g *guarded) EraseInteractions(ctx context.Context, tenant crm.TenantID, customerID crm.ID) (int, error) {
	const op = "customer.Store.EraseInteractions"
	if err := ref(ctx, op, tenant, customerID, "customer_id"); err != nil {
		return 0, err
	}
	return g.s.EraseInteractions(ctx, tenant, customerID)
}
