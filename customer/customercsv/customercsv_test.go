package customercsv_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/customer/customercsv"
	"github.com/crmkit/crm/storage/memory"
)

var at = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func mapping() customercsv.Mapping {
	return customercsv.Mapping{
		Header:        true,
		DefaultRegion: "CN",
		Defaults:      customercsv.Defaults{Roles: []customer.Role{customer.EndCustomer}, Owner: "chen.lei"},
		Columns: []customercsv.Column{
			{Header: "姓名", Field: "name"},
			{Header: "手机", Field: "phone"},
			{Header: "邮箱", Field: "email"},
			{Header: "生日", Field: "date.birthday"},
			{Header: "标签", Field: "tags"},
			{Header: "楼栋", Field: "attr.building"},
			{Header: "角色", Field: "roles"},
			{Header: "Ignored", Field: ""},
		},
	}
}

func change() customer.Change { return customer.Change{Actor: "importer", At: at} }

func readAll(t *testing.T, src string, m customercsv.Mapping) ([]*customer.Customer, []*customercsv.RowError) {
	t.Helper()
	rd, err := customercsv.NewReader(strings.NewReader(src), "t1", m, crm.NewSequentialIDs(crm.NewManualClock(at)), change())
	require.NoError(t, err)
	var got []*customer.Customer
	var bad []*customercsv.RowError
	for {
		c, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return got, bad
		}
		var re *customercsv.RowError
		if errors.As(err, &re) {
			require.ErrorIs(t, err, crm.ErrInvalid)
			bad = append(bad, re)
			continue
		}
		require.NoError(t, err)
		got = append(got, c)
	}
}

func TestReader(t *testing.T) {
	t.Parallel()
	src := "\uFEFF姓名,手机,邮箱,生日,标签,楼栋,角色,Other\n" +
		"王芳,138 0013 8000;+44 20 7946 0958;ext=12,wang.fang@example.cn; wf@example.com ,1986-11-26,vip;owner,B3,end_customer;owner,x\n" +
		"\n" + // blank rows are skipped
		"\"Li, Lei\",,,--02-29,,,,\n"
	got, bad := readAll(t, src, mapping())
	require.Empty(t, bad)
	require.Len(t, got, 2)

	c := got[0]
	require.Equal(t, "王芳", c.Name())
	require.Equal(t, crm.TenantID("t1"), c.Tenant())
	require.Equal(t, crm.UserID("chen.lei"), c.Owner())
	require.Len(t, c.Phones(), 2)
	require.Equal(t, "+8613800138000", c.Phones()[0].E164())
	require.Equal(t, "12", c.Phones()[1].Extension(), "the ;ext= parameter is not cut off by the list separator")
	require.Len(t, c.Emails(), 2)
	require.Equal(t, []string{"owner", "vip"}, c.Tags())
	v, _ := c.Attribute("building")
	require.Equal(t, "B3", v)
	d, ok := c.Date("birthday")
	require.True(t, ok)
	require.Equal(t, time.November, d.Month)
	require.True(t, c.HasRole(customer.Owner))
	require.True(t, c.HasRole(customer.EndCustomer))

	require.Equal(t, "Li, Lei", got[1].Name())
	require.Equal(t, []customer.Role{customer.EndCustomer}, got[1].Roles(), "the default role applies when the cell is empty")
}

func TestReaderRejectsRows(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		row  string
		path string
	}{
		{"bad e-mail", "A,,not-an-email,,,,,", "邮箱"},
		{"bad phone", "A,12,,,,,,", "手机"},
		{"unknown role", "A,,,,,,wizard,", "角色"},
		{"bad date", "A,,,1986-02-30,,,,", "生日"},
		{"no name", ",,a@b.example,,,,,", "name"},
		{"too long cell", "A,,,,,," + strings.Repeat("x", customercsv.MaxCellLen+1) + ",", "楼栋"},
		{"invalid UTF-8 name", "\xff,,,,,,,", "name"},
		{"bare quote", "A\"B,,,,,,,", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := "姓名,手机,邮箱,生日,标签,楼栋,角色,Other\n" + "Good,,,,,,,\n" + tc.row + "\nAfter,,,,,,,\n"
			if tc.name == "too long cell" {
				src = strings.Replace(src, tc.row, "A,,,,,"+strings.Repeat("x", customercsv.MaxCellLen+1)+",,", 1)
			}
			got, bad := readAll(t, src, mapping())
			require.Len(t, got, 2, "the rows around the bad one are read")
			require.Len(t, bad, 1)
			require.Equal(t, 3, bad[0].Line)
			require.Contains(t, bad[0].Error(), "line 3: ")
			if tc.path != "" {
				var ve *crm.ValidationError
				require.ErrorAs(t, bad[0], &ve)
				require.True(t, ve.Has(tc.path), "problems: %v", ve.Fields)
			}
		})
	}
}

