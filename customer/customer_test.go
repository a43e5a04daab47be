package customer_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// The helpers of the entity tests start with "ent" so that they cannot
// clash with helpers other test files of package customer_test declare.

// entAt is the time of the fixture changes: 17:30 in UTC+8, 09:30 UTC. It is
// deliberately not in UTC so that tests see the conversion.
var entAt = time.Date(2025, 3, 14, 17, 30, 0, 0, time.FixedZone("CST", 8*3600))

// entID returns a fixed, valid customer ID numbered n.
func entID(n int) crm.ID {
	return crm.MustParseID(fmt.Sprintf("01900000-0000-7000-8000-%012d", n))
}

// entChange returns a valid change by "alice" at entAt with reason.
func entChange(reason string) customer.Change {
	return customer.Change{Actor: "alice", At: entAt, Reason: reason}
}

func entEmail(t testing.TB, s string) customer.Email {
	t.Helper()
	e, err := customer.ParseEmail(s)
	require.NoError(t, err)
	return e
}

func entPhone(t testing.TB, s string) customer.Phone {
	t.Helper()
	p, err := customer.ParsePhone(s, "")
	require.NoError(t, err)
	return p
}

func entAddress(t testing.TB, country string, lines ...string) customer.Address {
	t.Helper()
	a, err := customer.NewAddress(customer.Address{Lines: lines, Locality: "Shanghai", Country: country})
	require.NoError(t, err)
	return a
}

// entInput returns a valid NewInput with every optional field set.
func entInput(t testing.TB) customer.NewInput {
	t.Helper()
	return customer.NewInput{
		ID:        entID(1),
		Tenant:    "acme",
		Kind:      customer.Person,
		Name:      "Li Wei",
		Roles:     []customer.Role{customer.Owner, customer.EndCustomer},
		Owner:     "mgr.zhang",
		Emails:    []customer.Email{entEmail(t, "li.wei@example.com")},
		Phones:    []customer.Phone{entPhone(t, "+86 138 0013 8000")},
		Addresses: []customer.Address{entAddress(t, "CN", "1 Renmin Road")},
		TimeZone:  "Asia/Shanghai",
	}
}

// entNew creates a customer from entInput changed by mods.
func entNew(t testing.TB, mods ...func(*customer.NewInput)) *customer.Customer {
	t.Helper()
	in := entInput(t)
	for _, m := range mods {
		m(&in)
	}
	c, err := customer.New(in, entChange("created in test"))
	require.NoError(t, err)
	return c
}

// entRefuses runs op, requires an error matching want, and requires c to be
// unchanged: the same Record, the same pending history and the same events.
// It returns the error for further checks.
func entRefuses(t testing.TB, c *customer.Customer, want error, op func() error) error {
	t.Helper()
	before, hist, events := c.Record(), c.PendingHistory(), c.Events()
	err := op()
	require.Error(t, err)
	require.ErrorIs(t, err, want)
	require.Equal(t, before, c.Record(), "refused change altered the customer")
	require.Equal(t, hist, c.PendingHistory(), "refused change recorded history")
	require.Equal(t, events, c.Events(), "refused change recorded an event")
	return err
}

// entPath requires err to be a *crm.ValidationError with a problem at path.
func entPath(t testing.TB, err error, path string) {
	t.Helper()
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has(path), "want a problem at %q, got %v", path, ve.Fields)
}

// entLastHistory returns the last pending history entry of c.
func entLastHistory(t testing.TB, c *customer.Customer) customer.HistoryEntry {
	t.Helper()
	h := c.PendingHistory()
	require.NotEmpty(t, h)
	return h[len(h)-1]
}

// entLastEvent returns the last recorded event of c.
func entLastEvent(t testing.TB, c *customer.Customer) crm.Event {
	t.Helper()
	ev := c.Events()
	require.NotEmpty(t, ev)
	return ev[len(ev)-1]
}

// entCheckHistory checks the fields every history entry takes from a change.
func entCheckHistory(t testing.TB, c *customer.Customer, h customer.HistoryEntry, kind customer.HistoryKind, from, to string, ch customer.Change) {
	t.Helper()
	require.Equal(t, kind, h.Kind)
	require.Equal(t, from, h.From)
	require.Equal(t, to, h.To)
	require.Equal(t, ch.Actor, h.Actor)
	require.Equal(t, ch.Reason, h.Reason)
	require.True(t, ch.At.Equal(h.At))
	require.Equal(t, time.UTC, h.At.Location())
	require.Equal(t, c.ID(), h.CustomerID)
	require.Equal(t, c.ID(), h.OriginID)
}

// entCheckEvent checks the envelope of an event recorded by a change.
func entCheckEvent(t testing.TB, c *customer.Customer, e crm.Event, typ string, ch customer.Change, data any) {
	t.Helper()
	require.Equal(t, typ, e.Type)
	require.Equal(t, c.Tenant(), e.Tenant)
	require.Equal(t, c.ID(), e.AggregateID)
	require.Equal(t, string(ch.Actor), e.Actor)
	require.True(t, ch.At.Equal(e.At))
	require.Equal(t, time.UTC, e.At.Location())
	require.Equal(t, data, e.Data)
}

func TestNewSetsEveryField(t *testing.T) {
	t.Parallel()
	in := entInput(t)
	in.Name = "  Li Wei  "
	ch := entChange("first contact at the fair")
	c, err := customer.New(in, ch)
	require.NoError(t, err)

	require.Equal(t, entID(1), c.ID())
	require.Equal(t, crm.TenantID("acme"), c.Tenant())
	require.Zero(t, c.Version())
	require.True(t, entAt.Equal(c.CreatedAt()))
	require.Equal(t, time.UTC, c.CreatedAt().Location())
	require.Equal(t, c.CreatedAt(), c.UpdatedAt())
	require.Equal(t, customer.Person, c.Kind())
	require.Equal(t, "Li Wei", c.Name(), "the name is trimmed")
	require.Equal(t, []customer.Role{customer.EndCustomer, customer.Owner}, c.Roles(), "roles come in order")
	require.True(t, c.HasRole(customer.Owner))
	require.False(t, c.HasRole(customer.Dealer))
	require.Equal(t, in.Emails, c.Emails())
	require.Equal(t, in.Phones, c.Phones())
	require.Equal(t, in.Addresses, c.Addresses())
	require.Equal(t, "Asia/Shanghai", c.TimeZone())
	require.Equal(t, "Asia/Shanghai", c.Location().String())
	require.Equal(t, crm.UserID("mgr.zhang"), c.Owner())
	require.Equal(t, customer.Unfamiliar, c.Stage(), "default stage")
	require.Equal(t, customer.Awareness, c.Loyalty(), "default loyalty rung")
	require.Equal(t, customer.Active, c.Lifecycle(), "default lifecycle status")
	require.Equal(t, customer.Unclassified, c.Class())
	require.False(t, c.KeyAccount())
	require.False(t, c.IsTombstone())
	require.True(t, c.MergedInto().IsZero())
	require.False(t, c.IsErased())
	require.True(t, c.ErasedAt().IsZero())
	require.Empty(t, c.Tags())
	require.Empty(t, c.Dates())
	require.Empty(t, c.Preferences())
	require.Empty(t, c.Attributes())
	require.Empty(t, c.Consents())
	require.Empty(t, c.Notes())
	require.False(t, c.MayContact(customer.EmailChannel), "no consent recorded means no consent")

	hist := c.PendingHistory()
	require.Len(t, hist, 1)
	require.Equal(t, int64(1), hist[0].Seq)
	require.Equal(t, customer.HistoryCreated, hist[0].Kind)
	require.Equal(t, ch.Actor, hist[0].Actor)
	require.Equal(t, ch.Reason, hist[0].Reason)
	require.Equal(t, time.UTC, hist[0].At.Location())
	require.Equal(t, c.ID(), hist[0].CustomerID)
	require.Equal(t, c.ID(), hist[0].OriginID)

	events := c.Events()
	require.Len(t, events, 1)
	entCheckEvent(t, c, events[0], customer.EventCreated, ch, customer.Created{Name: "Li Wei", Owner: "mgr.zhang"})
	require.Zero(t, events[0].Version)
}

