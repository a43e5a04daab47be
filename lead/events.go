package lead

import (
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
)

// Event types recorded by leads. The Data of each event is the value type
// named beside it.
const (
	EventCaptured             = "lead.captured"               // Captured
	EventStageChanged         = "lead.stage_changed"          // StageChanged
	EventAssigned             = "lead.assigned"               // Assigned
	EventContacted            = "lead.contacted"              // ContactRecorded
	EventScored               = "lead.scored"                 // Scored
	EventTouched              = "lead.touched"                // Touched
	EventLinked               = "lead.linked"                 // Linked
	EventFirstContactWarning  = "lead.first_contact_warning"  // FirstContactAlert, from CheckFirstContact
	EventFirstContactBreached = "lead.first_contact_breached" // FirstContactAlert, from CheckFirstContact
)

// Captured is the data of a lead.captured event.
type Captured struct {
	Source      Source           `json:"source"`
	Channel     customer.Channel `json:"channel,omitzero"`
	Team        string           `json:"team"`
	NeedsReview bool             `json:"needs_review"` // a contact point did not parse
}

// StageChanged is the data of a lead.stage_changed event; Reason is the
// disqualification reason code, or the change's reason.
type StageChanged struct {
	From   Stage  `json:"from"`
	To     Stage  `json:"to"`
	Reason string `json:"reason"`
}

// Assigned is the data of a lead.assigned event; From is "" on the first
// assignment.
type Assigned struct {
	From crm.UserID `json:"from"`
	To   crm.UserID `json:"to"`
}

// ContactRecorded is the data of a lead.contacted event (first contact recorded
// without a stage change).
type ContactRecorded struct{}

// Scored is the data of a lead.scored event.
type Scored struct {
	Total float64 `json:"total"`
	Grade string  `json:"grade"`
}

// Touched is the data of a lead.touched event: the touches attached.
type Touched struct {
	Touches []Touch `json:"touches"`
}

// Linked is the data of a lead.linked event.
type Linked struct {
	Customer crm.ID `json:"customer"`
}

// FirstContactAlert is the data of the first-contact warning and breach
// events.
type FirstContactAlert struct {
	// Owner is the owner whose clock it is ("" for an unassigned lead).
	Owner crm.UserID `json:"owner"`
	// Deadline is when the target is (or was) reached; WarnAt when the
	// warning threshold is (zero without one).
	Deadline time.Time `json:"deadline"`
	WarnAt   time.Time `json:"warn_at,omitzero"`
	// State is the clock's state when checked.
	State calendar.State `json:"state"`
}
