package customer_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// Clone shares the customer's state copy-on-write. These tests prove that
// no change to either side ever shows in the other, for every method that
// changes a customer.

// cowMutation is one change a test applies to a customer.
type cowMutation struct {
	name string
	do   func(t testing.TB, c *customer.Customer) error
}

// cowOther returns a second full customer of the same tenant, for merges.
func cowOther(t testing.TB) *customer.Customer {
	t.Helper()
	c := entNew(t, func(in *customer.NewInput) {
		in.ID = entID(2)
		in.Name = "Wei Li"
		in.Roles = []customer.Role{customer.Merchant}
		in.Emails = []customer.Email{entEmail(t, "wei.li@example.org")}
		in.Phones = []customer.Phone{entPhone(t, "+86 139 0013 9000")}
		in.Addresses = []customer.Address{entAddress(t, "CN", "9 Nanjing Road")}
	})
	require.NoError(t, c.SetDate("anniversary", customer.Date{Year: 2001, Month: time.June, Day: 1}))
	require.NoError(t, c.SetDate("birthday", customer.Date{Year: 1979, Month: time.May, Day: 5}))
	require.NoError(t, c.SetPreference("food", "spicy"))
	require.NoError(t, c.SetAttribute("vip_no", "88"))
	require.NoError(t, c.AddTag("tennis"))
	require.NoError(t, c.SetConsent(customer.EmailChannel, true, "web form", entChange("")))
	return c
}

// cowMutations lists every method that changes a customer, each applied in
// a way that succeeds on entFullCustomer.
func cowMutations() []cowMutation {
	ch := customer.Change{Actor: "bob", At: entAt.Add(time.Hour), Reason: "test"}
	return []cowMutation{
		{"Rename", func(_ testing.TB, c *customer.Customer) error { return c.Rename("Wang Fang") }},
		{"SetKind", func(_ testing.TB, c *customer.Customer) error { return c.SetKind(customer.Organization) }},
		{"SetRoles", func(_ testing.TB, c *customer.Customer) error { return c.SetRoles(customer.Dealer) }},
		{"AddRole", func(_ testing.TB, c *customer.Customer) error { return c.AddRole(customer.Visitor) }},
		{"RemoveRole", func(_ testing.TB, c *customer.Customer) error { return c.RemoveRole(customer.Owner) }},
		{"SetContacts", func(t testing.TB, c *customer.Customer) error {
			return c.SetContacts([]customer.Email{entEmail(t, "new@example.com")}, nil, []customer.Address{entAddress(t, "HK", "2 Queen's Road")})
		}},
		{"AddEmail", func(t testing.TB, c *customer.Customer) error { return c.AddEmail(entEmail(t, "second@example.com")) }},
		{"AddPhone", func(t testing.TB, c *customer.Customer) error { return c.AddPhone(entPhone(t, "+44 20 7946 0000")) }},
		{"SetDate/New", func(_ testing.TB, c *customer.Customer) error {
			return c.SetDate("wedding", customer.Date{Year: 2010, Month: time.October, Day: 10})
		}},
		{"SetDate/Replace", func(_ testing.TB, c *customer.Customer) error {
			return c.SetDate("birthday", customer.Date{Year: 1981, Month: time.January, Day: 2})
		}},
		{"RemoveDate", func(_ testing.TB, c *customer.Customer) error { return c.RemoveDate("birthday") }},
		{"SetTimeZone", func(_ testing.TB, c *customer.Customer) error { return c.SetTimeZone("Europe/London") }},
		{"SetPreference/New", func(_ testing.TB, c *customer.Customer) error { return c.SetPreference("seat", "aisle") }},
		{"SetPreference/Replace", func(_ testing.TB, c *customer.Customer) error { return c.SetPreference("drink", "coffee") }},
		{"SetPreference/Remove", func(_ testing.TB, c *customer.Customer) error { return c.SetPreference("drink", "") }},
		{"SetAttribute/New", func(_ testing.TB, c *customer.Customer) error { return c.SetAttribute("floor", "12") }},
		{"SetAttribute/Remove", func(_ testing.TB, c *customer.Customer) error { return c.SetAttribute("id_card", "") }},
		{"AddTag/Before", func(_ testing.TB, c *customer.Customer) error { return c.AddTag("art") }},
		{"AddTag/After", func(_ testing.TB, c *customer.Customer) error { return c.AddTag("zen") }},
		{"RemoveTag", func(_ testing.TB, c *customer.Customer) error { return c.RemoveTag("golf") }},
		{"SetNotes", func(_ testing.TB, c *customer.Customer) error { return c.SetNotes("prefers evenings") }},
		{"SetConsent/Existing", func(_ testing.TB, c *customer.Customer) error {
			return c.SetConsent(customer.MobileMessage, false, "phone call", ch)
		}},
		{"SetConsent/New", func(_ testing.TB, c *customer.Customer) error {
			return c.SetConsent(customer.Letter, true, "signed form", ch)
		}},
		{"MoveStage", func(_ testing.TB, c *customer.Customer) error { return c.MoveStage(customer.Mature, "C-2025-7", ch) }},
		{"MoveLoyalty", func(_ testing.TB, c *customer.Customer) error { return c.MoveLoyalty(customer.Trust, ch) }},
		{"MoveLifecycle", func(_ testing.TB, c *customer.Customer) error { return c.MoveLifecycle(customer.AtRisk, ch) }},
		{"AssignOwner", func(_ testing.TB, c *customer.Customer) error { return c.AssignOwner("mgr.wang", ch) }},
		{"SetClass", func(_ testing.TB, c *customer.Customer) error { return c.SetClass(customer.PushHard, ch) }},
		{"SetKeyAccount", func(_ testing.TB, c *customer.Customer) error { return c.SetKeyAccount(false, ch) }},
		{"Touch", func(_ testing.TB, c *customer.Customer) error {
			customer.TouchForTest(c, entAt.Add(48*time.Hour))
			return nil
		}},
		{"Saved", func(_ testing.TB, c *customer.Customer) error { customer.SavedForTest(c, c.Version()+7); return nil }},
		{"Erase", func(_ testing.TB, c *customer.Customer) error { _, err := c.Erase(ch); return err }},
		{"Merge/AsSurvivor", func(t testing.TB, c *customer.Customer) error {
			_, err := customer.Merge(c, cowOther(t), customer.Survivorship{MapPick: customer.KeepLoser}, ch)
			return err
		}},
		{"Merge/AsLoser", func(t testing.TB, c *customer.Customer) error {
			_, err := customer.Merge(cowOther(t), c, customer.Survivorship{}, ch)
			return err
		}},
	}
}