func TestNewTakesGivenStates(t *testing.T) {
	t.Parallel()
	c := entNew(t, func(in *customer.NewInput) {
		in.Kind = customer.Organization
		in.Stage, in.Loyalty, in.Lifecycle = customer.Growth, customer.Satisfaction, customer.AtRisk
		in.Emails, in.Phones, in.Addresses, in.TimeZone = nil, nil, nil, ""
	})
	require.Equal(t, customer.Organization, c.Kind())
	require.Equal(t, customer.Growth, c.Stage())
	require.Equal(t, customer.Satisfaction, c.Loyalty())
	require.Equal(t, customer.AtRisk, c.Lifecycle())
	require.Empty(t, c.Emails())
	require.Empty(t, c.TimeZone())
	require.Equal(t, time.UTC, c.Location(), "no time zone means UTC")
}

func TestNewCopiesItsInput(t *testing.T) {
	t.Parallel()
	in := entInput(t)
	c, err := customer.New(in, entChange(""))
	require.NoError(t, err)
	before := c.Record()
	in.Roles[0] = customer.Dealer
	in.Emails[0] = entEmail(t, "other@example.com")
	in.Phones[0] = entPhone(t, "+44 20 7946 0958")
	in.Addresses[0].Lines[0] = "changed"
	require.Equal(t, before, c.Record())
}

func TestNewRefusesBadInput(t *testing.T) {
	t.Parallel()
	manyEmails := func(t testing.TB, n int) []customer.Email {
		var out []customer.Email
		for i := range n {
			out = append(out, entEmail(t, fmt.Sprintf("u%d@example.com", i)))
		}
		return out
	}
	manyPhones := func(t testing.TB, n int) []customer.Phone {
		var out []customer.Phone
		for i := range n {
			out = append(out, entPhone(t, fmt.Sprintf("+86 138 0013 80%02d", i)))
		}
		return out
	}
	manyAddresses := func(t testing.TB, n int) []customer.Address {
		var out []customer.Address
		for i := range n {
			out = append(out, entAddress(t, "CN", fmt.Sprintf("%d Renmin Road", i+1)))
		}
		return out
	}
	tests := []struct {
		name string
		mod  func(testing.TB, *customer.NewInput, *customer.Change)
		path string
	}{
		{"zero id", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.ID = crm.NilID }, "id"},
		{"empty tenant", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Tenant = "" }, "tenant"},
		{"tenant with space", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Tenant = "ac me" }, "tenant"},
		{"overlong tenant", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Tenant = crm.TenantID(strings.Repeat("t", crm.MaxTenantIDLen+1))
		}, "tenant"},
		{"zero kind", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Kind = 0 }, "kind"},
		{"unknown kind", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Kind = 3 }, "kind"},
		{"empty name", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Name = "" }, "name"},
		{"blank name", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Name = " \t\n " }, "name"},
		{"overlong name", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Name = strings.Repeat("李", customer.MaxNameLen+1)
		}, "name"},
		{"name not UTF-8", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Name = "Li \xff Wei" }, "name"},
		{"name with control character", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Name = "Li\x00Wei" }, "name"},
		{"no roles", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Roles = nil }, "roles"},
		{"zero role", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Roles = []customer.Role{customer.Dealer, 0}
		}, "roles[1]"},
		{"unknown role", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Roles = []customer.Role{7} }, "roles[0]"},
		{"empty owner", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Owner = "" }, "owner"},
		{"overlong owner", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Owner = crm.UserID(strings.Repeat("o", crm.MaxUserIDLen+1))
		}, "owner"},
		{"non-printable owner", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Owner = "mgr\x07" }, "owner"},
		{"zero e-mail", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Emails = []customer.Email{{}}
		}, "emails[0]"},
		{"duplicate e-mail by normalised form", func(t testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Emails = append(in.Emails, entEmail(t, "LI.WEI@Example.COM"))
		}, "emails[1]"},
		{"too many e-mails", func(t testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Emails = manyEmails(t, customer.MaxContacts+1)
		}, "emails"},
		{"zero phone", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Phones = []customer.Phone{{}}
		}, "phones[0]"},
		{"duplicate phone written differently", func(t testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Phones = append(in.Phones, entPhone(t, "0086-138-0013-8000 ext. 12"))
		}, "phones[1]"},
		{"too many phones", func(t testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Phones = manyPhones(t, customer.MaxContacts+1)
		}, "phones"},
		{"address without lines", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Addresses = []customer.Address{{Country: "CN"}}
		}, "addresses[0].lines"},
		{"address with unknown country", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Addresses = []customer.Address{{Lines: []string{"1 Main St"}, Country: "XX"}}
		}, "addresses[0].country"},
		{"too many addresses", func(t testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.Addresses = manyAddresses(t, customer.MaxContacts+1)
		}, "addresses"},
		{"unknown time zone", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.TimeZone = "Mars/Olympus" }, "time_zone"},
		{"time zone path", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.TimeZone = "../etc" }, "time_zone"},
		{"time zone with dot-dot", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.TimeZone = "Asia/../UTC" }, "time_zone"},
		{"time zone with space", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.TimeZone = "Asia/Shang hai" }, "time_zone"},
		{"overlong time zone", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) {
			in.TimeZone = "Asia/" + strings.Repeat("x", 64)
		}, "time_zone"},
		{"host-local time zone", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.TimeZone = "Local" }, "time_zone"},
		{"unknown stage", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Stage = 6 }, "stage"},
		{"unknown loyalty", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Loyalty = 7 }, "loyalty"},
		{"unknown lifecycle", func(_ testing.TB, in *customer.NewInput, _ *customer.Change) { in.Lifecycle = 5 }, "lifecycle"},
		{"change without actor", func(_ testing.TB, _ *customer.NewInput, ch *customer.Change) { ch.Actor = "" }, "change.actor"},
		{"change without time", func(_ testing.TB, _ *customer.NewInput, ch *customer.Change) { ch.At = time.Time{} }, "change.at"},
		{"change with overlong reason", func(_ testing.TB, _ *customer.NewInput, ch *customer.Change) {
			ch.Reason = strings.Repeat("r", customer.MaxReasonLen+1)
		}, "change.reason"},
		{"change with reason not UTF-8", func(_ testing.TB, _ *customer.NewInput, ch *customer.Change) { ch.Reason = "\xc3" }, "change.reason"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in, ch := entInput(t), entChange("")
			tc.mod(t, &in, &ch)
			c, err := customer.New(in, ch)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Nil(t, c)
			entPath(t, err, tc.path)
		})
	}
}

