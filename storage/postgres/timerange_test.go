package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// TestTimesOutsideTheStoredRange checks that every time the store writes
// or queries by is refused with crm.ErrInvalid when it lies outside
// crm.MinTime..crm.MaxTime, instead of wrapping around on the way to
// PostgreSQL (a year of about 146 billion came back as 1969) and nothing
// is stored.
func TestTimesOutsideTheStoredRange(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	cs := s.Customers()
	stored := newCustomer(t, ten, custOpts{})
	require.NoError(t, cs.Create(ctx, stored))
	stored, err := cs.Get(ctx, ten, stored.ID())
	require.NoError(t, err)

	far := time.Date(146_000_000_000, 1, 1, 0, 0, 0, 0, time.UTC) // wraps around in PostgreSQL's microseconds
	late := time.Date(10_000, 1, 1, 0, 0, 0, 0, time.UTC)         // PostgreSQL would store it
	early := time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)           // year 0 (1 BC)
	times := map[string]time.Time{"year 146 billion": far, "year 10000": late, "year 0": early}

	customerWith := func(t *testing.T, edit func(r *customer.Record)) *customer.Customer {
		r := newCustomer(t, ten, custOpts{}).Record()
		edit(&r)
		c, err := customer.FromRecord(r)
		require.NoError(t, err, "the entity accepts it: the store must refuse it")
		return c
	}
	complaintWith := func(t *testing.T, edit func(r *complaint.Record)) *complaint.Complaint {
		r := newComplaint(t, ten, complaintOpts{customer: stored.ID()}).Record()
		edit(&r)
		c, err := complaint.FromRecord(r)
		if err != nil {
			t.Skipf("the entity refuses it already: %v", err)
		}
		return c
	}
	riskWith := func(t *testing.T, edit func(r *complaint.RiskRecord)) *complaint.Risk {
		r := newRisk(t, ten, "B-"+newID(t).String()).Record()
		edit(&r)
		k, err := complaint.RiskFromRecord(r)
		if err != nil {
			t.Skipf("the entity refuses it already: %v", err)
		}
		return k
	}
	interaction := func(t *testing.T) customer.Interaction {
		return customer.Interaction{ID: newID(t), Tenant: ten, CustomerID: stored.ID(), Channel: customer.PhoneCall,
			Direction: customer.Inbound, Actor: "rep", At: t0, Summary: "called"}
	}
	visit := func(t *testing.T) customer.Visit {
		return customer.Visit{ID: newID(t), Tenant: ten, CustomerID: stored.ID(), Salesperson: "rep", Kind: customer.NewVisit,
			Purpose: "demo", Method: customer.FaceToFace, PlannedAt: t0.Add(time.Hour), Status: customer.VisitPlanned}
	}
	storedVisit := visit(t)
	require.NoError(t, cs.CreateVisit(ctx, storedVisit))

	cases := []struct {
		name string
		run  func(t *testing.T, at time.Time) error
	}{
		{"customer created_at", func(t *testing.T, at time.Time) error {
			return cs.Create(ctx, customerWith(t, func(r *customer.Record) { r.CreatedAt, r.UpdatedAt = at, at }))
		}},
		{"customer updated_at", func(t *testing.T, at time.Time) error {
			if at.Before(t0) {
				t.Skip("updated_at before created_at is refused by the entity")
			}
			return cs.Create(ctx, customerWith(t, func(r *customer.Record) { r.UpdatedAt = at }))
		}},
		{"customer consent at", func(t *testing.T, at time.Time) error {
			return cs.Create(ctx, customerWith(t, func(r *customer.Record) {
				r.Consents = map[customer.Channel]customer.Consent{customer.EmailChannel: {Granted: true, At: at, Source: "form"}}
			}))
		}},
		{"customer replaced in Update", func(t *testing.T, at time.Time) error {
			_, err := cs.Update(ctx, ten, stored.ID(), func(c *customer.Customer) error {
				r := c.Record()
				r.UpdatedAt = at
				if at.Before(r.CreatedAt) {
					r.CreatedAt = at
				}
				n, err := customer.FromRecord(r)
				require.NoError(t, err)
				*c = *n
				return nil
			})
			return err
		}},
		{"interaction at", func(t *testing.T, at time.Time) error {
			in := interaction(t)
			in.At = at
			return cs.AddInteraction(ctx, in)
		}},
		{"interaction next step due", func(t *testing.T, at time.Time) error {
			in := interaction(t)
			in.NextStep, in.NextStepDue = "call back", at
			return cs.AddInteraction(ctx, in)
		}},
		{"visit planned_at", func(t *testing.T, at time.Time) error {
			v := visit(t)
			v.PlannedAt = at
			return cs.CreateVisit(ctx, v)
		}},
		{"visit done_at in UpdateVisit", func(t *testing.T, at time.Time) error {
			_, err := cs.UpdateVisit(ctx, ten, storedVisit.ID, func(v *customer.Visit) error {
				v.DoneAt = at
				return nil
			})
			return err
		}},
		{"visits query", func(t *testing.T, at time.Time) error {
			q := customer.VisitQuery{From: at}
			if at.After(t0) {
				q = customer.VisitQuery{From: t0, To: at}
			}
			_, err := cs.ListVisits(ctx, ten, q, crm.PageRequest{})
			return err
		}},
		{"complaint received_at", func(t *testing.T, at time.Time) error {
			return s.Complaints().Create(ctx, complaintWith(t, func(r *complaint.Record) { r.ReceivedAt = at }))
		}},
		{"complaints query", func(t *testing.T, at time.Time) error {
			_, err := s.Complaints().List(ctx, ten, complaint.Query{SettledFrom: at}, crm.PageRequest{})
			return err
		}},
		{"risk created_at", func(t *testing.T, at time.Time) error {
			return s.Complaints().CreateRisk(ctx, riskWith(t, func(r *complaint.RiskRecord) { r.CreatedAt, r.UpdatedAt = at, at }))
		}},
		{"risk window", func(t *testing.T, at time.Time) error {
			return s.Complaints().CreateRisk(ctx, riskWith(t, func(r *complaint.RiskRecord) {
				if at.Before(r.Hotspot.From) {
					r.Hotspot.From = at
				} else {
					r.Hotspot.To = at
				}
			}))
		}},
		{"outbox event at", func(t *testing.T, at time.Time) error {
			e := newEvents(t, ten, 1)
			e[0].At = at
			return s.AppendEvents(ctx, e)
		}},
	}
	for _, tc := range cases {
		for name, at := range times {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				err := tc.run(t, at)
				require.ErrorIs(t, err, crm.ErrInvalid)
				// Refused before reaching the server.
				require.NotContains(t, err.Error(), "SQLSTATE")
				var pe *pgconn.PgError
				require.False(t, errors.As(err, &pe))
			})
		}
	}
	// Nothing of it was stored: the stored customer and visit are as they
	// were, and the tenant has no other customer.
	got, err := cs.Get(ctx, ten, stored.ID())
	require.NoError(t, err)
	require.Equal(t, stored.Version(), got.Version())
	v, err := cs.GetVisit(ctx, ten, storedVisit.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), v.Version)
	page, err := cs.List(ctx, ten, customer.Query{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	in, err := cs.Interactions(ctx, ten, stored.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, in.Items)
	require.Zero(t, outboxCount(t, s, ten))

	// The edges of the range are kept exactly.
	edge := customerWith(t, func(r *customer.Record) {
		r.CreatedAt, r.UpdatedAt = crm.MinTime.Add(time.Microsecond), crm.MaxTime.Truncate(time.Microsecond)
	})
	require.NoError(t, cs.Create(ctx, edge))
	back, err := cs.Get(ctx, ten, edge.ID())
	require.NoError(t, err)
	require.True(t, back.Record().CreatedAt.Equal(crm.MinTime.Add(time.Microsecond)))
	require.True(t, back.Record().UpdatedAt.Equal(crm.MaxTime.Truncate(time.Microsecond)))
}
