package lead

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// ConvertInput says how [Service.Convert] converts a qualified lead.
type ConvertInput struct {
	// Tenant and Lead name the lead; required.
	Tenant crm.TenantID
	Lead   crm.ID
	// Customer, when set, is the existing customer to link the lead to.
	// Zero: the customer the lead is linked to already, else the best
	// matching customer of the duplicate check (the existing duplicate),
	// else a new customer.
	Customer crm.ID
	// Owner is the owner of a new customer. Default: the lead's owner; a
	// new customer for an unassigned lead needs one.
	Owner crm.UserID
	// Roles are the roles of a new customer. Default: customer.EndCustomer.
	Roles []customer.Role
	// CreateOpportunity, when set, creates the opportunity of the
	// conversion for the customer and returns its ID. It runs inside the
	// conversion's transaction, with the context it receives (make every
	// store call with it), after the customer is stored and before the
	// lead is marked converted: when it fails, or anything after it does,
	// the whole conversion is undone, its own changes with it. It may run
	// more than once when the backend retries a transaction, so it must
	// have no side effects outside the store. Nil: no opportunity.
	CreateOpportunity func(ctx context.Context, customerID crm.ID) (crm.ID, error)
}

// Conversion is the outcome of [Service.Convert].
type Conversion struct {
	// Lead is the converted lead, linked to the customer and the
	// opportunity.
	Lead *Lead
	// Customer is the customer the lead became or was linked to.
	Customer *customer.Customer
	// Opportunity is the opportunity created, or zero.
	Opportunity crm.ID
	// CreatedCustomer reports whether the conversion created the customer.
	CreatedCustomer bool
	// Interactions are the customer interactions the conversion recorded
	// from the lead's activity: one per touch (the capture and every
	// capture attached to the lead), inbound, and its first contact,
	// outbound; oldest first. Nil when Again.
	Interactions []customer.Interaction
	// Again reports that the lead was converted before: nothing was
	// changed and the result is that of the first conversion.
	Again bool
}

// errConvertedMeanwhile ends a conversion whose lead another conversion
// converted first; the transaction is undone and the first result read.
var errConvertedMeanwhile = errors.New("lead: converted meanwhile")

// Convert converts a qualified lead in one transaction: it finds or
// creates the customer (see ConvertInput.Customer), carries over the
// lead's parsed contact points, address and consents (with their sources),
// and records the lead, its source and campaign on the customer (attributes
// "lead", "lead_source" and "lead_campaign"); it runs
// in.CreateOpportunity when set; and it marks the lead converted, linked to
// the customer and the opportunity, giving back the owner's open-lead
// slot. The customer carries the link back to the lead.
//
// All or nothing: when any step fails, nothing of the conversion is left
// (no customer, no opportunity, no change to the lead or the assignment
// state). Converting a converted lead changes nothing and returns the first
// conversion (Conversion.Again), also when two conversions race: the
// loser's transaction is undone, so there is never a second customer. A
// lead that is not qualified is refused with a *crm.TransitionError
// (crm.ErrInvalidTransition); an explicit Customer that differs from the
// first conversion's, on a converted lead, with crm.ErrConflict.
func (s *Service) Convert(ctx context.Context, in ConvertInput, ch Change) (Conversion, error) {
	const op = "lead.Service.Convert"
	var v crm.Validator
	v.Merge("tenant", in.Tenant.Validate())
	v.Check(!in.Lead.IsZero(), "lead", "must not be zero")
	if in.Owner != "" {
		v.Merge("owner", in.Owner.Validate())
	}
	if err := v.Err(op); err != nil {
		return Conversion{}, err
	}
	ch = s.change(ch)
	newID, err := s.ids.NewID()
	if err != nil {
		return Conversion{}, fmt.Errorf("lead: convert %s: %w", in.Lead, err)
	}
	var out Conversion
	_, err = s.pub.Write(ctx, true, func(ctx context.Context) ([]crm.Event, error) {
		out = Conversion{}
		l, err := s.store.Get(ctx, in.Tenant, in.Lead)
		if err != nil {
			return nil, err
		}
		if l.stage == StageConverted {
			return nil, errConvertedMeanwhile
		}
		if l.stage != StageQualified {
			return nil, refuse(l.stage, StageConverted, "only a qualified lead is converted")
		}
		cust, custEvents, created, err := s.convertCustomer(ctx, in, l, newID, ch)
		if err != nil {
			return nil, err
		}
		out.Customer, out.CreatedCustomer = cust, created
		if out.Interactions, err = s.carryInteractions(ctx, l, cust.ID(), ch); err != nil {
			return nil, fmt.Errorf("carry the lead's interactions: %w", err)
		}
		if in.CreateOpportunity != nil {
			opp, err := in.CreateOpportunity(ctx, cust.ID())
			if err != nil {
				return nil, fmt.Errorf("create the opportunity: %w", err)
			}
			if opp.IsZero() {
				return nil, crm.Invalid(op, "create_opportunity", "returned a zero opportunity ID")
			}
			out.Opportunity = opp
		}
		got, events, err := s.updateCounted(ctx, in.Tenant, in.Lead, func(x *Lead) error {
			if x.stage == StageConverted {
				return errConvertedMeanwhile
			}
			return x.MarkConverted(cust.ID(), out.Opportunity, ch)
		})
		if err != nil {
			return nil, err
		}
		out.Lead = got
		return append(custEvents, events...), nil
	})
	if errors.Is(err, errConvertedMeanwhile) {
		return s.converted(ctx, in)
	}
	if err != nil {
		return Conversion{}, fmt.Errorf("lead: convert %s: %w", in.Lead, err)
	}
	return out, nil
}

