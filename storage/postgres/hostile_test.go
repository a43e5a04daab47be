package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// hostileNames are stored names full of what breaks naive SQL: LIKE
// wildcards, escapes, quotes and mixed scripts.
var hostileNames = []string{
	`100% Pure_Water Ltd`,
	`O'Brien & Sons`,
	`Back\slash \\ Trading`,
	`"Quoted" Company`,
	`王伟 贸易有限公司`,
	`Ελληνική Εταιρεία ΣΊΣΥΦΟΣ`,
	`Кириллица ООО`,
	`İstanbul Dış Ticaret`,
	`Straße GmbH`,
	`Emoji 🚀 Rockets`,
	`plain name`,
	`under_score`,
	`percent%sign`,
	`'; DROP TABLE customers; --`,
	`a%b_c\d`,
}

var hostileEmails = []string{
	"100%_pure@example.com",
	"o'brien@example.com",
	"under_score@example.org",
	"q{uo}te@example.net",
	"wang@例子.中国",
}

// TestHostileText stores customers with hostile names, e-mails, tags and
// owners in two tenants, then checks that every filter and search returns
// exactly what customer.Query.Matches selects, from the right tenant only,
// with no error leaking SQL.
func TestHostileText(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	cs := s.Customers()
	tenants := []crm.TenantID{newTenant(), newTenant()}
	var all []*customer.Customer
	for ti, ten := range tenants {
		for i, name := range hostileNames {
			o := custOpts{name: name, owner: crm.UserID([]string{`o'wner%_\`, "owner-1"}[i%2])}
			if i < len(hostileEmails) {
				o.emails = []string{hostileEmails[i]}
			}
			if i%3 == 0 {
				o.phones = []string{"+44 20 7946 09" + string(rune('0'+i%10)) + "8"}
			}
			c := newCustomer(t, ten, o)
			require.NoError(t, c.AddTag([]string{`50%_off`, `o'reilly`, `back\slash`, "标签"}[i%4]))
			require.NoError(t, cs.Create(ctx, c))
			if ti == 0 {
				all = append(all, c)
			}
		}
	}
	texts := []string{
		"%", "_", `\`, `\\`, "'", `"`, "100%", "0% p", "pure_water", "under_score", "under%score",
		"o'brien", "'; drop table", "a%b_c\\d", "%b_", "王伟", "贸易", "ελληνική", "σίσυφος", "ΣΊΣΥΦΟΣ",
		"кириллица", "İstanbul", "i̇stanbul", "straße", "STRASSE", "🚀", "example", "例子", "@",
		"7946", "+44 20 7946", "020 7946 0908", "0" + "\x00" + "9", "\x00", "x\x00y", "\x01", " plain ", "\xff\xfe",
		"PLAIN NAME", strings.Repeat("a", 200),
	}
	for _, text := range texts {
		t.Run("text/"+text, func(t *testing.T) {
			t.Parallel()
			checkList(t, cs, tenants[0], all, customer.Query{Text: text})
		})
	}
	for _, tag := range []string{`50%_off`, "50%", `O'REILLY`, `back\slash`, `back\\slash`, "标签", "_", "%", "a\x00b", " 50%_off "} {
		t.Run("tag/"+tag, func(t *testing.T) {
			t.Parallel()
			checkList(t, cs, tenants[0], all, customer.Query{Tag: tag})
		})
	}
	for _, owner := range []crm.UserID{`o'wner%_\`, "o'wner%", "owner-1", "%", "owner-_"} {
		t.Run("owner/"+string(owner), func(t *testing.T) {
			t.Parallel()
			checkList(t, cs, tenants[0], all, customer.Query{Owner: owner})
		})
	}
	t.Run("combined", func(t *testing.T) {
		t.Parallel()
		checkList(t, cs, tenants[0], all, customer.Query{Owner: `o'wner%_\`, Tag: "50%_off", Text: "%"})
	})

	bad := []struct {
		name string
		q    customer.Query
	}{
		{"text over 200 bytes", customer.Query{Text: strings.Repeat("x", customer.MaxQueryTextLen+1)}},
		{"text of 1 MB", customer.Query{Text: strings.Repeat("%_\\'", 1<<18)}},
		{"tag of 1 MB", customer.Query{Tag: strings.Repeat("%", 1<<20)}},
		{"owner with NUL", customer.Query{Owner: "a\x00b"}},
		{"owner of 1 MB", customer.Query{Owner: crm.UserID(strings.Repeat("o", 1<<20))}},
	}
	for _, tc := range bad {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := cs.List(ctx, tenants[0], tc.q, crm.PageRequest{})
			require.ErrorIs(t, err, crm.ErrInvalid)
			requireNoDriverError(t, err)
		})
	}
}

// checkList lists every page of q and compares it with filtering all
// through q.Matches.
func checkList(t *testing.T, cs customer.Store, tenant crm.TenantID, all []*customer.Customer, q customer.Query) {
	t.Helper()
	var want []crm.ID
	for _, c := range all {
		if q.Matches(c) {
			want = append(want, c.ID())
		}
	}
	var got []crm.ID
	page := crm.PageRequest{Limit: 4}
	for {
		p, err := cs.List(context.Background(), tenant, q, page)
		require.NoError(t, err)
		for _, c := range p.Items {
			require.Equal(t, tenant, c.Tenant(), "row of another tenant")
			got = append(got, c.ID())
		}
		if p.Next == "" {
			break
		}
		page.Cursor = p.Next
	}
	require.Equal(t, want, got)
}

