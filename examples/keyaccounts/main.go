// Command keyaccounts runs the key-account programme of an appliance maker,
// Haixin Appliances: each key account has an account plan for the year,
// stored by the library (customer account plans: the team with its roles
// and one lead manager, the customer's owner; goals with figures and
// dates); deals move through a key-account pipeline; lines are priced by
// customer class and order volume, with a discount beyond the threshold
// approved by the sales director; competitors are tracked; a won deal's
// event moves the customer's relationship stage to mature, which brings
// the care the move triggers (on business days), and records the deal as
// progress on the account's plan; the account team's contacts through the
// quarter keep each customer's last contact. At quarter end the programme
// reviews the pipeline by stage, win/loss by reason and competitor, the
// forecast as a distribution with the chance of making the quota, each
// account's time in its relationship stage (on the business calendar) and
// its plan's goals against the straight line to their dates, the key
// accounts overdue for contact per manager, and the ten key-account KPIs.
// Everything it prints comes from the library.
//
//	go run ./examples/keyaccounts
//
// It runs on the in-memory store, or on a fresh PostgreSQL schema when
// CRM_EXAMPLE_POSTGRES_DSN is set.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
	_ "time/tzdata" // the calendar's Shanghai zone, whatever the machine's zone database

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/examples/internal/backend"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/scoring"
)

const tenant crm.TenantID = "haixin"

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "keyaccounts:", err)
		os.Exit(1)
	}
}

// keyAccount is a key account as the programme's director sets it up:
// the customer's class and relationship stage, and the draft of its 2026
// account plan (team and goals), which the library stores.
type keyAccount struct {
	name  string
	class customer.Class
	stage customer.Stage
	plan  string                // the plan's title: the year's focus
	team  []customer.TeamMember // the first is the lead manager, the customer's owner
	goals []customer.Goal
}

// The plans run for the calendar year 2026 (UTC); the quarter ends at the
// close of 31 March, the half year at the close of 30 June. Each is the
// midnight that ends its last day.
var (
	planStart  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	planEnd    = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	quarterEnd = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	halfYear   = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
)

// lastDay is the date of the last day that ends at the midnight t.
func lastDay(t time.Time) string { return t.AddDate(0, 0, -1).Format(time.DateOnly) }

// Goal names shared by the plans.
const (
	goalRevenue   = "revenue 2026"
	goalContracts = "contracts signed"
)

// team is a lead manager and the other members with their roles.
func team(lead crm.UserID, others ...customer.TeamMember) []customer.TeamMember {
	return append([]customer.TeamMember{{User: lead, Role: customer.RoleAccountManager, Lead: true, Since: planStart}}, others...)
}

// member is a team member who is not the lead.
func member(u crm.UserID, r customer.TeamRole) customer.TeamMember {
	return customer.TeamMember{User: u, Role: r, Since: planStart}
}

// goals is a plan's revenue goal for the year and its count of contracts
// for the first half.
func goals(revenue string, contracts int64) []customer.Goal {
	return []customer.Goal{
		{Name: goalRevenue, Metric: customer.MetricRevenue, Target: dec(revenue), Currency: crm.MustCurrency("CNY"), Due: planEnd},
		{Name: goalContracts, Metric: customer.MetricCount, Target: decimal.NewFromInt(contracts), Due: halfYear},
	}
}

var keyAccounts = []keyAccount{
	{"Pudong Retail Group", customer.Stable, customer.Growth, "replace the stores' air conditioning",
		team("km-wang", member("eng-liu", customer.RoleEngineer), member("svc-chen", customer.RoleService)), goals("2400000", 2)},
	{"North Star Dealers", customer.NotYetStable, customer.Evaluation, "win the regional fridge range",
		team("km-zhou", member("eng-liu", customer.RoleEngineer)), goals("1200000", 1)},
	{"East Bay Malls", customer.PushHard, customer.Established, "first mall-wide contract",
		team("km-wang", member("svc-chen", customer.RoleService), member("fin-sun", customer.RoleFinance)), goals("1600000", 1)},
	{"West Lake Hotels", customer.Stable, customer.Growth, "refit two hotels",
		team("km-zhou", member("eng-ma", customer.RoleEngineer)), goals("1000000", 1)},
}

