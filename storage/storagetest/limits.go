package storagetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// The limits every store enforces on every path into it, identically: a
// record built around the constructors (FromRecord, then Create; or a
// whole value replaced inside an Update closure) must be refused with
// crm.ErrInvalid and store nothing. A record that FromRecord already
// refuses (with crm.ErrInvalid) never reaches the store, which is as good.

// hugeText is the size of the oversized strings the limit cases store.
const hugeText = 10 << 20

// manyItems is the length of the oversized lists the limit cases store.
const manyItems = 100_000

// badYears are instants outside crm.ValidTime.
var badYears = []struct {
	name string
	at   time.Time
}{
	{"Year10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	{"Year146Billion", time.Date(146_000_000_000, 1, 1, 0, 0, 0, 0, time.UTC)},
}

// manyStrings returns n distinct short strings.
func manyStrings(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%06d", prefix, i)
	}
	return out
}

// testCustomerLimits proves the customer limits on Create, on Update and
// on the records kept beside customers (interactions, visits).
func testCustomerLimits(t *testing.T, e *env) {
	ctx := context.Background()
	cases := []struct {
		name  string
		spoil func(r *customer.Record)
	}{
		{"Tags100k", func(r *customer.Record) { r.Tags = manyStrings("tag-", manyItems) }},
		{"Name10MB", func(r *customer.Record) { r.Name = strings.Repeat("n", hugeText) }},
		{"EmptyName", func(r *customer.Record) { r.Name = "" }},
		{"BlankName", func(r *customer.Record) { r.Name = " \t " }},
		{"TimeZoneMars", func(r *customer.Record) { r.TimeZone = "Mars/Olympus" }},
		{"NULInName", func(r *customer.Record) { r.Name = "Nul\x00Name" }},
		{"InvalidUTF8Name", func(r *customer.Record) { r.Name = "Bad\xffName" }},
		{"NULInNotes", func(r *customer.Record) { r.Notes = "notes\x00" }},
		{"InvalidUTF8Tag", func(r *customer.Record) { r.Tags = []string{"ok", "bad\xc3"} }},
		{"InvalidUTF8Attribute", func(r *customer.Record) { r.Attrs = map[string]string{"k": "\xff\xfe"} }},
		{"Attributes100k", func(r *customer.Record) {
			r.Attrs = make(map[string]string, manyItems)
			for _, k := range manyStrings("attr-", manyItems) {
				r.Attrs[k] = "v"
			}
		}},
		{"Notes10MB", func(r *customer.Record) { r.Notes = strings.Repeat("x", hugeText) }},
		{"CreatedYear10000", func(r *customer.Record) {
			r.CreatedAt, r.UpdatedAt = badYears[0].at, badYears[0].at
		}},
		{"CreatedYear146Billion", func(r *customer.Record) {
			r.CreatedAt, r.UpdatedAt = badYears[1].at, badYears[1].at
		}},
	}
	for _, tc := range cases {
		t.Run("Create"+tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			r := NewCustomer(t, tenant, nil).Record()
			tc.spoil(&r)
			c, err := customer.FromRecord(r)
			if err != nil {
				require.ErrorIs(t, err, crm.ErrInvalid)
				return
			}
			require.ErrorIs(t, e.c.Create(ctx, c), crm.ErrInvalid)
			_, err = e.c.Get(ctx, tenant, r.ID)
			require.ErrorIs(t, err, crm.ErrNotFound, "a refused customer was stored")
			require.Empty(t, allCustomers(t, e.c, tenant, customer.Query{IncludeTombstones: true}, crm.MaxPageLimit))
		})
		t.Run("Update"+tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			stored := CreateCustomer(t, e.c, tenant, nil)
			before := takeSnapshot(t, e.c, tenant, stored.ID())
			_, err := e.c.Update(ctx, tenant, stored.ID(), func(x *customer.Customer) error {
				r := x.Record()
				tc.spoil(&r)
				y, err := customer.FromRecord(r)
				if err != nil {
					return err
				}
				*x = *y
				return nil
			})
			require.ErrorIs(t, err, crm.ErrInvalid)
			requireUnchanged(t, e.c, tenant, before)
		})
	}

	// Interactions and visits are plain values: every field reaches the
	// store as the caller set it.
	related := []struct {
		name string
		add  func(t *testing.T, tenant crm.TenantID, c *customer.Customer) error
	}{
		{"InteractionNULSummary", func(t *testing.T, tenant crm.TenantID, c *customer.Customer) error {
			in := newInteraction(t, tenant, c.ID(), 1)
			in.Summary = "call\x00"
			return e.c.AddInteraction(ctx, in)
		}},
		{"InteractionInvalidUTF8Outcome", func(t *testing.T, tenant crm.TenantID, c *customer.Customer) error {
			in := newInteraction(t, tenant, c.ID(), 1)
			in.Outcome = "\xff"
			return e.c.AddInteraction(ctx, in)
		}},
		{"InteractionSummary10MB", func(t *testing.T, tenant crm.TenantID, c *customer.Customer) error {
			in := newInteraction(t, tenant, c.ID(), 1)
			in.Summary = strings.Repeat("s", hugeText)
			return e.c.AddInteraction(ctx, in)
		}},
		{"VisitNULPurpose", func(t *testing.T, tenant crm.TenantID, c *customer.Customer) error {
			v := newVisit(t, tenant, c.ID(), "sales-1", 1)
			v.Purpose = "visit\x00"
			return e.c.CreateVisit(ctx, v)
		}},
	}
	for _, y := range badYears {
		related = append(related,
			struct {
				name string
				add  func(t *testing.T, tenant crm.TenantID, c *customer.Customer) error
			}{"Interaction" + y.name, func(t *testing.T, tenant crm.TenantID, c *customer.Customer) error {
				in := newInteraction(t, tenant, c.ID(), 1)
				in.At = y.at
				in.NextStepDue = time.Time{}
				return e.c.AddInteraction(ctx, in)
			}},
			struct {
				name string
				add  func(t *testing.T, tenant crm.TenantID, c *customer.Customer) error
			}{"InteractionNextStep" + y.name, func(t *testing.T, tenant crm.TenantID, c *customer.Customer) error {
				in := newInteraction(t, tenant, c.ID(), 1)
				in.NextStepDue = y.at
				return e.c.AddInteraction(ctx, in)
			}},
			struct {
				name string
				add  func(t *testing.T, tenant crm.TenantID, c *customer.Customer) error
			}{"Visit" + y.name, func(t *testing.T, tenant crm.TenantID, c *customer.Customer) error {
				v := newVisit(t, tenant, c.ID(), "sales-1", 1)
				v.PlannedAt = y.at
				return e.c.CreateVisit(ctx, v)
			}},
		)
	}
	for _, tc := range related {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			c := CreateCustomer(t, e.c, tenant, nil)
			before := takeSnapshot(t, e.c, tenant, c.ID())
			require.ErrorIs(t, tc.add(t, tenant, c), crm.ErrInvalid)
			requireUnchanged(t, e.c, tenant, before)
			require.Empty(t, allVisits(t, e.c, tenant, customer.VisitQuery{}, crm.MaxPageLimit))
		})
	}
}

