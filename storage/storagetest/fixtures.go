package storagetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// epoch is when fixtures are created; later changes are made at epoch plus
// whole hours.
var epoch = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// at returns epoch plus h hours.
func at(h int) time.Time { return epoch.Add(time.Duration(h) * time.Hour) }

// errInjected is the failure the suite injects into closures and
// transactions.
var errInjected = errors.New("storagetest: injected failure")

// NewTenant returns a tenant ID no other call returns (random, UUIDv7
// based), so that cases sharing a store never see each other's data.
func NewTenant(tb testing.TB) crm.TenantID {
	tb.Helper()
	return crm.TenantID("st-" + NewID(tb).String())
}

// NewID returns a new random UUIDv7.
func NewID(tb testing.TB) crm.ID {
	tb.Helper()
	id, err := crm.UUIDv7{}.NewID()
	require.NoError(tb, err)
	return id
}

// CustomerOptions describe a fixture customer; zero fields take the
// defaults named beside them.
type CustomerOptions struct {
	// ID defaults to a new UUIDv7.
	ID crm.ID
	// Name defaults to "Customer" followed by the last characters of the ID.
	Name string
	// Owner defaults to "owner-1".
	Owner crm.UserID
	// Kind defaults to customer.Person; Roles to customer.EndCustomer.
	Kind  customer.Kind
	Roles []customer.Role
	// Emails and Phones are parsed with customer.ParseEmail and
	// customer.ParsePhone (international form, e.g. "+8613800138000").
	Emails []string
	Phones []string
	// Stage, Loyalty and Lifecycle default as in customer.New.
	Stage     customer.Stage
	Loyalty   customer.Loyalty
	Lifecycle customer.Lifecycle
	// At is the creation time; default 2025-01-02T03:04:05Z.
	At time.Time
}

// NewCustomer builds (but does not store) a customer of tenant with
// customer.New, failing tb when opts are invalid. A nil opts takes every
// default.
func NewCustomer(tb testing.TB, tenant crm.TenantID, opts *CustomerOptions) *customer.Customer {
	tb.Helper()
	var o CustomerOptions
	if opts != nil {
		o = *opts
	}
	if o.ID.IsZero() {
		o.ID = NewID(tb)
	}
	if o.Name == "" {
		s := o.ID.String()
		o.Name = "Customer " + s[len(s)-6:]
	}
	if o.Owner == "" {
		o.Owner = "owner-1"
	}
	if o.Kind == 0 {
		o.Kind = customer.Person
	}
	if len(o.Roles) == 0 {
		o.Roles = []customer.Role{customer.EndCustomer}
	}
	if o.At.IsZero() {
		o.At = epoch
	}
	in := customer.NewInput{
		ID: o.ID, Tenant: tenant, Kind: o.Kind, Name: o.Name, Roles: o.Roles, Owner: o.Owner,
		Stage: o.Stage, Loyalty: o.Loyalty, Lifecycle: o.Lifecycle,
	}
	for _, s := range o.Emails {
		e, err := customer.ParseEmail(s)
		require.NoError(tb, err, "email %q", s)
		in.Emails = append(in.Emails, e)
	}
	for _, s := range o.Phones {
		p, err := customer.ParsePhone(s, "")
		require.NoError(tb, err, "phone %q", s)
		in.Phones = append(in.Phones, p)
	}
	c, err := customer.New(in, customer.Change{Actor: "storagetest", At: o.At})
	require.NoError(tb, err)
	return c
}

// CreateCustomer builds a customer like NewCustomer, stores it with
// s.Create and returns it (at version 1).
func CreateCustomer(tb testing.TB, s customer.Store, tenant crm.TenantID, opts *CustomerOptions) *customer.Customer {
	tb.Helper()
	c := NewCustomer(tb, tenant, opts)
	require.NoError(tb, s.Create(context.Background(), c))
	require.Equal(tb, int64(1), c.Version(), "Create must call Saved(1)")
	return c
}

// change returns a Change by the suite at epoch plus h hours.
func change(h int) customer.Change {
	return customer.Change{Actor: "storagetest", At: at(h), Reason: fmt.Sprintf("change at +%dh", h)}
}