func TestReaderLineNumbersAcrossQuotedNewlines(t *testing.T) {
	t.Parallel()
	src := "姓名,手机,邮箱,生日,标签,楼栋,角色,Other\nA,,,,,,,\"multi\nline\"\nBad,,x,,,,,\n"
	_, bad := readAll(t, src, mapping())
	require.Len(t, bad, 1)
	require.Equal(t, 4, bad[0].Line)
}

func TestNewReaderRefuses(t *testing.T) {
	t.Parallel()
	m := mapping()
	_, err := customercsv.NewReader(strings.NewReader(""), "t1", m, nil, change())
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = customercsv.NewReader(strings.NewReader("姓名,手机\n"), "t1", m, nil, change())
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("mapping.columns[2].header"), "%v", ve.Fields)
	_, err = customercsv.NewReader(strings.NewReader("x\n"), "", m, nil, change())
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = customercsv.NewReader(strings.NewReader("x\n"), "t1", m, nil, customer.Change{Actor: "a"})
	require.ErrorIs(t, err, crm.ErrInvalid, "the change needs its time")
}

func TestMappingValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*customercsv.Mapping)
		path string
	}{
		{"ok", func(*customercsv.Mapping) {}, ""},
		{"no columns", func(m *customercsv.Mapping) { m.Columns = nil }, "columns"},
		{"unknown field", func(m *customercsv.Mapping) { m.Columns[0].Field = "shoe_size" }, "columns[0].field"},
		{"empty attr key", func(m *customercsv.Mapping) { m.Columns[0].Field = "attr." }, "columns[0].field"},
		{"name twice", func(m *customercsv.Mapping) { m.Columns[1].Field = "name" }, "columns[1].field"},
		{"header missing", func(m *customercsv.Mapping) { m.Columns[0].Header = " " }, "columns[0].header"},
		{"header repeated", func(m *customercsv.Mapping) { m.Columns[1].Header = "姓名 " }, "columns[1].header"},
		{"quote as comma", func(m *customercsv.Mapping) { m.Comma = '"' }, "comma"},
		{"bad default role", func(m *customercsv.Mapping) { m.Defaults.Roles = []customer.Role{99} }, "defaults.roles[0]"},
		{"bad default kind", func(m *customercsv.Mapping) { m.Defaults.Kind = 99 }, "defaults.kind"},
		{"bad list separator", func(m *customercsv.Mapping) { m.ListSep = "\n" }, "list_sep"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := mapping()
			m.Columns = append([]customercsv.Column(nil), m.Columns...)
			tc.edit(&m)
			err := m.Validate()
			if tc.path == "" {
				require.NoError(t, err)
				return
			}
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "problems: %v", ve.Fields)
		})
	}
}

