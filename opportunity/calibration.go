package opportunity

import (
	"cmp"
	"fmt"
	"iter"
	"math/bits"
	"slices"

	"github.com/crmkit/crm"
)

// StageProbability is the observed stage → won conversion of one stage of
// one team.
type StageProbability struct {
	Team, Stage string
	// Entered is the number of closed opportunities that were ever in
	// the stage; Won how many of them were won.
	Entered, Won int
	// Probability is Won / Entered.
	Probability float64
}

// history folds stage changes into one record per opportunity: its
// latest change and the set of open stages it was ever in. Stage and team
// codes are interned; a stage set is a bit mask for the first 64 stage
// codes seen and a list beyond.
type history struct {
	codes  map[string]int32
	names  []string
	index  map[crm.ID]int32
	tracks []track
	more   [][]int32 // stages beyond the first 64 codes, for the tracks that have some
	prevID crm.ID
	prev   int32
}

type track struct {
	lastSeq    int64
	last, team int32 // interned codes of the latest change's To and Team
	pipeline   int32
	more       int32 // index in history.more, -1 when none
	mask       uint64
}

func newHistory() *history {
	return &history{codes: make(map[string]int32), index: make(map[crm.ID]int32), prev: -1}
}

func (h *history) code(s string) int32 {
	if c, ok := h.codes[s]; ok {
		return c
	}
	c := int32(len(h.names))
	h.codes[s] = c
	h.names = append(h.names, s)
	return c
}

func (h *history) add(c StageChange) {
	i := h.prev
	if i < 0 || c.Opportunity != h.prevID {
		j, ok := h.index[c.Opportunity]
		if !ok {
			j = int32(len(h.tracks))
			h.index[c.Opportunity] = j
			h.tracks = append(h.tracks, track{lastSeq: -1 << 63, more: -1})
		}
		i, h.prevID, h.prev = j, c.Opportunity, j
	}
	t := &h.tracks[i]
	if c.Seq >= t.lastSeq {
		t.lastSeq, t.last, t.team, t.pipeline = c.Seq, h.code(c.To), h.code(c.Team), h.code(c.Pipeline)
	}
	if c.To == StageWon || c.To == StageLost || c.To == "" {
		return
	}
	s := h.code(c.To)
	switch {
	case s < 64:
		t.mask |= 1 << s
	case t.more < 0:
		t.more = int32(len(h.more))
		h.more = append(h.more, []int32{s})
	case !slices.Contains(h.more[t.more], s):
		h.more[t.more] = append(h.more[t.more], s)
	}
}

// stages calls fn for each stage t was in.
func (h *history) stages(t *track, fn func(int32)) {
	for m := t.mask; m != 0; m &= m - 1 {
		fn(int32(bits.TrailingZeros64(m)))
	}
	if t.more >= 0 {
		for _, s := range h.more[t.more] {
			fn(s)
		}
	}
}

// outcome returns whether t is closed and whether it was won.
func (h *history) outcome(t *track) (closed, won bool) {
	last := h.names[t.last]
	return last == StageWon || last == StageLost, last == StageWon
}

// EmpiricalStageProbabilities measures, from stage-change history, how
// often an opportunity that was in a stage ended up won, per team and
// stage. Only opportunities whose latest change (highest Seq) closes them
// count; an opportunity counts once per stage however often it entered it,
// under the team of its latest change. Changes may come in any order
// (grouped by opportunity is fastest). Rows are ordered by team, then stage.
func EmpiricalStageProbabilities(changes iter.Seq[StageChange]) []StageProbability {
	h := newHistory()
	for c := range changes {
		h.add(c)
	}
	type key struct{ team, stage int32 }
	type acc struct{ entered, won int }
	groups := make(map[key]*acc)
	for i := range h.tracks {
		t := &h.tracks[i]
		closed, won := h.outcome(t)
		if !closed {
			continue
		}
		h.stages(t, func(s int32) {
			k := key{t.team, s}
			g := groups[k]
			if g == nil {
				g = &acc{}
				groups[k] = g
			}
			g.entered++
			if won {
				g.won++
			}
		})
	}
	out := make([]StageProbability, 0, len(groups))
	for k, g := range groups {
		out = append(out, StageProbability{Team: h.names[k.team], Stage: h.names[k.stage], Entered: g.entered, Won: g.won,
			Probability: float64(g.won) / float64(g.entered)})
	}
	slices.SortFunc(out, func(a, b StageProbability) int {
		return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.Stage, b.Stage))
	})
	return out
}

// Prediction is a win probability that was used (in a forecast, at a
// stage) and what happened.
type Prediction struct {
	Probability float64
	Won         bool
}

// ReliabilityBin is one row of a reliability table: the predictions whose
// probability fell in [Lo, Hi) (the last bin includes 1).
type ReliabilityBin struct {
	Lo, Hi float64
	Count  int
	// MeanPredicted is the mean probability of the bin's predictions and
	// Observed the share that were won; a calibrated forecaster has the two
	// close.
	MeanPredicted, Observed float64
}

