package postgres_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
	"github.com/crmkit/crm/storage/storagetest"
)

// TestSchemaReadyToShard proves, from the catalog of a migrated schema,
// what a distributed PostgreSQL that shards by tenant (Citus's
// multi-tenant model) needs: tenant_id leads every primary key, every
// foreign key and every unique constraint or index includes it, and
// nothing draws from a sequence. See docs/SCALING.md.
func TestSchemaReadyToShard(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	pool := pgtest.Pool(t)

	tables := queryStrings(t, pool, `
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
		ORDER BY 1`, s.Schema())
	require.GreaterOrEqual(t, len(tables), 7, "the store's tables: %v", tables)

	for _, table := range tables {
		first := queryStrings(t, pool, `
			SELECT a.attname FROM pg_index i
			JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
			WHERE n.nspname = $1 AND c.relname = $2 AND i.indisprimary`, s.Schema(), table)
		require.Equal(t, []string{"tenant_id"}, first, "table %s: tenant_id must lead the primary key", table)
	}

	// Every unique index (primary keys included) and every foreign key
	// includes tenant_id on both sides.
	badUnique := queryStrings(t, pool, `
		SELECT ci.relname FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_class ci ON ci.oid = i.indexrelid
		WHERE n.nspname = $1 AND i.indisunique AND NOT EXISTS (
			SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid
			AND a.attnum = ANY (i.indkey) AND a.attname = 'tenant_id')
		AND c.relname <> 'schema_migrations'`, s.Schema())
	require.Empty(t, badUnique, "unique indexes without tenant_id")

	badFK := queryStrings(t, pool, `
		SELECT con.conname FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
		WHERE n.nspname = $1 AND con.contype = 'f' AND (
			NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey) AND a.attname = 'tenant_id')
			OR NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = con.confrelid AND a.attnum = ANY (con.confkey) AND a.attname = 'tenant_id'))`, s.Schema())
	require.Empty(t, badFK, "foreign keys without tenant_id on both sides")

	seqs := queryStrings(t, pool, `
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind = 'S'`, s.Schema())
	require.Empty(t, seqs, "sequences in the schema")
	defaults := queryStrings(t, pool, `
		SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = $1 AND (column_default LIKE '%nextval(%' OR is_identity = 'YES')`, s.Schema())
	require.Empty(t, defaults, "columns drawing from a sequence")
	_ = ctx
}

func queryStrings(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return out
}

// sqlLog is a pgx tracer that keeps the text of every statement sent.
type sqlLog struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (l *sqlLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	l.seen[d.SQL] = true
	l.mu.Unlock()
	return ctx
}

func (l *sqlLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (l *sqlLog) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceCopyFromStartData) context.Context {
	return ctx
}

func (l *sqlLog) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}

// notData matches statements that touch no table of the store: transaction
// control and the row-level security setting.
var notData = regexp.MustCompile(`(?is)^\s*(begin|commit|rollback|savepoint|release|select set_config\('crm\.tenant')`)

// filtersTenant matches a statement that names one tenant: a predicate on
// tenant_id against a parameter or another tenant_id (a join within the
// tenant), or an insert whose column list has tenant_id.
var filtersTenant = regexp.MustCompile(`(?is)tenant_id\s*(=|in\s*\(|=\s*any)\s*(\$\d|[a-z_]+\.tenant_id)|insert\s+into\s+\S+\s*\([^)]*tenant_id`)

// crossTenant lists the statements that are meant to span tenants: in a
// sharded cluster they are the multi-shard queries docs/SCALING.md names.
var crossTenant = []string{
	"outbox_claim_all", // claiming outbox events of every tenant at once
}

// TestEveryStatementFiltersByTenant runs the whole conformance suite on a
// pool whose tracer records every statement the store sends, then checks
// that each one that reads or writes the store's tables names tenant_id,
// so that a cluster sharded by tenant can route it to one shard.
func TestEveryStatementFiltersByTenant(t *testing.T) {
	t.Parallel()
	log := &sqlLog{seen: map[string]bool{}}
	pool := pgtest.NewPool(t, func(c *pgxpool.Config) { c.ConnConfig.Tracer = log })
	t.Run("suite", func(t *testing.T) {
		storagetest.Run(t, func(t testing.TB) storage.Store {
			s, err := postgres.New(pool, &postgres.Options{Schema: pgtest.Schema(t)})
			require.NoError(t, err)
			_, err = s.Migrate(context.Background())
			require.NoError(t, err)
			log.mu.Lock()
			clear(log.seen) // migrations are DDL, sent once per schema
			log.mu.Unlock()
			return s
		}, storagetest.Features{})
	})
	log.mu.Lock()
	defer log.mu.Unlock()
	require.Greater(t, len(log.seen), 20, "the tracer saw too few statements: is it installed?")
	var missing []string
	for sql := range log.seen {
		if notData.MatchString(sql) || filtersTenant.MatchString(sql) || isMigration(sql) || isCrossTenant(sql) {
			continue
		}
		missing = append(missing, sql)
	}
	require.Empty(t, missing, "statements that do not filter by tenant_id")
}

func isMigration(sql string) bool {
	s := strings.ToLower(strings.TrimSpace(sql))
	for _, p := range []string{"create ", "alter ", "drop ", "comment ", "grant ", "revoke ", "do ", "select pg_advisory", "set local", "select to_regclass"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return strings.Contains(s, "schema_migrations") || strings.Contains(s, "pg_catalog") || strings.Contains(s, "pg_extension")
}

func isCrossTenant(sql string) bool {
	for _, name := range crossTenant {
		if strings.Contains(sql, "/* "+name+" */") {
			return true
		}
	}
	return false
}
