// Command residential runs the complaint programme of a residential
// developer, Sunrise Residences, on the in-memory store: a category tree,
// a business calendar, service-level policies and an escalation ladder; a
// week of owners' complaints after a storm; a transparent repair; the
// host's scheduled SLA job; a roof-leak risk raised, handled and resolved
// once for every owner; follow-up calls and surveys; reopening; the
// knowledge base; and the week's analytics. Everything it prints comes
// from the library.
//
//	go run ./examples/residential
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/complaint"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/examples/internal/backend"
)

const tenant crm.TenantID = "sunrise-homes"

// calendarJSON is the service desk's calendar as the host stores it:
// Dragon Boat Festival (2026-06-19) is a public holiday.
const calendarJSON = `{"name": "Sunrise service desk", "time_zone": "Asia/Shanghai", "week": {
  "monday": ["09:00-18:00"], "tuesday": ["09:00-18:00"], "wednesday": ["09:00-18:00"],
  "thursday": ["09:00-18:00"], "friday": ["09:00-18:00"], "saturday": ["09:00-12:00"]},
  "holidays": ["2026-06-19"]}`

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "residential:", err)
		os.Exit(1)
	}
}

// action is the shape of the service's single-complaint actions.
type action func(context.Context, crm.TenantID, crm.ID, complaint.Change) (*complaint.Complaint, error)

// step is one action on a complaint, by whom, when and why.
type step struct {
	at    time.Time
	actor crm.UserID
	why   string
	fn    action
}

// story holds the services and what the report needs to name things; it
// keeps the first error, after which every action does nothing.
type story struct {
	ctx   context.Context
	loc   *time.Location
	clock *crm.ManualClock
	cs    *customer.Service
	svc   *complaint.Service
	p     *printer
	err   error
	label map[crm.ID]string // complaint -> "B3-1502 window"
	name  map[crm.ID]string // customer -> name
}

