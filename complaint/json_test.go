package complaint_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/storagetest"
)

// The helpers of the JSON tests start with "js".

var jsAt = time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)

// jsFullRecord returns a stored complaint's record with every field set.
func jsFullRecord() complaint.Record {
	yes := true
	return complaint.Record{
		ID: idC, Tenant: tenantA, Version: 9, Customer: idCust, Channel: customer.CallCentre,
		Category: "window", Severity: complaint.High, Priority: complaint.P2,
		Asset:       complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}, {Kind: "unit", ID: "1502"}},
		Description: "Water leaks through the \"bedroom\" window <when> it rains.\n水漏了。", DesiredOutcome: "Fix the window",
		Attachments: []string{"s3://photos/leak1.jpg", "s3://photos/leak2.jpg"}, Group: idGroup,
		Owner: "agent-li", HandOvers: 2, Status: complaint.Closed, EscalationLevel: 1, Reopens: 1,
		ReopenWindow: 30 * 24 * time.Hour,
		Resolution: &complaint.Resolution{
			Remedy: complaint.Compensation, Compensation: crm.MustParseMoney("1250.50 CNY"), Summary: "Window resealed, rent credit",
			RootCause:  complaint.RootCause{Category: "installation", Text: "Seal missing"},
			Corrective: "Resealed", Preventive: "Checklist for installers",
		},
		Accepted: &yes, FollowUpAt: jsAt.Add(72 * time.Hour),
		FollowUp: &complaint.FollowUp{Reached: true, Note: "Happy", At: jsAt.Add(73 * time.Hour)},
		Survey:   &complaint.Survey{CSAT: 4, Comment: "Slow but fine", At: jsAt.Add(74 * time.Hour)},
		Repair: []complaint.RepairEntry{
			{Step: complaint.StepScheduled, Note: "Tuesday", Public: true, At: jsAt.Add(time.Hour), Actor: "agent-li"},
			{Step: complaint.StepFixed, At: jsAt.Add(2 * time.Hour), Actor: "tech-wu"},
		},
		Pauses:          []calendar.Interval{{Start: jsAt.Add(10 * time.Minute), End: jsAt.Add(20 * time.Minute)}},
		ReceivedAt:      jsAt,
		AcknowledgedAt:  jsAt.Add(5 * time.Minute),
		FirstResponseAt: jsAt.Add(30 * time.Minute),
		ResolvedAt:      jsAt.Add(48 * time.Hour),
		ClosedAt:        jsAt.Add(50 * time.Hour),
		AuditSeq:        17,
	}
}

// jsRoundTrip encodes c, decodes it, encodes it again, and checks that the
// bytes and the records agree; it returns the first encoding.
func jsRoundTrip(t *testing.T, c *complaint.Complaint) []byte {
	t.Helper()
	b1, err := json.Marshal(c)
	require.NoError(t, err)
	var d complaint.Complaint
	require.NoError(t, json.Unmarshal(b1, &d))
	require.Equal(t, c.Record(), d.Record())
	b2, err := json.Marshal(&d)
	require.NoError(t, err)
	require.Equal(t, string(b1), string(b2))
	return b1
}

func TestComplaintJSONRoundTrip(t *testing.T) {
	t.Parallel()
	full := jsFullRecord()
	waiting := full
	waiting.Status, waiting.WaitingFrom = complaint.WaitingOnCustomer, complaint.Investigating
	waiting.Pauses = append(waiting.Pauses, calendar.Interval{Start: jsAt.Add(time.Hour)})
	waiting.Resolution, waiting.Accepted, waiting.FollowUp, waiting.FollowUpAt, waiting.Survey = nil, nil, nil, time.Time{}, nil
	noMoney := full
	noMoney.Resolution = &complaint.Resolution{Remedy: complaint.Apology, Summary: "Sorry"}
	zeroMoney := full // a stored resolution is not held to the rules it met when set
	zeroMoney.Resolution = &complaint.Resolution{Remedy: complaint.Refund, Compensation: crm.MustParseMoney("0.00 EUR"), Summary: "Old"}
	cases := []struct {
		name string
		rec  complaint.Record
	}{
		{"every field set", full},
		{"waiting on the customer", waiting},
		{"resolution without compensation", noMoney},
		{"stored resolution paying zero", zeroMoney},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := complaint.FromRecord(tc.rec)
			require.NoError(t, err)
			jsRoundTrip(t, c)
		})
	}
	t.Run("new and changed", func(t *testing.T) {
		t.Parallel()
		c := newComplaint(t)
		require.NoError(t, c.Transition(complaint.Acknowledged, chg(5)))
		require.NoError(t, c.AddRepairStep(complaint.StepScheduled, "Tuesday", true, chg(6)))
		jsRoundTrip(t, c)
	})
	t.Run("conformance fixtures", func(t *testing.T) {
		t.Parallel()
		for _, st := range []complaint.Status{0, complaint.Investigating, complaint.Resolved, complaint.Closed,
			complaint.Rejected, complaint.Reopened, complaint.WaitingOnCustomer} {
			c := storagetest.NewComplaint(t, "tenant-a", &storagetest.ComplaintOptions{
				Status: st, Asset: complaint.Asset{{Kind: "product", ID: "X9"}}, Attachments: []string{"a.jpg"},
			})
			jsRoundTrip(t, c)
		}
	})
}

