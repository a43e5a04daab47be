package opportunity_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/opportunity"
)

// An opportunity travels as JSON (an HTTP API, a message bus) and comes
// back as an opportunity a store accepts; a document that breaks a rule
// is refused with the path of every problem.
func ExampleOpportunity_MarshalJSON() {
	p := examplePipeline()
	o, err := opportunity.New(opportunity.NewInput{
		ID:       crm.MustParseID("01900000-0000-7000-8000-000000000001"),
		Tenant:   "acme",
		Customer: crm.MustParseID("01900000-0000-7000-8000-000000000002"),
		Owner:    "sales-wang",
		Name:     "Air conditioners for the Pudong store",
		Source:   opportunity.Source{Kind: opportunity.FromExistingCustomer},
		Currency: crm.MustCurrency("CNY"),
	}, p, opportunity.Change{Actor: "sales-wang", At: exampleStart})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := o.SetAmount(crm.MustParseMoney("480000 CNY"), opportunity.Change{Actor: "sales-wang", At: exampleStart}); err != nil {
		fmt.Println(err)
		return
	}
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.Write(append(b, '\n'))

	var back opportunity.Opportunity
	if err := json.Unmarshal(b, &back); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Name(), back.Amount(), back.Stage())

	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		fmt.Println(err)
		return
	}
	m["status"], m["close_date"] = "pending", "2026-02-30"
	bad, err := json.Marshal(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = json.Unmarshal(bad, &back)
	fmt.Println(errors.Is(err, crm.ErrInvalid))
	fmt.Println(err)
	// Output:
	// {
	//   "v": 1,
	//   "id": "01900000-0000-7000-8000-000000000001",
	//   "tenant": "acme",
	//   "version": 0,
	//   "customer": "01900000-0000-7000-8000-000000000002",
	//   "owner": "sales-wang",
	//   "team": "east-china",
	//   "pipeline": "key-accounts",
	//   "name": "Air conditioners for the Pudong store",
	//   "source": {
	//     "kind": "existing_customer"
	//   },
	//   "currency": "CNY",
	//   "amount": {
	//     "amount": "480000.00",
	//     "currency": "CNY"
	//   },
	//   "status": "open",
	//   "stage": "qualify",
	//   "stage_since": "2026-03-02T09:00:00Z",
	//   "stage_probability": 0.1,
	//   "stage_category": "pipeline",
	//   "reopens": 0,
	//   "created_at": "2026-03-02T09:00:00Z",
	//   "updated_at": "2026-03-02T09:00:00Z",
	//   "seq": 1
	// }
	// Air conditioners for the Pudong store 480000.00 CNY qualify
	// true
	// opportunity.Opportunity.UnmarshalJSON: invalid input: status: unknown status "pending" (want one of open, won, lost); close_date: not a date: 2026-02-30
}
