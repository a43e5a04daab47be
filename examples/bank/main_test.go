package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The bank example is documentation: it must keep running, keep telling
// the branch's quarter and print the same report every time.
func TestBank(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	for _, want := range []string{
		// Books: Zhao holds 2500 + 300 + 100 + 60.
		"mgr.zhao           4       2960  Huaxin Textiles 2500, Qian Yu 300, Li Ming 100, Xu Bo 60",
		// The branch's contributions total 10000; the top three bring
		// 4000 + 2500 + 1700 = 8200, and the first two only 6500, so class
		// A (the smallest top group reaching 80%) is three customers of 15.
		"class A: 3 customers (20% of 15) bring 82.0% of the contribution; the top 20% bring 82.0%",
		// B runs on to 95%: 400 + 300 + 250 + 200 + 160 = 1310.
		"class B: 5 customers, 13.1%; class C: 7 customers, 4.9%",
		"-> handed to mgr.lin: key customer needs a senior manager (对等配置)",
		// Smooth weighted round-robin over zhao 2, he 2, chen 1, lin 1:
		// credited 2,2,1,1 -> zhao (pays 6); then -2,4,2,2 -> he; then
		// 0,0,3,3 -> chen (first of the tie); then 2,2,-2,4 -> lin.
		"Wu Xiaoling         savings                       -> mgr.zhao  rule branch",
		"Peng Hui            mortgage                      -> mgr.he    rule branch",
		"Tang Wei            credit card                   -> mgr.chen  rule branch",
		// The company of 800 employees falls to the corporate rule, lin first.
		"Yangtze Auto Parts  cash management  key prospect -> mgr.lin   rule corporate referred by Jianghe Port Logistics",
		// Key prospect: only seniority 3 is eligible; chen -2+1 and lin
		// -2+1 tie at -1, chen first in turn order.
		"Deng Yong           private banking  key prospect -> mgr.chen  rule branch    referred by Gao Feng",
		"mgr.zhao  excluded: seniority   weight 2 credit   2",
		"mgr.wu    excluded: inactive    weight 1 credit   0",
		// Six walk-ins shared 2:2:1:1, as the weights say.
		"walk-in leads by manager: mgr.chen 1 (weight 1), mgr.lin 1 (weight 1), mgr.zhao 2 (weight 2), mgr.he 2 (weight 2)",
		// May: 300000 × 0.5 + 60000 × 0.8; June: 200000 × 0.2 +
		// 150000 × 0.5 + 40000 × 0.2 + 20000 × 0.2.
		"2026-05  2 deal(s)  360000.00 CNY weighted  198000.00 CNY",
		"2026-06  4 deal(s)  410000.00 CNY weighted  127000.00 CNY",
		// Mean 64000 + 198000 + 127000; the quantiles and the chance of
		// 500000 or more checked by enumerating the 128 outcomes.
		"mean 389000.00 CNY, P10 140000.00 CNY, P50 380000.00 CNY, P90 630000.00 CNY",
		"chance of reaching the branch quota of 500000.00 CNY: 30.9%",
		"morning  mgr.zhao  plan 7 new + 3 return: meets the target",
		// He starts at 09:00 for an hour and again at 09:30.
		"morning  mgr.he    plan 4 new + 3 return: 3 new, 0 return short; overlapping: Lu Yao / Meng Qi",
		// Kong Liang postponed: the day falls one new visit short.
		"evening  mgr.zhao  done 6 new + 3 return, 1 cancelled: target achieved false",
		"prospects met for the first time, now in the established stage: mgr.zhao 6, mgr.he 4",
		"Tue 04-14 mgr.chen  Jianghe Port Logistics 20th anniversary of account opened",
		// Born 1988-04-15; reminded two days before.
		"Wed 04-15 mgr.zhao  Qian Yu                38th birthday                      remind 04-13",
		// Bought 2026-03-17, 30 days on.
		"Thu 04-16 mgr.chen  Hu Jun                 30 days after product",
		// First visits on Monday 13 April moved ten prospects to the
		// established stage: the welcome call falls on the 2nd business
		// day after, Wednesday 15 April (Kong Liang postponed: no visit,
		// no move, no call).
		"Wed 04-15 mgr.zhao  Bai Lu, Cao Yang, Du Juan, Fan Wei, Guo Jing, Han Mei",
		"Wed 04-15 mgr.he    Lu Yao, Meng Qi, Ning Xin, Pan Yue",
		// Every key customer's plan is led by its manager on 10 April:
		// Huaxin by Lin since the ABC step, Gao Feng still by Wu.
		"key account plan Jianghe Port Logistics lead mgr.chen  team of 3, cross-sell income 400000.00 CNY by 06-30",
		"key account plan Gao Feng               lead mgr.wu    team of 2, cross-sell income 150000.00 CNY by 06-30",
		"05-28 cash management and FX hedging  mgr.chen  300000.00 CNY won, recorded on the account plan",
		// Wu's plan for Gao Feng, found by the store as a plan Wu serves
		// on, goes with the customer to Chen, who takes the lead.
		"Q2 2026 key account plan                  -> mgr.chen (lead)",
		"04-28 payroll service                 mgr.lin   80000.00 CNY lost to City Commercial Bank",
		// From 04-24 the business days are 27-30 April (1, 4 and 5 May
		// are holidays), 6-8 May and 11-13 May: the 10th is 13 May, so
		// 14 and 15 May are 2 days overdue.
		"mgr.lin   Huaxin Textiles        key customers (A) last contact 04-24, due 05-13,  2 business day(s) overdue (every 10)",
		// From 01-26: 27-30 January (4), February (20), March (22) make
		// 46; 1-3 April (3), 7-17 April (9, 6 April is Qingming) make 58,
		// 20-21 April make 60: due 21 April. Overdue 22-30 April (7), 6-8
		// and 11-15 May (8) = 15.
		"mgr.wu    Zhang Tao              class C           last contact 01-26, due 04-21, 15 business day(s) overdue (every 60)",
		// Visited on 13 April: the 20th business day after is 14 May.
		"mgr.zhao  Qian Yu                class B           last contact 04-13, due 05-14,  1 business day(s) overdue (every 20)",
		"cadence kept: mgr.chen 100%, mgr.lin 33%, mgr.zhao 67%, mgr.he 100%, mgr.wu 33%",
		"Gao Feng               -> mgr.chen",
		"open deal credit card and insurance       -> mgr.he",
		"key_account false -> true           by branch.director ABC class A, Q2 review",
		// The ABC class is kept as the customer's class, which the
		// cadence rules read: A and B stable, C not yet stable.
		"class       unclassified -> stable  by branch.director ABC class A, Q2 review",
		"owner       mgr.wu -> mgr.chen      by branch.director mgr.wu leaves the branch on 29 May; key customer to a senior manager (对等配置)",
		"06-29 wealth management mandate       mgr.chen  150000.00 CNY close date slips to 2026-07-15",
		"05-20 complaint loan_processing       mgr.zhao  Qian Yu, closed in 2 h; survey 4 of 5",
		// The ranking, every figure normalised by rank among the four
		// (ties share the mid-rank; a missing CSAT takes the mean 3.75):
		// sales = won/2 + pipeline/4 + book value/4; service = CSAT × 0.4
		// + churn × 0.4 + complaints × 0.2 (fewer better); contact =
		// cadence kept. Chen: sales 1, service 0.2 + 0.267 + 0.167, contact
		// 2/3: 40 + 19 + 20 = 79. Lin: sales 1/3 + 1/24 + 1/6, service 0.2
		// + 0 + 0.167, contact 2/3: 21.7 + 11 + 20. Zhao: 8.3 + 22 + 20;
		// He: 10 + 8 + 0.
		"service   30%: csat 40%, churn_rate 40% (lower is better), complaints 20% (lower is better)",
		"#1 mgr.chen, score 79.0",
		"#2 mgr.lin, score 52.7",
		"#3 mgr.zhao, score 50.3",
		"#4 mgr.he, score 18.0",
		// Chen: 4000 + 1700 + 40; the mandate open at 50%; the cash
		// management deal won.
		"book        3 customers worth 5740 thousand CNY a year, 2 key, 0 churned (0%)",
		"sales       won 300000.00 CNY (1 won, 0 lost), open pipeline 75000.00 CNY weighted",
		// Lin: Huaxin 2500 + Riverside 400; Liu Jie churned in June, one
		// of the three in the book.
		"book        2 customers worth 2900 thousand CNY a year, 1 key, 1 churned (33%)",
		"sales       won 200000.00 CNY (1 won, 1 lost), open pipeline 0.00 CNY weighted",
		// Zhao: 6 + 3 done of 7 + 3 on the one planned day.
		"contact     6 new + 3 return done against 7 + 3 targeted (90%), 7+3 achieved on 0 day(s); cadence kept for 100% of the book",
		// He: 250 + 160 + 90 + 50 + Wu's 200 + 80; Wang Fang (C) last
		// called on 20 March is the one of six overdue; POS 40000 × 0.5 +
		// cards 20000 × 0.2 open.
		"book        6 customers worth 830 thousand CNY a year, 0 key, 0 churned (0%)",
		"contact     4 new + 3 return done against 7 + 3 targeted (70%), 7+3 achieved on 0 day(s); cadence kept for 83% of the book",
		"sales       won 0.00 CNY (0 won, 0 lost), open pipeline 24000.00 CNY weighted",
		// Surveys 2 and 5: mean 3.5, one of two satisfied (4 or 5).
		"service     2 complaint(s), CSAT 3.5 of 5, 50% satisfied",
		// From 03-20: March 23-31 (7), April less Qingming (21), May
		// less three holidays (18) make 46; 1-12 June (10), 15-18 June
		// (4) make 60: due 18 June. Overdue 22-30 June (19 June is Dragon
		// Boat): 7.
		"overdue at close: mgr.he    Wang Fang              class C           last contact 03-20, due 06-18,  7 business day(s) overdue (every 60)",
		// Created 1 April 09:00, first visited on 13 April: 1-3 and 7-10
		// April are 7 whole days (6 April is Qingming), then 40, 85, 130,
		// 175, 310 and 355 minutes of 13 April for Zhao's six (mean 182.5
		// min = 0.38 day); Kong Liang postponed and was never visited: 21
		// + 18 + 21 working days of the quarter.
		"mgr.zhao  6 met, after 7.4 on average; still unfamiliar: Kong Liang (60.0)",
		// He's four: 60, 70, 160 and 340 minutes, mean 0.33 day.
		"mgr.he    4 met, after 7.3 on average",
		// The plans at the close: 300000 of 400000 won for the port; the
		// trade finance line meets Huaxin's goal; Gao Feng's mandate
		// slipped to July, so nothing yet.
		"Jianghe Port Logistics lead mgr.chen    300000 of   400000 CNY ( 75%) behind",
		"Huaxin Textiles        lead mgr.lin     200000 of   200000 CNY (100%) met",
		"Gao Feng               lead mgr.chen         0 of   150000 CNY (  0%) behind",
		// The two referrals of 7 April: Deng Yong opened an account in
		// June, Yangtze Auto Parts did not.
		"Jianghe Port Logistics 1 referral(s), 0 converted, worth 0.00 CNY",
		"Gao Feng               1 referral(s), 1 converted, worth 80000.00 CNY",
		"2026-04 forecast   64000.00 CNY won       0.00 CNY",
		"2026-05 forecast  198000.00 CNY won  360000.00 CNY",
		// |64000| + |198000 − 360000| + |127000 − 200000| = 299000 over
		// 560000 won; MAPE (162/360 + 73/200) / 2; bias −171000 / 3.
		"WAPE 53.4%, MAPE 40.8% over 2 months with wins, bias -57000 CNY a month (-30.5% of what was won)",
	} {
		require.Contains(t, s, want)
	}
	// The departing manager has no scorecard, and Zhou Lan, called back
	// after her complaint on 15 June, is not overdue at the close.
	_, close, ok := strings.Cut(s, "9. Quarter close")
	require.True(t, ok)
	require.NotContains(t, close, "   mgr.wu\n")
	require.NotContains(t, close, "Zhou Lan")

	var again bytes.Buffer
	require.NoError(t, run(context.Background(), &again))
	require.Equal(t, s, again.String(), "the run is reproducible")
}

