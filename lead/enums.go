package lead

import "github.com/crmkit/crm/internal/enum"

// Stage is where a lead stands in its qualification. See the package
// documentation for the state diagram; each team's moves are data
// ([Process]).
type Stage uint8

// Lead stages. The stored form is the name; values are never renumbered.
const (
	StageNew          Stage = iota + 1 // captured, nobody has spoken to the person yet
	StageContacted                     // first contact made
	StageNurturing                     // not ready to buy: kept warm
	StageQualified                     // a real prospect: ready for conversion
	StageConverted                     // turned into a customer (and maybe an opportunity)
	StageDisqualified                  // not a prospect, with a reason from the host's list
)

var stages = enum.New[Stage]("stage", "new", "contacted", "nurturing", "qualified", "converted", "disqualified")

// ParseStage parses a stage name such as "qualified".
func ParseStage(s string) (Stage, error) { return stages.Parse(s) }

// Stages returns every stage in order.
func Stages() []Stage { return stages.Values() }

// String returns the stage's name.
func (s Stage) String() string { return stages.String(s) }

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return stages.Valid(s) }

// Open reports whether a lead in s is still being worked: neither converted
// nor disqualified. Open leads count against their owner's capacity.
func (s Stage) Open() bool { return s.Valid() && s != StageConverted && s != StageDisqualified }

// MarshalText implements encoding.TextMarshaler.
func (s Stage) MarshalText() ([]byte, error) { return stages.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Stage) UnmarshalText(b []byte) (err error) { *s, err = stages.Parse(string(b)); return err }

// SourceKind says where a lead came from.
type SourceKind uint8

// Lead sources. The stored form is the name.
const (
	SourceWebForm  SourceKind = iota + 1 // a form on the host's web site
	SourcePhone                          // an inbound call
	SourceEvent                          // a trade show, seminar or other event
	SourceReferral                       // referred by a customer or dealer (推荐)
	SourceCampaign                       // a response to a marketing campaign
	SourceEmail                          // an inbound e-mail
	SourceImport                         // a purchased or imported list
	SourceOther                          // anything else; say what in Source.Detail
)

var sourceKinds = enum.New[SourceKind]("source", "web_form", "phone", "event", "referral", "campaign", "email", "import", "other")

// ParseSourceKind parses a source name such as "referral".
func ParseSourceKind(s string) (SourceKind, error) { return sourceKinds.Parse(s) }

// SourceKinds returns every source kind in order.
func SourceKinds() []SourceKind { return sourceKinds.Values() }

// String returns the source kind's name.
func (k SourceKind) String() string { return sourceKinds.String(k) }

// Valid reports whether k is a known source kind.
func (k SourceKind) Valid() bool { return sourceKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k SourceKind) MarshalText() ([]byte, error) { return sourceKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *SourceKind) UnmarshalText(b []byte) (err error) {
	*k, err = sourceKinds.Parse(string(b))
	return err
}

// ContactKind says what a contact point is.
type ContactKind uint8

// Contact point kinds. The stored form is the name.
const (
	ContactEmail ContactKind = iota + 1 // an e-mail address
	ContactPhone                        // a telephone number
)

var contactKinds = enum.New[ContactKind]("contact kind", "email", "phone")

// ParseContactKind parses "email" or "phone".
func ParseContactKind(s string) (ContactKind, error) { return contactKinds.Parse(s) }

// String returns the kind's name.
func (k ContactKind) String() string { return contactKinds.String(k) }

// Valid reports whether k is a known kind.
func (k ContactKind) Valid() bool { return contactKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k ContactKind) MarshalText() ([]byte, error) { return contactKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *ContactKind) UnmarshalText(b []byte) (err error) {
	*k, err = contactKinds.Parse(string(b))
	return err
}

// HistoryKind says what a history entry records.
type HistoryKind uint8

// Kinds of history entry. The stored form is the name.
const (
	HistoryCaptured    HistoryKind = iota + 1 // the lead was captured
	HistoryStage                              // the stage changed
	HistoryOwner                              // the lead was assigned or reassigned
	HistoryScore                              // a score was stored
	HistoryTouch                              // another touch (a duplicate capture, a campaign response) was attached
	HistoryCustomer                           // the lead was linked to an existing customer
	HistoryContact                            // first contact was recorded
	HistoryKeyProspect                        // the key-prospect mark changed
)

var historyKinds = enum.New[HistoryKind]("history kind", "captured", "stage", "owner", "score", "touch", "customer", "contact", "key_prospect")

// ParseHistoryKind parses a history kind name such as "owner".
func ParseHistoryKind(s string) (HistoryKind, error) { return historyKinds.Parse(s) }

// String returns the kind's name.
func (k HistoryKind) String() string { return historyKinds.String(k) }

// Valid reports whether k is a known kind.
func (k HistoryKind) Valid() bool { return historyKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k HistoryKind) MarshalText() ([]byte, error) { return historyKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *HistoryKind) UnmarshalText(b []byte) (err error) {
	*k, err = historyKinds.Parse(string(b))
	return err
}

// DuplicatePolicy is what the host wants done when a new lead matches an
// existing lead or customer (see [ResolveDuplicates]).
type DuplicatePolicy uint8

