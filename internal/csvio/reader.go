package csvio

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/crmkit/crm"
)

// Origin is what every entity a Reader reads is created with.
type Origin struct {
	Tenant crm.TenantID
	// IDs makes the IDs of rows that give none; nil means crm.UUIDv7.
	IDs crm.IDGenerator
	// Change is what every entity is created by; its At must be set.
	Change crm.Change
}

// Mapped is a mapped column as a reader sees it: its position in a row,
// its label (the path of its problems) and its parsed field.
type Mapped[F any] struct {
	Index int
	Label string
	Field F
}

// Row is one row being read: its cells, seen through the mapping, and the
// reader's Origin.
type Row[F any] struct {
	rec   []string
	frame *rowFrame[F]
}

// rowFrame is what every Row of a reader shares.
type rowFrame[F any] struct {
	name    string // the format's
	maxCell int    // the format's MaxCellLen
	cols    []Mapped[F]
	o       Origin
}

// Cells yields every mapped cell of the row that is not empty once spaces
// are trimmed, trimmed, with its column, in mapping order; its line breaks
// are "\n" (see dropCR). A cell longer than the format's MaxCellLen is not
// yielded: it is recorded in v at its column's label, in its place among
// the problems the loop body records.
func (r Row[F]) Cells(v *crm.Validator) iter.Seq2[Mapped[F], string] {
	return func(yield func(Mapped[F], string) bool) {
		for _, col := range r.frame.cols {
			if col.Index >= len(r.rec) {
				continue
			}
			cell := strings.TrimSpace(r.rec[col.Index])
			if cell == "" {
				continue
			}
			if strings.IndexByte(cell, '\r') >= 0 {
				cell = dropCR(cell)
			}
			if len(cell) > r.frame.maxCell {
				v.Addf(col.Label, "longer than %d bytes", r.frame.maxCell)
				continue
			}
			if !yield(col, cell) {
				return
			}
		}
	}
}

// Origin returns the tenant, ID generator and change of the reader.
func (r Row[F]) Origin() Origin { return r.frame.o }

// ID returns id, or a new ID from the reader's generator when id is zero.
func (r Row[F]) ID(id crm.ID) (crm.ID, error) {
	if !id.IsZero() {
		return id, nil
	}
	id, err := r.frame.o.IDs.NewID()
	if err != nil {
		return crm.ID{}, fmt.Errorf("%s: new ID: %w", r.frame.name, err)
	}
	return id, nil
}

// Reader reads the rows of a CSV file and builds a T from each. It is not
// safe for concurrent use.
type Reader[F, T any, E error] struct {
	f     *Format[F, E]
	sep   string // the layout's ValueSep
	frame rowFrame[F]
	csv   *csv.Reader
	build func(Row[F]) (T, error)
	rowOp string
}

// NewReader returns a reader of r in layout l for o. mapping is the error
// of the caller's check of its whole mapping (nil when it is valid): it,
// a nil r, and problems of o are a *crm.ValidationError of
// f.Name+".NewReader" at "r", "tenant", "mapping" and "change". build turns
// a row into a T; its error rejects the row. With l.Header set the header
// row is read here: an empty file, a header row that does not parse, and a
// mapped header the file lacks ("mapping.columns[i].header") are problems
// too; a failing r is returned wrapped.
func NewReader[F, T any, E error](f *Format[F, E], r io.Reader, l Layout, mapping error, o Origin, build func(Row[F]) (T, error)) (*Reader[F, T, E], error) {
	op := f.Name + ".NewReader"
	var v crm.Validator
	v.Check(r != nil, "r", "must not be nil")
	v.Merge("tenant", o.Tenant.Validate())
	v.Merge("mapping", mapping)
	v.Merge("change", o.Change.Validate())
	if f.CheckOrigin != nil {
		f.CheckOrigin(&v, o)
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	if o.IDs == nil {
		o.IDs = crm.UUIDv7{}
	}
	lim := &rowLimit{r: r, max: int64(f.MaxRowBytes), op: f.Name + ".Row"}
	if lim.max <= 0 {
		lim.max = DefaultMaxRowBytes
	}
	cr := csv.NewReader(lim)
	lim.csv = cr
	cr.Comma = l.FieldSep()
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	rd := &Reader[F, T, E]{f: f, sep: l.ValueSep(), frame: rowFrame[F]{name: f.Name, maxCell: f.MaxCellLen, o: o}, csv: cr, build: build, rowOp: f.Name + ".Row"}
	if !l.Header {
		for i, c := range l.Columns {
			if c.Field != "" {
				rd.frame.cols = append(rd.frame.cols, Mapped[F]{Index: i, Label: Label(c), Field: f.field(c)})
			}
		}
		return rd, nil
	}
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, crm.Invalid(op, "r", "the file is empty: no header row")
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s: header row: %w", f.Name, crm.Invalid(op, "header", pe.Error()))
		}
		return nil, fmt.Errorf("%s: header row: %w", f.Name, err)
	}
	at := make(map[string]int, len(head))
	for i, h := range head {
		if _, seen := at[NormHeader(h)]; !seen {
			at[NormHeader(h)] = i
		}
	}
	for i, c := range l.Columns {
		if c.Field == "" {
			continue
		}
		idx, ok := at[NormHeader(c.Header)]
		if !ok {
			v.Addf(fmt.Sprintf("mapping.columns[%d].header", i), "the file has no column %q", c.Header)
			continue
		}
		rd.frame.cols = append(rd.frame.cols, Mapped[F]{Index: idx, Label: Label(c), Field: f.field(c)})
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	return rd, nil
}

