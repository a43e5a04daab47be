package complaint_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
)

// BenchmarkSLAStatus100k evaluates every target of 100,000 open complaints
// at one instant; one op is the whole batch. The target is at most
// 200 ms on one core.
func BenchmarkSLAStatus100k(b *testing.B) {
	const n = 100_000
	cals := slaCals(b)
	yes := true
	key := slaPolicy("key")
	key.Match.KeyAccount = &yes
	web := slaPolicy("web")
	web.Match.Channels = []customer.Channel{customer.Web}
	set := &complaint.PolicySet{Policies: []complaint.Policy{key, web}, Default: slaPolicy("standard")}
	ch := func(t time.Time) complaint.Change { return complaint.Change{Actor: "a", At: t, Reason: "r"} }
	cs := make([]*complaint.Complaint, n)
	start := cst(2, 9, 0)
	for i := range cs {
		recv := start.Add(time.Duration(i%(7*24*60)) * time.Minute)
		c, err := complaint.New(validInput(), ch(recv))
		if err != nil {
			b.Fatal(err)
		}
		// A third acknowledged, a third of those waiting on the customer.
		if i%3 == 0 {
			for j, s := range []complaint.Status{complaint.Acknowledged, complaint.Assessed, complaint.WaitingOnCustomer} {
				if s == complaint.WaitingOnCustomer && i%9 != 0 {
					break
				}
				if err := c.Transition(s, ch(recv.Add(time.Duration(j+1)*time.Hour))); err != nil {
					b.Fatal(err)
				}
			}
		}
		cs[i] = c
	}
	at := cst(9, 15, 0)
	facts := complaint.CustomerFacts{Class: "stable"}
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cs {
			if _, err := complaint.SLAStatus(c, set, cals, facts, at); err != nil {
				b.Fatal(err)
			}
		}
	}
}
