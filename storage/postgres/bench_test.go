package postgres_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// Each benchmark runs the store's operation ("store") beside hand-written
// pgx doing the same round trips on the same tables ("baseline"), so the
// difference is the store's own overhead: validation, mapping and
// decoding. Run with:
//
//	go test -run '^$' -bench . -benchtime 2s ./storage/postgres/

// pair runs an operation of the store and its hand-written baseline as the
// sub-benchmarks "store" and "baseline", then both alternately in one loop
// ("interleaved"), reporting each one's mean time and their ratio: on a
// machine shared with other work the ratio of the interleaved run is the
// figure to trust. prep, when not nil, prepares operation i outside the
// timed part (its result is passed to the operation).
func pair(b *testing.B, prep func(b *testing.B, i int) any, store, baseline func(b *testing.B, i int, arg any)) {
	if prep == nil {
		prep = func(*testing.B, int) any { return nil }
	}
	run := func(op func(*testing.B, int, any)) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				b.StopTimer()
				arg := prep(b, i)
				b.StartTimer()
				op(b, i, arg)
				i++
			}
		}
	}
	b.Run("store", run(store))
	b.Run("baseline", run(baseline))
	b.Run("interleaved", func(b *testing.B) {
		b.ReportAllocs()
		var ts, tb time.Duration
		i := 0
		for b.Loop() {
			a1, a2 := prep(b, 2*i), prep(b, 2*i+1)
			t0 := time.Now()
			store(b, i, a1)
			t1 := time.Now()
			baseline(b, i, a2)
			tb += time.Since(t1)
			ts += t1.Sub(t0)
			i++
		}
		b.ReportMetric(float64(ts.Nanoseconds())/float64(i), "store-ns/op")
		b.ReportMetric(float64(tb.Nanoseconds())/float64(i), "baseline-ns/op")
		b.ReportMetric(float64(ts)/float64(tb), "store/baseline")
	})
}

// customerSource hands out new customers made in batches.
type customerSource struct {
	tenant crm.TenantID
	buf    []*customer.Customer
}

func (cs *customerSource) take(b *testing.B) *customer.Customer {
	if len(cs.buf) == 0 {
		for i := range 1000 {
			cs.buf = append(cs.buf, newCustomer(b, cs.tenant, custOpts{
				name:   fmt.Sprintf("Bench Customer %d", i),
				emails: []string{fmt.Sprintf("bench.%d@example.com", i)},
				phones: []string{fmt.Sprintf("+44 20 7946 %04d", i)},
			}))
		}
	}
	c := cs.buf[len(cs.buf)-1]
	cs.buf = cs.buf[:len(cs.buf)-1]
	return c
}

func BenchmarkCreate(b *testing.B) {
	s := newStore(b, nil)
	pool := pgtest.Pool(b)
	ctx := context.Background()
	sql := strings.ReplaceAll(`WITH c AS (
 INSERT INTO S.customers (tenant_id, id, version, created_at, updated_at, kind, name, roles, emails, phones,
   time_zone, tags, notes, stage, loyalty, lifecycle, class, key_account, owner_id, history_seq,
   search_text, search_phones, contact_keys)
 VALUES ($1, $2, 1, $3, $3, 'person', $4, '{end_customer}', $5, $6, '', '{}', '', 'unfamiliar', 'awareness',
   'active', 'unclassified', false, $7, 1, $8, $9, $10)
 RETURNING id)
INSERT INTO S.customer_history (tenant_id, customer_id, origin_id, seq, kind, from_value, to_value, at, actor, reason)
SELECT $1, $2, $2, 1, 'created', '', 'unfamiliar', $3, $11, '' FROM c`, "S.", pgx.Identifier{s.Schema()}.Sanitize()+".")
	src := &customerSource{tenant: newTenant()}
	pair(b, func(b *testing.B, _ int) any { return src.take(b) },
		func(b *testing.B, _ int, arg any) {
			if err := s.Customers().Create(ctx, arg.(*customer.Customer)); err != nil {
				b.Fatal(err)
			}
		},
		func(b *testing.B, _ int, arg any) {
			c := arg.(*customer.Customer)
			e, p := c.Emails()[0], c.Phones()[0]
			_, err := pool.Exec(ctx, sql, string(c.Tenant()), [16]byte(c.ID()), c.CreatedAt(), c.Name(),
				[]string{e.String()}, []string{p.String()}, string(c.Owner()),
				strings.ToLower(c.Name())+"\x01"+e.Normalized(), p.Normalized(),
				[]string{"e:" + e.Normalized(), "p:" + p.Normalized()}, "tester")
			if err != nil {
				b.Fatal(err)
			}
		})
}

// seed stores n customers of one tenant with owners owner-000… (n/owners
// customers each), then vacuums and analyses.
func seed(b *testing.B, s *postgres.Store, n, owners int) (crm.TenantID, []*customer.Customer) {
	b.Helper()
	ten := newTenant()
	return ten, populate(b, s, ten, n, owners)
}

