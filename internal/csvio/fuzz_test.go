package csvio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

// FuzzReader reads arbitrary files through the reader frame: it never
// panics and always ends; every row is a T or a *rowError wrapping
// crm.ErrInvalid, whose lines increase; and the rows read export to a file
// that reads back to the same rows.
func FuzzReader(f *testing.F) {
	f.Add([]byte("Name,Email,Note\nA,a@x; b@x ,hi\n\n\"B, Jr\",,\"two\nlines\"\n"), true, false)
	f.Add([]byte("Name,Email,Note\nA\"B,,\n,,x\nC,,\"open\n"), true, false)
	f.Add([]byte("\uFEFFnote;EMAIL;name\r\nx;a@x|b@x;A\r\n;;\r\n"), true, true)
	f.Add([]byte("A,a@x,\n,,,,,,,,,,,\n\xff\x00,,\n"), false, false)
	f.Fuzz(func(t *testing.T, data []byte, header, semicolon bool) {
		if len(data) > 1<<16 {
			return
		}
		l := layout()
		l.Header = header
		if semicolon {
			l.Comma, l.ListSep = ';', "|"
		}
		fm := testFormat()
		rd, err := NewReader(fm, bytes.NewReader(data), l, nil, origin(), build(l.ValueSep()))
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		var good []contact
		line := 0
		for n := 0; ; n++ {
			require.Less(t, n, len(data)+2, "more rows than bytes: the reader does not end")
			c, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			var re *rowError
			if errors.As(err, &re) {
				require.ErrorIs(t, err, crm.ErrInvalid)
				require.Greater(t, re.Line, line, "lines increase")
				line = re.Line
				continue
			}
			require.NoError(t, err)
			require.NotEmpty(t, c.Name)
			good = append(good, c)
		}

		var out bytes.Buffer
		n, err := Export(context.Background(), fm, &out, &lister{items: good, size: 7}, "t1", "", l, nil, cell)
		require.NoError(t, err)
		require.Equal(t, len(good), n)
		again, bad := readAll(t, newReader(t, bytes.NewReader(out.Bytes()), l))
		require.Empty(t, bad, "%q", out.String())
		for i := range good {
			good[i].ID, again[i].ID = crm.ID{}, crm.ID{}
		}
		require.Equal(t, good, again, "%q", out.String())
	})
}
