package postgres

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// fillEveryField sets every optional field of c, changes made by actor at
// at (the consent an hour later): an address, a date, a time zone, a
// preference, an attribute, two tags, notes, a consent, a second role, the
// key-account flag and a stage move.
func fillEveryField(t *testing.T, c *customer.Customer, actor crm.UserID, at time.Time) {
	t.Helper()
	addr, err := customer.NewAddress(customer.Address{Label: "home", Lines: []string{"1 Long Road", "Flat 2"}, Locality: "Cambridge",
		AdministrativeArea: "Cambs", PostalCode: "CB1 1AA", Country: "GB"})
	require.NoError(t, err)
	require.NoError(t, c.SetContacts(c.Emails(), c.Phones(), []customer.Address{addr}))
	require.NoError(t, c.SetDate("birthday", customer.Date{Month: time.March, Day: 14}))
	require.NoError(t, c.SetTimeZone("Asia/Shanghai"))
	require.NoError(t, c.SetPreference("tea", "oolong"))
	require.NoError(t, c.SetAttribute("erp_id", "C-0042"))
	require.NoError(t, c.AddTag("VIP"))
	require.NoError(t, c.AddTag("north"))
	require.NoError(t, c.SetNotes("Prefers morning calls."))
	require.NoError(t, c.SetConsent(customer.EmailChannel, true, "web form", customer.Change{Actor: actor, At: at.Add(time.Hour)}))
	require.NoError(t, c.AddRole(customer.Owner))
	require.NoError(t, c.SetKeyAccount(true, customer.Change{Actor: actor, At: at, Reason: "top 20%"}))
	require.NoError(t, c.MoveStage(customer.Established, "", customer.Change{Actor: actor, At: at, Reason: "first visit"}))
}

// TestEncodeImportMatchesCreate holds the import's encoder to the Create
// statement's: every column of the customers row and of each history row
// byte for byte what pgx encodes for encodeCustomer's values (binary
// format, the column's type), and the same refusals with the same
// problems, so that an imported customer reads back exactly as a created
// one.
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
	// fromRecord builds a customer around the constructors, as a host
	// may: every value the record allows, no pending history.
	fromRecord := func(t *testing.T, edit func(r *customer.Record)) *customer.Customer {
		t.Helper()
		r := build(t, "Record Built", []string{"rec@example.com"}, []string{"+44 20 7946 0001"}).Record()
		r.Version = 0
		edit(&r)
		c, err := customer.FromRecord(r)
		require.NoError(t, err)
		return c
	}
	cases := []struct {
		name string
		make func(t *testing.T) *customer.Customer
		path string // of the first problem of the refusal; "" when stored
	}{
		{"plain", func(t *testing.T) *customer.Customer { return build(t, "Ada Lovelace", nil, nil) }, ""},
		{"contacts", func(t *testing.T) *customer.Customer {
			return build(t, "Wang Wei 王伟", []string{"Wang.Wei@Example.COM", "ww@例子.中国", "ÄRGER.Öl@Example.de"},
				[]string{"+86 138 0013 8000", "(020) 7946 0958 ext. 12"})
		}, ""},
		{"phone of a region not the main one of its code", func(t *testing.T) *customer.Customer {
			c := build(t, "Maple Leaf", nil, nil)
			p, err := customer.ParsePhone("416 555 0100", "CA")
			require.NoError(t, err)
			require.NoError(t, c.SetContacts(nil, []customer.Phone{p}, nil))
			return c
		}, ""},
		{"every field", func(t *testing.T) *customer.Customer {
			c := build(t, `100% Pure_Water 'Ltd'`, []string{"o'brien@example.com"}, []string{"+44 20 7946 0018"})
			fillEveryField(t, c, "tester", at)
			return c
		}, ""},
		{"record: tombstone, erased, contacted, sub-microsecond and pre-2000 times", func(t *testing.T) *customer.Customer {
			return fromRecord(t, func(r *customer.Record) {
				r.MergedInto = crm.ID(uuid.Must(uuid.NewV7()))
				r.ErasedAt = time.Date(2027, 1, 2, 3, 4, 5, 999_999_999, time.UTC)
				r.LastContact = time.Date(1999, 12, 31, 23, 59, 59, 1500, time.UTC)
				r.CreatedAt = time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)
				r.HistorySeq = 7
				r.Tags = nil
			})
		}, ""},
		{"record: zero contact points", func(t *testing.T) *customer.Customer {
			return fromRecord(t, func(r *customer.Record) {
				r.Emails = []customer.Email{{}, r.Emails[0]}
				r.Phones = []customer.Phone{{}, r.Phones[0], {}}
			})
		}, ""},
		{"record: time out of range", func(t *testing.T) *customer.Customer {
			return fromRecord(t, func(r *customer.Record) { r.UpdatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) })
		}, "updated_at"},
		{"record: bad UTF-8 in a tag and NUL in the name", func(t *testing.T) *customer.Customer {
			return fromRecord(t, func(r *customer.Record) {
				r.Name = "a\x00b"
				r.Tags = []string{"ok", "\xff"}
			})
		}, "name"},
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
	m := pgtype.NewMap()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tc.make(t)
			want, werr := encodeCustomer("op", c)
			earlier := []byte("earlier rows")
			rows := copyRows{buf: slices.Clone(earlier)}
			hist := copyRows{buf: slices.Clone(earlier)}
			err := encodeImport("op", c, &rows, &hist)
			if tc.path != "" {
				requireRefused(t, werr, tc.path)
				requireRefused(t, err, tc.path)
				require.Equal(t, werr.Error(), err.Error(), "the same problems")
				require.Equal(t, earlier, rows.buf, "a refused customer adds no row")
				require.Equal(t, earlier, hist.buf, "a refused customer adds no history")
				return
			}
			require.NoError(t, werr)
			require.NoError(t, err)
			want.args[2] = int64(1)
			got := copyFields(t, rows.buf[len(earlier):], 1, len(customerColumns))
			for i, col := range customerColumns {
				requirePgxEncoding(t, m, customerColumnOIDs[i], want.args[i], got[0][i], col)
			}
			h := want.hist
			got = copyFields(t, hist.buf[len(earlier):], len(h.seq), len(historyColumns))
			for j := range h.seq {
				vals := []any{string(c.Tenant()), h.customerID[j], h.originID[j], h.seq[j], h.kind[j], h.from[j], h.to[j], h.at[j], h.actor[j], h.reason[j]}
				for i, col := range historyColumns {
					requirePgxEncoding(t, m, historyColumnOIDs[i], vals[i], got[j][i], col)
				}
			}
		})
	}
}

