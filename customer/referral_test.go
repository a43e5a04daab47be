package customer_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

var (
	relAt     = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	relDealer = crm.MustParseID("01890000-0000-7000-8000-00000000d001")
	relLead   = crm.MustParseID("01890000-0000-7000-8000-00000000e001")
)

func relCh(h int, reason string) customer.Change {
	return customer.Change{Actor: "mgr", At: relAt.Add(time.Duration(h) * time.Hour), Reason: reason}
}

func relID(n byte) crm.ID {
	id := crm.MustParseID("01890000-0000-7000-8000-000000000000")
	id[15] = n
	return id
}

func newTestReferral(t testing.TB) *customer.Referral {
	t.Helper()
	r, err := customer.NewReferral(customer.ReferralInput{ID: relID(1), Tenant: "acme", Referrer: relDealer,
		TargetKind: customer.TargetLead, Target: relLead, Channel: "dealer_event", Notes: "Brought to the open day"}, relCh(0, ""))
	require.NoError(t, err)
	return r
}

// requireField asserts err is a *crm.ValidationError naming field.
func requireField(t testing.TB, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has(field), "want %q in %v", field, ve.Fields)
}

func TestNewReferral(t *testing.T) {
	t.Parallel()
	ok := customer.ReferralInput{ID: relID(1), Tenant: "acme", Referrer: relDealer, TargetKind: customer.TargetCustomer, Target: relLead}
	r, err := customer.NewReferral(ok, relCh(0, ""))
	require.NoError(t, err)
	require.Equal(t, customer.ReferralPending, r.Outcome())
	require.Equal(t, relAt, r.ReferredAt())
	require.Len(t, r.History(), 1)
	require.Equal(t, []string{customer.EventReferralMade}, eventTypes(r.Events()))

	for _, tc := range []struct {
		name  string
		edit  func(*customer.ReferralInput, *customer.Change)
		field string
	}{
		{"zero id", func(in *customer.ReferralInput, _ *customer.Change) { in.ID = crm.NilID }, "id"},
		{"bad tenant", func(in *customer.ReferralInput, _ *customer.Change) { in.Tenant = "" }, "tenant"},
		{"no referrer", func(in *customer.ReferralInput, _ *customer.Change) { in.Referrer = crm.NilID }, "referrer"},
		{"unknown kind", func(in *customer.ReferralInput, _ *customer.Change) { in.TargetKind = 7 }, "target_kind"},
		{"no target", func(in *customer.ReferralInput, _ *customer.Change) { in.Target = crm.NilID }, "target"},
		{"self referral", func(in *customer.ReferralInput, _ *customer.Change) { in.Target = in.Referrer }, "target"},
		{"bad channel", func(in *customer.ReferralInput, _ *customer.Change) { in.Channel = "Word Of Mouth" }, "channel"},
		{"huge notes", func(in *customer.ReferralInput, _ *customer.Change) {
			in.Notes = strings.Repeat("x", customer.MaxRelationNotesLen+1)
		}, "notes"},
		{"NUL in notes", func(in *customer.ReferralInput, _ *customer.Change) { in.Notes = "a\x00b" }, "notes"},
		{"bad UTF-8", func(in *customer.ReferralInput, _ *customer.Change) { in.Notes = "\xff" }, "notes"},
		{"no actor", func(_ *customer.ReferralInput, ch *customer.Change) { ch.Actor = "" }, "change.actor"},
		{"time out of range", func(_ *customer.ReferralInput, ch *customer.Change) {
			ch.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		}, "change.at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in, ch := ok, relCh(0, "")
			tc.edit(&in, &ch)
			_, err := customer.NewReferral(in, ch)
			requireField(t, err, tc.field)
		})
	}
}

func eventTypes(evs []crm.Event) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// TestReferralMoves tries every move between every pair of outcomes: the
// allowed ones succeed and record a step and an event, the others are
// *crm.TransitionError and change nothing.
func TestReferralMoves(t *testing.T) {
	t.Parallel()
	reach := map[customer.ReferralOutcome]func(*customer.Referral) error{
		customer.ReferralPending:   func(*customer.Referral) error { return nil },
		customer.ReferralConverted: func(r *customer.Referral) error { return r.Convert(crm.MustParseMoney("10 EUR"), relCh(1, "")) },
		customer.ReferralLost:      func(r *customer.Referral) error { return r.Lose(relCh(1, "no budget")) },
	}
	move := map[customer.ReferralOutcome]func(*customer.Referral) error{
		customer.ReferralPending:   func(r *customer.Referral) error { return r.Reopen(relCh(2, "came back")) },
		customer.ReferralConverted: func(r *customer.Referral) error { return r.Convert(crm.MustParseMoney("99.90 EUR"), relCh(2, "")) },
		customer.ReferralLost:      func(r *customer.Referral) error { return r.Lose(relCh(2, "went elsewhere")) },
	}
	allowed := 0
	for _, from := range customer.ReferralOutcomes() {
		for _, to := range customer.ReferralOutcomes() {
			t.Run(from.String()+"_to_"+to.String(), func(t *testing.T) {
				t.Parallel()
				r := newTestReferral(t)
				require.NoError(t, reach[from](r))
				require.Equal(t, from, r.Outcome())
				before := r.Record()
				err := move[to](r)
				if customer.ReferralMoveAllowed(from, to) {
					require.NoError(t, err)
					require.Equal(t, to, r.Outcome())
					h := r.History()
					require.Equal(t, customer.Step{Kind: customer.StepStatus, From: from.String(), To: to.String(),
						Value: r.Value(), At: relAt.Add(2 * time.Hour), Actor: "mgr", Reason: h[len(h)-1].Reason}, h[len(h)-1])
					require.Equal(t, customer.EventReferralOutcome, r.Events()[len(r.Events())-1].Type)
					_, err := customer.ReferralFromRecord(r.Record())
					require.NoError(t, err, "the moved referral is a valid record")
					return
				}
				var te *crm.TransitionError
				require.ErrorAs(t, err, &te)
				require.ErrorIs(t, err, crm.ErrInvalidTransition)
				require.Equal(t, before, r.Record(), "a refused move changes nothing")
			})
			if customer.ReferralMoveAllowed(from, to) {
				allowed++
			}
		}
	}
	require.Equal(t, 3, allowed, "pending->converted, pending->lost, lost->pending")
}

func TestReferralRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		do    func(r *customer.Referral) error
		field string
	}{
		{"zero value", func(r *customer.Referral) error { return r.Convert(crm.MustParseMoney("0 EUR"), relCh(1, "")) }, "value"},
		{"negative value", func(r *customer.Referral) error { return r.Convert(crm.MustParseMoney("-5 EUR"), relCh(1, "")) }, "value"},
		{"no value", func(r *customer.Referral) error { return r.Convert(crm.Money{}, relCh(1, "")) }, "value"},
		{"lost without reason", func(r *customer.Referral) error { return r.Lose(relCh(1, "")) }, "change.reason"},
		{"change before the last", func(r *customer.Referral) error { return r.Lose(relCh(-1, "late")) }, "change.at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newTestReferral(t)
			before := r.Record()
			requireField(t, tc.do(r), tc.field)
			require.Equal(t, before, r.Record())
		})
	}
	t.Run("history full", func(t *testing.T) {
		t.Parallel()
		r := newTestReferral(t)
		var err error
		for i := 1; err == nil; i++ {
			if r.Outcome() == customer.ReferralPending {
				err = r.Lose(relCh(i, "x"))
			} else {
				err = r.Reopen(relCh(i, ""))
			}
		}
		requireField(t, err, "history")
		require.Len(t, r.History(), customer.MaxRelationHistory)
	})
}

func TestReferralFromRecordRefuses(t *testing.T) {
	t.Parallel()
	good := newTestReferral(t)
	require.NoError(t, good.Convert(crm.MustParseMoney("10 EUR"), relCh(1, "")))
	for _, tc := range []struct {
		name  string
		edit  func(*customer.ReferralRecord)
		field string
	}{
		{"outcome not where history ends", func(r *customer.ReferralRecord) { r.Outcome = customer.ReferralLost; r.Value = crm.Money{} }, "outcome"},
		{"value on a lost", func(r *customer.ReferralRecord) {
			r.History = r.History[:1]
			r.Outcome = customer.ReferralPending
			r.UpdatedAt = r.CreatedAt
			r.DecidedAt = time.Time{}
		}, "value"},
		{"no history", func(r *customer.ReferralRecord) { r.History = nil }, "history"},
		{"first step not created", func(r *customer.ReferralRecord) { r.History[0].Kind = customer.StepStatus }, "history[0].kind"},
		{"steps out of order", func(r *customer.ReferralRecord) { r.History[1].At = r.CreatedAt.Add(-time.Hour) }, "history[1].at"},
		{"negative version", func(r *customer.ReferralRecord) { r.Version = -1 }, "version"},
		{"updated before created", func(r *customer.ReferralRecord) { r.UpdatedAt = r.CreatedAt.Add(-time.Hour) }, "updated_at"},
		{"decided missing", func(r *customer.ReferralRecord) { r.DecidedAt = time.Time{} }, "decided_at"},
		{"unknown step kind", func(r *customer.ReferralRecord) { r.History[1].Kind = 42 }, "history[1].kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := good.Record()
			tc.edit(&rec)
			_, err := customer.ReferralFromRecord(rec)
			requireField(t, err, tc.field)
		})
	}
	back, err := customer.ReferralFromRecord(good.Record())
	require.NoError(t, err)
	require.Equal(t, good.Record(), back.Record())
	require.Empty(t, back.Events(), "a rebuilt referral has no pending events")
}

func TestReferralIsolation(t *testing.T) {
	t.Parallel()
	r := newTestReferral(t)
	h := r.History()
	h[0].Reason = "changed"
	require.NotEqual(t, "changed", r.History()[0].Reason, "History hands out a copy")
	c := r.Clone()
	require.NoError(t, c.Lose(relCh(1, "x")))
	require.Equal(t, customer.ReferralPending, r.Outcome(), "a clone shares nothing")
	rec := r.Record()
	rec.History[0].Reason = "forged"
	require.Empty(t, r.History()[0].Reason)
	require.True(t, errors.Is(r.Reopen(relCh(1, "")), crm.ErrInvalidTransition))
}
