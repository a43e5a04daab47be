package customer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// weekdays returns a Monday to Friday, 9:00-17:00 calendar in zone tz with
// the given holidays ("2024-05-01").
func weekdays(tb testing.TB, tz string, holidays ...string) *calendar.Calendar {
	tb.Helper()
	day := []calendar.Span{{Start: calendar.At(9, 0), End: calendar.At(17, 0)}}
	cfg := calendar.Config{TimeZone: tz}
	for d := time.Monday; d <= time.Friday; d++ {
		cfg.Week[d] = day
	}
	for _, h := range holidays {
		d, err := calendar.ParseDate(h)
		require.NoError(tb, err)
		cfg.Holidays = append(cfg.Holidays, d)
	}
	cal, err := calendar.New(cfg)
	require.NoError(tb, err)
	return cal
}

// cadenceCustomer is what a cadence test customer is built from.
type cadenceCustomer struct {
	n         int
	owner     crm.UserID
	class     customer.Class
	key       bool
	stage     customer.Stage
	lifecycle customer.Lifecycle
	created   time.Time
	contact   time.Time
	merged    bool
	erased    bool
}

func (cc cadenceCustomer) build(tb testing.TB) *customer.Customer {
	tb.Helper()
	r := customer.Record{
		ID: careID(cc.n), Tenant: "t1", Version: 1, CreatedAt: cc.created, UpdatedAt: cc.created,
		Kind: customer.Person, Name: fmt.Sprintf("C%d", cc.n), Roles: []customer.Role{customer.EndCustomer},
		Stage: cmpOr(cc.stage, customer.Unfamiliar), Loyalty: customer.Awareness,
		Lifecycle: cmpOr(cc.lifecycle, customer.Active), Class: cmpOr(cc.class, customer.Unclassified),
		KeyAccount: cc.key, Owner: cmpOr(cc.owner, "alice"), LastContact: cc.contact,
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		r.UpdatedAt = r.CreatedAt
	}
	if cc.merged {
		r.MergedInto = careID(999999)
	}
	if cc.erased {
		r.ErasedAt = r.CreatedAt
	}
	c, err := customer.FromRecord(r)
	require.NoError(tb, err)
	return c
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func TestCadencePolicyValidate(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	tests := []struct {
		name  string
		rules []customer.CadenceRule
		path  string // "" when valid
	}{
		{"default", customer.DefaultCadencePolicy(nil).Rules, ""},
		{"overlap resolved by order", []customer.CadenceRule{{Name: "k", KeyAccount: &yes, Days: 14}, {Name: "s", Class: customer.Stable, Days: 30}}, ""},
		{"catch-all last", []customer.CadenceRule{{Name: "s", Class: customer.Stable, Days: 30}, {Name: "rest", Days: 90}}, ""},
		{"no rules", nil, "rules"},
		{"zero days", []customer.CadenceRule{{Name: "a", Class: customer.Stable}}, "rules[0].days"},
		{"too many days", []customer.CadenceRule{{Name: "a", Days: customer.MaxCadenceDays + 1}}, "rules[0].days"},
		{"unknown class", []customer.CadenceRule{{Name: "a", Class: 99, Days: 1}}, "rules[0].class"},
		{"unknown stage", []customer.CadenceRule{{Name: "a", Stage: 99, Days: 1}}, "rules[0].stage"},
		{"unknown role", []customer.CadenceRule{{Name: "a", Role: 99, Days: 1}}, "rules[0].role"},
		{"empty name", []customer.CadenceRule{{Days: 1}}, "rules[0].name"},
		{"duplicate name", []customer.CadenceRule{{Name: "a", Class: customer.Stable, Days: 1}, {Name: "a", Class: customer.PushHard, Days: 1}}, "rules[1].name"},
		{"identical conditions", []customer.CadenceRule{{Name: "a", Class: customer.Stable, Days: 1}, {Name: "b", Class: customer.Stable, Days: 2}}, "rules[1]"},
		{"shadowed by a wider rule", []customer.CadenceRule{{Name: "a", Class: customer.Stable, Days: 1}, {Name: "b", Class: customer.Stable, KeyAccount: &no, Days: 2}}, "rules[1]"},
		{"shadowed by catch-all", []customer.CadenceRule{{Name: "all", Days: 9}, {Name: "b", Class: customer.Stable, Days: 2}}, "rules[1]"},
		{"too many rules", make([]customer.CadenceRule, customer.MaxCadenceRules+1), "rules"},
		{"tags in order", []customer.CadenceRule{{Name: "a", Tag: "abc:a", Days: 10}, {Name: "b", Tag: "abc:b", Days: 20}, {Name: "rest", Days: 60}}, ""},
		{"a tag narrows a class", []customer.CadenceRule{{Name: "a", Class: customer.Stable, Tag: "vip", Days: 5}, {Name: "s", Class: customer.Stable, Days: 30}}, ""},
		{"the same tag in another case", []customer.CadenceRule{{Name: "a", Tag: "ABC:A", Days: 10}, {Name: "b", Tag: " abc:a", Class: customer.Stable, Days: 20}}, "rules[1]"},
		{"shadowed by a tag rule", []customer.CadenceRule{{Name: "a", Tag: "vip", Days: 10}, {Name: "b", Tag: "vip", Role: customer.Dealer, Days: 20}}, "rules[1]"},
		{"a tag with a space", []customer.CadenceRule{{Name: "a", Tag: "top customers", Days: 10}}, "rules[0].tag"},
		{"a tag not UTF-8", []customer.CadenceRule{{Name: "a", Tag: "\xff", Days: 10}}, "rules[0].tag"},
		{"a tag too long", []customer.CadenceRule{{Name: "a", Tag: strings.Repeat("t", customer.MaxKeyLen+1), Days: 10}}, "rules[0].tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := (&customer.CadencePolicy{Rules: tt.rules}).Validate()
			if tt.path == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Contains(t, ve.Error(), tt.path)
		})
	}
}

