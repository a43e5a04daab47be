package customer_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
)

// entExampleAt is the time of the examples' changes.
var entExampleAt = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// entExampleCustomer creates a customer for the examples, or panics: examples
// have no testing.TB to fail.
func entExampleCustomer(id, name string, stage customer.Stage) *customer.Customer {
	email, err := customer.ParseEmail(name + "@example.com")
	if err != nil {
		panic(err)
	}
	c, err := customer.New(customer.NewInput{
		ID:     crm.MustParseID(id),
		Tenant: "acme",
		Kind:   customer.Person,
		Name:   name,
		Roles:  []customer.Role{customer.EndCustomer},
		Owner:  "mgr.zhang",
		Emails: []customer.Email{email},
		Stage:  stage,
	}, customer.Change{Actor: "alice", At: entExampleAt})
	if err != nil {
		panic(err)
	}
	return c
}

func ExampleNew() {
	email, err := customer.ParseEmail("Li.Wei@Example.COM")
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := customer.New(customer.NewInput{
		ID:       crm.MustParseID("01900000-0000-7000-8000-000000000001"),
		Tenant:   "acme",
		Kind:     customer.Person,
		Name:     "Li Wei",
		Roles:    []customer.Role{customer.Owner, customer.Merchant},
		Owner:    "mgr.zhang",
		Emails:   []customer.Email{email},
		TimeZone: "Asia/Shanghai",
	}, customer.Change{Actor: "alice", At: entExampleAt, Reason: "met at the open day"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Name(), c.Emails()[0], c.Roles())
	fmt.Println(c.Stage(), c.Loyalty(), c.Lifecycle(), c.Class(), c.Owner())
	h := c.PendingHistory()[0]
	fmt.Println(h.Seq, h.Kind, h.Actor, h.Reason)
	fmt.Println(c.Events()[0].Type)

	// Bad input is refused with every problem listed.
	_, err = customer.New(customer.NewInput{Tenant: "acme", Name: " "}, customer.Change{Actor: "alice", At: entExampleAt})
	fmt.Println(errors.Is(err, crm.ErrInvalid))
	fmt.Println(err)
	// Output:
	// Li Wei Li.Wei@example.com [merchant owner]
	// unfamiliar awareness active unclassified mgr.zhang
	// 1 created alice met at the open day
	// customer.created
	// true
	// customer.New: invalid input: id: must not be zero; kind: unknown kind; name: must not be empty; roles: at least one role is required; owner: must not be empty
}

func ExampleCustomer_MoveStage() {
	c := entExampleCustomer("01900000-0000-7000-8000-000000000002", "wang", customer.Growth)
	ch := customer.Change{Actor: "mgr.zhang", At: entExampleAt.Add(time.Hour)}

	// Maturity needs a signed contract.
	err := c.MoveStage(customer.Mature, "", ch)
	fmt.Println(errors.Is(err, crm.ErrInvalidTransition))
	fmt.Println(err)

	// Stages are not skipped.
	fmt.Println(customer.Established.CanMoveTo(customer.Growth), customer.Established.Next())

	if err := c.MoveStage(customer.Mature, "HT-2025-017", ch); err != nil {
		fmt.Println(err)
		return
	}
	h := c.PendingHistory()
	last := h[len(h)-1]
	fmt.Println(c.Stage(), last.Kind, last.From, "->", last.To, "|", last.Reason)
	for _, task := range c.Stage().Tasks() {
		fmt.Println("task:", task.Code)
	}
	// Output:
	// true
	// customer stage: transition growth -> mature not allowed: a signed contract is required
	// false [evaluation unfamiliar]
	// mature stage growth -> mature | contract HT-2025-017
	// task: negotiation
	// task: contract_signing
	// task: repeat_purchase
}

func ExampleCustomer_AssignOwner() {
	c := entExampleCustomer("01900000-0000-7000-8000-000000000003", "zhao", 0)

	// Nobody passes a customer on without saying why.
	err := c.AssignOwner("mgr.wang", customer.Change{Actor: "mgr.zhang", At: entExampleAt})
	fmt.Println(err)

	if err := c.AssignOwner("mgr.wang", customer.Change{
		Actor: "head.of.sales", At: entExampleAt.Add(24 * time.Hour), Reason: "Zhang moved to Beijing",
	}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("owner:", c.Owner())
	for _, h := range c.PendingHistory() {
		fmt.Printf("#%d %s %q -> %q by %s at %s, reason %q\n", h.Seq, h.Kind, h.From, h.To, h.Actor, h.At.Format(time.DateTime), h.Reason)
	}
	// Output:
	// customer.AssignOwner: invalid input: change.reason: required for a reassignment
	// owner: mgr.wang
	// #1 created "" -> "unfamiliar" by alice at 2025-03-14 09:30:00, reason ""
	// #2 owner "mgr.zhang" -> "mgr.wang" by head.of.sales at 2025-03-15 09:30:00, reason "Zhang moved to Beijing"
}

func ExampleClassifier_Classify() {
	classifier := customer.Classifier{
		Rules: []customer.ClassRule{
			{Class: customer.Stable, When: customer.Segment{Conditions: []customer.Condition{
				{Field: "stage", Op: customer.OpEq, Value: "mature"},
				{Field: "fact.orders", Op: customer.OpGte, Value: "3"},
			}}},
			{Class: customer.NotYetStable, When: customer.Segment{Conditions: []customer.Condition{
				{Field: "stage", Op: customer.OpEq, Value: "mature"},
			}}},
			{Class: customer.PushHard, When: customer.Segment{Conditions: []customer.Condition{
				{Field: "stage", Op: customer.OpGte, Value: "evaluation"},
			}}},
		},
		Default: customer.GeneralContact,
		KeyAccount: &customer.Segment{Conditions: []customer.Condition{
			{Field: "fact.profit_share", Op: customer.OpGte, Value: "0.05"},
		}},
	}
	if err := classifier.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	customers := []struct {
		c     *customer.Customer
		facts customer.Facts
	}{
		{entExampleCustomer("01900000-0000-7000-8000-000000000004", "chen", customer.Mature), customer.Facts{"orders": "12", "profit_share": "0.08"}},
		{entExampleCustomer("01900000-0000-7000-8000-000000000005", "liu", customer.Mature), customer.Facts{"orders": "1"}},
		{entExampleCustomer("01900000-0000-7000-8000-000000000006", "sun", customer.Growth), nil},
		{entExampleCustomer("01900000-0000-7000-8000-000000000007", "zhou", customer.Unfamiliar), nil},
	}
	for _, x := range customers {
		got := classifier.Classify(x.c, x.facts)
		fmt.Printf("%-5s %-15s rule %2d key account %v\n", x.c.Name(), got.Class, got.Rule, got.KeyAccount)
	}
	// Output:
	// chen  stable          rule  0 key account true
	// liu   not_yet_stable  rule  1 key account false
	// sun   push_hard       rule  2 key account false
	// zhou  general_contact rule -1 key account false
}

func ExampleSegment_Matches() {
	// Segment rules are data: a host can keep them as JSON.
	var youngFamilies customer.Segment
	err := json.Unmarshal([]byte(`{
		"name": "young families",
		"match": "any",
		"conditions": [
			{"field": "attr.life_stage", "op": "eq", "value": "young_family"},
			{"field": "tag", "op": "in", "values": ["kids", "school"]}
		]
	}`), &youngFamilies)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := youngFamilies.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	a := entExampleCustomer("01900000-0000-7000-8000-000000000008", "he", 0)
	b := entExampleCustomer("01900000-0000-7000-8000-000000000009", "lin", 0)
	c := entExampleCustomer("01900000-0000-7000-8000-00000000000a", "ma", 0)
	if err := a.SetAttribute("life_stage", "young_family"); err != nil {
		fmt.Println(err)
		return
	}
	if err := b.AddTag("School"); err != nil {
		fmt.Println(err)
		return
	}
	for _, x := range []*customer.Customer{a, b, c} {
		fmt.Println(x.Name(), youngFamilies.Matches(x))
	}
	// Output:
	// he true
	// lin true
	// ma false
}

func ExampleMerge() {
	survivor := entExampleCustomer("01900000-0000-7000-8000-00000000000b", "guo", customer.Established)
	loser := entExampleCustomer("01900000-0000-7000-8000-00000000000c", "guo.jing", customer.Evaluation)
	ch := customer.Change{Actor: "data.steward", At: entExampleAt.Add(time.Hour), Reason: "same phone number"}
	if err := loser.SetNotes("prefers weekend visits"); err != nil {
		fmt.Println(err)
		return
	}
	if err := loser.SetConsent(customer.EmailChannel, true, "web form", ch); err != nil {
		fmt.Println(err)
		return
	}

	res, err := customer.Merge(survivor, loser, customer.Survivorship{Name: customer.KeepLoser}, ch)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range res.Decisions {
		fmt.Printf("%-13s from %-8s %q\n", d.Field, d.From, d.Value)
	}
	fmt.Println(survivor.Name(), survivor.Stage(), survivor.Emails(), survivor.Notes())
	fmt.Println("tombstone:", loser.IsTombstone(), loser.MergedInto() == survivor.ID())

	// A tombstone refuses every change.
	err = loser.Rename("someone")
	fmt.Println(errors.Is(err, crm.ErrMerged))
	// Output:
	// name          from loser    "guo.jing"
	// notes         from loser    ""
	// owner         from survivor "mgr.zhang"
	// lifecycle     from survivor "active"
	// class         from survivor "unclassified"
	// stage         from loser    "evaluation"
	// loyalty       from survivor "awareness"
	// emails        from both     "2"
	// phones        from both     "0"
	// addresses     from both     "0"
	// consent.email from loser    "true"
	// guo.jing evaluation [guo@example.com guo.jing@example.com] prefers weekend visits
	// tombstone: true true
	// true
}

func ExampleCustomer_Erase() {
	c := entExampleCustomer("01900000-0000-7000-8000-00000000000d", "song", customer.Growth)
	if err := c.SetPreference("drink", "green tea"); err != nil {
		fmt.Println(err)
		return
	}
	ch := customer.Change{Actor: "dpo", At: entExampleAt.Add(48 * time.Hour), Reason: "erasure request 2025-031"}
	report, err := c.Erase(ch)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(report.Fields, report.ErasedAt.Format(time.DateOnly))
	fmt.Println(c.Name(), len(c.Emails()), len(c.Preferences()), c.Stage(), c.Owner())

	_, err = c.Erase(ch)
	fmt.Println(errors.Is(err, crm.ErrErased))
	// Output:
	// [name emails preferences] 2025-03-16
	// [erased] 0 0 growth mgr.zhang
	// true
}
