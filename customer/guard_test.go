package customer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

// guardRecord returns the record of a valid stored customer of tenant acme.
func guardRecord(t testing.TB, n int) customer.Record {
	t.Helper()
	r := entNew(t, func(in *customer.NewInput) { in.ID = entID(n) }).Record()
	r.Version = 0
	return r
}

func guardBuild(t testing.TB, r customer.Record) *customer.Customer {
	t.Helper()
	c, err := customer.FromRecord(r)
	require.NoError(t, err, "FromRecord keeps only the invariants: the limits are the guard's")
	return c
}

// guardBadRecords are records FromRecord accepts and no store may keep.
func guardBadRecords() []struct {
	name string
	path string
	mod  func(r *customer.Record)
} {
	many := func(n int, f func(i int) string) map[string]string {
		m := make(map[string]string, n)
		for i := range n {
			m[fmt.Sprintf("k%d", i)] = f(i)
		}
		return m
	}
	return []struct {
		name string
		path string
		mod  func(r *customer.Record)
	}{
		{"empty name", "name", func(r *customer.Record) { r.Name = "  " }},
		{"10 MB name", "name", func(r *customer.Record) { r.Name = strings.Repeat("x", 10<<20) }},
		{"name with NUL", "name", func(r *customer.Record) { r.Name = "Li\x00Wei" }},
		{"name not UTF-8", "name", func(r *customer.Record) { r.Name = "Li \xff" }},
		{"100k tags", "tags", func(r *customer.Record) {
			r.Tags = make([]string, 100_000)
			for i := range r.Tags {
				r.Tags[i] = fmt.Sprintf("t%d", i)
			}
		}},
		{"upper-case tag", "tags", func(r *customer.Record) { r.Tags = []string{"VIP"} }},
		{"unknown time zone", "time_zone", func(r *customer.Record) { r.TimeZone = "Mars/Olympus" }},
		{"too many attributes", "attributes", func(r *customer.Record) {
			r.Attrs = many(customer.MaxMapEntries+1, func(int) string { return "v" })
		}},
		{"attribute value with NUL", "attributes.k0", func(r *customer.Record) { r.Attrs = map[string]string{"k0": "a\x00b"} }},
		{"empty attribute value", "attributes.k0", func(r *customer.Record) { r.Attrs = map[string]string{"k0": ""} }},
		{"attribute key with space", "attributes", func(r *customer.Record) { r.Attrs = map[string]string{"a b": "v"} }},
		{"preference too long", "preferences.k0", func(r *customer.Record) {
			r.Prefs = map[string]string{"k0": strings.Repeat("é", customer.MaxValueLen+1)}
		}},
		{"notes not UTF-8", "notes", func(r *customer.Record) { r.Notes = "\xc3\x28" }},
		{"notes too long", "notes", func(r *customer.Record) { r.Notes = strings.Repeat("n", customer.MaxNotesLen+1) }},
		{"too many e-mails", "emails", func(r *customer.Record) {
			for i := range customer.MaxContacts + 1 {
				e, _ := customer.ParseEmail(fmt.Sprintf("a%d@example.com", i))
				r.Emails = append(r.Emails, e)
			}
		}},
		{"repeated e-mail", "emails[1]", func(r *customer.Record) { r.Emails = append(r.Emails, r.Emails[0]) }},
		{"bad address", "addresses[0].lines", func(r *customer.Record) { r.Addresses = []customer.Address{{Country: "CN"}} }},
		{"bad date", "dates.birthday", func(r *customer.Record) {
			r.Dates = map[string]customer.Date{"birthday": {Month: time.February, Day: 30}}
		}},
		{"consent source with NUL", "consents.email.source", func(r *customer.Record) {
			r.Consents = map[customer.Channel]customer.Consent{customer.EmailChannel: {Granted: true, At: entAt, Source: "\x00"}}
		}},
		{"created after year 9999", "created_at", func(r *customer.Record) { r.CreatedAt = crm.MaxTime.Add(time.Hour) }},
		{"updated before year 1", "updated_at", func(r *customer.Record) { r.UpdatedAt = crm.MinTime.Add(-time.Hour) }},
		{"merged into itself", "merged_into", func(r *customer.Record) { r.MergedInto = r.ID }},
	}
}

