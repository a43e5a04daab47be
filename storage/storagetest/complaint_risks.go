package storagetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// testRisks covers CreateRisk, GetRisk, UpdateRisk and ListRisks, and the
// rule of one active risk per hotspot key.
func testRisks(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("CreateGet", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		r := NewRisk(t, tenant, &RiskOptions{Asset: complaint.Asset{{Kind: "project", ID: "P1"}}})
		require.NoError(t, e.cs.CreateRisk(ctx, r))
		require.Equal(t, int64(1), r.Version())
		got := mustGetRisk(t, e.cs, tenant, r.ID())
		RequireSameRisk(t, r, got)
		require.Equal(t, r.Key(), got.Key())
		require.Equal(t, complaint.RiskOpen, got.Status())
	})

	t.Run("CreateStoredVersion", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		r := NewRisk(t, tenant, nil)
		riskHooks.Saved(r, 2)
		require.ErrorIs(t, e.cs.CreateRisk(ctx, r), crm.ErrInvalid)
		_, err := e.cs.GetRisk(ctx, tenant, r.ID())
		require.ErrorIs(t, err, crm.ErrNotFound)
		// The refused risk did not take the hotspot.
		CreateRisk(t, e.cs, tenant, nil)
	})

	for _, settle := range []struct {
		name string
		path []complaint.MitigationStatus
	}{
		{"Mitigated", []complaint.MitigationStatus{complaint.RiskMitigating, complaint.RiskMitigated}},
		{"AcceptedWhenOpen", []complaint.MitigationStatus{complaint.RiskAccepted}},
		{"AcceptedWhenMitigating", []complaint.MitigationStatus{complaint.RiskMitigating, complaint.RiskAccepted}},
	} {
		t.Run("OneActivePerKey"+settle.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			first := CreateRisk(t, e.cs, tenant, nil)
			// Other rules, categories and assets are other keys.
			CreateRisk(t, e.cs, tenant, &RiskOptions{Rule: "other-rule"})
			CreateRisk(t, e.cs, tenant, &RiskOptions{Category: "noise"})
			CreateRisk(t, e.cs, tenant, &RiskOptions{Asset: complaint.Asset{{Kind: "project", ID: "P1"}}})
			for i, step := range settle.path {
				dup := NewRisk(t, tenant, nil)
				require.Equal(t, first.Key(), dup.Key())
				require.ErrorIs(t, e.cs.CreateRisk(ctx, dup), crm.ErrDuplicate, "while %v", mustGetRisk(t, e.cs, tenant, first.ID()).Status())
				require.Equal(t, int64(0), dup.Version())
				_, err := e.cs.GetRisk(ctx, tenant, dup.ID())
				require.ErrorIs(t, err, crm.ErrNotFound)
				_, err = e.cs.UpdateRisk(ctx, tenant, first.ID(), func(r *complaint.Risk) error {
					return r.Move(step, "storagetest", fmt.Sprintf("step %d", i), at(i+1))
				})
				require.NoError(t, err)
			}
			require.False(t, mustGetRisk(t, e.cs, tenant, first.ID()).Active())
			second := CreateRisk(t, e.cs, tenant, nil)
			require.Equal(t, first.Key(), second.Key())
			require.ErrorIs(t, e.cs.CreateRisk(ctx, NewRisk(t, tenant, nil)), crm.ErrDuplicate,
				"the new risk is active: the key is taken again")
			p, err := e.cs.ListRisks(ctx, tenant, complaint.RiskQuery{Key: first.Key()}, crm.PageRequest{})
			require.NoError(t, err)
			want := []crm.ID{first.ID(), second.ID()}
			slices.SortFunc(want, crm.ID.Compare)
			require.Equal(t, want, riskIDs(p.Items))
		})
	}

	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		r := CreateRisk(t, e.cs, tenant, nil)
		got, err := e.cs.UpdateRisk(ctx, tenant, r.ID(), func(x *complaint.Risk) error {
			require.Equal(t, int64(1), x.Version(), "fn must see the latest stored state")
			return x.Move(complaint.RiskMitigating, "storagetest", "inspection booked", at(1))
		})
		require.NoError(t, err)
		require.Equal(t, int64(2), got.Version())
		RequireSameRisk(t, got, mustGetRisk(t, e.cs, tenant, r.ID()))

		got, err = e.cs.UpdateRisk(ctx, tenant, r.ID(), func(x *complaint.Risk) error {
			require.Equal(t, int64(2), x.Version())
			require.Equal(t, complaint.RiskMitigating, x.Status(), "fn must see the previous update")
			if err := x.AddNote("storagetest", "seals replaced in B3", at(2)); err != nil {
				return err
			}
			return x.Reassign("risk-owner-2", at(3))
		})
		require.NoError(t, err)
		require.Equal(t, int64(3), got.Version())
		stored := mustGetRisk(t, e.cs, tenant, r.ID())
		RequireSameRisk(t, got, stored)
		require.Equal(t, crm.UserID("risk-owner-2"), stored.Owner())
		require.Len(t, stored.Notes(), 2)
		require.True(t, stored.UpdatedAt().Equal(at(3)))

		got, err = e.cs.UpdateRisk(ctx, tenant, r.ID(), func(*complaint.Risk) error { return nil })
		require.NoError(t, err)
		require.Equal(t, int64(4), got.Version(), "an update that changes nothing is still stored at the next version")
	})

	t.Run("UpdateRefusedMove", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		r := CreateRisk(t, e.cs, tenant, nil)
		var refusal error
		_, err := e.cs.UpdateRisk(ctx, tenant, r.ID(), func(x *complaint.Risk) error {
			require.NoError(t, x.AddNote("storagetest", "never stored", at(1)))
			refusal = x.Move(complaint.RiskMitigated, "storagetest", "", at(1)) // open -> mitigated is not allowed
			return refusal
		})
		require.ErrorIs(t, refusal, crm.ErrInvalidTransition)
		require.Equal(t, refusal, err, "an error from fn must be returned as is")
		requireRiskUnchanged(t, e.cs, tenant, normRisk(r.Record()))
	})

	t.Run("UpdateChangesIdentity", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		r := CreateRisk(t, e.cs, tenant, nil)
		for _, tc := range []struct {
			name  string
			other *complaint.Risk
		}{
			{"ID", NewRisk(t, tenant, &RiskOptions{Rule: "id-rule"})},
			{"Tenant", NewRisk(t, NewTenant(t), &RiskOptions{ID: r.ID()})},
			{"HotspotKey", NewRisk(t, tenant, &RiskOptions{ID: r.ID(), Rule: "other-rule"})},
			{"HotspotEvidence", NewRisk(t, tenant, &RiskOptions{ID: r.ID()})},
		} {
			_, err := e.cs.UpdateRisk(ctx, tenant, r.ID(), func(x *complaint.Risk) error {
				*x = *tc.other.Clone()
				riskHooks.Saved(x, 1)
				return nil
			})
			require.ErrorIs(t, err, crm.ErrInvalid, tc.name)
			requireRiskUnchanged(t, e.cs, tenant, normRisk(r.Record()))
			if tc.other.Tenant() != tenant || tc.other.ID() != r.ID() {
				_, err = e.cs.GetRisk(ctx, tc.other.Tenant(), tc.other.ID())
				require.ErrorIs(t, err, crm.ErrNotFound, "%s: the changed risk was stored", tc.name)
			}
		}
	})

	t.Run("ListFilters", func(t *testing.T) {
		t.Parallel()
		testRiskList(t, e)
	})
}

