package opportunity_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/opportunity"
)

// The helpers of the JSON tests start with "js".

// jsOpen returns an open opportunity with every optional field set:
// contacts, lines with an approved discount, an override, a category set
// by hand, a close date, a next step and a competitor with an offer.
func jsOpen(t testing.TB) *opportunity.Opportunity {
	t.Helper()
	p := testPipeline(t)
	in := newInput()
	in.Source.Channel = customer.Web
	o, err := opportunity.New(in, p, chAt(0, ""))
	require.NoError(t, err)
	readyForNegotiation(t, o)
	l1, err := opportunity.NewLine(opportunity.LineInput{Code: "AC-200", Description: "Split unit, 2.5 kW",
		Quantity: dec("200"), UnitPrice: money("2450.00 CNY"), Discount: dec("0.15"), ApprovalThreshold: dec("0.1")})
	require.NoError(t, err)
	l2, err := opportunity.NewLine(opportunity.LineInput{Code: "INSTALL", Quantity: dec("12.5"), UnitPrice: money("380.00 CNY")})
	require.NoError(t, err)
	require.NoError(t, o.SetLines([]opportunity.Line{l1, l2}, chAt(2*time.Hour, "")))
	require.NoError(t, o.ApproveDiscount("AC-200", dec("0.15"), chAt(3*time.Hour, "strategic account")))
	require.NoError(t, o.MoveStage(p, "needs", chAt(4*time.Hour, "")))
	require.NoError(t, o.MoveStage(p, "proposal", chAt(5*time.Hour, "")))
	require.NoError(t, o.OverrideProbability(0.65, chAt(6*time.Hour, "verbal yes")))
	require.NoError(t, o.SetForecastCategory(opportunity.CategoryCommit, chAt(6*time.Hour, "")))
	require.NoError(t, o.SetNextStep(opportunity.NextStep{Text: "Send \"final\" <quote>", Due: date(2026, 3, 20)}, chAt(7*time.Hour, "")))
	require.NoError(t, o.SetCompetitor(opportunity.Competitor{Name: "Gree", Offer: money("430000.00 CNY"),
		Strengths: "price", Weaknesses: "service", Status: opportunity.CompetitorActive}, chAt(8*time.Hour, "")))
	return o
}

// jsCanon gives every zero decimal (and a zero amount) of r one representation: a zero
// decimal.Decimal may hold its big.Int's digits as nil or as an empty
// slice, the same number that reflect tells apart.
func jsCanon(r opportunity.Record) opportunity.Record {
	z := func(d *decimal.Decimal) {
		if d.IsZero() {
			*d = decimal.New(0, d.Exponent())
		}
	}
	for i := range r.Lines {
		z(&r.Lines[i].Quantity)
		z(&r.Lines[i].Discount)
		for j := range r.Lines[i].Adjustments {
			z(&r.Lines[i].Adjustments[j].Percent)
		}
	}
	for i := range r.Approvals {
		z(&r.Approvals[i].UpTo)
	}
	if r.Amount.IsZero() {
		r.Amount = crm.Zero(r.Currency)
	}
	return r
}

// jsRoundTrip encodes o, decodes it, encodes it again, and checks that the
// bytes and the records agree; it returns the first encoding.
func jsRoundTrip(t *testing.T, o *opportunity.Opportunity) []byte {
	t.Helper()
	b1, err := json.Marshal(o)
	require.NoError(t, err)
	var d opportunity.Opportunity
	require.NoError(t, json.Unmarshal(b1, &d))
	require.Equal(t, jsCanon(o.Record()), jsCanon(d.Record()))
	require.Empty(t, d.PendingChanges())
	b2, err := json.Marshal(&d)
	require.NoError(t, err)
	require.Equal(t, string(b1), string(b2))
	return b1
}

func TestOpportunityJSONRoundTrip(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	won := jsOpen(t)
	require.NoError(t, won.CloseWon(p, opportunity.WonDetails{ContractDate: date(2026, 3, 2), Contract: "HT-2026-0042"}, chAt(9*time.Hour, "")))
	lost := jsOpen(t)
	require.NoError(t, lost.CloseLost(p, opportunity.LostDetails{Reason: "price", Competitor: "Gree", Notes: "lost by 5%"}, chAt(9*time.Hour, "")))
	reopened := jsOpen(t)
	require.NoError(t, reopened.CloseLost(p, opportunity.LostDetails{Reason: "timing"}, chAt(9*time.Hour, "")))
	require.NoError(t, reopened.Reopen(p, "qualify", chAt(10*time.Hour, "budget found")))
	cases := []struct {
		name string
		o    *opportunity.Opportunity
	}{
		{"new, nothing optional", newOpp(t, p)},
		{"open, every field set", jsOpen(t)},
		{"won", won},
		{"lost", lost},
		{"reopened", reopened},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			jsRoundTrip(t, tc.o)
		})
	}
}

