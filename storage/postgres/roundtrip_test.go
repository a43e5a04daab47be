package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// TestRoundTrip stores a customer with every field set and reads it back
// unchanged: every column mapping (arrays, JSON documents, nullable times
// and IDs) loses nothing.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	c := newCustomer(t, ten, custOpts{name: "Wang Wei 王伟", emails: []string{"Wang.Wei@Example.COM", "ww@例子.中国"}, phones: []string{"+86 138 0013 8000", "(020) 7946 0958 ext. 12"}})
	addr, err := customer.NewAddress(customer.Address{Label: "home", Lines: []string{"1 Long Road", "Flat 2"}, Locality: "Cambridge", AdministrativeArea: "Cambs", PostalCode: "CB1 1AA", Country: "GB"})
	require.NoError(t, err)
	require.NoError(t, c.SetContacts(c.Emails(), c.Phones(), []customer.Address{addr}))
	require.NoError(t, c.SetDate("birthday", customer.Date{Month: time.March, Day: 14}))
	require.NoError(t, c.SetDate("contract_signed", customer.Date{Year: 2024, Month: time.February, Day: 29}))
	require.NoError(t, c.SetTimeZone("Asia/Shanghai"))
	require.NoError(t, c.SetPreference("tea", "oolong"))
	require.NoError(t, c.SetAttribute("erp_id", "C-0042"))
	require.NoError(t, c.AddTag("VIP"))
	require.NoError(t, c.AddTag("golf"))
	require.NoError(t, c.SetNotes("Prefers morning calls.\nLikes 'quotes' and \\backslashes\\."))
	require.NoError(t, c.SetConsent(customer.EmailChannel, true, "web form", customer.Change{Actor: "tester", At: t0.Add(time.Hour)}))
	require.NoError(t, c.SetConsent(customer.MobileMessage, false, "", customer.Change{Actor: "tester", At: t0.Add(2 * time.Hour)}))
	require.NoError(t, c.AddRole(customer.Owner))
	require.NoError(t, c.SetKeyAccount(true, change("top 20%")))
	require.NoError(t, c.MoveStage(customer.Established, "", change("first visit")))
	require.NoError(t, s.Customers().Create(ctx, c))

	got, err := s.Customers().Get(ctx, ten, c.ID())
	require.NoError(t, err)
	require.Equal(t, c.Record(), got.Record())

	// Tombstone and erasure columns.
	survivor := newCustomer(t, ten, custOpts{})
	require.NoError(t, s.Customers().Create(ctx, survivor))
	_, err = s.Customers().Update(ctx, ten, c.ID(), func(c *customer.Customer) error {
		_, err := c.Erase(customer.Change{Actor: "dpo", At: t0.Add(3 * time.Hour), Reason: "request"})
		return err
	})
	require.NoError(t, err)
	got, err = s.Customers().Get(ctx, ten, c.ID())
	require.NoError(t, err)
	require.True(t, got.IsErased())
	require.Equal(t, t0.Add(3*time.Hour), got.ErasedAt())
	h, err := s.Customers().History(ctx, ten, c.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, h.Items, 6) // created, consent ×2, key account, stage, erased
	require.Equal(t, customer.HistoryErased, h.Items[len(h.Items)-1].Kind)
}
