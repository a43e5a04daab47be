package storagetest

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/storage/memory"
)

// TestEventsScopedMemory runs the Events area against the memory store
// behind a transactor that makes a commit scope for each outermost
// transaction, as every store's InTx must: it proves that the cases pass
// on a store that keeps the after-commit contract.
func TestEventsScopedMemory(t *testing.T) {
	t.Parallel()
	s := memory.New(nil)
	testEvents(t, &env{s: scopedTx{s}, c: s.Customers(), f: Features{TxBlocksTenant: true}})
}

// scopedTx adds commit scopes to a transactor that has none.
type scopedTx struct{ crm.Transactor }

type scopedTxKey struct{}

func (s scopedTx) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if ctx.Value(scopedTxKey{}) != nil || fn == nil {
		return s.Transactor.InTx(ctx, fn)
	}
	ctx, sc := crm.NewCommitScope(context.WithValue(ctx, scopedTxKey{}, true))
	committed := false
	defer func() {
		if !committed {
			sc.Rollback()
		}
	}()
	if err := s.Transactor.InTx(ctx, fn); err != nil {
		return err
	}
	committed = true
	sc.Commit()
	return nil
}
