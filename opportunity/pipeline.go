package opportunity

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// The two terminal stages every pipeline has. They are not listed in
// [Pipeline.Stages]; an opportunity reaches them through [Opportunity.CloseWon]
// and [Opportunity.CloseLost].
const (
	StageWon  = "won"
	StageLost = "lost"
)

// Limits on pipelines.
const (
	MaxStages      = 64  // open stages in one pipeline
	MaxCodeLen     = 64  // bytes in a stage, pipeline, team or product code
	MaxLostReasons = 256 // entries in a pipeline's list of lost reasons
)

// machineName names the stage machine in transition errors.
const machineName = "opportunity stage"

// StageDef is one open stage of a [Pipeline].
type StageDef struct {
	// Code identifies the stage within the pipeline, e.g. "proposal".
	// Required; "won" and "lost" are reserved.
	Code string
	// Probability is the stage's default win probability, in [0, 1]. An
	// opportunity entering the stage takes it unless an override is set
	// later ([Opportunity.OverrideProbability]).
	Probability float64
	// Category is the stage's default forecast category; zero means
	// [CategoryPipeline]. CategoryClosed and CategoryOmitted are kept for
	// won and lost deals.
	Category ForecastCategory
	// Requires lists what an opportunity must have to enter this stage.
	// Requirements accumulate along the pipeline: entering a stage needs
	// what it and every earlier stage require ("an amount from proposal
	// on").
	Requires []Field
	// StaleAfter is how long an opportunity may sit in the stage before
	// it counts as stale; zero means never.
	StaleAfter time.Duration
}

// Pipeline is a team's sales process as data: ordered open stages, the
// moves allowed between them, and the rules for closing. The zero value is
// not valid; fill the fields and call [Pipeline.Validate] (every method of
// [Opportunity] that takes a pipeline validates it first).
//
// A Pipeline is read, never changed, by the package: it is safe for
// concurrent use as long as the caller does not change it.
//
// # Moves
//
// From an open stage an opportunity may move
//   - forward, skipping at most MaxSkip stages (0: only to the next stage);
//   - back to any earlier stage when AllowBack is set, always with a reason;
//   - to won, from WinFrom or any later stage (any stage when WinFrom is "");
//   - to lost, from any open stage, with a reason from LostReasons.
//
// From won or lost, [Opportunity.Reopen] moves it back to an open stage
// with a reason. Everything else is refused with a [*crm.TransitionError].
type Pipeline struct {
	// Code identifies the pipeline, e.g. "enterprise". Required.
	Code string
	// Team is the team whose pipeline this is; "" for the tenant's
	// default pipeline.
	Team string
	// Stages are the open stages in order. At least one is required.
	Stages []StageDef
	// MaxSkip is how many stages a forward move may skip.
	MaxSkip int
	// AllowBack allows moves to an earlier stage, each with a reason.
	AllowBack bool
	// WinFrom is the earliest stage from which an opportunity may be
	// closed as won; "" allows any stage.
	WinFrom string
	// WonRequires lists what closing as won needs besides the
	// requirements of every stage.
	WonRequires []Field
	// LostReasons is the host's list of lost reason codes; when empty any
	// non-empty reason is accepted.
	LostReasons []string
	// Calendar is the business calendar on which time in stage is also
	// measured; nil measures calendar time only (business time is 0).
	Calendar *calendar.Calendar
}

