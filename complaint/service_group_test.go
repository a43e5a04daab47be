package complaint_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
)

// saReceiveN records n complaints of n customers of tenant.
func (e *saEnv) receiveN(tb testing.TB, tenant crm.TenantID, n int) []crm.ID {
	tb.Helper()
	ids := make([]crm.ID, n)
	for i := range ids {
		ids[i] = e.receive(tb, tenant).ID()
	}
	return ids
}

// records returns the stored records of ids, for before/after checks.
func (e *saEnv) records(tb testing.TB, tenant crm.TenantID, ids []crm.ID) []complaint.Record {
	tb.Helper()
	out := make([]complaint.Record, len(ids))
	for i, id := range ids {
		c, err := e.svc.Get(context.Background(), tenant, id)
		require.NoError(tb, err)
		out[i] = c.Record()
	}
	return out
}

// group links ids into a new group.
func (e *saEnv) group(tb testing.TB, tenant crm.TenantID, ids []crm.ID) crm.ID {
	tb.Helper()
	g, err := e.svc.Group(context.Background(), tenant, ids, saCh())
	require.NoError(tb, err)
	return g
}

func memberIDs(cs []*complaint.Complaint) []crm.ID {
	var out []crm.ID
	for _, c := range cs {
		out = append(out, c.ID())
	}
	return out
}

// afterCommit makes the sink check, on every publication, that each event's
// complaint is already stored at the event's version. The store is read
// from another goroutine with a time limit: the memory store blocks calls
// from outside a running transaction, so a publication from inside one
// would otherwise hang instead of failing.
func (e *saEnv) afterCommit(tb testing.TB) {
	e.sink.check = func(_ context.Context, evs []crm.Event) {
		done := make(chan error, 1)
		go func() {
			for _, ev := range evs {
				c, err := e.store.Complaints().Get(context.Background(), ev.Tenant, ev.AggregateID)
				if err != nil {
					done <- err
					return
				}
				if c.Version() < ev.Version {
					done <- errors.New("event published before its change was stored")
					return
				}
			}
			done <- nil
		}()
		select {
		case err := <-done:
			require.NoError(tb, err)
		case <-time.After(10 * time.Second):
			tb.Error("events published inside the transaction")
		}
	}
}

