package storagetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

// aggregate describes one stored aggregate (customers, visits, complaints,
// risks, ...) to the generic invariant harness: how to make a valid record
// in a tenant, and the store's calls on it. Records are handled through
// pointers (*E); a new aggregate costs one value of this type.
type aggregate[E any] struct {
	// name names the aggregate in messages.
	name string
	// newRecord builds a valid record of tenant that is not stored, with
	// the given ID (a new one when zero). It may store what the record
	// needs (the customer of a visit). Records of one tenant must not
	// clash on anything but their ID.
	newRecord func(tb testing.TB, tenant crm.TenantID, id crm.ID) *E
	// create stores a new record and leaves it at version 1.
	create func(ctx context.Context, x *E) error
	get    func(ctx context.Context, tenant crm.TenantID, id crm.ID) (*E, error)
	update func(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*E) error) (*E, error)
	// list lists every record of the tenant, in the store's order.
	list func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*E], error)
	// compare is the order of list.
	compare func(a, b *E) int
	id      func(*E) crm.ID
	version func(*E) int64
	// mark makes a change that leaves the mark markText(i) on the record;
	// marks returns the marks a record carries.
	mark  func(x *E, i int) error
	marks func(x *E) []string
	// snapshot returns what is stored of the record and everything kept
	// with it (audit trail, history), normalised for require.Equal.
	snapshot func(tb testing.TB, tenant crm.TenantID, id crm.ID) any
	// mutate changes a value the caller holds in every way a caller could.
	mutate func(tb testing.TB, x *E)
	// record returns the stored state of x, normalised for require.Equal.
	record func(tb testing.TB, x *E) any
	// consistent, when set, checks what is kept with a stored record (its
	// history or audit trail) against the record.
	consistent func(tb testing.TB, tenant crm.TenantID, id crm.ID)
	// clean, when set, checks that no index of the tenant holds what
	// mutate writes.
	clean func(tb testing.TB, tenant crm.TenantID)
	// withTime returns a copy of x, rebuilt through the package's record
	// constructor when it has one, whose stored times are tm; an error
	// means the constructor refused it.
	withTime func(x *E, tm time.Time) (*E, error)
	// pending returns what x recorded since it was built, loaded or last
	// saved (history or audit entries, events), normalised for
	// require.Equal: what a Create marks saved. It is unset for records
	// the caller hands over by value (visits), which no store marks, and
	// the rollback cases then do not run.
	pending func(x *E) any
	// createMany, when set, stores new records all at once (an import)
	// and leaves each at version 1.
	createMany func(ctx context.Context, xs []*E) error
}

// markText is the mark writer i leaves.
func markText(i int) string { return fmt.Sprintf("writer-%02d", i) }

// runHarness runs the invariant cases every aggregate shares.
func runHarness[E any](t *testing.T, e *env, a aggregate[E]) {
	h := &harness[E]{e: e, a: a}
	type group struct {
		name string
		run  func(t *testing.T)
	}
	groups := []group{
		{"Basics", h.basics},
		{"Tenancy", h.tenancy},
		{"Concurrency", h.concurrency},
		{"Isolation", h.isolation},
		{"Paging", h.paging},
		{"Atomicity", h.atomicity},
		{"Context", h.context},
		{"Invalid", h.invalid},
		{"Waits", h.waits},
		{"TimeRange", h.timeRange},
	}
	if a.pending != nil {
		groups = append(groups, group{"Rollback", h.rollback})
	}
	for _, g := range groups {
		t.Run(g.name, g.run)
	}
}

type harness[E any] struct {
	e *env
	a aggregate[E]
}

// store creates a new record of tenant and returns it.
func (h *harness[E]) store(tb testing.TB, tenant crm.TenantID) *E {
	tb.Helper()
	x := h.a.newRecord(tb, tenant, crm.ID{})
	require.NoError(tb, h.a.create(context.Background(), x), "create %s", h.a.name)
	require.Equal(tb, int64(1), h.a.version(x), "create must leave the %s at version 1", h.a.name)
	return x
}

