package lead

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// Record is the persisted form of a [Lead]: every stored field, exported,
// for store implementations. Pending history entries and events are not
// part of it. Build one with [Lead.Record] and rebuild the lead with
// [FromRecord].
type Record struct {
	ID               crm.ID
	Tenant           crm.TenantID
	Version          int64
	Team             string
	Kind             customer.Kind
	Name             string
	Title            string
	Company          string
	Industry         string
	CompanySize      int
	Language         string
	Topics           []string
	Address          *customer.Address
	Contacts         []ContactPoint
	Consents         map[customer.Channel]customer.Consent
	Attributes       map[string]string
	Payload          string
	KeyProspect      bool
	Channel          customer.Channel
	Source           Source
	Touches          []Touch
	Stage            Stage
	DisqualifyReason string
	Owner            crm.UserID
	AssignedAt       time.Time
	Customer         crm.ID
	Opportunity      crm.ID
	Score            *Score
	CapturedAt       time.Time
	FirstContactAt   time.Time
	ClosedAt         time.Time
	// Reached holds when the lead first reached each stage, indexed by
	// Stage-1 (zero when never).
	Reached   [6]time.Time
	UpdatedAt time.Time
	// HistorySeq is the sequence number of the last history entry.
	HistorySeq int64
}

// Record returns the lead's persisted form, sharing nothing with l.
func (l *Lead) Record() Record {
	l.ensure()
	return l.deepClone().view()
}

// view is the lead's persisted form sharing l's slices and maps: for
// checks that only read it.
func (l *Lead) view() Record {
	l.ensure()
	return Record{
		ID: l.id, Tenant: l.tenant, Version: l.version, Team: l.team, Kind: l.kind, Name: l.name,
		Title: l.title, Company: l.company, Industry: l.industry, CompanySize: l.companySize,
		Language: l.language, Topics: l.topics, Address: l.address, Contacts: l.contacts,
		Consents: l.consents, Attributes: l.attrs, Payload: l.payload, KeyProspect: l.keyProspect,
		Channel: l.channel, Source: l.source, Touches: l.touches, Stage: l.stage,
		DisqualifyReason: l.disqualifyReason, Owner: l.owner, AssignedAt: l.assignedAt,
		Customer: l.customer, Opportunity: l.opportunity, Score: l.score, CapturedAt: l.capturedAt,
		FirstContactAt: l.firstContactAt, ClosedAt: l.closedAt, Reached: l.reached,
		UpdatedAt: l.updatedAt, HistorySeq: l.historySeq,
	}
}

// FromRecord rebuilds a lead from its persisted form. It checks the
// invariants every stored lead keeps (identity, limits, known enum values,
// at least one contact point, a consistent stage) but not capture-only
// rules. The lead shares nothing with r and has nothing pending.
func FromRecord(r Record) (*Lead, error) {
	l, err := adoptRecord(r)
	if err != nil {
		return nil, err
	}
	return l.deepClone(), nil
}

// adoptRecord is the Adopt hook: FromRecord without the copies, for a
// record a store has just decoded and hands over.
func adoptRecord(r Record) (*Lead, error) {
	if err := checkRecord("lead.FromRecord", r); err != nil {
		return nil, err
	}
	l := &Lead{id: r.ID, tenant: r.Tenant, version: r.Version, historySeq: r.HistorySeq, state: &state{
		team: r.Team, kind: r.Kind, name: r.Name,
		title: r.Title, company: r.Company, industry: r.Industry, companySize: r.CompanySize,
		language: r.Language, topics: r.Topics, address: r.Address, contacts: r.Contacts,
		consents: r.Consents, attrs: r.Attributes, payload: r.Payload, keyProspect: r.KeyProspect,
		channel: r.Channel, source: r.Source, touches: r.Touches, stage: r.Stage,
		disqualifyReason: r.DisqualifyReason, owner: r.Owner, assignedAt: r.AssignedAt,
		customer: r.Customer, opportunity: r.Opportunity, score: r.Score, capturedAt: r.CapturedAt,
		firstContactAt: r.FirstContactAt, closedAt: r.ClosedAt, reached: r.Reached,
		updatedAt: r.UpdatedAt,
	}}
	if l.consents == nil {
		l.consents = map[customer.Channel]customer.Consent{}
	}
	return l, nil
}

