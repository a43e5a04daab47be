package customer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

func testProgramme() customer.Programme {
	return customer.Programme{Name: "owners_club", TermMonths: 12, Tiers: []customer.Tier{
		{Name: "silver", Benefits: []string{"newsletter"}},
		{Name: "gold", MinPoints: 1000, MinSpend: crm.MustParseMoney("5000 EUR"), Benefits: []string{"priority service"}},
		{Name: "platinum", MinPoints: 5000, MinSpend: crm.MustParseMoney("20000 EUR"), Benefits: []string{"priority service", "loan car"}},
	}}
}

func newTestMembership(t testing.TB) *customer.Membership {
	t.Helper()
	m, err := customer.NewMembership(customer.MembershipInput{ID: relID(3), Tenant: "acme", Customer: relDealer,
		Programme: testProgramme()}, relCh(0, ""))
	require.NoError(t, err)
	return m
}

func TestProgrammeValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, testProgramme().Validate())
	for _, tc := range []struct {
		name  string
		edit  func(*customer.Programme)
		field string
	}{
		{"no name", func(p *customer.Programme) { p.Name = "" }, "name"},
		{"no tiers", func(p *customer.Programme) { p.Tiers = nil }, "tiers"},
		{"too many tiers", func(p *customer.Programme) {
			for i := range customer.MaxTiers {
				p.Tiers = append(p.Tiers, customer.Tier{Name: "t" + strings.Repeat("x", i+1), MinPoints: 9999})
			}
		}, "tiers"},
		{"term zero", func(p *customer.Programme) { p.TermMonths = 0 }, "term_months"},
		{"term too long", func(p *customer.Programme) { p.TermMonths = customer.MaxTermMonths + 1 }, "term_months"},
		{"repeated tier", func(p *customer.Programme) { p.Tiers[1].Name = "silver" }, "tiers[1].name"},
		{"falling points", func(p *customer.Programme) { p.Tiers[2].MinPoints = 10 }, "tiers[2].min_points"},
		{"falling spend", func(p *customer.Programme) { p.Tiers[2].MinSpend = crm.MustParseMoney("100 EUR") }, "tiers[2].min_spend"},
		{"mixed currencies", func(p *customer.Programme) { p.Tiers[2].MinSpend = crm.MustParseMoney("90000 USD") }, "tiers[2].min_spend"},
		{"negative points", func(p *customer.Programme) { p.Tiers[0].MinPoints = -1 }, "tiers[0].min_points"},
		{"empty benefit", func(p *customer.Programme) { p.Tiers[0].Benefits = []string{""} }, "tiers[0].benefits[0]"},
		{"too many benefits", func(p *customer.Programme) { p.Tiers[0].Benefits = make([]string, customer.MaxBenefits+1) }, "tiers[0].benefits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := testProgramme()
			tc.edit(&p)
			requireField(t, p.Validate(), tc.field)
		})
	}
}

func TestProgrammeQualify(t *testing.T) {
	t.Parallel()
	p := testProgramme()
	for _, tc := range []struct {
		name   string
		points int64
		spend  crm.Money
		want   string
	}{
		{"nothing", 0, crm.Money{}, "silver"},
		{"points without spend", 6000, crm.Money{}, "silver"},
		{"gold", 1000, crm.MustParseMoney("5000 EUR"), "gold"},
		{"spend short of platinum", 9000, crm.MustParseMoney("19999.99 EUR"), "gold"},
		{"platinum", 5000, crm.MustParseMoney("20000.00 EUR"), "platinum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := p.Qualify(tc.points, tc.spend)
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, tc.want, got.Name)
		})
	}
	_, _, err := p.Qualify(6000, crm.MustParseMoney("30000 USD"))
	require.ErrorIs(t, err, crm.ErrInvalid, "a spend in another currency")
	strict := customer.Programme{Name: "p", TermMonths: 1, Tiers: []customer.Tier{{Name: "a", MinPoints: 10}}}
	_, ok, err := strict.Qualify(5, crm.Money{})
	require.NoError(t, err)
	require.False(t, ok, "below the entry tier")
	_, _, err = customer.Programme{}.Qualify(1, crm.Money{})
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestMembershipLifecycle(t *testing.T) {
	t.Parallel()
	p := testProgramme()
	m := newTestMembership(t)
	require.Equal(t, "silver", m.Tier(), "the entry tier by default")
	require.Equal(t, relAt.AddDate(1, 0, 0), m.TermEnd())
	require.Equal(t, []string{"newsletter"}, m.Benefits(p))
	require.Nil(t, m.Benefits(customer.Programme{Name: "other"}))

	// Status is computed at a time: active before the term's end, lapsed from it.
	require.Equal(t, customer.MembershipActive, m.Status(m.TermEnd().Add(-time.Nanosecond)))
	require.Equal(t, customer.MembershipLapsed, m.Status(m.TermEnd()))

	// Early renewal extends from the current end: nothing is lost.
	require.NoError(t, m.Renew(p, relCh(24*300, "")))
	require.Equal(t, relAt.AddDate(2, 0, 0), m.TermEnd())

	// Up, then down, each a step with its reason.
	require.NoError(t, m.MoveTier(p, "platinum", relCh(24*301, "spend 25000 EUR")))
	require.NoError(t, m.MoveTier(p, "gold", relCh(24*302, "annual review")))
	evs := m.Events()
	require.Equal(t, customer.MemberTierMoved{From: "silver", To: "platinum", Up: true}, evs[len(evs)-2].Data)
	require.Equal(t, customer.MemberTierMoved{From: "platinum", To: "gold", Up: false}, evs[len(evs)-1].Data)

	// Lapsed: no tier move until renewed; renewal restarts the term from the change.
	late := customer.Change{Actor: "mgr", At: relAt.AddDate(3, 0, 0)}
	require.Equal(t, customer.MembershipLapsed, m.Status(late.At))
	late.Reason = "bonus"
	require.ErrorIs(t, m.MoveTier(p, "platinum", late), crm.ErrInvalidTransition)
	require.NoError(t, m.Renew(p, late))
	require.Equal(t, late.At.AddDate(1, 0, 0), m.TermEnd())
	require.Equal(t, customer.MembershipActive, m.Status(late.At))

	// Cancelled is final.
	cancel := customer.Change{Actor: "mgr", At: late.At.Add(time.Hour)}
	require.NoError(t, m.Cancel(cancel))
	require.Equal(t, customer.MembershipCancelled, m.Status(cancel.At))
	require.ErrorIs(t, m.Renew(p, cancel), crm.ErrInvalidTransition)
	require.ErrorIs(t, m.Cancel(cancel), crm.ErrInvalidTransition)
	require.ErrorIs(t, m.MoveTier(p, "silver", customer.Change{Actor: "mgr", At: cancel.At, Reason: "x"}), crm.ErrInvalidTransition)

	kinds := []customer.StepKind{}
	for _, s := range m.History() {
		kinds = append(kinds, s.Kind)
	}
	require.Equal(t, []customer.StepKind{customer.StepCreated, customer.StepRenewed, customer.StepTier, customer.StepTier,
		customer.StepRenewed, customer.StepStatus}, kinds)
	back, err := customer.MembershipFromRecord(m.Record())
	require.NoError(t, err)
	require.Equal(t, m.Record(), back.Record())
}

