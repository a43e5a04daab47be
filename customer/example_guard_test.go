package customer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// ExampleGuard shows the guard holding a store to the documented limits on
// a path around the constructors: a record rebuilt with FromRecord (which
// checks only a stored customer's invariants) carrying 101 tags.
func ExampleGuard() {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c, err := customer.New(customer.NewInput{ID: crm.MustParseID("01890000-0000-7000-8000-000000000001"), Tenant: "acme",
		Kind: customer.Person, Name: "Li Na", Roles: []customer.Role{customer.EndCustomer}, Owner: "wang"},
		customer.Change{Actor: "admin", At: at})
	if err != nil {
		panic(err)
	}
	r := c.Record()
	for i := range customer.MaxTags + 1 {
		r.Tags = append(r.Tags, fmt.Sprintf("t%03d", i))
	}
	forged, err := customer.FromRecord(r)
	fmt.Println("FromRecord:", err)

	store := customer.Guard(memory.New(nil).Customers())
	err = store.Create(context.Background(), forged)
	fmt.Println("invalid:", errors.Is(err, crm.ErrInvalid))
	fmt.Println(strings.Contains(err.Error(), "tags: too many tags"))
	// Output:
	// FromRecord: <nil>
	// invalid: true
	// true
}
