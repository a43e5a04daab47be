package scoring

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

var ckCNY = crm.MustCurrency("CNY")

func ckDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ckScorecard(tb testing.TB, opts ManagerScorecardOptions) *ManagerScorecard {
	tb.Helper()
	if opts.Currency.IsZero() {
		opts.Currency = ckCNY
	}
	if opts.WorkingDays == 0 {
		opts.WorkingDays = 2
	}
	s, err := NewManagerScorecard(opts)
	require.NoError(tb, err)
	return s
}

// ckFeedTwoManagers feeds the hand-worked book of alice and bob.
func ckFeedTwoManagers(tb testing.TB, s *ManagerScorecard) {
	tb.Helper()
	d1 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	d2 := d1.AddDate(0, 0, 1)
	for _, m := range []BookMember{
		{Manager: "alice", Value: ckDec("100"), Cadence: CadenceKept},
		{Manager: "alice", Value: ckDec("200"), Cadence: CadenceKept},
		{Manager: "alice", Value: ckDec("300"), Key: true, Cadence: CadenceOverdue},
		{Manager: "alice", Value: ckDec("999"), Key: true, Churned: true, Cadence: CadenceOverdue},
		{Manager: "bob", Value: ckDec("50")},
	} {
		require.NoError(tb, s.AddMember(m))
	}
	for _, v := range []VisitDay{
		{Manager: "alice", Day: d1, PlannedNew: 8, PlannedReturn: 3, DoneNew: 7, DoneReturn: 3},
		// Day 2 arrives in two parts that add up: 5 new + 2 return done.
		{Manager: "alice", Day: d2, PlannedNew: 4, PlannedReturn: 2, DoneNew: 3, DoneReturn: 1},
		{Manager: "alice", Day: d2.Add(5 * time.Hour), PlannedNew: 3, PlannedReturn: 1, DoneNew: 2, DoneReturn: 1},
		{Manager: "bob", Day: d1, PlannedNew: 10, PlannedReturn: 3, DoneNew: 10, DoneReturn: 3},
	} {
		require.NoError(tb, s.AddVisits(v))
	}
	for _, d := range []Deal{
		{Manager: "alice", Outcome: DealOpen, Amount: ckDec("1000"), Probability: 0.3},
		{Manager: "alice", Outcome: DealOpen, Amount: ckDec("500"), Probability: 0.5},
		{Manager: "alice", Outcome: DealWon, Amount: ckDec("800")},
		{Manager: "alice", Outcome: DealLost, Amount: ckDec("700")},
		{Manager: "bob", Outcome: DealWon, Amount: ckDec("2000")},
	} {
		require.NoError(tb, s.AddDeal(d))
	}
	for _, c := range []ComplaintFact{{Manager: "alice", CSAT: 5}, {Manager: "alice", CSAT: 3}, {Manager: "alice"}} {
		require.NoError(tb, s.AddComplaint(c))
	}
}

