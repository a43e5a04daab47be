package customer_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// entMergePair returns a survivor (ID 1) and a loser (ID 2) of one tenant
// whose values differ field by field, with overlapping contact points.
func entMergePair(t testing.TB) (survivor, loser *customer.Customer) {
	t.Helper()
	s := entNew(t, func(in *customer.NewInput) {
		in.Stage, in.Loyalty = customer.Evaluation, customer.Trust
	})
	require.NoError(t, s.AddTag("vip"))
	require.NoError(t, s.SetPreference("drink", "tea"))
	require.NoError(t, s.SetPreference("floor", "low"))
	require.NoError(t, s.SetDate("birthday", customer.Date{Month: time.March, Day: 14}))
	require.NoError(t, s.SetConsent(customer.EmailChannel, true, "web form", entChange("")))
	require.NoError(t, s.SetConsent(customer.Letter, true, "contract", customer.Change{Actor: "alice", At: entAt.Add(3 * time.Hour)}))

	l := entNew(t, func(in *customer.NewInput) {
		in.ID = entID(2)
		in.Kind = customer.Person
		in.Name = "Wei Li"
		in.Roles = []customer.Role{customer.Dealer}
		in.Owner = "mgr.wang"
		in.Emails = []customer.Email{entEmail(t, "LI.WEI@example.com"), entEmail(t, "wei@work.example.com")}
		in.Phones = []customer.Phone{entPhone(t, "+8613800138000"), entPhone(t, "+44 20 7946 0958")}
		in.Addresses = []customer.Address{entAddress(t, "CN", "1 renmin road"), entAddress(t, "CN", "9 Nanjing Road")}
		in.TimeZone = "Europe/London"
		in.Stage, in.Loyalty, in.Lifecycle = customer.Growth, customer.Awareness, customer.AtRisk
	})
	later := customer.Change{Actor: "bob", At: entAt.Add(time.Hour)}
	require.NoError(t, l.AddTag("golf"))
	require.NoError(t, l.AddTag("VIP"))
	require.NoError(t, l.SetPreference("drink", "coffee"))
	require.NoError(t, l.SetPreference("music", "jazz"))
	require.NoError(t, l.SetDate("birthday", customer.Date{Year: 1990, Month: time.March, Day: 14}))
	require.NoError(t, l.SetDate("anniversary", customer.Date{Year: 2015, Month: time.June, Day: 1}))
	require.NoError(t, l.SetAttribute("source", "trade fair"))
	require.NoError(t, l.SetNotes("likes golf"))
	require.NoError(t, l.SetClass(customer.PushHard, later))
	require.NoError(t, l.SetKeyAccount(true, later))
	require.NoError(t, l.SetConsent(customer.EmailChannel, false, "phone call", later))
	require.NoError(t, l.SetConsent(customer.Fax, true, "fax form", later))
	require.NoError(t, l.SetConsent(customer.Letter, false, "letter", later))
	return s, l
}

func entDecision(t testing.TB, res customer.MergeResult, field string) customer.MergeDecision {
	t.Helper()
	for _, d := range res.Decisions {
		if d.Field == field {
			return d
		}
	}
	require.Failf(t, "no decision", "field %q not in %v", field, res.Decisions)
	return customer.MergeDecision{}
}

