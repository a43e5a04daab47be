package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

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
