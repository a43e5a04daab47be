package customer_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// entSegmentCustomer returns a customer with a value in every field a
// segment condition can test.
func entSegmentCustomer(t testing.TB) *customer.Customer {
	t.Helper()
	c := entNew(t, func(in *customer.NewInput) {
		in.Stage, in.Loyalty, in.Lifecycle = customer.Evaluation, customer.Transaction, customer.AtRisk
	})
	ch := entChange("")
	require.NoError(t, c.SetClass(customer.PushHard, ch))
	require.NoError(t, c.SetKeyAccount(true, ch))
	require.NoError(t, c.AddTag("vip"))
	require.NoError(t, c.AddTag("golf"))
	require.NoError(t, c.SetAttribute("source", "trade fair"))
	require.NoError(t, c.SetPreference("drink", "tea"))
	require.NoError(t, c.SetDate("birthday", customer.Date{Year: 1980, Month: time.May, Day: 4}))
	require.NoError(t, c.SetConsent(customer.EmailChannel, true, "web form", ch))
	require.NoError(t, c.SetConsent(customer.Fax, false, "fax", ch))
	return c
}

// entFacts are the host facts the segment tests evaluate with.
var entFacts = customer.Facts{
	"orders":     "9",
	"revenue":    "12000.50",
	"last_order": "2025-03-01T00:00:00Z",
	"nan":        "NaN",
}

func entCond(field string, op customer.Op, value string, values ...string) customer.Condition {
	return customer.Condition{Field: field, Op: op, Value: value, Values: values}
}

