package complaint

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
)

// MaxGroupIDs bounds the complaints one [Service.Group] call links.
const MaxGroupIDs = 1000

// Group links the complaints ids to a new group and returns the group's
// ID. A group collects the complaints of several customers about one
// underlying issue (a leaking roof over a whole building, a faulty product
// batch): the issue is handled once ([Service.ResolveGroup]) and every
// customer is answered ([Service.Unanswered]). A group exists while at
// least one complaint is linked to it; its ID comes from the service's ID
// generator. It happens whole or not at all, in one transaction: a missing
// complaint (crm.ErrNotFound), one already in a group, a zero or repeated
// ID, or too many IDs (crm.ErrInvalid) links nothing. The events publish
// after the commit.
func (s *Service) Group(ctx context.Context, tenant crm.TenantID, ids []crm.ID, ch Change) (crm.ID, error) {
	var v crm.Validator
	v.Check(len(ids) > 0, "ids", "must not be empty")
	v.Check(len(ids) <= MaxGroupIDs, "ids", "too many")
	seen := make(map[crm.ID]bool, len(ids))
	for i, id := range ids {
		path := fmt.Sprintf("ids[%d]", i)
		v.Check(!id.IsZero(), path, "must not be zero")
		v.Check(!seen[id], path, "repeated")
		seen[id] = true
	}
	if err := v.Err("complaint.Group"); err != nil {
		return crm.NilID, fmt.Errorf("complaint: group: %w", err)
	}
	group, err := s.ids.NewID()
	if err != nil {
		return crm.NilID, fmt.Errorf("complaint: group: %w", err)
	}
	ch = s.change(ch)
	_, err = s.write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		var events []crm.Event
		for _, id := range ids {
			_, evs, err := s.link(ctx, tenant, group, id, "complaint.Group", ch)
			if err != nil {
				return nil, err
			}
			events = append(events, evs...)
		}
		return events, nil
	})
	if err != nil {
		return crm.NilID, fmt.Errorf("complaint: group: %w", err)
	}
	return group, nil
}

// Join links one more complaint to an existing group. A group without
// members returns crm.ErrNotFound; a complaint already in a group
// crm.ErrInvalid.
func (s *Service) Join(ctx context.Context, tenant crm.TenantID, group, id crm.ID, ch Change) (*Complaint, error) {
	if group.IsZero() {
		return nil, fmt.Errorf("complaint: join %s: %w", id, crm.Invalid("complaint.Join", "group", "must not be zero"))
	}
	ch = s.change(ch)
	var out *Complaint
	_, err := s.write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		p, err := s.store.List(ctx, tenant, Query{Group: group}, crm.PageRequest{Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(p.Items) == 0 {
			return nil, fmt.Errorf("group %s: %w", group, crm.ErrNotFound)
		}
		var events []crm.Event
		out, events, err = s.link(ctx, tenant, group, id, "complaint.Join", ch)
		return events, err
	})
	if err != nil {
		return nil, fmt.Errorf("complaint: join %s: %w", id, err)
	}
	return out, nil
}