func (h *harness[E]) mustGet(tb testing.TB, tenant crm.TenantID, id crm.ID) *E {
	tb.Helper()
	x, err := h.a.get(context.Background(), tenant, id)
	require.NoError(tb, err)
	return x
}

func (h *harness[E]) requireAbsent(tb testing.TB, tenant crm.TenantID, id crm.ID, msg string) {
	tb.Helper()
	_, err := h.a.get(context.Background(), tenant, id)
	require.ErrorIs(tb, err, crm.ErrNotFound, msg)
}

func (h *harness[E]) all(tb testing.TB, tenant crm.TenantID, limit int) []*E {
	tb.Helper()
	return pageAll(tb, limit, func(p crm.PageRequest) (crm.Page[*E], error) {
		return h.a.list(context.Background(), tenant, p)
	})
}

func (h *harness[E]) ids(xs []*E) []crm.ID {
	out := make([]crm.ID, len(xs))
	for i, x := range xs {
		out[i] = h.a.id(x)
	}
	return out
}

func (h *harness[E]) basics(t *testing.T) {
	ctx := context.Background()
	a := h.a

	t.Run("CreateGet", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		x := h.store(t, tenant)
		got := h.mustGet(t, tenant, a.id(x))
		require.Equal(t, int64(1), a.version(got))
		require.Equal(t, a.record(t, x), a.record(t, got))
		h.consistent(t, tenant, a.id(x))
	})

	t.Run("CreateDuplicate", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		x := h.store(t, tenant)
		before := a.snapshot(t, tenant, a.id(x))
		dup := a.newRecord(t, tenant, a.id(x))
		require.ErrorIs(t, a.create(ctx, dup), crm.ErrDuplicate)
		require.Equal(t, int64(0), a.version(dup), "a refused create must leave the version alone")
		require.Equal(t, before, a.snapshot(t, tenant, a.id(x)), "a refused create changed the stored %s", a.name)
	})

	t.Run("GetMissing", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		h.store(t, tenant)
		h.requireAbsent(t, tenant, NewID(t), "Get of a missing "+a.name)
	})

	t.Run("UpdateVersions", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		x := h.store(t, tenant)
		for i := range 3 {
			got, err := a.update(ctx, tenant, a.id(x), func(x *E) error { return a.mark(x, i) })
			require.NoError(t, err)
			require.Equal(t, int64(2+i), a.version(got))
			require.Contains(t, a.marks(got), markText(i))
		}
		got := h.mustGet(t, tenant, a.id(x))
		require.Equal(t, int64(4), a.version(got))
		require.Subset(t, a.marks(got), []string{markText(0), markText(1), markText(2)})
	})

	t.Run("UpdateFnErrorSameValue", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		x := h.store(t, tenant)
		before := a.snapshot(t, tenant, a.id(x))
		got, err := a.update(ctx, tenant, a.id(x), func(x *E) error {
			require.NoError(t, a.mark(x, 1))
			return errInjected
		})
		require.Nil(t, got)
		require.True(t, err == errInjected, "Update must return fn's error as is, got %v", err) //nolint:errorlint // the very same value
		require.Equal(t, before, a.snapshot(t, tenant, a.id(x)))
	})

	t.Run("UpdateMissing", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		h.store(t, tenant)
		called := false
		_, err := a.update(ctx, tenant, NewID(t), func(*E) error { called = true; return nil })
		require.ErrorIs(t, err, crm.ErrNotFound)
		require.False(t, called, "Update ran fn on a missing %s", a.name)
	})

	t.Run("UpdateChangesIdentity", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		x := h.store(t, tenant)
		before := a.snapshot(t, tenant, a.id(x))
		for name, other := range map[string]*E{
			"ID":     a.newRecord(t, tenant, crm.ID{}),
			"Tenant": a.newRecord(t, NewTenant(t), a.id(x)),
		} {
			_, err := a.update(ctx, tenant, a.id(x), func(y *E) error { *y = *other; return nil })
			require.ErrorIs(t, err, crm.ErrInvalid, name)
			require.Equal(t, before, a.snapshot(t, tenant, a.id(x)), name)
		}
	})
}

