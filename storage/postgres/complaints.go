package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// complaintStore implements complaint.Store on a Store's tables.
type complaintStore struct {
	s   *Store
	sql complaintStatements
}

var _ complaint.Store = (*complaintStore)(nil)

// complaintStatements are the complaint store's fixed SQL texts with the
// schema filled in.
type complaintStatements struct {
	get, getForUpdate, create, save, exists string
	audit                                   string
	createRisk, getRisk, getRiskForUpdate   string
	saveRisk                                string
}

// auditInsert returns the statement part that appends audit entries from
// parallel arrays: the tenant is $1, the complaint $2, and seq[], kind[],
// from[], to[], at[], actor[], reason[] are $first onwards.
func auditInsert(schema string, first int) string {
	p := make([]string, 7)
	for i := range p {
		p[i] = "$" + strconv.Itoa(first+i)
	}
	return `INSERT INTO ` + schema + `.complaint_audit (tenant_id, complaint_id, seq, kind, from_value, to_value, at, actor, reason)
 SELECT $1, $2, a.seq, a.kind, a.from_value, a.to_value, a.at, a.actor, a.reason
 FROM unnest(` + p[0] + `::bigint[], ` + p[1] + `::text[], ` + p[2] + `::text[], ` + p[3] + `::text[], ` +
		p[4] + `::timestamptz[], ` + p[5] + `::text[], ` + p[6] + `::text[])
   AS a(seq, kind, from_value, to_value, at, actor, reason)`
}

// complaintPlaceholders returns "$1, $2, …" for the complaint's columns,
// casting the compensation amount from text.
func complaintPlaceholders() string {
	p := make([]string, complaintColCount)
	for i := range p {
		p[i] = "$" + strconv.Itoa(i+1)
	}
	p[21] += "::text::numeric"
	return strings.Join(p, ", ")
}

func buildComplaintStatements(schema string) complaintStatements {
	q := func(s string) string { return strings.ReplaceAll(s, "{s}.", schema+".") }
	audit := func(first int) string { return auditInsert("{s}", first) }
	set := strings.Split(complaintCols, ",")
	var assign []string
	for i := 2; i < len(set); i++ {
		c := strings.TrimSpace(set[i])
		v := "$" + strconv.Itoa(i+1)
		if i == 21 {
			v += "::text::numeric"
		}
		assign = append(assign, c+" = "+v)
	}
	n := complaintColCount
	return complaintStatements{
		get:          q(`SELECT ` + complaintReadCols + ` FROM {s}.complaints WHERE tenant_id = $1 AND id = $2`),
		getForUpdate: q(`SELECT ` + complaintReadCols + ` FROM {s}.complaints WHERE tenant_id = $1 AND id = $2 FOR UPDATE`),
		// The complaint and its audit in one statement; an existing ID
		// inserts nothing (no error, so a caller's transaction is not
		// aborted) and returns 0.
		create: q(`WITH c AS (
 INSERT INTO {s}.complaints (` + complaintCols + `) VALUES (` + complaintPlaceholders() + `)
 ON CONFLICT (tenant_id, id) DO NOTHING
 RETURNING id
), a AS (
 ` + audit(n+1) + `
 WHERE EXISTS (SELECT 1 FROM c)
)
SELECT count(*) FROM c`),
		// Compare-and-swap on the version ($n+8 is the stored one), with the
		// audit in the same statement.
		save: q(`WITH c AS (
 UPDATE {s}.complaints SET ` + strings.Join(assign, ", ") + `
 WHERE tenant_id = $1 AND id = $2 AND version = $` + strconv.Itoa(n+8) + `
 RETURNING id
), a AS (
 ` + audit(n+1) + `
 WHERE EXISTS (SELECT 1 FROM c)
)
SELECT count(*) FROM c`),
		exists: q(`SELECT EXISTS (SELECT 1 FROM {s}.complaints WHERE tenant_id = $1 AND id = $2)`),
		audit: q(`SELECT seq, kind, from_value, to_value, at, actor, reason FROM {s}.complaint_audit
 WHERE tenant_id = $1 AND complaint_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`),
		// ON CONFLICT without a target: an existing ID and an active risk
		// of the same hotspot both insert nothing.
		createRisk: q(`INSERT INTO {s}.complaint_risks (` + riskCols + `)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
 ON CONFLICT DO NOTHING`),
		getRisk:          q(`SELECT ` + riskCols + ` FROM {s}.complaint_risks WHERE tenant_id = $1 AND id = $2`),
		getRiskForUpdate: q(`SELECT ` + riskCols + ` FROM {s}.complaint_risks WHERE tenant_id = $1 AND id = $2 FOR UPDATE`),
		// The hotspot never changes (complaint.CheckRiskUpdate).
		saveRisk: q(`UPDATE {s}.complaint_risks SET version = $3, owner_id = $4, status = $5, notes = $6, updated_at = $7
 WHERE tenant_id = $1 AND id = $2 AND version = $8`),
	}
}

