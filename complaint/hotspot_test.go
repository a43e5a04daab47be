package complaint_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

var hsAt = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

const hsDay = 24 * time.Hour

// hsID returns a distinct, ordered ID for n.
func hsID(n int) crm.ID {
	return crm.MustParseID(fmt.Sprintf("01890000-0000-7000-8000-%012d", n))
}

func hsUnit(building, unit string) complaint.Asset {
	return complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: building}, {Kind: "unit", ID: unit}}
}

// hsFact returns fact n of customer cust, daysAgo days before hsAt.
func hsFact(n int, cat string, a complaint.Asset, sev complaint.Severity, cust int, daysAgo float64) complaint.Fact {
	return complaint.Fact{
		ID: hsID(n), Customer: hsID(10000 + cust), Category: cat, Asset: a, Severity: sev,
		ReceivedAt: hsAt.Add(-time.Duration(daysAgo * float64(hsDay))),
	}
}

// hsLeak returns a window-leak fact in building b.
func hsLeak(n int, b string, daysAgo float64) complaint.Fact {
	f := hsFact(n, "window", hsUnit(b, fmt.Sprint(n)), complaint.Medium, n, daysAgo)
	f.CategoryPath = []string{"product_quality", "leak", "window"}
	return f
}

func hsKeys(hs []complaint.Hotspot) (keys []string, counts []int) {
	for _, h := range hs {
		keys = append(keys, h.Key())
		counts = append(counts, h.Count)
	}
	return keys, counts
}

