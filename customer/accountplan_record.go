package customer

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
)

// maxPercentage is the largest percentage a goal or reading may hold.
var maxPercentage = decimal.NewFromInt(100)

// maxPlanFigure bounds the magnitude of targets and progress values: far
// above any real figure, and within what every store keeps exactly.
var maxPlanFigure = decimal.New(1, 15)

// maxPlanFigureExp bounds the digits after the point of targets and values.
const maxPlanFigureExp = 6

// AccountPlanRecord is the persisted form of an [AccountPlan], and its JSON
// form.
type AccountPlanRecord struct {
	ID        crm.ID             `json:"id"`
	Tenant    crm.TenantID       `json:"tenant"`
	Customer  crm.ID             `json:"customer"`
	Version   int64              `json:"version"`
	Name      string             `json:"name"`
	Start     time.Time          `json:"start"`
	End       time.Time          `json:"end"`
	Status    PlanStatus         `json:"status"`
	Team      []TeamMember       `json:"team"`
	Goals     []Goal             `json:"goals"`
	Progress  []Progress         `json:"progress"`
	History   []PlanHistoryEntry `json:"history"`
	CreatedAt time.Time          `json:"created_at"`
	UpdatedAt time.Time          `json:"updated_at"`
}

// Record returns the plan's persisted form, sharing nothing with p.
func (p *AccountPlan) Record() AccountPlanRecord { return p.Clone().view() }

// view is the persisted form sharing p's slices: for checks that only read.
func (p *AccountPlan) view() AccountPlanRecord {
	return AccountPlanRecord{ID: p.id, Tenant: p.tenant, Customer: p.customer, Version: p.version, Name: p.name,
		Start: p.start, End: p.end, Status: p.status, Team: p.team, Goals: p.goals, Progress: p.progress,
		History: p.history, CreatedAt: p.createdAt, UpdatedAt: p.updatedAt}
}

// AccountPlanFromRecord rebuilds a plan from its persisted form, checking
// every invariant a stored plan keeps.
func AccountPlanFromRecord(r AccountPlanRecord) (*AccountPlan, error) {
	r.Team, r.Goals = slices.Clone(r.Team), slices.Clone(r.Goals)
	r.Progress, r.History = slices.Clone(r.Progress), slices.Clone(r.History)
	return adoptPlanRecord(r)
}

// adoptPlanRecord is the Adopt hook of plans: AccountPlanFromRecord
// without the copies.
func adoptPlanRecord(r AccountPlanRecord) (*AccountPlan, error) {
	if err := checkPlanRecord("customer.AccountPlanFromRecord", r); err != nil {
		return nil, err
	}
	p := adoptPlan(r)
	p.canon()
	return p, nil
}

// canon writes every target and value in its shortest form ("12.5", not
// "12.50"), so that a plan reads back equal from any store or JSON. Only
// called on a checked plan, whose figures are bounded.
func (p *AccountPlan) canon() {
	for i := range p.goals {
		p.goals[i].Target = canonDecimal(p.goals[i].Target)
	}
	for i := range p.progress {
		p.progress[i].Value = canonDecimal(p.progress[i].Value)
	}
}

func canonDecimal(d decimal.Decimal) decimal.Decimal {
	// Already shortest: exponent 0, or a negative exponent whose last
	// digit is not 0 (checked without allocating when it fits int64).
	if d.Exponent() == 0 || d.Exponent() < 0 && d.NumDigits() <= 18 && d.CoefficientInt64()%10 != 0 {
		return d
	}
	c, err := decimal.NewFromString(d.String())
	if err != nil {
		return d
	}
	return c
}

func adoptPlan(r AccountPlanRecord) *AccountPlan {
	// Times are kept in UTC, so a plan compares equal whatever zone its
	// record was written in.
	r.Start, r.End, r.CreatedAt, r.UpdatedAt = r.Start.UTC(), r.End.UTC(), r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	for i := range r.Team {
		r.Team[i].Since = r.Team[i].Since.UTC()
	}
	for i := range r.Goals {
		r.Goals[i].Due = r.Goals[i].Due.UTC()
	}
	for i := range r.Progress {
		r.Progress[i].At = r.Progress[i].At.UTC()
	}
	for i := range r.History {
		r.History[i].At = r.History[i].At.UTC()
	}
	return &AccountPlan{id: r.ID, tenant: r.Tenant, customer: r.Customer, version: r.Version, name: r.Name,
		start: r.Start, end: r.End, status: r.Status, team: r.Team, goals: r.Goals, progress: r.Progress,
		history: r.History, createdAt: r.CreatedAt, updatedAt: r.UpdatedAt}
}

