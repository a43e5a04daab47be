package scoring

import (
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"

	"github.com/crmkit/crm"
)

// Bounds of a predicted win probability, in percent: a prediction is never
// exactly 0 or 100, since history never proves a lead certain to win or to
// lose.
const (
	MinWinPercent = 0.01
	MaxWinPercent = 99.99
)

// MaxSmoothing bounds NaiveBayesOptions.Smoothing.
const MaxSmoothing = 1e6

// LeadOutcome is one closed lead (or opportunity) of the history a
// [LeadModel] learns from.
type LeadOutcome struct {
	// Team is the sales team that worked the lead; "" is a team too (no
	// team).
	Team string
	// Stage is the furthest pipeline stage the lead reached; it must be
	// one of NaiveBayesOptions.Stages, or "" when the model has no stages.
	Stage string
	// Fields are the lead's field values (source, industry, country…);
	// fields the model does not learn from are ignored, missing fields
	// count for nothing.
	Fields map[string]string
	// Won is true for a won lead, false for a lost one.
	Won bool
}

// NaiveBayesOptions configure [TrainLeadModel].
type NaiveBayesOptions struct {
	// Fields are the names of the fields to learn from; at least one,
	// unique, non-empty.
	Fields []string
	// Stages are the pipeline stages in order, first to last; may be
	// empty (one model for all stages).
	Stages []string
	// Smoothing is the additive (Laplace) smoothing α added to every
	// count, at most MaxSmoothing; 0 means 1. Larger values pull
	// predictions toward the prior.
	Smoothing float64
	// MinTeamOutcomes is the number of outcomes a team needs at a stage to
	// get its own table there; with fewer, predictions for the team use the
	// table of all teams. 0 means 1.
	MinTeamOutcomes int
}

// LeadModel is a frequency-based naive Bayes model of lead wins, learned
// per team and, within a team, per stage. Build one with [TrainLeadModel];
// it is immutable and safe for concurrent use.
//
// Counting is cumulative by stage: an outcome that reached stage k counts
// in the tables of stages 0 to k, so the table of stage s holds every lead
// that got at least that far, and a prediction for a lead at stage s learns
// only from leads that reached s, won or lost afterwards.
type LeadModel struct {
	fields   []string
	stages   []string
	stageIdx map[string]int
	alpha    float64
	minTeam  int
	teams    map[string][]*nbTable // team → table per stage
	pooled   []*nbTable            // all teams, per stage
}

// nbTable holds the counts of one team (or all teams) at one stage.
type nbTable struct {
	outcomes [2]int // lost, won
	fields   []nbField
}

// nbField holds one field's counts: per value, and in total.
type nbField struct {
	total  [2]int             // outcomes where the field was set: lost, won
	values map[string]*[2]int // value → lost, won
}

func newNBTable(fields int) *nbTable {
	t := &nbTable{fields: make([]nbField, fields)}
	for i := range t.fields {
		t.fields[i].values = make(map[string]*[2]int)
	}
	return t
}

func (t *nbTable) add(o *LeadOutcome, fields []string, won int) {
	t.outcomes[won]++
	for i, f := range fields {
		v, ok := o.Fields[f]
		if !ok {
			continue
		}
		nf := &t.fields[i]
		nf.total[won]++
		c := nf.values[v]
		if c == nil {
			c = new([2]int)
			nf.values[v] = c
		}
		c[won]++
	}
}

// TrainLeadModel learns a model from closed leads. It refuses invalid
// options, an empty history, and an outcome whose stage is not one of the
// options' stages.
func TrainLeadModel(history iter.Seq[LeadOutcome], opts NaiveBayesOptions) (*LeadModel, error) {
	const op = "scoring.TrainLeadModel"
	var v crm.Validator
	v.Check(len(opts.Fields) > 0, "fields", "must not be empty")
	seen := make(map[string]bool)
	for i, f := range opts.Fields {
		p := fmt.Sprintf("fields[%d]", i)
		if v.Check(f != "", p, "must not be empty") {
			v.Check(!seen[f], p, "duplicate field "+strconv.Quote(f))
			seen[f] = true
		}
	}
	m := &LeadModel{
		fields:   slices.Clone(opts.Fields),
		stages:   slices.Clone(opts.Stages),
		stageIdx: make(map[string]int),
		alpha:    opts.Smoothing,
		minTeam:  opts.MinTeamOutcomes,
		teams:    make(map[string][]*nbTable),
	}
	for i, s := range opts.Stages {
		p := fmt.Sprintf("stages[%d]", i)
		if v.Check(s != "", p, "must not be empty") {
			_, dup := m.stageIdx[s]
			v.Check(!dup, p, "duplicate stage "+strconv.Quote(s))
			m.stageIdx[s] = i
		}
	}
	if m.alpha == 0 {
		m.alpha = 1
	}
	v.Check(finiteVal(m.alpha) && m.alpha > 0 && m.alpha <= MaxSmoothing, "smoothing", fmt.Sprintf("must be greater than 0 and at most %g", float64(MaxSmoothing)))
	if m.minTeam == 0 {
		m.minTeam = 1
	}
	v.Check(m.minTeam > 0, "min_team_outcomes", "must not be negative")
	if err := v.Err(op); err != nil {
		return nil, err
	}
	nStages := max(1, len(m.stages))
	m.pooled = make([]*nbTable, nStages)
	for i := range m.pooled {
		m.pooled[i] = newNBTable(len(m.fields))
	}
	n := 0
	for o := range history {
		k, err := m.stageOf(o.Stage)
		if err != nil {
			return nil, fmt.Errorf("scoring: train lead model: outcome %d: %w", n, err)
		}
		tabs := m.teams[o.Team]
		if tabs == nil {
			tabs = make([]*nbTable, nStages)
			m.teams[o.Team] = tabs
		}
		won := 0
		if o.Won {
			won = 1
		}
		for s := 0; s <= k; s++ {
			if tabs[s] == nil {
				tabs[s] = newNBTable(len(m.fields))
			}
			tabs[s].add(&o, m.fields, won)
			m.pooled[s].add(&o, m.fields, won)
		}
		n++
	}
	if n == 0 {
		return nil, crm.Invalid(op, "history", "must not be empty")
	}
	return m, nil
}

