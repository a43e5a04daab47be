package customer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// entFullCustomer returns a customer holding every kind of personal data.
func entFullCustomer(t testing.TB) *customer.Customer {
	t.Helper()
	c := entNew(t, func(in *customer.NewInput) { in.Stage = customer.Growth })
	require.NoError(t, c.SetDate("birthday", customer.Date{Year: 1980, Month: time.May, Day: 4}))
	require.NoError(t, c.SetPreference("drink", "tea"))
	require.NoError(t, c.SetAttribute("id_card", "310101198005040000"))
	require.NoError(t, c.AddTag("golf"))
	require.NoError(t, c.SetNotes("talkative, prefers mornings"))
	require.NoError(t, c.SetConsent(customer.MobileMessage, true, "app", entChange("")))
	require.NoError(t, c.SetClass(customer.Stable, entChange("")))
	require.NoError(t, c.SetKeyAccount(true, entChange("")))
	return c
}

func TestErase(t *testing.T) {
	t.Parallel()
	c := entFullCustomer(t)
	before := c.Record()
	histBefore := c.PendingHistory()
	ch := customer.Change{Actor: "dpo", At: entAt.Add(time.Hour), Reason: "erasure request #42"}
	rep, err := c.Erase(ch)
	require.NoError(t, err)

	require.Equal(t, c.ID(), rep.CustomerID)
	require.True(t, ch.At.Equal(rep.ErasedAt))
	require.Equal(t, time.UTC, rep.ErasedAt.Location())
	require.ElementsMatch(t, []string{
		"name", "emails", "phones", "addresses", "dates", "time_zone", "preferences",
		"attributes", "tags", "notes", "consents",
	}, rep.Fields)
	require.Zero(t, rep.Interactions, "interactions are the service's part")

	// Personal data is gone.
	require.True(t, c.IsErased())
	require.True(t, ch.At.Equal(c.ErasedAt()))
	require.Equal(t, "[erased]", c.Name())
	require.Empty(t, c.Emails())
	require.Empty(t, c.Phones())
	require.Empty(t, c.Addresses())
	require.Empty(t, c.Dates())
	require.Empty(t, c.TimeZone())
	require.Empty(t, c.Preferences())
	require.Empty(t, c.Attributes())
	require.Empty(t, c.Tags())
	require.Empty(t, c.Notes())
	require.Empty(t, c.Consents())
	for _, chn := range customer.Channels() {
		require.False(t, c.MayContact(chn), "no marketing after erasure on %s", chn)
	}

	// What reports need stays.
	require.Equal(t, before.ID, c.ID())
	require.Equal(t, before.Tenant, c.Tenant())
	require.Equal(t, before.Kind, c.Kind())
	require.Equal(t, before.Roles, c.Roles())
	require.Equal(t, before.Stage, c.Stage())
	require.Equal(t, before.Loyalty, c.Loyalty())
	require.Equal(t, before.Lifecycle, c.Lifecycle())
	require.Equal(t, before.Class, c.Class())
	require.Equal(t, before.KeyAccount, c.KeyAccount())
	require.Equal(t, before.Owner, c.Owner())
	require.Equal(t, before.CreatedAt, c.CreatedAt())

	// History is kept and the erasure recorded.
	hist := c.PendingHistory()
	require.Equal(t, histBefore, hist[:len(histBefore)])
	require.Len(t, hist, len(histBefore)+1)
	last := hist[len(hist)-1]
	require.Equal(t, customer.HistoryErased, last.Kind)
	require.Equal(t, histBefore[len(histBefore)-1].Seq+1, last.Seq)
	require.Equal(t, ch.Actor, last.Actor)
	require.Equal(t, ch.Reason, last.Reason)
	require.Equal(t, time.UTC, last.At.Location())

	// The event names the erased fields, never their values.
	e := entLastEvent(t, c)
	require.Equal(t, customer.EventErased, e.Type)
	require.Equal(t, c.ID(), e.AggregateID)
	require.Equal(t, "dpo", e.Actor)
	data, ok := e.Data.(customer.Erased)
	require.True(t, ok, "data is %T", e.Data)
	require.ElementsMatch(t, rep.Fields, data.Fields)
	for _, f := range data.Fields {
		for _, secret := range []string{"Li Wei", "li.wei@example.com", "tea", "310101198005040000", "talkative"} {
			require.NotContains(t, f, secret)
		}
	}

	// The erased customer still round-trips through its persisted form.
	back, err := customer.FromRecord(c.Record())
	require.NoError(t, err)
	require.Equal(t, c.Record(), back.Record())
	require.True(t, back.IsErased())
}

func TestEraseReportsOnlyFieldsThatHeldData(t *testing.T) {
	t.Parallel()
	c := entNew(t, func(in *customer.NewInput) {
		in.Emails, in.Phones, in.Addresses, in.TimeZone = nil, nil, nil, ""
	})
	rep, err := c.Erase(entChange(""))
	require.NoError(t, err)
	require.Equal(t, []string{"name"}, rep.Fields)
}

