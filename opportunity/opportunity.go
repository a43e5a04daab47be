package opportunity

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
)

// Limits on opportunity fields.
const (
	MaxNameLen     = 200   // runes in a name, contract reference or competitor name
	MaxTextLen     = 10000 // runes in notes, strengths, weaknesses or a next step
	MaxContacts    = 100   // contacts on one opportunity
	MaxCompetitors = 50    // competitors on one opportunity
)

// Change says who makes a change, when and why: the kernel's [crm.Change].
type Change = crm.Change

// Source says where an opportunity came from.
type Source struct {
	// Kind is required.
	Kind SourceKind `json:"kind"`
	// Lead is the converted lead (required for FromLead).
	Lead crm.ID `json:"lead,omitzero"`
	// Campaign is the campaign code (required for FromCampaign).
	Campaign string `json:"campaign,omitempty"`
	// Referrer is the referring customer or dealer (required for the two
	// referral kinds), so referral value (推荐价值) can be counted.
	Referrer crm.ID `json:"referrer,omitzero"`
	// Channel is the sales channel (required for FromChannel).
	Channel customer.Channel `json:"channel,omitzero"`
}

func (s Source) validate(v *crm.Validator, path string) {
	if !v.Check(s.Kind.Valid(), path+".kind", "unknown source kind") {
		return
	}
	switch s.Kind {
	case FromLead:
		v.Check(!s.Lead.IsZero(), path+".lead", "required for a lead")
	case FromCampaign:
		checkCode(v, path+".campaign", s.Campaign, true)
	case FromCustomerReferral, FromDealerReferral:
		v.Check(!s.Referrer.IsZero(), path+".referrer", "required for a referral")
	case FromChannel:
		v.Check(s.Channel.Valid(), path+".channel", "unknown channel")
	}
	if s.Kind != FromCampaign {
		checkCode(v, path+".campaign", s.Campaign, false)
	}
	v.Check(s.Channel == 0 || s.Channel.Valid(), path+".channel", "unknown channel")
}

// Contact is a named person on the customer's side with a role in the
// decision.
type Contact struct {
	// Name is required.
	Name string `json:"name"`
	// Role is required.
	Role ContactRole `json:"role"`
	// Person optionally links the host's record of the person.
	Person crm.ID `json:"person,omitzero"`
}

// NextStep is the next thing to do on the opportunity, and by when.
type NextStep struct {
	Text string        `json:"text"`
	Due  calendar.Date `json:"due,omitzero"`
}

// Competitor is a rival on the deal.
type Competitor struct {
	// Name identifies the competitor on the opportunity. Required.
	Name string `json:"name"`
	// Offer is their price, when known; the zero Money when not. It must be
	// in the opportunity's currency.
	Offer      crm.Money `json:"offer,omitzero"`
	Strengths  string    `json:"strengths,omitempty"`
	Weaknesses string    `json:"weaknesses,omitempty"`
	// Status is required.
	Status CompetitorStatus `json:"status"`
}

// ProbabilityOverride is a win probability set by hand instead of the
// stage's default, with who set it and why.
type ProbabilityOverride struct {
	Value  float64    `json:"value"`
	Actor  crm.UserID `json:"actor"`
	At     time.Time  `json:"at"`
	Reason string     `json:"reason"`
}

// WonDetails says how an opportunity was won.
type WonDetails struct {
	// ContractDate is the day the contract was signed. Required; not
	// before the opportunity was created.
	ContractDate calendar.Date `json:"contract_date"`
	// Contract references the signed contract. Required.
	Contract string `json:"contract"`
}

// LostDetails says why an opportunity was lost.
type LostDetails struct {
	// Reason is a code from the pipeline's LostReasons (any non-empty
	// code when the pipeline has none). Required.
	Reason string `json:"reason"`
	// Competitor is the competitor that won, "" when none or unknown.
	Competitor string `json:"competitor,omitempty"`
	// Notes are free text.
	Notes string `json:"notes,omitempty"`
}

// StageChange is one kept stage change: from, to, when, who, why, and how
// long the opportunity had been in the stage it left, in calendar time and
// in business time on the pipeline's calendar. Creation is kept as a
// change from "".
type StageChange struct {
	// Opportunity is the opportunity the change belongs to.
	Opportunity crm.ID
	// Seq numbers the opportunity's changes from 1.
	Seq int64
	// Team and Pipeline are the opportunity's at the time.
	Team, Pipeline string
	// From and To are stage codes ("won" and "lost" for closing).
	From, To string
	// At, Actor and Reason come from the Change.
	At     time.Time
	Actor  crm.UserID
	Reason string
	// InStage is the calendar time spent in From; InStageBusiness the
	// working time on the pipeline's calendar (0 without one).
	InStage, InStageBusiness time.Duration
	// Probability is the win probability the opportunity had in From (the
	// override when one was set), 0 for creation: what [PredictionsUsed]
	// calibrates.
	Probability float64
}

// Opportunity is a possible sale to one customer, worked by one owner
// through the stages of a [Pipeline] until it is won or lost. Fields are
// private; methods validate their input, leave the opportunity unchanged
// when they refuse, and record a domain event for every change and a
// [StageChange] for every change of stage.
//
// An Opportunity is not safe for concurrent use; use [Opportunity.Clone]
// to hand out copies. Build one with [New] or [FromRecord]: the zero
// Opportunity is not usable.
type Opportunity struct {
	// state holds the stored fields but the version. It is shared
	// copy-on-write with clones while shared is set: every method that
	// changes it calls own first.
	*state

	// id and tenant never change: kept beside the state, a store's Get
	// and the guard's checks of it do not reach into the state.
	id     crm.ID
	tenant crm.TenantID

	version int64
	pending []StageChange
	events  []crm.Event

	// shared is set when state may be shared with another Opportunity:
	// Clone sets it on both sides.
	shared bool
}

