// Package crm is the kernel of the crm library: the small set of types every
// other package shares.
//
// # What is here
//
//   - [ID]: record identity, UUIDv7 (time-ordered), made by an injectable
//     [IDGenerator] ([UUIDv7] by default, [SequentialIDs] for reproducible
//     tests and examples).
//   - [TenantID]: the tenant a record belongs to. Every store call is scoped
//     by one; another tenant's record behaves as if it did not exist.
//   - [UserID]: a user or system account of the host: owners and actors.
//   - [Money] and [Currency]: decimal amounts in ISO 4217 currencies, with
//     named rounding ([RoundingMode]) and exact allocation.
//   - [Clock]: injectable time ([SystemClock], [ManualClock]).
//   - [Change]: who makes a change, when and why; every domain package's
//     history and audit entries carry one.
//   - [Event] and [EventSink]: domain events, delivered only after the
//     outermost transaction commits ([AfterCommit], [CommitScope]);
//     [EventLog] is the transactional outbox a backend may offer for
//     delivery that survives a crash. [AfterRollback] is the other side:
//     an entity stored in a transaction that rolls back is put back as it
//     was, ready to be stored again.
//   - [PageRequest] and [Page]: cursor paging.
//   - [Transactor]: transactions carried in the context.
//   - [ValidTime]: the range of instants every store keeps.
//   - Errors: sentinels that say what ([ErrNotFound], [ErrConflict],
//     [ErrInvalid], [ErrInvalidTransition], [ErrDuplicate], …) and typed
//     errors that say where ([ValidationError], [TransitionError]).
//
// # Errors
//
// Every error the library returns for a known condition matches one of the
// sentinels with [errors.Is]. Typed errors carry details and unwrap to their
// sentinel:
//
//	if errors.Is(err, crm.ErrInvalid) {
//		var ve *crm.ValidationError
//		if errors.As(err, &ve) {
//			for _, f := range ve.Fields { fmt.Println(f.Path, f.Problem) }
//		}
//	}
//
// # Layers
//
// The domain packages (customer and complaint today; lead and opportunity
// are planned) build on this kernel; calendar holds business calendars;
// scoring is pure calculation; storage composes the domain packages'
// storage ports into the one interface a host implements.
// See docs/ARCHITECTURE.md in the repository.
package crm
