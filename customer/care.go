package customer

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/enum"
)

// Customer care (客户关怀): the host defines its own care types (birthday,
// holiday and anniversary greetings, visits after a sale, …) in a CarePlan;
// DueCare computes which care is due when, for which customer, in that
// customer's own time zone. The library never sends anything: each
// CareAction is one personal message or visit for the host to make.

// Limits on care plans and on the ranges DueCare accepts.
const (
	MaxCareTypes      = 100                  // care types in one plan
	MaxCareOffsets    = 50                   // offsets of an after trigger, milestones of an anniversary trigger
	MaxCareDates      = 1000                 // explicit dates of a fixed trigger
	MaxCareOffsetDays = 3660                 // largest offset of an after trigger, in days (about ten years)
	MaxCareMilestone  = 200                  // largest anniversary milestone, in years
	MaxLeadDays       = 365                  // largest reminder lead, in days
	MaxCareRange      = 366 * 24 * time.Hour // longest [from, to) range DueCare accepts
)

// TriggerKind says what makes a care type due.
type TriggerKind uint8

// Kinds of care trigger. The stored form is the name.
const (
	// TriggerAnnual is due every year on a date of the customer (the
	// birthday): with the year known, from the first anniversary of the date
	// on, and with the year unknown every year.
	TriggerAnnual TriggerKind = iota + 1
	// TriggerAnniversary is due every year on a date of the customer whose
	// year is known (contract signed, joined the club, wedding), counting the
	// years since; Milestones may limit it to some anniversaries.
	TriggerAnniversary
	// TriggerFixed is due on the same date for every customer: a month and
	// day every year (New Year, Christmas), or an explicit list of dates for
	// holidays that move (Spring Festival follows the lunar calendar).
	TriggerFixed
	// TriggerAfter is due a number of days after a date of the customer
	// whose year is known, once per offset (visits 1, 7 and 30 days after a
	// purchase).
	TriggerAfter
	// TriggerEntered is due a number of business days after the customer
	// entered a relationship stage or a lifecycle status, once per offset
	// and per move (a welcome visit 2 days after reaching mature, a
	// retention call the day after turning at risk). It is computed from
	// the customer's history by [DueMoveCare]; DueCare and CareReminders,
	// which read no history, skip it.
	TriggerEntered
)

var triggerKinds = enum.New[TriggerKind]("care trigger", "annual", "anniversary", "fixed", "after", "entered")

// ParseTriggerKind parses a trigger kind name such as "after".
func ParseTriggerKind(s string) (TriggerKind, error) { return triggerKinds.Parse(s) }

// String returns the kind's name.
func (k TriggerKind) String() string { return triggerKinds.String(k) }

// Valid reports whether k is a known kind.
func (k TriggerKind) Valid() bool { return triggerKinds.Valid(k) }

// MarshalText implements encoding.TextMarshaler.
func (k TriggerKind) MarshalText() ([]byte, error) { return triggerKinds.Marshal(k) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *TriggerKind) UnmarshalText(b []byte) (err error) {
	*k, err = triggerKinds.Parse(string(b))
	return err
}

// LeapPolicy says on which day a February 29 date is observed in a year
// that has no February 29. The zero value means LeapFeb28.
type LeapPolicy uint8

// Leap policies. The stored form is the name.
const (
	LeapFeb28 LeapPolicy = iota + 1 // observe on February 28 (the usual choice)
	LeapMar1                        // observe on March 1
)

var leapPolicies = enum.New[LeapPolicy]("leap policy", "feb28", "mar1")

// ParseLeapPolicy parses "feb28" or "mar1".
func ParseLeapPolicy(s string) (LeapPolicy, error) { return leapPolicies.Parse(s) }

// String returns the policy's name.
func (l LeapPolicy) String() string { return leapPolicies.String(l) }

// Valid reports whether l is a known policy.
func (l LeapPolicy) Valid() bool { return leapPolicies.Valid(l) }