// state is an opportunity's stored state but its version. A state
// reachable from an Opportunity whose shared flag is set is never written:
// own copies it (with its lists and pointed-to details) before any change.
type state struct {
	customer crm.ID
	owner    crm.UserID
	team     string
	pipeline string
	name     string
	source   Source
	segment  string
	contacts []Contact

	currency  crm.Currency
	amount    crm.Money
	lines     []Line
	approvals []Approval

	status        Status
	stage         string // current stage: an open stage, won or lost
	closedFrom    string // the open stage it was closed from
	stageSince    time.Time
	stageProb     float64
	stageCategory ForecastCategory
	probOverride  *ProbabilityOverride
	category      ForecastCategory // set by hand; 0 uses the stage's

	closeDate   calendar.Date
	nextStep    NextStep
	competitors []Competitor
	won         *WonDetails
	lost        *LostDetails
	closedAt    time.Time
	reopens     int
	createdAt   time.Time
	updatedAt   time.Time

	seq int64
}

// NewInput holds what is needed to open an opportunity.
type NewInput struct {
	ID       crm.ID
	Tenant   crm.TenantID
	Customer crm.ID
	// Owner is the one salesperson responsible. Required.
	Owner crm.UserID
	// Team defaults to the pipeline's team.
	Team string
	// Name describes the deal, e.g. "200 air conditioners for the Pudong
	// store". Required.
	Name   string
	Source Source
	// Segment is the customer's segment in the host's terms, kept for
	// win/loss analysis; optional.
	Segment string
	// Currency is the currency of every amount on the opportunity. Required.
	Currency crm.Currency
	// Amount is an entered amount; the zero Money for none yet.
	Amount crm.Money
	// CloseDate is the expected close date; the zero Date for none yet.
	CloseDate calendar.Date
	// Stage is the open stage to start in; "" for the pipeline's first.
	// The stage's requirements must be met.
	Stage    string
	Contacts []Contact
}

// New validates in and returns an open opportunity in its first stage of
// p at ch.At.
func New(in NewInput, p *Pipeline, ch Change) (*Opportunity, error) {
	const op = "opportunity.New"
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("opportunity: new: pipeline: %w", err)
	}
	if in.Team == "" {
		in.Team = p.Team
	}
	if in.Stage == "" {
		in.Stage = p.Stages[0].Code
	}
	var v crm.Validator
	v.Check(!in.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", in.Tenant.Validate())
	v.Check(!in.Customer.IsZero(), "customer", "must not be zero")
	v.Merge("owner", in.Owner.Validate())
	checkCode(&v, "team", in.Team, false)
	requireText(&v, "name", in.Name, MaxNameLen)
	in.Source.validate(&v, "source")
	checkCode(&v, "segment", in.Segment, false)
	v.Check(!in.Currency.IsZero(), "currency", "must be set")
	if !in.Amount.Currency().IsZero() || !in.Amount.IsZero() {
		checkAmount(&v, "amount", in.Amount, in.Currency)
	}
	checkContacts(&v, in.Contacts)
	v.Check(p.Index(in.Stage) >= 0, "stage", "stage "+quote(in.Stage)+" is not an open stage of pipeline "+quote(p.Code))
	if in.CloseDate != (calendar.Date{}) {
		v.Merge("close_date", in.CloseDate.Validate())
		if !ch.At.IsZero() {
			v.Check(!dateBefore(in.CloseDate, calendar.DateOf(ch.At.UTC())), "close_date", "before the opportunity existed")
		}
	}
	validateChange(&v, ch)
	if err := v.Err(op); err != nil {
		return nil, err
	}
	at := ch.At.UTC()
	amount := crm.Zero(in.Currency)
	if !in.Amount.Currency().IsZero() {
		amount = in.Amount
	}
	s, _ := p.Stage(in.Stage)
	o := &Opportunity{id: in.ID, tenant: in.Tenant, state: &state{
		customer: in.Customer, owner: in.Owner, team: in.Team, pipeline: p.Code,
		name: strings.TrimSpace(in.Name), source: in.Source, segment: in.Segment, contacts: slices.Clone(in.Contacts),
		currency: in.Currency, amount: amount, status: Open, stage: s.Code, stageSince: at,
		stageProb: s.Probability, stageCategory: stageCategory(s), closeDate: in.CloseDate,
		createdAt: at, updatedAt: at,
	}}
	if missing := o.missing(p.Requirements(s.Code)); len(missing) > 0 {
		return nil, fmt.Errorf("opportunity: new: %w", &RequirementError{From: "", To: s.Code, Missing: missing})
	}
	o.record(p, "", s.Code, ch, 0, 0)
	o.emit(EventCreated, ch, Created{Customer: o.customer, Owner: o.owner, Team: o.team, Pipeline: o.pipeline,
		Stage: o.stage, Source: o.source})
	return o, nil
}

func stageCategory(s StageDef) ForecastCategory {
	if s.Category == 0 {
		return CategoryPipeline
	}
	return s.Category
}

func validateChange(v *crm.Validator, ch Change) { v.Merge("change", ch.Validate()) }

func requireReason(v *crm.Validator, ch Change, what string) {
	v.Check(strings.TrimSpace(ch.Reason) != "", "change.reason", "required for "+what)
}

