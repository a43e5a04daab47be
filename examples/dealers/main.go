// Command dealers runs a year of an appliance maker, Huaguang Appliances,
// and its dealer network: regional distributors, department-store counters,
// an online shop and rural outlets, each a customer with the dealer role
// and a member of the partner programme. The online shop is a key account
// with an account plan (team, goals for the year, progress recorded from
// its orders).
//
// Restock orders are priced by the pricing rules (volume tiers, payment
// terms, seasonal promotions), each applied rule explained on the line;
// one order meets a competitor and needs the sales director to approve its
// discount. Dealers refer end customers: each referral is a record that
// converts with the won value of the project (an opportunity with the
// referring dealer as its source) or is lost with it. Dealers report
// product complaints on asset paths (line → model → serial), and when many
// hit one model a risk is raised. Dealers' suggestions are records too,
// reviewed, then adopted with their value or declined.
//
// At year end the dealers are ranked by sales volume, then by the weighted
// value model with their recorded loyalty and the referral and suggestion
// figures aggregated from the records (scoring.RankDealers shows how the
// ranks change), and the reward rules, the maker's own policy, pay the
// rebates. The partner tier for the next year follows the year's volume
// (tiers and benefits as data, moves in the membership's history). The
// report closes with the key account plan's progress, the dealers overdue
// for a call under the contact cadence per channel manager (every dealer
// within 30 business days; orders, referrals and phoned-in suggestions are
// contacts), and the care the review's moves call for (a dealer marked at
// risk gets a win-back visit and the director's call, in business days).
//
// Everything it prints comes from the library and the records stored
// through it; the host feeds the year, prints, and applies its reward
// rules to the library's ranking.
//
//	go run ./examples/dealers
//
// With CRM_EXAMPLE_POSTGRES_DSN set it runs on a fresh PostgreSQL schema
// and prints the same report.
package main

import (
	"cmp"
	"context"
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
	"github.com/crmkit/crm/opportunity"
	"github.com/crmkit/crm/scoring"
)

const tenant crm.TenantID = "huaguang"

var cny = crm.MustCurrency("CNY")

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dealers:", err)
		os.Exit(1)
	}
}

// dealer is one dealer of the network as the host first records it.
type dealer struct {
	key     string // short name used in the host's data below
	name    string
	channel string // channel type, kept as a customer attribute
	manager crm.UserID
	loyalty customer.Loyalty // rung on the loyalty ladder at the start of the year
	tier    string           // tier of the partner programme for the year
}

var dealers = []dealer{
	{"jiangnan", "Jiangnan Distribution", "regional_distributor", "ch-zhao", customer.Satisfaction, "strategic"},
	{"goldeneagle", "Golden Eagle counter", "department_store", "ch-qian", customer.Satisfaction, "preferred"},
	{"brighthome", "Bright Home online", "online_shop", "ch-qian", customer.Transaction, "preferred"},
	{"qingshan", "Qingshan rural outlet", "rural_outlet", "ch-zhao", customer.Loyal, "registered"},
	{"huaibei", "Huaibei Distribution", "regional_distributor", "ch-sun", customer.Satisfaction, "preferred"},
	{"riverside", "Riverside rural outlet", "rural_outlet", "ch-sun", customer.Satisfaction, "registered"},
}

// partners is the dealer partner programme: a dealer's tier for the next
// year follows its volume of the year, and each tier names its benefits.
var partners = customer.Programme{Name: "huaguang_partners", TermMonths: 12, Tiers: []customer.Tier{
	{Name: "registered", Benefits: []string{"dealer portal", "30-day credit"}},
	{Name: "preferred", MinSpend: money("300000.00 CNY"), Benefits: []string{"60-day credit", "priority stock in peak season"}},
	{Name: "strategic", MinSpend: money("1000000.00 CNY"), Benefits: []string{"90-day credit", "priority stock in peak season", "co-funded shop fitting"}},
}}

// order is a restock order of a dealer, or an end customer's project a
// dealer referred (when referred is set), as it happened in the year.
type order struct {
	month    time.Month
	day      int
	dealer   string // the dealer who orders, or who referred the project
	referred string // the end customer a dealer referred; "" for a restock order
	code     string
	qty      string
	payDays  int
	rival    string // a competitor on the deal
	outcome  string // "won", "lost", or "approval" (won after the director approves the discount)
}

// year is the year's sales, in date order.
var year = []order{
	{time.March, 10, "jiangnan", "", "ac-35", "200", 45, "", "won"},
	{time.March, 25, "qingshan", "", "washer-80", "40", 30, "", "won"},
	{time.April, 20, "huaibei", "", "ac-35", "120", 90, "", "won"},
	{time.May, 12, "brighthome", "", "ac-35", "300", 30, "Midea", "approval"},
	{time.June, 2, "goldeneagle", "", "ac-35", "60", 30, "", "won"},
	{time.June, 16, "qingshan", "Qingshan Middle School", "ac-35", "80", 30, "", "won"},
	{time.July, 14, "qingshan", "", "fridge-420", "60", 30, "", "won"},
	{time.August, 3, "riverside", "", "ac-35", "30", 90, "", "won"},
	{time.August, 19, "qingshan", "Qingshan Township Clinic", "fridge-420", "20", 30, "", "won"},
	{time.September, 15, "jiangnan", "", "fridge-420", "150", 30, "", "won"},
	{time.September, 22, "riverside", "Riverside Guesthouse", "ac-35", "40", 30, "", "won"},
	{time.October, 8, "huaibei", "", "fridge-420", "100", 60, "", "won"},
	{time.October, 20, "goldeneagle", "Golden Eagle Hotel", "ac-35", "100", 60, "Gree", "lost"},
	{time.November, 5, "brighthome", "", "washer-80", "250", 45, "", "won"},
	{time.November, 9, "huaibei", "Huaibei Logistics canteen", "washer-80", "10", 30, "", "won"},
	{time.November, 20, "huaibei", "", "washer-80", "150", 30, "Midea", "lost"},
	{time.December, 1, "goldeneagle", "", "fridge-420", "80", 30, "", "won"},
}

// suggestion is a suggestion a dealer made during the year, and what the
// product committee decided at year end: adopted with the yearly value it
// is worth (value set), or declined (why set).
type suggestion struct {
	month    time.Month
	day      int
	dealer   string
	subject  string
	category string
	value    string // CNY a year, for an adopted suggestion
	why      string // the reason, for a declined one
}

