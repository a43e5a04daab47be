package customer

import "github.com/crmkit/crm"

// Event types recorded by customers and the customer service. The Data of
// each event is the value type named beside it.
const (
	EventCreated          = "customer.created"           // Created
	EventUpdated          = "customer.updated"           // nil
	EventStageChanged     = "customer.stage_changed"     // StageChanged
	EventLoyaltyChanged   = "customer.loyalty_changed"   // LoyaltyChanged
	EventLifecycleChanged = "customer.lifecycle_changed" // LifecycleChanged
	EventOwnerChanged     = "customer.owner_changed"     // OwnerChanged
	EventClassChanged     = "customer.class_changed"     // ClassChanged
	EventMerged           = "customer.merged"            // Merged
	EventErased           = "customer.erased"            // Erased
	EventInteraction      = "customer.interaction"       // Interaction
)

// Created is the data of a customer.created event.
type Created struct {
	Name  string     `json:"name"`
	Owner crm.UserID `json:"owner"`
}

// StageChanged is the data of a customer.stage_changed event.
type StageChanged struct {
	From Stage `json:"from"`
	To   Stage `json:"to"`
}

// LoyaltyChanged is the data of a customer.loyalty_changed event.
type LoyaltyChanged struct {
	From Loyalty `json:"from"`
	To   Loyalty `json:"to"`
}

// LifecycleChanged is the data of a customer.lifecycle_changed event.
type LifecycleChanged struct {
	From Lifecycle `json:"from"`
	To   Lifecycle `json:"to"`
}

// OwnerChanged is the data of a customer.owner_changed event.
type OwnerChanged struct {
	From crm.UserID `json:"from"`
	To   crm.UserID `json:"to"`
}

// ClassChanged is the data of a customer.class_changed event.
type ClassChanged struct {
	From Class `json:"from"`
	To   Class `json:"to"`
}

// Merged is the data of a customer.merged event, recorded on the survivor.
type Merged struct {
	Survivor crm.ID `json:"survivor"`
	Loser    crm.ID `json:"loser"`
}

// Erased is the data of a customer.erased event: the names of the erased
// fields, never their values.
type Erased struct {
	Fields []string `json:"fields"`
}