func TestNewAcceptsLimits(t *testing.T) {
	t.Parallel()
	c := entNew(t, func(in *customer.NewInput) {
		in.Name = strings.Repeat("李", customer.MaxNameLen)
		in.TimeZone = "UTC"
	})
	require.Equal(t, customer.MaxNameLen, len([]rune(c.Name())))
}

func TestNewReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := customer.New(customer.NewInput{}, customer.Change{})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	for _, p := range []string{"id", "tenant", "kind", "name", "roles", "owner", "change.actor", "change.at"} {
		require.True(t, ve.Has(p), "missing problem at %q in %v", p, ve.Fields)
	}
}

func TestRename(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	require.NoError(t, c.Rename("  Wei Li "))
	require.Equal(t, "Wei Li", c.Name())

	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"blank", "   "},
		{"overlong", strings.Repeat("x", customer.MaxNameLen+1)},
		{"not UTF-8", "\xff\xfe"},
		{"control character", "Wei\x1bLi"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := entNew(t)
			err := entRefuses(t, c, crm.ErrInvalid, func() error { return c.Rename(tc.in) })
			entPath(t, err, "name")
		})
	}
}

func TestSetKind(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	require.NoError(t, c.SetKind(customer.Organization))
	require.Equal(t, customer.Organization, c.Kind())
	for _, k := range []customer.Kind{0, 3, 255} {
		entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error { return c.SetKind(k) }), "kind")
	}
}

func TestRoles(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	require.NoError(t, c.SetRoles(customer.Visitor, customer.Dealer, customer.Visitor))
	require.Equal(t, []customer.Role{customer.Dealer, customer.Visitor}, c.Roles(), "sorted, duplicates dropped")

	require.NoError(t, c.AddRole(customer.Merchant))
	require.NoError(t, c.AddRole(customer.Merchant), "adding a held role does nothing")
	require.Equal(t, []customer.Role{customer.Dealer, customer.Merchant, customer.Visitor}, c.Roles())

	require.NoError(t, c.RemoveRole(customer.Dealer))
	require.NoError(t, c.RemoveRole(customer.Visitor))
	require.Equal(t, []customer.Role{customer.Merchant}, c.Roles())

	tests := []struct {
		name string
		op   func(*customer.Customer) error
		path string
	}{
		{"set no roles", func(c *customer.Customer) error { return c.SetRoles() }, "roles"},
		{"set unknown role", func(c *customer.Customer) error { return c.SetRoles(customer.Dealer, 9) }, "roles[1]"},
		{"set zero role", func(c *customer.Customer) error { return c.SetRoles(0) }, "roles[0]"},
		{"add zero role", func(c *customer.Customer) error { return c.AddRole(0) }, "role"},
		{"add unknown role", func(c *customer.Customer) error { return c.AddRole(7) }, "role"},
		{"remove the last role", func(c *customer.Customer) error { return c.RemoveRole(customer.Merchant) }, "roles"},
		{"remove a role not held", func(c *customer.Customer) error { return c.RemoveRole(customer.Partner) }, "role"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := entNew(t, func(in *customer.NewInput) { in.Roles = []customer.Role{customer.Merchant} })
			entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error { return tc.op(c) }), tc.path)
		})
	}
}

func TestSetContacts(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	emails := []customer.Email{entEmail(t, "b@example.com"), entEmail(t, "a@example.com")}
	phones := []customer.Phone{entPhone(t, "+44 20 7946 0958")}
	addrs := []customer.Address{entAddress(t, "GB", "10 Downing St")}
	require.NoError(t, c.SetContacts(emails, phones, addrs))
	require.Equal(t, emails, c.Emails(), "order kept: the first is the primary")
	require.Equal(t, phones, c.Phones())
	require.Equal(t, addrs, c.Addresses())

	emails[0] = entEmail(t, "changed@example.com")
	addrs[0].Lines[0] = "changed"
	require.Equal(t, "b@example.com", c.Emails()[0].String(), "SetContacts copies its input")
	require.Equal(t, "10 Downing St", c.Addresses()[0].Lines[0], "SetContacts copies address lines")

	require.NoError(t, c.AddEmail(entEmail(t, "A@EXAMPLE.com")), "an equal address is not added twice")
	require.Len(t, c.Emails(), 2)
	require.NoError(t, c.AddEmail(entEmail(t, "c@example.com")))
	require.Equal(t, "c@example.com", c.Emails()[2].String())
	require.NoError(t, c.AddPhone(entPhone(t, "+442079460958 x9")), "an equal number is not added twice")
	require.Len(t, c.Phones(), 1)
	require.NoError(t, c.AddPhone(entPhone(t, "+86 138 0013 8000")))
	require.Len(t, c.Phones(), 2)

	require.NoError(t, c.SetContacts(nil, nil, nil), "contacts are optional")
	require.Empty(t, c.Emails())
}