// suggestions are in date order.
var suggestions = []suggestion{
	{time.March, 30, "jiangnan", "longer payment terms for distributors", "commercial", "", "the payment terms already reward early payment"},
	{time.April, 8, "qingshan", "bundle a rural installation kit with ac-35", "product", "60000.00", ""},
	{time.June, 20, "goldeneagle", "counter display with a live energy meter", "marketing", "40000.00", ""},
	{time.July, 1, "brighthome", "bundle washer and dryer on Double 11", "marketing", "", "no dryer in the 2026 range"},
	{time.September, 2, "qingshan", "large-print manual for elderly users", "product", "15000.00", ""},
	{time.October, 12, "riverside", "monthly van delivery to the townships", "logistics", "30000.00", ""},
}

// loyaltyReview is what the channel managers record at year end.
// A dealer whose loyalty falls may also be marked at risk (lifecycle set).
var loyaltyReview = []struct {
	dealer    string
	to        customer.Loyalty
	lifecycle customer.Lifecycle
	why       string
}{
	{"qingshan", customer.Advocacy, 0, "refers schools and clinics in its township"},
	{"riverside", customer.Loyal, 0, "exclusive to Huaguang since the summer"},
	{"jiangnan", customer.Transaction, customer.AtRisk, "pushed a rival brand in the autumn"},
}

// care is what the channel team does for a dealer that enters a
// lifecycle status: a win-back visit by its manager the next business day
// and the channel director's call two weeks of business days later.
var care = customer.CarePlan{Types: []customer.CareType{
	{Code: "win_back_visit", Name: "win-back visit", Channel: customer.FaceToFace,
		Trigger: customer.CareTrigger{Kind: customer.TriggerEntered, Lifecycle: customer.AtRisk, Offsets: []int{1}}},
	{Code: "director_call", Name: "channel director's call", Channel: customer.PhoneCall,
		Trigger: customer.CareTrigger{Kind: customer.TriggerEntered, Lifecycle: customer.AtRisk, Offsets: []int{10}}},
}}

// keyPlan is the account plan for the key account, the online shop: its
// team and goals for the year.
var keyPlan = struct {
	dealer string
	name   string
	team   []customer.TeamMember
	goals  []customer.Goal
}{
	dealer: "brighthome", name: "2026 online growth",
	team: []customer.TeamMember{
		{User: "ch-qian", Role: customer.RoleAccountManager, Lead: true, Since: at(time.January, 5, 9)},
		{User: "eng-he", Role: customer.RoleEngineer, Since: at(time.January, 5, 9)},
		{User: "fin-ma", Role: customer.RoleFinance, Since: at(time.January, 5, 9)},
	},
	goals: []customer.Goal{
		{Name: "restock revenue", Metric: customer.MetricRevenue, Target: dec("1200000"), Currency: cny, Due: at(time.December, 31, 0)},
		{Name: "restock orders", Metric: customer.MetricCount, Target: dec("3"), Due: at(time.December, 31, 0)},
	},
}

// productComplaint is a complaint a dealer reports for an end user.
type productComplaint struct {
	day                 int // in December
	dealer              string
	line, model, serial string
	category            string
	desc                string
}

var productComplaints = []productComplaint{
	{2, "brighthome", "air_conditioner", "KFR-35GW", "SN-3507-0112", "not_heating", "Unit blows cold air in heating mode."},
	{3, "jiangnan", "air_conditioner", "KFR-35GW", "SN-3507-0420", "not_heating", "Heating stops after ten minutes."},
	{4, "goldeneagle", "refrigerator", "BCD-420", "SN-4201-0077", "noise", "Compressor hums loudly at night."},
	{4, "qingshan", "air_conditioner", "KFR-35GW", "SN-3507-0871", "noise", "Outdoor unit rattles when switching to heating."},
	{5, "riverside", "washer", "XQG-80", "SN-8001-0150", "damaged_in_transit", "Door glass cracked on delivery."},
	{7, "huaibei", "air_conditioner", "KFR-35GW", "SN-3507-1033", "not_heating", "No heat below 5 degrees outside."},
}

// reward is one rung of the year-end reward rules, first match wins. The
// rules are Huaguang's own policy, applied to the library's ranking.
type reward struct {
	name     string
	topRank  int     // weighted rank at most this (0: not a condition)
	minScore float64 // weighted score at least this
	rebate   string  // rebate on the year's volume, a fraction
}

var rewards = []reward{
	{"dealer of the year", 1, 0, "0.03"},
	{"gold", 0, 40, "0.02"},
	{"silver", 0, 30, "0.01"},
	{"development plan", 0, 0, "0"},
}

// referralBonus is paid on the won value of the projects a dealer referred.
const referralBonus = "0.02"

func money(s string) crm.Money              { return crm.MustParseMoney(s) }
func dec(s string) decimal.Decimal          { return decimal.RequireFromString(s) }
func day(m time.Month, d int) calendar.Date { return calendar.Date{Year: 2026, Month: m, Day: d} }
func at(m time.Month, d, h int) time.Time   { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }

// pipeline is the dealer sales process: a quote, then an order; an order
// needs every discount beyond the threshold approved.
func pipeline() *opportunity.Pipeline {
	return &opportunity.Pipeline{
		Code: "dealer-sales", Team: "channel",
		Stages: []opportunity.StageDef{
			{Code: "quote", Probability: 0.4},
			{Code: "order", Probability: 0.9, Category: opportunity.CategoryCommit,
				Requires: []opportunity.Field{opportunity.FieldAmount, opportunity.FieldApproval}},
		},
		WinFrom:     "order",
		LostReasons: []string{"price", "delivery", "product_fit"},
	}
}

// pricing is the year's price list and the rules that adjust it, as data.
func pricing() opportunity.PricingRules {
	return opportunity.PricingRules{
		Currency: cny,
		PriceLists: []opportunity.PriceList{{ID: "dealer-2026", Prices: []opportunity.ListPrice{
			{Code: "ac-35", Price: money("2800.00 CNY")}, {Code: "fridge-420", Price: money("2400.00 CNY")}, {Code: "washer-80", Price: money("1800.00 CNY")},
		}}},
		Tiers: []opportunity.VolumeTier{
			{ID: "50-199 units", Min: dec("50"), Max: dec("200"), Discount: dec("0.03")},
			{ID: "200+ units", Min: dec("200"), Discount: dec("0.06")},
		},
		Terms: []opportunity.PaymentTerm{
			{ID: "paid within 30 days", FromDays: 0, ToDays: 30, Percent: dec("-0.02")},
			{ID: "paid in 61-120 days", FromDays: 61, ToDays: 120, Percent: dec("0.015")},
		},
		Seasons: []opportunity.Season{
			{ID: "summer air-conditioning", From: day(time.April, 1), To: day(time.June, 30), Codes: []string{"ac-35"}, Percent: dec("-0.05")},
			{ID: "Double 11", From: day(time.November, 1), To: day(time.November, 11), Percent: dec("-0.04")},
		},
		ApprovalThreshold: dec("0.10"),
	}
}

