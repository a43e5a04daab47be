package hook_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
)

type thing struct{ v int64 }

// panicOf returns what fn panics with, as text ("" when it does not).
func panicOf(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	fn()
	return ""
}

func TestRegisterAndFor(t *testing.T) {
	t.Parallel()
	type rec struct{ n int }
	h := hook.Entity[*thing, rec, string]{
		Saved:   func(x *thing, v int64) { x.v = v },
		Adopt:   func(r rec) (*thing, error) { return &thing{v: int64(r.n)}, nil },
		Pending: func(*thing) []string { return []string{"p"} },
	}
	hook.Register(h)
	got := hook.For[*thing, rec, string]()
	x, err := got.Adopt(rec{n: 3})
	require.NoError(t, err)
	got.Saved(x, 9)
	require.Equal(t, int64(9), x.v)
	require.Equal(t, []string{"p"}, got.Pending(x))

	require.Contains(t, panicOf(func() { hook.Register(h) }), "registered twice", "a second registration is a programming error")
	require.Contains(t, panicOf(func() { hook.Register(hook.Entity[*thing, int, int]{}) }), "every hook must be set")
	require.Contains(t, panicOf(func() { hook.For[*thing, rec, int]() }), "no hooks registered", "types nobody registered")
}

// TestOneMeaningAcrossAggregates: Saved forgets pending entries and events,
// Clone keeps both, for customers and complaints alike.
func TestOneMeaningAcrossAggregates(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cu, err := customer.New(customer.NewInput{ID: crm.MustParseID("01890000-0000-7000-8000-000000000001"), Tenant: "acme",
		Kind: customer.Person, Name: "Li", Roles: []customer.Role{customer.EndCustomer}, Owner: "wang"},
		customer.Change{Actor: "a", At: at})
	require.NoError(t, err)
	co, err := complaint.New(complaint.NewInput{ID: crm.MustParseID("01890000-0000-7000-8000-000000000002"), Tenant: "acme",
		Customer: cu.ID(), Channel: customer.CallCentre, Category: "leak", Description: "leaks", Owner: "li"},
		complaint.Change{Actor: "a", At: at})
	require.NoError(t, err)

	ch := hook.For[*customer.Customer, customer.Record, customer.HistoryEntry]()
	ph := hook.For[*complaint.Complaint, complaint.Record, complaint.AuditEntry]()
	for _, tc := range []struct {
		name    string
		clone   func() (pending, events int)
		saved   func() (pending, events int, version int64)
		initial func() (pending, events int)
	}{
		{"customer",
			func() (int, int) { d := cu.Clone(); return len(ch.Pending(d)), len(d.Events()) },
			func() (int, int, int64) {
				d := cu.Clone()
				ch.Saved(d, 4)
				return len(ch.Pending(d)), len(d.Events()), d.Version()
			},
			func() (int, int) { return len(ch.Pending(cu)), len(cu.Events()) }},
		{"complaint",
			func() (int, int) { d := co.Clone(); return len(ph.Pending(d)), len(d.Events()) },
			func() (int, int, int64) {
				d := co.Clone()
				ph.Saved(d, 4)
				return len(ph.Pending(d)), len(d.Events()), d.Version()
			},
			func() (int, int) { return len(ph.Pending(co)), len(co.Events()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p0, e0 := tc.initial()
			require.Equal(t, 1, p0, "creation is a pending entry")
			require.Equal(t, 1, e0, "and an event")
			p, e := tc.clone()
			require.Equal(t, []int{p0, e0}, []int{p, e}, "Clone keeps pending entries and events")
			p, e, v := tc.saved()
			require.Equal(t, []int{0, 0}, []int{p, e}, "Saved forgets pending entries and events")
			require.Equal(t, int64(4), v)
		})
	}
}

type recordingTx struct{ calls int }

func (r *recordingTx) InTx(ctx context.Context, fn func(context.Context) error) error {
	r.calls++
	ctx, sc := crm.NewCommitScope(ctx)
	if err := fn(ctx); err != nil {
		sc.Rollback()
		return err
	}
	sc.Commit()
	return nil
}

type failingIDs struct{}

func (failingIDs) NewID() (crm.ID, error) { return crm.NilID, errors.New("no entropy") }

func TestPublisherWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	var heard []crm.Event
	sink := crm.EventSinkFunc(func(_ context.Context, evs []crm.Event) error { heard = append(heard, evs...); return nil })
	tx := &recordingTx{}
	p := &hook.Publisher{Pkg: "test", Tx: tx, IDs: crm.NewSequentialIDs(clock), Sink: sink, Log: slog.New(slog.DiscardHandler)}

	evs, err := p.Write(ctx, false, func(context.Context) ([]crm.Event, error) { return []crm.Event{{Type: "a"}}, nil })
	require.NoError(t, err)
	require.Zero(t, tx.calls, "no transaction without an outbox unless asked")
	require.False(t, evs[0].ID.IsZero())
	require.Equal(t, evs, heard)

	_, err = p.Write(ctx, true, func(context.Context) ([]crm.Event, error) { return nil, errors.New("refused") })
	require.EqualError(t, err, "refused")
	require.Equal(t, 1, tx.calls)
	require.Len(t, heard, 1, "a failed change publishes nothing")

	p.IDs = failingIDs{}
	_, err = p.Write(ctx, true, func(context.Context) ([]crm.Event, error) { return []crm.Event{{Type: "b"}}, nil })
	require.ErrorContains(t, err, "no entropy", "inside a transaction a missing event ID rolls the change back")
	require.Len(t, heard, 1)
}
