package storagetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// populate stores a varied population of customers in tenant: every
// filterable field takes several values, names hold characters that SQL
// LIKE patterns treat specially, and some customers are tombstones or
// erased. It returns every customer as stored, in ascending ID order.
func populate(t *testing.T, e *env, tenant crm.TenantID, n int, seed uint64) []*customer.Customer {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	pick := func(k int) int { return rng.IntN(k) }
	names := []string{
		"Wang Fang", "Li Wei", "ZHANG Min", "O'Brien & Sons", "100% Cotton Ltd", "under_score Co",
		`Back\slash Trading`, "王芳", "李伟贸易有限公司", "Müller GmbH", "Ana-María López", "Mixed.Case Ltd",
	}
	owners := []crm.UserID{"owner-a", "owner-b", "owner-c"}
	tags := []string{"vip", "Dealer-North", "50%off", "a_b", "new"}
	classes := []customer.Class{customer.Stable, customer.NotYetStable, customer.PushHard, customer.StrengthenContact, customer.GeneralContact}

	var out []*customer.Customer
	for i := range n {
		roles := []customer.Role{customer.Roles()[pick(len(customer.Roles()))]}
		if pick(3) == 0 {
			roles = append(roles, customer.Roles()[pick(len(customer.Roles()))])
		}
		opts := &CustomerOptions{
			Name:      fmt.Sprintf("%s %d", names[i%len(names)], i),
			Owner:     owners[pick(len(owners))],
			Kind:      []customer.Kind{customer.Person, customer.Organization}[pick(2)],
			Roles:     roles,
			Stage:     customer.Stages()[pick(len(customer.Stages()))],
			Loyalty:   customer.LoyaltyLadder()[pick(len(customer.LoyaltyLadder()))],
			Lifecycle: customer.Lifecycles()[pick(len(customer.Lifecycles()))],
		}
		if pick(4) != 0 {
			opts.Emails = []string{fmt.Sprintf("User.%d@%s", i, []string{"Example.com", "example.org", "mail.cn"}[pick(3)])}
		}
		if pick(3) != 0 {
			opts.Phones = []string{fmt.Sprintf("+86138%08d", 10000000+i*7919)}
		}
		c := NewCustomer(t, tenant, opts)
		for _, tag := range tags {
			if pick(3) == 0 {
				require.NoError(t, c.AddTag(tag))
			}
		}
		if pick(2) == 0 {
			require.NoError(t, c.SetClass(classes[pick(len(classes))], change(1)))
		}
		if pick(4) == 0 {
			require.NoError(t, c.SetKeyAccount(true, change(1)))
		}
		require.NoError(t, e.c.Create(ctx, c))
		out = append(out, c)
	}
	// Tombstones: merge some customers into the one before them.
	for i := 3; i+1 < len(out); i += 9 {
		survivor, loser := mustGet(t, e.c, tenant, out[i].ID()), mustGet(t, e.c, tenant, out[i+1].ID())
		if survivor.IsTombstone() || loser.IsTombstone() {
			continue
		}
		_, err := customer.Merge(survivor, loser, customer.Survivorship{}, change(2))
		require.NoError(t, err)
		require.NoError(t, e.s.InTx(ctx, func(ctx context.Context) error {
			if err := e.c.Save(ctx, survivor); err != nil {
				return err
			}
			if err := e.c.Save(ctx, loser); err != nil {
				return err
			}
			return e.c.MoveRelated(ctx, tenant, loser.ID(), survivor.ID())
		}))
	}
	// Erased customers.
	for i := 7; i < len(out); i += 11 {
		c := mustGet(t, e.c, tenant, out[i].ID())
		if c.IsTombstone() {
			continue
		}
		_, err := c.Erase(change(3))
		require.NoError(t, err)
		require.NoError(t, e.c.Save(ctx, c))
	}
	stored := make([]*customer.Customer, len(out))
	for i, c := range out {
		stored[i] = mustGet(t, e.c, tenant, c.ID())
	}
	slices.SortFunc(stored, func(a, b *customer.Customer) int { return a.ID().Compare(b.ID()) })
	return stored
}

