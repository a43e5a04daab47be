package complaint

import "github.com/crmkit/crm"

// Unanswered names one member of a complaint group whose customer has not
// been answered yet.
type Unanswered struct {
	Complaint crm.ID
	Customer  crm.ID
}

// Answered reports whether the customer has had an answer: a response was
// proposed, or the complaint was rejected (a rejection with its reason is
// an answer).
func (c *Complaint) Answered() bool {
	return !c.firstResponseAt.IsZero() || c.status == Rejected
}

// UnansweredInGroup returns, in input order, the members of group among
// complaints whose customer has not been answered yet. Complaints of other
// groups and nil entries are ignored; a zero group yields nil.
func UnansweredInGroup(group crm.ID, complaints []*Complaint) []Unanswered {
	if group.IsZero() {
		return nil
	}
	var out []Unanswered
	for _, c := range complaints {
		if c == nil || c.group != group || c.Answered() {
			continue
		}
		out = append(out, Unanswered{Complaint: c.id, Customer: c.customer})
	}
	return out
}
