package postgres_test

import (
	"testing"

	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/storagetest"
)

// TestConformance runs the public conformance suite; every newStore call
// gets a migrated store in a schema of its own.
func TestConformance(t *testing.T) {
	t.Parallel()
	storagetest.Run(t, func(t testing.TB) storage.Store { return newStore(t, nil) }, storagetest.Features{})
}