// populateRisks stores risks of tenant in every mitigation status, with
// several owners and keys (some of them hostile strings), settled and
// active risks sharing keys. It returns them as stored, in ascending ID
// order.
func populateRisks(t *testing.T, e *env, tenant crm.TenantID) []*complaint.Risk {
	t.Helper()
	ctx := context.Background()
	assets := []complaint.Asset{
		{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}},
		{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B30"}},
		{{Kind: "unit", ID: "100%"}},
		{{Kind: "o'brien", ID: `C:\dir`}},
	}
	rules := []string{"leak-cluster", "leak_cluster", "noise|spike"}
	owners := []crm.UserID{"risk-a", "risk-b", "risk-c"}
	paths := [][]complaint.MitigationStatus{
		nil,
		{complaint.RiskMitigating},
		{complaint.RiskMitigating, complaint.RiskMitigated},
		{complaint.RiskAccepted},
	}
	var out []*complaint.Risk
	k := 0
	for _, rule := range rules {
		for _, asset := range assets {
			// k%3 settled risks, then an active one, per key.
			var todo [][]complaint.MitigationStatus
			for s := range k % 3 {
				todo = append(todo, paths[2+(k+s)%2])
			}
			todo = append(todo, paths[k%2])
			for n, path := range todo {
				r := CreateRisk(t, e.cs, tenant, &RiskOptions{Rule: rule, Asset: asset, Owner: owners[(k+n)%len(owners)]})
				for i, step := range path {
					_, err := e.cs.UpdateRisk(ctx, tenant, r.ID(), func(x *complaint.Risk) error {
						return x.Move(step, "storagetest", fmt.Sprintf("step %d", i), at(i+1))
					})
					require.NoError(t, err)
				}
				out = append(out, mustGetRisk(t, e.cs, tenant, r.ID()))
			}
			k++
		}
	}
	slices.SortFunc(out, func(a, b *complaint.Risk) int { return a.ID().Compare(b.ID()) })
	return out
}

