package memory

import (
	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// moveRelated re-points the interactions, history entries and visits of
// customer from to customer to, recording one inverse per kind in t's undo
// log. It takes time linear in the entries of both customers: each kind's
// per-customer list of from is merged into that of to in one pass (both are
// sorted), and the lists they replace are kept, untouched, for the undo.
// The caller holds td.mu.
func (td *tenantData) moveRelated(t *tx, from, to crm.ID) {
	if moved := td.intByCustomer[from]; len(moved) > 0 {
		oldTo := td.intByCustomer[to]
		next := make([]customer.Interaction, len(moved))
		for i, in := range moved {
			in.CustomerID = to
			next[i] = in
			td.interactions[in.ID] = in
		}
		td.intByCustomer[to] = mergeSorted(oldTo, next, customer.CompareInteractions)
		delete(td.intByCustomer, from)
		if t != nil {
			t.record(func() {
				td.locked(func() {
					for _, in := range moved {
						td.interactions[in.ID] = in
					}
					td.intByCustomer[from] = moved
					setList(td.intByCustomer, to, oldTo)
				})
			})
		}
	}
	if moved := td.history[from]; len(moved) > 0 {
		oldTo := td.history[to]
		next := make([]customer.HistoryEntry, len(moved))
		for i, e := range moved {
			e.CustomerID = to
			next[i] = e
		}
		// Moved entries go after the entries of to that sort with them, as
		// putHistory places a new entry.
		td.history[to] = mergeSorted(oldTo, next, customer.CompareHistory)
		delete(td.history, from)
		if t != nil {
			t.record(func() {
				td.locked(func() {
					td.history[from] = moved
					setList(td.history, to, oldTo)
				})
			})
		}
	}
	if refs := td.visitByCustomer[from]; len(refs) > 0 {
		oldTo := td.visitByCustomer[to]
		old := make([]customer.Visit, len(refs))
		for i, r := range refs {
			v := td.visits.rows[r.id]
			old[i] = v
			v.CustomerID = to
			v.Version++
			td.visits.rows[r.id] = v
		}
		// A visit's sort key (planned time, ID) does not change: only the
		// per-customer index moves.
		td.visitByCustomer[to] = mergeSorted(oldTo, refs, compareVisitRef)
		delete(td.visitByCustomer, from)
		if t != nil {
			t.record(func() {
				td.locked(func() {
					for _, v := range old {
						td.visits.rows[v.ID] = v
					}
					td.visitByCustomer[from] = refs
					setList(td.visitByCustomer, to, oldTo)
				})
			})
		}
	}
}

// mergeSorted returns a new slice with the elements of a and b, both sorted
// by cmp, in cmp order; on a tie the element of a comes first.
func mergeSorted[T any](a, b []T, cmp func(T, T) int) []T {
	out := make([]T, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if cmp(b[j], a[i]) < 0 {
			out = append(out, b[j])
			j++
		} else {
			out = append(out, a[i])
			i++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// setList stores list under k, or deletes k when list is empty.
func setList[K comparable, T any](m map[K][]T, k K, list []T) {
	if len(list) == 0 {
		delete(m, k)
		return
	}
	m[k] = list
}
