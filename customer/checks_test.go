package customer_test

import (
	"testing"

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
