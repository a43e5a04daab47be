package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testLastContact covers the last contact a store keeps: AddInteraction
// moves it forward in its transaction without a new version, never
// backwards; Create, Save and Update never move it backwards; the
// ContactedBefore filter lists customers never contacted or contacted
// before the cutoff, exactly as customer.Query.Matches says.
func testLastContact(t *testing.T, e *env) {
	ctx := context.Background()
	lastContact := func(t *testing.T, tenant crm.TenantID, id crm.ID) time.Time {
		t.Helper()
		return mustGet(t, e.c, tenant, id).LastContact()
	}

	t.Run("AddInteractionMovesForward", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		require.True(t, lastContact(t, tenant, c.ID()).IsZero(), "a new customer was never contacted")
		for _, step := range []struct{ h, want int }{{5, 5}, {3, 5}, {5, 5}, {9, 9}, {-100, 9}} {
			require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), step.h)))
			got := mustGet(t, e.c, tenant, c.ID())
			require.True(t, at(step.want).Equal(got.LastContact()), "after an interaction at +%dh: %s", step.h, got.LastContact())
			require.Equal(t, int64(1), got.Version(), "the last contact is no new version")
		}
	})

	t.Run("SaveAndUpdateNeverMoveBack", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), 4)))
		stale := mustGet(t, e.c, tenant, c.ID()) // read before the next contact
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), 8)))
		require.NoError(t, stale.SetClass(customer.Stable, change(9)))
		require.NoError(t, e.c.Save(ctx, stale))
		got := mustGet(t, e.c, tenant, c.ID())
		require.Equal(t, customer.Stable, got.Class())
		require.True(t, at(8).Equal(got.LastContact()), "Save undid a contact: %s", got.LastContact())

		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), 12)))
		got, err := e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error {
			return x.SetClass(customer.PushHard, change(13))
		})
		require.NoError(t, err)
		require.True(t, at(12).Equal(got.LastContact()))
		require.True(t, at(12).Equal(lastContact(t, tenant, c.ID())))

		// A customer created with a last contact (an import of old data)
		// keeps it.
		r := NewCustomer(t, tenant, nil).Record()
		r.LastContact = at(3)
		withContact, err := customer.FromRecord(r)
		require.NoError(t, err)
		require.NoError(t, e.c.Create(ctx, withContact))
		require.True(t, at(3).Equal(lastContact(t, tenant, withContact.ID())))
	})

	t.Run("RolledBack", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), 2)))
		err := e.s.InTx(ctx, func(ctx context.Context) error {
			require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), 7)))
			return errInjected
		})
		require.ErrorIs(t, err, errInjected)
		require.True(t, at(2).Equal(lastContact(t, tenant, c.ID())), "a rolled-back interaction left its contact behind")
	})

	t.Run("OtherTenant", func(t *testing.T) {
		t.Parallel()
		tenant, other := NewTenant(t), NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		CreateCustomer(t, e.c, other, nil) // the other tenant exists
		require.ErrorIs(t, e.c.AddInteraction(ctx, newInteraction(t, other, c.ID(), 7)), crm.ErrNotFound)
		require.True(t, lastContact(t, tenant, c.ID()).IsZero())
	})

	t.Run("Merge", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		survivor := CreateCustomer(t, e.c, tenant, &CustomerOptions{Name: "Survivor"})
		loser := CreateCustomer(t, e.c, tenant, &CustomerOptions{Name: "Loser"})
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, survivor.ID(), 3)))
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, loser.ID(), 6)))
		survivor, loser = mustGet(t, e.c, tenant, survivor.ID()), mustGet(t, e.c, tenant, loser.ID())
		_, err := customer.Merge(survivor, loser, customer.Survivorship{}, change(10))
		require.NoError(t, err)
		require.True(t, at(6).Equal(survivor.LastContact()), "a merge keeps the later contact")
		require.NoError(t, e.c.Save(ctx, survivor))
		require.NoError(t, e.c.Save(ctx, loser))
		require.NoError(t, e.c.MoveRelated(ctx, tenant, loser.ID(), survivor.ID()))
		require.True(t, at(6).Equal(lastContact(t, tenant, survivor.ID())))
		// The tombstone keeps its own; an interaction still moves it
		// forward (the contact happened), though it is never overdue.
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, loser.ID(), 20)))
		require.True(t, at(20).Equal(lastContact(t, tenant, loser.ID())))
	})

	t.Run("ContactedBefore", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		var all []*customer.Customer
		for i, h := range []int{0, 1, 5, 10, 0, 4, 6, 20} { // 0: never contacted
			owner := crm.UserID("owner-a")
			if i%2 == 1 {
				owner = "owner-b"
			}
			c := CreateCustomer(t, e.c, tenant, &CustomerOptions{Owner: owner})
			if i%3 == 0 {
				_, err := e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error { return x.SetClass(customer.Stable, change(1)) })
				require.NoError(t, err)
			}
			if h != 0 {
				require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), h)))
			}
			all = append(all, mustGet(t, e.c, tenant, c.ID()))
		}
		for _, q := range []customer.Query{
			{ContactedBefore: at(5)},
			{ContactedBefore: at(5).Add(time.Microsecond)},
			{ContactedBefore: at(100)},
			{ContactedBefore: at(-100)},
			{ContactedBefore: at(6), Owner: "owner-b"},
			{ContactedBefore: at(11), Class: customer.Stable},
		} {
			var want []crm.ID
			for _, c := range all {
				if q.Matches(c) {
					want = append(want, c.ID())
				}
			}
			var got []crm.ID
			page := crm.PageRequest{Limit: 2}
			for {
				p, err := e.c.List(ctx, tenant, q, page)
				require.NoError(t, err)
				for _, c := range p.Items {
					got = append(got, c.ID())
				}
				if p.Next == "" {
					break
				}
				page.Cursor = p.Next
			}
			require.Equal(t, want, got, "query %+v", q)
		}
		// Never-contacted customers always match; the cutoff is exclusive.
		p, err := e.c.List(ctx, tenant, customer.Query{ContactedBefore: at(1)}, crm.PageRequest{})
		require.NoError(t, err)
		require.Len(t, p.Items, 2)
		for _, c := range p.Items {
			require.True(t, c.LastContact().IsZero())
		}
		_, err = e.c.List(ctx, tenant, customer.Query{ContactedBefore: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrInvalid)
	})
}
