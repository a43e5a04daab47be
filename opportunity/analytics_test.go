package opportunity_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
)

// fourDeals: worked by hand in the tests below.
func fourDeals() []opportunity.Deal {
	return []opportunity.Deal{
		{Owner: "wang", Team: "east", Stage: "proposal", Status: opportunity.Open, Category: opportunity.CategoryBestCase,
			Amount: money("1000.00 CNY"), Probability: 0.5, CloseDate: date(2026, 7, 15)},
		{Owner: "li", Team: "east", Stage: "negotiation", Status: opportunity.Open, Category: opportunity.CategoryCommit,
			Amount: money("2000.00 CNY"), Probability: 0.75, CloseDate: date(2026, 9, 30)},
		{Owner: "wang", Team: "west", Stage: "won", Status: opportunity.Won, Category: opportunity.CategoryClosed,
			Amount: money("500.00 CNY"), CloseDate: date(2026, 10, 1)}, // won: counts in full whatever Probability says
		{Owner: "li", Team: "west", Stage: "lost", Status: opportunity.Lost, Category: opportunity.CategoryOmitted,
			Amount: money("9999.00 CNY"), Probability: 0, CloseDate: date(2026, 8, 1)},
		{Owner: "zhao", Team: "west", Stage: "qualify", Status: opportunity.Open, Category: opportunity.CategoryPipeline,
			Amount: money("333.33 CNY"), Probability: 0.1},
	}
}

func TestWeightedForecast(t *testing.T) {
	t.Parallel()
	type row struct {
		Key              string
		Count            int
		Amount, Weighted string
	}
	tests := []struct {
		name string
		opts opportunity.ForecastOptions
		want []row
	}{
		{"by quarter", opportunity.ForecastOptions{Currency: cny, By: opportunity.ByPeriod}, []row{
			{"2026-Q3", 2, "3000.00 CNY", "2000.00 CNY"}, // 500 + 1500
			{"2026-Q4", 1, "500.00 CNY", "500.00 CNY"},
			{"none", 1, "333.33 CNY", "33.33 CNY"},
		}},
		{"by month", opportunity.ForecastOptions{Currency: cny, By: opportunity.ByPeriod, Period: opportunity.Month}, []row{
			{"2026-07", 1, "1000.00 CNY", "500.00 CNY"},
			{"2026-09", 1, "2000.00 CNY", "1500.00 CNY"},
			{"2026-10", 1, "500.00 CNY", "500.00 CNY"},
			{"none", 1, "333.33 CNY", "33.33 CNY"},
		}},
		{"by owner", opportunity.ForecastOptions{Currency: cny, By: opportunity.ByOwner}, []row{
			{"li", 1, "2000.00 CNY", "1500.00 CNY"},
			{"wang", 2, "1500.00 CNY", "1000.00 CNY"},
			{"zhao", 1, "333.33 CNY", "33.33 CNY"},
		}},
		{"by team", opportunity.ForecastOptions{Currency: cny, By: opportunity.ByTeam}, []row{
			{"east", 2, "3000.00 CNY", "2000.00 CNY"},
			{"west", 2, "833.33 CNY", "533.33 CNY"},
		}},
		{"by stage", opportunity.ForecastOptions{Currency: cny, By: opportunity.ByStage}, []row{
			{"negotiation", 1, "2000.00 CNY", "1500.00 CNY"},
			{"proposal", 1, "1000.00 CNY", "500.00 CNY"},
			{"qualify", 1, "333.33 CNY", "33.33 CNY"},
			{"won", 1, "500.00 CNY", "500.00 CNY"},
		}},
		{"by category (the default)", opportunity.ForecastOptions{Currency: cny}, []row{
			{"pipeline", 1, "333.33 CNY", "33.33 CNY"},
			{"best_case", 1, "1000.00 CNY", "500.00 CNY"},
			{"commit", 1, "2000.00 CNY", "1500.00 CNY"},
			{"closed", 1, "500.00 CNY", "500.00 CNY"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rows, err := opportunity.WeightedForecast(slices.Values(fourDeals()), tt.opts)
			require.NoError(t, err)
			var got []row
			for _, r := range rows {
				got = append(got, row{r.Key, r.Count, r.Amount.String(), r.Weighted.String()})
			}
			require.Equal(t, tt.want, got)
		})
	}
	t.Run("by owner then quarter", func(t *testing.T) {
		t.Parallel()
		rows, err := opportunity.WeightedForecast(slices.Values(fourDeals()),
			opportunity.ForecastOptions{Currency: cny, By: opportunity.ByOwner, Then: opportunity.ByPeriod})
		require.NoError(t, err)
		var got [][4]string
		for _, r := range rows {
			got = append(got, [4]string{r.Key, r.Sub, r.Amount.String(), r.Weighted.String()})
		}
		require.Equal(t, [][4]string{
			{"li", "2026-Q3", "2000.00 CNY", "1500.00 CNY"},
			{"wang", "2026-Q3", "1000.00 CNY", "500.00 CNY"},
			{"wang", "2026-Q4", "500.00 CNY", "500.00 CNY"},
			{"zhao", "none", "333.33 CNY", "33.33 CNY"},
		}, got)
	})
	bad := []struct {
		name  string
		deals []opportunity.Deal
		opts  opportunity.ForecastOptions
		is    error
	}{
		{"then equal to by", nil, opportunity.ForecastOptions{Currency: cny, By: opportunity.ByOwner, Then: opportunity.ByOwner}, crm.ErrInvalid},
		{"then by segment", nil, opportunity.ForecastOptions{Currency: cny, By: opportunity.ByOwner, Then: opportunity.BySegment}, crm.ErrInvalid},
		{"mixed currencies", []opportunity.Deal{{Amount: money("1.00 EUR"), Probability: 0.5}}, opportunity.ForecastOptions{Currency: cny}, crm.ErrCurrencyMismatch},
		{"probability above 1", []opportunity.Deal{{Amount: money("1.00 CNY"), Probability: 1.1}}, opportunity.ForecastOptions{Currency: cny}, crm.ErrInvalid},
		{"probability NaN", []opportunity.Deal{{Amount: money("1.00 CNY"), Probability: math.NaN()}}, opportunity.ForecastOptions{Currency: cny}, crm.ErrInvalid},
		{"zero money", []opportunity.Deal{{Probability: 0.5}}, opportunity.ForecastOptions{Currency: cny}, crm.ErrInvalid},
		{"no currency", nil, opportunity.ForecastOptions{}, crm.ErrInvalid},
		{"by reason", nil, opportunity.ForecastOptions{Currency: cny, By: opportunity.ByReason}, crm.ErrInvalid},
		{"unknown period", nil, opportunity.ForecastOptions{Currency: cny, By: opportunity.ByPeriod, Period: 9}, crm.ErrInvalid},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := opportunity.WeightedForecast(slices.Values(tt.deals), tt.opts)
			require.ErrorIs(t, err, tt.is)
		})
	}
}

