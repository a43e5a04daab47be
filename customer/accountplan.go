package customer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// Limits of an account plan. Every store enforces them ([GuardAccountPlans]).
const (
	MaxPlanMembers  = 50    // members of an account team
	MaxPlanGoals    = 100   // goals of a plan
	MaxPlanProgress = 5000  // progress entries of a plan
	MaxPlanHistory  = 10000 // history entries of a plan
	MaxPlanNoteLen  = 1000  // runes in a progress note
)

// TeamRole is what a member does in an account team.
type TeamRole uint8

// Team roles. The stored form is the name.
const (
	RoleAccountManager   TeamRole = iota + 1 // manages the relationship; the lead manager has this role
	RoleEngineer                             // pre-sales or solution engineer
	RoleService                              // after-sales service
	RoleFinance                              // billing, credit, collection
	RoleExecutiveSponsor                     // senior executive who sponsors the account
	RoleOther                                // anything else
)

var teamRoles = enum.New[TeamRole]("team role", "account_manager", "engineer", "service", "finance", "executive_sponsor", "other")

// ParseTeamRole parses a team role name such as "engineer".
func ParseTeamRole(s string) (TeamRole, error) { return teamRoles.Parse(s) }

// String returns the role's name.
func (r TeamRole) String() string { return teamRoles.String(r) }

// Valid reports whether r is a known role.
func (r TeamRole) Valid() bool { return teamRoles.Valid(r) }

// MarshalText implements encoding.TextMarshaler.
func (r TeamRole) MarshalText() ([]byte, error) { return teamRoles.Marshal(r) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *TeamRole) UnmarshalText(b []byte) (err error) {
	*r, err = teamRoles.Parse(string(b))
	return err
}

// GoalMetric says what a goal measures and how its progress adds up.
type GoalMetric uint8

// Goal metrics. The stored form is the name.
const (
	// MetricRevenue is money in the goal's currency; progress entries are
	// amounts that add up.
	MetricRevenue GoalMetric = iota + 1
	// MetricCount is a whole number (visits, orders, products adopted);
	// progress entries are counts that add up.
	MetricCount
	// MetricPercentage is a share from 0 to 100 (share of wallet,
	// satisfaction); each progress entry is a reading and the latest
	// reading is what is achieved.
	MetricPercentage
)

var goalMetrics = enum.New[GoalMetric]("goal metric", "revenue", "count", "percentage")

// ParseGoalMetric parses "revenue", "count" or "percentage".
func ParseGoalMetric(s string) (GoalMetric, error) { return goalMetrics.Parse(s) }

// String returns the metric's name.
func (m GoalMetric) String() string { return goalMetrics.String(m) }

// Valid reports whether m is a known metric.
func (m GoalMetric) Valid() bool { return goalMetrics.Valid(m) }

// MarshalText implements encoding.TextMarshaler.
func (m GoalMetric) MarshalText() ([]byte, error) { return goalMetrics.Marshal(m) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *GoalMetric) UnmarshalText(b []byte) (err error) {
	*m, err = goalMetrics.Parse(string(b))
	return err
}

// PlanStatus is where an account plan stands.
type PlanStatus uint8

// Plan statuses. The stored form is the name.
//
//	draft ──► active ──► closed
//	  └──────────────────►┘
const (
	PlanDraft  PlanStatus = iota + 1 // being prepared; progress cannot be recorded
	PlanActive                       // in force; at most one per account and overlapping period
	PlanClosed                       // finished or abandoned; read only
)

var planStatuses = enum.New[PlanStatus]("plan status", "draft", "active", "closed")

// ParsePlanStatus parses "draft", "active" or "closed".
func ParsePlanStatus(s string) (PlanStatus, error) { return planStatuses.Parse(s) }

// String returns the status's name.
func (s PlanStatus) String() string { return planStatuses.String(s) }

// Valid reports whether s is a known status.
func (s PlanStatus) Valid() bool { return planStatuses.Valid(s) }

// MarshalText implements encoding.TextMarshaler.
func (s PlanStatus) MarshalText() ([]byte, error) { return planStatuses.Marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *PlanStatus) UnmarshalText(b []byte) (err error) {
	*s, err = planStatuses.Parse(string(b))
	return err
}

