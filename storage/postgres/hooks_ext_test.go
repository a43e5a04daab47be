package postgres_test

import (
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/hook"
)

// customerHooks lets the tests forge a customer's version as only a store
// can.
var customerHooks = hook.For[*customer.Customer, customer.Record, customer.HistoryEntry]()
