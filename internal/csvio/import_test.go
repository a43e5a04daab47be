package csvio

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

var errRejected = errors.New("rows rejected")

func newImport(t testing.TB, src string, s *store, b Batching) *Import[string, contact, *rowError] {
	t.Helper()
	return &Import[string, contact, *rowError]{
		Rows:        newReader(t, strings.NewReader(src), layout()),
		InTx:        s.InTx,
		Write:       s.write,
		Batching:    b,
		ErrRejected: errRejected,
	}
}

func names(cs []contact) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func TestImport(t *testing.T) {
	t.Parallel()
	const good = "Name,Email,Note\nA,,\nB,,\n\nC,,\nD,,\nE,,\n"
	const withBad = "Name,Email,Note\nA,,\n,x@y,\nC,,\nD,bad,\nE,,\n"
	cases := []struct {
		name     string
		src      string
		b        Batching
		failAt   int
		err      error
		stored   []string
		batches  []int
		rejected []int // lines listed
		result   Result[*rowError]
	}{
		{"all good, default batch size", good, Batching{}, 0, nil,
			[]string{"A", "B", "C", "D", "E"}, []int{2, 2, 1}, nil, Result[*rowError]{Rows: 5, Imported: 5}},
		{"all good, one batch", good, Batching{Size: 4}, 0, nil,
			[]string{"A", "B", "C", "D", "E"}, []int{4, 1}, nil, Result[*rowError]{Rows: 5, Imported: 5}},
		{"all or nothing reads on and stores nothing", withBad, Batching{}, 0, errRejected,
			nil, []int{}, []int{3, 5}, Result[*rowError]{Rows: 5, RejectedCount: 2}},
		{"skip invalid stores the good rows", withBad, Batching{SkipInvalid: true}, 0, nil,
			[]string{"A", "C", "E"}, []int{2, 1}, []int{3, 5}, Result[*rowError]{Rows: 5, Imported: 3, RejectedCount: 2}},
		{"the list of rejected rows is bounded, the count is not", withBad, Batching{SkipInvalid: true, MaxRejected: 1}, 0, nil,
			[]string{"A", "C", "E"}, []int{2, 1}, []int{3}, Result[*rowError]{Rows: 5, Imported: 3, RejectedCount: 2}},
		{"a failing write stores nothing", good, Batching{}, 2, errDisk,
			nil, []int{2, 2}, nil, Result[*rowError]{Rows: 4}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &store{failAt: tc.failAt}
			var progress []Progress
			im := newImport(t, tc.src, s, tc.b)
			im.Progress = func(p Progress) { progress = append(progress, p) }
			res, err := im.Run(context.Background())
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, append([]int{}, tc.rejected...), lines(res.Rejected), "%v", res.Rejected)
			res.Rejected = nil
			require.Equal(t, tc.result, res)
			require.Equal(t, append([]string{}, tc.stored...), names(s.committed))
			require.Equal(t, tc.batches, append([]int{}, s.batches...))
			// A call per written batch, and one at the end.
			require.Len(t, progress, len(tc.batches)-min(tc.failAt, 1)+1)
			last := progress[len(progress)-1]
			require.Equal(t, res.Imported, last.Stored, "the last call tells what was stored")
			require.Equal(t, res.Rows, last.Rows)
			require.Equal(t, res.RejectedCount, last.Rejected)
		})
	}
}

func TestImportAllOrNothingError(t *testing.T) {
	t.Parallel()
	s := &store{}
	_, err := newImport(t, "Name,Email,Note\nA,,\n,,x\n", s, Batching{}).Run(context.Background())
	require.ErrorIs(t, err, errRejected)
	require.EqualError(t, err, "testcsv: import: 1 of 2 rows rejected, nothing stored: rows rejected")
}