// planMachine is the plan's state machine as data.
var planMachine = machine[PlanStatus]{name: "account plan status", str: PlanStatus.String, table: map[PlanStatus][]PlanStatus{
	PlanDraft:  {PlanActive, PlanClosed},
	PlanActive: {PlanClosed},
}}

// TeamMember is one member of an account team.
type TeamMember struct {
	User crm.UserID `json:"user"`
	Role TeamRole   `json:"role"`
	// Lead marks the lead manager: exactly one member, an account manager.
	Lead bool `json:"lead,omitempty"`
	// Since is when the member joined the team.
	Since time.Time `json:"since"`
}

// Goal is one target of an account plan.
type Goal struct {
	// Name identifies the goal within its plan (unique, 1 to MaxNameLen runes).
	Name   string     `json:"name"`
	Metric GoalMetric `json:"metric"`
	// Target is the figure to reach: an amount in Currency for revenue
	// (positive), a whole number for a count (positive), 0 to 100 for a
	// percentage (positive).
	Target decimal.Decimal `json:"target"`
	// Currency is the currency of a revenue goal; zero for the others.
	Currency crm.Currency `json:"currency,omitzero"`
	// Due is when the target should be reached, within the plan's period.
	Due time.Time `json:"due"`
}

// TargetMoney returns a revenue goal's target as money, and false for
// other metrics.
func (g Goal) TargetMoney() (crm.Money, bool) {
	if g.Metric != MetricRevenue {
		return crm.Money{}, false
	}
	m, err := crm.NewMoney(g.Target, g.Currency)
	return m, err == nil
}

// Progress is one entry recorded against a goal.
type Progress struct {
	// Goal names the goal.
	Goal string `json:"goal"`
	// Value is an amount or a count that adds up (revenue, count; not
	// negative, counts whole) or a reading (percentage, 0 to 100).
	Value decimal.Decimal `json:"value"`
	// At is when the progress happened; By who recorded it.
	At time.Time  `json:"at"`
	By crm.UserID `json:"by"`
	// Note says what it was (an order number, a meeting).
	Note string `json:"note,omitempty"`
}

// PlanHistoryKind says what a plan history entry records.
type PlanHistoryKind uint8

// Kinds of plan history entry. The stored form is the name.
const (
	PlanCreated       PlanHistoryKind = iota + 1 // the plan was drawn up
	PlanStatusChanged                            // draft → active → closed
	PlanMemberAdded                              // a member joined the team
	PlanMemberRemoved                            // a member left the team
	PlanMemberRole                               // a member's role changed
	PlanLeadChanged                              // the lead manager changed
	PlanGoalAdded                                // a goal was added
	PlanGoalChanged                              // a goal's target or due date changed
	PlanGoalRemoved                              // a goal was removed
)

var planHistoryKinds = enum.New[PlanHistoryKind]("plan history kind", "created", "status", "member_added", "member_removed", "member_role", "lead", "goal_added", "goal_changed", "goal_removed")

// ParsePlanHistoryKind parses a kind name such as "goal_added".
func ParsePlanHistoryKind(s string) (PlanHistoryKind, error) { return planHistoryKinds.Parse(s) }

// String returns the kind's name.
func (k PlanHistoryKind) String() string { return planHistoryKinds.String(k) }

// Valid reports whether k is a known kind.
func (k PlanHistoryKind) Valid() bool { return planHistoryKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k PlanHistoryKind) MarshalText() ([]byte, error) { return planHistoryKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *PlanHistoryKind) UnmarshalText(b []byte) (err error) {
	*k, err = planHistoryKinds.Parse(string(b))
	return err
}

// PlanHistoryEntry is one recorded change of an account plan's status, team
// or goals. Subject names the member or goal; From and To are the old and
// new values in text form ("" when none).
type PlanHistoryEntry struct {
	Kind    PlanHistoryKind `json:"kind"`
	Subject string          `json:"subject,omitempty"`
	From    string          `json:"from,omitempty"`
	To      string          `json:"to,omitempty"`
	At      time.Time       `json:"at"`
	Actor   crm.UserID      `json:"actor"`
	Reason  string          `json:"reason,omitempty"`
}

