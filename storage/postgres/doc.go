// Package postgres is the PostgreSQL implementation of [storage.Store]:
// every store the library defines (customers, their history,
// interactions, visits and merge tombstones; complaints, their audit trail
// and the risks raised from complaint hotspots; opportunities and their
// stage history), built on jackc/pgx v5.
//
// It lives in a module of its own (github.com/crmkit/crm/storage/postgres)
// so that users of the domain packages never download a database driver.
//
// # Wiring
//
// The host owns the pool; the store never opens or closes one:
//
//	pool, err := pgxpool.New(ctx, dsn)
//	store, err := postgres.New(pool, &postgres.Options{Schema: "crm"})
//	applied, err := store.Migrate(ctx) // explicit, never done by New
//	svc, err := customer.NewService(store, &customer.Options{Clock: clock})
//
// All the store's tables live in one schema (Options.Schema, default
// "crm"). Every statement names that schema explicitly, so the host's
// search_path does not matter and one pool can serve several stores (the
// tests give each test a schema of its own).
//
// # Migrations
//
// The schema is created by embedded, versioned SQL files ([Migrations])
// applied by [Store.Migrate] only: in one transaction that holds an
// advisory lock, so two processes migrating at once end with the same
// schema (one waits, then finds nothing to do), and running it again does
// nothing. Applied versions are recorded in the schema's
// schema_migrations table. Migrate also creates the pg_trgm and btree_gin
// extensions (trusted contrib extensions) when the database lacks them.
//
// # Transactions
//
// [Store.InTx] carries a pgx.Tx in the context (crm.Transactor): every
// store call made with that context joins the transaction; a nested InTx
// joins the outer one. A host that runs its own pgx.Tx hands it to the
// store with [WithTx], so the library's writes and the host's commit or
// roll back together; the store then never commits, rolls back or retries.
// A call without a transaction runs on its own: single statements where
// the operation allows (Create, Save and their history are one statement),
// a short READ COMMITTED transaction otherwise.
//
// # Commit scopes and events
//
// Every transaction InTx begins carries a commit scope
// (crm.NewCommitScope): functions registered with crm.AfterCommit inside
// it (services publish their events that way) run once the COMMIT
// succeeded, and are dropped when the transaction rolls back, whether fn
// returned an error, panicked, or the COMMIT itself failed; those
// registered with crm.AfterRollback (the guards' restores of the entities
// stored in it) run then instead. A nested InTx
// joins the outer transaction and its scope. In a host's transaction the
// store cannot see the COMMIT, so [WithTx] returns the scope as well: the
// host calls its Commit after its own COMMIT succeeded (or Rollback after
// a rollback); until then nothing registered runs.
//
// # Transactional outbox
//
// *Store implements storage.Outbox (and so crm.EventLog): AppendEvents
// writes events, checked and encoded by storage.EncodeEvents, into the
// outbox table (migration 0004) in the transaction carried by the context,
// so they are stored exactly when the change is. ClaimEvents leases the
// free events (never claimed, or whose lease ran out by the server's
// clock) in ascending ID order with FOR UPDATE SKIP LOCKED, so concurrent
// drainers never hold the same event and never wait for each other;
// AckEvents deletes the events whose claim still matches. Data comes back
// as the json.RawMessage of its JSON form; it is stored as jsonb, so the
// text may differ from the one written (key order, spacing) while meaning
// the same, and a JSON string holding \u0000, which jsonb cannot store,
// is refused with crm.ErrInvalid. Under row-level security a claim must
// name its tenant: one across tenants would see no other tenant's rows,
// so it is refused with crm.ErrUnsupported; the role needs DELETE on the
// outbox table for AckEvents.
//
// # Concurrency and retries
//
// Every customer, visit, complaint and risk has a version column. Update,
// UpdateVisit, the complaint store's Update and UpdateRisk lock the row (SELECT … FOR UPDATE), run the caller's function on the
// latest state and write the next version, so concurrent updates lose
// nothing; Save is a compare-and-swap on the version and returns
// crm.ErrConflict when stale. Serialization failures (SQLSTATE 40001) and
// deadlocks (40P01) of operations the store runs in its own transaction
// are retried with jittered back-off up to Options.MaxRetries times, then
// returned as crm.ErrConflict; inside a caller's transaction they are
// returned at once (the transaction is aborted). Update writes only the
// columns that changed, so that updates that leave indexed columns alone
// are HOT updates.
//
// # Errors
//
// Driver errors are mapped to the kernel's sentinels, by SQLSTATE:
//
//	23505 unique violation                     crm.ErrDuplicate
//	23503 foreign-key violation                crm.ErrNotFound
//	40001 serialization failure, 40P01
//	deadlock, 55P03 lock not available         crm.ErrConflict
//	other 22 (data exception), 23 (integrity)  crm.ErrInvalid
//	08 (connection exception), 53 (insufficient
//	resources), 57 (operator intervention:
//	shutdown, pg_terminate_backend, statement
//	timeout), 58 (system error), 25P03 (idle
//	session timeout), 42501 (insufficient
//	privilege, which is also what a row-level
//	security policy raises)                    crm.ErrUnavailable
//
// A connection that breaks without a server answer (broken pipe, reset,
// unexpected EOF, refused) is crm.ErrUnavailable too; a failure caused by
// the caller's context ending wraps ctx.Err(). Other server errors carry
// no sentinel (they are bugs of the store or of the schema). The mapped
// error keeps the SQLSTATE and the server's message as text but not the
// pgx error value, so callers branch on sentinels only. Text PostgreSQL cannot
// store (NUL characters, invalid UTF-8), which the entities allow in free
// text, is refused with crm.ErrInvalid before anything is sent. A stored
// row that does not decode is reported as corrupt.
//
// # Honest results
//
// A call never reports an error for a change that committed, nor success
// for one that did not. Once a transaction's work is done, its COMMIT is
// sent and its answer awaited with a context the caller's cancellation
// cannot end (bounded by a timeout of its own): the call then returns the
// true outcome even when the caller's context ended meanwhile. A change
// made by one statement outside a transaction (Create, Save, AddInteraction,
// CreateVisit, MoveRelated, EraseInteractions, CreateRisk, the complaint
// store's Create) commits on the server by itself; there the caller's
// cancellation sends the server a cancel request instead of cutting the
// connection, so the server answers either "done" (nil is returned: the
// change is stored) or "cancelled" (the error wraps ctx.Err(): nothing
// was stored). Every wait (a connection, a row lock) still ends with the
// caller's context. If no answer comes within 5 seconds of the
// cancellation (the cancel request was lost on its way), the store gives
// up on the connection and the outcome is unknown, as below.
//
// Only when the connection is lost after the COMMIT (or the statement)
// was sent and before its answer came can the outcome not be known: the
// error then wraps crm.ErrOutcomeUnknown, never crm.ErrConflict nor
// crm.ErrUnavailable, and after-commit functions are dropped. A caller
// that meets it reads the record back (its version tells) before trying
// again.
//
// # Tenancy and row-level security
//
// Every table is keyed by (tenant_id, id) and every statement filters on
// the tenant. Row-level security is a second wall a host can switch on:
// the migrations create policies admitting only rows whose tenant_id
// equals the transaction-local setting crm.tenant and enable RLS on every
// table. The policies bind roles that neither own the tables nor have
// BYPASSRLS; to use them, connect the store as such a role (granted
// SELECT, INSERT, UPDATE on the schema's tables, and DELETE on outbox) and set
// Options.RowLevelSecurity, which makes the store set crm.tenant in every
// transaction (reads outside a transaction then run in a short transaction
// of their own). In a transaction the store began, crm.tenant is set once
// per tenant; in a host's transaction (WithTx) it is set again before
// every operation, because a host's ROLLBACK TO SAVEPOINT also undoes the
// setting. [Store.ForceRowLevelSecurity] makes the policies bind the
// tables' owner too. A statement that does not name its tenant then sees
// no row at all.
//
// # Search and indexes
//
// Lists page by ID (keyset pagination: the cursor is the last ID), with
// one index per filter leading with tenant_id. Query.Text has the
// semantics of customer.MatchesText exactly: the store keeps a search
// column of the lower-cased name and normalised e-mail addresses and one
// of the E.164 phone numbers, lower-cased in Go, and matches them with
// LIKE '%…%' (wildcards in the text escaped), served by trigram GIN
// indexes (pg_trgm) that lead with tenant_id (btree_gin). Query.Segment is
// evaluated in Go, by customer.Segment.Matches, on the rows the statement
// returns; the conditions SQL can judge exactly (eq, ne, in and not_in on
// kind, stage, loyalty, lifecycle, class, role and key_account, whose
// accepted names are worked out in Go under strings.EqualFold) are also
// conditions of the statement. When rows read do not match, further rows
// are read in batches that grow to 1,000, so a call costs one statement
// per 1,000 rows examined.
//
// # Complaints
//
// [Store.Complaints] keeps complaints in the complaints table (migration
// 0003), their audit trail in complaint_audit, written in the same
// statement as the complaint change and append-only (a trigger refuses
// UPDATE and DELETE), and risks in complaint_risks. Enumerations are stored
// by name; the resolution, repair timeline, pauses, survey and follow-up
// are jsonb. Every list filter of complaint.Query is a condition of the
// statement, served by a btree (tenant_id, …, id) per filter (customer,
// owner, group, status, open, category, asset, receipt time) so that
// filtered lists page by ID without sorting.
//
// # Opportunities
//
// [Store.Opportunities] keeps each opportunity whole in the doc column
// (jsonb) of the opportunities table (migration 0005), beside copies of
// what the list filters look at (customer, owner, team, pipeline, stage,
// status, effective forecast category, close date, time of the stage
// entry), written from the same value in the same statement; each filter
// is served by a btree (tenant_id, …, id), and staleness candidates by a
// partial index on open opportunities. Stage changes go to
// opportunity_history in the statement that writes the opportunity,
// append-only like the complaint audit. Update runs on the same
// lockedUpdate frame as the other closure updates.
//
// An asset is stored as a prefix-free path: each level's kind and ID, each
// followed by U+0002, with U+0001 and U+0002 inside them escaped by
// U+0001. One asset lies at or below another exactly when its path starts
// with the other's, so Query.Asset is a range on a bytewise ("C")
// collated index, correct whatever the kinds and IDs hold (quotes, LIKE
// wildcards, backslashes, "/", ":", any script). Text holding NUL, which
// PostgreSQL cannot store, is refused with crm.ErrInvalid on writes and
// matches nothing in queries.
//
// A tenant has at most one active (open or mitigating) risk per hotspot
// key: a unique partial index on the SHA-256 of the key (keys have no
// length bound, btree entries do). CreateRisk inserts with ON CONFLICT DO
// NOTHING, so an existing ID or active key returns crm.ErrDuplicate
// without aborting a caller's transaction. Cursors of the complaint lists
// are opaque like the others: the last ID, or for the audit trail the
// last Seq.
//
// # Leads
//
// [Store.Leads] keeps leads in the leads table (migration 0006): each lead
// whole as the JSON of its lead.Record in doc (times to the nanosecond),
// beside the columns every filter of lead.Query searches, each served by a
// btree (tenant_id, …, id): stage, open, team, owner, source, campaign,
// customer, capture time, uncontacted. The normalised e-mail addresses and
// phone numbers of every lead are in lead_contacts (a lead's contact
// points are only ever added to, so rows are only inserted); FindByContact
// joins them to the open leads. The history is in lead_history,
// append-only like the complaint audit, with the nanoseconds below
// PostgreSQL's microseconds in a column of their own. Each team's
// assignment state is one row of lead_assignment, locked FOR UPDATE by
// UpdateAssignment (the row is created on first use), so concurrent
// captures deciding owners in their transactions are serialised. Campaigns
// are in campaigns, their budget and cost kept digit for digit. Every
// table leads with tenant_id and has a row-level security policy; the
// application role needs SELECT, INSERT and UPDATE on them (no DELETE).
// [LeadImporter] is the COPY import of new leads, all or nothing.
//
// # Referrals, suggestions, memberships and account plans
//
// [Store.Referrals], [Store.Suggestions] and [Store.Memberships] keep their
// records in the tables of migration 0008, each whole in doc, with one
// index per list filter and the unique keys (tenant, referrer, target kind,
// target) and (tenant, customer, programme). [Store.AccountPlans] keeps
// plans in account_plans (migration 0009); one row per account in
// account_plan_locks serialises storing active plans, so the check that
// active plans do not overlap and the write are one step. Migration 0007
// adds each customer's last contact and the index behind
// customer.Query.ContactedBefore.
//
// # Money
//
// Migration 0002 creates the reusable domains crm_money_amount (numeric,
// never NaN or infinite) and crm_currency (three upper-case letters). A
// complaint's compensation is stored in them, with the decimal exponent
// the amount was written with, so it reads back digit for digit (1.500
// stays 1.500, 12E+3 stays 12E+3). [RegisterTypes] lets hosts scan numeric
// into shopspring decimal.Decimal.
//
// # Bulk import
//
// The customer store implements the optional [CustomerImporter] (a slice,
// up to customer.MaxImportBatch) and [CustomerStreamImporter] (a stream of
// any length, never held whole): COPY (binary) of new customers and their
// history in one transaction, all or nothing. Both stream: one goroutine
// takes customers from the source in batches of 512, a few goroutines (up
// to 4) validate them and write their rows in PostgreSQL's binary COPY
// format, and the COPY takes the encoded batches in order, so
// the server copies batch k while batch k+1 is being encoded; at most 8
// batches wait. A slice goes in one COPY statement, then its history in
// another; a stream in COPY statements of about 65,000 customers, each
// followed by the COPY of their history (kept in memory until then).
// ImportOptions.Progress hears of every batch the COPY takes (on the
// pgconn goroutine that reads the COPY stream, one call at a time) and of
// the end. The import writes COPY's binary format itself rather than
// handing pgx a value per column (a test holds every column byte for byte
// to pgx's encoding); a pgx tracer still hears of each COPY. It needs the
// transaction's connection: a host's pgx.Tx whose Conn returns nil is
// refused. Every goroutine
// has ended when the import returns; a panic of the source or of Progress
// is raised again on the caller's goroutine; a cancelled context stops
// the COPY. A streamed import never retries (a stream cannot
// be read twice): a serialization failure is returned as crm.ErrConflict.
//
// Every customer reaches the store through customer.Guard, which checks
// it as Create would (and, under customer.SkipInvalid, leaves a refused
// one out and lists it in the report); the store then only encodes it,
// refusing text PostgreSQL cannot hold. An ID already stored fails the
// import with crm.ErrDuplicate (COPY cannot skip a row). Most of an
// import's time is the server's upkeep of the customers table's indexes,
// the two trigram indexes of free-text search above all;
// docs/PERFORMANCE.md ("Bulk import") gives the measured share of each
// index and the import beside hand-written COPY. With
// Options.RowLevelSecurity on, the import runs the Create statement for
// each batch of customers instead (PostgreSQL refuses COPY into tables
// whose policies bind the role), in the same transaction.
//
// # Text search and import speed
//
// Options.TextSearch chooses what Query.Text means. [SubstringSearch] (the
// default) is customer.MatchesText exactly, on the two trigram indexes.
// [PrefixSearch] matches a customer whose lower-cased name begins with the
// text, or whose first phone number begins with the text's digits, on two
// b-trees (text_pattern_ops) that cost an import far less: for hosts that
// look customers up by the start of their name. Migrate builds the
// indexes of the store's mode and drops the other mode's, so migrating
// with the other mode switches an existing schema; the stores serving it
// must use the same mode (the other mode's searches still answer, without
// an index). The in-memory store always searches by substring.
//
// # Limits
//
// Timestamps are stored with PostgreSQL's microsecond precision, within
// crm.MinTime..crm.MaxTime (years 1 to 9999 UTC): every time the store
// writes (customers, history, interactions, visits, complaints, audit,
// risks, outbox) or lists by (visit and complaint query bounds) outside
// that range is refused with crm.ErrInvalid before anything is sent,
// rather than stored far away or wrapped around. Advisory
// locks (Migrate) and trigram indexes are PostgreSQL features that some
// PostgreSQL-compatible engines lack.
package postgres
