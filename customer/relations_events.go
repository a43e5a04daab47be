package customer

import (
	"time"

	"github.com/crmkit/crm"
)

// Event types recorded by referrals, suggestions and memberships.
const (
	EventReferralMade       = "customer.referral_made"       // ReferralMade
	EventReferralOutcome    = "customer.referral_outcome"    // ReferralOutcomeChanged
	EventSuggestionMade     = "customer.suggestion_made"     // SuggestionMade
	EventSuggestionStatus   = "customer.suggestion_status"   // SuggestionStatusChanged
	EventSuggestionCategory = "customer.suggestion_category" // SuggestionRecategorised
	EventMemberJoined       = "customer.member_joined"       // MemberJoined
	EventMemberRenewed      = "customer.member_renewed"      // MemberRenewed
	EventMemberTier         = "customer.member_tier"         // MemberTierMoved
	EventMemberCancelled    = "customer.member_cancelled"    // MemberCancelled
)

// ReferralMade is the data of a customer.referral_made event.
type ReferralMade struct {
	Referrer   crm.ID
	TargetKind TargetKind
	Target     crm.ID
}

// ReferralOutcomeChanged is the data of a customer.referral_outcome event;
// Value is the won value of a conversion.
type ReferralOutcomeChanged struct {
	From, To ReferralOutcome
	Value    crm.Money
}

// SuggestionMade is the data of a customer.suggestion_made event.
type SuggestionMade struct {
	Author   crm.ID
	Category string
	Subject  string
}

// SuggestionStatusChanged is the data of a customer.suggestion_status
// event; Value is the value of an adoption.
type SuggestionStatusChanged struct {
	From, To SuggestionStatus
	Value    crm.Money
}

// SuggestionRecategorised is the data of a customer.suggestion_category event.
type SuggestionRecategorised struct{ From, To string }

// MemberJoined is the data of a customer.member_joined event.
type MemberJoined struct {
	Customer  crm.ID
	Programme string
	Tier      string
	TermEnd   time.Time
}

// MemberRenewed is the data of a customer.member_renewed event: the term's
// old and new end.
type MemberRenewed struct{ From, To time.Time }

// MemberTierMoved is the data of a customer.member_tier event; Up says
// whether the move was to a higher tier.
type MemberTierMoved struct {
	From, To string
	Up       bool
}

// MemberCancelled is the data of a customer.member_cancelled event: the
// status the membership was cancelled from.
type MemberCancelled struct{ From MembershipStatus }