func guardPath(t testing.TB, err error, path string) {
	t.Helper()
	require.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	for _, f := range ve.Fields {
		if f.Path == path {
			return
		}
	}
	require.Failf(t, "no problem at the path", "want %q in %v", path, ve.Fields)
}

// TestGuardRefusesRecordsBuiltAroundTheConstructors creates, saves and
// replaces inside Update closures customers FromRecord accepts but that
// break a limit: every path into the store refuses them alike, and nothing
// is stored.
func TestGuardRefusesRecordsBuiltAroundTheConstructors(t *testing.T) {
	t.Parallel()
	for i, tc := range guardBadRecords() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := customer.Guard(memory.New(nil).Customers())

			bad := guardRecord(t, 100+i)
			tc.mod(&bad)
			err := st.Create(ctx, guardBuild(t, bad))
			guardPath(t, err, tc.path)
			_, err = st.Get(ctx, bad.Tenant, bad.ID)
			require.ErrorIs(t, err, crm.ErrNotFound, "a refused Create stores nothing")

			good := guardRecord(t, 100+i)
			require.NoError(t, st.Create(ctx, guardBuild(t, good)))
			stored, err := st.Get(ctx, good.Tenant, good.ID)
			require.NoError(t, err)

			// Replaced wholesale inside the closure.
			_, err = st.Update(ctx, good.Tenant, good.ID, func(c *customer.Customer) error {
				r := c.Record()
				tc.mod(&r)
				*c = *guardBuild(t, r)
				return nil
			})
			guardPath(t, err, tc.path)

			// Saved at the stored version.
			r := stored.Record()
			tc.mod(&r)
			guardPath(t, st.Save(ctx, guardBuild(t, r)), tc.path)

			after, err := st.Get(ctx, good.Tenant, good.ID)
			require.NoError(t, err)
			require.Equal(t, stored.Record(), after.Record(), "a refused write changes nothing")
		})
	}
}

func TestGuardUpdateKeepsIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := customer.Guard(memory.New(nil).Customers())
	r := guardRecord(t, 1)
	require.NoError(t, st.Create(ctx, guardBuild(t, r)))
	other := guardRecord(t, 2)
	foreign := guardRecord(t, 1)
	foreign.Tenant = "umbrella"
	newer := guardRecord(t, 1)
	newer.Version = 7

	for _, tc := range []struct {
		name string
		path string
		fn   func(c *customer.Customer) error
	}{
		{"another ID", "id", func(c *customer.Customer) error { *c = *guardBuild(t, other); return nil }},
		{"another tenant", "id", func(c *customer.Customer) error { *c = *guardBuild(t, foreign); return nil }},
		{"another version", "version", func(c *customer.Customer) error { *c = *guardBuild(t, newer); return nil }},
		{"the zero customer", "id", func(c *customer.Customer) error { *c = customer.Customer{}; return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := st.Update(ctx, r.Tenant, r.ID, tc.fn)
			guardPath(t, err, tc.path)
		})
	}
	got, err := st.Get(ctx, r.Tenant, r.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), got.Version(), "nothing was stored")

	sentinel := errors.New("mine")
	_, err = st.Update(ctx, r.Tenant, r.ID, func(*customer.Customer) error { return sentinel })
	require.Same(t, sentinel, err, "the closure's own error comes back as is")
}

