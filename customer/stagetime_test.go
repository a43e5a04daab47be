package customer_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// spansText renders a timeline as "stage:hours[/business hours]" items.
func spansText(tl customer.StageTimeline) string {
	var parts []string
	for _, sp := range tl.Spans {
		p := fmt.Sprintf("%s:%gh", sp.Stage, sp.Duration.Hours())
		if sp.Business > 0 {
			p += fmt.Sprintf("/%gh", sp.Business.Hours())
		}
		if sp.Current {
			p += "*"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func TestStageTimesHandWorked(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC) // a Monday
	c := cadenceCustomer{n: 1, created: t0, stage: customer.Evaluation}.build(t)
	other := careID(2)
	entry := func(origin crm.ID, seq int64, kind customer.HistoryKind, from, to string, hours int) customer.HistoryEntry {
		return customer.HistoryEntry{CustomerID: c.ID(), OriginID: origin, Seq: seq, Kind: kind, From: from, To: to,
			At: t0.Add(time.Duration(hours) * time.Hour), Actor: "a"}
	}
	hist := []customer.HistoryEntry{
		entry(c.ID(), 1, customer.HistoryCreated, "", "unfamiliar", 0),
		entry(c.ID(), 2, customer.HistoryStage, "unfamiliar", "established", 24),
		entry(other, 3, customer.HistoryStage, "growth", "mature", 30), // moved in by a merge: not c's
		entry(c.ID(), 3, customer.HistoryStage, "established", "evaluation", 48),
		entry(c.ID(), 4, customer.HistoryOwner, "alice", "bob", 50),
		entry(c.ID(), 5, customer.HistoryStage, "evaluation", "established", 72), // back-move
		entry(c.ID(), 6, customer.HistoryStage, "established", "evaluation", 96),
		entry(c.ID(), 7, customer.HistoryStage, "evaluation", "growth", 500), // after now: not yet
	}
	now := t0.Add(120 * time.Hour) // Saturday 9:00
	tests := []struct {
		name string
		hist []customer.HistoryEntry
		cal  bool
		want string
	}{
		{"moves, a back-move and a merged-in entry", hist, false, "unfamiliar:24h established:24h evaluation:24h established:24h evaluation:24h*"},
		{"business time on a 9-17 weekday calendar", hist, true, "unfamiliar:24h/8h established:24h/8h evaluation:24h/8h established:24h/8h evaluation:24h/8h*"},
		{"no history: the customer's stage since creation", nil, false, "evaluation:120h*"},
		{"history without its created entry starts from the first move's from", hist[2:], false, "established:48h evaluation:24h established:24h evaluation:24h*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cal = weekdays(t, "UTC")
			if !tt.cal {
				cal = nil
			}
			tl, err := customer.StageTimes(c, tt.hist, now, cal)
			require.NoError(t, err)
			require.Equal(t, tt.want, spansText(tl))
			require.True(t, tl.Current().Current)
			require.Equal(t, now, tl.Current().To)
		})
	}
	tl, err := customer.StageTimes(c, hist, now, nil)
	require.NoError(t, err)
	total, _ := tl.Total(customer.Established)
	require.Equal(t, 48*time.Hour, total)

	_, err = customer.StageTimes(c, hist, t0.Add(-time.Hour), nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = customer.StageTimes(nil, hist, now, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = customer.StageTimes(c, []customer.HistoryEntry{entry(c.ID(), 2, customer.HistoryStage, "unfamiliar", "nowhere", 1)}, now, nil)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

// TestServiceStageTimes moves a customer through stages, back again, and
// merges another customer into it, on the memory store.
func TestServiceStageTimes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t0 := time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)
	clock := crm.NewManualClock(t0)
	svc, err := customer.NewService(memory.New(nil), &customer.Options{Clock: clock, IDs: crm.NewSequentialIDs(clock)})
	require.NoError(t, err)
	mk := func(name string) *customer.Customer {
		c, err := svc.Create(ctx, customer.NewInput{Tenant: "t1", Kind: customer.Person, Name: name,
			Roles: []customer.Role{customer.EndCustomer}, Owner: "alice"}, customer.Change{Actor: "a"})
		require.NoError(t, err)
		return c
	}
	move := func(id crm.ID, to customer.Stage) {
		_, err := svc.MoveStage(ctx, "t1", id, to, "", customer.Change{Actor: "a"})
		require.NoError(t, err)
	}
	a := mk("A")
	b := mk("B")
	clock.Advance(24 * time.Hour)
	move(a.ID(), customer.Established)
	move(b.ID(), customer.Established)
	clock.Advance(24 * time.Hour)
	move(b.ID(), customer.Evaluation)
	move(a.ID(), customer.Unfamiliar) // back-move
	clock.Advance(24 * time.Hour)
	move(b.ID(), customer.Growth)
	clock.Advance(24 * time.Hour)
	// Merging b into a takes b's more advanced stage: a move of a at the merge.
	_, err = svc.Merge(ctx, "t1", a.ID(), b.ID(), customer.Survivorship{}, customer.Change{Actor: "a"})
	require.NoError(t, err)
	clock.Advance(24 * time.Hour)
	tl, err := svc.StageTimes(ctx, "t1", a.ID(), clock.Now(), nil)
	require.NoError(t, err)
	require.Equal(t, "unfamiliar:24h established:24h unfamiliar:48h growth:24h*", spansText(tl))

	_, err = svc.StageTimes(ctx, "t2", a.ID(), clock.Now(), nil)
	require.ErrorIs(t, err, crm.ErrNotFound)
}
