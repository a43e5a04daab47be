package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
)

// Referrals, suggestions and memberships (migration 0008): three
// aggregates stored by one generic port, relPort, each described by a
// fixture (relTable) that says how a record becomes its row and which SQL
// conditions narrow a list; the exact query is then re-checked in Go with
// the domain's Matches, so the SQL may only ever return too much.

// Cursor tags of the relation lists.
const (
	curReferrals   = 'F'
	curSuggestions = 'G'
	curMemberships = 'M'
)

var (
	referralHooks   = hook.For[*customer.Referral, customer.ReferralRecord, hook.None]()
	suggestionHooks = hook.For[*customer.Suggestion, customer.SuggestionRecord, hook.None]()
	membershipHooks = hook.For[*customer.Membership, customer.MembershipRecord, hook.None]()
)

// relRecord is what the generic port needs of a stored relation record.
type relRecord interface {
	comparable
	ID() crm.ID
	Tenant() crm.TenantID
	Version() int64
}

// relTable is the fixture of one relation table.
type relTable[T relRecord, Q any] struct {
	what  string   // "referral"
	name  string   // "Referrals", in ops
	table string   // "referrals"
	cols  []string // the columns after tenant_id, id, version and before doc
	tag   byte
	// row returns x's column values (in cols order) and its doc.
	row func(x T, version int64) ([]any, []byte, error)
	// decode rebuilds a record from its version and doc.
	decode func(version int64, doc []byte) (T, error)
	// where appends the SQL conditions of q, with arg adding a parameter.
	where func(q Q, arg func(any) string) []string
	match func(q Q, x T) bool
	check func(q Q) error
	saved func(x T, version int64)
}

// relPort implements a relation port on its table.
type relPort[T relRecord, Q any] struct {
	s   *Store
	t   *relTable[T, Q]
	sql struct{ create, get, getForUpdate, save, list string }
}

func newRelPort[T relRecord, Q any](s *Store, t *relTable[T, Q]) relPort[T, Q] {
	p := relPort[T, Q]{s: s, t: t}
	tbl := quoteIdent(s.schema) + "." + t.table
	n := len(t.cols)
	ph := make([]string, 0, n+4)
	set := make([]string, 0, n+2)
	for i := 1; i <= n+4; i++ {
		ph = append(ph, "$"+strconv.Itoa(i))
	}
	for i, c := range append(append([]string{"version"}, t.cols...), "doc") {
		set = append(set, c+" = $"+strconv.Itoa(i+3))
	}
	cols := "tenant_id, id, version, " + strings.Join(t.cols, ", ") + ", doc"
	// An existing ID or unique key inserts nothing (no error, so that a
	// caller's transaction is not aborted) and returns no row.
	p.sql.create = `INSERT INTO ` + tbl + ` (` + cols + `) VALUES (` + strings.Join(ph, ", ") + `) ON CONFLICT DO NOTHING RETURNING 1`
	p.sql.get = `SELECT version, doc FROM ` + tbl + ` WHERE tenant_id = $1 AND id = $2`
	p.sql.getForUpdate = p.sql.get + ` FOR UPDATE`
	p.sql.save = `UPDATE ` + tbl + ` SET ` + strings.Join(set, ", ") + ` WHERE tenant_id = $1 AND id = $2 AND version = $` + strconv.Itoa(n+5)
	p.sql.list = `SELECT version, doc FROM ` + tbl + ` WHERE tenant_id = $1 AND id > $2`
	return p
}

func (p *relPort[T, Q]) err(ctx context.Context, op string, err error) error {
	return (&customerStore{s: p.s}).writeErr(ctx, op, err)
}

// args returns the row of x at version for create (and, with the old
// version appended, for save).
func (p *relPort[T, Q]) args(x T, version int64) ([]any, error) {
	cols, doc, err := p.t.row(x, version)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(cols)+5)
	out = append(out, string(x.Tenant()), uuidArg(x.ID()), version)
	out = append(out, cols...)
	return append(out, doc), nil
}