func TestServiceGroup(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	e.afterCommit(t)
	ctx := context.Background()
	ids := e.receiveN(t, saTenant, 3)
	e.sink.reset()

	g := e.group(t, saTenant, ids)
	require.False(t, g.IsZero())
	members, err := e.svc.Members(ctx, saTenant, g)
	require.NoError(t, err)
	require.Equal(t, ids, memberIDs(members))
	for _, m := range members {
		require.Equal(t, g, m.Group())
		require.Equal(t, int64(2), m.Version())
	}
	evs := e.sink.all()
	require.Len(t, evs, 3)
	require.Equal(t, 1, e.sink.calls, "one publication after the one commit")
	for i, ev := range evs {
		require.Equal(t, complaint.EventGrouped, ev.Type)
		require.Equal(t, ids[i], ev.AggregateID, "events in the order of ids")
		require.Equal(t, complaint.Grouped{Group: g}, ev.Data)
		require.Equal(t, int64(2), ev.Version)
	}

	// Join one more, and the group of another tenant stays empty.
	extra := e.receive(t, saTenant)
	got, err := e.svc.Join(ctx, saTenant, g, extra.ID(), saCh())
	require.NoError(t, err)
	require.Equal(t, g, got.Group())
	members, err = e.svc.Members(ctx, saTenant, g)
	require.NoError(t, err)
	require.Equal(t, append(ids, extra.ID()), memberIDs(members))
	members, err = e.svc.Members(ctx, saOther, g)
	require.NoError(t, err)
	require.Empty(t, members)

	audit, err := e.svc.Audit(ctx, saTenant, extra.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.Equal(t, complaint.AuditGroup, audit.Items[len(audit.Items)-1].Kind)
}

func TestServiceGroupRefusals(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	ids := e.receiveN(t, saTenant, 3)
	grouped := e.receiveN(t, saTenant, 2)
	e.group(t, saTenant, grouped)
	foreign := e.receive(t, saOther).ID()
	missing := crm.MustParseID("01890000-0000-7000-8000-0000000000dd")
	many := make([]crm.ID, complaint.MaxGroupIDs+1)
	for i := range many {
		many[i] = crm.MustParseID("01890000-0000-7000-8000-000000000000")
		many[i][15] = byte(i)
		many[i][14] = byte(i >> 8)
	}
	all := append(append([]crm.ID{}, ids...), grouped...)

	tests := []struct {
		name string
		ids  []crm.ID
		ch   complaint.Change
		want error
	}{
		{"no complaints", nil, saCh(), crm.ErrInvalid},
		{"a zero ID", []crm.ID{ids[0], crm.NilID}, saCh(), crm.ErrInvalid},
		{"a repeated ID", []crm.ID{ids[0], ids[1], ids[0]}, saCh(), crm.ErrInvalid},
		{"too many", many, saCh(), crm.ErrInvalid},
		{"a missing complaint last", []crm.ID{ids[0], ids[1], missing}, saCh(), crm.ErrNotFound},
		{"another tenant's complaint", []crm.ID{ids[0], foreign}, saCh(), crm.ErrNotFound},
		{"one already in another group", []crm.ID{ids[0], ids[1], grouped[1], ids[2]}, saCh(), crm.ErrInvalid},
		{"no actor", []crm.ID{ids[0], ids[1]}, complaint.Change{}, crm.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.records(t, saTenant, all)
			foreignBefore := e.records(t, saOther, []crm.ID{foreign})
			e.sink.reset()
			g, err := e.svc.Group(ctx, saTenant, tc.ids, tc.ch)
			require.ErrorIs(t, err, tc.want)
			require.True(t, g.IsZero())
			require.Equal(t, before, e.records(t, saTenant, all), "nothing linked")
			require.Equal(t, foreignBefore, e.records(t, saOther, []crm.ID{foreign}))
			require.Empty(t, e.sink.all(), "a failed group publishes nothing")
		})
	}
}

func TestServiceJoinRefusals(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	ids := e.receiveN(t, saTenant, 2)
	g := e.group(t, saTenant, ids[:1])
	other := e.group(t, saTenant, ids[1:])
	loose := e.receive(t, saTenant)
	foreign := e.receive(t, saOther)
	unknown := crm.MustParseID("01890000-0000-7000-8000-0000000000cc")

	tests := []struct {
		name  string
		group crm.ID
		id    crm.ID
		want  error
	}{
		{"a group without members", unknown, loose.ID(), crm.ErrNotFound},
		{"a zero group", crm.NilID, loose.ID(), crm.ErrInvalid},
		{"a complaint of another group", g, ids[1], crm.ErrInvalid},
		{"a complaint already in the group", other, ids[1], crm.ErrInvalid},
		{"another tenant's complaint", g, foreign.ID(), crm.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_ = e.refused(t, saTenant, loose.ID(), tc.want, func() error {
				_, err := e.svc.Join(ctx, saTenant, tc.group, tc.id, saCh())
				return err
			})
			require.Equal(t, ids, append(e.membersOf(t, g), e.membersOf(t, other)...))
		})
	}
	_, err := e.svc.Join(ctx, saOther, g, foreign.ID(), saCh())
	require.ErrorIs(t, err, crm.ErrNotFound, "a group is seen only by its tenant")
	_, err = e.svc.Members(ctx, saTenant, crm.NilID)
	require.ErrorIs(t, err, crm.ErrInvalid, "a zero group never lists every complaint")
	_, err = e.svc.Unanswered(ctx, saTenant, crm.NilID)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func (e *saEnv) membersOf(tb testing.TB, g crm.ID) []crm.ID {
	tb.Helper()
	ms, err := e.svc.Members(context.Background(), saTenant, g)
	require.NoError(tb, err)
	return memberIDs(ms)
}

