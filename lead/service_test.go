package lead_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/calendar"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
	"github.com/crmkit/crm/storage"
	"github.com/crmkit/crm/storage/memory"
)

var errBoom = errors.New("injected failure")

// failing is a backend over a memory store whose calls named in fail
// return errBoom: the failure injection of the conversion tests.
type failing struct {
	*memory.Store
	fail         string
	mu           sync.Mutex
	interactions int
}

func (f *failing) Leads() lead.Store { return &failingLeads{Store: f.Store.Leads(), f: f} }
func (f *failing) Customers() customer.Store {
	return &failingCustomers{Store: f.Store.Customers(), f: f}
}
func (f *failing) hit(op string) error {
	if f.fail == op {
		return errBoom
	}
	return nil
}
func (f *failing) ok(op string) bool { return f.hit(op) == nil }
func (f *failing) setFail(op string) { f.fail = op }

type failingLeads struct {
	lead.Store
	f *failing
}

func (l *failingLeads) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*lead.Lead) error) (*lead.Lead, error) {
	if !l.f.ok("lead.Update") {
		return nil, errBoom
	}
	return l.Store.Update(ctx, tenant, id, fn)
}

func (l *failingLeads) UpdateAssignment(ctx context.Context, tenant crm.TenantID, team string, fn func(*lead.AssignmentState) error) (lead.AssignmentState, error) {
	if !l.f.ok("lead.UpdateAssignment") {
		return lead.AssignmentState{}, errBoom
	}
	return l.Store.UpdateAssignment(ctx, tenant, team, fn)
}

type failingCustomers struct {
	customer.Store
	f *failing
}

func (c *failingCustomers) Create(ctx context.Context, x *customer.Customer) error {
	if err := c.Store.Create(ctx, x); err != nil {
		return err
	}
	return c.f.hit("customer.Create") // after the write: the transaction must undo it
}

func (c *failingCustomers) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(*customer.Customer) error) (*customer.Customer, error) {
	got, err := c.Store.Update(ctx, tenant, id, fn)
	if err != nil {
		return nil, err
	}
	return got, c.f.hit("customer.Update")
}

// AddInteraction fails after storing the second interaction of a call
// series when "customer.AddInteraction" is set: the transaction must undo
// the first ones too.
func (c *failingCustomers) AddInteraction(ctx context.Context, in customer.Interaction) error {
	if err := c.Store.AddInteraction(ctx, in); err != nil {
		return err
	}
	if c.f.fail == "customer.AddInteraction" {
		c.f.mu.Lock()
		c.f.interactions++
		n := c.f.interactions
		c.f.mu.Unlock()
		if n >= 2 {
			return errBoom
		}
	}
	return nil
}

// svcRouter shares every lead between ann and ben, 10 open leads each.
func svcRouter(t testing.TB) *lead.Router {
	t.Helper()
	r, err := lead.NewRouter(lead.Rules{
		People: []lead.Person{{ID: "ann", Capacity: 10}, {ID: "ben", Capacity: 10}},
		Rules:  []lead.Rule{{Name: "all", People: []crm.UserID{"ann", "ben"}}},
	}, nil)
	require.NoError(t, err)
	return r
}

type recorder struct {
	mu     sync.Mutex
	events []crm.Event
}

func (r *recorder) Publish(_ context.Context, evs []crm.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, evs...)
	return nil
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = e.Type
	}
	return out
}

func newSvc(t testing.TB, b lead.Backend, o *lead.Options) *lead.Service {
	t.Helper()
	if o == nil {
		o = &lead.Options{}
	}
	if o.Clock == nil {
		o.Clock = crm.NewManualClock(t0.Add(time.Hour))
	}
	if o.Router == nil {
		o.Router = svcRouter(t)
	}
	s, err := lead.NewService(b, o)
	require.NoError(t, err)
	return s
}

func captureInput(email string) lead.NewInput {
	in := validInput()
	in.ID = crm.NilID
	in.Emails, in.Phones = []string{email}, nil
	return in
}