// categories are the product complaint categories.
func categories() (*complaint.CategoryTree, error) {
	return complaint.NewCategoryTree([]complaint.Category{
		{Code: "product_quality"}, {Code: "not_heating", Parent: "product_quality"},
		{Code: "not_cooling", Parent: "product_quality"}, {Code: "noise", Parent: "product_quality"},
		{Code: "delivery"}, {Code: "damaged_in_transit", Parent: "delivery"},
	})
}

// riskRules: three quality complaints on one model within 30 days is a risk.
var riskRules = complaint.HotspotRules{
	{Name: "model-quality", Kind: complaint.RuleCluster, Category: "product_quality", AssetLevel: 2, Min: 3, Window: 30 * 24 * time.Hour},
}

// indicators is the weighted value model of a dealer: volume alone is half
// of it; loyalty, referrals and suggestions the rest.
func indicators() (scoring.DimensionWeights, []scoring.Indicator) {
	return scoring.DimensionWeights{Financial: 0.4, Market: 0.35, Management: 0.25},
		[]scoring.Indicator{
			{Name: "volume", Dimension: scoring.Financial, Weight: 1, Normalization: scoring.NormalizeMinMax},
			{Name: "loyalty", Dimension: scoring.Market, Weight: 0.5, Normalization: scoring.NormalizeFixed, Min: 1, Max: 6},
			{Name: "referral", Dimension: scoring.Market, Weight: 0.5, Normalization: scoring.NormalizeMinMax},
			{Name: "suggestion", Dimension: scoring.Management, Weight: 1, Normalization: scoring.NormalizeMinMax},
		}
}

// workdays is Huaguang's business calendar: Monday to Friday, closed for
// the National Day week and on New Year's Day 2027.
func workdays() (*calendar.Calendar, error) {
	hours := []calendar.Span{{Start: calendar.At(9, 0), End: calendar.At(18, 0)}}
	cfg := calendar.Config{Name: "Huaguang channel sales", TimeZone: "UTC", Week: calendar.Week{
		time.Monday: hours, time.Tuesday: hours, time.Wednesday: hours, time.Thursday: hours, time.Friday: hours}}
	for d := 1; d <= 7; d++ {
		cfg.Holidays = append(cfg.Holidays, day(time.October, d))
	}
	cfg.Holidays = append(cfg.Holidays, calendar.Date{Year: 2027, Month: time.January, Day: 1})
	return calendar.New(cfg)
}

// cadence is the contact rhythm: a channel manager is in touch with each
// of their dealers at least every 30 business days.
func cadence(cal *calendar.Calendar) *customer.CadencePolicy {
	return &customer.CadencePolicy{Calendar: cal, Rules: []customer.CadenceRule{{Name: "dealers", Role: customer.Dealer, Days: 30}}}
}

// network holds the services and keeps the first error, after which every
// step does nothing.
type network struct {
	ctx        context.Context
	w          io.Writer
	clock      *crm.ManualClock
	customers  *customer.Service
	sales      *opportunity.Service
	complaints *complaint.Service
	ids        map[string]crm.ID  // dealer key -> customer ID
	members    map[string]crm.ID  // dealer key -> partner membership ID
	plan       crm.ID             // the key account's plan
	cal        *calendar.Calendar // business days, for the cadence and care
	names      map[crm.ID]string  // customer ID -> name
	err        error
}

// do runs one step unless an earlier one failed.
func (n *network) do(f func() error) {
	if n.err == nil {
		// f may have failed to print already: keep that first error.
		if err := f(); n.err == nil {
			n.err = err
		}
	}
}

// printf writes to the report unless an earlier step failed.
func (n *network) printf(format string, args ...any) {
	if n.err == nil {
		_, n.err = fmt.Fprintf(n.w, format, args...)
	}
}

// title starts a section of the report.
func (n *network) title(s string) { n.printf("\n%s\n", s) }

// run is the whole year; it writes the report to w.
func run(ctx context.Context, w io.Writer) error {
	clock := crm.NewManualClock(at(time.January, 5, 9))
	ids := crm.NewSequentialIDs(clock)
	b, err := backend.Open(ctx, "dealers")
	if err != nil {
		return err
	}
	defer func() { _ = b.Close(context.WithoutCancel(ctx)) }()
	store := b.Store
	cats, err := categories()
	if err != nil {
		return err
	}
	n := &network{ctx: ctx, w: w, clock: clock, ids: map[string]crm.ID{}, members: map[string]crm.ID{}, names: map[crm.ID]string{}}
	if n.cal, err = workdays(); err != nil {
		return err
	}
	if n.customers, err = customer.NewService(store, &customer.Options{Clock: clock, IDs: ids}); err != nil {
		return err
	}
	if n.sales, err = opportunity.NewService(store, &opportunity.Options{Clock: clock, IDs: ids, Outbox: store,
		Pipelines: []*opportunity.Pipeline{pipeline()}, Pricing: []opportunity.PricingRules{pricing()}}); err != nil {
		return err
	}
	if n.complaints, err = complaint.NewService(store, &complaint.Options{Clock: clock, IDs: ids, Categories: cats}); err != nil {
		return err
	}
	n.printf("Huaguang Appliances: the dealer network, 2026\n")
	n.setUp()
	n.sell()
	n.productComplaints()
	n.suggest()
	n.yearEnd()
	return n.err
}

