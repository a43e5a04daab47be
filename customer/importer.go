package customer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/guard"
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
	// version 1 ([Guard] does it for every store, and when ctx carries a
	// transaction that then rolls back, puts each back as it was before
	// the call, so that the same batch can be imported again). An invalid customer, or an ID repeated in the batch, is
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
		if c == nil || c.state == nil {
			v.Addf(importPath(int64(i)), "must be built with New or FromRecord")
			problems++
			continue
		}
		if c.version != 0 {
			v.Addf(importPath(int64(i))+".version", "must be 0 for a new customer")
			problems++
			continue
		}
		if err := checkStored(op, c, &g.zones); err != nil {
			v.Merge(importPath(int64(i)), err)
			problems++
			continue
		}
		k := key{c.tenant, c.id}
		if j, dup := seen[k]; dup {
			v.Addf(importPath(int64(i))+".id", "duplicate of customers[%d]", j)
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
		undo := guard.KeepAll(ctx, customers, (*Customer).Clone)
		if err := imp.ImportCustomers(ctx, customers); err != nil {
			return err
		}
		for _, c := range customers {
			c.saved(1) // whether or not the store did
		}
		undo.AfterRollback(ctx)
		return nil
	}
	for _, c := range customers {
		if err := g.create(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// ImportPolicy says what a streamed import ([StreamImporter]) does with a
// customer it refuses. The zero value is AllOrNothing.
type ImportPolicy uint8

const (
	// AllOrNothing fails the whole import at the first refused customer;
	// nothing of it is stored.
	AllOrNothing ImportPolicy = iota
	// SkipInvalid leaves refused customers out and lists them in the
	// [ImportReport]; the others are stored, all or nothing.
	SkipInvalid
)

var importPolicyNames = [...]string{AllOrNothing: "all_or_nothing", SkipInvalid: "skip_invalid"}

// String returns the policy's name: "all_or_nothing" or "skip_invalid".
func (p ImportPolicy) String() string {
	if p.Valid() {
		return importPolicyNames[p]
	}
	return fmt.Sprintf("ImportPolicy(%d)", uint8(p))
}

// Valid reports whether p is one of the declared policies.
func (p ImportPolicy) Valid() bool { return int(p) < len(importPolicyNames) }

// ParseImportPolicy returns the policy named s (as String writes it); an
// unknown name wraps crm.ErrInvalid.
func ParseImportPolicy(s string) (ImportPolicy, error) {
	for p, name := range importPolicyNames {
		if s == name {
			return ImportPolicy(p), nil
		}
	}
	return 0, crm.Invalid("customer.ParseImportPolicy", "policy", fmt.Sprintf("unknown import policy %q", s))
}

// DefaultMaxRejected is how many refused customers a SkipInvalid import
// lists before it fails, when ImportOptions.MaxRejected is 0.
const DefaultMaxRejected = 10_000

// ImportOptions configures a streamed import. The zero value works:
// AllOrNothing, no progress reports.
type ImportOptions struct {
	// Policy says what happens to a refused customer.
	Policy ImportPolicy
	// MaxRejected bounds how many refused customers a SkipInvalid import
	// lists (and so keeps in memory): one more fails the import, nothing
	// stored, with an error wrapping crm.ErrInvalid. 0 means
	// DefaultMaxRejected; a negative value means no bound.
	MaxRejected int
	// Progress, when set, hears how far the import has come, now and then
	// while it runs (a store says how often) and once at its end. Calls
	// are sequential, all before the import returns; a slow Progress slows
	// the import.
	Progress func(ImportProgress)
}

// ImportProgress is how far a streamed import has come.
type ImportProgress struct {
	// Validated counts the customers taken from the stream and checked,
	// refused ones included.
	Validated int64
	// Rejected counts the customers refused (SkipInvalid).
	Rejected int64
	// Written counts the customers sent to the store; they are stored
	// only when the import (or the transaction it runs in) commits.
	Written int64
	// Elapsed is the time since the import began (zero when the store
	// does not measure it).
	Elapsed time.Duration
	// Rate is Written per second of Elapsed (zero without Elapsed).
	Rate float64
}

// RejectedRow is a customer a SkipInvalid import left out.
type RejectedRow struct {
	// Index is the customer's position in the stream, from 0 (refused
	// customers and errors of next counted).
	Index int64
	// Err says why: a *crm.ValidationError (crm.ErrInvalid) with field
	// paths, or the error next returned for the row.
	Err error
}

// ImportReport is the outcome of a streamed import.
type ImportReport struct {
	// Stored counts the customers stored.
	Stored int64
	// Rejected lists the customers left out, in stream order.
	Rejected []RejectedRow
}

// StreamImporter is the optional capability of a customer store that
// imports a stream of new customers without holding them all: next is
// called until it returns io.EOF, and each customer it returns is checked
// like one given to Create and stored, all in one transaction (the one in
// ctx, or one of the store's own). next may also return an error for one
// row (a line of a file that does not parse, say): under SkipInvalid an
// error wrapping crm.ErrInvalid refuses that row only; any other error
// ends the import, nothing stored, and is returned wrapped.
//
// A store behind [Guard] always has it: the guard checks every customer
// (and refuses an ID repeated in the stream) before the store sees it, and
// hands the store's own ImportCustomerStream only customers it accepts,
// with Policy AllOrNothing; a store without one gets them through
// ImportCustomers in batches, or Create one by one (then atomic only
// inside a transaction, see crm.Transactor). Whether a streamed customer
// is marked saved afterwards depends on the store (storage/postgres, which
// keeps none of them, leaves them at version 0), and one marked saved in a
// transaction that then rolls back is not put back: read them back with
// Get, and read the stream anew to retry.
//
// An ID already stored fails the whole import with crm.ErrDuplicate under
// either policy. The report lists the refused customers (SkipInvalid);
// on error nothing is stored and the report says how far the import came.
type StreamImporter interface {
	// ImportCustomerStream imports the customers next returns, as the
	// interface says. next is called from one goroutine at a time, never
	// after ImportCustomerStream returned; a store may call it from a
	// goroutine of its own.
	ImportCustomerStream(ctx context.Context, next func() (*Customer, error), opts ImportOptions) (ImportReport, error)
}

// streamBatch is how many customers the guard hands at once to a store
// without StreamImporter.
const streamBatch = 1000

// ImportCustomerStream implements [StreamImporter] for a guarded store.
// The guard remembers the tenant and ID of every customer of the stream to
// refuse a repeated one (some tens of bytes each), never the customers.
func (g *guarded) ImportCustomerStream(ctx context.Context, next func() (*Customer, error), opts ImportOptions) (ImportReport, error) {
	const op = "customer.Store.ImportCustomerStream"
	if err := ctx.Err(); err != nil {
		return ImportReport{}, fmt.Errorf("%s: %w", op, err)
	}
	var v crm.Validator
	v.Check(next != nil, "next", "must not be nil")
	v.Check(opts.Policy.Valid(), "policy", "unknown import policy")
	if err := v.Err(op); err != nil {
		return ImportReport{}, err
	}
	maxRejected := opts.MaxRejected
	if maxRejected == 0 {
		maxRejected = DefaultMaxRejected
	}
	type key struct {
		tenant crm.TenantID
		id     crm.ID
	}
	var (
		read, rejectedN atomic.Int64 // read by Progress, maybe on another goroutine
		rejected        []RejectedRow
		seen            = make(map[key]int64)
		failed          error // the guard's own reason to stop
	)
	reject := func(i int64, err error) error {
		if maxRejected > 0 && len(rejected) >= maxRejected {
			failed = crm.Invalid(op, "customers", fmt.Sprintf("more than %d customers refused", maxRejected))
			return failed
		}
		rejected = append(rejected, RejectedRow{Index: i, Err: err})
		rejectedN.Add(1)
		return nil
	}
	checked := func() (*Customer, error) {
		for {
			c, err := next()
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			i := read.Add(1) - 1
			if err != nil {
				if opts.Policy == SkipInvalid && errors.Is(err, crm.ErrInvalid) {
					if err := reject(i, err); err != nil {
						return nil, err
					}
					continue
				}
				failed = fmt.Errorf("%s: customers[%d]: %w", op, i, err)
				return nil, failed
			}
			var problem error
			switch {
			case c == nil || c.state == nil:
				problem = crm.Invalid(op, importPath(i), "must be built with New or FromRecord")
			case c.version != 0:
				problem = crm.Invalid(op, importPath(i)+".version", "must be 0 for a new customer")
			default:
				if err := checkStored(op, c, &g.zones); err != nil {
					var w crm.Validator
					w.Merge(importPath(i), err)
					problem = w.Err(op)
					break
				}
				k := key{c.tenant, c.id}
				if j, dup := seen[k]; dup {
					problem = crm.Invalid(op, importPath(i)+".id", fmt.Sprintf("duplicate of customers[%d]", j))
					break
				}
				seen[k] = i
			}
			if problem == nil {
				return c, nil
			}
			if opts.Policy != SkipInvalid {
				failed = problem
				return nil, problem
			}
			if err := reject(i, problem); err != nil {
				return nil, err
			}
		}
	}
	inner := opts
	inner.Policy = AllOrNothing
	inner.MaxRejected = 0
	if opts.Progress != nil {
		inner.Progress = func(p ImportProgress) {
			p.Validated, p.Rejected = read.Load(), rejectedN.Load()
			opts.Progress(p)
		}
	}
	var rep ImportReport
	var err error
	if si, ok := g.s.(StreamImporter); ok {
		rep, err = si.ImportCustomerStream(ctx, checked, inner)
	} else {
		rep, err = g.importInBatches(ctx, checked, inner)
	}
	rep.Rejected = rejected
	if err != nil {
		if failed != nil && !errors.Is(err, failed) {
			// The store wrapped the guard's error in its own words; the
			// guard's is the one that says what happened.
			err = failed
		}
		rep.Stored = 0
		return rep, err
	}
	return rep, nil
}

// importPath is the path of customers[i] in an import's validation error.
func importPath(i int64) string { return "customers[" + strconv.FormatInt(i, 10) + "]" }

// importInBatches stores the customers next returns through the store's
// ImportCustomers in batches, or else with Create one by one.
func (g *guarded) importInBatches(ctx context.Context, next func() (*Customer, error), opts ImportOptions) (ImportReport, error) {
	var rep ImportReport
	imp, bulk := g.s.(Importer)
	batch := make([]*Customer, 0, streamBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if bulk {
			if err := imp.ImportCustomers(ctx, batch); err != nil {
				return err
			}
		} else {
			for _, c := range batch {
				if err := g.s.Create(ctx, c); err != nil {
					return err
				}
			}
		}
		rep.Stored += int64(len(batch))
		batch = batch[:0]
		if opts.Progress != nil {
			opts.Progress(ImportProgress{Written: rep.Stored})
		}
		return nil
	}
	for {
		c, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, err
		}
		batch = append(batch, c)
		if len(batch) == streamBatch {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	return rep, flush()
}
