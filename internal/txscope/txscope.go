// Package txscope holds the context key under which the kernel carries a
// transaction's commit scope ([github.com/crmkit/crm.NewCommitScope]), so
// that the checking layers of the domain packages can tell whether a call
// runs inside one, without a word of public API.
//
// It imports nothing of the module: the kernel package imports it.
package txscope

import "context"

// Key is the context key of a *crm.CommitScope.
type Key struct{}

// In reports whether ctx carries a commit scope, that is whether a
// function registered with crm.AfterRollback under ctx may ever run. The
// checking layers use it to copy an entity before a store call only when
// a rollback could have to put it back.
func In(ctx context.Context) bool { return ctx.Value(Key{}) != nil }
