package main

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The venue example is documentation: it must keep running, keep telling
// the story of a two-sided leisure venue (DOMAIN.md, the leisure quarter)
// and print the same report every time, on every store.
func TestVenue(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	for _, want := range []string{
		// Leasing office: weekdays 09-18, National Day (10-01) off; the
		// guest desk works every day.
		"calendar Leasing office Mon 09-28 09:00-18:00, Tue 09-29 09:00-18:00, Wed 09-30 09:00-18:00, Thu 10-01 closed",

		// Deduplication: a phone number in another format and a name in
		// other letters; an e-mail in capitals. 1-(1-0.8)(1-0.5×1.0)=0.90
		// and 1-(1-0.85)(1-0.5)=0.93 under the default rules.
		`desk sign-up "CHEN Yu" looks like Chen Yu  score 0.90: phone +8613910000001`,
		`desk sign-up "Lin  Mei" looks like Lin Mei  score 0.93: email lin.mei@mail.example`,
		`desk sign-up "Tang Bo" is new`,
		// The noodle-bar owner is one customer in both roles, the
		// merchant record's owner kept, the desk record's history moved.
		"merged into the earlier record: roles [merchant visitor], owner leasing.gao",
		"Wu Hao is one customer with roles [merchant visitor], owner leasing.gao; history 5 entries, contacts 1",
		"consent  mobile_message:refused   by member.desk service desk form (moved from the desk record)",
		// Six online sign-ups join the club at once; the paper forms
		// wait for the check. A merged form adds no second membership;
		// the merchant, a member for the first time, joins: 380 CNY in
		// the year before (silver).
		"11 records on file: 1 merchant, 10 member sign-ups; 6 joined the club online",
		"the club refuses a second membership: Chen Yu is a member already",
		"the club refuses a second membership: Lin Mei is a member already",
		"Wu Hao joins the club as silver",
		"Tang Bo joins the club as silver",
		// 10 sign-ups less 3 merged, as the store lists the memberships.
		"members after the check: 8",

		// The consented segment: e-mail consent granted, as data.
		"in the segment: Chen Yu, Lin Mei, Guo Jun, Song Jia, Tang Bo",
		"left out: Wu Hao (no e-mail consent), Hu Lan (refused e-mail), Ma Rui (no e-mail consent)",
		"campaign Autumn Lantern Nights email      09-07 to 10-07 budget 15000.00 CNY cost 12000.00 CNY, 5 members, 3 responses",

		// Leads: linked to members by the duplicate check, routed by
		// industry, the open-day card attached to the open lead.
		"Chen Yu           birthday party      new lead linked to member Chen Yu          -> events.he (rule events)",
		"Blue Whale Coffee pop-up kiosk, 60 m2 new lead                                   -> leasing.gao (rule leasing)",
		"Blue Whale Coffee open-day card       attached to the open lead                  -> stays with leasing.gao",
		"Petal Florist     flower stall        new lead                                   -> leasing.lin (rule leasing)",
		"Blue Whale Coffee qualified    leasing.gao touches campaign+event",
		"Tang Bo           disqualified events.he   touches campaign               first contact Fri 09-11 10:00 reason no_budget",

		// Conversion makes a new merchant customer and the lease deal.
		"lead Blue Whale Coffee converted into a new customer: Blue Whale Coffee, organization, roles [merchant], owner leasing.gao, may e-mail true",
		// 720 m²-months × 420.00 = 302400.00, × 0.95 (500 to 1500) × 0.97
		// (paid ahead) × 0.90 (autumn season) = 250795.44, 17.1% off: over
		// the 12% the leasing team may give.
		"rent-m2-month    720 x 420.00 CNY: volume 500 to under 1500 -5%, payment in 0-7 days -3%, season 2026-09-01 to 2026-10-31 -10%",
		"= 250795.44 CNY, 17.1% off, needs the director's approval",
		// 720 × 45.00 × 0.97 = 31428.00; the deal 282223.44.
		"service-m2-month 720 x 45.00 CNY: payment in 0-7 days -3%",
		"= 31428.00 CNY, 3.0% off, within the team's limit",
		"lease signing before approval          refused: true",
		"won: lease RQ-L-2026-031               won            282223.44 CNY Mon 09-21 11:00",
		// The signed lease, and only it, makes the relationship mature.
		"Mon 09-21 11:00 relationship growth -> mature: lease signed",
		// Time in stage on the office's hours (09-18): Tue 10:00-18:00 +
		// Wed 09:00-14:00 = 13h; Wed 14-18 + Thu 9-10 = 5h; Thu 10-11;
		// Thu 11-18 + Fri 9h + (weekend) + Mon 9-11 = 18h.
		"time in each stage, in the leasing office's hours: unfamiliar 13h, established 5h, evaluation 1h, growth 18h; mature since Mon 09-21 11:00",
		"merchants on file: Wu Hao [merchant visitor], Blue Whale Coffee [merchant]",
		// 6800.00 + 20 × 168.00 and 6800.00 + 60 × 168.00.
		"Chen Yu  (member, lead converted): hall + 20 guests, 10160.00 CNY, won on Wed 09-23 13:00",
		"Guo Jun  (member, lead converted): hall + 60 guests, 16880.00 CNY, won",

		// Service levels: the merchant's 9 working hours on the leasing
		// office's calendar skip the weekend (Fri 1h30 + Mon 7h30); the
		// visitor's 24 h on the guest desk's 12-hour days run through it.
		"Fri 09-25 16:30 Wu Hao   hvac        high   policy merchant tenancy acknowledge by Fri 09-25 17:30, resolve by Mon 09-28 16:30",
		"Sat 09-26 19:00 Ma Rui   parking     medium policy visitor          acknowledge by Sat 09-26 19:30, resolve by Mon 09-28 19:00",
		// The merchant complaining as a visitor gets the visitor's level.
		"Sun 09-27 14:00 Wu Hao   staff       medium policy visitor",
		// The job's Monday run reports the merchant's breach (warned at
		// 75%: 6h45m in, Mon 14:15); Tuesday's run, with the complaint
		// still open until 11:00, does not report it again.
		"Mon 09-28 21:00 SLA job: Wu Hao hvac warning resolution (merchant tenancy, at Mon 09-28 14:15); Wu Hao hvac breached resolution (merchant tenancy, at Mon 09-28 16:30)",
		"Tue 09-29 11:00 Wu Hao   hvac        resolved (repair): compressor replaced",
		"Tue 09-29 21:00 SLA job: nothing new",
		"Sat 09-26 20:15 Ma Rui   parking     resolved (refund 35.00 CNY): second charge refunded",
		// Fri 1h30 + Mon 9h + Tue 2h of the office's working time.
		"hvac         n=1 acknowledged in 20m   resolved in 12h30m resolution SLA met   0%",

		// Tiers, the club's programme qualifying the host's till figures:
		// on joining, Chen Yu's year before 09-01 was 980 + 3360 + 4100 =
		// 8440 (gold); by the month's end 10790 (platinum). Guo Jun's
		// 12080 on 09-25 lifts him from silver. A tier move leaves the
		// twelve-month term as it was.
		"Chen Yu  joined 2026-09-01 as gold     moves to platinum (10790 CNY), term to 2027-09-01",
		"Guo Jun  joined 2026-09-02 as silver   moves to platinum (12940 CNY), term to 2027-09-02",
		"Hu Lan   joined 2026-09-02 as gold     stays gold     (6900 CNY)",
		"2 move(s); members by tier: platinum 2, gold 1, silver 5",
		// The move, with its reason, is in the membership's history.
		"Wed 09-30 22:00 gold -> platinum     by club.review month-end review: 10790.00 CNY in twelve months",

		// RFM in three bands over eight visitors (3 best, 2, 3 lowest by
		// rank; ties share a band): Hu Lan spends but has not come for
		// 150 days.
		"Chen Yu  last purchase   2 days ago, purchases 6, spent   10790 CNY: RFM 333 champions",
		"Hu Lan   last purchase 150 days ago, purchases 3, spent    6900 CNY: RFM 133 slipping away",
		"segments: champions 2, regulars 3, slipping away 1, dormant 2",

		// Time to first contact in the guest desk's hours (10-22 daily):
		// 3h, 4h55m, 6h, 7h30m; the lower median.
		"funnel Autumn Lantern Nights leads 4: contacted 4, qualified 3, converted 3, disqualified 1; first contact in 4h55m of venue hours (median)",
		// First touch: every won deal began with the e-mail campaign:
		// 282223.44 + 10160.00 + 16880.00 = 309263.44; (309263.44 −
		// 12000) / 12000 = 24.77.
		"Autumn Lantern Nights cost 12000.00 CNY leads 4 qualified 3 won 3 revenue 309263.44 CNY ROI  24.77",
		"Leasing open day      cost 6000.00 CNY  leads 2 qualified 1 won 0 revenue 0.00 CNY      ROI  -1.00",
		// Linear: the lease is split between the two campaigns,
		// 141111.72 each; 141111.72 + 27040.00 = 168151.72.
		"Autumn Lantern Nights cost 12000.00 CNY leads 4 qualified 3 won 3 revenue 168151.72 CNY ROI  13.01",
		"Leasing open day      cost 6000.00 CNY  leads 2 qualified 1 won 1 revenue 141111.72 CNY ROI  22.52",

		// The anchor becomes a key account with a plan and a team.
		`key account: Blue Whale Coffee, plan "Anchor tenant, lease year one" active: leasing.gao (account_manager, lead), facilities.luo (service), director.song (executive_sponsor)`,

		// The contact rhythm: Wu Hao's last contact is his desk form (Sun
		// 09-06; the merge kept it); the 10th working day after is Fri
		// 09-18, and 09-21 to 09-30 are 8 more. His complaints went to
		// facilities and the guest desk: no call from his manager. The
		// anchor, seen at the walk-through on Tue 09-22, is due a call
		// within 5 working days (Tue 09-29) and is a day late.
		"leasing.gao owes Wu Hao a call (merchants): last contact Sun 09-06 11:00, due by Fri 09-18, 8 working day(s) overdue",
		"leasing.gao owes Blue Whale Coffee a call (anchor_merchants): last contact Tue 09-22 10:00, due by Tue 09-29, 1 working day(s) overdue",
		// Care set off by the lease (mature on Mon 09-21): the next
		// working day, and the 10th, which skips the National Day week
		// the office is closed (09-22..09-30 are 7, then 10-08, 10-09,
		// 10-12).
		"Tue 09-22 Blue Whale Coffee fit-out walk-through with facilities  by leasing.gao 1 business day after entering mature (from growth)",
		"Mon 10-12 Blue Whale Coffee opening-fortnight check               by leasing.gao 10 business days after entering mature (from growth)",
		// The plan's goals: the year's rent, paid ahead at signing, is
		// the lease's value (met); one joint promotion of four, nine days
		// into a year (expected 4 × 9/365 ≈ 0.1): on track.
		"lease rent collected  282223.44 of 282223.44 CNY by 2026-10-15: 100%, met",
		"joint club promotions 1 of 4 by 2027-09-21:  25%, on track",
	} {
		require.Contains(t, s, want)
	}
	for i := 1; i <= 11; i++ {
		require.Contains(t, s, "\n"+strconv.Itoa(i)+". ", "section %d has its heading", i)
	}
	// A breach is reported once, by the run after it happened.
	require.Equal(t, 1, strings.Count(s, "breached"))

	var again bytes.Buffer
	require.NoError(t, run(context.Background(), &again))
	require.Equal(t, s, again.String(), "the run is reproducible")
}

// A report that cannot be written is an error, not a silent success.
func TestVenueReportsAWriteFailure(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), failingWriter{})
	require.ErrorIs(t, err, errDiskFull)
}

// A cancelled context stops the run with an error.
func TestVenueStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	require.ErrorIs(t, run(ctx, &out), context.Canceled)
}

// Cancelled at any point of the season, the run stops with the
// cancellation, whatever service it was in.
func TestVenueStopsWhenCancelledMidway(t *testing.T) {
	t.Parallel()
	for i := 1; i <= 11; i++ {
		t.Run("at section "+strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := &cancelAt{heading: []byte("\n" + strconv.Itoa(i) + ". "), cancel: cancel}
			err := run(ctx, w)
			require.ErrorIs(t, err, context.Canceled)
			require.Contains(t, w.buf.String(), string(w.heading), "the run got as far as the section")
		})
	}
}

// cancelAt cancels the run's context when the report reaches a heading.
type cancelAt struct {
	buf     bytes.Buffer
	heading []byte
	cancel  context.CancelFunc
}

func (c *cancelAt) Write(p []byte) (int, error) {
	if bytes.Contains(p, c.heading) {
		c.cancel()
	}
	return c.buf.Write(p)
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }
