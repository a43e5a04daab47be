package customercsv

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/csvio"
)

// Policy says what Import does with rows that cannot become customers.
type Policy uint8

const (
	// AllOrNothing stores nothing when any row is rejected.
	AllOrNothing Policy = iota
	// SkipInvalid stores the good rows and reports the others.
	SkipInvalid
)

// Import defaults and limits.
const (
	// DefaultBatchSize is how many customers Import stores at a time.
	DefaultBatchSize = 500
	// MaxBatchSize bounds ImportOptions.BatchSize.
	MaxBatchSize = 10_000
	// DefaultMaxRejected is how many rejected rows a Report lists.
	DefaultMaxRejected = 1000
)

// ImportOptions configure an import. Tenant, Mapping and Change.Actor are
// required; every other zero value works.
type ImportOptions struct {
	Tenant  crm.TenantID
	Mapping Mapping
	Policy  Policy
	// Change is what every customer is created by; a zero At is taken
	// from Clock.
	Change customer.Change
	// Clock defaults to crm.SystemClock; IDs to crm.UUIDv7.
	Clock crm.Clock
	IDs   crm.IDGenerator
	// BatchSize is how many customers are stored at a time: 0 means
	// DefaultBatchSize, at most MaxBatchSize.
	BatchSize int
	// MaxRejected bounds the rejected rows a Report lists (the count is
	// always exact): 0 means DefaultMaxRejected.
	MaxRejected int
	// Progress, when set, is called after every stored batch and at the
	// end.
	Progress func(Progress)
}

// Progress reports how far an import has come.
type Progress struct {
	Rows     int           // rows read (blank rows not counted)
	Stored   int           // customers written so far (final only when the import commits)
	Rejected int           // rows rejected so far
	Elapsed  time.Duration // since the import started
}

// Rate returns rows read per second.
func (p Progress) Rate() float64 {
	return csvio.Progress(p).Rate()
}

// Report says what an import did.
type Report struct {
	// Rows counts the rows read (blank rows not counted).
	Rows int
	// Imported counts the customers stored: 0 when the import failed.
	Imported int
	// RejectedCount counts the rejected rows; Rejected lists the first
	// MaxRejected of them, in file order.
	RejectedCount int
	Rejected      []*RowError
}

// ErrRejectedRows is wrapped by the error of an AllOrNothing import that
// found rejected rows; it wraps crm.ErrInvalid.
var ErrRejectedRows = fmt.Errorf("%w: rows rejected", crm.ErrInvalid)

// Import reads customers from r and stores them through b in batches, in
// one transaction (b.InTx): either every stored row commits or none does.
// Rejected rows are listed in the report; under AllOrNothing any rejected
// row makes Import read on to the end (so the report lists every bad row),
// store nothing and return an error wrapping ErrRejectedRows. A store
// error (a duplicate ID, a cancelled context) stops the import, stores
// nothing and is returned.
func Import(ctx context.Context, r io.Reader, b customer.Backend, opts ImportOptions) (Report, error) {
	o, err := opts.normalize()
	if err != nil {
		return Report{}, err
	}
	if b == nil || b.Customers() == nil {
		return Report{}, crm.Invalid("customercsv.Import", "backend", "must not be nil")
	}
	rd, err := NewReader(r, o.Tenant, o.Mapping, o.IDs, o.Change)
	if err != nil {
		return Report{}, err
	}
	im := csvio.Import[field, *customer.Customer, *RowError]{
		Rows:        rd.rows,
		InTx:        b.InTx,
		Write:       func(ctx context.Context, batch []*customer.Customer) error { return write(ctx, b.Customers(), batch) },
		Batching:    o.options().Batching(),
		Progress:    o.options().ProgressFunc(),
		ErrRejected: ErrRejectedRows,
	}
	res, err := im.Run(ctx)
	rep := Report{Rows: res.Rows, Imported: res.Imported, RejectedCount: res.RejectedCount, Rejected: res.Rejected}
	return rep, err
}

// write stores a batch, at once when the store can.
func write(ctx context.Context, store customer.Store, batch []*customer.Customer) error {
	if imp, ok := store.(customer.Importer); ok {
		if err := imp.ImportCustomers(ctx, batch); err != nil {
			return fmt.Errorf("customercsv: import: %w", err)
		}
		return nil
	}
	for _, c := range batch {
		if err := store.Create(ctx, c); err != nil {
			return fmt.Errorf("customercsv: import %s: %w", c.ID(), err)
		}
	}
	return nil
}

// options returns o as the CSV frame takes it.
func (o ImportOptions) options() csvio.Options[Mapping, Policy, Progress] {
	return csvio.Options[Mapping, Policy, Progress](o)
}

func (o ImportOptions) normalize() (ImportOptions, error) {
	n, err := csvio.CheckOptions(&format, o.options())
	return ImportOptions(n), err
}