// MarshalText implements encoding.TextMarshaler.
func (l LeapPolicy) MarshalText() ([]byte, error) { return leapPolicies.Marshal(l) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *LeapPolicy) UnmarshalText(b []byte) (err error) {
	*l, err = leapPolicies.Parse(string(b))
	return err
}

// CareTrigger says when a care type is due. Which fields apply depends on
// Kind; fields that do not apply must be left zero:
//
//	annual       DateKey, Leap
//	anniversary  DateKey, Milestones, Leap
//	fixed        Month and Day (every year, with Leap), or Dates (explicit)
//	after        DateKey, Offsets
//	entered      Stage or Lifecycle (one of them), Offsets in business days
//
// DateKey names a date of the customer ([Customer.Date]), e.g. "birthday"
// or "purchase". A customer without that date gets no care of the type;
// anniversary and after triggers also skip dates whose year is unknown.
type CareTrigger struct {
	Kind    TriggerKind `json:"kind"`
	DateKey string      `json:"date_key,omitempty"`
	// Month and Day give a fixed trigger's date every year.
	Month time.Month `json:"month,omitempty"`
	Day   int        `json:"day,omitempty"`
	// Dates lists a fixed trigger's dates explicitly, each with its year
	// (the host converts lunar holidays to the Gregorian calendar).
	Dates []Date `json:"dates,omitempty"`
	// Offsets lists the days after the date on which an after trigger is
	// due: 0 (the day itself) to MaxCareOffsetDays, no duplicates.
	Offsets []int `json:"offsets,omitempty"`
	// Milestones limits an anniversary trigger to these anniversaries (1,
	// 5, 10, …); empty means every anniversary.
	Milestones []int `json:"milestones,omitempty"`
	// Leap chooses the day a February 29 date is observed in common years.
	Leap LeapPolicy `json:"leap,omitempty"`
	// Stage makes an entered trigger due after moves into that
	// relationship stage.
	Stage Stage `json:"stage,omitempty"`
	// Lifecycle makes an entered trigger due after moves into that
	// lifecycle status.
	Lifecycle Lifecycle `json:"lifecycle,omitempty"`
}

// CareType is one kind of care a company offers, defined by the host.
type CareType struct {
	// Code identifies the type in the plan and in actions, e.g. "birthday".
	// Required: printable, no spaces, at most MaxKeyLen bytes, unique.
	Code string `json:"code"`
	// Name is a label for people, e.g. "Birthday greeting"; optional. Fixed
	// triggers use it as the action's occasion.
	Name    string      `json:"name,omitempty"`
	Trigger CareTrigger `json:"trigger"`
	// LeadDays asks for a reminder that many days before the due day
	// (0 to MaxLeadDays); see CareAction.RemindAt and CareReminders.
	LeadDays int `json:"lead_days,omitempty"`
	// Segment, when set, limits the type to the customers it matches.
	// Conditions on fact.<key> fields see no facts.
	Segment *Segment `json:"segment,omitempty"`
	// Channel is how the care is given (zero: the host decides).
	Channel Channel `json:"channel,omitempty"`
	// RequireConsent limits the type to customers who allow contact on
	// Channel (Customer.MayContact); it needs Channel.
	RequireConsent bool `json:"require_consent,omitempty"`
}

// CarePlan is a company's set of care types, kept as data.
type CarePlan struct {
	Types []CareType `json:"types"`
}

// Validate returns a *crm.ValidationError listing every problem of p: a
// plan needs 1 to MaxCareTypes types with unique codes, each valid.
func (p CarePlan) Validate() error {
	var v crm.Validator
	p.validate(&v, "")
	return v.Err("customer.CarePlan")
}

func (p CarePlan) validate(v *crm.Validator, prefix string) {
	switch {
	case len(p.Types) == 0:
		v.Addf(prefix+"types", "at least one care type is required")
	case len(p.Types) > MaxCareTypes:
		v.Addf(prefix+"types", "at most %d care types", MaxCareTypes)
	}
	codes := make(map[string]bool, len(p.Types))
	for i, t := range p.Types {
		path := fmt.Sprintf("%stypes[%d]", prefix, i)
		t.validate(v, path)
		if t.Code != "" && codes[t.Code] {
			v.Addf(path+".code", "duplicate code %.64q", t.Code)
		}
		codes[t.Code] = true
	}
}

