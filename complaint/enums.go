package complaint

import "github.com/crmkit/crm/internal/enum"

// Status is where a complaint stands in its handling. See the package
// documentation for the state diagram.
type Status uint8

// Complaint statuses. The stored form is the name.
const (
	Received          Status = iota + 1 // 已受理: the complaint arrived
	Acknowledged                        // the customer was told it is being handled
	Assessed                            // severity, priority and owner settled
	Investigating                       // the cause is being looked into
	ResponseProposed                    // a remedy was proposed to the customer
	Resolved                            // the remedy was carried out
	Closed                              // handling finished
	Rejected                            // refused, with a reason
	WaitingOnCustomer                   // paused until the customer answers
	Reopened                            // came back after closing or rejection
)

var statuses = enum.New[Status]("status", "received", "acknowledged", "assessed", "investigating",
	"response_proposed", "resolved", "closed", "rejected", "waiting_on_customer", "reopened")

// ParseStatus parses a status name such as "investigating".
func ParseStatus(s string) (Status, error) { return statuses.Parse(s) }

// Statuses returns every status in order.
func Statuses() []Status { return statuses.Values() }

// String returns the status's name.
func (s Status) String() string { return statuses.String(s) }

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return statuses.Valid(s) }

// Open reports whether the complaint is still being handled: neither
// closed nor rejected.
func (s Status) Open() bool { return s.Valid() && s != Closed && s != Rejected }

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return statuses.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Status) UnmarshalText(b []byte) (err error) { *s, err = statuses.Parse(string(b)); return err }

// Severity says how serious the complaint's matter is.
type Severity uint8

// Severities, in rising order. The stored form is the name.
const (
	Low Severity = iota + 1
	Medium
	High
	Critical
)

var severities = enum.New[Severity]("severity", "low", "medium", "high", "critical")

// ParseSeverity parses a severity name such as "high".
func ParseSeverity(s string) (Severity, error) { return severities.Parse(s) }

// String returns the severity's name.
func (s Severity) String() string { return severities.String(s) }

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return severities.Valid(s) }

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return severities.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) (err error) {
	*s, err = severities.Parse(string(b))
	return err
}

// Priority says how soon the complaint must be worked on; P1 is the most urgent.
type Priority uint8

// Priorities, most urgent first. The stored form is the name.
const (
	P1 Priority = iota + 1
	P2
	P3
	P4
)

var priorities = enum.New[Priority]("priority", "p1", "p2", "p3", "p4")

// ParsePriority parses a priority name such as "p2".
func ParsePriority(s string) (Priority, error) { return priorities.Parse(s) }

// String returns the priority's name.
func (p Priority) String() string { return priorities.String(p) }

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return priorities.Valid(p) }

// MarshalText implements encoding.TextMarshaler.
func (p Priority) MarshalText() ([]byte, error) { return priorities.Marshal(p) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Priority) UnmarshalText(b []byte) (err error) {
	*p, err = priorities.Parse(string(b))
	return err
}

// Remedy is what the business does to put the matter right.
type Remedy uint8

// Remedies. The stored form is the name.
const (
	Repair Remedy = iota + 1
	Replacement
	Refund
	Compensation
	Apology
	Explanation
)

var remedies = enum.New[Remedy]("remedy", "repair", "replacement", "refund", "compensation", "apology", "explanation")

// ParseRemedy parses a remedy name such as "repair".
func ParseRemedy(s string) (Remedy, error) { return remedies.Parse(s) }

// String returns the remedy's name.
func (r Remedy) String() string { return remedies.String(r) }

// Valid reports whether r is a known remedy.
func (r Remedy) Valid() bool { return remedies.Valid(r) }

// MarshalText implements encoding.TextMarshaler.
func (r Remedy) MarshalText() ([]byte, error) { return remedies.Marshal(r) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Remedy) UnmarshalText(b []byte) (err error) { *r, err = remedies.Parse(string(b)); return err }

// RepairStep is one step of a repair's work order (透明化维修).
type RepairStep uint8

// Repair steps. The stored form is the name.
const (
	StepScheduled RepairStep = iota + 1
	StepTechnicianAssigned
	StepOnSite
	StepPartsOrdered
	StepFixed
	StepVerified
)

var repairSteps = enum.New[RepairStep]("repair step", "scheduled", "technician_assigned", "on_site", "parts_ordered", "fixed", "verified")

// ParseRepairStep parses a repair step name such as "on_site".
func ParseRepairStep(s string) (RepairStep, error) { return repairSteps.Parse(s) }

// String returns the step's name.
func (r RepairStep) String() string { return repairSteps.String(r) }

// Valid reports whether r is a known step.
func (r RepairStep) Valid() bool { return repairSteps.Valid(r) }

// MarshalText implements encoding.TextMarshaler.
func (r RepairStep) MarshalText() ([]byte, error) { return repairSteps.Marshal(r) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *RepairStep) UnmarshalText(b []byte) (err error) {
	*r, err = repairSteps.Parse(string(b))
	return err
}

// AuditKind says what an audit entry records.
type AuditKind uint8

// Kinds of audit entry. The stored form is the name.
const (
	AuditCreated      AuditKind = iota + 1 // the complaint was received
	AuditStatus                            // status changed
	AuditEscalated                         // escalation level raised
	AuditHandOver                          // accountable owner changed
	AuditResolution                        // resolution recorded
	AuditAcceptance                        // customer accepted or refused the decision
	AuditFollowUp                          // follow-up call scheduled
	AuditSurvey                            // satisfaction survey recorded
	AuditRepair                            // repair step added
	AuditGroup                             // linked to a group
	AuditFollowUpDone                      // follow-up call made and its outcome recorded
)

var auditKinds = enum.New[AuditKind]("audit kind", "created", "status", "escalated", "hand_over",
	"resolution", "acceptance", "follow_up", "survey", "repair", "group", "follow_up_done")

// ParseAuditKind parses an audit kind name such as "hand_over".
func ParseAuditKind(s string) (AuditKind, error) { return auditKinds.Parse(s) }

// String returns the kind's name.
func (k AuditKind) String() string { return auditKinds.String(k) }

// Valid reports whether k is a known kind.
func (k AuditKind) Valid() bool { return auditKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k AuditKind) MarshalText() ([]byte, error) { return auditKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *AuditKind) UnmarshalText(b []byte) (err error) {
	*k, err = auditKinds.Parse(string(b))
	return err
}