// setUp records the dealers and prints the pricing rules.
func (n *network) setUp() {
	n.title("1. The dealer network")
	for _, d := range dealers {
		n.do(func() error {
			c, err := n.customers.Create(n.ctx, customer.NewInput{Tenant: tenant, Kind: customer.Organization, Name: d.name,
				Roles: []customer.Role{customer.Dealer}, Owner: d.manager, Stage: customer.Mature, Loyalty: d.loyalty}, customer.Change{Actor: "channel-director"})
			if err != nil {
				return err
			}
			c, err = n.customers.Update(n.ctx, tenant, c.ID(), func(c *customer.Customer) error { return c.SetAttribute("channel", d.channel) })
			if err != nil {
				return err
			}
			n.ids[d.key], n.names[c.ID()] = c.ID(), c.Name()
			m, err := n.customers.Join(n.ctx, customer.MembershipInput{Tenant: tenant, Customer: c.ID(), Programme: partners, Tier: d.tier},
				customer.Change{Actor: "channel-director"})
			if err != nil {
				return err
			}
			n.members[d.key] = m.ID()
			ch, _ := c.Attribute("channel")
			n.printf("   %-23s %-21s %v  manager %s  loyalty %-12s partner %s\n", c.Name(), ch, c.Roles(), c.Owner(), c.Loyalty(), m.Tier())
			return nil
		})
	}
	n.do(n.drawUpPlan)
	n.title("2. Pricing rules for 2026 (applied in this order)")
	r := pricing()
	for _, l := range r.PriceLists {
		for _, p := range l.Prices {
			n.printf("   list %-12s %-10s %s\n", l.ID, p.Code, p.Price)
		}
	}
	for _, t := range r.Tiers {
		n.printf("   volume    %-24s %s\n", t.ID, pct(t.Discount.Neg()))
	}
	for _, t := range r.Terms {
		n.printf("   term      %-24s %s\n", t.ID, pct(t.Percent))
	}
	for _, s := range r.Seasons {
		n.printf("   season    %-24s %s  %s to %s on %s\n", s.ID, pct(s.Percent), s.From, s.To, cmp.Or(strings.Join(s.Codes, ", "), "every product"))
	}
	n.printf("   a total discount beyond %s needs the sales director's approval\n", share(r.ApprovalThreshold))
}

// drawUpPlan makes the online shop a key account and puts its plan for the
// year in force.
func (n *network) drawUpPlan() error {
	d := n.dealerOf(keyPlan.dealer)
	ch := customer.Change{Actor: d.manager, At: n.clock.Now(), Reason: "largest online reseller"}
	if _, err := n.customers.Update(n.ctx, tenant, n.ids[d.key], func(c *customer.Customer) error { return c.SetKeyAccount(true, ch) }); err != nil {
		return err
	}
	p, err := n.customers.CreateAccountPlan(n.ctx, customer.AccountPlanInput{Tenant: tenant, Customer: n.ids[d.key], Name: keyPlan.name,
		Start: at(time.January, 1, 0), End: time.Date(2027, time.January, 1, 0, 0, 0, 0, time.UTC), Team: keyPlan.team, Goals: keyPlan.goals},
		customer.Change{Actor: d.manager})
	if err != nil {
		return err
	}
	if p, err = n.customers.ActivateAccountPlan(n.ctx, tenant, p.ID(), customer.Change{Actor: "channel-director"}); err != nil {
		return err
	}
	n.plan = p.ID()
	start, end := p.Period()
	n.printf("   key account %s, plan %q %s to %s, %s\n", d.name, p.Name(), calendar.DateOf(start), calendar.DateOf(end.AddDate(0, 0, -1)), p.Status())
	var team []string
	for _, m := range p.Team() {
		lead := ""
		if m.Lead {
			lead = ", lead"
		}
		team = append(team, fmt.Sprintf("%s (%s%s)", m.User, m.Role, lead))
	}
	n.printf("      team: %s\n", strings.Join(team, ", "))
	for _, g := range p.Goals() {
		target := g.Target.String()
		if m, ok := g.TargetMoney(); ok {
			target = m.String()
		}
		n.printf("      goal %-16s %-8s %s by %s\n", g.Name, g.Metric, target, calendar.DateOf(g.Due))
	}
	return nil
}

// pct writes a fraction as a signed percentage: -0.05 is "-5.0%".
func pct(d decimal.Decimal) string {
	s := d.Shift(2).StringFixed(1) + "%"
	if d.IsPositive() {
		s = "+" + s
	}
	return s
}

// share writes a fraction as a percentage: 0.1 is "10.0%".
func share(d decimal.Decimal) string { return d.Shift(2).StringFixed(1) + "%" }

// sell works the year's orders and referred projects.
func (n *network) sell() {
	n.title("3. Restock orders and referred projects through the year")
	for _, o := range year {
		n.do(func() error { return n.sellOne(o) })
	}
	n.title("4. Win/loss of the year's deals")
	for _, by := range []opportunity.Dimension{opportunity.ByCompetitor, opportunity.ByReason} {
		n.do(func() error {
			rows, err := n.sales.WinLoss(n.ctx, tenant, opportunity.Query{Pipeline: "dealer-sales"}, by, cny)
			for _, r := range rows {
				n.printf("   win/loss by %-10s %-9s won %2d lost %d win rate %3.0f%%\n", by, cmp.Or(r.Key, "no rival"), r.Won, r.Lost, 100*r.WinRate)
			}
			return err
		})
	}
}