func count(t *testing.T, s *memory.Store, tenant crm.TenantID) int {
	t.Helper()
	p, err := s.Customers().List(context.Background(), tenant, customer.Query{}, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	return len(p.Items)
}

func TestImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	good := "姓名,手机,邮箱,生日,标签,楼栋,角色,Other\nA,,a@x.example,,,,,\nB,,b@x.example,,,,,\nC,,c@x.example,,,,,\n"
	withBad := good + "D,,broken,,,,,\nE,,e@x.example,,,,,\nF,12,,,,,,\n"
	opts := func(p customercsv.Policy) customercsv.ImportOptions {
		return customercsv.ImportOptions{Tenant: "t1", Mapping: mapping(), Policy: p, Change: customer.Change{Actor: "importer"},
			Clock: crm.NewManualClock(at), BatchSize: 2}
	}

	t.Run("all good", func(t *testing.T) {
		t.Parallel()
		s := memory.New(nil)
		var calls []customercsv.Progress
		o := opts(customercsv.AllOrNothing)
		o.Progress = func(p customercsv.Progress) { calls = append(calls, p) }
		rep, err := customercsv.Import(ctx, strings.NewReader(good), s, o)
		require.NoError(t, err)
		require.Equal(t, customercsv.Report{Rows: 3, Imported: 3}, rep)
		require.Equal(t, 3, count(t, s, "t1"))
		require.GreaterOrEqual(t, len(calls), 2, "a call per batch and one at the end")
		require.Equal(t, 3, calls[len(calls)-1].Stored)
	})
	t.Run("all or nothing", func(t *testing.T) {
		t.Parallel()
		s := memory.New(nil)
		rep, err := customercsv.Import(ctx, strings.NewReader(withBad), s, opts(customercsv.AllOrNothing))
		require.ErrorIs(t, err, customercsv.ErrRejectedRows)
		require.ErrorIs(t, err, crm.ErrInvalid)
		require.Equal(t, 6, rep.Rows)
		require.Zero(t, rep.Imported)
		require.Equal(t, 2, rep.RejectedCount)
		require.Equal(t, []int{5, 7}, []int{rep.Rejected[0].Line, rep.Rejected[1].Line})
		require.Zero(t, count(t, s, "t1"), "nothing stored, though two batches were written before the bad row")
	})
	t.Run("skip invalid", func(t *testing.T) {
		t.Parallel()
		s := memory.New(nil)
		o := opts(customercsv.SkipInvalid)
		o.MaxRejected = 1
		rep, err := customercsv.Import(ctx, strings.NewReader(withBad), s, o)
		require.NoError(t, err)
		require.Equal(t, 4, rep.Imported)
		require.Equal(t, 2, rep.RejectedCount)
		require.Len(t, rep.Rejected, 1, "the list is bounded, the count is not")
		require.Equal(t, 4, count(t, s, "t1"))
	})
	t.Run("a store error stores nothing", func(t *testing.T) {
		t.Parallel()
		s := memory.New(nil)
		id := "01890a5d-ac96-774b-bcce-b302099a8057"
		src := "ID,Name\n" + id + ",A\n" + "01890a5d-ac96-774b-bcce-b302099a8058,B\n" + id + ",C\n"
		o := opts(customercsv.SkipInvalid)
		o.Mapping = customercsv.Mapping{Header: true, Defaults: customercsv.Defaults{Roles: []customer.Role{customer.EndCustomer}, Owner: "o"},
			Columns: []customercsv.Column{{Header: "ID", Field: "id"}, {Header: "Name", Field: "name"}}}
		_, err := customercsv.Import(ctx, strings.NewReader(src), s, o)
		require.ErrorIs(t, err, crm.ErrDuplicate)
		require.Zero(t, count(t, s, "t1"))
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		s := memory.New(nil)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := customercsv.Import(cctx, strings.NewReader(good), s, opts(customercsv.AllOrNothing))
		require.ErrorIs(t, err, context.Canceled)
		require.Zero(t, count(t, s, "t1"))
	})
	t.Run("bad options", func(t *testing.T) {
		t.Parallel()
		o := opts(customercsv.Policy(9))
		o.Tenant = ""
		o.BatchSize = -1
		_, err := customercsv.Import(ctx, strings.NewReader(good), memory.New(nil), o)
		var ve *crm.ValidationError
		require.ErrorAs(t, err, &ve)
		require.True(t, ve.Has("tenant") && ve.Has("policy") && ve.Has("batch_size"), "%v", ve.Fields)
		_, err = customercsv.Import(ctx, strings.NewReader(good), nil, opts(customercsv.AllOrNothing))
		require.ErrorIs(t, err, crm.ErrInvalid)
	})
}

