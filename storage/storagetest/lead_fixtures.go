package storagetest

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

// LeadOptions adjust the lead NewLead builds; nil or zero fields take the
// defaults named beside them.
type LeadOptions struct {
	// ID of the lead; default: NewID.
	ID crm.ID
	// Team; default "" (the default team).
	Team string
	// Email is the lead's e-mail address; default: one made of its ID.
	Email string
	// Phone is an optional phone number in E.164.
	Phone string
	// Source; default: a web form without a campaign.
	Source lead.Source
	// At is the capture time; default: the suite's epoch.
	At time.Time
}

// lchange returns a lead change h hours after the suite's epoch.
func lchange(h int) lead.Change {
	return lead.Change{Actor: "storagetest", At: at(h), Reason: fmt.Sprintf("change at +%dh", h)}
}

// NewLead returns a valid lead of tenant, captured from a web form, not
// stored.
func NewLead(tb testing.TB, tenant crm.TenantID, o *LeadOptions) *lead.Lead {
	tb.Helper()
	var opts LeadOptions
	if o != nil {
		opts = *o
	}
	if opts.ID.IsZero() {
		opts.ID = NewID(tb)
	}
	if opts.Email == "" {
		opts.Email = "lead-" + opts.ID.String() + "@example.com"
	}
	if opts.Source.Kind == 0 {
		opts.Source = lead.Source{Kind: lead.SourceWebForm, Detail: "contact form"}
	}
	ch := lchange(0)
	if !opts.At.IsZero() {
		ch.At = opts.At
	}
	in := lead.NewInput{
		ID: opts.ID, Tenant: tenant, Team: opts.Team, Name: "Wang Fang", Company: "Sunrise Hotels",
		Industry: "hospitality", CompanySize: 250, Language: "zh-CN", Topics: []string{"hvac"},
		Emails: []string{opts.Email}, Channel: customer.Web, Source: opts.Source,
		Consents:   map[customer.Channel]customer.Consent{customer.EmailChannel: {Granted: true, Source: "form"}},
		Attributes: map[string]string{"budget": "500k"}, Payload: `{"form":"contact"}`,
	}
	if opts.Phone != "" {
		in.Phones = []string{opts.Phone}
	}
	l, err := lead.New(in, ch)
	require.NoError(tb, err)
	return l
}

// CreateLead stores a new lead built by NewLead and returns it.
func CreateLead(tb testing.TB, s lead.Store, tenant crm.TenantID, o *LeadOptions) *lead.Lead {
	tb.Helper()
	l := NewLead(tb, tenant, o)
	require.NoError(tb, s.Create(context.Background(), l))
	return l
}

// leadMark makes the change that leaves mark i on a lead: a duplicate
// capture attached to it, carrying the attribute markText(i).
func leadMark(x *lead.Lead, i int) error {
	dupID := x.ID()
	dupID[15] ^= byte(i + 1) // another ID of the same tenant
	dup, err := lead.New(lead.NewInput{
		ID: dupID, Tenant: x.Tenant(), Emails: []string{"mark@example.com"}, Channel: customer.Web,
		Source: lead.Source{Kind: lead.SourceWebForm}, Attributes: map[string]string{markText(i): "1"},
	}, lchange(1))
	if err != nil {
		return err
	}
	return x.Attach(dup, lchange(1))
}

// leadMarks returns the marks a lead carries: its attribute keys.
func leadMarks(x *lead.Lead) []string {
	var out []string
	for k := range x.Attributes() {
		if strings.HasPrefix(k, "writer-") {
			out = append(out, k)
		}
	}
	return out
}

// normLead is a lead's stored state, normalised for require.Equal.
func normLead(r lead.Record) lead.Record {
	for _, p := range []*time.Time{&r.CapturedAt, &r.AssignedAt, &r.FirstContactAt, &r.ClosedAt, &r.UpdatedAt} {
		*p = normTime(*p)
	}
	for i := range r.Reached {
		r.Reached[i] = normTime(r.Reached[i])
	}
	r.Topics = nilIfEmpty(r.Topics)
	r.Contacts = nilIfEmpty(r.Contacts)
	r.Touches = nilIfEmpty(r.Touches)
	for i := range r.Touches {
		r.Touches[i].At = normTime(r.Touches[i].At)
	}
	r.Attributes = nilIfEmptyMap(r.Attributes)
	if len(r.Consents) == 0 {
		r.Consents = nil
	} else {
		m := maps.Clone(r.Consents)
		for k, v := range m {
			v.At = normTime(v.At)
			m[k] = v
		}
		r.Consents = m
	}
	if r.Address != nil {
		a := *r.Address
		a.Lines = nilIfEmpty(a.Lines)
		r.Address = &a
	}
	if r.Score != nil {
		s := *r.Score
		s.At = normTime(s.At)
		s.Reasons = nilIfEmpty(s.Reasons)
		r.Score = &s
	}
	return r
}

