package csvio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

// lister serves contacts in pages of size, recording how much out held
// when each page was asked for; it fails the page failAt (from 1).
type lister struct {
	items   []contact
	size    int
	failAt  int
	out     *bytes.Buffer
	written []int
	tenants []crm.TenantID
	queries []string
}

func (l *lister) List(_ context.Context, tenant crm.TenantID, q string, page crm.PageRequest) (crm.Page[contact], error) {
	l.tenants = append(l.tenants, tenant)
	l.queries = append(l.queries, q)
	if l.out != nil {
		l.written = append(l.written, l.out.Len())
	}
	if len(l.tenants) == l.failAt {
		return crm.Page[contact]{}, fmt.Errorf("lister: %w", crm.ErrUnavailable)
	}
	k := 0
	if page.Cursor != "" {
		if _, err := fmt.Sscanf(page.Cursor, "%d", &k); err != nil {
			return crm.Page[contact]{}, crm.Invalid("lister", "cursor", "not ours")
		}
	}
	var p crm.Page[contact]
	end := min(k+l.size, len(l.items))
	p.Items = l.items[k:end]
	if end < len(l.items) {
		p.Next = fmt.Sprint(end)
	}
	return p, nil
}

func contacts(n int) []contact {
	var out []contact
	for i := range n {
		out = append(out, contact{Name: fmt.Sprintf("Name %d, Jr", i), Emails: []string{fmt.Sprintf("p%d@x", i), "q@x"}, Note: "said \"hi\"\ntwice"})
	}
	return out
}

func TestExport(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	src := &lister{items: contacts(7), size: 3, out: &out}
	l := layout()
	l.Columns = append(l.Columns, Column{Header: "Unmapped"})
	n, err := Export(context.Background(), testFormat(), &out, src, "t1", "q", l, nil, cell)
	require.NoError(t, err)
	require.Equal(t, 7, n)
	require.Equal(t, []crm.TenantID{"t1", "t1", "t1"}, src.tenants)
	require.Equal(t, []string{"q", "q", "q"}, src.queries)
	for i := 1; i < len(src.written); i++ {
		require.Greater(t, src.written[i], src.written[i-1], "page %d was written out before page %d was asked for", i-1, i)
	}
	head, body, _ := strings.Cut(out.String(), "\n")
	require.Equal(t, "Name,Email,Note,Unmapped", head)
	require.True(t, strings.HasPrefix(body, "\"Name 0, Jr\",p0@x;q@x,\"said \"\"hi\"\"\ntwice\",\n"), body)

	// What Export writes reads back the same.
	l.Columns = l.Columns[:3]
	got, bad := readAll(t, newReader(t, bytes.NewReader(out.Bytes()), l))
	require.Empty(t, bad)
	for i := range got {
		got[i].ID = crm.ID{}
	}
	require.Equal(t, contacts(7), got)
}

func TestExportWithoutHeaderOrItems(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	l := Layout{Comma: '\t', ListSep: "|", Columns: []Column{{Field: "email"}, {Field: "name"}}}
	n, err := Export(context.Background(), testFormat(), &out, &lister{items: contacts(2), size: 5}, "t1", "", l, nil, cell)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Equal(t, "p0@x|q@x\tName 0, Jr\np1@x|q@x\tName 1, Jr\n", out.String())

	out.Reset()
	n, err = Export(context.Background(), testFormat(), &out, &lister{size: 5}, "t1", "", layout(), nil, cell)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Equal(t, "Name,Email,Note\n", out.String())
}

// failingWriter accepts ok bytes, then fails.
type failingWriter struct {
	ok int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.ok {
		n := w.ok
		w.ok = 0
		return n, errDisk
	}
	w.ok -= len(p)
	return len(p), nil
}

func TestExportFails(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		w       *failingWriter
		failAt  int
		items   int
		n       int
		wantErr error
	}{
		{"writer fails at once: the first page is counted", &failingWriter{}, 0, 7, 3, errDisk},
		{"writer fails on the first page", &failingWriter{ok: 20}, 0, 7, 3, errDisk},
		{"writer fails on a long page", &failingWriter{ok: 5000}, 0, 400, 0, errDisk},
		{"writer fails on the last page", &failingWriter{ok: 200}, 0, 7, 6, errDisk},
		{"list fails on the second page", &failingWriter{ok: 1 << 20}, 2, 7, 3, crm.ErrUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := &lister{items: contacts(tc.items), size: 3, failAt: tc.failAt}
			if tc.items > 7 {
				src.size = 400
			}
			n, err := Export(context.Background(), testFormat(), tc.w, src, "t1", "", layout(), nil, cell)
			require.ErrorIs(t, err, tc.wantErr)
			require.Contains(t, err.Error(), "testcsv: export: ")
			if tc.name == "writer fails on a long page" {
				require.Less(t, n, 400, "counts only what was handed to the writer")
				return
			}
			require.Equal(t, tc.n, n)
		})
	}
}

func TestExportRefuses(t *testing.T) {
	t.Parallel()
	var src Lister[contact, string]
	mappingErr := crm.Invalid("testcsv.Mapping", "columns", "at least one column is required")
	_, err := Export(context.Background(), testFormat(), nil, src, "", "", Layout{}, mappingErr, cell)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "testcsv.Export", ve.Op)
	var paths []string
	for _, fe := range ve.Fields {
		paths = append(paths, fe.Path)
	}
	require.Equal(t, []string{"w", "src", "tenant", "mapping.columns"}, paths)
	require.True(t, errors.Is(err, crm.ErrInvalid))
}