func TestComplaintJSONForm(t *testing.T) {
	t.Parallel()
	rec := jsFullRecord()
	rec.ReceivedAt = rec.ReceivedAt.In(time.FixedZone("CST", 8*3600))
	c, err := complaint.FromRecord(rec)
	require.NoError(t, err)
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	require.InDelta(t, 1.0, m["v"], 0)
	require.InDelta(t, 9.0, m["version"], 0)
	require.Equal(t, "2026-03-02T09:00:00.123456789Z", m["received_at"], "times are written in UTC")
	require.Equal(t, "call_centre", m["channel"])
	require.Equal(t, "closed", m["status"])
	require.Equal(t, "720h0m0s", m["reopen_window"])
	require.Equal(t, []any{map[string]any{"kind": "project", "id": "P1"}, map[string]any{"kind": "building", "id": "B3"},
		map[string]any{"kind": "unit", "id": "1502"}}, m["asset"])
	res := m["resolution"].(map[string]any)
	require.Equal(t, map[string]any{"amount": "1250.50", "currency": "CNY"}, res["compensation"])
	require.Equal(t, "compensation", res["remedy"])
	require.Equal(t, map[string]any{"category": "installation", "text": "Seal missing"}, res["root_cause"])
	require.Equal(t, map[string]any{"step": "fixed", "public": false, "at": "2026-03-02T11:00:00.123456789Z", "actor": "tech-wu"},
		m["repair"].([]any)[1])
	require.Equal(t, map[string]any{"csat": 4.0, "comment": "Slow but fine", "at": "2026-03-05T11:00:00.123456789Z"}, m["survey"])
	require.NotContains(t, m, "waiting_from")
	require.NotContains(t, m, "rejected_at")
}