// consistent runs the aggregate's consistency check, when it has one.
func (h *harness[E]) consistent(tb testing.TB, tenant crm.TenantID, id crm.ID) {
	tb.Helper()
	if h.a.consistent != nil {
		h.a.consistent(tb, tenant, id)
	}
}

func (h *harness[E]) tenancy(t *testing.T) {
	ctx := context.Background()
	a := h.a

	t.Run("OtherTenant", func(t *testing.T) {
		t.Parallel()
		home, other := NewTenant(t), NewTenant(t)
		x := h.store(t, home)
		h.store(t, other) // the other tenant is not simply empty
		before := a.snapshot(t, home, a.id(x))
		_, err := a.get(ctx, other, a.id(x))
		require.ErrorIs(t, err, crm.ErrNotFound, "Get")
		called := false
		_, err = a.update(ctx, other, a.id(x), func(*E) error { called = true; return nil })
		require.ErrorIs(t, err, crm.ErrNotFound, "Update")
		require.False(t, called, "Update ran fn on another tenant's %s", a.name)
		require.NotContains(t, h.ids(h.all(t, other, crm.MaxPageLimit)), a.id(x), "List")
		require.Equal(t, before, a.snapshot(t, home, a.id(x)))
	})

	t.Run("SameIDInTwoTenants", func(t *testing.T) {
		t.Parallel()
		t1, t2 := NewTenant(t), NewTenant(t)
		id := NewID(t)
		require.NoError(t, a.create(ctx, a.newRecord(t, t1, id)))
		require.NoError(t, a.create(ctx, a.newRecord(t, t2, id)))
		before := a.snapshot(t, t1, id)
		_, err := a.update(ctx, t2, id, func(x *E) error { return a.mark(x, 7) })
		require.NoError(t, err)
		require.Equal(t, before, a.snapshot(t, t1, id), "an update in one tenant changed the other's %s", a.name)
		require.Contains(t, a.marks(h.mustGet(t, t2, id)), markText(7))
		require.NotContains(t, a.marks(h.mustGet(t, t1, id)), markText(7))
	})
}

func (h *harness[E]) concurrency(t *testing.T) {
	ctx := context.Background()
	a := h.a

	t.Run("UpdateOne", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		x := h.store(t, tenant)
		versions := make([]int64, writers)
		errs := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				<-start
				got, err := a.update(ctx, tenant, a.id(x), func(x *E) error {
					yield() // let the others read the same state, if the store lets them
					return a.mark(x, i)
				})
				errs[i] = err
				if err == nil {
					versions[i] = a.version(got)
				}
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "writer %d", i)
		}
		final := h.mustGet(t, tenant, a.id(x))
		require.Equal(t, int64(1+writers), a.version(final))
		marks := a.marks(final)
		for i := range writers {
			require.Contains(t, marks, markText(i), "writer %d lost", i)
		}
		slices.Sort(versions)
		for i, v := range versions {
			require.Equal(t, int64(i+2), v, "each update must produce its own version")
		}
		h.consistent(t, tenant, a.id(x))
	})

	t.Run("CreateSameID", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		id := NewID(t)
		errs := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			x := a.newRecord(t, tenant, id)
			wg.Go(func() {
				<-start
				errs[i] = a.create(ctx, x)
			})
		}
		close(start)
		wg.Wait()
		requireOneWinner(t, errs)
		require.Len(t, h.all(t, tenant, crm.MaxPageLimit), 1)
		h.consistent(t, tenant, id)
	})
}