func TestServiceCaptureAssignsAndPublishes(t *testing.T) {
	t.Parallel()
	st := memory.New(nil)
	rec := &recorder{}
	s := newSvc(t, st, &lead.Options{Events: rec, Outbox: st})
	ctx := context.Background()
	var owners []crm.UserID
	for i := range 4 {
		res, err := s.Capture(ctx, captureInput(fmt.Sprintf("p%d@example.com", i)), chg(0))
		require.NoError(t, err)
		require.Equal(t, lead.ActionCreate, res.Resolution.Action)
		require.True(t, res.Decision.Assigned, res.Decision.Why)
		require.Equal(t, int64(1), res.Lead.Version())
		owners = append(owners, res.Lead.Owner())
	}
	require.Equal(t, []crm.UserID{"ann", "ben", "ann", "ben"}, owners)
	as, err := st.Leads().Assignment(ctx, tenantA, "")
	require.NoError(t, err)
	require.Equal(t, 2, as.OpenLeads("ann"))
	require.Equal(t, []string{lead.EventCaptured, lead.EventAssigned, lead.EventCaptured, lead.EventAssigned,
		lead.EventCaptured, lead.EventAssigned, lead.EventCaptured, lead.EventAssigned}, rec.types())
	for _, e := range rec.events {
		require.False(t, e.ID.IsZero(), "events get IDs")
	}
	claimed, err := st.ClaimEvents(ctx, storage.ClaimRequest{Limit: 100})
	require.NoError(t, err)
	require.Len(t, claimed, 8, "every event went to the outbox in the capture's transaction")
}

func TestServiceCaptureDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	email, err := customer.ParseEmail("known@example.com")
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		policy   lead.DuplicatePolicy
		withLead bool
		want     lead.Action
	}{
		{"AttachToLead", lead.AttachToLead, true, lead.ActionAttach},
		{"AttachFallsBackToCustomer", lead.AttachToLead, false, lead.ActionLinkCustomer},
		{"LinkToCustomer", lead.LinkToCustomer, true, lead.ActionLinkCustomer},
		{"CreateAnyway", lead.CreateAnyway, true, lead.ActionCreate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := memory.New(nil)
			s := newSvc(t, st, &lead.Options{Policy: tc.policy})
			c, err := customer.New(customer.NewInput{ID: nthID(900), Tenant: tenantA, Kind: customer.Person, Name: "Wang Fang",
				Roles: []customer.Role{customer.EndCustomer}, Owner: "ann", Emails: []customer.Email{email}}, customer.Change{Actor: "x", At: t0})
			require.NoError(t, err)
			require.NoError(t, st.Customers().Create(ctx, c))
			var first *lead.Lead
			if tc.withLead {
				in := captureInput("known@example.com")
				in.ID = nthID(1)
				res, err := lead.NewService(st, &lead.Options{Policy: lead.CreateAnyway, Clock: crm.NewManualClock(t0)})
				require.NoError(t, err)
				r, err := res.Capture(ctx, in, chg(0))
				require.NoError(t, err)
				first = r.Lead
			}
			res, err := s.Capture(ctx, captureInput("Known@Example.com"), chg(30))
			require.NoError(t, err)
			require.Equal(t, tc.want, res.Resolution.Action, res.Resolution.Why)
			require.NotEmpty(t, res.Resolution.Matches)
			all, err := st.Leads().List(ctx, tenantA, lead.Query{}, crm.PageRequest{})
			require.NoError(t, err)
			switch tc.want {
			case lead.ActionAttach:
				require.Equal(t, first.ID(), res.Lead.ID())
				require.Len(t, res.Lead.Touches(), 2)
				require.Len(t, all.Items, 1, "an attached capture stores no lead")
			case lead.ActionLinkCustomer:
				require.Equal(t, c.ID(), res.Lead.Customer())
			case lead.ActionCreate:
				require.Len(t, all.Items, 2)
			}
		})
	}
}

func TestServiceNobodyEligibleLeavesTheLeadUnassigned(t *testing.T) {
	t.Parallel()
	r, err := lead.NewRouter(lead.Rules{
		People: []lead.Person{{ID: "ann", Capacity: 0}},
		Rules:  []lead.Rule{{Name: "all", People: []crm.UserID{"ann"}}},
	}, nil)
	require.NoError(t, err)
	st := memory.New(nil)
	s := newSvc(t, st, &lead.Options{Router: r})
	res, err := s.Capture(context.Background(), captureInput("a@example.com"), chg(0))
	require.NoError(t, err)
	require.False(t, res.Decision.Assigned)
	require.Contains(t, res.Decision.Why, "nobody is eligible")
	require.Empty(t, res.Lead.Owner())
}

