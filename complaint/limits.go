package complaint

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// MaxRiskNotes bounds the notes kept on one risk.
const MaxRiskNotes = 1000

// noNUL adds a problem at path when s holds a NUL byte, which not every
// store can keep (PostgreSQL text cannot). Entities may hold one; no store
// is asked to keep it.
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

// checkStored checks a complaint on its way into a store against every
// rule a stored complaint keeps: the invariants of [FromRecord] and the
// limits documented in the package (see "Limits" in doc.go). It is the one
// function that says what may be stored; [Guard] runs it on every
// complaint a store is asked to write, however it was built.
//
// stored is the resolution the complaint had when it was loaded (nil for
// a new complaint): a resolution left as it was is not held to the rules a
// resolution meets when it is set (a positive compensation), so that
// complaints resolved before such a rule still move on.
func checkStored(op string, c *Complaint, stored *Resolution) error {
	if c == nil || c.id.IsZero() && c.tenant == "" {
		return crm.Invalid(op, "complaint", "must be built with New or FromRecord")
	}
	if err := checkRecord(c.view()); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var v crm.Validator
	checkCode(&v, "category", c.category)
	checkText(&v, "description", c.desc, true)
	checkText(&v, "desired_outcome", c.desired, false)
	checkAttachments(&v, c.attach)
	noNUL(&v, "category", c.category)
	noNUL(&v, "description", c.desc)
	noNUL(&v, "desired_outcome", c.desired)
	noNUL(&v, "attachments", c.attach...)
	for i, l := range c.asset {
		noNUL(&v, fmt.Sprintf("asset[%d]", i), l.Kind, l.ID)
	}
	if r := c.resolution; r != nil {
		if r != stored {
			r.checkAmount(&v, "resolution")
		}
		noNUL(&v, "resolution", r.Summary, r.RootCause.Category, r.RootCause.Text, r.Corrective, r.Preventive)
	}
	if c.followUp != nil {
		noNUL(&v, "follow_up.note", c.followUp.Note)
	}
	for i, a := range c.pending {
		p := fmt.Sprintf("audit[%d]", i)
		noNUL(&v, p+".reason", a.Reason)
		noNUL(&v, p, a.From, a.To)
		v.Check(utf8.ValidString(a.From+a.To+a.Reason), p, "not valid UTF-8")
	}
	if v.Check(len(c.repair) <= MaxRepairEntries, "repair", "too many entries") {
		for i, e := range c.repair {
			p := fmt.Sprintf("repair[%d]", i)
			checkText(&v, p+".note", e.Note, false)
			noNUL(&v, p+".note", e.Note)
			checkTime(&v, p+".at", e.At)
			v.Merge(p+".actor", e.Actor.Validate())
		}
	}
	if v.Check(len(c.pauses) <= MaxPauses, "pauses", "too many pauses") {
		for i, p := range c.pauses {
			checkTime(&v, fmt.Sprintf("pauses[%d].start", i), p.Start)
			checkTime(&v, fmt.Sprintf("pauses[%d].end", i), p.End)
		}
	}
	for _, t := range []struct {
		path string
		at   time.Time
	}{
		{"received_at", c.receivedAt}, {"acknowledged_at", c.acknowledgedAt},
		{"first_response_at", c.firstResponseAt}, {"resolved_at", c.resolvedAt},
		{"closed_at", c.closedAt}, {"rejected_at", c.rejectedAt}, {"follow_up_at", c.followUpAt},
	} {
		checkTime(&v, t.path, t.at)
	}
	if c.followUp != nil {
		checkTime(&v, "follow_up.at", c.followUp.At)
	}
	if c.survey != nil {
		checkText(&v, "survey.comment", c.survey.Comment, false)
		noNUL(&v, "survey.comment", c.survey.Comment)
		checkTime(&v, "survey.at", c.survey.At)
	}
	return v.Err(op)
}

// checkStoredRisk checks a risk on its way into a store: the invariants of
// [RiskFromRecord] and the limits on its notes and hotspot.
func checkStoredRisk(op string, r *Risk) error {
	if r == nil || r.id.IsZero() && r.tenant == "" {
		return crm.Invalid(op, "risk", "must be built with NewRisk or RiskFromRecord")
	}
	if _, err := adoptRiskRecord(r.Record()); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var v crm.Validator
	checkTime(&v, "created_at", r.createdAt)
	checkTime(&v, "updated_at", r.updatedAt)
	h := r.hotspot
	v.Check(len(h.Rule) <= MaxRuleNameLen, "hotspot.rule", "too long")
	checkText(&v, "hotspot.rule", h.Rule, true)
	checkText(&v, "hotspot.category", h.Category, false)
	noNUL(&v, "hotspot", h.Rule, h.Category)
	for i, l := range h.Asset {
		noNUL(&v, fmt.Sprintf("hotspot.asset[%d]", i), l.Kind, l.ID)
	}
	v.Check(len(h.Category) <= MaxCategoryCodeLen, "hotspot.category", "too long")
	v.Check(h.Count >= 0, "hotspot.count", "must not be negative")
	v.Check(len(h.Evidence) <= MaxEvidenceCap, "hotspot.evidence", "too many")
	v.Check(len(h.Key()) <= MaxRiskKeyLen, "hotspot", "key too long")
	checkTime(&v, "hotspot.from", h.From)
	checkTime(&v, "hotspot.to", h.To)
	if v.Check(len(r.notes) <= MaxRiskNotes, "notes", "too many notes") {
		for i, n := range r.notes {
			checkText(&v, fmt.Sprintf("notes[%d].text", i), n.Text, false)
			noNUL(&v, fmt.Sprintf("notes[%d].text", i), n.Text)
			checkTime(&v, fmt.Sprintf("notes[%d].at", i), n.At)
		}
	}
	return v.Err(op)
}
