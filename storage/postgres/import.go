package postgres

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// MaxImportProblems bounds how many problems an import's validation error
// lists; the count of the rest is given in one more entry.
const MaxImportProblems = customer.MaxImportProblems

// CustomerImporter is customer.Importer, the optional capability of
// storing many new customers at once: far faster here than one Create
// each, with COPY. Store.Customers() has it (behind customer.Guard, which
// checks every customer first):
//
//	if imp, ok := store.Customers().(customer.Importer); ok {
//		err = imp.ImportCustomers(ctx, batch)
//	}
//
// The import is all or nothing: every customer is validated before
// anything is written (a *crm.ValidationError listing the problems by
// index, wrapping crm.ErrInvalid), and a customer whose ID exists already
// in its tenant (or appears twice in the batch) fails the whole import with
// crm.ErrDuplicate. Customers may belong to different tenants.
type CustomerImporter = customer.Importer

var _ CustomerImporter = (*customerStore)(nil)

// customerColumns names the columns COPY fills, in customerCols order.
var customerColumns = []string{
	"tenant_id", "id", "version", "created_at", "updated_at", "kind", "name", "roles", "emails", "phones",
	"addresses", "dates", "time_zone", "prefs", "attrs", "tags", "consents", "notes", "stage", "loyalty", "lifecycle", "class",
	"key_account", "owner_id", "merged_into", "erased_at", "history_seq", "search_text", "search_phones", "contact_keys",
	"last_contact",
}

// lastContactCol is the index of last_contact in customerColumns.
const lastContactCol = 30

var historyColumns = []string{"tenant_id", "customer_id", "origin_id", "seq", "kind", "from_value", "to_value", "at", "actor", "reason"}

// ImportCustomers implements CustomerImporter with COPY (binary format)
// into the customers and history tables, inside the transaction in ctx or
// one of its own, streamed: the customers are encoded on a few goroutines
// while the server copies those before them (see "Bulk import" in the
// package documentation). Every customer reaches it checked by
// customer.Guard; a customer the store itself refuses (text PostgreSQL
// cannot hold) fails the import with a *crm.ValidationError naming it by
// index, and a repeated or existing ID with crm.ErrDuplicate; nothing is
// then stored. With Options.RowLevelSecurity on, PostgreSQL refuses COPY
// into tables whose policies bind the role, so the import then runs the
// Create statement for each customer in pipelined batches instead, in the
// same single transaction.
func (cs *customerStore) ImportCustomers(ctx context.Context, customers []*customer.Customer) error {
	const op = "postgres.Customers.ImportCustomers"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: import customers: %w", err)
	}
	if len(customers) == 0 {
		return nil
	}
	if customers[0] == nil {
		return crm.Invalid(op, importPath(0), "must not be nil")
	}
	s := cs.s
	err := s.atomic(ctx, customers[0].Tenant(), func(tx pgx.Tx) error {
		i := 0
		next := func() (*customer.Customer, error) {
			if i == len(customers) {
				return nil, io.EOF
			}
			i++
			return customers[i-1], nil
		}
		st := txOf(ctx)
		if st == nil {
			st = &txState{tx: tx}
		}
		// The customers are in memory already, and so is their
		// history: one COPY of each.
		_, err := cs.runImport(ctx, op, st, next, customer.AllOrNothing, math.MaxInt, nil, nil)
		return err
	})
	if err != nil {
		return cs.importErr(ctx, err)
	}
	for _, c := range customers {
		customerHooks.Saved(c, 1)
	}
	return nil
}

// importPath is the path of customers[i] in an import's validation error.
func importPath(i int) string { return "customers[" + strconv.Itoa(i) + "]" }

// importByStatements runs the Create statement for every customer, in
// batches, naming each customer's tenant for row-level security.
func (cs *customerStore) importByStatements(ctx context.Context, tx pgx.Tx, customers []*customer.Customer, vals []customerValues) error {
	s := cs.s
	const batchSize = 500
	st := txOf(ctx)
	for start := 0; start < len(customers); start += batchSize {
		end := min(start+batchSize, len(customers))
		var b pgx.Batch
		tenant := ""
		for i := start; i < end; i++ {
			if t := string(customers[i].Tenant()); t != tenant {
				tenant = t
				b.Queue("SELECT set_config('crm.tenant', $1, true)", t)
			}
			stmt, args := vals[i].hist.createArgs(&s.sql, vals[i].args)
			b.Queue(stmt, args...)
		}
		res := tx.SendBatch(ctx, &b)
		tenant = ""
		for i := start; i < end; i++ {
			if t := string(customers[i].Tenant()); t != tenant {
				tenant = t
				if _, err := res.Exec(); err != nil {
					res.Close()
					return err
				}
			}
			var n int64
			if err := res.QueryRow().Scan(&n); err != nil {
				res.Close()
				return err
			}
			if n == 0 {
				res.Close()
				return fmt.Errorf("postgres: import customers: customers[%d] %s: %w", i, customers[i].ID(), crm.ErrDuplicate)
			}
		}
		if err := res.Close(); err != nil {
			return err
		}
		if st != nil {
			st.tenant = tenant
		}
	}
	return nil
}
