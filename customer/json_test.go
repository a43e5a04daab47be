package customer_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/storagetest"
)

// The helpers of the JSON tests start with "js".

var jsAt = time.Date(2025, 3, 14, 9, 30, 0, 123456789, time.UTC)

// jsFullRecord returns a stored customer's record with every field set.
func jsFullRecord(t testing.TB) customer.Record {
	t.Helper()
	return customer.Record{
		ID: entID(1), Tenant: "acme", Version: 7, CreatedAt: jsAt, UpdatedAt: jsAt.Add(time.Hour),
		Kind: customer.Organization, Name: "Zhang & Söhne Ltd",
		Roles:  []customer.Role{customer.EndCustomer, customer.Dealer},
		Emails: []customer.Email{entEmail(t, "Li.Wei@Example.com"), entEmail(t, "orders@example.cn")},
		Phones: []customer.Phone{entPhone(t, "+86 138 0013 8000"), entPhone(t, "+1 416 555 0100 ext. 12")},
		Addresses: []customer.Address{
			{Label: "billing", Lines: []string{"1 Century Avenue", "Floor 12"}, Locality: "Shanghai",
				AdministrativeArea: "Shanghai", PostalCode: "200120", Country: "CN"},
			{Lines: []string{"9 Harbour St"}, Country: "CA"},
		},
		Dates:      map[string]customer.Date{"birthday": {Month: time.March, Day: 14}, "contract": {Year: 2024, Month: time.May, Day: 2}},
		TimeZone:   "Asia/Shanghai",
		Prefs:      map[string]string{"language": "zh", "contact_time": "mornings"},
		Attrs:      map[string]string{"erp_id": "C-00042"},
		Tags:       []string{"key-account", "vip"},
		Consents:   map[customer.Channel]customer.Consent{customer.EmailChannel: {Granted: true, At: jsAt, Source: "web form"}, customer.PhoneCall: {At: jsAt.Add(time.Minute)}},
		Notes:      "Prefers \"formal\" letters.\nCall before noon <please>.",
		Stage:      customer.Growth,
		Loyalty:    customer.Satisfaction,
		Lifecycle:  customer.AtRisk,
		Class:      customer.Stable,
		KeyAccount: true,
		Owner:      "alice",
		HistorySeq: 12,
	}
}

// jsRoundTrip encodes c, decodes it, encodes it again, and checks that the
// bytes and the records agree; it returns the first encoding.
func jsRoundTrip(t *testing.T, c *customer.Customer) []byte {
	t.Helper()
	b1, err := json.Marshal(c)
	require.NoError(t, err)
	var d customer.Customer
	require.NoError(t, json.Unmarshal(b1, &d))
	require.Equal(t, c.Record(), d.Record())
	require.Equal(t, c.Version(), d.Version())
	b2, err := json.Marshal(&d)
	require.NoError(t, err)
	require.Equal(t, string(b1), string(b2))
	return b1
}

func TestCustomerJSONRoundTrip(t *testing.T) {
	t.Parallel()
	full := jsFullRecord(t)
	merged := full
	merged.Roles, merged.MergedInto = nil, entID(2)
	bare := customer.Record{
		ID: entID(3), Tenant: "t", Kind: customer.Person, Name: "Bare", Roles: []customer.Role{customer.Visitor},
		Stage: customer.Unfamiliar, Loyalty: customer.Awareness, Lifecycle: customer.Active, Class: customer.GeneralContact,
		Owner: "bob",
	}
	cases := []struct {
		name string
		rec  customer.Record
	}{
		{"every field set", full},
		{"merged tombstone", merged},
		{"zero times and no lists", bare},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := customer.FromRecord(tc.rec)
			require.NoError(t, err)
			jsRoundTrip(t, c)
		})
	}
	t.Run("erased", func(t *testing.T) {
		t.Parallel()
		c, err := customer.FromRecord(full)
		require.NoError(t, err)
		_, err = c.Erase(entChange("request by the customer"))
		require.NoError(t, err)
		require.NotEmpty(t, jsRoundTrip(t, c))
	})
	t.Run("conformance fixtures", func(t *testing.T) {
		t.Parallel()
		for _, o := range []*storagetest.CustomerOptions{
			nil,
			{Kind: customer.Organization, Roles: []customer.Role{customer.Merchant, customer.Partner},
				Emails: []string{"a@example.com", "b@example.org"}, Phones: []string{"+8613800138000"},
				Stage: customer.Established, Loyalty: customer.Trust, Lifecycle: customer.Active},
		} {
			c := storagetest.NewCustomer(t, "tenant-a", o)
			require.NoError(t, c.AddTag("mutated"))
			to := customer.Established
			if c.Stage() == customer.Established {
				to = customer.Evaluation
			}
			require.NoError(t, c.MoveStage(to, "", entChange("met")))
			jsRoundTrip(t, c)
		}
	})
}