func checkAmount(v *crm.Validator, path string, m crm.Money, c crm.Currency) {
	if err := m.Validate(); err != nil {
		v.Merge(path, err)
		return
	}
	if m.Currency() != c {
		v.Addf(path, "%s: in %s, the opportunity is in %s", crm.ErrCurrencyMismatch.Error(), m.Currency(), c)
		return
	}
	v.Check(!m.IsNegative(), path, "must not be negative")
	v.Check(-m.Amount().Exponent() <= c.MinorUnits(), path, "has more decimal places than the currency's minor unit")
}

func checkContacts(v *crm.Validator, cs []Contact) {
	v.Check(len(cs) <= MaxContacts, "contacts", fmt.Sprintf("more than %d contacts", MaxContacts))
	for i, c := range cs {
		path := fmt.Sprintf("contacts[%d]", i)
		requireText(v, path+".name", c.Name, MaxNameLen)
		v.Check(c.Role.Valid(), path+".role", "unknown contact role")
	}
}

// RequirementError reports a stage an opportunity cannot enter because it
// lacks what the stage requires. It unwraps to a *crm.TransitionError, so
// errors.Is(err, crm.ErrInvalidTransition) holds.
type RequirementError struct {
	// From and To are the stages of the refused move.
	From, To string
	// Missing lists what is missing, in Field order.
	Missing []Field
}

// Error lists the missing fields.
func (e *RequirementError) Error() string { return e.transition().Error() }

// Unwrap returns the equivalent *crm.TransitionError.
func (e *RequirementError) Unwrap() error { return e.transition() }

func (e *RequirementError) transition() *crm.TransitionError {
	names := make([]string, len(e.Missing))
	for i, f := range e.Missing {
		names[i] = f.String()
	}
	return &crm.TransitionError{Machine: machineName, From: e.From, To: e.To, Reason: "missing " + strings.Join(names, ", ")}
}

// Has reports whether f is among the missing fields.
func (e *RequirementError) Has(f Field) bool { return slices.Contains(e.Missing, f) }

// missing returns the fields of req that o lacks.
func (o *Opportunity) missing(req []Field) []Field {
	var out []Field
	for _, f := range req {
		if !o.hasField(f) {
			out = append(out, f)
		}
	}
	return out
}

func (o *Opportunity) hasField(f Field) bool {
	switch f {
	case FieldAmount:
		return o.amount.IsPositive()
	case FieldLines:
		return len(o.lines) > 0
	case FieldCloseDate:
		return o.closeDate != (calendar.Date{})
	case FieldDecisionMaker:
		return slices.ContainsFunc(o.contacts, func(c Contact) bool { return c.Role == DecisionMaker })
	case FieldContact:
		return len(o.contacts) > 0
	case FieldNextStep:
		return strings.TrimSpace(o.nextStep.Text) != "" && o.nextStep.Due != (calendar.Date{})
	case FieldCompetitor:
		return len(o.competitors) > 0
	case FieldApproval:
		return len(o.Unapproved()) == 0
	}
	return false
}

// Unapproved returns the codes of the lines whose discount needs an
// approval that no recorded approval covers.
func (o *Opportunity) Unapproved() []string {
	var out []string
	for _, l := range o.lines {
		if l.NeedsApproval && !o.approved(l.Code, l.Discount) {
			out = append(out, l.Code)
		}
	}
	return out
}

func (o *Opportunity) approved(code string, d decimal.Decimal) bool {
	return slices.ContainsFunc(o.approvals, func(a Approval) bool {
		return a.Line == code && a.UpTo.GreaterThanOrEqual(d)
	})
}

// Accessors.

// ID returns the opportunity's ID.
func (o *Opportunity) ID() crm.ID { return o.id }

// Tenant returns the tenant that owns the opportunity.
func (o *Opportunity) Tenant() crm.TenantID { return o.tenant }

// Version returns the stored version: 0 before the first save.
func (o *Opportunity) Version() int64 { return o.version }

// Customer returns the customer (account) the opportunity is with.
func (o *Opportunity) Customer() crm.ID { return o.customer }

// Owner returns the responsible salesperson.
func (o *Opportunity) Owner() crm.UserID { return o.owner }

// Team returns the owning team ("" for none).
func (o *Opportunity) Team() string { return o.team }

// Pipeline returns the code of the opportunity's pipeline.
func (o *Opportunity) Pipeline() string { return o.pipeline }

// Name returns the deal's description.
func (o *Opportunity) Name() string { return o.name }

// Source returns where the opportunity came from.
func (o *Opportunity) Source() Source { return o.source }

// Segment returns the customer segment given at creation.
func (o *Opportunity) Segment() string { return o.segment }

// Contacts returns the contacts.
func (o *Opportunity) Contacts() []Contact { return slices.Clone(o.contacts) }

// Currency returns the opportunity's currency.
func (o *Opportunity) Currency() crm.Currency { return o.currency }

// Amount returns the amount: entered, or the sum of the lines when there
// are lines.
func (o *Opportunity) Amount() crm.Money { return o.amount }

// Lines returns the lines.
func (o *Opportunity) Lines() []Line { return cloneLines(o.lines) }

// Approvals returns the recorded discount approvals.
func (o *Opportunity) Approvals() []Approval { return slices.Clone(o.approvals) }

// Status returns open, won or lost.
func (o *Opportunity) Status() Status { return o.status }

// Stage returns the current stage code: an open stage, "won" or "lost".
func (o *Opportunity) Stage() string { return o.stage }

