package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// TestMoneyDomains checks the reusable money domains of migration 0002: a
// table declaring an amount and a currency with them accepts finite
// numbers and ISO 4217 codes, refuses NaN, infinities and malformed codes,
// and round-trips amounts exactly as decimal.Decimal (RegisterTypes).
func TestMoneyDomains(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	pool := pgtest.NewPool(t, func(c *pgxpool.Config) { c.AfterConnect = postgres.RegisterTypes })
	sch := pgx.Identifier{s.Schema()}.Sanitize()
	table := sch + ".prices"
	_, err := pool.Exec(ctx, "CREATE TABLE "+table+" (id serial PRIMARY KEY, amount "+sch+".crm_money_amount NOT NULL, currency "+sch+".crm_currency NOT NULL)")
	require.NoError(t, err)

	good := []struct{ amount, currency string }{
		{"0", "EUR"},
		{"12.34", "CNY"},
		{"-0.0001", "USD"},
		{"123456789012345678901234567890.123456789", "JPY"},
	}
	for _, tc := range good {
		t.Run("accepts "+tc.amount+" "+tc.currency, func(t *testing.T) {
			d := decimal.RequireFromString(tc.amount)
			var id int
			require.NoError(t, pool.QueryRow(ctx, "INSERT INTO "+table+" (amount, currency) VALUES ($1, $2) RETURNING id", d, tc.currency).Scan(&id))
			var back decimal.Decimal
			var cur string
			require.NoError(t, pool.QueryRow(ctx, "SELECT amount, currency FROM "+table+" WHERE id = $1", id).Scan(&back, &cur))
			require.True(t, d.Equal(back), "%s != %s", d, back)
			require.Equal(t, d.String(), back.String())
			require.Equal(t, tc.currency, cur)
		})
	}
	bad := []struct{ name, amount, currency string }{
		{"NaN", "NaN", "EUR"},
		{"infinity", "Infinity", "EUR"},
		{"minus infinity", "-Infinity", "EUR"},
		{"lower-case currency", "1", "eur"},
		{"long currency", "1", "EURO"},
		{"digit in currency", "1", "E1R"},
		{"empty currency", "1", ""},
		{"currency with space", "1", "EU "},
	}
	for _, tc := range bad {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			_, err := pool.Exec(ctx, "INSERT INTO "+table+" (amount, currency) VALUES ($1::numeric, $2)", tc.amount, tc.currency)
			require.ErrorContains(t, err, "23514", "check violation expected")
		})
	}
}