// baselineScan scans every column of a customer row into plain values, as
// hand-written code would, without building the entity.
type baselineScan struct {
	tenant, kind, name, tz, notes, stage, loyalty, lifecycle, class, owner string
	id, merged                                                             pgtype.UUID
	version, seq                                                           int64
	created, updated                                                       time.Time
	erased, lastContact                                                    pgtype.Timestamptz
	roles, emails, phones, tags                                            []string
	addresses, dates, prefs, attrs, consents                               []byte
	key                                                                    bool
}

func (r *baselineScan) dest() []any {
	return []any{&r.tenant, &r.id, &r.version, &r.created, &r.updated, &r.kind, &r.name, &r.roles, &r.emails, &r.phones,
		&r.addresses, &r.dates, &r.tz, &r.prefs, &r.attrs, &r.tags, &r.consents, &r.notes, &r.stage, &r.loyalty,
		&r.lifecycle, &r.class, &r.key, &r.owner, &r.merged, &r.erased, &r.seq, &r.lastContact}
}

const baselineCols = `tenant_id, id, version, created_at, updated_at, kind, name, roles, emails, phones, addresses, dates,
 time_zone, prefs, attrs, tags, consents, notes, stage, loyalty, lifecycle, class, key_account, owner_id, merged_into,
 erased_at, history_seq, last_contact`

func BenchmarkGet(b *testing.B) {
	s := newStore(b, nil)
	ten, all := seed(b, s, 10000, 100)
	pool := pgtest.Pool(b)
	ctx := context.Background()
	sql := `SELECT ` + baselineCols + ` FROM ` + pgx.Identifier{s.Schema(), "customers"}.Sanitize() + ` WHERE tenant_id = $1 AND id = $2`
	pair(b, nil,
		func(b *testing.B, i int, _ any) {
			if _, err := s.Customers().Get(ctx, ten, all[i%len(all)].ID()); err != nil {
				b.Fatal(err)
			}
		},
		func(b *testing.B, i int, _ any) {
			var r baselineScan
			if err := pool.QueryRow(ctx, sql, string(ten), [16]byte(all[i%len(all)].ID())).Scan(r.dest()...); err != nil {
				b.Fatal(err)
			}
		})
}

func BenchmarkUpdate(b *testing.B) {
	s := newStore(b, nil)
	ten, all := seed(b, s, 10000, 100)
	pool := pgtest.Pool(b)
	ctx := context.Background()
	table := pgx.Identifier{s.Schema(), "customers"}.Sanitize()
	sel := `SELECT ` + baselineCols + ` FROM ` + table + ` WHERE tenant_id = $1 AND id = $2 FOR UPDATE`
	upd := `UPDATE ` + table + ` SET notes = $3, version = $4 WHERE tenant_id = $1 AND id = $2 AND version = $5`
	pair(b, nil,
		func(b *testing.B, i int, _ any) {
			_, err := s.Customers().Update(ctx, ten, all[i%len(all)].ID(), func(c *customer.Customer) error {
				return c.SetNotes(fmt.Sprintf("note %d", i))
			})
			if err != nil {
				b.Fatal(err)
			}
		},
		func(b *testing.B, i int, _ any) {
			id := [16]byte(all[(i+len(all)/2)%len(all)].ID())
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				var r baselineScan
				if err := tx.QueryRow(ctx, sel, string(ten), id).Scan(r.dest()...); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, upd, string(ten), id, fmt.Sprintf("note %d", i), r.version+1, r.version)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		})
}

