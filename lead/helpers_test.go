package lead_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

var (
	t0      = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday
	tenantA = crm.TenantID("acme")
	idL     = crm.MustParseID("01890000-0000-7000-8000-000000000001")
	idCamp  = crm.MustParseID("01890000-0000-7000-8000-0000000000c1")
	idCust  = crm.MustParseID("01890000-0000-7000-8000-0000000000a1")
)

// nthID returns a distinct valid ID for n.
func nthID(n int) crm.ID {
	return crm.MustParseID(fmt.Sprintf("01890000-0000-7000-8000-%012x", n+0x1000))
}

// chg returns a valid change at t0 + minutes.
func chg(minutes int) lead.Change {
	return lead.Change{Actor: "agent-li", At: t0.Add(time.Duration(minutes) * time.Minute), Reason: "because"}
}

func validInput() lead.NewInput {
	return lead.NewInput{
		ID: idL, Tenant: tenantA, Name: "Wang Fang", Title: "Purchasing manager",
		Company: "Sunrise Hotels Ltd", Industry: "Hospitality", CompanySize: 250, Language: "zh-CN",
		Topics:  []string{"Air conditioning", "maintenance"},
		Address: &customer.Address{Lines: []string{"1 Nanjing Road"}, Locality: "Shanghai", AdministrativeArea: "Shanghai", PostalCode: "200001", Country: "CN"},
		Emails:  []string{"wang.fang@sunrise.example"}, Phones: []string{"+86 138 0013 8000"},
		Consents: map[customer.Channel]customer.Consent{
			customer.EmailChannel: {Granted: true, Source: "web form checkbox"},
		},
		Attributes: map[string]string{"budget": "500k"},
		Payload:    `{"form":"contact","msg":"need quotes"}`,
		Channel:    customer.Web,
		Source:     lead.Source{Kind: lead.SourceWebForm, Detail: "contact form", Campaign: idCamp},
	}
}

func newLead(t testing.TB) *lead.Lead {
	t.Helper()
	l, err := lead.New(validInput(), chg(0))
	require.NoError(t, err)
	return l
}

// atStage returns a lead moved along the default process to s, and the
// minute of its last change.
func atStage(t testing.TB, s lead.Stage) (*lead.Lead, int) {
	t.Helper()
	l := newLead(t)
	p := lead.DefaultProcess("")
	m := 0
	move := func(to lead.Stage, reason string) {
		m++
		ch := chg(m)
		ch.Reason = reason
		require.NoError(t, l.Move(&p, to, ch))
	}
	switch s {
	case lead.StageNew:
	case lead.StageContacted:
		move(lead.StageContacted, "")
	case lead.StageNurturing:
		move(lead.StageContacted, "")
		move(lead.StageNurturing, "")
	case lead.StageQualified:
		move(lead.StageContacted, "")
		move(lead.StageQualified, "")
	case lead.StageConverted:
		move(lead.StageContacted, "")
		move(lead.StageQualified, "")
		m++
		require.NoError(t, l.MarkConverted(idCust, crm.NilID, chg(m)))
	case lead.StageDisqualified:
		move(lead.StageDisqualified, "spam")
	}
	lead.ClearPendingForTest(l)
	return l, m
}
