package complaint

import (
	"slices"

	"github.com/crmkit/crm"
)

// machineName names the status machine in transition errors.
const machineName = "complaint status"

// statusTable is the status machine as data: for each status, the statuses
// it may move to. Leaving WaitingOnCustomer is further limited to the status
// it was entered from, and Reopened to the reopen window; see
// [Complaint.Transition].
var statusTable = map[Status][]Status{
	Received:          {Acknowledged, Rejected},
	Acknowledged:      {Assessed, Rejected},
	Assessed:          {Investigating, WaitingOnCustomer, Rejected},
	Investigating:     {ResponseProposed, WaitingOnCustomer, Rejected},
	ResponseProposed:  {Resolved, Investigating, WaitingOnCustomer},
	Resolved:          {Closed, Investigating},
	Closed:            {Reopened},
	Rejected:          {Reopened},
	WaitingOnCustomer: {Assessed, Investigating, ResponseProposed},
	Reopened:          {Investigating},
}

// CanMoveTo reports whether the status table lists s -> to. The extra
// conditions of [Complaint.Transition] are not checked.
func (s Status) CanMoveTo(to Status) bool { return slices.Contains(statusTable[s], to) }

// Next returns the statuses the table lists after s.
func (s Status) Next() []Status { return slices.Clone(statusTable[s]) }

// refuse returns the transition error for from -> to with reason.
func refuse(from, to Status, reason string) error {
	return &crm.TransitionError{Machine: machineName, From: from.String(), To: to.String(), Reason: reason}
}