func TestServiceMoveReleasesCapacity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil)
	s := newSvc(t, st, nil)
	res, err := s.Capture(ctx, captureInput("a@example.com"), chg(0))
	require.NoError(t, err)
	dq := chg(10)
	dq.Reason = "spam"
	l, err := s.Move(ctx, tenantA, res.Lead.ID(), lead.StageDisqualified, dq)
	require.NoError(t, err)
	require.Equal(t, lead.StageDisqualified, l.Stage())
	as, err := st.Leads().Assignment(ctx, tenantA, "")
	require.NoError(t, err)
	require.Zero(t, as.OpenLeads(res.Lead.Owner()), "a closed lead frees its owner's slot")
	_, err = s.Move(ctx, tenantA, res.Lead.ID(), lead.StageConverted, chg(20))
	require.ErrorIs(t, err, crm.ErrInvalidTransition)
}

// qualified captures a lead and moves it to StageQualified.
func qualified(t testing.TB, s *lead.Service, email string) *lead.Lead {
	t.Helper()
	ctx := context.Background()
	in := captureInput(email)
	in.Phones = []string{"+86 138 0013 8000"}
	res, err := s.Capture(ctx, in, chg(0))
	require.NoError(t, err)
	_, err = s.Move(ctx, tenantA, res.Lead.ID(), lead.StageContacted, chg(1))
	require.NoError(t, err)
	l, err := s.Move(ctx, tenantA, res.Lead.ID(), lead.StageQualified, chg(2))
	require.NoError(t, err)
	return l
}

func TestServiceConvert(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil)
	rec := &recorder{}
	s := newSvc(t, st, &lead.Options{Events: rec})
	l := qualified(t, s, "wang@example.com")
	oppID := nthID(700)
	conv, err := s.Convert(ctx, lead.ConvertInput{Tenant: tenantA, Lead: l.ID(),
		CreateOpportunity: func(context.Context, crm.ID) (crm.ID, error) { return oppID, nil }}, chg(3))
	require.NoError(t, err)
	require.True(t, conv.CreatedCustomer)
	require.False(t, conv.Again)
	c := conv.Customer
	require.Equal(t, "Wang Fang", c.Name())
	require.Equal(t, l.Owner(), c.Owner())
	require.Len(t, c.Emails(), 1)
	require.Len(t, c.Phones(), 1)
	require.True(t, c.MayContact(customer.EmailChannel), "consent carried over")
	require.Equal(t, l.ID().String(), c.Attributes()["lead"], "the link back to the lead")
	require.Equal(t, "web_form", c.Attributes()["lead_source"])
	require.Equal(t, idCamp.String(), c.Attributes()["lead_campaign"])
	require.Equal(t, lead.StageConverted, conv.Lead.Stage())
	require.Equal(t, c.ID(), conv.Lead.Customer())
	require.Equal(t, oppID, conv.Lead.Opportunity())
	as, err := st.Leads().Assignment(ctx, tenantA, "")
	require.NoError(t, err)
	require.Zero(t, as.OpenLeads(l.Owner()), "conversion frees the owner's slot")
	require.Contains(t, rec.types(), customer.EventCreated)
	require.Len(t, conv.Interactions, 2)
	capture, first := conv.Interactions[0], conv.Interactions[1]
	require.Equal(t, customer.Inbound, capture.Direction)
	require.Equal(t, customer.Web, capture.Channel)
	require.Equal(t, l.CapturedAt(), capture.At)
	require.Contains(t, capture.Summary, "web_form (contact form), campaign "+idCamp.String())
	require.Equal(t, customer.Outbound, first.Direction)
	require.Equal(t, l.FirstContactAt(), first.At)
	require.Equal(t, l.Owner(), first.Actor)
	stored, err := st.Customers().Interactions(ctx, tenantA, c.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.ElementsMatch(t, conv.Interactions, stored.Items, "stored in the conversion's transaction")

	again, err := s.Convert(ctx, lead.ConvertInput{Tenant: tenantA, Lead: l.ID()}, chg(4))
	require.NoError(t, err)
	require.True(t, again.Again)
	require.Equal(t, c.ID(), again.Customer.ID())
	require.Equal(t, oppID, again.Opportunity)
	_, err = s.Convert(ctx, lead.ConvertInput{Tenant: tenantA, Lead: l.ID(), Customer: nthID(5)}, chg(4))
	require.ErrorIs(t, err, crm.ErrConflict)
	all, err := st.Customers().List(ctx, tenantA, customer.Query{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, all.Items, 1, "never a second customer")
	stored, err = st.Customers().Interactions(ctx, tenantA, c.ID(), crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, stored.Items, 2, "a second conversion records nothing")
}

func TestServiceConvertLinksTheExistingDuplicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil)
	s := newSvc(t, st, &lead.Options{Policy: lead.CreateAnyway})
	email, err := customer.ParseEmail("wang@example.com")
	require.NoError(t, err)
	c, err := customer.New(customer.NewInput{ID: nthID(900), Tenant: tenantA, Kind: customer.Person, Name: "Wang Fang",
		Roles: []customer.Role{customer.EndCustomer}, Owner: "zoe", Emails: []customer.Email{email}}, customer.Change{Actor: "x", At: t0})
	require.NoError(t, err)
	require.NoError(t, st.Customers().Create(ctx, c))
	l := qualified(t, s, "wang@example.com")
	conv, err := s.Convert(ctx, lead.ConvertInput{Tenant: tenantA, Lead: l.ID()}, chg(3))
	require.NoError(t, err)
	require.False(t, conv.CreatedCustomer)
	require.Equal(t, c.ID(), conv.Customer.ID())
	require.Len(t, conv.Customer.Phones(), 1, "the lead's phone number carried over")
	require.Equal(t, crm.UserID("zoe"), conv.Customer.Owner(), "the customer keeps its owner")
}

