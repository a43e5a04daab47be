package postgres_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// listCounter counts the list statements run on a pool.
type listCounter struct{ n atomic.Int64 }

func (lc *listCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if strings.Contains(data.SQL, ".customers WHERE") && strings.Contains(data.SQL, "ORDER BY id LIMIT") {
		lc.n.Add(1)
	}
	return ctx
}

func (lc *listCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// countingStore returns a migrated store on a pool of its own whose list
// statements are counted.
func countingStore(t testing.TB) (*postgres.Store, *listCounter) {
	t.Helper()
	lc := &listCounter{}
	pool := pgtest.NewPool(t, func(c *pgxpool.Config) { c.ConnConfig.Tracer = lc })
	s, err := postgres.New(pool, &postgres.Options{Schema: pgtest.Schema(t)})
	require.NoError(t, err)
	_, err = s.Migrate(context.Background())
	require.NoError(t, err)
	return s, lc
}

// segmentCustomer builds a customer with the given facets.
func segmentCustomer(t testing.TB, ten crm.TenantID, i int) *customer.Customer {
	t.Helper()
	r := newCustomer(t, ten, custOpts{}).Record()
	stages := []customer.Stage{customer.Stage(1), customer.Stage(2), customer.Stage(3)}
	r.Stage = stages[i%len(stages)]
	if i%4 == 0 {
		r.Roles = []customer.Role{customer.EndCustomer, customer.Dealer}
	}
	if i%5 == 0 {
		r.Attrs = map[string]string{"region": "north"}
	}
	c, err := customer.FromRecord(r)
	require.NoError(t, err)
	return c
}

// TestListSegmentCost lists with a segment that matches none of 20,000
// customers and limit 1: the statements run must be bounded by the rows
// examined (one per 1,000), not one per two rows as when each statement
// fetched limit+1 rows; a segment SQL can judge costs one statement.
func TestListSegmentCost(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 20,000 customers")
	}
	t.Parallel()
	s, lc := countingStore(t)
	ctx := context.Background()
	ten := newTenant()
	const total = 20_000
	batch := make([]*customer.Customer, 0, total)
	for i := range total {
		batch = append(batch, segmentCustomer(t, ten, i))
	}
	imp, ok := s.Customers().(postgres.CustomerImporter)
	require.True(t, ok)
	require.NoError(t, imp.ImportCustomers(ctx, batch))

	cases := []struct {
		name     string
		seg      customer.Segment
		maxStmts int64
	}{
		{"left to Go: an attribute nobody has", customer.Segment{Conditions: []customer.Condition{
			{Field: "attr.region", Op: customer.OpEq, Value: "south"}}}, total/1000 + 5},
		{"in SQL: a stage nobody is in", customer.Segment{Conditions: []customer.Condition{
			{Field: "stage", Op: customer.OpEq, Value: customer.Stage(4).String()}}}, 1},
		{"in SQL: any of two impossible facets", customer.Segment{Match: customer.Any, Conditions: []customer.Condition{
			{Field: "role", Op: customer.OpEq, Value: "merchant"},
			{Field: "kind", Op: customer.OpEq, Value: "organization"}}}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := lc.n.Load()
			start := time.Now()
			p, err := s.Customers().List(ctx, ten, customer.Query{Segment: &tc.seg}, crm.PageRequest{Limit: 1})
			elapsed := time.Since(start)
			require.NoError(t, err)
			require.Empty(t, p.Items)
			require.Empty(t, p.Next)
			stmts := lc.n.Load() - before
			t.Logf("%d statements, %s", stmts, elapsed)
			require.LessOrEqual(t, stmts, tc.maxStmts)
		})
	}
}