func TestMergeDefaults(t *testing.T) {
	t.Parallel()
	s, l := entMergePair(t)
	sEvents := s.Events()
	lHist := l.PendingHistory()
	ch := entChange("same person, two records")
	res, err := customer.Merge(s, l, customer.Survivorship{}, ch)
	require.NoError(t, err)
	require.Equal(t, entID(1), res.Survivor)
	require.Equal(t, entID(2), res.Loser)

	// Identity stays the survivor's.
	require.Equal(t, entID(1), s.ID())
	require.Equal(t, crm.TenantID("acme"), s.Tenant())
	require.False(t, s.IsTombstone())

	// Single values: survivor first, the loser's only where the survivor has none.
	require.Equal(t, "Li Wei", s.Name())
	require.Equal(t, entDec("survivor", "Li Wei"), entDecisionOf(entDecision(t, res, "name")))
	require.Equal(t, "likes golf", s.Notes(), "the survivor had no notes")
	require.Equal(t, "loser", entDecision(t, res, "notes").From)
	require.Equal(t, "Asia/Shanghai", s.TimeZone())
	require.Equal(t, crm.UserID("mgr.zhang"), s.Owner())
	require.Equal(t, entDec("survivor", "mgr.zhang"), entDecisionOf(entDecision(t, res, "owner")))
	require.Equal(t, customer.Active, s.Lifecycle())
	require.Equal(t, entDec("survivor", "active"), entDecisionOf(entDecision(t, res, "lifecycle")))
	require.Equal(t, customer.PushHard, s.Class(), "an unclassified survivor has no class")
	require.Equal(t, entDec("loser", "push_hard"), entDecisionOf(entDecision(t, res, "class")))

	// Stage and loyalty: the most advanced.
	require.Equal(t, customer.Growth, s.Stage())
	require.Equal(t, entDec("loser", "growth"), entDecisionOf(entDecision(t, res, "stage")))
	require.Equal(t, customer.Trust, s.Loyalty())
	require.Equal(t, entDec("survivor", "trust"), entDecisionOf(entDecision(t, res, "loyalty")))

	// The key-account flag survives if either side has it.
	require.True(t, s.KeyAccount())
	require.Equal(t, entDec("loser", "true"), entDecisionOf(entDecision(t, res, "key_account")))

	// Lists are united, survivor's entries first, duplicates dropped.
	require.Equal(t, []customer.Role{customer.EndCustomer, customer.Dealer, customer.Owner}, s.Roles())
	require.Equal(t, []string{"li.wei@example.com", "wei@work.example.com"}, entStrings(s.Emails()))
	require.Equal(t, "both", entDecision(t, res, "emails").From)
	require.Equal(t, []string{"+8613800138000", "+442079460958"}, entStrings(s.Phones()))
	require.Len(t, s.Addresses(), 2)
	require.Equal(t, "1 Renmin Road", s.Addresses()[0].Lines[0])
	require.Equal(t, "9 Nanjing Road", s.Addresses()[1].Lines[0])
	require.Equal(t, []string{"golf", "vip"}, s.Tags())

	// Maps are united; on a shared key the survivor's value wins.
	require.Equal(t, map[string]string{"drink": "tea", "floor": "low", "music": "jazz"}, s.Preferences())
	require.Equal(t, map[string]string{"source": "trade fair"}, s.Attributes())
	require.Equal(t, map[string]customer.Date{
		"birthday":    {Month: time.March, Day: 14},
		"anniversary": {Year: 2015, Month: time.June, Day: 1},
	}, s.Dates())

	// Consents: the most recent decision per channel.
	email, _ := s.Consent(customer.EmailChannel)
	require.False(t, email.Granted, "the loser's later refusal wins")
	require.Equal(t, "phone call", email.Source)
	require.True(t, s.MayContact(customer.Fax))
	require.True(t, s.MayContact(customer.Letter), "the survivor's later grant wins")
	require.Equal(t, entDec("loser", "false"), entDecisionOf(entDecision(t, res, "consent.email")))

	// History and events.
	entCheckHistory(t, s, entLastHistory(t, s), customer.HistoryMerged, entID(2).String(), entID(1).String(), ch)
	events := s.Events()
	require.Equal(t, sEvents, events[:len(sEvents)], "earlier events are kept")
	// The class and stage taken from the loser are changes like any other.
	require.Len(t, events, len(sEvents)+3)
	entCheckEvent(t, s, events[len(sEvents)], customer.EventClassChanged, ch, customer.ClassChanged{From: customer.Unclassified, To: customer.PushHard})
	entCheckEvent(t, s, events[len(sEvents)+1], customer.EventStageChanged, ch, customer.StageChanged{From: customer.Evaluation, To: customer.Growth})
	entCheckEvent(t, s, events[len(events)-1], customer.EventMerged, ch, customer.Merged{Survivor: entID(1), Loser: entID(2)})

	// The loser is a tombstone pointing to the survivor, its data kept.
	require.True(t, l.IsTombstone())
	require.Equal(t, entID(1), l.MergedInto())
	require.Equal(t, "Wei Li", l.Name())
	lh := l.PendingHistory()
	require.Equal(t, lHist, lh[:len(lHist)])
	last := lh[len(lh)-1]
	require.Equal(t, customer.HistoryMerged, last.Kind)
	require.Equal(t, entID(2), last.OriginID)
	require.Equal(t, entID(2).String(), last.From)
	require.Equal(t, entID(1).String(), last.To)
	require.Equal(t, lHist[len(lHist)-1].Seq+1, last.Seq)
}

