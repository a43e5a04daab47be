package customer

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
)

// MaxImportBatch bounds how many customers one ImportCustomers call takes.
const MaxImportBatch = 100_000

// Importer is the optional capability of a customer store that stores many
// new customers at once (storage/postgres does it with COPY). Callers find
// it by type assertion on a store; a store behind [Guard] always has it: the
// guard checks every customer, then hands the batch to the store's own
// ImportCustomers, or else creates the customers one by one (atomically
// only inside a transaction, see crm.Transactor).
type Importer interface {
	// ImportCustomers stores new customers (each at version 0 on entry) with
	// their pending history, all or nothing, and marks each stored at
	// version 1. An invalid customer, or an ID repeated in the batch, is
	// refused with a *crm.ValidationError listing the problems by index
	// (crm.ErrInvalid); an ID already stored returns crm.ErrDuplicate; in
	// both cases none of them is stored.
	ImportCustomers(ctx context.Context, customers []*Customer) error
}

// MaxImportProblems bounds the problems one ImportCustomers refusal lists;
// the rest are counted in one last entry.
const MaxImportProblems = 100

// ImportCustomers implements [Importer] for a guarded store: every
// customer is checked like one given to Create (problems listed by index,
// at most MaxImportProblems of them), an ID repeated in the batch is a
// problem of the later one, and only a batch without problems reaches the
// store.
func (g *guarded) ImportCustomers(ctx context.Context, customers []*Customer) error {
	const op = "customer.Store.ImportCustomers"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if len(customers) > MaxImportBatch {
		return crm.Invalid(op, "customers", fmt.Sprintf("more than %d in one batch", MaxImportBatch))
	}
	type key struct {
		tenant crm.TenantID
		id     crm.ID
	}
	var v crm.Validator
	problems := 0
	seen := make(map[key]int, len(customers))
	for i, c := range customers {
		if problems >= MaxImportProblems {
			problems++
			continue
		}
		path := fmt.Sprintf("customers[%d]", i)
		if c == nil || c.state == nil {
			v.Addf(path, "must be built with New or FromRecord")
			problems++
			continue
		}
		if c.version != 0 {
			v.Addf(path+".version", "must be 0 for a new customer")
			problems++
			continue
		}
		if err := checkStored(op, c, &g.zones); err != nil {
			v.Merge(path, err)
			problems++
			continue
		}
		k := key{c.tenant, c.id}
		if j, dup := seen[k]; dup {
			v.Addf(path+".id", "duplicate of customers[%d]", j)
			problems++
			continue
		}
		seen[k] = i
	}
	if problems > MaxImportProblems {
		v.Addf("customers", "%d more customers not checked", problems-MaxImportProblems)
	}
	if err := v.Err(op); err != nil {
		return err
	}
	if imp, ok := g.s.(Importer); ok {
		return imp.ImportCustomers(ctx, customers)
	}
	for _, c := range customers {
		if err := g.s.Create(ctx, c); err != nil {
			return err
		}
	}
	return nil
}