func TestManagerScorecardHandWorked(t *testing.T) {
	t.Parallel()
	s := ckScorecard(t, ManagerScorecardOptions{})
	ckFeedTwoManagers(t, s)
	cards, err := s.Cards()
	require.NoError(t, err)
	require.Len(t, cards, 2)

	// Ranking by the default weights, mid-rank over two managers (0 or 1,
	// 0.5 on a tie or a missing figure that takes the mean):
	//   won_revenue 20 pts: bob 2000 > alice 800       → bob 20
	//   pipeline 10: alice 550 > bob 0                 → alice 10
	//   book_value 10: alice 600 > bob 50              → alice 10
	//   csat 12: alice 4, bob none (mean 4) → tie      → 6 each
	//   churn_rate 12 (lower): alice 1/4 > bob 0       → bob 12
	//   complaints 6 (lower): alice 3 > bob 0          → bob 6
	//   visit_attainment 15: alice 17/20 > bob 13/20   → alice 15
	//   cadence_kept 15: alice 2/3, bob none → tie     → 7.5 each
	// alice 48.5, bob 51.5.
	bob, alice := cards[0], cards[1]
	require.Equal(t, crm.UserID("bob"), bob.Manager)
	require.Equal(t, 1, bob.Rank)
	require.Equal(t, 2, alice.Rank)
	ckClose(t, 51.5, bob.Score.Total, 1e-9)
	ckClose(t, 48.5, alice.Score.Total, 1e-9)

	require.Equal(t, 3, alice.BookSize)
	require.Equal(t, 1, alice.Churned)
	ckClose(t, 0.25, alice.ChurnRate, 1e-12)
	require.Equal(t, "600", alice.BookValue.Amount().String())
	require.Equal(t, ckCNY, alice.BookValue.Currency())
	require.Equal(t, 1, alice.KeyAccounts)
	require.Equal(t, [4]int{15, 6, 12, 5}, [4]int{alice.PlannedNew, alice.PlannedReturn, alice.DoneNew, alice.DoneReturn})
	require.Equal(t, 14, alice.TargetNew)
	require.Equal(t, 6, alice.TargetReturn)
	ckClose(t, 0.85, alice.Attainment, 1e-12)
	ckClose(t, 12.0/14, alice.AttainmentNew, 1e-12)
	ckClose(t, 5.0/6, alice.AttainmentReturn, 1e-12)
	require.Equal(t, 1, alice.DaysMet)
	require.Equal(t, 2, alice.CadenceKept)
	require.Equal(t, 1, alice.CadenceOverdue)
	require.True(t, alice.CadenceRated)
	ckClose(t, 2.0/3, alice.CadenceKeptRate, 1e-12)
	require.Equal(t, "550", alice.Pipeline.Amount().String())
	require.Equal(t, "800", alice.Won.Amount().String())
	require.Equal(t, [3]int{2, 1, 1}, [3]int{alice.OpenDeals, alice.WonDeals, alice.LostDeals})
	ckClose(t, 0.5, alice.WinRate, 1e-12)
	require.Equal(t, 3, alice.Complaints)
	require.Equal(t, CSATResult{Satisfied: 0.5, Mean: 4, Responses: 2}, alice.CSAT)

	require.Equal(t, 1, bob.BookSize)
	require.Zero(t, bob.ChurnRate)
	require.False(t, bob.CadenceRated)
	require.Equal(t, 1, bob.DaysMet)
	ckClose(t, 0.65, bob.Attainment, 1e-12)
	require.True(t, bob.Pipeline.IsZero())
	require.Equal(t, ckCNY, bob.Pipeline.Currency())
	require.Zero(t, bob.CSAT.Responses)
}

func TestManagerScorecardCustomRanking(t *testing.T) {
	t.Parallel()
	// Ranking by visits alone puts alice (17/20) above bob (13/20).
	visits, err := NewWeightedModel(DimensionWeights{Management: 1}, []Indicator{
		{Name: "visit_attainment", Dimension: Management, Weight: 1, Normalization: NormalizeFixed, Min: 0, Max: 1},
	})
	require.NoError(t, err)
	s := ckScorecard(t, ManagerScorecardOptions{Ranking: visits})
	ckFeedTwoManagers(t, s)
	cards, err := s.Cards()
	require.NoError(t, err)
	require.Equal(t, crm.UserID("alice"), cards[0].Manager)
	ckClose(t, 85, cards[0].Score.Total, 1e-9)
	ckClose(t, 65, cards[1].Score.Total, 1e-9)
}

func TestManagerScorecardTiesByManager(t *testing.T) {
	t.Parallel()
	s := ckScorecard(t, ManagerScorecardOptions{})
	for _, m := range []crm.UserID{"zoe", "amy", "kim"} {
		require.NoError(t, s.AddMember(BookMember{Manager: m, Value: ckDec("10")}))
	}
	cards, err := s.Cards()
	require.NoError(t, err)
	require.Equal(t, []crm.UserID{"amy", "kim", "zoe"}, []crm.UserID{cards[0].Manager, cards[1].Manager, cards[2].Manager})
	for i, c := range cards {
		require.Equal(t, i+1, c.Rank)
		ckClose(t, 50, c.Score.Total, 1e-9)
	}
}

