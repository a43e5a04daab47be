package opportunity

import (
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// Record is the persisted form of an [Opportunity]: every stored field,
// exported, for store implementations. Pending stage changes and events
// are not part of it. Build one with [Opportunity.Record] and rebuild the
// opportunity with [FromRecord].
type Record struct {
	ID                  crm.ID
	Tenant              crm.TenantID
	Version             int64
	Customer            crm.ID
	Owner               crm.UserID
	Team                string
	Pipeline            string
	Name                string
	Source              Source
	Segment             string
	Contacts            []Contact
	Currency            crm.Currency
	Amount              crm.Money
	Lines               []Line
	Approvals           []Approval
	Status              Status
	Stage               string
	ClosedFrom          string // the open stage it was closed from; "" while open
	StageSince          time.Time
	StageProbability    float64
	StageCategory       ForecastCategory
	ProbabilityOverride *ProbabilityOverride
	Category            ForecastCategory // set by hand; 0 for the stage's
	CloseDate           calendar.Date
	NextStep            NextStep
	Competitors         []Competitor
	Won                 *WonDetails
	Lost                *LostDetails
	ClosedAt            time.Time
	Reopens             int
	CreatedAt           time.Time
	UpdatedAt           time.Time
	// Seq is the sequence number of the last stage change.
	Seq int64
}

// Record returns the opportunity's persisted form, sharing nothing with o.
func (o *Opportunity) Record() Record {
	if o.state == nil {
		return Record{Version: o.version}
	}
	d := *o
	d.state = o.state.copy()
	return d.view()
}

// view returns the opportunity's persisted form sharing o's slices: for
// reading only.
func (o *Opportunity) view() Record {
	return Record{
		ID: o.id, Tenant: o.tenant, Version: o.version, Customer: o.customer, Owner: o.owner, Team: o.team,
		Pipeline: o.pipeline, Name: o.name, Source: o.source, Segment: o.segment, Contacts: o.contacts,
		Currency: o.currency, Amount: o.amount, Lines: o.lines, Approvals: o.approvals, Status: o.status,
		Stage: o.stage, ClosedFrom: o.closedFrom, StageSince: o.stageSince, StageProbability: o.stageProb,
		StageCategory: o.stageCategory, ProbabilityOverride: o.probOverride, Category: o.category,
		CloseDate: o.closeDate, NextStep: o.nextStep, Competitors: o.competitors, Won: o.won, Lost: o.lost,
		ClosedAt: o.closedAt, Reopens: o.reopens, CreatedAt: o.createdAt, UpdatedAt: o.updatedAt, Seq: o.seq,
	}
}

// FromRecord rebuilds an opportunity from its persisted form. It checks
// the invariants every stored opportunity keeps (identity, known enum
// values, consistent status and stage, amounts in the opportunity's
// currency, lines that add up) but not rules that depend on the pipeline,
// which may have changed since. The opportunity shares nothing with r and
// has nothing pending.
func FromRecord(r Record) (*Opportunity, error) {
	o, err := adoptRecord(r)
	if err != nil {
		return nil, err
	}
	o.state = o.state.copy()
	return o, nil
}

// adoptRecord is the Adopt hook: FromRecord without the copies, for a
// record a store has just decoded and hands over.
func adoptRecord(r Record) (*Opportunity, error) {
	if err := checkRecord(r); err != nil {
		return nil, err
	}
	return &Opportunity{id: r.ID, tenant: r.Tenant, version: r.Version, state: &state{
		customer: r.Customer, owner: r.Owner, team: r.Team,
		pipeline: r.Pipeline, name: r.Name, source: r.Source, segment: r.Segment, contacts: r.Contacts,
		currency: r.Currency, amount: r.Amount, lines: r.Lines, approvals: r.Approvals, status: r.Status,
		stage: r.Stage, closedFrom: r.ClosedFrom, stageSince: r.StageSince, stageProb: r.StageProbability,
		stageCategory: r.StageCategory, probOverride: r.ProbabilityOverride, category: r.Category,
		closeDate: r.CloseDate, nextStep: r.NextStep, competitors: r.Competitors, won: r.Won, lost: r.Lost,
		closedAt: r.ClosedAt, reopens: r.Reopens, createdAt: r.CreatedAt, updatedAt: r.UpdatedAt, seq: r.Seq,
	}}, nil
}

// checkRecord checks the invariants every stored opportunity keeps.
func checkRecord(r Record) error {
	var v crm.Validator
	v.Check(!r.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", r.Tenant.Validate())
	v.Check(r.Version >= 0, "version", "must not be negative")
	v.Check(!r.Customer.IsZero(), "customer", "must not be zero")
	v.Merge("owner", r.Owner.Validate())
	checkCode(&v, "team", r.Team, false)
	checkCode(&v, "pipeline", r.Pipeline, true)
	requireText(&v, "name", r.Name, MaxNameLen)
	r.Source.validate(&v, "source")
	checkCode(&v, "segment", r.Segment, false)
	checkContacts(&v, r.Contacts)
	if v.Check(!r.Currency.IsZero(), "currency", "must be set") {
		checkAmount(&v, "amount", r.Amount, r.Currency)
	}
	v.Check(len(r.Lines) <= MaxLines, "lines", "too many")
	if len(r.Lines) > 0 && len(r.Lines) <= MaxLines && !r.Currency.IsZero() {
		sum := crm.Zero(r.Currency)
		for i, l := range r.Lines {
			path := fmt.Sprintf("lines[%d]", i)
			if l.Total.Currency() != r.Currency || l.ListPrice.Currency() != r.Currency {
				v.Addf(path, "not in the opportunity's currency")
				continue
			}
			v.Merge(path, l.Validate())
			if s, err := sum.Add(l.Total); err == nil {
				sum = s
			}
		}
		v.Check(sum.Equal(r.Amount), "amount", "is not the sum of the lines")
	}
	v.Check(len(r.Approvals) <= MaxApprovals, "approvals", "too many")
	for i, a := range r.Approvals {
		path := fmt.Sprintf("approvals[%d]", i)
		checkCode(&v, path+".line", a.Line, true)
		checkDiscount(&v, path+".up_to", a.UpTo)
		v.Merge(path+".approver", a.Approver.Validate())
	}
	v.Check(r.Status.Valid(), "status", "unknown status")
	switch r.Status {
	case Open:
		checkCode(&v, "stage", r.Stage, true)
		v.Check(r.Stage != StageWon && r.Stage != StageLost, "stage", "an open opportunity is in an open stage")
		v.Check(r.ClosedFrom == "" && r.Won == nil && r.Lost == nil && r.ClosedAt.IsZero(), "status", "an open opportunity has no closing details")
	case Won, Lost:
		want := StageWon
		if r.Status == Lost {
			want = StageLost
		}
		v.Check(r.Stage == want, "stage", "must be "+want)
		checkCode(&v, "closed_from", r.ClosedFrom, true)
		v.Check(!r.ClosedAt.IsZero(), "closed_at", "must be set when closed")
		v.Check((r.Status == Won) == (r.Won != nil) && (r.Status == Lost) == (r.Lost != nil), "status", "closing details do not match the status")
	}
	if r.Won != nil {
		v.Merge("won.contract_date", r.Won.ContractDate.Validate())
		requireText(&v, "won.contract", r.Won.Contract, MaxNameLen)
	}
	if r.Lost != nil {
		checkCode(&v, "lost.reason", r.Lost.Reason, true)
		checkText(&v, "lost.notes", r.Lost.Notes, MaxTextLen)
	}
	v.Check(validProbability(r.StageProbability), "stage_probability", "must be in [0, 1]")
	v.Check(r.StageCategory.Valid(), "stage_category", "unknown forecast category")
	v.Check(r.Category == 0 || r.Category.Valid(), "category", "unknown forecast category")
	if p := r.ProbabilityOverride; p != nil {
		v.Check(validProbability(p.Value), "probability_override.value", "must be in [0, 1]")
		v.Merge("probability_override.actor", p.Actor.Validate())
	}
	if r.CloseDate != (calendar.Date{}) {
		v.Merge("close_date", r.CloseDate.Validate())
	}
	if r.NextStep != (NextStep{}) {
		checkText(&v, "next_step.text", r.NextStep.Text, MaxTextLen)
		v.Merge("next_step.due", r.NextStep.Due.Validate())
	}
	v.Check(len(r.Competitors) <= MaxCompetitors, "competitors", "too many")
	for i, c := range r.Competitors {
		path := fmt.Sprintf("competitors[%d]", i)
		requireText(&v, path+".name", c.Name, MaxNameLen)
		v.Check(c.Status.Valid(), path+".status", "unknown competitor status")
		if !c.Offer.Currency().IsZero() && !r.Currency.IsZero() {
			checkAmount(&v, path+".offer", c.Offer, r.Currency)
		}
	}
	v.Check(r.Reopens >= 0, "reopens", "must not be negative")
	v.Check(r.Seq >= 1, "seq", "must be at least 1 (creation is a stage change)")
	v.Check(!r.CreatedAt.IsZero(), "created_at", "must be set")
	v.Check(!r.StageSince.Before(r.CreatedAt), "stage_since", "before created_at")
	v.Check(!r.UpdatedAt.Before(r.StageSince), "updated_at", "before stage_since")
	return v.Err("opportunity.FromRecord")
}

// saved tells the opportunity it was stored at version: it sets the
// version and drops the pending stage changes and events. Stores reach it
// through internal/hook after they wrote the opportunity and its stage
// changes.
func (o *Opportunity) saved(version int64) {
	o.version = version
	o.pending, o.events = nil, nil
}