// Events of account plans.
const (
	EventPlanCreated  = "customer.plan_created"  // PlanCreatedEvent
	EventPlanStatus   = "customer.plan_status"   // PlanStatusEvent
	EventPlanTeam     = "customer.plan_team"     // PlanHistoryEntry of a team change
	EventPlanGoal     = "customer.plan_goal"     // PlanHistoryEntry of a goal change
	EventPlanProgress = "customer.plan_progress" // Progress
)

// PlanCreatedEvent is the data of EventPlanCreated.
type PlanCreatedEvent struct {
	Customer crm.ID
	Lead     crm.UserID
}

// PlanStatusEvent is the data of EventPlanStatus.
type PlanStatusEvent struct{ From, To PlanStatus }

// AccountPlanInput is what [NewAccountPlan] needs.
type AccountPlanInput struct {
	ID       crm.ID
	Tenant   crm.TenantID
	Customer crm.ID
	// Name is the plan's title, e.g. "2026 growth plan".
	Name string
	// Start and End bound the plan's period [Start, End); both required.
	Start, End time.Time
	// Team holds the members, exactly one of them the lead manager.
	Team []TeamMember
	// Goals are optional at creation.
	Goals []Goal
}

// AccountPlan is the plan of a key account for a period: the account team,
// the goals, the progress recorded against them and the history of the
// team and goal changes. Build one with [NewAccountPlan]; stores rebuild
// one with [AccountPlanFromRecord]. Methods that change it validate
// everything first and change nothing when they refuse. An AccountPlan is
// not safe for concurrent use; stores hand out copies.
//
// # Lead manager and Customer.Owner
//
// The team's lead manager is the person answerable for the account: the
// plan expects it to be the customer's owner ([Customer.Owner]). The plan
// does not store or change the owner; [Service.CreateAccountPlan],
// [Service.ActivateAccountPlan] and [Service.SetAccountPlanLead] refuse a
// lead who is not the owner at that moment (crm.ErrInvalid at "lead").
// When the owner changes later (a reassigned book), the plan keeps its lead
// until SetAccountPlanLead moves it, and [AccountPlan.LeadMatches] tells a
// host which plans to update.
type AccountPlan struct {
	id, customer crm.ID
	tenant       crm.TenantID
	version      int64
	name         string
	start, end   time.Time
	status       PlanStatus
	team         []TeamMember
	goals        []Goal
	progress     []Progress
	history      []PlanHistoryEntry
	createdAt    time.Time
	updatedAt    time.Time
	events       []crm.Event
}

// NewAccountPlan validates in and ch and returns a draft plan.
func NewAccountPlan(in AccountPlanInput, ch Change) (*AccountPlan, error) {
	const op = "customer.NewAccountPlan"
	in.Name = strings.TrimSpace(in.Name)
	in.Start, in.End = in.Start.UTC(), in.End.UTC()
	team := slices.Clone(in.Team)
	for i := range team {
		team[i].Since = team[i].Since.UTC()
	}
	goals := slices.Clone(in.Goals)
	for i := range goals {
		goals[i].Name = strings.TrimSpace(goals[i].Name)
		goals[i].Due = goals[i].Due.UTC()
	}
	at := ch.At.UTC()
	r := AccountPlanRecord{ID: in.ID, Tenant: in.Tenant, Customer: in.Customer, Version: 0, Name: in.Name,
		Start: in.Start, End: in.End, Status: PlanDraft, Team: team, Goals: goals, CreatedAt: at, UpdatedAt: at}
	var v crm.Validator
	validateChange(&v, ch)
	if err := v.Err(op); err != nil {
		return nil, err
	}
	p := adoptPlan(r)
	lead, _ := p.Lead()
	p.record(PlanHistoryEntry{Kind: PlanCreated, To: string(lead.User)}, ch)
	if err := checkPlanRecord(op, p.view()); err != nil {
		return nil, err
	}
	p.canon()
	p.emit(EventPlanCreated, ch, PlanCreatedEvent{Customer: p.customer, Lead: lead.User})
	return p, nil
}

// ID returns the plan's ID.
func (p *AccountPlan) ID() crm.ID { return p.id }

// Tenant returns the plan's tenant.
func (p *AccountPlan) Tenant() crm.TenantID { return p.tenant }

