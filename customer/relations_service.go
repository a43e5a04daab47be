package customer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// relations returns the service's backend as a RelationsBackend, its ports
// guarded, or an error wrapping crm.ErrUnsupported when the backend has no
// relation stores.
func (s *Service) relations(op string) (RelationsBackend, error) {
	rb, ok := s.backend.(RelationsBackend)
	if !ok || rb.Referrals() == nil || rb.Suggestions() == nil || rb.Memberships() == nil {
		return nil, fmt.Errorf("customer: %s: the backend stores no referrals, suggestions or memberships: %w", op, crm.ErrUnsupported)
	}
	return rb, nil
}

// requireCustomers checks, in the transaction ctx carries, that every
// customer of ids exists in tenant (crm.ErrNotFound otherwise) and is not
// a merged customer's tombstone (a *MergedError, wrapping crm.ErrMerged).
//
// A tombstone is refused rather than followed to its survivor: the caller
// named a customer that no longer stands for anyone, and recording the
// relation on another customer than the one named would hide that. The
// error names the survivor; [Service.Resolve] finds it for a retry.
//
// Each customer is read through the store's Update with a closure that
// stores nothing: the read takes the row lock a store's Update holds until
// the transaction ends, so a merge of the customer running at the same
// time either sees the new record (and moves it) or is seen by the check
// (which then refuses the tombstone). A plain read would let a record be
// stored naming a customer merged a moment before.
func (s *Service) requireCustomers(ctx context.Context, tenant crm.TenantID, ids ...crm.ID) error {
	for _, id := range ids {
		var into crm.ID
		_, err := s.store.Update(ctx, tenant, id, func(c *Customer) error {
			into = c.mergedInto
			return errNoChange
		})
		if !errors.Is(err, errNoChange) {
			if err == nil {
				err = fmt.Errorf("customer: check customer %s: the store ignored the closure's error: %w", id, crm.ErrCorrupt)
			}
			return err
		}
		if !into.IsZero() {
			return &MergedError{ID: id, Into: into}
		}
	}
	return nil
}

// newRelID returns id, or a new ID when it is zero.
func (s *Service) newRelID(id crm.ID) (crm.ID, error) {
	if !id.IsZero() {
		return id, nil
	}
	return s.ids.NewID()
}

// createRel creates x (built by the caller) after checking the customers
// it names, in one transaction with its events.
func createRel[T relEntity](ctx context.Context, s *Service, what string, x T, clone func(T) T, create func(context.Context, T) error, customers ...crm.ID) (T, error) {
	var out T
	_, err := s.pub.Write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		d := clone(x) // a retried transaction starts again from x
		events := d.rel().Events()
		if err := s.requireCustomers(ctx, d.rel().tenant, customers...); err != nil {
			return nil, err
		}
		if err := create(ctx, d); err != nil {
			return nil, err
		}
		out = d
		return versioned(events, 1), nil
	})
	if err != nil {
		var zero T
		return zero, fmt.Errorf("customer: create %s %s: %w", what, x.rel().id, err)
	}
	return out, nil
}

