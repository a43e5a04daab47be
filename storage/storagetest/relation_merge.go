package storagetest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testRelationMerge proves that a store keeps its unique keys and its
// list indexes on the key values an Update stores: customer.Service.Merge
// moves the loser's referrals, suggestions and memberships to the
// survivor through Update, so a store that treated referrer, target,
// author or member as written once would leave them naming a tombstone.
func testRelationMerge(t *testing.T, e *env) {
	ctx := context.Background()
	tenant := NewTenant(t)
	svc, err := customer.NewService(e.rb, nil)
	require.NoError(t, err)
	survivor := CreateCustomer(t, e.c, tenant, &CustomerOptions{Name: "North Motors"})
	loser := CreateCustomer(t, e.c, tenant, &CustomerOptions{Name: "North Motors Ltd"})
	friend := CreateCustomer(t, e.c, tenant, &CustomerOptions{Name: "Li Wei"})
	ch := customer.Change{Actor: "mgr"}
	club := customer.Programme{Name: "club", TermMonths: 12, Tiers: []customer.Tier{{Name: "silver"}}}

	ref, err := svc.Refer(ctx, customer.ReferralInput{Tenant: tenant, Referrer: loser.ID(), TargetKind: customer.TargetCustomer, Target: friend.ID()}, ch)
	require.NoError(t, err)
	sug, err := svc.Suggest(ctx, customer.SuggestionInput{Tenant: tenant, Author: loser.ID(), Subject: "Open on Sundays", Category: "service"}, ch)
	require.NoError(t, err)
	mem, err := svc.Join(ctx, customer.MembershipInput{Tenant: tenant, Customer: loser.ID(), Programme: club}, ch)
	require.NoError(t, err)

	res, err := svc.Merge(ctx, tenant, survivor.ID(), loser.ID(), customer.Survivorship{}, ch)
	require.NoError(t, err)
	require.Len(t, res.Records, 3, "the merge moved the loser's three records: %+v", res.Records)

	// Each record names the survivor, read back and listed by its key.
	r, err := e.rb.Referrals().Get(ctx, tenant, ref.ID())
	require.NoError(t, err)
	require.Equal(t, survivor.ID(), r.Referrer())
	s, err := e.rb.Suggestions().Get(ctx, tenant, sug.ID())
	require.NoError(t, err)
	require.Equal(t, survivor.ID(), s.Author())
	m, err := e.rb.Memberships().Get(ctx, tenant, mem.ID())
	require.NoError(t, err)
	require.Equal(t, survivor.ID(), m.Customer())

	byReferrer := func(id crm.ID) []crm.ID {
		return listIDs(t, func(p crm.PageRequest) (crm.Page[*customer.Referral], error) {
			return e.rb.Referrals().List(ctx, tenant, customer.ReferralQuery{Referrer: id}, p)
		})
	}
	require.Equal(t, []crm.ID{ref.ID()}, byReferrer(survivor.ID()), "listed under the survivor")
	require.Empty(t, byReferrer(loser.ID()), "no longer listed under the tombstone")
	byAuthor := listIDs(t, func(p crm.PageRequest) (crm.Page[*customer.Suggestion], error) {
		return e.rb.Suggestions().List(ctx, tenant, customer.SuggestionQuery{Author: survivor.ID()}, p)
	})
	require.Equal(t, []crm.ID{sug.ID()}, byAuthor)
	byMember := listIDs(t, func(p crm.PageRequest) (crm.Page[*customer.Membership], error) {
		return e.rb.Memberships().List(ctx, tenant, customer.MembershipQuery{Customer: survivor.ID()}, p)
	})
	require.Equal(t, []crm.ID{mem.ID()}, byMember)

	// The unique keys follow the stored values: the survivor now holds the
	// club's membership and the referral of the friend.
	_, err = svc.Join(ctx, customer.MembershipInput{Tenant: tenant, Customer: survivor.ID(), Programme: club}, ch)
	require.True(t, errors.Is(err, crm.ErrDuplicate), "a second membership of the club under the moved key: %v", err)
	_, err = svc.Refer(ctx, customer.ReferralInput{Tenant: tenant, Referrer: survivor.ID(), TargetKind: customer.TargetCustomer, Target: friend.ID()}, ch)
	require.True(t, errors.Is(err, crm.ErrDuplicate), "a second referral of the friend under the moved key: %v", err)
}