func TestGuardArguments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := customer.Guard(memory.New(nil).Customers())
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	id := entID(1)
	for _, tc := range []struct {
		name string
		want error
		call func() error
	}{
		{"Get with empty tenant", crm.ErrInvalid, func() error { _, err := st.Get(ctx, "", id); return err }},
		{"Get with zero ID", crm.ErrInvalid, func() error { _, err := st.Get(ctx, "acme", crm.NilID); return err }},
		{"Get cancelled", context.Canceled, func() error { _, err := st.Get(cancelled, "acme", id); return err }},
		{"Create nil", crm.ErrInvalid, func() error { return st.Create(ctx, nil) }},
		{"Create zero", crm.ErrInvalid, func() error { return st.Create(ctx, &customer.Customer{}) }},
		{"Create cancelled", context.Canceled, func() error { return st.Create(cancelled, guardBuild(t, guardRecord(t, 1))) }},
		{"Create stored version", crm.ErrInvalid, func() error {
			r := guardRecord(t, 1)
			r.Version = 3
			return st.Create(ctx, guardBuild(t, r))
		}},
		{"Update nil fn", crm.ErrInvalid, func() error { _, err := st.Update(ctx, "acme", id, nil); return err }},
		{"List bad query", crm.ErrInvalid, func() error {
			_, err := st.List(ctx, "acme", customer.Query{Stage: 99}, crm.PageRequest{})
			return err
		}},
		{"List negative limit", crm.ErrInvalid, func() error {
			_, err := st.List(ctx, "acme", customer.Query{}, crm.PageRequest{Limit: -1})
			return err
		}},
		{"List huge cursor", crm.ErrInvalid, func() error {
			_, err := st.List(ctx, "acme", customer.Query{}, crm.PageRequest{Cursor: strings.Repeat("c", crm.MaxCursorLen+1)})
			return err
		}},
		{"History with bad tenant", crm.ErrInvalid, func() error {
			_, err := st.History(ctx, "a b", id, crm.PageRequest{})
			return err
		}},
		{"Interactions with zero ID", crm.ErrInvalid, func() error {
			_, err := st.Interactions(ctx, "acme", crm.NilID, crm.PageRequest{})
			return err
		}},
		{"MoveRelated onto itself", crm.ErrInvalid, func() error { return st.MoveRelated(ctx, "acme", id, id) }},
		{"EraseInteractions cancelled", context.Canceled, func() error {
			_, err := st.EraseInteractions(cancelled, "acme", id)
			return err
		}},
		{"FindByContact negative limit", crm.ErrInvalid, func() error {
			_, err := st.FindByContact(ctx, "acme", []string{"a@b.c"}, nil, -1)
			return err
		}},
		{"AddInteraction with NUL", crm.ErrInvalid, func() error {
			return st.AddInteraction(ctx, customer.Interaction{ID: entID(9), Tenant: "acme", CustomerID: id,
				Channel: customer.FaceToFace, Direction: customer.Inbound, Actor: "wang", At: entAt, Summary: "a\x00"})
		}},
		{"AddInteraction after year 9999", crm.ErrInvalid, func() error {
			return st.AddInteraction(ctx, customer.Interaction{ID: entID(9), Tenant: "acme", CustomerID: id,
				Channel: customer.FaceToFace, Direction: customer.Inbound, Actor: "wang", At: crm.MaxTime.Add(time.Second), Summary: "hi"})
		}},
		{"CreateVisit after year 9999", crm.ErrInvalid, func() error {
			v := entVisit(customer.VisitPlanned)
			v.PlannedAt = crm.MaxTime.Add(time.Second)
			return st.CreateVisit(ctx, v)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.call(), tc.want)
		})
	}
}

