package storagetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/customer"
	"github.com/crmkit/crm/lead"
)

// leadAreas are the groups of RunLeads.
func leadAreas() []area {
	return []area{
		{"LeadRecords", func(t *testing.T, e *env) { runHarness(t, e, leadAggregate(e.ls)) }},
		{"CampaignRecords", func(t *testing.T, e *env) { runHarness(t, e, campaignAggregate(e.ls.Campaigns())) }},
		{"LeadList", testLeadList},
		{"LeadFindByContact", testLeadFindByContact},
		{"LeadHistory", testLeadHistory},
		{"Assignment", testAssignment},
		{"AssignmentUnderLoad", testAssignmentUnderLoad},
		{"CampaignList", testCampaignList},
		{"LeadValueCopies", testLeadValueCopies},
	}
}

// testLeadValueCopies attacks isolation with copies of Lead values (a
// lead's state may be shared copy-on-write between clones): a copy of the
// value given to Create, a copy of a lead returned by Get or Update, and a
// foreign value stored wholesale by an Update closure must never reach
// the stored lead when changed afterwards.
func testLeadValueCopies(t *testing.T, e *env) {
	ctx := context.Background()
	s := e.ls
	tenant := NewTenant(t)
	stored := func(id crm.ID) *lead.Lead {
		got, err := s.Get(ctx, tenant, id)
		require.NoError(t, err)
		return got
	}
	t.Run("CopyOfCreated", func(t *testing.T) {
		t.Parallel()
		x := NewLead(t, tenant, nil)
		y := *x
		require.NoError(t, s.Create(ctx, x))
		require.NoError(t, y.SetKeyProspect(true, lchange(5)))
		require.NoError(t, x.Assign("eve", lchange(6)))
		got := stored(x.ID())
		require.False(t, got.KeyProspect())
		require.Empty(t, got.Owner())
	})
	t.Run("CopyOfReturned", func(t *testing.T) {
		t.Parallel()
		x := CreateLead(t, s, tenant, nil)
		got := stored(x.ID())
		y := *got
		require.NoError(t, y.SetKeyProspect(true, lchange(5)))
		require.NoError(t, got.Assign("eve", lchange(6)))
		after, err := s.Update(ctx, tenant, x.ID(), func(l *lead.Lead) error { return l.RecordContact(lchange(7)) })
		require.NoError(t, err)
		z := *after
		require.NoError(t, z.Assign("ann", lchange(8)))
		require.NoError(t, after.SetKeyProspect(true, lchange(9)))
		final := stored(x.ID())
		require.False(t, final.KeyProspect())
		require.Empty(t, final.Owner())
		require.False(t, final.FirstContactAt().IsZero())
	})
	t.Run("ForeignValueInUpdate", func(t *testing.T) {
		t.Parallel()
		x := CreateLead(t, s, tenant, nil)
		foreign := stored(x.ID())
		require.NoError(t, foreign.SetKeyProspect(true, lchange(5))) // its own state now
		_, err := s.Update(ctx, tenant, x.ID(), func(l *lead.Lead) error {
			*l = *foreign
			return nil
		})
		require.NoError(t, err)
		require.True(t, stored(x.ID()).KeyProspect())
		require.NoError(t, foreign.Assign("eve", lchange(6)))
		require.Empty(t, stored(x.ID()).Owner(), "the caller's value does not reach the stored lead")
	})
}

