package lead

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// Store is the storage port of the lead package: leads, the assignment
// state and campaigns. It is designed here and implemented by
// storage/memory and storage/postgres; hosts may implement it and prove
// their implementation with storage/storagetest.
//
// Rules every method keeps, as in customer.Store:
//   - Tenancy: every call is scoped by a tenant; a record of another tenant
//     behaves exactly as if it did not exist (crm.ErrNotFound), for reads,
//     updates, lists and duplicate look-ups alike.
//   - Context: a cancelled or expired context makes the call fail with an
//     error wrapping ctx.Err() and change nothing; every wait (a lock, a
//     connection) honours it. A context carrying a transaction of the same
//     store makes the call part of it.
//   - Isolation: values passed in and handed out are copies.
//   - Errors: invalid input wraps crm.ErrInvalid, missing records
//     crm.ErrNotFound, stale versions crm.ErrConflict, existing IDs
//     crm.ErrDuplicate; backend errors never expose driver types.
//   - Limits: [Guard] checks every lead, campaign and assignment state on
//     its way in (the invariants of [FromRecord], [CampaignFromRecord] and
//     [AssignmentState.Validate]), so one set of limits holds in every
//     store; stores return their Leads() guarded.
//
// Implementations must be safe for concurrent use.
type Store interface {
	// Create stores a new lead at version 1 with its pending history
	// ([Lead.PendingHistory]); l is then marked saved at version 1 ([Guard]
	// does it for every store, and when ctx carries a transaction that then
	// rolls back, puts l back as it was before the call, so that the same l
	// can be created again). A lead whose version is not 0 returns
	// crm.ErrInvalid; an existing ID in the tenant crm.ErrDuplicate.
	Create(ctx context.Context, l *Lead) error

	// Get returns the lead.
	Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Lead, error)

	// Update loads the latest state of the lead, runs fn on it inside the
	// store's transaction (holding whatever lock prevents a concurrent
	// update of the same lead), then stores the result at the next version
	// with its pending history and returns a copy of it (nothing pending).
	// fn may run more than once when the backend retries; it must have no
	// side effects outside the lead. An error from fn is returned as is
	// (the very same value) and nothing is stored. fn must not change the
	// lead's ID, tenant, version or capture time; such a result, or one
	// [FromRecord] would refuse, returns crm.ErrInvalid and stores nothing.
	Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Lead) error) (*Lead, error)

	// List returns the leads matching q ([Query.Matches] is the reference)
	// in ascending ID order (capture order, as IDs are UUIDv7). The cursor
	// stands for the last ID of the previous page, so paging neither skips
	// nor repeats leads while others insert; a cursor the store did not
	// make returns crm.ErrInvalid. An invalid q returns crm.ErrInvalid.
	List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Lead], error)

	// FindByContact returns the open leads having any of the normalised
	// e-mail addresses or E.164 phone numbers ([ContactPoint.Normalized];
	// flagged points never match), in ascending ID order, at most limit
	// of them: the candidates of [FindDuplicates]. limit must be 1 to
	// crm.MaxPageLimit.
	FindByContact(ctx context.Context, tenant crm.TenantID, emails, phones []string, limit int) ([]*Lead, error)

	// History returns the lead's history oldest first (ascending Seq). The
	// cursor is opaque; a missing lead returns crm.ErrNotFound.
	History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[HistoryEntry], error)

	// Assignment returns the tenant's assignment state for team ("" for
	// the default team): the zero state when none is stored yet.
	Assignment(ctx context.Context, tenant crm.TenantID, team string) (AssignmentState, error)

	// UpdateAssignment runs fn on the latest assignment state of the
	// tenant's team while holding a lock that serialises every update of
	// that state (a row lock, a mutex), and stores what fn leaves in it,
	// in the transaction carried by ctx when there is one. This is what
	// makes assignment safe under load: 32 concurrent captures that each
	// decide with [Router.Assign] inside fn and store their lead in the
	// same transaction never exceed a capacity and never skip or repeat a
	// turn. An error from fn is returned as is and nothing is stored; a
	// state failing [AssignmentState.Validate] returns crm.ErrInvalid.
	// fn may run more than once when the backend retries.
	UpdateAssignment(ctx context.Context, tenant crm.TenantID, team string, fn func(*AssignmentState) error) (AssignmentState, error)

	// Campaigns returns the campaign store.
	Campaigns() CampaignStore
}

// Backend is what a lead [Service] is built from: the lead store, the
// customer store (duplicates at capture, conversion) and the transactions
// both run in. storage.Store satisfies it.
type Backend interface {
	customer.Backend
	Leads() Store
}

