package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// fingerprint describes everything the migrations create in schema
// (tables, columns, constraints, indexes, policies, domains, RLS flags,
// recorded versions), with the schema's name blanked out, so that two
// schemas can be compared.
func fingerprint(t testing.TB, schema string) []string {
	t.Helper()
	const q = `
SELECT 'column ' || c.table_name || '.' || c.column_name || ' ' || c.data_type || ' ' || c.udt_name || ' ' || c.is_nullable || ' ' || coalesce(c.column_default, '')
  FROM information_schema.columns c WHERE c.table_schema = $1
UNION ALL
SELECT 'constraint ' || cl.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
  FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = $1
UNION ALL
SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = $1
UNION ALL
SELECT 'policy ' || tablename || ' ' || policyname || ' ' || coalesce(qual, '') || ' ' || coalesce(with_check, '') FROM pg_policies WHERE schemaname = $1
UNION ALL
SELECT 'rls ' || relname || ' ' || relrowsecurity || ' ' || relforcerowsecurity
  FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = $1 AND cl.relkind = 'r'
UNION ALL
SELECT 'domain ' || t.typname || ' ' || format_type(t.typbasetype, t.typtypmod) || ' ' || coalesce(string_agg(pg_get_constraintdef(co.oid), ', '), '')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_constraint co ON co.contypid = t.oid
  WHERE n.nspname = $1 AND t.typtype = 'd' GROUP BY t.typname, t.typbasetype, t.typtypmod
UNION ALL
SELECT 'migration ' || version || ' ' || name FROM ` + "%s" + `.schema_migrations
ORDER BY 1`
	rows, err := pgtest.Pool(t).Query(context.Background(), strings.Replace(q, "%s", `"`+schema+`"`, 1), schema)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		out = append(out, strings.ReplaceAll(line, schema, "SCHEMA"))
	}
	require.NoError(t, rows.Err())
	return out
}

func migrationVersions() []int {
	var v []int
	for _, m := range postgres.Migrations() {
		v = append(v, m.Version)
	}
	return v
}

// TestMigrate checks that Migrate applies every migration once, in order,
// and that running it again changes nothing.
func TestMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := postgres.New(pgtest.Pool(t), &postgres.Options{Schema: pgtest.Schema(t)})
	require.NoError(t, err)
	v, err := s.SchemaVersion(ctx)
	require.NoError(t, err)
	require.Zero(t, v, "no schema yet")
	applied, err := s.Migrate(ctx)
	require.NoError(t, err)
	require.Equal(t, migrationVersions(), applied)
	before := fingerprint(t, s.Schema())
	require.NotEmpty(t, before)
	applied, err = s.Migrate(ctx)
	require.NoError(t, err)
	require.Empty(t, applied)
	require.Equal(t, before, fingerprint(t, s.Schema()))
	v, err = s.SchemaVersion(ctx)
	require.NoError(t, err)
	all := migrationVersions()
	require.Equal(t, all[len(all)-1], v)
}

// TestMigrateConcurrently runs Migrate from several stores at once on one
// fresh schema (as several processes starting together would): all
// succeed, each migration is applied exactly once, and the schema ends up
// the same as one migrated alone.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reference := newStore(t, nil)
	want := fingerprint(t, reference.Schema())

	schema := pgtest.Schema(t)
	const n = 4
	var (
		wg      sync.WaitGroup
		applied [n][]int
		errs    [n]error
	)
	for i := range n {
		// A pool each: separate sessions, like separate processes.
		s, err := postgres.New(pgtest.NewPool(t, nil), &postgres.Options{Schema: schema})
		require.NoError(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied[i], errs[i] = s.Migrate(ctx)
		}()
	}
	wg.Wait()
	var total []int
	for i := range n {
		require.NoError(t, errs[i])
		total = append(total, applied[i]...)
	}
	require.ElementsMatch(t, migrationVersions(), total, "each migration applied exactly once")
	require.Equal(t, want, fingerprint(t, schema))
}

// TestMigrations checks the embedded migrations: versions from 1 without
// gaps, placeholders instead of schema names, and the objects the store
// relies on.
func TestMigrations(t *testing.T) {
	t.Parallel()
	list := postgres.Migrations()
	require.NotEmpty(t, list)
	for i, m := range list {
		require.Equal(t, i+1, m.Version, m.Name)
		require.True(t, strings.HasSuffix(m.Name, ".sql"))
		require.Contains(t, m.SQL, "{{schema}}.", m.Name)
		require.NotContains(t, strings.ToLower(m.SQL), "crm.customers", "schema names must be placeholders")
	}
	all := list[0].SQL
	for _, want := range []string{"ROW LEVEL SECURITY", "gin_trgm_ops", "PRIMARY KEY (tenant_id, id)"} {
		require.Contains(t, all, want)
	}
}
