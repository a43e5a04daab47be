package opportunity_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage/memory"
)

// liar is a store that hands back whatever it holds, and counts calls.
type liar struct {
	opportunity.Store
	give  *opportunity.Opportunity
	calls int
}

func (l *liar) Get(context.Context, crm.TenantID, crm.ID) (*opportunity.Opportunity, error) {
	l.calls++
	return l.give.Clone(), nil
}

func (l *liar) Update(_ context.Context, _ crm.TenantID, _ crm.ID, fn func(*opportunity.Opportunity) error) (*opportunity.Opportunity, error) {
	l.calls++
	x := l.give.Clone()
	if err := fn(x); err != nil {
		return nil, err
	}
	return x, nil
}

func TestGuard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	require.Nil(t, opportunity.Guard(nil))
	g := opportunity.Guard(memory.New(nil).Opportunities())
	require.Same(t, g, opportunity.Guard(g), "Guard of a guarded store is the same store")

	p := testPipeline(t)
	l := &liar{give: newOpp(t, p)}
	lg := opportunity.Guard(l)
	_, err := lg.Get(ctx, "globex", idOpp)
	require.ErrorIs(t, err, crm.ErrCorrupt, "another tenant's record")
	_, err = lg.Get(ctx, tenantA, idCust)
	require.ErrorIs(t, err, crm.ErrCorrupt, "another record")
	_, err = lg.Update(ctx, "globex", idOpp, func(*opportunity.Opportunity) error { return nil })
	require.ErrorIs(t, err, crm.ErrCorrupt)
	calls := l.calls

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = lg.Get(cancelled, tenantA, idOpp)
	require.ErrorIs(t, err, context.Canceled)
	_, err = lg.Get(ctx, tenantA, crm.NilID)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = lg.Get(ctx, "bad tenant", idOpp)
	require.ErrorIs(t, err, crm.ErrInvalid)
	require.Equal(t, calls, l.calls, "refused calls never reach the store")
}

func TestGuardRefusesWhatNoStoreKeeps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := testPipeline(t)
	for name, mutate := range map[string]func(r *opportunity.Record){
		"NULInSegment": func(r *opportunity.Record) { r.Segment = "retail\x00" },
		"NULInNextStep": func(r *opportunity.Record) {
			r.NextStep = opportunity.NextStep{Text: "call\x00", Due: date(2026, 4, 1)}
		},
		"HugeCompetitor": func(r *opportunity.Record) {
			r.Competitors = []opportunity.Competitor{{Name: "X", Strengths: strings.Repeat("s", opportunity.MaxTextLen+1), Status: opportunity.CompetitorActive}}
		},
		"BadUTF8Notes": func(r *opportunity.Record) {
			r.Competitors = []opportunity.Competitor{{Name: "X", Weaknesses: "\xff", Status: opportunity.CompetitorActive}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := memory.New(nil)
			o := newOpp(t, p)
			require.NoError(t, s.Opportunities().Create(ctx, o))
			_, err := s.Opportunities().Update(ctx, tenantA, idOpp, func(x *opportunity.Opportunity) error {
				r := x.Record()
				mutate(&r)
				y, err := opportunity.FromRecord(r)
				if err != nil {
					return err
				}
				*x = *y
				return nil
			})
			require.ErrorIs(t, err, crm.ErrInvalid)
			got, err := s.Opportunities().Get(ctx, tenantA, idOpp)
			require.NoError(t, err)
			require.Equal(t, int64(1), got.Version(), "nothing stored")
		})
	}
	t.Run("PartialHistoryOnCreate", func(t *testing.T) {
		t.Parallel()
		r := newOpp(t, p).Record()
		r.Seq = 3
		o, err := opportunity.FromRecord(r)
		require.NoError(t, err)
		require.ErrorIs(t, memory.New(nil).Opportunities().Create(ctx, o), crm.ErrInvalid)
	})
}
