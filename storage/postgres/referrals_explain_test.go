package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/postgres"
	"github.com/crmkit/crm/storage/postgres/internal/pgtest"
)

// TestRelationListsUseIndexes fills the relation tables with 50 000 rows
// each over 100 tenants and checks that every list filter is answered from
// an index of migration 0008 (never a sequential scan). The rows' docs are
// empty: EXPLAIN plans, it does not decode.
func TestRelationListsUseIndexes(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	pool := pgtest.Pool(t)
	schema := pgx.Identifier{s.Schema()}.Sanitize()
	for _, sql := range []string{
		`INSERT INTO ` + schema + `.referrals SELECT 't' || (i % 100), gen_random_uuid(), 1, gen_random_uuid(),
		   CASE WHEN i % 2 = 0 THEN 'lead' ELSE 'customer' END, gen_random_uuid(),
		   (ARRAY['pending','converted','lost'])[1 + i % 3], now() - i * interval '1 minute', '{}' FROM generate_series(1, 50000) i`,
		`INSERT INTO ` + schema + `.suggestions SELECT 't' || (i % 100), gen_random_uuid(), 1, gen_random_uuid(),
		   'c' || (i % 40), (ARRAY['submitted','reviewing','adopted','declined'])[1 + i % 4], now() - i * interval '1 minute', '{}'
		   FROM generate_series(1, 50000) i`,
		`INSERT INTO ` + schema + `.memberships SELECT 't' || (i % 100), gen_random_uuid(), 1, gen_random_uuid(),
		   'p' || (i % 5), 'tier' || (i % 7), i % 9 = 0, now() + i * interval '1 minute', '{}' FROM generate_series(1, 50000) i`,
		`ANALYZE ` + schema + `.referrals`, `ANALYZE ` + schema + `.suggestions`, `ANALYZE ` + schema + `.memberships`,
	} {
		_, err := pool.Exec(ctx, sql)
		require.NoError(t, err)
	}
	id := crm.MustParseID("01900000-0000-7000-8000-000000000001")
	at := crm.MinTime.AddDate(2025, 0, 0)
	for _, tc := range []struct {
		name string
		rq   *customer.ReferralQuery
		sq   *customer.SuggestionQuery
		mq   *customer.MembershipQuery
	}{
		{"ReferralAll", &customer.ReferralQuery{}, nil, nil},
		{"Referrer", &customer.ReferralQuery{Referrer: id}, nil, nil},
		{"Target", &customer.ReferralQuery{Target: id}, nil, nil},
		{"Outcome", &customer.ReferralQuery{Outcomes: []customer.ReferralOutcome{customer.ReferralConverted}}, nil, nil},
		{"Referred", &customer.ReferralQuery{ReferredFrom: at, ReferredTo: at.AddDate(0, 0, 1)}, nil, nil},
		{"Author", nil, &customer.SuggestionQuery{Author: id}, nil},
		{"Category", nil, &customer.SuggestionQuery{Category: "c3"}, nil},
		{"Status", nil, &customer.SuggestionQuery{Statuses: []customer.SuggestionStatus{customer.SuggestionAdopted}}, nil},
		{"Made", nil, &customer.SuggestionQuery{MadeFrom: at, MadeTo: at.AddDate(0, 0, 1)}, nil},
		{"Customer", nil, nil, &customer.MembershipQuery{Customer: id}},
		{"Programme", nil, nil, &customer.MembershipQuery{Programme: "p1"}},
		{"ProgrammeTier", nil, nil, &customer.MembershipQuery{Programme: "p1", Tiers: []string{"tier2"}}},
		{"Tier", nil, nil, &customer.MembershipQuery{Tiers: []string{"tier2"}}},
		{"RenewalsDue", nil, nil, &customer.MembershipQuery{TermEndsBefore: at}},
		{"Cancelled", nil, nil, &customer.MembershipQuery{Statuses: []customer.MembershipStatus{customer.MembershipCancelled}, At: at}},
	} {
		sql, args := postgres.RelationListSQL(s, "t7", tc.rq, tc.sq, tc.mq)
		var plan []string
		rows, err := pool.Query(ctx, "EXPLAIN "+sql, args...)
		require.NoError(t, err)
		for rows.Next() {
			var line string
			require.NoError(t, rows.Scan(&line))
			plan = append(plan, line)
		}
		require.NoError(t, rows.Err())
		p := strings.Join(plan, "\n")
		require.NotContains(t, p, "Seq Scan", "%s:\n%s", tc.name, p)
		require.Contains(t, p, "Index", "%s:\n%s", tc.name, p)
	}
}
