package lead_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

func cny(s string) crm.Money { return crm.MustParseMoney(s + " CNY") }

func newCampaign(t testing.TB, id crm.ID, cost string) *lead.Campaign {
	t.Helper()
	c, err := lead.NewCampaign(lead.CampaignInput{
		ID: id, Tenant: tenantA, Name: "Spring fair " + id.String()[30:], Channel: lead.CampaignTradeShow,
		Start: t0, End: t0.Add(30 * 24 * time.Hour), Budget: cny("50000"), Cost: cny(cost),
		Segment: customer.Segment{Name: "hotels", Conditions: []customer.Condition{{Field: "attr.industry", Op: customer.OpEq, Value: "hospitality"}}},
	}, chg(0))
	require.NoError(t, err)
	return c
}

func TestCampaignLifecycle(t *testing.T) {
	t.Parallel()
	c := newCampaign(t, idCamp, "0")
	require.True(t, c.Active(t0.Add(time.Hour)))
	require.False(t, c.Active(t0.Add(31*24*time.Hour)))
	require.NoError(t, c.AddMember(lead.MatchLead, idL, chg(1)))
	require.NoError(t, c.AddMember(lead.MatchCustomer, idCust, chg(2)))
	require.ErrorIs(t, c.AddMember(lead.MatchLead, idL, chg(3)), crm.ErrInvalid, "already a member")
	require.NoError(t, c.RecordResponse(idL, "registered", chg(4)))
	require.ErrorIs(t, c.RecordResponse(idL, "attended", chg(5)), crm.ErrInvalid, "already responded")
	require.ErrorIs(t, c.RecordResponse(nthID(99), "x", chg(5)), crm.ErrInvalid, "not a member")
	require.Equal(t, 1, c.Responses())
	require.NoError(t, c.SetCost(cny("12000"), chg(6)))
	require.ErrorIs(t, c.SetCost(crm.MustParseMoney("100 USD"), chg(7)), crm.ErrInvalid)
	require.ErrorIs(t, c.SetCost(cny("-1"), chg(7)), crm.ErrInvalid)
	require.Equal(t, cny("12000"), c.Cost())
	back, err := lead.CampaignFromRecord(c.Record())
	require.NoError(t, err)
	require.Equal(t, c.Record(), back.Record())
	types := make([]string, 0)
	for _, e := range c.Events() {
		types = append(types, e.Type)
	}
	require.Equal(t, []string{lead.EventCampaignCreated, lead.EventCampaignMember, lead.EventCampaignMember,
		lead.EventCampaignResponse, lead.EventCampaignCost}, types)
}

func TestNewCampaignRefuses(t *testing.T) {
	t.Parallel()
	base := func() lead.CampaignInput {
		return lead.CampaignInput{ID: idCamp, Tenant: tenantA, Name: "x", Channel: lead.CampaignEmail, Start: t0, Budget: cny("10")}
	}
	cases := []struct {
		name string
		mod  func(*lead.CampaignInput)
		path string
	}{
		{"no name", func(in *lead.CampaignInput) { in.Name = " " }, "name"},
		{"unknown channel", func(in *lead.CampaignInput) { in.Channel = 0 }, "channel"},
		{"no start", func(in *lead.CampaignInput) { in.Start = time.Time{} }, "start"},
		{"end before start", func(in *lead.CampaignInput) { in.End = t0.Add(-time.Hour) }, "end"},
		{"no budget", func(in *lead.CampaignInput) { in.Budget = crm.Money{} }, "budget"},
		{"cost in other currency", func(in *lead.CampaignInput) { in.Cost = crm.MustParseMoney("1 USD") }, "cost"},
		{"negative budget", func(in *lead.CampaignInput) { in.Budget = cny("-5") }, "budget"},
		{"bad segment", func(in *lead.CampaignInput) {
			in.Segment = customer.Segment{Name: "s", Conditions: []customer.Condition{{Field: "nope", Op: customer.OpEq}}}
		}, "segment.conditions[0].field"},
		{"long name", func(in *lead.CampaignInput) { in.Name = strings.Repeat("n", 201) }, "name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := base()
			tc.mod(&in)
			_, err := lead.NewCampaign(in, chg(0))
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "want %s in %v", tc.path, err)
		})
	}
}

