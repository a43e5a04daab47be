package postgres_test

import (
	"testing"

	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