func TestDetectRuleKinds(t *testing.T) {
	t.Parallel()
	cluster := complaint.HotspotRule{Name: "c", Kind: complaint.RuleCluster, Category: "leak", AssetLevel: 2, Min: 3, Window: 7 * hsDay}
	repeat := complaint.HotspotRule{Name: "r", Kind: complaint.RuleRepeat, Min: 3, Window: 30 * hsDay}
	spike := complaint.HotspotRule{Name: "s", Kind: complaint.RuleSeveritySpike, AssetLevel: 1, Min: 2, Window: 7 * hsDay}
	critical := spike
	critical.MinSeverity = complaint.Critical
	trend := complaint.HotspotRule{Name: "t", Kind: complaint.RuleTrend, Category: "leak", Min: 3, Window: 7 * hsDay, Factor: 2, Periods: 2}
	cust7 := hsID(10007).String()
	tests := []struct {
		name   string
		rule   complaint.HotspotRule
		facts  []complaint.Fact
		keys   []string
		counts []int
	}{
		{"cluster hit on parent category", cluster, []complaint.Fact{hsLeak(1, "B3", 1), hsLeak(2, "B3", 2), hsLeak(3, "B3", 6.9)},
			[]string{"c|leak|project:P1/building:B3|"}, []int{3}},
		{"cluster near miss: one at window edge", cluster, []complaint.Fact{hsLeak(1, "B3", 1), hsLeak(2, "B3", 2), hsLeak(3, "B3", 7)}, nil, nil},
		{"cluster near miss: split over buildings", cluster, []complaint.Fact{hsLeak(1, "B3", 1), hsLeak(2, "B3", 2), hsLeak(3, "B4", 3)}, nil, nil},
		{"cluster near miss: other category", cluster, []complaint.Fact{hsLeak(1, "B3", 1), hsLeak(2, "B3", 2),
			hsFact(3, "billing", hsUnit("B3", "1"), complaint.Low, 3, 1)}, nil, nil},
		{"cluster near miss: future fact ignored", cluster, []complaint.Fact{hsLeak(1, "B3", 1), hsLeak(2, "B3", 2), hsLeak(3, "B3", -0.5)}, nil, nil},
		{"cluster near miss: asset above level", cluster, []complaint.Fact{hsLeak(1, "B3", 1), hsLeak(2, "B3", 2),
			{ID: hsID(3), Category: "window", CategoryPath: []string{"leak"}, Asset: hsUnit("B3", "1")[:1], ReceivedAt: hsAt}}, nil, nil},
		{"cluster on the exact code without path", cluster, []complaint.Fact{
			hsFact(1, "leak", hsUnit("B3", "1"), 1, 1, 0), hsFact(2, "leak", hsUnit("B3", "2"), 1, 2, 0), hsFact(3, "leak", hsUnit("B3", "3")[:2], 1, 3, 0)},
			[]string{"c|leak|project:P1/building:B3|"}, []int{3}},
		{"cluster without category groups by code", complaint.HotspotRule{Name: "c", Kind: complaint.RuleCluster, AssetLevel: 1, Min: 2, Window: hsDay},
			[]complaint.Fact{hsFact(1, "billing", hsUnit("B1", "1"), 1, 1, 0), hsFact(2, "billing", hsUnit("B2", "1"), 1, 2, 0),
				hsFact(3, "delivery", hsUnit("B2", "1"), 1, 3, 0)},
			[]string{"c|billing|project:P1|"}, []int{2}},
		{"repeat hit", repeat, []complaint.Fact{hsFact(1, "a", nil, 1, 7, 1), hsFact(2, "b", nil, 1, 7, 10), hsFact(3, "c", nil, 1, 7, 29)},
			[]string{"r|||" + cust7}, []int{3}},
		{"repeat near miss: two customers", repeat, []complaint.Fact{hsFact(1, "a", nil, 1, 7, 1), hsFact(2, "b", nil, 1, 7, 10), hsFact(3, "c", nil, 1, 8, 29)}, nil, nil},
		{"repeat near miss: one too old", repeat, []complaint.Fact{hsFact(1, "a", nil, 1, 7, 1), hsFact(2, "b", nil, 1, 7, 10), hsFact(3, "c", nil, 1, 7, 30)}, nil, nil},
		{"severity spike hit across categories", spike, []complaint.Fact{hsFact(1, "a", hsUnit("B1", "1"), complaint.High, 1, 1), hsFact(2, "b", hsUnit("B2", "1"), complaint.Critical, 2, 1)},
			[]string{"s||project:P1|"}, []int{2}},
		{"severity spike near miss: medium ignored", spike, []complaint.Fact{hsFact(1, "a", hsUnit("B1", "1"), complaint.High, 1, 1), hsFact(2, "b", hsUnit("B2", "1"), complaint.Medium, 2, 1)}, nil, nil},
		{"severity spike near miss: critical only", critical, []complaint.Fact{hsFact(1, "a", hsUnit("B1", "1"), complaint.High, 1, 1), hsFact(2, "b", hsUnit("B2", "1"), complaint.Critical, 2, 1)}, nil, nil},
		// trend: last week 4, two weeks before 1 and 3: mean 2, 4 >= 2*2.
		{"trend hit", trend, []complaint.Fact{hsLeak(1, "B1", 1), hsLeak(2, "B1", 2), hsLeak(3, "B2", 3), hsLeak(4, "B2", 4),
			hsLeak(5, "B1", 8), hsLeak(6, "B1", 15), hsLeak(7, "B1", 16), hsLeak(8, "B1", 17), hsLeak(9, "B1", 21.5)},
			[]string{"t|leak||"}, []int{4}},
		// last week 4, before: 2 and 3: mean 2.5, 4 < 5.
		{"trend near miss: factor", trend, []complaint.Fact{hsLeak(1, "B1", 1), hsLeak(2, "B1", 2), hsLeak(3, "B2", 3), hsLeak(4, "B2", 4),
			hsLeak(5, "B1", 8), hsLeak(10, "B1", 9), hsLeak(6, "B1", 15), hsLeak(7, "B1", 16), hsLeak(8, "B1", 17)}, nil, nil},
		{"trend near miss: below min", trend, []complaint.Fact{hsLeak(1, "B1", 1), hsLeak(2, "B1", 2)}, nil, nil},
		{"no facts", cluster, nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := complaint.Detect(tc.facts, complaint.HotspotRules{tc.rule}, hsAt)
			keys, counts := hsKeys(got)
			require.Equal(t, tc.keys, keys)
			require.Equal(t, tc.counts, counts)
			for _, h := range got {
				require.Equal(t, tc.rule.Kind, h.Kind)
				require.Equal(t, hsAt, h.To)
				require.Equal(t, hsAt.Add(-tc.rule.Window), h.From)
				require.Len(t, h.Evidence, h.Count)
				require.True(t, slices.IsSortedFunc(h.Evidence, crm.ID.Compare))
			}
		})
	}
}

