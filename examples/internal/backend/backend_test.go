package backend_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/examples/internal/backend"
)

// The examples run on the in-memory store unless told otherwise, and on
// PostgreSQL when CRM_EXAMPLE_POSTGRES_DSN is set (CI runs them so).
func TestOpen(t *testing.T) {
	ctx := context.Background()
	b, err := backend.Open(ctx, "test")
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Close(ctx)) }()
	want := "memory"
	if os.Getenv(backend.EnvDSN) != "" {
		want = "postgres"
	}
	require.Equal(t, want, b.Name)
	require.NotNil(t, b.Store)
}

func TestOpenPostgresRefusesABadDSN(t *testing.T) {
	_, err := backend.OpenPostgres(context.Background(), "host=/nonexistent-socket-dir port=1 connect_timeout=1", "test")
	require.Error(t, err)
}
