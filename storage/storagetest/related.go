package storagetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// testInteractions covers AddInteraction and Interactions.
func testInteractions(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("AddAndList", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		other := CreateCustomer(t, e.c, tenant, nil)
		var want []customer.Interaction
		for _, h := range []int{5, 1, 9, 5, 3, 9, 9} {
			in := newInteraction(t, tenant, c.ID(), h)
			require.NoError(t, e.c.AddInteraction(ctx, in))
			want = append(want, in)
		}
		bare := newInteraction(t, tenant, c.ID(), 2)
		bare.Outcome, bare.NextStep, bare.NextStepDue = "", "", time.Time{}
		bare.Direction, bare.Channel = customer.Inbound, customer.EmailChannel
		require.NoError(t, e.c.AddInteraction(ctx, bare))
		want = append(want, bare)
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, other.ID(), 4)))

		slices.SortFunc(want, customer.CompareInteractions)
		for _, limit := range []int{1, 3, crm.MaxPageLimit} {
			got := allInteractions(t, e.c, tenant, c.ID(), limit)
			require.Equal(t, normInteractions(want), normInteractions(got), "limit %d", limit)
		}
		require.Len(t, allInteractions(t, e.c, tenant, other.ID(), 10), 1)
	})

	t.Run("Duplicate", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		in := newInteraction(t, tenant, c.ID(), 1)
		require.NoError(t, e.c.AddInteraction(ctx, in))
		dup := newInteraction(t, tenant, c.ID(), 2)
		dup.ID = in.ID
		dup.Summary = "a different summary"
		require.ErrorIs(t, e.c.AddInteraction(ctx, dup), crm.ErrDuplicate)
		got := allInteractions(t, e.c, tenant, c.ID(), 10)
		require.Equal(t, []customer.Interaction{normInteraction(in)}, normInteractions(got))
	})

	t.Run("MissingCustomer", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		CreateCustomer(t, e.c, tenant, nil)
		missing := NewID(t)
		require.ErrorIs(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, missing, 1)), crm.ErrNotFound)
		_, err := e.c.Interactions(ctx, tenant, missing, crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrNotFound)
	})
}

