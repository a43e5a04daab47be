package complaint_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// rbFacts returns n synthetic facts over a year before hsAt: 50 projects of
// 20 buildings of 200 units, 40 categories, 200,000 customers, fixed seed.
func rbFacts(n int) []complaint.Fact {
	rng := rand.New(rand.NewPCG(42, 7))
	cats := make([]string, 40)
	paths := make([][]string, 40)
	for i := range cats {
		cats[i] = fmt.Sprintf("cat%02d", i)
		paths[i] = []string{fmt.Sprintf("group%d", i%5), cats[i]}
	}
	assets := make([]complaint.Asset, 50*20*200)
	for i := range assets {
		assets[i] = complaint.Asset{
			{Kind: "project", ID: fmt.Sprintf("P%d", i/4000)},
			{Kind: "building", ID: fmt.Sprintf("B%d", i/200%20)},
			{Kind: "unit", ID: fmt.Sprintf("U%d", i%200)},
		}
	}
	facts := make([]complaint.Fact, n)
	for i := range facts {
		c := rng.IntN(len(cats))
		var id crm.ID
		id[0], id[1], id[2], id[3] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		var cust crm.ID
		cust[15], cust[14], cust[13] = byte(i%200000), byte(i%200000>>8), byte(i%200000>>16)
		facts[i] = complaint.Fact{
			ID: id, Customer: cust, Category: cats[c], CategoryPath: paths[c],
			Asset: assets[rng.IntN(len(assets))], Severity: complaint.Severity(1 + rng.IntN(4)),
			ReceivedAt: hsAt.Add(-time.Duration(rng.Int64N(int64(365 * hsDay)))),
		}
	}
	return facts
}

func rbRules() complaint.HotspotRules {
	return complaint.HotspotRules{
		{Name: "cluster", Kind: complaint.RuleCluster, Category: "group1", AssetLevel: 2, Min: 5, Window: 30 * hsDay},
		{Name: "trend", Kind: complaint.RuleTrend, AssetLevel: 1, Min: 10, Window: 7 * hsDay, Factor: 1.5, Periods: 8},
		{Name: "repeat", Kind: complaint.RuleRepeat, Min: 2, Window: 90 * hsDay},
		{Name: "spike", Kind: complaint.RuleSeveritySpike, AssetLevel: 2, Min: 10, Window: 14 * hsDay},
	}
}

// BenchmarkDetect1M runs four rules (one of each kind) over 1,000,000
// facts. Target: <= 2 s per run on one core.
func BenchmarkDetect1M(b *testing.B) {
	facts := rbFacts(1_000_000)
	rules := rbRules()
	if err := rules.Validate(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(complaint.Detect(facts, rules, hsAt)) == 0 {
			b.Fatal("no hotspots")
		}
	}
}

// rbSolutions returns n synthetic solutions: about 30 words each from a
// 5,000-word vocabulary (Zipf-like), some with Chinese text, fixed seed.
func rbSolutions(n int) []complaint.Solution {
	rng := rand.New(rand.NewPCG(1, 99))
	zipf := rand.NewZipf(rng, 1.1, 1, 4999)
	words := make([]string, 5000)
	for i := range words {
		words[i] = fmt.Sprintf("w%dx", i)
	}
	zh := []string{"漏水", "窗户", "墙面", "裂缝", "物业", "维修", "噪音", "电梯", "停车", "收费"}
	sols := make([]complaint.Solution, n)
	var sb strings.Builder
	for i := range sols {
		sb.Reset()
		for range 30 {
			sb.WriteString(words[zipf.Uint64()])
			sb.WriteByte(' ')
		}
		if i%5 == 0 {
			for range 6 {
				sb.WriteString(zh[rng.IntN(len(zh))])
			}
		}
		var id crm.ID
		id[0], id[1], id[2], id[3], id[15] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i), 1
		c := rng.IntN(40)
		sols[i] = complaint.Solution{
			ComplaintID: id, Category: fmt.Sprintf("cat%02d", c),
			CategoryPath: []string{fmt.Sprintf("group%d", c%5), fmt.Sprintf("cat%02d", c)},
			Text:         sb.String(), Remedy: complaint.Repair,
		}
	}
	return sols
}

// BenchmarkSuggest100k queries an index of 100,000 solutions for the top
// 10. Target: <= 20 ms per query.
func BenchmarkSuggest100k(b *testing.B) {
	ix, err := complaint.NewIndex(rbSolutions(100_000))
	if err != nil {
		b.Fatal(err)
	}
	q := complaint.SolutionQuery{
		Category: "cat07", CategoryPath: []string{"group2", "cat07"},
		Text: "w0x w3x w17x w120x w999x w2500x the window leaks 窗户漏水",
	}
	b.ReportAllocs()
	for b.Loop() {
		got, err := ix.Suggest(q, 10)
		if err != nil || len(got) != 10 {
			b.Fatal(err, len(got))
		}
	}
}