// pipeline is the key-account sales process.
func pipeline() *opportunity.Pipeline {
	return &opportunity.Pipeline{
		Code: "key-accounts", Team: "ka",
		Stages: []opportunity.StageDef{
			{Code: "qualify", Probability: 0.1, StaleAfter: 14 * 24 * time.Hour},
			{Code: "solution", Probability: 0.3, Requires: []opportunity.Field{opportunity.FieldContact}},
			{Code: "proposal", Probability: 0.5, Category: opportunity.CategoryBestCase,
				Requires: []opportunity.Field{opportunity.FieldAmount, opportunity.FieldCloseDate}},
			{Code: "negotiation", Probability: 0.75, Category: opportunity.CategoryCommit,
				Requires: []opportunity.Field{opportunity.FieldDecisionMaker, opportunity.FieldApproval}},
		},
		MaxSkip: 1, AllowBack: true, WinFrom: "proposal",
		LostReasons: []string{"price", "timing", "product_fit", "no_budget"},
	}
}

func money(s string) crm.Money              { return crm.MustParseMoney(s) }
func dec(s string) decimal.Decimal          { return decimal.RequireFromString(s) }
func day(m time.Month, d int) calendar.Date { return calendar.Date{Year: 2026, Month: m, Day: d} }

// pricing prices by class and volume: stable accounts buy from their own
// list; 100 units earn 5%, 500 units 10%; discounts beyond 8% need the
// sales director.
func pricing() opportunity.PricingRules {
	return opportunity.PricingRules{
		Currency: crm.MustCurrency("CNY"),
		PriceLists: []opportunity.PriceList{
			{ID: "list-2026", Prices: []opportunity.ListPrice{{Code: "ac-3hp", Price: money("3200.00 CNY")}, {Code: "fridge-500", Price: money("2600.00 CNY")}}},
			{ID: "stable-2026", Class: customer.Stable, Prices: []opportunity.ListPrice{{Code: "ac-3hp", Price: money("3000.00 CNY")}, {Code: "fridge-500", Price: money("2450.00 CNY")}}},
		},
		Tiers: []opportunity.VolumeTier{
			{ID: "100+", Min: dec("100"), Max: dec("500"), Discount: dec("0.05")},
			{ID: "500+", Min: dec("500"), Discount: dec("0.10")},
		},
		ApprovalThreshold: dec("0.08"),
	}
}

// matureCare is the care an account gets when it becomes mature: a
// thank-you visit by its manager the next business day, and a service
// review with the account team two weeks of business days later.
func matureCare() customer.CarePlan {
	mature := func(offset int) customer.CareTrigger {
		return customer.CareTrigger{Kind: customer.TriggerEntered, Stage: customer.Mature, Offsets: []int{offset}}
	}
	return customer.CarePlan{Types: []customer.CareType{
		{Code: "thank_you_visit", Name: "Thank-you visit", Channel: customer.FaceToFace, Trigger: mature(1)},
		{Code: "service_review", Name: "Service review with the account team", Trigger: mature(10)},
	}}
}

// workWeek is the programme's business calendar: Monday to Friday, 9:00
// to 18:00 in Shanghai; New Year's Day and the Spring Festival week off.
func workWeek() (*calendar.Calendar, error) {
	hours := []calendar.Span{{Start: calendar.At(9, 0), End: calendar.At(18, 0)}}
	return calendar.New(calendar.Config{Name: "Haixin head office", TimeZone: "Asia/Shanghai",
		Week: calendar.Week{time.Monday: hours, time.Tuesday: hours, time.Wednesday: hours, time.Thursday: hours, time.Friday: hours},
		Holidays: []calendar.Date{day(time.January, 1),
			day(time.February, 16), day(time.February, 17), day(time.February, 18), day(time.February, 19), day(time.February, 20)},
	})
}

// wonSink hears of won deals after they commit.
type wonSink struct{ won []opportunity.WonEvent }

func (w *wonSink) Publish(_ context.Context, evs []crm.Event) error {
	for _, e := range evs {
		if d, ok := e.Data.(opportunity.WonEvent); ok {
			w.won = append(w.won, d)
		}
	}
	return nil
}

