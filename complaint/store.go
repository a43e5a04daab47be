package complaint

import (
	"context"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// Store is the storage port of the complaint package: what the complaint
// [Service] needs from a database. [github.com/crmkit/crm/storage.Store]
// composes it with the other packages' ports; hosts get it ready-made from
// storage/memory or storage/postgres, or implement it and prove their
// implementation with storage/storagetest.
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
	// Create stores a new complaint at version 1 together with its pending
	// audit entries (Complaint.PendingAudit); c is then marked saved at
	// version 1 ([Guard] does it for every store, and when ctx carries a
	// transaction that then rolls back, puts c back as it was before the
	// call, so that the same c can be created again). A complaint whose version
	// is not 0 returns crm.ErrInvalid; an existing ID in the tenant returns
	// crm.ErrDuplicate. The store does not check that the customer exists:
	// the Service does, in the same transaction.
	Create(ctx context.Context, c *Complaint) error

	// Get returns the complaint.
	Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Complaint, error)

	// Update loads the latest state of the complaint, runs fn on it inside
	// the store's transaction (holding whatever lock prevents a concurrent
	// update of the same complaint), then stores the result at the next
	// version together with its pending audit entries, and returns a copy
	// of it (nothing pending). fn may run more than once when the backend
	// retries; it must not have side effects outside the complaint. An
	// error from fn is returned as is (the very same value) and nothing is
	// stored. A result that changes the complaint's ID or tenant, or fails
	// [CheckUpdate], returns crm.ErrInvalid and stores nothing.
	Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Complaint) error) (*Complaint, error)

	// List returns the complaints matching q in ascending ID order
	// (receipt order, as IDs are UUIDv7). The cursor is the last ID of the
	// previous page, so paging neither skips nor repeats complaints while
	// others insert. An invalid q returns crm.ErrInvalid.
	List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Complaint], error)

	// Audit returns the complaint's audit trail oldest first (ascending
	// Seq). The cursor is opaque: it stands for the last Seq of the
	// previous page, and a cursor the store did not make returns
	// crm.ErrInvalid. A missing complaint returns crm.ErrNotFound.
	Audit(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[AuditEntry], error)

	// CreateRisk stores a new risk at version 1 ([Guard] marks r saved,
	// and puts it back at version 0 when ctx carries a transaction that
	// then rolls back). A
	// risk whose version is not 0 returns crm.ErrInvalid; an existing ID
	// crm.ErrDuplicate, and so does an active risk (open or mitigating)
	// when the tenant already has an active risk with the same Key: a
	// hotspot is raised as a risk once until that risk is settled.
	CreateRisk(ctx context.Context, r *Risk) error

	// GetRisk returns the risk.
	GetRisk(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Risk, error)

	// UpdateRisk runs fn on the latest state of the risk and stores the
	// result at the next version, like Update. A result that changes the
	// risk's ID, tenant or hotspot returns crm.ErrInvalid and stores
	// nothing.
	UpdateRisk(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Risk) error) (*Risk, error)

	// ListRisks returns the risks matching q in ascending ID order, with
	// the same cursor rules as List.
	ListRisks(ctx context.Context, tenant crm.TenantID, q RiskQuery, page crm.PageRequest) (crm.Page[*Risk], error)
}

// Backend is what a complaint [Service] is built from: the complaint store,
// the customer store (a complaint must name an existing customer) and the
// transactions both run in. storage.Store satisfies it.
type Backend interface {
	customer.Backend
	Complaints() Store
}

// Limits on queries.
const (
	MaxQueryStatuses   = 16  // statuses in one Query
	MaxQueryCategories = 256 // category codes in one Query
)

// Query filters a complaint list. Zero fields do not filter; set fields
// must all match.
type Query struct {
	// Customer keeps the complaints of one customer.
	Customer crm.ID `json:"customer,omitzero"`
	// Owner keeps the complaints one user is accountable for.
	Owner crm.UserID `json:"owner,omitempty"`
	// Statuses keeps complaints in any of these statuses.
	Statuses []Status `json:"statuses,omitempty"`
	// Open keeps complaints that are not closed or rejected when true,
	// and only closed or rejected ones when false.
	Open *bool `json:"open,omitempty"`
	// Categories keeps complaints whose category is any of these codes.
	// The store knows no category tree: [Service.List] expands a code to
	// its subtree with the host's CategoryTree.
	Categories []string `json:"categories,omitempty"`
	// Channel keeps complaints received through one channel.
	Channel customer.Channel `json:"channel,omitempty"`
	// MinSeverity keeps complaints at least this severe.
	MinSeverity Severity `json:"min_severity,omitempty"`
	// Group keeps the complaints linked to one group.
	Group crm.ID `json:"group,omitzero"`
	// Asset keeps complaints whose asset lies at or below this path
	// ([Asset.HasPrefix]): a building's prefix finds every unit in it.
	Asset Asset `json:"asset,omitempty"`
	// ReceivedFrom and ReceivedTo keep complaints received in
	// [ReceivedFrom, ReceivedTo); either may be zero (unbounded).
	ReceivedFrom time.Time `json:"received_from,omitzero"`
	ReceivedTo   time.Time `json:"received_to,omitzero"`
	// SettledFrom keeps complaints closed or rejected at or after this
	// instant (and still closed or rejected): what a periodic job needs to
	// look at besides the open complaints.
	SettledFrom time.Time `json:"settled_from,omitzero"`
}

