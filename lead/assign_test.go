package lead_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/lead"
)

func officeCalendar(t testing.TB) *calendar.Calendar {
	t.Helper()
	nine := []calendar.Span{{Start: calendar.At(9, 0), End: calendar.At(17, 0)}}
	c, err := calendar.New(calendar.Config{TimeZone: "UTC", Week: calendar.Week{
		time.Monday: nine, time.Tuesday: nine, time.Wednesday: nine, time.Thursday: nine, time.Friday: nine,
	}})
	require.NoError(t, err)
	return c
}

func mustRouter(t testing.TB, r lead.Rules, cals map[string]*calendar.Calendar) *lead.Router {
	t.Helper()
	router, err := lead.NewRouter(r, cals)
	require.NoError(t, err)
	return router
}

// leadAt returns an unassigned lead with the given region, industry, size,
// language and topics.
func leadAt(t testing.TB, n int, region, industry string, size int, lang string, topics ...string) *lead.Lead {
	t.Helper()
	in := validInput()
	in.ID = nthID(n)
	in.Address.AdministrativeArea = region
	in.Industry, in.CompanySize, in.Language, in.Topics = industry, size, lang, topics
	l, err := lead.New(in, chg(0))
	require.NoError(t, err)
	return l
}

func TestAssignmentRules(t *testing.T) {
	t.Parallel()
	cals := map[string]*calendar.Calendar{"office": officeCalendar(t)}
	rules := lead.Rules{
		People: []lead.Person{
			{ID: "ann", Capacity: 10, Seniority: 1, Skills: []string{"air conditioning"}, Languages: []string{"zh"}},
			{ID: "ben", Capacity: 10, Seniority: 5, Skills: []string{"air conditioning", "maintenance"}, Languages: []string{"en", "zh-CN"}, Calendar: "office"},
			{ID: "cai", Capacity: 0, Seniority: 9, Languages: []string{"zh"}},
			{ID: "dan", Capacity: 10, Seniority: 3, Inactive: true},
			{ID: "eve", Capacity: 10, Seniority: 2, Languages: []string{"en"}},
		},
		Rules: []lead.Rule{
			{Name: "shanghai hospitality", Territory: lead.Territory{Regions: []string{"shanghai"}, Industries: []string{"Hospitality"}, MinSize: 100},
				People: []crm.UserID{"ann", "ben", "cai", "dan"}, MatchSkills: true, MatchLanguage: true},
			{Name: "postcode 2000", Territory: lead.Territory{PostcodePrefixes: []string{"2000"}}, People: []crm.UserID{"eve"}, MatchLanguage: true},
			{Name: "everything else", People: []crm.UserID{"eve"}},
		},
		KeyProspectSeniority: 4,
	}
	router := mustRouter(t, rules, cals)
	mondayTen := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	sundayTen := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

	cases := []struct {
		name     string
		lead     func(t testing.TB) *lead.Lead
		now      time.Time
		owner    crm.UserID
		rule     string
		excluded map[crm.UserID]lead.Exclusion
	}{
		{"skills and language narrow the pool", func(t testing.TB) *lead.Lead {
			return leadAt(t, 1, "Shanghai", "hospitality", 250, "zh-CN", "air conditioning", "maintenance")
		}, mondayTen, "ben", "shanghai hospitality", map[crm.UserID]lead.Exclusion{
			"ann": lead.ExcludedSkill, "cai": lead.ExcludedAtCapacity, "dan": lead.ExcludedInactive}},
		{"off shift falls through to the next rule", func(t testing.TB) *lead.Lead {
			return leadAt(t, 2, "Shanghai", "hospitality", 250, "en", "maintenance")
		}, sundayTen, "eve", "postcode 2000", nil},
		{"key prospect needs seniority", func(t testing.TB) *lead.Lead {
			l := leadAt(t, 3, "Shanghai", "hospitality", 250, "zh", "air conditioning")
			require.NoError(t, l.SetKeyProspect(true, chg(1)))
			return l
		}, mondayTen, "ben", "shanghai hospitality", map[crm.UserID]lead.Exclusion{"ann": lead.ExcludedSeniority}},
		{"small company misses the size band", func(t testing.TB) *lead.Lead {
			return leadAt(t, 4, "Shanghai", "hospitality", 50, "en")
		}, mondayTen, "eve", "postcode 2000", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := tc.lead(t)
			dec, next, err := router.Assign(lead.AssignmentState{}, l, tc.now)
			require.NoError(t, err)
			require.True(t, dec.Assigned, dec.Why)
			require.Equal(t, tc.owner, dec.Owner)
			require.Equal(t, tc.rule, dec.Rule)
			require.Contains(t, dec.Why, tc.rule)
			require.Equal(t, 1, next.OpenLeads(tc.owner))
			for _, tr := range dec.Tried {
				for _, c := range tr.Candidates {
					if want, ok := tc.excluded[c.Person]; ok && tr.Rule == "shanghai hospitality" {
						require.False(t, c.Eligible)
						require.Equal(t, want, c.Excluded, c.Person)
					}
				}
			}
			require.NoError(t, l.Assign(dec.Owner, chg(5)))
		})
	}
}