// jsDoc returns the JSON form of the full record as a generic map.
func jsDoc(t testing.TB) map[string]any {
	t.Helper()
	c, err := complaint.FromRecord(jsFullRecord())
	require.NoError(t, err)
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestComplaintJSONRefusals(t *testing.T) {
	t.Parallel()
	sub := func(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		raw   string
		paths []string
	}{
		{name: "unknown member", edit: func(m map[string]any) { m["sla"] = 1 }, paths: []string{"sla"}},
		{name: "unknown nested member", edit: func(m map[string]any) { sub(m, "survey")["stars"] = 5 }, paths: []string{"stars"}}, // encoding/json names no parent of an unknown member,
		{name: "wrong type", edit: func(m map[string]any) { m["reopens"] = "1" }, paths: []string{"reopens"}},
		{name: "missing version of the form", edit: func(m map[string]any) { delete(m, "v") }, paths: []string{"v"}},
		{name: "unknown enums", edit: func(m map[string]any) { m["status"] = "lost"; m["severity"] = "epic"; m["channel"] = "pigeon" },
			paths: []string{"status", "severity", "channel"}},
		{name: "unknown remedy", edit: func(m map[string]any) { sub(m, "resolution")["remedy"] = "bribe" }, paths: []string{"resolution.remedy"}},
		{name: "unknown repair step", edit: func(m map[string]any) { m["repair"].([]any)[1].(map[string]any)["step"] = "prayed" },
			paths: []string{"repair[1].step"}},
		{name: "bad money", edit: func(m map[string]any) {
			sub(m, "resolution")["compensation"] = map[string]any{"amount": "1", "currency": "ZZZ"}
		},
			paths: []string{"resolution.compensation.currency"}},
		{name: "bad reopen window", edit: func(m map[string]any) { m["reopen_window"] = "a month" }, paths: []string{"reopen_window"}},
		{name: "non-positive reopen window", edit: func(m map[string]any) { m["reopen_window"] = "0s" }, paths: []string{"reopen_window"}},
		{name: "waiting without an open pause", edit: func(m map[string]any) { m["status"] = "waiting_on_customer"; m["waiting_from"] = "investigating" },
			paths: []string{"pauses"}},
		{name: "waiting_from while not waiting", edit: func(m map[string]any) { m["waiting_from"] = "investigating" }, paths: []string{"waiting_from"}},
		{name: "survey out of range", edit: func(m map[string]any) { sub(m, "survey")["csat"] = 6 }, paths: []string{"survey.csat"}},
		{name: "no receipt time", edit: func(m map[string]any) { delete(m, "received_at") }, paths: []string{"received_at"}},
		{name: "description too long", edit: func(m map[string]any) { m["description"] = strings.Repeat("x", complaint.MaxDescriptionLen+1) },
			paths: []string{"description"}},
		{name: "NUL in an attachment", edit: func(m map[string]any) { m["attachments"] = []any{"a\x00b"} }, paths: []string{"attachments"}},
		{name: "empty asset level", edit: func(m map[string]any) { m["asset"] = []any{map[string]any{"kind": "", "id": ""}} },
			paths: []string{"asset[0].kind"}},
		{name: "zero ids", edit: func(m map[string]any) { delete(m, "id"); delete(m, "customer") }, paths: []string{"id", "customer"}},
		{name: "trailing data", raw: `{"v":1}{}`, paths: []string{""}},
		{name: "a string", raw: `"complaint"`, paths: []string{""}},
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
			c, err := complaint.FromRecord(jsFullRecord())
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

// jsRisk returns a stored risk with notes, its times off UTC.
func jsRisk(t testing.TB) *complaint.Risk {
	t.Helper()
	h := complaint.Hotspot{
		Rule: "leak-trend", Kind: complaint.RuleTrend, Asset: complaint.Asset{{Kind: "project", ID: "P1"}},
		Category: "leak", Count: 7, Baseline: 2.3333333333333335, From: jsAt.Add(-7 * 24 * time.Hour), To: jsAt,
		Evidence: []crm.ID{idC, idCust},
	}
	r, err := complaint.RiskFromRecord(complaint.RiskRecord{
		ID: idGroup, Tenant: tenantA, Version: 3, Hotspot: h, Owner: "risk-lead", Status: complaint.RiskMitigating,
		Notes:     []complaint.RiskNote{{At: jsAt.Add(time.Hour), Actor: "risk-lead", Text: "Supplier called"}},
		CreatedAt: jsAt, UpdatedAt: jsAt.Add(time.Hour),
	})
	require.NoError(t, err)
	return r
}

func TestRiskJSON(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]*complaint.Risk{
		"trend with notes":    jsRisk(t),
		"conformance fixture": storagetest.NewRisk(t, "tenant-a", nil),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b1, err := json.Marshal(r)
			require.NoError(t, err)
			var d complaint.Risk
			require.NoError(t, json.Unmarshal(b1, &d))
			require.Equal(t, r.Record(), d.Record())
			b2, err := json.Marshal(&d)
			require.NoError(t, err)
			require.Equal(t, string(b1), string(b2))
		})
	}
	t.Run("form", func(t *testing.T) {
		t.Parallel()
		b, err := json.Marshal(jsRisk(t))
		require.NoError(t, err)
		require.JSONEq(t, `{"v":1,"id":"01890000-0000-7000-8000-000000000003","tenant":"acme","version":3,`+
			`"hotspot":{"rule":"leak-trend","kind":"trend","asset":[{"kind":"project","id":"P1"}],"category":"leak",`+
			`"count":7,"baseline":2.3333333333333335,"from":"2026-02-23T09:00:00.123456789Z","to":"2026-03-02T09:00:00.123456789Z",`+
			`"evidence":["01890000-0000-7000-8000-000000000001","01890000-0000-7000-8000-000000000002"]},`+
			`"owner":"risk-lead","status":"mitigating",`+
			`"notes":[{"at":"2026-03-02T10:00:00.123456789Z","actor":"risk-lead","text":"Supplier called"}],`+
			`"created_at":"2026-03-02T09:00:00.123456789Z","updated_at":"2026-03-02T10:00:00.123456789Z"}`, string(b))
	})
	t.Run("refusals", func(t *testing.T) {
		t.Parallel()
		cases := []struct{ name, from, to, path string }{
			{"unknown kind", `"kind":"trend"`, `"kind":"wave"`, "hotspot.kind"},
			{"unknown status", `"status":"mitigating"`, `"status":"ignored"`, "status"},
			{"no evidence", `"evidence":["01890000-0000-7000-8000-000000000001","01890000-0000-7000-8000-000000000002"]`, `"evidence":[]`, "hotspot.evidence"},
			{"later version", `"v":1`, `"v":2`, "v"},
			{"unknown member", `"owner":`, `"x":1,"owner":`, "x"},
			{"updated before created", `"updated_at":"2026-03-02T10`, `"updated_at":"2026-03-02T08`, "updated_at"},
		}
		b, err := json.Marshal(jsRisk(t))
		require.NoError(t, err)
		for _, tc := range cases {
			doc := strings.Replace(string(b), tc.from, tc.to, 1)
			require.NotEqual(t, string(b), doc, tc.name)
			r := jsRisk(t)
			err := r.UnmarshalJSON([]byte(doc))
			require.ErrorIs(t, err, crm.ErrInvalid, tc.name)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "%s: %v", tc.name, err)
			require.Equal(t, jsRisk(t).Record(), r.Record(), tc.name)
		}
	})
}

