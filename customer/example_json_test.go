package customer_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// A customer travels as JSON (an HTTP API, a message bus) and comes back
// as a customer a store accepts; a document that breaks a rule is refused
// with the path of every problem.
func ExampleCustomer_MarshalJSON() {
	phone, err := customer.ParsePhone("+86 138 0013 8000", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := customer.New(customer.NewInput{
		ID:     crm.MustParseID("01900000-0000-7000-8000-000000000001"),
		Tenant: "acme",
		Kind:   customer.Person,
		Name:   "Li Wei",
		Roles:  []customer.Role{customer.Owner},
		Owner:  "mgr.zhang",
		Phones: []customer.Phone{phone},
	}, customer.Change{Actor: "alice", At: entExampleAt})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := c.SetDate("birthday", customer.Date{Month: 3, Day: 14}); err != nil {
		fmt.Println(err)
		return
	}
	if err := c.SetConsent(customer.EmailChannel, true, "web form", customer.Change{Actor: "alice", At: entExampleAt}); err != nil {
		fmt.Println(err)
		return
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.Write(append(b, '\n'))

	var back customer.Customer
	if err := json.Unmarshal(b, &back); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Name(), back.Phones()[0], back.MayContact(customer.EmailChannel))

	err = json.Unmarshal([]byte(`{"v":1,"id":"01900000-0000-7000-8000-000000000001","tenant":"acme",`+
		`"version":0,"kind":"person","name":"Li Wei","roles":["owner"],"emails":["li.wei@"],`+
		`"stage":"unfamiliar","loyalty":"awareness","lifecycle":"active","class":"unclassified",`+
		`"key_account":false,"owner":"mgr.zhang","history_seq":1}`), &back)
	fmt.Println(errors.Is(err, crm.ErrInvalid))
	fmt.Println(err)
	// Output:
	// {
	//   "v": 1,
	//   "id": "01900000-0000-7000-8000-000000000001",
	//   "tenant": "acme",
	//   "version": 0,
	//   "kind": "person",
	//   "name": "Li Wei",
	//   "roles": [
	//     "owner"
	//   ],
	//   "phones": [
	//     "+8613800138000"
	//   ],
	//   "dates": {
	//     "birthday": "--03-14"
	//   },
	//   "consents": {
	//     "email": {
	//       "granted": true,
	//       "at": "2025-03-14T09:30:00Z",
	//       "source": "web form"
	//     }
	//   },
	//   "stage": "unfamiliar",
	//   "loyalty": "awareness",
	//   "lifecycle": "active",
	//   "class": "unclassified",
	//   "key_account": false,
	//   "owner": "mgr.zhang",
	//   "created_at": "2025-03-14T09:30:00Z",
	//   "updated_at": "2025-03-14T09:30:00Z",
	//   "history_seq": 2
	// }
	// Li Wei +8613800138000 true
	// true
	// customer.Customer.UnmarshalJSON: invalid input: emails[0].domain: must not be empty
}
