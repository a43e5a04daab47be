package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/opportunity"
)

// opportunityStore implements opportunity.Store on a Store's tables. It is
// reached through opportunity.Guard, which checks every argument and every
// opportunity on its way in.
type opportunityStore struct {
	s                               *Store
	get, getForUpdate, create, save string
	saveAlone, history, exists      string
}

var _ opportunity.Store = (*opportunityStore)(nil)

// curOpportunities and curStageChanges tag the cursors of opportunity
// lists and histories.
const (
	curOpportunities = 'O'
	curStageChanges  = 'H'
)

// oppCols are the columns an opportunity is written to, in the order of
// oppArgs.
const oppCols = `tenant_id, id, version, customer_id, owner_id, team, pipeline, stage, status, forecast_category,
 close_date, stage_since, seq, doc`

// oppHistoryInsert appends stage changes from parallel arrays: the tenant is
// $1, the opportunity $2, the arrays $15 onwards.
const oppHistoryInsert = `INSERT INTO {s}.opportunity_history (tenant_id, opportunity_id, seq, team, pipeline, from_stage, to_stage,
 at, actor, reason, in_stage_ns, in_business_ns, probability)
 SELECT $1, $2, h.* FROM unnest($15::bigint[], $16::text[], $17::text[], $18::text[], $19::text[], $20::timestamptz[],
 $21::text[], $22::text[], $23::bigint[], $24::bigint[], $25::float8[])
 AS h(seq, team, pipeline, from_stage, to_stage, at, actor, reason, in_stage_ns, in_business_ns, probability)
 WHERE EXISTS (SELECT 1 FROM o)`

func newOpportunityStore(s *Store) *opportunityStore {
	q := func(x string) string { return strings.ReplaceAll(x, "{s}.", quoteIdent(s.schema)+".") }
	return &opportunityStore{
		s:            s,
		get:          q(`SELECT doc FROM {s}.opportunities WHERE tenant_id = $1 AND id = $2`),
		getForUpdate: q(`SELECT doc FROM {s}.opportunities WHERE tenant_id = $1 AND id = $2 FOR UPDATE`),
		// The opportunity and its history in one statement; an existing ID
		// inserts nothing (no error, so a caller's transaction is not
		// aborted) and returns 0.
		create: q(`WITH o AS (
 INSERT INTO {s}.opportunities (` + oppCols + `)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::date, $12, $13, $14)
 ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id
), h AS (` + oppHistoryInsert + `)
SELECT count(*) FROM o`),
		// Compare-and-swap on the version ($26 is the stored one), with the
		// history in the same statement.
		save: q(`WITH o AS (
 UPDATE {s}.opportunities SET version = $3, customer_id = $4, owner_id = $5, team = $6, pipeline = $7, stage = $8,
 status = $9, forecast_category = $10, close_date = $11::text::date, stage_since = $12, seq = $13, doc = $14
 WHERE tenant_id = $1 AND id = $2 AND version = $26 RETURNING id
), h AS (` + oppHistoryInsert + `)
SELECT count(*) FROM o`),
		// The same without stage changes to append: one plain UPDATE.
		saveAlone: q(`UPDATE {s}.opportunities SET version = $3, customer_id = $4, owner_id = $5, team = $6, pipeline = $7,
 stage = $8, status = $9, forecast_category = $10, close_date = $11::text::date, stage_since = $12, seq = $13, doc = $14
 WHERE tenant_id = $1 AND id = $2 AND version = $15`),
		history: q(`SELECT seq, team, pipeline, from_stage, to_stage, at, actor, reason, in_stage_ns, in_business_ns, probability
 FROM {s}.opportunity_history WHERE tenant_id = $1 AND opportunity_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`),
		exists: q(`SELECT EXISTS (SELECT 1 FROM {s}.opportunities WHERE tenant_id = $1 AND id = $2)`),
	}
}

// oppArgs returns the arguments $1..$25 of create and save: the
// opportunity's columns at version ($1..$14), then its pending stage
// changes. pending says whether there are any.
func oppArgs(o *opportunity.Opportunity, version int64) (args []any, pending bool, err error) {
	r := o.Record()
	r.Version = version
	doc, err := encodeOpportunity(r)
	if err != nil {
		return nil, false, err
	}
	var closeDate any
	if r.CloseDate != (calendar.Date{}) {
		closeDate = r.CloseDate.String()
	}
	args = []any{string(r.Tenant), uuidArg(r.ID), version, uuidArg(r.Customer), string(r.Owner), r.Team, r.Pipeline,
		r.Stage, r.Status.String(), o.ForecastCategory().String(), closeDate, r.StageSince, r.Seq, doc}
	changes := opportunityHooks.Pending(o)
	var (
		seq, inStage, inBusiness []int64
		team, pipe, from, to     []string
		at                       []time.Time
		actor, reason            []string
		prob                     []float64
	)
	for _, c := range changes {
		seq, team, pipe = append(seq, c.Seq), append(team, c.Team), append(pipe, c.Pipeline)
		from, to, at = append(from, c.From), append(to, c.To), append(at, c.At)
		actor, reason = append(actor, string(c.Actor)), append(reason, c.Reason)
		inStage, inBusiness = append(inStage, int64(c.InStage)), append(inBusiness, int64(c.InStageBusiness))
		prob = append(prob, c.Probability)
	}
	return append(args, seq, team, pipe, from, to, at, actor, reason, inStage, inBusiness, prob), len(changes) > 0, nil
}