func TestSetContactsRefusesBadInput(t *testing.T) {
	t.Parallel()
	type contacts struct {
		emails []customer.Email
		phones []customer.Phone
		addrs  []customer.Address
	}
	tests := []struct {
		name string
		in   func(testing.TB) contacts
		path string
	}{
		{"zero e-mail", func(testing.TB) contacts { return contacts{emails: []customer.Email{{}}} }, "emails[0]"},
		{"duplicate e-mail", func(t testing.TB) contacts {
			return contacts{emails: []customer.Email{entEmail(t, "Bob@Example.com"), entEmail(t, "bob@example.com")}}
		}, "emails[1]"},
		{"too many e-mails", func(t testing.TB) contacts {
			var c contacts
			for i := range customer.MaxContacts + 1 {
				c.emails = append(c.emails, entEmail(t, fmt.Sprintf("u%d@example.com", i)))
			}
			return c
		}, "emails"},
		{"zero phone", func(testing.TB) contacts { return contacts{phones: []customer.Phone{{}}} }, "phones[0]"},
		{"duplicate phone with other extension", func(t testing.TB) contacts {
			return contacts{phones: []customer.Phone{entPhone(t, "+44 20 7946 0958 x1"), entPhone(t, "+44 20 7946 0958 x2")}}
		}, "phones[1]"},
		{"too many phones", func(t testing.TB) contacts {
			var c contacts
			for i := range customer.MaxContacts + 1 {
				c.phones = append(c.phones, entPhone(t, fmt.Sprintf("+44 20 7946 %04d", i)))
			}
			return c
		}, "phones"},
		{"invalid address", func(testing.TB) contacts {
			return contacts{addrs: []customer.Address{{Lines: []string{"1 Main St"}, Country: "gb"}}}
		}, "addresses[0].country"},
		{"too many addresses", func(t testing.TB) contacts {
			var c contacts
			for i := range customer.MaxContacts + 1 {
				c.addrs = append(c.addrs, entAddress(t, "GB", fmt.Sprintf("%d Main St", i)))
			}
			return c
		}, "addresses"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := entNew(t)
			in := tc.in(t)
			err := entRefuses(t, c, crm.ErrInvalid, func() error { return c.SetContacts(in.emails, in.phones, in.addrs) })
			entPath(t, err, tc.path)
		})
	}
	t.Run("add zero e-mail", func(t *testing.T) {
		t.Parallel()
		c := entNew(t)
		_ = entRefuses(t, c, crm.ErrInvalid, func() error { return c.AddEmail(customer.Email{}) })
		_ = entRefuses(t, c, crm.ErrInvalid, func() error { return c.AddPhone(customer.Phone{}) })
	})
}

func TestSetDate(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	birthday := customer.Date{Month: time.February, Day: 29}
	require.NoError(t, c.SetDate("birthday", birthday))
	require.NoError(t, c.SetDate("contract_signed", customer.Date{Year: 2024, Month: time.May, Day: 1}))
	got, ok := c.Date("birthday")
	require.True(t, ok)
	require.Equal(t, birthday, got)
	require.Len(t, c.Dates(), 2)
	require.NoError(t, c.RemoveDate("contract_signed"))
	require.NoError(t, c.RemoveDate("never_set"))
	_, ok = c.Date("contract_signed")
	require.False(t, ok)

	tests := []struct {
		name string
		key  string
		d    customer.Date
		path string
	}{
		{"empty key", "", birthday, "dates"},
		{"overlong key", strings.Repeat("k", customer.MaxKeyLen+1), birthday, "dates"},
		{"key with space", "birth day", birthday, "dates"},
		{"key with control character", "birth\x00day", birthday, "dates"},
		{"key not UTF-8", "birth\xffday", birthday, "dates"},
		{"zero date", "birthday", customer.Date{}, "dates.birthday"},
		{"February 30", "birthday", customer.Date{Month: time.February, Day: 30}, "dates.birthday"},
		{"February 29 of a common year", "birthday", customer.Date{Year: 2023, Month: time.February, Day: 29}, "dates.birthday"},
		{"month 13", "birthday", customer.Date{Year: 2023, Month: 13, Day: 1}, "dates.birthday"},
		{"year 10000", "birthday", customer.Date{Year: 10000, Month: 1, Day: 1}, "dates.birthday"},
		{"negative year", "birthday", customer.Date{Year: -1, Month: 1, Day: 1}, "dates.birthday"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := entNew(t)
			entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error { return c.SetDate(tc.key, tc.d) }), tc.path)
		})
	}
	t.Run("too many entries", func(t *testing.T) {
		t.Parallel()
		c := entNew(t)
		d := customer.Date{Year: 2020, Month: 1, Day: 1}
		for i := range customer.MaxMapEntries {
			require.NoError(t, c.SetDate(fmt.Sprintf("d%d", i), d))
		}
		require.NoError(t, c.SetDate("d0", customer.Date{Year: 2021, Month: 1, Day: 1}), "replacing at the limit is allowed")
		entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error { return c.SetDate("one_more", d) }), "dates")
	})
}

func TestSetTimeZone(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	require.NoError(t, c.SetTimeZone("America/Los_Angeles"))
	require.Equal(t, "America/Los_Angeles", c.TimeZone())
	require.Equal(t, "America/Los_Angeles", c.Location().String())
	require.NoError(t, c.SetTimeZone(""))
	require.Equal(t, time.UTC, c.Location())

	for _, name := range []string{
		"Mars/Olympus", "../etc", "../../etc/passwd", "Asia/../Europe/Paris", "/etc/localtime",
		`Asia\Shanghai`, "Asia/Shang hai", "Local", "Asia/" + strings.Repeat("x", 64),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := entNew(t)
			entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error { return c.SetTimeZone(name) }), "time_zone")
		})
	}
}

func TestSetPreferenceAndAttribute(t *testing.T) {
	t.Parallel()
	type setter struct {
		name, path string
		set        func(c *customer.Customer, k, v string) error
		get        func(c *customer.Customer) map[string]string
	}
	setters := []setter{
		{"preference", "preferences", (*customer.Customer).SetPreference, (*customer.Customer).Preferences},
		{"attribute", "attributes", (*customer.Customer).SetAttribute, (*customer.Customer).Attributes},
	}
	for _, s := range setters {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			c := entNew(t)
			require.NoError(t, s.set(c, "drink", "green tea"))
			require.NoError(t, s.set(c, "floor", "low"))
			require.NoError(t, s.set(c, "drink", "oolong"))
			require.Equal(t, map[string]string{"drink": "oolong", "floor": "low"}, s.get(c))
			require.NoError(t, s.set(c, "floor", ""), "an empty value removes")
			require.NoError(t, s.set(c, "absent", ""), "removing an absent key does nothing")
			require.Equal(t, map[string]string{"drink": "oolong"}, s.get(c))
			require.NoError(t, s.set(c, "long", strings.Repeat("值", customer.MaxValueLen)))

			tests := []struct {
				name, key, value, path string
			}{
				{"empty key", "", "v", s.path},
				{"overlong key", strings.Repeat("k", customer.MaxKeyLen+1), "v", s.path},
				{"key with space", "a key", "v", s.path},
				{"key with tab", "a\tkey", "v", s.path},
				{"key with control character", "a\x01", "v", s.path},
				{"key not UTF-8", "k\xff", "v", s.path},
				{"overlong value", "k", strings.Repeat("v", customer.MaxValueLen+1), s.path + ".k"},
				{"value not UTF-8", "k", "\xff", s.path + ".k"},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					c := entNew(t)
					entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error { return s.set(c, tc.key, tc.value) }), tc.path)
				})
			}
			t.Run("too many entries", func(t *testing.T) {
				t.Parallel()
				c := entNew(t)
				for i := range customer.MaxMapEntries {
					require.NoError(t, s.set(c, fmt.Sprintf("k%d", i), "v"))
				}
				require.NoError(t, s.set(c, "k0", "replaced"), "replacing at the limit is allowed")
				entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error { return s.set(c, "one_more", "v") }), s.path)
				require.NoError(t, s.set(c, "k1", ""), "removing at the limit is allowed")
				require.Len(t, s.get(c), customer.MaxMapEntries-1)
			})
		})
	}
	c := entNew(t)
	require.NoError(t, c.SetAttribute("vip_level", "gold"))
	v, ok := c.Attribute("vip_level")
	require.True(t, ok)
	require.Equal(t, "gold", v)
	_, ok = c.Attribute("missing")
	require.False(t, ok)
}

