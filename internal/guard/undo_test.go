package guard_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/guard"
)

// entity stands for a domain entity: a version, pending entries, and a
// Clone that counts its calls.
type entity struct {
	version int64
	pending []string
	clones  *int
}

func (e *entity) clone() *entity {
	*e.clones++
	d := *e
	d.pending = append([]string(nil), e.pending...)
	return &d
}

// saved is what a store call does to e: mark it saved.
func (e *entity) saved() {
	e.version = 1
	e.pending = nil
}

// globalEntity is an entity outside the heap, guarded by globalMu.
var (
	globalMu     sync.Mutex
	globalEntity entity
)

func TestUndo(t *testing.T) {
	t.Parallel()
	newEntity := func(clones *int, name string) *entity {
		return &entity{pending: []string{name}, clones: clones}
	}
	cases := []struct {
		name string
		// run keeps, marks saved and ends the scope (if any); it returns
		// the entities and whether they must be back as they were.
		run        func(clones *int) ([]*entity, bool)
		wantClones int
	}{
		{"no scope copies nothing", func(clones *int) ([]*entity, bool) {
			ctx := context.Background()
			e := newEntity(clones, "a")
			u := guard.Keep(ctx, e, (*entity).clone)
			e.saved()
			u.AfterRollback(ctx)
			return []*entity{e}, false
		}, 0},
		{"rollback restores", func(clones *int) ([]*entity, bool) {
			ctx, sc := crm.NewCommitScope(context.Background())
			e := newEntity(clones, "a")
			u := guard.Keep(ctx, e, (*entity).clone)
			e.saved()
			u.AfterRollback(ctx)
			e.pending = append(e.pending, "changed after the call")
			sc.Rollback()
			return []*entity{e}, true
		}, 1},
		{"commit keeps", func(clones *int) ([]*entity, bool) {
			ctx, sc := crm.NewCommitScope(context.Background())
			e := newEntity(clones, "a")
			u := guard.Keep(ctx, e, (*entity).clone)
			e.saved()
			u.AfterRollback(ctx)
			sc.Commit()
			return []*entity{e}, false
		}, 1},
		{"a failed call registers nothing", func(clones *int) ([]*entity, bool) {
			ctx, sc := crm.NewCommitScope(context.Background())
			e := newEntity(clones, "a")
			_ = guard.Keep(ctx, e, (*entity).clone) // the store call failed
			e.version = 1                           // what the caller does next is its own
			e.pending = nil
			sc.Rollback()
			return []*entity{e}, false
		}, 1},
		{"two calls on one entity restore the first state", func(clones *int) ([]*entity, bool) {
			ctx, sc := crm.NewCommitScope(context.Background())
			e := newEntity(clones, "a")
			u := guard.Keep(ctx, e, (*entity).clone)
			e.saved()
			u.AfterRollback(ctx)
			e.pending = []string{"second change"}
			u = guard.Keep(ctx, e, (*entity).clone)
			e.version, e.pending = 2, nil
			u.AfterRollback(ctx)
			sc.Rollback()
			return []*entity{e}, true
		}, 2},
		{"all restores every one", func(clones *int) ([]*entity, bool) {
			ctx, sc := crm.NewCommitScope(context.Background())
			es := []*entity{newEntity(clones, "a"), nil, newEntity(clones, "c")}
			batch := append([]*entity(nil), es...)
			u := guard.KeepAll(ctx, batch, (*entity).clone)
			for _, e := range batch {
				if e != nil {
					e.saved()
				}
			}
			u.AfterRollback(ctx)
			batch[0] = nil // the caller's slice changes afterwards
			sc.Rollback()
			return []*entity{es[0], es[2]}, true
		}, 2},
		{"all without a scope copies nothing", func(clones *int) ([]*entity, bool) {
			ctx := context.Background()
			es := []*entity{newEntity(clones, "a"), newEntity(clones, "b")}
			u := guard.KeepAll(ctx, es, (*entity).clone)
			for _, e := range es {
				e.saved()
			}
			u.AfterRollback(ctx)
			return es, false
		}, 0},
		{"entities inside a slice", func(clones *int) ([]*entity, bool) {
			ctx, sc := crm.NewCommitScope(context.Background())
			arr := make([]entity, 3)
			for i := range arr {
				arr[i] = entity{pending: []string{"a"}, clones: clones}
			}
			u := guard.Keep(ctx, &arr[1], (*entity).clone)
			arr[1].saved()
			u.AfterRollback(ctx)
			u = guard.KeepAll(ctx, []*entity{&arr[0], &arr[2]}, (*entity).clone)
			arr[0].saved()
			arr[2].saved()
			u.AfterRollback(ctx)
			sc.Rollback()
			return []*entity{&arr[0], &arr[1], &arr[2]}, true
		}, 3},
		{"an entity in a global", func(clones *int) ([]*entity, bool) {
			ctx, sc := crm.NewCommitScope(context.Background())
			globalMu.Lock()
			defer globalMu.Unlock()
			globalEntity = entity{pending: []string{"a"}, clones: clones}
			u := guard.Keep(ctx, &globalEntity, (*entity).clone)
			globalEntity.saved()
			u.AfterRollback(ctx)
			sc.Rollback()
			e := globalEntity
			return []*entity{&e}, true
		}, 1},
		{"nil entity", func(clones *int) ([]*entity, bool) {
			ctx, sc := crm.NewCommitScope(context.Background())
			guard.Keep(ctx, (*entity)(nil), (*entity).clone).AfterRollback(ctx)
			guard.KeepAll(ctx, []*entity(nil), (*entity).clone).AfterRollback(ctx)
			sc.Rollback()
			return nil, false
		}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clones := 0
			es, restored := tc.run(&clones)
			require.Equal(t, tc.wantClones, clones, "copies made")
			for _, e := range es {
				if restored {
					require.Equal(t, int64(0), e.version)
					require.Len(t, e.pending, 1, "the pending entry recorded before the call, and nothing else")
				} else {
					require.Equal(t, int64(1), e.version)
				}
			}
		})
	}
}

