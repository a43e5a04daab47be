package postgres

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/opportunity"
)

// richOppDoc is a stored document with every member present, lists and
// nested details included, in the compact form json.Marshal writes.
const richOppDoc = `{"id":"01936f0e-8a5b-7c3d-9e1f-2a3b4c5d6e7f","tenant":"acme","version":7,` +
	`"customer":"01936f0e-8a5b-7c3d-9e1f-000000000001","owner":"li.na","team":"east","pipeline":"b2b",` +
	`"name":"Fleet renewal – 2025","source":{"kind":"customer_referral","lead":"00000000-0000-0000-0000-000000000000",` +
	`"campaign":"spring","referrer":"01936f0e-8a5b-7c3d-9e1f-000000000002","channel":"phone"},"segment":"smb",` +
	`"contacts":[{"name":"Wang Fang","role":"decision_maker","person":"01936f0e-8a5b-7c3d-9e1f-000000000003"}],` +
	`"currency":"EUR","amount":{"amount":"1234.50","currency":"EUR"},` +
	`"lines":[{"code":"SKU-1","description":"seat","quantity":"3","list_price":{"amount":"500.00","currency":"EUR"},` +
	`"adjustments":[{"kind":"volume","rule":"v1","percent":"-0.05","note":"tier"}],"discount":"0.1",` +
	`"total":{"amount":"1234.50","currency":"EUR"},"needs_approval":true}],` +
	`"approvals":[{"line":"SKU-1","up_to":"0.1","approver":"boss","at":"2025-03-01T10:00:00Z","reason":"key account"}],` +
	`"status":"lost","stage":"lost","closed_from":"propose","stage_since":"2025-03-02T10:00:00.123456789Z",` +
	`"stage_probability":0.25,"stage_category":"omitted",` +
	`"probability_override":{"value":0.4,"actor":"li.na","at":"2025-03-01T09:00:00+01:00","reason":"gut"},` +
	`"category":"best_case","close_date":"2025-03-31","next_step":"call \"back\"","next_step_due":"2025-04-01",` +
	`"competitors":[{"name":"Rival","offer":{"amount":"999.00","currency":"EUR"},"strengths":"price","status":"won"}],` +
	`"won":{"contract_date":"2025-03-02","contract":"C-1"},"lost":{"reason":"price","competitor":"Rival","notes":"n"},` +
	`"closed_at":"2025-03-02T10:00:00Z","reopens":2,"created_at":"2025-01-01T00:00:00Z",` +
	`"updated_at":"2025-03-02T10:00:00Z","seq":4}`

// jsonbForm spaces a compact document the way PostgreSQL prints jsonb.
func jsonbForm(doc string) string {
	var out strings.Builder
	in := false
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		out.WriteByte(c)
		switch {
		case in && c == '\\':
			i++
			out.WriteByte(doc[i])
		case c == '"':
			in = !in
		case !in && (c == ':' || c == ','):
			out.WriteByte(' ')
		}
	}
	return out.String()
}

// storedOppDoc is the document the store writes for a plain opportunity.
func storedOppDoc(t testing.TB) string {
	t.Helper()
	id := crm.MustParseID("01936f0e-8a5b-7c3d-9e1f-2a3b4c5d6e7f")
	at := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	b, err := encodeOpportunity(opportunity.Record{ID: id, Tenant: "acme", Version: 1, Customer: id, Owner: "o",
		Pipeline: "p", Name: "Deal", Source: opportunity.Source{Kind: opportunity.FromExistingCustomer},
		Currency: crm.MustParseMoney("1000.00 CNY").Currency(), Amount: crm.MustParseMoney("1000.00 CNY"), Stage: "qualify", Status: opportunity.Open, StageCategory: opportunity.CategoryPipeline,
		StageSince: at, StageProbability: 0.1, CloseDate: calendar.Date{Year: 2025, Month: 3, Day: 31},
		CreatedAt: at, UpdatedAt: at, Seq: 1})
	require.NoError(t, err)
	return string(b)
}