func (h *harness[E]) isolation(t *testing.T) {
	ctx := context.Background()
	a := h.a
	cases := []struct {
		name string
		// run does something with the store and returns the values the
		// caller holds afterwards.
		run func(t *testing.T, tenant crm.TenantID, x *E) []*E
	}{
		{"Create", func(_ *testing.T, _ crm.TenantID, x *E) []*E { return []*E{x} }},
		{"Get", func(t *testing.T, tenant crm.TenantID, x *E) []*E { return []*E{h.mustGet(t, tenant, a.id(x))} }},
		{"List", func(t *testing.T, tenant crm.TenantID, _ *E) []*E {
			p, err := a.list(ctx, tenant, crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, p.Items, 1)
			return p.Items
		}},
		{"Update", func(t *testing.T, tenant crm.TenantID, x *E) []*E {
			var seen *E
			got, err := a.update(ctx, tenant, a.id(x), func(y *E) error { seen = y; return a.mark(y, 1) })
			require.NoError(t, err)
			return []*E{seen, got}
		}},
		{"UpdateFnError", func(t *testing.T, tenant crm.TenantID, x *E) []*E {
			var seen *E
			_, err := a.update(ctx, tenant, a.id(x), func(y *E) error {
				seen = y
				require.NoError(t, a.mark(y, 1))
				return errInjected
			})
			require.ErrorIs(t, err, errInjected)
			return []*E{seen}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			x := h.store(t, tenant)
			// A change gives the stored lists a backing array that
			// appending could share.
			_, err := a.update(ctx, tenant, a.id(x), func(y *E) error { return a.mark(y, 0) })
			require.NoError(t, err)
			held := tc.run(t, tenant, x)
			before := a.snapshot(t, tenant, a.id(x))
			for _, y := range held {
				a.mutate(t, y)
			}
			require.Equal(t, before, a.snapshot(t, tenant, a.id(x)), "a value the caller holds aliases the stored %s", a.name)
			if a.clean != nil {
				a.clean(t, tenant)
			}
		})
	}
}

func (h *harness[E]) paging(t *testing.T) {
	ctx := context.Background()
	a := h.a

	t.Run("WhileInserting", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		const initial, pageSize, inserters, perInserter = 20, 3, 3, 10
		want := make([]crm.ID, initial)
		for i := range want {
			want[i] = a.id(h.store(t, tenant))
		}
		// Records made now but stored only during paging: their IDs sort
		// before records stored later, possibly before the cursor.
		early := make([]*E, 10)
		for i := range early {
			early[i] = a.newRecord(t, tenant, crm.ID{})
		}
		pending := make([][]*E, inserters)
		for g := range pending {
			for range perInserter {
				pending[g] = append(pending[g], a.newRecord(t, tenant, crm.ID{}))
			}
		}
		stop := make(chan struct{})
		errs := make([]error, inserters)
		var wg sync.WaitGroup
		for g := range pending {
			wg.Go(func() {
				for _, x := range pending[g] {
					select {
					case <-stop:
						return
					default:
					}
					if err := a.create(ctx, x); err != nil {
						errs[g] = err
						return
					}
				}
			})
		}
		var seen []*E
		page := crm.PageRequest{Limit: pageSize}
		for n := 0; ; n++ {
			require.Less(t, n, 1000, "paging did not finish")
			if n < len(early) {
				require.NoError(t, a.create(ctx, early[n]))
			}
			p, err := a.list(ctx, tenant, page)
			require.NoError(t, err)
			require.LessOrEqual(t, len(p.Items), pageSize)
			seen = append(seen, p.Items...)
			if p.Next == "" {
				break
			}
			page.Cursor = p.Next
		}
		close(stop)
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		require.True(t, slices.IsSortedFunc(seen, a.compare), "pages out of order")
		seenIDs := h.ids(seen)
		slices.SortFunc(seenIDs, crm.ID.Compare)
		require.Len(t, slices.Compact(slices.Clone(seenIDs)), len(seenIDs), "a record was repeated")
		for _, id := range want {
			require.Contains(t, seenIDs, id, "a record present before paging began was skipped")
		}
		for _, id := range seenIDs {
			h.mustGet(t, tenant, id)
		}
	})

	t.Run("DefaultLimit", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		for range crm.DefaultPageLimit + 1 {
			h.store(t, tenant)
		}
		p, err := a.list(ctx, tenant, crm.PageRequest{})
		require.NoError(t, err)
		require.Len(t, p.Items, crm.DefaultPageLimit)
		require.NotEmpty(t, p.Next)
		p, err = a.list(ctx, tenant, crm.PageRequest{Cursor: p.Next})
		require.NoError(t, err)
		require.Len(t, p.Items, 1)
		require.Empty(t, p.Next)
	})

	t.Run("EmptyTenant", func(t *testing.T) {
		t.Parallel()
		p, err := a.list(ctx, NewTenant(t), crm.PageRequest{})
		require.NoError(t, err)
		require.Empty(t, p.Items)
		require.Empty(t, p.Next)
	})

	t.Run("Deterministic", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		var want []*E
		for range 12 {
			want = append(want, h.store(t, tenant))
		}
		slices.SortFunc(want, a.compare)
		for _, limit := range []int{1, 5, 12, 13} {
			require.Equal(t, h.ids(want), h.ids(h.all(t, tenant, limit)), "limit %d", limit)
		}
	})
}

