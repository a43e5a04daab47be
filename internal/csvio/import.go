package csvio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/crmkit/crm"
)

// Batching says how an import writes: its policy, how many rows at a time
// and how many rejected rows its result lists.
type Batching struct {
	// SkipInvalid stores the good rows when some are rejected; otherwise a
	// rejected row stores nothing.
	SkipInvalid bool
	// Size is how many rows are written at a time; 0 means the format's
	// DefaultBatchSize.
	Size int
	// MaxRejected bounds the rejected rows a Result lists; 0 means the
	// format's DefaultMaxRejected.
	MaxRejected int
}

// CheckBatching records in v the problems of b ("batch_size",
// "max_rejected") and returns b with its defaults filled in.
func (f *Format[F, E]) CheckBatching(v *crm.Validator, b Batching) Batching {
	v.Check(b.Size >= 0 && b.Size <= f.MaxBatchSize, "batch_size", fmt.Sprintf("must be between 0 and %d", f.MaxBatchSize))
	v.Check(b.MaxRejected >= 0, "max_rejected", "must not be negative")
	if b.Size == 0 {
		b.Size = f.DefaultBatchSize
	}
	if b.MaxRejected == 0 {
		b.MaxRejected = f.DefaultMaxRejected
	}
	return b
}

// Progress reports how far an import has come.
type Progress struct {
	Rows     int           // rows read (blank rows not counted)
	Stored   int           // rows written so far (final only when the import commits)
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

// Result says what an import did; E is the format's row error.
type Result[E error] struct {
	// Rows counts the rows read (blank rows not counted).
	Rows int
	// Imported counts the rows stored: 0 when the import failed.
	Imported int
	// RejectedCount counts the rejected rows; Rejected lists the first
	// Batching.MaxRejected of them, in file order.
	RejectedCount int
	Rejected      []E
}

// Import is one import: the rows of a Reader written in batches inside one
// transaction.
type Import[F, T any, E error] struct {
	// Rows reads the rows.
	Rows *Reader[F, T, E]
	// InTx runs its function in one transaction, as crm.Transactor does.
	InTx func(ctx context.Context, fn func(ctx context.Context) error) error
	// Write stores one batch inside the transaction; an error stops the
	// import and is returned as it is. The batch is reused after Write
	// returns.
	Write    func(ctx context.Context, batch []T) error
	Batching Batching
	// Progress, when set, is called after every written batch and at the
	// end.
	Progress func(Progress)
	// ErrRejected is wrapped by the error of an all-or-nothing import that
	// rejected rows.
	ErrRejected error
}

// Run reads every row and writes the good ones in batches, all inside one
// call of InTx: every written row commits or none does. Rejected rows are
// counted and the first Batching.MaxRejected listed. Without SkipInvalid,
// a rejected row makes Run read on to the end (so the result lists every
// bad row), write nothing more and fail with an error wrapping
// ErrRejected. A failing reader or Write, or a cancelled context (checked
// before every row), stops the import; nothing is stored, and the error is
// returned with the counts so far.
func (im *Import[F, T, E]) Run(ctx context.Context) (Result[E], error) {
	var res Result[E]
	f := im.Rows.f
	size, maxRejected := im.Batching.Size, im.Batching.MaxRejected
	if size <= 0 {
		size = f.DefaultBatchSize
	}
	if maxRejected <= 0 {
		maxRejected = f.DefaultMaxRejected
	}
	start := time.Now()
	progress := func(stored int) {
		if im.Progress != nil {
			im.Progress(Progress{Rows: res.Rows, Stored: stored, Rejected: res.RejectedCount, Elapsed: time.Since(start)})
		}
	}
	stored := 0
	err := im.InTx(ctx, func(ctx context.Context) error {
		stored = 0
		batch := make([]T, 0, size)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			if err := im.Write(ctx, batch); err != nil {
				return err
			}
			stored += len(batch)
			clear(batch)
			batch = batch[:0]
			progress(stored)
			return nil
		}
		for {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("%s: import: %w", f.Name, err)
			}
			t, line, bad, err := im.Rows.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			if bad != nil {
				res.Rows++
				res.RejectedCount++
				if len(res.Rejected) < maxRejected {
					res.Rejected = append(res.Rejected, f.RowError(line, bad))
				}
				continue
			}
			res.Rows++
			if !im.Batching.SkipInvalid && res.RejectedCount > 0 {
				continue // nothing will be stored; read on for the report
			}
			batch = append(batch, t)
			if len(batch) == size {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if !im.Batching.SkipInvalid && res.RejectedCount > 0 {
			return fmt.Errorf("%s: import: %d of %d rows rejected, nothing stored: %w", f.Name, res.RejectedCount, res.Rows, im.ErrRejected)
		}
		return flush()
	})
	if err != nil {
		progress(0)
		return res, err
	}
	res.Imported = stored
	progress(stored)
	return res, nil
}
