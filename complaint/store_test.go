package complaint_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

func TestQueryValidate(t *testing.T) {
	t.Parallel()
	ok := []complaint.Query{
		{},
		{Owner: "agent-li", Statuses: []complaint.Status{complaint.Received}, Categories: []string{"leak"},
			Channel: customer.Web, MinSeverity: complaint.High, Asset: complaint.Asset{{Kind: "project", ID: "P1"}},
			ReceivedFrom: t0, ReceivedTo: t0.Add(time.Hour)},
	}
	for _, q := range ok {
		require.NoError(t, q.Validate())
	}
	tests := []struct {
		name string
		q    complaint.Query
		path string
	}{
		{"bad owner", complaint.Query{Owner: "tab\there"}, "owner"},
		{"unknown status", complaint.Query{Statuses: []complaint.Status{99}}, "statuses"},
		{"too many statuses", complaint.Query{Statuses: make([]complaint.Status, complaint.MaxQueryStatuses+1)}, "statuses"},
		{"bad category code", complaint.Query{Categories: []string{" leak"}}, "categories"},
		{"too many categories", complaint.Query{Categories: make([]string, complaint.MaxQueryCategories+1)}, "categories"},
		{"unknown channel", complaint.Query{Channel: 99}, "channel"},
		{"unknown severity", complaint.Query{MinSeverity: 99}, "min_severity"},
		{"bad asset", complaint.Query{Asset: complaint.Asset{{Kind: "", ID: "x"}}}, "asset[0].kind"},
		{"empty range", complaint.Query{ReceivedFrom: t0, ReceivedTo: t0}, "received_to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.q.Validate()
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.True(t, ve.Has(tt.path), "want %s in %v", tt.path, err)
		})
	}
}

func TestQueryMatches(t *testing.T) {
	t.Parallel()
	c, _ := at(t, complaint.Investigating) // window leak, High, call centre, agent-li, P1/B3/1502
	yes, no := true, false
	other := crm.MustParseID("01890000-0000-7000-8000-0000000000aa")
	tests := []struct {
		name string
		q    complaint.Query
		want bool
	}{
		{"zero query", complaint.Query{}, true},
		{"customer", complaint.Query{Customer: idCust}, true},
		{"other customer", complaint.Query{Customer: other}, false},
		{"owner", complaint.Query{Owner: "agent-li"}, true},
		{"other owner", complaint.Query{Owner: "agent-wu"}, false},
		{"status in list", complaint.Query{Statuses: []complaint.Status{complaint.Received, complaint.Investigating}}, true},
		{"status not in list", complaint.Query{Statuses: []complaint.Status{complaint.Closed}}, false},
		{"open", complaint.Query{Open: &yes}, true},
		{"not open", complaint.Query{Open: &no}, false},
		{"category", complaint.Query{Categories: []string{"billing", "window"}}, true},
		{"parent category is not expanded by the store", complaint.Query{Categories: []string{"leak"}}, false},
		{"channel", complaint.Query{Channel: customer.CallCentre}, true},
		{"other channel", complaint.Query{Channel: customer.Web}, false},
		{"severity at least medium", complaint.Query{MinSeverity: complaint.Medium}, true},
		{"severity at least critical", complaint.Query{MinSeverity: complaint.Critical}, false},
		{"no group", complaint.Query{Group: idGroup}, false},
		{"building prefix", complaint.Query{Asset: complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}}}, true},
		{"other building", complaint.Query{Asset: complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B4"}}}, false},
		{"from inclusive", complaint.Query{ReceivedFrom: t0}, true},
		{"to exclusive", complaint.Query{ReceivedTo: t0}, false},
		{"in range", complaint.Query{ReceivedFrom: t0.Add(-time.Hour), ReceivedTo: t0.Add(time.Minute)}, true},
		{"all together", complaint.Query{Customer: idCust, Owner: "agent-li", Open: &yes, Categories: []string{"window"},
			Channel: customer.CallCentre, MinSeverity: complaint.High, Asset: complaint.Asset{{Kind: "project", ID: "P1"}}}, true},
		{"all but one", complaint.Query{Customer: idCust, Owner: "agent-li", Open: &yes, Categories: []string{"window"},
			Channel: customer.CallCentre, MinSeverity: complaint.Critical}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.q.Matches(c))
		})
	}
	g := c.Clone()
	require.NoError(t, g.SetGroup(idGroup, chg(100)))
	require.True(t, complaint.Query{Group: idGroup}.Matches(g))
}

func riskFixture(t testing.TB) *complaint.Risk {
	t.Helper()
	h := complaint.Hotspot{Rule: "leaks", Kind: complaint.RuleCluster, Category: "leak",
		Asset: complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}}, Count: 3,
		From: t0.Add(-72 * time.Hour), To: t0, Evidence: []crm.ID{idC}}
	r, err := complaint.NewRisk(h, "manager-wang", crm.MustParseID("01890000-0000-7000-8000-0000000000ff"), tenantA, t0)
	require.NoError(t, err)
	return r
}