func TestCadenceOverdue(t *testing.T) {
	t.Parallel()
	cal := weekdays(t, "Asia/Shanghai", "2024-05-01", "2024-05-02", "2024-05-03")
	yes := true
	policy := &customer.CadencePolicy{Calendar: cal, Rules: []customer.CadenceRule{
		{Name: "key", KeyAccount: &yes, Days: 3},
		{Name: "stable", Class: customer.Stable, Days: 5},
	}}
	sh, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	at := func(d, h int) time.Time { return time.Date(2024, 5, d, h, 0, 0, 0, sh) }
	// now: Friday 2024-05-10, 10:00 in Shanghai. May 1-3 are holidays,
	// May 4-5 and 11-12 weekends: the business days before now are
	// Apr 29, 30, May 6, 7, 8, 9, 10.
	now := at(10, 10)
	tests := []struct {
		name string
		c    cadenceCustomer
		want string // "" not overdue; else "rule due-day days-overdue"
	}{
		{"key account contacted on 6th: due 9th, one day over", cadenceCustomer{key: true, contact: at(6, 15)}, "key 2024-05-09 1"},
		{"key account contacted on 7th: due today", cadenceCustomer{key: true, contact: at(7, 9)}, ""},
		{"key stable takes the first rule", cadenceCustomer{key: true, class: customer.Stable, contact: at(6, 23)}, "key 2024-05-09 1"},
		{"stable contacted on 30 April: holidays do not count, due today", cadenceCustomer{class: customer.Stable, contact: time.Date(2024, 4, 30, 12, 0, 0, 0, sh)}, ""},
		{"stable contacted on the 29th", cadenceCustomer{class: customer.Stable, contact: time.Date(2024, 4, 29, 12, 0, 0, 0, sh)}, "stable 2024-05-09 1"},
		{"stable contacted on Friday the 26th", cadenceCustomer{class: customer.Stable, contact: time.Date(2024, 4, 26, 18, 0, 0, 0, sh)}, "stable 2024-05-08 2"},
		{"day taken in the calendar zone", cadenceCustomer{key: true, contact: time.Date(2024, 5, 6, 23, 30, 0, 0, time.UTC)}, ""}, // 7th in Shanghai
		{"never contacted counts from creation", cadenceCustomer{key: true, created: at(6, 8)}, "key 2024-05-09 1"},
		{"new customer is not overdue", cadenceCustomer{key: true, created: at(9, 8)}, ""},
		{"contact in the future", cadenceCustomer{key: true, contact: at(20, 8)}, ""},
		{"no rule applies", cadenceCustomer{class: customer.GeneralContact, contact: at(1, 1)}, ""},
		{"tombstone", cadenceCustomer{key: true, contact: at(6, 15), merged: true}, ""},
		{"erased", cadenceCustomer{key: true, contact: at(6, 15), erased: true}, ""},
		{"churned", cadenceCustomer{key: true, contact: at(6, 15), lifecycle: customer.Churned}, ""},
		{"at risk is overdue", cadenceCustomer{key: true, contact: at(6, 15), lifecycle: customer.AtRisk}, "key 2024-05-09 1"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.c.n = i + 1
			c := tt.c.build(t)
			got, err := policy.Overdue(slices.Values([]*customer.Customer{c}), now)
			require.NoError(t, err)
			if tt.want == "" {
				require.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			e := got[0]
			require.Equal(t, tt.want, fmt.Sprintf("%s %s %d", e.Rule, e.DueAt.In(sh).Format(time.DateOnly), e.DaysOverdue))
			require.True(t, e.DueAt.Equal(time.Date(e.DueAt.In(sh).Year(), e.DueAt.In(sh).Month(), e.DueAt.In(sh).Day(), 0, 0, 0, 0, sh)))
			require.Equal(t, c.LastContact(), e.LastContact)
			require.Same(t, c, e.Customer)
			require.Equal(t, c.Owner(), e.Owner)
			// The cutoff agrees: overdue exactly when contacted before it.
			cut, err := policy.Cutoff(policy.Rule(c), now)
			require.NoError(t, err)
			if !c.LastContact().IsZero() {
				require.True(t, c.LastContact().Before(cut), "cutoff %s", cut)
			}
		})
	}
}

