package memory

import (
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/crmkit/crm"
)

// Cursors are opaque to callers: base64url (no padding) of a kind byte
// naming the list, then the sort key of the last item of the previous page.
// Only canonical encodings decode, so a cursor survives decode+encode
// unchanged.
const (
	kindCustomers    byte = 'c' // ID
	kindHistory      byte = 'h' // time, origin ID, sequence
	kindInteractions byte = 'i' // time, ID
	kindVisits       byte = 'v' // time, ID
)

var cursorEncoding = base64.RawURLEncoding.Strict()

// cursor is the decoded position of a page: the sort key of the last item
// already returned.
type cursor struct {
	kind byte
	at   time.Time
	id   crm.ID
	seq  int64
}

// size of the payload of each kind, after the kind byte.
func payloadLen(kind byte) int {
	switch kind {
	case kindCustomers:
		return 16
	case kindHistory:
		return 12 + 16 + 8
	case kindInteractions, kindVisits:
		return 12 + 16
	}
	return -1
}

// encode returns the cursor's string form.
func (c cursor) encode() string {
	b := make([]byte, 0, 1+payloadLen(c.kind))
	b = append(b, c.kind)
	if c.kind != kindCustomers {
		b = binary.BigEndian.AppendUint64(b, uint64(c.at.Unix()))
		b = binary.BigEndian.AppendUint32(b, uint32(c.at.Nanosecond()))
	}
	b = append(b, c.id[:]...)
	if c.kind == kindHistory {
		b = binary.BigEndian.AppendUint64(b, uint64(c.seq))
	}
	return cursorEncoding.EncodeToString(b)
}

// decodeCursor parses s as a cursor of the given kind. The empty string is
// the first page (ok false). Anything else that is not a cursor of that kind
// is refused with a *crm.ValidationError.
func decodeCursor(op string, kind byte, s string) (c cursor, ok bool, err error) {
	if s == "" {
		return cursor{}, false, nil
	}
	bad := func(problem string) (cursor, bool, error) {
		return cursor{}, false, crm.Invalid(op, "cursor", problem)
	}
	if len(s) > crm.MaxCursorLen {
		return bad("too long")
	}
	b, derr := cursorEncoding.DecodeString(s)
	if derr != nil || cursorEncoding.EncodeToString(b) != s { // the decoder skips newlines
		return bad("malformed")
	}
	if len(b) == 0 || b[0] != kind || len(b) != 1+payloadLen(kind) {
		return bad("not a cursor of this list")
	}
	c.kind, b = b[0], b[1:]
	if kind != kindCustomers {
		sec := int64(binary.BigEndian.Uint64(b))
		nsec := binary.BigEndian.Uint32(b[8:])
		if nsec >= 1e9 {
			return bad("malformed")
		}
		c.at = time.Unix(sec, int64(nsec)).UTC()
		b = b[12:]
	}
	copy(c.id[:], b)
	if c.id.IsZero() {
		return bad("malformed")
	}
	if kind == kindHistory {
		c.seq = int64(binary.BigEndian.Uint64(b[16:]))
	}
	return c, true, nil
}