func TestWinLoss(t *testing.T) {
	t.Parallel()
	ds := []opportunity.Deal{
		{Status: opportunity.Won, Owner: "wang", Source: opportunity.FromCampaign, Segment: "retail", Amount: money("100.00 CNY"), Competitors: []string{"Gree", "Midea"}},
		{Status: opportunity.Lost, Owner: "wang", Source: opportunity.FromLead, Segment: "retail", Amount: money("200.00 CNY"), LostReason: "price", Winner: "Gree", Competitors: []string{"Gree"}},
		{Status: opportunity.Lost, Owner: "li", Source: opportunity.FromLead, Segment: "hotel", Amount: money("50.00 CNY"), LostReason: "timing"},
		{Status: opportunity.Lost, Owner: "li", Source: opportunity.FromCampaign, Segment: "hotel", Amount: money("70.00 CNY"), LostReason: "price", Competitors: []string{"Midea"}},
		{Status: opportunity.Open, Owner: "li", Amount: money("1.00 EUR")}, // open deals are skipped, whatever their currency
	}
	type row struct {
		Key       string
		Won, Lost int
		Rate      float64
		WonAmt    string
		LostAmt   string
	}
	tests := []struct {
		by   opportunity.Dimension
		want []row
	}{
		{opportunity.ByReason, []row{{"price", 0, 2, 0, "0.00 CNY", "270.00 CNY"}, {"timing", 0, 1, 0, "0.00 CNY", "50.00 CNY"}}},
		{opportunity.ByCompetitor, []row{{"", 0, 1, 0, "0.00 CNY", "50.00 CNY"}, {"Gree", 1, 1, 0.5, "100.00 CNY", "200.00 CNY"},
			{"Midea", 1, 1, 0.5, "100.00 CNY", "70.00 CNY"}}},
		{opportunity.BySource, []row{{"campaign", 1, 1, 0.5, "100.00 CNY", "70.00 CNY"}, {"lead", 0, 2, 0, "0.00 CNY", "250.00 CNY"}}},
		{opportunity.ByOwner, []row{{"li", 0, 2, 0, "0.00 CNY", "120.00 CNY"}, {"wang", 1, 1, 0.5, "100.00 CNY", "200.00 CNY"}}},
		{opportunity.BySegment, []row{{"hotel", 0, 2, 0, "0.00 CNY", "120.00 CNY"}, {"retail", 1, 1, 0.5, "100.00 CNY", "200.00 CNY"}}},
	}
	for _, tt := range tests {
		t.Run(tt.by.String(), func(t *testing.T) {
			t.Parallel()
			rows, err := opportunity.WinLoss(slices.Values(ds), tt.by, cny)
			require.NoError(t, err)
			var got []row
			for _, r := range rows {
				got = append(got, row{r.Key, r.Won, r.Lost, r.WinRate, r.WonAmount.String(), r.LostAmount.String()})
			}
			require.Equal(t, tt.want, got)
		})
	}
	_, err := opportunity.WinLoss(slices.Values(ds), opportunity.ByCategory, cny)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = opportunity.WinLoss(slices.Values([]opportunity.Deal{{Status: opportunity.Won, Amount: money("1.00 EUR")}}), opportunity.ByOwner, cny)
	require.ErrorIs(t, err, crm.ErrCurrencyMismatch)
}