func TestDetectTrendBaseline(t *testing.T) {
	t.Parallel()
	rule := complaint.HotspotRule{Name: "t", Kind: complaint.RuleTrend, AssetLevel: 2, Min: 2, Window: hsDay, Factor: 1.5, Periods: 4}
	// B1: last day 3; previous days 1, 2, 0, 1 -> mean 1, hit. B2: last day 2,
	// previous 2, 2, 2, 2 -> mean 2, 2 < 3: miss. Day 5 and later are outside.
	var facts []complaint.Fact
	n := 0
	add := func(b string, days ...float64) {
		for _, d := range days {
			n++
			facts = append(facts, hsFact(n, "leak", hsUnit(b, "1"), 1, n, d))
		}
	}
	add("B1", 0.1, 0.2, 0.3, 1.5, 2.5, 2.6, 4.5, 5.0, 6, 7)
	add("B2", 0.1, 0.2, 1.1, 1.2, 2.1, 2.2, 3.1, 3.2, 4.1, 4.2)
	got := complaint.Detect(facts, complaint.HotspotRules{rule}, hsAt)
	require.Len(t, got, 1)
	require.Equal(t, "project:P1/building:B1", got[0].Asset.String())
	require.Equal(t, "leak", got[0].Category)
	require.Equal(t, 3, got[0].Count)
	require.InDelta(t, 1.0, got[0].Baseline, 1e-12)
	require.Equal(t, []crm.ID{hsID(1), hsID(2), hsID(3)}, got[0].Evidence)

	// With no history the baseline is 0 and Min alone decides.
	got = complaint.Detect(facts[:3], complaint.HotspotRules{rule}, hsAt)
	require.Len(t, got, 1)
	require.Zero(t, got[0].Baseline)
}

func TestDetectEvidenceCapAndOrder(t *testing.T) {
	t.Parallel()
	var facts []complaint.Fact
	for i := 1; i <= 50; i++ {
		facts = append(facts, hsLeak(i, fmt.Sprintf("B%d", i%3), float64(i%5)))
	}
	rules := complaint.HotspotRules{
		{Name: "capped", Kind: complaint.RuleCluster, AssetLevel: 2, Min: 2, Window: 7 * hsDay, EvidenceCap: 4},
		{Name: "default", Kind: complaint.RuleCluster, AssetLevel: 1, Min: 2, Window: 7 * hsDay},
	}
	require.NoError(t, rules.Validate())
	got := complaint.Detect(facts, rules, hsAt)
	keys, counts := hsKeys(got)
	require.Equal(t, []string{
		"capped|window|project:P1/building:B0|", "capped|window|project:P1/building:B1|",
		"capped|window|project:P1/building:B2|", "default|window|project:P1|",
	}, keys)
	require.Equal(t, []int{16, 17, 17, 50}, counts)
	require.Equal(t, []crm.ID{hsID(3), hsID(6), hsID(9), hsID(12)}, got[0].Evidence)
	require.Len(t, got[3].Evidence, complaint.DefaultEvidenceCap)
	require.Equal(t, hsID(1), got[3].Evidence[0])

	// Input order does not matter.
	shuffled := slices.Clone(facts)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	require.Equal(t, got, complaint.Detect(shuffled, rules, hsAt))

	// An invalid rule is skipped, the others still run.
	bad := append(complaint.HotspotRules{{Name: "bad", Kind: complaint.RuleCluster}}, rules...)
	require.Equal(t, got, complaint.Detect(facts, bad, hsAt))
}