func TestCustomerJSONForm(t *testing.T) {
	t.Parallel()
	rec := jsFullRecord(t)
	local := time.FixedZone("CST", 8*3600)
	rec.CreatedAt = rec.CreatedAt.In(local)
	c, err := customer.FromRecord(rec)
	require.NoError(t, err)
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	require.InDelta(t, 1.0, m["v"], 0)
	require.InDelta(t, 7.0, m["version"], 0)
	require.Equal(t, "2025-03-14T09:30:00.123456789Z", m["created_at"], "times are written in UTC")
	require.Equal(t, "organization", m["kind"])
	require.Equal(t, "growth", m["stage"])
	require.Equal(t, []any{"li.wei@example.com", "orders@example.cn"}, jsLower(m["emails"]))
	require.Equal(t, "+14165550100;ext=12", m["phones"].([]any)[1])
	require.Equal(t, map[string]any{"birthday": "--03-14", "contract": "2024-05-02"}, m["dates"])
	require.Equal(t, map[string]any{"granted": true, "at": "2025-03-14T09:30:00.123456789Z", "source": "web form"},
		m["consents"].(map[string]any)["email"])
	require.Equal(t, map[string]any{"label": "billing", "lines": []any{"1 Century Avenue", "Floor 12"},
		"locality": "Shanghai", "administrative_area": "Shanghai", "postal_code": "200120", "country": "CN"},
		m["addresses"].([]any)[0])
	require.Contains(t, m, "preferences")
	require.Contains(t, m, "attributes")
	require.Contains(t, m, "history_seq")
	require.NotContains(t, m, "merged_into", "zero values that mean none are left out")
	require.NotContains(t, m, "erased_at")

	var back customer.Customer
	require.NoError(t, json.Unmarshal(b, &back))
	require.True(t, rec.CreatedAt.Equal(back.CreatedAt()))
	require.Equal(t, time.UTC, back.CreatedAt().Location())
}

// jsLower lower-cases the strings of a decoded JSON array.
func jsLower(v any) []any {
	out := []any{}
	for _, x := range v.([]any) {
		out = append(out, strings.ToLower(x.(string)))
	}
	return out
}