func newComplaintStore(s *Store) *complaintStore {
	return &complaintStore{s: s, sql: buildComplaintStatements(quoteIdent(s.schema))}
}

// codeProgramLimit is the SQLSTATE class of values too large for an index
// entry (an asset path of several kilobytes).
const codeProgramLimit = "54000"

// complaintErr maps an error of a complaint or risk operation: the store's
// own errors pass through, an index entry too large is bad input, driver
// errors are mapped.
func (cs *complaintStore) complaintErr(ctx context.Context, op string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeProgramLimit {
		return fmt.Errorf("postgres: %s: %w (SQLSTATE %s: %s)", op, crm.ErrInvalid, pe.Code, pe.Message)
	}
	return (&customerStore{s: cs.s}).writeErr(ctx, op, err)
}

// Create stores a new complaint and its pending audit in one statement;
// see complaint.Store.
func (cs *complaintStore) Create(ctx context.Context, c *complaint.Complaint) error {
	const op = "postgres.Complaints.Create"
	if c == nil {
		return fmt.Errorf("postgres: create complaint: %w", crm.Invalid(op, "complaint", "must not be nil"))
	}
	if c.Version() != 0 {
		return fmt.Errorf("postgres: create complaint %s: %w", c.ID(), crm.Invalid(op, "version", "must be 0 for a new complaint"))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: create complaint %s: %w", c.ID(), err)
	}
	vals, err := encodeComplaint(op, c)
	if err != nil {
		return fmt.Errorf("postgres: create complaint %s: %w", c.ID(), err)
	}
	vals.args[2] = int64(1)
	args := append(vals.args, vals.audit.args()...)
	s := cs.s
	var n int64
	err = s.write(ctx, c.Tenant(), func(ctx context.Context, q querier) error {
		return q.QueryRow(ctx, cs.sql.create, args...).Scan(&n)
	})
	if err != nil {
		return cs.complaintErr(ctx, "create complaint "+c.ID().String(), err)
	}
	if n == 0 {
		return fmt.Errorf("postgres: create complaint %s: %w", c.ID(), crm.ErrDuplicate)
	}
	complaintHooks.Saved(c, 1)
	return nil
}

// Get returns the complaint; see complaint.Store.
func (cs *complaintStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*complaint.Complaint, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: get complaint %s: %w", id, err)
	}
	var c *complaint.Complaint
	err := cs.s.single(ctx, tenant, func(q querier) error {
		var sc complaintScan
		if err := q.QueryRow(ctx, cs.sql.get, string(tenant), uuidArg(id)).Scan(sc.dest()...); err != nil {
			return err
		}
		var err error
		c, err = sc.complaint()
		return err
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, notFound("complaint", id)
	case err != nil:
		return nil, cs.complaintErr(ctx, "get complaint "+id.String(), err)
	}
	return c, nil
}

// Update locks the complaint's row (SELECT … FOR UPDATE), runs fn on the
// latest state, checks the result (complaint.CheckUpdate) and stores it at
// the next version with its pending audit, in the transaction in ctx or in
// one of its own (retried, with fn run again, after a serialization
// failure or deadlock); see complaint.Store.
func (cs *complaintStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*complaint.Complaint) error) (*complaint.Complaint, error) {
	const op = "postgres.Complaints.Update"
	if fn == nil {
		return nil, fmt.Errorf("postgres: update complaint %s: %w", id, crm.Invalid(op, "fn", "must not be nil"))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: update complaint %s: %w", id, err)
	}
	var version int64
	lock := func(tx pgx.Tx) (*complaint.Complaint, error) {
		var sc complaintScan
		err := tx.QueryRow(ctx, cs.sql.getForUpdate, string(tenant), uuidArg(id)).Scan(sc.dest()...)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFound("complaint", id)
		}
		if err != nil {
			return nil, err
		}
		c, err := sc.complaint()
		if err != nil {
			return nil, err
		}
		version = c.Version()
		return c, nil
	}
	save := func(tx pgx.Tx, c *complaint.Complaint) error {
		vals, err := encodeComplaint(op, c)
		if err != nil {
			return err
		}
		vals.args[2] = version + 1
		args := append(vals.args, vals.audit.args()...)
		args = append(args, version)
		var n int64
		if err := tx.QueryRow(ctx, cs.sql.save, args...).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			// Unreachable while the row lock is held.
			return fmt.Errorf("postgres: update complaint %s: %w", id, crm.ErrConflict)
		}
		complaintHooks.Saved(c, version+1)
		return nil
	}
	out, fnErr, err := lockedUpdate(ctx, cs.s, tenant, lock, fn, save)
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		return nil, cs.complaintErr(ctx, "update complaint "+id.String(), err)
	}
	return out, nil
}

