package postgres

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"

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
}

var historyColumns = []string{"tenant_id", "customer_id", "origin_id", "seq", "kind", "from_value", "to_value", "at", "actor", "reason"}

// ImportCustomers implements CustomerImporter with COPY (binary format)
// into the customers and history tables, inside the transaction in ctx or
// one of its own. With Options.RowLevelSecurity on, PostgreSQL refuses
// COPY into tables whose policies bind the role, so the import then runs
// the Create statement for each customer in pipelined batches instead, in
// the same single transaction.
func (cs *customerStore) ImportCustomers(ctx context.Context, customers []*customer.Customer) error {
	const op = "postgres.Customers.ImportCustomers"
	type key struct {
		tenant crm.TenantID
		id     crm.ID
	}
	var v crm.Validator
	problems := 0
	vals := make([]customerValues, len(customers))
	encErrs := encodeAll(op, customers, vals)
	seen := make(map[key]int, len(customers))
	nHist := 0
	for i, c := range customers {
		if problems >= MaxImportProblems {
			problems++
			continue
		}
		// Paths are built only for a customer with a problem.
		switch {
		case c == nil:
			v.Addf(importPath(i), "must not be nil")
			problems++
		case c.Version() != 0:
			v.Addf(importPath(i)+".version", "must be 0 for a new customer")
			problems++
		default:
			k := key{c.Tenant(), c.ID()}
			if j, dup := seen[k]; dup {
				v.Addf(importPath(i)+".id", "duplicate of customers[%d]", j)
				problems++
				break
			}
			seen[k] = i
			if err := encErrs[i]; err != nil {
				v.Merge(importPath(i), err)
				problems++
				break
			}
			vals[i].args[2] = int64(1)
			nHist += len(vals[i].hist.seq)
		}
	}
	if problems > MaxImportProblems {
		v.Addf("customers", "%d more customers not checked", problems-MaxImportProblems)
	}
	if err := v.Err(op); err != nil {
		return fmt.Errorf("postgres: import customers: %w", err)
	}
	if len(customers) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: import customers: %w", err)
	}
	s := cs.s
	err := s.atomic(ctx, customers[0].Tenant(), func(tx pgx.Tx) error {
		if s.rls {
			return cs.importByStatements(ctx, tx, customers, vals)
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{s.schema, "customers"}, customerColumns,
			pgx.CopyFromSlice(len(vals), func(i int) ([]any, error) { return vals[i].args, nil }))
		if err != nil {
			return err
		}
		if n != int64(len(vals)) {
			return fmt.Errorf("postgres: import customers: copied %d of %d rows", n, len(vals))
		}
		rows := make([][]any, 0, nHist)
		for i := range vals {
			h := &vals[i].hist
			tenant := vals[i].args[0]
			for j := range h.seq {
				rows = append(rows, []any{tenant, h.customerID[j], h.originID[j], h.seq[j], h.kind[j], h.from[j], h.to[j], h.at[j], h.actor[j], h.reason[j]})
			}
		}
		if len(rows) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.schema, "customer_history"}, historyColumns, pgx.CopyFromRows(rows)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return cs.writeErr(ctx, "import customers", err)
	}
	for _, c := range customers {
		customerHooks.Saved(c, 1)
	}
	return nil
}

// importPath is the path of customers[i] in an import's validation error.
func importPath(i int) string { return "customers[" + strconv.Itoa(i) + "]" }

// importEncodeChunk is the fewest customers per goroutine for which
// encodeAll encodes in parallel.
const importEncodeChunk = 2048

// encodeAll encodes (and so validates) every non-nil customer at version
// 0 into vals, returning each one's error. Large batches are split over up
// to GOMAXPROCS goroutines (at most 4), all finished before it returns:
// the server is idle while an import validates, so this is time the import
// gains. encodeCustomer only reads the customers.
func encodeAll(op string, customers []*customer.Customer, vals []customerValues) []error {
	errs := make([]error, len(customers))
	encode := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if c := customers[i]; c != nil && c.Version() == 0 {
				vals[i], errs[i] = encodeCustomer(op, c)
			}
		}
	}
	n := len(customers)
	workers := min(runtime.GOMAXPROCS(0), 4, n/importEncodeChunk)
	if workers < 2 {
		encode(0, n)
		return errs
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo int) {
			defer wg.Done()
			encode(lo, min(lo+chunk, n))
		}(lo)
	}
	encode(0, chunk)
	wg.Wait()
	return errs
}

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
			b.Queue(s.sql.createCustomer, append(vals[i].args, vals[i].hist.args()...)...)
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
