package complaint_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/storage/memory"
)

func guardPath(t testing.TB, err error, path string) {
	t.Helper()
	require.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	for _, f := range ve.Fields {
		if f.Path == path {
			return
		}
	}
	require.Failf(t, "no problem at the path", "want %q in %v", path, ve.Fields)
}

// guardRecord is the record of a valid new complaint with ID n.
func guardRecord(t testing.TB, n int) complaint.Record {
	t.Helper()
	in := validInput()
	in.ID = crm.MustParseID(fmt.Sprintf("01890000-0000-7000-8000-%012d", n))
	c, err := complaint.New(in, chg(0))
	require.NoError(t, err)
	return c.Record()
}

func guardBuild(t testing.TB, r complaint.Record) *complaint.Complaint {
	t.Helper()
	c, err := complaint.FromRecord(r)
	require.NoError(t, err, "FromRecord keeps only the invariants: the limits are the guard's")
	return c
}

// TestGuardRefusesComplaintsBuiltAroundTheConstructors: records FromRecord
// accepts and no store may keep are refused by Create and by an Update
// closure that replaces the complaint wholesale, and nothing is stored.
func TestGuardRefusesComplaintsBuiltAroundTheConstructors(t *testing.T) {
	t.Parallel()
	attachments := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("s3://p/%d.jpg", i)
		}
		return out
	}
	cases := []struct {
		name string
		path string
		mod  func(r *complaint.Record)
	}{
		{"empty description", "description", func(r *complaint.Record) { r.Description = " " }},
		{"10 MB description", "description", func(r *complaint.Record) { r.Description = strings.Repeat("d", 10<<20) }},
		{"description with NUL", "description", func(r *complaint.Record) { r.Description = "leak\x00" }},
		{"desired outcome not UTF-8", "desired_outcome", func(r *complaint.Record) { r.DesiredOutcome = "\xff" }},
		{"100k attachments", "attachments", func(r *complaint.Record) { r.Attachments = attachments(100_000) }},
		{"empty attachment", "attachments[0]", func(r *complaint.Record) { r.Attachments = []string{""} }},
		{"empty category", "category", func(r *complaint.Record) { r.Category = "" }},
		{"category with NUL", "category", func(r *complaint.Record) { r.Category = "leak\x00" }},
		{"asset with NUL", "asset[0]", func(r *complaint.Record) { r.Asset = complaint.Asset{{Kind: "unit", ID: "1\x00"}} }},
		{"attachment with NUL", "attachments", func(r *complaint.Record) { r.Attachments = []string{"s3://a\x00"} }},
		{"too many repair entries", "repair", func(r *complaint.Record) {
			r.Repair = make([]complaint.RepairEntry, complaint.MaxRepairEntries+1)
			for i := range r.Repair {
				r.Repair[i] = complaint.RepairEntry{Step: complaint.StepScheduled, At: t0, Actor: "x"}
			}
		}},
		{"too many pauses", "pauses", func(r *complaint.Record) {
			r.Pauses = make([]calendar.Interval, complaint.MaxPauses+1)
			for i := range r.Pauses {
				r.Pauses[i] = calendar.Interval{Start: t0, End: t0.Add(time.Minute)}
			}
		}},
		{"received after year 9999", "received_at", func(r *complaint.Record) { r.ReceivedAt = crm.MaxTime.Add(time.Hour) }},
		{"survey comment with NUL", "survey.comment", func(r *complaint.Record) {
			r.Survey = &complaint.Survey{CSAT: 4, Comment: "\x00", At: t0}
		}},
		{"zero compensation", "resolution.compensation", func(r *complaint.Record) {
			r.Resolution = &complaint.Resolution{Remedy: complaint.Compensation, Summary: "paid", Compensation: crm.MustParseMoney("0.00 CNY")}
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := complaint.Guard(memory.New(nil).Complaints())

			bad := guardRecord(t, 100+i)
			tc.mod(&bad)
			guardPath(t, st.Create(ctx, guardBuild(t, bad)), tc.path)
			_, err := st.Get(ctx, bad.Tenant, bad.ID)
			require.ErrorIs(t, err, crm.ErrNotFound, "a refused Create stores nothing")

			good := guardRecord(t, 100+i)
			require.NoError(t, st.Create(ctx, guardBuild(t, good)))
			stored, err := st.Get(ctx, good.Tenant, good.ID)
			require.NoError(t, err)
			_, err = st.Update(ctx, good.Tenant, good.ID, func(c *complaint.Complaint) error {
				r := c.Record()
				tc.mod(&r)
				*c = *guardBuild(t, r)
				return nil
			})
			guardPath(t, err, tc.path)
			after, err := st.Get(ctx, good.Tenant, good.ID)
			require.NoError(t, err)
			require.Equal(t, stored.Record(), after.Record(), "a refused Update stores nothing")
		})
	}
}

func TestGuardComplaintUpdateKeepsIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := complaint.Guard(memory.New(nil).Complaints())
	r := guardRecord(t, 1)
	require.NoError(t, st.Create(ctx, guardBuild(t, r)))
	other, foreign, later := guardRecord(t, 2), guardRecord(t, 1), guardRecord(t, 1)
	foreign.Tenant = "umbrella"
	later.ReceivedAt = later.ReceivedAt.Add(time.Hour)
	for _, tc := range []struct {
		name string
		path string
		rec  complaint.Record
	}{
		{"another ID", "id", other},
		{"another tenant", "id", foreign},
		{"another receipt time", "received_at", later},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := st.Update(ctx, r.Tenant, r.ID, func(c *complaint.Complaint) error {
				d := guardBuild(t, tc.rec)
				complaint.SavedForTest(d, c.Version())
				*c = *d
				return nil
			})
			guardPath(t, err, tc.path)
		})
	}
	_, err := st.Update(ctx, r.Tenant, r.ID, func(c *complaint.Complaint) error { *c = *guardBuild(t, r); return nil })
	guardPath(t, err, "version")

	sentinel := errors.New("mine")
	_, err = st.Update(ctx, r.Tenant, r.ID, func(*complaint.Complaint) error { return sentinel })
	require.Same(t, sentinel, err, "the closure's own error comes back as is")
	require.Same(t, complaint.Guard(st), st, "Guard of a guarded store is itself")
}

func TestGuardComplaintArguments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := complaint.Guard(memory.New(nil).Complaints())
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, tc := range []struct {
		name string
		want error
		call func() error
	}{
		{"Get with zero ID", crm.ErrInvalid, func() error { _, err := st.Get(ctx, tenantA, crm.NilID); return err }},
		{"Get cancelled", context.Canceled, func() error { _, err := st.Get(cancelled, tenantA, idC); return err }},
		{"Create nil", crm.ErrInvalid, func() error { return st.Create(ctx, nil) }},
		{"Create zero", crm.ErrInvalid, func() error { return st.Create(ctx, &complaint.Complaint{}) }},
		{"Update nil fn", crm.ErrInvalid, func() error { _, err := st.Update(ctx, tenantA, idC, nil); return err }},
		{"List bad query", crm.ErrInvalid, func() error {
			_, err := st.List(ctx, tenantA, complaint.Query{Statuses: []complaint.Status{99}}, crm.PageRequest{})
			return err
		}},
		{"Audit negative limit", crm.ErrInvalid, func() error {
			_, err := st.Audit(ctx, tenantA, idC, crm.PageRequest{Limit: -1})
			return err
		}},
		{"ListRisks bad tenant", crm.ErrInvalid, func() error {
			_, err := st.ListRisks(ctx, "", complaint.RiskQuery{}, crm.PageRequest{})
			return err
		}},
		{"CreateRisk nil", crm.ErrInvalid, func() error { return st.CreateRisk(ctx, nil) }},
		{"UpdateRisk nil fn", crm.ErrInvalid, func() error { _, err := st.UpdateRisk(ctx, tenantA, idC, nil); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.call(), tc.want)
		})
	}
}

