package storagetest

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// testComplaintContext proves that a cancelled context fails every
// complaint.Store method with an error wrapping context.Canceled, and
// changes nothing.
func testComplaintContext(t *testing.T, e *env) {
	bg := context.Background()
	cancelled, cancel := context.WithCancel(bg)
	cancel()

	// setup stores a complaint and a risk.
	setup := func(t *testing.T) (crm.TenantID, *complaint.Complaint, *complaint.Risk) {
		t.Helper()
		tenant := NewTenant(t)
		c := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{Status: complaint.Investigating})
		r := CreateRisk(t, e.cs, tenant, nil)
		return tenant, c, r
	}

	cases := []struct {
		name string
		call func(t *testing.T, tenant crm.TenantID, c *complaint.Complaint, r *complaint.Risk) error
		// check proves the call changed nothing beyond what the snapshots
		// cover.
		check func(t *testing.T, tenant crm.TenantID)
	}{
		{name: "Create", call: func(t *testing.T, tenant crm.TenantID, _ *complaint.Complaint, _ *complaint.Risk) error {
			n := NewComplaint(t, tenant, &ComplaintOptions{Owner: "never-stored"})
			err := e.cs.Create(cancelled, n)
			require.Equal(t, int64(0), n.Version())
			require.Len(t, n.PendingAudit(), 1)
			return err
		}, check: func(t *testing.T, tenant crm.TenantID) {
			p, err := e.cs.List(bg, tenant, complaint.Query{Owner: "never-stored"}, crm.PageRequest{})
			require.NoError(t, err)
			require.Empty(t, p.Items)
		}},
		{name: "Audit", call: func(_ *testing.T, tenant crm.TenantID, c *complaint.Complaint, _ *complaint.Risk) error {
			_, err := e.cs.Audit(cancelled, tenant, c.ID(), crm.PageRequest{})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant, c, r := setup(t)
			before := takeComplaintSnapshot(t, e.cs, tenant, c.ID())
			riskBefore := takeRiskSnapshot(t, e.cs, tenant, r.ID())
			err := tc.call(t, tenant, c, r)
			require.ErrorIs(t, err, context.Canceled)
			requireComplaintUnchanged(t, e.cs, tenant, before)
			requireRiskUnchanged(t, e.cs, tenant, riskBefore)
			if tc.check != nil {
				tc.check(t, tenant)
			}
		})
	}

	t.Run("CancelledInsideTx", func(t *testing.T) {
		t.Parallel()
		tenant, c, r := setup(t)
		before := takeComplaintSnapshot(t, e.cs, tenant, c.ID())
		riskBefore := takeRiskSnapshot(t, e.cs, tenant, r.ID())
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		n := NewComplaint(t, tenant, nil)
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			if err := e.cs.Create(ctx, n); err != nil {
				return err
			}
			if _, err := e.cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error { return x.Escalate(cchange(10)) }); err != nil {
				return err
			}
			cancel()
			_, err := e.cs.UpdateRisk(ctx, tenant, r.ID(), func(x *complaint.Risk) error {
				return x.AddNote("storagetest", "never stored", at(10))
			})
			return err
		})
		require.ErrorIs(t, err, context.Canceled)
		requireComplaintUnchanged(t, e.cs, tenant, before)
		requireRiskUnchanged(t, e.cs, tenant, riskBefore)
		_, err = e.cs.Get(bg, tenant, n.ID())
		require.ErrorIs(t, err, crm.ErrNotFound)
	})
}

