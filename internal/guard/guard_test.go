package guard_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/guard"
)

func TestScope(t *testing.T) {
	t.Parallel()
	p, err := guard.Scope(context.Background(), "op", "t1", crm.PageRequest{})
	require.NoError(t, err)
	require.Equal(t, crm.DefaultPageLimit, p.Limit)

	_, err = guard.Scope(context.Background(), "op", "", crm.PageRequest{Limit: -1})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "op", ve.Op)
	require.True(t, ve.Has("page.limit"), "%v", ve.Fields)
	require.Len(t, ve.Fields, 2, "the tenant and the page")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = guard.Scope(ctx, "op", "t1", crm.PageRequest{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestCorrupt(t *testing.T) {
	t.Parallel()
	err := guard.Corrupt("op", "t1", crm.NilID)
	require.ErrorIs(t, err, crm.ErrCorrupt)
	require.NotErrorIs(t, err, crm.ErrConflict, "no retry invited")
}
