package postgres

import (
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/crmkit/crm"
)

// A cursor is the sort key of the last item of a page, so the next page
// starts strictly after it whatever was inserted meanwhile. Its string form
// is opaque: unpadded base64url of a list tag, a format version and the
// key. Only the canonical encoding of a well-formed key decodes.
type cursor struct {
	list listTag
	at   time.Time // microseconds since the Unix epoch on the wire
	id   crm.ID
	seq  int64
}

// listTag names the list a cursor belongs to.
type listTag byte

const (
	listCustomers    listTag = 'C' // id
	listHistory      listTag = 'H' // at, origin id, seq
	listInteractions listTag = 'I' // at, id
	listVisits       listTag = 'V' // planned at, id
)

const cursorVersion = 1

var cursorB64 = base64.RawURLEncoding.Strict()

// keyLen is the length of a list's key after tag and version.
func (l listTag) keyLen() int {
	switch l {
	case listCustomers:
		return 16
	case listHistory:
		return 8 + 16 + 8
	case listInteractions, listVisits:
		return 8 + 16
	}
	return -1
}

// String returns the cursor's opaque form.
func (c cursor) String() string {
	b := make([]byte, 0, 2+c.list.keyLen())
	b = append(b, byte(c.list), cursorVersion)
	if c.list != listCustomers {
		b = binary.BigEndian.AppendUint64(b, uint64(c.at.UnixMicro()))
	}
	b = append(b, c.id[:]...)
	if c.list == listHistory {
		b = binary.BigEndian.AppendUint64(b, uint64(c.seq))
	}
	return cursorB64.EncodeToString(b)
}

// parseCursor decodes s as a cursor of list l; ok is false for the empty
// string (the first page). Anything else that is not a cursor of l returns
// a *crm.ValidationError for op.
func parseCursor(op string, l listTag, s string) (c cursor, ok bool, err error) {
	if s == "" {
		return cursor{}, false, nil
	}
	bad := func(problem string) (cursor, bool, error) {
		return cursor{}, false, crm.Invalid(op, "page.cursor", problem)
	}
	if len(s) > crm.MaxCursorLen {
		return bad("too long")
	}
	b, derr := cursorB64.DecodeString(s)
	switch {
	case derr != nil || cursorB64.EncodeToString(b) != s:
		// The decoder skips line breaks: only the canonical form is a
		// cursor.
		return bad("malformed")
	case len(b) < 2 || listTag(b[0]) != l || len(b) != 2+l.keyLen():
		return bad("not a cursor of this list")
	case b[1] != cursorVersion:
		return bad("unknown cursor version")
	}
	c.list, b = l, b[2:]
	if l != listCustomers {
		c.at = time.UnixMicro(int64(binary.BigEndian.Uint64(b))).UTC()
		if y := c.at.Year(); y < 1 || y > 9999 {
			return bad("malformed")
		}
		b = b[8:]
	}
	copy(c.id[:], b)
	if c.id.IsZero() {
		return bad("malformed")
	}
	if l == listHistory {
		c.seq = int64(binary.BigEndian.Uint64(b[16:]))
		if c.seq <= 0 {
			return bad("malformed")
		}
	}
	return c, true, nil
}
