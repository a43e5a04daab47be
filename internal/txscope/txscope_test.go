package txscope_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/txscope"
)

func TestIn(t *testing.T) {
	t.Parallel()
	require.False(t, txscope.In(context.Background()))
	ctx, sc := crm.NewCommitScope(context.Background())
	require.True(t, txscope.In(ctx))
	type key struct{}
	inner := context.WithValue(ctx, key{}, "v")
	require.True(t, txscope.In(inner), "a context derived from a scope's carries it")
	sc.Rollback()
	require.True(t, txscope.In(ctx), "an ended scope is still carried: AfterRollback decides what a late registration does")
}