// List returns a page of the complaints matching q in ascending ID order;
// see complaint.Store. Every filter of q is a condition of the statement;
// q.Matches runs on the rows as a safety net, fetching further rows until
// the page is full.
func (cs *complaintStore) List(ctx context.Context, tenant crm.TenantID, q complaint.Query, page crm.PageRequest) (crm.Page[*complaint.Complaint], error) {
	const op = "postgres.Complaints.List"
	out := crm.Page[*complaint.Complaint]{Items: []*complaint.Complaint{}}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", q.Validate())
	tc := textChecker{&v}
	tc.time("query.received_from", q.ReceivedFrom)
	tc.time("query.received_to", q.ReceivedTo)
	tc.time("query.settled_from", q.SettledFrom)
	page, perr := page.Normalize()
	v.Merge("page", perr)
	afterID, cerr := parseIDCursor(op, curComplaints, page.Cursor)
	v.Merge("", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("postgres: list complaints: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: list complaints: %w", err)
	}
	fetch := page.Limit + 1
	first, next, args, none := complaintListSQL(cs.s.schema, tenant, q, fetch)
	if none {
		return out, nil
	}
	found := make([]*complaint.Complaint, 0, min(fetch, 64))
	err := cs.s.single(ctx, tenant, func(qr querier) error {
		found = found[:0]
		return pageRows(ctx, qr, first, next, args, afterID, fetch, func(sc *complaintScan) (crm.ID, error) {
			c, err := sc.complaint()
			if err != nil {
				return crm.ID{}, err
			}
			if q.Matches(c) && len(found) < fetch {
				found = append(found, c)
			}
			return c.ID(), nil
		}, func() bool { return len(found) >= fetch })
	})
	if err != nil {
		return out, cs.complaintErr(ctx, "list complaints", err)
	}
	if len(found) > page.Limit {
		found = found[:page.Limit]
		out.Next = idCursorString(curComplaints, found[len(found)-1].ID())
	}
	out.Items = found
	return out, nil
}

// scanner is a row scan destination of a list.
type scanner interface{ dest() []any }

// pageRows runs first (or next after the ID from) and hands each row to
// take, which returns the row's ID; it fetches further rows while full
// reports false and the last fetch was full.
func pageRows[S any, P interface {
	*S
	scanner
}](ctx context.Context, qr querier, first, next string, args []any, from crm.ID, fetch int,
	take func(*S) (crm.ID, error), full func() bool) error {
	for {
		var (
			rows pgx.Rows
			err  error
		)
		if from.IsZero() {
			rows, err = qr.Query(ctx, first, args...)
		} else {
			rows, err = qr.Query(ctx, next, append(args[:len(args):len(args)], uuidArg(from))...)
		}
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			n++
			var sc S
			if err := rows.Scan(P(&sc).dest()...); err != nil {
				rows.Close()
				return err
			}
			id, err := take(&sc)
			if err != nil {
				rows.Close()
				return err
			}
			from = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if full() || n < fetch {
			return nil
		}
	}
}

// openStatuses is the SQL condition of Query.Open; the open partial index
// has the same predicate.
const openCondition = "status NOT IN ('closed', 'rejected')"

// complaintListSQL returns the statements listing complaints matching q,
// fetch rows at a time: first for the first page, next (taking the last
// ID seen as one more argument) for the following ones. none is true when
// q can match no stored complaint.
func complaintListSQL(schema string, tenant crm.TenantID, q complaint.Query, fetch int) (first, next string, args []any, none bool) {
	where, args, none := complaintFilter(tenant, q)
	if none {
		return "", "", nil, true
	}
	base := `SELECT ` + complaintReadCols + ` FROM ` + quoteIdent(schema) + `.complaints WHERE ` + strings.Join(where, " AND ")
	order := ` ORDER BY id LIMIT ` + strconv.Itoa(fetch)
	return base + order, base + ` AND id > $` + strconv.Itoa(len(args)+1) + order, args, false
}

