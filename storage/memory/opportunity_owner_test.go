package memory_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage/memory"
)

// TestOpportunityOwnerIndex lists one owner's opportunities, which reads
// the owner's index alone, while opportunities change hands, change stage,
// and a transaction that moved one rolls back: every list shows the latest
// committed snapshots, in ID order, paged without skips or repeats, and
// changing a listed copy changes nothing stored.
func TestOpportunityOwnerIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memory.New(nil)
	os := s.Opportunities()
	clock := crm.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	tenant := crm.TenantID("acme")
	mk := func(owner crm.UserID) *opportunity.Opportunity {
		id, err := crm.UUIDv7{}.NewID()
		require.NoError(t, err)
		o, err := opportunity.New(opportunity.NewInput{
			ID: id, Tenant: tenant, Customer: id, Owner: owner, Name: "Deal",
			Source: opportunity.Source{Kind: opportunity.FromExistingCustomer}, Currency: crm.MustCurrency("CNY"),
		}, benchPipeline, opportunity.Change{Actor: "test", At: clock.Now()})
		require.NoError(t, err)
		require.NoError(t, os.Create(ctx, o))
		return o
	}
	var a []crm.ID
	for range 5 {
		a = append(a, mk("wang").ID())
	}
	slices.SortFunc(a, crm.ID.Compare)
	mk("li")
	ch := func(reason string) opportunity.Change {
		return opportunity.Change{Actor: "test", At: clock.Now().Add(time.Hour), Reason: reason}
	}
	// list returns every ID of owner's opportunities matching q, two by
	// two, with the versions.
	list := func(q opportunity.Query) ([]crm.ID, []int64) {
		var ids []crm.ID
		var versions []int64
		page := crm.PageRequest{Limit: 2}
		for {
			p, err := os.List(ctx, tenant, q, page)
			require.NoError(t, err)
			for _, o := range p.Items {
				ids, versions = append(ids, o.ID()), append(versions, o.Version())
			}
			if p.Next == "" {
				return ids, versions
			}
			page.Cursor = p.Next
		}
	}
	wang := opportunity.Query{Owners: []crm.UserID{"wang"}}
	ids, _ := list(wang)
	require.Equal(t, a, ids)

	_, err := os.Update(ctx, tenant, a[1], func(o *opportunity.Opportunity) error { return o.SetOwner("li", ch("hand-over")) })
	require.NoError(t, err)
	_, err = os.Update(ctx, tenant, a[3], func(o *opportunity.Opportunity) error {
		return o.MoveStage(benchPipeline, "propose", ch(""))
	})
	require.NoError(t, err)
	boom := errors.New("boom")
	err = s.InTx(ctx, func(ctx context.Context) error {
		if _, err := os.Update(ctx, tenant, a[0], func(o *opportunity.Opportunity) error { return o.SetOwner("li", ch("hand-over")) }); err != nil {
			return err
		}
		if _, err := os.Update(ctx, tenant, a[2], func(o *opportunity.Opportunity) error {
			return o.MoveStage(benchPipeline, "commit", ch(""))
		}); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)

	ids, versions := list(wang)
	require.Equal(t, []crm.ID{a[0], a[2], a[3], a[4]}, ids)
	require.Equal(t, []int64{1, 1, 2, 1}, versions)
	ids, _ = list(opportunity.Query{Owners: []crm.UserID{"li"}})
	require.Len(t, ids, 2)
	require.Contains(t, ids, a[1])
	ids, _ = list(opportunity.Query{Owners: []crm.UserID{"wang"}, Stages: []string{"propose"}})
	require.Equal(t, []crm.ID{a[3]}, ids)
	ids, _ = list(opportunity.Query{Owners: []crm.UserID{"wang", "li"}})
	require.Len(t, ids, 6)
	ids, _ = list(opportunity.Query{Owners: []crm.UserID{"nobody"}})
	require.Empty(t, ids)

	// A listed copy is the caller's.
	p, err := os.List(ctx, tenant, wang, crm.PageRequest{Limit: 1})
	require.NoError(t, err)
	require.NoError(t, p.Items[0].SetOwner("zhou", ch("mine now")))
	require.NoError(t, p.Items[0].MoveStage(benchPipeline, "propose", ch("")))
	got, err := os.Get(ctx, tenant, a[0])
	require.NoError(t, err)
	require.Equal(t, crm.UserID("wang"), got.Owner())
	require.Equal(t, "qualify", got.Stage())
	ids, _ = list(wang)
	require.Equal(t, []crm.ID{a[0], a[2], a[3], a[4]}, ids)
}
