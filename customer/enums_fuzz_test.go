package customer_test

import (
	"bytes"
	"encoding"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// entTextEnum is a closed enum with a name and a text form.
type entTextEnum interface {
	~uint8
	String() string
	MarshalText() ([]byte, error)
}

// entFuzzEnum fuzzes one enum's parser. Invariants: no panic; a refusal
// matches crm.ErrInvalid; an accepted value re-parses from its String form
// to itself, and its text form round-trips through UnmarshalText.
func entFuzzEnum[T entTextEnum, P interface {
	*T
	encoding.TextUnmarshaler
}](f *testing.F, parse func(string) (T, error), values []T) {
	f.Helper()
	for _, v := range values {
		f.Add(v.String())
		f.Add(" " + v.String() + "\t")
	}
	for _, s := range []string{"", " ", "unknown", "0", "1", "\xff", "\x00", "ſ", "K"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parse(s)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			var u T
			require.Error(t, P(&u).UnmarshalText([]byte(s)))
			return
		}
		name := v.String()
		again, err := parse(name)
		require.NoError(t, err)
		require.Equal(t, v, again, "String(Parse(s)) is not stable")
		require.Equal(t, name, again.String())
		text, err := v.MarshalText()
		require.NoError(t, err)
		require.Equal(t, name, string(text))
		var u T
		require.NoError(t, P(&u).UnmarshalText(text))
		require.Equal(t, v, u)
		require.NoError(t, P(&u).UnmarshalText([]byte(s)))
		require.Equal(t, v, u, "UnmarshalText reads what Parse reads")
	})
}

func FuzzParseKind(f *testing.F) {
	entFuzzEnum[customer.Kind](f, customer.ParseKind, []customer.Kind{customer.Person, customer.Organization})
}

func FuzzParseRole(f *testing.F) { entFuzzEnum[customer.Role](f, customer.ParseRole, customer.Roles()) }

func FuzzParseChannel(f *testing.F) {
	entFuzzEnum[customer.Channel](f, customer.ParseChannel, customer.Channels())
}

func FuzzParseDirection(f *testing.F) {
	entFuzzEnum[customer.Direction](f, customer.ParseDirection, []customer.Direction{customer.Inbound, customer.Outbound})
}

func FuzzParseClass(f *testing.F) {
	entFuzzEnum[customer.Class](f, customer.ParseClass, []customer.Class{
		customer.Unclassified, customer.Stable, customer.NotYetStable, customer.PushHard,
		customer.StrengthenContact, customer.GeneralContact,
	})
}

func FuzzParseStage(f *testing.F) {
	entFuzzEnum[customer.Stage](f, customer.ParseStage, customer.Stages())
}

func FuzzParseLoyalty(f *testing.F) {
	entFuzzEnum[customer.Loyalty](f, customer.ParseLoyalty, customer.LoyaltyLadder())
}

func FuzzParseLifecycle(f *testing.F) {
	entFuzzEnum[customer.Lifecycle](f, customer.ParseLifecycle, customer.Lifecycles())
}

func FuzzParseVisitKind(f *testing.F) {
	entFuzzEnum[customer.VisitKind](f, customer.ParseVisitKind, []customer.VisitKind{customer.NewVisit, customer.ReturnVisit})
}

func FuzzParseVisitStatus(f *testing.F) {
	entFuzzEnum[customer.VisitStatus](f, customer.ParseVisitStatus, []customer.VisitStatus{
		customer.VisitPlanned, customer.VisitDone, customer.VisitCancelled, customer.VisitMissed,
	})
}

func FuzzParseHistoryKind(f *testing.F) {
	entFuzzEnum[customer.HistoryKind](f, customer.ParseHistoryKind, []customer.HistoryKind{
		customer.HistoryCreated, customer.HistoryStage, customer.HistoryLoyalty, customer.HistoryLifecycle,
		customer.HistoryOwner, customer.HistoryClass, customer.HistoryKeyAccount, customer.HistoryMerged,
		customer.HistoryErased, customer.HistoryConsent,
	})
}

func FuzzParseOp(f *testing.F) {
	entFuzzEnum[customer.Op](f, customer.ParseOp, []customer.Op{
		customer.OpEq, customer.OpNe, customer.OpIn, customer.OpNotIn, customer.OpContains, customer.OpPrefix,
		customer.OpGt, customer.OpGte, customer.OpLt, customer.OpLte, customer.OpExists, customer.OpNotExists,
	})
}

func FuzzParseMatch(f *testing.F) {
	entFuzzEnum[customer.Match](f, customer.ParseMatch, []customer.Match{customer.All, customer.Any})
}

// FuzzParsePick covers Pick, which has a name but no text marshalling.
func FuzzParsePick(f *testing.F) {
	for _, s := range []string{"survivor", "loser", "newest", "most_advanced", " NEWEST ", "", "keep", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := customer.ParsePick(s)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			return
		}
		again, err := customer.ParsePick(p.String())
		require.NoError(t, err)
		require.Equal(t, p, again)
		require.NoError(t, customer.Survivorship{Stage: p, Loyalty: p}.Validate(), "every parsed pick is usable for stages")
	})
}

