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

// referralBench stores n referrals in one tenant, made by n/100 referrers,
// one in ten converted.
func referralBench(b *testing.B, n int) (*memory.Store, []*customer.Referral, []crm.ID) {
	b.Helper()
	ctx := context.Background()
	s := memory.New(nil)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := crm.NewSequentialIDs(crm.NewManualClock(at))
	referrers := make([]crm.ID, max(1, n/100))
	for i := range referrers {
		referrers[i] = must(ids.NewID())
	}
	out := make([]*customer.Referral, n)
	for i := range n {
		r, err := customer.NewReferral(customer.ReferralInput{ID: must(ids.NewID()), Tenant: "bench",
			Referrer: referrers[i%len(referrers)], TargetKind: customer.TargetLead, Target: must(ids.NewID())},
			customer.Change{Actor: "bench", At: at})
		require.NoError(b, err)
		if i%10 == 0 {
			require.NoError(b, r.Convert(crm.MustParseMoney("1000 CNY"), customer.Change{Actor: "bench", At: at.Add(time.Hour)}))
		}
		require.NoError(b, s.Referrals().Create(ctx, r))
		out[i] = r
	}
	return s, out, referrers
}

func must[T any](x T, err error) T {
	if err != nil {
		panic(err)
	}
	return x
}

// BenchmarkReferrals measures the referral port of the memory store over
// 100 000 referrals: Get, a page of one referrer's referrals, and a page
// of converted referrals (the outcome is filtered, not indexed).
func BenchmarkReferrals(b *testing.B) {
	const n = 100_000
	s, refs, referrers := referralBench(b, n)
	ctx := context.Background()
	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := s.Referrals().Get(ctx, "bench", refs[(i*7919)%n].ID()); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("ListByReferrer", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p, err := s.Referrals().List(ctx, "bench", customer.ReferralQuery{Referrer: referrers[i%len(referrers)]}, crm.PageRequest{Limit: 50})
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
			p, err := s.Referrals().List(ctx, "bench", q, crm.PageRequest{Limit: 50})
			if err != nil || len(p.Items) != 50 {
				b.Fatal(err, len(p.Items))
			}
		}
	})
}
