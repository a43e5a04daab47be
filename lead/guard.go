package lead

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/guard"
)

// MaxContactKeys bounds the e-mail addresses and phone numbers, together
// and after removing repeats, of one Store.FindByContact call: the bound
// of customer.Store.FindByContact.
const MaxContactKeys = customer.MaxContactKeys

// Guard returns s behind the layer that checks every argument of every call
// and every lead, campaign and assignment state on its way into s, so that
// the same rules and limits hold on every path into every store: a lead
// built with FromRecord or replaced wholesale inside an Update closure is
// checked exactly like one built with New (the one stored-record check,
// that of FromRecord). A refused call wraps crm.ErrInvalid (a
// *crm.ValidationError says which field) and never reaches s; a cancelled
// context fails before s is called. Results are checked too: a record of
// another tenant or ID handed back by s is an error wrapping
// crm.ErrCorrupt. After a successful Create (or ImportLeads) the guard
// marks the lead or campaign saved at version 1 (forgetting its pending
// history and events), whether or not s did; when the call ran in a
// transaction that then rolls back, the guard puts the lead or campaign
// back as it was before the call (see crm.AfterRollback), so that the
// caller can create it again.
//
// Services guard the store they get; stores return their Leads() guarded,
// so a host that calls a store directly is checked the same way. Guard of a
// guarded store returns it unchanged; Guard(nil) returns nil.
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

// sameLead checks that a store handed back the lead it was asked for (any
// lead of the tenant when id is zero).
func sameLead(op string, l *Lead, tenant crm.TenantID, id crm.ID) error {
	if l != nil {
		l.ensure()
	}
	if l == nil || l.tenant != tenant || (!id.IsZero() && l.id != id) {
		return guard.Corrupt(op, tenant, id)
	}
	return nil
}

func sameCampaign(op string, c *Campaign, tenant crm.TenantID, id crm.ID) error {
	if c == nil || c.tenant != tenant || (!id.IsZero() && c.id != id) {
		return guard.Corrupt(op, tenant, id)
	}
	return nil
}

// checkStored is the check of a lead on its way into a store.
func checkStored(op string, l *Lead) error {
	if l == nil {
		return crm.Invalid(op, "lead", "must not be nil")
	}
	return checkRecord(op, l.view())
}

// checkUpdate checks the result of an Update closure: the same lead (ID,
// tenant, capture time), at the same version, within every stored rule.
func checkUpdate(op string, after *Lead, tenant crm.TenantID, id crm.ID, version int64, captured time.Time) error {
	if after != nil {
		after.ensure()
	}
	var v crm.Validator
	v.Check(after != nil && after.id == id && after.tenant == tenant, "id", "fn must not change the lead's ID or tenant")
	if err := v.Err(op); err != nil {
		return err
	}
	v.Check(after.version == version, "version", "fn must not change the lead's version")
	v.Check(after.capturedAt.Equal(captured), "captured_at", "fn must not change the capture time")
	if err := v.Err(op); err != nil {
		return err
	}
	return checkStored(op, after)
}

func (g *guarded) Create(ctx context.Context, l *Lead) error {
	const op = "lead.Store.Create"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStored(op, l); err != nil {
		return err
	}
	if l.version != 0 {
		return crm.Invalid(op, "version", "must be 0 for a new lead")
	}
	undo := guard.Keep(ctx, l, (*Lead).Clone)
	if err := g.s.Create(ctx, l); err != nil {
		return err
	}
	l.saved(1) // whether or not the store did
	undo.AfterRollback(ctx)
	return nil
}

func (g *guarded) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Lead, error) {
	const op = "lead.Store.Get"
	if err := ref(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	l, err := g.s.Get(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return l, sameLead(op, l, tenant, id)
}

func (g *guarded) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Lead) error) (*Lead, error) {
	const op = "lead.Store.Update"
	if err := ref(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, crm.Invalid(op, "fn", "must not be nil")
	}
	l, err := g.s.Update(ctx, tenant, id, func(l *Lead) error {
		if err := sameLead(op, l, tenant, id); err != nil {
			return err
		}
		version, captured := l.version, l.capturedAt
		if err := fn(l); err != nil {
			return err
		}
		return checkUpdate(op, l, tenant, id, version, captured)
	})
	if err != nil {
		return nil, err
	}
	return l, sameLead(op, l, tenant, id)
}

func (g *guarded) List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Lead], error) {
	const op = "lead.Store.List"
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[*Lead]{}, err
	}
	if err := q.Validate(); err != nil {
		return crm.Page[*Lead]{}, fmt.Errorf("%s: %w", op, err)
	}
	out, err := g.s.List(ctx, tenant, q, p)
	if err != nil {
		return out, err
	}
	for _, l := range out.Items {
		if err := sameLead(op, l, tenant, crm.NilID); err != nil {
			return crm.Page[*Lead]{}, err
		}
	}
	return out, nil
}

