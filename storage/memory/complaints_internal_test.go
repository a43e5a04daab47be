package memory

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/storagetest"
)

var complaintT0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// newTestComplaint builds a new complaint of tenant for customer cust,
// owned by owner and linked to group (zero: none).
func newTestComplaint(tb testing.TB, tenant crm.TenantID, cust crm.ID, owner crm.UserID, group crm.ID) *complaint.Complaint {
	tb.Helper()
	c, err := complaint.New(complaint.NewInput{
		ID: storagetest.NewID(tb), Tenant: tenant, Customer: cust, Channel: customer.Web,
		Category: "leak", Description: "water through the ceiling", Owner: owner, Group: group,
	}, complaint.Change{Actor: "desk", At: complaintT0})
	require.NoError(tb, err)
	return c
}

// newTestRisk builds a new open risk of tenant raised from the hotspot of
// rule on asset.
func newTestRisk(tb testing.TB, tenant crm.TenantID, rule string, evidence crm.ID) *complaint.Risk {
	tb.Helper()
	r, err := complaint.NewRisk(complaint.Hotspot{
		Rule: rule, Kind: complaint.RuleCluster, Category: "leak", Evidence: []crm.ID{evidence},
	}, "risk-owner", storagetest.NewID(tb), tenant, complaintT0)
	require.NoError(tb, err)
	return r
}

// complaintDump is the complaint part of a tenant's state.
type complaintDump struct {
	complaints map[crm.ID]complaint.Record
	audit      map[crm.ID][]complaint.AuditEntry
	risks      map[crm.ID]complaint.RiskRecord
	activeRisk map[string]crm.ID
}

func dumpComplaints(s *Store, tenant crm.TenantID) complaintDump {
	d := complaintDump{
		complaints: map[crm.ID]complaint.Record{}, audit: map[crm.ID][]complaint.AuditEntry{},
		risks: map[crm.ID]complaint.RiskRecord{}, activeRisk: map[string]crm.ID{},
	}
	td := s.tenant(tenant, false)
	if td == nil {
		return d
	}
	td.mu.RLock()
	defer td.mu.RUnlock()
	for id, c := range td.complaints.rows {
		d.complaints[id] = c.Record()
	}
	for id, a := range td.audit {
		d.audit[id] = slices.Clone(a)
	}
	for id, st := range td.risks.rows {
		d.risks[id] = st.r.Record()
	}
	for k, id := range td.activeRisk {
		d.activeRisk[k] = id
	}
	return d
}

// checkComplaintIndexes fails t unless every complaint and risk index of
// td is what rebuilding it from td's records gives, and every audit trail
// belongs to a stored complaint and continues up to its AuditSeq.
func checkComplaintIndexes(t *testing.T, td *tenantData) {
	t.Helper()
	td.mu.RLock()
	defer td.mu.RUnlock()
	want := newTenantData(td.name)
	for _, c := range td.complaints.rows {
		complaints.put(want, nil, c)
	}
	for _, st := range td.risks.rows {
		fresh := newStoredRisk(st.r)
		require.Equal(t, fresh.key, st.key, "stale hotspot key")
		require.False(t, want.activeConflict(fresh), "two active risks with key %q", fresh.key)
		risks.put(want, storedRisk{}, fresh)
	}
	require.Equal(t, nilIfEmpty(want.complaints.ids), nilIfEmpty(td.complaints.ids))
	require.Equal(t, want.cmpByCustomer, td.cmpByCustomer)
	require.Equal(t, want.cmpByOwner, td.cmpByOwner)
	require.Equal(t, want.cmpByGroup, td.cmpByGroup)
	require.Equal(t, nilIfEmpty(want.risks.ids), nilIfEmpty(td.risks.ids))
	require.Equal(t, want.activeRisk, td.activeRisk)
	for id, trail := range td.audit {
		c, ok := td.complaints.rows[id]
		require.True(t, ok, "audit trail of a missing complaint")
		require.NotEmpty(t, trail, "empty audit trails are removed")
		for i, e := range trail {
			require.Equal(t, id, e.ComplaintID)
			require.Equal(t, int64(i+1), e.Seq, "audit entries are numbered from 1 without gaps")
		}
		require.Equal(t, c.Record().AuditSeq, trail[len(trail)-1].Seq)
	}
	for id := range td.complaints.rows {
		require.NotEmpty(t, td.audit[id], "a stored complaint has at least its creation entry")
	}
}

