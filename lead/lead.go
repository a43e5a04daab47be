package lead

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// Limits on lead fields. Every path into a lead (New, Attach, FromRecord)
// enforces them; text must be valid UTF-8 without NUL, one-line fields
// without any control character, and every time within [crm.ValidTime].
const (
	MaxNameLen       = 200      // runes in a name, title, company or industry
	MaxDetailLen     = 200      // runes in a source's detail
	MaxContacts      = 20       // contact points on one lead (e-mails and phones together)
	MaxContactLen    = 320      // bytes of one raw contact point as captured
	MaxAttributes    = 100      // free attributes
	MaxKeyLen        = 64       // bytes in an attribute key
	MaxValueLen      = 4096     // runes in an attribute value
	MaxPayloadLen    = 64 << 10 // bytes of the raw capture payload
	MaxTopics        = 50       // topics (skills the lead needs)
	MaxTopicLen      = 64       // bytes in a topic or language tag
	MaxTouches       = 1000     // touches kept on one lead
	MaxTeamLen       = 64       // bytes in a team name
	MaxCompanySize   = 10000000 // employees
	MaxReasonCodeLen = 64       // bytes in a disqualification reason code
	maxSourceLen     = customer.MaxSourceLen
)

// Change says who makes a change, when and why: the kernel's [crm.Change].
type Change = crm.Change

// Source says where a lead came from.
type Source struct {
	// Kind is the kind of source; required.
	Kind SourceKind `json:"kind"`
	// Detail names the form, event, list or call line, free text; optional.
	Detail string `json:"detail,omitempty"`
	// Referrer is the customer or dealer who referred the lead; required
	// for SourceReferral and refused for any other kind.
	Referrer crm.ID `json:"referrer,omitzero"`
	// Campaign is the campaign the lead responded to; required for
	// SourceCampaign, optional for the others (an event or a web form may
	// belong to a campaign).
	Campaign crm.ID `json:"campaign,omitzero"`
}

func (s Source) validate(v *crm.Validator, path string) {
	v.Check(s.Kind.Valid(), path+".kind", "unknown source")
	checkLine(v, path+".detail", s.Detail, MaxDetailLen)
	switch s.Kind {
	case SourceReferral:
		v.Check(!s.Referrer.IsZero(), path+".referrer", "required for a referral")
	default:
		v.Check(s.Referrer.IsZero(), path+".referrer", "only for a referral")
	}
	if s.Kind == SourceCampaign {
		v.Check(!s.Campaign.IsZero(), path+".campaign", "required for a campaign source")
	}
}

// Touch is one contact of the prospect with the business's marketing: the
// capture itself, and every later capture or campaign response attached to
// the lead. Campaign attribution reads a lead's touches.
type Touch struct {
	// At is when it happened.
	At time.Time `json:"at"`
	// Channel is how it came in.
	Channel customer.Channel `json:"channel"`
	// Source says where it came from.
	Source Source `json:"source"`
}

// Score is a lead score stored on the lead with its explanation (see
// [Lead.ApplyScore], [Lead.ApplyPrediction] and [Decay]).
type Score struct {
	// Model says which scorer made the score; zero means ModelRules.
	Model ScoreModel `json:"model,omitempty"`
	// Fit, Engagement, Total and Grade are the scorer's result.
	Fit        float64 `json:"fit"`
	Engagement float64 `json:"engagement"`
	Total      float64 `json:"total"`
	Grade      string  `json:"grade,omitempty"`
	// Reasons explain the score rule by rule.
	Reasons []ScoreReason `json:"reasons,omitempty"`
	// At is when the score was computed; [Decay] counts from it.
	At time.Time `json:"at"`
}

// ScoreReason explains one scoring rule's part in a [Score].
type ScoreReason struct {
	Rule       string  `json:"rule"`
	Engagement bool    `json:"engagement,omitempty"`
	Count      int     `json:"count"`
	Points     float64 `json:"points"`
}

// Lead is a prospect captured from a channel and source, worked by one
// owner through its team's stages until it is converted or disqualified.
// Fields are private; methods validate their input, leave the lead
// unchanged when they refuse, and record a history entry and a domain
// event for every change.
//
// A Lead is not safe for concurrent use; use [Lead.Clone] to hand out
// copies. Build one with [New] or [FromRecord]: the zero Lead is not usable.
type Lead struct {
	// state holds the stored fields but the version and the history
	// sequence. It is shared copy-on-write with clones while shared is
	// set: every method that changes it calls own first.
	*state

	// id and tenant never change: kept beside the state, a store's Get
	// and the guard's checks of it do not reach into the state.
	id     crm.ID
	tenant crm.TenantID

	version    int64
	historySeq int64
	pending    []HistoryEntry
	events     []crm.Event

	// shared is set on every clone: its state may be shared with other
	// clones, so it is copied before any change. A Lead built by New or
	// FromRecord, or one that changed since it was cloned, shares nothing.
	shared bool
}

