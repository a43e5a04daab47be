package customer

import (
	"context"
	"strings"
	"time"

	"github.com/crmkit/crm"
)

// Store is the storage port of the customer package: what the customer
// service needs from a database. [github.com/crmkit/crm/storage.Store]
// composes it with the other packages' ports; hosts get it ready-made from
// storage/memory or storage/postgres, or implement it and prove their
// implementation with storage/storagetest.
//
// Rules every method keeps:
//   - Tenancy: every call is scoped by a tenant; a record of another tenant
//     behaves exactly as if it did not exist (crm.ErrNotFound), for reads,
//     updates, lists, searches and duplicate look-ups alike. IDs are unique
//     per tenant.
//   - Context: a cancelled or expired context makes the call fail with an
//     error wrapping ctx.Err() and change nothing. A context carrying a
//     transaction of the same store (see crm.Transactor) makes the call part
//     of that transaction.
//   - Isolation: values passed in and handed out are copies; changing them
//     never changes stored state.
//   - Errors: invalid input wraps crm.ErrInvalid, missing records
//     crm.ErrNotFound, stale versions crm.ErrConflict, existing IDs
//     crm.ErrDuplicate. Backend errors are wrapped but never expose driver
//     types a caller must branch on.
//
// Implementations must be safe for concurrent use.
type Store interface {
	// Create stores a new customer at version 1 and its pending history
	// (Customer.PendingHistory); c is then marked saved at version 1
	// ([Guard] does it for every store, and when ctx carries a transaction
	// that then rolls back, puts c back as it was before the call, so that
	// the same c can be created again). A customer whose version is not 0
	// returns crm.ErrInvalid; an existing ID in the tenant returns
	// crm.ErrDuplicate.
	Create(ctx context.Context, c *Customer) error

	// Get returns the customer, tombstones and erased customers included.
	Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (*Customer, error)

	// Update loads the latest state of the customer, runs fn on it inside
	// the store's transaction (holding whatever lock prevents a concurrent
	// update of the same customer), then stores the result at the next
	// version together with its pending history, and returns a copy of it.
	// fn may run more than once when the backend retries; it must not have
	// side effects outside the customer. An error from fn is returned as is
	// unwrapped (the very same value) and nothing is stored. fn must not
	// change the customer's ID or tenant.
	Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Customer) error) (*Customer, error)

	// Save and Update never move LastContact backwards: the stored last
	// contact is the later of the stored one and the customer's, so a
	// customer read before an interaction was added does not undo it.
	//
	// Save stores c if its version is still the stored one
	// (compare-and-swap), with its pending history; c is then marked saved
	// at version+1 ([Guard] does it for every store, and when ctx carries a
	// transaction that then rolls back, puts c back as it was before the
	// call, so that it can be saved again). A stale version returns
	// crm.ErrConflict; a missing customer crm.ErrNotFound.
	Save(ctx context.Context, c *Customer) error

	// List returns customers matching q in ascending ID order (creation
	// order, as IDs are UUIDv7). The cursor is the last ID of the previous
	// page, so paging neither skips nor repeats records while others insert.
	// Tombstones are left out unless q.IncludeTombstones is set.
	List(ctx context.Context, tenant crm.TenantID, q Query, page crm.PageRequest) (crm.Page[*Customer], error)

	// FindByContact returns the customers (tombstones left out) having any of
	// the normalised e-mail addresses (Email.Normalized) or phone numbers
	// (Phone.Normalized), in ascending ID order, at most limit of them.
	FindByContact(ctx context.Context, tenant crm.TenantID, emails, phones []string, limit int) ([]*Customer, error)

	// History returns the customer's history in CompareHistory order
	// (oldest first), including entries moved to it by merges. A missing
	// customer returns crm.ErrNotFound.
	History(ctx context.Context, tenant crm.TenantID, id crm.ID, page crm.PageRequest) (crm.Page[HistoryEntry], error)

	// AddInteraction stores an interaction of an existing customer
	// (crm.ErrNotFound otherwise); an existing ID returns crm.ErrDuplicate.
	// In the same transaction it moves the customer's LastContact forward
	// to in.At when in.At is later (see [Customer.NoteContact]), without
	// changing the customer's version: LastContact never moves backwards.
	// Tombstones and erased customers are no exception (the contact
	// happened); they are never overdue for contact all the same.
	AddInteraction(ctx context.Context, in Interaction) error

	// Interactions returns the customer's interactions newest first
	// (CompareInteractions order). A missing customer returns
	// crm.ErrNotFound.
	Interactions(ctx context.Context, tenant crm.TenantID, customerID crm.ID, page crm.PageRequest) (crm.Page[Interaction], error)

	// CreateVisit stores a planned visit of an existing customer at version
	// 1 (the Version field is ignored).
	CreateVisit(ctx context.Context, v Visit) error

	// GetVisit returns a visit.
	GetVisit(ctx context.Context, tenant crm.TenantID, id crm.ID) (Visit, error)

	// UpdateVisit runs fn on the latest state of a visit and stores the
	// result at the next version, like Update. A result that fails
	// Visit.Validate, or changes the visit's ID, tenant or customer, returns
	// crm.ErrInvalid and stores nothing.
	UpdateVisit(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*Visit) error) (Visit, error)

	// ListVisits returns visits matching q ordered by PlannedAt, then ID.
	ListVisits(ctx context.Context, tenant crm.TenantID, q VisitQuery, page crm.PageRequest) (crm.Page[Visit], error)

	// MoveRelated re-points the interactions, history entries and visits of
	// customer from to customer to (both must exist). Used by merges inside
	// a transaction. from == to returns crm.ErrInvalid.
	MoveRelated(ctx context.Context, tenant crm.TenantID, from, to crm.ID) error

	// EraseInteractions blanks the summary, outcome and next step of every
	// interaction of the customer, returning how many of them held text. A
	// missing customer returns crm.ErrNotFound.
	EraseInteractions(ctx context.Context, tenant crm.TenantID, customerID crm.ID) (int, error)
}