// sellOne opens, prices and closes one order.
func (n *network) sellOne(o order) error {
	n.clock.Set(at(o.month, o.day, 10))
	d := n.dealerOf(o.dealer)
	buyer, src, name := n.ids[o.dealer], opportunity.Source{Kind: opportunity.FromExistingCustomer}, "restock "+o.code
	var ref *customer.Referral // the dealer's referral of the project's customer
	if o.referred != "" {
		c, err := n.customers.Create(n.ctx, customer.NewInput{Tenant: tenant, Kind: customer.Organization, Name: o.referred,
			Roles: []customer.Role{customer.EndCustomer}, Owner: d.manager}, customer.Change{Actor: d.manager, Reason: "referred by " + d.name})
		if err != nil {
			return err
		}
		if ref, err = n.customers.Refer(n.ctx, customer.ReferralInput{Tenant: tenant, Referrer: n.ids[o.dealer],
			TargetKind: customer.TargetCustomer, Target: c.ID(), Channel: "dealer"}, customer.Change{Actor: d.manager}); err != nil {
			return err
		}
		buyer, src, name = c.ID(), opportunity.Source{Kind: opportunity.FromDealerReferral, Referrer: n.ids[o.dealer]}, "project "+o.code
		n.names[buyer] = o.referred
	}
	ch := func(actor crm.UserID, why string) opportunity.Change {
		n.clock.Advance(time.Hour)
		return opportunity.Change{Actor: actor, Reason: why}
	}
	opp, err := n.sales.Open(n.ctx, opportunity.OpenInput{Tenant: tenant, Customer: buyer, Pipeline: "dealer-sales", Owner: d.manager,
		Name: name, Source: src, Currency: cny, CloseDate: day(o.month, o.day)}, ch(d.manager, ""))
	if err != nil {
		return err
	}
	id := opp.ID()
	// The manager takes the order, or the referral, at the dealer's: a
	// contact that keeps the dealer's last contact.
	if _, err := n.customers.LogInteraction(n.ctx, tenant, n.ids[o.dealer], customer.InteractionInput{Channel: customer.FaceToFace,
		Direction: customer.Outbound, Actor: d.manager, Summary: name}); err != nil {
		return err
	}
	if opp, err = n.sales.PriceLines(n.ctx, tenant, id, opportunity.PriceRequest{Date: day(o.month, o.day), PaymentDays: o.payDays,
		Lines: []opportunity.PriceLine{{Code: o.code, Quantity: dec(o.qty)}}}, ch(d.manager, "")); err != nil {
		return err
	}
	who := n.names[buyer]
	if o.referred != "" {
		who += " (referred by " + d.name + ")"
	}
	n.printf("   %s %s\n", day(o.month, o.day), who)
	for _, l := range opp.Lines() {
		n.printf("      %s x %-10s list %s, pay in %d days\n", l.Quantity, l.Code, l.ListPrice, o.payDays)
		for _, a := range l.Adjustments {
			n.printf("        %-12s %-6s %s\n", a.Kind, pct(a.Percent), cmp.Or(a.Note, a.Rule))
		}
		off := "discount " + share(l.Discount)
		if l.Discount.IsNegative() {
			off = "surcharge " + share(l.Discount.Neg())
		}
		n.printf("        net unit %s, %s, total %s, needs approval %v\n", l.UnitPrice(), off, l.Total, l.NeedsApproval)
	}
	if o.rival != "" {
		st := opportunity.CompetitorActive
		if o.outcome == "lost" {
			st = opportunity.CompetitorLeading
		}
		if opp, err = n.sales.SetCompetitor(n.ctx, tenant, id, opportunity.Competitor{Name: o.rival, Status: st,
			Strengths: "lower shelf price"}, ch(d.manager, "")); err != nil {
			return err
		}
		for _, c := range opp.Competitors() {
			n.printf("        competitor %s (%s): %s\n", c.Name, c.Status, c.Strengths)
		}
	}
	if o.outcome == "lost" {
		if opp, err = n.sales.CloseLost(n.ctx, tenant, id, opportunity.LostDetails{Reason: "price", Competitor: o.rival}, ch(d.manager, "")); err != nil {
			return err
		}
		l, _ := opp.Lost()
		n.printf("        %s to %s on %s\n", opp.Status(), l.Competitor, l.Reason)
		if ref != nil {
			if ref, err = n.customers.LoseReferral(n.ctx, tenant, ref.ID(), customer.Change{Actor: d.manager,
				Reason: fmt.Sprintf("the project was lost to %s", l.Competitor)}); err != nil {
				return err
			}
			n.printf("        %s's referral is %s\n", d.name, ref.Outcome())
		}
		return nil
	}
	if o.outcome == "approval" {
		_, err := n.sales.MoveStage(n.ctx, tenant, id, "order", ch(d.manager, ""))
		n.printf("        order before approval refused: %v (unapproved %v)\n", err != nil, opp.Unapproved())
		if opp, err = n.sales.ApproveDiscount(n.ctx, tenant, id, o.code, opp.Lines()[0].Discount,
			ch("sales-director", "match Midea for the summer season")); err != nil {
			return err
		}
		for _, a := range opp.Approvals() {
			n.printf("        approved up to %s by %s: %s\n", share(a.UpTo), a.Approver, a.Reason)
		}
	}
	if _, err = n.sales.MoveStage(n.ctx, tenant, id, "order", ch(d.manager, "")); err != nil {
		return err
	}
	opp, err = n.sales.CloseWon(n.ctx, tenant, id, opportunity.WonDetails{ContractDate: day(o.month, o.day),
		Contract: fmt.Sprintf("HG-%02d%02d-%s", o.month, o.day, o.dealer)}, ch(d.manager, ""))
	if err != nil {
		return err
	}
	n.printf("        %s %s\n", opp.Status(), opp.Amount())
	if o.dealer == keyPlan.dealer && o.referred == "" {
		for _, e := range []customer.Progress{{Goal: "restock revenue", Value: opp.Amount().Amount()}, {Goal: "restock orders", Value: decimal.NewFromInt(1)}} {
			e.Note = fmt.Sprintf("HG-%02d%02d-%s", o.month, o.day, o.dealer)
			if _, err := n.customers.RecordPlanProgress(n.ctx, tenant, n.plan, e, customer.Change{Actor: d.manager}); err != nil {
				return err
			}
		}
		n.printf("        recorded against the plan %q\n", keyPlan.name)
	}
	if ref != nil {
		if ref, err = n.customers.ConvertReferral(n.ctx, tenant, ref.ID(), opp.Amount(), customer.Change{Actor: d.manager}); err != nil {
			return err
		}
		n.printf("        %s's referral is %s, worth %s\n", d.name, ref.Outcome(), ref.Value())
	}
	return nil
}

// dealerOf returns the dealer with the key used in the host's data.
func (n *network) dealerOf(key string) dealer {
	i := slices.IndexFunc(dealers, func(d dealer) bool { return d.key == key })
	return dealers[i]
}

// productComplaints receives the dealers' product complaints, raises the
// risk on the model many of them hit, and reports by line and model.
func (n *network) productComplaints() {
	n.title("5. Product complaints from the dealers (line > model > serial)")
	label := map[crm.ID]string{}
	for _, pc := range productComplaints {
		n.do(func() error {
			n.clock.Set(at(time.December, pc.day, 11))
			asset := complaint.Asset{{Kind: "line", ID: pc.line}, {Kind: "model", ID: pc.model}, {Kind: "serial", ID: pc.serial}}
			c, err := n.complaints.Receive(n.ctx, complaint.ReceiveInput{Tenant: tenant, Customer: n.ids[pc.dealer], Channel: customer.PhoneCall,
				Category: pc.category, Severity: complaint.High, Asset: asset, Description: pc.desc, Owner: "service-lu"},
				complaint.Change{Actor: "service-lu"})
			if err != nil {
				return err
			}
			label[c.ID()] = n.names[c.Customer()] + " " + pc.serial
			n.printf("   %s %-23s %-56s %-18s %s\n", day(time.December, pc.day), n.names[c.Customer()], c.Asset(), c.Category(), c.Status())
			return nil
		})
	}
	n.printf("   risk rule %s: at least %d %s complaints on one %s within %d days\n", riskRules[0].Name, riskRules[0].Min,
		riskRules[0].Category, "model", riskRules[0].Window/(24*time.Hour))
	n.do(func() error {
		n.clock.Set(at(time.December, 8, 9))
		risks, err := n.complaints.RaiseRisks(n.ctx, tenant, riskRules, "quality-fang", time.Time{})
		if err != nil {
			return err
		}
		for _, r := range risks {
			h := r.Hotspot()
			n.printf("   RISK %s: %d complaints on %s, owner %s, %s\n", h.Rule, h.Count, h.Asset, r.Owner(), r.Status())
			for _, id := range h.Evidence {
				n.printf("      evidence: %s\n", label[id])
			}
			n.clock.Advance(2 * time.Hour)
			r, err = n.complaints.MoveRisk(n.ctx, tenant, r.ID(), complaint.RiskMitigating, "quality-fang",
				"field engineers sent to every KFR-35GW of batch 3507; dealers told which serials to call in")
			if err != nil {
				return err
			}
			n.printf("   risk is now %s: %s\n", r.Status(), r.Notes()[len(r.Notes())-1].Text)
			if err := n.resolveOnce(h.Evidence, label); err != nil {
				return err
			}
			n.clock.Advance(time.Hour)
			if r, err = n.complaints.MoveRisk(n.ctx, tenant, r.ID(), complaint.RiskMitigated, "quality-fang",
				"supplier replaced the valve batch; no KFR-35GW heating complaint since"); err != nil {
				return err
			}
			n.printf("   risk is now %s: %s\n", r.Status(), r.Notes()[len(r.Notes())-1].Text)
		}
		return nil
	})
	for _, level := range []int{1, 2} {
		n.do(func() error {
			rep, err := n.complaints.Analyze(n.ctx, tenant, complaint.AnalyticsOptions{At: n.clock.Now(), By: complaint.ByAsset, AssetLevel: level})
			if err != nil {
				return err
			}
			for _, s := range rep.Slices {
				n.printf("   by %-5s %-38s %d complaint(s), %d open, %d resolved\n", []string{"", "line", "model"}[level], s.Key, s.Stats.Count, s.Stats.Open, s.Stats.Resolved)
			}
			return nil
		})
	}
}

