package scoring

import (
	"math"
	"strconv"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// RiskLevel is a band of churn risk.
type RiskLevel uint8

// Risk levels. The stored form is the name.
const (
	RiskLow RiskLevel = iota + 1
	RiskMedium
	RiskHigh
)

var riskLevels = enum.New[RiskLevel]("risk level", "low", "medium", "high")

// ParseRiskLevel parses "low", "medium" or "high".
func ParseRiskLevel(s string) (RiskLevel, error) { return riskLevels.Parse(s) }

// String returns the level's name.
func (l RiskLevel) String() string { return riskLevels.String(l) }

// Valid reports whether l is a known level.
func (l RiskLevel) Valid() bool { return riskLevels.Valid(l) }

// MarshalText implements encoding.TextMarshaler.
func (l RiskLevel) MarshalText() ([]byte, error) { return riskLevels.Marshal(l) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *RiskLevel) UnmarshalText(b []byte) (err error) {
	*l, err = riskLevels.Parse(string(b))
	return err
}

// Churn factor names, in the order of [ChurnRisk].Factors.
const (
	FactorPAlive         = "p_alive"
	FactorRecency        = "recency"
	FactorComplaints     = "complaints"
	FactorOpenComplaints = "open_complaints"
	FactorSatisfaction   = "satisfaction"
)

// ChurnSignals are what is known about one customer. P(alive), recency and
// satisfaction may be unknown (their Has flag false); complaint counts are
// always known (0 when there were none).
type ChurnSignals struct {
	// PAlive is the probability that the customer is still active, in
	// [0, 1], from any model (BG/NBD, Pareto/NBD, a host rule). Used when
	// HasPAlive.
	PAlive    float64
	HasPAlive bool
	// RecencyDays is the time since the latest purchase, in days, at least
	// 0. Used when HasRecency.
	RecencyDays float64
	HasRecency  bool
	// Complaints is the number of complaints in the observation window.
	Complaints int
	// OpenComplaints is how many of those are not yet resolved, at most
	// Complaints.
	OpenComplaints int
	// Satisfaction is the latest satisfaction rating on the model's scale
	// (ChurnOptions.SatisfactionMin to SatisfactionMax). Used when
	// HasSatisfaction.
	Satisfaction    float64
	HasSatisfaction bool
}

// ChurnWeights weigh the five churn factors; they are non-negative and sum
// to 1.
type ChurnWeights struct {
	PAlive, Recency, Complaints, OpenComplaints, Satisfaction float64
}

// DefaultChurnWeights is a neutral starting point, not a fitted model:
// inactivity (P(alive) and recency) counts half, complaints 30%,
// dissatisfaction 20%.
func DefaultChurnWeights() ChurnWeights {
	return ChurnWeights{PAlive: 0.35, Recency: 0.15, Complaints: 0.15, OpenComplaints: 0.15, Satisfaction: 0.2}
}

// ChurnOptions configure a [ChurnModel]. Zero fields mean the defaults
// named on each.
type ChurnOptions struct {
	// Weights of the factors; the zero value means DefaultChurnWeights.
	Weights ChurnWeights
	// RecencyHalfRisk is the recency in days at which the recency factor
	// is 0.5; 0 means 90.
	RecencyHalfRisk float64
	// ComplaintsHalfRisk is the number of complaints at which the
	// complaints factor is 0.5; 0 means 2.
	ComplaintsHalfRisk float64
	// OpenHalfRisk is the number of open complaints at which that factor
	// is 0.5; 0 means 1.
	OpenHalfRisk float64
	// SatisfactionMin and SatisfactionMax bound the satisfaction scale;
	// both 0 means 1 to 5.
	SatisfactionMin, SatisfactionMax float64
	// MediumAt and HighAt are the scores from which the risk is medium and
	// high, 0 < MediumAt < HighAt ≤ 1; 0 means 0.4 and 0.7.
	MediumAt, HighAt float64
}

// ChurnModel combines inactivity, complaint and satisfaction signals into
// an explainable churn risk. Build one with [NewChurnModel]; it is
// immutable and safe for concurrent use.
type ChurnModel struct {
	o ChurnOptions
}

// NewChurnModel validates opts, applies defaults and returns a model.
func NewChurnModel(opts ChurnOptions) (*ChurnModel, error) {
	o := opts
	if o.Weights == (ChurnWeights{}) {
		o.Weights = DefaultChurnWeights()
	}
	if o.RecencyHalfRisk == 0 {
		o.RecencyHalfRisk = 90
	}
	if o.ComplaintsHalfRisk == 0 {
		o.ComplaintsHalfRisk = 2
	}
	if o.OpenHalfRisk == 0 {
		o.OpenHalfRisk = 1
	}
	if o.SatisfactionMin == 0 && o.SatisfactionMax == 0 {
		o.SatisfactionMin, o.SatisfactionMax = 1, 5
	}
	if o.MediumAt == 0 {
		o.MediumAt = 0.4
	}
	if o.HighAt == 0 {
		o.HighAt = 0.7
	}
	var v crm.Validator
	w := o.Weights
	sum := 0.0
	for _, f := range []struct {
		path string
		x    float64
	}{{"weights.p_alive", w.PAlive}, {"weights.recency", w.Recency}, {"weights.complaints", w.Complaints}, {"weights.open_complaints", w.OpenComplaints}, {"weights.satisfaction", w.Satisfaction}} {
		if v.Check(finiteVal(f.x), f.path, "must be a finite number") && v.Check(f.x >= 0, f.path, "must not be negative") {
			sum += f.x
		}
	}
	if math.Abs(sum-1) > weightTolerance {
		v.Addf("weights", "must sum to 1, not %s", strconv.FormatFloat(sum, 'g', -1, 64))
	}
	v.Check(finiteVal(o.RecencyHalfRisk) && o.RecencyHalfRisk > 0, "recency_half_risk", "must be a positive number")
	v.Check(finiteVal(o.ComplaintsHalfRisk) && o.ComplaintsHalfRisk > 0, "complaints_half_risk", "must be a positive number")
	v.Check(finiteVal(o.OpenHalfRisk) && o.OpenHalfRisk > 0, "open_half_risk", "must be a positive number")
	if v.Check(finiteVal(o.SatisfactionMin) && finiteVal(o.SatisfactionMax), "satisfaction_max", "scale bounds must be finite numbers") {
		v.Check(o.SatisfactionMin < o.SatisfactionMax && finiteVal(o.SatisfactionMax-o.SatisfactionMin), "satisfaction_max", "must be greater than satisfaction_min")
	}
	v.Check(finiteVal(o.MediumAt) && o.MediumAt > 0 && o.MediumAt < 1, "medium_at", "must be between 0 and 1, exclusive")
	v.Check(finiteVal(o.HighAt) && o.HighAt > o.MediumAt && o.HighAt <= 1, "high_at", "must be greater than medium_at and at most 1")
	if err := v.Err("scoring.NewChurnModel"); err != nil {
		return nil, err
	}
	return &ChurnModel{o: o}, nil
}

// ChurnFactor explains one factor of a churn risk.
type ChurnFactor struct {
	// Name is one of the Factor… constants.
	Name string
	// Known is false when the signal was not given; the factor then has
	// weight 0 and its configured weight is shared among the known ones.
	Known bool
	// Value is the factor's risk in [0, 1].
	Value float64
	// Weight is the factor's effective weight (weights of known factors,
	// rescaled to sum to 1).
	Weight float64
	// Contribution is Weight × Value: what the factor added to the score.
	Contribution float64
}

// ChurnRisk is a customer's churn risk, explained.
type ChurnRisk struct {
	// Score is the risk in [0, 1]: the sum of the contributions.
	Score float64
	// Level bands the score.
	Level RiskLevel
	// Factors lists the five factors in a fixed order: p_alive, recency,
	// complaints, open_complaints, satisfaction.
	Factors []ChurnFactor
	// Main names the factor with the largest contribution (the first on a
	// tie), the one to act on; it is empty when the score is 0.
	Main string
}

// Risk scores one customer. Each factor maps a signal onto [0, 1]:
//
//	p_alive:          1 − PAlive
//	recency:          R / (R + RecencyHalfRisk)
//	complaints:       C / (C + ComplaintsHalfRisk)
//	open_complaints:  O / (O + OpenHalfRisk)
//	satisfaction:     (SatisfactionMax − S) / (SatisfactionMax − SatisfactionMin)
//
// and the score is the weighted sum over the known factors, with their
// weights rescaled to sum to 1. It refuses signals out of range or not
// finite, and a customer none of whose known signals has a positive weight.
func (m *ChurnModel) Risk(s ChurnSignals) (ChurnRisk, error) {
	const op = "scoring.ChurnModel.Risk"
	o := m.o
	var v crm.Validator
	if s.HasPAlive {
		v.Check(finiteVal(s.PAlive) && s.PAlive >= 0 && s.PAlive <= 1, "p_alive", "must be between 0 and 1")
	}
	if s.HasRecency {
		v.Check(finiteVal(s.RecencyDays) && s.RecencyDays >= 0, "recency_days", "must be a finite number, at least 0")
	}
	v.Check(s.Complaints >= 0, "complaints", "must not be negative")
	if v.Check(s.OpenComplaints >= 0, "open_complaints", "must not be negative") {
		v.Check(s.OpenComplaints <= s.Complaints, "open_complaints", "must not exceed complaints")
	}
	if s.HasSatisfaction {
		v.Check(finiteVal(s.Satisfaction) && s.Satisfaction >= o.SatisfactionMin && s.Satisfaction <= o.SatisfactionMax, "satisfaction",
			"must be within the scale "+strconv.FormatFloat(o.SatisfactionMin, 'g', -1, 64)+" to "+strconv.FormatFloat(o.SatisfactionMax, 'g', -1, 64))
	}
	if err := v.Err(op); err != nil {
		return ChurnRisk{}, err
	}
	fs := []ChurnFactor{
		{Name: FactorPAlive, Known: s.HasPAlive, Weight: o.Weights.PAlive},
		{Name: FactorRecency, Known: s.HasRecency, Weight: o.Weights.Recency},
		{Name: FactorComplaints, Known: true, Weight: o.Weights.Complaints},
		{Name: FactorOpenComplaints, Known: true, Weight: o.Weights.OpenComplaints},
		{Name: FactorSatisfaction, Known: s.HasSatisfaction, Weight: o.Weights.Satisfaction},
	}
	if s.HasPAlive {
		fs[0].Value = 1 - s.PAlive
	}
	if s.HasRecency {
		// R/(R+H) written as 1/(1+H/R) stays finite for any finite R.
		if s.RecencyDays > 0 {
			fs[1].Value = 1 / (1 + o.RecencyHalfRisk/s.RecencyDays)
		}
	}
	c, op2 := float64(s.Complaints), float64(s.OpenComplaints)
	fs[2].Value = c / (c + o.ComplaintsHalfRisk)
	fs[3].Value = op2 / (op2 + o.OpenHalfRisk)
	if s.HasSatisfaction {
		fs[4].Value = clamp01((o.SatisfactionMax - s.Satisfaction) / (o.SatisfactionMax - o.SatisfactionMin))
	}
	known := 0.0
	for i := range fs {
		if !fs[i].Known {
			fs[i].Weight = 0
		}
		known += fs[i].Weight
	}
	if known == 0 {
		return ChurnRisk{}, crm.Invalid(op, "", "no known signal has a positive weight")
	}
	r := ChurnRisk{Factors: fs}
	best := 0.0
	for i := range fs {
		fs[i].Weight /= known
		fs[i].Contribution = fs[i].Weight * fs[i].Value
		r.Score += fs[i].Contribution
		if fs[i].Contribution > best {
			best, r.Main = fs[i].Contribution, fs[i].Name
		}
	}
	r.Score = clamp01(r.Score)
	switch {
	case r.Score >= o.HighAt:
		r.Level = RiskHigh
	case r.Score >= o.MediumAt:
		r.Level = RiskMedium
	default:
		r.Level = RiskLow
	}
	return r, nil
}