// testVisits covers CreateVisit, GetVisit, UpdateVisit and ListVisits.
func testVisits(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("CreateGet", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		v := newVisit(t, tenant, c.ID(), "sales-1", 3)
		v.Version = 7 // ignored
		require.NoError(t, e.c.CreateVisit(ctx, v))
		got, err := e.c.GetVisit(ctx, tenant, v.ID)
		require.NoError(t, err)
		v.Version = 1
		require.Equal(t, normVisit(v), normVisit(got))
	})

	t.Run("Duplicate", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		v := newVisit(t, tenant, c.ID(), "sales-1", 3)
		require.NoError(t, e.c.CreateVisit(ctx, v))
		dup := newVisit(t, tenant, c.ID(), "sales-2", 4)
		dup.ID = v.ID
		require.ErrorIs(t, e.c.CreateVisit(ctx, dup), crm.ErrDuplicate)
		got, err := e.c.GetVisit(ctx, tenant, v.ID)
		require.NoError(t, err)
		require.Equal(t, crm.UserID("sales-1"), got.Salesperson)
	})

	t.Run("Missing", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		CreateCustomer(t, e.c, tenant, nil)
		v := newVisit(t, tenant, NewID(t), "sales-1", 3)
		require.ErrorIs(t, e.c.CreateVisit(ctx, v), crm.ErrNotFound, "visit of a missing customer")
		_, err := e.c.GetVisit(ctx, tenant, v.ID)
		require.ErrorIs(t, err, crm.ErrNotFound)
		called := false
		_, err = e.c.UpdateVisit(ctx, tenant, v.ID, func(*customer.Visit) error { called = true; return nil })
		require.ErrorIs(t, err, crm.ErrNotFound)
		require.False(t, called)
	})

	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		v := newVisit(t, tenant, c.ID(), "sales-1", 3)
		require.NoError(t, e.c.CreateVisit(ctx, v))

		// An error from fn is returned as is and nothing is stored.
		_, err := e.c.UpdateVisit(ctx, tenant, v.ID, func(x *customer.Visit) error {
			x.Purpose = "changed"
			return errInjected
		})
		require.Equal(t, errInjected, err)
		// fn must not change the visit's identity.
		_, err = e.c.UpdateVisit(ctx, tenant, v.ID, func(x *customer.Visit) error {
			x.ID = NewID(t)
			return nil
		})
		require.ErrorIs(t, err, crm.ErrInvalid)
		_, err = e.c.UpdateVisit(ctx, tenant, v.ID, func(x *customer.Visit) error {
			x.Tenant = NewTenant(t)
			return nil
		})
		require.ErrorIs(t, err, crm.ErrInvalid)
		got, err := e.c.GetVisit(ctx, tenant, v.ID)
		require.NoError(t, err)
		require.Equal(t, int64(1), got.Version)
		require.Equal(t, "quarterly review", got.Purpose)

		updated, err := e.c.UpdateVisit(ctx, tenant, v.ID, func(x *customer.Visit) error {
			require.Equal(t, int64(1), x.Version)
			return x.Complete("signed the renewal", at(4))
		})
		require.NoError(t, err)
		require.Equal(t, int64(2), updated.Version)
		require.Equal(t, customer.VisitDone, updated.Status)
		got, err = e.c.GetVisit(ctx, tenant, v.ID)
		require.NoError(t, err)
		require.Equal(t, normVisit(updated), normVisit(got))
		require.Equal(t, "signed the renewal", got.Outcome)
		require.True(t, got.DoneAt.Equal(at(4)))

		// A refused transition inside fn stores nothing.
		_, err = e.c.UpdateVisit(ctx, tenant, v.ID, func(x *customer.Visit) error { return x.Cancel("too late") })
		require.ErrorIs(t, err, crm.ErrInvalidTransition)
		got, err = e.c.GetVisit(ctx, tenant, v.ID)
		require.NoError(t, err)
		require.Equal(t, int64(2), got.Version)
	})

	t.Run("List", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		customers := []*customer.Customer{
			CreateCustomer(t, e.c, tenant, nil), CreateCustomer(t, e.c, tenant, nil), CreateCustomer(t, e.c, tenant, nil),
		}
		people := []crm.UserID{"sales-1", "sales-2"}
		var all []customer.Visit
		for i := range 30 {
			v := newVisit(t, tenant, customers[i%3].ID(), people[i%2], (i*7)%12) // repeated times: ties by ID
			require.NoError(t, e.c.CreateVisit(ctx, v))
			v.Version = 1
			switch i % 5 {
			case 1:
				var err error
				v, err = e.c.UpdateVisit(ctx, tenant, v.ID, func(x *customer.Visit) error { return x.Complete("ok", at(20)) })
				require.NoError(t, err)
			case 2:
				var err error
				v, err = e.c.UpdateVisit(ctx, tenant, v.ID, func(x *customer.Visit) error { return x.Cancel("ill") })
				require.NoError(t, err)
			}
			all = append(all, v)
		}
		// Another tenant's visits never appear.
		ot := NewTenant(t)
		oc := CreateCustomer(t, e.c, ot, nil)
		require.NoError(t, e.c.CreateVisit(ctx, newVisit(t, ot, oc.ID(), "sales-1", 5)))

		queries := []struct {
			name string
			q    customer.VisitQuery
		}{
			{"All", customer.VisitQuery{}},
			{"Salesperson", customer.VisitQuery{Salesperson: "sales-2"}},
			{"Customer", customer.VisitQuery{CustomerID: customers[1].ID()}},
			{"Status", customer.VisitQuery{Status: customer.VisitDone}},
			{"From", customer.VisitQuery{From: at(5)}},
			{"To", customer.VisitQuery{To: at(5)}},
			{"FromTo", customer.VisitQuery{From: at(3), To: at(8)}},
			{"Combined", customer.VisitQuery{Salesperson: "sales-1", Status: customer.VisitPlanned, From: at(2)}},
			{"CustomerAndSalesperson", customer.VisitQuery{CustomerID: customers[0].ID(), Salesperson: "sales-2", To: at(9)}},
			{"NoMatch", customer.VisitQuery{Salesperson: "nobody"}},
		}
		for _, tc := range queries {
			var want []customer.Visit
			for _, v := range all {
				if tc.q.Matches(v) {
					want = append(want, v)
				}
			}
			slices.SortFunc(want, customer.CompareVisits)
			for _, limit := range []int{4, crm.MaxPageLimit} {
				got := allVisits(t, e.c, tenant, tc.q, limit)
				require.Equal(t, normVisits(want), normVisits(got), "%s, limit %d", tc.name, limit)
			}
		}
	})
}

