package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/storage"
)

// Features lists what a store does differently from what the suite expects
// by default. The zero value describes a store whose transactions make no
// other call wait, except an update of a record a transaction has changed
// (a row lock), like a SQL database.
type Features struct {
	// TxBlocksTenant reports that while a transaction runs, calls made
	// outside it on the tenants it has touched wait for it to end; calls
	// on other tenants never wait (the memory store locks by tenant). The
	// suite then expects a read outside a transaction, of a tenant the
	// transaction wrote, to wait for the end instead of completing while
	// it is open. With or without the flag, a call on a tenant the
	// transaction has not touched must complete while it is open, and
	// every wait must end when the caller's context does.
	TxBlocksTenant bool
	// OutboxClaimsNameTenant reports that an outbox claim must name its
	// tenant: a claim across tenants is refused with crm.ErrUnsupported
	// (PostgreSQL under row-level security, where no statement sees another
	// tenant's rows). The suite then expects that refusal instead of a
	// claim across tenants.
	OutboxClaimsNameTenant bool
}

// env is what every case gets: the transactor and the ports under test,
// and the features. A runner fills only the ports it proves.
type env struct {
	s  crm.Transactor
	c  customer.Store
	cs complaint.Store
	os opportunity.Store
	ls lead.Store
	ap customer.AccountPlanStore
	rb customer.RelationsBackend
	ob OutboxBackend
	f  Features
}

// area is a group of cases sharing one store.
type area struct {
	name string
	run  func(t *testing.T, e *env)
}

// customerAreas are the groups of RunCustomers.
func customerAreas() []area {
	return []area{
		{"Customers", testCustomers},
		{"History", testHistory},
		{"Tenancy", testTenancy},
		{"Concurrency", testConcurrency},
		{"Isolation", testIsolation},
		{"Paging", testPaging},
		{"List", testList},
		{"FindByContact", testFindByContact},
		{"Interactions", testInteractions},
		{"Visits", testVisits},
		{"MoveRelated", testMoveRelated},
		{"EraseInteractions", testEraseInteractions},
		{"LastContact", testLastContact},
		{"Scan", testScan},
		{"Atomicity", testAtomicity},
		{"Context", testContext},
		{"Invalid", testInvalid},
		{"Limits", testCustomerLimits},
		{"Events", testEvents},
		{"SaveRollback", testCustomerSaveRollback},
		{"CreateSaveRollback", testCustomerCreateSaveRollback},
		{"CustomerRecords", func(t *testing.T, e *env) { runHarness(t, e, customerAggregate(e.c)) }},
		{"VisitRecords", func(t *testing.T, e *env) { runHarness(t, e, visitAggregate(e.c)) }},
	}
}

// complaintAreas are the groups of RunComplaints.
func complaintAreas() []area {
	return []area{
		{"Complaints", testComplaints},
		{"ComplaintTenancy", testComplaintTenancy},
		{"ComplaintConcurrency", testComplaintConcurrency},
		{"ComplaintIsolation", testComplaintIsolation},
		{"ComplaintList", testComplaintList},
		{"ComplaintAtomicity", testComplaintAtomicity},
		{"Risks", testRisks},
		{"ComplaintContext", testComplaintContext},
		{"ComplaintInvalid", testComplaintInvalid},
		{"ComplaintLimits", testComplaintLimits},
		{"ComplaintRecords", func(t *testing.T, e *env) { runHarness(t, e, complaintAggregate(e.cs)) }},
		{"RiskRecords", func(t *testing.T, e *env) { runHarness(t, e, riskAggregate(e.cs)) }},
	}
}

// outboxAreas are the groups of RunOutbox.
func outboxAreas() []area {
	return []area{
		{"Outbox", testOutbox},
		// Claims across tenants take any tenant's events, so that case
		// gets a store of its own.
		{"OutboxAllTenants", testOutboxAllTenants},
	}
}

// runAreas runs each area as a parallel subtest with a store of its own.
func runAreas[B any](t *testing.T, areas []area, newB func(testing.TB) B, mkEnv func(t *testing.T, b B) *env) {
	t.Helper()
	for _, a := range areas {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			b := newB(t)
			a.run(t, mkEnv(t, b))
		})
	}
}

// RunCustomers runs the cases of the customer port against the backends
// newBackend makes: every method of customer.Store and crm.Transactor. Each
// area is a parallel subtest that calls newBackend once with its own
// testing.T, so a store can register its clean-up with t.Cleanup; the cases
// of an area are parallel subtests sharing that backend, each in tenants of
// its own. The areas are Customers, History, Tenancy, Concurrency,
// Isolation, Paging, List, FindByContact, Interactions, Visits,
// MoveRelated, EraseInteractions, LastContact, Scan (customer.Scanner,
// when the backend offers it), Atomicity, Context, Invalid, Limits,
// Events, CustomerRecords and VisitRecords. newBackend must return an empty
// backend, or one holding no data of the tenants NewTenant makes.
func RunCustomers(t *testing.T, newBackend func(testing.TB) customer.Backend, f Features) {
	t.Helper()
	require.NotNil(t, newBackend, "storagetest.RunCustomers: newBackend must not be nil")
	runAreas(t, customerAreas(), newBackend, func(t *testing.T, b customer.Backend) *env {
		requireBackend(t, b)
		return &env{s: b, c: b.Customers(), f: f}
	})
}

