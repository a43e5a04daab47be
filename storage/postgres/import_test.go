package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
)

// importBatch builds n valid new customers spread over the tenants.
func importBatch(t testing.TB, n int, tenants ...crm.TenantID) []*customer.Customer {
	t.Helper()
	out := make([]*customer.Customer, n)
	for i := range out {
		out[i] = newCustomer(t, tenants[i%len(tenants)], custOpts{
			name:   fmt.Sprintf("Imported %d", i),
			owner:  crm.UserID(fmt.Sprintf("owner-%d", i%7)),
			emails: []string{fmt.Sprintf("imported.%d@example.com", i)},
			phones: []string{fmt.Sprintf("+44 20 79%02d %04d", i%100, i%10000)},
		})
	}
	return out
}

func TestImportCustomers(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	imp, ok := s.Customers().(postgres.CustomerImporter)
	require.True(t, ok, "the customer store offers bulk import")
	a, b := newTenant(), newTenant()

	t.Run("stores all", func(t *testing.T) {
		batch := importBatch(t, 300, a, b)
		require.NoError(t, imp.ImportCustomers(ctx, batch))
		for _, c := range batch {
			require.Equal(t, int64(1), c.Version())
			require.Empty(t, c.PendingHistory())
		}
		for _, c := range []*customer.Customer{batch[0], batch[151], batch[299]} {
			got, err := s.Customers().Get(ctx, c.Tenant(), c.ID())
			require.NoError(t, err)
			require.Equal(t, c.Record(), got.Record())
			h, err := s.Customers().History(ctx, c.Tenant(), c.ID(), crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, h.Items, 1)
			require.Equal(t, customer.HistoryCreated, h.Items[0].Kind)
		}
		// Indexed columns are maintained: search and duplicate look-up
		// find imported customers.
		found, err := s.Customers().FindByContact(ctx, a, []string{"imported.2@example.com"}, nil, 0)
		require.NoError(t, err)
		require.Len(t, found, 1)
		require.Equal(t, batch[2].ID(), found[0].ID())
		q := customer.Query{Text: "IMPORTED 29"}
		var want []crm.ID
		for _, c := range batch {
			if c.Tenant() == b && q.Matches(c) {
				want = append(want, c.ID())
			}
		}
		require.Len(t, want, 8) // 29, 129, 229, 291, 293, 295, 297, 299
		p, err := s.Customers().List(ctx, b, q, crm.PageRequest{Limit: 100})
		require.NoError(t, err)
		var got []crm.ID
		for _, c := range p.Items {
			got = append(got, c.ID())
		}
		require.Equal(t, want, got)
	})

	refused := []struct {
		name string
		edit func(batch []*customer.Customer) []*customer.Customer
		want error
		path string
	}{
		{"nil customer", func(b []*customer.Customer) []*customer.Customer { b[3] = nil; return b }, crm.ErrInvalid, "customers[3]"},
		{"saved customer", func(b []*customer.Customer) []*customer.Customer { customerHooks.Saved(b[4], 1); return b }, crm.ErrInvalid, "customers[4].version"},
		{"NUL in notes", func(b []*customer.Customer) []*customer.Customer {
			require.NoError(t, b[5].SetNotes("x\x00"))
			return b
		}, crm.ErrInvalid, "customers[5].notes"},
		{"twice in the batch", func(b []*customer.Customer) []*customer.Customer {
			return append(b, clone(t, b[1]))
		}, crm.ErrInvalid, "customers[10].id"},
	}
	for _, tc := range refused {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			batch := tc.edit(importBatch(t, 10, a))
			err := imp.ImportCustomers(ctx, batch)
			require.ErrorIs(t, err, tc.want)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "problems: %v", ve.Fields)
			requireNothingStored(t, s, batch)
		})
	}
	t.Run("refused/existing ID", func(t *testing.T) {
		c := newCustomer(t, a, custOpts{})
		require.NoError(t, s.Customers().Create(ctx, c))
		batch := append(importBatch(t, 20, a), clone(t, c))
		err := imp.ImportCustomers(ctx, batch)
		require.ErrorIs(t, err, crm.ErrDuplicate)
		requireNoDriverError(t, err)
		requireNothingStored(t, s, batch[:20])
		for _, c := range batch {
			require.Zero(t, c.Version())
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		batch := importBatch(t, 5, a)
		require.ErrorIs(t, imp.ImportCustomers(cctx, batch), context.Canceled)
		requireNothingStored(t, s, batch)
	})
	t.Run("rolled back with the transaction", func(t *testing.T) {
		batch := importBatch(t, 5, a)
		boom := fmt.Errorf("boom")
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := imp.ImportCustomers(ctx, batch); err != nil {
				return err
			}
			got, err := s.Customers().Get(ctx, a, batch[0].ID())
			require.NoError(t, err, "visible inside the transaction")
			require.Equal(t, batch[0].Name(), got.Name())
			return boom
		})
		require.ErrorIs(t, err, boom)
		requireNothingStored(t, s, batch)
	})
	// Batches this large are validated by several goroutines, each on a
	// chunk of its own: problems are still reported by index, in order,
	// capped, and nothing is stored.
	t.Run("refused/large batch", func(t *testing.T) {
		ten := newTenant()
		batch := importBatch(t, 6000, ten)
		require.NoError(t, batch[10].SetNotes("x\x00"))
		batch[2999] = nil
		customerHooks.Saved(batch[3000], 1)
		require.NoError(t, batch[5999].SetNotes("\x00"))
		err := imp.ImportCustomers(ctx, batch)
		require.ErrorIs(t, err, crm.ErrInvalid)
		var ve *crm.ValidationError
		require.ErrorAs(t, err, &ve)
		var paths []string
		for _, f := range ve.Fields {
			paths = append(paths, f.Path)
		}
		require.Equal(t, []string{"customers[10].notes", "customers[2999]", "customers[3000].version", "customers[5999].notes"}, paths)
		p, err := s.Customers().List(ctx, ten, customer.Query{}, crm.PageRequest{Limit: 1})
		require.NoError(t, err)
		require.Empty(t, p.Items)
	})
	t.Run("refused/too many problems", func(t *testing.T) {
		ten := newTenant()
		batch := importBatch(t, 5000, ten)
		for i := 0; i < len(batch); i += 20 {
			batch[i] = nil
		}
		err := imp.ImportCustomers(ctx, batch)
		var ve *crm.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Len(t, ve.Fields, postgres.MaxImportProblems+1)
		require.Equal(t, "customers[1980]", ve.Fields[postgres.MaxImportProblems-1].Path)
		require.Equal(t, "customers", ve.Fields[postgres.MaxImportProblems].Path)
		p, err := s.Customers().List(ctx, ten, customer.Query{}, crm.PageRequest{Limit: 1})
		require.NoError(t, err)
		require.Empty(t, p.Items)
	})
	t.Run("empty", func(t *testing.T) {
		require.NoError(t, imp.ImportCustomers(ctx, nil))
	})
}

func requireNothingStored(t testing.TB, s *postgres.Store, batch []*customer.Customer) {
	t.Helper()
	for _, c := range batch {
		if c == nil {
			continue
		}
		_, err := s.Customers().Get(context.Background(), c.Tenant(), c.ID())
		require.ErrorIs(t, err, crm.ErrNotFound)
	}
}