func TestComplaintValueJSONForms(t *testing.T) {
	t.Parallel()
	open := true
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"audit entry", complaint.AuditEntry{ComplaintID: idC, Seq: 3, Kind: complaint.AuditStatus, From: "received", To: "acknowledged",
			At: jsAt.In(time.FixedZone("X", 3600)), Actor: "agent-li", Reason: "called back"},
			`{"complaint_id":"01890000-0000-7000-8000-000000000001","seq":3,"kind":"status","from":"received","to":"acknowledged",` +
				`"at":"2026-03-02T09:00:00.123456789Z","actor":"agent-li","reason":"called back"}`},
		{"query", complaint.Query{Customer: idCust, Owner: "agent-li", Statuses: []complaint.Status{complaint.Received, complaint.Reopened},
			Open: &open, Categories: []string{"leak"}, Channel: customer.Web, MinSeverity: complaint.High, Group: idGroup,
			Asset: complaint.Asset{{Kind: "project", ID: "P1"}}, ReceivedFrom: jsAt, ReceivedTo: jsAt.Add(time.Hour), SettledFrom: jsAt},
			`{"customer":"01890000-0000-7000-8000-000000000002","owner":"agent-li","statuses":["received","reopened"],"open":true,` +
				`"categories":["leak"],"channel":"web","min_severity":"high","group":"01890000-0000-7000-8000-000000000003",` +
				`"asset":[{"kind":"project","id":"P1"}],"received_from":"2026-03-02T09:00:00.123456789Z",` +
				`"received_to":"2026-03-02T10:00:00.123456789Z","settled_from":"2026-03-02T09:00:00.123456789Z"}`},
		{"empty query", complaint.Query{}, `{}`},
		{"risk query", complaint.RiskQuery{Statuses: []complaint.MitigationStatus{complaint.RiskOpen}, Active: &open, Owner: "x", Key: "k"},
			`{"statuses":["open"],"active":true,"owner":"x","key":"k"}`},
		{"resolution", complaint.Resolution{Remedy: complaint.Refund, Compensation: crm.MustParseMoney("10.00 EUR"), Summary: "Refunded"},
			`{"remedy":"refund","compensation":{"amount":"10.00","currency":"EUR"},"summary":"Refunded"}`},
		{"page of audit entries", crm.Page[complaint.AuditEntry]{Items: []complaint.AuditEntry{}}, `{"items":[]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tc.v)
			require.NoError(t, err)
			require.JSONEq(t, tc.want, string(b))
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
	case complaint.AuditEntry:
		return new(complaint.AuditEntry)
	case complaint.Query:
		return new(complaint.Query)
	case complaint.RiskQuery:
		return new(complaint.RiskQuery)
	case complaint.Resolution:
		return new(complaint.Resolution)
	case crm.Page[complaint.AuditEntry]:
		return new(crm.Page[complaint.AuditEntry])
	}
	panic("jsNew: unknown type")
}

func TestComplaintEventDataJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		data any
		want string
	}{
		{"created", complaint.Created{Customer: idCust, Category: "leak", Owner: "agent-li"},
			`{"customer":"01890000-0000-7000-8000-000000000002","category":"leak","owner":"agent-li"}`},
		{"status", complaint.StatusChanged{From: complaint.Received, To: complaint.Acknowledged}, `{"from":"received","to":"acknowledged"}`},
		{"escalated", complaint.Escalated{From: 0, To: 1}, `{"from":0,"to":1}`},
		{"handed over", complaint.HandedOver{From: "a", To: "b"}, `{"from":"a","to":"b"}`},
		{"resolution", complaint.ResolutionSet{Remedy: complaint.Apology}, `{"remedy":"apology"}`},
		{"acceptance", complaint.AcceptanceRecorded{Accepted: false}, `{"accepted":false}`},
		{"follow-up scheduled", complaint.FollowUpScheduled{At: jsAt}, `{"at":"2026-03-02T09:00:00.123456789Z"}`},
		{"survey", complaint.SurveyRecorded{CSAT: 5}, `{"csat":5}`},
		{"repair step", complaint.RepairStepAdded{Step: complaint.StepOnSite, Public: true}, `{"step":"on_site","public":true}`},
		{"grouped", complaint.Grouped{Group: idGroup}, `{"group":"01890000-0000-7000-8000-000000000003"}`},
		{"follow-up done", complaint.FollowUpDone{Reached: true}, `{"reached":true}`},
		{"risk raised", complaint.RiskRaised{Key: "k", Rule: "r", Count: 3, Owner: "o", Evidence: []crm.ID{idC}},
			`{"key":"k","rule":"r","count":3,"owner":"o","evidence":["01890000-0000-7000-8000-000000000001"]}`},
		{"risk moved", complaint.RiskMoved{From: complaint.RiskOpen, To: complaint.RiskAccepted}, `{"from":"open","to":"accepted"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := storage.EncodeEvents([]crm.Event{{
				ID: idGroup, Type: "complaint.test", Tenant: tenantA, AggregateID: idC, At: jsAt, Data: tc.data,
			}})
			require.NoError(t, err)
			raw, ok := out[0].Data.(json.RawMessage)
			require.True(t, ok)
			require.Equal(t, tc.want, string(raw))
		})
	}
}