func TestTags(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	require.NoError(t, c.AddTag(" VIP "))
	require.NoError(t, c.AddTag("golf"))
	require.NoError(t, c.AddTag("vip"), "adding a present tag does nothing")
	require.Equal(t, []string{"golf", "vip"}, c.Tags(), "lower-cased and sorted")
	require.True(t, c.HasTag("Vip"))
	require.False(t, c.HasTag("tennis"))
	require.NoError(t, c.RemoveTag("GOLF"))
	require.NoError(t, c.RemoveTag("absent"))
	require.Equal(t, []string{"vip"}, c.Tags())

	tests := []struct {
		name, tag string
	}{
		{"empty", ""},
		{"blank", "  "},
		{"overlong", strings.Repeat("t", customer.MaxKeyLen+1)},
		{"inner space", "big spender"},
		{"control character", "vip\x00"},
		{"not UTF-8", "\xff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := entNew(t)
			entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error { return c.AddTag(tc.tag) }), "tags")
		})
	}
	t.Run("too many tags", func(t *testing.T) {
		t.Parallel()
		c := entNew(t)
		for i := range customer.MaxTags {
			require.NoError(t, c.AddTag(fmt.Sprintf("t%03d", i)))
		}
		require.NoError(t, c.AddTag("t000"), "re-adding at the limit does nothing")
		entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error { return c.AddTag("one-more") }), "tags")
	})
}

func TestSetNotes(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	notes := strings.Repeat("喜", customer.MaxNotesLen)
	require.NoError(t, c.SetNotes(notes))
	require.Equal(t, notes, c.Notes())
	require.NoError(t, c.SetNotes(""))
	require.Empty(t, c.Notes())
	tests := []struct {
		name, notes string
	}{
		{"overlong", strings.Repeat("x", customer.MaxNotesLen+1)},
		{"not UTF-8", "likes \xff tea"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := entNew(t)
			entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error { return c.SetNotes(tc.notes) }), "notes")
		})
	}
}

func TestSetConsent(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	grant := entChange("ticked the box")
	require.NoError(t, c.SetConsent(customer.EmailChannel, true, "web form", grant))
	require.True(t, c.MayContact(customer.EmailChannel))
	require.False(t, c.MayContact(customer.Fax))
	got, ok := c.Consent(customer.EmailChannel)
	require.True(t, ok)
	require.Equal(t, customer.Consent{Granted: true, At: entAt.UTC(), Source: "web form"}, got)
	entCheckHistory(t, c, entLastHistory(t, c), customer.HistoryConsent, "email:refused", "email:granted", grant)

	withdraw := customer.Change{Actor: "call.centre", At: entAt.Add(time.Hour), Reason: "asked to stop"}
	require.NoError(t, c.SetConsent(customer.EmailChannel, false, "phone call", withdraw))
	require.False(t, c.MayContact(customer.EmailChannel), "withdrawn consent forbids marketing")
	got, ok = c.Consent(customer.EmailChannel)
	require.True(t, ok)
	require.False(t, got.Granted)
	entCheckHistory(t, c, entLastHistory(t, c), customer.HistoryConsent, "email:granted", "email:refused", withdraw)
	require.Len(t, c.Consents(), 1)
	_, ok = c.Consent(customer.Letter)
	require.False(t, ok)

	tests := []struct {
		name    string
		channel customer.Channel
		source  string
		path    string
	}{
		{"zero channel", 0, "web form", "channel"},
		{"unknown channel", 9, "web form", "channel"},
		{"overlong source", customer.EmailChannel, strings.Repeat("s", customer.MaxSourceLen+1), "source"},
		{"source not UTF-8", customer.EmailChannel, "\xfe", "source"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := entNew(t)
			err := entRefuses(t, c, crm.ErrInvalid, func() error { return c.SetConsent(tc.channel, true, tc.source, entChange("")) })
			entPath(t, err, tc.path)
		})
	}
}

// entChangeOps are the methods that take a Change, each run with a valid
// target so that only the change can be wrong.
var entChangeOps = []struct {
	name string
	run  func(c *customer.Customer, ch customer.Change) error
}{
	{"MoveStage", func(c *customer.Customer, ch customer.Change) error { return c.MoveStage(customer.Established, "", ch) }},
	{"MoveLoyalty", func(c *customer.Customer, ch customer.Change) error { return c.MoveLoyalty(customer.Trust, ch) }},
	{"MoveLifecycle", func(c *customer.Customer, ch customer.Change) error { return c.MoveLifecycle(customer.AtRisk, ch) }},
	{"AssignOwner", func(c *customer.Customer, ch customer.Change) error { return c.AssignOwner("mgr.wang", ch) }},
	{"SetClass", func(c *customer.Customer, ch customer.Change) error { return c.SetClass(customer.PushHard, ch) }},
	{"SetKeyAccount", func(c *customer.Customer, ch customer.Change) error { return c.SetKeyAccount(true, ch) }},
	{"SetConsent", func(c *customer.Customer, ch customer.Change) error {
		return c.SetConsent(customer.EmailChannel, true, "web", ch)
	}},
	{"Erase", func(c *customer.Customer, ch customer.Change) error { _, err := c.Erase(ch); return err }},
}