func TestSegmentConditions(t *testing.T) {
	t.Parallel()
	c := entSegmentCustomer(t)
	tests := []struct {
		name string
		cond customer.Condition
		want bool
	}{
		// kind
		{"kind eq", entCond("kind", customer.OpEq, "person"), true},
		{"kind eq ignores case", entCond("kind", customer.OpEq, "PERSON"), true},
		{"kind eq other", entCond("kind", customer.OpEq, "organization"), false},
		{"kind ne", entCond("kind", customer.OpNe, "organization"), true},
		// name
		{"name eq ignores case", entCond("name", customer.OpEq, "li wei"), true},
		{"name contains", entCond("name", customer.OpContains, "WEI"), true},
		{"name contains other", entCond("name", customer.OpContains, "zhao"), false},
		{"name prefix", entCond("name", customer.OpPrefix, "li "), true},
		{"name prefix is not contains", entCond("name", customer.OpPrefix, "wei"), false},
		{"name gt as text", entCond("name", customer.OpGt, "K"), true},
		{"name lt as text", entCond("name", customer.OpLt, "K"), false},
		{"name exists", entCond("name", customer.OpExists, ""), true},
		{"name not_exists", entCond("name", customer.OpNotExists, ""), false},
		// role: several values
		{"role eq held", entCond("role", customer.OpEq, "owner"), true},
		{"role eq not held", entCond("role", customer.OpEq, "dealer"), false},
		{"role ne not held", entCond("role", customer.OpNe, "dealer"), true},
		{"role ne held", entCond("role", customer.OpNe, "owner"), false},
		{"role in any held", entCond("role", customer.OpIn, "", "dealer", "OWNER"), true},
		{"role in none held", entCond("role", customer.OpIn, "", "dealer", "partner"), false},
		{"role not_in none held", entCond("role", customer.OpNotIn, "", "dealer", "partner"), true},
		{"role not_in one held", entCond("role", customer.OpNotIn, "", "dealer", "end_customer"), false},
		// stage: ordered by the relationship's order, not by name
		{"stage eq", entCond("stage", customer.OpEq, "evaluation"), true},
		{"stage gt earlier", entCond("stage", customer.OpGt, "established"), true},
		{"stage gt itself", entCond("stage", customer.OpGt, "evaluation"), false},
		{"stage gte itself", entCond("stage", customer.OpGte, "evaluation"), true},
		{"stage lt later", entCond("stage", customer.OpLt, "growth"), true},
		{"stage lt mature although m < e is false", entCond("stage", customer.OpLt, "mature"), true},
		{"stage gt unfamiliar although u > e", entCond("stage", customer.OpGt, "unfamiliar"), true},
		{"stage lte earlier", entCond("stage", customer.OpLte, "unfamiliar"), false},
		{"stage gt unknown stage", entCond("stage", customer.OpGt, "aaa"), false},
		{"stage lt unknown stage", entCond("stage", customer.OpLt, "zzz"), false},
		// loyalty
		{"loyalty gt trust", entCond("loyalty", customer.OpGt, "trust"), true},
		{"loyalty lt satisfaction", entCond("loyalty", customer.OpLt, "satisfaction"), true},
		{"loyalty gte advocacy although a < t", entCond("loyalty", customer.OpGte, "advocacy"), false},
		{"loyalty in", entCond("loyalty", customer.OpIn, "", "transaction", "loyalty"), true},
		// lifecycle: ordered by status order
		{"lifecycle eq", entCond("lifecycle", customer.OpEq, "at_risk"), true},
		{"lifecycle gt active", entCond("lifecycle", customer.OpGt, "active"), true},
		{"lifecycle lt won back in capitals", entCond("lifecycle", customer.OpLt, "WON_BACK"), true},
		{"lifecycle lt unknown status", entCond("lifecycle", customer.OpLt, "zzz"), false},
		{"lifecycle gte churned", entCond("lifecycle", customer.OpGte, "churned"), false},
		// class
		{"class eq", entCond("class", customer.OpEq, "push_hard"), true},
		{"class not_in", entCond("class", customer.OpNotIn, "", "stable", "not_yet_stable"), true},
		// key_account
		{"key_account eq true", entCond("key_account", customer.OpEq, "TRUE"), true},
		{"key_account eq false", entCond("key_account", customer.OpEq, "false"), false},
		// owner
		{"owner eq", entCond("owner", customer.OpEq, "mgr.zhang"), true},
		{"owner prefix", entCond("owner", customer.OpPrefix, "MGR."), true},
		// tag: several values
		{"tag eq any", entCond("tag", customer.OpEq, "VIP"), true},
		{"tag eq none", entCond("tag", customer.OpEq, "tennis"), false},
		{"tag ne carried", entCond("tag", customer.OpNe, "golf"), false},
		{"tag ne not carried", entCond("tag", customer.OpNe, "tennis"), true},
		{"tag contains", entCond("tag", customer.OpContains, "ol"), true},
		{"tag in", entCond("tag", customer.OpIn, "", "tennis", "golf"), true},
		{"tag not_in", entCond("tag", customer.OpNotIn, "", "tennis", "chess"), true},
		{"tag exists", entCond("tag", customer.OpExists, ""), true},
		// time_zone, country, email_domain
		{"time_zone eq", entCond("time_zone", customer.OpEq, "asia/shanghai"), true},
		{"time_zone prefix", entCond("time_zone", customer.OpPrefix, "Asia/"), true},
		{"country eq", entCond("country", customer.OpEq, "cn"), true},
		{"country ne", entCond("country", customer.OpNe, "GB"), true},
		{"email_domain eq", entCond("email_domain", customer.OpEq, "EXAMPLE.com"), true},
		{"email_domain prefix", entCond("email_domain", customer.OpPrefix, "other"), false},
		// created_at: chronological
		{"created_at gte the same instant", entCond("created_at", customer.OpGte, "2025-03-14T17:30:00+08:00"), true},
		{"created_at gt an earlier instant written later", entCond("created_at", customer.OpGt, "2025-03-14T10:00:00+08:00"), true},
		{"created_at lt an earlier instant", entCond("created_at", customer.OpLt, "2025-03-14T10:00:00+08:00"), false},
		{"created_at lt a later instant", entCond("created_at", customer.OpLt, "2025-03-14T09:30:00.5Z"), true},
		// attr, pref, date
		{"attr eq ignores case", entCond("attr.source", customer.OpEq, "Trade Fair"), true},
		{"attr missing exists", entCond("attr.missing", customer.OpExists, ""), false},
		{"attr missing not_exists", entCond("attr.missing", customer.OpNotExists, ""), true},
		{"attr missing ne", entCond("attr.missing", customer.OpNe, "x"), true},
		{"pref in", entCond("pref.drink", customer.OpIn, "", "coffee", "Tea"), true},
		{"pref contains", entCond("pref.drink", customer.OpContains, "coffee"), false},
		{"date eq", entCond("date.birthday", customer.OpEq, "1980-05-04"), true},
		{"date prefix year", entCond("date.birthday", customer.OpPrefix, "1980-"), true},
		{"date gt", entCond("date.birthday", customer.OpGt, "1979-12-31"), true},
		{"date lt", entCond("date.birthday", customer.OpLt, "1979-12-31"), false},
		{"date missing", entCond("date.anniversary", customer.OpNotExists, ""), true},
		// consent
		{"consent granted", entCond("consent.email", customer.OpEq, "true"), true},
		{"consent refused", entCond("consent.fax", customer.OpEq, "false"), true},
		{"consent never asked", entCond("consent.letter", customer.OpEq, "false"), true},
		{"consent channel in capitals", entCond("consent.EMAIL", customer.OpEq, "true"), true},
		// facts: numbers numerically, times chronologically
		{"fact eq", entCond("fact.orders", customer.OpEq, "9"), true},
		{"fact gt numerically", entCond("fact.orders", customer.OpGt, "10"), false},
		{"fact lt numerically", entCond("fact.orders", customer.OpLt, "10"), true},
		{"fact gte decimal", entCond("fact.orders", customer.OpGte, "9.0"), true},
		{"fact lte decimal", entCond("fact.revenue", customer.OpLte, "12000.5"), true},
		{"fact gt negative", entCond("fact.revenue", customer.OpGt, "-1e3"), true},
		{"fact time lt", entCond("fact.last_order", customer.OpLt, "2025-03-02T00:00:00+08:00"), true},
		{"fact time gt", entCond("fact.last_order", customer.OpGt, "2025-03-01T07:59:59+08:00"), true},
		{"fact NaN is not greater", entCond("fact.nan", customer.OpGte, "0"), false},
		{"fact NaN is not less", entCond("fact.nan", customer.OpLte, "0"), false},
		{"fact compared with NaN", entCond("fact.orders", customer.OpGte, "NaN"), false},
		{"fact missing", entCond("fact.complaints", customer.OpExists, ""), false},
		{"fact missing gt", entCond("fact.complaints", customer.OpGt, "0"), false},
		{"fact missing not_exists", entCond("fact.complaints", customer.OpNotExists, ""), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			seg := customer.Segment{Name: tc.name, Conditions: []customer.Condition{tc.cond}}
			require.NoError(t, seg.Validate())
			require.Equal(t, tc.want, seg.MatchFacts(c, entFacts))
		})
	}
}