// run is the whole flow; it writes a readable report to w.
func run(ctx context.Context, w io.Writer) error {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	clock := crm.NewManualClock(time.Date(2026, 6, 15, 9, 0, 0, 0, loc))
	ids := crm.NewSequentialIDs(clock)
	published := map[string]int{}
	sink := crm.EventSinkFunc(func(_ context.Context, evs []crm.Event) error {
		for _, e := range evs {
			published[e.Type]++
		}
		return nil
	})
	b, err := backend.Open(ctx, "residential")
	if err != nil {
		return err
	}
	defer func() { _ = b.Close(context.WithoutCancel(ctx)) }()
	store := b.Store
	p := &printer{w: w}
	s := &story{ctx: ctx, loc: loc, clock: clock, p: p, label: map[crm.ID]string{}, name: map[crm.ID]string{}}

	p.title("1. Set-up: categories, calendar, policies, escalation ladder, risk rules")
	cats, err := complaint.NewCategoryTree([]complaint.Category{
		{Code: "property_quality"}, {Code: "leak", Parent: "property_quality"},
		{Code: "roof", Parent: "leak"}, {Code: "window", Parent: "leak"}, {Code: "crack", Parent: "property_quality"},
		{Code: "plumbing"}, {Code: "property_management"}, {Code: "cleaning", Parent: "property_management"},
		{Code: "security", Parent: "property_management"}, {Code: "service_attitude"},
	})
	if err != nil {
		return err
	}
	for _, code := range []string{"roof", "window", "crack", "plumbing", "cleaning", "security", "service_attitude"} {
		path, err := cats.Path(code)
		if err != nil {
			return err
		}
		p.line("category %-17s %s", code, strings.Join(path, " > "))
	}
	var cfg calendar.Config
	if err := json.Unmarshal([]byte(calendarJSON), &cfg); err != nil {
		return err
	}
	cal, err := calendar.New(cfg)
	if err != nil {
		return err
	}
	var days []string
	for d := 15; d <= 21; d++ {
		var hours []string
		for _, sp := range cal.SpansOn(calendar.DateOf(s.at(d, 0, 0))) {
			hours = append(hours, sp.String())
		}
		days = append(days, s.at(d, 0, 0).Format("Mon 01-02 ")+cmp.Or(strings.Join(hours, ","), "closed"))
	}
	p.line("calendar %q in %s:", cal.Name(), cal.Location())
	p.line("  %s", strings.Join(days[:4], ", "))
	p.line("  %s", strings.Join(days[4:], ", "))
	warn := func(d time.Duration) calendar.Thresholds { return calendar.Thresholds{Target: d, WarnAt: 0.75} }
	policies := &complaint.PolicySet{
		Policies: []complaint.Policy{{
			Name: "urgent leaks", Calendar: "desk",
			Match:   complaint.PolicyMatch{Categories: []string{"leak"}, Severities: []complaint.Severity{complaint.High, complaint.Critical}},
			Targets: complaint.Targets{Acknowledge: warn(time.Hour), FirstResponse: warn(4 * time.Hour), Resolution: warn(16 * time.Hour)},
		}},
		Default: complaint.Policy{Name: "standard", Calendar: "desk",
			Targets: complaint.Targets{Acknowledge: warn(4 * time.Hour), FirstResponse: warn(9 * time.Hour), Resolution: warn(45 * time.Hour)}},
	}
	for _, pol := range append(slices.Clone(policies.Policies), policies.Default) {
		t := pol.Targets
		p.line("policy %-13s acknowledge %-5s first response %-5s resolution %-5s (working time, warn at %.0f%%)",
			pol.Name, dur(t.Acknowledge.Target), dur(t.FirstResponse.Target), dur(t.Resolution.Target), 100*t.Resolution.WarnAt)
	}
	ladder := &complaint.Ladder{
		Steps: []complaint.Step{{Level: 1, Role: "owner", Notify: []string{"service-desk"}},
			{Level: 2, Role: "team_lead", Notify: []string{"lead.wu"}}, {Level: 3, Role: "department_head", Notify: []string{"head.sun"}},
			{Level: 4, Role: "executive", Notify: []string{"vp.lin"}}},
		Triggers: []complaint.Trigger{
			{On: complaint.OnBreach, Target: complaint.TargetResolution, ToLevel: 2},
			{On: complaint.OnSeverity, Severity: complaint.Critical, ToLevel: 2},
			{On: complaint.OnRepeat, MinRepeat: 3, ToLevel: 3},
		},
	}
	for _, st := range ladder.Steps {
		p.line("escalation level %d: %-15s notifies %s", st.Level, st.Role, strings.Join(st.Notify, ", "))
	}
	for _, tr := range ladder.Triggers {
		when := map[complaint.TriggerKind]string{
			complaint.OnBreach:   fmt.Sprintf("the %s target is breached", tr.Target),
			complaint.OnSeverity: fmt.Sprintf("severity is %s", tr.Severity),
			complaint.OnRepeat:   fmt.Sprintf("the owner complained %d+ times in %d days", tr.MinRepeat, complaint.RepeatWindow/(24*time.Hour)),
		}[tr.On]
		p.line("escalate to level %d when %s", tr.ToLevel, when)
	}
	rules := complaint.HotspotRules{
		{Name: "leaks-per-building", Kind: complaint.RuleCluster, Category: "leak", AssetLevel: 2, Min: 3, Window: 30 * 24 * time.Hour},
		{Name: "repeat-complainer", Kind: complaint.RuleRepeat, Min: 3, Window: 90 * 24 * time.Hour},
	}
	if err := rules.Validate(); err != nil {
		return err
	}
	for _, r := range rules {
		p.line("risk rule %-18s %-7s category=%q asset level %d: at least %d in %d days", r.Name, r.Kind, r.Category, r.AssetLevel, r.Min, r.Window/(24*time.Hour))
	}
	if s.cs, err = customer.NewService(store, &customer.Options{Clock: clock, IDs: ids, Events: sink}); err != nil {
		return err
	}
	s.svc, err = complaint.NewService(store, &complaint.Options{Clock: clock, IDs: ids, Events: sink, Categories: cats,
		Policies: policies, Calendars: map[string]*calendar.Calendar{"desk": cal}, Ladder: ladder, ReopenWindow: 14 * 24 * time.Hour})
	if err != nil {
		return err
	}

	p.title("2. Owners of project P1")
	owners := map[string]crm.ID{}
	butlers := map[string]crm.UserID{"B3": "butler.xu", "B5": "butler.ma"} // 管家, one per building
	for _, o := range [][3]string{{"Li Na", "B3", "1502"}, {"Zhang Wei", "B3", "1601"}, {"Chen Jing", "B3", "1702"},
		{"Wang Qiang", "B3", "1801"}, {"Zhao Min", "B5", "0602"}, {"Sun Li", "B5", "1201"}} {
		c, err := s.cs.Create(ctx, customer.NewInput{Tenant: tenant, Kind: customer.Person, Name: o[0],
			Roles: []customer.Role{customer.Owner}, Owner: butlers[o[1]], TimeZone: "Asia/Shanghai"}, customer.Change{Actor: "sales.office"})
		if err != nil {
			return err
		}
		c, err = s.cs.Update(ctx, tenant, c.ID(), func(c *customer.Customer) error {
			return c.SetAttribute("unit", unit(o[1], o[2]).String())
		})
		if err != nil {
			return err
		}
		owners[o[0]], s.name[c.ID()] = c.ID(), c.Name()
		u, _ := c.Attribute("unit")
		p.line("%-10s %v %-34s butler %s", c.Name(), c.Roles(), u, c.Owner())
	}

	p.title("3. Complaints arrive during the week (a storm on Tuesday night)")
	var got []crm.ID
	for _, r := range []struct {
		owner, building, unit, category string
		sev                             complaint.Severity
		ch                              customer.Channel
		at                              time.Time
		desc                            string
	}{
		{"Li Na", "B3", "1502", "window", complaint.High, customer.CallCentre, s.at(15, 10, 0), "Rain comes in through the bedroom window frame; the sill and the floor are wet."},
		{"Zhao Min", "B5", "0602", "crack", complaint.Medium, customer.FaceToFace, s.at(15, 14, 0), "A long crack has appeared in the living-room wall; worried about the structure."},
		{"Li Na", "B3", "1502", "cleaning", complaint.Low, customer.Web, s.at(16, 11, 0), "The stairwell of building B3 has not been cleaned for three days."},
		{"Wang Qiang", "B3", "1801", "roof", complaint.High, customer.Web, s.at(17, 8, 10), "After the storm water drips from the ceiling of the top-floor bedroom."},
		{"Chen Jing", "B3", "1702", "roof", complaint.High, customer.MobileMessage, s.at(17, 8, 40), "Ceiling leaks after the storm; the paint is bubbling."},
		{"Zhang Wei", "B3", "1601", "roof", complaint.Critical, customer.CallCentre, s.at(17, 9, 15), "Water runs down the ceiling light fitting after the storm; power switched off."},
		{"Li Na", "B3", "1502", "service_attitude", complaint.Medium, customer.PhoneCall, s.at(18, 16, 0), "The front-desk clerk was rude when I asked about my complaints."},
	} {
		got = append(got, s.receive(owners[r.owner], r.building, r.unit, r.category, r.sev, r.ch, r.at, butlers[r.building], r.desc))
	}
	if s.err != nil {
		return s.err
	}
	window, crack, cleaning, roofs, rude := got[0], got[1], got[2], got[3:6], got[6]

	p.title("4. Handling, and the window repair as staff and owner see it")
	ack, assess, investigate, propose := s.svc.Acknowledge, s.svc.Assess, s.svc.Investigate, s.svc.ProposeResponse
	s.flow(window,
		step{s.at(15, 10, 20), "butler.xu", "called Ms Li back", ack},
		step{s.at(15, 10, 40), "butler.xu", "", assess},
		step{s.at(15, 11, 0), "butler.xu", "", investigate},
		step{s.at(15, 11, 20), "butler.xu", "inspect Tuesday 10:00 and reseal the frame", propose})
	s.repair(window, s.at(15, 11, 25), complaint.StepScheduled, "Inspection booked for Tuesday 10:00", true)
	s.repair(window, s.at(15, 11, 30), complaint.StepTechnicianAssigned, "Technician Liu Gang, maintenance team", true)
	s.repair(window, s.at(16, 10, 0), complaint.StepOnSite, "Technician on site; water test on the bedroom window", true)
	s.repair(window, s.at(16, 10, 40), complaint.StepOnSite, "Sill sealant cracked; installer batch W-17, check sister units", false)
	s.repair(window, s.at(16, 11, 0), complaint.StepPartsOrdered, "Silicone sealant and EPDM gasket from stock, cost centre MNT-3", false)
	s.repair(window, s.at(16, 15, 0), complaint.StepFixed, "Frame resealed and gasket replaced", true)
	s.repair(window, s.at(16, 16, 30), complaint.StepVerified, "Water test passed; Ms Li signed the work order", true)
	s.flow(window,
		step{s.at(16, 16, 35), "butler.xu", "", s.resolution(complaint.Resolution{Remedy: complaint.Repair,
			Summary:    "Window frame leak: resealed the frame and replaced the gasket; water test passed",
			RootCause:  complaint.RootCause{Category: "installation", Text: "sealant along the window sill cracked"},
			Corrective: "reseal the frame", Preventive: "inspect all windows of installer batch W-17"})},
		step{s.at(16, 16, 40), "butler.xu", "", s.svc.Resolve},
		step{s.at(16, 16, 45), "butler.xu", "", s.acceptance(true)},
		step{s.at(16, 16, 50), "butler.xu", "", s.svc.Close})
	s.flow(crack,
		step{s.at(15, 14, 30), "butler.ma", "", ack}, step{s.at(15, 15, 0), "butler.ma", "", assess},
		step{s.at(15, 15, 5), "butler.ma", "a structural engineer must look at it", s.handOver("engineer.gao")},
		step{s.at(16, 9, 30), "engineer.gao", "", investigate},
		step{s.at(16, 10, 0), "engineer.gao", "owner away until Thursday; access to the flat needed", s.svc.WaitOnCustomer},
		step{s.at(18, 9, 0), "engineer.gao", "visited the flat", s.svc.ResumeFromCustomer},
		step{s.at(18, 14, 0), "engineer.gao", "hairline plaster crack; re-plaster and repaint", propose})
	s.flow(cleaning,
		step{s.at(16, 11, 30), "butler.xu", "", ack}, step{s.at(16, 11, 40), "butler.xu", "", assess},
		step{s.at(16, 13, 0), "butler.xu", "", investigate}, step{s.at(16, 15, 0), "butler.xu", "stairwell cleaned again today", propose},
		step{s.at(17, 10, 0), "butler.xu", "", s.resolution(complaint.Resolution{Remedy: complaint.Apology,
			Summary:   "Apologised; stairwell cleaned and the contractor's daily round checked by the butler",
			RootCause: complaint.RootCause{Category: "contractor_schedule"}})},
		step{s.at(17, 10, 5), "butler.xu", "", s.svc.Resolve}, step{s.at(17, 10, 30), "butler.xu", "", s.svc.Close})
	for i, id := range roofs {
		s.flow(id, step{s.at(17, 9, 30+5*i), "butler.xu", "", ack}, step{s.at(17, 10, 0), "butler.xu", "", assess},
			step{s.at(17, 10, 30), "roofing.team", "", investigate})
	}
	s.flow(rude, step{s.at(18, 16, 30), "butler.xu", "", ack},
		step{s.at(18, 16, 40), "butler.xu", "the complaint concerns a front-desk colleague", s.handOver("manager.tang")})
	if s.err != nil {
		return s.err
	}
	c, err := s.svc.Get(ctx, tenant, window)
	if err != nil {
		return err
	}
	p.line("staff view of the %s work order (%d entries):", s.label[window], len(c.RepairTimeline()))
	for _, e := range c.RepairTimeline() {
		p.line("  %s %-19s %-8s %s", s.when(e.At), e.Step, map[bool]string{true: "public", false: "internal"}[e.Public], e.Note)
	}
	public, err := s.svc.PublicRepairView(ctx, tenant, window)
	if err != nil {
		return err
	}
	p.line("what Li Na sees (%d entries):", len(public))
	for _, e := range public {
		p.line("  %s %-19s %s", s.when(e.At), e.Step, e.Note)
	}

	p.title("5. The scheduled job, Thursday 18:00: service levels and escalations")
	clock.Set(s.at(18, 18, 0))
	alerts, err := s.svc.CheckSLAs(ctx, tenant, s.at(15, 9, 0), time.Time{})
	if err != nil {
		return err
	}
	for _, e := range alerts {
		if a, ok := e.Data.(complaint.SLAAlert); ok {
			p.line("%s %-12s %-14s %-24s policy %s", s.when(e.At), strings.TrimPrefix(e.Type, "complaint.sla_"), a.Target, s.label[e.AggregateID], a.Policy)
		}
	}
	escs, err := s.svc.ApplyEscalations(ctx, tenant, time.Time{}, "sla-job")
	if err != nil {
		return err
	}
	for _, e := range escs {
		role := "?"
		if e.To >= 1 && e.To <= len(ladder.Steps) {
			role = ladder.Steps[e.To-1].Role
		}
		p.line("escalated %-24s level %d -> %d (%s), notify %s", s.label[e.Complaint], e.From, e.To, role, strings.Join(e.Notify, ", "))
	}

	p.title("6. Risk: the roof leaks of building B3")
	risks, err := s.svc.RaiseRisks(ctx, tenant, rules, "risk.he", time.Time{})
	if err != nil {
		return err
	}
	var leakRisk crm.ID
	for _, r := range risks {
		h := r.Hotspot()
		what := h.Asset.String()
		if h.Kind == complaint.RuleRepeat {
			what = s.name[h.Customer]
		} else {
			leakRisk = r.ID()
		}
		var ev []string
		for _, id := range h.Evidence {
			ev = append(ev, s.label[id])
		}
		p.line("risk %s: %d complaints on %s, owner %s, %s", h.Rule, h.Count, what, r.Owner(), r.Status())
		p.line("  evidence: %s", strings.Join(ev, "; "))
	}
	if leakRisk.IsZero() {
		return errors.New("no leak risk was raised for building B3")
	}
	clock.Set(s.at(18, 18, 10))
	if _, err := s.svc.MoveRisk(ctx, tenant, leakRisk, complaint.RiskMitigating, "risk.he", "roofing contractor engaged; temporary patch on the B3 roof tonight"); err != nil {
		return err
	}
	group, err := s.svc.Group(ctx, tenant, roofs, complaint.Change{Actor: "risk.he", Reason: "one torn roof membrane"})
	if err != nil {
		return err
	}
	s.unanswered(group)
	for i, id := range roofs {
		s.flow(id, step{s.at(18, 18, 20+5*i), "roofing.team", "membrane repair on Saturday; ceilings redone after drying", propose})
		s.unanswered(group)
	}
	if s.err != nil {
		return s.err
	}
	clock.Set(s.at(22, 11, 0))
	resolved, err := s.svc.ResolveGroup(ctx, tenant, group, complaint.Resolution{Remedy: complaint.Repair,
		Summary:    "Roof leak over the top floors: roof membrane replaced, ceilings dried and repainted",
		RootCause:  complaint.RootCause{Category: "roof_membrane", Text: "the storm tore the roof membrane at the parapet joints"},
		Corrective: "replace 120 m2 of membrane; repair the ceilings of 1601, 1702 and 1801",
		Preventive: "inspect every roof membrane before the rainy season; add parapet flashing"}, complaint.Change{Actor: "roofing.team"})
	if err != nil {
		return err
	}
	var done []string
	for _, c := range resolved {
		done = append(done, s.label[c.ID()])
	}
	if len(resolved) > 0 {
		res, _ := resolved[0].Resolution()
		p.line("resolved once for the group: %s (remedy %s, root cause %s)", strings.Join(done, ", "), res.Remedy, res.RootCause.Category)
	}
	if _, err := s.svc.NoteRisk(ctx, tenant, leakRisk, "risk.he", "membrane replaced on B3; water test on the whole roof passed"); err != nil {
		return err
	}
	clock.Set(s.at(22, 11, 30))
	r, err := s.svc.MoveRisk(ctx, tenant, leakRisk, complaint.RiskMitigated, "risk.he", "B5 and B7 roofs inspected, no damage")
	if err != nil {
		return err
	}
	p.line("risk %s is %s:", r.Hotspot().Rule, r.Status())
	for _, n := range r.Notes() {
		p.line("  %s %s: %s", s.when(n.At), n.Actor, n.Text)
	}

	p.title("7. Closing the loop: follow-up calls (回访), surveys, reopening")
	for i, id := range roofs {
		s.flow(id, step{s.at(22, 14, 0+10*i), "butler.xu", "", s.acceptance(true)}, step{s.at(22, 14, 5+10*i), "butler.xu", "", s.svc.Close})
	}
	s.flow(crack, step{s.at(20, 10, 0), "engineer.gao", "", s.resolution(complaint.Resolution{Remedy: complaint.Repair,
		Summary:   "Wall crack: hairline shrinkage in the plaster, not structural; re-plastered and repainted",
		RootCause: complaint.RootCause{Category: "plaster_shrinkage"}})},
		step{s.at(20, 11, 0), "engineer.gao", "", s.svc.Resolve}, step{s.at(20, 11, 30), "butler.ma", "", s.svc.Close})
	s.flow(rude, step{s.at(20, 9, 10), "manager.tang", "", assess}, step{s.at(20, 9, 15), "manager.tang", "", investigate},
		step{s.at(20, 10, 0), "manager.tang", "apology in person; the clerk is coached", propose},
		step{s.at(20, 10, 30), "manager.tang", "", s.resolution(complaint.Resolution{Remedy: complaint.Apology,
			Summary: "Manager apologised in person; front-desk clerk coached on courtesy", RootCause: complaint.RootCause{Category: "staff_training"}})},
		step{s.at(20, 10, 35), "manager.tang", "", s.svc.Resolve}, step{s.at(20, 11, 0), "manager.tang", "", s.svc.Close})
	if s.err != nil {
		return s.err
	}
	// The call centre, not the handler, makes the follow-up calls.
	calls := map[crm.ID]time.Time{window: s.at(23, 10, 0), cleaning: s.at(23, 10, 30), crack: s.at(23, 14, 0),
		rude: s.at(24, 9, 30), roofs[0]: s.at(24, 10, 0), roofs[1]: s.at(24, 10, 30), roofs[2]: s.at(24, 11, 0)}
	for _, id := range got[:7] {
		if _, err := s.svc.ScheduleFollowUp(ctx, tenant, id, calls[id], complaint.Change{Actor: "callcentre.zhou", At: s.at(22, 16, 0)}); err != nil {
			return err
		}
	}
	clock.Set(s.at(22, 17, 0))
	due, err := s.svc.FollowUpsDue(ctx, tenant, s.at(23, 0, 0), s.at(25, 0, 0))
	if err != nil {
		return err
	}
	for _, c := range due {
		p.line("follow-up due %s  %-24s %s", s.when(c.FollowUpAt()), s.label[c.ID()], s.name[c.Customer()])
	}
	surveys := map[crm.ID]complaint.Survey{window: {CSAT: 5, Comment: "fast, and I could follow the repair"},
		cleaning: {CSAT: 3, Comment: "fine now, but it should not need a complaint"}, rude: {CSAT: 4, Comment: "the apology was sincere"},
		roofs[0]: {CSAT: 4, Comment: "good repair, slow first answer"}, roofs[1]: {CSAT: 4, Comment: "ceiling looks new"},
		roofs[2]: {CSAT: 3, Comment: "a week under a leaking ceiling"}, crack: {CSAT: 4, Comment: "the report reassured me"}}
	for _, c := range due {
		id, at := c.ID(), c.FollowUpAt()
		note := "owner reached, satisfied"
		if id == crack {
			note = "owner not convinced the crack is harmless"
		}
		if _, err := s.svc.RecordFollowUp(ctx, tenant, id, complaint.FollowUp{Reached: true, Note: note}, complaint.Change{Actor: "callcentre.zhou", At: at}); err != nil {
			return err
		}
		if id == crack {
			s.flow(id, step{at.Add(5 * time.Minute), "callcentre.zhou", "", s.acceptance(false)},
				step{at.Add(10 * time.Minute), "butler.ma", "owner wants a written engineer's report", s.svc.Reopen})
			p.line("%-24s %s: %s; reopened", s.label[id], s.name[c.Customer()], note)
			continue
		}
		if c, err = s.svc.RecordSurvey(ctx, tenant, id, surveys[id], complaint.Change{Actor: "callcentre.zhou", At: at.Add(5 * time.Minute)}); err != nil {
			return err
		}
		sv, _ := c.Survey()
		p.line("%-24s %s: CSAT %d, %q", s.label[id], s.name[c.Customer()], sv.CSAT, sv.Comment)
	}
	s.flow(crack, step{s.at(23, 14, 30), "engineer.gao", "", investigate},
		step{s.at(25, 10, 0), "engineer.gao", "written report: non-structural shrinkage crack", propose},
		step{s.at(25, 10, 5), "engineer.gao", "", s.svc.Resolve}, step{s.at(25, 10, 30), "engineer.gao", "", s.acceptance(true)},
		step{s.at(25, 11, 0), "butler.ma", "", s.svc.Close})
	if s.err != nil {
		return s.err
	}
	if _, err := s.svc.RecordSurvey(ctx, tenant, crack, surveys[crack], complaint.Change{Actor: "callcentre.zhou", At: s.at(25, 11, 5)}); err != nil {
		return err
	}
	c, err = s.svc.Get(ctx, tenant, crack)
	if err != nil {
		return err
	}
	accepted, _ := c.Acceptance()
	p.line("%s closed again after %d reopen; decision accepted: %v", s.label[crack], c.Reopens(), accepted)
	july := time.Date(2026, 7, 6, 9, 0, 0, 0, loc)
	clock.Set(july)
	_, err = s.svc.Reopen(ctx, tenant, cleaning, complaint.Change{Actor: "butler.xu", Reason: "stairwell dirty again"})
	var refused *crm.TransitionError
	if !errors.As(err, &refused) {
		return fmt.Errorf("reopen after the window was not refused: %w", err)
	}
	p.line("reopen %s on %s? refused: %s -> %s, %s", s.label[cleaning], july.Format("01-02"), refused.From, refused.To, refused.Reason)

	p.title("8. Knowledge base: past solutions for a new window leak")
	clock.Set(july.Add(30 * time.Minute))
	fresh := s.receive(owners["Sun Li"], "B5", "1201", "window", complaint.High, customer.Web, clock.Now(), "butler.ma",
		"Water leaks in at the window frame of the bedroom when it rains.")
	if s.err != nil {
		return s.err
	}
	ix, err := s.svc.SolutionIndex(ctx, tenant)
	if err != nil {
		return err
	}
	sugs, err := s.svc.SuggestFor(ctx, tenant, ix, fresh, 3)
	if err != nil {
		return err
	}
	p.line("%d solutions indexed; for %s:", ix.Len(), s.label[fresh])
	for _, sg := range sugs {
		past, err := s.svc.Get(ctx, tenant, sg.Solution.ComplaintID)
		if err != nil {
			return err
		}
		res, _ := past.Resolution()
		p.line("%-24s score %5.2f category depth %d terms %s", s.label[past.ID()], sg.Score, sg.Reasons.CategoryDepth, strings.Join(sg.Reasons.Terms, ","))
		p.line("  %s: %s", sg.Solution.Remedy, res.Summary)
	}

	p.title("9. Analytics for the week of 15 June (working time)")
	for _, by := range []complaint.Dimension{complaint.ByCategory, complaint.ByAsset} {
		rep, err := s.svc.Analyze(ctx, tenant, complaint.AnalyticsOptions{From: s.at(15, 0, 0), To: s.at(22, 0, 0), By: by, AssetLevel: 2})
		if err != nil {
			return err
		}
		p.line("by %s:", by)
		rows := rep.Slices
		if by == complaint.ByCategory {
			rows = append(rows, complaint.Slice{Key: "all complaints", Stats: rep.Total})
		}
		for _, sl := range rows {
			st := sl.Stats
			p.line("  %-31s n=%d ack %s/%s resolve %s/%s (median/p90)", sl.Key, st.Count,
				dur(st.Acknowledge.Median), dur(st.Acknowledge.P90), dur(st.Resolve.Median), dur(st.Resolve.P90))
			p.line("  %-31s resolution SLA %3.0f%% reopen %3.0f%% hand-overs %d escalated %d CSAT %.1f (n=%d)", "",
				100*st.SLA[complaint.TargetResolution].Rate, 100*st.ReopenRate, st.HandOvers, st.Escalated, st.CSAT.Mean, st.CSAT.N)
		}
	}

	p.title("10. Domain events delivered after commit")
	var kinds []string
	for k := range published {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		p.line("%-30s %d", k, published[k])
	}
	return p.err
}