// TestCadenceCutoffAgreesWithOverdue checks, over every hour of four
// weeks of contacts, that a customer is overdue exactly when its last
// contact is before the rule's cutoff, on plain days and on a calendar.
func TestCadenceCutoffAgreesWithOverdue(t *testing.T) {
	t.Parallel()
	for _, cal := range []*calendar.Calendar{nil, weekdays(t, "America/New_York", "2024-03-11")} {
		for _, days := range []int{1, 2, 5, 10} {
			policy := &customer.CadencePolicy{Calendar: cal, Rules: []customer.CadenceRule{{Name: "all", Days: days}}}
			now := time.Date(2024, 3, 15, 13, 0, 0, 0, time.UTC)
			cut, err := policy.Cutoff(0, now)
			require.NoError(t, err)
			var cs []*customer.Customer
			for h := range 28 * 24 {
				cs = append(cs, cadenceCustomer{n: h + 1, contact: now.Add(-time.Duration(h) * time.Hour)}.build(t))
			}
			got, err := policy.Overdue(slices.Values(cs), now)
			require.NoError(t, err)
			overdue := map[crm.ID]bool{}
			for _, e := range got {
				overdue[e.Customer.ID()] = true
				require.GreaterOrEqual(t, e.DaysOverdue, 1)
			}
			for _, c := range cs {
				require.Equal(t, c.LastContact().Before(cut), overdue[c.ID()], "days %d contact %s cutoff %s", days, c.LastContact(), cut)
			}
		}
	}
}

func TestCadenceOverdueOrderAndErrors(t *testing.T) {
	t.Parallel()
	policy := customer.DefaultCadencePolicy(nil)
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	cs := cadenceCustomers{
		{n: 1, owner: "bob", class: customer.PushHard, contact: now.AddDate(0, 0, -10)},
		{n: 2, owner: "alice", class: customer.PushHard, contact: now.AddDate(0, 0, -9)},
		{n: 3, owner: "alice", class: customer.Stable, contact: now.AddDate(0, 0, -60)},
		{n: 4, owner: "alice", class: customer.GeneralContact, contact: now.AddDate(0, 0, -89)},
	}.buildAll(t)
	got, err := policy.Overdue(slices.Values(cs), now)
	require.NoError(t, err)
	var order []string
	for _, e := range got {
		order = append(order, fmt.Sprintf("%s:%d:%d", e.Owner, careNum(e.Customer.ID()), e.DaysOverdue))
	}
	require.Equal(t, []string{"alice:3:30", "alice:2:2", "bob:1:3"}, order)

	_, err = policy.Overdue(slices.Values([]*customer.Customer{cs[0], nil}), now)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = policy.Overdue(slices.Values(cs), time.Time{})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = (&customer.CadencePolicy{}).Overdue(slices.Values(cs), now)
	require.ErrorIs(t, err, crm.ErrInvalid)
	var nilPolicy *customer.CadencePolicy
	_, err = nilPolicy.Overdue(slices.Values(cs), now)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = policy.Cutoff(len(policy.Rules), now)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = policy.Cutoff(-1, now)
	require.ErrorIs(t, err, crm.ErrInvalid)
}

