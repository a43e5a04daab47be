package customer_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

var careT0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// careID returns a deterministic ID whose last 12 digits are n.
func careID(n int) crm.ID {
	return crm.MustParseID(fmt.Sprintf("00000000-0000-7000-8000-%012d", n))
}

// careNum is the inverse of careID.
func careNum(id crm.ID) int {
	s := id.String()
	n, _ := strconv.Atoi(s[len(s)-12:])
	return n
}

// newCareCustomer returns customer n in zone tz with dates given as
// key, value pairs ("birthday", "1980-05-01").
func newCareCustomer(tb testing.TB, n int, tz string, dates ...string) *customer.Customer {
	tb.Helper()
	c, err := customer.New(customer.NewInput{
		ID: careID(n), Tenant: "t1", Kind: customer.Person, Name: fmt.Sprintf("Customer %d", n),
		Roles: []customer.Role{customer.EndCustomer}, Owner: "alice", TimeZone: tz,
	}, customer.Change{Actor: "system", At: careT0})
	require.NoError(tb, err)
	for i := 0; i+1 < len(dates); i += 2 {
		d, err := customer.ParseDate(dates[i+1])
		require.NoError(tb, err)
		require.NoError(tb, c.SetDate(dates[i], d))
	}
	return c
}

func careAt(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	require.NoError(tb, err)
	return t
}

func careLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(tb, err)
	return loc
}

// careSummary renders actions as "n type due occasion" lines.
func careSummary(actions []customer.CareAction) []string {
	var out []string
	for _, a := range actions {
		out = append(out, fmt.Sprintf("%d %s %s %s", careNum(a.CustomerID), a.Type, a.Due, a.Occasion))
	}
	return out
}

func birthdayType() customer.CareType {
	return customer.CareType{
		Code: "birthday", Name: "Birthday greeting",
		Trigger: customer.CareTrigger{Kind: customer.TriggerAnnual, DateKey: "birthday"},
	}
}

func carePlanOf(types ...customer.CareType) customer.CarePlan {
	return customer.CarePlan{Types: types}
}

// fullCarePlan uses every kind of trigger.
func fullCarePlan() customer.CarePlan {
	return carePlanOf(
		birthdayType(),
		customer.CareType{Code: "contract", Trigger: customer.CareTrigger{Kind: customer.TriggerAnniversary, DateKey: "contract_signed"}},
		customer.CareType{Code: "new_year", Name: "New Year", Trigger: customer.CareTrigger{Kind: customer.TriggerFixed, Month: time.January, Day: 1}},
		customer.CareType{Code: "spring", Name: "Spring Festival", Trigger: customer.CareTrigger{Kind: customer.TriggerFixed, Dates: []customer.Date{
			{Year: 2026, Month: time.February, Day: 17}, {Year: 2025, Month: time.January, Day: 29},
		}}},
		customer.CareType{Code: "after_sale", LeadDays: 1, Trigger: customer.CareTrigger{Kind: customer.TriggerAfter, DateKey: "purchase", Offsets: []int{1, 7, 30}}},
	)
}

func TestCarePlanValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, fullCarePlan().Validate())

	withType := func(f func(*customer.CareType)) func(*customer.CarePlan) {
		return func(p *customer.CarePlan) { f(&p.Types[0]) }
	}
	withTrigger := func(f func(*customer.CareTrigger)) func(*customer.CarePlan) {
		return func(p *customer.CarePlan) { f(&p.Types[0].Trigger) }
	}
	fixed := func(f func(*customer.CareTrigger)) func(*customer.CarePlan) {
		return withTrigger(func(tr *customer.CareTrigger) {
			*tr = customer.CareTrigger{Kind: customer.TriggerFixed, Month: time.January, Day: 1}
			f(tr)
		})
	}
	after := func(f func(*customer.CareTrigger)) func(*customer.CarePlan) {
		return withTrigger(func(tr *customer.CareTrigger) {
			*tr = customer.CareTrigger{Kind: customer.TriggerAfter, DateKey: "purchase", Offsets: []int{1}}
			f(tr)
		})
	}
	explicit := []customer.Date{{Year: 2025, Month: time.January, Day: 29}}
	tests := []struct {
		name   string
		change func(*customer.CarePlan)
		path   string
	}{
		{"no types", func(p *customer.CarePlan) { p.Types = nil }, "types"},
		{"too many types", func(p *customer.CarePlan) {
			for i := range customer.MaxCareTypes {
				bt := birthdayType()
				bt.Code = fmt.Sprintf("b%d", i)
				p.Types = append(p.Types, bt)
			}
		}, "types"},
		{"empty code", withType(func(ct *customer.CareType) { ct.Code = "" }), "types[0].code"},
		{"code with space", withType(func(ct *customer.CareType) { ct.Code = "birth day" }), "types[0].code"},
		{"code too long", withType(func(ct *customer.CareType) { ct.Code = strings.Repeat("x", 65) }), "types[0].code"},
		{"duplicate code", func(p *customer.CarePlan) { p.Types[1].Code = "birthday" }, "types[1].code"},
		{"name not utf-8", withType(func(ct *customer.CareType) { ct.Name = "\xff" }), "types[0].name"},
		{"name too long", withType(func(ct *customer.CareType) { ct.Name = strings.Repeat("n", customer.MaxNameLen+1) }), "types[0].name"},
		{"negative lead", withType(func(ct *customer.CareType) { ct.LeadDays = -1 }), "types[0].lead_days"},
		{"lead too long", withType(func(ct *customer.CareType) { ct.LeadDays = customer.MaxLeadDays + 1 }), "types[0].lead_days"},
		{"bad segment", withType(func(ct *customer.CareType) {
			ct.Segment = &customer.Segment{Conditions: []customer.Condition{{Field: "shoe_size", Op: customer.OpEq}}}
		}), "types[0].segment.conditions[0].field"},
		{"unknown channel", withType(func(ct *customer.CareType) { ct.Channel = 99 }), "types[0].channel"},
		{"consent without channel", withType(func(ct *customer.CareType) { ct.RequireConsent = true }), "types[0].require_consent"},
		{"unknown trigger", withTrigger(func(tr *customer.CareTrigger) { tr.Kind = 0 }), "types[0].trigger.kind"},
		{"annual without key", withTrigger(func(tr *customer.CareTrigger) { tr.DateKey = "" }), "types[0].trigger.date_key"},
		{"annual with offsets", withTrigger(func(tr *customer.CareTrigger) { tr.Offsets = []int{1} }), "types[0].trigger.offsets"},
		{"annual with month", withTrigger(func(tr *customer.CareTrigger) { tr.Month = time.May }), "types[0].trigger.month"},
		{"annual with dates", withTrigger(func(tr *customer.CareTrigger) { tr.Dates = explicit }), "types[0].trigger.dates"},
		{"annual with milestones", withTrigger(func(tr *customer.CareTrigger) { tr.Milestones = []int{5} }), "types[0].trigger.milestones"},
		{"unknown leap", withTrigger(func(tr *customer.CareTrigger) { tr.Leap = 9 }), "types[0].trigger.leap"},
		{"fixed with key", fixed(func(tr *customer.CareTrigger) { tr.DateKey = "birthday" }), "types[0].trigger.date_key"},
		{"fixed without date", fixed(func(tr *customer.CareTrigger) { tr.Month, tr.Day = 0, 0 }), "types[0].trigger"},
		{"fixed both forms", fixed(func(tr *customer.CareTrigger) { tr.Dates = explicit }), "types[0].trigger"},
		{"fixed february 30", fixed(func(tr *customer.CareTrigger) { tr.Month, tr.Day = time.February, 30 }), "types[0].trigger.month"},
		{"fixed month only", fixed(func(tr *customer.CareTrigger) { tr.Day = 0 }), "types[0].trigger.month"},
		{"fixed date without year", fixed(func(tr *customer.CareTrigger) {
			tr.Month, tr.Day, tr.Dates = 0, 0, []customer.Date{{Month: time.May, Day: 1}}
		}), "types[0].trigger.dates[0]"},
		{"fixed date not real", fixed(func(tr *customer.CareTrigger) {
			tr.Month, tr.Day, tr.Dates = 0, 0, []customer.Date{{Year: 2025, Month: time.February, Day: 29}}
		}), "types[0].trigger.dates[0]"},
		{"fixed duplicate date", fixed(func(tr *customer.CareTrigger) {
			tr.Month, tr.Day, tr.Dates = 0, 0, append(explicit, explicit...)
		}), "types[0].trigger.dates[1]"},
		{"fixed too many dates", fixed(func(tr *customer.CareTrigger) {
			tr.Month, tr.Day = 0, 0
			for i := range customer.MaxCareDates + 1 {
				tr.Dates = append(tr.Dates, customer.Date{Year: 2000 + i/300, Month: time.Month(1 + i/25%12), Day: 1 + i%25})
			}
		}), "types[0].trigger.dates"},
		{"fixed dates with leap", fixed(func(tr *customer.CareTrigger) {
			tr.Month, tr.Day, tr.Dates, tr.Leap = 0, 0, explicit, customer.LeapMar1
		}), "types[0].trigger.leap"},
		{"after without offsets", after(func(tr *customer.CareTrigger) { tr.Offsets = nil }), "types[0].trigger.offsets"},
		{"after negative offset", after(func(tr *customer.CareTrigger) { tr.Offsets = []int{-1} }), "types[0].trigger.offsets[0]"},
		{"after offset too far", after(func(tr *customer.CareTrigger) { tr.Offsets = []int{customer.MaxCareOffsetDays + 1} }), "types[0].trigger.offsets[0]"},
		{"after duplicate offset", after(func(tr *customer.CareTrigger) { tr.Offsets = []int{7, 1, 7} }), "types[0].trigger.offsets[2]"},
		{"after too many offsets", after(func(tr *customer.CareTrigger) {
			tr.Offsets = nil
			for i := range customer.MaxCareOffsets + 1 {
				tr.Offsets = append(tr.Offsets, i)
			}
		}), "types[0].trigger.offsets"},
		{"after with leap", after(func(tr *customer.CareTrigger) { tr.Leap = customer.LeapFeb28 }), "types[0].trigger.leap"},
		{"after without key", after(func(tr *customer.CareTrigger) { tr.DateKey = "" }), "types[0].trigger.date_key"},
		{"anniversary milestone 0", withTrigger(func(tr *customer.CareTrigger) {
			tr.Kind, tr.Milestones = customer.TriggerAnniversary, []int{0}
		}), "types[0].trigger.milestones[0]"},
		{"anniversary milestone too big", withTrigger(func(tr *customer.CareTrigger) {
			tr.Kind, tr.Milestones = customer.TriggerAnniversary, []int{customer.MaxCareMilestone + 1}
		}), "types[0].trigger.milestones[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := fullCarePlan()
			tt.change(&p)
			err := p.Validate()
			require.ErrorIs(t, err, crm.ErrInvalid)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.True(t, ve.Has(tt.path), "want a problem at %s, got %v", tt.path, err)
		})
	}
}

