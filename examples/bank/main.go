// Command bank runs the customer-manager system (客户经理制) of a bank
// branch, Jianghe Branch, through the second quarter of 2026: every
// customer manager owns a book; ABC analysis marks the top 20% of the
// branch's customers as key customers, and a key customer held by a junior
// manager moves to a senior one (对等配置); new leads are assigned by rules
// kept as data, key prospects to senior managers and walk-ins by fair
// weighted round-robin, each decision explained, and a lead a customer
// referred is recorded as that customer's referral; cross-sell
// opportunities on existing customers are forecast as a distribution with
// the chance of making the branch quota, and every key customer gets an
// account plan with a goal for the quarter; managers plan 7 new + 3 return
// visits a day and see the care due to their customers, with a welcome call
// owed two business days after a first visit; contacts are checked against
// a cadence per class; a departing manager's book and plans are handed over
// with the reason recorded in each customer's history; complaints are
// answered by the customer's manager and surveyed; and the quarter closes
// with the managers' scorecards (book, contact, sales, service), ranked, how
// long new prospects waited for a first visit, the key account plans
// against their goals, what the customers' referrals brought and the
// accuracy of the forecast made at its start. Everything it prints comes
// from the library: the host feeds it the branch's data and prints its
// records and results.
//
//	go run ./examples/bank
//
// With CRM_EXAMPLE_POSTGRES_DSN set it runs on a fresh PostgreSQL schema
// and prints the same report.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/examples/internal/backend"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/scoring"
)

const tenant crm.TenantID = "jianghe-branch"

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bank:", err)
		os.Exit(1)
	}
}

// The branch's customer managers; seniority 3 is a senior manager.
const (
	chen crm.UserID = "mgr.chen"
	lin  crm.UserID = "mgr.lin"
	zhao crm.UserID = "mgr.zhao"
	he   crm.UserID = "mgr.he"
	wu   crm.UserID = "mgr.wu"
)

// managers is the order the report lists managers in.
var managers = []crm.UserID{chen, lin, zhao, he, wu}

// rulesJSON are the branch's lead assignment rules as the host keeps them:
// the roster (juniors carry twice the walk-in load of seniors; Wu leaves
// the branch this quarter and takes no new leads), companies of 100
// employees or more for the senior corporate desk, every other lead for
// the whole branch, and key prospects for seniority 3 only (对等配置).
const rulesJSON = `{
  "people": [
    {"id": "mgr.chen", "seniority": 3, "weight": 1, "capacity": 20},
    {"id": "mgr.lin", "seniority": 3, "weight": 1, "capacity": 20},
    {"id": "mgr.zhao", "seniority": 1, "weight": 2, "capacity": 20},
    {"id": "mgr.he", "seniority": 1, "weight": 2, "capacity": 20},
    {"id": "mgr.wu", "seniority": 1, "weight": 1, "capacity": 20, "inactive": true}],
  "rules": [
    {"name": "corporate", "territory": {"min_size": 100}, "people": ["mgr.lin", "mgr.chen"], "min_seniority": 3},
    {"name": "branch", "people": ["mgr.zhao", "mgr.he", "mgr.chen", "mgr.lin", "mgr.wu"]}],
  "key_prospect_seniority": 3}`

// account is a customer of the branch with its annual contribution
// (deposit margin, loan interest and fees, in thousand CNY) from the
// bank's core system, and the day of its last contact as the contact log
// holds it in mid-May (visits of the 13 April day plan are logged apart).
type account struct {
	name         string
	kind         customer.Kind
	owner        crm.UserID
	contribution float64
	lastContact  string
}

// book is the branch's customers on 1 April.
var book = []account{
	{"Jianghe Port Logistics", customer.Organization, chen, 4000, "2026-05-12"},
	{"Huaxin Textiles", customer.Organization, zhao, 2500, "2026-04-24"},
	{"Gao Feng", customer.Person, wu, 1700, "2026-05-08"},
	{"Riverside Hospital", customer.Organization, lin, 400, "2026-04-10"},
	{"Qian Yu", customer.Person, zhao, 300, "2026-03-30"},
	{"Dongfang Bakery", customer.Organization, he, 250, "2026-04-28"},
	{"Sun Hao", customer.Person, wu, 200, "2026-04-02"},
	{"Zhou Lan", customer.Person, he, 160, "2026-05-06"},
	{"Li Ming", customer.Person, zhao, 100, "2026-02-02"},
	{"Wang Fang", customer.Person, he, 90, "2026-03-20"},
	{"Zhang Tao", customer.Person, wu, 80, "2026-01-26"},
	{"Liu Jie", customer.Person, lin, 70, "2026-04-01"},
	{"Xu Bo", customer.Person, zhao, 60, "2026-03-16"},
	{"Ma Li", customer.Person, he, 50, "2026-03-02"},
	{"Hu Jun", customer.Person, chen, 40, "2026-02-23"},
}

// juneContacts are the contacts of June, logged before the quarter closes.
var juneContacts = map[string]string{
	"Jianghe Port Logistics": "2026-06-24", "Huaxin Textiles": "2026-06-26", "Gao Feng": "2026-06-18",
	"Riverside Hospital": "2026-06-05", "Qian Yu": "2026-06-12", "Dongfang Bakery": "2026-06-29",
	"Sun Hao": "2026-06-10", "Li Ming": "2026-06-01", "Zhang Tao": "2026-06-15", "Hu Jun": "2026-06-22",
}

// prospects are potential customers the junior managers visit for the
// first time.
var prospects = []struct {
	name  string
	owner crm.UserID
	class customer.Class
}{
	{"Bai Lu", zhao, customer.PushHard}, {"Cao Yang", zhao, customer.PushHard}, {"Du Juan", zhao, customer.StrengthenContact},
	{"Fan Wei", zhao, customer.StrengthenContact}, {"Guo Jing", zhao, customer.GeneralContact}, {"Han Mei", zhao, customer.GeneralContact},
	{"Kong Liang", zhao, customer.GeneralContact},
	{"Lu Yao", he, customer.PushHard}, {"Meng Qi", he, customer.StrengthenContact}, {"Ning Xin", he, customer.GeneralContact},
	{"Pan Yue", he, customer.GeneralContact},
}

// calendarJSON is the branch's working calendar: weekdays 09:00-17:00,
// closed on Qingming, Labour Day and Dragon Boat Festival.
const calendarJSON = `{"name": "Jianghe branch", "time_zone": "Asia/Shanghai", "week": {
  "monday": ["09:00-17:00"], "tuesday": ["09:00-17:00"], "wednesday": ["09:00-17:00"],
  "thursday": ["09:00-17:00"], "friday": ["09:00-17:00"]},
  "holidays": ["2026-04-06", "2026-05-01", "2026-05-04", "2026-05-05", "2026-06-19"]}`

// branch holds the services, the calendar and the names the report needs.
type branch struct {
	ctx       context.Context
	w         io.Writer
	loc       *time.Location
	cal       *calendar.Calendar
	clock     *crm.ManualClock
	people    *customer.Service
	leads     *lead.Service
	sales     *opportunity.Service
	desk      *complaint.Service
	ids       map[string]crm.ID // customer name -> ID
	names     map[crm.ID]string
	value     map[crm.ID]float64 // annual contribution, thousand CNY
	deals     map[string]crm.ID  // deal name -> ID
	referrals map[string]crm.ID  // referred lead's name -> referral
	rules     lead.Rules         // lead assignment
	cadence   *customer.CadencePolicy
	opening   []opportunity.ForecastRow // the forecast by month on April 10
	dayPlans  map[crm.UserID][]customer.DayPlanCheck
	pending   []action // the schedule still to run
	err       error
}