type cadenceCustomers []cadenceCustomer

func (ccs cadenceCustomers) buildAll(tb testing.TB) []*customer.Customer {
	out := make([]*customer.Customer, len(ccs))
	for i, cc := range ccs {
		out[i] = cc.build(tb)
	}
	return out
}

func TestCadencePolicyJSON(t *testing.T) {
	t.Parallel()
	p := customer.DefaultCadencePolicy(weekdays(t, "Asia/Shanghai", "2024-10-01"))
	b, err := json.Marshal(p)
	require.NoError(t, err)
	var q customer.CadencePolicy
	require.NoError(t, json.Unmarshal(b, &q))
	require.Equal(t, p.Rules, q.Rules)
	require.Equal(t, p.Calendar.Location().String(), q.Calendar.Location().String())
	b2, err := json.Marshal(&q)
	require.NoError(t, err)
	require.JSONEq(t, string(b), string(b2))

	bad := []struct{ name, in, path string }{
		{"unknown member", `{"rules":[{"name":"a","days":1,"colour":"red"}]}`, "colour"},
		{"unknown class", `{"rules":[{"name":"a","class":"vip","days":1}]}`, "class"},
		{"zero days", `{"rules":[{"name":"a","days":0}]}`, "days"},
		{"shadowed", `{"rules":[{"name":"a","days":1},{"name":"b","class":"stable","days":1}]}`, "rules[1]"},
		{"bad calendar", `{"rules":[{"name":"a","days":1}],"calendar":{"time_zone":"Local","week":{}}}`, "calendar"},
		{"trailing data", `{"rules":[{"name":"a","days":1}]} {}`, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			keep := customer.CadencePolicy{Rules: []customer.CadenceRule{{Name: "keep", Days: 3}}}
			err := json.Unmarshal([]byte(tt.in), &keep)
			require.Error(t, err)
			if tt.path != "" { // encoding/json itself refuses trailing data
				require.ErrorIs(t, err, crm.ErrInvalid)
				require.Contains(t, err.Error(), tt.path)
			}
			require.Equal(t, "keep", keep.Rules[0].Name, "unchanged on error")
		})
	}
}