func TestSegmentFactsNeedFacts(t *testing.T) {
	t.Parallel()
	c := entSegmentCustomer(t)
	seg := customer.Segment{Conditions: []customer.Condition{entCond("fact.orders", customer.OpExists, "")}}
	require.False(t, seg.Matches(c), "Matches has no facts")
	require.False(t, seg.MatchFacts(c, nil))
	require.True(t, seg.MatchFacts(c, entFacts))
}

func TestSegmentMatchModes(t *testing.T) {
	t.Parallel()
	c := entSegmentCustomer(t)
	yes := entCond("kind", customer.OpEq, "person")
	no := entCond("kind", customer.OpEq, "organization")
	tests := []struct {
		name  string
		match customer.Match
		conds []customer.Condition
		want  bool
	}{
		{"empty segment matches everyone", 0, nil, true},
		{"empty any segment matches everyone", customer.Any, nil, true},
		{"zero match is all: all hold", 0, []customer.Condition{yes, yes}, true},
		{"zero match is all: one fails", 0, []customer.Condition{yes, no}, false},
		{"all: all hold", customer.All, []customer.Condition{yes, yes}, true},
		{"all: one fails", customer.All, []customer.Condition{no, yes}, false},
		{"any: one holds", customer.Any, []customer.Condition{no, yes}, true},
		{"any: none holds", customer.Any, []customer.Condition{no, no}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			seg := customer.Segment{Match: tc.match, Conditions: tc.conds}
			require.NoError(t, seg.Validate())
			require.Equal(t, tc.want, seg.Matches(c))
		})
	}
}