// Validate returns a *crm.ValidationError listing every problem of p, with
// field paths such as "stages[2].probability".
func (p *Pipeline) Validate() error {
	if p == nil {
		return crm.Invalid("opportunity.Pipeline", "", "must not be nil")
	}
	var v crm.Validator
	checkCode(&v, "code", p.Code, true)
	checkCode(&v, "team", p.Team, false)
	v.Check(len(p.Stages) > 0, "stages", "at least one stage is required")
	v.Check(len(p.Stages) <= MaxStages, "stages", fmt.Sprintf("more than %d stages", MaxStages))
	seen := make(map[string]bool, len(p.Stages))
	for i, s := range p.Stages {
		path := fmt.Sprintf("stages[%d]", i)
		checkCode(&v, path+".code", s.Code, true)
		v.Check(s.Code != StageWon && s.Code != StageLost, path+".code", "won and lost are reserved")
		v.Check(!seen[s.Code], path+".code", "duplicate stage "+quote(s.Code))
		seen[s.Code] = true
		v.Check(validProbability(s.Probability), path+".probability", "must be in [0, 1]")
		v.Check(s.Category == 0 || (s.Category.Valid() && s.Category != CategoryClosed && s.Category != CategoryOmitted),
			path+".category", "must be pipeline, best_case or commit")
		checkFields(&v, path+".requires", s.Requires)
		v.Check(s.StaleAfter >= 0, path+".stale_after", "must not be negative")
	}
	v.Check(p.MaxSkip >= 0, "max_skip", "must not be negative")
	v.Check(p.WinFrom == "" || seen[p.WinFrom], "win_from", "not a stage of the pipeline")
	checkFields(&v, "won_requires", p.WonRequires)
	v.Check(len(p.LostReasons) <= MaxLostReasons, "lost_reasons", "too many")
	reasons := make(map[string]bool, len(p.LostReasons))
	for i, r := range p.LostReasons {
		path := fmt.Sprintf("lost_reasons[%d]", i)
		checkCode(&v, path, r, true)
		v.Check(!reasons[r], path, "duplicate reason "+quote(r))
		reasons[r] = true
	}
	return v.Err("opportunity.Pipeline")
}

func checkFields(v *crm.Validator, path string, fs []Field) {
	for i, f := range fs {
		v.Check(f.Valid(), fmt.Sprintf("%s[%d]", path, i), "unknown field")
	}
}

// validProbability reports whether x is a probability: finite and in [0, 1].
func validProbability(x float64) bool { return x >= 0 && x <= 1 && !math.IsNaN(x) }

// checkCode records a problem unless s is a code: 1 to MaxCodeLen bytes of
// UTF-8 with no surrounding spaces ("" passes when not required).
func checkCode(v *crm.Validator, path, s string, required bool) {
	switch {
	case s == "":
		v.Check(!required, path, "must not be empty")
	case len(s) > MaxCodeLen:
		v.Addf(path, "longer than %d bytes", MaxCodeLen)
	case !utf8.ValidString(s) || strings.TrimSpace(s) != s:
		v.Addf(path, "not valid UTF-8 or has surrounding spaces")
	}
}

