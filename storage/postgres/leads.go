package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
)

// leadStore implements lead.Store on a Store's tables (migration 0006).
type leadStore struct {
	s   *Store
	sql leadStatements
}

var _ lead.Store = (*leadStore)(nil)

// leadStatements are the lead store's fixed SQL texts with the schema
// filled in.
type leadStatements struct {
	get, getForUpdate, create, save      string
	addContacts, addHist                 string
	history, exists                      string
	findByContact                        string
	ensureAssign, lockAssign, saveAssign string
	getAssign                            string
	createCampaign, getCampaign          string
	getCampaignForUpdate, saveCampaign   string
}

// leadCols are the columns of a lead row, in the order of leadRow.args.
const leadCols = `tenant_id, id, version, team, stage, open, owner_id, source, campaign_id, customer_id, captured_at, uncontacted, clock_start, doc`

func buildLeadStatements(schema string) leadStatements {
	q := func(s string) string { return strings.ReplaceAll(s, "{s}.", schema+".") }
	return leadStatements{
		get:          q(`SELECT version, doc FROM {s}.leads WHERE tenant_id = $1 AND id = $2`),
		getForUpdate: q(`SELECT version, doc FROM {s}.leads WHERE tenant_id = $1 AND id = $2 FOR UPDATE`),
		// An existing ID inserts nothing (no error, so that a caller's
		// transaction is not aborted) and returns no row.
		create: q(`INSERT INTO {s}.leads (` + leadCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
 ON CONFLICT (tenant_id, id) DO NOTHING RETURNING 1`),
		save: q(`UPDATE {s}.leads SET version = $3, team = $4, stage = $5, open = $6, owner_id = $7, source = $8,
 campaign_id = $9, customer_id = $10, captured_at = $11, uncontacted = $12, clock_start = $13, doc = $14
 WHERE tenant_id = $1 AND id = $2 AND version = $15`),
		addContacts: q(`INSERT INTO {s}.lead_contacts (tenant_id, lead_id, kind, key)
 SELECT $1, $2, c.kind, c.key FROM unnest($3::text[], $4::text[]) AS c(kind, key) ON CONFLICT DO NOTHING`),
		addHist: q(`INSERT INTO {s}.lead_history (tenant_id, lead_id, seq, kind, from_value, to_value, at, at_nanos, actor, reason)
 SELECT $1, $2, h.* FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::integer[], $9::text[], $10::text[])
   AS h(seq, kind, from_value, to_value, at, at_nanos, actor, reason)`),
		history: q(`SELECT seq, kind, from_value, to_value, at, at_nanos, actor, reason FROM {s}.lead_history
 WHERE tenant_id = $1 AND lead_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`),
		exists: q(`SELECT EXISTS (SELECT 1 FROM {s}.leads WHERE tenant_id = $1 AND id = $2)`),
		findByContact: q(`SELECT l.version, l.doc FROM {s}.leads l WHERE l.tenant_id = $1 AND l.open AND l.id IN (
 SELECT c.lead_id FROM {s}.lead_contacts c WHERE c.tenant_id = $1 AND
   ((c.kind = 'email' AND c.key = ANY ($2::text[])) OR (c.kind = 'phone' AND c.key = ANY ($3::text[]))))
 ORDER BY l.id LIMIT $4`),
		ensureAssign: q(`INSERT INTO {s}.lead_assignment (tenant_id, team, state) VALUES ($1, $2, '{}') ON CONFLICT DO NOTHING`),
		lockAssign:   q(`SELECT state FROM {s}.lead_assignment WHERE tenant_id = $1 AND team = $2 FOR UPDATE`),
		saveAssign:   q(`UPDATE {s}.lead_assignment SET state = $3 WHERE tenant_id = $1 AND team = $2`),
		getAssign:    q(`SELECT state FROM {s}.lead_assignment WHERE tenant_id = $1 AND team = $2`),
		createCampaign: q(`INSERT INTO {s}.campaigns (tenant_id, id, version, start_at, end_at, doc) VALUES ($1, $2, $3, $4, $5, $6)
 ON CONFLICT (tenant_id, id) DO NOTHING RETURNING 1`),
		getCampaign:          q(`SELECT version, doc FROM {s}.campaigns WHERE tenant_id = $1 AND id = $2`),
		getCampaignForUpdate: q(`SELECT version, doc FROM {s}.campaigns WHERE tenant_id = $1 AND id = $2 FOR UPDATE`),
		saveCampaign: q(`UPDATE {s}.campaigns SET version = $3, start_at = $4, end_at = $5, doc = $6
 WHERE tenant_id = $1 AND id = $2 AND version = $7`),
	}
}

func newLeadStore(s *Store) *leadStore {
	return &leadStore{s: s, sql: buildLeadStatements(quoteIdent(s.schema))}
}

// leadRow is a lead encoded for its row, with its contact keys and
// pending history.
type leadRow struct {
	args          []any
	kinds, keys   []string
	hist          []any
	hasHist, open bool
}

// microsOf splits t into the microsecond instant PostgreSQL keeps and the
// nanoseconds below it, so that nothing is rounded away.
func microsOf(t time.Time) (time.Time, int32) {
	t = t.UTC()
	return t.Truncate(time.Microsecond), int32(t.Nanosecond() % 1000)
}

// encodeLead returns the row of l at version.
func encodeLead(l *lead.Lead, version int64) (leadRow, error) {
	r := l.Record()
	r.Version = version
	doc, err := json.Marshal(r)
	if err != nil {
		return leadRow{}, err
	}
	row := leadRow{open: r.Stage.Open()}
	// Every parsed contact point's key, open or not: FindByContact joins
	// the lead's open flag.
	captured, _ := microsOf(r.CapturedAt)
	clock, _ := microsOf(l.ClockStart())
	row.args = []any{string(r.Tenant), uuidArg(r.ID), version, r.Team, r.Stage.String(), row.open, string(r.Owner),
		r.Source.Kind.String(), uuidArg(r.Source.Campaign), uuidArg(r.Customer), captured,
		row.open && r.FirstContactAt.IsZero(), clock, doc}
	for _, c := range r.Contacts {
		if n := c.Normalized(); n != "" {
			row.kinds = append(row.kinds, c.Kind.String())
			row.keys = append(row.keys, n)
		}
	}
	pending := leadHooks.Pending(l)
	if len(pending) > 0 {
		n := len(pending)
		seq, kind, from, to, at, nanos, actor, reason := make([]int64, n), make([]string, n), make([]string, n),
			make([]string, n), make([]time.Time, n), make([]int32, n), make([]string, n), make([]string, n)
		for i, e := range pending {
			seq[i], kind[i], from[i], to[i] = e.Seq, e.Kind.String(), e.From, e.To
			at[i], nanos[i] = microsOf(e.At)
			actor[i], reason[i] = string(e.Actor), e.Reason
		}
		row.hist = []any{string(r.Tenant), uuidArg(r.ID), seq, kind, from, to, at, nanos, actor, reason}
		row.hasHist = true
	}
	return row, nil
}

// writeRest writes what goes with a lead row: its new contact keys and its
// pending history.
func (ls *leadStore) writeRest(ctx context.Context, tx pgx.Tx, tenant crm.TenantID, id crm.ID, row leadRow) error {
	// A lead's contact points are only ever added to (Lead.Attach), so
	// the keys are inserted, never deleted: the look-up keeps open leads.
	if len(row.keys) > 0 {
		if _, err := tx.Exec(ctx, ls.sql.addContacts, string(tenant), uuidArg(id), row.kinds, row.keys); err != nil {
			return err
		}
	}
	if row.hasHist {
		if _, err := tx.Exec(ctx, ls.sql.addHist, row.hist...); err != nil {
			return err
		}
	}
	return nil
}

// decodeLead rebuilds a lead from its row.
func decodeLead(version int64, doc []byte) (*lead.Lead, error) {
	var r lead.Record
	if err := json.Unmarshal(doc, &r); err != nil {
		return nil, &corruptError{what: "lead", problems: []string{err.Error()}}
	}
	r.Version = version
	l, err := leadHooks.Adopt(r)
	if err != nil {
		return nil, &corruptError{what: "lead " + r.ID.String(), problems: []string{err.Error()}}
	}
	return l, nil
}

func (ls *leadStore) err(ctx context.Context, op string, err error) error {
	return (&customerStore{s: ls.s}).writeErr(ctx, op, err)
}

// Create stores a new lead, its contact keys and its pending history in
// one transaction; see lead.Store.
func (ls *leadStore) Create(ctx context.Context, l *lead.Lead) error {
	const op = "postgres.Leads.Create"
	if l == nil {
		return fmt.Errorf("postgres: create lead: %w", crm.Invalid(op, "lead", "must not be nil"))
	}
	if l.Version() != 0 {
		return fmt.Errorf("postgres: create lead %s: %w", l.ID(), crm.Invalid(op, "version", "must be 0 for a new lead"))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: create lead %s: %w", l.ID(), err)
	}
	row, err := encodeLead(l, 1)
	if err != nil {
		return fmt.Errorf("postgres: create lead %s: %w", l.ID(), err)
	}
	dup := false
	err = ls.s.atomic(ctx, l.Tenant(), func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, ls.sql.create, row.args...).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			dup = true
			return nil
		}
		if err != nil {
			return err
		}
		return ls.writeRest(ctx, tx, l.Tenant(), l.ID(), row)
	})
	if err != nil {
		return ls.err(ctx, "create lead "+l.ID().String(), err)
	}
	if dup {
		return fmt.Errorf("postgres: create lead %s: %w", l.ID(), crm.ErrDuplicate)
	}
	leadHooks.Saved(l, 1)
	return nil
}

// Get returns the lead; see lead.Store.
func (ls *leadStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*lead.Lead, error) {
	return getDoc(ctx, ls.s, tenant, id, "lead", ls.sql.get, decodeLead, ls.err)
}

// Update locks the lead's row, runs fn on the latest state and stores the
// result at the next version with its contact keys and pending history,
// on the lockedUpdate frame; see lead.Store.
func (ls *leadStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*lead.Lead) error) (*lead.Lead, error) {
	const op = "postgres.Leads.Update"
	if fn == nil {
		return nil, fmt.Errorf("postgres: update lead %s: %w", id, crm.Invalid(op, "fn", "must not be nil"))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: update lead %s: %w", id, err)
	}
	var version int64
	var had map[string]bool // the contact keys stored with the locked version
	lock := func(tx pgx.Tx) (*lead.Lead, error) {
		var doc []byte
		err := tx.QueryRow(ctx, ls.sql.getForUpdate, string(tenant), uuidArg(id)).Scan(&version, &doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFound("lead", id)
		}
		if err != nil {
			return nil, err
		}
		l, err := decodeLead(version, doc)
		if err != nil {
			return nil, err
		}
		had = map[string]bool{}
		for _, c := range l.Contacts() {
			if n := c.Normalized(); n != "" {
				had[c.Kind.String()+" "+n] = true
			}
		}
		return l, nil
	}
	save := func(tx pgx.Tx, l *lead.Lead) error {
		row, err := encodeLead(l, version+1)
		if err != nil {
			return err
		}
		// Only the keys the change added: the others are stored already
		// (keys are never deleted, see writeRest).
		kinds, keys := row.kinds[:0:0], row.keys[:0:0]
		for i, k := range row.keys {
			if !had[row.kinds[i]+" "+k] {
				kinds, keys = append(kinds, row.kinds[i]), append(keys, k)
			}
		}
		row.kinds, row.keys = kinds, keys
		tag, err := tx.Exec(ctx, ls.sql.save, append(row.args, version)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: update lead %s: %w", id, crm.ErrConflict) // unreachable under the row lock
		}
		if err := ls.writeRest(ctx, tx, tenant, id, row); err != nil {
			return err
		}
		leadHooks.Saved(l, version+1)
		return nil
	}
	out, fnErr, err := lockedUpdate(ctx, ls.s, tenant, lock, fn, save)
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		return nil, ls.err(ctx, "update lead "+id.String(), err)
	}
	return out, nil
}

// List returns a page of the leads matching q in ascending ID order; see
// lead.Store. Every filter of q is a condition of the statement; q.Matches
// runs on the rows as a safety net.
func (ls *leadStore) List(ctx context.Context, tenant crm.TenantID, q lead.Query, page crm.PageRequest) (crm.Page[*lead.Lead], error) {
	const op = "postgres.Leads.List"
	out := crm.Page[*lead.Lead]{Items: []*lead.Lead{}}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", q.Validate())
	page, perr := page.Normalize()
	v.Merge("page", perr)
	afterID, cerr := parseIDCursor(op, curLeads, page.Cursor)
	v.Merge("", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("postgres: list leads: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: list leads: %w", err)
	}
	conds := []string{"tenant_id = $1"}
	args := []any{string(tenant)}
	arg := func(x any) string {
		args = append(args, x)
		return fmt.Sprintf("$%d", len(args))
	}
	if len(q.Stages) > 0 {
		names := make([]string, len(q.Stages))
		for i, st := range q.Stages {
			names[i] = st.String()
		}
		conds = append(conds, "stage = ANY ("+arg(names)+"::text[])")
	}
	if q.Open != nil {
		if *q.Open {
			conds = append(conds, "open")
		} else {
			conds = append(conds, "NOT open")
		}
	}
	if q.Team != nil {
		conds = append(conds, "team = "+arg(*q.Team))
	}
	if q.Owner != "" {
		conds = append(conds, "owner_id = "+arg(string(q.Owner)))
	}
	if q.Unassigned {
		conds = append(conds, "owner_id = ''")
	}
	if q.Source != 0 {
		conds = append(conds, "source = "+arg(q.Source.String()))
	}
	if !q.Campaign.IsZero() {
		conds = append(conds, "campaign_id = "+arg(uuidArg(q.Campaign)))
	}
	if !q.Customer.IsZero() {
		conds = append(conds, "customer_id = "+arg(uuidArg(q.Customer)))
	}
	// captured_at holds microseconds; the exact bounds are q.Matches's.
	if !q.CapturedFrom.IsZero() {
		from, _ := microsOf(q.CapturedFrom)
		conds = append(conds, "captured_at >= "+arg(from))
	}
	if !q.CapturedTo.IsZero() {
		to, _ := microsOf(q.CapturedTo)
		conds = append(conds, "captured_at <= "+arg(to))
	}
	if q.Uncontacted {
		conds = append(conds, "uncontacted")
	}
	if !q.ClockStartTo.IsZero() {
		// clock_start holds microseconds (a row from before 0010 may be
		// rounded up by one): the bound is loose, q.Matches exact.
		to, _ := microsOf(q.ClockStartTo)
		conds = append(conds, "clock_start <= "+arg(to.Add(time.Microsecond)))
	}
	fetch := page.Limit + 1
	base := `SELECT version, doc, id FROM ` + quoteIdent(ls.s.schema) + `.leads WHERE ` + strings.Join(conds, " AND ")
	limit := arg(fetch)
	first := base + ` ORDER BY id LIMIT ` + limit
	next := base + fmt.Sprintf(` AND id > $%d ORDER BY id LIMIT `, len(args)+1) + limit
	found := make([]*lead.Lead, 0, min(fetch, 64))
	err := ls.s.single(ctx, tenant, func(qr querier) error {
		found = found[:0]
		from := afterID
		for {
			var rows pgx.Rows
			var err error
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
				var version int64
				var doc []byte
				var id pgtype.UUID
				if err := rows.Scan(&version, &doc, &id); err != nil {
					rows.Close()
					return err
				}
				from = id.Bytes
				l, err := decodeLead(version, doc)
				if err != nil {
					rows.Close()
					return err
				}
				if q.Matches(l) && len(found) < fetch {
					found = append(found, l)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(found) >= fetch || n < fetch {
				return nil
			}
		}
	})
	if err != nil {
		return out, ls.err(ctx, "list leads", err)
	}
	if len(found) > page.Limit {
		found = found[:page.Limit]
		out.Next = idCursorString(curLeads, found[len(found)-1].ID())
	}
	out.Items = found
	return out, nil
}

// FindByContact returns the open leads having any of the keys, ascending
// by ID; see lead.Store.
func (ls *leadStore) FindByContact(ctx context.Context, tenant crm.TenantID, emails, phones []string, limit int) ([]*lead.Lead, error) {
	const op = "postgres.Leads.FindByContact"
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(limit >= 0, "limit", "must not be negative")
	v.Check(len(emails)+len(phones) <= lead.MaxContactKeys, "keys", "too many")
	tc := textChecker{&v}
	for _, k := range emails {
		tc.check("emails", k)
	}
	for _, k := range phones {
		tc.check("phones", k)
	}
	if err := v.Err(op); err != nil {
		return nil, fmt.Errorf("postgres: find leads by contact: %w", err)
	}
	switch {
	case limit == 0:
		limit = crm.DefaultPageLimit
	case limit > crm.MaxPageLimit:
		limit = crm.MaxPageLimit
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find leads by contact: %w", err)
	}
	out := []*lead.Lead{}
	if len(emails)+len(phones) == 0 {
		return out, nil
	}
	if emails == nil {
		emails = []string{}
	}
	if phones == nil {
		phones = []string{}
	}
	err := ls.s.single(ctx, tenant, func(q querier) error {
		out = out[:0]
		rows, err := q.Query(ctx, ls.sql.findByContact, string(tenant), emails, phones, limit)
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
			l, err := decodeLead(version, doc)
			if err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, ls.err(ctx, "find leads by contact", err)
	}
	return out, nil
}

// History returns a page of the lead's history, ascending Seq; see
// lead.Store.
func (ls *leadStore) History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[lead.HistoryEntry], error) {
	const op = "postgres.Leads.History"
	out := crm.Page[lead.HistoryEntry]{Items: []lead.HistoryEntry{}}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(!id.IsZero(), "id", "must not be zero")
	page, perr := page.Normalize()
	v.Merge("page", perr)
	var after int64
	if page.Cursor != "" {
		b, err := decodeTagged(op, curLeadHistory, 8, page.Cursor)
		v.Merge("", err)
		if err == nil {
			after = int64(beUint64(b))
			v.Check(after > 0, "page.cursor", "malformed")
		}
	}
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("postgres: lead history: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: history of lead %s: %w", id, err)
	}
	var items []lead.HistoryEntry
	err := ls.s.single(ctx, tenant, func(q querier) error {
		items = items[:0]
		rows, err := q.Query(ctx, ls.sql.history, string(tenant), uuidArg(id), after, page.Limit+1)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e lead.HistoryEntry
			var kind, actor string
			var nanos int32
			if err := rows.Scan(&e.Seq, &kind, &e.From, &e.To, &e.At, &nanos, &actor, &e.Reason); err != nil {
				rows.Close()
				return err
			}
			k, err := lead.ParseHistoryKind(kind)
			if err != nil {
				rows.Close()
				return &corruptError{what: "history entry of lead " + id.String(), problems: []string{err.Error()}}
			}
			e.LeadID, e.Kind, e.Actor = id, k, crm.UserID(actor)
			e.At = e.At.UTC().Add(time.Duration(nanos))
			items = append(items, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(items) == 0 {
			var ok bool
			if err := q.QueryRow(ctx, ls.sql.exists, string(tenant), uuidArg(id)).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return notFound("lead", id)
			}
		}
		return nil
	})
	if err != nil {
		return out, ls.err(ctx, "history of lead "+id.String(), err)
	}
	if len(items) > page.Limit {
		items = items[:page.Limit]
		out.Next = seqTaggedCursor(curLeadHistory, items[len(items)-1].Seq)
	}
	out.Items = append(out.Items, items...)
	return out, nil
}

// decodeState reads a stored assignment state.
func decodeState(b []byte) (lead.AssignmentState, error) {
	var st lead.AssignmentState
	if err := json.Unmarshal(b, &st); err != nil {
		return st, &corruptError{what: "assignment state", problems: []string{err.Error()}}
	}
	if err := st.Validate(); err != nil {
		return st, &corruptError{what: "assignment state", problems: []string{err.Error()}}
	}
	return st, nil
}

// Assignment returns the team's assignment state; see lead.Store.
func (ls *leadStore) Assignment(ctx context.Context, tenant crm.TenantID, team string) (lead.AssignmentState, error) {
	const op = "postgres.Leads.Assignment"
	var v crm.Validator
	v.Merge("", tenant.Validate())
	textChecker{&v}.check("team", team)
	if err := v.Err(op); err != nil {
		return lead.AssignmentState{}, fmt.Errorf("postgres: assignment: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return lead.AssignmentState{}, fmt.Errorf("postgres: assignment: %w", err)
	}
	var st lead.AssignmentState
	err := ls.s.single(ctx, tenant, func(q querier) error {
		var b []byte
		err := q.QueryRow(ctx, ls.sql.getAssign, string(tenant), team).Scan(&b)
		if errors.Is(err, pgx.ErrNoRows) {
			st = lead.AssignmentState{}
			return nil
		}
		if err != nil {
			return err
		}
		st, err = decodeState(b)
		return err
	})
	if err != nil {
		return lead.AssignmentState{}, ls.err(ctx, "assignment", err)
	}
	return st, nil
}

// UpdateAssignment locks the team's assignment row (creating it when
// missing), runs fn on the latest state and stores the result, on the
// lockedUpdate frame; see lead.Store.
func (ls *leadStore) UpdateAssignment(ctx context.Context, tenant crm.TenantID, team string, fn func(*lead.AssignmentState) error) (lead.AssignmentState, error) {
	const op = "postgres.Leads.UpdateAssignment"
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(fn != nil, "fn", "must not be nil")
	textChecker{&v}.check("team", team)
	if err := v.Err(op); err != nil {
		return lead.AssignmentState{}, fmt.Errorf("postgres: update assignment: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return lead.AssignmentState{}, fmt.Errorf("postgres: update assignment: %w", err)
	}
	lock := func(tx pgx.Tx) (*lead.AssignmentState, error) {
		if _, err := tx.Exec(ctx, ls.sql.ensureAssign, string(tenant), team); err != nil {
			return nil, err
		}
		var b []byte
		if err := tx.QueryRow(ctx, ls.sql.lockAssign, string(tenant), team).Scan(&b); err != nil {
			return nil, err
		}
		st, err := decodeState(b)
		if err != nil {
			return nil, err
		}
		return &st, nil
	}
	save := func(tx pgx.Tx, st *lead.AssignmentState) error {
		if err := st.Validate(); err != nil {
			return err
		}
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, ls.sql.saveAssign, string(tenant), team, b)
		return err
	}
	out, fnErr, err := lockedUpdate(ctx, ls.s, tenant, lock, fn, save)
	switch {
	case fnErr != nil:
		return lead.AssignmentState{}, fnErr
	case err != nil:
		return lead.AssignmentState{}, ls.err(ctx, "update assignment", err)
	}
	return out.Clone(), nil
}

// Campaigns returns the campaign store.
func (ls *leadStore) Campaigns() lead.CampaignStore { return &campaignStore{ls: ls} }

// campaignStore implements lead.CampaignStore on the campaigns table.
type campaignStore struct{ ls *leadStore }

var _ lead.CampaignStore = (*campaignStore)(nil)

// exactMoney keeps an amount digit for digit: coefficient, exponent and
// currency.
type exactMoney struct {
	Coef     string `json:"coef"`
	Exp      int32  `json:"exp"`
	Currency string `json:"currency"`
}

func exactOf(m crm.Money) exactMoney {
	a := m.Amount()
	return exactMoney{Coef: a.Coefficient().String(), Exp: a.Exponent(), Currency: m.Currency().Code()}
}

func (e exactMoney) money() (crm.Money, error) {
	coef, ok := new(big.Int).SetString(e.Coef, 10)
	if !ok {
		return crm.Money{}, fmt.Errorf("amount %q is not an integer", e.Coef)
	}
	c, err := crm.ParseCurrency(e.Currency)
	if err != nil {
		return crm.Money{}, err
	}
	if coef.Sign() == 0 && e.Exp == 0 {
		return crm.Zero(c), nil // as crm.Zero makes it
	}
	return crm.NewMoney(decimal.NewFromBigInt(coef, e.Exp), c)
}

// campaignDoc is the stored JSON of a campaign: its record, with budget and
// cost kept exactly.
type campaignDoc struct {
	lead.CampaignRecord
	Budget exactMoney `json:"Budget"`
	Cost   exactMoney `json:"Cost"`
}

func encodeCampaign(c *lead.Campaign, version int64) ([]any, error) {
	r := c.Record()
	r.Version = version
	doc, err := json.Marshal(campaignDoc{CampaignRecord: r, Budget: exactOf(r.Budget), Cost: exactOf(r.Cost)})
	if err != nil {
		return nil, err
	}
	start, _ := microsOf(r.Start)
	var end pgtype.Timestamptz
	if !r.End.IsZero() {
		e, _ := microsOf(r.End)
		end = timeArg(e)
	}
	return []any{string(r.Tenant), uuidArg(r.ID), version, start, end, doc}, nil
}

func decodeCampaign(version int64, b []byte) (*lead.Campaign, error) {
	var d campaignDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, &corruptError{what: "campaign", problems: []string{err.Error()}}
	}
	r := d.CampaignRecord
	r.Version = version
	var err error
	if r.Budget, err = d.Budget.money(); err == nil {
		r.Cost, err = d.Cost.money()
	}
	if err != nil {
		return nil, &corruptError{what: "campaign " + r.ID.String(), problems: []string{err.Error()}}
	}
	c, err := campaignHooks.Adopt(r)
	if err != nil {
		return nil, &corruptError{what: "campaign " + r.ID.String(), problems: []string{err.Error()}}
	}
	return c, nil
}

// Create stores a new campaign; see lead.CampaignStore.
func (cs *campaignStore) Create(ctx context.Context, c *lead.Campaign) error {
	const op = "postgres.Campaigns.Create"
	if c == nil {
		return fmt.Errorf("postgres: create campaign: %w", crm.Invalid(op, "campaign", "must not be nil"))
	}
	if c.Version() != 0 {
		return fmt.Errorf("postgres: create campaign %s: %w", c.ID(), crm.Invalid(op, "version", "must be 0 for a new campaign"))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: create campaign %s: %w", c.ID(), err)
	}
	args, err := encodeCampaign(c, 1)
	if err != nil {
		return fmt.Errorf("postgres: create campaign %s: %w", c.ID(), err)
	}
	dup := false
	err = cs.ls.s.write(ctx, c.Tenant(), func(ctx context.Context, q querier) error {
		var one int
		err := q.QueryRow(ctx, cs.ls.sql.createCampaign, args...).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			dup = true
			return nil
		}
		return err
	})
	if err != nil {
		return cs.ls.err(ctx, "create campaign "+c.ID().String(), err)
	}
	if dup {
		return fmt.Errorf("postgres: create campaign %s: %w", c.ID(), crm.ErrDuplicate)
	}
	campaignHooks.Saved(c, 1)
	return nil
}

// Get returns the campaign; see lead.CampaignStore.
func (cs *campaignStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*lead.Campaign, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: get campaign %s: %w", id, err)
	}
	var c *lead.Campaign
	err := cs.ls.s.single(ctx, tenant, func(q querier) error {
		var version int64
		var doc []byte
		if err := q.QueryRow(ctx, cs.ls.sql.getCampaign, string(tenant), uuidArg(id)).Scan(&version, &doc); err != nil {
			return err
		}
		var err error
		c, err = decodeCampaign(version, doc)
		return err
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, notFound("campaign", id)
	case err != nil:
		return nil, cs.ls.err(ctx, "get campaign "+id.String(), err)
	}
	return c, nil
}

// Update locks the campaign's row, runs fn and stores the result at the
// next version; see lead.CampaignStore.
func (cs *campaignStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*lead.Campaign) error) (*lead.Campaign, error) {
	const op = "postgres.Campaigns.Update"
	if fn == nil {
		return nil, fmt.Errorf("postgres: update campaign %s: %w", id, crm.Invalid(op, "fn", "must not be nil"))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: update campaign %s: %w", id, err)
	}
	var version int64
	lock := func(tx pgx.Tx) (*lead.Campaign, error) {
		var doc []byte
		err := tx.QueryRow(ctx, cs.ls.sql.getCampaignForUpdate, string(tenant), uuidArg(id)).Scan(&version, &doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFound("campaign", id)
		}
		if err != nil {
			return nil, err
		}
		return decodeCampaign(version, doc)
	}
	save := func(tx pgx.Tx, c *lead.Campaign) error {
		args, err := encodeCampaign(c, version+1)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, cs.ls.sql.saveCampaign, append(args, version)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: update campaign %s: %w", id, crm.ErrConflict)
		}
		campaignHooks.Saved(c, version+1)
		return nil
	}
	out, fnErr, err := lockedUpdate(ctx, cs.ls.s, tenant, lock, fn, save)
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		return nil, cs.ls.err(ctx, "update campaign "+id.String(), err)
	}
	return out, nil
}

// List returns a page of the campaigns whose period overlaps [from, to),
// ascending by ID; see lead.CampaignStore.
func (cs *campaignStore) List(ctx context.Context, tenant crm.TenantID, from, to time.Time, page crm.PageRequest) (crm.Page[*lead.Campaign], error) {
	const op = "postgres.Campaigns.List"
	out := crm.Page[*lead.Campaign]{Items: []*lead.Campaign{}}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	tc := textChecker{&v}
	tc.time("from", from)
	tc.time("to", to)
	page, perr := page.Normalize()
	v.Merge("page", perr)
	afterID, cerr := parseIDCursor(op, curCampaigns, page.Cursor)
	v.Merge("", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("postgres: list campaigns: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: list campaigns: %w", err)
	}
	fromArg, toArg := timeArg(from), timeArg(to)
	sql := `SELECT version, doc FROM ` + quoteIdent(cs.ls.s.schema) + `.campaigns
 WHERE tenant_id = $1 AND id > $2 AND ($3::timestamptz IS NULL OR end_at IS NULL OR end_at >= $3)
   AND ($4::timestamptz IS NULL OR start_at <= $4) ORDER BY id LIMIT $5`
	fetch := page.Limit + 1
	var found []*lead.Campaign
	err := cs.ls.s.single(ctx, tenant, func(q querier) error {
		found = found[:0]
		after := afterID
		for {
			rows, err := q.Query(ctx, sql, string(tenant), pgtype.UUID{Bytes: after, Valid: true}, fromArg, toArg, fetch)
			if err != nil {
				return err
			}
			n := 0
			for rows.Next() {
				n++
				var version int64
				var doc []byte
				if err := rows.Scan(&version, &doc); err != nil {
					rows.Close()
					return err
				}
				c, err := decodeCampaign(version, doc)
				if err != nil {
					rows.Close()
					return err
				}
				after = c.ID()
				if overlaps(c, from, to) && len(found) < fetch {
					found = append(found, c)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(found) >= fetch || n < fetch {
				return nil
			}
		}
	})
	if err != nil {
		return out, cs.ls.err(ctx, "list campaigns", err)
	}
	if len(found) > page.Limit {
		found = found[:page.Limit]
		out.Next = idCursorString(curCampaigns, found[len(found)-1].ID())
	}
	out.Items = append(out.Items, found...)
	return out, nil
}

// overlaps reports whether c's period [start, end) overlaps [from, to),
// a zero bound being unbounded: the exact test behind the SQL's
// microsecond one.
func overlaps(c *lead.Campaign, from, to time.Time) bool {
	start, end := c.Period()
	return (to.IsZero() || start.Before(to)) && (end.IsZero() || from.IsZero() || end.After(from))
}