// TestCompensationMustBePositive: failure 11 of issue 9. A remedy that pays
// needs a positive amount when it is set; a resolution stored with 0.00
// before the rule still loads and the complaint still closes.
func TestCompensationMustBePositive(t *testing.T) {
	t.Parallel()
	zero := crm.MustParseMoney("0.00 CNY")
	for _, tc := range []struct {
		name   string
		remedy complaint.Remedy
		amount crm.Money
		ok     bool
	}{
		{"compensation of 0.00", complaint.Compensation, zero, false},
		{"refund of 0", complaint.Refund, crm.MustParseMoney("0 CNY"), false},
		{"compensation without amount", complaint.Compensation, crm.Money{}, false},
		{"negative compensation", complaint.Compensation, crm.MustParseMoney("-1 CNY"), false},
		{"compensation of 0.01", complaint.Compensation, crm.MustParseMoney("0.01 CNY"), true},
		{"repair with 0.00", complaint.Repair, zero, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := at(t, complaint.ResponseProposed)
			r := complaint.Resolution{Remedy: tc.remedy, Compensation: tc.amount, Summary: "settled"}
			err := c.SetResolution(r, chg(100))
			if tc.ok {
				require.NoError(t, err)
				return
			}
			guardPath(t, err, "resolution.compensation")
		})
	}

	// A complaint resolved with 0.00 before the rule, stored as it was.
	ctx := context.Background()
	ms := memory.New(nil)
	legacyStore := newLegacyStore()
	old, _ := at(t, complaint.Resolved)
	rec := old.Record()
	rec.Resolution = &complaint.Resolution{Remedy: complaint.Compensation, Compensation: zero, Summary: "paid nothing"}
	legacy, err := complaint.FromRecord(rec)
	require.NoError(t, err, "a stored 0.00 compensation loads")
	require.ErrorIs(t, ms.Complaints().Create(ctx, legacy), crm.ErrInvalid, "no store takes it now")
	legacyStore.put(legacy)
	st := complaint.Guard(legacyStore)
	closed, err := st.Update(ctx, rec.Tenant, rec.ID, func(c *complaint.Complaint) error {
		return c.Transition(complaint.Closed, chg(500))
	})
	require.NoError(t, err, "a resolution left as it was is not held to the new rule")
	require.Equal(t, complaint.Closed, closed.Status())
}

func TestGuardRiskUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := complaint.Guard(memory.New(nil).Complaints())
	h := complaint.Hotspot{Rule: "leaks", Kind: complaint.RuleCluster, Category: "leak", Count: 3,
		From: t0, To: t0.Add(time.Hour), Evidence: []crm.ID{idC}}
	r, err := complaint.NewRisk(h, "mgr", idGroup, tenantA, t0)
	require.NoError(t, err)
	require.NoError(t, st.CreateRisk(ctx, r))

	_, err = st.UpdateRisk(ctx, tenantA, idGroup, func(r *complaint.Risk) error {
		rec := r.Record()
		rec.Notes = make([]complaint.RiskNote, complaint.MaxRiskNotes+1)
		for i := range rec.Notes {
			rec.Notes[i] = complaint.RiskNote{At: t0, Actor: "mgr", Text: "n"}
		}
		d, err := complaint.RiskFromRecord(rec)
		require.NoError(t, err)
		*r = *d
		return nil
	})
	guardPath(t, err, "notes")
	_, err = st.UpdateRisk(ctx, tenantA, idGroup, func(r *complaint.Risk) error {
		rec := r.Record()
		rec.Hotspot.Evidence = []crm.ID{idCust}
		d, err := complaint.RiskFromRecord(rec)
		require.NoError(t, err)
		*r = *d
		return nil
	})
	guardPath(t, err, "hotspot")
	got, err := st.GetRisk(ctx, tenantA, idGroup)
	require.NoError(t, err)
	require.Equal(t, int64(1), got.Version(), "nothing was stored")
}