// resolveOnce handles the complaints behind a risk as one group: one
// investigation, one answer for every dealer.
func (n *network) resolveOnce(ids []crm.ID, label map[crm.ID]string) error {
	ch := func(why string) complaint.Change {
		n.clock.Advance(time.Hour)
		return complaint.Change{Actor: "quality-fang", Reason: why}
	}
	group, err := n.complaints.Group(n.ctx, tenant, ids, ch("one faulty valve batch"))
	if err != nil {
		return err
	}
	for _, to := range []complaint.Status{complaint.Acknowledged, complaint.Assessed, complaint.Investigating, complaint.ResponseProposed} {
		if _, err := n.complaints.TransitionGroup(n.ctx, tenant, group, to, ch("")); err != nil {
			return err
		}
	}
	n.clock.Set(at(time.December, 15, 16))
	done, err := n.complaints.ResolveGroup(n.ctx, tenant, group, complaint.Resolution{Remedy: complaint.Repair,
		Summary:    "Four-way valve replaced on site; heating tested at -5 degrees",
		RootCause:  complaint.RootCause{Category: "supplier_batch", Text: "valves of batch 3507 stick when the unit reverses to heating"},
		Corrective: "replace the valve in every KFR-35GW of batch 3507 sold by the dealers",
		Preventive: "incoming inspection of valves at the supplier's plant"}, ch(""))
	if err != nil {
		return err
	}
	var who []string
	for _, c := range done {
		who = append(who, label[c.ID()])
	}
	if len(done) > 0 {
		res, _ := done[0].Resolution()
		n.printf("   grouped and resolved once for %d dealers: %s\n", len(done), strings.Join(who, ", "))
		n.printf("      %s (root cause %s: %s)\n", res.Summary, res.RootCause.Category, res.RootCause.Text)
	}
	return nil
}

// suggest records the dealers' suggestions of the year on the days they
// were made, and the product committee's decisions on them at year end.
func (n *network) suggest() {
	n.clock.Set(at(time.December, 28, 9))
	n.title(fmt.Sprintf("6. Dealer suggestions, decided by the product committee on %s", calendar.DateOf(n.clock.Now())))
	for _, sg := range suggestions {
		n.do(func() error {
			d := n.dealerOf(sg.dealer)
			s, err := n.customers.Suggest(n.ctx, customer.SuggestionInput{Tenant: tenant, Author: n.ids[sg.dealer], Subject: sg.subject,
				Category: sg.category}, customer.Change{Actor: d.manager, At: at(sg.month, sg.day, 15)})
			if err != nil {
				return err
			}
			if _, err := n.customers.LogInteraction(n.ctx, tenant, s.Author(), customer.InteractionInput{Channel: customer.PhoneCall,
				Direction: customer.Inbound, Actor: d.manager, At: s.MadeAt(), Summary: "suggestion: " + s.Subject()}); err != nil {
				return err
			}
			committee := customer.Change{Actor: "product-wu"}
			if s, err = n.customers.ReviewSuggestion(n.ctx, tenant, s.ID(), committee); err != nil {
				return err
			}
			if sg.why != "" {
				committee.Reason = sg.why
				s, err = n.customers.DeclineSuggestion(n.ctx, tenant, s.ID(), committee)
			} else {
				s, err = n.customers.AdoptSuggestion(n.ctx, tenant, s.ID(), money(sg.value+" CNY"), committee)
			}
			if err != nil {
				return err
			}
			outcome := fmt.Sprintf("%s by %s, worth %s a year", s.Status(), s.AdoptedBy(), s.Value())
			if h := s.History(); s.Status() == customer.SuggestionDeclined {
				outcome = fmt.Sprintf("%s: %s", s.Status(), h[len(h)-1].Reason)
			}
			n.printf("   %s %-23s %-10s %-43s %s\n", calendar.DateOf(s.MadeAt()), d.name, s.Category(), s.Subject(), outcome)
			return nil
		})
	}
}

// standing is one dealer's year as the scorecard sees it.
type standing struct {
	dealer        dealer
	volume        crm.Money
	orders        int
	loyalty       customer.Loyalty
	figures       customer.Figures   // referrals and suggestions, from their records
	rank          scoring.DealerRank // places by volume and by the weighted model
	reward        reward
	rebate, bonus crm.Money
}