func TestSalesVelocity(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	ds := []opportunity.Deal{
		{Status: opportunity.Open}, {Status: opportunity.Open}, {Status: opportunity.Open}, {Status: opportunity.Open},
		{Status: opportunity.Won, Amount: money("3000.00 CNY"), CreatedAt: t0, ClosedAt: t0.Add(20 * day)},
		{Status: opportunity.Won, Amount: money("1000.00 CNY"), CreatedAt: t0, ClosedAt: t0.Add(40 * day)},
		{Status: opportunity.Lost, Amount: money("5.00 CNY")},
		{Status: opportunity.Lost, Amount: money("5.00 CNY")},
	}
	v, err := opportunity.SalesVelocity(slices.Values(ds), cny)
	require.NoError(t, err)
	// 4 open × 0.5 win rate × 2000 average ÷ 30 days = 133.33 per day
	require.Equal(t, 4, v.Opportunities)
	require.Equal(t, 0.5, v.WinRate)
	require.Equal(t, "2000.00 CNY", v.AverageDeal.String())
	require.Equal(t, 30.0, v.CycleDays)
	require.Equal(t, "133.33 CNY", v.PerDay.String())

	none, err := opportunity.SalesVelocity(slices.Values(ds[:4]), cny)
	require.NoError(t, err)
	require.True(t, none.PerDay.IsZero())
	_, err = opportunity.SalesVelocity(slices.Values(ds), crm.Currency{})
	require.ErrorIs(t, err, crm.ErrInvalid)
	instant := []opportunity.Deal{{Status: opportunity.Won, Amount: money("1.00 CNY"), CreatedAt: t0, ClosedAt: t0}}
	bad, err := opportunity.SalesVelocity(slices.Values(instant), cny)
	require.ErrorIs(t, err, crm.ErrInvalid)
	require.Equal(t, opportunity.Velocity{}, bad)
	_, err = opportunity.SalesVelocity(slices.Values([]opportunity.Deal{{Status: opportunity.Won, Amount: money("1.00 EUR")}}), cny)
	require.ErrorIs(t, err, crm.ErrCurrencyMismatch)
}

