package complaint_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// anBenchComplaints returns n complaints over a week of receipts in eight
// categories and 10,000 customers: a third still open, a third waiting on
// the customer for a while and resolved, a third closed with a survey.
func anBenchComplaints(tb testing.TB, n int) []*complaint.Complaint {
	tb.Helper()
	cats := []string{"leak", "window", "noise", "billing", "delivery", "service", "parking", "lift"}
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	cs := make([]*complaint.Complaint, n)
	for i := range cs {
		recv := start.Add(time.Duration(i%(7*24*60)) * time.Minute)
		r := complaint.Record{
			ID:       crm.ID{0x01, 0x89, byte(i >> 16), byte(i >> 8), byte(i), 0, 0x70, 0, 0x80},
			Customer: crm.ID{0x01, 0x89, 0, 0, 0, 0, 0x70, 0, 0x80, byte(i % 10000 >> 8), byte(i % 10000)},
			Tenant:   "acme", Channel: customer.Channels()[i%8], Category: cats[i%len(cats)],
			Severity: complaint.Severity(1 + i%4), Priority: complaint.P3, Description: "d",
			Owner: crm.UserID("agent-" + cats[i%3]), Status: complaint.Investigating,
			ReopenWindow: complaint.DefaultReopenWindow, ReceivedAt: recv, HandOvers: i % 3,
			AcknowledgedAt: recv.Add(time.Duration(10+i%50) * time.Minute),
		}
		switch i % 3 {
		case 1:
			r.Status = complaint.Resolved
			r.Pauses = []calendar.Interval{{Start: recv.Add(2 * time.Hour), End: recv.Add(5 * time.Hour)}}
			r.FirstResponseAt = recv.Add(6 * time.Hour)
			r.ResolvedAt = recv.Add(time.Duration(8+i%40) * time.Hour)
			r.Resolution = &complaint.Resolution{Remedy: complaint.Repair, Summary: "s",
				RootCause: complaint.RootCause{Category: cats[i%5]}}
		case 2:
			r.Status = complaint.Closed
			r.FirstResponseAt = recv.Add(3 * time.Hour)
			r.ResolvedAt = recv.Add(time.Duration(4+i%20) * time.Hour)
			r.ClosedAt = r.ResolvedAt
			r.Survey = &complaint.Survey{CSAT: 1 + i%5}
		}
		c, err := complaint.FromRecord(r)
		if err != nil {
			tb.Fatal(err)
		}
		cs[i] = c
	}
	return cs
}

// BenchmarkAnalyze100k adds 100,000 complaints to an analyzer by category,
// with service-level policies on business calendars, and makes the
// report; one op is the whole batch. The target is well under 1 s on one
// core.
func BenchmarkAnalyze100k(b *testing.B) {
	cs := anBenchComplaints(b, 100_000)
	facts := make(map[crm.ID]complaint.CustomerFacts)
	for i, c := range cs {
		if i%7 == 0 {
			facts[c.Customer()] = complaint.CustomerFacts{KeyAccount: true}
		}
	}
	opts := complaint.AnalyticsOptions{
		At: time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC), By: complaint.ByCategory,
		Policies: anPolicies(), Calendars: anCalendars(b), Facts: facts,
	}
	b.ReportAllocs()
	for b.Loop() {
		a, err := complaint.NewAnalyzer(opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cs {
			if err := a.Add(c); err != nil {
				b.Fatal(err)
			}
		}
		if r := a.Report(); r.Total.Count != len(cs) {
			b.Fatalf("counted %d", r.Total.Count)
		}
	}
}
