package guard

import (
	"context"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/txscope"
)

// Undo puts the entities a store call is about to mark saved (a Create, a
// Save, an import) back as they were before the call, should the
// transaction the call runs in roll back: their version, pending history
// or audit entries, pending events, stored state and copy-on-write flags,
// so that the caller can retry the change with the same entities and store
// exactly what a first attempt would have.
//
// This is done once, in the checking layer every store's ports are
// returned behind, rather than in each store: the guard is the one place
// every Create of every store (a host's own too) passes through, and it
// marks the entity saved itself whether or not the store did.
//
// A guard calls Keep (or KeepAll) before the store call, and AfterRollback
// once the call succeeded and the entities are marked saved. A call that
// failed registers nothing: its entities were not marked saved, and what
// the caller does with them afterwards is the caller's. The zero Undo does
// nothing.
type Undo struct{ restore func(context.Context) }

// Keep copies e with clone (the entity's Clone, a copy no later change of
// either reaches the other through) when ctx carries a transaction scope.
// Outside one, nothing can roll back a call that succeeded: Keep copies
// nothing and returns the zero Undo.
func Keep[E any](ctx context.Context, e *E, clone func(*E) *E) Undo {
	if e == nil || !txscope.In(ctx) {
		return Undo{}
	}
	before := clone(e)
	return Undo{func(context.Context) { *e = *before }}
}

// KeepAll is Keep for the entities of one call (an import); nil entries
// are skipped.
func KeepAll[E any](ctx context.Context, es []*E, clone func(*E) *E) Undo {
	if len(es) == 0 || !txscope.In(ctx) {
		return Undo{}
	}
	es = slices.Clone(es) // the caller's slice may change afterwards
	before := make([]*E, len(es))
	for i, e := range es {
		if e != nil {
			before[i] = clone(e)
		}
	}
	return Undo{func(context.Context) {
		for i := len(es) - 1; i >= 0; i-- {
			if es[i] != nil {
				*es[i] = *before[i]
			}
		}
	}}
}

// AfterRollback arranges for the entities to get back what Keep copied if
// the transaction carried by ctx rolls back (see crm.AfterRollback): the
// restore is dropped when the outermost transaction commits. A guard calls
// it once the store call succeeded and the entities are marked saved.
func (u Undo) AfterRollback(ctx context.Context) {
	if u.restore != nil {
		crm.AfterRollback(ctx, u.restore)
	}
}