func TestEraseRefusals(t *testing.T) {
	t.Parallel()
	t.Run("twice", func(t *testing.T) {
		t.Parallel()
		c := entFullCustomer(t)
		_, err := c.Erase(entChange("request"))
		require.NoError(t, err)
		var rep customer.ErasureReport
		_ = entRefuses(t, c, crm.ErrErased, func() error {
			var err error
			rep, err = c.Erase(entChange("again"))
			return err
		})
		require.Equal(t, customer.ErasureReport{}, rep)
	})
	t.Run("tombstone", func(t *testing.T) {
		t.Parallel()
		s, l := entMergePair(t)
		_, err := customer.Merge(s, l, customer.Survivorship{}, entChange(""))
		require.NoError(t, err)
		_ = entRefuses(t, l, crm.ErrMerged, func() error { _, err := l.Erase(entChange("")); return err })
	})
	t.Run("bad change", func(t *testing.T) {
		t.Parallel()
		c := entFullCustomer(t)
		err := entRefuses(t, c, crm.ErrInvalid, func() error {
			_, err := c.Erase(customer.Change{Actor: "dpo", Reason: strings.Repeat("r", customer.MaxReasonLen+1)})
			return err
		})
		entPath(t, err, "change.at")
		entPath(t, err, "change.reason")
	})
}

func TestErasedRefusesPersonalData(t *testing.T) {
	t.Parallel()
	ops := []struct {
		name string
		run  func(t testing.TB, c *customer.Customer) error
	}{
		{"Rename", func(_ testing.TB, c *customer.Customer) error { return c.Rename("Li Wei") }},
		{"SetContacts", func(t testing.TB, c *customer.Customer) error {
			return c.SetContacts([]customer.Email{entEmail(t, "li.wei@example.com")}, nil, nil)
		}},
		{"AddEmail", func(t testing.TB, c *customer.Customer) error { return c.AddEmail(entEmail(t, "li.wei@example.com")) }},
		{"AddPhone", func(t testing.TB, c *customer.Customer) error { return c.AddPhone(entPhone(t, "+86 138 0013 8000")) }},
		{"SetDate", func(_ testing.TB, c *customer.Customer) error {
			return c.SetDate("birthday", customer.Date{Month: 5, Day: 4})
		}},
		{"RemoveDate", func(_ testing.TB, c *customer.Customer) error { return c.RemoveDate("birthday") }},
		{"SetTimeZone", func(_ testing.TB, c *customer.Customer) error { return c.SetTimeZone("Asia/Shanghai") }},
		{"SetPreference", func(_ testing.TB, c *customer.Customer) error { return c.SetPreference("drink", "tea") }},
		{"SetAttribute", func(_ testing.TB, c *customer.Customer) error { return c.SetAttribute("id_card", "x") }},
		{"AddTag", func(_ testing.TB, c *customer.Customer) error { return c.AddTag("golf") }},
		{"SetNotes", func(_ testing.TB, c *customer.Customer) error { return c.SetNotes("talkative") }},
		{"SetConsent", func(_ testing.TB, c *customer.Customer) error {
			return c.SetConsent(customer.MobileMessage, true, "app", entChange(""))
		}},
		{"Merge as survivor", func(t testing.TB, c *customer.Customer) error {
			_, err := customer.Merge(c, entNew(t, func(in *customer.NewInput) { in.ID = entID(8) }), customer.Survivorship{}, entChange(""))
			return err
		}},
		{"Merge as loser", func(t testing.TB, c *customer.Customer) error {
			_, err := customer.Merge(entNew(t, func(in *customer.NewInput) { in.ID = entID(8) }), c, customer.Survivorship{}, entChange(""))
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			c := entFullCustomer(t)
			_, err := c.Erase(entChange("request"))
			require.NoError(t, err)
			_ = entRefuses(t, c, crm.ErrErased, func() error { return op.run(t, c) })
		})
	}
}

func TestErasedKeepsWorkingForReports(t *testing.T) {
	t.Parallel()
	c := entFullCustomer(t)
	_, err := c.Erase(entChange("request"))
	require.NoError(t, err)
	require.NoError(t, c.MoveStage(customer.Evaluation, "", entChange("cooled")))
	require.NoError(t, c.MoveLoyalty(customer.Trust, entChange("")))
	require.NoError(t, c.MoveLifecycle(customer.Churned, entChange("left")))
	require.NoError(t, c.AssignOwner("mgr.wang", entChange("book rebalanced")))
	require.NoError(t, c.SetClass(customer.NotYetStable, entChange("")))
	require.NoError(t, c.SetKeyAccount(false, entChange("")))
	require.NoError(t, c.SetRoles(customer.EndCustomer))
	require.Equal(t, customer.Churned, c.Lifecycle())
	require.Equal(t, "[erased]", c.Name(), "still erased")
}
