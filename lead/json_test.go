package lead_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

// The helpers of the JSON tests start with "js".

// jsLead returns a qualified lead with every optional field set: an
// owner, a key prospect mark, a score with reasons, touches, consents in
// two channels and the times each stage was reached.
func jsLead(t testing.TB) *lead.Lead {
	t.Helper()
	l, m := atStage(t, lead.StageQualified)
	require.NoError(t, l.Assign("agent-zhou", chg(m+1)))
	require.NoError(t, l.SetKeyProspect(true, chg(m+2)))
	r := l.Record()
	r.Team = "east"
	r.Consents[customer.PhoneCall] = customer.Consent{At: t0.Add(time.Minute), Source: "call \"script\" <b>"}
	r.Score = &lead.Score{Model: lead.ModelRules, Fit: 40, Engagement: 22.5, Total: 62.5, Grade: "B",
		Reasons: []lead.ScoreReason{{Rule: "industry", Count: 1, Points: 40}, {Rule: "visits", Engagement: true, Count: 3, Points: 22.5}},
		At:      t0.Add(time.Hour)}
	r.Touches = []lead.Touch{{At: t0.Add(30 * time.Minute), Channel: customer.EmailChannel,
		Source: lead.Source{Kind: lead.SourceCampaign, Campaign: idCamp}}}
	out, err := lead.FromRecord(r)
	require.NoError(t, err)
	return out
}

// jsRoundTrip encodes l, decodes it, encodes it again, and checks that the
// bytes and the records agree; it returns the first encoding.
func jsRoundTrip(t *testing.T, l *lead.Lead) []byte {
	t.Helper()
	b1, err := json.Marshal(l)
	require.NoError(t, err)
	var d lead.Lead
	require.NoError(t, json.Unmarshal(b1, &d))
	require.Equal(t, l.Record(), d.Record())
	b2, err := json.Marshal(&d)
	require.NoError(t, err)
	require.Equal(t, string(b1), string(b2))
	return b1
}

func TestLeadJSONRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		l    func(t testing.TB) *lead.Lead
	}{
		{"new", newLead},
		{"every field set", jsLead},
		{"converted", func(t testing.TB) *lead.Lead { l, _ := atStage(t, lead.StageConverted); return l }},
		{"disqualified", func(t testing.TB) *lead.Lead { l, _ := atStage(t, lead.StageDisqualified); return l }},
		{"phone only, nothing optional", func(t testing.TB) *lead.Lead {
			l, err := lead.New(lead.NewInput{ID: idL, Tenant: tenantA, Phones: []string{"+86 138 0013 8000"},
				Channel: customer.PhoneCall, Source: lead.Source{Kind: lead.SourcePhone}}, chg(0))
			require.NoError(t, err)
			return l
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			jsRoundTrip(t, tc.l(t))
		})
	}
}

func TestLeadJSONForm(t *testing.T) {
	t.Parallel()
	r := jsLead(t).Record()
	r.CapturedAt = r.CapturedAt.In(time.FixedZone("CST", 8*3600))
	l, err := lead.FromRecord(r)
	require.NoError(t, err)
	b, err := json.Marshal(l)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	require.InDelta(t, 1.0, m["v"], 0)
	require.Equal(t, "2026-03-02T09:00:00Z", m["captured_at"], "times are written in UTC")
	require.Equal(t, "qualified", m["stage"])
	require.Equal(t, "person", m["kind"])
	require.Equal(t, "web", m["channel"])
	require.Equal(t, map[string]any{"new": "2026-03-02T09:00:00Z", "contacted": "2026-03-02T09:01:00Z",
		"qualified": "2026-03-02T09:02:00Z"}, m["reached"])
	require.Equal(t, map[string]any{"granted": true, "source": "web form checkbox", "at": "2026-03-02T09:00:00Z"},
		m["consents"].(map[string]any)["email"])
	require.Contains(t, m["consents"], "phone")
	require.Equal(t, map[string]any{"kind": "web_form", "detail": "contact form", "campaign": idCamp.String()}, m["source"])
	c0 := m["contacts"].([]any)[0].(map[string]any)
	require.Equal(t, "email", c0["kind"])
	require.Equal(t, "wang.fang@sunrise.example", c0["email"])
	require.Equal(t, "B", m["score"].(map[string]any)["grade"])
	require.Equal(t, "campaign", m["touches"].([]any)[0].(map[string]any)["source"].(map[string]any)["kind"])
	require.NotContains(t, m, "customer", "what the lead lacks is left out")
	require.NotContains(t, m, "closed_at")

	var back lead.Lead
	require.NoError(t, json.Unmarshal(b, &back))
	require.True(t, r.CapturedAt.Equal(back.CapturedAt()))
}