func TestRiskQuery(t *testing.T) {
	t.Parallel()
	r := riskFixture(t)
	yes, no := true, false
	require.True(t, r.Active())
	for _, tt := range []struct {
		name string
		q    complaint.RiskQuery
		want bool
	}{
		{"zero", complaint.RiskQuery{}, true},
		{"status", complaint.RiskQuery{Statuses: []complaint.MitigationStatus{complaint.RiskOpen}}, true},
		{"other status", complaint.RiskQuery{Statuses: []complaint.MitigationStatus{complaint.RiskMitigated}}, false},
		{"active", complaint.RiskQuery{Active: &yes}, true},
		{"settled", complaint.RiskQuery{Active: &no}, false},
		{"owner", complaint.RiskQuery{Owner: "manager-wang"}, true},
		{"other owner", complaint.RiskQuery{Owner: "manager-li"}, false},
		{"key", complaint.RiskQuery{Key: r.Key()}, true},
		{"other key", complaint.RiskQuery{Key: "x"}, false},
	} {
		require.Equal(t, tt.want, tt.q.Matches(r), tt.name)
		require.NoError(t, tt.q.Validate(), tt.name)
	}
	require.NoError(t, r.Move(complaint.RiskAccepted, "manager-wang", "cost too high", t0.Add(time.Hour)))
	require.False(t, r.Active())
	require.True(t, complaint.RiskQuery{Active: &no}.Matches(r))

	for _, q := range []complaint.RiskQuery{
		{Statuses: []complaint.MitigationStatus{0}},
		{Owner: "bad\nowner"},
		{Key: strings.Repeat("k", complaint.MaxRiskKeyLen+1)},
	} {
		require.ErrorIs(t, q.Validate(), crm.ErrInvalid)
	}
}

func TestRiskRecordRoundTrip(t *testing.T) {
	t.Parallel()
	r := riskFixture(t)
	require.NoError(t, r.Move(complaint.RiskMitigating, "manager-wang", "roofer booked", t0.Add(time.Hour)))
	require.NoError(t, r.AddNote("manager-wang", "owners informed", t0.Add(2*time.Hour)))
	complaint.RiskSavedForTest(r, 3)
	rec := r.Record()
	got, err := complaint.RiskFromRecord(rec)
	require.NoError(t, err)
	require.Equal(t, rec, got.Record())
	require.Equal(t, int64(3), got.Version())

	// The record shares nothing with the risk.
	rec.Hotspot.Evidence[0] = crm.NilID
	rec.Notes[0].Text = "changed"
	require.Equal(t, idC, got.Evidence()[0])
	require.Equal(t, "roofer booked", got.Notes()[0].Text)

	tests := []struct {
		name string
		edit func(*complaint.RiskRecord)
		path string
	}{
		{"zero id", func(r *complaint.RiskRecord) { r.ID = crm.NilID }, "id"},
		{"bad tenant", func(r *complaint.RiskRecord) { r.Tenant = "" }, "tenant"},
		{"negative version", func(r *complaint.RiskRecord) { r.Version = -1 }, "version"},
		{"no owner", func(r *complaint.RiskRecord) { r.Owner = "" }, "owner"},
		{"bad status", func(r *complaint.RiskRecord) { r.Status = 0 }, "status"},
		{"no rule", func(r *complaint.RiskRecord) { r.Hotspot.Rule = "" }, "hotspot.rule"},
		{"bad kind", func(r *complaint.RiskRecord) { r.Hotspot.Kind = 0 }, "hotspot.kind"},
		{"no evidence", func(r *complaint.RiskRecord) { r.Hotspot.Evidence = nil }, "hotspot.evidence"},
		{"bad asset", func(r *complaint.RiskRecord) { r.Hotspot.Asset = complaint.Asset{{}} }, "hotspot.asset[0].kind"},
		{"no created", func(r *complaint.RiskRecord) { r.CreatedAt = time.Time{} }, "created_at"},
		{"updated before created", func(r *complaint.RiskRecord) { r.UpdatedAt = r.CreatedAt.Add(-time.Second) }, "updated_at"},
		{"note without actor", func(r *complaint.RiskRecord) { r.Notes[0].Actor = "" }, "notes[0].actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := riskFixture(t).Record()
			rec.Notes = []complaint.RiskNote{{At: t0, Actor: "a", Text: "n"}}
			tt.edit(&rec)
			_, err := complaint.RiskFromRecord(rec)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), "want %s in %v", tt.path, err)
		})
	}
}