// updateRel runs fn on the latest state of a record through update and
// publishes the events fn recorded.
func updateRel[T relEntity](ctx context.Context, s *Service, what string, id crm.ID,
	update func(ctx context.Context, fn func(T) error) (T, error), fn func(T) error) (T, error) {
	var out T
	_, err := s.pub.Write(ctx, false, func(ctx context.Context) ([]crm.Event, error) {
		var events []crm.Event
		x, err := update(ctx, func(x T) error {
			b := x.rel()
			b.events, events = nil, nil
			if err := fn(x); err != nil {
				return err
			}
			events = slices.Clone(b.events)
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = x
		return versioned(events, x.rel().version), nil
	})
	if err != nil {
		var zero T
		return zero, fmt.Errorf("customer: update %s %s: %w", what, id, err)
	}
	return out, nil
}

// Refer records a referral made by in.Referrer (a zero in.ID gets a new
// one); ch.At defaults to the service clock. The referrer, and a target of
// kind TargetCustomer, must be customers of the tenant (crm.ErrNotFound); a
// lead target is not checked here, as leads live in package lead. A merged
// customer (a tombstone) as referrer or target is refused with a
// *MergedError (crm.ErrMerged). A second
// referral of the same target by the same referrer is crm.ErrDuplicate.
func (s *Service) Refer(ctx context.Context, in ReferralInput, ch Change) (*Referral, error) {
	rb, err := s.relations("refer")
	if err != nil {
		return nil, err
	}
	if in.ID, err = s.newRelID(in.ID); err != nil {
		return nil, fmt.Errorf("customer: refer: %w", err)
	}
	r, err := NewReferral(in, s.change(ch))
	if err != nil {
		return nil, err
	}
	customers := []crm.ID{in.Referrer}
	if in.TargetKind == TargetCustomer {
		customers = append(customers, in.Target)
	}
	store := GuardReferrals(rb.Referrals())
	return createRel(ctx, s, "referral", r, (*Referral).Clone, store.Create, customers...)
}

// GetReferral returns a referral.
func (s *Service) GetReferral(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Referral, error) {
	rb, err := s.relations("get referral")
	if err != nil {
		return nil, err
	}
	r, err := GuardReferrals(rb.Referrals()).Get(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("customer: get referral %s: %w", id, err)
	}
	return r, nil
}

// UpdateReferral runs fn on the latest state of the referral and stores the
// result in one transaction with the events fn recorded.
func (s *Service) UpdateReferral(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Referral) error) (*Referral, error) {
	rb, err := s.relations("update referral")
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, crm.Invalid("customer.Service.UpdateReferral", "fn", "must not be nil")
	}
	store := GuardReferrals(rb.Referrals())
	return updateRel(ctx, s, "referral", id, func(ctx context.Context, fn func(*Referral) error) (*Referral, error) {
		return store.Update(ctx, tenant, id, fn)
	}, fn)
}

// ConvertReferral records that the referred party bought, for value; see
// Referral.Convert.
func (s *Service) ConvertReferral(ctx context.Context, tenant crm.TenantID, id crm.ID, value crm.Money, ch Change) (*Referral, error) {
	ch = s.change(ch)
	return s.UpdateReferral(ctx, tenant, id, func(r *Referral) error { return r.Convert(value, ch) })
}

// LoseReferral records that the referred party did not buy; see Referral.Lose.
func (s *Service) LoseReferral(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Referral, error) {
	ch = s.change(ch)
	return s.UpdateReferral(ctx, tenant, id, func(r *Referral) error { return r.Lose(ch) })
}

// ReopenReferral moves a lost referral back to pending; see Referral.Reopen.
func (s *Service) ReopenReferral(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Referral, error) {
	ch = s.change(ch)
	return s.UpdateReferral(ctx, tenant, id, func(r *Referral) error { return r.Reopen(ch) })
}

// Suggest records a suggestion made by in.Author, a customer of the tenant
// (crm.ErrNotFound otherwise; a merged customer's tombstone a *MergedError,
// crm.ErrMerged); a zero in.ID gets a new one.
func (s *Service) Suggest(ctx context.Context, in SuggestionInput, ch Change) (*Suggestion, error) {
	rb, err := s.relations("suggest")
	if err != nil {
		return nil, err
	}
	if in.ID, err = s.newRelID(in.ID); err != nil {
		return nil, fmt.Errorf("customer: suggest: %w", err)
	}
	x, err := NewSuggestion(in, s.change(ch))
	if err != nil {
		return nil, err
	}
	store := GuardSuggestions(rb.Suggestions())
	return createRel(ctx, s, "suggestion", x, (*Suggestion).Clone, store.Create, in.Author)
}

// GetSuggestion returns a suggestion.
func (s *Service) GetSuggestion(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Suggestion, error) {
	rb, err := s.relations("get suggestion")
	if err != nil {
		return nil, err
	}
	x, err := GuardSuggestions(rb.Suggestions()).Get(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("customer: get suggestion %s: %w", id, err)
	}
	return x, nil
}

