package customer_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// relJSONSeeds are valid JSON forms of each record, as the package writes them.
func relJSONSeeds(t testing.TB) (ref, sug, mem []byte) {
	r := newTestReferral(t)
	require.NoError(t, r.Convert(crm.MustParseMoney("1200.5 EUR"), relCh(1, "signed")))
	s := newTestSuggestion(t)
	require.NoError(t, s.Review(relCh(1, "")))
	require.NoError(t, s.Adopt(crm.MustParseMoney("300 EUR"), relCh(2, "")))
	m := newTestMembership(t)
	require.NoError(t, m.MoveTier(testProgramme(), "gold", relCh(3, "spend")))
	var err error
	ref, err = json.Marshal(r)
	require.NoError(t, err)
	sug, err = json.Marshal(s)
	require.NoError(t, err)
	mem, err = json.Marshal(m)
	require.NoError(t, err)
	return ref, sug, mem
}

func TestRelationJSON(t *testing.T) {
	t.Parallel()
	ref, sug, mem := relJSONSeeds(t)
	require.Contains(t, string(ref), `"v":1`)
	require.Contains(t, string(ref), `"outcome":"converted"`)

	var r customer.Referral
	require.NoError(t, json.Unmarshal(ref, &r))
	require.Equal(t, customer.ReferralConverted, r.Outcome())
	again, err := json.Marshal(&r)
	require.NoError(t, err)
	require.JSONEq(t, string(ref), string(again))
	var s customer.Suggestion
	require.NoError(t, json.Unmarshal(sug, &s))
	require.Equal(t, crm.UserID("mgr"), s.AdoptedBy())
	var m customer.Membership
	require.NoError(t, json.Unmarshal(mem, &m))
	require.Equal(t, "gold", m.Tier())

	// Times in another zone come out in UTC.
	zoned := newTestReferral(t)
	require.NoError(t, zoned.Lose(customer.Change{Actor: "mgr", At: relAt.Add(time.Hour).In(time.FixedZone("CST", 8*3600)), Reason: "x"}))
	b, err := json.Marshal(zoned)
	require.NoError(t, err)
	require.NotContains(t, string(b), "+08:00")

	for _, tc := range []struct {
		name, in, field string
	}{
		{"unknown member", strings.Replace(string(ref), `"v":1`, `"v":1,"extra":true`, 1), "extra"},
		{"wrong case", strings.Replace(string(ref), `"outcome"`, `"Outcome"`, 1), "Outcome"},
		{"unknown version", strings.Replace(string(ref), `"v":1`, `"v":2`, 1), "v"},
		{"unknown outcome", strings.Replace(string(ref), `"outcome":"converted"`, `"outcome":"won"`, 1), ""},
		{"outcome the history denies", strings.Replace(string(ref), `"outcome":"converted"`, `"outcome":"lost"`, 1), "outcome"},
		{"trailing data", string(ref) + "{}", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var x customer.Referral
			err := x.UnmarshalJSON([]byte(tc.in))
			require.ErrorIs(t, err, crm.ErrInvalid)
			if tc.field != "" {
				requireField(t, err, tc.field)
			}
			require.Zero(t, x.Version(), "a refused decode leaves the value alone")
		})
	}
	var zero customer.Referral
	_, err = json.Marshal(&zero)
	require.ErrorIs(t, err, crm.ErrInvalid, "a zero referral has no JSON form")
	require.NoError(t, json.Unmarshal([]byte("null"), &zero))

	var p customer.Programme
	pb, err := json.Marshal(testProgramme())
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(pb, &p))
	pb2, err := json.Marshal(p)
	require.NoError(t, err)
	require.Equal(t, string(pb), string(pb2))
	require.ErrorIs(t, json.Unmarshal([]byte(`{"name":"x","tiers":[],"term_months":1}`), &p), crm.ErrInvalid)
	require.ErrorIs(t, json.Unmarshal([]byte(`{"name":"x","tiers":[{"name":"a"}],"term_months":1,"other":1}`), &p), crm.ErrInvalid)
	pb3, err := json.Marshal(p)
	require.NoError(t, err)
	require.Equal(t, string(pb), string(pb3), "a refused decode leaves p alone")
}

// FuzzRelationJSON: no input panics a decoder, and whatever decodes
// encodes to a form that decodes to the same record.
func FuzzRelationJSON(f *testing.F) {
	ref, sug, mem := relJSONSeeds(f)
	f.Add(ref)
	f.Add(sug)
	f.Add(mem)
	pb, _ := json.Marshal(testProgramme())
	f.Add(pb)
	f.Add([]byte(`{"v":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip(t, b, func() interface {
			json.Unmarshaler
			json.Marshaler
		} {
			return &customer.Referral{}
		})
		roundTrip(t, b, func() interface {
			json.Unmarshaler
			json.Marshaler
		} {
			return &customer.Suggestion{}
		})
		roundTrip(t, b, func() interface {
			json.Unmarshaler
			json.Marshaler
		} {
			return &customer.Membership{}
		})
		var p customer.Programme
		if json.Unmarshal(b, &p) == nil && p.Name != "" {
			out, err := json.Marshal(p)
			require.NoError(t, err)
			var q customer.Programme
			require.NoError(t, json.Unmarshal(out, &q), "%s", out)
			out2, err := json.Marshal(q)
			require.NoError(t, err)
			require.Equal(t, string(out), string(out2))
		}
	})
}

func roundTrip(t *testing.T, b []byte, mk func() interface {
	json.Unmarshaler
	json.Marshaler
}) {
	t.Helper()
	x := mk()
	if err := x.UnmarshalJSON(b); err != nil {
		require.ErrorIs(t, err, crm.ErrInvalid)
		return
	}
	out, err := x.MarshalJSON()
	if err != nil { // null decodes to a zero value, which has no form
		require.ErrorIs(t, err, crm.ErrInvalid)
		return
	}
	y := mk()
	require.NoError(t, y.UnmarshalJSON(out), "%s", out)
	out2, err := y.MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, string(out), string(out2))
}
