package lead_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
)

// funnelLead captures a lead at capture with the given source and owner,
// then moves it along path, one hour per step.
func funnelLead(t testing.TB, n int, capture time.Time, src lead.SourceKind, campaign crm.ID, owner crm.UserID, path ...lead.Stage) *lead.Lead {
	t.Helper()
	in := validInput()
	in.ID = nthID(n)
	in.Source = lead.Source{Kind: src, Campaign: campaign}
	if src == lead.SourceReferral {
		in.Source.Referrer = idCust
	}
	l, err := lead.New(in, lead.Change{Actor: "web", At: capture})
	require.NoError(t, err)
	at := capture
	if owner != "" {
		at = at.Add(time.Minute)
		require.NoError(t, l.Assign(owner, lead.Change{Actor: "router", At: at}))
	}
	p := lead.DefaultProcess("")
	for _, s := range path {
		at = at.Add(time.Hour)
		ch := lead.Change{Actor: owner, At: at}
		if ch.Actor == "" {
			ch.Actor = "x"
		}
		if s == lead.StageDisqualified {
			ch.Reason = "no_budget"
		}
		if s == lead.StageConverted {
			require.NoError(t, l.MarkConverted(idCust, crm.NilID, ch))
			continue
		}
		require.NoError(t, l.Move(&p, s, ch))
	}
	return l
}

func rate(g lead.FunnelGroup, from, to lead.Stage) lead.StageRate {
	for _, r := range g.Rates {
		if r.From == from && r.To == to {
			return r
		}
	}
	return lead.StageRate{}
}

func TestFunnelByPeriod(t *testing.T) {
	t.Parallel()
	mar := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	apr := time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC)
	c, q, cv, d := lead.StageContacted, lead.StageQualified, lead.StageConverted, lead.StageDisqualified
	leads := []*lead.Lead{
		funnelLead(t, 1, mar, lead.SourceWebForm, crm.NilID, "ann", c, q, cv),
		funnelLead(t, 2, mar, lead.SourceWebForm, crm.NilID, "ann", c, q),
		funnelLead(t, 3, mar, lead.SourcePhone, crm.NilID, "ben", c, d),
		funnelLead(t, 4, mar, lead.SourcePhone, crm.NilID, "", d),
		funnelLead(t, 5, apr, lead.SourceWebForm, crm.NilID, "ann", c, q),
		funnelLead(t, 6, apr, lead.SourceWebForm, crm.NilID, "ann", c, q),
		funnelLead(t, 7, apr, lead.SourceWebForm, crm.NilID, "ann", c, q),
		funnelLead(t, 8, apr, lead.SourceWebForm, crm.NilID, "ann"),
		nil,
	}
	groups, err := lead.Funnel(slices.Values(leads), lead.FunnelOptions{})
	require.NoError(t, err)
	require.Len(t, groups, 2)
	m := groups[0]
	require.Equal(t, "2026-03-01", m.Key)
	require.Equal(t, 4, m.Leads)
	require.Equal(t, [6]int{4, 3, 0, 2, 1, 2}, m.Reached)
	require.Len(t, m.Rates, 14)
	require.Equal(t, lead.StageRate{From: lead.StageNew, To: c, Reached: 4, Converted: 3, Rate: 0.75}, rate(m, lead.StageNew, c))
	require.Equal(t, 0.5, rate(m, q, cv).Rate)
	require.Equal(t, 2.0/3, rate(m, c, q).Rate)
	require.Equal(t, 3, m.Contacted)
	require.Equal(t, time.Hour+time.Minute, m.MeanFirstContact, "assigned after a minute, contacted an hour later; the unowned one was never contacted")
	require.False(t, m.HasGrowth)
	a := groups[1]
	require.Equal(t, "2026-04-01", a.Key)
	require.True(t, a.HasGrowth)
	require.Equal(t, 0.5, a.Growth, "3 qualified in April after 2 in March")
}

