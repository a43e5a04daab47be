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
		"current_owner", "trade_show", "lead", "customer", "link_customer", "period", "owner", "week", "", "stage(7)", "\xff"} {
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
		var a lead.Action
		if a.UnmarshalText([]byte(s)) == nil {
			b, err := a.MarshalText()
			require.NoError(t, err)
			var again lead.Action
			require.NoError(t, again.UnmarshalText(b))
			require.Equal(t, a, again)
		}
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
