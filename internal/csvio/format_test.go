package csvio

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		edit   func(*Layout)
		strict bool
		paths  []string // every problem, in order; none: valid
	}{
		{"ok", func(*Layout) {}, false, nil},
		{"ignored column", func(l *Layout) { l.Columns = append(l.Columns, Column{Header: "Other"}) }, false, nil},
		{"repeatable field twice", func(l *Layout) { l.Columns = append(l.Columns, Column{"Email 2", "email"}) }, false, nil},
		{"no columns", func(l *Layout) { l.Columns = nil }, false, []string{"columns"}},
		{"too many columns", func(l *Layout) {
			for i := range 3 {
				l.Columns = append(l.Columns, Column{Header: strings.Repeat("x", i+1)})
			}
		}, false, []string{"columns"}},
		{"unknown field", func(l *Layout) { l.Columns[1].Field = "shoe_size" }, false, []string{"columns[1].field"}},
		{"mapped twice", func(l *Layout) { l.Columns[2].Field = "name" }, false, []string{"columns[2].field"}},
		{"header missing", func(l *Layout) { l.Columns[0].Header = " \t" }, false, []string{"columns[0].header"}},
		{"header missing without a header row", func(l *Layout) { l.Header = false; l.Columns[0].Header = "" }, false, nil},
		{"header repeated after normalising", func(l *Layout) { l.Columns[2].Header = "\uFEFF EMAIL " }, false, []string{"columns[2].header"}},
		{"header too long", func(l *Layout) { l.Columns[0].Header = strings.Repeat("h", 13) }, false, []string{"columns[0].header"}},
		{"header not UTF-8", func(l *Layout) { l.Columns[0].Header = "N\xffame" }, false, []string{"columns[0].header"}},
		{"quote as comma", func(l *Layout) { l.Comma = '"' }, false, []string{"comma"}},
		{"newline as comma", func(l *Layout) { l.Comma = '\n' }, false, []string{"comma"}},
		{"invalid rune as comma", func(l *Layout) { l.Comma = 0xD800 }, false, []string{"comma"}},
		{"semicolon as comma", func(l *Layout) { l.Comma = ';'; l.ListSep = "|" }, false, nil},
		{"quote in list separator", func(l *Layout) { l.ListSep = `"` }, false, []string{"list_sep"}},
		{"list separator too long", func(l *Layout) { l.ListSep = "123456789" }, false, []string{"list_sep"}},
		{"list separator holds the comma", func(l *Layout) { l.ListSep = "," }, false, nil},
		{"list separator holds the comma, strict", func(l *Layout) { l.ListSep = "," }, true, []string{"list_sep"}},
		{"list separator not UTF-8, strict", func(l *Layout) { l.ListSep = "\xff" }, true, []string{"list_sep"}},
		{"every problem, in order", func(l *Layout) {
			l.Comma = '\r'
			l.ListSep = "\n"
			l.Columns[0].Field = "nope"
			l.Columns[1].Header = ""
		}, false, []string{"comma", "list_sep", "columns[0].field", "columns[1].header"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := testFormat()
			f.StrictListSep = tc.strict
			l := layout()
			l.Columns = append([]Column(nil), l.Columns...)
			tc.edit(&l)
			var v crm.Validator
			f.Check(&v, l)
			err := v.Err("testcsv.Mapping")
			if tc.paths == nil {
				require.NoError(t, err)
				return
			}
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			var got []string
			for _, fe := range ve.Fields {
				got = append(got, fe.Path)
			}
			require.Equal(t, tc.paths, got, "%v", ve.Fields)
		})
	}
}

func TestLabelAndNormHeader(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Name", Label(Column{Header: "  Name ", Field: "name"}))
	require.Equal(t, "name", Label(Column{Header: " ", Field: "name"}))
	require.Equal(t, "e-mail", NormHeader("\uFEFF E-Mail\t"))
	require.Equal(t, "名字", NormHeader(" 名字 "))
}

func TestLayoutDefaults(t *testing.T) {
	t.Parallel()
	require.Equal(t, ',', Layout{}.FieldSep())
	require.Equal(t, ';', Layout{Comma: ';'}.FieldSep())
	require.Equal(t, ";", Layout{}.ValueSep())
	require.Equal(t, " | ", Layout{ListSep: " | "}.ValueSep())
}

func TestSplitAndJoinExtensions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, cell, sep string
		want            []string
	}{
		{"empty", "", ";", []string{}},
		{"trimmed, empty values dropped", " a ;; b;  ;c ", ";", []string{"a", "b", "c"}},
		{"other separator", "a | b", "|", []string{"a", "b"}},
		{"extension joined back", "+1 650 253 0000;ext=12; +44 20 7946 0958", ";", []string{"+1 650 253 0000;ext=12", "+44 20 7946 0958"}},
		{"extension in upper case", "+1 650 253 0000;EXT=7", ";", []string{"+1 650 253 0000;EXT=7"}},
		{"a leading extension stays", "ext=12;+1 650 253 0000", ";", []string{"ext=12", "+1 650 253 0000"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, JoinExtensions(Split(tc.cell, tc.sep)))
		})
	}
}

func TestColumns(t *testing.T) {
	t.Parallel()
	// A package's column type: its own struct with Column's fields and tags.
	type pkgColumn struct {
		Header string `json:"header"`
		Field  string `json:"field"`
	}
	require.Equal(t, []Column{{"A", "name"}, {"", ""}}, Columns([]pkgColumn{{"A", "name"}, {}}))
	require.Equal(t, []Column{}, Columns([]pkgColumn(nil)))
}
