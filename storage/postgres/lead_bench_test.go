package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
	"github.com/crmkit/crm/storage/storagetest"
)

// BenchmarkLeadGet compares Leads().Get with hand-written pgx reading the
// same row and decoding the same JSON into a lead.Record:
//
//	go test -run '^$' -bench 'BenchmarkLead' -benchtime 2000x ./storage/postgres/
func BenchmarkLeadGet(b *testing.B) {
	s := newStore(b, nil)
	ctx := context.Background()
	ten := newTenant()
	batch := leadBatch(b, 2000, ten)
	require.NoError(b, s.Leads().(lead.Importer).ImportLeads(ctx, batch))
	pool := pgtest.Pool(b)
	sql := `SELECT version, doc FROM ` + pgx.Identifier{s.Schema()}.Sanitize() + `.leads WHERE tenant_id = $1 AND id = $2`
	pair(b, nil, func(b *testing.B, i int, _ any) {
		if _, err := s.Leads().Get(ctx, ten, batch[i%len(batch)].ID()); err != nil {
			b.Fatal(err)
		}
	}, func(b *testing.B, i int, _ any) {
		var version int64
		var doc []byte
		if err := pool.QueryRow(ctx, sql, string(ten), batch[i%len(batch)].ID().String()).Scan(&version, &doc); err != nil {
			b.Fatal(err)
		}
		var r lead.Record
		if err := json.Unmarshal(doc, &r); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkLeadCreate compares Leads().Create with hand-written pgx writing
// the same rows (lead, contact keys, history) in one transaction.
func BenchmarkLeadCreate(b *testing.B) {
	s := newStore(b, nil)
	ctx := context.Background()
	ten := newTenant()
	pool := pgtest.Pool(b)
	schema := pgx.Identifier{s.Schema()}.Sanitize()
	prep := func(b *testing.B, i int) any {
		return storagetest.NewLead(b, ten, &storagetest.LeadOptions{Email: fmt.Sprintf("bench.%d.%s@example.com", i, ten)})
	}
	pair(b, prep, func(b *testing.B, _ int, arg any) {
		if err := s.Leads().Create(ctx, arg.(*lead.Lead)); err != nil {
			b.Fatal(err)
		}
	}, func(b *testing.B, _ int, arg any) {
		l := arg.(*lead.Lead)
		r := l.Record()
		r.Version = 1
		doc, err := json.Marshal(r)
		if err != nil {
			b.Fatal(err)
		}
		h := l.PendingHistory()
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO `+schema+`.leads (tenant_id, id, version, team, stage, open, owner_id, source,
 campaign_id, customer_id, captured_at, uncontacted, doc, clock_start) VALUES ($1, $2, 1, $3, $4, true, '', $5, NULL, NULL, $6, true, $7, $6)`,
				string(ten), r.ID.String(), r.Team, r.Stage.String(), r.Source.Kind.String(), r.CapturedAt, doc); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+schema+`.lead_contacts (tenant_id, kind, key, lead_id) VALUES ($1, 'email', $2, $3)`,
				string(ten), r.Contacts[0].Normalized(), r.ID.String()); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO `+schema+`.lead_history (tenant_id, lead_id, seq, kind, from_value, to_value, at, at_nanos, actor, reason)
 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)`, string(ten), r.ID.String(), h[0].Seq, h[0].Kind.String(), h[0].From, h[0].To, h[0].At, string(h[0].Actor), h[0].Reason)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkLeadUpdate compares Leads().Update (toggling the key-prospect
// mark, with its history entry) with hand-written pgx doing the same in
// one transaction: lock and read the row, decode, change, encode, write
// the row and the history entry.
//
//	go test -run '^$' -bench 'BenchmarkLead(Get|Update|List)' -benchtime 2000x ./storage/postgres/
func BenchmarkLeadUpdate(b *testing.B) {
	s := newStore(b, nil)
	ctx := context.Background()
	ten := newTenant()
	batch := leadBatch(b, 2000, ten)
	require.NoError(b, s.Leads().(lead.Importer).ImportLeads(ctx, batch))
	pool := pgtest.Pool(b)
	schema := pgx.Identifier{s.Schema()}.Sanitize()
	base := time.Now().UTC()
	tick := 0
	change := func() lead.Change {
		tick++
		return lead.Change{Actor: "bench", At: base.Add(time.Duration(tick) * time.Millisecond)}
	}
	pair(b, nil, func(b *testing.B, i int, _ any) {
		ch := change()
		if _, err := s.Leads().Update(ctx, ten, batch[(2*i)%len(batch)].ID(), func(l *lead.Lead) error {
			return l.SetKeyProspect(!l.KeyProspect(), ch)
		}); err != nil {
			b.Fatal(err)
		}
	}, func(b *testing.B, i int, _ any) {
		ch := change()
		id := batch[(2*i+1)%len(batch)].ID().String()
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			var version int64
			var doc []byte
			if err := tx.QueryRow(ctx, `SELECT version, doc FROM `+schema+`.leads WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
				string(ten), id).Scan(&version, &doc); err != nil {
				return err
			}
			var r lead.Record
			if err := json.Unmarshal(doc, &r); err != nil {
				return err
			}
			l, err := lead.FromRecord(r)
			if err != nil {
				return err
			}
			if err := l.SetKeyProspect(!l.KeyProspect(), ch); err != nil {
				return err
			}
			r = l.Record()
			r.Version = version + 1
			if doc, err = json.Marshal(r); err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `UPDATE `+schema+`.leads SET version = $3, team = $4, stage = $5, open = $6, owner_id = $7,
 uncontacted = $8, clock_start = $9, doc = $10 WHERE tenant_id = $1 AND id = $2 AND version = $11`,
				string(ten), id, r.Version, r.Team, r.Stage.String(), r.Stage.Open(), string(r.Owner),
				r.Stage.Open() && r.FirstContactAt.IsZero(), l.ClockStart(), doc, version)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != 1 {
				return fmt.Errorf("baseline update: %d rows", tag.RowsAffected())
			}
			h := l.PendingHistory()
			_, err = tx.Exec(ctx, `INSERT INTO `+schema+`.lead_history (tenant_id, lead_id, seq, kind, from_value, to_value, at, at_nanos, actor, reason)
 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)`, string(ten), id, h[0].Seq, h[0].Kind.String(), h[0].From, h[0].To, h[0].At, string(h[0].Actor), h[0].Reason)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkLeadList compares a page of 50 uncontacted leads through
// Leads().List with hand-written pgx reading the same page and decoding
// each document into a lead.Record.
func BenchmarkLeadList(b *testing.B) {
	s := newStore(b, nil)
	ctx := context.Background()
	ten := newTenant()
	batch := leadBatch(b, 2000, ten)
	require.NoError(b, s.Leads().(lead.Importer).ImportLeads(ctx, batch))
	pool := pgtest.Pool(b)
	sql := `SELECT version, doc, id FROM ` + pgx.Identifier{s.Schema()}.Sanitize() + `.leads WHERE tenant_id = $1 AND uncontacted ORDER BY id LIMIT 51`
	pair(b, nil, func(b *testing.B, _ int, _ any) {
		p, err := s.Leads().List(ctx, ten, lead.Query{Uncontacted: true}, crm.PageRequest{Limit: 50})
		if err != nil || len(p.Items) != 50 {
			b.Fatalf("%d leads: %v", len(p.Items), err)
		}
	}, func(b *testing.B, _ int, _ any) {
		rows, err := pool.Query(ctx, sql, string(ten))
		if err != nil {
			b.Fatal(err)
		}
		var out []lead.Record
		for rows.Next() {
			var version int64
			var doc []byte
			var id pgtype.UUID
			if err := rows.Scan(&version, &doc, &id); err != nil {
				b.Fatal(err)
			}
			var r lead.Record
			if err := json.Unmarshal(doc, &r); err != nil {
				b.Fatal(err)
			}
			out = append(out, r)
		}
		if rows.Err() != nil || len(out) != 51 {
			b.Fatalf("%d rows: %v", len(out), rows.Err())
		}
	})
}

// BenchmarkLeadCheckFirstContact runs the first-contact check of a tenant
// holding a backlog of uncontacted leads that are not due and 100 that
// are: the check reads the due ones through the clock_start index
// (migration 0010), whatever the backlog.
//
//	go test -run '^$' -bench 'BenchmarkLeadCheckFirstContact' -benchtime 20x ./storage/postgres/
func BenchmarkLeadCheckFirstContact(b *testing.B) {
	const due = 100
	for _, backlog := range []int{1_000, 20_000} {
		b.Run(fmt.Sprintf("backlog=%d", backlog), func(b *testing.B) {
			ctx := context.Background()
			s := newStore(b, nil)
			ten := newTenant()
			now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
			var always calendar.Week
			for d := range always {
				always[d] = []calendar.Span{{Start: calendar.Midnight, End: calendar.EndOfDay}}
			}
			cal, err := calendar.New(calendar.Config{TimeZone: "UTC", Week: always})
			require.NoError(b, err)
			sla := lead.FirstContactSLA{Calendar: cal, Thresholds: calendar.Thresholds{Target: 4 * time.Hour, WarnAt: 0.5}}
			batch := make([]*lead.Lead, 0, backlog+due)
			for i := range backlog + due {
				at := now.Add(-time.Hour + time.Duration(i)*time.Millisecond)
				if i < due {
					at = now.Add(-3 * time.Hour)
				}
				id, err := crm.UUIDv7{}.NewID()
				require.NoError(b, err)
				l, err := lead.New(lead.NewInput{ID: id, Tenant: ten, Emails: []string{fmt.Sprintf("due%d@example.com", i)},
					Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm}}, lead.Change{Actor: "bench", At: at})
				require.NoError(b, err)
				batch = append(batch, l)
			}
			require.NoError(b, s.Leads().(lead.Importer).ImportLeads(ctx, batch))
			svc, err := lead.NewService(s, &lead.Options{Clock: crm.NewManualClock(now), FirstContact: &sla})
			require.NoError(b, err)
			b.ReportAllocs()
			for b.Loop() {
				alerts, _, err := svc.CheckFirstContact(ctx, ten, now.Add(-2*time.Hour), now, "sla-bot")
				if err != nil || len(alerts) != due {
					b.Fatalf("%d alerts: %v", len(alerts), err)
				}
			}
		})
	}
}
