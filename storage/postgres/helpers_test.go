package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// newStore returns a migrated store in a fresh schema of the shared pool,
// dropped when t ends. opts may be nil.
func newStore(t testing.TB, opts *postgres.Options) *postgres.Store {
	t.Helper()
	pool := pgtest.Pool(t)
	var o postgres.Options
	if opts != nil {
		o = *opts
	}
	o.Schema = pgtest.Schema(t)
	s, err := postgres.New(pool, &o)
	require.NoError(t, err)
	_, err = s.Migrate(context.Background())
	require.NoError(t, err)
	return s
}

var (
	t0      = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)
	idClock = crm.NewManualClock(t0)
	ids     = crm.NewSequentialIDs(idClock)
	tenantN atomic.Int64
)

// newID returns a fresh, increasing ID.
func newID(t testing.TB) crm.ID {
	t.Helper()
	id, err := ids.NewID()
	require.NoError(t, err)
	return id
}

// newTenant returns a tenant ID no other test uses.
func newTenant() crm.TenantID {
	return crm.TenantID(fmt.Sprintf("tenant-%d", tenantN.Add(1)))
}

// custOpts tweaks a test customer.
type custOpts struct {
	name   string
	owner  crm.UserID
	emails []string
	phones []string
}

// newCustomer builds a valid new customer of tenant.
func newCustomer(t testing.TB, tenant crm.TenantID, o custOpts) *customer.Customer {
	t.Helper()
	if o.name == "" {
		o.name = "Ada Lovelace"
	}
	if o.owner == "" {
		o.owner = "owner-1"
	}
	in := customer.NewInput{ID: newID(t), Tenant: tenant, Kind: customer.Person, Name: o.name, Roles: []customer.Role{customer.EndCustomer}, Owner: o.owner}
	for _, e := range o.emails {
		em, err := customer.ParseEmail(e)
		require.NoError(t, err)
		in.Emails = append(in.Emails, em)
	}
	for _, p := range o.phones {
		ph, err := customer.ParsePhone(p, "GB")
		require.NoError(t, err)
		in.Phones = append(in.Phones, ph)
	}
	c, err := customer.New(in, customer.Change{Actor: "tester", At: t0})
	require.NoError(t, err)
	return c
}

// change is a valid change at t0.
func change(reason string) customer.Change {
	return customer.Change{Actor: "tester", At: t0, Reason: reason}
}