// programme holds the services and keeps the first error.
type programme struct {
	ctx      context.Context
	w        io.Writer
	clock    *crm.ManualClock
	cal      *calendar.Calendar
	accounts *customer.Service
	sales    *opportunity.Service
	ids      map[string]crm.ID // account name -> customer ID
	revenue  []float64         // each plan's revenue achieved at quarter end, from the review
	err      error
}

// do runs one step unless an earlier one failed.
func (p *programme) do(f func() error) {
	if p.err == nil {
		// A printf inside f that fails sets p.err; f's own nil must not
		// overwrite it.
		if err := f(); err != nil && p.err == nil {
			p.err = err
		}
	}
}

func (p *programme) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// by is a change by actor an hour after the previous one.
func (p *programme) by(actor crm.UserID, reason string) opportunity.Change {
	p.clock.Advance(time.Hour)
	return opportunity.Change{Actor: actor, Reason: reason}
}

// run is the whole programme; it writes a readable report to w.
func run(ctx context.Context, w io.Writer) error {
	clock := crm.NewManualClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	ids := crm.NewSequentialIDs(clock)
	b, err := backend.Open(ctx, "keyaccounts")
	if err != nil {
		return err
	}
	defer func() { _ = b.Close(context.WithoutCancel(ctx)) }()
	store := b.Store
	sink := &wonSink{}
	accounts, err := customer.NewService(store, &customer.Options{Clock: clock, IDs: ids})
	if err != nil {
		return err
	}
	sales, err := opportunity.NewService(store, &opportunity.Options{Clock: clock, IDs: ids, Events: sink, Outbox: store,
		Pipelines: []*opportunity.Pipeline{pipeline()}, Pricing: []opportunity.PricingRules{pricing()}})
	if err != nil {
		return err
	}
	cal, err := workWeek()
	if err != nil {
		return err
	}
	p := &programme{ctx: ctx, w: w, clock: clock, cal: cal, accounts: accounts, sales: sales, ids: map[string]crm.ID{}}
	p.setUp()
	deals := p.work()
	p.wonMovesToMature(sink)
	p.visits()
	p.quarterEnd(deals)
	return p.err
}

// setUp stores the key accounts with their class and relationship stage,
// draws up and activates each one's account plan, and prints the plans as
// the library stores them.
func (p *programme) setUp() {
	p.printf("1. Key accounts and their 2026 account plans\n")
	director := customer.Change{Actor: "ka-director", Reason: "key-account review"}
	for _, ka := range keyAccounts {
		p.do(func() error {
			c, err := p.accounts.Create(p.ctx, customer.NewInput{
				Tenant: tenant, Kind: customer.Organization, Name: ka.name, Roles: []customer.Role{customer.Dealer},
				Owner: ka.team[0].User, Stage: ka.stage,
			}, customer.Change{Actor: "ka-director"})
			if err != nil {
				return err
			}
			p.ids[ka.name] = c.ID()
			if c, err = p.accounts.Update(p.ctx, tenant, c.ID(), func(c *customer.Customer) error {
				ch := customer.Change{Actor: "ka-director", At: p.clock.Now(), Reason: "key-account review"}
				if err := c.SetKeyAccount(true, ch); err != nil {
					return err
				}
				return c.SetClass(ka.class, ch)
			}); err != nil {
				return err
			}
			pl, err := p.accounts.CreateAccountPlan(p.ctx, customer.AccountPlanInput{
				Tenant: tenant, Customer: c.ID(), Name: ka.plan, Start: planStart, End: planEnd, Team: ka.team, Goals: ka.goals,
			}, director)
			if err != nil {
				return err
			}
			if pl, err = p.accounts.ActivateAccountPlan(p.ctx, tenant, pl.ID(), director); err != nil {
				return err
			}
			p.printPlan(c, pl)
			return nil
		})
	}
}

// figure formats v as a figure of goal g: money rounded to the fen for a
// revenue goal, else the number (to two places when not whole).
func figure(g customer.Goal, v decimal.Decimal) string {
	if g.Metric == customer.MetricRevenue {
		if m, err := crm.NewMoney(v, g.Currency); err == nil {
			return m.Round(crm.RoundHalfEven).String()
		}
	}
	if v.IsInteger() {
		return v.String()
	}
	return v.StringFixed(2)
}

