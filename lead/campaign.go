package lead

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/internal/enum"
)

// Limits on campaigns.
const (
	MaxCampaignMembers = 10000 // members kept on one campaign
	MaxResponseLen     = 1000  // runes in a recorded response
)

// CampaignChannel is the medium a campaign runs on (营销活动: web, e-mail,
// phone, trade shows, seminars …).
type CampaignChannel uint8

// Campaign channels. The stored form is the name.
const (
	CampaignEmail     CampaignChannel = iota + 1 // e-mail
	CampaignWeb                                  // web site, search, display ads
	CampaignPhone                                // telemarketing
	CampaignTradeShow                            // a trade show or exhibition
	CampaignSeminar                              // a seminar or webinar
	CampaignSocial                               // social media
	CampaignPrint                                // print, outdoor, direct mail
	CampaignMessage                              // SMS or instant message
	CampaignOther                                // anything else
)

var campaignChannels = enum.New[CampaignChannel]("campaign channel", "email", "web", "phone", "trade_show", "seminar", "social", "print", "message", "other")

// ParseCampaignChannel parses a channel name such as "trade_show".
func ParseCampaignChannel(s string) (CampaignChannel, error) { return campaignChannels.Parse(s) }

// String returns the channel's name.
func (c CampaignChannel) String() string { return campaignChannels.String(c) }

// Valid reports whether c is a known channel.
func (c CampaignChannel) Valid() bool { return campaignChannels.Valid(c) }

// MarshalText implements encoding.TextMarshaler.
func (c CampaignChannel) MarshalText() ([]byte, error) { return campaignChannels.Marshal(c) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *CampaignChannel) UnmarshalText(b []byte) (err error) {
	*c, err = campaignChannels.Parse(string(b))
	return err
}

// Event types recorded by campaigns.
const (
	EventCampaignCreated  = "lead.campaign_created"  // CampaignCreated
	EventCampaignMember   = "lead.campaign_member"   // CampaignMemberAdded
	EventCampaignResponse = "lead.campaign_response" // CampaignResponded
	EventCampaignCost     = "lead.campaign_cost"     // CampaignCostSet
)

// CampaignCreated is the data of a lead.campaign_created event.
type CampaignCreated struct {
	Name    string
	Channel CampaignChannel
}

// CampaignMemberAdded is the data of a lead.campaign_member event.
type CampaignMemberAdded struct {
	Kind  MatchKind
	Party crm.ID
}

// CampaignResponded is the data of a lead.campaign_response event.
type CampaignResponded struct {
	Party    crm.ID
	Response string
}

// CampaignCostSet is the data of a lead.campaign_cost event.
type CampaignCostSet struct{ From, To crm.Money }

// Member is one lead or customer a campaign targets, and their response.
type Member struct {
	// Kind says whether Party is a lead or a customer.
	Kind MatchKind `json:"kind"`
	// Party is the lead's or customer's ID.
	Party crm.ID `json:"party"`
	// AddedAt is when the member was added.
	AddedAt time.Time `json:"added_at"`
	// RespondedAt is when they responded (zero when they have not);
	// Response says how ("clicked", "registered", "attended").
	RespondedAt time.Time `json:"responded_at,omitzero"`
	Response    string    `json:"response,omitempty"`
}

// CampaignInput holds what is needed to create a campaign.
type CampaignInput struct {
	ID     crm.ID
	Tenant crm.TenantID
	// Name is required.
	Name    string
	Channel CampaignChannel
	// Start and End bound the campaign's period [Start, End); Start is
	// required, End may be zero (open-ended).
	Start, End time.Time
	// Budget is the planned spend; required (it fixes the currency). Cost,
	// the actual spend so far, defaults to zero in that currency.
	Budget crm.Money
	Cost   crm.Money
	// Segment is the target segment of customers; optional (zero Name
	// and no conditions).
	Segment customer.Segment
}

// Campaign is a marketing campaign: its period, budget and actual cost,
// target segment, members and their responses. Methods validate, leave the
// campaign unchanged when they refuse, and record domain events. Not safe
// for concurrent use; build one with [NewCampaign] or [CampaignFromRecord].
type Campaign struct {
	id         crm.ID
	tenant     crm.TenantID
	version    int64
	name       string
	channel    CampaignChannel
	start, end time.Time
	budget     crm.Money
	cost       crm.Money
	segment    customer.Segment
	members    []Member
	createdAt  time.Time
	updatedAt  time.Time
	events     []crm.Event
}

