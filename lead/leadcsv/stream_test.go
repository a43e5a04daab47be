package leadcsv_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/lead/leadcsv"
	"github.com/crmkit/crm/storage/memory"
)

// rowSource generates n rows of a lead file lazily, counting the bytes
// handed out.
type rowSource struct {
	n, next int
	buf     []byte
	read    int
}

func (s *rowSource) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.next == s.n {
			return 0, io.EOF
		}
		s.buf = fmt.Appendf(s.buf, "Lead %d,lead%d@example.com,+86 138 %04d %04d\n", s.next, s.next, s.next/10000%10000, s.next%10000)
		s.next++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	s.read += n
	return n, nil
}

var streamMapping = leadcsv.Mapping{
	Columns:  []leadcsv.Column{{"Name", "name"}, {"Email", "email"}, {"Phone", "phone"}},
	Defaults: leadcsv.Defaults{Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm}},
}

// TestReaderStreams reads the first rows of a million-row file and checks
// that only a buffer's worth of it was consumed.
func TestReaderStreams(t *testing.T) {
	t.Parallel()
	src := &rowSource{n: 1_000_000}
	rd, err := leadcsv.NewReader(src, tenant, streamMapping, nil, lead.Change{Actor: "x", At: t0})
	require.NoError(t, err)
	for i := range 10 {
		l, err := rd.Next()
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("Lead %d", i), l.Name())
	}
	require.Less(t, src.read, 64<<10, "a million rows are not read ahead")
}

// pagedLister serves pages of generated leads and records how much the
// writer held when each page was asked for.
type pagedLister struct {
	pages   int
	out     *bytes.Buffer
	written []int
}

func (p *pagedLister) List(_ context.Context, ten crm.TenantID, _ lead.Query, page crm.PageRequest) (crm.Page[*lead.Lead], error) {
	k := 0
	if page.Cursor != "" {
		if _, err := fmt.Sscanf(page.Cursor, "%d", &k); err != nil {
			return crm.Page[*lead.Lead]{}, crm.Invalid("pagedLister", "cursor", "not ours")
		}
	}
	p.written = append(p.written, p.out.Len())
	var out crm.Page[*lead.Lead]
	for i := range 3 {
		id := crm.MustParseID(fmt.Sprintf("01890000-0000-7000-8000-%012x", k*3+i+1))
		l, err := lead.New(lead.NewInput{ID: id, Tenant: ten, Emails: []string{fmt.Sprintf("p%d@example.com", k*3+i)},
			Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm}}, lead.Change{Actor: "x", At: t0})
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, l)
	}
	if k+1 < p.pages {
		out.Next = fmt.Sprint(k + 1)
	}
	return out, nil
}

// TestExportStreams: each page is written out before the next is asked
// for.
func TestExportStreams(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	src := &pagedLister{pages: 4, out: &out}
	n, err := leadcsv.Export(context.Background(), &out, src, tenant, lead.Query{}, streamMapping)
	require.NoError(t, err)
	require.Equal(t, 12, n)
	require.Len(t, src.written, 4)
	for i := 1; i < len(src.written); i++ {
		require.Greater(t, src.written[i], src.written[i-1], "page %d was written before page %d was fetched", i-1, i)
	}
	require.Equal(t, 12, strings.Count(out.String(), "\n"))
}

// BenchmarkImport imports generated rows into a memory store: the
// reader, the checks and the store together.
//
//	go test -run '^$' -bench BenchmarkImport -benchtime 3x ./lead/leadcsv/
func BenchmarkImport(b *testing.B) {
	const rows = 20_000
	b.ReportAllocs()
	for b.Loop() {
		st := memory.New(nil)
		rep, err := leadcsv.Import(context.Background(), &rowSource{n: rows}, st,
			leadcsv.ImportOptions{Tenant: tenant, Mapping: streamMapping, Change: lead.Change{Actor: "bench", At: t0}})
		if err != nil || rep.Imported != rows {
			b.Fatalf("%d imported: %v", rep.Imported, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
