package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// CustomerStreamImporter is customer.StreamImporter: Store.Customers() has
// it (behind customer.Guard), for imports too large to hold in memory:
//
//	imp := store.Customers().(customer.StreamImporter)
//	report, err := imp.ImportCustomerStream(ctx, next, customer.ImportOptions{
//		Policy:   customer.SkipInvalid,
//		Progress: func(p customer.ImportProgress) { bar.Set(p.Written) },
//	})
//
// See "Bulk import" in the package documentation.
type CustomerStreamImporter = customer.StreamImporter

var _ CustomerStreamImporter = (*customerStore)(nil)

// How an import streams (see "Bulk import" in the package documentation):
// one goroutine takes customers from the source in batches of importBatch;
// up to importWorkers goroutines encode the batches (and so validate
// them), writing their rows in PostgreSQL's binary COPY format (see
// import_copy.go); the COPY takes them in order, at most importAhead batches ahead
// of it, so the server copies batch k while batch k+1 is encoded and the
// import never holds more than a few thousand customers. A stream's rows
// go to the server in COPY statements of about importChunk customers, each
// followed by the COPY of their history (kept until then); a slice's in
// one. Progress hears of every batch the COPY takes.
const (
	importBatch   = 512
	importAhead   = 8
	importChunk   = 64 * 1024
	importWorkers = 4
)

// importBatchItem is one encoded customer of a batch.
type importBatchItem struct {
	c   *customer.Customer
	ok  bool // encoded; false when refused (err says why)
	err error
}

// importBatchOf is a batch of customers on its way through the pipeline.
type importBatchOf struct {
	first int64 // stream index of items[0]
	items []importBatchItem
	// The rows of the customers encoded (refused ones left out) and of
	// their history, in the binary COPY format, without header or trailer.
	// The reader gives a batch the buffers of batches sent already, when
	// there are some.
	rows, hist []byte
	vals       []customerValues // row-level security: the Create statement's arguments
	done       chan struct{}    // closed once encoded
}

// stored returns the number of the batch's customers that were encoded.
func (b *importBatchOf) stored() int {
	n := 0
	for i := range b.items {
		if b.items[i].ok {
			n++
		}
	}
	return n
}

// importPipeline takes customers from a source, encodes them on a few
// goroutines and hands the batches out in order. Every goroutine it starts
// has ended when close returns.
type importPipeline struct {
	ready chan *importBatchOf // in stream order; closed when the source ends
	free  chan []byte         // buffers of batches sent, for later batches
	stop  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once

	// Set by the reader before it closes ready.
	srcErr   error // an error of the source (not io.EOF)
	panicked bool
	panicVal any
}

// newImportPipeline starts reading next. encode fills a batch's rows and
// history.
func newImportPipeline(next func() (*customer.Customer, error), encode func(b *importBatchOf)) *importPipeline {
	p := &importPipeline{ready: make(chan *importBatchOf, importAhead), free: make(chan []byte, 2*(importAhead+importWorkers)),
		stop: make(chan struct{})}
	workers := max(1, min(runtime.GOMAXPROCS(0), importWorkers))
	work := make(chan *importBatchOf, workers)
	p.wg.Add(1 + workers)
	for range workers {
		go func() {
			defer p.wg.Done()
			for b := range work {
				select {
				case <-p.stop: // nobody waits for it
				default:
					safeEncode(encode, b)
				}
				close(b.done)
			}
		}()
	}
	go func() {
		defer p.wg.Done()
		defer close(p.ready)
		defer close(work)
		defer func() {
			if r := recover(); r != nil {
				p.panicked, p.panicVal = true, r
			}
		}()
		var n int64
		for {
			b := &importBatchOf{first: n, items: make([]importBatchItem, 0, importBatch), done: make(chan struct{})}
			b.rows, b.hist = p.buffer(), p.buffer()
			end := false
			for len(b.items) < importBatch {
				c, err := next()
				if errors.Is(err, io.EOF) {
					end = true
					break
				}
				if err != nil {
					p.srcErr = err
					return
				}
				b.items = append(b.items, importBatchItem{c: c})
				n++
			}
			if len(b.items) > 0 {
				select {
				case work <- b:
				case <-p.stop:
					return
				}
				select {
				case p.ready <- b:
				case <-p.stop:
					return
				}
			}
			if end {
				return
			}
			select {
			case <-p.stop:
				return
			default:
			}
		}
	}()
	return p
}

