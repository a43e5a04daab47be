package customer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// streamOf returns a next function handing out cs, then io.EOF.
func streamOf(cs []*customer.Customer) func() (*customer.Customer, error) {
	i := 0
	return func() (*customer.Customer, error) {
		if i == len(cs) {
			return nil, io.EOF
		}
		i++
		return cs[i-1], nil
	}
}

// recordingStream is a store with its own StreamImporter that records what
// the guard hands it.
type recordingStream struct {
	customer.Store
	got    []*customer.Customer
	policy customer.ImportPolicy
	calls  int
}

func (r *recordingStream) ImportCustomerStream(ctx context.Context, next func() (*customer.Customer, error), opts customer.ImportOptions) (customer.ImportReport, error) {
	r.calls++
	r.policy = opts.Policy
	for {
		c, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return customer.ImportReport{}, fmt.Errorf("recording store: %w", err)
		}
		r.got = append(r.got, c)
		if opts.Progress != nil {
			opts.Progress(customer.ImportProgress{Written: int64(len(r.got))})
		}
	}
	return customer.ImportReport{Stored: int64(len(r.got))}, nil
}

// streamBatch builds n valid new customers, IDs from base.
func streamBatch(t testing.TB, base, n int) []*customer.Customer {
	t.Helper()
	out := make([]*customer.Customer, n)
	for i := range out {
		out[i] = guardBuild(t, guardRecord(t, base+i))
	}
	return out
}