func (b *branch) printf(format string, args ...any) {
	if b.err == nil {
		_, b.err = fmt.Fprintf(b.w, format, args...)
	}
}

func (b *branch) title(s string) { b.printf("\n%s\n", s) }

// at is an instant of 2026 in the branch's time zone.
func (b *branch) at(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, b.loc)
}

// by is a change by actor at the clock's time.
func (b *branch) by(actor crm.UserID, reason string) crm.Change {
	return crm.Change{Actor: actor, At: b.clock.Now(), Reason: reason}
}

func money(s string) crm.Money { return crm.MustParseMoney(s) }

var cny = crm.MustCurrency("CNY")

// run is the whole quarter; it writes the branch's report to w.
func run(ctx context.Context, w io.Writer) error {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	var cfg calendar.Config
	if err := json.Unmarshal([]byte(calendarJSON), &cfg); err != nil {
		return err
	}
	cal, err := calendar.New(cfg)
	if err != nil {
		return err
	}
	clock := crm.NewManualClock(time.Date(2026, 4, 1, 9, 0, 0, 0, loc))
	ids := crm.NewSequentialIDs(clock)
	bk, err := backend.Open(ctx, "bank")
	if err != nil {
		return err
	}
	defer func() { _ = bk.Close(context.WithoutCancel(ctx)) }()
	store := bk.Store
	var rules lead.Rules
	if err := json.Unmarshal([]byte(rulesJSON), &rules); err != nil {
		return err
	}
	router, err := lead.NewRouter(rules, nil)
	if err != nil {
		return err
	}
	b := &branch{ctx: ctx, w: w, loc: loc, cal: cal, clock: clock, rules: rules,
		ids: map[string]crm.ID{}, names: map[crm.ID]string{}, value: map[crm.ID]float64{}, deals: map[string]crm.ID{}, referrals: map[string]crm.ID{},
		cadence:  &customer.CadencePolicy{},
		dayPlans: map[crm.UserID][]customer.DayPlanCheck{}, pending: slices.Clone(schedule)}
	if err := json.Unmarshal([]byte(cadenceJSON), b.cadence); err != nil {
		return err
	}
	if b.people, err = customer.NewService(store, &customer.Options{Clock: clock, IDs: ids, Outbox: store}); err != nil {
		return err
	}
	if b.leads, err = lead.NewService(store, &lead.Options{Clock: clock, IDs: ids, Outbox: store, Router: router}); err != nil {
		return err
	}
	if b.sales, err = opportunity.NewService(store, &opportunity.Options{Clock: clock, IDs: ids, Outbox: store,
		Pipelines: []*opportunity.Pipeline{crossSell()}}); err != nil {
		return err
	}
	if b.desk, err = complaint.NewService(store, &complaint.Options{Clock: clock, IDs: ids, Outbox: store}); err != nil {
		return err
	}
	b.printf("Jianghe Branch, customer managers' report, Q2 2026\n")
	for _, step := range []func() error{b.books, b.abc, b.assignLeads, b.crossSell, b.dayPlan, b.cadenceCheck,
		b.handOver, b.closeQuarter} {
		if b.err != nil {
			break
		}
		if err := step(); err != nil {
			return err
		}
	}
	return b.err
}

// books stores the customers and the prospects with their managers, then
// prints every book.
func (b *branch) books() error {
	b.title("1. The managers' books (1 April)")
	for _, a := range book {
		c, err := b.people.Create(b.ctx, customer.NewInput{Tenant: tenant, Kind: a.kind, Name: a.name,
			Roles: []customer.Role{customer.EndCustomer}, Owner: a.owner, TimeZone: "Asia/Shanghai",
			Stage: customer.Mature, Loyalty: customer.Transaction}, b.by("branch.director", ""))
		if err != nil {
			return err
		}
		b.ids[a.name], b.names[c.ID()], b.value[c.ID()] = c.ID(), a.name, a.contribution
	}
	for _, p := range prospects {
		c, err := b.people.Create(b.ctx, customer.NewInput{Tenant: tenant, Kind: customer.Person, Name: p.name,
			Roles: []customer.Role{customer.EndCustomer}, Owner: p.owner, TimeZone: "Asia/Shanghai"}, b.by("branch.director", ""))
		if err != nil {
			return err
		}
		if _, err := b.people.Update(b.ctx, tenant, c.ID(), func(c *customer.Customer) error {
			return c.SetClass(p.class, b.by(p.owner, "first call"))
		}); err != nil {
			return err
		}
		b.ids[p.name], b.names[c.ID()] = c.ID(), p.name
	}
	b.printf("   %-10s %9s %10s  customers (annual contribution, thousand CNY)\n", "manager", "customers", "value")
	for _, m := range managers {
		cs, err := b.list(customer.Query{Owner: m, Stage: customer.Mature})
		if err != nil {
			return err
		}
		var total float64
		var names []string
		for _, c := range cs {
			total += b.value[c.ID()]
			names = append(names, fmt.Sprintf("%s %.0f", c.Name(), b.value[c.ID()]))
		}
		b.printf("   %-10s %9d %10.0f  %s\n", m, len(cs), total, strings.Join(names, ", "))
	}
	return nil
}

// list returns every customer matching q, in the store's order.
func (b *branch) list(q customer.Query) ([]*customer.Customer, error) {
	var out []*customer.Customer
	page := crm.PageRequest{}
	for {
		p, err := b.people.List(b.ctx, tenant, q, page)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out, nil
		}
		page.Cursor = p.Next
	}
}

// abc classifies the branch's customers by contribution, marks class A as
// key customers and hands a key customer held by a junior manager to a
// senior one (对等配置).
func (b *branch) abc() error {
	b.title("2. ABC analysis: the key customers")
	values := make([]float64, len(book))
	for i, a := range book {
		values[i] = a.contribution
	}
	res, err := scoring.ClassifyABC(values, nil)
	if err != nil {
		return err
	}
	top, err := scoring.TopShare(values, 0.2)
	if err != nil {
		return err
	}
	b.printf("   class A: %d customers (%.0f%% of %d) bring %.1f%% of the contribution; the top 20%% bring %.1f%%\n",
		res.Count[0], 100*float64(res.Count[0])/float64(len(values)), len(values), 100*res.Share[0], 100*top)
	b.printf("   class B: %d customers, %.1f%%; class C: %d customers, %.1f%%\n", res.Count[1], 100*res.Share[1], res.Count[2], 100*res.Share[2])
	seniority := map[crm.UserID]int{}
	for _, p := range b.rules.People {
		seniority[p.ID] = p.Seniority
	}
	for i, a := range book {
		cl := res.Classes[i]
		id := b.ids[a.name]
		c, err := b.people.Update(b.ctx, tenant, id, func(c *customer.Customer) error {
			if err := c.AddTag("abc-" + strings.ToLower(cl.String())); err != nil {
				return err
			}
			class := customer.Stable // A and B: the relationship is stable
			if cl == scoring.ClassC {
				class = customer.NotYetStable
			}
			if err := c.SetClass(class, b.by("branch.director", "ABC class "+cl.String()+", Q2 review")); err != nil {
				return err
			}
			if cl != scoring.ClassA {
				return nil
			}
			return c.SetKeyAccount(true, b.by("branch.director", "ABC class A, Q2 review"))
		})
		if err != nil {
			return err
		}
		if cl != scoring.ClassA {
			continue
		}
		b.printf("   key customer %-22s %6.0f  manager %-9s (seniority %d)\n", c.Name(), a.contribution, c.Owner(), seniority[c.Owner()])
		if seniority[c.Owner()] >= 3 {
			continue
		}
		if c.Owner() == wu {
			b.printf("     -> stays with %s until his book is handed over when he leaves in May\n", wu)
			continue
		}
		c, err = b.people.AssignOwner(b.ctx, tenant, id, lin, b.by("branch.director", "key customer needs a senior manager (对等配置)"))
		if err != nil {
			return err
		}
		b.printf("     -> handed to %s: key customer needs a senior manager (对等配置)\n", c.Owner())
	}
	return nil
}

