package storage_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/storage"
)

var (
	at  = time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	eid = crm.MustParseID("01890a5d-ac96-774b-bcce-b302099a8057")
	aid = crm.MustParseID("01890a5d-ac96-774b-bcce-b302099a8058")
)

func event() crm.Event {
	return crm.Event{ID: eid, Type: "customer.stage_changed", Tenant: "t1", AggregateID: aid, Version: 2, At: at, Actor: "ann",
		Data: struct {
			To string `json:"to"`
		}{"growth"}}
}

func TestEncodeEvents(t *testing.T) {
	t.Parallel()
	out, err := storage.EncodeEvents([]crm.Event{event()})
	require.NoError(t, err)
	require.Len(t, out, 1)
	require.Equal(t, json.RawMessage(`{"to":"growth"}`), out[0].Data)
	require.Equal(t, time.UTC, out[0].At.Location())
	require.Equal(t, at.UTC().Truncate(time.Microsecond), out[0].At, "times are stored in UTC to the microsecond, as PostgreSQL keeps them")
	require.Zero(t, out[0].Attempts)
	require.True(t, out[0].Claim.IsZero())

	empty, err := storage.EncodeEvents(nil)
	require.NoError(t, err)
	require.Empty(t, empty)
}

func TestEncodeEventsRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*crm.Event)
		path string
	}{
		{"zero ID", func(e *crm.Event) { e.ID = crm.NilID }, "events[0].id"},
		{"no tenant", func(e *crm.Event) { e.Tenant = "" }, "events[0].tenant"},
		{"no aggregate", func(e *crm.Event) { e.AggregateID = crm.NilID }, "events[0].aggregate_id"},
		{"no type", func(e *crm.Event) { e.Type = "" }, "events[0].type"},
		{"type too long", func(e *crm.Event) { e.Type = strings.Repeat("x", storage.MaxEventTypeLen+1) }, "events[0].type"},
		{"type not UTF-8", func(e *crm.Event) { e.Type = "a\xff" }, "events[0].type"},
		{"type with NUL", func(e *crm.Event) { e.Type = "a\x00b" }, "events[0].type"},
		{"negative version", func(e *crm.Event) { e.Version = -1 }, "events[0].version"},
		{"no time", func(e *crm.Event) { e.At = time.Time{} }, "events[0].at"},
		{"time out of range", func(e *crm.Event) { e.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "events[0].at"},
		{"bad actor", func(e *crm.Event) { e.Actor = strings.Repeat("a", 10_000) }, "events[0].actor"},
		{"data not JSON", func(e *crm.Event) { e.Data = make(chan int) }, "events[0].data"},
		{"data NaN", func(e *crm.Event) { e.Data = math.NaN() }, "events[0].data"},
		{"data with NUL", func(e *crm.Event) { e.Data = "a\x00b" }, "events[0].data"},
		{"data too long", func(e *crm.Event) { e.Data = strings.Repeat("x", storage.MaxEventDataLen) }, "events[0].data"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := event()
			tc.edit(&e)
			_, err := storage.EncodeEvents([]crm.Event{e})
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.True(t, ve.Has(tc.path), "problems: %v", ve.Fields)
		})
	}
	t.Run("repeated ID", func(t *testing.T) {
		t.Parallel()
		_, err := storage.EncodeEvents([]crm.Event{event(), event()})
		var ve *crm.ValidationError
		require.ErrorAs(t, err, &ve)
		require.True(t, ve.Has("events[1].id"), "problems: %v", ve.Fields)
	})
	t.Run("too many", func(t *testing.T) {
		t.Parallel()
		_, err := storage.EncodeEvents(make([]crm.Event, storage.MaxAppendEvents+1))
		require.ErrorIs(t, err, crm.ErrInvalid)
	})
}

func TestClaimRequestNormalize(t *testing.T) {
	t.Parallel()
	r, err := storage.ClaimRequest{}.Normalize()
	require.NoError(t, err)
	require.Equal(t, storage.ClaimRequest{Limit: storage.DefaultClaimLimit, Lease: storage.DefaultLease}, r)
	r, err = storage.ClaimRequest{Tenant: "t1", Limit: storage.MaxClaimLimit, Lease: storage.MinLease}.Normalize()
	require.NoError(t, err)
	require.Equal(t, storage.MaxClaimLimit, r.Limit)
	for i, bad := range []storage.ClaimRequest{
		{Limit: -1}, {Limit: storage.MaxClaimLimit + 1}, {Lease: time.Microsecond}, {Lease: -time.Second},
		{Lease: storage.MaxLease + 1}, {Tenant: "has space"},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			_, err := bad.Normalize()
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
}
