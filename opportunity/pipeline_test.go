package opportunity_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
)

// TestPipelineEveryMove checks every pair of stages of two pipelines
// against tables worked out by hand.
func TestPipelineEveryMove(t *testing.T) {
	t.Parallel()
	loose := testPipeline(t)
	strict := &opportunity.Pipeline{Code: "smb", Stages: loose.Stages} // no skip, no back, won from anywhere
	require.NoError(t, strict.Validate())
	all := []string{"qualify", "needs", "proposal", "negotiation", "won", "lost"}
	tests := []struct {
		name    string
		p       *opportunity.Pipeline
		allowed map[string][]string
		reason  map[string][]string // allowed moves that need a reason
	}{
		{
			name: "skip one, back allowed, won from proposal",
			p:    loose,
			allowed: map[string][]string{
				"qualify":     {"needs", "proposal", "lost"},
				"needs":       {"qualify", "proposal", "negotiation", "lost"},
				"proposal":    {"qualify", "needs", "negotiation", "won", "lost"},
				"negotiation": {"qualify", "needs", "proposal", "won", "lost"},
				"won":         {"qualify", "needs", "proposal", "negotiation"},
				"lost":        {"qualify", "needs", "proposal", "negotiation"},
			},
			reason: map[string][]string{
				"qualify":     {"lost"},
				"needs":       {"qualify", "lost"},
				"proposal":    {"qualify", "needs", "lost"},
				"negotiation": {"qualify", "needs", "proposal", "lost"},
				"won":         {"qualify", "needs", "proposal", "negotiation"},
				"lost":        {"qualify", "needs", "proposal", "negotiation"},
			},
		},
		{
			name: "next stage only, no way back, won from anywhere",
			p:    strict,
			allowed: map[string][]string{
				"qualify":     {"needs", "won", "lost"},
				"needs":       {"proposal", "won", "lost"},
				"proposal":    {"negotiation", "won", "lost"},
				"negotiation": {"won", "lost"},
				"won":         {"qualify", "needs", "proposal", "negotiation"},
				"lost":        {"qualify", "needs", "proposal", "negotiation"},
			},
			reason: map[string][]string{
				"qualify": {"lost"}, "needs": {"lost"}, "proposal": {"lost"}, "negotiation": {"lost"},
				"won":  {"qualify", "needs", "proposal", "negotiation"},
				"lost": {"qualify", "needs", "proposal", "negotiation"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, from := range all {
				require.Equal(t, tt.allowed[from], tt.p.Moves(from), "moves from %s", from)
				for _, to := range all {
					mv, err := tt.p.Check(from, to)
					if !contains(tt.allowed[from], to) {
						require.ErrorIs(t, err, crm.ErrInvalidTransition, "%s -> %s", from, to)
						var te *crm.TransitionError
						require.ErrorAs(t, err, &te)
						require.Equal(t, from, te.From)
						require.Equal(t, to, te.To)
						require.NotEmpty(t, te.Reason)
						continue
					}
					require.NoError(t, err, "%s -> %s", from, to)
					require.Equal(t, contains(tt.reason[from], to), mv.NeedsReason, "%s -> %s needs a reason", from, to)
				}
			}
		})
	}
}

func contains(s []string, x string) bool {
	for _, e := range s {
		if e == x {
			return true
		}
	}
	return false
}

func TestPipelineUnknownStage(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	for _, tc := range []struct{ name, from, to, path string }{
		{"unknown target", "qualify", "demo", "to"},
		{"unknown origin", "demo", "needs", "from"},
		{"case matters", "qualify", "Needs", "to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.Check(tc.from, tc.to)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), err.Error())
			require.Nil(t, p.Moves("demo"))
		})
	}
}

func TestPipelineRequirementsAccumulate(t *testing.T) {
	t.Parallel()
	p := testPipeline(t)
	p.WonRequires = []opportunity.Field{opportunity.FieldLines}
	F := func(fs ...opportunity.Field) []opportunity.Field { return fs }
	tests := []struct {
		stage string
		want  []opportunity.Field
	}{
		{"qualify", nil},
		{"needs", F(opportunity.FieldContact)},
		{"proposal", F(opportunity.FieldAmount, opportunity.FieldCloseDate, opportunity.FieldContact)},
		{"negotiation", F(opportunity.FieldAmount, opportunity.FieldCloseDate, opportunity.FieldDecisionMaker,
			opportunity.FieldContact, opportunity.FieldApproval)},
		{"won", F(opportunity.FieldAmount, opportunity.FieldLines, opportunity.FieldCloseDate,
			opportunity.FieldDecisionMaker, opportunity.FieldContact, opportunity.FieldApproval)},
		{"lost", nil},
		{"nowhere", nil},
	}
	for _, tt := range tests {
		t.Run(tt.stage, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, p.Requirements(tt.stage))
		})
	}
}

func TestPipelineValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(p *opportunity.Pipeline)
		paths []string
	}{
		{"no code", func(p *opportunity.Pipeline) { p.Code = "" }, []string{"code"}},
		{"no stages", func(p *opportunity.Pipeline) { p.Stages = nil; p.WinFrom = "" }, []string{"stages"}},
		{"reserved won", func(p *opportunity.Pipeline) { p.Stages[1].Code = "won" }, []string{"stages[1].code"}},
		{"reserved lost", func(p *opportunity.Pipeline) { p.Stages[0].Code = "lost" }, []string{"stages[0].code"}},
		{"duplicate stage", func(p *opportunity.Pipeline) { p.Stages[1].Code = "qualify" }, []string{"stages[1].code"}},
		{"probability above 1", func(p *opportunity.Pipeline) { p.Stages[2].Probability = 1.01 }, []string{"stages[2].probability"}},
		{"probability below 0", func(p *opportunity.Pipeline) { p.Stages[2].Probability = -0.1 }, []string{"stages[2].probability"}},
		{"probability NaN", func(p *opportunity.Pipeline) { p.Stages[0].Probability = math.NaN() }, []string{"stages[0].probability"}},
		{"closed category", func(p *opportunity.Pipeline) { p.Stages[0].Category = opportunity.CategoryClosed }, []string{"stages[0].category"}},
		{"unknown field", func(p *opportunity.Pipeline) { p.Stages[0].Requires = []opportunity.Field{99} }, []string{"stages[0].requires[0]"}},
		{"negative staleness", func(p *opportunity.Pipeline) { p.Stages[3].StaleAfter = -time.Hour }, []string{"stages[3].stale_after"}},
		{"negative skip", func(p *opportunity.Pipeline) { p.MaxSkip = -1 }, []string{"max_skip"}},
		{"win from unknown stage", func(p *opportunity.Pipeline) { p.WinFrom = "demo" }, []string{"win_from"}},
		{"duplicate lost reason", func(p *opportunity.Pipeline) { p.LostReasons = []string{"price", "price"} }, []string{"lost_reasons[1]"}},
		{"spaces in a code", func(p *opportunity.Pipeline) { p.Stages[0].Code = " qualify" }, []string{"stages[0].code"}},
		{"too many stages", func(p *opportunity.Pipeline) {
			p.Stages = nil
			for i := range opportunity.MaxStages + 1 {
				p.Stages = append(p.Stages, opportunity.StageDef{Code: fmt.Sprint("s", i)})
			}
			p.WinFrom = ""
		}, []string{"stages"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := testPipeline(t)
			p.Stages = append([]opportunity.StageDef(nil), p.Stages...)
			tt.edit(p)
			err := p.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			for _, path := range tt.paths {
				require.True(t, ve.Has(path), "want %s in %v", path, err)
			}
		})
	}
	var nilPipeline *opportunity.Pipeline
	require.ErrorIs(t, nilPipeline.Validate(), crm.ErrInvalid)
}

// TestPipelineUnvalidated calls the pipeline's methods on nil and on a
// pipeline that was never validated: errors and empty answers, no panic.
func TestPipelineUnvalidated(t *testing.T) {
	t.Parallel()
	var nilP *opportunity.Pipeline
	_, err := nilP.Check("a", "b")
	require.ErrorIs(t, err, crm.ErrInvalid)
	require.Nil(t, nilP.Moves("a"))
	require.Nil(t, nilP.Requirements("won"))
	require.Equal(t, -1, nilP.Index("a"))
	require.False(t, nilP.Has("a"))
	bad := &opportunity.Pipeline{Stages: []opportunity.StageDef{{Code: "a", Requires: []opportunity.Field{200, opportunity.FieldAmount}}},
		WonRequires: []opportunity.Field{255}}
	require.Equal(t, []opportunity.Field{opportunity.FieldAmount}, bad.Requirements("won"))
	o := newOpp(t, testPipeline(t))
	require.ErrorIs(t, o.MoveStage(nilP, "needs", chAt(time.Hour, "")), crm.ErrInvalid)
	require.ErrorIs(t, o.MoveStage(bad, "a", chAt(time.Hour, "")), crm.ErrInvalid)
	require.ErrorIs(t, o.CloseLost(nilP, opportunity.LostDetails{Reason: "price"}, chAt(time.Hour, "")), crm.ErrInvalid)
	require.ErrorIs(t, o.CloseWon(nilP, opportunity.WonDetails{ContractDate: date(2026, 3, 2), Contract: "x"}, chAt(time.Hour, "")), crm.ErrInvalid)
	require.ErrorIs(t, o.Reopen(nilP, "", chAt(time.Hour, "x")), crm.ErrInvalid)
	cal, bus := o.TimeInStage(nilP, t0.Add(time.Hour))
	require.Equal(t, time.Hour, cal)
	require.Zero(t, bus)
	require.False(t, o.Stale(nilP, t0.Add(1000*time.Hour)))
}