func FuzzComplaintUnmarshalJSON(f *testing.F) {
	c, err := complaint.FromRecord(jsFullRecord())
	if err != nil {
		f.Fatal(err)
	}
	full, err := json.Marshal(c)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte(`{"v":1,"status":"waiting_on_customer","waiting_from":"investigating","pauses":[{"start":"2026-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"v":1,"resolution":{"remedy":"refund","compensation":{"amount":"-1","currency":"EUR"}}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d complaint.Complaint
		if err := d.UnmarshalJSON(data); err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		if d.ID().IsZero() {
			return // JSON null leaves the complaint as it was
		}
		b1, err := json.Marshal(&d)
		require.NoError(t, err)
		var e complaint.Complaint
		require.NoError(t, json.Unmarshal(b1, &e))
		require.Equal(t, d.Record(), e.Record())
		b2, err := json.Marshal(&e)
		require.NoError(t, err)
		require.Equal(t, string(b1), string(b2))
	})
}

func FuzzRiskUnmarshalJSON(f *testing.F) {
	b, err := json.Marshal(jsRisk(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"v":1,"hotspot":{"kind":"cluster","baseline":1e400}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d complaint.Risk
		if err := d.UnmarshalJSON(data); err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		if d.ID().IsZero() {
			return
		}
		b1, err := json.Marshal(&d)
		require.NoError(t, err)
		var e complaint.Risk
		require.NoError(t, json.Unmarshal(b1, &e))
		require.Equal(t, d.Record(), e.Record())
		b2, err := json.Marshal(&e)
		require.NoError(t, err)
		require.Equal(t, string(b1), string(b2))
	})
}

func TestComplaintJSONDocExample(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(src), "// # JSON\n")
	require.True(t, ok, "no JSON section in doc.go")
	var doc strings.Builder
	for _, line := range strings.Split(after, "\n") {
		if code, ok := strings.CutPrefix(line, "//\t"); ok {
			doc.WriteString(code)
		} else if doc.Len() > 0 {
			break
		}
	}
	var c complaint.Complaint
	require.NoError(t, json.Unmarshal([]byte(doc.String()), &c), "the documented example must decode")
	require.Equal(t, complaint.Closed, c.Status())
	res, ok := c.Resolution()
	require.True(t, ok)
	require.Equal(t, "200.00 CNY", res.Compensation.String())
}

func BenchmarkComplaintJSON(b *testing.B) {
	c, err := complaint.FromRecord(jsFullRecord())
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
			var d complaint.Complaint
			if err := d.UnmarshalJSON(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