func TestManagerScorecardOptionsRefused(t *testing.T) {
	t.Parallel()
	bad, err := NewWeightedModel(DimensionWeights{Financial: 1}, []Indicator{
		{Name: "profit", Dimension: Financial, Weight: 1, Normalization: NormalizeRank},
	})
	require.NoError(t, err)
	tests := []struct {
		name string
		opts ManagerScorecardOptions
		path string
	}{
		{"no currency", ManagerScorecardOptions{WorkingDays: 5}, "currency"},
		{"no working days", ManagerScorecardOptions{Currency: ckCNY}, "working_days"},
		{"negative working days", ManagerScorecardOptions{Currency: ckCNY, WorkingDays: -1}, "working_days"},
		{"negative target", ManagerScorecardOptions{Currency: ckCNY, WorkingDays: 5, VisitTarget: VisitTarget{New: -1, Return: 3}}, "visit_target.new"},
		{"unknown metric", ManagerScorecardOptions{Currency: ckCNY, WorkingDays: 5, Ranking: bad}, "ranking.indicators[0].name"},
		{"scale with 0", ManagerScorecardOptions{Currency: ckCNY, WorkingDays: 5, CSATScale: &CSATScale{Min: 0, Max: 10, SatisfiedFrom: 9}}, "csat_scale"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewManagerScorecard(tc.opts)
			require.Nil(t, s)
			ckInvalid(t, err, tc.path)
		})
	}
}

func TestManagerScorecardFactsRefused(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		add  func(*ManagerScorecard) error
		path string
	}{
		{"negative value", func(s *ManagerScorecard) error {
			return s.AddMember(BookMember{Manager: "m", Value: ckDec("-1")})
		}, "value"},
		{"unknown cadence", func(s *ManagerScorecard) error {
			return s.AddMember(BookMember{Manager: "m", Cadence: 9})
		}, "cadence"},
		{"empty manager", func(s *ManagerScorecard) error { return s.AddMember(BookMember{}) }, ""},
		{"done above planned", func(s *ManagerScorecard) error {
			return s.AddVisits(VisitDay{Manager: "m", Day: day, PlannedNew: 1, DoneNew: 2})
		}, "done_new"},
		{"negative visits", func(s *ManagerScorecard) error {
			return s.AddVisits(VisitDay{Manager: "m", Day: day, PlannedReturn: -1})
		}, "planned_return"},
		{"huge visits", func(s *ManagerScorecard) error {
			return s.AddVisits(VisitDay{Manager: "m", Day: day, PlannedReturn: 1 << 40})
		}, "planned_return"},
		{"zero day", func(s *ManagerScorecard) error { return s.AddVisits(VisitDay{Manager: "m"}) }, "day"},
		{"unknown outcome", func(s *ManagerScorecard) error { return s.AddDeal(Deal{Manager: "m"}) }, "outcome"},
		{"probability above 1", func(s *ManagerScorecard) error {
			return s.AddDeal(Deal{Manager: "m", Outcome: DealOpen, Probability: 1.5})
		}, "probability"},
		{"NaN probability", func(s *ManagerScorecard) error {
			return s.AddDeal(Deal{Manager: "m", Outcome: DealOpen, Probability: nan()})
		}, "probability"},
		{"negative amount", func(s *ManagerScorecard) error {
			return s.AddDeal(Deal{Manager: "m", Outcome: DealWon, Amount: ckDec("-5")})
		}, "amount"},
		{"CSAT off scale", func(s *ManagerScorecard) error {
			return s.AddComplaint(ComplaintFact{Manager: "m", CSAT: 6})
		}, "csat"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := ckScorecard(t, ManagerScorecardOptions{})
			ckInvalid(t, tc.add(s), tc.path)
			// A refused fact changes nothing: no manager was added.
			_, err := s.Cards()
			ckInvalid(t, err, "")
		})
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestRankDealersHandWorked(t *testing.T) {
	t.Parallel()
	a, b, c := crm.MustParseID("00000000-0000-7000-8000-00000000000a"), crm.MustParseID("00000000-0000-7000-8000-00000000000b"), crm.MustParseID("00000000-0000-7000-8000-00000000000c")
	// Mid-rank over three dealers gives 0, 0.5, 1. Default model points:
	// volume 50, loyalty 15, referral 15, suggestion 20.
	//   A: volume 1 → 50                                  = 50
	//   B: volume .5 → 25, loyalty 15, referral 15, sugg 20 = 75
	//   C: volume 0, loyalty 7.5, referral 7.5, sugg 10    = 25
	got, err := RankDealers([]DealerFigures{
		{Dealer: a, Name: "A", Volume: 100, Loyalty: 1},
		{Dealer: b, Name: "B", Volume: 80, Loyalty: 10, Referrals: 5, Suggestions: 3},
		{Dealer: c, Name: "C", Volume: 60, Loyalty: 5, Referrals: 2, Suggestions: 1},
	}, nil)
	require.NoError(t, err)
	type row struct {
		name                 string
		volumeRank, rank, ch int
		score                float64
	}
	var rows []row
	for _, d := range got {
		rows = append(rows, row{d.Name, d.VolumeRank, d.Rank, d.Change, d.Score.Total})
	}
	require.Equal(t, []row{{"B", 2, 1, 1, 75}, {"A", 1, 2, -1, 50}, {"C", 3, 3, 0, 25}}, rows)
}

