package storagetest

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// listAssets are the assets of the complaint population: shared prefixes,
// prefixes that are string prefixes of other levels ("B3" and "B30"),
// characters SQL LIKE patterns and path encodings treat specially, and two
// assets whose String forms collide ("a:b/c:d").
var listAssets = []complaint.Asset{
	nil,
	{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}, {Kind: "unit", ID: "1502"}},
	{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}, {Kind: "unit", ID: "1503"}},
	{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B30"}, {Kind: "unit", ID: "1"}},
	{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}},
	{{Kind: "project", ID: "P10"}},
	{{Kind: "project", ID: "P1%"}, {Kind: "building", ID: "B_3"}},
	{{Kind: "unit", ID: "100%"}},
	{{Kind: "unit", ID: "100_"}},
	{{Kind: "unit", ID: "1000"}},
	{{Kind: "a", ID: "b/c:d"}},
	{{Kind: "a", ID: "b"}, {Kind: "c", ID: "d"}},
	{{Kind: "o'brien", ID: "it's"}, {Kind: `back\slash`, ID: `C:\dir`}},
	{{Kind: "pro:ject", ID: "P/1"}, {Kind: "楼", ID: "三号"}},
}

// listCategories are the category codes of the population, some with
// characters SQL LIKE patterns treat specially.
var listCategories = []string{"leak", "noise", "billing", "50%_off", `back\slash`, "o'neil", "leak.roof"}

// populateComplaints stores a varied population of complaints in tenant:
// every filterable field takes several values, reached through real
// transitions, hand-overs and group changes, some made by Create and some
// by Update so that a store's indexes must follow updates. It returns every
// complaint as stored, in ascending ID order, and the customers and groups
// used.
func populateComplaints(t *testing.T, e *env, tenant crm.TenantID, n int, seed uint64) (stored []*complaint.Complaint, customers, groups []crm.ID) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0xc0de))
	pick := func(k int) int { return rng.IntN(k) }
	customers = []crm.ID{NewID(t), NewID(t), NewID(t), NewID(t)}
	groups = []crm.ID{NewID(t), NewID(t), NewID(t)}
	owners := []crm.UserID{"owner-a", "owner-b", "owner-c"}
	channels := customer.Channels()
	statuses := complaint.Statuses()

	for i := range n {
		opts := &ComplaintOptions{
			Customer: customers[pick(len(customers))],
			Owner:    owners[pick(len(owners))],
			Channel:  channels[pick(len(channels))],
			Category: listCategories[pick(len(listCategories))],
			Severity: complaint.Severity(1 + pick(4)),
			Priority: complaint.Priority(1 + pick(4)),
			Asset:    listAssets[i%len(listAssets)],
			At:       at(i / 2), // pairs received at the same instant
		}
		if pick(3) == 0 {
			opts.Group = groups[pick(len(groups))]
		}
		status := statuses[pick(len(statuses))]
		handOver := pick(4) == 0
		regroup := pick(5) == 0
		group := groups[pick(len(groups))]
		later := opts.At.Add(24 * time.Hour)
		change := func(x *complaint.Complaint) error {
			reach(t, x, status)
			if handOver {
				if err := x.HandOver("owner-x", complaintChange(later)); err != nil {
					return err
				}
			}
			if regroup && x.Group() != group {
				return x.SetGroup(group, complaintChange(later))
			}
			return nil
		}
		if i%2 == 0 {
			c := NewComplaint(t, tenant, opts)
			require.NoError(t, change(c))
			require.NoError(t, e.cs.Create(ctx, c))
			stored = append(stored, c)
			continue
		}
		c := CreateComplaint(t, e.cs, tenant, opts)
		got, err := e.cs.Update(ctx, tenant, c.ID(), change)
		require.NoError(t, err)
		stored = append(stored, got)
	}
	for i, c := range stored {
		stored[i] = mustGetComplaint(t, e.cs, tenant, c.ID())
	}
	slices.SortFunc(stored, func(a, b *complaint.Complaint) int { return a.ID().Compare(b.ID()) })
	return stored, customers, groups
}