func TestAssignNobodyEligible(t *testing.T) {
	t.Parallel()
	router := mustRouter(t, lead.Rules{
		People: []lead.Person{{ID: "zero", Capacity: 0}, {ID: "full", Capacity: 1}},
		Rules:  []lead.Rule{{Name: "all", People: []crm.UserID{"zero", "full"}}},
	}, nil)
	st := lead.AssignmentState{}.SetOpen("full", 1)
	l := newLead(t)
	dec, next, err := router.Assign(st, l, t0)
	require.NoError(t, err)
	require.False(t, dec.Assigned)
	require.Empty(t, dec.Owner)
	require.Contains(t, dec.Why, "nobody is eligible")
	require.Len(t, dec.Tried, 1)
	for _, c := range dec.Tried[0].Candidates {
		require.Equal(t, lead.ExcludedAtCapacity, c.Excluded)
	}
	require.Equal(t, st, next, "an undecided lead leaves the state as it was")
	require.Equal(t, crm.UserID(""), l.Owner())

	noRule := mustRouter(t, lead.Rules{
		People: []lead.Person{{ID: "a", Capacity: 5}},
		Rules:  []lead.Rule{{Name: "beijing", Territory: lead.Territory{Regions: []string{"Beijing"}}, People: []crm.UserID{"a"}}},
	}, nil)
	dec, _, err = noRule.Assign(lead.AssignmentState{}, l, t0)
	require.NoError(t, err)
	require.False(t, dec.Assigned)
	require.Equal(t, "no rule covers the lead", dec.Why)
}

func TestAssignNeverPastCapacity(t *testing.T) {
	t.Parallel()
	router := mustRouter(t, lead.Rules{
		People: []lead.Person{{ID: "a", Capacity: 2}, {ID: "b", Capacity: 3, Weight: 5}},
		Rules:  []lead.Rule{{Name: "all", People: []crm.UserID{"a", "b"}}},
	}, nil)
	st := lead.AssignmentState{}
	assigned := 0
	for i := range 10 {
		dec, next, err := router.Assign(st, leadAt(t, i, "Shanghai", "x", 1, ""), t0)
		require.NoError(t, err)
		st = next
		if dec.Assigned {
			assigned++
		}
	}
	require.Equal(t, 5, assigned)
	require.Equal(t, 2, st.OpenLeads("a"))
	require.Equal(t, 3, st.OpenLeads("b"))
	st = st.Release("a")
	dec, _, err := router.Assign(st, leadAt(t, 11, "Shanghai", "x", 1, ""), t0)
	require.NoError(t, err)
	require.Equal(t, crm.UserID("a"), dec.Owner, "released capacity is used again")
}

func TestReassignExcludesCurrentOwner(t *testing.T) {
	t.Parallel()
	router := mustRouter(t, lead.Rules{
		People: []lead.Person{{ID: "a", Capacity: 5}, {ID: "b", Capacity: 5}},
		Rules:  []lead.Rule{{Name: "all", People: []crm.UserID{"a", "b"}}},
	}, nil)
	l := newLead(t)
	dec, st, err := router.Assign(lead.AssignmentState{}, l, t0)
	require.NoError(t, err)
	require.Equal(t, crm.UserID("a"), dec.Owner)
	require.NoError(t, l.Assign(dec.Owner, chg(1)))
	dec, st, err = router.Assign(st, l, t0.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, crm.UserID("b"), dec.Owner)
	require.Equal(t, crm.UserID("a"), dec.Previous)
	require.Equal(t, 0, st.OpenLeads("a"), "the previous owner's open lead is released")
	require.Equal(t, 1, st.OpenLeads("b"))
	require.Equal(t, lead.ExcludedCurrent, dec.Tried[0].Candidates[0].Excluded)
}