func TestOpportunityJSONForm(t *testing.T) {
	t.Parallel()
	rec := jsOpen(t).Record()
	rec.CreatedAt = rec.CreatedAt.In(time.FixedZone("CST", 8*3600))
	o, err := opportunity.FromRecord(rec)
	require.NoError(t, err)
	b, err := json.Marshal(o)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	require.InDelta(t, 1.0, m["v"], 0)
	require.Equal(t, "2026-03-02T09:00:00Z", m["created_at"], "times are written in UTC")
	require.Equal(t, "open", m["status"])
	require.Equal(t, "proposal", m["stage"])
	require.Equal(t, "best_case", m["stage_category"])
	require.Equal(t, "commit", m["category"])
	require.Equal(t, "CNY", m["currency"])
	require.Equal(t, map[string]any{"amount": "421250.00", "currency": "CNY"}, m["amount"])
	require.Equal(t, "2026-06-30", m["close_date"])
	require.Equal(t, map[string]any{"kind": "lead", "lead": idLead.String(), "channel": "web"}, m["source"])
	require.Equal(t, map[string]any{"name": "Ms Zhao", "role": "decision_maker"}, m["contacts"].([]any)[0])
	require.Equal(t, map[string]any{"text": "Send \"final\" <quote>", "due": "2026-03-20"}, m["next_step"])
	line := m["lines"].([]any)[0].(map[string]any)
	require.Equal(t, "AC-200", line["code"])
	require.Equal(t, "200", line["quantity"])
	require.Equal(t, true, line["needs_approval"])
	require.Contains(t, line, "adjustments")
	require.Equal(t, "2026-03-02T12:00:00Z", m["approvals"].([]any)[0].(map[string]any)["at"])
	require.Equal(t, "verbal yes", m["probability_override"].(map[string]any)["reason"])
	require.NotContains(t, m, "won", "what an open opportunity lacks is left out")
	require.NotContains(t, m, "closed_at")
	require.NotContains(t, m, "closed_from")

	var back opportunity.Opportunity
	require.NoError(t, json.Unmarshal(b, &back))
	require.True(t, rec.CreatedAt.Equal(back.CreatedAt()))
}

// jsDoc returns the JSON form of the open opportunity as a generic map,
// for tests to break.
func jsDoc(t testing.TB) map[string]any {
	t.Helper()
	b, err := json.Marshal(jsOpen(t))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestOpportunityJSONRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		raw   string
		paths []string
	}{
		{name: "unknown member", edit: func(m map[string]any) { m["probability"] = 0.5 }, paths: []string{"probability"}},
		{name: "member spelt in Go", edit: func(m map[string]any) { m["Name"] = m["name"]; delete(m, "name") }, paths: []string{"Name"}},
		{name: "wrong type", edit: func(m map[string]any) { m["reopens"] = "1" }, paths: []string{"reopens"}},
		{name: "missing version of the form", edit: func(m map[string]any) { delete(m, "v") }, paths: []string{"v"}},
		{name: "later version of the form", edit: func(m map[string]any) { m["v"] = 2 }, paths: []string{"v"}},
		{name: "unknown enums", edit: func(m map[string]any) { m["status"] = "maybe"; m["stage_category"] = "" }, paths: []string{"status", "stage_category"}},
		{name: "unknown category", edit: func(m map[string]any) { m["category"] = "hopeful" }, paths: []string{"category"}},
		{name: "unknown currency", edit: func(m map[string]any) { m["currency"] = "XXQ" }, paths: []string{"currency"}},
		{name: "amount in another currency", edit: func(m map[string]any) {
			m["amount"] = map[string]any{"amount": "1.00", "currency": "EUR"}
		}, paths: []string{"amount"}},
		{name: "lines that do not add up", edit: func(m map[string]any) {
			m["amount"] = map[string]any{"amount": "1.00", "currency": "CNY"}
		}, paths: []string{"amount"}},
		{name: "won without details", edit: func(m map[string]any) { m["status"] = "won" }, paths: []string{"stage"}},
		{name: "bad close date", edit: func(m map[string]any) { m["close_date"] = "2026-02-30" }, paths: []string{"close_date"}},
		{name: "no tenant", edit: func(m map[string]any) { m["tenant"] = "" }, paths: []string{"tenant"}},
		{name: "NUL in the name", edit: func(m map[string]any) { m["name"] = "a\x00b" }, paths: []string{"name"}},
		{name: "huge name", edit: func(m map[string]any) { m["name"] = strings.Repeat("x", opportunity.MaxNameLen+1) }, paths: []string{"name"}},
		{name: "unknown nested enum", edit: func(m map[string]any) {
			m["contacts"].([]any)[1].(map[string]any)["role"] = "boss"
			m["source"].(map[string]any)["channel"] = "pigeon"
		}, paths: []string{"contacts[1]", "boss", "source", "pigeon"}},
		{name: "bad nested date", edit: func(m map[string]any) { m["next_step"].(map[string]any)["due"] = "2026-13-01" }, paths: []string{"next_step", "2026-13-01"}},
		{name: "bad quantity", edit: func(m map[string]any) { m["lines"].([]any)[0].(map[string]any)["quantity"] = "x" }, paths: []string{"lines[0]"}},
		{name: "unknown nested member", edit: func(m map[string]any) { m["competitors"].([]any)[0].(map[string]any)["Name"] = "x" }, paths: []string{"competitors[0]", "Name"}},
		{name: "trailing data", raw: `{"v":1} {}`},
		{name: "not an object", raw: `[1,2]`},
		{name: "truncated", raw: `{"v":1,"id":`},
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
			o := newOpp(t, testPipeline(t))
			before := o.Record()
			err := o.UnmarshalJSON(data)
			require.Error(t, err)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.True(t, errors.As(err, &ve), "%T: %v", err, err)
			for _, p := range tc.paths {
				require.Contains(t, err.Error(), p)
			}
			require.Equal(t, before, o.Record(), "a refused document leaves the opportunity unchanged")
		})
	}
}