// at returns a time of day in June 2026, Shanghai time.
func (s *story) at(day, hour, minute int) time.Time {
	return time.Date(2026, time.June, day, hour, minute, 0, 0, s.loc)
}

// when formats t for the report.
func (s *story) when(t time.Time) string { return t.In(s.loc).Format("Mon 01-02 15:04") }

// receive records a complaint at the given time and prints it with the
// service-level policy chosen for it.
func (s *story) receive(cust crm.ID, building, unitNo, category string, sv complaint.Severity, ch customer.Channel,
	at time.Time, owner crm.UserID, desc string) crm.ID {
	if s.err != nil {
		return crm.NilID
	}
	s.clock.Set(at)
	c, err := s.svc.Receive(s.ctx, complaint.ReceiveInput{Tenant: tenant, Customer: cust, Channel: ch, Category: category,
		Severity: sv, Asset: unit(building, unitNo), Description: desc, Owner: owner}, complaint.Change{Actor: owner})
	if err != nil {
		s.err = err
		return crm.NilID
	}
	s.label[c.ID()] = building + "-" + unitNo + " " + category
	sla, err := s.svc.SLA(s.ctx, tenant, c.ID(), at)
	if err != nil {
		s.err = err
		return crm.NilID
	}
	s.p.line("%s %-14s %-24s %-8s %-10s policy %-12s ack by %s, resolve by %s", s.when(at), ch, s.label[c.ID()], sv, s.name[cust],
		sla.Policy, s.when(sla.Acknowledge.Deadline)[4:], s.when(sla.Resolution.Deadline)[4:])
	return c.ID()
}

