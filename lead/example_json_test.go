package lead_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

// A lead travels as JSON (an HTTP API, a message bus) and comes back as a
// lead a store accepts; a document that breaks a rule is refused with the
// path of every problem.
func ExampleLead_MarshalJSON() {
	l, err := lead.New(lead.NewInput{
		ID: crm.MustParseID("01890000-0000-7000-8000-000000000001"), Tenant: "acme",
		Name: "Wang Fang", Company: "Sunrise Hotels",
		Emails:  []string{"wang.fang@sunrise.example"},
		Channel: customer.Web,
		Source:  lead.Source{Kind: lead.SourceWebForm, Detail: "quote request"},
	}, lead.Change{Actor: "web", At: exampleTime})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.Write(append(b, '\n'))

	var back lead.Lead
	if err := json.Unmarshal(b, &back); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Name(), back.Stage(), back.Contacts()[0].Email)

	err = json.Unmarshal([]byte(`{"v":1,"id":"01890000-0000-7000-8000-000000000001","tenant":"acme",`+
		`"version":0,"kind":"person","key_prospect":false,"channel":"pigeon","source":{"kind":"web_form"},`+
		`"stage":"hot","captured_at":"2026-03-02T10:00:00Z","updated_at":"2026-03-02T10:00:00Z",`+
		`"history_seq":1}`), &back)
	fmt.Println(errors.Is(err, crm.ErrInvalid))
	fmt.Println(err)
	// Output:
	// {
	//   "v": 1,
	//   "id": "01890000-0000-7000-8000-000000000001",
	//   "tenant": "acme",
	//   "version": 0,
	//   "kind": "person",
	//   "name": "Wang Fang",
	//   "company": "Sunrise Hotels",
	//   "contacts": [
	//     {
	//       "kind": "email",
	//       "raw": "wang.fang@sunrise.example",
	//       "email": "wang.fang@sunrise.example"
	//     }
	//   ],
	//   "key_prospect": false,
	//   "channel": "web",
	//   "source": {
	//     "kind": "web_form",
	//     "detail": "quote request"
	//   },
	//   "touches": [
	//     {
	//       "at": "2026-03-02T10:00:00Z",
	//       "channel": "web",
	//       "source": {
	//         "kind": "web_form",
	//         "detail": "quote request"
	//       }
	//     }
	//   ],
	//   "stage": "new",
	//   "captured_at": "2026-03-02T10:00:00Z",
	//   "reached": {
	//     "new": "2026-03-02T10:00:00Z"
	//   },
	//   "updated_at": "2026-03-02T10:00:00Z",
	//   "history_seq": 1
	// }
	// Wang Fang new wang.fang@sunrise.example
	// true
	// lead.Lead.UnmarshalJSON: invalid input: stage: unknown stage "hot" (want one of new, contacted, nurturing, qualified, converted, disqualified); channel: unknown channel "pigeon" (want one of face_to_face, phone, call_centre, email, fax, letter, web, mobile_message)
}