func TestChangesRefuseBadChange(t *testing.T) {
	t.Parallel()
	bad := []struct {
		name string
		mod  func(*customer.Change)
		path string
	}{
		{"empty actor", func(ch *customer.Change) { ch.Actor = "" }, "change.actor"},
		{"overlong actor", func(ch *customer.Change) { ch.Actor = crm.UserID(strings.Repeat("a", crm.MaxUserIDLen+1)) }, "change.actor"},
		{"non-printable actor", func(ch *customer.Change) { ch.Actor = "al\x00ice" }, "change.actor"},
		{"zero time", func(ch *customer.Change) { ch.At = time.Time{} }, "change.at"},
		{"overlong reason", func(ch *customer.Change) { ch.Reason = strings.Repeat("理", customer.MaxReasonLen+1) }, "change.reason"},
		{"reason not UTF-8", func(ch *customer.Change) { ch.Reason = "because \xff" }, "change.reason"},
	}
	for _, op := range entChangeOps {
		for _, b := range bad {
			t.Run(op.name+"/"+b.name, func(t *testing.T) {
				t.Parallel()
				c := entNew(t)
				ch := entChange("a reason")
				b.mod(&ch)
				err := entRefuses(t, c, crm.ErrInvalid, func() error { return op.run(c, ch) })
				entPath(t, err, b.path)
			})
		}
	}
	t.Run("reason at the limit", func(t *testing.T) {
		t.Parallel()
		c := entNew(t)
		ch := entChange(strings.Repeat("理", customer.MaxReasonLen))
		require.NoError(t, c.MoveStage(customer.Established, "", ch))
		require.Equal(t, ch.Reason, entLastHistory(t, c).Reason)
	})
}

func TestMovesRefuseUnknownTargets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(c *customer.Customer) error
		path string
	}{
		{"zero stage", func(c *customer.Customer) error { return c.MoveStage(0, "", entChange("")) }, "stage"},
		{"unknown stage", func(c *customer.Customer) error { return c.MoveStage(6, "C-1", entChange("")) }, "stage"},
		{"zero loyalty", func(c *customer.Customer) error { return c.MoveLoyalty(0, entChange("")) }, "loyalty"},
		{"unknown loyalty", func(c *customer.Customer) error { return c.MoveLoyalty(7, entChange("")) }, "loyalty"},
		{"zero lifecycle", func(c *customer.Customer) error { return c.MoveLifecycle(0, entChange("")) }, "lifecycle"},
		{"unknown lifecycle", func(c *customer.Customer) error { return c.MoveLifecycle(5, entChange("")) }, "lifecycle"},
		{"zero class", func(c *customer.Customer) error { return c.SetClass(0, entChange("")) }, "class"},
		{"unknown class", func(c *customer.Customer) error { return c.SetClass(7, entChange("")) }, "class"},
		{"overlong contract", func(c *customer.Customer) error {
			return c.MoveStage(customer.Mature, strings.Repeat("c", customer.MaxNameLen+1), entChange(""))
		}, "contract"},
		{"contract not UTF-8", func(c *customer.Customer) error { return c.MoveStage(customer.Mature, "HT-\xff", entChange("")) }, "contract"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := entNew(t, func(in *customer.NewInput) { in.Stage = customer.Growth })
			err := entRefuses(t, c, crm.ErrInvalid, func() error { return tc.run(c) })
			require.NotErrorIs(t, err, crm.ErrInvalidTransition, "unknown values are bad input, not refused transitions")
			entPath(t, err, tc.path)
		})
	}
}

func TestAssignOwner(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	ch := entChange("Zhang moved to the Beijing office")
	require.NoError(t, c.AssignOwner("mgr.wang", ch))
	require.Equal(t, crm.UserID("mgr.wang"), c.Owner())
	entCheckHistory(t, c, entLastHistory(t, c), customer.HistoryOwner, "mgr.zhang", "mgr.wang", ch)
	entCheckEvent(t, c, entLastEvent(t, c), customer.EventOwnerChanged, ch, customer.OwnerChanged{From: "mgr.zhang", To: "mgr.wang"})

	tests := []struct {
		name   string
		to     crm.UserID
		reason string
		path   string
	}{
		{"same owner", "mgr.zhang", "no change", "owner"},
		{"no reason", "mgr.wang", "", "change.reason"},
		{"blank reason", "mgr.wang", "  \t", "change.reason"},
		{"empty owner", "", "reason", "owner"},
		{"overlong owner", crm.UserID(strings.Repeat("m", crm.MaxUserIDLen+1)), "reason", "owner"},
		{"non-printable owner", "mgr\nwang", "reason", "owner"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := entNew(t)
			err := entRefuses(t, c, crm.ErrInvalid, func() error { return c.AssignOwner(tc.to, entChange(tc.reason)) })
			entPath(t, err, tc.path)
		})
	}
}

func TestSetClass(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	ch := entChange("rules revised")
	require.NoError(t, c.SetClass(customer.PushHard, ch))
	require.Equal(t, customer.PushHard, c.Class())
	entCheckHistory(t, c, entLastHistory(t, c), customer.HistoryClass, "unclassified", "push_hard", ch)
	entCheckEvent(t, c, entLastEvent(t, c), customer.EventClassChanged, ch, customer.ClassChanged{From: customer.Unclassified, To: customer.PushHard})

	hist, events := c.PendingHistory(), c.Events()
	require.NoError(t, c.SetClass(customer.PushHard, ch), "setting the current class does nothing")
	require.Equal(t, hist, c.PendingHistory())
	require.Equal(t, events, c.Events())
}

func TestSetKeyAccount(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	on := entChange("top 20% by profit")
	require.NoError(t, c.SetKeyAccount(true, on))
	require.True(t, c.KeyAccount())
	entCheckHistory(t, c, entLastHistory(t, c), customer.HistoryKeyAccount, "false", "true", on)

	hist := c.PendingHistory()
	require.NoError(t, c.SetKeyAccount(true, on), "setting the current flag does nothing")
	require.Equal(t, hist, c.PendingHistory())

	off := entChange("volume dropped")
	require.NoError(t, c.SetKeyAccount(false, off))
	require.False(t, c.KeyAccount())
	entCheckHistory(t, c, entLastHistory(t, c), customer.HistoryKeyAccount, "true", "false", off)
}