func TestCarePlanJSON(t *testing.T) {
	t.Parallel()
	p := fullCarePlan()
	p.Types[0].Segment = &customer.Segment{Conditions: []customer.Condition{{Field: "tag", Op: customer.OpEq, Value: "vip"}}}
	p.Types[0].Channel = customer.EmailChannel
	p.Types[0].RequireConsent = true
	p.Types[0].Trigger.Leap = customer.LeapMar1
	b, err := json.Marshal(p)
	require.NoError(t, err)
	require.Contains(t, string(b), `"kind":"annual"`)
	require.Contains(t, string(b), `"leap":"mar1"`)
	require.Contains(t, string(b), `"channel":"email"`)
	require.Contains(t, string(b), `"2026-02-17"`)
	var back customer.CarePlan
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, p, back)

	require.Error(t, json.Unmarshal([]byte(`{"types":[{"code":"x","trigger":{"kind":"weekly"}}]}`), &back))
}

func TestTriggerKindAndLeapPolicyText(t *testing.T) {
	t.Parallel()
	for _, k := range []customer.TriggerKind{customer.TriggerAnnual, customer.TriggerAnniversary, customer.TriggerFixed, customer.TriggerAfter} {
		got, err := customer.ParseTriggerKind(k.String())
		require.NoError(t, err)
		require.Equal(t, k, got)
	}
	for _, l := range []customer.LeapPolicy{customer.LeapFeb28, customer.LeapMar1} {
		got, err := customer.ParseLeapPolicy(l.String())
		require.NoError(t, err)
		require.Equal(t, l, got)
	}
	for _, s := range []string{"", "yearly", "annual2"} {
		_, err := customer.ParseTriggerKind(s)
		require.ErrorIs(t, err, crm.ErrInvalid, s)
		_, err = customer.ParseLeapPolicy(s)
		require.ErrorIs(t, err, crm.ErrInvalid, s)
	}
	_, err := customer.TriggerKind(0).MarshalText()
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = customer.LeapPolicy(7).MarshalText()
	require.ErrorIs(t, err, crm.ErrInvalid)
}

func TestDueCareRefusals(t *testing.T) {
	t.Parallel()
	ok := newCareCustomer(t, 1, "", "birthday", "1980-05-01")
	from := careAt(t, "2025-01-01T00:00:00Z")
	tests := []struct {
		name      string
		plan      customer.CarePlan
		customers []*customer.Customer
		from, to  time.Time
		path      string
	}{
		{"invalid plan", customer.CarePlan{}, nil, from, from.Add(time.Hour), "plan.types"},
		{"zero from", carePlanOf(birthdayType()), nil, time.Time{}, from, "from"},
		{"zero to", carePlanOf(birthdayType()), nil, from, time.Time{}, "to"},
		{"empty range", carePlanOf(birthdayType()), nil, from, from, "to"},
		{"reversed range", carePlanOf(birthdayType()), nil, from, from.Add(-time.Hour), "to"},
		{"range too long", carePlanOf(birthdayType()), nil, from, from.Add(customer.MaxCareRange + time.Nanosecond), "to"},
		{"year 1", carePlanOf(birthdayType()), nil, time.Date(1, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(1, 4, 1, 0, 0, 0, 0, time.UTC), "from"},
		{"year 9999", carePlanOf(birthdayType()), nil, time.Date(9999, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 4, 1, 0, 0, 0, 0, time.UTC), "from"},
		{"nil customer", carePlanOf(birthdayType()), []*customer.Customer{ok, nil}, from, from.Add(time.Hour), "customers[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, f := range []func(customer.CarePlan, []*customer.Customer, time.Time, time.Time) ([]customer.CareAction, error){
				customer.DueCare, customer.CareReminders,
			} {
				got, err := f(tt.plan, tt.customers, tt.from, tt.to)
				require.ErrorIs(t, err, crm.ErrInvalid)
				require.Nil(t, got)
				var ve *crm.ValidationError
				require.ErrorAs(t, err, &ve)
				require.True(t, ve.Has(tt.path), "want a problem at %s, got %v", tt.path, err)
			}
		})
	}

	// The longest range is accepted.
	got, err := customer.DueCare(carePlanOf(birthdayType()), []*customer.Customer{ok}, from, from.Add(customer.MaxCareRange))
	require.NoError(t, err)
	require.Equal(t, []string{"1 birthday 2025-05-01 45th birthday"}, careSummary(got))
}