// Create stores a new opportunity and its history in one statement; see
// opportunity.Store.
func (os *opportunityStore) Create(ctx context.Context, o *opportunity.Opportunity) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: create opportunity %s: %w", o.ID(), err)
	}
	args, _, err := oppArgs(o, 1)
	if err != nil {
		return fmt.Errorf("postgres: create opportunity %s: %w", o.ID(), err)
	}
	var n int64
	err = os.s.write(ctx, o.Tenant(), func(ctx context.Context, q querier) error {
		return q.QueryRow(ctx, os.create, args...).Scan(&n)
	})
	if err != nil {
		return os.err(ctx, "create opportunity "+o.ID().String(), err)
	}
	if n == 0 {
		return fmt.Errorf("postgres: create opportunity %s: %w", o.ID(), crm.ErrDuplicate)
	}
	opportunityHooks.Saved(o, 1)
	return nil
}

func (os *opportunityStore) err(ctx context.Context, op string, err error) error {
	return (&customerStore{s: os.s}).writeErr(ctx, op, err)
}

// Get returns the opportunity; see opportunity.Store.
func (os *opportunityStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*opportunity.Opportunity, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: get opportunity %s: %w", id, err)
	}
	var o *opportunity.Opportunity
	err := os.s.single(ctx, tenant, func(q querier) error {
		var doc []byte
		if err := q.QueryRow(ctx, os.get, string(tenant), uuidArg(id)).Scan(&doc); err != nil {
			return err
		}
		var err error
		o, err = decodeOpportunity(doc)
		return err
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, notFound("opportunity", id)
	case err != nil:
		return nil, os.err(ctx, "get opportunity "+id.String(), err)
	}
	return o, nil
}

// Update locks the opportunity's row (SELECT … FOR UPDATE), runs fn on the
// latest state and stores the result at the next version with its pending
// stage changes (a plain UPDATE when there are none), on the lockedUpdate
// frame; see opportunity.Store.
func (os *opportunityStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*opportunity.Opportunity) error) (*opportunity.Opportunity, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: update opportunity %s: %w", id, err)
	}
	var version int64
	lock := func(tx pgx.Tx) (*opportunity.Opportunity, error) {
		var doc []byte
		err := tx.QueryRow(ctx, os.getForUpdate, string(tenant), uuidArg(id)).Scan(&doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFound("opportunity", id)
		}
		if err != nil {
			return nil, err
		}
		o, err := decodeOpportunity(doc)
		if err != nil {
			return nil, err
		}
		version = o.Version()
		return o, nil
	}
	save := func(tx pgx.Tx, o *opportunity.Opportunity) error {
		args, pending, err := oppArgs(o, version+1)
		if err != nil {
			return err
		}
		var n int64
		if pending {
			if err := tx.QueryRow(ctx, os.save, append(args, version)...).Scan(&n); err != nil {
				return err
			}
		} else {
			tag, err := tx.Exec(ctx, os.saveAlone, append(args[:14:14], version)...)
			if err != nil {
				return err
			}
			n = tag.RowsAffected()
		}
		if n != 1 { // unreachable while the row lock is held
			return fmt.Errorf("postgres: update opportunity %s: %w", id, crm.ErrConflict)
		}
		opportunityHooks.Saved(o, version+1)
		return nil
	}
	out, fnErr, err := lockedUpdate(ctx, os.s, tenant, lock, fn, save)
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		return nil, os.err(ctx, "update opportunity "+id.String(), err)
	}
	return out, nil
}

// List returns a page of the opportunities matching q in ascending ID
// order; see opportunity.Store. Every filter of q is a condition of the
// statement, served by an index; q.Matches runs on the rows as a safety
// net, fetching further rows until the page is full.
func (os *opportunityStore) List(ctx context.Context, tenant crm.TenantID, q opportunity.Query, page crm.PageRequest) (crm.Page[*opportunity.Opportunity], error) {
	const op = "postgres.Opportunities.List"
	out := crm.Page[*opportunity.Opportunity]{Items: []*opportunity.Opportunity{}}
	afterID, err := parseIDCursor(op, curOpportunities, page.Cursor)
	if err != nil {
		return out, fmt.Errorf("postgres: list opportunities: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: list opportunities: %w", err)
	}
	fetch := page.Limit + 1
	first, next, args, none := opportunityListSQL(os.s.schema, tenant, q, fetch)
	if none {
		return out, nil
	}
	found := make([]*opportunity.Opportunity, 0, min(fetch, 64))
	err = os.s.single(ctx, tenant, func(qr querier) error {
		found = found[:0]
		return pageRows(ctx, qr, first, next, args, afterID, fetch, func(d *docScan) (crm.ID, error) {
			o, err := decodeOpportunity(d.doc)
			if err != nil {
				return crm.ID{}, err
			}
			if q.Matches(o) && len(found) < fetch {
				found = append(found, o)
			}
			return o.ID(), nil
		}, func() bool { return len(found) >= fetch })
	})
	if err != nil {
		return out, os.err(ctx, "list opportunities", err)
	}
	if len(found) > page.Limit {
		found = found[:page.Limit]
		out.Next = idCursorString(curOpportunities, found[len(found)-1].ID())
	}
	out.Items = found
	return out, nil
}

