package leadcsv_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/lead/leadcsv"
	"github.com/crmkit/crm/storage/memory"
)

var (
	t0     = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tenant = crm.TenantID("acme")
	camp   = crm.MustParseID("01890000-0000-7000-8000-0000000000c1")
)

// fullMapping maps every field, with a header row.
func fullMapping() leadcsv.Mapping {
	cols := []leadcsv.Column{
		{"ID", "id"}, {"Name", "name"}, {"Title", "title"}, {"Company", "company"}, {"Industry", "industry"},
		{"Kind", "kind"}, {"Size", "company_size"}, {"Language", "language"}, {"Topics", "topics"},
		{"Email", "email"}, {"Phone", "phone"}, {"Team", "team"}, {"Channel", "channel"}, {"Source", "source"},
		{"Detail", "source.detail"}, {"Campaign", "source.campaign"}, {"Referrer", "source.referrer"},
		{"Key", "key_prospect"}, {"Street", "address"}, {"City", "address.locality"}, {"Postcode", "address.postal_code"},
		{"Area", "address.area"}, {"Country", "address.country"}, {"Budget", "attr.budget"},
	}
	return leadcsv.Mapping{Columns: cols, Header: true, DefaultRegion: "CN",
		Defaults: leadcsv.Defaults{Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm}}}
}

func opts(m leadcsv.Mapping, p leadcsv.Policy) leadcsv.ImportOptions {
	return leadcsv.ImportOptions{Tenant: tenant, Mapping: m, Policy: p, Change: lead.Change{Actor: "importer", At: t0}}
}

const sample = `Name,Email,Phone,Company,Topics,Budget,Extra
Wang Fang,wang@example.com,138 0013 8000,Sunrise Hotels,Air conditioning;Maintenance,500k,ignored
Li Lei,not an address,+86 139 0013 9000,,,,
Nobody,,,,,,
Zhang San,zhang@example.com;zhang@work.example,12,,,,
`

func sampleMapping() leadcsv.Mapping {
	return leadcsv.Mapping{Header: true, DefaultRegion: "CN",
		Columns: []leadcsv.Column{{"Name", "name"}, {"Email", "email"}, {"Phone", "phone"}, {"Company", "company"},
			{"Topics", "topics"}, {"Budget", "attr.budget"}},
		Defaults: leadcsv.Defaults{Channel: customer.Web, Source: lead.Source{Kind: lead.SourceEvent, Detail: "spring fair"}}}
}

func listAll(t *testing.T, st *memory.Store, ten crm.TenantID) []*lead.Lead {
	t.Helper()
	p, err := st.Leads().List(context.Background(), ten, lead.Query{}, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	return p.Items
}

func TestImportSkipInvalidKeepsRawContactsAndReportsLines(t *testing.T) {
	t.Parallel()
	st := memory.New(nil)
	var progress []leadcsv.Progress
	o := opts(sampleMapping(), leadcsv.SkipInvalid)
	o.Progress = func(p leadcsv.Progress) { progress = append(progress, p) }
	rep, err := leadcsv.Import(context.Background(), strings.NewReader(sample), st, o)
	require.NoError(t, err)
	require.Equal(t, 4, rep.Rows)
	require.Equal(t, 3, rep.Imported)
	require.Equal(t, 2, rep.Flagged, "Li Lei's address and Zhang San's number are kept raw")
	require.Equal(t, 1, rep.RejectedCount)
	require.Equal(t, 4, rep.Rejected[0].Line)
	require.ErrorIs(t, rep.Rejected[0], crm.ErrInvalid)
	require.Contains(t, rep.Rejected[0].Error(), "contact")
	require.NotEmpty(t, progress)
	require.Equal(t, 3, progress[len(progress)-1].Stored)

	got := listAll(t, st, tenant)
	require.Len(t, got, 3)
	byName := map[string]*lead.Lead{}
	for _, l := range got {
		byName[l.Name()] = l
	}
	wang := byName["Wang Fang"]
	require.Equal(t, []string{"air conditioning", "maintenance"}, wang.Topics())
	require.Equal(t, "500k", wang.Attributes()["budget"])
	require.Equal(t, "+8613800138000", wang.Phones()[0].String(), "the default region applies")
	require.Equal(t, lead.SourceEvent, wang.Source().Kind)
	li := byName["Li Lei"]
	require.True(t, li.NeedsReview())
	var raw []string
	for _, c := range li.Contacts() {
		if c.Problem != "" {
			raw = append(raw, c.Raw)
		}
	}
	require.Equal(t, []string{"not an address"}, raw, "never lost")
	require.Len(t, byName["Zhang San"].Emails(), 2)
}

func TestImportAllOrNothing(t *testing.T) {
	t.Parallel()
	st := memory.New(nil)
	rep, err := leadcsv.Import(context.Background(), strings.NewReader(sample), st, opts(sampleMapping(), leadcsv.AllOrNothing))
	require.ErrorIs(t, err, leadcsv.ErrRejectedRows)
	require.ErrorIs(t, err, crm.ErrInvalid)
	require.Equal(t, 0, rep.Imported)
	require.Equal(t, 1, rep.RejectedCount)
	require.Empty(t, listAll(t, st, tenant))
}

func TestImportStoreFailureStoresNothing(t *testing.T) {
	t.Parallel()
	st := memory.New(nil)
	id := "01890000-0000-7000-8000-000000000777"
	file := "ID,Email\n" + id + ",a@example.com\n" + id + ",b@example.com\n"
	m := leadcsv.Mapping{Header: true, Columns: []leadcsv.Column{{"ID", "id"}, {"Email", "email"}},
		Defaults: leadcsv.Defaults{Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm}}}
	o := opts(m, leadcsv.SkipInvalid)
	o.BatchSize = 1
	_, err := leadcsv.Import(context.Background(), strings.NewReader(file), st, o)
	require.ErrorIs(t, err, crm.ErrDuplicate)
	require.Empty(t, listAll(t, st, tenant), "the first batch is undone with the second")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = leadcsv.Import(ctx, strings.NewReader(sample), st, opts(sampleMapping(), leadcsv.SkipInvalid))
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, listAll(t, st, tenant))
}

func TestBadMappingsAndFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		m    leadcsv.Mapping
		file string
		path string
	}{
		{"NoColumns", leadcsv.Mapping{}, "", "mapping.columns"},
		{"UnknownField", leadcsv.Mapping{Columns: []leadcsv.Column{{"X", "shoe_size"}}}, "", "mapping.columns[0].field"},
		{"MappedTwice", leadcsv.Mapping{Columns: []leadcsv.Column{{"A", "name"}, {"B", "name"}}}, "", "mapping.columns[1].field"},
		{"RepeatedHeader", leadcsv.Mapping{Header: true, Columns: []leadcsv.Column{{"A", "email"}, {" a ", "phone"}}}, "", "mapping.columns[1].header"},
		{"QuoteComma", leadcsv.Mapping{Comma: '"', Columns: []leadcsv.Column{{"A", "email"}}}, "", "mapping.comma"},
		{"SepIsComma", leadcsv.Mapping{ListSep: ",", Columns: []leadcsv.Column{{"A", "email"}}}, "", "mapping.list_sep"},
		{"MissingHeader", leadcsv.Mapping{Header: true, Columns: []leadcsv.Column{{"Mail", "email"}}}, "Email\nx@example.com\n", "mapping.columns[0].header"},
		{"EmptyFile", leadcsv.Mapping{Header: true, Columns: []leadcsv.Column{{"Mail", "email"}}}, "", "r"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := leadcsv.Import(context.Background(), strings.NewReader(tc.file), memory.New(nil), opts(tc.m, leadcsv.SkipInvalid))
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			require.Contains(t, err.Error(), tc.path)
		})
	}
}

func TestRowProblems(t *testing.T) {
	t.Parallel()
	m := fullMapping()
	head := make([]string, len(m.Columns))
	for i, c := range m.Columns {
		head[i] = c.Header
	}
	row := func(set map[string]string) string {
		cells := make([]string, len(head))
		for i, h := range head {
			cells[i] = set[h]
		}
		return strings.Join(cells, ",")
	}
	cases := []struct {
		name string
		set  map[string]string
		want string
	}{
		{"NoContact", map[string]string{"Name": "x"}, "contacts"},
		{"BadID", map[string]string{"ID": "42", "Email": "a@example.com"}, "ID"},
		{"BadKind", map[string]string{"Kind": "robot", "Email": "a@example.com"}, "Kind"},
		{"BadSize", map[string]string{"Size": "-3", "Email": "a@example.com"}, "Size"},
		{"BadChannel", map[string]string{"Channel": "pigeon", "Email": "a@example.com"}, "Channel"},
		{"BadSource", map[string]string{"Source": "rumour", "Email": "a@example.com"}, "Source"},
		{"ReferralWithoutReferrer", map[string]string{"Source": "referral", "Email": "a@example.com"}, "source.referrer"},
		{"BadKey", map[string]string{"Key": "maybe", "Email": "a@example.com"}, "Key"},
		{"TooManyContacts", map[string]string{"Email": strings.Repeat("a@example.com;", lead.MaxContacts+1)}, "contacts"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := strings.Join(head, ",") + "\n\n" + row(tc.set) + "\n"
			rep, err := leadcsv.Import(context.Background(), strings.NewReader(file), memory.New(nil), opts(m, leadcsv.SkipInvalid))
			require.NoError(t, err)
			require.Equal(t, 1, rep.RejectedCount)
			require.Equal(t, 3, rep.Rejected[0].Line, "blank lines count")
			require.Contains(t, rep.Rejected[0].Error(), tc.want)
		})
	}
}

