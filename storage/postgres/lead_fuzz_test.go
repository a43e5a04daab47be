package postgres

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

// FuzzLeadDoc feeds arbitrary stored documents to the lead decoder: it
// never panics, refuses what lead.FromRecord refuses, and what it accepts
// encodes back to a document that decodes to the same lead.
func FuzzLeadDoc(f *testing.F) {
	l, err := lead.New(lead.NewInput{
		ID: crm.MustParseID("01890000-0000-7000-8000-000000000001"), Tenant: "acme", Name: "Wang Fang",
		Emails: []string{"wang@example.com", "not an address"}, Phones: []string{"+86 138 0013 8000"},
		Consents: map[customer.Channel]customer.Consent{customer.EmailChannel: {Granted: true, Source: "form"}},
		Channel:  customer.Web, Source: lead.Source{Kind: lead.SourceWebForm},
	}, lead.Change{Actor: "web", At: crm.MinTime.AddDate(2025, 0, 0)})
	require.NoError(f, err)
	doc, err := json.Marshal(l.Record())
	require.NoError(f, err)
	f.Add(doc)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"ID":"01890000-0000-7000-8000-000000000001","Stage":"won"}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, err := decodeLead(1, doc)
		if err != nil {
			return
		}
		row, err := encodeLead(got, 1)
		require.NoError(t, err)
		again, err := decodeLead(1, row.args[len(row.args)-1].([]byte))
		require.NoError(t, err)
		require.Equal(t, got.Record(), again.Record())
	})
}

// FuzzCampaignMoney: budgets and costs come back digit for digit.
func FuzzCampaignMoney(f *testing.F) {
	f.Add("1500", int32(-3), "EUR")
	f.Add("0", int32(0), "JPY")
	f.Add("12", int32(3), "USD")
	f.Fuzz(func(t *testing.T, coef string, exp int32, cur string) {
		m, err := exactMoney{Coef: coef, Exp: exp, Currency: cur}.money()
		if err != nil {
			return
		}
		back, err := exactOf(m).money()
		require.NoError(t, err)
		require.Equal(t, m, back)
	})
}