// assignLeads captures the week's leads; the router assigns them and
// explains why.
func (b *branch) assignLeads() error {
	b.title("3. New leads, assigned by rules (key prospects to seniors, walk-ins by weighted round-robin)")
	b.clock.Set(b.at(time.April, 7, 9, 0))
	type capture struct {
		name, company, phone string
		size                 int
		key                  bool
		ch                   customer.Channel
		src                  lead.SourceKind
		topic                string
		referrer             string // the customer who referred the lead
	}
	for _, r := range b.rules.Rules {
		covers := "every other lead"
		if r.Territory.MinSize > 0 {
			covers = fmt.Sprintf("companies of %d+ employees", r.Territory.MinSize)
		}
		b.printf("   rule %-9s %-26s -> %s (seniority %d+)\n", r.Name, covers, strings.Join(userIDs(r.People), ", "), r.MinSeniority)
	}
	b.printf("   key prospects need seniority %d+ under every rule\n", b.rules.KeyProspectSeniority)
	var explained lead.Decision
	tally := map[crm.UserID]int{}
	for _, c := range []capture{
		{"Wu Xiaoling", "", "13910000001", 0, false, customer.FaceToFace, lead.SourceOther, "savings", ""},
		{"Peng Hui", "", "13910000002", 0, false, customer.PhoneCall, lead.SourcePhone, "mortgage", ""},
		{"Tang Wei", "", "13910000003", 0, false, customer.Web, lead.SourceWebForm, "credit card", ""},
		{"Yangtze Auto Parts", "Yangtze Auto Parts", "13910000004", 800, true, customer.PhoneCall, lead.SourceReferral, "cash management", "Jianghe Port Logistics"},
		{"Fang Qi", "", "13910000005", 0, false, customer.Web, lead.SourceWebForm, "wealth", ""},
		{"Deng Yong", "", "13910000006", 0, true, customer.FaceToFace, lead.SourceReferral, "private banking", "Gao Feng"},
		{"Cao Lei", "", "13910000007", 0, false, customer.FaceToFace, lead.SourceEvent, "pension", ""},
		{"Jiang Min", "", "13910000008", 0, false, customer.PhoneCall, lead.SourcePhone, "mortgage", ""},
	} {
		b.clock.Advance(time.Hour)
		kind := customer.Person
		if c.company != "" {
			kind = customer.Organization
		}
		res, err := b.leads.Capture(b.ctx, lead.NewInput{Tenant: tenant, Kind: kind, Name: c.name, Company: c.company, CompanySize: c.size,
			Phones: []string{c.phone}, DefaultRegion: "CN", KeyProspect: c.key, Channel: c.ch, Source: lead.Source{Kind: c.src, Referrer: b.ids[c.referrer]},
			Topics: []string{c.topic}}, b.by("branch.reception", ""))
		if err != nil {
			return err
		}
		d := res.Decision
		key := ""
		if c.key {
			key = "key prospect"
		}
		line := fmt.Sprintf("%-19s %-16s %-12s -> %-9s rule %-9s", c.name, c.topic, key, d.Owner, d.Rule)
		if c.referrer != "" {
			// The referral is the referrer's record: what its customers
			// bring the branch.
			r, err := b.people.Refer(b.ctx, customer.ReferralInput{Tenant: tenant, Referrer: b.ids[c.referrer], TargetKind: customer.TargetLead,
				Target: res.Lead.ID(), Channel: "word_of_mouth"}, b.by("branch.reception", ""))
			if err != nil {
				return err
			}
			b.referrals[c.name] = r.ID()
			line += " referred by " + c.referrer
		}
		b.printf("   %s\n", strings.TrimRight(line, " "))
		if c.name == "Deng Yong" {
			explained = d
		}
		if !c.key {
			tally[d.Owner]++
		}
	}
	b.printf("   why Deng Yong went to %s: %s\n", explained.Owner, explained.Why)
	for _, t := range explained.Tried {
		for _, c := range t.Candidates {
			status := "eligible"
			if !c.Eligible {
				status = "excluded: " + c.Excluded.String()
			}
			b.printf("     %-9s %-21s weight %d credit %3d\n", c.Person, status, c.Weight, c.Credit)
		}
	}
	var parts []string
	for _, p := range b.rules.People {
		if p.Inactive {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d (weight %d)", p.ID, tally[p.ID], p.Weight))
	}
	b.printf("   walk-in leads by manager: %s\n", strings.Join(parts, ", "))
	return nil
}

// userIDs returns the IDs as strings.
func userIDs(ids []crm.UserID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// crossSell is the branch's cross-sell process for existing customers.
func crossSell() *opportunity.Pipeline {
	return &opportunity.Pipeline{
		Code: "cross-sell",
		Stages: []opportunity.StageDef{
			{Code: "needs", Probability: 0.2},
			{Code: "proposal", Probability: 0.5, Category: opportunity.CategoryBestCase, Requires: []opportunity.Field{opportunity.FieldAmount}},
			{Code: "application", Probability: 0.8, Category: opportunity.CategoryCommit},
		},
		MaxSkip: 2, AllowBack: true, WinFrom: "proposal",
		LostReasons: []string{"rate", "timing", "competitor_bank", "no_need"},
	}
}

// deal is a cross-sell opportunity: the product, the customer, the fee and
// margin income expected this quarter, the stage on 10 April and the
// expected close date.
type deal struct {
	name, customer, amount, stage, close string
}

var deals = []deal{
	{"cash management and FX hedging", "Jianghe Port Logistics", "300000.00 CNY", "proposal", "2026-05-29"},
	{"trade finance line", "Huaxin Textiles", "200000.00 CNY", "needs", "2026-06-26"},
	{"wealth management mandate", "Gao Feng", "150000.00 CNY", "proposal", "2026-06-30"},
	{"payroll service", "Riverside Hospital", "80000.00 CNY", "application", "2026-04-30"},
	{"mortgage", "Qian Yu", "60000.00 CNY", "application", "2026-05-15"},
	{"POS acquiring", "Dongfang Bakery", "40000.00 CNY", "needs", "2026-06-12"},
	{"credit card and insurance", "Sun Hao", "20000.00 CNY", "needs", "2026-06-30"},
}

// crossSell opens the quarter's cross-sell deals and forecasts them.
func (b *branch) crossSell() error {
	b.title("4. Cross-sell opportunities on existing customers (10 April)")
	b.clock.Set(b.at(time.April, 10, 10, 0))
	for _, d := range deals {
		id := b.ids[d.customer]
		c, err := b.people.Get(b.ctx, tenant, id)
		if err != nil {
			return err
		}
		closeDate, err := calendar.ParseDate(d.close)
		if err != nil {
			return err
		}
		o, err := b.sales.Open(b.ctx, opportunity.OpenInput{Tenant: tenant, Customer: id, Pipeline: "cross-sell", Owner: c.Owner(),
			Name: d.name, Source: opportunity.Source{Kind: opportunity.FromExistingCustomer}, Currency: cny,
			Amount: money(d.amount), CloseDate: closeDate, Stage: d.stage}, b.by(c.Owner(), ""))
		if err != nil {
			return err
		}
		b.deals[d.name] = o.ID()
		b.printf("   %-22s %-31s %-9s %-12s %4.0f%% close %s\n", d.customer, d.name, o.Owner(), o.Amount(), 100*o.Probability(), d.close)
	}
	if err := b.accountPlans(); err != nil {
		return err
	}
	open := opportunity.Query{Statuses: []opportunity.Status{opportunity.Open}}
	rows, err := b.sales.Forecast(b.ctx, tenant, open, opportunity.ForecastOptions{Currency: cny, By: opportunity.ByPeriod, Period: opportunity.Month})
	if err != nil {
		return err
	}
	b.opening = rows
	b.printf("   weighted forecast by month of close:\n")
	for _, r := range rows {
		b.printf("     %-8s %d deal(s) %14s weighted %14s\n", r.Key, r.Count, r.Amount, r.Weighted)
	}
	d, err := b.sales.Distribution(b.ctx, tenant, open, opportunity.DistributionOptions{Currency: cny, Quota: money("500000.00 CNY"), Seed: 7})
	if err != nil {
		return err
	}
	b.printf("   distribution of the quarter's cross-sell income (%d deals, exact %v):\n", d.Deals, d.Exact)
	b.printf("     mean %s, P10 %s, P50 %s, P90 %s\n", d.Mean, d.P10, d.P50, d.P90)
	b.printf("     chance of reaching the branch quota of 500000.00 CNY: %.1f%%\n", 100*d.QuotaProbability)
	return nil
}

// dayPlan plans Monday 13 April for the two junior managers against the
// 7 new + 3 return target, works the day, and lists the care due that week.
func (b *branch) dayPlan() error {
	b.title("5. Day plans, Monday 13 April (target 7 new + 3 return visits)")
	target := customer.DayTarget{New: 7, Return: 3}
	type plan struct {
		who      crm.UserID
		customer string
		kind     customer.VisitKind
		hour     int
		minute   int
		minutes  int
		purpose  string
	}
	b.clock.Set(b.at(time.April, 10, 17, 0))
	visits := []plan{
		{zhao, "Bai Lu", customer.NewVisit, 9, 0, 40, "introduce payroll card"},
		{zhao, "Cao Yang", customer.NewVisit, 9, 45, 40, "savings plan"},
		{zhao, "Du Juan", customer.NewVisit, 10, 30, 40, "mortgage pre-approval"},
		{zhao, "Fan Wei", customer.NewVisit, 11, 15, 40, "credit card"},
		{zhao, "Guo Jing", customer.NewVisit, 13, 30, 40, "children's education fund"},
		{zhao, "Han Mei", customer.NewVisit, 14, 15, 40, "pension account"},
		{zhao, "Kong Liang", customer.NewVisit, 15, 0, 40, "small-business loan"},
		{zhao, "Qian Yu", customer.ReturnVisit, 15, 45, 30, "mortgage documents"},
		{zhao, "Li Ming", customer.ReturnVisit, 16, 20, 20, "fixed deposit maturing"},
		{zhao, "Xu Bo", customer.ReturnVisit, 16, 45, 15, "update contact details"},
		{he, "Lu Yao", customer.NewVisit, 9, 0, 60, "business account"},
		{he, "Meng Qi", customer.NewVisit, 9, 30, 40, "wealth products"},
		{he, "Ning Xin", customer.NewVisit, 11, 0, 40, "credit card"},
		{he, "Pan Yue", customer.NewVisit, 14, 0, 40, "savings plan"},
		{he, "Dongfang Bakery", customer.ReturnVisit, 15, 0, 45, "POS terminals"},
		{he, "Zhou Lan", customer.ReturnVisit, 16, 0, 30, "insurance review"},
		{he, "Ma Li", customer.ReturnVisit, 16, 40, 20, "card renewal"},
	}
	planned := map[string]crm.ID{}
	for _, v := range visits {
		got, err := b.people.PlanVisit(b.ctx, customer.Visit{Tenant: tenant, CustomerID: b.ids[v.customer], Salesperson: v.who,
			Kind: v.kind, Purpose: v.purpose, Method: customer.FaceToFace, PlannedAt: b.at(time.April, 13, v.hour, v.minute), Duration: time.Duration(v.minutes) * time.Minute})
		if err != nil {
			return err
		}
		planned[v.customer] = got.ID
	}
	d := customer.Date{Year: 2026, Month: time.April, Day: 13}
	check := func(when string) error {
		for _, m := range []crm.UserID{zhao, he} {
			c, err := b.people.CheckDay(b.ctx, tenant, m, d, b.loc, target)
			if err != nil {
				return err
			}
			var overlaps []string
			for _, o := range c.Overlaps {
				overlaps = append(overlaps, visitName(planned, o[0])+" / "+visitName(planned, o[1]))
			}
			line := fmt.Sprintf("plan %d new + %d return: meets the target", c.PlannedNew, c.PlannedReturn)
			if !c.Met {
				line = fmt.Sprintf("plan %d new + %d return: %d new, %d return short", c.PlannedNew, c.PlannedReturn, c.MissingNew, c.MissingReturn)
			}
			if when == "evening" {
				line = fmt.Sprintf("done %d new + %d return, %d cancelled: target achieved %v", c.DoneNew, c.DoneReturn, c.Cancelled, c.Achieved)
			}
			if len(overlaps) > 0 {
				line += "; overlapping: " + strings.Join(overlaps, ", ")
			}
			b.printf("   %-8s %-9s %s\n", when, m, line)
			if when == "evening" {
				b.dayPlans[m] = append(b.dayPlans[m], c)
			}
		}
		return nil
	}
	if err := check("morning"); err != nil {
		return err
	}
	// The day: Kong Liang postpones; the rest happens. Each visit is also a
	// contact in the customer's record.
	for _, v := range visits {
		b.clock.Set(b.at(time.April, 13, v.hour, v.minute).Add(time.Duration(v.minutes) * time.Minute))
		if v.customer == "Kong Liang" {
			if _, err := b.people.CancelVisit(b.ctx, tenant, planned[v.customer], "customer postponed to next week"); err != nil {
				return err
			}
			continue
		}
		if _, err := b.people.CompleteVisit(b.ctx, tenant, planned[v.customer], "done: "+v.purpose); err != nil {
			return err
		}
		if _, err := b.people.LogInteraction(b.ctx, tenant, b.ids[v.customer], customer.InteractionInput{Channel: customer.FaceToFace,
			Direction: customer.Outbound, Actor: v.who, Summary: v.purpose}); err != nil {
			return err
		}
		if v.kind == customer.NewVisit {
			// The first visit opens the relationship (建立期).
			if _, err := b.people.MoveStage(b.ctx, tenant, b.ids[v.customer], customer.Established, "", b.by(v.who, "first visit")); err != nil {
				return err
			}
		}
	}
	if err := check("evening"); err != nil {
		return err
	}
	var opened []string
	for _, m := range []crm.UserID{zhao, he} {
		est, err := b.list(customer.Query{Owner: m, Stage: customer.Established})
		if err != nil {
			return err
		}
		opened = append(opened, fmt.Sprintf("%s %d", m, len(est)))
	}
	b.printf("   prospects met for the first time, now in the established stage: %s\n", strings.Join(opened, ", "))
	return b.care()
}

// visitName names a planned visit by its customer.
func visitName(planned map[string]crm.ID, id crm.ID) string {
	for name, vid := range planned {
		if vid == id {
			return name
		}
	}
	return id.String()
}

// carePlan is the branch's care, kept as data: a personal birthday call,
// the anniversaries of opening the first account, and a follow-up call a
// week and a month after a new product.
var carePlan = customer.CarePlan{Types: []customer.CareType{
	{Code: "birthday", Name: "Birthday call", Trigger: customer.CareTrigger{Kind: customer.TriggerAnnual, DateKey: "birthday"}, LeadDays: 2, Channel: customer.PhoneCall},
	{Code: "account-anniversary", Name: "Account anniversary", Trigger: customer.CareTrigger{Kind: customer.TriggerAnniversary, DateKey: "account_opened", Milestones: []int{1, 5, 10, 20}}},
	{Code: "after-product", Name: "New product follow-up", Trigger: customer.CareTrigger{Kind: customer.TriggerAfter, DateKey: "product", Offsets: []int{7, 30}}},
	{Code: "welcome", Name: "Welcome call", Trigger: customer.CareTrigger{Kind: customer.TriggerEntered, Stage: customer.Established, Offsets: []int{2}}, Channel: customer.PhoneCall},
}}

// careDates are the dates the care plan reads, as the core system knows
// them.
var careDates = []struct{ customer, key, date string }{
	{"Qian Yu", "birthday", "1988-04-15"},
	{"Zhou Lan", "birthday", "--04-19"},
	{"Li Ming", "account_opened", "2021-04-16"},
	{"Jianghe Port Logistics", "account_opened", "2006-04-14"},
	{"Dongfang Bakery", "product", "2026-04-08"},
	{"Hu Jun", "product", "2026-03-17"},
	{"Wang Fang", "birthday", "1975-05-02"},
}

// care lists the care due in the week of 13 April: the dated care of
// every customer, and the welcome call owed to each new customer two
// business days after its first visit opened the relationship.
func (b *branch) care() error {
	b.title("   Care due in the week of 13 April")
	for _, d := range careDates {
		date, err := customer.ParseDate(d.date)
		if err != nil {
			return err
		}
		if _, err := b.people.Update(b.ctx, tenant, b.ids[d.customer], func(c *customer.Customer) error {
			return c.SetDate(d.key, date)
		}); err != nil {
			return err
		}
	}
	from, to := b.at(time.April, 13, 0, 0), b.at(time.April, 20, 0, 0)
	actions, err := b.people.DueCare(b.ctx, tenant, carePlan, customer.Query{}, from, to)
	if err != nil {
		return err
	}
	for _, a := range actions {
		line := fmt.Sprintf("%s %-9s %-22s %-34s", a.DueAt.In(b.loc).Format("Mon 01-02"), a.Owner, b.names[a.CustomerID], a.Occasion)
		if !a.RemindAt.Equal(a.DueAt) {
			line += " remind " + a.RemindAt.In(b.loc).Format("01-02")
		}
		b.printf("   %s\n", strings.TrimRight(line, " "))
	}
	opened, err := b.list(customer.Query{Stage: customer.Established})
	if err != nil {
		return err
	}
	var welcome []customer.CareAction
	for _, c := range opened {
		h, err := b.history(c.ID())
		if err != nil {
			return err
		}
		due, err := customer.DueMoveCare(carePlan, b.cal, c, h, from, to)
		if err != nil {
			return err
		}
		welcome = append(welcome, due...)
	}
	slices.SortFunc(welcome, customer.CompareCareActions)
	// One line per day and manager, in the order the care falls due.
	type slot struct {
		day   time.Time
		owner crm.UserID
	}
	var slots []slot
	names := map[slot][]string{}
	for _, a := range welcome {
		k := slot{a.DueAt, a.Owner}
		if names[k] == nil {
			slots = append(slots, k)
		}
		names[k] = append(names[k], b.names[a.CustomerID])
	}
	b.printf("   welcome calls, 2 business days after the first visit opened the relationship:\n")
	for _, k := range slots {
		b.printf("   %s %-9s %s\n", k.day.In(b.loc).Format("Mon 01-02"), k.owner, strings.Join(names[k], ", "))
	}
	return nil
}

// history returns every entry of a customer's history, oldest first.
func (b *branch) history(id crm.ID) ([]customer.HistoryEntry, error) {
	var out []customer.HistoryEntry
	page := crm.PageRequest{}
	for {
		p, err := b.people.History(b.ctx, tenant, id, page)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out, nil
		}
		page.Cursor = p.Next
	}
}

// action is a change to a deal or a customer at a set time.
type action struct {
	at string // yyyy-mm-dd hh:mm, branch time
	do func(b *branch) (string, error)
}

// schedule is what happens to the deals and customers during the
// quarter, in time order.
var schedule = []action{
	{"2026-04-20 16:00", func(b *branch) (string, error) {
		o, err := b.sales.SetCompetitor(b.ctx, tenant, b.deals["payroll service"], opportunity.Competitor{Name: "City Commercial Bank",
			Offer: money("65000.00 CNY"), Strengths: "lower fee per payslip", Status: opportunity.CompetitorLeading}, b.by(lin, ""))
		return describe(o, "City Commercial Bank offers 65000.00 CNY"), err
	}},
	{"2026-04-28 11:00", func(b *branch) (string, error) {
		o, err := b.sales.CloseLost(b.ctx, tenant, b.deals["payroll service"], opportunity.LostDetails{Reason: "competitor_bank",
			Competitor: "City Commercial Bank", Notes: "hospital board chose the lower fee"}, b.by(lin, ""))
		return describe(o, "lost to City Commercial Bank"), err
	}},
	{"2026-05-14 15:00", func(b *branch) (string, error) {
		return b.closeWon("mortgage", calendar.Date{Year: 2026, Month: 5, Day: 14}, "JH-ML-2026-0514", zhao)
	}},
	{"2026-05-20 10:00", complain("Qian Yu", customer.PhoneCall, "loan_processing", "The mortgage valuation took three weeks; nobody called me back.",
		complaint.Apology, "Apologised; valuation now chased by the manager every three days", 2*time.Hour, 4)},
	{"2026-05-28 16:00", func(b *branch) (string, error) {
		return b.closeWon("cash management and FX hedging", calendar.Date{Year: 2026, Month: 5, Day: 28}, "JH-CM-2026-0528", chen)
	}},
	{"2026-06-03 11:00", complain("Dongfang Bakery", customer.FaceToFace, "fees", "The POS terminal fee was charged twice in May.",
		complaint.Refund, "Double charge refunded", 26*time.Hour, 2)},
	{"2026-06-08 10:00", func(b *branch) (string, error) {
		o, err := b.sales.MoveStage(b.ctx, tenant, b.deals["trade finance line"], "proposal", b.by(lin, ""))
		return describe(o, "moved to proposal"), err
	}},
	{"2026-06-10 10:00", func(b *branch) (string, error) {
		o, err := b.sales.MoveStage(b.ctx, tenant, b.deals["POS acquiring"], "proposal", b.by(he, ""))
		return describe(o, "moved to proposal"), err
	}},
	{"2026-06-15 14:00", complain("Zhou Lan", customer.CallCentre, "service_attitude", "The counter clerk was impatient with my mother.",
		complaint.Apology, "Manager apologised in person; clerk coached", 3*time.Hour, 5)},
	{"2026-06-16 11:00", func(b *branch) (string, error) {
		_, err := b.people.ConvertReferral(b.ctx, tenant, b.referrals["Deng Yong"], money("80000.00 CNY"), b.by(chen, "private banking account opened"))
		return "Deng Yong opens a private banking account: Gao Feng's referral converted, 80000.00 CNY a year", err
	}},
	{"2026-06-22 09:30", func(b *branch) (string, error) {
		c, err := b.people.MoveLifecycle(b.ctx, tenant, b.ids["Liu Jie"], customer.Churned, b.by(lin, "moved her savings to another bank"))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s is %s: moved her savings to another bank", c.Name(), c.Lifecycle()), nil
	}},
	{"2026-06-24 10:00", func(b *branch) (string, error) {
		_, err := b.people.LoseReferral(b.ctx, tenant, b.referrals["Yangtze Auto Parts"], b.by(lin, "stays with its house bank"))
		return "Yangtze Auto Parts stays with its house bank: Jianghe Port Logistics' referral lost", err
	}},
	{"2026-06-25 15:00", func(b *branch) (string, error) {
		return b.closeWon("trade finance line", calendar.Date{Year: 2026, Month: 6, Day: 25}, "JH-TF-2026-0625", lin)
	}},
	{"2026-06-29 10:00", func(b *branch) (string, error) {
		o, err := b.sales.SetCloseDate(b.ctx, tenant, b.deals["wealth management mandate"], calendar.Date{Year: 2026, Month: 7, Day: 15}, b.by(chen, "customer abroad until July"))
		if err != nil {
			return "", err
		}
		return describe(o, "close date slips to "+o.CloseDate().String()), nil
	}},
}

// complain is a complaint of a customer, received by the customer's
// manager, handled to the end within took, closed and surveyed; the
// manager's answer is a contact with the customer.
func complain(name string, ch customer.Channel, category, what string, remedy complaint.Remedy, summary string, took time.Duration, csat int) func(b *branch) (string, error) {
	return func(b *branch) (string, error) {
		cu, err := b.people.Get(b.ctx, tenant, b.ids[name])
		if err != nil {
			return "", err
		}
		m := cu.Owner()
		c, err := b.desk.Receive(b.ctx, complaint.ReceiveInput{Tenant: tenant, Customer: cu.ID(), Channel: ch, Category: category,
			Description: what, Owner: m}, b.by(m, ""))
		if err != nil {
			return "", err
		}
		res := complaint.Resolution{Remedy: remedy, Summary: summary}
		if remedy == complaint.Refund {
			res.Compensation = money("180.00 CNY")
		}
		start := b.clock.Now()
		for i, step := range []func(crm.Change) (*complaint.Complaint, error){
			func(ch crm.Change) (*complaint.Complaint, error) {
				return b.desk.Acknowledge(b.ctx, tenant, c.ID(), ch)
			},
			func(ch crm.Change) (*complaint.Complaint, error) { return b.desk.Assess(b.ctx, tenant, c.ID(), ch) },
			func(ch crm.Change) (*complaint.Complaint, error) {
				return b.desk.Investigate(b.ctx, tenant, c.ID(), ch)
			},
			func(ch crm.Change) (*complaint.Complaint, error) {
				return b.desk.ProposeResponse(b.ctx, tenant, c.ID(), ch)
			},
			func(ch crm.Change) (*complaint.Complaint, error) {
				return b.desk.SetResolution(b.ctx, tenant, c.ID(), res, ch)
			},
			func(ch crm.Change) (*complaint.Complaint, error) { return b.desk.Resolve(b.ctx, tenant, c.ID(), ch) },
			func(ch crm.Change) (*complaint.Complaint, error) {
				return b.desk.RecordAcceptance(b.ctx, tenant, c.ID(), true, ch)
			},
			func(ch crm.Change) (*complaint.Complaint, error) { return b.desk.Close(b.ctx, tenant, c.ID(), ch) },
			func(ch crm.Change) (*complaint.Complaint, error) {
				return b.desk.RecordSurvey(b.ctx, tenant, c.ID(), complaint.Survey{CSAT: csat}, ch)
			},
		} {
			b.clock.Set(start.Add(took * time.Duration(i+1) / 9))
			if c, err = step(b.by(m, "")); err != nil {
				return "", err
			}
		}
		if _, err := b.people.LogInteraction(b.ctx, tenant, cu.ID(), customer.InteractionInput{Channel: customer.PhoneCall,
			Direction: customer.Outbound, Actor: m, Summary: "complaint answered: " + summary}); err != nil {
			return "", err
		}
		return fmt.Sprintf("complaint %-21s %-9s %s, %s in %.0f h; survey %d of 5", category, m, name, c.Status(), took.Hours(), csat), nil
	}
}

// describe is one line of the quarter's log about a deal.
func describe(o *opportunity.Opportunity, what string) string {
	if o == nil {
		return ""
	}
	return fmt.Sprintf("%-31s %-9s %-12s %s", o.Name(), o.Owner(), o.Amount(), what)
}

// advanceTo runs the scheduled actions due before t, printing each, and
// sets the clock to t.
func (b *branch) advanceTo(t time.Time) error {
	for len(b.pending) > 0 {
		a := b.pending[0]
		at, err := time.ParseInLocation("2006-01-02 15:04", a.at, b.loc)
		if err != nil {
			return err
		}
		if !at.Before(t) {
			break
		}
		b.pending = b.pending[1:]
		b.clock.Set(at)
		line, err := a.do(b)
		if err != nil {
			return err
		}
		b.printf("   %s %s\n", at.Format("01-02"), line)
	}
	b.clock.Set(t)
	return nil
}

// cadenceJSON is the branch's contact rhythm (忌冷热不均), kept as data with
// its calendar: key customers (ABC class A) every 10 business days, class B
// customers every 20 and class C customers every 60. The rules find the
// classes by the tags the ABC step puts on each customer.
var cadenceJSON = `{"rules": [
  {"name": "key_customers", "key_account": true, "days": 10},
  {"name": "class_b", "tag": "abc-b", "days": 20},
  {"name": "class_c", "tag": "abc-c", "days": 60}],
  "calendar": ` + calendarJSON + `}`

// cadenceLabels name the cadence rules in the report.
var cadenceLabels = map[string]string{"key_customers": "key customers (A)", "class_b": "class B", "class_c": "class C"}

// cadenceCheck logs the contacts of April and May and, on Friday 15 May,
// lists per manager the customers overdue for contact under the branch's
// cadence per class.
func (b *branch) cadenceCheck() error {
	b.title("6. April to mid-May: the deals, and the contact cadence on Friday 15 May")
	now := b.at(time.May, 15, 17, 0)
	if err := b.advanceTo(now); err != nil {
		return err
	}
	for _, a := range book {
		d, err := time.ParseInLocation("2006-01-02", a.lastContact, b.loc)
		if err != nil {
			return err
		}
		if _, err := b.people.LogInteraction(b.ctx, tenant, b.ids[a.name], customer.InteractionInput{Channel: customer.PhoneCall,
			Direction: customer.Outbound, Actor: a.owner, At: d.Add(17 * time.Hour), Summary: "regular contact"}); err != nil {
			return err
		}
	}
	over, err := b.people.OverdueForContact(b.ctx, tenant, b.cadence, now, customer.OverdueQuery{})
	if err != nil {
		return err
	}
	var rules []string
	for _, r := range b.cadence.Rules {
		rules = append(rules, fmt.Sprintf("%s every %d", cadenceLabels[r.Name], r.Days))
	}
	b.printf("   overdue for contact (business days: %s):\n", strings.Join(rules, ", "))
	b.printOverdue("", over)
	kept, err := b.cadenceKept(over)
	if err != nil {
		return err
	}
	var parts []string
	for _, m := range managers {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", m, 100*kept[m]))
	}
	b.printf("   cadence kept: %s\n", strings.Join(parts, ", "))
	return nil
}

// printOverdue prints the customers overdue for contact, each line
// starting with prefix.
func (b *branch) printOverdue(prefix string, over []customer.OwnerOverdue) {
	for _, o := range over {
		for _, c := range o.Contacts {
			days := 0
			if i := slices.IndexFunc(b.cadence.Rules, func(r customer.CadenceRule) bool { return r.Name == c.Rule }); i >= 0 {
				days = b.cadence.Rules[i].Days
			}
			last := "never contacted"
			if !c.LastContact.IsZero() {
				last = "last contact " + c.LastContact.In(b.loc).Format("01-02")
			}
			b.printf("   %s%-9s %-22s %-17s %s, due %s, %2d business day(s) overdue (every %d)\n",
				prefix, o.Owner, c.Customer.Name(), cadenceLabels[c.Rule], last, c.DueAt.In(b.loc).Format("01-02"), c.DaysOverdue, days)
		}
	}
}

// cadenceKept returns, per manager, the share of the customers under a
// cadence rule that are not overdue; churned customers have no cadence.
func (b *branch) cadenceKept(over []customer.OwnerOverdue) (map[crm.UserID]float64, error) {
	cs, err := b.list(customer.Query{})
	if err != nil {
		return nil, err
	}
	ruled := map[crm.UserID]int{}
	for _, c := range cs {
		if c.Lifecycle() != customer.Churned && b.cadence.Rule(c) >= 0 {
			ruled[c.Owner()]++
		}
	}
	kept := map[crm.UserID]float64{}
	for m, n := range ruled {
		kept[m] = 1
		for _, o := range over {
			if o.Owner == m {
				kept[m] = float64(n-len(o.Contacts)) / float64(n)
			}
		}
	}
	return kept, nil
}

// handOver hands the book and the open deals of Wu, who leaves the branch,
// to the other managers: the key customer to a senior manager.
func (b *branch) handOver() error {
	b.title("7. End of May: Wu leaves the branch and his book is handed over")
	if err := b.advanceTo(b.at(time.May, 29, 10, 0)); err != nil {
		return err
	}
	cs, err := b.list(customer.Query{Owner: wu})
	if err != nil {
		return err
	}
	reason := "mgr.wu leaves the branch on 29 May"
	for _, c := range cs {
		to, why := he, reason
		if c.KeyAccount() {
			to, why = chen, reason+"; key customer to a senior manager (对等配置)"
		}
		c, err := b.people.AssignOwner(b.ctx, tenant, c.ID(), to, b.by("branch.director", why))
		if err != nil {
			return err
		}
		b.printf("   %-22s -> %s\n", c.Name(), c.Owner())
		if err := b.handOverPlans(c.ID(), to, reason); err != nil {
			return err
		}
		open, err := b.sales.Deals(b.ctx, tenant, opportunity.Query{Customer: c.ID(), Owners: []crm.UserID{wu}, Statuses: []opportunity.Status{opportunity.Open}})
		if err != nil {
			return err
		}
		for _, d := range open {
			o, err := b.sales.SetOwner(b.ctx, tenant, d.ID, to, b.by("branch.director", reason))
			if err != nil {
				return err
			}
			b.printf("     open deal %-31s -> %s\n", o.Name(), o.Owner())
		}
	}
	gao := b.ids["Gao Feng"]
	h, err := b.people.History(b.ctx, tenant, gao, crm.PageRequest{})
	if err != nil {
		return err
	}
	b.printf("   history of Gao Feng:\n")
	for _, e := range h.Items {
		change := e.To
		if e.From != "" {
			change = e.From + " -> " + e.To
		}
		line := fmt.Sprintf("%s %-11s %-23s by %-15s %s", e.At.In(b.loc).Format("2006-01-02 15:04"), e.Kind, change, e.Actor, e.Reason)
		b.printf("     %s\n", strings.TrimRight(line, " "))
	}
	return nil
}

// closeQuarter works June, then closes the quarter: the managers'
// scorecards and the accuracy of the forecast made on 10 April.
func (b *branch) closeQuarter() error {
	b.title("8. June")
	end := b.at(time.June, 30, 17, 0)
	if err := b.advanceTo(end); err != nil {
		return err
	}
	names := make([]string, 0, len(juneContacts))
	for n := range juneContacts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		d, err := time.ParseInLocation("2006-01-02", juneContacts[n], b.loc)
		if err != nil {
			return err
		}
		c, err := b.people.Get(b.ctx, tenant, b.ids[n])
		if err != nil {
			return err
		}
		if _, err := b.people.LogInteraction(b.ctx, tenant, c.ID(), customer.InteractionInput{Channel: customer.FaceToFace,
			Direction: customer.Outbound, Actor: c.Owner(), At: d.Add(17 * time.Hour), Summary: "quarterly review"}); err != nil {
			return err
		}
	}
	b.printf("   %d June contacts logged\n", len(names))

	b.title("9. Quarter close, 30 June: the managers' scorecards")
	cards, over, err := b.scorecards(end)
	if err != nil {
		return err
	}
	for _, c := range cards {
		visits := "no day plans"
		if c.PlannedNew+c.PlannedReturn > 0 {
			visits = fmt.Sprintf("%d new + %d return done against %d + %d targeted (%.0f%%), 7+3 achieved on %d day(s)",
				c.DoneNew, c.DoneReturn, c.TargetNew, c.TargetReturn, 100*c.Attainment, c.DaysMet)
		}
		csat := "no surveys"
		if c.CSAT.Responses > 0 {
			csat = fmt.Sprintf("CSAT %.1f of 5, %.0f%% satisfied", c.CSAT.Mean, 100*c.CSAT.Satisfied)
		}
		b.printf("   #%d %s, score %.1f\n", c.Rank, c.Manager, c.Score.Total)
		b.printf("     book        %d customers worth %s thousand CNY a year, %d key, %d churned (%.0f%%)\n",
			c.BookSize, c.BookValue.Amount().Shift(-3).StringFixed(0), c.KeyAccounts, c.Churned, 100*c.ChurnRate)
		b.printf("     contact     %s; cadence kept for %.0f%% of the book\n", visits, 100*c.CadenceKeptRate)
		b.printf("     sales       won %s (%d won, %d lost), open pipeline %s weighted\n", c.Won, c.WonDeals, c.LostDeals, c.Pipeline.Round(crm.RoundHalfEven))
		b.printf("     service     %d complaint(s), %s\n", c.Complaints, csat)
	}
	b.printf("   (%s left on 29 May; his customers are counted with their new managers)\n", wu)
	b.printOverdue("overdue at close: ", over)
	if err := b.newRelationships(end); err != nil {
		return err
	}

	b.title("10. At the close: the key account plans and the customers' referrals")
	b.printf("   account plans, %s this quarter:\n", planGoal)
	plans, err := b.activePlans(customer.AccountPlanQuery{})
	if err != nil {
		return err
	}
	for _, p := range plans {
		lead, _ := p.Lead()
		for _, g := range p.ProgressAt(end) {
			state := "behind"
			if g.Met {
				state = "met"
			}
			b.printf("   %-22s lead %-9s %8s of %8s CNY (%3.0f%%) %s\n", b.names[p.Customer()], lead.User, g.Achieved, g.Goal.Target, g.Percent, state)
		}
	}

	if err := b.referralFigures(end); err != nil {
		return err
	}

	b.title("11. Forecast accuracy: the 10 April forecast against what was won")
	won, err := b.sales.Forecast(b.ctx, tenant, opportunity.Query{Statuses: []opportunity.Status{opportunity.Won}},
		opportunity.ForecastOptions{Currency: cny, By: opportunity.ByPeriod, Period: opportunity.Month})
	if err != nil {
		return err
	}
	var forecast, actual []crm.Money
	for _, month := range []string{"2026-04", "2026-05", "2026-06"} {
		f, a := crm.Zero(cny), crm.Zero(cny)
		for _, r := range b.opening {
			if r.Key == month {
				f = r.Weighted
			}
		}
		for _, r := range won {
			if r.Key == month {
				a = r.Amount
			}
		}
		forecast, actual = append(forecast, f), append(actual, a)
		b.printf("   %s forecast %14s won %14s\n", month, f, a)
	}
	acc, err := opportunity.ForecastAccuracy(forecast, actual, cny)
	if err != nil {
		return err
	}
	b.printf("   WAPE %.1f%%, MAPE %.1f%% over %d months with wins, bias %+.0f CNY a month (%+.1f%% of what was won)\n",
		100*acc.WAPE, 100*acc.MAPE, acc.MAPEPeriods, acc.Bias, 100*acc.BiasRatio)
	return nil
}

