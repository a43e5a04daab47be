package crm

import (
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/google/uuid"
)

// ID identifies a record. IDs are UUIDv7: time-ordered, so they sort by
// creation time and keep database indexes compact. The zero ID is never a
// valid record ID.
type ID uuid.UUID

// NilID is the zero ID.
var NilID ID

// ParseID parses the canonical 36-character form (also accepting the forms
// uuid.Parse accepts). The zero UUID is refused.
func ParseID(s string) (ID, error) {
	if len(s) > 45 { // longest accepted form: urn:uuid: prefix + 36
		return NilID, Invalid("crm.ParseID", "", "too long")
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return NilID, Invalid("crm.ParseID", "", fmt.Sprintf("malformed id %q", s))
	}
	if u == uuid.Nil {
		return NilID, Invalid("crm.ParseID", "", "zero id")
	}
	return ID(u), nil
}

// MustParseID is like [ParseID] but panics on error. Use it only for
// constants in tests and examples.
func MustParseID(s string) ID {
	id, err := ParseID(s)
	if err != nil {
		panic(err)
	}
	return id
}

// String returns the canonical lower-case 36-character form.
func (id ID) String() string { return uuid.UUID(id).String() }

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id == NilID }

// Compare orders IDs bytewise, which for UUIDv7 is creation order.
func (id ID) Compare(other ID) int {
	for i := range id {
		if id[i] != other[i] {
			if id[i] < other[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// MarshalText implements encoding.TextMarshaler.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. It accepts the zero ID
// so that optional fields round-trip; use [ParseID] to refuse it.
func (id *ID) UnmarshalText(b []byte) error {
	if len(b) > 45 {
		return Invalid("crm.ID", "", "too long")
	}
	u, err := uuid.ParseBytes(b)
	if err != nil {
		return Invalid("crm.ID", "", fmt.Sprintf("malformed id %q", b))
	}
	*id = ID(u)
	return nil
}

// Value implements driver.Valuer, storing the canonical string.
func (id ID) Value() (driver.Value, error) { return id.String(), nil }

// IDGenerator makes new IDs. Implementations must be safe for concurrent use.
type IDGenerator interface {
	NewID() (ID, error)
}

// IDGeneratorFunc adapts a function to [IDGenerator].
type IDGeneratorFunc func() (ID, error)

// NewID calls f.
func (f IDGeneratorFunc) NewID() (ID, error) { return f() }

// UUIDv7 generates random, time-ordered UUIDv7 IDs. Its zero value is ready
// to use and is the default generator of every service.
type UUIDv7 struct{}

// NewID returns a new UUIDv7.
func (UUIDv7) NewID() (ID, error) {
	u, err := uuid.NewV7()
	if err != nil {
		return NilID, fmt.Errorf("crm: new id: %w", err)
	}
	return ID(u), nil
}

// SequentialIDs generates deterministic, strictly increasing UUIDv7 IDs from
// a clock and a counter, for tests and examples whose output must not vary.
// It is safe for concurrent use. Create one with [NewSequentialIDs].
type SequentialIDs struct {
	mu    sync.Mutex
	clock Clock
	n     uint64
}

// NewSequentialIDs returns a generator whose IDs carry clock's time (the
// system clock when nil) and a counter starting at 1.
func NewSequentialIDs(clock Clock) *SequentialIDs {
	if clock == nil {
		clock = SystemClock{}
	}
	return &SequentialIDs{clock: clock}
}

// NewID returns the next ID.
func (g *SequentialIDs) NewID() (ID, error) {
	g.mu.Lock()
	g.n++
	n := g.n
	g.mu.Unlock()
	var id ID
	ms := uint64(g.clock.Now().UnixMilli())
	binary.BigEndian.PutUint64(id[0:8], ms<<16)
	binary.BigEndian.PutUint64(id[8:16], n)
	id[6] = 0x70 // version 7, rand_a high bits zero
	id[8] = 0x80 // RFC 4122 variant, counter fits in the low 7 bytes
	return id, nil
}