// jsLeadDoc returns the JSON form of the full lead as a generic map, for
// tests to break.
func jsLeadDoc(t testing.TB) map[string]any {
	t.Helper()
	b, err := json.Marshal(jsLead(t))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// jsRefuse checks that data is refused with every path and leaves the
// value behind unmarshal unchanged.
func jsRefuse(t *testing.T, unmarshal func([]byte) error, record func() any, data []byte, paths []string) {
	t.Helper()
	before := record()
	err := unmarshal(data)
	require.Error(t, err)
	require.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.True(t, errors.As(err, &ve), "%T: %v", err, err)
	for _, p := range paths {
		require.Contains(t, err.Error(), p)
	}
	require.Equal(t, before, record(), "a refused document leaves the value unchanged")
}

func TestLeadJSONRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		raw   string
		paths []string
	}{
		{name: "unknown member", edit: func(m map[string]any) { m["nickname"] = "x" }, paths: []string{"nickname"}},
		{name: "member spelt in Go", edit: func(m map[string]any) { m["Stage"] = m["stage"]; delete(m, "stage") }, paths: []string{"Stage"}},
		{name: "wrong type", edit: func(m map[string]any) { m["company_size"] = "250" }, paths: []string{"company_size"}},
		{name: "missing version of the form", edit: func(m map[string]any) { delete(m, "v") }, paths: []string{"v"}},
		{name: "later version of the form", edit: func(m map[string]any) { m["v"] = 2 }, paths: []string{"v"}},
		{name: "unknown enums", edit: func(m map[string]any) { m["stage"] = "hot"; m["kind"] = ""; m["channel"] = "pigeon" }, paths: []string{"stage", "kind", "channel"}},
		{name: "unknown consent channel", edit: func(m map[string]any) { m["consents"] = map[string]any{"pigeon": map[string]any{"granted": true}} }, paths: []string{"consents.pigeon"}},
		{name: "consent channel spelt twice", edit: func(m map[string]any) {
			m["consents"] = map[string]any{"email": map[string]any{"granted": true}, "EMAIL": map[string]any{}}
		}, paths: []string{"consents.EMAIL"}},
		{name: "unknown reached stage", edit: func(m map[string]any) { m["reached"].(map[string]any)["won"] = "2026-03-02T09:00:00Z" }, paths: []string{"reached.won"}},
		{name: "huge map key", edit: func(m map[string]any) {
			m["reached"] = map[string]any{strings.Repeat("k", 1<<16): "2026-03-02T09:00:00Z"}
		}, paths: []string{"reached.kkkk"}},
		{name: "stage never reached", edit: func(m map[string]any) { delete(m, "reached") }, paths: []string{"reached"}},
		{name: "no contact point", edit: func(m map[string]any) { delete(m, "contacts") }, paths: []string{"contacts"}},
		{name: "no tenant", edit: func(m map[string]any) { m["tenant"] = "" }, paths: []string{"tenant"}},
		{name: "NUL in the name", edit: func(m map[string]any) { m["name"] = "a\x00b" }, paths: []string{"name"}},
		{name: "unknown nested enums", edit: func(m map[string]any) {
			m["contacts"].([]any)[1].(map[string]any)["kind"] = "fax"
			m["touches"].([]any)[0].(map[string]any)["channel"] = "pigeon"
		}, paths: []string{"contacts[1]", "fax", "touches[0]", "pigeon"}},
		{name: "bad source", edit: func(m map[string]any) { m["source"].(map[string]any)["kind"] = "rumour" }, paths: []string{"source", "rumour"}},
		{name: "unknown member in the score", edit: func(m map[string]any) { m["score"].(map[string]any)["Total"] = 1 }, paths: []string{"score", "Total"}},
		{name: "trailing data", raw: `{"v":1} {}`},
		{name: "not an object", raw: `"lead"`},
		{name: "truncated", raw: `{"v":1,"id":`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := []byte(tc.raw)
			if tc.raw == "" {
				m := jsLeadDoc(t)
				tc.edit(m)
				var err error
				data, err = json.Marshal(m)
				require.NoError(t, err)
			}
			l := newLead(t)
			jsRefuse(t, l.UnmarshalJSON, func() any { return l.Record() }, data, tc.paths)
		})
	}
}