// Validate returns an error wrapping crm.ErrInvalid when q holds an
// unknown value or exceeds a limit.
func (q Query) Validate() error {
	var v crm.Validator
	if q.Owner != "" {
		v.Merge("owner", q.Owner.Validate())
	}
	v.Check(len(q.Statuses) <= MaxQueryStatuses, "statuses", "too many")
	for _, s := range q.Statuses {
		v.Check(s.Valid(), "statuses", "unknown status")
	}
	v.Check(len(q.Categories) <= MaxQueryCategories, "categories", "too many")
	for _, c := range q.Categories {
		checkCode(&v, "categories", c)
	}
	v.Check(q.Channel == 0 || q.Channel.Valid(), "channel", "unknown channel")
	v.Check(q.MinSeverity == 0 || q.MinSeverity.Valid(), "min_severity", "unknown severity")
	q.Asset.validate(&v, "asset")
	v.Check(q.ReceivedFrom.IsZero() || q.ReceivedTo.IsZero() || q.ReceivedFrom.Before(q.ReceivedTo),
		"received_to", "must be after received_from")
	return v.Err("complaint.Query")
}

// Matches reports whether c passes every filter of q. Stores may use it as
// the reference for what their indexes and SQL must return.
func (q Query) Matches(c *Complaint) bool {
	switch {
	case !q.Customer.IsZero() && c.customer != q.Customer,
		q.Owner != "" && c.owner != q.Owner,
		len(q.Statuses) > 0 && !slices.Contains(q.Statuses, c.status),
		q.Open != nil && c.status.Open() != *q.Open,
		len(q.Categories) > 0 && !slices.Contains(q.Categories, c.category),
		q.Channel != 0 && c.channel != q.Channel,
		q.MinSeverity != 0 && c.severity < q.MinSeverity,
		!q.Group.IsZero() && c.group != q.Group,
		len(q.Asset) > 0 && !c.asset.HasPrefix(q.Asset),
		!q.ReceivedFrom.IsZero() && c.receivedAt.Before(q.ReceivedFrom),
		!q.ReceivedTo.IsZero() && !c.receivedAt.Before(q.ReceivedTo),
		!q.SettledFrom.IsZero() && !settledSince(c, q.SettledFrom):
		return false
	}
	return true
}

// settledSince reports whether c is closed or rejected, and was so at or
// after t.
func settledSince(c *Complaint, t time.Time) bool {
	switch c.status {
	case Closed:
		return !c.closedAt.Before(t)
	case Rejected:
		return !c.rejectedAt.Before(t)
	}
	return false
}

// RiskQuery filters a risk list. Zero fields do not filter.
type RiskQuery struct {
	// Statuses keeps risks in any of these mitigation statuses.
	Statuses []MitigationStatus `json:"statuses,omitempty"`
	// Active keeps open and mitigating risks when true, settled ones
	// (mitigated, accepted) when false.
	Active *bool `json:"active,omitempty"`
	// Owner keeps one user's risks.
	Owner crm.UserID `json:"owner,omitempty"`
	// Key keeps the risks raised from one hotspot ([Hotspot.Key]).
	Key string `json:"key,omitempty"`
}

// MaxRiskKeyLen bounds RiskQuery.Key, in bytes.
const MaxRiskKeyLen = 2048

// Validate returns an error wrapping crm.ErrInvalid when q holds an
// unknown value or exceeds a limit.
func (q RiskQuery) Validate() error {
	var v crm.Validator
	v.Check(len(q.Statuses) <= MaxQueryStatuses, "statuses", "too many")
	for _, s := range q.Statuses {
		v.Check(s.Valid(), "statuses", "unknown mitigation status")
	}
	if q.Owner != "" {
		v.Merge("owner", q.Owner.Validate())
	}
	v.Check(len(q.Key) <= MaxRiskKeyLen, "key", "too long")
	return v.Err("complaint.RiskQuery")
}

// Matches reports whether r passes every filter of q.
func (q RiskQuery) Matches(r *Risk) bool {
	switch {
	case len(q.Statuses) > 0 && !slices.Contains(q.Statuses, r.status),
		q.Active != nil && r.status.Active() != *q.Active,
		q.Owner != "" && r.owner != q.Owner,
		q.Key != "" && r.Key() != q.Key:
		return false
	}
	return true
}

func checkRef(op string, tenant crm.TenantID, id crm.ID) error {
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(!id.IsZero(), "id", "must not be zero")
	return v.Err(op)
}
