package customer_test

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/storage/memory"
)

var errFire = errors.New("disk on fire")

// flakyPort is a relation or plan port whose calls fail from the n-th on
// (counted across every port sharing left).
type flakyPort[T, Q any] struct {
	s interface {
		Create(context.Context, T) error
		Get(context.Context, crm.TenantID, crm.ID) (T, error)
		Update(context.Context, crm.TenantID, crm.ID, func(T) error) (T, error)
		List(context.Context, crm.TenantID, Q, crm.PageRequest) (crm.Page[T], error)
	}
	left, calls *atomic.Int64
}

func (p flakyPort[T, Q]) tick() error {
	p.calls.Add(1)
	if p.left.Add(-1) == 0 {
		return errFire
	}
	return nil
}

func (p flakyPort[T, Q]) Create(ctx context.Context, x T) error {
	if err := p.tick(); err != nil {
		return err
	}
	return p.s.Create(ctx, x)
}

func (p flakyPort[T, Q]) Get(ctx context.Context, tenant crm.TenantID, id crm.ID) (T, error) {
	if err := p.tick(); err != nil {
		var zero T
		return zero, err
	}
	return p.s.Get(ctx, tenant, id)
}

func (p flakyPort[T, Q]) Update(ctx context.Context, tenant crm.TenantID, id crm.ID, fn func(T) error) (T, error) {
	if err := p.tick(); err != nil {
		var zero T
		return zero, err
	}
	return p.s.Update(ctx, tenant, id, fn)
}

func (p flakyPort[T, Q]) List(ctx context.Context, tenant crm.TenantID, q Q, page crm.PageRequest) (crm.Page[T], error) {
	if err := p.tick(); err != nil {
		return crm.Page[T]{}, err
	}
	return p.s.List(ctx, tenant, q, page)
}

// flakyBackend is the memory store with flaky relation and plan ports.
type flakyBackend struct {
	*memory.Store
	left, calls *atomic.Int64
}

func (b flakyBackend) Referrals() customer.ReferralStore {
	return flakyPort[*customer.Referral, customer.ReferralQuery]{b.Store.Referrals(), b.left, b.calls}
}

func (b flakyBackend) Suggestions() customer.SuggestionStore {
	return flakyPort[*customer.Suggestion, customer.SuggestionQuery]{b.Store.Suggestions(), b.left, b.calls}
}

func (b flakyBackend) Memberships() customer.MembershipStore {
	return flakyPort[*customer.Membership, customer.MembershipQuery]{b.Store.Memberships(), b.left, b.calls}
}

func (b flakyBackend) AccountPlans() customer.AccountPlanStore {
	return flakyPort[*customer.AccountPlan, customer.AccountPlanQuery]{b.Store.AccountPlans(), b.left, b.calls}
}

// mergeWorld holds four customers: s (survivor), l (loser), x and y.
type mergeWorld struct {
	svc        *customer.Service
	store      *memory.Store
	clock      *crm.ManualClock
	s, l, x, y *customer.Customer
	ids        map[string]crm.ID // named records
}

func newMergeWorld(t *testing.T) *mergeWorld {
	t.Helper()
	w := &mergeWorld{store: memory.New(nil), clock: crm.NewManualClock(relAt), ids: map[string]crm.ID{}}
	svc, err := customer.NewService(w.store, &customer.Options{Clock: w.clock, IDs: crm.NewSequentialIDs(w.clock)})
	require.NoError(t, err)
	w.svc = svc
	mk := func(name string) *customer.Customer {
		c, err := svc.Create(context.Background(), customer.NewInput{Tenant: "acme", Kind: customer.Organization, Name: name,
			Roles: []customer.Role{customer.EndCustomer}, Owner: "mgr"}, customer.Change{Actor: "mgr"})
		require.NoError(t, err)
		return c
	}
	w.s, w.l, w.x, w.y = mk("North Motors"), mk("North Motors Ltd"), mk("Li Wei"), mk("Zhao Min")
	return w
}

var mch = customer.Change{Actor: "mgr"}

func (w *mergeWorld) refer(t *testing.T, name string, from crm.ID, kind customer.TargetKind, to crm.ID) {
	t.Helper()
	r, err := w.svc.Refer(context.Background(), customer.ReferralInput{Tenant: "acme", Referrer: from, TargetKind: kind, Target: to}, mch)
	require.NoError(t, err)
	w.ids[name] = r.ID()
}