// NewCampaign validates in and returns a campaign created at ch.At.
func NewCampaign(in CampaignInput, ch Change) (*Campaign, error) {
	var v crm.Validator
	v.Check(!in.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", in.Tenant.Validate())
	v.Check(strings.TrimSpace(in.Name) != "", "name", "required")
	checkLine(&v, "name", in.Name, MaxNameLen)
	v.Check(in.Channel.Valid(), "channel", "unknown channel")
	if in.Cost == (crm.Money{}) {
		in.Cost = crm.Zero(in.Budget.Currency())
	}
	checkPeriod(&v, in.Start, in.End)
	checkBudget(&v, in.Budget, in.Cost)
	if !isZeroSegment(in.Segment) {
		v.Merge("segment", in.Segment.Validate())
	}
	v.Merge("change", ch.Validate())
	if err := v.Err("lead.NewCampaign"); err != nil {
		return nil, err
	}
	at := ch.At.UTC()
	c := &Campaign{id: in.ID, tenant: in.Tenant, name: strings.TrimSpace(in.Name), channel: in.Channel,
		start: in.Start.UTC(), end: utcOrZero(in.End), budget: in.Budget, cost: in.Cost,
		segment: cloneSegment(in.Segment), createdAt: at, updatedAt: at}
	c.emit(EventCampaignCreated, ch, CampaignCreated{Name: c.name, Channel: c.channel})
	return c, nil
}

func isZeroSegment(s customer.Segment) bool {
	return s.Name == "" && s.Match == 0 && len(s.Conditions) == 0
}

func cloneSegment(s customer.Segment) customer.Segment {
	s.Conditions = slices.Clone(s.Conditions)
	for i := range s.Conditions {
		s.Conditions[i].Values = slices.Clone(s.Conditions[i].Values)
	}
	return s
}

func checkPeriod(v *crm.Validator, start, end time.Time) {
	v.Check(!start.IsZero() && crm.ValidTime(start), "start", "must be set and in range")
	v.Check(crm.ValidTime(end), "end", "outside the supported time range")
	v.Check(end.IsZero() || end.After(start), "end", "must be after start")
}

func checkBudget(v *crm.Validator, budget, cost crm.Money) {
	if v.Check(budget.Validate() == nil, "budget", "must be a valid amount with a currency") {
		v.Check(!budget.IsNegative(), "budget", "must not be negative")
	}
	if v.Check(cost.Validate() == nil, "cost", "must be a valid amount with a currency") {
		v.Check(!cost.IsNegative(), "cost", "must not be negative")
		v.Check(cost.Currency() == budget.Currency(), "cost", "must be in the budget's currency")
	}
}

// ID returns the campaign's ID.
func (c *Campaign) ID() crm.ID { return c.id }

// Tenant returns the tenant that owns the campaign.
func (c *Campaign) Tenant() crm.TenantID { return c.tenant }

// Version returns the stored version: 0 before the first save.
func (c *Campaign) Version() int64 { return c.version }

// Name returns the campaign's name.
func (c *Campaign) Name() string { return c.name }

// Channel returns the campaign's medium.
func (c *Campaign) Channel() CampaignChannel { return c.channel }

// Period returns the campaign's period [start, end); end is zero when open-ended.
func (c *Campaign) Period() (start, end time.Time) { return c.start, c.end }

// Active reports whether at lies in the campaign's period.
func (c *Campaign) Active(at time.Time) bool {
	return !at.Before(c.start) && (c.end.IsZero() || at.Before(c.end))
}

// Budget returns the planned spend.
func (c *Campaign) Budget() crm.Money { return c.budget }

// Cost returns the actual spend so far.
func (c *Campaign) Cost() crm.Money { return c.cost }

// Segment returns the target segment.
func (c *Campaign) Segment() customer.Segment { return cloneSegment(c.segment) }

// Members returns the members in the order they were added.
func (c *Campaign) Members() []Member { return slices.Clone(c.members) }

// Member returns the member for party, if any.
func (c *Campaign) Member(party crm.ID) (Member, bool) {
	i := slices.IndexFunc(c.members, func(m Member) bool { return m.Party == party })
	if i < 0 {
		return Member{}, false
	}
	return c.members[i], true
}

// Responses counts the members who responded.
func (c *Campaign) Responses() int {
	n := 0
	for _, m := range c.members {
		if !m.RespondedAt.IsZero() {
			n++
		}
	}
	return n
}

// CreatedAt returns when the campaign was created.
func (c *Campaign) CreatedAt() time.Time { return c.createdAt }

// UpdatedAt returns when the campaign last changed.
func (c *Campaign) UpdatedAt() time.Time { return c.updatedAt }

func (c *Campaign) guard(ch Change) *crm.Validator {
	v := &crm.Validator{}
	v.Merge("change", ch.Validate())
	if !ch.At.IsZero() {
		v.Check(!ch.At.Before(c.updatedAt), "change.at", "before the campaign's last change")
	}
	return v
}

// AddMember adds a lead or customer to the campaign. A zero ID, an unknown
// kind, a party already a member, or more than MaxCampaignMembers members
// are refused with a *crm.ValidationError.
func (c *Campaign) AddMember(kind MatchKind, party crm.ID, ch Change) error {
	v := c.guard(ch)
	v.Check(kind.Valid(), "kind", "unknown member kind")
	v.Check(!party.IsZero(), "party", "must not be zero")
	_, dup := c.Member(party)
	v.Check(!dup, "party", "already a member")
	v.Check(len(c.members) < MaxCampaignMembers, "members", fmt.Sprintf("at most %d members", MaxCampaignMembers))
	if err := v.Err("lead.Campaign.AddMember"); err != nil {
		return err
	}
	c.members = append(c.members, Member{Kind: kind, Party: party, AddedAt: ch.At.UTC()})
	c.updatedAt = ch.At.UTC()
	c.emit(EventCampaignMember, ch, CampaignMemberAdded{Kind: kind, Party: party})
	return nil
}

// RecordResponse records a member's response ("clicked", "registered",
// "attended"). A party that is not a member, one that already responded,
// or an empty or overlong response is refused with a *crm.ValidationError.
func (c *Campaign) RecordResponse(party crm.ID, response string, ch Change) error {
	v := c.guard(ch)
	i := slices.IndexFunc(c.members, func(m Member) bool { return m.Party == party })
	if v.Check(i >= 0, "party", "not a member") {
		v.Check(c.members[i].RespondedAt.IsZero(), "party", "already responded")
	}
	v.Check(strings.TrimSpace(response) != "", "response", "required")
	checkLine(v, "response", response, MaxResponseLen)
	if err := v.Err("lead.Campaign.RecordResponse"); err != nil {
		return err
	}
	at := ch.At.UTC()
	c.members = slices.Clone(c.members)
	c.members[i].RespondedAt, c.members[i].Response = at, strings.TrimSpace(response)
	c.updatedAt = at
	c.emit(EventCampaignResponse, ch, CampaignResponded{Party: party, Response: c.members[i].Response})
	return nil
}

// SetCost sets the actual spend. A negative or invalid amount, or one in
// another currency than the budget, is refused.
func (c *Campaign) SetCost(cost crm.Money, ch Change) error {
	v := c.guard(ch)
	checkBudget(v, c.budget, cost)
	if err := v.Err("lead.Campaign.SetCost"); err != nil {
		return err
	}
	from := c.cost
	c.cost, c.updatedAt = cost, ch.At.UTC()
	c.emit(EventCampaignCost, ch, CampaignCostSet{From: from, To: cost})
	return nil
}

func (c *Campaign) emit(typ string, ch Change, data any) {
	c.events = append(c.events, crm.Event{
		Type: typ, Tenant: c.tenant, AggregateID: c.id, At: ch.At.UTC(), Actor: string(ch.Actor), Data: data,
	})
}

// Events returns the domain events recorded since the campaign was built
// or loaded, with Version set to the campaign's version.
func (c *Campaign) Events() []crm.Event {
	out := slices.Clone(c.events)
	for i := range out {
		out[i].Version = c.version
	}
	return out
}

// saved tells the campaign it was stored at version and drops its events
// (the Saved hook, see hooks.go).
func (c *Campaign) saved(version int64) {
	c.version = version
	c.events = nil
}

// Clone returns a deep copy of c.
func (c *Campaign) Clone() *Campaign {
	d := *c
	d.segment = cloneSegment(c.segment)
	d.members = slices.Clone(c.members)
	d.events = slices.Clone(c.events)
	return &d
}

// CampaignRecord is the persisted form of a [Campaign].
type CampaignRecord struct {
	ID         crm.ID
	Tenant     crm.TenantID
	Version    int64
	Name       string
	Channel    CampaignChannel
	Start, End time.Time
	Budget     crm.Money
	Cost       crm.Money
	Segment    customer.Segment
	Members    []Member
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Record returns the campaign's persisted form, sharing nothing with c.
func (c *Campaign) Record() CampaignRecord {
	d := c.Clone()
	return CampaignRecord{ID: d.id, Tenant: d.tenant, Version: d.version, Name: d.name, Channel: d.channel,
		Start: d.start, End: d.end, Budget: d.budget, Cost: d.cost, Segment: d.segment, Members: d.members,
		CreatedAt: d.createdAt, UpdatedAt: d.updatedAt}
}

// CampaignFromRecord rebuilds a campaign from its persisted form, checking
// the invariants every stored campaign keeps.
func CampaignFromRecord(r CampaignRecord) (*Campaign, error) {
	c, err := adoptCampaignRecord(r)
	if err != nil {
		return nil, err
	}
	return c.Clone(), nil
}

// adoptCampaignRecord is the Adopt hook of campaigns: CampaignFromRecord
// without the copies.
func adoptCampaignRecord(r CampaignRecord) (*Campaign, error) {
	if err := checkCampaignRecord("lead.CampaignFromRecord", r); err != nil {
		return nil, err
	}
	return &Campaign{id: r.ID, tenant: r.Tenant, version: r.Version, name: r.Name, channel: r.Channel,
		start: r.Start, end: r.End, budget: r.Budget, cost: r.Cost, segment: r.Segment, members: r.Members,
		createdAt: r.CreatedAt, updatedAt: r.UpdatedAt}, nil
}

// view is the campaign's persisted form sharing c's slices: for checks
// that only read it.
func (c *Campaign) view() CampaignRecord {
	return CampaignRecord{ID: c.id, Tenant: c.tenant, Version: c.version, Name: c.name, Channel: c.channel,
		Start: c.start, End: c.end, Budget: c.budget, Cost: c.cost, Segment: c.segment, Members: c.members,
		CreatedAt: c.createdAt, UpdatedAt: c.updatedAt}
}

// checkCampaignRecord is the one check of a stored campaign, reported for
// op.
func checkCampaignRecord(op string, r CampaignRecord) error {
	var v crm.Validator
	v.Check(!r.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", r.Tenant.Validate())
	v.Check(r.Version >= 0, "version", "must not be negative")
	v.Check(strings.TrimSpace(r.Name) != "", "name", "required")
	checkLine(&v, "name", r.Name, MaxNameLen)
	v.Check(r.Channel.Valid(), "channel", "unknown channel")
	checkPeriod(&v, r.Start, r.End)
	checkBudget(&v, r.Budget, r.Cost)
	if !isZeroSegment(r.Segment) {
		v.Merge("segment", r.Segment.Validate())
	}
	v.Check(len(r.Members) <= MaxCampaignMembers, "members", "too many")
	seen := make(map[crm.ID]bool, len(r.Members))
	for i, m := range r.Members {
		p := fmt.Sprintf("members[%d]", i)
		v.Check(m.Kind.Valid(), p+".kind", "unknown member kind")
		v.Check(!m.Party.IsZero() && !seen[m.Party], p+".party", "must be set and not repeated")
		seen[m.Party] = true
		v.Check(!m.AddedAt.IsZero() && crm.ValidTime(m.AddedAt) && crm.ValidTime(m.RespondedAt), p+".added_at", "must be set and in range")
		v.Check(m.RespondedAt.IsZero() == (m.Response == ""), p+".response", "set exactly when the member responded")
		checkLine(&v, p+".response", m.Response, MaxResponseLen)
	}
	v.Check(!r.CreatedAt.IsZero() && crm.ValidTime(r.CreatedAt) && crm.ValidTime(r.UpdatedAt), "created_at", "must be set and in range")
	return v.Err(op)
}
