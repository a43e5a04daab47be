package lead

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/scoring"
)

// ScoringFacts returns what a rule-based scorer knows about the lead, for
// [scoring.LeadScorer]: the text fields "kind", "title", "company",
// "industry", "language", "channel", "source", "country", "region",
// "postcode", "stage", "team", "key_prospect", every topic as
// "topic.<topic>" = "true", every free attribute as "attr.<key>"; the
// number "company_size" when known; and the activities given (web visits,
// e-mails opened), which the lead does not keep itself.
func (l *Lead) ScoringFacts(activities []scoring.Activity) scoring.LeadFacts {
	l.ensure()
	f := scoring.LeadFacts{Fields: map[string]string{}, Numbers: map[string]float64{}, Activities: slices.Clone(activities)}
	set := func(k, v string) {
		if v != "" {
			f.Fields[k] = v
		}
	}
	set("kind", l.kind.String())
	set("title", l.title)
	set("company", l.company)
	set("industry", l.industry)
	set("language", l.language)
	set("channel", l.channel.String())
	set("source", l.source.Kind.String())
	set("stage", l.stage.String())
	set("team", l.team)
	set("key_prospect", strconv.FormatBool(l.keyProspect))
	if l.address != nil {
		set("country", l.address.Country)
		set("region", l.address.AdministrativeArea)
		set("postcode", l.address.PostalCode)
	}
	for _, t := range l.topics {
		f.Fields["topic."+t] = "true"
	}
	for _, k := range slices.Sorted(maps.Keys(l.attrs)) {
		set("attr."+k, l.attrs[k])
	}
	if l.companySize > 0 {
		f.Numbers["company_size"] = float64(l.companySize)
	}
	return f
}

// ApplyScore scores the lead with scorer at ch.At from its
// [Lead.ScoringFacts] and activities, stores the score with its
// explanation on the lead, records it and returns it. A nil scorer, a bad
// change or facts the scorer refuses give an error and leave the lead
// unchanged.
func (l *Lead) ApplyScore(scorer *scoring.LeadScorer, activities []scoring.Activity, ch Change) (Score, error) {
	l.ensure()
	v := l.guard(ch)
	v.Check(scorer != nil, "scorer", "must not be nil")
	if err := v.Err("lead.ApplyScore"); err != nil {
		return Score{}, err
	}
	res, err := scorer.Score(l.ScoringFacts(activities), ch.At)
	if err != nil {
		return Score{}, fmt.Errorf("lead: apply score %s: %w", l.id, err)
	}
	s := Score{Model: ModelRules, Fit: res.Fit, Engagement: res.Engagement, Total: res.Total, Grade: res.Grade, At: ch.At.UTC()}
	for _, r := range res.Reasons {
		s.Reasons = append(s.Reasons, ScoreReason{Rule: r.Rule, Engagement: r.Engagement, Count: r.Count, Points: r.Points})
	}
	return l.storeScore(s, ch)
}

// storeScore validates s, keeps it on the lead and records it.
func (l *Lead) storeScore(s Score, ch Change) (Score, error) {
	l.ensure()
	var cv crm.Validator
	checkScore(&cv, "score", s)
	if err := cv.Err("lead.Score"); err != nil {
		return Score{}, err
	}
	from := ""
	if l.score != nil {
		from = strconv.FormatFloat(l.score.Total, 'f', -1, 64)
	}
	stored := s.clone()
	l.own()
	l.score = &stored
	l.updatedAt = s.At
	l.record(HistoryScore, from, strconv.FormatFloat(s.Total, 'f', -1, 64), ch)
	l.emit(EventScored, ch, Scored{Total: s.Total, Grade: s.Grade})
	return s, nil
}