// link links one complaint to group inside the caller's transaction and
// returns it with its events.
func (s *Service) link(ctx context.Context, tenant crm.TenantID, group, id crm.ID, op string, ch Change) (*Complaint, []crm.Event, error) {
	var events []crm.Event
	c, err := s.store.Update(ctx, tenant, id, func(c *Complaint) error {
		events = nil
		if !c.group.IsZero() {
			return crm.Invalid(op, "group", fmt.Sprintf("complaint is already in group %s", c.group))
		}
		if err := c.SetGroup(group, ch); err != nil {
			return err
		}
		events = c.Events()
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("complaint %s: %w", id, err)
	}
	return c, versioned(events, c.Version()), nil
}

// Members returns the complaints linked to group, in receipt (ID) order;
// none for a group that has no members.
func (s *Service) Members(ctx context.Context, tenant crm.TenantID, group crm.ID) ([]*Complaint, error) {
	out, err := s.members(ctx, tenant, group, "complaint.Members")
	if err != nil {
		return nil, fmt.Errorf("complaint: members of group %s: %w", group, err)
	}
	return out, nil
}

func (s *Service) members(ctx context.Context, tenant crm.TenantID, group crm.ID, op string) ([]*Complaint, error) {
	if group.IsZero() {
		// A zero Query.Group does not filter: never let it list everything.
		return nil, crm.Invalid(op, "group", "must not be zero")
	}
	var out []*Complaint
	err := s.each(ctx, tenant, Query{Group: group}, func(c *Complaint) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

// TransitionGroup moves every open member of group to status to, in one
// transaction: all of them or none. Closed and rejected members, and
// members already in status to, are skipped. If one member refuses, nothing
// changes, nothing is published and its error (a *crm.TransitionError or
// *crm.ValidationError) is returned. A group without members returns
// crm.ErrNotFound; Reopened is refused (reopen members one by one). It
// returns the members that moved, in ID order.
func (s *Service) TransitionGroup(ctx context.Context, tenant crm.TenantID, group crm.ID, to Status, ch Change) ([]*Complaint, error) {
	if to == Reopened {
		return nil, fmt.Errorf("complaint: transition group %s: %w", group,
			crm.Invalid("complaint.TransitionGroup", "to", "closed members are skipped: reopen them one by one"))
	}
	ch = s.change(ch)
	out, err := s.groupUpdate(ctx, tenant, group, "complaint.TransitionGroup", func(c *Complaint) bool {
		return c.status.Open() && c.status != to
	}, func(c *Complaint) error { return c.Transition(to, ch) })
	if err != nil {
		return nil, fmt.Errorf("complaint: transition group %s: %w", group, err)
	}
	return out, nil
}

// ResolveGroup answers a group once: it sets resolution r on every open
// member that is not yet resolved and moves it to Resolved, in one
// transaction, all or none (every such member must be in
// ResponseProposed). Members already resolved keep their resolution and
// are skipped, like closed and rejected ones. A group without members
// returns crm.ErrNotFound. It returns the members it resolved, in ID
// order.
func (s *Service) ResolveGroup(ctx context.Context, tenant crm.TenantID, group crm.ID, r Resolution, ch Change) ([]*Complaint, error) {
	ch = s.change(ch)
	out, err := s.groupUpdate(ctx, tenant, group, "complaint.ResolveGroup", func(c *Complaint) bool {
		return c.status.Open() && c.status != Resolved
	}, func(c *Complaint) error {
		if err := c.SetResolution(r, ch); err != nil {
			return err
		}
		return c.Transition(Resolved, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("complaint: resolve group %s: %w", group, err)
	}
	return out, nil
}

// groupUpdate runs fn on every member of group that include selects, in
// one transaction, and publishes the events after the commit.
func (s *Service) groupUpdate(ctx context.Context, tenant crm.TenantID, group crm.ID, op string,
	include func(*Complaint) bool, fn func(*Complaint) error) ([]*Complaint, error) {
	var out []*Complaint
	_, err := s.write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		var events []crm.Event
		out = nil
		members, err := s.members(ctx, tenant, group, op)
		if err != nil {
			return nil, err
		}
		if len(members) == 0 {
			return nil, fmt.Errorf("group %s has no members: %w", group, crm.ErrNotFound)
		}
		for _, m := range members {
			if !include(m) {
				continue
			}
			var evs []crm.Event
			c, err := s.store.Update(ctx, tenant, m.id, func(c *Complaint) error {
				evs = nil
				if err := fn(c); err != nil {
					return err
				}
				evs = c.Events()
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("complaint %s: %w", m.id, err)
			}
			events = append(events, versioned(evs, c.Version())...)
			out = append(out, c)
		}
		return events, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Unanswered returns the members of group whose customer has not been
// answered yet (no response proposed, not rejected), in ID order; see
// [UnansweredInGroup].
func (s *Service) Unanswered(ctx context.Context, tenant crm.TenantID, group crm.ID) ([]Unanswered, error) {
	members, err := s.members(ctx, tenant, group, "complaint.Unanswered")
	if err != nil {
		return nil, fmt.Errorf("complaint: unanswered in group %s: %w", group, err)
	}
	return UnansweredInGroup(group, members), nil
}
