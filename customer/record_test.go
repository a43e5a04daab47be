package customer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		make func(t testing.TB) *customer.Customer
	}{
		{"new", func(t testing.TB) *customer.Customer { return entNew(t) }},
		{"full", func(t testing.TB) *customer.Customer {
			c := entFullCustomer(t)
			customer.SavedForTest(c, 4)
			customer.TouchForTest(c, entAt.Add(time.Hour))
			return c
		}},
		{"minimal", func(t testing.TB) *customer.Customer {
			return entNew(t, func(in *customer.NewInput) { in.Emails, in.Phones, in.Addresses, in.TimeZone = nil, nil, nil, "" })
		}},
		{"erased", func(t testing.TB) *customer.Customer {
			c := entFullCustomer(t)
			_, err := c.Erase(entChange(""))
			require.NoError(t, err)
			return c
		}},
		{"tombstone", func(t testing.TB) *customer.Customer {
			s, l := entMergePair(t)
			_, err := customer.Merge(s, l, customer.Survivorship{}, entChange(""))
			require.NoError(t, err)
			return l
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tc.make(t)
			r := c.Record()
			back, err := customer.FromRecord(r)
			require.NoError(t, err)
			require.Equal(t, r, back.Record())
			require.Equal(t, c.ID(), back.ID())
			require.Equal(t, c.Version(), back.Version())
			require.Equal(t, c.Name(), back.Name())
			require.Equal(t, c.Tags(), back.Tags())
			require.Equal(t, c.Consents(), back.Consents())
			require.Equal(t, c.IsTombstone(), back.IsTombstone())
			require.Equal(t, c.MergedInto(), back.MergedInto())
			require.Equal(t, c.IsErased(), back.IsErased())
			require.Empty(t, back.PendingHistory(), "pending history is not part of the record")
			require.Empty(t, back.Events(), "events are not part of the record")
			require.Equal(t, r.IsErasedOrMerged(), c.IsErased() || c.IsTombstone())
		})
	}
}

func TestRecordKeepsHistorySequence(t *testing.T) {
	t.Parallel()
	c := entNew(t)
	require.NoError(t, c.MoveStage(customer.Established, "", entChange("")))
	r := c.Record()
	require.Equal(t, int64(2), r.HistorySeq)
	back, err := customer.FromRecord(r)
	require.NoError(t, err)
	require.NoError(t, back.MoveStage(customer.Evaluation, "", entChange("")))
	h := back.PendingHistory()
	require.Len(t, h, 1)
	require.Equal(t, int64(3), h[0].Seq, "numbering continues from the stored sequence")
}

func TestFromRecordNormalisesRoles(t *testing.T) {
	t.Parallel()
	r := entNew(t).Record()
	r.Roles = []customer.Role{customer.Visitor, customer.Dealer, customer.Visitor}
	c, err := customer.FromRecord(r)
	require.NoError(t, err)
	require.Equal(t, []customer.Role{customer.Dealer, customer.Visitor}, c.Roles())
	require.True(t, c.HasRole(customer.Visitor))
}

func TestFromRecordSkipsCreationOnlyRules(t *testing.T) {
	t.Parallel()
	r := entNew(t).Record()
	r.Name = strings.Repeat("n", customer.MaxNameLen+10) // written by an older version with a higher limit
	c, err := customer.FromRecord(r)
	require.NoError(t, err)
	require.Equal(t, r.Name, c.Name())
}

func TestFromRecordRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mod  func(*customer.Record)
		path string
	}{
		{"zero id", func(r *customer.Record) { r.ID = crm.NilID }, "id"},
		{"empty tenant", func(r *customer.Record) { r.Tenant = "" }, "tenant"},
		{"bad tenant", func(r *customer.Record) { r.Tenant = "a b" }, "tenant"},
		{"negative version", func(r *customer.Record) { r.Version = -1 }, "version"},
		{"unknown kind", func(r *customer.Record) { r.Kind = 0 }, "kind"},
		{"unknown stage", func(r *customer.Record) { r.Stage = 6 }, "stage"},
		{"zero stage", func(r *customer.Record) { r.Stage = 0 }, "stage"},
		{"unknown loyalty", func(r *customer.Record) { r.Loyalty = 7 }, "loyalty"},
		{"unknown lifecycle", func(r *customer.Record) { r.Lifecycle = 0 }, "lifecycle"},
		{"unknown class", func(r *customer.Record) { r.Class = 0 }, "class"},
		{"no owner", func(r *customer.Record) { r.Owner = "" }, "owner"},
		{"bad owner", func(r *customer.Record) { r.Owner = "\x00" }, "owner"},
		{"no roles", func(r *customer.Record) { r.Roles = nil }, "roles"},
		{"unknown role", func(r *customer.Record) { r.Roles = []customer.Role{customer.Dealer, 9} }, "roles[1]"},
		{"unknown consent channel", func(r *customer.Record) {
			r.Consents = map[customer.Channel]customer.Consent{0: {Granted: true, At: entAt}}
		}, "consents"},
		{"negative history sequence", func(r *customer.Record) { r.HistorySeq = -1 }, "history_seq"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := entNew(t).Record()
			tc.mod(&r)
			c, err := customer.FromRecord(r)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Nil(t, c)
			entPath(t, err, tc.path)
		})
	}
	t.Run("erased or merged records may lack roles", func(t *testing.T) {
		t.Parallel()
		r := entNew(t).Record()
		r.Roles, r.ErasedAt = nil, entAt
		_, err := customer.FromRecord(r)
		require.NoError(t, err)
		r = entNew(t).Record()
		r.Roles, r.MergedInto = nil, entID(9)
		_, err = customer.FromRecord(r)
		require.NoError(t, err)
	})
}

// entMutateRecord changes every reference-typed field of r in place.
func entMutateRecord(t testing.TB, r *customer.Record) {
	t.Helper()
	require.NotEmpty(t, r.Roles)
	require.NotEmpty(t, r.Emails)
	require.NotEmpty(t, r.Phones)
	require.NotEmpty(t, r.Addresses)
	require.NotEmpty(t, r.Tags)
	r.Roles[0] = customer.Partner
	r.Emails[0] = entEmail(t, "intruder@example.com")
	r.Phones[0] = entPhone(t, "+33 1 23 45 67 89")
	r.Addresses[0].Lines[0] = "intruder street"
	r.Tags[0] = "intruder"
	r.Dates["birthday"] = customer.Date{Year: 2000, Month: 1, Day: 1}
	r.Dates["new"] = customer.Date{Year: 2000, Month: 1, Day: 1}
	r.Prefs["drink"] = "whisky"
	r.Attrs["id_card"] = "changed"
	r.Consents[customer.MobileMessage] = customer.Consent{Granted: false}
	r.Consents[customer.Fax] = customer.Consent{Granted: true}
}

func TestRecordSharesNothing(t *testing.T) {
	t.Parallel()
	t.Run("Record", func(t *testing.T) {
		t.Parallel()
		c := entFullCustomer(t)
		want := c.Record()
		r := c.Record()
		entMutateRecord(t, &r)
		require.Equal(t, want, c.Record())
	})
	t.Run("FromRecord", func(t *testing.T) {
		t.Parallel()
		r := entFullCustomer(t).Record()
		c, err := customer.FromRecord(r)
		require.NoError(t, err)
		want := c.Record()
		entMutateRecord(t, &r)
		require.Equal(t, want, c.Record())
	})
}