func TestOppDocScanner(t *testing.T) {
	t.Parallel()
	stored := storedOppDoc(t)
	replace := func(doc, old, new string) string {
		require.Contains(t, doc, old)
		return strings.Replace(doc, old, new, 1)
	}
	cases := []struct {
		name string
		doc  string
		fast bool // whether the scanner takes it (else json.Unmarshal does)
	}{
		{"Stored", stored, true},
		{"StoredAsJSONB", jsonbForm(stored), true},
		{"Rich", richOppDoc, true}, // next_step has escapes
		{"EscapedName", replace(stored, `"Deal"`, `"D\u00e9al \"x\" \\ \n"`), true},
		{"BadEscape", replace(stored, `"Deal"`, `"D\qal"`), false},
		{"EscapedTime", replace(stored, `"created_at":"2025`, `"created_at":"\u0032025`), false},
		{"RichWithoutEscape", replace(richOppDoc, `call \"back\"`, "call back"), true},
		{"RichAsJSONB", jsonbForm(replace(richOppDoc, `call \"back\"`, "call back")), true},
		{"Empty", `{}`, true},
		{"UnknownMember", replace(stored, `"seq"`, `"extra":1,"seq"`), false},
		{"OtherCase", replace(stored, `"seq"`, `"SEQ"`), false},
		{"Repeated", replace(stored, `"seq":1`, `"seq":1,"seq":2`), false},
		{"Null", replace(stored, `"name":"Deal"`, `"name":null`), false},
		{"NullAmount", replace(stored, `{"amount":"1000.00","currency":"CNY"}`, `null`), false},
		{"EscapedKey", replace(stored, `"seq"`, `"s\u0065q"`), false},
		{"FloatVersion", replace(stored, `"version":1`, `"version":1.0`), false},
		{"ExponentVersion", replace(stored, `"version":1`, `"version":1e0`), false},
		{"PlusVersion", replace(stored, `"version":1`, `"version":+1`), false},
		{"LeadingZero", replace(stored, `"version":1`, `"version":01`), false},
		{"HugeVersion", replace(stored, `"version":1`, `"version":99999999999999999999`), false},
		{"NegativeZero", replace(stored, `"version":1`, `"version":-0`), true},
		{"ExponentProbability", replace(stored, `"stage_probability":0.1`, `"stage_probability":1e-1`), true},
		{"HugeProbability", replace(stored, `"stage_probability":0.1`, `"stage_probability":1e999`), false},
		{"StringVersion", replace(stored, `"version":1`, `"version":"1"`), false},
		{"BadID", replace(stored, `"id":"01936f0e`, `"id":"x1936f0e`), false},
		{"BadStatus", replace(stored, `"status":"open"`, `"status":"opened"`), false},
		{"BadTime", replace(stored, `"created_at":"2025-01-02T03:04:05.000000006Z"`, `"created_at":"2025-01-02"`), false},
		{"AmountAsNumber", replace(stored, `"amount":"1000.00"`, `"amount":1000.00`), false},
		{"AmountUnknownMember", replace(stored, `"currency":"CNY"}`, `"currency":"CNY","x":1}`), false},
		{"AmountLowerCase", replace(stored, `"currency":"CNY"}`, `"currency":"cny"}`), false},
		{"AmountMissingCurrency", replace(stored, `,"currency":"CNY"}`, `}`), false},
		{"AmountBad", replace(stored, `"amount":"1000.00"`, `"amount":"1.0.0"`), false},
		{"AmountLong", replace(stored, `"amount":"1000.00"`, `"amount":`+strings.Repeat(" ", 600)+`"1000.00"`), false},
		{"InvalidUTF8", replace(stored, `"Deal"`, "\"De\xffal\""), true}, // replaced by U+FFFD, as json.Unmarshal does
		{"InvalidUTF8InStage", replace(stored, `"qualify"`, "\"qual\xffify\""), true},
		{"InvalidUTF8InStatus", replace(stored, `"open"`, "\"op\xffen\""), false},
		{"ControlCharacter", replace(stored, `"Deal"`, "\"De\tal\""), false},
		{"Trailing", stored + `x`, false},
		{"TrailingSpace", stored + " \n", true},
		{"TwoObjects", stored + stored, false},
		{"Truncated", stored[:len(stored)-1], false},
		{"Array", `[` + stored + `]`, false},
		{"ContactsNotList", replace(richOppDoc, `"contacts":[{`, `"contacts":{"x":[{`), false},
		{"UnbalancedList", replace(stored, `"seq":1`, `"lines":[}`), false},
		{"SourceUnknown", replace(stored, `"kind":"existing_customer"`, `"kind":"existing_customer","x":""`), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var fast oppDoc
			require.Equal(t, tc.fast, (&oppScanner{b: []byte(tc.doc)}).doc(&fast))
			var want, got oppDoc
			wantErr := json.Unmarshal([]byte(tc.doc), &want)
			gotErr := unmarshalOppDoc([]byte(tc.doc), &got)
			require.Equal(t, wantErr, gotErr)
			require.Equal(t, want, got)
			if tc.fast {
				require.NoError(t, wantErr)
				require.Equal(t, want, fast)
			}
		})
	}
}