// testMoveRelated covers MoveRelated, alone and in a merge transaction.
func testMoveRelated(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("MovesEverything", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		from := CreateCustomer(t, e.c, tenant, &CustomerOptions{At: at(0)})
		to := CreateCustomer(t, e.c, tenant, &CustomerOptions{At: at(1)})
		bystander := CreateCustomer(t, e.c, tenant, nil)
		_, err := e.c.Update(ctx, tenant, from.ID(), func(x *customer.Customer) error {
			return x.MoveStage(customer.Established, "", change(2))
		})
		require.NoError(t, err)
		for _, h := range []int{1, 4, 6} {
			require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, from.ID(), h)))
		}
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, to.ID(), 5)))
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, bystander.ID(), 5)))
		for _, h := range []int{7, 2} {
			require.NoError(t, e.c.CreateVisit(ctx, newVisit(t, tenant, from.ID(), "sales-1", h)))
		}
		require.NoError(t, e.c.CreateVisit(ctx, newVisit(t, tenant, to.ID(), "sales-1", 3)))
		fromBefore := takeSnapshot(t, e.c, tenant, from.ID())
		toBefore := takeSnapshot(t, e.c, tenant, to.ID())
		bystanderBefore := takeSnapshot(t, e.c, tenant, bystander.ID())

		require.NoError(t, e.c.MoveRelated(ctx, tenant, from.ID(), to.ID()))

		after := takeSnapshot(t, e.c, tenant, from.ID())
		require.Empty(t, after.history)
		require.Empty(t, after.interactions)
		require.Empty(t, after.visits)
		require.Equal(t, fromBefore.rec, after.rec, "MoveRelated must not change the customers")
		requireUnchanged(t, e.c, tenant, bystanderBefore)

		moved := takeSnapshot(t, e.c, tenant, to.ID())
		require.Equal(t, toBefore.rec, moved.rec, "MoveRelated must not change the customers")

		var wantInteractions []customer.Interaction
		for _, in := range append(slices.Clone(fromBefore.interactions), toBefore.interactions...) {
			in.CustomerID = to.ID()
			wantInteractions = append(wantInteractions, in)
		}
		slices.SortFunc(wantInteractions, customer.CompareInteractions)
		require.Equal(t, wantInteractions, moved.interactions)

		var wantHistory []customer.HistoryEntry
		for _, h := range append(slices.Clone(fromBefore.history), toBefore.history...) {
			h.CustomerID = to.ID()
			wantHistory = append(wantHistory, h)
		}
		slices.SortFunc(wantHistory, customer.CompareHistory)
		require.Equal(t, wantHistory, moved.history)
		require.Equal(t, from.ID(), moved.history[0].OriginID, "moved entries keep their origin")

		require.Len(t, moved.visits, 3)
		require.True(t, slices.IsSortedFunc(moved.visits, customer.CompareVisits))
		for _, v := range moved.visits {
			require.Equal(t, to.ID(), v.CustomerID)
			got, err := e.c.GetVisit(ctx, tenant, v.ID)
			require.NoError(t, err)
			require.Equal(t, to.ID(), got.CustomerID)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), 1)))
		before := takeSnapshot(t, e.c, tenant, c.ID())
		require.ErrorIs(t, e.c.MoveRelated(ctx, tenant, c.ID(), NewID(t)), crm.ErrNotFound, "missing to")
		require.ErrorIs(t, e.c.MoveRelated(ctx, tenant, NewID(t), c.ID()), crm.ErrNotFound, "missing from")
		requireUnchanged(t, e.c, tenant, before)
	})

	t.Run("MergeTransaction", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		survivor := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"s@example.com"}})
		loser := CreateCustomer(t, e.c, tenant, &CustomerOptions{Emails: []string{"l@example.com"}})
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, loser.ID(), 1)))
		require.NoError(t, e.s.InTx(ctx, func(ctx context.Context) error {
			sv, err := e.c.Get(ctx, tenant, survivor.ID())
			if err != nil {
				return err
			}
			ls, err := e.c.Get(ctx, tenant, loser.ID())
			if err != nil {
				return err
			}
			if _, err := customer.Merge(sv, ls, customer.Survivorship{}, change(2)); err != nil {
				return err
			}
			if err := e.c.Save(ctx, sv); err != nil {
				return err
			}
			if err := e.c.Save(ctx, ls); err != nil {
				return err
			}
			return e.c.MoveRelated(ctx, tenant, ls.ID(), sv.ID())
		}))
		require.True(t, mustGet(t, e.c, tenant, loser.ID()).IsTombstone())
		sv := mustGet(t, e.c, tenant, survivor.ID())
		require.Len(t, sv.Emails(), 2)
		require.Len(t, allInteractions(t, e.c, tenant, survivor.ID(), 10), 1)
		h := allHistory(t, e.c, tenant, survivor.ID(), 10)
		origins := map[crm.ID]int{}
		for _, x := range h {
			origins[x.OriginID]++
			require.Equal(t, survivor.ID(), x.CustomerID)
		}
		require.Equal(t, map[crm.ID]int{survivor.ID(): 2, loser.ID(): 2}, origins, "created + merged on each side")
		require.Empty(t, allHistory(t, e.c, tenant, loser.ID(), 10))
	})
}