func TestCloneIsolation(t *testing.T) {
	t.Parallel()
	c := entFullCustomer(t)
	customer.SavedForTest(c, 2)
	require.NoError(t, c.MoveStage(customer.Evaluation, "", entChange("")))
	want, wantHist, wantEvents := c.Record(), c.PendingHistory(), c.Events()

	d := c.Clone()
	require.Equal(t, want, d.Record(), "a clone holds the same stored state")
	require.Equal(t, wantHist, d.PendingHistory(), "a clone keeps the pending history")
	require.Equal(t, wantEvents, d.Events(), "a clone keeps the recorded events")

	// Change everything on the clone.
	require.NoError(t, d.Rename("Someone Else"))
	require.NoError(t, d.SetRoles(customer.Partner))
	require.NoError(t, d.SetContacts([]customer.Email{entEmail(t, "x@example.com")}, nil, nil))
	require.NoError(t, d.SetDate("birthday", customer.Date{Year: 2001, Month: 2, Day: 3}))
	require.NoError(t, d.SetPreference("drink", "whisky"))
	require.NoError(t, d.SetAttribute("id_card", "other"))
	require.NoError(t, d.AddTag("aaa"))
	require.NoError(t, d.SetConsent(customer.MobileMessage, false, "sms stop", entChange("")))
	require.NoError(t, d.MoveStage(customer.Growth, "", entChange("")))
	require.NoError(t, d.AssignOwner("mgr.wang", entChange("handover")))
	customer.SavedForTest(d, 9)
	require.Equal(t, want, c.Record(), "changing the clone changed the original")
	require.Equal(t, wantHist, c.PendingHistory())
	require.Equal(t, wantEvents, c.Events())

	// And the other way round.
	d = c.Clone()
	dWant := d.Record()
	require.NoError(t, c.SetPreference("drink", "coffee"))
	require.NoError(t, c.AddTag("zzz"))
	require.Equal(t, dWant, d.Record(), "changing the original changed the clone")
}

func TestGettersReturnCopies(t *testing.T) {
	t.Parallel()
	c := entFullCustomer(t)
	want, wantHist := c.Record(), c.PendingHistory()

	c.Roles()[0] = customer.Partner
	c.Emails()[0] = entEmail(t, "intruder@example.com")
	c.Phones()[0] = entPhone(t, "+33 1 23 45 67 89")
	c.Addresses()[0].Lines[0] = "intruder street"
	c.Tags()[0] = "intruder"
	c.Dates()["birthday"] = customer.Date{Year: 2000, Month: 1, Day: 1}
	c.Preferences()["drink"] = "whisky"
	c.Attributes()["id_card"] = "changed"
	c.Consents()[customer.Fax] = customer.Consent{Granted: true}
	c.PendingHistory()[0].Actor = "intruder"
	c.Events()[0].Type = "intruder"

	require.Equal(t, want, c.Record())
	require.Equal(t, wantHist, c.PendingHistory())
	require.Equal(t, customer.EventCreated, c.Events()[0].Type)
	require.False(t, c.MayContact(customer.Fax))
}

func TestAdoptRecord(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]*customer.Customer{"new": entNew(t), "full": entFullCustomer(t)} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := c.Record()
			r.Roles = append(r.Roles, r.Roles...) // unsorted, repeated: normalised like FromRecord
			r.Tags = append([]string{"zz"}, r.Tags...)
			want, err := customer.FromRecord(r)
			require.NoError(t, err)
			got, err := customer.AdoptRecordForTest(r) // FromRecord left r as it was
			require.NoError(t, err)
			require.Equal(t, want.Record(), got.Record())
		})
	}
	// It refuses what FromRecord refuses, with the same error.
	r := entNew(t).Record()
	r.Roles = []customer.Role{customer.Dealer, 9}
	_, want := customer.FromRecord(r)
	_, got := customer.AdoptRecordForTest(r)
	require.Error(t, got)
	require.Equal(t, want.Error(), got.Error())
	var ve *crm.ValidationError
	require.ErrorAs(t, got, &ve)
	require.True(t, ve.Has("roles[1]"))
}
