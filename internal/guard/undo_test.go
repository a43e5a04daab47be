package guard_test

import (
	"context"
	"testing"

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
