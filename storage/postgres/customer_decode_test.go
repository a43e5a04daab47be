package postgres

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// TestDecodeRawMatchesScan stores customers of every shape (importShape's
// rotation, a tombstone, times before 2000) and reads each row both ways:
// decodeRaw takes every row pgx's prepared statements return, and builds
// the same customer as rows.Scan. Through a pool in simple-protocol mode
// (text results) decodeRaw declines and List still returns the same
// customers.
func TestDecodeRawMatchesScan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	schema := pgtest.Schema(t)
	s, err := New(pool, &Options{Schema: schema})
	require.NoError(t, err)
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	const ten = crm.TenantID("tenant-decode")
	stored := 0
	for i := range 40 {
		c, refused := importShape(t, ten, i)
		if refused != "" {
			continue
		}
		require.NoError(t, s.customers.Create(ctx, c))
		stored++
	}
	tomb, _ := importShape(t, ten, 0)
	r := tomb.Record()
	r.ID[15] = 0xee
	r.MergedInto = tomb.ID()
	r.CreatedAt = time.Date(1970, 1, 1, 0, 0, 0, 1_000, time.UTC)
	tomb, err = customer.FromRecord(r)
	require.NoError(t, err)
	require.NoError(t, s.customers.Create(ctx, tomb))
	stored++

	sql := `SELECT ` + customerReadCols + ` FROM ` + quoteIdent(schema) + `.customers WHERE tenant_id = $1 ORDER BY id`
	read := func(p *pgxpool.Pool) (raw, scanned []customer.Record, declined int) {
		rows, err := p.Query(ctx, sql, string(ten))
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var a, b customerScan
			if a.decodeRaw(rows.FieldDescriptions(), rows.RawValues()) {
				c, err := a.customer(s.cache)
				require.NoError(t, err)
				raw = append(raw, c.Record())
			} else {
				declined++
			}
			require.NoError(t, rows.Scan(b.dest()...))
			c, err := b.customer(s.cache)
			require.NoError(t, err)
			scanned = append(scanned, c.Record())
		}
		require.NoError(t, rows.Err())
		return raw, scanned, declined
	}
	raw, scanned, declined := read(pool)
	require.Zero(t, declined)
	require.Len(t, scanned, stored)
	require.Equal(t, scanned, raw)

	simple := pgtest.NewPool(t, func(c *pgxpool.Config) {
		c.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	})
	_, fromText, declined := read(simple)
	require.Equal(t, stored, declined, "text results are left to pgx")
	require.Equal(t, scanned, fromText)

	ts, err := New(simple, &Options{Schema: schema})
	require.NoError(t, err)
	want, err := s.Customers().List(ctx, ten, customer.Query{}, crm.PageRequest{Limit: 100})
	require.NoError(t, err)
	got, err := ts.Customers().List(ctx, ten, customer.Query{}, crm.PageRequest{Limit: 100})
	require.NoError(t, err)
	require.Len(t, want.Items, stored-1, "List leaves the tombstone out")
	require.Len(t, got.Items, len(want.Items))
	for i := range want.Items {
		require.Equal(t, want.Items[i].Record(), got.Items[i].Record())
	}
}

// FuzzRawTextArray holds rawTextArray to pgx: whatever the bytes, no
// panic, and an array it reads is the one pgx reads.
func FuzzRawTextArray(f *testing.F) {
	m := pgtype.NewMap()
	for _, v := range [][]string{nil, {}, {""}, {"a", "bc"}, {"王伟", "\xff", "x\x00y"}} {
		b, err := m.Encode(pgtype.TextArrayOID, pgtype.BinaryFormatCode, v, nil)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := rawTextArray(b)
		if !ok {
			return
		}
		var want []string
		require.NoError(t, m.Scan(pgtype.TextArrayOID, pgtype.BinaryFormatCode, b, &want))
		require.Len(t, got, len(want))
		for i := range want {
			require.Equal(t, want[i], got[i])
		}
	})
}

// FuzzRawTimestamptz holds rawTimestamptz to pgx: the same instant, and
// the infinities left to pgx.
func FuzzRawTimestamptz(f *testing.F) {
	m := pgtype.NewMap()
	for _, us := range []int64{0, -1, 1, 1_500, -946_684_800_000_000, math.MaxInt64, math.MinInt64, math.MaxInt64 - 946_684_800_000_000} {
		var b [8]byte
		for i := range 8 {
			b[i] = byte(uint64(us) >> (56 - 8*i))
		}
		f.Add(b[:])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := rawTimestamptz(b)
		if !ok {
			return
		}
		var want pgtype.Timestamptz
		require.NoError(t, m.Scan(pgtype.TimestamptzOID, pgtype.BinaryFormatCode, b, &want))
		require.Equal(t, want.Valid, got.Valid)
		require.Equal(t, pgtype.Finite, want.InfinityModifier)
		require.True(t, want.Time.Equal(got.Time), "pgx %v, raw %v", want.Time, got.Time)
		require.Equal(t, time.UTC, got.Time.Location())
	})
}
