package leadcsv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/crmkit/crm"
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
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Rows) / p.Elapsed.Seconds()
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
	var rep Report
	o, err := opts.normalize()
	if err != nil {
		return rep, err
	}
	if b == nil || b.Leads() == nil {
		return rep, crm.Invalid("leadcsv.Import", "backend", "must not be nil")
	}
	if o.Change.At.IsZero() {
		o.Change.At = o.Clock.Now()
	}
	rd, err := NewReader(r, o.Tenant, o.Mapping, o.IDs, o.Change)
	if err != nil {
		return rep, err
	}
	start := time.Now()
	progress := func(stored int) {
		if o.Progress != nil {
			o.Progress(Progress{Rows: rep.Rows, Stored: stored, Rejected: rep.RejectedCount, Elapsed: time.Since(start)})
		}
	}
	stored, flagged := 0, 0
	err = b.InTx(ctx, func(ctx context.Context) error {
		stored, flagged = 0, 0
		store := lead.Guard(b.Leads())
		batch := make([]*lead.Lead, 0, o.BatchSize)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			if err := write(ctx, store, batch); err != nil {
				return err
			}
			stored += len(batch)
			clear(batch)
			batch = batch[:0]
			progress(stored)
			return nil
		}
		for {
			l, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			var re *RowError
			if errors.As(err, &re) {
				rep.Rows++
				rep.RejectedCount++
				if len(rep.Rejected) < o.MaxRejected {
					rep.Rejected = append(rep.Rejected, re)
				}
				continue
			}
			if err != nil {
				return err
			}
			rep.Rows++
			if o.Policy == AllOrNothing && rep.RejectedCount > 0 {
				continue // nothing will be stored; read on for the report
			}
			if l.NeedsReview() {
				flagged++
			}
			batch = append(batch, l)
			if len(batch) == o.BatchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if o.Policy == AllOrNothing && rep.RejectedCount > 0 {
			return fmt.Errorf("leadcsv: import: %d of %d rows rejected, nothing stored: %w", rep.RejectedCount, rep.Rows, ErrRejectedRows)
		}
		return flush()
	})
	if err != nil {
		progress(0)
		return rep, err
	}
	rep.Imported, rep.Flagged = stored, flagged
	progress(stored)
	return rep, nil
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

func (o ImportOptions) normalize() (ImportOptions, error) {
	var v crm.Validator
	v.Merge("tenant", o.Tenant.Validate())
	v.Merge("mapping", o.Mapping.Validate())
	v.Merge("change.actor", o.Change.Actor.Validate())
	v.Check(o.Policy == AllOrNothing || o.Policy == SkipInvalid, "policy", "unknown policy")
	v.Check(o.BatchSize >= 0 && o.BatchSize <= MaxBatchSize, "batch_size", fmt.Sprintf("must be between 0 and %d", MaxBatchSize))
	v.Check(o.MaxRejected >= 0, "max_rejected", "must not be negative")
	if err := v.Err("leadcsv.ImportOptions"); err != nil {
		return o, err
	}
	if o.Clock == nil {
		o.Clock = crm.SystemClock{}
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxRejected == 0 {
		o.MaxRejected = DefaultMaxRejected
	}
	return o, nil
}
