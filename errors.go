package crm

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors say what went wrong. Compare with [errors.Is]; every error
// the library returns for one of these conditions wraps the matching sentinel.
var (
	// ErrNotFound: the record does not exist for this tenant. A record of
	// another tenant is reported the same way.
	ErrNotFound = errors.New("crm: not found")
	// ErrConflict: the change was based on a stale version, or a concurrent
	// transaction won; reload and retry.
	ErrConflict = errors.New("crm: conflict")
	// ErrInvalid: the input is malformed or breaks a rule. A
	// [*ValidationError] usually says which field.
	ErrInvalid = errors.New("crm: invalid input")
	// ErrInvalidTransition: a state machine refused the change. A
	// [*TransitionError] says from where to where.
	ErrInvalidTransition = errors.New("crm: invalid transition")
	// ErrDuplicate: a record with the same identity or unique key exists.
	ErrDuplicate = errors.New("crm: duplicate")
	// ErrMerged: the record was merged into another and remains only as a
	// tombstone pointing to the survivor.
	ErrMerged = errors.New("crm: merged")
	// ErrErased: the personal data of the record was erased on request.
	ErrErased = errors.New("crm: erased")
	// ErrUnavailable: the backend could not be reached or failed for a
	// reason of its own (a lost connection, a server shutting down, a
	// refused permission): nothing is known to have changed, the input is
	// not to blame, and the call may succeed later.
	ErrUnavailable = errors.New("crm: backend unavailable")
	// ErrOutcomeUnknown: the connection was lost while a commit was in
	// flight, so whether the change was stored cannot be known. Unlike
	// ErrConflict it does not mean "nothing happened, retry": read the
	// record back (or make the change idempotent) before trying again.
	ErrOutcomeUnknown = errors.New("crm: outcome unknown")
	// ErrUnsupported: the store or backend cannot do what was asked.
	ErrUnsupported = errors.New("crm: unsupported")
	// ErrCorrupt: stored records break an invariant the library keeps (a
	// merge chain that loops, a tombstone pointing to a missing customer).
	// Retrying cannot help: the data must be repaired.
	ErrCorrupt = errors.New("crm: corrupt stored data")
	// ErrCurrencyMismatch: arithmetic or comparison across two currencies.
	// It wraps ErrInvalid as well.
	ErrCurrencyMismatch = fmt.Errorf("%w: currency mismatch", ErrInvalid)
	// ErrDivisionByZero: a division or allocation by zero. It wraps
	// ErrInvalid as well.
	ErrDivisionByZero = fmt.Errorf("%w: division by zero", ErrInvalid)
)

// FieldError is one problem with one field of an input.
type FieldError struct {
	// Path locates the field, e.g. "emails[1].address" or "currency".
	Path string
	// Problem says what is wrong, in lower case, e.g. "must not be empty".
	Problem string
}

// String returns "path: problem".
func (f FieldError) String() string {
	if f.Path == "" {
		return f.Problem
	}
	return f.Path + ": " + f.Problem
}

// ValidationError lists every problem found in one input. It unwraps to
// [ErrInvalid], so callers can branch with errors.Is(err, crm.ErrInvalid) and
// read the details with errors.As.
type ValidationError struct {
	// Op names the operation that validated, e.g. "customer.New".
	Op string
	// Fields holds the problems in the order they were found.
	Fields []FieldError
}

// Error joins all problems into one line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString("invalid input")
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// Unwrap returns [ErrInvalid].
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Has reports whether a problem was recorded for path.
func (e *ValidationError) Has(path string) bool {
	for _, f := range e.Fields {
		if f.Path == path {
			return true
		}
	}
	return false
}

// Validator collects field problems; its zero value is ready to use.
// It is not safe for concurrent use.
type Validator struct {
	fields []FieldError
}

// Addf records a problem with path, formatted like fmt.Sprintf.
func (v *Validator) Addf(path, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Path: path, Problem: fmt.Sprintf(format, args...)})
}

// Check records problem for path when ok is false, and returns ok.
func (v *Validator) Check(ok bool, path, problem string) bool {
	if !ok {
		v.fields = append(v.fields, FieldError{Path: path, Problem: problem})
	}
	return ok
}

// Merge records the problems of err under prefix when err is a
// [*ValidationError]; any other non-nil error is recorded as one problem.
func (v *Validator) Merge(prefix string, err error) {
	if err == nil {
		return
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			p := f.Path
			switch {
			case prefix == "":
			case p == "":
				p = prefix
			default:
				p = prefix + "." + p
			}
			v.fields = append(v.fields, FieldError{Path: p, Problem: f.Problem})
		}
		return
	}
	v.fields = append(v.fields, FieldError{Path: prefix, Problem: err.Error()})
}

// Err returns nil when no problem was recorded, otherwise a
// [*ValidationError] for op holding a copy of the problems.
func (v *Validator) Err(op string) error {
	if len(v.fields) == 0 {
		return nil
	}
	return &ValidationError{Op: op, Fields: append([]FieldError(nil), v.fields...)}
}

// Invalid returns a [*ValidationError] for op with a single problem.
func Invalid(op, path, problem string) error {
	return &ValidationError{Op: op, Fields: []FieldError{{Path: path, Problem: problem}}}
}

// TransitionError reports a state change a state machine refused. It
// unwraps to [ErrInvalidTransition].
type TransitionError struct {
	// Machine names the state machine, e.g. "customer stage".
	Machine string
	// From and To are the states, as their String forms.
	From, To string
	// Reason says why, when more than "not allowed" is known.
	Reason string
}

// Error describes the refused transition.
func (e *TransitionError) Error() string {
	s := fmt.Sprintf("%s: transition %s -> %s not allowed", e.Machine, e.From, e.To)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Unwrap returns [ErrInvalidTransition].
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }
