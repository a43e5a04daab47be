package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// Example shows a host wiring the store: it owns the pool, migrates
// explicitly, then uses the store through the customer port, in a
// transaction of its own together with its own table.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.ExampleDSN())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	schema := pgtest.SchemaName("example")
	defer func() { _, _ = pool.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE") }()

	store, err := postgres.New(pool, &postgres.Options{Schema: schema})
	if err != nil {
		fmt.Println(err)
		return
	}
	applied, err := store.Migrate(ctx) // never implicit in New
	fmt.Println("migrations applied:", applied, err)

	at := time.Date(2025, 1, 2, 9, 0, 0, 0, time.UTC)
	ids := crm.NewSequentialIDs(crm.NewManualClock(at))
	id, _ := ids.NewID()
	email, _ := customer.ParseEmail("li.na@example.com")
	c, err := customer.New(customer.NewInput{
		ID: id, Tenant: "acme", Kind: customer.Person, Name: "Li Na",
		Roles: []customer.Role{customer.EndCustomer}, Owner: "manager-7", Emails: []customer.Email{email},
	}, customer.Change{Actor: "import", At: at})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The host's own transaction: the customer and the host's row commit
	// together.
	tx, err := pool.Begin(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	hctx, scope := postgres.WithTx(ctx, tx)
	if err := store.Customers().Create(hctx, c); err != nil {
		_ = tx.Rollback(ctx)
		scope.Rollback()
		fmt.Println(err)
		return
	}
	if err := tx.Commit(ctx); err != nil {
		scope.Rollback()
		fmt.Println(err)
		return
	}
	// Only now do functions registered with crm.AfterCommit (the events
	// of services) run.
	scope.Commit()

	page, err := store.Customers().List(ctx, "acme", customer.Query{Owner: "manager-7", Text: "LI NA"}, crm.PageRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range page.Items {
		fmt.Println(c.Name(), c.Emails()[0], "version", c.Version())
	}
	_, err = store.Customers().Get(ctx, "other-tenant", id)
	fmt.Println("other tenant:", err != nil)
	// Output:
	// migrations applied: [1 2 3 4 5 6 7 8 9 10] <nil>
	// Li Na li.na@example.com version 1
	// other tenant: true
}

// ExampleMigrations lists the embedded schema migrations that
// Store.Migrate applies, in order.
func ExampleMigrations() {
	for _, m := range postgres.Migrations() {
		fmt.Println(m.Version, m.Name)
	}
	// Output:
	// 1 0001_customers.sql
	// 2 0002_money.sql
	// 3 0003_complaints.sql
	// 4 0004_outbox.sql
	// 5 0005_opportunities.sql
	// 6 0006_leads.sql
	// 7 0007_last_contact.sql
	// 8 0008_relations.sql
	// 9 0009_account_plans.sql
	// 10 0010_lead_clock_start.sql
}

// ExampleStore_ClaimEvents shows the transactional outbox: events written
// in the transaction of their change, then drained by the host, at least
// once.
func ExampleStore_ClaimEvents() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.ExampleDSN())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	schema := pgtest.SchemaName("example_outbox")
	defer func() { _, _ = pool.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE") }()
	store, err := postgres.New(pool, &postgres.Options{Schema: schema})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := store.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}

	at := time.Date(2025, 1, 2, 9, 0, 0, 0, time.UTC)
	ids := crm.NewSequentialIDs(crm.NewManualClock(at))
	event := func(typ string) crm.Event {
		id, _ := ids.NewID()
		agg, _ := ids.NewID()
		return crm.Event{ID: id, Type: typ, Tenant: "acme", AggregateID: agg, Version: 1, At: at,
			Data: map[string]string{"note": typ}}
	}
	// A rolled-back transaction leaves no event behind; a committed one
	// leaves its events, and its after-commit functions run.
	_ = store.InTx(ctx, func(ctx context.Context) error {
		_ = store.AppendEvents(ctx, []crm.Event{event("customer.lost")})
		return fmt.Errorf("changed my mind")
	})
	err = store.InTx(ctx, func(ctx context.Context) error {
		crm.AfterCommit(ctx, func(context.Context) { fmt.Println("committed") })
		return store.AppendEvents(ctx, []crm.Event{event("customer.created"), event("customer.tagged")})
	})
	fmt.Println("append:", err)

	// The host's drainer: claim, deliver, acknowledge.
	batch, err := store.ClaimEvents(ctx, storage.ClaimRequest{Tenant: "acme", Limit: 10, Lease: time.Minute})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range batch {
		fmt.Println(e.Type, e.Attempts, string(e.Data.(json.RawMessage)))
	}
	fmt.Println("ack:", store.AckEvents(ctx, batch))
	batch, err = store.ClaimEvents(ctx, storage.ClaimRequest{Tenant: "acme"})
	fmt.Println("left:", len(batch), err)
	// Output:
	// committed
	// append: <nil>
	// customer.created 1 {"note": "customer.created"}
	// customer.tagged 1 {"note": "customer.tagged"}
	// ack: <nil>
	// left: 0 <nil>
}
