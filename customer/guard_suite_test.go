package customer_test

import (
	"testing"

	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/memory"
	"github.com/crmkit/crm/storage/storagetest"
)

// guardedMemory is the memory store as stores are meant to be wired: every
// port behind its package's Guard.
type guardedMemory struct{ *memory.Store }

func (g guardedMemory) Customers() customer.Store   { return customer.Guard(g.Store.Customers()) }
func (g guardedMemory) Complaints() complaint.Store { return complaint.Guard(g.Store.Complaints()) }

// TestSuiteThroughGuard runs the whole conformance suite through Guard, as
// it will run once stores return guarded ports: the guard refuses nothing
// the suite stores and changes no error the suite expects.
func TestSuiteThroughGuard(t *testing.T) {
	storagetest.Run(t, func(testing.TB) storage.Store { return guardedMemory{memory.New(nil)} }, storagetest.Features{TxBlocksTenant: true})
}
