package customer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// BenchmarkGuard measures what the guard adds to the hot store calls, raw
// memory store against the same store behind Guard, on a customer holding
// every kind of field (entFullCustomer) among 10,000.
func BenchmarkGuard(b *testing.B) {
	ctx := context.Background()
	raw := memory.New(nil).Customers()
	var ids []crm.ID
	for i := range 10_000 {
		c := entFullCustomer(b)
		r := c.Record()
		r.ID = crm.MustParseID(fmt.Sprintf("01890000-0000-7000-8000-%012d", i+1))
		c, err := customer.FromRecord(r)
		require.NoError(b, err)
		require.NoError(b, raw.Create(ctx, c))
		ids = append(ids, r.ID)
	}
	id := ids[len(ids)/2]
	for _, st := range []struct {
		name string
		s    customer.Store
	}{{"raw", raw}, {"guarded", customer.Guard(raw)}} {
		b.Run(st.name+"/Get", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := st.s.Get(ctx, "acme", id); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(st.name+"/Update", func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n++
				_, err := st.s.Update(ctx, "acme", id, func(c *customer.Customer) error {
					return c.SetAttribute("n", fmt.Sprint(n))
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(st.name+"/ListByOwner", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := st.s.List(ctx, "acme", customer.Query{Owner: "mgr.zhang"}, crm.PageRequest{Limit: 50}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateInTx measures what keeping a customer for its restore
// costs a Create: outside a transaction (nothing is kept), inside one that
// commits, and inside one that rolls back, where the same customer is
// created again on the next round (what the restore makes possible).
func BenchmarkCreateInTx(b *testing.B) {
	ctx := context.Background()
	errRollback := errors.New("roll back")
	full := entFullCustomer(b).Record()
	next := func(b *testing.B, i int) *customer.Customer {
		r := full
		r.ID = crm.MustParseID(fmt.Sprintf("01890000-0000-7000-8000-%012d", i+1))
		c, err := customer.FromRecord(r)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	b.Run("NoTx", func(b *testing.B) {
		s := memory.New(nil)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c := next(b, i)
			i++
			if err := s.Customers().Create(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Commit", func(b *testing.B) {
		s := memory.New(nil)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c := next(b, i)
			i++
			if err := s.InTx(ctx, func(ctx context.Context) error { return s.Customers().Create(ctx, c) }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Rollback", func(b *testing.B) {
		s := memory.New(nil)
		c := next(b, 0)
		b.ReportAllocs()
		for b.Loop() {
			err := s.InTx(ctx, func(ctx context.Context) error {
				if err := s.Customers().Create(ctx, c); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				b.Fatal(err)
			}
		}
	})
}