// StageSince returns when the opportunity entered its current stage.
func (o *Opportunity) StageSince() time.Time { return o.stageSince }

// Probability returns the win probability: 1 when won, 0 when lost, the
// override when one is set, else the stage's default.
func (o *Opportunity) Probability() float64 {
	switch {
	case o.status == Won:
		return 1
	case o.status == Lost:
		return 0
	case o.probOverride != nil:
		return o.probOverride.Value
	}
	return o.stageProb
}

// ProbabilityOverride returns the override, if one is set.
func (o *Opportunity) ProbabilityOverride() (ProbabilityOverride, bool) {
	if o.probOverride == nil {
		return ProbabilityOverride{}, false
	}
	return *o.probOverride, true
}

// ForecastCategory returns closed when won, omitted when lost, the
// category set by hand when there is one, else the stage's.
func (o *Opportunity) ForecastCategory() ForecastCategory {
	switch {
	case o.status == Won:
		return CategoryClosed
	case o.status == Lost:
		return CategoryOmitted
	case o.category != 0:
		return o.category
	}
	return o.stageCategory
}

// CloseDate returns the expected close date (the zero Date when unset).
func (o *Opportunity) CloseDate() calendar.Date { return o.closeDate }

// NextStep returns the next step.
func (o *Opportunity) NextStep() NextStep { return o.nextStep }

// Competitors returns the competitors.
func (o *Opportunity) Competitors() []Competitor { return slices.Clone(o.competitors) }

// Won returns how the opportunity was won, when it is won.
func (o *Opportunity) Won() (WonDetails, bool) {
	if o.won == nil {
		return WonDetails{}, false
	}
	return *o.won, true
}

// Lost returns why the opportunity was lost, when it is lost.
func (o *Opportunity) Lost() (LostDetails, bool) {
	if o.lost == nil {
		return LostDetails{}, false
	}
	return *o.lost, true
}

// ClosedAt returns when the opportunity was won or lost (zero while open).
func (o *Opportunity) ClosedAt() time.Time { return o.closedAt }

// Reopens returns how many times the opportunity was reopened.
func (o *Opportunity) Reopens() int { return o.reopens }

// CreatedAt returns when the opportunity was opened.
func (o *Opportunity) CreatedAt() time.Time { return o.createdAt }

// UpdatedAt returns when the opportunity last changed.
func (o *Opportunity) UpdatedAt() time.Time { return o.updatedAt }

// TimeInStage returns how long the opportunity has been in its current
// stage at now, in calendar time and in business time on p's calendar.
func (o *Opportunity) TimeInStage(p *Pipeline, now time.Time) (calendarTime, business time.Duration) {
	if now.Before(o.stageSince) {
		return 0, 0
	}
	return now.Sub(o.stageSince), p.businessTime(o.stageSince, now)
}

// Stale reports whether the opportunity is open and has been in its stage
// longer than the stage's StaleAfter at now (never for a stage without
// one, or when p is not the opportunity's pipeline).
func (o *Opportunity) Stale(p *Pipeline, now time.Time) bool {
	s, ok := p.Stage(o.stage)
	return o.status == Open && ok && p.Code == o.pipeline && s.StaleAfter > 0 && now.Sub(o.stageSince) > s.StaleAfter
}

// Changes.

// begin validates ch and the common preconditions of a change: ch.At is
// not before the latest stage change and, for changes that take one, p is
// the opportunity's valid pipeline.
func (o *Opportunity) begin(v *crm.Validator, p *Pipeline, ch Change) {
	o.beginEdit(v, ch)
	if err := p.Validate(); err != nil {
		v.Merge("pipeline", err)
	} else {
		v.Check(p.Code == o.pipeline, "pipeline", "the opportunity is in pipeline "+quote(o.pipeline)+", not "+quote(p.Code))
	}
}

// beginEdit validates ch for a change that takes no pipeline.
func (o *Opportunity) beginEdit(v *crm.Validator, ch Change) {
	validateChange(v, ch)
	if !ch.At.IsZero() {
		v.Check(!ch.At.Before(o.stageSince), "change.at", "before the opportunity's latest stage change")
	}
}

// mustBeOpen returns a transition error unless the opportunity is open.
func (o *Opportunity) mustBeOpen(op, what string) error {
	if o.status == Open {
		return nil
	}
	return fmt.Errorf("opportunity: %s %s: %w", op, o.id, &crm.TransitionError{Machine: machineName, From: o.stage, To: o.stage,
		Reason: what + " only while open"})
}

// MoveStage moves the open opportunity to the open stage to, as p allows
// ([Pipeline.Check]) and when it has what to requires
// ([Pipeline.Requirements]). Moving back needs a reason. A stage p lacks is
// a *crm.ValidationError; a move p forbids is a *crm.TransitionError; a
// missing requirement is a [*RequirementError]. The probability override
// and the forecast category set by hand are cleared: the new stage's
// defaults apply.
func (o *Opportunity) MoveStage(p *Pipeline, to string, ch Change) error {
	const op = "opportunity.MoveStage"
	var v crm.Validator
	o.begin(&v, p, ch)
	if err := v.Err(op); err != nil {
		return err
	}
	if err := o.mustBeOpen("move stage", "moving between stages"); err != nil {
		return err
	}
	if to == StageWon || to == StageLost {
		return crm.Invalid(op, "to", "close with CloseWon or CloseLost")
	}
	mv, err := p.Check(o.stage, to)
	if err != nil {
		return fmt.Errorf("opportunity: move stage %s: %w", o.id, err)
	}
	if mv.NeedsReason && strings.TrimSpace(ch.Reason) == "" {
		return crm.Invalid(op, "change.reason", "required for a move back")
	}
	if missing := o.missing(p.Requirements(to)); len(missing) > 0 {
		return fmt.Errorf("opportunity: move stage %s: %w", o.id, &RequirementError{From: o.stage, To: to, Missing: missing})
	}
	from := o.stage
	s, _ := p.Stage(to)
	o.enter(p, s, ch)
	o.emit(EventStageChanged, ch, StageChanged{From: from, To: to})
	return nil
}