// keyPlans are the Q2 account plans of the key customers: the cross-sell
// income each should bring this quarter, and who works the account with
// its manager.
var keyPlans = []struct {
	customer string
	target   int64 // CNY
	team     []customer.TeamMember
}{
	{"Jianghe Port Logistics", 400000, []customer.TeamMember{{User: "fx.desk", Role: customer.RoleEngineer}, {User: "branch.director", Role: customer.RoleExecutiveSponsor}}},
	{"Huaxin Textiles", 200000, []customer.TeamMember{{User: "branch.credit", Role: customer.RoleFinance}}},
	{"Gao Feng", 150000, []customer.TeamMember{{User: "wealth.desk", Role: customer.RoleEngineer}}},
}

// planGoal is the one goal of every key account plan.
const planGoal = "cross-sell income"

// accountPlans draws up and activates the quarter's plan of every key
// customer, led by its manager.
func (b *branch) accountPlans() error {
	start, end := b.at(time.April, 1, 0, 0), b.at(time.July, 1, 0, 0)
	for _, k := range keyPlans {
		c, err := b.people.Get(b.ctx, tenant, b.ids[k.customer])
		if err != nil {
			return err
		}
		team := []customer.TeamMember{{User: c.Owner(), Role: customer.RoleAccountManager, Lead: true, Since: b.clock.Now()}}
		for _, m := range k.team {
			m.Since = b.clock.Now()
			team = append(team, m)
		}
		p, err := b.people.CreateAccountPlan(b.ctx, customer.AccountPlanInput{Tenant: tenant, Customer: c.ID(), Name: "Q2 2026 key account plan",
			Start: start, End: end, Team: team, Goals: []customer.Goal{{Name: planGoal, Metric: customer.MetricRevenue,
				Target: decimal.NewFromInt(k.target), Currency: cny, Due: b.at(time.June, 30, 0, 0)}}}, b.by(c.Owner(), ""))
		if err != nil {
			return err
		}
		if p, err = b.people.ActivateAccountPlan(b.ctx, tenant, p.ID(), b.by("branch.director", "")); err != nil {
			return err
		}
		g := p.Goals()[0]
		target, _ := g.TargetMoney()
		b.printf("   key account plan %-22s lead %-9s team of %d, %s %s by %s\n", k.customer, c.Owner(), len(p.Team()), planGoal,
			target, g.Due.In(b.loc).Format("01-02"))
	}
	return nil
}