// TestComplaintIndexesFollowRecords runs random creates, hand-overs, group
// changes and risk moves, a third of them in transactions that roll back,
// and checks after each step that the indexes match the records and that a
// rollback restored the tenant's complaints, audit trails and risks.
func TestComplaintIndexesFollowRecords(t *testing.T) {
	t.Parallel()
	s := New(&Options{Stripes: 4})
	cs := s.Complaints()
	ctx := context.Background()
	tenant := storagetest.NewTenant(t)
	rng := rand.New(rand.NewPCG(3, 5))
	owners := []crm.UserID{"o1", "o2", "o3"}
	customers := []crm.ID{storagetest.NewID(t), storagetest.NewID(t), storagetest.NewID(t)}
	groups := []crm.ID{storagetest.NewID(t), storagetest.NewID(t), storagetest.NewID(t)}
	rules := []string{"r1", "r2"}
	var ids, riskIDs []crm.ID
	tick := 0
	at := func() complaint.Change { // repair entries must not go back in time
		tick++
		return complaint.Change{Actor: "test", At: complaintT0.Add(time.Duration(tick) * time.Minute), Reason: "because"}
	}

	step := func(ctx context.Context) error {
		switch op := rng.IntN(6); {
		case op == 0 || len(ids) < 3:
			var group crm.ID
			if rng.IntN(2) == 0 {
				group = groups[rng.IntN(3)]
			}
			c := newTestComplaint(t, tenant, customers[rng.IntN(3)], owners[rng.IntN(3)], group)
			if err := cs.Create(ctx, c); err != nil {
				return err
			}
			ids = append(ids, c.ID())
		case op == 1:
			_, err := cs.Update(ctx, tenant, ids[rng.IntN(len(ids))], func(c *complaint.Complaint) error {
				to := owners[rng.IntN(3)]
				if to == c.Owner() {
					return nil
				}
				return c.HandOver(to, at())
			})
			return err
		case op == 2:
			_, err := cs.Update(ctx, tenant, ids[rng.IntN(len(ids))], func(c *complaint.Complaint) error {
				g := groups[rng.IntN(3)]
				if g == c.Group() {
					return nil
				}
				if err := c.SetGroup(g, at()); err != nil {
					return err
				}
				return c.HandOver(owners[(slices.Index(owners, c.Owner())+1)%3], at())
			})
			return err
		case op == 3:
			r := newTestRisk(t, tenant, rules[rng.IntN(2)], ids[rng.IntN(len(ids))])
			err := cs.CreateRisk(ctx, r)
			if errors.Is(err, crm.ErrDuplicate) {
				return nil // the key has an active risk already
			}
			if err != nil {
				return err
			}
			riskIDs = append(riskIDs, r.ID())
		case op == 4 && len(riskIDs) > 0:
			_, err := cs.UpdateRisk(ctx, tenant, riskIDs[rng.IntN(len(riskIDs))], func(r *complaint.Risk) error {
				switch r.Status() {
				case complaint.RiskOpen:
					return r.Move(complaint.RiskMitigating, "test", "", complaintT0)
				case complaint.RiskMitigating:
					return r.Move(complaint.RiskMitigated, "test", "fixed", complaintT0)
				}
				return r.AddNote("test", "still settled", complaintT0)
			})
			return err
		case op == 5:
			_, err := cs.Update(ctx, tenant, ids[rng.IntN(len(ids))], func(c *complaint.Complaint) error {
				return c.AddRepairStep(complaint.StepScheduled, "visit booked", true, at())
			})
			return err
		}
		return nil
	}

	for i := range 300 {
		if rng.IntN(3) == 0 {
			before := dumpComplaints(s, tenant)
			nIDs, nRisks := len(ids), len(riskIDs)
			err := s.InTx(ctx, func(ctx context.Context) error {
				for range 1 + rng.IntN(6) {
					if err := step(ctx); err != nil {
						return err
					}
				}
				return errors.New("roll back")
			})
			require.EqualError(t, err, "roll back", "step %d", i)
			ids, riskIDs = ids[:nIDs], riskIDs[:nRisks]
			require.Equal(t, before, dumpComplaints(s, tenant), "step %d: rollback left something behind", i)
		} else {
			require.NoError(t, step(ctx), "step %d", i)
		}
		checkComplaintIndexes(t, s.tenant(tenant, false))
	}
	td := s.tenant(tenant, false)
	require.NotEmpty(t, td.cmpByGroup, "the run must exercise the group index")
	require.Len(t, td.cmpByOwner, 3, "the run must exercise the owner index")
}

