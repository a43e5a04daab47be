package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/storagetest"
)

// leadBatch builds n valid new leads spread over the tenants, each with
// its own e-mail address.
func leadBatch(t testing.TB, n int, tenants ...crm.TenantID) []*lead.Lead {
	t.Helper()
	out := make([]*lead.Lead, n)
	for i := range out {
		out[i] = storagetest.NewLead(t, tenants[i%len(tenants)], &storagetest.LeadOptions{
			Email: fmt.Sprintf("imported.%d@example.com", i), Phone: fmt.Sprintf("+4420790%05d", i),
		})
	}
	return out
}

func TestImportLeads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	role, pool := appRole(t)
	_, rls := rlsStore(t, role, pool)
	for _, tc := range []struct {
		name string
		s    *postgres.Store
	}{
		{"COPY", newStore(t, nil)},
		{"RowLevelSecurity", rls},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := tc.s
			imp, ok := s.Leads().(postgres.LeadImporter)
			require.True(t, ok, "the lead store offers bulk import")
			a, b := newTenant(), newTenant()
			batch := leadBatch(t, 300, a, b)
			require.NoError(t, imp.ImportLeads(ctx, batch))
			for _, l := range batch {
				require.Equal(t, int64(1), l.Version())
				require.Empty(t, l.PendingHistory())
			}
			for _, l := range []*lead.Lead{batch[0], batch[151], batch[299]} {
				got, err := s.Leads().Get(ctx, l.Tenant(), l.ID())
				require.NoError(t, err)
				require.Equal(t, l.Record(), got.Record())
				h, err := s.Leads().History(ctx, l.Tenant(), l.ID(), crm.PageRequest{})
				require.NoError(t, err)
				require.Len(t, h.Items, 1)
				require.Equal(t, lead.HistoryCaptured, h.Items[0].Kind)
			}
			found, err := s.Leads().FindByContact(ctx, a, []string{"imported.2@example.com"}, []string{"+442079000004"}, 0)
			require.NoError(t, err)
			require.Len(t, found, 2, "the contact keys of imported leads are indexed")
			found, err = s.Leads().FindByContact(ctx, b, []string{"imported.2@example.com"}, nil, 0)
			require.NoError(t, err)
			require.Empty(t, found, "another tenant's lead")

			// All or nothing: one stored ID fails the whole batch.
			again := leadBatch(t, 10, a)
			again[7] = storagetest.NewLead(t, a, &storagetest.LeadOptions{ID: batch[0].ID()})
			err = imp.ImportLeads(ctx, again)
			require.ErrorIs(t, err, crm.ErrDuplicate)
			_, err = s.Leads().Get(ctx, a, again[0].ID())
			require.ErrorIs(t, err, crm.ErrNotFound, "nothing of a failed import is stored")

			// A repeated ID and a stored lead are refused before anything is written.
			bad := leadBatch(t, 3, a)
			bad[2] = storagetest.NewLead(t, a, &storagetest.LeadOptions{ID: bad[0].ID()})
			require.ErrorIs(t, imp.ImportLeads(ctx, bad), crm.ErrInvalid)
			require.ErrorIs(t, imp.ImportLeads(ctx, []*lead.Lead{batch[1]}), crm.ErrInvalid, "version 1")
			_, err = s.Leads().Get(ctx, a, bad[1].ID())
			require.ErrorIs(t, err, crm.ErrNotFound)
		})
	}
}
