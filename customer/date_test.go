package customer_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want customer.Date
	}{
		{"2024-02-29", customer.Date{Year: 2024, Month: time.February, Day: 29}},
		{"2000-02-29", customer.Date{Year: 2000, Month: time.February, Day: 29}},
		{"1980-05-04", customer.Date{Year: 1980, Month: time.May, Day: 4}},
		{"0001-01-01", customer.Date{Year: 1, Month: time.January, Day: 1}},
		{"9999-12-31", customer.Date{Year: 9999, Month: time.December, Day: 31}},
		{"--02-29", customer.Date{Month: time.February, Day: 29}},
		{"--03-14", customer.Date{Month: time.March, Day: 14}},
		{"--12-31", customer.Date{Month: time.December, Day: 31}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			d, err := customer.ParseDate(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, d)
			require.NoError(t, d.Validate())
			require.Equal(t, tc.in, d.String())
			require.False(t, d.IsZero())
		})
	}
}

func TestParseDateRefusals(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", " ", "2024-2-29", "2024/02/29", "24-02-29", "2024-02-29 ", " 2024-02-29", "2024-02-29T00:00:00Z",
		"0000-01-01",               // year 0 is written --MM-DD
		"2023-02-29",               // not a leap year
		"1900-02-29",               // not a leap year either
		"2024-04-31", "2024-13-01", // no such day or month
		"2024-00-10", "2024-01-00",
		"--02-30", "--13-01", "--00-01", "--1-01", "---01-01", "--01-01-01",
		"2024-0a-01", "+024-01-01", "-024-01-01", "２０２４-01-01", // full-width digits
		"2024-01-0\x00", strings.Repeat("9", 1000),
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			d, err := customer.ParseDate(in)
			require.ErrorIs(t, err, crm.ErrInvalid)
			require.Equal(t, customer.Date{}, d)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Less(t, len(err.Error()), 200, "the message does not echo long input")
		})
	}
}

func TestDateValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    customer.Date
		ok   bool
	}{
		{"leap day with unknown year", customer.Date{Month: 2, Day: 29}, true},
		{"leap day in a leap year", customer.Date{Year: 2024, Month: 2, Day: 29}, true},
		{"leap day in a common year", customer.Date{Year: 2023, Month: 2, Day: 29}, false},
		{"leap day in a century year", customer.Date{Year: 2100, Month: 2, Day: 29}, false},
		{"day 31 of a 30-day month", customer.Date{Year: 2024, Month: 6, Day: 31}, false},
		{"day 31 of a 31-day month", customer.Date{Year: 2024, Month: 7, Day: 31}, true},
		{"zero date", customer.Date{}, false},
		{"day 0", customer.Date{Month: 1}, false},
		{"negative day", customer.Date{Month: 1, Day: -1}, false},
		{"month 0", customer.Date{Day: 1}, false},
		{"month 13", customer.Date{Month: 13, Day: 1}, false},
		{"negative year", customer.Date{Year: -4, Month: 1, Day: 1}, false},
		{"year 10000", customer.Date{Year: 10000, Month: 1, Day: 1}, false},
		{"year 9999", customer.Date{Year: 9999, Month: 12, Day: 31}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.d.Validate()
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, crm.ErrInvalid)
			_, merr := tc.d.MarshalText()
			require.ErrorIs(t, merr, crm.ErrInvalid, "an invalid date does not marshal")
		})
	}
	require.True(t, customer.Date{}.IsZero())
}

func TestDateText(t *testing.T) {
	t.Parallel()
	dates := map[string]customer.Date{
		"birthday": {Month: time.March, Day: 14},
		"signed":   {Year: 2024, Month: time.May, Day: 1},
	}
	b, err := json.Marshal(dates)
	require.NoError(t, err)
	require.JSONEq(t, `{"birthday":"--03-14","signed":"2024-05-01"}`, string(b))
	var back map[string]customer.Date
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, dates, back)

	d := customer.Date{Year: 2020, Month: 1, Day: 1}
	err = d.UnmarshalText([]byte("2023-02-29"))
	require.ErrorIs(t, err, crm.ErrInvalid)
	require.Equal(t, customer.Date{Year: 2020, Month: 1, Day: 1}, d, "a refused text leaves the date unchanged")
}
