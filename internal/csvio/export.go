package csvio

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/crmkit/crm"
)

// Export writes to w, in layout l, a header row of the columns' labels
// when l.Header is set, then a row for every item list returns, in its
// order. It asks list for pages of crm.MaxPageLimit and writes each page
// out before it asks for the next, so the list never sits in memory. cell
// formats one field of an item (the zero F for an ignored column). Export
// returns how many items it wrote; a failing list or w stops it, with the
// error wrapped.
func Export[F, T any](ctx context.Context, f *Format[F], w io.Writer, l Layout,
	list func(ctx context.Context, page crm.PageRequest) (crm.Page[T], error), cell func(T, F) string) (int, error) {
	cw := csv.NewWriter(w)
	cw.Comma = l.FieldSep()
	rec := make([]string, len(l.Columns))
	if l.Header {
		for i, c := range l.Columns {
			rec[i] = Label(c)
		}
		if err := cw.Write(rec); err != nil {
			return 0, fmt.Errorf("%s: export: %w", f.Name, err)
		}
	}
	fields := make([]F, len(l.Columns))
	for i, c := range l.Columns {
		fields[i] = f.field(c)
	}
	n := 0
	page := crm.PageRequest{Limit: crm.MaxPageLimit}
	for {
		p, err := list(ctx, page)
		if err != nil {
			return n, fmt.Errorf("%s: export: %w", f.Name, err)
		}
		for _, item := range p.Items {
			for i, fd := range fields {
				rec[i] = cell(item, fd)
			}
			if err := cw.Write(rec); err != nil {
				return n, fmt.Errorf("%s: export: %w", f.Name, err)
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, fmt.Errorf("%s: export: %w", f.Name, err)
		}
		if p.Next == "" {
			return n, nil
		}
		page.Cursor = p.Next
	}
}
