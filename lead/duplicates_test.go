package lead_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

func mustEmail(t testing.TB, s string) customer.Email {
	t.Helper()
	e, err := customer.ParseEmail(s)
	require.NoError(t, err)
	return e
}

func mustPhone(t testing.TB, s string) customer.Phone {
	t.Helper()
	p, err := customer.ParsePhone(s, "")
	require.NoError(t, err)
	return p
}

func newCustomer(t testing.TB, id crm.ID, tenant crm.TenantID, kind customer.Kind, name string, emails []customer.Email, phones []customer.Phone) *customer.Customer {
	t.Helper()
	c, err := customer.New(customer.NewInput{ID: id, Tenant: tenant, Kind: kind, Name: name, Roles: []customer.Role{customer.EndCustomer},
		Owner: "owner", Emails: emails, Phones: phones}, chg(0))
	require.NoError(t, err)
	return c
}

func TestFindDuplicates(t *testing.T) {
	t.Parallel()
	l := newLead(t) // wang.fang@sunrise.example, +8613800138000, "Wang Fang", "Sunrise Hotels Ltd"
	in := validInput()
	in.ID = nthID(1)
	in.Emails, in.Phones = []string{"Wang.Fang@SUNRISE.example"}, nil
	sameMail, err := lead.New(in, chg(0))
	require.NoError(t, err)
	in.ID = nthID(2)
	in.Emails, in.Name = []string{"unrelated@else.example"}, "Li Lei"
	in.Company = "Other Corp"
	stranger, err := lead.New(in, chg(0))
	require.NoError(t, err)
	closed, m := atStage(t, lead.StageDisqualified)
	_ = m
	in.ID, in.Tenant = nthID(3), "other"
	in.Emails = []string{"wang.fang@sunrise.example"}
	foreign, err := lead.New(in, chg(0))
	require.NoError(t, err)

	phoneCust := newCustomer(t, nthID(10), tenantA, customer.Person, "F. Wang", nil, []customer.Phone{mustPhone(t, "+86 138 0013 8000")})
	orgCust := newCustomer(t, nthID(11), tenantA, customer.Organization, "Sunrise Hotels Limited", nil, []customer.Phone{mustPhone(t, "+86 21 5555 0000")})
	nameOnly := newCustomer(t, nthID(12), tenantA, customer.Person, "Wang Fang", []customer.Email{mustEmail(t, "x@y.example")}, nil)
	foreignCust := newCustomer(t, nthID(13), "other", customer.Person, "Wang Fang", []customer.Email{mustEmail(t, "wang.fang@sunrise.example")}, nil)

	got, err := lead.FindDuplicates(l, []*lead.Lead{sameMail, stranger, closed, foreign, nil, sameMail, l},
		[]*customer.Customer{phoneCust, orgCust, nameOnly, foreignCust, nil}, customer.DuplicateRules{})
	require.NoError(t, err)
	ids := make([]crm.ID, len(got))
	for i, m := range got {
		ids[i] = m.ID
	}
	// sameMail: e-mail 0.85 + name 0.5 → 0.925; phoneCust: phone 0.8;
	// orgCust: similar organisation name alone (≤ 0.5) is below 0.6;
	// nameOnly: name alone 0.5 < 0.6.
	require.Equal(t, []crm.ID{sameMail.ID(), phoneCust.ID()}, ids)
	require.Equal(t, lead.MatchLead, got[0].Kind)
	require.Equal(t, customer.ReasonEmail, got[0].Reasons[0].Kind)
	require.Equal(t, "wang.fang@sunrise.example", got[0].Reasons[0].Detail)
	require.Equal(t, lead.MatchCustomer, got[1].Kind)
	require.Equal(t, customer.ReasonPhone, got[1].Reasons[0].Kind)

	// Name only reaches the bar when the host's rules say so.
	loose := customer.DefaultDuplicateRules()
	loose.MinScore = 0.4
	got, err = lead.FindDuplicates(l, nil, []*customer.Customer{orgCust, nameOnly}, loose)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, customer.ReasonName, got[0].Reasons[0].Kind)

	_, err = lead.FindDuplicates(l, nil, nil, customer.DuplicateRules{MinScore: 2})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = lead.FindDuplicates(nil, nil, nil, customer.DuplicateRules{})
	require.ErrorIs(t, err, crm.ErrInvalid)
}

