package opportunity

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// noNUL adds a problem at path when one of ss holds a NUL byte, which not
// every store can keep (PostgreSQL text cannot). Entities may hold one; no
// store is asked to keep it.
func noNUL(v *crm.Validator, path string, ss ...string) {
	for _, s := range ss {
		if strings.IndexByte(s, 0) >= 0 {
			v.Addf(path, "must not contain a NUL byte")
			return
		}
	}
}

// checkTime adds a problem at path when t lies outside the stored range.
func checkTime(v *crm.Validator, path string, t time.Time) {
	v.Check(crm.ValidTime(t), path, "outside the supported time range")
}

// checkStored checks an opportunity on its way into a store against every
// rule a stored opportunity keeps: the invariants of [FromRecord], text
// every store can keep (valid UTF-8 within its limit, no NUL byte), times
// within [crm.ValidTime], and pending stage changes that continue the
// opportunity's history. It is the one function that says what may be
// stored; [Guard] runs it on every opportunity a store is asked to write,
// however the opportunity was built.
func checkStored(op string, o *Opportunity) error {
	if o == nil || o.state == nil || o.id.IsZero() && o.tenant == "" {
		return crm.Invalid(op, "opportunity", "must be built with New or FromRecord")
	}
	r := o.Record()
	if _, err := FromRecord(r); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var v crm.Validator
	noNUL(&v, "team", r.Team)
	noNUL(&v, "pipeline", r.Pipeline)
	noNUL(&v, "name", r.Name)
	noNUL(&v, "source.campaign", r.Source.Campaign)
	noNUL(&v, "segment", r.Segment)
	noNUL(&v, "stage", r.Stage, r.ClosedFrom)
	for i, c := range r.Contacts {
		noNUL(&v, fmt.Sprintf("contacts[%d].name", i), c.Name)
	}
	for i, l := range r.Lines {
		p := fmt.Sprintf("lines[%d]", i)
		noNUL(&v, p+".code", l.Code)
		checkText(&v, p+".description", l.Description, MaxTextLen)
		noNUL(&v, p+".description", l.Description)
		for j, a := range l.Adjustments {
			q := fmt.Sprintf("%s.adjustments[%d]", p, j)
			checkText(&v, q+".rule", a.Rule, MaxNameLen)
			checkText(&v, q+".note", a.Note, MaxTextLen)
			noNUL(&v, q, a.Rule, a.Note)
		}
	}
	for i, a := range r.Approvals {
		p := fmt.Sprintf("approvals[%d]", i)
		checkText(&v, p+".reason", a.Reason, MaxTextLen)
		noNUL(&v, p, a.Line, a.Reason)
		checkTime(&v, p+".at", a.At)
	}
	if p := r.ProbabilityOverride; p != nil {
		checkText(&v, "probability_override.reason", p.Reason, MaxTextLen)
		noNUL(&v, "probability_override.reason", p.Reason)
		checkTime(&v, "probability_override.at", p.At)
	}
	noNUL(&v, "next_step.text", r.NextStep.Text)
	for i, c := range r.Competitors {
		p := fmt.Sprintf("competitors[%d]", i)
		checkText(&v, p+".strengths", c.Strengths, MaxTextLen)
		checkText(&v, p+".weaknesses", c.Weaknesses, MaxTextLen)
		noNUL(&v, p, c.Name, c.Strengths, c.Weaknesses)
	}
	if r.Won != nil {
		noNUL(&v, "won.contract", r.Won.Contract)
	}
	if r.Lost != nil {
		checkText(&v, "lost.competitor", r.Lost.Competitor, MaxNameLen)
		noNUL(&v, "lost", r.Lost.Reason, r.Lost.Competitor, r.Lost.Notes)
	}
	checkTime(&v, "stage_since", r.StageSince)
	checkTime(&v, "closed_at", r.ClosedAt)
	checkTime(&v, "created_at", r.CreatedAt)
	checkTime(&v, "updated_at", r.UpdatedAt)
	checkPending(&v, o)
	return v.Err(op)
}

// checkPending checks that the pending stage changes of o continue its
// history: they belong to o, are numbered up to o's last Seq without gaps,
// and hold text and times every store can keep.
func checkPending(v *crm.Validator, o *Opportunity) {
	n := int64(len(o.pending))
	if !v.Check(n <= o.seq, "history", "more pending stage changes than the opportunity's sequence allows") {
		return
	}
	for i, c := range o.pending {
		p := fmt.Sprintf("history[%d]", i)
		if c.Opportunity != o.id || c.Seq != o.seq-n+int64(i)+1 {
			v.Addf(p, "does not continue the opportunity's stage history")
			return
		}
		v.Check(utf8.ValidString(c.Team+c.Pipeline+c.From+c.To+c.Reason), p, "not valid UTF-8")
		checkText(v, p+".reason", c.Reason, MaxTextLen)
		noNUL(v, p, c.Team, c.Pipeline, c.From, c.To, c.Reason)
		v.Merge(p+".actor", c.Actor.Validate())
		checkTime(v, p+".at", c.At)
		v.Check(c.InStage >= 0 && c.InStageBusiness >= 0, p+".in_stage", "must not be negative")
		v.Check(validProbability(c.Probability), p+".probability", "must be in [0, 1]")
		v.Check(len(c.Team) <= MaxCodeLen && len(c.Pipeline) <= MaxCodeLen && len(c.From) <= MaxCodeLen && len(c.To) <= MaxCodeLen,
			p, fmt.Sprintf("codes longer than %d bytes", MaxCodeLen))
	}
}

// checkRef validates the tenant and ID arguments of a store call.
func checkRef(op string, tenant crm.TenantID, id crm.ID) error {
	var v crm.Validator
	v.Merge("", tenant.Validate())
	v.Check(!id.IsZero(), "id", "must not be zero")
	return v.Err(op)
}

// checkUpdate checks the result of an Update closure against the state it
// was given: the same opportunity (ID, tenant, customer, currency,
// creation time), at the same version, with a history the closure only
// appended to.
func checkUpdate(op string, before *Opportunity, after *Opportunity) error {
	var v crm.Validator
	if !v.Check(after != nil && after.id == before.id && after.tenant == before.tenant, "id", "fn must not change the opportunity's ID or tenant") {
		return v.Err(op)
	}
	v.Check(after.version == before.version, "version", "fn must not change the opportunity's version")
	v.Check(after.customer == before.customer, "customer", "fn must not change the customer")
	v.Check(after.currency == before.currency, "currency", "fn must not change the currency")
	v.Check(after.createdAt.Equal(before.createdAt), "created_at", "fn must not change the creation time")
	added := int64(len(after.pending) - len(before.pending))
	v.Check(added >= 0 && after.seq == before.seq+added, "seq", "fn must not rewrite the stage history")
	return v.Err(op)
}