func TestAssignRefusesBadInput(t *testing.T) {
	t.Parallel()
	router := mustRouter(t, lead.Rules{People: []lead.Person{{ID: "a", Capacity: 5}}, Rules: []lead.Rule{{Name: "all", People: []crm.UserID{"a"}}}}, nil)
	_, _, err := router.Assign(lead.AssignmentState{}, nil, t0)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, _, err = router.Assign(lead.AssignmentState{}, newLead(t), time.Time{})
	require.ErrorIs(t, err, crm.ErrInvalid)
	forged := lead.AssignmentState{Open: []lead.Load{{Person: "b", Open: 1}, {Person: "a", Open: -1}}}
	_, _, err = router.Assign(forged, newLead(t), t0)
	require.ErrorIs(t, err, crm.ErrInvalid)
	closed, _ := atStage(t, lead.StageDisqualified)
	_, _, err = router.Assign(lead.AssignmentState{}, closed, t0)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestNewRouterRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		rules lead.Rules
		path  string
	}{
		{"unknown person", lead.Rules{Rules: []lead.Rule{{Name: "r", People: []crm.UserID{"ghost"}}}}, "rules[0].people[0]"},
		{"repeated person", lead.Rules{People: []lead.Person{{ID: "a"}, {ID: "a"}}}, "people[1].id"},
		{"repeated rule", lead.Rules{Rules: []lead.Rule{{Name: "r"}, {Name: "r"}}}, "rules[1].name"},
		{"unnamed rule", lead.Rules{Rules: []lead.Rule{{}}}, "rules[0].name"},
		{"negative capacity", lead.Rules{People: []lead.Person{{ID: "a", Capacity: -1}}}, "people[0].capacity"},
		{"huge weight", lead.Rules{People: []lead.Person{{ID: "a", Weight: lead.MaxWeight + 1}}}, "people[0].weight"},
		{"missing calendar", lead.Rules{People: []lead.Person{{ID: "a", Calendar: "night"}}}, "people[0].calendar"},
		{"bad seniority", lead.Rules{People: []lead.Person{{ID: "a", Seniority: 10}}}, "people[0].seniority"},
		{"size bounds reversed", lead.Rules{Rules: []lead.Rule{{Name: "r", Territory: lead.Territory{MinSize: 10, MaxSize: 5}}}}, "rules[0].territory"},
		{"listed twice", lead.Rules{People: []lead.Person{{ID: "a"}}, Rules: []lead.Rule{{Name: "r", People: []crm.UserID{"a", "a"}}}}, "rules[0].people[1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := lead.NewRouter(tc.rules, nil)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "want %s in %v", tc.path, err)
		})
	}
}

func TestAssignIsDeterministicAndPure(t *testing.T) {
	t.Parallel()
	router, leads, _ := fairnessSetup(t, rand.New(rand.NewPCG(7, 7)))
	run := func() ([]crm.UserID, lead.AssignmentState) {
		st := lead.AssignmentState{}
		var owners []crm.UserID
		for _, l := range leads {
			before := st.Clone()
			dec, next, err := router.Assign(st, l, t0)
			require.NoError(t, err)
			require.Equal(t, before, st, "Assign never modifies the state it is given")
			owners = append(owners, dec.Owner)
			st = next
		}
		return owners, st
	}
	a, sa := run()
	b, sb := run()
	require.Equal(t, a, b)
	require.Equal(t, sa, sb)
	require.NoError(t, sa.Validate())

	// A store keeps the state as JSON (or columns): the round trip is
	// exact, so a restart continues the rotation where it stopped.
	js, err := json.Marshal(sa)
	require.NoError(t, err)
	var back lead.AssignmentState
	require.NoError(t, json.Unmarshal(js, &back))
	require.Equal(t, sa, back)
	extra := leadAt(t, 10_000, "north", "any", 10, "")
	d1, _, err := router.Assign(sa, extra, t0)
	require.NoError(t, err)
	d2, _, err := router.Assign(back, extra, t0)
	require.NoError(t, err)
	require.Equal(t, d1, d2)
}

