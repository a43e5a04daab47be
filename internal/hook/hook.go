// Package hook is the bridge through which stores reach what only a store
// may do to an entity of a domain package, kept out of the types
// application code uses (as gocloud keeps docstore/driver apart from
// docstore). Being internal, it is importable by the domain packages and
// by storage/memory and storage/postgres, and by nobody else.
//
// Each domain package registers the hooks of each of its entity types once,
// from an init function, with [Register]; a store looks them up with [For],
// keyed by the entity type, its record type and its pending-entry type, so
// every use is checked by the compiler:
//
//	h := hook.For[*customer.Customer, customer.Record, customer.HistoryEntry]()
//	h.Saved(c, version+1)
//
// The registry is written only during package initialisation and read
// afterwards; it holds no other state.
package hook

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/crmkit/crm"
)

// Entity holds the store-only operations on stored entities of type E,
// whose persisted form is R and whose pending change records (history or
// audit entries) are P. Every field is set by the registering package.
//
// One meaning across aggregates: an entity's pending changes are the
// history or audit entries and the domain events recorded since it was
// built, loaded or last saved. Saved marks all of them stored.
//
// Every field but ShareTenant must be set.
type Entity[E, R, P any] struct {
	// Saved tells e it was stored at version: it sets the version and
	// forgets the pending entries and events. A store calls it after it has
	// written e and its pending entries.
	Saved func(e E, version int64)
	// Adopt builds an entity from a record the caller has just decoded and
	// hands over: the entity takes r's slices and maps without copying
	// them, so the caller must not use r afterwards. It runs the checks of
	// the package's FromRecord.
	Adopt func(r R) (E, error)
	// Pending returns the entries e recorded since it was built, loaded or
	// last saved, oldest first, for the store to append to the entity's
	// history or audit trail together with e.
	Pending func(e E) []P
	// ShareTenant, when set, makes e (a copy the store has made and not
	// yet published) hold tenant, a string equal to its own tenant that
	// the store keeps once per tenant, so that a store's records share
	// one copy of the name and comparing it reads no memory of the
	// record's own. It does nothing when tenant differs from e's.
	ShareTenant func(e E, tenant crm.TenantID)
}

var registry sync.Map // reflect.Type of Entity[E, R, P] -> Entity[E, R, P]

// Register records the hooks of entity type E. It panics when one of h's
// functions is nil or when hooks for the same types were registered before:
// both are programming errors of the registering package, found at start-up.
func Register[E, R, P any](h Entity[E, R, P]) {
	key := reflect.TypeFor[Entity[E, R, P]]()
	if h.Saved == nil || h.Adopt == nil || h.Pending == nil {
		panic(fmt.Sprintf("hook: Register %v: every hook must be set", key))
	}
	if _, dup := registry.LoadOrStore(key, h); dup {
		panic(fmt.Sprintf("hook: Register %v: registered twice", key))
	}
}

// For returns the hooks registered for entity type E with record type R and
// entry type P. It panics when none were registered: the store names types
// the domain package does not register, a programming error.
func For[E, R, P any]() Entity[E, R, P] {
	key := reflect.TypeFor[Entity[E, R, P]]()
	h, ok := registry.Load(key)
	if !ok {
		panic(fmt.Sprintf("hook: no hooks registered for %v", key))
	}
	return h.(Entity[E, R, P])
}
