package postgres

import (
	"context"

	pgxdecimal "github.com/jackc/pgx-shopspring-decimal"
	"github.com/jackc/pgx/v5"
)

// RegisterTypes registers the Go types the library stores with conn's type
// map: shopspring decimal.Decimal for numeric values, so that amounts (the
// crm_money_amount domain) scan into and encode from decimal.Decimal
// exactly. The store itself needs no registration; hosts that read or
// write money columns with their own statements use it as their pool's
// AfterConnect:
//
//	cfg.AfterConnect = postgres.RegisterTypes
func RegisterTypes(_ context.Context, conn *pgx.Conn) error {
	pgxdecimal.Register(conn.TypeMap())
	return nil
}