func TestServiceConvertRefusesUnqualified(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil)
	s := newSvc(t, st, nil)
	res, err := s.Capture(ctx, captureInput("a@example.com"), chg(0))
	require.NoError(t, err)
	_, err = s.Convert(ctx, lead.ConvertInput{Tenant: tenantA, Lead: res.Lead.ID()}, chg(3))
	require.ErrorIs(t, err, crm.ErrInvalidTransition)
	dq := chg(4)
	dq.Reason = "spam"
	_, err = s.Move(ctx, tenantA, res.Lead.ID(), lead.StageDisqualified, dq)
	require.NoError(t, err)
	_, err = s.Convert(ctx, lead.ConvertInput{Tenant: tenantA, Lead: res.Lead.ID()}, chg(5))
	require.ErrorIs(t, err, crm.ErrInvalidTransition)
	_, err = s.Convert(ctx, lead.ConvertInput{Tenant: "other", Lead: res.Lead.ID()}, chg(5))
	require.ErrorIs(t, err, crm.ErrNotFound, "another tenant's lead")
}

// TestServiceConvertAllOrNothing injects a failure at every step of a
// conversion and checks that nothing of it is left behind.
func TestServiceConvertAllOrNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		fail      string
		linkFirst bool
	}{
		{"CustomerCreate", "customer.Create", false},
		{"CustomerUpdate", "customer.Update", true},
		{"Opportunity", "opportunity", false},
		{"LeadUpdate", "lead.Update", false},
		{"ReleaseSlot", "lead.UpdateAssignment", false},
		{"Interaction", "customer.AddInteraction", false},
		{"InteractionOfLinked", "customer.AddInteraction", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := &failing{Store: memory.New(nil)}
			s := newSvc(t, f, &lead.Options{Policy: lead.CreateAnyway})
			if tc.linkFirst {
				email, err := customer.ParseEmail("wang@example.com")
				require.NoError(t, err)
				c, err := customer.New(customer.NewInput{ID: nthID(900), Tenant: tenantA, Kind: customer.Person, Name: "Wang",
					Roles: []customer.Role{customer.EndCustomer}, Owner: "zoe", Emails: []customer.Email{email}}, customer.Change{Actor: "x", At: t0})
				require.NoError(t, err)
				require.NoError(t, f.Store.Customers().Create(ctx, c))
			}
			l := qualified(t, s, "wang@example.com")
			custsBefore, err := f.Store.Customers().List(ctx, tenantA, customer.Query{}, crm.PageRequest{})
			require.NoError(t, err)
			var custHistBefore []customer.HistoryEntry
			if tc.linkFirst {
				h, err := f.Store.Customers().History(ctx, tenantA, nthID(900), crm.PageRequest{})
				require.NoError(t, err)
				custHistBefore = h.Items
			}
			asBefore, err := f.Store.Leads().Assignment(ctx, tenantA, "")
			require.NoError(t, err)
			f.setFail(tc.fail)
			_, err = s.Convert(ctx, lead.ConvertInput{Tenant: tenantA, Lead: l.ID(),
				CreateOpportunity: func(ctx context.Context, cust crm.ID) (crm.ID, error) {
					if tc.fail == "opportunity" {
						return crm.NilID, errBoom
					}
					return nthID(700), nil
				}}, chg(3))
			require.ErrorIs(t, err, errBoom)
			f.setFail("")

			got, err := f.Store.Leads().Get(ctx, tenantA, l.ID())
			require.NoError(t, err)
			require.Equal(t, lead.StageQualified, got.Stage())
			require.Equal(t, l.Version(), got.Version())
			custsAfter, err := f.Store.Customers().List(ctx, tenantA, customer.Query{}, crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, custsAfter.Items, len(custsBefore.Items), "no customer left behind")
			if tc.linkFirst {
				h, err := f.Store.Customers().History(ctx, tenantA, nthID(900), crm.PageRequest{})
				require.NoError(t, err)
				require.Equal(t, custHistBefore, h.Items, "the linked customer is unchanged")
				require.Equal(t, int64(1), custsAfter.Items[0].Version())
				in, err := f.Store.Customers().Interactions(ctx, tenantA, nthID(900), crm.PageRequest{})
				require.NoError(t, err)
				require.Empty(t, in.Items, "no interaction left behind")
			}
			asAfter, err := f.Store.Leads().Assignment(ctx, tenantA, "")
			require.NoError(t, err)
			require.Equal(t, asBefore, asAfter)

			// And the conversion succeeds once the failure is gone.
			conv, err := s.Convert(ctx, lead.ConvertInput{Tenant: tenantA, Lead: l.ID()}, chg(4))
			require.NoError(t, err)
			require.Equal(t, lead.StageConverted, conv.Lead.Stage())
			in, err := f.Store.Customers().Interactions(ctx, tenantA, conv.Customer.ID(), crm.PageRequest{})
			require.NoError(t, err)
			require.Len(t, in.Items, 2, "the capture and the first contact, once")
		})
	}
}

