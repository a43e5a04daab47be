package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage"
)

// DefaultSchema is the schema a store lives in when Options.Schema is empty.
const DefaultSchema = "crm"

// DefaultMaxRetries is how many times an operation is retried after a
// serialization failure or a deadlock when Options.MaxRetries is 0.
const DefaultMaxRetries = 5

// Options configures a [Store]. The zero value (and a nil *Options) works:
// schema "crm", extensions looked for or created in "public", five retries,
// row-level security not used by the store.
type Options struct {
	// Schema is the PostgreSQL schema holding the store's tables; every
	// statement the store runs names it, so one database (and one pool)
	// can hold several stores. A lower-case SQL identifier: letters,
	// digits and underscores, at most 63 bytes, not starting with a digit
	// and not starting with "pg_". Empty means DefaultSchema.
	Schema string

	// ExtensionSchema is where Migrate creates the pg_trgm and btree_gin
	// extensions when the database does not have them yet (installed ones
	// are used wherever they live). Same rules as Schema; empty means "public".
	ExtensionSchema string

	// MaxRetries bounds how many times an operation the store runs in its
	// own transaction is run again after a serialization failure (SQLSTATE
	// 40001) or a deadlock (40P01) before crm.ErrConflict is returned. 0
	// means DefaultMaxRetries; a negative value means no retry. Operations
	// inside a caller's transaction are never retried: the caller's
	// transaction is aborted and the error returned.
	MaxRetries int

	// RowLevelSecurity makes the store name the tenant of every statement
	// in the transaction-local setting crm.tenant, which the tables'
	// row-level security policies check. Turn it on when the store
	// connects as a role the policies bind (see the package documentation,
	// "Row-level security"). Reads outside a transaction then run in a
	// short transaction of their own.
	RowLevelSecurity bool

	// TextSearch says how Query.Text finds customers: SubstringSearch
	// (the zero value, on trigram indexes) or PrefixSearch (on b-trees,
	// far cheaper for bulk import). Migrate builds the indexes of the
	// mode, so the store that migrates and the stores that serve must
	// agree; see "Text search and import speed" in the package docs.
	TextSearch TextSearch
}

// Store is the PostgreSQL implementation of [storage.Store]. The host owns
// the pool; the store never closes it. A Store is safe for concurrent use.
type Store struct {
	pool      *pgxpool.Pool
	schema    string // validated, unquoted
	extSchema string
	retries   int
	rls       bool
	// grace is cancelGrace; tests of the store's own package shorten it.
	grace time.Duration
	// textSearch is Options.TextSearch.
	textSearch TextSearch
	sql        statements
	cache      *decodeCache
	customers  *customerStore
	complaint  *complaintStore
	opps       *opportunityStore
	// The ports as application code reaches them: behind the domain
	// packages' checking layers (customer.Guard, complaint.Guard).
	guardedCustomers  customer.Store
	guardedComplaints complaint.Store
	guardedOpps       opportunity.Store
	leads             *leadStore
	guardedLeads      lead.Store
	guardedPlans      customer.AccountPlanStore
	rel               relationStores // see referrals.go
}

var _ storage.Store = (*Store)(nil)

