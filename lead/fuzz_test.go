package lead_test

import (
	"encoding"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
)

// textEnum is what every enum of the package implements.
type textEnum interface {
	encoding.TextMarshaler
	String() string
	Valid() bool
}

// fuzzEnum checks parse: no panic; a parsed value is valid, marshals to
// its String form and parses back to itself.
func fuzzEnum[T textEnum](t *testing.T, s string, parse func(string) (T, error)) {
	v, err := parse(s)
	if err != nil {
		require.ErrorIs(t, err, crm.ErrInvalid)
		return
	}
	require.True(t, v.Valid())
	b, err := v.MarshalText()
	require.NoError(t, err)
	require.Equal(t, v.String(), string(b))
	again, err := parse(string(b))
	require.NoError(t, err)
	require.Equal(t, v, again)
}

func FuzzEnums(f *testing.F) {
	for _, s := range []string{"new", "Qualified", " disqualified ", "web_form", "referral", "email", "phone",
		"captured", "key_prospect", "attach_to_lead", "create_anyway", "linear", "first_touch", "off_shift",
		"current_owner", "trade_show", "lead", "customer", "link_customer", "period", "owner", "week", "naive_bayes", "rules", "", "stage(7)", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzEnum(t, s, lead.ParseStage)
		fuzzEnum(t, s, lead.ParseSourceKind)
		fuzzEnum(t, s, lead.ParseContactKind)
		fuzzEnum(t, s, lead.ParseHistoryKind)
		fuzzEnum(t, s, lead.ParseDuplicatePolicy)
		fuzzEnum(t, s, lead.ParseAttribution)
		fuzzEnum(t, s, lead.ParseExclusion)
		fuzzEnum(t, s, lead.ParseCampaignChannel)
		fuzzEnum(t, s, lead.ParseMatchKind)
		fuzzEnum(t, s, lead.ParseDimension)
		fuzzEnum(t, s, lead.ParsePeriod)
		fuzzEnum(t, s, lead.ParseScoreModel)
		fuzzEnum(t, s, lead.ParseAction)
	})
}

// FuzzParseContact: no panic; a refused text is an ErrInvalid; a kept
// point keeps its raw text, and is either parsed with a normalised key or
// flagged with a problem; a lead captured with it survives its record.
func FuzzParseContact(f *testing.F) {
	for _, s := range []string{"a@b.example", "A@B.EXAMPLE ", "not an email", "+86 138 0013 8000", "138 0013 800O",
		"020 7946 0958", "+1 (415) 555-0100 ext. 12", "", " ", "\x00", "\xff@x.com", "x@[1.2.3.4]"} {
		f.Add(s, uint8(1), "GB")
		f.Add(s, uint8(2), "CN")
	}
	f.Fuzz(func(t *testing.T, raw string, kind uint8, region string) {
		k := lead.ContactKind(kind%3 + 0)
		cp, err := lead.ParseContact(k, raw, region)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		require.NotEmpty(t, cp.Raw)
		if cp.Parsed() {
			require.NotEmpty(t, cp.Normalized())
		} else {
			require.NotEmpty(t, cp.Problem)
			require.Empty(t, cp.Normalized())
		}
		in := validInput()
		in.Emails, in.Phones, in.DefaultRegion = nil, nil, region
		if k == lead.ContactEmail {
			in.Emails = []string{raw}
		} else {
			in.Phones = []string{raw}
		}
		l, err := lead.New(in, chg(0))
		require.NoError(t, err)
		require.Equal(t, []lead.ContactPoint{cp}, l.Contacts())
		back, err := lead.FromRecord(l.Record())
		require.NoError(t, err)
		require.Equal(t, l.Record(), back.Record())
	})
}

// FuzzProcessJSON: a process read from any JSON either fails to decode or
// validate, or moves leads only along its own table.
func FuzzProcessJSON(f *testing.F) {
	b, err := json.Marshal(lead.DefaultProcess("t"))
	require.NoError(f, err)
	f.Add(b)
	f.Add([]byte(`{"moves":{"new":["qualified"]},"disqualify_reasons":[]}`))
	f.Add([]byte(`{"moves":{"converted":["new"]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p lead.Process
		if json.Unmarshal(b, &p) != nil || p.Validate() != nil {
			return
		}
		for _, from := range lead.Stages() {
			for _, to := range p.Next(from) {
				require.True(t, to.Valid())
				require.NotEqual(t, from, to)
				require.NotEqual(t, lead.StageNew, to)
				if to == lead.StageConverted {
					require.Equal(t, lead.StageQualified, from)
				}
			}
		}
	})
}

// FuzzRouter: rules from any JSON either fail to build or assign a run of
// leads without panicking, without exceeding any capacity, leaving a state
// that validates and explaining every decision.
func FuzzRouter(f *testing.F) {
	f.Add([]byte(`{"people":[{"id":"a","capacity":2},{"id":"b","capacity":1,"weight":3}],"rules":[{"name":"r","people":["a","b"]}]}`), "north", uint8(5))
	f.Add([]byte(`{"people":[{"id":"a","capacity":0}],"rules":[{"name":"r","people":["a"]}]}`), "", uint8(1))
	f.Add([]byte(`{"people":[{"id":"a","capacity":9,"seniority":2,"skills":["x"]}],"rules":[{"name":"r","territory":{"regions":["North"],"min_size":5},"people":["a"],"match_skills":true,"min_seniority":1}],"key_prospect_seniority":3}`), "north", uint8(9))
	f.Fuzz(func(t *testing.T, rulesJSON []byte, region string, n uint8) {
		var rules lead.Rules
		if json.Unmarshal(rulesJSON, &rules) != nil {
			return
		}
		router, err := lead.NewRouter(rules, nil)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		capacity := map[crm.UserID]int{}
		for _, p := range rules.People {
			capacity[p.ID] = p.Capacity
		}
		st := lead.AssignmentState{}
		for i := range int(n % 32) {
			in := validInput()
			in.ID = nthID(i)
			in.Address.AdministrativeArea = region
			in.KeyProspect = i%3 == 0
			in.CompanySize = i * 7
			l, err := lead.New(in, chg(0))
			if err != nil {
				return // a region the address refuses
			}
			dec, next, err := router.Assign(st, l, t0)
			require.NoError(t, err)
			require.NotEmpty(t, dec.Why)
			if dec.Assigned {
				require.Less(t, st.OpenLeads(dec.Owner), capacity[dec.Owner])
			} else {
				require.Equal(t, st, next)
			}
			st = next
			require.NoError(t, st.Validate())
			for p, c := range capacity {
				require.LessOrEqual(t, st.OpenLeads(p), max(c, 0))
			}
		}
	})
}
