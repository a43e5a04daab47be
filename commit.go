package crm

import (
	"context"
	"sync"
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
	if sc, ok := ctx.Value(commitScopeKey{}).(*CommitScope); ok {
		sc.add(fn)
		return
	}
	fn(context.WithoutCancel(ctx))
}

// CommitScope collects the functions registered with [AfterCommit] during
// one transaction. A store's Transactor makes one when it begins a
// transaction (application code never needs it) and calls exactly one of
// Commit or Rollback when the transaction ends.
//
// Scopes nest: a scope made inside another (a store's transaction inside a
// host's, or inside another store's) hands its functions to the outer scope
// when it commits, so they run only when the outermost transaction commits.
// A CommitScope is safe for concurrent use.
type CommitScope struct {
	parent context.Context // the context the scope was made in
	mu     sync.Mutex
	fns    []scopedFn
	state  scopeState
}

type scopedFn = func(context.Context)

type scopeState uint8

const (
	scopeOpen scopeState = iota
	scopeCommitted
	scopeRolledBack
)

type commitScopeKey struct{}

// NewCommitScope returns a context carrying a new scope, and the scope.
func NewCommitScope(ctx context.Context) (context.Context, *CommitScope) {
	sc := &CommitScope{parent: ctx}
	return context.WithValue(ctx, commitScopeKey{}, sc), sc
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

// Commit reports that the transaction committed: the registered functions
// run now, in the order they were registered, or are handed to the
// enclosing scope. A function that panics does not stop the others; the
// first panic is raised again after all have run. Commit after Commit or
// Rollback does nothing.
func (sc *CommitScope) Commit() {
	sc.mu.Lock()
	if sc.state != scopeOpen {
		sc.mu.Unlock()
		return
	}
	sc.state = scopeCommitted
	fns := sc.fns
	sc.fns = nil
	sc.mu.Unlock()
	if outer, ok := sc.parent.Value(commitScopeKey{}).(*CommitScope); ok {
		for _, f := range fns {
			outer.add(f)
		}
		return
	}
	ctx := context.WithoutCancel(sc.parent)
	var first any
	for _, f := range fns {
		func() {
			defer func() {
				if r := recover(); r != nil && first == nil {
					first = r
				}
			}()
			f(ctx)
		}()
	}
	if first != nil {
		panic(first)
	}
}

// Rollback reports that the transaction rolled back: the registered
// functions are dropped, and so is any registered later. Rollback after
// Commit or Rollback does nothing.
func (sc *CommitScope) Rollback() {
	sc.mu.Lock()
	if sc.state == scopeOpen {
		sc.state = scopeRolledBack
		sc.fns = nil
	}
	sc.mu.Unlock()
}
