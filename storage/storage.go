// Package storage defines [Store], the one interface a host application
// implements (or takes ready-made from storage/memory or storage/postgres)
// to give the library a database.
//
// # What a store is
//
// A Store is the composition of every domain package's storage port
// (customer.Store, complaint.Store, opportunity.Store, …) plus a [crm.Transactor]: transactions travel in the
// context, so a use case that touches several aggregates (merging two
// customers) runs every store call inside one transaction.
//
// # Implementing one
//
// Implement each port as documented method by method (missing records,
// stale versions, cancelled contexts, other tenants), then run the public
// conformance suite against the implementation:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t testing.TB) storage.Store { return mystore.New(...) }, storagetest.Features{})
//	}
//
// The suite proves the invariants every store keeps: tenancy, optimistic
// concurrency, isolation of values, deterministic order and paging, and
// atomic transactions.
package storage

import (
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/opportunity"
)

// Store is everything the library's services need from a database. It is
// implemented by storage/memory and storage/postgres. Implementations must
// be safe for concurrent use.
type Store interface {
	// InTx and Customers come from customer.Backend, Complaints from
	// complaint.Backend, Opportunities from opportunity.Backend, Leads from
	// lead.Backend; Referrals, Suggestions and Memberships from
	// customer.RelationsBackend; AccountPlans from
	// customer.AccountPlanBackend: a Store is a backend for every domain
	// service.
	customer.Backend
	customer.RelationsBackend
	// AccountPlans returns the account plan store (customer.AccountPlanBackend).
	AccountPlans() customer.AccountPlanStore
	complaint.Backend
	opportunity.Backend
	lead.Backend
}