func TestHistorySequenceAndSave(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	require.NoError(t, c.MoveStage(customer.Established, "", entChange("visited")))
	require.NoError(t, c.MoveLoyalty(customer.Trust, customer.Change{Actor: "bob", At: entAt.Add(time.Minute)}))
	require.NoError(t, c.MoveLifecycle(customer.AtRisk, entChange("no orders")))
	require.NoError(t, c.AssignOwner("mgr.wang", entChange("handover")))
	require.NoError(t, c.SetClass(customer.Stable, entChange("")))
	require.NoError(t, c.SetKeyAccount(true, entChange("")))
	require.NoError(t, c.SetConsent(customer.Web, true, "portal", entChange("")))

	hist := c.PendingHistory()
	wantKinds := []customer.HistoryKind{
		customer.HistoryCreated, customer.HistoryStage, customer.HistoryLoyalty, customer.HistoryLifecycle,
		customer.HistoryOwner, customer.HistoryClass, customer.HistoryKeyAccount, customer.HistoryConsent,
	}
	require.Len(t, hist, len(wantKinds))
	for i, h := range hist {
		require.Equal(t, wantKinds[i], h.Kind)
		require.Equal(t, int64(i+1), h.Seq, "sequence numbers count from 1 without gaps")
		require.Equal(t, time.UTC, h.At.Location())
	}
	require.Equal(t, crm.UserID("bob"), hist[2].Actor)

	events := c.Events()
	wantTypes := []string{
		customer.EventCreated, customer.EventStageChanged, customer.EventLoyaltyChanged,
		customer.EventLifecycleChanged, customer.EventOwnerChanged, customer.EventClassChanged,
	}
	require.Len(t, events, len(wantTypes))
	for i, e := range events {
		require.Equal(t, wantTypes[i], e.Type)
	}
	require.Equal(t, customer.LoyaltyChanged{From: customer.Awareness, To: customer.Trust}, events[2].Data)
	require.Equal(t, customer.LifecycleChanged{From: customer.Active, To: customer.AtRisk}, events[3].Data)

	customer.SavedForTest(c, 3)
	require.Equal(t, int64(3), c.Version())
	require.Empty(t, c.PendingHistory(), "Saved forgets the pending history")
	for _, e := range c.Events() {
		require.Equal(t, int64(3), e.Version, "events carry the customer's version")
	}
	require.NoError(t, c.MoveStage(customer.Evaluation, "", entChange("")))
	require.Len(t, c.PendingHistory(), 1)
	require.Equal(t, int64(len(wantKinds)+1), c.PendingHistory()[0].Seq, "numbering continues after a save")
}

func TestTouch(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	later := entAt.Add(time.Hour)
	customer.TouchForTest(c, later)
	require.True(t, later.Equal(c.UpdatedAt()))
	require.Equal(t, time.UTC, c.UpdatedAt().Location())
	customer.TouchForTest(c, entAt.Add(-time.Hour))
	require.True(t, later.Equal(c.UpdatedAt()), "the time of the last change never goes back")
}

func TestCompareHistory(t *testing.T) {
	t.Parallel()
	base := customer.HistoryEntry{OriginID: entID(2), Seq: 5, At: entAt}
	tests := []struct {
		name string
		a, b customer.HistoryEntry
		want int
	}{
		{"equal", base, base, 0},
		{"earlier first", base, customer.HistoryEntry{OriginID: entID(1), Seq: 1, At: entAt.Add(time.Second)}, -1},
		{"same time, origin decides", base, customer.HistoryEntry{OriginID: entID(3), Seq: 1, At: entAt}, -1},
		{"same time and origin, sequence decides", base, customer.HistoryEntry{OriginID: entID(2), Seq: 4, At: entAt}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, customer.CompareHistory(tc.a, tc.b))
			require.Equal(t, -tc.want, customer.CompareHistory(tc.b, tc.a))
		})
	}
}

func TestInteractionValidate(t *testing.T) {
	t.Parallel()
	valid := func() customer.Interaction {
		return customer.Interaction{
			ID: entID(10), Tenant: "acme", CustomerID: entID(1), Channel: customer.PhoneCall,
			Direction: customer.Outbound, Actor: "mgr.zhang", At: entAt, Summary: "called about the repair",
			Outcome: "visit agreed", NextStep: "visit", NextStepDue: entAt.Add(48 * time.Hour),
		}
	}
	require.NoError(t, valid().Validate())
	tests := []struct {
		name string
		mod  func(*customer.Interaction)
		path string
	}{
		{"zero id", func(in *customer.Interaction) { in.ID = crm.NilID }, "id"},
		{"bad tenant", func(in *customer.Interaction) { in.Tenant = "" }, "tenant"},
		{"zero customer", func(in *customer.Interaction) { in.CustomerID = crm.NilID }, "customer_id"},
		{"unknown channel", func(in *customer.Interaction) { in.Channel = 0 }, "channel"},
		{"unknown direction", func(in *customer.Interaction) { in.Direction = 3 }, "direction"},
		{"empty actor", func(in *customer.Interaction) { in.Actor = "" }, "actor"},
		{"zero time", func(in *customer.Interaction) { in.At = time.Time{} }, "at"},
		{"empty summary", func(in *customer.Interaction) { in.Summary = "" }, "summary"},
		{"overlong summary", func(in *customer.Interaction) { in.Summary = strings.Repeat("s", customer.MaxSummaryLen+1) }, "summary"},
		{"summary not UTF-8", func(in *customer.Interaction) { in.Summary = "\xff" }, "summary"},
		{"overlong outcome", func(in *customer.Interaction) { in.Outcome = strings.Repeat("o", customer.MaxOutcomeLen+1) }, "outcome"},
		{"overlong next step", func(in *customer.Interaction) { in.NextStep = strings.Repeat("n", customer.MaxOutcomeLen+1) }, "next_step"},
		{"due without next step", func(in *customer.Interaction) { in.NextStep = "" }, "next_step"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := valid()
			tc.mod(&in)
			err := in.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			entPath(t, err, tc.path)
		})
	}
}

func TestCompareInteractionsNewestFirst(t *testing.T) {
	t.Parallel()
	older := customer.Interaction{ID: entID(9), At: entAt}
	newer := customer.Interaction{ID: entID(1), At: entAt.Add(time.Minute)}
	tie := customer.Interaction{ID: entID(2), At: entAt}
	require.Negative(t, customer.CompareInteractions(newer, older))
	require.Positive(t, customer.CompareInteractions(older, newer))
	require.Negative(t, customer.CompareInteractions(older, tie), "ties: higher ID first")
	require.Zero(t, customer.CompareInteractions(tie, tie))
}