// RunLeads runs the cases of the lead port against the backends newBackend
// makes: every method of lead.Store and lead.CampaignStore, in
// transactions of the backend. The areas are LeadRecords, CampaignRecords
// (the invariant harness every aggregate shares: tenancy, concurrency,
// isolation, paging, atomicity, contexts, invalid input, time range),
// LeadList (every Query filter against Query.Matches), LeadFindByContact,
// LeadHistory, Assignment, AssignmentUnderLoad (32 concurrent captures
// never assign past a capacity or skip a turn) and CampaignList; the rules
// of [RunCustomers] about newBackend hold here too. The customer store is
// not used.
func RunLeads(t *testing.T, newBackend func(testing.TB) lead.Backend, f Features) {
	t.Helper()
	require.NotNil(t, newBackend, "storagetest.RunLeads: newBackend must not be nil")
	runAreas(t, leadAreas(), newBackend, func(t *testing.T, b lead.Backend) *env {
		require.NotNil(t, b, "newBackend returned nil")
		require.NotNil(t, b.Leads(), "Leads returned nil")
		require.NotNil(t, b.Leads().Campaigns(), "Campaigns returned nil")
		return &env{s: b, c: b.Customers(), ls: b.Leads(), f: f}
	})
}

// moveLead moves a stored lead along the default process to stage s.
func moveLead(tb testing.TB, s lead.Store, l *lead.Lead, to lead.Stage) *lead.Lead {
	tb.Helper()
	p := lead.DefaultProcess(l.Team())
	got, err := s.Update(context.Background(), l.Tenant(), l.ID(), func(x *lead.Lead) error {
		h := 10
		step := func(st lead.Stage, reason string) error {
			ch := lchange(h)
			ch.Reason = reason
			h++
			return x.Move(&p, st, ch)
		}
		switch to {
		case lead.StageContacted:
			return step(lead.StageContacted, "")
		case lead.StageQualified:
			if err := step(lead.StageContacted, ""); err != nil {
				return err
			}
			return step(lead.StageQualified, "")
		case lead.StageConverted:
			if err := step(lead.StageContacted, ""); err != nil {
				return err
			}
			if err := step(lead.StageQualified, ""); err != nil {
				return err
			}
			return x.MarkConverted(NewID(tb), crm.NilID, lchange(h))
		case lead.StageDisqualified:
			return step(lead.StageDisqualified, "spam")
		}
		return nil
	})
	require.NoError(tb, err)
	return got
}

