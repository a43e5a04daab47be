// Package storagetest is the public conformance suite of the library's
// storage ports: every store implementation runs it against itself to
// prove the invariants the library relies on.
//
// # Running it
//
// A host proves only the ports it implements, each with its own runner:
//
//	func TestCustomers(t *testing.T) {
//		storagetest.RunCustomers(t, func(t testing.TB) customer.Backend {
//			return mystore.New(...) // a fresh, empty store
//		}, storagetest.Features{})
//	}
//
// [RunCustomers] proves customer.Store and crm.Transactor,
// [RunComplaints] complaint.Store, [RunOpportunities] opportunity.Store,
// [RunLeads] lead.Store and lead.CampaignStore, [RunRelations] the
// referral, suggestion and membership stores, [RunAccountPlans] the
// account plan store, and [RunOutbox] storage.Outbox with AppendEvents. A store that implements every port (storage.Store) runs
// [Run], which runs each runner whose port the store has:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t testing.TB) storage.Store { return mystore.New(...) }, storagetest.Features{})
//	}
//
// Run it with -race. A runner calls its constructor once per area (see
// [RunCustomers]), never once per case: cases of one area share the store
// and keep apart by using tenants of their own ([NewTenant]), which also
// proves that tenants stay apart. Cases run in parallel.
//
// # Features
//
// [Features] describes how a store's transactions interact with calls
// made outside them. With the zero value the suite expects a read outside
// a transaction, of a record the transaction wrote, to complete while the
// transaction is open and not see the write; with TxBlocksTenant it
// expects that read to wait for the end. Either way a call on a tenant the
// transaction has not touched completes while it is open, and an update of
// a record a running transaction has changed waits at most as long as the
// caller's context allows (a 100 ms deadline must end it within a second,
// with an error wrapping context.DeadlineExceeded).
//
// # One harness for every aggregate
//
// The invariants every stored aggregate shares (create and get, duplicate
// IDs, closure updates and their versions, tenancy, 32 concurrent writers,
// isolation of values, paging while others insert, atomicity under errors
// and panics, cancelled contexts, invalid references, waits that honour
// the context, times outside crm.ValidTime) are written once, as a
// generic harness, and run for customers, visits, complaints, risks, leads
// and campaigns (the CustomerRecords, VisitRecords, ComplaintRecords,
// RiskRecords, LeadRecords and CampaignRecords areas). Each aggregate gives the harness a small fixture: how to make a
// valid record in a tenant, the store's calls, how to read the version,
// a change that leaves a mark, and how to compare. Cases that only make
// sense for one aggregate (merges, risk rules, filters against
// Query.Matches, the audit trail, FindByContact, the lead assignment
// state under 32 concurrent captures) stay in areas of their own.
//
// # What it proves
//
// Every method of customer.Store, complaint.Store, lead.Store (with
// lead.CampaignStore), storage.Outbox and
// crm.Transactor, as documented on them, and the invariants of the
// project's design:
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
//   - Events never lie: a function registered with crm.AfterCommit inside
//     InTx runs exactly once, after the outermost transaction commits, and
//     never after an error, a panic or a cancelled context.
//   - Rollback restores: an entity created (a customer saved, a batch
//     imported) inside InTx that then rolls back, whichever way (an error,
//     a panic, a failed store call, a cancelled context, an outer InTx
//     failing), is back as it was before the call, and creating it again
//     stores it whole; when the store commits instead, the entity is marked
//     saved and agrees with what is stored. A function registered with
//     crm.AfterRollback that panics stops neither the rollback nor the
//     restores.
//   - One set of limits: records built around the constructors
//     (FromRecord, then Create, or a whole value replaced inside an Update
//     closure) with oversized strings and lists, empty names, unknown time
//     zones, NUL bytes, invalid UTF-8 or times outside crm.ValidTime are
//     refused with crm.ErrInvalid and store nothing; FindByContact takes
//     at most 10,000 keys and returns each matching customer once however
//     often its key is repeated.
//   - Outbox: events appended in a rolled-back transaction leave nothing;
//     a claim leases events, an acknowledgement with the claim's token
//     removes them, a stale one does not; an expired lease redelivers with
//     Attempts 2; four concurrent drainers deliver every event exactly
//     once; claims filter by tenant; Data comes back as the JSON of what
//     was appended; a repeated event ID is crm.ErrDuplicate.
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
// For opportunities in particular: the generic harness runs on them (a
// mark is a competitor and a stage move, so every update also stores a
// stage change, and the history must hold exactly Seq changes); every
// filter of opportunity.Query, alone and combined, returns exactly what
// Query.Matches selects, at every page size, and follows owner and stage
// changes; the history pages in Seq order with the time in stage kept; a
// closure that replaces the opportunity, changes its customer or version,
// drops history or holds a NUL byte is refused and stores nothing.
//
// Times in fixtures are whole seconds in UTC, and customers, complaints
// and risks are compared through their records (customer.Record,
// complaint.Record, complaint.RiskRecord) with times compared as instants,
// money by value and nil equal to empty, so a store may round times to
// microseconds and return them in any location.
package storagetest
