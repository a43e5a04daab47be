package scoring_test

import (
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm/scoring"
)

func ExampleComputeRFM() {
	day := func(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }
	txs := []scoring.Transaction{
		{CustomerID: "ann", At: day(1), Amount: 120},
		{CustomerID: "bob", At: day(2), Amount: 40},
		{CustomerID: "ann", At: day(20), Amount: 80},
		{CustomerID: "cat", At: day(25), Amount: 300},
		{CustomerID: "dan", At: day(5), Amount: 15},
		{CustomerID: "ann", At: day(28), Amount: 60},
		{CustomerID: "eve", At: day(15), Amount: 90},
		{CustomerID: "eve", At: day(27), Amount: 70},
	}
	tab, err := scoring.ComputeRFM(day(31), slices.Values(txs), &scoring.RFMOptions{Bins: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	seg, err := scoring.NewRFMSegmenter(3, []scoring.RFMSegment{
		{Name: "champion", Pattern: mustPattern("33*")},
		{Name: "slipping", Pattern: mustPattern("1**")},
	}, "regular")
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, r := range tab.Records {
		fmt.Printf("%s R=%.0fd F=%d M=%.0f score %s %s\n", r.CustomerID, r.RecencyDays(tab.Ref), r.Frequency, r.Monetary, tab.Scores[i], seg.Segment(tab.Scores[i]))
	}
	// Output:
	// ann R=3d F=3 M=260 score 333 champion
	// bob R=29d F=1 M=40 score 111 slipping
	// cat R=6d F=1 M=300 score 213 regular
	// dan R=26d F=1 M=15 score 111 slipping
	// eve R=4d F=2 M=160 score 332 champion
}

func mustPattern(s string) scoring.RFMPattern {
	p, err := scoring.ParseRFMPattern(s)
	if err != nil {
		panic(err) // a constant pattern in an example
	}
	return p
}

func ExampleClassifyABC() {
	revenue := []float64{5, 50, 2, 30, 10, 3}
	abc, err := scoring.ClassifyABC(revenue, nil) // 80% / 95%
	if err != nil {
		fmt.Println(err)
		return
	}
	gini, _ := scoring.Gini(revenue)
	top, _ := scoring.TopShare(revenue, 0.2)
	fmt.Println("classes:", abc.Classes)
	fmt.Printf("A: %d customers, %.0f%% of revenue\n", abc.Count[0], 100*abc.Share[0])
	fmt.Printf("Gini %.3f, top 20%% bring %.0f%%\n", gini, 100*top)
	// Output:
	// classes: [B A C A B C]
	// A: 2 customers, 80% of revenue
	// Gini 0.543, top 20% bring 56%
}

func ExampleSimpleCLV() {
	// An average customer: 100 margin a year, 80% stay each year, 10%
	// discount rate, 50 to acquire, valued over 3 years.
	clv, err := scoring.SimpleCLV(scoring.CLVInput{Margin: 100, Retention: 0.8, Discount: 0.1, AcquisitionCost: 50, Periods: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("CLV %.2f (gross %.2f, %.2f expected years)\n", clv.Value, clv.Gross, clv.ExpectedPeriods)
	company, _ := scoring.CompanyValue(scoring.CustomerBase{Customers: 2000, ValuePerCustomer: clv.Value})
	fmt.Printf("company value %.0f\n", company)

	curve, _ := scoring.CohortRetention([][]int{{1000, 800, 640, 512}, {500, 450}})
	fmt.Printf("survival %.3f\n", curve.Survival)
	// Output:
	// CLV 155.11 (gross 205.11, 2.44 expected years)
	// company value 310218
	// survival [1.000 0.833 0.667 0.533]
}

func ExampleValueVector_Direction() {
	received := scoring.ValueVector{Economic: 5, Functional: 6, Psychological: 14}
	paid := scoring.ValueVector{Economic: 2, Functional: 2, Psychological: 2}
	cv, _ := scoring.NetValue(received, paid) // (3, 4, 12)
	m, _ := cv.Magnitude()
	d, _ := cv.Direction()
	fmt.Printf("value %v, magnitude %.0f, dominant %s\n", cv, m, d.Dominant)
	// Output:
	// value {3 4 12}, magnitude 13, dominant psychological
}

func ExampleNewWeightedModel() {
	model, err := scoring.NewWeightedModel(
		scoring.DimensionWeights{Financial: 0.5, Market: 0.3, Management: 0.2},
		[]scoring.Indicator{
			{Name: "profit", Dimension: scoring.Financial, Weight: 1, Normalization: scoring.NormalizeFixed, Max: 1000},
			{Name: "loyalty_years", Dimension: scoring.Market, Weight: 0.5, Normalization: scoring.NormalizeFixed, Max: 10},
			{Name: "referrals", Dimension: scoring.Market, Weight: 0.5, Normalization: scoring.NormalizeFixed, Max: 20},
			{Name: "suggestions", Dimension: scoring.Management, Weight: 1, Normalization: scoring.NormalizeFixed, Max: 5},
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := model.Score([]float64{600, 5, 4, 5})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("total %.1f\n", s.Total)
	for i, ind := range model.Indicators() {
		fmt.Printf("  %-13s %4.1f\n", ind.Name, s.Contributions[i])
	}
	// Output:
	// total 60.5
	//   profit        30.0
	//   loyalty_years  7.5
	//   referrals      3.0
	//   suggestions   20.0
}

func ExampleChurnModel_Risk() {
	model, err := scoring.NewChurnModel(scoring.ChurnOptions{}) // defaults
	if err != nil {
		fmt.Println(err)
		return
	}
	risk, err := model.Risk(scoring.ChurnSignals{
		PAlive: 0.3, HasPAlive: true, // from BG/NBD or any model
		RecencyDays: 90, HasRecency: true,
		Complaints: 2, OpenComplaints: 1,
		Satisfaction: 2, HasSatisfaction: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("risk %.2f (%s), act on %s\n", risk.Score, risk.Level, risk.Main)
	for _, f := range risk.Factors {
		fmt.Printf("  %-15s %.3f\n", f.Name, f.Contribution)
	}
	// Output:
	// risk 0.62 (medium), act on p_alive
	//   p_alive         0.245
	//   recency         0.075
	//   complaints      0.075
	//   open_complaints 0.075
	//   satisfaction    0.150
}

func ExampleLeadScorer_Score() {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	scorer, err := scoring.NewLeadScorer(scoring.LeadRules{
		Fit: []scoring.FitRule{
			{Name: "retail", Field: "industry", Op: scoring.OpEquals, Values: []string{"retail"}, Points: 20},
			{Name: "mid-size", Field: "employees", Op: scoring.OpBetween, Number: 50, Upper: 500, Points: 15},
		},
		Engagement: []scoring.EngagementRule{
			{Name: "demo", Activity: "demo_request", Points: 30},
			{Name: "opens", Activity: "email_open", Points: 2, Cap: 10},
		},
		HalfLife: 30 * 24 * time.Hour,
		Grades:   []scoring.Grade{{Name: "A", Min: 60}, {Name: "B", Min: 30}, {Name: "C", Min: 0}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := scorer.Score(scoring.LeadFacts{
		Fields:  map[string]string{"industry": "Retail"},
		Numbers: map[string]float64{"employees": 120},
		Activities: []scoring.Activity{
			{Type: "demo_request", At: now.AddDate(0, 0, -30)}, // one half-life ago
			{Type: "email_open", At: now},
		},
	}, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("fit %.0f + engagement %.0f = %.0f, grade %s\n", s.Fit, s.Engagement, s.Total, s.Grade)
	for _, r := range s.Reasons {
		fmt.Printf("  %-8s %5.1f\n", r.Rule, r.Points)
	}
	// Output:
	// fit 35 + engagement 17 = 52, grade B
	//   retail    20.0
	//   mid-size  15.0
	//   demo      15.0
	//   opens      2.0
}

func ExampleTrainLeadModel() {
	var history []scoring.LeadOutcome
	add := func(source string, won bool, n int) {
		for range n {
			history = append(history, scoring.LeadOutcome{Team: "north", Fields: map[string]string{"source": source}, Won: won})
		}
	}
	add("referral", true, 3)
	add("referral", false, 1)
	add("trade_show", true, 1)
	add("trade_show", false, 3)
	model, err := scoring.TrainLeadModel(slices.Values(history), scoring.NaiveBayesOptions{Fields: []string{"source"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, src := range []string{"referral", "trade_show", "cold_call"} {
		p, err := model.Predict(scoring.LeadQuery{Team: "north", Fields: map[string]string{"source": src}})
		if err != nil {
			fmt.Println(err)
			return
		}
		e := p.Evidence[0]
		fmt.Printf("%-10s %5.1f%% (evidence %+.3f, seen %v)\n", src, p.Percent, e.LogOdds, e.Used)
	}
	// Output:
	// referral    66.7% (evidence +0.693, seen true)
	// trade_show  33.3% (evidence -0.693, seen true)
	// cold_call   50.0% (evidence +0.000, seen false)
}

func Example_kpis() {
	retention, _ := scoring.RetentionRate(200, 190, 30)
	acquisition, _ := scoring.AcquisitionRate(30, 200)
	growth, _ := scoring.SalesGrowth(1_000_000, 1_200_000)
	fc, _ := scoring.ForecastAccuracy([]float64{100, 200, 50}, []float64{110, 180, 50})
	csat, _ := scoring.CSAT([]int{5, 4, 3, 2, 5, 1, 4, 4}, nil)
	nps, _ := scoring.NPS([]int{10, 10, 10, 9, 8, 2})
	onTime, _ := scoring.OnTimeRate(47, 50)
	turnover, _ := scoring.ReceivablesTurnover(1_200_000, 120_000)
	top, _ := scoring.TopShare([]float64{5, 50, 2, 30, 10, 3}, 0.2)
	fmt.Printf("retention %.0f%%, acquisition %.0f%%, sales growth %.0f%%\n", 100*retention, 100*acquisition, 100*growth)
	fmt.Printf("forecast MAPE %.1f%%, bias %+.2f\n", 100*fc.MAPE, fc.Bias)
	fmt.Printf("CSAT %.1f%%, NPS %+.0f, on time %.0f%%\n", 100*csat.Satisfied, nps.Score, 100*onTime)
	fmt.Printf("receivables turnover %.0f, top 20%% share %.0f%%\n", turnover, 100*top)
	// Output:
	// retention 80%, acquisition 15%, sales growth 20%
	// forecast MAPE 6.7%, bias -3.33
	// CSAT 62.5%, NPS +50, on time 94%
	// receivables turnover 10, top 20% share 56%
}