func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := memory.New(nil)
	m := mapping()
	m.Columns = append(m.Columns[:len(m.Columns)-1], customercsv.Column{Header: "ID", Field: "id"},
		customercsv.Column{Header: "Stage", Field: "stage"}, customercsv.Column{Header: "Notes", Field: "notes"})
	var in bytes.Buffer
	in.WriteString("姓名,手机,邮箱,生日,标签,楼栋,角色,ID,Stage,Notes\n")
	ids := crm.NewSequentialIDs(crm.NewManualClock(at))
	for i := range 2500 { // more than two pages of the export
		id, err := ids.NewID()
		require.NoError(t, err)
		fmt.Fprintf(&in, "\"Name %d, Jr\",+86 138 %04d 8000,p%d@example.cn,1980-01-%02d,t%d;vip,B%d,end_customer,%s,growth,\"said \"\"hi\"\"\"\n",
			i, i, i, i%28+1, i%3, i%7, id)
	}
	rep, err := customercsv.Import(ctx, bytes.NewReader(in.Bytes()), src, customercsv.ImportOptions{Tenant: "t1", Mapping: m,
		Change: change()})
	require.NoError(t, err)
	require.Equal(t, 2500, rep.Imported)

	var out bytes.Buffer
	n, err := customercsv.Export(ctx, &out, src.Customers(), "t1", customer.Query{}, m)
	require.NoError(t, err)
	require.Equal(t, 2500, n)

	dst := memory.New(nil)
	rep, err = customercsv.Import(ctx, bytes.NewReader(out.Bytes()), dst, customercsv.ImportOptions{Tenant: "t1", Mapping: m, Change: change()})
	require.NoError(t, err)
	require.Equal(t, 2500, rep.Imported)

	a, err := src.Customers().List(ctx, "t1", customer.Query{}, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	for _, want := range a.Items {
		got, err := dst.Customers().Get(ctx, "t1", want.ID())
		require.NoError(t, err)
		wr, gr := want.Record(), got.Record()
		wr.Version, gr.Version = 0, 0
		require.Equal(t, wr, gr)
	}
	var again bytes.Buffer
	_, err = customercsv.Export(ctx, &again, dst.Customers(), "t1", customer.Query{}, m)
	require.NoError(t, err)
	require.Equal(t, out.String(), again.String(), "export → import → export is stable")
}

func TestExportRefuses(t *testing.T) {
	t.Parallel()
	_, err := customercsv.Export(context.Background(), nil, nil, "", customer.Query{}, customercsv.Mapping{})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("w") && ve.Has("src") && ve.Has("tenant") && ve.Has("mapping.columns"), "%v", ve.Fields)
}

func FuzzReader(f *testing.F) {
	f.Add("姓名,手机,邮箱,生日,标签,楼栋,角色,Other\nA,138 0013 8000,a@b.example,1986-11-26,x;y,B3,end_customer,\n")
	f.Add("姓名,手机,邮箱,生日,标签,楼栋,角色,Other\n\"unterminated\n")
	f.Add("姓名,手机,邮箱,生日,标签,楼栋,角色,Other\n\xff\x00,,,,,,,\n")
	f.Fuzz(func(t *testing.T, src string) {
		rd, err := customercsv.NewReader(strings.NewReader(src), "t1", mapping(), crm.NewSequentialIDs(crm.NewManualClock(at)), change())
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		for range 10_000 {
			c, err := rd.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var re *customercsv.RowError
				require.ErrorAs(t, err, &re)
				require.ErrorIs(t, err, crm.ErrInvalid)
				require.Positive(t, re.Line)
				continue
			}
			_, err = customer.FromRecord(c.Record())
			require.NoError(t, err, "a customer read from CSV is a valid stored customer")
		}
	})
}

// TestReaderQuoteLeftOpen: a quote left open swallows the rest of the
// file; past 16 MiB the reader stops with crm.ErrInvalid and reads no
// further.
func TestReaderQuoteLeftOpen(t *testing.T) {
	t.Parallel()
	m := customercsv.Mapping{Header: true, Defaults: customercsv.Defaults{Kind: customer.Person, Roles: []customer.Role{customer.EndCustomer}, Owner: "chen.lei"},
		Columns: []customercsv.Column{{Header: "Name", Field: "name"}}}
	src := strings.NewReader("Name\nAda\n\"" + strings.Repeat("x", 17<<20))
	rd, err := customercsv.NewReader(src, "t1", m, nil, change())
	require.NoError(t, err)
	c, err := rd.Next()
	require.NoError(t, err)
	require.Equal(t, "Ada", c.Name())
	_, err = rd.Next()
	require.ErrorIs(t, err, crm.ErrInvalid)
	require.ErrorContains(t, err, "the row starting at byte 9 is longer than 16777216 bytes")
	var re *customercsv.RowError
	require.False(t, errors.As(err, &re))
	require.Greater(t, src.Len(), 0, "read no further than the bound")
}
