package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/crmkit/crm"
)

// getDoc reads one record of a table that keeps its records whole in a
// doc column beside their version: stmt selects (version, doc) by tenant
// and ID, decode rebuilds the record, and mapErr maps a failure of the
// operation named "get <what> <id>". A missing row is crm.ErrNotFound.
// Account plans, leads and the relation records share it.
func getDoc[T any](ctx context.Context, s *Store, tenant crm.TenantID, id crm.ID, what, stmt string,
	decode func(version int64, doc []byte) (T, error), mapErr func(ctx context.Context, op string, err error) error) (T, error) {
	var x, zero T
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("postgres: get %s %s: %w", what, id, err)
	}
	err := s.single(ctx, tenant, func(q querier) error {
		var version int64
		var doc []byte
		if err := q.QueryRow(ctx, stmt, string(tenant), uuidArg(id)).Scan(&version, &doc); err != nil {
			return err
		}
		var err error
		x, err = decode(version, doc)
		return err
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return zero, notFound(what, id)
	case err != nil:
		return zero, mapErr(ctx, "get "+what+" "+id.String(), err)
	}
	return x, nil
}
