package customer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

func TestServiceDueMoveCare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2025, 3, 6, 15, 0, 0, 0, time.UTC) // a Thursday
	clock := crm.NewManualClock(start)
	svc, err := customer.NewService(memory.New(nil), &customer.Options{Clock: clock, IDs: crm.NewSequentialIDs(clock)})
	require.NoError(t, err)
	ch := customer.Change{Actor: "wang.li"}
	var ids []crm.ID
	for i := range 7 {
		c, err := svc.Create(ctx, customer.NewInput{Tenant: "t1", Kind: customer.Person, Name: fmt.Sprintf("Customer %d", i),
			Roles: []customer.Role{customer.EndCustomer}, Owner: "wang.li"}, ch)
		require.NoError(t, err)
		ids = append(ids, c.ID())
		if i%2 == 0 {
			_, err = svc.MoveStage(ctx, "t1", c.ID(), customer.Established, "", ch)
			require.NoError(t, err)
		}
		clock.Advance(24 * time.Hour)
	}
	_, err = svc.MoveLifecycle(ctx, "t1", ids[1], customer.AtRisk, customer.Change{Actor: "wang.li", Reason: "complaint unresolved"})
	require.NoError(t, err)
	// ids[4] merges into ids[3]: its moves do not count for ids[3], and the
	// tombstone gets nothing.
	_, err = svc.Merge(ctx, "t1", ids[3], ids[4], customer.Survivorship{}, ch)
	require.NoError(t, err)

	plan := customer.CarePlan{Types: []customer.CareType{
		{Code: "first_visit", Trigger: customer.CareTrigger{Kind: customer.TriggerEntered, Stage: customer.Established, Offsets: []int{0, 2}}},
		{Code: "retention_call", Trigger: customer.CareTrigger{Kind: customer.TriggerEntered, Lifecycle: customer.AtRisk, Offsets: []int{1}}},
	}}
	day := []calendar.Span{{Start: calendar.At(9, 0), End: calendar.At(17, 0)}}
	cal, err := calendar.New(calendar.Config{TimeZone: "UTC", Week: calendar.Week{
		time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day,
	}})
	require.NoError(t, err)
	from, to := start, start.AddDate(0, 0, 30)

	// The reference: the function over every customer and its whole history.
	var want []customer.CareAction
	for _, id := range ids {
		c, err := svc.Get(ctx, "t1", id)
		require.NoError(t, err)
		h, err := svc.History(ctx, "t1", id, crm.PageRequest{Limit: crm.MaxPageLimit})
		require.NoError(t, err)
		require.Empty(t, h.Next)
		due, err := customer.DueMoveCare(plan, cal, c, h.Items, from, to)
		require.NoError(t, err)
		want = append(want, due...)
	}
	customer.SortCareActions(want)
	require.NotEmpty(t, want)

	for _, limit := range []int{1, 2, 3, 100} {
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			var got []customer.CareAction
			page := crm.PageRequest{Limit: limit}
			pages := 0
			for {
				p, err := svc.DueMoveCare(ctx, "t1", plan, cal, customer.Query{}, from, to, page)
				require.NoError(t, err)
				pages++
				require.True(t, slicesSorted(p.Items), "each page sorted")
				got = append(got, p.Items...)
				if p.Next == "" {
					break
				}
				page.Cursor = p.Next
			}
			customer.SortCareActions(got)
			require.Equal(t, want, got, "the pages give every action once")
			require.GreaterOrEqual(t, pages, 6/limit, "paged by customer")
		})
	}

	// A query narrows the book.
	p, err := svc.DueMoveCare(ctx, "t1", plan, cal, customer.Query{Lifecycle: customer.AtRisk}, from, to, crm.PageRequest{})
	require.NoError(t, err)
	require.NotEmpty(t, p.Items)
	for _, a := range p.Items {
		require.Equal(t, ids[1], a.CustomerID)
	}

	for _, tc := range []struct {
		name     string
		plan     customer.CarePlan
		from, to time.Time
	}{
		{"bad plan", customer.CarePlan{Types: []customer.CareType{{Code: ""}}}, from, to},
		{"empty range", plan, from, from},
		{"zero from", plan, time.Time{}, to},
		{"range too long", plan, from, from.Add(customer.MaxCareRange + time.Hour)},
	} {
		_, err := svc.DueMoveCare(ctx, "t1", tc.plan, cal, customer.Query{}, tc.from, tc.to, crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrInvalid, tc.name)
	}
	_, err = svc.DueMoveCare(ctx, "t1", plan, cal, customer.Query{}, from, to, crm.PageRequest{Cursor: "forged"})
	require.ErrorIs(t, err, crm.ErrInvalid, "a forged cursor")
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = svc.DueMoveCare(cctx, "t1", plan, cal, customer.Query{}, from, to, crm.PageRequest{})
	require.ErrorIs(t, err, context.Canceled)
	p, err = svc.DueMoveCare(ctx, "other", plan, cal, customer.Query{}, from, to, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, p.Items, "another tenant's book is empty")
}

func slicesSorted(xs []customer.CareAction) bool {
	for i := 1; i < len(xs); i++ {
		if customer.CompareCareActions(xs[i-1], xs[i]) > 0 {
			return false
		}
	}
	return true
}
