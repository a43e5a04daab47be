package leadcsv

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/csvio"
	"github.com/crmkit/crm/lead"
)

// Policy says what Import does with rows that cannot become leads.
type Policy uint8

const (
	// AllOrNothing stores nothing when any row is rejected.
	AllOrNothing Policy = iota
	// SkipInvalid stores the good rows and reports the others.
	SkipInvalid
)

// Import defaults and limits.
const (
	// DefaultBatchSize is how many leads Import stores at a time.
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
	// Change is what every lead is captured by; a zero At is taken from
	// Clock (the capture time of every lead).
	Change lead.Change
	// Clock defaults to crm.SystemClock; IDs to crm.UUIDv7.
	Clock crm.Clock
	IDs   crm.IDGenerator
	// BatchSize is how many leads are stored at a time: 0 means
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
	Stored   int           // leads written so far (final only when the import commits)
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
	// Imported counts the leads stored: 0 when the import failed.
	Imported int
	// Flagged counts the stored leads with a contact point that did not
	// parse (kept raw and flagged, see lead.ContactPoint.Problem).
	Flagged int
	// RejectedCount counts the rejected rows; Rejected lists the first
	// MaxRejected of them, in file order.
	RejectedCount int
	Rejected      []*RowError
}

// ErrRejectedRows is wrapped by the error of an AllOrNothing import that
// found rejected rows; it wraps crm.ErrInvalid.
var ErrRejectedRows = fmt.Errorf("%w: rows rejected", crm.ErrInvalid)

// Import reads leads from r and stores them through b in batches, in one
// transaction (b.InTx): every stored row commits or none does. Each batch
// goes to the store's lead.Importer (storage/postgres copies it with
// COPY). Rejected rows are listed in the report; under AllOrNothing any
// rejected row makes Import read on to the end (so the report lists every
// bad row), store nothing and return an error wrapping ErrRejectedRows. A
// store error (a duplicate ID, a cancelled context) stops the import,
// stores nothing and is returned.
//
// Import stores leads as they are read: it runs no duplicate check and no
// assignment (capture one by one with lead.Service.Capture for those).
func Import(ctx context.Context, r io.Reader, b lead.Backend, opts ImportOptions) (Report, error) {
	o, err := opts.normalize()
	if err != nil {
		return Report{}, err
	}
	if b == nil || b.Leads() == nil {
		return Report{}, crm.Invalid("leadcsv.Import", "backend", "must not be nil")
	}
	rd, err := NewReader(r, o.Tenant, o.Mapping, o.IDs, o.Change)
	if err != nil {
		return Report{}, err
	}
	flagged := 0
	im := csvio.Import[field, *lead.Lead, *RowError]{
		Rows: rd.rows,
		InTx: func(ctx context.Context, fn func(context.Context) error) error {
			return b.InTx(ctx, func(ctx context.Context) error {
				flagged = 0 // counts the leads of this transaction only
				return fn(ctx)
			})
		},
		Write: func(ctx context.Context, batch []*lead.Lead) error {
			if err := write(ctx, lead.Guard(b.Leads()), batch); err != nil {
				return err
			}
			for _, l := range batch {
				if l.NeedsReview() {
					flagged++
				}
			}
			return nil
		},
		Batching:    o.options().Batching(),
		Progress:    o.options().ProgressFunc(),
		ErrRejected: ErrRejectedRows,
	}
	res, err := im.Run(ctx)
	rep := Report{Rows: res.Rows, Imported: res.Imported, RejectedCount: res.RejectedCount, Rejected: res.Rejected}
	if err == nil {
		rep.Flagged = flagged
	}
	return rep, err
}

// write stores a batch at once (a guarded store is always a
// lead.Importer).
func write(ctx context.Context, store lead.Store, batch []*lead.Lead) error {
	imp, ok := store.(lead.Importer)
	if !ok {
		return crm.Invalid("leadcsv.Import", "store", "not a lead.Importer")
	}
	if err := imp.ImportLeads(ctx, batch); err != nil {
		return fmt.Errorf("leadcsv: import: %w", err)
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
