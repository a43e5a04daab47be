package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/lead/leadcsv"
)

// TestLeadCSV imports a lead file into PostgreSQL through the store's
// COPY importer, in batches inside one transaction: skip-invalid stores
// the good rows and reports the bad one by line, all or nothing stores
// nothing, and the export of what was stored reads back the same.
func TestLeadCSV(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, nil)
	tenant := crm.TenantID("csv-" + t.Name())
	var file strings.Builder
	file.WriteString("Name,Email,Phone\n")
	for i := range 1200 {
		if i == 700 {
			file.WriteString("No contact,,\n") // line 702
			continue
		}
		fmt.Fprintf(&file, "Lead %d,lead%d@example.com,+86 138 %04d %04d\n", i, i, i/10000, i%10000)
	}
	m := leadcsv.Mapping{Header: true, Columns: []leadcsv.Column{{Header: "Name", Field: "name"}, {Header: "Email", Field: "email"}, {Header: "Phone", Field: "phone"}},
		Defaults: leadcsv.Defaults{Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm}}}
	opts := leadcsv.ImportOptions{Tenant: tenant, Mapping: m, Change: lead.Change{Actor: "importer", At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
		BatchSize: 500}

	rep, err := leadcsv.Import(ctx, strings.NewReader(file.String()), s, opts)
	require.ErrorIs(t, err, leadcsv.ErrRejectedRows)
	require.Equal(t, 702, rep.Rejected[0].Line)
	p, err := s.Leads().List(ctx, tenant, lead.Query{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, p.Items, "all or nothing")

	opts.Policy = leadcsv.SkipInvalid
	rep, err = leadcsv.Import(ctx, strings.NewReader(file.String()), s, opts)
	require.NoError(t, err)
	require.Equal(t, 1199, rep.Imported)
	require.Equal(t, 1, rep.RejectedCount)

	var first bytes.Buffer
	n, err := leadcsv.Export(ctx, &first, s.Leads(), tenant, lead.Query{}, m)
	require.NoError(t, err)
	require.Equal(t, 1199, n)
	other := crm.TenantID("csv-copy-" + t.Name())
	opts.Tenant = other
	rep, err = leadcsv.Import(ctx, bytes.NewReader(first.Bytes()), s, opts)
	require.NoError(t, err)
	require.Equal(t, 1199, rep.Imported)
	var second bytes.Buffer
	_, err = leadcsv.Export(ctx, &second, s.Leads(), other, lead.Query{}, m)
	require.NoError(t, err)
	require.Equal(t, first.String(), second.String())
}