// entDecisionOf drops the field name of d for compact comparisons.
func entDecisionOf(d customer.MergeDecision) customer.MergeDecision {
	return entDec(d.From, d.Value)
}

// entDec returns a decision without a field name.
func entDec(from, value string) customer.MergeDecision {
	return customer.MergeDecision{From: from, Value: value}
}

func entStrings[T fmt.Stringer](in []T) []string {
	out := make([]string, len(in))
	for i, x := range in {
		out[i] = x.String()
	}
	return out
}

func TestMergeDecisionsAreDeterministic(t *testing.T) {
	t.Parallel()
	for range 10 {
		s := entNew(t)
		l := entNew(t, func(in *customer.NewInput) { in.ID = entID(2) })
		for _, chn := range []customer.Channel{customer.MobileMessage, customer.Fax, customer.EmailChannel, customer.PhoneCall, customer.Web} {
			require.NoError(t, l.SetConsent(chn, true, "form", entChange("")))
		}
		res, err := customer.Merge(s, l, customer.Survivorship{}, entChange(""))
		require.NoError(t, err)
		var consents []string
		for _, d := range res.Decisions {
			if strings.HasPrefix(d.Field, "consent.") {
				consents = append(consents, d.Field)
			}
		}
		require.Equal(t, []string{"consent.phone", "consent.email", "consent.fax", "consent.web", "consent.mobile_message"}, consents,
			"consent decisions come in channel order")
	}
}