// benchList compares List with q against the same statement by hand.
func benchList(b *testing.B, s *postgres.Store, ten crm.TenantID, q customer.Query, want int) {
	pool := pgtest.Pool(b)
	ctx := context.Background()
	sql, args, _ := postgres.ListSQL(s, ten, q, 51)
	pair(b, nil,
		func(b *testing.B, _ int, _ any) {
			p, err := s.Customers().List(ctx, ten, q, crm.PageRequest{Limit: 50})
			if err != nil || len(p.Items) != want {
				b.Fatal(err, len(p.Items))
			}
		},
		func(b *testing.B, _ int, _ any) {
			rows, err := pool.Query(ctx, sql, args...)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			var r baselineScan
			for rows.Next() {
				if err := rows.Scan(r.dest()...); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			if rows.Err() != nil || min(n, 50) != want {
				b.Fatal(rows.Err(), n)
			}
		})
}

func BenchmarkListByOwner(b *testing.B) {
	s := newStore(b, nil)
	ten, _ := seed(b, s, 10000, 100)
	benchList(b, s, ten, customer.Query{Owner: "owner-042"}, 50)
}

func BenchmarkSearch(b *testing.B) {
	s := newStore(b, nil)
	ten, all := seed(b, s, 10000, 100)
	q := customer.Query{Text: "Kestrel Sierra"}
	n := 0
	for _, c := range all {
		if q.Matches(c) {
			n++
		}
	}
	require.Positive(b, n)
	benchList(b, s, ten, q, min(n, 50))
}

// BenchmarkImport imports 100,000 customers per operation and reports the
// rate in customers per second: "store" with ImportCustomers (a slice),
// "stream" with ImportCustomerStream, "baseline" hand-written COPY of the
// same rows into the same tables, then store and baseline alternately,
// two rounds per operation with each side first in one of them
// ("interleaved", the figure to trust on a shared machine) and the same
// again with a goroutine burning a core meanwhile ("loaded"). Run with:
//
//	go test -run '^$' -bench Import -benchtime 3x ./storage/postgres/
func BenchmarkImport(b *testing.B) { benchImport(b, nil) }

// BenchmarkImportPrefix is BenchmarkImport on a schema migrated for
// Options.TextSearch PrefixSearch (b-trees instead of the two trigram
// indexes); the baseline copies into the same schema.
func BenchmarkImportPrefix(b *testing.B) {
	benchImport(b, &postgres.Options{TextSearch: postgres.PrefixSearch})
}

func benchImport(b *testing.B, opts *postgres.Options) {
	const n = 100_000
	s := newStore(b, opts)
	pool := pgtest.Pool(b)
	ctx := context.Background()
	build := func(b *testing.B) []*customer.Customer {
		b.StopTimer()
		defer b.StartTimer()
		ten := newTenant()
		out := make([]*customer.Customer, n)
		for i := range out {
			w1, w2 := words[i%len(words)], words[(i/len(words))%len(words)]
			out[i] = newCustomer(b, ten, custOpts{
				name:   fmt.Sprintf("%s %s %d", w1, w2, i),
				owner:  crm.UserID(fmt.Sprintf("owner-%03d", i%100)),
				emails: []string{fmt.Sprintf("%s.%s.%d@example.com", w2, w1, i)},
				phones: []string{fmt.Sprintf("+86 138 %04d %04d", i%10000, (i*7919)%10000)},
			})
		}
		return out
	}
	imp := s.Customers().(postgres.CustomerImporter)
	store := func(b *testing.B, batch []*customer.Customer) {
		if err := imp.ImportCustomers(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	stream := func(b *testing.B, batch []*customer.Customer) {
		i := 0
		rep, err := s.Customers().(customer.StreamImporter).ImportCustomerStream(ctx, func() (*customer.Customer, error) {
			if i == len(batch) {
				return nil, io.EOF
			}
			i++
			return batch[i-1], nil
		}, customer.ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Stored != int64(len(batch)) {
			b.Fatalf("stored %d of %d", rep.Stored, len(batch))
		}
	}
	cols := []string{"tenant_id", "id", "version", "created_at", "updated_at", "kind", "name", "roles", "emails", "phones",
		"time_zone", "tags", "notes", "stage", "loyalty", "lifecycle", "class", "key_account", "owner_id", "history_seq",
		"search_text", "search_phones", "contact_keys"}
	hcols := []string{"tenant_id", "customer_id", "origin_id", "seq", "kind", "from_value", "to_value", "at", "actor", "reason"}
	baseline := func(b *testing.B, batch []*customer.Customer) {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{s.Schema(), "customers"}, cols, pgx.CopyFromSlice(len(batch), func(i int) ([]any, error) {
				c := batch[i]
				e, p := c.Emails()[0], c.Phones()[0]
				return []any{string(c.Tenant()), [16]byte(c.ID()), int64(1), c.CreatedAt(), c.UpdatedAt(), "person", c.Name(),
					[]string{"end_customer"}, []string{e.String()}, []string{p.String()}, "", []string{}, "", "unfamiliar",
					"awareness", "active", "unclassified", false, string(c.Owner()), int64(1),
					strings.ToLower(c.Name()) + "\x01" + e.Normalized(), p.Normalized(),
					[]string{"e:" + e.Normalized(), "p:" + p.Normalized()}}, nil
			}))
			if err != nil {
				return err
			}
			_, err = tx.CopyFrom(ctx, pgx.Identifier{s.Schema(), "customer_history"}, hcols, pgx.CopyFromSlice(len(batch), func(i int) ([]any, error) {
				c := batch[i]
				return []any{string(c.Tenant()), [16]byte(c.ID()), [16]byte(c.ID()), int64(1), "created", "", "unfamiliar", c.CreatedAt(), "tester", ""}, nil
			}))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	one := func(op func(*testing.B, []*customer.Customer)) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			var total, cpu time.Duration
			for b.Loop() {
				batch := build(b)
				c0, start := processCPU(), time.Now()
				op(b, batch)
				total += time.Since(start)
				cpu += processCPU() - c0
			}
			b.ReportMetric(float64(n*b.N)/total.Seconds(), "customers/s")
			// The Go side's CPU time (the test process: encoding, pgx,
			// garbage collection), not the server's.
			b.ReportMetric(cpu.Seconds()/float64(b.N), "client-cpu-s/op")
		}
	}
	b.Run("store", one(store))
	b.Run("stream", one(stream))
	b.Run("baseline", one(baseline))
	// pairs runs the library's import and the baseline alternately,
	// optionally with a goroutine burning CPU during both; the
	// lib/baseline-rate metric is the library's rate over the baseline's.
	// Every operation runs two rounds, one in each order, so that neither
	// goes first more often whatever -benchtime says: the one that follows
	// meets the bigger table and the autovacuum the other's rows started.
	pairs := func(lib func(*testing.B, []*customer.Customer), load bool) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			var tl, tb time.Duration
			rounds := 0
			for b.Loop() {
				for _, libFirst := range []bool{true, false} {
					b1, b2 := build(b), build(b)
					stop := make(chan struct{})
					var wg sync.WaitGroup
					if load {
						wg.Go(func() {
							x := uint64(1)
							for {
								select {
								case <-stop:
									return
								default:
								}
								for range 1 << 16 {
									x = x*6364136223846793005 + 1442695040888963407
								}
								burnSink.Store(x)
							}
						})
					}
					t0 := time.Now()
					if libFirst {
						lib(b, b1)
						t1 := time.Now()
						baseline(b, b2)
						tb += time.Since(t1)
						tl += t1.Sub(t0)
					} else {
						baseline(b, b2)
						t1 := time.Now()
						lib(b, b1)
						tl += time.Since(t1)
						tb += t1.Sub(t0)
					}
					close(stop)
					wg.Wait()
					rounds++
				}
			}
			b.ReportMetric(float64(n*rounds)/tl.Seconds(), "lib-customers/s")
			b.ReportMetric(float64(n*rounds)/tb.Seconds(), "baseline-customers/s")
			b.ReportMetric(tb.Seconds()/tl.Seconds(), "lib/baseline-rate")
		}
	}
	b.Run("interleaved", pairs(store, false))
	b.Run("interleaved-stream", pairs(stream, false))
	b.Run("loaded", pairs(store, true))
	b.Run("loaded-stream", pairs(stream, true))
}