// TestEnumsRefuseOutOfRangeValues checks the other half of a closed enum:
// values outside the allow-list are not valid and do not marshal.
func TestEnumsRefuseOutOfRangeValues(t *testing.T) {
	t.Parallel()
	marshalers := []struct {
		name string
		m    func(uint8) ([]byte, error)
		max  uint8
	}{
		{"kind", func(n uint8) ([]byte, error) { return customer.Kind(n).MarshalText() }, 2},
		{"role", func(n uint8) ([]byte, error) { return customer.Role(n).MarshalText() }, 6},
		{"channel", func(n uint8) ([]byte, error) { return customer.Channel(n).MarshalText() }, 8},
		{"direction", func(n uint8) ([]byte, error) { return customer.Direction(n).MarshalText() }, 2},
		{"class", func(n uint8) ([]byte, error) { return customer.Class(n).MarshalText() }, 6},
		{"stage", func(n uint8) ([]byte, error) { return customer.Stage(n).MarshalText() }, 5},
		{"loyalty", func(n uint8) ([]byte, error) { return customer.Loyalty(n).MarshalText() }, 6},
		{"lifecycle", func(n uint8) ([]byte, error) { return customer.Lifecycle(n).MarshalText() }, 4},
		{"visit kind", func(n uint8) ([]byte, error) { return customer.VisitKind(n).MarshalText() }, 2},
		{"visit status", func(n uint8) ([]byte, error) { return customer.VisitStatus(n).MarshalText() }, 4},
		{"history kind", func(n uint8) ([]byte, error) { return customer.HistoryKind(n).MarshalText() }, 10},
		{"op", func(n uint8) ([]byte, error) { return customer.Op(n).MarshalText() }, 12},
		{"match", func(n uint8) ([]byte, error) { return customer.Match(n).MarshalText() }, 2},
	}
	for _, m := range marshalers {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			for _, n := range []uint8{0, m.max + 1, 255} {
				_, err := m.m(n)
				require.ErrorIs(t, err, crm.ErrInvalid, "value %d", n)
			}
			for n := uint8(1); n <= m.max; n++ {
				_, err := m.m(n)
				require.NoError(t, err, "value %d", n)
			}
		})
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2024-02-29", "2023-02-29", "--02-29", "--13-01", "0000-01-01", "9999-12-31", "", "2024-1-1",
		"1980-05-04", "--00-00", "２０２４-01-01", "\xff\xff\xff\xff\xff\xff\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := customer.ParseDate(s)
		if err != nil {
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Equal(t, customer.Date{}, d)
			return
		}
		require.NoError(t, d.Validate())
		require.Equal(t, s, d.String(), "the two accepted forms are canonical")
		again, err := customer.ParseDate(d.String())
		require.NoError(t, err)
		require.Equal(t, d, again)
		text, err := d.MarshalText()
		require.NoError(t, err)
		var u customer.Date
		require.NoError(t, u.UnmarshalText(text))
		require.Equal(t, d, u)
	})
}

// FuzzSegmentJSON unmarshals arbitrary JSON into a Segment. Invariants: no
// panic; a segment that validates marshals, and its JSON form is stable
// from the first marshal on; matching never panics, valid or not.
func FuzzSegmentJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"vip","conditions":[{"field":"tag","op":"eq","value":"vip"}]}`,
		`{"name":"x","match":"any","conditions":[{"field":"fact.orders","op":"gte","value":"5"},{"field":"stage","op":"lt","value":"growth"}]}`,
		`{"conditions":[{"field":"role","op":"in","values":["dealer","owner"]}]}`,
		`{"conditions":[{"field":"attr.x","op":"not_exists"}]}`,
		`{"conditions":[{"field":"created_at","op":"gt","value":"2025-01-01T00:00:00Z"}]}`,
		`{"conditions":[{"field":"lifecycle","op":"lte","value":"NaN"}]}`,
		`{"conditions":[{"field":"consent.email","op":"eq","value":"true"}]}`,
		`{"conditions":[{"field":"nope","op":"ne","value":"x"}]}`,
		`{"match":"ALL","conditions":[]}`, `{}`, `null`, `[]`, `{"conditions":[{"op":"eq"}]}`,
	} {
		f.Add([]byte(s))
	}
	c := entSegmentCustomer(f)
	empty := entNew(f, func(in *customer.NewInput) { in.Emails, in.Phones, in.Addresses, in.TimeZone = nil, nil, nil, "" })
	f.Fuzz(func(t *testing.T, data []byte) {
		var seg customer.Segment
		if err := json.Unmarshal(data, &seg); err != nil {
			return
		}
		for _, x := range []*customer.Customer{c, empty} {
			_ = seg.Matches(x)
			_ = seg.MatchFacts(x, entFacts)
		}
		if seg.Validate() != nil {
			return
		}
		first, err := json.Marshal(seg)
		require.NoError(t, err)
		var back customer.Segment
		require.NoError(t, json.Unmarshal(first, &back))
		require.NoError(t, back.Validate())
		second, err := json.Marshal(back)
		require.NoError(t, err)
		require.True(t, bytes.Equal(first, second), "unstable JSON:\n%s\n%s", first, second)
		var again customer.Segment
		require.NoError(t, json.Unmarshal(second, &again))
		require.Equal(t, back, again)
		for _, x := range []*customer.Customer{c, empty} {
			require.Equal(t, seg.MatchFacts(x, entFacts), back.MatchFacts(x, entFacts), "the round trip changed the meaning")
		}
	})
}