func opp(id int, amount string, at time.Time, touches ...lead.CampaignTouch) lead.WonOpportunity {
	return lead.WonOpportunity{ID: nthID(id), Amount: cny(amount), WonAt: at, Touches: touches}
}

func TestCampaignReportsAttribution(t *testing.T) {
	t.Parallel()
	a, b, c := newCampaign(t, nthID(501), "1000"), newCampaign(t, nthID(502), "3000"), newCampaign(t, nthID(503), "0")
	day := func(d int) time.Time { return t0.Add(time.Duration(d) * 24 * time.Hour) }
	opps := []lead.WonOpportunity{
		opp(1, "100.00", day(10), lead.CampaignTouch{Campaign: a.ID(), At: day(1)}, lead.CampaignTouch{Campaign: b.ID(), At: day(5)}, lead.CampaignTouch{Campaign: c.ID(), At: day(11)}),
		opp(2, "10.00", day(10), lead.CampaignTouch{Campaign: b.ID(), At: day(2)}, lead.CampaignTouch{Campaign: a.ID(), At: day(3)}, lead.CampaignTouch{Campaign: b.ID(), At: day(4)}),
		opp(3, "7000", day(10), lead.CampaignTouch{Campaign: nthID(999), At: day(1)}),
		opp(4, "0.01", day(10), lead.CampaignTouch{Campaign: a.ID(), At: day(1)}, lead.CampaignTouch{Campaign: b.ID(), At: day(2)}, lead.CampaignTouch{Campaign: c.ID(), At: day(3)}),
	}
	cases := []struct {
		model   lead.Attribution
		revenue [3]string
		won     [3]int
	}{
		// opp1: a first, b last (c's touch comes after the win); opp2: b first, b last.
		{lead.FirstTouch, [3]string{"100.01", "10.00", "0.00"}, [3]int{2, 1, 0}},
		{lead.LastTouch, [3]string{"0.00", "110.00", "0.01"}, [3]int{0, 2, 1}},
		// opp1 split a|b 50/50; opp2 split b|a (b touched first) 5/5; opp4 0.01 to a.
		{lead.Linear, [3]string{"55.01", "55.00", "0.00"}, [3]int{3, 3, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.model.String(), func(t *testing.T) {
			t.Parallel()
			rep, err := lead.CampaignReports([]*lead.Campaign{a, b, c}, nil, slices.Values(opps), tc.model)
			require.NoError(t, err)
			require.Equal(t, tc.model, rep.Model)
			require.True(t, cny("7000").Equal(rep.Unattributed), rep.Unattributed.String())
			total := rep.Unattributed
			for i, r := range rep.Campaigns {
				require.True(t, cny(tc.revenue[i]).Equal(r.Revenue), "%d: %s", i, r.Revenue)
				require.Equal(t, tc.won[i], r.Won, i)
				total, err = total.Add(r.Revenue)
				require.NoError(t, err)
			}
			require.True(t, cny("7110.01").Equal(total), "attribution loses and invents nothing: %s", total)
			require.False(t, rep.Campaigns[2].HasROI, "zero cost has no ROI")
		})
	}
}

func TestCampaignReportsROIAndCostPer(t *testing.T) {
	t.Parallel()
	camp := newCampaign(t, idCamp, "1000")
	p := lead.DefaultProcess("")
	var leads []*lead.Lead
	for i := range 4 {
		in := validInput()
		in.ID = nthID(i)
		l, err := lead.New(in, chg(0))
		require.NoError(t, err)
		if i < 2 {
			require.NoError(t, l.Move(&p, lead.StageContacted, chg(1)))
			require.NoError(t, l.Move(&p, lead.StageQualified, chg(2)))
		}
		leads = append(leads, l)
	}
	in := validInput()
	in.ID, in.Tenant = nthID(50), "other"
	foreignLead, err := lead.New(in, chg(0))
	require.NoError(t, err)
	leads = append(leads, foreignLead, nil)
	opps := []lead.WonOpportunity{opp(1, "2500", t0.Add(time.Hour), lead.CampaignTouch{Campaign: idCamp, At: t0})}
	rep, err := lead.CampaignReports([]*lead.Campaign{camp}, slices.Values(leads), slices.Values(opps), lead.LastTouch)
	require.NoError(t, err)
	r := rep.Campaigns[0]
	require.True(t, r.HasROI)
	require.Equal(t, "1.5", r.ROI.String(), "(2500 - 1000) / 1000")
	require.Equal(t, 4, r.Leads)
	require.Equal(t, 2, r.Qualified)
	require.True(t, cny("250").Equal(r.CostPerLead))
	require.True(t, cny("500").Equal(r.CostPerQualified))
	require.True(t, cny("1000").Equal(r.CostPerWon))

	empty := newCampaign(t, nthID(77), "300")
	rep, err = lead.CampaignReports([]*lead.Campaign{empty}, nil, nil, lead.Linear)
	require.NoError(t, err)
	require.True(t, rep.Campaigns[0].CostPerLead.Currency().IsZero(), "no leads, no cost per lead")
	require.Equal(t, decimal.NewFromInt(-1).String(), rep.Campaigns[0].ROI.String())
}

func TestCampaignReportsRefuses(t *testing.T) {
	t.Parallel()
	camp := newCampaign(t, idCamp, "1000")
	usd := []lead.WonOpportunity{{ID: nthID(1), Amount: crm.MustParseMoney("5 USD"), WonAt: t0}}
	_, err := lead.CampaignReports([]*lead.Campaign{camp}, nil, slices.Values(usd), lead.Linear)
	require.ErrorIs(t, err, crm.ErrCurrencyMismatch)

	usdCamp, err := lead.NewCampaign(lead.CampaignInput{ID: nthID(3), Tenant: tenantA, Name: "us", Channel: lead.CampaignWeb, Start: t0, Budget: crm.MustParseMoney("10 USD")}, chg(0))
	require.NoError(t, err)
	_, err = lead.CampaignReports([]*lead.Campaign{camp, usdCamp}, nil, nil, lead.Linear)
	require.ErrorIs(t, err, crm.ErrCurrencyMismatch)

	_, err = lead.CampaignReports([]*lead.Campaign{camp}, nil, slices.Values([]lead.WonOpportunity{opp(1, "-5", t0)}), lead.Linear)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = lead.CampaignReports([]*lead.Campaign{camp}, nil, slices.Values([]lead.WonOpportunity{opp(1, "0.001", t0)}), lead.Linear)
	require.ErrorIs(t, err, crm.ErrInvalid, "not in whole minor units")
	_, err = lead.CampaignReports([]*lead.Campaign{camp}, nil, nil, 0)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = lead.CampaignReports(nil, nil, nil, lead.Linear)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = lead.CampaignReports([]*lead.Campaign{camp, camp}, nil, nil, lead.Linear)
	require.ErrorIs(t, err, crm.ErrInvalid)
	foreign, err := lead.NewCampaign(lead.CampaignInput{ID: nthID(4), Tenant: "other", Name: "x", Channel: lead.CampaignWeb, Start: t0, Budget: cny("1")}, chg(0))
	require.NoError(t, err)
	_, err = lead.CampaignReports([]*lead.Campaign{camp, foreign}, nil, nil, lead.Linear)
	require.ErrorIs(t, err, crm.ErrInvalid, "campaigns of two tenants")
}

func TestCampaignReportsHugeSums(t *testing.T) {
	t.Parallel()
	camp := newCampaign(t, idCamp, "1")
	// Each amount is near the int64 limit in minor units: the sum must
	// still be exact.
	big := "90000000000000000.00" // 9e18 fen
	opps := []lead.WonOpportunity{opp(1, big, t0, lead.CampaignTouch{Campaign: idCamp, At: t0}), opp(2, big, t0, lead.CampaignTouch{Campaign: idCamp, At: t0})}
	rep, err := lead.CampaignReports([]*lead.Campaign{camp}, nil, slices.Values(opps), lead.FirstTouch)
	require.NoError(t, err)
	require.True(t, cny("180000000000000000").Equal(rep.Campaigns[0].Revenue), rep.Campaigns[0].Revenue.String())
}