// burnSink keeps the CPU burner's work from being optimised away.
var burnSink atomic.Uint64

// complaintIDs returns the IDs of tenant's complaints, in ID order.
func complaintIDs(b *testing.B, s *postgres.Store, tenant crm.TenantID) []crm.ID {
	b.Helper()
	var ids []crm.ID
	page := crm.PageRequest{Limit: crm.MaxPageLimit}
	for {
		p, err := s.Complaints().List(context.Background(), tenant, complaint.Query{}, page)
		require.NoError(b, err)
		for _, c := range p.Items {
			ids = append(ids, c.ID())
		}
		if p.Next == "" {
			return ids
		}
		page.Cursor = p.Next
	}
}

func BenchmarkComplaintCreate(b *testing.B) {
	s := newStore(b, nil)
	ctx := context.Background()
	ten := newTenant()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		c := newComplaint(b, ten, complaintOpts{owner: crm.UserID(fmt.Sprintf("owner-%03d", i%100)),
			asset: complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "unit", ID: fmt.Sprint(i)}}})
		b.StartTimer()
		if err := s.Complaints().Create(ctx, c); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkComplaintGet(b *testing.B) {
	s := newStore(b, nil)
	ten := newTenant()
	populateComplaints(b, s, ten, 5000, 100)
	ids := complaintIDs(b, s, ten)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Complaints().Get(ctx, ten, ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkComplaintUpdate(b *testing.B) {
	s := newStore(b, nil)
	ten := newTenant()
	populateComplaints(b, s, ten, 5000, 100)
	ids := complaintIDs(b, s, ten)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		to := crm.UserID(fmt.Sprintf("owner-x%d", i))
		_, err := s.Complaints().Update(ctx, ten, ids[i%len(ids)], func(c *complaint.Complaint) error {
			return c.HandOver(to, complaint.Change{Actor: "lead", At: t0, Reason: "rebalancing"})
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkComplaintListByOwner(b *testing.B) {
	s := newStore(b, nil)
	ten := newTenant()
	populateComplaints(b, s, ten, 5000, 100)
	ctx := context.Background()
	q := complaint.Query{Owner: "owner-042"}
	b.ReportAllocs()
	for b.Loop() {
		p, err := s.Complaints().List(ctx, ten, q, crm.PageRequest{Limit: 50})
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Items) != 50 {
			b.Fatalf("got %d complaints, want 50", len(p.Items))
		}
	}
}