// TestGuardRefusesUnstorableHistory: text no store can keep (a NUL byte)
// in a change's reason is refused with the pending history entry's path,
// whichever method recorded it.
func TestGuardRefusesUnstorableHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := customer.Guard(memory.New(nil).Customers())
	r := guardRecord(t, 1)
	require.NoError(t, st.Create(ctx, guardBuild(t, r)))
	_, err := st.Update(ctx, r.Tenant, r.ID, func(c *customer.Customer) error {
		return c.SetKeyAccount(true, customer.Change{Actor: "a", At: entAt, Reason: "big\x00deal"})
	})
	guardPath(t, err, "history[0].reason")
	c := entNew(t)
	require.NoError(t, c.SetNotes("fine"))
	require.NoError(t, c.SetKeyAccount(true, customer.Change{Actor: "a", At: entAt, Reason: "\x00"}))
	guardPath(t, st.Create(ctx, c), "history[1].reason")
}

func TestGuardOfGuardIsItself(t *testing.T) {
	t.Parallel()
	g := customer.Guard(memory.New(nil).Customers())
	require.Same(t, g, customer.Guard(g))
	require.Nil(t, customer.Guard(nil))
}

// TestGuardFindByContactKeys: repeated keys count once, and more than
// MaxContactKeys distinct keys are refused.
func TestGuardFindByContactKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := customer.Guard(memory.New(nil).Customers())
	r := guardRecord(t, 1)
	require.NoError(t, st.Create(ctx, guardBuild(t, r)))
	key := r.Emails[0].Normalized()

	repeated := make([]string, 50_000)
	for i := range repeated {
		repeated[i] = key
	}
	found, err := st.FindByContact(ctx, "acme", repeated, repeated[:customer.MaxContactKeys], 10)
	require.NoError(t, err, "50,000 copies of one key are one key")
	require.Len(t, found, 1)

	distinct := make([]string, customer.MaxContactKeys+1)
	for i := range distinct {
		distinct[i] = fmt.Sprintf("u%d@example.com", i)
	}
	_, err = st.FindByContact(ctx, "acme", distinct[:customer.MaxContactKeys/2], distinct[customer.MaxContactKeys/2:], 10)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = st.FindByContact(ctx, "acme", distinct[:customer.MaxContactKeys], nil, 10)
	require.NoError(t, err, "exactly the limit is allowed")

	found, err = st.FindByContact(ctx, "acme", []string{"a\x00@b.c", "\xff", key}, []string{"+44\x00"}, 10)
	require.NoError(t, err, "keys no stored contact can have match nothing")
	require.Len(t, found, 1)
}

// TestGuardVisitUpdateOneRule: an UpdateVisit closure is checked like an
// Update closure: identity kept, every rule of Visit.Validate.
func TestGuardVisitUpdateOneRule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := customer.Guard(memory.New(nil).Customers())
	r := guardRecord(t, 1)
	require.NoError(t, st.Create(ctx, guardBuild(t, r)))
	v := entVisit(customer.VisitPlanned)
	v.Tenant, v.CustomerID = r.Tenant, r.ID
	require.NoError(t, st.CreateVisit(ctx, v))
	for _, tc := range []struct {
		name string
		path string
		fn   func(*customer.Visit)
	}{
		{"time out of range", "planned_at", func(x *customer.Visit) { x.PlannedAt = crm.MaxTime.Add(time.Hour) }},
		{"purpose with NUL", "purpose", func(x *customer.Visit) { x.Purpose = "\x00" }},
		{"another customer", "customer_id", func(x *customer.Visit) { x.CustomerID = entID(2) }},
		{"another tenant", "id", func(x *customer.Visit) { x.Tenant = "umbrella" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := st.UpdateVisit(ctx, v.Tenant, v.ID, func(x *customer.Visit) error { tc.fn(x); return nil })
			guardPath(t, err, tc.path)
		})
	}
}