// New returns a store on pool. It runs no statement: the schema must have
// been created by [Store.Migrate] before the store is used. A nil pool or
// an invalid option returns an error wrapping crm.ErrInvalid.
func New(pool *pgxpool.Pool, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Schema == "" {
		o.Schema = DefaultSchema
	}
	if o.ExtensionSchema == "" {
		o.ExtensionSchema = "public"
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	var v crm.Validator
	v.Check(pool != nil, "pool", "must not be nil")
	v.Check(validIdent(o.Schema), "schema", "must be a lower-case SQL identifier of at most 63 bytes not starting with pg_")
	v.Check(validIdent(o.ExtensionSchema), "extension_schema", "must be a lower-case SQL identifier of at most 63 bytes not starting with pg_")
	v.Check(o.TextSearch.Valid(), "text_search", "unknown text search mode")
	if err := v.Err("postgres.New"); err != nil {
		return nil, err
	}
	s := &Store{pool: pool, schema: o.Schema, extSchema: o.ExtensionSchema, retries: o.MaxRetries, rls: o.RowLevelSecurity, textSearch: o.TextSearch,
		grace: cancelGrace}
	s.sql = buildStatements(quoteIdent(o.Schema))
	s.cache = newDecodeCache()
	s.customers = &customerStore{s: s}
	s.complaint = newComplaintStore(s)
	s.guardedCustomers = customer.Guard(s.customers)
	s.guardedComplaints = complaint.Guard(s.complaint)
	s.opps = newOpportunityStore(s)
	s.guardedOpps = opportunity.Guard(s.opps)
	s.leads = newLeadStore(s)
	s.guardedLeads = lead.Guard(s.leads)
	s.guardedPlans = customer.GuardAccountPlans(newPlanStore(s))
	s.rel.init(s)
	return s, nil
}

// Schema returns the schema the store lives in.
func (s *Store) Schema() string { return s.schema }

// Customers returns the customer store, behind customer.Guard. It also
// implements [CustomerImporter].
func (s *Store) Customers() customer.Store { return s.guardedCustomers }

// Complaints returns the complaint store, behind complaint.Guard:
// complaints, their audit trail and the risks raised from complaint
// hotspots.
func (s *Store) Complaints() complaint.Store { return s.guardedComplaints }

// Opportunities returns the opportunity store, behind opportunity.Guard:
// opportunities and their stage history.
func (s *Store) Opportunities() opportunity.Store { return s.guardedOpps }

// Leads returns the lead store (with its campaigns and assignment state),
// behind lead.Guard. It also implements [LeadImporter].
func (s *Store) Leads() lead.Store { return s.guardedLeads }

// validIdent reports whether name is a plain lower-case identifier that
// needs no quoting and is not reserved for the system catalogs.
func validIdent(name string) bool {
	if name == "" || len(name) > 63 || strings.HasPrefix(name, "pg_") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// quoteIdent quotes a validated identifier.
func quoteIdent(name string) string { return `"` + name + `"` }

// querier is what both a pool and a transaction offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// txKey is the context key of the transaction in progress.
type txKey struct{}

// txState is a transaction carried in a context.
type txState struct {
	tx pgx.Tx
	// host is true for a transaction the host began (WithTx): the store
	// neither commits nor retries it.
	host bool
	// tenant is the value crm.tenant was last set to in this transaction
	// (row-level security only). It is trusted only in transactions the
	// store began: a host may roll back to a savepoint behind the store's
	// back, which undoes set_config, so in a host's transaction the tenant
	// is set again by every operation.
	tenant string
	// over is set once the transaction ended (committed or rolled back):
	// a context still carrying it (the one after-commit functions
	// receive, say) no longer joins it, and store calls made with it run
	// on their own.
	over atomic.Bool
}

// WithTx returns a context carrying the host's transaction tx, and the
// commit scope of that transaction. Store calls made with the context (or
// one derived from it) run inside tx, and so does InTx, which then joins
// tx instead of beginning its own. The host commits or rolls back tx; the
// store never does, and never retries inside it. As with any pgx.Tx, calls
// sharing tx must not run concurrently.
//
// The store cannot know when the host commits, so the host says so through
// the scope: functions registered with crm.AfterCommit under the context
// (services publish their events that way) run only when the host calls
// scope.Commit() after its own COMMIT succeeded, and are dropped by
// scope.Rollback() after a rollback or a failed COMMIT, which runs the
// functions registered with crm.AfterRollback instead (the entities
// created or saved in tx are put back as they were, ready to be stored
// again):
//
//	ctx, scope := postgres.WithTx(ctx, tx)
//	err := work(ctx) // services and store calls
//	if err == nil {
//		err = tx.Commit(ctx)
//	}
//	if err != nil {
//		_ = tx.Rollback(ctx)
//		scope.Rollback()
//		return err
//	}
//	scope.Commit() // now the sinks hear of the change
//
// A host that calls neither loses the after-commit functions (no event is
// ever published early), and the entities stored in a rolled-back tx stay
// marked saved. When ctx already carries a commit scope, the new
// one nests in it: its functions run when the outer scope commits.
func WithTx(ctx context.Context, tx pgx.Tx) (context.Context, *crm.CommitScope) {
	ctx, sc := crm.NewCommitScope(ctx)
	st := &txState{tx: tx, host: true}
	// Registered first, so it runs first: the functions that follow see
	// the host's transaction as over.
	crm.AfterCommit(ctx, func(context.Context) { st.over.Store(true) })
	return context.WithValue(ctx, txKey{}, st), sc
}

// TxFrom returns the transaction carried by ctx (begun by InTx or given
// with WithTx), if any and not yet over.
func TxFrom(ctx context.Context) (pgx.Tx, bool) {
	st := txOf(ctx)
	if st == nil {
		return nil, false
	}
	return st.tx, true
}

// txOf returns the transaction carried by ctx, nil when there is none or
// it is over.
func txOf(ctx context.Context) *txState {
	st, _ := ctx.Value(txKey{}).(*txState)
	if st == nil || st.over.Load() {
		return nil
	}
	return st
}

// InTx runs fn in a transaction carried by the context fn receives (see
// crm.Transactor). A context that already carries a transaction (of any
// Store, or the host's through WithTx) is joined: fn runs in it and
// nothing is committed here. Otherwise InTx begins a READ COMMITTED
// transaction, commits it when fn returns nil and rolls it back when fn
// returns an error or panics (the panic is re-raised). fn runs once: a
// serialization failure or deadlock inside it, or at commit, is returned
// as an error wrapping crm.ErrConflict for the caller to retry.
//
// The transaction InTx begins has a commit scope (crm.NewCommitScope):
// functions registered with crm.AfterCommit inside fn run after the COMMIT
// succeeded and are dropped when the transaction rolls back (fn failed or
// panicked, or the COMMIT failed), when those registered with
// crm.AfterRollback run instead (an entity fn created or saved is put back
// as it was before). When the COMMIT was sent but its outcome cannot be
// known (see "Honest results" in the package documentation), the scope is
// rolled back too, and the error wraps crm.ErrOutcomeUnknown: the entities
// are put back, so that a retried Create either stores them or, when the
// first COMMIT did take effect, fails with crm.ErrDuplicate; nothing is
// stored twice.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if fn == nil {
		return fmt.Errorf("postgres: transaction: %w", crm.Invalid("postgres.InTx", "fn", "must not be nil"))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: transaction: %w", err)
	}
	if txOf(ctx) != nil {
		return fn(ctx)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.mapErr(ctx, "begin", err)
	}
	sctx, sc := crm.NewCommitScope(ctx)
	st := &txState{tx: tx}
	committed := false
	defer func() {
		st.over.Store(true)
		if !committed {
			sc.Rollback()
		}
	}()
	if err := s.finish(ctx, tx, func() error { return fn(context.WithValue(sctx, txKey{}, st)) }); err != nil {
		return err
	}
	committed = true
	st.over.Store(true) // after-commit functions may use the store on their own
	sc.Commit()
	return nil
}

