package csvio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

// The tests run a small format: contacts with a name, e-mails and a note.

var at = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

type contact struct {
	ID     crm.ID
	Name   string
	Emails []string
	Note   string
}

// rowError is the test format's error of a rejected row.
type rowError struct {
	Line int
	Err  error
}

func (e *rowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Err.Error()) }

func (e *rowError) Unwrap() error { return e.Err }

func testFormat() *Format[string, *rowError] {
	return &Format[string, *rowError]{
		Name:     "testcsv",
		RowError: func(line int, err error) *rowError { return &rowError{Line: line, Err: err} },
		Parse: func(s string) (string, bool) {
			switch s {
			case "id", "name", "email", "note":
				return s, true
			}
			return "", false
		},
		Repeatable:         func(f string) bool { return f == "email" },
		MaxColumns:         5,
		MaxHeaderLen:       12,
		MaxCellLen:         40,
		MaxRowFields:       8,
		DefaultBatchSize:   2,
		MaxBatchSize:       4,
		DefaultMaxRejected: 3,
	}
}

// nameOnly maps the name by header.
func nameOnly() Layout { return Layout{Header: true, Columns: []Column{{"Name", "name"}}} }

// layout maps name, email and note by header.
func layout() Layout {
	return Layout{Header: true, Columns: []Column{{"Name", "name"}, {"Email", "email"}, {"Note", "note"}}}
}

func origin() Origin {
	return Origin{Tenant: "t1", IDs: crm.NewSequentialIDs(crm.NewManualClock(at)), Change: crm.Change{Actor: "importer", At: at}}
}

// build makes a contact of a row: a name is required, an e-mail holds '@'.
func build(sep string) func(Row[string]) (contact, error) {
	return func(rw Row[string]) (contact, error) {
		var v crm.Validator
		var c contact
		for col, cell := range rw.Cells(&v) {
			switch col.Field {
			case "id":
				id, err := crm.ParseID(cell)
				if v.Check(err == nil, col.Label, "not an ID") {
					c.ID = id
				}
			case "name":
				c.Name = cell
			case "email":
				for _, e := range Split(cell, sep) {
					if v.Check(strings.Contains(e, "@"), col.Label, "not an e-mail") {
						c.Emails = append(c.Emails, e)
					}
				}
			case "note":
				c.Note = cell
			}
		}
		v.Check(c.Name != "", "name", "required")
		if err := v.Err("testcsv.Row"); err != nil {
			return contact{}, err
		}
		var err error
		c.ID, err = rw.ID(c.ID)
		return c, err
	}
}

// cell formats a field of a contact.
func cell(c contact, f, sep string) string {
	switch f {
	case "id":
		return c.ID.String()
	case "name":
		return c.Name
	case "email":
		return strings.Join(c.Emails, sep)
	case "note":
		return c.Note
	}
	return ""
}

func newReader(t testing.TB, src io.Reader, l Layout) *Reader[string, contact, *rowError] {
	t.Helper()
	return newReaderOf(t, testFormat(), src, l)
}

// newReaderOf is newReader of format f.
func newReaderOf(t testing.TB, f *Format[string, *rowError], src io.Reader, l Layout) *Reader[string, contact, *rowError] {
	t.Helper()
	rd, err := NewReader(f, src, l, nil, origin(), build(l.ValueSep()))
	require.NoError(t, err)
	return rd
}

// readAll reads to the end: the contacts, and the lines of the rejected
// rows with their errors.
func readAll(t testing.TB, rd *Reader[string, contact, *rowError]) ([]contact, []*rowError) {
	t.Helper()
	var good []contact
	var bad []*rowError
	for range 100_000 {
		c, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return good, bad
		}
		var re *rowError
		if errors.As(err, &re) {
			require.ErrorIs(t, err, crm.ErrInvalid)
			bad = append(bad, re)
			continue
		}
		require.NoError(t, err)
		good = append(good, c)
	}
	t.Fatal("the reader does not end")
	return nil, nil
}

func lines(bad []*rowError) []int {
	out := []int{}
	for _, re := range bad {
		out = append(out, re.Line)
	}
	return out
}

// failAfter hands out src, then fails with err.
type failAfter struct {
	src io.Reader
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	n, err := f.src.Read(p)
	if errors.Is(err, io.EOF) {
		return n, f.err
	}
	return n, err
}

// rows generates a file of n contacts lazily; hook, when set, is called
// with the number of each row as it is handed out.
type rows struct {
	n, next int
	bad     bool // every row lacks its name
	buf     []byte
	hook    func(row int)
}

func (s *rows) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.next == s.n {
			return 0, io.EOF
		}
		if s.hook != nil {
			s.hook(s.next)
		}
		name := "Name " + strconv.Itoa(s.next)
		if s.bad {
			name = ""
		}
		s.buf = fmt.Appendf(s.buf, "%s,p%d@example.com,\n", name, s.next)
		s.next++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// store is a transactional store of contacts: what a transaction writes
// is kept only when it commits.
type store struct {
	committed []contact
	pending   []contact
	batches   []int
	failAt    int // fail the write of this batch (from 1); 0: never
}

func (s *store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.pending = nil
	if err := fn(ctx); err != nil {
		return err
	}
	s.committed = append(s.committed, s.pending...)
	return nil
}

var errDisk = errors.New("disk full")

func (s *store) write(_ context.Context, batch []contact) error {
	s.batches = append(s.batches, len(batch))
	if len(s.batches) == s.failAt {
		return fmt.Errorf("store: %w", errDisk)
	}
	s.pending = append(s.pending, batch...)
	return nil
}