// jsDoc returns the JSON form of the full record as a generic map, for
// tests to break.
func jsDoc(t testing.TB) map[string]any {
	t.Helper()
	c, err := customer.FromRecord(jsFullRecord(t))
	require.NoError(t, err)
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestCustomerJSONRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		raw   string // used instead of the edited document when set
		paths []string
	}{
		{name: "unknown member", edit: func(m map[string]any) { m["nickname"] = "x" }, paths: []string{"nickname"}},
		{name: "wrong type", edit: func(m map[string]any) { m["version"] = "7" }, paths: []string{"version"}},
		{name: "missing version of the form", edit: func(m map[string]any) { delete(m, "v") }, paths: []string{"v"}},
		{name: "later version of the form", edit: func(m map[string]any) { m["v"] = 2 }, paths: []string{"v"}},
		{name: "unknown enum", edit: func(m map[string]any) { m["stage"] = "dating"; m["class"] = "" }, paths: []string{"stage", "class"}},
		{name: "bad e-mail", edit: func(m map[string]any) { m["emails"] = []any{"a@example.com", "no-at-sign"} }, paths: []string{"emails[1]"}},
		{name: "empty e-mail", edit: func(m map[string]any) { m["emails"] = []any{""} }, paths: []string{"emails[0]"}},
		{name: "bad phone region", edit: func(m map[string]any) { m["phones"] = []any{"+8613800138000;region=US"} }, paths: []string{"phones[0].region"}},
		{name: "bad role", edit: func(m map[string]any) { m["roles"] = []any{"dealer", "king"} }, paths: []string{"roles[1]"}},
		{name: "bad date", edit: func(m map[string]any) { m["dates"] = map[string]any{"birthday": "2025-02-30"} }, paths: []string{"dates.birthday"}},
		{name: "unknown consent channel", edit: func(m map[string]any) { m["consents"] = map[string]any{"pigeon": map[string]any{"granted": true}} }, paths: []string{"consents.pigeon"}},
		{name: "consent channel spelt twice", edit: func(m map[string]any) {
			m["consents"] = map[string]any{"email": map[string]any{"granted": true}, "EMAIL": map[string]any{"granted": false}}
		}, paths: []string{"consents.EMAIL"}},
		{name: "zero id and no owner", edit: func(m map[string]any) { delete(m, "id"); delete(m, "owner") }, paths: []string{"id", "owner"}},
		{name: "no roles", edit: func(m map[string]any) { delete(m, "roles") }, paths: []string{"roles"}},
		{name: "name too long", edit: func(m map[string]any) { m["name"] = strings.Repeat("x", customer.MaxNameLen+1) }, paths: []string{"name"}},
		{name: "NUL in notes", edit: func(m map[string]any) { m["notes"] = "a\x00b" }, paths: []string{"notes"}},
		{name: "tag not normalised", edit: func(m map[string]any) { m["tags"] = []any{"VIP"} }, paths: []string{"tags"}},
		{name: "unknown time zone", edit: func(m map[string]any) { m["time_zone"] = "Mars/Olympus" }, paths: []string{"time_zone"}},
		{name: "time out of range", edit: func(m map[string]any) { m["created_at"] = "0000-01-01T00:00:00Z" }, paths: []string{"created_at"}},
		{name: "address without lines", edit: func(m map[string]any) { m["addresses"] = []any{map[string]any{"country": "CN"}} }, paths: []string{"addresses[0].lines"}},
		{name: "huge date key", edit: func(m map[string]any) { m["dates"] = map[string]any{strings.Repeat("é", 100): "x"} },
			paths: []string{"dates." + strings.Repeat("é", 32) + "…"}},
		{name: "trailing data", raw: `{"v":1} {}`, paths: []string{""}},
		{name: "not an object", raw: `[1,2]`, paths: []string{""}},
		{name: "malformed", raw: `{"v":1,`, paths: []string{""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := []byte(tc.raw)
			if tc.raw == "" {
				m := jsDoc(t)
				tc.edit(m)
				var err error
				data, err = json.Marshal(m)
				require.NoError(t, err)
			}
			c, err := customer.FromRecord(jsFullRecord(t))
			require.NoError(t, err)
			before := c.Record()
			err = c.UnmarshalJSON(data)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			for _, p := range tc.paths {
				require.True(t, ve.Has(p), "no problem at %q in %v", p, err)
			}
			require.Equal(t, before, c.Record(), "a refused document changes nothing")
		})
	}
}

func TestCustomerJSONMarshalRefusals(t *testing.T) {
	t.Parallel()
	var zero customer.Customer
	_, err := json.Marshal(&zero)
	require.ErrorIs(t, err, crm.ErrInvalid)

	rec := jsFullRecord(t)
	rec.Dates = map[string]customer.Date{"broken": {Year: 2025, Month: 13, Day: 1}}
	c, err := customer.FromRecord(rec)
	require.NoError(t, err)
	_, err = json.Marshal(c)
	require.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("dates.broken"), "%v", err)
}

func TestCustomerJSONDecodedIsFresh(t *testing.T) {
	t.Parallel()
	c, err := customer.FromRecord(jsFullRecord(t))
	require.NoError(t, err)
	require.NoError(t, c.MoveStage(customer.Mature, "contract-1", entChange("signed")))
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var d customer.Customer
	require.NoError(t, json.Unmarshal(b, &d))
	require.Equal(t, customer.Mature, d.Stage())
	require.Empty(t, d.PendingHistory(), "pending history is not part of the form")
	require.Empty(t, d.Events(), "events are not part of the form")
	// The decoded customer shares nothing with the document's maps.
	require.NoError(t, d.SetPreference("language", "en"))
	require.Equal(t, "zh", c.Preferences()["language"])
}

