package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
)

// The cadence check counts business days of the branch calendar, from the
// last contact or, without one, from the customer's creation; a customer
// exactly at its cadence is not overdue, one day more is.
func TestOverdueForContact(t *testing.T) {
	t.Parallel()
	var cfg calendar.Config
	require.NoError(t, json.Unmarshal([]byte(calendarJSON), &cfg))
	cal, err := calendar.New(cfg)
	require.NoError(t, err)
	loc := cal.Location()
	rules := []cadenceRule{{"abc-a", "key", 10}, {"abc-c", "class C", 60}}
	// Friday 15 May 17:00; 1 May (Friday) and 4-5 May are holidays.
	now := time.Date(2026, time.May, 15, 17, 0, 0, 0, loc)
	created := time.Date(2026, time.April, 1, 9, 0, 0, 0, loc)
	mk := func(t *testing.T, name, tag string) *customer.Customer {
		t.Helper()
		id, err := crm.NewSequentialIDs(crm.NewManualClock(created)).NewID()
		require.NoError(t, err)
		c, err := customer.New(customer.NewInput{ID: id, Tenant: tenant,
			Kind: customer.Person, Name: name, Roles: []customer.Role{customer.EndCustomer}, Owner: zhao},
			customer.Change{Actor: "test", At: created})
		require.NoError(t, err)
		if tag != "" {
			require.NoError(t, c.AddTag(tag))
		}
		return c
	}
	for _, tc := range []struct {
		name    string
		tag     string
		last    time.Time // zero: never contacted
		overdue bool
		days    int
		kept    float64
		counted bool
	}{
		// 4-8 May are 6, 7, 8 (4 and 5 are holidays), then 11-15: 8 days.
		{name: "within cadence", tag: "abc-a", last: time.Date(2026, time.May, 1, 17, 0, 0, 0, loc), kept: 1, counted: true},
		// 30 April 17:00 to 15 May 17:00: 6-8 and 11-15 May, 8 days.
		{name: "holidays do not count", tag: "abc-a", last: time.Date(2026, time.April, 30, 17, 0, 0, 0, loc), kept: 1, counted: true},
		// 29 April 17:00: 30 April, 6-8 May, 11-15 May = 9.
		{name: "nine days", tag: "abc-a", last: time.Date(2026, time.April, 29, 17, 0, 0, 0, loc), kept: 1, counted: true},
		// 27 April 17:00: 28-30 April, 6-8 May, 11-15 May = 11 > 10.
		{name: "one day over", tag: "abc-a", last: time.Date(2026, time.April, 27, 17, 0, 0, 0, loc), overdue: true, days: 11, counted: true},
		// 28 April 17:00: 29-30 April, 6-8 May, 11-15 May = 10: on the day.
		{name: "exactly at the cadence", tag: "abc-a", last: time.Date(2026, time.April, 28, 17, 0, 0, 0, loc), kept: 1, counted: true},
		// Created 1 April 09:00: April less Qingming has 21 working days
		// from the 1st (22 weekdays, 6 April off), then 8 in May = 29 > 10.
		{name: "never contacted counts from creation", tag: "abc-a", overdue: true, days: 29, counted: true},
		{name: "never contacted, class C within 60", tag: "abc-c", kept: 1, counted: true},
		{name: "no cadence rule", tag: "", last: time.Date(2026, time.January, 5, 17, 0, 0, 0, loc)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := mk(t, "Test Customer", tc.tag)
			last := map[crm.ID]time.Time{}
			if !tc.last.IsZero() {
				last[c.ID()] = tc.last
			}
			over, kept := overdueForContact(cal, rules, []*customer.Customer{c}, last, now)
			if tc.overdue {
				require.Len(t, over[zhao], 1)
				require.Equal(t, tc.days, over[zhao][0].days)
				require.Equal(t, "Test Customer", over[zhao][0].name)
			} else {
				require.Empty(t, over[zhao])
			}
			got, ok := kept[zhao]
			require.Equal(t, tc.counted, ok)
			require.InDelta(t, tc.kept, got, 1e-9)
		})
	}
}
