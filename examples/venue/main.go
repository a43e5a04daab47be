// Command venue runs the customer programme of a shopping-and-leisure
// quarter, Riverside Quarter, whose two kinds of customers share one
// tenant: visitors (members of its club) and merchants (the shops and
// restaurants that lease its units). One person may be both: a noodle-bar
// owner who also signs up as a member.
//
// The report follows a season: members signed up online and at the
// service desk are deduplicated and merged, keeping their history; the
// members who agreed to e-mail (a segment kept as data) get the autumn
// campaign; its responses are captured as leads with a duplicate check,
// routed by rules and worked through their stages; a coffee chain's
// leasing lead is qualified and converts into a merchant customer and a
// lease opportunity, priced by area, season and payment term and won;
// party bookings from members are won too; merchants' and visitors'
// complaints run under different service levels on different business
// calendars, and a breach is reported once; the club's members move
// between tiers at the month's end; then come the visitors' RFM segments,
// the campaigns' lead funnel and their return, and it ends with the
// leasing team's list: merchants overdue for a call under the contact
// rhythm (tighter for the anchor, a key account), the care a signed lease
// set off, and the anchor's account plan against its goals. Everything it
// prints comes from the library, fed with the host's rules and data.
//
//	go run ./examples/venue
//
// With CRM_EXAMPLE_POSTGRES_DSN set it runs on a fresh PostgreSQL schema
// and prints the same report.
package main

import (
	"cmp"
	"context"
	"errors"
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
	"github.com/crmkit/crm/storage"
)

const tenant crm.TenantID = "riverside-quarter"

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "venue:", err)
		os.Exit(1)
	}
}

// venue holds the services, the clock and what the report needs to name
// things; it keeps the first error, after which every step does nothing.
type venue struct {
	ctx       context.Context
	loc       *time.Location
	clock     *crm.ManualClock
	store     storage.Store // memberships are listed from it: the Service has no list of them
	customers *customer.Service
	leads     *lead.Service
	sales     *opportunity.Service
	care      *complaint.Service
	guest     *calendar.Calendar // the guest desk's hours: the venue's working time
	leasing   *calendar.Calendar // the leasing office's hours: the merchants' working time
	w         io.Writer
	err       error
	name      map[crm.ID]string // customer, lead or campaign -> name
	member    map[string]crm.ID // member name -> surviving customer
	plan      crm.ID            // the anchor merchant's account plan
}

// run is the whole season; it writes a readable report to w.
func run(ctx context.Context, w io.Writer) error {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	clock := crm.NewManualClock(time.Date(2026, time.September, 1, 10, 0, 0, 0, loc))
	ids := crm.NewSequentialIDs(clock)
	b, err := backend.Open(ctx, "venue")
	if err != nil {
		return err
	}
	defer func() { _ = b.Close(context.WithoutCancel(ctx)) }()
	store := b.Store
	v := &venue{ctx: ctx, loc: loc, clock: clock, store: store, w: w, name: map[crm.ID]string{}, member: map[string]crm.ID{}}

	guest, leasing, err := calendars()
	if err != nil {
		return err
	}
	router, err := lead.NewRouter(routing(), nil)
	if err != nil {
		return err
	}
	cats, err := categories()
	if err != nil {
		return err
	}
	dups := duplicateRules()
	if v.customers, err = customer.NewService(store, &customer.Options{Clock: clock, IDs: ids, DuplicateRules: &dups}); err != nil {
		return err
	}
	if v.leads, err = lead.NewService(store, &lead.Options{Clock: clock, IDs: ids, Router: router, Policy: lead.AttachToLead,
		DuplicateRules: &dups}); err != nil {
		return err
	}
	if v.sales, err = opportunity.NewService(store, &opportunity.Options{Clock: clock, IDs: ids,
		Pipelines: pipelines(), Pricing: []opportunity.PricingRules{pricing()}}); err != nil {
		return err
	}
	if v.care, err = complaint.NewService(store, &complaint.Options{Clock: clock, IDs: ids, Categories: cats,
		Policies: policies(), Calendars: map[string]*calendar.Calendar{"guest": guest, "leasing": leasing}, Facts: facts}); err != nil {
		return err
	}

	v.guest, v.leasing = guest, leasing
	v.setUp(guest, leasing)
	v.members(purchases(loc))
	camps := v.campaign()
	leasingLead, parties := v.captureLeads(camps)
	v.lease(leasingLead)
	v.partyBookings(parties)
	v.complaints()
	ps := purchases(v.loc)
	v.tiers(ps)
	v.rfm(ps)
	v.roi(camps)
	v.toDo()
	return v.err
}

// --- set-up, as data -------------------------------------------------

// calendars returns the guest-services desk, open every day while the
// quarter is, and the leasing office, open on weekdays; the National Day
// holiday closes the office, not the desk.
func calendars() (guest, leasing *calendar.Calendar, err error) {
	day := func(h1, h2 int) []calendar.Span {
		return []calendar.Span{{Start: calendar.At(h1, 0), End: calendar.At(h2, 0)}}
	}
	var everyDay, weekdays calendar.Week
	for d := time.Sunday; d <= time.Saturday; d++ {
		everyDay[d] = day(10, 22)
		if d != time.Saturday && d != time.Sunday {
			weekdays[d] = day(9, 18)
		}
	}
	guest, err = calendar.New(calendar.Config{Name: "Guest services", TimeZone: "Asia/Shanghai", Week: everyDay})
	if err != nil {
		return nil, nil, err
	}
	var holidays []calendar.Date
	for d := 1; d <= 7; d++ {
		holidays = append(holidays, calendar.Date{Year: 2026, Month: time.October, Day: d})
	}
	leasing, err = calendar.New(calendar.Config{Name: "Leasing office", TimeZone: "Asia/Shanghai", Week: weekdays, Holidays: holidays})
	return guest, leasing, err
}

// categories is the complaint category tree: what merchants raise about
// their tenancy, and what visitors raise about their visit.
func categories() (*complaint.CategoryTree, error) {
	return complaint.NewCategoryTree([]complaint.Category{
		{Code: "tenancy"}, {Code: "hvac", Parent: "tenancy"}, {Code: "billing", Parent: "tenancy"},
		{Code: "visit"}, {Code: "parking", Parent: "visit"}, {Code: "cleanliness", Parent: "visit"}, {Code: "staff", Parent: "visit"},
	})
}

// duplicateRules are the venue's duplicate rules as data: a shared e-mail
// address or phone number nearly decides, a similar name adds to it.
func duplicateRules() customer.DuplicateRules {
	return customer.DuplicateRules{EmailWeight: 0.85, PhoneWeight: 0.8, NameWeight: 0.5, AddressWeight: 0.4, NameThreshold: 0.88, MinScore: 0.6}
}

// facts tells the complaint policies which side of the quarter a customer
// is on: a merchant, or a visitor.
func facts(c *customer.Customer) complaint.CustomerFacts {
	if c.HasRole(customer.Merchant) {
		return complaint.CustomerFacts{Class: "merchant"}
	}
	return complaint.CustomerFacts{Class: "visitor"}
}

// policies are the service levels: a merchant's tenancy problem stops a
// business and runs on the leasing office's hours; a visitor's complaint
// runs on the guest desk's hours and is answered within the visit.
func policies() *complaint.PolicySet {
	warn := func(d time.Duration) calendar.Thresholds { return calendar.Thresholds{Target: d, WarnAt: 0.75} }
	return &complaint.PolicySet{
		Policies: []complaint.Policy{
			{Name: "merchant tenancy", Calendar: "leasing",
				Match:   complaint.PolicyMatch{Categories: []string{"tenancy"}, CustomerClasses: []string{"merchant"}},
				Targets: complaint.Targets{Acknowledge: warn(time.Hour), FirstResponse: warn(2 * time.Hour), Resolution: warn(9 * time.Hour)}},
			{Name: "visitor", Calendar: "guest",
				Match:   complaint.PolicyMatch{Categories: []string{"visit"}},
				Targets: complaint.Targets{Acknowledge: warn(30 * time.Minute), FirstResponse: warn(2 * time.Hour), Resolution: warn(24 * time.Hour)}},
		},
		Default: complaint.Policy{Name: "standard", Calendar: "guest",
			Targets: complaint.Targets{Acknowledge: warn(4 * time.Hour), Resolution: warn(48 * time.Hour)}},
	}
}

// routing sends leasing enquiries (leads with an industry) to the leasing
// team and every other lead to the events team.
func routing() lead.Rules {
	return lead.Rules{
		People: []lead.Person{
			{ID: "leasing.gao", Capacity: 10, Seniority: 3}, {ID: "leasing.lin", Capacity: 10, Seniority: 1},
			{ID: "events.he", Capacity: 10}, {ID: "events.qiu", Capacity: 10},
		},
		Rules: []lead.Rule{
			{Name: "leasing", Territory: lead.Territory{Industries: []string{"food and beverage", "retail", "leisure"}},
				People: []crm.UserID{"leasing.gao", "leasing.lin"}},
			{Name: "events", People: []crm.UserID{"events.he", "events.qiu"}},
		},
	}
}

// pipelines are the leasing process and the event-hall bookings.
func pipelines() []*opportunity.Pipeline {
	return []*opportunity.Pipeline{
		{Code: "leasing", Team: "leasing", Stages: []opportunity.StageDef{
			{Code: "enquiry", Probability: 0.1},
			{Code: "viewing", Probability: 0.3, Requires: []opportunity.Field{opportunity.FieldContact}},
			{Code: "offer", Probability: 0.6, Category: opportunity.CategoryBestCase, Requires: []opportunity.Field{opportunity.FieldAmount, opportunity.FieldCloseDate}},
			{Code: "lease signing", Probability: 0.9, Category: opportunity.CategoryCommit, Requires: []opportunity.Field{opportunity.FieldApproval}},
		}, WinFrom: "offer", LostReasons: []string{"rent", "location", "timing"}},
		{Code: "events", Team: "events", Stages: []opportunity.StageDef{
			{Code: "enquiry", Probability: 0.2},
			{Code: "quote", Probability: 0.6, Requires: []opportunity.Field{opportunity.FieldAmount}},
		}, WinFrom: "quote"},
	}
}

