package lead_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/memory"
)

// TestServiceCreateInRolledBackTx proves that what Capture and
// CreateCampaign create in a host's transaction that then rolls back is
// handed back unsaved (version 0, events pending), that nothing reaches
// the sink or the outbox, and that the host can store the very value
// afterwards.
func TestServiceCreateInRolledBackTx(t *testing.T) {
	t.Parallel()
	errHost := errors.New("host failure")
	type made struct {
		version func() int64
		events  func() []crm.Event
		get     func(ctx context.Context) error
		store   func(ctx context.Context) error
	}
	cases := []struct {
		name string
		make func(t *testing.T, ctx context.Context, st *memory.Store, s *lead.Service) made
	}{
		{"Capture", func(t *testing.T, ctx context.Context, st *memory.Store, s *lead.Service) made {
			res, err := s.Capture(ctx, captureInput("new@example.com"), chg(0))
			require.NoError(t, err)
			require.Equal(t, lead.ActionCreate, res.Resolution.Action)
			l := res.Lead
			return made{l.Version, l.Events,
				func(ctx context.Context) error { _, err := st.Leads().Get(ctx, tenantA, l.ID()); return err },
				func(ctx context.Context) error { return st.Leads().Create(ctx, l) }}
		}},
		{"CreateCampaign", func(t *testing.T, ctx context.Context, st *memory.Store, s *lead.Service) made {
			c, err := s.CreateCampaign(ctx, lead.CampaignInput{Tenant: tenantA, Name: "Spring fair", Channel: lead.CampaignTradeShow,
				Start: t0, Budget: cny("1000")}, chg(0))
			require.NoError(t, err)
			return made{c.Version, c.Events,
				func(ctx context.Context) error {
					_, err := st.Leads().Campaigns().Get(ctx, tenantA, c.ID())
					return err
				},
				func(ctx context.Context) error { return st.Leads().Campaigns().Create(ctx, c) }}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := memory.New(nil)
			rec := &recorder{}
			s := newSvc(t, st, &lead.Options{Events: rec, Outbox: st})
			var m made
			err := st.InTx(ctx, func(ctx context.Context) error {
				m = tc.make(t, ctx, st, s)
				require.Equal(t, int64(1), m.version(), "saved inside the transaction")
				return errHost
			})
			require.ErrorIs(t, err, errHost)
			require.Equal(t, int64(0), m.version(), "the service's result of a rolled-back transaction is marked saved")
			require.NotEmpty(t, m.events(), "its events are pending again")
			require.Empty(t, rec.types(), "a rolled-back change was published")
			claimed, err := st.ClaimEvents(ctx, storage.ClaimRequest{Tenant: tenantA})
			require.NoError(t, err)
			require.Empty(t, claimed, "a rolled-back change reached the outbox")
			require.ErrorIs(t, m.get(ctx), crm.ErrNotFound)
			require.NoError(t, m.store(ctx), "the host stores the value it got")
			require.Equal(t, int64(1), m.version())
			require.NoError(t, m.get(ctx))
		})
	}
}
