package opportunity

import (
	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// Event types recorded by opportunities. The Data of each event is the
// value type named beside it.
const (
	EventCreated           = "opportunity.created"            // Created
	EventStageChanged      = "opportunity.stage_changed"      // StageChanged
	EventWon               = "opportunity.won"                // WonEvent
	EventLost              = "opportunity.lost"               // LostEvent
	EventReopened          = "opportunity.reopened"           // Reopened
	EventAmountChanged     = "opportunity.amount_changed"     // AmountChanged
	EventLinesSet          = "opportunity.lines_set"          // LinesSet
	EventDiscountApproved  = "opportunity.discount_approved"  // DiscountApproved
	EventProbabilitySet    = "opportunity.probability_set"    // ProbabilitySet
	EventCategorySet       = "opportunity.category_set"       // CategorySet
	EventCloseDateSet      = "opportunity.close_date_set"     // CloseDateSet
	EventNextStepSet       = "opportunity.next_step_set"      // NextStepSet
	EventContactsSet       = "opportunity.contacts_set"       // ContactsSet
	EventCompetitorSet     = "opportunity.competitor_set"     // CompetitorSet
	EventCompetitorRemoved = "opportunity.competitor_removed" // CompetitorRemoved
	EventOwnerChanged      = "opportunity.owner_changed"      // OwnerChanged
	EventPipelineChanged   = "opportunity.pipeline_changed"   // PipelineChanged
)

// Created is the data of an opportunity.created event.
type Created struct {
	Customer crm.ID     `json:"customer"`
	Owner    crm.UserID `json:"owner"`
	Team     string     `json:"team"`
	Pipeline string     `json:"pipeline"`
	Stage    string     `json:"stage"`
	Source   Source     `json:"source"`
}

// StageChanged is the data of an opportunity.stage_changed event, for
// moves between open stages.
type StageChanged struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// WonEvent is the data of an opportunity.won event. A signed contract is
// the only mark of a mature customer relationship (成熟期): a host moves
// the customer's relationship stage on this event with
// customer.Customer.MoveStage(customer.Mature, e.Contract, ...).
type WonEvent struct {
	Customer     crm.ID        `json:"customer"`
	Amount       crm.Money     `json:"amount"`
	ContractDate calendar.Date `json:"contract_date"`
	// Contract references the signed contract.
	Contract string `json:"contract"`
	// From is the stage the opportunity was won from.
	From string `json:"from"`
}

// LostEvent is the data of an opportunity.lost event.
type LostEvent struct {
	Customer   crm.ID    `json:"customer"`
	Amount     crm.Money `json:"amount"`
	Reason     string    `json:"reason"`
	Competitor string    `json:"competitor"`
	From       string    `json:"from"`
}

// Reopened is the data of an opportunity.reopened event.
type Reopened struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// AmountChanged is the data of an opportunity.amount_changed event.
type AmountChanged struct {
	From crm.Money `json:"from"`
	To   crm.Money `json:"to"`
}

// LinesSet is the data of an opportunity.lines_set event: how many lines
// and the new amount.
type LinesSet struct {
	Lines  int       `json:"lines"`
	Amount crm.Money `json:"amount"`
}

// DiscountApproved is the data of an opportunity.discount_approved event.
type DiscountApproved struct {
	Line string          `json:"line"`
	UpTo decimal.Decimal `json:"up_to"`
}

// ProbabilitySet is the data of an opportunity.probability_set event.
// Override is false when the override was cleared and the stage default
// applies again.
type ProbabilitySet struct {
	From     float64 `json:"from"`
	To       float64 `json:"to"`
	Override bool    `json:"override"`
}

// CategorySet is the data of an opportunity.category_set event.
type CategorySet struct {
	From ForecastCategory `json:"from"`
	To   ForecastCategory `json:"to"`
}

// CloseDateSet is the data of an opportunity.close_date_set event.
type CloseDateSet struct {
	From calendar.Date `json:"from"`
	To   calendar.Date `json:"to"`
}

// NextStepSet is the data of an opportunity.next_step_set event.
type NextStepSet struct {
	Step NextStep `json:"step"`
}

// ContactsSet is the data of an opportunity.contacts_set event.
type ContactsSet struct {
	Count int `json:"count"`
}

// CompetitorSet is the data of an opportunity.competitor_set event.
type CompetitorSet struct {
	Name   string           `json:"name"`
	Status CompetitorStatus `json:"status"`
}

// CompetitorRemoved is the data of an opportunity.competitor_removed event.
type CompetitorRemoved struct {
	Name string `json:"name"`
}

// OwnerChanged is the data of an opportunity.owner_changed event.
type OwnerChanged struct {
	From crm.UserID `json:"from"`
	To   crm.UserID `json:"to"`
}

// PipelineChanged is the data of an opportunity.pipeline_changed event.
type PipelineChanged struct {
	FromPipeline string `json:"from_pipeline"`
	FromStage    string `json:"from_stage"`
	ToPipeline   string `json:"to_pipeline"`
	ToStage      string `json:"to_stage"`
	// Team is the opportunity's team now.
	Team string `json:"team"`
}
