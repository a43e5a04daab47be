package csvio

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

func TestNewReaderRefuses(t *testing.T) {
	t.Parallel()
	mappingErr := crm.Invalid("testcsv.Mapping", "columns", "at least one column is required")
	cases := []struct {
		name    string
		src     io.Reader
		l       Layout
		mapping error
		edit    func(*Origin)
		check   func(*crm.Validator, Origin)
		paths   []string
	}{
		{"nil reader", nil, layout(), nil, nil, nil, []string{"r"}},
		{"bad tenant", strings.NewReader("Name\n"), layout(), nil, func(o *Origin) { o.Tenant = "" }, nil, []string{"tenant"}},
		{"bad mapping", strings.NewReader("Name\n"), layout(), mappingErr, nil, nil, []string{"mapping.columns"}},
		{"change without its time", strings.NewReader("Name\n"), layout(), nil, func(o *Origin) { o.Change.At = crm.MinTime.AddDate(-1, 0, 0) }, nil, []string{"change.at"}},
		{"the format's rule", strings.NewReader("Name\n"), layout(), nil, nil,
			func(v *crm.Validator, o Origin) { v.Check(o.Change.Reason != "", "change.reason", "required") }, []string{"change.reason"}},
		{"every argument, in order", nil, layout(), mappingErr, func(o *Origin) { o.Tenant = ""; o.Change.Actor = "" }, nil,
			[]string{"r", "tenant", "mapping.columns", "change.actor"}},
		{"empty file", strings.NewReader(""), layout(), nil, nil, nil, []string{"r"}},
		{"blank lines before the header row are skipped", strings.NewReader("\n\nName,Email\n"), layout(), nil, nil, nil,
			[]string{"mapping.columns[2].header"}},
		{"header row does not parse", strings.NewReader("Na\"me,Email,Note\n"), layout(), nil, nil, nil, []string{"header"}},
		{"mapped headers the file lacks", strings.NewReader("name,E-mail\n"), layout(), nil, nil, nil,
			[]string{"mapping.columns[1].header", "mapping.columns[2].header"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := testFormat()
			f.CheckOrigin = tc.check
			o := origin()
			if tc.edit != nil {
				tc.edit(&o)
			}
			_, err := NewReader(f, tc.src, tc.l, tc.mapping, o, build(";"))
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			var got []string
			for _, fe := range ve.Fields {
				got = append(got, fe.Path)
			}
			require.Equal(t, tc.paths, got, "%v", err)
		})
	}
}

func TestNewReaderHeaderFailsToRead(t *testing.T) {
	t.Parallel()
	_, err := NewReader(testFormat(), &failAfter{src: strings.NewReader("Name,Em"), err: errDisk}, layout(), nil, origin(), build(";"))
	require.ErrorIs(t, err, errDisk)
	require.NotErrorIs(t, err, crm.ErrInvalid, "a failing reader is not bad input")
	require.Contains(t, err.Error(), "testcsv: header row: ")
}

func TestReaderHeaderMatching(t *testing.T) {
	t.Parallel()
	// A byte order mark, other case and spaces match; an unmapped column
	// is ignored; a repeated header maps its first column.
	src := "\uFEFF EMAIL ,other,  name,note,Name\na@x.example,zz,Wang Fang,hi,ignored\n"
	got, bad := readAll(t, newReader(t, strings.NewReader(src), layout()))
	require.Empty(t, bad)
	require.Equal(t, []contact{{ID: got[0].ID, Name: "Wang Fang", Emails: []string{"a@x.example"}, Note: "hi"}}, got)
	require.False(t, got[0].ID.IsZero(), "a row without an id gets a new one")
}

func TestReaderByPosition(t *testing.T) {
	t.Parallel()
	l := Layout{Comma: ';', ListSep: "|", Columns: []Column{{Field: "name"}, {Header: "skipped"}, {Field: "email"}}}
	rd := newReader(t, strings.NewReader("A;x;a@x | b@x\nB\n;;c@x\n"), l)
	require.Equal(t, []string{"a", "b;c"}, rd.Split(" a|| b;c "), "the layout's list separator")
	got, bad := readAll(t, rd)
	require.Equal(t, []int{3}, lines(bad))
	require.Len(t, got, 2)
	require.Equal(t, []string{"a@x", "b@x"}, got[0].Emails)
	require.Equal(t, "B", got[1].Name, "a short row leaves the missing columns empty")
	var ve *crm.ValidationError
	require.ErrorAs(t, bad[0], &ve)
	require.True(t, ve.Has("name"), "%v", ve.Fields)
}