func testLeadList(t *testing.T, e *env) {
	ctx := context.Background()
	s := e.ls
	tenant := NewTenant(t)
	other := NewTenant(t)
	campA, custA := NewID(t), NewID(t)
	var all []*lead.Lead
	for i := range 24 {
		o := &LeadOptions{At: at(i % 5)}
		if i%3 == 0 {
			o.Team = "north"
		}
		if i%4 == 0 {
			o.Source = lead.Source{Kind: lead.SourceCampaign, Campaign: campA}
		}
		if i%5 == 1 {
			o.Source = lead.Source{Kind: lead.SourceEvent, Detail: "fair"}
		}
		l := CreateLead(t, s, tenant, o)
		switch i % 6 {
		case 1:
			l = moveLead(t, s, l, lead.StageContacted)
		case 2:
			l = moveLead(t, s, l, lead.StageQualified)
		case 3:
			l = moveLead(t, s, l, lead.StageDisqualified)
		case 4:
			l = moveLead(t, s, l, lead.StageConverted)
		}
		if i%2 == 0 && l.Stage().Open() {
			owner := crm.UserID("alice")
			if i%4 == 2 {
				owner = "bob"
			}
			var err error
			l, err = s.Update(ctx, tenant, l.ID(), func(x *lead.Lead) error { return x.Assign(owner, lchange(20)) })
			require.NoError(t, err)
		}
		if i%7 == 0 && l.Stage().Open() {
			var err error
			l, err = s.Update(ctx, tenant, l.ID(), func(x *lead.Lead) error { return x.LinkCustomer(custA, lchange(21)) })
			require.NoError(t, err)
		}
		all = append(all, l)
	}
	CreateLead(t, s, other, &LeadOptions{Team: "north"}) // never listed
	yes, no := true, false
	north, none := "north", ""
	queries := []struct {
		name string
		q    lead.Query
	}{
		{"All", lead.Query{}},
		{"OneStage", lead.Query{Stages: []lead.Stage{lead.StageQualified}}},
		{"TwoStages", lead.Query{Stages: []lead.Stage{lead.StageNew, lead.StageDisqualified}}},
		{"Open", lead.Query{Open: &yes}},
		{"Closed", lead.Query{Open: &no}},
		{"TeamNorth", lead.Query{Team: &north}},
		{"DefaultTeam", lead.Query{Team: &none}},
		{"Owner", lead.Query{Owner: "alice"}},
		{"Unassigned", lead.Query{Unassigned: true}},
		{"Source", lead.Query{Source: lead.SourceEvent}},
		{"Campaign", lead.Query{Campaign: campA}},
		{"Customer", lead.Query{Customer: custA}},
		{"Converted customer none", lead.Query{Customer: NewID(t)}},
		{"CapturedRange", lead.Query{CapturedFrom: at(1), CapturedTo: at(3)}},
		{"CapturedFrom", lead.Query{CapturedFrom: at(4)}},
		{"Uncontacted", lead.Query{Uncontacted: true}},
		{"DueUnassigned", lead.Query{Uncontacted: true, ClockStartTo: at(3)}},
		{"DueAtAssignment", lead.Query{Uncontacted: true, ClockStartTo: at(20)}},
		{"DueAfterAssignment", lead.Query{Uncontacted: true, ClockStartTo: at(20).Add(time.Nanosecond)}},
		{"DueNone", lead.Query{Uncontacted: true, ClockStartTo: at(-1)}},
		{"DueTeam", lead.Query{Uncontacted: true, Team: &north, ClockStartTo: at(21)}},
		{"ClockStartOnly", lead.Query{ClockStartTo: at(2)}},
		{"Combined", lead.Query{Open: &yes, Team: &north, Owner: "alice"}},
	}
	for _, tc := range queries {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var want []crm.ID
			for _, l := range all {
				if tc.q.Matches(l) {
					want = append(want, l.ID())
				}
			}
			for _, limit := range []int{1, 5, crm.MaxPageLimit} {
				got := pageAll(t, limit, func(p crm.PageRequest) (crm.Page[*lead.Lead], error) {
					return s.List(ctx, tenant, tc.q, p)
				})
				ids := make([]crm.ID, len(got))
				for i, l := range got {
					ids[i] = l.ID()
					require.True(t, tc.q.Matches(l))
				}
				require.Equal(t, want, nilIfEmpty(ids), "limit %d", limit)
			}
		})
	}
	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		for _, q := range []lead.Query{
			{Stages: []lead.Stage{99}},
			{Owner: "x", Unassigned: true},
			{CapturedFrom: at(3), CapturedTo: at(1)},
			{Source: 200},
			{Uncontacted: true, ClockStartTo: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		} {
			_, err := s.List(ctx, tenant, q, crm.PageRequest{})
			require.ErrorIs(t, err, crm.ErrInvalid, "%+v", q)
		}
		_, err := s.List(ctx, tenant, lead.Query{}, crm.PageRequest{Cursor: "forged"})
		require.ErrorIs(t, err, crm.ErrInvalid)
	})
}