func TestQueryMatches(t *testing.T) {
	t.Parallel()
	c := entNew(t, func(in *customer.NewInput) { in.Stage = customer.Evaluation })
	require.NoError(t, c.AddTag("VIP"))
	require.NoError(t, c.SetClass(customer.PushHard, entChange("")))
	require.NoError(t, c.SetKeyAccount(true, entChange("")))
	yes, no := true, false
	seg := func(field, value string) *customer.Segment {
		return &customer.Segment{Conditions: []customer.Condition{{Field: field, Op: customer.OpEq, Value: value}}}
	}
	tests := []struct {
		name string
		q    customer.Query
		want bool
	}{
		{"zero query", customer.Query{}, true},
		{"owner", customer.Query{Owner: "mgr.zhang"}, true},
		{"other owner", customer.Query{Owner: "mgr.wang"}, false},
		{"stage", customer.Query{Stage: customer.Evaluation}, true},
		{"other stage", customer.Query{Stage: customer.Growth}, false},
		{"loyalty", customer.Query{Loyalty: customer.Awareness}, true},
		{"other loyalty", customer.Query{Loyalty: customer.Trust}, false},
		{"lifecycle", customer.Query{Lifecycle: customer.Active}, true},
		{"other lifecycle", customer.Query{Lifecycle: customer.Churned}, false},
		{"class", customer.Query{Class: customer.PushHard}, true},
		{"other class", customer.Query{Class: customer.Stable}, false},
		{"role held", customer.Query{Role: customer.Owner}, true},
		{"role not held", customer.Query{Role: customer.Dealer}, false},
		{"kind", customer.Query{Kind: customer.Person}, true},
		{"other kind", customer.Query{Kind: customer.Organization}, false},
		{"tag any case", customer.Query{Tag: "Vip"}, true},
		{"tag not carried", customer.Query{Tag: "golf"}, false},
		{"key account", customer.Query{KeyAccount: &yes}, true},
		{"not key account", customer.Query{KeyAccount: &no}, false},
		{"text in name", customer.Query{Text: "WEI"}, true},
		{"text in e-mail", customer.Query{Text: "wei@EXAMPLE"}, true},
		{"text in phone digits", customer.Query{Text: "138-0013"}, true},
		{"text nowhere", customer.Query{Text: "zhao"}, false},
		{"segment matching", customer.Query{Segment: seg("tag", "vip")}, true},
		{"segment not matching", customer.Query{Segment: seg("tag", "golf")}, false},
		{"all filters together", customer.Query{Owner: "mgr.zhang", Stage: customer.Evaluation, Tag: "vip", Text: "li"}, true},
		{"one filter failing", customer.Query{Owner: "mgr.zhang", Stage: customer.Growth}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tc.q.Validate())
			require.Equal(t, tc.want, tc.q.Matches(c))
		})
	}
	t.Run("tombstones", func(t *testing.T) {
		t.Parallel()
		s, l := entNew(t), entNew(t, func(in *customer.NewInput) { in.ID = entID(2) })
		_, err := customer.Merge(s, l, customer.Survivorship{}, entChange(""))
		require.NoError(t, err)
		require.False(t, customer.Query{}.Matches(l), "tombstones are left out")
		require.True(t, customer.Query{IncludeTombstones: true}.Matches(l))
		require.True(t, customer.Query{}.Matches(s))
	})
}

func TestQueryValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		q    customer.Query
		path string
	}{
		{"bad owner", customer.Query{Owner: "a\x00"}, "owner"},
		{"unknown stage", customer.Query{Stage: 9}, "stage"},
		{"unknown loyalty", customer.Query{Loyalty: 9}, "loyalty"},
		{"unknown lifecycle", customer.Query{Lifecycle: 9}, "lifecycle"},
		{"unknown class", customer.Query{Class: 9}, "class"},
		{"unknown role", customer.Query{Role: 9}, "role"},
		{"unknown kind", customer.Query{Kind: 9}, "kind"},
		{"overlong tag", customer.Query{Tag: strings.Repeat("t", customer.MaxKeyLen+1)}, "tag"},
		{"overlong text", customer.Query{Text: strings.Repeat("t", customer.MaxQueryTextLen+1)}, "text"},
		{"invalid segment", customer.Query{Segment: &customer.Segment{Conditions: []customer.Condition{{Field: "nope", Op: customer.OpEq}}}}, "segment.conditions[0].field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.q.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			entPath(t, err, tc.path)
		})
	}
}

func TestMatchesTextBlank(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	require.True(t, customer.MatchesText(c, "  "), "blank text matches everyone")
	require.False(t, customer.MatchesText(c, "%"), "text is literal, not a wildcard")
}

func TestVisitQuery(t *testing.T) {
	t.Parallel()
	v := customer.Visit{ID: entID(5), CustomerID: entID(1), Salesperson: "mgr.zhang", Status: customer.VisitPlanned, PlannedAt: entAt}
	tests := []struct {
		name string
		q    customer.VisitQuery
		want bool
	}{
		{"zero query", customer.VisitQuery{}, true},
		{"salesperson", customer.VisitQuery{Salesperson: "mgr.zhang"}, true},
		{"other salesperson", customer.VisitQuery{Salesperson: "mgr.wang"}, false},
		{"customer", customer.VisitQuery{CustomerID: entID(1)}, true},
		{"other customer", customer.VisitQuery{CustomerID: entID(2)}, false},
		{"status", customer.VisitQuery{Status: customer.VisitPlanned}, true},
		{"other status", customer.VisitQuery{Status: customer.VisitDone}, false},
		{"from is inclusive", customer.VisitQuery{From: entAt}, true},
		{"after from", customer.VisitQuery{From: entAt.Add(time.Second)}, false},
		{"to is exclusive", customer.VisitQuery{To: entAt}, false},
		{"before to", customer.VisitQuery{To: entAt.Add(time.Second)}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tc.q.Validate())
			require.Equal(t, tc.want, tc.q.Matches(v))
		})
	}
	bad := []struct {
		name string
		q    customer.VisitQuery
		path string
	}{
		{"bad salesperson", customer.VisitQuery{Salesperson: "\x00"}, "salesperson"},
		{"unknown status", customer.VisitQuery{Status: 9}, "status"},
		{"to before from", customer.VisitQuery{From: entAt, To: entAt.Add(-time.Hour)}, "to"},
		{"empty range", customer.VisitQuery{From: entAt, To: entAt}, "to"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.q.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			entPath(t, err, tc.path)
		})
	}
	a := customer.Visit{ID: entID(2), PlannedAt: entAt}
	b := customer.Visit{ID: entID(1), PlannedAt: entAt.Add(time.Minute)}
	c := customer.Visit{ID: entID(3), PlannedAt: entAt}
	require.Negative(t, customer.CompareVisits(a, b), "earlier first")
	require.Negative(t, customer.CompareVisits(a, c), "ties: lower ID first")
	require.Zero(t, customer.CompareVisits(a, a))
}

func TestMergedErrorUnwraps(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("wrapped: %w", &customer.MergedError{ID: entID(2), Into: entID(1)})
	require.ErrorIs(t, err, crm.ErrMerged)
	var me *customer.MergedError
	require.True(t, errors.As(err, &me))
	require.Equal(t, entID(1), me.Into)
	require.Contains(t, me.Error(), entID(1).String())
}