func TestFactOf(t *testing.T) {
	t.Parallel()
	c := newComplaint(t)
	f := complaint.FactOf(c)
	require.Equal(t, complaint.Fact{
		ID: c.ID(), Customer: c.Customer(), Category: "window", Asset: c.Asset(),
		Severity: complaint.High, ReceivedAt: c.ReceivedAt(),
	}, f)
}

func hsValidRule() complaint.HotspotRule {
	return complaint.HotspotRule{Name: "leaks", Kind: complaint.RuleCluster, Category: "leak", AssetLevel: 2, Min: 3, Window: 7 * hsDay}
}

func TestHotspotRulesValidate(t *testing.T) {
	t.Parallel()
	trend := complaint.HotspotRule{Name: "t", Kind: complaint.RuleTrend, Min: 1, Window: hsDay, Factor: 2, Periods: 3}
	tests := []struct {
		name   string
		mutate func(*complaint.HotspotRule)
		path   string
	}{
		{"empty name", func(r *complaint.HotspotRule) { r.Name = " " }, "rules[0].name"},
		{"long name", func(r *complaint.HotspotRule) { r.Name = string(make([]byte, 65)) }, "rules[0].name"},
		{"no kind", func(r *complaint.HotspotRule) { r.Kind = 0 }, "rules[0].kind"},
		{"unknown kind", func(r *complaint.HotspotRule) { r.Kind = 9 }, "rules[0].kind"},
		{"bad category", func(r *complaint.HotspotRule) { r.Category = " leak" }, "rules[0].category"},
		{"zero min", func(r *complaint.HotspotRule) { r.Min = 0 }, "rules[0].min"},
		{"zero window", func(r *complaint.HotspotRule) { r.Window = 0 }, "rules[0].window"},
		{"negative window", func(r *complaint.HotspotRule) { r.Window = -hsDay }, "rules[0].window"},
		{"negative cap", func(r *complaint.HotspotRule) { r.EvidenceCap = -1 }, "rules[0].evidence_cap"},
		{"huge cap", func(r *complaint.HotspotRule) { r.EvidenceCap = complaint.MaxEvidenceCap + 1 }, "rules[0].evidence_cap"},
		{"cluster without level", func(r *complaint.HotspotRule) { r.AssetLevel = 0 }, "rules[0].asset_level"},
		{"level too deep", func(r *complaint.HotspotRule) { r.AssetLevel = complaint.MaxAssetLevels + 1 }, "rules[0].asset_level"},
		{"cluster with factor", func(r *complaint.HotspotRule) { r.Factor = 2 }, "rules[0].factor"},
		{"cluster with severity", func(r *complaint.HotspotRule) { r.MinSeverity = complaint.High }, "rules[0].min_severity"},
		{"repeat with level", func(r *complaint.HotspotRule) { r.Kind = complaint.RuleRepeat }, "rules[0].asset_level"},
		{"spike bad severity", func(r *complaint.HotspotRule) { r.Kind, r.MinSeverity = complaint.RuleSeveritySpike, 9 }, "rules[0].min_severity"},
		{"trend factor below 1", func(r *complaint.HotspotRule) { *r = trend; r.Factor = 0.5 }, "rules[0].factor"},
		{"trend zero periods", func(r *complaint.HotspotRule) { *r = trend; r.Periods = 0 }, "rules[0].periods"},
		{"trend too many periods", func(r *complaint.HotspotRule) { *r = trend; r.Periods = 53 }, "rules[0].periods"},
		{"trend window overflow", func(r *complaint.HotspotRule) { *r = trend; r.Window = 1 << 62 }, "rules[0].window"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := hsValidRule()
			tc.mutate(&r)
			err := complaint.HotspotRules{r}.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "%v", err)
		})
	}
	t.Run("duplicate names", func(t *testing.T) {
		t.Parallel()
		err := complaint.HotspotRules{hsValidRule(), hsValidRule()}.Validate()
		require.ErrorIs(t, err, crm.ErrInvalid)
	})
	t.Run("too many rules", func(t *testing.T) {
		t.Parallel()
		rs := make(complaint.HotspotRules, complaint.MaxHotspotRules+1)
		for i := range rs {
			rs[i] = hsValidRule()
			rs[i].Name = fmt.Sprint(i)
		}
		require.ErrorIs(t, rs.Validate(), crm.ErrInvalid)
	})
	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		require.NoError(t, complaint.HotspotRules{hsValidRule(), trend}.Validate())
		require.NoError(t, complaint.HotspotRules(nil).Validate())
	})
}