func TestDueCareFeb29(t *testing.T) {
	t.Parallel()
	mar1 := birthdayType()
	mar1.Trigger.Leap = customer.LeapMar1
	feb28 := birthdayType()
	feb28.Trigger.Leap = customer.LeapFeb28
	anniv := customer.CareType{Code: "wedding", Trigger: customer.CareTrigger{Kind: customer.TriggerAnniversary, DateKey: "birthday"}}
	fixed := customer.CareType{Code: "leap_day", Name: "Leap day", Trigger: customer.CareTrigger{Kind: customer.TriggerFixed, Month: time.February, Day: 29}}
	tests := []struct {
		name     string
		birthday string
		ct       customer.CareType
		from, to string
		want     []string
	}{
		{"common year observes feb 28", "1996-02-29", birthdayType(), "2025-02-20T00:00:00Z", "2025-03-10T00:00:00Z", []string{"1 birthday 2025-02-28 29th birthday"}},
		{"explicit feb 28 policy", "1996-02-29", feb28, "2025-02-20T00:00:00Z", "2025-03-10T00:00:00Z", []string{"1 birthday 2025-02-28 29th birthday"}},
		{"common year observes mar 1 by option", "1996-02-29", mar1, "2025-02-20T00:00:00Z", "2025-03-10T00:00:00Z", []string{"1 birthday 2025-03-01 29th birthday"}},
		{"leap year keeps feb 29", "1996-02-29", birthdayType(), "2028-02-20T00:00:00Z", "2028-03-10T00:00:00Z", []string{"1 birthday 2028-02-29 32nd birthday"}},
		{"leap year keeps feb 29 with mar 1 option", "1996-02-29", mar1, "2028-02-20T00:00:00Z", "2028-03-10T00:00:00Z", []string{"1 birthday 2028-02-29 32nd birthday"}},
		{"century year 2100 is common", "2096-02-29", birthdayType(), "2100-02-20T00:00:00Z", "2100-03-10T00:00:00Z", []string{"1 birthday 2100-02-28 4th birthday"}},
		{"year 2000 is leap", "1996-02-29", birthdayType(), "2000-02-20T00:00:00Z", "2000-03-10T00:00:00Z", []string{"1 birthday 2000-02-29 4th birthday"}},
		{"unknown year", "--02-29", birthdayType(), "2025-02-20T00:00:00Z", "2025-03-10T00:00:00Z", []string{"1 birthday 2025-02-28 birthday"}},
		{"feb 28 only day in range", "1996-02-29", birthdayType(), "2025-02-28T00:00:00Z", "2025-03-01T00:00:00Z", []string{"1 birthday 2025-02-28 29th birthday"}},
		{"mar 1 policy misses feb 28", "1996-02-29", mar1, "2025-02-28T00:00:00Z", "2025-03-01T00:00:00Z", nil},
		{"anniversary", "2020-02-29", anniv, "2021-02-01T00:00:00Z", "2021-03-10T00:00:00Z", []string{"1 wedding 2021-02-28 1st anniversary of birthday"}},
		{"birth day itself is not a birthday", "2024-02-29", birthdayType(), "2024-02-01T00:00:00Z", "2024-03-10T00:00:00Z", nil},
		{"fixed feb 29 in common year", "1990-01-01", fixed, "2025-02-01T00:00:00Z", "2025-03-10T00:00:00Z", []string{"1 leap_day 2025-02-28 Leap day"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCareCustomer(t, 1, "", "birthday", tt.birthday)
			got, err := customer.DueCare(carePlanOf(tt.ct), []*customer.Customer{c}, careAt(t, tt.from), careAt(t, tt.to))
			require.NoError(t, err)
			require.Equal(t, tt.want, careSummary(got))
		})
	}
}

func TestDueCareYearEnd(t *testing.T) {
	t.Parallel()
	customers := []*customer.Customer{
		newCareCustomer(t, 1, "", "birthday", "1980-12-25", "purchase", "2025-12-15"),
		newCareCustomer(t, 2, "", "birthday", "--01-05"),
		newCareCustomer(t, 3, "", "birthday", "1990-01-10"), // due at `to`: excluded
		newCareCustomer(t, 4, "", "birthday", "1990-12-20"), // due at `from`: included
		newCareCustomer(t, 5, "", "birthday", "2000-06-01", "contract_signed", "2023-01-02"),
	}
	got, err := customer.DueCare(fullCarePlan(), customers, careAt(t, "2025-12-20T00:00:00Z"), careAt(t, "2026-01-10T00:00:00Z"))
	require.NoError(t, err)
	require.Equal(t, []string{
		"4 birthday 2025-12-20 35th birthday",
		"1 after_sale 2025-12-22 7 days after purchase",
		"1 birthday 2025-12-25 45th birthday",
		"1 new_year 2026-01-01 New Year",
		"2 new_year 2026-01-01 New Year",
		"3 new_year 2026-01-01 New Year",
		"4 new_year 2026-01-01 New Year",
		"5 new_year 2026-01-01 New Year",
		"5 contract 2026-01-02 3rd anniversary of contract signed",
		"2 birthday 2026-01-05 birthday",
	}, careSummary(got))
	for _, a := range got {
		require.Equal(t, crm.UserID("alice"), a.Owner)
		y, m, d := a.DueAt.Date()
		require.Equal(t, customer.Date{Year: y, Month: m, Day: d}, a.Due)
		wantYears := 0
		switch n := careNum(a.CustomerID); {
		case a.Type == "birthday" && n == 1:
			wantYears = a.Due.Year - 1980
		case a.Type == "birthday" && n == 4:
			wantYears = a.Due.Year - 1990
		case a.Type == "contract":
			wantYears = a.Due.Year - 2023
		}
		require.Equal(t, wantYears, a.Years, "%+v", a)
		if a.Type == "after_sale" {
			require.Equal(t, a.DueAt.AddDate(0, 0, -1), a.RemindAt)
		} else {
			require.Equal(t, a.DueAt, a.RemindAt)
		}
	}
}

