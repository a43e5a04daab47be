// Package storagetest is the public conformance suite of [storage.Store]:
// every store implementation runs it against itself to prove the
// invariants the library relies on.
//
// # Running it
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t testing.TB) storage.Store {
//			return mystore.New(...) // a fresh, empty store
//		}, storagetest.Features{})
//	}
//
// Run it with -race. The suite calls newStore once per area (see [Run]),
// never once per case: cases of one area share the store and keep apart by
// using tenants of their own ([NewTenant]), which also proves that tenants
// stay apart. Cases run in parallel.
//
// # What it proves
//
// Every method of customer.Store and crm.Transactor, as documented on
// them, and the invariants of the project's design:
//   - Tenancy: another tenant's records behave as if they did not exist,
//     for every method; the same ID may exist in two tenants.
//   - Optimistic concurrency: 32 goroutines updating one customer lose no
//     update; a stale Save returns crm.ErrConflict; transactions that read,
//     change and save lose nothing either.
//   - Isolation of values: nothing a caller holds (what it passed in, what
//     it got back, what its Update closure saw) aliases stored state.
//   - Order and paging: every list comes in its documented order, and
//     paging with cursors neither skips nor repeats records while other
//     goroutines insert.
//   - Atomicity: a transaction that returns an error, fails inside a store
//     call or panics leaves nothing behind; nested InTx joins the outer
//     transaction; reads inside a transaction see its writes.
//   - Cancelled contexts fail every method with an error wrapping
//     context.Canceled and change nothing; invalid input (zero IDs, invalid
//     tenants, bad cursors, negative limits, invalid queries, records that
//     do not validate) fails with crm.ErrInvalid.
//   - Customer lists and visit lists return exactly what
//     customer.Query.Matches and customer.VisitQuery.Matches select from a
//     varied population: the Matches methods are the suite's oracle.
//
// Times in fixtures are whole seconds in UTC, and customers are compared
// through their customer.Record with times compared as instants and nil
// equal to empty, so a store may round times to microseconds and return
// them in any location.
package storagetest
