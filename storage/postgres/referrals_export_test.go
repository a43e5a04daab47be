package postgres

import (
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// RelationListSQL returns the statements the relation ports' List runs for
// the first page of each query, with their arguments, for EXPLAIN.
func RelationListSQL(s *Store, tenant crm.TenantID, rq *customer.ReferralQuery, sq *customer.SuggestionQuery, mq *customer.MembershipQuery) (string, []any) {
	var sql string
	var args []any
	switch {
	case rq != nil:
		sql, args = s.rel.refs.listSQL(tenant, *rq, 51)
	case sq != nil:
		sql, args = s.rel.sugs.listSQL(tenant, *sq, 51)
	default:
		sql, args = s.rel.mems.listSQL(tenant, *mq, 51)
	}
	args[1] = pgtype.UUID{Valid: true}
	return sql, args
}
