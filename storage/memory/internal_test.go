package memory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/storagetest"
)

func FuzzCursor(f *testing.F) {
	id := crm.MustParseID("01890a5d-ac96-774b-bcce-b302099a8057")
	at := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, c := range []cursor{
		{kind: kindCustomers, id: id},
		{kind: kindHistory, at: at, id: id, seq: 7},
		{kind: kindInteractions, at: at, id: id},
		{kind: kindVisits, at: time.Date(-300, 1, 1, 0, 0, 0, 0, time.UTC), id: id},
	} {
		f.Add(c.encode(), c.kind)
	}
	f.Add("", kindCustomers)
	f.Add("not a cursor", kindVisits)
	f.Add("Yw", kindCustomers)
	f.Fuzz(func(t *testing.T, s string, kind byte) {
		c, ok, err := decodeCursor("fuzz", kind, s)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.False(t, ok)
			return
		}
		if !ok {
			require.Empty(t, s)
			return
		}
		require.Equal(t, kind, c.kind)
		require.False(t, c.id.IsZero())
		require.Equal(t, s, c.encode(), "decode then encode must give the cursor back")
		again, ok, err := decodeCursor("fuzz", kind, c.encode())
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, c, again)
	})
}

func TestCursorOfAnotherList(t *testing.T) {
	t.Parallel()
	id := crm.MustParseID("01890a5d-ac96-774b-bcce-b302099a8057")
	kinds := []byte{kindCustomers, kindHistory, kindInteractions, kindVisits}
	for _, k := range kinds {
		s := cursor{kind: k, at: time.Unix(1, 2), id: id, seq: 3}.encode()
		for _, other := range kinds {
			_, ok, err := decodeCursor("test", other, s)
			if other == k {
				require.NoError(t, err)
				require.True(t, ok)
			} else {
				require.ErrorIs(t, err, crm.ErrInvalid, "cursor %q of list %c used on list %c", s, k, other)
			}
		}
	}
}

func TestNewStripes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opts *Options
		want int
	}{
		{"Nil", nil, DefaultStripes},
		{"Zero", &Options{}, DefaultStripes},
		{"Negative", &Options{Stripes: -4}, DefaultStripes},
		{"One", &Options{Stripes: 1}, 1},
		{"RoundedUp", &Options{Stripes: 100}, 128},
		{"Capped", &Options{Stripes: 1 << 30}, MaxStripes},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := New(tc.opts)
			require.Len(t, s.stripes, tc.want)
			require.Equal(t, uint64(tc.want-1), s.mask)
		})
	}
}

