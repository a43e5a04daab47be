package postgres

import (
	"context"
	"encoding/binary"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crmkit/crm"
)

// The import writes its rows in PostgreSQL's binary COPY format itself
// (https://www.postgresql.org/docs/current/sql-copy.html, "Binary
// Format"), on the goroutines that validate the customers, instead of
// handing pgx a []any per row: boxing thirty-one values per customer and
// looking up an encoder for each of them was more client CPU than all the
// rest of the import. The encodings are those pgx writes for the Go values
// encodeCustomer produces, for the column types of migrations/0001 (a
// test holds every column byte for byte to pgx's encoding), so an imported
// customer reads back exactly as a created one.

// copyHeader begins every binary COPY stream: the signature, no flags and
// no header extension.
var copyHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// copyTrailer ends a binary COPY stream: a row of -1 fields.
var copyTrailer = []byte{0xff, 0xff}

// textOID is the type OID of text, the element type of a text[] value.
const textOID = 25

// microsecY2K is the Unix time, in microseconds, of 2000-01-01 00:00 UTC,
// the epoch of PostgreSQL's binary timestamps.
const microsecY2K = 946_684_800 * 1_000_000

// copyRows appends rows in the binary COPY format. Its methods append one
// field each; a row begins with row(n) and has exactly n fields.
type copyRows struct{ buf []byte }

// row begins a row of n fields.
func (w *copyRows) row(n int) { w.buf = binary.BigEndian.AppendUint16(w.buf, uint16(n)) }

// null appends a NULL field.
func (w *copyRows) null() { w.buf = binary.BigEndian.AppendUint32(w.buf, 0xffffffff) }

// open begins a field whose length is not known yet; close(at) sets it.
func (w *copyRows) open() int {
	at := len(w.buf)
	w.buf = append(w.buf, 0, 0, 0, 0)
	return at
}

// close sets the length of the field open returned at.
func (w *copyRows) close(at int) {
	binary.BigEndian.PutUint32(w.buf[at:], uint32(len(w.buf)-at-4))
}

// text appends a text field.
func (w *copyRows) text(s string) {
	w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(len(s)))
	w.buf = append(w.buf, s...)
}

// textBytes appends b as a text field.
func (w *copyRows) textBytes(b []byte) {
	w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(len(b)))
	w.buf = append(w.buf, b...)
}

// uuid appends id as a uuid field; the zero ID is NULL (as uuidArg).
func (w *copyRows) uuid(id crm.ID) {
	if id.IsZero() {
		w.null()
		return
	}
	w.buf = binary.BigEndian.AppendUint32(w.buf, 16)
	w.buf = append(w.buf, id[:]...)
}

// int8 appends a bigint field.
func (w *copyRows) int8(v int64) {
	w.buf = binary.BigEndian.AppendUint32(w.buf, 8)
	w.buf = binary.BigEndian.AppendUint64(w.buf, uint64(v))
}

// bool appends a boolean field.
func (w *copyRows) bool(v bool) {
	b := byte(0)
	if v {
		b = 1
	}
	w.buf = append(w.buf, 0, 0, 0, 1, b)
}

// time appends a timestamptz field: microseconds since 2000-01-01 UTC,
// the fraction of a microsecond dropped as pgx drops it. The zero time is
// a value (year 1), as a time.Time argument is.
func (w *copyRows) time(t time.Time) {
	us := t.Unix()*1_000_000 + int64(t.Nanosecond())/1000 - microsecY2K
	w.buf = binary.BigEndian.AppendUint32(w.buf, 8)
	w.buf = binary.BigEndian.AppendUint64(w.buf, uint64(us))
}

// timeOrNull appends t, NULL for the zero time (as timeArg).
func (w *copyRows) timeOrNull(t time.Time) {
	if t.IsZero() {
		w.null()
		return
	}
	w.time(t)
}

// jsonb appends encoded JSON as a jsonb field (format version 1); nil is
// NULL.
func (w *copyRows) jsonb(b []byte) {
	if b == nil {
		w.null()
		return
	}
	w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(1+len(b)))
	w.buf = append(w.buf, 1)
	w.buf = append(w.buf, b...)
}

// array begins a text[] field of n elements: one dimension of n from 1,
// no NULLs (for n = 0 too, as pgx writes it; PostgreSQL stores that as
// the empty array). Each element follows as a text field (text, or open
// and close), then close(at) ends the array.
func (w *copyRows) array(n int) (at int) {
	at = w.open()
	w.buf = append(w.buf, 0, 0, 0, 1, 0, 0, 0, 0) // one dimension, no NULLs
	w.buf = binary.BigEndian.AppendUint32(w.buf, textOID)
	w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(n))
	w.buf = append(w.buf, 0, 0, 0, 1) // lower bound 1
	return at
}

// texts appends ss as a text[] field.
func (w *copyRows) texts(ss []string) {
	at := w.array(len(ss))
	for _, s := range ss {
		w.text(s)
	}
	w.close(at)
}

// appendLower appends strings.ToLower(s) to buf, without building the
// lower-cased string when s is ASCII.
func appendLower(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(buf, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// copyBinary runs COPY table (columns) FROM STDIN BINARY on conn, the
// stream read from src, and returns the number of rows copied. It tells
// the connection's tracer, if it traces COPY, as pgx's CopyFrom does.
func copyBinary(ctx context.Context, conn *pgx.Conn, table pgx.Identifier, columns []string, src io.Reader) (int64, error) {
	var sql strings.Builder
	sql.WriteString("COPY " + table.Sanitize() + " (")
	for i, c := range columns {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString(pgx.Identifier{c}.Sanitize())
	}
	sql.WriteString(") FROM STDIN BINARY")
	tracer, _ := conn.Config().Tracer.(pgx.CopyFromTracer)
	if tracer != nil {
		ctx = tracer.TraceCopyFromStart(ctx, conn, pgx.TraceCopyFromStartData{TableName: table, ColumnNames: columns})
	}
	tag, err := conn.PgConn().CopyFrom(ctx, src, sql.String())
	if tracer != nil {
		tracer.TraceCopyFromEnd(ctx, conn, pgx.TraceCopyFromEndData{CommandTag: tag, Err: err})
	}
	return tag.RowsAffected(), err
}

// byteChunks is an io.Reader of the concatenation of its slices; reading
// consumes it.
type byteChunks [][]byte

// Read implements io.Reader.
func (c *byteChunks) Read(p []byte) (int, error) {
	for len(*c) > 0 && len((*c)[0]) == 0 {
		*c = (*c)[1:]
	}
	if len(*c) == 0 {
		return 0, io.EOF
	}
	n := copy(p, (*c)[0])
	(*c)[0] = (*c)[0][n:]
	return n, nil
}
