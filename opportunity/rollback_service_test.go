package opportunity_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage"
)

// TestServiceOpenInRolledBackTx proves that an opportunity Open stored in
// a host's transaction that then rolls back is handed back unsaved
// (version 0, stage changes and events pending), that neither the sink
// nor the outbox hears of it, and that the host can store the very value
// afterwards.
func TestServiceOpenInRolledBackTx(t *testing.T) {
	t.Parallel()
	errHost := errors.New("host failure")
	const tenant crm.TenantID = "acme"
	e := newSvEnv(t, nil)
	ctx := context.Background()
	cust := e.customer(t, tenant)
	heard := len(e.sink.all())
	var o *opportunity.Opportunity
	err := e.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		o, err = e.svc.Open(ctx, svInput(tenant, cust), opportunity.Change{Actor: "sales-wang"})
		require.NoError(t, err)
		require.Equal(t, int64(1), o.Version(), "saved inside the transaction")
		return errHost
	})
	require.ErrorIs(t, err, errHost)
	require.Equal(t, int64(0), o.Version(), "the service's result of a rolled-back transaction is marked saved")
	require.NotEmpty(t, o.PendingChanges())
	require.NotEmpty(t, o.Events())
	require.Len(t, e.sink.all(), heard, "a rolled-back change was published")
	claimed, err := e.store.ClaimEvents(ctx, storage.ClaimRequest{Tenant: tenant})
	require.NoError(t, err)
	for _, ev := range claimed {
		require.NotEqual(t, o.ID(), ev.Event.AggregateID, "a rolled-back change reached the outbox")
	}
	_, err = e.store.Opportunities().Get(ctx, tenant, o.ID())
	require.ErrorIs(t, err, crm.ErrNotFound)
	require.NoError(t, e.store.Opportunities().Create(ctx, o), "the host stores the value it got")
	require.Equal(t, int64(1), o.Version())
}