// fairnessSetup builds a roster of people in weight classes 1, 2 and 3
// spread over three regional rules, and a random sequence of leads.
func fairnessSetup(t testing.TB, rng *rand.Rand) (*lead.Router, []*lead.Lead, map[crm.UserID]int) {
	t.Helper()
	regions := []string{"north", "south", "east"}
	var rules lead.Rules
	weights := map[crm.UserID]int{}
	for _, region := range regions {
		r := lead.Rule{Name: region, Territory: lead.Territory{Regions: []string{region}}}
		n := 2 + rng.IntN(6)
		for i := range n {
			id := crm.UserID(fmt.Sprintf("%s-%d", region, i))
			weights[id] = 1 + rng.IntN(3)
			rules.People = append(rules.People, lead.Person{ID: id, Weight: weights[id], Capacity: lead.MaxCapacity})
			r.People = append(r.People, id)
		}
		rules.Rules = append(rules.Rules, r)
	}
	router := mustRouter(t, rules, nil)
	leads := make([]*lead.Lead, 50+rng.IntN(400))
	for i := range leads {
		leads[i] = leadAt(t, i, regions[rng.IntN(len(regions))], "any", 10, "")
	}
	return router, leads, weights
}

// TestFairnessProperty: over many seeded sequences, within each rule the
// counts of people of one weight class differ by at most one, and counts
// track weights.
func TestFairnessProperty(t *testing.T) {
	t.Parallel()
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 99))
		router, leads, weights := fairnessSetup(t, rng)
		st := lead.AssignmentState{}
		for _, l := range leads {
			dec, next, err := router.Assign(st, l, t0)
			require.NoError(t, err)
			require.True(t, dec.Assigned)
			st = next
		}
		for _, pool := range st.Pools {
			byWeight := map[int][]int64{}
			var weightSum, total int64
			for _, turn := range pool.Turns {
				w := weights[turn.Person]
				byWeight[w] = append(byWeight[w], turn.Assigned)
				weightSum += int64(w)
				total += turn.Assigned
			}
			for w, counts := range byWeight {
				lo, hi := counts[0], counts[0]
				for _, c := range counts {
					lo, hi = min(lo, c), max(hi, c)
				}
				require.LessOrEqual(t, hi-lo, int64(1), "seed %d rule %s weight %d: %v", seed, pool.Rule, w, counts)
			}
			// Proportional to weight within one lead per person.
			for _, turn := range pool.Turns {
				w := int64(weights[turn.Person])
				ideal := float64(total*w) / float64(weightSum)
				require.InDelta(t, ideal, float64(turn.Assigned), float64(len(pool.Turns)), "seed %d %s", seed, turn.Person)
			}
		}
	}
}

func TestOffShiftNeitherGainsNorLosesTurns(t *testing.T) {
	t.Parallel()
	cals := map[string]*calendar.Calendar{"office": officeCalendar(t)}
	router := mustRouter(t, lead.Rules{
		People: []lead.Person{{ID: "day", Capacity: 1000, Calendar: "office"}, {ID: "any1", Capacity: 1000}, {ID: "any2", Capacity: 1000}},
		Rules:  []lead.Rule{{Name: "all", People: []crm.UserID{"day", "any1", "any2"}}},
	}, cals)
	st := lead.AssignmentState{}
	night := time.Date(2026, 3, 2, 22, 0, 0, 0, time.UTC)
	count := map[crm.UserID]int{}
	for i := range 10 {
		dec, next, err := router.Assign(st, leadAt(t, i, "x", "x", 1, ""), night)
		require.NoError(t, err)
		require.NotEqual(t, crm.UserID("day"), dec.Owner)
		st = next
		count[dec.Owner]++
	}
	require.Equal(t, 5, count["any1"])
	require.Equal(t, 5, count["any2"])
	// Back on shift, "day" takes its turn in the rotation, not a backlog.
	morning := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	count = map[crm.UserID]int{}
	for i := range 9 {
		dec, next, err := router.Assign(st, leadAt(t, 100+i, "x", "x", 1, ""), morning)
		require.NoError(t, err)
		st = next
		count[dec.Owner]++
	}
	require.Equal(t, map[crm.UserID]int{"day": 3, "any1": 3, "any2": 3}, count)
}
