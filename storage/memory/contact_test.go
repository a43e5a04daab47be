package memory_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
	"github.com/crmkit/crm/storage/storagetest"
)

// contactFixture is a tenant whose n customers share one e-mail address;
// every tenth also has its own phone number.
type contactFixture struct {
	s      *memory.Store
	tenant crm.TenantID
	ids    []crm.ID // ascending
	phones []string // normalised
}

const sharedEmail = "shared@example.com"

func newContactFixture(tb testing.TB, n int) *contactFixture {
	tb.Helper()
	f := &contactFixture{s: memory.New(nil), tenant: storagetest.NewTenant(tb)}
	for i := range n {
		opts := &storagetest.CustomerOptions{Emails: []string{sharedEmail}}
		if i%10 == 0 {
			opts.Phones = []string{fmt.Sprintf("+8613900%06d", i)}
		}
		c := storagetest.CreateCustomer(tb, f.s.Customers(), f.tenant, opts)
		f.ids = append(f.ids, c.ID())
		if len(opts.Phones) > 0 {
			f.phones = append(f.phones, c.Phones()[0].Normalized())
		}
	}
	slices.SortFunc(f.ids, crm.ID.Compare)
	return f
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestFindByContactKeys(t *testing.T) {
	t.Parallel()
	f := newContactFixture(t, 2_000)
	cs := f.s.Customers()
	ctx := context.Background()
	ids := func(found []*customer.Customer) []crm.ID {
		out := make([]crm.ID, len(found))
		for i, c := range found {
			out[i] = c.ID()
		}
		return out
	}
	cases := []struct {
		name          string
		emails        []string
		phones        []string
		limit         int
		want          []crm.ID
		wantErr       error
		wantErrSubstr string
	}{
		{name: "OneKeyRepeated", emails: repeat(sharedEmail, 1_000), limit: crm.MaxPageLimit, want: f.ids[:crm.MaxPageLimit]},
		{name: "AtTheBound", emails: repeat(sharedEmail, memory.MaxContactKeys/2), phones: repeat(f.phones[0], memory.MaxContactKeys/2), limit: 5, want: f.ids[:5]},
		{name: "RepeatsCountOnce", emails: repeat(sharedEmail, memory.MaxContactKeys/2), phones: repeat(f.phones[0], memory.MaxContactKeys/2+1), limit: 5, want: f.ids[:5]},
		{name: "OverTheBound", emails: numbered("p%d@example.com", memory.MaxContactKeys/2), phones: numbered("+86138%08d", memory.MaxContactKeys/2+1), wantErr: crm.ErrInvalid, wantErrSubstr: "keys: more than 10000 distinct"},
		{name: "PhonesOnly", phones: f.phones, limit: crm.MaxPageLimit, want: phoneIDs(t, f)},
		{name: "OverlappingKeys", emails: []string{sharedEmail, "nobody@example.com"}, phones: f.phones, limit: 3, want: f.ids[:3]},
		{name: "Unknown", emails: []string{"nobody@example.com"}, phones: []string{"+861"}, want: []crm.ID{}},
		{name: "None", want: []crm.ID{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			found, err := cs.FindByContact(ctx, f.tenant, tc.emails, tc.phones, tc.limit)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.ErrorContains(t, err, tc.wantErrSubstr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, ids(found))
		})
	}
}

// phoneIDs returns the ascending IDs of the customers with a phone number.
func phoneIDs(tb testing.TB, f *contactFixture) []crm.ID {
	tb.Helper()
	var out []crm.ID
	for _, id := range f.ids {
		c, err := f.s.Customers().Get(context.Background(), f.tenant, id)
		require.NoError(tb, err)
		if len(c.Phones()) > 0 {
			out = append(out, id)
		}
	}
	return out
}

// BenchmarkFindByContact looks up 10,000 customers sharing one address,
// with the address given once, repeated 1,000 times, and repeated up to the
// bound of keys; the cost must not grow with the repetitions.
func BenchmarkFindByContact(b *testing.B) {
	f := newContactFixture(b, 10_000)
	cs := f.s.Customers()
	ctx := context.Background()
	for _, n := range []int{1, 1_000, memory.MaxContactKeys} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			emails := repeat(sharedEmail, n)
			b.ReportAllocs()
			for b.Loop() {
				found, err := cs.FindByContact(ctx, f.tenant, emails, nil, crm.MaxPageLimit)
				if err != nil || len(found) != crm.MaxPageLimit {
					b.Fatal(len(found), err)
				}
			}
		})
	}
	b.Run("keys=1000/distinct", func(b *testing.B) {
		phones := f.phones
		b.ReportAllocs()
		for b.Loop() {
			found, err := cs.FindByContact(ctx, f.tenant, []string{sharedEmail}, phones, crm.MaxPageLimit)
			if err != nil || len(found) != crm.MaxPageLimit {
				b.Fatal(len(found), err)
			}
		}
	})
}

// numbered returns n distinct keys made from format and 0..n-1.
func numbered(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}
