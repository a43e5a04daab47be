package storagetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testIsolation proves that no caller can change stored state except
// through the store: values passed in and handed out are copies.
func testIsolation(t *testing.T, e *env) {
	ctx := context.Background()

	cases := []struct {
		name string
		// run does something with the store and returns customers the
		// caller still holds afterwards.
		run func(t *testing.T, tenant crm.TenantID, id crm.ID) []*customer.Customer
	}{
		{"Save", func(t *testing.T, tenant crm.TenantID, id crm.ID) []*customer.Customer {
			c := mustGet(t, e.c, tenant, id)
			require.NoError(t, c.SetNotes("saved"))
			require.NoError(t, e.c.Save(ctx, c))
			return []*customer.Customer{c}
		}},
		{"FindByContact", func(t *testing.T, tenant crm.TenantID, _ crm.ID) []*customer.Customer {
			found, err := e.c.FindByContact(ctx, tenant, []string{"iso@example.com"}, nil, 10)
			require.NoError(t, err)
			require.Len(t, found, 1)
			return found
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			c := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"iso@example.com"}})
			held := tc.run(t, tenant, c.ID())
			before := takeSnapshot(t, e.c, tenant, c.ID())
			for _, h := range held {
				mutateCustomer(t, h)
			}
			requireUnchanged(t, e.c, tenant, before)
			// The mutated address must not have reached the contact index.
			found, err := e.c.FindByContact(ctx, tenant, []string{"mutated@example.com"}, nil, 10)
			require.NoError(t, err)
			require.Empty(t, found)
		})
	}

	t.Run("QuerySegment", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		seg := &customer.Segment{Name: "all", Conditions: []customer.Condition{{Field: "kind", Op: customer.OpEq, Value: "person"}}}
		p, err := e.c.List(ctx, tenant, customer.Query{Segment: seg}, crm.PageRequest{})
		require.NoError(t, err)
		require.Equal(t, []crm.ID{c.ID()}, ids(p.Items))
		require.Equal(t, "person", seg.Conditions[0].Value, "List changed the caller's query")
	})
}
