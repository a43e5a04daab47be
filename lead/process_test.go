package lead_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/lead"
)

// expectedMoves is written out from the documented diagram (doc.go,
// DefaultProcess), not derived from the package's table. Converted is
// reached only by MarkConverted, so Move refuses it everywhere.
var expectedMoves = map[lead.Stage][]lead.Stage{
	lead.StageNew:          {lead.StageContacted, lead.StageDisqualified},
	lead.StageContacted:    {lead.StageNurturing, lead.StageQualified, lead.StageDisqualified},
	lead.StageNurturing:    {lead.StageContacted, lead.StageQualified, lead.StageDisqualified},
	lead.StageQualified:    {lead.StageNurturing, lead.StageDisqualified},
	lead.StageDisqualified: {lead.StageNurturing},
}

func TestMoveCrossProduct(t *testing.T) {
	t.Parallel()
	for _, from := range lead.Stages() {
		for _, to := range lead.Stages() {
			t.Run(from.String()+"->"+to.String(), func(t *testing.T) {
				t.Parallel()
				l, m := atStage(t, from)
				p := lead.DefaultProcess("")
				ch := chg(m + 1)
				if to == lead.StageDisqualified {
					ch.Reason = "no_budget"
				}
				before := l.Record()
				err := l.Move(&p, to, ch)
				if slices.Contains(expectedMoves[from], to) {
					require.NoError(t, err)
					require.Equal(t, to, l.Stage())
					h := l.PendingHistory()
					require.Len(t, h, 1)
					require.Equal(t, lead.HistoryStage, h[0].Kind)
					require.Equal(t, from.String(), h[0].From)
					require.Equal(t, to.String(), h[0].To)
					ev := l.Events()
					require.Len(t, ev, 1)
					require.Equal(t, lead.EventStageChanged, ev[0].Type)
					require.Equal(t, lead.StageChanged{From: from, To: to, Reason: ch.Reason}, ev[0].Data)
					require.Equal(t, !to.Open(), !l.ClosedAt().IsZero())
					if to == lead.StageDisqualified {
						require.Equal(t, "no_budget", l.DisqualifyReason())
					} else {
						require.Empty(t, l.DisqualifyReason())
					}
					_, err := lead.FromRecord(l.Record())
					require.NoError(t, err, "every allowed move leaves a storable lead")
					return
				}
				require.ErrorIs(t, err, crm.ErrInvalidTransition)
				var te *crm.TransitionError
				require.ErrorAs(t, err, &te)
				require.Equal(t, from.String(), te.From)
				require.Equal(t, to.String(), te.To)
				require.Equal(t, before, l.Record())
				require.Empty(t, l.PendingHistory())
				require.Empty(t, l.Events())
			})
		}
	}
}

func TestMoveRefusesWhatAnUnvalidatedProcessLists(t *testing.T) {
	t.Parallel()
	bad := lead.Process{Moves: map[lead.Stage][]lead.Stage{
		lead.StageNew:       {0, 99},
		lead.StageContacted: {lead.StageNew},
	}}
	require.Error(t, bad.Validate())
	for _, to := range []lead.Stage{0, 99} {
		l, m := atStage(t, lead.StageNew)
		before := l.Record()
		require.ErrorIs(t, l.Move(&bad, to, chg(m+1)), crm.ErrInvalidTransition)
		require.Equal(t, before, l.Record())
	}
	l, m := atStage(t, lead.StageContacted)
	require.ErrorIs(t, l.Move(&bad, lead.StageNew, chg(m+1)), crm.ErrInvalidTransition)
}

func TestDisqualifyNeedsReasonFromList(t *testing.T) {
	t.Parallel()
	p := lead.DefaultProcess("")
	for _, reason := range []string{"", "bored", "No_Budget"} {
		l, m := atStage(t, lead.StageContacted)
		ch := chg(m + 1)
		ch.Reason = reason
		before := l.Record()
		err := l.Move(&p, lead.StageDisqualified, ch)
		var ve *crm.ValidationError
		require.ErrorAs(t, err, &ve, reason)
		require.True(t, ve.Has("change.reason"))
		require.Equal(t, before, l.Record())
	}
}

func TestMoveRefusesOtherTeamsProcessAndTimeTravel(t *testing.T) {
	t.Parallel()
	l, m := atStage(t, lead.StageNew)
	other := lead.DefaultProcess("key accounts")
	err := l.Move(&other, lead.StageContacted, chg(m+1))
	require.ErrorIs(t, err, crm.ErrInvalid)
	p := lead.DefaultProcess("")
	require.ErrorIs(t, l.Move(nil, lead.StageContacted, chg(m+1)), crm.ErrInvalid)
	l2, m2 := atStage(t, lead.StageContacted)
	require.ErrorIs(t, l2.Move(&p, lead.StageQualified, chg(m2-1)), crm.ErrInvalid, "before the last change")
}