func TestRankDealersVolumeOnlyKeepsOrder(t *testing.T) {
	t.Parallel()
	vol, err := NewWeightedModel(DimensionWeights{Financial: 1}, []Indicator{
		{Name: "volume", Dimension: Financial, Weight: 1, Normalization: NormalizeMinMax},
	})
	require.NoError(t, err)
	ids := []crm.ID{crm.MustParseID("00000000-0000-7000-8000-000000000003"), crm.MustParseID("00000000-0000-7000-8000-000000000001"), crm.MustParseID("00000000-0000-7000-8000-000000000002")}
	// Two dealers tie on volume: the ID breaks the tie in both rankings.
	got, err := RankDealers([]DealerFigures{
		{Dealer: ids[0], Volume: 10, Loyalty: 100},
		{Dealer: ids[1], Volume: 10},
		{Dealer: ids[2], Volume: 30},
	}, vol)
	require.NoError(t, err)
	require.Equal(t, []crm.ID{ids[2], ids[1], ids[0]}, []crm.ID{got[0].Dealer, got[1].Dealer, got[2].Dealer})
	for _, d := range got {
		require.Zero(t, d.Change)
	}
}

func TestRankDealersRefused(t *testing.T) {
	t.Parallel()
	id := crm.MustParseID("00000000-0000-7000-8000-000000000001")
	other, err := NewWeightedModel(DimensionWeights{Financial: 1}, []Indicator{
		{Name: "profit", Dimension: Financial, Weight: 1, Normalization: NormalizeRank},
	})
	require.NoError(t, err)
	tests := []struct {
		name    string
		dealers []DealerFigures
		model   *WeightedModel
		path    string
	}{
		{"none", nil, nil, "dealers"},
		{"zero ID", []DealerFigures{{Volume: 1}}, nil, "dealers[0].dealer"},
		{"repeated ID", []DealerFigures{{Dealer: id}, {Dealer: id}}, nil, "dealers[1].dealer"},
		{"negative volume", []DealerFigures{{Dealer: id, Volume: -1}}, nil, "dealers[0].volume"},
		{"NaN referrals", []DealerFigures{{Dealer: id, Referrals: nan()}}, nil, "dealers[0].referrals"},
		{"unknown indicator", []DealerFigures{{Dealer: id}}, other, "model.indicators[0].name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := RankDealers(tc.dealers, tc.model)
			ckInvalid(t, err, tc.path)
		})
	}
}