func TestTimeInStageAndStale(t *testing.T) {
	t.Parallel()
	h := time.Hour
	changes := []opportunity.StageChange{
		{Team: "east", From: "", To: "qualify"},
		{Team: "east", From: "qualify", To: "needs", InStage: 10 * h, InStageBusiness: 5 * h},
		{Team: "east", From: "qualify", To: "needs", InStage: 30 * h, InStageBusiness: 9 * h},
		{Team: "east", From: "qualify", To: "lost", InStage: 20 * h, InStageBusiness: 7 * h},
		{Team: "west", From: "qualify", To: "needs", InStage: 1 * h, InStageBusiness: 1 * h},
	}
	got := opportunity.TimeInStage(slices.Values(changes))
	require.Equal(t, []opportunity.StageTime{
		{Team: "east", Stage: "qualify", Count: 3, Median: 20 * h, P90: 30 * h, MedianBusiness: 7 * h, P90Business: 9 * h},
		{Team: "west", Stage: "qualify", Count: 1, Median: h, P90: h, MedianBusiness: h, P90Business: h},
	}, got)

	p := testPipeline(t)
	day := 24 * h
	now := t0.Add(30 * day)
	ds := []opportunity.Deal{
		{Pipeline: "enterprise", Stage: "qualify", Status: opportunity.Open, StageSince: now.Add(-8 * day), Owner: "a"},
		{Pipeline: "enterprise", Stage: "qualify", Status: opportunity.Open, StageSince: now.Add(-6 * day), Owner: "b"},
		{Pipeline: "enterprise", Stage: "negotiation", Status: opportunity.Open, StageSince: now.Add(-20 * day), Owner: "c"},
		{Pipeline: "enterprise", Stage: "needs", Status: opportunity.Open, StageSince: now.Add(-99 * day), Owner: "d"},
		{Pipeline: "enterprise", Stage: "qualify", Status: opportunity.Lost, StageSince: now.Add(-99 * day), Owner: "e"},
		{Pipeline: "other", Stage: "qualify", Status: opportunity.Open, StageSince: now.Add(-99 * day), Owner: "f"},
	}
	var owners []crm.UserID
	for _, d := range opportunity.Stale(slices.Values(ds), []*opportunity.Pipeline{p}, now) {
		owners = append(owners, d.Owner)
	}
	require.Equal(t, []crm.UserID{"c", "a"}, owners, "longest in stage first")
}

func TestEmpiricalStageProbabilitiesAndCalibration(t *testing.T) {
	t.Parallel()
	id := func(n byte) crm.ID { return crm.ID{15: n} }
	ch := func(opp byte, seq int64, team, from, to string) opportunity.StageChange {
		return opportunity.StageChange{Opportunity: id(opp), Seq: seq, Team: team, Pipeline: "enterprise", From: from, To: to}
	}
	changes := []opportunity.StageChange{
		// 1: qualify → needs → won
		ch(1, 1, "east", "", "qualify"), ch(1, 2, "east", "qualify", "needs"), ch(1, 3, "east", "needs", "won"),
		// 2: qualify → lost
		ch(2, 1, "east", "", "qualify"), ch(2, 2, "east", "qualify", "lost"),
		// 3: qualify → needs → qualify → needs → lost (needs counted once); given out of order
		ch(3, 5, "east", "needs", "lost"), ch(3, 1, "east", "", "qualify"), ch(3, 3, "east", "needs", "qualify"),
		ch(3, 2, "east", "qualify", "needs"), ch(3, 4, "east", "qualify", "needs"),
		// 4: still open: not counted
		ch(4, 1, "east", "", "qualify"), ch(4, 2, "east", "qualify", "needs"),
		// 5: lost then reopened and won: counts as won
		ch(5, 1, "west", "", "qualify"), ch(5, 2, "west", "qualify", "lost"), ch(5, 3, "west", "lost", "qualify"),
		ch(5, 4, "west", "qualify", "won"),
	}
	got := opportunity.EmpiricalStageProbabilities(slices.Values(changes))
	require.Equal(t, []opportunity.StageProbability{
		{Team: "east", Stage: "needs", Entered: 2, Won: 1, Probability: 0.5},
		{Team: "east", Stage: "qualify", Entered: 3, Won: 1, Probability: 1.0 / 3},
		{Team: "west", Stage: "qualify", Entered: 1, Won: 1, Probability: 1},
	}, got)

	preds := opportunity.StagePredictions(slices.Values(changes), []*opportunity.Pipeline{testPipeline(t)})
	require.Equal(t, []opportunity.Prediction{
		{Probability: 0.1, Won: true}, {Probability: 0.25, Won: true}, // 1
		{Probability: 0.1, Won: false},                                  // 2
		{Probability: 0.1, Won: false}, {Probability: 0.25, Won: false}, // 3
		{Probability: 0.1, Won: true}, // 5
	}, preds)

	c, err := opportunity.Calibrate(slices.Values(preds), 4)
	require.NoError(t, err)
	// Brier: (0.9² + 0.75² + 0.1² + 0.1² + 0.25² + 0.9²) / 6 = 2.2550 / 6
	require.Equal(t, 6, c.N)
	require.InDelta(t, (0.81+0.5625+0.01+0.01+0.0625+0.81)/6, c.Brier, 1e-12)
	require.InDelta(t, 0.5, c.BaseRate, 1e-12)
	require.Len(t, c.Bins, 4)
	require.Equal(t, 4, c.Bins[0].Count) // 0.1 ×4
	require.InDelta(t, 0.1, c.Bins[0].MeanPredicted, 1e-12)
	require.InDelta(t, 0.5, c.Bins[0].Observed, 1e-12)
	require.Equal(t, 2, c.Bins[1].Count) // 0.25 ×2: [0.25, 0.5)
	require.InDelta(t, 0.5, c.Bins[1].Observed, 1e-12)
	require.Equal(t, 0, c.Bins[3].Count)
	require.Equal(t, 0.75, c.Bins[3].Lo)

	_, err = opportunity.Calibrate(slices.Values([]opportunity.Prediction{{Probability: 1.2}}), 10)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = opportunity.Calibrate(slices.Values([]opportunity.Prediction(nil)), 10)
	require.ErrorIs(t, err, crm.ErrInvalid)
	perfect, err := opportunity.Calibrate(slices.Values([]opportunity.Prediction{{Probability: 1, Won: true}, {Probability: 0}}), 0)
	require.NoError(t, err)
	require.Equal(t, 0.0, perfect.Brier)
	require.Equal(t, 1, perfect.Bins[9].Count, "probability 1 falls in the last bin")
}