// testComplaintInvalid proves that invalid input to complaint.Store fails
// with crm.ErrInvalid and changes nothing.
func testComplaintInvalid(t *testing.T, e *env) {
	ctx := context.Background()
	tenant := NewTenant(t)
	c := CreateComplaint(t, e.cs, tenant, &ComplaintOptions{Status: complaint.Investigating})
	r := CreateRisk(t, e.cs, tenant, nil)
	before := takeComplaintSnapshot(t, e.cs, tenant, c.ID())
	riskBefore := takeRiskSnapshot(t, e.cs, tenant, r.ID())

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
		{"LongCursor", crm.PageRequest{Cursor: strings.Repeat("1", crm.MaxCursorLen+1)}},
	}

	type call struct {
		name string
		run  func(t *testing.T) error
	}
	var calls []call
	add := func(name string, run func(t *testing.T) error) { calls = append(calls, call{name, run}) }

	for _, bt := range badTenants {
		tn := bt.tenant
		add("Audit/Tenant"+bt.name, func(*testing.T) error {
			_, err := e.cs.Audit(ctx, tn, c.ID(), crm.PageRequest{})
			return err
		})
	}
	for _, bp := range badPages {
		pg := bp.page
		add("Audit/"+bp.name, func(*testing.T) error { _, err := e.cs.Audit(ctx, tenant, c.ID(), pg); return err })
	}

	// Zero IDs, zero values and missing arguments.
	add("Create/Nil", func(*testing.T) error { return e.cs.Create(ctx, nil) })
	add("Create/Zero", func(*testing.T) error { return e.cs.Create(ctx, &complaint.Complaint{}) })
	add("CreateRisk/Nil", func(*testing.T) error { return e.cs.CreateRisk(ctx, nil) })
	add("CreateRisk/Zero", func(*testing.T) error { return e.cs.CreateRisk(ctx, &complaint.Risk{}) })
	add("Audit/ZeroID", func(*testing.T) error {
		_, err := e.cs.Audit(ctx, tenant, crm.NilID, crm.PageRequest{})
		return err
	})

	// Invalid queries.
	tooManyStatuses := make([]complaint.Status, complaint.MaxQueryStatuses+1)
	for i := range tooManyStatuses {
		tooManyStatuses[i] = complaint.Received
	}
	tooManyCategories := make([]string, complaint.MaxQueryCategories+1)
	for i := range tooManyCategories {
		tooManyCategories[i] = "leak"
	}
	deepAsset := make(complaint.Asset, complaint.MaxAssetLevels+1)
	for i := range deepAsset {
		deepAsset[i] = complaint.AssetLevel{Kind: "level", ID: "x"}
	}
	for name, q := range map[string]complaint.Query{
		"UnknownStatus":     {Statuses: []complaint.Status{complaint.Received, 99}},
		"TooManyStatuses":   {Statuses: tooManyStatuses},
		"EmptyCategory":     {Categories: []string{"leak", ""}},
		"SpacedCategory":    {Categories: []string{" leak "}},
		"TooManyCategories": {Categories: tooManyCategories},
		"UnknownChannel":    {Channel: 99},
		"UnknownSeverity":   {MinSeverity: 99},
		"BadOwner":          {Owner: "bad\x01owner"},
		"EmptyAssetKind":    {Asset: complaint.Asset{{Kind: "", ID: "P1"}}},
		"TooDeepAsset":      {Asset: deepAsset},
		"ToBeforeFrom":      {ReceivedFrom: at(5), ReceivedTo: at(4)},
		"ToEqualsFrom":      {ReceivedFrom: at(5), ReceivedTo: at(5)},
	} {
		add("List/Query"+name, func(*testing.T) error {
			_, err := e.cs.List(ctx, tenant, q, crm.PageRequest{})
			return err
		})
	}
	tooManyRiskStatuses := make([]complaint.MitigationStatus, complaint.MaxQueryStatuses+1)
	for i := range tooManyRiskStatuses {
		tooManyRiskStatuses[i] = complaint.RiskOpen
	}
	for name, q := range map[string]complaint.RiskQuery{
		"UnknownStatus":   {Statuses: []complaint.MitigationStatus{99}},
		"TooManyStatuses": {Statuses: tooManyRiskStatuses},
		"BadOwner":        {Owner: "bad\x01owner"},
		"LongKey":         {Key: strings.Repeat("k", complaint.MaxRiskKeyLen+1)},
	} {
		add("ListRisks/Query"+name, func(*testing.T) error {
			_, err := e.cs.ListRisks(ctx, tenant, q, crm.PageRequest{})
			return err
		})
	}

	for _, cl := range calls {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, cl.run(t), crm.ErrInvalid)
		})
	}
	t.Cleanup(func() {
		if !t.Failed() {
			requireComplaintUnchanged(t, e.cs, tenant, before)
			requireRiskUnchanged(t, e.cs, tenant, riskBefore)
		}
	})
}