func TestServiceTransitionGroup(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	e.afterCommit(t)
	ctx := context.Background()
	ids := e.receiveN(t, saTenant, 4)
	e.advance(t, saTenant, ids[3], complaint.Rejected)
	g := e.group(t, saTenant, ids)
	e.sink.reset()

	moved, err := e.svc.TransitionGroup(ctx, saTenant, g, complaint.Acknowledged, saCh())
	require.NoError(t, err)
	require.Equal(t, ids[:3], memberIDs(moved), "the rejected member is skipped")
	for _, c := range moved {
		require.Equal(t, complaint.Acknowledged, c.Status())
	}
	require.Equal(t, 1, e.sink.calls)
	require.Len(t, e.sink.all(), 3)

	// One member moves on alone; moving the group to Assessed skips it.
	_, err = e.svc.Assess(ctx, saTenant, ids[0], saCh())
	require.NoError(t, err)
	moved, err = e.svc.TransitionGroup(ctx, saTenant, g, complaint.Assessed, saCh())
	require.NoError(t, err)
	require.Equal(t, ids[1:3], memberIDs(moved), "members already there are skipped")

	rej, err := e.svc.Get(ctx, saTenant, ids[3])
	require.NoError(t, err)
	require.Equal(t, complaint.Rejected, rej.Status())
}

func TestServiceTransitionGroupAllOrNone(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	ids := e.receiveN(t, saTenant, 3)
	e.advance(t, saTenant, ids[0], complaint.Assessed)
	e.advance(t, saTenant, ids[2], complaint.Assessed)
	// ids[1] is still Received: it cannot start investigating.
	g := e.group(t, saTenant, ids)
	emptyGroup := crm.MustParseID("01890000-0000-7000-8000-0000000000bb")

	tests := []struct {
		name           string
		group          crm.ID
		to             complaint.Status
		ch             complaint.Change
		want           error
		transitionErr  bool
		validationPath string
	}{
		{"one member refuses", g, complaint.Investigating, saCh(), crm.ErrInvalidTransition, true, ""},
		{"closing unresolved members", g, complaint.Closed, saCh(), crm.ErrInvalidTransition, true, ""},
		{"rejecting without a reason", g, complaint.Rejected, complaint.Change{Actor: saAgent}, crm.ErrInvalid, false, "change.reason"},
		{"reopening a group", g, complaint.Reopened, saCh(), crm.ErrInvalid, false, "to"},
		{"a group without members", emptyGroup, complaint.Acknowledged, saCh(), crm.ErrNotFound, false, ""},
		{"a zero group", crm.NilID, complaint.Acknowledged, saCh(), crm.ErrInvalid, false, "group"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.records(t, saTenant, ids)
			e.sink.reset()
			moved, err := e.svc.TransitionGroup(ctx, saTenant, tc.group, tc.to, tc.ch)
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, moved)
			var te *crm.TransitionError
			require.Equal(t, tc.transitionErr, errors.As(err, &te), "%v", err)
			if tc.validationPath != "" {
				var ve *crm.ValidationError
				require.ErrorAs(t, err, &ve)
				require.True(t, ve.Has(tc.validationPath), "%v", err)
			}
			require.Equal(t, before, e.records(t, saTenant, ids), "all or none")
			require.Empty(t, e.sink.all(), "a failed group operation publishes nothing")
		})
	}
	_, err := e.svc.TransitionGroup(ctx, saOther, g, complaint.Acknowledged, saCh())
	require.ErrorIs(t, err, crm.ErrNotFound, "another tenant sees no members")
}