// printPlan prints a key account and its stored plan.
func (p *programme) printPlan(c *customer.Customer, pl *customer.AccountPlan) {
	lead, _ := pl.Lead()
	start, end := pl.Period()
	p.printf("   %-20s %-15s %-11s lead manager %s, plan %q %s %s to %s\n", c.Name(), c.Class(), c.Stage(),
		lead.User, pl.Name(), pl.Status(), start.Format(time.DateOnly), lastDay(end))
	for _, m := range pl.Team() {
		if !m.Lead {
			p.printf("   %-20s team member %s (%s)\n", "", m.User, m.Role)
		}
	}
	for _, g := range pl.Goals() {
		p.printf("   %-20s goal %s: %s by the end of %s\n", "", g.Name, figure(g, g.Target), lastDay(g.Due))
	}
}

// work opens and works five deals; it returns their IDs by name.
func (p *programme) work() map[string]crm.ID {
	p.printf("\n2. Deals\n")
	deals := map[string]crm.ID{}
	open := func(name, account string, owner crm.UserID, close calendar.Date) {
		p.do(func() error {
			o, err := p.sales.Open(p.ctx, opportunity.OpenInput{
				Tenant: tenant, Customer: p.ids[account], Pipeline: "key-accounts", Owner: owner, Name: name,
				Source: opportunity.Source{Kind: opportunity.FromExistingCustomer}, Segment: "key_account",
				Currency: crm.MustCurrency("CNY"), CloseDate: close,
			}, p.by(owner, ""))
			if err == nil {
				deals[name] = o.ID()
			}
			return err
		})
	}
	step := func(what string, f func() (*opportunity.Opportunity, error)) {
		p.do(func() error {
			o, err := f()
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			p.printf("   %-34s %-26s %-11s %s\n", what, o.Name(), o.Stage(), o.Amount())
			return nil
		})
	}
	contact := []opportunity.Contact{{Name: "Purchasing director", Role: opportunity.DecisionMaker}, {Name: "Facilities manager", Role: opportunity.User}}
	priced := func(name, code, qty string, actor crm.UserID) func() (*opportunity.Opportunity, error) {
		return func() (*opportunity.Opportunity, error) {
			o, err := p.sales.PriceLines(p.ctx, tenant, deals[name], opportunity.PriceRequest{Date: calendar.DateOf(p.clock.Now()),
				Lines: []opportunity.PriceLine{{Code: code, Quantity: dec(qty)}}}, p.by(actor, ""))
			if err != nil {
				return nil, err
			}
			for _, l := range o.Lines() {
				for _, a := range l.Adjustments {
					p.printf("   %-34s %s %s %s (%s)\n", "  rule applied", l.Code, a.Kind, a.Percent.StringFixed(2), a.Note)
				}
				p.printf("   %-34s %s net unit %s, needs approval %v\n", "  line", l.Code, l.UnitPrice(), l.NeedsApproval)
			}
			return o, nil
		}
	}
	move := func(name, to string, actor crm.UserID) func() (*opportunity.Opportunity, error) {
		return func() (*opportunity.Opportunity, error) {
			return p.sales.MoveStage(p.ctx, tenant, deals[name], to, p.by(actor, ""))
		}
	}
	contacts := func(name string, actor crm.UserID) func() (*opportunity.Opportunity, error) {
		return func() (*opportunity.Opportunity, error) {
			return p.sales.SetContacts(p.ctx, tenant, deals[name], contact, p.by(actor, ""))
		}
	}
	competitor := func(name, rival, offer string, st opportunity.CompetitorStatus, actor crm.UserID) func() (*opportunity.Opportunity, error) {
		return func() (*opportunity.Opportunity, error) {
			c := opportunity.Competitor{Name: rival, Status: st, Strengths: "local service network"}
			if offer != "" {
				c.Offer = money(offer)
			}
			return p.sales.SetCompetitor(p.ctx, tenant, deals[name], c, p.by(actor, ""))
		}
	}

	// Pudong: 600 units at the stable list, 10% off for volume: beyond 8%,
	// so the director approves before negotiation; won.
	open("Pudong stores AC refit", "Pudong Retail Group", "km-wang", day(time.March, 20))
	step("contacts", contacts("Pudong stores AC refit", "km-wang"))
	step("solution", move("Pudong stores AC refit", "solution", "km-wang"))
	step("priced: 600 x ac-3hp, stable list", priced("Pudong stores AC refit", "ac-3hp", "600", "km-wang"))
	step("competitor Gree", competitor("Pudong stores AC refit", "Gree", "1650000.00 CNY", opportunity.CompetitorActive, "km-wang"))
	step("proposal", move("Pudong stores AC refit", "proposal", "km-wang"))
	p.do(func() error {
		_, err := p.sales.MoveStage(p.ctx, tenant, deals["Pudong stores AC refit"], "negotiation", p.by("km-wang", ""))
		p.printf("   %-34s refused: %v\n", "negotiation before approval", err != nil)
		return nil
	})
	step("10% approved by the director", func() (*opportunity.Opportunity, error) {
		return p.sales.ApproveDiscount(p.ctx, tenant, deals["Pudong stores AC refit"], "ac-3hp", dec("0.10"), p.by("sales-director", "key account, 3-year framework"))
	})
	step("negotiation", move("Pudong stores AC refit", "negotiation", "km-wang"))
	step("won", func() (*opportunity.Opportunity, error) {
		return p.sales.CloseWon(p.ctx, tenant, deals["Pudong stores AC refit"], opportunity.WonDetails{ContractDate: calendar.DateOf(p.clock.Now()), Contract: "HX-KA-2026-001"}, p.by("km-wang", ""))
	})

	// North Star: 150 fridges at the general list, 5% for volume; Midea
	// undercuts; lost on price.
	open("North Star fridge range", "North Star Dealers", "km-zhou", day(time.March, 31))
	step("contacts", contacts("North Star fridge range", "km-zhou"))
	step("solution", move("North Star fridge range", "solution", "km-zhou"))
	step("priced: 150 x fridge-500, general", priced("North Star fridge range", "fridge-500", "150", "km-zhou"))
	step("competitor Midea", competitor("North Star fridge range", "Midea", "340000.00 CNY", opportunity.CompetitorLeading, "km-zhou"))
	step("proposal", move("North Star fridge range", "proposal", "km-zhou"))
	step("lost", func() (*opportunity.Opportunity, error) {
		return p.sales.CloseLost(p.ctx, tenant, deals["North Star fridge range"], opportunity.LostDetails{Reason: "price", Competitor: "Midea", Notes: "Midea 8% under us"}, p.by("km-zhou", ""))
	})

	// East Bay: 300 units, in proposal at quarter end.
	open("East Bay mall-wide AC", "East Bay Malls", "km-wang", day(time.March, 27))
	step("contacts", contacts("East Bay mall-wide AC", "km-wang"))
	step("solution", move("East Bay mall-wide AC", "solution", "km-wang"))
	step("priced: 300 x ac-3hp, general", priced("East Bay mall-wide AC", "ac-3hp", "300", "km-wang"))
	step("competitor Gree", competitor("East Bay mall-wide AC", "Gree", "", opportunity.CompetitorTrailing, "km-wang"))
	step("proposal", move("East Bay mall-wide AC", "proposal", "km-wang"))

	// West Lake: entered amount; the manager is surer than the stage.
	open("West Lake hotel refit", "West Lake Hotels", "km-zhou", day(time.March, 25))
	step("contacts", contacts("West Lake hotel refit", "km-zhou"))
	step("amount entered", func() (*opportunity.Opportunity, error) {
		return p.sales.SetAmount(p.ctx, tenant, deals["West Lake hotel refit"], money("240000.00 CNY"), p.by("km-zhou", ""))
	})
	step("solution", move("West Lake hotel refit", "solution", "km-zhou"))
	step("proposal", move("West Lake hotel refit", "proposal", "km-zhou"))
	step("probability 80%, letter of intent", func() (*opportunity.Opportunity, error) {
		return p.sales.OverrideProbability(p.ctx, tenant, deals["West Lake hotel refit"], 0.8, p.by("km-zhou", "signed letter of intent"))
	})

	// A second Pudong deal, just qualified.
	open("Pudong warehouse chillers", "Pudong Retail Group", "km-wang", day(time.March, 31))
	step("amount entered", func() (*opportunity.Opportunity, error) {
		return p.sales.SetAmount(p.ctx, tenant, deals["Pudong warehouse chillers"], money("120000.00 CNY"), p.by("km-wang", ""))
	})
	return deals
}