func (w *mergeWorld) join(t *testing.T, name string, c crm.ID, p customer.Programme, tier string) {
	t.Helper()
	m, err := w.svc.Join(context.Background(), customer.MembershipInput{Tenant: "acme", Customer: c, Programme: p, Tier: tier}, mch)
	require.NoError(t, err)
	w.ids[name] = m.ID()
}

func (w *mergeWorld) plan(t *testing.T, name string, c crm.ID, start time.Time, active bool) {
	t.Helper()
	ctx := context.Background()
	in := customer.AccountPlanInput{
		Tenant: "acme", Customer: c, Name: "plan " + name, Start: start, End: start.AddDate(1, 0, 0),
		Team:  []customer.TeamMember{{User: "mgr", Role: customer.RoleAccountManager, Lead: true, Since: start}},
		Goals: []customer.Goal{{Name: "orders", Metric: customer.MetricCount, Target: decimal.NewFromInt(12), Due: start.AddDate(1, 0, 0)}},
	}
	p, err := w.svc.CreateAccountPlan(ctx, in, mch)
	require.NoError(t, err)
	if active {
		_, err = w.svc.ActivateAccountPlan(ctx, "acme", p.ID(), mch)
		require.NoError(t, err)
	}
	w.ids[name] = p.ID()
}

var lead1, lead2 = crm.MustParseID("01890000-0000-7000-8000-00000000e101"), crm.MustParseID("01890000-0000-7000-8000-00000000e102")

func shortProgramme(name string, months int) customer.Programme {
	p := testProgramme()
	p.Name, p.TermMonths = name, months
	return p
}

// populate gives the world one record of every kind of move and clash.
func (w *mergeWorld) populate(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	club, owners := shortProgramme("club", 12), shortProgramme("owners", 12)
	w.join(t, "m_s_club", w.s.ID(), club, "silver")
	w.join(t, "m_l_club", w.l.ID(), club, "gold")
	w.join(t, "m_l_owners", w.l.ID(), owners, "")

	w.refer(t, "r_l_x", w.l.ID(), customer.TargetCustomer, w.x.ID())
	w.refer(t, "r_s_lead1", w.s.ID(), customer.TargetLead, lead1)
	w.refer(t, "r_l_lead1", w.l.ID(), customer.TargetLead, lead1)
	w.refer(t, "r_l_s", w.l.ID(), customer.TargetCustomer, w.s.ID())
	w.refer(t, "r_y_l", w.y.ID(), customer.TargetCustomer, w.l.ID())
	w.refer(t, "r_x_s", w.x.ID(), customer.TargetCustomer, w.s.ID())
	w.refer(t, "r_x_l", w.x.ID(), customer.TargetCustomer, w.l.ID())
	w.refer(t, "r_l_lead2", w.l.ID(), customer.TargetLead, lead2)
	_, err := w.svc.ConvertReferral(ctx, "acme", w.ids["r_l_lead2"], crm.MustParseMoney("900 CNY"), mch)
	require.NoError(t, err)

	sg, err := w.svc.Suggest(ctx, customer.SuggestionInput{Tenant: "acme", Author: w.l.ID(), Subject: "Longer hours", Text: "Open on Sundays", Category: "service"}, mch)
	require.NoError(t, err)
	w.ids["sg_l"] = sg.ID()

	start := relAt.Truncate(24 * time.Hour)
	w.plan(t, "p_s", w.s.ID(), start, true)
	w.plan(t, "p_l_overlap", w.l.ID(), start.AddDate(0, 6, 0), true)
	w.plan(t, "p_l_draft", w.l.ID(), start, false)
	w.plan(t, "p_l_later", w.l.ID(), start.AddDate(2, 0, 0), true)
	w.clock.Advance(time.Hour)
}

