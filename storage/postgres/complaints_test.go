package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// complaintOpts tweaks a test complaint.
type complaintOpts struct {
	customer crm.ID
	owner    crm.UserID
	category string
	asset    complaint.Asset
	group    crm.ID
	at       time.Time
}

// newComplaint builds a valid new complaint of tenant, with its "created"
// audit entry pending.
func newComplaint(t testing.TB, tenant crm.TenantID, o complaintOpts) *complaint.Complaint {
	t.Helper()
	if o.customer.IsZero() {
		o.customer = newID(t)
	}
	if o.owner == "" {
		o.owner = "owner-1"
	}
	if o.category == "" {
		o.category = "leak"
	}
	if o.at.IsZero() {
		o.at = t0
	}
	c, err := complaint.New(complaint.NewInput{
		ID: newID(t), Tenant: tenant, Customer: o.customer, Channel: customer.PhoneCall, Category: o.category,
		Asset: o.asset, Description: "Water through the ceiling", Group: o.group, Owner: o.owner,
	}, complaint.Change{Actor: "tester", At: o.at})
	require.NoError(t, err)
	return c
}

// fullRecord returns a new complaint record with every field set.
func fullRecord(t testing.TB, tenant crm.TenantID, comp crm.Money) complaint.Record {
	t.Helper()
	accepted := true
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	return complaint.Record{
		ID: newID(t), Tenant: tenant, Customer: newID(t), Channel: customer.Web, Category: "leak/roof",
		Severity: complaint.Critical, Priority: complaint.P1,
		Asset:       complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}, {Kind: "unit", ID: "1502"}},
		Description: "屋顶漏水 — roof leaks, \"again\"", DesiredOutcome: "Fix it; refund the cleaning",
		Attachments: []string{"s3://photos/1.jpg", "s3://photos/2.jpg"}, Group: newID(t), Owner: "manager-7",
		HandOvers: 2, Status: complaint.Closed, EscalationLevel: 3, Reopens: 1, ReopenWindow: 14 * 24 * time.Hour,
		Resolution: &complaint.Resolution{
			Remedy: complaint.Compensation, Compensation: comp, Summary: "Roof resealed and cleaning paid",
			RootCause:  complaint.RootCause{Category: "workmanship", Text: "Sealant applied in the rain"},
			Corrective: "Resealed", Preventive: "No sealing below 5 °C or in rain",
		},
		Accepted:   &accepted,
		FollowUpAt: at(200),
		FollowUp:   &complaint.FollowUp{Reached: true, Note: "Happy with the repair", At: at(201)},
		Survey:     &complaint.Survey{CSAT: 4, Comment: "Slow, but fixed", At: at(202)},
		Repair: []complaint.RepairEntry{
			{Step: complaint.StepScheduled, Note: "Tuesday", Public: true, At: at(10), Actor: "dispatch"},
			{Step: complaint.StepOnSite, Note: "internal: ladder needed", Public: false, At: at(30), Actor: "tech-1"},
			{Step: complaint.StepFixed, Public: true, At: at(40), Actor: "tech-1"},
		},
		Pauses:         []calendar.Interval{{Start: at(5), End: at(8)}, {Start: at(50), End: at(60)}},
		ReceivedAt:     t0,
		AcknowledgedAt: at(1), FirstResponseAt: at(2), ResolvedAt: at(100), ClosedAt: at(150), RejectedAt: at(120),
		AuditSeq: 17,
	}
}