// wonMovesToMature is the host's handler of won events: a signed contract
// marks a mature relationship, and counts towards the goals of the
// account's active plan.
func (p *programme) wonMovesToMature(sink *wonSink) {
	p.printf("\n3. Won deals move their customers to mature and count towards their plans\n")
	bot := customer.Change{Actor: "crm-bot"}
	for _, w := range sink.won {
		p.do(func() error {
			c, err := p.accounts.MoveStage(p.ctx, tenant, w.Customer, customer.Mature, w.Contract, bot)
			if err != nil {
				return err
			}
			p.printf("   %s won %s (contract %s): %s is now %s\n", c.Name(), w.Amount, w.Contract, c.Name(), c.Stage())
			hist, err := p.history(c.ID())
			if err != nil {
				return err
			}
			care, err := customer.DueMoveCare(matureCare(), p.cal, c, hist, planStart, quarterEnd)
			if err != nil {
				return err
			}
			for _, a := range care {
				p.printf("   %-20s care due %s %s %-16s by %s: %s\n", "", a.Due, a.DueAt.Weekday().String()[:3], a.Type, a.Owner, a.Occasion)
			}
			plans, err := p.accounts.AccountPlans(p.ctx, tenant, customer.AccountPlanQuery{Customer: w.Customer, Status: customer.PlanActive}, crm.PageRequest{})
			if err != nil {
				return err
			}
			now := p.clock.Now()
			for _, pl := range plans.Items {
				if start, end := pl.Period(); now.Before(start) || !now.Before(end) {
					continue // an active plan for another period
				}
				for _, e := range []customer.Progress{
					{Goal: goalRevenue, Value: w.Amount.Amount(), Note: w.Contract},
					{Goal: goalContracts, Value: decimal.NewFromInt(1), Note: w.Contract},
				} {
					if pl, err = p.accounts.RecordPlanProgress(p.ctx, tenant, pl.ID(), e, bot); err != nil {
						return err
					}
				}
				for _, g := range pl.ProgressAt(p.clock.Now()) {
					p.printf("   %-20s plan goal %-16s now %s of %s\n", "", g.Goal.Name, figure(g.Goal, g.Achieved), figure(g.Goal, g.Goal.Target))
				}
			}
			return nil
		})
	}
}

