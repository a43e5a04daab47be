package customer_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// listOutbox stands in for a backend's transactional outbox (crm.EventLog):
// a real one stores the events in the transaction it finds in ctx, and the
// host drains them with storage.Outbox.
type listOutbox struct{ events []crm.Event }

func (o *listOutbox) AppendEvents(_ context.Context, events []crm.Event) error {
	o.events = append(o.events, events...)
	return nil
}

// ExampleOptions_outbox shows both ways events leave a service. The sink
// (Options.Events) hears of a change in process once the outermost
// transaction commits, best effort: its failures are logged, and events are
// lost if the process stops first. The outbox (Options.Outbox) stores the
// same events, with the same IDs, in the transaction of the change, so a
// host that drains it delivers every event at least once. Use the sink for
// caches and notifications, the outbox for anything that must not miss an
// event.
func ExampleOptions_outbox() {
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	var heard []crm.Event
	outbox := &listOutbox{}
	svc, err := customer.NewService(memory.New(nil), &customer.Options{
		Clock: clock,
		IDs:   crm.NewSequentialIDs(clock),
		Events: crm.EventSinkFunc(func(_ context.Context, events []crm.Event) error {
			heard = append(heard, events...)
			return nil
		}),
		Outbox: outbox,
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	c, err := svc.Create(ctx, customer.NewInput{Tenant: "acme", Kind: customer.Person, Name: "Li Na",
		Roles: []customer.Role{customer.EndCustomer}, Owner: "wang"}, customer.Change{Actor: "admin"})
	if err != nil {
		panic(err)
	}
	if _, err := svc.AssignOwner(ctx, "acme", c.ID(), "zhao", customer.Change{Actor: "boss", Reason: "wang on leave"}); err != nil {
		panic(err)
	}
	for i, e := range heard {
		fmt.Printf("sink:   %s v%d\n", e.Type, e.Version)
		fmt.Printf("outbox: %s v%d, same ID: %v\n", outbox.events[i].Type, outbox.events[i].Version, outbox.events[i].ID == e.ID)
	}
	// Output:
	// sink:   customer.created v1
	// outbox: customer.created v1, same ID: true
	// sink:   customer.owner_changed v2
	// outbox: customer.owner_changed v2, same ID: true
}