// enter moves to the open stage s, keeping the change.
func (o *Opportunity) enter(p *Pipeline, s StageDef, ch Change) {
	o.own()
	at := ch.At.UTC()
	o.record(p, o.stage, s.Code, ch, at.Sub(o.stageSince), p.businessTime(o.stageSince, at))
	o.stage, o.stageSince = s.Code, at
	o.stageProb, o.stageCategory = s.Probability, stageCategory(s)
	o.probOverride, o.category = nil, 0
	o.updatedAt = at
}

// ChangePipeline moves the open opportunity to pipeline p (another team's
// sales process, say) at its open stage stage, with a reason; the team
// becomes p's. The opportunity must have what stage requires in p. The
// move is kept as a stage change (its Pipeline is p's code) and clears the
// probability override and the category set by hand.
func (o *Opportunity) ChangePipeline(p *Pipeline, stage string, ch Change) error {
	const op = "opportunity.ChangePipeline"
	var v crm.Validator
	o.beginEdit(&v, ch)
	requireReason(&v, ch, "changing the pipeline")
	if err := p.Validate(); err != nil {
		v.Merge("pipeline", err)
	} else {
		v.Check(p.Code != o.pipeline, "pipeline", "already in pipeline "+quote(p.Code))
		v.Check(p.Index(stage) >= 0, "stage", "stage "+quote(stage)+" is not an open stage of pipeline "+quote(p.Code))
	}
	if err := v.Err(op); err != nil {
		return err
	}
	if err := o.mustBeOpen("change pipeline", "changing the pipeline"); err != nil {
		return err
	}
	if missing := o.missing(p.Requirements(stage)); len(missing) > 0 {
		return fmt.Errorf("opportunity: change pipeline %s: %w", o.id, &RequirementError{From: o.stage, To: stage, Missing: missing})
	}
	from := PipelineChanged{FromPipeline: o.pipeline, FromStage: o.stage, ToPipeline: p.Code, ToStage: stage, Team: p.Team}
	s, _ := p.Stage(stage)
	o.own()
	o.pipeline, o.team = p.Code, p.Team
	o.enter(p, s, ch)
	o.emit(EventPipelineChanged, ch, from)
	return nil
}

// CloseWon closes the opportunity as won: it must be open, p must allow
// won from its stage and it must have what won requires. The contract date
// must lie between the day the opportunity was created and the day of
// closing (UTC). The opportunity.won
// event carries what a host needs to move the customer to the mature
// relationship stage (see [WonEvent]).
func (o *Opportunity) CloseWon(p *Pipeline, w WonDetails, ch Change) error {
	const op = "opportunity.CloseWon"
	var v crm.Validator
	o.begin(&v, p, ch)
	if v.Merge("won.contract_date", w.ContractDate.Validate()); w.ContractDate.Validate() == nil {
		v.Check(!dateBefore(w.ContractDate, calendar.DateOf(o.createdAt)), "won.contract_date", "before the opportunity existed")
		v.Check(ch.At.IsZero() || !dateBefore(calendar.DateOf(ch.At.UTC()), w.ContractDate), "won.contract_date", "after the day of closing")
	}
	requireText(&v, "won.contract", w.Contract, MaxNameLen)
	if err := v.Err(op); err != nil {
		return err
	}
	if err := o.mustBeOpen("close won", "closing"); err != nil {
		return err
	}
	if _, err := p.Check(o.stage, StageWon); err != nil {
		return fmt.Errorf("opportunity: close won %s: %w", o.id, err)
	}
	if missing := o.missing(p.Requirements(StageWon)); len(missing) > 0 {
		return fmt.Errorf("opportunity: close won %s: %w", o.id, &RequirementError{From: o.stage, To: StageWon, Missing: missing})
	}
	from := o.stage
	o.close(p, StageWon, ch)
	o.status, o.won = Won, &w
	o.emit(EventWon, ch, WonEvent{Customer: o.customer, Amount: o.amount, ContractDate: w.ContractDate, Contract: w.Contract, From: from})
	return nil
}

// CloseLost closes the open opportunity as lost with a reason from p's
// list. A named competitor that won must be one recorded on the
// opportunity; its status becomes won.
func (o *Opportunity) CloseLost(p *Pipeline, l LostDetails, ch Change) error {
	const op = "opportunity.CloseLost"
	var v crm.Validator
	o.begin(&v, p, ch)
	if p.Validate() == nil {
		v.Check(p.lostReasonOK(l.Reason), "lost.reason", "not one of the pipeline's lost reasons")
	}
	checkCode(&v, "lost.reason", l.Reason, true)
	checkText(&v, "lost.notes", l.Notes, MaxTextLen)
	ci := -1
	if l.Competitor != "" {
		ci = o.competitorIndex(l.Competitor)
		v.Check(ci >= 0, "lost.competitor", "not a competitor on the opportunity")
	}
	if err := v.Err(op); err != nil {
		return err
	}
	if err := o.mustBeOpen("close lost", "closing"); err != nil {
		return err
	}
	if _, err := p.Check(o.stage, StageLost); err != nil {
		return fmt.Errorf("opportunity: close lost %s: %w", o.id, err)
	}
	from := o.stage
	o.close(p, StageLost, withReason(ch, l.Reason))
	if ci >= 0 {
		o.competitors[ci].Status = CompetitorWon
	}
	o.status, o.lost = Lost, &l
	o.emit(EventLost, ch, LostEvent{Customer: o.customer, Amount: o.amount, Reason: l.Reason, Competitor: l.Competitor, From: from})
	return nil
}

