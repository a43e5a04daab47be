package memory_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/memory"
	"github.com/crmkit/crm/storage/storagetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storagetest.Run(t, func(testing.TB) storage.Store { return memory.New(nil) }, storagetest.Features{TxBlocksTenant: true})
}

// TestZeroCustomerRefused proves that the zero Customer (not built by
// customer.New or customer.FromRecord) is refused, not a panic.
func TestZeroCustomerRefused(t *testing.T) {
	t.Parallel()
	s := memory.New(nil)
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"Create": func() error { return s.Customers().Create(ctx, &customer.Customer{}) },
		"Save":   func() error { return s.Customers().Save(ctx, &customer.Customer{}) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, call(), crm.ErrInvalid)
		})
	}
}