// complaintFilter turns q (valid) into SQL conditions and their arguments
// ($1 is the tenant). none is true when q can match nothing: text no
// stored value can hold (NUL), or an empty set of statuses or severities.
func complaintFilter(tenant crm.TenantID, q complaint.Query) (where []string, args []any, none bool) {
	args = []any{string(tenant)}
	where = []string{"tenant_id = $1"}
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if !q.Customer.IsZero() {
		add("customer_id = $?", uuidArg(q.Customer))
	}
	if q.Owner != "" {
		if !storable(string(q.Owner)) {
			return nil, nil, true
		}
		add("owner_id = $?", string(q.Owner))
	}
	if len(q.Statuses) > 0 {
		names := make([]string, len(q.Statuses))
		for i, st := range q.Statuses {
			names[i] = st.String()
		}
		add("status = ANY($?::text[])", names)
	}
	if q.Open != nil {
		if *q.Open {
			where = append(where, openCondition)
		} else {
			where = append(where, "status IN ('closed', 'rejected')")
		}
	}
	if len(q.Categories) > 0 {
		cats := make([]string, 0, len(q.Categories))
		for _, c := range q.Categories {
			if storable(c) {
				cats = append(cats, c)
			}
		}
		if len(cats) == 0 {
			return nil, nil, true
		}
		add("category = ANY($?::text[])", cats)
	}
	if q.Channel != 0 {
		add("channel = $?", q.Channel.String())
	}
	if q.MinSeverity != 0 {
		var names []string
		for s := q.MinSeverity; s.Valid(); s++ {
			names = append(names, s.String())
		}
		add("severity = ANY($?::text[])", names)
	}
	if !q.Group.IsZero() {
		add("group_id = $?", uuidArg(q.Group))
	}
	if len(q.Asset) > 0 {
		for _, l := range q.Asset {
			if !storable(l.Kind) || !storable(l.ID) {
				return nil, nil, true
			}
		}
		lo, hi := assetRange(q.Asset)
		add("asset_path >= $?", lo)
		add("asset_path < $?", hi)
	}
	if !q.ReceivedFrom.IsZero() {
		add("received_at >= $?", q.ReceivedFrom)
	}
	if !q.ReceivedTo.IsZero() {
		add("received_at < $?", q.ReceivedTo)
	}
	if !q.SettledFrom.IsZero() {
		where = append(where, "status IN ('closed', 'rejected')")
		add("coalesce(closed_at, rejected_at) >= $?", q.SettledFrom)
	}
	return where, args, false
}

// Audit returns a page of the complaint's audit trail by ascending Seq;
// see complaint.Store.
func (cs *complaintStore) Audit(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[complaint.AuditEntry], error) {
	const op = "postgres.Complaints.Audit"
	out := crm.Page[complaint.AuditEntry]{Items: []complaint.AuditEntry{}}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	page, perr := page.Normalize()
	v.Merge("page", perr)
	after, cerr := parseSeqCursor(op, page.Cursor)
	v.Merge("", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("postgres: audit: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: audit of %s: %w", id, err)
	}
	var items []complaint.AuditEntry
	err := cs.s.single(ctx, tenant, func(q querier) error {
		items = items[:0]
		rows, err := q.Query(ctx, cs.sql.audit, string(tenant), uuidArg(id), after, page.Limit+1)
		if err != nil {
			return err
		}
		var (
			e                        complaint.AuditEntry
			kind, actor, from, to, r string
		)
		for rows.Next() {
			if err := rows.Scan(&e.Seq, &kind, &from, &to, &e.At, &actor, &r); err != nil {
				rows.Close()
				return err
			}
			k, err := complaint.ParseAuditKind(kind)
			if err != nil {
				rows.Close()
				return &corruptError{what: "audit entry of complaint " + id.String(), problems: []string{err.Error()}}
			}
			items = append(items, complaint.AuditEntry{
				ComplaintID: id, Seq: e.Seq, Kind: k, From: from, To: to, At: e.At.UTC(), Actor: crm.UserID(actor), Reason: r,
			})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(items) == 0 {
			var ok bool
			if err := q.QueryRow(ctx, cs.sql.exists, string(tenant), uuidArg(id)).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return notFound("complaint", id)
			}
		}
		return nil
	})
	if err != nil {
		return out, cs.complaintErr(ctx, "audit of "+id.String(), err)
	}
	if len(items) > page.Limit {
		items = items[:page.Limit]
		out.Next = seqCursorString(items[len(items)-1].Seq)
	}
	if len(items) > 0 {
		out.Items = items
	}
	return out, nil
}