// RequireSameCustomer fails tb unless got holds the same stored state as
// want: every field of their customer.Record, with times compared as
// instants and nil slices and maps equal to empty ones.
func RequireSameCustomer(tb testing.TB, want, got *customer.Customer, msgAndArgs ...any) {
	tb.Helper()
	require.NotNil(tb, want, msgAndArgs...)
	require.NotNil(tb, got, msgAndArgs...)
	require.Equal(tb, normRecord(want.Record()), normRecord(got.Record()), msgAndArgs...)
}

// normRecord puts a record in a canonical form for comparison.
func normRecord(r customer.Record) customer.Record {
	r.CreatedAt = normTime(r.CreatedAt)
	r.UpdatedAt = normTime(r.UpdatedAt)
	r.ErasedAt = normTime(r.ErasedAt)
	r.LastContact = normTime(r.LastContact)
	r.Roles = nilIfEmpty(r.Roles)
	r.Emails = nilIfEmpty(r.Emails)
	r.Phones = nilIfEmpty(r.Phones)
	r.Tags = nilIfEmpty(r.Tags)
	if len(r.Addresses) == 0 {
		r.Addresses = nil
	} else {
		addrs := make([]customer.Address, len(r.Addresses))
		for i, a := range r.Addresses {
			a.Lines = nilIfEmpty(a.Lines)
			addrs[i] = a
		}
		r.Addresses = addrs
	}
	r.Dates = nilIfEmptyMap(r.Dates)
	r.Prefs = nilIfEmptyMap(r.Prefs)
	r.Attrs = nilIfEmptyMap(r.Attrs)
	if len(r.Consents) == 0 {
		r.Consents = nil
	} else {
		m := make(map[customer.Channel]customer.Consent, len(r.Consents))
		for k, v := range r.Consents {
			v.At = normTime(v.At)
			m[k] = v
		}
		r.Consents = m
	}
	return r
}

