package crm_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestParseID(t *testing.T) {
	t.Parallel()
	good := "01936d3c-7d8e-7a2b-9c4d-0123456789ab"
	id, err := crm.ParseID(good)
	require.NoError(t, err)
	require.Equal(t, good, id.String())
	upper, err := crm.ParseID(strings.ToUpper(good))
	require.NoError(t, err)
	require.Equal(t, id, upper)

	for name, in := range map[string]string{
		"empty":     "",
		"zero":      "00000000-0000-0000-0000-000000000000",
		"garbage":   "not-an-id",
		"too long":  strings.Repeat("a", 1000),
		"truncated": good[:35],
		"bad hex":   "01936d3c-7d8e-7a2b-9c4d-0123456789zz",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := crm.ParseID(in)
			require.ErrorIs(t, err, crm.ErrInvalid)
		})
	}
}

func TestIDTextAndJSONRoundTrip(t *testing.T) {
	t.Parallel()
	id, err := crm.UUIDv7{}.NewID()
	require.NoError(t, err)
	b, err := json.Marshal(struct{ ID crm.ID }{id})
	require.NoError(t, err)
	var back struct{ ID crm.ID }
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, id, back.ID)
	require.Error(t, json.Unmarshal([]byte(`{"ID":"nope"}`), &back))
	require.ErrorIs(t, back.ID.UnmarshalText([]byte(strings.Repeat("f", 100))), crm.ErrInvalid)
}

func TestUUIDv7IsVersion7AndOrdered(t *testing.T) {
	t.Parallel()
	var prev crm.ID
	for i := range 1000 {
		id, err := crm.UUIDv7{}.NewID()
		require.NoError(t, err)
		require.Equal(t, uuid.Version(7), uuid.UUID(id).Version())
		if i > 0 {
			require.Equal(t, 1, id.Compare(prev), "UUIDv7 from one generator increase")
		}
		prev = id
	}
}

func TestSequentialIDsAreDeterministic(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a, b := crm.NewSequentialIDs(crm.NewManualClock(at)), crm.NewSequentialIDs(crm.NewManualClock(at))
	for range 10 {
		x, err := a.NewID()
		require.NoError(t, err)
		y, err := b.NewID()
		require.NoError(t, err)
		require.Equal(t, x, y)
		u := uuid.UUID(x)
		require.Equal(t, uuid.Version(7), u.Version())
		require.Equal(t, uuid.RFC4122, u.Variant())
		sec, nsec := u.Time().UnixTime()
		require.Equal(t, at.Unix(), sec)
		require.Zero(t, nsec)
		_, err = crm.ParseID(x.String())
		require.NoError(t, err)
	}
}

func TestSequentialIDsConcurrentUnique(t *testing.T) {
	t.Parallel()
	g := crm.NewSequentialIDs(nil)
	var mu sync.Mutex
	seen := map[crm.ID]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				id, err := g.NewID()
				if err != nil {
					panic(err)
				}
				mu.Lock()
				seen[id] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Len(t, seen, 1600)
}

func TestTenantID(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"acme", "租户-1", strings.Repeat("x", crm.MaxTenantIDLen)} {
		_, err := crm.ParseTenantID(ok)
		require.NoError(t, err, ok)
	}
	for name, bad := range map[string]string{
		"empty":   "",
		"space":   "a b",
		"control": "a\x00b",
		"long":    strings.Repeat("x", crm.MaxTenantIDLen+1),
		"utf8":    "a\xffb",
		"newline": "a\n",
	} {
		_, err := crm.ParseTenantID(bad)
		require.ErrorIs(t, err, crm.ErrInvalid, name)
	}
}

func TestUserID(t *testing.T) {
	t.Parallel()
	require.NoError(t, crm.UserID("li.na@branch-7").Validate())
	require.NoError(t, crm.UserID("王经理").Validate())
	for name, bad := range map[string]crm.UserID{
		"empty": "", "control": "a\tb", "long": crm.UserID(strings.Repeat("u", 129)), "utf8": "\xfe",
	} {
		require.ErrorIs(t, bad.Validate(), crm.ErrInvalid, name)
	}
}

func TestPageRequestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      crm.PageRequest
		limit   int
		invalid bool
	}{
		{"zero takes default", crm.PageRequest{}, crm.DefaultPageLimit, false},
		{"kept", crm.PageRequest{Limit: 7}, 7, false},
		{"capped", crm.PageRequest{Limit: crm.MaxPageLimit + 1}, crm.MaxPageLimit, false},
		{"negative", crm.PageRequest{Limit: -1}, 0, true},
		{"cursor too long", crm.PageRequest{Cursor: strings.Repeat("c", crm.MaxCursorLen+1)}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.in.Normalize()
			if tt.invalid {
				require.ErrorIs(t, err, crm.ErrInvalid)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.limit, got.Limit)
		})
	}
}

func TestManualClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := crm.NewManualClock(start)
	require.Equal(t, start, c.Now())
	require.Equal(t, start.Add(time.Hour), c.Advance(time.Hour))
	c.Set(start)
	require.Equal(t, start, c.Now())
	var clk crm.Clock = crm.ClockFunc(func() time.Time { return start })
	require.Equal(t, start, clk.Now())
	require.Equal(t, time.UTC, crm.SystemClock{}.Now().Location())
}
