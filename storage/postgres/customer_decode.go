package postgres

import (
	"encoding/binary"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// scanRow fills s from the current row of rows (customerReadCols). It
// reads the row's raw values itself when every column comes in the format
// decodeRaw knows (what pgx asks for when it prepares the statement: the
// binary format for every column of this table), and hands the row to
// rows.Scan otherwise (a host's pool in simple-protocol mode gets text,
// for one). Reading them itself spares pgx's generic array decoding and
// its per-column scan plans: a list of 50 customers is about a tenth
// cheaper for the client. Tests hold decodeRaw to rows.Scan on stored
// customers of every shape and, by fuzzing, column by column to pgx's own
// decoding.
func (s *customerScan) scanRow(rows pgx.Rows) error {
	if s.decodeRaw(rows.FieldDescriptions(), rows.RawValues()) {
		return nil
	}
	return rows.Scan(s.dest()...)
}

// The column kinds of customerReadCols, in order.
const (
	colText = iota
	colUUID
	colInt8
	colTime
	colTextArray
	colJSONB
	colBool
	colNullUUID
	colNullTime
)

var customerReadKinds = [...]uint8{
	colText, colUUID, colInt8, colTime, colTime, colText, colText, colTextArray, colTextArray, colTextArray,
	colJSONB, colJSONB, colText, colJSONB, colJSONB, colTextArray, colJSONB, colText, colText, colText,
	colText, colText, colBool, colText, colNullUUID, colNullTime, colInt8, colNullTime,
}

// decodeRaw fills s from one row's raw values and reports whether it
// could; on false, s is partly written and the caller scans with pgx.
func (s *customerScan) decodeRaw(fds []pgconn.FieldDescription, vals [][]byte) bool {
	if len(fds) != len(customerReadKinds) || len(vals) != len(customerReadKinds) {
		return false
	}
	for i, kind := range customerReadKinds {
		if !rawFormatOK(kind, fds[i]) {
			return false
		}
	}
	texts := [...]*string{0: &s.tenant, 5: &s.kind, 6: &s.name, 12: &s.timeZone, 17: &s.notes, 18: &s.stage,
		19: &s.loyalty, 20: &s.lifecycle, 21: &s.class, 23: &s.owner}
	arrays := [...]*[]string{7: &s.roles, 8: &s.emails, 9: &s.phones, 15: &s.tags}
	docs := [...]*[]byte{10: &s.addresses, 11: &s.dates, 13: &s.prefs, 14: &s.attrs, 16: &s.cs}
	var ok bool
	for i, kind := range customerReadKinds {
		v := vals[i]
		switch kind {
		case colText:
			if v == nil {
				return false
			}
			*texts[i] = string(v)
		case colUUID:
			if s.id, ok = rawUUID(v); !ok || !s.id.Valid {
				return false
			}
		case colNullUUID:
			if s.mergedInto, ok = rawUUID(v); !ok {
				return false
			}
		case colInt8:
			n, ok := rawInt8(v)
			if !ok {
				return false
			}
			if i == 2 {
				s.version = n
			} else {
				s.historySeq = n
			}
		case colTime, colNullTime:
			t, ok := rawTimestamptz(v)
			if !ok || (kind == colTime && !t.Valid) {
				return false
			}
			switch i {
			case 3:
				s.createdAt = t.Time
			case 4:
				s.updatedAt = t.Time
			case 25:
				s.erasedAt = t
			default:
				s.lastContact = t
			}
		case colTextArray:
			// A new slice per row: the record keeps the tags.
			if *arrays[i], ok = rawTextArray(v); !ok {
				return false
			}
		case colJSONB:
			if *docs[i], ok = rawJSONB(v, fds[i].Format); !ok {
				return false
			}
		case colBool:
			if len(v) != 1 || v[0] > 1 {
				return false
			}
			s.keyAccount = v[0] == 1
		}
	}
	return true
}

// rawFormatOK reports whether decodeRaw reads a column of kind as fd
// describes it.
func rawFormatOK(kind uint8, fd pgconn.FieldDescription) bool {
	switch kind {
	case colText:
		// text and varchar read the same in both formats.
		return fd.DataTypeOID == pgtype.TextOID || fd.DataTypeOID == pgtype.VarcharOID
	case colJSONB:
		return fd.DataTypeOID == pgtype.JSONBOID
	}
	if fd.Format != pgtype.BinaryFormatCode {
		return false
	}
	switch kind {
	case colUUID, colNullUUID:
		return fd.DataTypeOID == pgtype.UUIDOID
	case colInt8:
		return fd.DataTypeOID == pgtype.Int8OID
	case colTime, colNullTime:
		return fd.DataTypeOID == pgtype.TimestamptzOID
	case colTextArray:
		return fd.DataTypeOID == pgtype.TextArrayOID
	case colBool:
		return fd.DataTypeOID == pgtype.BoolOID
	}
	return false
}

// rawUUID reads a binary uuid; nil (NULL) is an invalid UUID.
func rawUUID(v []byte) (pgtype.UUID, bool) {
	if v == nil {
		return pgtype.UUID{}, true
	}
	if len(v) != 16 {
		return pgtype.UUID{}, false
	}
	return pgtype.UUID{Bytes: [16]byte(v), Valid: true}, true
}

// rawInt8 reads a binary bigint, never NULL.
func rawInt8(v []byte) (int64, bool) {
	if len(v) != 8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(v)), true
}

