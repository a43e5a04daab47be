package lead_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/storage/memory"
)

// TestServiceCaptureCountsCampaignResponse: a capture naming a campaign
// makes the captured person a member and responder once, whatever the
// duplicate policy does with a second capture of them, and the campaign
// reports count them.
func TestServiceCaptureCountsCampaignResponse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil)
	attach := newSvc(t, st, &lead.Options{Policy: lead.AttachToLead})
	anyway := newSvc(t, st, &lead.Options{Policy: lead.CreateAnyway})
	_, err := attach.CreateCampaign(ctx, lead.CampaignInput{ID: idCamp, Tenant: tenantA, Name: "Spring fair",
		Channel: lead.CampaignTradeShow, Start: t0, Budget: cny("1000")}, chg(0))
	require.NoError(t, err)
	campaign := func() *lead.Campaign {
		c, err := st.Leads().Campaigns().Get(ctx, tenantA, idCamp)
		require.NoError(t, err)
		return c
	}

	first, err := attach.Capture(ctx, captureInput("fang@example.com"), chg(1))
	require.NoError(t, err)
	require.Equal(t, lead.CampaignOutcome{Campaign: idCamp, Kind: lead.MatchLead, Party: first.Lead.ID(), Added: true, Responded: true}, first.Campaign)
	c := campaign()
	require.Equal(t, 1, c.Responses())
	m, ok := c.Member(first.Lead.ID())
	require.True(t, ok)
	require.Equal(t, "captured: web_form via web", m.Response)
	version := c.Version()

	cases := []struct {
		name string
		svc  *lead.Service
	}{
		{"AttachedAgain", attach},
		{"CreatedAnyway", anyway},
	}
	for _, tc := range cases {
		res, err := tc.svc.Capture(ctx, captureInput("fang@example.com"), chg(2))
		require.NoError(t, err, tc.name)
		require.Equal(t, first.Lead.ID(), res.Campaign.Party, "%s: counted for the member already there", tc.name)
		require.False(t, res.Campaign.Added || res.Campaign.Responded, tc.name)
		require.Equal(t, version, campaign().Version(), "%s: the campaign is not written again", tc.name)
	}

	other, err := attach.Capture(ctx, captureInput("li@example.com"), chg(3))
	require.NoError(t, err)
	require.True(t, other.Campaign.Added && other.Campaign.Responded)
	c = campaign()
	require.Len(t, c.Members(), 2)
	require.Equal(t, 2, c.Responses())

	rep, err := lead.CampaignReports([]*lead.Campaign{c}, nil, slices.Values([]lead.WonOpportunity(nil)), lead.FirstTouch)
	require.NoError(t, err)
	require.Equal(t, 2, rep.Campaigns[0].Members)
	require.Equal(t, 2, rep.Campaigns[0].Responses)
}

// TestServiceCaptureMissingCampaign: a capture naming a campaign that is
// not stored keeps the lead and says why nothing was counted.
func TestServiceCaptureMissingCampaign(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil)
	s := newSvc(t, st, nil)
	res, err := s.Capture(ctx, captureInput("fang@example.com"), chg(1))
	require.NoError(t, err)
	require.Equal(t, "campaign not stored", res.Campaign.Skipped)
	require.False(t, res.Campaign.Added)
	_, err = st.Leads().Get(ctx, tenantA, res.Lead.ID())
	require.NoError(t, err)
	_, err = st.Leads().Campaigns().Get(ctx, tenantA, idCamp)
	require.ErrorIs(t, err, crm.ErrNotFound)
}

// TestServiceCaptureCampaignAllOrNothing: a campaign update that fails
// fails the capture, and nothing of it is stored.
func TestServiceCaptureCampaignAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil)
	s := newSvc(t, st, nil)
	_, err := s.CreateCampaign(ctx, lead.CampaignInput{ID: idCamp, Tenant: tenantA, Name: "Closed",
		Channel: lead.CampaignTradeShow, Start: t0, Budget: cny("1000")}, chg(5))
	require.NoError(t, err)
	// The capture's change is older than the campaign's last change: the
	// campaign refuses it, so the capture fails as a whole.
	_, err = s.Capture(ctx, captureInput("fang@example.com"), chg(1))
	require.ErrorIs(t, err, crm.ErrInvalid)
	p, err := st.Leads().List(ctx, tenantA, lead.Query{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, p.Items, "no lead stored")
	as, err := st.Leads().Assignment(ctx, tenantA, "")
	require.NoError(t, err)
	require.Zero(t, as.OpenLeads("ann")+as.OpenLeads("ben"), "no assignment counted")
	c, err := st.Leads().Campaigns().Get(ctx, tenantA, idCamp)
	require.NoError(t, err)
	require.Empty(t, c.Members())
}
