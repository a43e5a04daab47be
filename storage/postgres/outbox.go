package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/storage"
)

var _ storage.Outbox = (*Store)(nil)

// tenantGroup is the part of a call that concerns one tenant, in the
// order the tenant first appears.
type tenantGroup[T any] struct {
	tenant crm.TenantID
	items  []T
}

func groupByTenant[T any](items []T, tenantOf func(T) crm.TenantID) []tenantGroup[T] {
	var groups []tenantGroup[T]
	index := map[crm.TenantID]int{}
	for _, x := range items {
		t := tenantOf(x)
		i, ok := index[t]
		if !ok {
			i = len(groups)
			index[t] = i
			groups = append(groups, tenantGroup[T]{tenant: t})
		}
		groups[i].items = append(groups[i].items, x)
	}
	return groups
}

// inTx runs fn in the transaction in ctx, or else in a transaction of
// its own (retried after serialization failures and deadlocks). fn names
// tenants itself, with setTenant on the state it receives.
func (s *Store) inTx(ctx context.Context, fn func(st *txState) error) error {
	if st := txOf(ctx); st != nil {
		return fn(st)
	}
	return s.retry(ctx, func() error {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return err
		}
		return s.finish(ctx, tx, func() error { return fn(&txState{tx: tx}) })
	})
}

// AppendEvents stores events in the outbox, in the transaction carried by
// ctx or in one of its own; see crm.EventLog. The events are checked and
// encoded by storage.EncodeEvents (refusals wrap crm.ErrInvalid). When an
// event's ID is already stored for its tenant, nothing of the call is
// stored (the rows it wrote are removed again in the same transaction,
// which stays usable) and the error wraps crm.ErrDuplicate.
func (s *Store) AppendEvents(ctx context.Context, events []crm.Event) error {
	stored, err := storage.EncodeEvents(events)
	if err != nil {
		return fmt.Errorf("postgres: append events: %w", err)
	}
	if len(stored) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: append events: %w", err)
	}
	groups := groupByTenant(stored, func(e storage.OutboxEvent) crm.TenantID { return e.Tenant })
	insert := `INSERT INTO ` + quoteIdent(s.schema) + `.outbox (tenant_id, id, type, aggregate_id, version, at, actor, data)
 SELECT $1, e.id, e.type, e.aggregate_id, e.version, e.at, e.actor, e.data
 FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::bigint[], $6::timestamptz[], $7::text[], $8::jsonb[])
   AS e(id, type, aggregate_id, version, at, actor, data)`
	if txOf(ctx) == nil && !s.rls && len(groups) == 1 {
		// One statement on its own: a stored ID fails it whole (unique
		// violation), and there is no caller's transaction it could abort.
		err = s.write(ctx, groups[0].tenant, func(ctx context.Context, q querier) error {
			_, err := q.Exec(ctx, insert, outboxArgs(groups[0])...)
			return err
		})
		if err != nil {
			return s.mapErr(ctx, "append events", err)
		}
		return nil
	}
	insert += `
 ON CONFLICT (tenant_id, id) DO NOTHING
 RETURNING id`
	undo := `DELETE FROM ` + quoteIdent(s.schema) + `.outbox WHERE tenant_id = $1 AND id = ANY($2::uuid[])`
	err = s.inTx(ctx, func(st *txState) error {
		inserted := make([][]pgtype.UUID, len(groups))
		dup := false
		for gi, g := range groups {
			n := len(g.items)
			if err := s.setTenant(ctx, st, g.tenant); err != nil {
				return err
			}
			rows, err := st.tx.Query(ctx, insert, outboxArgs(g)...)
			if err != nil {
				return err
			}
			got, err := pgx.CollectRows(rows, pgx.RowTo[pgtype.UUID])
			if err != nil {
				return err
			}
			inserted[gi] = got
			if len(got) < n {
				dup = true
				break
			}
		}
		if !dup {
			return nil
		}
		// Take back what this call wrote, so that a caller's transaction
		// holds nothing of it and can go on.
		for gi, got := range inserted {
			if len(got) == 0 {
				continue
			}
			if err := s.setTenant(ctx, st, groups[gi].tenant); err != nil {
				return err
			}
			if _, err := st.tx.Exec(ctx, undo, string(groups[gi].tenant), got); err != nil {
				return err
			}
		}
		return fmt.Errorf("postgres: append events: an event ID is already stored: %w", crm.ErrDuplicate)
	})
	if err != nil {
		return s.mapErr(ctx, "append events", err)
	}
	return nil
}

// outboxArgs returns the arguments of the outbox insert for one tenant's
// events: the tenant, then one array per column.
func outboxArgs(g tenantGroup[storage.OutboxEvent]) []any {
	n := len(g.items)
	ids, aggs := make([]pgtype.UUID, n), make([]pgtype.UUID, n)
	types, actors, data := make([]string, n), make([]string, n), make([]string, n)
	versions, ats := make([]int64, n), make([]time.Time, n)
	for i, e := range g.items {
		ids[i], aggs[i] = uuidArg(e.ID), uuidArg(e.AggregateID)
		types[i], actors[i] = e.Type, e.Actor
		data[i] = string(e.Data.(json.RawMessage))
		versions[i], ats[i] = e.Version, e.At
	}
	return []any{string(g.tenant), ids, types, aggs, versions, ats, actors, data}
}