func TestLeadJSONNullAndZero(t *testing.T) {
	t.Parallel()
	l := newLead(t)
	before := l.Record()
	require.NoError(t, json.Unmarshal([]byte("null"), l))
	require.Equal(t, before, l.Record())
	_, err := json.Marshal(&lead.Lead{})
	require.ErrorIs(t, err, crm.ErrInvalid, "a zero lead has no form")
	_, err = json.Marshal(&lead.Campaign{})
	require.ErrorIs(t, err, crm.ErrInvalid, "a zero campaign has no form")
}

// jsCampaign returns a campaign with members, one of whom responded.
func jsCampaign(t testing.TB) *lead.Campaign {
	t.Helper()
	c := newCampaign(t, idCamp, "12000.50")
	require.NoError(t, c.AddMember(lead.MatchLead, idL, chg(1)))
	require.NoError(t, c.AddMember(lead.MatchCustomer, idCust, chg(2)))
	require.NoError(t, c.RecordResponse(idL, "asked for a demo", chg(3)))
	return c
}

// jsCanon writes the amounts of r with the currency's minor units: Money
// keeps the exponent it was parsed with ("50000" or "50000.00"), the same
// amount that reflect tells apart, and the JSON form always writes the
// minor units.
func jsCanon(r lead.CampaignRecord) lead.CampaignRecord {
	for _, m := range []*crm.Money{&r.Budget, &r.Cost} {
		if !m.Currency().IsZero() {
			*m = crm.MustParseMoney(m.String())
		}
	}
	return r
}

func TestCampaignJSON(t *testing.T) {
	t.Parallel()
	c := jsCampaign(t)
	b1, err := json.Marshal(c)
	require.NoError(t, err)
	var d lead.Campaign
	require.NoError(t, json.Unmarshal(b1, &d))
	require.Equal(t, jsCanon(c.Record()), jsCanon(d.Record()))
	b2, err := json.Marshal(&d)
	require.NoError(t, err)
	require.Equal(t, string(b1), string(b2))

	var m map[string]any
	require.NoError(t, json.Unmarshal(b1, &m))
	require.Equal(t, "trade_show", m["channel"])
	require.Equal(t, map[string]any{"amount": "12000.50", "currency": "CNY"}, m["cost"])
	require.Equal(t, "hotels", m["segment"].(map[string]any)["name"])
	require.Equal(t, "asked for a demo", m["members"].([]any)[0].(map[string]any)["response"])

	bare, err := lead.NewCampaign(lead.CampaignInput{ID: nthID(1), Tenant: tenantA, Name: "x", Channel: lead.CampaignEmail,
		Start: t0, Budget: cny("10")}, chg(0))
	require.NoError(t, err)
	b, err := json.Marshal(bare)
	require.NoError(t, err)
	require.NotContains(t, string(b), `"segment"`)
	require.NotContains(t, string(b), `"members"`)
	require.NoError(t, json.Unmarshal(b, &d))
	require.Equal(t, jsCanon(bare.Record()), jsCanon(d.Record()))

	cases := []struct {
		name  string
		edit  func(m map[string]any)
		paths []string
	}{
		{"unknown member", func(m map[string]any) { m["owner"] = "x" }, []string{"owner"}},
		{"unknown channel", func(m map[string]any) { m["channel"] = "pigeon" }, []string{"channel"}},
		{"later version", func(m map[string]any) { m["v"] = 9 }, []string{"v"}},
		{"unknown member kind", func(m map[string]any) { m["members"].([]any)[1].(map[string]any)["kind"] = "dog" }, []string{"members[1]", "dog"}},
		{"cost in another currency", func(m map[string]any) { m["cost"] = map[string]any{"amount": "1", "currency": "EUR"} }, []string{"cost"}},
		{"member twice", func(m map[string]any) {
			ms := m["members"].([]any)
			m["members"] = append(ms, ms[0])
		}, []string{"members[2].party"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var m map[string]any
			require.NoError(t, json.Unmarshal(b1, &m))
			tc.edit(m)
			data, err := json.Marshal(m)
			require.NoError(t, err)
			c := jsCampaign(t)
			jsRefuse(t, c.UnmarshalJSON, func() any { return c.Record() }, data, tc.paths)
		})
	}
}

