package customer

import (
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// MaxDayTarget bounds each count of a DayTarget.
const MaxDayTarget = 1000

// DayTarget is how many visits a salesperson should make in a day, new and
// return counted apart; one source sets 7 new + 3 return visits a day.
type DayTarget struct {
	New    int `json:"new"`
	Return int `json:"return"`
}

// Validate returns a *crm.ValidationError when a count is negative or above
// MaxDayTarget, or both are 0.
func (t DayTarget) Validate() error {
	var v crm.Validator
	t.validate(&v, "")
	return v.Err("customer.DayTarget")
}

func (t DayTarget) validate(v *crm.Validator, prefix string) {
	v.Check(t.New >= 0 && t.New <= MaxDayTarget, prefix+"new", fmt.Sprintf("must be between 0 and %d", MaxDayTarget))
	v.Check(t.Return >= 0 && t.Return <= MaxDayTarget, prefix+"return", fmt.Sprintf("must be between 0 and %d", MaxDayTarget))
	v.Check(t.New != 0 || t.Return != 0, prefix+"new", "new and return must not both be 0")
}

// DayPlanCheck is the result of checking one salesperson's visits of one
// day against a DayTarget.
//
// The plan is every visit of the day that was not cancelled: planned, done
// and missed visits count as planned (a missed visit was in the plan but did
// not happen). Only done visits count as done.
type DayPlanCheck struct {
	Salesperson crm.UserID
	Day         Date
	Target      DayTarget
	// PlannedNew and PlannedReturn count the visits in the plan, by kind.
	PlannedNew, PlannedReturn int
	// DoneNew and DoneReturn count the visits done, by kind.
	DoneNew, DoneReturn int
	// Cancelled and Missed count the visits cancelled or missed.
	Cancelled, Missed int
	// MissingNew and MissingReturn count the visits the plan lacks to meet
	// the target (0 when it does).
	MissingNew, MissingReturn int
	// Met reports whether the plan meets the target.
	Met bool
	// Achieved reports whether the visits done meet the target.
	Achieved bool
	// Overlaps lists the pairs of planned visits whose time windows
	// [PlannedAt, PlannedAt+Duration) overlap, or which start at the same
	// instant; each pair is ordered by CompareVisits and the list is sorted
	// by its first, then its second visit in that order. Cancelled and
	// missed visits take no time.
	Overlaps [][2]crm.ID
}

// CheckDayPlan checks the visits of salesperson planned on day, a calendar
// day in loc (UTC when nil), against target. Visits of other salespeople or
// planned on other days (PlannedAt in loc) are ignored, so the host may
// pass a whole team's week. Every visit that counts must be valid
// ([Visit.Validate]) and have a distinct ID; a bad target, salesperson or
// day, or a bad visit, returns an error wrapping crm.ErrInvalid.
func CheckDayPlan(salesperson crm.UserID, day Date, loc *time.Location, visits []Visit, target DayTarget) (DayPlanCheck, error) {
	const op = "customer.CheckDayPlan"
	var v crm.Validator
	v.Merge("salesperson", salesperson.Validate())
	if err := day.Validate(); err != nil {
		v.Merge("day", err)
	} else if day.Year == 0 {
		v.Addf("day", "year is required")
	}
	target.validate(&v, "target.")
	if err := v.Err(op); err != nil {
		return DayPlanCheck{}, err
	}
	if loc == nil {
		loc = time.UTC
	}

	res := DayPlanCheck{Salesperson: salesperson, Day: day, Target: target}
	var plan []Visit // visits that take time, for the overlap check
	seen := map[crm.ID]bool{}
	for i, vi := range visits {
		if vi.Salesperson != salesperson || vi.PlannedAt.IsZero() {
			continue
		}
		y, m, d := vi.PlannedAt.In(loc).Date()
		if y != day.Year || m != day.Month || d != day.Day {
			continue
		}
		path := fmt.Sprintf("visits[%d]", i)
		if err := vi.Validate(); err != nil {
			v.Merge(path, err)
			continue
		}
		if seen[vi.ID] {
			v.Addf(path+".id", "duplicate id %s", vi.ID)
			continue
		}
		seen[vi.ID] = true
		switch vi.Status {
		case VisitCancelled:
			res.Cancelled++
			continue
		case VisitMissed:
			res.Missed++
		case VisitDone:
			if vi.Kind == NewVisit {
				res.DoneNew++
			} else {
				res.DoneReturn++
			}
		}
		if vi.Kind == NewVisit {
			res.PlannedNew++
		} else {
			res.PlannedReturn++
		}
		if vi.Status != VisitMissed {
			plan = append(plan, vi)
		}
	}
	if err := v.Err(op); err != nil {
		return DayPlanCheck{}, err
	}
	res.MissingNew = max(0, target.New-res.PlannedNew)
	res.MissingReturn = max(0, target.Return-res.PlannedReturn)
	res.Met = res.MissingNew == 0 && res.MissingReturn == 0
	res.Achieved = res.DoneNew >= target.New && res.DoneReturn >= target.Return
	res.Overlaps = visitOverlaps(plan)
	return res, nil
}

// visitOverlaps returns the pairs of visits whose windows overlap. Visits are
// swept in start order, so only visits starting before the current one ends
// are compared.
func visitOverlaps(visits []Visit) [][2]crm.ID {
	slices.SortFunc(visits, CompareVisits)
	var out [][2]crm.ID
	for i, a := range visits {
		end := a.PlannedAt.Add(a.Duration)
		for _, b := range visits[i+1:] {
			if !b.PlannedAt.Before(end) && !b.PlannedAt.Equal(a.PlannedAt) {
				break
			}
			out = append(out, [2]crm.ID{a.ID, b.ID})
		}
	}
	return out
}