func (g *guarded) FindByContact(ctx context.Context, tenant crm.TenantID, emails, phones []string, limit int) ([]*Lead, error) {
	const op = "lead.Store.FindByContact"
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(limit >= 0, "limit", "must not be negative")
	emails, phones = distinct(emails, customer.MaxEmailLen), distinct(phones, customer.MaxPhoneInputLen)
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
	if len(emails)+len(phones) == 0 {
		return []*Lead{}, nil
	}
	out, err := g.s.FindByContact(ctx, tenant, emails, phones, limit)
	if err != nil {
		return nil, err
	}
	for _, l := range out {
		if err := sameLead(op, l, tenant, crm.NilID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// distinct returns the keys that can match a stored contact, without
// repeats, in first-seen order. A key no stored contact can have (empty,
// longer than maxLen bytes, not valid UTF-8, holding a NUL byte) is left
// out.
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
	const op = "lead.Store.History"
	if err := ref(ctx, op, tenant, id); err != nil {
		return crm.Page[HistoryEntry]{}, err
	}
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[HistoryEntry]{}, err
	}
	return g.s.History(ctx, tenant, id, p)
}

// team checks the context, tenant and team of an assignment call.
func team(ctx context.Context, op string, tenant crm.TenantID, name string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	checkTeam(&v, name)
	return v.Err(op)
}

func (g *guarded) Assignment(ctx context.Context, tenant crm.TenantID, name string) (AssignmentState, error) {
	const op = "lead.Store.Assignment"
	if err := team(ctx, op, tenant, name); err != nil {
		return AssignmentState{}, err
	}
	st, err := g.s.Assignment(ctx, tenant, name)
	if err != nil {
		return AssignmentState{}, err
	}
	if err := st.Validate(); err != nil {
		return AssignmentState{}, fmt.Errorf("%s: the store returned an invalid state: %w: %w", op, crm.ErrCorrupt, err)
	}
	return st, nil
}

func (g *guarded) UpdateAssignment(ctx context.Context, tenant crm.TenantID, name string, fn func(*AssignmentState) error) (AssignmentState, error) {
	const op = "lead.Store.UpdateAssignment"
	if err := team(ctx, op, tenant, name); err != nil {
		return AssignmentState{}, err
	}
	if fn == nil {
		return AssignmentState{}, crm.Invalid(op, "fn", "must not be nil")
	}
	return g.s.UpdateAssignment(ctx, tenant, name, func(st *AssignmentState) error {
		if err := fn(st); err != nil {
			return err
		}
		if err := st.Validate(); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		return nil
	})
}

func (g *guarded) Campaigns() CampaignStore { return guardCampaigns(g.s.Campaigns()) }

// guardCampaigns returns s behind the checks of Guard (nil for nil).
func guardCampaigns(s CampaignStore) CampaignStore {
	switch c := s.(type) {
	case nil:
		return nil
	case *guardedCampaigns:
		return c
	}
	return &guardedCampaigns{s: s}
}

// guardedCampaigns is a CampaignStore behind the checks of Guard.
type guardedCampaigns struct{ s CampaignStore }

// checkStoredCampaign is the check of a campaign on its way into a store.
func checkStoredCampaign(op string, c *Campaign) error {
	if c == nil {
		return crm.Invalid(op, "campaign", "must not be nil")
	}
	return checkCampaignRecord(op, c.view())
}

func (g *guardedCampaigns) Create(ctx context.Context, c *Campaign) error {
	const op = "lead.CampaignStore.Create"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := checkStoredCampaign(op, c); err != nil {
		return err
	}
	if c.version != 0 {
		return crm.Invalid(op, "version", "must be 0 for a new campaign")
	}
	undo := guard.Keep(ctx, c, (*Campaign).Clone)
	if err := g.s.Create(ctx, c); err != nil {
		return err
	}
	c.saved(1) // whether or not the store did
	undo.AfterRollback(ctx)
	return nil
}

func (g *guardedCampaigns) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Campaign, error) {
	const op = "lead.CampaignStore.Get"
	if err := ref(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	c, err := g.s.Get(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return c, sameCampaign(op, c, tenant, id)
}

func (g *guardedCampaigns) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Campaign) error) (*Campaign, error) {
	const op = "lead.CampaignStore.Update"
	if err := ref(ctx, op, tenant, id); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, crm.Invalid(op, "fn", "must not be nil")
	}
	c, err := g.s.Update(ctx, tenant, id, func(c *Campaign) error {
		if err := sameCampaign(op, c, tenant, id); err != nil {
			return err
		}
		version, created := c.version, c.createdAt
		if err := fn(c); err != nil {
			return err
		}
		var v crm.Validator
		v.Check(c != nil && c.id == id && c.tenant == tenant, "id", "fn must not change the campaign's ID or tenant")
		if err := v.Err(op); err != nil {
			return err
		}
		v.Check(c.version == version, "version", "fn must not change the campaign's version")
		v.Check(c.createdAt.Equal(created), "created_at", "fn must not change the creation time")
		if err := v.Err(op); err != nil {
			return err
		}
		return checkStoredCampaign(op, c)
	})
	if err != nil {
		return nil, err
	}
	return c, sameCampaign(op, c, tenant, id)
}

func (g *guardedCampaigns) List(ctx context.Context, tenant crm.TenantID, from, to time.Time, page crm.PageRequest) (crm.Page[*Campaign], error) {
	const op = "lead.CampaignStore.List"
	p, err := guard.Scope(ctx, op, tenant, page)
	if err != nil {
		return crm.Page[*Campaign]{}, err
	}
	var v crm.Validator
	v.Check(crm.ValidTime(from) && crm.ValidTime(to), "from", "outside the supported time range")
	v.Check(from.IsZero() || to.IsZero() || from.Before(to), "to", "must be after from")
	if err := v.Err(op); err != nil {
		return crm.Page[*Campaign]{}, err
	}
	out, err := g.s.List(ctx, tenant, from, to, p)
	if err != nil {
		return out, err
	}
	for _, c := range out.Items {
		if err := sameCampaign(op, c, tenant, crm.NilID); err != nil {
			return crm.Page[*Campaign]{}, err
		}
	}
	return out, nil
}
