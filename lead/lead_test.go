package lead_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

func TestNewCapturesEverything(t *testing.T) {
	t.Parallel()
	l := newLead(t)
	require.Equal(t, lead.StageNew, l.Stage())
	require.Equal(t, "Wang Fang", l.Name())
	require.Equal(t, "zh-cn", l.Language())
	require.Equal(t, []string{"air conditioning", "maintenance"}, l.Topics())
	require.Len(t, l.Emails(), 1)
	require.Equal(t, "+8613800138000", l.Phones()[0].E164())
	require.False(t, l.NeedsReview())
	k, ok := l.Consent(customer.EmailChannel)
	require.True(t, ok)
	require.Equal(t, "web form checkbox", k.Source)
	require.Equal(t, t0, k.At, "a zero consent time is the capture time")
	require.True(t, l.MayContact(customer.EmailChannel))
	require.False(t, l.MayContact(customer.PhoneCall))
	require.Equal(t, []lead.Touch{{At: t0, Channel: customer.Web, Source: validInput().Source}}, l.Touches())
	require.Equal(t, t0, l.ReachedAt(lead.StageNew))
	h := l.PendingHistory()
	require.Len(t, h, 1)
	require.Equal(t, lead.HistoryCaptured, h[0].Kind)
	ev := l.Events()
	require.Len(t, ev, 1)
	require.Equal(t, lead.EventCaptured, ev[0].Type)
	require.Equal(t, lead.Captured{Source: validInput().Source, Channel: customer.Web}, ev[0].Data)
}