// TestComplaintIndexMovesWithOwnerAndGroup follows one complaint through a
// hand-over and a group change, in and out of a failed transaction, and
// lists it by its old and new owner and group.
func TestComplaintIndexMovesWithOwnerAndGroup(t *testing.T) {
	t.Parallel()
	s := New(nil)
	cs := s.Complaints()
	ctx := context.Background()
	tenant := storagetest.NewTenant(t)
	g1, g2 := storagetest.NewID(t), storagetest.NewID(t)
	c := newTestComplaint(t, tenant, storagetest.NewID(t), "alice", g1)
	require.NoError(t, cs.Create(ctx, c))
	id := c.ID()
	ch := complaint.Change{Actor: "lead", At: complaintT0.Add(time.Hour), Reason: "rota"}

	listed := func(q complaint.Query) []crm.ID {
		t.Helper()
		p, err := cs.List(ctx, tenant, q, crm.PageRequest{})
		require.NoError(t, err)
		var out []crm.ID
		for _, x := range p.Items {
			out = append(out, x.ID())
		}
		return out
	}
	move := func(ctx context.Context) error {
		_, err := cs.Update(ctx, tenant, id, func(x *complaint.Complaint) error {
			if err := x.HandOver("bob", ch); err != nil {
				return err
			}
			return x.SetGroup(g2, ch)
		})
		return err
	}
	requireAt := func(owner crm.UserID, group crm.ID) {
		t.Helper()
		other, otherGroup := crm.UserID("bob"), g2
		if owner == "bob" {
			other, otherGroup = "alice", g1
		}
		require.Equal(t, []crm.ID{id}, listed(complaint.Query{Owner: owner}))
		require.Equal(t, []crm.ID{id}, listed(complaint.Query{Group: group}))
		require.Equal(t, []crm.ID{id}, listed(complaint.Query{Owner: owner, Group: group}))
		require.Empty(t, listed(complaint.Query{Owner: other}))
		require.Empty(t, listed(complaint.Query{Group: otherGroup}))
		checkComplaintIndexes(t, s.tenant(tenant, false))
	}

	requireAt("alice", g1)
	fail := errors.New("fail")
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := move(ctx); err != nil {
			return err
		}
		return fail
	})
	require.ErrorIs(t, err, fail)
	requireAt("alice", g1)
	a, err := cs.Audit(ctx, tenant, id, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, a.Items, 1, "the rolled back update left audit entries")

	require.NoError(t, move(ctx))
	requireAt("bob", g2)
	a, err = cs.Audit(ctx, tenant, id, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, a.Items, 3)
}

func TestComplaintIndexChoice(t *testing.T) {
	t.Parallel()
	tenant := storagetest.NewTenant(t)
	td := newTenantData(tenant)
	cust, g := storagetest.NewID(t), storagetest.NewID(t)
	// 5 complaints of cust, 3 of them owned by o1; 2 in group g, owned by o2.
	for i := range 5 {
		owner := crm.UserID("o1")
		if i >= 3 {
			owner = "o2"
		}
		c := newTestComplaint(t, tenant, cust, owner, crm.ID{})
		complaints.put(td, nil, c)
	}
	for range 2 {
		c := newTestComplaint(t, tenant, storagetest.NewID(t), "o2", g)
		complaints.put(td, nil, c)
	}
	tests := []struct {
		name string
		q    complaint.Query
		want int
	}{
		{"no index filter", complaint.Query{}, 7},
		{"customer", complaint.Query{Customer: cust}, 5},
		{"owner smaller than customer", complaint.Query{Customer: cust, Owner: "o1"}, 3},
		{"group smallest", complaint.Query{Customer: cust, Owner: "o2", Group: g}, 2},
		{"owner only", complaint.Query{Owner: "o2"}, 4},
		{"group only", complaint.Query{Group: g}, 2},
		{"unknown owner", complaint.Query{Owner: "nobody"}, 0},
		{"unknown customer with owner", complaint.Query{Customer: storagetest.NewID(t), Owner: "o1"}, 0},
		{"unknown group with owner", complaint.Query{Owner: "o1", Group: storagetest.NewID(t)}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			idx := td.complaintIndex(tc.q)
			require.Len(t, idx, tc.want)
			require.True(t, slices.IsSortedFunc(idx, crm.ID.Compare))
		})
	}
}

