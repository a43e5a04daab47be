package crm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

func TestAfterCommit(t *testing.T) {
	t.Parallel()
	type key struct{}
	t.Run("no scope runs at once, uncancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
		cancel()
		ran := false
		crm.AfterCommit(ctx, func(ctx context.Context) {
			ran = true
			require.NoError(t, ctx.Err())
			require.Equal(t, "v", ctx.Value(key{}))
		})
		require.True(t, ran)
	})
	t.Run("commit runs in order", func(t *testing.T) {
		t.Parallel()
		ctx, sc := crm.NewCommitScope(context.Background())
		var got []int
		crm.AfterCommit(ctx, func(context.Context) { got = append(got, 1) })
		crm.AfterCommit(ctx, func(context.Context) { got = append(got, 2) })
		require.Empty(t, got)
		sc.Commit()
		require.Equal(t, []int{1, 2}, got)
		sc.Commit()
		sc.Rollback()
		require.Equal(t, []int{1, 2}, got, "a second Commit or a late Rollback changes nothing")
		crm.AfterCommit(ctx, func(context.Context) { got = append(got, 3) })
		require.Equal(t, []int{1, 2, 3}, got, "after the commit a registration runs at once")
	})
	t.Run("rollback drops", func(t *testing.T) {
		t.Parallel()
		ctx, sc := crm.NewCommitScope(context.Background())
		ran := 0
		crm.AfterCommit(ctx, func(context.Context) { ran++ })
		sc.Rollback()
		crm.AfterCommit(ctx, func(context.Context) { ran++ })
		sc.Commit()
		require.Zero(t, ran)
	})
	t.Run("nested scopes wait for the outermost", func(t *testing.T) {
		t.Parallel()
		outer, osc := crm.NewCommitScope(context.Background())
		inner, isc := crm.NewCommitScope(outer)
		ran := 0
		crm.AfterCommit(inner, func(context.Context) { ran++ })
		isc.Commit()
		require.Zero(t, ran, "the inner commit is not the outermost")
		osc.Commit()
		require.Equal(t, 1, ran)

		outer, osc = crm.NewCommitScope(context.Background())
		inner, isc = crm.NewCommitScope(outer)
		crm.AfterCommit(inner, func(context.Context) { ran++ })
		isc.Commit()
		osc.Rollback()
		require.Equal(t, 1, ran, "the outer rollback drops what the inner commit handed over")
	})
	t.Run("a panic does not stop the others", func(t *testing.T) {
		t.Parallel()
		ctx, sc := crm.NewCommitScope(context.Background())
		ran := 0
		crm.AfterCommit(ctx, func(context.Context) { panic("first") })
		crm.AfterCommit(ctx, func(context.Context) { ran++ })
		require.PanicsWithValue(t, "first", sc.Commit)
		require.Equal(t, 1, ran)
	})
	t.Run("fn gets the context the transaction began with", func(t *testing.T) {
		t.Parallel()
		type txKey struct{}
		base := context.WithValue(context.Background(), key{}, "base")
		ctx, sc := crm.NewCommitScope(base)
		inTx, cancel := context.WithCancel(context.WithValue(ctx, txKey{}, "tx"))
		var got context.Context
		crm.AfterCommit(inTx, func(ctx context.Context) { got = ctx })
		cancel()
		sc.Commit()
		require.NotNil(t, got)
		require.NoError(t, got.Err(), "never cancelled")
		require.Equal(t, "base", got.Value(key{}))
		require.Nil(t, got.Value(txKey{}), "no transaction travels into an after-commit function")
	})
	t.Run("nil fn", func(t *testing.T) {
		t.Parallel()
		crm.AfterCommit(context.Background(), nil)
	})
}

func TestChangeValidate(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name string
		ch   crm.Change
		path string
	}{
		{"ok", crm.Change{Actor: "ann", At: at, Reason: "why"}, ""},
		{"no actor", crm.Change{At: at}, "actor"},
		{"no time", crm.Change{Actor: "ann"}, "at"},
		{"time out of range", crm.Change{Actor: "ann", At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "at"},
		{"bad utf-8", crm.Change{Actor: "ann", At: at, Reason: "\xff"}, "reason"},
		{"reason too long", crm.Change{Actor: "ann", At: at, Reason: string(make([]rune, crm.MaxReasonLen+1))}, "reason"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.ch.Validate()
			if tc.path == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.True(t, errors.As(err, &ve))
			require.True(t, ve.Has(tc.path), "problems: %v", ve.Fields)
		})
	}
}

func TestValidTime(t *testing.T) {
	t.Parallel()
	require.True(t, crm.ValidTime(time.Time{}))
	require.True(t, crm.ValidTime(crm.MaxTime))
	require.False(t, crm.ValidTime(crm.MaxTime.Add(1)))
	require.False(t, crm.ValidTime(crm.MinTime.Add(-1)))
	require.False(t, crm.ValidTime(time.Unix(1<<62, 0)))
}