// carryInteractions records the lead's activity as interactions of the
// customer, in the transaction ctx carries: each touch as an inbound
// contact on its channel, and the first contact as an outbound one on the
// capture's channel. The member of staff named is the lead's owner, or the
// converting actor for an unassigned lead.
func (s *Service) carryInteractions(ctx context.Context, l *Lead, cust crm.ID, ch Change) ([]customer.Interaction, error) {
	actor := l.owner
	if actor == "" {
		actor = ch.Actor
	}
	out := make([]customer.Interaction, 0, len(l.touches)+1)
	for _, t := range l.touches {
		summary := fmt.Sprintf("Lead %s: %s", l.id, t.Source.Kind)
		if t.Source.Detail != "" {
			summary += " (" + t.Source.Detail + ")"
		}
		if !t.Source.Campaign.IsZero() {
			summary += ", campaign " + t.Source.Campaign.String()
		}
		out = append(out, customer.Interaction{Channel: t.Channel, Direction: customer.Inbound, At: t.At, Summary: summary})
	}
	if !l.firstContactAt.IsZero() {
		out = append(out, customer.Interaction{Channel: l.channel, Direction: customer.Outbound, At: l.firstContactAt,
			Summary: fmt.Sprintf("Lead %s: first contact", l.id)})
	}
	slices.SortStableFunc(out, func(a, b customer.Interaction) int { return a.At.Compare(b.At) })
	for i := range out {
		id, err := s.ids.NewID()
		if err != nil {
			return nil, err
		}
		in := &out[i]
		in.ID, in.Tenant, in.CustomerID, in.Actor = id, l.tenant, cust, actor
		if err := s.customers.AddInteraction(ctx, *in); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// converted returns the first conversion of a converted lead.
func (s *Service) converted(ctx context.Context, in ConvertInput) (Conversion, error) {
	l, err := s.store.Get(ctx, in.Tenant, in.Lead)
	if err != nil {
		return Conversion{}, fmt.Errorf("lead: convert %s: %w", in.Lead, err)
	}
	if !in.Customer.IsZero() && in.Customer != l.customer {
		return Conversion{}, fmt.Errorf("lead: convert %s: converted into customer %s before: %w", in.Lead, l.customer, crm.ErrConflict)
	}
	c, err := s.customers.Get(ctx, in.Tenant, l.customer)
	if err != nil {
		return Conversion{}, fmt.Errorf("lead: convert %s: the customer of the first conversion: %w", in.Lead, err)
	}
	return Conversion{Lead: l, Customer: c, Opportunity: l.opportunity, Again: true}, nil
}

// convertCustomer finds or creates the customer of a conversion and
// carries the lead over to it, in the transaction ctx carries.
func (s *Service) convertCustomer(ctx context.Context, in ConvertInput, l *Lead, newID crm.ID, ch Change) (*customer.Customer, []crm.Event, bool, error) {
	if l != nil {
		l.ensure()
	}
	target := in.Customer
	if target.IsZero() {
		target = l.customer
	}
	if target.IsZero() {
		matches, err := s.duplicates(ctx, l)
		if err != nil {
			return nil, nil, false, err
		}
		if i := slices.IndexFunc(matches, func(m Match) bool { return m.Kind == MatchCustomer }); i >= 0 {
			target = matches[i].ID
		}
	}
	if !target.IsZero() {
		var events []crm.Event
		c, err := s.customers.Update(ctx, in.Tenant, target, func(c *customer.Customer) error {
			if c.IsTombstone() || c.IsErased() {
				return crm.Invalid("lead.Service.Convert", "customer", "merged or erased")
			}
			if err := carryOver(c, l, ch); err != nil {
				return err
			}
			events = c.Events()
			return nil
		})
		if err != nil {
			return nil, nil, false, fmt.Errorf("link customer %s: %w", target, err)
		}
		return c, versioned(events, c.Version()), false, nil
	}
	owner := in.Owner
	if owner == "" {
		owner = l.owner
	}
	if owner == "" {
		return nil, nil, false, crm.Invalid("lead.Service.Convert", "owner", "required for a new customer of an unassigned lead")
	}
	roles := in.Roles
	if len(roles) == 0 {
		roles = []customer.Role{customer.EndCustomer}
	}
	name := l.name
	if l.kind == customer.Organization && l.company != "" {
		name = l.company
	}
	if name == "" {
		name = l.company
	}
	var addrs []customer.Address
	if l.address != nil {
		addrs = []customer.Address{l.address.Clone()}
	}
	c, err := customer.New(customer.NewInput{
		ID: newID, Tenant: in.Tenant, Kind: l.kind, Name: name, Roles: roles, Owner: owner,
		Emails: l.Emails(), Phones: l.Phones(), Addresses: addrs,
	}, ch)
	if err != nil {
		return nil, nil, false, err
	}
	if err := carryOver(c, l, ch); err != nil {
		return nil, nil, false, err
	}
	events := c.Events()
	if err := s.customers.Create(ctx, c); err != nil {
		return nil, nil, false, fmt.Errorf("create customer: %w", err)
	}
	return c, versioned(events, c.Version()), true, nil
}

// carryOver gives c what it lacks of l: parsed contact points, consents
// newer than its own, and the link to the lead, its source and campaign.
func carryOver(c *customer.Customer, l *Lead, ch Change) error {
	if l != nil {
		l.ensure()
	}
	for _, e := range l.Emails() {
		if err := c.AddEmail(e); err != nil {
			return err
		}
	}
	for _, p := range l.Phones() {
		if err := c.AddPhone(p); err != nil {
			return err
		}
	}
	channels := make([]customer.Channel, 0, len(l.consents))
	for k := range l.consents {
		channels = append(channels, k)
	}
	slices.Sort(channels)
	for _, k := range channels {
		lc := l.consents[k]
		if cur, ok := c.Consent(k); ok && !lc.At.After(cur.At) {
			continue
		}
		source := lc.Source
		if source == "" {
			source = "lead " + l.id.String()
		}
		if err := c.SetConsent(k, lc.Granted, source, customer.Change{Actor: ch.Actor, At: lc.At, Reason: "consent given on lead " + l.id.String()}); err != nil {
			return err
		}
	}
	if err := c.SetAttribute("lead", l.id.String()); err != nil {
		return err
	}
	if err := c.SetAttribute("lead_source", l.source.Kind.String()); err != nil {
		return err
	}
	if !l.source.Campaign.IsZero() {
		if err := c.SetAttribute("lead_campaign", l.source.Campaign.String()); err != nil {
			return err
		}
	}
	return nil
}
