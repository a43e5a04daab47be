package complaint_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// TestServiceReceiveInRolledBackTx proves that a complaint Receive stored
// in a host's transaction that then rolls back is handed back unsaved
// (version 0, audit entries and events pending), that the sink hears
// nothing, and that the host can store the very value afterwards.
func TestServiceReceiveInRolledBackTx(t *testing.T) {
	t.Parallel()
	errHost := errors.New("host failure")
	e := newSaEnv(t, nil)
	ctx := context.Background()
	cust := e.customer(t, saTenant, "Wang Fang")
	e.sink.reset()
	var c *complaint.Complaint
	err := e.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		c, err = e.svc.Receive(ctx, saInput(saTenant, cust), complaint.Change{Actor: saAgent})
		require.NoError(t, err)
		require.Equal(t, int64(1), c.Version(), "saved inside the transaction")
		return errHost
	})
	require.ErrorIs(t, err, errHost)
	require.Equal(t, int64(0), c.Version(), "the service's result of a rolled-back transaction is marked saved")
	require.NotEmpty(t, c.PendingAudit())
	require.NotEmpty(t, c.Events())
	require.Empty(t, e.sink.types(), "a rolled-back change was published")
	_, err = e.store.Complaints().Get(ctx, saTenant, c.ID())
	require.ErrorIs(t, err, crm.ErrNotFound)
	require.NoError(t, e.store.Complaints().Create(ctx, c), "the host stores the value it got")
	require.Equal(t, int64(1), c.Version())
	audit, err := e.store.Complaints().Audit(ctx, saTenant, c.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.NotEmpty(t, audit.Items)
}
