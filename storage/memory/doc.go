// Package memory is an in-memory implementation of [storage.Store], for
// tests, demos and small applications that can keep their data in one
// process. It passes the public conformance suite
// [github.com/crmkit/crm/storage/storagetest] like every other store.
//
// Data lives only as long as the [Store]: nothing is written to disk.
//
// # Tenants and indexes
//
// Each tenant's records live in a shard of their own, with its own lock;
// calls for one tenant never look at another tenant's records. Each shard
// keeps, besides the records themselves:
//   - every customer ID in ascending order, and each owner's customers in
//     ID order with a copy of each one's current snapshot handle, so that
//     listing one owner's customers reads that owner's index alone, in
//     memory order, however many customers the store holds;
//   - normalised e-mail address and phone number -> customer IDs, for
//     FindByContact;
//   - each customer's history (CompareHistory order) and interactions
//     (CompareInteractions order);
//   - visits in CompareVisits order, overall, per salesperson and per
//     customer; a visit list starts at its From bound.
//
// Other filters of a customer list (stage, tag, text, segment, …) are
// evaluated with customer.Query.Matches on the customers the chosen index
// yields, so their cost grows with the tenant's customers (or the owner's).
//
// For complaints and risks a shard keeps:
//   - every complaint ID in ascending order, and the IDs of each customer's,
//     each owner's and each group's complaints, kept in step when an
//     update hands a complaint over or moves it to another group. A
//     complaint list walks the smallest of the indexes its query selects
//     (customer, owner, group; all complaints when it sets none) and keeps
//     what complaint.Query.Matches;
//   - each complaint's audit trail, append-only in ascending Seq;
//   - every risk ID in ascending order (a list walks them all: a tenant
//     has few risks), and hotspot key -> the one active (open or
//     mitigating) risk raised from it, which refuses a second active risk
//     of the same key with crm.ErrDuplicate.
//
// For opportunities a shard keeps every opportunity ID in ascending order
// and, per customer, team, owner, stage and status, the ascending IDs of
// the opportunities with that value, kept in step by every update. A list
// walks the smallest list its query selects (for a filter of several
// owners, stages or statuses, the union of theirs) and keeps what
// opportunity.Query.Matches; each opportunity's stage history is kept
// append-only in ascending Seq (Seq n at position n-1, since a new
// opportunity is stored with its whole history).
//
// For leads and campaigns a shard keeps:
//   - every lead ID in ascending order, and the IDs of the leads of each
//     stage, owner ("" for the unassigned), team, campaign and customer; a
//     lead list walks the smallest of the indexes its query selects and
//     keeps what lead.Query.Matches;
//   - normalised e-mail address and phone number -> the open leads having
//     it, for FindByContact (a lead leaves them when it closes, and comes
//     back when reopened);
//   - each lead's history, append-only in ascending Seq;
//   - each team's assignment state, replaced under the shard's assignment
//     lock by UpdateAssignment (and undone with its transaction);
//   - every campaign ID in ascending order (a list walks them all and keeps
//     the campaigns whose period overlaps the one asked for).
//
// # How an aggregate is stored
//
// Every aggregate (customers, visits, complaints, risks, opportunities,
// leads, campaigns) is stored by one generic table: records by ID, their
// IDs in ascending order, and the
// secondary indexes its fixture keeps in step. Create, Get, the closure
// Update (load, copy, run fn, check the result, swap the record and its
// indexes, log the inverse for undo) and ID-ordered paging are written once
// for all of them; an aggregate supplies a fixture of a few functions (its
// table, its indexes, how an update's result becomes the next snapshot,
// what else a change stores, such as history or audit entries), so every
// aggregate validates, versions, undoes and retries alike.
//
// # Copies in and out
//
// The store keeps private copies ([customer.Customer.Clone],
// [complaint.Complaint.Clone], [complaint.Risk.Clone]) of everything it is
// given and hands out copies, so no caller can change stored state
// except through the store. Stored customers are never changed in place: a
// change stores a new copy, so readers copy them without holding any lock.
// The copies are copy-on-write: a customer handed out shares its state with
// the stored one until the caller changes it, so Get and List copy a small
// handle, not the customer's lists and maps. Every stored customer is
// itself a clone, so cloning it writes nothing and needs no lock.
//
// # Concurrency
//
// A Store is safe for concurrent use. Reads of one tenant run in parallel;
// writes hold the tenant's lock only while they swap records and indexes.
// Update, UpdateVisit and the complaint store's Update and UpdateRisk run
// their closure on a private copy while holding a lock stripe chosen by the
// record's ID ([Options.Stripes]), which serialises concurrent updates of
// one record (so none is lost) while updates of other records proceed in
// parallel. Save is a compare-and-swap on the version under the same
// stripe.
//
// A closure given to any of these updates must not call the store: it runs
// while the call holds its locks.
//
// # Transactions
//
// [Store.InTx] carries the transaction in the context it passes to fn;
// store calls made with that context (or one derived from it) take part in
// it, and a nested InTx joins it. A transaction takes each tenant it
// touches, exclusively, from its first call on that tenant to its end:
// calls made outside it on those tenants wait until it ends, while calls on
// any other tenant never wait for it. A transaction is therefore
// serialisable, and a read outside it never sees its uncommitted changes.
// Make every store call inside fn with fn's context: a call with an
// unrelated context on a tenant the transaction holds waits for the
// transaction, which waits for fn.
//
// Every wait (for a tenant, for a lock stripe) honours the caller's
// context: when it ends first, the call returns an error wrapping
// ctx.Err(). A call outside transactions passes its tenant's gate with one
// atomic addition when no transaction holds the tenant.
//
// Two transactions that would wait for each other (each holding a tenant
// the other wants, or a longer cycle) do not hang: the call that would close
// the cycle fails at once with an error wrapping crm.ErrConflict; its
// transaction should return the error (it is then undone) and may be
// retried.
//
// Functions registered with crm.AfterCommit in a transaction run after it
// commits, once its tenants are released, and are dropped when it rolls
// back. The context they receive still names the finished transaction,
// which the store refuses; they must use a context of their own to call
// the store.
//
// Each change made in a transaction records its inverse (for a complaint
// update: the previous snapshot and the length of its audit trail). When fn returns
// an error or panics, the inverses are applied newest first before InTx
// returns (or re-raises the panic), so a failed transaction leaves nothing
// behind. Using the context of a finished transaction is refused with
// crm.ErrInvalid.
//
// # The outbox
//
// A Store is a [storage.Outbox]: AppendEvents writes events into their
// tenant's outbox in the transaction the context carries (or one of its
// own), logged for undo like every other change, so a rolled-back
// transaction leaves no event; events of a transaction that has not
// committed cannot be claimed. ClaimEvents hands out free events in
// ascending ID order (across tenants, or of one tenant) under a lease
// measured by [Options.Clock]; AckEvents removes those whose claim is still
// the one they carry. Claims and acknowledgements run one at a time, so two
// drainers never hold one event at once; they are not part of transactions
// and never wait for one. Handed-out events carry their own copy of their
// JSON data.
//
// # Choices where the ports leave room
//
//   - Create refuses a customer whose version is not 0 with
//     crm.ErrInvalid.
//   - History, Interactions and EraseInteractions of a customer that does
//     not exist return crm.ErrNotFound (an existing customer without
//     entries gives an empty page, or 0).
//   - FindByContact accepts at most [MaxContactKeys] keys (e-mail
//     addresses and phone numbers together; more is crm.ErrInvalid, as in
//     PostgreSQL); repeated keys count once; it ignores empty keys; a limit of 0 means
//     crm.DefaultPageLimit, limits above crm.MaxPageLimit are reduced to
//     it, and a negative limit is invalid.
//   - EraseInteractions counts the interactions that had text to blank and
//     keeps their NextStepDue.
//   - MoveRelated refuses from == to (crm.ErrInvalid) and gives each moved
//     visit a new version.
//   - UpdateVisit refuses (crm.ErrInvalid) a result that does not
//     validate, or that changes the visit's ID, tenant or customer.
//   - Complaint Create and CreateRisk refuse (crm.ErrInvalid) a complaint
//     or risk that complaint.FromRecord or complaint.RiskFromRecord would
//     refuse; UpdateRisk refuses such a result too, and refuses
//     (crm.ErrDuplicate) a result that would give a hotspot key a second
//     active risk.
//   - Every complaint method checks its context before its arguments: a
//     cancelled call fails with ctx.Err() whatever else is wrong.
//
// The store never shrinks: a tenant's shard stays once created, even when
// the transaction that created it rolled back.
//
// # Cursors
//
// Page cursors are opaque strings that encode the list they belong to and
// the sort key of the last item returned (a customer's, complaint's or
// risk's ID; an entry's time, origin and sequence; an interaction's or
// visit's time and ID). A page therefore continues after that key, neither
// skipping nor repeating records while others insert. A cursor of another
// list, or anything that is not a cursor, is refused with crm.ErrInvalid.
//
// The one cursor that is not opaque is that of a complaint's audit trail,
// which complaint.Store fixes: the last Seq returned, in canonical decimal
// (at least 1; signs, spaces and leading zeros are refused).
package memory
