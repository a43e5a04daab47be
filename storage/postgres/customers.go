package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// customerStore implements customer.Store (and CustomerImporter) on a
// Store's tables.
type customerStore struct{ s *Store }

var _ customer.Store = (*customerStore)(nil)

func notFound(what string, id crm.ID) error {
	return fmt.Errorf("postgres: %s %s: %w", what, id, crm.ErrNotFound)
}

// Create stores a new customer and its pending history in one statement;
// see customer.Store.
func (cs *customerStore) Create(ctx context.Context, c *customer.Customer) error {
	const op = "postgres.Customers.Create"
	if c == nil {
		return fmt.Errorf("postgres: create customer: %w", crm.Invalid(op, "customer", "must not be nil"))
	}
	if c.Version() != 0 {
		return fmt.Errorf("postgres: create customer %s: %w", c.ID(), crm.Invalid(op, "version", "must be 0 for a new customer"))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: create customer %s: %w", c.ID(), err)
	}
	vals, err := encodeCustomer(op, c)
	if err != nil {
		return fmt.Errorf("postgres: create customer %s: %w", c.ID(), err)
	}
	vals.args[2] = int64(1)
	s := cs.s
	stmt, args := vals.hist.createArgs(&s.sql, vals.args)
	var n int64
	err = s.write(ctx, c.Tenant(), func(ctx context.Context, q querier) error {
		return q.QueryRow(ctx, stmt, args...).Scan(&n)
	})
	if err != nil {
		return s.mapErr(ctx, "create customer "+c.ID().String(), err)
	}
	if n == 0 {
		return fmt.Errorf("postgres: create customer %s: %w", c.ID(), crm.ErrDuplicate)
	}
	customerHooks.Saved(c, 1)
	return nil
}

// Get returns the customer; see customer.Store.
func (cs *customerStore) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*customer.Customer, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: get customer %s: %w", id, err)
	}
	s := cs.s
	var c *customer.Customer
	err := s.single(ctx, tenant, func(q querier) error {
		var err error
		c, err = scanCustomer(q.QueryRow(ctx, s.sql.getCustomer, string(tenant), uuidArg(id)), s.cache)
		return err
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, notFound("customer", id)
	case err != nil:
		return nil, cs.readErr(ctx, "get customer "+id.String(), err)
	}
	return c, nil
}

// readErr maps a read error, keeping corrupt-row errors as they are.
func (cs *customerStore) readErr(ctx context.Context, op string, err error) error {
	var ce *corruptError
	if errors.As(err, &ce) {
		return err
	}
	return cs.s.mapErr(ctx, op, err)
}

// Update locks the customer's row (SELECT … FOR UPDATE), runs fn on the
// latest state and stores the result at the next version, in the
// transaction in ctx or in one of its own (retried, with fn run again,
// after a serialization failure or deadlock); see customer.Store.
func (cs *customerStore) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*customer.Customer) error) (*customer.Customer, error) {
	const op = "postgres.Customers.Update"
	if fn == nil {
		return nil, fmt.Errorf("postgres: update customer %s: %w", id, crm.Invalid(op, "fn", "must not be nil"))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: update customer %s: %w", id, err)
	}
	s := cs.s
	var (
		version int64
		before  customerValues
		berr    error
	)
	lock := func(tx pgx.Tx) (*customer.Customer, error) {
		c, err := scanCustomer(tx.QueryRow(ctx, s.sql.getForUpdate, string(tenant), uuidArg(id)), s.cache)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFound("customer", id)
		}
		if err != nil {
			return nil, err
		}
		version = c.Version()
		before, berr = encodeCustomer(op, c)
		return c, nil
	}
	save := func(tx pgx.Tx, c *customer.Customer) error {
		if c.ID() != id || c.Tenant() != tenant {
			return crm.Invalid(op, "id", "fn must not change the customer's ID or tenant")
		}
		vals, err := encodeCustomer(op, c)
		if err != nil {
			return err
		}
		var n int64
		if berr == nil {
			sqlText, args := s.updateChanged(before, vals, version)
			err = tx.QueryRow(ctx, sqlText, args...).Scan(&n)
		} else {
			vals.args[2] = version + 1
			args := append(vals.args, vals.hist.args()...)
			args = append(args, version)
			err = tx.QueryRow(ctx, s.sql.saveCustomer, args...).Scan(&n)
		}
		if err != nil {
			return err
		}
		if n != 1 {
			// Unreachable while the row lock is held.
			return fmt.Errorf("postgres: update customer %s: %w", id, crm.ErrConflict)
		}
		customerHooks.Saved(c, version+1)
		return nil
	}
	out, fnErr, err := lockedUpdate(ctx, s, tenant, lock, fn, save)
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		return nil, cs.writeErr(ctx, "update customer "+id.String(), err)
	}
	return out, nil
}