// pricing prices a unit's rent per square metre and month: larger
// take-ups earn a volume discount, the autumn opening season 10% on rent,
// payment within a week 3%; beyond 12% off the leasing director approves.
func pricing() opportunity.PricingRules {
	return opportunity.PricingRules{
		Currency: crm.MustCurrency("CNY"),
		PriceLists: []opportunity.PriceList{{ID: "rent-2026", Prices: []opportunity.ListPrice{
			{Code: "rent-m2-month", Price: money("420.00 CNY")}, {Code: "service-m2-month", Price: money("45.00 CNY")},
			{Code: "hall-evening", Price: money("6800.00 CNY")}, {Code: "party-guest", Price: money("168.00 CNY")},
		}}},
		Tiers: []opportunity.VolumeTier{
			{ID: "500+ m2-months", Code: "rent-m2-month", Min: dec("500"), Max: dec("1500"), Discount: dec("0.05")},
			{ID: "1500+ m2-months", Code: "rent-m2-month", Min: dec("1500"), Discount: dec("0.08")},
		},
		Terms: []opportunity.PaymentTerm{
			{ID: "in advance", FromDays: 0, ToDays: 7, Percent: dec("-0.03")},
			{ID: "monthly", FromDays: 8, ToDays: 30, Percent: dec("0")},
		},
		Seasons: []opportunity.Season{{ID: "autumn opening", From: date(time.September, 1), To: date(time.October, 31),
			Codes: []string{"rent-m2-month"}, Percent: dec("-0.10")}},
		ApprovalThreshold: dec("0.12"),
	}
}

// setUp prints the venue's rules, all of them data the host keeps.
func (v *venue) setUp(guest, leasing *calendar.Calendar) {
	v.title("1. Set-up: calendars, service levels, lead routing, pipelines, prices")
	for _, cal := range []*calendar.Calendar{guest, leasing} {
		var days []string
		for d := 28; d <= 30; d++ {
			days = append(days, v.hours(cal, time.Date(2026, time.September, d, 12, 0, 0, 0, v.loc)))
		}
		days = append(days, v.hours(cal, time.Date(2026, time.October, 1, 12, 0, 0, 0, v.loc)))
		v.line("calendar %-14s %s", cal.Name(), strings.Join(days, ", "))
	}
	ps := policies()
	for _, p := range append(slices.Clone(ps.Policies), ps.Default) {
		who := cmp.Or(strings.Join(p.Match.CustomerClasses, ","), "anyone")
		what := cmp.Or(strings.Join(p.Match.Categories, ","), "anything")
		v.line("policy %-16s %-8s about %-8s on %-7s hours: acknowledge %-4s resolve %s", p.Name, who, what, p.Calendar,
			dur(p.Targets.Acknowledge.Target), dur(p.Targets.Resolution.Target))
	}
	for _, r := range routing().Rules {
		v.line("lead rule %-8s %-40s -> %v", r.Name, cmp.Or(strings.Join(r.Territory.Industries, ", "), "any other lead"), r.People)
	}
	for _, p := range pipelines() {
		var st []string
		for _, s := range p.Stages {
			st = append(st, fmt.Sprintf("%s %.0f%%", s.Code, 100*s.Probability))
		}
		v.line("pipeline %-8s %s; won from %s", p.Code, strings.Join(st, " > "), p.WinFrom)
	}
	pr := pricing()
	for _, p := range pr.PriceLists[0].Prices {
		v.line("price %-17s %s", p.Code, p.Price)
	}
}

// --- 2. members, online and offline, deduplicated ---------------------

// signUp is a membership form as it arrives.
type signUp struct {
	name, email, phone string
	channel            customer.Channel
	emailOK, smsOK     bool
	day                int
}

// members stores the merchant on file and the month's membership sign-ups
// with their consents, then runs the desk's duplicate check and merges
// each desk sign-up into the earlier record.
func (v *venue) members(ps []purchase) {
	v.title("2. Members signed up online and at the service desk, deduplicated")
	r := duplicateRules()
	v.line("duplicate rules: e-mail %.2f, phone %.2f, name %.2f (from similarity %.2f), address %.2f; a pair from score %.2f",
		r.EmailWeight, r.PhoneWeight, r.NameWeight, r.NameThreshold, r.AddressWeight, r.MinScore)
	// Wu Hao runs Wu's Noodle Bar in unit B-12: a merchant on file
	// before the season, looked after by the leasing manager.
	wu := v.create(customer.NewInput{Tenant: tenant, Kind: customer.Person, Name: "Wu Hao", Roles: []customer.Role{customer.Merchant},
		Owner: "leasing.gao", Phones: []customer.Phone{phone("+86 137 2000 0002")}, Emails: []customer.Email{email("wu@noodlebar.example")},
		TimeZone: "Asia/Shanghai"}, customer.Change{Actor: "leasing.gao", At: v.at(time.March, 2, 10, 0), Reason: "lease of unit B-12"})
	for _, f := range []signUp{
		{"Chen Yu", "chen.yu@mail.example", "+86 139 1000 0001", customer.Web, true, true, 1},
		{"Lin Mei", "lin.mei@mail.example", "", customer.Web, true, false, 1},
		{"Guo Jun", "guo.jun@mail.example", "+86 139 1000 0003", customer.Web, true, false, 2},
		{"Hu Lan", "hu.lan@mail.example", "", customer.Web, false, false, 2},
		{"Ma Rui", "", "+86 139 1000 0005", customer.MobileMessage, false, true, 3},
		{"Song Jia", "song.jia@mail.example", "", customer.Web, true, false, 3},
		// At the service desk, on paper.
		{"CHEN Yu", "", "139-1000-0001", customer.FaceToFace, false, true, 5},
		{"Lin  Mei", "LIN.MEI@mail.example", "", customer.FaceToFace, true, false, 5},
		{"Wu Hao", "", "13720000002", customer.FaceToFace, true, false, 6},
		{"Tang Bo", "tang.bo@mail.example", "", customer.FaceToFace, true, false, 6},
	} {
		at := v.at(time.September, f.day, 11, 0)
		in := customer.NewInput{Tenant: tenant, Kind: customer.Person, Name: f.name, Roles: []customer.Role{customer.Visitor},
			Owner: "member.desk", TimeZone: "Asia/Shanghai"}
		if f.email != "" {
			in.Emails = []customer.Email{email(f.email)}
		}
		if f.phone != "" {
			p, err := customer.ParsePhone(f.phone, "CN")
			if err != nil {
				v.fail(err)
				return
			}
			in.Phones = []customer.Phone{p}
		}
		source := map[customer.Channel]string{customer.Web: "web sign-up", customer.MobileMessage: "SMS keyword", customer.FaceToFace: "service desk form"}[f.channel]
		ch := customer.Change{Actor: "member.desk", At: at, Reason: source}
		id := v.create(in, ch)
		v.update(id, func(c *customer.Customer) error {
			if f.email != "" {
				if err := c.SetConsent(customer.EmailChannel, f.emailOK, source, ch); err != nil {
					return err
				}
			}
			if f.phone != "" {
				return c.SetConsent(customer.MobileMessage, f.smsOK, source, ch)
			}
			return nil
		})
		v.logContact(id, customer.InteractionInput{Channel: f.channel, Direction: customer.Inbound, Actor: "member.desk", At: at,
			Summary: "membership sign-up (" + source + ")"})
		// An online sign-up joins the club at once; a paper form waits
		// for the desk's duplicate check.
		if f.channel != customer.FaceToFace {
			if _, already := v.join(id, ps); already {
				v.fail(fmt.Errorf("%s signed up online twice", f.name))
			}
		}
	}
	if v.err != nil {
		return
	}
	all := v.list(customer.Query{})
	merchants := v.list(customer.Query{Role: customer.Merchant})
	v.line("%d records on file: %d merchant, %d member sign-ups; %d joined the club online", len(all), len(merchants),
		len(v.list(customer.Query{Role: customer.Visitor})), len(v.memberships(v.clock.Now())))

	// The desk's nightly duplicate check: each desk sign-up against
	// everyone on file, merged into the earlier record, which survives;
	// then the club enrols the customer that remains, and refuses a
	// second membership of one who already holds one.
	v.clock.Set(v.at(time.September, 6, 22, 0))
	for _, c := range all {
		if v.err != nil || c.CreatedAt().Before(v.at(time.September, 5, 0, 0)) {
			continue
		}
		cands, err := v.customers.FindDuplicates(v.ctx, tenant, c.ID())
		if err != nil {
			v.fail(err)
			return
		}
		for _, d := range cands {
			var why []string
			for _, r := range d.Reasons {
				why = append(why, r.Kind+" "+r.Detail)
			}
			v.line("desk sign-up %-9q looks like %-8s score %.2f: %s", c.Name(), v.name[d.B], d.Score, strings.Join(why, "; "))
		}
		if len(cands) == 0 {
			v.line("desk sign-up %-9q is new", c.Name())
			v.enrol(c.ID(), ps)
			continue
		}
		survivor := cands[0].B
		if _, err := v.customers.Merge(v.ctx, tenant, survivor, c.ID(), customer.Survivorship{},
			customer.Change{Actor: "member.desk", Reason: "duplicate sign-up"}); err != nil {
			v.fail(err)
			return
		}
		m, err := v.customers.Get(v.ctx, tenant, survivor)
		if err != nil {
			v.fail(err)
			return
		}
		var contacts []string
		for _, e := range m.Emails() {
			contacts = append(contacts, e.String())
		}
		for _, p := range m.Phones() {
			contacts = append(contacts, p.String())
		}
		v.line("  merged into the earlier record: roles %v, owner %s, %s; may e-mail %v, may text %v", m.Roles(), m.Owner(),
			strings.Join(contacts, ", "), m.MayContact(customer.EmailChannel), m.MayContact(customer.MobileMessage))
		v.enrol(survivor, ps)
	}
	if v.err != nil {
		return
	}
	wuNow, err := v.customers.Get(v.ctx, tenant, wu)
	if err != nil {
		v.fail(err)
		return
	}
	h, err := v.customers.History(v.ctx, tenant, wu, crm.PageRequest{})
	if err != nil {
		v.fail(err)
		return
	}
	ins, err := v.customers.Interactions(v.ctx, tenant, wu, crm.PageRequest{})
	if err != nil {
		v.fail(err)
		return
	}
	v.line("Wu Hao is one customer with roles %v, owner %s; history %d entries, contacts %d (the desk sign-up moved over)",
		wuNow.Roles(), wuNow.Owner(), len(h.Items), len(ins.Items))
	for _, e := range h.Items {
		moved := ""
		if e.OriginID != e.CustomerID {
			moved = " (moved from the desk record)"
		}
		v.line("  %s %-8s %-24s by %-11s %s%s", v.when(e.At), e.Kind, v.label(e.To), e.Actor, e.Reason, moved)
	}
	members := v.memberships(v.clock.Now())
	for _, m := range members {
		v.member[v.name[m.Customer()]] = m.Customer()
	}
	v.line("members after the check: %d", len(members))
}