func TestFinishedTransactionContext(t *testing.T) {
	t.Parallel()
	s := New(nil)
	tenant := storagetest.NewTenant(t)
	var leaked context.Context
	require.NoError(t, s.InTx(context.Background(), func(ctx context.Context) error {
		leaked = ctx
		return nil
	}))
	_, err := s.Customers().Get(leaked, tenant, storagetest.NewID(t))
	require.ErrorIs(t, err, crm.ErrInvalid)
	err = s.Customers().Create(leaked, storagetest.NewCustomer(t, tenant, nil))
	require.ErrorIs(t, err, crm.ErrInvalid)
	err = s.InTx(leaked, func(context.Context) error { return nil })
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestTransactionsOfTwoStores(t *testing.T) {
	t.Parallel()
	a, b := New(nil), New(nil)
	tenant := storagetest.NewTenant(t)
	ca := storagetest.NewCustomer(t, tenant, nil)
	cb := storagetest.NewCustomer(t, tenant, nil)
	errB := errors.New("b fails")
	err := a.InTx(context.Background(), func(ctx context.Context) error {
		require.NoError(t, a.Customers().Create(ctx, ca))
		// b's transaction is its own: its failure does not undo a's write,
		// and its store calls are not part of a's transaction.
		return b.InTx(ctx, func(ctx context.Context) error {
			require.NoError(t, b.Customers().Create(ctx, cb))
			return errB
		})
	})
	require.ErrorIs(t, err, errB)
	_, err = a.Customers().Get(context.Background(), tenant, ca.ID())
	require.ErrorIs(t, err, crm.ErrNotFound, "a's transaction returned an error: rolled back")
	_, err = b.Customers().Get(context.Background(), tenant, cb.ID())
	require.ErrorIs(t, err, crm.ErrNotFound)
}

func TestPanicInClosures(t *testing.T) {
	t.Parallel()
	s := New(nil)
	ctx := context.Background()
	tenant := storagetest.NewTenant(t)
	c := storagetest.CreateCustomer(t, s.Customers(), tenant, nil)
	v := customer.Visit{
		ID: storagetest.NewID(t), Tenant: tenant, CustomerID: c.ID(), Salesperson: "s", Kind: customer.NewVisit,
		Purpose: "p", Method: customer.FaceToFace, PlannedAt: time.Unix(100, 0).UTC(), Status: customer.VisitPlanned,
	}
	require.NoError(t, s.Customers().CreateVisit(ctx, v))
	require.PanicsWithValue(t, "fn", func() {
		_, _ = s.Customers().Update(ctx, tenant, c.ID(), func(*customer.Customer) error { panic("fn") })
	})
	require.PanicsWithValue(t, "fn", func() {
		_, _ = s.Customers().UpdateVisit(ctx, tenant, v.ID, func(*customer.Visit) error { panic("fn") })
	})
	// Locks were released: updates and transactions still work.
	got, err := s.Customers().Update(ctx, tenant, c.ID(), func(x *customer.Customer) error { return x.Rename("After") })
	require.NoError(t, err)
	require.Equal(t, int64(2), got.Version())
	_, err = s.Customers().UpdateVisit(ctx, tenant, v.ID, func(x *customer.Visit) error { return x.Cancel("x") })
	require.NoError(t, err)
	require.NoError(t, s.InTx(ctx, func(context.Context) error { return nil }))
}

// TestIndexesFollowRecords runs random operations, a third of them in
// transactions that fail, and checks after each step that every index
// holds exactly what rebuilding it from the records gives.
func TestIndexesFollowRecords(t *testing.T) {
	t.Parallel()
	s := New(&Options{Stripes: 4})
	cs := s.Customers()
	ctx := context.Background()
	tenant := storagetest.NewTenant(t)
	rng := rand.New(rand.NewPCG(7, 11))
	owners := []crm.UserID{"o1", "o2", "o3"}
	var ids []crm.ID
	var visitIDs []crm.ID
	hour := func() time.Time { return time.Date(2025, 1, 1, rng.IntN(48), 0, 0, 0, time.UTC) }
	change := customer.Change{Actor: "test", At: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}

	step := func(ctx context.Context) error {
		switch op := rng.IntN(9); {
		case op == 0 || len(ids) < 3:
			c := storagetest.NewCustomer(t, tenant, &storagetest.CustomerOptions{
				Owner:  owners[rng.IntN(3)],
				Emails: []string{fmt.Sprintf("u%d@example.com", rng.IntN(5))},
				Phones: []string{fmt.Sprintf("+86138000000%02d", rng.IntN(5))},
			})
			if err := cs.Create(ctx, c); err != nil {
				return err
			}
			ids = append(ids, c.ID())
		case op == 1:
			_, err := cs.Update(ctx, tenant, ids[rng.IntN(len(ids))], func(x *customer.Customer) error {
				to := owners[rng.IntN(3)]
				if to == x.Owner() || x.IsTombstone() {
					return nil
				}
				return x.AssignOwner(to, customer.Change{Actor: "test", At: hour(), Reason: "r"})
			})
			return err
		case op == 2:
			e, err := customer.ParseEmail(fmt.Sprintf("u%d@example.com", rng.IntN(5)))
			if err != nil {
				return err
			}
			_, err = cs.Update(ctx, tenant, ids[rng.IntN(len(ids))], func(x *customer.Customer) error {
				if x.IsTombstone() || x.IsErased() {
					return nil
				}
				return x.SetContacts([]customer.Email{e}, nil, nil)
			})
			return err
		case op == 3:
			in := customer.Interaction{
				ID: storagetest.NewID(t), Tenant: tenant, CustomerID: ids[rng.IntN(len(ids))],
				Channel: customer.Web, Direction: customer.Inbound, Actor: "a", At: hour(), Summary: "s",
			}
			return cs.AddInteraction(ctx, in)
		case op == 4:
			v := customer.Visit{
				ID: storagetest.NewID(t), Tenant: tenant, CustomerID: ids[rng.IntN(len(ids))],
				Salesperson: owners[rng.IntN(3)], Kind: customer.ReturnVisit, Purpose: "p",
				Method: customer.FaceToFace, PlannedAt: hour(), Status: customer.VisitPlanned,
			}
			if err := cs.CreateVisit(ctx, v); err != nil {
				return err
			}
			visitIDs = append(visitIDs, v.ID)
		case op == 5 && len(visitIDs) > 0:
			_, err := cs.UpdateVisit(ctx, tenant, visitIDs[rng.IntN(len(visitIDs))], func(v *customer.Visit) error {
				v.PlannedAt, v.Salesperson = hour(), owners[rng.IntN(3)]
				return nil
			})
			return err
		case op == 6:
			from, to := ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]
			if from == to {
				return nil
			}
			return cs.MoveRelated(ctx, tenant, from, to)
		case op == 7:
			_, err := cs.EraseInteractions(ctx, tenant, ids[rng.IntN(len(ids))])
			return err
		case op == 8:
			c, err := cs.Get(ctx, tenant, ids[rng.IntN(len(ids))])
			if err != nil {
				return err
			}
			if c.IsTombstone() {
				return nil
			}
			if err := c.SetClass(customer.Stable, change); err != nil {
				return err
			}
			if err := c.AddTag("t"); err != nil {
				return err
			}
			return cs.Save(ctx, c)
		}
		return nil
	}

	for i := range 400 {
		if rng.IntN(3) == 0 {
			before := dump(s, tenant)
			nIDs, nVisits := len(ids), len(visitIDs)
			err := s.InTx(ctx, func(ctx context.Context) error {
				for range 1 + rng.IntN(6) {
					if err := step(ctx); err != nil {
						return err
					}
				}
				return errors.New("roll back")
			})
			require.EqualError(t, err, "roll back", "step %d", i)
			ids, visitIDs = ids[:nIDs], visitIDs[:nVisits]
			require.Equal(t, before, dump(s, tenant), "step %d: rollback left something behind", i)
		} else {
			require.NoError(t, step(ctx), "step %d", i)
		}
		checkIndexes(t, s.tenant(tenant, false))
	}
}

