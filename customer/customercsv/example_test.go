package customercsv_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/customer/customercsv"
	"github.com/crmkit/crm/storage/memory"
)

// A sales office hands over its spreadsheet of owners. Import stores the
// good rows, reports the bad ones by line, and Export writes a filtered
// list back out.
func Example() {
	ctx := context.Background()
	store := memory.New(nil)
	file := `Name,Mobile,E-mail,Birthday,Building
Wang Fang,138 0013 8000,wang.fang@example.cn,1986-11-26,B3
Zhao Min,12345,zhao@example.cn,,B3
Li Lei,139 0013 9000,li.lei@example,--02-29,B1
`
	m := customercsv.Mapping{
		Header:        true,
		DefaultRegion: "CN",
		Defaults:      customercsv.Defaults{Roles: []customer.Role{customer.Owner}, Owner: "chen.lei"},
		Columns: []customercsv.Column{
			{Header: "Name", Field: "name"},
			{Header: "Mobile", Field: "phone"},
			{Header: "E-mail", Field: "email"},
			{Header: "Birthday", Field: "date.birthday"},
			{Header: "Building", Field: "attr.building"},
		},
	}
	rep, err := customercsv.Import(ctx, strings.NewReader(file), store, customercsv.ImportOptions{
		Tenant: "harbour-homes", Mapping: m, Policy: customercsv.SkipInvalid,
		Change: customer.Change{Actor: "import", At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		IDs:    crm.NewSequentialIDs(crm.NewManualClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d rows, %d imported, %d rejected\n", rep.Rows, rep.Imported, rep.RejectedCount)
	for _, r := range rep.Rejected {
		fmt.Println(r)
	}
	if _, err := customercsv.Export(ctx, os.Stdout, store.Customers(), "harbour-homes", customer.Query{}, m); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 3 rows, 1 imported, 2 rejected
	// line 3: customercsv.Row: invalid input: Mobile: too short: E.164 numbers have at least 8 digits
	// line 4: customercsv.Row: invalid input: E-mail.domain: must have at least two labels, as in example.com
	// Name,Mobile,E-mail,Birthday,Building
	// Wang Fang,+8613800138000,wang.fang@example.cn,1986-11-26,B3
}