// UpdateSuggestion runs fn on the latest state of the suggestion and stores
// the result in one transaction with the events fn recorded.
func (s *Service) UpdateSuggestion(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Suggestion) error) (*Suggestion, error) {
	rb, err := s.relations("update suggestion")
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, crm.Invalid("customer.Service.UpdateSuggestion", "fn", "must not be nil")
	}
	store := GuardSuggestions(rb.Suggestions())
	return updateRel(ctx, s, "suggestion", id, func(ctx context.Context, fn func(*Suggestion) error) (*Suggestion, error) {
		return store.Update(ctx, tenant, id, fn)
	}, fn)
}

// ReviewSuggestion moves a suggestion under review; see Suggestion.Review.
func (s *Service) ReviewSuggestion(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Suggestion, error) {
	ch = s.change(ch)
	return s.UpdateSuggestion(ctx, tenant, id, func(x *Suggestion) error { return x.Review(ch) })
}

// AdoptSuggestion records that a suggestion was adopted, bringing value;
// see Suggestion.Adopt.
func (s *Service) AdoptSuggestion(ctx context.Context, tenant crm.TenantID, id crm.ID, value crm.Money, ch Change) (*Suggestion, error) {
	ch = s.change(ch)
	return s.UpdateSuggestion(ctx, tenant, id, func(x *Suggestion) error { return x.Adopt(value, ch) })
}

// DeclineSuggestion records that a suggestion was declined; see
// Suggestion.Decline.
func (s *Service) DeclineSuggestion(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Suggestion, error) {
	ch = s.change(ch)
	return s.UpdateSuggestion(ctx, tenant, id, func(x *Suggestion) error { return x.Decline(ch) })
}

// Join enrols in.Customer, a customer of the tenant (crm.ErrNotFound
// otherwise; a merged customer's tombstone a *MergedError, crm.ErrMerged),
// in in.Programme; a zero in.ID gets a new one. A customer
// already a member of the programme (any status, cancelled included) is
// crm.ErrDuplicate.
func (s *Service) Join(ctx context.Context, in MembershipInput, ch Change) (*Membership, error) {
	rb, err := s.relations("join")
	if err != nil {
		return nil, err
	}
	if in.ID, err = s.newRelID(in.ID); err != nil {
		return nil, fmt.Errorf("customer: join: %w", err)
	}
	m, err := NewMembership(in, s.change(ch))
	if err != nil {
		return nil, err
	}
	store := GuardMemberships(rb.Memberships())
	return createRel(ctx, s, "membership", m, (*Membership).Clone, store.Create, in.Customer)
}

// GetMembership returns a membership.
func (s *Service) GetMembership(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Membership, error) {
	rb, err := s.relations("get membership")
	if err != nil {
		return nil, err
	}
	m, err := GuardMemberships(rb.Memberships()).Get(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("customer: get membership %s: %w", id, err)
	}
	return m, nil
}

// UpdateMembership runs fn on the latest state of the membership and
// stores the result in one transaction with the events fn recorded.
func (s *Service) UpdateMembership(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Membership) error) (*Membership, error) {
	rb, err := s.relations("update membership")
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, crm.Invalid("customer.Service.UpdateMembership", "fn", "must not be nil")
	}
	store := GuardMemberships(rb.Memberships())
	return updateRel(ctx, s, "membership", id, func(ctx context.Context, fn func(*Membership) error) (*Membership, error) {
		return store.Update(ctx, tenant, id, fn)
	}, fn)
}

// RenewMembership extends the membership's term; see Membership.Renew.
func (s *Service) RenewMembership(ctx context.Context, tenant crm.TenantID, id crm.ID, p Programme, ch Change) (*Membership, error) {
	ch = s.change(ch)
	return s.UpdateMembership(ctx, tenant, id, func(m *Membership) error { return m.Renew(p, ch) })
}