func (t CareType) validate(v *crm.Validator, path string) {
	checkKey(v, path+".code", t.Code)
	v.Check(utf8.ValidString(t.Name) && utf8.RuneCountInString(t.Name) <= MaxNameLen, path+".name", "too long or not valid UTF-8")
	v.Check(t.LeadDays >= 0 && t.LeadDays <= MaxLeadDays, path+".lead_days", fmt.Sprintf("must be between 0 and %d", MaxLeadDays))
	if t.Segment != nil {
		v.Merge(path+".segment", t.Segment.Validate())
	}
	v.Check(t.Channel == 0 || t.Channel.Valid(), path+".channel", "unknown channel")
	v.Check(!t.RequireConsent || t.Channel != 0, path+".require_consent", "needs a channel")
	t.Trigger.validate(v, path+".trigger")
}

func (tr CareTrigger) validate(v *crm.Validator, path string) {
	k := tr.Kind
	if !v.Check(k.Valid(), path+".kind", "unknown trigger kind") {
		return
	}
	usesKey := k != TriggerFixed && k != TriggerEntered
	if usesKey {
		checkKey(v, path+".date_key", tr.DateKey)
	} else {
		v.Check(tr.DateKey == "", path+".date_key", "only for annual, anniversary and after triggers")
	}
	v.Check(k == TriggerEntered || tr.Stage == 0 && tr.Lifecycle == 0, path+".stage", "only for entered triggers")
	v.Check(k == TriggerFixed || tr.Month == 0 && tr.Day == 0, path+".month", "only for fixed triggers")
	v.Check(k == TriggerFixed || len(tr.Dates) == 0, path+".dates", "only for fixed triggers")
	v.Check(k == TriggerAfter || k == TriggerEntered || len(tr.Offsets) == 0, path+".offsets", "only for after and entered triggers")
	v.Check(k == TriggerAnniversary || len(tr.Milestones) == 0, path+".milestones", "only for anniversary triggers")
	v.Check(tr.Leap == 0 || tr.Leap.Valid(), path+".leap", "unknown leap policy")
	v.Check(tr.Leap == 0 || k != TriggerAfter && k != TriggerEntered && len(tr.Dates) == 0, path+".leap", "only for dates observed every year")
	switch k {
	case TriggerFixed:
		every := tr.Month != 0 || tr.Day != 0
		switch {
		case every && len(tr.Dates) > 0:
			v.Addf(path, "give month and day, or dates, not both")
		case every:
			v.Merge(path+".month", Date{Month: tr.Month, Day: tr.Day}.Validate())
		case len(tr.Dates) == 0:
			v.Addf(path, "needs month and day, or dates")
		case len(tr.Dates) > MaxCareDates:
			v.Addf(path+".dates", "at most %d dates", MaxCareDates)
		default:
			seen := make(map[Date]bool, len(tr.Dates))
			for i, d := range tr.Dates {
				p := fmt.Sprintf("%s.dates[%d]", path, i)
				if err := d.Validate(); err != nil {
					v.Merge(p, err)
				} else if d.Year == 0 {
					v.Addf(p, "year is required")
				} else if seen[d] {
					v.Addf(p, "duplicate")
				}
				seen[d] = true
			}
		}
	case TriggerAfter:
		checkCareInts(v, path+".offsets", tr.Offsets, 0, MaxCareOffsetDays, true)
	case TriggerEntered:
		switch {
		case tr.Stage == 0 && tr.Lifecycle == 0:
			v.Addf(path, "needs a stage or a lifecycle status")
		case tr.Stage != 0 && tr.Lifecycle != 0:
			v.Addf(path, "give a stage or a lifecycle status, not both")
		case tr.Stage != 0:
			v.Check(tr.Stage.Valid(), path+".stage", "unknown stage")
		default:
			v.Check(tr.Lifecycle.Valid(), path+".lifecycle", "unknown lifecycle status")
		}
		checkCareInts(v, path+".offsets", tr.Offsets, 0, MaxCareOffsetDays, true)
	case TriggerAnniversary:
		checkCareInts(v, path+".milestones", tr.Milestones, 1, MaxCareMilestone, false)
	}
}