// Customer returns the ID of the account the plan is for.
func (p *AccountPlan) Customer() crm.ID { return p.customer }

// Version returns the stored version (0 before the first save).
func (p *AccountPlan) Version() int64 { return p.version }

// Name returns the plan's title.
func (p *AccountPlan) Name() string { return p.name }

// Period returns the plan's period [start, end).
func (p *AccountPlan) Period() (start, end time.Time) { return p.start, p.end }

// Status returns the plan's status.
func (p *AccountPlan) Status() PlanStatus { return p.status }

// Team returns a copy of the team, in the order members joined.
func (p *AccountPlan) Team() []TeamMember { return slices.Clone(p.team) }

// Lead returns the lead manager, and false when the team has none (only a
// plan being built can lack one).
func (p *AccountPlan) Lead() (TeamMember, bool) {
	i := slices.IndexFunc(p.team, func(m TeamMember) bool { return m.Lead })
	if i < 0 {
		return TeamMember{}, false
	}
	return p.team[i], true
}

// LeadMatches reports whether the lead manager is owner, the customer's
// owner ([Customer.Owner]).
func (p *AccountPlan) LeadMatches(owner crm.UserID) bool {
	l, ok := p.Lead()
	return ok && l.User == owner
}

// HasMember reports whether user is on the team.
func (p *AccountPlan) HasMember(user crm.UserID) bool {
	return slices.ContainsFunc(p.team, func(m TeamMember) bool { return m.User == user })
}

// Goals returns a copy of the goals, in the order they were added.
func (p *AccountPlan) Goals() []Goal { return slices.Clone(p.goals) }

// Progress returns a copy of the progress entries, in the order recorded.
func (p *AccountPlan) Progress() []Progress { return slices.Clone(p.progress) }

// History returns a copy of the history, oldest first.
func (p *AccountPlan) History() []PlanHistoryEntry { return slices.Clone(p.history) }

// CreatedAt returns when the plan was drawn up.
func (p *AccountPlan) CreatedAt() time.Time { return p.createdAt }

// UpdatedAt returns the time of the last change.
func (p *AccountPlan) UpdatedAt() time.Time { return p.updatedAt }

// InForceAt reports whether the plan's period [start, end) contains t:
// start ≤ t < end. It says nothing of the status.
func (p *AccountPlan) InForceAt(t time.Time) bool {
	return !t.Before(p.start) && t.Before(p.end)
}

// Overlaps reports whether the periods of p and o overlap.
func (p *AccountPlan) Overlaps(o *AccountPlan) bool {
	return p.start.Before(o.end) && o.start.Before(p.end)
}

// begin checks ch and that the plan may change, for op.
func (p *AccountPlan) begin(ch Change, editable bool) *crm.Validator {
	v := &crm.Validator{}
	validateChange(v, ch)
	if !ch.At.IsZero() {
		v.Check(!ch.At.UTC().Before(p.updatedAt), "change.at", "before the plan's last change")
	}
	if editable {
		v.Check(p.status != PlanClosed, "status", "a closed plan cannot change")
	}
	return v
}

// apply checks the plan after a change made on a copy and adopts it, or
// returns the error and leaves p unchanged.
func (p *AccountPlan) apply(op string, d *AccountPlan) error {
	if err := checkPlanRecord(op, d.view()); err != nil {
		return err
	}
	d.canon()
	*p = *d
	return nil
}

// edit returns a copy of p to change, with fresh slices.
func (p *AccountPlan) edit() *AccountPlan { return p.Clone() }

// SetStatus moves the plan along draft → active → closed (or draft →
// closed). A refused move returns a *crm.TransitionError. Activating needs
// at least one goal. Whether another active plan of the account overlaps
// is the store's check (crm.ErrDuplicate on save).
func (p *AccountPlan) SetStatus(to PlanStatus, ch Change) error {
	const op = "customer.AccountPlan.SetStatus"
	v := p.begin(ch, false)
	v.Check(to.Valid(), "status", "unknown status")
	if to == PlanActive {
		v.Check(len(p.goals) > 0, "goals", "an active plan needs a goal")
	}
	if err := v.Err(op); err != nil {
		return err
	}
	if err := planMachine.check(p.status, to); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	d := p.edit()
	from := d.status
	d.status = to
	d.record(PlanHistoryEntry{Kind: PlanStatusChanged, From: from.String(), To: to.String()}, ch)
	if err := p.apply(op, d); err != nil {
		return err
	}
	p.emit(EventPlanStatus, ch, PlanStatusEvent{From: from, To: to})
	return nil
}

