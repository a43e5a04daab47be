package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// BenchmarkReferrals measures the referral port over 5000 referrals of one
// tenant by 50 referrers, one in ten converted: Get, a page of one
// referrer's referrals, and a page of converted referrals.
func BenchmarkReferrals(b *testing.B) {
	s := newStore(b, nil)
	ctx := context.Background()
	ten := newTenant()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := crm.NewSequentialIDs(crm.NewManualClock(at))
	newID := func() crm.ID {
		id, err := ids.NewID()
		require.NoError(b, err)
		return id
	}
	referrers := make([]crm.ID, 50)
	for i := range referrers {
		referrers[i] = newID()
	}
	const n = 5000
	refs := make([]crm.ID, n)
	for i := range n {
		r, err := customer.NewReferral(customer.ReferralInput{ID: newID(), Tenant: ten, Referrer: referrers[i%len(referrers)],
			TargetKind: customer.TargetLead, Target: newID()}, customer.Change{Actor: "bench", At: at})
		require.NoError(b, err)
		if i%10 == 0 {
			require.NoError(b, r.Convert(crm.MustParseMoney("1000 CNY"), customer.Change{Actor: "bench", At: at.Add(time.Hour)}))
		}
		require.NoError(b, s.Referrals().Create(ctx, r))
		refs[i] = r.ID()
	}
	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := s.Referrals().Get(ctx, ten, refs[(i*7919)%n]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("ListByReferrer", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p, err := s.Referrals().List(ctx, ten, customer.ReferralQuery{Referrer: referrers[i%len(referrers)]}, crm.PageRequest{Limit: 50})
			if err != nil || len(p.Items) != 50 {
				b.Fatal(err, len(p.Items))
			}
			i++
		}
	})
	b.Run("ListConverted", func(b *testing.B) {
		b.ReportAllocs()
		q := customer.ReferralQuery{Outcomes: []customer.ReferralOutcome{customer.ReferralConverted}}
		for b.Loop() {
			p, err := s.Referrals().List(ctx, ten, q, crm.PageRequest{Limit: 50})
			if err != nil || len(p.Items) != 50 {
				b.Fatal(err, len(p.Items))
			}
		}
	})
}
