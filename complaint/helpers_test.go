package complaint_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

var (
	t0       = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	idC      = crm.MustParseID("01890000-0000-7000-8000-000000000001")
	idCust   = crm.MustParseID("01890000-0000-7000-8000-000000000002")
	idGroup  = crm.MustParseID("01890000-0000-7000-8000-000000000003")
	tenantA  = crm.TenantID("acme")
	leakTree = mustTree([]complaint.Category{
		{Code: "product_quality"},
		{Code: "leak", Parent: "product_quality"},
		{Code: "window", Parent: "leak"},
		{Code: "service_attitude"},
		{Code: "delivery"},
		{Code: "billing"},
		{Code: "property_management"},
	})
)

func mustTree(cats []complaint.Category) *complaint.CategoryTree {
	t, err := complaint.NewCategoryTree(cats)
	if err != nil {
		panic(err)
	}
	return t
}

// chg returns a valid change at t0 + minutes with a reason.
func chg(minutes int) complaint.Change {
	return complaint.Change{Actor: "agent-li", At: t0.Add(time.Duration(minutes) * time.Minute), Reason: "because"}
}

func validInput() complaint.NewInput {
	return complaint.NewInput{
		ID: idC, Tenant: tenantA, Customer: idCust, Channel: customer.CallCentre,
		Category: "window", Categories: leakTree, Severity: complaint.High, Priority: complaint.P2,
		Asset:       complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: "B3"}, {Kind: "unit", ID: "1502"}},
		Description: "Water leaks through the bedroom window when it rains.", DesiredOutcome: "Fix the window",
		Attachments: []string{"s3://photos/leak1.jpg"}, Owner: "agent-li",
	}
}

func newComplaint(t testing.TB) *complaint.Complaint {
	t.Helper()
	c, err := complaint.New(validInput(), chg(0))
	require.NoError(t, err)
	return c
}

func validResolution() complaint.Resolution {
	return complaint.Resolution{
		Remedy: complaint.Repair, Summary: "Resealed the window frame",
		RootCause:  complaint.RootCause{Category: "installation", Text: "sealant missing"},
		Corrective: "reseal", Preventive: "check sealant at handover",
	}
}

func move(t testing.TB, c *complaint.Complaint, minute *int, to ...complaint.Status) {
	t.Helper()
	for _, s := range to {
		*minute++
		if s == complaint.Resolved {
			if _, ok := c.Resolution(); !ok {
				require.NoError(t, c.SetResolution(validResolution(), chg(*minute)))
			}
		}
		require.NoError(t, c.Transition(s, chg(*minute)), "to %s", s)
	}
}

// at returns a complaint in status s (waiting entered from investigating),
// with pending audit and events cleared, and the minute of its last change.
func at(t testing.TB, s complaint.Status) (*complaint.Complaint, int) {
	t.Helper()
	c := newComplaint(t)
	m := 0
	path := map[complaint.Status][]complaint.Status{
		complaint.Received:          nil,
		complaint.Acknowledged:      {complaint.Acknowledged},
		complaint.Assessed:          {complaint.Acknowledged, complaint.Assessed},
		complaint.Investigating:     {complaint.Acknowledged, complaint.Assessed, complaint.Investigating},
		complaint.ResponseProposed:  {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed},
		complaint.Resolved:          {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed, complaint.Resolved},
		complaint.Closed:            {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed, complaint.Resolved, complaint.Closed},
		complaint.Rejected:          {complaint.Rejected},
		complaint.WaitingOnCustomer: {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.WaitingOnCustomer},
		complaint.Reopened:          {complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed, complaint.Resolved, complaint.Closed, complaint.Reopened},
	}[s]
	move(t, c, &m, path...)
	require.Equal(t, s, c.Status())
	complaint.ClearPendingForTest(c)
	return c, m
}