// testList checks List against customer.Query.Matches on a varied
// population, for every filter alone and in combinations.
func testList(t *testing.T, e *env) {
	tenant := NewTenant(t)
	population := populate(t, e, tenant, 72, 1)
	// A second tenant with the same kind of data must never leak in.
	populate(t, e, NewTenant(t), 20, 2)

	yes, no := true, false
	vip := &customer.Segment{Name: "vip growth", Conditions: []customer.Condition{
		{Field: "tag", Op: customer.OpEq, Value: "vip"},
		{Field: "stage", Op: customer.OpGte, Value: "evaluation"},
	}}
	anyOf := &customer.Segment{Name: "dealers or key", Match: customer.Any, Conditions: []customer.Condition{
		{Field: "role", Op: customer.OpEq, Value: "dealer"},
		{Field: "key_account", Op: customer.OpEq, Value: "true"},
	}}
	queries := []struct {
		name string
		q    customer.Query
	}{
		{"All", customer.Query{}},
		{"IncludeTombstones", customer.Query{IncludeTombstones: true}},
		{"OwnerA", customer.Query{Owner: "owner-a"}},
		{"OwnerB", customer.Query{Owner: "owner-b"}},
		{"OwnerUnknown", customer.Query{Owner: "nobody"}},
		{"OwnerWithTombstones", customer.Query{Owner: "owner-c", IncludeTombstones: true}},
		{"StageGrowth", customer.Query{Stage: customer.Growth}},
		{"StageUnfamiliar", customer.Query{Stage: customer.Unfamiliar}},
		{"LoyaltyTrust", customer.Query{Loyalty: customer.Trust}},
		{"LifecycleChurned", customer.Query{Lifecycle: customer.Churned}},
		{"ClassPushHard", customer.Query{Class: customer.PushHard}},
		{"ClassUnclassified", customer.Query{Class: customer.Unclassified}},
		{"RoleDealer", customer.Query{Role: customer.Dealer}},
		{"RoleOwner", customer.Query{Role: customer.Owner}},
		{"KindOrganization", customer.Query{Kind: customer.Organization}},
		{"TagVIPAnyCase", customer.Query{Tag: "VIP"}},
		{"TagPercent", customer.Query{Tag: "50%off"}},
		{"TagUnderscore", customer.Query{Tag: "a_b"}},
		{"TagMissing", customer.Query{Tag: "nope"}},
		{"KeyAccount", customer.Query{KeyAccount: &yes}},
		{"NotKeyAccount", customer.Query{KeyAccount: &no}},
		{"TextName", customer.Query{Text: "wang"}},
		{"TextNameUpper", customer.Query{Text: "WANG FANG"}},
		{"TextPercent", customer.Query{Text: "%"}},
		{"TextUnderscore", customer.Query{Text: "_"}},
		{"TextBackslash", customer.Query{Text: `\`}},
		{"TextQuote", customer.Query{Text: "o'brien"}},
		{"TextCJK", customer.Query{Text: "王"}},
		{"TextUmlaut", customer.Query{Text: "MÜLLER"}},
		{"TextEmailDomain", customer.Query{Text: "example.org"}},
		{"TextEmailLocal", customer.Query{Text: "user.1"}},
		{"TextPhoneDigits", customer.Query{Text: "138100"}},
		{"TextPhoneFormatted", customer.Query{Text: "+86 138"}},
		{"TextSpaces", customer.Query{Text: "  li wei  "}},
		{"TextErased", customer.Query{Text: "[erased]"}},
		{"TextNone", customer.Query{Text: "zz-nothing-matches"}},
		{"SegmentAll", customer.Query{Segment: vip}},
		{"SegmentAny", customer.Query{Segment: anyOf}},
		{"OwnerAndStage", customer.Query{Owner: "owner-a", Stage: customer.Established}},
		{"OwnerAndText", customer.Query{Owner: "owner-b", Text: "1"}},
		{"RoleKeyTombstones", customer.Query{Role: customer.EndCustomer, KeyAccount: &no, IncludeTombstones: true}},
		{"Everything", customer.Query{Owner: "owner-a", Kind: customer.Person, Text: "a", Segment: anyOf, IncludeTombstones: true}},
	}
	nonEmpty := 0
	for _, tc := range queries {
		var want []crm.ID
		for _, c := range population {
			if tc.q.Matches(c) {
				want = append(want, c.ID())
			}
		}
		if len(want) > 0 {
			nonEmpty++
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tc.q.Validate())
			for _, limit := range []int{7, crm.MaxPageLimit} {
				got := allCustomers(t, e.c, tenant, tc.q, limit)
				require.Equal(t, want, ids(got), "limit %d", limit)
				for _, c := range got {
					i, found := slices.BinarySearchFunc(population, c.ID(), func(x *customer.Customer, id crm.ID) int { return x.ID().Compare(id) })
					require.True(t, found)
					RequireSameCustomer(t, population[i], c)
				}
			}
		})
	}
	// The population must make the oracle meaningful: most queries select
	// something, and not everything.
	require.Greater(t, nonEmpty, len(queries)*2/3, "population too uniform")
	tombstones := 0
	for _, c := range population {
		if c.IsTombstone() {
			tombstones++
		}
	}
	require.Positive(t, tombstones)
}