// TestComplaintRoundTrip stores fully populated complaints and reads them
// back equal, field by field, money digit for digit.
func TestComplaintRoundTrip(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	cs := s.Complaints()
	ctx := context.Background()
	ten := newTenant()
	cny := crm.MustCurrency("CNY")
	money := func(amount string) crm.Money {
		m, err := crm.MoneyFromString(amount, cny)
		require.NoError(t, err)
		return m
	}
	cases := []struct {
		name string
		comp crm.Money
	}{
		{"trailing zeros", money("1234.500")},
		{"positive exponent", money("12e3")},
		{"many digits", money("123456789012345678.123456")},
		{"zero with currency", crm.Zero(cny)},
		{"zero written 0.00", money("0.00")},
		{"tiny", money("0.000001")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := fullRecord(t, ten, tc.comp)
			c, err := complaint.FromRecord(rec)
			require.NoError(t, err)
			if tc.comp.IsZero() {
				// A compensation remedy pays something: zero is refused on
				// every path (complaint.Guard), not stored.
				require.ErrorIs(t, cs.Create(ctx, c), crm.ErrInvalid)
				return
			}
			require.NoError(t, cs.Create(ctx, c))
			got, err := cs.Get(ctx, ten, rec.ID)
			require.NoError(t, err)
			want := rec
			want.Version = 1
			back := got.Record()
			gotComp, wantComp := back.Resolution.Compensation, want.Resolution.Compensation
			require.True(t, wantComp.Equal(gotComp), "%s != %s", wantComp, gotComp)
			require.Equal(t, wantComp.Amount().Exponent(), gotComp.Amount().Exponent())
			require.Equal(t, wantComp.String(), gotComp.String())
			// The amounts are equal digit for digit; compare the rest as
			// whole records.
			back.Resolution.Compensation, want.Resolution.Compensation = crm.Money{}, crm.Money{}
			require.Equal(t, want, back)
		})
	}
	t.Run("no resolution, open pause", func(t *testing.T) {
		t.Parallel()
		rec := fullRecord(t, ten, crm.Money{})
		rec.Resolution, rec.Accepted, rec.FollowUp, rec.Survey, rec.FollowUpAt = nil, nil, nil, nil, time.Time{}
		rec.Status, rec.WaitingFrom = complaint.WaitingOnCustomer, complaint.Investigating
		rec.Pauses = []calendar.Interval{{Start: t0.Add(time.Hour)}}
		rec.Asset, rec.Attachments, rec.Group, rec.Repair = nil, nil, crm.ID{}, nil
		c, err := complaint.FromRecord(rec)
		require.NoError(t, err)
		require.NoError(t, cs.Create(ctx, c))
		got, err := cs.Get(ctx, ten, rec.ID)
		require.NoError(t, err)
		rec.Version = 1
		require.Equal(t, rec, got.Record())
	})
	t.Run("audit and update", func(t *testing.T) {
		t.Parallel()
		c := newComplaint(t, ten, complaintOpts{})
		require.NoError(t, cs.Create(ctx, c))
		ch := complaint.Change{Actor: "agent", At: t0.Add(time.Minute), Reason: "called back"}
		up, err := cs.Update(ctx, ten, c.ID(), func(c *complaint.Complaint) error {
			if err := c.Transition(complaint.Acknowledged, ch); err != nil {
				return err
			}
			return c.AddRepairStep(complaint.StepScheduled, "Friday", true, ch)
		})
		require.NoError(t, err)
		require.Equal(t, int64(2), up.Version())
		require.Empty(t, up.PendingAudit())
		got, err := cs.Get(ctx, ten, c.ID())
		require.NoError(t, err)
		require.Equal(t, up.Record(), got.Record())
		p, err := cs.Audit(ctx, ten, c.ID(), crm.PageRequest{Limit: 2})
		require.NoError(t, err)
		require.Len(t, p.Items, 2)
		require.NotEmpty(t, p.Next)
		require.Equal(t, complaint.AuditCreated, p.Items[0].Kind)
		require.Equal(t, complaint.AuditStatus, p.Items[1].Kind)
		p2, err := cs.Audit(ctx, ten, c.ID(), crm.PageRequest{Cursor: p.Next, Limit: 2})
		require.NoError(t, err)
		require.Len(t, p2.Items, 1)
		require.Empty(t, p2.Next)
		require.Equal(t, complaint.AuditEntry{ComplaintID: c.ID(), Seq: 3, Kind: complaint.AuditRepair,
			From: "public", To: "scheduled", At: ch.At, Actor: ch.Actor, Reason: ch.Reason}, p2.Items[0])
	})
}

