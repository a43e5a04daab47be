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
	Customer crm.ID
	Owner    crm.UserID
	Team     string
	Pipeline string
	Stage    string
	Source   Source
}

// StageChanged is the data of an opportunity.stage_changed event, for
// moves between open stages.
type StageChanged struct{ From, To string }

// WonEvent is the data of an opportunity.won event. A signed contract is
// the only mark of a mature customer relationship (成熟期): a host moves
// the customer's relationship stage on this event with
// customer.Customer.MoveStage(customer.Mature, e.Contract, ...).
type WonEvent struct {
	Customer     crm.ID
	Amount       crm.Money
	ContractDate calendar.Date
	// Contract references the signed contract.
	Contract string
	// From is the stage the opportunity was won from.
	From string
}

// LostEvent is the data of an opportunity.lost event.
type LostEvent struct {
	Customer   crm.ID
	Amount     crm.Money
	Reason     string
	Competitor string
	From       string
}

// Reopened is the data of an opportunity.reopened event.
type Reopened struct{ From, To string }

// AmountChanged is the data of an opportunity.amount_changed event.
type AmountChanged struct{ From, To crm.Money }

// LinesSet is the data of an opportunity.lines_set event: how many lines
// and the new amount.
type LinesSet struct {
	Lines  int
	Amount crm.Money
}

// DiscountApproved is the data of an opportunity.discount_approved event.
type DiscountApproved struct {
	Line string
	UpTo decimal.Decimal
}

// ProbabilitySet is the data of an opportunity.probability_set event.
// Override is false when the override was cleared and the stage default
// applies again.
type ProbabilitySet struct {
	From, To float64
	Override bool
}

// CategorySet is the data of an opportunity.category_set event.
type CategorySet struct{ From, To ForecastCategory }

// CloseDateSet is the data of an opportunity.close_date_set event.
type CloseDateSet struct{ From, To calendar.Date }

// NextStepSet is the data of an opportunity.next_step_set event.
type NextStepSet struct{ Step NextStep }

// ContactsSet is the data of an opportunity.contacts_set event.
type ContactsSet struct{ Count int }

// CompetitorSet is the data of an opportunity.competitor_set event.
type CompetitorSet struct {
	Name   string
	Status CompetitorStatus
}

// CompetitorRemoved is the data of an opportunity.competitor_removed event.
type CompetitorRemoved struct{ Name string }

// OwnerChanged is the data of an opportunity.owner_changed event.
type OwnerChanged struct{ From, To crm.UserID }

// PipelineChanged is the data of an opportunity.pipeline_changed event.
type PipelineChanged struct {
	FromPipeline, FromStage string
	ToPipeline, ToStage     string
	// Team is the opportunity's team now.
	Team string
}
