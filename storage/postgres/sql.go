package postgres

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// customerCols are the stored columns of a customer, in the order of
// customerValues.args and scanCustomer.
const customerCols = `tenant_id, id, version, created_at, updated_at, kind, name, roles, emails, phones,
 addresses, dates, time_zone, prefs, attrs, tags, consents, notes, stage, loyalty, lifecycle, class,
 key_account, owner_id, merged_into, erased_at, history_seq, search_text, search_phones, contact_keys,
 last_contact`

// customerReadCols are the columns a read scans (the search columns are
// derived, so not read back).
const customerReadCols = `tenant_id, id, version, created_at, updated_at, kind, name, roles, emails, phones,
 addresses, dates, time_zone, prefs, attrs, tags, consents, notes, stage, loyalty, lifecycle, class,
 key_account, owner_id, merged_into, erased_at, history_seq, last_contact`

// historyInsert returns the statement part that appends history entries
// from parallel arrays: the tenant is $1, and customer_id[], origin_id[],
// seq[], kind[], from[], to[], at[], actor[], reason[] are $first onwards.
func historyInsert(schema string, first int) string {
	p := make([]string, 9)
	for i := range p {
		p[i] = "$" + strconv.Itoa(first+i)
	}
	return `INSERT INTO ` + schema + `.customer_history
 (tenant_id, customer_id, origin_id, seq, kind, from_value, to_value, at, actor, reason)
 SELECT $1, h.customer_id, h.origin_id, h.seq, h.kind, h.from_value, h.to_value, h.at, h.actor, h.reason
 FROM unnest(` + p[0] + `::uuid[], ` + p[1] + `::uuid[], ` + p[2] + `::bigint[], ` + p[3] + `::text[], ` + p[4] + `::text[], ` +
		p[5] + `::text[], ` + p[6] + `::timestamptz[], ` + p[7] + `::text[], ` + p[8] + `::text[])
   AS h(customer_id, origin_id, seq, kind, from_value, to_value, at, actor, reason)`
}

// historyInsertOne returns the statement part that appends one history
// entry: the tenant is $1, and customer_id, origin_id, seq, kind, from,
// to, at, actor, reason are $first onwards. A new customer's history is
// almost always its one "created" entry: scalar parameters spare the
// client nine arrays to encode and the server an unnest.
func historyInsertOne(schema string, first int) string {
	p := make([]string, 9)
	for i := range p {
		p[i] = "$" + strconv.Itoa(first+i)
	}
	return `INSERT INTO ` + schema + `.customer_history
 (tenant_id, customer_id, origin_id, seq, kind, from_value, to_value, at, actor, reason)
 SELECT $1, ` + p[0] + `::uuid, ` + p[1] + `::uuid, ` + p[2] + `::bigint, ` + p[3] + `::text, ` + p[4] + `::text, ` +
		p[5] + `::text, ` + p[6] + `::timestamptz, ` + p[7] + `::text, ` + p[8] + `::text`
}

// createCustomer returns the statement that inserts a customer and, with
// history (an insert of its entries from $32 on), its history, in one
// statement. A customer that exists already inserts nothing (no error, so
// that a caller's transaction is not aborted) and returns no row.
func createCustomer(history string) string {
	return `WITH c AS (
 INSERT INTO {s}.customers (` + customerCols + `)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
         $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)
 ON CONFLICT (tenant_id, id) DO NOTHING
 RETURNING id
), h AS (
 ` + history + `
 WHERE EXISTS (SELECT 1 FROM c)
)
SELECT count(*) FROM c`
}

const interactionCols = `tenant_id, id, customer_id, channel, direction, actor, at, summary, outcome, next_step, next_step_due`

const visitCols = `tenant_id, id, customer_id, salesperson, kind, purpose, method, planned_at, duration_ns, status, outcome, done_at, version`

// statements are the store's fixed SQL texts with its schema filled in.
type statements struct {
	getCustomer       string
	getForUpdate      string
	createCustomer    string
	createCustomerOne string // createCustomer for one history entry
	saveCustomer      string
	customerVersion   string
	customerExists    string
	findByContact     string
	history           string
	historyAfter      string
	addInteraction    string
	interactionState  string
	interactions      string
	interactionsAfter string
	createVisit       string
	visitState        string
	getVisit          string
	getVisitForUpdate string
	updateVisit       string
	moveRelated       string
	eraseInteractions string
}

