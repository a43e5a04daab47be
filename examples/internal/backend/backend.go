// Package backend opens the store an example runs on: the in-memory store
// by default, or a fresh schema of a PostgreSQL database when the
// environment variable CRM_EXAMPLE_POSTGRES_DSN holds a connection string
// (a libpq keyword/value string or a postgres:// URL):
//
//	CRM_EXAMPLE_POSTGRES_DSN='host=localhost user=postgres dbname=crm' go run ./examples/venue
//
// Each run migrates a schema of its own, named after the example and the
// process, and drops it when the example closes the backend, so runs never
// see each other's data and print the same report as on the in-memory store.
package backend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/memory"
	"github.com/crmkit/crm/storage/postgres"
)

// EnvDSN is the environment variable that switches the examples to
// PostgreSQL.
const EnvDSN = "CRM_EXAMPLE_POSTGRES_DSN"

// Store is what the examples need from a store: every port and the
// transactional outbox. Both storage/memory and storage/postgres are one.
type Store interface {
	storage.Store
	storage.Outbox
}

// Backend is an open store and what closing it takes.
type Backend struct {
	// Store is the store the example runs on.
	Store Store
	// Name says which store it is: "memory" or "postgres".
	Name  string
	close func(context.Context) error
}

// Close drops the example's PostgreSQL schema and closes its pool; for the
// in-memory store it does nothing.
func (b *Backend) Close(ctx context.Context) error {
	if b == nil || b.close == nil {
		return nil
	}
	return b.close(ctx)
}

// Open opens the store for the example called name (a short lower-case
// word): PostgreSQL when EnvDSN is set, the in-memory store otherwise.
func Open(ctx context.Context, name string) (*Backend, error) {
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		return &Backend{Store: memory.New(nil), Name: "memory"}, nil
	}
	return OpenPostgres(ctx, dsn, name)
}

// OpenPostgres migrates a fresh schema named after the example in the
// database at dsn and returns a store on it.
func OpenPostgres(ctx context.Context, dsn, name string) (*Backend, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("backend: %s: %w", EnvDSN, err)
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	schema := fmt.Sprintf("example_%s_%d_%s", name, os.Getpid(), hex.EncodeToString(suffix[:]))
	store, err := postgres.New(pool, &postgres.Options{Schema: schema})
	if err == nil {
		_, err = store.Migrate(ctx)
	}
	drop := func(ctx context.Context) error {
		defer pool.Close()
		_, err := pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		return err
	}
	if err != nil {
		_ = drop(ctx)
		return nil, fmt.Errorf("backend: migrating schema %s: %w", schema, err)
	}
	return &Backend{Store: store, Name: "postgres", close: drop}, nil
}