// writeErr maps an error of a write: the store's own errors (already
// wrapping a sentinel) pass through, driver errors are mapped.
func (cs *customerStore) writeErr(ctx context.Context, op string, err error) error {
	if isOwn(err) {
		if strings.HasPrefix(err.Error(), "postgres: ") {
			return err
		}
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	return cs.s.mapErr(ctx, op, err)
}

// isOwn reports whether err is one the store made (wrapping a kernel
// sentinel or a corrupt row), not a driver error to map.
func isOwn(err error) bool {
	var ce *corruptError
	if errors.As(err, &ce) {
		return true
	}
	for _, sentinel := range ownSentinels {
		if errors.Is(err, sentinel) {
			return true
		}
	}
	return false
}

// Save stores c if its version is still the stored one, in one statement;
// see customer.Store.
func (cs *customerStore) Save(ctx context.Context, c *customer.Customer) error {
	const op = "postgres.Customers.Save"
	if c == nil {
		return fmt.Errorf("postgres: save customer: %w", crm.Invalid(op, "customer", "must not be nil"))
	}
	id := c.ID()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: save customer %s: %w", id, err)
	}
	vals, err := encodeCustomer(op, c)
	if err != nil {
		return fmt.Errorf("postgres: save customer %s: %w", id, err)
	}
	version := c.Version()
	vals.args[2] = version + 1
	args := append(vals.args, vals.hist.args()...)
	args = append(args, version)
	s := cs.s
	var (
		n      int64
		stored int64
		exists bool
	)
	err = s.write(ctx, c.Tenant(), func(ctx context.Context, q querier) error {
		if err := q.QueryRow(ctx, s.sql.saveCustomer, args...).Scan(&n); err != nil || n == 1 {
			return err
		}
		err := q.QueryRow(ctx, s.sql.customerVersion, string(c.Tenant()), uuidArg(id)).Scan(&stored)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		exists = err == nil
		return err
	})
	switch {
	case err != nil:
		return s.mapErr(ctx, "save customer "+id.String(), err)
	case n == 1:
		customerHooks.Saved(c, version+1)
		return nil
	case !exists:
		return notFound("customer", id)
	}
	return fmt.Errorf("postgres: save customer %s: version %d is stale (stored %d): %w", id, version, stored, crm.ErrConflict)
}

