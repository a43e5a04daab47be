package complaint_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// ExampleDetect finds a cluster of leak complaints in one building from
// rules loaded as JSON, and raises a risk for it.
func ExampleDetect() {
	var rules complaint.HotspotRules
	err := json.Unmarshal([]byte(`[
		{"name":"leaks-per-building","kind":"cluster","category":"leak","asset_level":2,"min":3,"window":"168h"}
	]`), &rules)
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var facts []complaint.Fact
	for i, unit := range []string{"1502", "1601", "0803", "0101"} {
		facts = append(facts, complaint.Fact{
			ID:           crm.MustParseID(fmt.Sprintf("01890000-0000-7000-8000-00000000000%d", i+1)),
			Category:     "window",
			CategoryPath: []string{"product_quality", "leak", "window"},
			Asset:        complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}, {Kind: "unit", ID: unit}},
			Severity:     complaint.Medium,
			ReceivedAt:   now.Add(-time.Duration(i*50) * time.Hour),
		})
	}
	for _, h := range complaint.Detect(facts, rules, now) {
		fmt.Printf("%s: %d complaints on %s, evidence %d\n", h.Rule, h.Count, h.Asset, len(h.Evidence))
		risk, err := complaint.NewRisk(h, "manager-wang", crm.MustParseID("01890000-0000-7000-8000-0000000000ff"), "acme", now)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(risk.Status(), risk.Owner())
	}
	// Output:
	// leaks-per-building: 4 complaints on project:P1/building:B3, evidence 4
	// open manager-wang
}

// ExampleRisk_Move walks a risk through its mitigation, and shows a
// refused move.
func ExampleRisk_Move() {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	h := complaint.Hotspot{Rule: "repeaters", Kind: complaint.RuleRepeat, Count: 3,
		Evidence: []crm.ID{crm.MustParseID("01890000-0000-7000-8000-000000000001")}}
	risk, err := complaint.NewRisk(h, "manager-wang", crm.MustParseID("01890000-0000-7000-8000-0000000000ff"), "acme", now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(risk.Move(complaint.RiskMitigating, "manager-wang", "called the customer", now.Add(time.Hour)))
	fmt.Println(risk.Move(complaint.RiskMitigated, "manager-wang", "visit done, issue fixed", now.Add(48*time.Hour)))
	err = risk.Move(complaint.RiskOpen, "manager-wang", "", now.Add(72*time.Hour))
	fmt.Println(errors.Is(err, crm.ErrInvalidTransition), risk.Status(), len(risk.Notes()))
	// Output:
	// <nil>
	// <nil>
	// true mitigated 2
}

// ExampleIndex_Suggest suggests past solutions for a new leak complaint,
// with the reasons.
func ExampleIndex_Suggest() {
	ix, err := complaint.NewIndex([]complaint.Solution{
		{ComplaintID: crm.MustParseID("01890000-0000-7000-8000-000000000001"), Category: "window",
			CategoryPath: []string{"product_quality", "leak", "window"},
			Text:         "Rain leaks through the window frame. Sealant missing; resealed the frame.", Remedy: complaint.Repair},
		{ComplaintID: crm.MustParseID("01890000-0000-7000-8000-000000000002"), Category: "billing",
			Text: "Charged twice for the parking fee; refunded.", Remedy: complaint.Refund},
		{ComplaintID: crm.MustParseID("01890000-0000-7000-8000-000000000003"), Category: "roof",
			CategoryPath: []string{"product_quality", "leak", "roof"},
			Text:         "Ceiling leaks after rain; roof tiles replaced.", Remedy: complaint.Repair},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	got, err := ix.Suggest(complaint.SolutionQuery{
		Category: "window", CategoryPath: []string{"product_quality", "leak", "window"},
		Text: "The window leaks when it rains",
	}, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range got {
		fmt.Printf("%s %s category-depth=%d terms=%v\n", s.Solution.Category, s.Solution.Remedy, s.Reasons.CategoryDepth, s.Reasons.Terms)
	}
	// Output:
	// window repair category-depth=3 terms=[window leak rain]
	// roof repair category-depth=2 terms=[leak rain]
}