func TestUnparseableContactsAreKeptAndFlagged(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.Emails = []string{"wang.fang at sunrise", "Wang.Fang@Sunrise.example", "wang.fang@sunrise.example"}
	in.Phones = []string{"138 0013 800O", "+86 138 0013 8000"}
	l, err := lead.New(in, chg(0))
	require.NoError(t, err)
	cs := l.Contacts()
	require.Len(t, cs, 4, "the two spellings of one address are kept once")
	require.Equal(t, "wang.fang at sunrise", cs[0].Raw)
	require.False(t, cs[0].Parsed())
	require.NotEmpty(t, cs[0].Problem)
	require.Equal(t, "138 0013 800O", cs[2].Raw)
	require.False(t, cs[2].Parsed())
	require.True(t, l.NeedsReview())
	require.Len(t, l.Emails(), 1)
	require.Len(t, l.Phones(), 1)
	require.True(t, l.Events()[0].Data.(lead.Captured).NeedsReview)

	// A lead whose only contact point does not parse is still captured.
	in.Emails, in.Phones = []string{"call me maybe"}, nil
	l, err = lead.New(in, chg(0))
	require.NoError(t, err)
	require.Equal(t, "call me maybe", l.Contacts()[0].Raw)
	back, err := lead.FromRecord(l.Record())
	require.NoError(t, err)
	require.Equal(t, l.Contacts(), back.Contacts())
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 201)
	cases := []struct {
		name string
		mod  func(*lead.NewInput)
		ch   func(*lead.Change)
		path string
	}{
		{"no contact at all", func(in *lead.NewInput) { in.Emails, in.Phones = nil, nil }, nil, "contacts"},
		{"blank contacts only", func(in *lead.NewInput) { in.Emails, in.Phones = []string{"  "}, nil }, nil, "emails[0]"},
		{"too many contacts", func(in *lead.NewInput) { in.Emails = make([]string, lead.MaxContacts+1) }, nil, "contacts"},
		{"overlong contact", func(in *lead.NewInput) { in.Phones = []string{strings.Repeat("1", lead.MaxContactLen+1)} }, nil, "phones[0]"},
		{"NUL in contact", func(in *lead.NewInput) { in.Phones = []string{"1\x002"} }, nil, "phones[0]"},
		{"zero id", func(in *lead.NewInput) { in.ID = crm.NilID }, nil, "id"},
		{"bad tenant", func(in *lead.NewInput) { in.Tenant = "" }, nil, "tenant"},
		{"long name", func(in *lead.NewInput) { in.Name = long }, nil, "name"},
		{"control in company", func(in *lead.NewInput) { in.Company = "a\nb" }, nil, "company"},
		{"bad UTF-8 title", func(in *lead.NewInput) { in.Title = "\xff" }, nil, "title"},
		{"negative size", func(in *lead.NewInput) { in.CompanySize = -1 }, nil, "company_size"},
		{"unknown kind", func(in *lead.NewInput) { in.Kind = 99 }, nil, "kind"},
		{"unknown channel", func(in *lead.NewInput) { in.Channel = 0 }, nil, "channel"},
		{"unknown source", func(in *lead.NewInput) { in.Source.Kind = 0 }, nil, "source.kind"},
		{"referral without referrer", func(in *lead.NewInput) { in.Source = lead.Source{Kind: lead.SourceReferral} }, nil, "source.referrer"},
		{"referrer on a web form", func(in *lead.NewInput) { in.Source.Referrer = idCust }, nil, "source.referrer"},
		{"campaign source without campaign", func(in *lead.NewInput) { in.Source = lead.Source{Kind: lead.SourceCampaign} }, nil, "source.campaign"},
		{"consent without source", func(in *lead.NewInput) {
			in.Consents = map[customer.Channel]customer.Consent{customer.PhoneCall: {Granted: true}}
		}, nil, "consents.phone.source"},
		{"consent after capture", func(in *lead.NewInput) {
			in.Consents = map[customer.Channel]customer.Consent{customer.PhoneCall: {Granted: true, Source: "x", At: t0.Add(time.Hour)}}
		}, nil, "consents.phone.at"},
		{"too many attributes", func(in *lead.NewInput) {
			in.Attributes = map[string]string{}
			for i := range lead.MaxAttributes + 1 {
				in.Attributes[strings.Repeat("k", 1+i%60)+string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
			}
		}, nil, "attributes"},
		{"NUL in attribute", func(in *lead.NewInput) { in.Attributes = map[string]string{"k": "a\x00"} }, nil, "attributes.k"},
		{"spaced attribute key", func(in *lead.NewInput) { in.Attributes = map[string]string{"a b": "x"} }, nil, "attributes"},
		{"huge payload", func(in *lead.NewInput) { in.Payload = strings.Repeat("p", lead.MaxPayloadLen+1) }, nil, "payload"},
		{"NUL in payload", func(in *lead.NewInput) { in.Payload = "{\x00}" }, nil, "payload"},
		{"too many topics", func(in *lead.NewInput) {
			in.Topics = nil
			for i := range lead.MaxTopics + 1 {
				in.Topics = append(in.Topics, strings.Repeat("t", i+1))
			}
		}, nil, "topics"},
		{"a million topics", func(in *lead.NewInput) { in.Topics = make([]string, 1_000_000) }, nil, "topics"},
		{"bad address", func(in *lead.NewInput) { in.Address = &customer.Address{Lines: []string{"x"}, Country: "ZZ"} }, nil, "address.country"},
		{"long team", func(in *lead.NewInput) { in.Team = strings.Repeat("t", lead.MaxTeamLen+1) }, nil, "team"},
		{"no actor", nil, func(ch *lead.Change) { ch.Actor = "" }, "change.actor"},
		{"no time", nil, func(ch *lead.Change) { ch.At = time.Time{} }, "change.at"},
		{"time out of range", nil, func(ch *lead.Change) { ch.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "change.at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in, ch := validInput(), chg(0)
			if tc.mod != nil {
				tc.mod(&in)
			}
			if tc.ch != nil {
				tc.ch(&ch)
			}
			l, err := lead.New(in, ch)
			require.Nil(t, l)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "want %s in %v", tc.path, err)
		})
	}
}

func TestInputNotAliased(t *testing.T) {
	t.Parallel()
	in := validInput()
	l, err := lead.New(in, chg(0))
	require.NoError(t, err)
	in.Attributes["budget"] = "changed"
	in.Topics[0] = "changed"
	in.Address.Lines[0] = "changed"
	require.Equal(t, "500k", l.Attributes()["budget"])
	a, _ := l.Address()
	require.Equal(t, "1 Nanjing Road", a.Lines[0])
	got := l.Attributes()
	got["budget"] = "x"
	require.Equal(t, "500k", l.Attributes()["budget"])
	c := l.Clone()
	require.NoError(t, c.Assign("bob", chg(1)))
	require.Equal(t, crm.UserID(""), l.Owner())
}

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range lead.Stages() {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			l, _ := atStage(t, s)
			back, err := lead.FromRecord(l.Record())
			require.NoError(t, err)
			require.Equal(t, l.Record(), back.Record())
			require.Empty(t, back.PendingHistory())
		})
	}
}