func testLeadFindByContact(t *testing.T, e *env) {
	ctx := context.Background()
	s := e.ls
	t.Run("OpenLeadsOnly", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		a := CreateLead(t, s, tenant, &LeadOptions{Email: "shared@example.com", Phone: "+8613800138000"})
		b := CreateLead(t, s, tenant, &LeadOptions{Email: "shared@example.com"})
		c := CreateLead(t, s, tenant, &LeadOptions{Email: "other@example.com", Phone: "+8613800138000"})
		closed := CreateLead(t, s, tenant, &LeadOptions{Email: "shared@example.com"})
		moveLead(t, s, closed, lead.StageDisqualified)
		conv := CreateLead(t, s, tenant, &LeadOptions{Email: "shared@example.com"})
		moveLead(t, s, conv, lead.StageConverted)
		CreateLead(t, s, NewTenant(t), &LeadOptions{Email: "shared@example.com"})

		ids := func(ls []*lead.Lead) []crm.ID {
			out := make([]crm.ID, len(ls))
			for i, l := range ls {
				out[i] = l.ID()
			}
			return out
		}
		got, err := s.FindByContact(ctx, tenant, []string{"shared@example.com"}, nil, 10)
		require.NoError(t, err)
		require.Equal(t, ids([]*lead.Lead{a, b}), ids(got))
		got, err = s.FindByContact(ctx, tenant, nil, []string{"+8613800138000"}, 10)
		require.NoError(t, err)
		require.Equal(t, ids([]*lead.Lead{a, c}), ids(got))
		got, err = s.FindByContact(ctx, tenant, []string{"shared@example.com", "other@example.com"}, []string{"+8613800138000"}, 10)
		require.NoError(t, err)
		require.Equal(t, ids([]*lead.Lead{a, b, c}), ids(got), "each lead once, ascending")
		got, err = s.FindByContact(ctx, tenant, []string{"shared@example.com", "other@example.com"}, nil, 2)
		require.NoError(t, err)
		require.Equal(t, ids([]*lead.Lead{a, b}), ids(got), "the limit")
		got, err = s.FindByContact(ctx, tenant, []string{"nobody@example.com"}, nil, 10)
		require.NoError(t, err)
		require.Empty(t, got)

		// Reopening a disqualified lead puts it back in the index.
		p := lead.DefaultProcess("")
		_, err = s.Update(ctx, tenant, closed.ID(), func(x *lead.Lead) error { return x.Move(&p, lead.StageNurturing, lchange(30)) })
		require.NoError(t, err)
		got, err = s.FindByContact(ctx, tenant, []string{"shared@example.com"}, nil, 10)
		require.NoError(t, err)
		require.Len(t, got, 3)
	})
	t.Run("AttachedPointsMatch", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		l := CreateLead(t, s, tenant, &LeadOptions{Email: "first@example.com"})
		// An update that adds nothing keeps the keys; one that attaches a
		// capture with new points makes them match.
		_, err := s.Update(ctx, tenant, l.ID(), func(x *lead.Lead) error { return x.SetKeyProspect(true, lchange(5)) })
		require.NoError(t, err)
		_, err = s.Update(ctx, tenant, l.ID(), func(x *lead.Lead) error {
			dup, err := lead.New(lead.NewInput{ID: NewID(t), Tenant: tenant, Emails: []string{"second@example.com"},
				Phones: []string{"+8613900139000"}, Channel: customer.Web, Source: lead.Source{Kind: lead.SourceWebForm}}, lchange(6))
			if err != nil {
				return err
			}
			return x.Attach(dup, lchange(6))
		})
		require.NoError(t, err)
		for _, keys := range [][2][]string{{{"first@example.com"}, nil}, {{"second@example.com"}, nil}, {nil, {"+8613900139000"}}} {
			got, err := s.FindByContact(ctx, tenant, keys[0], keys[1], 10)
			require.NoError(t, err)
			require.Len(t, got, 1, "%v", keys)
			require.Equal(t, l.ID(), got[0].ID())
		}
	})
	t.Run("FlaggedPointsNeverMatch", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		CreateLead(t, s, tenant, &LeadOptions{Email: "not an address"})
		got, err := s.FindByContact(ctx, tenant, []string{"not an address"}, nil, 10)
		require.NoError(t, err)
		require.Empty(t, got)
	})
	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		_, err := s.FindByContact(ctx, "", []string{"a@example.com"}, nil, 10)
		require.ErrorIs(t, err, crm.ErrInvalid)
		_, err = s.FindByContact(ctx, NewTenant(t), []string{"a@example.com"}, nil, -1)
		require.ErrorIs(t, err, crm.ErrInvalid)
		many := make([]string, lead.MaxContactKeys+1)
		for i := range many {
			many[i] = NewID(t).String() + "@example.com"
		}
		_, err = s.FindByContact(ctx, NewTenant(t), many, nil, 10)
		require.ErrorIs(t, err, crm.ErrInvalid)
	})
}

