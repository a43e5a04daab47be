package lead

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// machineName names the stage machine in transition errors.
const machineName = "lead stage"

// MaxDisqualifyReasons bounds a process's list of disqualification reasons.
const MaxDisqualifyReasons = 100

// Process is one team's lead stages as data: which moves are allowed and
// the reasons a lead may be disqualified for. Different teams may work
// leads differently (a team without nurturing, a team that qualifies on
// the first call). It is plain data, safe for concurrent use while nobody
// changes it; check it with [Process.Validate] when loading it.
type Process struct {
	// Team names the team; a lead follows the process of its own team.
	Team string `json:"team"`
	// Moves lists, for each stage, the stages a lead may move to.
	Moves map[Stage][]Stage `json:"moves"`
	// DisqualifyReasons are the reason codes a disqualification may give
	// (the host's list, e.g. "no_budget", "competitor", "spam").
	DisqualifyReasons []string `json:"disqualify_reasons"`
}

// DefaultProcess returns the standard process for team:
//
//	new       → contacted | disqualified
//	contacted → nurturing | qualified | disqualified
//	nurturing → contacted | qualified | disqualified
//	qualified → converted | nurturing | disqualified
//	disqualified → nurturing   (put back to nurture)
//	converted → (none)
//
// with the reasons "no_budget", "no_need", "no_authority", "competitor",
// "unreachable", "spam" and "duplicate".
func DefaultProcess(team string) Process {
	return Process{
		Team: team,
		Moves: map[Stage][]Stage{
			StageNew:          {StageContacted, StageDisqualified},
			StageContacted:    {StageNurturing, StageQualified, StageDisqualified},
			StageNurturing:    {StageContacted, StageQualified, StageDisqualified},
			StageQualified:    {StageConverted, StageNurturing, StageDisqualified},
			StageDisqualified: {StageNurturing},
		},
		DisqualifyReasons: []string{"no_budget", "no_need", "no_authority", "competitor", "unreachable", "spam", "duplicate"},
	}
}

// Validate returns a *crm.ValidationError listing every problem with p:
// unknown stages, a stage moving to itself, StageConverted entered from
// anything but StageQualified or left at all (conversion is final), moves to
// StageDisqualified without any reason to give, blank, repeated or overlong
// reason codes.
func (p Process) Validate() error {
	var v crm.Validator
	checkTeam(&v, p.Team)
	toDisq := false
	for _, from := range slices.Sorted(maps.Keys(p.Moves)) {
		path := "moves." + from.String()
		v.Check(from.Valid(), path, "unknown stage")
		v.Check(from != StageConverted || len(p.Moves[from]) == 0, path, "converted is final")
		for i, to := range p.Moves[from] {
			tp := fmt.Sprintf("%s[%d]", path, i)
			v.Check(to.Valid(), tp, "unknown stage")
			v.Check(to != from, tp, "a stage cannot move to itself")
			v.Check(to != StageConverted || from == StageQualified, tp, "only a qualified lead is converted")
			v.Check(to != StageNew, tp, "no lead goes back to new")
			toDisq = toDisq || to == StageDisqualified
		}
	}
	v.Check(!toDisq || len(p.DisqualifyReasons) > 0, "disqualify_reasons", "needed when leads may be disqualified")
	v.Check(len(p.DisqualifyReasons) <= MaxDisqualifyReasons, "disqualify_reasons", "too many")
	seen := map[string]bool{}
	for i, r := range p.DisqualifyReasons {
		path := fmt.Sprintf("disqualify_reasons[%d]", i)
		switch {
		case strings.TrimSpace(r) != r || r == "":
			v.Addf(path, "must be non-blank without surrounding spaces")
		case len(r) > MaxReasonCodeLen || !utf8.ValidString(r) || strings.ContainsFunc(r, unicode.IsControl):
			v.Addf(path, "must be at most %d bytes of printable UTF-8", MaxReasonCodeLen)
		case seen[r]:
			v.Addf(path, "duplicate reason %.64q", r)
		}
		seen[r] = true
	}
	return v.Err("lead.Process")
}

// CanMove reports whether p lists from → to.
func (p *Process) CanMove(from, to Stage) bool { return slices.Contains(p.Moves[from], to) }

// Next returns the stages p lists after from.
func (p *Process) Next(from Stage) []Stage { return slices.Clone(p.Moves[from]) }

// refuse returns the transition error for from -> to with reason.
func refuse(from, to Stage, reason string) error {
	return &crm.TransitionError{Machine: machineName, From: from.String(), To: to.String(), Reason: reason}
}
