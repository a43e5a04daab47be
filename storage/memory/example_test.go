package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// Example creates a store, stores two customers of one account manager and
// lists that manager's customers.
func Example() {
	ctx := context.Background()
	store := memory.New(nil)
	clock := crm.NewManualClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	ids := crm.NewSequentialIDs(clock)

	for _, name := range []string{"Wang Fang", "Li Wei"} {
		id, err := ids.NewID()
		if err != nil {
			fmt.Println(err)
			return
		}
		c, err := customer.New(customer.NewInput{
			ID: id, Tenant: "acme", Kind: customer.Person, Name: name,
			Roles: []customer.Role{customer.EndCustomer}, Owner: "manager-zhang",
		}, customer.Change{Actor: "manager-zhang", At: clock.Now()})
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := store.Customers().Create(ctx, c); err != nil {
			fmt.Println(err)
			return
		}
	}

	page, err := store.Customers().List(ctx, "acme", customer.Query{Owner: "manager-zhang"}, crm.PageRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range page.Items {
		fmt.Println(c.Name(), c.Stage(), "version", c.Version())
	}
	// Output:
	// Wang Fang unfamiliar version 1
	// Li Wei unfamiliar version 1
}
