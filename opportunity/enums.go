package opportunity

import "github.com/crmkit/crm/internal/enum"

// Status says whether an opportunity is still being worked or was closed.
type Status uint8

// Opportunity statuses. The stored form is the name.
const (
	Open Status = iota + 1 // in one of the pipeline's open stages
	Won                    // closed as won: a contract was signed
	Lost                   // closed as lost
)

var statuses = enum.New[Status]("status", "open", "won", "lost")

// ParseStatus parses a status name such as "won".
func ParseStatus(s string) (Status, error) { return statuses.Parse(s) }

// Statuses returns every status in order.
func Statuses() []Status { return statuses.Values() }

// String returns the status's name.
func (s Status) String() string { return statuses.String(s) }

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return statuses.Valid(s) }

// Closed reports whether s is Won or Lost.
func (s Status) Closed() bool { return s == Won || s == Lost }

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return statuses.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Status) UnmarshalText(b []byte) (err error) { *s, err = statuses.Parse(string(b)); return err }

// ForecastCategory is how an opportunity counts in a sales forecast.
type ForecastCategory uint8

// Forecast categories, from least to most certain, then the two that do
// not count as open pipeline. The stored form is the name.
const (
	CategoryPipeline ForecastCategory = iota + 1 // still being qualified and worked
	CategoryBestCase                             // could close in the period if things go well
	CategoryCommit                               // the owner commits to closing it in the period
	CategoryClosed                               // won: counts as booked revenue
	CategoryOmitted                              // lost or left out of the forecast
)

var categories = enum.New[ForecastCategory]("forecast category", "pipeline", "best_case", "commit", "closed", "omitted")

// ParseForecastCategory parses a category name such as "best_case".
func ParseForecastCategory(s string) (ForecastCategory, error) { return categories.Parse(s) }

// ForecastCategories returns every category in order.
func ForecastCategories() []ForecastCategory { return categories.Values() }

// String returns the category's name.
func (c ForecastCategory) String() string { return categories.String(c) }

// Valid reports whether c is a known category.
func (c ForecastCategory) Valid() bool { return categories.Valid(c) }

// MarshalText implements encoding.TextMarshaler.
func (c ForecastCategory) MarshalText() ([]byte, error) { return categories.Marshal(c) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *ForecastCategory) UnmarshalText(b []byte) (err error) {
	*c, err = categories.Parse(string(b))
	return err
}

// ContactRole is the part a person plays in the customer's buying decision.
type ContactRole uint8

// Contact roles. The stored form is the name.
const (
	DecisionMaker  ContactRole = iota + 1 // signs off the purchase
	EconomicBuyer                         // owns the budget
	Influencer                            // shapes the decision without making it
	TechnicalBuyer                        // judges the technical fit
	User                                  // will use what is bought
	Champion                              // sells the deal inside the customer
	Gatekeeper                            // controls access to the others
	OtherRole                             // any other part
)

var roles = enum.New[ContactRole]("contact role", "decision_maker", "economic_buyer", "influencer",
	"technical_buyer", "user", "champion", "gatekeeper", "other")

// ParseContactRole parses a role name such as "decision_maker".
func ParseContactRole(s string) (ContactRole, error) { return roles.Parse(s) }

// String returns the role's name.
func (r ContactRole) String() string { return roles.String(r) }

// Valid reports whether r is a known role.
func (r ContactRole) Valid() bool { return roles.Valid(r) }

// MarshalText implements encoding.TextMarshaler.
func (r ContactRole) MarshalText() ([]byte, error) { return roles.Marshal(r) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *ContactRole) UnmarshalText(b []byte) (err error) {
	*r, err = roles.Parse(string(b))
	return err
}

// SourceKind says where an opportunity came from.
type SourceKind uint8

// Source kinds. The stored form is the name.
const (
	FromLead             SourceKind = iota + 1 // a converted lead
	FromCampaign                               // a marketing campaign
	FromCustomerReferral                       // referred by a customer (推荐价值)
	FromDealerReferral                         // referred by a dealer
	FromChannel                                // a sales channel (web, phone, shop, ...)
	FromExistingCustomer                       // cross-sell or up-sell on an existing customer
)

var sourceKinds = enum.New[SourceKind]("source kind", "lead", "campaign", "customer_referral",
	"dealer_referral", "channel", "existing_customer")

// ParseSourceKind parses a source kind name such as "campaign".
func ParseSourceKind(s string) (SourceKind, error) { return sourceKinds.Parse(s) }

// String returns the kind's name.
func (k SourceKind) String() string { return sourceKinds.String(k) }

// Valid reports whether k is a known kind.
func (k SourceKind) Valid() bool { return sourceKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k SourceKind) MarshalText() ([]byte, error) { return sourceKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *SourceKind) UnmarshalText(b []byte) (err error) {
	*k, err = sourceKinds.Parse(string(b))
	return err
}

// CompetitorStatus says where a competitor stands on a deal.
type CompetitorStatus uint8

// Competitor statuses. The stored form is the name.
const (
	CompetitorActive     CompetitorStatus = iota + 1 // in the running
	CompetitorLeading                                // ahead of us
	CompetitorTrailing                               // behind us
	CompetitorEliminated                             // out of the running
	CompetitorWon                                    // won the deal we lost
)

var competitorStatuses = enum.New[CompetitorStatus]("competitor status", "active", "leading",
	"trailing", "eliminated", "won")