func TestFromRecordRefusesForgedRecords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		mod  func(*lead.Record)
		path string
	}{
		{"no contacts", func(r *lead.Record) { r.Contacts = nil }, "contacts"},
		{"parsed point without value", func(r *lead.Record) { r.Contacts[0].Email = customer.Email{} }, "contacts[0].email"},
		{"unknown stage", func(r *lead.Record) { r.Stage = 42 }, "stage"},
		{"disqualified without reason", func(r *lead.Record) {
			r.Stage, r.ClosedAt = lead.StageDisqualified, t0
			r.Reached[lead.StageDisqualified-1] = t0
		}, "disqualify_reason"},
		{"converted without customer", func(r *lead.Record) {
			r.Stage, r.ClosedAt = lead.StageConverted, t0
			r.Reached[lead.StageConverted-1] = t0
		}, "customer"},
		{"owner without time", func(r *lead.Record) { r.Owner = "bob" }, "assigned_at"},
		{"no touches", func(r *lead.Record) { r.Touches = nil }, "touches"},
		{"NaN score", func(r *lead.Record) { r.Score = &lead.Score{Total: nan(), At: t0} }, "score"},
		{"huge payload", func(r *lead.Record) { r.Payload = strings.Repeat("x", lead.MaxPayloadLen+1) }, "payload"},
		{"stage never reached", func(r *lead.Record) { r.Reached = [6]time.Time{} }, "reached"},
		{"open but closed_at", func(r *lead.Record) { r.ClosedAt = t0 }, "closed_at"},
		{"contact before capture", func(r *lead.Record) { r.FirstContactAt = t0.Add(-time.Hour) }, "first_contact_at"},
		{"assigned before capture", func(r *lead.Record) { r.Owner, r.AssignedAt = "bob", t0.Add(-time.Hour) }, "assigned_at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newLead(t).Record()
			tc.mod(&r)
			_, err := lead.FromRecord(r)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tc.path), "want %s in %v", tc.path, err)
		})
	}
}

func TestAssignAndReassign(t *testing.T) {
	t.Parallel()
	l := newLead(t)
	require.NoError(t, l.Assign("alice", chg(1)))
	require.Equal(t, crm.UserID("alice"), l.Owner())
	require.Equal(t, t0.Add(time.Minute), l.AssignedAt())
	noReason := chg(2)
	noReason.Reason = ""
	err := l.Assign("bob", noReason)
	require.ErrorIs(t, err, crm.ErrInvalid, "a reassignment needs a reason")
	require.ErrorIs(t, l.Assign("alice", chg(2)), crm.ErrInvalid, "already the owner")
	require.ErrorIs(t, l.Assign("bob", chg(0)), crm.ErrInvalid, "before the last change")
	require.NoError(t, l.Assign("bob", chg(2)))
	h := l.PendingHistory()
	require.Equal(t, lead.HistoryOwner, h[len(h)-1].Kind)
	require.Equal(t, "alice", h[len(h)-1].From)
	require.Equal(t, "bob", h[len(h)-1].To)
	closed, m := atStage(t, lead.StageDisqualified)
	require.ErrorIs(t, closed.Assign("bob", chg(m+1)), crm.ErrInvalid)
}

func TestAttachFoldsDuplicateCapture(t *testing.T) {
	t.Parallel()
	l := newLead(t)
	in := validInput()
	in.ID = nthID(1)
	in.Emails = []string{"WANG.FANG@sunrise.example", "fang@home.example"}
	in.Phones = nil
	in.Source = lead.Source{Kind: lead.SourceEvent, Detail: "Canton Fair"}
	in.Attributes = map[string]string{"budget": "1M", "booth": "A12"}
	in.Consents = map[customer.Channel]customer.Consent{customer.EmailChannel: {Granted: false, Source: "unsubscribed at the fair"}}
	dup, err := lead.New(in, chg(60))
	require.NoError(t, err)
	require.NoError(t, l.Attach(dup, chg(61)))
	require.Len(t, l.Contacts(), 3, "only the new address is added")
	require.Len(t, l.Touches(), 2)
	require.Equal(t, lead.SourceEvent, l.Touches()[1].Source.Kind)
	require.Equal(t, "500k", l.Attributes()["budget"], "the lead's own value is kept")
	require.Equal(t, "A12", l.Attributes()["booth"])
	require.False(t, l.MayContact(customer.EmailChannel), "the newer consent decision wins")

	other := validInput()
	other.ID, other.Tenant = nthID(2), "other"
	foreign, err := lead.New(other, chg(60))
	require.NoError(t, err)
	before := l.Record()
	require.ErrorIs(t, l.Attach(foreign, chg(62)), crm.ErrInvalid)
	require.ErrorIs(t, l.Attach(nil, chg(62)), crm.ErrInvalid)
	require.Equal(t, before, l.Record())
}