// TestOverLimitCustomer shows what happens to a customer stored over a
// limit before the limits were enforced (here: written to the store
// directly, around the guard): it loads, every write that leaves it over
// the limit is refused, and a write that brings it back within the limit
// succeeds.
func TestOverLimitCustomer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newLegacyBackend()
	r := guardRecord(t, 1)
	r.Attrs = map[string]string{}
	for i := range customer.MaxMapEntries + 20 {
		r.Attrs[fmt.Sprintf("k%03d", i)] = "v"
	}
	require.ErrorIs(t, b.Store.Customers().Create(ctx, guardBuild(t, r)), crm.ErrInvalid, "no store takes it now")
	b.legacy.put(guardBuild(t, r))

	svc, err := customer.NewService(b, nil)
	require.NoError(t, err)
	got, err := svc.Get(ctx, r.Tenant, r.ID)
	require.NoError(t, err, "an over-limit customer still loads")
	require.Len(t, got.Attributes(), customer.MaxMapEntries+20)

	_, err = svc.Update(ctx, r.Tenant, r.ID, func(c *customer.Customer) error { return c.SetAttribute("new", "x") })
	require.ErrorIs(t, err, crm.ErrInvalid, "no new attribute beyond the limit")
	_, err = svc.MoveStage(ctx, r.Tenant, r.ID, customer.Established, "", customer.Change{Actor: "wang"})
	guardPath(t, err, "attributes")

	c, err := svc.Update(ctx, r.Tenant, r.ID, func(c *customer.Customer) error {
		for i := range 20 {
			if err := c.SetAttribute(fmt.Sprintf("k%03d", i), ""); err != nil {
				return err
			}
		}
		return c.MoveStage(customer.Established, "", customer.Change{Actor: "wang", At: entAt})
	})
	require.NoError(t, err, "a write that trims the customer back within the limit is stored")
	require.Len(t, c.Attributes(), customer.MaxMapEntries)
	require.Equal(t, customer.Established, c.Stage())
}

// TestMergeRefusesAnOverLimitUnion: two customers within the limits whose
// union is not are not merged.
func TestMergeRefusesAnOverLimitUnion(t *testing.T) {
	t.Parallel()
	s, l := entMergePair(t)
	for i := range customer.MaxMapEntries/2 + 1 {
		require.NoError(t, s.SetAttribute(fmt.Sprintf("s%d", i), "v"))
		require.NoError(t, l.SetAttribute(fmt.Sprintf("l%d", i), "v"))
	}
	sBefore, lBefore := s.Record(), l.Record()
	_, err := customer.Merge(s, l, customer.Survivorship{}, entChange("dup"))
	guardPath(t, err, "attributes")
	require.Equal(t, sBefore, s.Record())
	require.Equal(t, lBefore, l.Record())
}

// forgetfulStore stores copies and never marks the caller's customer saved.
type forgetfulStore struct{ customer.Store }

func (f forgetfulStore) Create(ctx context.Context, c *customer.Customer) error {
	return f.Store.Create(ctx, c.Clone())
}

func (f forgetfulStore) Save(ctx context.Context, c *customer.Customer) error {
	return f.Store.Save(ctx, c.Clone())
}

// TestGuardMarksSaved: the guard, not the store, marks a written customer
// saved at its new version.
func TestGuardMarksSaved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := customer.Guard(forgetfulStore{memory.New(nil).Customers()})
	c := entNew(t)
	require.NoError(t, st.Create(ctx, c))
	require.Equal(t, int64(1), c.Version())
	require.Empty(t, c.PendingHistory())
	require.Empty(t, c.Events())

	require.NoError(t, c.MoveStage(customer.Established, "", entChange("")))
	require.NoError(t, st.Save(ctx, c))
	require.Equal(t, int64(2), c.Version())
	require.Empty(t, c.PendingHistory())
	got, err := st.Get(ctx, c.Tenant(), c.ID())
	require.NoError(t, err)
	require.Equal(t, int64(2), got.Version())

	stale := got.Clone()
	require.NoError(t, got.MoveStage(customer.Evaluation, "", entChange("")))
	require.NoError(t, st.Save(ctx, got))
	require.NoError(t, stale.SetNotes("late"))
	require.ErrorIs(t, st.Save(ctx, stale), crm.ErrConflict)
	require.Equal(t, int64(2), stale.Version(), "a refused Save leaves the version")
}