func TestReaderLines(t *testing.T) {
	t.Parallel()
	const head = "Name,Email,Note\n"
	cases := []struct {
		name string
		body string
		good []string // names read
		bad  []int    // lines of the rejected rows
	}{
		{"plain", "A,,\n,,x\nC,,\n", []string{"A", "C"}, []int{3}},
		{"blank rows are skipped and counted", "\n,, \nA,,\n\n,x@y,\n", []string{"A"}, []int{6}},
		{"quoted line breaks", "A,,\"one\ntwo\nthree\"\n,,\"x\ny\"\nD,,\n", []string{"A", "D"}, []int{5}},
		{"CRLF", "A,,\r\n,,x\r\nC,,\"p\r\nq\"\r\n,,\r\n", []string{"A", "C"}, []int{3}},
		{"a bare quote rejects its row only", "A,,\nB\"x,,\nC,,\n", []string{"A", "C"}, []int{3}},
		{"an unterminated quote runs to the end", "A,,\nB,,\"open\nC,,\n", []string{"A"}, []int{3}},
		{"too many fields", "A,,\nB,,," + strings.Repeat(",", 5) + "\nC,,\n", []string{"A", "C"}, []int{3}},
		{"a long cell rejects its row", "A,,\n" + strings.Repeat("b", 41) + ",,\nC,,\n", []string{"A", "C"}, []int{3}},
		{"a long cell that trims short is fine", "\"  " + strings.Repeat("a", 40) + "  \",,\n", []string{strings.Repeat("a", 40)}, nil},
		{"a long unmapped cell is fine", "A,,," + strings.Repeat("z", 100) + "\n", []string{"A"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, bad := readAll(t, newReader(t, strings.NewReader(head+tc.body), layout()))
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
			}
			require.Equal(t, tc.good, names)
			if tc.bad == nil {
				tc.bad = []int{}
			}
			require.Equal(t, tc.bad, lines(bad))
			for _, re := range bad {
				require.Contains(t, re.Error(), "line ")
				require.ErrorIs(t, re, crm.ErrInvalid)
			}
		})
	}
}

func TestReaderRowProblems(t *testing.T) {
	t.Parallel()
	// Problems keep the order of the columns: a long cell is reported in
	// its place among the others.
	src := "Email,Name,Note\nnot-an-email," + strings.Repeat("n", 41) + ",ok\n"
	_, bad := readAll(t, newReader(t, strings.NewReader(src), Layout{Header: true, Columns: []Column{{"Email", "email"}, {"Name", "name"}, {"Note", "note"}}}))
	require.Len(t, bad, 1)
	var ve *crm.ValidationError
	require.ErrorAs(t, bad[0], &ve)
	require.Equal(t, []crm.FieldError{
		{Path: "Email", Problem: "not an e-mail"},
		{Path: "Name", Problem: "longer than 40 bytes"},
		{Path: "name", Problem: "required"},
	}, ve.Fields)
	require.Equal(t, "line 2: testcsv.Row: invalid input: Email: not an e-mail; Name: longer than 40 bytes; name: required", bad[0].Error())

	_, bad = readAll(t, newReader(t, strings.NewReader("Name\n"+strings.Repeat("a,", 9)+"\n"), nameOnly()))
	require.Equal(t, "line 2: testcsv.Row: invalid input: more than 8 fields", bad[0].Error())
}

func TestReaderFailsMidFile(t *testing.T) {
	t.Parallel()
	rd := newReader(t, &failAfter{src: strings.NewReader("Name\nA\nB"), err: errDisk}, nameOnly())
	c, err := rd.Next()
	require.NoError(t, err)
	require.Equal(t, "A", c.Name)
	_, err = rd.Next()
	require.ErrorIs(t, err, errDisk)
	var re *rowError
	require.False(t, errors.As(err, &re), "a failing reader is not a bad row")
	require.Contains(t, err.Error(), "testcsv: read: ")
}

func TestRowID(t *testing.T) {
	t.Parallel()
	given := crm.MustParseID("01890a5d-ac96-774b-bcce-b302099a8057")
	l := Layout{Header: true, Columns: []Column{{"ID", "id"}, {"Name", "name"}}}
	got, bad := readAll(t, newReader(t, strings.NewReader("ID,Name\n"+given.String()+",A\n,B\n"), l))
	require.Empty(t, bad)
	require.Equal(t, given, got[0].ID)
	require.False(t, got[1].ID.IsZero())
	require.NotEqual(t, given, got[1].ID)

	o := origin()
	o.IDs = crm.IDGeneratorFunc(func() (crm.ID, error) { return crm.ID{}, errDisk })
	rd, err := NewReader(testFormat(), strings.NewReader("ID,Name\n,B\n"), l, nil, o, build(";"))
	require.NoError(t, err)
	_, err = rd.Next()
	require.ErrorIs(t, err, errDisk)
	require.Contains(t, err.Error(), "testcsv: new ID: ")

	o.IDs = nil
	rd, err = NewReader(testFormat(), strings.NewReader("ID,Name\n,B\n"), l, nil, o, build(";"))
	require.NoError(t, err)
	c, err := rd.Next()
	require.NoError(t, err)
	require.False(t, c.ID.IsZero(), "nil IDs means UUIDv7")
}