// TestListSegmentMatchesGo checks that lists with segments return exactly
// the customers Query.Matches accepts, page after page, whatever part of
// the segment the store judges in SQL (case-folded values, negations,
// any/all, invalid conditions, fields left to Go).
func TestListSegmentMatchesGo(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	ten := newTenant()
	var all []*customer.Customer
	for i := range 120 {
		c := segmentCustomer(t, ten, i)
		require.NoError(t, s.Customers().Create(ctx, c))
		got, err := s.Customers().Get(ctx, ten, c.ID())
		require.NoError(t, err)
		all = append(all, got)
	}
	st1, st2 := customer.Stage(1).String(), customer.Stage(2).String()
	cond := func(field string, op customer.Op, value string, values ...string) customer.Condition {
		return customer.Condition{Field: field, Op: op, Value: value, Values: values}
	}
	segs := map[string]customer.Segment{
		"empty":                 {},
		"stage eq":              {Conditions: []customer.Condition{cond("stage", customer.OpEq, st1)}},
		"stage eq upper case":   {Conditions: []customer.Condition{cond("stage", customer.OpEq, strings.ToUpper(st2))}},
		"stage eq unknown":      {Conditions: []customer.Condition{cond("stage", customer.OpEq, "nonsense")}},
		"stage ne":              {Conditions: []customer.Condition{cond("stage", customer.OpNe, st1)}},
		"stage in":              {Conditions: []customer.Condition{cond("stage", customer.OpIn, "", strings.ToUpper(st1), st2, "x")}},
		"stage not in":          {Conditions: []customer.Condition{cond("stage", customer.OpNotIn, "", st1, st2)}},
		"role eq dealer":        {Conditions: []customer.Condition{cond("role", customer.OpEq, "DEALER")}},
		"role ne dealer":        {Conditions: []customer.Condition{cond("role", customer.OpNe, "dealer")}},
		"role not in":           {Conditions: []customer.Condition{cond("role", customer.OpNotIn, "", "dealer", "end_customer")}},
		"key account true":      {Conditions: []customer.Condition{cond("key_account", customer.OpEq, "TRUE")}},
		"key account false":     {Conditions: []customer.Condition{cond("key_account", customer.OpEq, "false")}},
		"long s in a kind":      {Conditions: []customer.Condition{cond("kind", customer.OpEq, "PER\u017FON")}},
		"long s folds":          {Conditions: []customer.Condition{cond("role", customer.OpEq, "end_cu\u017Ftomer")}},
		"all: sql and go":       {Conditions: []customer.Condition{cond("stage", customer.OpEq, st1), cond("attr.region", customer.OpEq, "north")}},
		"any: sql and go":       {Match: customer.Any, Conditions: []customer.Condition{cond("stage", customer.OpEq, st1), cond("attr.region", customer.OpEq, "north")}},
		"any: sql only":         {Match: customer.Any, Conditions: []customer.Condition{cond("stage", customer.OpEq, st1), cond("role", customer.OpEq, "dealer")}},
		"invalid op":            {Conditions: []customer.Condition{{Field: "stage", Op: customer.Op(99), Value: st1}}},
		"in without values":     {Conditions: []customer.Condition{cond("stage", customer.OpIn, "")}},
		"not in without values": {Match: customer.Any, Conditions: []customer.Condition{cond("stage", customer.OpNotIn, ""), cond("stage", customer.OpEq, st2)}},
		"ordered compare":       {Conditions: []customer.Condition{cond("stage", customer.OpGt, st1)}},
	}
	for name, seg := range segs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			q := customer.Query{Segment: &seg}
			var want []crm.ID
			for _, c := range all {
				if q.Matches(c) {
					want = append(want, c.ID())
				}
			}
			var got []crm.ID
			page := crm.PageRequest{Limit: 7}
			for {
				p, err := s.Customers().List(ctx, ten, q, page)
				if err != nil {
					// An invalid segment is refused as a whole.
					require.ErrorIs(t, err, crm.ErrInvalid)
					require.Error(t, seg.Validate())
					return
				}
				for _, c := range p.Items {
					got = append(got, c.ID())
				}
				if p.Next == "" {
					break
				}
				page.Cursor = p.Next
			}
			require.Equal(t, want, got)
		})
	}
}
