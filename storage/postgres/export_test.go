package postgres

import (
	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// ListSQL exposes the statement List runs for the first page, for tests
// that EXPLAIN it.
func ListSQL(s *Store, tenant crm.TenantID, q customer.Query, fetch int) (string, []any, bool) {
	first, _, args, none := listSQL(s.schema, s.textSearch, tenant, q, fetch)
	return first, args, none
}
