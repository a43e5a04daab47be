package csvio

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/crmkit/crm"
)

// Lister lists the Ts of a tenant that a query of type Q matches, a page
// at a time, as the stores and services of the domain packages do.
type Lister[T, Q any] interface {
	List(ctx context.Context, tenant crm.TenantID, q Q, page crm.PageRequest) (crm.Page[T], error)
}

// Export writes to w the Ts of tenant that q matches, in layout l: a
// header row of the columns' labels when l.Header is set, then a row per T
// in the list's order. It asks src for pages of crm.MaxPageLimit and
// writes each page out before it asks for the next, so the list never
// sits in memory. cell formats one field of a T (the zero F for an ignored
// column), joining values with sep, the layout's ValueSep. mapping is the error of the caller's check of its whole mapping
// (nil when it is valid): it, a nil w or src and a bad tenant are a
// *crm.ValidationError of f.Name+".Export" at "w", "src", "tenant" and
// "mapping". Export returns how many Ts it wrote; a failing src or w stops
// it, with the error wrapped.
func Export[F, T, Q any, E error](ctx context.Context, f *Format[F, E], w io.Writer, src Lister[T, Q], tenant crm.TenantID, q Q,
	l Layout, mapping error, cell func(item T, field F, sep string) string) (int, error) {
	var v crm.Validator
	v.Check(w != nil, "w", "must not be nil")
	v.Check(src != nil, "src", "must not be nil")
	v.Merge("tenant", tenant.Validate())
	v.Merge("mapping", mapping)
	if err := v.Err(f.Name + ".Export"); err != nil {
		return 0, err
	}
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
	sep := l.ValueSep()
	n := 0
	page := crm.PageRequest{Limit: crm.MaxPageLimit}
	for {
		p, err := src.List(ctx, tenant, q, page)
		if err != nil {
			return n, fmt.Errorf("%s: export: %w", f.Name, err)
		}
		for _, item := range p.Items {
			for i, fd := range fields {
				rec[i] = cell(item, fd, sep)
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
