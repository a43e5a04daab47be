package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

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
		"Bright Home online      online_shop           [dealer]  manager ch-qian  loyalty transaction  partner preferred",
		"key account Bright Home online, plan \"2026 online growth\" 2026-01-01 to 2026-12-31, active\n" +
			"      team: ch-qian (account_manager, lead), eng-he (engineer), fin-ma (finance)\n" +
			"      goal restock revenue  revenue  1200000.00 CNY by 2026-12-31\n" +
			"      goal restock orders   count    3 by 2026-12-31\n",
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
			"        won 735117.60 CNY\n" +
			"        recorded against the plan \"2026 online growth\"",
		// 120 × 2800.00 × 0.97 × 1.015 (paid late) × 0.95 = 314268.36.
		"net unit 2618.90 CNY, discount 6.5%, total 314268.36 CNY, needs approval false",
		// Double 11 applies to every product: 250 × 1800.00 × 0.94 × 0.96.
		"net unit 1624.32 CNY, discount 9.8%, total 406080.00 CNY, needs approval false",
		"2026-06-16 Qingshan Middle School (referred by Qingshan rural outlet)",
		// The referral record converts with the project's won amount, or
		// is lost with it.
		"        won 202287.68 CNY\n        Qingshan rural outlet's referral is converted, worth 202287.68 CNY",
		"lost to Gree on price\n        Golden Eagle counter's referral is lost",
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

		// Suggestions are records: made on their day, reviewed and decided
		// by the committee.
		"2026-04-08 Qingshan rural outlet   product    bundle a rural installation kit with ac-35  adopted by product-wu, worth 60000.00 CNY a year",
		"2026-07-01 Bright Home online      marketing  bundle washer and dryer on Double 11        declined: no dryer in the 2026 range",

		"Qingshan rural outlet   2026-12-31 ch-zhao loyalty   loyalty      -> advocacy     refers schools and clinics in its township",
		"Jiangnan Distribution   2026-12-31 ch-zhao lifecycle active       -> at_risk      pushed a rival brand in the autumn",
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
		// From the referral and suggestion records of 2026: 202287.68 (the
		// school) + 47040.00 (the clinic); 60000 + 15000. Golden Eagle's
		// referral was lost with the hotel; Bright Home's suggestion was
		// declined.
		"Qingshan rural outlet   referred 2 customer(s), 2 converted, worth 249327.68 CNY; suggestions 2, 2 adopted, worth 75000.00 CNY a year",
		"Golden Eagle counter    referred 1 customer(s), 0 converted, worth 0.00 CNY; suggestions 1, 1 adopted, worth 40000.00 CNY a year",
		"Bright Home online      referred 0 customer(s), 0 converted, worth 0.00 CNY; suggestions 1, 0 adopted, worth 0.00 CNY a year",

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

		// Tiers for 2027 by the volume of 2026: Bright Home's 1141197.60
		// passes 1000000 and moves up; Jiangnan's 868616.00 falls short and
		// moves down; both memberships, joined on 5 January for 12 months,
		// run to 5 January 2028 once renewed.
		"Bright Home online       1141197.60 CNY  up to strategic from preferred    renewed to 2028-01-05\n" +
			"   Jiangnan Distribution     868616.00 CNY  down to preferred from strategic  renewed to 2028-01-05\n" +
			"   Huaibei Distribution      547068.36 CNY  stays preferred                   renewed to 2028-01-05\n",
		"Riverside rural outlet     85260.00 CNY  stays registered                  renewed to 2028-01-05",

		// The plan counts Bright Home's two restock orders, 735117.60 +
		// 406080.00 = 1141197.60 of 1200000.00 (95.1%); 2 of 3 orders.
		"Bright Home online, plan \"2026 online growth\" (closed)\n" +
			"   restock revenue  1141197.60 CNY of 1200000.00 CNY (95.1%) from 2 entries: not met\n" +
			"   restock orders   2 of 3 (66.7%) from 2 entries: not met\n",

		// Last contacts are the orders and referrals the managers took and
		// the suggestions the dealers phoned in. Bright Home: Thursday
		// 5 November + 30 business days is Thursday 17 December; 18, 21-25
		// and 28-31 December are 10 days over. Qingshan: from Wednesday
		// 2 September, the National Day week (1-7 October) does not count:
		// due 21 October, 51 business days over by 31 December. Huaibei
		// (20 November) and Golden Eagle (1 December) are within the
		// rhythm.
		"ch-qian  Bright Home online      last contact 2026-11-05, due by 2026-12-17, 10 business day(s) overdue",
		"ch-sun   Riverside rural outlet  last contact 2026-10-12, due by 2026-11-23, 28 business day(s) overdue",
		"ch-zhao  Qingshan rural outlet   last contact 2026-09-02, due by 2026-10-21, 51 business day(s) overdue\n" +
			"   ch-zhao  Jiangnan Distribution   last contact 2026-09-15, due by 2026-11-03, 42 business day(s) overdue\n",

		// Jiangnan entered at_risk on Thursday 31 December: New Year's Day
		// is a holiday, so the first business day after is Monday
		// 4 January and the tenth Friday 15 January. Only Jiangnan moved.
		"15. Care due in January 2027 after the year-end moves (business days)\n" +
			"   2027-01-04 ch-zhao  Jiangnan Distribution   win_back_visit face_to_face 1 business day after entering at_risk (from active) (pushed a rival brand in the autumn)\n" +
			"   2027-01-15 ch-zhao  Jiangnan Distribution   director_call  phone        10 business days after entering at_risk (from active) (pushed a rival brand in the autumn)\n",
	} {
		require.Contains(t, s, want)
	}
	require.True(t, strings.HasSuffix(s, "(pushed a rival brand in the autumn)\n"), "the care list ends the report")
	for _, within := range []string{"Huaibei Distribution    last contact", "Golden Eagle counter    last contact"} {
		require.NotContains(t, s, within)
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

// cancellingWriter cancels the run's context once the report reaches a
// heading, as a host shutting down mid-run would.
type cancellingWriter struct {
	bytes.Buffer
	at     string
	cancel context.CancelFunc
}

func (w *cancellingWriter) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if strings.Contains(w.String(), w.at) {
		w.cancel()
	}
	return n, err
}

