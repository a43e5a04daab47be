package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// checkPage validates a tenant, a record ID and a page request, and decodes
// the page's cursor.
func checkPage(op string, tenant crm.TenantID, id crm.ID, idPath string, page crm.PageRequest, l listTag) (crm.PageRequest, cursor, bool, error) {
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(!id.IsZero(), idPath, "must not be zero")
	page, perr := page.Normalize()
	v.Merge("page", perr)
	cur, after, cerr := parseCursor(op, l, page.Cursor)
	v.Merge("", cerr)
	return page, cur, after, v.Err(op)
}

// History returns a page of the customer's history in CompareHistory
// order; see customer.Store. A missing customer returns crm.ErrNotFound.
func (cs *customerStore) History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[customer.HistoryEntry], error) {
	const op = "postgres.Customers.History"
	out := crm.Page[customer.HistoryEntry]{Items: []customer.HistoryEntry{}}
	page, cur, after, err := checkPage(op, tenant, id, "id", page, listHistory)
	if err != nil {
		return out, fmt.Errorf("postgres: history: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: history of %s: %w", id, err)
	}
	s := cs.s
	var items []customer.HistoryEntry
	err = s.single(ctx, tenant, func(q querier) error {
		items = items[:0]
		var rows pgx.Rows
		var err error
		if after {
			rows, err = q.Query(ctx, s.sql.historyAfter, string(tenant), uuidArg(id), page.Limit+1, cur.at, uuidArg(cur.id), cur.seq)
		} else {
			rows, err = q.Query(ctx, s.sql.history, string(tenant), uuidArg(id), page.Limit+1)
		}
		if err != nil {
			return err
		}
		var (
			cust, origin     pgtype.UUID
			kind             string
			e                customer.HistoryEntry
			actor            string
			from, to, reason string
		)
		for rows.Next() {
			if err := rows.Scan(&cust, &origin, &e.Seq, &kind, &from, &to, &e.At, &actor, &reason); err != nil {
				rows.Close()
				return err
			}
			k, err := customer.ParseHistoryKind(kind)
			if err != nil {
				rows.Close()
				return &corruptError{what: "history entry of " + id.String(), problems: []string{err.Error()}}
			}
			items = append(items, customer.HistoryEntry{
				CustomerID: cust.Bytes, OriginID: origin.Bytes, Seq: e.Seq, Kind: k,
				From: from, To: to, At: e.At.UTC(), Actor: crm.UserID(actor), Reason: reason,
			})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(items) == 0 {
			ok, err := cs.exists(ctx, q, tenant, id)
			if err == nil && !ok {
				return notFound("customer", id)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return out, cs.writeErr(ctx, "history of "+id.String(), err)
	}
	if len(items) > page.Limit {
		items = items[:page.Limit]
		last := items[len(items)-1]
		out.Next = cursor{list: listHistory, at: last.At, id: last.OriginID, seq: last.Seq}.String()
	}
	if len(items) > 0 {
		out.Items = items
	}
	return out, nil
}

// checkInteractionText refuses text PostgreSQL cannot store and times
// outside the stored range.
func checkInteractionText(op string, in customer.Interaction) error {
	var v crm.Validator
	tc := textChecker{&v}
	tc.check("summary", in.Summary)
	tc.check("outcome", in.Outcome)
	tc.check("next_step", in.NextStep)
	tc.check("actor", string(in.Actor))
	tc.time("at", in.At)
	tc.time("next_step_due", in.NextStepDue)
	return v.Err(op)
}

// AddInteraction stores an interaction of an existing customer; see
// customer.Store.
func (cs *customerStore) AddInteraction(ctx context.Context, in customer.Interaction) error {
	const op = "postgres.Customers.AddInteraction"
	if err := in.Validate(); err != nil {
		return fmt.Errorf("postgres: add interaction: %w", err)
	}
	if err := checkInteractionText(op, in); err != nil {
		return fmt.Errorf("postgres: add interaction: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: add interaction %s: %w", in.ID, err)
	}
	s := cs.s
	var customerOK, dup bool
	err := s.write(ctx, in.Tenant, func(ctx context.Context, q querier) error {
		var n int64
		err := q.QueryRow(ctx, s.sql.addInteraction, string(in.Tenant), uuidArg(in.ID), uuidArg(in.CustomerID),
			in.Channel.String(), in.Direction.String(), string(in.Actor), in.At, in.Summary, in.Outcome,
			in.NextStep, timeArg(in.NextStepDue)).Scan(&n)
		if err != nil || n == 1 {
			customerOK = true
			return err
		}
		return q.QueryRow(ctx, s.sql.interactionState, string(in.Tenant), uuidArg(in.CustomerID), uuidArg(in.ID)).Scan(&customerOK, &dup)
	})
	switch {
	case err != nil:
		return s.mapErr(ctx, "add interaction "+in.ID.String(), err)
	case !customerOK:
		return notFound("customer", in.CustomerID)
	case dup:
		return fmt.Errorf("postgres: add interaction %s: %w", in.ID, crm.ErrDuplicate)
	}
	return nil
}

// Interactions returns a page of the customer's interactions newest first;
// see customer.Store. A missing customer returns crm.ErrNotFound.
func (cs *customerStore) Interactions(ctx context.Context, tenant crm.TenantID, customerID crm.ID, page crm.PageRequest) (crm.Page[customer.Interaction], error) {
	const op = "postgres.Customers.Interactions"
	out := crm.Page[customer.Interaction]{Items: []customer.Interaction{}}
	page, cur, after, err := checkPage(op, tenant, customerID, "customer_id", page, listInteractions)
	if err != nil {
		return out, fmt.Errorf("postgres: interactions: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: interactions of %s: %w", customerID, err)
	}
	s := cs.s
	var items []customer.Interaction
	err = s.single(ctx, tenant, func(q querier) error {
		items = items[:0]
		var rows pgx.Rows
		var err error
		if after {
			rows, err = q.Query(ctx, s.sql.interactionsAfter, string(tenant), uuidArg(customerID), page.Limit+1, cur.at, uuidArg(cur.id))
		} else {
			rows, err = q.Query(ctx, s.sql.interactions, string(tenant), uuidArg(customerID), page.Limit+1)
		}
		if err != nil {
			return err
		}
		for rows.Next() {
			in, err := scanInteraction(rows)
			if err != nil {
				rows.Close()
				return err
			}
			items = append(items, in)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(items) == 0 {
			ok, err := cs.exists(ctx, q, tenant, customerID)
			if err == nil && !ok {
				return notFound("customer", customerID)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return out, cs.writeErr(ctx, "interactions of "+customerID.String(), err)
	}
	if len(items) > page.Limit {
		items = items[:page.Limit]
		last := items[len(items)-1]
		out.Next = cursor{list: listInteractions, at: last.At, id: last.ID}.String()
	}
	if len(items) > 0 {
		out.Items = items
	}
	return out, nil
}

func scanInteraction(row pgx.Row) (customer.Interaction, error) {
	var (
		in                          customer.Interaction
		tenant, channel, dir, actor string
		id, cust                    pgtype.UUID
		due                         pgtype.Timestamptz
	)
	if err := row.Scan(&tenant, &id, &cust, &channel, &dir, &actor, &in.At, &in.Summary, &in.Outcome, &in.NextStep, &due); err != nil {
		return in, err
	}
	in.Tenant, in.ID, in.CustomerID, in.Actor = crm.TenantID(tenant), id.Bytes, cust.Bytes, crm.UserID(actor)
	in.At, in.NextStepDue = in.At.UTC(), timeOf(due)
	var problems []string
	var err error
	if in.Channel, err = customer.ParseChannel(channel); err != nil {
		problems = append(problems, err.Error())
	}
	if in.Direction, err = customer.ParseDirection(dir); err != nil {
		problems = append(problems, err.Error())
	}
	if problems != nil {
		return in, &corruptError{what: "interaction " + in.ID.String(), problems: problems}
	}
	return in, nil
}

// checkVisitText refuses text PostgreSQL cannot store and times outside
// the stored range.
func checkVisitText(op string, vi customer.Visit) error {
	var v crm.Validator
	tc := textChecker{&v}
	tc.check("salesperson", string(vi.Salesperson))
	tc.check("purpose", vi.Purpose)
	tc.check("outcome", vi.Outcome)
	tc.time("planned_at", vi.PlannedAt)
	tc.time("done_at", vi.DoneAt)
	return v.Err(op)
}

func visitArgs(vi customer.Visit) []any {
	return []any{
		string(vi.Tenant), uuidArg(vi.ID), uuidArg(vi.CustomerID), string(vi.Salesperson), vi.Kind.String(),
		vi.Purpose, vi.Method.String(), vi.PlannedAt, int64(vi.Duration), vi.Status.String(), vi.Outcome,
		timeArg(vi.DoneAt),
	}
}

// CreateVisit stores a planned visit of an existing customer at version 1;
// see customer.Store.
func (cs *customerStore) CreateVisit(ctx context.Context, vi customer.Visit) error {
	const op = "postgres.Customers.CreateVisit"
	if err := vi.Validate(); err != nil {
		return fmt.Errorf("postgres: create visit: %w", err)
	}
	if err := checkVisitText(op, vi); err != nil {
		return fmt.Errorf("postgres: create visit: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: create visit %s: %w", vi.ID, err)
	}
	s := cs.s
	var customerOK, dup bool
	err := s.write(ctx, vi.Tenant, func(ctx context.Context, q querier) error {
		tag, err := q.Exec(ctx, s.sql.createVisit, visitArgs(vi)...)
		if err != nil || tag.RowsAffected() == 1 {
			customerOK = true
			return err
		}
		return q.QueryRow(ctx, s.sql.visitState, string(vi.Tenant), uuidArg(vi.CustomerID), uuidArg(vi.ID)).Scan(&customerOK, &dup)
	})
	switch {
	case err != nil:
		return s.mapErr(ctx, "create visit "+vi.ID.String(), err)
	case !customerOK:
		return notFound("customer", vi.CustomerID)
	case dup:
		return fmt.Errorf("postgres: create visit %s: %w", vi.ID, crm.ErrDuplicate)
	}
	return nil
}

// GetVisit returns a visit; see customer.Store.
func (cs *customerStore) GetVisit(ctx context.Context, tenant crm.TenantID, id crm.ID) (customer.Visit, error) {
	if err := ctx.Err(); err != nil {
		return customer.Visit{}, fmt.Errorf("postgres: get visit %s: %w", id, err)
	}
	s := cs.s
	var vi customer.Visit
	err := s.single(ctx, tenant, func(q querier) error {
		var err error
		vi, err = scanVisit(q.QueryRow(ctx, s.sql.getVisit, string(tenant), uuidArg(id)))
		return err
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return customer.Visit{}, notFound("visit", id)
	case err != nil:
		return customer.Visit{}, cs.readErr(ctx, "get visit "+id.String(), err)
	}
	return vi, nil
}

func scanVisit(row pgx.Row) (customer.Visit, error) {
	var (
		vi                                  customer.Visit
		tenant, sales, kind, method, status string
		id, cust                            pgtype.UUID
		durNS                               int64
		done                                pgtype.Timestamptz
	)
	if err := row.Scan(&tenant, &id, &cust, &sales, &kind, &vi.Purpose, &method, &vi.PlannedAt, &durNS, &status, &vi.Outcome, &done, &vi.Version); err != nil {
		return vi, err
	}
	vi.Tenant, vi.ID, vi.CustomerID, vi.Salesperson = crm.TenantID(tenant), id.Bytes, cust.Bytes, crm.UserID(sales)
	vi.PlannedAt, vi.Duration, vi.DoneAt = vi.PlannedAt.UTC(), time.Duration(durNS), timeOf(done)
	var problems []string
	var err error
	if vi.Kind, err = customer.ParseVisitKind(kind); err != nil {
		problems = append(problems, err.Error())
	}
	if vi.Method, err = customer.ParseChannel(method); err != nil {
		problems = append(problems, err.Error())
	}
	if vi.Status, err = customer.ParseVisitStatus(status); err != nil {
		problems = append(problems, err.Error())
	}
	if problems != nil {
		return vi, &corruptError{what: "visit " + vi.ID.String(), problems: problems}
	}
	return vi, nil
}

// UpdateVisit locks the visit's row, runs fn on its latest state and
// stores the result at the next version; see customer.Store. fn must not
// change the visit's ID, tenant or customer (MoveRelated moves visits).
func (cs *customerStore) UpdateVisit(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*customer.Visit) error) (customer.Visit, error) {
	const op = "postgres.Customers.UpdateVisit"
	if fn == nil {
		return customer.Visit{}, fmt.Errorf("postgres: update visit %s: %w", id, crm.Invalid(op, "fn", "must not be nil"))
	}
	if err := ctx.Err(); err != nil {
		return customer.Visit{}, fmt.Errorf("postgres: update visit %s: %w", id, err)
	}
	s := cs.s
	var (
		out   customer.Visit
		fnErr error
	)
	err := s.atomic(ctx, tenant, func(tx pgx.Tx) error {
		fnErr = nil
		vi, err := scanVisit(tx.QueryRow(ctx, s.sql.getVisitForUpdate, string(tenant), uuidArg(id)))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("visit", id)
		}
		if err != nil {
			return err
		}
		before := vi
		if err := fn(&vi); err != nil {
			fnErr = err
			return err
		}
		vi.Version = before.Version + 1
		if err := checkVisitText(op, vi); err != nil {
			return err
		}
		args := append(visitArgs(vi), vi.Version)
		if _, err := tx.Exec(ctx, s.sql.updateVisit, args...); err != nil {
			return err
		}
		out = vi
		return nil
	})
	switch {
	case fnErr != nil:
		return customer.Visit{}, fnErr
	case err != nil:
		return customer.Visit{}, cs.writeErr(ctx, "update visit "+id.String(), err)
	}
	return out, nil
}

// ListVisits returns visits matching q ordered by PlannedAt, then ID; see
// customer.Store.
func (cs *customerStore) ListVisits(ctx context.Context, tenant crm.TenantID, q customer.VisitQuery, page crm.PageRequest) (crm.Page[customer.Visit], error) {
	const op = "postgres.Customers.ListVisits"
	out := crm.Page[customer.Visit]{Items: []customer.Visit{}}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", q.Validate())
	tc := textChecker{&v}
	tc.time("query.from", q.From)
	tc.time("query.to", q.To)
	page, perr := page.Normalize()
	v.Merge("page", perr)
	cur, after, cerr := parseCursor(op, listVisits, page.Cursor)
	v.Merge("", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("postgres: list visits: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: list visits: %w", err)
	}
	if q.Salesperson != "" && !storable(string(q.Salesperson)) {
		return out, nil
	}
	args := []any{string(tenant)}
	where := []string{"tenant_id = $1"}
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if q.Salesperson != "" {
		add("salesperson = $?", string(q.Salesperson))
	}
	if !q.CustomerID.IsZero() {
		add("customer_id = $?", uuidArg(q.CustomerID))
	}
	if q.Status != 0 {
		add("status = $?", q.Status.String())
	}
	if !q.From.IsZero() {
		add("planned_at >= $?", q.From)
	}
	if !q.To.IsZero() {
		add("planned_at < $?", q.To)
	}
	if after {
		args = append(args, cur.at, uuidArg(cur.id))
		where = append(where, fmt.Sprintf("(planned_at, id) > ($%d, $%d)", len(args)-1, len(args)))
	}
	s := cs.s
	sqlText := `SELECT ` + visitCols + ` FROM ` + quoteIdent(s.schema) + `.visits WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY planned_at, id LIMIT ` + strconv.Itoa(page.Limit+1)
	var items []customer.Visit
	err := s.single(ctx, tenant, func(qr querier) error {
		items = items[:0]
		rows, err := qr.Query(ctx, sqlText, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			vi, err := scanVisit(rows)
			if err != nil {
				return err
			}
			items = append(items, vi)
		}
		return rows.Err()
	})
	if err != nil {
		return out, cs.readErr(ctx, "list visits", err)
	}
	if len(items) > page.Limit {
		items = items[:page.Limit]
		last := items[len(items)-1]
		out.Next = cursor{list: listVisits, at: last.PlannedAt, id: last.ID}.String()
	}
	if len(items) > 0 {
		out.Items = items
	}
	return out, nil
}

// MoveRelated re-points the interactions, history entries and visits of
// customer from to customer to, in one statement; see customer.Store.
// Moved visits get a new version. from and to must differ.
func (cs *customerStore) MoveRelated(ctx context.Context, tenant crm.TenantID, from, to crm.ID) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: move related %s to %s: %w", from, to, err)
	}
	s := cs.s
	var (
		ok      bool
		i, h, n int64
		fromOK  bool
	)
	err := s.write(ctx, tenant, func(ctx context.Context, q querier) error {
		if err := q.QueryRow(ctx, s.sql.moveRelated, string(tenant), uuidArg(from), uuidArg(to)).Scan(&ok, &i, &h, &n); err != nil || ok {
			return err
		}
		var err error
		fromOK, err = cs.exists(ctx, q, tenant, from)
		return err
	})
	switch {
	case err != nil:
		return s.mapErr(ctx, "move related "+from.String()+" to "+to.String(), err)
	case ok:
		return nil
	case !fromOK:
		return notFound("customer", from)
	}
	return notFound("customer", to)
}

// EraseInteractions blanks the summary, outcome and next step of the
// customer's interactions; see customer.Store. It returns how many had text
// to blank. A missing customer returns crm.ErrNotFound.
func (cs *customerStore) EraseInteractions(ctx context.Context, tenant crm.TenantID, customerID crm.ID) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("postgres: erase interactions of %s: %w", customerID, err)
	}
	s := cs.s
	var (
		n  int64
		ok bool
	)
	err := s.write(ctx, tenant, func(ctx context.Context, q querier) error {
		return q.QueryRow(ctx, s.sql.eraseInteractions, string(tenant), uuidArg(customerID)).Scan(&n, &ok)
	})
	switch {
	case err != nil:
		return 0, s.mapErr(ctx, "erase interactions of "+customerID.String(), err)
	case !ok:
		return 0, notFound("customer", customerID)
	}
	return int(n), nil
}
