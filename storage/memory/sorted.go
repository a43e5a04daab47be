package memory

import (
	"slices"

	"github.com/crmkit/crm"
)

// Sorted ID sets: ascending, without repeats.

func insertID(s []crm.ID, id crm.ID) []crm.ID {
	// IDs are UUIDv7, so new ones usually go at the end.
	if n := len(s); n == 0 || s[n-1].Compare(id) < 0 {
		return append(s, id)
	}
	i, found := slices.BinarySearchFunc(s, id, crm.ID.Compare)
	if found {
		return s
	}
	return slices.Insert(s, i, id)
}

func removeID(s []crm.ID, id crm.ID) []crm.ID {
	i, found := slices.BinarySearchFunc(s, id, crm.ID.Compare)
	if !found {
		return s
	}
	return slices.Delete(s, i, i+1)
}

func addKey[K comparable](m map[K][]crm.ID, k K, id crm.ID) { m[k] = insertID(m[k], id) }

func removeKey[K comparable](m map[K][]crm.ID, k K, id crm.ID) {
	s := removeID(m[k], id)
	if len(s) == 0 {
		delete(m, k)
		return
	}
	m[k] = s
}
