package postgres

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// TestEncodeImportMatchesCreate holds the import's encoder to the Create
// statement's: the same column values and history for every customer, and
// the same refusals, so that an imported customer reads back exactly as a
// created one.
func TestEncodeImportMatchesCreate(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	build := func(t *testing.T, name string, emails, phones []string) *customer.Customer {
		t.Helper()
		in := customer.NewInput{ID: crm.ID(uuid.Must(uuid.NewV7())), Tenant: "tenant-enc", Kind: customer.Person, Name: name,
			Roles: []customer.Role{customer.EndCustomer}, Owner: "owner-1"}
		for _, e := range emails {
			em, err := customer.ParseEmail(e)
			require.NoError(t, err)
			in.Emails = append(in.Emails, em)
		}
		for _, p := range phones {
			ph, err := customer.ParsePhone(p, "GB")
			require.NoError(t, err)
			in.Phones = append(in.Phones, ph)
		}
		c, err := customer.New(in, customer.Change{Actor: "tester", At: at})
		require.NoError(t, err)
		return c
	}
	cases := []struct {
		name string
		make func(t *testing.T) *customer.Customer
		path string // of the refusal; "" when stored
	}{
		{"plain", func(t *testing.T) *customer.Customer { return build(t, "Ada Lovelace", nil, nil) }, ""},
		{"contacts", func(t *testing.T) *customer.Customer {
			return build(t, "Wang Wei 王伟", []string{"Wang.Wei@Example.COM", "ww@例子.中国"}, []string{"+86 138 0013 8000", "(020) 7946 0958 ext. 12"})
		}, ""},
		{"every field", func(t *testing.T) *customer.Customer {
			c := build(t, `100% Pure_Water 'Ltd'`, []string{"o'brien@example.com"}, []string{"+44 20 7946 0018"})
			addr, err := customer.NewAddress(customer.Address{Label: "home", Lines: []string{"1 Long Road", "Flat 2"}, Locality: "Cambridge", AdministrativeArea: "Cambs", PostalCode: "CB1 1AA", Country: "GB"})
			require.NoError(t, err)
			require.NoError(t, c.SetContacts(c.Emails(), c.Phones(), []customer.Address{addr}))
			require.NoError(t, c.SetDate("birthday", customer.Date{Month: time.March, Day: 14}))
			require.NoError(t, c.SetTimeZone("Asia/Shanghai"))
			require.NoError(t, c.SetPreference("tea", "oolong"))
			require.NoError(t, c.SetAttribute("erp_id", "C-0042"))
			require.NoError(t, c.AddTag("VIP"))
			require.NoError(t, c.SetNotes("Prefers morning calls."))
			require.NoError(t, c.SetConsent(customer.EmailChannel, true, "web form", customer.Change{Actor: "tester", At: at.Add(time.Hour)}))
			require.NoError(t, c.AddRole(customer.Owner))
			require.NoError(t, c.SetKeyAccount(true, customer.Change{Actor: "tester", At: at, Reason: "top 20%"}))
			require.NoError(t, c.MoveStage(customer.Established, "", customer.Change{Actor: "tester", At: at, Reason: "first visit"}))
			return c
		}, ""},
		{"NUL in notes", func(t *testing.T) *customer.Customer {
			c := build(t, "Nul Notes", nil, nil)
			require.NoError(t, c.SetNotes("a\x00b"))
			return c
		}, "notes"},
		{"NUL in a preference", func(t *testing.T) *customer.Customer {
			c := build(t, "Nul Pref", nil, nil)
			require.NoError(t, c.SetPreference("food", "\x00"))
			return c
		}, "preferences.food"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tc.make(t)
			want, werr := encodeCustomer("op", c)
			row := make([]any, len(customerColumns))
			hist, err := encodeImport("op", c, row, [][]any{{"earlier row"}})
			if tc.path != "" {
				requireRefused(t, werr, tc.path)
				requireRefused(t, err, tc.path)
				require.Equal(t, [][]any{{"earlier row"}}, hist, "a refused customer adds no history")
				return
			}
			require.NoError(t, werr)
			require.NoError(t, err)
			want.args[2] = int64(1)
			require.Equal(t, want.args, row)
			require.Len(t, hist, 1+len(want.hist.seq))
			for j := range want.hist.seq {
				h := want.hist
				require.Equal(t, []any{string(c.Tenant()), h.customerID[j], h.originID[j], h.seq[j], h.kind[j], h.from[j], h.to[j], h.at[j], h.actor[j], h.reason[j]}, hist[1+j])
			}
		})
	}
}

func requireRefused(t *testing.T, err error, path string) {
	t.Helper()
	require.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, path, ve.Fields[0].Path)
}

// TestSafeEncode: a panic while encoding refuses the batch's customers
// instead of ending the process from a goroutine of the pipeline.
func TestSafeEncode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		encode func(b *importBatchOf)
	}{
		{"panicking encoder", func(*importBatchOf) { panic("broken") }},
		{"zero customer", func(b *importBatchOf) { encodeBatch("op", b) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := &importBatchOf{items: []importBatchItem{{c: new(customer.Customer)}, {c: nil}}}
			require.NotPanics(t, func() { safeEncode(tc.encode, b) })
			for _, it := range b.items {
				require.Nil(t, it.row)
				require.ErrorIs(t, it.err, crm.ErrInvalid)
			}
		})
	}
}