// state is a lead's stored state but its version and history sequence.
// A state reachable from a Lead whose shared flag is set is never
// written: own copies it before any change. Its lists, maps, address and
// score are never changed in place either (every change replaces them),
// so a copy of the struct is a copy of the state.
type state struct {
	team string

	kind        customer.Kind
	name        string
	title       string
	company     string
	industry    string
	companySize int
	language    string
	topics      []string
	address     *customer.Address
	contacts    []ContactPoint
	consents    map[customer.Channel]customer.Consent
	attrs       map[string]string
	payload     string
	keyProspect bool

	channel customer.Channel
	source  Source
	touches []Touch

	stage            Stage
	disqualifyReason string
	owner            crm.UserID
	assignedAt       time.Time
	customer         crm.ID
	opportunity      crm.ID
	score            *Score

	capturedAt     time.Time
	firstContactAt time.Time
	closedAt       time.Time
	reached        [numStages]time.Time // first time each stage was reached, by Stage-1
	updatedAt      time.Time
}

const numStages = 6

// NewInput holds what is captured about a lead.
type NewInput struct {
	ID     crm.ID
	Tenant crm.TenantID
	// Team is the team whose [Process] the lead follows; "" for the
	// default team.
	Team string
	// Kind says whether the prospect is a person or an organisation;
	// zero means customer.Person.
	Kind customer.Kind
	// Name is the person's name (or the organisation's, for an
	// organisation lead); optional.
	Name string
	// Title is the person's job title; optional.
	Title string
	// Company, Industry and CompanySize (employees) describe the
	// organisation; optional.
	Company     string
	Industry    string
	CompanySize int
	// Language is the prospect's language tag, e.g. "en" or "zh-CN";
	// optional, compared case-insensitively.
	Language string
	// Topics are what the prospect asked about (products, needs): the
	// skills assignment looks for. Normalised to lower case.
	Topics []string
	// Address is the prospect's postal address; optional.
	Address *customer.Address
	// Emails and Phones are the contact points as captured. Each is parsed
	// with customer.ParseEmail or customer.ParsePhone; one that does not
	// parse is kept raw and flagged ([ContactPoint.Problem]), never
	// dropped. Repeats of one point are kept once. At least one contact
	// point is required.
	Emails []string
	Phones []string
	// DefaultRegion is the region phone numbers without a country code are
	// read in (ISO 3166-1 alpha-2); optional.
	DefaultRegion string
	// Consents are the marketing consents given at capture, per channel,
	// each with its source; a zero At means the capture time.
	Consents map[customer.Channel]customer.Consent
	// Attributes are free key/value pairs (form fields the model does not
	// name).
	Attributes map[string]string
	// Payload is the raw capture (the form post, the e-mail), kept as is:
	// valid UTF-8 without NUL, at most MaxPayloadLen bytes.
	Payload string
	// KeyProspect marks a key prospect (大客户潜在): assignment then looks
	// for a senior manager ([Rules.KeyProspectSeniority]).
	KeyProspect bool
	// Channel is how the lead came in; required.
	Channel customer.Channel
	// Source is where it came from; required.
	Source Source
}