// club is the venue's membership programme as data: three tiers by the
// spend at the quarter's tills in the last twelve months, each with its
// benefits, joined or renewed for a year.
func club() customer.Programme {
	return customer.Programme{Name: "riverside-club", TermMonths: 12, Tiers: []customer.Tier{
		{Name: "silver", Benefits: []string{"member prices at the food court"}},
		{Name: "gold", MinSpend: money("3000.00 CNY"), Benefits: []string{"member prices", "free parking at weekends"}},
		{Name: "platinum", MinSpend: money("10000.00 CNY"), Benefits: []string{"member prices", "free parking", "lounge", "valet", "event previews"}},
	}}
}

// qualify returns the club's tier for what who spent in the twelve months
// up to at, and that spend.
func (v *venue) qualify(ps []purchase, who string, at time.Time) (customer.Tier, crm.Money) {
	spent, err := crm.NewMoney(decimal.NewFromFloat(spend(ps, who, at)).Round(2), crm.MustCurrency("CNY"))
	if err != nil {
		v.fail(err)
		return customer.Tier{}, spent
	}
	t, ok, err := club().Qualify(0, spent)
	if err == nil && !ok {
		err = fmt.Errorf("no tier of the club for %s", spent)
	}
	if err != nil {
		v.fail(err)
	}
	return t, spent
}

// join enrols customer id in the club now, in the tier the last twelve
// months' spend qualifies for; already says the club refused a second
// membership of the customer. Any other refusal is the run's error.
func (v *venue) join(id crm.ID, ps []purchase) (m *customer.Membership, already bool) {
	if v.err != nil {
		return nil, false
	}
	t, _ := v.qualify(ps, v.name[id], v.clock.Now())
	if v.err != nil {
		return nil, false
	}
	m, err := v.customers.Join(v.ctx, customer.MembershipInput{Tenant: tenant, Customer: id, Programme: club(), Tier: t.Name},
		customer.Change{Actor: "member.desk", Reason: "sign-up"})
	if errors.Is(err, crm.ErrDuplicate) {
		return nil, true
	}
	if err != nil {
		v.fail(fmt.Errorf("join %s: %w", v.name[id], err))
	}
	return m, false
}

// enrol enrols a desk sign-up's customer after the duplicate check and
// says what the club made of it.
func (v *venue) enrol(id crm.ID, ps []purchase) {
	switch m, already := v.join(id, ps); {
	case already:
		v.line("  the club refuses a second membership: %s is a member already", v.name[id])
	case m != nil:
		v.line("  %s joins the club as %s", v.name[id], m.Tier())
	}
}

// memberships returns the club's memberships active at at, in the order
// the members joined, read from the store.
func (v *venue) memberships(at time.Time) []*customer.Membership {
	return v.listMemberships(customer.MembershipQuery{Programme: club().Name,
		Statuses: []customer.MembershipStatus{customer.MembershipActive}, At: at})
}

// listMemberships returns every membership matching q, page after page.
func (v *venue) listMemberships(q customer.MembershipQuery) []*customer.Membership {
	var out []*customer.Membership
	req := crm.PageRequest{}
	for v.err == nil {
		page, err := v.store.Memberships().List(v.ctx, tenant, q, req)
		if err != nil {
			v.fail(err)
			return nil
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			break
		}
		req.Cursor = page.Next
	}
	return out
}

// --- 3. a consented segment and the campaigns -------------------------

// segmentJSON is the campaign's target segment as the marketing team keeps
// it: members (visitors) who agreed to marketing e-mail.
const segmentJSON = `{"name": "members who accept e-mail", "match": "all", "conditions": [
  {"field": "role", "op": "eq", "value": "visitor"},
  {"field": "consent.email", "op": "eq", "value": "true"}]}`

// campaigns are the season's two campaigns.
type campaigns struct {
	lanterns, openDay *lead.Campaign
}