// cowState is everything a change may touch, in comparable form.
type cowState struct {
	record  customer.Record
	history []customer.HistoryEntry
	events  []crm.Event
}

func cowStateOf(c *customer.Customer) cowState {
	return cowState{record: c.Record(), history: c.PendingHistory(), events: c.Events()}
}

// cowFull returns a fully populated customer that was stored once (it has a
// version and no pending history), as a store holds it.
func cowFull(t testing.TB) *customer.Customer {
	t.Helper()
	c := entFullCustomer(t)
	customer.SavedForTest(c, 3)
	return c
}

func TestCloneIsolatesEveryChange(t *testing.T) {
	t.Parallel()
	for _, m := range cowMutations() {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			for _, dir := range []string{"MutateClone", "MutateOriginal"} {
				orig := cowFull(t)
				clone := orig.Clone()
				changed, kept := clone, orig
				if dir == "MutateOriginal" {
					changed, kept = orig, clone
				}
				keptBefore, changedBefore := cowStateOf(kept), cowStateOf(changed)
				require.Equal(t, keptBefore.record, changedBefore.record, "%s: a clone starts equal", dir)

				require.NoError(t, m.do(t, changed), dir)

				require.NotEqual(t, changedBefore, cowStateOf(changed), "%s: the change must show on the changed side", dir)
				require.Equal(t, keptBefore, cowStateOf(kept), "%s: the change must not show on the other side", dir)
			}
		})
	}
}

