package customer

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// The argument checks Guard runs before a store is called.
func TestCheckRefAndMove(t *testing.T) {
	t.Parallel()
	a := crm.MustParseID("01936d3c-7d8e-7a2b-9c4d-0123456789ab")
	b := crm.MustParseID("01936d3c-7d8e-7a2b-9c4d-0123456789ac")
	require.NoError(t, checkRef("op", "acme", a, "id"))
	require.NoError(t, checkMove("op", "acme", a, b))
	visit := Visit{
		ID: a, Tenant: "acme", CustomerID: b, Salesperson: "wang", Kind: NewVisit, Purpose: "demo",
		Method: FaceToFace, PlannedAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), Status: VisitPlanned,
	}
	require.NoError(t, checkVisitUpdate("op", visit, withVisit(visit, func(v *Visit) { v.Purpose = "contract" })))

	tests := []struct {
		name string
		err  error
		path string
	}{
		{"ref: zero id", checkRef("op", "acme", crm.NilID, "customer_id"), "customer_id"},
		{"ref: empty tenant", checkRef("op", "", a, "id"), ""},
		{"ref: bad tenant", checkRef("op", "a b", a, "id"), ""},
		{"move: zero from", checkMove("op", "acme", crm.NilID, b), "from"},
		{"move: zero to", checkMove("op", "acme", a, crm.NilID), "to"},
		{"move: same", checkMove("op", "acme", a, a), "to"},
		{"move: bad tenant", checkMove("op", "", a, b), ""},
		{"visit: new id", checkVisitUpdate("op", visit, withVisit(visit, func(v *Visit) { v.ID = b })), "id"},
		{"visit: new tenant", checkVisitUpdate("op", visit, withVisit(visit, func(v *Visit) { v.Tenant = "other" })), "id"},
		{"visit: new customer", checkVisitUpdate("op", visit, withVisit(visit, func(v *Visit) { v.CustomerID = a })), "customer_id"},
		{"visit: invalid result", checkVisitUpdate("op", visit, withVisit(visit, func(v *Visit) { v.Purpose = "" })), "purpose"},
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

func withVisit(v Visit, f func(*Visit)) Visit {
	f(&v)
	return v
}
