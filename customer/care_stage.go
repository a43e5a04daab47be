package customer

import (
	"slices"
	"strconv"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
)

// DueMoveCare returns the care actions of plan's entered triggers due for
// customer c within [from, to): for each move of c's history (in any
// order) into the trigger's stage or lifecycle status, one action per
// offset, due on the offset-th business day after the day of the move
// (offset 0: the day of the move itself). Days are those of cal's time zone
// and business days those with working time on cal; with a nil cal, days
// are the customer's (as in DueCare) and every day counts.
//
// Each (move, type, offset) gives exactly one due day, so consecutive
// ranges [t0, t1), [t1, t2) never return an action twice nor miss one, and
// a customer that enters a stage twice gets the care twice, once per move,
// each action naming its move (CareAction.Move). Only moves recorded on c
// itself count (OriginID == c.ID()): history a merge moved from another
// customer tells that customer's moves. Tombstones and erased customers
// get nothing; Segment and RequireConsent apply as in DueCare.
//
// The plan and range are checked as in DueCare (an error wrapping
// crm.ErrInvalid); a nil customer is refused. The result is sorted by
// [CompareCareActions].
func DueMoveCare(plan CarePlan, cal *calendar.Calendar, c *Customer, history []HistoryEntry, from, to time.Time) ([]CareAction, error) {
	const op = "customer.DueMoveCare"
	var v crm.Validator
	plan.validate(&v, "plan.")
	switch {
	case from.IsZero():
		v.Addf("from", "must be set")
	case to.IsZero():
		v.Addf("to", "must be set")
	case !from.Before(to):
		v.Addf("to", "must be after from")
	case to.Sub(from) > MaxCareRange:
		v.Addf("to", "range longer than %d days", MaxCareRange/(24*time.Hour))
	case from.UTC().Year() < 2 || to.UTC().Year() > 9998:
		v.Addf("from", "must lie in years 2 to 9998")
	}
	v.Check(c != nil && c.state != nil, "customer", "must be built with New or FromRecord")
	if err := v.Err(op); err != nil {
		return nil, err
	}
	if c.IsTombstone() || c.IsErased() {
		return nil, nil
	}
	loc := c.Location()
	if cal != nil {
		loc = cal.Location()
	}
	business := func(n int64) bool {
		if cal == nil {
			return true
		}
		y, m, d := civilDate(n)
		return len(cal.SpansOn(calendar.Date{Year: y, Month: m, Day: d})) > 0
	}
	var out []CareAction
	for i := range plan.Types {
		t := &plan.Types[i]
		tr := &t.Trigger
		if tr.Kind != TriggerEntered {
			continue
		}
		if t.Segment != nil && !t.Segment.Matches(c) || t.RequireConsent && !c.MayContact(t.Channel) {
			continue
		}
		kind, want := HistoryStage, tr.Stage.String()
		if tr.Lifecycle != 0 {
			kind, want = HistoryLifecycle, tr.Lifecycle.String()
		}
		maxOff := slices.Max(tr.Offsets)
		for _, e := range history {
			if e.OriginID != c.id || e.Kind != kind || e.To != want || !crm.ValidTime(e.At) {
				continue
			}
			day := localDayNumber(e.At, loc)
			if day > localDayNumber(to, loc) {
				continue // every due day of the move lies after the range
			}
			dues := moveDueDays(day, tr.Offsets, maxOff, business)
			for k, off := range tr.Offsets {
				due := dues[k]
				if due < 0 {
					continue // beyond the calendar's horizon
				}
				dueAt := startOfDay(due, loc)
				remindAt := dueAt
				if t.LeadDays > 0 {
					remindAt = startOfDay(due-int64(t.LeadDays), loc)
				}
				if dueAt.Before(from) || !dueAt.Before(to) {
					continue
				}
				y, m, d := civilDate(due)
				out = append(out, CareAction{
					CustomerID: c.id, Type: t.Code, Channel: t.Channel,
					Due: Date{Year: y, Month: m, Day: d}, DueAt: dueAt, RemindAt: remindAt,
					Occasion: moveOccasion(off, cal != nil, e), Owner: c.owner, Move: e,
				})
			}
		}
	}
	SortCareActions(out)
	return out, nil
}

// moveDueDays returns, for each offset, the day number of the offset-th
// business day after day (offset 0: day itself), or -1 when there is none
// within the calendar's horizon.
func moveDueDays(day int64, offsets []int, maxOff int, business func(int64) bool) []int64 {
	nth := make([]int64, maxOff+1) // nth[k]: the k-th business day after day
	nth[0] = day
	n, limit := day, day+int64(calendar.Horizon/(24*time.Hour))
	for k := 1; k <= maxOff; k++ {
		n++
		for n <= limit && !business(n) {
			n++
		}
		if n > limit {
			for ; k <= maxOff; k++ {
				nth[k] = -1
			}
			break
		}
		nth[k] = n
	}
	out := make([]int64, len(offsets))
	for i, off := range offsets {
		out[i] = nth[off]
	}
	return out
}

// moveOccasion says what an entered trigger's action is for, e.g.
// "2 business days after entering mature (from growth)".
func moveOccasion(off int, business bool, e HistoryEntry) string {
	what := "entering " + e.To
	if e.From != "" {
		what += " (from " + e.From + ")"
	}
	unit := " days"
	if business {
		unit = " business days"
	}
	switch {
	case off == 0:
		return "day of " + what
	case off == 1:
		return "1" + unit[:len(unit)-1] + " after " + what
	}
	return strconv.Itoa(off) + unit + " after " + what
}