// TestOverdueForContact runs the service on the memory store and checks it
// against the pure function over every customer, with interactions moving
// last contacts forward.
func TestOverdueForContact(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := memory.New(nil)
	t0 := time.Date(2024, 6, 3, 9, 0, 0, 0, time.UTC)
	clock := crm.NewManualClock(t0)
	svc, err := customer.NewService(store, &customer.Options{Clock: clock, IDs: crm.NewSequentialIDs(clock)})
	require.NoError(t, err)
	cal := weekdays(t, "UTC")
	policy := customer.DefaultCadencePolicy(cal)
	owners := []crm.UserID{"alice", "bob", "carol"}
	classes := []customer.Class{customer.Stable, customer.PushHard, customer.GeneralContact, customer.NotYetStable, customer.Unclassified}
	var all []*customer.Customer
	for i := range 60 {
		c, err := customer.New(customer.NewInput{
			ID: careID(i + 1), Tenant: "t1", Kind: customer.Person, Name: fmt.Sprintf("C%d", i),
			Roles: []customer.Role{customer.EndCustomer}, Owner: owners[i%3],
		}, customer.Change{Actor: "s", At: t0})
		require.NoError(t, err)
		require.NoError(t, c.SetClass(classes[i%len(classes)], customer.Change{Actor: "s", At: t0}))
		if i%7 == 0 {
			require.NoError(t, c.SetKeyAccount(true, customer.Change{Actor: "s", At: t0}))
		}
		require.NoError(t, store.Customers().Create(ctx, c))
		if i%4 != 0 { // a quarter is never contacted
			at := t0.AddDate(0, 0, i*3)
			_, err := svc.LogInteraction(ctx, "t1", c.ID(), customer.InteractionInput{
				Channel: customer.PhoneCall, Direction: customer.Outbound, Actor: owners[i%3], At: at, Summary: "call",
			})
			require.NoError(t, err)
		}
	}
	now := t0.AddDate(0, 6, 0)
	page, err := store.Customers().List(ctx, "t1", customer.Query{}, crm.PageRequest{Limit: 1000})
	require.NoError(t, err)
	all = page.Items
	want, err := policy.Overdue(slices.Values(all), now)
	require.NoError(t, err)
	require.NotEmpty(t, want)

	got, err := svc.OverdueForContact(ctx, "t1", policy, now, customer.OverdueQuery{})
	require.NoError(t, err)
	var flat []string
	for _, g := range got {
		for _, e := range g.Contacts {
			require.Equal(t, g.Owner, e.Owner)
			flat = append(flat, fmt.Sprintf("%s %d %s %d", e.Owner, careNum(e.Customer.ID()), e.Rule, e.DaysOverdue))
		}
	}
	var wantFlat []string
	for _, e := range want {
		wantFlat = append(wantFlat, fmt.Sprintf("%s %d %s %d", e.Owner, careNum(e.Customer.ID()), e.Rule, e.DaysOverdue))
	}
	require.Equal(t, wantFlat, flat)

	bob, err := svc.OverdueForContact(ctx, "t1", policy, now, customer.OverdueQuery{Owner: "bob"})
	require.NoError(t, err)
	require.Len(t, bob, 1)
	require.Equal(t, crm.UserID("bob"), bob[0].Owner)

	other, err := svc.OverdueForContact(ctx, "t2", policy, now, customer.OverdueQuery{})
	require.NoError(t, err)
	require.Empty(t, other)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = svc.OverdueForContact(cancelled, "t1", policy, now, customer.OverdueQuery{})
	require.True(t, errors.Is(err, context.Canceled))
	_, err = svc.OverdueForContact(ctx, "", policy, now, customer.OverdueQuery{})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = svc.OverdueForContact(ctx, "t1", nil, now, customer.OverdueQuery{})
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestLastContact(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	t.Run("NoteContact", func(t *testing.T) {
		t.Parallel()
		c := cadenceCustomer{n: 1}.build(t)
		require.True(t, c.LastContact().IsZero())
		shanghai := time.FixedZone("CST", 8*3600)
		require.True(t, c.NoteContact(t0.In(shanghai)))
		require.Equal(t, t0, c.LastContact(), "kept in UTC")
		require.Equal(t, time.UTC, c.LastContact().Location())
		require.False(t, c.NoteContact(t0.Add(-time.Hour)), "never backwards")
		require.False(t, c.NoteContact(t0))
		require.False(t, c.NoteContact(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)), "outside the stored range")
		require.Equal(t, t0, c.LastContact())
		clone := c.Clone()
		require.True(t, clone.NoteContact(t0.Add(time.Hour)))
		require.Equal(t, t0, c.LastContact(), "a clone's contact is its own")
		require.Empty(t, clone.PendingHistory(), "no history")
		require.Empty(t, clone.Events(), "no event")
		var zero customer.Customer
		require.False(t, zero.NoteContact(t0))
	})
	t.Run("JSON", func(t *testing.T) {
		t.Parallel()
		never := cadenceCustomer{n: 1}.build(t)
		b, err := json.Marshal(never)
		require.NoError(t, err)
		require.NotContains(t, string(b), "last_contact")
		contacted := cadenceCustomer{n: 2, contact: t0.Add(123 * time.Nanosecond)}.build(t)
		b, err = json.Marshal(contacted)
		require.NoError(t, err)
		require.Contains(t, string(b), `"last_contact":"2025-03-01T09:00:00.000000123Z"`)
		var back customer.Customer
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, contacted.Record(), back.Record())
		bad := strings.Replace(string(b), `"2025-03-01T09:00:00.000000123Z"`, `"0000-12-31T00:00:00Z"`, 1)
		require.ErrorIs(t, json.Unmarshal([]byte(bad), &back), crm.ErrInvalid)
	})
	t.Run("Merge", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			name             string
			survivor, loser  time.Time
			want             time.Time
			decidedFromLoser bool
		}{
			{"loser later", t0, t0.Add(time.Hour), t0.Add(time.Hour), true},
			{"survivor later", t0.Add(time.Hour), t0, t0.Add(time.Hour), false},
			{"survivor never", time.Time{}, t0, t0, true},
			{"loser never", t0, time.Time{}, t0, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				s := cadenceCustomer{n: 1, contact: tt.survivor}.build(t)
				l := cadenceCustomer{n: 2, contact: tt.loser}.build(t)
				res, err := customer.Merge(s, l, customer.Survivorship{}, customer.Change{Actor: "a", At: t0.Add(2 * time.Hour)})
				require.NoError(t, err)
				require.Equal(t, tt.want, s.LastContact())
				found := false
				for _, d := range res.Decisions {
					found = found || d.Field == "last_contact"
				}
				require.Equal(t, tt.decidedFromLoser, found)
			})
		}
	})
	t.Run("QueryMatches", func(t *testing.T) {
		t.Parallel()
		never := cadenceCustomer{n: 1}.build(t)
		early := cadenceCustomer{n: 2, contact: t0}.build(t)
		q := customer.Query{ContactedBefore: t0}
		require.True(t, q.Matches(never))
		require.False(t, q.Matches(early), "the cutoff is exclusive")
		q.ContactedBefore = t0.Add(time.Nanosecond)
		require.True(t, q.Matches(early))
		require.NoError(t, q.Validate())
		q.ContactedBefore = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		require.ErrorIs(t, q.Validate(), crm.ErrInvalid)
	})
}

