package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// Indexes in encodeRisk's values.
const (
	riskArgVersion = 2
	riskArgOwner   = 15
	riskArgStatus  = 16
	riskArgNotes   = 17
	riskArgUpdated = 19
)

// CreateRisk stores a new risk in one statement; an existing ID and an
// active risk of the same hotspot key both return crm.ErrDuplicate. See
// complaint.Store.
func (cs *complaintStore) CreateRisk(ctx context.Context, r *complaint.Risk) error {
	const op = "postgres.Complaints.CreateRisk"
	if r == nil {
		return fmt.Errorf("postgres: create risk: %w", crm.Invalid(op, "risk", "must not be nil"))
	}
	if r.Version() != 0 {
		return fmt.Errorf("postgres: create risk %s: %w", r.ID(), crm.Invalid(op, "version", "must be 0 for a new risk"))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: create risk %s: %w", r.ID(), err)
	}
	args, err := encodeRisk(op, r)
	if err != nil {
		return fmt.Errorf("postgres: create risk %s: %w", r.ID(), err)
	}
	args[riskArgVersion] = int64(1)
	var tag int64
	err = cs.s.write(ctx, r.Tenant(), func(ctx context.Context, q querier) error {
		ct, err := q.Exec(ctx, cs.sql.createRisk, args...)
		tag = ct.RowsAffected()
		return err
	})
	if err != nil {
		return cs.complaintErr(ctx, "create risk "+r.ID().String(), err)
	}
	if tag == 0 {
		return fmt.Errorf("postgres: create risk %s: the ID or an active risk of hotspot %.200q exists: %w", r.ID(), r.Key(), crm.ErrDuplicate)
	}
	riskHooks.Saved(r, 1)
	return nil
}

// GetRisk returns the risk; see complaint.Store.
func (cs *complaintStore) GetRisk(ctx context.Context, tenant crm.TenantID, id crm.ID) (*complaint.Risk, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: get risk %s: %w", id, err)
	}
	var r *complaint.Risk
	err := cs.s.single(ctx, tenant, func(q querier) error {
		var sc riskScan
		if err := q.QueryRow(ctx, cs.sql.getRisk, string(tenant), uuidArg(id)).Scan(sc.dest()...); err != nil {
			return err
		}
		var err error
		r, err = sc.risk()
		return err
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, notFound("risk", id)
	case err != nil:
		return nil, cs.complaintErr(ctx, "get risk "+id.String(), err)
	}
	return r, nil
}

// UpdateRisk locks the risk's row, runs fn on the latest state, checks the
// result (complaint.CheckRiskUpdate) and stores it at the next version,
// retried like Update; see complaint.Store.
func (cs *complaintStore) UpdateRisk(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*complaint.Risk) error) (*complaint.Risk, error) {
	const op = "postgres.Complaints.UpdateRisk"
	if fn == nil {
		return nil, fmt.Errorf("postgres: update risk %s: %w", id, crm.Invalid(op, "fn", "must not be nil"))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: update risk %s: %w", id, err)
	}
	var version int64
	lock := func(tx pgx.Tx) (*complaint.Risk, error) {
		var sc riskScan
		err := tx.QueryRow(ctx, cs.sql.getRiskForUpdate, string(tenant), uuidArg(id)).Scan(sc.dest()...)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFound("risk", id)
		}
		if err != nil {
			return nil, err
		}
		r, err := sc.risk()
		if err != nil {
			return nil, err
		}
		version = r.Version()
		return r, nil
	}
	save := func(tx pgx.Tx, r *complaint.Risk) error {
		args, err := encodeRisk(op, r)
		if err != nil {
			return err
		}
		ct, err := tx.Exec(ctx, cs.sql.saveRisk, args[0], args[1], version+1, args[riskArgOwner], args[riskArgStatus],
			args[riskArgNotes], args[riskArgUpdated], version)
		if err != nil {
			return err
		}
		if ct.RowsAffected() != 1 {
			// Unreachable while the row lock is held.
			return fmt.Errorf("postgres: update risk %s: %w", id, crm.ErrConflict)
		}
		riskHooks.Saved(r, version+1)
		return nil
	}
	out, fnErr, err := lockedUpdate(ctx, cs.s, tenant, lock, fn, save)
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		return nil, cs.complaintErr(ctx, "update risk "+id.String(), err)
	}
	return out, nil
}

// ListRisks returns a page of the risks matching q in ascending ID order;
// see complaint.Store.
func (cs *complaintStore) ListRisks(ctx context.Context, tenant crm.TenantID, q complaint.RiskQuery, page crm.PageRequest) (crm.Page[*complaint.Risk], error) {
	const op = "postgres.Complaints.ListRisks"
	out := crm.Page[*complaint.Risk]{Items: []*complaint.Risk{}}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", q.Validate())
	page, perr := page.Normalize()
	v.Merge("page", perr)
	afterID, cerr := parseIDCursor(op, curRisks, page.Cursor)
	v.Merge("", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("postgres: list risks: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: list risks: %w", err)
	}
	fetch := page.Limit + 1
	first, next, args, none := riskListSQL(cs.s.schema, tenant, q, fetch)
	if none {
		return out, nil
	}
	found := make([]*complaint.Risk, 0, min(fetch, 64))
	err := cs.s.single(ctx, tenant, func(qr querier) error {
		found = found[:0]
		return pageRows(ctx, qr, first, next, args, afterID, fetch, func(sc *riskScan) (crm.ID, error) {
			r, err := sc.risk()
			if err != nil {
				return crm.ID{}, err
			}
			if q.Matches(r) && len(found) < fetch {
				found = append(found, r)
			}
			return r.ID(), nil
		}, func() bool { return len(found) >= fetch })
	})
	if err != nil {
		return out, cs.complaintErr(ctx, "list risks", err)
	}
	if len(found) > page.Limit {
		found = found[:page.Limit]
		out.Next = idCursorString(curRisks, found[len(found)-1].ID())
	}
	out.Items = found
	return out, nil
}

// riskListSQL is complaintListSQL for risks.
func riskListSQL(schema string, tenant crm.TenantID, q complaint.RiskQuery, fetch int) (first, next string, args []any, none bool) {
	args = []any{string(tenant)}
	where := []string{"tenant_id = $1"}
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if len(q.Statuses) > 0 {
		names := make([]string, len(q.Statuses))
		for i, st := range q.Statuses {
			names[i] = st.String()
		}
		add("status = ANY($?::text[])", names)
	}
	if q.Active != nil {
		if *q.Active {
			where = append(where, "status IN ('open', 'mitigating')")
		} else {
			where = append(where, "status NOT IN ('open', 'mitigating')")
		}
	}
	if q.Owner != "" {
		if !storable(string(q.Owner)) {
			return "", "", nil, true
		}
		add("owner_id = $?", string(q.Owner))
	}
	if q.Key != "" {
		if !storable(q.Key) {
			return "", "", nil, true
		}
		add("hotspot_key_hash = $?", keyHash(q.Key))
		add("hotspot_key = $?", q.Key)
	}
	base := `SELECT ` + riskCols + ` FROM ` + quoteIdent(schema) + `.complaint_risks WHERE ` + strings.Join(where, " AND ")
	order := ` ORDER BY id LIMIT ` + strconv.Itoa(fetch)
	return base + order, base + ` AND id > $` + strconv.Itoa(len(args)+1) + order, args, false
}