// Duplicate policies. The stored form is the name.
const (
	// AttachToLead attaches the capture to the best matching open lead as
	// a new touch instead of creating a lead; with no lead match it links
	// to the best customer match, and with no match at all it creates.
	AttachToLead DuplicatePolicy = iota + 1
	// LinkToCustomer creates the lead linked to the best matching
	// customer; with no customer match it creates the lead unlinked.
	LinkToCustomer
	// CreateAnyway creates the lead whatever matched; the matches are
	// still reported.
	CreateAnyway
)

var duplicatePolicies = enum.New[DuplicatePolicy]("duplicate policy", "attach_to_lead", "link_to_customer", "create_anyway")

// ParseDuplicatePolicy parses a policy name such as "attach_to_lead".
func ParseDuplicatePolicy(s string) (DuplicatePolicy, error) { return duplicatePolicies.Parse(s) }

// String returns the policy's name.
func (p DuplicatePolicy) String() string { return duplicatePolicies.String(p) }

// Valid reports whether p is a known policy.
func (p DuplicatePolicy) Valid() bool { return duplicatePolicies.Valid(p) }

// MarshalText implements encoding.TextMarshaler.
func (p DuplicatePolicy) MarshalText() ([]byte, error) { return duplicatePolicies.Marshal(p) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *DuplicatePolicy) UnmarshalText(b []byte) (err error) {
	*p, err = duplicatePolicies.Parse(string(b))
	return err
}

// Attribution is how won revenue is credited to the campaigns that touched
// a deal (see [CampaignReports]).
type Attribution uint8

// Attribution models. The stored form is the name.
const (
	FirstTouch Attribution = iota + 1 // all credit to the earliest touch
	LastTouch                         // all credit to the latest touch on or before the win
	Linear                            // credit split equally among every touching campaign
)

var attributions = enum.New[Attribution]("attribution", "first_touch", "last_touch", "linear")

// ParseAttribution parses a model name such as "linear".
func ParseAttribution(s string) (Attribution, error) { return attributions.Parse(s) }

// String returns the model's name.
func (a Attribution) String() string { return attributions.String(a) }

// Valid reports whether a is a known model.
func (a Attribution) Valid() bool { return attributions.Valid(a) }

// MarshalText implements encoding.TextMarshaler.
func (a Attribution) MarshalText() ([]byte, error) { return attributions.Marshal(a) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Attribution) UnmarshalText(b []byte) (err error) {
	*a, err = attributions.Parse(string(b))
	return err
}

// Exclusion says why a person was not eligible for a lead in an
// assignment decision.
type Exclusion uint8

// Reasons a person is not eligible. The stored form is the name.
const (
	ExcludedInactive   Exclusion = iota + 1 // marked inactive in the roster
	ExcludedOffShift                        // not working at that instant by their calendar
	ExcludedAtCapacity                      // open leads reached their capacity (capacity 0 takes none)
	ExcludedSkill                           // lacks a skill the lead needs
	ExcludedLanguage                        // does not speak the lead's language
	ExcludedSeniority                       // not senior enough for the lead (对等配置)
	ExcludedCurrent                         // the lead's current owner, on reassignment
)

var exclusions = enum.New[Exclusion]("exclusion", "inactive", "off_shift", "at_capacity", "skill", "language", "seniority", "current_owner")

// ParseExclusion parses an exclusion name such as "off_shift".
func ParseExclusion(s string) (Exclusion, error) { return exclusions.Parse(s) }

// String returns the exclusion's name.
func (e Exclusion) String() string { return exclusions.String(e) }

// Valid reports whether e is a known exclusion.
func (e Exclusion) Valid() bool { return exclusions.Valid(e) }

// MarshalText implements encoding.TextMarshaler.
func (e Exclusion) MarshalText() ([]byte, error) { return exclusions.Marshal(e) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (e *Exclusion) UnmarshalText(b []byte) (err error) {
	*e, err = exclusions.Parse(string(b))
	return err
}

// ScoreModel names the kind of scorer behind a [Score].
type ScoreModel uint8

// Score models. The stored form is the name.
const (
	// ModelRules is a rule-based score (scoring.LeadScorer): Fit and
	// Engagement points, a grade, one reason per rule.
	ModelRules ScoreModel = iota + 1
	// ModelNaiveBayes is a predicted win probability in percent
	// (scoring.LeadModel): Total and Fit are the percent, Engagement is 0,
	// one reason per field that counted, its points the log-odds.
	ModelNaiveBayes
)

var scoreModels = enum.New[ScoreModel]("score model", "rules", "naive_bayes")

// ParseScoreModel parses "rules" or "naive_bayes".
func ParseScoreModel(s string) (ScoreModel, error) { return scoreModels.Parse(s) }

// String returns the model's name.
func (m ScoreModel) String() string { return scoreModels.String(m) }

// Valid reports whether m is a known model.
func (m ScoreModel) Valid() bool { return scoreModels.Valid(m) }

// MarshalText implements encoding.TextMarshaler.
func (m ScoreModel) MarshalText() ([]byte, error) { return scoreModels.Marshal(m) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *ScoreModel) UnmarshalText(b []byte) (err error) {
	*m, err = scoreModels.Parse(string(b))
	return err
}