func TestMergePicks(t *testing.T) {
	t.Parallel()
	type state struct {
		name, notes, zone string
		owner             crm.UserID
		lifecycle         customer.Lifecycle
		class             customer.Class
		stage             customer.Stage
		loyalty           customer.Loyalty
		drink             string
		birthday          customer.Date
	}
	get := func(c *customer.Customer) state {
		b, _ := c.Date("birthday")
		return state{
			name: c.Name(), notes: c.Notes(), zone: c.TimeZone(), owner: c.Owner(), lifecycle: c.Lifecycle(),
			class: c.Class(), stage: c.Stage(), loyalty: c.Loyalty(), drink: c.Preferences()["drink"], birthday: b,
		}
	}
	survivorWins := state{
		name: "Li Wei", notes: "likes golf", zone: "Asia/Shanghai", owner: "mgr.zhang", lifecycle: customer.Active,
		class: customer.PushHard, stage: customer.Growth, loyalty: customer.Trust, drink: "tea",
		birthday: customer.Date{Month: time.March, Day: 14},
	}
	tests := []struct {
		name        string
		rules       customer.Survivorship
		loserNewer  bool
		prepare     func(t testing.TB, s, l *customer.Customer)
		want        func(*state)
		wantOwnerCh bool
	}{
		{name: "defaults", want: func(*state) {}},
		{name: "name from loser", rules: customer.Survivorship{Name: customer.KeepLoser}, want: func(s *state) { s.name = "Wei Li" }},
		{name: "name from newest, loser newer", rules: customer.Survivorship{Name: customer.KeepNewest}, loserNewer: true,
			want: func(s *state) { s.name = "Wei Li" }},
		{name: "name from newest, survivor newer", rules: customer.Survivorship{Name: customer.KeepNewest}, want: func(*state) {}},
		{name: "notes kept from survivor", rules: customer.Survivorship{Notes: customer.KeepSurvivor},
			prepare: func(t testing.TB, s, _ *customer.Customer) { require.NoError(t, s.SetNotes("quiet")) },
			want:    func(s *state) { s.notes = "quiet" }},
		{name: "notes from loser", rules: customer.Survivorship{Notes: customer.KeepLoser},
			prepare: func(t testing.TB, s, _ *customer.Customer) { require.NoError(t, s.SetNotes("quiet")) },
			want:    func(*state) {}},
		{name: "notes from loser that has none", rules: customer.Survivorship{Notes: customer.KeepLoser},
			prepare: func(t testing.TB, s, l *customer.Customer) {
				require.NoError(t, s.SetNotes("quiet"))
				require.NoError(t, l.SetNotes(""))
			},
			want: func(s *state) { s.notes = "quiet" }},
		{name: "time zone from survivor that has none", rules: customer.Survivorship{TimeZone: customer.KeepSurvivor},
			prepare: func(t testing.TB, s, _ *customer.Customer) { require.NoError(t, s.SetTimeZone("")) },
			want:    func(s *state) { s.zone = "Europe/London" }},
		{name: "time zone from loser", rules: customer.Survivorship{TimeZone: customer.KeepLoser},
			want: func(s *state) { s.zone = "Europe/London" }},
		{name: "owner from loser", rules: customer.Survivorship{Owner: customer.KeepLoser},
			want: func(s *state) { s.owner = "mgr.wang" }, wantOwnerCh: true},
		{name: "owner from newest, loser newer", rules: customer.Survivorship{Owner: customer.KeepNewest}, loserNewer: true,
			want: func(s *state) { s.owner = "mgr.wang" }, wantOwnerCh: true},
		{name: "owner from newest, survivor newer", rules: customer.Survivorship{Owner: customer.KeepNewest}, want: func(*state) {}},
		{name: "lifecycle from loser", rules: customer.Survivorship{Lifecycle: customer.KeepLoser},
			want: func(s *state) { s.lifecycle = customer.AtRisk }},
		{name: "class kept from a classified survivor", rules: customer.Survivorship{Class: customer.KeepSurvivor},
			prepare: func(t testing.TB, s, _ *customer.Customer) {
				require.NoError(t, s.SetClass(customer.Stable, entChange("")))
			},
			want: func(s *state) { s.class = customer.Stable }},
		{name: "class from loser", rules: customer.Survivorship{Class: customer.KeepLoser},
			prepare: func(t testing.TB, s, _ *customer.Customer) {
				require.NoError(t, s.SetClass(customer.Stable, entChange("")))
			},
			want: func(*state) {}},
		{name: "stage from survivor", rules: customer.Survivorship{Stage: customer.KeepSurvivor},
			want: func(s *state) { s.stage = customer.Evaluation }},
		{name: "stage from loser", rules: customer.Survivorship{Stage: customer.KeepLoser}, want: func(*state) {}},
		{name: "stage most advanced is the survivor's", rules: customer.Survivorship{Stage: customer.KeepMostAdvanced},
			prepare: func(t testing.TB, s, _ *customer.Customer) {
				require.NoError(t, s.MoveStage(customer.Growth, "", entChange("")))
				require.NoError(t, s.MoveStage(customer.Mature, "HT-1", entChange("")))
			},
			want: func(s *state) { s.stage = customer.Mature }},
		{name: "stage from newest, survivor newer", rules: customer.Survivorship{Stage: customer.KeepNewest},
			want: func(s *state) { s.stage = customer.Evaluation }},
		{name: "loyalty from loser", rules: customer.Survivorship{Loyalty: customer.KeepLoser},
			want: func(s *state) { s.loyalty = customer.Awareness }},
		{name: "loyalty from newest, loser newer", rules: customer.Survivorship{Loyalty: customer.KeepNewest}, loserNewer: true,
			want: func(s *state) { s.loyalty = customer.Awareness }},
		{name: "maps prefer the loser", rules: customer.Survivorship{MapPick: customer.KeepLoser},
			want: func(s *state) { s.drink, s.birthday = "coffee", customer.Date{Year: 1990, Month: time.March, Day: 14} }},
		{name: "maps prefer the newest, loser newer", rules: customer.Survivorship{MapPick: customer.KeepNewest}, loserNewer: true,
			want: func(s *state) { s.drink, s.birthday = "coffee", customer.Date{Year: 1990, Month: time.March, Day: 14} }},
		{name: "maps prefer the newest, survivor newer", rules: customer.Survivorship{MapPick: customer.KeepNewest}, want: func(*state) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, l := entMergePair(t)
			if tc.prepare != nil {
				tc.prepare(t, s, l)
			}
			if tc.loserNewer {
				customer.TouchForTest(l, entAt.Add(24*time.Hour))
			} else {
				customer.TouchForTest(s, entAt.Add(24*time.Hour))
			}
			want := survivorWins
			tc.want(&want)
			sHist := len(s.PendingHistory())
			before := []string{string(s.Owner()), s.Lifecycle().String(), s.Class().String(), s.Stage().String(), s.Loyalty().String()}
			ch := entChange("merge")
			_, err := customer.Merge(s, l, tc.rules, ch)
			require.NoError(t, err)
			require.Equal(t, want, get(s))

			// Every field with a history of its own that the merge changed
			// is recorded, in this order, before the merge itself.
			after := []string{string(s.Owner()), s.Lifecycle().String(), s.Class().String(), s.Stage().String(), s.Loyalty().String()}
			kinds := []customer.HistoryKind{customer.HistoryOwner, customer.HistoryLifecycle, customer.HistoryClass, customer.HistoryStage, customer.HistoryLoyalty}
			var wantHist []string
			for i := range kinds {
				if before[i] != after[i] {
					wantHist = append(wantHist, kinds[i].String()+":"+before[i]+"->"+after[i])
				}
			}
			added := s.PendingHistory()[sHist:]
			var gotHist []string
			for _, e := range added[:len(added)-1] {
				gotHist = append(gotHist, e.Kind.String()+":"+e.From+"->"+e.To)
			}
			require.Equal(t, wantHist, gotHist)
			if tc.wantOwnerCh {
				entCheckHistory(t, s, added[0], customer.HistoryOwner, "mgr.zhang", "mgr.wang", ch)
			}
			require.Equal(t, customer.HistoryMerged, added[len(added)-1].Kind)
		})
	}
}

func TestMergeRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(t testing.TB, s, l *customer.Customer) (survivor, loser *customer.Customer)
		rules   customer.Survivorship
		ch      func(*customer.Change)
		want    error
		path    string
	}{
		{name: "self", want: crm.ErrInvalid, path: "loser",
			prepare: func(_ testing.TB, s, _ *customer.Customer) (*customer.Customer, *customer.Customer) { return s, s }},
		{name: "copy of self", want: crm.ErrInvalid, path: "loser",
			prepare: func(_ testing.TB, s, _ *customer.Customer) (*customer.Customer, *customer.Customer) {
				return s, s.Clone()
			}},
		{name: "other tenant", want: crm.ErrNotFound,
			prepare: func(t testing.TB, s, _ *customer.Customer) (*customer.Customer, *customer.Customer) {
				return s, entNew(t, func(in *customer.NewInput) { in.ID, in.Tenant = entID(3), "globex" })
			}},
		{name: "other tenant with the same ID", want: crm.ErrNotFound,
			prepare: func(t testing.TB, s, _ *customer.Customer) (*customer.Customer, *customer.Customer) {
				return s, entNew(t, func(in *customer.NewInput) { in.Tenant = "globex" })
			}},
		{name: "survivor is a tombstone", want: crm.ErrMerged,
			prepare: func(t testing.TB, s, l *customer.Customer) (*customer.Customer, *customer.Customer) {
				other := entNew(t, func(in *customer.NewInput) { in.ID = entID(3) })
				_, err := customer.Merge(other, s, customer.Survivorship{}, entChange(""))
				require.NoError(t, err)
				return s, l
			}},
		{name: "loser is a tombstone", want: crm.ErrMerged,
			prepare: func(t testing.TB, s, l *customer.Customer) (*customer.Customer, *customer.Customer) {
				other := entNew(t, func(in *customer.NewInput) { in.ID = entID(3) })
				_, err := customer.Merge(other, l, customer.Survivorship{}, entChange(""))
				require.NoError(t, err)
				return s, l
			}},
		{name: "survivor erased", want: crm.ErrErased,
			prepare: func(t testing.TB, s, l *customer.Customer) (*customer.Customer, *customer.Customer) {
				_, err := s.Erase(entChange("request"))
				require.NoError(t, err)
				return s, l
			}},
		{name: "loser erased", want: crm.ErrErased,
			prepare: func(t testing.TB, s, l *customer.Customer) (*customer.Customer, *customer.Customer) {
				_, err := l.Erase(entChange("request"))
				require.NoError(t, err)
				return s, l
			}},
		{name: "unknown pick", rules: customer.Survivorship{Name: 9}, want: crm.ErrInvalid, path: "rules.name"},
		{name: "most advanced owner", rules: customer.Survivorship{Owner: customer.KeepMostAdvanced}, want: crm.ErrInvalid, path: "rules.owner"},
		{name: "change without actor", ch: func(ch *customer.Change) { ch.Actor = "" }, want: crm.ErrInvalid, path: "change.actor"},
		{name: "change without time", ch: func(ch *customer.Change) { ch.At = time.Time{} }, want: crm.ErrInvalid, path: "change.at"},
		{name: "change with overlong reason", ch: func(ch *customer.Change) { ch.Reason = strings.Repeat("r", customer.MaxReasonLen+1) },
			want: crm.ErrInvalid, path: "change.reason"},
		{name: "too many e-mails after merge", want: crm.ErrInvalid, path: "emails",
			prepare: func(t testing.TB, s, l *customer.Customer) (*customer.Customer, *customer.Customer) {
				var a, b []customer.Email
				for i := range customer.MaxContacts / 2 {
					a = append(a, entEmail(t, fmt.Sprintf("s%d@example.com", i)))
					b = append(b, entEmail(t, fmt.Sprintf("l%d@example.com", i)))
				}
				b = append(b, entEmail(t, "one.more@example.com"))
				require.NoError(t, s.SetContacts(a, nil, nil))
				require.NoError(t, l.SetContacts(b, nil, nil))
				return s, l
			}},
		{name: "too many phones after merge", want: crm.ErrInvalid, path: "phones",
			prepare: func(t testing.TB, s, l *customer.Customer) (*customer.Customer, *customer.Customer) {
				var a, b []customer.Phone
				for i := range customer.MaxContacts/2 + 1 {
					a = append(a, entPhone(t, fmt.Sprintf("+44 20 7946 %04d", i)))
					b = append(b, entPhone(t, fmt.Sprintf("+44 20 7946 %04d", 100+i)))
				}
				require.NoError(t, s.SetContacts(nil, a, nil))
				require.NoError(t, l.SetContacts(nil, b, nil))
				return s, l
			}},
		{name: "too many addresses after merge", want: crm.ErrInvalid, path: "addresses",
			prepare: func(t testing.TB, s, l *customer.Customer) (*customer.Customer, *customer.Customer) {
				var a, b []customer.Address
				for i := range customer.MaxContacts/2 + 1 {
					a = append(a, entAddress(t, "CN", fmt.Sprintf("%d Renmin Road", i+1)))
					b = append(b, entAddress(t, "CN", fmt.Sprintf("%d Nanjing Road", i+1)))
				}
				require.NoError(t, s.SetContacts(nil, nil, a))
				require.NoError(t, l.SetContacts(nil, nil, b))
				return s, l
			}},
		{name: "too many tags after merge", want: crm.ErrInvalid, path: "tags",
			prepare: func(t testing.TB, s, l *customer.Customer) (*customer.Customer, *customer.Customer) {
				for i := range customer.MaxTags/2 + 1 {
					require.NoError(t, s.AddTag(fmt.Sprintf("s%d", i)))
					require.NoError(t, l.AddTag(fmt.Sprintf("l%d", i)))
				}
				return s, l
			}},
		{name: "too many preferences after merge", want: crm.ErrInvalid, path: "preferences",
			prepare: func(t testing.TB, s, l *customer.Customer) (*customer.Customer, *customer.Customer) {
				for i := range customer.MaxMapEntries/2 + 1 {
					require.NoError(t, s.SetPreference(fmt.Sprintf("s%d", i), "v"))
					require.NoError(t, l.SetPreference(fmt.Sprintf("l%d", i), "v"))
				}
				return s, l
			}},
		{name: "too many attributes after merge", want: crm.ErrInvalid, path: "attributes",
			prepare: func(t testing.TB, s, l *customer.Customer) (*customer.Customer, *customer.Customer) {
				for i := range customer.MaxMapEntries/2 + 1 {
					require.NoError(t, s.SetAttribute(fmt.Sprintf("s%d", i), "v"))
					require.NoError(t, l.SetAttribute(fmt.Sprintf("l%d", i), "v"))
				}
				return s, l
			}},
		{name: "too many dates after merge", want: crm.ErrInvalid, path: "dates",
			prepare: func(t testing.TB, s, l *customer.Customer) (*customer.Customer, *customer.Customer) {
				d := customer.Date{Month: 1, Day: 1}
				for i := range customer.MaxMapEntries/2 + 1 {
					require.NoError(t, s.SetDate(fmt.Sprintf("s%d", i), d))
					require.NoError(t, l.SetDate(fmt.Sprintf("l%d", i), d))
				}
				return s, l
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, l := entMergePair(t)
			if tc.prepare != nil {
				s, l = tc.prepare(t, s, l)
			}
			ch := entChange("merge")
			if tc.ch != nil {
				tc.ch(&ch)
			}
			lBefore, lHist, lEvents := l.Record(), l.PendingHistory(), l.Events()
			var res customer.MergeResult
			err := entRefuses(t, s, tc.want, func() error {
				var err error
				res, err = customer.Merge(s, l, tc.rules, ch)
				return err
			})
			require.Equal(t, customer.MergeResult{}, res)
			require.Equal(t, lBefore, l.Record(), "the loser changed")
			require.Equal(t, lHist, l.PendingHistory())
			require.Equal(t, lEvents, l.Events())
			if tc.path != "" {
				entPath(t, err, tc.path)
			}
		})
	}
	t.Run("nil customers", func(t *testing.T) {
		t.Parallel()
		c := entNew(t)
		entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error {
			_, err := customer.Merge(c, nil, customer.Survivorship{}, entChange(""))
			return err
		}), "customers")
		entPath(t, entRefuses(t, c, crm.ErrInvalid, func() error {
			_, err := customer.Merge(nil, c, customer.Survivorship{}, entChange(""))
			return err
		}), "customers")
		_, err := customer.Merge(nil, nil, customer.Survivorship{}, entChange(""))
		require.ErrorIs(t, err, crm.ErrInvalid)
	})
}

