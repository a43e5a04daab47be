package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

// leadService returns a lead service over s whose router shares every
// lead between ann, ben and cai, capacity each.
func leadService(t testing.TB, s lead.Backend, capacity int) *lead.Service {
	t.Helper()
	r, err := lead.NewRouter(lead.Rules{
		People: []lead.Person{{ID: "ann", Capacity: capacity}, {ID: "ben", Capacity: capacity}, {ID: "cai", Capacity: capacity}},
		Rules:  []lead.Rule{{Name: "all", People: []crm.UserID{"ann", "ben", "cai"}}},
	}, nil)
	require.NoError(t, err)
	svc, err := lead.NewService(s, &lead.Options{Router: r})
	require.NoError(t, err)
	return svc
}

func serviceInput(tenant crm.TenantID, email string) lead.NewInput {
	return lead.NewInput{Tenant: tenant, Name: "Wang Fang", Emails: []string{email}, Phones: []string{"+86 138 0013 8000"},
		Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm}}
}

// TestLeadServiceConcurrentCaptures: 32 captures at once through the
// service never assign past a capacity, and each lead's owner matches the
// stored open counts.
func TestLeadServiceConcurrentCaptures(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	svc := leadService(t, s, 5)
	ctx := context.Background()
	tenant := newTenant()
	owners := make([]crm.UserID, 32)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for i := range owners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				in := serviceInput(tenant, fmt.Sprintf("p%d@example.com", i))
				in.Phones = nil
				res, err := svc.Capture(ctx, in, lead.Change{Actor: "web"})
				if errors.Is(err, crm.ErrConflict) {
					continue // a serialization failure: the host retries
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				owners[i] = res.Lead.Owner()
				return
			}
		}()
	}
	wg.Wait()
	require.Empty(t, errs)
	count := map[crm.UserID]int{}
	for _, o := range owners {
		count[o]++
	}
	require.Equal(t, map[crm.UserID]int{"ann": 5, "ben": 5, "cai": 5, "": 17}, count)
	st, err := s.Leads().Assignment(ctx, tenant, "")
	require.NoError(t, err)
	for _, p := range []crm.UserID{"ann", "ben", "cai"} {
		require.Equal(t, 5, st.OpenLeads(p))
	}
}

// TestLeadServiceConvertAllOrNothing: a failing opportunity step undoes the
// whole conversion in PostgreSQL too, and two racing conversions make one
// customer.
func TestLeadServiceConvertAllOrNothing(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	svc := leadService(t, s, 10)
	ctx := context.Background()
	tenant := newTenant()
	res, err := svc.Capture(ctx, serviceInput(tenant, "wang@example.com"), lead.Change{Actor: "web"})
	require.NoError(t, err)
	id := res.Lead.ID()
	_, err = svc.Move(ctx, tenant, id, lead.StageContacted, lead.Change{Actor: "ann"})
	require.NoError(t, err)
	before, err := svc.Move(ctx, tenant, id, lead.StageQualified, lead.Change{Actor: "ann"})
	require.NoError(t, err)
	stBefore, err := s.Leads().Assignment(ctx, tenant, "")
	require.NoError(t, err)

	boom := errors.New("opportunity store down")
	var seen crm.ID
	_, err = svc.Convert(ctx, lead.ConvertInput{Tenant: tenant, Lead: id,
		CreateOpportunity: func(ctx context.Context, cust crm.ID) (crm.ID, error) {
			c, err := s.Customers().Get(ctx, tenant, cust)
			if err != nil {
				return crm.NilID, err
			}
			seen = c.ID() // the customer exists inside the transaction
			return crm.NilID, boom
		}}, lead.Change{Actor: "ann"})
	require.ErrorIs(t, err, boom)
	require.False(t, seen.IsZero())
	_, err = s.Customers().Get(ctx, tenant, seen)
	require.ErrorIs(t, err, crm.ErrNotFound, "the customer of a failed conversion is gone")
	after, err := s.Leads().Get(ctx, tenant, id)
	require.NoError(t, err)
	require.Equal(t, before.Record(), after.Record())
	stAfter, err := s.Leads().Assignment(ctx, tenant, "")
	require.NoError(t, err)
	require.Equal(t, stBefore, stAfter)

	results := make([]lead.Conversion, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				results[i], errs[i] = svc.Convert(ctx, lead.ConvertInput{Tenant: tenant, Lead: id}, lead.Change{Actor: "ann"})
				if !errors.Is(errs[i], crm.ErrConflict) {
					return
				}
			}
		}()
	}
	wg.Wait()
	first := 0
	for i := range results {
		require.NoError(t, errs[i])
		require.Equal(t, results[0].Customer.ID(), results[i].Customer.ID())
		if !results[i].Again {
			first++
		}
	}
	require.Equal(t, 1, first)
	all, err := s.Customers().List(ctx, tenant, customer.Query{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, all.Items, 1, "never a second customer")
}