func TestDueCareFixedDatesAndOffsets(t *testing.T) {
	t.Parallel()
	c := newCareCustomer(t, 1, "Asia/Shanghai", "purchase", "2025-01-20")
	got, err := customer.DueCare(fullCarePlan(), []*customer.Customer{c}, careAt(t, "2025-01-15T00:00:00Z"), careAt(t, "2026-01-15T00:00:00Z"))
	require.NoError(t, err)
	require.Equal(t, []string{
		"1 after_sale 2025-01-21 1 day after purchase",
		"1 after_sale 2025-01-27 7 days after purchase",
		"1 spring 2025-01-29 Spring Festival",
		"1 after_sale 2025-02-19 30 days after purchase",
		"1 new_year 2026-01-01 New Year",
	}, careSummary(got))
	got, err = customer.DueCare(fullCarePlan(), []*customer.Customer{c}, careAt(t, "2026-01-15T00:00:00Z"), careAt(t, "2026-03-01T00:00:00Z"))
	require.NoError(t, err)
	require.Equal(t, []string{"1 spring 2026-02-17 Spring Festival"}, careSummary(got))

	day0 := carePlanOf(customer.CareType{Code: "thanks", Trigger: customer.CareTrigger{Kind: customer.TriggerAfter, DateKey: "purchase", Offsets: []int{0}}})
	got, err = customer.DueCare(day0, []*customer.Customer{c}, careAt(t, "2025-01-19T00:00:00Z"), careAt(t, "2025-01-21T00:00:00Z"))
	require.NoError(t, err)
	require.Equal(t, []string{"1 thanks 2025-01-20 day of purchase"}, careSummary(got))
	// The code labels a fixed trigger without a name.
	unnamed := carePlanOf(customer.CareType{Code: "labour_day", Trigger: customer.CareTrigger{Kind: customer.TriggerFixed, Month: time.May, Day: 1}})
	got, err = customer.DueCare(unnamed, []*customer.Customer{c}, careAt(t, "2025-04-20T00:00:00Z"), careAt(t, "2025-05-20T00:00:00Z"))
	require.NoError(t, err)
	require.Equal(t, []string{"1 labour_day 2025-05-01 labour_day"}, careSummary(got))
}

func TestDueCareTimeZones(t *testing.T) {
	t.Parallel()
	sh, la := careLoc(t, "Asia/Shanghai"), careLoc(t, "America/Los_Angeles")
	customers := []*customer.Customer{
		newCareCustomer(t, 1, "Asia/Shanghai", "birthday", "--01-01"),       // starts 2025-12-31T16:00Z: before the range
		newCareCustomer(t, 2, "Asia/Shanghai", "birthday", "--01-08"),       // starts 2026-01-07T16:00Z: in
		newCareCustomer(t, 3, "America/Los_Angeles", "birthday", "--01-01"), // starts 2026-01-01T08:00Z: in
		newCareCustomer(t, 4, "America/Los_Angeles", "birthday", "--01-08"), // starts 2026-01-08T08:00Z: after
		newCareCustomer(t, 5, "", "birthday", "--01-01"),                    // UTC: in
		newCareCustomer(t, 6, "", "birthday", "--01-08"),                    // UTC: at `to`, out
		newCareCustomer(t, 7, "America/Los_Angeles", "birthday", "--12-31"), // local day straddles `from` but starts before it
	}
	got, err := customer.DueCare(carePlanOf(birthdayType()), customers, careAt(t, "2026-01-01T00:00:00Z"), careAt(t, "2026-01-08T00:00:00Z"))
	require.NoError(t, err)
	require.Equal(t, []string{
		"5 birthday 2026-01-01 birthday",
		"3 birthday 2026-01-01 birthday",
		"2 birthday 2026-01-08 birthday",
	}, careSummary(got))
	require.True(t, got[0].DueAt.Equal(careAt(t, "2026-01-01T00:00:00Z")))
	require.True(t, got[1].DueAt.Equal(careAt(t, "2026-01-01T08:00:00Z")))
	require.Equal(t, la, got[1].DueAt.Location())
	require.True(t, got[2].DueAt.Equal(careAt(t, "2026-01-07T16:00:00Z")))
	require.Equal(t, sh, got[2].DueAt.Location())
}

