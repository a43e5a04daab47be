package customer_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/stretchr/testify/require"
)

func TestCheckRefAndMove(t *testing.T) {
	t.Parallel()
	a := crm.MustParseID("01936d3c-7d8e-7a2b-9c4d-0123456789ab")
	b := crm.MustParseID("01936d3c-7d8e-7a2b-9c4d-0123456789ac")
	require.NoError(t, customer.CheckRef("op", "acme", a, "id"))
	require.NoError(t, customer.CheckMove("op", "acme", a, b))
	visit := customer.Visit{
		ID: a, Tenant: "acme", CustomerID: b, Salesperson: "wang", Kind: customer.NewVisit, Purpose: "demo",
		Method: customer.FaceToFace, PlannedAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), Status: customer.VisitPlanned,
	}
	require.NoError(t, customer.CheckVisitUpdate("op", visit, withVisit(visit, func(v *customer.Visit) { v.Purpose = "contract" })))

	tests := []struct {
		name string
		err  error
		path string
	}{
		{"ref: zero id", customer.CheckRef("op", "acme", crm.NilID, "customer_id"), "customer_id"},
		{"ref: empty tenant", customer.CheckRef("op", "", a, "id"), ""},
		{"ref: bad tenant", customer.CheckRef("op", "a b", a, "id"), ""},
		{"move: zero from", customer.CheckMove("op", "acme", crm.NilID, b), "from"},
		{"move: zero to", customer.CheckMove("op", "acme", a, crm.NilID), "to"},
		{"move: same", customer.CheckMove("op", "acme", a, a), "to"},
		{"move: bad tenant", customer.CheckMove("op", "", a, b), ""},
		{"visit: new id", customer.CheckVisitUpdate("op", visit, withVisit(visit, func(v *customer.Visit) { v.ID = b })), "id"},
		{"visit: new tenant", customer.CheckVisitUpdate("op", visit, withVisit(visit, func(v *customer.Visit) { v.Tenant = "other" })), "id"},
		{"visit: new customer", customer.CheckVisitUpdate("op", visit, withVisit(visit, func(v *customer.Visit) { v.CustomerID = a })), "customer_id"},
		{"visit: invalid result", customer.CheckVisitUpdate("op", visit, withVisit(visit, func(v *customer.Visit) { v.Purpose = "" })), "purpose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tt.err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, tt.err, &ve)
			require.Equal(t, "op", ve.Op)
			require.True(t, ve.Has(tt.path), "problem at %q in %v", tt.path, ve.Fields)
		})
	}
}

func withVisit(v customer.Visit, f func(*customer.Visit)) customer.Visit {
	f(&v)
	return v
}