// stageOf returns the index of stage s.
func (m *LeadModel) stageOf(s string) (int, error) {
	if len(m.stages) == 0 {
		if s != "" {
			return 0, crm.Invalid("scoring.LeadModel", "stage", "the model has no stages; leave stage empty")
		}
		return 0, nil
	}
	k, ok := m.stageIdx[s]
	if !ok {
		return 0, crm.Invalid("scoring.LeadModel", "stage", "unknown stage "+strconv.Quote(s))
	}
	return k, nil
}

// LeadQuery is an open lead to predict.
type LeadQuery struct {
	Team   string
	Stage  string
	Fields map[string]string
}

// FieldEvidence explains what one field said about a prediction.
type FieldEvidence struct {
	// Field and Value are the lead's field and its value.
	Field, Value string
	// Won and Lost count the history's won and lost leads with this value
	// in the table used.
	Won, Lost int
	// LogOdds is the field's weight of evidence, added to the prior
	// log-odds: ln P(value | won) − ln P(value | lost). Positive favours
	// winning.
	LogOdds float64
	// Used is false when the value was never seen in the table used (or
	// the field is unset); such a field adds nothing.
	Used bool
}

// WinPrediction is a predicted win probability, explained.
type WinPrediction struct {
	// Percent is the win probability in percent, within
	// [MinWinPercent, MaxWinPercent].
	Percent float64
	// Team is the team whose table was used; Pooled is true when the
	// table of all teams was used instead (team unknown or with too little
	// history at the stage).
	Team   string
	Pooled bool
	// Won and Lost count the history in the table used.
	Won, Lost int
	// PriorLogOdds is ln((Won+α)/(Lost+α)), the log-odds before the
	// fields.
	PriorLogOdds float64
	// Evidence has one entry per model field, in the model's field order.
	Evidence []FieldEvidence
}

// Predict returns the win probability of a lead at its stage:
//
//	log-odds = ln((W+α)/(L+α)) + Σ_f [ln P(v_f | won) − ln P(v_f | lost)]
//	P(v | won) = (won leads with v + α) / (won leads with the field set + α·K)
//
// where W and L count the won and lost leads of the table, α is the
// smoothing and K the number of distinct values of the field in the table;
// likewise for lost. The probability 1/(1+e^(−log-odds)) is returned in
// percent, bounded to [MinWinPercent, MaxWinPercent]. Values never seen in
// the table are skipped. It refuses an unknown stage.
func (m *LeadModel) Predict(q LeadQuery) (WinPrediction, error) {
	k, err := m.stageOf(q.Stage)
	if err != nil {
		return WinPrediction{}, fmt.Errorf("scoring: predict: %w", err)
	}
	t, pooled := m.pooled[k], true
	if tabs := m.teams[q.Team]; tabs != nil && tabs[k] != nil && tabs[k].outcomes[0]+tabs[k].outcomes[1] >= m.minTeam {
		t, pooled = tabs[k], false
	}
	a := m.alpha
	p := WinPrediction{Pooled: pooled, Lost: t.outcomes[0], Won: t.outcomes[1], Evidence: make([]FieldEvidence, len(m.fields))}
	if !pooled {
		p.Team = q.Team
	}
	p.PriorLogOdds = math.Log(float64(p.Won)+a) - math.Log(float64(p.Lost)+a)
	logOdds := p.PriorLogOdds
	for i, f := range m.fields {
		e := FieldEvidence{Field: f}
		val, ok := q.Fields[f]
		e.Value = val
		nf := &t.fields[i]
		if c := nf.values[val]; ok && c != nil {
			kk := float64(len(nf.values))
			e.Lost, e.Won = c[0], c[1]
			pw := (float64(c[1]) + a) / (float64(nf.total[1]) + a*kk)
			pl := (float64(c[0]) + a) / (float64(nf.total[0]) + a*kk)
			e.LogOdds = math.Log(pw) - math.Log(pl)
			e.Used = true
			logOdds += e.LogOdds
		}
		p.Evidence[i] = e
	}
	p.Percent = min(MaxWinPercent, max(MinWinPercent, 100/(1+math.Exp(-logOdds))))
	return p, nil
}