// safeEncode runs encode on b; a panic (a customer broken in a way no
// check foresaw) refuses the batch's customers instead of ending the
// process from a goroutine the caller cannot recover.
func safeEncode(encode func(b *importBatchOf), b *importBatchOf) {
	defer func() {
		if v := recover(); v != nil {
			err := fmt.Errorf("postgres: import customers: encoding panicked: %v: %w", v, crm.ErrInvalid)
			for i := range b.items {
				b.items[i].ok, b.items[i].err = false, err
			}
			b.rows, b.hist = nil, nil
		}
	}()
	encode(b)
}

// buffer returns a buffer a sent batch no longer needs, nil when there is
// none.
func (p *importPipeline) buffer() []byte {
	select {
	case b := <-p.free:
		return b[:0]
	default:
		return nil
	}
}

// recycle hands the buffer of a sent batch to later batches: the COPY
// no longer reads it. Buffers beyond what the pipeline holds at once are
// left to the garbage collector.
func (p *importPipeline) recycle(b []byte) {
	if cap(b) == 0 {
		return
	}
	select {
	case p.free <- b:
	default:
	}
}

// take returns the next encoded batch, nil at the end of the source.
func (p *importPipeline) take(ctx context.Context) (*importBatchOf, error) {
	var b *importBatchOf
	select {
	case b = <-p.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if b == nil {
		if p.panicked {
			return nil, errImportPanicked
		}
		if p.srcErr != nil {
			return nil, &sourceError{p.srcErr}
		}
		return nil, nil
	}
	select {
	case <-b.done:
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// sourceError is an error the customer source returned: the host's (or
// the guard's) own, handed back as it is.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// errImportPanicked stops a COPY whose source panicked; the panic is
// raised again on the caller's goroutine.
var errImportPanicked = errors.New("postgres: import: the customer source panicked")

// close stops the pipeline and waits for its goroutines (a call of the
// source in progress is waited for), then raises again a panic of the
// source on the caller's goroutine.
func (p *importPipeline) close() {
	p.once.Do(func() { close(p.stop) })
	p.wg.Wait() // every send of the reader also waits for stop
	if p.panicked {
		panic(p.panicVal)
	}
}

// importRun is the state of one import as its COPY statements consume
// the pipeline.
type importRun struct {
	op      string
	ctx     context.Context
	p       *importPipeline
	policy  customer.ImportPolicy
	onError func(b *importBatchOf) error
	start   time.Time

	// chunk bounds the rows of one COPY statement.
	chunk int
	// progress hears of every batch taken; a panic of it is raised again
	// on the caller's goroutine.
	progress     func(customer.ImportProgress)
	progPanicked bool
	progPanic    any
	// Per chunk: the rows sent and the history rows of their batches.
	chunkRows int
	hist      [][]byte
	// sent is the rows buffer of the batch being sent, recycled once sent.
	sent []byte
	// pending is what Read hands out next: the header, a batch's rows or
	// the trailer (trailed: sent, the COPY stream is complete).
	pending []byte
	trailed bool
	ended   bool
	err     error

	validated, written int64
	rejected           []customer.RejectedRow
}

// Read implements io.Reader for PgConn.CopyFrom: the COPY stream of one
// chunk, that is the header, the rows of the batches the pipeline hands
// out until the chunk is full (on a batch boundary) or the source ends,
// and the trailer. An error (of the source, a refused customer, a
// cancelled context) ends the stream, and PgConn aborts the COPY.
func (r *importRun) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		if r.trailed {
			return 0, io.EOF
		}
		if !r.nextBatch() {
			if r.err != nil {
				return 0, r.err
			}
			r.pending, r.trailed = copyTrailer, true
		}
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// nextBatch takes the next encoded batch into the chunk, false at the end
// of the chunk, at the end of the source and on an error (r.err).
func (r *importRun) nextBatch() bool {
	if r.chunkRows >= r.chunk || r.ended || r.err != nil {
		return false
	}
	b, err := r.p.take(r.ctx)
	if err != nil {
		r.err = err
		return false
	}
	if b == nil {
		r.ended = true
		return false
	}
	if r.err = r.accept(b); r.err != nil {
		return false
	}
	if !r.report(b) {
		return false
	}
	r.p.recycle(r.sent) // Read has handed out all of it
	r.pending, r.sent = b.rows, b.rows
	r.chunkRows += b.stored()
	r.hist = append(r.hist, b.hist)
	return true
}

// accept counts an encoded batch and lists its refused customers
// (SkipInvalid), or returns the error that ends the import (AllOrNothing).
func (r *importRun) accept(b *importBatchOf) error {
	r.validated += int64(len(b.items))
	bad := false
	for i := range b.items {
		if err := b.items[i].err; err != nil {
			bad = true
			if r.policy == customer.SkipInvalid {
				r.rejected = append(r.rejected, customer.RejectedRow{Index: b.first + int64(i), Err: err})
			}
		}
	}
	if bad && r.policy != customer.SkipInvalid {
		return r.onError(b)
	}
	return nil
}

// report calls progress, if any, as the COPY takes batch b (on the
// goroutine of pgconn that reads the COPY stream): a panic stops the
// COPY, to be raised again by copyAll.
func (r *importRun) report(b *importBatchOf) (ok bool) {
	if r.progress == nil {
		return true
	}
	defer func() {
		if v := recover(); v != nil {
			r.progPanicked, r.progPanic = true, v
			r.err = errImportPanicked
			ok = false
		}
	}()
	p := r.progress0()
	p.Written += int64(r.chunkRows + b.stored())
	r.progress(p)
	return true
}

// copyAll runs COPY statements until the pipeline ends, reporting progress
// after every chunk.
func (r *importRun) copyAll(tx pgx.Tx, schema string) error {
	conn := tx.Conn()
	if conn == nil {
		return errors.New("postgres: import customers: the transaction has no connection")
	}
	for !r.ended {
		r.chunkRows, r.hist = 0, r.hist[:0]
		r.pending, r.trailed = copyHeader, false
		n, err := copyBinary(r.ctx, conn, pgx.Identifier{schema, "customers"}, customerColumns, r)
		if r.progPanicked {
			panic(r.progPanic)
		}
		if r.err != nil {
			return r.err // the source's reason, not the aborted COPY's
		}
		if err != nil {
			return err
		}
		if n != int64(r.chunkRows) {
			return fmt.Errorf("postgres: import customers: copied %d of %d rows", n, r.chunkRows)
		}
		if err := r.copyHistory(conn, schema); err != nil {
			return err
		}
		r.written += n
	}
	if r.progress != nil {
		r.progress(r.progress0())
	}
	return nil
}

// copyHistory copies the history rows of the chunk just copied, if any,
// and recycles their buffers.
func (r *importRun) copyHistory(conn *pgx.Conn, schema string) error {
	stream := make(byteChunks, 0, len(r.hist)+2)
	stream = append(stream, copyHeader)
	size := 0
	for _, h := range r.hist {
		stream = append(stream, h)
		size += len(h)
	}
	if size == 0 {
		return nil
	}
	stream = append(stream, copyTrailer)
	if _, err := copyBinary(r.ctx, conn, pgx.Identifier{schema, "customer_history"}, historyColumns, &stream); err != nil {
		return err
	}
	for _, h := range r.hist {
		r.p.recycle(h)
	}
	return nil
}

// progress0 is the import's progress with the rows written so far (by
// finished COPY statements).
func (r *importRun) progress0() customer.ImportProgress {
	el := time.Since(r.start)
	p := customer.ImportProgress{Validated: r.validated, Rejected: int64(len(r.rejected)), Written: r.written, Elapsed: el}
	if s := el.Seconds(); s > 0 {
		p.Rate = float64(r.written) / s
	}
	return p
}

// Room a batch's buffers start with when no buffer of an earlier batch is
// free yet, per customer: about the size of a customer with a name, an
// e-mail address and a phone number, and of one history entry.
const (
	importRowBytes  = 512
	importHistBytes = 160
)

// encodeBatch encodes a batch for COPY: the rows of its customers and of
// their history in two buffers (those of b, recycled, when it has them).
func encodeBatch(op string, b *importBatchOf) {
	rows, hist := copyRows{buf: b.rows[:0]}, copyRows{buf: b.hist[:0]}
	if rows.buf == nil {
		rows.buf = make([]byte, 0, importRowBytes*len(b.items))
	}
	if hist.buf == nil {
		hist.buf = make([]byte, 0, importHistBytes*len(b.items))
	}
	for i := range b.items {
		it := &b.items[i]
		if it.c == nil || it.c.Version() != 0 {
			it.err = crm.Invalid(op, "customer", "must be a new customer built with New or FromRecord")
			continue
		}
		if err := encodeImport(op, it.c, &rows, &hist); err != nil {
			it.err = err
			continue
		}
		it.ok = true
	}
	b.rows, b.hist = rows.buf, hist.buf
}

// streamPath is the path of the i-th customer of a stream in errors.
func streamPath(i int64) string { return "customers[" + strconv.FormatInt(i, 10) + "]" }

// ImportCustomerStream implements CustomerStreamImporter with the
// streaming COPY (see "Bulk import" in the package documentation), in the
// transaction in ctx or one of its own. It never retries: the stream
// cannot be read twice, so a serialization failure or deadlock is
// returned (crm.ErrConflict). With Options.RowLevelSecurity on it runs the
// Create statement for each customer in pipelined batches instead.
// Imported customers are not marked saved (the store keeps none of them).
func (cs *customerStore) ImportCustomerStream(ctx context.Context, next func() (*customer.Customer, error), opts customer.ImportOptions) (customer.ImportReport, error) {
	const op = "postgres.Customers.ImportCustomerStream"
	if err := ctx.Err(); err != nil {
		return customer.ImportReport{}, fmt.Errorf("postgres: import customers: %w", err)
	}
	if next == nil || !opts.Policy.Valid() {
		return customer.ImportReport{}, crm.Invalid(op, "options", "next must not be nil and the policy known")
	}
	var rep customer.ImportReport
	body := func(ctx context.Context, st *txState) error {
		r, err := cs.runImport(ctx, op, st, next, opts.Policy, importChunk, nil, opts.Progress)
		if r != nil {
			rep.Rejected = r.rejected
			rep.Stored = r.written
		}
		return err
	}
	var err error
	if st := txOf(ctx); st != nil {
		err = body(ctx, st)
	} else {
		var tx pgx.Tx
		tx, err = cs.s.pool.Begin(ctx)
		if err == nil {
			st := &txState{tx: tx}
			err = cs.s.finish(ctx, tx, func() error { return body(ctx, st) })
		}
	}
	if err != nil {
		rep.Stored = 0
		return rep, cs.importErr(ctx, err)
	}
	return rep, nil
}

// importErr maps an error of an import: the source's errors and the
// store's own pass through (wrapped), driver errors are mapped.
func (cs *customerStore) importErr(ctx context.Context, err error) error {
	var se *sourceError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("postgres: import customers: %w", se.err)
	case errors.Is(err, errImportPanicked):
		return err
	}
	return cs.writeErr(ctx, "import customers", err)
}

// runImport streams the customers of next into the transaction st, with
// COPY or (row-level security) statements. onError, when set, makes the
// error of a batch with a refused customer (AllOrNothing); the default
// names the first refused customer.
func (cs *customerStore) runImport(ctx context.Context, op string, st *txState, next func() (*customer.Customer, error),
	policy customer.ImportPolicy, chunk int, onError func(b *importBatchOf) error, progress func(customer.ImportProgress)) (*importRun, error) {
	if onError == nil {
		onError = func(b *importBatchOf) error {
			for i, it := range b.items {
				if it.err != nil {
					var v crm.Validator
					v.Merge(streamPath(b.first+int64(i)), it.err)
					return v.Err(op)
				}
			}
			return nil
		}
	}
	s := cs.s
	encode := func(b *importBatchOf) { encodeBatch(op, b) }
	if s.rls {
		encode = func(b *importBatchOf) { encodeBatchValues(op, b) }
	}
	p := newImportPipeline(next, encode)
	r := &importRun{op: op, ctx: ctx, p: p, policy: policy, chunk: chunk, onError: onError, progress: progress, start: time.Now()}
	defer p.close() // re-raises a panic of next, after the goroutines ended
	if s.rls {
		return r, cs.importStatements(r, st)
	}
	return r, r.copyAll(st.tx, s.schema)
}

// encodeBatchValues encodes a batch for the Create statement (row-level
// security).
func encodeBatchValues(op string, b *importBatchOf) {
	b.vals = make([]customerValues, len(b.items))
	for i := range b.items {
		it := &b.items[i]
		if it.c == nil || it.c.Version() != 0 {
			it.err = crm.Invalid(op, "customer", "must be a new customer built with New or FromRecord")
			continue
		}
		v, err := encodeCustomer(op, it.c)
		if err != nil {
			it.err = err
			continue
		}
		v.args[2] = int64(1)
		b.vals[i] = v
		it.ok = true
	}
}

// importStatements stores the pipeline's batches with the Create
// statement, for row-level security (which refuses COPY).
func (cs *customerStore) importStatements(r *importRun, st *txState) error {
	for {
		b, err := r.p.take(r.ctx)
		if err != nil {
			return err
		}
		if b == nil {
			return nil
		}
		if err := r.accept(b); err != nil {
			return err
		}
		customers := make([]*customer.Customer, 0, len(b.items))
		vals := make([]customerValues, 0, len(b.items))
		for i, it := range b.items {
			if it.ok {
				customers = append(customers, it.c)
				vals = append(vals, b.vals[i])
			}
		}
		if err := cs.importByStatements(r.ctx, st.tx, customers, vals); err != nil {
			return err
		}
		r.written += int64(len(customers))
		if r.progress != nil {
			r.progress(r.progress0())
		}
	}
}
