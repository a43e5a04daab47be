package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
)

var planHooks = hook.For[*customer.AccountPlan, customer.AccountPlanRecord, hook.None]()

// curPlans tags the cursors of account plan lists.
const curPlans = 'P'

// planStore implements customer.AccountPlanStore on the account_plans
// table (migration 0009).
type planStore struct {
	s   *Store
	sql planStatements
}

var _ customer.AccountPlanStore = (*planStore)(nil)

// planStatements are the plan store's fixed SQL texts with the schema
// filled in.
type planStatements struct {
	create, get, getForUpdate, save string
	ensureLock, lock, actives       string
}

const planCols = `tenant_id, id, version, customer_id, status, start_at, end_at, members, doc`

func newPlanStore(s *Store) *planStore {
	q := func(x string) string { return strings.ReplaceAll(x, "{s}.", quoteIdent(s.schema)+".") }
	return &planStore{s: s, sql: planStatements{
		// An existing ID inserts nothing (no error, so that a caller's
		// transaction is not aborted) and returns no row.
		create: q(`INSERT INTO {s}.account_plans (` + planCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
 ON CONFLICT (tenant_id, id) DO NOTHING RETURNING 1`),
		get:          q(`SELECT version, doc FROM {s}.account_plans WHERE tenant_id = $1 AND id = $2`),
		getForUpdate: q(`SELECT version, doc FROM {s}.account_plans WHERE tenant_id = $1 AND id = $2 FOR UPDATE`),
		save: q(`UPDATE {s}.account_plans SET version = $3, customer_id = $4, status = $5, start_at = $6, end_at = $7, members = $8, doc = $9
 WHERE tenant_id = $1 AND id = $2 AND version = $10`),
		ensureLock: q(`INSERT INTO {s}.account_plan_locks (tenant_id, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`),
		lock:       q(`SELECT 1 FROM {s}.account_plan_locks WHERE tenant_id = $1 AND customer_id = $2 FOR UPDATE`),
		actives: q(`SELECT version, doc FROM {s}.account_plans
 WHERE tenant_id = $1 AND customer_id = $2 AND status = 'active' AND id <> $3`),
	}}
}

// AccountPlans returns the account plan store, behind
// customer.GuardAccountPlans.
func (s *Store) AccountPlans() customer.AccountPlanStore { return s.guardedPlans }

func encodePlan(p *customer.AccountPlan, version int64) ([]any, error) {
	r := p.Record()
	r.Version = version
	doc, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	members := make([]string, len(r.Team))
	for i, m := range r.Team {
		members[i] = string(m.User)
	}
	start, _ := microsOf(r.Start)
	end, _ := microsOf(r.End)
	return []any{string(r.Tenant), uuidArg(r.ID), version, uuidArg(r.Customer), r.Status.String(), start, end, members, doc}, nil
}

func decodePlan(version int64, b []byte) (*customer.AccountPlan, error) {
	var r customer.AccountPlanRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, &corruptError{what: "account plan", problems: []string{err.Error()}}
	}
	r.Version = version
	p, err := planHooks.Adopt(r)
	if err != nil {
		return nil, &corruptError{what: "account plan " + r.ID.String(), problems: []string{err.Error()}}
	}
	return p, nil
}

func (ps *planStore) err(ctx context.Context, op string, err error) error {
	return (&customerStore{s: ps.s}).writeErr(ctx, op, err)
}

// checkActive takes the account's lock row and refuses p when it is active
// and overlaps another active plan of the account. It runs in the
// transaction that then writes p.
func (ps *planStore) checkActive(ctx context.Context, tx pgx.Tx, p *customer.AccountPlan) error {
	if p.Status() != customer.PlanActive {
		return nil
	}
	tenant, cust := string(p.Tenant()), uuidArg(p.Customer())
	if _, err := tx.Exec(ctx, ps.sql.ensureLock, tenant, cust); err != nil {
		return err
	}
	var one int
	if err := tx.QueryRow(ctx, ps.sql.lock, tenant, cust).Scan(&one); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, ps.sql.actives, tenant, cust, uuidArg(p.ID()))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var version int64
		var doc []byte
		if err := rows.Scan(&version, &doc); err != nil {
			return err
		}
		other, err := decodePlan(version, doc)
		if err != nil {
			return err
		}
		if customer.ActivePlansClash(p, other) {
			return fmt.Errorf("postgres: plan %s of customer %s overlaps active plan %s: %w", p.ID(), p.Customer(), other.ID(), crm.ErrDuplicate)
		}
	}
	return rows.Err()
}

// Create stores a new plan; see customer.AccountPlanStore.
func (ps *planStore) Create(ctx context.Context, p *customer.AccountPlan) error {
	const op = "postgres.AccountPlans.Create"
	if p == nil {
		return fmt.Errorf("postgres: create account plan: %w", crm.Invalid(op, "plan", "must not be nil"))
	}
	if p.Version() != 0 {
		return fmt.Errorf("postgres: create account plan %s: %w", p.ID(), crm.Invalid(op, "version", "must be 0 for a new plan"))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: create account plan %s: %w", p.ID(), err)
	}
	args, err := encodePlan(p, 1)
	if err != nil {
		return fmt.Errorf("postgres: create account plan %s: %w", p.ID(), err)
	}
	dup := false
	err = ps.s.atomic(ctx, p.Tenant(), func(tx pgx.Tx) error {
		dup = false
		if err := ps.checkActive(ctx, tx, p); err != nil {
			return err
		}
		var one int
		err := tx.QueryRow(ctx, ps.sql.create, args...).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			dup = true
			return nil
		}
		return err
	})
	if err != nil {
		return ps.err(ctx, "create account plan "+p.ID().String(), err)
	}
	if dup {
		return fmt.Errorf("postgres: create account plan %s: %w", p.ID(), crm.ErrDuplicate)
	}
	planHooks.Saved(p, 1)
	return nil
}

// Get returns the plan; see customer.AccountPlanStore.
func (ps *planStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*customer.AccountPlan, error) {
	return getDoc(ctx, ps.s, tenant, id, "account plan", ps.sql.get, decodePlan, ps.err)
}

// Update locks the plan's row, runs fn and stores the result at the next
// version, checking the one-active-plan rule under the account's lock;
// see customer.AccountPlanStore.
func (ps *planStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*customer.AccountPlan) error) (*customer.AccountPlan, error) {
	const op = "postgres.AccountPlans.Update"
	if fn == nil {
		return nil, fmt.Errorf("postgres: update account plan %s: %w", id, crm.Invalid(op, "fn", "must not be nil"))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: update account plan %s: %w", id, err)
	}
	var version int64
	lock := func(tx pgx.Tx) (*customer.AccountPlan, error) {
		var doc []byte
		err := tx.QueryRow(ctx, ps.sql.getForUpdate, string(tenant), uuidArg(id)).Scan(&version, &doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFound("account plan", id)
		}
		if err != nil {
			return nil, err
		}
		return decodePlan(version, doc)
	}
	save := func(tx pgx.Tx, p *customer.AccountPlan) error {
		if err := ps.checkActive(ctx, tx, p); err != nil {
			return err
		}
		args, err := encodePlan(p, version+1)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, ps.sql.save, append(args, version)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: update account plan %s: %w", id, crm.ErrConflict)
		}
		planHooks.Saved(p, version+1)
		return nil
	}
	out, fnErr, err := lockedUpdate(ctx, ps.s, tenant, lock, fn, save)
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		return nil, ps.err(ctx, "update account plan "+id.String(), err)
	}
	return out, nil
}

// List returns a page of the plans matching q, ascending by ID; see
// customer.AccountPlanStore. The filters use the indexes of migration
// 0009 (customer, status, members; the primary key otherwise). InForceAt
// reads start_at and end_at beside them: those columns hold microseconds
// (PostgreSQL's precision) while a plan's period is exact to the
// nanosecond, so the SQL bound is loose by less than a microsecond and
// q.Matches decides; a row the bound lets through and Matches refuses is
// skipped and the next rows are read, so a page is never short.
func (ps *planStore) List(ctx context.Context, tenant crm.TenantID, q customer.AccountPlanQuery, page crm.PageRequest) (crm.Page[*customer.AccountPlan], error) {
	const op = "postgres.AccountPlans.List"
	out := crm.Page[*customer.AccountPlan]{Items: []*customer.AccountPlan{}}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", q.Validate())
	page, perr := page.Normalize()
	v.Merge("page", perr)
	afterID, cerr := parseIDCursor(op, curPlans, page.Cursor)
	v.Merge("", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("postgres: list account plans: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: list account plans: %w", err)
	}
	fetch := page.Limit + 1
	args := []any{string(tenant), nil, fetch} // $2 is the ID to read after
	conds := []string{"tenant_id = $1", "id > $2"}
	arg := func(x any) string {
		args = append(args, x)
		return "$" + strconv.Itoa(len(args))
	}
	if !q.Customer.IsZero() {
		conds = append(conds, "customer_id = "+arg(uuidArg(q.Customer)))
	}
	if q.Member != "" {
		conds = append(conds, "members @> ARRAY["+arg(string(q.Member))+"::text]")
	}
	if q.Status != 0 {
		conds = append(conds, "status = "+arg(q.Status.String()))
	}
	if !q.InForceAt.IsZero() {
		// start ≤ t implies µs(start) ≤ µs(t); t < end implies µs(t) ≤
		// µs(end): a superset of the plans in force, exact but for rows
		// whose bounds share t's microsecond.
		t, _ := microsOf(q.InForceAt)
		at := arg(t)
		conds = append(conds, "start_at <= "+at, "end_at >= "+at)
	}
	sql := `SELECT version, doc, id FROM ` + quoteIdent(ps.s.schema) + `.account_plans WHERE ` +
		strings.Join(conds, " AND ") + ` ORDER BY id LIMIT $3`
	var found []*customer.AccountPlan
	err := ps.s.single(ctx, tenant, func(qr querier) error {
		found = found[:0]
		from := afterID
		for {
			args[1] = pgtype.UUID{Bytes: from, Valid: true}
			rows, err := qr.Query(ctx, sql, args...)
			if err != nil {
				return err
			}
			n := 0
			for rows.Next() {
				n++
				var version int64
				var doc []byte
				var id pgtype.UUID
				if err := rows.Scan(&version, &doc, &id); err != nil {
					rows.Close()
					return err
				}
				from = id.Bytes
				p, err := decodePlan(version, doc)
				if err != nil {
					rows.Close()
					return err
				}
				// Only the period needs a second look: the other filters
				// are exact in SQL (and a row that disagrees with its
				// columns reaches the guard, which reports it).
				if q.InForceAt.IsZero() || p.InForceAt(q.InForceAt) {
					found = append(found, p)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if n < fetch || len(found) >= fetch {
				return nil
			}
		}
	})
	if err != nil {
		return out, ps.err(ctx, "list account plans", err)
	}
	if len(found) > page.Limit {
		found = found[:page.Limit]
		out.Next = idCursorString(curPlans, found[len(found)-1].ID())
	}
	out.Items = append(out.Items, found...)
	return out, nil
}