// AddMember adds m to the team (Since defaults to ch.At). A new lead
// (m.Lead) takes over from the current one.
func (p *AccountPlan) AddMember(m TeamMember, ch Change) error {
	const op = "customer.AccountPlan.AddMember"
	v := p.begin(ch, true)
	v.Check(!p.HasMember(m.User), "user", "already on the team")
	if err := v.Err(op); err != nil {
		return err
	}
	if m.Since.IsZero() {
		m.Since = ch.At
	}
	m.Since = m.Since.UTC()
	d := p.edit()
	if m.Lead {
		for i := range d.team {
			d.team[i].Lead = false
		}
	}
	d.team = append(d.team, m)
	d.record(PlanHistoryEntry{Kind: PlanMemberAdded, Subject: string(m.User), To: m.Role.String()}, ch)
	return p.commitTeam(op, d, ch)
}

// RemoveMember takes user off the team. The lead manager cannot be removed:
// make another member the lead first.
func (p *AccountPlan) RemoveMember(user crm.UserID, ch Change) error {
	const op = "customer.AccountPlan.RemoveMember"
	v := p.begin(ch, true)
	i := slices.IndexFunc(p.team, func(m TeamMember) bool { return m.User == user })
	if v.Check(i >= 0, "user", "not on the team") {
		v.Check(!p.team[i].Lead, "user", "is the lead manager; set another lead first")
	}
	if err := v.Err(op); err != nil {
		return err
	}
	d := p.edit()
	d.team = slices.Delete(d.team, i, i+1)
	d.record(PlanHistoryEntry{Kind: PlanMemberRemoved, Subject: string(user), From: p.team[i].Role.String()}, ch)
	return p.commitTeam(op, d, ch)
}

// SetRole changes a member's role. The lead manager stays an account
// manager.
func (p *AccountPlan) SetRole(user crm.UserID, role TeamRole, ch Change) error {
	const op = "customer.AccountPlan.SetRole"
	v := p.begin(ch, true)
	i := slices.IndexFunc(p.team, func(m TeamMember) bool { return m.User == user })
	if v.Check(i >= 0, "user", "not on the team") {
		v.Check(p.team[i].Role != role, "role", "unchanged")
	}
	if err := v.Err(op); err != nil {
		return err
	}
	d := p.edit()
	d.team[i].Role = role
	d.record(PlanHistoryEntry{Kind: PlanMemberRole, Subject: string(user), From: p.team[i].Role.String(), To: role.String()}, ch)
	return p.commitTeam(op, d, ch)
}

// SetLead makes user, a member who is an account manager, the lead
// manager.
func (p *AccountPlan) SetLead(user crm.UserID, ch Change) error {
	const op = "customer.AccountPlan.SetLead"
	v := p.begin(ch, true)
	i := slices.IndexFunc(p.team, func(m TeamMember) bool { return m.User == user })
	if v.Check(i >= 0, "user", "not on the team") {
		v.Check(!p.team[i].Lead, "user", "already the lead manager")
	}
	if err := v.Err(op); err != nil {
		return err
	}
	old, _ := p.Lead()
	d := p.edit()
	for j := range d.team {
		d.team[j].Lead = j == i
	}
	d.record(PlanHistoryEntry{Kind: PlanLeadChanged, From: string(old.User), To: string(user)}, ch)
	return p.commitTeam(op, d, ch)
}

func (p *AccountPlan) commitTeam(op string, d *AccountPlan, ch Change) error {
	if err := p.apply(op, d); err != nil {
		return err
	}
	p.emit(EventPlanTeam, ch, p.history[len(p.history)-1])
	return nil
}

func (p *AccountPlan) commitGoal(op string, d *AccountPlan, ch Change) error {
	if err := p.apply(op, d); err != nil {
		return err
	}
	p.emit(EventPlanGoal, ch, p.history[len(p.history)-1])
	return nil
}