// history reads every page of a customer's history.
func (p *programme) history(id crm.ID) ([]customer.HistoryEntry, error) {
	var out []customer.HistoryEntry
	page := crm.PageRequest{Limit: crm.MaxPageLimit}
	for {
		got, err := p.accounts.History(p.ctx, tenant, id, page)
		if err != nil {
			return nil, err
		}
		out = append(out, got.Items...)
		if got.Next == "" {
			return out, nil
		}
		page.Cursor = got.Next
	}
}

// visit is a contact the account team makes during the quarter.
type visit struct {
	account string
	at      time.Time
	by      crm.UserID
	channel customer.Channel
	summary string
}

// visits logs the account team's contacts through the quarter, which keep
// each customer's last contact.
func (p *programme) visits() {
	p.printf("\n4. Contacts through the quarter\n")
	sh := p.cal.Location()
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, sh) }
	for _, v := range []visit{
		{"Pudong Retail Group", at(time.January, 8, 10), "km-wang", customer.FaceToFace, "thank-you visit after the contract"},
		{"North Star Dealers", at(time.January, 9, 15), "km-zhou", customer.PhoneCall, "call after the lost fridge range"},
		{"Pudong Retail Group", at(time.January, 21, 14), "svc-chen", customer.FaceToFace, "service review with the account team"},
		{"West Lake Hotels", at(time.March, 10, 10), "eng-ma", customer.FaceToFace, "site survey of the two hotels"},
		{"Pudong Retail Group", at(time.March, 20, 9), "km-wang", customer.FaceToFace, "quarterly business review"},
		{"East Bay Malls", at(time.March, 25, 16), "km-wang", customer.FaceToFace, "proposal walk-through"},
	} {
		p.do(func() error {
			p.clock.Set(v.at)
			it, err := p.accounts.LogInteraction(p.ctx, tenant, p.ids[v.account], customer.InteractionInput{
				Channel: v.channel, Direction: customer.Outbound, Actor: v.by, Summary: v.summary,
			})
			if err != nil {
				return err
			}
			p.printf("   %s %-20s %-12s %-8s %s\n", it.At.In(sh).Format("2006-01-02 15:04"), v.account, it.Channel, it.Actor, it.Summary)
			return nil
		})
	}
}