func TestSegmentInvalidConditionNeverMatches(t *testing.T) {
	t.Parallel()
	c := entSegmentCustomer(t)
	tests := []struct {
		name string
		cond customer.Condition
	}{
		{"unknown field with eq", entCond("nope", customer.OpEq, "")},
		{"unknown field with ne", entCond("nope", customer.OpNe, "x")},
		{"unknown field with not_in", entCond("nope", customer.OpNotIn, "", "x")},
		{"unknown field with not_exists", entCond("nope", customer.OpNotExists, "")},
		{"unknown consent channel with not_exists", entCond("consent.sms", customer.OpNotExists, "")},
		{"empty attribute key with ne", entCond("attr.", customer.OpNe, "x")},
		{"zero operator", entCond("kind", 0, "person")},
		{"unknown operator", entCond("kind", 99, "person")},
		{"in without values", entCond("kind", customer.OpIn, "person")},
		{"not_in without values", entCond("kind", customer.OpNotIn, "")},
		{"overlong value with ne", entCond("kind", customer.OpNe, strings.Repeat("x", customer.MaxValueLen+1))},
		{"value not UTF-8 with ne", entCond("kind", customer.OpNe, "\xff")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, m := range []customer.Match{customer.All, customer.Any} {
				seg := customer.Segment{Match: m, Conditions: []customer.Condition{tc.cond}}
				require.ErrorIs(t, seg.Validate(), crm.ErrInvalid)
				require.False(t, seg.MatchFacts(c, entFacts), "match %s", m)
			}
		})
	}
}