func TestDecodeSeqCursor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want int64 // 0: refused
	}{
		{"one", "1", 1},
		{"large", "9223372036854775807", 1<<63 - 1},
		{"zero", "0", 0},
		{"negative", "-1", 0},
		{"plus sign", "+1", 0},
		{"leading zero", "01", 0},
		{"space before", " 1", 0},
		{"space after", "1 ", 0},
		{"overflow", "9223372036854775808", 0},
		{"letters", "abc", 0},
		{"hex", "0x1", 0},
		{"decimal point", "1.0", 0},
		{"an ID cursor", encodeIDCursor(kindComplaints, crm.MustParseID("01890a5d-ac96-774b-bcce-b302099a8057")), 0},
		{"too long", strings.Repeat("1", crm.MaxCursorLen+1), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			seq, ok, err := decodeSeqCursor("test", tc.in)
			if tc.want == 0 {
				require.ErrorIs(t, err, crm.ErrInvalid)
				require.False(t, ok)
				return
			}
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, tc.want, seq)
		})
	}
	seq, ok, err := decodeSeqCursor("test", "")
	require.NoError(t, err)
	require.False(t, ok, "the empty cursor is the first page")
	require.Zero(t, seq)
}

func TestDecodeIDCursor(t *testing.T) {
	t.Parallel()
	id := crm.MustParseID("01890a5d-ac96-774b-bcce-b302099a8057")
	tests := []struct {
		name string
		in   string
	}{
		{"customer cursor", cursor{kind: kindCustomers, id: id}.encode()},
		{"risk cursor", encodeIDCursor(kindRisks, id)},
		{"zero ID", encodeIDCursor(kindComplaints, crm.ID{})},
		{"plain ID", id.String()},
		{"decimal", "12"},
		{"padded", encodeIDCursor(kindComplaints, id) + "="},
		{"truncated", encodeIDCursor(kindComplaints, id)[:10]},
		{"too long", strings.Repeat("A", crm.MaxCursorLen+1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, ok, err := decodeIDCursor("test", kindComplaints, tc.in)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.False(t, ok)
		})
	}
	got, ok, err := decodeIDCursor("test", kindComplaints, encodeIDCursor(kindComplaints, id))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, id, got)
}

// TestBadCursorsRefusedByStore proves the store refuses bad cursors of
// every complaint list, also on a tenant it has never seen.
func TestBadCursorsRefusedByStore(t *testing.T) {
	t.Parallel()
	s := New(nil)
	cs := s.Complaints()
	ctx := context.Background()
	tenant := storagetest.NewTenant(t)
	c := newTestComplaint(t, tenant, storagetest.NewID(t), "alice", crm.ID{})
	require.NoError(t, cs.Create(ctx, c))
	riskCursor := encodeIDCursor(kindRisks, c.ID())
	cmpCursor := encodeIDCursor(kindComplaints, c.ID())
	for _, tn := range []crm.TenantID{tenant, storagetest.NewTenant(t)} {
		_, err := cs.List(ctx, tn, complaint.Query{}, crm.PageRequest{Cursor: riskCursor})
		require.ErrorIs(t, err, crm.ErrInvalid)
		_, err = cs.ListRisks(ctx, tn, complaint.RiskQuery{}, crm.PageRequest{Cursor: cmpCursor})
		require.ErrorIs(t, err, crm.ErrInvalid)
	}
	for _, bad := range []string{"0", "-3", "x", cmpCursor} {
		_, err := cs.Audit(ctx, tenant, c.ID(), crm.PageRequest{Cursor: bad})
		require.ErrorIs(t, err, crm.ErrInvalid, "cursor %q", bad)
	}
	p, err := cs.Audit(ctx, tenant, c.ID(), crm.PageRequest{Cursor: "1"})
	require.NoError(t, err)
	require.Empty(t, p.Items)
	require.Empty(t, p.Next)
}