// goalIndex returns the index of the goal named name, or −1.
func (p *AccountPlan) goalIndex(name string) int {
	return slices.IndexFunc(p.goals, func(g Goal) bool { return g.Name == name })
}

// AddGoal adds g (its name trimmed) to the plan.
func (p *AccountPlan) AddGoal(g Goal, ch Change) error {
	const op = "customer.AccountPlan.AddGoal"
	g.Name = strings.TrimSpace(g.Name)
	g.Due = g.Due.UTC()
	v := p.begin(ch, true)
	v.Check(p.goalIndex(g.Name) < 0, "name", "a goal of that name exists")
	if err := v.Err(op); err != nil {
		return err
	}
	d := p.edit()
	d.goals = append(d.goals, g)
	d.record(PlanHistoryEntry{Kind: PlanGoalAdded, Subject: g.Name, To: goalText(g)}, ch)
	return p.commitGoal(op, d, ch)
}

// ChangeGoal sets the target and due date of the goal named name (its
// metric and currency stay).
func (p *AccountPlan) ChangeGoal(name string, target decimal.Decimal, due time.Time, ch Change) error {
	const op = "customer.AccountPlan.ChangeGoal"
	v := p.begin(ch, true)
	i := p.goalIndex(name)
	v.Check(i >= 0, "name", "no such goal")
	if err := v.Err(op); err != nil {
		return err
	}
	d := p.edit()
	d.goals[i].Target, d.goals[i].Due = target, due.UTC()
	if d.goals[i].Target.Equal(p.goals[i].Target) && d.goals[i].Due.Equal(p.goals[i].Due) {
		return crm.Invalid(op, "target", "unchanged")
	}
	d.record(PlanHistoryEntry{Kind: PlanGoalChanged, Subject: name, From: goalText(p.goals[i]), To: goalText(d.goals[i])}, ch)
	return p.commitGoal(op, d, ch)
}

// RemoveGoal removes the goal named name and the progress recorded against
// it. An active plan keeps at least one goal.
func (p *AccountPlan) RemoveGoal(name string, ch Change) error {
	const op = "customer.AccountPlan.RemoveGoal"
	v := p.begin(ch, true)
	i := p.goalIndex(name)
	if v.Check(i >= 0, "name", "no such goal") && p.status == PlanActive {
		v.Check(len(p.goals) > 1, "name", "an active plan keeps at least one goal")
	}
	if err := v.Err(op); err != nil {
		return err
	}
	d := p.edit()
	d.goals = slices.Delete(d.goals, i, i+1)
	d.progress = slices.DeleteFunc(d.progress, func(e Progress) bool { return e.Goal == name })
	d.record(PlanHistoryEntry{Kind: PlanGoalRemoved, Subject: name, From: goalText(p.goals[i])}, ch)
	return p.commitGoal(op, d, ch)
}

// RecordProgress records e against its goal in an active plan. e.At
// defaults to ch.At and e.By to ch.Actor; e.At must lie in the plan's
// period and not after ch.At.
func (p *AccountPlan) RecordProgress(e Progress, ch Change) error {
	const op = "customer.AccountPlan.RecordProgress"
	if e.At.IsZero() {
		e.At = ch.At
	}
	if e.By == "" {
		e.By = ch.Actor
	}
	e.At = e.At.UTC()
	v := p.begin(ch, true)
	v.Check(p.status == PlanActive, "status", "progress is recorded on an active plan")
	v.Check(p.goalIndex(e.Goal) >= 0, "goal", "no such goal")
	v.Check(ch.At.IsZero() || !e.At.After(ch.At.UTC()), "at", "must not be after the change")
	if err := v.Err(op); err != nil {
		return err
	}
	d := p.edit()
	d.progress = append(d.progress, e)
	d.updatedAt = ch.At.UTC()
	if err := p.apply(op, d); err != nil {
		return err
	}
	p.emit(EventPlanProgress, ch, e)
	return nil
}

func goalText(g Goal) string {
	s := g.Metric.String() + " " + g.Target.String()
	if g.Metric == MetricRevenue {
		s += " " + g.Currency.Code()
	}
	return s + " by " + g.Due.Format(time.DateOnly)
}