// checkPlanTime records a problem at path unless t is set, UTC-comparable
// and in the stored range.
func checkPlanTime(v *crm.Validator, path string, t time.Time) bool {
	return v.Check(!t.IsZero() && crm.ValidTime(t), path, "must be set and in the supported time range")
}

// checkFigure checks a target or value of metric m at path; see
// figureProblem.
func checkFigure(v *crm.Validator, path string, m GoalMetric, x decimal.Decimal, target bool) {
	if problem := figureProblem(m, x, target); problem != "" {
		v.Addf(path, "%s", problem)
	}
}

// figureProblem says what is wrong with a target or value of metric m, or
// "": positive (target) or not negative (value), whole for counts, at most
// 100 for percentages, bounded in size and digits.
func figureProblem(m GoalMetric, x decimal.Decimal, target bool) string {
	switch {
	case x.Exponent() > 15 && x.Sign() != 0, x.Exponent() < -40:
		// Refused before any arithmetic, which would expand the exponent.
		return fmt.Sprintf("must be below 10^15 with at most %d digits after the point", maxPlanFigureExp)
	case target && x.Sign() <= 0:
		return "must be positive"
	case x.Sign() < 0:
		return "must not be negative"
	case x.Abs().Cmp(maxPlanFigure) >= 0:
		return "must be below 10^15"
	case x.Exponent() < -maxPlanFigureExp && !x.Equal(x.Round(maxPlanFigureExp)):
		return fmt.Sprintf("at most %d digits after the point", maxPlanFigureExp)
	case m == MetricCount && !x.IsInteger():
		return "a count must be a whole number"
	case m == MetricPercentage && x.Cmp(maxPercentage) > 0:
		return "a percentage must not exceed 100"
	}
	return ""
}

// textOK reports whether s passes checkText (not required) and noNUL.
func textOK(s string, max int) bool {
	return len(s) <= max && utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 ||
		utf8.ValidString(s) && len(s) <= max*utf8.UTFMax && utf8.RuneCountInString(s) <= max && strings.IndexByte(s, 0) < 0
}