// TestCadenceRuleTag covers the tag condition: a rule keyed on a tag (a
// bank's ABC classes kept as tags) matches the customers carrying it, in
// any case, and the service finds them on both of its paths.
func TestCadenceRuleTag(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 6, 4, 9, 0, 0, 0, time.UTC)
	policy := &customer.CadencePolicy{Rules: []customer.CadenceRule{
		{Name: "a", Tag: "ABC:A", Days: 10},
		{Name: "b", Tag: "abc:b", Days: 20},
	}}
	require.NoError(t, policy.Validate())
	tagged := func(n int, tag string, daysAgo int) *customer.Customer {
		c := cadenceCustomer{n: n, contact: now.AddDate(0, 0, -daysAgo)}.build(t)
		if tag != "" {
			require.NoError(t, c.AddTag(tag))
		}
		return c
	}
	cs := []*customer.Customer{
		tagged(1, "abc:a", 12),  // A, 12 days: overdue by 2
		tagged(2, "abc:a", 9),   // A, within 10
		tagged(3, "abc:b", 25),  // B, 25 days: overdue by 5
		tagged(4, "abc:b", 15),  // B, within 20
		tagged(5, "", 400),      // no tag: no rule
		tagged(6, "abc:c", 400), // another tag: no rule
	}
	require.Equal(t, 0, policy.Rule(cs[0]))
	require.Equal(t, 1, policy.Rule(cs[2]))
	require.Equal(t, -1, policy.Rule(cs[4]))
	require.Equal(t, -1, policy.Rule(cs[5]))
	names := func(entries []customer.OverdueContact) []string {
		var out []string
		for _, e := range entries {
			out = append(out, fmt.Sprintf("%s %s %d", e.Customer.Name(), e.Rule, e.DaysOverdue))
		}
		return out
	}
	want := []string{"C3 b 5", "C1 a 2"}
	got, err := policy.Overdue(slices.Values(cs), now)
	require.NoError(t, err)
	require.Equal(t, want, names(got))

	// The service's two paths: the memory store's Scanner, and paged List
	// per rule for a store without one.
	for _, path := range []string{"scanner", "list"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			st := memory.New(nil)
			for _, c := range cs {
				r := c.Record()
				r.Version = 0 // a new customer
				fresh, err := customer.FromRecord(r)
				require.NoError(t, err)
				require.NoError(t, st.Customers().Create(t.Context(), fresh))
			}
			var b customer.Backend = st
			if path == "list" {
				b = listOnly{st}
			}
			svc, err := customer.NewService(b, nil)
			require.NoError(t, err)
			groups, err := svc.OverdueForContact(t.Context(), "t1", policy, now, customer.OverdueQuery{})
			require.NoError(t, err)
			require.Len(t, groups, 1)
			require.Equal(t, want, names(groups[0].Contacts))
		})
	}
}