func testLeadHistory(t *testing.T, e *env) {
	ctx := context.Background()
	s := e.ls
	t.Run("Paging", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		l := CreateLead(t, s, tenant, nil)
		for i := range 6 {
			_, err := s.Update(ctx, tenant, l.ID(), func(x *lead.Lead) error { return leadMark(x, i) })
			require.NoError(t, err)
		}
		full := allLeadHistory(t, s, tenant, l.ID(), crm.MaxPageLimit)
		require.Len(t, full, 7)
		require.Equal(t, lead.HistoryCaptured, full[0].Kind)
		for _, limit := range []int{1, 2, 3} {
			require.Equal(t, full, allLeadHistory(t, s, tenant, l.ID(), limit))
		}
	})
	t.Run("Refusals", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		l := CreateLead(t, s, tenant, nil)
		_, err := s.History(ctx, tenant, NewID(t), crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrNotFound)
		_, err = s.History(ctx, NewTenant(t), l.ID(), crm.PageRequest{})
		require.ErrorIs(t, err, crm.ErrNotFound, "another tenant's lead")
		for _, c := range []string{"forged", "MTIz", "aAAAAAAAAAAA"} {
			_, err = s.History(ctx, tenant, l.ID(), crm.PageRequest{Cursor: c})
			require.ErrorIs(t, err, crm.ErrInvalid, "cursor %q", c)
		}
		CreateLead(t, s, tenant, nil)
		p, err := s.List(ctx, tenant, lead.Query{}, crm.PageRequest{Limit: 1})
		require.NoError(t, err)
		require.NotEmpty(t, p.Next)
		_, err = s.History(ctx, tenant, l.ID(), crm.PageRequest{Cursor: p.Next})
		require.ErrorIs(t, err, crm.ErrInvalid, "a list cursor is not a history cursor")
	})
}

// testRouter is a router of three people of equal weight sharing every
// lead, each taking at most capacity open leads.
func testRouter(tb testing.TB, capacity int) *lead.Router {
	tb.Helper()
	r, err := lead.NewRouter(lead.Rules{
		People: []lead.Person{{ID: "ann", Capacity: capacity}, {ID: "ben", Capacity: capacity}, {ID: "cai", Capacity: capacity}},
		Rules:  []lead.Rule{{Name: "all", People: []crm.UserID{"ann", "ben", "cai"}}},
	}, nil)
	require.NoError(tb, err)
	return r
}

