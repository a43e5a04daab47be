package customer

import (
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// VisitKind says whether a visit is to a new or a returning customer; day
// plans count the two separately (e.g. "7 new + 3 return visits a day").
type VisitKind uint8

// Kinds of visit.
const (
	NewVisit    VisitKind = iota + 1 // first visit to a prospect
	ReturnVisit                      // visit to a customer already met
)

var visitKinds = enum.New[VisitKind]("visit kind", "new", "return")

// ParseVisitKind parses "new" or "return".
func ParseVisitKind(s string) (VisitKind, error) { return visitKinds.Parse(s) }

// String returns the kind's name.
func (k VisitKind) String() string { return visitKinds.String(k) }

// Valid reports whether k is a known kind.
func (k VisitKind) Valid() bool { return visitKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k VisitKind) MarshalText() ([]byte, error) { return visitKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *VisitKind) UnmarshalText(b []byte) (err error) {
	*k, err = visitKinds.Parse(string(b))
	return err
}

// VisitStatus is where a planned visit stands.
//
//	planned → done | cancelled | missed
type VisitStatus uint8

// Visit statuses.
const (
	VisitPlanned VisitStatus = iota + 1
	VisitDone
	VisitCancelled
	VisitMissed
)

var visitStatuses = enum.New[VisitStatus]("visit status", "planned", "done", "cancelled", "missed")

var visitMachine = machine[VisitStatus]{
	name: "visit status",
	str:  VisitStatus.String,
	table: map[VisitStatus][]VisitStatus{
		VisitPlanned: {VisitDone, VisitCancelled, VisitMissed},
	},
}

// ParseVisitStatus parses a status name such as "done".
func ParseVisitStatus(s string) (VisitStatus, error) { return visitStatuses.Parse(s) }

// String returns the status's name.
func (s VisitStatus) String() string { return visitStatuses.String(s) }

// Valid reports whether s is a known status.
func (s VisitStatus) Valid() bool { return visitStatuses.Valid(s) }

// MarshalText implements encoding.TextMarshaler.
func (s VisitStatus) MarshalText() ([]byte, error) { return visitStatuses.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *VisitStatus) UnmarshalText(b []byte) (err error) {
	*s, err = visitStatuses.Parse(string(b))
	return err
}

// Visit is a planned sales visit: when, who, to whom, why and how; once it
// has happened, its outcome.
type Visit struct {
	ID         crm.ID       `json:"id"`
	Tenant     crm.TenantID `json:"tenant"`
	CustomerID crm.ID       `json:"customer_id"`
	// Salesperson makes the visit.
	Salesperson crm.UserID `json:"salesperson"`
	Kind        VisitKind  `json:"kind"`
	// Purpose says why (the reason of the visit).
	Purpose string `json:"purpose"`
	// Method is how the visit is made: face to face, phone, …
	Method Channel `json:"method"`
	// PlannedAt is the planned start; Duration the planned length (may be 0).
	PlannedAt time.Time     `json:"planned_at"`
	Duration  time.Duration `json:"-"` // in JSON: "duration", see Visit.MarshalJSON
	Status    VisitStatus   `json:"status"`
	// Outcome and DoneAt are set when the visit is completed.
	Outcome string    `json:"outcome,omitempty"`
	DoneAt  time.Time `json:"done_at,omitzero"`
	// Version is the stored version, kept by stores for optimistic concurrency.
	Version int64 `json:"version"`
}

// Validate returns a *crm.ValidationError listing every problem of v.
func (vi Visit) Validate() error {
	var v crm.Validator
	v.Check(!vi.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", vi.Tenant.Validate())
	v.Check(!vi.CustomerID.IsZero(), "customer_id", "must not be zero")
	v.Merge("salesperson", vi.Salesperson.Validate())
	v.Check(vi.Kind.Valid(), "kind", "unknown visit kind")
	checkText(&v, "purpose", vi.Purpose, MaxOutcomeLen, true)
	v.Check(vi.Method.Valid(), "method", "unknown channel")
	v.Check(!vi.PlannedAt.IsZero(), "planned_at", "must be set")
	checkTime(&v, "planned_at", vi.PlannedAt)
	checkTime(&v, "done_at", vi.DoneAt)
	v.Check(vi.Duration >= 0 && vi.Duration <= 24*time.Hour, "duration", "must be between 0 and 24h")
	v.Check(vi.Status.Valid(), "status", "unknown visit status")
	checkText(&v, "outcome", vi.Outcome, MaxOutcomeLen, vi.Status == VisitDone)
	v.Check(vi.Status != VisitDone || !vi.DoneAt.IsZero(), "done_at", "required when done")
	return v.Err("customer.Visit")
}

// Complete records the outcome of a planned visit. A visit that is not
// planned any more returns a *crm.TransitionError and is left unchanged.
func (vi *Visit) Complete(outcome string, at time.Time) error {
	if err := visitMachine.check(vi.Status, VisitDone); err != nil {
		return err
	}
	var v crm.Validator
	checkText(&v, "outcome", outcome, MaxOutcomeLen, true)
	v.Check(!at.IsZero(), "at", "must be set")
	if err := v.Err("customer.Visit.Complete"); err != nil {
		return err
	}
	vi.Status, vi.Outcome, vi.DoneAt = VisitDone, outcome, at.UTC()
	return nil
}

// Cancel cancels a planned visit, keeping the reason as its outcome.
func (vi *Visit) Cancel(reason string) error { return vi.close(VisitCancelled, reason) }

// Miss marks a planned visit that did not happen.
func (vi *Visit) Miss(reason string) error { return vi.close(VisitMissed, reason) }

func (vi *Visit) close(to VisitStatus, reason string) error {
	if err := visitMachine.check(vi.Status, to); err != nil {
		return err
	}
	var v crm.Validator
	checkText(&v, "reason", reason, MaxOutcomeLen, false)
	if err := v.Err("customer.Visit"); err != nil {
		return err
	}
	vi.Status, vi.Outcome = to, reason
	return nil
}