// snapshot is every stored record of the tenant, in JSON.
func (w *mergeWorld) snapshot(t *testing.T) map[crm.ID]string {
	t.Helper()
	ctx := context.Background()
	out := map[crm.ID]string{}
	put := func(id crm.ID, v any) {
		b, err := jsonMarshal(v)
		require.NoError(t, err)
		out[id] = b
	}
	for _, c := range []*customer.Customer{w.s, w.l, w.x, w.y} {
		got, err := w.svc.Get(ctx, "acme", c.ID())
		require.NoError(t, err)
		put(c.ID(), got.Record())
	}
	refs, err := w.svc.Referrals(ctx, "acme", customer.ReferralQuery{}, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	for _, r := range refs.Items {
		put(r.ID(), r.Record())
	}
	sugs, err := w.svc.Suggestions(ctx, "acme", customer.SuggestionQuery{}, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	for _, x := range sugs.Items {
		put(x.ID(), x.Record())
	}
	mems, err := w.svc.Memberships(ctx, "acme", customer.MembershipQuery{}, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	for _, m := range mems.Items {
		put(m.ID(), m.Record())
	}
	plans, err := w.svc.AccountPlans(ctx, "acme", customer.AccountPlanQuery{}, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	for _, p := range plans.Items {
		put(p.ID(), p.Record())
	}
	return out
}

func TestServiceMergeMovesRelations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMergeWorld(t)
	w.populate(t)
	rules := customer.Survivorship{Programmes: []customer.Programme{shortProgramme("club", 12)}}
	res, err := w.svc.Merge(ctx, "acme", w.s.ID(), w.l.ID(), rules, customer.Change{Actor: "admin", Reason: "same dealer"})
	require.NoError(t, err)

	byID := map[crm.ID]customer.MergedRecord{}
	for _, r := range res.Records {
		_, dup := byID[r.ID]
		require.False(t, dup, "each record reported once: %s", r.ID)
		byID[r.ID] = r
	}
	id := func(n string) crm.ID { return w.ids[n] }
	for _, tc := range []struct {
		name   string
		record string
		kind   string
		action customer.MergeAction
		clash  string
		kept   string
		check  func(t *testing.T)
	}{
		{"membership of a programme only the loser holds moves", "m_l_owners", "membership", customer.MergeMoved, "", "", func(t *testing.T) {
			m, err := w.svc.GetMembership(ctx, "acme", id("m_l_owners"))
			require.NoError(t, err)
			require.Equal(t, w.s.ID(), m.Customer())
			require.Equal(t, customer.MembershipActive, m.Status(w.clock.Now()))
		}},
		{"same programme: the loser's higher tier passes to the survivor's record, the loser's is cancelled", "m_l_club", "membership",
			customer.MergeCancelled, customer.ClashSameProgramme, "m_s_club", func(t *testing.T) {
				kept, err := w.svc.GetMembership(ctx, "acme", id("m_s_club"))
				require.NoError(t, err)
				require.Equal(t, "gold", kept.Tier(), "the better placed standing survives")
				require.Equal(t, w.s.ID(), kept.Customer())
				gone, err := w.svc.GetMembership(ctx, "acme", id("m_l_club"))
				require.NoError(t, err)
				require.Equal(t, customer.MembershipCancelled, gone.Status(w.clock.Now()))
				h := gone.History()
				require.Contains(t, h[len(h)-1].Reason, "merge of "+w.l.ID().String())
				require.Len(t, h, 2, "its history is kept")
			}},
		{"referral given by the loser moves to the survivor", "r_l_x", "referral", customer.MergeMoved, "", "", func(t *testing.T) {
			r, err := w.svc.GetReferral(ctx, "acme", id("r_l_x"))
			require.NoError(t, err)
			require.Equal(t, w.s.ID(), r.Referrer())
		}},
		{"decided referral moves as it is", "r_l_lead2", "referral", customer.MergeMoved, "", "", func(t *testing.T) {
			r, err := w.svc.GetReferral(ctx, "acme", id("r_l_lead2"))
			require.NoError(t, err)
			require.Equal(t, w.s.ID(), r.Referrer())
			require.Equal(t, customer.ReferralConverted, r.Outcome())
		}},
		{"same target referred by both: the survivor's is kept, the loser's lost", "r_l_lead1", "referral", customer.MergeLost, customer.ClashSameTarget, "r_s_lead1", func(t *testing.T) {
			r, err := w.svc.GetReferral(ctx, "acme", id("r_l_lead1"))
			require.NoError(t, err)
			require.Equal(t, w.l.ID(), r.Referrer(), "it stays with the tombstone")
			require.Equal(t, customer.ReferralLost, r.Outcome())
		}},
		{"referrer and target become one", "r_l_s", "referral", customer.MergeLost, customer.ClashSelfReferral, "", func(t *testing.T) {
			r, err := w.svc.GetReferral(ctx, "acme", id("r_l_s"))
			require.NoError(t, err)
			require.Equal(t, customer.ReferralLost, r.Outcome())
		}},
		{"referral of the loser as target moves", "r_y_l", "referral", customer.MergeMoved, "", "", func(t *testing.T) {
			r, err := w.svc.GetReferral(ctx, "acme", id("r_y_l"))
			require.NoError(t, err)
			_, target := r.Target()
			require.Equal(t, w.s.ID(), target)
			require.Equal(t, w.y.ID(), r.Referrer())
		}},
		{"one referrer referred both: the referral of the survivor is kept", "r_x_l", "referral", customer.MergeLost, customer.ClashSameTarget, "r_x_s", nil},
		{"suggestion moves", "sg_l", "suggestion", customer.MergeMoved, "", "", func(t *testing.T) {
			x, err := w.svc.GetSuggestion(ctx, "acme", id("sg_l"))
			require.NoError(t, err)
			require.Equal(t, w.s.ID(), x.Author())
		}},
		{"overlapping active plan is closed and moved", "p_l_overlap", "account_plan", customer.MergeClosedMoved, customer.ClashOverlappingPlan, "p_s", func(t *testing.T) {
			p, err := w.svc.AccountPlan(ctx, "acme", id("p_l_overlap"))
			require.NoError(t, err)
			require.Equal(t, customer.PlanClosed, p.Status())
			require.Equal(t, w.s.ID(), p.Customer())
			kept, err := w.svc.AccountPlan(ctx, "acme", id("p_s"))
			require.NoError(t, err)
			require.Equal(t, customer.PlanActive, kept.Status())
		}},
		{"draft plan moves", "p_l_draft", "account_plan", customer.MergeMoved, "", "", nil},
		{"active plan without overlap moves active", "p_l_later", "account_plan", customer.MergeMoved, "", "", func(t *testing.T) {
			p, err := w.svc.AccountPlan(ctx, "acme", id("p_l_later"))
			require.NoError(t, err)
			require.Equal(t, customer.PlanActive, p.Status())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := byID[id(tc.record)]
			require.True(t, ok, "reported")
			want := customer.MergedRecord{Kind: tc.kind, ID: id(tc.record), Action: tc.action, Clash: tc.clash}
			if tc.kept != "" {
				want.Kept = id(tc.kept)
			}
			require.Equal(t, want, got)
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
	require.Len(t, res.Records, 12, "every record of the loser, nothing else")

	// Nothing the survivor's lists show points at the tombstone.
	left, err := w.svc.Memberships(ctx, "acme", customer.MembershipQuery{Customer: w.l.ID()}, crm.PageRequest{})
	require.NoError(t, err)
	require.Len(t, left.Items, 1, "only the cancelled duplicate of the club")
	plans, err := w.svc.AccountPlans(ctx, "acme", customer.AccountPlanQuery{Customer: w.l.ID()}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, plans.Items)
}

func TestServiceMergeMembershipRanking(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// setup makes the survivor's and the loser's membership of "club"
		// (1-month term); lapse says the merge happens after the term.
		sTier, lTier       string
		sCancel, lCancel   bool
		lRenew             bool // the loser's term runs one more month
		lapseS             bool // the survivor's lapses before the merge (the loser renews)
		listed             bool // rules.Programmes lists the club
		wantTier           string
		wantAction         customer.MergeAction
		wantKeptIsLosers   bool
		wantSurvivorActive bool
	}{
		{name: "tie goes to the survivor", sTier: "gold", lTier: "gold", wantTier: "gold", wantAction: customer.MergeCancelled, wantSurvivorActive: true},
		{name: "higher tier of the loser wins when the programme is listed", sTier: "silver", lTier: "platinum", listed: true, wantTier: "platinum", wantAction: customer.MergeCancelled, wantSurvivorActive: true},
		{name: "tiers rank equal when the programme is not listed", sTier: "silver", lTier: "platinum", wantTier: "silver", wantAction: customer.MergeCancelled, wantSurvivorActive: true},
		{name: "higher tier of the survivor stays", sTier: "platinum", lTier: "silver", listed: true, wantTier: "platinum", wantAction: customer.MergeCancelled, wantSurvivorActive: true},
		{name: "active loser over lapsed survivor", sTier: "platinum", lTier: "silver", listed: true, lapseS: true, wantTier: "silver", wantAction: customer.MergeCancelled, wantSurvivorActive: true},
		{name: "later term end breaks a tier tie", sTier: "gold", lTier: "gold", lRenew: true, wantTier: "gold", wantAction: customer.MergeCancelled, wantSurvivorActive: true},
		{name: "cancelled loser is left as it is", sTier: "silver", lTier: "platinum", listed: true, lCancel: true, wantTier: "silver", wantAction: customer.MergeLeft, wantSurvivorActive: true},
		{name: "cancelled survivor cannot take the loser's standing", sTier: "silver", lTier: "gold", sCancel: true, wantTier: "silver", wantAction: customer.MergeLeft, wantKeptIsLosers: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			w := newMergeWorld(t)
			club := shortProgramme("club", 1)
			w.join(t, "s", w.s.ID(), club, tc.sTier)
			if tc.lapseS {
				w.clock.Advance(20 * 24 * time.Hour)
			}
			w.join(t, "l", w.l.ID(), club, tc.lTier)
			if tc.lRenew {
				_, err := w.svc.RenewMembership(ctx, "acme", w.ids["l"], club, mch)
				require.NoError(t, err)
			}
			if tc.sCancel {
				_, err := w.svc.CancelMembership(ctx, "acme", w.ids["s"], mch)
				require.NoError(t, err)
			}
			if tc.lCancel {
				_, err := w.svc.CancelMembership(ctx, "acme", w.ids["l"], mch)
				require.NoError(t, err)
			}
			if tc.lapseS {
				w.clock.Advance(15 * 24 * time.Hour) // the survivor's term (31 days) has passed, the loser's not
			} else {
				w.clock.Advance(time.Hour)
			}
			before, err := w.svc.GetMembership(ctx, "acme", w.ids["l"])
			require.NoError(t, err)
			var rules customer.Survivorship
			if tc.listed {
				rules.Programmes = []customer.Programme{club}
			}
			res, err := w.svc.Merge(ctx, "acme", w.s.ID(), w.l.ID(), rules, customer.Change{Actor: "admin"})
			require.NoError(t, err)
			require.Len(t, res.Records, 1)
			want := customer.MergedRecord{Kind: "membership", ID: w.ids["l"], Action: tc.wantAction, Clash: customer.ClashSameProgramme, Kept: w.ids["s"]}
			if tc.wantKeptIsLosers {
				want.Kept = w.ids["l"]
			}
			require.Equal(t, want, res.Records[0])
			s, err := w.svc.GetMembership(ctx, "acme", w.ids["s"])
			require.NoError(t, err)
			require.Equal(t, tc.wantTier, s.Tier())
			require.Equal(t, tc.wantSurvivorActive, s.Status(w.clock.Now()) == customer.MembershipActive)
			if !before.TermEnd().After(s.TermEnd()) || tc.sCancel || tc.lCancel {
				// nothing to take over, or the survivor's is final
			} else {
				require.Equal(t, before.TermEnd(), s.TermEnd(), "the later term end is taken over")
			}
			l, err := w.svc.GetMembership(ctx, "acme", w.ids["l"])
			require.NoError(t, err)
			require.Equal(t, w.l.ID(), l.Customer())
			if tc.wantAction == customer.MergeLeft {
				require.Equal(t, before.Record(), l.Record(), "left unchanged")
			} else {
				require.Equal(t, customer.MembershipCancelled, l.Status(w.clock.Now()))
			}
		})
	}
}

func TestServiceMergeRelationsAtomic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rules := customer.Survivorship{Programmes: []customer.Programme{shortProgramme("club", 12)}}
	ch := customer.Change{Actor: "admin", Reason: "same dealer"}

	// Count the relation and plan port calls of a whole merge.
	w := newMergeWorld(t)
	w.populate(t)
	var left, calls atomic.Int64
	left.Store(1 << 40)
	svc, err := customer.NewService(flakyBackend{w.store, &left, &calls}, &customer.Options{Clock: w.clock})
	require.NoError(t, err)
	_, err = svc.Merge(ctx, "acme", w.s.ID(), w.l.ID(), rules, ch)
	require.NoError(t, err)
	steps := calls.Load()
	require.Greater(t, steps, int64(20), "lists, look-ups and one update per record")

	for n := int64(1); n <= steps; n++ {
		w := newMergeWorld(t)
		w.populate(t)
		before := w.snapshot(t)
		var left, calls atomic.Int64
		left.Store(n)
		sink := &recorder{}
		svc, err := customer.NewService(flakyBackend{w.store, &left, &calls}, &customer.Options{Clock: w.clock, Events: sink})
		require.NoError(t, err)
		_, err = svc.Merge(ctx, "acme", w.s.ID(), w.l.ID(), rules, ch)
		require.ErrorIs(t, err, errFire, "step %d", n)
		require.Equal(t, before, w.snapshot(t), "a failure at step %d leaves every record as it was", n)
		require.Empty(t, sink.events, "step %d: a rolled-back merge publishes nothing", n)
	}
}

func TestServiceMergeWithoutRelationStores(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	a := f.create(t, "Zhang Wei", "wang", "zhang.wei@example.cn", "")
	b := f.create(t, "Zhang Wei", "zhao", "zw@example.cn", "")
	svc, err := customer.NewService(customersOnly{f.store}, &customer.Options{Clock: f.clock})
	require.NoError(t, err)
	res, err := svc.Merge(ctx, tenant, a.ID(), b.ID(), customer.Survivorship{}, customer.Change{Actor: "admin"})
	require.NoError(t, err)
	require.Empty(t, res.Records)
	got, err := svc.Get(ctx, tenant, b.ID())
	require.NoError(t, err)
	require.True(t, got.IsTombstone())
}

func TestServiceMergeEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMergeWorld(t)
	w.populate(t)
	sink := &recorder{}
	svc, err := customer.NewService(w.store, &customer.Options{Clock: w.clock, Events: sink})
	require.NoError(t, err)
	rules := customer.Survivorship{Programmes: []customer.Programme{shortProgramme("club", 12)}}
	_, err = svc.Merge(ctx, "acme", w.s.ID(), w.l.ID(), rules, customer.Change{Actor: "admin"})
	require.NoError(t, err)
	types := sink.types()
	for _, want := range []string{customer.EventMemberTier, customer.EventMemberCancelled, customer.EventReferralOutcome} {
		require.Contains(t, types, want, "the clash rules' changes are published with the merge")
	}
}

func TestSurvivorshipProgrammes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ps   []customer.Programme
		ok   bool
	}{
		{"none", nil, true},
		{"one", []customer.Programme{testProgramme()}, true},
		{"duplicate", []customer.Programme{testProgramme(), testProgramme()}, false},
		{"invalid", []customer.Programme{{Name: "x"}}, false},
		{"too many", make([]customer.Programme, 101), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := customer.Survivorship{Programmes: tc.ps}.Validate()
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, crm.ErrInvalid)
			}
		})
	}
}

func jsonMarshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// A referral made while the merge runs is either moved by it or refused
// after it: none is left naming the tombstone.
func TestServiceMergeRacesRefer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newMergeWorld(t)
	done := make(chan struct{})
	var made atomic.Int64
	var referErr error
	go func() {
		defer close(done)
		for i := range 200 {
			target := crm.MustParseID("01890000-0000-7000-8000-00000000f000")
			target[14], target[15] = byte(i>>8), byte(i)
			_, err := w.svc.Refer(ctx, customer.ReferralInput{Tenant: "acme", Referrer: w.l.ID(), TargetKind: customer.TargetLead, Target: target}, mch)
			if err != nil {
				if !errors.Is(err, crm.ErrMerged) {
					referErr = err
				}
				return
			}
			made.Add(1)
		}
	}()
wait:
	for made.Load() < 3 {
		select {
		case <-done:
			break wait
		default:
			runtime.Gosched()
		}
	}
	res, err := w.svc.Merge(ctx, "acme", w.s.ID(), w.l.ID(), customer.Survivorship{}, customer.Change{Actor: "admin"})
	require.NoError(t, err)
	<-done
	require.NoError(t, referErr, "a refusal after the merge is a *MergedError")
	left, err := w.svc.Referrals(ctx, "acme", customer.ReferralQuery{Referrer: w.l.ID()}, crm.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, left.Items)
	moved, err := w.svc.Referrals(ctx, "acme", customer.ReferralQuery{Referrer: w.s.ID()}, crm.PageRequest{Limit: crm.MaxPageLimit})
	require.NoError(t, err)
	require.Len(t, moved.Items, int(made.Load()))
	require.Len(t, res.Records, int(made.Load()))
}