func TestSegmentValidate(t *testing.T) {
	t.Parallel()
	var fields []customer.Condition
	for _, f := range []string{
		"kind", "name", "role", "stage", "loyalty", "lifecycle", "class", "key_account", "owner", "tag",
		"time_zone", "country", "email_domain", "created_at", "attr.x", "pref.x", "date.x", "fact.x",
		"consent.email", "attr." + strings.Repeat("k", customer.MaxKeyLen),
	} {
		fields = append(fields, entCond(f, customer.OpExists, ""))
	}
	require.NoError(t, customer.Segment{Name: "every field", Conditions: fields}.Validate())

	many := func(n int) []customer.Condition {
		out := make([]customer.Condition, n)
		for i := range out {
			out[i] = entCond("kind", customer.OpEq, "person")
		}
		return out
	}
	values := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i)
		}
		return out
	}
	require.NoError(t, customer.Segment{Conditions: many(customer.MaxConditions)}.Validate())
	require.NoError(t, customer.Segment{Conditions: []customer.Condition{entCond("tag", customer.OpIn, "", values(customer.MaxValues)...)}}.Validate())

	tests := []struct {
		name string
		seg  customer.Segment
		path string
	}{
		{"overlong name", customer.Segment{Name: strings.Repeat("n", customer.MaxNameLen+1)}, "name"},
		{"name not UTF-8", customer.Segment{Name: "\xff"}, "name"},
		{"unknown match", customer.Segment{Match: 3}, "match"},
		{"too many conditions", customer.Segment{Conditions: many(customer.MaxConditions + 1)}, "conditions"},
		{"empty field", customer.Segment{Conditions: []customer.Condition{entCond("", customer.OpEq, "x")}}, "conditions[0].field"},
		{"unknown field", customer.Segment{Conditions: []customer.Condition{entCond("revenue", customer.OpEq, "x")}}, "conditions[0].field"},
		{"field in capitals", customer.Segment{Conditions: []customer.Condition{entCond("Kind", customer.OpEq, "x")}}, "conditions[0].field"},
		{"prefix without key", customer.Segment{Conditions: []customer.Condition{entCond("fact.", customer.OpEq, "x")}}, "conditions[0].field"},
		{"prefix without dot", customer.Segment{Conditions: []customer.Condition{entCond("attr", customer.OpEq, "x")}}, "conditions[0].field"},
		{"unknown prefix", customer.Segment{Conditions: []customer.Condition{entCond("meta.x", customer.OpEq, "x")}}, "conditions[0].field"},
		{"overlong key", customer.Segment{Conditions: []customer.Condition{
			entCond("attr."+strings.Repeat("k", customer.MaxKeyLen+1), customer.OpEq, "x"),
		}}, "conditions[0].field"},
		{"unknown consent channel", customer.Segment{Conditions: []customer.Condition{entCond("consent.pigeon", customer.OpEq, "true")}}, "conditions[0].field"},
		{"zero operator", customer.Segment{Conditions: []customer.Condition{entCond("kind", 0, "x")}}, "conditions[0].op"},
		{"unknown operator", customer.Segment{Conditions: []customer.Condition{entCond("kind", 13, "x")}}, "conditions[0].op"},
		{"in without values", customer.Segment{Conditions: []customer.Condition{entCond("kind", customer.OpIn, "x")}}, "conditions[0].values"},
		{"not_in without values", customer.Segment{Conditions: []customer.Condition{entCond("kind", customer.OpNotIn, "")}}, "conditions[0].values"},
		{"in with too many values", customer.Segment{Conditions: []customer.Condition{
			entCond("tag", customer.OpIn, "", values(customer.MaxValues+1)...),
		}}, "conditions[0].values"},
		{"overlong value", customer.Segment{Conditions: []customer.Condition{
			entCond("name", customer.OpEq, strings.Repeat("v", customer.MaxValueLen+1)),
		}}, "conditions[0].value"},
		{"overlong value in values", customer.Segment{Conditions: []customer.Condition{
			entCond("tag", customer.OpIn, "", "ok", strings.Repeat("v", customer.MaxValueLen+1)),
		}}, "conditions[0].value"},
		{"value not UTF-8", customer.Segment{Conditions: []customer.Condition{entCond("name", customer.OpEq, "\xc3(")}}, "conditions[0].value"},
		{"second condition bad", customer.Segment{Conditions: []customer.Condition{
			entCond("kind", customer.OpEq, "person"), entCond("kind", 0, ""),
		}}, "conditions[1].op"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.seg.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			entPath(t, err, tc.path)
		})
	}
}

func TestSegmentJSON(t *testing.T) {
	t.Parallel()
	const doc = `{"name":"young families","match":"any","conditions":[` +
		`{"field":"attr.life_stage","op":"eq","value":"young_family"},` +
		`{"field":"tag","op":"in","values":["kids","school"]}]}`
	var seg customer.Segment
	require.NoError(t, json.Unmarshal([]byte(doc), &seg))
	require.Equal(t, customer.Segment{
		Name:  "young families",
		Match: customer.Any,
		Conditions: []customer.Condition{
			{Field: "attr.life_stage", Op: customer.OpEq, Value: "young_family"},
			{Field: "tag", Op: customer.OpIn, Values: []string{"kids", "school"}},
		},
	}, seg)
	require.NoError(t, seg.Validate())
	out, err := json.Marshal(seg)
	require.NoError(t, err)
	require.JSONEq(t, doc, string(out))

	for _, bad := range []string{
		`{"conditions":[{"field":"kind","op":"like","value":"x"}]}`,
		`{"match":"some","conditions":[]}`,
		`{"conditions":[{"field":"kind","op":3}]}`,
	} {
		var s customer.Segment
		require.Error(t, json.Unmarshal([]byte(bad), &s), bad)
	}
	var s customer.Segment
	err = json.Unmarshal([]byte(`{"conditions":[{"field":"kind","op":"like"}]}`), &s)
	require.ErrorIs(t, err, crm.ErrInvalid, "unknown operator names are refused with ErrInvalid")
}