// checkRecord is the one check of a stored lead: the invariants of
// FromRecord, reported for op.
func checkRecord(op string, r Record) error {
	var v crm.Validator
	v.Check(!r.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", r.Tenant.Validate())
	v.Check(r.Version >= 0, "version", "must not be negative")
	checkTeam(&v, r.Team)
	v.Check(r.Kind.Valid(), "kind", "unknown kind")
	checkLine(&v, "name", r.Name, MaxNameLen)
	checkLine(&v, "title", r.Title, MaxNameLen)
	checkLine(&v, "company", r.Company, MaxNameLen)
	checkLine(&v, "industry", r.Industry, MaxNameLen)
	v.Check(r.CompanySize >= 0 && r.CompanySize <= MaxCompanySize, "company_size", "out of range")
	checkTag(&v, "language", r.Language)
	checkTopics(&v, r.Topics)
	if r.Address != nil {
		v.Merge("address", r.Address.Validate())
	}
	v.Check(len(r.Contacts) > 0, "contacts", "a lead needs at least one contact point")
	v.Check(len(r.Contacts) <= MaxContacts, "contacts", "too many")
	for i, c := range r.Contacts {
		c.validate(&v, fmt.Sprintf("contacts[%d]", i))
	}
	for c, k := range r.Consents {
		checkConsent(&v, c, k, time.Time{})
	}
	checkAttributes(&v, r.Attributes)
	checkPayload(&v, r.Payload)
	v.Check(r.Channel.Valid(), "channel", "unknown channel")
	r.Source.validate(&v, "source")
	v.Check(len(r.Touches) > 0 && len(r.Touches) <= MaxTouches, "touches", "must hold 1 to 1000 touches")
	for i, t := range r.Touches {
		p := fmt.Sprintf("touches[%d]", i)
		v.Check(!t.At.IsZero() && crm.ValidTime(t.At), p+".at", "must be set and in range")
		v.Check(t.Channel.Valid(), p+".channel", "unknown channel")
		t.Source.validate(&v, p+".source")
	}
	v.Check(r.Stage.Valid(), "stage", "unknown stage")
	v.Check((r.Stage == StageDisqualified) == (r.DisqualifyReason != ""), "disqualify_reason", "set exactly when disqualified")
	v.Check(len(r.DisqualifyReason) <= MaxReasonCodeLen && utf8.ValidString(r.DisqualifyReason) &&
		!strings.ContainsFunc(r.DisqualifyReason, unicode.IsControl), "disqualify_reason", "must be at most 64 bytes of printable UTF-8")
	if r.Owner != "" {
		v.Merge("owner", r.Owner.Validate())
	}
	v.Check((r.Owner == "") == r.AssignedAt.IsZero(), "assigned_at", "set exactly when the lead has an owner")
	v.Check(r.Stage != StageConverted || !r.Customer.IsZero(), "customer", "required for a converted lead")
	v.Check(r.Opportunity.IsZero() || r.Stage == StageConverted, "opportunity", "only on a converted lead")
	if r.Score != nil {
		checkScore(&v, "score", *r.Score)
	}
	v.Check(!r.CapturedAt.IsZero(), "captured_at", "must be set")
	for i, t := range []time.Time{r.CapturedAt, r.FirstContactAt, r.ClosedAt, r.AssignedAt, r.UpdatedAt} {
		v.Check(crm.ValidTime(t), "times", fmt.Sprintf("time %d outside the supported range", i))
	}
	for _, f := range []struct {
		path string
		t    time.Time
	}{{"first_contact_at", r.FirstContactAt}, {"closed_at", r.ClosedAt}, {"assigned_at", r.AssignedAt}, {"updated_at", r.UpdatedAt}} {
		v.Check(f.t.IsZero() || !f.t.Before(r.CapturedAt), f.path, "before the capture")
	}
	for i, t := range r.Reached {
		v.Check(crm.ValidTime(t), fmt.Sprintf("reached[%d]", i), "outside the supported range")
	}
	v.Check(r.Stage.Valid() && !r.Reached[max(int(r.Stage), 1)-1].IsZero(), "reached", "the current stage must have been reached")
	v.Check(r.Stage.Open() == r.ClosedAt.IsZero() || !r.Stage.Valid(), "closed_at", "set exactly when the lead is closed")
	v.Check(r.HistorySeq >= 0, "history_seq", "must not be negative")
	return v.Err(op)
}

func checkScore(v *crm.Validator, path string, s Score) {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	v.Check(finite(s.Fit) && finite(s.Engagement) && finite(s.Total), path, "must be finite numbers")
	v.Check(s.Model == 0 || s.Model.Valid(), path+".model", "unknown score model")
	v.Check(!s.At.IsZero() && crm.ValidTime(s.At), path+".at", "must be set and in range")
	checkLine(v, path+".grade", s.Grade, MaxNameLen)
	v.Check(len(s.Reasons) <= 1000, path+".reasons", "too many")
	for i, r := range s.Reasons {
		v.Check(finite(r.Points) && utf8.ValidString(r.Rule) && len(r.Rule) <= maxRuleLen && !strings.ContainsRune(r.Rule, 0),
			fmt.Sprintf("%s.reasons[%d]", path, i), "malformed")
	}
}

// checkRef validates the tenant and ID arguments of a store call.
func checkRef(op string, tenant crm.TenantID, id crm.ID) error {
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(!id.IsZero(), "id", "must not be zero")
	return v.Err(op)
}
