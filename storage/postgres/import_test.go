package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
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

// sliceStream returns a next function handing out batch, then io.EOF.
func sliceStream(batch []*customer.Customer) func() (*customer.Customer, error) {
	i := 0
	return func() (*customer.Customer, error) {
		if i == len(batch) {
			return nil, io.EOF
		}
		i++
		return batch[i-1], nil
	}
}

// storedCount counts the customers and history entries of tenant in the
// tables themselves.
func storedCount(t testing.TB, s *postgres.Store, tenant crm.TenantID) (customers, history int) {
	t.Helper()
	pool := pgtest.Pool(t)
	ctx := context.Background()
	schema := pgx.Identifier{s.Schema()}.Sanitize()
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM "+schema+".customers WHERE tenant_id = $1", string(tenant)).Scan(&customers))
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM "+schema+".customer_history WHERE tenant_id = $1", string(tenant)).Scan(&history))
	return customers, history
}

func TestImportCustomerStream(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	imp, ok := s.Customers().(postgres.CustomerStreamImporter)
	require.True(t, ok, "the customer store offers streamed import")

	t.Run("stores all, in several COPY chunks, with progress", func(t *testing.T) {
		t.Parallel()
		a, b := newTenant(), newTenant()
		const n = 70_000 // more than one COPY chunk of 65,536
		batch := importBatch(t, n, a, b)
		var seen []customer.ImportProgress
		rep, err := imp.ImportCustomerStream(ctx, sliceStream(batch), customer.ImportOptions{
			Progress: func(p customer.ImportProgress) { seen = append(seen, p) },
		})
		require.NoError(t, err)
		require.Equal(t, int64(n), rep.Stored)
		require.Empty(t, rep.Rejected)
		require.Greater(t, len(seen), n/1000, "progress after every batch")
		for i := 1; i < len(seen); i++ {
			require.GreaterOrEqual(t, seen[i].Written, seen[i-1].Written)
			require.GreaterOrEqual(t, seen[i].Validated, seen[i].Written)
		}
		last := seen[len(seen)-1]
		require.Equal(t, int64(n), last.Written)
		require.Equal(t, int64(n), last.Validated)
		require.Positive(t, last.Rate)
		for _, ten := range []crm.TenantID{a, b} {
			c, h := storedCount(t, s, ten)
			require.Equal(t, n/2, c)
			require.Equal(t, n/2, h)
		}
		got, err := s.Customers().Get(ctx, batch[n-1].Tenant(), batch[n-1].ID())
		require.NoError(t, err)
		want := batch[n-1].Record()
		want.Version = 1
		require.Equal(t, want, got.Record())
		require.Zero(t, batch[n-1].Version(), "streamed customers are not kept, nor marked saved")
		found, err := s.Customers().FindByContact(ctx, a, []string{"imported.69998@example.com"}, nil, 0)
		require.NoError(t, err)
		require.Len(t, found, 1)
	})

	t.Run("skip invalid lists the refused rows and stores the rest", func(t *testing.T) {
		t.Parallel()
		ten := newTenant()
		batch := importBatch(t, 2000, ten)
		require.NoError(t, batch[3].SetNotes("x\x00"))
		batch[700] = nil
		customerHooks.Saved(batch[1200], 1)
		batch[1500] = clone(t, batch[10]) // the same ID again
		lineErr := crm.Invalid("csv", "line 1801", "unterminated quote")
		i := 0
		next := func() (*customer.Customer, error) {
			switch {
			case i == len(batch):
				return nil, io.EOF
			case i == 1800:
				i++
				return nil, lineErr
			}
			i++
			return batch[i-1], nil
		}
		rep, err := imp.ImportCustomerStream(ctx, next, customer.ImportOptions{Policy: customer.SkipInvalid})
		require.NoError(t, err)
		var idx []int64
		var paths []string
		for _, r := range rep.Rejected {
			idx = append(idx, r.Index)
			var ve *crm.ValidationError
			require.ErrorAs(t, r.Err, &ve)
			paths = append(paths, ve.Fields[0].Path)
		}
		require.Equal(t, []int64{3, 700, 1200, 1500, 1800}, idx)
		require.Equal(t, []string{"customers[3].notes", "customers[700]", "customers[1200].version", "customers[1500].id", "line 1801"}, paths)
		require.Equal(t, int64(2000-5), rep.Stored)
		c, h := storedCount(t, s, ten)
		require.Equal(t, 2000-5, c)
		require.Equal(t, 2000-5, h)
	})

	refused := []struct {
		name    string
		opts    customer.ImportOptions
		breakIt func(t *testing.T, batch []*customer.Customer) func() (*customer.Customer, error)
		is      error
		path    string
	}{
		{"invalid customer, all or nothing", customer.ImportOptions{}, func(t *testing.T, batch []*customer.Customer) func() (*customer.Customer, error) {
			require.NoError(t, batch[len(batch)-2].SetNotes("\x00"))
			return sliceStream(batch)
		}, crm.ErrInvalid, "customers[19998].notes"},
		{"too many refused", customer.ImportOptions{Policy: customer.SkipInvalid, MaxRejected: 2}, func(t *testing.T, batch []*customer.Customer) func() (*customer.Customer, error) {
			batch[5], batch[6], batch[19000] = nil, nil, nil
			return sliceStream(batch)
		}, crm.ErrInvalid, "customers"},
		{"source error", customer.ImportOptions{Policy: customer.SkipInvalid}, func(t *testing.T, batch []*customer.Customer) func() (*customer.Customer, error) {
			next := sliceStream(batch)
			n := 0
			return func() (*customer.Customer, error) {
				if n++; n == 19_000 {
					return nil, io.ErrUnexpectedEOF
				}
				return next()
			}
		}, io.ErrUnexpectedEOF, ""},
	}
	for _, tc := range refused {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			t.Parallel()
			ten := newTenant()
			batch := importBatch(t, 20_000, ten)
			rep, err := imp.ImportCustomerStream(ctx, tc.breakIt(t, batch), tc.opts)
			require.ErrorIs(t, err, tc.is)
			if tc.path != "" {
				var ve *crm.ValidationError
				require.ErrorAs(t, err, &ve)
				require.Equal(t, tc.path, ve.Fields[0].Path)
			}
			require.Zero(t, rep.Stored)
			c, h := storedCount(t, s, ten)
			require.Zero(t, c+h, "nothing stored")
		})
	}

	t.Run("refused/existing ID", func(t *testing.T) {
		t.Parallel()
		ten := newTenant()
		first := importBatch(t, 10, ten)
		require.NoError(t, s.Customers().Create(ctx, first[0]))
		batch := append(importBatch(t, 20_000, ten), clone(t, first[0]))
		_, err := imp.ImportCustomerStream(ctx, sliceStream(batch), customer.ImportOptions{Policy: customer.SkipInvalid})
		require.ErrorIs(t, err, crm.ErrDuplicate)
		c, _ := storedCount(t, s, ten)
		require.Equal(t, 1, c)
	})

	t.Run("cancelled while streaming", func(t *testing.T) {
		t.Parallel()
		ten := newTenant()
		batch := importBatch(t, 30_000, ten)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		next := sliceStream(batch)
		n := 0
		_, err := imp.ImportCustomerStream(cctx, func() (*customer.Customer, error) {
			if n++; n == 20_000 {
				cancel()
			}
			return next()
		}, customer.ImportOptions{})
		require.ErrorIs(t, err, context.Canceled)
		c, h := storedCount(t, s, ten)
		require.Zero(t, c+h)
	})

	t.Run("a panic of next reaches the caller", func(t *testing.T) {
		t.Parallel()
		ten := newTenant()
		batch := importBatch(t, 20_000, ten)
		next := sliceStream(batch)
		n := 0
		require.PanicsWithValue(t, "source broke", func() {
			_, _ = imp.ImportCustomerStream(ctx, func() (*customer.Customer, error) {
				if n++; n == 18_000 {
					panic("source broke")
				}
				return next()
			}, customer.ImportOptions{})
		})
		c, h := storedCount(t, s, ten)
		require.Zero(t, c+h)
		require.Equal(t, 18_000, n, "next is not called after the import returned")
	})

	t.Run("a panic of Progress reaches the caller", func(t *testing.T) {
		t.Parallel()
		ten := newTenant()
		batch := importBatch(t, 20_000, ten)
		require.PanicsWithValue(t, "bar broke", func() {
			_, _ = imp.ImportCustomerStream(ctx, sliceStream(batch), customer.ImportOptions{
				Progress: func(customer.ImportProgress) { panic("bar broke") },
			})
		})
		c, h := storedCount(t, s, ten)
		require.Zero(t, c+h)
	})

	t.Run("rolled back with the transaction", func(t *testing.T) {
		t.Parallel()
		ten := newTenant()
		batch := importBatch(t, 1000, ten)
		boom := errors.New("boom")
		err := s.InTx(ctx, func(ctx context.Context) error {
			rep, err := imp.ImportCustomerStream(ctx, sliceStream(batch), customer.ImportOptions{})
			require.NoError(t, err)
			require.Equal(t, int64(1000), rep.Stored)
			return boom
		})
		require.ErrorIs(t, err, boom)
		c, h := storedCount(t, s, ten)
		require.Zero(t, c+h)
	})

	t.Run("refused/bad options", func(t *testing.T) {
		t.Parallel()
		_, err := imp.ImportCustomerStream(ctx, nil, customer.ImportOptions{})
		require.ErrorIs(t, err, crm.ErrInvalid)
		_, err = imp.ImportCustomerStream(ctx, sliceStream(nil), customer.ImportOptions{Policy: 9})
		require.ErrorIs(t, err, crm.ErrInvalid)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err = imp.ImportCustomerStream(cctx, sliceStream(nil), customer.ImportOptions{})
		require.ErrorIs(t, err, context.Canceled)
	})

	t.Run("empty", func(t *testing.T) {
		t.Parallel()
		rep, err := imp.ImportCustomerStream(ctx, sliceStream(nil), customer.ImportOptions{})
		require.NoError(t, err)
		require.Zero(t, rep.Stored)
	})
}