func TestImportCancelled(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		bad  bool
		b    Batching
	}{
		{"good rows", false, Batching{Size: 4}},
		{"every row rejected, nothing written", true, Batching{SkipInvalid: true}},
		{"all or nothing after a rejected row", true, Batching{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			src := &rows{n: 1_000_000, bad: tc.bad, hook: func(row int) {
				if row == 100 {
					cancel()
				}
			}}
			rd, err := NewReader(testFormat(), src, Layout{Columns: []Column{{Field: "name"}, {Field: "email"}}}, nil, origin(), build(";"))
			require.NoError(t, err)
			s := &store{}
			var last Progress
			res, err := (&Import[string, contact, *rowError]{Rows: rd, InTx: s.InTx, Write: s.write, Batching: tc.b, ErrRejected: errRejected,
				Progress: func(p Progress) { last = p }}).Run(ctx)
			require.ErrorIs(t, err, context.Canceled)
			require.Contains(t, err.Error(), "testcsv: import: ")
			require.Empty(t, s.committed)
			require.Less(t, src.next, 1000, "the import stops within a buffer of the cancellation")
			require.Less(t, res.Rows, 1000)
			require.Zero(t, res.Imported)
			require.Zero(t, last.Stored)
		})
	}
	s := &store{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newImport(t, "Name,Email,Note\nA,,\n", s, Batching{}).Run(ctx)
	require.ErrorIs(t, err, context.Canceled, "a context cancelled before the start")
	require.Empty(t, s.batches)
}

func TestImportFailingReader(t *testing.T) {
	t.Parallel()
	s := &store{}
	im := &Import[string, contact, *rowError]{
		Rows:  newReader(t, &failAfter{src: strings.NewReader("Name\nA\nB\nC\n"), err: errDisk}, nameOnly()),
		InTx:  s.InTx,
		Write: s.write,
	}
	res, err := im.Run(context.Background())
	require.ErrorIs(t, err, errDisk)
	require.Equal(t, 3, res.Rows)
	require.Equal(t, []int{2}, s.batches, "a batch was written before the failure")
	require.Empty(t, s.committed, "and undone with the transaction")
}

func TestImportRetriedTransaction(t *testing.T) {
	t.Parallel()
	// A store whose InTx runs fn twice (a retry): the stored count is
	// the last run's.
	s := &store{}
	im := newImport(t, "Name,Email,Note\nA,,\nB,,\nC,,\n", s, Batching{})
	im.InTx = func(ctx context.Context, fn func(context.Context) error) error {
		if err := s.InTx(ctx, fn); err != nil {
			return err
		}
		s.committed = nil
		return s.InTx(ctx, fn)
	}
	res, err := im.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, len(s.committed), res.Imported)
}

func TestCheckBatching(t *testing.T) {
	t.Parallel()
	f := testFormat()
	cases := []struct {
		name  string
		in    Batching
		want  Batching
		paths []string
	}{
		{"defaults", Batching{}, Batching{Size: 2, MaxRejected: 3}, nil},
		{"given", Batching{SkipInvalid: true, Size: 4, MaxRejected: 1}, Batching{SkipInvalid: true, Size: 4, MaxRejected: 1}, nil},
		{"too big", Batching{Size: 5}, Batching{Size: 5, MaxRejected: 3}, []string{"batch_size"}},
		{"negative", Batching{Size: -1, MaxRejected: -1}, Batching{Size: -1, MaxRejected: -1}, []string{"batch_size", "max_rejected"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var v crm.Validator
			require.Equal(t, tc.want, f.CheckBatching(&v, tc.in))
			err := v.Err("testcsv.ImportOptions")
			if tc.paths == nil {
				require.NoError(t, err)
				return
			}
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			for _, p := range tc.paths {
				require.True(t, ve.Has(p), "%v", ve.Fields)
			}
			require.Len(t, ve.Fields, len(tc.paths))
		})
	}
}

func TestProgressRate(t *testing.T) {
	t.Parallel()
	require.Zero(t, Progress{Rows: 10}.Rate())
	require.InDelta(t, 5.0, Progress{Rows: 10, Elapsed: 2e9}.Rate(), 1e-9)
}