// Next returns the T of the next row that is not blank. A row that does
// not parse as CSV, has more than the format's MaxRowFields fields, or that
// build refuses returns the format's RowError with the line where the row
// starts, and the next call goes on with the following row. The end of the
// file returns io.EOF; a failing reader returns its error wrapped.
func (r *Reader[F, T, E]) Next() (T, error) {
	t, line, bad, err := r.next()
	if bad != nil {
		return t, r.f.RowError(line, bad)
	}
	return t, err
}

// Split cuts a cell into its values at the layout's ValueSep, as Split
// does.
func (r *Reader[F, T, E]) Split(cell string) []string { return Split(cell, r.sep) }

// next returns the T of the next row that is not blank; or the line and
// the problems of a rejected row; or an error, io.EOF at the end.
func (r *Reader[F, T, E]) next() (t T, line int, bad, err error) {
	for {
		rec, err := r.csv.Read()
		if errors.Is(err, io.EOF) {
			return t, 0, nil, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return t, pe.StartLine, crm.Invalid(r.rowOp, "", pe.Err.Error()), nil
			}
			return t, 0, nil, fmt.Errorf("%s: read: %w", r.f.Name, err)
		}
		line, _ := r.csv.FieldPos(0)
		if blank(rec) {
			continue
		}
		if n := r.f.MaxRowFields; len(rec) > n {
			return t, line, crm.Invalid(r.rowOp, "", fmt.Sprintf("more than %d fields", n)), nil
		}
		t, err := r.build(Row[F]{rec: rec, frame: &r.frame})
		if err != nil {
			return t, line, err, nil
		}
		return t, line, nil, nil
	}
}

// DefaultMaxRowBytes is the bound of a row a Format's MaxRowBytes leaves
// at 0: 16 MiB.
const DefaultMaxRowBytes = 16 << 20

// rowLimit is the source of a Reader's csv.Reader: it refuses to read
// further once the row being read has grown past max bytes. The
// csv.Reader reads through a buffer of a few KiB, so what it has taken
// from r, less where its current row starts (InputOffset), is at most
// that buffer more than the row.
type rowLimit struct {
	r   io.Reader
	csv *csv.Reader
	max int64
	op  string
	n   int64 // bytes read from r
	err error // sticky, once the bound is crossed
}

func (l *rowLimit) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if start := l.csv.InputOffset(); l.n-start > l.max {
		l.err = crm.Invalid(l.op, "", fmt.Sprintf("the row starting at byte %d is longer than %d bytes (a quote left open?); the file is not read past it", start, l.max))
		return 0, l.err
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// dropCR drops the carriage returns that end a line inside a cell:
// "\r\n", and "\r\r\n" too, become "\n". encoding/csv drops one "\r"
// before the "\n" that ends a line of the file, inside quotes too, so a
// cell holding "\r\n" would not read back as it was written; with its line
// breaks as "\n" it does. A "\r" that ends no line stays.
func dropCR(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\r' {
			b.WriteByte(s[i])
			continue
		}
		j := i
		for j < len(s) && s[j] == '\r' {
			j++
		}
		if j == len(s) || s[j] != '\n' {
			b.WriteString(s[i:j])
		}
		i = j - 1
	}
	return b.String()
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}
