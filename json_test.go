package crm_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
)

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	type inner struct {
		N int `json:"n"`
	}
	type outer struct {
		Name  string           `json:"name"`
		Items []inner          `json:"items"`
		ID    crm.ID           `json:"id"`
		Money map[string]inner `json:"money"`
		Ref   *crm.ID          `json:"ref"`
		Event *crm.Event       `json:"event"`
	}
	cases := []struct {
		name, in, path string
	}{
		{"ok", `{"name":"a","items":[{"n":1}]}`, "-"},
		{"unknown field", `{"name":"a","shoe":1}`, "shoe"},
		{"name in another case", `{"Name":"a"}`, "Name"},
		{"nested name in another case", `{"items":[{"N":1}]}`, "items[0].N"},
		{"wrong type", `{"name":1}`, "name"},
		{"nested wrong type", `{"items":[{"n":"x"}]}`, "items[0].n"},
		{"second element wrong", `{"items":[{"n":1},{"n":true}]}`, "items[1].n"},
		{"a text value refused by its type", `{"id":"not-an-id"}`, "id"},
		{"a map member's field", `{"money":{"eur":{"n":"x"}}}`, "money.eur.n"},
		{"a pointer's text value", `{"ref":"  "}`, "ref"},
		{"a nested JSON form's own path", `{"event":{"id":"x"}}`, "event.id"},
		{"trailing data", `{"name":"a"} {}`, ""},
		{"malformed", `{"name":`, ""},
		{"empty", ``, ""},
		{"not an object", `[1]`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var o outer
			err := crm.DecodeJSON([]byte(tc.in), &o, "test")
			if tc.path == "-" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, "test", ve.Op)
			if tc.path != "" {
				require.True(t, ve.Has(tc.path), "problems: %v", ve.Fields)
			}
		})
	}
}

func TestKernelJSONForms(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	id := crm.MustParseID("01890a5d-ac96-774b-bcce-b302099a8057")
	ev := crm.Event{ID: id, Type: "customer.stage_changed", Tenant: "t1", AggregateID: id, Version: 3, At: at, Actor: "ann", Data: map[string]any{"to": "growth"}}
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"01890a5d-ac96-774b-bcce-b302099a8057","type":"customer.stage_changed","tenant":"t1",
		"aggregate_id":"01890a5d-ac96-774b-bcce-b302099a8057","version":3,"at":"2026-01-02T03:04:05.000006Z","actor":"ann","data":{"to":"growth"}}`, string(b))
	var back crm.Event
	require.NoError(t, crm.DecodeJSON(b, &back, "event"))
	require.Equal(t, ev, back)

	page := crm.Page[int]{Items: []int{1, 2}, Next: "c"}
	b, err = json.Marshal(page)
	require.NoError(t, err)
	require.JSONEq(t, `{"items":[1,2],"next":"c"}`, string(b))
	ch := crm.Change{Actor: "ann", At: at, Reason: "why"}
	b, err = json.Marshal(ch)
	require.NoError(t, err)
	require.JSONEq(t, `{"actor":"ann","at":"2026-01-02T03:04:05.000006Z","reason":"why"}`, string(b))
	pr := crm.PageRequest{Cursor: "x", Limit: 10}
	b, err = json.Marshal(pr)
	require.NoError(t, err)
	require.JSONEq(t, `{"cursor":"x","limit":10}`, string(b))
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add(`{"id":"01890a5d-ac96-774b-bcce-b302099a8057","type":"x","tenant":"t","at":"2026-01-02T03:04:05Z"}`)
	f.Add(`{"type":1}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, in string) {
		var e crm.Event
		err := crm.DecodeJSON([]byte(in), &e, "event")
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		b, err := json.Marshal(e)
		require.NoError(t, err)
		var again crm.Event
		require.NoError(t, crm.DecodeJSON(b, &again, "event"), "a value that decoded must decode again from its own encoding")
		b2, err := json.Marshal(again)
		require.NoError(t, err)
		require.JSONEq(t, string(b), string(b2), "the round trip is stable")
	})
}