func testAssignment(t *testing.T, e *env) {
	ctx := context.Background()
	s := e.ls
	assign := func(tb testing.TB, ctx context.Context, tenant crm.TenantID, team string) (lead.Decision, error) {
		var dec lead.Decision
		_, err := s.UpdateAssignment(ctx, tenant, team, func(st *lead.AssignmentState) error {
			d, next, err := testRouter(tb, 10).Assign(*st, NewLead(tb, tenant, nil), at(1))
			if err != nil {
				return err
			}
			dec, *st = d, next
			return nil
		})
		return dec, err
	}
	t.Run("ZeroStateThenPersisted", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		st, err := s.Assignment(ctx, tenant, "")
		require.NoError(t, err)
		require.Equal(t, lead.AssignmentState{}, st)
		var owners []crm.UserID
		for range 4 {
			d, err := assign(t, ctx, tenant, "")
			require.NoError(t, err)
			require.True(t, d.Assigned)
			owners = append(owners, d.Owner)
		}
		require.Equal(t, []crm.UserID{"ann", "ben", "cai", "ann"}, owners, "the rotation continues from the stored state")
		st, err = s.Assignment(ctx, tenant, "")
		require.NoError(t, err)
		require.Equal(t, 2, st.OpenLeads("ann"))
		other, err := s.Assignment(ctx, tenant, "north")
		require.NoError(t, err)
		require.Equal(t, lead.AssignmentState{}, other, "teams have states of their own")
		other, err = s.Assignment(ctx, NewTenant(t), "")
		require.NoError(t, err)
		require.Equal(t, lead.AssignmentState{}, other, "tenants have states of their own")
	})
	t.Run("ErrorStoresNothing", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		_, err := assign(t, ctx, tenant, "")
		require.NoError(t, err)
		before, err := s.Assignment(ctx, tenant, "")
		require.NoError(t, err)
		_, err = s.UpdateAssignment(ctx, tenant, "", func(st *lead.AssignmentState) error {
			*st = st.SetOpen("ann", 7)
			return errInjected
		})
		require.Same(t, errInjected, err, "fn's error is returned as is")
		_, err = s.UpdateAssignment(ctx, tenant, "", func(st *lead.AssignmentState) error {
			st.Open = append(st.Open, lead.Load{Person: "", Open: -1})
			return nil
		})
		require.ErrorIs(t, err, crm.ErrInvalid)
		after, err := s.Assignment(ctx, tenant, "")
		require.NoError(t, err)
		require.Equal(t, before, after)
	})
	t.Run("RolledBackWithItsTransaction", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		_, err := assign(t, ctx, tenant, "")
		require.NoError(t, err)
		before, err := s.Assignment(ctx, tenant, "")
		require.NoError(t, err)
		err = e.s.InTx(ctx, func(ctx context.Context) error {
			if _, err := assign(t, ctx, tenant, ""); err != nil {
				return err
			}
			return errInjected
		})
		require.ErrorIs(t, err, errInjected)
		after, err := s.Assignment(ctx, tenant, "")
		require.NoError(t, err)
		require.Equal(t, before, after, "a rolled-back assignment left its counters behind")
	})
	t.Run("Refusals", func(t *testing.T) {
		t.Parallel()
		_, err := s.Assignment(ctx, "", "")
		require.ErrorIs(t, err, crm.ErrInvalid)
		_, err = s.UpdateAssignment(ctx, NewTenant(t), "", nil)
		require.ErrorIs(t, err, crm.ErrInvalid)
		_, err = s.UpdateAssignment(ctx, NewTenant(t), "bad\x00team", func(*lead.AssignmentState) error { return nil })
		require.ErrorIs(t, err, crm.ErrInvalid)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = s.UpdateAssignment(cancelled, NewTenant(t), "", func(*lead.AssignmentState) error { return nil })
		require.ErrorIs(t, err, context.Canceled)
		_, err = s.Assignment(cancelled, NewTenant(t), "")
		require.ErrorIs(t, err, context.Canceled)
	})
}