// Decay returns what score s is worth at now when interest fades with
// halfLife: the fit part (who the prospect is) does not fade, the
// engagement part (what they did) halves every halfLife since s.At:
//
//	Decay = Fit + Engagement × 2^(−(now − At) / halfLife)
//
// A halfLife of 0 or less, or now not after s.At, returns s.Total
// unchanged. Hosts rank their open leads by it so that a lead scored hot
// months ago does not stay on top without new activity; rescoring with
// [Lead.ApplyScore] restarts the decay. A predicted score
// (ModelNaiveBayes) has no engagement part and does not decay.
func Decay(s Score, halfLife time.Duration, now time.Time) float64 {
	age := now.Sub(s.At)
	if halfLife <= 0 || age <= 0 {
		return s.Total
	}
	return s.Fit + s.Engagement*math.Exp2(-float64(age)/float64(halfLife))
}

// PredictionStages are the stage names a scoring.LeadModel learns and
// predicts by when PredictOptions.ByStage is set: the open stages in
// funnel order (train with NaiveBayesOptions.Stages set to them).
func PredictionStages() []string {
	return []string{StageNew.String(), StageContacted.String(), StageNurturing.String(), StageQualified.String()}
}

// PredictOptions say how a lead meets a scoring.LeadModel. The zero value
// suits a model trained without stages.
type PredictOptions struct {
	// ByStage sends the lead's stage (one of [PredictionStages]) to the
	// model, which must have been trained with those stages.
	ByStage bool
}

// furthest returns the furthest open stage the lead reached, in
// PredictionStages order.
func (l *Lead) furthest() Stage {
	l.ensure()
	best := StageNew
	for _, s := range []Stage{StageContacted, StageNurturing, StageQualified} {
		if !l.reached[s-1].IsZero() {
			best = s
		}
	}
	return best
}

// Outcome returns the lead as a training example for
// scoring.TrainLeadModel: its team, its [Lead.ScoringFacts] fields, Won
// for a converted lead and lost for a disqualified one, and with
// opts.ByStage the furthest open stage it reached. ok is false for a lead
// that is still open.
func (l *Lead) Outcome(opts PredictOptions) (o scoring.LeadOutcome, ok bool) {
	l.ensure()
	if l.stage.Open() || !l.stage.Valid() {
		return scoring.LeadOutcome{}, false
	}
	o = scoring.LeadOutcome{Team: l.team, Fields: l.ScoringFacts(nil).Fields, Won: l.stage == StageConverted}
	if opts.ByStage {
		o.Stage = l.furthest().String()
	}
	return o, true
}

// ApplyPrediction predicts the open lead's win probability with model m
// at ch.At, stores it as a [Score] of ModelNaiveBayes with the evidence of
// every field that counted, records it and returns it. A nil model, a
// closed lead or a stage the model does not know give an error and leave
// the lead unchanged.
func (l *Lead) ApplyPrediction(m *scoring.LeadModel, opts PredictOptions, ch Change) (Score, error) {
	l.ensure()
	v := l.guard(ch)
	v.Check(m != nil, "model", "must not be nil")
	v.Check(l.stage.Open(), "stage", "the lead is closed")
	if err := v.Err("lead.ApplyPrediction"); err != nil {
		return Score{}, err
	}
	q := scoring.LeadQuery{Team: l.team, Fields: l.ScoringFacts(nil).Fields}
	if opts.ByStage {
		q.Stage = l.stage.String()
	}
	p, err := m.Predict(q)
	if err != nil {
		return Score{}, fmt.Errorf("lead: apply prediction %s: %w", l.id, err)
	}
	s := Score{Model: ModelNaiveBayes, Fit: p.Percent, Total: p.Percent, At: ch.At.UTC()}
	for _, e := range p.Evidence {
		if e.Used {
			s.Reasons = append(s.Reasons, ScoreReason{Rule: cut(e.Field+"="+e.Value, maxRuleLen), Count: e.Won + e.Lost, Points: e.LogOdds})
		}
	}
	return l.storeScore(s, ch)
}

// maxRuleLen bounds ScoreReason.Rule, in bytes.
const maxRuleLen = 200

// cut shortens s to at most n bytes on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