// leadSnapshot is what is stored of a lead and its history.
type leadSnapshot struct {
	Lead    lead.Record
	History []lead.HistoryEntry
}

func allLeadHistory(tb testing.TB, s lead.Store, tenant crm.TenantID, id crm.ID, limit int) []lead.HistoryEntry {
	tb.Helper()
	out := pageAll(tb, limit, func(p crm.PageRequest) (crm.Page[lead.HistoryEntry], error) {
		return s.History(context.Background(), tenant, id, p)
	})
	for i := range out {
		out[i].At = normTime(out[i].At)
	}
	return out
}

func takeLeadSnapshot(tb testing.TB, s lead.Store, tenant crm.TenantID, id crm.ID) leadSnapshot {
	tb.Helper()
	l, err := s.Get(context.Background(), tenant, id)
	require.NoError(tb, err)
	return leadSnapshot{Lead: normLead(l.Record()), History: allLeadHistory(tb, s, tenant, id, crm.MaxPageLimit)}
}

// leadAggregate is the harness fixture of leads.
func leadAggregate(s lead.Store) aggregate[lead.Lead] {
	return aggregate[lead.Lead]{
		name: "lead",
		newRecord: func(tb testing.TB, tenant crm.TenantID, id crm.ID) *lead.Lead {
			return NewLead(tb, tenant, &LeadOptions{ID: id})
		},
		create: s.Create,
		get:    s.Get,
		update: s.Update,
		list: func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*lead.Lead], error) {
			return s.List(ctx, tenant, lead.Query{}, page)
		},
		compare: func(a, b *lead.Lead) int { return a.ID().Compare(b.ID()) },
		id:      (*lead.Lead).ID,
		version: (*lead.Lead).Version,
		mark:    leadMark,
		marks:   leadMarks,
		snapshot: func(tb testing.TB, tenant crm.TenantID, id crm.ID) any {
			return takeLeadSnapshot(tb, s, tenant, id)
		},
		record:  func(_ testing.TB, x *lead.Lead) any { return normLead(x.Record()) },
		pending: func(x *lead.Lead) any { return [2]any{x.PendingHistory(), x.Events()} },
		createMany: func(ctx context.Context, xs []*lead.Lead) error {
			return s.(lead.Importer).ImportLeads(ctx, xs)
		},
		consistent: func(tb testing.TB, tenant crm.TenantID, id crm.ID) {
			tb.Helper()
			l, err := s.Get(context.Background(), tenant, id)
			require.NoError(tb, err)
			h := allLeadHistory(tb, s, tenant, id, crm.MaxPageLimit)
			require.Len(tb, h, int(l.Record().HistorySeq), "history entries lost or repeated")
			for i, e := range h {
				require.Equal(tb, int64(i+1), e.Seq, "history out of order")
				require.Equal(tb, id, e.LeadID)
			}
		},
		clean: func(tb testing.TB, tenant crm.TenantID) {
			tb.Helper()
			p, err := s.List(context.Background(), tenant, lead.Query{Owner: "mutator"}, crm.PageRequest{})
			require.NoError(tb, err)
			require.Empty(tb, p.Items, "the mutated owner reached the store's index")
			found, err := s.FindByContact(context.Background(), tenant, []string{"mutated@example.com"}, nil, 10)
			require.NoError(tb, err)
			require.Empty(tb, found, "the mutated address reached the contact index")
		},
		mutate: mutateLead,
		withTime: func(x *lead.Lead, tm time.Time) (*lead.Lead, error) {
			r := x.Record()
			r.CapturedAt, r.UpdatedAt, r.Reached[0] = tm, tm, tm
			for i := range r.Touches {
				r.Touches[i].At = tm
			}
			return lead.FromRecord(r)
		},
	}
}

// mutateLead changes l in every way a caller could; l is open.
func mutateLead(tb testing.TB, l *lead.Lead) {
	tb.Helper()
	if l.Owner() != "mutator" { // Update may hand out fn's lead itself
		require.NoError(tb, l.Assign("mutator", lchange(100)))
	}
	require.NoError(tb, l.SetKeyProspect(!l.KeyProspect(), lchange(100)))
	dup, err := lead.New(lead.NewInput{
		ID: NewID(tb), Tenant: l.Tenant(), Emails: []string{"mutated@example.com"}, Channel: customer.Web,
		Source: lead.Source{Kind: lead.SourceWebForm}, Attributes: map[string]string{"mutated": "yes"},
	}, lchange(100))
	require.NoError(tb, err)
	require.NoError(tb, l.Attach(dup, lchange(100)))
	leadHooks.Saved(l, 99)
}

