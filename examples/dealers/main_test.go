package main

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/scoring"
)

// The dealer example is documentation: it must keep running, keep telling
// the network's story and print the same report every time.
func TestDealers(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	for _, want := range []string{
		"Qingshan rural outlet   rural_outlet          [dealer]  manager ch-zhao  loyalty loyalty",
		"Bright Home online      online_shop           [dealer]  manager ch-qian  loyalty transaction",
		"season    Double 11                -4.0%  2026-11-01 to 2026-11-11 on every product",

		// 300 × 2800.00 × 0.94 (200+ units) × 0.98 (paid in 30 days) × 0.95
		// (summer): 2450.392 a unit, 735117.60 in all, 12.486% off, beyond
		// the 10% the sales team may give.
		"        volume       -6.0%  volume 200 or more\n" +
			"        payment_term -2.0%  payment in 0-30 days\n" +
			"        season       -5.0%  season 2026-04-01 to 2026-06-30\n" +
			"        net unit 2450.39 CNY, discount 12.5%, total 735117.60 CNY, needs approval true\n" +
			"        competitor Midea (active): lower shelf price\n" +
			"        order before approval refused: true (unapproved [ac-35])\n" +
			"        approved up to 12.5% by sales-director: match Midea for the summer season\n" +
			"        won 735117.60 CNY",
		// 120 × 2800.00 × 0.97 × 1.015 (paid late) × 0.95 = 314268.36.
		"net unit 2618.90 CNY, discount 6.5%, total 314268.36 CNY, needs approval false",
		// Double 11 applies to every product: 250 × 1800.00 × 0.94 × 0.96.
		"net unit 1624.32 CNY, discount 9.8%, total 406080.00 CNY, needs approval false",
		"2026-06-16 Qingshan Middle School (referred by Qingshan rural outlet)",
		"lost to Gree on price",
		"win/loss by competitor Midea     won  1 lost 1 win rate  50%",
		"win/loss by reason     price     won  0 lost 2 win rate   0%",
		// Paid in 90 days: 2800.00 × 1.015, no tier below 50 units.
		"net unit 2842.00 CNY, surcharge 1.5%, total 85260.00 CNY",

		// Four of the six complaints are on model KFR-35GW, three of the
		// rule's category is enough for a risk; the fridge and the washer
		// are alone on their models.
		"line:air_conditioner/model:KFR-35GW/serial:SN-3507-0420  not_heating        received",
		"RISK model-quality: 4 complaints on line:air_conditioner/model:KFR-35GW, owner quality-fang, open",
		"evidence: Huaibei Distribution SN-3507-1033",
		"risk is now mitigating: field engineers sent to every KFR-35GW of batch 3507",
		"grouped and resolved once for 4 dealers: Bright Home online SN-3507-0112, Jiangnan Distribution SN-3507-0420, " +
			"Qingshan rural outlet SN-3507-0871, Huaibei Distribution SN-3507-1033",
		"risk is now mitigated: supplier replaced the valve batch",
		"by model line:air_conditioner/model:KFR-35GW    4 complaint(s), 0 open, 4 resolved",
		"by line  line:washer                            1 complaint(s), 1 open, 0 resolved",

		"Qingshan rural outlet   2026-12-31 ch-zhao loyalty      -> advocacy     refers schools and clinics in its township",
		"loyalty    market     weight 0.50 in its dimension, normalised fixed from 1 to 6",
		"loyalty rungs: 1 awareness, 2 trust, 3 transaction, 4 satisfaction, 5 loyalty, 6 advocacy",

		// 735117.60 + 406080.00; 526400.00 + 342216.00; ...
		"1. Bright Home online      online_shop            2 order(s)  1141197.60 CNY  class A",
		"2. Jiangnan Distribution   regional_distributor   2 order(s)   868616.00 CNY",
		"5. Qingshan rural outlet   rural_outlet           2 order(s)   207446.40 CNY",
		"6. Riverside rural outlet  rural_outlet           1 order(s)    85260.00 CNY  class C",
		// 1141197.60 + 868616.00 + 547068.36 of 3183817.32: the third
		// starts below 80% (63.1%), so it is still class A.
		"class A: 3 dealers bring 80.3% of the volume",
		// 202287.68 (the school) + 47040.00 (the clinic); 60000 + 15000.
		"Qingshan rural outlet   referred 2 project(s), 2 won, worth 249327.68 CNY; suggestions 2, 2 adopted, worth 75000.00 CNY a year",
		"Golden Eagle counter    referred 1 project(s), 0 won, worth 0.00 CNY; suggestions 1, 1 adopted, worth 40000.00 CNY a year",

		// Qingshan: 40 × (207446.40 − 85260.00) / (1141197.60 − 85260.00)
		// = 4.63 for volume; 17.5 × (6 − 1)/5 for advocacy; 17.5 and 25 as
		// the best referrer and suggester: 64.63.
		"1. Qingshan rural outlet    64.63    4.63   17.50    17.50      25.00",
		// Bright Home: 40 for the top volume, 17.5 × (3 − 1)/5 = 7.
		"2. Bright Home online       47.00   40.00    7.00     0.00       0.00",
		// Huaibei: 40 × 461808.36/1055937.60 = 17.49; 10.5 for
		// satisfaction; 17.5 × 16934.40/249327.68 = 1.19.
		"6. Huaibei Distribution     29.18   17.49   10.50     1.19       0.00",

		// Fifth by volume, first by value: 3% of 207446.40 and 2% of
		// 249327.68.
		"reward dealer of the year rank 1 or better by value    rebate 3.0% of the year's volume",
		"reward silver             score 30 or more             rebate 1.0% of the year's volume",
		"reward development plan   otherwise                    rebate 0.0% of the year's volume",
		"Qingshan rural outlet   rural_outlet            207446.40 CNY      5 advocacy      64.63        1     +4  dealer of the year: rebate 6223.39 CNY, referral bonus 4986.55 CNY",
		"Bright Home online      online_shop            1141197.60 CNY      1 transaction   47.00        2     -1  gold: rebate 22823.95 CNY",
		"Golden Eagle counter    department_store        334230.96 CNY      4 satisfaction  33.26        4      =  silver",
		"Huaibei Distribution    regional_distributor    547068.36 CNY      3 satisfaction  29.18        6     -3  development plan: rebate 0.00 CNY, referral bonus 338.69 CNY",
		"rewards paid: 49448.85 CNY",
	} {
		require.Contains(t, s, want)
	}
	var again bytes.Buffer
	require.NoError(t, run(context.Background(), &again))
	require.Equal(t, s, again.String(), "the run is reproducible")
}

func TestDealersStopsOnACancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	require.ErrorIs(t, run(ctx, &out), context.Canceled)
}

// failingWriter takes n bytes, then refuses.
type failingWriter struct{ n int }

var errFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestDealersStopsWhenTheReportCannotBeWritten(t *testing.T) {
	for _, n := range []int{0, 1000, 8000, 12000} {
		require.ErrorIs(t, run(context.Background(), &failingWriter{n: n}), errFull, "after %d bytes", n)
	}
}

func TestReferralsByDealer(t *testing.T) {
	t.Parallel()
	ids := crm.NewSequentialIDs(crm.NewManualClock(at(1, 5, 9)))
	newID := func() crm.ID {
		id, err := ids.NewID()
		require.NoError(t, err)
		return id
	}
	pl := pipeline()
	dealerA, dealerB := newID(), newID()
	open := func(src opportunity.Source, qty string, won bool) *opportunity.Opportunity {
		o, err := opportunity.New(opportunity.NewInput{ID: newID(), Tenant: tenant, Customer: newID(), Owner: "ch-zhao",
			Name: "deal", Source: src, Currency: cny}, pl, opportunity.Change{Actor: "ch-zhao", At: at(3, 1, 9)})
		require.NoError(t, err)
		l, err := opportunity.NewLine(opportunity.LineInput{Code: "ac-35", Quantity: dec(qty), UnitPrice: money("100.00 CNY")})
		require.NoError(t, err)
		require.NoError(t, o.SetLines([]opportunity.Line{l}, opportunity.Change{Actor: "ch-zhao", At: at(3, 1, 10)}))
		require.NoError(t, o.MoveStage(pl, "order", opportunity.Change{Actor: "ch-zhao", At: at(3, 1, 11)}))
		if won {
			require.NoError(t, o.CloseWon(pl, opportunity.WonDetails{ContractDate: day(3, 2), Contract: "c"}, opportunity.Change{Actor: "ch-zhao", At: at(3, 2, 9)}))
		}
		return o
	}
	byA := opportunity.Source{Kind: opportunity.FromDealerReferral, Referrer: dealerA}
	for _, tc := range []struct {
		name string
		opps []*opportunity.Opportunity
		want map[crm.ID]referrals
	}{
		{"none", nil, map[crm.ID]referrals{}},
		{"not referred", []*opportunity.Opportunity{open(opportunity.Source{Kind: opportunity.FromExistingCustomer}, "3", true)}, map[crm.ID]referrals{}},
		{"won and open", []*opportunity.Opportunity{open(byA, "3", true), open(byA, "5", false), open(byA, "2", true)},
			map[crm.ID]referrals{dealerA: {made: 3, won: 2, value: money("500.00 CNY")}}},
		{"two dealers", []*opportunity.Opportunity{open(byA, "1", true), open(opportunity.Source{Kind: opportunity.FromDealerReferral, Referrer: dealerB}, "4", false)},
			map[crm.ID]referrals{dealerA: {made: 1, won: 1, value: money("100.00 CNY")}, dealerB: {made: 1, value: crm.Zero(cny)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := referralsByDealer(tc.opps)
			require.NoError(t, err)
			require.Len(t, got, len(tc.want))
			for id, w := range tc.want {
				require.Equal(t, w.made, got[id].made)
				require.Equal(t, w.won, got[id].won)
				require.True(t, w.value.Equal(got[id].value), "value %s, want %s", got[id].value, w.value)
			}
		})
	}
}

func TestSuggestionsByDealer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		sugs    []suggestion
		want    map[string]suggestionTotals
		wantErr bool
	}{
		{"none", nil, map[string]suggestionTotals{}, false},
		{"adopted ones count their value", []suggestion{{"a", "x", true, "10.00"}, {"a", "y", false, "99.00"}, {"b", "z", true, "5.50"}},
			map[string]suggestionTotals{"a": {made: 2, adopted: 1, value: money("10.00 CNY")}, "b": {made: 1, adopted: 1, value: money("5.50 CNY")}}, false},
		{"a bad value is an error", []suggestion{{"a", "x", true, "ten"}}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := suggestionsByDealer(tc.sugs)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Len(t, got, len(tc.want))
			for k, w := range tc.want {
				require.Equal(t, w.made, got[k].made, k)
				require.Equal(t, w.adopted, got[k].adopted, k)
				require.True(t, w.value.Equal(got[k].value), "%s: value %s, want %s", k, got[k].value, w.value)
			}
		})
	}
}