func TestDealersStopsWhenCancelledMidRun(t *testing.T) {
	for _, heading := range []string{"1. The dealer network", "3. Restock orders", "5. Product complaints", "6. Dealer suggestions",
		"7. Year-end loyalty review", "12. Partner programme", "13. The key account plan", "14. Calls owed", "15. Care due"} {
		t.Run(heading, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := &cancellingWriter{at: heading, cancel: cancel}
			require.ErrorIs(t, run(ctx, w), context.Canceled)
			require.NotContains(t, w.String(), "\n15. Care due in January 2027 after the year-end moves (business days)\n   ", "nothing after the cancel")
		})
	}
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
	for _, n := range []int{0, 1000, 8000, 12000, 14000, 16000, 17000, 17500} {
		require.ErrorIs(t, run(context.Background(), &failingWriter{n: n}), errFull, "after %d bytes", n)
	}
}

// The reward rules are the host's policy, applied to the library's
// ranking: first rung met wins, amounts rounded half up to the cent.
func TestDecide(t *testing.T) {
	t.Parallel()
	rank := func(place int, score float64) scoring.DealerRank {
		return scoring.DealerRank{Rank: place, Score: scoring.WeightedScore{Total: score}}
	}
	for _, tc := range []struct {
		name             string
		rank             scoring.DealerRank
		volume, referred string
		reward           string
		rebate, bonus    string
	}{
		{"first place wins whatever its score", rank(1, 12), "1000.00 CNY", "50.00 CNY", "dealer of the year", "30.00 CNY", "1.00 CNY"},
		{"a high score below first place is gold", rank(2, 40), "1000.00 CNY", "0.00 CNY", "gold", "20.00 CNY", "0.00 CNY"},
		{"just under gold is silver", rank(3, 39.99), "1000.00 CNY", "0.00 CNY", "silver", "10.00 CNY", "0.00 CNY"},
		{"otherwise a development plan", rank(6, 29.99), "1000.00 CNY", "100.00 CNY", "development plan", "0.00 CNY", "2.00 CNY"},
		{"rounds half up", rank(1, 90), "0.50 CNY", "0.25 CNY", "dealer of the year", "0.02 CNY", "0.01 CNY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rw, rebate, bonus := decide(tc.rank, money(tc.volume), money(tc.referred))
			require.Equal(t, tc.reward, rw.name)
			require.Equal(t, tc.rebate, rebate.String())
			require.Equal(t, tc.bonus, bonus.String())
		})
	}
}