func TestServiceResolveGroup(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	e.afterCommit(t)
	ctx := context.Background()
	ids := e.receiveN(t, saTenant, 4)
	for _, id := range ids[:3] {
		e.advance(t, saTenant, id, complaint.ResponseProposed)
	}
	e.advance(t, saTenant, ids[3], complaint.Rejected)
	g := e.group(t, saTenant, ids)
	e.sink.reset()
	r := saResolution()
	r.Remedy = complaint.Compensation
	r.Compensation = crm.MustParseMoney("200 CNY")

	resolved, err := e.svc.ResolveGroup(ctx, saTenant, g, r, saCh())
	require.NoError(t, err)
	require.Equal(t, ids[:3], memberIDs(resolved))
	for _, c := range resolved {
		require.Equal(t, complaint.Resolved, c.Status())
		got, ok := c.Resolution()
		require.True(t, ok)
		require.Equal(t, r, got)
	}
	require.Equal(t, 1, e.sink.calls)
	var types []string
	for _, ev := range e.sink.all()[:2] {
		types = append(types, ev.Type)
	}
	require.Equal(t, []string{complaint.EventResolutionSet, complaint.EventStatusChanged}, types, "each member's events in order")
	require.Len(t, e.sink.all(), 6)

	// Resolved members are skipped: a second call has nothing to do.
	again, err := e.svc.ResolveGroup(ctx, saTenant, g, r, saCh())
	require.NoError(t, err)
	require.Empty(t, again)

	closed, err := e.svc.TransitionGroup(ctx, saTenant, g, complaint.Closed, saCh())
	require.NoError(t, err)
	require.Equal(t, ids[:3], memberIDs(closed))
}

func TestServiceResolveGroupAllOrNone(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	ids := e.receiveN(t, saTenant, 3)
	e.advance(t, saTenant, ids[0], complaint.ResponseProposed)
	e.advance(t, saTenant, ids[1], complaint.ResponseProposed)
	e.advance(t, saTenant, ids[2], complaint.Investigating)
	g := e.group(t, saTenant, ids)
	negative := saResolution()
	negative.Remedy = complaint.Compensation
	negative.Compensation = crm.MustParseMoney("-1 CNY")

	tests := []struct {
		name string
		r    complaint.Resolution
		want error
	}{
		{"a member not ready to resolve", saResolution(), crm.ErrInvalidTransition},
		{"negative compensation", negative, crm.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.records(t, saTenant, ids)
			e.sink.reset()
			got, err := e.svc.ResolveGroup(ctx, saTenant, g, tc.r, saCh())
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, got)
			require.Equal(t, before, e.records(t, saTenant, ids), "all or none")
			require.Empty(t, e.sink.all())
		})
	}
}

func TestServiceUnanswered(t *testing.T) {
	t.Parallel()
	e := newSaEnv(t, nil)
	ctx := context.Background()
	ids := e.receiveN(t, saTenant, 4)
	g := e.group(t, saTenant, ids)
	e.advance(t, saTenant, ids[1], complaint.ResponseProposed)
	_, err := e.svc.Reject(ctx, saTenant, ids[3], complaint.Change{Actor: saAgent, Reason: "duplicate of a handled report"})
	require.NoError(t, err)

	got, err := e.svc.Unanswered(ctx, saTenant, g)
	require.NoError(t, err)
	var complaints, customers []crm.ID
	for _, u := range got {
		complaints = append(complaints, u.Complaint)
		customers = append(customers, u.Customer)
	}
	require.Equal(t, []crm.ID{ids[0], ids[2]}, complaints)
	recs := e.records(t, saTenant, []crm.ID{ids[0], ids[2]})
	require.Equal(t, []crm.ID{recs[0].Customer, recs[1].Customer}, customers)
	require.NotEqual(t, customers[0], customers[1], "each customer is named")

	got, err = e.svc.Unanswered(ctx, saOther, g)
	require.NoError(t, err)
	require.Empty(t, got)
}