// testComplaintList checks List against complaint.Query.Matches on a
// varied population, for every filter alone and in combinations.
func testComplaintList(t *testing.T, e *env) {
	tenant := NewTenant(t)
	population, customers, groups := populateComplaints(t, e, tenant, 84, 1)
	// A second tenant with the same kind of data must never leak in.
	populateComplaints(t, e, NewTenant(t), 20, 2)

	yes, no := true, false
	a := func(levels ...string) complaint.Asset {
		var out complaint.Asset
		for i := 0; i+1 < len(levels); i += 2 {
			out = append(out, complaint.AssetLevel{Kind: levels[i], ID: levels[i+1]})
		}
		return out
	}
	queries := []struct {
		name string
		q    complaint.Query
	}{
		{"All", complaint.Query{}},
		{"Customer", complaint.Query{Customer: customers[0]}},
		{"CustomerUnknown", complaint.Query{Customer: NewID(t)}},
		{"OwnerA", complaint.Query{Owner: "owner-a"}},
		{"OwnerHandedOver", complaint.Query{Owner: "owner-x"}},
		{"OwnerUnknown", complaint.Query{Owner: "nobody"}},
		{"StatusInvestigating", complaint.Query{Statuses: []complaint.Status{complaint.Investigating}}},
		{"StatusesFinal", complaint.Query{Statuses: []complaint.Status{complaint.Closed, complaint.Rejected}}},
		{"StatusesWaitingReopened", complaint.Query{Statuses: []complaint.Status{complaint.WaitingOnCustomer, complaint.Reopened, complaint.Received}}},
		{"Open", complaint.Query{Open: &yes}},
		{"NotOpen", complaint.Query{Open: &no}},
		{"OpenAndFinalStatuses", complaint.Query{Open: &yes, Statuses: []complaint.Status{complaint.Closed}}},
		{"CategoryLeak", complaint.Query{Categories: []string{"leak"}}},
		{"CategoryPercent", complaint.Query{Categories: []string{"50%_off"}}},
		{"CategoryBackslash", complaint.Query{Categories: []string{`back\slash`}}},
		{"CategoryQuote", complaint.Query{Categories: []string{"o'neil"}}},
		{"CategoryLikePattern", complaint.Query{Categories: []string{"le%"}}},
		{"CategoryUnderscorePattern", complaint.Query{Categories: []string{"50__off"}}},
		{"CategoryPrefixOnly", complaint.Query{Categories: []string{"leak."}}},
		{"Categories", complaint.Query{Categories: []string{"leak", "noise", "leak.roof"}}},
		{"ChannelWeb", complaint.Query{Channel: customer.Web}},
		{"ChannelPhone", complaint.Query{Channel: customer.PhoneCall}},
		{"SeverityLow", complaint.Query{MinSeverity: complaint.Low}},
		{"SeverityHigh", complaint.Query{MinSeverity: complaint.High}},
		{"SeverityCritical", complaint.Query{MinSeverity: complaint.Critical}},
		{"Group", complaint.Query{Group: groups[0]}},
		{"GroupOther", complaint.Query{Group: groups[2]}},
		{"GroupUnknown", complaint.Query{Group: NewID(t)}},
		{"AssetProject", complaint.Query{Asset: a("project", "P1")}},
		{"AssetBuilding", complaint.Query{Asset: a("project", "P1", "building", "B3")}},
		{"AssetUnit", complaint.Query{Asset: a("project", "P1", "building", "B3", "unit", "1502")}},
		{"AssetTooDeep", complaint.Query{Asset: a("project", "P1", "building", "B3", "unit", "1502", "room", "1")}},
		{"AssetStringPrefix", complaint.Query{Asset: a("project", "P")}},
		{"AssetPercent", complaint.Query{Asset: a("unit", "100%")}},
		{"AssetUnderscore", complaint.Query{Asset: a("unit", "100_")}},
		{"AssetLikeProject", complaint.Query{Asset: a("project", "P1%")}},
		{"AssetLikeBuilding", complaint.Query{Asset: a("project", "P1%", "building", "B_3")}},
		{"AssetCollisionTwoLevels", complaint.Query{Asset: a("a", "b", "c", "d")}},
		{"AssetCollisionOneLevel", complaint.Query{Asset: a("a", "b/c:d")}},
		{"AssetCollisionFirst", complaint.Query{Asset: a("a", "b")}},
		{"AssetQuotes", complaint.Query{Asset: a("o'brien", "it's", `back\slash`, `C:\dir`)}},
		{"AssetColonSlash", complaint.Query{Asset: a("pro:ject", "P/1")}},
		{"AssetCJK", complaint.Query{Asset: a("pro:ject", "P/1", "楼", "三号")}},
		{"ReceivedFrom", complaint.Query{ReceivedFrom: at(20)}},
		{"ReceivedTo", complaint.Query{ReceivedTo: at(20)}},
		{"SettledFrom", complaint.Query{SettledFrom: at(20)}},
		{"SettledFromStart", complaint.Query{SettledFrom: at(0)}},
		{"SettledFromFuture", complaint.Query{SettledFrom: at(10_000)}},
		{"SettledFromOwner", complaint.Query{SettledFrom: at(10), Owner: "owner-b"}},
		{"ReceivedBetween", complaint.Query{ReceivedFrom: at(10), ReceivedTo: at(11)}},
		{"ReceivedNanoAfter", complaint.Query{ReceivedFrom: at(10).Add(time.Microsecond), ReceivedTo: at(30)}},
		{"ReceivedOtherZone", complaint.Query{ReceivedFrom: at(5).In(time.FixedZone("CST", 8*3600)), ReceivedTo: at(7).In(time.FixedZone("EST", -5*3600))}},
		{"OwnerOpen", complaint.Query{Owner: "owner-b", Open: &yes}},
		{"StatusCategoryChannel", complaint.Query{Statuses: []complaint.Status{complaint.Received, complaint.Acknowledged, complaint.Investigating}, Categories: []string{"leak", "noise"}, Channel: customer.Web}},
		{"SeverityAssetReceived", complaint.Query{MinSeverity: complaint.Medium, Asset: a("project", "P1"), ReceivedFrom: at(3), ReceivedTo: at(40)}},
		{"GroupClosed", complaint.Query{Group: groups[1], Open: &no}},
		{"CustomerSeverity", complaint.Query{Customer: customers[1], MinSeverity: complaint.High}},
		{"Everything", complaint.Query{
			Customer: customers[2], Owner: "owner-c", Open: &yes, Categories: listCategories,
			Statuses: complaint.Statuses(), MinSeverity: complaint.Low, Asset: a("project", "P1"),
			ReceivedFrom: at(0), ReceivedTo: at(100),
		}},
	}
	nonEmpty := 0
	for _, tc := range queries {
		var want []crm.ID
		for _, c := range population {
			if tc.q.Matches(c) {
				want = append(want, c.ID())
			}
		}
		if len(want) > 0 && len(want) < len(population) {
			nonEmpty++
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tc.q.Validate())
			for _, limit := range []int{7, crm.MaxPageLimit} {
				got := allComplaints(t, e.cs, tenant, tc.q, limit)
				require.Equal(t, want, complaintIDs(got), "limit %d", limit)
				for _, c := range got {
					i, found := slices.BinarySearchFunc(population, c.ID(), func(x *complaint.Complaint, id crm.ID) int { return x.ID().Compare(id) })
					require.True(t, found)
					RequireSameComplaint(t, population[i], c)
				}
			}
		})
	}
	// The population must make the oracle meaningful: most queries select
	// some complaints, but not all.
	require.Greater(t, nonEmpty, len(queries)*2/3, "population too uniform")
	seen := map[complaint.Status]bool{}
	for _, c := range population {
		seen[c.Status()] = true
	}
	require.Len(t, seen, len(complaint.Statuses()), "every status must occur")
}