// commitTimeout bounds how long the store waits for the answer to a
// COMMIT it sent, whatever the caller's context says.
const commitTimeout = 15 * time.Second

// finish runs body, then commits tx, or rolls it back on error or panic.
// Once body succeeded, the caller's cancellation no longer counts: the
// COMMIT is sent and its answer awaited with a context that only a bounded
// timeout ends, and the true outcome is returned (an error wrapping
// crm.ErrOutcomeUnknown when the connection was lost before the answer).
func (s *Store) finish(ctx context.Context, tx pgx.Tx, body func() error) (err error) {
	done := false
	defer func() {
		if !done {
			// A panic: roll back (with a context that is still alive) and
			// let it go on.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = tx.Rollback(rctx)
			cancel()
		}
	}()
	err = body()
	done = true
	if err != nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = tx.Rollback(rctx)
		cancel()
		return err
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	if err := tx.Commit(cctx); err != nil {
		return s.commitErr(err)
	}
	return nil
}

// commitErr maps the error of a COMMIT. An answer of the server (a
// serialization failure, a deferred constraint) means the transaction
// rolled back; an error before anything was sent means nothing happened;
// any other failure (the connection was lost, the bounded wait ran out)
// leaves the outcome unknown.
func (s *Store) commitErr(err error) error {
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && !unavailableCode(pe.Code):
		return s.mapErr(context.Background(), "commit", err)
	case errors.Is(err, pgx.ErrTxCommitRollback):
		// A statement failed inside the transaction and fn went on: the
		// server rolled back, nothing was stored.
		return errors.New("postgres: commit: rolled back: an earlier statement of the transaction failed")
	case pgconn.SafeToRetry(err):
		return fmt.Errorf("postgres: commit: not sent: %w", crm.ErrUnavailable)
	}
	return fmt.Errorf("postgres: commit: %w (%s)", crm.ErrOutcomeUnknown, err.Error())
}