func withReason(ch Change, reason string) Change {
	if strings.TrimSpace(ch.Reason) == "" {
		ch.Reason = reason
	}
	return ch
}

func (o *Opportunity) close(p *Pipeline, to string, ch Change) {
	o.own()
	at := ch.At.UTC()
	o.record(p, o.stage, to, ch, at.Sub(o.stageSince), p.businessTime(o.stageSince, at))
	o.closedFrom, o.stage, o.stageSince, o.closedAt, o.updatedAt = o.stage, to, at, at, at
	o.probOverride, o.category = nil, 0
}

// Reopen moves a won or lost opportunity back to the open stage to ("" for
// the stage it was closed from), with a reason. The won or lost details
// are cleared; a competitor marked as the winner goes back to active.
func (o *Opportunity) Reopen(p *Pipeline, to string, ch Change) error {
	const op = "opportunity.Reopen"
	var v crm.Validator
	o.begin(&v, p, ch)
	requireReason(&v, ch, "reopening")
	if err := v.Err(op); err != nil {
		return err
	}
	if o.status == Open {
		return fmt.Errorf("opportunity: reopen %s: %w", o.id, &crm.TransitionError{Machine: machineName, From: o.stage, To: o.stage, Reason: "not closed"})
	}
	if to == "" {
		to = o.closedFrom
	}
	if _, err := p.Check(o.stage, to); err != nil {
		return fmt.Errorf("opportunity: reopen %s: %w", o.id, err)
	}
	from := o.stage
	s, _ := p.Stage(to)
	o.own()
	for i := range o.competitors {
		if o.competitors[i].Status == CompetitorWon {
			o.competitors[i].Status = CompetitorActive
		}
	}
	o.enter(p, s, ch)
	o.status, o.won, o.lost, o.closedAt, o.closedFrom = Open, nil, nil, time.Time{}, ""
	o.reopens++
	o.emit(EventReopened, ch, Reopened{From: from, To: to})
	return nil
}

// edit runs the common checks of an edit of an open opportunity.
func (o *Opportunity) edit(op string, v *crm.Validator, ch Change) error {
	o.beginEdit(v, ch)
	if err := v.Err(op); err != nil {
		return err
	}
	return o.mustBeOpen(strings.TrimPrefix(op, "opportunity."), "editing")
}

// SetAmount sets an entered amount in the opportunity's currency, not
// negative and rounded to the currency's minor unit. An opportunity with
// lines takes its amount from them: set the lines instead.
func (o *Opportunity) SetAmount(m crm.Money, ch Change) error {
	var v crm.Validator
	checkAmount(&v, "amount", m, o.currency)
	v.Check(len(o.lines) == 0, "amount", "the amount is the sum of the lines")
	if err := o.edit("opportunity.SetAmount", &v, ch); err != nil {
		return amountErr(err, m, o.currency)
	}
	from := o.amount
	o.own()
	o.amount, o.updatedAt = m, ch.At.UTC()
	o.emit(EventAmountChanged, ch, AmountChanged{From: from, To: m})
	return nil
}

// amountErr adds crm.ErrCurrencyMismatch to a validation error caused by a
// foreign currency, so callers can branch on it.
func amountErr(err error, m crm.Money, c crm.Currency) error {
	if !m.Currency().IsZero() && m.Currency() != c {
		return errors.Join(err, fmt.Errorf("opportunity: %s and %s: %w", m.Currency(), c, crm.ErrCurrencyMismatch))
	}
	return err
}

// SetLines replaces the lines (nil removes them) and sets the amount to
// their sum. Every line must be valid ([Line.Validate]) and in the
// opportunity's currency; a line in another currency is refused with an
// error matching crm.ErrCurrencyMismatch. Approvals stay: one covers a
// line of its code as long as the line's discount is within it.
func (o *Opportunity) SetLines(lines []Line, ch Change) error {
	const op = "opportunity.SetLines"
	var v crm.Validator
	v.Check(len(lines) <= MaxLines, "lines", fmt.Sprintf("more than %d lines", MaxLines))
	var foreign crm.Money
	if len(lines) <= MaxLines {
		for i, l := range lines {
			path := fmt.Sprintf("lines[%d]", i)
			if c := l.ListPrice.Currency(); !c.IsZero() && c != o.currency {
				v.Addf(path+".list_price", "in %s, the opportunity is in %s", c, o.currency)
				foreign = l.ListPrice
				continue
			}
			if c := l.Total.Currency(); !c.IsZero() && c != o.currency {
				v.Addf(path+".total", "in %s, the opportunity is in %s", c, o.currency)
				foreign = l.Total
				continue
			}
			v.Merge(path, l.Validate())
		}
	}
	if err := o.edit(op, &v, ch); err != nil {
		return amountErr(err, foreign, o.currency)
	}
	sum := crm.Zero(o.currency)
	for _, l := range lines {
		next, err := sum.Add(l.Total)
		if err != nil {
			return fmt.Errorf("opportunity: set lines %s: %w", o.id, err)
		}
		sum = next
	}
	o.own()
	o.lines, o.amount, o.updatedAt = cloneLines(lines), sum, ch.At.UTC()
	o.emit(EventLinesSet, ch, LinesSet{Lines: len(lines), Amount: sum})
	return nil
}