func FuzzLeadUnmarshalJSON(f *testing.F) {
	b, err := json.Marshal(jsLead(f))
	require.NoError(f, err)
	f.Add(string(b))
	f.Add(`null`)
	f.Add(`{"v":1,"reached":{"new":"0001-01-01T00:00:00Z"}}`)
	f.Fuzz(func(t *testing.T, s string) {
		var l lead.Lead
		if err := json.Unmarshal([]byte(s), &l); err != nil || l.ID().IsZero() {
			return
		}
		b1, err := json.Marshal(&l)
		require.NoError(t, err)
		var d lead.Lead
		require.NoError(t, json.Unmarshal(b1, &d))
		require.Equal(t, l.Record(), d.Record())
		b2, err := json.Marshal(&d)
		require.NoError(t, err)
		require.Equal(t, string(b1), string(b2))
	})
}

func FuzzCampaignUnmarshalJSON(f *testing.F) {
	b, err := json.Marshal(jsCampaign(f))
	require.NoError(f, err)
	f.Add(string(b))
	f.Add(`null`)
	f.Add(`{"v":1,"members":[]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var c lead.Campaign
		if err := json.Unmarshal([]byte(s), &c); err != nil || c.ID().IsZero() {
			return
		}
		b1, err := json.Marshal(&c)
		require.NoError(t, err)
		var d lead.Campaign
		require.NoError(t, json.Unmarshal(b1, &d))
		require.Equal(t, jsCanon(c.Record()), jsCanon(d.Record()))
		b2, err := json.Marshal(&d)
		require.NoError(t, err)
		require.Equal(t, string(b1), string(b2))
	})
}

// jsDocExamples returns the JSON documents of the "# JSON" section of
// file, in order.
func jsDocExamples(t testing.TB, file string) [][]byte {
	t.Helper()
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(src), "// # JSON\n")
	require.True(t, ok, "no JSON section in %s", file)
	after, _, _ = strings.Cut(after, "\n// # ")
	var docs [][]byte
	var doc strings.Builder
	for _, line := range strings.Split(after, "\n") {
		if code, ok := strings.CutPrefix(line, "//\t"); ok {
			doc.WriteString(code)
		} else if doc.Len() > 0 {
			docs = append(docs, []byte(doc.String()))
			doc.Reset()
		}
	}
	return docs
}

func TestLeadJSONDocExamples(t *testing.T) {
	t.Parallel()
	docs := jsDocExamples(t, "doc.go")
	require.Len(t, docs, 2)
	var l lead.Lead
	require.NoError(t, json.Unmarshal(docs[0], &l), "the documented lead must decode")
	require.Equal(t, "Wang Fang", l.Name())
	require.Equal(t, int64(2), l.Version())
	require.Equal(t, lead.StageContacted, l.Stage())
	var c lead.Campaign
	require.NoError(t, json.Unmarshal(docs[1], &c), "the documented campaign must decode")
	require.Equal(t, "Spring fair", c.Name())
	require.Len(t, c.Members(), 1)
}

// jsKeys collects every object member name in a decoded JSON value.
func jsKeys(v any, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			into[k] = true
			jsKeys(e, into)
		}
	case []any:
		for _, e := range x {
			jsKeys(e, into)
		}
	}
}

func TestLeadEventDataJSON(t *testing.T) {
	t.Parallel()
	l := newLead(t)
	p := lead.DefaultProcess("")
	require.NoError(t, l.Assign("agent-zhou", chg(1)))
	require.NoError(t, l.Move(&p, lead.StageContacted, chg(2)))
	require.NoError(t, l.LinkCustomer(idCust, chg(3)))
	seen := map[string]bool{}
	for _, e := range l.Events() {
		b, err := json.Marshal(e.Data)
		require.NoError(t, err, e.Type)
		var v any
		require.NoError(t, json.Unmarshal(b, &v))
		keys := map[string]bool{}
		jsKeys(v, keys)
		for k := range keys {
			require.Equal(t, strings.ToLower(k), k, "%s: member %q is not snake_case", e.Type, k)
		}
		seen[e.Type] = true
	}
	for _, typ := range []string{lead.EventCaptured, lead.EventAssigned, lead.EventStageChanged, lead.EventLinked} {
		require.True(t, seen[typ], "no %s event checked", typ)
	}
}