// single runs fn on the transaction in ctx, or else on the pool (in a
// short transaction of its own when row-level security is on), retrying
// outside a caller's transaction. Use it for operations of one statement.
func (s *Store) single(ctx context.Context, tenant crm.TenantID, fn func(q querier) error) error {
	if st := txOf(ctx); st != nil {
		if err := s.setTenant(ctx, st, tenant); err != nil {
			return err
		}
		return fn(st.tx)
	}
	if s.rls {
		return s.atomic(ctx, tenant, func(tx pgx.Tx) error { return fn(tx) })
	}
	return s.retry(ctx, func() error { return fn(s.pool) })
}

// atomic runs fn in the transaction in ctx, or else in a transaction of
// its own, retried after serialization failures and deadlocks. Use it for
// operations of several statements.
func (s *Store) atomic(ctx context.Context, tenant crm.TenantID, fn func(tx pgx.Tx) error) error {
	if st := txOf(ctx); st != nil {
		if err := s.setTenant(ctx, st, tenant); err != nil {
			return err
		}
		return fn(st.tx)
	}
	return s.retry(ctx, func() error {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return err
		}
		st := &txState{tx: tx}
		return s.finish(ctx, tx, func() error {
			if err := s.setTenant(ctx, st, tenant); err != nil {
				return err
			}
			return fn(tx)
		})
	})
}

// lockedUpdate is the frame of every closure update: in the transaction in
// ctx or one of its own (retried, with fn run again, after a serialization
// failure or deadlock), lock reads the row's latest state under a row lock,
// fn runs on it, and save checks and writes the result. An error of fn is
// returned as fnErr, the very value, so that callers can hand it back
// unwrapped; err is any other failure, for the caller to map.
func lockedUpdate[T any](ctx context.Context, s *Store, tenant crm.TenantID,
	lock func(tx pgx.Tx) (T, error), fn func(T) error, save func(tx pgx.Tx, x T) error) (out T, fnErr, err error) {
	var zero T
	err = s.atomic(ctx, tenant, func(tx pgx.Tx) error {
		out, fnErr = zero, nil
		x, err := lock(tx)
		if err != nil {
			return err
		}
		if err := fn(x); err != nil {
			fnErr = err
			return err
		}
		if err := save(tx, x); err != nil {
			return err
		}
		out = x
		return nil
	})
	if fnErr != nil {
		return zero, fnErr, nil
	}
	return out, nil, err
}

// setTenant names the tenant for row-level security, once per tenant per
// transaction the store began, before every operation in a host's
// transaction (where a ROLLBACK TO SAVEPOINT may have undone it).
func (s *Store) setTenant(ctx context.Context, st *txState, tenant crm.TenantID) error {
	if !s.rls || (!st.host && st.tenant == string(tenant)) {
		return nil
	}
	if _, err := st.tx.Exec(ctx, "SELECT set_config('crm.tenant', $1, true)", string(tenant)); err != nil {
		return err
	}
	st.tenant = string(tenant)
	return nil
}