// atomicity proves that a transaction that fails leaves nothing of the
// aggregate behind, whichever way it fails.
func (h *harness[E]) atomicity(t *testing.T) {
	ctx := context.Background()
	a := h.a
	fails := []struct {
		name string
		// fail ends the transaction's function after its writes; dup is a
		// record with the ID of one created in the transaction (made
		// beforehand: making a record may store what it needs).
		fail func(ctx context.Context, dup *E) error
		want error
	}{
		{"Error", func(context.Context, *E) error { return errInjected }, errInjected},
		{"StoreError", func(ctx context.Context, dup *E) error { return a.create(ctx, dup) }, crm.ErrDuplicate},
		{"Panic", func(context.Context, *E) error { panic("storagetest: boom") }, nil},
	}
	for _, f := range fails {
		t.Run(f.name+"RollsBack", func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			kept := h.store(t, tenant)
			before := a.snapshot(t, tenant, a.id(kept))
			created := a.newRecord(t, tenant, crm.ID{})
			dup := a.newRecord(t, tenant, a.id(created))
			body := func(ctx context.Context) error {
				if err := a.create(ctx, created); err != nil {
					return err
				}
				if _, err := a.update(ctx, tenant, a.id(kept), func(x *E) error { return a.mark(x, 1) }); err != nil {
					return err
				}
				// The transaction reads its own writes.
				if _, err := a.get(ctx, tenant, a.id(created)); err != nil {
					return err
				}
				return f.fail(ctx, dup)
			}
			if f.want == nil {
				require.PanicsWithValue(t, "storagetest: boom", func() { _ = h.e.s.InTx(ctx, body) })
			} else {
				require.ErrorIs(t, h.e.s.InTx(ctx, body), f.want)
			}
			h.requireAbsent(t, tenant, a.id(created), "a record created in the failed transaction remains")
			require.Equal(t, before, a.snapshot(t, tenant, a.id(kept)), "an update of the failed transaction remains")
			require.Equal(t, []crm.ID{a.id(kept)}, h.ids(h.all(t, tenant, crm.MaxPageLimit)), "the list still shows the failed transaction")
			// The store still works afterwards, and the ID is free.
			again := a.newRecord(t, tenant, a.id(created))
			require.NoError(t, h.e.s.InTx(ctx, func(ctx context.Context) error { return a.create(ctx, again) }))
			h.mustGet(t, tenant, a.id(created))
		})
	}

	t.Run("Commit", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		kept := h.store(t, tenant)
		created := a.newRecord(t, tenant, crm.ID{})
		require.NoError(t, h.e.s.InTx(ctx, func(ctx context.Context) error {
			if err := a.create(ctx, created); err != nil {
				return err
			}
			_, err := a.update(ctx, tenant, a.id(kept), func(x *E) error { return a.mark(x, 1) })
			return err
		}))
		h.mustGet(t, tenant, a.id(created))
		require.Contains(t, a.marks(h.mustGet(t, tenant, a.id(kept))), markText(1))
	})
}

