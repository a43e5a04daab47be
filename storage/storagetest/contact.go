package storagetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testFindByContact covers duplicate look-ups by e-mail and phone.
// maxFindKeys is the most e-mail addresses and phone numbers, together,
// one FindByContact call may look up: storage/postgres's bound (ten pages
// of keys), which every store keeps.
const maxFindKeys = 10 * crm.MaxPageLimit

func testFindByContact(t *testing.T, e *env) {
	ctx := context.Background()
	sorted := func(cs ...*customer.Customer) []crm.ID {
		out := ids(cs)
		slices.SortFunc(out, crm.ID.Compare)
		return out
	}

	t.Run("ByEmailAndPhone", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		a := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"Shared.Person@Example.com"}, Phones: []string{"+8613900139000"}})
		b := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"other@example.com", "shared.person@example.com"}})
		c := CreateCustomer(t, e.c, tenant, &CustomerOptions{Phones: []string{"+8613900139000"}})
		CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"unrelated@example.com"}, Phones: []string{"+8613900139001"}})

		cases := []struct {
			name           string
			emails, phones []string
			want           []crm.ID
		}{
			{"Email", []string{"shared.person@example.com"}, nil, sorted(a, b)},
			{"Phone", nil, []string{"+8613900139000"}, sorted(a, c)},
			{"Both", []string{"shared.person@example.com"}, []string{"+8613900139000"}, sorted(a, b, c)},
			{"SecondEmail", []string{"other@example.com"}, nil, sorted(b)},
			{"Unknown", []string{"nobody@example.com"}, []string{"+8613900139999"}, nil},
			{"Nothing", nil, nil, nil},
			{"EmptyStrings", []string{""}, []string{""}, nil},
		}
		for _, tc := range cases {
			got, err := e.c.FindByContact(ctx, tenant, tc.emails, tc.phones, 10)
			require.NoError(t, err, tc.name)
			require.Equal(t, tc.want, nilIfEmpty(ids(got)), tc.name)
			for _, c := range got {
				RequireSameCustomer(t, mustGet(t, e.c, tenant, c.ID()), c, tc.name)
			}
		}
	})

	t.Run("Limit", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		var all []*customer.Customer
		for range 5 {
			all = append(all, CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"family@example.com"}}))
		}
		want := sorted(all...)
		for _, limit := range []int{1, 3, 5, 6} {
			got, err := e.c.FindByContact(ctx, tenant, []string{"family@example.com"}, nil, limit)
			require.NoError(t, err)
			require.Equal(t, want[:min(limit, len(want))], ids(got), "limit %d", limit)
		}
	})

	t.Run("TombstonesExcluded", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		survivor := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"keep@example.com"}})
		loser := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"keep@example.com", "loser@example.com"}})
		_, err := customer.Merge(survivor, loser, customer.Survivorship{}, change(1))
		require.NoError(t, err)
		require.NoError(t, e.c.Save(ctx, survivor))
		require.NoError(t, e.c.Save(ctx, loser))
		got, err := e.c.FindByContact(ctx, tenant, []string{"keep@example.com", "loser@example.com"}, nil, 10)
		require.NoError(t, err)
		require.Equal(t, []crm.ID{survivor.ID()}, ids(got))
	})

	t.Run("FollowsChanges", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"old@example.com"}, Phones: []string{"+8613700137000"}})
		newEmail, err := customer.ParseEmail("new@example.com")
		require.NoError(t, err)
		_, err = e.c.Update(ctx, tenant, c.ID(), func(x *customer.Customer) error {
			return x.SetContacts([]customer.Email{newEmail}, nil, nil)
		})
		require.NoError(t, err)
		got, err := e.c.FindByContact(ctx, tenant, []string{"old@example.com"}, []string{"+8613700137000"}, 10)
		require.NoError(t, err)
		require.Empty(t, got, "old contacts still found")
		got, err = e.c.FindByContact(ctx, tenant, []string{"new@example.com"}, nil, 10)
		require.NoError(t, err)
		require.Equal(t, []crm.ID{c.ID()}, ids(got))

		// Erasure removes the contacts from look-ups.
		x := mustGet(t, e.c, tenant, c.ID())
		_, err = x.Erase(change(2))
		require.NoError(t, err)
		require.NoError(t, e.c.Save(ctx, x))
		got, err = e.c.FindByContact(ctx, tenant, []string{"new@example.com"}, nil, 10)
		require.NoError(t, err)
		require.Empty(t, got)
	})

	t.Run("OtherTenant", func(t *testing.T) {
		t.Parallel()
		t1, t2 := NewTenant(t), NewTenant(t)
		a := CreateCustomer(t, e.c, t1, &CustomerOptions{Emails: []string{"both@example.com"}})
		CreateCustomer(t, e.c, t2, &CustomerOptions{Emails: []string{"both@example.com"}})
		got, err := e.c.FindByContact(ctx, t1, []string{"both@example.com"}, nil, 10)
		require.NoError(t, err)
		require.Equal(t, []crm.ID{a.ID()}, ids(got))
	})

	t.Run("RepeatedKeyOnce", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		var want []*customer.Customer
		for range 5 {
			want = append(want, CreateCustomer(t, e.c, tenant, &CustomerOptions{
				Emails: []string{"same@example.com"}, Phones: []string{"+8613900139000"},
			}))
		}
		emails := slices.Repeat([]string{"same@example.com"}, 1000)
		phones := slices.Repeat([]string{"+8613900139000"}, 1000)
		for name, keys := range map[string][2][]string{
			"Emails": {emails, nil}, "Phones": {nil, phones}, "Both": {emails[:500], phones[:500]},
		} {
			got, err := e.c.FindByContact(ctx, tenant, keys[0], keys[1], crm.MaxPageLimit)
			require.NoError(t, err, name)
			require.Equal(t, sorted(want...), ids(got), "%s: every matching customer once, in ID order", name)
		}
	})

	t.Run("KeyLimit", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"k00000@example.com"}})
		keys := func(prefix string, n int) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = fmt.Sprintf("%s%05d@example.com", prefix, i)
			}
			return out
		}
		got, err := e.c.FindByContact(ctx, tenant, keys("k", maxFindKeys), nil, 10)
		require.NoError(t, err, "%d distinct keys are allowed", maxFindKeys)
		require.Equal(t, []crm.ID{c.ID()}, ids(got))
		_, err = e.c.FindByContact(ctx, tenant, keys("k", maxFindKeys+1), nil, 10)
		require.ErrorIs(t, err, crm.ErrInvalid, "more than %d distinct keys", maxFindKeys)
		phones := make([]string, maxFindKeys/2+1)
		for i := range phones {
			phones[i] = fmt.Sprintf("+86139%08d", i)
		}
		_, err = e.c.FindByContact(ctx, tenant, keys("k", maxFindKeys/2), phones, 10)
		require.ErrorIs(t, err, crm.ErrInvalid, "more than %d distinct keys, e-mails and phones together", maxFindKeys)
	})
}