func TestOpportunityJSONNullAndZero(t *testing.T) {
	t.Parallel()
	o := newOpp(t, testPipeline(t))
	before := o.Record()
	require.NoError(t, json.Unmarshal([]byte(" null "), o))
	require.Equal(t, before, o.Record())

	_, err := json.Marshal(&opportunity.Opportunity{})
	require.ErrorIs(t, err, crm.ErrInvalid, "a zero opportunity has no form")
}

func FuzzOpportunityUnmarshalJSON(f *testing.F) {
	b, err := json.Marshal(jsOpen(f))
	require.NoError(f, err)
	f.Add(string(b))
	f.Add(`null`)
	f.Add(`{"v":1}`)
	f.Add(`{"v":1,"lines":[{"quantity":"1e9999"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var o opportunity.Opportunity
		if err := json.Unmarshal([]byte(s), &o); err != nil {
			return
		}
		if o.ID().IsZero() { // null
			return
		}
		// Whatever decodes is a stored-valid opportunity with an exact
		// round trip.
		require.NoError(t, opportunity.CheckStoredForTest("fuzz", &o))
		b1, err := json.Marshal(&o)
		require.NoError(t, err)
		var d opportunity.Opportunity
		require.NoError(t, json.Unmarshal(b1, &d))
		b2, err := json.Marshal(&d)
		require.NoError(t, err)
		require.Equal(t, string(b1), string(b2))
	})
}

// jsDocExample returns the JSON document of the "# JSON" section of file.
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

func TestOpportunityJSONDocExample(t *testing.T) {
	t.Parallel()
	var o opportunity.Opportunity
	require.NoError(t, json.Unmarshal(jsDocExample(t, "doc.go"), &o), "the documented example must decode")
	require.Equal(t, "200 air conditioners", o.Name())
	require.Equal(t, int64(3), o.Version())
	require.Equal(t, "needs", o.Stage())
	require.Equal(t, money("450000.00 CNY"), o.Amount())
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

func TestOpportunityEventDataJSON(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	o := jsOpen(t)
	require.NoError(t, o.SetOwner("sales-li", chAt(9*time.Hour, "holiday cover")))
	require.NoError(t, o.CloseWon(p, opportunity.WonDetails{ContractDate: date(2026, 3, 2), Contract: "HT-1"}, chAt(10*time.Hour, "")))
	seen := map[string]bool{}
	for _, e := range o.Events() {
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
	require.Subset(t, keysOf(seen), []string{opportunity.EventCreated, opportunity.EventStageChanged,
		opportunity.EventWon, opportunity.EventLinesSet, opportunity.EventDiscountApproved,
		opportunity.EventProbabilitySet, opportunity.EventCategorySet, opportunity.EventCloseDateSet,
		opportunity.EventNextStepSet, opportunity.EventContactsSet, opportunity.EventCompetitorSet,
		opportunity.EventOwnerChanged, opportunity.EventAmountChanged})
}

// keysOf returns the keys of m.
func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