// Create stores a new record; see customer.ReferralStore.
func (p *relPort[T, Q]) Create(ctx context.Context, x T) error {
	op := "postgres." + p.t.name + ".Create"
	var zero T
	if x == zero {
		return fmt.Errorf("postgres: create %s: %w", p.t.what, crm.Invalid(op, p.t.what, "must not be nil"))
	}
	if x.Version() != 0 {
		return fmt.Errorf("postgres: create %s %s: %w", p.t.what, x.ID(), crm.Invalid(op, "version", "must be 0 for a new "+p.t.what))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: create %s %s: %w", p.t.what, x.ID(), err)
	}
	args, err := p.args(x, 1)
	if err != nil {
		return fmt.Errorf("postgres: create %s %s: %w", p.t.what, x.ID(), err)
	}
	dup := false
	err = p.s.write(ctx, x.Tenant(), func(ctx context.Context, q querier) error {
		var one int
		err := q.QueryRow(ctx, p.sql.create, args...).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			dup = true
			return nil
		}
		return err
	})
	if err != nil {
		return p.err(ctx, "create "+p.t.what+" "+x.ID().String(), err)
	}
	if dup {
		return fmt.Errorf("postgres: create %s %s: the ID or the %s's unique key is taken: %w", p.t.what, x.ID(), p.t.what, crm.ErrDuplicate)
	}
	p.t.saved(x, 1)
	return nil
}

// Get returns the record; see customer.ReferralStore.
func (p *relPort[T, Q]) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (T, error) {
	return getDoc(ctx, p.s, tenant, id, p.t.what, p.sql.get, p.t.decode, p.err)
}

// Update locks the record's row, runs fn and stores the result at the next
// version; see customer.ReferralStore.
func (p *relPort[T, Q]) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(T) error) (T, error) {
	op := "postgres." + p.t.name + ".Update"
	var zero T
	if fn == nil {
		return zero, fmt.Errorf("postgres: update %s %s: %w", p.t.what, id, crm.Invalid(op, "fn", "must not be nil"))
	}
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("postgres: update %s %s: %w", p.t.what, id, err)
	}
	var version int64
	lock := func(tx pgx.Tx) (T, error) {
		var doc []byte
		err := tx.QueryRow(ctx, p.sql.getForUpdate, string(tenant), uuidArg(id)).Scan(&version, &doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return zero, notFound(p.t.what, id)
		}
		if err != nil {
			return zero, err
		}
		return p.t.decode(version, doc)
	}
	save := func(tx pgx.Tx, x T) error {
		args, err := p.args(x, version+1)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, p.sql.save, append(args, version)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: update %s %s: %w", p.t.what, id, crm.ErrConflict)
		}
		p.t.saved(x, version+1)
		return nil
	}
	out, fnErr, err := lockedUpdate(ctx, p.s, tenant, lock, fn, save)
	switch {
	case fnErr != nil:
		return zero, fnErr
	case err != nil:
		return zero, p.err(ctx, "update "+p.t.what+" "+id.String(), err)
	}
	return out, nil
}

