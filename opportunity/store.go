package opportunity

import (
	"context"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
)

// Store is the storage port of the opportunity package: what a service
// for opportunities needs from a database. It is implemented by
// storage/memory and storage/postgres and proven by the shared
// conformance suite in storage/storagetest.
//
// The rules of customer.Store hold here too: every call is scoped by a
// tenant and another tenant's record behaves as if it did not exist
// (crm.ErrNotFound); a cancelled context fails the call with an error
// wrapping ctx.Err() and changes nothing; a context carrying a transaction
// of the same store makes the call part of it; values in and out are
// copies; invalid input wraps crm.ErrInvalid, missing records
// crm.ErrNotFound, stale versions crm.ErrConflict, existing IDs
// crm.ErrDuplicate, and driver errors are never exposed for branching.
//
// Implementations must be safe for concurrent use.
type Store interface {
	// Create stores a new opportunity at version 1 together with its
	// pending stage changes; o is then marked saved at version 1 ([Guard]
	// does it for every store, and when ctx carries a transaction that then
	// rolls back, puts o back as it was before the call, so that the same o
	// can be created again). An opportunity whose
	// version is not 0 returns crm.ErrInvalid; an existing ID in the
	// tenant returns crm.ErrDuplicate. The store does not check that the
	// customer exists: the service does, in the same transaction.
	Create(ctx context.Context, o *Opportunity) error

	// Get returns the opportunity.
	Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Opportunity, error)

	// Update loads the latest state of the opportunity, runs fn on it
	// inside the store's transaction (holding whatever lock prevents a
	// concurrent update of the same opportunity), then stores the result
	// at the next version together with its pending stage changes, and
	// returns a copy of it (nothing pending). fn may run more than once
	// when the backend retries; it must not have side effects outside the
	// opportunity. An error from fn is returned as is (the very same
	// value) and nothing is stored. A result that changes the opportunity's identity or
	// version, rewrites its history or fails the checks of [Guard] returns
	// crm.ErrInvalid and stores nothing.
	Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Opportunity) error) (*Opportunity, error)

	// List returns the opportunities matching q in ascending ID order
	// (creation order, as IDs are UUIDv7). The cursor stands for the last
	// ID of the previous page, so paging neither skips nor repeats
	// opportunities while others insert; a cursor the store did not make
	// returns crm.ErrInvalid. An invalid q returns crm.ErrInvalid. What a
	// store returns must be exactly what [Query.Matches] accepts.
	List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Opportunity], error)

	// History returns the opportunity's stage changes oldest first
	// (ascending Seq), creation included. The cursor stands for the last
	// Seq of the previous page; a cursor the store did not make returns
	// crm.ErrInvalid. A missing opportunity returns crm.ErrNotFound.
	History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[StageChange], error)
}

// Backend is what an opportunity [Service] is built from: the opportunity
// store, the customer store (an opportunity must name an existing
// customer) and the transactions both run in. storage.Store satisfies it.
type Backend interface {
	customer.Backend
	Opportunities() Store
}

// Limits on queries.
const (
	MaxQueryStages     = 64 // stage codes in one Query
	MaxQueryOwners     = 64 // owners in one Query
	MaxQueryStatuses   = 3  // statuses in one Query
	MaxQueryCategories = 5  // forecast categories in one Query
)

// Query filters an opportunity list. Zero fields do not filter; set fields
// must all match.
type Query struct {
	// Customer keeps the opportunities with one customer.
	Customer crm.ID `json:"customer,omitzero"`
	// Owners keeps the opportunities of any of these owners.
	Owners []crm.UserID `json:"owners,omitempty"`
	// Team keeps one team's opportunities.
	Team string `json:"team,omitempty"`
	// Pipeline keeps the opportunities of one pipeline.
	Pipeline string `json:"pipeline,omitempty"`
	// Stages keeps opportunities in any of these stages (won and lost
	// included).
	Stages []string `json:"stages,omitempty"`
	// Statuses keeps opportunities in any of these statuses.
	Statuses []Status `json:"statuses,omitempty"`
	// Categories keeps opportunities in any of these forecast categories
	// (as [Opportunity.ForecastCategory] reports).
	Categories []ForecastCategory `json:"categories,omitempty"`
	// CloseFrom and CloseTo keep opportunities whose expected close date
	// lies in [CloseFrom, CloseTo]; either may be zero (unbounded). An
	// opportunity without a close date never matches a bounded range.
	CloseFrom calendar.Date `json:"close_from,omitzero"`
	CloseTo   calendar.Date `json:"close_to,omitzero"`
	// StageBefore keeps opportunities that entered their current stage
	// before this instant: with an open status, the candidates for
	// staleness.
	StageBefore time.Time `json:"stage_before,omitzero"`
}

// Validate returns an error wrapping crm.ErrInvalid when q holds an
// unknown value or exceeds a limit.
func (q Query) Validate() error {
	var v crm.Validator
	v.Check(len(q.Owners) <= MaxQueryOwners, "owners", "too many")
	for _, o := range q.Owners {
		v.Merge("owners", o.Validate())
	}
	checkCode(&v, "team", q.Team, false)
	checkCode(&v, "pipeline", q.Pipeline, false)
	v.Check(len(q.Stages) <= MaxQueryStages, "stages", "too many")
	for _, s := range q.Stages {
		checkCode(&v, "stages", s, true)
	}
	v.Check(len(q.Statuses) <= MaxQueryStatuses, "statuses", "too many")
	for _, s := range q.Statuses {
		v.Check(s.Valid(), "statuses", "unknown status")
	}
	v.Check(len(q.Categories) <= MaxQueryCategories, "categories", "too many")
	for _, c := range q.Categories {
		v.Check(c.Valid(), "categories", "unknown forecast category")
	}
	if q.CloseFrom != (calendar.Date{}) {
		v.Merge("close_from", q.CloseFrom.Validate())
	}
	if q.CloseTo != (calendar.Date{}) {
		v.Merge("close_to", q.CloseTo.Validate())
	}
	v.Check(q.CloseFrom == (calendar.Date{}) || q.CloseTo == (calendar.Date{}) || !dateBefore(q.CloseTo, q.CloseFrom),
		"close_to", "before close_from")
	v.Check(crm.ValidTime(q.StageBefore), "stage_before", "outside the supported time range")
	return v.Err("opportunity.Query")
}

// Matches reports whether o passes every filter of q. Stores use it as the
// reference for what their indexes and SQL must return.
func (q Query) Matches(o *Opportunity) bool {
	noDate := o.closeDate == (calendar.Date{})
	switch {
	case !q.Customer.IsZero() && o.customer != q.Customer,
		len(q.Owners) > 0 && !slices.Contains(q.Owners, o.owner),
		q.Team != "" && o.team != q.Team,
		q.Pipeline != "" && o.pipeline != q.Pipeline,
		len(q.Stages) > 0 && !slices.Contains(q.Stages, o.stage),
		len(q.Statuses) > 0 && !slices.Contains(q.Statuses, o.status),
		len(q.Categories) > 0 && !slices.Contains(q.Categories, o.ForecastCategory()),
		q.CloseFrom != (calendar.Date{}) && (noDate || dateBefore(o.closeDate, q.CloseFrom)),
		q.CloseTo != (calendar.Date{}) && (noDate || dateBefore(q.CloseTo, o.closeDate)),
		!q.StageBefore.IsZero() && !o.stageSince.Before(q.StageBefore):
		return false
	}
	return true
}