func FuzzComplaintCursors(f *testing.F) {
	id := crm.MustParseID("01890a5d-ac96-774b-bcce-b302099a8057")
	f.Add(encodeIDCursor(kindComplaints, id))
	f.Add(encodeIDCursor(kindRisks, id))
	f.Add("1")
	f.Add("18446744073709551615")
	f.Add("")
	f.Add("-0")
	f.Fuzz(func(t *testing.T, s string) {
		for _, kind := range []byte{kindComplaints, kindRisks} {
			got, ok, err := decodeIDCursor("fuzz", kind, s)
			switch {
			case err != nil:
				require.ErrorIs(t, err, crm.ErrInvalid)
				require.False(t, ok)
			case !ok:
				require.Empty(t, s)
			default:
				require.False(t, got.IsZero())
				require.Equal(t, s, encodeIDCursor(kind, got), "decode then encode must give the cursor back")
			}
		}
		seq, ok, err := decodeSeqCursor("fuzz", s)
		switch {
		case err != nil:
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.False(t, ok)
		case !ok:
			require.Empty(t, s)
		default:
			require.Positive(t, seq)
			require.Equal(t, s, strconv.FormatInt(seq, 10))
		}
	})
}

// TestComplaintContextCheckedFirst proves a cancelled context wins over
// every other refusal, on every complaint method.
func TestComplaintContextCheckedFirst(t *testing.T) {
	t.Parallel()
	cs := New(nil).Complaints()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	bad := crm.PageRequest{Limit: -1, Cursor: "bad"}
	calls := map[string]func() error{
		"Create":     func() error { return cs.Create(ctx, nil) },
		"Get":        func() error { _, err := cs.Get(ctx, "", crm.ID{}); return err },
		"Update":     func() error { _, err := cs.Update(ctx, "", crm.ID{}, nil); return err },
		"List":       func() error { _, err := cs.List(ctx, "", complaint.Query{Owner: " "}, bad); return err },
		"Audit":      func() error { _, err := cs.Audit(ctx, "", crm.ID{}, bad); return err },
		"CreateRisk": func() error { return cs.CreateRisk(ctx, nil) },
		"GetRisk":    func() error { _, err := cs.GetRisk(ctx, "", crm.ID{}); return err },
		"UpdateRisk": func() error { _, err := cs.UpdateRisk(ctx, "", crm.ID{}, nil); return err },
		"ListRisks":  func() error { _, err := cs.ListRisks(ctx, "", complaint.RiskQuery{Owner: " "}, bad); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := call()
			require.ErrorIs(t, err, context.Canceled)
			require.NotErrorIs(t, err, crm.ErrInvalid)
		})
	}
}

// TestPanicInComplaintClosures proves a panicking closure releases the
// record's lock stripe and the gate, and stores nothing.
func TestPanicInComplaintClosures(t *testing.T) {
	t.Parallel()
	s := New(&Options{Stripes: 1})
	cs := s.Complaints()
	ctx := context.Background()
	tenant := storagetest.NewTenant(t)
	c := newTestComplaint(t, tenant, storagetest.NewID(t), "alice", crm.ID{})
	require.NoError(t, cs.Create(ctx, c))
	r := newTestRisk(t, tenant, "rule", c.ID())
	require.NoError(t, cs.CreateRisk(ctx, r))
	before := dumpComplaints(s, tenant)
	require.PanicsWithValue(t, "boom", func() {
		_, _ = cs.Update(ctx, tenant, c.ID(), func(x *complaint.Complaint) error {
			require.NoError(t, x.Escalate(complaint.Change{Actor: "a", At: complaintT0.Add(time.Hour), Reason: "r"}))
			panic("boom")
		})
	})
	require.PanicsWithValue(t, "boom", func() {
		_, _ = cs.UpdateRisk(ctx, tenant, r.ID(), func(x *complaint.Risk) error {
			require.NoError(t, x.AddNote("a", "note", complaintT0))
			panic("boom")
		})
	})
	require.Equal(t, before, dumpComplaints(s, tenant))
	// Both stripes and the gate are free again.
	got, err := cs.Update(ctx, tenant, c.ID(), func(*complaint.Complaint) error { return nil })
	require.NoError(t, err)
	require.Equal(t, int64(2), got.Version())
	gotRisk, err := cs.UpdateRisk(ctx, tenant, r.ID(), func(*complaint.Risk) error { return nil })
	require.NoError(t, err)
	require.Equal(t, int64(2), gotRisk.Version())
	require.NoError(t, s.InTx(ctx, func(context.Context) error { return nil }))
}