// checkPlanRecord is the one check of a stored plan, reported for op.
func checkPlanRecord(op string, r AccountPlanRecord) error {
	var v crm.Validator
	v.Check(!r.ID.IsZero(), "id", "must not be zero")
	v.Merge("tenant", r.Tenant.Validate())
	v.Check(!r.Customer.IsZero(), "customer", "must not be zero")
	v.Check(r.Customer != r.ID, "customer", "must not be the plan's own ID")
	v.Check(r.Version >= 0, "version", "must not be negative")
	v.Check(strings.TrimSpace(r.Name) == r.Name, "name", "must not start or end with white space")
	checkText(&v, "name", r.Name, MaxNameLen, true)
	noNUL(&v, "name", r.Name)
	okStart := checkPlanTime(&v, "start", r.Start)
	okEnd := checkPlanTime(&v, "end", r.End)
	period := okStart && okEnd && v.Check(r.End.After(r.Start), "end", "must be after start")
	v.Check(r.Status.Valid(), "status", "unknown status")
	if v.Check(len(r.Team) <= MaxPlanMembers, "team", fmt.Sprintf("at most %d members", MaxPlanMembers)) {
		leads := 0
		seen := make(map[crm.UserID]bool, len(r.Team))
		for i, m := range r.Team {
			p := fmt.Sprintf("team[%d]", i)
			if err := m.User.Validate(); err != nil {
				v.Merge(p+".user", err)
			} else {
				v.Check(!seen[m.User], p+".user", "on the team twice")
				seen[m.User] = true
			}
			v.Check(m.Role.Valid(), p+".role", "unknown role")
			checkPlanTime(&v, p+".since", m.Since)
			if m.Lead {
				leads++
				v.Check(m.Role == RoleAccountManager, p+".role", "the lead manager must be an account manager")
			}
		}
		v.Check(leads == 1, "team", "must have exactly one lead manager")
	}
	goals := make(map[string]GoalMetric, len(r.Goals))
	if v.Check(len(r.Goals) <= MaxPlanGoals, "goals", fmt.Sprintf("at most %d goals", MaxPlanGoals)) {
		for i, g := range r.Goals {
			p := fmt.Sprintf("goals[%d]", i)
			v.Check(strings.TrimSpace(g.Name) == g.Name, p+".name", "must not start or end with white space")
			checkText(&v, p+".name", g.Name, MaxNameLen, true)
			noNUL(&v, p+".name", g.Name)
			if _, dup := goals[g.Name]; dup {
				v.Addf(p+".name", "repeats a goal's name")
			}
			goals[g.Name] = g.Metric
			if v.Check(g.Metric.Valid(), p+".metric", "unknown metric") {
				checkFigure(&v, p+".target", g.Metric, g.Target, true)
				if g.Metric == MetricRevenue {
					v.Check(!g.Currency.IsZero(), p+".currency", "a revenue goal needs a currency")
				} else {
					v.Check(g.Currency.IsZero(), p+".currency", "only a revenue goal has a currency")
				}
			}
			if checkPlanTime(&v, p+".due", g.Due) && period {
				v.Check(g.Due.After(r.Start) && !g.Due.After(r.End), p+".due", "must be after the start and not after the end of the plan")
			}
		}
	}
	v.Check(r.Status != PlanActive || len(r.Goals) > 0, "goals", "an active plan needs a goal")
	if v.Check(len(r.Progress) <= MaxPlanProgress, "progress", fmt.Sprintf("at most %d entries", MaxPlanProgress)) {
		v.Check(r.Status != PlanDraft || len(r.Progress) == 0, "progress", "a draft plan has no progress")
		for i, e := range r.Progress {
			// The common case, an entry with nothing wrong, is decided
			// without building field paths.
			if m, ok := goals[e.Goal]; ok && m.Valid() && figureProblem(m, e.Value, false) == "" &&
				!e.At.IsZero() && crm.ValidTime(e.At) && (!period || !e.At.Before(r.Start) && e.At.Before(r.End)) &&
				e.By.Validate() == nil && textOK(e.Note, MaxPlanNoteLen) {
				continue
			}
			p := fmt.Sprintf("progress[%d]", i)
			m, ok := goals[e.Goal]
			if v.Check(ok, p+".goal", "no such goal") && m.Valid() {
				checkFigure(&v, p+".value", m, e.Value, false)
			}
			if checkPlanTime(&v, p+".at", e.At) && period {
				v.Check(!e.At.Before(r.Start) && e.At.Before(r.End), p+".at", "must lie in the plan's period")
			}
			v.Merge(p+".by", e.By.Validate())
			checkText(&v, p+".note", e.Note, MaxPlanNoteLen, false)
			noNUL(&v, p+".note", e.Note)
		}
	}
	if v.Check(len(r.History) <= MaxPlanHistory, "history", fmt.Sprintf("at most %d entries", MaxPlanHistory)) {
		var prev time.Time
		for i, h := range r.History {
			if h.Kind.Valid() && !h.At.IsZero() && crm.ValidTime(h.At) && !h.At.Before(prev) && h.Actor.Validate() == nil &&
				textOK(h.Subject, MaxNameLen+100) && textOK(h.From, MaxNameLen+100) && textOK(h.To, MaxNameLen+100) &&
				textOK(h.Reason, MaxReasonLen) {
				prev = h.At
				continue
			}
			p := fmt.Sprintf("history[%d]", i)
			v.Check(h.Kind.Valid(), p+".kind", "unknown kind")
			if checkPlanTime(&v, p+".at", h.At) {
				v.Check(!h.At.Before(prev), p+".at", "history must be in time order")
				prev = h.At
			}
			v.Merge(p+".actor", h.Actor.Validate())
			for _, f := range []struct{ name, s string }{{"subject", h.Subject}, {"from", h.From}, {"to", h.To}} {
				checkText(&v, p+"."+f.name, f.s, MaxNameLen+100, false)
				noNUL(&v, p+"."+f.name, f.s)
			}
			checkText(&v, p+".reason", h.Reason, MaxReasonLen, false)
			noNUL(&v, p+".reason", h.Reason)
		}
	}
	if checkPlanTime(&v, "created_at", r.CreatedAt) && checkPlanTime(&v, "updated_at", r.UpdatedAt) {
		v.Check(!r.UpdatedAt.Before(r.CreatedAt), "updated_at", "must not be before created_at")
	}
	return v.Err(op)
}