func TestValueJSONForms(t *testing.T) {
	t.Parallel()
	yes := true
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"visit", customer.Visit{
			ID: entID(5), Tenant: "acme", CustomerID: entID(1), Salesperson: "alice", Kind: customer.ReturnVisit,
			Purpose: "Renewal", Method: customer.FaceToFace, PlannedAt: jsAt.In(time.FixedZone("X", 3600)),
			Duration: 90 * time.Minute, Status: customer.VisitDone, Outcome: "Signed", DoneAt: jsAt.Add(2 * time.Hour), Version: 3,
		}, `{"id":"01900000-0000-7000-8000-000000000005","tenant":"acme","customer_id":"01900000-0000-7000-8000-000000000001",` +
			`"salesperson":"alice","kind":"return","purpose":"Renewal","method":"face_to_face",` +
			`"planned_at":"2025-03-14T09:30:00.123456789Z","status":"done","outcome":"Signed",` +
			`"done_at":"2025-03-14T11:30:00.123456789Z","version":3,"duration":"1h30m0s"}`},
		{"interaction", customer.Interaction{
			ID: entID(6), Tenant: "acme", CustomerID: entID(1), Channel: customer.PhoneCall, Direction: customer.Inbound,
			Actor: "bob", At: jsAt.In(time.FixedZone("X", -5*3600)), Summary: "Asked for a quote", NextStep: "Send quote", NextStepDue: jsAt.Add(24 * time.Hour),
		}, `{"id":"01900000-0000-7000-8000-000000000006","tenant":"acme","customer_id":"01900000-0000-7000-8000-000000000001",` +
			`"channel":"phone","direction":"inbound","actor":"bob","at":"2025-03-14T09:30:00.123456789Z",` +
			`"summary":"Asked for a quote","next_step":"Send quote","next_step_due":"2025-03-15T09:30:00.123456789Z"}`},
		{"history entry", customer.HistoryEntry{
			CustomerID: entID(1), OriginID: entID(2), Seq: 4, Kind: customer.HistoryStage, From: "unfamiliar", To: "established",
			At: jsAt.In(time.FixedZone("X", 3600)), Actor: "alice", Reason: "first visit",
		}, `{"customer_id":"01900000-0000-7000-8000-000000000001","origin_id":"01900000-0000-7000-8000-000000000002",` +
			`"seq":4,"kind":"stage","from":"unfamiliar","to":"established","at":"2025-03-14T09:30:00.123456789Z",` +
			`"actor":"alice","reason":"first visit"}`},
		{"query", customer.Query{
			Owner: "alice", Stage: customer.Growth, Role: customer.Dealer, Tag: "vip", KeyAccount: &yes, Text: "zhang",
			Segment:           &customer.Segment{Name: "big", Conditions: []customer.Condition{{Field: "tag", Op: customer.OpEq, Value: "vip"}}},
			IncludeTombstones: true,
		}, `{"owner":"alice","stage":"growth","role":"dealer","tag":"vip","key_account":true,"text":"zhang",` +
			`"segment":{"name":"big","conditions":[{"field":"tag","op":"eq","value":"vip"}]},"include_tombstones":true}`},
		{"empty query", customer.Query{}, `{}`},
		{"visit query", customer.VisitQuery{Salesperson: "alice", Status: customer.VisitPlanned, From: jsAt, To: jsAt.Add(time.Hour)},
			`{"salesperson":"alice","status":"planned","from":"2025-03-14T09:30:00.123456789Z","to":"2025-03-14T10:30:00.123456789Z"}`},
		{"page of history", crm.Page[customer.HistoryEntry]{Items: []customer.HistoryEntry{}, Next: "abc"}, `{"items":[],"next":"abc"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tc.v)
			require.NoError(t, err)
			require.JSONEq(t, tc.want, string(b))
			// Decoding strictly and encoding again gives the same bytes.
			ptr := jsNew(tc.v)
			require.NoError(t, crm.DecodeJSON(b, ptr, "test"))
			b2, err := json.Marshal(ptr)
			require.NoError(t, err)
			require.Equal(t, string(b), string(b2))
		})
	}
}

// jsNew returns a pointer to a new zero value of v's type.
func jsNew(v any) any {
	switch v.(type) {
	case customer.Visit:
		return new(customer.Visit)
	case customer.Interaction:
		return new(customer.Interaction)
	case customer.HistoryEntry:
		return new(customer.HistoryEntry)
	case customer.Query:
		return new(customer.Query)
	case customer.VisitQuery:
		return new(customer.VisitQuery)
	case crm.Page[customer.HistoryEntry]:
		return new(crm.Page[customer.HistoryEntry])
	}
	panic("jsNew: unknown type")
}

func TestVisitJSONNull(t *testing.T) {
	t.Parallel()
	vi := customer.Visit{Purpose: "kept"}
	require.NoError(t, json.Unmarshal([]byte(` null `), &vi))
	require.Equal(t, "kept", vi.Purpose, "null leaves the visit as it was")
	c, err := customer.FromRecord(jsFullRecord(t))
	require.NoError(t, err)
	require.NoError(t, c.UnmarshalJSON([]byte("null")))
	require.Equal(t, jsFullRecord(t).Name, c.Name(), "null leaves the customer as it was")
}

func TestVisitJSONRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, doc, path string
	}{
		{"bad duration", `{"duration":"90 minutes"}`, "duration"},
		{"duration as a number", `{"duration":5400000000000}`, "duration"},
		{"unknown member", `{"length":"1h"}`, "length"},
		{"unknown kind", `{"kind":"social","method":"phone","status":"done"}`, "kind"},
		{"no method", `{"kind":"new","status":"done"}`, "method"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vi := customer.Visit{Purpose: "kept"}
			err := json.Unmarshal([]byte(tc.doc), &vi)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "%v", err)
			require.Equal(t, "kept", vi.Purpose)
		})
	}
}

func TestEventDataJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		data any
		want string
	}{
		{"created", customer.Created{Name: "Li Wei", Owner: "alice"}, `{"name":"Li Wei","owner":"alice"}`},
		{"stage", customer.StageChanged{From: customer.Unfamiliar, To: customer.Established}, `{"from":"unfamiliar","to":"established"}`},
		{"loyalty", customer.LoyaltyChanged{From: customer.Trust, To: customer.Transaction}, `{"from":"trust","to":"transaction"}`},
		{"lifecycle", customer.LifecycleChanged{From: customer.Active, To: customer.Churned}, `{"from":"active","to":"churned"}`},
		{"owner", customer.OwnerChanged{From: "alice", To: "bob"}, `{"from":"alice","to":"bob"}`},
		{"class", customer.ClassChanged{From: customer.GeneralContact, To: customer.Stable}, `{"from":"general_contact","to":"stable"}`},
		{"merged", customer.Merged{Survivor: entID(1), Loser: entID(2)},
			`{"survivor":"01900000-0000-7000-8000-000000000001","loser":"01900000-0000-7000-8000-000000000002"}`},
		{"erased", customer.Erased{Fields: []string{"name", "emails"}}, `{"fields":["name","emails"]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The outbox stores events in this form.
			out, err := storage.EncodeEvents([]crm.Event{{
				ID: entID(9), Type: "customer.test", Tenant: "acme", AggregateID: entID(1), At: jsAt, Data: tc.data,
			}})
			require.NoError(t, err)
			raw, ok := out[0].Data.(json.RawMessage)
			require.True(t, ok)
			require.Equal(t, tc.want, string(raw))
		})
	}
}