// docScan is the scan destination of a row of doc alone.
type docScan struct{ doc []byte }

func (d *docScan) dest() []any { return []any{&d.doc} }

// opportunityListSQL returns the statements listing opportunities matching
// q (valid), fetch rows at a time: first for the first page, next (taking
// the last ID seen as one more argument) for the following ones. none is
// true when q can match no stored opportunity.
func opportunityListSQL(schema string, tenant crm.TenantID, q opportunity.Query, fetch int) (first, next string, args []any, none bool) {
	args = []any{string(tenant)}
	where := []string{"tenant_id = $1"}
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	names := func(xs []string) []string {
		out := xs[:0:0]
		for _, x := range xs {
			if storable(x) {
				out = append(out, x)
			}
		}
		return out
	}
	if !q.Customer.IsZero() {
		add("customer_id = $?", uuidArg(q.Customer))
	}
	if len(q.Owners) > 0 {
		owners := make([]string, len(q.Owners))
		for i, o := range q.Owners {
			owners[i] = string(o)
		}
		if owners = names(owners); len(owners) == 0 {
			return "", "", nil, true
		}
		add("owner_id = ANY($?::text[])", owners)
	}
	if q.Team != "" {
		add("team = $?", q.Team)
	}
	if q.Pipeline != "" {
		add("pipeline = $?", q.Pipeline)
	}
	if len(q.Stages) > 0 {
		stages := names(q.Stages)
		if len(stages) == 0 {
			return "", "", nil, true
		}
		add("stage = ANY($?::text[])", stages)
	}
	if len(q.Statuses) > 0 {
		ss := make([]string, len(q.Statuses))
		for i, s := range q.Statuses {
			ss[i] = s.String()
		}
		add("status = ANY($?::text[])", ss)
	}
	if len(q.Categories) > 0 {
		cs := make([]string, len(q.Categories))
		for i, c := range q.Categories {
			cs[i] = c.String()
		}
		add("forecast_category = ANY($?::text[])", cs)
	}
	if q.CloseFrom != (calendar.Date{}) {
		add("close_date >= $?::text::date", q.CloseFrom.String())
	}
	if q.CloseTo != (calendar.Date{}) {
		add("close_date <= $?::text::date", q.CloseTo.String())
	}
	if !q.StageBefore.IsZero() {
		add("stage_since < $?", q.StageBefore)
	}
	base := `SELECT doc FROM ` + quoteIdent(schema) + `.opportunities WHERE ` + strings.Join(where, " AND ")
	order := ` ORDER BY id LIMIT ` + strconv.Itoa(fetch)
	return base + order, base + ` AND id > $` + strconv.Itoa(len(args)+1) + order, args, false
}

// History returns a page of the opportunity's stage changes by ascending
// Seq; see opportunity.Store.
func (os *opportunityStore) History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[opportunity.StageChange], error) {
	const op = "postgres.Opportunities.History"
	out := crm.Page[opportunity.StageChange]{Items: []opportunity.StageChange{}}
	after, err := parseTaggedSeq(op, curStageChanges, page.Cursor)
	if err != nil {
		return out, fmt.Errorf("postgres: history of opportunity %s: %w", id, err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: history of opportunity %s: %w", id, err)
	}
	var items []opportunity.StageChange
	err = os.s.single(ctx, tenant, func(q querier) error {
		items = items[:0]
		rows, err := q.Query(ctx, os.history, string(tenant), uuidArg(id), after, page.Limit+1)
		if err != nil {
			return err
		}
		for rows.Next() {
			c := opportunity.StageChange{Opportunity: id}
			var actor string
			var in, business int64
			if err := rows.Scan(&c.Seq, &c.Team, &c.Pipeline, &c.From, &c.To, &c.At, &actor, &c.Reason, &in, &business, &c.Probability); err != nil {
				rows.Close()
				return err
			}
			c.At, c.Actor, c.InStage, c.InStageBusiness = c.At.UTC(), crm.UserID(actor), durationNS(in), durationNS(business)
			items = append(items, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(items) == 0 {
			var ok bool
			if err := q.QueryRow(ctx, os.exists, string(tenant), uuidArg(id)).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return notFound("opportunity", id)
			}
		}
		return nil
	})
	if err != nil {
		return out, os.err(ctx, "history of opportunity "+id.String(), err)
	}
	if len(items) > page.Limit {
		items = items[:page.Limit]
		out.Next = taggedSeqString(curStageChanges, items[len(items)-1].Seq)
	}
	if len(items) > 0 {
		out.Items = items
	}
	return out, nil
}
