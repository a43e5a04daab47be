package customer

import (
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// Limits on interaction text, in runes.
const (
	MaxSummaryLen = 4000
	MaxOutcomeLen = 2000
)

// Interaction is one contact with a customer on any channel (接触管理): who,
// when, channel, direction, summary, outcome and next step. Interactions are
// append-only records; listing returns them newest first.
type Interaction struct {
	ID         crm.ID       `json:"id"`
	Tenant     crm.TenantID `json:"tenant"`
	CustomerID crm.ID       `json:"customer_id"`
	Channel    Channel      `json:"channel"`
	Direction  Direction    `json:"direction"`
	// Actor is the member of staff who had the contact.
	Actor crm.UserID `json:"actor"`
	// At is when the contact happened.
	At      time.Time `json:"at"`
	Summary string    `json:"summary"`
	Outcome string    `json:"outcome,omitempty"`
	// NextStep and NextStepDue say what follows, when anything does.
	NextStep    string    `json:"next_step,omitempty"`
	NextStepDue time.Time `json:"next_step_due,omitzero"`
}

// Validate returns a *crm.ValidationError listing every problem of in.
func (in Interaction) Validate() error {
	var v crm.Validator
	v.Check(!in.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", in.Tenant.Validate())
	v.Check(!in.CustomerID.IsZero(), "customer_id", "must not be zero")
	v.Check(in.Channel.Valid(), "channel", "unknown channel")
	v.Check(in.Direction.Valid(), "direction", "unknown direction")
	v.Merge("actor", in.Actor.Validate())
	v.Check(!in.At.IsZero(), "at", "must be set")
	checkTime(&v, "at", in.At)
	checkTime(&v, "next_step_due", in.NextStepDue)
	checkText(&v, "summary", in.Summary, MaxSummaryLen, true)
	checkText(&v, "outcome", in.Outcome, MaxOutcomeLen, false)
	checkText(&v, "next_step", in.NextStep, MaxOutcomeLen, false)
	v.Check(in.NextStepDue.IsZero() || in.NextStep != "", "next_step", "required when next_step_due is set")
	return v.Err("customer.Interaction")
}

// CompareInteractions orders interactions newest first, ties broken by ID
// (descending): the order stores list them in.
func CompareInteractions(a, b Interaction) int {
	if c := b.At.Compare(a.At); c != 0 {
		return c
	}
	return b.ID.Compare(a.ID)
}

func checkText(v *crm.Validator, path, s string, max int, required bool) {
	switch {
	case required && s == "":
		v.Addf(path, "must not be empty")
	case !utf8.ValidString(s):
		v.Addf(path, "not valid UTF-8")
	case len(s) > max*utf8.UTFMax || utf8.RuneCountInString(s) > max:
		v.Addf(path, "longer than %d characters", max)
	}
}