func TestTombstoneRefusesEveryChange(t *testing.T) {
	t.Parallel()
	ops := []struct {
		name string
		run  func(t testing.TB, c *customer.Customer) error
	}{
		{"Rename", func(_ testing.TB, c *customer.Customer) error { return c.Rename("New Name") }},
		{"SetKind", func(_ testing.TB, c *customer.Customer) error { return c.SetKind(customer.Organization) }},
		{"SetRoles", func(_ testing.TB, c *customer.Customer) error { return c.SetRoles(customer.Partner) }},
		{"AddRole", func(_ testing.TB, c *customer.Customer) error { return c.AddRole(customer.Partner) }},
		{"RemoveRole", func(_ testing.TB, c *customer.Customer) error { return c.RemoveRole(customer.Dealer) }},
		{"SetContacts", func(_ testing.TB, c *customer.Customer) error { return c.SetContacts(nil, nil, nil) }},
		{"AddEmail", func(t testing.TB, c *customer.Customer) error { return c.AddEmail(entEmail(t, "new@example.com")) }},
		{"AddPhone", func(t testing.TB, c *customer.Customer) error { return c.AddPhone(entPhone(t, "+33 1 23 45 67 89")) }},
		{"SetDate", func(_ testing.TB, c *customer.Customer) error {
			return c.SetDate("birthday", customer.Date{Month: 1, Day: 2})
		}},
		{"RemoveDate", func(_ testing.TB, c *customer.Customer) error { return c.RemoveDate("birthday") }},
		{"SetTimeZone", func(_ testing.TB, c *customer.Customer) error { return c.SetTimeZone("Europe/Paris") }},
		{"SetPreference", func(_ testing.TB, c *customer.Customer) error { return c.SetPreference("drink", "water") }},
		{"SetAttribute", func(_ testing.TB, c *customer.Customer) error { return c.SetAttribute("source", "web") }},
		{"AddTag", func(_ testing.TB, c *customer.Customer) error { return c.AddTag("new") }},
		{"RemoveTag", func(_ testing.TB, c *customer.Customer) error { return c.RemoveTag("golf") }},
		{"SetNotes", func(_ testing.TB, c *customer.Customer) error { return c.SetNotes("new notes") }},
		{"SetConsent", func(_ testing.TB, c *customer.Customer) error {
			return c.SetConsent(customer.Web, true, "portal", entChange(""))
		}},
		{"MoveStage", func(_ testing.TB, c *customer.Customer) error {
			return c.MoveStage(customer.Evaluation, "", entChange(""))
		}},
		{"MoveLoyalty", func(_ testing.TB, c *customer.Customer) error { return c.MoveLoyalty(customer.Trust, entChange("")) }},
		{"MoveLifecycle", func(_ testing.TB, c *customer.Customer) error { return c.MoveLifecycle(customer.Active, entChange("")) }},
		{"AssignOwner", func(_ testing.TB, c *customer.Customer) error { return c.AssignOwner("mgr.li", entChange("handover")) }},
		{"SetClass", func(_ testing.TB, c *customer.Customer) error { return c.SetClass(customer.Stable, entChange("")) }},
		{"SetKeyAccount", func(_ testing.TB, c *customer.Customer) error { return c.SetKeyAccount(false, entChange("")) }},
		{"Erase", func(_ testing.TB, c *customer.Customer) error { _, err := c.Erase(entChange("")); return err }},
		{"Merge as survivor", func(t testing.TB, c *customer.Customer) error {
			_, err := customer.Merge(c, entNew(t, func(in *customer.NewInput) { in.ID = entID(7) }), customer.Survivorship{}, entChange(""))
			return err
		}},
		{"Merge as loser", func(t testing.TB, c *customer.Customer) error {
			_, err := customer.Merge(entNew(t, func(in *customer.NewInput) { in.ID = entID(7) }), c, customer.Survivorship{}, entChange(""))
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			s, l := entMergePair(t)
			_, err := customer.Merge(s, l, customer.Survivorship{}, entChange(""))
			require.NoError(t, err)
			err = entRefuses(t, l, crm.ErrMerged, func() error { return op.run(t, l) })
			var me *customer.MergedError
			require.ErrorAs(t, err, &me)
			require.Equal(t, entID(2), me.ID)
			require.Equal(t, entID(1), me.Into)
		})
	}
}

func TestSurvivorshipValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, customer.Survivorship{}.Validate())
	require.NoError(t, customer.Survivorship{
		Name: customer.KeepLoser, Notes: customer.KeepNewest, TimeZone: customer.KeepSurvivor, Owner: customer.KeepNewest,
		Lifecycle: customer.KeepLoser, Class: customer.KeepNewest, Stage: customer.KeepMostAdvanced,
		Loyalty: customer.KeepMostAdvanced, MapPick: customer.KeepLoser,
	}.Validate())
	tests := []struct {
		name string
		s    customer.Survivorship
		path string
	}{
		{"unknown name pick", customer.Survivorship{Name: 5}, "name"},
		{"unknown notes pick", customer.Survivorship{Notes: 255}, "notes"},
		{"unknown stage pick", customer.Survivorship{Stage: 5}, "stage"},
		{"unknown loyalty pick", customer.Survivorship{Loyalty: 9}, "loyalty"},
		{"unknown map pick", customer.Survivorship{MapPick: 6}, "map_pick"},
		{"most advanced name", customer.Survivorship{Name: customer.KeepMostAdvanced}, "name"},
		{"most advanced notes", customer.Survivorship{Notes: customer.KeepMostAdvanced}, "notes"},
		{"most advanced time zone", customer.Survivorship{TimeZone: customer.KeepMostAdvanced}, "time_zone"},
		{"most advanced owner", customer.Survivorship{Owner: customer.KeepMostAdvanced}, "owner"},
		{"most advanced lifecycle", customer.Survivorship{Lifecycle: customer.KeepMostAdvanced}, "lifecycle"},
		{"most advanced class", customer.Survivorship{Class: customer.KeepMostAdvanced}, "class"},
		{"most advanced maps", customer.Survivorship{MapPick: customer.KeepMostAdvanced}, "map_pick"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.s.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			entPath(t, err, tc.path)
		})
	}
}