// captureConcurrently captures n leads of tenant at once, each deciding its
// owner with r inside UpdateAssignment and storing the lead in the same
// transaction, and returns the owners (or "" for none).
func captureConcurrently(t *testing.T, e *env, tenant crm.TenantID, r *lead.Router, n int) []crm.UserID {
	t.Helper()
	owners := make([]crm.UserID, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		l := NewLead(t, tenant, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for attempt := 0; ; attempt++ {
				owners[i] = ""
				errs[i] = e.s.InTx(context.Background(), func(ctx context.Context) error {
					x := l.Clone()
					var dec lead.Decision
					_, err := e.ls.UpdateAssignment(ctx, tenant, "", func(st *lead.AssignmentState) error {
						d, next, err := r.Assign(*st, x, at(1))
						if err != nil {
							return err
						}
						dec, *st = d, next
						return nil
					})
					if err != nil {
						return err
					}
					if dec.Assigned {
						if err := x.Assign(dec.Owner, lchange(1)); err != nil {
							return err
						}
						owners[i] = dec.Owner
					}
					return e.ls.Create(ctx, x)
				})
				if !errors.Is(errs[i], crm.ErrConflict) || attempt > 20 {
					return
				}
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "capture %d", i)
	}
	return owners
}

func testAssignmentUnderLoad(t *testing.T, e *env) {
	ctx := context.Background()
	count := func(owners []crm.UserID) map[crm.UserID]int {
		m := map[crm.UserID]int{}
		for _, o := range owners {
			m[o]++
		}
		return m
	}
	t.Run("NeverPastCapacity", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		owners := captureConcurrently(t, e, tenant, testRouter(t, 5), 32)
		require.Equal(t, map[crm.UserID]int{"ann": 5, "ben": 5, "cai": 5, "": 17}, count(owners))
		st, err := e.ls.Assignment(ctx, tenant, "")
		require.NoError(t, err)
		for _, p := range []crm.UserID{"ann", "ben", "cai"} {
			require.Equal(t, 5, st.OpenLeads(p), "stored open count of %s", p)
			ls, err := e.ls.List(ctx, tenant, lead.Query{Owner: p}, crm.PageRequest{Limit: crm.MaxPageLimit})
			require.NoError(t, err)
			require.Len(t, ls.Items, 5, "stored leads of %s", p)
		}
		un, err := e.ls.List(ctx, tenant, lead.Query{Unassigned: true}, crm.PageRequest{Limit: crm.MaxPageLimit})
		require.NoError(t, err)
		require.Len(t, un.Items, 17, "leads nobody could take stay unassigned")
	})
	t.Run("NeverSkipsATurn", func(t *testing.T) {
		t.Parallel()
		tenant := NewTenant(t)
		owners := captureConcurrently(t, e, tenant, testRouter(t, 100), 32)
		c := count(owners)
		require.Zero(t, c[""])
		got := []int{c["ann"], c["ben"], c["cai"]}
		slices.Sort(got)
		require.Equal(t, []int{10, 11, 11}, got, "equal weights differ by at most one")
		st, err := e.ls.Assignment(ctx, tenant, "")
		require.NoError(t, err)
		for p, n := range c {
			require.Equal(t, n, st.OpenLeads(p))
		}
	})
}

func testCampaignList(t *testing.T, e *env) {
	ctx := context.Background()
	cs := e.ls.Campaigns()
	tenant := NewTenant(t)
	mk := func(start, end time.Time) *lead.Campaign {
		c, err := lead.NewCampaign(lead.CampaignInput{
			ID: NewID(t), Tenant: tenant, Name: "c", Channel: lead.CampaignEmail,
			Start: start, End: end, Budget: crm.MustParseMoney("100 EUR"),
		}, lchange(0))
		require.NoError(t, err)
		require.NoError(t, cs.Create(ctx, c))
		return c
	}
	jan := mk(at(0), at(10))
	feb := mk(at(10), at(20))
	open := mk(at(15), time.Time{})
	ids := func(from, to time.Time) []crm.ID {
		var out []crm.ID
		for _, c := range pageAll(t, 1, func(p crm.PageRequest) (crm.Page[*lead.Campaign], error) {
			return cs.List(ctx, tenant, from, to, p)
		}) {
			out = append(out, c.ID())
		}
		return out
	}
	require.Equal(t, []crm.ID{jan.ID(), feb.ID(), open.ID()}, ids(time.Time{}, time.Time{}))
	require.Equal(t, []crm.ID{jan.ID()}, ids(time.Time{}, at(10)), "[from, to) and [start, end) are half-open")
	require.Equal(t, []crm.ID{feb.ID(), open.ID()}, ids(at(10), time.Time{}))
	require.Equal(t, []crm.ID{open.ID()}, ids(at(20), at(30)))
	require.Empty(t, ids(at(-10), at(0)))
	_, err := cs.List(ctx, tenant, at(5), at(1), crm.PageRequest{})
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = cs.List(ctx, tenant, time.Time{}, time.Time{}, crm.PageRequest{Cursor: "forged"})
	require.ErrorIs(t, err, crm.ErrInvalid)
}
