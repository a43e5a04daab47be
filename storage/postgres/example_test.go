package postgres_test

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
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
	// migrations applied: [1 2 3 4] <nil>
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
}
