package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// textIndexes returns the names of the text search indexes on the store's
// customers table.
func textIndexes(t testing.TB, s *postgres.Store) []string {
	t.Helper()
	// From the catalog tables, not pg_indexes: its pg_get_indexdef can
	// trip over an index another test drops meanwhile.
	rows, err := pgtest.Pool(t).Query(context.Background(), `
		SELECT ci.relname::text FROM pg_index i
		JOIN pg_class ci ON ci.oid = i.indexrelid
		JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = 'customers' AND EXISTS (
			SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
			AND a.attname IN ('search_text', 'search_phones'))
		ORDER BY 1`, s.Schema())
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

func TestPrefixSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, &postgres.Options{TextSearch: postgres.PrefixSearch})
	require.Equal(t, []string{"customers_phones_prefix_idx", "customers_text_prefix_idx"}, textIndexes(t, s),
		"b-trees instead of the trigram indexes")

	ten, other := newTenant(), newTenant()
	ada := newCustomer(t, ten, custOpts{name: "Ada Lovelace", emails: []string{"countess@example.com"}, phones: []string{"+44 20 7946 0018", "+1 202 555 0143"}})
	pct := newCustomer(t, ten, custOpts{name: "100% Pure_Water Ltd"})
	hundred := newCustomer(t, ten, custOpts{name: "100X Pure Water"})
	elsewhere := newCustomer(t, other, custOpts{name: "Ada Elsewhere"})
	imp := s.Customers().(postgres.CustomerImporter)
	require.NoError(t, imp.ImportCustomers(ctx, []*customer.Customer{ada, pct, hundred, elsewhere}))

	cases := []struct {
		name string
		text string
		want []*customer.Customer
	}{
		{"name prefix, any case", "  ADA ", []*customer.Customer{ada}},
		{"whole name", "ada lovelace", []*customer.Customer{ada}},
		{"middle of the name does not match", "lovelace", nil},
		{"e-mail does not match", "countess", nil},
		{"first phone number by its digits", "44 20 79", []*customer.Customer{ada}},
		{"a later phone number does not match", "1 202", nil},
		{"LIKE wildcards are literal", "100%", []*customer.Customer{pct}},
		{"underscore is literal", "100% pure_", []*customer.Customer{pct}},
		{"digits of a name match both", "100", []*customer.Customer{pct, hundred}},
		{"nothing", "zed", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := s.Customers().List(ctx, ten, customer.Query{Text: tc.text}, crm.PageRequest{})
			require.NoError(t, err)
			var got, want []crm.ID
			for _, c := range p.Items {
				got = append(got, c.ID())
			}
			for _, c := range tc.want {
				want = append(want, c.ID())
			}
			require.ElementsMatch(t, want, got)
		})
	}
}

// TestTextSearchSwitch migrates a schema in one mode, then the other:
// Migrate leaves the indexes of the store's mode, and search follows.
func TestTextSearchSwitch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sub := newStore(t, nil)
	require.Equal(t, []string{"customers_phones_idx", "customers_text_idx"}, textIndexes(t, sub))
	ten := newTenant()
	ada := newCustomer(t, ten, custOpts{name: "Ada Lovelace"})
	require.NoError(t, sub.Customers().Create(ctx, ada))

	pre, err := postgres.New(pgtest.Pool(t), &postgres.Options{Schema: sub.Schema(), TextSearch: postgres.PrefixSearch})
	require.NoError(t, err)
	applied, err := pre.Migrate(ctx)
	require.NoError(t, err)
	require.Empty(t, applied)
	require.Equal(t, []string{"customers_phones_prefix_idx", "customers_text_prefix_idx"}, textIndexes(t, sub))
	p, err := pre.Customers().List(ctx, ten, customer.Query{Text: "love"}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, p.Items, "prefix search")

	_, err = sub.Migrate(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"customers_phones_idx", "customers_text_idx"}, textIndexes(t, sub))
	p, err = sub.Customers().List(ctx, ten, customer.Query{Text: "love"}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Items, 1, "substring search")

	_, err = postgres.New(pgtest.Pool(t), &postgres.Options{TextSearch: 7})
	require.ErrorIs(t, err, crm.ErrInvalid)
}