// TestCloneSiblingsAreIsolated clones one customer twice and changes both
// copies in place in different ways: neither sees the other's change, and
// the source sees none.
func TestCloneSiblingsAreIsolated(t *testing.T) {
	t.Parallel()
	src := cowFull(t)
	before := src.Record()
	a, b := src.Clone(), src.Clone()

	require.NoError(t, a.AddTag("alpha"))
	require.NoError(t, b.AddTag("beta"))
	require.NoError(t, a.SetPreference("drink", "water"))
	require.NoError(t, b.SetDate("birthday", customer.Date{Year: 1990, Month: time.March, Day: 3}))
	require.NoError(t, a.SetConsent(customer.Fax, true, "fax", entChange("")))

	require.Equal(t, []string{"alpha", "golf"}, a.Tags())
	require.Equal(t, []string{"beta", "golf"}, b.Tags())
	require.Equal(t, "tea", b.Preferences()["drink"])
	require.Equal(t, before.Dates, a.Dates())
	_, ok := b.Consent(customer.Fax)
	require.False(t, ok)
	require.Equal(t, before, src.Record())

	// A clone of a changed clone is isolated in turn.
	c := a.Clone()
	require.NoError(t, c.RemoveTag("alpha"))
	require.Equal(t, []string{"alpha", "golf"}, a.Tags())
	require.Equal(t, []string{"golf"}, c.Tags())
}

// TestCloneKeepsPendingHistoryApart proves that the pending history and the
// events are per customer: a change recorded on one side never appears on
// the other, and Saved on one side leaves the other's history and version.
func TestCloneKeepsPendingHistoryApart(t *testing.T) {
	t.Parallel()
	c := entFullCustomer(t)
	hist := c.PendingHistory()
	require.NotEmpty(t, hist)
	d := c.Clone()
	require.Equal(t, hist, d.PendingHistory(), "a clone carries the pending history")
	events := c.Events()
	require.Equal(t, events, d.Events(), "a clone carries the events")

	require.NoError(t, d.MoveLoyalty(customer.Trust, entChange("")))
	require.Len(t, d.PendingHistory(), len(hist)+1)
	require.Len(t, d.Events(), len(events)+1)
	require.Equal(t, hist, c.PendingHistory())
	require.Equal(t, events, c.Events(), "an event recorded on the clone shows in the original")

	customer.SavedForTest(d, 9)
	require.Empty(t, d.PendingHistory())
	require.Empty(t, d.Events(), "Saved forgets the pending events with the pending history")
	require.Equal(t, hist, c.PendingHistory())
	require.Equal(t, events, c.Events())
	require.Equal(t, int64(0), c.Version())
	require.Equal(t, int64(9), d.Version())
}

// TestCloneConcurrently clones one stored customer from many goroutines at
// once, as a store's readers do, and changes every copy with every method.
// Under -race it proves that cloning a stored copy writes nothing shared.
func TestCloneConcurrently(t *testing.T) {
	t.Parallel()
	stored := cowFull(t).Clone() // a store keeps a clone
	before := stored.Record()
	mutations := cowMutations()
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(mutations))
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range mutations {
				m := mutations[(i+g)%len(mutations)]
				c := stored.Clone()
				_ = c.Tags() // read while others clone
				if err := m.do(t, c); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, before, stored.Record())
}

// TestRecordSharesNothingWithClones proves that a Record taken from a clone
// can be changed freely without reaching the clone or its source.
func TestRecordSharesNothingWithClones(t *testing.T) {
	t.Parallel()
	src := cowFull(t)
	before := src.Record()
	c := src.Clone()
	r := c.Record()
	r.Tags[0] = "changed"
	r.Dates["birthday"] = customer.Date{Year: 2000, Month: time.January, Day: 1}
	r.Prefs["drink"] = "milk"
	r.Roles[0] = customer.Partner
	r.Addresses[0].Lines[0] = "changed"
	require.Equal(t, before, src.Record())
	require.Equal(t, before, c.Record())

	back, err := customer.FromRecord(before)
	require.NoError(t, err)
	require.NoError(t, back.AddTag("new"))
	require.Equal(t, before, src.Record())
}