// The types of the COPY columns (migrations/0001 and 0007), by OID.
var (
	customerColumnOIDs = []uint32{
		pgtype.TextOID, pgtype.UUIDOID, pgtype.Int8OID, pgtype.TimestamptzOID, pgtype.TimestamptzOID, pgtype.TextOID, pgtype.TextOID,
		pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.JSONBOID, pgtype.JSONBOID, pgtype.TextOID,
		pgtype.JSONBOID, pgtype.JSONBOID, pgtype.TextArrayOID, pgtype.JSONBOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID,
		pgtype.TextOID, pgtype.TextOID, pgtype.BoolOID, pgtype.TextOID, pgtype.UUIDOID, pgtype.TimestamptzOID, pgtype.Int8OID,
		pgtype.TextOID, pgtype.TextOID, pgtype.TextArrayOID, pgtype.TimestamptzOID,
	}
	historyColumnOIDs = []uint32{
		pgtype.TextOID, pgtype.UUIDOID, pgtype.UUIDOID, pgtype.Int8OID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID,
		pgtype.TimestamptzOID, pgtype.TextOID, pgtype.TextOID,
	}
)

// copyField is one field of a binary COPY row; null is a NULL field.
type copyField struct {
	data []byte
	null bool
}

// copyFields splits buf, n rows of cols fields in the binary COPY format
// (no header), into fields, requiring it to hold exactly that.
func copyFields(t *testing.T, buf []byte, n, cols int) [][]copyField {
	t.Helper()
	var out [][]copyField
	for range n {
		require.GreaterOrEqual(t, len(buf), 2)
		require.Equal(t, cols, int(binary.BigEndian.Uint16(buf)), "fields in the row")
		buf = buf[2:]
		row := make([]copyField, cols)
		for i := range row {
			require.GreaterOrEqual(t, len(buf), 4)
			l := int32(binary.BigEndian.Uint32(buf))
			buf = buf[4:]
			if l == -1 {
				row[i].null = true
				continue
			}
			require.GreaterOrEqual(t, len(buf), int(l))
			row[i].data, buf = buf[:l], buf[l:]
		}
		out = append(out, row)
	}
	require.Empty(t, buf, "bytes after the rows")
	return out
}

// requirePgxEncoding requires f to be what pgx encodes for v in a column
// of type oid (binary format).
func requirePgxEncoding(t *testing.T, m *pgtype.Map, oid uint32, v any, f copyField, col string) {
	t.Helper()
	// As pgx's COPY: the value is appended to the field's length, and a
	// nil result is NULL.
	want, err := m.Encode(oid, pgtype.BinaryFormatCode, v, []byte{0xff, 0xff, 0xff, 0xff})
	require.NoError(t, err, col)
	require.Equal(t, want == nil, f.null, "%s: NULL", col)
	if want != nil {
		require.True(t, bytes.Equal(want[4:], f.data), "%s: got %x, pgx encodes %x", col, f.data, want[4:])
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
			require.Empty(t, b.rows)
			require.Empty(t, b.hist)
			for _, it := range b.items {
				require.False(t, it.ok)
				require.ErrorIs(t, it.err, crm.ErrInvalid)
			}
		})
	}
}

// BenchmarkEncodeImport measures the import's encoder alone, without
// PostgreSQL, per customer (a name, an owner, an e-mail address, a phone
// number and the history entry of its creation, as in BenchmarkImport):
// "binary" is encodeImport, the rows the COPY sends; "pgx" is what the
// import did before it wrote the binary format itself, encodeFields'
// values encoded one by one by pgx's type map. Run with:
//
//	go test -run '^$' -bench EncodeImport -benchmem ./storage/postgres/
func BenchmarkEncodeImport(b *testing.B) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	words := []string{"Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel"}
	customers := make([]*customer.Customer, 1024)
	for i := range customers {
		w1, w2 := words[i%len(words)], words[(i/len(words))%len(words)]
		e, err := customer.ParseEmail(fmt.Sprintf("%s.%s.%d@example.com", w2, w1, i))
		require.NoError(b, err)
		p, err := customer.ParsePhone(fmt.Sprintf("+86 138 %04d %04d", i%10000, (i*7919)%10000), "GB")
		require.NoError(b, err)
		c, err := customer.New(customer.NewInput{ID: crm.ID(uuid.Must(uuid.NewV7())), Tenant: "tenant-bench", Kind: customer.Person,
			Name: fmt.Sprintf("%s %s %d", w1, w2, i), Roles: []customer.Role{customer.EndCustomer},
			Owner: crm.UserID(fmt.Sprintf("owner-%03d", i%100)), Emails: []customer.Email{e}, Phones: []customer.Phone{p}},
			customer.Change{Actor: "tester", At: at})
		require.NoError(b, err)
		customers[i] = c
	}
	rowsPerSecond := func(b *testing.B) {
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	}
	b.Run("binary", func(b *testing.B) {
		const room = 1 << 20
		rows, hist := copyRows{buf: make([]byte, 0, room)}, copyRows{buf: make([]byte, 0, room)}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if len(rows.buf) > room-4096 || len(hist.buf) > room-4096 {
				rows.buf, hist.buf = rows.buf[:0], hist.buf[:0]
			}
			if err := encodeImport("bench", customers[i%len(customers)], &rows, &hist); err != nil {
				b.Fatal(err)
			}
			i++
		}
		rowsPerSecond(b)
	})
	b.Run("pgx", func(b *testing.B) {
		m := pgtype.NewMap()
		buf := make([]byte, 0, 4096)
		row := make([]any, 0, len(customerColumns))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c := customers[i%len(customers)]
			var v crm.Validator
			row = encodeFields(textChecker{&v}, c.Record(), 1, row[:0])
			buf = buf[:0]
			var err error
			for j, val := range row {
				if buf, err = m.Encode(customerColumnOIDs[j], pgtype.BinaryFormatCode, val, buf); err != nil {
					b.Fatal(err)
				}
			}
			for _, e := range customerHooks.Pending(c) {
				for j, val := range []any{string(c.Tenant()), uuidArg(e.CustomerID), uuidArg(e.OriginID), e.Seq, e.Kind.String(),
					e.From, e.To, e.At, string(e.Actor), e.Reason} {
					if buf, err = m.Encode(historyColumnOIDs[j], pgtype.BinaryFormatCode, val, buf); err != nil {
						b.Fatal(err)
					}
				}
			}
			i++
		}
		rowsPerSecond(b)
	})
}