func TestDueCareDST(t *testing.T) {
	t.Parallel()
	la, havana := careLoc(t, "America/Los_Angeles"), careLoc(t, "America/Havana")
	customers := []*customer.Customer{
		newCareCustomer(t, 1, "America/Los_Angeles", "birthday", "--03-09"), // 23-hour day (DST starts)
		newCareCustomer(t, 2, "America/Los_Angeles", "birthday", "--03-10"),
		newCareCustomer(t, 3, "America/Los_Angeles", "birthday", "--11-02"), // 25-hour day (DST ends)
		newCareCustomer(t, 4, "America/Los_Angeles", "birthday", "--11-03"),
		newCareCustomer(t, 5, "America/Havana", "birthday", "--03-09"), // midnight skipped: day starts 01:00
	}
	plan := carePlanOf(birthdayType())
	got, err := customer.DueCare(plan, customers, careAt(t, "2025-03-01T00:00:00Z"), careAt(t, "2025-11-10T00:00:00Z"))
	require.NoError(t, err)
	require.Len(t, got, 5)
	want := map[int]string{
		1: "2025-03-09T08:00:00Z", 2: "2025-03-10T07:00:00Z",
		3: "2025-11-02T07:00:00Z", 4: "2025-11-03T08:00:00Z",
		5: "2025-03-09T05:00:00Z",
	}
	for _, a := range got {
		n := careNum(a.CustomerID)
		require.True(t, a.DueAt.Equal(careAt(t, want[n])), "customer %d: %s", n, a.DueAt.UTC())
		y, m, d := a.DueAt.Date()
		require.Equal(t, a.Due, customer.Date{Year: y, Month: m, Day: d}, "customer %d", n)
	}
	h, mi, _ := got[0].DueAt.Clock() // Havana's day starts when the clock jumps to 01:00
	require.Equal(t, havana, got[0].DueAt.Location())
	require.Equal(t, [2]int{1, 0}, [2]int{h, mi})

	// Local days as ranges: each birthday falls in the range of its own day
	// only, whether the day lasts 23, 24 or 25 hours.
	for day := time.Date(2025, 3, 7, 0, 0, 0, 0, la); day.Before(time.Date(2025, 3, 12, 0, 0, 0, 0, la)); day = day.AddDate(0, 0, 1) {
		next := day.AddDate(0, 0, 1)
		got, err := customer.DueCare(plan, customers[:2], day, next)
		require.NoError(t, err)
		var wantDays []string
		if d := day.Day(); d == 9 || d == 10 {
			wantDays = []string{fmt.Sprintf("%d birthday 2025-03-%02d birthday", d-8, d)}
		}
		require.Equal(t, wantDays, careSummary(got), "day %s", day)
	}
}

func TestCareReminders(t *testing.T) {
	t.Parallel()
	bt := birthdayType()
	bt.LeadDays = 3
	plan := carePlanOf(bt, customer.CareType{Code: "new_year", Trigger: customer.CareTrigger{Kind: customer.TriggerFixed, Month: time.January, Day: 1}})
	c := newCareCustomer(t, 1, "Asia/Tokyo", "birthday", "1985-01-02")
	from, to := time.Date(2025, 12, 30, 0, 0, 0, 0, careLoc(t, "Asia/Tokyo")), time.Date(2025, 12, 31, 0, 0, 0, 0, careLoc(t, "Asia/Tokyo"))

	rem, err := customer.CareReminders(plan, []*customer.Customer{c}, from, to)
	require.NoError(t, err)
	require.Equal(t, []string{"1 birthday 2026-01-02 41st birthday"}, careSummary(rem))
	require.True(t, rem[0].RemindAt.Equal(from))
	require.True(t, rem[0].DueAt.Equal(from.AddDate(0, 0, 3)))

	due, err := customer.DueCare(plan, []*customer.Customer{c}, from, to)
	require.NoError(t, err)
	require.Empty(t, due)

	// Reminders come in RemindAt order: the birthday (reminded Dec 30) before
	// New Year (no lead, reminded Jan 1) although it is due later.
	rem, err = customer.CareReminders(plan, []*customer.Customer{c}, from, from.AddDate(0, 0, 5))
	require.NoError(t, err)
	require.Equal(t, []string{"1 birthday 2026-01-02 41st birthday", "1 new_year 2026-01-01 new_year"}, careSummary(rem))
}