// context proves that a cancelled context fails every call with an error
// wrapping context.Canceled and changes nothing.
func (h *harness[E]) context(t *testing.T) {
	a := h.a
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		call func(t *testing.T, tenant crm.TenantID, x *E) error
	}{
		{"Create", func(t *testing.T, tenant crm.TenantID, _ *E) error {
			return a.create(cancelled, a.newRecord(t, tenant, crm.ID{}))
		}},
		{"Get", func(_ *testing.T, tenant crm.TenantID, x *E) error {
			_, err := a.get(cancelled, tenant, a.id(x))
			return err
		}},
		{"Update", func(_ *testing.T, tenant crm.TenantID, x *E) error {
			_, err := a.update(cancelled, tenant, a.id(x), func(y *E) error { return a.mark(y, 1) })
			return err
		}},
		{"List", func(_ *testing.T, tenant crm.TenantID, _ *E) error {
			_, err := a.list(cancelled, tenant, crm.PageRequest{})
			return err
		}},
		{"InTx", func(t *testing.T, tenant crm.TenantID, _ *E) error {
			n := a.newRecord(t, tenant, crm.ID{})
			return h.e.s.InTx(cancelled, func(ctx context.Context) error { return a.create(ctx, n) })
		}},
	}
	t.Run("CreateLeavesNothing", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		n := a.newRecord(t, tenant, crm.ID{})
		require.ErrorIs(t, a.create(cancelled, n), context.Canceled)
		require.Equal(t, int64(0), a.version(n), "a refused create must leave the version alone")
		h.requireAbsent(t, tenant, a.id(n), "a cancelled create stored the record")
		// Its ID and keys are free.
		require.NoError(t, a.create(context.Background(), n))
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := NewTenant(t)
			x := h.store(t, tenant)
			before := a.snapshot(t, tenant, a.id(x))
			require.ErrorIs(t, tc.call(t, tenant, x), context.Canceled)
			require.Equal(t, before, a.snapshot(t, tenant, a.id(x)))
			require.Equal(t, []crm.ID{a.id(x)}, h.ids(h.all(t, tenant, crm.MaxPageLimit)))
		})
	}
}

// invalid proves that bad references, pages and closures are refused with
// crm.ErrInvalid and change nothing.
func (h *harness[E]) invalid(t *testing.T) {
	ctx := context.Background()
	a := h.a
	tenant := NewTenant(t)
	x := h.store(t, tenant)
	before := a.snapshot(t, tenant, a.id(x))
	nop := func(*E) error { return nil }

	type call struct {
		name string
		run  func() error
	}
	var calls []call
	add := func(name string, run func() error) { calls = append(calls, call{name, run}) }
	for _, bt := range []struct {
		name   string
		tenant crm.TenantID
	}{
		{"Empty", ""},
		{"Space", "has space"},
		{"TooLong", crm.TenantID(strings.Repeat("t", crm.MaxTenantIDLen+1))},
		{"Control", "bad\x00tenant"},
	} {
		tn := bt.tenant
		add("Get/Tenant"+bt.name, func() error { _, err := a.get(ctx, tn, a.id(x)); return err })
		add("Update/Tenant"+bt.name, func() error { _, err := a.update(ctx, tn, a.id(x), nop); return err })
		add("List/Tenant"+bt.name, func() error { _, err := a.list(ctx, tn, crm.PageRequest{}); return err })
	}
	for _, bp := range []struct {
		name string
		page crm.PageRequest
	}{
		{"NegativeLimit", crm.PageRequest{Limit: -1}},
		{"GarbageCursor", crm.PageRequest{Cursor: "not a cursor!"}},
		{"BinaryCursor", crm.PageRequest{Cursor: "\x00\xff\xfe"}},
		{"PercentCursor", crm.PageRequest{Cursor: "%%%"}},
		{"QuoteCursor", crm.PageRequest{Cursor: "' OR 1=1 --"}},
		{"LongCursor", crm.PageRequest{Cursor: strings.Repeat("A", crm.MaxCursorLen+1)}},
	} {
		pg := bp.page
		add("List/"+bp.name, func() error { _, err := a.list(ctx, tenant, pg); return err })
	}
	add("Get/ZeroID", func() error { _, err := a.get(ctx, tenant, crm.ID{}); return err })
	add("Update/ZeroID", func() error { _, err := a.update(ctx, tenant, crm.ID{}, nop); return err })
	add("Update/NilFn", func() error { _, err := a.update(ctx, tenant, a.id(x), nil); return err })

	for _, cl := range calls {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, cl.run(), crm.ErrInvalid)
		})
	}
	t.Cleanup(func() {
		if !t.Failed() {
			require.Equal(t, before, a.snapshot(t, tenant, a.id(x)))
		}
	})
}