// quarterEnd reviews the quarter.
func (p *programme) quarterEnd(deals map[string]crm.ID) {
	cny := crm.MustCurrency("CNY")
	all := opportunity.Query{}
	p.printf("\n5. Quarter end: pipeline by stage\n")
	p.do(func() error {
		rows, err := p.sales.Forecast(p.ctx, tenant, all, opportunity.ForecastOptions{Currency: cny, By: opportunity.ByStage})
		for _, r := range rows {
			p.printf("   %-12s %d deal(s) %16s weighted %16s\n", r.Key, r.Count, r.Amount, r.Weighted)
		}
		return err
	})
	p.printf("\n6. Win/loss\n")
	for _, by := range []opportunity.Dimension{opportunity.ByReason, opportunity.ByCompetitor} {
		p.do(func() error {
			rows, err := p.sales.WinLoss(p.ctx, tenant, all, by, cny)
			for _, r := range rows {
				p.printf("   by %-10s %-8s won %d lost %d win rate %3.0f%%\n", by, r.Key, r.Won, r.Lost, 100*r.WinRate)
			}
			return err
		})
	}
	p.printf("\n7. Forecast distribution of the open deals (quota 500000.00 CNY)\n")
	p.do(func() error {
		d, err := p.sales.Distribution(p.ctx, tenant, all, opportunity.DistributionOptions{Currency: cny, Quota: money("500000.00 CNY"), Seed: 1})
		if err != nil {
			return err
		}
		p.printf("   %d open deals, exact %v: mean %s, P10 %s, P50 %s, P90 %s\n", d.Deals, d.Exact, d.Mean, d.P10, d.P50, d.P90)
		p.printf("   chance of reaching the quota on open deals: %.1f%%\n", 100*d.QuotaProbability)
		for k, pk := range d.WinCounts {
			p.printf("   P(%d won) = %.3f\n", k, pk)
		}
		return nil
	})
	p.planReview()
	p.overdue()
	p.kpis()
}

// planReview prints, for every active plan, how long its account has been
// in its relationship stage and the plan's goals at the close of the
// quarter against the straight line from the plan's start to each goal's
// date.
func (p *programme) planReview() {
	p.printf("\n8. Key accounts at quarter end (%s): time in stage, plan goals against the straight line to their dates\n",
		lastDay(quarterEnd))
	p.do(func() error {
		var plans []*customer.AccountPlan
		for page := (crm.PageRequest{}); ; {
			got, err := p.accounts.AccountPlans(p.ctx, tenant, customer.AccountPlanQuery{Status: customer.PlanActive}, page)
			if err != nil {
				return err
			}
			plans = append(plans, got.Items...)
			if got.Next == "" {
				break
			}
			page.Cursor = got.Next
		}
		for _, pl := range plans {
			c, err := p.accounts.Get(p.ctx, tenant, pl.Customer())
			if err != nil {
				return err
			}
			lead, _ := pl.Lead()
			stages, err := p.accounts.StageTimes(p.ctx, tenant, c.ID(), quarterEnd, p.cal)
			if err != nil {
				return err
			}
			now := stages.Current()
			p.printf("   %s, lead manager %s: %s since %s, %d days (%.0f working hours)\n", c.Name(), lead.User, now.Stage,
				now.From.In(p.cal.Location()).Format(time.DateOnly), int(now.Duration.Hours()/24), now.Business.Hours())
			for _, g := range pl.ProgressAt(quarterEnd) {
				if g.Goal.Name == goalRevenue {
					p.revenue = append(p.revenue, g.Achieved.InexactFloat64())
				}
				state := "behind"
				switch {
				case g.Met:
					state = "met"
				case g.OnTrack:
					state = "on track"
				}
				p.printf("     %-16s %14s of %14s (%5.1f%%), line %14s: %s\n", g.Goal.Name,
					figure(g.Goal, g.Achieved), figure(g.Goal, g.Goal.Target), g.Percent, figure(g.Goal, g.Expected), state)
			}
		}
		return nil
	})
}