// checkCareInts checks a list of distinct whole numbers in [lo, hi].
func checkCareInts(v *crm.Validator, path string, xs []int, lo, hi int, required bool) {
	switch {
	case required && len(xs) == 0:
		v.Addf(path, "at least one is required")
	case len(xs) > MaxCareOffsets:
		v.Addf(path, "at most %d", MaxCareOffsets)
		return
	}
	for i, x := range xs {
		p := fmt.Sprintf("%s[%d]", path, i)
		if x < lo || x > hi {
			v.Addf(p, "must be between %d and %d", lo, hi)
		} else if slices.Contains(xs[:i], x) {
			v.Addf(p, "duplicate")
		}
	}
}

// CareAction is one care due for one customer: who gets it, which type,
// on which day, and why.
type CareAction struct {
	CustomerID crm.ID
	// Type is the care type's code.
	Type string
	// Channel is the care type's channel (zero when the host decides).
	Channel Channel
	// Due is the day the care is due, in the customer's time zone. For a
	// February 29 date in a common year it is the day the LeapPolicy
	// chooses.
	Due Date
	// DueAt is the start of Due in the customer's time zone: local
	// midnight, or the first instant of the day where a clock change skips
	// midnight.
	DueAt time.Time
	// RemindAt is the start of the day LeadDays before Due, in the
	// customer's time zone; it equals DueAt when LeadDays is 0.
	RemindAt time.Time
	// Occasion says what the care is for, e.g. "40th birthday",
	// "7 days after purchase", "3rd anniversary of contract signed".
	Occasion string
	// Owner is the customer's account manager, who gives the care.
	Owner crm.UserID
	// Years counts the years since the customer's date for annual and
	// anniversary triggers when its year is known, else 0.
	Years int
	// Move is the history entry of the move that triggered an entered
	// trigger (the zero HistoryEntry for the other kinds): which stage or
	// status was entered, from which, when, by whom and why.
	Move HistoryEntry
}

