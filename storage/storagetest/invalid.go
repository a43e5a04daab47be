package storagetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testInvalid proves that invalid input fails with crm.ErrInvalid and
// changes nothing.
func testInvalid(t *testing.T, e *env) {
	ctx := context.Background()
	tenant := NewTenant(t)
	c := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"valid@example.com"}})
	other := CreateCustomer(t, e.c, tenant, nil)
	require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), 1)))
	visit := newVisit(t, tenant, c.ID(), "sales-1", 2)
	require.NoError(t, e.c.CreateVisit(ctx, visit))
	before, otherBefore := takeSnapshot(t, e.c, tenant, c.ID()), takeSnapshot(t, e.c, tenant, other.ID())

	badTenants := []struct {
		name   string
		tenant crm.TenantID
	}{
		{"Empty", ""},
		{"Space", "has space"},
		{"TooLong", crm.TenantID(strings.Repeat("t", crm.MaxTenantIDLen+1))},
		{"Control", "bad\x00tenant"},
	}
	badPages := []struct {
		name string
		page crm.PageRequest
	}{
		{"NegativeLimit", crm.PageRequest{Limit: -1}},
		{"GarbageCursor", crm.PageRequest{Cursor: "not a cursor!"}},
		{"BinaryCursor", crm.PageRequest{Cursor: "\x00\xff\xfe"}},
		{"PercentCursor", crm.PageRequest{Cursor: "%%%"}},
		{"LongCursor", crm.PageRequest{Cursor: strings.Repeat("A", crm.MaxCursorLen+1)}},
	}

	type call struct {
		name string
		run  func(t *testing.T) error
	}
	var calls []call
	add := func(name string, run func(t *testing.T) error) { calls = append(calls, call{name, run}) }

	for _, bt := range badTenants {
		tn := bt.tenant
		add("FindByContact/Tenant"+bt.name, func(*testing.T) error {
			_, err := e.c.FindByContact(ctx, tn, []string{"valid@example.com"}, nil, 10)
			return err
		})
		add("History/Tenant"+bt.name, func(*testing.T) error {
			_, err := e.c.History(ctx, tn, c.ID(), crm.PageRequest{})
			return err
		})
		add("Interactions/Tenant"+bt.name, func(*testing.T) error {
			_, err := e.c.Interactions(ctx, tn, c.ID(), crm.PageRequest{})
			return err
		})
		add("AddInteraction/Tenant"+bt.name, func(t *testing.T) error {
			in := newInteraction(t, tenant, c.ID(), 3)
			in.Tenant = tn
			return e.c.AddInteraction(ctx, in)
		})
		add("CreateVisit/Tenant"+bt.name, func(t *testing.T) error {
			v := newVisit(t, tenant, c.ID(), "sales-1", 3)
			v.Tenant = tn
			return e.c.CreateVisit(ctx, v)
		})
		add("MoveRelated/Tenant"+bt.name, func(*testing.T) error { return e.c.MoveRelated(ctx, tn, c.ID(), other.ID()) })
		add("EraseInteractions/Tenant"+bt.name, func(*testing.T) error {
			_, err := e.c.EraseInteractions(ctx, tn, c.ID())
			return err
		})
	}
	for _, bp := range badPages {
		pg := bp.page
		add("History/"+bp.name, func(*testing.T) error { _, err := e.c.History(ctx, tenant, c.ID(), pg); return err })
		add("Interactions/"+bp.name, func(*testing.T) error { _, err := e.c.Interactions(ctx, tenant, c.ID(), pg); return err })
	}

	// Zero IDs and missing arguments.
	add("Create/Nil", func(*testing.T) error { return e.c.Create(ctx, nil) })
	add("Save/Nil", func(*testing.T) error { return e.c.Save(ctx, nil) })
	add("History/ZeroID", func(*testing.T) error { _, err := e.c.History(ctx, tenant, crm.NilID, crm.PageRequest{}); return err })
	add("Interactions/ZeroID", func(*testing.T) error {
		_, err := e.c.Interactions(ctx, tenant, crm.NilID, crm.PageRequest{})
		return err
	})
	add("MoveRelated/ZeroFrom", func(*testing.T) error { return e.c.MoveRelated(ctx, tenant, crm.NilID, other.ID()) })
	add("MoveRelated/ZeroTo", func(*testing.T) error { return e.c.MoveRelated(ctx, tenant, c.ID(), crm.NilID) })
	add("MoveRelated/SameCustomer", func(*testing.T) error { return e.c.MoveRelated(ctx, tenant, c.ID(), c.ID()) })
	add("EraseInteractions/ZeroID", func(*testing.T) error {
		_, err := e.c.EraseInteractions(ctx, tenant, crm.NilID)
		return err
	})
	add("FindByContact/NegativeLimit", func(*testing.T) error {
		_, err := e.c.FindByContact(ctx, tenant, []string{"valid@example.com"}, nil, -1)
		return err
	})

	// Invalid queries.
	for name, q := range map[string]customer.Query{
		"UnknownStage":     {Stage: 99},
		"UnknownLoyalty":   {Loyalty: 99},
		"UnknownLifecycle": {Lifecycle: 99},
		"UnknownClass":     {Class: 99},
		"UnknownRole":      {Role: 99},
		"UnknownKind":      {Kind: 99},
		"BadOwner":         {Owner: "bad\x01owner"},
		"LongText":         {Text: strings.Repeat("x", customer.MaxQueryTextLen+1)},
		"LongTag":          {Tag: strings.Repeat("x", customer.MaxKeyLen+1)},
		"BadSegment":       {Segment: &customer.Segment{Conditions: []customer.Condition{{Field: "no such field", Op: customer.OpEq}}}},
	} {
		add("List/Query"+name, func(*testing.T) error {
			_, err := e.c.List(ctx, tenant, q, crm.PageRequest{})
			return err
		})
	}
	for name, q := range map[string]customer.VisitQuery{
		"ToBeforeFrom":  {From: at(5), To: at(4)},
		"UnknownStatus": {Status: 99},
		"BadSales":      {Salesperson: "bad\x01person"},
	} {
		add("ListVisits/Query"+name, func(*testing.T) error {
			_, err := e.c.ListVisits(ctx, tenant, q, crm.PageRequest{})
			return err
		})
	}

	// Records that do not validate.
	for name, mutate := range map[string]func(*customer.Interaction){
		"ZeroID":         func(in *customer.Interaction) { in.ID = crm.NilID },
		"ZeroCustomerID": func(in *customer.Interaction) { in.CustomerID = crm.NilID },
		"NoSummary":      func(in *customer.Interaction) { in.Summary = "" },
		"NoTime":         func(in *customer.Interaction) { in.At = time.Time{} },
		"UnknownChannel": func(in *customer.Interaction) { in.Channel = 99 },
	} {
		add("AddInteraction/"+name, func(t *testing.T) error {
			in := newInteraction(t, tenant, c.ID(), 3)
			mutate(&in)
			return e.c.AddInteraction(ctx, in)
		})
	}
	for name, mutate := range map[string]func(*customer.Visit){
		"ZeroID":          func(v *customer.Visit) { v.ID = crm.NilID },
		"ZeroCustomerID":  func(v *customer.Visit) { v.CustomerID = crm.NilID },
		"NoPurpose":       func(v *customer.Visit) { v.Purpose = "" },
		"UnknownStatus":   func(v *customer.Visit) { v.Status = 99 },
		"NegativeLength":  func(v *customer.Visit) { v.Duration = -time.Minute },
		"DoneWithoutTime": func(v *customer.Visit) { v.Status, v.Outcome = customer.VisitDone, "ok" },
	} {
		add("CreateVisit/"+name, func(t *testing.T) error {
			v := newVisit(t, tenant, c.ID(), "sales-1", 3)
			mutate(&v)
			return e.c.CreateVisit(ctx, v)
		})
	}
	add("UpdateVisit/ChangesCustomer", func(*testing.T) error {
		_, err := e.c.UpdateVisit(ctx, tenant, visit.ID, func(v *customer.Visit) error {
			v.CustomerID = other.ID()
			return nil
		})
		return err
	})
	missing := NewID(t)
	add("UpdateVisit/ChangesCustomerToMissing", func(*testing.T) error {
		_, err := e.c.UpdateVisit(ctx, tenant, visit.ID, func(v *customer.Visit) error {
			v.CustomerID = missing
			return nil
		})
		return err
	})
	add("UpdateVisit/ResultInvalid", func(*testing.T) error {
		_, err := e.c.UpdateVisit(ctx, tenant, visit.ID, func(v *customer.Visit) error {
			v.Purpose = ""
			return nil
		})
		return err
	})

	for _, cl := range calls {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, cl.run(t), crm.ErrInvalid)
		})
	}
	t.Cleanup(func() {
		if !t.Failed() {
			requireUnchanged(t, e.c, tenant, before)
			requireUnchanged(t, e.c, tenant, otherBefore)
		}
	})
}
