package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// visits is the fixture of the visit table: values (a visit has no
// private state), listed in CompareVisits order overall, per salesperson
// and per customer. A visit needs its customer.
var visits = &aggregate[customer.Visit, *customer.Visit, struct{}]{
	what:  "visit",
	table: func(td *tenantData) *table[customer.Visit] { return &td.visits },
	id:    func(v customer.Visit) crm.ID { return v.ID },
	noIDs: true, // listed by visitAll
	index: (*tenantData).indexVisit,
	admit: func(td *tenantData, old, v customer.Visit) error {
		if old.ID.IsZero() && !td.has(v.CustomerID) {
			return notFound("customer", v.CustomerID)
		}
		return nil // an update keeps the customer (CheckVisitUpdate)
	},
	edit: func(cur customer.Visit) *customer.Visit { return &cur },
	next: func(op string, cur customer.Visit, work *customer.Visit) (customer.Visit, struct{}, error) {
		work.Version = cur.Version + 1
		return *work, struct{}{}, nil
	},
	saved: func(*customer.Visit, customer.Visit) {},
}

// visitRef is a visit's sort key.
type visitRef struct {
	at time.Time
	id crm.ID
}

func compareVisitRef(a, b visitRef) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return a.id.Compare(b.id)
}

func insertRef(s []visitRef, r visitRef) []visitRef {
	i, found := slices.BinarySearchFunc(s, r, compareVisitRef)
	if found {
		return s
	}
	return slices.Insert(s, i, r)
}

func removeRef(s []visitRef, r visitRef) []visitRef {
	i, found := slices.BinarySearchFunc(s, r, compareVisitRef)
	if !found {
		return s
	}
	return slices.Delete(s, i, i+1)
}

func addRef[K comparable](m map[K][]visitRef, k K, r visitRef) { m[k] = insertRef(m[k], r) }

func removeRefKey[K comparable](m map[K][]visitRef, k K, r visitRef) {
	s := removeRef(m[k], r)
	if len(s) == 0 {
		delete(m, k)
		return
	}
	m[k] = s
}

// indexVisit keeps the visit indexes in step when old (zero: none) is
// replaced by new (zero: removed); both must have the same ID.
func (td *tenantData) indexVisit(old, new customer.Visit) {
	if !old.ID.IsZero() {
		r := visitRef{old.PlannedAt, old.ID}
		td.visitAll = removeRef(td.visitAll, r)
		removeRefKey(td.visitBySales, old.Salesperson, r)
		removeRefKey(td.visitByCustomer, old.CustomerID, r)
	}
	if !new.ID.IsZero() {
		r := visitRef{new.PlannedAt, new.ID}
		td.visitAll = insertRef(td.visitAll, r)
		addRef(td.visitBySales, new.Salesperson, r)
		addRef(td.visitByCustomer, new.CustomerID, r)
	}
}

// CreateVisit stores a planned visit at version 1; see customer.Store.
func (cs *customerStore) CreateVisit(ctx context.Context, v customer.Visit) error {
	if err := v.Validate(); err != nil {
		return fmt.Errorf("memory: create visit: %w", err)
	}
	v.Version = 1
	return visits.create(cs.s, ctx, v.Tenant, v, false, func() error { return notFound("customer", v.CustomerID) }, struct{}{})
}

// GetVisit returns a visit; see customer.Store.
func (cs *customerStore) GetVisit(ctx context.Context, tenant crm.TenantID, id crm.ID) (customer.Visit, error) {
	return visits.get(cs.s, ctx, "memory.Customers.GetVisit", tenant, id)
}

// UpdateVisit runs fn on the latest state of a visit and stores the result
// at the next version; see customer.Store. The result must still be a valid
// visit with the same ID, tenant and customer.
func (cs *customerStore) UpdateVisit(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*customer.Visit) error) (customer.Visit, error) {
	v, err := visits.update(cs.s, ctx, "memory.Customers.UpdateVisit", tenant, id, fn)
	if err != nil {
		return customer.Visit{}, err
	}
	return *v, nil
}

// ListVisits returns a page of visits matching q ordered by PlannedAt, then
// ID; see customer.Store. It walks the index of q.CustomerID or
// q.Salesperson when set, starting at q.From.
func (cs *customerStore) ListVisits(ctx context.Context, tenant crm.TenantID, q customer.VisitQuery, page crm.PageRequest) (crm.Page[customer.Visit], error) {
	const op = "memory.Customers.ListVisits"
	var out crm.Page[customer.Visit]
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Merge("query", q.Validate())
	page, perr := page.Normalize()
	v.Merge("page", perr)
	cur, after, cerr := decodeCursor(op, kindVisits, page.Cursor)
	v.Merge("page", cerr)
	if err := v.Err(op); err != nil {
		return out, fmt.Errorf("memory: list visits: %w", err)
	}
	s := cs.s
	t, td, err := s.open(ctx, tenant, false)
	if err != nil {
		return out, fmt.Errorf("memory: list visits: %w", err)
	}
	defer s.close(t, td)
	out.Items = []customer.Visit{}
	if td == nil {
		return out, nil
	}
	td.mu.RLock()
	defer td.mu.RUnlock()
	idx := td.visitAll
	switch {
	case !q.CustomerID.IsZero():
		idx = td.visitByCustomer[q.CustomerID]
	case q.Salesperson != "":
		idx = td.visitBySales[q.Salesperson]
	}
	start := 0
	if !q.From.IsZero() {
		start, _ = slices.BinarySearchFunc(idx, visitRef{at: q.From}, compareVisitRef)
	}
	if after {
		i, found := slices.BinarySearchFunc(idx, visitRef{at: cur.at, id: cur.id}, compareVisitRef)
		if found {
			i++
		}
		start = max(start, i)
	}
	for _, r := range idx[start:] {
		if !q.To.IsZero() && !r.at.Before(q.To) {
			break
		}
		if vi := td.visits.rows[r.id]; q.Matches(vi) {
			if len(out.Items) == page.Limit {
				last := out.Items[len(out.Items)-1]
				out.Next = cursor{kind: kindVisits, at: last.PlannedAt, id: last.ID}.encode()
				break
			}
			out.Items = append(out.Items, vi)
		}
	}
	return out, nil
}