// closeWon wins a deal and, when its customer has an account plan, records
// the income against the plan's goal.
func (b *branch) closeWon(name string, date calendar.Date, contract string, by crm.UserID) (string, error) {
	o, err := b.sales.CloseWon(b.ctx, tenant, b.deals[name], opportunity.WonDetails{ContractDate: date, Contract: contract}, b.by(by, ""))
	if err != nil {
		return "", err
	}
	line := describe(o, "won")
	plans, err := b.activePlans(customer.AccountPlanQuery{Customer: o.Customer()})
	if err != nil {
		return "", err
	}
	for _, p := range plans {
		if _, err := b.people.RecordPlanProgress(b.ctx, tenant, p.ID(), customer.Progress{Goal: planGoal, Value: o.Amount().Amount(),
			Note: contract}, b.by(by, "")); err != nil {
			return "", err
		}
		line += ", recorded on the account plan"
	}
	return line, nil
}

// activePlans returns the account plans in force that match q.
func (b *branch) activePlans(q customer.AccountPlanQuery) ([]*customer.AccountPlan, error) {
	q.Status = customer.PlanActive
	var out []*customer.AccountPlan
	page := crm.PageRequest{}
	for {
		p, err := b.people.AccountPlans(b.ctx, tenant, q, page)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out, nil
		}
		page.Cursor = p.Next
	}
}