func TestForecastAccuracy(t *testing.T) {
	t.Parallel()
	f := []crm.Money{money("110.00 CNY"), money("90.00 CNY")}
	a := []crm.Money{money("100.00 CNY"), money("100.00 CNY")}
	r, err := opportunity.ForecastAccuracy(f, a, cny)
	require.NoError(t, err)
	require.InDelta(t, 0.1, r.MAPE, 1e-12)
	require.InDelta(t, 0.1, r.WAPE, 1e-12)
	require.InDelta(t, 0, r.Bias, 1e-12)
	_, err = opportunity.ForecastAccuracy([]crm.Money{money("1.00 EUR")}, a[:1], cny)
	require.ErrorIs(t, err, crm.ErrCurrencyMismatch)
	_, err = opportunity.ForecastAccuracy(f, a[:1], cny)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

// TestDealOfOpportunity checks the row an opportunity gives the analytics.
func TestDealOfOpportunity(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	require.NoError(t, o.SetCompetitor(opportunity.Competitor{Name: "Gree", Status: opportunity.CompetitorActive}, chAt(time.Hour, "")))
	require.NoError(t, o.CloseLost(p, opportunity.LostDetails{Reason: "price", Competitor: "Gree"}, chAt(50*time.Hour, "")))
	d := o.Deal()
	require.Equal(t, opportunity.Deal{ID: idOpp, Owner: "sales-wang", Team: "east", Pipeline: "enterprise", Stage: "lost",
		Status: opportunity.Lost, Category: opportunity.CategoryOmitted, Source: opportunity.FromLead, Segment: "retail_chain",
		Amount: crm.Zero(cny), Probability: 0, CloseDate: date(2026, 3, 4), CreatedAt: t0, StageSince: t0.Add(50 * time.Hour),
		ClosedAt: t0.Add(50 * time.Hour), LostReason: "price", Winner: "Gree", Competitors: []string{"Gree"}}, d)
}

// TestPredictionsUsed calibrates the probabilities actually used,
// overrides included, from the history opportunities keep.
func TestPredictionsUsed(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	won := newOpp(t, p)
	readyForNegotiation(t, won)
	require.NoError(t, won.OverrideProbability(0.3, chAt(time.Hour, "met the CEO")))
	require.NoError(t, won.MoveStage(p, "needs", chAt(2*time.Hour, "")))
	require.NoError(t, won.MoveStage(p, "proposal", chAt(3*time.Hour, "")))
	require.NoError(t, won.CloseWon(p, opportunity.WonDetails{ContractDate: date(2026, 3, 2), Contract: "HT"}, chAt(4*time.Hour, "")))

	in := newInput()
	in.ID = crm.MustParseID("01890000-0000-7000-8000-0000000000f0")
	lost, err := opportunity.New(in, p, chAt(0, ""))
	require.NoError(t, err)
	require.NoError(t, lost.CloseLost(p, opportunity.LostDetails{Reason: "price"}, chAt(time.Hour, "")))

	open, err := opportunity.New(opportunity.NewInput{ID: crm.MustParseID("01890000-0000-7000-8000-0000000000f1"), Tenant: tenantA,
		Customer: idCust, Owner: "x", Name: "n", Source: opportunity.Source{Kind: opportunity.FromExistingCustomer}, Currency: cny}, p, chAt(0, ""))
	require.NoError(t, err)

	history := slices.Concat(lost.PendingChanges(), won.PendingChanges(), open.PendingChanges())
	preds := opportunity.PredictionsUsed(slices.Values(history))
	require.Equal(t, []opportunity.Prediction{
		{Probability: 0.3, Won: true},  // qualify, overridden
		{Probability: 0.25, Won: true}, // needs
		{Probability: 0.5, Won: true},  // proposal
		{Probability: 0.1, Won: false}, // the lost one's qualify (its ID sorts after)
	}, preds)
	c, err := opportunity.Calibrate(slices.Values(preds), 10)
	require.NoError(t, err)
	require.Equal(t, 4, c.N)
	require.InDelta(t, (0.49+0.5625+0.25+0.01)/4, c.Brier, 1e-12)
}

func TestDealOfWonOpportunity(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := newOpp(t, p)
	readyForNegotiation(t, o)
	require.NoError(t, o.MoveStage(p, "needs", chAt(2*time.Hour, "")))
	require.NoError(t, o.MoveStage(p, "proposal", chAt(3*time.Hour, "")))
	require.NoError(t, o.CloseWon(p, opportunity.WonDetails{ContractDate: date(2026, 3, 2), Contract: "HT"}, chAt(4*time.Hour, "")))
	d := o.Deal()
	require.Equal(t, opportunity.Won, d.Status)
	require.Equal(t, date(2026, 3, 2), d.CloseDate, "the contract date, not the expected close date")
	require.Equal(t, 1.0, d.Probability)
	require.Equal(t, opportunity.CategoryClosed, d.Category)
	require.Equal(t, "500000.00 CNY", d.Amount.String())
	require.Empty(t, d.LostReason)
}

// TestEmpiricalManyStageCodes uses more than 64 stage codes, beyond the
// bit mask of the fast path.
func TestEmpiricalManyStageCodes(t *testing.T) {
	t.Parallel()
	var changes []opportunity.StageChange
	for i := range 100 {
		id := crm.ID{14: byte(i), 15: 1}
		code := fmt.Sprint("s", i)
		to := opportunity.StageLost
		if i%2 == 0 {
			to = opportunity.StageWon
		}
		changes = append(changes,
			opportunity.StageChange{Opportunity: id, Seq: 1, Team: "t", From: "", To: code},
			opportunity.StageChange{Opportunity: id, Seq: 2, Team: "t", From: code, To: "common"},
			opportunity.StageChange{Opportunity: id, Seq: 3, Team: "t", From: "common", To: code},
			opportunity.StageChange{Opportunity: id, Seq: 4, Team: "t", From: code, To: to})
	}
	got := opportunity.EmpiricalStageProbabilities(slices.Values(changes))
	require.Len(t, got, 101)
	for _, r := range got {
		if r.Stage == "common" {
			require.Equal(t, opportunity.StageProbability{Team: "t", Stage: "common", Entered: 100, Won: 50, Probability: 0.5}, r)
			continue
		}
		require.Equal(t, 1, r.Entered, r.Stage)
		var n int
		_, err := fmt.Sscanf(r.Stage, "s%d", &n)
		require.NoError(t, err)
		require.Equal(t, (n+1)%2, r.Won, r.Stage)
	}
}