// dump is the complete state of a tenant, for comparing before and after.
type tenantDump struct {
	customers    map[crm.ID]customer.Record
	history      map[crm.ID][]customer.HistoryEntry
	interactions map[crm.ID]customer.Interaction
	visits       map[crm.ID]customer.Visit
}

func dump(s *Store, tenant crm.TenantID) tenantDump {
	td := s.tenant(tenant, false)
	d := tenantDump{
		customers: map[crm.ID]customer.Record{}, history: map[crm.ID][]customer.HistoryEntry{},
		interactions: map[crm.ID]customer.Interaction{}, visits: map[crm.ID]customer.Visit{},
	}
	if td == nil {
		return d
	}
	td.mu.RLock()
	defer td.mu.RUnlock()
	for id, st := range td.customers.rows {
		d.customers[id] = st.c.Record()
	}
	for id, h := range td.history {
		d.history[id] = slices.Clone(h)
	}
	for id, in := range td.interactions {
		d.interactions[id] = in
	}
	for id, v := range td.visits.rows {
		d.visits[id] = v
	}
	return d
}

// checkIndexes fails t unless every index of td is what rebuilding it from
// td's records gives.
func checkIndexes(t *testing.T, td *tenantData) {
	t.Helper()
	td.mu.RLock()
	defer td.mu.RUnlock()
	want := newTenantData(td.name)
	for _, st := range td.customers.rows {
		fresh := newStored(st.c)
		customers.put(want, nil, &fresh)
	}
	for _, in := range td.interactions {
		want.putInteraction(nil, &in)
	}
	for _, v := range td.visits.rows {
		visits.put(want, customer.Visit{}, v)
	}
	require.Equal(t, nilIfEmpty(want.customers.ids), nilIfEmpty(td.customers.ids))
	require.Equal(t, want.byOwner, td.byOwner)
	require.Equal(t, want.byEmail, td.byEmail)
	require.Equal(t, want.byPhone, td.byPhone)
	require.Equal(t, want.intByCustomer, td.intByCustomer)
	require.Equal(t, nilIfEmpty(want.visitAll), nilIfEmpty(td.visitAll))
	require.Equal(t, want.visitBySales, td.visitBySales)
	require.Equal(t, want.visitByCustomer, td.visitByCustomer)
	for id, h := range td.history {
		require.True(t, td.has(id), "history of a missing customer")
		require.NotEmpty(t, h, "empty history slices are removed")
		require.True(t, slices.IsSortedFunc(h, customer.CompareHistory))
		for _, e := range h {
			require.Equal(t, id, e.CustomerID)
		}
	}
	for _, list := range td.intByCustomer {
		require.True(t, slices.IsSortedFunc(list, customer.CompareInteractions))
	}
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestRollbackOfConcurrentWork rolls back a transaction whose context was
// shared by goroutines writing the same customers at once.
func TestRollbackOfConcurrentWork(t *testing.T) {
	t.Parallel()
	s := New(&Options{Stripes: 2})
	cs := s.Customers()
	ctx := context.Background()
	tenant := storagetest.NewTenant(t)
	var shared []*customer.Customer
	for range 4 {
		shared = append(shared, storagetest.CreateCustomer(t, cs, tenant, &storagetest.CustomerOptions{Owner: "o1"}))
	}
	fresh := make([][]*customer.Customer, 8)
	for g := range fresh {
		for range 5 {
			fresh[g] = append(fresh[g], storagetest.NewCustomer(t, tenant, &storagetest.CustomerOptions{Owner: "o2"}))
		}
	}
	before := dump(s, tenant)
	errs := make(chan error, len(fresh))
	err := s.InTx(ctx, func(ctx context.Context) error {
		for g := range fresh {
			go func() {
				for i, c := range fresh[g] {
					if err := cs.Create(ctx, c); err != nil {
						errs <- err
						return
					}
					target := shared[(g+i)%len(shared)].ID()
					if _, err := cs.Update(ctx, tenant, target, func(x *customer.Customer) error {
						to := crm.UserID(fmt.Sprintf("o%d", 3+g))
						if x.Owner() == to {
							return nil
						}
						return x.AssignOwner(to, customer.Change{Actor: "a", At: time.Unix(int64(g), 0), Reason: "r"})
					}); err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range fresh {
			if err := <-errs; err != nil {
				return err
			}
		}
		return errors.New("roll back")
	})
	require.EqualError(t, err, "roll back")
	require.Equal(t, before, dump(s, tenant))
	checkIndexes(t, s.tenant(tenant, false))
}

// TestUpdatesDoNotSerialise proves that while one Update's closure runs,
// updates of other customers, of the same tenant or another, and reads
// proceed: no lock of the whole store or tenant is held during fn.
func TestUpdatesDoNotSerialise(t *testing.T) {
	t.Parallel()
	s := New(nil)
	cs := s.Customers()
	ctx := context.Background()
	tenant, other := storagetest.NewTenant(t), storagetest.NewTenant(t)
	blocked := storagetest.CreateCustomer(t, cs, tenant, nil)
	var sameTenant *customer.Customer
	for sameTenant == nil || s.stripeFor(sameTenant.ID()) == s.stripeFor(blocked.ID()) {
		sameTenant = storagetest.CreateCustomer(t, cs, tenant, nil)
	}
	var otherTenant *customer.Customer
	for otherTenant == nil || s.stripeFor(otherTenant.ID()) == s.stripeFor(blocked.ID()) {
		otherTenant = storagetest.CreateCustomer(t, cs, other, nil)
	}

	inFn, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := cs.Update(ctx, tenant, blocked.ID(), func(x *customer.Customer) error {
			close(inFn)
			<-release
			return x.Rename("Blocked update")
		})
		done <- err
	}()
	<-inFn

	others := make(chan error, 1)
	go func() {
		others <- func() error {
			for _, ref := range []struct {
				tenant crm.TenantID
				id     crm.ID
			}{{tenant, sameTenant.ID()}, {other, otherTenant.ID()}} {
				if _, err := cs.Update(ctx, ref.tenant, ref.id, func(x *customer.Customer) error { return x.Rename("Other update") }); err != nil {
					return err
				}
			}
			got, err := cs.Get(ctx, tenant, blocked.ID())
			if err != nil {
				return err
			}
			if got.Version() != 1 {
				return fmt.Errorf("read the blocked customer at version %d", got.Version())
			}
			if _, err := cs.List(ctx, tenant, customer.Query{}, crm.PageRequest{}); err != nil {
				return err
			}
			c, err := cs.Get(ctx, other, otherTenant.ID())
			if err != nil {
				return err
			}
			if err := c.SetNotes("saved"); err != nil {
				return err
			}
			return cs.Save(ctx, c)
		}()
	}()
	select {
	case err := <-others:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("calls on other customers waited for an unrelated Update's closure")
	}
	close(release)
	require.NoError(t, <-done)
	got, err := cs.Get(ctx, tenant, blocked.ID())
	require.NoError(t, err)
	require.Equal(t, "Blocked update", got.Name())
}