// campaign creates the two campaigns, targets the consented segment with
// the e-mail one and records the members' responses.
func (v *venue) campaign() campaigns {
	v.title("3. The consented segment and the autumn campaigns")
	var seg customer.Segment
	if err := crm.DecodeJSON([]byte(segmentJSON), &seg, "segment"); err != nil {
		v.fail(err)
		return campaigns{}
	}
	if err := seg.Validate(); err != nil {
		v.fail(err)
		return campaigns{}
	}
	v.clock.Set(v.at(time.September, 7, 9, 0))
	var out campaigns
	out.lanterns = v.createCampaign(lead.CampaignInput{Tenant: tenant, Name: "Autumn Lantern Nights", Channel: lead.CampaignEmail,
		Start: v.at(time.September, 7, 0, 0), End: v.at(time.October, 8, 0, 0), Budget: money("15000.00 CNY"), Cost: money("12000.00 CNY"), Segment: seg})
	out.openDay = v.createCampaign(lead.CampaignInput{Tenant: tenant, Name: "Leasing open day", Channel: lead.CampaignTradeShow,
		Start: v.at(time.September, 12, 0, 0), End: v.at(time.September, 13, 0, 0), Budget: money("8000.00 CNY"), Cost: money("6000.00 CNY")})
	if v.err != nil {
		return out
	}
	v.line("segment %q (the host's JSON): %s", seg.Name, conditions(seg))
	targets := v.list(customer.Query{Segment: &seg})
	var names, left []string
	for _, c := range targets {
		names = append(names, c.Name())
	}
	for _, c := range v.list(customer.Query{}) {
		if _, member := v.member[c.Name()]; member && !seg.Matches(c) {
			why := "no e-mail consent"
			if cs, ok := c.Consent(customer.EmailChannel); ok && !cs.Granted {
				why = "refused e-mail"
			}
			left = append(left, c.Name()+" ("+why+")")
		}
	}
	v.line("in the segment: %s", strings.Join(names, ", "))
	v.line("left out: %s", strings.Join(left, ", "))
	if _, err := v.leads.UpdateCampaign(v.ctx, tenant, out.lanterns.ID(), func(c *lead.Campaign) error {
		for _, m := range targets {
			if err := c.AddMember(lead.MatchCustomer, m.ID(), lead.Change{Actor: "marketing.xu", At: v.clock.Now()}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		v.fail(err)
		return out
	}
	responses := map[string]string{"Chen Yu": "clicked", "Guo Jun": "registered", "Song Jia": "clicked"}
	v.clock.Set(v.at(time.September, 8, 20, 0))
	c, err := v.leads.UpdateCampaign(v.ctx, tenant, out.lanterns.ID(), func(c *lead.Campaign) error {
		for _, m := range targets {
			if r, ok := responses[m.Name()]; ok {
				if err := c.RecordResponse(m.ID(), r, lead.Change{Actor: "mailer", At: v.clock.Now()}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		v.fail(err)
		return out
	}
	out.lanterns = c
	for _, k := range []*lead.Campaign{out.lanterns, out.openDay} {
		start, end := k.Period()
		v.line("campaign %-21s %-10s %s to %s budget %s cost %s, %d members, %d responses", k.Name(), k.Channel(),
			start.In(v.loc).Format("01-02"), end.In(v.loc).Add(-time.Second).Format("01-02"), k.Budget(), k.Cost(), len(k.Members()), k.Responses())
	}
	return out
}

// --- 4. leads: capture with a duplicate check, routing, stages --------

// capture is one lead as the web form, the open-day desk or the phone
// line hands it over.
type capture struct {
	at       time.Time
	in       lead.NewInput
	describe string
}

// captureLeads captures the campaigns' responses as leads, each checked
// for duplicates and routed, and works them through their stages; it
// returns the leasing lead and the two party leads.
func (v *venue) captureLeads(k campaigns) (leasingLead crm.ID, parties []crm.ID) {
	v.title("4. Leads from the campaigns: captured, checked for duplicates, routed, worked")
	if v.err != nil {
		return crm.NilID, nil
	}
	viaLanterns := lead.Source{Kind: lead.SourceCampaign, Detail: "lantern nights mail", Campaign: k.lanterns.ID()}
	viaOpenDay := lead.Source{Kind: lead.SourceEvent, Detail: "leasing open day", Campaign: k.openDay.ID()}
	consent := map[customer.Channel]customer.Consent{customer.EmailChannel: {Granted: true, Source: "enquiry form"}}
	ids := map[string]crm.ID{}
	captureAll := func(cs ...capture) {
		for _, c := range cs {
			if v.err != nil {
				return
			}
			v.clock.Set(c.at)
			c.in.Tenant = tenant
			res, err := v.leads.Capture(v.ctx, c.in, lead.Change{Actor: "web"})
			if err != nil {
				v.fail(fmt.Errorf("capture %s: %w", c.in.Name, err))
				return
			}
			l := res.Lead
			v.name[l.ID()] = l.Name()
			outcome := "new lead"
			switch res.Resolution.Action {
			case lead.ActionAttach:
				outcome = "attached to the open lead"
			case lead.ActionLinkCustomer:
				outcome = "new lead linked to member " + v.name[l.Customer()]
			}
			owner := "unassigned"
			switch {
			case res.Decision.Assigned:
				owner = fmt.Sprintf("%s (rule %s)", res.Decision.Owner, res.Decision.Rule)
			case l.Owner() != "":
				owner = "stays with " + string(l.Owner())
			}
			v.line("%s %-17s %-19s %-42s -> %s", v.when(c.at), c.in.Name, c.describe, outcome, owner)
			ids[c.describe] = l.ID()
		}
	}
	type move struct {
		what  string
		to    lead.Stage
		at    time.Time
		actor crm.UserID
		why   string
	}
	moveAll := func(ms ...move) {
		for _, m := range ms {
			if v.err != nil {
				return
			}
			v.clock.Set(m.at)
			if _, err := v.leads.Move(v.ctx, tenant, ids[m.what], m.to, lead.Change{Actor: m.actor, Reason: m.why}); err != nil {
				v.fail(fmt.Errorf("move %s to %s: %w", m.what, m.to, err))
				return
			}
		}
	}
	captureAll(
		capture{v.at(time.September, 9, 10, 5), lead.NewInput{Name: "Chen Yu", Emails: []string{"chen.yu@mail.example"}, Topics: []string{"birthday party"},
			Channel: customer.Web, Source: viaLanterns, Payload: `{"form":"party","guests":20}`}, "birthday party"},
		capture{v.at(time.September, 9, 14, 30), lead.NewInput{Name: "Guo Jun", Emails: []string{"guo.jun@mail.example"}, Topics: []string{"company dinner"},
			Channel: customer.Web, Source: viaLanterns, Payload: `{"form":"party","guests":60}`}, "company dinner"},
		capture{v.at(time.September, 10, 11, 0), lead.NewInput{Kind: customer.Organization, Name: "Blue Whale Coffee", Company: "Blue Whale Coffee",
			Industry: "Food and Beverage", CompanySize: 120, Emails: []string{"zhao.lei@bluewhale.example"}, Phones: []string{"021 6200 8800"},
			DefaultRegion: "CN", Consents: consent, Channel: customer.Web, Source: viaLanterns, Payload: `{"form":"kiosk","area_m2":60}`}, "pop-up kiosk, 60 m2"},
		capture{v.at(time.September, 10, 16, 0), lead.NewInput{Name: "Tang Bo", Emails: []string{"tang.bo@mail.example"}, Topics: []string{"wedding"},
			Channel: customer.Web, Source: viaLanterns, Payload: `{"form":"party","guests":200}`}, "wedding banquet"})
	moveAll(
		move{"birthday party", lead.StageContacted, v.at(time.September, 9, 15, 0), "events.he", ""},
		move{"company dinner", lead.StageContacted, v.at(time.September, 10, 10, 0), "events.qiu", ""},
		move{"pop-up kiosk, 60 m2", lead.StageContacted, v.at(time.September, 10, 14, 0), "leasing.gao", ""},
		move{"wedding banquet", lead.StageContacted, v.at(time.September, 11, 10, 0), "events.he", ""},
		move{"wedding banquet", lead.StageDisqualified, v.at(time.September, 11, 10, 20), "events.he", "no_budget"},
		move{"birthday party", lead.StageQualified, v.at(time.September, 11, 16, 0), "events.he", ""})
	// At the open day Zhao Lei leaves a card again, the same address in
	// other letters; a florist asks about a stall.
	captureAll(
		capture{v.at(time.September, 12, 15, 0), lead.NewInput{Kind: customer.Organization, Name: "Blue Whale Coffee", Company: "Blue Whale Coffee",
			Industry: "Food and Beverage", Emails: []string{"Zhao.Lei@BlueWhale.example"}, Channel: customer.FaceToFace, Source: viaOpenDay}, "open-day card"},
		capture{v.at(time.September, 12, 15, 30), lead.NewInput{Kind: customer.Organization, Name: "Petal Florist", Company: "Petal Florist",
			Industry: "Retail", Emails: []string{"owner@petal.example"}, Channel: customer.FaceToFace, Source: viaOpenDay}, "flower stall"})
	moveAll(
		move{"company dinner", lead.StageQualified, v.at(time.September, 14, 11, 0), "events.qiu", ""},
		move{"pop-up kiosk, 60 m2", lead.StageQualified, v.at(time.September, 14, 15, 0), "leasing.gao", ""},
		move{"flower stall", lead.StageContacted, v.at(time.September, 14, 16, 0), "leasing.lin", ""},
		move{"flower stall", lead.StageNurturing, v.at(time.September, 14, 16, 10), "leasing.lin", "opens a stall next spring"})
	if v.err != nil {
		return crm.NilID, nil
	}
	leasingLead = ids["pop-up kiosk, 60 m2"]
	parties = []crm.ID{ids["birthday party"], ids["company dinner"]}
	page, err := v.leads.List(v.ctx, tenant, lead.Query{}, crm.PageRequest{})
	if err != nil {
		v.fail(err)
		return crm.NilID, nil
	}
	v.line("lead board on %s:", v.when(v.clock.Now()))
	for _, l := range page.Items {
		var touched []string
		for _, t := range l.Touches() {
			touched = append(touched, t.Source.Kind.String())
		}
		extra := ""
		if l.Stage() == lead.StageDisqualified {
			extra = " reason " + l.DisqualifyReason()
		}
		if l.Customer() != crm.NilID {
			extra += " member " + v.name[l.Customer()]
		}
		v.line("  %-17s %-12s %-11s touches %-22s first contact %s%s", l.Name(), l.Stage(), l.Owner(),
			strings.Join(touched, "+"), v.when(l.FirstContactAt()), extra)
	}
	return leasingLead, parties
}

// --- 5. the leasing lead becomes a merchant and a lease ---------------

// lease converts the leasing lead into a merchant customer and a lease
// opportunity in one transaction, then prices, approves and wins it.
func (v *venue) lease(id crm.ID) {
	v.title("5. The leasing lead becomes a merchant and a lease, priced and won")
	if v.err != nil {
		return
	}
	v.clock.Set(v.at(time.September, 15, 10, 0))
	cny := crm.MustCurrency("CNY")
	conv, err := v.leads.Convert(v.ctx, lead.ConvertInput{Tenant: tenant, Lead: id, Roles: []customer.Role{customer.Merchant},
		CreateOpportunity: func(ctx context.Context, cust crm.ID) (crm.ID, error) {
			o, err := v.sales.Open(ctx, opportunity.OpenInput{Tenant: tenant, Customer: cust, Pipeline: "leasing", Owner: "leasing.gao",
				Team: "leasing", Name: "Kiosk K-03, 60 m2, 12 months", Source: opportunity.Source{Kind: opportunity.FromLead, Lead: id},
				Segment: "food and beverage", Currency: cny, CloseDate: date(time.October, 15)}, opportunity.Change{Actor: "leasing.gao"})
			if err != nil {
				return crm.NilID, err
			}
			return o.ID(), nil
		}}, lead.Change{Actor: "leasing.gao"})
	if err != nil {
		v.fail(fmt.Errorf("convert: %w", err))
		return
	}
	c := conv.Customer
	v.name[c.ID()] = c.Name()
	made := "linked to the existing customer"
	if conv.CreatedCustomer {
		made = "a new customer"
	}
	v.line("lead %s %s into %s: %s, %s, roles %v, owner %s, may e-mail %v (consent from the enquiry form)", conv.Lead.Name(),
		conv.Lead.Stage(), made, c.Name(), c.Kind(), c.Roles(), c.Owner(), c.MayContact(customer.EmailChannel))
	deal := conv.Opportunity
	step := func(what string, at time.Time, f func() (*opportunity.Opportunity, error)) {
		if v.err != nil {
			return
		}
		v.clock.Set(at)
		o, err := f()
		if err != nil {
			v.fail(fmt.Errorf("%s: %w", what, err))
			return
		}
		v.line("%-38s %-14s %-13s %s", what, o.Stage(), o.Amount(), v.when(v.clock.Now()))
	}
	ch := func(actor crm.UserID, why string) opportunity.Change {
		return opportunity.Change{Actor: actor, Reason: why}
	}
	// relate moves the merchant's relationship stage as the deal goes.
	relate := func(to customer.Stage, why, contract string) {
		if v.err != nil {
			return
		}
		if _, err := v.customers.MoveStage(v.ctx, tenant, c.ID(), to, contract, customer.Change{Actor: "leasing.gao", Reason: why}); err != nil {
			v.fail(err)
		}
	}
	step("opened from the lead", v.at(time.September, 15, 10, 0), func() (*opportunity.Opportunity, error) { return v.sales.Get(v.ctx, tenant, deal) })
	step("contact: Zhao Lei, founder", v.at(time.September, 15, 10, 30), func() (*opportunity.Opportunity, error) {
		return v.sales.SetContacts(v.ctx, tenant, deal, []opportunity.Contact{{Name: "Zhao Lei", Role: opportunity.DecisionMaker}}, ch("leasing.gao", ""))
	})
	step("viewing of kiosk K-03", v.at(time.September, 16, 14, 0), func() (*opportunity.Opportunity, error) {
		return v.sales.MoveStage(v.ctx, tenant, deal, "viewing", ch("leasing.gao", ""))
	})
	relate(customer.Established, "first visit: viewing of K-03", "")
	var priced []opportunity.Line
	step("priced: 60 m2 x 12 months, paid ahead", v.at(time.September, 17, 10, 0), func() (*opportunity.Opportunity, error) {
		o, err := v.sales.PriceLines(v.ctx, tenant, deal, opportunity.PriceRequest{Date: calendar.DateOf(v.clock.Now()), PaymentDays: 0,
			Lines: []opportunity.PriceLine{{Code: "rent-m2-month", Quantity: dec("720")}, {Code: "service-m2-month", Quantity: dec("720")}}},
			ch("leasing.gao", ""))
		if err != nil {
			return nil, err
		}
		priced = o.Lines()
		return o, nil
	})
	relate(customer.Evaluation, "footfall figures and fit-out rules exchanged", "")
	for _, l := range priced {
		var adj []string
		for _, a := range l.Adjustments {
			adj = append(adj, fmt.Sprintf("%s %s%%", a.Note, a.Percent.Shift(2).StringFixed(0)))
		}
		approval := "within the team's limit"
		if l.NeedsApproval {
			approval = "needs the director's approval"
		}
		v.line("  %-16s %s x %s: %s", l.Code, l.Quantity, l.ListPrice, cmp.Or(strings.Join(adj, ", "), "no adjustment"))
		v.line("  %-16s = %s, %s%% off, %s", "", l.Total, l.Discount.Shift(2).StringFixed(1), approval)
	}
	step("competitor: Harbour Mall", v.at(time.September, 17, 10, 30), func() (*opportunity.Opportunity, error) {
		return v.sales.SetCompetitor(v.ctx, tenant, deal, opportunity.Competitor{Name: "Harbour Mall", Status: opportunity.CompetitorActive,
			Offer: money("290000.00 CNY"), Strengths: "larger unit, less foot traffic"}, ch("leasing.gao", ""))
	})
	step("offer sent", v.at(time.September, 17, 11, 0), func() (*opportunity.Opportunity, error) {
		return v.sales.MoveStage(v.ctx, tenant, deal, "offer", ch("leasing.gao", ""))
	})
	relate(customer.Growth, "formal offer", "")
	if v.err == nil {
		v.clock.Set(v.at(time.September, 17, 11, 30))
		_, err := v.sales.MoveStage(v.ctx, tenant, deal, "lease signing", ch("leasing.gao", ""))
		v.line("%-38s refused: %v", "lease signing before approval", err != nil)
	}
	step("discount approved by the director", v.at(time.September, 17, 16, 0), func() (*opportunity.Opportunity, error) {
		return v.sales.ApproveDiscount(v.ctx, tenant, deal, "rent-m2-month", dec("0.18"), ch("director.song", "anchor coffee brand for the east gate"))
	})
	step("lease signing", v.at(time.September, 18, 10, 0), func() (*opportunity.Opportunity, error) {
		return v.sales.MoveStage(v.ctx, tenant, deal, "lease signing", ch("leasing.gao", ""))
	})
	var lease crm.Money
	step("won: lease RQ-L-2026-031", v.at(time.September, 21, 11, 0), func() (*opportunity.Opportunity, error) {
		o, err := v.sales.CloseWon(v.ctx, tenant, deal, opportunity.WonDetails{ContractDate: calendar.DateOf(v.clock.Now()), Contract: "RQ-L-2026-031"}, ch("leasing.gao", ""))
		if err == nil {
			lease = o.Amount()
		}
		return o, err
	})
	relate(customer.Mature, "lease signed", "RQ-L-2026-031")
	// The care the signed lease set off (section 11), given the next
	// working day and recorded as a contact.
	v.logContact(c.ID(), customer.InteractionInput{Channel: customer.FaceToFace, Direction: customer.Outbound, Actor: "leasing.gao",
		At: v.at(time.September, 22, 10, 0), Summary: "fit-out walk-through of K-03 with facilities"})
	// The relationship moved with the deal; the signed lease is the only
	// mark of maturity.
	h, err := v.customers.History(v.ctx, tenant, c.ID(), crm.PageRequest{})
	if err != nil {
		v.fail(err)
		return
	}
	for _, e := range h.Items {
		if e.Kind == customer.HistoryStage {
			v.line("  %s relationship %s -> %s: %s", v.when(e.At), e.From, e.To, e.Reason)
		}
	}
	times, err := v.customers.StageTimes(v.ctx, tenant, c.ID(), v.clock.Now(), v.leasing)
	if err != nil {
		v.fail(err)
		return
	}
	var spans []string
	for _, sp := range times.Spans {
		if !sp.Current {
			spans = append(spans, fmt.Sprintf("%s %s", sp.Stage, dur(sp.Business)))
		}
	}
	v.line("  time in each stage, in the leasing office's hours: %s; mature since %s", strings.Join(spans, ", "), v.when(times.Current().From))
	var merchants []string
	for _, m := range v.list(customer.Query{Role: customer.Merchant}) {
		merchants = append(merchants, fmt.Sprintf("%s %v", m.Name(), m.Roles()))
	}
	v.line("merchants on file: %s", strings.Join(merchants, ", "))
	v.anchorPlan(c.ID(), lease)
}

// anchorPlan makes the coffee brand, the east gate's anchor, a key
// account with an account plan for its first lease year: a team around its
// leasing manager, the year's rent (paid ahead at signing) and joint
// promotions with the club as goals.
func (v *venue) anchorPlan(id crm.ID, lease crm.Money) {
	if v.err != nil {
		return
	}
	now := v.clock.Now()
	ch := customer.Change{Actor: "director.song", At: now, Reason: "anchor coffee brand for the east gate"}
	v.update(id, func(c *customer.Customer) error { return c.SetKeyAccount(true, ch) })
	if v.err != nil {
		return
	}
	team := []customer.TeamMember{{User: "leasing.gao", Role: customer.RoleAccountManager, Lead: true, Since: now},
		{User: "facilities.luo", Role: customer.RoleService, Since: now}, {User: "director.song", Role: customer.RoleExecutiveSponsor, Since: now}}
	end := now.AddDate(1, 0, 0)
	plan, err := v.customers.CreateAccountPlan(v.ctx, customer.AccountPlanInput{Tenant: tenant, Customer: id, Name: "Anchor tenant, lease year one",
		Start: now, End: end, Team: team, Goals: []customer.Goal{
			{Name: "lease rent collected", Metric: customer.MetricRevenue, Target: lease.Amount(), Currency: lease.Currency(), Due: v.at(time.October, 15, 18, 0)},
			{Name: "joint club promotions", Metric: customer.MetricCount, Target: dec("4"), Due: end.Add(-time.Hour)},
		}}, ch)
	if err == nil {
		plan, err = v.customers.ActivateAccountPlan(v.ctx, tenant, plan.ID(), ch)
	}
	if err == nil {
		plan, err = v.customers.RecordPlanProgress(v.ctx, tenant, plan.ID(), customer.Progress{Goal: "lease rent collected",
			Value: lease.Amount(), Note: "a year's rent paid ahead at signing"}, customer.Change{Actor: "leasing.gao", At: now})
	}
	if err != nil {
		v.fail(fmt.Errorf("account plan: %w", err))
		return
	}
	v.plan = plan.ID()
	var members []string
	for _, m := range plan.Team() {
		lead := ""
		if m.Lead {
			lead = ", lead"
		}
		members = append(members, fmt.Sprintf("%s (%s%s)", m.User, m.Role, lead))
	}
	v.line("key account: %s, plan %q %s: %s", v.name[id], plan.Name(), plan.Status(), strings.Join(members, ", "))
}

// partyBookings converts the two qualified party leads into bookings for
// the members they are linked to, and wins them.
func (v *venue) partyBookings(ids []crm.ID) {
	v.title("6. Party bookings from members")
	cny := crm.MustCurrency("CNY")
	guests := []string{"20", "60"}
	for i, id := range ids {
		if v.err != nil {
			return
		}
		v.clock.Set(v.at(time.September, 22+i, 11, 0))
		conv, err := v.leads.Convert(v.ctx, lead.ConvertInput{Tenant: tenant, Lead: id,
			CreateOpportunity: func(ctx context.Context, cust crm.ID) (crm.ID, error) {
				o, err := v.sales.Open(ctx, opportunity.OpenInput{Tenant: tenant, Customer: cust, Pipeline: "events", Team: "events",
					Owner: "events.he", Name: "Rooftop hall, " + guests[i] + " guests", Source: opportunity.Source{Kind: opportunity.FromLead, Lead: id},
					Segment: "parties", Currency: cny}, opportunity.Change{Actor: "events.he"})
				if err != nil {
					return crm.NilID, err
				}
				return o.ID(), nil
			}}, lead.Change{Actor: "events.he"})
		if err != nil {
			v.fail(err)
			return
		}
		deal := conv.Opportunity
		o, err := v.sales.PriceLines(v.ctx, tenant, deal, opportunity.PriceRequest{Date: calendar.DateOf(v.clock.Now()), PaymentDays: 30,
			Lines: []opportunity.PriceLine{{Code: "hall-evening", Quantity: dec("1")}, {Code: "party-guest", Quantity: dec(guests[i])}}},
			opportunity.Change{Actor: "events.he"})
		if err == nil {
			o, err = v.sales.MoveStage(v.ctx, tenant, deal, "quote", opportunity.Change{Actor: "events.he"})
		}
		if err == nil {
			v.clock.Advance(26 * time.Hour)
			o, err = v.sales.CloseWon(v.ctx, tenant, deal, opportunity.WonDetails{ContractDate: calendar.DateOf(v.clock.Now()),
				Contract: fmt.Sprintf("RQ-E-2026-%03d", 40+i)}, opportunity.Change{Actor: "events.he"})
		}
		if err != nil {
			v.fail(err)
			return
		}
		who := "member"
		if conv.CreatedCustomer {
			who = "new customer"
		}
		v.line("%-8s (%s, lead %s): hall + %s guests, %s, %s on %s, contract %s", conv.Customer.Name(), who, conv.Lead.Stage(), guests[i],
			o.Amount(), o.Stage(), v.when(o.ClosedAt()), fmt.Sprintf("RQ-E-2026-%03d", 40+i))
	}
}

// --- 7. complaints under two service levels ---------------------------

// complaints receives a merchant's and visitors' complaints, works them,
// runs the evening SLA job and reports the week by category.
func (v *venue) complaints() {
	v.title("7. Complaints: merchants and visitors under different service levels")
	if v.err != nil {
		return
	}
	// The week is a log of events in time order: complaints arriving,
	// staff working them, and the host's SLA job every evening at 21:00,
	// each run hearing of the thresholds crossed since the previous one.
	type event struct {
		at time.Time
		do func() error
	}
	var week []event
	got := map[string]crm.ID{}
	receive := func(who, category string, sev complaint.Severity, ch customer.Channel, at time.Time, owner crm.UserID, desc string) {
		week = append(week, event{at, func() error {
			c, err := v.care.Receive(v.ctx, complaint.ReceiveInput{Tenant: tenant, Customer: v.member[who], Channel: ch, Category: category,
				Severity: sev, Description: desc, Owner: owner}, complaint.Change{Actor: owner})
			if err != nil {
				return err
			}
			sla, err := v.care.SLA(v.ctx, tenant, c.ID(), at)
			if err != nil {
				return err
			}
			got[who+" "+category] = c.ID()
			v.name[c.ID()] = who + " " + category
			v.line("%s %-8s %-11s %-6s policy %-16s acknowledge by %s, resolve by %s", v.when(at), who, category, sev,
				sla.Policy, v.when(sla.Acknowledge.Deadline), v.when(sla.Resolution.Deadline))
			return nil
		}})
	}
	type act func(context.Context, crm.TenantID, crm.ID, complaint.Change) (*complaint.Complaint, error)
	work := func(key string, at time.Time, actor crm.UserID, why string, fn act) {
		week = append(week, event{at, func() error {
			_, err := fn(v.ctx, tenant, got[key], complaint.Change{Actor: actor, At: at, Reason: why})
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			return nil
		}})
	}
	resolve := func(r complaint.Resolution) act {
		return func(ctx context.Context, t crm.TenantID, id crm.ID, ch complaint.Change) (*complaint.Complaint, error) {
			if _, err := v.care.SetResolution(ctx, t, id, r, ch); err != nil {
				return nil, err
			}
			c, err := v.care.Resolve(ctx, t, id, ch)
			if err != nil {
				return nil, err
			}
			paid := ""
			if !r.Compensation.Currency().IsZero() {
				paid = " " + r.Compensation.String()
			}
			name := v.name[id]
			i := strings.LastIndexByte(name, ' ')
			v.line("%s %-8s %-11s resolved (%s%s): %s", v.when(ch.At), name[:max(i, 0)], name[i+1:], r.Remedy, paid, r.Summary)
			return c, nil
		}
	}
	handOver := func(to crm.UserID) act {
		return func(ctx context.Context, t crm.TenantID, id crm.ID, ch complaint.Change) (*complaint.Complaint, error) {
			return v.care.HandOver(ctx, t, id, to, ch)
		}
	}
	since := v.at(time.September, 25, 0, 0)
	for day := 25; day <= 29; day++ {
		at := v.at(time.September, day, 21, 0)
		week = append(week, event{at, func() error {
			evs, err := v.care.CheckSLAs(v.ctx, tenant, since, at)
			if err != nil {
				return err
			}
			var said []string
			for _, e := range evs {
				if a, ok := e.Data.(complaint.SLAAlert); ok {
					said = append(said, fmt.Sprintf("%s %s %s (%s, at %s)", v.name[e.AggregateID], strings.TrimPrefix(e.Type, "complaint.sla_"),
						a.Target, a.Policy, v.when(e.At)))
				}
			}
			v.line("%s SLA job: %s", v.when(at), cmp.Or(strings.Join(said, "; "), "nothing new"))
			since = at
			return nil
		}})
	}
	day := func(d, h, m int) time.Time { return v.at(time.September, d, h, m) }
	hvac, park, clean, staff := "Wu Hao hvac", "Ma Rui parking", "Chen Yu cleanliness", "Wu Hao staff"
	ack, assess, investigate, propose := v.care.Acknowledge, v.care.Assess, v.care.Investigate, v.care.ProposeResponse

	// A merchant's kitchen without air conditioning on a Friday afternoon.
	receive("Wu Hao", "hvac", complaint.High, customer.PhoneCall, day(25, 16, 30), "facilities.luo",
		"Air conditioning in unit B-12 has stopped; the kitchen is at 34 degrees and we may have to close.")
	work(hvac, day(25, 16, 50), "facilities.luo", "called Mr Wu back", ack)
	work(hvac, day(25, 17, 0), "facilities.luo", "", assess)
	work(hvac, day(25, 17, 10), "facilities.luo", "", investigate)
	work(hvac, day(25, 17, 30), "facilities.luo", "portable unit tonight, compressor part on order", propose)
	work(hvac, day(29, 11, 0), "facilities.luo", "", resolve(complaint.Resolution{Remedy: complaint.Repair,
		Summary: "compressor replaced; a portable unit kept the kitchen open meanwhile"}))
	// Visitors at the weekend.
	receive("Ma Rui", "parking", complaint.Medium, customer.MobileMessage, day(26, 19, 0), "guest.desk",
		"The car park charged my card twice when I left on Saturday evening.")
	work(park, day(26, 19, 10), "guest.desk", "", ack)
	work(park, day(26, 19, 15), "guest.desk", "", assess)
	work(park, day(26, 19, 20), "guest.desk", "", investigate)
	work(park, day(26, 20, 0), "guest.desk", "double charge confirmed; refund today", propose)
	work(park, day(26, 20, 15), "guest.desk", "", resolve(complaint.Resolution{Remedy: complaint.Refund, Compensation: money("35.00 CNY"),
		Summary: "second charge refunded; the exit terminal fixed"}))
	receive("Chen Yu", "cleanliness", complaint.Low, customer.Web, day(27, 12, 0), "guest.desk",
		"The toilets near the food court were dirty at lunchtime.")
	work(clean, day(27, 12, 20), "guest.desk", "", ack)
	work(clean, day(27, 12, 25), "guest.desk", "", assess)
	work(clean, day(27, 12, 30), "guest.desk", "", investigate)
	work(clean, day(27, 13, 0), "guest.desk", "extra lunchtime round added", propose)
	work(clean, day(27, 13, 15), "guest.desk", "", resolve(complaint.Resolution{Remedy: complaint.Apology,
		Summary: "cleaners' lunchtime round doubled at the food court"}))
	// The merchant again, this time as a visitor with his family.
	receive("Wu Hao", "staff", complaint.Medium, customer.FaceToFace, day(27, 14, 0), "guest.desk",
		"As a visitor with my family, a security guard was rude about our pram at the east gate.")
	work(staff, day(27, 14, 10), "guest.desk", "", ack)
	work(staff, day(27, 14, 15), "guest.desk", "", assess)
	work(staff, day(27, 14, 20), "guest.desk", "a matter for the security manager", handOver("security.pan"))
	work(staff, day(27, 14, 30), "security.pan", "", investigate)
	work(staff, day(27, 15, 20), "security.pan", "CCTV reviewed; apology and a briefing for the guards", propose)
	work(staff, day(27, 16, 5), "security.pan", "", resolve(complaint.Resolution{Remedy: complaint.Apology,
		Summary: "the security manager apologised; east-gate guards briefed on prams and wheelchairs"}))

	slices.SortStableFunc(week, func(a, b event) int { return a.at.Compare(b.at) })
	for _, e := range week {
		if v.err != nil {
			return
		}
		v.clock.Set(e.at)
		if err := e.do(); err != nil {
			v.fail(err)
			return
		}
	}
	rep, err := v.care.Analyze(v.ctx, tenant, complaint.AnalyticsOptions{From: v.at(time.September, 25, 0, 0),
		To: v.at(time.October, 1, 0, 0), By: complaint.ByCategory})
	if err != nil {
		v.fail(err)
		return
	}
	v.line("the week by category, in the working time of each complaint's calendar:")
	for _, sl := range rep.Slices {
		st := sl.Stats
		v.line("  %-12s n=%d acknowledged in %-5s resolved in %-6s resolution SLA met %3.0f%%", sl.Key, st.Count,
			dur(st.Acknowledge.Median), dur(st.Resolve.Median), 100*st.SLA[complaint.TargetResolution].Rate)
	}
}

// --- 8. membership tiers -------------------------------------------------

// tiers reviews the members' tiers at the month's end: each active
// membership moves to the tier its twelve months' spend qualifies for,
// the move and its reason kept in the membership's history.
func (v *venue) tiers(ps []purchase) {
	v.title("8. Membership tiers at the month-end review")
	p := club()
	for _, t := range p.Tiers {
		v.line("tier %-8s from %8s CNY in twelve months: %s", t.Name, cmp.Or(t.MinSpend.Amount().StringFixed(0), "0"), strings.Join(t.Benefits, ", "))
	}
	review := v.at(time.September, 30, 22, 0)
	v.clock.Set(review)
	moves := 0
	for _, m := range v.memberships(review) {
		if v.err != nil {
			return
		}
		who := v.name[m.Customer()]
		t, spent := v.qualify(ps, who, review)
		joined := fmt.Sprintf("%-8s joined %s as %-8s", who, m.JoinedAt().In(v.loc).Format("2006-01-02"), m.History()[0].To)
		if t.Name == m.Tier() {
			v.line("%s stays %-8s (%s CNY)", joined, t.Name, spent.Amount().StringFixed(0))
			continue
		}
		moves++
		moved, err := v.customers.MoveTier(v.ctx, tenant, m.ID(), p, t.Name, customer.Change{Actor: "club.review",
			Reason: "month-end review: " + spent.String() + " in twelve months"})
		if err != nil {
			v.fail(err)
			return
		}
		v.line("%s moves to %-8s (%s CNY), term to %s", joined, moved.Tier(), spent.Amount().StringFixed(0),
			moved.TermEnd().In(v.loc).Format("2006-01-02"))
	}
	var counts []string
	for _, t := range slices.Backward(p.Tiers) {
		in := v.listMemberships(customer.MembershipQuery{Programme: p.Name, Tiers: []string{t.Name},
			Statuses: []customer.MembershipStatus{customer.MembershipActive}, At: review})
		counts = append(counts, fmt.Sprintf("%s %d", t.Name, len(in)))
	}
	v.line("%d move(s); members by tier: %s", moves, strings.Join(counts, ", "))
	if chen, ok := v.member["Chen Yu"]; ok && v.err == nil {
		ms := v.listMemberships(customer.MembershipQuery{Customer: chen, Programme: p.Name})
		if len(ms) != 1 {
			v.fail(fmt.Errorf("the club lists %d memberships of Chen Yu", len(ms)))
			return
		}
		m := ms[0]
		v.line("Chen Yu's membership, from its history; %s benefits now: %s", m.Tier(), strings.Join(m.Benefits(p), ", "))
		for _, st := range m.History() {
			what := st.From + " -> " + st.To
			if st.Kind == customer.StepCreated {
				what = "joined as " + st.To
			}
			v.line("  %s %-20s by %-11s %s", v.when(st.At), what, st.Actor, st.Reason)
		}
	}
}

// purchase is one purchase at the quarter's tills, as the host's loyalty
// system exports it.
type purchase struct {
	who    string
	at     time.Time
	amount float64 // CNY
}

// purchases returns the members' purchases over the last year.
func purchases(loc *time.Location) []purchase {
	ref := time.Date(2026, time.September, 30, 20, 0, 0, 0, loc)
	var out []purchase
	for _, b := range []struct {
		who     string
		daysAgo int
		amount  float64
	}{
		{"Chen Yu", 2, 680}, {"Chen Yu", 9, 420}, {"Chen Yu", 16, 1250}, {"Chen Yu", 30, 980}, {"Chen Yu", 44, 3360}, {"Chen Yu", 70, 4100},
		{"Guo Jun", 5, 12080}, {"Guo Jun", 120, 860},
		{"Lin Mei", 3, 260}, {"Lin Mei", 12, 180}, {"Lin Mei", 26, 240}, {"Lin Mei", 40, 310},
		{"Hu Lan", 150, 2400}, {"Hu Lan", 210, 1900}, {"Hu Lan", 300, 2600},
		{"Ma Rui", 60, 150},
		{"Song Jia", 7, 90}, {"Song Jia", 8, 120},
		{"Wu Hao", 20, 540}, {"Wu Hao", 80, 380},
		{"Tang Bo", 180, 300},
	} {
		out = append(out, purchase{b.who, ref.AddDate(0, 0, -b.daysAgo), b.amount})
	}
	return out
}

// spend is what who spent in the twelve months up to at.
func spend(ps []purchase, who string, at time.Time) float64 {
	total := 0.0
	for _, p := range ps {
		if p.who == who && !p.at.After(at) && p.at.After(at.AddDate(-1, 0, 0)) {
			total += p.amount
		}
	}
	return total
}

// rfm scores the members' purchases and names their segments.
func (v *venue) rfm(ps []purchase) {
	v.title("9. Visitors by recency, frequency and money (RFM, three bands)")
	if v.err != nil {
		return
	}
	var txs []scoring.Transaction
	for _, p := range ps {
		txs = append(txs, scoring.Transaction{CustomerID: v.member[p.who].String(), At: p.at, Amount: p.amount})
	}
	ref := v.at(time.September, 30, 22, 0)
	table, err := scoring.ComputeRFM(ref, slices.Values(txs), &scoring.RFMOptions{Bins: 3})
	if err != nil {
		v.fail(err)
		return
	}
	var segs []scoring.RFMSegment
	for _, s := range [][2]string{{"champions", "3[2-3]3"}, {"big spenders", "[2-3]*3"}, {"regulars", "[2-3][2-3]*"},
		{"slipping away", "1[2-3]*"}, {"newcomers", "[2-3]1*"}} {
		p, err := scoring.ParseRFMPattern(s[1])
		if err != nil {
			v.fail(err)
			return
		}
		segs = append(segs, scoring.RFMSegment{Name: s[0], Pattern: p})
	}
	seg, err := scoring.NewRFMSegmenter(3, segs, "dormant")
	if err != nil {
		v.fail(err)
		return
	}
	byID := map[string]string{}
	for name, id := range v.member {
		byID[id.String()] = name
	}
	order := make([]int, len(table.Records))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(-cmp.Compare(table.Scores[a].Sum(), table.Scores[b].Sum()), strings.Compare(byID[table.Records[a].CustomerID], byID[table.Records[b].CustomerID]))
	})
	for _, i := range order {
		r, s := table.Records[i], table.Scores[i]
		v.line("%-8s last purchase %3.0f days ago, purchases %d, spent %7.0f CNY: RFM %s %s", byID[r.CustomerID], r.RecencyDays(ref), r.Frequency, r.Monetary, s, seg.Segment(s))
	}
	counts := seg.Count(table.Scores)
	var parts []string
	for _, s := range append(segs, scoring.RFMSegment{Name: "dormant"}) {
		if counts[s.Name] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s.Name, counts[s.Name]))
		}
	}
	v.line("segments: %s", strings.Join(parts, ", "))
}

// --- 10. campaign return ------------------------------------------------

// roi reports the campaigns' lead funnel and attributes the won deals
// to the campaigns that touched their leads.
func (v *venue) roi(k campaigns) {
	v.title("10. The campaigns' funnel and return (ROI = (revenue - cost) / cost)")
	if v.err != nil {
		return
	}
	leads, err := v.leads.List(v.ctx, tenant, lead.Query{}, crm.PageRequest{})
	if err != nil {
		v.fail(err)
		return
	}
	byLead := map[crm.ID]*lead.Lead{}
	for _, l := range leads.Items {
		byLead[l.ID()] = l
	}
	groups, err := lead.Funnel(slices.Values(leads.Items), lead.FunnelOptions{GroupBy: lead.ByCampaign, Calendar: v.guest})
	if err != nil {
		v.fail(err)
		return
	}
	for _, g := range groups {
		key := "no campaign"
		if id, err := crm.ParseID(g.Key); err == nil {
			key = v.name[id]
		}
		r := func(st lead.Stage) int { return g.Reached[st-1] }
		v.line("funnel %-21s leads %d: contacted %d, qualified %d, converted %d, disqualified %d; first contact in %s of venue hours (median)",
			key, g.Leads, r(lead.StageContacted), r(lead.StageQualified), r(lead.StageConverted), r(lead.StageDisqualified), dur(g.MedianFirstContact))
	}
	won, err := v.sales.List(v.ctx, tenant, opportunity.Query{Statuses: []opportunity.Status{opportunity.Won}}, crm.PageRequest{})
	if err != nil {
		v.fail(err)
		return
	}
	var deals []lead.WonOpportunity
	for _, o := range won.Items {
		d := lead.WonOpportunity{ID: o.ID(), Amount: o.Amount(), WonAt: o.ClosedAt()}
		if l, ok := byLead[o.Source().Lead]; ok {
			for _, t := range l.Touches() {
				if t.Source.Campaign != crm.NilID {
					d.Touches = append(d.Touches, lead.CampaignTouch{Campaign: t.Source.Campaign, At: t.At})
				}
			}
		}
		deals = append(deals, d)
		v.line("won %-30s %-14s campaign touches %d", o.Name(), o.Amount(), len(d.Touches))
	}
	for _, model := range []lead.Attribution{lead.FirstTouch, lead.Linear} {
		rep, err := lead.CampaignReports([]*lead.Campaign{k.lanterns, k.openDay}, slices.Values(leads.Items), slices.Values(deals), model)
		if err != nil {
			v.fail(err)
			return
		}
		v.line("attribution %s:", model)
		for _, c := range rep.Campaigns {
			perWon := "-"
			if c.Won > 0 {
				perWon = c.CostPerWon.String()
			}
			v.line("  %-21s cost %-12s leads %d qualified %d won %d revenue %-13s ROI %6.2f cost/lead %s cost/won %s", c.Name, c.Cost,
				c.Leads, c.Qualified, c.Won, c.Revenue, c.ROI.InexactFloat64(), c.CostPerLead, perWon)
		}
	}
}

// --- 11. the leasing team's to-do -------------------------------------

// contactRhythm is the leasing office's contact rhythm as data: every
// merchant hears from its leasing manager at least every ten working days
// of the office, whatever the guest desk or facilities did for it.
func contactRhythm(leasing *calendar.Calendar) *customer.CadencePolicy {
	key := true
	return &customer.CadencePolicy{Calendar: leasing, Rules: []customer.CadenceRule{
		{Name: "anchor_merchants", Role: customer.Merchant, KeyAccount: &key, Days: 5},
		{Name: "merchants", Role: customer.Merchant, Days: 10},
	}}
}

// leaseCare is the care a signed lease sets off, counted in the leasing
// office's working days from the day the relationship became mature.
func leaseCare() customer.CarePlan {
	entered := func(days int) customer.CareTrigger {
		return customer.CareTrigger{Kind: customer.TriggerEntered, Stage: customer.Mature, Offsets: []int{days}}
	}
	return customer.CarePlan{Types: []customer.CareType{
		{Code: "fit-out-walk", Name: "fit-out walk-through with facilities", Channel: customer.FaceToFace, Trigger: entered(1)},
		{Code: "opening-check", Name: "opening-fortnight check", Channel: customer.FaceToFace, Trigger: entered(10)},
	}}
}

// toDo closes the month with the leasing team's list: the merchants
// overdue for a call under the contact rhythm, the care their stage moves
// set off, and the anchor's account plan against its goals.
func (v *venue) toDo() {
	v.title("11. The leasing team's month-end list: calls overdue, care due, the anchor's plan")
	if v.err != nil {
		return
	}
	now := v.clock.Now()
	policy := contactRhythm(v.leasing)
	for _, r := range policy.Rules {
		who := r.Role.String()
		if r.KeyAccount != nil && *r.KeyAccount {
			who = "key-account " + who
		}
		v.line("rhythm %-16s every %s hears from its leasing manager within %d working days of the leasing office", r.Name, who, r.Days)
	}
	owed, err := v.customers.OverdueForContact(v.ctx, tenant, policy, now, customer.OverdueQuery{})
	if err != nil {
		v.fail(err)
		return
	}
	overdue := map[crm.ID]bool{}
	for _, o := range owed {
		for _, c := range o.Contacts {
			overdue[c.Customer.ID()] = true
			v.line("%-11s owes %s a call (%s): last contact %s, due by %s, %d working day(s) overdue", o.Owner, c.Customer.Name(), c.Rule,
				v.when(c.LastContact), c.DueAt.In(v.loc).Format("Mon 01-02"), c.DaysOverdue)
		}
	}
	merchants := v.list(customer.Query{Role: customer.Merchant})
	for _, m := range merchants {
		if i := policy.Rule(m); i >= 0 && !overdue[m.ID()] {
			v.line("%-11s is in touch with %s (%s): last contact %s", m.Owner(), m.Name(), policy.Rules[i].Name, v.when(m.LastContact()))
		}
	}
	plan := leaseCare()
	var due []customer.CareAction
	for _, m := range merchants {
		h := v.history(m.ID())
		if v.err != nil {
			return
		}
		acts, err := customer.DueMoveCare(plan, v.leasing, m, h, v.at(time.September, 1, 0, 0), v.at(time.November, 1, 0, 0))
		if err != nil {
			v.fail(err)
			return
		}
		due = append(due, acts...)
	}
	customer.SortCareActions(due)
	names := map[string]string{}
	for _, t := range plan.Types {
		names[t.Code] = t.Name
	}
	v.line("care set off by stage moves in September and October, in the leasing office's working days:")
	for _, a := range due {
		v.line("  %s %-17s %-37s by %-11s %s", a.DueAt.In(v.loc).Format("Mon 01-02"), v.name[a.CustomerID], names[a.Type], a.Owner, a.Occasion)
	}

	// The anchor's account plan: the first joint promotion ran in the
	// lantern nights mail; progress against the goals at the month's end.
	ap, err := v.customers.RecordPlanProgress(v.ctx, tenant, v.plan, customer.Progress{Goal: "joint club promotions", Value: dec("1"),
		At: v.at(time.September, 26, 10, 0), Note: "members' coffee offer in the lantern nights mail"}, customer.Change{Actor: "marketing.xu"})
	if err != nil {
		v.fail(err)
		return
	}
	v.line("account plan %q of %s on %s:", ap.Name(), v.name[ap.Customer()], v.when(now))
	for _, g := range ap.ProgressAt(now) {
		state := "behind"
		switch {
		case g.Met:
			state = "met"
		case g.OnTrack:
			state = "on track"
		}
		unit := ""
		if g.Goal.Metric == customer.MetricRevenue {
			unit = " " + g.Goal.Currency.Code()
		}
		v.line("  %-21s %s of %s%s by %s: %3.0f%%, %s", g.Goal.Name, g.Achieved, g.Goal.Target, unit,
			g.Goal.Due.In(v.loc).Format("2006-01-02"), g.Percent, state)
	}
}

// --- helpers -------------------------------------------------------------

// history returns a customer's whole history, page after page.
func (v *venue) history(id crm.ID) []customer.HistoryEntry {
	var out []customer.HistoryEntry
	req := crm.PageRequest{}
	for v.err == nil {
		page, err := v.customers.History(v.ctx, tenant, id, req)
		if err != nil {
			v.fail(err)
			return nil
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			break
		}
		req.Cursor = page.Next
	}
	return out
}

// create stores a new customer at ch.At.
func (v *venue) create(in customer.NewInput, ch customer.Change) crm.ID {
	if v.err != nil {
		return crm.NilID
	}
	v.clock.Set(ch.At)
	c, err := v.customers.Create(v.ctx, in, ch)
	if err != nil {
		v.fail(fmt.Errorf("create %s: %w", in.Name, err))
		return crm.NilID
	}
	v.name[c.ID()] = c.Name()
	return c.ID()
}

// update changes a customer through the service.
func (v *venue) update(id crm.ID, fn func(*customer.Customer) error) {
	if v.err != nil {
		return
	}
	if _, err := v.customers.Update(v.ctx, tenant, id, fn); err != nil {
		v.fail(err)
	}
}

// logContact records an interaction with a customer.
func (v *venue) logContact(id crm.ID, in customer.InteractionInput) {
	if v.err != nil {
		return
	}
	if _, err := v.customers.LogInteraction(v.ctx, tenant, id, in); err != nil {
		v.fail(err)
	}
}

// list returns every customer matching q, page after page.
func (v *venue) list(q customer.Query) []*customer.Customer {
	var out []*customer.Customer
	req := crm.PageRequest{}
	for v.err == nil {
		page, err := v.customers.List(v.ctx, tenant, q, req)
		if err != nil {
			v.fail(err)
			return nil
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			break
		}
		req.Cursor = page.Next
	}
	return out
}

// createCampaign stores a new campaign.
func (v *venue) createCampaign(in lead.CampaignInput) *lead.Campaign {
	if v.err != nil {
		return nil
	}
	c, err := v.leads.CreateCampaign(v.ctx, in, lead.Change{Actor: "marketing.xu"})
	if err != nil {
		v.fail(err)
		return nil
	}
	v.name[c.ID()] = c.Name()
	return c
}

// label names the customer, lead or campaign whose ID s is, or returns s.
func (v *venue) label(s string) string {
	if id, err := crm.ParseID(s); err == nil {
		if n, ok := v.name[id]; ok {
			return n
		}
	}
	return cmp.Or(s, "-")
}

// conditions prints a segment's rules.
func conditions(s customer.Segment) string {
	var out []string
	for _, c := range s.Conditions {
		out = append(out, fmt.Sprintf("%s %s %s", c.Field, c.Op, c.Value))
	}
	return strings.Join(out, " and ")
}

// hours prints a calendar's working hours on the day of t.
func (v *venue) hours(cal *calendar.Calendar, t time.Time) string {
	var spans []string
	for _, sp := range cal.SpansOn(calendar.DateOf(t)) {
		spans = append(spans, sp.String())
	}
	return t.Format("Mon 01-02 ") + cmp.Or(strings.Join(spans, ","), "closed")
}

// fail keeps the first error.
func (v *venue) fail(err error) {
	if v.err == nil {
		v.err = err
	}
}

// at returns a time of day in 2026, Shanghai time.
func (v *venue) at(m time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, m, day, hour, minute, 0, 0, v.loc)
}

// when formats t for the report.
func (v *venue) when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(v.loc).Format("Mon 01-02 15:04")
}

func (v *venue) title(s string) { v.printf("\n%s\n", s) }

func (v *venue) line(format string, args ...any) { v.printf("  "+format+"\n", args...) }

func (v *venue) printf(format string, args ...any) {
	if v.err == nil {
		_, v.err = fmt.Fprintf(v.w, format, args...)
	}
}

func money(s string) crm.Money     { return crm.MustParseMoney(s) }
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func date(m time.Month, d int) calendar.Date {
	return calendar.Date{Year: 2026, Month: m, Day: d}
}

func email(s string) customer.Email {
	e, err := customer.ParseEmail(s)
	if err != nil {
		panic(err) // literal addresses: a refusal is a bug in this file
	}
	return e
}

func phone(s string) customer.Phone {
	p, err := customer.ParsePhone(s, "CN")
	if err != nil {
		panic(err) // literal numbers: a refusal is a bug in this file
	}
	return p
}

// dur prints a duration without trailing zero units: 1h, 45m, 2h30m.
func dur(d time.Duration) string {
	out := strings.TrimSuffix(d.String(), "0s")
	if strings.HasSuffix(out, "h0m") {
		out = strings.TrimSuffix(out, "0m")
	}
	if out == "" {
		return "0"
	}
	return out
}