// failAfter is a writer that takes n bytes, then fails.
type failAfter struct{ n int }

var errWrite = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		w := f.n
		f.n = 0
		return w, errWrite
	}
	f.n -= len(p)
	return len(p), nil
}

// cancelAt is a writer that cancels the run's context once the report
// reaches a heading.
type cancelAt struct {
	heading string
	cancel  context.CancelFunc
	seen    strings.Builder
}

func (c *cancelAt) Write(p []byte) (int, error) {
	c.seen.Write(p)
	if strings.Contains(c.seen.String(), c.heading) {
		c.cancel()
	}
	return len(p), nil
}

// A run cancelled halfway stops at the next call into the library, with
// context.Canceled, whichever section it is in.
func TestBankCancelledHalfway(t *testing.T) {
	t.Parallel()
	for _, heading := range []string{"3. New leads", "5. Day plans", "6. April to mid-May", "7. End of May", "9. Quarter close", "10. At the close"} {
		t.Run(heading, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := &cancelAt{heading: heading, cancel: cancel}
			require.ErrorIs(t, run(ctx, w), context.Canceled)
		})
	}
}

// The example stops at the first failure and says why, whatever fails.
func TestBankStops(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	var full bytes.Buffer
	require.NoError(t, run(context.Background(), &full))
	closing := strings.Index(full.String(), "9. Quarter close")
	require.Positive(t, closing)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		w    *failAfter
		is   error
	}{
		{name: "cancelled context", ctx: cancelled, w: &failAfter{n: 1 << 20}, is: context.Canceled},
		{name: "report cannot be written at the start", ctx: context.Background(), w: &failAfter{n: 10}, is: errWrite},
		{name: "report cannot be written at the close", ctx: context.Background(), w: &failAfter{n: closing + 100}, is: errWrite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := run(tc.ctx, tc.w)
			require.ErrorIs(t, err, tc.is)
		})
	}
}