// TestOppDocRich checks that the rich document's every member arrives.
func TestOppDocRich(t *testing.T) {
	t.Parallel()
	var d oppDoc
	require.NoError(t, unmarshalOppDoc([]byte(jsonbForm(richOppDoc)), &d))
	require.Equal(t, "call \"back\"", d.NextStep)
	require.Equal(t, int64(7), d.Version)
	require.Equal(t, 2, d.Reopens)
	require.Len(t, d.Lines, 1)
	require.Len(t, d.Competitors, 1)
	require.Equal(t, "1234.50 EUR", d.Amount.String())
	require.NotNil(t, d.Won)
	require.NotNil(t, d.Source.Channel)
	require.Equal(t, 0.4, d.Override.Value)
}

// FuzzOppDocDecode: whatever the scanner takes, json.Unmarshal decodes
// to the same oppDoc, and unmarshalOppDoc agrees with json.Unmarshal on
// every input.
func FuzzOppDocDecode(f *testing.F) {
	f.Add(storedOppDoc(f))
	f.Add(jsonbForm(storedOppDoc(f)))
	f.Add(richOppDoc)
	f.Add(jsonbForm(strings.Replace(richOppDoc, `\"`, "", 2)))
	f.Add(`{"amount":{"amount":"-1.5","currency":"USD"},"version":-0,"stage_probability":1E+2}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var fast, want, got oppDoc
		took := (&oppScanner{b: []byte(doc)}).doc(&fast)
		wantErr := json.Unmarshal([]byte(doc), &want)
		if took {
			require.NoError(t, wantErr)
			require.Equal(t, want, fast)
		}
		gotErr := unmarshalOppDoc([]byte(doc), &got)
		require.Equal(t, wantErr, gotErr)
		require.Equal(t, want, got)
	})
}

// TestOppDocEncoder checks that appendOppDoc writes what json.Marshal
// writes, for documents with every member, with none of the optional ones,
// and with strings that need escapes.
func TestOppDocEncoder(t *testing.T) {
	t.Parallel()
	docs := map[string]string{
		"Stored":  storedOppDoc(t),
		"Rich":    richOppDoc,
		"Escapes": strings.Replace(richOppDoc, `"Fleet renewal – 2025"`, `"<a> & \"b\"\n\t\b\f\u0001\u2028\u2029 \\ – 李"`, 1),
		"Tiny":    strings.Replace(richOppDoc, `"stage_probability":0.25`, `"stage_probability":1e-7`, 1),
		"Huge":    strings.Replace(richOppDoc, `"stage_probability":0.25`, `"stage_probability":1e21`, 1),
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var d oppDoc
			require.NoError(t, json.Unmarshal([]byte(doc), &d))
			want, err := json.Marshal(d)
			require.NoError(t, err)
			got, err := appendOppDoc(nil, &d)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
		})
	}
	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		var d oppDoc
		require.NoError(t, json.Unmarshal([]byte(storedOppDoc(t)), &d))
		for name, broken := range map[string]func(d *oppDoc){
			"Status":      func(d *oppDoc) { d.Status = 0 },
			"Time":        func(d *oppDoc) { d.CreatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
			"Probability": func(d *oppDoc) { d.StageProb = math.NaN() },
		} {
			x := d
			broken(&x)
			_, jerr := json.Marshal(x)
			require.Error(t, jerr, name)
			_, err := appendOppDoc(nil, &x)
			require.Error(t, err, name)
		}
	})
}

// FuzzOppDocString: appendJSONString writes every string as json.Marshal
// does.
func FuzzOppDocString(f *testing.F) {
	for _, s := range []string{"", "plain", "<&>", "\x00\x1f\"\\", "\u2028\u2029", "李 – \xff\xfe", "\b\f\n\r\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendJSONString(nil, s)))
	})
}

// BenchmarkOppDoc compares the client's work on a stored document (as
// PostgreSQL prints jsonb) with encoding/json's: decoding and encoding
// alone, no database.
func BenchmarkOppDoc(b *testing.B) {
	doc := []byte(jsonbForm(storedOppDoc(b)))
	var d oppDoc
	require.NoError(b, json.Unmarshal(doc, &d))
	b.Run("decode/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var x oppDoc
			if err := json.Unmarshal(doc, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode/scanner", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var x oppDoc
			if err := unmarshalOppDoc(doc, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(&d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode/appender", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := appendOppDoc(make([]byte, 0, 1024), &d); err != nil {
				b.Fatal(err)
			}
		}
	})
}