// CompareCareActions orders actions by DueAt, then customer ID, then type
// code, then due day, occasion and triggering move: the order DueCare
// returns.
func CompareCareActions(a, b CareAction) int {
	if c := a.DueAt.Compare(b.DueAt); c != 0 {
		return c
	}
	if c := a.CustomerID.Compare(b.CustomerID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	if c := compareCareDates(a.Due, b.Due); c != 0 {
		return c
	}
	if c := strings.Compare(a.Occasion, b.Occasion); c != 0 {
		return c
	}
	return CompareHistory(a.Move, b.Move)
}

// SortCareActions sorts actions in CompareCareActions order.
func SortCareActions(actions []CareAction) { slices.SortFunc(actions, CompareCareActions) }

func compareCareDates(a, b Date) int {
	if c := cmp.Compare(a.Year, b.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Month, b.Month); c != 0 {
		return c
	}
	return cmp.Compare(a.Day, b.Day)
}

// DueCare returns the care actions of plan whose due day starts within
// [from, to), for every customer that is neither a tombstone nor erased.
// Types with an entered trigger are left to [DueMoveCare], which reads the
// customer's history.
//
// Each customer's due days are calendar days in the customer's time zone
// (UTC when none is set): an action is included when DueAt, the start of
// its due day there, lies in [from, to). So the same instant range covers
// different local days for a customer in Asia/Shanghai and one in
// America/Los_Angeles, days of 23 or 25 hours around DST changes count once,
// and consecutive ranges [t0, t1), [t1, t2) never return an action twice
// nor miss one. Ranges may cross a year end.
//
// from must be before to, the range at most MaxCareRange long (a year and a
// day, so a whole year of any calendar fits), and both instants within years
// 2 to 9998; nil customers are refused. An invalid plan or range returns an
// error wrapping crm.ErrInvalid. The result is sorted by
// [CompareCareActions]; a customer given twice gets its actions twice.
func DueCare(plan CarePlan, customers []*Customer, from, to time.Time) ([]CareAction, error) {
	return dueCare("customer.DueCare", plan, customers, from, to, false)
}

// CareReminders is DueCare selecting by reminder instead of due day: it
// returns the actions whose RemindAt lies in [from, to), for a job that
// sends each type's reminders LeadDays ahead. Same rules and order as
// DueCare.
func CareReminders(plan CarePlan, customers []*Customer, from, to time.Time) ([]CareAction, error) {
	return dueCare("customer.CareReminders", plan, customers, from, to, true)
}

// careType is a CareType prepared for evaluation.
type careType struct {
	CareType
	human    string  // DateKey with '_' and '-' as spaces, for occasions
	fixed    []int64 // sorted day numbers of a fixed trigger's dates
	label    string  // occasion of a fixed trigger
	leapMar1 bool
}

// zoneSpan is the local date range of [from, to) in one zone.
type zoneSpan struct {
	loc         *time.Location
	first, last int64 // day numbers of the local dates of from and to
}

func dueCare(op string, plan CarePlan, customers []*Customer, from, to time.Time, byRemind bool) ([]CareAction, error) {
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
	for i, c := range customers {
		if c == nil {
			v.Addf(fmt.Sprintf("customers[%d]", i), "must not be nil")
		}
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}

	types := make([]careType, len(plan.Types))
	for i, t := range plan.Types {
		types[i] = prepareCareType(t)
	}
	zones := map[string]*zoneSpan{}
	var out []CareAction
	for _, c := range customers {
		if c.IsTombstone() || c.IsErased() {
			continue
		}
		z := zones[c.timeZone]
		if z == nil {
			z = newZoneSpan(c.timeZone, from, to)
			zones[c.timeZone] = z
		}
		for i := range types {
			out = types[i].due(out, c, z, from, to, byRemind)
		}
	}
	if byRemind {
		slices.SortFunc(out, func(a, b CareAction) int {
			if c := a.RemindAt.Compare(b.RemindAt); c != 0 {
				return c
			}
			return CompareCareActions(a, b)
		})
	} else {
		SortCareActions(out)
	}
	return out, nil
}

func prepareCareType(t CareType) careType {
	ct := careType{CareType: t, leapMar1: t.Trigger.Leap == LeapMar1}
	ct.human = strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return ' '
		}
		return r
	}, t.Trigger.DateKey)
	ct.label = t.Name
	if ct.label == "" {
		ct.label = t.Code
	}
	for _, d := range t.Trigger.Dates {
		ct.fixed = append(ct.fixed, dayNumber(d.Year, d.Month, d.Day))
	}
	slices.Sort(ct.fixed)
	return ct
}

func newZoneSpan(name string, from, to time.Time) *zoneSpan {
	loc := time.UTC
	if name != "" {
		if l, err := time.LoadLocation(name); err == nil {
			loc = l
		}
	}
	return &zoneSpan{loc: loc, first: localDayNumber(from, loc), last: localDayNumber(to, loc)}
}