func entClassifier() customer.Classifier {
	return customer.Classifier{
		Rules: []customer.ClassRule{
			{Class: customer.Stable, When: customer.Segment{Conditions: []customer.Condition{entCond("stage", customer.OpEq, "mature")}}},
			{Class: customer.PushHard, When: customer.Segment{Conditions: []customer.Condition{entCond("fact.orders", customer.OpGte, "5")}}},
			{Class: customer.StrengthenContact, When: customer.Segment{Conditions: []customer.Condition{entCond("tag", customer.OpEq, "vip")}}},
		},
		Default: customer.GeneralContact,
	}
}

func TestClassifierClassify(t *testing.T) {
	t.Parallel()
	c := entSegmentCustomer(t) // evaluation stage, tagged vip, key account
	mature := entNew(t, func(in *customer.NewInput) { in.ID, in.Stage = entID(2), customer.Mature })
	plain := entNew(t, func(in *customer.NewInput) { in.ID = entID(3) })
	cl := entClassifier()
	require.NoError(t, cl.Validate())

	tests := []struct {
		name  string
		c     *customer.Customer
		facts customer.Facts
		cl    func(*customer.Classifier)
		want  customer.Classification
	}{
		{"first rule wins over later matches", mature, customer.Facts{"orders": "9"}, nil,
			customer.Classification{Class: customer.Stable, Rule: 0}},
		{"second rule by facts", c, customer.Facts{"orders": "5"}, nil,
			customer.Classification{Class: customer.PushHard, KeyAccount: true, Rule: 1}},
		{"third rule without facts", c, nil, nil,
			customer.Classification{Class: customer.StrengthenContact, KeyAccount: true, Rule: 2}},
		{"default when none matches", plain, customer.Facts{"orders": "1"}, nil,
			customer.Classification{Class: customer.GeneralContact, Rule: -1}},
		{"no default means unclassified", plain, nil, func(cl *customer.Classifier) { cl.Default = 0 },
			customer.Classification{Class: customer.Unclassified, Rule: -1}},
		{"no rules", c, nil, func(cl *customer.Classifier) { cl.Rules = nil },
			customer.Classification{Class: customer.GeneralContact, KeyAccount: true, Rule: -1}},
		{"key account segment matches", plain, customer.Facts{"revenue": "2000000"}, func(cl *customer.Classifier) {
			cl.KeyAccount = &customer.Segment{Conditions: []customer.Condition{entCond("fact.revenue", customer.OpGte, "1000000")}}
		}, customer.Classification{Class: customer.GeneralContact, KeyAccount: true, Rule: -1}},
		{"key account segment overrides the flag", c, customer.Facts{"revenue": "10"}, func(cl *customer.Classifier) {
			cl.KeyAccount = &customer.Segment{Conditions: []customer.Condition{entCond("fact.revenue", customer.OpGte, "1000000")}}
		}, customer.Classification{Class: customer.StrengthenContact, KeyAccount: false, Rule: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cl := entClassifier()
			if tc.cl != nil {
				tc.cl(&cl)
			}
			require.NoError(t, cl.Validate())
			before, hist, events := tc.c.Record(), tc.c.PendingHistory(), tc.c.Events()
			require.Equal(t, tc.want, cl.Classify(tc.c, tc.facts))
			require.Equal(t, before, tc.c.Record(), "Classify does not change the customer")
			require.Equal(t, hist, tc.c.PendingHistory())
			require.Equal(t, events, tc.c.Events())
		})
	}
}

