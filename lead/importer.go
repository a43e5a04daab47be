package lead

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/guard"
)

// MaxImportBatch bounds how many leads one ImportLeads call takes.
const MaxImportBatch = 100_000

// MaxImportProblems bounds the problems one ImportLeads refusal lists; the
// rest are counted in one last entry.
const MaxImportProblems = 100

// Importer is the optional capability of a lead store that stores many new
// leads at once (storage/postgres does it with COPY). Callers find it by
// type assertion on a store; a store behind [Guard] always has it: the
// guard checks every lead, then hands the batch to the store's own
// ImportLeads, or else creates the leads one by one (atomically only
// inside a transaction, see crm.Transactor).
type Importer interface {
	// ImportLeads stores new leads (each at version 0 on entry) with their
	// pending history, all or nothing, and marks each stored at version 1
	// ([Guard] does it for every store, and when ctx carries a transaction
	// that then rolls back, puts each back as it was before the call, so
	// that the same batch can be imported again).
	// An invalid lead, or an ID repeated in the batch, is refused with a
	// *crm.ValidationError listing the problems by index (crm.ErrInvalid);
	// an ID already stored returns crm.ErrDuplicate; in both cases none of
	// them is stored.
	ImportLeads(ctx context.Context, leads []*Lead) error
}

// ImportLeads implements [Importer] for a guarded store: every lead is
// checked like one given to Create, an ID repeated in the batch is a
// problem of the later one, and only a batch without problems reaches the
// store.
func (g *guarded) ImportLeads(ctx context.Context, leads []*Lead) error {
	const op = "lead.Store.ImportLeads"
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if len(leads) > MaxImportBatch {
		return crm.Invalid(op, "leads", fmt.Sprintf("more than %d in one batch", MaxImportBatch))
	}
	type key struct {
		tenant crm.TenantID
		id     crm.ID
	}
	var v crm.Validator
	problems := 0
	seen := make(map[key]int, len(leads))
	for i, l := range leads {
		if problems >= MaxImportProblems {
			problems++
			continue
		}
		path := fmt.Sprintf("leads[%d]", i)
		if err := checkStored(op, l); err != nil {
			v.Merge(path, err)
			problems++
			continue
		}
		if l.version != 0 {
			v.Addf(path+".version", "must be 0 for a new lead")
			problems++
			continue
		}
		k := key{l.tenant, l.id}
		if j, dup := seen[k]; dup {
			v.Addf(path+".id", "duplicate of leads[%d]", j)
			problems++
			continue
		}
		seen[k] = i
	}
	if problems > MaxImportProblems {
		v.Addf("leads", "%d more leads not checked", problems-MaxImportProblems)
	}
	if err := v.Err(op); err != nil {
		return err
	}
	imp, ok := g.s.(Importer)
	if !ok {
		for _, l := range leads {
			undo := guard.Keep(ctx, l, (*Lead).Clone)
			if err := g.s.Create(ctx, l); err != nil {
				return err
			}
			l.saved(1)
			undo.AfterRollback(ctx)
		}
		return nil
	}
	undo := guard.KeepAll(ctx, leads, (*Lead).Clone)
	if err := imp.ImportLeads(ctx, leads); err != nil {
		return err
	}
	for _, l := range leads {
		l.saved(1)
	}
	undo.AfterRollback(ctx)
	return nil
}
