package crm

import (
	"context"
	"sync"

	"github.com/crmkit/crm/internal/txscope"
)

// AfterCommit arranges for fn to run once the transaction carried by ctx
// has committed, and never if it rolls back. Services use it to publish
// domain events, so that an [EventSink] never hears of a change that did not
// happen. When ctx carries no transaction scope (see [NewCommitScope]), the
// change the caller just made is already committed and fn runs at once.
//
// fn receives a context that is never cancelled (the change is committed
// whatever the caller does next) and carries no transaction: inside a
// scope it is the context the outermost transaction was begun with, so fn
// may use any store with it; without a scope it carries the values of ctx.
func AfterCommit(ctx context.Context, fn func(ctx context.Context)) {
	if fn == nil {
		return
	}
	if sc, ok := ctx.Value(txscope.Key{}).(*CommitScope); ok {
		sc.add(fn)
		return
	}
	fn(context.WithoutCancel(ctx))
}

// AfterRollback arranges for fn to run if the transaction carried by ctx
// rolls back, and never once it has committed: the counterpart of
// [AfterCommit], with the same scopes and the same nesting. The checking
// layers of the domain packages use it to put an entity a store call
// marked saved (a Create, a Save, an import) back as it was before the
// call, so that a caller can retry a rolled-back change with the same
// entity. When ctx carries no transaction scope, the change the caller
// just made is already committed, nothing can undo it, and fn never runs.
//
// When the scope fn was registered in commits, fn is handed to the
// enclosing scope, if any (a store's transaction inside a host's, see
// [CommitScope]), and runs if that one rolls back; it is dropped when the
// outermost scope commits. Registered with a scope that has already
// ended, fn is handed to the enclosing scope when that one committed and
// dropped when it rolled back (the change fn belongs to was not part of
// it).
//
// The functions of a scope that rolls back run when the rollback is
// reported ([CommitScope.Rollback]), after the store has undone its
// writes, newest first, as deferred calls do: each sees what the later
// ones put back. fn receives a context that is never cancelled: the one
// the rolled-back transaction was begun with, which carries the enclosing
// transaction, if any.
func AfterRollback(ctx context.Context, fn func(ctx context.Context)) {
	if fn == nil {
		return
	}
	if sc, ok := ctx.Value(txscope.Key{}).(*CommitScope); ok {
		sc.addUndo(fn)
	}
}

// CommitScope collects the functions registered with [AfterCommit] and
// [AfterRollback] during one transaction. A store's Transactor makes one
// when it begins a transaction (application code never needs it) and calls
// exactly one of Commit or Rollback when the transaction ends.
//
// Scopes nest: a scope made inside another (a store's transaction inside a
// host's, or inside another store's) hands its functions to the outer scope
// when it commits, so that after-commit functions run only when the
// outermost transaction commits and after-rollback functions run when any
// enclosing transaction rolls back. A CommitScope is safe for concurrent
// use.
type CommitScope struct {
	parent context.Context // the context the scope was made in
	mu     sync.Mutex
	fns    []scopedFn // AfterCommit, oldest first
	undo   []scopedFn // AfterRollback, oldest first
	state  scopeState
}

type scopedFn = func(context.Context)

type scopeState uint8

const (
	scopeOpen scopeState = iota
	scopeCommitted
	scopeRolledBack
)

// NewCommitScope returns a context carrying a new scope, and the scope.
func NewCommitScope(ctx context.Context) (context.Context, *CommitScope) {
	sc := &CommitScope{parent: ctx}
	return context.WithValue(ctx, txscope.Key{}, sc), sc
}

func (sc *CommitScope) add(fn func(context.Context)) {
	sc.mu.Lock()
	switch sc.state {
	case scopeOpen:
		sc.fns = append(sc.fns, fn)
		sc.mu.Unlock()
	case scopeCommitted: // late registration after the commit: the change is in
		sc.mu.Unlock()
		AfterCommit(sc.parent, fn)
	default: // rolled back: what was registered did not happen
		sc.mu.Unlock()
	}
}

func (sc *CommitScope) addUndo(fn func(context.Context)) {
	sc.mu.Lock()
	switch sc.state {
	case scopeOpen:
		sc.undo = append(sc.undo, fn)
		sc.mu.Unlock()
	case scopeCommitted: // late registration after the commit: an outer scope may still undo it
		sc.mu.Unlock()
		AfterRollback(sc.parent, fn)
	default: // rolled back before the change: it was not part of the transaction
		sc.mu.Unlock()
	}
}

// Commit reports that the transaction committed: the functions registered
// with AfterCommit run now, in the order they were registered, or are
// handed to the enclosing scope; those registered with AfterRollback are
// handed to the enclosing scope, or dropped when there is none. A function
// that panics does not stop the others; the first panic is raised again
// after all have run. Commit after Commit or Rollback does nothing.
func (sc *CommitScope) Commit() {
	sc.mu.Lock()
	if sc.state != scopeOpen {
		sc.mu.Unlock()
		return
	}
	sc.state = scopeCommitted
	fns, undo := sc.fns, sc.undo
	sc.fns, sc.undo = nil, nil
	sc.mu.Unlock()
	if outer, ok := sc.parent.Value(txscope.Key{}).(*CommitScope); ok {
		for _, f := range fns {
			outer.add(f)
		}
		for _, f := range undo {
			outer.addUndo(f)
		}
		return
	}
	runAll(context.WithoutCancel(sc.parent), fns, false)
}

// Rollback reports that the transaction rolled back: the functions
// registered with AfterRollback run now, newest first, and those
// registered with AfterCommit are dropped, as is any registered later. A
// function that panics does not stop the others; the first panic is
// raised again after all have run. Rollback after Commit or Rollback does
// nothing.
func (sc *CommitScope) Rollback() {
	sc.mu.Lock()
	if sc.state != scopeOpen {
		sc.mu.Unlock()
		return
	}
	sc.state = scopeRolledBack
	undo := sc.undo
	sc.fns, sc.undo = nil, nil
	sc.mu.Unlock()
	runAll(context.WithoutCancel(sc.parent), undo, true)
}

// runAll runs fns with ctx, in order or newest first when reverse is set.
// A panic does not stop the others: the first is raised again at the end.
func runAll(ctx context.Context, fns []scopedFn, reverse bool) {
	var first any
	panicked := false
	for i := range fns {
		f := fns[i]
		if reverse {
			f = fns[len(fns)-1-i]
		}
		func() {
			defer func() {
				if r := recover(); r != nil && !panicked {
					first, panicked = r, true
				}
			}()
			f(ctx)
		}()
	}
	if panicked {
		panic(first)
	}
}