func TestDueCareSelection(t *testing.T) {
	t.Parallel()
	vip := newCareCustomer(t, 1, "", "birthday", "1980-05-01", "contract_signed", "2015-05-02", "purchase", "--04-30")
	require.NoError(t, vip.AddTag("vip"))
	require.NoError(t, vip.SetConsent(customer.EmailChannel, true, "web form", customer.Change{Actor: "system", At: careT0}))
	plain := newCareCustomer(t, 2, "", "birthday", "1980-05-01", "contract_signed", "2016-05-02")
	noDates := newCareCustomer(t, 3, "")
	unknownYear := newCareCustomer(t, 4, "", "contract_signed", "--05-02", "purchase", "--04-30")

	tomb := newCareCustomer(t, 5, "", "birthday", "1980-05-01")
	rec := tomb.Record()
	rec.MergedInto = careID(1)
	tomb, err := customer.FromRecord(rec)
	require.NoError(t, err)
	erased := newCareCustomer(t, 6, "", "birthday", "1980-05-01")
	rec = erased.Record()
	rec.ErasedAt = careT0
	erased, err = customer.FromRecord(rec)
	require.NoError(t, err)
	// A zone the database does not know counts as UTC, like Customer.Location.
	rec = newCareCustomer(t, 7, "", "birthday", "1980-05-01").Record()
	rec.TimeZone = "Mars/Olympus_Mons"
	badZone, err := customer.FromRecord(rec)
	require.NoError(t, err)

	all := []*customer.Customer{vip, plain, noDates, unknownYear, tomb, erased, badZone}
	from, to := careAt(t, "2025-04-28T00:00:00Z"), careAt(t, "2025-05-05T00:00:00Z")

	segment := birthdayType()
	segment.Segment = &customer.Segment{Conditions: []customer.Condition{{Field: "tag", Op: customer.OpEq, Value: "vip"}}}
	consent := birthdayType()
	consent.Channel, consent.RequireConsent = customer.EmailChannel, true
	channelOnly := birthdayType()
	channelOnly.Channel = customer.EmailChannel
	milestones := customer.CareType{Code: "contract", Trigger: customer.CareTrigger{Kind: customer.TriggerAnniversary, DateKey: "contract_signed", Milestones: []int{1, 5, 10}}}
	after := customer.CareType{Code: "after_sale", Trigger: customer.CareTrigger{Kind: customer.TriggerAfter, DateKey: "purchase", Offsets: []int{1}}}
	tests := []struct {
		name string
		ct   customer.CareType
		want []string
	}{
		{"tombstones and erased skipped, unknown zone as UTC", birthdayType(), []string{"1 birthday 2025-05-01 45th birthday", "2 birthday 2025-05-01 45th birthday", "7 birthday 2025-05-01 45th birthday"}},
		{"segment filter", segment, []string{"1 birthday 2025-05-01 45th birthday"}},
		{"consent required", consent, []string{"1 birthday 2025-05-01 45th birthday"}},
		{"channel without consent rule", channelOnly, []string{"1 birthday 2025-05-01 45th birthday", "2 birthday 2025-05-01 45th birthday", "7 birthday 2025-05-01 45th birthday"}},
		{"milestones only, unknown year skipped", milestones, []string{"1 contract 2025-05-02 10th anniversary of contract signed"}},
		{"after needs a known year", after, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := customer.DueCare(carePlanOf(tt.ct), all, from, to)
			require.NoError(t, err)
			require.Equal(t, tt.want, careSummary(got))
			for _, a := range got {
				require.Equal(t, tt.ct.Channel, a.Channel)
			}
		})
	}
}

func TestDueCareOccasionOrdinals(t *testing.T) {
	t.Parallel()
	want := map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 10: "10th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 23: "23rd", 100: "100th", 101: "101st", 111: "111th", 112: "112th"}
	for years, ord := range want {
		t.Run(ord, func(t *testing.T) {
			t.Parallel()
			c := newCareCustomer(t, 1, "", "birthday", fmt.Sprintf("%04d-06-01", 2025-years))
			got, err := customer.DueCare(carePlanOf(birthdayType()), []*customer.Customer{c}, careAt(t, "2025-06-01T00:00:00Z"), careAt(t, "2025-06-02T00:00:00Z"))
			require.NoError(t, err)
			require.Len(t, got, 1)
			require.Equal(t, ord+" birthday", got[0].Occasion)
			require.Equal(t, years, got[0].Years)
		})
	}
}

func TestSortCareActions(t *testing.T) {
	t.Parallel()
	at := careAt(t, "2025-01-01T00:00:00Z")
	mk := func(n int, typ string, dueAt time.Time, occasion string) customer.CareAction {
		return customer.CareAction{CustomerID: careID(n), Type: typ, DueAt: dueAt, Occasion: occasion}
	}
	want := []customer.CareAction{
		mk(2, "z", at, "x"),
		mk(1, "a", at.Add(time.Hour), "x"),
		mk(1, "b", at.Add(time.Hour), "x"),
		mk(1, "b", at.Add(time.Hour), "y"),
		mk(2, "a", at.Add(time.Hour), "x"),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		got := append([]customer.CareAction(nil), want...)
		r.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		customer.SortCareActions(got)
		require.Equal(t, want, got)
	}
	require.Zero(t, customer.CompareCareActions(want[0], want[0]))
	require.Negative(t, customer.CompareCareActions(want[0], want[1]))
	require.Positive(t, customer.CompareCareActions(want[4], want[3]))
}

// careZones are zones with unusual offsets and DST rules.
var careZones = []string{"", "Asia/Shanghai", "America/Los_Angeles", "America/Havana", "Asia/Kathmandu", "Pacific/Chatham", "Pacific/Kiritimati", "America/Santiago", "Europe/London"}

