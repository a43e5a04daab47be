package memory

import (
	"context"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage/storagetest"
)

// TestSnapshotsShareTheTenantName checks that the snapshots of customers,
// leads and opportunities hold the shard's one copy of the tenant's name
// after a create and after an update, whatever copy the caller passed:
// what keeps a Get's check of the tenant off the record's own memory.
func TestSnapshotsShareTheTenantName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := New(nil)
	tenant := storagetest.NewTenant(t)
	// copyOf returns a copy of the tenant's name in memory of its own.
	copyOf := func() crm.TenantID { return crm.TenantID(strings.Clone(string(tenant))) }
	c := storagetest.NewCustomer(t, copyOf(), nil)
	require.NoError(t, s.Customers().Create(ctx, c))
	l := storagetest.NewLead(t, copyOf(), nil)
	require.NoError(t, s.Leads().Create(ctx, l))
	o := storagetest.NewOpportunity(t, copyOf(), &storagetest.OpportunityOptions{Customer: c.ID()})
	require.NoError(t, s.Opportunities().Create(ctx, o))

	td := s.tenant(tenant, false)
	require.NotNil(t, td)
	name := unsafe.StringData(string(td.name))
	shares := func(what string, got crm.TenantID) {
		t.Helper()
		require.Equal(t, tenant, got, what)
		require.Same(t, name, unsafe.StringData(string(got)), "%s holds a copy of the tenant's name of its own", what)
	}
	snapshots := func(when string) {
		t.Helper()
		td.mu.RLock()
		defer td.mu.RUnlock()
		st := td.customers.rows[c.ID()]
		shares(when+": customer", st.c.Tenant())
		shares(when+": customer copy", st.h.Tenant())
		shares(when+": lead", td.leads.rows[l.ID()].l.Tenant())
		shares(when+": opportunity", td.opps.rows[o.ID()].Tenant())
	}
	snapshots("created")

	_, err := s.Customers().Update(ctx, copyOf(), c.ID(), func(c *customer.Customer) error {
		return c.SetNotes("called back")
	})
	require.NoError(t, err)
	_, err = s.Leads().Update(ctx, copyOf(), l.ID(), func(l *lead.Lead) error {
		return l.Assign("rep-7", lead.Change{Actor: "tester", At: time.Now()})
	})
	require.NoError(t, err)
	_, err = s.Opportunities().Update(ctx, copyOf(), o.ID(), func(o *opportunity.Opportunity) error {
		return o.SetAmount(crm.MustParseMoney("99.00 "+o.Currency().String()), opportunity.Change{Actor: "tester", At: time.Now()})
	})
	require.NoError(t, err)
	snapshots("updated")

	// What a Get hands out is equal, and the caller's entities keep theirs.
	got, err := s.Opportunities().Get(ctx, copyOf(), o.ID())
	require.NoError(t, err)
	require.Equal(t, tenant, got.Tenant())
	require.NotSame(t, name, unsafe.StringData(string(o.Tenant())), "the caller's opportunity was changed")
}