// retry runs op until it succeeds, fails for another reason than a
// serialization failure or deadlock, or the retries are used up.
func (s *Store) retry(ctx context.Context, op func() error) error {
	for attempt := 0; ; attempt++ {
		err := op()
		if err == nil || attempt >= s.retries || !retryable(err) {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("%w (stopped retrying after: %s)", cerr, err.Error())
		}
		// Back off a little, with jitter, so that the contenders spread.
		d := time.Duration(1<<min(attempt, 6)) * time.Millisecond
		d += rand.N(d)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (stopped retrying after: %s)", ctx.Err(), err.Error())
		case <-t.C:
		}
	}
}

// SQLSTATE codes the store reacts to.
const (
	codeSerialization = "40001"
	codeDeadlock      = "40P01"
	codeUnique        = "23505"
	codeForeignKey    = "23503"
	codeLockTimeout   = "55P03"
	codeQueryCanceled = "57014"
	// codeInsufficientPrivilege is also what a row-level security
	// policy's WITH CHECK raises.
	codeInsufficientPrivilege = "42501"
)

func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == codeSerialization || pe.Code == codeDeadlock
	}
	return false
}

// unavailableCode reports whether a SQLSTATE says the server could not
// serve the statement for a reason of its own or of the connection, not
// of the input: connection exceptions (08), operator intervention (57:
// shutdown, cancelled by a timeout or an administrator), insufficient
// resources (53), system errors (58), an idle session timed out (25P03),
// and insufficient privilege (42501), which is what a row-level security
// policy raises when crm.tenant does not name the row's tenant.
func unavailableCode(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "57"), strings.HasPrefix(code, "53"),
		strings.HasPrefix(code, "58"), code == "25P03", code == codeInsufficientPrivilege:
		return true
	}
	return false
}

// connectionLost reports whether err (not a server error) says that the
// connection to the server failed or was closed.
func connectionLost(err error) bool {
	var ne net.Error
	var ce *pgconn.ConnectError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED):
		return true
	}
	// pgconn reports a use of a closed or busy connection with an
	// unexported error that is safe to retry.
	return pgconn.SafeToRetry(err) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// ownSentinels are the kernel errors an error the store made (or a
// caller's function returned) may wrap; such errors are not mapped again.
var ownSentinels = []error{crm.ErrInvalid, crm.ErrNotFound, crm.ErrConflict, crm.ErrDuplicate,
	crm.ErrUnavailable, crm.ErrOutcomeUnknown, crm.ErrMerged, crm.ErrErased, crm.ErrInvalidTransition}