// Backend is what a customer [Service] is built from: the customer store
// and the transactions it runs in. storage.Store satisfies it.
type Backend interface {
	crm.Transactor
	Customers() Store
}

// MaxQueryTextLen bounds Query.Text, in bytes.
const MaxQueryTextLen = 200

// Query filters a customer list. Zero fields do not filter; set fields must
// all match.
type Query struct {
	Owner     crm.UserID `json:"owner,omitempty"`
	Stage     Stage      `json:"stage,omitempty"`
	Loyalty   Loyalty    `json:"loyalty,omitempty"`
	Lifecycle Lifecycle  `json:"lifecycle,omitempty"`
	Class     Class      `json:"class,omitempty"`
	Role      Role       `json:"role,omitempty"`
	Kind      Kind       `json:"kind,omitempty"`
	// Tag matches customers carrying the tag (case-insensitive).
	Tag string `json:"tag,omitempty"`
	// KeyAccount, when set, matches key accounts (true) or the others.
	KeyAccount *bool `json:"key_account,omitempty"`
	// Text matches customers whose name, e-mail addresses or phone numbers
	// contain it, case-insensitively; for phone numbers only its digits are
	// compared. Every byte is taken literally (no wildcards).
	Text string `json:"text,omitempty"`
	// Segment, when set, matches customers the segment's rules match.
	// Stores evaluate it in Go after the indexed filters.
	Segment *Segment `json:"segment,omitempty"`
	// ContactedBefore, when set, matches customers never contacted or last
	// contacted before it (LastContact < ContactedBefore): the customers
	// overdue for contact by that cutoff.
	ContactedBefore time.Time `json:"contacted_before,omitzero"`
	// IncludeTombstones lists merged customers too.
	IncludeTombstones bool `json:"include_tombstones,omitempty"`
}

// Validate returns a *crm.ValidationError listing every problem of q.
func (q Query) Validate() error {
	var v crm.Validator
	if q.Owner != "" {
		v.Merge("owner", q.Owner.Validate())
	}
	v.Check(q.Stage == 0 || q.Stage.Valid(), "stage", "unknown stage")
	v.Check(q.Loyalty == 0 || q.Loyalty.Valid(), "loyalty", "unknown loyalty rung")
	v.Check(q.Lifecycle == 0 || q.Lifecycle.Valid(), "lifecycle", "unknown lifecycle status")
	v.Check(q.Class == 0 || q.Class.Valid(), "class", "unknown class")
	v.Check(q.Role == 0 || q.Role.Valid(), "role", "unknown role")
	v.Check(q.Kind == 0 || q.Kind.Valid(), "kind", "unknown kind")
	v.Check(len(q.Tag) <= MaxKeyLen, "tag", "too long")
	v.Check(len(q.Text) <= MaxQueryTextLen, "text", "too long")
	checkTime(&v, "contacted_before", q.ContactedBefore)
	if q.Segment != nil {
		v.Merge("segment", q.Segment.Validate())
	}
	return v.Err("customer.Query")
}

