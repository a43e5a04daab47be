package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrateLockKey is the advisory lock Migrate holds for its transaction.
// One key for every schema: migrations of different schemas in one
// database also serialise, which keeps the creation of the shared pg_trgm
// extension race-free.
const migrateLockKey int64 = 0x63726d5f6d696772 // "crm_migr"

// Migration is one embedded schema migration.
type Migration struct {
	// Version numbers the migration; migrations apply in ascending order
	// and each at most once.
	Version int
	// Name is the file name, e.g. "0001_customers.sql".
	Name string
	// SQL is the migration's text, with the placeholders {{schema}} and
	// {{trgm}} (the quoted names of the store's schema and of pg_trgm's)
	// not yet filled in.
	SQL string
}

// Migrations returns the embedded migrations in the order Migrate applies
// them.
func Migrations() []Migration {
	list, err := loadMigrations()
	if err != nil {
		// The files are embedded at build time and checked by the tests.
		return nil
	}
	return list
}

func loadMigrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	var list []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("postgres: migration %q: name must be NNNN_name.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("postgres: migration %q: bad version", name)
		}
		b, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, fmt.Errorf("postgres: migration %q: %w", name, err)
		}
		list = append(list, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
	for i := 1; i < len(list); i++ {
		if list[i].Version == list[i-1].Version {
			return nil, fmt.Errorf("postgres: migrations %q and %q share version %d", list[i-1].Name, list[i].Name, list[i].Version)
		}
	}
	return list, nil
}

// Migrate brings the store's schema up to date: it creates the schema,
// the pg_trgm and btree_gin extensions when the database lacks them, and applies every
// embedded migration not yet recorded in the schema's schema_migrations
// table, in version order. It runs in one transaction holding an advisory
// lock, so it is safe to run from several processes at once (the others
// wait, then find nothing left to do), and running it again changes
// nothing. New never migrates; hosts call Migrate explicitly, typically at
// deployment. It returns the versions it applied.
//
// The role needs the CREATE privilege on the database (for the schema and,
// when missing, the extensions: both are trusted extensions).
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	list, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	var applied []int
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, s.mapErr(ctx, "migrate", err)
	}
	err = s.finish(ctx, tx, func() error {
		applied = nil
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
			return err
		}
		schema := quoteIdent(s.schema)
		if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+schema+`.schema_migrations (
 version    integer     PRIMARY KEY,
 name       text        NOT NULL,
 applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		trgm, err := s.ensureExtensions(ctx, tx)
		if err != nil {
			return err
		}
		done := map[int]bool{}
		rows, err := tx.Query(ctx, "SELECT version FROM "+schema+".schema_migrations")
		if err != nil {
			return err
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			done[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range list {
			if done[m.Version] {
				continue
			}
			text := strings.NewReplacer("{{schema}}", schema, "{{trgm}}", quoteIdent(trgm)).Replace(m.SQL)
			if _, err := tx.Exec(ctx, text); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", m.Name, s.mapErr(ctx, "migrate", err))
			}
			if _, err := tx.Exec(ctx, "INSERT INTO "+schema+".schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name); err != nil {
				return err
			}
			applied = append(applied, m.Version)
		}
		return s.migrateTextSearch(ctx, tx, trgm)
	})
	if err != nil {
		if isOwn(err) || strings.HasPrefix(err.Error(), "postgres: ") {
			return nil, err
		}
		return nil, s.mapErr(ctx, "migrate", err)
	}
	return applied, nil
}

// ensureExtensions makes sure pg_trgm and btree_gin exist, creating a
// missing one in the extension schema, and returns the schema holding
// pg_trgm (its operator class is named in the migrations; btree_gin's are
// the default ones for their types).
func (s *Store) ensureExtensions(ctx context.Context, tx pgx.Tx) (string, error) {
	var trgm string
	for _, ext := range []string{"btree_gin", "pg_trgm"} {
		var schema string
		err := tx.QueryRow(ctx, "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1", ext).Scan(&schema)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			in := quoteIdent(s.extSchema)
			if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+in); err != nil {
				return "", err
			}
			if _, err := tx.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS "+ext+" WITH SCHEMA "+in); err != nil {
				return "", fmt.Errorf("postgres: migrate: create extension %s (install PostgreSQL's contrib modules, or create it as a superuser): %w", ext, s.mapErr(ctx, "migrate", err))
			}
			schema = s.extSchema
		case err != nil:
			return "", err
		}
		trgm = schema
	}
	return trgm, nil
}

// SchemaVersion returns the highest migration version applied to the
// store's schema, 0 when none (or when the schema does not exist).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", quoteIdent(s.schema)+".schema_migrations").Scan(&exists); err != nil {
		return 0, s.mapErr(ctx, "schema version", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := s.pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM "+quoteIdent(s.schema)+".schema_migrations").Scan(&v); err != nil {
		return 0, s.mapErr(ctx, "schema version", err)
	}
	return v, nil
}

// ForceRowLevelSecurity makes the row-level security policies bind the
// tables' owner too (ALTER TABLE … FORCE ROW LEVEL SECURITY), or stops
// doing so. With it on, the store must run with Options.RowLevelSecurity
// whatever role it connects as, or it sees no rows.
func (s *Store) ForceRowLevelSecurity(ctx context.Context, on bool) error {
	verb := "NO FORCE"
	if on {
		verb = "FORCE"
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		tx := txOf(ctx).tx
		for _, t := range []string{"customers", "customer_history", "interactions", "visits", "complaints", "complaint_audit", "complaint_risks", "opportunities", "opportunity_history", "outbox"} {
			if _, err := tx.Exec(ctx, "ALTER TABLE "+quoteIdent(s.schema)+"."+t+" "+verb+" ROW LEVEL SECURITY"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.mapErr(ctx, "force row level security", err)
	}
	return nil
}