const hsRulesJSON = `[
 {"name":"leaks","kind":"cluster","category":"leak","asset_level":2,"min":3,"window":"168h0m0s"},
 {"name":"rising","kind":"trend","min":5,"window":"168h0m0s","factor":2,"periods":4},
 {"name":"repeaters","kind":"repeat","min":3,"window":"720h0m0s","evidence_cap":5},
 {"name":"severe","kind":"severity_spike","asset_level":1,"min":2,"window":"24h0m0s","min_severity":"critical"}
]`

func TestHotspotRulesJSON(t *testing.T) {
	t.Parallel()
	var rs complaint.HotspotRules
	require.NoError(t, json.Unmarshal([]byte(hsRulesJSON), &rs))
	require.Len(t, rs, 4)
	require.Equal(t, complaint.HotspotRule{Name: "severe", Kind: complaint.RuleSeveritySpike, AssetLevel: 1, Min: 2, Window: hsDay, MinSeverity: complaint.Critical}, rs[3])
	b, err := json.Marshal(rs)
	require.NoError(t, err)
	require.JSONEq(t, hsRulesJSON, string(b))

	for name, in := range map[string]string{
		"not an array":   `{}`,
		"bad kind":       `[{"name":"x","kind":"blob","min":1,"window":"1h"}]`,
		"bad window":     `[{"name":"x","kind":"repeat","min":1,"window":"a week"}]`,
		"invalid rule":   `[{"name":"x","kind":"repeat","min":0,"window":"1h"}]`,
		"bad severity":   `[{"name":"x","kind":"severity_spike","asset_level":1,"min":1,"window":"1h","min_severity":"huge"}]`,
		"wrong type min": `[{"name":"x","kind":"repeat","min":"1","window":"1h"}]`,
	} {
		var got complaint.HotspotRules
		require.ErrorIs(t, json.Unmarshal([]byte(in), &got), crm.ErrInvalid, name)
	}
	_, err = json.Marshal(complaint.HotspotRule{Name: "x"})
	require.Error(t, err)
}

func FuzzHotspotRulesJSON(f *testing.F) {
	f.Add(hsRulesJSON)
	f.Add(`[]`)
	f.Add(`[{"name":"x","kind":"trend","min":1,"window":"-1h","factor":1e308,"periods":52}]`)
	f.Fuzz(func(t *testing.T, s string) {
		var rs complaint.HotspotRules
		if json.Unmarshal([]byte(s), &rs) != nil {
			return
		}
		require.NoError(t, rs.Validate())
		b, err := json.Marshal(rs)
		require.NoError(t, err)
		var again complaint.HotspotRules
		require.NoError(t, json.Unmarshal(b, &again))
		require.Equal(t, rs, again)
		_ = complaint.Detect([]complaint.Fact{hsLeak(1, "B1", 0)}, rs, hsAt)
	})
}