// flow applies the steps to complaint id in order.
func (s *story) flow(id crm.ID, steps ...step) {
	for _, st := range steps {
		if s.err != nil {
			return
		}
		if _, err := st.fn(s.ctx, tenant, id, complaint.Change{Actor: st.actor, At: st.at, Reason: st.why}); err != nil {
			s.err = fmt.Errorf("%s: %w", s.label[id], err)
		}
	}
}

// repair adds a repair-timeline entry to complaint id.
func (s *story) repair(id crm.ID, at time.Time, st complaint.RepairStep, note string, public bool) {
	s.flow(id, step{at, "tech.liu", "", s.with(func(c *complaint.Complaint, ch complaint.Change) error {
		return c.AddRepairStep(st, note, public, ch)
	})})
}

// with turns a change of the complaint entity into an action run through
// the service's Update (which publishes its events after the commit).
func (s *story) with(f func(c *complaint.Complaint, ch complaint.Change) error) action {
	return func(ctx context.Context, t crm.TenantID, id crm.ID, ch complaint.Change) (*complaint.Complaint, error) {
		return s.svc.Update(ctx, t, id, func(c *complaint.Complaint) error { return f(c, ch) })
	}
}

func (s *story) resolution(r complaint.Resolution) action {
	return s.with(func(c *complaint.Complaint, ch complaint.Change) error { return c.SetResolution(r, ch) })
}

func (s *story) acceptance(ok bool) action {
	return s.with(func(c *complaint.Complaint, ch complaint.Change) error { return c.RecordAcceptance(ok, ch) })
}

func (s *story) handOver(to crm.UserID) action {
	return s.with(func(c *complaint.Complaint, ch complaint.Change) error { return c.HandOver(to, ch) })
}

// unanswered prints the owners of the group still waiting for an answer.
func (s *story) unanswered(group crm.ID) {
	if s.err != nil {
		return
	}
	un, err := s.svc.Unanswered(s.ctx, tenant, group)
	if err != nil {
		s.err = err
		return
	}
	var names []string
	for _, u := range un {
		names = append(names, s.name[u.Customer])
	}
	if len(names) == 0 {
		names = []string{"nobody: every owner has had an answer"}
	}
	s.p.line("still to answer: %s", strings.Join(names, ", "))
}

// unit returns the asset path of a flat in project P1.
func unit(building, no string) complaint.Asset {
	return complaint.Asset{{Kind: "project", ID: "P1"}, {Kind: "building", ID: building}, {Kind: "unit", ID: no}}
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
