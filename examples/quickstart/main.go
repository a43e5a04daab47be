// Command quickstart runs a small, realistic customer flow on the in-memory
// store: a sales team of three, customers moving through the relationship
// stages, interactions and visits, a reassignment, classification from the
// host's rules, customer care due this week, and a duplicate found and
// merged. Everything it prints comes from the library.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/examples/internal/backend"
)

const tenant crm.TenantID = "harbour-homes"

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run is the whole flow; it writes a readable report to w.
func run(ctx context.Context, w io.Writer) error {
	// A fixed clock and sequential IDs make the run reproducible.
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	clock := crm.NewManualClock(time.Date(2026, 11, 23, 9, 0, 0, 0, loc))
	b, err := backend.Open(ctx, "quickstart")
	if err != nil {
		return err
	}
	defer func() { _ = b.Close(context.WithoutCancel(ctx)) }()
	store := b.Store
	published := map[string]int{} // domain events the service delivered after each commit
	svc, err := customer.NewService(store, &customer.Options{
		Clock: clock,
		IDs:   crm.NewSequentialIDs(clock),
		Events: crm.EventSinkFunc(func(_ context.Context, evs []crm.Event) error {
			for _, e := range evs {
				published[e.Type]++
			}
			return nil
		}),
	})
	if err != nil {
		return err
	}
	p := printer{w: w}

	p.title("1. The sales team takes on new customers")
	type seed struct {
		name, owner, email, phone, birthday string
		kind                                customer.Kind
		roles                               []customer.Role
	}
	seeds := []seed{
		{"Wang Fang", "chen.lei", "wang.fang@example.cn", "138 0013 8000", "1986-11-26", customer.Person, []customer.Role{customer.EndCustomer}},
		{"Liu Yang", "chen.lei", "liu.yang@example.cn", "139 1234 5678", "--11-29", customer.Person, []customer.Role{customer.Owner}},
		{"Bright Star Appliances Ltd", "zhou.min", "orders@brightstar.example.com", "+86 20 8765 4321", "", customer.Organization, []customer.Role{customer.Dealer}},
		{"Zhao Lei", "sun.hui", "zhao.lei@example.cn", "137 0000 1111", "1992-02-29", customer.Person, []customer.Role{customer.EndCustomer, customer.Merchant}},
		{"Fang Wang", "sun.hui", "", "13800138000", "", customer.Person, []customer.Role{customer.Visitor}},
	}
	ids := map[string]crm.ID{}
	for _, s := range seeds {
		in := customer.NewInput{Tenant: tenant, Kind: s.kind, Name: s.name, Roles: s.roles, Owner: crm.UserID(s.owner), TimeZone: "Asia/Shanghai"}
		if s.email != "" {
			e, err := customer.ParseEmail(s.email)
			if err != nil {
				return err
			}
			in.Emails = []customer.Email{e}
		}
		ph, err := customer.ParsePhone(s.phone, "CN")
		if err != nil {
			return err
		}
		in.Phones = []customer.Phone{ph}
		c, err := svc.Create(ctx, in, customer.Change{Actor: crm.UserID(s.owner)})
		if err != nil {
			return err
		}
		if s.birthday != "" {
			d, err := customer.ParseDate(s.birthday)
			if err != nil {
				return err
			}
			if _, err := svc.Update(ctx, tenant, c.ID(), func(c *customer.Customer) error { return c.SetDate("birthday", d) }); err != nil {
				return err
			}
		}
		ids[s.name] = c.ID()
		p.line("%-28s %-13s owner %-9s phone %s", c.Name(), c.Kind(), c.Owner(), ph.E164())
	}

	p.title("2. Customer care due this week")
	plan := customer.CarePlan{Types: []customer.CareType{
		{Code: "birthday", Name: "Birthday greeting", Trigger: customer.CareTrigger{Kind: customer.TriggerAnnual, DateKey: "birthday"}, LeadDays: 1},
		{Code: "new-year", Name: "New Year card", Trigger: customer.CareTrigger{Kind: customer.TriggerFixed, Month: time.January, Day: 1}},
	}}
	weekStart := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
	due, err := svc.DueCare(ctx, tenant, plan, customer.Query{}, weekStart, weekStart.AddDate(0, 0, 7))
	if err != nil {
		return err
	}
	for _, a := range due {
		name, _ := nameOf(ctx, svc, a.CustomerID)
		p.line("%s  %-10s %-9s %-12s by %s", a.Due, a.Type, name, a.Occasion, a.Owner)
	}

	p.title("3. Relationships develop stage by stage")
	wang := ids["Wang Fang"]
	for _, st := range []customer.Stage{customer.Established, customer.Evaluation, customer.Growth} {
		clock.Advance(3 * 24 * time.Hour)
		c, err := svc.MoveStage(ctx, tenant, wang, st, "", customer.Change{Actor: "chen.lei"})
		if err != nil {
			return err
		}
		p.line("Wang Fang is now %-11s next tasks: %s", c.Stage(), taskTitles(c.Stage()))
	}
	_, err = svc.MoveStage(ctx, tenant, wang, customer.Mature, "", customer.Change{Actor: "chen.lei"})
	var refused *crm.TransitionError
	if !errors.As(err, &refused) {
		return fmt.Errorf("mature without a contract was not refused: %w", err)
	}
	p.line("mature without a contract? refused: %s -> %s, %s", refused.From, refused.To, refused.Reason)
	clock.Advance(24 * time.Hour)
	c, err := svc.MoveStage(ctx, tenant, wang, customer.Mature, "HH-2026-0412", customer.Change{Actor: "chen.lei"})
	if err != nil {
		return err
	}
	p.line("contract HH-2026-0412 signed: Wang Fang is %s", c.Stage())

	p.title("4. Every contact is recorded")
	for _, in := range []customer.InteractionInput{
		{Channel: customer.PhoneCall, Direction: customer.Outbound, Actor: "chen.lei", Summary: "First call: looking for a 3-bedroom flat near schools", Outcome: "agreed to visit the show flat"},
		{Channel: customer.FaceToFace, Direction: customer.Inbound, Actor: "chen.lei", Summary: "Visited the show flat with her parents", Outcome: "likes block B", NextStep: "send the block B price list", NextStepDue: clock.Now().Add(48 * time.Hour)},
		{Channel: customer.MobileMessage, Direction: customer.Outbound, Actor: "chen.lei", Summary: "Sent the block B price list"},
	} {
		clock.Advance(2 * time.Hour)
		if _, err := svc.LogInteraction(ctx, tenant, wang, in); err != nil {
			return err
		}
	}
	its, err := svc.Interactions(ctx, tenant, wang, crm.PageRequest{})
	if err != nil {
		return err
	}
	for _, it := range its.Items {
		p.line("%s %-14s %-8s %s", it.At.In(loc).Format("01-02 15:04"), it.Channel, it.Direction, it.Summary)
	}

	p.title("5. A reassignment, kept in the history")
	if _, err := svc.AssignOwner(ctx, tenant, ids["Bright Star Appliances Ltd"], "chen.lei", customer.Change{Actor: "manager", Reason: "Zhou Min moves to the Shenzhen office"}); err != nil {
		return err
	}
	h, err := svc.History(ctx, tenant, ids["Bright Star Appliances Ltd"], crm.PageRequest{})
	if err != nil {
		return err
	}
	for _, e := range h.Items {
		p.line("%-8s %s -> %s by %s (%s)", e.Kind, orDash(e.From), e.To, e.Actor, orDash(e.Reason))
	}

	p.title("6. Classification from the host's rules")
	rules := customer.Classifier{
		Rules: []customer.ClassRule{
			{Class: customer.Stable, When: customer.Segment{Conditions: []customer.Condition{{Field: "stage", Op: customer.OpEq, Value: "mature"}}}},
			{Class: customer.PushHard, When: customer.Segment{Conditions: []customer.Condition{{Field: "role", Op: customer.OpEq, Value: "dealer"}}}},
		},
		Default:    customer.GeneralContact,
		KeyAccount: &customer.Segment{Conditions: []customer.Condition{{Field: "fact.annual_revenue", Op: customer.OpGte, Value: "1000000"}}},
	}
	facts := map[string]customer.Facts{"Bright Star Appliances Ltd": {"annual_revenue": "2400000"}}
	for _, s := range seeds[:4] {
		res, err := svc.Classify(ctx, tenant, ids[s.name], rules, facts[s.name], customer.Change{Actor: "nightly-job"})
		if err != nil {
			return err
		}
		p.line("%-28s %-18s key account: %v", s.name, res.Class, res.KeyAccount)
	}

	p.title("7. A duplicate is found and merged")
	dups, err := svc.FindDuplicates(ctx, tenant, wang)
	if err != nil {
		return err
	}
	for _, d := range dups {
		other, _ := nameOf(ctx, svc, d.B)
		var why []string
		for _, r := range d.Reasons {
			why = append(why, r.Kind)
		}
		p.line("Wang Fang ~ %s: score %.2f (%s)", other, d.Score, strings.Join(why, ", "))
		res, err := svc.Merge(ctx, tenant, wang, d.B, customer.Survivorship{}, customer.Change{Actor: "chen.lei", Reason: "same person, name order reversed"})
		if err != nil {
			return err
		}
		for _, dec := range res.Decisions {
			if dec.Field == "name" || dec.Field == "owner" || dec.Field == "stage" || dec.Field == "phones" {
				p.line("  %-7s from the %-8s -> %s", dec.Field, dec.From, dec.Value)
			}
		}
		tomb, err := svc.Get(ctx, tenant, d.B)
		if err != nil {
			return err
		}
		p.line("  %s is now a tombstone pointing to Wang Fang: %v", tomb.Name(), tomb.MergedInto() == wang)
	}

	p.title("8. Chen Lei's book of customers")
	page, err := svc.List(ctx, tenant, customer.Query{Owner: "chen.lei"}, crm.PageRequest{})
	if err != nil {
		return err
	}
	for _, c := range page.Items {
		p.line("%-28s %-11s %-18s %s", c.Name(), c.Stage(), c.Class(), strings.Join(roleNames(c.Roles()), ","))
	}

	p.title("9. Domain events delivered after commit")
	var kinds []string
	for k := range published {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		p.line("%-28s %d", k, published[k])
	}
	return p.err
}

func taskTitles(s customer.Stage) string {
	var out []string
	for _, t := range s.Tasks() {
		out = append(out, t.Code)
	}
	return strings.Join(out, ", ")
}

func roleNames(rs []customer.Role) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

func nameOf(ctx context.Context, svc *customer.Service, id crm.ID) (string, error) {
	c, err := svc.Get(ctx, tenant, id)
	if err != nil {
		return "", err
	}
	return c.Name(), nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printer writes lines and keeps the first write error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) title(s string) { p.printf("\n%s\n", s) }

func (p *printer) line(format string, args ...any) { p.printf("  "+format+"\n", args...) }

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