// TestMembershipMoves checks the machine as data: every pair of statuses.
func TestMembershipMoves(t *testing.T) {
	t.Parallel()
	p := testProgramme()
	statuses := customer.MembershipStatuses()
	reach := func(t *testing.T, m *customer.Membership, s customer.MembershipStatus) time.Time {
		switch s {
		case customer.MembershipLapsed:
			return m.TermEnd().Add(time.Hour)
		case customer.MembershipCancelled:
			require.NoError(t, m.Cancel(relCh(1, "")))
		}
		return relAt.Add(2 * time.Hour)
	}
	for _, from := range statuses {
		for _, to := range statuses {
			t.Run(from.String()+"_to_"+to.String(), func(t *testing.T) {
				t.Parallel()
				m := newTestMembership(t)
				when := reach(t, m, from)
				require.Equal(t, from, m.Status(when))
				before := m.Record()
				ch := customer.Change{Actor: "mgr", At: when}
				var err error
				switch to {
				case customer.MembershipActive:
					err = m.Renew(p, ch)
				case customer.MembershipCancelled:
					err = m.Cancel(ch)
				case customer.MembershipLapsed:
					t.Skip("lapsing is the passing of time, not a move")
				}
				if customer.MembershipMoveAllowed(from, to) {
					require.NoError(t, err)
					require.Equal(t, to, m.Status(when))
					return
				}
				require.ErrorIs(t, err, crm.ErrInvalidTransition)
				require.Equal(t, before, m.Record())
			})
		}
	}
}

func TestMembershipRefusals(t *testing.T) {
	t.Parallel()
	p := testProgramme()
	okIn := customer.MembershipInput{ID: relID(3), Tenant: "acme", Customer: relDealer, Programme: p}
	for _, tc := range []struct {
		name  string
		edit  func(*customer.MembershipInput, *customer.Change)
		field string
	}{
		{"no customer", func(in *customer.MembershipInput, _ *customer.Change) { in.Customer = crm.NilID }, "customer"},
		{"bad programme", func(in *customer.MembershipInput, _ *customer.Change) { in.Programme.TermMonths = 0 }, "programme.term_months"},
		{"unknown tier", func(in *customer.MembershipInput, _ *customer.Change) { in.Tier = "diamond" }, "tier"},
		{"term past year 9999", func(_ *customer.MembershipInput, ch *customer.Change) {
			ch.At = time.Date(9999, 6, 1, 0, 0, 0, 0, time.UTC)
		}, "change.at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in, ch := okIn, relCh(0, "")
			tc.edit(&in, &ch)
			_, err := customer.NewMembership(in, ch)
			requireField(t, err, tc.field)
		})
	}
	for _, tc := range []struct {
		name  string
		do    func(m *customer.Membership) error
		field string
	}{
		{"tier move without reason", func(m *customer.Membership) error { return m.MoveTier(p, "gold", relCh(1, "")) }, "change.reason"},
		{"unknown tier", func(m *customer.Membership) error { return m.MoveTier(p, "diamond", relCh(1, "x")) }, "tier"},
		{"same tier", func(m *customer.Membership) error { return m.MoveTier(p, "silver", relCh(1, "x")) }, "tier"},
		{"another programme", func(m *customer.Membership) error {
			q := p
			q.Name = "venue"
			return m.Renew(q, relCh(1, ""))
		}, "programme.name"},
		{"invalid programme", func(m *customer.Membership) error { return m.Renew(customer.Programme{}, relCh(1, "")) }, "programme.name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newTestMembership(t)
			before := m.Record()
			requireField(t, tc.do(m), tc.field)
			require.Equal(t, before, m.Record())
		})
	}
	m := newTestMembership(t)
	rec := m.Record()
	rec.Tier = "gold"
	_, err := customer.MembershipFromRecord(rec)
	requireField(t, err, "tier")
	rec = m.Record()
	rec.TermEnd = rec.CreatedAt
	_, err = customer.MembershipFromRecord(rec)
	requireField(t, err, "term_end")
}
