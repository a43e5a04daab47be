package crm

import "context"

// Transactor runs a function inside one transaction. Every store
// implementation provides one; services use it for use cases that touch
// several aggregates (merging two customers, converting a lead) so that they
// happen whole or not at all.
//
// The transaction travels in the context: fn receives a context that carries
// it, and every store method called with that context (or one derived from
// it) takes part in the transaction. Store methods called with a context
// without a transaction run on their own.
//
// InTx commits when fn returns nil and rolls back when fn returns an error or
// panics (the panic is then re-raised); on rollback nothing fn wrote remains.
// A commit that loses to a concurrent transaction returns an error wrapping
// [ErrConflict]. Calling InTx with a context that already carries a
// transaction of the same store joins it: fn runs in the outer transaction
// and nothing is committed until the outermost fn returns.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}