// record appends a history entry made by ch and stamps the change.
func (p *AccountPlan) record(e PlanHistoryEntry, ch Change) {
	e.At, e.Actor, e.Reason = ch.At.UTC(), ch.Actor, ch.Reason
	p.history = append(p.history, e)
	p.updatedAt = e.At
}

func (p *AccountPlan) emit(typ string, ch Change, data any) {
	p.events = append(p.events, crm.Event{
		Type: typ, Tenant: p.tenant, AggregateID: p.id, At: ch.At.UTC(), Actor: string(ch.Actor), Data: data,
	})
}

// Events returns the domain events recorded since the plan was built,
// loaded or last saved, their Version set to the plan's.
func (p *AccountPlan) Events() []crm.Event {
	out := slices.Clone(p.events)
	for i := range out {
		out[i].Version = p.version
	}
	return out
}

// saved tells the plan it was stored at version (the Saved hook).
func (p *AccountPlan) saved(version int64) {
	p.version = version
	p.events = nil
}

// Clone returns a deep copy of p.
func (p *AccountPlan) Clone() *AccountPlan {
	d := *p
	d.team = slices.Clone(p.team)
	d.goals = slices.Clone(p.goals)
	d.progress = slices.Clone(p.progress)
	d.history = slices.Clone(p.history)
	d.events = slices.Clone(p.events)
	return &d
}

// GoalProgress is a goal's progress at a moment, computed by
// [AccountPlan.ProgressAt].
type GoalProgress struct {
	Goal Goal
	// Achieved is the sum of the entries up to the moment (revenue,
	// count) or the latest reading (percentage; 0 before the first).
	Achieved decimal.Decimal
	// Percent is Achieved ÷ Target × 100 (may exceed 100).
	Percent float64
	// Expected is what a straight line from the plan's start (0) to the
	// goal's due date (Target) reaches at the moment: Target × elapsed ÷
	// (Due − Start), clamped to [0, Target]. For a count goal the line is
	// rounded down to a whole count (things counted come whole: a plan of
	// 4 workshops in 90 days expects the first on day 22.5, not 0.04 of
	// one on day one), so a count goal is on track until the line has
	// reached the next whole count.
	Expected decimal.Decimal
	// OnTrack reports Achieved ≥ Expected; Behind is its opposite.
	OnTrack bool
	// Met reports Achieved ≥ Target.
	Met bool
	// Entries counts the entries up to the moment.
	Entries int
}

// ProgressAt returns the progress of every goal at the moment at, in goal
// order; entries recorded after at are left out.
func (p *AccountPlan) ProgressAt(at time.Time) []GoalProgress {
	out := make([]GoalProgress, len(p.goals))
	index := make(map[string]int, len(p.goals))
	latest := make([]time.Time, len(p.goals))
	for i, g := range p.goals {
		out[i].Goal = g
		index[g.Name] = i
	}
	for _, e := range p.progress { // one pass, in recorded order
		i, ok := index[e.Goal]
		if !ok || e.At.After(at) {
			continue
		}
		gp := &out[i]
		gp.Entries++
		if gp.Goal.Metric == MetricPercentage {
			if gp.Entries == 1 || !e.At.Before(latest[i]) {
				gp.Achieved, latest[i] = e.Value, e.At
			}
			continue
		}
		gp.Achieved = gp.Achieved.Add(e.Value)
	}
	for i := range out {
		gp := &out[i]
		g := gp.Goal
		gp.Percent = gp.Achieved.Div(g.Target).Mul(decimal.NewFromInt(100)).InexactFloat64()
		span := g.Due.Sub(p.start)
		switch el := at.Sub(p.start); {
		case el <= 0:
			gp.Expected = decimal.Zero
		case el >= span:
			gp.Expected = g.Target
		default:
			gp.Expected = g.Target.Mul(decimal.NewFromInt(int64(el / time.Second))).
				Div(decimal.NewFromInt(int64(span / time.Second)))
			if g.Metric == MetricCount {
				gp.Expected = gp.Expected.Floor()
			}
		}
		gp.OnTrack = gp.Achieved.Cmp(gp.Expected) >= 0
		gp.Met = gp.Achieved.Cmp(g.Target) >= 0
	}
	return out
}