// List returns a page of the records matching q, ascending by ID: the SQL
// narrows by the indexed columns, Matches decides.
func (p *relPort[T, Q]) List(ctx context.Context, tenant crm.TenantID, q Q, page crm.PageRequest) (crm.Page[T], error) {
	op := "postgres." + p.t.name + ".List"
	out := crm.Page[T]{Items: []T{}}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", p.t.check(q))
	page, perr := page.Normalize()
	v.Merge("page", perr)
	afterID, cerr := parseIDCursor(op, p.t.tag, page.Cursor)
	v.Merge("", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("postgres: list %ss: %w", p.t.what, err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: list %ss: %w", p.t.what, err)
	}
	fetch := page.Limit + 1
	sql, args := p.listSQL(tenant, q, fetch)
	var found []T
	err := p.s.single(ctx, tenant, func(qr querier) error {
		found = found[:0]
		after := afterID
		for {
			args[1] = pgtype.UUID{Bytes: after, Valid: true}
			rows, err := qr.Query(ctx, sql, args...)
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
				x, err := p.t.decode(version, doc)
				if err != nil {
					rows.Close()
					return err
				}
				after = x.ID()
				if p.t.match(q, x) && len(found) < fetch {
					found = append(found, x)
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
		return out, p.err(ctx, "list "+p.t.what+"s", err)
	}
	if len(found) > page.Limit {
		found = found[:page.Limit]
		out.Next = idCursorString(p.t.tag, found[len(found)-1].ID())
	}
	out.Items = append(out.Items, found...)
	return out, nil
}

// listSQL returns the statement of a page of q and its arguments; $2, the
// ID the page starts after, is left for the caller to set.
func (p *relPort[T, Q]) listSQL(tenant crm.TenantID, q Q, fetch int) (string, []any) {
	args := []any{string(tenant), nil}
	arg := func(a any) string {
		args = append(args, a)
		return "$" + strconv.Itoa(len(args))
	}
	sql := p.sql.list
	for _, c := range p.t.where(q, arg) {
		sql += " AND " + c
	}
	return sql + " ORDER BY id LIMIT " + arg(fetch), args
}

// exactPtr keeps an optional amount exactly (nil for the zero Money).
func exactPtr(m crm.Money) *exactMoney {
	if m == (crm.Money{}) {
		return nil
	}
	e := exactOf(m)
	return &e
}

// optMoney rebuilds an optional amount.
func optMoney(e *exactMoney) (crm.Money, error) {
	if e == nil {
		return crm.Money{}, nil
	}
	return e.money()
}

// stepValues are the exact values of a history's steps.
func stepValues(h []customer.Step) []*exactMoney {
	out := make([]*exactMoney, len(h))
	for i, s := range h {
		out[i] = exactPtr(s.Value)
	}
	return out
}

// setStepValues puts the exact values back into the steps.
func setStepValues(h []customer.Step, vs []*exactMoney) error {
	if len(vs) != len(h) {
		return fmt.Errorf("%d step values for %d steps", len(vs), len(h))
	}
	for i := range h {
		m, err := optMoney(vs[i])
		if err != nil {
			return err
		}
		h[i].Value = m
	}
	return nil
}

// relDoc wraps the record R of a doc with its amounts kept exactly.
type relDoc[R any] struct {
	Record R             `json:"record"`
	Value  *exactMoney   `json:"value,omitempty"`
	Steps  []*exactMoney `json:"steps"`
}

// encodeDoc writes a record's doc.
func encodeDoc[R any](r R, value crm.Money, h []customer.Step) ([]byte, error) {
	return json.Marshal(relDoc[R]{Record: r, Value: exactPtr(value), Steps: stepValues(h)})
}

// decodeDoc reads a record's doc and rebuilds it with adopt.
func decodeDoc[R, T any](what string, version int64, b []byte, fix func(r *R, version int64, value crm.Money, vs []*exactMoney) error, adopt func(R) (T, error)) (T, error) {
	var zero T
	var d relDoc[R]
	if err := json.Unmarshal(b, &d); err != nil {
		return zero, &corruptError{what: what, problems: []string{err.Error()}}
	}
	value, err := optMoney(d.Value)
	if err == nil {
		err = fix(&d.Record, version, value, d.Steps)
	}
	if err != nil {
		return zero, &corruptError{what: what, problems: []string{err.Error()}}
	}
	x, err := adopt(d.Record)
	if err != nil {
		return zero, &corruptError{what: what, problems: []string{err.Error()}}
	}
	return x, nil
}

// at returns t at the microseconds PostgreSQL keeps, for a column.
func at(t time.Time) time.Time {
	m, _ := microsOf(t)
	return m
}

// period appends the conditions of a [from, to) filter on col: a superset
// of the exact test at microseconds, which Matches then makes exact.
func period(conds []string, col string, from, to time.Time, arg func(any) string) []string {
	if !from.IsZero() {
		conds = append(conds, col+" >= "+arg(at(from)))
	}
	if !to.IsZero() {
		conds = append(conds, col+" <= "+arg(at(to)))
	}
	return conds
}

// names returns the String forms of enum values, for "= ANY".
func names[E fmt.Stringer](xs []E) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.String()
	}
	return out
}

// referralTable is the fixture of the referrals table.
var referralTable = &relTable[*customer.Referral, customer.ReferralQuery]{
	what: "referral", name: "Referrals", table: "referrals", tag: curReferrals,
	cols: []string{"referrer_id", "target_kind", "target_id", "outcome", "referred_at"},
	row: func(r *customer.Referral, version int64) ([]any, []byte, error) {
		rec := r.Record()
		rec.Version = version
		doc, err := encodeDoc(rec, rec.Value, rec.History)
		kind, target := r.Target()
		return []any{uuidArg(r.Referrer()), kind.String(), uuidArg(target), r.Outcome().String(), at(r.ReferredAt())}, doc, err
	},
	decode: func(version int64, b []byte) (*customer.Referral, error) {
		return decodeDoc("referral", version, b, func(r *customer.ReferralRecord, version int64, value crm.Money, vs []*exactMoney) error {
			r.Version, r.Value = version, value
			return setStepValues(r.History, vs)
		}, referralHooks.Adopt)
	},
	where: func(q customer.ReferralQuery, arg func(any) string) []string {
		var conds []string
		if !q.Referrer.IsZero() {
			conds = append(conds, "referrer_id = "+arg(uuidArg(q.Referrer)))
		}
		if !q.Target.IsZero() {
			conds = append(conds, "target_id = "+arg(uuidArg(q.Target)))
		}
		if q.TargetKind != 0 {
			conds = append(conds, "target_kind = "+arg(q.TargetKind.String()))
		}
		if len(q.Outcomes) > 0 {
			conds = append(conds, "outcome = ANY ("+arg(names(q.Outcomes))+"::text[])")
		}
		return period(conds, "referred_at", q.ReferredFrom, q.ReferredTo, arg)
	},
	match: customer.ReferralQuery.Matches,
	check: customer.ReferralQuery.Validate,
	saved: referralHooks.Saved,
}

// referralStore implements customer.ReferralStore.
type referralStore struct {
	relPort[*customer.Referral, customer.ReferralQuery]
}

var _ customer.ReferralStore = (*referralStore)(nil)

// relationStores are a Store's relation ports, raw and guarded.
type relationStores struct {
	refs  *referralStore
	sugs  *suggestionStore
	mems  *membershipStore
	gRefs customer.ReferralStore
	gSugs customer.SuggestionStore
	gMems customer.MembershipStore
}

// init wires the relation ports of s.
func (r *relationStores) init(s *Store) {
	r.refs = &referralStore{newRelPort(s, referralTable)}
	r.sugs = &suggestionStore{newRelPort(s, suggestionTable)}
	r.mems = &membershipStore{newRelPort(s, membershipTable)}
	r.gRefs = customer.GuardReferrals(r.refs)
	r.gSugs = customer.GuardSuggestions(r.sugs)
	r.gMems = customer.GuardMemberships(r.mems)
}

// Referrals returns the referral store (migration 0008), behind
// customer.GuardReferrals.
func (s *Store) Referrals() customer.ReferralStore { return s.rel.gRefs }

// Suggestions returns the suggestion store (migration 0008), behind
// customer.GuardSuggestions.
func (s *Store) Suggestions() customer.SuggestionStore { return s.rel.gSugs }

// Memberships returns the membership store (migration 0008), behind
// customer.GuardMemberships.
func (s *Store) Memberships() customer.MembershipStore { return s.rel.gMems }
