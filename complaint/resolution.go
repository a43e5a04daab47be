package complaint

import (
	"time"

	"github.com/crmkit/crm"
)

// RootCause is why the matter happened: a category code (host-defined,
// free of the complaint category tree) and an explanation.
type RootCause struct {
	Category string `json:"category,omitempty"`
	Text     string `json:"text,omitempty"`
}

// Resolution is how a complaint was settled: the remedy, the root cause,
// and the corrective and preventive actions taken.
type Resolution struct {
	// Remedy is what was done for the customer. Required.
	Remedy Remedy `json:"remedy"`
	// Compensation is the amount paid or credited. It must be positive
	// when Remedy is Compensation or Refund (a compensation of 0.00 is
	// refused: a remedy that pays nothing is an apology or an explanation);
	// with another remedy it is optional (the zero Money means none) and
	// must not be negative.
	Compensation crm.Money `json:"compensation"`
	// Summary describes the remedy in words. Required.
	Summary string `json:"summary"`
	// RootCause says why it happened; optional.
	RootCause RootCause `json:"root_cause,omitzero"`
	// Corrective is the action taken to fix this occurrence; optional.
	Corrective string `json:"corrective,omitempty"`
	// Preventive is the action taken so it does not happen again; optional.
	Preventive string `json:"preventive,omitempty"`
}

func (r Resolution) clone() Resolution { return r }

// pays reports whether the remedy pays the customer.
func (r Resolution) pays() bool { return r.Remedy == Compensation || r.Remedy == Refund }

// checkAmount adds the rule a resolution meets when it is set: a remedy
// that pays has a positive amount. Resolutions stored before the rule
// (with 0.00) still load and stay as they are; see FromRecord.
func (r Resolution) checkAmount(v *crm.Validator, prefix string) {
	if r.pays() && r.Compensation != (crm.Money{}) {
		v.Check(r.Compensation.IsPositive(), prefix+".compensation", "must be positive for a refund or compensation")
	}
}

func (r Resolution) validate(v *crm.Validator, prefix string) {
	v.Check(r.Remedy.Valid(), prefix+".remedy", "unknown remedy")
	hasMoney := r.Compensation != (crm.Money{})
	if hasMoney {
		v.Merge(prefix+".compensation", r.Compensation.Validate())
		v.Check(!r.Compensation.IsNegative(), prefix+".compensation", "must not be negative")
	} else {
		v.Check(!r.pays(), prefix+".compensation", "required for a refund or compensation")
	}
	checkText(v, prefix+".summary", r.Summary, true)
	if r.RootCause.Category != "" {
		checkCode(v, prefix+".root_cause.category", r.RootCause.Category)
	}
	checkText(v, prefix+".root_cause.text", r.RootCause.Text, false)
	checkText(v, prefix+".corrective", r.Corrective, false)
	checkText(v, prefix+".preventive", r.Preventive, false)
}

// Survey is a satisfaction survey result after closing.
type Survey struct {
	// CSAT is the satisfaction score, 1 (very unhappy) to 5 (very happy).
	CSAT int `json:"csat"`
	// Comment is the customer's free text, optional.
	Comment string `json:"comment,omitempty"`
	// At is when it was recorded; set from the Change.
	At time.Time `json:"at,omitzero"`
}

// FollowUp is the outcome of the follow-up call (回访) after closing.
type FollowUp struct {
	// Reached says whether the customer was reached.
	Reached bool `json:"reached"`
	// Note is what was said or observed, optional.
	Note string `json:"note,omitempty"`
	// At is when the call was made; set from the Change.
	At time.Time `json:"at,omitzero"`
}
