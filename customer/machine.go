package customer

import (
	"slices"

	"github.com/crmkit/crm"
)

// machine is a state machine as data: for each state, the states it may move
// to. It is immutable after construction.
type machine[S ~uint8] struct {
	name  string
	table map[S][]S
	str   func(S) string
}

// allowed reports whether from -> to is in the table.
func (m machine[S]) allowed(from, to S) bool {
	return slices.Contains(m.table[from], to)
}

// check returns a *crm.TransitionError when from -> to is not allowed.
func (m machine[S]) check(from, to S) error {
	if m.allowed(from, to) {
		return nil
	}
	reason := ""
	if from == to {
		reason = "already in that state"
	}
	return &crm.TransitionError{Machine: m.name, From: m.str(from), To: m.str(to), Reason: reason}
}

// next returns the states reachable from s, in table order.
func (m machine[S]) next(s S) []S { return slices.Clone(m.table[s]) }