// ApproveDiscount records that ch.Actor approves a discount of up to upTo
// (a fraction in [0, 1]) on the line with code line, which must be on the
// opportunity.
func (o *Opportunity) ApproveDiscount(line string, upTo decimal.Decimal, ch Change) error {
	var v crm.Validator
	checkDiscount(&v, "up_to", upTo)
	v.Check(slices.ContainsFunc(o.lines, func(l Line) bool { return l.Code == line }), "line", "no line with code "+quote(line))
	v.Check(len(o.approvals) < MaxApprovals, "approvals", "too many")
	if err := o.edit("opportunity.ApproveDiscount", &v, ch); err != nil {
		return err
	}
	at := ch.At.UTC()
	o.own()
	o.approvals = append(o.approvals, Approval{Line: line, UpTo: upTo, Approver: ch.Actor, At: at, Reason: ch.Reason})
	o.updatedAt = at
	o.emit(EventDiscountApproved, ch, DiscountApproved{Line: line, UpTo: upTo})
	return nil
}

// OverrideProbability sets the win probability by hand, in [0, 1], with a
// reason; it holds until the next stage change.
func (o *Opportunity) OverrideProbability(p float64, ch Change) error {
	var v crm.Validator
	v.Check(validProbability(p), "probability", "must be in [0, 1]")
	requireReason(&v, ch, "overriding the probability")
	if err := o.edit("opportunity.OverrideProbability", &v, ch); err != nil {
		return err
	}
	from := o.Probability()
	at := ch.At.UTC()
	o.own()
	o.probOverride = &ProbabilityOverride{Value: p, Actor: ch.Actor, At: at, Reason: ch.Reason}
	o.updatedAt = at
	o.emit(EventProbabilitySet, ch, ProbabilitySet{From: from, To: p, Override: true})
	return nil
}

// ClearProbabilityOverride returns to the stage's default probability.
func (o *Opportunity) ClearProbabilityOverride(ch Change) error {
	var v crm.Validator
	v.Check(o.probOverride != nil, "probability", "no override is set")
	if err := o.edit("opportunity.ClearProbabilityOverride", &v, ch); err != nil {
		return err
	}
	from := o.Probability()
	o.own()
	o.probOverride, o.updatedAt = nil, ch.At.UTC()
	o.emit(EventProbabilitySet, ch, ProbabilitySet{From: from, To: o.stageProb})
	return nil
}

// SetForecastCategory sets the forecast category by hand (pipeline,
// best_case, commit or omitted); 0 returns to the stage's. It holds until
// the next stage change.
func (o *Opportunity) SetForecastCategory(c ForecastCategory, ch Change) error {
	var v crm.Validator
	v.Check(c == 0 || (c.Valid() && c != CategoryClosed), "category", "must be pipeline, best_case, commit or omitted")
	if err := o.edit("opportunity.SetForecastCategory", &v, ch); err != nil {
		return err
	}
	from := o.ForecastCategory()
	o.own()
	o.category, o.updatedAt = c, ch.At.UTC()
	o.emit(EventCategorySet, ch, CategorySet{From: from, To: o.ForecastCategory()})
	return nil
}

// SetCloseDate sets the expected close date, which must not be before
// the day (in UTC) the opportunity was created; the zero Date clears it.
func (o *Opportunity) SetCloseDate(d calendar.Date, ch Change) error {
	var v crm.Validator
	if d != (calendar.Date{}) {
		if v.Merge("close_date", d.Validate()); d.Validate() == nil {
			v.Check(!dateBefore(d, calendar.DateOf(o.createdAt)), "close_date", "before the opportunity existed")
		}
	}
	if err := o.edit("opportunity.SetCloseDate", &v, ch); err != nil {
		return err
	}
	from := o.closeDate
	o.own()
	o.closeDate, o.updatedAt = d, ch.At.UTC()
	o.emit(EventCloseDateSet, ch, CloseDateSet{From: from, To: d})
	return nil
}

// SetNextStep sets the next step: text and a due date, not before the
// opportunity was created. The zero NextStep clears it.
func (o *Opportunity) SetNextStep(s NextStep, ch Change) error {
	var v crm.Validator
	if s != (NextStep{}) {
		requireText(&v, "next_step.text", s.Text, MaxTextLen)
		if v.Merge("next_step.due", s.Due.Validate()); s.Due.Validate() == nil {
			v.Check(!dateBefore(s.Due, calendar.DateOf(o.createdAt)), "next_step.due", "before the opportunity existed")
		}
	}
	if err := o.edit("opportunity.SetNextStep", &v, ch); err != nil {
		return err
	}
	o.own()
	o.nextStep, o.updatedAt = s, ch.At.UTC()
	o.emit(EventNextStepSet, ch, NextStepSet{Step: s})
	return nil
}

// SetContacts replaces the contacts.
func (o *Opportunity) SetContacts(cs []Contact, ch Change) error {
	var v crm.Validator
	checkContacts(&v, cs)
	if err := o.edit("opportunity.SetContacts", &v, ch); err != nil {
		return err
	}
	o.own()
	o.contacts, o.updatedAt = slices.Clone(cs), ch.At.UTC()
	o.emit(EventContactsSet, ch, ContactsSet{Count: len(cs)})
	return nil
}