// MoveTier moves the member to another tier of p; see Membership.MoveTier.
func (s *Service) MoveTier(ctx context.Context, tenant crm.TenantID, id crm.ID, p Programme, tier string, ch Change) (*Membership, error) {
	ch = s.change(ch)
	return s.UpdateMembership(ctx, tenant, id, func(m *Membership) error { return m.MoveTier(p, tier, ch) })
}

// CancelMembership cancels the membership; see Membership.Cancel.
func (s *Service) CancelMembership(ctx context.Context, tenant crm.TenantID, id crm.ID, ch Change) (*Membership, error) {
	ch = s.change(ch)
	return s.UpdateMembership(ctx, tenant, id, func(m *Membership) error { return m.Cancel(ch) })
}

// Referrals lists the referrals matching q in ascending ID order, one page
// at a time (the cursor rules of [ReferralStore.List]). A backend without
// relation stores returns an error wrapping crm.ErrUnsupported.
func (s *Service) Referrals(ctx context.Context, tenant crm.TenantID, q ReferralQuery, page crm.PageRequest) (crm.Page[*Referral], error) {
	rb, err := s.relations("list referrals")
	if err != nil {
		return crm.Page[*Referral]{}, err
	}
	out, err := GuardReferrals(rb.Referrals()).List(ctx, tenant, q, page)
	if err != nil {
		return out, fmt.Errorf("customer: list referrals: %w", err)
	}
	return out, nil
}

// Suggestions lists the suggestions matching q in ascending ID order, one
// page at a time, like [Service.Referrals].
func (s *Service) Suggestions(ctx context.Context, tenant crm.TenantID, q SuggestionQuery, page crm.PageRequest) (crm.Page[*Suggestion], error) {
	rb, err := s.relations("list suggestions")
	if err != nil {
		return crm.Page[*Suggestion]{}, err
	}
	out, err := GuardSuggestions(rb.Suggestions()).List(ctx, tenant, q, page)
	if err != nil {
		return out, fmt.Errorf("customer: list suggestions: %w", err)
	}
	return out, nil
}

// Memberships lists the memberships matching q in ascending ID order, one
// page at a time, like [Service.Referrals].
func (s *Service) Memberships(ctx context.Context, tenant crm.TenantID, q MembershipQuery, page crm.PageRequest) (crm.Page[*Membership], error) {
	rb, err := s.relations("list memberships")
	if err != nil {
		return crm.Page[*Membership]{}, err
	}
	out, err := GuardMemberships(rb.Memberships()).List(ctx, tenant, q, page)
	if err != nil {
		return out, fmt.Errorf("customer: list memberships: %w", err)
	}
	return out, nil
}

// RelationFigures reads the tenant's referrals made before to and
// suggestions made before to, page by page, and returns
// [RelationValues] of them over [from, to) in currency.
func (s *Service) RelationFigures(ctx context.Context, tenant crm.TenantID, from, to time.Time, currency crm.Currency) (map[crm.ID]Figures, error) {
	rb, err := s.relations("relation figures")
	if err != nil {
		return nil, err
	}
	refs, err := collect(ctx, func(ctx context.Context, p crm.PageRequest) (crm.Page[*Referral], error) {
		return GuardReferrals(rb.Referrals()).List(ctx, tenant, ReferralQuery{ReferredTo: to}, p)
	})
	if err != nil {
		return nil, fmt.Errorf("customer: relation figures: %w", err)
	}
	sugs, err := collect(ctx, func(ctx context.Context, p crm.PageRequest) (crm.Page[*Suggestion], error) {
		return GuardSuggestions(rb.Suggestions()).List(ctx, tenant, SuggestionQuery{MadeTo: to}, p)
	})
	if err != nil {
		return nil, fmt.Errorf("customer: relation figures: %w", err)
	}
	return RelationValues(refs, sugs, from, to, currency)
}

// collect reads every page of list.
func collect[T any](ctx context.Context, list func(context.Context, crm.PageRequest) (crm.Page[T], error)) ([]T, error) {
	var out []T
	p := crm.PageRequest{Limit: crm.MaxPageLimit}
	for {
		page, err := list(ctx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out, nil
		}
		p.Cursor = page.Next
	}
}