// TestComplaintRefusesUnstorableText checks that text PostgreSQL cannot
// store (NUL, which the entity allows) is refused before anything is sent.
func TestComplaintRefusesUnstorableText(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	cases := []struct {
		name string
		o    complaintOpts
	}{
		{"NUL in asset kind", complaintOpts{asset: complaint.Asset{{Kind: "a\x00b", ID: "1"}}}},
		{"NUL in asset ID", complaintOpts{asset: complaint.Asset{{Kind: "unit", ID: "\x00"}}}},
		{"NUL in category", complaintOpts{category: "leak\x00"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newComplaint(t, ten, tc.o)
			require.ErrorIs(t, s.Complaints().Create(ctx, c), crm.ErrInvalid)
			_, err := s.Complaints().Get(ctx, ten, c.ID())
			require.ErrorIs(t, err, crm.ErrNotFound)
		})
	}
	t.Run("NUL in an update", func(t *testing.T) {
		t.Parallel()
		c := newComplaint(t, ten, complaintOpts{})
		require.NoError(t, s.Complaints().Create(ctx, c))
		_, err := s.Complaints().Update(ctx, ten, c.ID(), func(c *complaint.Complaint) error {
			return c.AddRepairStep(complaint.StepScheduled, "bad\x00note", true, complaint.Change{Actor: "a", At: t0})
		})
		require.ErrorIs(t, err, crm.ErrInvalid)
		got, err := s.Complaints().Get(ctx, ten, c.ID())
		require.NoError(t, err)
		require.Equal(t, int64(1), got.Version())
	})
}

// TestComplaintAuditAppendOnly checks that the audit table refuses
// changes and deletions, whoever asks.
func TestComplaintAuditAppendOnly(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	c := newComplaint(t, ten, complaintOpts{})
	require.NoError(t, s.Complaints().Create(ctx, c))
	table := pgx.Identifier{s.Schema(), "complaint_audit"}.Sanitize()
	for _, stmt := range []string{"UPDATE " + table + " SET reason = 'edited'", "DELETE FROM " + table} {
		t.Run(stmt, func(t *testing.T) {
			_, err := pgtest.Pool(t).Exec(ctx, stmt)
			require.ErrorContains(t, err, "append-only")
		})
	}
	p, err := s.Complaints().Audit(ctx, ten, c.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Items, 1)
	require.Empty(t, p.Items[0].Reason)
}