// hsMitigationAllowed is the expected mitigation table, written out.
var hsMitigationAllowed = map[[2]complaint.MitigationStatus]bool{
	{complaint.RiskOpen, complaint.RiskMitigating}:      true,
	{complaint.RiskOpen, complaint.RiskAccepted}:        true,
	{complaint.RiskMitigating, complaint.RiskMitigated}: true,
	{complaint.RiskMitigating, complaint.RiskAccepted}:  true,
}

func hsRisk(t testing.TB) *complaint.Risk {
	t.Helper()
	h := complaint.Hotspot{Rule: "leaks", Kind: complaint.RuleCluster, Category: "leak", Asset: hsUnit("B3", "1")[:2], Count: 3,
		Evidence: []crm.ID{hsID(1), hsID(2), hsID(3)}}
	r, err := complaint.NewRisk(h, "manager-wang", hsID(99), tenantA, hsAt)
	require.NoError(t, err)
	return r
}

// hsRiskAt returns a risk in status s.
func hsRiskAt(t testing.TB, s complaint.MitigationStatus) *complaint.Risk {
	t.Helper()
	r := hsRisk(t)
	path := map[complaint.MitigationStatus][]complaint.MitigationStatus{
		complaint.RiskOpen:       nil,
		complaint.RiskMitigating: {complaint.RiskMitigating},
		complaint.RiskMitigated:  {complaint.RiskMitigating, complaint.RiskMitigated},
		complaint.RiskAccepted:   {complaint.RiskAccepted},
	}[s]
	for _, to := range path {
		require.NoError(t, r.Move(to, "manager-wang", "", hsAt))
	}
	require.Equal(t, s, r.Status())
	return r
}

func TestRiskTransitions(t *testing.T) {
	t.Parallel()
	all := append(complaint.MitigationStatuses(), 0, 9)
	for _, from := range complaint.MitigationStatuses() {
		for _, to := range all {
			t.Run(from.String()+"->"+to.String(), func(t *testing.T) {
				t.Parallel()
				r := hsRiskAt(t, from)
				want := hsMitigationAllowed[[2]complaint.MitigationStatus{from, to}]
				require.Equal(t, want, from.CanMoveTo(to))
				before := r.Notes()
				err := r.Move(to, "manager-wang", "sealing all windows", hsAt.Add(time.Hour))
				if want {
					require.NoError(t, err)
					require.Equal(t, to, r.Status())
					require.Equal(t, []complaint.RiskNote{{At: hsAt.Add(time.Hour), Actor: "manager-wang", Text: "sealing all windows"}}, r.Notes())
					require.Equal(t, hsAt.Add(time.Hour), r.UpdatedAt())
					return
				}
				if to.Valid() {
					var te *crm.TransitionError
					require.ErrorAs(t, err, &te)
					require.ErrorIs(t, err, crm.ErrInvalidTransition)
					require.Equal(t, from.String(), te.From)
					require.Equal(t, to.String(), te.To)
				} else {
					require.ErrorIs(t, err, crm.ErrInvalid)
				}
				require.Equal(t, from, r.Status())
				require.Equal(t, before, r.Notes())
			})
		}
	}
}