// quote quotes a short code for an error message, cutting long ones.
func quote(s string) string {
	if len(s) > MaxCodeLen {
		s = s[:MaxCodeLen] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// Index returns the position of the open stage code in the pipeline, or
// -1 when the pipeline has no such open stage.
func (p *Pipeline) Index(code string) int {
	if p == nil {
		return -1
	}
	return slices.IndexFunc(p.Stages, func(s StageDef) bool { return s.Code == code })
}

// Stage returns the open stage code.
func (p *Pipeline) Stage(code string) (StageDef, bool) {
	if i := p.Index(code); i >= 0 {
		return p.Stages[i], true
	}
	return StageDef{}, false
}

// Has reports whether code is a stage of p: one of its open stages, won or
// lost.
func (p *Pipeline) Has(code string) bool {
	return code == StageWon || code == StageLost || p.Index(code) >= 0
}

// Requirements returns what an opportunity needs to enter stage code: the
// requirements of that stage and of every earlier one, or for won those of
// every stage and WonRequires, each field once, in Field order. It returns
// nil for lost and for an unknown stage.
func (p *Pipeline) Requirements(code string) []Field {
	if p == nil {
		return nil
	}
	var last int
	switch code {
	case StageWon:
		last = len(p.Stages) - 1
	case StageLost:
		return nil
	default:
		last = p.Index(code)
	}
	if last < 0 {
		return nil
	}
	var set [256]bool
	for _, s := range p.Stages[:last+1] {
		for _, f := range s.Requires {
			set[f] = set[f] || f.Valid()
		}
	}
	if code == StageWon {
		for _, f := range p.WonRequires {
			set[f] = set[f] || f.Valid()
		}
	}
	var out []Field
	for _, f := range Fields() {
		if set[f] {
			out = append(out, f)
		}
	}
	return out
}

// Move is the verdict of [Pipeline.Check] on one move.
type Move struct {
	// Back is true for a move to an earlier open stage.
	Back bool
	// NeedsReason is true when the change must carry a reason: going back,
	// closing as lost and reopening.
	NeedsReason bool
}

// Check says whether the pipeline allows an opportunity to move from
// stage from to stage to (open stages, won or lost). A stage the pipeline
// lacks is a *crm.ValidationError (crm.ErrInvalid); a move the rules
// forbid is a *crm.TransitionError (crm.ErrInvalidTransition) saying why.
// Check does not look at required fields; see [Pipeline.Requirements].
func (p *Pipeline) Check(from, to string) (Move, error) {
	if p == nil {
		return Move{}, crm.Invalid("opportunity.Pipeline.Check", "", "no pipeline")
	}
	var v crm.Validator
	v.Check(p.Has(from), "from", "stage "+quote(from)+" is not in pipeline "+quote(p.Code))
	v.Check(p.Has(to), "to", "stage "+quote(to)+" is not in pipeline "+quote(p.Code))
	if err := v.Err("opportunity.Pipeline.Check"); err != nil {
		return Move{}, err
	}
	refuse := func(reason string) (Move, error) {
		return Move{}, &crm.TransitionError{Machine: machineName, From: from, To: to, Reason: reason}
	}
	fi, ti := p.Index(from), p.Index(to)
	switch {
	case from == to:
		return refuse("already in that stage")
	case fi < 0: // from won or lost
		if ti < 0 {
			return refuse("reopen to an open stage first")
		}
		return Move{NeedsReason: true}, nil
	case to == StageLost:
		return Move{NeedsReason: true}, nil
	case to == StageWon:
		if w := p.Index(p.WinFrom); p.WinFrom != "" && fi < w {
			return refuse("won only from " + p.WinFrom + " on")
		}
		return Move{}, nil
	case ti < fi:
		if !p.AllowBack {
			return refuse("the pipeline allows no move back")
		}
		return Move{Back: true, NeedsReason: true}, nil
	case ti-fi-1 > p.MaxSkip:
		return refuse(fmt.Sprintf("skips %d stages, the pipeline allows %d", ti-fi-1, p.MaxSkip))
	}
	return Move{}, nil
}

// Moves returns the stages the pipeline allows after from, open stages in
// order then won and lost: the transition table of the pipeline, row by
// row. It returns nil for a stage the pipeline lacks.
func (p *Pipeline) Moves(from string) []string {
	if p == nil || !p.Has(from) {
		return nil
	}
	var out []string
	for _, to := range p.codes() {
		if _, err := p.Check(from, to); err == nil {
			out = append(out, to)
		}
	}
	return out
}

// codes returns every stage code: the open stages, then won and lost.
func (p *Pipeline) codes() []string {
	out := make([]string, 0, len(p.Stages)+2)
	for _, s := range p.Stages {
		out = append(out, s.Code)
	}
	return append(out, StageWon, StageLost)
}

// lostReasonOK reports whether reason is acceptable as a lost reason.
func (p *Pipeline) lostReasonOK(reason string) bool {
	if len(p.LostReasons) == 0 {
		return strings.TrimSpace(reason) != ""
	}
	return slices.Contains(p.LostReasons, reason)
}

// businessTime returns the working time in [from, to) on the pipeline's
// calendar, 0 without one.
func (p *Pipeline) businessTime(from, to time.Time) time.Duration {
	if p == nil || p.Calendar == nil {
		return 0
	}
	return p.Calendar.Between(from, to)
}