func buildStatements(schema string) statements {
	q := func(s string) string { return strings.ReplaceAll(s, "{s}.", schema+".") }
	hist := func(first int) string { return historyInsert("{s}", first) }
	return statements{
		getCustomer:       q(`SELECT ` + customerReadCols + ` FROM {s}.customers WHERE tenant_id = $1 AND id = $2`),
		getForUpdate:      q(`SELECT ` + customerReadCols + ` FROM {s}.customers WHERE tenant_id = $1 AND id = $2 FOR UPDATE`),
		createCustomer:    q(createCustomer(hist(32))),
		createCustomerOne: q(createCustomer(historyInsertOne("{s}", 32))),
		// Compare-and-swap on version ($41 is the expected stored version),
		// with the history in the same statement. The last contact only
		// moves forward (an interaction added since the customer was read
		// keeps its mark).
		saveCustomer: q(`WITH c AS (
 UPDATE {s}.customers SET version = $3, created_at = $4, updated_at = $5, kind = $6, name = $7,
   roles = $8, emails = $9, phones = $10, addresses = $11, dates = $12, time_zone = $13, prefs = $14,
   attrs = $15, tags = $16, consents = $17, notes = $18, stage = $19, loyalty = $20, lifecycle = $21,
   class = $22, key_account = $23, owner_id = $24, merged_into = $25, erased_at = $26, history_seq = $27,
   search_text = $28, search_phones = $29, contact_keys = $30, last_contact = GREATEST(last_contact, $31)
 WHERE tenant_id = $1 AND id = $2 AND version = $41
 RETURNING id
), h AS (
 ` + hist(32) + `
 WHERE EXISTS (SELECT 1 FROM c)
)
SELECT count(*) FROM c`),
		customerVersion: q(`SELECT version FROM {s}.customers WHERE tenant_id = $1 AND id = $2`),
		customerExists:  q(`SELECT EXISTS (SELECT 1 FROM {s}.customers WHERE tenant_id = $1 AND id = $2)`),
		findByContact: q(`SELECT ` + customerReadCols + ` FROM {s}.customers
 WHERE tenant_id = $1 AND merged_into IS NULL AND contact_keys && $2::text[]
 ORDER BY id LIMIT $3`),
		history: q(`SELECT customer_id, origin_id, seq, kind, from_value, to_value, at, actor, reason
 FROM {s}.customer_history WHERE tenant_id = $1 AND customer_id = $2
 ORDER BY at, origin_id, seq LIMIT $3`),
		historyAfter: q(`SELECT customer_id, origin_id, seq, kind, from_value, to_value, at, actor, reason
 FROM {s}.customer_history WHERE tenant_id = $1 AND customer_id = $2 AND (at, origin_id, seq) > ($4, $5, $6)
 ORDER BY at, origin_id, seq LIMIT $3`),
		// Insert the interaction and, in the same statement, move the
		// customer's last contact forward to its time; the count says
		// whether the interaction was inserted.
		addInteraction: q(`WITH i AS (
 INSERT INTO {s}.interactions (` + interactionCols + `)
 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
 WHERE EXISTS (SELECT 1 FROM {s}.customers WHERE tenant_id = $1 AND id = $3)
 ON CONFLICT (tenant_id, id) DO NOTHING
 RETURNING 1
), u AS (
 UPDATE {s}.customers SET last_contact = $7
 WHERE tenant_id = $1 AND id = $3 AND (last_contact IS NULL OR last_contact < $7) AND EXISTS (SELECT 1 FROM i)
 RETURNING 1
)
SELECT count(*) FROM i`),
		interactionState: q(`SELECT EXISTS (SELECT 1 FROM {s}.customers WHERE tenant_id = $1 AND id = $2),
 EXISTS (SELECT 1 FROM {s}.interactions WHERE tenant_id = $1 AND id = $3)`),
		interactions: q(`SELECT ` + interactionCols + ` FROM {s}.interactions
 WHERE tenant_id = $1 AND customer_id = $2
 ORDER BY at DESC, id DESC LIMIT $3`),
		interactionsAfter: q(`SELECT ` + interactionCols + ` FROM {s}.interactions
 WHERE tenant_id = $1 AND customer_id = $2 AND (at, id) < ($4, $5)
 ORDER BY at DESC, id DESC LIMIT $3`),
		createVisit: q(`INSERT INTO {s}.visits (` + visitCols + `)
 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1
 WHERE EXISTS (SELECT 1 FROM {s}.customers WHERE tenant_id = $1 AND id = $3)
 ON CONFLICT (tenant_id, id) DO NOTHING`),
		visitState: q(`SELECT EXISTS (SELECT 1 FROM {s}.customers WHERE tenant_id = $1 AND id = $2),
 EXISTS (SELECT 1 FROM {s}.visits WHERE tenant_id = $1 AND id = $3)`),
		getVisit:          q(`SELECT ` + visitCols + ` FROM {s}.visits WHERE tenant_id = $1 AND id = $2`),
		getVisitForUpdate: q(`SELECT ` + visitCols + ` FROM {s}.visits WHERE tenant_id = $1 AND id = $2 FOR UPDATE`),
		updateVisit: q(`UPDATE {s}.visits SET customer_id = $3, salesperson = $4, kind = $5, purpose = $6, method = $7,
 planned_at = $8, duration_ns = $9, status = $10, outcome = $11, done_at = $12, version = $13
 WHERE tenant_id = $1 AND id = $2`),
		// Both customers are locked (FOR SHARE) and counted first; the
		// updates run only when both exist.
		moveRelated: q(`WITH both_exist AS (
 SELECT count(*) = 2 AS ok FROM (SELECT 1 FROM {s}.customers WHERE tenant_id = $1 AND id IN ($2, $3) FOR SHARE) x
), i AS (
 UPDATE {s}.interactions SET customer_id = $3 WHERE tenant_id = $1 AND customer_id = $2 AND (SELECT ok FROM both_exist) RETURNING 1
), h AS (
 UPDATE {s}.customer_history SET customer_id = $3 WHERE tenant_id = $1 AND customer_id = $2 AND (SELECT ok FROM both_exist) RETURNING 1
), v AS (
 UPDATE {s}.visits SET customer_id = $3, version = version + 1 WHERE tenant_id = $1 AND customer_id = $2 AND (SELECT ok FROM both_exist) RETURNING 1
)
SELECT ok, (SELECT count(*) FROM i), (SELECT count(*) FROM h), (SELECT count(*) FROM v) FROM both_exist`),
		eraseInteractions: q(`WITH u AS (
 UPDATE {s}.interactions SET summary = '', outcome = '', next_step = ''
 WHERE tenant_id = $1 AND customer_id = $2 AND (summary <> '' OR outcome <> '' OR next_step <> '')
 RETURNING 1
)
SELECT (SELECT count(*) FROM u), EXISTS (SELECT 1 FROM {s}.customers WHERE tenant_id = $1 AND id = $2)`),
	}
}

