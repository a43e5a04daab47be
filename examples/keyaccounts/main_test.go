package main

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// The key-account example is documentation: it must keep running, keep
// telling the programme's story and print the same report every time.
func TestKeyAccounts(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	for _, want := range []string{
		// The plans are read back from the store: lead manager, team
		// with roles, goals with figures and dates.
		`Pudong Retail Group  stable          growth      lead manager km-wang, plan "replace the stores' air conditioning" active 2026-01-01 to 2026-12-31`,
		"team member svc-chen (service)",
		"goal revenue 2026: 2400000.00 CNY by the end of 2026-12-31",
		"goal contracts signed: 2 by the end of 2026-06-30",
		// 600 × 3000.00 (the stable list) less 10% for 500 units or more.
		"ac-3hp volume -0.10 (volume 500 or more)",
		"ac-3hp net unit 2700.00 CNY, needs approval true",
		"priced: 600 x ac-3hp, stable list  Pudong stores AC refit     solution    1620000.00 CNY",
		"negotiation before approval        refused: true",
		// 150 × 2600.00 (the general list) less 5% for 100 to 499 units.
		"priced: 150 x fridge-500, general  North Star fridge range    solution    370500.00 CNY",
		"won                                Pudong stores AC refit     won         1620000.00 CNY",
		"Pudong Retail Group won 1620000.00 CNY (contract HX-KA-2026-001): Pudong Retail Group is now mature",
		// The move to mature came at 00:00 on Wednesday 7 January in
		// Shanghai (16:00 UTC on the 6th): the thank-you visit is due the
		// next business day, the service review ten business days later
		// (8, 9, 12-16, 19, 20, 21 January).
		"care due 2026-01-08 Thu thank_you_visit  by km-wang: 1 business day after entering mature (from growth)",
		"care due 2026-01-21 Wed service_review   by km-wang: 10 business days after entering mature (from growth)",
		// The won deal is recorded on Pudong's plan from the won event.
		"plan goal revenue 2026     now 1620000.00 CNY of 2400000.00 CNY",
		"plan goal contracts signed now 1 of 2",
		"proposal     2 deal(s)   1152000.00 CNY weighted    648000.00 CNY",
		"by reason     price    won 0 lost 1 win rate   0%",
		"by competitor Midea    won 0 lost 1 win rate   0%",
		// 912000 × 0.5 + 240000 × 0.8 + 120000 × 0.1.
		"3 open deals, exact true: mean 660000.00 CNY",
		// Reaching 500000 needs East Bay: probability one half.
		"chance of reaching the quota on open deals: 50.0%",
		"P(0 won) = 0.090",
		// Pudong became mature at 00:00 on 7 January in Shanghai: 84 days
		// to the close of the quarter (1 April 08:00 there), 60 weekdays
		// from 7 January to 31 March less the Spring Festival week = 55
		// working days of 9 hours. The others have been in their stage
		// since they were stored at 17:00 on 5 January: one hour that day,
		// then 61 - 5 working days of 9 hours = 505 hours.
		"Pudong Retail Group, lead manager km-wang: mature since 2026-01-07, 84 days (495 working hours)",
		"North Star Dealers, lead manager km-zhou: evaluation since 2026-01-05, 85 days (505 working hours)",
		// At the close of 31 March, 90 of the 365 days to the end of the
		// year have passed: the straight line of the revenue goal stands
		// at 2400000 × 90/365 = 591780.82, and Pudong's 1620000 is ahead
		// of it (67.5%). The contracts goal runs 181 days to the end of
		// June: 2 × 90/181 = 0.99, rounded down to 0 whole contracts (a
		// count goal expects whole counts), so one contract is on track and
		// no account is yet behind on contracts. East Bay has no revenue
		// yet against 1600000 × 90/365 = 394520.55.
		"revenue 2026     1620000.00 CNY of 2400000.00 CNY ( 67.5%), line  591780.82 CNY: on track",
		"contracts signed              1 of              2 ( 50.0%), line              0: on track",
		"revenue 2026           0.00 CNY of 1600000.00 CNY (  0.0%), line  394520.55 CNY: behind",
		"contracts signed              0 of              1 (  0.0%), line              0: on track",
		// The contacts keep each customer's last contact. With one contact
		// every 10 business days: North Star, called on Friday 9 January,
		// was due by the 10th business day after, 23 January, and the
		// close of 31 March is 5 + (20 - 5 Spring Festival) + 22 = 42
		// business days later. West Lake, visited on 10 March, was due by
		// 24 March: 25, 26, 27, 30 and 31 March overdue. Pudong (20
		// March) and East Bay (25 March) are within their rhythm.
		"2026-03-10 10:00 West Lake Hotels     face_to_face eng-ma   site survey of the two hotels",
		"km-zhou  North Star Dealers   last contact 2026-01-09, due by 2026-01-23, 42 business days overdue",
		"km-zhou  West Lake Hotels     last contact 2026-03-10, due by 2026-03-24, 5 business days overdue",
		// All of the quarter's revenue is Pudong's, one account of four.
		"1 sales volume            1620000.00 CNY (top 25% of accounts bring 100%)",
		"4 sales growth            +17.4% on last quarter",
		"5 forecast accuracy       WAPE 25.9%, bias +90000",
		"10 on-time orders          92%",
	} {
		require.Contains(t, s, want)
	}
	var again bytes.Buffer
	require.NoError(t, run(context.Background(), &again))
	require.Equal(t, s, again.String(), "the run is reproducible")
}

// failingWriter fails every write after the first n bytes.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n < len(p) {
		return 0, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

// A report that cannot be written is an error, wherever the write fails.
func TestKeyAccountsReportsAFailingWriter(t *testing.T) {
	for _, n := range []int{0, 100, 2000, 4000, 4400, 5000, 6200, 7400, 7900} {
		err := run(context.Background(), &failingWriter{n: n})
		require.ErrorContains(t, err, "disk full", "failing after %d bytes", n)
	}
}

// cancellingWriter cancels the run's context once it has taken n bytes.
type cancellingWriter struct {
	n      int
	cancel context.CancelFunc
}

func (w *cancellingWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n <= 0 {
		w.cancel()
	}
	return len(p), nil
}

// A run cancelled before it starts or in any section (each reads or
// writes the store after printing) stops with the context's error.
func TestKeyAccountsStopsWhenCancelled(t *testing.T) {
	for _, n := range []int{0, 500, 2000, 4300, 5000, 5500, 5900, 6500, 7500} {
		ctx, cancel := context.WithCancel(context.Background())
		err := run(ctx, &cancellingWriter{n: n, cancel: cancel})
		cancel()
		require.ErrorIs(t, err, context.Canceled, "cancelled after %d bytes", n)
	}
}