func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func nilIfEmptyMap[V any](m map[string]V) map[string]V {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

func normHistory(hs []customer.HistoryEntry) []customer.HistoryEntry {
	out := make([]customer.HistoryEntry, len(hs))
	for i, h := range hs {
		h.At = normTime(h.At)
		out[i] = h
	}
	return out
}

func normInteraction(in customer.Interaction) customer.Interaction {
	in.At = normTime(in.At)
	in.NextStepDue = normTime(in.NextStepDue)
	return in
}

func normInteractions(ins []customer.Interaction) []customer.Interaction {
	out := make([]customer.Interaction, len(ins))
	for i, in := range ins {
		out[i] = normInteraction(in)
	}
	return out
}

func normVisit(v customer.Visit) customer.Visit {
	v.PlannedAt = normTime(v.PlannedAt)
	v.DoneAt = normTime(v.DoneAt)
	return v
}

func normVisits(vs []customer.Visit) []customer.Visit {
	out := make([]customer.Visit, len(vs))
	for i, v := range vs {
		out[i] = normVisit(v)
	}
	return out
}

// newInteraction returns a valid interaction of a customer at epoch plus h
// hours.
func newInteraction(tb testing.TB, tenant crm.TenantID, customerID crm.ID, h int) customer.Interaction {
	tb.Helper()
	in := customer.Interaction{
		ID: NewID(tb), Tenant: tenant, CustomerID: customerID,
		Channel: customer.PhoneCall, Direction: customer.Outbound, Actor: "sales-1",
		At: at(h), Summary: fmt.Sprintf("call at +%dh", h), Outcome: "interested",
		NextStep: "send offer", NextStepDue: at(h + 48),
	}
	require.NoError(tb, in.Validate())
	return in
}

// newVisit returns a valid planned visit of a customer at epoch plus h
// hours.
func newVisit(tb testing.TB, tenant crm.TenantID, customerID crm.ID, salesperson crm.UserID, h int) customer.Visit {
	tb.Helper()
	v := customer.Visit{
		ID: NewID(tb), Tenant: tenant, CustomerID: customerID, Salesperson: salesperson,
		Kind: customer.ReturnVisit, Purpose: "quarterly review", Method: customer.FaceToFace,
		PlannedAt: at(h), Duration: time.Hour, Status: customer.VisitPlanned,
	}
	require.NoError(tb, v.Validate())
	return v
}

// allCustomers pages through List with the given page size.
func allCustomers(tb testing.TB, s customer.Store, tenant crm.TenantID, q customer.Query, limit int) []*customer.Customer {
	tb.Helper()
	var out []*customer.Customer
	page := crm.PageRequest{Limit: limit}
	for range 10000 {
		p, err := s.List(context.Background(), tenant, q, page)
		require.NoError(tb, err)
		require.LessOrEqual(tb, len(p.Items), limit)
		if len(p.Items) < limit {
			require.Empty(tb, p.Next, "a short page must be the last")
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		require.NotEqual(tb, page.Cursor, p.Next, "cursor did not move")
		page.Cursor = p.Next
	}
	tb.Fatal("List did not finish paging")
	return nil
}

// allHistory pages through History with the given page size.
func allHistory(tb testing.TB, s customer.Store, tenant crm.TenantID, id crm.ID, limit int) []customer.HistoryEntry {
	tb.Helper()
	return pageAll(tb, limit, func(p crm.PageRequest) (crm.Page[customer.HistoryEntry], error) {
		return s.History(context.Background(), tenant, id, p)
	})
}

// allInteractions pages through Interactions with the given page size.
func allInteractions(tb testing.TB, s customer.Store, tenant crm.TenantID, id crm.ID, limit int) []customer.Interaction {
	tb.Helper()
	return pageAll(tb, limit, func(p crm.PageRequest) (crm.Page[customer.Interaction], error) {
		return s.Interactions(context.Background(), tenant, id, p)
	})
}

// allVisits pages through ListVisits with the given page size.
func allVisits(tb testing.TB, s customer.Store, tenant crm.TenantID, q customer.VisitQuery, limit int) []customer.Visit {
	tb.Helper()
	return pageAll(tb, limit, func(p crm.PageRequest) (crm.Page[customer.Visit], error) {
		return s.ListVisits(context.Background(), tenant, q, p)
	})
}

func pageAll[T any](tb testing.TB, limit int, list func(crm.PageRequest) (crm.Page[T], error)) []T {
	tb.Helper()
	out := []T{}
	page := crm.PageRequest{Limit: limit}
	for range 10000 {
		p, err := list(page)
		require.NoError(tb, err)
		require.LessOrEqual(tb, len(p.Items), limit)
		if len(p.Items) < limit {
			require.Empty(tb, p.Next, "a short page must be the last")
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		require.NotEqual(tb, page.Cursor, p.Next, "cursor did not move")
		page.Cursor = p.Next
	}
	tb.Fatal("paging did not finish")
	return nil
}

// ids returns the IDs of customers in order (nil for none).
func ids(cs []*customer.Customer) []crm.ID {
	if len(cs) == 0 {
		return nil
	}
	out := make([]crm.ID, len(cs))
	for i, c := range cs {
		out[i] = c.ID()
	}
	return out
}

// mustGet returns the stored customer.
func mustGet(tb testing.TB, s customer.Store, tenant crm.TenantID, id crm.ID) *customer.Customer {
	tb.Helper()
	c, err := s.Get(context.Background(), tenant, id)
	require.NoError(tb, err)
	return c
}

// snapshot is the stored state of one customer and everything related to
// it, for checking that a failed call changed nothing.
type snapshot struct {
	id           crm.ID
	rec          customer.Record // a copy: a store that shares state with callers cannot change it
	history      []customer.HistoryEntry
	interactions []customer.Interaction
	visits       []customer.Visit
}

func takeSnapshot(tb testing.TB, s customer.Store, tenant crm.TenantID, id crm.ID) snapshot {
	tb.Helper()
	return snapshot{
		id:           id,
		rec:          normRecord(mustGet(tb, s, tenant, id).Record()),
		history:      normHistory(allHistory(tb, s, tenant, id, crm.MaxPageLimit)),
		interactions: normInteractions(allInteractions(tb, s, tenant, id, crm.MaxPageLimit)),
		visits:       normVisits(allVisits(tb, s, tenant, customer.VisitQuery{CustomerID: id}, crm.MaxPageLimit)),
	}
}

// requireUnchanged fails tb unless the customer and its related records are
// as in snap.
func requireUnchanged(tb testing.TB, s customer.Store, tenant crm.TenantID, snap snapshot) {
	tb.Helper()
	now := takeSnapshot(tb, s, tenant, snap.id)
	require.Equal(tb, snap.rec, now.rec, "customer changed")
	require.Equal(tb, snap.history, now.history, "history changed")
	require.Equal(tb, snap.interactions, now.interactions, "interactions changed")
	require.Equal(tb, snap.visits, now.visits, "visits changed")
}
