package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// BenchmarkMemberships measures the membership port of the memory store
// over 100 000 members of one programme with three tiers: Get, a page of a
// programme's gold members, and a page of the renewals due in a month.
func BenchmarkMemberships(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	s := memory.New(nil)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := crm.NewSequentialIDs(crm.NewManualClock(at))
	club := customer.Programme{Name: "owners_club", TermMonths: 12, Tiers: []customer.Tier{
		{Name: "silver"}, {Name: "gold", MinPoints: 1000}, {Name: "platinum", MinPoints: 5000}}}
	tiers := []string{"silver", "silver", "gold", "platinum"}
	members := make([]crm.ID, n)
	for i := range n {
		m, err := customer.NewMembership(customer.MembershipInput{ID: must(ids.NewID()), Tenant: "bench",
			Customer: must(ids.NewID()), Programme: club, Tier: tiers[i%len(tiers)]},
			customer.Change{Actor: "bench", At: at.Add(time.Duration(i) * time.Minute)})
		require.NoError(b, err)
		require.NoError(b, s.Memberships().Create(ctx, m))
		members[i] = m.ID()
	}
	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := s.Memberships().Get(ctx, "bench", members[(i*7919)%n]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("ListProgrammeTier", func(b *testing.B) {
		b.ReportAllocs()
		q := customer.MembershipQuery{Programme: "owners_club", Tiers: []string{"gold"}}
		for b.Loop() {
			p, err := s.Memberships().List(ctx, "bench", q, crm.PageRequest{Limit: 50})
			if err != nil || len(p.Items) != 50 {
				b.Fatal(err, len(p.Items))
			}
		}
	})
	b.Run("ListRenewalsDue", func(b *testing.B) {
		b.ReportAllocs()
		q := customer.MembershipQuery{Programme: "owners_club", TermEndsBefore: at.AddDate(1, 1, 0),
			Statuses: []customer.MembershipStatus{customer.MembershipActive}, At: at.AddDate(1, 0, 0).Add(-time.Hour)}
		for b.Loop() {
			p, err := s.Memberships().List(ctx, "bench", q, crm.PageRequest{Limit: 50})
			if err != nil || len(p.Items) != 50 {
				b.Fatal(err, len(p.Items))
			}
		}
	})
}