func TestImportStreamGuard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bad := guardBadRecords()

	t.Run("skip invalid: the store sees only checked customers, the report the rest", func(t *testing.T) {
		t.Parallel()
		cs := streamBatch(t, 100, 10)
		for i, b := range bad[:3] {
			r := guardRecord(t, 200+i)
			b.mod(&r)
			cs = append(cs, guardBuild(t, r))
		}
		cs = append(cs, nil, cs[0])
		rec := &recordingStream{Store: memory.New(nil).Customers()}
		lineErr := crm.Invalid("csv", "line 9", "bad quote")
		next := streamOf(cs)
		n := 0
		var progress []customer.ImportProgress
		rep, err := customer.Guard(rec).(customer.StreamImporter).ImportCustomerStream(ctx, func() (*customer.Customer, error) {
			if n++; n == 5 {
				return nil, lineErr
			}
			return next()
		}, customer.ImportOptions{Policy: customer.SkipInvalid, Progress: func(p customer.ImportProgress) { progress = append(progress, p) }})
		require.NoError(t, err)
		require.Equal(t, 1, rec.calls)
		require.Equal(t, customer.AllOrNothing, rec.policy, "the store is handed only customers it must store")
		require.Len(t, rec.got, 10)
		require.Equal(t, int64(10), rep.Stored)
		var idx []int64
		for _, r := range rep.Rejected {
			idx = append(idx, r.Index)
		}
		require.Equal(t, []int64{4, 11, 12, 13, 14, 15}, idx)
		require.ErrorIs(t, rep.Rejected[0].Err, lineErr)
		guardPath(t, rep.Rejected[1].Err, "customers[11]."+bad[0].path)
		guardPath(t, rep.Rejected[4].Err, "customers[14]")
		guardPath(t, rep.Rejected[5].Err, "customers[15].id")
		last := progress[len(progress)-1]
		require.Equal(t, int64(10), last.Written)
		require.Equal(t, int64(1), progress[0].Written)
		require.Equal(t, int64(1), progress[0].Validated, "the guard counts what it checked")
		require.GreaterOrEqual(t, last.Validated, int64(11))
		require.Equal(t, int64(1), progress[4].Rejected)
	})

	t.Run("all or nothing: the first refused customer ends the import", func(t *testing.T) {
		t.Parallel()
		cs := streamBatch(t, 300, 5)
		r := guardRecord(t, 399)
		bad[1].mod(&r)
		cs = append(append(cs, guardBuild(t, r)), streamBatch(t, 400, 3)...)
		rec := &recordingStream{Store: memory.New(nil).Customers()}
		rep, err := customer.Guard(rec).(customer.StreamImporter).ImportCustomerStream(ctx, streamOf(cs), customer.ImportOptions{})
		guardPath(t, err, "customers[5]."+bad[1].path)
		require.Zero(t, rep.Stored)
		require.Len(t, rec.got, 5, "nothing after the refused customer reaches the store")
	})

	t.Run("too many refused", func(t *testing.T) {
		t.Parallel()
		cs := append(streamBatch(t, 500, 3), nil, nil, nil)
		rec := &recordingStream{Store: memory.New(nil).Customers()}
		_, err := customer.Guard(rec).(customer.StreamImporter).ImportCustomerStream(ctx, streamOf(cs),
			customer.ImportOptions{Policy: customer.SkipInvalid, MaxRejected: 2})
		guardPath(t, err, "customers")
	})

	t.Run("a source error ends the import", func(t *testing.T) {
		t.Parallel()
		rec := &recordingStream{Store: memory.New(nil).Customers()}
		_, err := customer.Guard(rec).(customer.StreamImporter).ImportCustomerStream(ctx, func() (*customer.Customer, error) {
			return nil, io.ErrUnexpectedEOF
		}, customer.ImportOptions{Policy: customer.SkipInvalid})
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		require.Contains(t, err.Error(), "customers[0]")
	})

	t.Run("a store without StreamImporter gets Create, atomic in a transaction", func(t *testing.T) {
		t.Parallel()
		s := memory.New(nil)
		imp := s.Customers().(customer.StreamImporter)
		cs := streamBatch(t, 600, 2500)
		var written []int64
		rep, err := imp.ImportCustomerStream(ctx, streamOf(cs), customer.ImportOptions{
			Progress: func(p customer.ImportProgress) { written = append(written, p.Written) },
		})
		require.NoError(t, err)
		require.Equal(t, int64(2500), rep.Stored)
		require.Equal(t, []int64{1000, 2000, 2500}, written)
		got, err := s.Customers().Get(ctx, cs[2499].Tenant(), cs[2499].ID())
		require.NoError(t, err)
		require.Equal(t, cs[2499].ID(), got.ID())

		more := append(streamBatch(t, 4000, 1500), guardBuild(t, guardRecord(t, 600))) // an existing ID last
		err = s.InTx(ctx, func(ctx context.Context) error {
			_, err := imp.ImportCustomerStream(ctx, streamOf(more), customer.ImportOptions{})
			return err
		})
		require.ErrorIs(t, err, crm.ErrDuplicate)
		_, err = s.Customers().Get(ctx, more[0].Tenant(), more[0].ID())
		require.ErrorIs(t, err, crm.ErrNotFound, "rolled back whole")
	})

	t.Run("bad arguments", func(t *testing.T) {
		t.Parallel()
		imp := memory.New(nil).Customers().(customer.StreamImporter)
		_, err := imp.ImportCustomerStream(ctx, nil, customer.ImportOptions{})
		guardPath(t, err, "next")
		_, err = imp.ImportCustomerStream(ctx, streamOf(nil), customer.ImportOptions{Policy: 3})
		guardPath(t, err, "policy")
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err = imp.ImportCustomerStream(cctx, streamOf(nil), customer.ImportOptions{})
		require.ErrorIs(t, err, context.Canceled)
	})
}

func TestImportPolicy(t *testing.T) {
	t.Parallel()
	for _, p := range []customer.ImportPolicy{customer.AllOrNothing, customer.SkipInvalid} {
		got, err := customer.ParseImportPolicy(p.String())
		require.NoError(t, err)
		require.Equal(t, p, got)
	}
	require.Equal(t, "skip_invalid", customer.SkipInvalid.String())
	require.Equal(t, "ImportPolicy(7)", customer.ImportPolicy(7).String())
	require.False(t, customer.ImportPolicy(7).Valid())
	_, err := customer.ParseImportPolicy("Skip_Invalid")
	require.ErrorIs(t, err, crm.ErrInvalid)
}
