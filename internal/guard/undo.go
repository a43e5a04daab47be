package guard

import (
	"context"
	"runtime"
	"sync/atomic"
	"weak"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/txscope"
)

// Undo puts the entities a store call is about to mark saved (a Create, a
// Save, an import) back as they were before the call, should the
// transaction the call runs in roll back: their version, pending history
// or audit entries, pending events and stored state, so that the caller
// can retry the change with the same entities and store exactly what a
// first attempt would have. The copy is the entity's Clone, so an entity
// with copy-on-write state comes back marked as sharing it (its next
// change copies it first): a copy a store made during the call, or handed
// out inside the transaction, may still share that state.
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
//
// The copy of an entity is kept until the transaction ends, and only as
// long as the entity is reachable otherwise: the restore holds the entity
// weakly, and the copy is dropped once the entity is collected. An import
// that stores batch after batch in one transaction and drops each batch
// once stored (customercsv, leadcsv) so keeps a few words per entity, not
// the entities.
type Undo struct{ k undoer }

// undoer is the copy of the entities of one call: one entity or a batch.
type undoer interface {
	arm()     // the call succeeded: hold the copies until the end
	restore() // the transaction rolled back: put the entities back
	forget()  // the transaction committed: drop the copies
}

// kept is the copy of one entity taken before a store call.
type kept[E any] struct {
	e       weak.Pointer[E]
	before  atomic.Pointer[E] // nil once e is collected or the transaction ended
	cleanup runtime.Cleanup   // drops before when e is collected
}

func (k *kept[E]) keep(e *E, clone func(*E) *E) {
	k.e = weak.Make(e)
	k.before.Store(clone(e))
}

// arm attaches the cleanup that drops the copy when the entity is
// collected. It is attached only once the call succeeded: the copy of a
// failed call is garbage at once, whatever becomes of the entity.
func (k *kept[E]) arm() {
	if e := k.e.Value(); e != nil {
		k.cleanup = runtime.AddCleanup(e, func(k *kept[E]) { k.before.Store(nil) }, k)
	}
}

func (k *kept[E]) restore() {
	if e := k.e.Value(); e != nil {
		if b := k.before.Load(); b != nil {
			*e = *b
		}
	}
	k.forget()
}

func (k *kept[E]) forget() {
	k.cleanup.Stop()
	k.before.Store(nil)
}

// keptAll is the copy of the entities of one batch.
type keptAll[E any] []kept[E]

func (ks keptAll[E]) arm() {
	for i := range ks {
		ks[i].arm()
	}
}

func (ks keptAll[E]) restore() {
	for i := len(ks) - 1; i >= 0; i-- {
		ks[i].restore()
	}
}

func (ks keptAll[E]) forget() {
	for i := range ks {
		ks[i].forget()
	}
}

// Keep copies e with clone (the entity's Clone, a copy no later change of
// either reaches the other through) when ctx carries a transaction scope.
// Outside one, nothing can roll back a call that succeeded: Keep copies
// nothing and returns the zero Undo.
func Keep[E any](ctx context.Context, e *E, clone func(*E) *E) Undo {
	if e == nil || !txscope.In(ctx) {
		return Undo{}
	}
	k := new(kept[E])
	k.keep(e, clone)
	return Undo{k}
}

// KeepAll is Keep for the entities of one call (an import); nil entries
// are skipped. The caller may change es afterwards.
func KeepAll[E any](ctx context.Context, es []*E, clone func(*E) *E) Undo {
	if len(es) == 0 || !txscope.In(ctx) {
		return Undo{}
	}
	ks := make(keptAll[E], len(es))
	for i, e := range es {
		if e != nil {
			ks[i].keep(e, clone)
		}
	}
	return Undo{ks}
}

// AfterRollback arranges for the entities to get back what Keep copied if
// the transaction carried by ctx rolls back (see crm.AfterRollback), and
// for the copies to be dropped once it commits. A guard calls it once the
// store call succeeded and the entities are marked saved; after a failed
// call it calls nothing, and the copies are garbage.
func (u Undo) AfterRollback(ctx context.Context) {
	if u.k == nil {
		return
	}
	k := u.k
	k.arm()
	crm.AfterRollback(ctx, func(context.Context) { k.restore() })
	crm.AfterCommit(ctx, func(context.Context) { k.forget() })
}
