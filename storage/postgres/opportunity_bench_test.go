package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
	"github.com/crmkit/crm/storage/storagetest"
)

// The opportunity benchmarks pair each store operation with hand-written
// pgx making the same round trips on the same tables with values ready to
// send (a JSON document of the same size), as the customer benchmarks do.

// benchOpps stores n opportunities of one tenant with owners owner-000…
// (n/owners each), then vacuums and analyses.
func benchOpps(b *testing.B, s *postgres.Store, n, owners int) (crm.TenantID, []*opportunity.Opportunity) {
	b.Helper()
	ten := newTenant()
	ctx := context.Background()
	all := make([]*opportunity.Opportunity, 0, n)
	err := s.InTx(ctx, func(ctx context.Context) error {
		for i := range n {
			o := storagetest.NewOpportunity(b, ten, &storagetest.OpportunityOptions{
				Owner: crm.UserID(fmt.Sprintf("owner-%03d", i%owners)), At: t0.Add(time.Duration(i) * time.Second)})
			if err := s.Opportunities().Create(ctx, o); err != nil {
				return err
			}
			all = append(all, o)
		}
		return nil
	})
	require.NoError(b, err)
	_, err = pgtest.Pool(b).Exec(ctx, "VACUUM ANALYZE "+pgx.Identifier{s.Schema(), "opportunities"}.Sanitize())
	require.NoError(b, err)
	return ten, all
}

// benchDoc is a JSON document the size of a stored opportunity's.
func benchDoc(b *testing.B, o *opportunity.Opportunity) []byte {
	r := o.Record()
	doc, err := json.Marshal(map[string]any{"id": r.ID, "name": r.Name, "owner": r.Owner, "stage": r.Stage,
		"amount": r.Amount.String(), "created_at": r.CreatedAt, "updated_at": r.UpdatedAt, "stage_since": r.StageSince,
		"status": r.Status.String(), "pipeline": r.Pipeline, "team": r.Team, "seq": r.Seq, "version": 1,
		"customer": r.Customer, "currency": r.Currency.Code(), "stage_probability": r.StageProbability,
		"stage_category": r.StageCategory.String(), "close_date": r.CloseDate.String(), "reopens": 0,
		"source": map[string]any{"kind": "existing_customer"}})
	require.NoError(b, err)
	return doc
}

func BenchmarkOpportunityCreate(b *testing.B) {
	s := newStore(b, nil)
	pool := pgtest.Pool(b)
	ctx := context.Background()
	ten := newTenant()
	schema := pgx.Identifier{s.Schema()}.Sanitize()
	sql := `WITH o AS (
 INSERT INTO ` + schema + `.opportunities (tenant_id, id, version, customer_id, owner_id, team, pipeline, stage, status,
   forecast_category, close_date, stage_since, seq, doc)
 VALUES ($1, $2, 1, $3, $4, $5, $6, $7, 'open', 'pipeline', $8::text::date, $9, 1, $10) RETURNING id)
INSERT INTO ` + schema + `.opportunity_history (tenant_id, opportunity_id, seq, team, pipeline, from_stage, to_stage, at,
   actor, reason, in_stage_ns, in_business_ns, probability)
SELECT $1, $2, 1, $5, $6, '', $7, $9, 'storagetest', '', 0, 0, 0 FROM o`
	pair(b, func(b *testing.B, _ int) any { return storagetest.NewOpportunity(b, ten, nil) },
		func(b *testing.B, _ int, arg any) {
			if err := s.Opportunities().Create(ctx, arg.(*opportunity.Opportunity)); err != nil {
				b.Fatal(err)
			}
		},
		func(b *testing.B, _ int, arg any) {
			o := arg.(*opportunity.Opportunity)
			_, err := pool.Exec(ctx, sql, string(ten), [16]byte(o.ID()), [16]byte(o.Customer()), string(o.Owner()), o.Team(),
				o.Pipeline(), o.Stage(), o.CloseDate().String(), o.StageSince(), benchDoc(b, o))
			if err != nil {
				b.Fatal(err)
			}
		})
}

func BenchmarkOpportunityGet(b *testing.B) {
	s := newStore(b, nil)
	ten, all := benchOpps(b, s, 10000, 100)
	pool := pgtest.Pool(b)
	ctx := context.Background()
	sql := `SELECT doc FROM ` + pgx.Identifier{s.Schema(), "opportunities"}.Sanitize() + ` WHERE tenant_id = $1 AND id = $2`
	pair(b, nil,
		func(b *testing.B, i int, _ any) {
			if _, err := s.Opportunities().Get(ctx, ten, all[i%len(all)].ID()); err != nil {
				b.Fatal(err)
			}
		},
		func(b *testing.B, i int, _ any) {
			var doc []byte
			if err := pool.QueryRow(ctx, sql, string(ten), [16]byte(all[i%len(all)].ID())).Scan(&doc); err != nil {
				b.Fatal(err)
			}
		})
}

func BenchmarkOpportunityUpdate(b *testing.B) {
	s := newStore(b, nil)
	ten, all := benchOpps(b, s, 10000, 100)
	// The store and the baseline update disjoint halves: the baseline
	// writes the stored document back unchanged at the next version, and
	// the store reads the version from the document.
	half := len(all) / 2
	pool := pgtest.Pool(b)
	ctx := context.Background()
	table := pgx.Identifier{s.Schema(), "opportunities"}.Sanitize()
	sel := `SELECT version, doc FROM ` + table + ` WHERE tenant_id = $1 AND id = $2 FOR UPDATE`
	upd := `UPDATE ` + table + ` SET version = $3, doc = $4 WHERE tenant_id = $1 AND id = $2 AND version = $5`
	pair(b, nil,
		func(b *testing.B, i int, _ any) {
			_, err := s.Opportunities().Update(ctx, ten, all[i%half].ID(), func(o *opportunity.Opportunity) error {
				return o.SetNextStep(opportunity.NextStep{Text: fmt.Sprintf("call %d", i), Due: calendar.Date{Year: 2025, Month: 4, Day: 1}}, opportunity.Change{Actor: "bench", At: o.UpdatedAt()})
			})
			if err != nil {
				b.Fatal(err)
			}
		},
		func(b *testing.B, i int, _ any) {
			id := [16]byte(all[half+i%half].ID())
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				var v int64
				var doc []byte
				if err := tx.QueryRow(ctx, sel, string(ten), id).Scan(&v, &doc); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, upd, string(ten), id, v+1, doc, v)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		})
}

func BenchmarkOpportunityListByOwner(b *testing.B) {
	s := newStore(b, nil)
	ten, _ := benchOpps(b, s, 10000, 100)
	pool := pgtest.Pool(b)
	ctx := context.Background()
	sql := `SELECT doc FROM ` + pgx.Identifier{s.Schema(), "opportunities"}.Sanitize() +
		` WHERE tenant_id = $1 AND owner_id = ANY($2::text[]) ORDER BY id LIMIT 51`
	q := opportunity.Query{Owners: []crm.UserID{"owner-042"}}
	pair(b, nil,
		func(b *testing.B, _ int, _ any) {
			p, err := s.Opportunities().List(ctx, ten, q, crm.PageRequest{Limit: 50})
			if err != nil || len(p.Items) != 50 {
				b.Fatal(err, len(p.Items))
			}
		},
		func(b *testing.B, _ int, _ any) {
			rows, err := pool.Query(ctx, sql, string(ten), []string{"owner-042"})
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			var doc []byte
			for rows.Next() {
				if err := rows.Scan(&doc); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			if rows.Err() != nil || n != 51 {
				b.Fatal(rows.Err(), n)
			}
		})
}