// TestRoundTrip: export → import into another store → export gives the
// same file, every field mapped, a filtered list only.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := memory.New(nil)
	for i, in := range []lead.NewInput{
		{Name: "Wang Fang", Title: "Buyer", Company: "Sunrise", Industry: "Hotels", Kind: customer.Organization, CompanySize: 250,
			Language: "zh-CN", Topics: []string{"ac", "service"}, Emails: []string{"wang@example.com", "bad@@x"},
			Phones: []string{"+86 138 0013 8000", "12"}, Team: "north", Channel: customer.PhoneCall,
			Source: lead.Source{Kind: lead.SourceCampaign, Detail: "spring, \"fair\"", Campaign: camp}, KeyProspect: true,
			Address:    &customer.Address{Lines: []string{"1 Nanjing Road"}, Locality: "Shanghai", PostalCode: "200001", AdministrativeArea: "SH", Country: "CN"},
			Attributes: map[string]string{"budget": "500k\nper year"}},
		{Name: "Li Lei", Emails: []string{"li@example.com"}, Channel: customer.Web, Source: lead.Source{Kind: lead.SourceReferral, Referrer: camp}},
		{Name: "Other team", Emails: []string{"o@example.com"}, Team: "south", Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm}},
	} {
		id, err := crm.UUIDv7{}.NewID()
		require.NoError(t, err)
		in.ID, in.Tenant = id, tenant
		l, err := lead.New(in, lead.Change{Actor: "x", At: t0.Add(time.Duration(i) * time.Minute)})
		require.NoError(t, err)
		require.NoError(t, src.Leads().Create(ctx, l))
	}
	m := fullMapping()
	north := "north"
	none := ""
	var first bytes.Buffer
	n, err := leadcsv.Export(ctx, &first, src.Leads(), tenant, lead.Query{Team: &north}, m)
	require.NoError(t, err)
	require.Equal(t, 1, n, "the filter applies")
	var firstAll bytes.Buffer
	_, err = leadcsv.Export(ctx, &firstAll, src.Leads(), tenant, lead.Query{}, m)
	require.NoError(t, err)

	dst := memory.New(nil)
	rep, err := leadcsv.Import(ctx, bytes.NewReader(firstAll.Bytes()), dst, opts(m, leadcsv.AllOrNothing))
	require.NoError(t, err, "%v", rep.Rejected)
	require.Equal(t, 3, rep.Imported)
	var second bytes.Buffer
	_, err = leadcsv.Export(ctx, &second, dst.Leads(), tenant, lead.Query{}, m)
	require.NoError(t, err)
	require.Equal(t, firstAll.String(), second.String())

	var def bytes.Buffer
	n, err = leadcsv.Export(ctx, &def, dst.Leads(), tenant, lead.Query{Team: &none}, m)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Contains(t, def.String(), "Li Lei")
}

// TestImportQuoteLeftOpen: a quote left open swallows the rest of the
// file; past 16 MiB the import stops with crm.ErrInvalid, skipping invalid
// rows or not, and stores nothing.
func TestImportQuoteLeftOpen(t *testing.T) {
	t.Parallel()
	file := sample + "\"" + strings.Repeat("x", 17<<20)
	for _, p := range []leadcsv.Policy{leadcsv.AllOrNothing, leadcsv.SkipInvalid} {
		st := memory.New(nil)
		_, err := leadcsv.Import(context.Background(), strings.NewReader(file), st, opts(sampleMapping(), p))
		require.ErrorIs(t, err, crm.ErrInvalid)
		require.ErrorContains(t, err, "longer than 16777216 bytes")
		require.Empty(t, listAll(t, st, tenant))
	}
}
