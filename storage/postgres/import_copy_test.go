package postgres

import (
	"context"
	"encoding/binary"
	"io"
	"slices"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// importShape builds customer i of tenant, the same every time but for
// the tenant: a rotation of shapes covering every column, and customers
// the store itself refuses (the guard would refuse none of them: the test
// calls the store's importer directly). refused is the path of the
// refusal, "" for a customer the store takes.
func importShape(t *testing.T, tenant crm.TenantID, i int) (c *customer.Customer, refused string) {
	t.Helper()
	at := time.Date(2026, 5, 4, 3, 2, 1, 987_654_321, time.UTC)
	ch := customer.Change{Actor: "importer", At: at}
	var id crm.ID
	id[0] = 0x01
	binary.BigEndian.PutUint64(id[8:], uint64(i+1))
	email := func(s string) customer.Email {
		e, err := customer.ParseEmail(s)
		require.NoError(t, err)
		return e
	}
	phone := func(s, region string) customer.Phone {
		p, err := customer.ParsePhone(s, region)
		require.NoError(t, err)
		return p
	}
	in := customer.NewInput{ID: id, Tenant: tenant, Kind: customer.Person, Name: "Customer " + string(rune('A'+i%26)),
		Roles: []customer.Role{customer.EndCustomer}, Owner: "owner-1",
		Emails: []customer.Email{email("c" + string(rune('a'+i%26)) + "@example.com")},
		Phones: []customer.Phone{phone("+44 20 7946 0001", "GB")}}
	fromRecord := func(edit func(r *customer.Record)) *customer.Customer {
		c, err := customer.New(in, ch)
		require.NoError(t, err)
		r := c.Record()
		edit(&r)
		c, err = customer.FromRecord(r)
		require.NoError(t, err)
		return c
	}
	switch {
	case i == 3 || i == importBatch-1:
		return fromRecord(func(r *customer.Record) { r.UpdatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }), "updated_at"
	case i == importBatch || i == 3*importBatch+7:
		return fromRecord(func(r *customer.Record) { r.Tags = []string{"fine", "\xff"} }), "tags[1]"
	}
	switch i % 4 {
	case 1:
		in.Name = "ÄNNE Wang 王伟 " + string(rune('A'+i%26))
		in.Emails = []customer.Email{email("Änne.WANG@Example.COM"), email("ww@例子.中国")}
		in.Phones = []customer.Phone{phone("(020) 7946 0958 ext. 12", "GB"), phone("416 555 0100", "CA"), phone("+86 138 0013 8000", "CN")}
	case 2:
		c, err := customer.New(in, ch)
		require.NoError(t, err)
		fillEveryField(t, c, "importer", at)
		return c, ""
	case 3:
		return fromRecord(func(r *customer.Record) {
			r.ErasedAt = at.Add(time.Hour)
			r.LastContact = time.Date(1999, 12, 31, 23, 59, 59, 1_500, time.UTC)
			r.HistorySeq = 9
			r.Emails = []customer.Email{{}, r.Emails[0]}
		}), ""
	}
	c, err := customer.New(in, ch)
	require.NoError(t, err)
	return c, ""
}

// TestImportMatchesCreateStored imports customers of every shape through
// the store's own streamed COPY (skipping those the store refuses, some on
// batch boundaries) and creates the same customers in another tenant with
// Create: every stored column of every customer and history row is the
// same, and the imported customers read back as they were.
func TestImportMatchesCreateStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	s, err := New(pool, &Options{Schema: pgtest.Schema(t)})
	require.NoError(t, err)
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	cs := &customerStore{s: s}

	const n = 4*importBatch + 10
	const imported, created = crm.TenantID("tenant-imported"), crm.TenantID("tenant-created")
	var batch []*customer.Customer
	var wantRejected []int64
	var wantPaths []string
	for i := range n {
		c, refused := importShape(t, imported, i)
		batch = append(batch, c)
		if refused != "" {
			wantRejected = append(wantRejected, int64(i))
			wantPaths = append(wantPaths, refused) // the guard, skipped here, prefixes the index
			continue
		}
		twin, _ := importShape(t, created, i)
		require.NoError(t, cs.Create(ctx, twin), "customer %d", i)
	}
	i := 0
	rep, err := cs.ImportCustomerStream(ctx, func() (*customer.Customer, error) {
		if i == len(batch) {
			return nil, io.EOF
		}
		i++
		return batch[i-1], nil
	}, customer.ImportOptions{Policy: customer.SkipInvalid})
	require.NoError(t, err)
	var gotRejected []int64
	var gotPaths []string
	for _, r := range rep.Rejected {
		gotRejected = append(gotRejected, r.Index)
		var ve *crm.ValidationError
		require.ErrorAs(t, r.Err, &ve)
		gotPaths = append(gotPaths, ve.Fields[0].Path)
	}
	require.Equal(t, wantRejected, gotRejected)
	require.Equal(t, wantPaths, gotPaths)
	require.Equal(t, int64(n-len(wantRejected)), rep.Stored)

	rows := func(sql string, tenant crm.TenantID) []string {
		r, err := pool.Query(ctx, sql, string(tenant))
		require.NoError(t, err)
		var out []string
		for r.Next() {
			var s string
			require.NoError(t, r.Scan(&s))
			out = append(out, s)
		}
		require.NoError(t, r.Err())
		return out
	}
	schema := quoteIdent(s.schema)
	for _, sql := range []string{
		`SELECT (to_jsonb(c) - 'tenant_id')::text FROM ` + schema + `.customers c WHERE tenant_id = $1 ORDER BY id`,
		`SELECT (to_jsonb(h) - 'tenant_id')::text FROM ` + schema + `.customer_history h WHERE tenant_id = $1 ORDER BY origin_id, seq`,
	} {
		want := rows(sql, created)
		require.NotEmpty(t, want)
		require.Equal(t, want, rows(sql, imported), sql)
	}
	// Read back, each imported customer is the created one (times in
	// microseconds, as stored).
	for _, c := range append(batch[:8], batch[n-8:]...) {
		got, err := cs.Get(ctx, imported, c.ID())
		if c.UpdatedAt().Year() == 10000 {
			require.ErrorIs(t, err, crm.ErrNotFound)
			continue
		}
		require.NoError(t, err)
		twin, err := cs.Get(ctx, created, c.ID())
		require.NoError(t, err)
		want := twin.Record()
		want.Tenant = imported
		require.Equal(t, want, got.Record())
		require.Equal(t, c.Name(), got.Name())
	}
}

// TestByteChunks: the history's COPY stream reads its parts in order,
// empty ones included, whatever the size of the reads.
func TestByteChunks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		parts [][]byte
		want  string
	}{
		{"none", nil, ""},
		{"empty parts", [][]byte{{}, nil, {}}, ""},
		{"parts", [][]byte{[]byte("PG"), {}, []byte("COPY"), nil, []byte("!")}, "PGCOPY!"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := byteChunks(slices.Clone(tc.parts))
			got, err := io.ReadAll(iotest.OneByteReader(&c))
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
			c = byteChunks(slices.Clone(tc.parts))
			require.NoError(t, iotest.TestReader(&c, []byte(tc.want)))
		})
	}
}
