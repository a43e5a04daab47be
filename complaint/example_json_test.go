package complaint_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// A complaint travels as JSON (an HTTP API, a message bus) and comes back
// as a complaint a store accepts; a document that breaks a rule is refused
// with the path of every problem.
func ExampleComplaint_MarshalJSON() {
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	c, err := complaint.New(complaint.NewInput{
		ID:          crm.MustParseID("01890000-0000-7000-8000-0000000000a1"),
		Tenant:      "sunrise-homes",
		Customer:    crm.MustParseID("01890000-0000-7000-8000-0000000000b1"),
		Channel:     customer.CallCentre,
		Category:    "leak",
		Severity:    complaint.High,
		Asset:       complaint.Asset{{Kind: "building", ID: "B3"}, {Kind: "unit", ID: "1502"}},
		Description: "Rain comes in through the bedroom window.",
		Owner:       "agent-li",
	}, complaint.Change{Actor: "call-centre", At: at})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = c.AddRepairStep(complaint.StepScheduled, "Tuesday morning", true,
		complaint.Change{Actor: "agent-li", At: at.Add(time.Hour)})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.Write(append(b, '\n'))

	var back complaint.Complaint
	if err := json.Unmarshal(b, &back); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Status(), back.Severity(), back.Asset(), back.ReopenWindow())

	bad := strings.Replace(string(b), `"step": "scheduled"`, `"step": "teleported"`, 1)
	err = json.Unmarshal([]byte(bad), &back)
	fmt.Println(errors.Is(err, crm.ErrInvalid))
	fmt.Println(err)
	// Output:
	// {
	//   "v": 1,
	//   "id": "01890000-0000-7000-8000-0000000000a1",
	//   "tenant": "sunrise-homes",
	//   "version": 0,
	//   "customer": "01890000-0000-7000-8000-0000000000b1",
	//   "channel": "call_centre",
	//   "category": "leak",
	//   "severity": "high",
	//   "priority": "p3",
	//   "asset": [
	//     {
	//       "kind": "building",
	//       "id": "B3"
	//     },
	//     {
	//       "kind": "unit",
	//       "id": "1502"
	//     }
	//   ],
	//   "description": "Rain comes in through the bedroom window.",
	//   "owner": "agent-li",
	//   "hand_overs": 0,
	//   "status": "received",
	//   "escalation_level": 0,
	//   "reopens": 0,
	//   "reopen_window": "720h0m0s",
	//   "repair": [
	//     {
	//       "step": "scheduled",
	//       "note": "Tuesday morning",
	//       "public": true,
	//       "at": "2026-06-01T10:00:00Z",
	//       "actor": "agent-li"
	//     }
	//   ],
	//   "received_at": "2026-06-01T09:00:00Z",
	//   "audit_seq": 2
	// }
	// received high building:B3/unit:1502 720h0m0s
	// true
	// complaint.Complaint.UnmarshalJSON: invalid input: repair[0].step: unknown repair step "teleported" (want one of scheduled, technician_assigned, on_site, parts_ordered, fixed, verified)
}