func TestNurtureBackAfterDisqualification(t *testing.T) {
	t.Parallel()
	l, m := atStage(t, lead.StageDisqualified)
	p := lead.DefaultProcess("")
	require.NoError(t, l.Move(&p, lead.StageNurturing, chg(m+1)))
	require.True(t, l.ClosedAt().IsZero())
	require.Empty(t, l.DisqualifyReason())
	require.False(t, l.ReachedAt(lead.StageDisqualified).IsZero(), "the funnel still sees it was disqualified once")
	require.True(t, l.FirstContactAt().IsZero(), "disqualified from new without contact")
}

func TestTeamProcessAsData(t *testing.T) {
	t.Parallel()
	// A team that qualifies on the first call and keeps no nurture stage.
	fast := lead.Process{
		Team: "inside sales",
		Moves: map[lead.Stage][]lead.Stage{
			lead.StageNew:       {lead.StageQualified, lead.StageDisqualified},
			lead.StageQualified: {lead.StageConverted, lead.StageDisqualified},
		},
		DisqualifyReasons: []string{"spam"},
	}
	require.NoError(t, fast.Validate())
	in := validInput()
	in.Team = "inside sales"
	l, err := lead.New(in, chg(0))
	require.NoError(t, err)
	require.NoError(t, l.Move(&fast, lead.StageQualified, chg(1)))
	require.Equal(t, t0.Add(time.Minute), l.FirstContactAt(), "qualifying from new is a first contact")
	require.ErrorIs(t, l.Move(&fast, lead.StageNurturing, chg(2)), crm.ErrInvalidTransition)
}

func TestProcessValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, lead.DefaultProcess("x").Validate())
	cases := []struct {
		name string
		mod  func(*lead.Process)
		path string
	}{
		{"unknown from", func(p *lead.Process) { p.Moves[99] = []lead.Stage{lead.StageNew} }, "moves.stage(99)"},
		{"unknown to", func(p *lead.Process) { p.Moves[lead.StageNew] = []lead.Stage{42} }, "moves.new[0]"},
		{"self move", func(p *lead.Process) { p.Moves[lead.StageNew] = []lead.Stage{lead.StageNew} }, "moves.new[0]"},
		{"convert from contacted", func(p *lead.Process) {
			p.Moves[lead.StageContacted] = []lead.Stage{lead.StageConverted}
		}, "moves.contacted[0]"},
		{"leave converted", func(p *lead.Process) {
			p.Moves[lead.StageConverted] = []lead.Stage{lead.StageNurturing}
		}, "moves.converted"},
		{"back to new", func(p *lead.Process) { p.Moves[lead.StageContacted] = []lead.Stage{lead.StageNew} }, "moves.contacted[0]"},
		{"no reasons", func(p *lead.Process) { p.DisqualifyReasons = nil }, "disqualify_reasons"},
		{"blank reason", func(p *lead.Process) { p.DisqualifyReasons = []string{" "} }, "disqualify_reasons[0]"},
		{"repeated reason", func(p *lead.Process) { p.DisqualifyReasons = []string{"a", "a"} }, "disqualify_reasons[1]"},
		{"NUL in reason", func(p *lead.Process) { p.DisqualifyReasons = []string{"a\x00b"} }, "disqualify_reasons[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := lead.DefaultProcess("")
			tc.mod(&p)
			var ve *crm.ValidationError
			require.ErrorAs(t, p.Validate(), &ve)
			require.True(t, ve.Has(tc.path), "want %s in %v", tc.path, ve)
		})
	}
}

func TestRulesAndProcessJSONRoundTrip(t *testing.T) {
	t.Parallel()
	p := lead.DefaultProcess("east")
	b, err := json.Marshal(p)
	require.NoError(t, err)
	require.Contains(t, string(b), `"qualified":["converted","nurturing","disqualified"]`)
	var back lead.Process
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, p, back)
	require.NoError(t, back.Validate())

	rules := lead.Rules{
		People:               []lead.Person{{ID: "a", Weight: 2, Capacity: 5, Seniority: 3, Skills: []string{"x"}, Languages: []string{"en"}, Calendar: "c"}},
		Rules:                []lead.Rule{{Name: "r", Territory: lead.Territory{Countries: []string{"CN"}, PostcodePrefixes: []string{"20"}, MinSize: 10}, People: []crm.UserID{"a"}, MatchSkills: true}},
		KeyProspectSeniority: 2,
	}
	b, err = json.Marshal(rules)
	require.NoError(t, err)
	var rb lead.Rules
	require.NoError(t, json.Unmarshal(b, &rb))
	require.Equal(t, rules, rb)
	var bad lead.Process
	require.Error(t, json.Unmarshal([]byte(`{"moves":{"limbo":["new"]}}`), &bad), "unknown stage names are refused at the boundary")
}