// List returns a page of customers matching q in ascending ID order; see
// customer.Store. Every filter of q except Segment is a condition of the
// statement, served by an index; Segment (and, as a safety net, the whole
// of q.Matches) is evaluated in Go, fetching further rows until the page is
// full.
func (cs *customerStore) List(ctx context.Context, tenant crm.TenantID, q customer.Query, page crm.PageRequest) (crm.Page[*customer.Customer], error) {
	const op = "postgres.Customers.List"
	out := crm.Page[*customer.Customer]{Items: []*customer.Customer{}}
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", q.Validate())
	page, perr := page.Normalize()
	v.Merge("page", perr)
	cur, after, cerr := parseCursor(op, listCustomers, page.Cursor)
	v.Merge("", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("postgres: list customers: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("postgres: list customers: %w", err)
	}
	s := cs.s
	fetch := page.Limit + 1
	first, next, args, none := listSQL(s.schema, s.textSearch, tenant, q, fetch)
	if none {
		return out, nil
	}
	// The rows SQL returns are checked with q.Matches; when the segment
	// drops rows the page is not full yet, and further rows are read in
	// batches growing to maxScanBatch, so that a segment that matches
	// little costs one statement per maxScanBatch rows examined, and one
	// that matches much reads little more than the page.
	var afterID crm.ID
	if after {
		afterID = cur.id
	}
	found := make([]*customer.Customer, 0, min(fetch, 64))
	err := s.single(ctx, tenant, func(qr querier) error {
		found = found[:0]
		from := afterID
		batch, firstSQL, nextSQL := fetch, first, next
		for {
			var rows pgx.Rows
			var err error
			if from.IsZero() {
				rows, err = qr.Query(ctx, firstSQL, args...)
			} else {
				rows, err = qr.Query(ctx, nextSQL, append(args, uuidArg(from))...)
			}
			if err != nil {
				return err
			}
			n := 0
			var sc customerScan
			for rows.Next() {
				n++
				if err := sc.scanRow(rows); err != nil {
					rows.Close()
					return err
				}
				c, err := sc.customer(cs.s.cache)
				if err != nil {
					rows.Close()
					return err
				}
				from = c.ID()
				if q.Matches(c) && len(found) < fetch {
					found = append(found, c)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(found) >= fetch || n < batch {
				return nil
			}
			batch = max(fetch, min(batch*8, maxScanBatch))
			firstSQL, nextSQL, _, _ = listSQL(s.schema, s.textSearch, tenant, q, batch)
		}
	})
	if err != nil {
		return out, cs.readErr(ctx, "list customers", err)
	}
	if len(found) > page.Limit {
		found = found[:page.Limit]
		out.Next = cursor{list: listCustomers, id: found[len(found)-1].ID()}.String()
	}
	out.Items = found
	return out, nil
}

var _ customer.Scanner = (*Store)(nil)

// ScanCustomers calls yield with every customer of tenant matching any of
// qs, in no particular order; see customer.Scanner, the capability
// customer.Service.OverdueForContact looks for. It reads them with one
// statement (scanSQL: the queries' conditions joined by OR), in the transaction in ctx or a statement of its own,
// so that its cost grows linearly with the rows the filter selects (an
// index range or a sequential scan, never a sort), and yields each row as
// it is decoded: the connection stays held while yield runs, and nothing
// is kept but what yield keeps. A statement that fails after it has
// yielded customers is not retried (it would yield them again). Every
// filter of the queries is applied, those SQL cannot express (the segment)
// in Go.
func (s *Store) ScanCustomers(ctx context.Context, tenant crm.TenantID, qs []customer.Query, yield func(*customer.Customer) bool) error {
	const op = "postgres.Customers.ScanCustomers"
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(len(qs) <= customer.MaxScanQueries, "queries", fmt.Sprintf("at most %d queries", customer.MaxScanQueries))
	v.Check(yield != nil, "yield", "must not be nil")
	if len(qs) <= customer.MaxScanQueries {
		for i := range qs {
			v.Merge(fmt.Sprintf("queries[%d]", i), qs[i].Validate())
		}
	}
	if err := v.Err(op); err != nil {
		return fmt.Errorf("postgres: scan customers: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: scan customers: %w", err)
	}
	sql, args, none := scanSQL(s.schema, s.textSearch, tenant, qs)
	if none {
		return nil
	}
	matches := func(c *customer.Customer) bool {
		return slices.ContainsFunc(qs, func(q customer.Query) bool { return q.Matches(c) })
	}
	yielded := false
	err := s.single(ctx, tenant, func(qr querier) error {
		rows, err := qr.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var sc customerScan
		for rows.Next() {
			if err := sc.scanRow(rows); err != nil {
				return scanFailure(yielded, err)
			}
			c, err := sc.customer(s.cache)
			if err != nil {
				return err
			}
			if !matches(c) {
				continue
			}
			yielded = true
			// Lent as a clone: marked as sharing its state, it is
			// copied shallowly by a yield that keeps it.
			if !yield(c.Clone()) {
				return nil
			}
		}
		return scanFailure(yielded, rows.Err())
	})
	if err != nil {
		var sf *scanFailed
		if errors.As(err, &sf) {
			err = sf.err
		}
		cs := customerStore{s: s}
		return cs.readErr(ctx, "scan customers", err)
	}
	return nil
}

// scanFailed carries the failure of a scan that has yielded customers
// already, hiding it from the retry of transient failures (which would
// yield them again).
type scanFailed struct{ err error }

func (e *scanFailed) Error() string { return e.err.Error() }

// scanFailure returns err, hidden from retries when customers were
// yielded; nil stays nil.
func scanFailure(yielded bool, err error) error {
	if err == nil || !yielded {
		return err
	}
	return &scanFailed{err: err}
}

// scanSQL returns the statement of ScanCustomers: the customers of tenant
// matching any of qs, each query's conditions as listSQL's filter, in no
// order. none is true when no query can match a customer.
func scanSQL(schema string, mode TextSearch, tenant crm.TenantID, qs []customer.Query) (sql string, args []any, none bool) {
	args = []any{string(tenant)}
	var ors []string
	for _, q := range qs {
		where, qargs, none := queryConditions(args, q, mode)
		if none {
			continue
		}
		args = qargs
		if len(where) == 0 {
			where = []string{"TRUE"}
		}
		ors = append(ors, "("+strings.Join(where, " AND ")+")")
	}
	if len(ors) == 0 {
		return "", nil, true
	}
	return `SELECT ` + customerReadCols + ` FROM ` + quoteIdent(schema) + `.customers WHERE tenant_id = $1 AND (` +
		strings.Join(ors, " OR ") + `)`, args, false
}

// maxScanBatch is the most rows a list reads in one statement when rows
// it read did not match (see List).
const maxScanBatch = 1000

// listSQL returns the statements listing customers matching q, fetch rows
// at a time: first for the first page, next (which takes the last ID seen
// as one more argument) for the following ones. none is true when q can
// match no customer.
func listSQL(schema string, mode TextSearch, tenant crm.TenantID, q customer.Query, fetch int) (first, next string, args []any, none bool) {
	where, args, none := customerFilter(tenant, q, mode)
	if none {
		return "", "", nil, true
	}
	base := `SELECT ` + customerReadCols + ` FROM ` + quoteIdent(schema) + `.customers WHERE ` + strings.Join(where, " AND ")
	order := ` ORDER BY id LIMIT ` + strconv.Itoa(fetch)
	return base + order, base + ` AND id > $` + strconv.Itoa(len(args)+1) + order, args, false
}

// customerFilter turns q into SQL conditions and their arguments ($1 is
// the tenant). none is true when q can match no customer at all (text that
// no stored value can contain).
func customerFilter(tenant crm.TenantID, q customer.Query, mode TextSearch) (where []string, args []any, none bool) {
	where, args, none = queryConditions([]any{string(tenant)}, q, mode)
	if none {
		return nil, nil, true
	}
	return append([]string{"tenant_id = $1"}, where...), args, false
}

// queryConditions turns q into SQL conditions, their arguments appended to
// args (numbered after those). none is true when q can match no customer.
func queryConditions(args []any, q customer.Query, mode TextSearch) (where []string, _ []any, none bool) {
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if !q.IncludeTombstones {
		where = append(where, "merged_into IS NULL")
	}
	if q.Owner != "" {
		add("owner_id = $?", string(q.Owner))
	}
	if q.Stage != 0 {
		add("stage = $?", q.Stage.String())
	}
	if q.Loyalty != 0 {
		add("loyalty = $?", q.Loyalty.String())
	}
	if q.Lifecycle != 0 {
		add("lifecycle = $?", q.Lifecycle.String())
	}
	if q.Class != 0 {
		add("class = $?", q.Class.String())
	}
	if q.Role != 0 {
		add("roles @> $?::text[]", []string{q.Role.String()})
	}
	if q.Kind != 0 {
		add("kind = $?", q.Kind.String())
	}
	if q.Tag != "" {
		tag := strings.ToLower(strings.TrimSpace(q.Tag))
		if !storable(tag) {
			return nil, nil, true
		}
		add("tags @> $?::text[]", []string{tag})
	}
	if !q.ContactedBefore.IsZero() {
		// Never contacted counts as contacted before any cutoff; the
		// expression is the one customers_contact_idx indexes.
		add("COALESCE(last_contact, '-infinity'::timestamptz) < $?", q.ContactedBefore)
	}
	if q.KeyAccount != nil {
		if *q.KeyAccount {
			where = append(where, "key_account")
		} else {
			where = append(where, "NOT key_account")
		}
	}
	if q.Segment != nil {
		if cond, sargs, ok := segmentSQL(*q.Segment, len(args)+1); ok {
			where = append(where, cond)
			args = append(args, sargs...)
		}
	}
	if q.Text != "" {
		// The same steps as customer.MatchesText: lower-case and trim in
		// Go, then "contains" on columns the store lower-cased in Go.
		// (Options.TextSearch says "contains" or "begins with".)
		t := strings.ToLower(strings.TrimSpace(q.Text))
		if t != "" {
			cond, targs, ok := textCondition(mode, t, len(args)+1)
			if !ok {
				return nil, nil, true
			}
			where = append(where, cond)
			args = append(args, targs...)
		}
	}
	return where, args, false
}

// storable reports whether s can be sent to PostgreSQL as text: valid
// UTF-8 without NUL. Text that is not can match no stored value.
func storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// escapeLike escapes LIKE's wildcards and its escape character
// (backslash, the default), so that every byte of s is taken literally.
func escapeLike(s string) string {
	if !strings.ContainsAny(s, `\%_`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\', '%', '_':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func onlyDigits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// FindByContact returns the live customers having any of the normalised
// e-mail addresses or phone numbers, in ID order; see customer.Store. limit
// 0 means crm.DefaultPageLimit, limits above crm.MaxPageLimit are reduced
// to it, a negative limit is invalid.
func (cs *customerStore) FindByContact(ctx context.Context, tenant crm.TenantID, emails, phones []string, limit int) ([]*customer.Customer, error) {
	const op = "postgres.Customers.FindByContact"
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(limit >= 0, "limit", "must not be negative")
	v.Check(len(emails)+len(phones) <= 10*crm.MaxPageLimit, "emails", "too many keys")
	if err := v.Err(op); err != nil {
		return nil, fmt.Errorf("postgres: find by contact: %w", err)
	}
	switch {
	case limit == 0:
		limit = crm.DefaultPageLimit
	case limit > crm.MaxPageLimit:
		limit = crm.MaxPageLimit
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find by contact: %w", err)
	}
	keys := make([]string, 0, len(emails)+len(phones))
	for _, e := range emails {
		if e != "" && storable(e) {
			keys = append(keys, "e:"+e)
		}
	}
	for _, p := range phones {
		if p != "" && storable(p) {
			keys = append(keys, "p:"+p)
		}
	}
	found := []*customer.Customer{}
	if len(keys) == 0 {
		return found, nil
	}
	s := cs.s
	err := s.single(ctx, tenant, func(q querier) error {
		found = found[:0]
		rows, err := q.Query(ctx, s.sql.findByContact, string(tenant), keys, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		var sc customerScan
		for rows.Next() {
			if err := sc.scanRow(rows); err != nil {
				return err
			}
			c, err := sc.customer(cs.s.cache)
			if err != nil {
				return err
			}
			found = append(found, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, cs.readErr(ctx, "find by contact", err)
	}
	return found, nil
}

// exists reports whether the customer exists, as part of an operation
// already running on q.
func (cs *customerStore) exists(ctx context.Context, q querier, tenant crm.TenantID, id crm.ID) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, cs.s.sql.customerExists, string(tenant), uuidArg(id)).Scan(&ok)
	return ok, err
}