// hostile are asset kinds, IDs and category codes chosen to break naive
// SQL: quotes, LIKE wildcards and escapes, the separators of
// Asset.String, the store's own escape bytes, and mixed scripts.
var hostile = []string{`'`, `''; DROP TABLE x; --`, `%`, `_`, `\`, `\\%`, `a%b`, `a_b`, `/`, `:`, `a:b`, `a/b`,
	"\x01", "\x02", "\x01\x02", "x\x02y", "\x03", `楼栋-Б`, `Ω'%_\/:`, `"`, `$1`}

// TestComplaintHostileQueries stores complaints whose assets and
// categories hold hostile strings, in two tenants, and checks every list
// filter against complaint.Query.Matches: the same complaints, no SQL
// error, nothing of the other tenant.
func TestComplaintHostileQueries(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	cs := s.Complaints()
	ctx := context.Background()
	a, b := newTenant(), newTenant()
	var assets []complaint.Asset
	for i, h := range hostile {
		next := hostile[(i+1)%len(hostile)]
		assets = append(assets,
			complaint.Asset{{Kind: h, ID: "1"}},
			complaint.Asset{{Kind: "p", ID: h}},
			complaint.Asset{{Kind: "p", ID: h}, {Kind: next, ID: h + next}},
			complaint.Asset{{Kind: h + next, ID: h}},
		)
	}
	// Near misses of the separators: [{a b} …] against [{a:b …}] and [{a b/c}].
	assets = append(assets, complaint.Asset{{Kind: "a", ID: "b"}, {Kind: "c", ID: "d"}},
		complaint.Asset{{Kind: "a", ID: "b/c:d"}}, complaint.Asset{{Kind: "a:b", ID: "c"}}, nil)
	var stored []*complaint.Complaint
	for i, as := range assets {
		cat := hostile[i%len(hostile)]
		for _, ten := range []crm.TenantID{a, b} {
			c := newComplaint(t, ten, complaintOpts{asset: as, category: cat})
			require.NoError(t, cs.Create(ctx, c))
			if ten == a {
				stored = append(stored, c)
			}
		}
	}
	var queries []complaint.Query
	for _, as := range assets {
		for n := 1; n <= len(as); n++ {
			queries = append(queries, complaint.Query{Asset: as[:n]})
		}
	}
	for _, h := range hostile {
		queries = append(queries, complaint.Query{Categories: []string{h}}, complaint.Query{Categories: []string{h, "nope"}},
			complaint.Query{Asset: complaint.Asset{{Kind: h, ID: h}}})
	}
	queries = append(queries,
		complaint.Query{Asset: complaint.Asset{{Kind: "a", ID: "b"}}},
		complaint.Query{Asset: complaint.Asset{{Kind: "a", ID: "b\x00"}}},
		complaint.Query{Categories: []string{"x\x00"}},
		complaint.Query{Asset: complaint.Asset{{Kind: "p", ID: `%`}}, Categories: []string{`_`, `%`, `\`}},
	)
	for _, q := range queries {
		t.Run(q.Asset.String()+"|"+stringsJoin(q.Categories), func(t *testing.T) {
			t.Parallel()
			var want []crm.ID
			for _, c := range stored {
				if q.Matches(c) {
					want = append(want, c.ID())
				}
			}
			got := listAll(t, a, q, cs)
			require.Equal(t, want, got)
			for _, id := range got {
				_, err := cs.Get(ctx, b, id)
				require.ErrorIs(t, err, crm.ErrNotFound)
			}
		})
	}
}

func stringsJoin(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

// listAll pages through the whole list, three at a time.
func listAll(t testing.TB, tenant crm.TenantID, q complaint.Query, cs complaint.Store) []crm.ID {
	t.Helper()
	var ids []crm.ID
	page := crm.PageRequest{Limit: 3}
	for {
		p, err := cs.List(context.Background(), tenant, q, page)
		require.NoError(t, err)
		for _, c := range p.Items {
			ids = append(ids, c.ID())
		}
		if p.Next == "" {
			break
		}
		page.Cursor = p.Next
	}
	require.True(t, slices.IsSortedFunc(ids, crm.ID.Compare))
	return ids
}

// TestComplaintListFilters checks each list filter against Matches on a
// varied set of complaints.
func TestComplaintListFilters(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	cs := s.Complaints()
	ctx := context.Background()
	ten := newTenant()
	cust, group := newID(t), newID(t)
	var stored []*complaint.Complaint
	for i := range 40 {
		o := complaintOpts{owner: crm.UserID([]string{"ann", "bob", "cy"}[i%3]), category: []string{"leak", "noise", "billing"}[i%3],
			asset: complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: []string{"B1", "B2"}[i%2]}},
			at:    t0.Add(time.Duration(i) * time.Hour)}
		if i%4 == 0 {
			o.customer = cust
		}
		if i%5 == 0 {
			o.group = group
		}
		c := newComplaint(t, ten, o)
		require.NoError(t, cs.Create(ctx, c))
		var err error
		switch {
		case i%3 == 0:
			c, err = cs.Update(ctx, ten, c.ID(), func(c *complaint.Complaint) error {
				return c.Transition(complaint.Rejected, complaint.Change{Actor: "ann", At: o.at, Reason: "not ours"})
			})
		case i%7 == 0:
			c, err = cs.Update(ctx, ten, c.ID(), func(c *complaint.Complaint) error {
				return c.Escalate(complaint.Change{Actor: "ann", At: o.at, Reason: "angry"})
			})
		}
		require.NoError(t, err)
		stored = append(stored, c)
	}
	yes, no := true, false
	queries := map[string]complaint.Query{
		"customer":      {Customer: cust},
		"owner":         {Owner: "bob"},
		"status":        {Statuses: []complaint.Status{complaint.Rejected}},
		"open":          {Open: &yes},
		"settled":       {Open: &no},
		"categories":    {Categories: []string{"leak", "billing"}},
		"channel":       {Channel: customer.PhoneCall},
		"other channel": {Channel: customer.Fax},
		"min severity":  {MinSeverity: complaint.High},
		"group":         {Group: group},
		"asset":         {Asset: complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B2"}}},
		"received":      {ReceivedFrom: t0.Add(5 * time.Hour), ReceivedTo: t0.Add(20 * time.Hour)},
		"received to":   {ReceivedTo: t0.Add(3 * time.Hour)},
		"combined":      {Owner: "ann", Open: &no, Asset: complaint.Asset{{Kind: "project", ID: "P1"}}},
		"all":           {},
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var want []crm.ID
			for _, c := range stored {
				if q.Matches(c) {
					want = append(want, c.ID())
				}
			}
			require.Equal(t, want, listAll(t, ten, q, cs))
		})
	}
}

// TestRiskActiveKey checks the one-active-risk-per-hotspot rule with keys
// far longer than a btree entry may be (the index holds their hash), and
// that a settled risk frees its key.
func TestRiskActiveKey(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	cs := s.Complaints()
	ctx := context.Background()
	ten, other := newTenant(), newTenant()
	// A key near the longest complaint.Guard lets through: the rule at its
	// limit and eight asset levels of hostile 120-byte IDs.
	long := strings.Repeat(`B'%_\`, complaint.MaxRuleNameLen/5-1)
	var asset complaint.Asset
	for i := range complaint.MaxAssetLevels {
		asset = append(asset, complaint.AssetLevel{Kind: fmt.Sprintf("level%d", i), ID: strings.Repeat(`%_/:\`, 24)})
	}
	newRisk := func(t testing.TB, ten crm.TenantID, rule string) *complaint.Risk {
		t.Helper()
		h := complaint.Hotspot{Rule: rule, Kind: complaint.RuleTrend, Count: 9, Baseline: 1.0 / 3, To: t0, Evidence: []crm.ID{newID(t)}, Asset: asset}
		require.Greater(t, len(h.Key()), 1000)
		r, err := complaint.NewRisk(h, "risk-owner", newID(t), ten, t0)
		require.NoError(t, err)
		return r
	}
	first := newRisk(t, ten, long)
	require.NoError(t, cs.CreateRisk(ctx, first))
	require.ErrorIs(t, cs.CreateRisk(ctx, newRisk(t, ten, long)), crm.ErrDuplicate)
	require.NoError(t, cs.CreateRisk(ctx, newRisk(t, other, long)), "another tenant's key is its own")
	require.NoError(t, cs.CreateRisk(ctx, newRisk(t, ten, long+"x")))
	yes := true
	p, err := cs.ListRisks(ctx, ten, complaint.RiskQuery{Active: &yes}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Items, 2)
	require.Equal(t, first.Record(), p.Items[0].Record())
	hostileKey := newRisk(t, ten, `r'%_\`+"\x01")
	require.NoError(t, cs.CreateRisk(ctx, hostileKey))
	p, err = cs.ListRisks(ctx, ten, complaint.RiskQuery{Key: hostileKey.Key()}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Items, 1)
	require.Equal(t, hostileKey.ID(), p.Items[0].ID())
	for _, to := range []complaint.MitigationStatus{complaint.RiskMitigating, complaint.RiskMitigated} {
		_, err := cs.UpdateRisk(ctx, ten, first.ID(), func(r *complaint.Risk) error {
			return r.Move(to, "risk-owner", "done", t0.Add(time.Hour))
		})
		require.NoError(t, err)
	}
	again := newRisk(t, ten, long)
	require.NoError(t, cs.CreateRisk(ctx, again), "a settled risk frees its hotspot key")
	got, err := cs.GetRisk(ctx, ten, again.ID())
	require.NoError(t, err)
	require.Equal(t, again.Record(), got.Record())
}

// TestComplaintLargestAsset stores the largest assets the entity allows,
// with every byte needing an escape in the stored path or none at all: a
// complaint is stored and found by prefix, or refused as invalid input
// when its path cannot be indexed, never failed with a server error.
func TestComplaintLargestAsset(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	field := func(seed int, escaped bool) string {
		var b strings.Builder
		x := uint32(seed*2654435761 + 1)
		for b.Len() < complaint.MaxAssetFieldLen {
			x = x*1664525 + 1013904223
			switch {
			case escaped && x>>31 == 1:
				b.WriteByte(byte(1 + x>>30&1))
			default:
				b.WriteByte(byte('!' + x>>24%90))
			}
		}
		return b.String()[:complaint.MaxAssetFieldLen]
	}
	for _, escaped := range []bool{false, true} {
		t.Run(fmt.Sprintf("escaped %v", escaped), func(t *testing.T) {
			var asset complaint.Asset
			for i := range complaint.MaxAssetLevels {
				asset = append(asset, complaint.AssetLevel{Kind: field(2*i, escaped), ID: field(2*i+1, escaped)})
			}
			c := newComplaint(t, ten, complaintOpts{asset: asset})
			err := s.Complaints().Create(ctx, c)
			t.Logf("path of %d bytes: %v", len(asset.String()), err)
			if err != nil {
				require.ErrorIs(t, err, crm.ErrInvalid)
				return
			}
			require.Equal(t, []crm.ID{c.ID()}, listAll(t, ten, complaint.Query{Asset: asset[:3]}, s.Complaints()))
		})
	}
}