// Calibration says how well probabilities matched outcomes.
type Calibration struct {
	// N is the number of predictions.
	N int
	// Brier is the mean squared error of the probabilities against the
	// outcomes (0 is perfect; always saying 0.5 scores 0.25).
	Brier float64
	// BaseRate is the share of predictions that were won.
	BaseRate float64
	// Bins is the reliability table; empty bins are included with Count 0.
	Bins []ReliabilityBin
}

// Calibrate scores predictions with the Brier score and a reliability
// table of bins equal-width bins (0 means 10). A probability outside
// [0, 1] is an error matching crm.ErrInvalid; so is an empty input.
func Calibrate(preds iter.Seq[Prediction], bins int) (Calibration, error) {
	const op = "opportunity.Calibrate"
	if bins == 0 {
		bins = 10
	}
	if bins < 1 || bins > 1000 {
		return Calibration{}, crm.Invalid(op, "bins", "must be 1 to 1000")
	}
	c := Calibration{Bins: make([]ReliabilityBin, bins)}
	sums := make([]float64, bins)
	wins := make([]int, bins)
	var won int
	i := -1
	for p := range preds {
		i++
		if !validProbability(p.Probability) {
			return Calibration{}, crm.Invalid(op, fmt.Sprintf("predictions[%d].probability", i), "must be in [0, 1]")
		}
		o := 0.0
		if p.Won {
			o = 1
			won++
		}
		c.Brier += (p.Probability - o) * (p.Probability - o)
		b := min(int(p.Probability*float64(bins)), bins-1)
		c.Bins[b].Count++
		sums[b] += p.Probability
		if p.Won {
			wins[b]++
		}
		c.N++
	}
	if c.N == 0 {
		return Calibration{}, crm.Invalid(op, "predictions", "must not be empty")
	}
	c.Brier /= float64(c.N)
	c.BaseRate = float64(won) / float64(c.N)
	for b := range c.Bins {
		c.Bins[b].Lo, c.Bins[b].Hi = float64(b)/float64(bins), float64(b+1)/float64(bins)
		if n := c.Bins[b].Count; n > 0 {
			c.Bins[b].MeanPredicted = sums[b] / float64(n)
			c.Bins[b].Observed = float64(wins[b]) / float64(n)
		}
	}
	return c, nil
}

// StagePredictions turns stage-change history into predictions for
// [Calibrate]: for every closed opportunity, in ID order, each stage it was
// in yields the stage's default probability in its pipeline and whether
// the opportunity was won. This answers "does our 60% stage win 60% of the
// time?". Opportunities of pipelines not given, and stages a pipeline no
// longer has, are skipped.
func StagePredictions(changes iter.Seq[StageChange], pipelines []*Pipeline) []Prediction {
	byCode := make(map[string]*Pipeline, len(pipelines))
	for _, p := range pipelines {
		if p != nil {
			byCode[p.Code] = p
		}
	}
	h := newHistory()
	for c := range changes {
		h.add(c)
	}
	ids := make([]crm.ID, 0, len(h.index))
	for id := range h.index {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, crm.ID.Compare)
	var out []Prediction
	for _, id := range ids {
		t := &h.tracks[h.index[id]]
		closed, won := h.outcome(t)
		p := byCode[h.names[t.pipeline]]
		if p == nil || !closed {
			continue
		}
		var ss []int32
		h.stages(t, func(s int32) { ss = append(ss, s) })
		slices.SortFunc(ss, func(a, b int32) int { return cmp.Compare(p.Index(h.names[a]), p.Index(h.names[b])) })
		for _, s := range ss {
			if def, ok := p.Stage(h.names[s]); ok {
				out = append(out, Prediction{Probability: def.Probability, Won: won})
			}
		}
	}
	return out
}

// PredictionsUsed turns stage-change history into predictions for
// [Calibrate] from the probabilities actually used: for every closed
// opportunity, in ID order, each stay in an open stage yields the
// probability the opportunity had there ([StageChange.Probability],
// overrides included) and whether it was won in the end.
func PredictionsUsed(changes iter.Seq[StageChange]) []Prediction {
	type stay struct {
		seq int64
		p   float64
	}
	type opp struct {
		lastSeq int64
		last    string
		stays   []stay
	}
	opps := make(map[crm.ID]*opp)
	for c := range changes {
		o := opps[c.Opportunity]
		if o == nil {
			o = &opp{lastSeq: -1 << 63}
			opps[c.Opportunity] = o
		}
		if c.Seq >= o.lastSeq {
			o.lastSeq, o.last = c.Seq, c.To
		}
		if c.From != "" && c.From != StageWon && c.From != StageLost {
			o.stays = append(o.stays, stay{c.Seq, c.Probability})
		}
	}
	ids := make([]crm.ID, 0, len(opps))
	for id := range opps {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, crm.ID.Compare)
	var out []Prediction
	for _, id := range ids {
		o := opps[id]
		if o.last != StageWon && o.last != StageLost {
			continue
		}
		slices.SortFunc(o.stays, func(a, b stay) int { return cmp.Compare(a.seq, b.seq) })
		for _, s := range o.stays {
			out = append(out, Prediction{Probability: s.p, Won: o.last == StageWon})
		}
	}
	return out
}