// due appends the actions of type t due for customer c within the range.
func (t *careType) due(out []CareAction, c *Customer, z *zoneSpan, from, to time.Time, byRemind bool) []CareAction {
	if t.Segment != nil && !t.Segment.Matches(c) {
		return out
	}
	if t.RequireConsent && !c.MayContact(t.Channel) {
		return out
	}
	// Candidate due days: the local days of the range (and the day before,
	// in case that day's start was skipped into the range), moved by the
	// lead when selecting by reminder. The instant check in emit decides.
	lo, hi := z.first-1, z.last
	if byRemind {
		lo += int64(t.LeadDays)
		hi += int64(t.LeadDays)
	}
	tr := &t.Trigger
	emit := func(day int64, years int, occasion func() string) {
		y, m, d := civilDate(day)
		dueAt := startOfDay(day, z.loc)
		remindAt := dueAt
		if t.LeadDays > 0 {
			remindAt = startOfDay(day-int64(t.LeadDays), z.loc)
		}
		sel := dueAt
		if byRemind {
			sel = remindAt
		}
		if sel.Before(from) || !sel.Before(to) {
			return
		}
		out = append(out, CareAction{
			CustomerID: c.id, Type: t.Code, Channel: t.Channel,
			Due: Date{Year: y, Month: m, Day: d}, DueAt: dueAt, RemindAt: remindAt,
			Occasion: occasion(), Owner: c.owner, Years: years,
		})
	}
	switch tr.Kind {
	case TriggerAnnual, TriggerAnniversary:
		date, ok := c.dates[tr.DateKey]
		if !ok || tr.Kind == TriggerAnniversary && date.Year == 0 {
			return out
		}
		t.yearly(lo, hi, date, func(day int64, years int) {
			if tr.Kind == TriggerAnniversary && len(tr.Milestones) > 0 && !slices.Contains(tr.Milestones, years) {
				return
			}
			emit(day, years, func() string {
				switch {
				case tr.Kind == TriggerAnniversary:
					return careOrdinal(years) + " anniversary of " + t.human
				case years > 0:
					return careOrdinal(years) + " " + t.human
				}
				return t.human
			})
		})
	case TriggerFixed:
		label := func() string { return t.label }
		if len(t.fixed) > 0 {
			i, _ := slices.BinarySearch(t.fixed, lo)
			for ; i < len(t.fixed) && t.fixed[i] <= hi; i++ {
				emit(t.fixed[i], 0, label)
			}
			return out
		}
		t.yearly(lo, hi, Date{Month: tr.Month, Day: tr.Day}, func(day int64, _ int) { emit(day, 0, label) })
	case TriggerAfter:
		date, ok := c.dates[tr.DateKey]
		if !ok || date.Year == 0 || date.Validate() != nil {
			return out
		}
		base := dayNumber(date.Year, date.Month, date.Day)
		for _, off := range tr.Offsets {
			if day := base + int64(off); day >= lo && day <= hi {
				emit(day, 0, func() string {
					switch off {
					case 0:
						return "day of " + t.human
					case 1:
						return "1 day after " + t.human
					}
					return strconv.Itoa(off) + " days after " + t.human
				})
			}
		}
	}
	return out
}

// yearly calls fn for each yearly occurrence of date (month and day; year
// when known) whose day number lies in [lo, hi], with the years since date.
// A known year's own occurrence and earlier ones are skipped; February 29
// moves to February 28 or March 1 in common years.
func (t *careType) yearly(lo, hi int64, date Date, fn func(day int64, years int)) {
	if date.Validate() != nil {
		return
	}
	y0, _, _ := civilDate(lo)
	y1, _, _ := civilDate(hi)
	for y := y0; y <= y1; y++ {
		years := 0
		if date.Year != 0 {
			if years = y - date.Year; years < 1 {
				continue
			}
		}
		m, d := date.Month, date.Day
		if m == time.February && d == 29 && !isLeapYear(y) {
			if t.leapMar1 {
				m, d = time.March, 1
			} else {
				d = 28
			}
		}
		if day := dayNumber(y, m, d); day >= lo && day <= hi {
			fn(day, years)
		}
	}
}

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// dayNumber returns the days since 1970-01-01 of a calendar date.
func dayNumber(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// civilDate is the inverse of dayNumber.
func civilDate(n int64) (int, time.Month, int) {
	return time.Unix(n*86400, 0).UTC().Date()
}

// startOfDay returns the first instant of day number n in loc: local
// midnight, or, where a clock change skips midnight, the instant of the
// change (time.Date would give the hour before it, on the previous day).
func startOfDay(n int64, loc *time.Location) time.Time {
	y, m, d := civilDate(n)
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if localDayNumber(t, loc) < n {
		if _, end := t.ZoneBounds(); !end.IsZero() {
			t = end
		}
	}
	return t
}

// localDayNumber returns the day number of t's calendar date in loc.
func localDayNumber(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	return dayNumber(y, m, d)
}

// careOrdinal returns n with its English ordinal suffix: 1st, 2nd, 3rd, 11th.
func careOrdinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}