// updateChanged returns the statement and arguments that store vals over
// old (the same customer as loaded) at version+1: only the columns whose
// values changed are set, so that PostgreSQL can update the row in place
// (HOT) and leave the indexes alone when no indexed column changed, and the
// pending history is appended in the same statement.
func (s *Store) updateChanged(old, vals customerValues, version int64) (string, []any) {
	var b strings.Builder
	b.WriteString("WITH c AS (UPDATE ")
	b.WriteString(quoteIdent(s.schema))
	b.WriteString(".customers SET version = $3")
	args := []any{vals.args[0], vals.args[1], version + 1, version}
	for i := 3; i < len(vals.args); i++ {
		if equalArg(old.args[i], vals.args[i]) {
			continue
		}
		args = append(args, vals.args[i])
		b.WriteString(", ")
		b.WriteString(customerColumns[i])
		if i == lastContactCol {
			// Never backwards: see saveCustomer.
			b.WriteString(" = GREATEST(last_contact, $")
			b.WriteString(strconv.Itoa(len(args)))
			b.WriteString(")")
			continue
		}
		b.WriteString(" = $")
		b.WriteString(strconv.Itoa(len(args)))
	}
	b.WriteString(" WHERE tenant_id = $1 AND id = $2 AND version = $4 RETURNING id)")
	if len(vals.hist.seq) > 0 {
		first := len(args) + 1
		args = append(args, vals.hist.args()...)
		b.WriteString(", h AS (")
		b.WriteString(historyInsert(quoteIdent(s.schema), first))
		b.WriteString(" WHERE EXISTS (SELECT 1 FROM c))")
	}
	b.WriteString(" SELECT count(*) FROM c")
	return b.String(), args
}

// equalArg reports whether two column values of encodeCustomer are equal.
func equalArg(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case pgtype.UUID:
		y, ok := b.(pgtype.UUID)
		return ok && x == y
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case pgtype.Timestamptz:
		y, ok := b.(pgtype.Timestamptz)
		return ok && x.Valid == y.Valid && x.InfinityModifier == y.InfinityModifier && x.Time.Equal(y.Time)
	case []string:
		y, ok := b.([]string)
		return ok && slices.Equal(x, y)
	case []byte:
		y, ok := b.([]byte)
		return ok && (x == nil) == (y == nil) && bytes.Equal(x, y)
	}
	return false
}
