package complaint

import (
	"time"

	"github.com/crmkit/crm"
)

// Event types recorded by complaints. The Data of each event is the value
// type named beside it.
const (
	EventCreated           = "complaint.created"             // Created
	EventStatusChanged     = "complaint.status_changed"      // StatusChanged
	EventEscalated         = "complaint.escalated"           // Escalated
	EventHandedOver        = "complaint.handed_over"         // HandedOver
	EventResolutionSet     = "complaint.resolution_set"      // ResolutionSet
	EventAcceptance        = "complaint.acceptance"          // AcceptanceRecorded
	EventFollowUpScheduled = "complaint.follow_up_scheduled" // FollowUpScheduled
	EventSurveyRecorded    = "complaint.survey_recorded"     // SurveyRecorded
	EventRepairStep        = "complaint.repair_step"         // RepairStepAdded
	EventGrouped           = "complaint.grouped"             // Grouped
	EventFollowUpDone      = "complaint.follow_up_done"      // FollowUpDone
	EventRiskRaised        = "complaint.risk_raised"         // RiskRaised; AggregateID is the risk's
	EventRiskMoved         = "complaint.risk_moved"          // RiskMoved; AggregateID is the risk's
)

// Created is the data of a complaint.created event.
type Created struct {
	Customer crm.ID     `json:"customer"`
	Category string     `json:"category"`
	Owner    crm.UserID `json:"owner"`
}

// StatusChanged is the data of a complaint.status_changed event.
type StatusChanged struct {
	From Status `json:"from"`
	To   Status `json:"to"`
}

// Escalated is the data of a complaint.escalated event: the levels.
type Escalated struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// HandedOver is the data of a complaint.handed_over event.
type HandedOver struct {
	From crm.UserID `json:"from"`
	To   crm.UserID `json:"to"`
}

// ResolutionSet is the data of a complaint.resolution_set event.
type ResolutionSet struct {
	Remedy Remedy `json:"remedy"`
}

// AcceptanceRecorded is the data of a complaint.acceptance event.
type AcceptanceRecorded struct {
	Accepted bool `json:"accepted"`
}

// FollowUpScheduled is the data of a complaint.follow_up_scheduled event.
type FollowUpScheduled struct {
	At time.Time `json:"at"`
}

// SurveyRecorded is the data of a complaint.survey_recorded event.
type SurveyRecorded struct {
	CSAT int `json:"csat"`
}

// RepairStepAdded is the data of a complaint.repair_step event.
type RepairStepAdded struct {
	Step   RepairStep `json:"step"`
	Public bool       `json:"public"`
}

// Grouped is the data of a complaint.grouped event.
type Grouped struct {
	Group crm.ID `json:"group"`
}

// FollowUpDone is the data of a complaint.follow_up_done event.
type FollowUpDone struct {
	Reached bool `json:"reached"`
}

// RiskRaised is the data of a complaint.risk_raised event: a hotspot
// became a risk record, to be surfaced before it becomes a public
// incident.
type RiskRaised struct {
	Key      string     `json:"key"`
	Rule     string     `json:"rule"`
	Count    int        `json:"count"`
	Owner    crm.UserID `json:"owner"`
	Evidence []crm.ID   `json:"evidence"`
}

// RiskMoved is the data of a complaint.risk_moved event: the mitigation
// status changed.
type RiskMoved struct {
	From MitigationStatus `json:"from"`
	To   MitigationStatus `json:"to"`
}