// y2kMicros is 2000-01-01 UTC, PostgreSQL's epoch, in microseconds since
// the Unix epoch.
const y2kMicros = 946_684_800_000_000

// The times rawTimestamptz reads, in microseconds from 2000-01-01: the
// years 1 to 9999, as crm.ValidTime.
var (
	minRawMicros = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro() - y2kMicros
	endRawMicros = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro() - y2kMicros
)

// rawTimestamptz reads a binary timestamptz in UTC; nil (NULL) is an
// invalid one. A time outside the years 1 to 9999 (the infinities among
// them), which no store writes, is left to pgx.
func rawTimestamptz(v []byte) (pgtype.Timestamptz, bool) {
	if v == nil {
		return pgtype.Timestamptz{}, true
	}
	if len(v) != 8 {
		return pgtype.Timestamptz{}, false
	}
	us := int64(binary.BigEndian.Uint64(v))
	if us < minRawMicros || us >= endRawMicros {
		return pgtype.Timestamptz{}, false
	}
	return pgtype.Timestamptz{Time: time.UnixMicro(y2kMicros + us).UTC(), Valid: true}, true
}

// rawTextArray reads a binary text[] of one dimension (or none) with no
// NULL element; nil (NULL) and an empty array are a nil slice. Anything
// else is left to pgx.
func rawTextArray(v []byte) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	if len(v) < 12 {
		return nil, false
	}
	ndim := binary.BigEndian.Uint32(v)
	elem := binary.BigEndian.Uint32(v[8:])
	if elem != pgtype.TextOID && elem != pgtype.VarcharOID {
		return nil, false
	}
	if ndim == 0 {
		if len(v) != 12 {
			return nil, false
		}
		return nil, true
	}
	if ndim != 1 || len(v) < 20 {
		return nil, false
	}
	n := binary.BigEndian.Uint32(v[12:])
	rest := v[20:]
	// Every element takes at least its 4-byte length.
	if uint64(n)*4 > uint64(len(rest)) {
		return nil, false
	}
	out := make([]string, 0, n)
	for range n {
		if len(rest) < 4 {
			return nil, false
		}
		l := int32(binary.BigEndian.Uint32(rest))
		rest = rest[4:]
		if l < 0 || int(l) > len(rest) {
			return nil, false
		}
		out = append(out, string(rest[:l]))
		rest = rest[l:]
	}
	if len(rest) != 0 {
		return nil, false
	}
	return out, true
}

// rawJSONB returns a jsonb value's JSON text, copied; nil (NULL) is nil.
// The binary format leads with a version byte, 1.
func rawJSONB(v []byte, format int16) ([]byte, bool) {
	if v == nil {
		return nil, true
	}
	if format == pgtype.BinaryFormatCode {
		if len(v) == 0 || v[0] != 1 {
			return nil, false
		}
		v = v[1:]
	}
	return append([]byte(nil), v...), true
}