// NewCampaign returns a valid campaign of tenant running from the suite's
// epoch for 30 days, not stored.
func NewCampaign(tb testing.TB, tenant crm.TenantID, id crm.ID) *lead.Campaign {
	tb.Helper()
	if id.IsZero() {
		id = NewID(tb)
	}
	c, err := lead.NewCampaign(lead.CampaignInput{
		ID: id, Tenant: tenant, Name: "Spring fair", Channel: lead.CampaignTradeShow,
		Start: at(0), End: at(30 * 24), Budget: crm.MustParseMoney("10000 EUR"),
	}, lchange(0))
	require.NoError(tb, err)
	return c
}

// campaignAggregate is the harness fixture of campaigns.
func campaignAggregate(s lead.CampaignStore) aggregate[lead.Campaign] {
	return aggregate[lead.Campaign]{
		name: "campaign",
		newRecord: func(tb testing.TB, tenant crm.TenantID, id crm.ID) *lead.Campaign {
			return NewCampaign(tb, tenant, id)
		},
		create: s.Create,
		get:    s.Get,
		update: s.Update,
		list: func(ctx context.Context, tenant crm.TenantID, page crm.PageRequest) (crm.Page[*lead.Campaign], error) {
			return s.List(ctx, tenant, time.Time{}, time.Time{}, page)
		},
		compare: func(a, b *lead.Campaign) int { return a.ID().Compare(b.ID()) },
		id:      (*lead.Campaign).ID,
		version: (*lead.Campaign).Version,
		mark: func(x *lead.Campaign, i int) error {
			party := x.ID()
			party[15] ^= byte(i + 1)
			party[14] ^= 0x5a
			return x.AddMember(lead.MatchLead, party, lead.Change{Actor: "storagetest", At: at(1), Reason: markText(i)})
		},
		marks: func(x *lead.Campaign) []string {
			var out []string
			for i := range 64 {
				party := x.ID()
				party[15] ^= byte(i + 1)
				party[14] ^= 0x5a
				if _, ok := x.Member(party); ok {
					out = append(out, markText(i))
				}
			}
			return out
		},
		snapshot: func(tb testing.TB, tenant crm.TenantID, id crm.ID) any {
			tb.Helper()
			c, err := s.Get(context.Background(), tenant, id)
			require.NoError(tb, err)
			return normCampaign(c.Record())
		},
		record:  func(_ testing.TB, x *lead.Campaign) any { return normCampaign(x.Record()) },
		pending: func(x *lead.Campaign) any { return x.Events() },
		clean: func(tb testing.TB, tenant crm.TenantID) {
			tb.Helper()
			p, err := s.List(context.Background(), tenant, time.Time{}, time.Time{}, crm.PageRequest{Limit: crm.MaxPageLimit})
			require.NoError(tb, err)
			for _, c := range p.Items {
				require.NotEqual(tb, "777", c.Cost().Amount().String(), "the mutated cost reached the store")
			}
		},
		mutate: func(tb testing.TB, x *lead.Campaign) {
			tb.Helper()
			require.NoError(tb, x.SetCost(crm.MustParseMoney("777 EUR"), lchange(100)))
			require.NoError(tb, x.AddMember(lead.MatchCustomer, NewID(tb), lchange(100)))
			campaignHooks.Saved(x, 99)
		},
		withTime: func(x *lead.Campaign, tm time.Time) (*lead.Campaign, error) {
			r := x.Record()
			r.Start, r.End, r.CreatedAt, r.UpdatedAt = tm, time.Time{}, tm, tm
			return lead.CampaignFromRecord(r)
		},
	}
}

// normCampaign is a campaign's stored state, normalised for require.Equal.
func normCampaign(r lead.CampaignRecord) lead.CampaignRecord {
	r.Start, r.End = normTime(r.Start), normTime(r.End)
	r.CreatedAt, r.UpdatedAt = normTime(r.CreatedAt), normTime(r.UpdatedAt)
	r.Members = nilIfEmpty(r.Members)
	for i := range r.Members {
		r.Members[i].AddedAt = normTime(r.Members[i].AddedAt)
		r.Members[i].RespondedAt = normTime(r.Members[i].RespondedAt)
	}
	return r
}