// testEraseInteractions covers EraseInteractions.
func testEraseInteractions(t *testing.T, e *env) {
	ctx := context.Background()

	t.Run("Blanks", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		other := CreateCustomer(t, e.c, tenant, nil)
		for _, h := range []int{1, 2, 3} {
			require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, c.ID(), h)))
		}
		require.NoError(t, e.c.AddInteraction(ctx, newInteraction(t, tenant, other.ID(), 1)))
		before := allInteractions(t, e.c, tenant, c.ID(), 10)
		otherBefore := takeSnapshot(t, e.c, tenant, other.ID())

		n, err := e.c.EraseInteractions(ctx, tenant, c.ID())
		require.NoError(t, err)
		require.Equal(t, 3, n)
		after := allInteractions(t, e.c, tenant, c.ID(), 10)
		require.Len(t, after, len(before))
		for i := range after {
			require.Empty(t, after[i].Summary)
			require.Empty(t, after[i].Outcome)
			require.Empty(t, after[i].NextStep)
			want := normInteraction(before[i])
			got := normInteraction(after[i])
			want.Summary, want.Outcome, want.NextStep = "", "", ""
			want.NextStepDue, got.NextStepDue = time.Time{}, time.Time{} // may be kept or cleared
			require.Equal(t, want, got, "only the texts may change")
		}
		n, err = e.c.EraseInteractions(ctx, tenant, c.ID())
		require.NoError(t, err)
		require.Zero(t, n, "nothing left to blank")
		requireUnchanged(t, e.c, tenant, otherBefore)
	})

	t.Run("NoInteractions", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		c := CreateCustomer(t, e.c, tenant, nil)
		n, err := e.c.EraseInteractions(ctx, tenant, c.ID())
		require.NoError(t, err)
		require.Zero(t, n)
	})

	t.Run("MissingCustomer", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		CreateCustomer(t, e.c, tenant, nil)
		_, err := e.c.EraseInteractions(ctx, tenant, NewID(t))
		require.ErrorIs(t, err, crm.ErrNotFound)
	})
}