// overdue lists, per manager, the key accounts overdue for contact at the
// close of business on the quarter's last day in Shanghai, under the
// programme's rhythm: a key account is contacted every 10 business days.
func (p *programme) overdue() {
	closing := time.Date(2026, time.March, 31, 18, 0, 0, 0, p.cal.Location())
	p.printf("\n9. Key accounts overdue for contact at the close of %s (one contact every 10 business days)\n", closing.Format(time.DateOnly))
	key := true
	policy := &customer.CadencePolicy{Calendar: p.cal, Rules: []customer.CadenceRule{{Name: "key_accounts", KeyAccount: &key, Days: 10}}}
	p.do(func() error {
		owners, err := p.accounts.OverdueForContact(p.ctx, tenant, policy, closing, customer.OverdueQuery{})
		if err != nil {
			return err
		}
		for _, o := range owners {
			for _, c := range o.Contacts {
				p.printf("   %-8s %-20s last contact %s, due by %s, %d business days overdue\n", o.Owner, c.Customer.Name(),
					c.LastContact.In(p.cal.Location()).Format(time.DateOnly), c.DueAt.Format(time.DateOnly), c.DaysOverdue)
			}
		}
		return nil
	})
}

// kpis prints the ten key-account KPIs, from the deals, from the plans'
// revenue (the review's figures) and from the host's figures for the
// quarter (kept here as data).
func (p *programme) kpis() {
	p.printf("\n10. The ten key-account KPIs\n")
	cny := crm.MustCurrency("CNY")
	p.do(func() error {
		deals, err := p.sales.Deals(p.ctx, tenant, opportunity.Query{Statuses: []opportunity.Status{opportunity.Won}})
		if err != nil {
			return err
		}
		volume := crm.Zero(cny)
		for _, d := range deals {
			if volume, err = volume.Add(d.Amount); err != nil {
				return err
			}
		}
		v, _ := volume.Amount().Float64()
		const lastQuarter = 1_380_000.0
		growth, err := scoring.SalesGrowth(lastQuarter, v)
		if err != nil {
			return err
		}
		margin, err := scoring.ProfitMargin(0.18*v, v)
		if err != nil {
			return err
		}
		turnover, err := scoring.ReceivablesTurnover(v, 420_000)
		if err != nil {
			return err
		}
		days, err := scoring.CollectionDays(turnover, 90)
		if err != nil {
			return err
		}
		acc, err := opportunity.ForecastAccuracy(
			[]crm.Money{money("1500000.00 CNY"), money("300000.00 CNY")},
			[]crm.Money{volume, crm.Zero(cny)}, cny)
		if err != nil {
			return err
		}
		csat, err := scoring.CSAT([]int{5, 4, 4, 5, 3, 4, 5, 2}, &scoring.CSATScale{Min: 1, Max: 5, SatisfiedFrom: 4})
		if err != nil {
			return err
		}
		share, err := scoring.MarketShare(v, 9_200_000)
		if err != nil {
			return err
		}
		acq, err := scoring.AcquisitionRate(1, 4)
		if err != nil {
			return err
		}
		ret, err := scoring.RetentionRate(4, 4, 1)
		if err != nil {
			return err
		}
		ontime, err := scoring.OnTimeRate(46, 50)
		if err != nil {
			return err
		}
		top, err := scoring.TopShare(p.revenue, 0.25)
		if err != nil {
			return err
		}
		p.printf("   1 sales volume            %s (top 25%% of accounts bring %.0f%%)\n", volume, 100*top)
		p.printf("   2 profit margin           %.1f%%\n", 100*margin)
		p.printf("   3 receivables turnover    %.2f (collected in %.0f days)\n", turnover, days)
		p.printf("   4 sales growth            %+.1f%% on last quarter\n", 100*growth)
		p.printf("   5 forecast accuracy       WAPE %.1f%%, bias %+.0f\n", 100*acc.WAPE, acc.Bias)
		p.printf("   6 customer satisfaction   %.0f%% satisfied, mean %.2f of 5 (n=%d)\n", 100*csat.Satisfied, csat.Mean, csat.Responses)
		p.printf("   7 market share            %.1f%%\n", 100*share)
		p.printf("   8 new-account acquisition %.0f%%\n", 100*acq)
		p.printf("   9 retention               %.0f%%\n", 100*ret)
		p.printf("  10 on-time orders          %.0f%%\n", 100*ontime)
		return nil
	})
}