func TestScorecard(t *testing.T) {
	t.Parallel()
	mk := func(name, volume string, score float64, referred string) *standing {
		return &standing{dealer: dealer{name: name}, volume: money(volume), loyalty: customer.Trust,
			referrals: referrals{value: money(referred)}, score: scoring.WeightedScore{Total: score}}
	}
	for _, tc := range []struct {
		name       string
		st         []*standing
		volumeRank []int
		rank       []int
		rewards    []string
		rebates    []string
		bonuses    []string
	}{
		{"value beats volume",
			[]*standing{mk("a", "1000.00 CNY", 20, "0.00 CNY"), mk("b", "100.00 CNY", 45, "50.00 CNY"), mk("c", "500.00 CNY", 35, "0.00 CNY")},
			[]int{1, 3, 2}, []int{3, 1, 2}, []string{"development plan", "dealer of the year", "silver"},
			[]string{"0.00 CNY", "3.00 CNY", "5.00 CNY"}, []string{"0.00 CNY", "1.00 CNY", "0.00 CNY"}},
		{"ties go by name",
			[]*standing{mk("z", "100.00 CNY", 41, "0.00 CNY"), mk("y", "100.00 CNY", 41, "0.00 CNY")},
			[]int{2, 1}, []int{2, 1}, []string{"gold", "dealer of the year"},
			[]string{"2.00 CNY", "3.00 CNY"}, []string{"0.00 CNY", "0.00 CNY"}},
		{"rebates round half up",
			[]*standing{mk("a", "0.50 CNY", 90, "0.25 CNY")},
			[]int{1}, []int{1}, []string{"dealer of the year"}, []string{"0.02 CNY"}, []string{"0.01 CNY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, scorecard(tc.st))
			for i, s := range tc.st {
				require.Equal(t, tc.volumeRank[i], s.volumeRank, s.dealer.name)
				require.Equal(t, tc.rank[i], s.weightedRank, s.dealer.name)
				require.Equal(t, tc.rewards[i], s.reward.name, s.dealer.name)
				require.Equal(t, tc.rebates[i], s.rebate.String(), s.dealer.name)
				require.Equal(t, tc.bonuses[i], s.bonus.String(), s.dealer.name)
			}
		})
	}
}

func TestScorecardRefusesMixedCurrencies(t *testing.T) {
	t.Parallel()
	st := []*standing{
		{dealer: dealer{name: "a"}, volume: money("1.00 CNY"), referrals: referrals{value: money("0.00 CNY")}},
		{dealer: dealer{name: "b"}, volume: money("1.00 USD"), referrals: referrals{value: money("0.00 CNY")}},
	}
	require.ErrorIs(t, scorecard(st), crm.ErrCurrencyMismatch)
}