// FuzzDueCareTiling checks that DueCare never panics on valid input, that
// every action lies in the range, and that cutting the range in two gives
// the same actions as the whole range.
func FuzzDueCareTiling(f *testing.F) {
	f.Add(int64(1735689600), uint32(7*24*3600), uint32(3600*30), uint16(60), uint8(2), uint16(29), int16(30), uint8(1))
	f.Add(int64(1766188800), uint32(21*24*3600), uint32(86400*11), uint16(59), uint8(1), uint16(366), int16(0), uint8(0))
	f.Add(int64(1741478400), uint32(3*24*3600), uint32(3600*5), uint16(68), uint8(7), uint16(100), int16(365), uint8(3))
	f.Add(int64(-62000000000), uint32(366*24*3600), uint32(1), uint16(0), uint8(0), uint16(0), int16(-1), uint8(255))
	f.Fuzz(func(t *testing.T, fromUnix int64, span, cut uint32, dayOfYear uint16, zone uint8, yearsAgo uint16, offset int16, lead uint8) {
		from := time.Unix(fromUnix, 0).UTC()
		if from.Year() < 2 || from.Year() > 9000 {
			return
		}
		to := from.Add(time.Duration(span%uint32(customer.MaxCareRange/time.Second)+1) * time.Second)
		mid := from.Add(time.Duration(cut) * time.Second)
		if !mid.After(from) || !mid.Before(to) {
			mid = from.Add(to.Sub(from) / 2)
		}
		base := time.Date(from.Year()-int(yearsAgo%150), 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(dayOfYear%366))
		if base.Year() < 1 {
			base = time.Date(1, base.Month(), base.Day(), 0, 0, 0, 0, time.UTC)
		}
		date := customer.Date{Year: base.Year(), Month: base.Month(), Day: base.Day()}
		var customers []*customer.Customer
		for i, tz := range careZones {
			d := date
			if i%2 == 1 {
				d.Year = 0
			}
			c := newCareCustomer(t, i+1, tz)
			require.NoError(t, c.SetDate("birthday", d))
			require.NoError(t, c.SetDate("purchase", date))
			customers = append(customers, c)
		}
		bt := birthdayType()
		bt.LeadDays = int(lead) % (customer.MaxLeadDays + 1)
		if offset < 0 {
			bt.Trigger.Leap = customer.LeapMar1
		}
		off := int(offset)
		if off < 0 {
			off = -off
		}
		plan := carePlanOf(bt,
			customer.CareType{Code: "anniv", Trigger: customer.CareTrigger{Kind: customer.TriggerAnniversary, DateKey: "purchase"}},
			customer.CareType{Code: "after", Trigger: customer.CareTrigger{Kind: customer.TriggerAfter, DateKey: "purchase", Offsets: []int{off % (customer.MaxCareOffsetDays + 1)}}},
			customer.CareType{Code: "fixed", Trigger: customer.CareTrigger{Kind: customer.TriggerFixed, Month: date.Month, Day: date.Day}},
		)
		for fi, f := range []func(customer.CarePlan, []*customer.Customer, time.Time, time.Time) ([]customer.CareAction, error){
			customer.DueCare, customer.CareReminders,
		} {
			whole, err := f(plan, customers, from, to)
			require.NoError(t, err)
			left, err := f(plan, customers, from, mid)
			require.NoError(t, err)
			right, err := f(plan, customers, mid, to)
			require.NoError(t, err)
			require.Equal(t, careSummary(whole), append(careSummary(left), careSummary(right)...))
			for _, a := range whole {
				require.NoError(t, a.Due.Validate())
				sel := a.DueAt
				if fi == 1 {
					sel = a.RemindAt
				}
				require.False(t, a.RemindAt.After(a.DueAt))
				require.True(t, !sel.Before(from) && sel.Before(to), "%v outside [%v, %v)", sel, from, to)
				y, m, d := a.DueAt.Date()
				require.Equal(t, a.Due, customer.Date{Year: y, Month: m, Day: d})
			}
		}
	})
}

func FuzzCarePlanJSON(f *testing.F) {
	b, _ := json.Marshal(fullCarePlan())
	f.Add(b)
	f.Add([]byte(`{"types":[{"code":"b","trigger":{"kind":"annual","date_key":"birthday","leap":"mar1"},"lead_days":3}]}`))
	f.Add([]byte(`{"types":[{"code":"x","trigger":{"kind":"fixed","month":2,"day":29}}]}`))
	f.Add([]byte(`{"types":[{"code":"x","trigger":{"kind":"fixed","dates":["2025-01-29","--01-01"]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p customer.CarePlan
		if json.Unmarshal(data, &p) != nil || p.Validate() != nil {
			return
		}
		out, err := json.Marshal(p)
		require.NoError(t, err)
		var back customer.CarePlan
		require.NoError(t, json.Unmarshal(out, &back))
		require.NoError(t, back.Validate())
		again, err := json.Marshal(back)
		require.NoError(t, err)
		require.Equal(t, string(out), string(again))
		// A valid plan never fails to evaluate.
		c := newCareCustomer(t, 1, "Asia/Shanghai", "birthday", "1996-02-29", "purchase", "2025-01-01", "contract_signed", "2020-01-01")
		_, err = customer.DueCare(back, []*customer.Customer{c}, careAt(t, "2025-01-01T00:00:00Z"), careAt(t, "2026-01-01T00:00:00Z"))
		require.NoError(t, err)
	})
}

func BenchmarkDueCare(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 11))
	zones := []string{"", "Asia/Shanghai", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata"}
	customers := make([]*customer.Customer, 100_000)
	for i := range customers {
		y := 1940 + r.IntN(70)
		if i%5 == 0 {
			y = 0 // year unknown
		}
		day := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
		purchase := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
		customers[i] = newCareCustomer(b, i+1, zones[i%len(zones)],
			"birthday", customer.Date{Year: y, Month: day.Month(), Day: day.Day()}.String(),
			"purchase", purchase.Format(time.DateOnly),
			"contract_signed", purchase.AddDate(-r.IntN(10)-1, 0, 0).Format(time.DateOnly))
	}
	plan := fullCarePlan()
	from := careAt(b, "2025-06-02T00:00:00Z")
	to := from.AddDate(0, 0, 7)
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for b.Loop() {
		got, err := customer.DueCare(plan, customers, from, to)
		if err != nil {
			b.Fatal(err)
		}
		n = len(got)
	}
	b.ReportMetric(float64(n), "actions")
}