// Matches reports whether c passes every filter of q. Stores may use it as
// the reference for what their indexes and SQL must return.
func (q Query) Matches(c *Customer) bool {
	switch {
	case c.IsTombstone() && !q.IncludeTombstones,
		q.Owner != "" && c.owner != q.Owner,
		q.Stage != 0 && c.stage != q.Stage,
		q.Loyalty != 0 && c.loyalty != q.Loyalty,
		q.Lifecycle != 0 && c.lifecycle != q.Lifecycle,
		q.Class != 0 && c.class != q.Class,
		q.Role != 0 && !c.HasRole(q.Role),
		q.Kind != 0 && c.kind != q.Kind,
		q.Tag != "" && !c.HasTag(q.Tag),
		q.KeyAccount != nil && c.keyAccount != *q.KeyAccount,
		!q.ContactedBefore.IsZero() && !c.lastContact.Before(q.ContactedBefore),
		q.Text != "" && !MatchesText(c, q.Text),
		q.Segment != nil && !q.Segment.Matches(c):
		return false
	}
	return true
}

// MatchesText reports whether the customer's name, e-mail addresses or
// phone numbers contain text, case-insensitively (digits only for phones).
func MatchesText(c *Customer, text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	if t == "" {
		return true
	}
	if strings.Contains(strings.ToLower(c.name), t) {
		return true
	}
	for _, e := range c.emails {
		if strings.Contains(e.Normalized(), t) {
			return true
		}
	}
	if d := onlyDigits(t); d != "" {
		for _, p := range c.phones {
			if strings.Contains(p.Normalized(), d) {
				return true
			}
		}
	}
	return false
}

func onlyDigits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// VisitQuery filters a visit list. Zero fields do not filter.
type VisitQuery struct {
	Salesperson crm.UserID  `json:"salesperson,omitempty"`
	CustomerID  crm.ID      `json:"customer_id,omitzero"`
	Status      VisitStatus `json:"status,omitempty"`
	// From and To bound PlannedAt: From <= PlannedAt < To.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// Validate returns a *crm.ValidationError listing every problem of q.
func (q VisitQuery) Validate() error {
	var v crm.Validator
	if q.Salesperson != "" {
		v.Merge("salesperson", q.Salesperson.Validate())
	}
	v.Check(q.Status == 0 || q.Status.Valid(), "status", "unknown visit status")
	v.Check(q.From.IsZero() || q.To.IsZero() || q.From.Before(q.To), "to", "must be after from")
	return v.Err("customer.VisitQuery")
}

// Matches reports whether v passes every filter of q.
func (q VisitQuery) Matches(v Visit) bool {
	switch {
	case q.Salesperson != "" && v.Salesperson != q.Salesperson,
		!q.CustomerID.IsZero() && v.CustomerID != q.CustomerID,
		q.Status != 0 && v.Status != q.Status,
		!q.From.IsZero() && v.PlannedAt.Before(q.From),
		!q.To.IsZero() && !v.PlannedAt.Before(q.To):
		return false
	}
	return true
}

// CompareVisits orders visits by PlannedAt, then ID: the order stores list
// them in.
func CompareVisits(a, b Visit) int {
	if c := a.PlannedAt.Compare(b.PlannedAt); c != 0 {
		return c
	}
	return a.ID.Compare(b.ID)
}

func checkRef(op string, tenant crm.TenantID, id crm.ID, idPath string) error {
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(!id.IsZero(), idPath, "must not be zero")
	return v.Err(op)
}

func checkMove(op string, tenant crm.TenantID, from, to crm.ID) error {
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(!from.IsZero(), "from", "must not be zero")
	v.Check(!to.IsZero(), "to", "must not be zero")
	v.Check(from.IsZero() || from != to, "to", "must differ from from")
	return v.Err(op)
}

func checkVisitUpdate(op string, before, after Visit) error {
	var v crm.Validator
	v.Check(after.ID == before.ID && after.Tenant == before.Tenant, "id", "fn must not change the visit's ID or tenant")
	v.Check(after.CustomerID == before.CustomerID, "customer_id", "fn must not change the visit's customer")
	v.Merge("", after.Validate())
	return v.Err(op)
}