func TestRisk(t *testing.T) {
	t.Parallel()
	r := hsRisk(t)
	require.Equal(t, hsID(99), r.ID())
	require.Equal(t, tenantA, r.Tenant())
	require.Equal(t, complaint.RiskOpen, r.Status())
	require.Equal(t, crm.UserID("manager-wang"), r.Owner())
	require.Equal(t, "leaks|leak|project:P1/building:B3|", r.Key())
	require.Equal(t, []crm.ID{hsID(1), hsID(2), hsID(3)}, r.Evidence())
	require.Equal(t, 3, r.Hotspot().Count)
	require.Equal(t, hsAt, r.CreatedAt())

	ev := r.Evidence()
	ev[0] = hsID(7)
	require.Equal(t, hsID(1), r.Evidence()[0], "evidence is copied out")

	require.NoError(t, r.AddNote("agent-li", "owners' meeting on Friday", hsAt.Add(time.Hour)))
	require.Len(t, r.Notes(), 1)
	require.NoError(t, r.Reassign("manager-zhao", hsAt.Add(2*time.Hour)))
	require.Equal(t, crm.UserID("manager-zhao"), r.Owner())

	for name, err := range map[string]error{
		"empty note":      r.AddNote("agent-li", " ", hsAt),
		"note no actor":   r.AddNote("", "x", hsAt),
		"note zero time":  r.AddNote("agent-li", "x", time.Time{}),
		"reassign empty":  r.Reassign("", hsAt),
		"reassign notime": r.Reassign("x", time.Time{}),
		"move no actor":   r.Move(complaint.RiskMitigating, "", "", hsAt),
		"move bad note":   r.Move(complaint.RiskMitigating, "x", "\xff", hsAt),
	} {
		require.ErrorIs(t, err, crm.ErrInvalid, name)
	}
	require.Len(t, r.Notes(), 1)
	require.Equal(t, crm.UserID("manager-zhao"), r.Owner())
	require.Equal(t, complaint.RiskOpen, r.Status())
}

func TestNewRiskRefusals(t *testing.T) {
	t.Parallel()
	good := complaint.Hotspot{Rule: "r", Evidence: []crm.ID{hsID(1)}}
	tests := []struct {
		name   string
		h      complaint.Hotspot
		owner  crm.UserID
		id     crm.ID
		tenant crm.TenantID
		now    time.Time
		path   string
	}{
		{"no rule", complaint.Hotspot{Evidence: good.Evidence}, "o", hsID(1), tenantA, hsAt, "hotspot.rule"},
		{"no evidence", complaint.Hotspot{Rule: "r"}, "o", hsID(1), tenantA, hsAt, "hotspot.evidence"},
		{"no owner", good, "", hsID(1), tenantA, hsAt, "owner"},
		{"no id", good, "o", crm.NilID, tenantA, hsAt, "id"},
		{"no tenant", good, "o", hsID(1), "", hsAt, "tenant"},
		{"no time", good, "o", hsID(1), tenantA, time.Time{}, "now"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := complaint.NewRisk(tc.h, tc.owner, tc.id, tc.tenant, tc.now)
			require.Nil(t, r)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "%v", err)
		})
	}
}

func TestParseMitigationStatusAndRuleKind(t *testing.T) {
	t.Parallel()
	for _, s := range complaint.MitigationStatuses() {
		got, err := complaint.ParseMitigationStatus(s.String())
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
	_, err := complaint.ParseMitigationStatus("closed")
	require.ErrorIs(t, err, crm.ErrInvalid)
	k, err := complaint.ParseRuleKind("severity_spike")
	require.NoError(t, err)
	require.Equal(t, complaint.RuleSeveritySpike, k)
	require.Equal(t, "severity_spike", k.String())
	_, err = complaint.ParseRuleKind("spike")
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func FuzzParseMitigationStatus(f *testing.F) {
	for _, s := range complaint.MitigationStatuses() {
		f.Add(s.String())
	}
	f.Add("cluster")
	f.Add(" OPEN ")
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := complaint.ParseMitigationStatus(s); err == nil {
			require.True(t, m.Valid())
			b, err := m.MarshalText()
			require.NoError(t, err)
			var again complaint.MitigationStatus
			require.NoError(t, again.UnmarshalText(b))
			require.Equal(t, m, again)
		} else {
			require.ErrorIs(t, err, crm.ErrInvalid)
		}
		if k, err := complaint.ParseRuleKind(s); err == nil {
			require.True(t, k.Valid())
			b, err := k.MarshalText()
			require.NoError(t, err)
			var again complaint.RuleKind
			require.NoError(t, again.UnmarshalText(b))
			require.Equal(t, k, again)
		} else {
			require.ErrorIs(t, err, crm.ErrInvalid)
		}
	})
}
