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
// Every method of customer.Store, complaint.Store and crm.Transactor, as
// documented on them, and the invariants of the project's design:
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
// For complaints and risks in particular:
//   - Create, Update and CreateRisk store at versions 1, 2, …; Update
//     stores the closure's pending audit entries with the complaint, in
//     the same transaction, and Audit returns the whole trail in Seq order
//     through pages of any size; an error from a closure comes back as the
//     very same value and stores nothing.
//   - 32 goroutines each adding a repair step to one complaint (or a note
//     to one risk) lose nothing: version 33 and 33 audit entries.
//   - A group of complaints changed in one transaction (regrouped,
//     resolved, moved on) is changed whole or not at all, audit entries,
//     risks and indexes included, whether the transaction fails by an
//     error, a closure's error, a store error or a panic.
//   - A tenant has at most one active (open or mitigating) risk per
//     hotspot key; a settled risk frees the key; another tenant's risks do
//     not count, even under concurrent CreateRisk calls.
//   - Complaint and risk lists return exactly what complaint.Query.Matches
//     and complaint.RiskQuery.Matches select, from populations built
//     through real transitions, with hostile category codes, asset paths
//     and hotspot keys (SQL LIKE characters, quotes, backslashes, and
//     assets whose String forms collide).
//
// Times in fixtures are whole seconds in UTC, and customers, complaints
// and risks are compared through their records (customer.Record,
// complaint.Record, complaint.RiskRecord) with times compared as instants,
// money by value and nil equal to empty, so a store may round times to
// microseconds and return them in any location.
package storagetest
