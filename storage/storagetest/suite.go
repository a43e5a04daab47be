package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage"
)

// Features lists what a store does differently from what the suite expects
// by default. The zero value describes a store that runs transactions
// concurrently with other work, like a SQL database.
type Features struct {
	// TxExclusive reports that while a transaction runs, every call made
	// outside it waits until it ends (the memory store serialises
	// transactions with everything else). The suite then skips the case
	// that expects calls outside a transaction to complete while it is
	// open, and does not wait inside a transaction for such calls.
	TxExclusive bool
}

// env is what every case gets: the store under test, its ports and the
// features.
type env struct {
	s  storage.Store
	c  customer.Store
	cs complaint.Store
	f  Features
}

// area is a group of cases sharing one store.
type area struct {
	name string
	run  func(t *testing.T, e *env)
}

// areas lists the suite's groups; Run calls newStore once for each.
func areas() []area {
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
		{"Atomicity", testAtomicity},
		{"Context", testContext},
		{"Invalid", testInvalid},
		{"Complaints", testComplaints},
		{"ComplaintTenancy", testComplaintTenancy},
		{"ComplaintConcurrency", testComplaintConcurrency},
		{"ComplaintIsolation", testComplaintIsolation},
		{"ComplaintPaging", testComplaintPaging},
		{"ComplaintList", testComplaintList},
		{"ComplaintAtomicity", testComplaintAtomicity},
		{"Risks", testRisks},
		{"ComplaintContext", testComplaintContext},
		{"ComplaintInvalid", testComplaintInvalid},
	}
}

// Run runs the conformance suite against the stores newStore makes. Each
// area of the suite is a parallel subtest that calls newStore once with
// its own testing.T, so a store can register its clean-up with t.Cleanup;
// the cases of an area are parallel subtests sharing that store, each in
// tenants of its own. The areas are Customers, History, Tenancy,
// Concurrency, Isolation, Paging, List, FindByContact, Interactions,
// Visits, MoveRelated, EraseInteractions, Atomicity, Context and Invalid
// for customer.Store and crm.Transactor, and Complaints, ComplaintTenancy,
// ComplaintConcurrency, ComplaintIsolation, ComplaintPaging, ComplaintList,
// ComplaintAtomicity, Risks, ComplaintContext and ComplaintInvalid for
// complaint.Store. newStore must return an empty store, or one holding no
// data of the tenants NewTenant makes.
func Run(t *testing.T, newStore func(t testing.TB) storage.Store, f Features) {
	t.Helper()
	require.NotNil(t, newStore, "storagetest.Run: newStore must not be nil")
	for _, a := range areas() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			require.NotNil(t, s.Customers(), "Customers returned nil")
			require.NotNil(t, s.Complaints(), "Complaints returned nil")
			a.run(t, &env{s: s, c: s.Customers(), cs: s.Complaints(), f: f})
		})
	}
}