// testComplaintLimits proves the complaint limits on Create and Update.
func testComplaintLimits(t *testing.T, e *env) {
	ctx := context.Background()
	cases := []struct {
		name  string
		spoil func(r *complaint.Record)
	}{
		{"Description10MB", func(r *complaint.Record) { r.Description = strings.Repeat("d", hugeText) }},
		{"Attachments100k", func(r *complaint.Record) { r.Attachments = manyStrings("file-", manyItems) }},
		{"EmptyDescription", func(r *complaint.Record) { r.Description = "" }},
		{"NULInDescription", func(r *complaint.Record) { r.Description = "leak\x00" }},
		{"InvalidUTF8Description", func(r *complaint.Record) { r.Description = "leak\xff" }},
		{"InvalidUTF8Attachment", func(r *complaint.Record) { r.Attachments = []string{"a.jpg", "\xc3"} }},
		{"DesiredOutcome10MB", func(r *complaint.Record) { r.DesiredOutcome = strings.Repeat("o", hugeText) }},
		{"ReceivedYear10000", func(r *complaint.Record) { r.ReceivedAt = badYears[0].at }},
		{"ReceivedYear146Billion", func(r *complaint.Record) { r.ReceivedAt = badYears[1].at }},
		// An update may not move the receipt time at all, so these reach
		// the store's own time check on Update too.
		{"FollowUpYear10000", func(r *complaint.Record) { r.FollowUpAt = badYears[0].at }},
		{"RepairStepYear146Billion", func(r *complaint.Record) {
			r.Repair = append(r.Repair, complaint.RepairEntry{
				Step: complaint.StepOnSite, Note: "on site", Public: true, At: badYears[1].at, Actor: "storagetest",
			})
		}},
	}
	for _, tc := range cases {
		t.Run("Create"+tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			r := NewComplaint(t, tenant, nil).Record()
			tc.spoil(&r)
			c, err := complaint.FromRecord(r)
			if err != nil {
				require.ErrorIs(t, err, crm.ErrInvalid)
				return
			}
			require.ErrorIs(t, e.cs.Create(ctx, c), crm.ErrInvalid)
			_, err = e.cs.Get(ctx, tenant, r.ID)
			require.ErrorIs(t, err, crm.ErrNotFound, "a refused complaint was stored")
			require.Empty(t, allComplaints(t, e.cs, tenant, complaint.Query{}, crm.MaxPageLimit))
		})
		t.Run("Update"+tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			stored := CreateComplaint(t, e.cs, tenant, nil)
			before := takeComplaintSnapshot(t, e.cs, tenant, stored.ID())
			_, err := e.cs.Update(ctx, tenant, stored.ID(), func(x *complaint.Complaint) error {
				r := x.Record()
				tc.spoil(&r)
				y, err := complaint.FromRecord(r)
				if err != nil {
					return err
				}
				*x = *y
				return nil
			})
			require.ErrorIs(t, err, crm.ErrInvalid)
			requireComplaintUnchanged(t, e.cs, tenant, before)
		})
	}
}