// TestReaderStreams reads the first rows of a million-row file and checks
// that only a buffer's worth was consumed.
func TestReaderStreams(t *testing.T) {
	t.Parallel()
	src := &rows{n: 1_000_000}
	rd, err := NewReader(testFormat(), src, Layout{Columns: []Column{{Field: "name"}, {Field: "email"}}}, nil, origin(), build(";"))
	require.NoError(t, err)
	for range 10 {
		_, err := rd.Next()
		require.NoError(t, err)
	}
	require.Less(t, src.next, 1000, "a million rows are not read ahead")
}

func TestDropCR(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"none", "a b", "a b"},
		{"CRLF", "a\r\nb", "a\nb"},
		{"a run before LF", "a\r\r\r\nb\r\nc", "a\nb\nc"},
		{"a lone CR stays", "a\rb", "a\rb"},
		{"a run without LF stays", "a\r\r b", "a\r\r b"},
		{"at the end", "a\r\r", "a\r\r"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, dropCR(tc.in))
		})
	}
	// Through the reader: "\r\r\n" inside quotes is read as "\r\n" by
	// encoding/csv, and as "\n" by the frame.
	got, bad := readAll(t, newReader(t, strings.NewReader("Name,Email,Note\nA,,\"x\r\r\ny\"\n"), layout()))
	require.Empty(t, bad)
	require.Equal(t, "x\ny", got[0].Note)
}

// endless yields "x" for ever after its head, counting what it gave.
type endless struct {
	head string
	n    int64
}

func (e *endless) Read(p []byte) (int, error) {
	i := 0
	if int64(len(e.head)) > e.n {
		i = copy(p, e.head[e.n:])
	}
	for ; i < len(p); i++ {
		p[i] = 'x'
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestReaderRowTooLong(t *testing.T) {
	t.Parallel()
	small := testFormat()
	small.MaxRowBytes = 1 << 10
	cases := []struct {
		name   string
		f      *Format[string, *rowError]
		head   string
		max    int64 // the row bound in force
		starts int   // the byte where the long row starts
	}{
		// "Name\nA\n" is 7 bytes: the quote left open starts the third row.
		{"a quote left open, small bound", small, "Name\nA\n\"", 1 << 10, 7},
		{"an endless unquoted row, small bound", small, "Name\nA\n", 1 << 10, 7},
		{"a quote left open, default bound", testFormat(), "Name\nA\n\"", DefaultMaxRowBytes, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := &endless{head: tc.head}
			rd, err := NewReader(tc.f, src, nameOnly(), nil, origin(), build(","))
			require.NoError(t, err)
			c, err := rd.Next()
			require.NoError(t, err)
			require.Equal(t, "A", c.Name)
			for range 2 { // the error stays: nothing past the row is read
				_, err = rd.Next()
				require.ErrorIs(t, err, crm.ErrInvalid)
				var re *rowError
				require.False(t, errors.As(err, &re), "the rest of the file cannot be read: not one bad row")
				require.Contains(t, err.Error(), fmt.Sprintf("the row starting at byte %d is longer than %d bytes", tc.starts, tc.max))
			}
			require.LessOrEqual(t, src.n, int64(tc.starts)+tc.max+64<<10, "the reader took far more than the bound")
		})
	}

	t.Run("a row within the bound", func(t *testing.T) {
		t.Parallel()
		long := "\"" + strings.Repeat("a,", 450) + "\"" // 902 bytes, one cell
		got, bad := readAll(t, newReaderOf(t, small, strings.NewReader("Note,Name\n"+long+",B\n"), Layout{Header: true, Columns: []Column{{"Name", "name"}}}))
		require.Empty(t, bad)
		require.Equal(t, []string{"B"}, names(got))
	})
	t.Run("a header row past the bound", func(t *testing.T) {
		t.Parallel()
		_, err := NewReader(small, strings.NewReader("\""+strings.Repeat("h", 4<<10)), nameOnly(), nil, origin(), build(","))
		require.ErrorIs(t, err, crm.ErrInvalid)
		require.Contains(t, err.Error(), "header row")
	})
}