// testRiskList checks ListRisks against complaint.RiskQuery.Matches.
func testRiskList(t *testing.T, e *env) {
	tenant := NewTenant(t)
	population := populateRisks(t, e, tenant)
	populateRisks(t, e, NewTenant(t))
	yes, no := true, false
	keyOf := func(rule string, asset complaint.Asset) string {
		return complaint.Hotspot{Rule: rule, Category: "leak", Asset: asset}.Key()
	}
	queries := []struct {
		name string
		q    complaint.RiskQuery
	}{
		{"All", complaint.RiskQuery{}},
		{"Open", complaint.RiskQuery{Statuses: []complaint.MitigationStatus{complaint.RiskOpen}}},
		{"Mitigating", complaint.RiskQuery{Statuses: []complaint.MitigationStatus{complaint.RiskMitigating}}},
		{"Settled", complaint.RiskQuery{Statuses: []complaint.MitigationStatus{complaint.RiskMitigated, complaint.RiskAccepted}}},
		{"Active", complaint.RiskQuery{Active: &yes}},
		{"NotActive", complaint.RiskQuery{Active: &no}},
		{"ActiveAndSettledStatus", complaint.RiskQuery{Active: &yes, Statuses: []complaint.MitigationStatus{complaint.RiskAccepted}}},
		{"OwnerA", complaint.RiskQuery{Owner: "risk-a"}},
		{"OwnerUnknown", complaint.RiskQuery{Owner: "nobody"}},
		{"Key", complaint.RiskQuery{Key: keyOf("leak-cluster", complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}})}},
		{"KeyUnderscore", complaint.RiskQuery{Key: keyOf("leak_cluster", complaint.Asset{{Kind: "unit", ID: "100%"}})}},
		{"KeyPipe", complaint.RiskQuery{Key: keyOf("noise|spike", complaint.Asset{{Kind: "o'brien", ID: `C:\dir`}})}},
		{"KeyPrefixOnly", complaint.RiskQuery{Key: "leak-cluster|leak|project:P1/building:B3"}},
		{"KeyLikePattern", complaint.RiskQuery{Key: "leak%"}},
		{"KeyActive", complaint.RiskQuery{Key: keyOf("leak-cluster", complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B30"}}), Active: &yes}},
		{"OwnerSettled", complaint.RiskQuery{Owner: "risk-b", Active: &no}},
		{"Everything", complaint.RiskQuery{Owner: "risk-c", Active: &yes, Statuses: complaint.MitigationStatuses(), Key: keyOf("noise|spike", complaint.Asset{{Kind: "unit", ID: "100%"}})}},
	}
	nonEmpty := 0
	for _, tc := range queries {
		var want []crm.ID
		for _, r := range population {
			if tc.q.Matches(r) {
				want = append(want, r.ID())
			}
		}
		if len(want) > 0 && len(want) < len(population) {
			nonEmpty++
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tc.q.Validate())
			for _, limit := range []int{3, crm.MaxPageLimit} {
				got := allRisks(t, e.cs, tenant, tc.q, limit)
				require.Equal(t, want, riskIDs(got), "limit %d", limit)
				for _, r := range got {
					i, found := slices.BinarySearchFunc(population, r.ID(), func(x *complaint.Risk, id crm.ID) int { return x.ID().Compare(id) })
					require.True(t, found)
					RequireSameRisk(t, population[i], r)
				}
			}
		})
	}
	require.Greater(t, nonEmpty, len(queries)/2, "population too uniform")
	statuses := map[complaint.MitigationStatus]bool{}
	for _, r := range population {
		statuses[r.Status()] = true
	}
	require.Len(t, statuses, len(complaint.MitigationStatuses()), "every mitigation status must occur")
}