// ParseCompetitorStatus parses a competitor status name such as "leading".
func ParseCompetitorStatus(s string) (CompetitorStatus, error) { return competitorStatuses.Parse(s) }

// String returns the status's name.
func (s CompetitorStatus) String() string { return competitorStatuses.String(s) }

// Valid reports whether s is a known status.
func (s CompetitorStatus) Valid() bool { return competitorStatuses.Valid(s) }

// MarshalText implements encoding.TextMarshaler.
func (s CompetitorStatus) MarshalText() ([]byte, error) { return competitorStatuses.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *CompetitorStatus) UnmarshalText(b []byte) (err error) {
	*s, err = competitorStatuses.Parse(string(b))
	return err
}

// Field names something a pipeline stage can require before an
// opportunity enters it.
type Field uint8

// Fields a stage can require. The stored form is the name.
const (
	FieldAmount        Field = iota + 1 // a positive amount, entered or from lines
	FieldLines                          // at least one line
	FieldCloseDate                      // an expected close date
	FieldDecisionMaker                  // a contact with the decision_maker role
	FieldContact                        // at least one contact
	FieldNextStep                       // a next step with a due date
	FieldCompetitor                     // at least one competitor recorded
	FieldApproval                       // every discount beyond the threshold approved
)

var fields = enum.New[Field]("field", "amount", "lines", "close_date", "decision_maker", "contact",
	"next_step", "competitor", "approval")

// ParseField parses a field name such as "close_date".
func ParseField(s string) (Field, error) { return fields.Parse(s) }

// Fields returns every field in order.
func Fields() []Field { return fields.Values() }

// String returns the field's name.
func (f Field) String() string { return fields.String(f) }

// Valid reports whether f is a known field.
func (f Field) Valid() bool { return fields.Valid(f) }

// MarshalText implements encoding.TextMarshaler.
func (f Field) MarshalText() ([]byte, error) { return fields.Marshal(f) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *Field) UnmarshalText(b []byte) (err error) { *f, err = fields.Parse(string(b)); return err }

// AdjustmentKind says which kind of pricing rule changed a line's price.
type AdjustmentKind uint8

// Adjustment kinds, in the order the pricer applies them. The stored form
// is the name.
const (
	AdjustPriceList   AdjustmentKind = iota + 1 // the list price itself (客户定价)
	AdjustVolume                                // a volume tier (销量定价)
	AdjustPaymentTerm                           // a payment-term adjustment (回款周期定价)
	AdjustSeason                                // a seasonal promotion (季节性促销定价)
	AdjustManual                                // a discount the salesperson entered
)

var adjustmentKinds = enum.New[AdjustmentKind]("adjustment kind", "price_list", "volume",
	"payment_term", "season", "manual")

// ParseAdjustmentKind parses an adjustment kind name such as "volume".
func ParseAdjustmentKind(s string) (AdjustmentKind, error) { return adjustmentKinds.Parse(s) }

// String returns the kind's name.
func (k AdjustmentKind) String() string { return adjustmentKinds.String(k) }

// Valid reports whether k is a known kind.
func (k AdjustmentKind) Valid() bool { return adjustmentKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k AdjustmentKind) MarshalText() ([]byte, error) { return adjustmentKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *AdjustmentKind) UnmarshalText(b []byte) (err error) {
	*k, err = adjustmentKinds.Parse(string(b))
	return err
}

// Period is the length of a forecast period.
type Period uint8

// Forecast periods. The stored form is the name.
const (
	Month Period = iota + 1
	Quarter
	Year
)

var periods = enum.New[Period]("period", "month", "quarter", "year")

// ParsePeriod parses a period name such as "quarter".
func ParsePeriod(s string) (Period, error) { return periods.Parse(s) }

// String returns the period's name.
func (p Period) String() string { return periods.String(p) }

// Valid reports whether p is a known period.
func (p Period) Valid() bool { return periods.Valid(p) }

// MarshalText implements encoding.TextMarshaler.
func (p Period) MarshalText() ([]byte, error) { return periods.Marshal(p) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Period) UnmarshalText(b []byte) (err error) { *p, err = periods.Parse(string(b)); return err }

// Dimension is what an analysis groups opportunities by.
type Dimension uint8

// Dimensions. The stored form is the name.
const (
	ByPeriod     Dimension = iota + 1 // the expected (or actual) close date's period
	ByOwner                           // the owner
	ByTeam                            // the team
	ByStage                           // the stage code
	ByCategory                        // the forecast category
	ByReason                          // the lost reason ("" for won deals)
	ByCompetitor                      // the competitor that won, or "" when none
	BySource                          // the source kind
	BySegment                         // the customer segment the host gave
)

var dimensions = enum.New[Dimension]("dimension", "period", "owner", "team", "stage", "category",
	"reason", "competitor", "source", "segment")

// ParseDimension parses a dimension name such as "owner".
func ParseDimension(s string) (Dimension, error) { return dimensions.Parse(s) }

// String returns the dimension's name.
func (d Dimension) String() string { return dimensions.String(d) }

// Valid reports whether d is a known dimension.
func (d Dimension) Valid() bool { return dimensions.Valid(d) }

// MarshalText implements encoding.TextMarshaler.
func (d Dimension) MarshalText() ([]byte, error) { return dimensions.Marshal(d) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Dimension) UnmarshalText(b []byte) (err error) {
	*d, err = dimensions.Parse(string(b))
	return err
}