func TestLinkCustomerAndConvert(t *testing.T) {
	t.Parallel()
	l, m := atStage(t, lead.StageContacted)
	require.NoError(t, l.LinkCustomer(idCust, chg(m+1)))
	require.ErrorIs(t, l.LinkCustomer(idCust, chg(m+2)), crm.ErrInvalid)
	err := l.MarkConverted(idCust, crm.NilID, chg(m+2))
	require.ErrorIs(t, err, crm.ErrInvalidTransition, "only a qualified lead converts")
	q, m := atStage(t, lead.StageQualified)
	opp := nthID(9)
	require.NoError(t, q.MarkConverted(idCust, opp, chg(m+1)))
	require.Equal(t, lead.StageConverted, q.Stage())
	require.Equal(t, idCust, q.Customer())
	require.Equal(t, opp, q.Opportunity())
	require.Equal(t, t0.Add(time.Duration(m+1)*time.Minute), q.ClosedAt())
	require.ErrorIs(t, q.MarkConverted(idCust, opp, chg(m+2)), crm.ErrInvalidTransition)
}

func TestRecordContactStopsClock(t *testing.T) {
	t.Parallel()
	l := newLead(t)
	require.NoError(t, l.RecordContact(chg(5)))
	require.Equal(t, t0.Add(5*time.Minute), l.FirstContactAt())
	require.Equal(t, lead.StageNew, l.Stage())
	require.ErrorIs(t, l.RecordContact(chg(6)), crm.ErrInvalid)
	p := lead.DefaultProcess("")
	require.NoError(t, l.Move(&p, lead.StageContacted, chg(7)))
	require.Equal(t, t0.Add(5*time.Minute), l.FirstContactAt(), "the first contact is kept")
}

func TestKeyProspect(t *testing.T) {
	t.Parallel()
	l := newLead(t)
	require.NoError(t, l.SetKeyProspect(true, chg(1)))
	require.True(t, l.KeyProspect())
	require.ErrorIs(t, l.SetKeyProspect(true, chg(2)), crm.ErrInvalid)
	h := l.PendingHistory()
	require.Equal(t, lead.HistoryKeyProspect, h[len(h)-1].Kind)
}

func nan() float64 { z := 0.0; return z / z }

// TestZeroValuesRefuseWithoutPanic: a Lead or Campaign built around the
// constructors refuses changes instead of panicking.
func TestZeroValuesRefuseWithoutPanic(t *testing.T) {
	t.Parallel()
	p := lead.DefaultProcess("")
	z := &lead.Lead{}
	for _, s := range lead.Stages() {
		require.Error(t, z.Move(&p, s, chg(1)))
	}
	require.Error(t, z.Assign("bob", chg(1)))
	require.Error(t, z.Attach(newLead(t), chg(1)))
	require.Error(t, z.MarkConverted(idCust, crm.NilID, chg(1)))
	require.Error(t, z.RecordContact(chg(1)))
	require.Error(t, z.LinkCustomer(idCust, chg(1)))
	_, err := lead.FromRecord(z.Record())
	require.Error(t, err)
	require.NotPanics(t, func() { _ = z.FirstContactTimer(); _ = z.ScoringFacts(nil); _ = z.Clone() })
	_, err = lead.FindDuplicates(z, []*lead.Lead{newLead(t)}, nil, customer.DuplicateRules{})
	require.NoError(t, err)
	zc := &lead.Campaign{}
	require.Error(t, zc.SetCost(cny("1"), chg(1)))
	_, err = lead.CampaignFromRecord(zc.Record())
	require.Error(t, err)
}