// referralFigures prints what the customers who referred others brought
// the branch this quarter (转介绍), from the stored referrals.
func (b *branch) referralFigures(end time.Time) error {
	figs, err := b.people.RelationFigures(b.ctx, tenant, b.at(time.April, 1, 0, 0), end, cny)
	if err != nil {
		return err
	}
	b.printf("   customers who referred others this quarter:\n")
	for _, a := range book {
		f, ok := figs[b.ids[a.name]]
		if !ok || f.Referrals == 0 && f.Converted == 0 {
			continue
		}
		b.printf("   %-22s %d referral(s), %d converted, worth %s\n", a.name, f.Referrals, f.Converted, f.ReferredRevenue)
	}
	return nil
}

// newRelationships reports, for the junior managers, how long the
// prospects of 1 April stayed in the unfamiliar stage (陌生期) before a first
// visit opened the relationship, and which are still unfamiliar at end, in
// business days of the branch's 8-hour day.
func (b *branch) newRelationships(end time.Time) error {
	b.printf("   new relationships: business days in the unfamiliar stage before the first visit\n")
	for _, m := range []crm.UserID{zhao, he} {
		cs, err := b.list(customer.Query{Owner: m})
		if err != nil {
			return err
		}
		var met int
		var waited time.Duration
		var still []string
		for _, c := range cs {
			if c.Stage() == customer.Mature {
				continue
			}
			tl, err := b.people.StageTimes(b.ctx, tenant, c.ID(), end, b.cal)
			if err != nil {
				return err
			}
			_, business := tl.Total(customer.Unfamiliar)
			if c.Stage() == customer.Unfamiliar {
				still = append(still, fmt.Sprintf("%s (%.1f)", c.Name(), business.Hours()/8))
				continue
			}
			met++
			waited += business
		}
		line := fmt.Sprintf("%-9s %d met", m, met)
		if met > 0 {
			line += fmt.Sprintf(", after %.1f on average", waited.Hours()/8/float64(met))
		}
		if len(still) > 0 {
			line += "; still unfamiliar: " + strings.Join(still, ", ")
		}
		b.printf("   %s\n", line)
	}
	return nil
}

// handOverPlans hands the plans in force of a customer on which Wu serves
// to its new manager, who takes the lead where Wu had it.
func (b *branch) handOverPlans(id crm.ID, to crm.UserID, reason string) error {
	// Read them all first: the update takes Wu off the plans the query
	// pages through.
	plans, err := b.activePlans(customer.AccountPlanQuery{Customer: id, Member: wu})
	if err != nil {
		return err
	}
	for _, p := range plans {
		p, err := b.people.UpdateAccountPlan(b.ctx, tenant, p.ID(), func(p *customer.AccountPlan) error {
			ch := b.by("branch.director", reason)
			if lead, _ := p.Lead(); lead.User == wu {
				if !p.HasMember(to) {
					if err := p.AddMember(customer.TeamMember{User: to, Role: customer.RoleAccountManager, Since: ch.At}, ch); err != nil {
						return err
					}
				}
				if err := p.SetLead(to, ch); err != nil {
					return err
				}
			}
			return p.RemoveMember(wu, ch)
		})
		if err != nil {
			return err
		}
		lead, _ := p.Lead()
		b.printf("     %-41s -> %s (lead)\n", p.Name(), lead.User)
	}
	return nil
}
