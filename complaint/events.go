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
	Customer crm.ID
	Category string
	Owner    crm.UserID
}

// StatusChanged is the data of a complaint.status_changed event.
type StatusChanged struct{ From, To Status }

// Escalated is the data of a complaint.escalated event: the levels.
type Escalated struct{ From, To int }

// HandedOver is the data of a complaint.handed_over event.
type HandedOver struct{ From, To crm.UserID }

// ResolutionSet is the data of a complaint.resolution_set event.
type ResolutionSet struct{ Remedy Remedy }

// AcceptanceRecorded is the data of a complaint.acceptance event.
type AcceptanceRecorded struct{ Accepted bool }

// FollowUpScheduled is the data of a complaint.follow_up_scheduled event.
type FollowUpScheduled struct{ At time.Time }

// SurveyRecorded is the data of a complaint.survey_recorded event.
type SurveyRecorded struct{ CSAT int }

// RepairStepAdded is the data of a complaint.repair_step event.
type RepairStepAdded struct {
	Step   RepairStep
	Public bool
}

// Grouped is the data of a complaint.grouped event.
type Grouped struct{ Group crm.ID }

// FollowUpDone is the data of a complaint.follow_up_done event.
type FollowUpDone struct{ Reached bool }

// RiskRaised is the data of a complaint.risk_raised event: a hotspot
// became a risk record, to be surfaced before it becomes a public
// incident.
type RiskRaised struct {
	Key      string
	Rule     string
	Count    int
	Owner    crm.UserID
	Evidence []crm.ID
}

// RiskMoved is the data of a complaint.risk_moved event: the mitigation
// status changed.
type RiskMoved struct{ From, To MitigationStatus }
