package crm_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

func TestAfterRollback(t *testing.T) {
	t.Parallel()
	type key struct{}
	// rec records the order in which registered functions ran.
	type rec struct {
		mu  sync.Mutex
		got []string
	}
	note := func(r *rec, name string) func(context.Context) {
		return func(context.Context) {
			r.mu.Lock()
			r.got = append(r.got, name)
			r.mu.Unlock()
		}
	}
	cases := []struct {
		name string
		run  func(t *testing.T, r *rec)
		want []string
	}{
		{"no scope never runs", func(t *testing.T, r *rec) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			crm.AfterRollback(ctx, note(r, "a"))
			crm.AfterRollback(context.Background(), note(r, "b"))
		}, nil},
		{"rollback runs newest first", func(t *testing.T, r *rec) {
			ctx, sc := crm.NewCommitScope(context.Background())
			crm.AfterRollback(ctx, note(r, "a"))
			crm.AfterRollback(ctx, note(r, "b"))
			crm.AfterCommit(ctx, note(r, "commit"))
			require.Empty(t, r.got, "nothing runs before the transaction ends")
			sc.Rollback()
			sc.Rollback()
			sc.Commit()
			crm.AfterRollback(ctx, note(r, "late"))
		}, []string{"b", "a"}},
		{"commit drops", func(t *testing.T, r *rec) {
			ctx, sc := crm.NewCommitScope(context.Background())
			crm.AfterRollback(ctx, note(r, "a"))
			sc.Commit()
			sc.Rollback()
			crm.AfterRollback(ctx, note(r, "late"))
		}, nil},
		{"inner commit, outer rollback", func(t *testing.T, r *rec) {
			outer, osc := crm.NewCommitScope(context.Background())
			inner, isc := crm.NewCommitScope(outer)
			crm.AfterRollback(outer, note(r, "outer-1"))
			crm.AfterRollback(inner, note(r, "inner"))
			isc.Commit()
			require.Empty(t, r.got, "an inner commit runs nothing")
			crm.AfterRollback(inner, note(r, "inner-late")) // handed to the outer scope
			crm.AfterRollback(outer, note(r, "outer-2"))
			osc.Rollback()
		}, []string{"outer-2", "inner-late", "inner", "outer-1"}},
		{"inner commit, outer commit", func(t *testing.T, r *rec) {
			outer, osc := crm.NewCommitScope(context.Background())
			inner, isc := crm.NewCommitScope(outer)
			crm.AfterRollback(inner, note(r, "inner"))
			isc.Commit()
			osc.Commit()
			osc.Rollback()
		}, nil},
		{"inner rollback runs at once", func(t *testing.T, r *rec) {
			outer, osc := crm.NewCommitScope(context.Background())
			inner, isc := crm.NewCommitScope(outer)
			crm.AfterRollback(outer, note(r, "outer"))
			crm.AfterRollback(inner, note(r, "inner"))
			isc.Rollback()
			require.Equal(t, []string{"inner"}, r.got, "the inner transaction rolled back")
			osc.Rollback()
		}, []string{"inner", "outer"}},
		{"inner rollback, outer commit", func(t *testing.T, r *rec) {
			outer, osc := crm.NewCommitScope(context.Background())
			inner, isc := crm.NewCommitScope(outer)
			crm.AfterRollback(inner, note(r, "inner"))
			isc.Rollback()
			osc.Commit()
		}, []string{"inner"}},
		{"three levels", func(t *testing.T, r *rec) {
			a, asc := crm.NewCommitScope(context.Background())
			b, bsc := crm.NewCommitScope(a)
			c, csc := crm.NewCommitScope(b)
			crm.AfterRollback(c, note(r, "c"))
			csc.Commit()
			bsc.Commit()
			require.Empty(t, r.got)
			asc.Rollback()
		}, []string{"c"}},
		{"many goroutines", func(t *testing.T, r *rec) {
			ctx, sc := crm.NewCommitScope(context.Background())
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for range 50 {
						crm.AfterRollback(ctx, note(r, "x"))
					}
				})
			}
			wg.Wait()
			sc.Rollback()
			require.Len(t, r.got, 400)
			r.got = []string{"all"}
		}, []string{"all"}},
		{"nil fn", func(t *testing.T, r *rec) {
			ctx, sc := crm.NewCommitScope(context.Background())
			crm.AfterRollback(ctx, nil)
			crm.AfterRollback(context.Background(), nil)
			sc.Rollback()
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &rec{}
			tc.run(t, r)
			require.Equal(t, tc.want, r.got)
		})
	}

	t.Run("a panic does not stop the others nor the rollback", func(t *testing.T) {
		t.Parallel()
		ctx, sc := crm.NewCommitScope(context.Background())
		var got []string
		crm.AfterRollback(ctx, func(context.Context) { got = append(got, "a") })
		crm.AfterRollback(ctx, func(context.Context) { panic("second") })
		crm.AfterRollback(ctx, func(context.Context) { got = append(got, "c") })
		crm.AfterRollback(ctx, func(context.Context) { panic("first") })
		crm.AfterCommit(ctx, func(context.Context) { got = append(got, "commit") })
		require.PanicsWithValue(t, "first", sc.Rollback, "the first panic, newest first, is raised again")
		require.Equal(t, []string{"c", "a"}, got)
		sc.Commit()
		sc.Rollback()
		crm.AfterCommit(ctx, func(context.Context) { got = append(got, "late commit") })
		crm.AfterRollback(ctx, func(context.Context) { got = append(got, "late rollback") })
		require.Equal(t, []string{"c", "a"}, got, "the scope stays rolled back")
	})
	t.Run("a panic in a handed-over function", func(t *testing.T) {
		t.Parallel()
		outer, osc := crm.NewCommitScope(context.Background())
		inner, isc := crm.NewCommitScope(outer)
		ran := 0
		crm.AfterRollback(inner, func(context.Context) { ran++ })
		crm.AfterRollback(inner, func(context.Context) { panic("boom") })
		isc.Commit()
		require.PanicsWithValue(t, "boom", osc.Rollback)
		require.Equal(t, 1, ran)
	})
	t.Run("fn gets the context the transaction began with", func(t *testing.T) {
		t.Parallel()
		type txKey struct{}
		base := context.WithValue(context.Background(), key{}, "base")
		outer, osc := crm.NewCommitScope(base)
		inner, isc := crm.NewCommitScope(outer)
		inTx, cancel := context.WithCancel(context.WithValue(inner, txKey{}, "tx"))
		var got context.Context
		crm.AfterRollback(inTx, func(ctx context.Context) { got = ctx })
		cancel()
		isc.Rollback()
		require.NotNil(t, got)
		require.NoError(t, got.Err(), "never cancelled")
		require.Equal(t, "base", got.Value(key{}))
		require.Nil(t, got.Value(txKey{}), "the rolled-back transaction does not travel into fn")
		// It carries the enclosing transaction: what fn registers there
		// follows the outer scope.
		ran := false
		crm.AfterCommit(got, func(context.Context) { ran = true })
		require.False(t, ran)
		osc.Commit()
		require.True(t, ran)
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

// A store's transaction makes a commit scope; what a caller registers with
// AfterRollback runs only if the transaction rolls back, newest first.
func ExampleAfterRollback() {
	type entity struct{ version int64 }
	ctx, scope := crm.NewCommitScope(context.Background())
	e := &entity{}
	e.version = 1 // a store call inside the transaction marked e saved
	crm.AfterRollback(ctx, func(context.Context) { e.version = 0 })
	crm.AfterCommit(ctx, func(context.Context) { fmt.Println("published") })

	scope.Rollback() // the transaction rolled back
	fmt.Println("version", e.version)
	// Output: version 0
}