func TestClassifierValidate(t *testing.T) {
	t.Parallel()
	rule := func(class customer.Class) customer.ClassRule {
		return customer.ClassRule{Class: class, When: customer.Segment{Conditions: []customer.Condition{entCond("kind", customer.OpEq, "person")}}}
	}
	rules := func(n int) []customer.ClassRule {
		out := make([]customer.ClassRule, n)
		for i := range out {
			out[i] = rule(customer.Stable)
		}
		return out
	}
	require.NoError(t, customer.Classifier{}.Validate())
	require.NoError(t, customer.Classifier{Rules: rules(customer.MaxConditions), Default: customer.Unclassified}.Validate())
	tests := []struct {
		name string
		cl   customer.Classifier
		path string
	}{
		{"too many rules", customer.Classifier{Rules: rules(customer.MaxConditions + 1)}, "rules"},
		{"rule without class", customer.Classifier{Rules: []customer.ClassRule{rule(0)}}, "rules[0].class"},
		{"rule assigning unclassified", customer.Classifier{Rules: []customer.ClassRule{rule(customer.Unclassified)}}, "rules[0].class"},
		{"rule with unknown class", customer.Classifier{Rules: []customer.ClassRule{rule(customer.Stable), rule(9)}}, "rules[1].class"},
		{"rule with invalid segment", customer.Classifier{Rules: []customer.ClassRule{{
			Class: customer.Stable, When: customer.Segment{Conditions: []customer.Condition{entCond("nope", customer.OpEq, "")}},
		}}}, "rules[0].when.conditions[0].field"},
		{"unknown default", customer.Classifier{Default: 9}, "default"},
		{"invalid key account segment", customer.Classifier{KeyAccount: &customer.Segment{Match: 7}}, "key_account.match"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cl.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			entPath(t, err, tc.path)
		})
	}
}

func TestClassifierJSON(t *testing.T) {
	t.Parallel()
	cl := entClassifier()
	cl.KeyAccount = &customer.Segment{Conditions: []customer.Condition{entCond("fact.revenue", customer.OpGte, "1000000")}}
	b, err := json.Marshal(cl)
	require.NoError(t, err)
	var back customer.Classifier
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, cl, back)
	require.Contains(t, string(b), `"class":"push_hard"`, "classes are stored by name")
}

func TestClassHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		class             customer.Class
		actual, potential bool
	}{
		{customer.Unclassified, false, false},
		{customer.Stable, true, false},
		{customer.NotYetStable, true, false},
		{customer.PushHard, false, true},
		{customer.StrengthenContact, false, true},
		{customer.GeneralContact, false, true},
		{0, false, false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.actual, tc.class.Actual(), tc.class.String())
		require.Equal(t, tc.potential, tc.class.Potential(), tc.class.String())
	}
}

func BenchmarkSegmentMatchFacts(b *testing.B) {
	c := entSegmentCustomer(b)
	seg := customer.Segment{Conditions: []customer.Condition{
		entCond("stage", customer.OpGte, "evaluation"),
		entCond("tag", customer.OpIn, "", "vip", "gold"),
		entCond("fact.orders", customer.OpGt, "5"),
		entCond("attr.source", customer.OpContains, "fair"),
	}}
	require.NoError(b, seg.Validate())
	b.ReportAllocs()
	for b.Loop() {
		if !seg.MatchFacts(c, entFacts) {
			b.Fatal("no match")
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	c := entSegmentCustomer(b)
	cl := entClassifier()
	b.ReportAllocs()
	for b.Loop() {
		if cl.Classify(c, entFacts).Class != customer.PushHard {
			b.Fatal("wrong class")
		}
	}
}