// waitLimit bounds how long a call with a 100 ms deadline may take to give
// up, and how long a call that must not wait may take.
const waitLimit = time.Second

// waits proves that every wait honours the caller's context, and that a
// transaction makes no call on another tenant wait.
func (h *harness[E]) waits(t *testing.T) {
	a := h.a
	// hold runs a transaction that updates x, then runs probe outside it
	// while it is open; the transaction ends when probe returns (or after
	// holdLimit, so a store that makes probe wait still ends the case).
	const holdLimit = 3 * time.Second
	hold := func(t *testing.T, tenant crm.TenantID, x *E, probe func() error) (time.Duration, error) {
		t.Helper()
		type result struct {
			err error
			d   time.Duration
		}
		done := make(chan result, 1)
		err := h.e.s.InTx(context.Background(), func(ctx context.Context) error {
			if _, err := a.update(ctx, tenant, a.id(x), func(y *E) error { return a.mark(y, 1) }); err != nil {
				return err
			}
			go func() {
				start := time.Now()
				err := probe()
				done <- result{err, time.Since(start)}
			}()
			select {
			case r := <-done:
				done <- r // for the reader below
			case <-time.After(holdLimit):
			}
			return nil
		})
		require.NoError(t, err)
		select {
		case r := <-done:
			return r.d, r.err
		case <-time.After(2 * holdLimit):
			t.Fatal("the call outside the transaction never returned")
			return 0, nil
		}
	}

	t.Run("DeadlineOnHeldRecord", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		x := h.store(t, tenant)
		took, err := hold(t, tenant, x, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err := a.update(ctx, tenant, a.id(x), func(y *E) error { return a.mark(y, 2) })
			return err
		})
		require.ErrorIs(t, err, context.DeadlineExceeded, "an update of a record a running transaction holds must give up when its context ends")
		require.Less(t, took, waitLimit, "the update waited past its deadline")
		final := h.mustGet(t, tenant, a.id(x))
		require.Equal(t, int64(2), a.version(final))
		require.NotContains(t, a.marks(final), markText(2))
	})

	t.Run("OtherTenantProceeds", func(t *testing.T) {
		t.Parallel()
		tenant, other := NewTenant(t), NewTenant(t)
		x := h.store(t, tenant)
		y := h.store(t, other)
		took, err := hold(t, tenant, x, func() error {
			if _, err := a.get(context.Background(), other, a.id(y)); err != nil {
				return err
			}
			_, err := a.update(context.Background(), other, a.id(y), func(z *E) error { return a.mark(z, 3) })
			return err
		})
		require.NoError(t, err)
		require.Less(t, took, waitLimit, "a call on another tenant waited for a transaction")
	})
}

// timeRange proves that times outside crm.ValidTime are refused with
// crm.ErrInvalid on the way in, by create and by an update closure that
// replaces the whole value, and store nothing.
func (h *harness[E]) timeRange(t *testing.T) {
	ctx := context.Background()
	a := h.a
	for _, tc := range []struct {
		name string
		at   time.Time
	}{
		{"Year10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Year146Billion", time.Date(146_000_000_000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Year0", time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.False(t, crm.ValidTime(tc.at))
			tenant := NewTenant(t)
			x := h.store(t, tenant)
			before := a.snapshot(t, tenant, a.id(x))

			bad, err := a.withTime(a.newRecord(t, tenant, crm.ID{}), tc.at)
			if err == nil {
				require.ErrorIs(t, a.create(ctx, bad), crm.ErrInvalid, "create")
				h.requireAbsent(t, tenant, a.id(bad), "a refused create stored the record")
			} else {
				require.ErrorIs(t, err, crm.ErrInvalid, "the record constructor refused otherwise")
			}

			_, err = a.update(ctx, tenant, a.id(x), func(y *E) error {
				z, err := a.withTime(y, tc.at)
				if err != nil {
					return err
				}
				*y = *z
				return nil
			})
			require.ErrorIs(t, err, crm.ErrInvalid, "update")
			require.Equal(t, before, a.snapshot(t, tenant, a.id(x)))
		})
	}
}
