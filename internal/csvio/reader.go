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

// RowError reports a row that could not become an entity: the line where
// it starts, from 1, and its problems.
type RowError struct {
	Line int
	Err  error
}

// Error returns "line N: problems".
func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Err.Error()) }

// Unwrap returns the row's problems.
func (e *RowError) Unwrap() error { return e.Err }

// Mapped is a mapped column as a reader sees it: its position in a row,
// its label (the path of its problems) and its parsed field.
type Mapped[F any] struct {
	Index int
	Label string
	Field F
}

// Cells are the cells of one row, seen through the mapping.
type Cells[F any] struct {
	rec     []string
	cols    []Mapped[F]
	maxCell int
}

// All yields every mapped cell of the row that is not empty once spaces
// are trimmed, trimmed, with its column, in mapping order. A cell longer
// than the format's MaxCellLen is not yielded: it is recorded in v at its
// column's label, in its place among the problems the loop records.
func (c Cells[F]) All(v *crm.Validator) iter.Seq2[Mapped[F], string] {
	return func(yield func(Mapped[F], string) bool) {
		for _, col := range c.cols {
			if col.Index >= len(c.rec) {
				continue
			}
			cell := strings.TrimSpace(c.rec[col.Index])
			if cell == "" {
				continue
			}
			if len(cell) > c.maxCell {
				v.Addf(col.Label, "longer than %d bytes", c.maxCell)
				continue
			}
			if !yield(col, cell) {
				return
			}
		}
	}
}

// Reader reads the rows of a CSV file and builds a T from each. It is not
// safe for concurrent use.
type Reader[F, T any] struct {
	f     *Format[F]
	csv   *csv.Reader
	cols  []Mapped[F]
	build func(Cells[F]) (T, error)
	rowOp string
}

// NewReader returns a reader of r in layout l, which the caller has
// checked with f.Check. build turns the cells of a row into a T; its error
// rejects the row. With l.Header set the header row is read here: an empty
// file, a header row that does not parse, and a mapped header the file
// lacks ("mapping.columns[i].header") are *crm.ValidationError problems of
// f.Name+".NewReader"; a failing r is returned wrapped.
func NewReader[F, T any](f *Format[F], r io.Reader, l Layout, build func(Cells[F]) (T, error)) (*Reader[F, T], error) {
	op := f.Name + ".NewReader"
	cr := csv.NewReader(r)
	cr.Comma = l.FieldSep()
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	rd := &Reader[F, T]{f: f, csv: cr, build: build, rowOp: f.Name + ".Row"}
	if !l.Header {
		for i, c := range l.Columns {
			if c.Field != "" {
				rd.cols = append(rd.cols, Mapped[F]{Index: i, Label: Label(c), Field: f.field(c)})
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
	var v crm.Validator
	for i, c := range l.Columns {
		if c.Field == "" {
			continue
		}
		idx, ok := at[NormHeader(c.Header)]
		if !ok {
			v.Addf(fmt.Sprintf("mapping.columns[%d].header", i), "the file has no column %q", c.Header)
			continue
		}
		rd.cols = append(rd.cols, Mapped[F]{Index: idx, Label: Label(c), Field: f.field(c)})
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	return rd, nil
}

// Next returns the T of the next row that is not blank. A row that does
// not parse as CSV, has more than the format's MaxRowFields fields, or that
// build refuses returns a *RowError with the line where the row starts,
// and the next call goes on with the following row. The end of the file
// returns io.EOF; a failing reader returns its error wrapped.
func (r *Reader[F, T]) Next() (T, error) {
	var zero T
	for {
		rec, err := r.csv.Read()
		if errors.Is(err, io.EOF) {
			return zero, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return zero, &RowError{Line: pe.StartLine, Err: crm.Invalid(r.rowOp, "", pe.Err.Error())}
			}
			return zero, fmt.Errorf("%s: read: %w", r.f.Name, err)
		}
		line, _ := r.csv.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) > r.f.MaxRowFields {
			return zero, &RowError{Line: line, Err: crm.Invalid(r.rowOp, "", fmt.Sprintf("more than %d fields", r.f.MaxRowFields))}
		}
		t, err := r.build(Cells[F]{rec: rec, cols: r.cols, maxCell: r.f.MaxCellLen})
		if err != nil {
			return zero, &RowError{Line: line, Err: err}
		}
		return t, nil
	}
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}