// yearEnd records the loyalty review, ranks the dealers by volume and by
// the weighted model, and prints the scorecard with its rewards.
func (n *network) yearEnd() {
	n.clock.Set(at(time.December, 31, 9))
	n.title("7. Year-end loyalty review (recorded in each dealer's history)")
	for _, r := range loyaltyReview {
		n.do(func() error {
			ch := customer.Change{Actor: n.dealerOf(r.dealer).manager, Reason: r.why}
			_, err := n.customers.MoveLoyalty(n.ctx, tenant, n.ids[r.dealer], r.to, ch)
			if err == nil && r.lifecycle != 0 {
				_, err = n.customers.MoveLifecycle(n.ctx, tenant, n.ids[r.dealer], r.lifecycle, ch)
			}
			return err
		})
	}
	for _, d := range dealers {
		n.do(func() error {
			h, err := n.history(n.ids[d.key])
			for _, e := range h {
				if e.Kind == customer.HistoryLoyalty || e.Kind == customer.HistoryLifecycle {
					n.printf("   %-23s %s %-7s %-9s %-12s -> %-12s %s\n", d.name, calendar.DateOf(e.At), e.Actor, e.Kind, e.From, e.To, e.Reason)
				}
			}
			return err
		})
	}
	var (
		st    []*standing
		model *scoring.WeightedModel
	)
	n.do(func() error {
		var err error
		st, model, err = n.standings()
		return err
	})
	if n.err != nil {
		return
	}

	n.title("8. Ranking by sales volume alone")
	byVolume := slices.Clone(st)
	slices.SortStableFunc(byVolume, func(a, b *standing) int { return a.rank.VolumeRank - b.rank.VolumeRank })
	vols := make([]float64, len(byVolume))
	for i, s := range byVolume {
		vols[i] = s.volume.Amount().InexactFloat64()
	}
	var abc scoring.ABCResult
	n.do(func() error {
		var err error
		abc, err = scoring.ClassifyABC(vols, nil)
		return err
	})
	for i, s := range byVolume {
		if n.err == nil {
			n.printf("   %d. %-23s %-21s %2d order(s) %15s  class %s\n", s.rank.VolumeRank, s.dealer.name, s.dealer.channel, s.orders, s.volume, abc.Classes[i])
		}
	}
	if n.err == nil {
		n.printf("   class A: %d dealers bring %.1f%% of the volume\n", abc.Count[0], 100*abc.Share[0])
	}

	n.title("9. Referrals and suggestions on record (from the records, 2026)")
	for _, s := range byVolume {
		f := s.figures
		n.printf("   %-23s referred %d customer(s), %d converted, worth %s; suggestions %d, %d adopted, worth %s a year\n", s.dealer.name,
			f.Referrals, f.Converted, f.ReferredRevenue, f.Suggestions, f.Adopted, f.AdoptedValue)
	}

	weights, _ := indicators()
	n.title("10. The weighted value model")
	n.printf("   dimension weights: financial %.2f, market %.2f, management %.2f\n", weights.Financial, weights.Market, weights.Management)
	for _, ind := range model.Indicators() {
		norm := ind.Normalization.String()
		if ind.Normalization == scoring.NormalizeFixed {
			norm += fmt.Sprintf(" from %g to %g", ind.Min, ind.Max)
		}
		n.printf("   %-10s %-10s weight %.2f in its dimension, normalised %s\n", ind.Name, ind.Dimension, ind.Weight, norm)
	}
	byWeight := slices.Clone(st)
	slices.SortStableFunc(byWeight, func(a, b *standing) int { return a.rank.Rank - b.rank.Rank })
	var rungs []string
	for i, l := range customer.LoyaltyLadder() {
		rungs = append(rungs, fmt.Sprintf("%d %s", i+1, l))
	}
	n.printf("   loyalty rungs: %s\n", strings.Join(rungs, ", "))
	n.printf("   %-26s %6s  %-6s %-7s %-8s %-10s\n", "", "score", "volume", "loyalty", "referral", "suggestion")
	for _, s := range byWeight {
		c := s.rank.Score.Contributions
		n.printf("   %d. %-23s %6.2f  %6.2f %7.2f %8.2f %10.2f\n", s.rank.Rank, s.dealer.name, s.rank.Score.Total, c[0], c[1], c[2], c[3])
	}

	n.title("11. Year-end dealer scorecard and rewards")
	for _, r := range rewards {
		var when []string
		if r.topRank > 0 {
			when = append(when, fmt.Sprintf("rank %d or better by value", r.topRank))
		}
		if r.minScore > 0 {
			when = append(when, fmt.Sprintf("score %g or more", r.minScore))
		}
		n.printf("   reward %-18s %-28s rebate %s of the year's volume\n", r.name, cmp.Or(strings.Join(when, ", "), "otherwise"), share(dec(r.rebate)))
	}
	n.printf("   every dealer: a referral bonus of %s of the won value it referred\n", share(dec(referralBonus)))
	n.printf("   %-23s %-21s %15s %6s %-12s %6s %8s %6s  %s\n", "dealer", "channel", "volume", "by vol", "loyalty", "score", "by value", "change", "reward")
	for _, s := range byWeight {
		n.printf("   %-23s %-21s %15s %6d %-12s %6.2f %8d %6s  %s: rebate %s, referral bonus %s\n", s.dealer.name, s.dealer.channel,
			s.volume, s.rank.VolumeRank, s.loyalty, s.rank.Score.Total, s.rank.Rank, change(s.rank.Change), s.reward.name, s.rebate, s.bonus)
	}
	total := crm.Zero(cny)
	for _, s := range st {
		n.do(func() error {
			var err error
			if total, err = total.Add(s.rebate); err == nil {
				total, err = total.Add(s.bonus)
			}
			return err
		})
	}
	n.printf("   rewards paid: %s\n", total)
	n.partnerTiers(byVolume)
	n.planReview()
	n.callsOwed()
	n.careDue()
}