// ClaimEvents leases free outbox events; see storage.Outbox. Events are
// taken in ascending ID order with FOR UPDATE SKIP LOCKED, so concurrent
// drainers skip each other's rows instead of waiting; a lease is measured
// by the server's clock. With Options.RowLevelSecurity on, a claim must
// name its tenant: the policies let a transaction see one tenant's rows
// only, so a claim across tenants (Tenant zero) is refused with an error
// wrapping crm.ErrUnsupported (drain per tenant, or drain as a role the
// policies do not bind).
func (s *Store) ClaimEvents(ctx context.Context, req storage.ClaimRequest) ([]storage.OutboxEvent, error) {
	req, err := req.Normalize()
	if err != nil {
		return nil, fmt.Errorf("postgres: claim events: %w", err)
	}
	if req.Tenant == "" && s.rls {
		return nil, fmt.Errorf("postgres: claim events: a claim across tenants cannot see other tenants' rows under row-level security; name the tenant: %w", crm.ErrUnsupported)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: claim events: %w", err)
	}
	claim, err := crm.UUIDv7{}.NewID()
	if err != nil {
		return nil, fmt.Errorf("postgres: claim events: %w", err)
	}
	// A claim across tenants is the one statement that spans them: it is
	// marked, so that the tenancy test (and a reader of pg_stat_statements
	// planning a sharded cluster, docs/SCALING.md) can tell it apart.
	where, mark, args := "", "/* outbox_claim_all */ ", []any{uuidArg(claim), req.Lease.Microseconds(), req.Limit}
	if req.Tenant != "" {
		args = append(args, string(req.Tenant))
		where, mark = "tenant_id = $4 AND ", ""
	}
	sqlText := mark + `WITH c AS (
 SELECT tenant_id, id FROM ` + quoteIdent(s.schema) + `.outbox
 WHERE ` + where + `(claimed_until IS NULL OR claimed_until <= clock_timestamp())
 ORDER BY id LIMIT $3
 FOR UPDATE SKIP LOCKED
)
UPDATE ` + quoteIdent(s.schema) + `.outbox o
 SET claim = $1, claimed_until = clock_timestamp() + $2::bigint * interval '1 microsecond', attempts = o.attempts + 1
 FROM c WHERE o.tenant_id = c.tenant_id AND o.id = c.id
 RETURNING o.tenant_id, o.id, o.type, o.aggregate_id, o.version, o.at, o.actor, o.data, o.attempts, o.claim`
	var out []storage.OutboxEvent
	err = s.inTx(ctx, func(st *txState) error {
		out = out[:0]
		if err := s.setTenant(ctx, st, req.Tenant); err != nil {
			return err
		}
		rows, err := st.tx.Query(ctx, sqlText, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, s.mapErr(ctx, "claim events", err)
	}
	slices.SortFunc(out, func(a, b storage.OutboxEvent) int { return a.ID.Compare(b.ID) })
	if out == nil {
		out = []storage.OutboxEvent{}
	}
	return out, nil
}

// scanOutbox reads one row of tenant_id, id, type, aggregate_id, version,
// at, actor, data, attempts, claim.
func scanOutbox(row pgx.Row) (storage.OutboxEvent, error) {
	var (
		e            storage.OutboxEvent
		tenant, typ  string
		id, agg, clm pgtype.UUID
		data         []byte
	)
	if err := row.Scan(&tenant, &id, &typ, &agg, &e.Version, &e.At, &e.Actor, &data, &e.Attempts, &clm); err != nil {
		return e, err
	}
	e.Tenant, e.ID, e.Type, e.AggregateID = crm.TenantID(tenant), crm.ID(id.Bytes), typ, crm.ID(agg.Bytes)
	e.At = e.At.UTC()
	e.Data = json.RawMessage(data)
	if clm.Valid {
		e.Claim = crm.ID(clm.Bytes)
	}
	return e, nil
}

// AckEvents removes claimed events whose claim still holds; see
// storage.Outbox. Events of an unknown ID, of a claim that lapsed and was
// taken by another drainer, or acknowledged before are ignored. With
// Options.RowLevelSecurity on, the store's role needs DELETE on the outbox
// table.
func (s *Store) AckEvents(ctx context.Context, events []storage.OutboxEvent) error {
	var v crm.Validator
	v.Check(len(events) <= storage.MaxAppendEvents, "events", fmt.Sprintf("more than %d", storage.MaxAppendEvents))
	for i, e := range events {
		if err := e.Tenant.Validate(); err != nil {
			v.Merge(fmt.Sprintf("events[%d].tenant", i), err)
		}
	}
	if err := v.Err("postgres.AckEvents"); err != nil {
		return fmt.Errorf("postgres: ack events: %w", err)
	}
	var claimed []storage.OutboxEvent
	for _, e := range events {
		if !e.Claim.IsZero() && !e.ID.IsZero() {
			claimed = append(claimed, e)
		}
	}
	if len(claimed) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: ack events: %w", err)
	}
	groups := groupByTenant(claimed, func(e storage.OutboxEvent) crm.TenantID { return e.Tenant })
	del := `DELETE FROM ` + quoteIdent(s.schema) + `.outbox o
 USING unnest($2::uuid[], $3::uuid[]) AS a(id, claim)
 WHERE o.tenant_id = $1 AND o.id = a.id AND o.claim = a.claim`
	err := s.inTx(ctx, func(st *txState) error {
		for _, g := range groups {
			ids, claims := make([]pgtype.UUID, len(g.items)), make([]pgtype.UUID, len(g.items))
			for i, e := range g.items {
				ids[i], claims[i] = uuidArg(e.ID), uuidArg(e.Claim)
			}
			if err := s.setTenant(ctx, st, g.tenant); err != nil {
				return err
			}
			if _, err := st.tx.Exec(ctx, del, string(g.tenant), ids, claims); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.mapErr(ctx, "ack events", err)
	}
	return nil
}