// CampaignStore stores campaigns under the rules of [Store].
type CampaignStore interface {
	// Create stores a new campaign at version 1; c is then marked saved at
	// version 1 ([Guard] does it, and puts c back as it was before the call
	// when ctx carries a transaction that then rolls back). An existing ID
	// returns crm.ErrDuplicate.
	Create(ctx context.Context, c *Campaign) error

	// Get returns the campaign.
	Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Campaign, error)

	// Update runs fn on the latest campaign under a lock and stores the
	// result at the next version, like Store.Update; fn must not change
	// the campaign's ID or tenant.
	Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Campaign) error) (*Campaign, error)

	// List returns the campaigns whose period overlaps [from, to) (either
	// may be zero: unbounded) in ascending ID order, with the cursor rules
	// of Store.List.
	List(ctx context.Context, tenant crm.TenantID, from, to time.Time, page crm.PageRequest) (crm.Page[*Campaign], error)
}

// MaxQueryStages bounds Query.Stages.
const MaxQueryStages = 6

// Query filters a lead list. Zero fields do not filter; set fields must
// all match.
type Query struct {
	// Stages keeps leads in any of these stages.
	Stages []Stage `json:"stages,omitempty"`
	// Open keeps open leads when true, closed ones when false.
	Open *bool `json:"open,omitempty"`
	// Team keeps one team's leads; nil does not filter (a pointer, so that
	// the default team "" can be asked for).
	Team *string `json:"team,omitempty"`
	// Owner keeps one person's leads; Unassigned keeps leads with no owner.
	Owner      crm.UserID `json:"owner,omitempty"`
	Unassigned bool       `json:"unassigned,omitempty"`
	// Source keeps leads from one kind of source; Campaign those whose
	// capture names the campaign.
	Source   SourceKind `json:"source,omitzero"`
	Campaign crm.ID     `json:"campaign,omitzero"`
	// Customer keeps the leads linked to one customer.
	Customer crm.ID `json:"customer,omitzero"`
	// CapturedFrom and CapturedTo keep leads captured in [From, To).
	CapturedFrom time.Time `json:"captured_from,omitzero"`
	CapturedTo   time.Time `json:"captured_to,omitzero"`
	// Uncontacted keeps open leads without a first contact: what the
	// first-contact check reads.
	Uncontacted bool `json:"uncontacted,omitempty"`
	// ClockStartTo keeps leads whose first-contact clock
	// ([Lead.FirstContactTimer]) started before it: with Uncontacted, the
	// leads a first-contact check at some instant can find due. Stores
	// index it, so that such a check reads the leads that are due, not
	// every uncontacted lead.
	ClockStartTo time.Time `json:"clock_start_to,omitzero"`
}

// Validate returns a *crm.ValidationError when q holds an unknown value,
// contradicts itself or exceeds a limit.
func (q Query) Validate() error {
	var v crm.Validator
	v.Check(len(q.Stages) <= MaxQueryStages, "stages", "too many")
	for i, s := range q.Stages {
		v.Check(s.Valid(), fmt.Sprintf("stages[%d]", i), "unknown stage")
	}
	if q.Team != nil {
		checkTeam(&v, *q.Team)
	}
	if q.Owner != "" {
		v.Merge("owner", q.Owner.Validate())
	}
	v.Check(q.Owner == "" || !q.Unassigned, "unassigned", "contradicts owner")
	v.Check(q.Source == 0 || q.Source.Valid(), "source", "unknown source")
	v.Check(crm.ValidTime(q.CapturedFrom) && crm.ValidTime(q.CapturedTo), "captured_from", "outside the supported time range")
	v.Check(q.CapturedFrom.IsZero() || q.CapturedTo.IsZero() || q.CapturedFrom.Before(q.CapturedTo), "captured_to", "must be after captured_from")
	v.Check(crm.ValidTime(q.ClockStartTo), "clock_start_to", "outside the supported time range")
	return v.Err("lead.Query")
}

// Matches reports whether l passes every filter of q: the reference for
// what a store's indexes and SQL must return.
func (q Query) Matches(l *Lead) bool {
	l.ensure()
	switch {
	case len(q.Stages) > 0 && !slices.Contains(q.Stages, l.stage),
		q.Open != nil && l.stage.Open() != *q.Open,
		q.Team != nil && l.team != *q.Team,
		q.Owner != "" && l.owner != q.Owner,
		q.Unassigned && l.owner != "",
		q.Source != 0 && l.source.Kind != q.Source,
		!q.Campaign.IsZero() && l.source.Campaign != q.Campaign,
		!q.Customer.IsZero() && l.customer != q.Customer,
		!q.CapturedFrom.IsZero() && l.capturedAt.Before(q.CapturedFrom),
		!q.CapturedTo.IsZero() && !l.capturedAt.Before(q.CapturedTo),
		q.Uncontacted && (!l.stage.Open() || !l.firstContactAt.IsZero()),
		!q.ClockStartTo.IsZero() && !l.clockStart().Before(q.ClockStartTo):
		return false
	}
	return true
}