// New validates in and returns a lead in stage StageNew, captured at ch.At,
// with its capture recorded as the first touch.
func New(in NewInput, ch Change) (*Lead, error) {
	var v crm.Validator
	v.Check(!in.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", in.Tenant.Validate())
	checkTeam(&v, in.Team)
	if in.Kind == 0 {
		in.Kind = customer.Person
	}
	v.Check(in.Kind.Valid(), "kind", "unknown kind")
	checkLine(&v, "name", in.Name, MaxNameLen)
	checkLine(&v, "title", in.Title, MaxNameLen)
	checkLine(&v, "company", in.Company, MaxNameLen)
	checkLine(&v, "industry", in.Industry, MaxNameLen)
	v.Check(in.CompanySize >= 0 && in.CompanySize <= MaxCompanySize, "company_size", "out of range")
	checkTag(&v, "language", in.Language)
	var topics []string
	if v.Check(len(in.Topics) <= 4*MaxTopics, "topics", fmt.Sprintf("more than %d topics", MaxTopics)) {
		topics = normTopics(in.Topics) // quadratic: only on a bounded list
		checkTopics(&v, topics)
	}
	var addr *customer.Address
	if in.Address != nil {
		a, err := customer.NewAddress(*in.Address)
		v.Merge("address", err)
		addr = &a
	}
	v.Check(len(in.Emails)+len(in.Phones) <= MaxContacts, "contacts", fmt.Sprintf("more than %d contact points", MaxContacts))
	var contacts []ContactPoint
	if len(in.Emails)+len(in.Phones) <= MaxContacts {
		var err error
		contacts, err = parseContacts(in.Emails, in.Phones, in.DefaultRegion)
		v.Merge("", err)
		v.Check(err != nil || len(contacts) > 0, "contacts", "a lead needs at least one e-mail address or phone number")
	}
	v.Check(in.Channel.Valid(), "channel", "unknown channel")
	in.Source.validate(&v, "source")
	checkAttributes(&v, in.Attributes)
	checkPayload(&v, in.Payload)
	v.Merge("change", ch.Validate())
	consents := make(map[customer.Channel]customer.Consent, len(in.Consents))
	for c, k := range in.Consents {
		if k.At.IsZero() {
			k.At = ch.At
		}
		checkConsent(&v, c, k, ch.At)
		k.At, k.Source = k.At.UTC(), strings.TrimSpace(k.Source)
		consents[c] = k
	}
	if err := v.Err("lead.New"); err != nil {
		return nil, err
	}
	at := ch.At.UTC()
	l := &Lead{id: in.ID, tenant: in.Tenant, state: &state{
		team: in.Team, kind: in.Kind,
		name: strings.TrimSpace(in.Name), title: strings.TrimSpace(in.Title),
		company: strings.TrimSpace(in.Company), industry: strings.TrimSpace(in.Industry),
		companySize: in.CompanySize, language: strings.ToLower(strings.TrimSpace(in.Language)),
		topics: topics, address: addr, contacts: contacts, consents: consents,
		attrs: maps.Clone(in.Attributes), payload: in.Payload, keyProspect: in.KeyProspect,
		channel: in.Channel, source: in.Source, stage: StageNew, capturedAt: at, updatedAt: at,
	}}
	l.touches = []Touch{{At: at, Channel: in.Channel, Source: in.Source}}
	l.reached[StageNew-1] = at
	l.record(HistoryCaptured, "", StageNew.String(), ch)
	l.emit(EventCaptured, ch, Captured{Source: in.Source, Channel: in.Channel, Team: in.Team, NeedsReview: l.NeedsReview()})
	return l, nil
}

// checkLine checks a one-line text field: valid UTF-8, no control
// characters, at most maxRunes runes.
func checkLine(v *crm.Validator, path, s string, maxRunes int) {
	switch {
	case !utf8.ValidString(s):
		v.Addf(path, "not valid UTF-8")
	case strings.ContainsFunc(s, unicode.IsControl):
		v.Addf(path, "must not contain control characters")
	case utf8.RuneCountInString(s) > maxRunes:
		v.Addf(path, "longer than %d characters", maxRunes)
	}
}

// checkTag checks a short code: a language tag, a topic, a skill.
func checkTag(v *crm.Validator, path, s string) {
	switch {
	case len(s) > MaxTopicLen:
		v.Addf(path, "longer than %d bytes", MaxTopicLen)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		v.Addf(path, "must be printable UTF-8")
	}
}

func checkTeam(v *crm.Validator, team string) {
	switch {
	case len(team) > MaxTeamLen:
		v.Addf("team", "longer than %d bytes", MaxTeamLen)
	case !utf8.ValidString(team) || strings.ContainsFunc(team, unicode.IsControl):
		v.Addf("team", "must be printable UTF-8")
	}
}

// normTopics trims and lower-cases topics and drops blanks and repeats,
// keeping the first order.
func normTopics(in []string) []string {
	var out []string
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func checkTopics(v *crm.Validator, topics []string) {
	v.Check(len(topics) <= MaxTopics, "topics", fmt.Sprintf("more than %d topics", MaxTopics))
	for i, t := range topics {
		checkTag(v, fmt.Sprintf("topics[%d]", i), t)
	}
}

func checkAttributes(v *crm.Validator, m map[string]string) {
	if !v.Check(len(m) <= MaxAttributes, "attributes", fmt.Sprintf("more than %d attributes", MaxAttributes)) {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		val := m[k]
		switch {
		case k == "" || len(k) > MaxKeyLen:
			v.Addf("attributes", "key %.64q must be 1 to %d bytes", k, MaxKeyLen)
		case !utf8.ValidString(k) || strings.ContainsFunc(k, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }):
			v.Addf("attributes", "key %.64q must be printable with no spaces", k)
		case !utf8.ValidString(val) || strings.ContainsRune(val, 0):
			v.Addf("attributes."+k, "must be UTF-8 without NUL")
		case utf8.RuneCountInString(val) > MaxValueLen:
			v.Addf("attributes."+k, "longer than %d characters", MaxValueLen)
		}
	}
}

func checkPayload(v *crm.Validator, p string) {
	switch {
	case len(p) > MaxPayloadLen:
		v.Addf("payload", "longer than %d bytes", MaxPayloadLen)
	case !utf8.ValidString(p) || strings.ContainsRune(p, 0):
		v.Addf("payload", "must be UTF-8 without NUL")
	}
}

func checkConsent(v *crm.Validator, c customer.Channel, k customer.Consent, capture time.Time) {
	path := "consents." + c.String()
	v.Check(c.Valid(), path, "unknown channel")
	v.Check(strings.TrimSpace(k.Source) != "", path+".source", "required: say how consent was collected")
	checkLine(v, path+".source", k.Source, maxSourceLen)
	v.Check(crm.ValidTime(k.At), path+".at", "outside the supported time range")
	v.Check(capture.IsZero() || !k.At.After(capture), path+".at", "after the capture")
}

// ID returns the lead's ID.
func (l *Lead) ID() crm.ID {
	l.ensure()
	return l.id
}

// Tenant returns the tenant that owns the lead.
func (l *Lead) Tenant() crm.TenantID {
	l.ensure()
	return l.tenant
}

// Version returns the stored version: 0 before the first save.
func (l *Lead) Version() int64 {
	l.ensure()
	return l.version
}

// Team returns the team whose process the lead follows.
func (l *Lead) Team() string {
	l.ensure()
	return l.team
}

// Kind returns whether the prospect is a person or an organisation.
func (l *Lead) Kind() customer.Kind {
	l.ensure()
	return l.kind
}

// Name returns the prospect's name ("" when not captured).
func (l *Lead) Name() string {
	l.ensure()
	return l.name
}

// Title returns the person's job title.
func (l *Lead) Title() string {
	l.ensure()
	return l.title
}

// Company returns the organisation's name.
func (l *Lead) Company() string {
	l.ensure()
	return l.company
}

// Industry returns the organisation's industry.
func (l *Lead) Industry() string {
	l.ensure()
	return l.industry
}

// CompanySize returns the organisation's number of employees (0 when unknown).
func (l *Lead) CompanySize() int {
	l.ensure()
	return l.companySize
}

// Language returns the prospect's language tag, lower case.
func (l *Lead) Language() string {
	l.ensure()
	return l.language
}

// Topics returns what the prospect asked about, lower case.
func (l *Lead) Topics() []string {
	l.ensure()
	return slices.Clone(l.topics)
}

// Address returns the postal address and whether there is one.
func (l *Lead) Address() (customer.Address, bool) {
	l.ensure()
	if l.address == nil {
		return customer.Address{}, false
	}
	return l.address.Clone(), true
}

// Contacts returns every contact point, parsed or flagged, in capture order.
func (l *Lead) Contacts() []ContactPoint {
	l.ensure()
	return slices.Clone(l.contacts)
}

// Emails returns the e-mail addresses that parsed.
func (l *Lead) Emails() []customer.Email {
	l.ensure()
	var out []customer.Email
	for _, c := range l.contacts {
		if c.Kind == ContactEmail && c.Parsed() {
			out = append(out, c.Email)
		}
	}
	return out
}

// Phones returns the phone numbers that parsed.
func (l *Lead) Phones() []customer.Phone {
	l.ensure()
	var out []customer.Phone
	for _, c := range l.contacts {
		if c.Kind == ContactPhone && c.Parsed() {
			out = append(out, c.Phone)
		}
	}
	return out
}

// NeedsReview reports whether a contact point did not parse and waits for
// a person to read it.
func (l *Lead) NeedsReview() bool {
	l.ensure()
	return slices.ContainsFunc(l.contacts, func(c ContactPoint) bool { return !c.Parsed() })
}

// Consent returns the consent given for marketing on channel c, if any.
func (l *Lead) Consent(c customer.Channel) (customer.Consent, bool) {
	l.ensure()
	k, ok := l.consents[c]
	return k, ok
}

// Consents returns every consent by channel.
func (l *Lead) Consents() map[customer.Channel]customer.Consent {
	l.ensure()
	return maps.Clone(l.consents)
}

// MayContact reports whether marketing on channel c is allowed.
func (l *Lead) MayContact(c customer.Channel) bool {
	l.ensure()
	return l.consents[c].Granted
}

// Attributes returns the free attributes.
func (l *Lead) Attributes() map[string]string {
	l.ensure()
	return maps.Clone(l.attrs)
}

// Payload returns the raw capture payload.
func (l *Lead) Payload() string {
	l.ensure()
	return l.payload
}

// KeyProspect reports whether the lead is a key prospect.
func (l *Lead) KeyProspect() bool {
	l.ensure()
	return l.keyProspect
}

// Channel returns how the lead came in.
func (l *Lead) Channel() customer.Channel {
	l.ensure()
	return l.channel
}

// Source returns where the lead came from.
func (l *Lead) Source() Source {
	l.ensure()
	return l.source
}

// Touches returns the lead's touches, oldest first; the first is the capture.
func (l *Lead) Touches() []Touch {
	l.ensure()
	return slices.Clone(l.touches)
}

// Stage returns the current stage.
func (l *Lead) Stage() Stage {
	l.ensure()
	return l.stage
}

// DisqualifyReason returns the reason code of the disqualification ("" unless disqualified).
func (l *Lead) DisqualifyReason() string {
	l.ensure()
	return l.disqualifyReason
}

// Owner returns the person the lead is assigned to ("" when unassigned).
func (l *Lead) Owner() crm.UserID {
	l.ensure()
	return l.owner
}

// AssignedAt returns when the current owner got the lead (zero when unassigned).
func (l *Lead) AssignedAt() time.Time {
	l.ensure()
	return l.assignedAt
}

// Customer returns the customer the lead is linked to (zero when none).
func (l *Lead) Customer() crm.ID {
	l.ensure()
	return l.customer
}

// Opportunity returns the opportunity created at conversion (zero when none).
func (l *Lead) Opportunity() crm.ID {
	l.ensure()
	return l.opportunity
}

// Score returns the stored score, if any.
func (l *Lead) Score() (Score, bool) {
	l.ensure()
	if l.score == nil {
		return Score{}, false
	}
	return l.score.clone(), true
}

// CapturedAt returns when the lead was captured.
func (l *Lead) CapturedAt() time.Time {
	l.ensure()
	return l.capturedAt
}

// FirstContactAt returns when the prospect was first contacted (zero when not yet).
func (l *Lead) FirstContactAt() time.Time {
	l.ensure()
	return l.firstContactAt
}

// ClosedAt returns when the lead was converted or disqualified (zero while open).
func (l *Lead) ClosedAt() time.Time {
	l.ensure()
	return l.closedAt
}

// UpdatedAt returns when the lead last changed.
func (l *Lead) UpdatedAt() time.Time {
	l.ensure()
	return l.updatedAt
}

// ReachedAt returns when the lead first reached stage s (zero when never).
func (l *Lead) ReachedAt(s Stage) time.Time {
	l.ensure()
	if !s.Valid() {
		return time.Time{}
	}
	return l.reached[s-1]
}

// guard checks the change and that it does not go back before the lead's
// last change; it returns the validator for more checks.
func (l *Lead) guard(ch Change) *crm.Validator {
	l.ensure()
	v := &crm.Validator{}
	v.Merge("change", ch.Validate())
	if !ch.At.IsZero() {
		v.Check(!ch.At.Before(l.updatedAt), "change.at", "before the lead's last change")
	}
	return v
}

// Move moves the lead to stage to as p, its team's process, allows,
// recording it in the history. A move to StageDisqualified needs ch.Reason to be
// one of p.DisqualifyReasons, kept as the lead's disqualification reason.
// Leaving StageNew for any stage but StageDisqualified records the first contact.
// StageConverted is reached only through [Lead.MarkConverted].
//
// Refusals: a *crm.TransitionError (matching crm.ErrInvalidTransition) for
// a move p does not list; a *crm.ValidationError for a bad change, a
// process of another team or an unknown reason. The lead is unchanged.
func (l *Lead) Move(p *Process, to Stage, ch Change) error {
	l.ensure()
	v := l.guard(ch)
	if p == nil {
		v.Addf("process", "must not be nil")
	} else {
		v.Check(p.Team == l.team, "process", fmt.Sprintf("process of team %.64q, lead of team %.64q", p.Team, l.team))
		if to == StageDisqualified {
			v.Check(ch.Reason != "" && len(ch.Reason) <= MaxReasonCodeLen && !strings.ContainsFunc(ch.Reason, unicode.IsControl) &&
				slices.Contains(p.DisqualifyReasons, ch.Reason), "change.reason",
				fmt.Sprintf("must be one of the team's disqualification reasons (%s)", strings.Join(p.DisqualifyReasons, ", ")))
		}
	}
	if err := v.Err("lead.Move"); err != nil {
		return err
	}
	from := l.stage
	switch {
	case !to.Valid() || to == StageNew:
		// Only an unvalidated process can list these; refuse them here
		// too, so that no table makes a lead go back to new or nowhere.
		return fmt.Errorf("lead: move %s: %w", l.id, refuse(from, to, "no lead moves to that stage"))
	case to == StageConverted:
		return fmt.Errorf("lead: move %s: %w", l.id, refuse(from, to, "a lead is converted by conversion (MarkConverted)"))
	case !p.CanMove(from, to):
		reason := ""
		if from == to {
			reason = "already in that stage"
		}
		return fmt.Errorf("lead: move %s: %w", l.id, refuse(from, to, reason))
	}
	l.setStage(to, ch)
	if to == StageDisqualified {
		l.disqualifyReason = ch.Reason
	}
	return nil
}

// setStage moves to stage to and records it.
func (l *Lead) setStage(to Stage, ch Change) {
	l.ensure()
	l.own()
	at := ch.At.UTC()
	from := l.stage
	l.stage = to
	if l.reached[to-1].IsZero() {
		l.reached[to-1] = at
	}
	if from == StageNew && to != StageDisqualified && l.firstContactAt.IsZero() {
		l.firstContactAt = at
	}
	switch {
	case !to.Open():
		l.closedAt = at
	case !from.Open():
		l.closedAt = time.Time{}
		l.disqualifyReason = ""
	}
	l.updatedAt = at
	l.record(HistoryStage, from.String(), to.String(), ch)
	l.emit(EventStageChanged, ch, StageChanged{From: from, To: to, Reason: ch.Reason})
}

// MarkConverted marks a qualified lead converted into customer (required)
// and, when not zero, opportunity, linking the lead to both. It is the
// lead's part of the conversion use case, which creates or finds the
// customer and the opportunity in the same transaction. A lead that is
// not qualified is refused with a *crm.TransitionError and left unchanged.
func (l *Lead) MarkConverted(cust, opportunity crm.ID, ch Change) error {
	l.ensure()
	v := l.guard(ch)
	v.Check(!cust.IsZero(), "customer", "must not be zero")
	if err := v.Err("lead.MarkConverted"); err != nil {
		return err
	}
	if l.stage != StageQualified {
		return fmt.Errorf("lead: mark converted %s: %w", l.id, refuse(l.stage, StageConverted, "only a qualified lead is converted"))
	}
	l.own()
	l.customer, l.opportunity = cust, opportunity
	l.setStage(StageConverted, ch)
	return nil
}

// RecordContact records the first contact with the prospect without a
// stage change (a call that reached nobody's decision yet); it stops the
// first-contact clock. A lead already contacted or closed is refused with a
// *crm.ValidationError.
func (l *Lead) RecordContact(ch Change) error {
	l.ensure()
	v := l.guard(ch)
	v.Check(l.firstContactAt.IsZero(), "first_contact_at", "already recorded")
	v.Check(l.stage.Open(), "stage", "the lead is closed")
	if err := v.Err("lead.RecordContact"); err != nil {
		return err
	}
	at := ch.At.UTC()
	l.own()
	l.firstContactAt, l.updatedAt = at, at
	l.record(HistoryContact, "", at.Format(time.RFC3339), ch)
	l.emit(EventContacted, ch, ContactRecorded{})
	return nil
}

// Assign gives the lead to owner, recording it; assigning a lead that has
// an owner is a reassignment and needs a reason. The first-contact clock
// restarts for the new owner ([Lead.FirstContactTimer]). A closed lead, an
// invalid owner or the current owner are refused with a
// *crm.ValidationError.
func (l *Lead) Assign(owner crm.UserID, ch Change) error {
	l.ensure()
	v := l.guard(ch)
	v.Merge("owner", owner.Validate())
	v.Check(owner != l.owner, "owner", "already the owner")
	v.Check(l.stage.Open(), "stage", "the lead is closed")
	if l.owner != "" {
		v.Check(strings.TrimSpace(ch.Reason) != "", "change.reason", "required for a reassignment")
	}
	if err := v.Err("lead.Assign"); err != nil {
		return err
	}
	from := l.owner
	at := ch.At.UTC()
	l.own()
	l.owner, l.assignedAt, l.updatedAt = owner, at, at
	l.record(HistoryOwner, string(from), string(owner), ch)
	l.emit(EventAssigned, ch, Assigned{From: from, To: owner})
	return nil
}

// SetKeyProspect marks or unmarks the lead as a key prospect.
func (l *Lead) SetKeyProspect(key bool, ch Change) error {
	l.ensure()
	v := l.guard(ch)
	v.Check(key != l.keyProspect, "key_prospect", "unchanged")
	if err := v.Err("lead.SetKeyProspect"); err != nil {
		return err
	}
	l.own()
	l.keyProspect = key
	l.updatedAt = ch.At.UTC()
	l.record(HistoryKeyProspect, fmt.Sprint(!key), fmt.Sprint(key), ch)
	return nil
}

// LinkCustomer links the lead to an existing customer (a duplicate found at
// capture, see [ResolveDuplicates]), recording it. A zero ID, a closed lead
// or the customer already linked are refused with a *crm.ValidationError.
func (l *Lead) LinkCustomer(id crm.ID, ch Change) error {
	l.ensure()
	v := l.guard(ch)
	v.Check(!id.IsZero(), "customer", "must not be zero")
	v.Check(id != l.customer, "customer", "already linked")
	v.Check(l.stage.Open(), "stage", "the lead is closed")
	if err := v.Err("lead.LinkCustomer"); err != nil {
		return err
	}
	from := ""
	if !l.customer.IsZero() {
		from = l.customer.String()
	}
	l.own()
	l.customer = id
	l.updatedAt = ch.At.UTC()
	l.record(HistoryCustomer, from, id.String(), ch)
	l.emit(EventLinked, ch, Linked{Customer: id})
	return nil
}

// Attach folds a duplicate capture into the lead (the [AttachToLead]
// policy): the capture's touches are appended, its contact points the lead
// lacks are added, its consents replace older ones per channel, and its
// attributes fill keys the lead lacks; nothing the lead holds is lost. dup
// is a lead built with [New] and never stored. A closed lead, dup of
// another tenant, or a result beyond the limits is refused with a
// *crm.ValidationError and the lead is unchanged.
func (l *Lead) Attach(dup *Lead, ch Change) error {
	l.ensure()
	v := l.guard(ch)
	if dup == nil {
		v.Addf("dup", "must not be nil")
	} else {
		dup.ensure()
		v.Check(dup.tenant == l.tenant, "dup", "of another tenant")
		v.Check(dup.id != l.id, "dup", "the lead itself")
	}
	v.Check(l.stage.Open(), "stage", "the lead is closed")
	if err := v.Err("lead.Attach"); err != nil {
		return err
	}
	contacts := slices.Clone(l.contacts)
	for _, c := range dup.contacts {
		if !slices.ContainsFunc(contacts, func(x ContactPoint) bool { return x.key() == c.key() }) {
			contacts = append(contacts, c)
		}
	}
	touches := append(slices.Clone(l.touches), dup.touches...)
	slices.SortStableFunc(touches, func(a, b Touch) int { return a.At.Compare(b.At) })
	attrs := maps.Clone(l.attrs)
	for k, val := range dup.attrs {
		if _, ok := attrs[k]; !ok {
			if attrs == nil {
				attrs = map[string]string{}
			}
			attrs[k] = val
		}
	}
	v.Check(len(contacts) <= MaxContacts, "contacts", fmt.Sprintf("more than %d contact points", MaxContacts))
	v.Check(len(touches) <= MaxTouches, "touches", fmt.Sprintf("more than %d touches", MaxTouches))
	v.Check(len(attrs) <= MaxAttributes, "attributes", fmt.Sprintf("more than %d attributes", MaxAttributes))
	if err := v.Err("lead.Attach"); err != nil {
		return err
	}
	consents := maps.Clone(l.consents)
	if consents == nil {
		consents = map[customer.Channel]customer.Consent{}
	}
	for c, k := range dup.consents {
		if old, ok := consents[c]; !ok || k.At.After(old.At) {
			consents[c] = k
		}
	}
	l.own()
	l.contacts, l.touches, l.attrs, l.consents = contacts, touches, attrs, consents
	l.updatedAt = ch.At.UTC()
	l.record(HistoryTouch, "", dup.id.String(), ch)
	l.emit(EventTouched, ch, Touched{Touches: slices.Clone(dup.touches)})
	return nil
}

// record appends a pending history entry.
func (l *Lead) record(kind HistoryKind, from, to string, ch Change) {
	l.ensure()
	l.historySeq++
	l.pending = append(l.pending, HistoryEntry{
		LeadID: l.id, Seq: l.historySeq, Kind: kind, From: from, To: to,
		At: ch.At.UTC(), Actor: ch.Actor, Reason: ch.Reason,
	})
}

// emit appends a pending domain event.
func (l *Lead) emit(typ string, ch Change, data any) {
	l.ensure()
	l.events = append(l.events, crm.Event{
		Type: typ, Tenant: l.tenant, AggregateID: l.id, At: ch.At.UTC(), Actor: string(ch.Actor), Data: data,
	})
}

// PendingHistory returns the history entries recorded since the lead was
// built, loaded or last saved, oldest first: for a host's own store to
// append with the lead.
func (l *Lead) PendingHistory() []HistoryEntry {
	l.ensure()
	return slices.Clone(l.pending)
}

// Events returns the domain events recorded since the lead was built or
// loaded, in order, with Version set to the lead's version.
func (l *Lead) Events() []crm.Event {
	l.ensure()
	out := slices.Clone(l.events)
	for i := range out {
		out[i].Version = l.version
	}
	return out
}

// saved tells the lead it was stored at version: it sets the version and
// drops the pending history and events (the Saved hook, see hooks.go).
func (l *Lead) saved(version int64) {
	l.ensure()
	l.version = version
	l.pending, l.events = nil, nil
}

// Clone returns a copy of l that no change of either can reach the other
// through. A lead never changes its lists, maps, address or score in place
// (every change replaces them, and accessors hand out copies), and a
// clone of a lead that is itself a clone (a store's snapshot, what a
// store's Get returns) shares its state until one of them changes it
// (each copies it first, see own): cloning it costs one small allocation
// whatever the lead holds, which is what makes a store's Get cheap. A
// clone of a lead that shares nothing gets its own copy of the state, as
// the caller may hold copies of the Lead value that share it. Clone never
// writes to l, so that clones of one lead may be made concurrently.
//
// Copying a Lead value (x := *l) does not copy the lead: use Clone.
func (l *Lead) Clone() *Lead {
	l.ensure()
	d := *l
	if !l.shared {
		st := *l.state
		d.state = &st
	}
	d.shared = true
	d.pending = slices.Clone(l.pending)
	d.events = slices.Clone(l.events)
	return &d
}

// own gives l its own copy of its state, so that it can change it. It does
// nothing when l shares nothing. The copy is shallow: the lists and maps it
// shares are never changed in place.
func (l *Lead) own() {
	l.ensure()
	if !l.shared {
		return
	}
	st := *l.state
	l.state = &st
	l.shared = false
}

// deepClone returns a copy of l sharing no memory with it, for a record
// handed to a caller who may change it. It does not write to l.
func (l *Lead) deepClone() *Lead {
	l.ensure()
	st := *l.state
	d := &Lead{
		state: &st, id: l.id, tenant: l.tenant, version: l.version, historySeq: l.historySeq,
		pending: slices.Clone(l.pending), events: slices.Clone(l.events),
	}
	d.topics = slices.Clone(l.topics)
	if l.address != nil {
		a := l.address.Clone()
		d.address = &a
	}
	d.contacts = slices.Clone(l.contacts)
	d.consents = maps.Clone(l.consents)
	d.attrs = maps.Clone(l.attrs)
	d.touches = slices.Clone(l.touches)
	if l.score != nil {
		sc := l.score.clone()
		d.score = &sc
	}
	return d
}

func (s Score) clone() Score {
	s.Reasons = slices.Clone(s.Reasons)
	return s
}

// HistoryEntry is one recorded change of a lead: what, from, to, when, who
// and why. History is append-only.
type HistoryEntry struct {
	// LeadID is the lead the entry belongs to.
	LeadID crm.ID
	// Seq numbers the lead's entries from 1.
	Seq int64
	// Kind says what changed.
	Kind HistoryKind
	// From and To are the old and new values in text form ("" when none).
	From, To string
	// At, Actor and Reason come from the Change.
	At     time.Time
	Actor  crm.UserID
	Reason string
}

// ensure gives a Lead built around the constructors (the zero Lead) an
// empty state, so that its methods refuse or report zero values instead
// of panicking. A Lead from New or FromRecord always has a state: ensure
// then only reads.
func (l *Lead) ensure() {
	if l.state == nil {
		l.state = &state{}
	}
}