func TestFunnelDimensions(t *testing.T) {
	t.Parallel()
	c, q := lead.StageContacted, lead.StageQualified
	camp := nthID(300)
	leads := []*lead.Lead{
		funnelLead(t, 1, t0, lead.SourceCampaign, camp, "ann", c, q),
		funnelLead(t, 2, t0, lead.SourceReferral, crm.NilID, "ben", c),
		funnelLead(t, 3, t0.Add(48*time.Hour), lead.SourceCampaign, camp, "ann"),
	}
	cases := []struct {
		dim  lead.Dimension
		keys []string
	}{
		{lead.BySource, []string{"campaign", "referral"}},
		{lead.ByCampaign, []string{"", camp.String()}},
		{lead.ByTeam, []string{""}},
		{lead.ByOwner, []string{"ann", "ben"}},
	}
	for _, tc := range cases {
		t.Run(tc.dim.String(), func(t *testing.T) {
			t.Parallel()
			groups, err := lead.Funnel(slices.Values(leads), lead.FunnelOptions{GroupBy: tc.dim, Period: lead.Week})
			require.NoError(t, err)
			var keys []string
			total := 0
			for _, g := range groups {
				keys = append(keys, g.Key)
				total += g.Leads
			}
			require.Equal(t, tc.keys, keys)
			require.Equal(t, 3, total)
		})
	}
	// Window and velocity: one qualified lead in a two-week window is half
	// a lead per week.
	groups, err := lead.Funnel(slices.Values(leads), lead.FunnelOptions{GroupBy: lead.ByTeam, Period: lead.Week, From: t0, To: t0.Add(14 * 24 * time.Hour)})
	require.NoError(t, err)
	require.InDelta(t, 0.5, groups[0].Velocity, 1e-9)
	groups, err = lead.Funnel(slices.Values(leads), lead.FunnelOptions{GroupBy: lead.ByTeam, From: t0.Add(time.Hour)})
	require.NoError(t, err)
	require.Equal(t, 1, groups[0].Leads, "From keeps later captures only")
}

func TestFunnelBusinessTime(t *testing.T) {
	t.Parallel()
	fri := time.Date(2026, 3, 6, 16, 0, 0, 0, time.UTC)
	in := validInput()
	l, err := lead.New(in, lead.Change{Actor: "web", At: fri})
	require.NoError(t, err)
	p := lead.DefaultProcess("")
	require.NoError(t, l.Move(&p, lead.StageContacted, lead.Change{Actor: "ann", At: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)}))
	groups, err := lead.Funnel(slices.Values([]*lead.Lead{l}), lead.FunnelOptions{Calendar: officeCalendar(t)})
	require.NoError(t, err)
	require.Equal(t, 2*time.Hour, groups[0].MeanFirstContact, "Friday 16-17 and Monday 9-10")
	require.Equal(t, 2*time.Hour, groups[0].MedianFirstContact)
}

func TestFunnelOptionsRefused(t *testing.T) {
	t.Parallel()
	for _, o := range []lead.FunnelOptions{{GroupBy: 9}, {Period: 9}, {From: t0, To: t0}} {
		_, err := lead.Funnel(slices.Values([]*lead.Lead{}), o)
		require.ErrorIs(t, err, crm.ErrInvalid)
	}
}

func TestQueryMatches(t *testing.T) {
	t.Parallel()
	l := funnelLead(t, 1, t0, lead.SourceCampaign, idCamp, "ann", lead.StageContacted)
	yes, no := true, false
	empty, other := "", "other"
	cases := []struct {
		name string
		q    lead.Query
		want bool
	}{
		{"zero", lead.Query{}, true},
		{"stage", lead.Query{Stages: []lead.Stage{lead.StageContacted}}, true},
		{"other stage", lead.Query{Stages: []lead.Stage{lead.StageNew}}, false},
		{"open", lead.Query{Open: &yes}, true},
		{"closed", lead.Query{Open: &no}, false},
		{"default team", lead.Query{Team: &empty}, true},
		{"other team", lead.Query{Team: &other}, false},
		{"owner", lead.Query{Owner: "ann"}, true},
		{"unassigned", lead.Query{Unassigned: true}, false},
		{"source", lead.Query{Source: lead.SourceCampaign}, true},
		{"campaign", lead.Query{Campaign: idCamp}, true},
		{"other campaign", lead.Query{Campaign: nthID(5)}, false},
		{"customer", lead.Query{Customer: idCust}, false},
		{"captured in", lead.Query{CapturedFrom: t0, CapturedTo: t0.Add(time.Second)}, true},
		{"captured before", lead.Query{CapturedTo: t0}, false},
		{"uncontacted", lead.Query{Uncontacted: true}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tc.q.Validate())
			require.Equal(t, tc.want, tc.q.Matches(l))
		})
	}
	for _, q := range []lead.Query{{Stages: []lead.Stage{0}}, {Owner: "ann", Unassigned: true}, {Source: 99},
		{CapturedFrom: t0, CapturedTo: t0}, {Stages: make([]lead.Stage, 7)}} {
		require.ErrorIs(t, q.Validate(), crm.ErrInvalid)
	}
}