// TestDuplicateScoresAgreeWithCustomerPackage: a lead scored against a
// customer gets the score customer.ScorePair gives the same data as two
// customers.
func TestDuplicateScoresAgreeWithCustomerPackage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		leadName   string
		emails     []string
		phones     []string
		custName   string
		custEmails []string
		custPhones []string
	}{
		{"email and name", "Wang Fang", []string{"a@b.example"}, nil, "Wang  Fang", []string{"A@b.example"}, nil},
		{"phone only", "Li Lei", nil, []string{"+44 20 7946 0958"}, "Han Meimei", nil, []string{"+442079460958"}},
		{"typo in name and email", "Jonathan Smith", []string{"j@s.example"}, nil, "Jonathon Smith", []string{"j@s.example"}, nil},
		{"nothing shared", "A B", []string{"a@a.example"}, nil, "C D", []string{"c@c.example"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := validInput()
			in.Name, in.Company, in.Emails, in.Phones, in.Address = tc.leadName, "", tc.emails, tc.phones, nil
			l, err := lead.New(in, chg(0))
			require.NoError(t, err)
			var ce []customer.Email
			for _, e := range tc.custEmails {
				ce = append(ce, mustEmail(t, e))
			}
			var cp []customer.Phone
			for _, p := range tc.custPhones {
				cp = append(cp, mustPhone(t, p))
			}
			c := newCustomer(t, nthID(20), tenantA, customer.Person, tc.custName, ce, cp)
			var le []customer.Email
			for _, e := range tc.emails {
				le = append(le, mustEmail(t, e))
			}
			var lp []customer.Phone
			for _, p := range tc.phones {
				lp = append(lp, mustPhone(t, p))
			}
			asCustomer := newCustomer(t, nthID(21), tenantA, customer.Person, tc.leadName, le, lp)
			want, wantOK := customer.ScorePair(asCustomer, c, customer.DuplicateRules{})
			got, err := lead.FindDuplicates(l, nil, []*customer.Customer{c}, customer.DuplicateRules{})
			require.NoError(t, err)
			require.Equal(t, wantOK, len(got) == 1)
			if wantOK {
				require.InDelta(t, want.Score, got[0].Score, 1e-12)
				require.Equal(t, want.Reasons, got[0].Reasons)
			}
		})
	}
}

func TestResolveDuplicates(t *testing.T) {
	t.Parallel()
	leadMatch := lead.Match{Kind: lead.MatchLead, ID: nthID(1), Score: 0.9}
	custMatch := lead.Match{Kind: lead.MatchCustomer, ID: nthID(2), Score: 0.95}
	both := []lead.Match{custMatch, leadMatch}
	cases := []struct {
		name    string
		policy  lead.DuplicatePolicy
		matches []lead.Match
		action  lead.Action
		target  crm.ID
	}{
		{"attach to lead", lead.AttachToLead, both, lead.ActionAttach, nthID(1)},
		{"attach falls back to customer", lead.AttachToLead, []lead.Match{custMatch}, lead.ActionLinkCustomer, nthID(2)},
		{"attach with no match creates", lead.AttachToLead, nil, lead.ActionCreate, crm.NilID},
		{"link to customer", lead.LinkToCustomer, both, lead.ActionLinkCustomer, nthID(2)},
		{"link with only a lead match creates", lead.LinkToCustomer, []lead.Match{leadMatch}, lead.ActionCreate, crm.NilID},
		{"create anyway", lead.CreateAnyway, both, lead.ActionCreate, crm.NilID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := lead.ResolveDuplicates(tc.policy, tc.matches)
			require.NoError(t, err)
			require.Equal(t, tc.action, res.Action)
			require.Equal(t, tc.target, res.Target)
			require.NotEmpty(t, res.Why)
			require.Equal(t, len(tc.matches), len(res.Matches))
		})
	}
	_, err := lead.ResolveDuplicates(0, both)
	require.ErrorIs(t, err, crm.ErrInvalid)
}
