package memory

import (
	"container/heap"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// MaxContactKeys is the most distinct keys (e-mail addresses and phone
// numbers together) one FindByContact call accepts: customer.MaxContactKeys,
// which customer.Guard enforces in front of every store.
const MaxContactKeys = customer.MaxContactKeys

// contactLists appends to lists the ID list of each distinct key of keys
// found in index. The caller holds td.mu.
func (td *tenantData) contactLists(lists idLists, index map[string][]crm.ID, keys []string) idLists {
	if len(keys) == 0 {
		return lists
	}
	seen := make(map[string]struct{}, min(len(keys), 64))
	for _, k := range keys {
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		if ids := index[k]; len(ids) > 0 {
			lists = append(lists, ids)
		}
	}
	return lists
}

// idLists is a min-heap of ascending ID lists, ordered by their first ID;
// merge walks their union in ascending order.
type idLists [][]crm.ID

func (h idLists) Len() int           { return len(h) }
func (h idLists) Less(i, j int) bool { return h[i][0].Compare(h[j][0]) < 0 }
func (h idLists) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *idLists) Push(x any)        { *h = append(*h, x.([]crm.ID)) }
func (h *idLists) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// merge calls visit with each ID of the lists' union once, ascending,
// until visit returns false. It consumes the heap (not the lists).
func (h *idLists) merge(visit func(crm.ID) bool) {
	if len(*h) == 1 { // one list: already ascending and distinct
		for _, id := range (*h)[0] {
			if !visit(id) {
				return
			}
		}
		return
	}
	heap.Init(h)
	var last crm.ID
	for len(*h) > 0 {
		top := (*h)[0]
		id := top[0]
		if top = top[1:]; len(top) == 0 {
			heap.Pop(h)
		} else {
			(*h)[0] = top
			heap.Fix(h, 0)
		}
		if id == last {
			continue // in several lists
		}
		last = id
		if !visit(id) {
			return
		}
	}
}