// requireNoDriverError fails when err exposes a pgx type or SQL text.
func requireNoDriverError(t testing.TB, err error) {
	t.Helper()
	var pe *pgconn.PgError
	require.False(t, errors.As(err, &pe), "driver error in chain: %v", err)
	msg := strings.ToLower(err.Error())
	for _, leak := range []string{"select ", "insert into", " set ", " where ", "relation"} {
		require.NotContains(t, msg, leak)
	}
}

// TestNULRefused checks that text PostgreSQL cannot store (NUL, invalid
// UTF-8), which the entities allow in free text, is refused with
// crm.ErrInvalid before it reaches the server, and that nothing is stored.
func TestNULRefused(t *testing.T) {
	t.Parallel()
	s := newStore(t, nil)
	ctx := context.Background()
	cs := s.Customers()
	ten := newTenant()
	stored := newCustomer(t, ten, custOpts{})
	require.NoError(t, cs.Create(ctx, stored))

	// path is how the refusal's field path ends.
	customers := []struct {
		name   string
		mutate func(*customer.Customer) error
		path   string
	}{
		{"notes", func(c *customer.Customer) error { return c.SetNotes("a\x00b") }, "notes"},
		{"preference value", func(c *customer.Customer) error { return c.SetPreference("food", "\x00") }, "preferences.food"},
		{"attribute value", func(c *customer.Customer) error { return c.SetAttribute("erp_id", "12\x0034") }, "attributes.erp_id"},
		{"consent source", func(c *customer.Customer) error {
			return c.SetConsent(customer.EmailChannel, true, "form\x00", change("opt in"))
		}, "consents." + customer.EmailChannel.String() + ".source"},
		{"change reason", func(c *customer.Customer) error {
			return c.SetKeyAccount(true, change("big\x00deal"))
		}, "].reason"},
	}
	requirePath := func(t *testing.T, err error, suffix string) {
		t.Helper()
		var ve *crm.ValidationError
		require.ErrorAs(t, err, &ve)
		for _, f := range ve.Fields {
			if strings.HasSuffix(f.Path, suffix) {
				return
			}
		}
		require.Failf(t, "no field path ending in "+suffix, "fields: %v", ve.Fields)
	}
	for _, tc := range customers {
		t.Run("create/"+tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCustomer(t, ten, custOpts{})
			require.NoError(t, tc.mutate(c))
			err := cs.Create(ctx, c)
			require.ErrorIs(t, err, crm.ErrInvalid)
			requirePath(t, err, tc.path)
			requireNoDriverError(t, err)
			require.Zero(t, c.Version())
			_, err = cs.Get(ctx, ten, c.ID())
			require.ErrorIs(t, err, crm.ErrNotFound)
		})
		t.Run("update/"+tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCustomer(t, ten, custOpts{})
			require.NoError(t, cs.Create(ctx, c))
			_, err := cs.Update(ctx, ten, c.ID(), tc.mutate)
			require.ErrorIs(t, err, crm.ErrInvalid)
			requirePath(t, err, tc.path)
			requireNoDriverError(t, err)
			got, err := cs.Get(ctx, ten, c.ID())
			require.NoError(t, err)
			require.Equal(t, int64(1), got.Version())
		})
	}

	interactions := []struct {
		name   string
		mutate func(*customer.Interaction)
	}{
		{"summary", func(in *customer.Interaction) { in.Summary = "called\x00" }},
		{"outcome", func(in *customer.Interaction) { in.Outcome = "\x00" }},
		{"next step", func(in *customer.Interaction) { in.NextStep = "x\x00" }},
	}
	for _, tc := range interactions {
		t.Run("interaction/"+tc.name, func(t *testing.T) {
			t.Parallel()
			in := customer.Interaction{
				ID: newID(t), Tenant: ten, CustomerID: stored.ID(), Channel: customer.PhoneCall,
				Direction: customer.Inbound, Actor: "rep", At: t0, Summary: "called",
			}
			tc.mutate(&in)
			err := cs.AddInteraction(ctx, in)
			require.ErrorIs(t, err, crm.ErrInvalid)
			requireNoDriverError(t, err)
		})
	}
	t.Run("visit purpose", func(t *testing.T) {
		t.Parallel()
		v := customer.Visit{
			ID: newID(t), Tenant: ten, CustomerID: stored.ID(), Salesperson: "rep", Kind: customer.NewVisit,
			Purpose: "demo\x00", Method: customer.FaceToFace, PlannedAt: t0.Add(time.Hour), Status: customer.VisitPlanned,
		}
		err := cs.CreateVisit(ctx, v)
		require.ErrorIs(t, err, crm.ErrInvalid)
		requireNoDriverError(t, err)
		_, err = cs.GetVisit(ctx, ten, v.ID)
		require.ErrorIs(t, err, crm.ErrNotFound)
	})
	t.Run("find by contact", func(t *testing.T) {
		t.Parallel()
		found, err := cs.FindByContact(ctx, ten, []string{"a\x00@example.com", "\xff"}, []string{"+44\x00"}, 10)
		require.NoError(t, err)
		require.Empty(t, found)
	})
	t.Run("visits by salesperson", func(t *testing.T) {
		t.Parallel()
		_, err := cs.ListVisits(ctx, ten, customer.VisitQuery{Salesperson: "a\x00"}, crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrInvalid)
		requireNoDriverError(t, err)
	})
}