func TestServiceConcurrentConversionsMakeOneCustomer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil)
	s := newSvc(t, st, nil)
	l := qualified(t, s, "wang@example.com")
	const n = 16
	results := make([]lead.Conversion, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.Convert(ctx, lead.ConvertInput{Tenant: tenantA, Lead: l.ID()}, chg(3))
		}()
	}
	wg.Wait()
	first := 0
	for i := range n {
		require.NoError(t, errs[i])
		require.Equal(t, results[0].Customer.ID(), results[i].Customer.ID())
		if !results[i].Again {
			first++
		}
	}
	require.Equal(t, 1, first, "exactly one conversion did the work")
	all, err := st.Customers().List(ctx, tenantA, customer.Query{}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, all.Items, 1)
}

func TestServiceFirstContactReassigns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	office, err := calendar.New(calendar.Config{TimeZone: "UTC", Week: calendar.Week{
		time.Monday: {{Start: calendar.At(9, 0), End: calendar.At(17, 0)}},
	}})
	require.NoError(t, err)
	st := memory.New(nil)
	rec := &recorder{}
	s := newSvc(t, st, &lead.Options{Events: rec, FirstContact: &lead.FirstContactSLA{
		Calendar: office, Thresholds: calendar.Thresholds{Target: 2 * time.Hour},
	}})
	res, err := s.Capture(ctx, captureInput("a@example.com"), chg(0)) // Monday 09:00
	require.NoError(t, err)
	contacted, err := s.Capture(ctx, captureInput("b@example.com"), chg(0))
	require.NoError(t, err)
	_, err = s.RecordContact(ctx, tenantA, contacted.Lead.ID(), chg(30))
	require.NoError(t, err)

	alerts, moved, err := s.CheckFirstContact(ctx, tenantA, t0, t0.Add(3*time.Hour), "sla-bot")
	require.NoError(t, err)
	require.Len(t, alerts, 1)
	require.Equal(t, lead.EventFirstContactBreached, alerts[0].Type)
	require.False(t, alerts[0].ID.IsZero())
	require.Len(t, moved, 1)
	require.Equal(t, res.Lead.ID(), moved[0].Lead)
	got, err := s.Get(ctx, tenantA, res.Lead.ID())
	require.NoError(t, err)
	require.NotEqual(t, res.Lead.Owner(), got.Owner())
	as, err := st.Leads().Assignment(ctx, tenantA, "")
	require.NoError(t, err)
	require.Zero(t, as.OpenLeads(res.Lead.Owner()), "the slot moved with the lead")
	require.Equal(t, 2, as.OpenLeads(got.Owner()))

	again, moved, err := s.CheckFirstContact(ctx, tenantA, t0.Add(3*time.Hour), t0.Add(4*time.Hour), "sla-bot")
	require.NoError(t, err)
	require.Empty(t, again, "a breach is reported once")
	require.Empty(t, moved, "the new owner's clock restarted")
}

