package leadcsv_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/lead/leadcsv"
	"github.com/crmkit/crm/storage/memory"
)

// FuzzReadExportRead reads arbitrary files with the full mapping: the
// reader never panics, every row is a lead or a *RowError with a line, and
// every lead read exports to a row that reads back to the same export.
func FuzzReadExportRead(f *testing.F) {
	// Columns by position (see fullMapping): ID, Name, Title, Company,
	// Industry, Kind, Size, Language, Topics, Email, Phone, Team, Channel,
	// Source, Detail, Campaign, Referrer, Key, Street, City, Postcode,
	// Area, Country, Budget.
	f.Add([]byte("01890000-0000-7000-8000-000000000001,\"a\"\"b\",,,,,,,,x@y.z;;,+1 650 253 0000;ext=12\n"))
	f.Add([]byte(",Wang,Buyer,Sunrise,Hotels,organization,250,zh-CN,\"AC;ac; b\",wang@example.com;bad@@x,138 0013 8000;12,north,phone,campaign,\"spring, fair\",01890000-0000-7000-8000-0000000000c1,,true,1 Road,Shanghai,200001,SH,CN,\"line\nbreak\"\n"))
	f.Add([]byte(",,,,,,,,,q@q.q,,,,referral,,,01890000-0000-7000-8000-000000000002\n\n,x\n\"unterminated\n"))
	m := fullMapping()
	m.Header = false
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		ctx := context.Background()
		rd, err := leadcsv.NewReader(bytes.NewReader(data), tenant, m, nil, lead.Change{Actor: "fuzz", At: t0})
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		st := memory.New(nil)
		var leads []*lead.Lead
		for range 1000 {
			l, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			var re *leadcsv.RowError
			if errors.As(err, &re) {
				require.Positive(t, re.Line)
				require.ErrorIs(t, err, crm.ErrInvalid)
				continue
			}
			require.NoError(t, err)
			if err := st.Leads().Create(ctx, l); err != nil {
				require.ErrorIs(t, err, crm.ErrDuplicate) // a repeated id column
				continue
			}
			leads = append(leads, l)
		}
		var first bytes.Buffer
		n, err := leadcsv.Export(ctx, &first, st.Leads(), tenant, lead.Query{}, m)
		require.NoError(t, err)
		require.Equal(t, len(leads), n)
		dst := memory.New(nil)
		rep, err := leadcsv.Import(ctx, bytes.NewReader(first.Bytes()), dst, opts(m, leadcsv.AllOrNothing))
		require.NoError(t, err, "%v", rep.Rejected)
		require.Equal(t, n, rep.Imported)
		var second bytes.Buffer
		_, err = leadcsv.Export(ctx, &second, dst.Leads(), tenant, lead.Query{}, m)
		require.NoError(t, err)
		require.Equal(t, first.String(), second.String())
	})
}
