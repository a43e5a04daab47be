package csvio

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// Column is one column of a mapping: the header that finds it in a file
// with a header row (otherwise only its label), and the field it holds,
// "" to ignore it. It has the fields and JSON tags of the Column types of
// the packages.
type Column struct {
	Header string `json:"header"`
	Field  string `json:"field"`
}

// Columns returns cols as Columns. C is a package's column type: a struct
// type with Column's fields and tags.
func Columns[C ~struct {
	Header string `json:"header"`
	Field  string `json:"field"`
}](cols []C) []Column {
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = Column(c)
	}
	return out
}

// Label names c in errors and header rows: its header, trimmed, or else
// its field.
func Label(c Column) string {
	if h := strings.TrimSpace(c.Header); h != "" {
		return h
	}
	return c.Field
}

// NormHeader returns h in the form headers are matched in: a leading byte
// order mark dropped, spaces trimmed, lower case.
func NormHeader(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
}

// Layout is what a mapping says about the file itself.
type Layout struct {
	// Columns are the mapped columns: in file order, or found by header
	// when Header is set.
	Columns []Column
	// Header reports that the first row holds headers.
	Header bool
	// Comma is the field separator; 0 means ','.
	Comma rune
	// ListSep separates values inside one cell; "" means ";".
	ListSep string
}

// FieldSep returns the field separator, ',' when l.Comma is 0.
func (l Layout) FieldSep() rune {
	if l.Comma == 0 {
		return ','
	}
	return l.Comma
}

// ValueSep returns the separator of values inside a cell, ";" when
// l.ListSep is "".
func (l Layout) ValueSep() string {
	if l.ListSep == "" {
		return ";"
	}
	return l.ListSep
}

// Format is one package's CSV format: its name, its field set, its row
// error and its limits. F is the package's parsed field, E its error of a
// rejected row. A Format is not changed after it is made; its functions
// must not keep state.
type Format[F any, E error] struct {
	// Name prefixes errors ("customercsv: export: …") and names the
	// operations of validation errors ("customercsv.Row").
	Name string
	// Parse parses a Column.Field; false means an unknown field.
	Parse func(field string) (F, bool)
	// Repeatable reports whether several columns may map the field, their
	// values adding up.
	Repeatable func(F) bool
	// StrictListSep also refuses a list separator that is not valid UTF-8
	// or that holds the field separator.
	StrictListSep bool
	// RowError makes the error of a rejected row from the line where the
	// row starts, from 1, and its problems.
	RowError func(line int, err error) E
	// CheckOrigin, when set, records in v what the format asks of a
	// reader's Origin beyond a valid tenant and change.
	CheckOrigin func(v *crm.Validator, o Origin)
	// MaxColumns bounds the columns of a mapping.
	MaxColumns int
	// MaxHeaderLen bounds a column's header, in bytes.
	MaxHeaderLen int
	// MaxCellLen bounds a mapped cell, in bytes; a longer cell rejects its
	// row.
	MaxCellLen int
	// MaxRowFields bounds the fields of a row, mapped or not; a row with
	// more is rejected.
	MaxRowFields int
	// MaxRowBytes bounds a row as the file holds it, quotes, separators
	// and line breaks included (0: DefaultMaxRowBytes). A longer row, most
	// often a quote left open that swallows the rest of the file, ends the
	// read with an error wrapping crm.ErrInvalid that names the byte where
	// the row starts: where it ends cannot be known, so nothing after it
	// is read, and the reader never holds more than about this much of
	// the file.
	MaxRowBytes int
	// DefaultBatchSize is the batch size an import takes when given 0;
	// MaxBatchSize bounds it.
	DefaultBatchSize, MaxBatchSize int
	// DefaultMaxRejected is how many rejected rows an import lists when
	// given 0.
	DefaultMaxRejected int
}

// Check records in v every problem of l against f, at the paths of a
// mapping: "columns", "comma", "list_sep", "columns[i].header" and
// "columns[i].field".
func (f *Format[F, E]) Check(v *crm.Validator, l Layout) {
	v.Check(len(l.Columns) > 0, "columns", "at least one column is required")
	v.Check(len(l.Columns) <= f.MaxColumns, "columns", fmt.Sprintf("more than %d", f.MaxColumns))
	c := l.FieldSep()
	v.Check(c != '"' && c != '\r' && c != '\n' && c != utf8.RuneError && utf8.ValidRune(c), "comma", "not a usable separator")
	sepOK := !strings.ContainsAny(l.ListSep, "\"\r\n") && len(l.ListSep) <= 8
	if f.StrictListSep {
		sepOK = sepOK && utf8.ValidString(l.ListSep) && !strings.ContainsRune(l.ListSep, c)
	}
	v.Check(sepOK, "list_sep", "not a usable separator")
	headers := map[string]bool{}
	mapped := map[string]bool{}
	for i, col := range l.Columns {
		p := fmt.Sprintf("columns[%d]", i)
		v.Check(utf8.ValidString(col.Header) && len(col.Header) <= f.MaxHeaderLen, p+".header", "too long or not UTF-8")
		if l.Header {
			h := NormHeader(col.Header)
			v.Check(h != "", p+".header", "required when the file has a header row")
			if h != "" && headers[h] {
				v.Addf(p+".header", "repeats an earlier column's header")
			}
			headers[h] = true
		}
		if col.Field == "" {
			continue
		}
		fd, ok := f.Parse(col.Field)
		v.Check(ok, p+".field", "unknown field")
		if ok && mapped[col.Field] && !f.Repeatable(fd) {
			v.Addf(p+".field", "mapped twice")
		}
		mapped[col.Field] = true
	}
}

// field returns the parsed field of c, the zero F for an ignored or
// unknown one.
func (f *Format[F, E]) field(c Column) F {
	fd, _ := f.Parse(c.Field)
	return fd
}

// Split cuts a cell into its values at sep, spaces trimmed, empty values
// dropped. It reuses the slice it cuts into.
func Split(cell, sep string) []string {
	parts := strings.Split(cell, sep)
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// JoinExtensions puts an "ext=" parameter that a ";" list separator cut
// off a phone number back on it. It reuses parts.
func JoinExtensions(parts []string) []string {
	out := parts[:0]
	for _, p := range parts {
		if strings.HasPrefix(strings.ToLower(p), "ext=") && len(out) > 0 {
			out[len(out)-1] += ";" + p
			continue
		}
		out = append(out, p)
	}
	return out
}