// careDue lists the care the year-end moves call for in January, counted
// in business days from the day of the move.
func (n *network) careDue() {
	n.title("15. Care due in January 2027 after the year-end moves (business days)")
	from, to := n.clock.Now(), time.Date(2027, time.February, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range dealers {
		n.do(func() error {
			c, err := n.customers.Get(n.ctx, tenant, n.ids[d.key])
			if err != nil {
				return err
			}
			h, err := n.history(c.ID())
			if err != nil {
				return err
			}
			due, err := customer.DueMoveCare(care, n.cal, c, h, from, to)
			for _, a := range due {
				n.printf("   %s %-8s %-23s %-14s %-12s %s (%s)\n", a.Due, a.Owner, c.Name(), a.Type, a.Channel, a.Occasion, a.Move.Reason)
			}
			return err
		})
	}
}

// partnerTiers moves each dealer to the partner tier its volume of the
// year qualifies for and renews its membership for the next year.
func (n *network) partnerTiers(byVolume []*standing) {
	n.title("12. Partner programme tiers for 2027 (by the year's volume)")
	for _, t := range partners.Tiers {
		from := "any volume"
		if !t.MinSpend.IsZero() {
			from = "from " + t.MinSpend.String()
		}
		n.printf("   %-10s %-20s %s\n", t.Name, from, strings.Join(t.Benefits, ", "))
	}
	for _, s := range byVolume {
		n.do(func() error {
			t, _, err := partners.Qualify(0, s.volume)
			if err != nil {
				return err
			}
			id, ch := n.members[s.dealer.key], customer.Change{Actor: "channel-director", Reason: "2026 volume " + s.volume.String()}
			m, err := n.customers.GetMembership(n.ctx, tenant, id)
			if err != nil {
				return err
			}
			_, was, _ := partners.Tier(m.Tier())
			_, is, _ := partners.Tier(t.Name)
			move := "stays " + t.Name
			if is != was {
				if m, err = n.customers.MoveTier(n.ctx, tenant, id, partners, t.Name, ch); err != nil {
					return err
				}
				step, dir := m.History()[len(m.History())-1], "down"
				if is > was {
					dir = "up"
				}
				move = fmt.Sprintf("%s to %s from %s", dir, step.To, step.From)
			}
			if m, err = n.customers.RenewMembership(n.ctx, tenant, id, partners, ch); err != nil {
				return err
			}
			n.printf("   %-23s %15s  %-33s renewed to %s\n", s.dealer.name, s.volume, move, calendar.DateOf(m.TermEnd()))
			return nil
		})
	}
}

// planReview closes the key account plan at year end and prints how far
// each goal got.
func (n *network) planReview() {
	n.title("13. The key account plan at year end")
	n.do(func() error {
		p, err := n.customers.CloseAccountPlan(n.ctx, tenant, n.plan, customer.Change{Actor: "channel-director", Reason: "the year is over"})
		if err != nil {
			return err
		}
		n.printf("   %s, plan %q (%s)\n", n.dealerOf(keyPlan.dealer).name, p.Name(), p.Status())
		for _, g := range p.ProgressAt(n.clock.Now()) {
			achieved, target := g.Achieved.String(), g.Goal.Target.String()
			if m, ok := g.Goal.TargetMoney(); ok {
				target = m.String()
				achieved = g.Achieved.StringFixed(2) + " " + m.Currency().Code()
			}
			verdict := "not met"
			if g.Met {
				verdict = "met"
			}
			n.printf("   %-16s %s of %s (%.1f%%) from %d entries: %s\n", g.Goal.Name, achieved, target, g.Percent, g.Entries, verdict)
		}
		return nil
	})
}

// callsOwed lists, per channel manager, the dealers overdue for contact
// under the cadence at year end.
func (n *network) callsOwed() {
	policy := cadence(n.cal)
	n.title(fmt.Sprintf("14. Calls owed at year end (every dealer within %d business days, Monday to Friday, National Day week off)", policy.Rules[0].Days))
	n.do(func() error {
		owed, err := n.customers.OverdueForContact(n.ctx, tenant, policy, n.clock.Now(), customer.OverdueQuery{})
		if err != nil {
			return err
		}
		for _, g := range owed {
			for _, c := range g.Contacts {
				n.printf("   %-8s %-23s last contact %s, due by %s, %2d business day(s) overdue\n", g.Owner, c.Customer.Name(),
					calendar.DateOf(c.LastContact), calendar.DateOf(c.DueAt), c.DaysOverdue)
			}
		}
		return nil
	})
}

// history reads a customer's whole history, page by page.
func (n *network) history(id crm.ID) ([]customer.HistoryEntry, error) {
	var out []customer.HistoryEntry
	for page := (crm.PageRequest{}); ; {
		h, err := n.customers.History(n.ctx, tenant, id, page)
		if err != nil {
			return nil, err
		}
		out = append(out, h.Items...)
		if h.Next == "" {
			return out, nil
		}
		page.Cursor = h.Next
	}
}

// change writes a rank change: "+4" for four places up, "=" for none.
func change(places int) string {
	if places == 0 {
		return "="
	}
	return fmt.Sprintf("%+d", places)
}

// standings gathers each dealer's year from the store, ranks the dealers
// by volume and by the weighted model, and decides their rewards.
func (n *network) standings() ([]*standing, *scoring.WeightedModel, error) {
	figures, err := n.customers.RelationFigures(n.ctx, tenant, at(time.January, 1, 0), time.Date(2027, time.January, 1, 0, 0, 0, 0, time.UTC), cny)
	if err != nil {
		return nil, nil, err
	}
	var (
		st   []*standing
		figs []scoring.DealerFigures
	)
	for _, d := range dealers {
		id := n.ids[d.key]
		won, err := n.sales.Deals(n.ctx, tenant, opportunity.Query{Customer: id, Statuses: []opportunity.Status{opportunity.Won}})
		if err != nil {
			return nil, nil, err
		}
		vol := crm.Zero(cny)
		for _, w := range won {
			if vol, err = vol.Add(w.Amount); err != nil {
				return nil, nil, err
			}
		}
		c, err := n.customers.Get(n.ctx, tenant, id)
		if err != nil {
			return nil, nil, err
		}
		f, ok := figures[id]
		if !ok { // no referral and no suggestion on record
			f.ReferredRevenue, f.AdoptedValue = crm.Zero(cny), crm.Zero(cny)
		}
		st = append(st, &standing{dealer: d, volume: vol, orders: len(won), loyalty: c.Loyalty(), figures: f})
		figs = append(figs, scoring.DealerFigures{Dealer: id, Name: d.name, Volume: vol.Amount().InexactFloat64(),
			Loyalty: float64(slices.Index(customer.LoyaltyLadder(), c.Loyalty()) + 1), Referrals: f.ReferralValue(), Suggestions: f.SuggestionValue()})
	}
	weights, inds := indicators()
	model, err := scoring.NewWeightedModel(weights, inds)
	if err != nil {
		return nil, nil, err
	}
	ranks, err := scoring.RankDealers(figs, model)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range ranks {
		s := st[slices.IndexFunc(st, func(s *standing) bool { return n.ids[s.dealer.key] == r.Dealer })]
		s.rank = r
		s.reward, s.rebate, s.bonus = decide(r, s.volume, s.figures.ReferredRevenue)
	}
	return st, model, nil
}

// decide applies the reward rules to one dealer's place and score: the
// first rung it meets, its rebate on volume and the referral bonus on the
// won value it referred, each rounded half up to the cent.
func decide(r scoring.DealerRank, volume, referred crm.Money) (reward, crm.Money, crm.Money) {
	var rw reward
	for _, rw = range rewards {
		if (rw.topRank == 0 || r.Rank <= rw.topRank) && r.Score.Total >= rw.minScore {
			break
		}
	}
	return rw, volume.Mul(dec(rw.rebate)).Round(crm.RoundHalfUp), referred.Mul(dec(referralBonus)).Round(crm.RoundHalfUp)
}
