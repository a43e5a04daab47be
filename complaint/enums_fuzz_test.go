package complaint_test

import (
	"encoding"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// textEnum is what every enum of the package implements.
type textEnum interface {
	encoding.TextMarshaler
	String() string
	Valid() bool
}

// fuzzEnum checks parse: no panic; a parsed value is valid, marshals to its
// String form and parses back to itself.
func fuzzEnum[T textEnum](t *testing.T, s string, parse func(string) (T, error)) {
	v, err := parse(s)
	if err != nil {
		require.ErrorIs(t, err, crm.ErrInvalid)
		return
	}
	require.True(t, v.Valid())
	b, err := v.MarshalText()
	require.NoError(t, err)
	require.Equal(t, v.String(), string(b))
	again, err := parse(string(b))
	require.NoError(t, err)
	require.Equal(t, v, again)
}

func addSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		f.Add(n)
	}
	f.Add("")
	f.Add(" Received ")
	f.Add("nope")
}

func FuzzParseStatus(f *testing.F) {
	addSeeds(f, "received", "waiting_on_customer", "reopened")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, complaint.ParseStatus) })
}

func FuzzParseSeverity(f *testing.F) {
	addSeeds(f, "low", "critical")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, complaint.ParseSeverity) })
}

func FuzzParsePriority(f *testing.F) {
	addSeeds(f, "p1", "P4")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, complaint.ParsePriority) })
}

func FuzzParseRemedy(f *testing.F) {
	addSeeds(f, "repair", "compensation")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, complaint.ParseRemedy) })
}

func FuzzParseRepairStep(f *testing.F) {
	addSeeds(f, "scheduled", "on_site", "verified")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, complaint.ParseRepairStep) })
}

func FuzzParseAuditKind(f *testing.F) {
	addSeeds(f, "created", "hand_over")
	f.Fuzz(func(t *testing.T, s string) { fuzzEnum(t, s, complaint.ParseAuditKind) })
}

func TestEnumsText(t *testing.T) {
	t.Parallel()
	for _, s := range complaint.Statuses() {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var got complaint.Status
		require.NoError(t, got.UnmarshalText(b))
		require.Equal(t, s, got)
	}
	_, err := complaint.Status(0).MarshalText()
	require.ErrorIs(t, err, crm.ErrInvalid)
	var sev complaint.Severity
	require.ErrorIs(t, sev.UnmarshalText([]byte("huge")), crm.ErrInvalid)
	var p complaint.Priority
	require.NoError(t, p.UnmarshalText([]byte("P1")))
	require.Equal(t, complaint.P1, p)
	require.False(t, complaint.Closed.Open())
	require.False(t, complaint.Rejected.Open())
	require.True(t, complaint.WaitingOnCustomer.Open())
}