// RunComplaints runs the cases of the complaint port against the backends
// newBackend makes: every method of complaint.Store, in transactions of
// the backend. The areas are Complaints, ComplaintTenancy,
// ComplaintConcurrency, ComplaintIsolation, ComplaintList,
// ComplaintAtomicity, Risks, ComplaintContext, ComplaintInvalid,
// ComplaintLimits, ComplaintRecords and RiskRecords; the rules of
// [RunCustomers] about newBackend hold here too. The cases store
// complaints of customers that do not exist (the store does not check
// them, the Service does), so the customer store is not used.
func RunComplaints(t *testing.T, newBackend func(testing.TB) complaint.Backend, f Features) {
	t.Helper()
	require.NotNil(t, newBackend, "storagetest.RunComplaints: newBackend must not be nil")
	runAreas(t, complaintAreas(), newBackend, func(t *testing.T, b complaint.Backend) *env {
		requireBackend(t, b)
		require.NotNil(t, b.Complaints(), "Complaints returned nil")
		return &env{s: b, c: b.Customers(), cs: b.Complaints(), f: f}
	})
}

// OutboxBackend is what [RunOutbox] proves: a transactional outbox and the
// transactions its events are appended in.
type OutboxBackend interface {
	crm.Transactor
	storage.Outbox
}

// RunOutbox runs the cases of the outbox against the backends newBackend
// makes: AppendEvents in and out of transactions, ClaimEvents and
// AckEvents with leases, concurrent drainers, tenant filters and invalid
// requests. The areas are Outbox and OutboxAllTenants; the rules of
// [RunCustomers] about newBackend hold here too.
func RunOutbox(t *testing.T, newBackend func(testing.TB) OutboxBackend, f Features) {
	t.Helper()
	require.NotNil(t, newBackend, "storagetest.RunOutbox: newBackend must not be nil")
	runAreas(t, outboxAreas(), newBackend, func(t *testing.T, b OutboxBackend) *env {
		require.NotNil(t, b, "newBackend returned nil")
		return &env{s: b, ob: b, f: f}
	})
}

// Run runs every runner whose port the stores newStore makes have:
// RunCustomers, RunComplaints, RunOpportunities, RunLeads and RunRelations
// always, RunAccountPlans when the store implements
// customer.AccountPlanBackend and RunOutbox when it implements
// storage.Outbox (both checked on a store made for the purpose). Each
// runner is a subtest named Customers, Complaints, Opportunities, Leads,
// Relations, AccountPlans or Outbox.
func Run(t *testing.T, newStore func(t testing.TB) storage.Store, f Features) {
	t.Helper()
	require.NotNil(t, newStore, "storagetest.Run: newStore must not be nil")
	t.Run("Customers", func(t *testing.T) {
		t.Parallel()
		RunCustomers(t, func(tb testing.TB) customer.Backend { return newStore(tb) }, f)
	})
	t.Run("Complaints", func(t *testing.T) {
		t.Parallel()
		RunComplaints(t, func(tb testing.TB) complaint.Backend { return newStore(tb) }, f)
	})
	t.Run("Opportunities", func(t *testing.T) {
		t.Parallel()
		RunOpportunities(t, func(tb testing.TB) opportunity.Backend { return newStore(tb) }, f)
	})
	probe := newStore(t)
	require.NotNil(t, probe, "newStore returned nil")
	t.Run("Leads", func(t *testing.T) {
		t.Parallel()
		RunLeads(t, func(tb testing.TB) lead.Backend { return newStore(tb) }, f)
	})
	t.Run("Relations", func(t *testing.T) {
		t.Parallel()
		RunRelations(t, func(tb testing.TB) customer.RelationsBackend { return newStore(tb) }, f)
	})
	if _, ok := probe.(customer.AccountPlanBackend); ok {
		t.Run("AccountPlans", func(t *testing.T) {
			t.Parallel()
			RunAccountPlans(t, func(tb testing.TB) customer.AccountPlanBackend {
				b, ok := newStore(tb).(customer.AccountPlanBackend)
				require.True(tb, ok, "newStore returned a store without account plans")
				return b
			}, f)
		})
	}
	if _, ok := probe.(storage.Outbox); ok {
		t.Run("Outbox", func(t *testing.T) {
			t.Parallel()
			RunOutbox(t, func(tb testing.TB) OutboxBackend {
				s := newStore(tb)
				ob, ok := s.(OutboxBackend)
				require.True(tb, ok, "newStore returned a store without an outbox")
				return ob
			}, f)
		})
	}
}

func requireBackend(t *testing.T, b customer.Backend) {
	t.Helper()
	require.NotNil(t, b, "newBackend returned nil")
	require.NotNil(t, b.Customers(), "Customers returned nil")
}