func TestManagerScorecardNoVisitDaysIsNoFigure(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	visits, err := NewWeightedModel(DimensionWeights{Management: 1}, []Indicator{
		{Name: "visit_attainment", Dimension: Management, Weight: 1, Normalization: NormalizeFixed, Min: 0, Max: 1},
	})
	require.NoError(t, err)
	tests := []struct {
		name    string
		ranking *WeightedModel
		// feed adds the facts; "none" has no visit day, "idle" a day with
		// nothing planned.
		feed  func(tb testing.TB, s *ManagerScorecard)
		score map[crm.UserID]float64
		rated map[crm.UserID]bool
		order []crm.UserID
	}{
		{
			name:    "visits alone: no day plans takes the mean of the others",
			ranking: visits,
			feed: func(tb testing.TB, s *ManagerScorecard) {
				require.NoError(tb, s.AddVisits(VisitDay{Manager: "half", Day: day, PlannedNew: 7, PlannedReturn: 3, DoneNew: 4, DoneReturn: 1}))
				require.NoError(tb, s.AddVisits(VisitDay{Manager: "full", Day: day, PlannedNew: 7, PlannedReturn: 3, DoneNew: 7, DoneReturn: 3}))
				require.NoError(tb, s.AddMember(BookMember{Manager: "none", Value: ckDec("10")}))
				require.NoError(tb, s.AddVisits(VisitDay{Manager: "idle", Day: day}))
			},
			// mean of the rated: (0.5 + 1 + 0) / 3 = 0.5.
			score: map[crm.UserID]float64{"full": 100, "half": 50, "none": 50, "idle": 0},
			rated: map[crm.UserID]bool{"full": true, "half": true, "none": false, "idle": true},
			order: []crm.UserID{"full", "half", "none", "idle"},
		},
		{
			name: "default ranking: an unplanned twin ties",
			feed: func(tb testing.TB, s *ManagerScorecard) {
				for _, m := range []crm.UserID{"ann", "bea"} {
					require.NoError(tb, s.AddMember(BookMember{Manager: m, Value: ckDec("100"), Cadence: CadenceKept}))
					require.NoError(tb, s.AddDeal(Deal{Manager: m, Outcome: DealWon, Amount: ckDec("500")}))
				}
				require.NoError(tb, s.AddVisits(VisitDay{Manager: "bea", Day: day, PlannedNew: 7, PlannedReturn: 3, DoneNew: 2, DoneReturn: 1}))
			},
			score: map[crm.UserID]float64{"ann": 50, "bea": 50},
			rated: map[crm.UserID]bool{"ann": false, "bea": true},
			order: []crm.UserID{"ann", "bea"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := ckScorecard(t, ManagerScorecardOptions{Ranking: tc.ranking, WorkingDays: 1})
			tc.feed(t, s)
			cards, err := s.Cards()
			require.NoError(t, err)
			var order []crm.UserID
			for _, c := range cards {
				order = append(order, c.Manager)
				ckClose(t, tc.score[c.Manager], c.Score.Total, 1e-9, "score of %s", c.Manager)
				require.Equal(t, tc.rated[c.Manager], c.VisitsRated, "VisitsRated of %s", c.Manager)
				if !c.VisitsRated {
					require.Zero(t, c.Attainment)
					require.Zero(t, c.DaysMet)
				}
			}
			require.Equal(t, tc.order, order)
		})
	}
}

func TestManagerScorecardMoneyRounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		currency              string
		value, amount, won    string
		prob                  float64
		book, pipeline, wonTo string
	}{
		{"whole amount keeps two places", "CNY", "75000", "100000.0", "0", 0.75, "75000.00 CNY", "75000.00 CNY", "0.00 CNY"},
		{"sub-cent pipeline", "CNY", "0.001", "99999.99", "10.005", 0.75, "0.00 CNY", "74999.99 CNY", "10.01 CNY"},
		{"half rounds away from zero", "EUR", "0.125", "1.25", "0.005", 0.5, "0.13 EUR", "0.63 EUR", "0.01 EUR"},
		{"no minor units", "JPY", "1234.5", "1001", "99.49", 0.5, "1235 JPY", "501 JPY", "99 JPY"},
		{"three minor units", "KWD", "1.0005", "1", "2", 0.3333, "1.001 KWD", "0.333 KWD", "2.000 KWD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := ckScorecard(t, ManagerScorecardOptions{Currency: crm.MustCurrency(tc.currency)})
			require.NoError(t, s.AddMember(BookMember{Manager: "m", Value: ckDec(tc.value)}))
			require.NoError(t, s.AddDeal(Deal{Manager: "m", Outcome: DealOpen, Amount: ckDec(tc.amount), Probability: tc.prob}))
			require.NoError(t, s.AddDeal(Deal{Manager: "m", Outcome: DealWon, Amount: ckDec(tc.won)}))
			cards, err := s.Cards()
			require.NoError(t, err)
			require.Equal(t, tc.book, cards[0].BookValue.String())
			require.Equal(t, tc.pipeline, cards[0].Pipeline.String())
			require.Equal(t, tc.wonTo, cards[0].Won.String())
		})
	}
	// The sum is rounded once, not each fact: three deals of 0.004 are
	// 0.012, shown as 0.01 (rounding each would give 0.00).
	s := ckScorecard(t, ManagerScorecardOptions{})
	for range 3 {
		require.NoError(t, s.AddDeal(Deal{Manager: "m", Outcome: DealWon, Amount: ckDec("0.004")}))
	}
	cards, err := s.Cards()
	require.NoError(t, err)
	require.Equal(t, "0.01 CNY", cards[0].Won.String())
}