func TestServiceCampaigns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil)
	s := newSvc(t, st, nil)
	c, err := s.CreateCampaign(ctx, lead.CampaignInput{Tenant: tenantA, Name: "Spring fair", Channel: lead.CampaignTradeShow,
		Start: t0, Budget: cny("1000")}, chg(0))
	require.NoError(t, err)
	require.Equal(t, int64(1), c.Version())
	c, err = s.UpdateCampaign(ctx, tenantA, c.ID(), func(c *lead.Campaign) error {
		if err := c.AddMember(lead.MatchLead, idL, chg(1)); err != nil {
			return err
		}
		return c.SetCost(cny("400"), chg(2))
	})
	require.NoError(t, err)
	require.Equal(t, int64(2), c.Version())
	require.Len(t, c.Members(), 1)
	_, err = s.UpdateCampaign(ctx, tenantA, c.ID(), func(c *lead.Campaign) error { return c.SetCost(crm.MustParseMoney("1 EUR"), chg(3)) })
	require.ErrorIs(t, err, crm.ErrInvalid, "a cost in another currency")
	got, err := st.Leads().Campaigns().Get(ctx, tenantA, c.ID())
	require.NoError(t, err)
	require.Equal(t, int64(2), got.Version())
}

func TestServiceCountsFollowEveryChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New(nil)
	s := newSvc(t, st, nil)
	res, err := s.Capture(ctx, captureInput("a@example.com"), chg(0))
	require.NoError(t, err)
	id, owner := res.Lead.ID(), res.Lead.Owner()
	counts := func() (int, int) {
		as, err := st.Leads().Assignment(ctx, tenantA, "")
		require.NoError(t, err)
		return as.OpenLeads(owner), as.OpenLeads("zoe")
	}
	o, z := counts()
	require.Equal(t, [2]int{1, 0}, [2]int{o, z})

	hand := chg(10)
	hand.Reason = "zoe speaks the language"
	_, err = s.Update(ctx, tenantA, id, func(l *lead.Lead) error { return l.Assign("zoe", hand) })
	require.NoError(t, err)
	o, z = counts()
	require.Equal(t, [2]int{0, 1}, [2]int{o, z}, "a hand-made reassignment moves the slot")

	dq := chg(20)
	dq.Reason = "no_budget"
	_, err = s.Move(ctx, tenantA, id, lead.StageDisqualified, dq)
	require.NoError(t, err)
	o, z = counts()
	require.Equal(t, [2]int{0, 0}, [2]int{o, z}, "a closed lead holds no slot")

	_, err = s.Move(ctx, tenantA, id, lead.StageNurturing, chg(30))
	require.NoError(t, err)
	o, z = counts()
	require.Equal(t, [2]int{0, 1}, [2]int{o, z}, "a reopened lead takes its owner's slot again")

	_, err = s.Update(ctx, tenantA, id, func(l *lead.Lead) error { return errBoom })
	require.ErrorIs(t, err, errBoom)
	o, z = counts()
	require.Equal(t, [2]int{0, 1}, [2]int{o, z})
}