// TestUndoForgetsDroppedEntities proves that the copy of an entity the
// caller no longer holds is not kept until the transaction ends (an import
// of many batches in one transaction would otherwise keep every entity),
// and that the rollback skips it.
func TestUndoForgetsDroppedEntities(t *testing.T) {
	t.Parallel()
	ctx, sc := crm.NewCommitScope(context.Background())
	clones := 0
	var copies []weak.Pointer[entity]
	clone := func(e *entity) *entity {
		d := e.clone()
		copies = append(copies, weak.Make(d))
		return d
	}
	kept := &entity{pending: []string{"kept"}, clones: &clones}
	func() {
		batch := []*entity{{pending: []string{"dropped"}, clones: &clones}, kept}
		u := guard.KeepAll(ctx, batch, clone)
		for _, e := range batch {
			e.saved()
		}
		u.AfterRollback(ctx)
		dropped := &entity{pending: []string{"dropped alone"}, clones: &clones}
		u = guard.Keep(ctx, dropped, clone)
		dropped.saved()
		u.AfterRollback(ctx)
	}()
	require.Len(t, copies, 3)
	// Cleanups run some time after a collection, on a goroutine of the
	// runtime: collect until the copies of the dropped entities are gone.
	gone := func() bool { return copies[0].Value() == nil && copies[2].Value() == nil }
	for i := 0; i < 200 && !gone(); i++ {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	require.True(t, gone(), "the copies of dropped entities are still held")
	require.NotNil(t, copies[1].Value(), "the copy of an entity still held was dropped")
	sc.Rollback()
	require.Equal(t, int64(0), kept.version)
	require.Equal(t, []string{"kept"}, kept.pending)
}

// TestUndoForgetsOnCommit proves that the copies are dropped when the
// transaction commits, though the entity lives on.
func TestUndoForgetsOnCommit(t *testing.T) {
	t.Parallel()
	ctx, sc := crm.NewCommitScope(context.Background())
	clones := 0
	var copy weak.Pointer[entity]
	e := &entity{pending: []string{"a"}, clones: &clones}
	u := guard.Keep(ctx, e, func(e *entity) *entity {
		d := e.clone()
		copy = weak.Make(d)
		return d
	})
	e.saved()
	u.AfterRollback(ctx)
	sc.Commit()
	for i := 0; i < 200 && copy.Value() != nil; i++ {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	require.Nil(t, copy.Value(), "the copy outlived the commit")
	require.Equal(t, int64(1), e.version)
	runtime.KeepAlive(e)
}

// TestUndoOfFailedCallHoldsNothing proves that the copy taken before a
// store call that failed (AfterRollback never called) is not kept for as
// long as the entity lives.
func TestUndoOfFailedCallHoldsNothing(t *testing.T) {
	t.Parallel()
	ctx, sc := crm.NewCommitScope(context.Background())
	defer sc.Rollback()
	clones := 0
	var copy weak.Pointer[entity]
	e := &entity{pending: []string{"a"}, clones: &clones}
	_ = guard.Keep(ctx, e, func(e *entity) *entity {
		d := e.clone()
		copy = weak.Make(d)
		return d
	})
	for i := 0; i < 200 && copy.Value() != nil; i++ {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	require.Nil(t, copy.Value(), "the copy of a failed call is held")
	runtime.KeepAlive(e)
}