func (o *Opportunity) competitorIndex(name string) int {
	return slices.IndexFunc(o.competitors, func(c Competitor) bool { return c.Name == name })
}

// SetCompetitor adds the competitor, or replaces the one with the same
// name. Their offer, when given, must be in the opportunity's currency.
func (o *Opportunity) SetCompetitor(c Competitor, ch Change) error {
	var v crm.Validator
	requireText(&v, "competitor.name", c.Name, MaxNameLen)
	v.Check(strings.TrimSpace(c.Name) == c.Name, "competitor.name", "has surrounding spaces")
	if !c.Offer.Currency().IsZero() || !c.Offer.IsZero() {
		checkAmount(&v, "competitor.offer", c.Offer, o.currency)
	}
	checkText(&v, "competitor.strengths", c.Strengths, MaxTextLen)
	checkText(&v, "competitor.weaknesses", c.Weaknesses, MaxTextLen)
	v.Check(c.Status.Valid() && c.Status != CompetitorWon, "competitor.status", "must be active, leading, trailing or eliminated")
	i := o.competitorIndex(c.Name)
	v.Check(i >= 0 || len(o.competitors) < MaxCompetitors, "competitors", "too many")
	if err := o.edit("opportunity.SetCompetitor", &v, ch); err != nil {
		return amountErr(err, c.Offer, o.currency)
	}
	o.own()
	if i >= 0 {
		o.competitors[i] = c
	} else {
		o.competitors = append(o.competitors, c)
	}
	o.updatedAt = ch.At.UTC()
	o.emit(EventCompetitorSet, ch, CompetitorSet{Name: c.Name, Status: c.Status})
	return nil
}

// RemoveCompetitor removes the competitor named name.
func (o *Opportunity) RemoveCompetitor(name string, ch Change) error {
	var v crm.Validator
	i := o.competitorIndex(name)
	v.Check(i >= 0, "competitor", "not a competitor on the opportunity")
	if err := o.edit("opportunity.RemoveCompetitor", &v, ch); err != nil {
		return err
	}
	o.own()
	o.competitors = slices.Delete(o.competitors, i, i+1)
	o.updatedAt = ch.At.UTC()
	o.emit(EventCompetitorRemoved, ch, CompetitorRemoved{Name: name})
	return nil
}

// SetOwner hands the opportunity to another salesperson, with a reason;
// allowed whatever the status (a won account keeps being looked after).
func (o *Opportunity) SetOwner(to crm.UserID, ch Change) error {
	var v crm.Validator
	v.Merge("owner", to.Validate())
	v.Check(to != o.owner, "owner", "already the owner")
	requireReason(&v, ch, "a hand-over")
	o.beginEdit(&v, ch)
	if err := v.Err("opportunity.SetOwner"); err != nil {
		return err
	}
	from := o.owner
	o.own()
	o.owner, o.updatedAt = to, ch.At.UTC()
	o.emit(EventOwnerChanged, ch, OwnerChanged{From: from, To: to})
	return nil
}

// record appends a pending stage change.
func (o *Opportunity) record(p *Pipeline, from, to string, ch Change, in, business time.Duration) {
	o.own()
	prob := 0.0
	if from != "" {
		prob = o.Probability()
	}
	o.seq++
	o.pending = append(o.pending, StageChange{
		Opportunity: o.id, Seq: o.seq, Team: o.team, Pipeline: p.Code, From: from, To: to,
		At: ch.At.UTC(), Actor: ch.Actor, Reason: ch.Reason, InStage: in, InStageBusiness: business,
		Probability: prob,
	})
}

// emit appends a pending domain event.
func (o *Opportunity) emit(typ string, ch Change, data any) {
	o.events = append(o.events, crm.Event{
		Type: typ, Tenant: o.tenant, AggregateID: o.id, At: ch.At.UTC(), Actor: string(ch.Actor), Data: data,
	})
}

// PendingChanges returns the stage changes recorded since the opportunity
// was built or loaded, for the store to append to its history.
func (o *Opportunity) PendingChanges() []StageChange { return slices.Clone(o.pending) }

// Events returns the domain events recorded since the opportunity was
// built or loaded, in order.
func (o *Opportunity) Events() []crm.Event { return slices.Clone(o.events) }

// Clone returns a copy of o: a change to either never shows in the
// other. The copy shares o's stored state until one of them changes it
// (each copies it first), so a clone costs a small constant whatever the
// opportunity holds.
func (o *Opportunity) Clone() *Opportunity {
	if !o.shared {
		o.shared = true
	}
	d := *o
	d.pending = slices.Clone(o.pending)
	d.events = slices.Clone(o.events)
	return &d
}

// own gives o its own copy of its state, so that it can change it. It
// does nothing when o shares nothing.
func (o *Opportunity) own() {
	if !o.shared {
		return
	}
	o.state = o.state.copy()
	o.shared = false
}

// copy returns a deep copy of st, sharing nothing with it.
func (st *state) copy() *state {
	d := *st
	d.contacts = slices.Clone(st.contacts)
	d.lines = cloneLines(st.lines)
	d.approvals = slices.Clone(st.approvals)
	d.competitors = slices.Clone(st.competitors)
	if st.probOverride != nil {
		p := *st.probOverride
		d.probOverride = &p
	}
	if st.won != nil {
		w := *st.won
		d.won = &w
	}
	if st.lost != nil {
		l := *st.lost
		d.lost = &l
	}
	return &d
}