// mapErr turns an error from pgx into one wrapping the kernel's sentinels
// (see "Errors" in the package documentation). Errors that already wrap a
// sentinel (made by the store itself, or returned by a caller's function)
// pass through. A driver error is not kept in the chain for the mapped
// cases: only its SQLSTATE and message text are. The error itself decides:
// a statement that failed for its own reason while the caller's context
// ended reports that reason.
func (s *Store) mapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		var sentinel error
		switch {
		case pe.Code == codeSerialization || pe.Code == codeDeadlock || pe.Code == codeLockTimeout:
			sentinel = crm.ErrConflict
		case pe.Code == codeUnique:
			sentinel = crm.ErrDuplicate
		case pe.Code == codeForeignKey:
			sentinel = crm.ErrNotFound
		case strings.HasPrefix(pe.Code, "22"), strings.HasPrefix(pe.Code, "23"):
			// Data exceptions and other integrity violations: the input.
			sentinel = crm.ErrInvalid
		case unavailableCode(pe.Code):
			sentinel = crm.ErrUnavailable
		}
		if sentinel != nil {
			return fmt.Errorf("postgres: %s: %w (SQLSTATE %s: %s)", op, sentinel, pe.Code, pe.Message)
		}
		return fmt.Errorf("postgres: %s: server error (SQLSTATE %s: %s)", op, pe.Code, pe.Message)
	}
	for _, sentinel := range ownSentinels {
		if errors.Is(err, sentinel) {
			if strings.HasPrefix(err.Error(), "postgres: ") {
				return err
			}
			return fmt.Errorf("postgres: %s: %w", op, err)
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	if cerr := ctx.Err(); cerr != nil {
		// The failure followed the end of the caller's context (pgx
		// interrupts the connection then).
		return fmt.Errorf("postgres: %s: %w (%s)", op, cerr, err.Error())
	}
	if connectionLost(err) {
		return fmt.Errorf("postgres: %s: %w (%s)", op, crm.ErrUnavailable, err.Error())
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// cancelGrace is how long a write that the caller cancelled waits for
// the server's answer to the cancel request before giving up on the
// connection (and on knowing the outcome).
const cancelGrace = 5 * time.Second

// write runs a writing operation like single, with fn given the context
// to run its statements with. In a transaction (the caller's, or one of
// its own under row-level security) the outcome is decided by the COMMIT
// (see finish). On the pool, each statement commits on its own on the
// server, so the caller's cancellation must not cut the connection while
// one runs (its outcome would be lost): the statements run with a context
// the caller cannot cancel, and the caller's cancellation sends the
// server a cancel request instead. The server then answers either with
// the statement's result (it completed: the change is stored and nil is
// returned) or with "canceling statement" (nothing stored: the error
// wraps the caller's ctx.Err()). Only when no answer comes within
// cancelGrace, or the connection breaks, is the outcome unknown: the
// error then wraps crm.ErrOutcomeUnknown.
func (s *Store) write(ctx context.Context, tenant crm.TenantID, fn func(ctx context.Context, q querier) error) error {
	if txOf(ctx) != nil || s.rls {
		return s.single(ctx, tenant, func(q querier) error { return fn(ctx, q) })
	}
	return s.retry(ctx, func() error { return s.autocommit(ctx, fn) })
}

// autocommit runs fn on a connection of its own; see write.
//
// fn gets a context that is never cancelled, so pgx starts no watcher of
// its own per statement (a goroutine and its hand-offs: about 7 µs of a
// 200 µs Create on this project's machine). The caller's cancellation is
// watched here instead, once per call: it sends the cancel request, and
// if the server has not answered within the grace period, a deadline on
// the connection's socket interrupts whatever pgx is waiting for (what
// pgx's own watcher does on a cancelled context).
func (s *Store) autocommit(ctx context.Context, fn func(ctx context.Context, q querier) error) error {
	conn, err := s.pool.Acquire(ctx) // waiting for a connection honours ctx
	if err != nil {
		return err
	}
	var grace *time.Timer
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(fired)
		pc := conn.Conn().PgConn()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.grace)
		defer cancel()
		// The timer starts before the request: a server that never
		// answers the request is given the same grace as one that
		// never answers the statement.
		grace = time.AfterFunc(s.grace, func() {
			cancel()
			_ = pc.Conn().SetDeadline(time.Now())
		})
		_ = pc.CancelRequest(rctx)
	})
	err = fn(context.WithoutCancel(ctx), conn)
	if stop() {
		conn.Release()
	} else {
		<-fired
		grace.Stop()
		// A cancel request went to the server: it could still land on
		// the connection's next statement, so the connection is not
		// reused.
		if c := conn.Hijack(); c != nil {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			_ = c.Close(cctx)
			cancel()
		}
	}
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && pe.Code == codeQueryCanceled && ctx.Err() != nil:
		return fmt.Errorf("%w (the server cancelled the statement: nothing was stored)", ctx.Err())
	case errors.As(err, &pe) || pgconn.SafeToRetry(err) || !sentStatement(err):
		return err
	}
	return fmt.Errorf("%w: %w", crm.ErrOutcomeUnknown, err)
}

// sentStatement reports whether err (from running a statement on the
// pool) may have come after the statement reached the server: anything
// but the store's own errors and a failure to get a connection.
func sentStatement(err error) bool {
	for _, sentinel := range ownSentinels {
		if errors.Is(err, sentinel) {
			return false
		}
	}
	var ce *pgconn.ConnectError
	return !errors.As(err, &ce)
}
