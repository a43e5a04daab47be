package customer_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

func TestRelationValues(t *testing.T) {
	t.Parallel()
	cny := crm.MustCurrency("CNY")
	year := relAt.AddDate(0, 0, -1)
	end := year.AddDate(1, 0, 0)
	other := relID(50)
	ref := func(id byte, referrer crm.ID, h int, won string, decideH int) *customer.Referral {
		r, err := customer.NewReferral(customer.ReferralInput{ID: relID(id), Tenant: "acme", Referrer: referrer,
			TargetKind: customer.TargetLead, Target: relID(id + 100)}, relCh(h, ""))
		require.NoError(t, err)
		if won != "" {
			require.NoError(t, r.Convert(crm.MustParseMoney(won), relCh(decideH, "")))
		}
		return r
	}
	sug := func(id byte, author crm.ID, h int, value string, decideH int) *customer.Suggestion {
		s, err := customer.NewSuggestion(customer.SuggestionInput{ID: relID(id), Tenant: "acme", Author: author,
			Subject: "s", Category: "process"}, relCh(h, ""))
		require.NoError(t, err)
		if value != "" {
			require.NoError(t, s.Review(relCh(decideH, "")))
			require.NoError(t, s.Adopt(crm.MustParseMoney(value), relCh(decideH, "")))
		}
		return s
	}
	refs := []*customer.Referral{
		ref(1, relDealer, 0, "100.10 CNY", 10),
		ref(2, relDealer, 1, "", 0),
		ref(3, relDealer, -48, "50 CNY", 2),     // made last year, converted this year
		ref(4, relDealer, 1, "999 CNY", 24*400), // converted after the period
		ref(5, other, 3, "", 0),
	}
	sugs := []*customer.Suggestion{sug(10, relDealer, 0, "8000 CNY", 5), sug(11, relDealer, 1, "", 0), sug(12, other, 2, "0 CNY", 3)}
	got, err := customer.RelationValues(refs, sugs, year, end, cny)
	require.NoError(t, err)
	require.Equal(t, 3, got[relDealer].Referrals, "made in the period: 1, 2, 4")
	require.Equal(t, 2, got[relDealer].Converted, "converted in the period: 1, 3")
	require.Equal(t, "150.10 CNY", got[relDealer].ReferredRevenue.String())
	require.Equal(t, 2, got[relDealer].Suggestions)
	require.Equal(t, 1, got[relDealer].Adopted)
	require.Equal(t, "8000.00 CNY", got[relDealer].AdoptedValue.String())
	require.InDelta(t, 150.1, got[relDealer].ReferralValue(), 1e-9)
	require.InDelta(t, 8000, got[relDealer].SuggestionValue(), 1e-9)
	require.Equal(t, customer.Figures{Referrals: 1, Suggestions: 1, Adopted: 1,
		ReferredRevenue: crm.Zero(cny), AdoptedValue: got[other].AdoptedValue}, got[other])
	require.True(t, got[other].AdoptedValue.IsZero())

	all, err := customer.RelationValues(refs, sugs, time.Time{}, time.Time{}, cny)
	require.NoError(t, err)
	require.Equal(t, 3, all[relDealer].Converted, "unbounded: every conversion")

	for _, tc := range []struct {
		name  string
		refs  []*customer.Referral
		sugs  []*customer.Suggestion
		from  time.Time
		cur   crm.Currency
		field string
	}{
		{"no currency", refs, sugs, year, crm.Currency{}, "currency"},
		{"bad period", refs, sugs, end.Add(time.Hour), cny, "period_to"},
		{"another currency", refs, sugs, year, crm.MustCurrency("EUR"), "referrals[0].value"},
		{"nil referral", []*customer.Referral{nil}, nil, year, cny, "referrals[0]"},
		{"zero suggestion", nil, []*customer.Suggestion{{}}, year, cny, "suggestions[0]"},
		{"two tenants", []*customer.Referral{refs[0], func() *customer.Referral {
			r, err := customer.NewReferral(customer.ReferralInput{ID: relID(9), Tenant: "other", Referrer: relDealer,
				TargetKind: customer.TargetLead, Target: relLead}, relCh(0, ""))
			require.NoError(t, err)
			return r
		}()}, nil, year, cny, "referrals[1].tenant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := customer.RelationValues(tc.refs, tc.sugs, tc.from, end, tc.cur)
			requireField(t, err, tc.field)
		})
	}
}
