// Package enum holds the shared machinery behind the library's closed
// enumerations: a fixed allow-list of names, parsing that refuses anything
// else, and text marshalling. Persisted forms are the names, never the
// numbers, so values can be added without renumbering stored data.
package enum

import (
	"fmt"
	"strings"

	"github.com/crmkit/crm"
)

// Set is the allow-list of one enumeration. Value 0 is always the invalid
// zero value; value i (1-based) has name Names[i-1]. A Set is immutable
// after New and safe for concurrent use.
type Set[T ~uint8] struct {
	kind  string
	names []string
}

// New returns the set for kind (used in error messages) with the given
// names, in value order starting at 1.
func New[T ~uint8](kind string, names ...string) Set[T] {
	return Set[T]{kind: kind, names: names}
}

// Valid reports whether v is one of the set's values.
func (s Set[T]) Valid(v T) bool { return v >= 1 && int(v) <= len(s.names) }

// String returns v's name, or "<kind>(n)" for a value outside the set.
func (s Set[T]) String(v T) string {
	if s.Valid(v) {
		return s.names[v-1]
	}
	return fmt.Sprintf("%s(%d)", s.kind, uint8(v))
}

// Parse returns the value named str (case-insensitive, surrounding spaces
// ignored). Anything else is an error wrapping crm.ErrInvalid.
func (s Set[T]) Parse(str string) (T, error) {
	if len(str) <= 64 {
		t := strings.TrimSpace(str)
		for i, n := range s.names {
			if strings.EqualFold(n, t) {
				return T(i + 1), nil
			}
		}
	}
	if len(str) > 64 {
		str = str[:64] + "…"
	}
	return 0, crm.Invalid("parse "+s.kind, "", fmt.Sprintf("unknown %s %q (want one of %s)", s.kind, str, strings.Join(s.names, ", ")))
}

// Values returns every value of the set in order.
func (s Set[T]) Values() []T {
	out := make([]T, len(s.names))
	for i := range s.names {
		out[i] = T(i + 1)
	}
	return out
}

// Marshal returns v's name as text, or an error for a value outside the set.
func (s Set[T]) Marshal(v T) ([]byte, error) {
	if !s.Valid(v) {
		return nil, crm.Invalid("marshal "+s.kind, "", fmt.Sprintf("invalid %s value %d", s.kind, uint8(v)))
	}
	return []byte(s.names[v-1]), nil
}