func FuzzCustomerUnmarshalJSON(f *testing.F) {
	c, err := customer.FromRecord(jsFullRecord(f))
	if err != nil {
		f.Fatal(err)
	}
	full, err := json.Marshal(c)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte(`{"v":1,"id":"01900000-0000-7000-8000-000000000003","tenant":"t","version":0,"kind":"person",` +
		`"name":"Bare","roles":["visitor"],"stage":"unfamiliar","loyalty":"awareness","lifecycle":"active",` +
		`"class":"general_contact","key_account":false,"owner":"bob","history_seq":0}`))
	f.Add([]byte(`{"v":1,"id":"01900000-0000-7000-8000-000000000003","tenant":"t","version":0,"kind":"person",` +
		`"name":"Empty lists","roles":["visitor"],"emails":[],"phones":[],"addresses":[],"tags":[],"dates":{},` +
		`"preferences":{},"attributes":{},"consents":{},"stage":"unfamiliar","loyalty":"awareness","lifecycle":"active",` +
		`"class":"general_contact","key_account":false,"owner":"bob","history_seq":0}`))
	f.Add([]byte(`{"v":1,"consents":{"EMAIL":{"granted":true}}}`))
	f.Add([]byte(`{"v":2}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"v":1,"dates":{"x":"--02-30"},"phones":["+1;region=CA"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d customer.Customer
		if err := d.UnmarshalJSON(data); err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		if d.ID().IsZero() {
			return // JSON null leaves the customer as it was
		}
		b1, err := json.Marshal(&d)
		require.NoError(t, err)
		var e customer.Customer
		require.NoError(t, json.Unmarshal(b1, &e))
		require.Equal(t, d.Record(), e.Record())
		b2, err := json.Marshal(&e)
		require.NoError(t, err)
		require.Equal(t, string(b1), string(b2))
	})
}

func BenchmarkCustomerJSON(b *testing.B) {
	c, err := customer.FromRecord(jsFullRecord(b))
	require.NoError(b, err)
	data, err := json.Marshal(c)
	require.NoError(b, err)
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d customer.Customer
			if err := d.UnmarshalJSON(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// jsDocExample returns the example document of the "JSON" section of the
// package doc in file.
func jsDocExample(t testing.TB, file string) []byte {
	t.Helper()
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(src), "// # JSON\n")
	require.True(t, ok, "no JSON section in %s", file)
	var doc strings.Builder
	for _, line := range strings.Split(after, "\n") {
		if code, ok := strings.CutPrefix(line, "//\t"); ok {
			doc.WriteString(code)
		} else if doc.Len() > 0 {
			break
		}
	}
	return []byte(doc.String())
}

func TestCustomerJSONDocExample(t *testing.T) {
	t.Parallel()
	var c customer.Customer
	require.NoError(t, json.Unmarshal(jsDocExample(t, "doc.go"), &c), "the documented example must decode")
	require.Equal(t, "Li Wei", c.Name())
	require.Equal(t, int64(3), c.Version())
	require.True(t, c.MayContact(customer.EmailChannel))
}

func FuzzVisitUnmarshalJSON(f *testing.F) {
	b, err := json.Marshal(customer.Visit{
		ID: entID(5), Tenant: "acme", CustomerID: entID(1), Salesperson: "alice", Kind: customer.ReturnVisit,
		Purpose: "Renewal", Method: customer.FaceToFace, PlannedAt: jsAt, Duration: 90 * time.Minute,
		Status: customer.VisitDone, Outcome: "Signed", DoneAt: jsAt.Add(2 * time.Hour), Version: 3,
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"kind":"new","method":"phone","status":"planned","duration":"-1ns","planned_at":"2025-01-01T00:00:00+08:00"}`))
	f.Add([]byte(`{"duration":"2562047h47m16.854775807s"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d customer.Visit
		if err := d.UnmarshalJSON(data); err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		b1, err := json.Marshal(d)
		require.NoError(t, err)
		var e customer.Visit
		require.NoError(t, json.Unmarshal(b1, &e))
		b2, err := json.Marshal(e)
		require.NoError(t, err)
		require.Equal(t, string(b1), string(b2))
		var g customer.Visit
		require.NoError(t, json.Unmarshal(b2, &g))
		require.Equal(t, e, g)
	})
}

func TestCustomerPageJSON(t *testing.T) {
	t.Parallel()
	a, err := customer.FromRecord(jsFullRecord(t))
	require.NoError(t, err)
	b := storagetest.NewCustomer(t, "acme", nil)
	page := crm.Page[*customer.Customer]{Items: []*customer.Customer{a, b}, Next: "cursor-1"}
	data, err := json.Marshal(page)
	require.NoError(t, err)
	var back crm.Page[*customer.Customer]
	require.NoError(t, crm.DecodeJSON(data, &back, "test"))
	require.Equal(t, "cursor-1", back.Next)
	require.Len(t, back.Items, 2)
	require.Equal(t, a.Record(), back.Items[0].Record())
	require.Equal(t, b.Record(), back.Items[1].Record())

	// A bad item refuses the whole page.
	bad := strings.Replace(string(data), `"stage":"growth"`, `"stage":"dating"`, 1)
	err = crm.DecodeJSON([]byte(bad), &back, "test")
	require.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("items[0].stage"), "%v", err)
}
